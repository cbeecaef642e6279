/*
 * node_index.c — a segment tree over node slots keeping the maxima of
 * free and capacity room per subtree (see node_index.h).
 *
 * tree[1] is the root, tree[i]'s children are tree[2i] and tree[2i+1],
 * and slot s is the leaf tree[size + s].  An empty slot holds (-1, -1)
 * everywhere and no best slot.
 */
#include "rm/node_index.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

#define NODE_INDEX_MIN_SIZE    16
#define NODE_INDEX_COMPACT_MIN 64

/* 32-bit fields keep an entry in 24 bytes (two children share a cache
 * line); values beyond INT32_MAX (2 PiB of memory) are clamped. */
struct ni_entry {
	int32_t fm, fv; /* free memory, vcores (maxima for inner entries) */
	int32_t cm, cv; /* capacity memory, vcores */
	int32_t bfv;    /* free vcores of the best slot (its free memory is fm) */
	int32_t best;   /* slot with the most free room below; -1 when none */
};

struct node_index {
	int size; /* leaves, a power of two */
	int used; /* slots handed out: 0..used-1 */
	int live; /* slots with an owner */
	void **owners;
	struct ni_entry *tree; /* 2 * size */
	void (*moved_cb)(void *owner, int slot);
};

static const struct ni_entry ni_empty = {-1, -1, -1, -1, -1, -1};

/* Whether entry x's best slot ranks before y's (more free memory, then
 * more free vcores, then the lower slot); no best ranks last.  Entries
 * carry their best's room, so no leaf is read. */
static bool ni_entry_better(const struct ni_entry *x, const struct ni_entry *y)
{
	if (x->best < 0)
		return false;
	if (y->best < 0)
		return true;
	if (x->fm != y->fm)
		return x->fm > y->fm;
	if (x->bfv != y->bfv)
		return x->bfv > y->bfv;
	return x->best < y->best;
}

/* The same for two slots. */
static bool ni_better(const struct node_index *ni, int a, int b)
{
	if (a < 0)
		return false;
	if (b < 0)
		return true;
	return ni_entry_better(&ni->tree[ni->size + a], &ni->tree[ni->size + b]);
}

static int32_t ni_max(int32_t a, int32_t b)
{
	return a > b ? a : b;
}

/* Recompute inner entry i from its children. */
static void ni_pull(struct node_index *ni, int i)
{
	const struct ni_entry *l = &ni->tree[2 * i], *r = &ni->tree[2 * i + 1];
	const struct ni_entry *b = ni_entry_better(r, l) ? r : l;
	struct ni_entry *t = &ni->tree[i];

	t->fv = ni_max(l->fv, r->fv);
	t->cm = ni_max(l->cm, r->cm);
	t->cv = ni_max(l->cv, r->cv);
	/* The best slot has the most free memory of the subtree. */
	t->fm = b->best >= 0 ? b->fm : ni_max(l->fm, r->fm);
	t->bfv = b->bfv;
	t->best = b->best;
}

/* Rebuild every inner entry. */
static void ni_rebuild(struct node_index *ni)
{
	for (int i = ni->size - 1; i >= 1; i--)
		ni_pull(ni, i);
}

/* Room for at least `want` slots, leaves kept. */
static void ni_grow(struct node_index *ni, int want)
{
	int size = ni->size;
	struct ni_entry *tree;

	while (size < want)
		size *= 2;
	if (size == ni->size)
		return;
	tree = xcalloc(2 * (size_t)size, sizeof *tree);
	for (int i = 0; i < 2 * size; i++)
		tree[i] = ni_empty;
	for (int s = 0; s < ni->used; s++) {
		tree[size + s] = ni->tree[ni->size + s];
		if (tree[size + s].best >= 0)
			tree[size + s].best = s;
	}
	free(ni->tree);
	ni->tree = tree;
	ni->owners = xreallocarray(ni->owners, size, sizeof *ni->owners);
	memset(ni->owners + ni->size, 0, (size_t)(size - ni->size) * sizeof *ni->owners);
	ni->size = size;
	ni_rebuild(ni);
}

struct node_index *node_index_new(void)
{
	struct node_index *ni = xcalloc(1, sizeof *ni);

	ni->size = NODE_INDEX_MIN_SIZE;
	ni->tree = xcalloc(2 * (size_t)ni->size, sizeof *ni->tree);
	for (int i = 0; i < 2 * ni->size; i++)
		ni->tree[i] = ni_empty;
	ni->owners = xcalloc(ni->size, sizeof *ni->owners);
	return ni;
}

void node_index_free(struct node_index *ni)
{
	if (ni == NULL)
		return;
	free(ni->tree);
	free(ni->owners);
	free(ni);
}

void node_index_set_moved_cb(struct node_index *ni, void (*cb)(void *owner, int slot))
{
	ni->moved_cb = cb;
}

int node_index_count(const struct node_index *ni)
{
	return ni->live;
}

int node_index_add(struct node_index *ni, void *owner)
{
	int slot;

	if (ni->used == ni->size)
		ni_grow(ni, ni->size * 2);
	slot = ni->used++;
	ni->owners[slot] = owner;
	ni->tree[ni->size + slot] = ni_empty;
	ni->live++;
	return slot;
}

/* Set a leaf and fix its ancestors, stopping where nothing changes. */
static void ni_store(struct node_index *ni, int slot, const struct ni_entry *e)
{
	int i = ni->size + slot;

	ni->tree[i] = *e;
	for (i /= 2; i >= 1; i /= 2) {
		struct ni_entry old = ni->tree[i];
		const struct ni_entry *t = &ni->tree[i];

		ni_pull(ni, i);
		/* Entries carry their best's room by value, so an unchanged
		 * entry means unchanged ancestors. */
		if (t->fm == old.fm && t->fv == old.fv && t->cm == old.cm && t->cv == old.cv &&
		    t->bfv == old.bfv && t->best == old.best)
			break;
	}
}

