/*
 * proto_driver.h — the driver's own messages (weft/protocol.h, "Driver
 * <-> executor and driver <-> AM" and "Driver status"): the client-mode
 * AM link (register-am, registered, request-executors, kill-executor,
 * executor-lost, shutdown; "rejected" is proto_task's) and the status
 * page GET /ws/v1/driver.  One typed struct per message and an
 * encode/decode pair each, used by both ends: the driver (driver/
 * am_link.c, driver.c, the status server), weft-am (am/driver_link.c)
 * and whoever reads the status page (weft-submit's progress, tests).
 *
 * Encoders take a filled struct and return a new JSON object.  Decoders
 * check every field's type, range and length and fill the struct; on
 * failure they return -1 with *cause naming the field path
 * ("executors[2].cores: -1 is out of range [0, ...]").  The strings a
 * decoder fills point into the decoded object and live as long as it
 * does; arrays a decoder fills are owned by the struct (its _clear frees
 * them, not what they point to).
 */
#ifndef WEFT_COMMON_PROTO_DRIVER_H
#define WEFT_COMMON_PROTO_DRIVER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* Caps a decoder enforces. */
#define PROTO_DRIVER_AM_LINE_MAX     (1024 * 1024) /* a line on the AM link */
#define PROTO_DRIVER_LOST_DIAG_MAX   (64 * 1024)   /* executor-lost's diagnostics */
#define PROTO_DRIVER_MAX_EXECUTORS   100000        /* request-executors' total */
#define PROTO_DRIVER_URL_MAX         4095          /* registered's trackingUrl */
#define PROTO_DRIVER_TEXT_MAX        4096          /* a name, host, address or id */
#define PROTO_DRIVER_WORD_MAX        32            /* a state, kind or action */
#define PROTO_DRIVER_DIAGNOSTICS_MAX (1024 * 1024) /* the status's diagnostics */
#define PROTO_DRIVER_MAX_ITEMS       1000000       /* executors, jobs, stages */

/* ------------------------------------------------------------------ */
/* The client-mode AM link: message types ("type"). */

enum proto_driver_type {
	PROTO_DRIVER_UNKNOWN,
	PROTO_DRIVER_REGISTER_AM,       /* am -> drv */
	PROTO_DRIVER_REGISTERED,        /* drv -> am */
	PROTO_DRIVER_REJECTED,          /* drv -> am: proto_task_rejected */
	PROTO_DRIVER_REQUEST_EXECUTORS, /* drv -> am */
	PROTO_DRIVER_KILL_EXECUTOR,     /* drv -> am */
	PROTO_DRIVER_EXECUTOR_LOST,     /* am -> drv */
	PROTO_DRIVER_SHUTDOWN,          /* drv -> am */
	PROTO_DRIVER_CHALLENGE,         /* drv -> am: proto_task_challenge */
	PROTO_DRIVER_AUTH,              /* am -> drv: proto_task_auth */
};

/* A line's "type".  RET 0 with *type (PROTO_DRIVER_UNKNOWN for another
 * type, *name then says which), -1 with *cause when there is no string
 * "type". */
int proto_driver_type_decode(struct json_object *obj, enum proto_driver_type *type,
                             const char **name, char **cause);

/* am -> drv, the link's first line.  The driver answers with a challenge
 * and the AM with auth, as on the executor link (proto_task.h), the proofs
 * made with PROTO_TASK_ROLE_DRIVER_AM / PROTO_TASK_ROLE_AM and the attempt
 * id. */
struct proto_driver_register_am {
	const char *nonce;          /* PROTO_TASK_NONCE_HEX hex digits */
	const char *application_id; /* an application id */
	const char *attempt_id;     /* an attempt of that application */
};
struct json_object *proto_driver_register_am_encode(const struct proto_driver_register_am *m);
int proto_driver_register_am_decode(struct json_object *obj, struct proto_driver_register_am *m,
                                    char **cause);

/* drv -> am: admitted; the AM registers with the RM with this URL. */
struct proto_driver_registered {
	const char *tracking_url; /* NULL: none; else http://..., < 4096 bytes */
};
struct json_object *proto_driver_registered_encode(const struct proto_driver_registered *m);
int proto_driver_registered_decode(struct json_object *obj, struct proto_driver_registered *m,
                                   char **cause);

/* drv -> am: want this many executors in all. */
struct proto_driver_request_executors {
	int total; /* 0..PROTO_DRIVER_MAX_EXECUTORS */
};
struct json_object *
proto_driver_request_executors_encode(const struct proto_driver_request_executors *m);
int proto_driver_request_executors_decode(struct json_object *obj,
                                          struct proto_driver_request_executors *m, char **cause);

/* drv -> am: stop this executor's container. */
struct proto_driver_kill_executor {
	const char *container_id; /* a container id */
};
struct json_object *proto_driver_kill_executor_encode(const struct proto_driver_kill_executor *m);
int proto_driver_kill_executor_decode(struct json_object *obj, struct proto_driver_kill_executor *m,
                                      char **cause);

