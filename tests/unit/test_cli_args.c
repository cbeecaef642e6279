/*
 * test_cli_args.c — `weft`'s command line: every command, every option,
 * and every way to get it wrong (each must name the culprit).
 */
#include "weft_config.h"

#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_args.h"

/* Parse a NULL-terminated list of words after "weft". */
static int parse(struct cli_args *a, char **cause, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	const char *w;

	argv[argc++] = "weft";
	va_start(ap, cause);
	while ((w = va_arg(ap, const char *)) != NULL)
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	*cause = NULL;
	return cli_args_parse(a, argc, argv, cause);
}

/* Parsing must fail with a message containing needle. */
static void expect_error(const char *needle, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	const char *w;
	struct cli_args a;
	char *cause = NULL;

	argv[argc++] = "weft";
	va_start(ap, needle);
	while ((w = va_arg(ap, const char *)) != NULL)
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	ck_assert_int_eq(cli_args_parse(&a, argc, argv, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, needle) != NULL, "'%s' does not mention '%s'", cause, needle);
	free(cause);
	cli_args_free(&a);
}

START_TEST(app_list_defaults)
{
	struct cli_args a;
	char *cause;

	ck_assert_int_eq(parse(&a, &cause, "app", "list", NULL), 0);
	ck_assert_int_eq(a.command, CLI_APP_LIST);
	ck_assert_int_eq(a.output, CLI_OUTPUT_TABLE);
	ck_assert_ptr_null(a.states);
	ck_assert_ptr_null(a.queue);
	ck_assert_ptr_null(a.user);
	ck_assert_ptr_null(a.master);
	cli_args_free(&a);
}
END_TEST

START_TEST(app_list_filters_and_globals_anywhere)
{
	struct cli_args a;
	char *cause;

	ck_assert_int_eq(parse(&a, &cause, "--master", "weft://rm:8088", "app", "list", "--state",
	                       "running,Accepted", "--queue", "default", "--user", "alice", "-o",
	                       "json", "--conf-dir", "/etc/weft", "-D", "log.level=debug", NULL),
	                 0);
	ck_assert_int_eq(a.command, CLI_APP_LIST);
	ck_assert_str_eq(a.states, "RUNNING,ACCEPTED");
	ck_assert_str_eq(a.queue, "default");
	ck_assert_str_eq(a.user, "alice");
	ck_assert_str_eq(a.master, "weft://rm:8088");
	ck_assert_int_eq(a.output, CLI_OUTPUT_JSON);
	ck_assert_str_eq(a.common.conf_dir, "/etc/weft");
	ck_assert_int_eq(a.common.n_defines, 1);
	ck_assert_str_eq(a.common.defines[0], "log.level=debug");
	cli_args_free(&a);
}
END_TEST

START_TEST(state_all_means_no_filter)
{
	struct cli_args a;
	char *cause;

	ck_assert_int_eq(parse(&a, &cause, "app", "list", "--state", "all", NULL), 0);
	ck_assert_ptr_null(a.states);
	cli_args_free(&a);
	ck_assert_int_eq(parse(&a, &cause, "app", "list", "--state", "FINISHED,ALL", NULL), 0);
	ck_assert_ptr_null(a.states);
	cli_args_free(&a);
}
END_TEST

START_TEST(status_kill_node)
{
	struct cli_args a;
	char *cause;

	ck_assert_int_eq(parse(&a, &cause, "app", "status", "application_1700000000000_0001", NULL),
	                 0);
	ck_assert_int_eq(a.command, CLI_APP_STATUS);
	ck_assert_str_eq(a.app_id, "application_1700000000000_0001");
	cli_args_free(&a);
	ck_assert_int_eq(parse(&a, &cause, "-o", "json", "app", "kill",
	                       "application_1700000000000_0012", NULL),
	                 0);
	ck_assert_int_eq(a.command, CLI_APP_KILL);
	ck_assert_int_eq(a.output, CLI_OUTPUT_JSON);
	cli_args_free(&a);
	ck_assert_int_eq(parse(&a, &cause, "node", "list", "--all", NULL), 0);
	ck_assert_int_eq(a.command, CLI_NODE_LIST);
	ck_assert(a.all);
	cli_args_free(&a);
	ck_assert_int_eq(parse(&a, &cause, "--", "node", "list", NULL), 0);
	ck_assert_int_eq(a.command, CLI_NODE_LIST);
	ck_assert(!a.all);
	cli_args_free(&a);
}
END_TEST

