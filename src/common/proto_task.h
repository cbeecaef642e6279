/*
 * proto_task.h — the driver <-> executor line protocol and the dataflow
 * task (weft/protocol.h, "Driver <-> executor"): one typed struct per
 * message and an encode/decode pair each, used by both ends (Slurm's
 * pack/unpack), plus the names map outputs and blocks have on disk (the
 * executor writes them, the NM shuffle service serves them).
 *
 * Encoders take a filled struct and return a new JSON object (the caller
 * sends and puts it).  Decoders take a received object, check every
 * field's type, range and length, and fill the struct; on failure they
 * return -1 with *cause naming the field path ("task.input.start: -5 is
 * out of range [0, ...]").  Unless a struct says otherwise, the strings a
 * decoder fills point into the decoded object and live as long as it
 * does; a struct with owned parts has a _clear function.
 */
#ifndef WEFT_COMMON_PROTO_TASK_H
#define WEFT_COMMON_PROTO_TASK_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/hash.h"

/* Caps a decoder enforces. */
#define PROTO_TASK_ID_MAX          128 /* executorId: [A-Za-z0-9._:-]{1,128} */
#define PROTO_TASK_HOST_MAX        255
#define PROTO_TASK_MAX_CORES       4096
#define PROTO_TASK_PATH_MAX        4096
#define PROTO_TASK_MAX_ENV         1024
#define PROTO_TASK_MAX_ENV_KEY     256
#define PROTO_TASK_STDERR_TAIL     4096        /* what an executor sends */
#define PROTO_TASK_STDERR_TAIL_MAX (64 * 1024) /* what a driver accepts */
#define PROTO_TASK_MAX_COMMANDS    256
#define PROTO_TASK_MAX_MAPS        1000000
#define PROTO_TASK_MAX_PARTITIONS  1000000
#define PROTO_TASK_MAX_SAMPLE      1000000
#define PROTO_TASK_MAP_ID_MAX      64 /* a map id: [0-9_]{1,64} */

/* ------------------------------------------------------------------ */
/* Message types ("type"). */

enum proto_task_type {
	PROTO_TASK_UNKNOWN,
	PROTO_TASK_REGISTER,   /* exec -> drv */
	PROTO_TASK_REGISTERED, /* drv -> exec */
	PROTO_TASK_REJECTED,   /* drv -> exec */
	PROTO_TASK_LAUNCH,     /* drv -> exec */
	PROTO_TASK_STATUS,     /* exec -> drv */
	PROTO_TASK_KILL,       /* drv -> exec */
	PROTO_TASK_SHUTDOWN,   /* drv -> exec */
	PROTO_TASK_CHALLENGE,  /* drv -> exec */
	PROTO_TASK_AUTH,       /* exec -> drv */
};

/* A line's "type".  RET 0 with *type (PROTO_TASK_UNKNOWN for a type of
 * another protocol, *name then says which), -1 with *cause when there is
 * no string "type". */
int proto_task_type_decode(struct json_object *obj, enum proto_task_type *type, const char **name,
                           char **cause);

/* ------------------------------------------------------------------ */
/* register / registered / rejected / kill / shutdown. */

/* A handshake nonce: PROTO_TASK_NONCE_BYTES random bytes as hex. */
#define PROTO_TASK_NONCE_BYTES 16
#define PROTO_TASK_NONCE_HEX   (2 * PROTO_TASK_NONCE_BYTES)
#define PROTO_TASK_PROOF_HEX   64
/* Whose proof (the two never match, so one cannot be replayed as the other). */
#define PROTO_TASK_ROLE_DRIVER   "driver"
#define PROTO_TASK_ROLE_EXECUTOR "executor"
/* The AM link's (proto_driver.h): the id is the AM's attempt id. */
#define PROTO_TASK_ROLE_DRIVER_AM "driver-am"
#define PROTO_TASK_ROLE_AM        "am"

