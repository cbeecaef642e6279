/*
 * scheduler.c — the scheduler's life and its application attempts:
 * options, construction, ask validation and normalization, attempts
 * (add, activation by AM share and max-parallel-apps, stop, remove),
 * their ask tables, and the cluster-wide usage figures.
 *
 * The rest of the scheduler, one concern per file (records in
 * scheduler_impl.h): scheduler_queues.c the queue tree at run time
 * (limits, ordering, refresh, submit checks), scheduler_nodes.c nodes,
 * racks and reservations, scheduler_containers.c live containers and the
 * usage they charge, scheduler_alloc.c the allocation pass,
 * scheduler_preempt.c preemption, scheduler_info.c snapshots and
 * diagnostics.  Every usage counter is kept incrementally, so no call
 * ever recounts.
 */
#include "weft_config.h"

#include "rm/scheduler.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/daemon.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "rm/scheduler_impl.h"

bool sched_fits(weft_resource_t r, weft_resource_t limit)
{
	return r.memory_mb <= limit.memory_mb && r.vcores <= limit.vcores;
}

void scheduler_options_default(struct scheduler_options *opts)
{
	memset(opts, 0, sizeof *opts);
	opts->minimum = weft_resource(1024, 1);
	opts->maximum = weft_resource(8192, 4);
	opts->placement = SCHEDULER_SPREAD;
	opts->node_locality_delay = 40;
	opts->rack_locality_delay = 40;
	opts->reservations = true;
	opts->preemption = false;
	opts->preemption_wait_ms = 15000;
	opts->preemption_per_round = 0.1;
}

/* --- construction --- */

struct scheduler *scheduler_new(const struct scheduler_options *opts)
{
	struct scheduler *s = xcalloc(1, sizeof *s);

	s->opts = *opts;
	TAILQ_INIT(&s->attempts);
	s->attempt_map = strmap_new();
	sched_nodes_init(s);
	sched_build_queues(s, queue_conf_default());
	return s;
}

/* Free one ask line's copies. */
static void sched_ask_clear(struct sched_ask *line)
{
	for (int i = 0; i < line->n_nodes; i++)
		free(line->nodes[i]);
	free(line->nodes);
	for (int i = 0; i < line->n_racks; i++)
		free(line->racks[i]);
	free(line->racks);
	line->nodes = NULL;
	line->racks = NULL;
	line->n_nodes = 0;
	line->n_racks = 0;
}

void scheduler_free(struct scheduler *s)
{
	struct sched_attempt *a;

	if (s == NULL)
		return;
	sched_nodes_free_reservations(s);
	while ((a = TAILQ_FIRST(&s->attempts)) != NULL) {
		sched_clist_free(&a->containers);
		TAILQ_REMOVE(&s->attempts, a, link);
		for (int i = 0; i < a->n_asks; i++)
			sched_ask_clear(&a->asks[i]);
		free(a->asks);
		free(a->queue_path);
		free(a->user_name);
		free(a);
	}
	sched_nodes_free(s);
	sched_containers_free(s);
	sched_free_queues(s);
	strmap_free(s->attempt_map);
	free(s->blocked);
	free(s->grants);
	free(s);
}

weft_resource_t scheduler_minimum_allocation(const struct scheduler *s)
{
	return s->opts.minimum;
}

weft_resource_t scheduler_maximum_allocation(const struct scheduler *s)
{
	return s->opts.maximum;
}

/* YARN's rule: negative is invalid, above maximum is invalid (never
 * silently capped), everything else rounds up to the minimum's multiples. */
