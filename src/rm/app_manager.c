/*
 * app_manager.c — the app manager's facade: the application table (ids
 * handed out, submissions, kills, eviction of finished applications), its
 * construction, and the scheduling pass that dispatches grants.  The rest
 * of the app manager is one concern per file (app_manager_impl.h has the
 * map); the rest of the RM sees only app_manager.h.
 *
 * Submissions are checked against the queues (ACLs with the user's groups)
 * before anything changes.  Finished applications are kept for reports up
 * to rm.max-completed-applications and evicted from a deferred event,
 * never while a caller may still hold one.
 */
#include "weft_config.h"

#include "rm/app_manager.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/assert.h"
#include "common/config.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "rm/app_manager_impl.h"
#include "rm/queues.h"
#include "rm/rm.h"
#include "rm/scheduler.h"
#include "rm/staging.h"
#include "rm/strmap.h"
#include "rm/submission.h"
#include "rm/user_groups.h"
#include "weft/protocol.h"

#define APP_MAX_RESERVED   100000 /* handed-out ids not yet submitted */
#define AM_GROUPS_CACHE_MS 300000 /* YARN's hadoop.security.groups.cache.secs */

static void app_manager_prune_cb(evutil_socket_t fd, short what, void *arg);
static void app_reservation_drop(struct app_manager *am, struct app_reservation *r);

/* --- construction --- */

struct app_manager *app_manager_new(struct rm *rm, const struct app_manager_events *events)
{
	struct app_manager *am = xcalloc(1, sizeof *am);
	const struct config *cfg = rm->cfg;

	am->rm = rm;
	if (events != NULL)
		am->events = *events;
	TAILQ_INIT(&am->apps);
	TAILQ_INIT(&am->done);
	TAILQ_INIT(&am->reservations);
	am->app_index = strmap_new();
	am->containers = strmap_new();
	am->reserved = strmap_new();
	am->reserved_by_user = strmap_new();
	am->max_reserved_per_user = config_get_int(cfg, "rm.max-reserved-apps-per-user");
	am->reserved_expiry_ms = config_get_int(cfg, "rm.reserved-apps.expiry-ms");
	am->next_seq = 1;
	am->max_attempts = (int)config_get_int(cfg, "rm.am.max-attempts");
	am->max_completed = config_get_int(cfg, "rm.max-completed-applications");
	app_liveness_start(am);
	am->prune_event = evtimer_new(rm->base, app_manager_prune_cb, am);
	if (am->prune_event == NULL)
		fatalx("app_manager_new: evtimer_new failed");
	am->groups = user_groups_new(AM_GROUPS_CACHE_MS);
	app_preempt_start(am);
	return am;
}

/* The application with that id, or NULL. */
struct rm_app *app_find(const struct app_manager *am, const char *app_id)
{
	return strmap_get(am->app_index, app_id);
}

/* Ask for a pruning pass once the current event is over. */
void app_manager_arm_prune(struct app_manager *am)
{
	struct timeval now = {0, 0};

	if (!am->shutting_down)
		evtimer_add(am->prune_event, &now);
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
	proto_app_submission_free(app->sub);
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
	struct app_reservation *r;

	if (am == NULL)
		return;
	am->shutting_down = true;
	while ((app = TAILQ_FIRST(&am->apps)) != NULL) {
		if (am->rm->staging != NULL)
			staging_remove_app(am->rm->staging, app->id);
		app_free(am, app);
	}
	while ((r = TAILQ_FIRST(&am->reservations)) != NULL) {
		if (am->rm->staging != NULL)
			staging_remove_app(am->rm->staging, r->id);
		app_reservation_drop(am, r);
	}
	app_liveness_stop(am);
	event_free(am->prune_event);
	app_preempt_stop(am);
	user_groups_free(am->groups);
	strmap_free(am->app_index);
	strmap_free(am->containers);
	strmap_free(am->reserved);
	strmap_free(am->reserved_by_user);
	free(am);
}

/* --- submission --- */

/* Forget a reservation (submitted, let go, shutdown): its user holds one
 * id less. */
static void app_reservation_drop(struct app_manager *am, struct app_reservation *r)
{
	struct app_user_reservations *u = r->user;

	WEFT_ASSERT(u->n > 0);
	TAILQ_REMOVE(&u->list, r, user_link);
	if (--u->n <= 0) {
		strmap_remove(am->reserved_by_user, u->user);
		free(u->user);
		free(u);
	}
	TAILQ_REMOVE(&am->reservations, r, link);
	strmap_remove(am->reserved, r->id);
	free(r);
}

/* Let a reservation go with what was staged for it. */
static void app_reservation_let_go(struct app_manager *am, struct app_reservation *r,
                                   const char *why)
{
	log_info("%s: reserved for %s, never submitted: let go (%s)", r->id, r->user->user, why);
	if (am->rm->staging != NULL)
		staging_remove_app(am->rm->staging, r->id);
	app_reservation_drop(am, r);
}

