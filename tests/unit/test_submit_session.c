/*
 * test_submit_session.c — weft-submit's whole flow against a fake RM and
 * NM (http_server on 127.0.0.1:0) on the same event loop as the session:
 * new-application, staging PUT, submission, following the state (the
 * fake answers each wait at once, as an RM that cannot hold it: the
 * session paces itself), attempts, the AM's logs through the NM,
 * failures, --no-wait, an unreachable, vanishing or refusing RM, and
 * Ctrl-C in both modes.
 */
#include "weft_config.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/http_client.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "submit/submit_args.h"
#include "submit/submit_job.h"
#include "submit/submit_session.h"
#include "testlib.h"

#define APP          "application_1700000000000_0042"
#define AM_CONTAINER "container_1700000000000_0042_01_000001"

/* The fake cluster: a script of states and what it saw. */
struct fake {
	struct event_base *base;
	struct http_server *srv;
	char url[64];
	int port;
	/* script */
	const char *states[8];
	int nstates;
	const char *final_status;
	const char *diagnostics;
	int submit_status; /* 202 unless set */
	bool forget_app;   /* GET /apps/{id} answers 404 */
	const char *am_stdout, *am_stderr;
	bool interrupt_on_running;
	bool vanish_after_report; /* the RM goes away after one report */
	struct submit_session *session;
	/* observations */
	int polls;
	int waits; /* polls that asked for a wait-while */
	int64_t vanished_at;
	int staged;
	char *staged_body;
	char *new_app_user, *submit_user, *stage_user;
	struct json_object *submitted;
	int kills;
	int stdout_gets, stderr_gets;
	bool driver_dialable;
	bool killed;
};

static struct fake F;

/* POST /ws/v1/cluster/apps/new-application */
static void fake_new_app(struct http_request *req, void *arg)
{
	struct json_object *root = json_object_new_object(), *max = json_object_new_object();
	const char *user = http_request_query(req, "user.name");

	F.new_app_user = user != NULL ? xstrdup(user) : NULL;
	json_object_object_add(root, "application-id", json_object_new_string(APP));
	json_object_object_add(max, "memory", json_object_new_int(8192));
	json_object_object_add(max, "vCores", json_object_new_int(4));
	json_object_object_add(root, "maximum-resource-capability", max);
	http_reply_json(req, 200, root);
}

/* PUT /ws/v1/staging/{app}/{file} */
static void fake_stage(struct http_request *req, void *arg)
{
	size_t len;
	const char *body = http_request_body(req, &len);
	struct json_object *root = json_object_new_object();
	const char *user = http_request_query(req, "user.name");

	ck_assert_str_eq(http_request_param(req, 0), APP);
	ck_assert_str_eq(http_request_param(req, 1), "job.json");
	F.staged++;
	free(F.staged_body);
	F.staged_body = xstrndup(body, len);
	F.stage_user = user != NULL ? xstrdup(user) : NULL;
	json_object_object_add(root, "url",
	                       json_object_new_string("/ws/v1/staging/" APP "/job.json"));
	json_object_object_add(root, "size", json_object_new_int64((int64_t)len));
	http_reply_json(req, 201, root);
}

/* Whether host:port accepts a TCP connection. */
static bool dialable(const char *address)
{
	const char *colon = strrchr(address, ':');
	struct sockaddr_in sin;
	char host[64];
	int fd, rc;

	if (colon == NULL || (size_t)(colon - address) >= sizeof host)
		return false;
	memcpy(host, address, (size_t)(colon - address));
	host[colon - address] = '\0';
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return false;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	rc = connect(fd, (struct sockaddr *)&sin, sizeof sin);
	close(fd);
	return rc == 0;
}

/* POST /ws/v1/cluster/apps */
static void fake_submit(struct http_request *req, void *arg)
{
	struct json_object *body = http_request_json(req), *spec, *cmds, *cmd;
	const char *user = http_request_query(req, "user.name");
	const char *driver;

	if (body == NULL)
		return;
	F.submit_user = user != NULL ? xstrdup(user) : NULL;
	F.submitted = body;
	/* A client-mode driver must already listen when the AM is asked for. */
	if (json_object_object_get_ex(body, "am-container-spec", &spec) &&
	    json_object_object_get_ex(spec, "commands", &cmds) &&
	    json_object_object_get_ex(cmds, "command", &cmd) &&
	    (driver = strstr(json_object_get_string(cmd), "--driver ")) != NULL) {
		char addr[64];
		sscanf(driver + 9, "%63s", addr);
		F.driver_dialable = dialable(addr);
	}
	if (F.submit_status != 0 && F.submit_status != 202) {
		http_reply_error(req, F.submit_status, "BadRequestException",
		                 "queue nope does not exist");
		return;
	}
	http_reply_data(req, 202, "application/json", "", 0);
}

