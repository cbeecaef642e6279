/*
 * xmalloc.c — allocation wrappers that never return NULL, fatal exits, and
 * the set_cause() helper every error path uses.
 *
 * Out of memory is the one failure a weft program does not try to survive;
 * fatal()/fatalx() write through the log module so the reason lands in the
 * daemon's log file like any other line.
 */
#include "weft_config.h"

#include "common/xmalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

/* Allocate size bytes (at least one, so malloc(0) never reads as failure). */
void *xmalloc(size_t size)
{
	void *ptr;

	if (size == 0)
		size = 1;
	ptr = malloc(size);
	if (ptr == NULL)
		fatalx("xmalloc: out of memory allocating %zu bytes", size);
	return ptr;
}

/* Zeroed array allocation with calloc's overflow check. */
void *xcalloc(size_t count, size_t size)
{
	void *ptr;

	if (count == 0 || size == 0)
		count = size = 1;
	ptr = calloc(count, size);
	if (ptr == NULL)
		fatalx("xcalloc: out of memory allocating %zu x %zu bytes", count, size);
	return ptr;
}

/* Resize a block; a zero size keeps a valid one-byte block. */
void *xrealloc(void *ptr, size_t size)
{
	void *new_ptr;

	if (size == 0)
		size = 1;
	new_ptr = realloc(ptr, size);
	if (new_ptr == NULL)
		fatalx("xrealloc: out of memory allocating %zu bytes", size);
	return new_ptr;
}

/* Resize to count elements of size bytes, refusing a multiplication that
 * overflows instead of allocating a short block. */
void *xreallocarray(void *ptr, size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size)
		fatalx("xreallocarray: %zu x %zu bytes overflows", count, size);
	return xrealloc(ptr, count * size);
}

/* Copy a string. */
char *xstrdup(const char *s)
{
	char *copy;

	copy = strdup(s);
	if (copy == NULL)
		fatalx("xstrdup: out of memory copying %zu bytes", strlen(s) + 1);
	return copy;
}

/* Copy at most n bytes of a string, always NUL-terminated. */
char *xstrndup(const char *s, size_t n)
{
	char *copy;

	copy = strndup(s, n);
	if (copy == NULL)
		fatalx("xstrndup: out of memory copying %zu bytes", n + 1);
	return copy;
}

/* Format into a newly allocated string. */
char *xvasprintf(const char *fmt, va_list ap)
{
	char *out;

	if (vasprintf(&out, fmt, ap) < 0)
		fatalx("xvasprintf: out of memory formatting '%s'", fmt);
	return out;
}

/* Format into a newly allocated string. */
char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *out;

	va_start(ap, fmt);
	out = xvasprintf(fmt, ap);
	va_end(ap);
	return out;
}

/* Log an error with errno's text appended and exit. */
void fatal(const char *fmt, ...)
{
	char msg[1024];
	int saved_errno = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_fatal_message("%s: %s", msg, strerror(saved_errno));
	exit(1);
}

/* Log an error and exit. */
void fatalx(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_fatal_message("%s", msg);
	exit(1);
}

/* Fill *cause (when wanted) and return -1 for `return set_cause(...)`. */
int set_cause(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (cause == NULL)
		return -1;
	va_start(ap, fmt);
	*cause = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}
