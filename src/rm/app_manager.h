/*
 * app_manager.h — applications, their attempts and their containers'
 * lifecycles (YARN's RMAppManager, RMApp, RMAppAttempt and RMContainer).
 *
 * Application states (YARN's YarnApplicationState), explicit transitions:
 *   NEW -> NEW_SAVING -> SUBMITTED -> ACCEPTED -> RUNNING -> FINISHED
 *   RUNNING -> ACCEPTED            its attempt failed, a new one starts
 *   any live state -> FAILED       the last attempt failed
 *   any live state -> KILLED       PUT .../state {"state":"KILLED"}
 * with a final status (UNDEFINED until the end, then what the AM reported,
 * FAILED or KILLED) and diagnostics.
 *
 * Attempt states: NEW -> SUBMITTED -> SCHEDULED (AM container asked) ->
 * ALLOCATED (placed; the launcher starts it) -> LAUNCHED (NM accepted it)
 * -> RUNNING (AM registered) -> FINISHED (AM unregistered); FAILED when
 * its AM container dies before the AM unregistered (exit, lost node,
 * expiry, launch failure, launch or liveness timeout); KILLED with its
 * application.  An attempt that ends releases all of its containers
 * (cleanup through the NMs); a failed one is followed by the next attempt
 * while min(max-app-attempts, rm.am.max-attempts) allows.
 *
 * Scheduling is event-driven: app_manager_schedule() runs the scheduler
 * and dispatches what it granted (AM containers to the launcher, others
 * to their attempt's next allocate answer).  It is called on a new ask, a
 * submission, a node with free room, completed containers and lost nodes.
 *
 * Layers: the app manager calls the scheduler, node tracker, AM launcher
 * and staging; they never call it.  What they report comes back through
 * the callbacks rm.c gives them (node_tracker_events, am_launcher_events,
 * staging_apps), which land in the functions below.  Its own files are
 * mapped in app_manager_impl.h.
 */
#ifndef WEFT_RM_APP_MANAGER_H
#define WEFT_RM_APP_MANAGER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "weft/ids.h"
#include "weft/resource.h"

struct rm;
struct app_manager;
struct weft_app_submission;
struct scheduler_ask;
struct scheduler_grant;
struct rm_attempt;

enum app_state {
	APP_NEW,
	APP_NEW_SAVING,
	APP_SUBMITTED,
	APP_ACCEPTED,
	APP_RUNNING,
	APP_FINISHED,
	APP_FAILED,
	APP_KILLED,
	APP_STATE_COUNT
};

enum app_final_status {
	FINAL_UNDEFINED,
	FINAL_SUCCEEDED,
	FINAL_FAILED,
	FINAL_KILLED,
	FINAL_STATUS_COUNT
};

enum attempt_state {
	ATTEMPT_NEW,
	ATTEMPT_SUBMITTED,
	ATTEMPT_SCHEDULED,
	ATTEMPT_ALLOCATED,
	ATTEMPT_LAUNCHED,
	ATTEMPT_RUNNING,
	ATTEMPT_FINISHED,
	ATTEMPT_FAILED,
	ATTEMPT_KILLED,
	ATTEMPT_STATE_COUNT
};

/* Snapshot of an application for the REST API (YARN's ApplicationReport).
 * Strings belong to the app manager and stay valid until the loop runs
 * again; NULL means "none". */
struct app_report {
	const char *id;
	const char *user;
	const char *name;
	const char *queue;
	const char *type;
	const char *tags; /* comma-joined */
	const char *diagnostics;
	const char *tracking_url; /* the AM's, NULL until it registered one */
	const char *am_container_id;
	const char *am_node_id;
	const char *am_node_http_address;
	const char *am_host;
	int am_rpc_port;
	enum app_state state;
	enum app_final_status final_status;
	double progress; /* 0..100 */
	int32_t priority;
	int64_t started_ms;  /* submission */
	int64_t launch_ms;   /* AM container launched, 0 before */
	int64_t finished_ms; /* 0 while live */
	weft_resource_t allocated;
	int running_containers;
	int64_t memory_seconds;
	int64_t vcore_seconds;
	int n_attempts;
};

struct attempt_report {
	const char *id;
	int number;
	enum attempt_state state;
	const char *container_id; /* AM container, NULL before allocation */
	const char *node_id;
	const char *node_http_address;
	const char *diagnostics;
	int64_t start_ms;
	int64_t finish_ms;
};

struct app_metrics {
	int64_t submitted;
	int64_t completed; /* FINISHED (any final status), as YARN counts */
	int64_t failed;
	int64_t killed;
	int pending; /* NEW .. ACCEPTED */
	int running;
};

/* Kinds of refusals the REST layer maps to status + exception. */
enum app_error {
	APP_ERROR_BAD_REQUEST,      /* 400 BadRequestException */
	APP_ERROR_INVALID_RESOURCE, /* 400 InvalidResourceRequestException */
	APP_ERROR_NOT_FOUND,        /* 404 NotFoundException */
	APP_ERROR_NOT_REGISTERED,   /* 400 ApplicationMasterNotRegisteredException */
	APP_ERROR_FORBIDDEN,        /* 403 AccessControlException (queue ACL) */
};

/* What the app manager tells the rest of the RM; rm.c passes it at
 * construction (the webapp's waits listen, webapp_waits.h). */
struct app_manager_events {
	/* An application's state moved (app_state.c, at every transition).
	 * Called in the middle of the app manager's work, when the rest of
	 * the application may not be updated yet: look at it from the loop,
	 * not from here. */
	void (*state_changed)(void *arg, const char *app_id);
	void *arg;
};

