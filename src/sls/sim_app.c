/*
 * sim_app.c — simulated applications: submission, then an AM's life.
 *
 * What an AM believes about its asks follows YARN's AMRMClient: the RM
 * holds a count per priority that each allocate may replace; grants
 * lower it.  The AM keeps `asked` (its view of that count) and one
 * timestamp per outstanding container in a FIFO, so each grant that
 * arrives is measured from the moment it was asked for (ask->grant
 * latency).  Grants placed between two allocate calls can make the RM
 * give more than the AM still wants (a new count overwrites one the RM
 * had already lowered): the AM releases the surplus, as YARN AMs do.
 *
 * Per application: one timer (submission time, AM start-up delay, the
 * allocate period) and at most one call in flight; a change wanted
 * meanwhile (a task to re-ask, a release) goes right after the answer.
 *
 * Every call is a libweft client call: submissions through one client per
 * application group, as its user (user.name); AM calls through sls->rpc
 * with the attempt's AM token.  Bodies are encoded and answers decoded
 * with proto_app and proto_am.
 */
#include "weft_config.h"

#include "sls/sim_app.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/log.h"
#include "common/proto_am.h"
#include "common/proto_app.h"
#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "sls/metrics.h"
#include "sls/rm_pool.h"
#include "sls/scenario.h"
#include "sls/sim_node.h"
#include "sls/sls.h"
#include "weft/client.h"
#include "weft/ids.h"
#include "weft/protocol.h"

#define SIM_SEQ_MASK ((INT64_C(1) << 40) - 1)

enum sim_app_state {
	SIM_WAITING,    /* not submitted yet */
	SIM_SUBMITTING, /* new-application / submit in flight */
	SIM_ACCEPTED,   /* waiting for the RM to start the AM */
	SIM_LAUNCHED,   /* AM container started, AM starting up */
	SIM_RUNNING,    /* registered, allocating */
	SIM_FINISHING,  /* finish in flight */
	SIM_DONE,       /* finished SUCCEEDED */
	SIM_FAILED,     /* refused, killed, AM lost, ... */
};

/* What an app knows of one of its containers (by container number). */
enum sim_container_state { SC_NONE, SC_RUNNING, SC_RELEASED, SC_ENDED };
#define SC_ASKED_BACK 0x80 /* flag: the RM asked for it back (counted once) */

struct sim_app {
	struct sim_apps *apps;
	const struct scenario_apps *group;
	int index;
	enum sim_app_state state;
	char id[WEFT_ID_MAX];
	char attempt_id[WEFT_ID_MAX];
	char *am_header; /* "X-Weft-AM-Token: ..." */
	char am_container[WEFT_ID_MAX];
	int am_node;
	int64_t submitted_us;

	int tasks_done;
	int tasks_running;
	int asked;       /* the RM's count for our priority, as we believe it */
	int sent_count;  /* the count last sent; -1 = none */
	int64_t *ask_us; /* FIFO of ask times, capacity parallel */
	int ask_head, ask_len;
	int32_t *node_of; /* node of container number n, by n */
	uint8_t *cstate;  /* enum sim_container_state, by n */
	int64_t n_slots;
	char **releases;
	int n_releases;
	int *hints; /* node indexes named in asks */
	int64_t response_id;
	int n_calls; /* calls out (an answer of a stale one is ignored by state) */
	bool again;
	struct event *timer;
};

struct sim_apps {
	struct sls *sls;
	struct weft_client **submitters; /* per group: its user's client */
	struct sim_app *apps;
	int n_apps;
	struct sim_app **by_seq; /* by the RM's application sequence number */
	int n_by_seq;
	int n_ended;
	struct evbuffer *buf;
};

static void sim_app_timer_cb(evutil_socket_t fd, short what, void *arg);
static void sim_app_allocate(struct sim_app *app);

/* One record per application of every group, all waiting. */
struct sim_apps *sim_apps_new(struct sls *sls, char **cause)
{
	struct sim_apps *a = xcalloc(1, sizeof *a);
	const struct scenario *sc = sls->sc;
	int i = 0;

