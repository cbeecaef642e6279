/*
 * test_rm_apps.c — the application and attempt state machines, driven
 * through the RM's own modules (the node tracker's and AM protocol's entry
 * points) with fake NMs answering the container API on loopback: the
 * happy path, AM failure and retry, the last failure, kill from each
 * state, lost and re-registering nodes, launch failures, expiries,
 * releases and eviction of finished applications.
 */
#include "weft_config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/daemon.h"
#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "rm/app_manager.h"
#include "rm/container_tokens.h"
#include "rm/node_tracker.h"
#include "rm/rm.h"
#include "rm/scheduler.h"
#include "rm/submission.h"
#include "test_rm_support.h"
#include "testlib.h"
#include "weft/ids.h"
#include "weft/protocol.h"

/* --- helpers --- */

static enum app_state app_state_of(struct rm_fixture *fx, const char *id)
{
	struct app_report r;

	ck_assert_int_eq(app_manager_report(fx->rm->apps, id, &r), 0);
	return r.state;
}

static struct app_report report_of(struct rm_fixture *fx, const char *id)
{
	struct app_report r;

	ck_assert_int_eq(app_manager_report(fx->rm->apps, id, &r), 0);
	return r;
}

/* Attempt number n (1-based) of app id: state, id and AM container. */
static enum attempt_state attempt_of(struct rm_fixture *fx, const char *id, int n, char *attempt_id,
                                     char *container_id)
{
	struct attempt_report *a = NULL;
	int count = app_manager_attempt_reports(fx->rm->apps, id, &a);
	enum attempt_state s;

	ck_assert_int_ge(count, n);
	s = a[n - 1].state;
	if (attempt_id != NULL)
		snprintf(attempt_id, WEFT_ID_MAX, "%s", a[n - 1].id);
	if (container_id != NULL)
		snprintf(container_id, WEFT_ID_MAX, "%s",
		         a[n - 1].container_id != NULL ? a[n - 1].container_id : "");
	free(a);
	return s;
}

static int attempt_count(struct rm_fixture *fx, const char *id)
{
	struct attempt_report *a = NULL;
	int count = app_manager_attempt_reports(fx->rm->apps, id, &a);

	free(a);
	return count;
}

struct wait_starts {
	struct fake_nm *nm;
	int n;
};

static bool starts_reached(void *arg)
{
	struct wait_starts *w = arg;

	return w->nm->n_starts >= w->n;
}

static void wait_starts(struct rm_fixture *fx, struct fake_nm *nm, int n)
{
	struct wait_starts w = {nm, n};

	ck_assert_msg(fixture_run_until(fx, starts_reached, &w, TESTLIB_WAIT_MS), "no start call");
}

struct wait_stops {
	struct fake_nm *nm;
	int n;
};

static bool stops_reached(void *arg)
{
	struct wait_stops *w = arg;

	return w->nm->n_stops >= w->n;
}

struct wait_attempt {
	struct rm_fixture *fx;
	const char *app;
	int number;
	enum attempt_state state;
};

static bool attempt_reached(void *arg)
{
	struct wait_attempt *w = arg;

	if (attempt_count(w->fx, w->app) < w->number)
		return false;
	return attempt_of(w->fx, w->app, w->number, NULL, NULL) == w->state;
}

static void wait_attempt(struct rm_fixture *fx, const char *app, int number,
                         enum attempt_state state)
{
	struct wait_attempt w = {fx, app, number, state};

	ck_assert_msg(fixture_run_until(fx, attempt_reached, &w, TESTLIB_WAIT_MS),
	              "attempt %d of %s never reached %s", number, app, attempt_state_name(state));
}

/* The AM of attempt registers; RET the attempt handle. */
static struct rm_attempt *am_register(struct rm_fixture *fx, const char *attempt_id)
{
	struct rm_attempt *at = app_manager_am_attempt(fx->rm->apps, attempt_id);
	enum app_error error;
	char *cause = NULL;

	ck_assert_ptr_nonnull(at);
	if (app_manager_am_register(fx->rm->apps, at, "amhost", 4040, "http://amhost:4040/", &error,
	                            &cause) != 0)
		ck_abort_msg("register: %s", cause);
	return at;
}

/* One allocate call with an optional ask and releases. */
static struct am_allocation am_allocate(struct rm_fixture *fx, struct rm_attempt *at, int count,
                                        const char *const *releases, int n_releases)
{
	struct scheduler_ask a;
	struct am_allocation out;
	enum app_error error;
	char *cause = NULL;

	memset(&a, 0, sizeof a);
	a.priority = 1;
	a.count = count;
	a.capability = weft_resource(1024, 1);
	a.relax_locality = true;
	if (app_manager_am_allocate(fx->rm->apps, at, 0.5, &a, count >= 0 ? 1 : 0, releases,
	                            n_releases, &out, &error, &cause) != 0)
		ck_abort_msg("allocate: %s", cause);
	return out;
}

static void allocation_clear(struct am_allocation *a)
{
	free(a->grants);
	json_object_put(a->completed);
}

/* Whether a JSON array of strings holds s. */
static bool array_has(struct json_object *array, const char *s)
{
	for (size_t i = 0; array != NULL && i < json_object_array_length(array); i++) {
		if (strcmp(json_object_get_string(json_object_array_get_idx(array, i)), s) == 0)
			return true;
	}
	return false;
}

/* "[{...RUNNING...},...]" for container ids (NULL-terminated), all
 * RUNNING, or COMPLETE with exit when exit_status >= -1000 given per id. */
