/*
 * scheduler_containers.c — live containers: their ids (made from the
 * attempt's id and a sequence number, never stored as text), the table
 * that finds them by id, booking one on a node (sched_place) and dropping
 * it, which charge or credit its resource to the node (and its place in
 * the free-room index), the attempt (and its place in a fair queue's
 * heap), its user, its queue and every ancestor, and the cluster — O(log
 * n + log a + depth) each; and the release and completion calls.
 */
#include "weft_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "common/daemon.h"
#include "common/xmalloc.h"
#include "rm/scheduler_impl.h"

/* --- containers: booking and dropping --- */

/* "<prefix><seq, at least 6 digits>" into buf (WEFT_ID_MAX). */
void sched_container_id(const struct sched_attempt *a, int64_t seq, char *buf)
{
	char digits[24];
	int n = 0;

	memcpy(buf, a->prefix, a->prefix_len);
	do {
		digits[n++] = (char)('0' + seq % 10);
		seq /= 10;
	} while (seq > 0);
	while (n < 6)
		digits[n++] = '0';
	for (int i = 0; i < n; i++)
		buf[a->prefix_len + i] = digits[n - 1 - i];
	buf[a->prefix_len + n] = '\0';
}

/* A node id into a 256-byte field (ids are cut at 255 bytes). */
static void sched_copy_node_id(const struct sched_node *n, char *dst)
{
	memcpy(dst, n->id, n->id_len);
	dst[n->id_len] = '\0';
}

void sched_container_info(const struct sched_container *c, struct scheduler_container *out)
{
	sched_container_id(c->attempt, c->seq, out->container_id);
	memcpy(out->attempt_id, c->attempt->id, sizeof out->attempt_id);
	sched_copy_node_id(c->node, out->node_id);
	out->priority = c->priority;
	out->resource = c->resource;
	out->am = c->am;
	out->allocated_ms = c->allocated_ms;
	out->preempt_at_ms = c->preempt_at_ms;
}

void sched_grant_fill(const struct sched_container *c, struct scheduler_grant *g)
{
	sched_container_id(c->attempt, c->seq, g->container_id);
	memcpy(g->attempt_id, c->attempt->id, sizeof g->attempt_id);
	sched_copy_node_id(c->node, g->node_id);
	g->priority = c->priority;
	g->resource = c->resource;
	g->am = c->am;
}

/* --- handles ---
 *
 * A handle names a container for good while its record moves about the
 * table; a dropped container's handle goes on a stack and is reused
 * first.  Its generation is bumped on every drop, so (handle, generation)
 * list entries go stale at once; a handle whose generation would wrap is
 * never reused, so a stale entry can never look live again. */

/* A handle for a new container. */
static uint32_t sched_handle_new(struct scheduler *s)
{
	if (s->n_free > 0)
		return s->free_handles[--s->n_free];
	if (s->n_handles == SCHED_MAX_HANDLES)
		fatalx("scheduler: more than %u containers at once", SCHED_MAX_HANDLES);
	if (s->n_handles == s->cap_handles) {
		s->cap_handles = s->cap_handles == 0 ? 1024 : s->cap_handles * 2;
		s->handles = xreallocarray(s->handles, s->cap_handles, sizeof *s->handles);
	}
	s->handles[s->n_handles].gen = 0;
	return s->n_handles++;
}

/* Give a dropped container's handle back (its list entries go stale). */
static void sched_handle_free(struct scheduler *s, uint32_t h)
{
	if (++s->handles[h].gen == UINT32_MAX)
		return;
	if (s->n_free == s->cap_free) {
		s->cap_free = s->cap_free == 0 ? 1024 : s->cap_free * 2;
		s->free_handles =
		        xreallocarray(s->free_handles, s->cap_free, sizeof *s->free_handles);
	}
	s->free_handles[s->n_free++] = h;
}