	a->sls = sls;
	a->n_apps = scenario_app_count(sc);
	a->apps = xcalloc((size_t)a->n_apps + 1, sizeof *a->apps);
	a->buf = evbuffer_new();
	for (int g = 0; g < sc->n_apps; g++) {
		for (int k = 0; k < sc->apps[g].count; k++, i++) {
			struct sim_app *app = &a->apps[i];

			app->apps = a;
			app->group = &sc->apps[g];
			app->index = i;
			app->am_node = -1;
			app->sent_count = -1;
			app->ask_us =
			        xcalloc((size_t)app->group->parallel + 1, sizeof *app->ask_us);
			app->timer = evtimer_new(sls->base, sim_app_timer_cb, app);
		}
	}
	a->submitters = xcalloc((size_t)sc->n_apps + 1, sizeof *a->submitters);
	for (int g = 0; g < sc->n_apps; g++) {
		a->submitters[g] = rm_pool_client(sls->rest_pool, sc->apps[g].user, cause);
		if (a->submitters[g] == NULL) {
			sim_apps_free(a);
			return NULL;
		}
	}
	return a;
}

/* Forget every container record (a new attempt starts afresh). */
static void sim_app_clear(struct sim_app *app)
{
	for (int i = 0; i < app->n_releases; i++)
		free(app->releases[i]);
	free(app->releases);
	app->releases = NULL;
	app->n_releases = 0;
	free(app->node_of);
	free(app->cstate);
	app->node_of = NULL;
	app->cstate = NULL;
	app->n_slots = 0;
	app->tasks_done = 0;
	app->tasks_running = 0;
	app->asked = 0;
	app->sent_count = -1;
	app->ask_head = app->ask_len = 0;
	app->response_id = 0;
}

/* Free every app, after its submitters (their calls in flight point
 * here; AM calls belong to sls->rpc, freed first). */
void sim_apps_free(struct sim_apps *a)
{
	if (a == NULL)
		return;
	for (int g = 0; a->submitters != NULL && a->submitters[g] != NULL; g++)
		weft_client_free(a->submitters[g]);
	free(a->submitters);
	for (int i = 0; i < a->n_apps; i++) {
		struct sim_app *app = &a->apps[i];

		sim_app_clear(app);
		event_free(app->timer);
		free(app->ask_us);
		free(app->am_header);
		free(app->hints);
	}
	free(a->apps);
	free(a->by_seq);
	evbuffer_free(a->buf);
	free(a);
}

/* Applications in the scenario. */
int sim_apps_total(const struct sim_apps *a)
{
	return a->n_apps;
}

/* Applications finished or failed. */
int sim_apps_ended(const struct sim_apps *a)
{
	return a->n_ended;
}

/* Arm an app's timer ms from now. */
static void sim_app_arm(struct sim_app *app, int64_t ms)
{
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};

	evtimer_add(app->timer, &tv);
}

/* The app ended (either way): count it, stop when all have. */
static void sim_app_end(struct sim_app *app, enum sim_app_state to, const char *why)
{
	struct sim_apps *a = app->apps;

	if (app->state == SIM_DONE || app->state == SIM_FAILED)
		return;
	evtimer_del(app->timer);
	app->state = to;
	a->n_ended++;
	if (to == SIM_DONE) {
		metrics_count(a->sls->metrics, M_APPS_FINISHED, 1);
	} else {
		metrics_count(a->sls->metrics, M_APPS_FAILED, 1);
		log_warn("app %d (%s) failed: %s", app->index, app->id[0] ? app->id : "-", why);
	}
	if (a->n_ended == a->n_apps)
		sls_apps_done(a->sls);
}

/* --- submission --- */

/* Index the app by its id's sequence number: the RM may start its AM
 * before the submission's answer is read. */
