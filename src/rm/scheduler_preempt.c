/*
 * scheduler_preempt.c — taking resources back from queues over their
 * share for queues starved below their guarantee (YARN's
 * ProportionalCapacityPreemptionPolicy, simplified).
 *
 * Each round (the caller's timer):
 * 1. Ideal assignment, per dimension, top down: a parent's resources go
 *    to its children in proportion to their guarantees, no child getting
 *    more than it wants (used + pending, capped at its maximum); what a
 *    child does not want is shared among the others the same way (water
 *    filling).  Idle capacity is thus lent, and taken back only as far as
 *    another queue wants it.
 * 2. Nothing happens unless some leaf is below its ideal with pending
 *    asks (starved).  Then each leaf above its ideal gives back the
 *    excess, scaled down so the total never exceeds what the starved
 *    queues miss, nor what is already marked plus preemption_per_round
 *    of the cluster: the cap limits what a round newly asks back, so
 *    marks made in earlier rounds (waiting out their grace period) do not
 *    hold the next ones back, and a large imbalance takes about
 *    1 / preemption_per_round rounds plus one wait to even out.
 * 3. Containers to give back are chosen newest application first (for a
 *    fair queue: largest dominant share first), lowest priority and
 *    newest container first, AM containers only after every other.  They
 *    are marked with a kill time (now + preemption_wait_ms): the AM sees
 *    them in its allocate answer and may release them itself; marked
 *    containers no longer chosen are unmarked; those past their kill
 *    time are handed to the caller, which kills them (-102, PREEMPTED).
 */
#include "weft_config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "rm/scheduler_impl.h"

/* One dimension of the water filling among q's children. */
static void sched_fill_dim(struct scheduler *s, struct sched_queue *q, bool memory)
{
	double avail = (double)(memory ? q->ideal.memory_mb : q->ideal.vcores);
	int n = q->n_children;
	double *give = xcalloc(n, sizeof *give);
	bool *open = xcalloc(n, sizeof *open);
	int n_open = 0;

	(void)s;
	for (int i = 0; i < n; i++) {
		const struct sched_queue *c = q->children[i];
		double want = (double)(memory ? c->wanted.memory_mb : c->wanted.vcores);

		open[i] = want > 0.0;
		n_open += open[i];
	}
	while (n_open > 0 && avail > 0.5) {
		double weights = 0.0, used = 0.0;

		for (int i = 0; i < n; i++) {
			if (open[i])
				weights += q->children[i]->def->abs_capacity;
		}
		for (int i = 0; i < n; i++) {
			const struct sched_queue *c = q->children[i];
			double want = (double)(memory ? c->wanted.memory_mb : c->wanted.vcores);
			double share, take;

			if (!open[i])
				continue;
			share = weights > 0.0 ? avail * c->def->abs_capacity / weights
			                      : avail / n_open;
			take = fmin(share, want - give[i]);
			give[i] += take;
			used += take;
			if (give[i] >= want - 0.5) {
				open[i] = false;
				n_open--;
			}
		}
		avail -= used;
		if (used < 0.5)
			break;
	}
	for (int i = 0; i < n; i++) {
		struct sched_queue *c = q->children[i];

		if (memory)
			c->ideal.memory_mb = (int64_t)floor(give[i] + 1e-6);
		else
			c->ideal.vcores = (int64_t)floor(give[i] + 1e-6);
	}
	free(give);
	free(open);
}

/* wanted = min(used + pending, maximum), summed up the tree. */
static void sched_compute_wanted(struct scheduler *s)
{
	for (int i = s->n_queues - 1; i >= 0; i--) {
		struct sched_queue *q = s->queues[i];
		weft_resource_t m = sched_maximum(s, q);

		if (q->leaf) {
			q->wanted = weft_resource_add(q->used, q->pending);
		} else {
			q->wanted = weft_resource(0, 0);
			for (int c = 0; c < q->n_children; c++)
				q->wanted = weft_resource_add(q->wanted, q->children[c]->wanted);
		}
		if (q->parent != NULL)
			q->wanted = weft_resource_min(q->wanted, m);
	}
}

