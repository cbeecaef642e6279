/*
 * task_spec.h — a dataflow task as the executor's task runner reads it:
 * the "task" object of a launch message (weft/protocol.h) plus what the
 * executor adds (its node, local dirs, application, secret, memory).
 *
 * Parsing checks every field with its path, so a bad launch fails the
 * task with a message instead of running something half understood.
 */
#ifndef WEFT_EXECUTOR_TASK_SPEC_H
#define WEFT_EXECUTOR_TASK_SPEC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum task_input_type { TASK_INPUT_TEXT, TASK_INPUT_SHUFFLE, TASK_INPUT_BLOCK };
enum task_output_type {
	TASK_OUTPUT_SHUFFLE,
	TASK_OUTPUT_SAVE,
	TASK_OUTPUT_COLLECT,
	TASK_OUTPUT_SAMPLE,
};
/* What a shuffle read makes of its sides. */
enum task_reduce_mode { TASK_REDUCE_GROUP, TASK_REDUCE_JOIN };
enum task_join_type { TASK_JOIN_INNER, TASK_JOIN_LEFT, TASK_JOIN_RIGHT, TASK_JOIN_FULL };

/* One map output to read a partition of. */
struct task_map_source {
	char *map;  /* map output id: [0-9_]{1,64} */
	char *node; /* NM "host:port" serving it */
	int64_t size;
};

struct task_shuffle_side {
	int64_t shuffle_id;
	struct task_map_source *maps;
	int n_maps;
};

struct task_input {
	enum task_input_type type;
	/* text */
	char *path; /* a local file, or NULL */
	char *url;  /* http(s)://, or NULL */
	int64_t start;
	int64_t length; /* -1: to the end */
	/* shuffle */
	enum task_reduce_mode mode;
	enum task_join_type join;
	struct task_shuffle_side sides[2];
	int n_sides;
	/* block */
	int64_t dataset;
	char *node;
	int64_t size;
};

struct task_output {
	enum task_output_type type;
	/* shuffle */
	int64_t shuffle_id;
	uint32_t partitions;
	bool range;
	char **bounds; /* range: partitions - 1 sorted keys */
	size_t *bound_lens;
	int n_bounds;
	char *combine; /* or NULL */
	/* save */
	char *dir;
	char *file;
	/* sample */
	int64_t sample_size;
};

/* Tee the records after step `step` (0 = the input, i = after
 * commands[i - 1]) into a persisted block of dataset. */
struct task_persist {
	int step;
	int64_t dataset;
};

struct task_spec {
	/* From the executor. */
	int64_t task_id;
	int attempt;
	int64_t partition;
	char *app_id;
	char *node_id;
	char *secret;
	char **local_dirs;
	int n_local_dirs;
	size_t budget; /* bytes a sort may hold */
	/* From the driver. */
	int64_t stage;
	struct task_input in;
	char **commands;
	int n_commands;
	struct task_persist *persist;
	int n_persist;
	struct task_output out;
};

/* Parse a task file's object.  RET 0 / -1 with *cause naming the field. */
int task_spec_parse(struct json_object *obj, struct task_spec *spec, char **cause);
void task_spec_free(struct task_spec *spec);

/* Whether s is a map output id ([0-9_]{1,64}). */
bool task_spec_map_id_valid(const char *s);
/* The file names a map output and a block have in "weft-shuffle" below
 * an application's local dirs (caller frees). */
char *task_spec_map_file(int64_t shuffle_id, const char *map, const char *suffix);
char *task_spec_block_file(int64_t dataset, int64_t partition);
/* The local dir (of n) a file name goes to. */
int task_spec_dir_index(const char *name, int n);

#endif
