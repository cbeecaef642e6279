/*
 * scheduler_containers.c — live containers: their ids (made from the
 * attempt's id and a sequence number, never stored as text), the table
 * that finds them by id, booking one on a node (sched_place) and dropping
 * it, which charge or credit its resource to the node (and its place in
 * the free-room index), the attempt (and its place in a fair queue's
 * heap), its user, its queue and every ancestor, and the cluster — O(log
 * n + log a + depth) each; and the release and completion calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void sched_container_info(const struct sched_container *c, struct scheduler_container *out)
{
	sched_container_id(c->attempt, c->seq, out->container_id);
	memcpy(out->attempt_id, c->attempt->id, sizeof out->attempt_id);
	snprintf(out->node_id, sizeof out->node_id, "%s", c->node->id);
	out->priority = c->priority;
	out->resource = c->resource;
	out->am = c->am;
	out->allocated_ms = c->allocated_ms;
	out->preempt_at_ms = c->preempt_at_ms;
}

void sched_grant_fill(const struct sched_container *c, struct scheduler_grant *g)
{
	size_t len = strlen(c->node->id);

	sched_container_id(c->attempt, c->seq, g->container_id);
	memcpy(g->attempt_id, c->attempt->id, sizeof g->attempt_id);
	if (len >= sizeof g->node_id)
		len = sizeof g->node_id - 1;
	memcpy(g->node_id, c->node->id, len);
	g->node_id[len] = '\0';
	g->priority = c->priority;
	g->resource = c->resource;
	g->am = c->am;
}

/* --- the container table ---
 *
 * Live containers by id, without string hashing or a malloc per entry:
 * open addressing (linear probing, backward-shift deletion) keyed by the
 * id's numbers; a lookup by text parses the numbers and checks that the
 * container found formats back to exactly that text. */

static uint64_t sched_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static uint64_t sched_ckey(int64_t ts, int64_t app, int64_t attempt, int64_t seq)
{
	return sched_mix((uint64_t)seq * UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)app << 20 ^
	                 (uint64_t)attempt << 48 ^ (uint64_t)ts);
}

static uint64_t sched_ckey_of(const struct sched_container *c)
{
	const weft_attempt_id_t *p = &c->attempt->parsed;

	return sched_ckey(p->app.cluster_ts, p->app.seq, p->attempt, c->seq);
}

static void sched_ctable_insert_raw(struct scheduler *s, struct sched_container *c)
{
	size_t mask = s->ctable_cap - 1, i = sched_ckey_of(c) & mask;

	while (s->ctable[i] != NULL)
		i = (i + 1) & mask;
	s->ctable[i] = c;
}

static void sched_ctable_insert(struct scheduler *s, struct sched_container *c)
{
	if ((s->ctable_n + 1) * 2 > s->ctable_cap) {
		struct sched_container **old = s->ctable;
		size_t old_cap = s->ctable_cap;

		s->ctable_cap = old_cap == 0 ? 1024 : old_cap * 2;
		s->ctable = xcalloc(s->ctable_cap, sizeof *s->ctable);
		for (size_t i = 0; i < old_cap; i++) {
			if (old[i] != NULL)
				sched_ctable_insert_raw(s, old[i]);
		}
		free(old);
	}
	sched_ctable_insert_raw(s, c);
	s->ctable_n++;
}

static void sched_ctable_remove(struct scheduler *s, struct sched_container *c)
{
	size_t mask = s->ctable_cap - 1, i = sched_ckey_of(c) & mask, j;

	while (s->ctable[i] != c)
		i = (i + 1) & mask;
	s->ctable[i] = NULL;
	s->ctable_n--;
	/* Shift back the entries of the run that follows. */
	for (j = (i + 1) & mask; s->ctable[j] != NULL; j = (j + 1) & mask) {
		size_t home = sched_ckey_of(s->ctable[j]) & mask;

		if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
			s->ctable[i] = s->ctable[j];
			s->ctable[j] = NULL;
			i = j;
		}
	}
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

static struct sched_container *sched_ctable_find(const struct scheduler *s, const char *id)
{
	const char *p = id;
	int64_t ts, app, attempt, seq;
	size_t mask, i;
	char again[WEFT_ID_MAX];