int scheduler_normalize(const struct scheduler *s, weft_resource_t ask, weft_resource_t *out,
                        char **cause)
{
	char a[64], m[64];

	if (weft_resource_any_negative(ask)) {
		return set_cause(cause,
		                 "Invalid resource request: requested resource %s is negative",
		                 weft_resource_format(ask, a, sizeof a));
	}
	if (weft_resource_normalize(ask, s->opts.minimum, s->opts.maximum, out) != 0) {
		return set_cause(
		        cause,
		        "Invalid resource request: requested resource %s is greater than the "
		        "maximum allowed allocation %s",
		        weft_resource_format(ask, a, sizeof a),
		        weft_resource_format(s->opts.maximum, m, sizeof m));
	}
	return 0;
}

/* Check every line of an ask table and normalize it into out (n lines). */
static int sched_check_asks(const struct scheduler *s, const struct scheduler_ask *asks, int n,
                            weft_resource_t *out, char **cause)
{
	for (int i = 0; i < n; i++) {
		char *why = NULL;

		if (asks[i].priority < 0)
			return set_cause(cause, "asks[%d].priority: must be 0 or more", i);
		if (asks[i].count < 0 || asks[i].count > SCHED_MAX_COUNT)
			return set_cause(cause, "asks[%d].count: must be within [0, %d]", i,
			                 SCHED_MAX_COUNT);
		if (asks[i].n_nodes < 0 || asks[i].n_nodes > SCHED_MAX_HINTS)
			return set_cause(cause, "asks[%d].nodes: at most %d", i, SCHED_MAX_HINTS);
		if (asks[i].n_racks < 0 || asks[i].n_racks > SCHED_MAX_HINTS)
			return set_cause(cause, "asks[%d].racks: at most %d", i, SCHED_MAX_HINTS);
		for (int j = 0; j < asks[i].n_nodes; j++) {
			if (asks[i].nodes[j] == NULL || asks[i].nodes[j][0] == '\0' ||
			    strlen(asks[i].nodes[j]) > 255)
				return set_cause(cause, "asks[%d].nodes[%d]: expected a node id", i,
				                 j);
		}
		for (int j = 0; j < asks[i].n_racks; j++) {
			if (asks[i].racks[j] == NULL || asks[i].racks[j][0] == '\0' ||
			    strlen(asks[i].racks[j]) > 255)
				return set_cause(cause, "asks[%d].racks[%d]: expected a rack name",
				                 i, j);
		}
		if (!asks[i].relax_locality && asks[i].count > 0 && asks[i].n_nodes == 0 &&
		    asks[i].n_racks == 0)
			return set_cause(cause,
			                 "asks[%d]: relaxLocality false needs nodes or racks to "
			                 "stay on",
			                 i);
		for (int j = 0; j < i; j++) {
			if (asks[j].priority == asks[i].priority)
				return set_cause(cause,
				                 "asks[%d].priority: %d is already asks[%d]'s (one "
				                 "line per priority)",
				                 i, asks[i].priority, j);
		}
		if (scheduler_normalize(s, asks[i].capability, &out[i], &why) != 0) {
			set_cause(cause, "asks[%d]: %s", i, why);
			free(why);
			return -1;
		}
	}
	return 0;
}

int scheduler_validate_asks(const struct scheduler *s, const struct scheduler_ask *asks, int n,
                            char **cause)
{
	weft_resource_t *norm = xcalloc(n > 0 ? n : 1, sizeof *norm);
	int rc = sched_check_asks(s, asks, n, norm, cause);

	free(norm);
	return rc;
}

/* --- attempts --- */

/* The container id prefix of an attempt: "container_<ts>_<app>_<attempt>_". */
static void sched_attempt_prefix(struct sched_attempt *a)
{
	weft_container_id_t cid;
	char *last;

	cid.attempt = a->parsed;
	cid.seq = 1;
	weft_container_id_format(&cid, a->prefix);
	last = strrchr(a->prefix, '_');
	last[1] = '\0';
	a->prefix_len = (int)strlen(a->prefix);
}