/* Victim order inside a leaf: attempts that should give back first. */
static int sched_victim_cmp(const void *x, const void *y)
{
	const struct sched_attempt *a = *(struct sched_attempt *const *)x;
	const struct sched_attempt *b = *(struct sched_attempt *const *)y;

	if (a->queue->def->ordering == QUEUE_ORDER_FAIR && a->share != b->share)
		return a->share > b->share ? -1 : 1;
	if (a->order != b->order)
		return a->order > b->order ? -1 : 1;
	return strcmp(b->id, a->id);
}

/* Containers of one attempt in give-back order: lowest priority (largest
 * number) first, then newest. */
static int sched_container_cmp(const void *x, const void *y)
{
	const struct sched_container *a = *(struct sched_container *const *)x;
	const struct sched_container *b = *(struct sched_container *const *)y;

	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	return a->seq > b->seq ? -1 : a->seq < b->seq ? 1 : 0;
}

/* Whether taking c helps toward need: it frees at least half of itself
 * into a dimension still owed (so an excess smaller than half a
 * container is left alone, and a queue is never pushed far below its
 * share, which would only make it starved in turn). */
static bool sched_helps(weft_resource_t need, const struct sched_container *c)
{
	return (c->resource.memory_mb > 0 && need.memory_mb * 2 >= c->resource.memory_mb) ||
	       (c->resource.vcores > 0 && need.vcores * 2 >= c->resource.vcores);
}

/* Choose what leaf q gives back (q->take), marking new victims and
 * flagging every chosen one as kept. */
static void sched_choose_victims(struct scheduler *s, struct sched_queue *q, int64_t now_ms)
{
	weft_resource_t need = q->take;
	struct sched_attempt **apps = NULL, *a;
	int n_apps = 0;

	if (need.memory_mb <= 0 && need.vcores <= 0)
		return;
	TAILQ_FOREACH(a, &q->attempts, queue_link)
	{
		if (a->n_containers == 0)
			continue;
		if (n_apps % 64 == 0)
			apps = xreallocarray(apps, n_apps + 64, sizeof *apps);
		apps[n_apps++] = a;
	}
	qsort(apps, n_apps, sizeof *apps, sched_victim_cmp);
	/* Two sweeps: every container but AMs, then AMs. */
	for (int sweep = 0; sweep < 2; sweep++) {
		for (int i = 0; i < n_apps && (need.memory_mb > 0 || need.vcores > 0); i++) {
			struct sched_container **list, *c;
			int n = 0;

			list = xcalloc(apps[i]->n_containers, sizeof *list);
			for (int k = 0; k < apps[i]->containers.n; k++) {
				c = sched_clist_at(s, &apps[i]->containers, k, NULL);
				if (c != NULL && c->am == (sweep == 1))
					list[n++] = c;
			}
			qsort(list, n, sizeof *list, sched_container_cmp);
			for (int k = 0; k < n && (need.memory_mb > 0 || need.vcores > 0); k++) {
				c = list[k];
				if (!sched_helps(need, c))
					continue;
				need = weft_resource_sub(need, c->resource);
				c->keep = true;
				if (c->preempt_at_ms != 0)
					continue;
				c->preempt_at_ms = now_ms + s->opts.preemption_wait_ms;
				c->attempt->n_marked++;
				log_info("preemption: a container of %s (queue %s, %lld MB, %lld "
				         "vcores%s) is wanted back within %lld ms",
				         c->attempt->id, q->def->path,
				         (long long)c->resource.memory_mb,
				         (long long)c->resource.vcores, c->am ? ", its AM" : "",
				         (long long)s->opts.preemption_wait_ms);
			}
			free(list);
		}
	}
	free(apps);
}

/* Clear the kept flags of marked containers.  RET what they hold. */
static weft_resource_t sched_clear_keep(struct scheduler *s)
{
	struct sched_attempt *a;
	struct sched_container *c;
	weft_resource_t held = {0, 0};

	TAILQ_FOREACH(a, &s->attempts, link)
	{
		if (a->n_marked == 0)
			continue;
		for (int i = 0; i < a->containers.n; i++) {
			if ((c = sched_clist_at(s, &a->containers, i, NULL)) == NULL)
				continue;
			c->keep = false;
			if (c->preempt_at_ms != 0)
				held = weft_resource_add(held, c->resource);
		}
	}
	return held;
}

