/*
 * fuzz_http_head.c — the HTTP request head parser (common/http_head.c),
 * fed the bytes a client sends: where the head ends, then the head
 * itself, as http_server.c reads it.
 */
#include "weft_config.h"

#include <stdlib.h>

#include "common/http_head.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_head h;
	char *text;
	size_t len;

	/* The server drops empty lines before a head (RFC 9112 2.2). */
	while (size > 0 && (data[0] == '\r' || data[0] == '\n')) {
		data++;
		size--;
	}
	len = http_head_end((const char *)data, size);
	if (len == 0 || len > size)
		return 0;
	text = fuzz_text(data, len);
	memset(&h, 0, sizeof h);
	if (http_head_parse(text, len, &h) == HTTP_HEAD_OK) {
		(void)http_head_field(&h, "host");
		(void)http_head_field(&h, "content-length");
		for (int i = 0; i < h.nfields; i++)
			if (h.fields[i].name == NULL || h.fields[i].value == NULL)
				abort();
	}
	http_head_clear(&h);
	free(text);
	return 0;
}