static void sim_apps_index(struct sim_apps *a, struct sim_app *app)
{
	weft_app_id_t aid;

	if (weft_app_id_parse(app->id, &aid) != 0 || aid.seq <= 0)
		return;
	if (aid.seq >= a->n_by_seq) {
		int n = a->n_by_seq > 0 ? a->n_by_seq : 1024;

		while (n <= aid.seq)
			n *= 2;
		a->by_seq = xreallocarray(a->by_seq, (size_t)n, sizeof *a->by_seq);
		memset(a->by_seq + a->n_by_seq, 0, (size_t)(n - a->n_by_seq) * sizeof *a->by_seq);
		a->n_by_seq = n;
	}
	a->by_seq[aid.seq] = app;
}

/* The client an app submits through: its group's user. */
static struct weft_client *sim_app_submitter(const struct sim_app *app)
{
	return app->apps->submitters[app->group - app->apps->sls->sc->apps];
}

/* The submission answer: 202 Accepted, or the app fails. */
static void sim_app_submit_cb(const struct weft_status *st, struct json_object *answer,
                              const char *body, size_t len, void *arg)
{
	struct sim_app *app = arg;
	struct sim_apps *a = app->apps;

	(void)answer;
	(void)body;
	(void)len;
	app->n_calls--;
	if (a->sls->stopping)
		return;
	if (st->http_status != 202) {
		metrics_rpc_error(a->sls->metrics, "submit", st);
		sim_app_end(app, SIM_FAILED, "submission refused");
		return;
	}
	metrics_count(a->sls->metrics, M_SUBMITTED, 1);
	if (app->state == SIM_SUBMITTING)
		app->state = SIM_ACCEPTED; /* (or already launched: see am_launch) */
}

/* Submit with YARN's ApplicationSubmissionContext (common/proto_app.c). */
static void sim_app_submit(struct sim_app *app)
{
	const struct scenario_apps *g = app->group;
	char *command = "echo weft-sls simulated AM: never run";
	char *name = xasprintf("sls-%s-%d", g->name, app->index);
	struct weft_app_submission sub = {
	        .name = name,
	        .queue = (char *)g->queue,
	        .type = "SLS",
	        .max_attempts = 1,
	        .resource = weft_resource(g->am_memory_mb, g->am_vcores),
	        .commands = &command,
	        .n_commands = 1,
	};
	struct json_object *body;
	const char *text;

	snprintf(sub.app_id, sizeof sub.app_id, "%s", app->id);
	body = proto_app_submission_encode(&sub);
	text = wjson_text(body);
	app->n_calls++;
	weft_client_call(sim_app_submitter(app), "POST", WEFT_ROUTE_APPS, text, strlen(text), NULL,
	                 0, sim_app_submit_cb, app);
	json_object_put(body);
	free(name);
}

/* The new id: index the app by it, then submit. */
static void sim_app_new_application_cb(const struct weft_status *st, struct json_object *answer,
                                       const char *body, size_t len, void *arg)
{
	struct sim_app *app = arg;
	struct sls *sls = app->apps->sls;
	struct weft_new_application m;
	char *why = NULL;

	(void)body;
	(void)len;
	app->n_calls--;
	if (sls->stopping)
		return;
	if (!st->ok) {
		metrics_rpc_error(sls->metrics, "new-application", st);
		sim_app_end(app, SIM_FAILED, "new-application failed");
		return;
	}
	if (answer == NULL || proto_app_new_application_decode(answer, &m, &why) != 0 ||
	    strlen(m.app_id) >= sizeof app->id) {
		log_warn("app %d: bad new-application answer: %s", app->index,
		         why != NULL ? why : "not a JSON object with an id that fits");
		free(why);
		metrics_count(sls->metrics, M_RPC_ERRORS, 1);
		sim_app_end(app, SIM_FAILED, "new-application failed");
		return;
	}
	snprintf(app->id, sizeof app->id, "%s", m.app_id);
	sim_apps_index(app->apps, app);
	app->submitted_us = sls_now_us();
	sim_app_submit(app);
}

/* First step of YARN's REST submission: ask for an id. */
static void sim_app_new_application(struct sim_app *app)
{
	app->state = SIM_SUBMITTING;
	app->n_calls++;
	weft_client_call(sim_app_submitter(app), "POST", WEFT_ROUTE_NEW_APPLICATION, NULL, 0, NULL,
	                 0, sim_app_new_application_cb, app);
}

