/*
 * test_driver_exec.c — the whole driver in this process with real
 * weft-executor processes on loopback: shell jobs, output order, retries,
 * a task that always fails, an executor SIGKILLed mid-job, a wrong secret
 * on either side of the handshake, malformed lines from a fake executor, and the client-mode AM
 * link (register-am, request-executors, executor-lost, shutdown).
 *
 * weft-executor is found in $WEFT_BUILDDIR (set by `make check`), else in
 * the current directory.  Every wait is bounded by a timer that fails the
 * test; executors' logs are printed when a test fails.
 */
#include "weft_config.h"

#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/lineconn.h"
#include "common/log.h"
#include "common/proc.h"
#include "common/proto_task.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "driver/driver.h"
#include "weft/protocol.h"
#include "testlib.h"

#define SECRET        "0123456789abcdef0123456789abcdef"
#define MAX_EXECUTORS 4
#define MAX_MESSAGES  64

extern char **environ;

struct fake_peer {
	struct lineconn *conn;
	bool closed;
	struct json_object *messages[MAX_MESSAGES];
	int n_messages;
};

struct ctx {
	struct event_base *base;
	struct driver *d;
	bool done;
	bool succeeded;
	char *diagnostics;
	char *out_buf;
	size_t out_len;
	FILE *out;

	struct proc *execs[MAX_EXECUTORS];
	pid_t exec_pids[MAX_EXECUTORS];
	bool exec_exited[MAX_EXECUTORS];
	int exec_codes[MAX_EXECUTORS];
	char *exec_dirs[MAX_EXECUTORS];
	int n_execs;
};

static struct ctx C;
/* Every directory a test makes is under this one, removed by main() even
 * when a test failed before its tear-down. */
static char test_root[256];

/* ---- set-up and tear-down ---- */

static void done_cb(struct driver *d, bool succeeded, const char *diagnostics, void *arg)
{
	struct ctx *c = arg;

	ck_assert_msg(!c->done, "done called twice");
	c->done = true;
	c->succeeded = succeeded;
	c->diagnostics = xstrdup(diagnostics != NULL ? diagnostics : "");
}

static void dump_logs(void *arg);

static void setup_with(int max_failures)
{
	struct driver_options opts;
	char *cause = NULL;

	memset(&C, 0, sizeof C);
	log_open("test_driver_exec", LOG_LEVEL_WARN, NULL);
	C.base = event_base_new();
	ck_assert_ptr_nonnull(C.base);
	proc_init(C.base);
	C.out = open_memstream(&C.out_buf, &C.out_len);
	ck_assert_ptr_nonnull(C.out);
	memset(&opts, 0, sizeof opts);
	opts.bind_host = "127.0.0.1";
	opts.port = 0;
	opts.app_secret = SECRET;
	opts.max_task_failures = max_failures;
	opts.out = C.out;
	C.d = driver_new(C.base, &opts, NULL, done_cb, &C, &cause);
	ck_assert_msg(C.d != NULL, "driver_new: %s", cause);
	testlib_set_timeout_hook(dump_logs, NULL);
}

static void setup(void)
{
	setup_with(4);
}

/* Print the executors' logs (testlib's timeout hook). */
static void dump_logs(void *arg)
{
	char *path, line[1024];
	FILE *f;
	int i;

	for (i = 0; i < C.n_execs; i++) {
		path = xasprintf("%s/executor.log", C.exec_dirs[i]);
		f = fopen(path, "r");
		fprintf(stderr, "---- executor %d log (%s)\n", i, path);
		while (f != NULL && fgets(line, sizeof line, f) != NULL)
			fputs(line, stderr);
		if (f != NULL)
			fclose(f);
		free(path);
	}
}

/* Run the loop until pred() holds; fail the test after ms. */
static void run_until(testlib_pred pred, int ms, const char *what)
{
	testlib_run_until(C.base, pred, NULL, ms, what);
}

static void run_for(int ms)
{
	testlib_run_for(C.base, ms);
}

static bool job_done(void *arg)
{
	return C.done;
}

static bool all_executors_exited(void *arg)
{
	int i;

	for (i = 0; i < C.n_execs; i++) {
		if (!C.exec_exited[i])
			return false;
	}
	return true;
}

