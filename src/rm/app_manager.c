/*
 * app_manager.c — applications, attempts and the RM's view of containers.
 *
 * Ownership: an application owns its submission and attempts; an attempt
 * owns the records of its live containers (rm_container: which node, is
 * it the AM's, granted / handed to the AM / running) and the completed
 * statuses its AM has not been told yet.  Resource bookings of the same
 * containers live in the scheduler; a record is freed exactly when its
 * booking is released.  Five liveness monitors (one timer each) watch AM
 * allocate calls, AM launch-to-register time, granted containers that
 * never start, and AMs that unregistered but have not exited yet; with
 * preemption on, one more timer runs the scheduler's preemption policy
 * and kills (-102) what it hands back.  Submissions are checked against
 * the queues (ACLs with the user's groups) before anything changes.
 *
 * Finished applications are kept for reports up to
 * rm.max-completed-applications and evicted from a deferred event, never
 * while a caller may still hold one.
 */
#include "weft_config.h"

#include "rm/app_manager.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include "common/config.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "rm/am_launcher.h"
#include "rm/liveness.h"
#include "rm/node_tracker.h"
#include "rm/queues.h"
#include "rm/rm.h"
#include "rm/scheduler.h"
#include "rm/staging.h"
#include "rm/strmap.h"
#include "rm/submission.h"
#include "rm/user_groups.h"
#include "weft/protocol.h"

#define AM_FINISH_GRACE_MS 10000  /* an unregistered AM's time to exit */
#define APP_MAX_RESERVED   100000 /* handed-out ids not yet submitted */
#define AM_GROUPS_CACHE_MS 300000 /* YARN's hadoop.security.groups.cache.secs */
#define BIT(x)             (1u << (x))

/* --- names and transition tables --- */

static const char *const app_state_names[APP_STATE_COUNT] = {
        "NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING", "FINISHED", "FAILED", "KILLED",
};

static const unsigned app_transitions[APP_STATE_COUNT] = {
        [APP_NEW] = BIT(APP_NEW_SAVING) | BIT(APP_FAILED) | BIT(APP_KILLED),
        [APP_NEW_SAVING] = BIT(APP_SUBMITTED) | BIT(APP_FAILED) | BIT(APP_KILLED),
        [APP_SUBMITTED] = BIT(APP_ACCEPTED) | BIT(APP_FAILED) | BIT(APP_KILLED),
        [APP_ACCEPTED] = BIT(APP_RUNNING) | BIT(APP_FAILED) | BIT(APP_KILLED),
        [APP_RUNNING] = BIT(APP_ACCEPTED) | BIT(APP_FINISHED) | BIT(APP_FAILED) | BIT(APP_KILLED),
        [APP_FINISHED] = 0,
        [APP_FAILED] = 0,
        [APP_KILLED] = 0,
};

static const char *const final_status_names[FINAL_STATUS_COUNT] = {
        "UNDEFINED",
        "SUCCEEDED",
        "FAILED",
        "KILLED",
};

static const char *const attempt_state_names[ATTEMPT_STATE_COUNT] = {
        "NEW",     "SUBMITTED", "SCHEDULED", "ALLOCATED", "LAUNCHED",
        "RUNNING", "FINISHED",  "FAILED",    "KILLED",
};

static const unsigned attempt_transitions[ATTEMPT_STATE_COUNT] = {
        [ATTEMPT_NEW] = BIT(ATTEMPT_SUBMITTED) | BIT(ATTEMPT_KILLED),
        [ATTEMPT_SUBMITTED] = BIT(ATTEMPT_SCHEDULED) | BIT(ATTEMPT_FAILED) | BIT(ATTEMPT_KILLED),
        [ATTEMPT_SCHEDULED] = BIT(ATTEMPT_ALLOCATED) | BIT(ATTEMPT_FAILED) | BIT(ATTEMPT_KILLED),
        [ATTEMPT_ALLOCATED] = BIT(ATTEMPT_LAUNCHED) | BIT(ATTEMPT_RUNNING) | BIT(ATTEMPT_FAILED) |
                              BIT(ATTEMPT_KILLED),
        [ATTEMPT_LAUNCHED] = BIT(ATTEMPT_RUNNING) | BIT(ATTEMPT_FAILED) | BIT(ATTEMPT_KILLED),
        [ATTEMPT_RUNNING] = BIT(ATTEMPT_FINISHED) | BIT(ATTEMPT_FAILED) | BIT(ATTEMPT_KILLED),
        [ATTEMPT_FINISHED] = 0,
        [ATTEMPT_FAILED] = 0,
        [ATTEMPT_KILLED] = 0,
};

/* Container records: granted, handed to the AM, reported running. */
enum rmc_state { RMC_ALLOCATED, RMC_ACQUIRED, RMC_RUNNING };

/* --- records --- */

struct rm_app;
struct rm_attempt;

struct rm_container {
	char id[WEFT_ID_MAX];
	struct rm_attempt *attempt;
	char node_id[256];
	int32_t priority;
	weft_resource_t resource;
	bool am;
	enum rmc_state state;
	bool in_grants;
	struct liveness_entry expiry;
	TAILQ_ENTRY(rm_container) attempt_link;
	TAILQ_ENTRY(rm_container) grant_link;
};
TAILQ_HEAD(rm_container_list, rm_container);