/* Count pending containers of an attempt in (sign 1) or out (-1). */
static void sched_pending_add(struct scheduler *s, struct sched_attempt *a, int64_t n,
                              weft_resource_t r)
{
	a->n_pending += n;
	a->pending = res_add(a->pending, r);
	s->n_pending += n;
	s->pending = res_add(s->pending, r);
	if (a->queue != NULL)
		sched_path_pending(a->queue, r, 1);
}

int scheduler_attempt_add(struct scheduler *s, const char *attempt_id, uint64_t order,
                          const char *queue, const char *user, weft_resource_t am_resource)
{
	struct sched_queue *q = sched_queue_find(s, queue);
	struct sched_attempt *a;

	if (strmap_get(s->attempt_map, attempt_id) != NULL || q == NULL || !q->leaf)
		return -1;
	a = xcalloc(1, sizeof *a);
	if (weft_attempt_id_parse(attempt_id, &a->parsed) != 0) {
		free(a);
		return -1;
	}
	snprintf(a->id, sizeof a->id, "%s", attempt_id);
	sched_attempt_prefix(a);
	a->order = order;
	a->queue_path = xstrdup(q->def->path);
	a->user_name = xstrdup(user);
	a->state = SCHED_PENDING;
	a->heap_pos = -1;
	a->next_seq = 1;
	a->wait_queue = -1;
	a->am_resource = am_resource;
	TAILQ_INSERT_TAIL(&s->attempts, a, link);
	strmap_put(s->attempt_map, a->id, a);
	sched_attach(s, a, q);
	if (!weft_resource_is_zero(am_resource)) {
		a->am_pending = true;
		sched_pending_add(s, a, 1, am_resource);
	}
	return 0;
}

/* Activate an attempt: its AM container (and asks) may be placed. */
static void sched_attempt_activate(struct scheduler *s, struct sched_attempt *a)
{
	struct sched_queue *q = a->queue;

	TAILQ_REMOVE(&q->waiting, a, pending_link);
	s->n_waiting--;
	sched_path_apps(q, 0, 1, -1);
	a->user->n_pending--;
	a->user->n_active++;
	a->state = SCHED_ACTIVE;
	q->am_used = res_add(q->am_used, a->am_resource);
	a->user->am_used = res_add(a->user->am_used, a->am_resource);
	a->wait = SCHED_WAIT_NONE;
	sched_ready_update(s, a);
}

/* Activate waiting attempts, in FIFO order per leaf, while the leaf's
 * max-parallel-apps and AM share allow (the first is always allowed). */
void sched_activate(struct scheduler *s)
{
	if (s->n_waiting == 0)
		return;
	for (int i = 0; i < s->n_queues; i++) {
		struct sched_queue *q = s->queues[i];
		struct sched_attempt *a;

		if (!q->leaf)
			continue;
		while ((a = TAILQ_FIRST(&q->waiting)) != NULL) {
			if (q->def->max_parallel >= 0 && q->n_active >= q->def->max_parallel) {
				a->wait = SCHED_WAIT_PARALLEL;
				a->wait_n = q->def->max_parallel;
				break;
			}
			if (q->n_active > 0) {
				weft_resource_t limit = sched_am_limit(s, q);

				if (!sched_fits(res_add(q->am_used, a->am_resource), limit)) {
					a->wait = SCHED_WAIT_AM_LIMIT;
					a->wait_a = q->am_used;
					a->wait_b = limit;
					a->wait_c = a->am_resource;
					break;
				}
			}
			sched_attempt_activate(s, a);
		}
	}
}

/* Drop every ask line (and the AM ask) with its pending count and
 * reservation. */
static void sched_attempt_clear_asks(struct scheduler *s, struct sched_attempt *a)
{
	for (int i = 0; i < a->n_asks; i++) {
		struct sched_ask *line = &a->asks[i];

		if (line->reservation != NULL)
			sched_reservation_cancel(s, line->reservation);
		sched_pending_add(s, a, -line->count, res_scale(line->capability, -line->count));
		sched_ask_clear(line);
	}
	free(a->asks);
	a->asks = NULL;
	a->n_asks = 0;
	if (a->am_reservation != NULL)
		sched_reservation_cancel(s, a->am_reservation);
	if (a->am_pending) {
		a->am_pending = false;
		sched_pending_add(s, a, -1, res_scale(a->am_resource, -1));
	}
}

