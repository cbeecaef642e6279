/*
 * scheduler_nodes.c — nodes as the scheduler books them: capacity and
 * usage, the room each offers to the free-room indexes (none when it is
 * unschedulable or held for a reservation), hosts and racks (rack
 * indexes exist only while nodes sit on more than one rack), the
 * cluster's schedulable total, and reservations of nodes for large asks.
 */
#include "weft_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "rm/scheduler_impl.h"

static void sched_racks_sync(struct scheduler *s);

/* The global index compacted its slots. */
static void sched_node_moved_cb(void *owner, int slot)
{
	((struct sched_node *)owner)->slot = slot;
}

static void sched_rack_moved_cb(void *owner, int slot)
{
	((struct sched_node *)owner)->rack_slot = slot;
}

/* Empty node books. */
void sched_nodes_init(struct scheduler *s)
{
	TAILQ_INIT(&s->nodes);
	TAILQ_INIT(&s->racks);
	TAILQ_INIT(&s->reservations);
	s->node_map = strmap_new();
	s->host_map = strmap_new();
	s->rack_map = strmap_new();
	s->index = node_index_new();
	node_index_set_moved_cb(s->index, sched_node_moved_cb);
}

/* Reservation records, before their attempts go. */
void sched_nodes_free_reservations(struct scheduler *s)
{
	struct sched_reservation *res;

	while ((res = TAILQ_FIRST(&s->reservations)) != NULL) {
		TAILQ_REMOVE(&s->reservations, res, link);
		free(res);
	}
}

/* Every node and rack (containers are freed with their attempts). */
void sched_nodes_free(struct scheduler *s)
{
	struct sched_node *n;
	struct sched_rack *r;

	while ((n = TAILQ_FIRST(&s->nodes)) != NULL) {
		TAILQ_REMOVE(&s->nodes, n, link);
		sched_clist_free(&n->containers);
		free(n->host);
		free(n);
	}
	while ((r = TAILQ_FIRST(&s->racks)) != NULL) {
		TAILQ_REMOVE(&s->racks, r, link);
		node_index_free(r->index);
		free(r->dirty);
		free(r->name);
		free(r);
	}
	node_index_free(s->index);
	free(s->dirty);
	free(s->shapes);
	strmap_free(s->node_map);
	strmap_free(s->host_map);
	strmap_free(s->rack_map);
}

/* --- nodes --- */

/* Append n to a dirty list. */
static void sched_dirty_push(struct sched_node ***list, int *n, int *cap, struct sched_node *node)
{
	if (*n == *cap) {
		*cap = *cap == 0 ? 16 : *cap * 2;
		*list = xreallocarray(*list, *cap, sizeof **list);
	}
	(*list)[(*n)++] = node;
}

/* What a node offers: nothing when it is not schedulable or is held for
 * a reservation. */
static void sched_node_room(const struct sched_node *n, weft_resource_t *free_room,
                            weft_resource_t *cap)
{
	if (n->schedulable && n->reservation == NULL) {
		*free_room = res_sub(n->capacity, n->used);
		*cap = n->capacity;
	} else {
		*free_room = weft_resource(-1, -1);
		*cap = *free_room;
	}
}

/* Publish what the node offers to the cluster index now, and to its
 * rack's index when a search there needs it. */
void sched_node_offer(struct scheduler *s, struct sched_node *n)
{
	weft_resource_t free_room, cap;
	struct sched_rack *r = n->rack;

	sched_node_room(n, &free_room, &cap);
	node_index_set(s->index, n->slot, free_room, cap);
	if (!s->rack_indexes || n->rack_dirty)
		return;
	sched_dirty_push(&r->dirty, &r->n_dirty, &r->cap_dirty, n);
	n->rack_dirty = true;
}

void sched_node_offer_later(struct scheduler *s, struct sched_node *n)
{
	if (n->dirty)
		return;
	n->dirty = true;
	sched_dirty_push(&s->dirty, &s->n_dirty, &s->cap_dirty, n);
}

/* The dirty nodes' leaves are scattered over the index: fetch them a few
 * nodes ahead, so the cache misses overlap instead of queueing. */
void sched_nodes_flush(struct scheduler *s)
{
	enum { AHEAD = 8 };

	for (int i = 0; i < s->n_dirty && i < AHEAD; i++)
		__builtin_prefetch(s->dirty[i]);
	for (int i = 0; i < s->n_dirty; i++) {
		struct sched_node *n = s->dirty[i];

		if (i + AHEAD < s->n_dirty)
			__builtin_prefetch(s->dirty[i + AHEAD]);
		if (i + AHEAD / 2 < s->n_dirty)
			node_index_prefetch(s->index, s->dirty[i + AHEAD / 2]->slot);
		n->dirty = false;
		sched_node_offer(s, n);
	}
	s->n_dirty = 0;
}