struct rm_attempt {
	TAILQ_ENTRY(rm_attempt) link;
	struct rm_app *app;
	char id[WEFT_ID_MAX];
	int number;
	enum attempt_state state;
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
	TAILQ_ENTRY(rm_app) link;      /* every app, submission order */
	TAILQ_ENTRY(rm_app) done_link; /* final apps, order of ending */
	char id[WEFT_ID_MAX];
	uint64_t seq;
	char *user;
	struct submission *sub;
	char *tags;
	weft_resource_t am_resource;
	int max_attempts;
	enum app_state state;
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

struct reservation {
	TAILQ_ENTRY(reservation) link;
	char id[WEFT_ID_MAX];
};

struct app_manager {
	struct rm *rm;
	struct rm_app_list apps;
	struct rm_app_list done;
	int n_done;
	struct strmap *app_index;
	struct strmap *containers;
	struct strmap *reserved;
	TAILQ_HEAD(, reservation) reservations;
	int32_t next_seq;
	int max_attempts;
	int64_t max_completed;
	struct liveness *am_liveness;
	struct liveness *am_launch;
	struct liveness *container_expiry;
	struct liveness *am_finishing;
	struct event *prune_event;
	struct event *preempt_event; /* the preemption policy's timer */
	struct user_groups *groups;  /* for queue ACLs */
	bool scheduling;
	bool schedule_again;
	bool shutting_down;
	struct app_metrics counters;
};

static void app_manager_am_liveness_cb(struct liveness_entry *e, void *arg);
static void app_manager_am_launch_cb(struct liveness_entry *e, void *arg);
static void app_manager_container_expiry_cb(struct liveness_entry *e, void *arg);
static void app_manager_am_finishing_cb(struct liveness_entry *e, void *arg);
static void app_manager_prune_cb(evutil_socket_t fd, short what, void *arg);
static void app_manager_preempt_cb(evutil_socket_t fd, short what, void *arg);
static void attempt_fail(struct app_manager *am, struct rm_attempt *at, const char *diag);

/* --- names --- */

const char *app_state_name(enum app_state s)
{
	return s < APP_STATE_COUNT ? app_state_names[s] : "UNKNOWN";
}

int app_state_parse(const char *text, enum app_state *out)
{
	for (int i = 0; i < APP_STATE_COUNT; i++) {
		if (strcasecmp(text, app_state_names[i]) == 0) {
			*out = (enum app_state)i;
			return 0;
		}
	}
	return -1;
}

const char *app_final_status_name(enum app_final_status s)
{
	return s < FINAL_STATUS_COUNT ? final_status_names[s] : "UNDEFINED";
}

int app_final_status_parse(const char *text, enum app_final_status *out)
{
	for (int i = 0; i < FINAL_STATUS_COUNT; i++) {
		if (strcasecmp(text, final_status_names[i]) == 0) {
			*out = (enum app_final_status)i;
			return 0;
		}
	}
	return -1;
}

const char *attempt_state_name(enum attempt_state s)
{
	return s < ATTEMPT_STATE_COUNT ? attempt_state_names[s] : "UNKNOWN";
}

static bool app_is_final(const struct rm_app *app)
{
	return app->state == APP_FINISHED || app->state == APP_FAILED || app->state == APP_KILLED;
}

static bool attempt_is_final(const struct rm_attempt *at)
{
	return at->state == ATTEMPT_FINISHED || at->state == ATTEMPT_FAILED ||
	       at->state == ATTEMPT_KILLED;
}

/* Replace an owned string. */
static void app_set_text(char **slot, const char *text)
{
	free(*slot);
	*slot = text != NULL ? xstrdup(text) : NULL;
}

/* Move an application along its table, logging every change. */
static void app_set_state(struct rm_app *app, enum app_state to, const char *why)
{
	if (app->state == to)
		return;
	if ((app_transitions[app->state] & BIT(to)) == 0) {
		log_error("%s: refused transition %s -> %s (%s)", app->id,
		          app_state_name(app->state), app_state_name(to), why);
		return;
	}
	log_info("%s: %s -> %s (%s)", app->id, app_state_name(app->state), app_state_name(to), why);
	app->state = to;
}

/* Move an attempt along its table, logging every change. */
static void attempt_set_state(struct rm_attempt *at, enum attempt_state to, const char *why)
{
	if (at->state == to)
		return;
	if ((attempt_transitions[at->state] & BIT(to)) == 0) {
		log_error("%s: refused transition %s -> %s (%s)", at->id,
		          attempt_state_name(at->state), attempt_state_name(to), why);
		return;
	}
	log_info("%s: %s -> %s (%s)", at->id, attempt_state_name(at->state), attempt_state_name(to),
	         why);
	at->state = to;
}

/* --- construction --- */

struct app_manager *app_manager_new(struct rm *rm)
{
	struct app_manager *am = xcalloc(1, sizeof *am);
	const struct config *cfg = rm->cfg;

	am->rm = rm;
	TAILQ_INIT(&am->apps);
	TAILQ_INIT(&am->done);
	TAILQ_INIT(&am->reservations);
	am->app_index = strmap_new();
	am->containers = strmap_new();
	am->reserved = strmap_new();
	am->next_seq = 1;
	am->max_attempts = (int)config_get_int(cfg, "rm.am.max-attempts");
	am->max_completed = config_get_int(cfg, "rm.max-completed-applications");
	am->am_liveness = liveness_new(rm->base, config_get_int(cfg, "rm.am.liveness-expiry-ms"),
	                               app_manager_am_liveness_cb, am);
	am->am_launch = liveness_new(rm->base, config_get_int(cfg, "rm.am.launch-timeout-ms"),
	                             app_manager_am_launch_cb, am);
	am->container_expiry =
	        liveness_new(rm->base, config_get_int(cfg, "rm.container-token.expiry-ms"),
	                     app_manager_container_expiry_cb, am);
	am->am_finishing =
	        liveness_new(rm->base, AM_FINISH_GRACE_MS, app_manager_am_finishing_cb, am);
	am->prune_event = evtimer_new(rm->base, app_manager_prune_cb, am);
	if (am->prune_event == NULL)
		fatalx("app_manager_new: evtimer_new failed");
	am->groups = user_groups_new(AM_GROUPS_CACHE_MS);
	if (config_get_bool(cfg, "rm.scheduler.preemption.enabled")) {
		int64_t ms = config_get_int(cfg, "rm.scheduler.preemption.monitoring-interval-ms");
		struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

		am->preempt_event = event_new(rm->base, -1, EV_PERSIST, app_manager_preempt_cb, am);
		if (am->preempt_event == NULL || event_add(am->preempt_event, &tv) != 0)
			fatalx("app_manager_new: cannot start the preemption timer");
	}
	return am;
}

/* --- container records --- */

/* Record a container the scheduler just placed for attempt at. */
static struct rm_container *container_new(struct app_manager *am, struct rm_attempt *at,
                                          const struct scheduler_grant *g)
{
	struct rm_container *c = xcalloc(1, sizeof *c);

	snprintf(c->id, sizeof c->id, "%s", g->container_id);
	snprintf(c->node_id, sizeof c->node_id, "%s", g->node_id);
	c->attempt = at;
	c->priority = g->priority;
	c->resource = g->resource;
	c->am = g->am;
	c->state = RMC_ALLOCATED;
	liveness_entry_init(&c->expiry, c);
	TAILQ_INSERT_TAIL(&at->containers, c, attempt_link);
	strmap_put(am->containers, c->id, c);
	if (strmap_get(at->app->nodes_used, g->node_id) == NULL)
		strmap_put(at->app->nodes_used, g->node_id, at->app);
	return c;
}

/* Forget a record (its booking is already released). */
static void container_free(struct app_manager *am, struct rm_container *c)
{
	struct rm_attempt *at = c->attempt;

	strmap_remove(am->containers, c->id);
	TAILQ_REMOVE(&at->containers, c, attempt_link);
	if (c->in_grants)
		TAILQ_REMOVE(&at->grants, c, grant_link);
	liveness_remove(am->container_expiry, &c->expiry);
	free(c);
}

/* Add a released booking's resource-time to its application. */
static void app_account(struct rm_app *app, const struct scheduler_container *info)
{
	int64_t ms = time_now_ms() - info->allocated_ms;

	if (ms < 0)
		ms = 0;
	app->memory_ms += info->resource.memory_mb * ms;
	app->vcore_ms += info->resource.vcores * ms;
}

/* Release a live container the RM no longer wants: free its booking, tell
 * its NM to clean it up (next heartbeat, and at once when stop_now). */
static void container_cleanup(struct app_manager *am, struct rm_container *c, bool stop_now)
{
	struct scheduler_container info;

	if (scheduler_container_completed(am->rm->scheduler, c->id, &info) == 0)
		app_account(c->attempt->app, &info);
	if (!am->shutting_down) {
		const char *http = node_tracker_http_address(am->rm->nodes, c->node_id);

		node_tracker_cleanup_container(am->rm->nodes, c->node_id, c->id);
		if (stop_now && http != NULL)
			am_launcher_stop_container(am->rm->launcher, http, c->id);
	}
	container_free(am, c);
}

/* A container status as protocol.h writes it. */
static struct json_object *container_status_json(const char *id, int exit_status,
                                                 const char *diagnostics)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, "containerId", id);
	wjson_add_string(o, "state", "COMPLETE");
	wjson_add_int(o, "exitStatus", exit_status);
	wjson_add_string(o, "diagnostics", diagnostics != NULL ? diagnostics : "");
	return o;
}