/* An int64 squeezed into the entry's 32 bits. */
static int32_t ni_clamp(int64_t v)
{
	return v > INT32_MAX ? INT32_MAX : v < -1 ? -1 : (int32_t)v;
}

void node_index_set(struct node_index *ni, int slot, weft_resource_t free_room,
                    weft_resource_t capacity)
{
	struct ni_entry e;

	e.fm = ni_clamp(free_room.memory_mb);
	e.fv = ni_clamp(free_room.vcores);
	e.cm = ni_clamp(capacity.memory_mb);
	e.cv = ni_clamp(capacity.vcores);
	e.bfv = e.fv;
	e.best = slot;
	ni_store(ni, slot, &e);
}

/* Move live slots to the front (keeping their order) when most are empty. */
static void ni_compact(struct node_index *ni)
{
	int w = 0;

	for (int s = 0; s < ni->used; s++) {
		if (ni->owners[s] == NULL)
			continue;
		if (w != s) {
			ni->owners[w] = ni->owners[s];
			ni->tree[ni->size + w] = ni->tree[ni->size + s];
			if (ni->tree[ni->size + w].best >= 0)
				ni->tree[ni->size + w].best = w;
			if (ni->moved_cb != NULL)
				ni->moved_cb(ni->owners[w], w);
		}
		w++;
	}
	for (int s = w; s < ni->used; s++) {
		ni->owners[s] = NULL;
		ni->tree[ni->size + s] = ni_empty;
	}
	ni->used = w;
	ni_rebuild(ni);
}

void node_index_remove(struct node_index *ni, int slot)
{
	if (slot < 0 || slot >= ni->used || ni->owners[slot] == NULL)
		return;
	ni->owners[slot] = NULL;
	ni->live--;
	ni_store(ni, slot, &ni_empty);
	if (ni->used > NODE_INDEX_COMPACT_MIN && ni->live < ni->used / 2 && ni->moved_cb != NULL)
		ni_compact(ni);
}

/* --- searches --- */

struct ni_search {
	const struct node_index *ni;
	int64_t m, v;
	int best;
};

/* Whether subtree i may hold a slot ranking before the best so far. */
static bool ni_may_beat(const struct ni_search *q, const struct ni_entry *t)
{
	const struct ni_entry *b;

	if (q->best < 0)
		return true;
	b = &q->ni->tree[q->ni->size + q->best];
	return t->fm > b->fm || (t->fm == b->fm && t->fv > b->fv);
}

/* Most free room among slots whose free room holds the need. */
static void ni_search_spread(struct ni_search *q, int i)
{
	const struct node_index *ni = q->ni;
	const struct ni_entry *t = &ni->tree[i];

	if (t->fm < q->m || t->fv < q->v || !ni_may_beat(q, t))
		return;
	if (t->best >= 0) {
		/* The best slot's room is carried in t (fm, bfv). */
		if (t->fm >= q->m && t->bfv >= q->v) {
			/* The subtree's roomiest slot fits: nothing below beats it. */
			if (ni_better(ni, t->best, q->best))
				q->best = t->best;
			return;
		}
	}
	if (i >= ni->size)
		return;
	ni_search_spread(q, 2 * i);
	ni_search_spread(q, 2 * i + 1);
}

void *node_index_find_spread(const struct node_index *ni, weft_resource_t need)
{
	struct ni_search q = {ni, need.memory_mb, need.vcores, -1};
	const struct ni_entry *t = &ni->tree[1];

	if (t->best >= 0 && t->fm >= need.memory_mb && t->bfv >= need.vcores)
		return ni->owners[t->best];
	ni_search_spread(&q, 1);
	return q.best >= 0 ? ni->owners[q.best] : NULL;
}

/* The lowest slot whose free room holds the need. */
static int ni_search_pack(const struct node_index *ni, int i, int64_t m, int64_t v)
{
	const struct ni_entry *t = &ni->tree[i];
	int found;

	if (t->fm < m || t->fv < v)
		return -1;
	if (i >= ni->size)
		return i - ni->size;
	found = ni_search_pack(ni, 2 * i, m, v);
	return found >= 0 ? found : ni_search_pack(ni, 2 * i + 1, m, v);
}

void *node_index_find_pack(const struct node_index *ni, weft_resource_t need)
{
	int slot = ni_search_pack(ni, 1, need.memory_mb, need.vcores);

	return slot >= 0 ? ni->owners[slot] : NULL;
}

/* Most free room among slots whose capacity holds the need. */
static void ni_search_reservable(struct ni_search *q, int i)
{
	const struct node_index *ni = q->ni;
	const struct ni_entry *t = &ni->tree[i];

	if (t->cm < q->m || t->cv < q->v || !ni_may_beat(q, t))
		return;
	if (i >= ni->size) {
		if (ni_better(ni, i - ni->size, q->best))
			q->best = i - ni->size;
		return;
	}
	ni_search_reservable(q, 2 * i);
	ni_search_reservable(q, 2 * i + 1);
}

void *node_index_find_reservable(const struct node_index *ni, weft_resource_t need)
{
	struct ni_search q = {ni, need.memory_mb, need.vcores, -1};

	ni_search_reservable(&q, 1);
	return q.best >= 0 ? ni->owners[q.best] : NULL;
}