static char *statuses(const char *const *running, const char *complete, int exit_status)
{
	char *out = xstrdup("[");

	for (int i = 0; running != NULL && running[i] != NULL; i++) {
		char *next = xasprintf("%s%s{\"containerId\":\"%s\",\"state\":\"RUNNING\"}", out,
		                       out[1] != '\0' ? "," : "", running[i]);
		free(out);
		out = next;
	}
	if (complete != NULL) {
		char *next = xasprintf("%s%s{\"containerId\":\"%s\",\"state\":\"COMPLETE\","
		                       "\"exitStatus\":%d,\"diagnostics\":\"Killed\"}",
		                       out, out[1] != '\0' ? "," : "", complete, exit_status);
		free(out);
		out = next;
	}
	{
		char *next = xasprintf("%s]", out);

		free(out);
		out = next;
	}
	return out;
}

/* Heartbeat from nm; RET the answer. */
static struct json_object *beat(struct rm_fixture *fx, struct fake_nm *nm,
                                const char *const *running, const char *complete, int exit_status)
{
	char *s = statuses(running, complete, exit_status);
	struct json_object *a = fixture_heartbeat(fx, nm->address, s);

	free(s);
	return a;
}

/* A partial heartbeat ("fullReport":false) from nm; RET the answer. */
static struct json_object *beat_partial(struct rm_fixture *fx, struct fake_nm *nm,
                                        const char *const *running, const char *complete,
                                        int exit_status)
{
	char *s = statuses(running, complete, exit_status);
	char *text = xasprintf("{\"nodeId\":\"%s\",\"responseId\":1,\"healthy\":true,"
	                       "\"fullReport\":false,\"containers\":%s}",
	                       nm->address, s);
	struct json_object *body = json_tokener_parse(text), *answer = NULL;
	char *cause = NULL;

	ck_assert_ptr_nonnull(body);
	if (node_tracker_heartbeat(fx->rm->nodes, body, &answer, &cause) != 0)
		ck_abort_msg("heartbeat: %s", cause);
	json_object_put(body);
	free(text);
	free(s);
	return answer;
}

/* Submit and bring attempt 1 to LAUNCHED on nm; fill ids. */
static void submit_launched(struct rm_fixture *fx, struct fake_nm *nm, const char *extra, char *app,
                            char *attempt, char *am_container)
{
	int before = nm->n_starts;

	fixture_submit(fx, extra, app);
	wait_starts(fx, nm, before + 1);
	wait_attempt(fx, app, 1, ATTEMPT_LAUNCHED);
	attempt_of(fx, app, 1, attempt, am_container);
}

/* --- tests --- */

START_TEST(test_happy_path)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct fake_nm *nm = fixture_add_nm(fx);
	char app[WEFT_ID_MAX], attempt[WEFT_ID_MAX], am_cid[WEFT_ID_MAX], got[WEFT_ID_MAX];
	struct json_object *ctx, *env, *ans;
	struct container_token tok;
	int64_t keys[1];
	struct rm_attempt *at;
	struct am_allocation al;
	struct app_metrics m;
	struct app_report r;
	enum app_error error;
	char *cause = NULL;
	const char *token;

	fixture_register_nm(fx, nm, 8192, 8);
	fixture_submit(fx, NULL, app);
	ck_assert_int_eq(app_state_of(fx, app), APP_ACCEPTED);
	/* The node had room: the AM container is placed at submission. */
	ck_assert_int_eq(attempt_of(fx, app, 1, attempt, am_cid), ATTEMPT_ALLOCATED);
	wait_starts(fx, nm, 1);
	wait_attempt(fx, app, 1, ATTEMPT_LAUNCHED);

	/* What the NM was asked to start. */
	token = jstr(nm->starts[0], "token");
	ck_assert_ptr_nonnull(token);
	keys[0] = container_tokens_current(fx->rm->tokens);
	ck_assert_int_eq(security_container_token_verify(fx->rm->secret, token, keys, 1,
	                                                 nm->address, time_now_ms(), &tok, &cause),
	                 0);
	ck_assert_str_eq(tok.container_id, am_cid);
	ck_assert_str_eq(tok.user, "alice");
	ck_assert_int_eq(tok.resource.memory_mb, 1024);
	ctx = jpath(nm->starts[0], "launchContext");
	env = jpath(ctx, "environment");
	ck_assert_str_eq(jstr(env, "A"), "1");
	ck_assert_str_eq(jstr(env, WEFT_ENV_RM_URL), fx->rm->rpc_url);
	ck_assert_str_eq(jstr(env, WEFT_ENV_APP_ATTEMPT_ID), attempt);
	ck_assert_int_eq(
	        security_verify_am_token(fx->rm->secret, jstr(env, WEFT_ENV_AM_TOKEN), got, &cause),
	        0);
	ck_assert_str_eq(got, attempt);
	ck_assert_str_eq(jstr(ctx, "commands.0"), "true");
	ck_assert_str_eq(jstr(ctx, "localResources.0.name"), "job.json");
	ck_assert_ptr_nonnull(strstr(jstr(ctx, "localResources.0.url"), "/ws/v1/staging/"));

	/* The AM registers: RUNNING everywhere. */
	at = am_register(fx, attempt);
	ck_assert_int_eq(app_state_of(fx, app), APP_RUNNING);
	ck_assert_int_eq(attempt_of(fx, app, 1, NULL, NULL), ATTEMPT_RUNNING);
	ans = beat(fx, nm, (const char *const[]){am_cid, NULL}, NULL, 0);
	json_object_put(ans);

	/* An ask that fits is granted in the same answer. */
	al = am_allocate(fx, at, 2, NULL, 0);
	ck_assert_int_eq(al.n_grants, 2);
	ck_assert_str_eq(al.grants[0].node_id, nm->address);
	ck_assert_int_eq(json_object_array_length(al.completed), 0);
	{
		char c2[WEFT_ID_MAX], c3[WEFT_ID_MAX];

		snprintf(c2, sizeof c2, "%s", al.grants[0].container_id);
		snprintf(c3, sizeof c3, "%s", al.grants[1].container_id);
		allocation_clear(&al);
		r = report_of(fx, app);
		ck_assert_int_eq(r.running_containers, 3);
		ck_assert_int_eq(r.allocated.memory_mb, 3072);

		/* One executor ends: acknowledged to the NM, reported to the AM
		 * once. */
		ans = beat(fx, nm, (const char *const[]){am_cid, c2, NULL}, c3, 0);
		ck_assert(array_has(jpath(ans, "containersToAck"), c3));
		json_object_put(ans);
		al = am_allocate(fx, at, -1, NULL, 0);
		ck_assert_int_eq(al.n_grants, 0);
		ck_assert_int_eq(json_object_array_length(al.completed), 1);
		ck_assert_str_eq(jstr(al.completed, "0.containerId"), c3);
		ck_assert_int_eq(jint(al.completed, "0.exitStatus"), 0);
		allocation_clear(&al);
		al = am_allocate(fx, at, -1, NULL, 0);
		ck_assert_int_eq(json_object_array_length(al.completed), 0);
		allocation_clear(&al);

		/* Finish: FINISHED at once; the executor is cleaned up, the AM
		 * container is left to exit. */
		ck_assert_int_eq(app_manager_am_finish(fx->rm->apps, at, FINAL_SUCCEEDED,
		                                       "all good", "http://history/", &error,
		                                       &cause),
		                 0);
		r = report_of(fx, app);
		ck_assert_int_eq(r.state, APP_FINISHED);
		ck_assert_int_eq(r.final_status, FINAL_SUCCEEDED);
		ck_assert_str_eq(r.diagnostics, "all good");
		ck_assert_str_eq(r.tracking_url, "http://history/");
		ck_assert(r.progress == 100.0);
		ck_assert_int_gt(r.finished_ms, 0);
		ck_assert_int_eq(attempt_of(fx, app, 1, NULL, NULL), ATTEMPT_FINISHED);
		ans = beat(fx, nm, (const char *const[]){am_cid, c2, NULL}, NULL, 0);
		ck_assert(array_has(jpath(ans, "containersToCleanup"), c2));
		ck_assert(!array_has(jpath(ans, "containersToCleanup"), am_cid));
		ck_assert_int_eq(json_object_array_length(jpath(ans, "appsToCleanup")), 0);
		json_object_put(ans);
		/* The AM exits: now the node cleans the application up. */
		ans = beat(fx, nm, (const char *const[]){c2, NULL}, am_cid, 0);
		ck_assert(array_has(jpath(ans, "containersToAck"), am_cid));
		ck_assert(array_has(jpath(ans, "appsToCleanup"), app));
		json_object_put(ans);
		/* Sent once. */
		ans = beat(fx, nm, NULL, NULL, 0);
		ck_assert(!array_has(jpath(ans, "appsToCleanup"), app));
		json_object_put(ans);
	}
	/* A late allocate is told to shut down. */
	al = am_allocate(fx, at, -1, NULL, 0);
	ck_assert(al.shutdown);
	allocation_clear(&al);
	app_manager_metrics(fx->rm->apps, &m);
	ck_assert_int_eq(m.submitted, 1);
	ck_assert_int_eq(m.completed, 1);
	ck_assert_int_eq(m.running, 0);
	ck_assert_int_eq(m.pending, 0);
	r = report_of(fx, app);
	ck_assert_int_eq(r.running_containers, 0);
	ck_assert_int_ge(r.memory_seconds, 0);
	fixture_free(fx);
}
END_TEST

