/*
 * fuzz_parse.c — strict integers and sizes (common/parse.c): whatever the
 * text, no overflow, and an accepted value lies in the asked range.
 */
#include "weft_config.h"

#include <stdlib.h>

#include "common/parse.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *cause = NULL;
	int64_t v;

	if (parse_int64(text, -1000, 1000, &v, &cause) == 0 && (v < -1000 || v > 1000))
		abort();
	free(cause);
	cause = NULL;
	(void)parse_int64(text, INT64_MIN, INT64_MAX, &v, NULL);
	if (parse_size(text, 1, 1, (int64_t)1 << 40, &v, &cause) == 0 &&
	    (v < 1 || v > (int64_t)1 << 40))
		abort();
	free(cause);
	(void)parse_size(text, PARSE_MIB, 0, INT64_MAX, &v, NULL);
	free(text);
	return 0;
}
