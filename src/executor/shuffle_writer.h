/*
 * shuffle_writer.h — the map side of a shuffle: records read from a pipe
 * are partitioned (hash of the key, or the range its key falls in),
 * sorted by key within each partition, optionally run through the
 * combine command, and written as one map output:
 *
 *   <local dir>/weft-shuffle/shuffle_<shuffleId>_<map>.data
 *       the partitions one after the other, each sorted, '\n' lines
 *   <local dir>/weft-shuffle/shuffle_<shuffleId>_<map>.index
 *       partitions + 1 little-endian uint64 offsets into .data
 *
 * in the application's local dir (the container's LOCAL_DIRS), so the NM
 * serves them after the executor is gone.  Both files appear atomically
 * (written under temporary names, renamed at the end).
 */
#ifndef WEFT_EXECUTOR_SHUFFLE_WRITER_H
#define WEFT_EXECUTOR_SHUFFLE_WRITER_H

#include <stdint.h>

#include "common/proto_task.h"

struct shuffle_write_result {
	char *map; /* "<partition>_<taskId>_<attempt>" */
	uint64_t *sizes;
	uint32_t n;
	uint64_t records;
	int spills;
	/* Set when the combine command failed: its wait status. */
	int combine_status;
};

/* The partition of a key under spec's partitioner. */
uint32_t shuffle_writer_partition(const struct proto_task_output *out, const char *key,
                                  size_t klen);
/* Read in_fd to its end and write the map output.  RET 0 / -1 *cause. */
int shuffle_writer_run(const struct proto_task_spec *spec, int in_fd,
                       struct shuffle_write_result *res, char **cause);
void shuffle_write_result_free(struct shuffle_write_result *res);

#endif