/* Containers placed between two allocate calls are not granted twice when
 * the AM repeats an ask that could not know of them. */
START_TEST(test_undelivered_grants_not_granted_twice)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct fake_nm *nm = fixture_add_nm(fx), *nm2, *nm3;
	char app[WEFT_ID_MAX], attempt[WEFT_ID_MAX], am_cid[WEFT_ID_MAX];
	struct rm_attempt *at;
	struct am_allocation al;

	/* Room for the AM and one executor only. */
	fixture_register_nm(fx, nm, 2048, 8);
	fixture_submit(fx, NULL, app);
	attempt_of(fx, app, 1, attempt, am_cid);
	wait_starts(fx, nm, 1);
	at = am_register(fx, attempt);
	al = am_allocate(fx, at, 3, NULL, 0);
	ck_assert_int_eq(al.n_grants, 1);
	allocation_clear(&al);
	/* A node joins: the two missing executors are placed at once... */
	nm2 = fixture_add_nm(fx);
	fixture_register_nm(fx, nm2, 8192, 8);
	/* ...and the AM, not knowing yet, asks again for the two it lacks. */
	al = am_allocate(fx, at, 2, NULL, 0);
	ck_assert_int_eq(al.n_grants, 2);
	allocation_clear(&al);
	/* Nothing more is owed: a further node gets nothing for this AM. */
	nm3 = fixture_add_nm(fx);
	fixture_register_nm(fx, nm3, 8192, 8);
	al = am_allocate(fx, at, -1, NULL, 0);
	ck_assert_int_eq(al.n_grants, 0);
	allocation_clear(&al);
	fixture_free(fx);
}
END_TEST