void scheduler_attempt_stop(struct scheduler *s, const char *attempt_id)
{
	struct sched_attempt *a = strmap_get(s->attempt_map, attempt_id);
	struct sched_queue *q;

	if (a == NULL || a->state == SCHED_STOPPED)
		return;
	q = a->queue;
	sched_attempt_clear_asks(s, a);
	sched_ready_update(s, a);
	if (a->state == SCHED_PENDING) {
		TAILQ_REMOVE(&q->waiting, a, pending_link);
		s->n_waiting--;
		sched_path_apps(q, -1, 0, -1);
		a->user->n_pending--;
	} else {
		sched_path_apps(q, -1, -1, 0);
		a->user->n_active--;
		q->am_used = res_sub(q->am_used, a->am_resource);
		a->user->am_used = res_sub(a->user->am_used, a->am_resource);
	}
	a->state = SCHED_STOPPED;
	a->wait = SCHED_WAIT_NONE;
}

int scheduler_attempt_remove(struct scheduler *s, const char *attempt_id,
                             struct scheduler_container **containers)
{
	struct sched_attempt *a = strmap_get(s->attempt_map, attempt_id);
	int count = 0;

	*containers = NULL;
	if (a == NULL)
		return 0;
	scheduler_attempt_stop(s, attempt_id);
	if (a->n_containers > 0)
		*containers = xcalloc(a->n_containers, sizeof **containers);
	/* Each drop leaves the list alone (the last one empties it). */
	for (int i = 0; i < a->containers.n; i++) {
		uint32_t h;

		if (sched_clist_at(s, &a->containers, i, &h) != NULL)
			sched_drop(s, h, &(*containers)[count++]);
	}
	sched_clist_free(&a->containers);
	sched_detach(s, a);
	strmap_remove(s->attempt_map, a->id);
	TAILQ_REMOVE(&s->attempts, a, link);
	free(a->asks);
	free(a->queue_path);
	free(a->user_name);
	free(a);
	return count;
}

struct sched_ask *sched_find_ask(struct sched_attempt *a, int32_t priority)
{
	for (int i = 0; i < a->n_asks; i++) {
		if (a->asks[i].priority == priority)
			return &a->asks[i];
	}
	return NULL;
}

/* Order ask lines by priority (lower first). */
static int sched_ask_cmp(const void *x, const void *y)
{
	const struct sched_ask *a = x, *b = y;

	return (a->priority > b->priority) - (a->priority < b->priority);
}

/* Copy n strings. */
static char **sched_copy_strings(const char *const *src, int n)
{
	char **out = n > 0 ? xcalloc(n, sizeof *out) : NULL;

	for (int i = 0; i < n; i++)
		out[i] = xstrdup(src[i]);
	return out;
}