/* Interrupt the session from the loop, as a signal would. */
static void fake_interrupt_cb(evutil_socket_t fd, short what, void *arg)
{
	submit_session_interrupt(F.session, SIGINT);
}

/* The RM goes away, as a crashed one does. */
static void fake_vanish_cb(evutil_socket_t fd, short what, void *arg)
{
	http_server_free(F.srv);
	F.srv = NULL;
	F.vanished_at = time_mono_ms();
}

/* GET /ws/v1/cluster/apps/{id}: the next state of the script. */
static void fake_app(struct http_request *req, void *arg)
{
	struct json_object *root, *app;
	const char *state;
	int i = F.polls < F.nstates ? F.polls : F.nstates - 1;
	bool final;

	if (F.forget_app) {
		http_reply_error(req, 404, "NotFoundException", "app with id: %s not found",
		                 http_request_param(req, 0));
		return;
	}
	F.polls++;
	if (http_request_query(req, "wait-while") != NULL)
		F.waits++;
	state = F.killed ? "KILLED" : F.states[i];
	final = strcmp(state, "FINISHED") == 0 || strcmp(state, "FAILED") == 0 ||
	        strcmp(state, "KILLED") == 0;
	root = json_object_new_object();
	app = json_object_new_object();
	json_object_object_add(app, "id", json_object_new_string(APP));
	json_object_object_add(app, "state", json_object_new_string(state));
	json_object_object_add(app, "finalStatus",
	                       json_object_new_string(final ? (F.killed ? "KILLED" : F.final_status)
	                                                    : "UNDEFINED"));
	json_object_object_add(app, "diagnostics",
	                       json_object_new_string(final && F.diagnostics ? F.diagnostics : ""));
	json_object_object_add(app, "trackingUrl", json_object_new_string(""));
	json_object_object_add(root, "app", app);
	http_reply_json(req, 200, root);
	if (F.vanish_after_report) {
		F.vanish_after_report = false;
		event_base_once(F.base, -1, EV_TIMEOUT, fake_vanish_cb, NULL, NULL);
	}
	if (F.interrupt_on_running && strcmp(state, "RUNNING") == 0) {
		F.interrupt_on_running = false;
		event_base_once(F.base, -1, EV_TIMEOUT, fake_interrupt_cb, NULL, NULL);
	}
}

/* PUT /ws/v1/cluster/apps/{id}/state */
static void fake_kill(struct http_request *req, void *arg)
{
	struct json_object *body = http_request_json(req), *state, *root;

	if (body == NULL)
		return;
	ck_assert(json_object_object_get_ex(body, "state", &state));
	ck_assert_str_eq(json_object_get_string(state), "KILLED");
	json_object_put(body);
	F.kills++;
	F.killed = true;
	root = json_object_new_object();
	json_object_object_add(root, "state", json_object_new_string("RUNNING"));
	http_reply_json(req, 202, root);
}

/* GET /ws/v1/cluster/apps/{id}/appattempts: the AM ran on this "NM". */
static void fake_attempts(struct http_request *req, void *arg)
{
	char *text =
	        xasprintf("{\"appAttempts\":{\"appAttempt\":[{\"id\":1,\"containerId\":\"%s\","
	                  "\"nodeHttpAddress\":\"127.0.0.1:%d\",\"nodeId\":\"127.0.0.1:1\"}]}}",
	                  AM_CONTAINER, F.port);

	http_reply_data(req, 200, "application/json", text, strlen(text));
	free(text);
}

