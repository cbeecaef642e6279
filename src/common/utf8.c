/*
 * utf8.c — UTF-8 text checks (utf8.h): one decoder of the byte ranges of
 * RFC 3629, table 3-7 of the Unicode standard, for everything weft puts
 * into JSON strings or counts on a terminal.
 */
#include "weft_config.h"

#include "common/utf8.h"

size_t utf8_char_len(const unsigned char *s, size_t n)
{
	unsigned char c, lo = 0x80, hi = 0xBF;
	size_t len, i;

	if (n == 0 || (c = s[0]) == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0; /* no overlong forms */
	else if (c == 0xED)
		hi = 0x9F; /* no surrogates */
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F; /* nothing above U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	}
	return len;
}

bool utf8_is_text(const char *buf, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		/* ASCII runs are the common case: skip them quickly. */
		if ((unsigned char)buf[i] - 1u < 0x7Fu) {
			i++;
			continue;
		}
		n = utf8_char_len((const unsigned char *)buf + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* Whether c is a control character sanitizing replaces (not \n, \t). */
static bool utf8_is_control(unsigned char c)
{
	return (c < 0x20 && c != '\n' && c != '\t') || c == 0x7F;
}

void utf8_sanitize(char *buf, size_t len, enum utf8_sanitize_flags flags)
{
	size_t i = 0, n;

	while (i < len) {
		n = utf8_char_len((const unsigned char *)buf + i, len - i);
		if (n == 0 || (n == 1 && (flags & UTF8_NO_CONTROLS) &&
		               utf8_is_control((unsigned char)buf[i]))) {
			buf[i] = '?';
			n = 1;
		}
		i += n;
	}
}

size_t utf8_cut_start(const char *buf, size_t len)
{
	size_t skip = 0;

	while (skip < 3 && skip < len && ((unsigned char)buf[skip] & 0xC0) == 0x80)
		skip++;
	return skip;
}

size_t utf8_boundary(const char *buf, size_t pos)
{
	while (pos > 0 && ((unsigned char)buf[pos] & 0xC0) == 0x80)
		pos--;
	return pos;
}

size_t utf8_width(const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if ((*p & 0xC0) != 0x80)
			n++;
	return n;
}
