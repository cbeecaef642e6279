/*
 * test_rm_client.c — libweft's RM client (weft/rm_client.h) against an
 * in-process weft-rm (test_rm_support.h): the whole life of an
 * application through the typed calls, the wait held by the RM and
 * answered on the transition, a wait's own timeout, a wait the RM cannot
 * hold (paced, never a busy loop), calls refused before any request,
 * answers that do not read, an RM client freed from its callback, and the
 * blocking layer (the RM then runs in a forked child, killed by pid).
 */
#include "weft_config.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/http_server.h"
#include "common/xmalloc.h"
#include "rm/rm.h"
#include "rm/webapp_waits.h"
#include "test_rm_support.h"
#include "testlib.h"
#include "weft/rm_client.h"

/* What the callbacks saw. */
struct seen {
	bool done;
	bool ok;
	long status;
	char message[512];
	char id[WEFT_ID_MAX];
	char state[32];
	char final_status[32];
	char url[256];
	int64_t size;
	int64_t max_memory_mb;
	int n;
	bool already_final;
	long long at_ms;
};

static void seen_status(struct seen *s, const struct weft_status *st)
{
	s->done = true;
	s->ok = st->ok;
	s->status = st->http_status;
	s->at_ms = testlib_now_ms();
	snprintf(s->message, sizeof s->message, "%s", st->message != NULL ? st->message : "");
	if (!st->ok)
		ck_assert_ptr_nonnull(st->message);
}

static void new_application_cb(const struct weft_status *st, const struct weft_new_application *a,
                               void *arg)
{
	struct seen *s = arg;

	seen_status(s, st);
	ck_assert(st->ok == (a != NULL));
	if (a != NULL) {
		snprintf(s->id, sizeof s->id, "%s", a->app_id);
		s->max_memory_mb = a->max_memory_mb;
	}
}

static void staged_cb(const struct weft_status *st, const struct weft_staged_file *f, void *arg)
{
	struct seen *s = arg;

	seen_status(s, st);
	if (f != NULL) {
		snprintf(s->url, sizeof s->url, "%s", f->url);
		s->size = f->size;
	}
}

static void done_cb(const struct weft_status *st, void *arg)
{
	seen_status(arg, st);
}

static void report_cb(const struct weft_status *st, const struct weft_app_report *r, void *arg)
{
	struct seen *s = arg;

	seen_status(s, st);
	ck_assert(st->ok == (r != NULL));
	if (r != NULL) {
		snprintf(s->id, sizeof s->id, "%s", r->id);
		snprintf(s->state, sizeof s->state, "%s", r->state);
		snprintf(s->final_status, sizeof s->final_status, "%s", r->final_status);
	}
}

static void apps_cb(const struct weft_status *st, const struct weft_app_report *apps, int n,
                    void *arg)
{
	struct seen *s = arg;

	seen_status(s, st);
	s->n = n;
	if (n > 0) {
		snprintf(s->id, sizeof s->id, "%s", apps[0].id);
		snprintf(s->state, sizeof s->state, "%s", apps[n - 1].state);
	}
}

static void kill_cb(const struct weft_status *st, const char *state, bool already_final, void *arg)
{
	struct seen *s = arg;

	seen_status(s, st);
	if (state != NULL)
		snprintf(s->state, sizeof s->state, "%s", state);
	s->already_final = already_final;
}

static void attempts_cb(const struct weft_status *st, const struct weft_app_attempt *a, int n,
                        void *arg)
{
	struct seen *s = arg;

	seen_status(s, st);
	s->n = n;
	if (n > 0)
		snprintf(s->state, sizeof s->state, "%s", a[n - 1].state);
}

/* An RM client on the fixture's loop, talking to its RM. */
struct rig {
	struct rm_fixture *fx;
	struct weft_client *client;
	struct weft_rm_client *rm;
};

