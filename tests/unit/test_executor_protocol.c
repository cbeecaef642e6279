/*
 * test_executor_protocol.c — weft-executor as a program: its command line
 * (help, version, every bad argument refused with a message), dialling a
 * driver that is not there, and the line protocol against a fake driver
 * in this process: register fields and the challenge-response handshake
 * (the secret never on the wire; a fake driver with the wrong secret is
 * refused before anything it sends is run), task env and output, FAILED and
 * KILLED reports, a refused launch, task slots emptied and removed, and the
 * three ways to leave (shutdown: 0; driver gone: 1; SIGTERM: 143), each
 * taking its running task with it.
 */
#include "weft_config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/lineconn.h"
#include "common/log.h"
#include "common/proc.h"
#include "common/proto_task.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"
#include "testlib.h"

#define SECRET       "executor-test-secret-0123456789"
#define MAX_MESSAGES 64

/* Every directory a test makes is under this one, removed by main() even
 * when a test failed before its tear-down. */
static char test_root[256];

extern char **environ;

static struct {
	struct event_base *base;
	char *dir; /* the executor's working directory */
	struct proc *exec;
	pid_t exec_pid;
	bool exited;
	int code;

	struct lineserver *server;
	struct lineconn *conn; /* the executor's connection */
	bool conn_closed;
	struct json_object *messages[MAX_MESSAGES];
	int n_messages;
} T;

static void dump_file(const char *name)
{
	char *path = xasprintf("%s/%s", T.dir, name), line[1024];
	FILE *f = fopen(path, "r");

	fprintf(stderr, "---- %s\n", path);
	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		fputs(line, stderr);
	if (f != NULL)
		fclose(f);
	free(path);
}

/* The executor's stderr (testlib's timeout hook). */
static void dump_stderr(void *arg)
{
	dump_file("stderr");
}

static void run_until(testlib_pred pred, int ms, const char *what)
{
	testlib_run_until(T.base, pred, NULL, ms, what);
}

static bool exited(void *arg)
{
	return T.exited;
}

static void exit_cb(struct proc *p, int status, void *arg)
{
	T.exited = true;
	T.code = proc_exit_code(status);
	T.exec = NULL;
}

static void setup(void)
{
	memset(&T, 0, sizeof T);
	log_open("test_executor_protocol", LOG_LEVEL_WARN, NULL);
	T.base = event_base_new();
	proc_init(T.base);
	T.dir = testlib_mkdtemp_below(test_root, "executor");
	testlib_set_timeout_hook(dump_stderr, NULL);
}

static void teardown(void)
{
	int i;

	if (T.exec != NULL && !T.exited) {
		kill(T.exec_pid, SIGKILL);
		run_until(exited, TESTLIB_WAIT_MS, "the executor to die at tear-down");
	}
	if (T.conn != NULL)
		lineconn_free(T.conn);
	if (T.server != NULL)
		lineserver_free(T.server);
	for (i = 0; i < T.n_messages; i++)
		json_object_put(T.messages[i]);
	testlib_rmtree(T.dir);
	free(T.dir);
	event_base_free(T.base);
}

