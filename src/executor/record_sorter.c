/*
 * record_sorter.c — partition + sort + spill + merge (record_sorter.h).
 *
 * Memory: the arena holds the records' bytes, each partition a vector of
 * 16-byte entries (8 key bytes as a big-endian number, offset, length).
 * The budget counts the arena and the entries; the radix sort's scratch
 * array (as large as the largest partition) comes on top while sorting.
 *
 * A run file is the partitions one after the other, each sorted, lines
 * ending in '\n'; its partition offsets stay in memory.  At the end the
 * run files are mapped and merged per partition with what is in memory.
 */
#include "weft_config.h"

#include "executor/record_sorter.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "executor/record_io.h"

/* Partitions smaller than this are sorted by comparison alone. */
#define SORT_RADIX_MIN 256

struct sort_part {
	struct sort_entry *e;
	size_t n, cap;
	size_t next; /* iteration without runs */
};

struct sort_run {
	char *path;
	char *map;
	size_t size;
	uint64_t *offsets; /* partitions + 1 */
};

struct record_sorter {
	uint32_t parts;
	size_t budget;
	char *dir;
	char *arena;
	size_t arena_len, arena_cap;
	struct sort_part *p;
	size_t entries; /* held in memory */
	struct sort_run *runs;
	int n_runs;
	uint64_t count;
	bool finished;
	uint32_t merging; /* partition the merge is set up for, + 1 */
	struct record_merge merge;
};

struct record_sorter *record_sorter_new(uint32_t partitions, size_t budget, const char *spill_dir)
{
	struct record_sorter *s = xcalloc(1, sizeof *s);

	s->parts = partitions > 0 ? partitions : 1;
	s->budget = budget < 1024 * 1024 ? 1024 * 1024 : budget;
	if (s->budget > ((size_t)3 << 30))
		s->budget = (size_t)3 << 30;
	s->dir = xstrdup(spill_dir != NULL ? spill_dir : ".");
	s->p = xcalloc(s->parts, sizeof *s->p);
	record_merge_init(&s->merge);
	return s;
}

/* Comparison of two entries on whole keys (qsort_r); equal keys keep
 * their arrival order (the arena offset), so the sort is stable and a
 * task's output depends on its input only. */