/* am -> drv: an executor's container ended. */
struct proto_driver_executor_lost {
	const char *container_id; /* a container id */
	int exit_status;          /* decode: 0 when absent */
	const char *diagnostics;  /* decode: NULL when absent; encode: NULL sends "" */
};
struct json_object *proto_driver_executor_lost_encode(const struct proto_driver_executor_lost *m);
int proto_driver_executor_lost_decode(struct json_object *obj, struct proto_driver_executor_lost *m,
                                      char **cause);

/* drv -> am: the application ends with this final status. */
struct proto_driver_shutdown {
	const char *final_status; /* SUCCEEDED, FAILED or KILLED */
	const char *diagnostics;  /* decode: NULL when absent; encode: NULL sends "" */
};
struct json_object *proto_driver_shutdown_encode(const struct proto_driver_shutdown *m);
int proto_driver_shutdown_decode(struct json_object *obj, struct proto_driver_shutdown *m,
                                 char **cause);

/* ------------------------------------------------------------------ */
/* The status page: GET /ws/v1/driver answers {"driver":<status>}. */

/* One executor ("executors"[]). */
struct proto_driver_executor {
	const char *id;
	const char *host;
	const char *node_id;
	const char *container_id; /* NULL or "": none (not sent) */
	int64_t cores;
	int64_t active_tasks, completed_tasks, failed_tasks;
	bool released; /* dynamic allocation let it go */
};

/* "dynamicAllocation" (when on). */
struct proto_driver_allocation {
	int64_t min_executors, max_executors, target_executors, released_executors;
};

/* One action of a dataflow job ("job"."jobs"[]). */
struct proto_driver_action {
	int64_t job_id;
	const char *action;  /* "collect" or "save" */
	const char *dataset; /* its dataset's name */
	const char *state;   /* RUNNING, SUCCEEDED, FAILED, CANCELLED */
	int64_t result_stage_id;
	int64_t submission_ms;
	int64_t completion_ms;      /* 0: not over (not sent) */
	const char *failure_reason; /* NULL: none (not sent) */
};

/* One stage ("job"."stages"[]). */
struct proto_driver_stage {
	int64_t stage_id;
	const char *name;
	const char *kind;  /* shuffle-map, sample, result */
	const char *state; /* IDLE, WAITING, RUNNING, DONE, FAILED */
	const char *dataset;
	int64_t shuffle_id; /* -1: none (not sent) */
	int64_t job_id;     /* -1: none (not sent) */
	int64_t attempts;
	int64_t num_tasks, num_complete, num_active, num_pending, num_failed, num_killed;
	int64_t num_speculative, num_launched, num_recomputed, fetch_failures;
	bool has_shuffle_write; /* a map stage: the three below are sent */
	int64_t shuffle_write_bytes, shuffle_write_records, spills;
	int64_t submission_ms, completion_ms; /* 0: not yet (not sent) */
};

/* The job's part ("job"). */
struct proto_driver_job {
	const char *kind; /* the job file's kind ("dataflow"); NULL: not sent */
	const char *name; /* NULL: none (not sent) */
	struct proto_driver_action *jobs;
	int n_jobs;
	struct proto_driver_stage *stages;
	int n_stages;
	int64_t recomputed_map_partitions; /* -1: not known yet (not sent) */
};
struct json_object *proto_driver_job_encode(const struct proto_driver_job *m);
/* path names obj in causes ("driver.job"). */
int proto_driver_job_decode(struct json_object *obj, const char *path, struct proto_driver_job *m,
                            char **cause);
void proto_driver_job_clear(struct proto_driver_job *m);

/* The driver's status (the object inside {"driver":...}). */
struct proto_driver_status {
	const char *address; /* what executors dial */
	const char *state;   /* IDLE, RUNNING, ENDING, DONE, SUCCEEDED, FAILED */
	int64_t started_ms;
	int64_t finished_ms;                         /* 0: not over (not sent) */
	const char *diagnostics;                     /* NULL or "": none (not sent) */
	int64_t pending, running, succeeded, failed; /* "tasks" */
	struct proto_driver_executor *executors;
	int n_executors;
	bool has_allocation;
	struct proto_driver_allocation allocation;
	/* The job's part.  Encode: job_object (taken; from
	 * proto_driver_job_encode, or kept from when the job ended), else
	 * "kind" = kind when kind is not NULL.  Decode: has_job and job, or
	 * kind. */
	struct json_object *job_object;
	bool has_job;
	struct proto_driver_job job;
	const char *kind;
};
struct json_object *proto_driver_status_encode(struct proto_driver_status *m);
int proto_driver_status_decode(struct json_object *obj, struct proto_driver_status *m,
                               char **cause);
void proto_driver_status_clear(struct proto_driver_status *m);

/* {"driver":status} (status taken), and the status out of such a page
 * (borrowed from page) or NULL with *cause. */
struct json_object *proto_driver_page_wrap(struct json_object *status);
struct json_object *proto_driver_page_unwrap(struct json_object *page, char **cause);
/* The page's URL for a status server at address ("host:port", as
 * net_format_address writes it): "http://host:port/ws/v1/driver"
 * (caller frees). */
char *proto_driver_page_url(const char *address);

#endif
