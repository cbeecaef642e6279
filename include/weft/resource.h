/*
 * weft/resource.h — resource arithmetic over memory (MiB) and vcores.
 *
 * The scheduler, the NMs and the AMs all reason in these two dimensions.
 * Normalization follows YARN: an ask is rounded up to a multiple of the
 * minimum allocation in each dimension, and an ask above the maximum
 * allocation is invalid (not silently capped).
 */
#ifndef WEFT_RESOURCE_H
#define WEFT_RESOURCE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	int64_t memory_mb;
	int64_t vcores;
} weft_resource_t;

static inline weft_resource_t weft_resource(int64_t memory_mb, int64_t vcores)
{
	weft_resource_t r = {memory_mb, vcores};
	return r;
}

weft_resource_t weft_resource_add(weft_resource_t a, weft_resource_t b);
weft_resource_t weft_resource_sub(weft_resource_t a, weft_resource_t b);
/* a * n in both dimensions. */
weft_resource_t weft_resource_scale(weft_resource_t a, int64_t n);
/* True when small fits inside big in every dimension. */
bool weft_resource_fits(weft_resource_t small, weft_resource_t big);
bool weft_resource_is_zero(weft_resource_t a);
bool weft_resource_any_negative(weft_resource_t a);
bool weft_resource_equal(weft_resource_t a, weft_resource_t b);
weft_resource_t weft_resource_min(weft_resource_t a, weft_resource_t b);
weft_resource_t weft_resource_max(weft_resource_t a, weft_resource_t b);
/* The larger of a's shares of total in each dimension (0..1; 0 when total
 * is zero in a dimension). */
double weft_resource_dominant_share(weft_resource_t a, weft_resource_t total);
/* How many copies of unit fit in avail (0 if unit is zero). */
int64_t weft_resource_count_fits(weft_resource_t unit, weft_resource_t avail);

/*
 * Round ask up to multiples of minimum in each dimension (an ask of zero or
 * less becomes minimum).  RET 0 and *out, or -1 when the rounded ask
 * exceeds maximum in any dimension.
 */
int weft_resource_normalize(weft_resource_t ask, weft_resource_t minimum, weft_resource_t maximum,
                            weft_resource_t *out);

/* "<memory:1024, vCores:1>", YARN's way of printing a resource. */
char *weft_resource_format(weft_resource_t a, char *buf, unsigned long len);

#ifdef __cplusplus
}
#endif

#endif