int scheduler_update_asks(struct scheduler *s, const char *attempt_id,
                          const struct scheduler_ask *asks, int n, char **cause)
{
	struct sched_attempt *a = strmap_get(s->attempt_map, attempt_id);
	weft_resource_t *norm;
	int w;

	if (a == NULL)
		return set_cause(cause, "unknown application attempt %s", attempt_id);
	norm = xcalloc(n > 0 ? n : 1, sizeof *norm);
	if (sched_check_asks(s, asks, n, norm, cause) != 0) {
		free(norm);
		return -1;
	}
	if (a->state == SCHED_STOPPED) {
		/* It wants nothing more, whatever it says. */
		free(norm);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		struct sched_ask *line = sched_find_ask(a, asks[i].priority);

		if (line == NULL) {
			a->asks = xreallocarray(a->asks, a->n_asks + 1, sizeof *a->asks);
			line = &a->asks[a->n_asks++];
			memset(line, 0, sizeof *line);
			line->priority = asks[i].priority;
		} else {
			sched_pending_add(s, a, -line->count,
			                  res_scale(line->capability, -line->count));
			if (line->reservation != NULL &&
			    (asks[i].count == 0 || !weft_resource_equal(line->capability, norm[i])))
				sched_reservation_cancel(s, line->reservation);
			if (line->count == 0)
				line->missed = 0;
			sched_ask_clear(line);
		}
		line->count = asks[i].count;
		line->capability = norm[i];
		line->relax_locality = asks[i].relax_locality;
		line->nodes = sched_copy_strings(asks[i].nodes, asks[i].n_nodes);
		line->n_nodes = asks[i].n_nodes;
		line->racks = sched_copy_strings(asks[i].racks, asks[i].n_racks);
		line->n_racks = asks[i].n_racks;
		sched_pending_add(s, a, line->count, res_scale(line->capability, line->count));
	}
	free(norm);
	/* Drop lines nobody wants any more, keep the rest sorted. */
	w = 0;
	for (int i = 0; i < a->n_asks; i++) {
		if (a->asks[i].count == 0) {
			if (a->asks[i].reservation != NULL)
				sched_reservation_cancel(s, a->asks[i].reservation);
			sched_ask_clear(&a->asks[i]);
		} else {
			a->asks[w++] = a->asks[i];
		}
	}
	a->n_asks = w;
	qsort(a->asks, a->n_asks, sizeof *a->asks, sched_ask_cmp);
	sched_ready_update(s, a);
	return 0;
}

/* One container of the line was placed. */
void sched_line_taken(struct scheduler *s, struct sched_attempt *a, struct sched_ask *line)
{
	line->count--;
	sched_pending_add(s, a, -1, res_scale(line->capability, -1));
	if (line->count == 0 && line->reservation != NULL)
		sched_reservation_cancel(s, line->reservation);
	if (a->n_pending == 0)
		sched_ready_update(s, a);
}

/* The AM container was placed. */
void sched_am_taken(struct scheduler *s, struct sched_attempt *a)
{
	a->am_pending = false;
	a->wait = SCHED_WAIT_NONE;
	sched_pending_add(s, a, -1, res_scale(a->am_resource, -1));
	if (a->am_reservation != NULL)
		sched_reservation_cancel(s, a->am_reservation);
	if (a->n_pending == 0)
		sched_ready_update(s, a);
}

void scheduler_attempt_usage(const struct scheduler *s, const char *attempt_id, int64_t now_ms,
                             struct scheduler_attempt_usage *out)
{
	const struct sched_attempt *a = strmap_get(s->attempt_map, attempt_id);
	const struct sched_container *c;

	memset(out, 0, sizeof *out);
	if (a == NULL)
		return;
	out->used = a->used;
	out->n_containers = a->n_containers;
	out->n_preempted_marked = a->n_marked;
	for (int i = 0; i < a->containers.n; i++) {
		int64_t ms;

		if ((c = sched_clist_at(s, &a->containers, i, NULL)) == NULL)
			continue;
		ms = now_ms - c->allocated_ms;

		if (ms < 0)
			ms = 0;
		out->memory_ms += c->resource.memory_mb * ms;
		out->vcore_ms += c->resource.vcores * ms;
	}
}

void scheduler_usage(const struct scheduler *s, struct scheduler_usage *out)
{
	sched_settle_nodes(s);
	memset(out, 0, sizeof *out);
	out->total = s->total;
	out->used = s->used_sched;
	out->allocated = s->allocated;
	out->n_containers = s->n_containers;
	out->n_pending = s->n_pending > INT32_MAX ? INT32_MAX : (int)s->n_pending;
	out->pending = s->pending;
	out->n_nodes = s->n_schedulable;
	out->n_reserved = s->n_reserved;
	out->reserved = s->reserved;
}
