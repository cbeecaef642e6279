/*
 * fairness.c — polling queue shares from the RM (see fairness.h).
 *
 * The Capacity Scheduler's answer (common/proto_cluster.c decodes it)
 * lists every queue of the tree; each is matched against the scenario's
 * queue paths, by queuePath when the RM gives one, else by name ("etl"
 * matches "root.prod.etl"), so both old and new shapes work.  Without
 * it, /apps (common/proto_app.c's app report) gives the shares.
 */
#include "weft_config.h"

#include "sls/fairness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/proto_app.h"
#include "common/proto_cluster.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "sls/metrics.h"
#include "sls/scenario.h"
#include "sls/sim_node.h"
#include "sls/sls.h"
#include "weft/client.h"
#include "weft/protocol.h"

enum fairness_source { SRC_NONE, SRC_SCHEDULER, SRC_APPS };

struct fairness {
	struct sls *sls;
	enum fairness_source source;
	bool scheduler_missing; /* /scheduler answered 404 or has no queues */
	bool in_flight;
	double *share; /* per scenario queue, percent; < 0 unknown */
	double *rm_guarantee;
};

/* Nothing known yet: every share is unknown (-1). */
struct fairness *fairness_new(struct sls *sls)
{
	struct fairness *f = xcalloc(1, sizeof *f);
	int n = sls->sc->n_queues;

	f->sls = sls;
	f->share = xcalloc((size_t)n + 1, sizeof *f->share);
	f->rm_guarantee = xcalloc((size_t)n + 1, sizeof *f->rm_guarantee);
	for (int i = 0; i < n; i++)
		f->share[i] = f->rm_guarantee[i] = -1;
	return f;
}

/* Free the shares (a poll in flight belongs to sls->rest, freed first). */
void fairness_free(struct fairness *f)
{
	if (f == NULL)
		return;
	free(f->share);
	free(f->rm_guarantee);
	free(f);
}

/* Where the last shares came from, for the report. */
const char *fairness_source(const struct fairness *f)
{
	return f->source == SRC_SCHEDULER ? "scheduler" : f->source == SRC_APPS ? "apps" : "none";
}

/* The scenario's guarantee wins over the RM's. */
bool fairness_share(const struct fairness *f, int i, double *share, double *guarantee)
{
	const struct scenario_queue *q = &f->sls->sc->queues[i];

	*guarantee = q->guarantee >= 0 ? q->guarantee : f->rm_guarantee[i];
	*share = f->share[i];
	return f->share[i] >= 0;
}

/* Index of the scenario queue a reported queue is, or -1. */
static int fairness_match(const struct fairness *f, const char *path, const char *name)
{
	const struct scenario *sc = f->sls->sc;

	for (int i = 0; i < sc->n_queues; i++) {
		const char *want = sc->queues[i].path;
		const char *dot = strrchr(want, '.');

		/* "root.prod.etl" is that path; "etl" is the queue of that
		 * name; without a path, a path's last part names the queue. */
		if (path != NULL && strcmp(path, want) == 0)
			return i;
		if (name != NULL && strcmp(name, want) == 0)
			return i;
		if (path == NULL && name != NULL && dot != NULL && strcmp(dot + 1, name) == 0)
			return i;
	}
	return -1;
}

/* The /apps fallback: allocatedMB of running apps, summed per queue. */
static void fairness_apps_cb(const struct weft_status *st, struct json_object *body,
                             const char *raw, size_t len, void *arg)
{
	struct fairness *f = arg;
	const struct scenario *sc = f->sls->sc;
	struct json_object *list;
	double total = (double)sim_cluster_capacity(f->sls->cluster).memory_mb;
	double *mb;

	(void)raw;
	(void)len;
	f->in_flight = false;
	if (f->sls->stopping)
		return;
	if (!st->ok || body == NULL) {
		metrics_rpc_error(f->sls->metrics, "apps", st);
		return;
	}
	mb = xcalloc((size_t)sc->n_queues + 1, sizeof *mb);
	list = wjson_yarn_list(body, WEFT_KEY_APPS, WEFT_KEY_APP, NULL);
	for (size_t i = 0; list != NULL && i < json_object_array_length(list); i++) {
		struct weft_app_report app;
		int k;

		if (proto_app_report_decode(json_object_array_get_idx(list, i), &app, NULL) != 0 ||
		    app.queue == NULL)
			continue;
		k = fairness_match(f, NULL, app.queue);
		if (k >= 0 && app.allocated_mb > 0)
			mb[k] += (double)app.allocated_mb;
	}
	json_object_put(list);
	for (int i = 0; i < sc->n_queues; i++)
		f->share[i] = total > 0 ? 100.0 * mb[i] / total : 0;
	f->source = SRC_APPS;
	free(mb);
}

/* The Capacity Scheduler JSON (or a 404: switch to /apps for good). */
static void fairness_scheduler_cb(const struct weft_status *st, struct json_object *body,
                                  const char *raw, size_t len, void *arg)
{
	struct fairness *f = arg;
	struct proto_cluster_scheduler sched;
	char *cause = NULL;

	(void)raw;
	(void)len;
	f->in_flight = false;
	if (f->sls->stopping)
		return;
	if (st->http_status == 404) {
		log_info("the RM has no " WEFT_ROUTE_SCHEDULER ": queue shares come from /apps");
		f->scheduler_missing = true;
		fairness_poll(f);
		return;
	}
	if (!st->ok || body == NULL) {
		metrics_rpc_error(f->sls->metrics, "scheduler", st);
		return;
	}
	if (proto_cluster_scheduler_decode(body, &sched, &cause) != 0) {
		log_info("the RM's scheduler answer is unreadable (%s): queue shares come from "
		         "/apps",
		         cause);
		free(cause);
		f->scheduler_missing = true;
	} else if (sched.n_queues == 0) {
		log_info("the RM's scheduler lists no queues: queue shares come from /apps");
		f->scheduler_missing = true;
	} else {
		for (int i = 0; i < sched.n_queues; i++) {
			const struct proto_cluster_queue *q = &sched.queues[i];
			int k = fairness_match(f, q->path, q->name);

			if (k >= 0) {
				f->share[k] = q->abs_used_capacity;
				f->rm_guarantee[k] = q->abs_capacity;
			}
		}
		f->source = SRC_SCHEDULER;
	}
	proto_cluster_scheduler_clear(&sched);
}

/* One poll at a time; none without queues to follow. */
void fairness_poll(struct fairness *f)
{
	if (f->in_flight || f->sls->sc->n_queues == 0)
		return;
	f->in_flight = true;
	if (f->scheduler_missing)
		weft_client_call(f->sls->rest, "GET",
		                 WEFT_ROUTE_APPS "?" WEFT_QUERY_STATES "=RUNNING", NULL, 0, NULL,
		                 WEFT_CALL_IDEMPOTENT, fairness_apps_cb, f);
	else
		weft_client_call(f->sls->rest, "GET", WEFT_ROUTE_SCHEDULER, NULL, 0, NULL,
		                 WEFT_CALL_IDEMPOTENT, fairness_scheduler_cb, f);
}
