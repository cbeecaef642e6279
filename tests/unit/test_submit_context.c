/*
 * test_submit_context.c — what weft-submit sends: the job (from --shell or
 * a JOBFILE, validated first), the AM command with every user word
 * shell-quoted (proved by running /bin/sh on it), YARN's exact
 * ApplicationSubmissionContext shape in both modes, and the helpers that
 * read the AM's logs back.
 */
#include "weft_config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/proto_app.h"
#include "common/xmalloc.h"
#include "submit/submit_args.h"
#include "submit/submit_context.h"
#include "submit/submit_job.h"
#include "submit/submit_logs.h"
#include "submit/submit_quote.h"
#include "testlib.h"

/* What /bin/sh makes of the quoted word: printf '%s' WORD. */
static char *through_shell(const char *word)
{
	char *quoted = submit_quote_shell(word);
	char *cmd = xasprintf("printf '%%s' %s", quoted);
	FILE *p = popen(cmd, "r");
	char *buf = xcalloc(1, 65536);
	size_t n;

	ck_assert_ptr_nonnull(p);
	n = fread(buf, 1, 65535, p);
	buf[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	free(cmd);
	free(quoted);
	return buf;
}

START_TEST(quoting_survives_the_shell)
{
	static const char *const awkward[] = {
	        "plain",
	        "",
	        "two words",
	        "it's",
	        "'",
	        "''",
	        "\"double\"",
	        "$HOME",
	        "${PATH}",
	        "`id`",
	        "$(id)",
	        "back\\slash",
	        "semi;colon && echo pwned",
	        "pipe | cat",
	        "glob*?[a]",
	        "~user",
	        "#comment",
	        "new\nline",
	        "tab\there",
	        "!bang",
	        "trailing\\",
	        "key=value with 'both' \"quotes\"",
	        "-D",
	        "\xc3\xa9t\xc3\xa9",
	        "[::1]:4040",
	};

	for (size_t i = 0; i < sizeof awkward / sizeof awkward[0]; i++) {
		char *got = through_shell(awkward[i]);
		ck_assert_msg(strcmp(got, awkward[i]) == 0, "'%s' came back as '%s'", awkward[i],
		              got);
		free(got);
	}
}
END_TEST

START_TEST(quoting_leaves_plain_words)
{
	char *q = submit_quote_shell("driver.port=4040");

	ck_assert_str_eq(q, "driver.port=4040");
	free(q);
	q = submit_quote_shell("10.0.0.5:4040");
	ck_assert_str_eq(q, "10.0.0.5:4040");
	free(q);
	q = submit_quote_shell("a b");
	ck_assert_str_eq(q, "'a b'");
	free(q);
	q = submit_quote_shell("it's");
	ck_assert_str_eq(q, "'it'\\''s'");
	free(q);
	q = submit_quote_shell("");
	ck_assert_str_eq(q, "''");
	free(q);
}
END_TEST

/* Arguments of a typical submission. */
static void base_args(struct submit_args *a, enum submit_mode mode)
{
	memset(a, 0, sizeof *a);
	a->mode = mode;
	a->num_executors = 3;
	a->executor_memory_mb = 2048;
	a->executor_cores = 2;
	a->driver_memory_mb = 1536;
	a->driver_cores = 2;
	a->tasks = 1;
}

/* A string at a path of nested objects. */
static const char *str_at(struct json_object *o, const char *const *path)
{
	for (; *path != NULL; path++) {
		struct json_object *next;
		ck_assert_msg(json_object_object_get_ex(o, *path, &next), "no %s", *path);
		o = next;
	}
	return json_object_get_string(o);
}

static int64_t int_at(struct json_object *o, const char *const *path)
{
	for (; *path != NULL; path++) {
		struct json_object *next;
		ck_assert_msg(json_object_object_get_ex(o, *path, &next), "no %s", *path);
		o = next;
	}
	ck_assert(json_object_is_type(o, json_type_int));
	return json_object_get_int64(o);
}

START_TEST(cluster_mode_context)
{
	struct submit_args a;
	struct submit_context ctx;
	struct json_object *root, *spec, *entries, *entry, *value, *v;
	static const char *confs[] = {"driver.task.max-failures=2", "driver.host=it's a \"host\""};

	base_args(&a, SUBMIT_MODE_CLUSTER);
	a.max_attempts = 3;
	a.confs = confs;
	a.n_confs = 2;
	memset(&ctx, 0, sizeof ctx);
	ctx.args = &a;
	ctx.app_id = "application_1700000000000_0007";
	ctx.name = "wordcount";
	ctx.queue = "default";
	ctx.secret = "s3cr3t";
	ctx.job_url = "/ws/v1/staging/application_1700000000000_0007/job.json";
	ctx.job_size = 57;
	ctx.job_timestamp = 1700000000123;
	ctx.am_memory_mb = 512;
	root = submit_context_build(&ctx);

	ck_assert_str_eq(str_at(root, (const char *[]){"application-id", NULL}),
	                 "application_1700000000000_0007");
	ck_assert_str_eq(str_at(root, (const char *[]){"application-name", NULL}), "wordcount");
	ck_assert_str_eq(str_at(root, (const char *[]){"queue", NULL}), "default");
	ck_assert_str_eq(str_at(root, (const char *[]){"application-type", NULL}), "WEFT");
	ck_assert_int_eq(int_at(root, (const char *[]){"max-app-attempts", NULL}), 3);
	/* Cluster mode: the AM hosts the driver, so it gets the driver's size. */
	ck_assert_int_eq(int_at(root, (const char *[]){"resource", "memory", NULL}), 1536);
	ck_assert_int_eq(int_at(root, (const char *[]){"resource", "vCores", NULL}), 2);

	ck_assert(json_object_object_get_ex(root, "am-container-spec", &spec));
	ck_assert(json_object_object_get_ex(spec, "local-resources", &v));
	ck_assert(json_object_object_get_ex(v, "entry", &entries));
	ck_assert_uint_eq(json_object_array_length(entries), 1);
	entry = json_object_array_get_idx(entries, 0);
	ck_assert_str_eq(str_at(entry, (const char *[]){"key", NULL}), "job.json");
	ck_assert(json_object_object_get_ex(entry, "value", &value));
	ck_assert_str_eq(str_at(value, (const char *[]){"resource", NULL}), ctx.job_url);
	ck_assert_str_eq(str_at(value, (const char *[]){"type", NULL}), "FILE");
	ck_assert_str_eq(str_at(value, (const char *[]){"visibility", NULL}), "APPLICATION");
	ck_assert_int_eq(int_at(value, (const char *[]){"size", NULL}), 57);
	ck_assert_int_eq(int_at(value, (const char *[]){"timestamp", NULL}), 1700000000123);

	ck_assert(json_object_object_get_ex(spec, "environment", &v));
	ck_assert(json_object_object_get_ex(v, "entry", &entries));
	ck_assert_uint_eq(json_object_array_length(entries), 1);
	entry = json_object_array_get_idx(entries, 0);
	ck_assert_str_eq(str_at(entry, (const char *[]){"key", NULL}), "WEFT_APP_SECRET");
	ck_assert_str_eq(str_at(entry, (const char *[]){"value", NULL}), "s3cr3t");

	ck_assert_str_eq(str_at(spec, (const char *[]){"commands", "command", NULL}),
	                 "exec \"$WEFT_LIBEXEC_DIR\"/weft-am --mode cluster --job job.json "
	                 "--num-executors 3 --executor-memory 2048 --executor-cores 2 "
	                 "-D driver.task.max-failures=2 "
	                 "-D 'driver.host=it'\\''s a \"host\"'");
	json_object_put(root);
}
END_TEST

START_TEST(client_mode_context)
{
	struct submit_args a;
	struct submit_context ctx;
	struct json_object *root, *spec, *v, *entries;
	char *cmd;

	base_args(&a, SUBMIT_MODE_CLIENT);
	memset(&ctx, 0, sizeof ctx);
	ctx.args = &a;
	ctx.app_id = "application_1700000000000_0008";
	ctx.name = "shell: hostname";
	ctx.queue = "q";
	ctx.secret = "abc";
	ctx.driver_address = "10.1.2.3:40404";
	ctx.am_memory_mb = 384;
	root = submit_context_build(&ctx);

	/* No max-app-attempts: the RM's rm.am.max-attempts applies. */
	ck_assert(!json_object_object_get_ex(root, "max-app-attempts", NULL));
	/* A thin AM: submit.am-memory-mb and one core. */
	ck_assert_int_eq(int_at(root, (const char *[]){"resource", "memory", NULL}), 384);
	ck_assert_int_eq(int_at(root, (const char *[]){"resource", "vCores", NULL}), 1);
	ck_assert(json_object_object_get_ex(root, "am-container-spec", &spec));
	ck_assert(json_object_object_get_ex(spec, "local-resources", &v));
	ck_assert(json_object_object_get_ex(v, "entry", &entries));
	ck_assert_uint_eq(json_object_array_length(entries), 0);
	ck_assert_str_eq(str_at(spec, (const char *[]){"commands", "command", NULL}),
	                 "exec \"$WEFT_LIBEXEC_DIR\"/weft-am --mode client --driver 10.1.2.3:40404 "
	                 "--num-executors 3 --executor-memory 2048 --executor-cores 2");
	json_object_put(root);

	/* An IPv6 driver address is quoted ([ ] are glob characters). */
	ctx.driver_address = "[fe80::1]:40404";
	cmd = submit_context_am_command(&ctx);
	ck_assert_ptr_nonnull(strstr(cmd, "--driver '[fe80::1]:40404' "));
	free(cmd);
}
END_TEST

START_TEST(am_command_runs_as_argv)
{
	/* The command the NM runs gives weft-am exactly the words we meant. */
	struct submit_args a;
	struct submit_context ctx;
	static const char *confs[] = {"driver.host=a b;c", "x='$(id)'"};
	char *cmd, *script, *got;
	FILE *p;

	base_args(&a, SUBMIT_MODE_CLIENT);
	a.confs = confs;
	a.n_confs = 2;
	memset(&ctx, 0, sizeof ctx);
	ctx.args = &a;
	ctx.driver_address = "h:1";
	cmd = submit_context_am_command(&ctx);
	/* weft-am replaced by a script that prints one argument per line. */
	script = xasprintf("WEFT_LIBEXEC_DIR=/x; weft_am() { for a in \"$@\"; do printf '[%%s]\\n' "
	                   "\"$a\"; done; }; %s",
	                   cmd + strlen("exec \"$WEFT_LIBEXEC_DIR\"/"));
	for (char *s = strstr(script, "weft-am --mode"); s != NULL; s = NULL)
		s[4] = '_';
	p = popen(script, "r");
	got = xcalloc(1, 4096);
	ck_assert_uint_gt(fread(got, 1, 4095, p), 0);
	pclose(p);
	ck_assert_str_eq(got, "[--mode]\n[client]\n[--driver]\n[h:1]\n[--num-executors]\n[3]\n"
	                      "[--executor-memory]\n[2048]\n[--executor-cores]\n[2]\n"
	                      "[-D]\n[driver.host=a b;c]\n[-D]\n[x='$(id)']\n");
	free(got);
	free(script);
	free(cmd);
}
END_TEST

START_TEST(job_from_shell)
{
	struct submit_job job;
	char *cause = NULL;
	struct json_object *parsed;

	ck_assert_int_eq(submit_job_from_shell("echo \"hi\" $WEFT_TASK_INDEX", 4, &job, &cause), 0);
	parsed = json_tokener_parse(job.text);
	ck_assert_ptr_nonnull(parsed);
	ck_assert_str_eq(str_at(parsed, (const char *[]){"kind", NULL}), "shell");
	ck_assert_str_eq(str_at(parsed, (const char *[]){"command", NULL}),
	                 "echo \"hi\" $WEFT_TASK_INDEX");
	ck_assert_int_eq(int_at(parsed, (const char *[]){"tasks", NULL}), 4);
	ck_assert_uint_eq(job.len, strlen(job.text));
	ck_assert_str_eq(job.name, "shell: echo \"hi\" $WEFT_TASK_INDEX");
	json_object_put(parsed);
	submit_job_clear(&job);

	/* Long or multi-line commands make a short one-line name. */
	ck_assert_int_eq(submit_job_from_shell("for i in 1 2 3\ndo echo $i; done; "
	                                       "echo and a lot more text after that",
	                                       1, &job, &cause),
	                 0);
	ck_assert_uint_eq(strlen(job.name), SUBMIT_JOB_NAME_MAX);
	ck_assert_ptr_null(strchr(job.name, '\n'));
	ck_assert_str_eq(job.name + SUBMIT_JOB_NAME_MAX - 3, "...");
	submit_job_clear(&job);

	/* The driver's own check runs: a blank command is refused. */
	ck_assert_int_eq(submit_job_from_shell("   ", 1, &job, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "--shell: command"));
	free(cause);
}
END_TEST

/* Write text to DIR/name; RET the path (caller frees). */
static char *write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

START_TEST(job_from_file)
{
	char dir[256];
	struct submit_job job;
	char *cause = NULL, *path;
	static const struct {
		const char *text, *needle;
	} bad[] = {
	        {"{\"kind\":\"shell\",\"command\":\"true\",\"tasks\":\"3\"}", "tasks"},
	        {"{\"kind\":\"shell\",\"command\":\"true\",\"tasks\":0}", "tasks"},
	        {"{\"kind\":\"shell\"}", "command"},
	        {"{\"kind\":\"teleport\",\"command\":\"x\"}", "kind"},
	        {"{\"kind\":\"shell\",\"command\":\"x\",\"extra\":1}", "extra"},
	        {"{\"kind\":\"shell\",", "malformed JSON"},
	        {"[1,2]", ""},
	        {"", ""},
	};

	testlib_mkdtemp_into(dir, sizeof dir, "submit-job");
	path = write_file(dir, "wordcount.json",
	                  "{\"kind\":\"shell\",\"command\":\"echo hi\",\"tasks\":2}\n");
	ck_assert_int_eq(submit_job_from_file(path, &job, &cause), 0);
	ck_assert_str_eq(job.name, "wordcount");
	ck_assert_str_eq(job.text, "{\"kind\":\"shell\",\"command\":\"echo hi\",\"tasks\":2}\n");
	ck_assert_uint_eq(job.len, strlen(job.text));
	submit_job_clear(&job);
	unlink(path);
	free(path);

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		path = write_file(dir, "bad.json", bad[i].text);
		ck_assert_msg(submit_job_from_file(path, &job, &cause) == -1, "%s accepted",
		              bad[i].text);
		ck_assert_msg(strncmp(cause, path, strlen(path)) == 0, "'%s' lacks the path",
		              cause);
		ck_assert_msg(strstr(cause, bad[i].needle) != NULL, "'%s' lacks '%s'", cause,
		              bad[i].needle);
		free(cause);
		unlink(path);
		free(path);
	}

	path = xasprintf("%s/missing.json", dir);
	ck_assert_int_eq(submit_job_from_file(path, &job, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "No such file"));
	free(cause);
	free(path);
	ck_assert_int_eq(submit_job_from_file(dir, &job, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "not a regular file"));
	free(cause);
	testlib_rmtree(dir);
}
END_TEST