/* Append a live handle to a list whose owner holds `live` containers
 * (this one not counted); squeeze stale entries out first when they
 * outnumber the live ones, so a list is never more than about twice its
 * owner's containers and the squeeze costs O(1) per drop. */
static void sched_clist_add(struct scheduler *s, struct sched_clist *l, int live, uint32_t h)
{
	if (l->n == l->cap && l->n >= 2 * live + 8) {
		int w = 0;

		for (int i = 0; i < l->n; i++) {
			if (s->handles[l->refs[i].handle].gen == l->refs[i].gen)
				l->refs[w++] = l->refs[i];
		}
		l->n = w;
	}
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 4 : l->cap * 2;
		l->refs = xreallocarray(l->refs, l->cap, sizeof *l->refs);
	}
	l->refs[l->n].handle = h;
	l->refs[l->n].gen = s->handles[h].gen;
	l->n++;
}

void sched_clist_free(struct sched_clist *l)
{
	free(l->refs);
	memset(l, 0, sizeof *l);
}

/* --- the container table ---
 *
 * The records themselves, by id, without string hashing or a malloc per
 * container: open addressing (linear probing, backward-shift deletion,
 * at most half full) over 64-byte lines keyed by the id's numbers.  Each
 * line's distance from its home sits in a byte array beside (255: the
 * line is empty), so probing for room, skipping other homes' records and
 * shifting after a deletion read that small array, and a record's line
 * is touched only when it is the one wanted.  A lookup by text parses the
 * numbers, probes, and checks the records of its home against the text. */

#define SCHED_EMPTY    0xff /* distance of an empty line */
#define SCHED_MAX_DIST 0xfe /* further than this from home: the table grows */

static uint64_t sched_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static size_t sched_ckey(int64_t ts, int64_t app, int64_t attempt, int64_t seq)
{
	return (size_t)sched_mix((uint64_t)seq * UINT64_C(0x9e3779b97f4a7c15) ^
	                         (uint64_t)app << 20 ^ (uint64_t)attempt << 48 ^ (uint64_t)ts);
}

static size_t sched_ckey_of(const struct sched_container *c)
{
	const weft_attempt_id_t *p = &c->attempt->parsed;

	return sched_ckey(p->app.cluster_ts, p->app.seq, p->attempt, c->seq);
}

/* An empty table of cap lines: records on a cache-line boundary (never
 * written before use: their pages fault in as lines are first taken) and
 * the distances all SCHED_EMPTY. */
static void sched_ctable_alloc(struct scheduler *s, size_t cap)
{
	s->ctable_cap = cap;
	s->ctable_mem = xmalloc((cap + 1) * sizeof *s->ctable);
	s->ctable = (struct sched_container *)(((uintptr_t)s->ctable_mem + 63) & ~(uintptr_t)63);
	s->ctable_dist = xmalloc(cap);
	memset(s->ctable_dist, SCHED_EMPTY, cap);
}

/* Put record c at the first free line from its home; RET the line, or -1
 * when that is too far (the table must grow). */
static ssize_t sched_ctable_insert_raw(struct scheduler *s, const struct sched_container *c,
                                       size_t home)
{
	size_t mask = s->ctable_cap - 1, i = home & mask, d = 0;

	while (s->ctable_dist[i] != SCHED_EMPTY) {
		if (++d > SCHED_MAX_DIST)
			return -1;
		i = (i + 1) & mask;
	}
	s->ctable[i] = *c;
	s->ctable_dist[i] = (uint8_t)d;
	s->handles[c->handle].line = (uint32_t)i;
	return (ssize_t)i;
}

/* Rehash into a table of at least cap lines (doubling again in the
 * unlikely case a record would land too far from home). */
