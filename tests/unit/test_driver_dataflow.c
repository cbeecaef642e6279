/*
 * test_driver_dataflow.c — dataflow jobs through the whole driver in this
 * process with real weft-executor processes on loopback (no NM: every
 * executor says it is on the same node, so shuffle reads are local).
 *
 * Word count (collect, with a combiner, compared with sort | uniq -c),
 * save (part files, _SUCCESS, nothing left on failure), sort-by-key
 * (total order), join (against the expected pairs), persist (a second
 * action reads the blocks instead of running the map again), a task that
 * always fails (its stderr in the diagnostics), a text input split at
 * odd sizes (every line once), speculation of a slow task, and the
 * status JSON.
 */
#include "weft_config.h"

#include <check.h>
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

#include "common/http_server.h"
#include "common/log.h"
#include "common/proc.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "driver/driver.h"
#include "weft/protocol.h"
#include "testlib.h"

#define SECRET        "0123456789abcdef0123456789abcdef"
#define MAX_EXECUTORS 4

extern char **environ;

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
	char *exec_dirs[MAX_EXECUTORS];
	int n_execs;
	char *dir;   /* this test's files */
	char *local; /* the executors' LOCAL_DIRS */
};

static struct ctx C;
static char test_root[256];

static void done_cb(struct driver *d, bool succeeded, const char *diagnostics, void *arg)
{
	C.done = true;
	C.succeeded = succeeded;
	C.diagnostics = xstrdup(diagnostics != NULL ? diagnostics : "");
}

static void dump_logs(void *arg);

static void setup_with(bool speculation)
{
	struct driver_options opts;
	char *cause = NULL;

	memset(&C, 0, sizeof C);
	log_open("test_driver_dataflow", LOG_LEVEL_WARN, NULL);
	C.base = event_base_new();
	proc_init(C.base);
	C.out = open_memstream(&C.out_buf, &C.out_len);
	C.dir = testlib_mkdtemp_below(test_root, "t");
	C.local = xasprintf("%s/local", C.dir);
	ck_assert_int_eq(mkdir(C.local, 0700), 0);
	memset(&opts, 0, sizeof opts);
	opts.bind_host = "127.0.0.1";
	opts.app_secret = SECRET;
	opts.max_task_failures = 4;
	opts.speculation = speculation;
	opts.out = C.out;
	C.d = driver_new(C.base, &opts, NULL, done_cb, &C, &cause);
	ck_assert_msg(C.d != NULL, "driver_new: %s", cause);
	testlib_set_timeout_hook(dump_logs, NULL);
}

static void setup(void)
{
	setup_with(false);
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
		fprintf(stderr, "---- executor %d log\n", i);
		while (f != NULL && fgets(line, sizeof line, f) != NULL)
			fputs(line, stderr);
		if (f != NULL)
			fclose(f);
		free(path);
	}
}

static void run_until(testlib_pred pred, int ms, const char *what)
{
	testlib_run_until(C.base, pred, NULL, ms, what);
}

static bool job_done(void *arg)
{
	return C.done;
}

static bool all_exited(void *arg)
{
	int i;

	for (i = 0; i < C.n_execs; i++)
		if (!C.exec_exited[i])
			return false;
	return true;
}

static int want_count;
static bool count_reached(void *arg)
{
	return driver_executor_count(C.d) == want_count;
}

static void teardown(void)
{
	int i;

	if (C.d != NULL)
		driver_free(C.d);
	for (i = 0; i < C.n_execs; i++)
		if (!C.exec_exited[i])
			kill(C.exec_pids[i], SIGKILL);
	if (C.n_execs > 0)
		run_until(all_exited, TESTLIB_WAIT_MS, "executors to exit");
	for (i = 0; i < C.n_execs; i++)
		free(C.exec_dirs[i]);
	testlib_rmtree(C.dir);
	fclose(C.out);
	free(C.out_buf);
	free(C.diagnostics);
	free(C.dir);
	free(C.local);
	event_base_free(C.base);
}

static void exec_exit_cb(struct proc *p, int status, void *arg)
{
	int i = (int)(intptr_t)arg;

	C.exec_exited[i] = true;
	C.execs[i] = NULL;
}