static void rig_open(struct rig *g, const char *const *defines)
{
	struct weft_client_options o = {.user = "alice", .retry_ms = 5000, .backoff_min_ms = 20};
	char *cause = NULL;

	g->fx = fixture_new(defines);
	o.rm_addresses = g->fx->url;
	g->client = weft_client_new(g->fx->base, &o, &cause);
	ck_assert_msg(g->client != NULL, "%s", cause);
	g->rm = weft_rm_client_new(g->client);
}

static void rig_close(struct rig *g)
{
	weft_rm_client_free(g->rm);
	weft_client_free(g->client);
	fixture_free(g->fx);
}

static void rig_wait(struct rig *g, struct seen *s, const char *what)
{
	testlib_run_until(g->fx->base, testlib_flag_set, &s->done, TESTLIB_WAIT_MS, what);
}

/* A submission of app_id with the staged job file. */
static void submission_for(struct weft_app_submission *sub, struct weft_app_file *file,
                           const char *app_id, const char *url)
{
	static char *commands[] = {"true"};

	memset(sub, 0, sizeof *sub);
	memset(file, 0, sizeof *file);
	snprintf(sub->app_id, sizeof sub->app_id, "%s", app_id);
	sub->name = "rm client test";
	sub->queue = "default";
	sub->type = "WEFT";
	sub->resource = weft_resource(512, 1);
	sub->commands = commands;
	sub->n_commands = 1;
	file->name = "job.json";
	file->url = (char *)url;
	file->size = 2;
	file->timestamp = 0;
	sub->files = file;
	sub->n_files = 1;
}

/* new-application, staging and submission; RET nothing, id in s->id. */
static void rig_submit(struct rig *g, char *id)
{
	struct seen s = {0};
	struct weft_app_submission sub;
	struct weft_app_file file;
	char url[256];

	weft_rm_new_application(g->rm, new_application_cb, &s);
	rig_wait(g, &s, "new-application");
	ck_assert_msg(s.ok, "%s", s.message);
	snprintf(id, WEFT_ID_MAX, "%s", s.id);
	memset(&s, 0, sizeof s);
	weft_rm_stage_data(g->rm, id, "job.json", "{}", 2, "application/json", staged_cb, &s);
	rig_wait(g, &s, "staging");
	ck_assert_msg(s.ok, "%s", s.message);
	snprintf(url, sizeof url, "%s", s.url);
	submission_for(&sub, &file, id, url);
	memset(&s, 0, sizeof s);
	weft_rm_submit(g->rm, &sub, done_cb, &s);
	rig_wait(g, &s, "submission");
	ck_assert_msg(s.ok, "%s", s.message);
	ck_assert_int_eq(s.status, 202);
}

