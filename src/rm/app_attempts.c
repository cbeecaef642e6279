/*
 * app_attempts.c — an attempt's life and its application's end: start
 * (ask the scheduler for the AM container), launch (send the placed AM
 * container to its node through the launcher, whose outcome comes back
 * here), failure (release everything; retry while
 * min(max-app-attempts, rm.am.max-attempts) allows, else fail the
 * application), end, release, and retirement from the scheduler once no
 * container of it is left; then the application's nodes clean it up.
 * States move only through app_state.c's setters.
 */
#include "weft_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/assert.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "rm/am_launcher.h"
#include "rm/app_manager_impl.h"
#include "rm/node_tracker.h"
#include "rm/rm.h"
#include "rm/scheduler.h"
#include "rm/staging.h"
#include "rm/strmap.h"
#include "rm/submission.h"

/* Replace an owned string. */
void app_set_text(char **slot, const char *text)
{
	free(*slot);
	*slot = text != NULL ? xstrdup(text) : NULL;
}

/* The attempt named by an attempt id, if its application is known. */
struct rm_attempt *attempt_find(const struct app_manager *am, const char *attempt_id)
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

/* One node that ran the application: order its cleanup. */
static void app_cleanup_node_cb(const char *node_id, void *value, void *arg)
{
	struct rm_app *app = value;
	struct app_manager *am = arg;

	node_tracker_cleanup_app(am->rm->nodes, node_id, app->id);
}

/* Tell every node that ran the application to clean it up, once, when
 * nothing of it is left running. */
static void app_send_cleanup(struct app_manager *am, struct rm_app *app)
{
	if (app->apps_cleanup_sent || am->shutting_down)
		return;
	app->apps_cleanup_sent = true;
	strmap_foreach(app->nodes_used, app_cleanup_node_cb, am);
}

/* An ended attempt with no live container leaves the scheduler. */
void attempt_retire_if_done(struct app_manager *am, struct rm_attempt *at)
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
	/* It was its application's last word: the nodes clean up. */
	if (app_is_final(at->app) && at == at->app->current)
		app_send_cleanup(am, at->app);
}

/* Release every live container of the attempt (keep_am: all but the AM's,
 * which is left to exit on its own) and withdraw its asks. */
void attempt_release_all(struct app_manager *am, struct rm_attempt *at, bool keep_am)
{
	struct rm_container *c, *next;

	for (c = TAILQ_FIRST(&at->containers); c != NULL; c = next) {
		next = TAILQ_NEXT(c, attempt_link);
		if (keep_am && c->am)
			continue;
		rm_container_release(am, c, true);
	}
	scheduler_attempt_stop(am->rm->scheduler, at->id);
	if (json_object_array_length(at->completed) > 0) {
		json_object_put(at->completed);
		at->completed = json_object_new_array();
	}
	attempt_retire_if_done(am, at);
}

/* An attempt reaches a final state: stop watching it. */
void attempt_end(struct app_manager *am, struct rm_attempt *at, enum attempt_state to,
                 const char *diag)
{
	attempt_state_set(at, to, diag != NULL ? diag : "ended");
	at->finish_ms = time_now_ms();
	if (diag != NULL && diag[0] != '\0')
		app_set_text(&at->diagnostics, diag);
	liveness_remove(am->am_liveness, &at->am_live);
	liveness_remove(am->am_launch, &at->launch_live);
}

/* The application reaches a final state: counted, staging removed, queued
 * for eviction, its nodes told once nothing of it runs. */
void app_end(struct app_manager *am, struct rm_app *app, enum app_state to,
             enum app_final_status final_status, const char *diag)
{
	if (app_is_final(app))
		return;
	app_state_set(app, to,
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
		WEFT_ASSERT(app_state_final(to));
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
void attempt_start(struct app_manager *am, struct rm_app *app)
{
	struct rm_attempt *at = xcalloc(1, sizeof *at);
	weft_attempt_id_t aid;

	aid.app = app->parsed_id;
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
	attempt_state_set(at, ATTEMPT_SUBMITTED, "attempt added");
	/* A queue refresh keeps queues that hold attempts, so the scheduler
	 * takes every attempt; if not, the application fails, not the RM. */
	if (!WEFT_ASSERT(scheduler_attempt_add(am->rm->scheduler, at->id,
	                                       (uint64_t)app->parsed_id.seq, app->sub->queue,
	                                       app->user, app->am_resource) == 0)) {
		log_error("%s: the scheduler refused the attempt (queue %s)", at->id,
		          app->sub->queue);
		attempt_end(am, at, ATTEMPT_FAILED, "the scheduler refused the attempt");
		app_end(am, app, APP_FAILED, FINAL_FAILED,
		        "The scheduler refused the application's attempt (its queue is gone).");
		return;
	}
	attempt_state_set(at, ATTEMPT_SCHEDULED, "AM container asked for");
}

/* The attempt failed: release everything, retry or fail the application. */
void attempt_fail(struct app_manager *am, struct rm_attempt *at, const char *diag)
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
			app_state_set(app, APP_ACCEPTED, "attempt failed, retrying");
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
void attempt_free(struct app_manager *am, struct rm_attempt *at)
{
	struct rm_container *c;

	while ((c = TAILQ_FIRST(&at->containers)) != NULL)
		rm_container_release(am, c, !am->shutting_down);
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

/* --- the AM container's launch --- */

/* Send a placed AM container to its node. */
void attempt_launch(struct app_manager *am, struct rm_attempt *at, struct rm_container *c)
{
	struct rm_app *app = at->app;
	const char *http = node_tracker_http_address(am->rm->nodes, c->node_id);
	struct am_launch req;

	snprintf(at->am_container_id, sizeof at->am_container_id, "%s", c->id);
	app_set_text(&at->am_node_id, c->node_id);
	app_set_text(&at->am_node_http, http != NULL ? http : c->node_id);
	attempt_state_set(at, ATTEMPT_ALLOCATED, c->node_id);
	liveness_touch(am->am_launch, &at->launch_live);
	/* Until the NM reports it running, the AM container is as unused as
	 * any other grant. */
	rm_container_set_state(am, c, RM_CONTAINER_ACQUIRED);
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

/* Launcher: the NM accepted the AM container (a stale attempt is ignored). */
void app_manager_am_launched(struct app_manager *am, const char *attempt_id,
                             const char *container_id)
{
	struct rm_attempt *at = attempt_find(am, attempt_id);

	if (at == NULL || attempt_is_final(at) || strcmp(at->am_container_id, container_id) != 0)
		return;
	if (at->app->launch_ms == 0)
		at->app->launch_ms = time_now_ms();
	if (at->state == ATTEMPT_ALLOCATED)
		attempt_state_set(at, ATTEMPT_LAUNCHED, "NM started the AM container");
}

/* Launcher: the AM container could not start; the attempt fails. */
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