static int want_count;
static bool count_reached(void *arg)
{
	return driver_executor_count(C.d) == want_count;
}

static void wait_for_executors(int n)
{
	want_count = n;
	run_until(count_reached, TESTLIB_WAIT_MS, "executors to register");
}

static void teardown(void)
{
	int i;

	if (C.d != NULL)
		driver_free(C.d);
	C.d = NULL;
	for (i = 0; i < C.n_execs; i++) {
		if (!C.exec_exited[i])
			kill(C.exec_pids[i], SIGKILL);
	}
	if (C.n_execs > 0)
		run_until(all_executors_exited, TESTLIB_WAIT_MS, "executors to exit at tear-down");
	for (i = 0; i < C.n_execs; i++) {
		testlib_rmtree(C.exec_dirs[i]);
		free(C.exec_dirs[i]);
	}
	fclose(C.out);
	free(C.out_buf);
	free(C.diagnostics);
	event_base_free(C.base);
}

/* ---- executors ---- */

static void exec_exit_cb(struct proc *p, int status, void *arg)
{
	int i = (int)(intptr_t)arg;

	C.exec_exited[i] = true;
	C.exec_codes[i] = proc_exit_code(status);
	C.execs[i] = NULL;
}

/* Where weft-executor was built, as an absolute path (the child changes
 * directory before it executes). */
static char *executor_binary(void)
{
	const char *dir = getenv("WEFT_BUILDDIR");
	char *path, *binary;

	path = xasprintf("%s/weft-executor", dir != NULL && *dir != '\0' ? dir : ".");
	binary = realpath(path, NULL);
	ck_assert_msg(binary != NULL && access(binary, X_OK) == 0,
	              "%s: %s (build weft-executor first)", path, strerror(errno));
	free(path);
	return binary;
}

/* Start weft-executor number n in its own directory. */
static int spawn_executor(const char *id, int cores, const char *secret, const char *container_id)
{
	char *dir_template = testlib_mkdtemp_below(test_root, "exec");
	char *argv[8], **env, *cause = NULL, *binary, cores_text[16];
	struct proc_spec spec;
	size_t n = 0, i;
	int index = C.n_execs;

	ck_assert_int_lt(index, MAX_EXECUTORS);
	C.exec_dirs[index] = dir_template;
	binary = executor_binary();
	snprintf(cores_text, sizeof cores_text, "%d", cores);
	argv[0] = binary;
	argv[1] = (char *)"--driver";
	argv[2] = (char *)driver_address(C.d);
	argv[3] = (char *)"--executor-id";
	argv[4] = (char *)id;
	argv[5] = (char *)"--cores";
	argv[6] = cores_text;
	argv[7] = NULL;
	for (i = 0; environ[i] != NULL; i++)
		;
	env = xcalloc(i + 4, sizeof *env);
	for (i = 0; environ[i] != NULL; i++) {
		if (strncmp(environ[i], "WEFT_APP_SECRET=", 16) != 0 &&
		    strncmp(environ[i], "CONTAINER_ID=", 13) != 0)
			env[n++] = environ[i];
	}
	env[n++] = xasprintf("WEFT_APP_SECRET=%s", secret);
	if (container_id != NULL)
		env[n++] = xasprintf("CONTAINER_ID=%s", container_id);
	env[n] = NULL;

	memset(&spec, 0, sizeof spec);
	spec.argv = argv;
	spec.env = env;
	spec.cwd = C.exec_dirs[index];
	spec.stderr_path = xasprintf("%s/executor.log", C.exec_dirs[index]);
	C.execs[index] = proc_spawn(&spec, exec_exit_cb, (void *)(intptr_t)index, &cause);
	ck_assert_msg(C.execs[index] != NULL, "spawning %s: %s", binary, cause);
	C.exec_pids[index] = proc_pid(C.execs[index]);
	C.n_execs++;
	free((char *)spec.stderr_path);
	free(env[n - 1]);
	if (container_id != NULL)
		free(env[n - 2]);
	free(env);
	free(binary);
	return index;
}

static void run_job(const char *command, int tasks)
{
	struct json_object *job = wjson_new_object();
	char *cause = NULL;

	wjson_add_string(job, "kind", "shell");
	wjson_add_string(job, "command", command);
	wjson_add_int(job, "tasks", tasks);
	ck_assert_msg(driver_run(C.d, job, &cause) == 0, "driver_run: %s", cause);
	json_object_put(job);
}