START_TEST(help_and_version)
{
	struct cli_args a;
	char *cause;

	ck_assert_int_eq(parse(&a, &cause, "--help", NULL), 0);
	ck_assert(a.help);
	cli_args_free(&a);
	ck_assert_int_eq(parse(&a, &cause, "app", "-h", NULL), 0);
	ck_assert(a.help);
	cli_args_free(&a);
	ck_assert_int_eq(parse(&a, &cause, "-V", NULL), 0);
	ck_assert(a.version);
	cli_args_free(&a);
	ck_assert_ptr_nonnull(strstr(cli_args_usage(), "app kill"));
}
END_TEST

START_TEST(conf_commands)
{
	struct cli_args a;
	char *cause;

	ck_assert_int_eq(parse(&a, &cause, "conf", "get", "security.secret-file", NULL), 0);
	ck_assert_int_eq(a.command, CLI_CONF_GET);
	ck_assert_str_eq(a.conf_key, "security.secret-file");
	cli_args_free(&a);
	ck_assert_int_eq(parse(&a, &cause, "conf", "get", "conf.dir", "--conf-dir", "/x", NULL), 0);
	ck_assert_int_eq(a.command, CLI_CONF_GET);
	ck_assert_str_eq(a.common.conf_dir, "/x");
	cli_args_free(&a);
	ck_assert_int_eq(parse(&a, &cause, "conf", "list", NULL), 0);
	ck_assert_int_eq(a.command, CLI_CONF_LIST);
	cli_args_free(&a);
	expect_error("unknown key 'rm.nope'", "conf", "get", "rm.nope", NULL);
	expect_error("expected one KEY", "conf", "get", NULL);
	expect_error("expected one KEY", "conf", "get", "rm.address", "log.level", NULL);
	expect_error("unknown subcommand 'set'", "conf", "set", NULL);
	expect_error("unexpected argument 'x'", "conf", "list", "x", NULL);
}
END_TEST

START_TEST(bad_usage)
{
	expect_error("no command", NULL);
	expect_error("unknown command 'apps'", "apps", "list", NULL);
	expect_error("missing subcommand", "app", NULL);
	expect_error("unknown subcommand 'lsit'", "app", "lsit", NULL);
	expect_error("missing APPLICATION_ID", "app", "status", NULL);
	expect_error("missing APPLICATION_ID", "app", "kill", NULL);
	expect_error("not an application id", "app", "status", "app_1", NULL);
	expect_error("not an application id", "app", "kill", "application_1_0001/../x", NULL);
	expect_error("unexpected argument 'extra'", "app", "status",
	             "application_1700000000000_0001", "extra", NULL);
	expect_error("unexpected argument 'x'", "app", "list", "x", NULL);
	expect_error("unexpected argument 'x'", "node", "list", "x", NULL);
	expect_error("unknown subcommand 'show'", "node", "show", NULL);
	expect_error("missing subcommand", "node", NULL);
	expect_error("-o yaml", "-o", "yaml", "app", "list", NULL);
	expect_error("unknown application state 'DONE'", "app", "list", "--state", "DONE", NULL);
	expect_error("empty state", "app", "list", "--state", "RUNNING,", NULL);
	expect_error("empty state", "app", "list", "--state", "", NULL);
	expect_error("--user", "app", "list", "--user", "bad user", NULL);
	expect_error("--queue", "app", "list", "--queue", "", NULL);
	expect_error("options of 'app list'", "node", "list", "--state", "RUNNING", NULL);
	expect_error("options of 'app list'", "app", "status", "application_1700000000000_0001",
	             "--queue", "q", NULL);
	expect_error("option of 'node list'", "app", "list", "--all", NULL);
	expect_error("unknown option '--bogus'", "--bogus", "app", "list", NULL);
	expect_error("unknown option '-x'", "-x", "app", "list", NULL);
	expect_error("--master: missing value", "app", "list", "--master", NULL);
	expect_error("-o: missing value", "app", "list", "-o", NULL);
	expect_error("--all takes no value", "node", "list", "--all=yes", NULL);
	expect_error("-D no.such.key=1", "-D", "no.such.key=1", "app", "list", NULL);
	expect_error("-D submit.poll-interval-ms=fast", "-D", "submit.poll-interval-ms=fast",
	             "node", "list", NULL);
	expect_error("--conf-dir", "--conf-dir", "", "node", "list", NULL);
}
END_TEST

static Suite *cli_args_suite(void)
{
	Suite *s = suite_create("cli_args");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, app_list_defaults);
	tcase_add_test(tc, app_list_filters_and_globals_anywhere);
	tcase_add_test(tc, state_all_means_no_filter);
	tcase_add_test(tc, status_kill_node);
	tcase_add_test(tc, help_and_version);
	tcase_add_test(tc, conf_commands);
	tcase_add_test(tc, bad_usage);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cli_args_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