START_TEST(an_application_s_whole_life)
{
	struct rig g;
	struct seen s = {0};
	struct weft_app_submission sub;
	struct weft_app_file file;
	struct weft_app_filter filter = {.states = "ACCEPTED,RUNNING", .user = "alice"};
	char id[WEFT_ID_MAX], path[512];
	FILE *f;

	rig_open(&g, NULL);
	weft_rm_new_application(g.rm, new_application_cb, &s);
	rig_wait(&g, &s, "new-application");
	ck_assert(s.ok);
	ck_assert_int_gt(s.max_memory_mb, 0);
	snprintf(id, sizeof id, "%s", s.id);

	/* Staging from memory and from a file. */
	memset(&s, 0, sizeof s);
	weft_rm_stage_data(g.rm, id, "job.json", "{}", 2, NULL, staged_cb, &s);
	rig_wait(&g, &s, "staging from memory");
	ck_assert_msg(s.ok, "%s", s.message);
	ck_assert_int_eq(s.status, 201);
	ck_assert_int_eq(s.size, 2);
	snprintf(path, sizeof path, "%s/local.txt", g.fx->dir);
	f = fopen(path, "w");
	fputs("hello\n", f);
	fclose(f);
	memset(&s, 0, sizeof s);
	weft_rm_stage_file(g.rm, id, "local.txt", path, staged_cb, &s);
	rig_wait(&g, &s, "staging from a file");
	ck_assert_msg(s.ok, "%s", s.message);
	ck_assert_int_eq(s.size, 6);
	ck_assert_ptr_nonnull(strstr(s.url, "/ws/v1/staging/"));

	/* Submit, and submit the same again: accepted both times. */
	submission_for(&sub, &file, id, "/ws/v1/staging/x/job.json");
	snprintf(path, sizeof path, "/ws/v1/staging/%s/job.json", id);
	file.url = path;
	for (int i = 0; i < 2; i++) {
		memset(&s, 0, sizeof s);
		weft_rm_submit(g.rm, &sub, done_cb, &s);
		rig_wait(&g, &s, "the submission");
		ck_assert_msg(s.ok, "%s", s.message);
		ck_assert_int_eq(s.status, 202);
	}

	/* Report, list with filters, attempts. */
	memset(&s, 0, sizeof s);
	weft_rm_get_app(g.rm, id, report_cb, &s);
	rig_wait(&g, &s, "the report");
	ck_assert_str_eq(s.state, "ACCEPTED");
	ck_assert_str_eq(s.id, id);
	memset(&s, 0, sizeof s);
	weft_rm_list_apps(g.rm, &filter, apps_cb, &s);
	rig_wait(&g, &s, "the list");
	ck_assert_msg(s.ok, "%s", s.message);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.id, id);
	filter.user = "bob";
	memset(&s, 0, sizeof s);
	weft_rm_list_apps(g.rm, &filter, apps_cb, &s);
	rig_wait(&g, &s, "the list for bob");
	ck_assert_int_eq(s.n, 0);
	memset(&s, 0, sizeof s);
	weft_rm_get_attempts(g.rm, id, attempts_cb, &s);
	rig_wait(&g, &s, "the attempts");
	ck_assert_msg(s.ok, "%s", s.message);
	ck_assert_int_eq(s.n, 1);

	/* Kill, then again: the second says it had ended. */
	memset(&s, 0, sizeof s);
	weft_rm_kill_app(g.rm, id, kill_cb, &s);
	rig_wait(&g, &s, "the kill");
	ck_assert_msg(s.ok, "%s", s.message);
	ck_assert_str_eq(s.state, "KILLED");
	ck_assert(!s.already_final);
	memset(&s, 0, sizeof s);
	weft_rm_kill_app(g.rm, id, kill_cb, &s);
	rig_wait(&g, &s, "the second kill");
	ck_assert(s.already_final);
	/* A wait on a state it left answers at once. */
	memset(&s, 0, sizeof s);
	weft_rm_wait_app(g.rm, id, "running", 0, report_cb, &s);
	rig_wait(&g, &s, "the wait");
	ck_assert_str_eq(s.state, "KILLED");
	ck_assert_str_eq(s.final_status, "KILLED");
	/* An unknown application: the RM's 404 and its message. */
	memset(&s, 0, sizeof s);
	weft_rm_get_app(g.rm, "application_1_0999", report_cb, &s);
	rig_wait(&g, &s, "the 404");
	ck_assert(!s.ok);
	ck_assert_int_eq(s.status, 404);
	ck_assert_ptr_nonnull(strstr(s.message, "not found"));
	rig_close(&g);
}
END_TEST

static const char *held_id;
static bool rm_holds_one(void *arg)
{
	struct rm_fixture *fx = arg;

	return webapp_waits_count(fx->rm->waits, held_id) == 1;
}

START_TEST(wait_held_until_the_transition)
{
	struct rig g;
	struct seen w = {0}, k = {0};
	char id[WEFT_ID_MAX];

	rig_open(&g, NULL);
	rig_submit(&g, id);
	weft_rm_wait_app(g.rm, id, "ACCEPTED", 0, report_cb, &w);
	/* The RM holds it: one request, no answer, until the state moves. */
	held_id = id;
	testlib_run_until(g.fx->base, rm_holds_one, g.fx, TESTLIB_WAIT_MS, "the RM to hold it");
	ck_assert(!w.done);
	weft_rm_kill_app(g.rm, id, kill_cb, &k);
	rig_wait(&g, &w, "the wait's answer");
	ck_assert_msg(w.ok, "%s", w.message);
	ck_assert_str_eq(w.state, "KILLED");
	ck_assert_str_eq(w.final_status, "KILLED");
	rig_wait(&g, &k, "the kill");
	rig_close(&g);
}
END_TEST

