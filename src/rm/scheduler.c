/*
 * scheduler.c — the FIFO scheduler: one queue "default", memory-mb and
 * vcores, spread or pack placement, YARN's minimum/maximum normalization.
 *
 * Attempts are served in the order of their applications' submission (a
 * retried attempt keeps its application's place).  Within an attempt the
 * AM container comes first, then asks by priority.  An ask that fits
 * nowhere does not block later applications (YARN's FifoScheduler skips
 * to the next application too), so a small job is not stuck behind one
 * that waits for a big node.
 *
 * Everything lives here: nodes with capacity and usage, attempts with
 * their ask tables, and the live containers (indexed by id, and listed per
 * node and per attempt so a lost node or a finished attempt drops its
 * containers in one pass).
 */
#include "rm/scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "common/daemon.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "rm/strmap.h"

#define SCHEDULER_QUEUE     "default"
#define SCHEDULER_MAX_COUNT 1000000 /* containers one ask may want */
#define SCHEDULER_MAX_HINTS 1000

struct sched_node;
struct sched_attempt;

struct sched_container {
	struct scheduler_container info;
	struct sched_node *node;
	struct sched_attempt *attempt;
	TAILQ_ENTRY(sched_container) node_link;
	TAILQ_ENTRY(sched_container) attempt_link;
};
TAILQ_HEAD(sched_container_list, sched_container);

struct sched_node {
	TAILQ_ENTRY(sched_node) link; /* registration order */
	char *id;
	weft_resource_t capacity;
	weft_resource_t used;
	int n_containers;
	bool schedulable;
	struct sched_container_list containers;
};

struct sched_ask {
	int32_t priority;
	int32_t count;
	weft_resource_t capability; /* normalized */
	char **nodes;
	int n_nodes;
	bool relax_locality;
};

struct sched_attempt {
	TAILQ_ENTRY(sched_attempt) link; /* FIFO order */
	char id[WEFT_ID_MAX];
	weft_attempt_id_t parsed;
	uint64_t order;
	char *queue;
	char *user;
	bool am_pending;
	weft_resource_t am_resource;
	struct sched_ask *asks; /* sorted by priority */
	int n_asks;
	int64_t next_seq;
	weft_resource_t used;
	int n_containers;
	struct sched_container_list containers;
};

struct scheduler {
	struct scheduler_options opts;
	TAILQ_HEAD(, sched_node) nodes;
	TAILQ_HEAD(, sched_attempt) attempts;
	struct strmap *node_index;
	struct strmap *attempt_index;
	struct strmap *container_index;
	int n_containers;
	weft_resource_t allocated;
};

/* A scheduler with no nodes and no attempts. */
struct scheduler *scheduler_new(const struct scheduler_options *opts)
{
	struct scheduler *s = xcalloc(1, sizeof *s);

	s->opts = *opts;
	TAILQ_INIT(&s->nodes);
	TAILQ_INIT(&s->attempts);
	s->node_index = strmap_new();
	s->attempt_index = strmap_new();
	s->container_index = strmap_new();
	return s;
}

/* Free one ask's copies. */
static void sched_ask_clear(struct sched_ask *a)
{
	for (int i = 0; i < a->n_nodes; i++)
		free(a->nodes[i]);
	free(a->nodes);
	a->nodes = NULL;
	a->n_nodes = 0;
}

/* Drop a container from every index and its node's and attempt's books. */
static void sched_container_unlink(struct scheduler *s, struct sched_container *c)
{
	struct sched_node *n = c->node;
	struct sched_attempt *a = c->attempt;

	strmap_remove(s->container_index, c->info.container_id);
	TAILQ_REMOVE(&n->containers, c, node_link);
	n->used = weft_resource_sub(n->used, c->info.resource);
	n->n_containers--;
	TAILQ_REMOVE(&a->containers, c, attempt_link);
	a->used = weft_resource_sub(a->used, c->info.resource);
	a->n_containers--;
	s->allocated = weft_resource_sub(s->allocated, c->info.resource);
	s->n_containers--;
}

