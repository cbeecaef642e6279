/*
 * dag_state.h — the DAG scheduler's state, shared by the three files that
 * make it up (and by nothing else):
 *
 *   dag_scheduler.c   stages, their submission, lineage recovery, jobs
 *   dag_task.c        the dataflow task of one partition of a stage
 *   dag_sample.c      range partitioning: sampled keys -> bounds
 */
#ifndef WEFT_DRIVER_DAG_STATE_H
#define WEFT_DRIVER_DAG_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "driver/dag_scheduler.h"
#include "driver/map_output.h"

#define DAG_MAX_CHAIN 1024

enum stage_kind { STAGE_MAP, STAGE_SAMPLE, STAGE_RESULT };
enum stage_state { STAGE_IDLE, STAGE_WAITING, STAGE_RUNNING, STAGE_DONE, STAGE_FAILED };

struct sample_key {
	char *key;
	size_t len;
	double weight;
};

struct shuffle {
	int id;
	struct dataset *child; /* the wide dataset */
	int side;              /* which parent of it */
	struct dataset *parent;
	int partitions;
	bool range;
	char **bounds; /* range: partitions - 1 keys (bytes) */
	size_t *bound_lens;
	int n_bounds;
	bool bounds_ready;
	struct map_outputs *outputs;
	struct stage *map_stage;
	struct stage *sample_stage;
	struct sample_key *samples;
	int n_samples;
};

struct stage {
	struct dag_scheduler *dag;
	int id;
	enum stage_kind kind;
	enum stage_state state;
	struct dataset *final;
	struct shuffle *shuffle; /* map: written; sample: sampled for */
	int job;                 /* result: its job */
	int partitions;
	bool *done; /* sample and result stages */
	int attempts;
	int fetch_failures; /* in a row */
	int tasks_launched;
	int recomputed;
	int64_t records; /* map stage: records written (last output of each task) */
	int64_t spills;  /* map stage: sorted runs spilled to disk */
	struct task_set *set;
	struct task_set_counts last; /* of the last finished attempt */
	char *name;
	int64_t submitted_ms, completed_ms;
};

struct dag_job {
	int id;
	struct dataset *ds;
	enum action_kind kind;
	char *save_dir;
	struct dag_job_callbacks cb;
	struct stage *result;
	const char *state;
	int64_t started_ms, finished_ms;
	char *failure;
};

struct block_state {
	char **node; /* per partition: where the block is, or NULL */
	int64_t *size;
};

struct dag_scheduler {
	struct lineage *l;
	struct task_scheduler *ts;
	struct shuffle **shuffles;
	int n_shuffles;
	struct stage **stages;
	int n_stages;
	struct block_state *blocks; /* per dataset id */
	struct dag_job **jobs;
	int n_jobs;
	struct dag_job *current;
	int recomputed;
	bool checking;
};

/* dag_scheduler.c: the shuffle feeding side `side` of the wide dataset
 * child (made on first use). */
struct shuffle *dag_scheduler_shuffle(struct dag_scheduler *dag, struct dataset *child, int side);
/* The node holding dataset d's block of partition p, or NULL. */
const char *dag_scheduler_block(const struct dag_scheduler *dag, const struct dataset *d, int p);
/* Whether every partition of d is persisted. */
bool dag_scheduler_fully_cached(const struct dag_scheduler *dag, const struct dataset *d);
/* The chain of a pipeline ending in final: chain[0] is the root (text,
 * wide, or a fully persisted dataset), chain[n - 1] is final.  RET n. */
int dag_scheduler_chain(const struct dag_scheduler *dag, struct dataset *final,
                        struct dataset **chain);

/* dag_task.c: the encoded task computing partition p of stage st (a new
 * object); *preferred the node it would best run on, or NULL. */
struct json_object *dag_task_payload(struct dag_scheduler *dag, struct stage *st, int p,
                                     const char **preferred);

/* dag_sample.c: how many keys each task of a sample stage keeps. */
int dag_sample_size(const struct stage *st);
/* Add a sample task's keys to its shuffle's sample. */
void dag_sample_add(struct shuffle *sh, const struct proto_task_result *r);
/* Every sample task finished: the shuffle's range bounds. */
void dag_sample_compute_bounds(struct shuffle *sh);
/* Free a shuffle's sampled keys and bounds. */
void dag_sample_free(struct shuffle *sh);

#endif
