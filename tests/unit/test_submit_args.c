/*
 * test_submit_args.c — weft-submit's command line: Spark-like defaults,
 * every flag, and every bad flag or combination (each named in the
 * message).
 */
#include "weft_config.h"

#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "submit/submit_args.h"

/* Parse the words after "weft-submit" (NULL-terminated). */
static int vparse(struct submit_args *a, char **cause, va_list ap)
{
	char *argv[64];
	int argc = 0;
	const char *w;

	argv[argc++] = "weft-submit";
	while ((w = va_arg(ap, const char *)) != NULL)
		argv[argc++] = (char *)w;
	argv[argc] = NULL;
	*cause = NULL;
	return submit_args_parse(a, argc, argv, cause);
}

static int parse(struct submit_args *a, char **cause, ...)
{
	va_list ap;
	int rc;

	va_start(ap, cause);
	rc = vparse(a, cause, ap);
	va_end(ap);
	return rc;
}

/* Parsing must fail and the message must contain needle. */
static void expect_error(const char *needle, ...)
{
	struct submit_args a;
	char *cause;
	va_list ap;
	int rc;

	va_start(ap, needle);
	rc = vparse(&a, &cause, ap);
	va_end(ap);
	ck_assert_msg(rc == -1, "accepted (expected '%s')", needle);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, needle) != NULL, "'%s' does not mention '%s'", cause, needle);
	free(cause);
	submit_args_free(&a);
}

START_TEST(defaults_are_sparks)
{
	struct submit_args a;
	char *cause;

	ck_assert_int_eq(parse(&a, &cause, "--shell", "hostname", NULL), 0);
	ck_assert_int_eq(a.mode, SUBMIT_MODE_CLIENT);
	ck_assert_int_eq(a.num_executors, 2);
	ck_assert_int_eq(a.executor_memory_mb, 1024);
	ck_assert_int_eq(a.executor_cores, 1);
	ck_assert_int_eq(a.driver_memory_mb, 1024);
	ck_assert_int_eq(a.driver_cores, 1);
	ck_assert_int_eq(a.max_attempts, 0);
	ck_assert_int_eq(a.tasks, 1);
	ck_assert_int_eq(a.n_confs, 0);
	ck_assert(!a.no_wait);
	ck_assert_ptr_null(a.master);
	ck_assert_ptr_null(a.name);
	ck_assert_ptr_null(a.queue);
	ck_assert_ptr_null(a.job_file);
	ck_assert_str_eq(a.shell, "hostname");
	submit_args_free(&a);
}
END_TEST

START_TEST(every_flag)
{
	struct submit_args a;
	char *cause;

	ck_assert_int_eq(parse(&a, &cause, "--master", "weft://rm:8088", "--deploy-mode", "cluster",
	                       "--name", "my job", "--queue", "prod", "--num-executors", "5",
	                       "--executor-memory", "2g", "--executor-cores", "3",
	                       "--driver-memory", "512m", "--driver-cores", "2", "--max-attempts",
	                       "1", "--conf", "driver.task.max-failures=2", "--conf",
	                       "am.max-executor-failures=9", "--no-wait", "--conf-dir", "/etc/weft",
	                       "-D", "log.level=debug", "--shell", "echo $WEFT_TASK_INDEX",
	                       "--tasks", "7", NULL),
	                 0);
	ck_assert_str_eq(a.master, "weft://rm:8088");
	ck_assert_int_eq(a.mode, SUBMIT_MODE_CLUSTER);
	ck_assert_str_eq(a.name, "my job");
	ck_assert_str_eq(a.queue, "prod");
	ck_assert_int_eq(a.num_executors, 5);
	ck_assert_int_eq(a.executor_memory_mb, 2048);
	ck_assert_int_eq(a.executor_cores, 3);
	ck_assert_int_eq(a.driver_memory_mb, 512);
	ck_assert_int_eq(a.driver_cores, 2);
	ck_assert_int_eq(a.max_attempts, 1);
	ck_assert_int_eq(a.n_confs, 2);
	ck_assert_str_eq(a.confs[0], "driver.task.max-failures=2");
	ck_assert_str_eq(a.confs[1], "am.max-executor-failures=9");
	ck_assert(a.no_wait);
	ck_assert_str_eq(a.common.conf_dir, "/etc/weft");
	ck_assert_int_eq(a.common.n_defines, 1);
	ck_assert_str_eq(a.shell, "echo $WEFT_TASK_INDEX");
	ck_assert_int_eq(a.tasks, 7);
	submit_args_free(&a);
}
END_TEST

START_TEST(jobfile_and_option_order)
{
	struct submit_args a;
	char *cause;

	/* Options after the JOBFILE work, as with spark-submit's flags. */
	ck_assert_int_eq(parse(&a, &cause, "job.json", "--num-executors", "1", NULL), 0);
	ck_assert_str_eq(a.job_file, "job.json");
	ck_assert_int_eq(a.num_executors, 1);
	ck_assert_ptr_null(a.shell);
	submit_args_free(&a);
	/* A command that looks like a flag is still the --shell value. */
	ck_assert_int_eq(parse(&a, &cause, "--shell", "--version", NULL), 0);
	ck_assert_str_eq(a.shell, "--version");
	ck_assert(!a.version);
	submit_args_free(&a);
	/* "--" ends the options: a job file named like a flag. */
	ck_assert_int_eq(parse(&a, &cause, "--", "-weird.json", NULL), 0);
	ck_assert_str_eq(a.job_file, "-weird.json");
	submit_args_free(&a);
	ck_assert_int_eq(parse(&a, &cause, "--executor-memory=4096", "j.json", NULL), 0);
	ck_assert_int_eq(a.executor_memory_mb, 4096);
	submit_args_free(&a);
}
END_TEST