/* Free an attempt record (its containers must be gone). */
static void sched_attempt_free(struct sched_attempt *a)
{
	for (int i = 0; i < a->n_asks; i++)
		sched_ask_clear(&a->asks[i]);
	free(a->asks);
	free(a->queue);
	free(a->user);
	free(a);
}

/* Free everything. */
void scheduler_free(struct scheduler *s)
{
	struct sched_attempt *a;
	struct sched_node *n;
	struct sched_container *c;

	if (s == NULL)
		return;
	while ((a = TAILQ_FIRST(&s->attempts)) != NULL) {
		while ((c = TAILQ_FIRST(&a->containers)) != NULL) {
			sched_container_unlink(s, c);
			free(c);
		}
		TAILQ_REMOVE(&s->attempts, a, link);
		sched_attempt_free(a);
	}
	while ((n = TAILQ_FIRST(&s->nodes)) != NULL) {
		TAILQ_REMOVE(&s->nodes, n, link);
		free(n->id);
		free(n);
	}
	strmap_free(s->node_index);
	strmap_free(s->attempt_index);
	strmap_free(s->container_index);
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

/* Only the one FIFO queue exists for now. */
int scheduler_validate_queue(const struct scheduler *s, const char *queue, char **cause)
{
	(void)s;
	if (strcmp(queue, SCHEDULER_QUEUE) == 0)
		return 0;
	return set_cause(
	        cause,
	        "queue '%s' does not exist: this RM runs the FIFO scheduler with the single "
	        "queue '" SCHEDULER_QUEUE "'",
	        queue);
}

/* Check every line of an ask table and normalize it into out (n lines). */
static int sched_check_asks(const struct scheduler *s, const struct scheduler_ask *asks, int n,
                            weft_resource_t *out, char **cause)
{
	for (int i = 0; i < n; i++) {
		char *why = NULL;

		if (asks[i].priority < 0)
			return set_cause(cause, "asks[%d].priority: must be 0 or more", i);
		if (asks[i].count < 0 || asks[i].count > SCHEDULER_MAX_COUNT) {
			return set_cause(cause, "asks[%d].count: must be between 0 and %d", i,
			                 SCHEDULER_MAX_COUNT);
		}
		if (asks[i].n_nodes < 0 || asks[i].n_nodes > SCHEDULER_MAX_HINTS)
			return set_cause(cause, "asks[%d].nodes: too many nodes", i);
		for (int j = 0; j < asks[i].n_nodes; j++) {
			if (asks[i].nodes[j] == NULL || asks[i].nodes[j][0] == '\0')
				return set_cause(cause, "asks[%d].nodes[%d]: empty node id", i, j);
		}
		for (int j = 0; j < i; j++) {
			if (asks[j].priority == asks[i].priority) {
				return set_cause(cause, "asks[%d].priority: %d appears twice", i,
				                 (int)asks[i].priority);
			}
		}
		if (scheduler_normalize(s, asks[i].capability, &out[i], &why) != 0) {
			set_cause(cause, "asks[%d]: %s", i, why);
			free(why);
			return -1;
		}
	}
	return 0;
}

/* Validate without applying. */
int scheduler_validate_asks(const struct scheduler *s, const struct scheduler_ask *asks, int n,
                            char **cause)
{
	weft_resource_t *norm = xcalloc(n > 0 ? n : 1, sizeof *norm);
	int rc = sched_check_asks(s, asks, n, norm, cause);

	free(norm);
	return rc;
}

/* --- nodes --- */

/* New node at the end of the registration order, or new capacity. */
void scheduler_node_add(struct scheduler *s, const char *node_id, weft_resource_t capacity)
{
	struct sched_node *n = strmap_get(s->node_index, node_id);

	if (n != NULL) {
		n->capacity = capacity;
		n->schedulable = true;
		return;
	}
	n = xcalloc(1, sizeof *n);
	n->id = xstrdup(node_id);
	n->capacity = capacity;
	n->schedulable = true;
	TAILQ_INIT(&n->containers);
	TAILQ_INSERT_TAIL(&s->nodes, n, link);
	strmap_put(s->node_index, node_id, n);
}

/* Drop the node and hand its containers back to the caller. */
int scheduler_node_remove(struct scheduler *s, const char *node_id,
                          struct scheduler_container **containers)
{
	struct sched_node *n = strmap_remove(s->node_index, node_id);
	struct sched_container *c;
	int count = 0;

	*containers = NULL;
	if (n == NULL)
		return 0;
	if (n->n_containers > 0)
		*containers = xcalloc(n->n_containers, sizeof **containers);
	while ((c = TAILQ_FIRST(&n->containers)) != NULL) {
		(*containers)[count++] = c->info;
		sched_container_unlink(s, c);
		free(c);
	}
	TAILQ_REMOVE(&s->nodes, n, link);
	free(n->id);
	free(n);
	return count;
}

void scheduler_node_set_schedulable(struct scheduler *s, const char *node_id, bool schedulable)
{
	struct sched_node *n = strmap_get(s->node_index, node_id);

	if (n != NULL)
		n->schedulable = schedulable;
}

int scheduler_node_usage(const struct scheduler *s, const char *node_id,
                         struct scheduler_node_usage *out)
{
	const struct sched_node *n = strmap_get(s->node_index, node_id);

	if (n == NULL)
		return -1;
	out->capacity = n->capacity;
	out->used = n->used;
	out->n_containers = n->n_containers;
	out->schedulable = n->schedulable;
	return 0;
}

/* A copy of the node's bookings (for a node that re-registers). */
int scheduler_node_containers(const struct scheduler *s, const char *node_id,
                              struct scheduler_container **containers)
{
	const struct sched_node *n = strmap_get(s->node_index, node_id);
	const struct sched_container *c;
	int count = 0;

	*containers = NULL;
	if (n == NULL || n->n_containers == 0)
		return 0;
	*containers = xcalloc(n->n_containers, sizeof **containers);
	TAILQ_FOREACH(c, &n->containers, node_link)
	(*containers)[count++] = c->info;
	return count;
}

/* Room for at least one minimum-sized container. */
bool scheduler_node_has_room(const struct scheduler *s, const char *node_id)
{
	const struct sched_node *n = strmap_get(s->node_index, node_id);

	if (n == NULL || !n->schedulable)
		return false;
	return weft_resource_fits(s->opts.minimum, weft_resource_sub(n->capacity, n->used));
}

/* Cluster-wide figures for metrics and AM headroom. */
void scheduler_usage(const struct scheduler *s, struct scheduler_usage *out)
{
	const struct sched_node *n;
	const struct sched_attempt *a;

	memset(out, 0, sizeof *out);
	TAILQ_FOREACH(n, &s->nodes, link)
	{
		if (!n->schedulable)
			continue;
		out->total = weft_resource_add(out->total, n->capacity);
		out->used = weft_resource_add(out->used, n->used);
		out->n_nodes++;
	}
	out->allocated = s->allocated;
	out->n_containers = s->n_containers;
	TAILQ_FOREACH(a, &s->attempts, link)
	{
		if (a->am_pending) {
			out->n_pending++;
			out->pending = weft_resource_add(out->pending, a->am_resource);
		}
		for (int i = 0; i < a->n_asks; i++) {
			out->n_pending += a->asks[i].count;
			out->pending = weft_resource_add(
			        out->pending,
			        weft_resource_scale(a->asks[i].capability, a->asks[i].count));
		}
	}
}

/* --- attempts --- */

/* Insert in FIFO position (stable for equal orders). */
int scheduler_attempt_add(struct scheduler *s, const char *attempt_id, uint64_t order,
                          const char *queue, const char *user, weft_resource_t am_resource)
{
	struct sched_attempt *a, *at;

	if (strmap_get(s->attempt_index, attempt_id) != NULL)
		return -1;
	a = xcalloc(1, sizeof *a);
	if (weft_attempt_id_parse(attempt_id, &a->parsed) != 0) {
		free(a);
		return -1;
	}
	snprintf(a->id, sizeof a->id, "%s", attempt_id);
	a->order = order;
	a->queue = xstrdup(queue);
	a->user = xstrdup(user);
	a->am_resource = am_resource;
	a->am_pending = !weft_resource_is_zero(am_resource);
	a->next_seq = 1;
	TAILQ_INIT(&a->containers);
	TAILQ_FOREACH(at, &s->attempts, link)
	{
		if (at->order > order)
			break;
	}
	if (at != NULL)
		TAILQ_INSERT_BEFORE(at, a, link);
	else
		TAILQ_INSERT_TAIL(&s->attempts, a, link);
	strmap_put(s->attempt_index, attempt_id, a);
	return 0;
}

/* Forget the attempt; its containers go back to the caller. */
int scheduler_attempt_remove(struct scheduler *s, const char *attempt_id,
                             struct scheduler_container **containers)
{
	struct sched_attempt *a = strmap_remove(s->attempt_index, attempt_id);
	struct sched_container *c;
	int count = 0;

	*containers = NULL;
	if (a == NULL)
		return 0;
	if (a->n_containers > 0)
		*containers = xcalloc(a->n_containers, sizeof **containers);
	while ((c = TAILQ_FIRST(&a->containers)) != NULL) {
		(*containers)[count++] = c->info;
		sched_container_unlink(s, c);
		free(c);
	}
	TAILQ_REMOVE(&s->attempts, a, link);
	sched_attempt_free(a);
	return count;
}

/* No more asks and no AM container for this attempt. */
void scheduler_attempt_stop(struct scheduler *s, const char *attempt_id)
{
	struct sched_attempt *a = strmap_get(s->attempt_index, attempt_id);

	if (a == NULL)
		return;
	for (int i = 0; i < a->n_asks; i++)
		sched_ask_clear(&a->asks[i]);
	free(a->asks);
	a->asks = NULL;
	a->n_asks = 0;
	a->am_pending = false;
}

/* The ask line for a priority, or NULL. */
static struct sched_ask *sched_find_ask(struct sched_attempt *a, int32_t priority)
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

/* Validate everything first, then replace lines; count 0 drops a line. */
int scheduler_update_asks(struct scheduler *s, const char *attempt_id,
                          const struct scheduler_ask *asks, int n, char **cause)
{
	struct sched_attempt *a = strmap_get(s->attempt_index, attempt_id);
	weft_resource_t *norm;
	int w;

	if (a == NULL)
		return set_cause(cause, "unknown application attempt %s", attempt_id);
	norm = xcalloc(n > 0 ? n : 1, sizeof *norm);
	if (sched_check_asks(s, asks, n, norm, cause) != 0) {
		free(norm);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct sched_ask *line = sched_find_ask(a, asks[i].priority);

		if (line == NULL) {
			a->asks = xreallocarray(a->asks, a->n_asks + 1, sizeof *a->asks);
			line = &a->asks[a->n_asks++];
			memset(line, 0, sizeof *line);
			line->priority = asks[i].priority;
		} else {
			sched_ask_clear(line);
		}
		line->count = asks[i].count;
		line->capability = norm[i];
		line->relax_locality = asks[i].relax_locality;
		if (asks[i].n_nodes > 0) {
			line->nodes = xcalloc(asks[i].n_nodes, sizeof *line->nodes);
			for (int j = 0; j < asks[i].n_nodes; j++)
				line->nodes[j] = xstrdup(asks[i].nodes[j]);
			line->n_nodes = asks[i].n_nodes;
		}
	}
	free(norm);
	/* Drop lines nobody wants any more, keep the rest sorted. */
	w = 0;
	for (int i = 0; i < a->n_asks; i++) {
		if (a->asks[i].count == 0)
			sched_ask_clear(&a->asks[i]);
		else
			a->asks[w++] = a->asks[i];
	}
	a->n_asks = w;
	qsort(a->asks, a->n_asks, sizeof *a->asks, sched_ask_cmp);
	return 0;
}

/* Live usage of one attempt, with the resource-time of its containers. */
void scheduler_attempt_usage(const struct scheduler *s, const char *attempt_id, int64_t now_ms,
                             struct scheduler_attempt_usage *out)
{
	const struct sched_attempt *a = strmap_get(s->attempt_index, attempt_id);
	const struct sched_container *c;

	memset(out, 0, sizeof *out);
	if (a == NULL)
		return;
	out->used = a->used;
	out->n_containers = a->n_containers;
	TAILQ_FOREACH(c, &a->containers, attempt_link)
	{
		int64_t ms = now_ms - c->info.allocated_ms;

		if (ms < 0)
			ms = 0;
		out->memory_ms += c->info.resource.memory_mb * ms;
		out->vcore_ms += c->info.resource.vcores * ms;
	}
}

/* --- placement --- */

/* Whether id is one of the hinted nodes. */
static bool sched_hinted(const char *id, char *const *nodes, int n_nodes)
{
	for (int i = 0; i < n_nodes; i++) {
		if (strcmp(nodes[i], id) == 0)
			return true;
	}
	return false;
}

/* Pick a node for resource among all nodes (hints NULL) or the hinted ones:
 * pack takes the first that fits in registration order, spread the one
 * with the most free memory, then the most free vcores. */
static struct sched_node *sched_pick(struct scheduler *s, weft_resource_t resource,
                                     char *const *hints, int n_hints)
{
	struct sched_node *n, *best = NULL;
	weft_resource_t best_free = {0, 0};

	TAILQ_FOREACH(n, &s->nodes, link)
	{
		weft_resource_t free_room = weft_resource_sub(n->capacity, n->used);

		if (!n->schedulable || !weft_resource_fits(resource, free_room))
			continue;
		if (hints != NULL && !sched_hinted(n->id, hints, n_hints))
			continue;
		if (s->opts.placement == SCHEDULER_PACK)
			return n;
		if (best == NULL || free_room.memory_mb > best_free.memory_mb ||
		    (free_room.memory_mb == best_free.memory_mb &&
		     free_room.vcores > best_free.vcores)) {
			best = n;
			best_free = free_room;
		}
	}
	return best;
}

/* Hinted nodes first; anywhere else only when locality may be relaxed. */
static struct sched_node *sched_choose(struct scheduler *s, weft_resource_t resource,
                                       char *const *hints, int n_hints, bool relax)
{
	struct sched_node *n;

	if (n_hints > 0) {
		n = sched_pick(s, resource, hints, n_hints);
		if (n != NULL || !relax)
			return n;
	}
	return sched_pick(s, resource, NULL, 0);
}

/* Book a new container of attempt a on node n. */
static struct sched_container *sched_place(struct scheduler *s, struct sched_attempt *a,
                                           struct sched_node *n, weft_resource_t resource,
                                           int32_t priority, bool am)
{
	struct sched_container *c = xcalloc(1, sizeof *c);
	weft_container_id_t cid;

	cid.attempt = a->parsed;
	cid.seq = a->next_seq++;
	weft_container_id_format(&cid, c->info.container_id);
	snprintf(c->info.attempt_id, sizeof c->info.attempt_id, "%s", a->id);
	snprintf(c->info.node_id, sizeof c->info.node_id, "%s", n->id);
	c->info.priority = priority;
	c->info.resource = resource;
	c->info.am = am;
	c->info.allocated_ms = time_now_ms();
	c->node = n;
	c->attempt = a;
	TAILQ_INSERT_TAIL(&n->containers, c, node_link);
	n->used = weft_resource_add(n->used, resource);
	n->n_containers++;
	TAILQ_INSERT_TAIL(&a->containers, c, attempt_link);
	a->used = weft_resource_add(a->used, resource);
	a->n_containers++;
	s->allocated = weft_resource_add(s->allocated, resource);
	s->n_containers++;
	strmap_put(s->container_index, c->info.container_id, c);
	return c;
}

/* Append a grant for c to the growing array. */
static void sched_add_grant(struct scheduler_grant **grants, int *n, int *cap,
                            const struct sched_container *c)
{
	struct scheduler_grant *g;

	if (*n == *cap) {
		*cap = *cap == 0 ? 8 : *cap * 2;
		*grants = xreallocarray(*grants, *cap, sizeof **grants);
	}
	g = &(*grants)[(*n)++];
	memset(g, 0, sizeof *g);
	snprintf(g->container_id, sizeof g->container_id, "%s", c->info.container_id);
	snprintf(g->attempt_id, sizeof g->attempt_id, "%s", c->info.attempt_id);
	snprintf(g->node_id, sizeof g->node_id, "%s", c->info.node_id);
	g->priority = c->info.priority;
	g->resource = c->info.resource;
	g->am = c->info.am;
}

/* Whether any schedulable node could take a minimum-sized container. */
static bool sched_any_room(const struct scheduler *s)
{
	const struct sched_node *n;

	TAILQ_FOREACH(n, &s->nodes, link)
	{
		if (n->schedulable &&
		    weft_resource_fits(s->opts.minimum, weft_resource_sub(n->capacity, n->used)))
			return true;
	}
	return false;
}

/* One FIFO pass over every attempt. */
int scheduler_allocate(struct scheduler *s, struct scheduler_grant **grants)
{
	struct sched_attempt *a;
	int n = 0, cap = 0;

	*grants = NULL;
	if (!sched_any_room(s))
		return 0;
	TAILQ_FOREACH(a, &s->attempts, link)
	{
		if (a->am_pending) {
			struct sched_node *node = sched_choose(s, a->am_resource, NULL, 0, true);

			if (node == NULL)
				continue;
			a->am_pending = false;
			sched_add_grant(grants, &n, &cap,
			                sched_place(s, a, node, a->am_resource, 0, true));
		}
		for (int i = 0; i < a->n_asks; i++) {
			struct sched_ask *ask = &a->asks[i];

			while (ask->count > 0) {
				struct sched_node *node =
				        sched_choose(s, ask->capability, ask->nodes, ask->n_nodes,
				                     ask->relax_locality);

				if (node == NULL)
					break;
				ask->count--;
				sched_add_grant(grants, &n, &cap,
				                sched_place(s, a, node, ask->capability,
				                            ask->priority, false));
			}
		}
		if (!sched_any_room(s))
			break;
	}
	if (n > 0)
		log_debug("%d container(s) granted", n);
	return n;
}

/* Copy out and free a container's booking. */
static void sched_drop(struct scheduler *s, struct sched_container *c,
                       struct scheduler_container *out)
{
	if (out != NULL)
		*out = c->info;
	sched_container_unlink(s, c);
	free(c);
}

/* The AM hands a container back; only its own. */
int scheduler_release(struct scheduler *s, const char *attempt_id, const char *container_id,
                      struct scheduler_container *out)
{
	struct sched_container *c = strmap_get(s->container_index, container_id);

	if (c == NULL || strcmp(c->attempt->id, attempt_id) != 0)
		return -1;
	sched_drop(s, c, out);
	return 0;
}

/* A container ended: free its room. */
int scheduler_container_completed(struct scheduler *s, const char *container_id,
                                  struct scheduler_container *out)
{
	struct sched_container *c = strmap_get(s->container_index, container_id);

	if (c == NULL)
		return -1;
	sched_drop(s, c, out);
	return 0;
}

int scheduler_container_lookup(const struct scheduler *s, const char *container_id,
                               struct scheduler_container *out)
{
	const struct sched_container *c = strmap_get(s->container_index, container_id);

	if (c == NULL)
		return -1;
	*out = c->info;
	return 0;
}
