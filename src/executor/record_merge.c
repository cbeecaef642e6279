/*
 * record_merge.c — k-way merge of sorted record sources (record_merge.h).
 *
 * A binary heap of cursors ordered by (key, cursor index): the index as a
 * tie-breaker keeps the merge stable, which makes the output of a task a
 * function of its inputs alone.
 */
#include "weft_config.h"

#include "executor/record_merge.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "executor/record_io.h"

void record_merge_init(struct record_merge *m)
{
	memset(m, 0, sizeof *m);
}

/* A new cursor slot. */
static struct merge_cursor *record_merge_slot(struct record_merge *m, int tag)
{
	struct merge_cursor *c;

	if (m->n == m->cap) {
		m->cap = m->cap == 0 ? 8 : m->cap * 2;
		m->cursors = xreallocarray(m->cursors, (size_t)m->cap, sizeof *m->cursors);
	}
	c = &m->cursors[m->n++];
	memset(c, 0, sizeof *c);
	c->tag = tag;
	return c;
}

/* Move a cursor to its next record (rec NULL when none is left). */
static void merge_cursor_advance(struct merge_cursor *c)
{
	const char *nl;

	if (c->e != NULL) {
		if (c->e == c->e_end) {
			c->rec = NULL;
			return;
		}
		c->rec = c->arena + c->e->offset;
		c->len = c->e->len;
		c->e++;
	} else {
		if (c->p >= c->end) {
			c->rec = NULL;
			return;
		}
		nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
		c->rec = c->p;
		c->len = nl != NULL ? (size_t)(nl - c->p) : (size_t)(c->end - c->p);
		c->p = nl != NULL ? nl + 1 : c->end;
	}
	c->klen = record_key_len(c->rec, c->len);
}

void record_merge_add_lines(struct record_merge *m, const char *data, size_t len, int tag)
{
	struct merge_cursor *c;

	if (len == 0)
		return;
	c = record_merge_slot(m, tag);
	c->p = data;
	c->end = data + len;
}

void record_merge_add_entries(struct record_merge *m, const struct sort_entry *e, size_t n,
                              const char *arena, int tag)
{
	struct merge_cursor *c;

	if (n == 0)
		return;
	c = record_merge_slot(m, tag);
	c->e = e;
	c->e_end = e + n;
	c->arena = arena;
}

/* Whether cursor a comes before cursor b. */
static int record_merge_less(const struct record_merge *m, int a, int b)
{
	const struct merge_cursor *x = &m->cursors[a], *y = &m->cursors[b];
	int c = record_key_cmp(x->rec, x->klen, y->rec, y->klen);

	return c < 0 || (c == 0 && a < b);
}

/* Restore the heap below position i. */
static void record_merge_sift_down(struct record_merge *m, int i)
{
	int child, tmp;

	for (;;) {
		child = 2 * i + 1;
		if (child >= m->heap_n)
			return;
		if (child + 1 < m->heap_n &&
		    record_merge_less(m, m->heap[child + 1], m->heap[child]))
			child++;
		if (!record_merge_less(m, m->heap[child], m->heap[i]))
			return;
		tmp = m->heap[i];
		m->heap[i] = m->heap[child];
		m->heap[child] = tmp;
		i = child;
	}
}

void record_merge_start(struct record_merge *m)
{
	int i;

	free(m->heap);
	m->heap = xcalloc((size_t)(m->n > 0 ? m->n : 1), sizeof *m->heap);
	m->heap_n = 0;
	for (i = 0; i < m->n; i++) {
		merge_cursor_advance(&m->cursors[i]);
		if (m->cursors[i].rec != NULL)
			m->heap[m->heap_n++] = i;
	}
	for (i = m->heap_n / 2 - 1; i >= 0; i--)
		record_merge_sift_down(m, i);
}

int record_merge_next(struct record_merge *m, const char **rec, size_t *len, size_t *klen, int *tag)
{
	struct merge_cursor *c;

	if (m->heap_n == 0)
		return 0;
	c = &m->cursors[m->heap[0]];
	*rec = c->rec;
	*len = c->len;
	if (klen != NULL)
		*klen = c->klen;
	if (tag != NULL)
		*tag = c->tag;
	merge_cursor_advance(c);
	if (c->rec == NULL)
		m->heap[0] = m->heap[--m->heap_n];
	if (m->heap_n > 1)
		record_merge_sift_down(m, 0);
	return 1;
}

void record_merge_reset(struct record_merge *m)
{
	m->n = 0;
	m->heap_n = 0;
}

void record_merge_free(struct record_merge *m)
{
	free(m->cursors);
	free(m->heap);
	memset(m, 0, sizeof *m);
}