struct proto_task_register {
	const char *executor_id;  /* [A-Za-z0-9._:-]{1,128} */
	const char *nonce;        /* PROTO_TASK_NONCE_HEX hex digits */
	const char *host;         /* printable, no spaces, 1..255 */
	const char *node_id;      /* optional ("" or NULL: host) */
	const char *container_id; /* optional: a container id, or "" */
	int cores;                /* 1..PROTO_TASK_MAX_CORES */
	const char *work_dir;     /* optional */
	int64_t pid;              /* optional, 0 when absent */
};
struct json_object *proto_task_register_encode(const struct proto_task_register *m);
int proto_task_register_decode(struct json_object *obj, struct proto_task_register *m,
                               char **cause);

/* drv -> exec: the driver's nonce and its proof; exec -> drv (auth): the
 * executor's proof. */
struct proto_task_challenge {
	const char *nonce; /* PROTO_TASK_NONCE_HEX hex digits */
	const char *proof; /* PROTO_TASK_PROOF_HEX hex digits */
};
struct json_object *proto_task_challenge_encode(const struct proto_task_challenge *m);
int proto_task_challenge_decode(struct json_object *obj, struct proto_task_challenge *m,
                                char **cause);
struct proto_task_auth {
	const char *proof; /* PROTO_TASK_PROOF_HEX hex digits */
};
struct json_object *proto_task_auth_encode(const struct proto_task_auth *m);
int proto_task_auth_decode(struct json_object *obj, struct proto_task_auth *m, char **cause);

/* Whether s is exactly len hex digits (a nonce or a proof). */
bool proto_task_hex_valid(const char *s, size_t len);

/* The handshake proof of role (PROTO_TASK_ROLE_*): HMAC-SHA256(secret,
 * role NUL executor_id NUL executor_nonce NUL driver_nonce) as 64 hex
 * chars + NUL in out.  Compare proofs with security_equal. */
void proto_task_proof(const char *secret, const char *role, const char *executor_id,
                      const char *executor_nonce, const char *driver_nonce, char out[65]);

struct json_object *proto_task_registered_encode(void);

struct proto_task_rejected {
	const char *reason; /* NULL: none given */
};
struct json_object *proto_task_rejected_encode(const struct proto_task_rejected *m);
int proto_task_rejected_decode(struct json_object *obj, struct proto_task_rejected *m,
                               char **cause);

struct proto_task_kill {
	int64_t task_id;
	int attempt;
};
struct json_object *proto_task_kill_encode(const struct proto_task_kill *m);
int proto_task_kill_decode(struct json_object *obj, struct proto_task_kill *m, char **cause);

struct json_object *proto_task_shutdown_encode(void);

/* ------------------------------------------------------------------ */
/* The dataflow task ("task" of a launch; the executor's task file). */

enum proto_task_input_type {
	PROTO_TASK_INPUT_TEXT,
	PROTO_TASK_INPUT_SHUFFLE,
	PROTO_TASK_INPUT_BLOCK,
};
enum proto_task_output_type {
	PROTO_TASK_OUTPUT_SHUFFLE,
	PROTO_TASK_OUTPUT_SAVE,
	PROTO_TASK_OUTPUT_COLLECT,
	PROTO_TASK_OUTPUT_SAMPLE,
};
/* What a shuffle read makes of its sides. */
enum proto_task_reduce_mode { PROTO_TASK_REDUCE_GROUP, PROTO_TASK_REDUCE_JOIN };
enum proto_task_join_type {
	PROTO_TASK_JOIN_INNER,
	PROTO_TASK_JOIN_LEFT,
	PROTO_TASK_JOIN_RIGHT,
	PROTO_TASK_JOIN_FULL,
};

/* One map output to read a partition of. */
struct proto_task_map_source {
	char *map;  /* map output id: [0-9_]{1,64} */
	char *node; /* NM "host:port" serving it */
	int64_t size;
};