START_TEST(wait_until_its_timeout)
{
	struct rig g;
	struct seen w = {0};
	char id[WEFT_ID_MAX];
	long long t0;

	rig_open(&g, NULL);
	rig_submit(&g, id);
	t0 = testlib_now_ms();
	weft_rm_wait_app(g.rm, id, "ACCEPTED", 300, report_cb, &w);
	rig_wait(&g, &w, "the wait's timeout");
	ck_assert(w.ok);
	ck_assert_str_eq(w.state, "ACCEPTED");
	ck_assert_int_ge(w.at_ms - t0, 250);
	rig_close(&g);
}
END_TEST

START_TEST(wait_not_held_is_paced)
{
	/* An RM that holds no wait answers each at once ("full"): the client
	 * asks again after its pace, not in a loop, until its own timeout. */
	static const char *const defines[] = {"rm.app-wait.max-per-app=0", NULL};
	struct rig g;
	struct seen w = {0}, k = {0};
	char id[WEFT_ID_MAX];
	long long t0;

	rig_open(&g, defines);
	rig_submit(&g, id);
	weft_rm_client_set_wait_pace(g.rm, 200);
	t0 = testlib_now_ms();
	weft_rm_wait_app(g.rm, id, "ACCEPTED", 500, report_cb, &w);
	rig_wait(&g, &w, "the paced wait");
	ck_assert_str_eq(w.state, "ACCEPTED");
	ck_assert_int_ge(w.at_ms - t0, 450);
	/* And it still sees the change. */
	memset(&w, 0, sizeof w);
	weft_rm_wait_app(g.rm, id, "ACCEPTED", 0, report_cb, &w);
	weft_rm_kill_app(g.rm, id, kill_cb, &k);
	rig_wait(&g, &w, "the paced wait's change");
	ck_assert_str_eq(w.state, "KILLED");
	rig_wait(&g, &k, "the kill");
	rig_close(&g);
}
END_TEST

START_TEST(refused_before_any_request)
{
	struct rig g;
	struct seen s = {0};
	struct weft_app_submission sub = {.app_id = "nope"};
	struct weft_rm_op *op;

	rig_open(&g, NULL);
	op = weft_rm_get_app(g.rm, "application_x", report_cb, &s);
	ck_assert_ptr_nonnull(op);
	ck_assert(!s.done); /* said from the loop */
	rig_wait(&g, &s, "the refusal");
	ck_assert(!s.ok);
	ck_assert_int_eq(s.status, 0);
	ck_assert_ptr_nonnull(strstr(s.message, "not an application id"));

	memset(&s, 0, sizeof s);
	weft_rm_wait_app(g.rm, "application_1_0001", "SLEEPING", 0, report_cb, &s);
	rig_wait(&g, &s, "a bad state");
	ck_assert_ptr_nonnull(strstr(s.message, "not an application state"));
	memset(&s, 0, sizeof s);
	weft_rm_stage_data(g.rm, "application_1_0001", "../etc", "x", 1, NULL, staged_cb, &s);
	rig_wait(&g, &s, "a bad name");
	ck_assert_ptr_nonnull(strstr(s.message, "staging file name"));
	memset(&s, 0, sizeof s);
	weft_rm_stage_file(g.rm, "application_1_0001", "f", "/nonexistent/file", staged_cb, &s);
	rig_wait(&g, &s, "an unreadable file");
	ck_assert_ptr_nonnull(strstr(s.message, "/nonexistent/file"));
	memset(&s, 0, sizeof s);
	weft_rm_submit(g.rm, &sub, done_cb, &s);
	rig_wait(&g, &s, "a submission without an id");
	ck_assert(!s.ok);
	/* Cancelled: never called back. */
	memset(&s, 0, sizeof s);
	op = weft_rm_get_app(g.rm, "application_1_0999", report_cb, &s);
	weft_rm_op_cancel(op);
	fixture_run_for(g.fx, 50);
	ck_assert(!s.done);
	rig_close(&g);
}
END_TEST