/* Start weft-executor with args (NULL-terminated) and extra env entries. */
static void spawn(const char *const *args, const char *const *extra_env)
{
	const char *dir = getenv("WEFT_BUILDDIR");
	char *argv[16], *env[256], *binary, *path, *cause = NULL;
	struct proc_spec spec;
	int i, n = 0;

	path = xasprintf("%s/weft-executor", dir != NULL && *dir != '\0' ? dir : ".");
	/* Absolute: the child changes directory before it executes. */
	binary = realpath(path, NULL);
	ck_assert_msg(binary != NULL && access(binary, X_OK) == 0, "%s: %s", path, strerror(errno));
	free(path);
	argv[0] = binary;
	for (i = 0; args[i] != NULL && i < 14; i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	for (i = 0; environ[i] != NULL && n < 200; i++) {
		if (strncmp(environ[i], "WEFT_APP_SECRET=", 16) != 0 &&
		    strncmp(environ[i], "CONTAINER_ID=", 13) != 0 &&
		    strncmp(environ[i], "NM_", 3) != 0)
			env[n++] = environ[i];
	}
	for (i = 0; extra_env != NULL && extra_env[i] != NULL; i++)
		env[n++] = (char *)extra_env[i];
	env[n] = NULL;
	memset(&spec, 0, sizeof spec);
	spec.argv = argv;
	spec.env = env;
	spec.cwd = T.dir;
	spec.stdout_path = xasprintf("%s/stdout", T.dir);
	spec.stderr_path = xasprintf("%s/stderr", T.dir);
	T.exec = proc_spawn(&spec, exit_cb, NULL, &cause);
	ck_assert_msg(T.exec != NULL, "spawn: %s", cause);
	T.exec_pid = proc_pid(T.exec);
	free((char *)spec.stdout_path);
	free((char *)spec.stderr_path);
	free(binary);
}

/* Run weft-executor to its end; RET its exit code. */
static int run_executor(const char *const *args, const char *const *extra_env)
{
	spawn(args, extra_env);
	run_until(exited, TESTLIB_WAIT_MS, "weft-executor to exit");
	return T.code;
}

static bool file_contains(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", T.dir, name), buf[8192];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (f != NULL) {
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	free(path);
	return strstr(buf, text) != NULL;
}

static const char *const with_secret[] = {"WEFT_APP_SECRET=" SECRET, NULL};

START_TEST(test_help_and_version)
{
	const char *help[] = {"--help", NULL}, *version[] = {"--version", NULL};

	ck_assert_int_eq(run_executor(help, NULL), 0);
	ck_assert(file_contains("stdout", "usage: weft-executor --driver HOST:PORT"));
	T.exited = false;
	ck_assert_int_eq(run_executor(version, NULL), 0);
	ck_assert(file_contains("stdout", WEFT_VERSION_STRING));
}
END_TEST

/* args must be refused with exit 2 and a message containing text. */
static void assert_refused(const char *const *args, const char *const *env, const char *text)
{
	char *path = xasprintf("%s/stderr", T.dir);

	unlink(path);
	free(path);
	T.exited = false;
	ck_assert_int_eq(run_executor(args, env), 2);
	ck_assert_msg(file_contains("stderr", text), "no '%s' in stderr", text);
}

START_TEST(test_bad_arguments)
{
	const char *none[] = {NULL};
	const char *no_id[] = {"--driver", "127.0.0.1:9", "--cores", "1", NULL};
	const char *no_driver[] = {"--executor-id", "1", "--cores", "1", NULL};
	const char *no_cores[] = {"--driver", "127.0.0.1:9", "--executor-id", "1", NULL};
	const char *zero_cores[] = {"--driver", "127.0.0.1:9", "--executor-id", "1", "--cores",
	                            "0",        NULL};
	const char *word_cores[] = {"--driver", "127.0.0.1:9", "--executor-id", "1", "--cores",
	                            "two",      NULL};
	const char *no_port[] = {"--driver", "localhost", "--executor-id", "1", "--cores",
	                         "1",        NULL};
	const char *port_zero[] = {"--driver", "127.0.0.1:0", "--executor-id", "1", "--cores",
	                           "1",        NULL};
	const char *bad_id[] = {"--driver", "127.0.0.1:9", "--executor-id", "a b", "--cores",
	                        "1",        NULL};
	const char *unknown[] = {"--bogus", NULL};
	const char *extra[] = {"--driver", "127.0.0.1:9", "--executor-id", "1",
	                       "--cores",  "1",           "leftover",      NULL};
	const char *good[] = {"--driver", "127.0.0.1:9", "--executor-id", "1", "--cores",
	                      "1",        NULL};

	assert_refused(none, with_secret, "--driver HOST:PORT is required");
	assert_refused(no_id, with_secret, "--executor-id ID is required");
	assert_refused(no_driver, with_secret, "--driver HOST:PORT is required");
	assert_refused(no_cores, with_secret, "--cores N is required");
	assert_refused(zero_cores, with_secret, "--cores");
	assert_refused(word_cores, with_secret, "--cores");
	assert_refused(no_port, with_secret, "--driver");
	assert_refused(port_zero, with_secret, "--driver");
	assert_refused(bad_id, with_secret, "--executor-id");
	assert_refused(unknown, with_secret, "bogus");
	assert_refused(extra, with_secret, "leftover");
	assert_refused(good, NULL, "WEFT_APP_SECRET is not set");
}
END_TEST

START_TEST(test_driver_not_there)
{
	struct lineserver *s;
	char port[16];
	const char *args[] = {"--driver", NULL, "--executor-id", "1", "--cores", "1", NULL};
	char *cause = NULL;

	/* A port that was free a moment ago: nobody listens there. */
	s = lineserver_new(T.base, "127.0.0.1", 0, 1024, NULL, NULL, &cause);
	ck_assert_ptr_nonnull(s);
	snprintf(port, sizeof port, "127.0.0.1:%d", lineserver_port(s));
	lineserver_free(s);
	args[1] = port;
	ck_assert_int_eq(run_executor(args, with_secret), 1);
	ck_assert(file_contains("stderr", "cannot reach the driver"));
	ck_assert(file_contains("stderr", "retrying"));
}
END_TEST

/* ---- the fake driver ---- */

static void driver_message_cb(struct lineconn *c, struct json_object *msg, void *arg)
{
	if (T.n_messages < MAX_MESSAGES)
		T.messages[T.n_messages++] = json_object_get(msg);
}

static void driver_close_cb(struct lineconn *c, const char *reason, void *arg)
{
	T.conn_closed = true;
	lineconn_free(c);
	T.conn = NULL;
}

static void driver_accept_cb(struct lineconn *c, void *arg)
{
	ck_assert_ptr_null(T.conn);
	T.conn = c;
	lineconn_set_callbacks(c, driver_message_cb, driver_close_cb, NULL);
}

static bool conn_closed(void *arg)
{
	return T.conn_closed;
}

static int wanted_messages;
static bool have_messages(void *arg)
{
	return T.n_messages >= wanted_messages;
}

/* Wait for message number n (0-based); RET it.  No line the executor
 * sends ever holds the application secret. */
static struct json_object *message(int n)
{
	wanted_messages = n + 1;
	run_until(have_messages, TESTLIB_WAIT_MS, "a message from the executor");
	ck_assert_msg(strstr(json_object_to_json_string(T.messages[n]), SECRET) == NULL,
	              "the secret is on the wire: %s", json_object_to_json_string(T.messages[n]));
	return T.messages[n];
}

static const char *get_string(struct json_object *msg, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(msg, key, &v) || v == NULL)
		return NULL;
	return json_object_get_string(v);
}