/* GET /ws/v1/node/containerlogs/{container}/{file} */
static void fake_logs(struct http_request *req, void *arg)
{
	const char *file = http_request_param(req, 1);
	const char *text = NULL;

	ck_assert_str_eq(http_request_param(req, 0), AM_CONTAINER);
	if (strcmp(file, "stdout") == 0) {
		F.stdout_gets++;
		text = F.am_stdout;
	} else if (strcmp(file, "stderr") == 0) {
		F.stderr_gets++;
		text = F.am_stderr;
	}
	if (text == NULL) {
		http_reply_error(req, 404, "NotFoundException", "no such log");
		return;
	}
	http_reply_data(req, 200, "text/plain", text, strlen(text));
}

/* A fresh fake cluster. */
static void fake_setup(void)
{
	char *cause = NULL;

	memset(&F, 0, sizeof F);
	F.base = event_base_new();
	F.srv = http_server_new(F.base, 1 << 20);
	ck_assert_int_eq(http_server_bind(F.srv, "127.0.0.1:0", &cause), 0);
	F.port = http_server_port(F.srv);
	snprintf(F.url, sizeof F.url, "http://127.0.0.1:%d", F.port);
	http_server_route(F.srv, HTTP_M_POST, "/ws/v1/cluster/apps/new-application", 0,
	                  fake_new_app, NULL);
	http_server_route(F.srv, HTTP_M_GET, "/ws/v1/cluster/apps/{}/appattempts", 0, fake_attempts,
	                  NULL);
	http_server_route(F.srv, HTTP_M_PUT, "/ws/v1/cluster/apps/{}/state", 0, fake_kill, NULL);
	http_server_route(F.srv, HTTP_M_GET, "/ws/v1/cluster/apps/{}", 0, fake_app, NULL);
	http_server_route(F.srv, HTTP_M_POST, "/ws/v1/cluster/apps", 0, fake_submit, NULL);
	http_server_route(F.srv, HTTP_M_PUT, "/ws/v1/staging/{}/{}", 0, fake_stage, NULL);
	http_server_route(F.srv, HTTP_M_GET, "/ws/v1/node/containerlogs/{}/{}", 0, fake_logs, NULL);
	F.final_status = "SUCCEEDED";
}

static void fake_teardown(void)
{
	if (F.srv != NULL)
		http_server_free(F.srv);
	event_base_free(F.base);
	free(F.staged_body);
	free(F.new_app_user);
	free(F.submit_user);
	free(F.stage_user);
	if (F.submitted != NULL)
		json_object_put(F.submitted);
}

/* The states the fake reports, poll after poll (the last repeats). */
static void script(const char *s0, const char *s1, const char *s2, const char *s3)
{
	const char *all[] = {s0, s1, s2, s3};

	F.nstates = 0;
	for (int i = 0; i < 4 && all[i] != NULL; i++)
		F.states[F.nstates++] = all[i];
}

struct outcome {
	int status;
	bool done;
	char *out, *err;
};

static void done_cb(int status, void *arg)
{
	struct outcome *o = arg;

	o->status = status;
	o->done = true;
	event_base_loopbreak(F.base);
}

