/*
 * rm_containers.c — the RM's container records (YARN's RMContainer): the
 * one owner of container state.
 *
 * A record says which attempt and node a granted container belongs to,
 * whether it is the AM's, and where it is in its short life:
 *   ALLOCATED -> ACQUIRED   handed to the AM (or sent to its node as the
 *                           AM container): the token's clock starts, and a
 *                           container that never starts expires
 *   ALLOCATED|ACQUIRED -> RUNNING   the NM reports it: the clock stops
 * Completion (NM report, lost node, release, expiry, preemption) frees
 * the record together with its booking in the scheduler; nothing else
 * writes a record's state.  Records are found by id through one index.
 */
#include "weft_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/assert.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/proto_container.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "rm/am_launcher.h"
#include "rm/app_manager_impl.h"
#include "rm/node_tracker.h"
#include "rm/rm.h"
#include "weft/protocol.h"
#include "rm/scheduler.h"
#include "rm/strmap.h"

#define BIT(x) (1u << (x))

static const char *const rm_container_state_names[RM_CONTAINER_STATE_COUNT] = {
        "ALLOCATED",
        "ACQUIRED",
        "RUNNING",
};

/* Every container state and where it may go. */
static const unsigned rm_container_transitions[RM_CONTAINER_STATE_COUNT] = {
        [RM_CONTAINER_ALLOCATED] = BIT(RM_CONTAINER_ACQUIRED) | BIT(RM_CONTAINER_RUNNING),
        [RM_CONTAINER_ACQUIRED] = BIT(RM_CONTAINER_RUNNING),
        [RM_CONTAINER_RUNNING] = 0,
};

const char *rm_container_state_name(enum rm_container_state s)
{
	return s < RM_CONTAINER_STATE_COUNT ? rm_container_state_names[s] : "UNKNOWN";
}

/* Whether the table allows from -> to. */
bool rm_container_state_allowed(enum rm_container_state from, enum rm_container_state to)
{
	return from < RM_CONTAINER_STATE_COUNT && to < RM_CONTAINER_STATE_COUNT &&
	       (rm_container_transitions[from] & BIT(to)) != 0;
}

/* The one setter of a record's state, along the table. */
int rm_container_set_state(struct app_manager *am, struct rm_container *c,
                           enum rm_container_state to)
{
	if (c->state == to)
		return 0;
	if (!WEFT_ASSERT(rm_container_state_allowed(c->state, to))) {
		log_error("%s: refused transition %s -> %s", c->id,
		          rm_container_state_name(c->state), rm_container_state_name(to));
		return -1;
	}
	log_debug("%s: %s -> %s on %s", c->id, rm_container_state_name(c->state),
	          rm_container_state_name(to), c->node_id);
	c->state = to;
	if (to == RM_CONTAINER_ACQUIRED)
		liveness_touch(am->container_expiry, &c->expiry);
	else
		liveness_remove(am->container_expiry, &c->expiry);
	return 0;
}

/* Record a container the scheduler just placed for at. */
struct rm_container *rm_container_new(struct app_manager *am, struct rm_attempt *at,
                                      const struct scheduler_grant *g)
{
	struct rm_container *c = xcalloc(1, sizeof *c);

	snprintf(c->id, sizeof c->id, "%s", g->container_id);
	snprintf(c->node_id, sizeof c->node_id, "%s", g->node_id);
	c->attempt = at;
	c->priority = g->priority;
	c->resource = g->resource;
	c->am = g->am;
	c->state = RM_CONTAINER_ALLOCATED;
	liveness_entry_init(&c->expiry, c);
	TAILQ_INSERT_TAIL(&at->containers, c, attempt_link);
	strmap_put(am->containers, c->id, c);
	if (strmap_get(at->app->nodes_used, g->node_id) == NULL)
		strmap_put(at->app->nodes_used, g->node_id, at->app);
	return c;
}

/* The live record with that id, or NULL. */
struct rm_container *rm_container_find(const struct app_manager *am, const char *container_id)
{
	return strmap_get(am->containers, container_id);
}

/* Queue a grant for its attempt's next allocate answer. */
void rm_container_queue_grant(struct rm_container *c)
{
	c->in_grants = true;
	TAILQ_INSERT_TAIL(&c->attempt->grants, c, grant_link);
}

/* Take the oldest queued grant off its attempt, or NULL. */
struct rm_container *rm_container_next_grant(struct rm_attempt *at)
{
	struct rm_container *c = TAILQ_FIRST(&at->grants);

	if (c != NULL) {
		TAILQ_REMOVE(&at->grants, c, grant_link);
		c->in_grants = false;
	}
	return c;
}

/* Forget a record (its booking is already released). */
void rm_container_free(struct app_manager *am, struct rm_container *c)
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
void app_account(struct rm_app *app, const struct scheduler_container *info)
{
	int64_t ms = time_now_ms() - info->allocated_ms;

	if (ms < 0)
		ms = 0;
	app->memory_ms += info->resource.memory_mb * ms;
	app->vcore_ms += info->resource.vcores * ms;
}

/* Release a live container the RM no longer wants. */
void rm_container_release(struct app_manager *am, struct rm_container *c, bool stop_now)
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
	rm_container_free(am, c);
}

/* A completed container's status as protocol.h writes it. */
struct json_object *rm_container_status_json(const char *id, int exit_status,
                                             const char *diagnostics)
{
	struct weft_container_status st = {
	        .container_id = id,
	        .state = WEFT_CONTAINER_COMPLETE,
	        .exit_status = exit_status,
	        .diagnostics = diagnostics,
	};

	return proto_container_status_encode(&st);
}

/* --- what the NMs report (app_manager.h) --- */

/* An NM reports the container running. */
bool app_manager_container_running(struct app_manager *am, const char *container_id)
{
	struct rm_container *c = rm_container_find(am, container_id);

	if (c == NULL)
		return false;
	rm_container_set_state(am, c, RM_CONTAINER_RUNNING);
	return true;
}

/* A container ended: booking released, record freed, its AM told (an
 * AM container's end fails its attempt). */
void app_manager_container_completed(struct app_manager *am, const char *container_id,
                                     int exit_status, const char *diagnostics)
{
	struct rm_container *c = rm_container_find(am, container_id);
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
	rm_container_free(am, c);
	if (attempt_is_final(at)) {
		attempt_retire_if_done(am, at);
		return;
	}
	json_object_array_add(at->completed,
	                      rm_container_status_json(container_id, exit_status, diagnostics));
	if (was_am) {
		why = xasprintf("AM container %s exited with status %d%s%s", container_id,
		                exit_status,
		                diagnostics != NULL && diagnostics[0] != '\0' ? ": " : "",
		                diagnostics != NULL ? diagnostics : "");
		attempt_fail(am, at, why);
		free(why);
	}
}
