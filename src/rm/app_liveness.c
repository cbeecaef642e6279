/*
 * app_liveness.c — the app manager's four monitors (rm/liveness.c: one
 * timer each, O(1) per check-in) and what happens when one fires:
 *   AM liveness   no allocate call for rm.am.liveness-expiry-ms: the
 *                 attempt fails
 *   AM launch     AM container allocated, no registration within
 *                 rm.am.launch-timeout-ms: the attempt fails
 *   unused grant  a container handed out (ACQUIRED) that its NM never
 *                 reported running within rm.container-token.expiry-ms:
 *                 completed with -100 (ABORTED)
 *   AM finishing  an AM that unregistered but has not exited after
 *                 AM_FINISH_GRACE_MS: its container is stopped
 * Entries are touched by whoever moves the state they watch (app_state
 * callers, am_protocol.c, rm_containers.c's setter).
 */
#include "weft_config.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/config.h"
#include "common/daemon.h"
#include "common/xmalloc.h"
#include "rm/app_manager_impl.h"
#include "rm/node_tracker.h"
#include "rm/rm.h"
#include "weft/protocol.h"

#define AM_FINISH_GRACE_MS 10000 /* an unregistered AM's time to exit */

/* No allocate call for rm.am.liveness-expiry-ms. */
static void app_liveness_am_cb(struct liveness_entry *e, void *arg)
{
	struct app_manager *am = arg;
	struct rm_attempt *at = e->owner;
	char *diag = xasprintf("ApplicationMaster for attempt %s timed out", at->id);

	attempt_fail(am, at, diag);
	free(diag);
	app_manager_schedule(am);
}

/* Allocated AM container, no registration within rm.am.launch-timeout-ms. */
static void app_liveness_launch_cb(struct liveness_entry *e, void *arg)
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
static void app_liveness_container_cb(struct liveness_entry *e, void *arg)
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
static void app_liveness_finishing_cb(struct liveness_entry *e, void *arg)
{
	struct app_manager *am = arg;
	struct rm_attempt *at = e->owner;
	struct rm_container *c, *next;

	for (c = TAILQ_FIRST(&at->containers); c != NULL; c = next) {
		next = TAILQ_NEXT(c, attempt_link);
		rm_container_release(am, c, true);
	}
	attempt_retire_if_done(am, at);
	app_manager_schedule(am);
}

/* Create the monitors from the configuration. */
void app_liveness_start(struct app_manager *am)
{
	struct event_base *base = am->rm->base;
	const struct config *cfg = am->rm->cfg;

	am->am_liveness = liveness_new(base, config_get_int(cfg, "rm.am.liveness-expiry-ms"),
	                               app_liveness_am_cb, am);
	am->am_launch = liveness_new(base, config_get_int(cfg, "rm.am.launch-timeout-ms"),
	                             app_liveness_launch_cb, am);
	am->container_expiry =
	        liveness_new(base, config_get_int(cfg, "rm.container-token.expiry-ms"),
	                     app_liveness_container_cb, am);
	am->am_finishing = liveness_new(base, AM_FINISH_GRACE_MS, app_liveness_finishing_cb, am);
}

/* Stop and free the monitors (after every record left them). */
void app_liveness_stop(struct app_manager *am)
{
	liveness_free(am->am_liveness);
	liveness_free(am->am_launch);
	liveness_free(am->container_expiry);
	liveness_free(am->am_finishing);
}
