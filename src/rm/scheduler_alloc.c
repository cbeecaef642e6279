/*
 * scheduler_alloc.c — one allocation pass (scheduler_allocate).
 *
 * 1. Activate waiting attempts their queues' AM share now allows.
 * 2. Reserved nodes whose room now holds their ask get it.
 * 3. While some node has room for a minimum container: walk down the
 *    queue tree taking, at each level, the child furthest below its
 *    guarantee (used / guaranteed in the dominant dimension) that has
 *    something to place and is below its maximum capacity; in the leaf,
 *    take the first attempt of its ready heap (FIFO, or smallest dominant
 *    share for a fair queue); place one container of it (the AM first,
 *    then asks by priority) within the user limit and every ancestor's
 *    maximum, on a node chosen by locality and the placement policy.  An
 *    attempt that can place nothing leaves the heap for the rest of the
 *    pass; a queue with nothing placeable is skipped for the rest of the
 *    pass.  Each step is one decision: no step scans all nodes or all
 *    attempts.
 *
 * Delay scheduling (Zaharia et al., YARN's node-locality-delay): an ask
 * naming nodes or racks that finds no room there counts one missed
 * scheduling opportunity per pass in which it could have been placed
 * elsewhere; after node_locality_delay of them it takes a node of the
 * right racks, after rack_locality_delay more any node (both capped at
 * the number of nodes, as YARN does).  relaxLocality false never leaves
 * the named nodes and racks.
 *
 * Reservations: an ask larger than the minimum that fits on no node now
 * holds the node (whose capacity is large enough) with the most free
 * room; nobody else is placed there until the ask fits and takes it.
 */
#include "weft_config.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "rm/scheduler_impl.h"

#define SCHED_GRANTS_AHEAD 65536 /* grants sized up front at most */

/* Append a grant for c to the pass's answer. */
static void sched_emit(struct scheduler *s, const struct sched_container *c)
{
	if (s->n_grants == s->cap_grants) {
		s->cap_grants = s->cap_grants == 0 ? 16 : s->cap_grants * 2;
		s->grants = xreallocarray(s->grants, s->cap_grants, sizeof *s->grants);
	}
	sched_grant_fill(c, &s->grants[s->n_grants++]);
}

/* --- nodes --- */

/* The node an index picks for need under the placement policy. */
static struct sched_node *sched_find_in(const struct scheduler *s, const struct node_index *ni,
                                        weft_resource_t need)
{
	if (s->opts.placement == SCHEDULER_PACK)
		return node_index_find_pack(ni, need);
	return node_index_find_spread(ni, need);
}

/* Whether node n offers room for need now. */
static bool sched_offers(const struct sched_node *n, weft_resource_t need)
{
	return n->schedulable && n->reservation == NULL &&
	       need.memory_mb <= n->capacity.memory_mb - n->used.memory_mb &&
	       need.vcores <= n->capacity.vcores - n->used.vcores;
}

/* Whether candidate a ranks before b under the placement policy. */
static bool sched_node_before(const struct scheduler *s, const struct sched_node *a,
                              const struct sched_node *b)
{
	int64_t fa, fb;

	if (b == NULL)
		return true;
	if (s->opts.placement == SCHEDULER_PACK)
		return a->slot < b->slot;
	fa = a->capacity.memory_mb - a->used.memory_mb;
	fb = b->capacity.memory_mb - b->used.memory_mb;
	if (fa != fb)
		return fa > fb;
	fa = a->capacity.vcores - a->used.vcores;
	fb = b->capacity.vcores - b->used.vcores;
	if (fa != fb)
		return fa > fb;
	return a->slot < b->slot;
}

/* The nodes a hint names: a node id, or every node on a host. */
static struct sched_node *sched_hint_first(const struct scheduler *s, const char *hint,
                                           bool *by_host)
{
	struct sched_node *n = strmap_get(s->node_map, hint);

	*by_host = n == NULL;
	return n != NULL ? n : strmap_get(s->host_map, hint);
}

/* The best named node that offers need. */
static struct sched_node *sched_find_named(const struct scheduler *s, const struct sched_ask *line,
                                           weft_resource_t need)
{
	struct sched_node *best = NULL;

	for (int i = 0; i < line->n_nodes; i++) {
		bool by_host;
		struct sched_node *n = sched_hint_first(s, line->nodes[i], &by_host);

		for (; n != NULL; n = by_host ? n->host_next : NULL) {
			if (sched_offers(n, need) && sched_node_before(s, n, best))
				best = n;
		}
	}
	return best;
}

/* The best node on a rack the line names, or (unless named_only) on a
 * rack of a node it names. */
