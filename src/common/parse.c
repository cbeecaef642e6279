/*
 * parse.c — strict integers and sizes (parse.h).
 *
 * Digits are accumulated by hand with __builtin_*_overflow rather than
 * through strtoll/strtod, so that nothing is accepted by accident (locale,
 * "nan", "1e999") and every overflow is an error instead of a clamp or
 * undefined behaviour.
 */
#include "weft_config.h"

#include "common/parse.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "common/xmalloc.h"

/* Longest text quoted back in a message. */
#define PARSE_QUOTE_MAX 40

/* Accumulate the decimal digits at *p (moving *p past them) into *v, up to
 * limit.  RET the count of digits, or -1 when the number exceeds limit. */
static int parse_digits(const char **p, uint64_t limit, uint64_t *v)
{
	uint64_t n = 0;
	int count = 0;
	bool over = false;

	for (; isdigit((unsigned char)**p); (*p)++, count++) {
		if (over || n > (limit - (uint64_t)(**p - '0')) / 10)
			over = true;
		else
			n = n * 10 + (uint64_t)(**p - '0');
	}
	*v = n;
	return over ? -1 : count;
}

int parse_int64(const char *text, int64_t min, int64_t max, int64_t *out, char **cause)
{
	const char *p = text;
	bool negative = false;
	uint64_t magnitude;
	int64_t v;
	int digits;

	if (text == NULL)
		return set_cause(cause, "missing number");
	if (*p == '-') {
		negative = true;
		p++;
	}
	/* INT64_MIN's magnitude is one more than INT64_MAX's. */
	digits = parse_digits(&p, negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX,
	                      &magnitude);
	if (digits == 0 || *p != '\0')
		return set_cause(cause, "\"%.*s\" is not a whole number", PARSE_QUOTE_MAX, text);
	if (digits < 0)
		return set_cause(cause, "%.*s is out of range [%" PRId64 ", %" PRId64 "]",
		                 PARSE_QUOTE_MAX, text, min, max);
	v = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
	if (v < min || v > max)
		return set_cause(cause, "%" PRId64 " is out of range [%" PRId64 ", %" PRId64 "]", v,
		                 min, max);
	*out = v;
	return 0;
}

/* The bytes of a unit letter, or 0 when c is not one. */
static int64_t parse_unit(char c)
{
	switch (tolower((unsigned char)c)) {
	case 'k':
		return PARSE_KIB;
	case 'm':
		return PARSE_MIB;
	case 'g':
		return PARSE_GIB;
	case 't':
		return PARSE_TIB;
	default:
		return 0;
	}
}

int parse_size(const char *text, int64_t unit, int64_t min, int64_t max, int64_t *out, char **cause)
{
	const char *p = text;
	int64_t fraction = 0, scale = 1, bytes, part;
	uint64_t whole;
	int digits;

	if (text == NULL)
		return set_cause(cause, "missing size");
	digits = parse_digits(&p, INT64_MAX, &whole);
	if (digits == 0)
		goto bad;
	if (digits < 0)
		goto range;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		/* Digits past the 18th cannot change a whole byte of < 2^63. */
		for (; isdigit((unsigned char)*p); p++) {
			if (scale <= INT64_MAX / 10 / 10) {
				fraction = fraction * 10 + (*p - '0');
				scale *= 10;
			}
		}
	}
	if (*p != '\0' && parse_unit(*p) != 0) {
		unit = parse_unit(*p);
		p++;
		if (tolower((unsigned char)*p) == 'i' && tolower((unsigned char)p[1]) == 'b')
			p += 2;
		else if (tolower((unsigned char)*p) == 'b')
			p++;
	} else if (tolower((unsigned char)*p) == 'b') {
		p++;
	}
	if (*p != '\0')
		goto bad;
	if (__builtin_mul_overflow((int64_t)whole, unit, &bytes))
		goto range;
	if (fraction != 0) {
		/* fraction / scale of a unit, rounded down: split the unit so
		 * that no product overflows (unit = hi * scale + lo). */
		int64_t hi = unit / scale, lo = unit % scale;

		if (__builtin_mul_overflow(fraction, hi, &part) ||
		    __builtin_add_overflow(bytes, part, &bytes))
			goto range;
		/* lo < scale <= 10^17, fraction < scale: use unsigned __int128
		 * for the exact remainder product. */
		part = (int64_t)(((unsigned __int128)fraction * (unsigned __int128)lo) /
		                 (unsigned __int128)scale);
		if (__builtin_add_overflow(bytes, part, &bytes))
			goto range;
	}
	if (bytes < min || bytes > max)
		return set_cause(cause,
		                 "\"%.*s\" (%" PRId64 " bytes) is out of range [%" PRId64
		                 ", %" PRId64 "]",
		                 PARSE_QUOTE_MAX, text, bytes, min, max);
	*out = bytes;
	return 0;
bad:
	return set_cause(cause,
	                 "\"%.*s\" is not a size (a whole number of bytes, or a number with "
	                 "k, m, g or t)",
	                 PARSE_QUOTE_MAX, text);
range:
	return set_cause(cause, "\"%.*s\" is out of range [%" PRId64 ", %" PRId64 "] bytes",
	                 PARSE_QUOTE_MAX, text, min, max);
}
