/*
 * test_scheduler_rm.c — the scheduler inside a real in-process RM (fake
 * NMs on loopback): GET /ws/v1/cluster/scheduler, submissions refused by
 * queue (400) or by ACL (403), /apps?queue=, the reason an application
 * waits in ACCEPTED, the preemption path end to end (the AM is told in
 * its allocate answer, the NM is told to stop the container, the AM sees
 * it complete with -102, the waiting application gets the room; an AM
 * container preempted does not use up an attempt), the authenticated
 * queue refresh that keeps the old queues when the file is bad, and racks
 * from the topology table and script.
 */
#include "weft_config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "rm/app_manager.h"
#include "rm/node_tracker.h"
#include "rm/rack_resolver.h"
#include "rm/rm.h"
#include "rm/scheduler.h"
#include "test_rm_support.h"
#include "testlib.h"
#include "weft/ids.h"
#include "weft/protocol.h"

/* A queue file in its own directory (removed by the caller). */
static char *write_queues(const char *dir, const char *text)
{
	char *path = xasprintf("%s/queues.conf", dir);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

struct setup {
	char dir[256];
	char *path;
	struct rm_fixture *fx;
};

/* An RM reading text as its queue file, with fast preemption and an
 * optional extra define. */
static void setup_with(struct setup *st, const char *text, const char *extra)
{
	char *define;
	const char *defines[7];

	testlib_mkdtemp_into(st->dir, sizeof st->dir, "queues-rm");
	st->path = write_queues(st->dir, text);
	define = xasprintf("rm.scheduler.queues-file=%s", st->path);
	defines[0] = define;
	defines[1] = "rm.scheduler.preemption.enabled=true";
	defines[2] = "rm.scheduler.preemption.monitoring-interval-ms=100";
	defines[3] = "rm.scheduler.preemption.max-wait-before-kill-ms=300";
	defines[4] = "rm.scheduler.preemption.total-preemption-per-round=100";
	defines[5] = extra;
	defines[6] = NULL;
	st->fx = fixture_new(defines);
	free(define);
}

static void setup(struct setup *st, const char *text)
{
	setup_with(st, text, NULL);
}

static void teardown(struct setup *st)
{
	fixture_free(st->fx);
	testlib_rmtree(st->dir);
	free(st->path);
}

static struct app_report report_of(struct rm_fixture *fx, const char *id)
{
	struct app_report r;

	ck_assert_int_eq(app_manager_report(fx->rm->apps, id, &r), 0);
	return r;
}

/* The current attempt of app id and its AM container. */
static void current_attempt(struct rm_fixture *fx, const char *id, char *attempt, char *am)
{
	struct attempt_report *a = NULL;
	int n = app_manager_attempt_reports(fx->rm->apps, id, &a);

	ck_assert_int_ge(n, 1);
	snprintf(attempt, WEFT_ID_MAX, "%s", a[n - 1].id);
	snprintf(am, WEFT_ID_MAX, "%s", a[n - 1].container_id != NULL ? a[n - 1].container_id : "");
	free(a);
}

static struct rm_attempt *am_register(struct rm_fixture *fx, const char *attempt_id)
{
	struct rm_attempt *at = app_manager_am_attempt(fx->rm->apps, attempt_id);
	enum app_error error;
	char *cause = NULL;

	ck_assert_ptr_nonnull(at);
	if (app_manager_am_register(fx->rm->apps, at, "amhost", 4040, "", &error, &cause) != 0)
		ck_abort_msg("register: %s", cause);
	return at;
}

/* allocate with an ask of count (or no ask when count < 0). */
static struct am_allocation am_allocate(struct rm_fixture *fx, struct rm_attempt *at, int count)
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
	if (app_manager_am_allocate(fx->rm->apps, at, 0.5, &a, count >= 0 ? 1 : 0, NULL, 0, &out,
	                            &error, &cause) != 0)
		ck_abort_msg("allocate: %s", cause);
	return out;
}

static void allocation_clear(struct am_allocation *a)
{
	free(a->grants);
	json_object_put(a->completed);
	json_object_put(a->preempt);
}

/* The scheduler answer's leaf queue i. */
static struct json_object *leaf(struct json_object *root, int i)
{
	char path[96];