/* Take node off a dirty list it is on (*flag) and clear *flag (a node
 * that goes away or changes rack; rare, so a scan). */
static void sched_dirty_remove(struct sched_node **list, int *n, struct sched_node *node,
                               bool *flag)
{
	if (!*flag)
		return;
	for (int i = 0; i < *n; i++) {
		if (list[i] == node) {
			list[i] = list[--*n];
			break;
		}
	}
	*flag = false;
}

/* Take a node off the cluster's dirty list. */
static void sched_node_undirty(struct scheduler *s, struct sched_node *n)
{
	sched_dirty_remove(s->dirty, &s->n_dirty, n, &n->dirty);
}

/* Take a node off its rack's dirty list (it leaves the rack). */
static void sched_rack_undirty(struct sched_node *n)
{
	sched_dirty_remove(n->rack->dirty, &n->rack->n_dirty, n, &n->rack_dirty);
}

/* Rack indexes exist only while nodes sit on more than one rack: with a
 * single rack, rack-local is cluster-wide and the cluster index answers
 * (one index update per grant instead of two).  Called after every change
 * of a node's rack or existence. */
static void sched_racks_sync(struct scheduler *s)
{
	struct sched_rack *r;
	struct sched_node *n;
	int used = 0;

	TAILQ_FOREACH(r, &s->racks, link)
	used += r->n_nodes > 0;
	if (used > 1 && !s->rack_indexes) {
		TAILQ_FOREACH(r, &s->racks, link)
		{
			r->index = node_index_new();
			node_index_set_moved_cb(r->index, sched_rack_moved_cb);
		}
		s->rack_indexes = true;
		TAILQ_FOREACH(n, &s->nodes, link)
		{
			n->rack_slot = node_index_add(n->rack->index, n);
			sched_node_offer(s, n);
		}
	} else if (used <= 1 && s->rack_indexes) {
		TAILQ_FOREACH(r, &s->racks, link)
		{
			for (int i = 0; i < r->n_dirty; i++)
				r->dirty[i]->rack_dirty = false;
			r->n_dirty = 0;
			node_index_free(r->index);
			r->index = NULL;
		}
		s->rack_indexes = false;
	}
}

struct node_index *sched_rack_index(const struct scheduler *s, struct sched_rack *r)
{
	if (!s->rack_indexes)
		return s->index;
	for (int i = 0; i < r->n_dirty; i++) {
		struct sched_node *n = r->dirty[i];
		weft_resource_t free_room, cap;

		sched_node_room(n, &free_room, &cap);
		node_index_set(r->index, n->rack_slot, free_room, cap);
		n->rack_dirty = false;
	}
	r->n_dirty = 0;
	return r->index;
}

/* The rack record for name, made on first use. */
static struct sched_rack *sched_rack_get(struct scheduler *s, const char *name)
{
	struct sched_rack *r = strmap_get(s->rack_map, name);

	if (r != NULL)
		return r;
	r = xcalloc(1, sizeof *r);
	r->name = xstrdup(name);
	if (s->rack_indexes) {
		r->index = node_index_new();
		node_index_set_moved_cb(r->index, sched_rack_moved_cb);
	}
	TAILQ_INSERT_TAIL(&s->racks, r, link);
	strmap_put(s->rack_map, name, r);
	return r;
}

/* Count a capacity shape in or out (clusters have few distinct node sizes,
 * so "is any node large enough" needs no scan of the nodes). */
static void sched_shape_count(struct scheduler *s, weft_resource_t cap, int sign)
{
	for (int i = 0; i < s->n_shapes; i++) {
		if (weft_resource_equal(s->shapes[i].capacity, cap)) {
			s->shapes[i].count += sign;
			if (s->shapes[i].count == 0)
				s->shapes[i] = s->shapes[--s->n_shapes];
			return;
		}
	}
	if (sign < 0)
		return;
	s->shapes = xreallocarray(s->shapes, s->n_shapes + 1, sizeof *s->shapes);
	s->shapes[s->n_shapes].capacity = cap;
	s->shapes[s->n_shapes].count = 1;
	s->n_shapes++;
}

bool sched_some_node_holds(const struct scheduler *s, weft_resource_t need)
{
	for (int i = 0; i < s->n_shapes; i++) {
		if (sched_fits(need, s->shapes[i].capacity))
			return true;
	}
	return false;
}