/* --- application and attempt life --- */

/* The application's lookups by id text. */
static struct rm_app *app_find(const struct app_manager *am, const char *app_id)
{
	return strmap_get(am->app_index, app_id);
}

/* The attempt named by an attempt id, if its application is known. */
static struct rm_attempt *attempt_find(const struct app_manager *am, const char *attempt_id)
{
	weft_attempt_id_t parsed;
	char app_id[WEFT_ID_MAX];
	struct rm_app *app;
	struct rm_attempt *at;

	if (weft_attempt_id_parse(attempt_id, &parsed) != 0)
		return NULL;
	app = app_find(am, weft_app_id_format(&parsed.app, app_id));
	if (app == NULL)
		return NULL;
	TAILQ_FOREACH(at, &app->attempts, link)
	{
		if (strcmp(at->id, attempt_id) == 0)
			return at;
	}
	return NULL;
}

/* Tell every node that ran the application to clean it up, once, when
 * nothing of it is left running. */
static void app_send_cleanup(struct app_manager *am, struct rm_app *app);

static void app_cleanup_node_cb(const char *node_id, void *value, void *arg)
{
	struct rm_app *app = value;
	struct app_manager *am = arg;

	node_tracker_cleanup_app(am->rm->nodes, node_id, app->id);
}

static void app_send_cleanup(struct app_manager *am, struct rm_app *app)
{
	if (app->apps_cleanup_sent || am->shutting_down)
		return;
	app->apps_cleanup_sent = true;
	strmap_foreach(app->nodes_used, app_cleanup_node_cb, am);
}

/* An ended attempt with no live container leaves the scheduler; when it
 * was its application's last word, the application's nodes clean up. */
static void attempt_retire_if_done(struct app_manager *am, struct rm_attempt *at)
{
	struct scheduler_container *left = NULL;
	int n;

	if (!attempt_is_final(at) || !TAILQ_EMPTY(&at->containers))
		return;
	liveness_remove(am->am_finishing, &at->finishing);
	if (!at->retired) {
		n = scheduler_attempt_remove(am->rm->scheduler, at->id, &left);
		for (int i = 0; i < n; i++)
			app_account(at->app, &left[i]);
		free(left);
		at->retired = true;
	}
	if (app_is_final(at->app) && at == at->app->current)
		app_send_cleanup(am, at->app);
}

/* Release every live container of the attempt (keep_am: all but the AM's,
 * which is left to exit on its own) and withdraw its asks. */
static void attempt_release_all(struct app_manager *am, struct rm_attempt *at, bool keep_am)
{
	struct rm_container *c, *next;

	for (c = TAILQ_FIRST(&at->containers); c != NULL; c = next) {
		next = TAILQ_NEXT(c, attempt_link);
		if (keep_am && c->am)
			continue;
		container_cleanup(am, c, true);
	}
	scheduler_attempt_stop(am->rm->scheduler, at->id);
	if (json_object_array_length(at->completed) > 0) {
		json_object_put(at->completed);
		at->completed = json_object_new_array();
	}
	attempt_retire_if_done(am, at);
}

/* An attempt reaches a final state: stop watching it. */
static void attempt_end(struct app_manager *am, struct rm_attempt *at, enum attempt_state to,
                        const char *diag)
{
	attempt_set_state(at, to, diag != NULL ? diag : "ended");
	at->finish_ms = time_now_ms();
	if (diag != NULL && diag[0] != '\0')
		app_set_text(&at->diagnostics, diag);
	liveness_remove(am->am_liveness, &at->am_live);
	liveness_remove(am->am_launch, &at->launch_live);
}

/* Ask for a pruning pass once the current event is over. */
static void app_manager_arm_prune(struct app_manager *am)
{
	struct timeval now = {0, 0};

	if (!am->shutting_down)
		evtimer_add(am->prune_event, &now);
}

/* The application reaches a final state. */
static void app_end(struct app_manager *am, struct rm_app *app, enum app_state to,
                    enum app_final_status final_status, const char *diag)
{
	if (app_is_final(app))
		return;
	app_set_state(app, to,
	              diag != NULL && diag[0] != '\0' ? diag : app_final_status_name(final_status));
	app->final_status = final_status;
	app->finished_ms = time_now_ms();
	if (diag != NULL)
		app_set_text(&app->diagnostics, diag);
	switch (to) {
	case APP_FINISHED:
		am->counters.completed++;
		break;
	case APP_FAILED:
		am->counters.failed++;
		break;
	case APP_KILLED:
		am->counters.killed++;
		break;
	default:
		break;
	}
	if (am->rm->staging != NULL)
		staging_remove_app(am->rm->staging, app->id);
	TAILQ_INSERT_TAIL(&am->done, app, done_link);
	am->n_done++;
	if (app->current != NULL)
		attempt_retire_if_done(am, app->current);
	else
		app_send_cleanup(am, app);
	app_manager_arm_prune(am);
}

