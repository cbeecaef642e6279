/*
 * node_index.c — a 4-ary segment tree over node slots keeping, per
 * subtree, the best slot with its free room and the maxima of free
 * vcores and of capacity (see node_index.h).
 *
 * Entry 0 is the root, entry e's children are 4e+1 .. 4e+4, and slot s is
 * the leaf first + s (first = the number of inner entries).  Four
 * siblings of 16 bytes fill one 64-byte cache line (the array is shifted
 * by NI_PAD entries so every sibling group starts a line): an update
 * reads a line per level, and there are half as many levels as in a
 * binary tree.  An empty slot holds no best slot and (-1, -1) room.
 */
#include "weft_config.h"

#include "rm/node_index.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

#define NODE_INDEX_MIN_SIZE    16 /* leaves: a power of 4 */
#define NODE_INDEX_COMPACT_MIN 64
#define NI_PAD                 3 /* entry e lives at array index e + NI_PAD */

/* The free-room tree, which every grant and completion changes.  The best
 * slot's free memory and vcores are one 64-bit rank (memory + 1 above,
 * vcores + 1 below), so comparing two entries is one compare, not a chain
 * of unpredictable branches.  32-bit values; beyond INT32_MAX (2 PiB of
 * memory) they are clamped. */
struct ni_entry {
	uint64_t rank; /* of the best slot below: its free memory, then vcores */
	int32_t fv;    /* most free vcores below */
	int32_t best;  /* slot with the most free room below; -1 when none */
};

/* The capacity tree (for reservations), apart because capacities rarely
 * change: a grant does not touch it. */
struct ni_cap {
	int32_t cm, cv; /* most capacity memory, vcores below */
};

struct node_index {
	int size;  /* leaves, a power of 4 */
	int first; /* entry of slot 0's leaf = number of inner entries */
	int used;  /* slots handed out: 0..used-1 */
	int live;  /* slots with an owner */
	void **owners;
	void *tree_mem;        /* the allocation holding tree */
	struct ni_entry *tree; /* NI_PAD + first + size entries, line aligned */
	struct ni_cap *cap;    /* the same shape */
	void (*moved_cb)(void *owner, int slot);
};

static const struct ni_entry ni_empty = {0, -1, -1};
static const struct ni_cap ni_no_cap = {-1, -1};

/* Entry e of the trees. */
static struct ni_entry *ni_at(const struct node_index *ni, int e)
{
	return &ni->tree[e + NI_PAD];
}

static struct ni_cap *ni_cap_at(const struct node_index *ni, int e)
{
	return &ni->cap[e + NI_PAD];
}

/* The rank of free room (fm, fv), both at least -1 (and up to INT32_MAX:
 * the +1 is done unsigned, where INT32_MAX + 1 fits). */
static uint64_t ni_rank(int32_t fm, int32_t fv)
{
	return (uint64_t)((uint32_t)fm + 1u) << 32 | ((uint32_t)fv + 1u);
}

/* Free memory, vcores of an entry's best slot (the subtree's most memory). */
static int64_t ni_fm(const struct ni_entry *e)
{
	return (int64_t)(e->rank >> 32) - 1;
}

static int64_t ni_bfv(const struct ni_entry *e)
{
	return (int64_t)(uint32_t)e->rank - 1;
}

/* Whether entry x's best slot ranks before y's (more free memory, then
 * more free vcores, then the lower slot); no best ranks last (-1 is the
 * largest slot unsigned, and an empty entry's rank is the lowest).
 * Entries carry their best's room, so no leaf is read. */
static bool ni_entry_better(const struct ni_entry *x, const struct ni_entry *y)
{
	return (x->rank > y->rank) |
	       ((x->rank == y->rank) & ((uint32_t)x->best < (uint32_t)y->best));
}

/* The same for two slots. */
static bool ni_better(const struct node_index *ni, int a, int b)
{
	if (a < 0)
		return false;
	if (b < 0)
		return true;
	return ni_entry_better(ni_at(ni, ni->first + a), ni_at(ni, ni->first + b));
}

static int32_t ni_max(int32_t a, int32_t b)
{
	return a > b ? a : b;
}

/* Recompute inner entry e from its four children. */
static void ni_pull(struct node_index *ni, int e)
{
	const struct ni_entry *c = ni_at(ni, 4 * e + 1), *b = c;
	struct ni_entry *t = ni_at(ni, e);
	int32_t fv = c[0].fv;

	for (int k = 1; k < 4; k++) {
		b = ni_entry_better(&c[k], b) ? &c[k] : b;
		fv = ni_max(fv, c[k].fv);
	}
	t->fv = fv;
	t->rank = b->rank;
	t->best = b->best;
}