START_TEST(help_and_version)
{
	struct submit_args a;
	char *cause;

	ck_assert_int_eq(parse(&a, &cause, "--help", NULL), 0);
	ck_assert(a.help);
	submit_args_free(&a);
	ck_assert_int_eq(parse(&a, &cause, "-V", NULL), 0);
	ck_assert(a.version);
	submit_args_free(&a);
	ck_assert_ptr_nonnull(strstr(submit_args_usage(), "--deploy-mode"));
}
END_TEST

START_TEST(bad_combinations)
{
	expect_error("no job", NULL);
	expect_error("no job", "--num-executors", "3", NULL);
	expect_error("either --shell or a JOBFILE", "--shell", "true", "job.json", NULL);
	expect_error("--tasks goes with --shell", "--tasks", "3", "job.json", NULL);
	expect_error("one JOBFILE only", "a.json", "b.json", NULL);
	expect_error("--no-wait needs --deploy-mode cluster", "--no-wait", "--shell", "x", NULL);
	expect_error("--no-wait needs --deploy-mode cluster", "--deploy-mode", "client",
	             "--no-wait", "j.json", NULL);
}
END_TEST

START_TEST(bad_values)
{
	expect_error("--deploy-mode 'yarn'", "--deploy-mode", "yarn", "j.json", NULL);
	expect_error("--deploy-mode ''", "--deploy-mode", "", "j.json", NULL);
	expect_error("--tasks '0'", "--shell", "x", "--tasks", "0", NULL);
	expect_error("--tasks '-1'", "--shell", "x", "--tasks", "-1", NULL);
	expect_error("--tasks 'many'", "--shell", "x", "--tasks", "many", NULL);
	expect_error("--tasks '3x'", "--shell", "x", "--tasks", "3x", NULL);
	expect_error("--tasks ''", "--shell", "x", "--tasks", "", NULL);
	expect_error("--tasks '99999999999999999999'", "--shell", "x", "--tasks",
	             "99999999999999999999", NULL);
	expect_error("--num-executors '0'", "--num-executors", "0", "j.json", NULL);
	expect_error("--num-executors '+2'", "--num-executors", "+2", "j.json", NULL);
	expect_error("--num-executors ' 2'", "--num-executors", " 2", "j.json", NULL);
	expect_error("--executor-cores '0'", "--executor-cores", "0", "j.json", NULL);
	expect_error("--driver-cores 'two'", "--driver-cores", "two", "j.json", NULL);
	expect_error("--max-attempts '0'", "--max-attempts", "0", "j.json", NULL);
	expect_error("--max-attempts '101'", "--max-attempts", "101", "j.json", NULL);
	expect_error("--executor-memory 'lots'", "--executor-memory", "lots", "j.json", NULL);
	expect_error("--executor-memory '0'", "--executor-memory", "0", "j.json", NULL);
	expect_error("--executor-memory '-1g'", "--executor-memory", "-1g", "j.json", NULL);
	expect_error("--executor-memory '2q'", "--executor-memory", "2q", "j.json", NULL);
	expect_error("--driver-memory ''", "--driver-memory", "", "j.json", NULL);
	expect_error("--name: must not be empty", "--name", "", "j.json", NULL);
	expect_error("--queue: must not be empty", "--queue", "", "j.json", NULL);
	expect_error("--name: control characters", "--name", "two\nlines", "j.json", NULL);
	expect_error("--queue: control characters", "--queue", "q\t", "j.json", NULL);
	{
		char *long_queue = calloc(1, SUBMIT_MAX_QUEUE + 2);
		memset(long_queue, 'q', SUBMIT_MAX_QUEUE + 1);
		expect_error("--queue: longer than 128", "--queue", long_queue, "j.json", NULL);
		free(long_queue);
	}
	expect_error("--shell: empty command", "--shell", "", NULL);
	expect_error("--conf 'novalue': expected KEY=VALUE", "--conf", "novalue", "j.json", NULL);
	expect_error("--conf no.such.key=1", "--conf", "no.such.key=1", "j.json", NULL);
	expect_error("--conf driver.task.max-failures=0", "--conf", "driver.task.max-failures=0",
	             "j.json", NULL);
	expect_error("-D bogus=1", "-D", "bogus=1", "j.json", NULL);
	expect_error("-D driver.port=70000", "-D", "driver.port=70000", "j.json", NULL);
	expect_error("--conf-dir: empty", "--conf-dir", "", "j.json", NULL);
	expect_error("JOBFILE: empty file name", "", NULL);
}
END_TEST

START_TEST(bad_flags)
{
	expect_error("unknown option '--executors'", "--executors", "3", "j.json", NULL);
	expect_error("unknown option '-x'", "-x", "j.json", NULL);
	expect_error("--no-wait takes no value", "--no-wait=yes", "j.json", NULL);
	expect_error("--shell: missing value", "--shell", NULL);
	expect_error("--tasks: missing value", "--shell", "x", "--tasks", NULL);
	expect_error("--master: missing value", "j.json", "--master", NULL);
	expect_error("-D: missing value", "j.json", "-D", NULL);
}
END_TEST

static Suite *submit_args_suite(void)
{
	Suite *s = suite_create("submit_args");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, defaults_are_sparks);
	tcase_add_test(tc, every_flag);
	tcase_add_test(tc, jobfile_and_option_order);
	tcase_add_test(tc, help_and_version);
	tcase_add_test(tc, bad_combinations);
	tcase_add_test(tc, bad_values);
	tcase_add_test(tc, bad_flags);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(submit_args_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
