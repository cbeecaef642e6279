/*
 * base64.c — base64 and base64url (base64.h).  Standard base64 goes
 * through OpenSSL's block coder; base64url is done here because OpenSSL
 * has no unpadded, canonical decoder.
 */
#include "weft_config.h"

#include "common/base64.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "common/xmalloc.h"

static const char base64url_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *base64_encode(const void *data, size_t len)
{
	char *out;

	if (len > (size_t)INT_MAX / 4 * 3)
		fatalx("base64_encode: %zu bytes is too much", len);
	out = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

char *base64_decode(const char *text, size_t len, size_t *out_len)
{
	size_t pad = 0;
	char *out;
	int n;

	if (len % 4 != 0 || len > INT_MAX)
		return NULL;
	out = xmalloc(len / 4 * 3 + 1);
	if (len == 0) {
		*out_len = 0;
		out[0] = '\0';
		return out;
	}
	n = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)text, (int)len);
	if (n < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts padding as zero bytes. */
	if (text[len - 1] == '=')
		pad++;
	if (text[len - 2] == '=')
		pad++;
	*out_len = (size_t)n - pad;
	out[*out_len] = '\0';
	return out;
}

char *base64url_encode(const void *data, size_t len)
{
	const unsigned char *in = data;
	char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*o++ = base64url_alphabet[v >> 18 & 63];
		*o++ = base64url_alphabet[v >> 12 & 63];
		*o++ = base64url_alphabet[v >> 6 & 63];
		*o++ = base64url_alphabet[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		*o++ = base64url_alphabet[v >> 18 & 63];
		*o++ = base64url_alphabet[v >> 12 & 63];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		*o++ = base64url_alphabet[v >> 18 & 63];
		*o++ = base64url_alphabet[v >> 12 & 63];
		*o++ = base64url_alphabet[v >> 6 & 63];
	}
	*o = '\0';
	return out;
}

/* Value of one base64url character, or -1. */
static int base64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

char *base64url_decode(const char *text, size_t len, size_t *out_len)
{
	unsigned char *out, *o;
	uint32_t acc = 0;
	int bits = 0;
	size_t i;

	if (len % 4 == 1)
		return NULL;
	out = o = xmalloc(len / 4 * 3 + 3);
	for (i = 0; i < len; i++) {
		int v = base64url_value(text[i]);
		if (v < 0) {
			free(out);
			return NULL;
		}
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*o++ = (unsigned char)(acc >> bits & 0xff);
		}
	}
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
		free(out);
		return NULL;
	}
	*o = '\0';
	*out_len = (size_t)(o - out);
	return (char *)out;
}