struct app_manager *app_manager_new(struct rm *rm, const struct app_manager_events *events);
void app_manager_free(struct app_manager *am);

/* --- submission (REST) --- */
/* Hand out the next application id (application_<clusterTs>_<seq>) to
 * user, who then holds it until it is submitted (by anyone) or let go
 * (with its staging): the user's oldest when at the cap and older than
 * rm.reserved-apps.expiry-ms, or the oldest of all beyond 100000.  RET 0,
 * or -1 with *cause when user holds rm.max-reserved-apps-per-user ids,
 * none old enough (nothing handed out). */
int app_manager_new_application(struct app_manager *am, const char *user, char id_out[WEFT_ID_MAX],
                                char **cause);
/*
 * Submit: the id must have been handed out and not used; queue and AM
 * resource must be valid.  Checked before anything changes.  RET 0 (sub
 * now owned by the app manager; the app is ACCEPTED and its AM container
 * asked for), 1 when the same user already submitted this very
 * submission (a client retrying a POST whose answer it lost: nothing
 * changes, sub still the caller's), or -1 with *error and *cause (sub
 * still the caller's).
 */
int app_manager_submit(struct app_manager *am, struct weft_app_submission *sub, const char *user,
                       enum app_error *error, char **cause);
/*
 * Kill (PUT state KILLED).  RET 0 and *was_final (true when the app had
 * already ended: nothing changed), or -1 for an unknown application.
 */
int app_manager_kill(struct app_manager *am, const char *app_id, const char *diagnostics,
                     bool *was_final);

/* --- reads (REST; staging through staging_apps, rm.c) --- */
int app_manager_report(const struct app_manager *am, const char *app_id, struct app_report *out);
/* Every application in submission order; RET count (caller frees *out). */
int app_manager_reports(const struct app_manager *am, struct app_report **out);
/* RET count (caller frees *out), or -1 for an unknown application. */
int app_manager_attempt_reports(const struct app_manager *am, const char *app_id,
                                struct attempt_report **out);
void app_manager_metrics(const struct app_manager *am, struct app_metrics *out);
/* Whether staging may receive files for this id: handed out and not yet
 * submitted, or submitted and not finished. */
bool app_manager_accepts_files(const struct app_manager *am, const char *app_id);
/* Whether the id was handed out or names a known application. */
bool app_manager_id_known(const struct app_manager *am, const char *app_id);

/* --- events from the node tracker (node_tracker_events, rm.c) --- */
/* The NM reports the container running.  RET false when the RM does not
 * know it (the caller then asks the NM to clean it up). */
bool app_manager_container_running(struct app_manager *am, const char *container_id);
/* A container ended (NM report, lost node, released).  Does not schedule:
 * call app_manager_schedule() after a batch. */
void app_manager_container_completed(struct app_manager *am, const char *container_id,
                                     int exit_status, const char *diagnostics);
/* Run the scheduler and dispatch its grants. */
void app_manager_schedule(struct app_manager *am);

/* --- events from the AM launcher (am_launcher_events, rm.c) --- */
void app_manager_am_launched(struct app_manager *am, const char *attempt_id,
                             const char *container_id);
void app_manager_am_launch_failed(struct app_manager *am, const char *attempt_id,
                                  const char *container_id, const char *why);

/* --- the AM protocol --- */
struct am_attempt_info {
	const char *app_id;
	const char *attempt_id;
	const char *queue;
	const char *user;
	bool registered;
	bool final; /* the attempt (or its application) has ended */
};

struct am_allocation {
	struct scheduler_grant *grants; /* caller frees */
	int n_grants;
	struct json_object *completed; /* array of container statuses (new ref) */
	struct json_object *preempt;   /* [{"containerId","killAtMs"}] wanted back (new
	                                  ref), NULL when none */
	bool shutdown;
};

/* The application's current attempt with that id, or NULL (unknown id, an
 * old attempt, or an evicted application). */
struct rm_attempt *app_manager_am_attempt(struct app_manager *am, const char *attempt_id);
void app_manager_attempt_info(const struct rm_attempt *at, struct am_attempt_info *out);
/* register: RET 0, or -1 with *error and *cause. */
int app_manager_am_register(struct app_manager *am, struct rm_attempt *at, const char *host,
                            int rpc_port, const char *tracking_url, enum app_error *error,
                            char **cause);
/* allocate: asks and releases are applied all-or-nothing (asks validated
 * first); then the scheduler runs and the attempt's new grants and
 * completed containers are drained into *out.  RET 0, or -1 with *error and *cause. */
int app_manager_am_allocate(struct app_manager *am, struct rm_attempt *at, double progress,
                            const struct scheduler_ask *asks, int n_asks,
                            const char *const *releases, int n_releases, struct am_allocation *out,
                            enum app_error *error, char **cause);
/* finish: RET 0, or -1 with *error and *cause. */
int app_manager_am_finish(struct app_manager *am, struct rm_attempt *at,
                          enum app_final_status final_status, const char *diagnostics,
                          const char *tracking_url, enum app_error *error, char **cause);
/* The last allocate answer kept for a resent request (borrowed; NULL if
 * none) and setting it (takes the reference). */
struct json_object *app_manager_attempt_last_answer(const struct rm_attempt *at,
                                                    int64_t *response_id);
void app_manager_attempt_set_last_answer(struct rm_attempt *at, int64_t response_id,
                                         struct json_object *answer);

/* --- names --- */
const char *app_state_name(enum app_state s);
int app_state_parse(const char *text, enum app_state *out); /* case-insensitive */
const char *app_final_status_name(enum app_final_status s);
int app_final_status_parse(const char *text, enum app_final_status *out);
const char *attempt_state_name(enum attempt_state s);

#endif
