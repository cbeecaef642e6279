/*
 * am_protocol.c — what an AM's register, allocate and finish do to its
 * attempt (YARN's ApplicationMasterService logic; am_service.c owns the
 * wire: routes, authentication, decoding, answers, resent requests).
 *
 *   register  ALLOCATED|LAUNCHED -> RUNNING, the app RUNNING; host, port
 *             and tracking URL recorded; the AM liveness clock starts
 *   allocate  asks replaced and releases applied all-or-nothing (asks
 *             validated first), the scheduler run, then the attempt's new
 *             grants, completed containers and preemption requests drained
 *             into the answer
 *   finish    the attempt FINISHED, the app FINISHED with the AM's final
 *             status; every container but the AM's released, the AM's
 *             own given AM_FINISH_GRACE_MS to exit (app_liveness.c)
 */
#include "weft_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/assert.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/proto_am.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "rm/app_manager_impl.h"
#include "rm/rm.h"
#include "weft/protocol.h"
#include "rm/scheduler.h"
#include "rm/submission.h"

/* Only the current attempt of an application may talk. */
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
		attempt_state_set(at, ATTEMPT_RUNNING, "AM registered");
		at->registered = true;
		liveness_remove(am->am_launch, &at->launch_live);
		if (app->launch_ms == 0)
			app->launch_ms = time_now_ms();
		app_state_set(app, APP_RUNNING, "AM registered");
	}
	app_set_text(&at->host, host);
	at->rpc_port = rpc_port;
	if (tracking_url != NULL && tracking_url[0] != '\0')
		app_set_text(&app->tracking_url, tracking_url);
	liveness_touch(am->am_liveness, &at->am_live);
	return 0;
}

/* A container the AM gives back is completed toward it as YARN does. */
static void am_protocol_release(struct app_manager *am, struct rm_attempt *at, const char *id)
{
	struct rm_container *c = rm_container_find(am, id);

	if (c == NULL || c->attempt != at || c->am) {
		log_debug("%s: release of %s ignored (not a live container of it)", at->id, id);
		return;
	}
	log_debug("%s: %s released by the AM", at->id, id);
	json_object_array_add(at->completed,
	                      rm_container_status_json(id, WEFT_EXIT_ABORTED,
	                                               "Container released by application"));
	rm_container_release(am, c, true);
}

/* The attempt's containers the scheduler wants back (protocol.h's
 * "preempt"); NULL when none. */
static struct json_object *am_protocol_preempt_json(struct app_manager *am,
                                                    const struct rm_attempt *at)
{
	struct scheduler_container *marked = NULL;
	struct json_object *list;
	int n = scheduler_attempt_preemptions(am->rm->scheduler, at->id, &marked);

	if (n == 0)
		return NULL;
	list = json_object_new_array();
	for (int i = 0; i < n; i++) {
		struct weft_preemption_request p = {
		        .container_id = marked[i].container_id,
		        .kill_at_ms = marked[i].preempt_at_ms,
		};

		json_object_array_add(list, proto_am_preempt_encode(&p));
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
static int am_protocol_update_asks(struct app_manager *am, struct rm_attempt *at,
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

/* Hand the attempt's queued grants to its AM (they become ACQUIRED). */
static void am_protocol_drain_grants(struct app_manager *am, struct rm_attempt *at,
                                     struct am_allocation *out)
{
	struct rm_container *c;
	int cap = 0;

	while ((c = rm_container_next_grant(at)) != NULL) {
		struct scheduler_grant *g;

		rm_container_set_state(am, c, RM_CONTAINER_ACQUIRED);
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
}

int app_manager_am_allocate(struct app_manager *am, struct rm_attempt *at, double progress,
                            const struct scheduler_ask *asks, int n_asks,
                            const char *const *releases, int n_releases, struct am_allocation *out,
                            enum app_error *error, char **cause)
{
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
	if (am_protocol_update_asks(am, at, asks, n_asks, cause) != 0) {
		*error = APP_ERROR_BAD_REQUEST;
		return -1;
	}
	for (int i = 0; i < n_releases; i++)
		am_protocol_release(am, at, releases[i]);
	at->progress = progress;
	liveness_touch(am->am_liveness, &at->am_live);
	app_manager_schedule(am);
	/* Scheduling does not end the caller's attempt; if it did, never
	 * hand out grants of an ended attempt. */
	if (!WEFT_ASSERT(!attempt_is_final(at))) {
		out->shutdown = true;
		out->completed = json_object_new_array();
		return 0;
	}
	am_protocol_drain_grants(am, at, out);
	out->completed = at->completed;
	at->completed = json_object_new_array();
	out->preempt = am_protocol_preempt_json(am, at);
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