static void sched_ctable_rehash(struct scheduler *s, size_t cap)
{
	struct sched_container *old = s->ctable;
	void *old_mem = s->ctable_mem;
	uint8_t *old_dist = s->ctable_dist;
	size_t old_cap = s->ctable_cap;

	for (;;) {
		size_t i;

		sched_ctable_alloc(s, cap);
		for (i = 0; i < old_cap; i++) {
			if (old_dist[i] != SCHED_EMPTY &&
			    sched_ctable_insert_raw(s, &old[i], sched_ckey_of(&old[i])) < 0)
				break;
		}
		if (i == old_cap)
			break;
		free(s->ctable_mem);
		free(s->ctable_dist);
		cap *= 2;
	}
	free(old_mem);
	free(old_dist);
}

void sched_ctable_reserve(struct scheduler *s, size_t more)
{
	size_t cap = s->ctable_cap == 0 ? 1024 : s->ctable_cap;

	if ((s->ctable_n + more) * 2 <= s->ctable_cap)
		return;
	while ((s->ctable_n + more) * 2 > cap)
		cap *= 2;
	sched_ctable_rehash(s, cap);
}

/* Put record c in the table (room reserved); RET its line. */
static size_t sched_ctable_insert(struct scheduler *s, const struct sched_container *c, size_t home)
{
	ssize_t line;

	while ((line = sched_ctable_insert_raw(s, c, home)) < 0)
		sched_ctable_rehash(s, s->ctable_cap * 2);
	s->ctable_n++;
	return (size_t)line;
}

/* Empty line i, shifting back the records of the run that follows whose
 * home is not after the hole. */
static void sched_ctable_remove(struct scheduler *s, size_t i)
{
	size_t mask = s->ctable_cap - 1, j;

	s->ctable_n--;
	for (j = (i + 1) & mask; s->ctable_dist[j] != SCHED_EMPTY; j = (j + 1) & mask) {
		size_t gap = (j - i) & mask;

		if (s->ctable_dist[j] >= gap) {
			s->ctable[i] = s->ctable[j];
			s->ctable_dist[i] = (uint8_t)(s->ctable_dist[j] - gap);
			s->handles[s->ctable[i].handle].line = (uint32_t)i;
			i = j;
		}
	}
	s->ctable_dist[i] = SCHED_EMPTY;
}

/* Decimal digits at *p (at most 19); RET -1 when none. */
static int64_t sched_read_number(const char **p)
{
	int64_t v = 0;
	int n = 0;

	while (**p >= '0' && **p <= '9' && n < 19) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n == 0 ? -1 : v;
}

/* Whether id is exactly the text of container c (its sequence number
 * matched; digits: where id's is): its attempt's prefix, then the
 * number as "%06" prints it. */
static bool sched_id_is(const struct sched_container *c, const char *id, const char *digits,
                        size_t n_digits)
{
	const struct sched_attempt *a = c->attempt;

	if ((size_t)(digits - id) != (size_t)a->prefix_len ||
	    memcmp(id, a->prefix, a->prefix_len) != 0)
		return false;
	if (n_digits < 6)
		return false;
	return n_digits == 6 || digits[0] != '0';
}

/* The table line of the live container named id, or -1. */
static ssize_t sched_ctable_find(const struct scheduler *s, const char *id)
{
	const char *p = id, *digits;
	int64_t ts, app, attempt, seq;
	size_t mask, i;

	if (s->ctable_n == 0 || strncmp(p, "container_", 10) != 0)
		return -1;
	p += 10;
	if ((ts = sched_read_number(&p)) < 0 || *p++ != '_' || (app = sched_read_number(&p)) < 0 ||
	    *p++ != '_' || (attempt = sched_read_number(&p)) < 0 || *p++ != '_')
		return -1;
	digits = p;
	if ((seq = sched_read_number(&p)) < 0 || *p != '\0')
		return -1;
	mask = s->ctable_cap - 1;
	i = sched_ckey(ts, app, attempt, seq) & mask;
	/* The home line is most likely the one: fetch it with the distances. */
	__builtin_prefetch(&s->ctable[i]);
	for (size_t d = 0; s->ctable_dist[i] != SCHED_EMPTY; d++, i = (i + 1) & mask) {
		const struct sched_container *c = &s->ctable[i];

		/* Only records of the same home can be it. */
		if (s->ctable_dist[i] != d || c->seq != seq)
			continue;
		/* A drop bumps its handle's generation: fetch that meanwhile. */
		__builtin_prefetch(&s->handles[c->handle], 1);
		if (sched_id_is(c, id, digits, (size_t)(p - digits)))
			return (ssize_t)i;
	}
	return -1;
}