static struct sched_node *sched_find_rack_local(const struct scheduler *s,
                                                const struct sched_ask *line, weft_resource_t need,
                                                bool named_only)
{
	struct sched_node *best = NULL, *n;

	for (int i = 0; i < line->n_racks; i++) {
		struct sched_rack *r = strmap_get(s->rack_map, line->racks[i]);

		if (r != NULL && (n = sched_find_in(s, sched_rack_index(s, r), need)) != NULL &&
		    sched_node_before(s, n, best))
			best = n;
	}
	if (named_only)
		return best;
	for (int i = 0; i < line->n_nodes; i++) {
		bool by_host;
		const struct sched_node *h = sched_hint_first(s, line->nodes[i], &by_host);

		for (; h != NULL; h = by_host ? h->host_next : NULL) {
			if ((n = sched_find_in(s, sched_rack_index(s, h->rack), need)) != NULL &&
			    sched_node_before(s, n, best))
				best = n;
		}
	}
	return best;
}

/* A configured delay, capped at the number of nodes. */
static int sched_delay(const struct scheduler *s, int configured)
{
	if (configured <= 0)
		return 0;
	return configured < s->n_schedulable ? configured : s->n_schedulable;
}

/* Where one container of the line goes, by locality; NULL when nowhere
 * now (*waiting: it passed up room elsewhere to wait for locality). */
static struct sched_node *sched_pick_for_line(struct scheduler *s, struct sched_ask *line,
                                              bool *waiting)
{
	weft_resource_t need = line->capability;
	struct sched_node *n;
	int node_delay, rack_delay;

	*waiting = false;
	if (line->n_nodes == 0 && line->n_racks == 0)
		return sched_find_in(s, s->index, need);
	n = sched_find_named(s, line, need);
	if (n != NULL) {
		line->missed = 0;
		return n;
	}
	if (!line->relax_locality)
		return line->n_racks > 0 ? sched_find_rack_local(s, line, need, true) : NULL;
	node_delay = sched_delay(s, s->opts.node_locality_delay);
	rack_delay = node_delay + sched_delay(s, s->opts.rack_locality_delay);
	if (line->missed >= node_delay) {
		n = sched_find_rack_local(s, line, need, false);
		if (n != NULL) {
			line->missed = 0;
			return n;
		}
	}
	if (line->missed >= rack_delay)
		return sched_find_in(s, s->index, need);
	if (sched_find_in(s, s->index, need) != NULL) {
		line->missed++;
		*waiting = true;
	}
	return NULL;
}

/* --- limits --- */

/* Whether need fits below the maximum of the leaf and every ancestor
 * (reservations count); *blocker is the first queue it does not fit. */
static bool sched_queue_room(const struct scheduler *s, struct sched_queue *leaf,
                             weft_resource_t need, struct sched_queue **blocker)
{
	for (struct sched_queue *q = leaf; q->parent != NULL; q = q->parent) {
		weft_resource_t m = sched_maximum(s, q);

		if (q->used.memory_mb + q->reserved.memory_mb + need.memory_mb > m.memory_mb ||
		    q->used.vcores + q->reserved.vcores + need.vcores > m.vcores) {
			*blocker = q;
			return false;
		}
	}
	return true;
}

/* Hold a node for an ask that fits nowhere now: the roomiest node whose
 * capacity holds it (among the named nodes and racks for a strict ask). */
static void sched_reserve(struct scheduler *s, struct sched_attempt *a, int32_t priority,
                          weft_resource_t need, const struct sched_ask *line)
{
	struct sched_node *n = NULL;

	if (!s->opts.reservations || sched_fits(need, s->opts.minimum))
		return;
	if (line != NULL && !line->relax_locality) {
		for (int i = 0; i < line->n_nodes; i++) {
			bool by_host;
			struct sched_node *h = sched_hint_first(s, line->nodes[i], &by_host);

			for (; h != NULL; h = by_host ? h->host_next : NULL) {
				if (h->schedulable && h->reservation == NULL &&
				    sched_fits(need, h->capacity) && sched_node_before(s, h, n))
					n = h;
			}
		}
		for (int i = 0; n == NULL && i < line->n_racks; i++) {
			struct sched_rack *r = strmap_get(s->rack_map, line->racks[i]);

			if (r != NULL)
				n = node_index_find_reservable(sched_rack_index(s, r), need);
		}
	} else {
		n = node_index_find_reservable(s->index, need);
	}
	if (n != NULL)
		sched_reservation_make(s, n, a, priority, need);
}

/* --- one attempt --- */

/* Place the AM container; on failure say why (it is the app's first
 * container: nothing else of it is placed before). */
