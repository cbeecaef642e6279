/*
 * weft/app.h — the application records of the RM's REST API, as C structs
 * (libweft(3), weft_rm_client(3)): what a client submits (YARN's
 * ApplicationSubmissionContext), what new-application answers, and the
 * application and attempt reports the RM gives back.  The RM and every
 * weft tool encode and decode these same structs.
 *
 * Strings of a report or an attempt handed to a callback point into the
 * answer and are valid during the callback only; the *_sync calls of
 * weft/rm_client.h return copies the caller frees.  An absent optional
 * string is NULL, an absent number 0 (a report's progress -1).
 */
#ifndef WEFT_APP_H
#define WEFT_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "weft/ids.h"
#include "weft/resource.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* The submission (POST /ws/v1/cluster/apps). */

/* A file the AM container gets in its working directory (YARN's
 * LocalResource of type FILE). */
struct weft_app_file {
	char *name; /* [A-Za-z0-9._-]{1,128}, not starting with '.' */
	char *url;  /* /ws/v1/staging/{app}/{name}, http(s):// or file:// */
	bool executable;
	int64_t size;      /* -1: not given */
	int64_t timestamp; /* ms since the epoch; 0: not given */
};

/* One environment variable of the AM container. */
struct weft_app_env {
	char *key;
	char *value;
};

/*
 * YARN's ApplicationSubmissionContext.  A caller fills it with its own
 * strings (the library copies what it sends); one the RM decoded owns
 * them.  max_attempts 0 leaves the RM's rm.am.max-attempts.
 */
struct weft_app_submission {
	char app_id[WEFT_ID_MAX]; /* from new-application */
	char *name;
	char *queue;
	char *type; /* application-type, e.g. "WEFT" */
	char **tags;
	int n_tags;
	int32_t priority;
	int32_t max_attempts;     /* 0 = not given */
	weft_resource_t resource; /* the AM container's */
	bool keep_containers;
	char **commands; /* run with /bin/sh -c, in order */
	int n_commands;
	struct weft_app_env *env;
	int n_env;
	struct weft_app_file *files;
	int n_files;
};

/* ------------------------------------------------------------------ */
/* POST /ws/v1/cluster/apps/new-application's answer. */

struct weft_new_application {
	char app_id[WEFT_ID_MAX];
	/* maximum-resource-capability: the largest container the cluster
	 * grants; 0 when the answer has none */
	int64_t max_memory_mb;
	int64_t max_vcores;
};

/* ------------------------------------------------------------------ */
/* The application report (YARN's ApplicationReport: GET
 * /ws/v1/cluster/apps/{id} and each of /apps' apps.app[]). */

struct weft_app_report {
	const char *id;
	const char *user;
	const char *name;
	const char *queue;
	const char *state;        /* YarnApplicationState, never NULL */
	const char *final_status; /* UNDEFINED, SUCCEEDED, FAILED, KILLED */
	double progress;          /* 0..100; -1 when the RM did not say */
	const char *tracking_ui;
	const char *tracking_url;
	const char *diagnostics;
	int64_t cluster_id;
	const char *application_type;
	const char *application_tags; /* comma-joined */
	int64_t priority;
	int64_t started_ms, launch_ms, finished_ms, elapsed_ms;
	const char *am_container_logs;    /* NULL: not written */
	const char *am_host_http_address; /* NULL: not written */
	const char *am_rpc_address;       /* NULL: not written */
	int64_t allocated_mb, allocated_vcores;
	int64_t running_containers;
	int64_t memory_seconds, vcore_seconds;
	double queue_usage, cluster_usage; /* percent */
};

/* ------------------------------------------------------------------ */
/* One attempt (GET /ws/v1/cluster/apps/{id}/appattempts). */

struct weft_app_attempt {
	int64_t number; /* "id"; -1 when absent */
	int64_t start_ms, finished_ms;
	const char *container_id;      /* the AM container */
	const char *node_http_address; /* host:port of its NM */
	const char *node_id;
	const char *logs_link;
	const char *attempt_id; /* appattempt_... */
	const char *state;      /* appAttemptState */
	const char *diagnostics;
};

/* ------------------------------------------------------------------ */
/* A file in the RM's staging area (PUT /ws/v1/staging/{app}/{name}'s
 * answer): what a submission's weft_app_file.url names. */

struct weft_staged_file {
	const char *url; /* "/ws/v1/staging/{app}/{name}" */
	int64_t size;    /* bytes stored; -1 when not said */
};

/* ------------------------------------------------------------------ */
/* Application states (YARN's YarnApplicationState). */

/* Whether state is FINISHED, FAILED or KILLED (never changes again). */
bool weft_app_state_final(const char *state);
/* Whether text is one of NEW, NEW_SAVING, SUBMITTED, ACCEPTED, RUNNING,
 * FINISHED, FAILED, KILLED (upper case, as the RM writes them). */
bool weft_app_state_valid(const char *text);

#ifdef __cplusplus
}
#endif

#endif