static void ni_cap_pull(struct node_index *ni, int e)
{
	const struct ni_cap *c = ni_cap_at(ni, 4 * e + 1);
	struct ni_cap *t = ni_cap_at(ni, e);

	t->cm = ni_max(ni_max(c[0].cm, c[1].cm), ni_max(c[2].cm, c[3].cm));
	t->cv = ni_max(ni_max(c[0].cv, c[1].cv), ni_max(c[2].cv, c[3].cv));
}

/* Rebuild every inner entry. */
static void ni_rebuild(struct node_index *ni)
{
	for (int e = ni->first - 1; e >= 0; e--) {
		ni_pull(ni, e);
		ni_cap_pull(ni, e);
	}
}

/* Empty trees for size leaves (first and size set). */
static void ni_alloc(struct node_index *ni, int size)
{
	int n;

	ni->size = size;
	ni->first = (size - 1) / 3;
	n = NI_PAD + ni->first + size;
	ni->tree_mem = xmalloc(((size_t)n + 4) * sizeof *ni->tree);
	ni->tree = (struct ni_entry *)(((uintptr_t)ni->tree_mem + 63) & ~(uintptr_t)63);
	ni->cap = xcalloc(n, sizeof *ni->cap);
	for (int i = 0; i < n; i++) {
		ni->tree[i] = ni_empty;
		ni->cap[i] = ni_no_cap;
	}
}

/* Room for at least `want` slots, leaves kept. */
static void ni_grow(struct node_index *ni, int want)
{
	int size = ni->size, old_size = ni->size, old_first = ni->first;
	void *old_mem = ni->tree_mem;
	struct ni_entry *tree = ni->tree;
	struct ni_cap *cap = ni->cap;

	while (size < want)
		size *= 4;
	if (size == ni->size)
		return;
	ni_alloc(ni, size);
	for (int s = 0; s < ni->used; s++) {
		*ni_at(ni, ni->first + s) = tree[NI_PAD + old_first + s];
		*ni_cap_at(ni, ni->first + s) = cap[NI_PAD + old_first + s];
	}
	free(old_mem);
	free(cap);
	ni->owners = xreallocarray(ni->owners, size, sizeof *ni->owners);
	memset(ni->owners + old_size, 0, (size_t)(size - old_size) * sizeof *ni->owners);
	ni_rebuild(ni);
}

struct node_index *node_index_new(void)
{
	struct node_index *ni = xcalloc(1, sizeof *ni);

	ni_alloc(ni, NODE_INDEX_MIN_SIZE);
	ni->owners = xcalloc(ni->size, sizeof *ni->owners);
	return ni;
}

void node_index_free(struct node_index *ni)
{
	if (ni == NULL)
		return;
	free(ni->tree_mem);
	free(ni->cap);
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
		ni_grow(ni, ni->size * 4);
	slot = ni->used++;
	ni->owners[slot] = owner;
	*ni_at(ni, ni->first + slot) = ni_empty;
	*ni_cap_at(ni, ni->first + slot) = ni_no_cap;
	ni->live++;
	return slot;
}

/* Set a leaf and fix its ancestors, stopping where nothing changes. */
static void ni_store(struct node_index *ni, int slot, const struct ni_entry *v)
{
	int e = ni->first + slot;

	/* The path's lower levels are rarely cached: ask for every level's
	 * sibling line at once, so the misses overlap instead of following
	 * each other up the tree. */
	for (int j = e; j > 0; j = (j - 1) / 4)
		__builtin_prefetch(ni_at(ni, (j - 1) / 4 * 4 + 1), 1);
	*ni_at(ni, e) = *v;
	while (e > 0) {
		struct ni_entry old, *t;

		e = (e - 1) / 4;
		t = ni_at(ni, e);
		old = *t;
		ni_pull(ni, e);
		/* Entries carry their best's room by value, so an unchanged
		 * entry means unchanged ancestors. */
		if (t->rank == old.rank && t->fv == old.fv && t->best == old.best)
			break;
	}
}

/* Set a capacity leaf and recompute its path (capacities rarely change:
 * only an unchanged leaf is skipped). */
static void ni_cap_store(struct node_index *ni, int slot, struct ni_cap c)
{
	int e = ni->first + slot;
	struct ni_cap *leaf = ni_cap_at(ni, e);

	if (leaf->cm == c.cm && leaf->cv == c.cv)
		return;
	*leaf = c;
	for (e = (e - 1) / 4; e >= 0; e = e > 0 ? (e - 1) / 4 : -1)
		ni_cap_pull(ni, e);
}

void node_index_prefetch(const struct node_index *ni, int slot)
{
	__builtin_prefetch(ni_at(ni, ni->first + slot), 1);
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
	struct ni_cap c;

	e.fv = ni_clamp(free_room.vcores);
	e.rank = ni_rank(ni_clamp(free_room.memory_mb), e.fv);
	e.best = slot;
	c.cm = ni_clamp(capacity.memory_mb);
	c.cv = ni_clamp(capacity.vcores);
	ni_store(ni, slot, &e);
	ni_cap_store(ni, slot, c);
}

