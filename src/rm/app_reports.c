/*
 * app_reports.c — what the app manager tells readers: application and
 * attempt reports (YARN's ApplicationReport / ApplicationAttemptReport,
 * with the scheduler's live usage folded in), the cluster's application
 * metrics, and the staging area's questions about ids.  Reads only: the
 * one thing written is each application's report cache (why it waits).
 */
#include "weft_config.h"

#include <stdlib.h>
#include <string.h>

#include "common/daemon.h"
#include "common/xmalloc.h"
#include "rm/app_manager_impl.h"
#include "rm/rm.h"
#include "rm/scheduler.h"
#include "rm/strmap.h"
#include "rm/submission.h"

/* An application waiting in ACCEPTED says why: its diagnostics and the
 * scheduler's reason, kept in the app's report cache. */
static const char *app_reports_diagnostics(const struct app_manager *am, struct rm_app *app)
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
static void app_reports_fill(const struct app_manager *am, const struct rm_app *app,
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
	r->diagnostics = app_reports_diagnostics(am, (struct rm_app *)app);
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
	app_reports_fill(am, app, out);
	return 0;
}

int app_manager_reports(const struct app_manager *am, struct app_report **out)
{
	const struct rm_app *app;
	int n = 0;

	*out = xcalloc(strmap_count(am->app_index) + 1, sizeof **out);
	TAILQ_FOREACH(app, &am->apps, link)
	app_reports_fill(am, app, &(*out)[n++]);
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
