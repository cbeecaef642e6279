/*
 * test_proc.c — real children in a real event loop: exit codes, env and
 * cwd, stdio files, exec failures, terminating whole process groups
 * (grandchildren included, SIGKILL after the grace period) and detach.
 *
 * Every wait runs the loop until its condition holds, under a generous
 * bound (testlib), so a broken proc.c fails a test instead of hanging it.
 */
#include "weft_config.h"

#include <check.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "common/proc.h"
#include "testlib.h"

#define WAIT_MS TESTLIB_WAIT_MS

static struct event_base *base;
static char tmpdir[256];
static pid_t stray_pids[8];
static int n_stray;

struct result {
	int calls;
	int status;
	struct proc *proc;
};

/* Never leave a sleeping process behind, even when a test fails: a failed
 * check _exits the test process without teardown, so waits check through
 * ck_assert_clean(), which kills first. */
static void kill_strays(void)
{
	int i;

	for (i = 0; i < n_stray; i++)
		kill(stray_pids[i], SIGKILL);
	n_stray = 0;
}

#define ck_assert_clean(expr)                                                                      \
	do {                                                                                       \
		bool ok_ = (expr);                                                                 \
		if (!ok_)                                                                          \
			kill_strays();                                                             \
		ck_assert_msg(ok_, "Assertion '%s' failed", #expr);                                \
	} while (0)

static void setup(void)
{
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	proc_init(base);
	testlib_mkdtemp_into(tmpdir, sizeof tmpdir, "proc");
	umask(022);
	n_stray = 0;
#ifdef __linux__
	/* Orphaned grandchildren come back to us, so they are reaped (by
	 * proc's waitpid(-1) loop) and kill(pid, 0) sees them gone even where
	 * pid 1 does not reap. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
#endif
}

static void teardown(void)
{
	kill_strays();
	proc_shutdown();
	event_base_free(base);
	if (testlib_rmtree(tmpdir) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

static void exit_cb(struct proc *p, int status, void *arg)
{
	struct result *r = arg;

	ck_assert_ptr_eq(p, r->proc);
	ck_assert(!proc_running(p));
	r->calls++;
	r->status = status;
}

static void never_cb(struct proc *p, int status, void *arg)
{
	ck_abort_msg("exit callback ran after proc_detach");
}

/* ---------------- bounded waiting (testlib) ---------------- */

/* Run the loop until pred(arg) holds; false when timeout_ms passed first. */
static bool run_until(testlib_pred pred, void *arg, int timeout_ms)
{
	return testlib_loop_until(base, pred, arg, timeout_ms);
}

static bool exited(void *arg)
{
	return ((struct result *)arg)->calls > 0;
}

static bool no_children(void *arg)
{
	return proc_count() == 0;
}

/* A file exists and ends with a newline (fully written). */
static bool file_ready(void *arg)
{
	char buf[256];
	FILE *f = fopen(arg, "r");
	size_t n;

	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	return n > 0 && buf[n - 1] == '\n';
}

/* Alive and not a zombie. */
static bool pid_alive(pid_t pid)
{
	char path[64], buf[512], *close_paren;
	FILE *f;
	size_t n;

	if (kill(pid, 0) != 0)
		return false;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return true;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	return close_paren == NULL || close_paren[1] != ' ' || close_paren[2] != 'Z';
}

static bool pid_gone(void *arg)
{
	return !pid_alive(*(pid_t *)arg);
}

static char *tmp_path(const char *name)
{
	char *path;

	ck_assert_int_gt(asprintf(&path, "%s/%s", tmpdir, name), 0);
	return path;
}

static char *read_file(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* Spawn a shell command; fail the test on error. */
static struct proc *spawn_command(struct proc_spec *spec, struct result *r)
{
	char *cause = NULL;

	r->proc = proc_spawn(spec, exit_cb, r, &cause);
	ck_assert_msg(r->proc != NULL, "proc_spawn: %s", cause ? cause : "");
	if (n_stray < (int)(sizeof stray_pids / sizeof stray_pids[0]))
		stray_pids[n_stray++] = -proc_pid(r->proc);
	return r->proc;
}

/* ---------------- tests ---------------- */

START_TEST(test_exit_code)
{
	struct proc_spec spec = {.command = "exit 3"};
	struct result r = {0};
	struct proc *p = spawn_command(&spec, &r);

	ck_assert_int_gt(proc_pid(p), 0);
	ck_assert(proc_running(p));
	ck_assert_int_eq(proc_count(), 1);
	ck_assert_clean(run_until(exited, &r, WAIT_MS));
	ck_assert_int_eq(r.calls, 1);
	ck_assert(WIFEXITED(r.status));
	ck_assert_int_eq(proc_exit_code(r.status), 3);
	ck_assert_int_eq(proc_count(), 0);
}
END_TEST

START_TEST(test_exit_code_signal_and_argv)
{
	char *argv[] = {"sh", "-c", "kill -9 $$", NULL};
	struct proc_spec spec = {.argv = argv};
	struct result r = {0};

	spawn_command(&spec, &r);
	ck_assert_clean(run_until(exited, &r, WAIT_MS));
	ck_assert(WIFSIGNALED(r.status));
	ck_assert_int_eq(proc_exit_code(r.status), 128 + SIGKILL);
}
END_TEST

START_TEST(test_exit_code_convention)
{
	ck_assert_int_eq(proc_exit_code(0), 0);
	ck_assert_int_eq(proc_exit_code(1 << 8), 1);
	ck_assert_int_eq(proc_exit_code(255 << 8), 255);
	ck_assert_int_eq(proc_exit_code(SIGTERM), 143);
}
END_TEST

START_TEST(test_many_children)
{
	struct result r[5];
	struct proc_spec spec = {.command = "exit 7"};
	int i;

	memset(r, 0, sizeof r);
	for (i = 0; i < 5; i++)
		spawn_command(&spec, &r[i]);
	ck_assert_int_eq(proc_count(), 5);
	ck_assert_clean(run_until(no_children, NULL, WAIT_MS));
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(r[i].calls, 1);
		ck_assert_int_eq(proc_exit_code(r[i].status), 7);
	}
}
END_TEST

START_TEST(test_env_and_cwd)
{
	char *env[] = {"FOO=bar baz", "PATH=/usr/bin:/bin", NULL};
	char *out = tmp_path("out"), real[PATH_MAX], *expect;
	struct proc_spec spec = {
	        .command = "printf '%s|%s|%s' \"$FOO\" \"$(pwd -P)\" \"${HOME-unset}\" > out",
	        .env = env,
	        .cwd = tmpdir,
	};
	struct result r = {0};

	spawn_command(&spec, &r);
	ck_assert_clean(run_until(exited, &r, WAIT_MS));
	ck_assert_int_eq(proc_exit_code(r.status), 0);
	ck_assert_ptr_nonnull(realpath(tmpdir, real));
	ck_assert_int_gt(asprintf(&expect, "bar baz|%s|unset", real), 0);
	ck_assert_str_eq(read_file(out), expect);
	free(expect);
	free(out);
}
END_TEST

START_TEST(test_argv_with_env_uses_path)
{
	char *argv[] = {"env", NULL};
	char *env[] = {"ONLY=this", NULL};
	char *out = tmp_path("env.out");
	struct proc_spec spec = {.argv = argv, .env = env, .stdout_path = out};
	struct result r = {0};

	spawn_command(&spec, &r);
	ck_assert_clean(run_until(exited, &r, WAIT_MS));
	ck_assert_int_eq(proc_exit_code(r.status), 0);
	ck_assert_str_eq(read_file(out), "ONLY=this\n");
	free(out);
}
END_TEST

START_TEST(test_stdio_files)
{
	char *out = tmp_path("stdout"), *err = tmp_path("stderr"), *in = tmp_path("stdin");
	struct proc_spec spec = {
	        .command = "echo out; echo err >&2; cat",
	        .stdout_path = out,
	        .stderr_path = err,
	        .stdin_path = in,
	};
	struct result r = {0}, r2 = {0};
	struct stat st;
	FILE *f = fopen(in, "w");

	fputs("from stdin\n", f);
	fclose(f);
	spawn_command(&spec, &r);
	ck_assert_clean(run_until(exited, &r, WAIT_MS));
	ck_assert_str_eq(read_file(out), "out\nfrom stdin\n");
	ck_assert_str_eq(read_file(err), "err\n");
	ck_assert_int_eq(stat(out, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);

	/* A second run appends. */
	spec.stdin_path = NULL; /* /dev/null: cat ends at once */
	spawn_command(&spec, &r2);
	ck_assert_clean(run_until(exited, &r2, WAIT_MS));
	ck_assert_str_eq(read_file(out), "out\nfrom stdin\nout\n");
	ck_assert_str_eq(read_file(err), "err\nerr\n");
	free(out);
	free(err);
	free(in);
}
END_TEST

START_TEST(test_exec_failure)
{
	char *argv[] = {"weft-no-such-program-for-tests", NULL};
	struct proc_spec spec = {.argv = argv};
	char *cause = NULL;

	ck_assert_ptr_null(proc_spawn(&spec, exit_cb, NULL, &cause));
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, "exec weft-no-such-program-for-tests: No such file or directory");
	ck_assert_int_eq(proc_count(), 0);
	free(cause);

	/* Nothing is left to reap: the failed child was collected at once. */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}
END_TEST

START_TEST(test_exec_not_executable)
{
	char *path = tmp_path("script");
	char *argv[] = {path, NULL};
	struct proc_spec spec = {.argv = argv};
	char *cause = NULL, *expect;
	FILE *f = fopen(path, "w");

	fputs("#!/bin/sh\nexit 0\n", f);
	fclose(f);
	chmod(path, 0644);
	/* Without any x bit even root gets EACCES. */
	ck_assert_ptr_null(proc_spawn(&spec, exit_cb, NULL, &cause));
	ck_assert_int_gt(asprintf(&expect, "exec %s: Permission denied", path), 0);
	ck_assert_str_eq(cause, expect);
	free(expect);
	free(cause);
	free(path);
}
END_TEST

START_TEST(test_cwd_and_stdio_failures)
{
	struct proc_spec spec = {.command = "true", .cwd = "/nonexistent-weft-dir"};
	char *cause = NULL, *bad = tmp_path("no/such/dir/stdout");

	ck_assert_ptr_null(proc_spawn(&spec, exit_cb, NULL, &cause));
	ck_assert_str_eq(cause, "chdir /nonexistent-weft-dir: No such file or directory");
	free(cause);

	cause = NULL;
	spec.cwd = NULL;
	spec.stdout_path = bad;
	ck_assert_ptr_null(proc_spawn(&spec, exit_cb, NULL, &cause));
	ck_assert_ptr_nonnull(strstr(cause, bad));
	ck_assert_ptr_nonnull(strstr(cause, "No such file or directory"));
	free(cause);

	cause = NULL;
	ck_assert_ptr_null(proc_spawn(NULL, exit_cb, NULL, &cause));
	ck_assert_ptr_nonnull(cause);
	free(cause);
	ck_assert_int_eq(proc_count(), 0);
	free(bad);
}
END_TEST

START_TEST(test_signals_reset)
{
	struct proc_spec spec = {.command = "kill -PIPE $$; exit 0"};
	struct proc_spec spec2 = {.command = "kill -USR1 $$; exit 0"};
	struct result r = {0}, r2 = {0};
	sigset_t usr1, old;

	/* Daemons ignore SIGPIPE and may block signals; children must not
	 * inherit either. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	spawn_command(&spec, &r);
	spawn_command(&spec2, &r2);
	sigprocmask(SIG_SETMASK, &old, NULL);
	ck_assert_clean(run_until(no_children, NULL, WAIT_MS));
	ck_assert_int_eq(proc_exit_code(r.status), 128 + SIGPIPE);
	ck_assert_int_eq(proc_exit_code(r2.status), 128 + SIGUSR1);
}
END_TEST

START_TEST(test_own_process_group)
{
	char *out = tmp_path("pgid");
	struct proc_spec spec = {.command = "ps -o pgid= -p $$ > pgid 2>/dev/null || "
	                                    "cut -d' ' -f5 /proc/$$/stat > pgid",
	                         .cwd = tmpdir};
	struct result r = {0};
	struct proc *p = spawn_command(&spec, &r);
	pid_t pid = proc_pid(p);

	/* Both sides set the group, so it is the child's at once. */
	ck_assert_int_eq(getpgid(pid), pid);
	ck_assert_clean(run_until(exited, &r, WAIT_MS));
	ck_assert_int_eq(atol(read_file(out)), pid);
	free(out);
}
END_TEST

START_TEST(test_terminate_kills_grandchild)
{
	char *gc_file = tmp_path("gc.pid");
	/* The grandchild ignores SIGTERM and outlives its parent unless the
	 * whole group is SIGKILLed when the grace period ends. */
	struct proc_spec spec = {
	        /* The grandchild writes its pid once it ignores SIGTERM: a
	         * TERM sent before its trap would kill it early. */
	        .command = "sh -c 'trap \"\" TERM; echo $$ > gc.pid; exec sleep 100' & sleep 100",
	        .cwd = tmpdir,
	};
	struct result r = {0};
	struct proc *p = spawn_command(&spec, &r);
	pid_t gc;

	ck_assert_clean(run_until(file_ready, gc_file, WAIT_MS));
	gc = (pid_t)atol(read_file(gc_file));
	ck_assert_int_gt(gc, 0);
	stray_pids[n_stray++] = gc;
	ck_assert(pid_alive(gc));

	proc_terminate(p, 1500); /* the leader dies of SIGTERM at once */
	ck_assert_clean(run_until(exited, &r, WAIT_MS));
	ck_assert_int_eq(proc_exit_code(r.status), 128 + SIGTERM);
	/* The rest of the group keeps its grace period (an AM behind a
	 * shell stops cleanly)... */
	ck_assert_clean(pid_alive(gc));
	/* ...but must not survive its end. */
	ck_assert_clean(run_until(pid_gone, &gc, WAIT_MS));
	free(gc_file);
}
END_TEST

/* A session leader's descendants in process groups of their own (as an
 * executor's tasks are) are terminated with it... */
START_TEST(test_session_terminate_reaches_other_groups)
{
	char *gc_file = tmp_path("gc.pid");
	/* perl setpgrp: the background job gets a process group of its own. */
	struct proc_spec spec = {
	        .command = "perl -e 'setpgrp(0, 0); exec @ARGV' sleep 100 & echo $! > gc.pid; wait",
	        .cwd = tmpdir,
	        .new_session = true,
	};
	struct result r = {0};
	struct proc *p = spawn_command(&spec, &r);
	pid_t gc;

	ck_assert_clean(run_until(file_ready, gc_file, WAIT_MS));
	gc = (pid_t)atol(read_file(gc_file));
	stray_pids[n_stray++] = gc;
	ck_assert(pid_alive(gc));
	ck_assert_int_eq(getsid(gc), proc_pid(p));
	proc_terminate(p, 5000);
	ck_assert_clean(run_until(exited, &r, WAIT_MS));
	ck_assert_clean(run_until(pid_gone, &gc, WAIT_MS));
	free(gc_file);
}
END_TEST

/* ...and do not outlive a leader that exits by itself. */
START_TEST(test_session_leader_exit_ends_session)
{
	char *gc_file = tmp_path("gc.pid");
	struct proc_spec spec = {
	        .command =
	                "perl -e 'setpgrp(0, 0); exec @ARGV' sleep 100 & echo $! > gc.pid; exit 0",
	        .cwd = tmpdir,
	        .new_session = true,
	};
	struct result r = {0};
	pid_t gc;

	spawn_command(&spec, &r);
	ck_assert_clean(run_until(exited, &r, WAIT_MS));
	gc = (pid_t)atol(read_file(gc_file));
	ck_assert_int_gt(gc, 0);
	stray_pids[n_stray++] = gc;
	ck_assert_clean(run_until(pid_gone, &gc, WAIT_MS));
	free(gc_file);
}
END_TEST

START_TEST(test_terminate_sleep_group)
{
	char *gc_file = tmp_path("gc.pid");
	struct proc_spec spec = {
	        .command = "sleep 100 & echo $! > gc.pid; sleep 100",
	        .cwd = tmpdir,
	};
	struct result r = {0};
	struct proc *p = spawn_command(&spec, &r);
	pid_t gc;

	ck_assert_clean(run_until(file_ready, gc_file, WAIT_MS));
	gc = (pid_t)atol(read_file(gc_file));
	stray_pids[n_stray++] = gc;
	ck_assert(pid_alive(gc));
	proc_terminate(p, 5000);
	ck_assert_clean(run_until(exited, &r, WAIT_MS));
	ck_assert_clean(run_until(pid_gone, &gc, WAIT_MS));
	free(gc_file);
}
END_TEST

START_TEST(test_terminate_sigkill_after_grace)
{
	char *ready = tmp_path("ready");
	struct proc_spec spec = {
	        .command = "trap '' TERM; echo ready > ready; while :; do sleep 0.05; done",
	        .cwd = tmpdir,
	};
	struct result r = {0};
	struct proc *p = spawn_command(&spec, &r);
	long long began;

	ck_assert_clean(run_until(file_ready, ready, WAIT_MS));
	began = testlib_now_ms();
	proc_terminate(p, 300);
	ck_assert_clean(run_until(exited, &r, WAIT_MS));
	/* SIGKILL, and not before the 300 ms grace. */
	ck_assert_int_eq(proc_exit_code(r.status), 128 + SIGKILL);
	ck_assert_int_ge(testlib_now_ms() - began, 250);
	free(ready);
}
END_TEST

START_TEST(test_terminate_zero_grace)
{
	struct proc_spec spec = {.command = "trap '' TERM; sleep 100"};
	struct result r = {0};
	struct proc *p = spawn_command(&spec, &r);

	proc_terminate(p, 0);
	ck_assert_clean(run_until(exited, &r, WAIT_MS));
	ck_assert_int_eq(proc_exit_code(r.status), 128 + SIGKILL);
}
END_TEST

START_TEST(test_signal_group)
{
	struct proc_spec spec = {.command = "sleep 100"};
	struct result r = {0};
	struct proc *p = spawn_command(&spec, &r);

	proc_signal(p, SIGUSR1);
	ck_assert_clean(run_until(exited, &r, WAIT_MS));
	ck_assert_int_eq(proc_exit_code(r.status), 128 + SIGUSR1);
}
END_TEST

START_TEST(test_detach)
{
	struct proc_spec spec = {.command = "sleep 0.2"};
	char *cause = NULL;
	struct proc *p = proc_spawn(&spec, never_cb, NULL, &cause);

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(proc_count(), 1);
	proc_detach(p);
	/* Still reaped (and freed: the leak checker would say otherwise). */
	ck_assert_clean(run_until(no_children, NULL, WAIT_MS));
}
END_TEST

START_TEST(test_detach_then_terminate)
{
	struct proc_spec spec = {.command = "trap '' TERM; sleep 100"};
	char *cause = NULL;
	struct proc *p = proc_spawn(&spec, never_cb, NULL, &cause);

	ck_assert_ptr_nonnull(p);
	stray_pids[n_stray++] = -proc_pid(p);
	proc_terminate(p, 100);
	proc_detach(p);
	ck_assert_clean(run_until(no_children, NULL, WAIT_MS));
}
END_TEST

static Suite *proc_suite(void)
{
	Suite *s = suite_create("proc");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_exit_code);
	tcase_add_test(tc, test_exit_code_signal_and_argv);
	tcase_add_test(tc, test_exit_code_convention);
	tcase_add_test(tc, test_many_children);
	tcase_add_test(tc, test_env_and_cwd);
	tcase_add_test(tc, test_argv_with_env_uses_path);
	tcase_add_test(tc, test_stdio_files);
	tcase_add_test(tc, test_exec_failure);
	tcase_add_test(tc, test_exec_not_executable);
	tcase_add_test(tc, test_cwd_and_stdio_failures);
	tcase_add_test(tc, test_signals_reset);
	tcase_add_test(tc, test_own_process_group);
	tcase_add_test(tc, test_terminate_kills_grandchild);
	tcase_add_test(tc, test_terminate_sleep_group);
	tcase_add_test(tc, test_session_terminate_reaches_other_groups);
	tcase_add_test(tc, test_session_leader_exit_ends_session);
	tcase_add_test(tc, test_terminate_sigkill_after_grace);
	tcase_add_test(tc, test_terminate_zero_grace);
	tcase_add_test(tc, test_signal_group);
	tcase_add_test(tc, test_detach);
	tcase_add_test(tc, test_detach_then_terminate);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
