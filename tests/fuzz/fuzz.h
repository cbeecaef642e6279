/*
 * fuzz.h — what every libFuzzer harness of tests/fuzz shares: the entry
 * point's prototype and a NUL-terminated copy of the input (the decoders
 * read C strings and JSON text, libFuzzer hands over bytes).
 */
#ifndef WEFT_FUZZ_H
#define WEFT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A copy of data with a NUL after it (caller frees). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size + 1);

	if (size > 0)
		memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

#endif
