/*
 * reduce_input.h — what a reduce partition's command reads: the fetched
 * map output segments merged by key (reduce-by-key, sort-by-key), or the
 * two sides of a join matched by key.
 *
 * A join writes one record per pair of records that share a key:
 *   key TAB left-value TAB right-value
 * (the output of `join -t TAB`), and for the outer kinds the unmatched
 * records of the kept side with an empty value for the other.
 */
#ifndef WEFT_EXECUTOR_REDUCE_INPUT_H
#define WEFT_EXECUTOR_REDUCE_INPUT_H

#include "executor/shuffle_fetch.h"
#include "common/proto_task.h"

/* Write the records to fd.  A reader that leaves early is not an error.
 * RET 0 / -1 *cause. */
int reduce_input_write(const struct proto_task_spec *spec, const struct fetch_result *r, int fd,
                       char **cause);

#endif