static bool sched_try_am(struct scheduler *s, struct sched_attempt *a)
{
	weft_resource_t need = a->am_resource;
	struct sched_queue *blocker = NULL;
	struct sched_node *n;
	struct sched_container *c;

	if (!sched_queue_room(s, a->queue, need, &blocker)) {
		a->wait = SCHED_WAIT_QUEUE_MAX;
		a->wait_queue = blocker->index;
		a->wait_a = weft_resource_add(blocker->used, blocker->reserved);
		a->wait_b = sched_maximum(s, blocker);
		a->wait_c = need;
		return false;
	}
	n = sched_find_in(s, s->index, need);
	if (n != NULL) {
		c = sched_place(s, a, n, need, 0, true);
		sched_am_taken(s, a);
		sched_emit(s, c);
		return true;
	}
	if (a->am_reservation == NULL)
		sched_reserve(s, a, SCHED_AM_PRIORITY, need, NULL);
	a->wait = a->am_reservation != NULL ? SCHED_WAIT_RESERVED : SCHED_WAIT_NO_ROOM;
	a->wait_a = need;
	return false;
}

/* Place one container of an ask line. */
static bool sched_try_line(struct scheduler *s, struct sched_attempt *a, struct sched_ask *line)
{
	struct sched_queue *blocker = NULL;
	struct sched_node *n;
	struct sched_container *c;
	bool waiting;

	if (!sched_queue_room(s, a->queue, line->capability, &blocker))
		return false;
	n = sched_pick_for_line(s, line, &waiting);
	if (n != NULL) {
		c = sched_place(s, a, n, line->capability, line->priority, false);
		sched_line_taken(s, a, line);
		sched_emit(s, c);
		return true;
	}
	if (!waiting && line->reservation == NULL)
		sched_reserve(s, a, line->priority, line->capability, line);
	return false;
}

/* One container for attempt a, or false when it can place nothing more
 * in this pass. */
static bool sched_try_attempt(struct scheduler *s, struct sched_attempt *a)
{
	const struct sched_user *u = a->user;
	weft_resource_t limit = sched_user_limit(s, a->queue, s->opts.minimum);

	if (u->used.memory_mb >= limit.memory_mb || u->used.vcores >= limit.vcores) {
		if (a->am_pending) {
			a->wait = SCHED_WAIT_USER_LIMIT;
			a->wait_a = u->used;
			a->wait_b = limit;
		}
		return false;
	}
	if (a->am_pending)
		return sched_try_am(s, a);
	for (int i = 0; i < a->n_asks; i++) {
		struct sched_ask *line = &a->asks[i];

		if (line->count == 0 || line->blocked_pass == s->pass)
			continue;
		if (sched_try_line(s, a, line))
			return true;
		line->blocked_pass = s->pass;
	}
	return false;
}

/* --- the queue walk --- */

/* Whether q (used / guaranteed a) ranks before r (b): further below its
 * guarantee, then the larger guarantee, then configuration order. */
static bool sched_queue_before(const struct sched_queue *q, double a, const struct sched_queue *r,
                               double b)
{
	if (a != b)
		return a < b;
	if (q->def->abs_capacity != r->def->abs_capacity)
		return q->def->abs_capacity > r->def->abs_capacity;
	return q->index < r->index;
}

/* The leaf to serve next below q, or NULL (q is then skipped for the
 * rest of the pass). */
static struct sched_queue *sched_pick_leaf(struct scheduler *s, struct sched_queue *q)
{
	struct sched_queue *blocker;

	if (q->blocked_pass == s->pass || q->n_ready == 0)
		return NULL;
	if (q->parent != NULL && !sched_queue_room(s, q, s->opts.minimum, &blocker)) {
		q->blocked_pass = s->pass;
		return NULL;
	}
	if (q->leaf) {
		if (q->ready.n > 0)
			return q;
		q->blocked_pass = s->pass;
		return NULL;
	}
	for (;;) {
		struct sched_queue *best = NULL, *leaf;
		double best_ratio = 0;

		/* Each child's ratio once: wide parents make this the loop of a
		 * grant. */
		for (int i = 0; i < q->n_children; i++) {
			struct sched_queue *c = q->children[i];
			double ratio;

			if (c->blocked_pass == s->pass || c->n_ready == 0)
				continue;
			ratio = sched_queue_ratio(s, c);
			if (best == NULL || sched_queue_before(c, ratio, best, best_ratio)) {
				best = c;
				best_ratio = ratio;
			}
		}
		if (best == NULL) {
			q->blocked_pass = s->pass;
			return NULL;
		}
		leaf = sched_pick_leaf(s, best);
		if (leaf != NULL)
			return leaf;
		best->blocked_pass = s->pass;
	}
}