/* submit_logs_last_attempt on an /appattempts answer, read as libweft
 * reads it.  RET its result (-1 also when the answer does not read). */
static int last_attempt_of(const char *text, char **cid, char **node, char **cause)
{
	struct json_object *body = json_tokener_parse(text), *list;
	struct weft_app_attempt a[8];
	int n, rc;

	*cause = NULL;
	list = body != NULL ? proto_app_attempts_unwrap(body, cause) : NULL;
	if (list == NULL) {
		if (*cause == NULL)
			*cause = xstrdup("not JSON");
		json_object_put(body);
		return -1;
	}
	n = (int)json_object_array_length(list);
	ck_assert_int_le(n, 8);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(
		        proto_app_attempt_decode(json_object_array_get_idx(list, (size_t)i), "a",
		                                 &a[i], NULL),
		        0);
	rc = submit_logs_last_attempt(a, n, cid, node, cause);
	json_object_put(list);
	json_object_put(body);
	return rc;
}

START_TEST(last_attempt)
{
	char *cid, *node, *cause = NULL;
	/* YARN's int ids, out of order: attempt 2 is the last. */
	static const char two[] =
	        "{\"appAttempts\":{\"appAttempt\":["
	        "{\"id\":2,\"containerId\":\"container_1700000000000_0001_02_000001\","
	        "\"nodeHttpAddress\":\"h2:8042\"},"
	        "{\"id\":1,\"containerId\":\"container_1700000000000_0001_01_000001\","
	        "\"nodeHttpAddress\":\"h1:8042\"}]}}";
	static const char by_link[] =
	        "{\"appAttempts\":{\"appAttempt\":{\"appAttemptId\":"
	        "\"appattempt_1700000000000_0001_000001\",\"containerId\":"
	        "\"container_1700000000000_0001_01_000001\",\"logsLink\":"
	        "\"http://h3:8043/node/containerlogs/container_1700000000000_0001_01_000001/u\"}}}";
	static const char *const bad[] = {
	        "{\"appAttempts\":null}",
	        "{\"appAttempts\":{\"appAttempt\":[]}}",
	        "{\"appAttempts\":{\"appAttempt\":[{\"id\":1,\"containerId\":\"../../etc\","
	        "\"nodeHttpAddress\":\"h:1\"}]}}",
	        "{\"appAttempts\":{\"appAttempt\":[{\"id\":1,\"containerId\":"
	        "\"container_1700000000000_0001_01_000001\"}]}}",
	        "not json",
	};

	ck_assert_int_eq(last_attempt_of(two, &cid, &node, &cause), 0);
	ck_assert_str_eq(cid, "container_1700000000000_0001_02_000001");
	ck_assert_str_eq(node, "http://h2:8042");
	free(cid);
	free(node);
	ck_assert_int_eq(last_attempt_of(by_link, &cid, &node, &cause), 0);
	ck_assert_str_eq(node, "http://h3:8043");
	free(cid);
	free(node);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(last_attempt_of(bad[i], &cid, &node, &cause) == -1, "%s accepted",
		              bad[i]);
		ck_assert_ptr_nonnull(cause);
		free(cause);
	}
}
END_TEST