/* Add r (negative: a credit) and sign containers to node n's books. */
static void sched_charge_node(struct scheduler *s, struct sched_node *n, weft_resource_t r,
                              int sign)
{
	n->used = res_add(n->used, r);
	n->n_containers += sign;
	if (n->schedulable)
		s->used_sched = res_add(s->used_sched, r);
	if (sign > 0) {
		sched_node_offer(s, n);
		return;
	}
	sched_node_offer_later(s, n);
	/* A list whose node holds nothing more is emptied at once. */
	if (n->n_containers == 0)
		n->containers.n = 0;
}

/* A completion's credit to its node waits in a list: the node is a cache
 * miss the completion need not wait for, and the next pass (or any call
 * that reads nodes) settles the list in one sweep that fetches ahead. */
static void sched_release_later(struct scheduler *s, struct sched_node *n, weft_resource_t r)
{
	if (s->n_released == s->cap_released) {
		s->cap_released = s->cap_released == 0 ? 256 : s->cap_released * 2;
		s->released = xreallocarray(s->released, s->cap_released, sizeof *s->released);
	}
	s->released[s->n_released].node = n;
	s->released[s->n_released].resource = r;
	s->n_released++;
}

void sched_settle_nodes(const struct scheduler *cs)
{
	enum { AHEAD = 8 };
	/* Logically const: applying the waiting credits changes no answer
	 * (every reader of node books settles first). */
	struct scheduler *s = (struct scheduler *)cs;

	for (int i = 0; i < s->n_released && i < AHEAD; i++)
		__builtin_prefetch(s->released[i].node, 1);
	for (int i = 0; i < s->n_released; i++) {
		if (i + AHEAD < s->n_released)
			__builtin_prefetch(s->released[i + AHEAD].node, 1);
		sched_charge_node(s, s->released[i].node, res_scale(s->released[i].resource, -1),
		                  -1);
	}
	s->n_released = 0;
}

/* Add (sign 1) or remove (-1) a container's resource everywhere it counts
 * (its node's share later when node_later). */
static void sched_charge(struct scheduler *s, struct sched_container *c, int sign, bool node_later)
{
	struct sched_node *n = c->node;
	struct sched_attempt *a = c->attempt;
	weft_resource_t r = c->resource;

	if (sign < 0)
		r = res_scale(r, -1);
	if (node_later)
		sched_release_later(s, n, c->resource);
	else
		sched_charge_node(s, n, r, sign);
	a->used = res_add(a->used, r);
	a->n_containers += sign;
	if (a->user != NULL)
		a->user->used = res_add(a->user->used, r);
	if (a->queue != NULL) {
		sched_path_used(a->queue, c->resource, 1, sign);
		if (a->queue->def->ordering == QUEUE_ORDER_FAIR && a->heap_pos >= 0) {
			a->share = sched_share(s, a->used);
			sched_heap_fix(a->queue, a);
		}
	}
	s->allocated = res_add(s->allocated, r);
	s->n_containers += sign;
}

void sched_place_prefetch(const struct scheduler *s, const struct sched_attempt *a,
                          const struct sched_node *n)
{
	const weft_attempt_id_t *p = &a->parsed;
	size_t line;

	if (s->ctable_cap > 0) {
		line = sched_ckey(p->app.cluster_ts, p->app.seq, p->attempt, a->next_seq) &
		       (s->ctable_cap - 1);
		__builtin_prefetch(&s->ctable[line], 1);
		__builtin_prefetch(&s->ctable_dist[line], 1);
	}
	__builtin_prefetch(n, 1);
}