/* Start the application's next attempt and ask for its AM container. */
static void attempt_start(struct app_manager *am, struct rm_app *app)
{
	struct rm_attempt *at = xcalloc(1, sizeof *at);
	weft_attempt_id_t aid;

	if (weft_app_id_parse(app->id, &aid.app) != 0)
		fatalx("attempt_start: bad application id %s", app->id);
	aid.attempt = ++app->n_attempts;
	weft_attempt_id_format(&aid, at->id);
	at->app = app;
	at->number = aid.attempt;
	at->state = ATTEMPT_NEW;
	at->start_ms = time_now_ms();
	at->rpc_port = -1;
	at->completed = json_object_new_array();
	at->last_response_id = -1;
	TAILQ_INIT(&at->containers);
	TAILQ_INIT(&at->grants);
	liveness_entry_init(&at->am_live, at);
	liveness_entry_init(&at->launch_live, at);
	liveness_entry_init(&at->finishing, at);
	TAILQ_INSERT_TAIL(&app->attempts, at, link);
	app->current = at;
	log_info("%s: attempt %d of %d created", at->id, at->number, app->max_attempts);
	attempt_set_state(at, ATTEMPT_SUBMITTED, "attempt added");
	if (scheduler_attempt_add(am->rm->scheduler, at->id, app->seq, app->sub->queue, app->user,
	                          app->am_resource) != 0) {
		/* Not expected (a queue refresh keeps queues that hold
		 * attempts), but a daemon fails the application, not itself. */
		log_error("%s: the scheduler refused the attempt (queue %s)", at->id,
		          app->sub->queue);
		attempt_end(am, at, ATTEMPT_FAILED, "the scheduler refused the attempt");
		app_end(am, app, APP_FAILED, FINAL_FAILED,
		        "The scheduler refused the application's attempt (its queue is gone).");
		return;
	}
	attempt_set_state(at, ATTEMPT_SCHEDULED, "AM container asked for");
}

/* The attempt failed: release everything, retry or fail the application. */
static void attempt_fail(struct app_manager *am, struct rm_attempt *at, const char *diag)
{
	struct rm_app *app = at->app;
	char *text;

	if (attempt_is_final(at))
		return;
	log_warn("%s: attempt failed: %s", at->id, diag);
	attempt_end(am, at, ATTEMPT_FAILED, diag);
	attempt_release_all(am, at, false);
	if (app_is_final(app) || at != app->current)
		return;
	if (app->n_attempts - app->uncounted_attempts < app->max_attempts) {
		text = xasprintf("Attempt %d of %d (%s) failed: %s. Starting attempt %d.",
		                 at->number, app->max_attempts + app->uncounted_attempts, at->id,
		                 diag, at->number + 1);
		app_set_text(&app->diagnostics, text);
		free(text);
		if (app->state == APP_RUNNING)
			app_set_state(app, APP_ACCEPTED, "attempt failed, retrying");
		attempt_start(am, app);
		app_manager_schedule(am);
		return;
	}
	text = xasprintf("Application %s failed %d times due to %s. Failing the application.",
	                 app->id, app->n_attempts, diag);
	app_end(am, app, APP_FAILED, FINAL_FAILED, text);
	free(text);
}

/* Free an attempt record and what it owns. */
static void attempt_free(struct app_manager *am, struct rm_attempt *at)
{
	struct rm_container *c;

	while ((c = TAILQ_FIRST(&at->containers)) != NULL)
		container_cleanup(am, c, !am->shutting_down);
	if (!at->retired) {
		struct scheduler_container *left = NULL;

		scheduler_attempt_remove(am->rm->scheduler, at->id, &left);
		free(left);
	}
	liveness_remove(am->am_liveness, &at->am_live);
	liveness_remove(am->am_launch, &at->launch_live);
	liveness_remove(am->am_finishing, &at->finishing);
	json_object_put(at->completed);
	json_object_put(at->last_answer);
	free(at->am_node_id);
	free(at->am_node_http);
	free(at->diagnostics);
	free(at->host);
	free(at);
}

/* Drop an application entirely (eviction or shutdown). */
static void app_free(struct app_manager *am, struct rm_app *app)
{
	struct rm_attempt *at;

	while ((at = TAILQ_FIRST(&app->attempts)) != NULL) {
		TAILQ_REMOVE(&app->attempts, at, link);
		attempt_free(am, at);
	}
	strmap_remove(am->app_index, app->id);
	TAILQ_REMOVE(&am->apps, app, link);
	if (app_is_final(app)) {
		TAILQ_REMOVE(&am->done, app, done_link);
		am->n_done--;
	}
	submission_free(app->sub);
	strmap_free(app->nodes_used);
	free(app->user);
	free(app->tags);
	free(app->diagnostics);
	free(app->tracking_url);
	free(app->shown_diagnostics);
	free(app);
}

/* Keep at most rm.max-completed-applications finished applications. */
static void app_manager_prune_cb(evutil_socket_t fd, short what, void *arg)
{
	struct app_manager *am = arg;
	struct rm_app *app;

	(void)fd;
	(void)what;
	while (am->n_done > am->max_completed && (app = TAILQ_FIRST(&am->done)) != NULL) {
		log_debug("%s: evicted (over rm.max-completed-applications)", app->id);
		app_free(am, app);
	}
}

void app_manager_free(struct app_manager *am)
{
	struct rm_app *app;
	struct reservation *r;

	if (am == NULL)
		return;
	am->shutting_down = true;
	while ((app = TAILQ_FIRST(&am->apps)) != NULL) {
		if (am->rm->staging != NULL)
			staging_remove_app(am->rm->staging, app->id);
		app_free(am, app);
	}
	while ((r = TAILQ_FIRST(&am->reservations)) != NULL) {
		TAILQ_REMOVE(&am->reservations, r, link);
		if (am->rm->staging != NULL)
			staging_remove_app(am->rm->staging, r->id);
		free(r);
	}
	liveness_free(am->am_liveness);
	liveness_free(am->am_launch);
	liveness_free(am->container_expiry);
	liveness_free(am->am_finishing);
	event_free(am->prune_event);
	if (am->preempt_event != NULL)
		event_free(am->preempt_event);
	user_groups_free(am->groups);
	strmap_free(am->app_index);
	strmap_free(am->containers);
	strmap_free(am->reserved);
	free(am);
}

/* --- submission --- */

void app_manager_new_application(struct app_manager *am, char id_out[WEFT_ID_MAX])
{
	weft_app_id_t id = {am->rm->cluster_ts, am->next_seq++};
	struct reservation *r = xcalloc(1, sizeof *r);

	weft_app_id_format(&id, r->id);
	snprintf(id_out, WEFT_ID_MAX, "%s", r->id);
	TAILQ_INSERT_TAIL(&am->reservations, r, link);
	strmap_put(am->reserved, r->id, r);
	/* A client that asks for ids forever must not grow the RM forever. */
	if (strmap_count(am->reserved) > APP_MAX_RESERVED) {
		r = TAILQ_FIRST(&am->reservations);
		TAILQ_REMOVE(&am->reservations, r, link);
		strmap_remove(am->reserved, r->id);
		if (am->rm->staging != NULL)
			staging_remove_app(am->rm->staging, r->id);
		free(r);
	}
	log_debug("handed out %s", id_out);
}