/* Spread each group's submissions evenly over its window. */
void sim_apps_start(struct sim_apps *a)
{
	int i = 0;

	for (int g = 0; g < a->sls->sc->n_apps; g++) {
		const struct scenario_apps *group = &a->sls->sc->apps[g];

		for (int k = 0; k < group->count; k++, i++) {
			int64_t at = group->submit_at_ms;

			if (group->count > 1)
				at += group->submit_spread_ms * k / (group->count - 1);
			sim_app_arm(&a->apps[i], at);
		}
	}
	if (a->n_apps == 0)
		sls_apps_done(a->sls);
}

/* --- the AM --- */

/* Make room to record container number n. */
static void sim_app_slot(struct sim_app *app, int64_t n)
{
	int64_t cap = app->n_slots;

	if (n < cap)
		return;
	if (cap == 0)
		cap = 64;
	while (cap <= n)
		cap *= 2;
	app->node_of = xreallocarray(app->node_of, (size_t)cap, sizeof *app->node_of);
	app->cstate = xreallocarray(app->cstate, (size_t)cap, sizeof *app->cstate);
	memset(app->cstate + app->n_slots, SC_NONE, (size_t)(cap - app->n_slots));
	for (int64_t i = app->n_slots; i < cap; i++)
		app->node_of[i] = -1;
	app->n_slots = cap;
}

/* Container number of an id of this app, or -1. */
static int64_t sim_app_number(const struct sim_app *app, const char *container_id)
{
	weft_container_id_t cid;
	weft_attempt_id_t aid;

	if (weft_container_id_parse(container_id, &cid) != 0 ||
	    weft_attempt_id_parse(app->attempt_id, &aid) != 0 ||
	    cid.attempt.attempt != aid.attempt || !weft_app_id_equal(&cid.attempt.app, &aid.app))
		return -1;
	return cid.seq & SIM_SEQ_MASK;
}

/* How many more containers the AM wants the RM to hold for it now. */
static int sim_app_target(const struct sim_app *app)
{
	int left = app->group->containers - app->tasks_done;
	int want = (left < app->group->parallel ? left : app->group->parallel) - app->tasks_running;

	return want > 0 ? want : 0;
}

/* Bring `asked` (and the FIFO of ask times) to the target. */
static void sim_app_reask(struct sim_app *app)
{
	int target = sim_app_target(app), cap = app->group->parallel + 1;
	int64_t now = sls_now_us();

	while (app->asked < target) {
		app->ask_us[(app->ask_head + app->ask_len) % cap] = now;
		app->ask_len++;
		app->asked++;
	}
	while (app->asked > target) {
		app->asked--;
		if (app->ask_len > 0)
			app->ask_len--; /* the newest asks are dropped */
	}
}

/* The next allocate: at once if something must be said, else after the
 * period. */
static void sim_app_next(struct sim_app *app)
{
	const struct scenario *sc = app->apps->sls->sc;

	if (app->state != SIM_RUNNING)
		return;
	if (app->tasks_done >= app->group->containers) {
		sim_app_allocate(app); /* finishes */
		return;
	}
	if (app->asked != app->sent_count || app->n_releases > 0) {
		if (app->n_calls > 0)
			app->again = true;
		else
			sim_app_allocate(app);
		return;
	}
	sim_app_arm(app, app->asked > 0 ? sc->am_pending_interval_ms : sc->am_interval_ms);
}

