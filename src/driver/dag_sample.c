/*
 * dag_sample.c — range partitioning for a sort (dag_state.h; Spark's
 * RangePartitioner).
 *
 * Owns a sorted shuffle's sampled keys and its bounds: a sample stage's
 * tasks each keep a reservoir of keys of their partition (how many, so
 * that the whole sample has about DAG_SAMPLE_PER_PART keys per reduce
 * partition), weighted by how many records the partition had; once they
 * are all in, partitions - 1 bounds split the weighted sample into equal
 * parts, and the map stage partitions by them.
 */
#include "weft_config.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "driver/dag_state.h"

#define DAG_SAMPLE_PER_PART 60
#define DAG_SAMPLE_MIN      20
#define DAG_SAMPLE_MAX      10000

int dag_sample_size(const struct stage *st)
{
	int k = st->partitions > 0
	                ? DAG_SAMPLE_PER_PART * st->shuffle->partitions / st->partitions + 1
	                : DAG_SAMPLE_PER_PART;

	if (k < DAG_SAMPLE_MIN)
		k = DAG_SAMPLE_MIN;
	if (k > DAG_SAMPLE_MAX)
		k = DAG_SAMPLE_MAX;
	return k;
}

void dag_sample_add(struct shuffle *sh, const struct proto_task_result *r)
{
	int i, n;

	if (r == NULL || !r->has_sample)
		return;
	n = r->sample.n_keys;
	sh->samples = xreallocarray(sh->samples, (size_t)sh->n_samples + (size_t)n + 1,
	                            sizeof *sh->samples);
	for (i = 0; i < n; i++) {
		struct sample_key *s = &sh->samples[sh->n_samples++];

		s->key = xmalloc(r->sample.key_lens[i] + 1);
		memcpy(s->key, r->sample.keys[i], r->sample.key_lens[i] + 1);
		s->len = r->sample.key_lens[i];
		s->weight = (double)r->sample.records / (double)n;
	}
}

/* Order of two sample keys (bytes, then length). */
static int dag_sample_compare(const void *a, const void *b)
{
	const struct sample_key *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* A copy of a key as a bound. */
static void dag_sample_set_bound(struct shuffle *sh, int j, const struct sample_key *k)
{
	sh->bounds[j] = xmalloc(k != NULL ? k->len + 1 : 1);
	sh->bound_lens[j] = k != NULL ? k->len : 0;
	if (k != NULL)
		memcpy(sh->bounds[j], k->key, k->len);
	sh->bounds[j][sh->bound_lens[j]] = '\0';
}

void dag_sample_compute_bounds(struct shuffle *sh)
{
	double total = 0, step, cum = 0;
	int i, j = 0, parts = sh->partitions;
	const struct sample_key *last = NULL;

	qsort(sh->samples, (size_t)sh->n_samples, sizeof *sh->samples, dag_sample_compare);
	for (i = 0; i < sh->n_samples; i++)
		total += sh->samples[i].weight;
	sh->bounds = xcalloc((size_t)(parts > 1 ? parts - 1 : 1), sizeof *sh->bounds);
	sh->bound_lens = xcalloc((size_t)(parts > 1 ? parts - 1 : 1), sizeof *sh->bound_lens);
	step = parts > 0 ? total / parts : 0;
	for (i = 0; i < sh->n_samples && j < parts - 1; i++) {
		cum += sh->samples[i].weight;
		if (cum >= step * (j + 1) &&
		    (last == NULL || dag_sample_compare(&sh->samples[i], last) > 0)) {
			dag_sample_set_bound(sh, j++, &sh->samples[i]);
			last = &sh->samples[i];
		}
	}
	/* Fewer distinct keys than partitions: the rest stay empty. */
	for (; j < parts - 1; j++)
		dag_sample_set_bound(sh, j, last);
	sh->n_bounds = parts - 1;
	sh->bounds_ready = true;
	for (i = 0; i < sh->n_samples; i++)
		free(sh->samples[i].key);
	free(sh->samples);
	sh->samples = NULL;
	log_info("shuffle %d (sort of %s): %d range bounds from %d sampled keys", sh->id,
	         sh->parent->name, sh->n_bounds, sh->n_samples);
	sh->n_samples = 0;
}

void dag_sample_free(struct shuffle *sh)
{
	int i;

	for (i = 0; i < sh->n_bounds; i++)
		free(sh->bounds[i]);
	free(sh->bounds);
	free(sh->bound_lens);
	for (i = 0; i < sh->n_samples; i++)
		free(sh->samples[i].key);
	free(sh->samples);
}