	snprintf(path, sizeof path, "scheduler.schedulerInfo.queues.queue.%d", i);
	return jpath(root, path);
}

/* X-Weft-Auth for a PUT with an empty body. */
static char *security_header_put(struct rm_fixture *fx, const char *path)
{
	char *sig = security_sign_request(fx->rm->secret, "PUT", path, "", 0, time_now_ms());
	char *line = xasprintf("%s: %s", SECURITY_AUTH_HEADER, sig);

	free(sig);
	return line;
}

#define OPEN_QUEUES                                                                                \
	"user-limit-factor = 10\nmaximum-am-resource-percent = 1\n"                                \
	"root.queues = a, b\nroot.a.capacity = 50\nroot.b.capacity = 50\n"

START_TEST(test_scheduler_rest)
{
	struct setup st;
	struct rm_fixture *fx;
	struct fake_nm *nm;
	struct test_response r;
	char app[WEFT_ID_MAX], *body;
	const char *json_header[] = {"Content-Type: application/json", NULL};

	setup(&st, OPEN_QUEUES "root.acl_submit_applications =\n"
	                       "root.a.acl_submit_applications = *\n"
	                       "root.b.acl_submit_applications = bob\n");
	fx = st.fx;
	nm = fixture_add_nm(fx);
	fixture_register_nm(fx, nm, 4096, 4);
	r = fixture_call(fx, "GET", "/ws/v1/cluster/scheduler", NULL, NULL, 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "scheduler.schedulerInfo.type"), "capacityScheduler");
	ck_assert_str_eq(jstr(r.json, "scheduler.schedulerInfo.queueName"), "root");
	ck_assert_int_eq(jint(r.json, "scheduler.schedulerInfo.capacity"), 100);
	ck_assert_str_eq(jstr(leaf(r.json, 0), "queueName"), "a");
	ck_assert_str_eq(jstr(leaf(r.json, 0), "queuePath"), "root.a");
	ck_assert_str_eq(jstr(leaf(r.json, 0), "type"), "capacitySchedulerLeafQueueInfo");
	ck_assert_str_eq(jstr(leaf(r.json, 0), "state"), "RUNNING");
	ck_assert_int_eq(jint(leaf(r.json, 0), "capacity"), 50);
	ck_assert_int_eq(jint(leaf(r.json, 0), "absoluteMaxCapacity"), 100);
	ck_assert_int_eq(jint(leaf(r.json, 0), "numApplications"), 0);
	ck_assert_int_eq(jint(leaf(r.json, 0), "resourcesUsed.memory"), 0);
	ck_assert_int_eq(jint(leaf(r.json, 0), "AMResourceLimit.memory"), 4096);
	ck_assert_ptr_nonnull(jpath(leaf(r.json, 1), "userLimitFactor"));
	ck_assert_ptr_null(jpath(leaf(r.json, 2), "queueName"));
	test_response_clear(&r);

	/* Submissions the queues refuse. */
	r = fixture_call(fx, "POST", "/ws/v1/cluster/apps/new-application", NULL, "", 0);
	ck_assert_int_eq(r.status, 200);
	snprintf(app, sizeof app, "%s", jstr(r.json, "application-id"));
	test_response_clear(&r);
	body = xasprintf("{\"application-id\":\"%s\",\"queue\":\"b\",\"am-container-spec\":"
	                 "{\"commands\":{\"command\":\"true\"}},\"resource\":{\"memory\":1024,"
	                 "\"vCores\":1}}",
	                 app);
	r = fixture_call(fx, "POST", "/ws/v1/cluster/apps?user.name=alice", json_header, body,
	                 strlen(body));
	ck_assert_int_eq(r.status, 403);
	ck_assert_str_eq(jstr(r.json, "RemoteException.exception"), "AccessControlException");
	ck_assert_ptr_nonnull(
	        strstr(jstr(r.json, "RemoteException.message"), "cannot submit applications"));
	test_response_clear(&r);
	free(body);
	body = xasprintf("{\"application-id\":\"%s\",\"queue\":\"root\",\"am-container-spec\":"
	                 "{\"commands\":{\"command\":\"true\"}},\"resource\":{\"memory\":1024,"
	                 "\"vCores\":1}}",
	                 app);
	r = fixture_call(fx, "POST", "/ws/v1/cluster/apps?user.name=bob", json_header, body,
	                 strlen(body));
	ck_assert_int_eq(r.status, 400);
	ck_assert_ptr_nonnull(strstr(jstr(r.json, "RemoteException.message"), "parent queue"));
	test_response_clear(&r);
	free(body);
	/* bob may use b, by path. */
	body = xasprintf("{\"application-id\":\"%s\",\"queue\":\"root.b\",\"am-container-spec\":"
	                 "{\"commands\":{\"command\":\"true\"}},\"resource\":{\"memory\":1024,"
	                 "\"vCores\":1}}",
	                 app);
	r = fixture_call(fx, "POST", "/ws/v1/cluster/apps?user.name=bob", json_header, body,
	                 strlen(body));
	ck_assert_int_eq(r.status, 202);
	test_response_clear(&r);
	free(body);
	ck_assert_str_eq(report_of(fx, app).queue, "b");
	fixture_submit(fx, "\"queue\":\"a\"", app);

	/* /apps?queue= by name, path and parent. */
	r = fixture_call(fx, "GET", "/ws/v1/cluster/apps?queue=root", NULL, NULL, 0);
	ck_assert_int_eq(json_object_array_length(jpath(r.json, "apps.app")), 2);
	test_response_clear(&r);
	r = fixture_call(fx, "GET", "/ws/v1/cluster/apps?queue=root.a", NULL, NULL, 0);
	ck_assert_int_eq(json_object_array_length(jpath(r.json, "apps.app")), 1);
	ck_assert_str_eq(jstr(r.json, "apps.app.0.queue"), "a");
	test_response_clear(&r);
	r = fixture_call(fx, "GET", "/ws/v1/cluster/apps?queue=nosuch", NULL, NULL, 0);
	ck_assert_ptr_null(jpath(r.json, "apps"));
	test_response_clear(&r);

	r = fixture_call(fx, "GET", "/ws/v1/cluster/scheduler", NULL, NULL, 0);
	ck_assert_int_eq(jint(leaf(r.json, 0), "numApplications"), 1);
	ck_assert_int_eq(jint(leaf(r.json, 0), "numActiveApplications"), 1);
	ck_assert_int_eq(jint(leaf(r.json, 0), "resourcesUsed.memory"), 1024);
	ck_assert_int_eq(jint(leaf(r.json, 0), "absoluteUsedCapacity"), 25);
	ck_assert_int_eq(jint(leaf(r.json, 0), "usedCapacity"), 50);
	ck_assert_str_eq(jstr(leaf(r.json, 0), "users.user.0.username"), "alice");
	ck_assert_int_eq(jint(r.json, "scheduler.schedulerInfo.usedCapacity"), 50);
	test_response_clear(&r);
	teardown(&st);
}
END_TEST