/* Take one grant: run it if a task wants it, else give it back. */
static void sim_app_grant(struct sim_app *app, const struct weft_container *g, int64_t now)
{
	struct sim_apps *a = app->apps;
	const char *cid = g->container_id, *node_id = g->node_id;
	int64_t n;
	int node, cap = app->group->parallel + 1;
	int left = app->group->containers - app->tasks_done;
	int64_t duration;

	if ((n = sim_app_number(app, cid)) < 0) {
		log_warn("%s: grant %s is not of this attempt", app->id, cid);
		return;
	}
	metrics_count(a->sls->metrics, M_ALLOCATED, 1);
	sim_app_slot(app, n);
	node = sim_cluster_find(a->sls->cluster, node_id);
	if ((app->cstate[n] & ~SC_ASKED_BACK) != SC_NONE || node < 0 ||
	    app->tasks_running >= (left < app->group->parallel ? left : app->group->parallel)) {
		/* Surplus (or on a node we do not simulate): give it back. */
		app->cstate[n] = SC_RELEASED;
		app->releases = xreallocarray(app->releases, (size_t)app->n_releases + 1,
		                              sizeof *app->releases);
		app->releases[app->n_releases++] = xstrdup(cid);
		metrics_count(a->sls->metrics, M_RELEASED, 1);
		return;
	}
	if (app->ask_len > 0) {
		metrics_latency(a->sls->metrics, L_ASK_GRANT, now - app->ask_us[app->ask_head]);
		app->ask_head = (app->ask_head + 1) % cap;
		app->ask_len--;
	}
	duration = app->group->duration_min_ms;
	if (app->group->duration_max_ms > duration)
		duration += random() % (app->group->duration_max_ms - duration + 1);
	if (sim_node_start(a->sls->cluster, node, cid, duration, false) != 0) {
		log_warn("%s: %s could not start on %s", app->id, cid, node_id);
		app->cstate[n] = SC_ENDED;
		return;
	}
	app->cstate[n] = SC_RUNNING;
	app->node_of[n] = node;
	app->tasks_running++;
}

/* One completed status from the RM. */
static void sim_app_completed(struct sim_app *app, const struct weft_container_status *st)
{
	int64_t exit_status = st->exit_status, n;

	if ((n = sim_app_number(app, st->container_id)) < 0 || n >= app->n_slots)
		return;
	if ((app->cstate[n] & ~SC_ASKED_BACK) != SC_RUNNING)
		return; /* a release coming back, or the AM container */
	app->cstate[n] = SC_ENDED;
	app->tasks_running--;
	if (exit_status == WEFT_EXIT_SUCCESS)
		app->tasks_done++;
	else if (exit_status == WEFT_EXIT_PREEMPTED)
		metrics_count(app->apps->sls->metrics, M_PREEMPTED, 1);
	/* Any other end (node lost, killed): the task runs again. */
}

/* A container the RM wants back: count it once; give it back at once if
 * the scenario says so (the task runs again later). */
static void sim_app_asked_back(struct sim_app *app, const struct weft_preemption_request *p)
{
	const char *cid = p->container_id;
	int64_t n;

	if ((n = sim_app_number(app, cid)) < 0 || n >= app->n_slots ||
	    (app->cstate[n] & SC_ASKED_BACK) != 0)
		return;
	app->cstate[n] |= SC_ASKED_BACK;
	metrics_count(app->apps->sls->metrics, M_PREEMPT_ASKED, 1);
	if (!app->group->release_preempted || (app->cstate[n] & ~SC_ASKED_BACK) != SC_RUNNING)
		return;
	app->cstate[n] = SC_RELEASED | SC_ASKED_BACK;
	app->tasks_running--;
	app->releases =
	        xreallocarray(app->releases, (size_t)app->n_releases + 1, sizeof *app->releases);
	app->releases[app->n_releases++] = xstrdup(cid);
}

/* Carry out an allocate answer.  RET -1 when malformed. */
static int sim_app_apply(struct sim_app *app, struct json_object *answer, char **why)
{
	struct proto_am_allocated m;
	int64_t now = sls_now_us();
	int n_grants;

	if (proto_am_allocated_decode(answer, &m, why) != 0) {
		proto_am_allocated_clear(&m);
		return -1;
	}
	app->response_id = m.response_id;
	if (m.action == PROTO_AM_ACTION_SHUTDOWN) {
		proto_am_allocated_clear(&m);
		sim_app_end(app, SIM_FAILED, "the RM says SHUTDOWN (killed?)");
		return 0;
	}
	for (int i = 0; i < m.n_completed; i++)
		sim_app_completed(app, &m.completed[i]);
	for (int i = 0; i < m.n_preempt; i++)
		sim_app_asked_back(app, &m.preempt[i]);
	n_grants = m.n_allocated;
	for (int i = 0; i < n_grants; i++)
		sim_app_grant(app, &m.allocated[i], now);
	proto_am_allocated_clear(&m);
	/* The RM lowered its count by every grant. */
	app->asked -= (int)n_grants;
	if (app->asked < 0)
		app->asked = 0;
	if (app->ask_len > app->asked)
		app->ask_len = app->asked;
	if (app->sent_count >= 0) {
		app->sent_count -= (int)n_grants;
		if (app->sent_count < 0)
			app->sent_count = 0;
	}
	sim_app_reask(app);
	return 0;
}