int app_manager_new_application(struct app_manager *am, const char *user, char id_out[WEFT_ID_MAX],
                                char **cause)
{
	struct app_user_reservations *u = strmap_get(am->reserved_by_user, user);
	struct app_reservation *r;
	weft_app_id_t id;

	/* One user asking for ids forever must not crowd out the others; a
	 * client that died holding ids must not lock its user out for good:
	 * at the cap, the user's oldest id goes once it is old enough. */
	if (u != NULL && am->max_reserved_per_user > 0 && u->n >= am->max_reserved_per_user) {
		r = TAILQ_FIRST(&u->list);
		if (time_mono_ms() - r->created_ms < am->reserved_expiry_ms)
			return set_cause(
			        cause,
			        "user %s holds %" PRId64 " application ids from "
			        "new-application not yet submitted, the most "
			        "rm.max-reserved-apps-per-user (%" PRId64 ") allows: submit "
			        "them first (the oldest is let go once older than "
			        "rm.reserved-apps.expiry-ms, %" PRId64 " ms)",
			        user, u->n, am->max_reserved_per_user, am->reserved_expiry_ms);
		app_reservation_let_go(am, r, "over rm.max-reserved-apps-per-user");
		u = strmap_get(am->reserved_by_user, user);
	}
	if (u == NULL) {
		u = xcalloc(1, sizeof *u);
		u->user = xstrdup(user);
		TAILQ_INIT(&u->list);
		strmap_put(am->reserved_by_user, user, u);
	}
	id = (weft_app_id_t){am->rm->cluster_ts, am->next_seq++};
	r = xcalloc(1, sizeof *r);
	weft_app_id_format(&id, r->id);
	r->user = u;
	r->created_ms = time_mono_ms();
	snprintf(id_out, WEFT_ID_MAX, "%s", r->id);
	TAILQ_INSERT_TAIL(&am->reservations, r, link);
	TAILQ_INSERT_TAIL(&u->list, r, user_link);
	u->n++;
	strmap_put(am->reserved, r->id, r);
	/* All clients asking for ids forever must not grow the RM forever. */
	if (strmap_count(am->reserved) > APP_MAX_RESERVED)
		app_reservation_let_go(am, TAILQ_FIRST(&am->reservations), "over 100000 in all");
	log_debug("handed out %s to %s", id_out, user);
	return 0;
}

int app_manager_submit(struct app_manager *am, struct weft_app_submission *sub, const char *user,
                       enum app_error *error, char **cause)
{
	struct app_reservation *r = strmap_get(am->reserved, sub->app_id);
	weft_resource_t am_resource;
	struct rm_app *app;
	char *why = NULL, leaf[QUEUE_NAME_MAX + 1], digest[65];
	weft_app_id_t parsed;
	const char *const *groups = NULL;
	int n_groups;
	bool denied = false;

	*error = APP_ERROR_BAD_REQUEST;
	submission_digest(sub, user, digest);
	if (r == NULL) {
		app = app_find(am, sub->app_id);
		if (app != NULL && strcmp(app->submission_digest, digest) == 0) {
			log_info("%s: the same submission again from %s: accepted already", app->id,
			         user);
			return 1;
		}
		if (app != NULL)
			return set_cause(cause, "application-id: %s was already submitted",
			                 sub->app_id);
		return set_cause(cause,
		                 "application-id: %s was not handed out by this RM "
		                 "(POST " WEFT_ROUTE_NEW_APPLICATION " first)",
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
	app_reservation_drop(am, r);
	app = xcalloc(1, sizeof *app);
	app->manager = am;
	snprintf(app->submission_digest, sizeof app->submission_digest, "%s", digest);
	snprintf(app->id, sizeof app->id, "%s", sub->app_id);
	app->parsed_id = parsed;
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
	app_state_set(app, APP_NEW_SAVING, "submitted");
	app_state_set(app, APP_SUBMITTED, "saved (no state store)");
	app_state_set(app, APP_ACCEPTED, "accepted by the scheduler");
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

/* --- scheduling --- */

/* Hand one grant to its attempt: the AM container to the launcher, any
 * other to the attempt's next allocate answer. */
static void app_manager_dispatch(struct app_manager *am, const struct scheduler_grant *g)
{
	struct rm_attempt *at = attempt_find(am, g->attempt_id);
	struct rm_container *c;

	/* The scheduler grants only to live current attempts (an attempt
	 * that ends leaves it); if not, never leak the room. */
	if (!WEFT_ASSERT(at != NULL && !attempt_is_final(at) && at == at->app->current)) {
		log_error("grant %s for dead attempt %s dropped", g->container_id, g->attempt_id);
		scheduler_container_completed(am->rm->scheduler, g->container_id, NULL);
		return;
	}
	c = rm_container_new(am, at, g);
	log_debug("%s: %s on %s", at->id, c->id, c->node_id);
	if (g->am) {
		attempt_launch(am, at, c);
		return;
	}
	rm_container_queue_grant(c);
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