struct sched_container *sched_place(struct scheduler *s, struct sched_attempt *a,
                                    struct sched_node *n, weft_resource_t resource,
                                    int32_t priority, bool am)
{
	const weft_attempt_id_t *p = &a->parsed;
	size_t home = sched_ckey(p->app.cluster_ts, p->app.seq, p->attempt, a->next_seq);
	struct sched_container rec;
	uint32_t h;

	sched_ctable_reserve(s, 1);
	/* Its table line and the node's list tail are cache misses
	 * independent of the rest: start them. */
	__builtin_prefetch(&s->ctable[home & (s->ctable_cap - 1)], 1);
	__builtin_prefetch(&s->ctable_dist[home & (s->ctable_cap - 1)], 1);
	if (n->containers.n < n->containers.cap)
		__builtin_prefetch(&n->containers.refs[n->containers.n], 1);
	/* One clock read per pass (scheduler_allocate zeroes it). */
	if (s->now_ms == 0)
		s->now_ms = time_now_ms();
	h = sched_handle_new(s);
	memset(&rec, 0, sizeof rec);
	rec.node = n;
	rec.attempt = a;
	rec.seq = a->next_seq++;
	rec.allocated_ms = s->now_ms;
	rec.resource = resource;
	rec.priority = priority;
	rec.handle = h;
	rec.am = am;
	sched_charge(s, &rec, 1, false);
	sched_clist_add(s, &n->containers, n->n_containers - 1, h);
	sched_clist_add(s, &a->containers, a->n_containers - 1, h);
	return &s->ctable[sched_ctable_insert(s, &rec, home)];
}

/* Drop the container on table line `line` from every book (its node's
 * later when node_later). */
static void sched_drop_line(struct scheduler *s, size_t line, struct scheduler_container *out,
                            bool node_later)
{
	struct sched_container *c = &s->ctable[line];
	struct sched_attempt *a = c->attempt;
	uint32_t handle = c->handle;

	if (out != NULL)
		sched_container_info(c, out);
	if (c->preempt_at_ms != 0)
		a->n_marked--;
	sched_charge(s, c, -1, node_later);
	sched_ctable_remove(s, line);
	/* A list whose attempt holds nothing more is emptied at once. */
	if (a->n_containers == 0)
		a->containers.n = 0;
	sched_handle_free(s, handle);
}

void sched_drop(struct scheduler *s, uint32_t handle, struct scheduler_container *out)
{
	sched_drop_line(s, s->handles[handle].line, out, false);
}

/* --- releases and completions --- */

int scheduler_release(struct scheduler *s, const char *attempt_id, const char *container_id,
                      struct scheduler_container *out)
{
	ssize_t line = sched_ctable_find(s, container_id);

	if (line < 0 || strcmp(s->ctable[line].attempt->id, attempt_id) != 0)
		return -1;
	sched_drop_line(s, (size_t)line, out, true);
	return 0;
}

int scheduler_container_completed(struct scheduler *s, const char *container_id,
                                  struct scheduler_container *out)
{
	ssize_t line = sched_ctable_find(s, container_id);

	if (line < 0)
		return -1;
	sched_drop_line(s, (size_t)line, out, true);
	return 0;
}

int scheduler_container_lookup(const struct scheduler *s, const char *container_id,
                               struct scheduler_container *out)
{
	ssize_t line = sched_ctable_find(s, container_id);

	if (line < 0)
		return -1;
	sched_container_info(&s->ctable[line], out);
	return 0;
}

/* The table and the handles. */
void sched_containers_free(struct scheduler *s)
{
	free(s->ctable_mem);
	free(s->ctable_dist);
	free(s->released);
	free(s->handles);
	free(s->free_handles);
	s->ctable = NULL;
	s->ctable_mem = NULL;
	s->ctable_dist = NULL;
	s->handles = NULL;
	s->free_handles = NULL;
}
