/*
 * shuffle_fetch.h — getting a reduce task's input: its partition of every
 * map output (and persisted blocks), from this node's disks when the
 * output is here, else from the NM that serves it (GET
 * /ws/v1/node/shuffle/..., weft/protocol.h), several sources at once.
 *
 * A source that cannot be had (the NM does not answer, the output is
 * gone, the size is wrong) is a fetch failure: the task reports which map
 * output on which node, so the driver can recompute just that from
 * lineage (Spark's FetchFailed).
 */
#ifndef WEFT_EXECUTOR_SHUFFLE_FETCH_H
#define WEFT_EXECUTOR_SHUFFLE_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/proto_task.h"

/* One fetched partition of one map output (or one block). */
struct fetch_segment {
	const char *data;
	size_t len;
	int side;
	void *base; /* what to free or unmap */
	size_t base_len;
	bool mapped;
};

struct fetch_result {
	struct fetch_segment *segs; /* side 0's sources first, each side in order */
	int n;
	uint64_t bytes;
	int remote; /* sources fetched over HTTP */
	/* A fetch failure (the call still returns 0). */
	bool failed;
	int64_t shuffle_id; /* -1 for a block */
	char *map;
	char *node;
	char *message;
};

/* Fetch every source of spec's shuffle input.  RET 0 (see r->failed) or
 * -1 with *cause when the task itself cannot go on. */
int shuffle_fetch(const struct proto_task_spec *spec, struct fetch_result *r, char **cause);
/* Fetch spec's block input the same way (one segment). */
int shuffle_fetch_block(const struct proto_task_spec *spec, struct fetch_result *r, char **cause);
void fetch_result_free(struct fetch_result *r);

/* Open a file of "weft-shuffle" in one of the local dirs (the one its
 * name hashes to first).  RET an fd or -1 with errno. */
int shuffle_fetch_open_local(const struct proto_task_spec *spec, const char *name);

#endif
