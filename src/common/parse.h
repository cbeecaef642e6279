/*
 * parse.h — strict parsing of the numbers users and peers write as text:
 * whole decimal integers and sizes with a unit suffix ("64m", "1g").
 *
 * strtoll and strtod accept what a validator must not: leading spaces,
 * '+', hex, "nan", "inf", and they saturate or wrap on overflow.  These
 * accept only plain decimal digits, check every multiplication by a unit
 * for overflow and the result against [min, max], and say why a text is
 * refused without naming the field (the caller prefixes its path).
 */
#ifndef WEFT_COMMON_PARSE_H
#define WEFT_COMMON_PARSE_H

#include <stdint.h>

/* Bytes in a KiB .. TiB, for parse_size's unit. */
#define PARSE_KIB ((int64_t)1 << 10)
#define PARSE_MIB ((int64_t)1 << 20)
#define PARSE_GIB ((int64_t)1 << 30)
#define PARSE_TIB ((int64_t)1 << 40)

/*
 * A whole decimal integer within [min, max]: an optional '-', then digits
 * only (no spaces, '+', "0x" or exponent).  RET 0 with *out, or -1 with
 * *cause (when cause is not NULL), e.g. "\"12x\" is not a whole number".
 */
int parse_int64(const char *text, int64_t min, int64_t max, int64_t *out, char **cause);

/*
 * A size: digits, an optional fraction, an optional unit k, m, g or t
 * (binary: 1k = 1024, any case) and an optional "b" or "ib" after the
 * unit ("64m", "1.5g", "2GiB", "4096").  Without a unit the number counts
 * units of `unit` bytes (1 for bytes, PARSE_MIB where a bare number means
 * MiB); a fraction is rounded down to a whole byte.  IN min, max in bytes.
 * RET 0 with *out in bytes, or -1 with *cause, e.g. "\"nan\" is not a
 * size".
 */
int parse_size(const char *text, int64_t unit, int64_t min, int64_t max, int64_t *out,
               char **cause);

#endif