/* The output the driver wrote so far. */
static const char *output(void)
{
	fflush(C.out);
	return C.out_buf != NULL ? C.out_buf : "";
}

/* ---- fake peers (a hand-written executor or AM) ---- */

static void fake_message_cb(struct lineconn *c, struct json_object *msg, void *arg)
{
	struct fake_peer *p = arg;

	if (p->n_messages < MAX_MESSAGES)
		p->messages[p->n_messages++] = json_object_get(msg);
}

static void fake_close_cb(struct lineconn *c, const char *reason, void *arg)
{
	struct fake_peer *p = arg;

	p->closed = true;
	lineconn_free(c);
	p->conn = NULL;
}

static void fake_connect(struct fake_peer *p)
{
	char *host = NULL;
	const char *colon = strrchr(driver_address(C.d), ':');

	memset(p, 0, sizeof *p);
	host = xstrndup(driver_address(C.d), (size_t)(colon - driver_address(C.d)));
	p->conn = lineconn_connect(C.base, host, atoi(colon + 1), WEFT_MAX_LINE, fake_message_cb,
	                           fake_close_cb, p);
	free(host);
}

static void fake_send_text(struct fake_peer *p, const char *text)
{
	struct json_object *msg = json_tokener_parse(text);

	ck_assert_msg(msg != NULL, "bad test JSON %s", text);
	ck_assert_int_eq(lineconn_send(p->conn, msg), 0);
	json_object_put(msg);
}

static void fake_free(struct fake_peer *p)
{
	int i;

	if (p->conn != NULL)
		lineconn_free(p->conn);
	for (i = 0; i < p->n_messages; i++)
		json_object_put(p->messages[i]);
	memset(p, 0, sizeof *p);
}

static const char *msg_type(struct json_object *msg)
{
	struct json_object *v;

	return json_object_object_get_ex(msg, "type", &v) ? json_object_get_string(v) : "";
}

static struct fake_peer *waited_peer;
static int waited_count;
static bool peer_has_messages(void *arg)
{
	return waited_peer->n_messages >= waited_count;
}
static bool peer_closed(void *arg)
{
	return waited_peer->closed;
}

static void wait_messages(struct fake_peer *p, int n, const char *what)
{
	waited_peer = p;
	waited_count = n;
	run_until(peer_has_messages, TESTLIB_WAIT_MS, what);
}

static void wait_closed(struct fake_peer *p, const char *what)
{
	waited_peer = p;
	run_until(peer_closed, TESTLIB_WAIT_MS, what);
}

#define FAKE_NONCE "ffeeddccbbaa99887766554433221100"

static const char *get_str(struct json_object *msg, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(msg, key, &v) ? json_object_get_string(v) : "";
}

/* A fake executor's handshake: register as id, check the driver's
 * challenge proves SECRET and never shows it, answer with a proof made
 * with secret.  The challenge is p->messages[0]. */
static void fake_handshake(struct fake_peer *p, const char *id, const char *secret)
{
	struct json_object *ch;
	char proof[65], *text;

	text = xasprintf("{\"type\":\"register\",\"executorId\":\"%s\",\"nonce\":\"" FAKE_NONCE
	                 "\",\"host\":\"h\",\"nodeId\":\"h:1\",\"cores\":1,\"pid\":1}",
	                 id);
	fake_send_text(p, text);
	free(text);
	wait_messages(p, 1, "the challenge");
	ch = p->messages[0];
	ck_assert_str_eq(msg_type(ch), "challenge");
	ck_assert_msg(strstr(json_object_to_json_string(ch), SECRET) == NULL,
	              "the secret is on the wire");
	proto_task_proof(SECRET, PROTO_TASK_ROLE_DRIVER, id, FAKE_NONCE, get_str(ch, "nonce"),
	                 proof);
	ck_assert_str_eq(get_str(ch, "proof"), proof);
	proto_task_proof(secret, PROTO_TASK_ROLE_EXECUTOR, id, FAKE_NONCE, get_str(ch, "nonce"),
	                 proof);
	text = xasprintf("{\"type\":\"auth\",\"proof\":\"%s\"}", proof);
	fake_send_text(p, text);
	free(text);
}

