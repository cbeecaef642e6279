/*
 * http_head.h — HTTP/1.1 request heads (RFC 9112, section 2-5), as
 * http_server.c reads them off a connection: where a head ends, and its
 * request line and header fields, parsed in place without copies.
 *
 * The parser is strict where being lenient would let two parties frame a
 * stream differently (request smuggling): a header name followed by
 * whitespace, an obsolete line fold, a NUL, or two different
 * Content-Length values are errors.  Lines may end in "\r\n" or "\n".
 */
#ifndef WEFT_HTTP_HEAD_H
#define WEFT_HTTP_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum http_head_status {
	HTTP_HEAD_OK = 0,
	HTTP_HEAD_BAD_LINE,    /* request line unusable: 400 */
	HTTP_HEAD_BAD_HEADER,  /* a header field line unusable: 400 */
	HTTP_HEAD_BAD_LENGTH,  /* Content-Length unusable: 400 */
	HTTP_HEAD_BAD_VERSION, /* not HTTP/1.0 or HTTP/1.1: 505 */
};

struct http_head_field {
	const char *name;  /* as sent; compare with strcasecmp */
	const char *value; /* without surrounding whitespace */
};

struct http_head {
	const char *method; /* as sent, e.g. "GET" */
	const char *target; /* request-target as sent */
	int minor;          /* HTTP/1.<minor> */
	struct http_head_field *fields;
	int nfields;
	int cap;
	/* Framing, from the fields: */
	bool has_length;          /* a Content-Length was sent */
	uint64_t content_length;  /* its value */
	bool has_transfer_coding; /* a Transfer-Encoding was sent */
	bool expect_continue;     /* Expect: 100-continue */
	bool keep_alive;          /* the connection may carry another request */
	struct http_head_field inline_fields[16];
};

/* Length of the head at the start of buf (through the empty line that
 * ends it), or 0 while it is incomplete.  buf must not start with an
 * empty line (the server drops those first, RFC 9112 2.2). */
size_t http_head_end(const char *buf, size_t len);

/* Parse a complete head.  text holds len bytes plus a NUL and is
 * modified in place; h points into it.  RET HTTP_HEAD_OK or the error. */
enum http_head_status http_head_parse(char *text, size_t len, struct http_head *h);

/* The first field called name (any case), or NULL. */
const char *http_head_field(const struct http_head *h, const char *name);

/* Free what http_head_parse allocated (a long field list). */
void http_head_clear(struct http_head *h);

#endif
