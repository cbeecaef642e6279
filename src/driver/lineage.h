/*
 * lineage.h — a dataflow job file as the driver understands it: the
 * datasets, what each is derived from, and the actions to run on them
 * (weft-job(5)).
 *
 * Parsing checks everything that can be checked before a task runs:
 * every field's type and range (messages name the field's path, e.g.
 * "datasets.counts.parent: no dataset named \"wrds\""), unknown ops and
 * fields, missing parents, cycles, and that every local input exists and
 * can be read.  Resolving lists the input files with their sizes, cuts
 * them into splits and settles every dataset's number of partitions.
 */
#ifndef WEFT_DRIVER_LINEAGE_H
#define WEFT_DRIVER_LINEAGE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#define LINEAGE_DEFAULT_SPLIT_SIZE ((int64_t)64 * 1024 * 1024)
#define LINEAGE_MAX_DATASETS       1000
#define LINEAGE_MAX_PARTITIONS     100000
#define LINEAGE_MAX_SPLIT_SIZE     ((int64_t)1 << 40) /* 1 TiB */

enum dataset_op {
	DATASET_TEXT,          /* files or URLs, cut into splits */
	DATASET_MAP,           /* a command per partition (narrow) */
	DATASET_REDUCE_BY_KEY, /* hash partitioned, sorted by key (wide) */
	DATASET_SORT_BY_KEY,   /* range partitioned: a total order (wide) */
	DATASET_JOIN,          /* two parents by key (wide) */
};

enum dataset_join { JOIN_INNER, JOIN_LEFT, JOIN_RIGHT, JOIN_FULL };

/* An input file (or URL) of a text dataset. */
struct text_file {
	char *path;   /* absolute local path, or NULL */
	char *url;    /* http(s)://, or NULL */
	int64_t size; /* -1: unknown (a URL) */
};

/* A split: [start, start + length) of a file; length -1 = all of it (a URL
 * whose size is unknown). */
struct text_split {
	int file;
	int64_t start;
	int64_t length;
};

struct dataset {
	int id;
	char *name;
	enum dataset_op op;
	struct dataset *parents[2];
	int n_parents;
	char *command;        /* map; optional for the wide ops */
	char *combine;        /* reduce-by-key */
	int partitions;       /* resolved for every dataset */
	int partitions_asked; /* the job file's "partitions", 0 = default */
	bool persist;
	enum dataset_join join;
	/* text */
	char **inputs;
	int n_inputs;
	int64_t split_size;
	struct text_file *files;
	int n_files;
	struct text_split *splits;
	int n_splits;
};

enum action_kind { ACTION_COLLECT, ACTION_SAVE };

struct action {
	enum action_kind kind;
	struct dataset *dataset;
	char *path; /* save: absolute */
	bool overwrite;
};

struct lineage {
	char *name;
	char *base_dir;            /* relative paths resolve here */
	struct dataset **datasets; /* in the job file's order */
	int n_datasets;
	struct dataset **order; /* parents before children */
	struct action *actions;
	int n_actions;
};

/*
 * Parse and check a {"kind":"dataflow",...} description.  Relative paths
 * resolve against its "base-dir", else the current directory.  With
 * resolve, the inputs are listed and split and partitions settled too
 * (which also proves they are readable).  RET 0 with *out, or -1 with
 * *cause naming the bad field.
 */
int lineage_parse(struct json_object *job, bool resolve, struct lineage **out, char **cause);
void lineage_free(struct lineage *l);

/* A URL input's size became known (a HEAD answer): it can be split.
 * RET 0 / -1 when file is not a URL of d or size is below -1 (unknown). */
int lineage_set_url_size(struct lineage *l, struct dataset *d, int file, int64_t size);
/* Cut the inputs into splits again and settle every partition count (after
 * sizes changed).  RET 0 / -1 *cause. */
int lineage_repartition(struct lineage *l, char **cause);
/* The dataset named name, or NULL. */
struct dataset *lineage_find(const struct lineage *l, const char *name);
/* Whether the op shuffles its parents (a stage boundary). */
bool dataset_is_wide(const struct dataset *d);
const char *dataset_op_name(enum dataset_op op);

/* A split-size: "64m", "1g", "4096", 65536 -> bytes in [1,
 * LINEAGE_MAX_SPLIT_SIZE].  RET 0 / -1 with *cause naming path, e.g.
 * "datasets.lines.split-size: \"nan\" is not a size (...)". */
int lineage_parse_size(struct json_object *value, const char *path, int64_t *out, char **cause);
/* The splits of a file of size bytes (URLs: one).  Exposed for tests. */
int lineage_split_count(int64_t size, int64_t split_size);

#endif