/* Move live slots to the front (keeping their order) when most are empty. */
static void ni_compact(struct node_index *ni)
{
	int w = 0;

	for (int s = 0; s < ni->used; s++) {
		if (ni->owners[s] == NULL)
			continue;
		if (w != s) {
			struct ni_entry *leaf = ni_at(ni, ni->first + w);

			ni->owners[w] = ni->owners[s];
			*leaf = *ni_at(ni, ni->first + s);
			*ni_cap_at(ni, ni->first + w) = *ni_cap_at(ni, ni->first + s);
			if (leaf->best >= 0)
				leaf->best = w;
			if (ni->moved_cb != NULL)
				ni->moved_cb(ni->owners[w], w);
		}
		w++;
	}
	for (int s = w; s < ni->used; s++) {
		ni->owners[s] = NULL;
		*ni_at(ni, ni->first + s) = ni_empty;
		*ni_cap_at(ni, ni->first + s) = ni_no_cap;
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
	ni_cap_store(ni, slot, ni_no_cap);
	if (ni->used > NODE_INDEX_COMPACT_MIN && ni->live < ni->used / 2 && ni->moved_cb != NULL)
		ni_compact(ni);
}

/* --- searches --- */

struct ni_search {
	const struct node_index *ni;
	int64_t m, v;
	int best;
};

/* Whether subtree t may hold a slot ranking before the best so far. */
static bool ni_may_beat(const struct ni_search *q, const struct ni_entry *t)
{
	const struct ni_entry *b;

	if (q->best < 0)
		return true;
	b = ni_at(q->ni, q->ni->first + q->best);
	return ni_fm(t) > ni_fm(b) || (ni_fm(t) == ni_fm(b) && t->fv > b->fv);
}

/* Most free room among slots whose free room holds the need. */
static void ni_search_spread(struct ni_search *q, int e)
{
	const struct node_index *ni = q->ni;
	const struct ni_entry *t = ni_at(ni, e);

	if (ni_fm(t) < q->m || t->fv < q->v || !ni_may_beat(q, t))
		return;
	if (t->best >= 0 && ni_bfv(t) >= q->v) {
		/* The subtree's roomiest slot (its room is carried in t's
		 * rank) fits: nothing below beats it. */
		if (ni_better(ni, t->best, q->best))
			q->best = t->best;
		return;
	}
	if (e >= ni->first)
		return;
	for (int k = 1; k <= 4; k++)
		ni_search_spread(q, 4 * e + k);
}

void *node_index_find_spread(const struct node_index *ni, weft_resource_t need)
{
	struct ni_search q = {ni, need.memory_mb, need.vcores, -1};
	const struct ni_entry *t = ni_at(ni, 0);

	if (t->best >= 0 && ni_fm(t) >= need.memory_mb && ni_bfv(t) >= need.vcores)
		return ni->owners[t->best];
	ni_search_spread(&q, 0);
	return q.best >= 0 ? ni->owners[q.best] : NULL;
}

/* The lowest slot whose free room holds the need. */
static int ni_search_pack(const struct node_index *ni, int e, int64_t m, int64_t v)
{
	const struct ni_entry *t = ni_at(ni, e);

	if (ni_fm(t) < m || t->fv < v)
		return -1;
	if (e >= ni->first)
		return e - ni->first;
	for (int k = 1; k <= 4; k++) {
		int found = ni_search_pack(ni, 4 * e + k, m, v);

		if (found >= 0)
			return found;
	}
	return -1;
}

void *node_index_find_pack(const struct node_index *ni, weft_resource_t need)
{
	int slot = ni_search_pack(ni, 0, need.memory_mb, need.vcores);

	return slot >= 0 ? ni->owners[slot] : NULL;
}

/* Most free room among slots whose capacity holds the need. */
static void ni_search_reservable(struct ni_search *q, int e)
{
	const struct node_index *ni = q->ni;
	const struct ni_cap *c = ni_cap_at(ni, e);

	if (c->cm < q->m || c->cv < q->v || !ni_may_beat(q, ni_at(ni, e)))
		return;
	if (e >= ni->first) {
		if (ni_better(ni, e - ni->first, q->best))
			q->best = e - ni->first;
		return;
	}
	for (int k = 1; k <= 4; k++)
		ni_search_reservable(q, 4 * e + k);
}

void *node_index_find_reservable(const struct node_index *ni, weft_resource_t need)
{
	struct ni_search q = {ni, need.memory_mb, need.vcores, -1};

	ni_search_reservable(&q, 0);
	return q.best >= 0 ? ni->owners[q.best] : NULL;
}