/* Start an executor on node (NM_HOST:NM_PORT) with the test's local dir. */
static void spawn_executor(const char *id, int cores, const char *node_port)
{
	const char *dir = getenv("WEFT_BUILDDIR");
	char *argv[8], **env, *cause = NULL, *binary, *path, cores_text[16];
	struct proc_spec spec;
	size_t n = 0, i;
	int index = C.n_execs;

	path = xasprintf("%s/weft-executor", dir != NULL && *dir != '\0' ? dir : ".");
	binary = realpath(path, NULL);
	ck_assert_msg(binary != NULL, "%s: %s", path, strerror(errno));
	free(path);
	C.exec_dirs[index] = xasprintf("%s/exec-%s", C.dir, id);
	ck_assert_int_eq(mkdir(C.exec_dirs[index], 0700), 0);
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
	env = xcalloc(i + 8, sizeof *env);
	for (i = 0; environ[i] != NULL; i++)
		if (strncmp(environ[i], "WEFT_", 5) != 0 && strncmp(environ[i], "NM_", 3) != 0 &&
		    strncmp(environ[i], "LOCAL_DIRS=", 11) != 0)
			env[n++] = environ[i];
	env[n++] = xasprintf("WEFT_APP_SECRET=%s", SECRET);
	env[n++] = xstrdup("NM_HOST=127.0.0.1");
	env[n++] = xasprintf("NM_PORT=%s", node_port);
	env[n++] = xasprintf("LOCAL_DIRS=%s", C.local);
	env[n++] = xstrdup("APPLICATION_ID=application_1700000000000_0001");
	env[n] = NULL;
	memset(&spec, 0, sizeof spec);
	spec.argv = argv;
	spec.env = env;
	spec.cwd = C.exec_dirs[index];
	spec.stderr_path = xasprintf("%s/executor.log", C.exec_dirs[index]);
	C.execs[index] = proc_spawn(&spec, exec_exit_cb, (void *)(intptr_t)index, &cause);
	ck_assert_msg(C.execs[index] != NULL, "spawn: %s", cause);
	C.exec_pids[index] = proc_pid(C.execs[index]);
	C.n_execs++;
	free((char *)spec.stderr_path);
	for (i = n - 5; i < n; i++)
		free(env[i]);
	free(env);
	free(binary);
}

static void start_executors(int n, int cores)
{
	char id[8];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(id, sizeof id, "%d", i + 1);
		spawn_executor(id, cores, "1");
	}
	want_count = n;
	run_until(count_reached, TESTLIB_WAIT_MS, "executors to register");
}

/* Write a file under the test's directory.  RET its path. */
static char *write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", C.dir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Run a job given as JSON text (with %s for the test directory). */
static void run_job_text(const char *fmt)
{
	char *text, *cause = NULL;
	struct json_object *job;
	const char *p;
	size_t n = 0;

	for (p = fmt; (p = strstr(p, "%s")) != NULL; p += 2)
		n++;
	ck_assert_int_le(n, 4);
	text = xasprintf(fmt, C.dir, C.dir, C.dir, C.dir);
	job = json_tokener_parse(text);
	ck_assert_msg(job != NULL, "bad JSON: %s", text);
	ck_assert_msg(driver_validate_job(job, &cause) == 0, "validate: %s", cause);
	ck_assert_msg(driver_run(C.d, job, &cause) == 0, "driver_run: %s", cause);
	json_object_put(job);
	free(text);
	run_until(job_done, 60000, "the job to end");
}

static const char *output(void)
{
	fflush(C.out);
	return C.out_buf != NULL ? C.out_buf : "";
}

