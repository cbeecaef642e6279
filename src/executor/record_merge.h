/*
 * record_merge.h — k-way merge of sorted record sources by key.
 *
 * A source is either a byte range of '\n'-terminated lines already sorted
 * by key (a map output segment, a spilled run; usually mmap'd) or a
 * sorted array of sort entries over an arena (the sorter's in-memory
 * part).  The merge hands out records in key order; equal keys come out
 * in the order the sources were added, so the result is stable.
 */
#ifndef WEFT_EXECUTOR_RECORD_MERGE_H
#define WEFT_EXECUTOR_RECORD_MERGE_H

#include <stddef.h>
#include <stdint.h>

/* One record in memory: 8 key bytes to sort on, where it is, its length. */
struct sort_entry {
	uint64_t prefix;
	uint32_t offset; /* in the arena */
	uint32_t len;    /* without '\n' */
};

struct merge_cursor {
	const char *p, *end;                /* lines source: what is left */
	const struct sort_entry *e, *e_end; /* entries source */
	const char *arena;
	const char *rec; /* current record, or NULL when exhausted */
	size_t len;
	size_t klen;
	int tag;
};

struct record_merge {
	struct merge_cursor *cursors;
	int n, cap;
	int *heap;
	int heap_n;
};

void record_merge_init(struct record_merge *m);
/* Add a source of sorted lines (data is not copied; it must outlive the
 * merge).  tag comes back with each of its records. */
void record_merge_add_lines(struct record_merge *m, const char *data, size_t len, int tag);
void record_merge_add_entries(struct record_merge *m, const struct sort_entry *e, size_t n,
                              const char *arena, int tag);
/* After the sources are added. */
void record_merge_start(struct record_merge *m);
/* RET 1 with the next record (and its key length, its source's tag), or
 * 0 when every source is exhausted.  tag may be NULL. */
int record_merge_next(struct record_merge *m, const char **rec, size_t *len, size_t *klen,
                      int *tag);
/* Forget the sources (the merge can be reused). */
void record_merge_reset(struct record_merge *m);
void record_merge_free(struct record_merge *m);

#endif