/* One AM call (POST path with body) with the attempt's AM token. */
static void sim_app_call(struct sim_app *app, const char *path, const char *body, size_t len,
                         weft_call_cb cb)
{
	app->n_calls++;
	rm_pool_post(app->apps->sls->rpc, path, app->am_header, body, len, cb, app);
}

/* Unregistered: the app is done and its AM process exits. */
static void sim_app_finish_cb(const struct weft_status *st, struct json_object *answer,
                              const char *body, size_t len, void *arg)
{
	struct sim_app *app = arg;
	struct sls *sls = app->apps->sls;

	(void)answer;
	(void)body;
	(void)len;
	app->n_calls--;
	if (sls->stopping)
		return;
	if (!st->ok) {
		metrics_rpc_error(sls->metrics, "finish", st);
		sim_app_end(app, SIM_FAILED, "finish refused");
		return;
	}
	sim_app_end(app, SIM_DONE, NULL);
	/* The AM process exits: its container ends normally. */
	sim_node_stop(sls->cluster, app->am_node, app->am_container, WEFT_EXIT_SUCCESS);
}

/* Every task done: unregister SUCCEEDED. */
static void sim_app_finish(struct sim_app *app)
{
	struct json_object *body =
	        proto_am_finish_encode(&(struct proto_am_finish){.final_status = "SUCCEEDED"});
	const char *text = wjson_text(body);

	app->state = SIM_FINISHING;
	sim_app_call(app, WEFT_RPC_AM_FINISH, text, strlen(text), sim_app_finish_cb);
	json_object_put(body);
}

/* An allocate answer: grants, completions, preemption notices; then the next call. */
static void sim_app_allocate_cb(const struct weft_status *st, struct json_object *answer,
                                const char *body, size_t len, void *arg)
{
	struct sim_app *app = arg;
	struct sls *sls = app->apps->sls;
	char *why = NULL;

	(void)body;
	(void)len;
	app->n_calls--;
	if (sls->stopping || app->state != SIM_RUNNING)
		return;
	if (!st->ok) {
		metrics_rpc_error(sls->metrics, "allocate", st);
		if (st->http_status == 404 || st->http_status == 400) {
			sim_app_end(app, SIM_FAILED, "allocate refused");
			return;
		}
		/* Resend the same request after the period (responseId kept). */
		app->sent_count = -1;
		sim_app_arm(app, sls->sc->am_interval_ms);
		return;
	}
	metrics_count(sls->metrics, M_ALLOCATE_CALLS, 1);
	metrics_latency(sls->metrics, L_ALLOCATE, rm_pool_service_us(sls->rpc_pool));
	if (answer == NULL || sim_app_apply(app, answer, &why) != 0) {
		log_warn("%s: bad allocate answer: %s", app->id,
		         why != NULL ? why : "not a JSON object");
		free(why);
		app->sent_count = -1;
	}
	if (app->state != SIM_RUNNING)
		return;
	app->again = false;
	sim_app_next(app);
}