int app_manager_submit(struct app_manager *am, struct submission *sub, const char *user,
                       enum app_error *error, char **cause)
{
	struct reservation *r = strmap_get(am->reserved, sub->app_id);
	weft_resource_t am_resource;
	struct rm_app *app;
	char *why = NULL, leaf[QUEUE_NAME_MAX + 1];
	weft_app_id_t parsed;
	const char *const *groups = NULL;
	int n_groups;
	bool denied = false;

	*error = APP_ERROR_BAD_REQUEST;
	if (r == NULL) {
		if (app_find(am, sub->app_id) != NULL)
			return set_cause(cause, "application-id: %s was already submitted",
			                 sub->app_id);
		return set_cause(cause,
		                 "application-id: %s was not handed out by this RM "
		                 "(POST /ws/v1/cluster/apps/new-application first)",
		                 sub->app_id);
	}
	n_groups = user_groups_get(am->groups, user, &groups);
	if (scheduler_check_submit(am->rm->scheduler, sub->queue, user, groups, n_groups, leaf,
	                           &denied, &why) != 0) {
		if (denied)
			*error = APP_ERROR_FORBIDDEN;
		set_cause(cause, "queue: %s", why);
		free(why);
		return -1;
	}
	if (scheduler_normalize(am->rm->scheduler, sub->resource, &am_resource, &why) != 0) {
		*error = APP_ERROR_INVALID_RESOURCE;
		set_cause(cause, "resource: %s", why);
		free(why);
		return -1;
	}
	if (weft_app_id_parse(sub->app_id, &parsed) != 0)
		return set_cause(cause, "application-id: bad id %s", sub->app_id);

	/* Everything checked: from here on nothing can fail.  The app
	 * belongs to the leaf queue's name (as YARN reports it), however the
	 * submission named it. */
	free(sub->queue);
	sub->queue = xstrdup(leaf);
	TAILQ_REMOVE(&am->reservations, r, link);
	strmap_remove(am->reserved, r->id);
	free(r);
	app = xcalloc(1, sizeof *app);
	snprintf(app->id, sizeof app->id, "%s", sub->app_id);
	app->seq = (uint64_t)parsed.seq;
	app->user = xstrdup(user);
	app->sub = sub;
	app->tags = submission_tags_joined(sub);
	app->am_resource = am_resource;
	app->max_attempts = am->max_attempts;
	if (sub->max_attempts > 0 && sub->max_attempts < app->max_attempts)
		app->max_attempts = sub->max_attempts;
	app->state = APP_NEW;
	app->final_status = FINAL_UNDEFINED;
	app->started_ms = time_now_ms();
	app->diagnostics = xstrdup("");
	app->nodes_used = strmap_new();
	TAILQ_INIT(&app->attempts);
	TAILQ_INSERT_TAIL(&am->apps, app, link);
	strmap_put(am->app_index, app->id, app);
	am->counters.submitted++;
	log_info("%s: submitted by %s to queue %s (%s, max %d attempts)", app->id, user, sub->queue,
	         sub->name, app->max_attempts);
	app_set_state(app, APP_NEW_SAVING, "submitted");
	app_set_state(app, APP_SUBMITTED, "saved (no state store)");
	app_set_state(app, APP_ACCEPTED, "accepted by the scheduler");
	attempt_start(am, app);
	app_manager_schedule(am);
	return 0;
}

int app_manager_kill(struct app_manager *am, const char *app_id, const char *diagnostics,
                     bool *was_final)
{
	struct rm_app *app = app_find(am, app_id);
	struct rm_attempt *at;

	if (app == NULL)
		return -1;
	*was_final = app_is_final(app);
	if (*was_final)
		return 0;
	at = app->current;
	if (at != NULL && !attempt_is_final(at)) {
		attempt_end(am, at, ATTEMPT_KILLED, diagnostics);
		attempt_release_all(am, at, false);
	}
	app_end(am, app, APP_KILLED, FINAL_KILLED, diagnostics);
	app_manager_schedule(am);
	return 0;
}

/* --- reads --- */

/* An application waiting in ACCEPTED says why: its diagnostics and the
 * scheduler's reason, kept in the app's report cache. */
static const char *app_shown_diagnostics(const struct app_manager *am, struct rm_app *app)
{
	const struct rm_attempt *at = app->current;
	char reason[1024];
	const char *why;

	if (app->state != APP_ACCEPTED || at == NULL || at->retired || attempt_is_final(at))
		return app->diagnostics;
	why = scheduler_attempt_wait_reason(am->rm->scheduler, at->id, reason, sizeof reason);
	if (why == NULL)
		return app->diagnostics;
	free(app->shown_diagnostics);
	if (app->diagnostics == NULL || app->diagnostics[0] == '\0')
		app->shown_diagnostics = xstrdup(why);
	else
		app->shown_diagnostics = xasprintf("%s %s", app->diagnostics, why);
	return app->shown_diagnostics;
}

/* Fill a report for one application. */
static void app_fill_report(const struct app_manager *am, const struct rm_app *app,
                            struct app_report *r)
{
	const struct rm_attempt *at = app->current;
	struct scheduler_attempt_usage usage;
	int64_t now = time_now_ms();

	memset(r, 0, sizeof *r);
	r->id = app->id;
	r->user = app->user;
	r->name = app->sub->name;
	r->queue = app->sub->queue;
	r->type = app->sub->type;
	r->tags = app->tags;
	/* The report cache is not the application's state. */
	r->diagnostics = app_shown_diagnostics(am, (struct rm_app *)app);
	r->tracking_url = app->tracking_url;
	r->state = app->state;
	r->final_status = app->final_status;
	r->priority = app->sub->priority;
	r->started_ms = app->started_ms;
	r->launch_ms = app->launch_ms;
	r->finished_ms = app->finished_ms;
	r->n_attempts = app->n_attempts;
	r->am_rpc_port = -1;
	r->memory_seconds = app->memory_ms;
	r->vcore_seconds = app->vcore_ms;
	if (at != NULL) {
		if (at->am_container_id[0] != '\0') {
			r->am_container_id = at->am_container_id;
			r->am_node_id = at->am_node_id;
			r->am_node_http_address = at->am_node_http;
		}
		r->am_host = at->host;
		r->am_rpc_port = at->rpc_port;
		r->progress = at->progress * 100.0;
		if (!at->retired) {
			scheduler_attempt_usage(am->rm->scheduler, at->id, now, &usage);
			r->allocated = usage.used;
			r->running_containers = usage.n_containers;
			r->memory_seconds += usage.memory_ms;
			r->vcore_seconds += usage.vcore_ms;
		}
	}
	if (app->state == APP_FINISHED)
		r->progress = 100.0;
	r->memory_seconds /= 1000;
	r->vcore_seconds /= 1000;
}

int app_manager_report(const struct app_manager *am, const char *app_id, struct app_report *out)
{
	const struct rm_app *app = app_find(am, app_id);

	if (app == NULL)
		return -1;
	app_fill_report(am, app, out);
	return 0;
}

