/*
 * xmalloc.h — allocation that cannot fail and fatal exits.
 *
 * Running out of memory is the one error a weft daemon does not try to
 * survive: every allocation goes through these wrappers, which abort with a
 * message naming the caller's size.  Everything else is an error return.
 */
#ifndef WEFT_XMALLOC_H
#define WEFT_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grow an array of count elements of size bytes to at least need elements. */
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Log the message (and errno's text for fatal) and exit(1): only where
 * going on is impossible (out of memory, broken invariant at start-up). */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Set *cause (if cause is not NULL) to a newly allocated message; returns -1
 * so error paths read `return set_cause(cause, "...", ...);`. */
int set_cause(char **cause, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