weft_resource_t sched_largest_node(const struct scheduler *s, bool *any)
{
	weft_resource_t best = {0, 0};

	*any = s->n_shapes > 0;
	for (int i = 0; i < s->n_shapes; i++) {
		weft_resource_t c = s->shapes[i].capacity;

		if (c.memory_mb > best.memory_mb ||
		    (c.memory_mb == best.memory_mb && c.vcores > best.vcores))
			best = c;
	}
	return best;
}

/* Count a node in (sign 1) or out of (-1) the cluster's schedulable total. */
static void sched_node_count(struct scheduler *s, struct sched_node *n, int sign)
{
	sched_shape_count(s, n->capacity, sign);
	s->total.memory_mb += sign * n->capacity.memory_mb;
	s->total.vcores += sign * n->capacity.vcores;
	s->used_sched.memory_mb += sign * n->used.memory_mb;
	s->used_sched.vcores += sign * n->used.vcores;
	s->n_schedulable += sign;
	s->shares_stale = true;
}

/* A reservation whose node cannot hold it any more goes. */
static void sched_node_check_reservation(struct scheduler *s, struct sched_node *n)
{
	if (n->reservation != NULL &&
	    (!n->schedulable || !sched_fits(n->reservation->resource, n->capacity)))
		sched_reservation_cancel(s, n->reservation);
}

void scheduler_node_add(struct scheduler *s, const char *node_id, weft_resource_t capacity)
{
	struct sched_node *n = strmap_get(s->node_map, node_id);
	const char *colon;
	size_t len;

	sched_settle_nodes(s);

	if (n != NULL) {
		if (n->schedulable)
			sched_node_count(s, n, -1);
		n->capacity = capacity;
		n->schedulable = true;
		sched_node_count(s, n, 1);
		sched_node_check_reservation(s, n);
		sched_node_offer(s, n);
		return;
	}
	/* The id lives in the same allocation: every grant copies it. */
	len = strlen(node_id);
	n = xcalloc(1, sizeof *n + len + 1);
	n->id = (char *)(n + 1);
	memcpy(n->id, node_id, len + 1);
	n->id_len = len > 255 ? 255 : len;
	colon = strrchr(node_id, ':');
	n->host = colon != NULL ? xstrndup(node_id, (size_t)(colon - node_id)) : xstrdup(node_id);
	n->host_next = strmap_get(s->host_map, n->host);
	strmap_put(s->host_map, n->host, n);
	n->capacity = capacity;
	n->schedulable = true;
	n->rack = sched_rack_get(s, SCHED_DEFAULT_RACK);
	n->rack->n_nodes++;
	n->slot = node_index_add(s->index, n);
	if (s->rack_indexes)
		n->rack_slot = node_index_add(n->rack->index, n);
	TAILQ_INSERT_TAIL(&s->nodes, n, link);
	strmap_put(s->node_map, node_id, n);
	sched_node_count(s, n, 1);
	sched_node_offer(s, n);
	sched_racks_sync(s);
}

void scheduler_node_set_rack(struct scheduler *s, const char *node_id, const char *rack)
{
	struct sched_node *n = strmap_get(s->node_map, node_id);

	sched_settle_nodes(s);

	if (n == NULL || rack == NULL || rack[0] == '\0' || strcmp(n->rack->name, rack) == 0)
		return;
	if (s->rack_indexes)
		node_index_remove(n->rack->index, n->rack_slot);
	sched_rack_undirty(n);
	n->rack->n_nodes--;
	n->rack = sched_rack_get(s, rack);
	n->rack->n_nodes++;
	if (s->rack_indexes)
		n->rack_slot = node_index_add(n->rack->index, n);
	sched_node_offer(s, n);
	sched_racks_sync(s);
}

/* Unlink a node from its host's chain. */
static void sched_host_unlink(struct scheduler *s, struct sched_node *n)
{
	struct sched_node *first = strmap_get(s->host_map, n->host), *p;

	if (first == n) {
		if (n->host_next != NULL)
			strmap_put(s->host_map, n->host, n->host_next);
		else
			strmap_remove(s->host_map, n->host);
		return;
	}
	for (p = first; p != NULL && p->host_next != n; p = p->host_next)
		;
	if (p != NULL)
		p->host_next = n->host_next;
}

int scheduler_node_remove(struct scheduler *s, const char *node_id,
                          struct scheduler_container **containers)
{
	struct sched_node *n = strmap_get(s->node_map, node_id);
	int count = 0;

	sched_settle_nodes(s);