/* Reserved nodes whose room now holds their ask. */
static void sched_fulfil_reservations(struct scheduler *s)
{
	struct sched_reservation *r, *next;

	for (r = TAILQ_FIRST(&s->reservations); r != NULL; r = next) {
		struct sched_node *n = r->node;
		struct sched_attempt *a = r->attempt;
		int32_t priority = r->priority;
		weft_resource_t need = r->resource;
		struct sched_container *c;
		struct sched_ask *line;

		next = TAILQ_NEXT(r, link);
		if (!n->schedulable || !sched_fits(need, weft_resource_sub(n->capacity, n->used)))
			continue;
		sched_reservation_cancel(s, r);
		if (a->state != SCHED_ACTIVE)
			continue;
		if (priority == SCHED_AM_PRIORITY) {
			if (!a->am_pending)
				continue;
			c = sched_place(s, a, n, need, 0, true);
			sched_am_taken(s, a);
			sched_emit(s, c);
			continue;
		}
		line = sched_find_ask(a, priority);
		if (line == NULL || line->count == 0 ||
		    !weft_resource_equal(line->capability, need))
			continue;
		c = sched_place(s, a, n, need, priority, false);
		sched_line_taken(s, a, line);
		sched_emit(s, c);
	}
}

/* Set an attempt aside for the rest of the pass. */
static void sched_block(struct scheduler *s, struct sched_attempt *a)
{
	sched_heap_remove(a->queue, a);
	if (s->n_blocked == s->cap_blocked) {
		s->cap_blocked = s->cap_blocked == 0 ? 16 : s->cap_blocked * 2;
		s->blocked = xreallocarray(s->blocked, s->cap_blocked, sizeof *s->blocked);
	}
	s->blocked[s->n_blocked++] = a;
}

/* Size the container table and the grant array once for what this pass
 * may place at most (pending containers, or minimum-sized ones that fit
 * the free room), instead of doubling and copying as grants come (the
 * grant array up to SCHED_GRANTS_AHEAD: beyond, it still doubles). */
static void sched_reserve_room(struct scheduler *s)
{
	weft_resource_t idle = res_sub(s->total, s->used_sched), min = s->opts.minimum;
	int64_t fit = s->n_pending;

	if (min.memory_mb > 0 && idle.memory_mb / min.memory_mb < fit)
		fit = idle.memory_mb / min.memory_mb;
	if (min.vcores > 0 && idle.vcores / min.vcores < fit)
		fit = idle.vcores / min.vcores;
	if (fit <= 0)
		return;
	sched_ctable_reserve(s, (size_t)fit);
	if (s->grants == NULL && fit > 16) {
		s->cap_grants = fit < SCHED_GRANTS_AHEAD ? (int)fit : SCHED_GRANTS_AHEAD;
		s->grants = xreallocarray(NULL, s->cap_grants, sizeof *s->grants);
	}
}

/* Steps 3: one decision at a time while there is room. */
static void sched_assign(struct scheduler *s)
{
	struct sched_queue *root = s->queues[0];

	struct sched_node *roomiest;

	s->n_blocked = 0;
	while ((roomiest = node_index_find_spread(s->index, s->opts.minimum)) != NULL) {
		struct sched_queue *leaf = sched_pick_leaf(s, root);
		struct sched_attempt *a;

		if (leaf == NULL)
			break;
		a = leaf->ready.items[0];
		sched_place_prefetch(s, a, roomiest);
		if (!sched_try_attempt(s, a))
			sched_block(s, a);
	}
	for (int i = 0; i < s->n_blocked; i++) {
		struct sched_attempt *a = s->blocked[i];

		if (a->ready && a->heap_pos < 0 && a->queue != NULL)
			sched_heap_push(a->queue, a);
	}
	s->n_blocked = 0;
}

int scheduler_allocate(struct scheduler *s, struct scheduler_grant **grants)
{
	int n;

	s->pass++;
	s->now_ms = 0;
	s->grants = NULL;
	sched_settle_nodes(s);
	sched_nodes_flush(s);
	s->n_grants = 0;
	s->cap_grants = 0;
	sched_activate(s);
	if (s->n_reserved > 0)
		sched_fulfil_reservations(s);
	if (s->queues[0]->n_ready > 0) {
		sched_refresh_shares(s);
		sched_reserve_room(s);
		sched_assign(s);
	}
	n = s->n_grants;
	if (n == 0) {
		free(s->grants);
		s->grants = NULL;
	}
	*grants = s->grants;
	s->grants = NULL;
	s->n_grants = 0;
	s->cap_grants = 0;
	return n;
}