START_TEST(test_am_failure_then_last_failure)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct fake_nm *nm = fixture_add_nm(fx);
	char app[WEFT_ID_MAX], a1[WEFT_ID_MAX], c1[WEFT_ID_MAX], a2[WEFT_ID_MAX], c2[WEFT_ID_MAX];
	struct app_report r;
	struct app_metrics m;
	struct json_object *ans;

	fixture_register_nm(fx, nm, 8192, 8);
	submit_launched(fx, nm, NULL, app, a1, c1);
	am_register(fx, a1);
	ck_assert_int_eq(app_state_of(fx, app), APP_RUNNING);

	/* The AM container dies before the AM unregistered. */
	ans = beat(fx, nm, NULL, c1, 137);
	json_object_put(ans);
	ck_assert_int_eq(attempt_of(fx, app, 1, NULL, NULL), ATTEMPT_FAILED);
	ck_assert_int_eq(attempt_count(fx, app), 2);
	r = report_of(fx, app);
	ck_assert_int_eq(r.state, APP_ACCEPTED);
	ck_assert_int_eq(r.final_status, FINAL_UNDEFINED);
	ck_assert_ptr_nonnull(strstr(r.diagnostics, "exited with status 137"));
	/* The old attempt is refused on the AM protocol. */
	ck_assert_ptr_null(app_manager_am_attempt(fx->rm->apps, a1));

	wait_starts(fx, nm, 2);
	wait_attempt(fx, app, 2, ATTEMPT_LAUNCHED);
	attempt_of(fx, app, 2, a2, c2);
	ck_assert_ptr_nonnull(strstr(c2, "_02_000001"));
	ck_assert_ptr_nonnull(strstr(a2, "_000002"));

	/* The last attempt's AM dies too: the application FAILED. */
	ans = beat(fx, nm, NULL, c2, 1);
	ck_assert(array_has(jpath(ans, "appsToCleanup"), app));
	json_object_put(ans);
	r = report_of(fx, app);
	ck_assert_int_eq(r.state, APP_FAILED);
	ck_assert_int_eq(r.final_status, FINAL_FAILED);
	ck_assert_ptr_nonnull(strstr(r.diagnostics, "failed 2 times"));
	ck_assert_ptr_nonnull(strstr(r.diagnostics, "exited with status 1"));
	ck_assert_int_eq(attempt_of(fx, app, 2, NULL, NULL), ATTEMPT_FAILED);
	ck_assert_int_eq(attempt_count(fx, app), 2);
	app_manager_metrics(fx->rm->apps, &m);
	ck_assert_int_eq(m.failed, 1);
	fixture_free(fx);
}
END_TEST

START_TEST(test_max_app_attempts_from_submission)
{
	const char *defines[] = {"rm.am.max-attempts=3", NULL};
	struct rm_fixture *fx = fixture_new(defines);
	struct fake_nm *nm = fixture_add_nm(fx);
	char app[WEFT_ID_MAX], a1[WEFT_ID_MAX], c1[WEFT_ID_MAX];
	struct json_object *ans;

	fixture_register_nm(fx, nm, 8192, 8);
	/* The app asks for fewer attempts than the RM allows: min wins. */
	submit_launched(fx, nm, "\"max-app-attempts\":1", app, a1, c1);
	ans = beat(fx, nm, NULL, c1, 2);
	json_object_put(ans);
	ck_assert_int_eq(app_state_of(fx, app), APP_FAILED);
	ck_assert_int_eq(attempt_count(fx, app), 1);
	fixture_free(fx);
}
END_TEST

START_TEST(test_kill_accepted)
{
	struct rm_fixture *fx = fixture_new(NULL);
	char app[WEFT_ID_MAX];
	struct app_report r;
	struct app_metrics m;
	struct scheduler_usage u;
	bool was_final = true;

	/* No node: the AM container waits (attempt SCHEDULED). */
	fixture_submit(fx, NULL, app);
	ck_assert_int_eq(attempt_of(fx, app, 1, NULL, NULL), ATTEMPT_SCHEDULED);
	scheduler_usage(fx->rm->scheduler, &u);
	ck_assert_int_eq(u.n_pending, 1);
	ck_assert_int_eq(app_manager_kill(fx->rm->apps, app, "killed by test", &was_final), 0);
	ck_assert(!was_final);
	r = report_of(fx, app);
	ck_assert_int_eq(r.state, APP_KILLED);
	ck_assert_int_eq(r.final_status, FINAL_KILLED);
	ck_assert_str_eq(r.diagnostics, "killed by test");
	ck_assert_int_eq(attempt_of(fx, app, 1, NULL, NULL), ATTEMPT_KILLED);
	scheduler_usage(fx->rm->scheduler, &u);
	ck_assert_int_eq(u.n_pending, 0);
	/* Killing again changes nothing. */
	ck_assert_int_eq(app_manager_kill(fx->rm->apps, app, "again", &was_final), 0);
	ck_assert(was_final);
	ck_assert_str_eq(report_of(fx, app).diagnostics, "killed by test");
	app_manager_metrics(fx->rm->apps, &m);
	ck_assert_int_eq(m.killed, 1);
	ck_assert_int_eq(m.pending, 0);
	ck_assert_int_eq(app_manager_kill(fx->rm->apps, "application_1_0001", "x", &was_final), -1);
	fixture_free(fx);
}
END_TEST

START_TEST(test_kill_allocated)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct fake_nm *nm = fixture_add_nm(fx);
	char app[WEFT_ID_MAX], c1[WEFT_ID_MAX];
	struct wait_stops w = {nm, 1};
	struct json_object *ans;
	bool was_final;

	fixture_register_nm(fx, nm, 8192, 8);
	fixture_submit(fx, NULL, app);
	ck_assert_int_eq(attempt_of(fx, app, 1, NULL, c1), ATTEMPT_ALLOCATED);
	/* Killed while the launch is in flight. */
	ck_assert_int_eq(app_manager_kill(fx->rm->apps, app, "stop", &was_final), 0);
	ck_assert_int_eq(app_state_of(fx, app), APP_KILLED);
	ck_assert(fixture_run_until(fx, stops_reached, &w, TESTLIB_WAIT_MS));
	ck_assert_str_eq(nm->stops[0], c1);
	ck_assert(nm->stop_auth_ok);
	/* The late launch answer does not revive anything. */
	wait_starts(fx, nm, 1);
	fixture_run_for(fx, 100);
	ck_assert_int_eq(attempt_of(fx, app, 1, NULL, NULL), ATTEMPT_KILLED);
	/* If the NM started it anyway, the heartbeat answer stops it. */
	ans = beat(fx, nm, (const char *const[]){c1, NULL}, NULL, 0);
	ck_assert(array_has(jpath(ans, "containersToCleanup"), c1));
	ck_assert(array_has(jpath(ans, "appsToCleanup"), app));
	json_object_put(ans);
	fixture_free(fx);
}
END_TEST