START_TEST(tail_of_a_log)
{
	const char *text = "one\ntwo\nthree\nfour\n";
	size_t n;
	const char *t = submit_logs_tail(text, strlen(text), 2, 4096, &n);

	ck_assert_int_eq((int)n, 10);
	ck_assert(strncmp(t, "three\nfour", n) == 0);
	t = submit_logs_tail(text, strlen(text), 10, 4096, &n);
	ck_assert(strncmp(t, "one\ntwo\nthree\nfour", n) == 0 && n == 18);
	t = submit_logs_tail(text, strlen(text), 10, 6, &n);
	ck_assert_uint_eq(n, 6);
	ck_assert(strncmp(t, "e\nfour", n) == 0);
	t = submit_logs_tail("", 0, 5, 100, &n);
	ck_assert_uint_eq(n, 0);
}
END_TEST

static Suite *context_suite(void)
{
	Suite *s = suite_create("submit_context");
	TCase *tc = tcase_create("context");

	tcase_add_test(tc, quoting_survives_the_shell);
	tcase_add_test(tc, quoting_leaves_plain_words);
	tcase_add_test(tc, cluster_mode_context);
	tcase_add_test(tc, client_mode_context);
	tcase_add_test(tc, am_command_runs_as_argv);
	tcase_add_test(tc, job_from_shell);
	tcase_add_test(tc, job_from_file);
	tcase_add_test(tc, last_attempt);
	tcase_add_test(tc, tail_of_a_log);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(context_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
