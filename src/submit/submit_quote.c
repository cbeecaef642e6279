/*
 * submit_quote.c — POSIX shell quoting (see submit_quote.h).
 *
 * Single quotes are the one quoting form in which the shell interprets
 * nothing at all ($, `, \, ! and newlines included); only a single quote
 * itself cannot appear inside, so it is closed, escaped and reopened.
 */
#include "weft_config.h"

#include "submit/submit_quote.h"

#include <stdbool.h>
#include <string.h>

#include "common/xmalloc.h"

/* Characters that never need quoting in any position. */
static bool submit_quote_plain(const char *text)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                           "0123456789_-./:=,@%+";

	/* '~' and '#' are left out: at the start of a word they mean something. */
	return text[0] != '\0' && strspn(text, safe) == strlen(text);
}

/* One shell word for text. */
char *submit_quote_shell(const char *text)
{
	size_t n = 2, i = 0;
	char *out;

	if (submit_quote_plain(text))
		return xstrdup(text);
	for (const char *p = text; *p != '\0'; p++)
		n += *p == '\'' ? 4 : 1;
	out = xmalloc(n + 1);
	out[i++] = '\'';
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\'') {
			memcpy(out + i, "'\\''", 4);
			i += 4;
		} else
			out[i++] = *p;
	}
	out[i++] = '\'';
	out[i] = '\0';
	return out;
}