/* Unmark what was not chosen again; collect what is due. */
static int sched_settle(struct scheduler *s, int64_t now_ms, struct scheduler_container **to_kill)
{
	struct sched_attempt *a;
	struct sched_container *c;
	int n = 0, cap = 0;

	*to_kill = NULL;
	TAILQ_FOREACH(a, &s->attempts, link)
	{
		if (a->n_marked == 0)
			continue;
		for (int i = 0; i < a->containers.n; i++) {
			c = sched_clist_at(s, &a->containers, i, NULL);
			if (c == NULL || c->preempt_at_ms == 0)
				continue;
			if (!c->keep) {
				c->preempt_at_ms = 0;
				a->n_marked--;
				continue;
			}
			if (c->preempt_at_ms > now_ms)
				continue;
			if (n == cap) {
				cap = cap == 0 ? 16 : cap * 2;
				*to_kill = xreallocarray(*to_kill, cap, sizeof **to_kill);
			}
			sched_container_info(c, &(*to_kill)[n++]);
		}
	}
	return n;
}

int scheduler_preempt(struct scheduler *s, int64_t now_ms, struct scheduler_container **to_kill)
{
	weft_resource_t starved = {0, 0}, excess = {0, 0}, budget, marked;
	double fm, fv;

	sched_settle_nodes(s);

	*to_kill = NULL;
	if (!s->opts.preemption || s->n_queues < 2)
		return 0;
	sched_compute_wanted(s);
	s->queues[0]->ideal = s->total;
	for (int i = 0; i < s->n_queues; i++) {
		struct sched_queue *q = s->queues[i];

		if (q->leaf)
			continue;
		sched_fill_dim(s, q, true);
		sched_fill_dim(s, q, false);
	}
	for (int i = 0; i < s->n_queues; i++) {
		struct sched_queue *q = s->queues[i];
		weft_resource_t gap = weft_resource_sub(q->ideal, q->used);

		q->take = weft_resource(0, 0);
		if (!q->leaf)
			continue;
		if ((q->pending.memory_mb > 0 || q->pending.vcores > 0) &&
		    (gap.memory_mb >= s->opts.minimum.memory_mb ||
		     gap.vcores >= s->opts.minimum.vcores)) {
			starved.memory_mb += gap.memory_mb > 0 ? gap.memory_mb : 0;
			starved.vcores += gap.vcores > 0 ? gap.vcores : 0;
		}
		if (!q->def->preemption_disabled) {
			q->take.memory_mb = gap.memory_mb < 0 ? -gap.memory_mb : 0;
			q->take.vcores = gap.vcores < 0 ? -gap.vcores : 0;
			excess = weft_resource_add(excess, q->take);
		}
	}
	marked = sched_clear_keep(s);
	if (starved.memory_mb > 0 || starved.vcores > 0) {
		budget = weft_resource_min(starved, excess);
		budget = weft_resource_min(
		        budget,
		        weft_resource_add(
		                marked,
		                weft_resource((int64_t)ceil((double)s->total.memory_mb *
		                                            s->opts.preemption_per_round),
		                              (int64_t)ceil((double)s->total.vcores *
		                                            s->opts.preemption_per_round))));
		fm = excess.memory_mb > 0 ? (double)budget.memory_mb / (double)excess.memory_mb : 0;
		fv = excess.vcores > 0 ? (double)budget.vcores / (double)excess.vcores : 0;
		for (int i = 0; i < s->n_queues; i++) {
			struct sched_queue *q = s->queues[i];

			if (!q->leaf)
				continue;
			q->take.memory_mb = (int64_t)ceil((double)q->take.memory_mb * fm - 1e-6);
			q->take.vcores = (int64_t)ceil((double)q->take.vcores * fv - 1e-6);
			sched_choose_victims(s, q, now_ms);
		}
	}
	return sched_settle(s, now_ms, to_kill);
}

int scheduler_attempt_preemptions(const struct scheduler *s, const char *attempt_id,
                                  struct scheduler_container **out)
{
	const struct sched_attempt *a = strmap_get(s->attempt_map, attempt_id);
	const struct sched_container *c;
	int n = 0;

	*out = NULL;
	if (a == NULL || a->n_marked == 0)
		return 0;
	*out = xcalloc(a->n_marked, sizeof **out);
	for (int i = 0; i < a->containers.n; i++) {
		c = sched_clist_at(s, &a->containers, i, NULL);
		if (c != NULL && c->preempt_at_ms != 0 && n < a->n_marked)
			sched_container_info(c, &(*out)[n++]);
	}
	return n;
}
