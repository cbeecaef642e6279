/*
 * resource.c — arithmetic over (memory MiB, vcores) pairs.
 *
 * Plain value arithmetic for the scheduler, the NMs and the AMs, plus
 * YARN's normalization of asks (round up to the minimum allocation, refuse
 * what exceeds the maximum) and YARN's way of printing a resource.
 */
#include "weft_config.h"

#include "weft/resource.h"

#include <inttypes.h>
#include <stdio.h>

/* Component-wise sum. */
weft_resource_t weft_resource_add(weft_resource_t a, weft_resource_t b)
{
	return weft_resource(a.memory_mb + b.memory_mb, a.vcores + b.vcores);
}

/* Component-wise difference (may go negative; see any_negative). */
weft_resource_t weft_resource_sub(weft_resource_t a, weft_resource_t b)
{
	return weft_resource(a.memory_mb - b.memory_mb, a.vcores - b.vcores);
}

/* n copies of a. */
weft_resource_t weft_resource_scale(weft_resource_t a, int64_t n)
{
	return weft_resource(a.memory_mb * n, a.vcores * n);
}

/* Does small fit inside big in both dimensions? */
bool weft_resource_fits(weft_resource_t small, weft_resource_t big)
{
	return small.memory_mb <= big.memory_mb && small.vcores <= big.vcores;
}

/* Nothing in either dimension. */
bool weft_resource_is_zero(weft_resource_t a)
{
	return a.memory_mb == 0 && a.vcores == 0;
}

/* Either dimension below zero (an over-commitment). */
bool weft_resource_any_negative(weft_resource_t a)
{
	return a.memory_mb < 0 || a.vcores < 0;
}

/* Same amount in both dimensions. */
bool weft_resource_equal(weft_resource_t a, weft_resource_t b)
{
	return a.memory_mb == b.memory_mb && a.vcores == b.vcores;
}

/* Component-wise minimum. */
weft_resource_t weft_resource_min(weft_resource_t a, weft_resource_t b)
{
	return weft_resource(a.memory_mb < b.memory_mb ? a.memory_mb : b.memory_mb,
	                     a.vcores < b.vcores ? a.vcores : b.vcores);
}

/* Component-wise maximum. */
weft_resource_t weft_resource_max(weft_resource_t a, weft_resource_t b)
{
	return weft_resource(a.memory_mb > b.memory_mb ? a.memory_mb : b.memory_mb,
	                     a.vcores > b.vcores ? a.vcores : b.vcores);
}

/* Share of one dimension; a dimension the cluster does not have counts 0. */
static double resource_share(int64_t used, int64_t total)
{
	if (total <= 0)
		return 0.0;
	return (double)used / (double)total;
}

/* Dominant resource fairness: the larger of the two shares. */
double weft_resource_dominant_share(weft_resource_t a, weft_resource_t total)
{
	double m = resource_share(a.memory_mb, total.memory_mb);
	double v = resource_share(a.vcores, total.vcores);

	return m > v ? m : v;
}

/*
 * How many units fit in avail: the smallest quotient over the dimensions
 * the unit uses.  A unit that uses nothing, or asks a negative amount,
 * counts as fitting zero times so callers never loop forever.
 */
int64_t weft_resource_count_fits(weft_resource_t unit, weft_resource_t avail)
{
	int64_t n = INT64_MAX;

	if (weft_resource_any_negative(unit) || weft_resource_is_zero(unit))
		return 0;
	if (avail.memory_mb < 0 || avail.vcores < 0)
		return 0;
	if (unit.memory_mb > 0 && avail.memory_mb / unit.memory_mb < n)
		n = avail.memory_mb / unit.memory_mb;
	if (unit.vcores > 0 && avail.vcores / unit.vcores < n)
		n = avail.vcores / unit.vcores;
	return n;
}

/*
 * Round one dimension up to a multiple of minimum (ask <= 0 becomes
 * minimum) and check it against maximum.  RET false when over maximum.
 */
static bool resource_normalize_one(int64_t ask, int64_t minimum, int64_t maximum, int64_t *out)
{
	int64_t q;

	if (ask <= 0)
		ask = minimum > 0 ? minimum : 0;
	if (ask > maximum)
		return false;
	if (minimum <= 0) {
		*out = ask;
		return true;
	}
	q = ask / minimum + (ask % minimum != 0);
	if (q > maximum / minimum)
		return false;
	*out = q * minimum;
	return true;
}

/* YARN's normalization of a container ask. */
int weft_resource_normalize(weft_resource_t ask, weft_resource_t minimum, weft_resource_t maximum,
                            weft_resource_t *out)
{
	weft_resource_t r;

	if (!resource_normalize_one(ask.memory_mb, minimum.memory_mb, maximum.memory_mb,
	                            &r.memory_mb))
		return -1;
	if (!resource_normalize_one(ask.vcores, minimum.vcores, maximum.vcores, &r.vcores))
		return -1;
	*out = r;
	return 0;
}

/* "<memory:1024, vCores:1>" as YARN prints a Resource. */
char *weft_resource_format(weft_resource_t a, char *buf, unsigned long len)
{
	snprintf(buf, len, "<memory:%" PRId64 ", vCores:%" PRId64 ">", a.memory_mb, a.vcores);
	return buf;
}