START_TEST(test_kill_running)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct fake_nm *nm = fixture_add_nm(fx);
	char app[WEFT_ID_MAX], a1[WEFT_ID_MAX], c1[WEFT_ID_MAX];
	struct wait_stops w = {nm, 3};
	struct rm_attempt *at;
	struct am_allocation al;
	struct scheduler_usage u;
	enum app_error error;
	char *cause = NULL;
	bool was_final;

	fixture_register_nm(fx, nm, 8192, 8);
	submit_launched(fx, nm, NULL, app, a1, c1);
	at = am_register(fx, a1);
	al = am_allocate(fx, at, 2, NULL, 0);
	ck_assert_int_eq(al.n_grants, 2);
	allocation_clear(&al);
	ck_assert_int_eq(app_manager_kill(fx->rm->apps, app, "stop", &was_final), 0);
	/* Every container is stopped directly on its NM. */
	ck_assert(fixture_run_until(fx, stops_reached, &w, TESTLIB_WAIT_MS));
	ck_assert(nm->stop_auth_ok);
	scheduler_usage(fx->rm->scheduler, &u);
	ck_assert_int_eq(u.n_containers, 0);
	/* The AM's next allocate: SHUTDOWN; registering again: refused. */
	al = am_allocate(fx, at, -1, NULL, 0);
	ck_assert(al.shutdown);
	allocation_clear(&al);
	ck_assert_int_eq(app_manager_am_register(fx->rm->apps, at, "h", 1, "", &error, &cause), -1);
	ck_assert_int_eq(error, APP_ERROR_NOT_FOUND);
	free(cause);
	fixture_free(fx);
}
END_TEST

START_TEST(test_kill_finished)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct fake_nm *nm = fixture_add_nm(fx);
	char app[WEFT_ID_MAX], a1[WEFT_ID_MAX], c1[WEFT_ID_MAX];
	struct rm_attempt *at;
	enum app_error error;
	char *cause = NULL;
	bool was_final = false;

	fixture_register_nm(fx, nm, 8192, 8);
	submit_launched(fx, nm, NULL, app, a1, c1);
	at = am_register(fx, a1);
	ck_assert_int_eq(app_manager_am_finish(fx->rm->apps, at, FINAL_FAILED, "job failed", "",
	                                       &error, &cause),
	                 0);
	/* An AM may report FAILED: the state is FINISHED, as YARN does. */
	ck_assert_int_eq(app_state_of(fx, app), APP_FINISHED);
	ck_assert_int_eq(report_of(fx, app).final_status, FINAL_FAILED);
	ck_assert_int_eq(app_manager_kill(fx->rm->apps, app, "late", &was_final), 0);
	ck_assert(was_final);
	ck_assert_int_eq(app_state_of(fx, app), APP_FINISHED);
	/* finish again is harmless */
	ck_assert_int_eq(
	        app_manager_am_finish(fx->rm->apps, at, FINAL_SUCCEEDED, "", "", &error, &cause),
	        0);
	ck_assert_int_eq(report_of(fx, app).final_status, FINAL_FAILED);
	fixture_free(fx);
}
END_TEST

START_TEST(test_node_lost)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct fake_nm *a = fixture_add_nm(fx), *b;
	char app[WEFT_ID_MAX], a1[WEFT_ID_MAX], c1[WEFT_ID_MAX], c2[WEFT_ID_MAX];
	struct rm_attempt *at;
	struct am_allocation al;
	struct node_counts counts;
	struct node_report nr;
	struct json_object *ans;
	struct app_report r;

	fixture_register_nm(fx, a, 8192, 8);
	submit_launched(fx, a, NULL, app, a1, c1);
	at = am_register(fx, a1);
	al = am_allocate(fx, at, 1, NULL, 0);
	ck_assert_int_eq(al.n_grants, 1);
	allocation_clear(&al);
	b = fixture_add_nm(fx);
	fixture_register_nm(fx, b, 8192, 8);

	/* Node a is lost: its containers complete with -100, the AM's
	 * attempt fails and the next one starts on b. */
	node_tracker_expire(fx->rm->nodes, a->address);
	ck_assert_int_eq(node_tracker_report(fx->rm->nodes, a->address, &nr), 0);
	ck_assert_int_eq(nr.state, NODE_LOST);
	node_tracker_counts(fx->rm->nodes, &counts);
	ck_assert_int_eq(counts.per_state[NODE_LOST], 1);
	ck_assert_int_eq(counts.active, 1);
	ck_assert_int_eq(attempt_of(fx, app, 1, NULL, NULL), ATTEMPT_FAILED);
	r = report_of(fx, app);
	ck_assert_ptr_nonnull(strstr(r.diagnostics, "-100"));
	ck_assert_ptr_nonnull(strstr(r.diagnostics, "lost"));
	wait_starts(fx, b, 1);
	wait_attempt(fx, app, 2, ATTEMPT_LAUNCHED);
	attempt_of(fx, app, 2, NULL, c2);
	ck_assert_ptr_nonnull(jstr(b->starts[0], "token"));

	/* The lost node heartbeats: RESYNC, then it registers again. */
	ans = beat(fx, a, (const char *const[]){c1, NULL}, NULL, 0);
	ck_assert_str_eq(jstr(ans, "action"), "RESYNC");
	json_object_put(ans);
	fixture_register_nm(fx, a, 8192, 8);
	node_tracker_counts(fx->rm->nodes, &counts);
	ck_assert_int_eq(counts.per_state[NODE_LOST], 0);
	ck_assert_int_eq(counts.active, 2);
	/* Its old containers are unknown now: the NM must clean them up. */
	ans = beat(fx, a, (const char *const[]){c1, NULL}, NULL, 0);
	ck_assert_str_eq(jstr(ans, "action"), "NORMAL");
	ck_assert(array_has(jpath(ans, "containersToCleanup"), c1));
	json_object_put(ans);
	/* Sent once and no longer listed: the order is done. */
	ans = beat(fx, a, NULL, NULL, 0);
	ck_assert_int_eq(json_object_array_length(jpath(ans, "containersToCleanup")), 0);
	json_object_put(ans);
	fixture_free(fx);
}
END_TEST