static int64_t get_int(struct json_object *msg, const char *key)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(msg, key, &v), "no %s in %s", key,
	              json_object_to_json_string(msg));
	return json_object_get_int64(v);
}

static void send_text(const char *text)
{
	struct json_object *msg = json_tokener_parse(text);

	ck_assert_msg(msg != NULL, "bad test JSON: %s", text);
	ck_assert_ptr_nonnull(T.conn);
	ck_assert_int_eq(lineconn_send(T.conn, msg), 0);
	json_object_put(msg);
}

/* Start the fake driver and an executor; RET its register line. */
static struct json_object *start_executor(void)
{
	static char address[64];
	const char *args[] = {"--driver", address, "--executor-id", "e7", "--cores", "2", NULL};
	const char *env[] = {"WEFT_APP_SECRET=" SECRET,
	                     "CONTAINER_ID=container_1700000000000_0001_01_000002",
	                     "NM_HOST=nmhost", "NM_PORT=8042", NULL};
	struct json_object *reg;
	char *cause = NULL;

	T.server = lineserver_new(T.base, "127.0.0.1", 0, WEFT_MAX_LINE, driver_accept_cb, NULL,
	                          &cause);
	ck_assert_msg(T.server != NULL, "%s", cause);
	snprintf(address, sizeof address, "127.0.0.1:%d", lineserver_port(T.server));
	spawn(args, env);
	reg = message(0);
	ck_assert_str_eq(get_string(reg, "type"), "register");
	ck_assert_str_eq(get_string(reg, "executorId"), "e7");
	ck_assert_ptr_null(get_string(reg, "secret"));
	ck_assert_int_eq(strlen(get_string(reg, "nonce")), PROTO_TASK_NONCE_HEX);
	return reg;
}

#define DRIVER_NONCE "00112233445566778899aabbccddeeff"

/* Send the driver's challenge, its proof made with secret. */
static void send_challenge(struct json_object *reg, const char *secret)
{
	char proof[65], *text;

	proto_task_proof(secret, PROTO_TASK_ROLE_DRIVER, "e7", get_string(reg, "nonce"),
	                 DRIVER_NONCE, proof);
	text = xasprintf("{\"type\":\"challenge\",\"nonce\":\"" DRIVER_NONCE "\",\"proof\":\"%s\"}",
	                 proof);
	send_text(text);
	free(text);
}