/* Everything written to f (caller frees). */
static char *slurp(FILE *f)
{
	long n;
	char *buf;

	fflush(f);
	n = ftell(f);
	buf = xcalloc(1, (size_t)n + 1);
	rewind(f);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* How long the session's client retries an RM that does not answer. */
static int64_t rm_retry_ms = 2000;

/* Run one session to its end against rm_url (the fake unless given). */
static struct outcome run_session(struct submit_args *a, const char *rm_url)
{
	struct submit_job job;
	struct submit_settings set;
	struct outcome o = {-1, false, NULL, NULL};
	char *cause = NULL;

	ck_assert_int_eq(submit_job_from_shell("echo $WEFT_TASK_INDEX", 2, &job, &cause), 0);
	memset(&set, 0, sizeof set);
	set.args = a;
	set.job = &job;
	set.rm_addresses = rm_url != NULL ? rm_url : F.url;
	set.rm_host = "127.0.0.1";
	set.rm_port = F.port;
	set.rm_retry_ms = rm_retry_ms;
	set.user = "tester";
	set.name = job.name;
	set.queue = "default";
	set.poll_interval_ms = 10;
	set.am_memory_mb = 512;
	set.driver_host = "";
	set.max_task_failures = 4;
	set.out = tmpfile();
	set.err = tmpfile();
	F.session = submit_session_new(F.base, &set, done_cb, &o);
	submit_session_start(F.session);
	ck_assert_msg(testlib_loop_until(F.base, testlib_flag_set, &o.done, TESTLIB_WAIT_MS),
	              "the session did not end");
	submit_session_free(F.session);
	F.session = NULL;
	o.out = slurp(set.out);
	o.err = slurp(set.err);
	submit_job_clear(&job);
	return o;
}

/* Defaults of a cluster-mode submission. */
static void args_for(struct submit_args *a, enum submit_mode mode)
{
	memset(a, 0, sizeof *a);
	a->mode = mode;
	a->num_executors = 2;
	a->executor_memory_mb = 1024;
	a->executor_cores = 1;
	a->driver_memory_mb = 1024;
	a->driver_cores = 1;
	a->tasks = 2;
	a->shell = "echo $WEFT_TASK_INDEX";
}

/* A string inside the submitted context. */
static const char *submitted_str(const char *const *path)
{
	struct json_object *o = F.submitted;

	ck_assert_ptr_nonnull(o);
	for (; *path != NULL; path++)
		ck_assert_msg(json_object_object_get_ex(o, *path, &o), "no %s", *path);
	return json_object_get_string(o);
}

START_TEST(cluster_mode_end_to_end)
{
	struct submit_args a;
	struct outcome o;
	struct json_object *entries, *entry, *value, *v;

	char tmp[256];

	/* The driver's output passes through a temporary file under TMPDIR. */
	testlib_mkdtemp_into(tmp, sizeof tmp, "submit-session");
	setenv("TMPDIR", tmp, 1);
	args_for(&a, SUBMIT_MODE_CLUSTER);
	script("ACCEPTED", "RUNNING", "RUNNING", "FINISHED");
	F.am_stdout = "0\n1\n";
	o = run_session(&a, NULL);
	unsetenv("TMPDIR");
	ck_assert_msg(rmdir(tmp) == 0, "temporary files left in %s", tmp);
	ck_assert_int_eq(o.status, 0);
	/* The driver's output, as client mode would have printed it. */
	ck_assert_str_eq(o.out, "0\n1\n");
	ck_assert_ptr_nonnull(strstr(o.err, "submitting application " APP " to "));
	ck_assert_ptr_nonnull(strstr(o.err, APP ": ACCEPTED\n"));
	ck_assert_ptr_nonnull(strstr(o.err, APP ": RUNNING\n"));
	ck_assert_ptr_nonnull(strstr(o.err, APP ": FINISHED (final status SUCCEEDED)\n"));
	/* State lines only when the state changes. */
	ck_assert_ptr_null(strstr(strstr(o.err, ": RUNNING\n") + 1, ": RUNNING\n"));
	/* The job went to staging first, as the user. */
	ck_assert_int_eq(F.staged, 1);
	ck_assert_str_eq(F.staged_body, "{\"kind\":\"shell\",\"command\":\"echo $WEFT_TASK_INDEX\","
	                                "\"tasks\":2}");
	ck_assert_str_eq(F.new_app_user, "tester");
	ck_assert_str_eq(F.stage_user, "tester");
	ck_assert_str_eq(F.submit_user, "tester");
	/* The submission points the AM at it. */
	ck_assert_str_eq(submitted_str((const char *[]){"application-id", NULL}), APP);
	ck_assert_str_eq(submitted_str((const char *[]){"application-type", NULL}), "WEFT");
	ck_assert_str_eq(
	        submitted_str((const char *[]){"am-container-spec", "commands", "command", NULL}),
	        "exec \"$WEFT_LIBEXEC_DIR\"/weft-am --mode cluster --job job.json "
	        "--num-executors 2 --executor-memory 1024 --executor-cores 1");
	ck_assert(json_object_object_get_ex(F.submitted, "am-container-spec", &v));
	ck_assert(json_object_object_get_ex(v, "local-resources", &v));
	ck_assert(json_object_object_get_ex(v, "entry", &entries));
	entry = json_object_array_get_idx(entries, 0);
	ck_assert(json_object_object_get_ex(entry, "value", &value));
	ck_assert(json_object_object_get_ex(value, "resource", &v));
	ck_assert_str_eq(json_object_get_string(v), "/ws/v1/staging/" APP "/job.json");
	ck_assert(json_object_object_get_ex(value, "size", &v));
	ck_assert_int_eq(json_object_get_int64(v), (int64_t)strlen(F.staged_body));
	/* A fresh 32-byte secret for the app. */
	ck_assert(json_object_object_get_ex(F.submitted, "am-container-spec", &v));
	ck_assert(json_object_object_get_ex(v, "environment", &v));
	ck_assert(json_object_object_get_ex(v, "entry", &entries));
	entry = json_object_array_get_idx(entries, 0);
	ck_assert(json_object_object_get_ex(entry, "value", &v));
	ck_assert_uint_eq(strlen(json_object_get_string(v)), 64);
	/* Success needs no stderr. */
	ck_assert_int_eq(F.stdout_gets, 1);
	ck_assert_int_eq(F.stderr_gets, 0);
	free(o.out);
	free(o.err);
}
END_TEST

START_TEST(cluster_mode_output_missing)
{
	struct submit_args a;
	struct outcome o;

	/* The job succeeded but its output cannot be read: say so. */
	args_for(&a, SUBMIT_MODE_CLUSTER);
	script("RUNNING", "FINISHED", NULL, NULL);
	o = run_session(&a, NULL);
	ck_assert_int_eq(o.status, 0);
	ck_assert_str_eq(o.out, "");
	ck_assert_ptr_nonnull(strstr(o.err, "cannot fetch the driver's output from the AM "
	                                    "container's log: AM stdout: no such log\n"));
	free(o.out);
	free(o.err);
}
END_TEST

START_TEST(cluster_mode_failure_explains)
{
	struct submit_args a;
	struct outcome o;
	char *stderr_text = xstrdup("");

	for (int i = 1; i <= 30; i++) {
		char *next = xasprintf("%sstderr line %d\n", stderr_text, i);
		free(stderr_text);
		stderr_text = next;
	}
	args_for(&a, SUBMIT_MODE_CLUSTER);
	script("ACCEPTED", "RUNNING", "FAILED", NULL);
	F.final_status = "FAILED";
	F.diagnostics = "task 1 failed 4 times: boom";
	F.am_stdout = "";
	F.am_stderr = stderr_text;
	o = run_session(&a, NULL);
	ck_assert_int_eq(o.status, 1);
	ck_assert_ptr_nonnull(strstr(o.err, APP ": FAILED (final status FAILED)\n"));
	ck_assert_ptr_nonnull(strstr(o.err, "diagnostics: task 1 failed 4 times: boom\n"));
	ck_assert_ptr_nonnull(strstr(o.err, "end of the AM's stderr (" AM_CONTAINER "):\n"));
	ck_assert_ptr_nonnull(strstr(o.err, "stderr line 30\n"));
	ck_assert_ptr_nonnull(strstr(o.err, "stderr line 21\n"));
	ck_assert_ptr_null(strstr(o.err, "stderr line 20\n"));
	ck_assert_int_eq(F.stderr_gets, 1);
	free(stderr_text);
	free(o.out);
	free(o.err);
}
END_TEST

START_TEST(cluster_mode_no_wait)
{
	struct submit_args a;
	struct outcome o;

	args_for(&a, SUBMIT_MODE_CLUSTER);
	a.no_wait = true;
	script("SUBMITTED", "ACCEPTED", "RUNNING", NULL);
	o = run_session(&a, NULL);
	ck_assert_int_eq(o.status, 0);
	ck_assert_int_eq(F.polls, 2);
	ck_assert_ptr_nonnull(strstr(o.err, "weft app status " APP));
	ck_assert_int_eq(F.stdout_gets, 0);
	ck_assert_str_eq(o.out, "");
	free(o.out);
	free(o.err);
}
END_TEST

START_TEST(killed_while_followed)
{
	struct submit_args a;
	struct outcome o;

	args_for(&a, SUBMIT_MODE_CLUSTER);
	script("ACCEPTED", "KILLED", NULL, NULL);
	F.final_status = "KILLED";
	F.diagnostics = "Application killed by user.";
	o = run_session(&a, NULL);
	ck_assert_int_eq(o.status, 1);
	ck_assert_ptr_nonnull(strstr(o.err, "diagnostics: Application killed by user."));
	free(o.out);
	free(o.err);
}
END_TEST

START_TEST(unreachable_rm)
{
	struct submit_args a;
	struct outcome o;
	struct http_server *gone = http_server_new(F.base, 1024);
	char url[64];

	/* A port that was just free. */
	ck_assert_int_eq(http_server_bind(gone, "127.0.0.1:0", NULL), 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d", http_server_port(gone));
	http_server_free(gone);
	args_for(&a, SUBMIT_MODE_CLUSTER);
	o = run_session(&a, url);
	ck_assert_int_eq(o.status, 1);
	ck_assert_msg(strncmp(o.err, "weft-submit: cannot reach the resource manager at ", 50) == 0,
	              "%s", o.err);
	ck_assert_ptr_nonnull(strstr(o.err, url));
	free(o.out);
	free(o.err);
}
END_TEST

START_TEST(submission_refused)
{
	struct submit_args a;
	struct outcome o;

	args_for(&a, SUBMIT_MODE_CLUSTER);
	F.submit_status = 400;
	o = run_session(&a, NULL);
	ck_assert_int_eq(o.status, 1);
	ck_assert_ptr_nonnull(
	        strstr(o.err, "submitting application " APP ": queue nope does not exist\n"));
	ck_assert_int_eq(F.polls, 0);
	free(o.out);
	free(o.err);
}
END_TEST

START_TEST(too_big_for_the_cluster)
{
	struct submit_args a;
	struct outcome o;

	args_for(&a, SUBMIT_MODE_CLUSTER);
	a.executor_memory_mb = 16384;
	o = run_session(&a, NULL);
	ck_assert_int_eq(o.status, 1);
	ck_assert_ptr_nonnull(strstr(o.err, "--executor-memory 16384 MB is more than the "
	                                    "cluster's largest container (8192 MB)"));
	ck_assert_int_eq(F.staged, 0);
	ck_assert_ptr_null(F.submitted);
	free(o.out);
	free(o.err);

	fake_teardown();
	fake_setup();
	args_for(&a, SUBMIT_MODE_CLUSTER);
	a.driver_cores = 8;
	o = run_session(&a, NULL);
	ck_assert_int_eq(o.status, 1);
	ck_assert_ptr_nonnull(strstr(o.err, "--driver-cores 8"));
	free(o.out);
	free(o.err);
}
END_TEST

START_TEST(app_forgotten_by_rm)
{
	struct submit_args a;
	struct outcome o;

	args_for(&a, SUBMIT_MODE_CLUSTER);
	F.forget_app = true;
	o = run_session(&a, NULL);
	ck_assert_int_eq(o.status, 1);
	ck_assert_ptr_nonnull(
	        strstr(o.err, "following application " APP ": app with id: " APP " not found\n"));
	free(o.out);
	free(o.err);
}
END_TEST

START_TEST(cluster_mode_ctrl_c_leaves_app_running)
{
	struct submit_args a;
	struct outcome o;

	args_for(&a, SUBMIT_MODE_CLUSTER);
	script("ACCEPTED", "RUNNING", NULL, NULL);
	F.interrupt_on_running = true;
	o = run_session(&a, NULL);
	ck_assert_int_eq(o.status, 128 + SIGINT);
	ck_assert_int_eq(F.kills, 0);
	ck_assert_ptr_nonnull(strstr(o.err, "keeps running in the cluster; stop it with: weft app "
	                                    "kill " APP));
	free(o.out);
	free(o.err);
}
END_TEST

START_TEST(client_mode_driver_and_early_failure)
{
	struct submit_args a;
	struct outcome o;
	const char *cmd;

	args_for(&a, SUBMIT_MODE_CLIENT);
	script("ACCEPTED", "ACCEPTED", "FAILED", NULL);
	F.final_status = "FAILED";
	F.diagnostics = "AM container exited with 1";
	F.am_stderr = "weft-am: cannot reach the driver\n";
	o = run_session(&a, NULL);
	ck_assert_int_eq(o.status, 1);
	/* Nothing staged: the driver (and the job) are here. */
	ck_assert_int_eq(F.staged, 0);
	cmd = submitted_str((const char *[]){"am-container-spec", "commands", "command", NULL});
	{
		static const char want[] =
		        "exec \"$WEFT_LIBEXEC_DIR\"/weft-am --mode client --driver 127.0.0.1:";

		ck_assert_msg(strncmp(cmd, want, sizeof want - 1) == 0, "%s", cmd);
	}
	ck_assert_ptr_nonnull(strstr(cmd, " --num-executors 2 --executor-memory 1024 "
	                                  "--executor-cores 1"));
	/* The driver listened before the AM was asked for. */
	ck_assert(F.driver_dialable);
	/* A small AM (submit.am-memory-mb, one core). */
	ck_assert_str_eq(submitted_str((const char *[]){"resource", "memory", NULL}), "512");
	ck_assert_str_eq(submitted_str((const char *[]){"resource", "vCores", NULL}), "1");
	ck_assert_ptr_nonnull(strstr(o.err, "ended before the driver finished"));
	ck_assert_ptr_nonnull(strstr(o.err, "diagnostics: AM container exited with 1\n"));
	ck_assert_ptr_nonnull(strstr(o.err, "weft-am: cannot reach the driver\n"));
	ck_assert_int_eq(F.stdout_gets, 0);
	free(o.out);
	free(o.err);
}
END_TEST

START_TEST(client_mode_ctrl_c_kills_the_app)
{
	struct submit_args a;
	struct outcome o;

	args_for(&a, SUBMIT_MODE_CLIENT);
	script("ACCEPTED", "RUNNING", NULL, NULL);
	F.interrupt_on_running = true;
	o = run_session(&a, NULL);
	ck_assert_int_eq(o.status, 128 + SIGINT);
	ck_assert_int_eq(F.kills, 1);
	ck_assert_ptr_nonnull(strstr(o.err, "interrupted; killing application " APP "\n"));
	ck_assert_ptr_nonnull(strstr(o.err, "application " APP " killed\n"));
	free(o.out);
	free(o.err);
}
END_TEST

START_TEST(follow_tolerates_then_gives_up)
{
	struct submit_args a;
	struct outcome o;

	/* The RM answers once, then is gone: the session keeps trying for
	 * rm.connect.max-wait-ms, then says why it gave up. */
	args_for(&a, SUBMIT_MODE_CLUSTER);
	script("RUNNING", NULL, NULL, NULL);
	F.vanish_after_report = true;
	rm_retry_ms = 300;
	o = run_session(&a, NULL);
	rm_retry_ms = 2000;
	ck_assert_int_eq(o.status, 1);
	ck_assert_int_eq(F.polls, 1);
	ck_assert_msg(strstr(o.err, "following application " APP ": lost contact with the "
	                            "resource manager at ") != NULL,
	              "%s", o.err);
	/* Not at the first refused connection: only once the retries are
	 * spent (a lower bound). */
	ck_assert_int_ge(time_mono_ms() - F.vanished_at, 250);
	free(o.out);
	free(o.err);
}
END_TEST

START_TEST(follow_asks_by_waits)
{
	struct submit_args a;
	struct outcome o;

	/* After the first report every ask is a wait on the state it saw. */
	args_for(&a, SUBMIT_MODE_CLUSTER);
	script("ACCEPTED", "RUNNING", "FINISHED", NULL);
	F.am_stdout = "";
	o = run_session(&a, NULL);
	ck_assert_int_eq(o.status, 0);
	ck_assert_int_eq(F.polls, 3);
	ck_assert_int_eq(F.waits, 2);
	free(o.out);
	free(o.err);
}
END_TEST

static Suite *session_suite(void)
{
	Suite *s = suite_create("submit_session");
	TCase *tc = tcase_create("fake_cluster");

	tcase_add_checked_fixture(tc, fake_setup, fake_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cluster_mode_end_to_end);
	tcase_add_test(tc, cluster_mode_output_missing);
	tcase_add_test(tc, cluster_mode_failure_explains);
	tcase_add_test(tc, cluster_mode_no_wait);
	tcase_add_test(tc, killed_while_followed);
	tcase_add_test(tc, unreachable_rm);
	tcase_add_test(tc, submission_refused);
	tcase_add_test(tc, too_big_for_the_cluster);
	tcase_add_test(tc, app_forgotten_by_rm);
	tcase_add_test(tc, cluster_mode_ctrl_c_leaves_app_running);
	tcase_add_test(tc, client_mode_driver_and_early_failure);
	tcase_add_test(tc, client_mode_ctrl_c_kills_the_app);
	tcase_add_test(tc, follow_tolerates_then_gives_up);
	tcase_add_test(tc, follow_asks_by_waits);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(session_suite());
	int failed;

	signal(SIGPIPE, SIG_IGN);
	log_open("test_submit_session", LOG_LEVEL_WARN, NULL);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