	if (s->ctable_n == 0 || strncmp(p, "container_", 10) != 0)
		return NULL;
	p += 10;
	if ((ts = sched_read_number(&p)) < 0 || *p++ != '_' || (app = sched_read_number(&p)) < 0 ||
	    *p++ != '_' || (attempt = sched_read_number(&p)) < 0 || *p++ != '_' ||
	    (seq = sched_read_number(&p)) < 0 || *p != '\0')
		return NULL;
	mask = s->ctable_cap - 1;
	for (i = sched_ckey(ts, app, attempt, seq) & mask; s->ctable[i] != NULL;
	     i = (i + 1) & mask) {
		struct sched_container *c = s->ctable[i];
		const weft_attempt_id_t *a = &c->attempt->parsed;

		if (c->seq == seq && a->app.seq == app && a->attempt == attempt &&
		    a->app.cluster_ts == ts) {
			sched_container_id(c->attempt, c->seq, again);
			return strcmp(again, id) == 0 ? c : NULL;
		}
	}
	return NULL;
}

/* Add (sign 1) or remove (-1) a container's resource everywhere it counts. */
static void sched_charge(struct scheduler *s, struct sched_container *c, int sign)
{
	struct sched_node *n = c->node;
	struct sched_attempt *a = c->attempt;
	weft_resource_t r = c->resource;

	if (sign < 0)
		r = res_scale(r, -1);
	n->used = res_add(n->used, r);
	n->n_containers += sign;
	if (n->schedulable)
		s->used_sched = res_add(s->used_sched, r);
	sched_node_offer(s, n);
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

struct sched_container *sched_place(struct scheduler *s, struct sched_attempt *a,
                                    struct sched_node *n, weft_resource_t resource,
                                    int32_t priority, bool am)
{
	struct sched_container *c = s->spare;

	/* Recycled records stay warm in the cache and skip malloc. */
	if (c != NULL) {
		s->spare = (struct sched_container *)c->node;
		s->n_spare--;
	} else {
		c = xmalloc(sizeof *c);
	}
	c->node = n;
	c->attempt = a;
	c->seq = a->next_seq++;
	c->allocated_ms = time_now_ms();
	c->preempt_at_ms = 0;
	c->resource = resource;
	c->priority = priority;
	c->am = am;
	c->keep = false;
	TAILQ_INSERT_TAIL(&n->containers, c, node_link);
	TAILQ_INSERT_TAIL(&a->containers, c, attempt_link);
	sched_charge(s, c, 1);
	sched_ctable_insert(s, c);
	return c;
}

/* Drop a container from every index and book; copy it out first. */
void sched_drop(struct scheduler *s, struct sched_container *c, struct scheduler_container *out)
{
	if (out != NULL)
		sched_container_info(c, out);
	sched_ctable_remove(s, c);
	if (c->preempt_at_ms != 0)
		c->attempt->n_marked--;
	TAILQ_REMOVE(&c->node->containers, c, node_link);
	TAILQ_REMOVE(&c->attempt->containers, c, attempt_link);
	sched_charge(s, c, -1);
	if (s->n_spare < SCHED_MAX_SPARE) {
		c->attempt = NULL;
		c->node = (struct sched_node *)s->spare;
		s->spare = c;
		s->n_spare++;
	} else {
		free(c);
	}
}

/* --- releases and completions --- */

int scheduler_release(struct scheduler *s, const char *attempt_id, const char *container_id,
                      struct scheduler_container *out)
{
	struct sched_container *c = sched_ctable_find(s, container_id);

	if (c == NULL || strcmp(c->attempt->id, attempt_id) != 0)
		return -1;
	sched_drop(s, c, out);
	return 0;
}

int scheduler_container_completed(struct scheduler *s, const char *container_id,
                                  struct scheduler_container *out)
{
	struct sched_container *c = sched_ctable_find(s, container_id);

	if (c == NULL)
		return -1;
	sched_drop(s, c, out);
	return 0;
}

int scheduler_container_lookup(const struct scheduler *s, const char *container_id,
                               struct scheduler_container *out)
{
	const struct sched_container *c = sched_ctable_find(s, container_id);

	if (c == NULL)
		return -1;
	sched_container_info(c, out);
	return 0;
}

/* The container records of an attempt, when everything goes. */
void sched_containers_free_attempt(struct scheduler *s, struct sched_attempt *a)
{
	struct sched_container *c;

	(void)s;
	while ((c = TAILQ_FIRST(&a->containers)) != NULL) {
		TAILQ_REMOVE(&a->containers, c, attempt_link);
		free(c);
	}
}

/* The table and the spare records. */
void sched_containers_free(struct scheduler *s)
{
	struct sched_container *c;

	while ((c = s->spare) != NULL) {
		s->spare = (struct sched_container *)c->node;
		free(c);
	}
	free(s->ctable);
	s->ctable = NULL;
}