/* Whether nm was asked to stop container id. */
static bool stopped(const struct fake_nm *nm, const char *id)
{
	for (int i = 0; i < nm->n_stops; i++) {
		if (strcmp(nm->stops[i], id) == 0)
			return true;
	}
	return false;
}

struct wait_stop {
	const struct fake_nm *nm;
	const char *id;
};

/* Whether the NM in arg was asked to stop the container in arg. */
static bool stop_reached(void *arg)
{
	struct wait_stop *w = arg;

	return stopped(w->nm, w->id);
}

struct wait_start {
	struct fake_nm *nm;
	int n;
};

static bool start_reached(void *arg)
{
	struct wait_start *w = arg;

	return w->nm->n_starts >= w->n;
}

START_TEST(test_preemption_path)
{
	struct setup st;
	struct rm_fixture *fx;
	struct fake_nm *nm;
	char a_app[WEFT_ID_MAX], a_attempt[WEFT_ID_MAX], a_am[WEFT_ID_MAX];
	char b_app[WEFT_ID_MAX], victim[WEFT_ID_MAX] = "";
	struct rm_attempt *at;
	struct am_allocation al;
	struct app_report rep;
	struct wait_start ws;
	struct wait_stop sw;
	long long deadline;
	int64_t began = time_now_ms();
	bool seen = false;

	setup(&st, OPEN_QUEUES);
	fx = st.fx;
	nm = fixture_add_nm(fx);
	fixture_register_nm(fx, nm, 4096, 4);
	fixture_submit(fx, "\"queue\":\"a\"", a_app);
	current_attempt(fx, a_app, a_attempt, a_am);
	at = am_register(fx, a_attempt);
	al = am_allocate(fx, at, 10);
	ck_assert_int_eq(al.n_grants, 3);
	ck_assert_ptr_null(al.preempt);
	allocation_clear(&al);
	/* b's application waits, and says why. */
	fixture_submit(fx, "\"queue\":\"b\"", b_app);
	rep = report_of(fx, b_app);
	ck_assert_int_eq(rep.state, APP_ACCEPTED);
	ck_assert_msg(strstr(rep.diagnostics, "Waiting for the AM container") != NULL, "%s",
	              rep.diagnostics);
	/* The policy wants one of a's containers back: the AM is told. */
	deadline = testlib_now_ms() + TESTLIB_WAIT_MS;
	while (!seen && testlib_now_ms() < deadline) {
		fixture_run_for(fx, 50);
		al = am_allocate(fx, at, -1);
		if (al.preempt != NULL && json_object_array_length(al.preempt) > 0) {
			ck_assert_int_eq(json_object_array_length(al.preempt), 1);
			snprintf(victim, sizeof victim, "%s", jstr(al.preempt, "0.containerId"));
			/* A wall-clock time in ms, after the preemption began. */
			ck_assert_int_ge(jint(al.preempt, "0.killAtMs"), began);
			seen = true;
		}
		allocation_clear(&al);
	}
	ck_assert_msg(seen, "no preempt list in the allocate answers");
	ck_assert_str_ne(victim, a_am);
	/* After the wait it is stopped on its NM and completes with -102. */
	seen = false;
	deadline = testlib_now_ms() + TESTLIB_WAIT_MS;
	while (!seen && testlib_now_ms() < deadline) {
		fixture_run_for(fx, 50);
		al = am_allocate(fx, at, -1);
		for (size_t i = 0; i < json_object_array_length(al.completed); i++) {
			struct json_object *c = json_object_array_get_idx(al.completed, i);

			if (strcmp(jstr(c, "containerId"), victim) == 0) {
				ck_assert_int_eq(jint(c, "exitStatus"), WEFT_EXIT_PREEMPTED);
				ck_assert_str_eq(jstr(c, "diagnostics"),
				                 "Container preempted by scheduler");
				seen = true;
			}
		}
		allocation_clear(&al);
	}
	ck_assert_msg(seen, "the AM never saw its container complete with -102");
	/* The stop reaches the NM over HTTP, maybe after the AM heard. */
	sw.nm = nm;
	sw.id = victim;
	ck_assert_msg(fixture_run_until(fx, stop_reached, &sw, TESTLIB_WAIT_MS),
	              "the NM was never asked to stop %s", victim);
	/* b's AM gets the room. */
	ws.nm = nm;
	ws.n = 2;
	ck_assert(fixture_run_until(fx, start_reached, &ws, TESTLIB_WAIT_MS));
	ck_assert_int_ne(report_of(fx, b_app).state, APP_FAILED);
	ck_assert_int_eq(report_of(fx, a_app).running_containers, 3);
	teardown(&st);
}
END_TEST