START_TEST(test_partial_reports)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct fake_nm *nm = fixture_add_nm(fx);
	char app[WEFT_ID_MAX], a1[WEFT_ID_MAX], c1[WEFT_ID_MAX], g[WEFT_ID_MAX];
	const char *x = "container_1600000000000_0001_01_000001";
	const char *y = "container_1600000000000_0001_01_000002";
	struct json_object *ans, *body;
	struct rm_attempt *at;
	struct am_allocation al;
	char *cause = NULL;

	fixture_register_nm(fx, nm, 8192, 8);
	submit_launched(fx, nm, NULL, app, a1, c1);
	at = am_register(fx, a1);
	al = am_allocate(fx, at, 1, NULL, 0);
	ck_assert_int_eq(al.n_grants, 1);
	snprintf(g, sizeof g, "%s", al.grants[0].container_id);
	allocation_clear(&al);

	/* Only what changed is listed: what is left out keeps running. */
	ans = beat_partial(fx, nm, (const char *const[]){c1, g, NULL}, NULL, 0);
	json_object_put(ans);
	ans = beat_partial(fx, nm, NULL, NULL, 0);
	ck_assert_int_eq(json_object_array_length(jpath(ans, "containersToCleanup")), 0);
	json_object_put(ans);
	ck_assert_int_eq(report_of(fx, app).running_containers, 2);
	ck_assert_int_eq(attempt_of(fx, app, 1, NULL, NULL), ATTEMPT_RUNNING);

	/* A completion in a partial report reaches the AM at once. */
	ans = beat_partial(fx, nm, NULL, g, 3);
	ck_assert(array_has(jpath(ans, "containersToAck"), g));
	json_object_put(ans);
	al = am_allocate(fx, at, -1, NULL, 0);
	ck_assert_int_eq(json_object_array_length(al.completed), 1);
	ck_assert_str_eq(jstr(al.completed, "0.containerId"), g);
	ck_assert_int_eq(jint(al.completed, "0.exitStatus"), 3);
	allocation_clear(&al);

	/* An unknown RUNNING container is cleaned up; a partial report that
	 * leaves it out does not end the order, a full one does. */
	ans = beat_partial(fx, nm, (const char *const[]){x, NULL}, NULL, 0);
	ck_assert(array_has(jpath(ans, "containersToCleanup"), x));
	json_object_put(ans);
	ans = beat_partial(fx, nm, NULL, NULL, 0);
	ck_assert(array_has(jpath(ans, "containersToCleanup"), x));
	json_object_put(ans);
	ans = beat(fx, nm, (const char *const[]){c1, NULL}, NULL, 0); /* full (no field) */
	ck_assert_int_eq(json_object_array_length(jpath(ans, "containersToCleanup")), 0);
	json_object_put(ans);
	ck_assert_int_eq(attempt_of(fx, app, 1, NULL, NULL), ATTEMPT_RUNNING);

	/* Or the NM reports it COMPLETE. */
	ans = beat_partial(fx, nm, (const char *const[]){y, NULL}, NULL, 0);
	ck_assert(array_has(jpath(ans, "containersToCleanup"), y));
	json_object_put(ans);
	ans = beat_partial(fx, nm, NULL, y, WEFT_EXIT_KILLED_BY_RESOURCEMANAGER);
	ck_assert(array_has(jpath(ans, "containersToAck"), y));
	ck_assert_int_eq(json_object_array_length(jpath(ans, "containersToCleanup")), 0);
	json_object_put(ans);

	/* "fullReport" must be a boolean. */
	body = json_tokener_parse("{\"nodeId\":\"h:1\",\"fullReport\":\"no\"}");
	ck_assert_int_eq(node_tracker_heartbeat(fx->rm->nodes, body, &ans, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "fullReport"));
	free(cause);
	json_object_put(body);
	fixture_free(fx);
}
END_TEST

START_TEST(test_liveness_expiry)
{
	const char *defines[] = {"rm.nm.liveness-expiry-ms=1000", NULL};
	struct rm_fixture *fx = fixture_new(defines);
	struct fake_nm *nm = fixture_add_nm(fx), *other = fixture_add_nm(fx);
	struct node_report nr;
	struct json_object *ans;
	long long start = testlib_now_ms();

	fixture_register_nm(fx, nm, 4096, 4);
	fixture_register_nm(fx, other, 4096, 4);
	/* other keeps heartbeating (20 times per expiry), nm does not: wait
	 * until nm is lost, however long the loaded machine takes. */
	for (;;) {
		ck_assert_int_eq(node_tracker_report(fx->rm->nodes, nm->address, &nr), 0);
		if (nr.state == NODE_LOST)
			break;
		ck_assert_msg(testlib_now_ms() - start < TESTLIB_WAIT_MS,
		              "the silent node never expired");
		fixture_run_for(fx, 50);
		ans = beat(fx, other, NULL, NULL, 0);
		json_object_put(ans);
	}
	ck_assert_int_eq(node_tracker_report(fx->rm->nodes, other->address, &nr), 0);
	ck_assert_int_eq(nr.state, NODE_RUNNING);
	/* Not before the expiry. */
	ck_assert_int_ge(testlib_now_ms() - start, 1000);
	fixture_free(fx);
}
END_TEST

START_TEST(test_launch_failure)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct fake_nm *nm = fixture_add_nm(fx);
	char app[WEFT_ID_MAX];
	struct wait_attempt w;
	struct app_report r;

	nm->start_status = 500;
	fixture_register_nm(fx, nm, 8192, 8);
	fixture_submit(fx, NULL, app);
	w.fx = fx;
	w.app = app;
	w.number = 2;
	w.state = ATTEMPT_FAILED;
	ck_assert(fixture_run_until(fx, attempt_reached, &w, TESTLIB_WAIT_MS));
	r = report_of(fx, app);
	ck_assert_int_eq(r.state, APP_FAILED);
	ck_assert_ptr_nonnull(strstr(r.diagnostics, "disk full"));
	ck_assert_ptr_nonnull(strstr(r.diagnostics, "could not be launched"));
	ck_assert_int_eq(nm->n_starts, 2);
	fixture_free(fx);
}
END_TEST

