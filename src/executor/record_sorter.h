/*
 * record_sorter.h — records grouped by partition and sorted by key within
 * each, in a memory budget (the map side of a shuffle, Hadoop's
 * MapOutputBuffer / Spark's ExternalSorter).
 *
 * Records are copied into one arena and indexed by 16-byte entries per
 * partition.  When arena and entries reach the budget, everything held is
 * sorted and spilled to a run file in the spill directory; at the end the
 * runs and what is still in memory are merged per partition.  Sorting is
 * a radix sort on the first 8 key bytes, with only the ties that need it
 * sorted again on whole keys.
 */
#ifndef WEFT_EXECUTOR_RECORD_SORTER_H
#define WEFT_EXECUTOR_RECORD_SORTER_H

#include <stddef.h>
#include <stdint.h>

#include "executor/record_merge.h"

struct record_sorter;

/* IN budget: bytes of records + index to hold before spilling; spill_dir
 * gets the run files (removed by record_sorter_free). */
struct record_sorter *record_sorter_new(uint32_t partitions, size_t budget, const char *spill_dir);
/* Add a record (copied) to partition part.  RET 0 / -1 *cause (a spill
 * could not be written, a record over 4 GiB). */
int record_sorter_add(struct record_sorter *s, uint32_t part, const char *rec, size_t len,
                      char **cause);
/* No more records: sort, prepare the merge.  RET 0 / -1 *cause. */
int record_sorter_finish(struct record_sorter *s, char **cause);
/* Records of partition part in key order, after finish: RET 1 with the
 * next one, 0 when the partition is exhausted.  Partitions may be read in
 * any order, each once. */
int record_sorter_next(struct record_sorter *s, uint32_t part, const char **rec, size_t *len,
                       size_t *klen);
uint64_t record_sorter_count(const struct record_sorter *s);
int record_sorter_spills(const struct record_sorter *s);
void record_sorter_free(struct record_sorter *s);

/* Sort entries over arena by key (the sorter's in-memory sort, exposed for
 * tests).  tmp has room for n entries. */
void record_sort_entries(struct sort_entry *e, size_t n, const char *arena, struct sort_entry *tmp);

#endif