/* Run a shell pipeline and return its stdout (caller frees). */
static char *shell(const char *fmt, ...)
{
	char *cmd, *buf = NULL;
	size_t len = 0;
	va_list ap;
	FILE *p, *m = open_memstream(&buf, &len);
	int c;

	va_start(ap, fmt);
	cmd = xvasprintf(fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while ((c = fgetc(p)) != EOF)
		fputc(c, m);
	pclose(p);
	fclose(m);
	free(cmd);
	return buf;
}

/* The driver's output sorted (partitions come in any key order). */
static char *sorted_output(void)
{
	char *path = write_file("out.txt", output()), *r;

	r = shell("LC_ALL=C sort '%s'", path);
	free(path);
	return r;
}

/* A corpus of n lines of words. */
static char *make_corpus(const char *name, int lines)
{
	static const char *const words[] = {"alpha", "beta", "gamma", "delta", "epsilon", "the",
	                                    "a",     "of",   "weft",  "yarn",  "spark",   "hadoop"};
	char *path = xasprintf("%s/%s", C.dir, name);
	FILE *f = fopen(path, "w");
	unsigned seed = 42;
	int i, k, n;

	for (i = 0; i < lines; i++) {
		n = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 9;
		for (k = 0; k < n; k++)
			fprintf(f, "%s%s", k ? " " : "",
			        words[((seed = seed * 1103515245u + 12345u) >> 16) % 12]);
		fputc('\n', f);
	}
	fclose(f);
	return path;
}

#define WC_MAP    "tr -s ' ' '\\\\n' | awk 'NF { print $0 \\\"\\\\t1\\\" }'"
#define WC_REDUCE "awk -F '\\\\t' '{ c[$1] += $2 } END { for (k in c) print k \\\"\\\\t\\\" c[k] }'"

START_TEST(test_wordcount_collect)
{
	char *corpus, *expected, *got;

	corpus = make_corpus("corpus.txt", 3000);
	start_executors(2, 2);
	run_job_text("{\"kind\":\"dataflow\",\"datasets\":{"
	             "\"lines\":{\"op\":\"text\",\"input\":\"%s/corpus.txt\",\"split-size\":7000},"
	             "\"words\":{\"op\":\"map\",\"parent\":\"lines\",\"command\":\"" WC_MAP "\"},"
	             "\"counts\":{\"op\":\"reduce-by-key\",\"parent\":\"words\",\"partitions\":3,"
	             "\"combine\":\"" WC_REDUCE "\",\"command\":\"" WC_REDUCE "\"}},"
	             "\"actions\":[{\"op\":\"collect\",\"dataset\":\"counts\"}]}");
	ck_assert_msg(C.succeeded, "job failed: %s", C.diagnostics);
	expected = shell("tr -s ' ' '\\n' < '%s' | LC_ALL=C sort | uniq -c | "
	                 "awk '{ print $2 \"\\t\" $1 }' | LC_ALL=C sort",
	                 corpus);
	got = sorted_output();
	ck_assert_str_eq(got, expected);
	free(got);
	free(expected);
	free(corpus);
}
END_TEST

START_TEST(test_text_splits_every_line_once)
{
	char *corpus, *expected;

	/* Lines of many lengths, split at a size that cuts lines anywhere;
	 * no map: the records go straight to collect. */
	corpus = shell("awk 'BEGIN { for (i = 0; i < 500; i++) { s = \"\"; "
	               "for (k = 0; k < i %% 37; k++) s = s \"x\"; print i \" \" s } }' > "
	               "'%s/lines.txt'; printf 'last line without newline' >> '%s/lines.txt'",
	               C.dir, C.dir);
	free(corpus);
	start_executors(1, 2);
	run_job_text("{\"kind\":\"dataflow\",\"datasets\":{"
	             "\"l\":{\"op\":\"text\",\"input\":\"%s\",\"split-size\":97}},"
	             "\"actions\":[{\"op\":\"collect\",\"dataset\":\"l\"}]}");
	ck_assert_msg(C.succeeded, "job failed: %s", C.diagnostics);
	expected = shell("cat '%s/lines.txt'; echo", C.dir);
	ck_assert_str_eq(output(), expected);
	free(expected);
}
END_TEST

START_TEST(test_save_and_sort)
{
	char *corpus, *expected, *got, *success;
	struct stat st;

	corpus = shell("awk 'BEGIN { srand(7); for (i = 0; i < 4000; i++) "
	               "printf \"%%08d\\tv%%d\\n\", int(rand() * 100000000), i }' > '%s/nums.txt'",
	               C.dir);
	free(corpus);
	start_executors(2, 2);
	run_job_text("{\"kind\":\"dataflow\",\"datasets\":{"
	             "\"n\":{\"op\":\"text\",\"input\":\"%s/nums.txt\",\"split-size\":9000},"
	             "\"s\":{\"op\":\"sort-by-key\",\"parent\":\"n\",\"partitions\":4}},"
	             "\"actions\":[{\"op\":\"save\",\"dataset\":\"s\",\"path\":\"%s/sorted\"}]}");
	ck_assert_msg(C.succeeded, "job failed: %s", C.diagnostics);
	success = xasprintf("%s/sorted/_SUCCESS", C.dir);
	ck_assert_int_eq(stat(success, &st), 0);
	free(success);
	/* Part files concatenated in order are the whole input in key order. */
	got = shell("cat '%s'/sorted/part-0000[0-3] | cut -f1", C.dir);
	expected = shell("cut -f1 '%s/nums.txt' | LC_ALL=C sort", C.dir);
	ck_assert_str_eq(got, expected);
	free(got);
	free(expected);
	got = shell("ls -A '%s/sorted' | tr '\\n' ' '", C.dir);
	ck_assert_str_eq(got, "_SUCCESS part-00000 part-00001 part-00002 part-00003 ");
	free(got);
	/* No partition holds everything: the range bounds did their work. */
	got = shell("wc -l < '%s/sorted/part-00000'", C.dir);
	ck_assert_int_lt(atoi(got), 3000);
	free(got);
}
END_TEST

START_TEST(test_join)
{
	char *a, *b, *expected, *got;

	a = write_file("a.txt", "k1\tred\nk2\tgreen\nk3\tblue\nk2\tlime\nk9\tlonely\n");
	b = write_file("b.txt", "k2\t20\nk1\t10\nk3\t30\nk3\t31\nk7\tnone\n");
	start_executors(2, 1);
	run_job_text("{\"kind\":\"dataflow\",\"datasets\":{"
	             "\"a\":{\"op\":\"text\",\"input\":\"%s/a.txt\"},"
	             "\"b\":{\"op\":\"text\",\"input\":\"%s/b.txt\"},"
	             "\"j\":{\"op\":\"join\",\"parents\":[\"a\",\"b\"],\"partitions\":3}},"
	             "\"actions\":[{\"op\":\"collect\",\"dataset\":\"j\"}]}");
	ck_assert_msg(C.succeeded, "job failed: %s", C.diagnostics);
	expected = shell("cd '%s' && LC_ALL=C sort '%s' > a.s && LC_ALL=C sort '%s' > b.s && "
	                 "LC_ALL=C join -t \"$(printf '\\t')\" a.s b.s | LC_ALL=C sort",
	                 C.dir, a, b);
	got = sorted_output();
	ck_assert_str_eq(got, expected);
	ck_assert_str_eq(got, "k1\tred\t10\nk2\tgreen\t20\nk2\tlime\t20\nk3\tblue\t30\n"
	                      "k3\tblue\t31\n");
	free(got);
	free(expected);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_persist_reused)
{
	char *corpus, *runs, *first;

	corpus = make_corpus("corpus.txt", 400);
	start_executors(2, 2);
	/* The map appends a line to a file each time it runs: with persist,
	 * the second action reads the blocks back instead. */
	run_job_text(
	        "{\"kind\":\"dataflow\",\"datasets\":{"
	        "\"lines\":{\"op\":\"text\",\"input\":\"%s/corpus.txt\",\"split-size\":2000},"
	        "\"upper\":{\"op\":\"map\",\"parent\":\"lines\",\"persist\":true,"
	        "\"command\":\"echo run >> %s/runs; tr a-z A-Z\"},"
	        "\"first\":{\"op\":\"map\",\"parent\":\"upper\",\"command\":\"cut -d' ' -f1\"}},"
	        "\"actions\":[{\"op\":\"collect\",\"dataset\":\"upper\"},"
	        "{\"op\":\"collect\",\"dataset\":\"first\"}]}");
	ck_assert_msg(C.succeeded, "job failed: %s", C.diagnostics);
	runs = shell("wc -l < '%s/runs'", C.dir);
	first = shell("tr a-z A-Z < '%s'; tr a-z A-Z < '%s' | cut -d' ' -f1", corpus, corpus);
	ck_assert_str_eq(output(), first);
	/* One run per split, not two. */
	{
		char *splits = shell("n=$(wc -c < '%s'); echo $(( (n + 1999) / 2000 ))", corpus);

		ck_assert_int_eq(atoi(runs), atoi(splits));
		free(splits);
	}
	free(first);
	free(runs);
	free(corpus);
}
END_TEST

START_TEST(test_failing_task_and_no_half_output)
{
	char *in, *left;

	in = write_file("in.txt", "a\nb\nc\nd\n");
	free(in);
	start_executors(2, 1);
	run_job_text("{\"kind\":\"dataflow\",\"datasets\":{"
	             "\"l\":{\"op\":\"text\",\"input\":\"%s/in.txt\",\"split-size\":4},"
	             "\"m\":{\"op\":\"map\",\"parent\":\"l\",\"command\":"
	             "\"if grep -q c; then echo doomed-partition >&2; exit 3; fi; echo ok\"}},"
	             "\"actions\":[{\"op\":\"save\",\"dataset\":\"m\",\"path\":\"%s/out\"}]}");
	ck_assert(!C.succeeded);
	ck_assert_msg(strstr(C.diagnostics, "doomed-partition") != NULL, "diagnostics: %s",
	              C.diagnostics);
	ck_assert_msg(strstr(C.diagnostics, "failed 4 times") != NULL, "diagnostics: %s",
	              C.diagnostics);
	/* Neither the output nor its staging directory is left. */
	left = shell("ls -A '%s' | grep -c out", C.dir);
	ck_assert_int_eq(atoi(left), 0);
	free(left);
}
END_TEST

START_TEST(test_speculation_of_a_slow_task)
{
	char *in;
	struct json_object *st, *job, *stages, *stage, *v;

	teardown();
	setup_with(true);
	in = write_file("in.txt", "0\n1\n2\n3\n4\n5\n6\n7\n");
	free(in);
	start_executors(2, 4);
	/* The first attempt of the task that reads "5" hangs: its copy,
	 * launched after 1.5 x the median, finishes the job. */
	run_job_text("{\"kind\":\"dataflow\",\"datasets\":{"
	             "\"l\":{\"op\":\"text\",\"input\":\"%s/in.txt\",\"split-size\":2},"
	             "\"m\":{\"op\":\"map\",\"parent\":\"l\",\"command\":"
	             "\"while read x; do if [ $x = 5 ] && [ $WEFT_TASK_ATTEMPT = 0 ]; then "
	             "sleep 60; fi; echo $x; done\"}},"
	             "\"actions\":[{\"op\":\"collect\",\"dataset\":\"m\"}]}");
	ck_assert_msg(C.succeeded, "job failed: %s", C.diagnostics);
	ck_assert_str_eq(output(), "0\n1\n2\n3\n4\n5\n6\n7\n");
	st = driver_status(C.d);
	ck_assert(json_object_object_get_ex(st, "job", &job));
	ck_assert(json_object_object_get_ex(job, "stages", &stages));
	stage = json_object_array_get_idx(stages, 0);
	ck_assert(json_object_object_get_ex(stage, "numSpeculativeTasks", &v));
	ck_assert_int_eq(json_object_get_int(v), 1);
	json_object_put(st);
}
END_TEST

START_TEST(test_status_json)
{
	char *in;
	struct json_object *st, *v, *job, *jobs;

	in = write_file("in.txt", "x\ty\n");
	free(in);
	start_executors(1, 1);
	ck_assert_ptr_nonnull(driver_status_url(C.d));
	ck_assert(strncmp(driver_status_url(C.d), "http://127.0.0.1:", 17) == 0);
	run_job_text("{\"kind\":\"dataflow\",\"name\":\"tiny\",\"datasets\":{"
	             "\"l\":{\"op\":\"text\",\"input\":\"%s/in.txt\"},"
	             "\"r\":{\"op\":\"reduce-by-key\",\"parent\":\"l\"}},"
	             "\"actions\":[{\"op\":\"collect\",\"dataset\":\"r\"}]}");
	ck_assert_msg(C.succeeded, "job failed: %s", C.diagnostics);
	ck_assert_str_eq(output(), "x\ty\n");
	st = driver_status(C.d);
	ck_assert(json_object_object_get_ex(st, "state", &v));
	ck_assert_str_eq(json_object_get_string(v), "SUCCEEDED");
	ck_assert(json_object_object_get_ex(st, "job", &job));
	ck_assert(json_object_object_get_ex(job, "jobs", &jobs));
	ck_assert_int_eq((int)json_object_array_length(jobs), 1);
	ck_assert(json_object_object_get_ex(job, "stages", &v));
	ck_assert_int_eq((int)json_object_array_length(v), 2);
	json_object_put(st);
}
END_TEST

/* The test's web server: a text file, from the offset a Range header
 * asks for (206) or whole (200). */
static void serve_text_cb(struct http_request *req, void *arg)
{
	const char *text = arg, *range = http_request_header(req, "Range");
	size_t off = 0;

	if (range != NULL && strncmp(range, "bytes=", 6) == 0) {
		off = (size_t)atol(range + 6);
		if (off > strlen(text))
			off = strlen(text);
		http_reply_add_header(req, "Accept-Ranges", "bytes");
		http_reply_data(req, 206, "text/plain", text + off, strlen(text) - off);
		return;
	}
	http_reply_data(req, 200, "text/plain", text, strlen(text));
}

/* The same without Range support. */
static void serve_whole_cb(struct http_request *req, void *arg)
{
	const char *text = arg;

	http_reply_data(req, 200, "text/plain", text, strlen(text));
}

START_TEST(test_http_input)
{
	static const char text[] = "b\t2\na\t1\nb\t3\nc\t9\nlonger-key\t1\nd\t4\ne\t5";
	struct http_server *srv = http_server_new(C.base, 4096);
	struct json_object *st, *job_status, *stages, *stage, *v;
	char *cause = NULL, *job;

	ck_assert_msg(http_server_bind(srv, "127.0.0.1:0", &cause) == 0, "%s", cause);
	http_server_route(srv, HTTP_M_GET, "/data/records.txt", 0, serve_text_cb, (void *)text);
	http_server_route(srv, HTTP_M_GET, "/data/whole.txt", 0, serve_whole_cb, (void *)text);
	start_executors(2, 1);
	/* Both URLs are cut into 7-byte splits (their sizes come from HEAD):
	 * one server honours Range, the other sends everything each time. */
	job = xasprintf("{\"kind\":\"dataflow\",\"datasets\":{"
	                "\"u\":{\"op\":\"text\",\"split-size\":7,\"input\":["
	                "\"http://127.0.0.1:%d/data/records.txt\","
	                "\"http://127.0.0.1:%d/data/whole.txt\"]},"
	                "\"r\":{\"op\":\"reduce-by-key\",\"parent\":\"u\",\"partitions\":1}},"
	                "\"actions\":[{\"op\":\"collect\",\"dataset\":\"r\"}]}",
	                http_server_port(srv), http_server_port(srv));
	run_job_text(job);
	ck_assert_msg(C.succeeded, "job failed: %s", C.diagnostics);
	/* Every line once per URL, sorted by key (stable); the last lines
	 * got their newline. */
	ck_assert_str_eq(output(), "a\t1\na\t1\nb\t2\nb\t3\nb\t2\nb\t3\nc\t9\nc\t9\n"
	                           "d\t4\nd\t4\ne\t5\ne\t5\nlonger-key\t1\nlonger-key\t1\n");
	/* 36 bytes in 7-byte splits: 6 map tasks per URL. */
	st = driver_status(C.d);
	ck_assert(json_object_object_get_ex(st, "job", &job_status));
	ck_assert(json_object_object_get_ex(job_status, "stages", &stages));
	stage = json_object_array_get_idx(stages, 0);
	ck_assert(json_object_object_get_ex(stage, "numTasks", &v));
	ck_assert_int_eq(json_object_get_int(v), 12);
	json_object_put(st);
	free(job);
	http_server_free(srv);
}
END_TEST

static Suite *dataflow_suite(void)
{
	Suite *s = suite_create("driver_dataflow");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_wordcount_collect);
	tcase_add_test(tc, test_text_splits_every_line_once);
	tcase_add_test(tc, test_save_and_sort);
	tcase_add_test(tc, test_join);
	tcase_add_test(tc, test_persist_reused);
	tcase_add_test(tc, test_failing_task_and_no_half_output);
	tcase_add_test(tc, test_speculation_of_a_slow_task);
	tcase_add_test(tc, test_status_json);
	tcase_add_test(tc, test_http_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (testlib_mkdtemp_try(test_root, sizeof test_root, "dataflow") != 0)
		return EXIT_FAILURE;
	sr = srunner_create(dataflow_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	testlib_rmtree(test_root);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