/* One allocate call with what changed (or finish when all is done). */
static void sim_app_allocate(struct sim_app *app)
{
	struct sim_apps *a = app->apps;
	const struct scenario_apps *g = app->group;
	struct evbuffer *b = a->buf;
	struct proto_am_allocate req = {0};
	struct weft_container_request ask;
	const char **hints = NULL;
	size_t len;

	if (app->n_calls > 0) {
		app->again = true;
		return;
	}
	evtimer_del(app->timer);
	if (app->tasks_done >= g->containers && app->n_releases == 0) {
		sim_app_finish(app);
		return;
	}
	req.response_id = app->response_id;
	req.progress = g->containers > 0 ? (double)app->tasks_done / g->containers : 1.0;
	if (app->asked != app->sent_count) {
		hints = xcalloc((size_t)g->node_hints + 1, sizeof *hints);
		for (int i = 0; i < g->node_hints; i++)
			hints[i] = sim_cluster_node_id(a->sls->cluster, app->hints[i]);
		ask = (struct weft_container_request){
		        .priority = g->priority,
		        .count = app->asked,
		        .capability = weft_resource(g->memory_mb, g->vcores),
		        .nodes = hints,
		        .n_nodes = g->node_hints,
		        .relax_locality = true,
		};
		req.asks = &ask;
		req.n_asks = 1;
		app->sent_count = app->asked;
	}
	req.releases = (const char **)app->releases;
	req.n_releases = app->n_releases;
	proto_am_allocate_write(b, &req);
	free(hints);
	for (int i = 0; i < app->n_releases; i++)
		free(app->releases[i]);
	app->n_releases = 0;
	len = evbuffer_get_length(b);
	sim_app_call(app, WEFT_RPC_AM_ALLOCATE, (const char *)evbuffer_pullup(b, -1), len,
	             sim_app_allocate_cb);
	evbuffer_drain(b, len);
}

/* Registered: ask for the first containers at once. */
static void sim_app_register_cb(const struct weft_status *st, struct json_object *answer,
                                const char *body, size_t len, void *arg)
{
	struct sim_app *app = arg;
	struct sls *sls = app->apps->sls;

	(void)answer;
	(void)body;
	(void)len;
	app->n_calls--;
	if (sls->stopping || app->state != SIM_LAUNCHED)
		return;
	if (!st->ok) {
		metrics_rpc_error(sls->metrics, "register", st);
		sim_app_end(app, SIM_FAILED, "register refused");
		return;
	}
	app->state = SIM_RUNNING;
	sim_app_reask(app);
	sim_app_allocate(app);
}

/* The AM has started up: register with the AM token. */
static void sim_app_register(struct sim_app *app)
{
	struct json_object *body = proto_am_register_encode(
	        &(struct proto_am_register){.host = "weft-sls", .rpc_port = -1});
	const char *text = wjson_text(body);

	sim_app_call(app, WEFT_RPC_AM_REGISTER, text, strlen(text), sim_app_register_cb);
	json_object_put(body);
}

/* The app's one timer: submit, register, or the allocate period. */
static void sim_app_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sim_app *app = arg;

	(void)fd;
	(void)what;
	if (app->apps->sls->stopping)
		return;
	switch (app->state) {
	case SIM_WAITING:
		sim_app_new_application(app);
		break;
	case SIM_LAUNCHED:
		if (app->n_calls == 0)
			sim_app_register(app);
		else
			sim_app_arm(app, 10); /* the submission is still out */
		break;
	case SIM_RUNNING:
		sim_app_allocate(app);
		break;
	default:
		break;
	}
}

/* The app of an application id (by its sequence number), or NULL. */
static struct sim_app *sim_apps_by_app_id(const struct sim_apps *a, const weft_app_id_t *id)
{
	struct sim_app *app;

	if (id->seq <= 0 || id->seq >= a->n_by_seq)
		return NULL;
	app = a->by_seq[id->seq];
	if (app == NULL || strcmp(app->id, "") == 0)
		return NULL;
	{
		weft_app_id_t mine;

		if (weft_app_id_parse(app->id, &mine) != 0 || !weft_app_id_equal(&mine, id))
			return NULL;
	}
	return app;
}

int sim_apps_am_launch(struct sim_apps *a, const char *container_id, int node,
                       struct json_object *environment, char **cause)
{
	const char *token = NULL, *attempt = NULL;
	weft_container_id_t cid;
	weft_attempt_id_t aid;
	struct sim_app *app;
	int64_t now = sls_now_us();