struct proto_task_shuffle_side {
	int64_t shuffle_id;
	struct proto_task_map_source *maps;
	int n_maps;
};

struct proto_task_input {
	enum proto_task_input_type type;
	/* text */
	char *path; /* an absolute local path, or NULL */
	char *url;  /* or NULL; exactly one of the two */
	int64_t start;
	int64_t length; /* -1: to the end */
	/* shuffle */
	enum proto_task_reduce_mode mode;
	enum proto_task_join_type join;
	struct proto_task_shuffle_side sides[2];
	int n_sides; /* 1 (group) or 2 (join) */
	/* block */
	int64_t dataset;
	char *node;
	int64_t size;
};

struct proto_task_output {
	enum proto_task_output_type type;
	/* shuffle */
	int64_t shuffle_id;
	uint32_t partitions;
	bool range;
	char **bounds; /* range: partitions - 1 sorted keys (bytes) */
	size_t *bound_lens;
	int n_bounds;
	char *combine; /* or NULL */
	/* save */
	char *dir;  /* absolute */
	char *file; /* a plain file name */
	/* sample */
	int64_t sample_size;
};

/* Tee the records after step `step` (0 = the input, i = after
 * commands[i - 1]) into a persisted block of dataset. */
struct proto_task_persist {
	int step;
	int64_t dataset;
};

/*
 * A dataflow task.  The driver fills the "task" part; the executor adds
 * its own part when it writes the task file for its runner.  Every
 * pointer is owned (proto_task_spec_clear frees them).
 */
struct proto_task_spec {
	/* The task file only (the executor's part). */
	int64_t task_id;
	int attempt;
	char *app_id;
	char *node_id;
	char *secret;
	char **local_dirs; /* "localDirs" on the wire: comma-separated */
	int n_local_dirs;
	size_t budget; /* bytes a sort may hold ("budgetBytes") */
	/* The driver's part. */
	int64_t stage;
	int64_t partition;
	struct proto_task_input in;
	char **commands;
	int n_commands;
	struct proto_task_persist *persist;
	int n_persist;
	struct proto_task_output out;
};

/* How much of a spec travels: the driver's "task", or the whole task
 * file. */
enum proto_task_spec_form { PROTO_TASK_SPEC_LAUNCH, PROTO_TASK_SPEC_FILE };

struct json_object *proto_task_spec_encode(const struct proto_task_spec *spec,
                                           enum proto_task_spec_form form);
/* IN prefix: the path of obj in messages ("task", or "" for a file).
 * In the launch form "partition" may be absent (-1: the launch's index). */
int proto_task_spec_decode(struct json_object *obj, const char *prefix,
                           enum proto_task_spec_form form, struct proto_task_spec *spec,
                           char **cause);
void proto_task_spec_clear(struct proto_task_spec *spec);

/* ------------------------------------------------------------------ */
/* launch. */

struct proto_task_launch {
	int64_t task_id; /* decode: -1 until read (a launch without a usable id */
	int attempt;     /* and attempt cannot be answered) */
	int index;
	const char *command;     /* a shell task, or NULL */
	struct json_object *env; /* object of strings, or NULL */
	/* A dataflow task: encode takes task (from proto_task_spec_encode,
	 * LAUNCH form); decode sets task and decodes it into spec (owned:
	 * proto_task_launch_clear). */
	struct json_object *task;
	struct proto_task_spec spec;
};
struct json_object *proto_task_launch_encode(const struct proto_task_launch *m);
int proto_task_launch_decode(struct json_object *obj, struct proto_task_launch *m, char **cause);
void proto_task_launch_clear(struct proto_task_launch *m);

/* ------------------------------------------------------------------ */
/* A dataflow task's result (the runner's result.json, a status's
 * "result").  Every pointer is owned (proto_task_result_clear). */

struct proto_task_block {
	int64_t dataset;
	int64_t size;
};

