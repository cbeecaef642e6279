/*
 * app_manager_impl.h — the app manager's private records, shared by the
 * files it is made of and opaque to the rest of the RM (which sees only
 * app_manager.h).  The map, one concern per file:
 *
 *   app_manager.c    the facade: the application table (ids handed out,
 *                    submission, kill, eviction), construction and the
 *                    scheduling pass that dispatches grants
 *   app_state.c      the app and attempt state tables and their setters
 *                    (the only writers of app->state and at->state)
 *   app_attempts.c   an attempt's life: start, AM launch, failure and
 *                    retry, end, release, retirement; the app's end
 *   rm_containers.c  the RM's container records: the one owner of
 *                    container state (its table, its setter, its index)
 *   app_liveness.c   the monitors (AM allocate calls, AM launch, unused
 *                    grants, AMs that unregistered but did not exit)
 *   app_preempt.c    the preemption policy's timer and its kills
 *   am_protocol.c    AM register / allocate / finish (am_service.c is
 *                    the wire side)
 *   app_reports.c    reports, metrics and the staging area's questions
 *
 * Ownership: an application owns its submission and attempts; an attempt
 * owns the records of its live containers and the completed statuses its
 * AM has not been told yet.  Resource bookings of the same containers live
 * in the scheduler; a record is freed exactly when its booking is
 * released.
 */
#ifndef WEFT_RM_APP_MANAGER_IMPL_H
#define WEFT_RM_APP_MANAGER_IMPL_H

#include <event2/event.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "rm/app_manager.h"
#include "rm/liveness.h"
#include "weft/ids.h"
#include "weft/resource.h"

struct strmap;
struct user_groups;
struct scheduler_container;
struct scheduler_grant;

/* The RM's view of a container: granted (ALLOCATED), handed to its AM or
 * sent to its node as the AM container (ACQUIRED), reported running by
 * the NM (RUNNING).  A completed container's record is freed. */
enum rm_container_state {
	RM_CONTAINER_ALLOCATED,
	RM_CONTAINER_ACQUIRED,
	RM_CONTAINER_RUNNING,
	RM_CONTAINER_STATE_COUNT
};

struct rm_app;
struct rm_attempt;

/* Written only by rm_containers.c (fields read elsewhere in the family). */
struct rm_container {
	char id[WEFT_ID_MAX];
	struct rm_attempt *attempt;
	char node_id[256];
	int32_t priority;
	weft_resource_t resource;
	bool am;
	enum rm_container_state state;
	bool in_grants;               /* on attempt->grants */
	struct liveness_entry expiry; /* ACQUIRED: the token's clock runs */
	TAILQ_ENTRY(rm_container) attempt_link;
	TAILQ_ENTRY(rm_container) grant_link;
};
TAILQ_HEAD(rm_container_list, rm_container);

struct rm_attempt {
	TAILQ_ENTRY(rm_attempt) link;
	struct rm_app *app;
	char id[WEFT_ID_MAX];
	int number;
	enum attempt_state state;          /* app_state.c writes it */
	char am_container_id[WEFT_ID_MAX]; /* "" before allocation */
	char *am_node_id;
	char *am_node_http;
	int64_t start_ms;
	int64_t finish_ms;
	char *diagnostics;
	char *host;
	int rpc_port;
	double progress; /* 0..1 as the AM reports it */
	bool registered;
	bool retired; /* gone from the scheduler */
	struct liveness_entry am_live;
	struct liveness_entry launch_live;
	struct liveness_entry finishing;
	struct rm_container_list containers;
	struct rm_container_list grants; /* granted, not yet handed to the AM */
	struct json_object *completed;   /* statuses not yet reported */
	struct json_object *last_answer;
	int64_t last_response_id;
};
TAILQ_HEAD(rm_attempt_list, rm_attempt);

struct rm_app {
	struct app_manager *manager;   /* told of state changes (app_state_set) */
	TAILQ_ENTRY(rm_app) link;      /* every app, submission order */
	TAILQ_ENTRY(rm_app) done_link; /* final apps, order of ending */
	char id[WEFT_ID_MAX];
	weft_app_id_t parsed_id;
	char *user;
	struct weft_app_submission *sub;
	char submission_digest[65]; /* of the body as submitted, and the user */
	char *tags;
	weft_resource_t am_resource;
	int max_attempts;
	enum app_state state; /* app_state.c writes it */
	enum app_final_status final_status;
	char *diagnostics;
	char *tracking_url;
	int64_t started_ms;
	int64_t launch_ms;
	int64_t finished_ms;
	int64_t memory_ms; /* of released containers */
	int64_t vcore_ms;
	struct rm_attempt_list attempts;
	int n_attempts;
	struct rm_attempt *current;
	struct strmap *nodes_used;
	bool apps_cleanup_sent;
	int uncounted_attempts;  /* ended by preemption of their AM: not counted */
	char *shown_diagnostics; /* report cache: diagnostics + why it waits */
};
TAILQ_HEAD(rm_app_list, rm_app);

struct app_reservation {
	TAILQ_ENTRY(app_reservation) link;      /* every reservation, oldest first */
	TAILQ_ENTRY(app_reservation) user_link; /* its user's, oldest first */
	char id[WEFT_ID_MAX];
	struct app_user_reservations *user; /* who asked for it */
	int64_t created_ms;
};

/* One user's reserved ids, counted against rm.max-reserved-apps-per-user;
 * exists while the user holds any. */