int app_manager_reports(const struct app_manager *am, struct app_report **out)
{
	const struct rm_app *app;
	int n = 0;

	*out = xcalloc(strmap_count(am->app_index) + 1, sizeof **out);
	TAILQ_FOREACH(app, &am->apps, link)
	app_fill_report(am, app, &(*out)[n++]);
	return n;
}

int app_manager_attempt_reports(const struct app_manager *am, const char *app_id,
                                struct attempt_report **out)
{
	const struct rm_app *app = app_find(am, app_id);
	const struct rm_attempt *at;
	int n = 0;

	*out = NULL;
	if (app == NULL)
		return -1;
	*out = xcalloc(app->n_attempts + 1, sizeof **out);
	TAILQ_FOREACH(at, &app->attempts, link)
	{
		struct attempt_report *r = &(*out)[n++];

		r->id = at->id;
		r->number = at->number;
		r->state = at->state;
		r->container_id = at->am_container_id[0] != '\0' ? at->am_container_id : NULL;
		r->node_id = at->am_node_id;
		r->node_http_address = at->am_node_http;
		r->diagnostics = at->diagnostics;
		r->start_ms = at->start_ms;
		r->finish_ms = at->finish_ms;
	}
	return n;
}

void app_manager_metrics(const struct app_manager *am, struct app_metrics *out)
{
	const struct rm_app *app;

	*out = am->counters;
	out->pending = 0;
	out->running = 0;
	TAILQ_FOREACH(app, &am->apps, link)
	{
		if (app->state == APP_RUNNING)
			out->running++;
		else if (!app_is_final(app))
			out->pending++;
	}
}

bool app_manager_accepts_files(const struct app_manager *am, const char *app_id)
{
	const struct rm_app *app;

	if (strmap_get(am->reserved, app_id) != NULL)
		return true;
	app = app_find(am, app_id);
	return app != NULL && !app_is_final(app);
}

bool app_manager_id_known(const struct app_manager *am, const char *app_id)
{
	return strmap_get(am->reserved, app_id) != NULL || app_find(am, app_id) != NULL;
}

/* --- scheduling --- */

/* Send an AM container to its node. */
static void attempt_launch(struct app_manager *am, struct rm_attempt *at, struct rm_container *c)
{
	struct rm_app *app = at->app;
	const char *http = node_tracker_http_address(am->rm->nodes, c->node_id);
	struct am_launch req;

	snprintf(at->am_container_id, sizeof at->am_container_id, "%s", c->id);
	app_set_text(&at->am_node_id, c->node_id);
	app_set_text(&at->am_node_http, http != NULL ? http : c->node_id);
	attempt_set_state(at, ATTEMPT_ALLOCATED, c->node_id);
	liveness_touch(am->am_launch, &at->launch_live);
	/* Until the NM reports it running, the AM container is as unused as
	 * any other grant. */
	c->state = RMC_ACQUIRED;
	liveness_touch(am->container_expiry, &c->expiry);
	if (http == NULL) {
		attempt_fail(am, at, "AM container's node is no longer live");
		return;
	}
	memset(&req, 0, sizeof req);
	req.attempt_id = at->id;
	req.container_id = c->id;
	req.node_id = c->node_id;
	req.node_http_address = http;
	req.user = app->user;
	req.resource = c->resource;
	req.submission = app->sub;
	am_launcher_launch(am->rm->launcher, &req);
}

/* Hand one grant to its attempt. */
static void app_manager_dispatch(struct app_manager *am, const struct scheduler_grant *g)
{
	struct rm_attempt *at = attempt_find(am, g->attempt_id);
	struct rm_container *c;

	if (at == NULL || attempt_is_final(at) || at != at->app->current) {
		/* Cannot happen while the books agree; never leak the room. */
		log_error("grant %s for dead attempt %s dropped", g->container_id, g->attempt_id);
		scheduler_container_completed(am->rm->scheduler, g->container_id, NULL);
		return;
	}
	c = container_new(am, at, g);
	log_debug("%s: %s on %s", at->id, c->id, c->node_id);
	if (g->am) {
		attempt_launch(am, at, c);
		return;
	}
	c->in_grants = true;
	TAILQ_INSERT_TAIL(&at->grants, c, grant_link);
}

/* One scheduling pass at a time; a request for another during dispatch
 * (an attempt that failed and asks again) runs right after. */
void app_manager_schedule(struct app_manager *am)
{
	if (am->shutting_down)
		return;
	if (am->scheduling) {
		am->schedule_again = true;
		return;
	}
	am->scheduling = true;
	do {
		struct scheduler_grant *grants = NULL;
		int n;

		am->schedule_again = false;
		n = scheduler_allocate(am->rm->scheduler, &grants);
		for (int i = 0; i < n; i++)
			app_manager_dispatch(am, &grants[i]);
		free(grants);
	} while (am->schedule_again);
	am->scheduling = false;
}

/* --- node events --- */

bool app_manager_container_running(struct app_manager *am, const char *container_id)
{
	struct rm_container *c = strmap_get(am->containers, container_id);

	if (c == NULL)
		return false;
	if (c->state != RMC_RUNNING) {
		log_debug("%s: running on %s", c->id, c->node_id);
		c->state = RMC_RUNNING;
		liveness_remove(am->container_expiry, &c->expiry);
	}
	return true;
}

void app_manager_container_completed(struct app_manager *am, const char *container_id,
                                     int exit_status, const char *diagnostics)
{
	struct rm_container *c = strmap_get(am->containers, container_id);
	struct rm_attempt *at;
	struct scheduler_container info;
	bool was_am;
	char *why;

	if (c == NULL)
		return;
	at = c->attempt;
	was_am = c->am;
	if (scheduler_container_completed(am->rm->scheduler, c->id, &info) == 0)
		app_account(at->app, &info);
	if (exit_status == 0 && !was_am)
		log_debug("%s: completed", container_id);
	else
		log_info("%s: completed with exit status %d%s%s", container_id, exit_status,
		         diagnostics != NULL && diagnostics[0] != '\0' ? ": " : "",
		         diagnostics != NULL ? diagnostics : "");
	container_free(am, c);
	if (attempt_is_final(at)) {
		attempt_retire_if_done(am, at);
		return;
	}
	json_object_array_add(at->completed,
	                      container_status_json(container_id, exit_status, diagnostics));
	if (was_am) {
		why = xasprintf("AM container %s exited with status %d%s%s", container_id,
		                exit_status,
		                diagnostics != NULL && diagnostics[0] != '\0' ? ": " : "",
		                diagnostics != NULL ? diagnostics : "");
		attempt_fail(am, at, why);
		free(why);
	}
}

/* --- launcher events --- */