	*containers = NULL;
	if (n == NULL)
		return 0;
	if (n->reservation != NULL)
		sched_reservation_cancel(s, n->reservation);
	if (n->n_containers > 0)
		*containers = xcalloc(n->n_containers, sizeof **containers);
	/* Each drop leaves the list alone (the last one empties it). */
	for (int i = 0; i < n->containers.n; i++) {
		uint32_t h;

		if (sched_clist_at(s, &n->containers, i, &h) != NULL)
			sched_drop(s, h, &(*containers)[count++]);
	}
	if (n->schedulable)
		sched_node_count(s, n, -1);
	strmap_remove(s->node_map, node_id);
	sched_host_unlink(s, n);
	node_index_remove(s->index, n->slot);
	if (s->rack_indexes)
		node_index_remove(n->rack->index, n->rack_slot);
	sched_rack_undirty(n);
	sched_node_undirty(s, n);
	n->rack->n_nodes--;
	TAILQ_REMOVE(&s->nodes, n, link);
	sched_clist_free(&n->containers);
	free(n->host);
	free(n);
	sched_racks_sync(s);
	return count;
}

void scheduler_node_set_schedulable(struct scheduler *s, const char *node_id, bool schedulable)
{
	struct sched_node *n = strmap_get(s->node_map, node_id);

	sched_settle_nodes(s);

	if (n == NULL || n->schedulable == schedulable)
		return;
	if (n->schedulable)
		sched_node_count(s, n, -1);
	n->schedulable = schedulable;
	if (n->schedulable)
		sched_node_count(s, n, 1);
	sched_node_check_reservation(s, n);
	sched_node_offer(s, n);
}

int scheduler_node_usage(const struct scheduler *s, const char *node_id,
                         struct scheduler_node_usage *out)
{
	const struct sched_node *n = strmap_get(s->node_map, node_id);

	sched_settle_nodes(s);

	if (n == NULL)
		return -1;
	out->capacity = n->capacity;
	out->used = n->used;
	out->n_containers = n->n_containers;
	out->schedulable = n->schedulable;
	out->reserved = n->reservation != NULL;
	return 0;
}

int scheduler_node_containers(const struct scheduler *s, const char *node_id,
                              struct scheduler_container **containers)
{
	const struct sched_node *n = strmap_get(s->node_map, node_id);
	const struct sched_container *c;
	int count = 0;

	sched_settle_nodes(s);

	*containers = NULL;
	if (n == NULL || n->n_containers == 0)
		return 0;
	*containers = xcalloc(n->n_containers, sizeof **containers);
	for (int i = 0; i < n->containers.n; i++) {
		if ((c = sched_clist_at(s, &n->containers, i, NULL)) != NULL)
			sched_container_info(c, &(*containers)[count++]);
	}
	return count;
}

bool scheduler_node_has_room(const struct scheduler *s, const char *node_id)
{
	const struct sched_node *n = strmap_get(s->node_map, node_id);
	weft_resource_t free_room;

	sched_settle_nodes(s);

	if (n == NULL || !n->schedulable)
		return false;
	free_room = res_sub(n->capacity, n->used);
	if (n->reservation != NULL)
		return sched_fits(n->reservation->resource, free_room);
	return sched_fits(s->opts.minimum, free_room);
}

/* --- reservations --- */

void sched_reservation_cancel(struct scheduler *s, struct sched_reservation *r)
{
	struct sched_attempt *a = r->attempt;
	struct sched_ask *line;

	if (r->priority == SCHED_AM_PRIORITY)
		a->am_reservation = NULL;
	else if ((line = sched_find_ask(a, r->priority)) != NULL && line->reservation == r)
		line->reservation = NULL;
	if (a->queue != NULL)
		sched_path_reserved(a->queue, r->resource, -1);
	s->reserved = res_sub(s->reserved, r->resource);
	s->n_reserved--;
	r->node->reservation = NULL;
	sched_node_offer(s, r->node);
	TAILQ_REMOVE(&s->reservations, r, link);
	free(r);
}

/* Hold node n for an ask (priority, or SCHED_AM_PRIORITY) of attempt a. */
void sched_reservation_make(struct scheduler *s, struct sched_node *n, struct sched_attempt *a,
                            int32_t priority, weft_resource_t need)
{
	struct sched_reservation *r = xcalloc(1, sizeof *r);
	struct sched_ask *line;

	r->node = n;
	r->attempt = a;
	r->priority = priority;
	r->resource = need;
	if (priority == SCHED_AM_PRIORITY)
		a->am_reservation = r;
	else if ((line = sched_find_ask(a, priority)) != NULL)
		line->reservation = r;
	n->reservation = r;
	sched_node_offer(s, n);
	TAILQ_INSERT_TAIL(&s->reservations, r, link);
	s->n_reserved++;
	s->reserved = res_add(s->reserved, need);
	sched_path_reserved(a->queue, need, 1);
	log_debug("%s: node %s reserved for %lld MB, %lld vcores", a->id, n->id,
	          (long long)need.memory_mb, (long long)need.vcores);
}