#define AM_REGISTER_FMT                                                                            \
	"{\"type\":\"register-am\",\"nonce\":\"" FAKE_NONCE "\",\"applicationId\":\"%s\","         \
	"\"attemptId\":\"%s\"}"

/* A fake AM's handshake (as fake_handshake); the challenge is
 * p->messages[0]. */
static void fake_am_handshake(struct fake_peer *p, const char *app_id, const char *attempt_id,
                              const char *secret)
{
	struct json_object *ch;
	char proof[65], *text;

	text = xasprintf(AM_REGISTER_FMT, app_id, attempt_id);
	fake_send_text(p, text);
	free(text);
	wait_messages(p, 1, "the AM's challenge");
	ch = p->messages[0];
	ck_assert_str_eq(msg_type(ch), "challenge");
	ck_assert_msg(strstr(json_object_to_json_string(ch), SECRET) == NULL,
	              "the secret is on the wire");
	proto_task_proof(SECRET, PROTO_TASK_ROLE_DRIVER_AM, attempt_id, FAKE_NONCE,
	                 get_str(ch, "nonce"), proof);
	ck_assert_str_eq(get_str(ch, "proof"), proof);
	proto_task_proof(secret, PROTO_TASK_ROLE_AM, attempt_id, FAKE_NONCE, get_str(ch, "nonce"),
	                 proof);
	text = xasprintf("{\"type\":\"auth\",\"proof\":\"%s\"}", proof);
	fake_send_text(p, text);
	free(text);
}

/* ---- the tests ---- */

START_TEST(test_eight_tasks_in_order)
{
	int i;

	spawn_executor("1", 2, SECRET, NULL);
	spawn_executor("2", 2, SECRET, NULL);
	wait_for_executors(2);
	run_job("[ -n \"$WEFT_EXECUTOR_ID\" ] || exit 9; "
	        "echo task $WEFT_TASK_INDEX ${WEFT_APP_SECRET:-hidden}",
	        8);
	run_until(job_done, TESTLIB_WAIT_MS, "the job to end");
	ck_assert_msg(C.succeeded, "job failed: %s", C.diagnostics);
	ck_assert_str_eq(output(), "task 0 hidden\ntask 1 hidden\ntask 2 hidden\ntask 3 hidden\n"
	                           "task 4 hidden\ntask 5 hidden\ntask 6 hidden\ntask 7 hidden\n");
	/* shutdown: both executors leave with 0, and their task dirs are gone. */
	run_until(all_executors_exited, TESTLIB_WAIT_MS, "executors to exit after shutdown");
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(C.exec_codes[i], 0);
	ck_assert_int_eq(driver_executor_count(C.d), 0);
}
END_TEST

START_TEST(test_retry_then_succeed)
{
	spawn_executor("1", 2, SECRET, NULL);
	spawn_executor("2", 2, SECRET, NULL);
	wait_for_executors(2);
	run_job("if [ $WEFT_TASK_INDEX = 1 ] && [ $WEFT_TASK_ATTEMPT -lt 2 ]; then "
	        "echo not yet >&2; exit 3; fi; echo task $WEFT_TASK_INDEX attempt "
	        "$WEFT_TASK_ATTEMPT",
	        4);
	run_until(job_done, TESTLIB_WAIT_MS, "the job to end");
	ck_assert_msg(C.succeeded, "job failed: %s", C.diagnostics);
	ck_assert_str_eq(output(), "task 0 attempt 0\ntask 1 attempt 2\ntask 2 attempt 0\n"
	                           "task 3 attempt 0\n");
}
END_TEST

START_TEST(test_always_failing_task)
{
	int i;

	spawn_executor("1", 2, SECRET, NULL);
	spawn_executor("2", 2, SECRET, NULL);
	wait_for_executors(2);
	/* Tasks 0 and 1 would run for a minute: they must be killed. */
	run_job("if [ $WEFT_TASK_INDEX = 2 ]; then echo boom-$WEFT_TASK_INDEX >&2; exit 7; fi; "
	        "exec sleep 60",
	        3);
	run_until(job_done, TESTLIB_WAIT_MS, "the job to end");
	ck_assert(!C.succeeded);
	ck_assert_msg(strstr(C.diagnostics, "Task 2 failed 4 times") != NULL, "%s", C.diagnostics);
	ck_assert_msg(strstr(C.diagnostics, "exit code 7") != NULL, "%s", C.diagnostics);
	ck_assert_msg(strstr(C.diagnostics, "boom-2") != NULL, "%s", C.diagnostics);
	ck_assert_str_eq(output(), "");
	/* The sleeping tasks were killed, so executors leave at once. */
	run_until(all_executors_exited, TESTLIB_WAIT_MS, "executors to exit after a failed job");
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(C.exec_codes[i], 0);
}
END_TEST