/* Whether the scheduler holds exactly one live container. */
static bool only_one_container(void *arg)
{
	struct rm_fixture *fx = arg;
	struct scheduler_usage u;

	scheduler_usage(fx->rm->scheduler, &u);
	return u.n_containers == 1;
}

START_TEST(test_container_expiry)
{
	const char *defines[] = {"rm.container-token.expiry-ms=1000", NULL};
	struct rm_fixture *fx = fixture_new(defines);
	struct fake_nm *nm = fixture_add_nm(fx);
	char app[WEFT_ID_MAX], a1[WEFT_ID_MAX], c1[WEFT_ID_MAX], g[WEFT_ID_MAX];
	struct rm_attempt *at;
	struct am_allocation al;
	struct json_object *ans;

	fixture_register_nm(fx, nm, 8192, 8);
	submit_launched(fx, nm, NULL, app, a1, c1);
	at = am_register(fx, a1);
	ans = beat(fx, nm, (const char *const[]){c1, NULL}, NULL, 0);
	json_object_put(ans);
	al = am_allocate(fx, at, 1, NULL, 0);
	ck_assert_int_eq(al.n_grants, 1);
	snprintf(g, sizeof g, "%s", al.grants[0].container_id);
	allocation_clear(&al);
	/* Never started: reclaimed after the token expiry (only the AM
	 * container is left). */
	ck_assert(fixture_run_until(fx, only_one_container, fx, TESTLIB_WAIT_MS));
	al = am_allocate(fx, at, 0, NULL, 0);
	ck_assert_int_eq(json_object_array_length(al.completed), 1);
	ck_assert_str_eq(jstr(al.completed, "0.containerId"), g);
	ck_assert_int_eq(jint(al.completed, "0.exitStatus"), WEFT_EXIT_ABORTED);
	ck_assert_ptr_nonnull(strstr(jstr(al.completed, "0.diagnostics"), "expired"));
	allocation_clear(&al);
	/* The AM container was reported running: it stays. */
	ck_assert_int_eq(app_state_of(fx, app), APP_RUNNING);
	fixture_free(fx);
}
END_TEST

START_TEST(test_release)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct fake_nm *nm = fixture_add_nm(fx);
	char app[WEFT_ID_MAX], a1[WEFT_ID_MAX], c1[WEFT_ID_MAX], g[WEFT_ID_MAX];
	struct wait_stops w = {nm, 1};
	struct rm_attempt *at;
	struct am_allocation al;
	struct json_object *ans;
	const char *rel[2];

	fixture_register_nm(fx, nm, 8192, 8);
	submit_launched(fx, nm, NULL, app, a1, c1);
	at = am_register(fx, a1);
	al = am_allocate(fx, at, 1, NULL, 0);
	snprintf(g, sizeof g, "%s", al.grants[0].container_id);
	allocation_clear(&al);
	rel[0] = g;
	rel[1] = c1; /* the AM cannot release its own container: ignored */
	al = am_allocate(fx, at, 0, rel, 2);
	ck_assert_int_eq(json_object_array_length(al.completed), 1);
	ck_assert_str_eq(jstr(al.completed, "0.containerId"), g);
	ck_assert_ptr_nonnull(strstr(jstr(al.completed, "0.diagnostics"), "released"));
	allocation_clear(&al);
	ck_assert(fixture_run_until(fx, stops_reached, &w, TESTLIB_WAIT_MS));
	ck_assert_str_eq(nm->stops[0], g);
	ans = beat(fx, nm, (const char *const[]){c1, g, NULL}, NULL, 0);
	ck_assert(array_has(jpath(ans, "containersToCleanup"), g));
	json_object_put(ans);
	ck_assert_int_eq(report_of(fx, app).running_containers, 1);
	fixture_free(fx);
}
END_TEST

START_TEST(test_am_liveness)
{
	const char *defines[] = {"rm.am.liveness-expiry-ms=1000", NULL};
	struct rm_fixture *fx = fixture_new(defines);
	struct fake_nm *nm = fixture_add_nm(fx);
	char app[WEFT_ID_MAX], a1[WEFT_ID_MAX], c1[WEFT_ID_MAX];
	struct app_report r;

	fixture_register_nm(fx, nm, 8192, 8);
	submit_launched(fx, nm, NULL, app, a1, c1);
	am_register(fx, a1);
	/* The AM goes silent. */
	wait_attempt(fx, app, 1, ATTEMPT_FAILED);
	r = report_of(fx, app);
	ck_assert_ptr_nonnull(strstr(r.diagnostics, "timed out"));
	ck_assert_int_eq(attempt_count(fx, app), 2);
	fixture_free(fx);
}
END_TEST

START_TEST(test_reregister_replaces)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct fake_nm *nm = fixture_add_nm(fx);
	char app[WEFT_ID_MAX], a1[WEFT_ID_MAX], c1[WEFT_ID_MAX];

	fixture_register_nm(fx, nm, 8192, 8);
	submit_launched(fx, nm, NULL, app, a1, c1);
	am_register(fx, a1);
	/* The NM restarts and registers without the AM container. */
	fixture_register_nm(fx, nm, 8192, 8);
	ck_assert_int_eq(attempt_of(fx, app, 1, NULL, NULL), ATTEMPT_FAILED);
	ck_assert_int_eq(attempt_count(fx, app), 2);
	fixture_free(fx);
}
END_TEST

static struct rm_fixture *eviction_fx;