static bool attempt2(void *arg)
{
	struct rm_fixture *fx = ((void **)arg)[0];
	const char *app = ((void **)arg)[1];
	struct attempt_report *a = NULL;
	int n = app_manager_attempt_reports(fx->rm->apps, app, &a);

	free(a);
	return n >= 2;
}

START_TEST(test_preempted_am_not_counted)
{
	struct setup st;
	struct rm_fixture *fx;
	struct fake_nm *nm;
	char a1[WEFT_ID_MAX], a2[WEFT_ID_MAX], b[WEFT_ID_MAX];
	void *arg[2];
	struct app_report rep;

	setup(&st, OPEN_QUEUES);
	fx = st.fx;
	nm = fixture_add_nm(fx);
	fixture_register_nm(fx, nm, 2048, 2);
	/* Two applications in a, only their AMs, one attempt each. */
	fixture_submit(fx, "\"queue\":\"a\",\"max-app-attempts\":1", a1);
	fixture_submit(fx, "\"queue\":\"a\",\"max-app-attempts\":1", a2);
	fixture_submit(fx, "\"queue\":\"b\"", b);
	/* b is owed one container: the newest application's AM goes; its
	 * attempt ends but does not count, so it gets another. */
	arg[0] = fx;
	arg[1] = a2;
	ck_assert(fixture_run_until(fx, attempt2, arg, TESTLIB_WAIT_MS));
	rep = report_of(fx, a2);
	ck_assert_int_ne(rep.state, APP_FAILED);
	ck_assert_msg(strstr(rep.diagnostics, "-102") != NULL, "%s", rep.diagnostics);
	ck_assert_int_eq(report_of(fx, a1).n_attempts, 1);
	ck_assert_int_ne(report_of(fx, b).state, APP_FAILED);
	teardown(&st);
}
END_TEST

