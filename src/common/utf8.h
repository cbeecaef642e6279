/*
 * utf8.h — UTF-8 text checks, written once: what JSON may carry as a
 * string (a task's stdout, a container's stderr tail, diagnostics) and
 * how wide a string is on a terminal.  Well formed means RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF; NUL is never
 * text here (it cannot travel in a C string).
 */
#ifndef WEFT_COMMON_UTF8_H
#define WEFT_COMMON_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length (1..4) of the well-formed character at s, of which n bytes are
 * available, or 0 when it is not one (or is NUL). */
size_t utf8_char_len(const unsigned char *s, size_t n);

/* Whether buf[0..len) is UTF-8 text without NUL. */
bool utf8_is_text(const char *buf, size_t len);

/* How utf8_sanitize treats what is not text. */
enum utf8_sanitize_flags {
	UTF8_KEEP_CONTROLS = 0, /* only broken UTF-8 (and NUL) becomes '?' */
	UTF8_NO_CONTROLS = 1,   /* control characters but \n and \t, and DEL, too */
};

/* Make buf[0..len) text in place: each byte that does not start a
 * well-formed character (and what flags name) becomes '?'. */
void utf8_sanitize(char *buf, size_t len, enum utf8_sanitize_flags flags);

/* Continuation bytes at the start of buf (0..3): the end of a character
 * a cut (a file's tail) left without its start. */
size_t utf8_cut_start(const char *buf, size_t len);

/* Where to cut buf at or before pos without splitting a character: pos
 * moved back over continuation bytes (buf[pos] must be readable). */
size_t utf8_boundary(const char *buf, size_t pos);

/* Characters in a NUL-terminated string: bytes that are not UTF-8
 * continuation bytes (its width on a terminal, for the text weft prints). */
size_t utf8_width(const char *s);

#endif