static void kill_first_executor_cb(evutil_socket_t fd, short events, void *arg)
{
	ck_assert_int_eq(kill(C.exec_pids[0], SIGKILL), 0);
}

START_TEST(test_executor_killed_mid_job)
{
	struct timeval tv = {0, 300 * 1000};
	struct event *ev;

	/* One failure would fail the job: a lost executor must not count. */
	teardown();
	setup_with(1);
	spawn_executor("1", 2, SECRET, NULL);
	spawn_executor("2", 2, SECRET, NULL);
	wait_for_executors(2);
	run_job("sleep 0.6; echo task $WEFT_TASK_INDEX", 8);
	ev = evtimer_new(C.base, kill_first_executor_cb, NULL);
	evtimer_add(ev, &tv);
	run_until(job_done, 30000, "the job to end");
	event_free(ev);
	ck_assert_msg(C.succeeded, "job failed: %s", C.diagnostics);
	ck_assert_str_eq(output(), "task 0\ntask 1\ntask 2\ntask 3\ntask 4\ntask 5\ntask 6\n"
	                           "task 7\n");
	ck_assert(C.exec_exited[0]);
	ck_assert_int_eq(C.exec_codes[0], 128 + SIGKILL);
	run_until(all_executors_exited, TESTLIB_WAIT_MS, "the other executor to exit");
	ck_assert_int_eq(C.exec_codes[1], 0);
	/* Let the killed executor's orphaned tasks finish before cleaning up. */
	run_for(700);
}
END_TEST

static int waited_exec;
static bool exec_exited(void *arg)
{
	return C.exec_exited[waited_exec];
}

static void wait_exec_exit(int i, const char *what)
{
	waited_exec = i;
	run_until(exec_exited, TESTLIB_WAIT_MS, what);
}

/* Whether executor i's log contains text. */
static bool exec_log_contains(int i, const char *text)
{
	char *path = xasprintf("%s/executor.log", C.exec_dirs[i]), line[4096];
	bool found = false;
	FILE *f = fopen(path, "r");

	while (f != NULL && !found && fgets(line, sizeof line, f) != NULL)
		found = strstr(line, text) != NULL;
	if (f != NULL)
		fclose(f);
	free(path);
	return found;
}

START_TEST(test_wrong_secret_rejected)
{
	int bad, good;

	bad = spawn_executor("intruder", 1, "not-the-secret", NULL);
	good = spawn_executor("1", 1, SECRET, NULL);
	wait_exec_exit(bad, "the executor with a wrong secret to exit");
	ck_assert_int_eq(C.exec_codes[bad], 1);
	ck_assert_msg(exec_log_contains(bad, "wrong application secret"), "no reason logged");
	wait_for_executors(1);
	ck_assert(!C.exec_exited[good]);

	/* driver_abort ends the job (none ran) and shuts the executor down. */
	driver_abort(C.d, "test over");
	run_until(job_done, TESTLIB_WAIT_MS, "the abort to end the job");
	ck_assert(!C.succeeded);
	ck_assert_str_eq(C.diagnostics, "test over");
	wait_exec_exit(good, "the good executor to exit");
	ck_assert_int_eq(C.exec_codes[good], 0);
}
END_TEST

/* An executor whose auth proves a wrong secret, or that skips auth, is
 * rejected and dropped: it is never counted and gets no task. */
