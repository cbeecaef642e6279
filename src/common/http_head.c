/*
 * http_head.c — finding and parsing HTTP/1.1 request heads in place.
 *
 * Owns the request line, header fields and the framing facts a server
 * needs before it reads a body (Content-Length, Transfer-Encoding, Expect,
 * persistence).  Nothing here allocates unless a head has more than 16
 * fields.
 */
#include "weft_config.h"

#include "common/http_head.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/xmalloc.h"

size_t http_head_end(const char *buf, size_t len)
{
	const char *end = buf + len, *p = buf, *nl;

	/* A head ends at the first line that is empty ("\n" or "\r\n"). */
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (end - nl > 1 && nl[1] == '\n')
			return (size_t)(nl + 2 - buf);
		if (end - nl > 2 && nl[1] == '\r' && nl[2] == '\n')
			return (size_t)(nl + 3 - buf);
		p = nl + 1;
	}
	return 0;
}

/* RFC 9110 5.6.2: may c appear in a token (method, field name)? */
static bool http_head_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Does a comma-separated field value hold token (any case)? */
static bool http_head_has_token(const char *value, const char *token)
{
	size_t tlen = strlen(token);

	while (*value != '\0') {
		size_t len;

		value += strspn(value, " \t,");
		len = strcspn(value, " \t,");
		if (len == tlen && strncasecmp(value, token, tlen) == 0)
			return true;
		value += len;
	}
	return false;
}

/* Digits only, no sign, no list: RET 0 / -1. */
static int http_head_length(const char *value, uint64_t *out)
{
	uint64_t n = 0;

	if (*value == '\0')
		return -1;
	for (; *value != '\0'; value++) {
		if (*value < '0' || *value > '9' || n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*value - '0');
	}
	*out = n;
	return 0;
}

/* Append a field, growing past the inline slots when needed. */
static void http_head_add(struct http_head *h, const char *name, const char *value)
{
	if (h->nfields == h->cap) {
		int cap = h->cap * 2;

		if (h->fields == h->inline_fields) {
			h->fields = xreallocarray(NULL, (size_t)cap, sizeof *h->fields);
			memcpy(h->fields, h->inline_fields, sizeof h->inline_fields);
		} else {
			h->fields = xreallocarray(h->fields, (size_t)cap, sizeof *h->fields);
		}
		h->cap = cap;
	}
	h->fields[h->nfields].name = name;
	h->fields[h->nfields].value = value;
	h->nfields++;
}

/* "METHOD SP target SP HTTP/1.x" */
static enum http_head_status http_head_request_line(char *line, struct http_head *h)
{
	char *sp1 = strchr(line, ' '), *sp2;

	if (sp1 == NULL || sp1 == line)
		return HTTP_HEAD_BAD_LINE;
	sp2 = strchr(sp1 + 1, ' ');
	if (sp2 == NULL || sp2 == sp1 + 1 || strchr(sp2 + 1, ' ') != NULL)
		return HTTP_HEAD_BAD_LINE;
	*sp1 = '\0';
	*sp2 = '\0';
	for (const char *c = line; *c != '\0'; c++) {
		if (!http_head_tchar((unsigned char)*c))
			return HTTP_HEAD_BAD_LINE;
	}
	h->method = line;
	h->target = sp1 + 1;
	if (strncmp(sp2 + 1, "HTTP/", 5) != 0)
		return HTTP_HEAD_BAD_LINE;
	if (strcmp(sp2 + 1, "HTTP/1.1") == 0)
		h->minor = 1;
	else if (strcmp(sp2 + 1, "HTTP/1.0") == 0)
		h->minor = 0;
	else
		return HTTP_HEAD_BAD_VERSION;
	return HTTP_HEAD_OK;
}

/* Note what a field says about framing.  RET OK or BAD_LENGTH. */
static enum http_head_status http_head_framing(struct http_head *h, const char *name,
                                               const char *value, const char **connection)
{
	uint64_t n;

	if (strcasecmp(name, "Content-Length") == 0) {
		if (http_head_length(value, &n) != 0 || (h->has_length && n != h->content_length))
			return HTTP_HEAD_BAD_LENGTH;
		h->has_length = true;
		h->content_length = n;
	} else if (strcasecmp(name, "Transfer-Encoding") == 0) {
		h->has_transfer_coding = true;
	} else if (strcasecmp(name, "Expect") == 0) {
		h->expect_continue = h->expect_continue || strcasecmp(value, "100-continue") == 0;
	} else if (strcasecmp(name, "Connection") == 0 && *connection == NULL) {
		*connection = value;
	}
	return HTTP_HEAD_OK;
}

enum http_head_status http_head_parse(char *text, size_t len, struct http_head *h)
{
	char *p = text, *end = text + len;
	const char *connection = NULL;
	enum http_head_status st;
	bool first = true;

	memset(h, 0, sizeof *h);
	h->fields = h->inline_fields;
	h->cap = (int)(sizeof h->inline_fields / sizeof h->inline_fields[0]);
	if (memchr(text, '\0', len) != NULL)
		return HTTP_HEAD_BAD_HEADER;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *e = nl != NULL ? nl : end, *colon, *value, *vend;

		if (e > p && e[-1] == '\r')
			e--;
		*e = '\0';
		if (first) {
			first = false;
			if ((st = http_head_request_line(p, h)) != HTTP_HEAD_OK)
				return st;
		} else if (*p == '\0') {
			break; /* the empty line */
		} else {
			/* No obs-fold, no space before the colon (RFC 9112 5). */
			colon = strchr(p, ':');
			if (colon == NULL || colon == p)
				return HTTP_HEAD_BAD_HEADER;
			for (const char *c = p; c < colon; c++) {
				if (!http_head_tchar((unsigned char)*c))
					return HTTP_HEAD_BAD_HEADER;
			}
			*colon = '\0';
			value = colon + 1 + strspn(colon + 1, " \t");
			vend = value + strlen(value);
			while (vend > value && (vend[-1] == ' ' || vend[-1] == '\t'))
				*--vend = '\0';
			if ((st = http_head_framing(h, p, value, &connection)) != HTTP_HEAD_OK)
				return st;
			http_head_add(h, p, value);
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (h->method == NULL)
		return HTTP_HEAD_BAD_LINE;
	if (h->minor >= 1)
		h->keep_alive = connection == NULL || !http_head_has_token(connection, "close");
	else
		h->keep_alive = connection != NULL && http_head_has_token(connection, "keep-alive");
	/* Expect means nothing to an HTTP/1.0 client (RFC 9110 10.1.1). */
	h->expect_continue = h->expect_continue && h->minor >= 1;
	return HTTP_HEAD_OK;
}

const char *http_head_field(const struct http_head *h, const char *name)
{
	for (int i = 0; i < h->nfields; i++) {
		if (strcasecmp(h->fields[i].name, name) == 0)
			return h->fields[i].value;
	}
	return NULL;
}

void http_head_clear(struct http_head *h)
{
	if (h->fields != h->inline_fields)
		free(h->fields);
	h->fields = h->inline_fields;
	h->nfields = 0;
}