void app_manager_am_launched(struct app_manager *am, const char *attempt_id,
                             const char *container_id)
{
	struct rm_attempt *at = attempt_find(am, attempt_id);

	if (at == NULL || attempt_is_final(at) || strcmp(at->am_container_id, container_id) != 0)
		return;
	if (at->app->launch_ms == 0)
		at->app->launch_ms = time_now_ms();
	if (at->state == ATTEMPT_ALLOCATED)
		attempt_set_state(at, ATTEMPT_LAUNCHED, "NM started the AM container");
}

void app_manager_am_launch_failed(struct app_manager *am, const char *attempt_id,
                                  const char *container_id, const char *why)
{
	struct rm_attempt *at = attempt_find(am, attempt_id);
	char *diag;

	if (at == NULL || attempt_is_final(at) || strcmp(at->am_container_id, container_id) != 0 ||
	    at->state == ATTEMPT_RUNNING)
		return;
	diag = xasprintf("AM container %s could not be launched on %s: %s", container_id,
	                 at->am_node_id != NULL ? at->am_node_id : "?", why);
	attempt_fail(am, at, diag);
	free(diag);
	app_manager_schedule(am);
}

/* --- liveness expiries --- */

/* No allocate call for rm.am.liveness-expiry-ms. */
static void app_manager_am_liveness_cb(struct liveness_entry *e, void *arg)
{
	struct app_manager *am = arg;
	struct rm_attempt *at = e->owner;
	char *diag = xasprintf("ApplicationMaster for attempt %s timed out", at->id);

	attempt_fail(am, at, diag);
	free(diag);
	app_manager_schedule(am);
}

/* Allocated AM container, no registration within rm.am.launch-timeout-ms. */
static void app_manager_am_launch_cb(struct liveness_entry *e, void *arg)
{
	struct app_manager *am = arg;
	struct rm_attempt *at = e->owner;
	char *diag = xasprintf("AM container %s did not register within %lld ms",
	                       at->am_container_id, (long long)liveness_expiry_ms(am->am_launch));

	attempt_fail(am, at, diag);
	free(diag);
	app_manager_schedule(am);
}

/* A granted container never started within the token's lifetime. */
static void app_manager_container_expiry_cb(struct liveness_entry *e, void *arg)
{
	struct app_manager *am = arg;
	struct rm_container *c = e->owner;
	char id[WEFT_ID_MAX];

	snprintf(id, sizeof id, "%s", c->id);
	node_tracker_cleanup_container(am->rm->nodes, c->node_id, id);
	app_manager_container_completed(am, id, WEFT_EXIT_ABORTED,
	                                "Container expired since it was unused");
	app_manager_schedule(am);
}

/* An AM that unregistered has not exited in time: stop its container. */
static void app_manager_am_finishing_cb(struct liveness_entry *e, void *arg)
{
	struct app_manager *am = arg;
	struct rm_attempt *at = e->owner;
	struct rm_container *c, *next;

	for (c = TAILQ_FIRST(&at->containers); c != NULL; c = next) {
		next = TAILQ_NEXT(c, attempt_link);
		container_cleanup(am, c, true);
	}
	attempt_retire_if_done(am, at);
	app_manager_schedule(am);
}

/* --- preemption --- */

/* The wait of a container the scheduler wants back is over: stop it and
 * complete it toward its application with -102 (PREEMPTED).  An attempt
 * whose AM container is preempted does not count against its
 * application's attempts (as YARN does). */
static void app_manager_preempt_container(struct app_manager *am, const char *container_id)
{
	struct rm_container *c = strmap_get(am->containers, container_id);
	const char *http;

	if (c == NULL) {
		/* Booked without a record: cannot happen, never leak the room. */
		scheduler_container_completed(am->rm->scheduler, container_id, NULL);
		return;
	}
	log_info("%s: preempted (exit status %d)", container_id, WEFT_EXIT_PREEMPTED);
	http = node_tracker_http_address(am->rm->nodes, c->node_id);
	node_tracker_cleanup_container(am->rm->nodes, c->node_id, c->id);
	if (http != NULL)
		am_launcher_stop_container(am->rm->launcher, http, c->id);
	if (c->am && !attempt_is_final(c->attempt))
		c->attempt->app->uncounted_attempts++;
	app_manager_container_completed(am, container_id, WEFT_EXIT_PREEMPTED,
	                                "Container preempted by scheduler");
}

/* rm.scheduler.preemption.monitoring-interval-ms: one policy round. */
static void app_manager_preempt_cb(evutil_socket_t fd, short what, void *arg)
{
	struct app_manager *am = arg;
	struct scheduler_container *kill = NULL;
	int n;

	(void)fd;
	(void)what;
	if (am->shutting_down)
		return;
	n = scheduler_preempt(am->rm->scheduler, time_now_ms(), &kill);
	for (int i = 0; i < n; i++)
		app_manager_preempt_container(am, kill[i].container_id);
	free(kill);
	if (n > 0)
		app_manager_schedule(am);
}

/* --- AM protocol --- */

struct rm_attempt *app_manager_am_attempt(struct app_manager *am, const char *attempt_id)
{
	struct rm_attempt *at = attempt_find(am, attempt_id);

	if (at == NULL || at != at->app->current)
		return NULL;
	return at;
}

void app_manager_attempt_info(const struct rm_attempt *at, struct am_attempt_info *out)
{
	out->app_id = at->app->id;
	out->attempt_id = at->id;
	out->queue = at->app->sub->queue;
	out->user = at->app->user;
	out->registered = at->registered;
	out->final = attempt_is_final(at) || app_is_final(at->app);
}

int app_manager_am_register(struct app_manager *am, struct rm_attempt *at, const char *host,
                            int rpc_port, const char *tracking_url, enum app_error *error,
                            char **cause)
{
	struct rm_app *app = at->app;

	if (attempt_is_final(at) || app_is_final(app)) {
		*error = APP_ERROR_NOT_FOUND;
		return set_cause(cause, "Application attempt %s has ended (%s)", at->id,
		                 attempt_state_name(at->state));
	}
	if (!at->registered) {
		if (at->state != ATTEMPT_ALLOCATED && at->state != ATTEMPT_LAUNCHED) {
			*error = APP_ERROR_BAD_REQUEST;
			return set_cause(cause, "Application attempt %s is %s, not launched",
			                 at->id, attempt_state_name(at->state));
		}
		attempt_set_state(at, ATTEMPT_RUNNING, "AM registered");
		at->registered = true;
		liveness_remove(am->am_launch, &at->launch_live);
		if (app->launch_ms == 0)
			app->launch_ms = time_now_ms();
		app_set_state(app, APP_RUNNING, "AM registered");
	}
	app_set_text(&at->host, host);
	at->rpc_port = rpc_port;
	if (tracking_url != NULL && tracking_url[0] != '\0')
		app_set_text(&app->tracking_url, tracking_url);
	liveness_touch(am->am_liveness, &at->am_live);
	return 0;
}

