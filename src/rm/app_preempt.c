/*
 * app_preempt.c — preemption's effect on applications: with
 * rm.scheduler.preemption.enabled, one timer runs the scheduler's policy
 * (scheduler_preempt.c decides what to take back and when) every
 * rm.scheduler.preemption.monitoring-interval-ms, and this file stops what
 * it hands back and completes it toward its application with -102
 * (PREEMPTED).  What an AM is asked to give back before that travels in
 * its allocate answers (am_protocol.c).
 */
#include "weft_config.h"

#include <stdlib.h>

#include "common/assert.h"
#include "common/config.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "rm/am_launcher.h"
#include "rm/app_manager_impl.h"
#include "rm/node_tracker.h"
#include "rm/rm.h"
#include "weft/protocol.h"
#include "rm/scheduler.h"

/* The wait of a container the scheduler wants back is over: stop it and
 * complete it toward its application.  An attempt whose AM container is
 * preempted does not count against its application's attempts (as YARN
 * does). */
static void app_preempt_container(struct app_manager *am, const char *container_id)
{
	struct rm_container *c = rm_container_find(am, container_id);
	const char *http;

	/* Every booking has a record; never leak the room if not. */
	if (!WEFT_ASSERT(c != NULL)) {
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
static void app_preempt_cb(evutil_socket_t fd, short what, void *arg)
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
		app_preempt_container(am, kill[i].container_id);
	free(kill);
	if (n > 0)
		app_manager_schedule(am);
}

/* Start the policy's timer when preemption is on. */
void app_preempt_start(struct app_manager *am)
{
	const struct config *cfg = am->rm->cfg;
	int64_t ms;
	struct timeval tv;

	if (!config_get_bool(cfg, "rm.scheduler.preemption.enabled"))
		return;
	ms = config_get_int(cfg, "rm.scheduler.preemption.monitoring-interval-ms");
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	am->preempt_event = event_new(am->rm->base, -1, EV_PERSIST, app_preempt_cb, am);
	if (am->preempt_event == NULL || event_add(am->preempt_event, &tv) != 0)
		fatalx("app_preempt_start: cannot start the preemption timer");
}

/* Stop the timer. */
void app_preempt_stop(struct app_manager *am)
{
	if (am->preempt_event != NULL)
		event_free(am->preempt_event);
	am->preempt_event = NULL;
}