/* Whether the application named by arg has left the RM's memory. */
static bool app_forgotten(void *arg)
{
	struct app_report r;

	return app_manager_report(eviction_fx->rm->apps, arg, &r) == -1;
}

START_TEST(test_eviction)
{
	const char *defines[] = {"rm.max-completed-applications=1", NULL};
	struct rm_fixture *fx = fixture_new(defines);
	char app1[WEFT_ID_MAX], app2[WEFT_ID_MAX];
	struct app_report r;
	struct app_metrics m;
	bool was_final;

	eviction_fx = fx;
	fixture_submit(fx, NULL, app1);
	fixture_submit(fx, NULL, app2);
	app_manager_kill(fx->rm->apps, app1, "k", &was_final);
	app_manager_kill(fx->rm->apps, app2, "k", &was_final);
	/* Still there until the loop runs (no caller holds a freed app). */
	ck_assert_int_eq(app_manager_report(fx->rm->apps, app1, &r), 0);
	ck_assert(fixture_run_until(fx, app_forgotten, (void *)app1, TESTLIB_WAIT_MS));
	ck_assert_int_eq(app_manager_report(fx->rm->apps, app1, &r), -1);
	ck_assert_int_eq(app_manager_report(fx->rm->apps, app2, &r), 0);
	app_manager_metrics(fx->rm->apps, &m);
	ck_assert_int_eq(m.killed, 2);
	ck_assert_int_eq(m.submitted, 2);
	fixture_free(fx);
}
END_TEST

START_TEST(test_submit_refusals)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct json_object *body;
	struct weft_app_submission *sub = NULL;
	enum app_error error;
	char *cause = NULL, id[WEFT_ID_MAX];
	struct app_metrics m;

	/* An id the RM never handed out. */
	body = json_tokener_parse("{\"application-id\":\"application_1_0001\","
	                          "\"am-container-spec\":{\"commands\":{\"command\":\"x\"}}}");
	ck_assert_int_eq(proto_app_submission_decode(body, &sub, &cause), 0);
	ck_assert_int_eq(app_manager_submit(fx->rm->apps, sub, "u", &error, &cause), -1);
	ck_assert_int_eq(error, APP_ERROR_BAD_REQUEST);
	ck_assert_ptr_nonnull(strstr(cause, "not handed out"));
	free(cause);
	cause = NULL;
	proto_app_submission_free(sub);
	json_object_put(body);
	/* A resource above the maximum: InvalidResourceRequest, id unused. */
	ck_assert_int_eq(app_manager_new_application(fx->rm->apps, "u", id, &cause), 0);
	{
		char *text = xasprintf("{\"application-id\":\"%s\",\"resource\":{\"memory\":99999,"
		                       "\"vCores\":1},\"am-container-spec\":{\"commands\":"
		                       "{\"command\":\"x\"}}}",
		                       id);

		body = json_tokener_parse(text);
		free(text);
	}
	ck_assert_int_eq(proto_app_submission_decode(body, &sub, &cause), 0);
	ck_assert_int_eq(app_manager_submit(fx->rm->apps, sub, "u", &error, &cause), -1);
	ck_assert_int_eq(error, APP_ERROR_INVALID_RESOURCE);
	free(cause);
	cause = NULL;
	/* ...and a wrong queue. */
	sub->resource = weft_resource(1024, 1);
	free(sub->queue);
	sub->queue = xstrdup("prod");
	ck_assert_int_eq(app_manager_submit(fx->rm->apps, sub, "u", &error, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "prod"));
	free(cause);
	cause = NULL;
	/* The id is still usable: nothing was half-applied. */
	free(sub->queue);
	sub->queue = xstrdup("default");
	ck_assert_int_eq(app_manager_submit(fx->rm->apps, sub, "u", &error, &cause), 0);
	/* Twice: the same submission by the same user is the first one
	 * again (a retry: 1, nothing changes); anything else is refused. */
	{
		struct weft_app_submission *again = NULL;

		ck_assert_int_eq(proto_app_submission_decode(body, &again, &cause), 0);
		again->resource = weft_resource(1024, 1); /* as the accepted one */
		ck_assert_int_eq(app_manager_submit(fx->rm->apps, again, "u", &error, &cause), 1);
		ck_assert_int_eq(app_manager_submit(fx->rm->apps, again, "v", &error, &cause), -1);
		ck_assert_ptr_nonnull(strstr(cause, "already submitted"));
		free(cause);
		cause = NULL;
		again->priority = 5;
		ck_assert_int_eq(app_manager_submit(fx->rm->apps, again, "u", &error, &cause), -1);
		ck_assert_ptr_nonnull(strstr(cause, "already submitted"));
		free(cause);
		proto_app_submission_free(again);
	}
	json_object_put(body);
	app_manager_metrics(fx->rm->apps, &m);
	ck_assert_int_eq(m.submitted, 1);
	fixture_free(fx);
}
END_TEST

static Suite *rm_apps_suite(void)
{
	Suite *s = suite_create("rm_apps");
	TCase *tc = tcase_create("state machines");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_happy_path);
	tcase_add_test(tc, test_am_failure_then_last_failure);
	tcase_add_test(tc, test_max_app_attempts_from_submission);
	tcase_add_test(tc, test_kill_accepted);
	tcase_add_test(tc, test_kill_allocated);
	tcase_add_test(tc, test_undelivered_grants_not_granted_twice);
	tcase_add_test(tc, test_kill_running);
	tcase_add_test(tc, test_kill_finished);
	tcase_add_test(tc, test_node_lost);
	tcase_add_test(tc, test_partial_reports);
	tcase_add_test(tc, test_liveness_expiry);
	tcase_add_test(tc, test_launch_failure);
	tcase_add_test(tc, test_container_expiry);
	tcase_add_test(tc, test_release);
	tcase_add_test(tc, test_am_liveness);
	tcase_add_test(tc, test_reregister_replaces);
	tcase_add_test(tc, test_eviction);
	tcase_add_test(tc, test_submit_refusals);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rm_apps_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