/* Start the fake driver and an executor registered with it. */
static void start_registered(void)
{
	struct json_object *reg, *auth;
	char proof[65];

	reg = start_executor();
	ck_assert_str_eq(get_string(reg, "host"), "nmhost");
	ck_assert_str_eq(get_string(reg, "nodeId"), "nmhost:8042");
	ck_assert_str_eq(get_string(reg, "containerId"), "container_1700000000000_0001_01_000002");
	ck_assert_int_eq(get_int(reg, "cores"), 2);
	ck_assert_int_eq(get_int(reg, "pid"), T.exec_pid);
	ck_assert_ptr_nonnull(strstr(get_string(reg, "workDir"), "/executor-"));
	send_challenge(reg, SECRET);
	auth = message(1);
	ck_assert_str_eq(get_string(auth, "type"), "auth");
	proto_task_proof(SECRET, PROTO_TASK_ROLE_EXECUTOR, "e7", get_string(reg, "nonce"),
	                 DRIVER_NONCE, proof);
	ck_assert_str_eq(get_string(auth, "proof"), proof);
	/* Later tests count from the register line. */
	json_object_put(T.messages[1]);
	T.messages[1] = NULL;
	T.n_messages = 1;
	send_text("{\"type\":\"registered\"}");
}

/* Whether a directory has entries (besides . and ..). */
static bool dir_has_entries(const char *path)
{
	struct dirent *de;
	bool found = false;
	DIR *d = opendir(path);

	while (d != NULL && (de = readdir(d)) != NULL)
		found = found || (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0);
	if (d != NULL)
		closedir(d);
	return found;
}

/* Whether finished tasks left anything: the executor's task slots
 * (slot_<k>/) must hold an empty work/ and empty stdout and stderr. */
static bool task_dirs_left(void)
{
	struct dirent *de;
	struct stat st;
	bool found = false;
	char *path;
	DIR *d = opendir(T.dir);

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "task_", 5) == 0)
			found = true;
		if (strncmp(de->d_name, "slot_", 5) != 0)
			continue;
		path = xasprintf("%s/%s/work", T.dir, de->d_name);
		found = found || dir_has_entries(path);
		free(path);
		path = xasprintf("%s/%s/stdout", T.dir, de->d_name);
		found = found || (stat(path, &st) == 0 && st.st_size > 0);
		free(path);
		path = xasprintf("%s/%s/stderr", T.dir, de->d_name);
		found = found || (stat(path, &st) == 0 && st.st_size > 0);
		free(path);
	}
	if (d != NULL)
		closedir(d);
	return found;
}

/* Whether any task slot is left (after the executor left). */
static bool slots_left(void)
{
	struct dirent *de;
	bool found = false;
	DIR *d = opendir(T.dir);

	while (d != NULL && (de = readdir(d)) != NULL)
		found = found || strncmp(de->d_name, "slot_", 5) == 0;
	if (d != NULL)
		closedir(d);
	return found;
}

struct pid_file {
	char *path;
	long pid;
};

/* Whether the pid file in arg holds a pid yet (read into it). */
static bool pid_written(void *arg)
{
	struct pid_file *p = arg;
	FILE *f = fopen(p->path, "r");

	if (f != NULL) {
		if (fscanf(f, "%ld", &p->pid) != 1)
			p->pid = 0;
		fclose(f);
	}
	return p->pid > 0;
}

/* The pid a sleeper task wrote, once it has. */
static pid_t sleeper_pid(void)
{
	struct pid_file p = {xasprintf("%s/sleeper.pid", T.dir), 0};

	/* RUNNING comes right after the fork; the file a moment later. */
	testlib_run_until(T.base, pid_written, &p, TESTLIB_WAIT_MS, "the sleeper's pid file");
	free(p.path);
	return (pid_t)p.pid;
}

static void remove_sleeper_pid(void)
{
	char *path = xasprintf("%s/sleeper.pid", T.dir);

	unlink(path);
	free(path);
}

static void launch_sleeper(int task_id)
{
	char *text;

	text = xasprintf("{\"type\":\"launch\",\"taskId\":%d,\"attempt\":0,\"index\":0,"
	                 "\"command\":\"echo $$ > %s/sleeper.pid; exec sleep 60\"}",
	                 task_id, T.dir);
	send_text(text);
	free(text);
}