static int record_sort_compare(const void *a, const void *b, void *arg)
{
	const struct sort_entry *x = a, *y = b;
	const char *arena = arg;
	const char *kx = arena + x->offset, *ky = arena + y->offset;
	int c;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	c = record_key_cmp(kx, record_key_len(kx, x->len), ky, record_key_len(ky, y->len));
	if (c != 0)
		return c;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* LSD radix sort on the 8 prefix bytes, skipping bytes all entries share. */
static void record_radix_sort(struct sort_entry *e, size_t n, struct sort_entry *tmp)
{
	static size_t count[8][256];
	struct sort_entry *src = e, *dst = tmp, *swap;
	size_t i, sum, c;
	int byte, b;

	memset(count, 0, sizeof count);
	for (i = 0; i < n; i++) {
		uint64_t p = e[i].prefix;

		for (b = 0; b < 8; b++)
			count[b][(p >> (8 * b)) & 0xff]++;
	}
	for (byte = 0; byte < 8; byte++) {
		size_t *cnt = count[byte];
		bool trivial = false;

		for (b = 0; b < 256; b++) {
			if (cnt[b] == n) {
				trivial = true;
				break;
			}
			if (cnt[b] != 0)
				break;
		}
		if (trivial)
			continue;
		for (sum = 0, b = 0; b < 256; b++) {
			c = cnt[b];
			cnt[b] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[cnt[(src[i].prefix >> (8 * byte)) & 0xff]++] = src[i];
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != e)
		memcpy(e, src, n * sizeof *e);
}

/* Sort entries by key: radix on the prefix, then whole keys where two
 * prefixes tie and the keys may still differ. */
void record_sort_entries(struct sort_entry *e, size_t n, const char *arena, struct sort_entry *tmp)
{
	size_t i, j, k, klen, first;
	bool need;

	if (n < 2)
		return;
	if (n < SORT_RADIX_MIN) {
		qsort_r(e, n, sizeof *e, record_sort_compare, (void *)arena);
		return;
	}
	record_radix_sort(e, n, tmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && e[j].prefix == e[i].prefix; j++)
			;
		if (j - i < 2)
			continue;
		/* Keys of at most 8 bytes and one length are equal (and the
		 * radix sort kept them in arrival order). */
		need = false;
		first = record_key_len(arena + e[i].offset, e[i].len);
		for (k = i; k < j && !need; k++) {
			klen = k == i ? first : record_key_len(arena + e[k].offset, e[k].len);
			need = klen > 8 || klen != first;
		}
		if (need)
			qsort_r(e + i, j - i, sizeof *e, record_sort_compare, (void *)arena);
	}
}

/* Sort every partition held in memory. */
static void record_sorter_sort_all(struct record_sorter *s)
{
	struct sort_entry *tmp;
	size_t most = 0;
	uint32_t i;

	for (i = 0; i < s->parts; i++)
		if (s->p[i].n > most)
			most = s->p[i].n;
	if (most < 2)
		return;
	tmp = xmalloc(most * sizeof *tmp);
	for (i = 0; i < s->parts; i++)
		record_sort_entries(s->p[i].e, s->p[i].n, s->arena, tmp);
	free(tmp);
}

/* Write what memory holds, sorted, to a new run file and empty memory. */
static int record_sorter_spill(struct record_sorter *s, char **cause)
{
	struct sort_run *run;
	struct out_buf w;
	uint32_t i;
	size_t k;
	int fd;

	record_sorter_sort_all(s);
	s->runs = xreallocarray(s->runs, (size_t)s->n_runs + 1, sizeof *s->runs);
	run = &s->runs[s->n_runs];
	memset(run, 0, sizeof *run);
	run->path = xasprintf("%s/spill-%d", s->dir, s->n_runs);
	run->offsets = xcalloc((size_t)s->parts + 1, sizeof *run->offsets);
	s->n_runs++;
	fd = open(run->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return set_cause(cause, "spill %s: %s", run->path, strerror(errno));
	out_buf_init(&w, fd, 1024 * 1024);
	for (i = 0; i < s->parts; i++) {
		run->offsets[i] = w.written;
		for (k = 0; k < s->p[i].n; k++) {
			const struct sort_entry *e = &s->p[i].e[k];

			if (out_buf_line(&w, s->arena + e->offset, e->len) != 0)
				goto fail;
		}
		s->p[i].n = 0;
	}
	run->offsets[s->parts] = w.written;
	if (out_buf_flush(&w) != 0)
		goto fail;
	out_buf_free(&w);
	if (close(fd) != 0)
		return set_cause(cause, "spill %s: %s", run->path, strerror(errno));
	run->size = (size_t)run->offsets[s->parts];
	s->arena_len = 0;
	s->entries = 0;
	return 0;
fail:
	set_cause(cause, "spill %s: %s", run->path, strerror(errno));
	out_buf_free(&w);
	close(fd);
	return -1;
}

/* Bytes held against the budget. */
static size_t record_sorter_held(const struct record_sorter *s)
{
	return s->arena_len + s->entries * sizeof(struct sort_entry);
}

int record_sorter_add(struct record_sorter *s, uint32_t part, const char *rec, size_t len,
                      char **cause)
{
	struct sort_part *p = &s->p[part < s->parts ? part : 0];
	struct sort_entry *e;
	size_t need;

	if (len > UINT32_MAX - 1)
		return set_cause(cause, "a record of %zu bytes is too large to sort", len);
	if (s->entries > 0 && record_sorter_held(s) + len + sizeof(struct sort_entry) > s->budget &&
	    record_sorter_spill(s, cause) != 0)
		return -1;
	need = s->arena_len + len;
	if (need > UINT32_MAX)
		return set_cause(cause, "sort arena over 4 GiB");
	if (need > s->arena_cap) {
		size_t cap = s->arena_cap == 0 ? 1024 * 1024 : s->arena_cap * 2;

		while (cap < need)
			cap *= 2;
		if (cap > s->budget && need <= s->budget)
			cap = s->budget;
		if (cap < need)
			cap = need;
		s->arena = xrealloc(s->arena, cap);
		s->arena_cap = cap;
	}
	memcpy(s->arena + s->arena_len, rec, len);
	if (p->n == p->cap) {
		p->cap = p->cap == 0 ? 256 : p->cap * 2;
		p->e = xreallocarray(p->e, p->cap, sizeof *p->e);
	}
	e = &p->e[p->n++];
	e->prefix = record_key_prefix(rec, record_key_len(rec, len));
	e->offset = (uint32_t)s->arena_len;
	e->len = (uint32_t)len;
	s->arena_len += len;
	s->entries++;
	s->count++;
	return 0;
}

int record_sorter_finish(struct record_sorter *s, char **cause)
{
	int i, fd;

	if (s->finished)
		return 0;
	s->finished = true;
	record_sorter_sort_all(s);
	for (i = 0; i < s->n_runs; i++) {
		struct sort_run *run = &s->runs[i];

		if (run->size == 0)
			continue;
		fd = open(run->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return set_cause(cause, "%s: %s", run->path, strerror(errno));
		run->map = mmap(NULL, run->size, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		if (run->map == MAP_FAILED) {
			run->map = NULL;
			return set_cause(cause, "mmap %s: %s", run->path, strerror(errno));
		}
		madvise(run->map, run->size, MADV_SEQUENTIAL);
	}
	return 0;
}

int record_sorter_next(struct record_sorter *s, uint32_t part, const char **rec, size_t *len,
                       size_t *klen)
{
	struct sort_part *p;
	int i;

	if (part >= s->parts)
		return 0;
	p = &s->p[part];
	if (s->n_runs == 0) {
		const struct sort_entry *e;

		if (p->next >= p->n)
			return 0;
		e = &p->e[p->next++];
		*rec = s->arena + e->offset;
		*len = e->len;
		*klen = record_key_len(*rec, *len);
		return 1;
	}
	if (s->merging != part + 1) {
		record_merge_reset(&s->merge);
		for (i = 0; i < s->n_runs; i++) {
			struct sort_run *run = &s->runs[i];

			if (run->map != NULL)
				record_merge_add_lines(&s->merge, run->map + run->offsets[part],
				                       run->offsets[part + 1] - run->offsets[part],
				                       i);
		}
		record_merge_add_entries(&s->merge, p->e, p->n, s->arena, s->n_runs);
		record_merge_start(&s->merge);
		s->merging = part + 1;
	}
	return record_merge_next(&s->merge, rec, len, klen, NULL);
}

uint64_t record_sorter_count(const struct record_sorter *s)
{
	return s->count;
}

int record_sorter_spills(const struct record_sorter *s)
{
	return s->n_runs;
}

void record_sorter_free(struct record_sorter *s)
{
	uint32_t i;
	int k;

	if (s == NULL)
		return;
	for (k = 0; k < s->n_runs; k++) {
		if (s->runs[k].map != NULL)
			munmap(s->runs[k].map, s->runs[k].size);
		unlink(s->runs[k].path);
		free(s->runs[k].path);
		free(s->runs[k].offsets);
	}
	free(s->runs);
	for (i = 0; i < s->parts; i++)
		free(s->p[i].e);
	free(s->p);
	free(s->arena);
	free(s->dir);
	record_merge_free(&s->merge);
	free(s);
}