START_TEST(test_refresh_endpoint)
{
	struct setup st;
	struct rm_fixture *fx;
	struct test_response r;
	char *auth;
	const char *headers[2];
	const char *path = "/ws/v1/cluster/scheduler/refresh";

	setup(&st, OPEN_QUEUES);
	fx = st.fx;
	r = fixture_call(fx, "POST", path, NULL, "", 0);
	ck_assert_int_eq(r.status, 401);
	test_response_clear(&r);
	/* A bad file: refused with the reason, the old queues stay. */
	free(write_queues(st.dir,
	                  "root.queues = a, b\nroot.a.capacity = 70\nroot.b.capacity = 50\n"));
	auth = fixture_nm_header(fx, path, "");
	headers[0] = auth;
	headers[1] = NULL;
	r = fixture_call(fx, "POST", path, headers, "", 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_ptr_nonnull(strstr(jstr(r.json, "RemoteException.message"), "add up to 120"));
	ck_assert_ptr_nonnull(strstr(jstr(r.json, "RemoteException.message"), "current ones stay"));
	test_response_clear(&r);
	free(auth);
	r = fixture_call(fx, "GET", "/ws/v1/cluster/scheduler", NULL, NULL, 0);
	ck_assert_int_eq(jint(leaf(r.json, 0), "capacity"), 50);
	test_response_clear(&r);
	/* A good one (PUT works too). */
	free(write_queues(st.dir, "root.queues = a, b, c\nroot.a.capacity = 20\n"
	                          "root.b.capacity = 30\nroot.c.capacity = 50\n"));
	{
		char *sig = security_header_put(fx, path);

		headers[0] = sig;
		r = fixture_call(fx, "PUT", path, headers, "", 0);
		free(sig);
	}
	ck_assert_int_eq(r.status, 200);
	ck_assert(json_object_get_boolean(jpath(r.json, "refreshed")));
	ck_assert_int_eq(jint(r.json, "queues"), 4);
	ck_assert_str_eq(jstr(r.json, "source"), st.path);
	test_response_clear(&r);
	r = fixture_call(fx, "GET", "/ws/v1/cluster/scheduler", NULL, NULL, 0);
	ck_assert_int_eq(jint(leaf(r.json, 0), "capacity"), 20);
	ck_assert_str_eq(jstr(leaf(r.json, 2), "queueName"), "c");
	test_response_clear(&r);
	teardown(&st);
}
END_TEST

/* The rack the RM reports for node id. */
static const char *rack_of(struct rm_fixture *fx, const char *id)
{
	static char rack[256];
	struct node_report r;

	ck_assert_int_eq(node_tracker_report(fx->rm->nodes, id, &r), 0);
	snprintf(rack, sizeof rack, "%s", r.rack);
	return rack;
}

struct wait_rack {
	struct rm_fixture *fx;
	const char *id;
	const char *rack;
};

static bool rack_is(void *arg)
{
	struct wait_rack *w = arg;

	return strcmp(rack_of(w->fx, w->id), w->rack) == 0;
}

/* A node's rack placed by a strict rack ask proves the scheduler has it. */
static void expect_rack_ask_fits(struct rm_fixture *fx, const char *rack)
{
	struct scheduler_ask a;
	struct scheduler_grant *g = NULL;
	const char *racks[] = {rack};

	memset(&a, 0, sizeof a);
	a.priority = 1;
	a.count = 1;
	a.capability = weft_resource(1024, 1);
	a.racks = racks;
	a.n_racks = 1;
	ck_assert_int_eq(scheduler_attempt_add(fx->rm->scheduler,
	                                       "appattempt_1700000000000_0999_000001", 999,
	                                       "default", "t", weft_resource(0, 0)),
	                 0);
	ck_assert_int_eq(scheduler_update_asks(fx->rm->scheduler,
	                                       "appattempt_1700000000000_0999_000001", &a, 1, NULL),
	                 0);
	ck_assert_int_eq(scheduler_allocate(fx->rm->scheduler, &g), 1);
	free(g);
}

START_TEST(test_topology)
{
	struct setup st;
	struct fake_nm *nm;
	struct wait_rack w;
	char *table, *define, *script;
	FILE *f;

	/* A table. */
	testlib_mkdtemp_into(st.dir, sizeof st.dir, "topology");
	table = xasprintf("%s/topology", st.dir);
	f = fopen(table, "w");
	fputs("# host rack\n127.0.0.1 /rackT\nother.example.com /rackO\n", f);
	fclose(f);
	define = xasprintf("rm.topology.table-file=%s", table);
	{
		char dir[256];

		snprintf(dir, sizeof dir, "%s", st.dir);
		setup_with(&st, "", define);
		nm = fixture_add_nm(st.fx);
		fixture_register_nm(st.fx, nm, 2048, 2);
		ck_assert_str_eq(rack_of(st.fx, nm->address), "/rackT");
		expect_rack_ask_fits(st.fx, "/rackT");
		teardown(&st);
		testlib_rmtree(dir);
	}
	free(define);
	free(table);

	/* A script: the NM's own rack until it answers. */
	testlib_mkdtemp_into(st.dir, sizeof st.dir, "topology");
	script = xasprintf("%s/topology.sh", st.dir);
	f = fopen(script, "w");
	fputs("#!/bin/sh\nfor h; do echo \"/script-$h\"; done\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(script, 0755), 0);
	define = xasprintf("rm.topology.script=%s", script);
	{
		char dir[256];

		snprintf(dir, sizeof dir, "%s", st.dir);
		setup_with(&st, "", define);
		nm = fixture_add_nm(st.fx);
		fixture_register_nm(st.fx, nm, 2048, 2);
		w.fx = st.fx;
		w.id = nm->address;
		w.rack = "/script-127.0.0.1";
		ck_assert(fixture_run_until(st.fx, rack_is, &w, TESTLIB_WAIT_MS));
		expect_rack_ask_fits(st.fx, "/script-127.0.0.1");
		teardown(&st);
		testlib_rmtree(dir);
	}
	free(define);
	free(script);
}
END_TEST

START_TEST(test_topology_bad)
{
	char dir[256], *table, *cause = NULL;
	struct event_base *base = event_base_new();
	struct rack_resolver *r;
	FILE *f;

	testlib_mkdtemp_into(dir, sizeof dir, "topology");
	table = xasprintf("%s/topology", dir);
	f = fopen(table, "w");
	fputs("host-without-rack\n", f);
	fclose(f);
	r = rack_resolver_new(base, table, NULL, NULL, NULL, &cause);
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(cause, "topology:1: expected 'host rack'") != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	r = rack_resolver_new(base, "/nonexistent/topology", NULL, NULL, NULL, &cause);
	ck_assert_ptr_null(r);
	free(cause);
	cause = NULL;
	r = rack_resolver_new(base, NULL, "/nonexistent/script", NULL, NULL, &cause);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(strstr(cause, "rm.topology.script"));
	free(cause);
	/* Nothing configured: nothing known. */
	r = rack_resolver_new(base, NULL, NULL, NULL, NULL, &cause);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(rack_resolver_lookup(r, "h1"));
	rack_resolver_free(r);
	testlib_rmtree(dir);
	free(table);
	event_base_free(base);
}
END_TEST

static Suite *scheduler_rm_suite(void)
{
	Suite *s = suite_create("scheduler_rm");
	TCase *tc = tcase_create("rm");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_scheduler_rest);
	tcase_add_test(tc, test_preemption_path);
	tcase_add_test(tc, test_preempted_am_not_counted);
	tcase_add_test(tc, test_refresh_endpoint);
	tcase_add_test(tc, test_topology);
	tcase_add_test(tc, test_topology_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(scheduler_rm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