/* A fake RM answering 200 with what does not read. */
static void garbage_cb(struct http_request *req, void *arg)
{
	static const char text[] = "{\"app\":{\"state\":7}}";

	http_reply_data(req, 200, "application/json", text, sizeof text - 1);
}

START_TEST(answers_that_do_not_read)
{
	struct event_base *base = event_base_new();
	struct http_server *srv = http_server_new(base, 65536);
	struct weft_client_options o = {.retry_ms = -1};
	struct weft_client *c;
	struct weft_rm_client *rm;
	struct seen s = {0};
	char address[64];

	ck_assert_int_eq(http_server_bind(srv, "127.0.0.1:0", NULL), 0);
	http_server_route(srv, HTTP_M_GET | HTTP_M_POST, "/{*}", 0, garbage_cb, NULL);
	snprintf(address, sizeof address, "127.0.0.1:%d", http_server_port(srv));
	o.rm_addresses = address;
	c = weft_client_new(base, &o, NULL);
	rm = weft_rm_client_new(c);
	weft_rm_get_app(rm, "application_1_0001", report_cb, &s);
	testlib_run_until(base, testlib_flag_set, &s.done, TESTLIB_WAIT_MS, "the answer");
	ck_assert(!s.ok);
	ck_assert_int_eq(s.status, 200);
	ck_assert_msg(strstr(s.message, "app.state: expected a string") != NULL, "%s", s.message);
	memset(&s, 0, sizeof s);
	weft_rm_list_apps(rm, NULL, apps_cb, &s);
	testlib_run_until(base, testlib_flag_set, &s.done, TESTLIB_WAIT_MS, "the list");
	ck_assert(!s.ok);
	ck_assert_ptr_nonnull(strstr(s.message, "apps: missing"));
	memset(&s, 0, sizeof s);
	weft_rm_new_application(rm, new_application_cb, &s);
	testlib_run_until(base, testlib_flag_set, &s.done, TESTLIB_WAIT_MS, "new-application");
	ck_assert(!s.ok);
	ck_assert_ptr_nonnull(strstr(s.message, "application-id"));
	weft_rm_client_free(rm);
	weft_client_free(c);
	http_server_free(srv);
	event_base_free(base);
}
END_TEST

/* The first answer frees the RM client; the other call never answers. */
static struct weft_rm_client *doomed;
static void free_rm_cb(const struct weft_status *st, const struct weft_app_report *r, void *arg)
{
	report_cb(st, r, arg);
	weft_rm_client_free(doomed);
	doomed = NULL;
}

START_TEST(freed_from_its_callback)
{
	struct rig g;
	struct seen a = {0}, b = {0};
	char id[WEFT_ID_MAX];

	rig_open(&g, NULL);
	rig_submit(&g, id);
	doomed = weft_rm_client_new(g.client);
	weft_rm_get_app(doomed, id, free_rm_cb, &a);
	weft_rm_wait_app(doomed, id, "ACCEPTED", 0, report_cb, &b);
	rig_wait(&g, &a, "the first answer");
	ck_assert_ptr_null(doomed);
	fixture_run_for(g.fx, 50);
	ck_assert(!b.done);
	rig_close(&g);
}
END_TEST

/* --- the blocking layer: the RM runs its loop in a child --- */

static pid_t rm_child;

static void child_start(struct rm_fixture *fx)
{
	rm_child = fork();
	ck_assert_int_ge(rm_child, 0);
	if (rm_child == 0) {
		event_reinit(fx->base);
		event_base_dispatch(fx->base);
		_exit(0);
	}
}

static void child_stop(void)
{
	if (rm_child > 0) {
		kill(rm_child, SIGKILL);
		waitpid(rm_child, NULL, 0);
		rm_child = 0;
	}
}

