/*
 * fairness.c — polling queue shares from the RM (see fairness.h).
 *
 * The Capacity Scheduler's JSON nests queues: a parent's "queues" holds
 * {"queue":[...]} again.  Every queue met on the way is matched against
 * the scenario's queue paths, by queuePath when the RM gives one, else by
 * name ("etl" matches "root.prod.etl"), so both old and new shapes work.
 */
#include "weft_config.h"

#include "sls/fairness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/proto_app.h"
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

/* A number field (integer or not), or -1. */
static double fairness_number(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return -1;
	return json_object_get_double(v);
}

static int fairness_walk(struct fairness *f, struct json_object *queues);

/* One queue object: its figures if followed, then its children.  RET
 * queues seen. */
static int fairness_visit(struct fairness *f, struct json_object *q)
{
	struct json_object *v, *sub = NULL;
	const char *path = NULL, *name = NULL;
	int k;

	if (!json_object_is_type(q, json_type_object))
		return 0;
	if (json_object_object_get_ex(q, "queuePath", &v))
		path = json_object_get_string(v);
	if (json_object_object_get_ex(q, "queueName", &v))
		name = json_object_get_string(v);
	k = fairness_match(f, path, name);
	if (k >= 0) {
		f->share[k] = fairness_number(q, "absoluteUsedCapacity");
		f->rm_guarantee[k] = fairness_number(q, "absoluteCapacity");
	}
	if (json_object_object_get_ex(q, "queues", &sub))
		return 1 + fairness_walk(f, sub);
	return 1;
}

/* {"queue":[...]} (JAXB writes a one-element list as the element).  RET
 * queues seen. */
static int fairness_walk(struct fairness *f, struct json_object *queues)
{
	struct json_object *list = NULL;
	int seen = 0;

	if (queues == NULL || !json_object_object_get_ex(queues, "queue", &list))
		return 0;
	if (json_object_is_type(list, json_type_object))
		return fairness_visit(f, list);
	if (!json_object_is_type(list, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(list); i++)
		seen += fairness_visit(f, json_object_array_get_idx(list, i));
	return seen;
}

/* The /apps fallback: allocatedMB of running apps (proto_app's report),
 * summed per queue. */
static void fairness_apps_cb(const struct weft_status *st, struct json_object *body,
                             const char *raw, size_t len, void *arg)
{
	struct fairness *f = arg;
	const struct scenario *sc = f->sls->sc;
	struct json_object *apps = NULL, *list = NULL;
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
	/* {"apps":null} when there is none, as YARN writes it. */
	if (json_object_object_get_ex(body, WEFT_APP_KEY_APPS, &apps) &&
	    json_object_is_type(apps, json_type_object) &&
	    json_object_object_get_ex(apps, WEFT_APP_KEY_APP, &list) &&
	    json_object_is_type(list, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			struct weft_app_report m;
			char *why = NULL;
			int k;

			if (proto_app_report_decode(json_object_array_get_idx(list, i), &m, &why) !=
			    0) {
				log_debug("apps.app[%zu]: %s", i, why);
				free(why);
				continue;
			}
			k = m.queue != NULL ? fairness_match(f, NULL, m.queue) : -1;
			if (k >= 0 && m.allocated_mb > 0)
				mb[k] += (double)m.allocated_mb;
		}
	}
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
	struct json_object *info = NULL, *queues = NULL;

	(void)raw;
	(void)len;
	f->in_flight = false;
	if (f->sls->stopping)
		return;
	if (st->http_status == 404) {
		log_info("the RM has no /ws/v1/cluster/scheduler: queue shares come from /apps");
		f->scheduler_missing = true;
		fairness_poll(f);
		return;
	}
	if (!st->ok || body == NULL) {
		metrics_rpc_error(f->sls->metrics, "scheduler", st);
		return;
	}
	if (json_object_object_get_ex(body, "scheduler", &info))
		json_object_object_get_ex(info, "schedulerInfo", &info);
	if (info != NULL && json_object_object_get_ex(info, "queues", &queues) &&
	    fairness_walk(f, queues) > 0) {
		f->source = SRC_SCHEDULER;
	} else {
		log_info("the RM's scheduler lists no queues: queue shares come from /apps");
		f->scheduler_missing = true;
	}
}

/* One poll at a time; none without queues to follow. */
void fairness_poll(struct fairness *f)
{
	if (f->in_flight || f->sls->sc->n_queues == 0)
		return;
	f->in_flight = true;
	if (f->scheduler_missing)
		weft_client_call(f->sls->rest, "GET", WEFT_ROUTE_APPS "?states=RUNNING", NULL, 0,
		                 NULL, WEFT_CALL_IDEMPOTENT, fairness_apps_cb, f);
	else
		weft_client_call(f->sls->rest, "GET", "/ws/v1/cluster/scheduler", NULL, 0, NULL,
		                 WEFT_CALL_IDEMPOTENT, fairness_scheduler_cb, f);
}