START_TEST(test_wrong_proof_gets_no_task)
{
	struct fake_peer bad, skip, good;

	fake_connect(&bad);
	fake_handshake(&bad, "intruder", "not-the-secret");
	wait_messages(&bad, 2, "the rejection");
	ck_assert_str_eq(msg_type(bad.messages[1]), "rejected");
	ck_assert_str_eq(get_str(bad.messages[1], "reason"), "wrong application secret");
	wait_closed(&bad, "the intruder's connection to close");
	ck_assert_int_eq(bad.n_messages, 2);
	ck_assert_int_eq(driver_executor_count(C.d), 0);

	/* A challenged executor that sends anything but auth is refused. */
	fake_connect(&skip);
	fake_send_text(&skip,
	               "{\"type\":\"register\",\"executorId\":\"skip\",\"nonce\":\"" FAKE_NONCE
	               "\",\"host\":\"h\",\"cores\":1}");
	wait_messages(&skip, 1, "the challenge");
	fake_send_text(&skip, "{\"type\":\"status\",\"taskId\":0,\"attempt\":0,"
	                      "\"state\":\"RUNNING\"}");
	wait_messages(&skip, 2, "the rejection");
	ck_assert_str_eq(msg_type(skip.messages[1]), "rejected");
	wait_closed(&skip, "the connection to close");
	ck_assert_int_eq(driver_executor_count(C.d), 0);

	/* While a job waits, only the proven executor is sent its tasks. */
	fake_connect(&good);
	fake_handshake(&good, "good", SECRET);
	wait_messages(&good, 2, "registered");
	ck_assert_str_eq(msg_type(good.messages[1]), "registered");
	ck_assert_int_eq(driver_executor_count(C.d), 1);
	run_job("echo hi", 1);
	wait_messages(&good, 3, "a launch");
	ck_assert_str_eq(msg_type(good.messages[2]), "launch");
	ck_assert_int_eq(bad.n_messages, 2);
	ck_assert_int_eq(skip.n_messages, 2);
	driver_abort(C.d, "test over");
	run_until(job_done, TESTLIB_WAIT_MS, "the abort to end the job");
	fake_free(&bad);
	fake_free(&skip);
	fake_free(&good);
}
END_TEST