START_TEST(the_blocking_layer)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct weft_client_options o = {.user = "alice", .retry_ms = 5000};
	struct weft_client *c;
	struct weft_rm_client *rm;
	struct weft_new_application na;
	struct weft_staged_file *staged = NULL;
	struct weft_app_submission sub;
	struct weft_app_file file;
	struct weft_app_report *r = NULL;
	struct weft_app_list *apps = NULL;
	struct weft_attempt_list *attempts = NULL;
	struct weft_error err = {0};
	char *state = NULL, path[512];
	bool already = true;
	FILE *f;

	o.rm_addresses = fx->url;
	child_start(fx);
	c = weft_client_new_blocking(&o, NULL);
	rm = weft_rm_client_new(c);
	ck_assert_int_eq(weft_rm_new_application_sync(rm, &na, &err), 0);
	ck_assert_int_eq(
	        weft_rm_stage_data_sync(rm, na.app_id, "job.json", "{}", 2, NULL, &staged, &err),
	        0);
	ck_assert_int_eq(staged->size, 2);
	submission_for(&sub, &file, na.app_id, staged->url);
	ck_assert_int_eq(weft_rm_submit_sync(rm, &sub, &err), 0);
	weft_staged_file_free(staged);
	snprintf(path, sizeof path, "%s/blocking.txt", fx->dir);
	f = fopen(path, "w");
	fputs("abc", f);
	fclose(f);
	ck_assert_int_eq(weft_rm_stage_file_sync(rm, na.app_id, "b.txt", path, &staged, &err), 0);
	ck_assert_int_eq(staged->size, 3);
	ck_assert_int_eq(weft_rm_get_app_sync(rm, na.app_id, &r, &err), 0);
	ck_assert_str_eq(r->state, "ACCEPTED");
	ck_assert_str_eq(r->id, na.app_id);
	ck_assert_str_eq(r->user, "alice");
	weft_app_report_free(r);
	ck_assert_int_eq(weft_rm_list_apps_sync(rm, NULL, &apps, &err), 0);
	ck_assert_int_eq(apps->n, 1);
	ck_assert_str_eq(apps->apps[0].name, "rm client test");
	weft_app_list_free(apps);
	ck_assert_int_eq(weft_rm_get_attempts_sync(rm, na.app_id, &attempts, &err), 0);
	ck_assert_int_eq(attempts->n, 1);
	ck_assert_ptr_nonnull(attempts->attempts[0].attempt_id);
	weft_attempt_list_free(attempts);
	ck_assert_int_eq(weft_rm_kill_app_sync(rm, na.app_id, &state, &already, &err), 0);
	ck_assert_str_eq(state, "KILLED");
	ck_assert(!already);
	free(state);
	ck_assert_int_eq(weft_rm_wait_app_sync(rm, na.app_id, "ACCEPTED", 0, &r, &err), 0);
	ck_assert_str_eq(r->state, "KILLED");
	weft_app_report_free(r);
	/* A failure fills err. */
	ck_assert_int_eq(weft_rm_get_app_sync(rm, "application_1_0999", &r, &err), -1);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(err.http_status, 404);
	ck_assert_ptr_nonnull(strstr(err.message, "not found"));
	ck_assert_str_eq(err.exception, "NotFoundException");
	weft_error_clear(&err);
	weft_staged_file_free(staged);
	weft_rm_client_free(rm);
	weft_client_free(c);
	child_stop();
	fixture_free(fx);
}
END_TEST

static Suite *rm_client_suite(void)
{
	Suite *s = suite_create("rm_client");
	TCase *tc = tcase_create("in_process_rm");

	tcase_add_test(tc, an_application_s_whole_life);
	tcase_add_test(tc, wait_held_until_the_transition);
	tcase_add_test(tc, wait_until_its_timeout);
	tcase_add_test(tc, wait_not_held_is_paced);
	tcase_add_test(tc, refused_before_any_request);
	tcase_add_test(tc, answers_that_do_not_read);
	tcase_add_test(tc, freed_from_its_callback);
	tcase_add_test(tc, the_blocking_layer);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rm_client_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	child_stop();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