struct app_user_reservations {
	char *user;
	int64_t n;
	TAILQ_HEAD(, app_reservation) list;
};

struct app_manager {
	struct rm *rm;
	struct app_manager_events events;
	struct rm_app_list apps;
	struct rm_app_list done;
	int n_done;
	struct strmap *app_index;
	struct strmap *containers; /* id -> rm_container (rm_containers.c) */
	struct strmap *reserved;
	TAILQ_HEAD(, app_reservation) reservations;
	struct strmap *reserved_by_user; /* user -> struct app_user_reservations */
	int64_t max_reserved_per_user;   /* rm.max-reserved-apps-per-user, 0 = none */
	int64_t reserved_expiry_ms;      /* rm.reserved-apps.expiry-ms */
	int32_t next_seq;
	int max_attempts;
	int64_t max_completed;
	struct liveness *am_liveness; /* app_liveness.c: the monitors */
	struct liveness *am_launch;
	struct liveness *container_expiry;
	struct liveness *am_finishing;
	struct event *prune_event;
	struct event *preempt_event; /* app_preempt.c: the policy's timer */
	struct user_groups *groups;  /* for queue ACLs */
	bool scheduling;
	bool schedule_again;
	bool shutting_down;
	struct app_metrics counters;
};

/* --- app_state.c --- */
bool app_state_final(enum app_state s);
bool attempt_state_final(enum attempt_state s);
/* Whether the table allows from -> to (a state to itself is no move). */
bool app_state_allowed(enum app_state from, enum app_state to);
bool attempt_state_allowed(enum attempt_state from, enum attempt_state to);
/* The setters: refuse (assert) a move the table does not allow, log
 * every change.  RET 0, or -1 when refused. */
int app_state_set(struct rm_app *app, enum app_state to, const char *why);
int attempt_state_set(struct rm_attempt *at, enum attempt_state to, const char *why);

static inline bool app_is_final(const struct rm_app *app)
{
	return app_state_final(app->state);
}

static inline bool attempt_is_final(const struct rm_attempt *at)
{
	return attempt_state_final(at->state);
}

/* --- rm_containers.c --- */
const char *rm_container_state_name(enum rm_container_state s);
bool rm_container_state_allowed(enum rm_container_state from, enum rm_container_state to);
/* Record a container the scheduler just placed for at (ALLOCATED). */
struct rm_container *rm_container_new(struct app_manager *am, struct rm_attempt *at,
                                      const struct scheduler_grant *g);
struct rm_container *rm_container_find(const struct app_manager *am, const char *container_id);
/* The one setter of container state: ACQUIRED starts the unused-grant
 * monitor, RUNNING stops it.  RET 0, or -1 when the table refuses. */
int rm_container_set_state(struct app_manager *am, struct rm_container *c,
                           enum rm_container_state to);
/* Queue a grant for the attempt's next allocate answer, and take the
 * oldest one off (RET NULL when none). */
void rm_container_queue_grant(struct rm_container *c);
struct rm_container *rm_container_next_grant(struct rm_attempt *at);
/* Forget a record whose booking is already released. */
void rm_container_free(struct app_manager *am, struct rm_container *c);
/* Release a live container the RM no longer wants: free its booking
 * (accounted to its app), order its cleanup on its NM (at once too when
 * stop_now), forget the record. */
void rm_container_release(struct app_manager *am, struct rm_container *c, bool stop_now);
/* A completed container's status as protocol.h writes it (new ref). */
struct json_object *rm_container_status_json(const char *id, int exit_status,
                                             const char *diagnostics);
/* Add a released booking's resource-time to its application. */
void app_account(struct rm_app *app, const struct scheduler_container *info);

/* --- app_attempts.c --- */
void app_set_text(char **slot, const char *text);
struct rm_attempt *attempt_find(const struct app_manager *am, const char *attempt_id);
/* Start the application's next attempt and ask for its AM container. */
void attempt_start(struct app_manager *am, struct rm_app *app);
/* The AM container was placed: send it to its node. */
void attempt_launch(struct app_manager *am, struct rm_attempt *at, struct rm_container *c);
/* The attempt failed: release everything, retry or fail the application. */
void attempt_fail(struct app_manager *am, struct rm_attempt *at, const char *diag);
/* The attempt reaches a final state: stop watching it. */
void attempt_end(struct app_manager *am, struct rm_attempt *at, enum attempt_state to,
                 const char *diag);
/* Release the attempt's live containers (keep_am: all but the AM's). */
void attempt_release_all(struct app_manager *am, struct rm_attempt *at, bool keep_am);
/* An ended attempt with no live container leaves the scheduler. */
void attempt_retire_if_done(struct app_manager *am, struct rm_attempt *at);
void attempt_free(struct app_manager *am, struct rm_attempt *at);
/* The application reaches a final state. */
void app_end(struct app_manager *am, struct rm_app *app, enum app_state to,
             enum app_final_status final_status, const char *diag);

/* --- app_liveness.c --- */
void app_liveness_start(struct app_manager *am);
void app_liveness_stop(struct app_manager *am);

/* --- app_preempt.c --- */
void app_preempt_start(struct app_manager *am);
void app_preempt_stop(struct app_manager *am);

/* --- app_manager.c --- */
struct rm_app *app_find(const struct app_manager *am, const char *app_id);
/* Ask for a pruning pass once the current event is over. */
void app_manager_arm_prune(struct app_manager *am);

#endif