/* A raw socket to the driver, for lines lineconn would never send. */
static int raw_fd;
static bool raw_closed(void *arg)
{
	char buf[256];
	ssize_t n = recv(raw_fd, buf, sizeof buf, MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static void raw_line_is_closed(const char *line)
{
	struct sockaddr_in sa;
	const char *colon = strrchr(driver_address(C.d), ':');

	raw_fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(raw_fd, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(raw_fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(write(raw_fd, line, strlen(line)), (ssize_t)strlen(line));
	run_until(raw_closed, TESTLIB_WAIT_MS, "the driver to close a connection sending junk");
	close(raw_fd);
}

START_TEST(test_bad_lines_close_only_that_connection)
{
	struct fake_peer badreg, fake;
	struct json_object *v;

	raw_line_is_closed("hello driver\n");
	raw_line_is_closed("[1,2,3]\n");
	raw_line_is_closed("{\"type\":\"status\",\"taskId\":1}\n");
	raw_line_is_closed("{\"no\":\"type\"}\n");

	/* A register with a badly typed field is rejected with the field. */
	fake_connect(&badreg);
	fake_send_text(&badreg,
	               "{\"type\":\"register\",\"executorId\":\"x\",\"nonce\":\"" FAKE_NONCE
	               "\",\"host\":\"h\",\"cores\":\"2\"}");
	wait_messages(&badreg, 1, "the rejection");
	ck_assert_str_eq(msg_type(badreg.messages[0]), "rejected");
	ck_assert(json_object_object_get_ex(badreg.messages[0], "reason", &v));
	ck_assert_msg(strstr(json_object_get_string(v), "cores") != NULL, "%s",
	              json_object_get_string(v));
	wait_closed(&badreg, "the rejected connection to close");
	fake_free(&badreg);

	/* A registered executor sending a bad status is dropped; its task
	 * runs elsewhere. */
	fake_connect(&fake);
	fake_handshake(&fake, "fake", SECRET);
	wait_messages(&fake, 2, "registered");
	ck_assert_str_eq(msg_type(fake.messages[1]), "registered");
	ck_assert_int_eq(driver_executor_count(C.d), 1);
	run_job("echo task $WEFT_TASK_INDEX", 2);
	wait_messages(&fake, 3, "a launch");
	ck_assert_str_eq(msg_type(fake.messages[2]), "launch");
	ck_assert(json_object_object_get_ex(fake.messages[2], "command", &v));
	ck_assert_str_eq(json_object_get_string(v), "echo task $WEFT_TASK_INDEX");
	fake_send_text(&fake, "{\"type\":\"status\",\"taskId\":\"zero\",\"attempt\":0,"
	                      "\"state\":\"RUNNING\"}");
	wait_closed(&fake, "the driver to drop the fake executor");
	ck_assert_int_eq(driver_executor_count(C.d), 0);
	ck_assert(!C.done);
	fake_free(&fake);

	spawn_executor("1", 1, SECRET, NULL);
	run_until(job_done, TESTLIB_WAIT_MS, "the job to end");
	ck_assert_msg(C.succeeded, "job failed: %s", C.diagnostics);
	ck_assert_str_eq(output(), "task 0\ntask 1\n");
}
END_TEST

#define APP_ID      "application_1700000000000_0001"
#define ATTEMPT_ID  "appattempt_1700000000000_0001_000001"
#define CONTAINER_1 "container_1700000000000_0001_01_000002"
#define CONTAINER_2 "container_1700000000000_0001_01_000003"

START_TEST(test_client_mode_am_link)
{
	struct fake_peer am;
	struct json_object *v, *last;

	/* Wrong secret: rejected after its auth, told nothing else. */
	driver_request_executors(C.d, 3);
	fake_connect(&am);
	fake_am_handshake(&am, APP_ID, ATTEMPT_ID, "nope");
	wait_messages(&am, 2, "the AM's rejection");
	ck_assert_str_eq(msg_type(am.messages[1]), "rejected");
	ck_assert_str_eq(get_str(am.messages[1], "reason"), "wrong application secret");
	wait_closed(&am, "the rejected AM to be closed");
	ck_assert_int_eq(am.n_messages, 2);
	fake_free(&am);

	fake_connect(&am);
	fake_am_handshake(&am, APP_ID, ATTEMPT_ID, SECRET);
	wait_messages(&am, 2, "the AM to be registered");
	ck_assert_str_eq(msg_type(am.messages[1]), "registered");
	wait_messages(&am, 3, "request-executors");
	ck_assert_str_eq(msg_type(am.messages[2]), "request-executors");
	ck_assert(json_object_object_get_ex(am.messages[2], "total", &v));
	ck_assert_int_eq(json_object_get_int(v), 3);

	spawn_executor("1", 2, SECRET, CONTAINER_1);
	spawn_executor("2", 2, SECRET, CONTAINER_2);
	wait_for_executors(2);
	run_job("sleep 0.3; echo task $WEFT_TASK_INDEX", 4);
	/* The AM hears from the RM that the first container is gone. */
	fake_send_text(&am, "{\"type\":\"executor-lost\",\"containerId\":\"" CONTAINER_1
	                    "\",\"exitStatus\":-100,\"diagnostics\":\"node lost\"}");
	wait_for_executors(1);
	wait_exec_exit(0, "the lost executor to notice");
	ck_assert_int_eq(C.exec_codes[0], 1);
	run_until(job_done, TESTLIB_WAIT_MS, "the job to end");
	ck_assert_msg(C.succeeded, "job failed: %s", C.diagnostics);
	ck_assert_str_eq(output(), "task 0\ntask 1\ntask 2\ntask 3\n");

	/* The AM was told the final status, and its link closed. */
	wait_messages(&am, 4, "shutdown to the AM");
	last = am.messages[am.n_messages - 1];
	ck_assert_str_eq(msg_type(last), "shutdown");
	ck_assert(json_object_object_get_ex(last, "finalStatus", &v));
	ck_assert_str_eq(json_object_get_string(v), "SUCCEEDED");
	wait_closed(&am, "the AM link to close");
	fake_free(&am);
}
END_TEST

START_TEST(test_am_gone_without_executors)
{
	struct fake_peer am;

	fake_connect(&am);
	fake_am_handshake(&am, APP_ID, ATTEMPT_ID, SECRET);
	wait_messages(&am, 2, "the AM to be registered");
	run_job("true", 2);
	run_for(100);
	ck_assert(!C.done);
	fake_free(&am); /* the AM dies before any executor came */
	run_until(job_done, TESTLIB_WAIT_MS, "the job to fail");
	ck_assert(!C.succeeded);
	ck_assert_msg(strstr(C.diagnostics, "no executor remains") != NULL, "%s", C.diagnostics);
}
END_TEST

START_TEST(test_am_gone_with_executors)
{
	struct fake_peer am;

	fake_connect(&am);
	fake_am_handshake(&am, APP_ID, ATTEMPT_ID, SECRET);
	wait_messages(&am, 2, "the AM to be registered");
	spawn_executor("1", 2, SECRET, CONTAINER_1);
	wait_for_executors(1);
	run_job("sleep 0.3; echo task $WEFT_TASK_INDEX", 3);
	fake_free(&am); /* the AM dies; the executor it started is still there */
	run_until(job_done, TESTLIB_WAIT_MS, "the job to end");
	ck_assert_msg(C.succeeded, "job failed: %s", C.diagnostics);
	ck_assert_str_eq(output(), "task 0\ntask 1\ntask 2\n");
}
END_TEST

START_TEST(test_binary_and_large_output)
{
	static const char expected[] = "bin\377\0000\nbin\377\0001\n";
	size_t i;

	spawn_executor("1", 2, SECRET, NULL);
	run_job("printf 'bin\\377\\000%s\\n' $WEFT_TASK_INDEX", 2);
	run_until(job_done, TESTLIB_WAIT_MS, "the job to end");
	ck_assert_msg(C.succeeded, "job failed: %s", C.diagnostics);
	output();
	ck_assert_int_eq(C.out_len, sizeof expected - 1);
	ck_assert(memcmp(C.out_buf, expected, sizeof expected - 1) == 0);

	/* 3 MB from one task travels in one line. */
	teardown();
	setup();
	spawn_executor("1", 1, SECRET, NULL);
	run_job("head -c 3000000 /dev/zero | tr '\\000' a; echo", 1);
	run_until(job_done, TESTLIB_WAIT_MS, "the job to end");
	ck_assert_msg(C.succeeded, "job failed: %s", C.diagnostics);
	output();
	ck_assert_int_eq(C.out_len, 3000001);
	for (i = 0; i < 3000000; i++) {
		if (C.out_buf[i] != 'a')
			ck_abort_msg("byte %zu is %d", i, C.out_buf[i]);
	}
}
END_TEST

/* The driver binds what it advertises; a wildcard only when asked for. */
START_TEST(test_bind_host_is_the_advertised_one)
{
	struct driver_options opts;

	memset(&opts, 0, sizeof opts);
	ck_assert_str_eq(driver_bind_host(&opts), "127.0.0.1");
	opts.advertise_host = "10.0.0.7";
	ck_assert_str_eq(driver_bind_host(&opts), "10.0.0.7");
	opts.bind_host = "";
	ck_assert_str_eq(driver_bind_host(&opts), "10.0.0.7");
	opts.bind_host = "0.0.0.0";
	ck_assert_str_eq(driver_bind_host(&opts), "0.0.0.0");
	opts.advertise_host = "";
	opts.bind_host = NULL;
	ck_assert_str_eq(driver_bind_host(&opts), "127.0.0.1");
}
END_TEST

static Suite *exec_suite(void)
{
	Suite *s = suite_create("driver_exec");
	TCase *tc = tcase_create("core");
	TCase *tc_bind = tcase_create("bind");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_eight_tasks_in_order);
	tcase_add_test(tc, test_retry_then_succeed);
	tcase_add_test(tc, test_always_failing_task);
	tcase_add_test(tc, test_executor_killed_mid_job);
	tcase_add_test(tc, test_wrong_secret_rejected);
	tcase_add_test(tc, test_wrong_proof_gets_no_task);
	tcase_add_test(tc, test_bad_lines_close_only_that_connection);
	tcase_add_test(tc, test_client_mode_am_link);
	tcase_add_test(tc, test_am_gone_without_executors);
	tcase_add_test(tc, test_am_gone_with_executors);
	tcase_add_test(tc, test_binary_and_large_output);
	suite_add_tcase(s, tc);
	tcase_add_test(tc_bind, test_bind_host_is_the_advertised_one);
	suite_add_tcase(s, tc_bind);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (testlib_mkdtemp_try(test_root, sizeof test_root, "driver") != 0)
		return EXIT_FAILURE;
	sr = srunner_create(exec_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	testlib_rmtree(test_root);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