	if (wjson_get_string(environment, "launchContext.environment", WEFT_ENV_AM_TOKEN, true,
	                     &token, cause) != 0 ||
	    wjson_get_string(environment, "launchContext.environment", WEFT_ENV_APP_ATTEMPT_ID,
	                     true, &attempt, cause) != 0)
		return -1;
	if (weft_container_id_parse(container_id, &cid) != 0 ||
	    weft_attempt_id_parse(attempt, &aid) != 0 || aid.attempt != cid.attempt.attempt ||
	    !weft_app_id_equal(&aid.app, &cid.attempt.app))
		return set_cause(cause, "container %s is not of attempt %s", container_id, attempt);
	app = sim_apps_by_app_id(a, &aid.app);
	if (app == NULL)
		return set_cause(cause, "no simulated application expects %s", container_id);
	if (app->state != SIM_SUBMITTING && app->state != SIM_ACCEPTED &&
	    app->state != SIM_FAILED && app->state != SIM_RUNNING && app->state != SIM_LAUNCHED)
		return set_cause(cause, "%s is not waiting for an AM", app->id);
	if (sim_node_start(a->sls->cluster, node, container_id, -1, true) != 0)
		return set_cause(cause, "node %d cannot start %s", node, container_id);
	if (app->state == SIM_FAILED) {
		/* A new attempt of an app given up for lost: it lives again. */
		a->n_ended--;
		metrics_count(a->sls->metrics, M_APPS_FAILED, -1);
	}
	if (app->state == SIM_ACCEPTED || app->state == SIM_SUBMITTING)
		metrics_latency(a->sls->metrics, L_SUBMIT_AM, now - app->submitted_us);
	metrics_count(a->sls->metrics, M_AM_LAUNCHES, 1);
	sim_app_clear(app);
	snprintf(app->attempt_id, sizeof app->attempt_id, "%s", attempt);
	snprintf(app->am_container, sizeof app->am_container, "%s", container_id);
	app->am_node = node;
	free(app->am_header);
	app->am_header = xasprintf("%s: %s", SECURITY_AM_HEADER, token);
	if (app->group->node_hints > 0 && app->hints == NULL) {
		int size = sim_cluster_size(a->sls->cluster);

		app->hints = xcalloc((size_t)app->group->node_hints, sizeof *app->hints);
		for (int i = 0; i < app->group->node_hints; i++)
			app->hints[i] = (int)(random() % size);
	}
	app->state = SIM_LAUNCHED;
	/* A call of the submission may still be out: the timer waits for
	 * it before the AM registers. */
	app->again = false;
	sim_app_arm(app, app->group->am_start_ms);
	return 0;
}

/* The AM container by id, a task container by its number. */
int sim_apps_container_node(const struct sim_apps *a, const char *container_id)
{
	weft_container_id_t cid;
	struct sim_app *app;
	int64_t n;

	if (weft_container_id_parse(container_id, &cid) != 0 ||
	    (app = sim_apps_by_app_id(a, &cid.attempt.app)) == NULL)
		return -1;
	if (strcmp(app->am_container, container_id) == 0)
		return app->am_node;
	n = sim_app_number(app, container_id);
	if (n < 0 || n >= app->n_slots)
		return -1;
	return app->node_of[n];
}

/* An AM container ended under a live app (killed, lost): the app fails. */
void sim_apps_am_container_ended(struct sim_apps *a, const char *container_id, int exit_status)
{
	weft_container_id_t cid;
	struct sim_app *app;
	char *why;

	if (weft_container_id_parse(container_id, &cid) != 0 ||
	    (app = sim_apps_by_app_id(a, &cid.attempt.app)) == NULL ||
	    strcmp(app->am_container, container_id) != 0)
		return;
	if (app->state == SIM_DONE || app->state == SIM_FAILED)
		return;
	why = xasprintf("its AM container %s ended with exit status %d", container_id, exit_status);
	sim_app_end(app, SIM_FAILED, why);
	free(why);
}