struct proto_task_result {
	bool has_map_output;
	struct {
		char *map;
		int64_t *sizes; /* per reduce partition */
		int n_sizes;
		int64_t records;
		int64_t spills;
	} map_output;
	struct proto_task_block *blocks;
	int n_blocks;
	int64_t bytes_fetched; /* -1: absent */
	bool has_sample;
	struct {
		int64_t records;
		char **keys; /* bytes (base64 on the wire) */
		size_t *key_lens;
		int n_keys;
	} sample;
	bool has_fetch_failed;
	struct {
		int64_t shuffle_id; /* a map output's shuffle, or -1 */
		char *map;          /* its map id, or NULL */
		int64_t dataset;    /* a block's dataset and partition, or -1 */
		int64_t partition;
		char *node;
		char *message;
	} fetch_failed;
	char *error; /* or NULL */
};

/* An empty result (bytes_fetched and the fetch failure's ids -1). */
void proto_task_result_init(struct proto_task_result *r);
struct json_object *proto_task_result_encode(const struct proto_task_result *r);
int proto_task_result_decode(struct json_object *obj, const char *prefix,
                             struct proto_task_result *r, char **cause);
void proto_task_result_clear(struct proto_task_result *r);

/* ------------------------------------------------------------------ */
/* status. */

enum proto_task_state {
	PROTO_TASK_RUNNING,
	PROTO_TASK_FINISHED,
	PROTO_TASK_FAILED,
	PROTO_TASK_KILLED,
};

struct proto_task_status {
	int64_t task_id;
	int attempt;
	enum proto_task_state state;
	int exit_code; /* required except with RUNNING */
	/* FINISHED: the task's stdout (bytes).  Encode sends it as is when it
	 * is UTF-8 text without NUL, else in base64; decode decodes it. */
	const char *stdout_data; /* NULL: none */
	size_t stdout_len;
	bool stdout_truncated;
	int64_t stdout_size;     /* the full size; encode: -1 = absent */
	const char *stderr_tail; /* NULL: none */
	/* Encode: NULL or the result to send; decode: NULL or owned. */
	struct proto_task_result *result;
	char *decoded; /* decode: a base64 stdout's bytes (owned) */
};
struct json_object *proto_task_status_encode(const struct proto_task_status *m);
int proto_task_status_decode(struct json_object *obj, struct proto_task_status *m, char **cause);
void proto_task_status_clear(struct proto_task_status *m);
const char *proto_task_state_name(enum proto_task_state state);

/* ------------------------------------------------------------------ */
/* Where shuffle files live. */

/* Whether s is a map output id ([0-9_]{1,64}). */
bool proto_task_map_id_valid(const char *s);
/* A map id: "<partition>_<taskId>_<attempt>" (caller frees). */
char *proto_task_map_id(int64_t partition, int64_t task_id, int attempt);
/* The file names a map output ("data" or "index") and a persisted block
 * have in WEFT_SHUFFLE_DIR below an application's local dirs (caller
 * frees). */
#define PROTO_TASK_MAP_DATA  "data"
#define PROTO_TASK_MAP_INDEX "index"
char *proto_task_map_file(int64_t shuffle_id, const char *map, const char *suffix);
char *proto_task_block_file(int64_t dataset, int64_t partition);
/* The shuffle service's paths of a map output's partition and of a
 * persisted block (WEFT_ROUTE_NM_SHUFFLE_MAP, _BLOCK; caller frees). */
char *proto_task_shuffle_map_path(const char *app_id, int64_t shuffle_id, const char *map,
                                  int64_t reduce);
char *proto_task_shuffle_block_path(const char *app_id, int64_t dataset, int64_t partition);
/* The local dir (of n) a file name goes to: common/hash.h's
 * hash_dir_index, so that its writer and its readers agree (the name
 * stays for the callers that know it so). */
#define proto_task_dir_index(name, n) hash_dir_index(name, n)

#endif