START_TEST(test_tasks_and_reports)
{
	struct json_object *m;
	pid_t pid;
	int n;

	start_registered();
	send_text(
	        "{\"type\":\"launch\",\"taskId\":11,\"attempt\":1,\"index\":3,"
	        "\"command\":\"echo out-$WEFT_TASK_INDEX-$WEFT_TASK_ATTEMPT-$WEFT_EXECUTOR_ID-$FOO-"
	        "${WEFT_APP_SECRET:-none}-$(basename $(dirname $PWD)); echo err >&2; "
	        "echo left-behind > file-in-cwd\","
	        "\"env\":{\"FOO\":\"bar\"}}");
	m = message(1);
	ck_assert_str_eq(get_string(m, "type"), "status");
	ck_assert_int_eq(get_int(m, "taskId"), 11);
	ck_assert_int_eq(get_int(m, "attempt"), 1);
	ck_assert_str_eq(get_string(m, "state"), "RUNNING");
	m = message(2);
	ck_assert_str_eq(get_string(m, "state"), "FINISHED");
	ck_assert_int_eq(get_int(m, "exitCode"), 0);
	ck_assert_str_eq(get_string(m, "stdout"), "out-3-1-e7-bar-none-slot_0\n");
	ck_assert_str_eq(get_string(m, "stderrTail"), "err\n");
	ck_assert_ptr_null(get_string(m, "stdoutEncoding"));
	ck_assert(!task_dirs_left());

	/* A failing task: its exit code and the end of its stderr. */
	send_text("{\"type\":\"launch\",\"taskId\":12,\"attempt\":0,\"index\":0,"
	          "\"command\":\"seq 1 3000 >&2; exit 5\"}");
	ck_assert_str_eq(get_string(message(3), "state"), "RUNNING");
	m = message(4);
	ck_assert_str_eq(get_string(m, "state"), "FAILED");
	ck_assert_int_eq(get_int(m, "exitCode"), 5);
	ck_assert_int_le(strlen(get_string(m, "stderrTail")), 4096);
	ck_assert_ptr_nonnull(strstr(get_string(m, "stderrTail"), "2999\n3000\n"));
	ck_assert_ptr_null(get_string(m, "stdout"));

	/* A launch it cannot run is reported FAILED, not ignored. */
	send_text("{\"type\":\"launch\",\"taskId\":13,\"attempt\":0,\"index\":0,"
	          "\"command\":\"true\",\"env\":{\"1X\":\"y\"}}");
	m = message(5);
	ck_assert_int_eq(get_int(m, "taskId"), 13);
	ck_assert_str_eq(get_string(m, "state"), "FAILED");
	ck_assert_ptr_nonnull(strstr(get_string(m, "stderrTail"), "env"));

	/* Binary output travels as base64. */
	send_text("{\"type\":\"launch\",\"taskId\":14,\"attempt\":0,\"index\":0,"
	          "\"command\":\"printf 'a\\\\377b'\"}");
	ck_assert_str_eq(get_string(message(6), "state"), "RUNNING");
	m = message(7);
	ck_assert_str_eq(get_string(m, "state"), "FINISHED");
	ck_assert_str_eq(get_string(m, "stdoutEncoding"), "base64");
	ck_assert_str_eq(get_string(m, "stdout"), "Yf9i");
	ck_assert_int_eq(get_int(m, "stdoutSize"), 3);

	/* kill: the task's group goes, KILLED comes back. */
	launch_sleeper(15);
	ck_assert_str_eq(get_string(message(8), "state"), "RUNNING");
	pid = sleeper_pid();
	ck_assert_int_eq(kill(pid, 0), 0);
	send_text("{\"type\":\"kill\",\"taskId\":15,\"attempt\":0}");
	m = message(9);
	ck_assert_int_eq(get_int(m, "taskId"), 15);
	ck_assert_str_eq(get_string(m, "state"), "KILLED");
	ck_assert_int_eq(kill(pid, 0), -1);
	ck_assert(!task_dirs_left());
	/* A kill for nothing, and an unknown message, change nothing. */
	send_text("{\"type\":\"kill\",\"taskId\":99,\"attempt\":0}");
	send_text("{\"type\":\"something-new\"}");

	/* shutdown: the running task is terminated and the executor exits 0. */
	remove_sleeper_pid();
	launch_sleeper(16);
	n = T.n_messages;
	ck_assert_str_eq(get_string(message(n), "state"), "RUNNING");
	pid = sleeper_pid();
	send_text("{\"type\":\"shutdown\"}");
	run_until(exited, TESTLIB_WAIT_MS, "the executor to leave after shutdown");
	ck_assert_int_eq(T.code, 0);
	ck_assert_int_eq(kill(pid, 0), -1);
	ck_assert(!task_dirs_left());
	ck_assert(!slots_left());
}
END_TEST