/* A container the AM gives back is completed toward it as YARN does. */
static void attempt_release(struct app_manager *am, struct rm_attempt *at, const char *id)
{
	struct rm_container *c = strmap_get(am->containers, id);

	if (c == NULL || c->attempt != at || c->am) {
		log_debug("%s: release of %s ignored (not a live container of it)", at->id, id);
		return;
	}
	log_debug("%s: %s released by the AM", at->id, id);
	json_object_array_add(
	        at->completed,
	        container_status_json(id, WEFT_EXIT_ABORTED, "Container released by application"));
	container_cleanup(am, c, true);
}

/* The attempt's containers the scheduler wants back (protocol.h's
 * "preempt"); NULL when none. */
static struct json_object *attempt_preempt_json(struct app_manager *am, const struct rm_attempt *at)
{
	struct scheduler_container *marked = NULL;
	struct json_object *list;
	int n = scheduler_attempt_preemptions(am->rm->scheduler, at->id, &marked);

	if (n == 0)
		return NULL;
	list = json_object_new_array();
	for (int i = 0; i < n; i++) {
		struct json_object *o = wjson_new_object();

		wjson_add_string(o, "containerId", marked[i].container_id);
		wjson_add_int(o, "killAtMs", marked[i].preempt_at_ms);
		json_object_array_add(list, o);
	}
	free(marked);
	return list;
}

/*
 * Replace the attempt's asks.  An ask counts what the AM still wants beyond
 * what it has received, so containers placed since its last call but not
 * yet handed over (they go out in this very answer) are in that count too:
 * take them off, or the AM would be granted them twice and release the
 * surplus (YARN's AMs live with that race; ours need not).
 */
static int attempt_update_asks(struct app_manager *am, struct rm_attempt *at,
                               const struct scheduler_ask *asks, int n_asks, char **cause)
{
	struct scheduler_ask *adjusted;
	struct rm_container *c;
	int rc;

	if (n_asks == 0 || TAILQ_EMPTY(&at->grants))
		return scheduler_update_asks(am->rm->scheduler, at->id, asks, n_asks, cause);
	adjusted = xcalloc((size_t)n_asks, sizeof *adjusted);
	memcpy(adjusted, asks, (size_t)n_asks * sizeof *adjusted);
	TAILQ_FOREACH(c, &at->grants, grant_link)
	{
		for (int i = 0; i < n_asks; i++) {
			if (adjusted[i].priority == c->priority && adjusted[i].count > 0) {
				adjusted[i].count--;
				break;
			}
		}
	}
	rc = scheduler_update_asks(am->rm->scheduler, at->id, adjusted, n_asks, cause);
	free(adjusted);
	return rc;
}

int app_manager_am_allocate(struct app_manager *am, struct rm_attempt *at, double progress,
                            const struct scheduler_ask *asks, int n_asks,
                            const char *const *releases, int n_releases, struct am_allocation *out,
                            enum app_error *error, char **cause)
{
	struct rm_container *c;
	int cap = 0;

	memset(out, 0, sizeof *out);
	if (attempt_is_final(at) || app_is_final(at->app)) {
		out->shutdown = true;
		out->completed = json_object_new_array();
		return 0;
	}
	if (!at->registered) {
		*error = APP_ERROR_NOT_REGISTERED;
		return set_cause(cause, "Application attempt %s has not registered", at->id);
	}
	if (scheduler_validate_asks(am->rm->scheduler, asks, n_asks, cause) != 0) {
		*error = APP_ERROR_INVALID_RESOURCE;
		return -1;
	}
	if (attempt_update_asks(am, at, asks, n_asks, cause) != 0) {
		*error = APP_ERROR_BAD_REQUEST;
		return -1;
	}
	for (int i = 0; i < n_releases; i++)
		attempt_release(am, at, releases[i]);
	at->progress = progress;
	liveness_touch(am->am_liveness, &at->am_live);
	app_manager_schedule(am);
	if (attempt_is_final(at)) {
		/* Cannot happen (scheduling does not end the caller's attempt),
		 * but never hand out grants of an ended attempt. */
		out->shutdown = true;
		out->completed = json_object_new_array();
		return 0;
	}
	while ((c = TAILQ_FIRST(&at->grants)) != NULL) {
		struct scheduler_grant *g;

		TAILQ_REMOVE(&at->grants, c, grant_link);
		c->in_grants = false;
		c->state = RMC_ACQUIRED;
		liveness_touch(am->container_expiry, &c->expiry);
		if (out->n_grants == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			out->grants = xreallocarray(out->grants, cap, sizeof *out->grants);
		}
		g = &out->grants[out->n_grants++];
		memset(g, 0, sizeof *g);
		snprintf(g->container_id, sizeof g->container_id, "%s", c->id);
		snprintf(g->attempt_id, sizeof g->attempt_id, "%s", at->id);
		snprintf(g->node_id, sizeof g->node_id, "%s", c->node_id);
		g->priority = c->priority;
		g->resource = c->resource;
	}
	out->completed = at->completed;
	at->completed = json_object_new_array();
	out->preempt = attempt_preempt_json(am, at);
	return 0;
}

int app_manager_am_finish(struct app_manager *am, struct rm_attempt *at,
                          enum app_final_status final_status, const char *diagnostics,
                          const char *tracking_url, enum app_error *error, char **cause)
{
	struct rm_app *app = at->app;
	struct rm_container *c;

	if (attempt_is_final(at) || app_is_final(app))
		return 0;
	if (!at->registered) {
		*error = APP_ERROR_NOT_REGISTERED;
		return set_cause(cause, "Application attempt %s has not registered", at->id);
	}
	if (final_status == FINAL_UNDEFINED) {
		*error = APP_ERROR_BAD_REQUEST;
		return set_cause(cause, "finalStatus: UNDEFINED is not a final status");
	}
	at->progress = 1.0;
	if (tracking_url != NULL && tracking_url[0] != '\0')
		app_set_text(&app->tracking_url, tracking_url);
	attempt_end(am, at, ATTEMPT_FINISHED, "AM unregistered");
	attempt_release_all(am, at, true);
	TAILQ_FOREACH(c, &at->containers, attempt_link)
	{
		if (c->am)
			liveness_touch(am->am_finishing, &at->finishing);
	}
	app_end(am, app, APP_FINISHED, final_status, diagnostics != NULL ? diagnostics : "");
	app_manager_schedule(am);
	return 0;
}

struct json_object *app_manager_attempt_last_answer(const struct rm_attempt *at,
                                                    int64_t *response_id)
{
	*response_id = at->last_response_id;
	return at->last_answer;
}

void app_manager_attempt_set_last_answer(struct rm_attempt *at, int64_t response_id,
                                         struct json_object *answer)
{
	json_object_put(at->last_answer);
	at->last_answer = answer;
	at->last_response_id = response_id;
}