START_TEST(test_driver_gone)
{
	pid_t pid;

	start_registered();
	launch_sleeper(1);
	ck_assert_str_eq(get_string(message(1), "state"), "RUNNING");
	pid = sleeper_pid();
	lineconn_free(T.conn);
	T.conn = NULL;
	run_until(exited, TESTLIB_WAIT_MS, "the executor to leave after losing the driver");
	ck_assert_int_eq(T.code, 1);
	ck_assert_int_eq(kill(pid, 0), -1);
	ck_assert(file_contains("stderr", "lost the connection to the driver"));
}
END_TEST

START_TEST(test_sigterm)
{
	pid_t pid;

	start_registered();
	launch_sleeper(1);
	ck_assert_str_eq(get_string(message(1), "state"), "RUNNING");
	pid = sleeper_pid();
	kill(T.exec_pid, SIGTERM);
	run_until(exited, TESTLIB_WAIT_MS, "the executor to leave on SIGTERM");
	ck_assert_int_eq(T.code, 143);
	ck_assert_int_eq(kill(pid, 0), -1);
	/* The driver sees the connection close. */
	run_until(conn_closed, TESTLIB_WAIT_MS, "the connection to close");
}
END_TEST

START_TEST(test_rejected)
{
	start_registered();
	/* Pretend the driver refused it after all (protocol allows either). */
	T.exited = false;
	send_text("{\"type\":\"rejected\",\"reason\":\"go away\"}");
	run_until(exited, TESTLIB_WAIT_MS, "the executor to leave when rejected");
	ck_assert_int_eq(T.code, 1);
	ck_assert(file_contains("stderr", "go away"));
}
END_TEST

/* A "driver" that cannot prove the secret is refused: no auth line, the
 * connection closed, exit 1, and a launch it sent at once never runs. */
START_TEST(test_fake_driver_wrong_secret)
{
	struct json_object *reg;
	char *marker = xasprintf("%s/ran", T.dir);
	char *text;

	reg = start_executor();
	T.exited = false;
	send_challenge(reg, "not-the-application-secret");
	text = xasprintf("{\"type\":\"launch\",\"taskId\":1,\"attempt\":0,\"index\":0,"
	                 "\"command\":\"touch %s\"}",
	                 marker);
	send_text(text);
	free(text);
	run_until(exited, TESTLIB_WAIT_MS, "the executor to refuse the driver");
	ck_assert_int_eq(T.code, 1);
	ck_assert(file_contains("stderr", "wrong application secret"));
	run_until(conn_closed, TESTLIB_WAIT_MS, "the connection to close");
	ck_assert_int_eq(T.n_messages, 1); /* the register, no auth, no status */
	ck_assert_int_eq(access(marker, F_OK), -1);
	free(marker);
}
END_TEST

/* A driver that says registered without a challenge (or launches at once)
 * proved nothing: the executor leaves without running anything. */
START_TEST(test_driver_skips_challenge)
{
	start_executor();
	T.exited = false;
	send_text("{\"type\":\"registered\"}");
	run_until(exited, TESTLIB_WAIT_MS, "the executor to refuse the driver");
	ck_assert_int_eq(T.code, 1);
	ck_assert(file_contains("stderr", "before it proved the secret"));
	ck_assert_int_eq(T.n_messages, 1);
}
END_TEST

static Suite *executor_suite(void)
{
	Suite *s = suite_create("executor_protocol");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_help_and_version);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_driver_not_there);
	tcase_add_test(tc, test_tasks_and_reports);
	tcase_add_test(tc, test_driver_gone);
	tcase_add_test(tc, test_sigterm);
	tcase_add_test(tc, test_rejected);
	tcase_add_test(tc, test_fake_driver_wrong_secret);
	tcase_add_test(tc, test_driver_skips_challenge);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (testlib_mkdtemp_try(test_root, sizeof test_root, "executor") != 0)
		return EXIT_FAILURE;
	sr = srunner_create(executor_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	testlib_rmtree(test_root);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
