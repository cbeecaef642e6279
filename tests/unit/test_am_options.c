/*
 * test_am_options.c — weft-am's arguments and environment: what is
 * accepted, and that everything missing or malformed is refused with a
 * message naming the option or variable.
 */
#include "weft_config.h"

#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "am/options.h"
#include "common/log.h"

/* A fake environment: name=value pairs, one of them possibly overridden. */
static const char *env_table[][2] = {
        {"WEFT_RM_URL", "http://rm.example:8088"},
        {"WEFT_AM_TOKEN", "appattempt_1700000000000_0007_000002:abcdef"},
        {"WEFT_APP_ATTEMPT_ID", "appattempt_1700000000000_0007_000002"},
        {"CONTAINER_ID", "container_1700000000000_0007_02_000001"},
        {"NM_HOST", "node1.example"},
        {"NM_HTTP_PORT", "8042"},
        {"WEFT_APP_SECRET", "0123456789abcdef"},
        {"WEFT_LIBEXEC_DIR", "/usr/libexec/weft"},
        {"USER", "alice"},
};
static const char *override_name, *override_value;

static const char *fake_getenv(const char *name)
{
	size_t i;

	if (override_name != NULL && strcmp(name, override_name) == 0)
		return override_value;
	for (i = 0; i < sizeof env_table / sizeof env_table[0]; i++) {
		if (strcmp(env_table[i][0], name) == 0)
			return env_table[i][1];
	}
	return NULL;
}

/* Parse a NULL-terminated argument list; RET options_parse's result and
 * the cause in *cause (caller frees). */
static int parse(struct am_options *o, char **cause, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;
	char *a;

	argv[argc++] = "weft-am";
	va_start(ap, cause);
	while ((a = va_arg(ap, char *)) != NULL && argc < 63)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	*cause = NULL;
	return options_parse(o, argc, argv, fake_getenv, cause);
}

/* Expect a refusal whose message contains want. */
#define REFUSED(want, ...)                                                                         \
	do {                                                                                       \
		struct am_options o_;                                                              \
		char *c_;                                                                          \
		ck_assert_int_eq(parse(&o_, &c_, __VA_ARGS__, NULL), -1);                          \
		ck_assert_ptr_nonnull(c_);                                                         \
		ck_assert_msg(strstr(c_, want) != NULL, "cause '%s' lacks '%s'", c_, want);        \
		free(c_);                                                                          \
		options_free(&o_);                                                                 \
	} while (0)

#define CLIENT_ARGS "--mode", "client", "--driver", "laptop.example:40123"
#define SIZES       "--num-executors", "3", "--executor-memory", "2g", "--executor-cores", "2"

static void setup(void)
{
	override_name = NULL;
	override_value = NULL;
}

START_TEST(test_client_ok)
{
	struct am_options o;
	char *cause;

	ck_assert_int_eq(parse(&o, &cause, CLIENT_ARGS, SIZES, "--max-executor-failures", "5", "-D",
	                       "am.heartbeat-interval-ms=50", "--conf-dir", "/etc/weft", NULL),
	                 0);
	ck_assert_int_eq(o.mode, AM_MODE_CLIENT);
	ck_assert_str_eq(o.driver_host, "laptop.example");
	ck_assert_int_eq(o.driver_port, 40123);
	ck_assert_ptr_null(o.job_file);
	ck_assert_int_eq(o.num_executors, 3);
	ck_assert_int_eq(o.executor_memory_mb, 2048);
	ck_assert_int_eq(o.executor_cores, 2);
	ck_assert_int_eq(o.max_executor_failures, 5);
	ck_assert_int_eq(o.common.n_defines, 1);
	ck_assert_str_eq(o.common.defines[0], "am.heartbeat-interval-ms=50");
	ck_assert_str_eq(o.common.conf_dir, "/etc/weft");
	ck_assert_str_eq(o.rm_url, "http://rm.example:8088");
	ck_assert_str_eq(o.application_id, "application_1700000000000_0007");
	ck_assert_str_eq(o.attempt_id, "appattempt_1700000000000_0007_000002");
	ck_assert_str_eq(o.container_id, "container_1700000000000_0007_02_000001");
	ck_assert_str_eq(o.nm_host, "node1.example");
	ck_assert_str_eq(o.nm_http_port, "8042");
	ck_assert_str_eq(o.app_secret, "0123456789abcdef");
	ck_assert_str_eq(o.user, "alice");
	ck_assert(!o.help);
	options_free(&o);
}
END_TEST

START_TEST(test_cluster_ok)
{
	struct am_options o;
	char *cause;

	ck_assert_int_eq(parse(&o, &cause, "--mode", "cluster", "--job", "job.json",
	                       "--num-executors", "1", "--executor-memory", "512",
	                       "--executor-cores", "1", NULL),
	                 0);
	ck_assert_int_eq(o.mode, AM_MODE_CLUSTER);
	ck_assert_str_eq(o.job_file, "job.json");
	ck_assert_ptr_null(o.driver_host);
	ck_assert_int_eq(o.executor_memory_mb, 512);
	ck_assert_int_eq(o.max_executor_failures, -1); /* from the config */
	options_free(&o);
}
END_TEST

START_TEST(test_help_version)
{
	struct am_options o;
	char *cause;

	ck_assert_int_eq(parse(&o, &cause, "-h", NULL), 0);
	ck_assert(o.help);
	options_free(&o);
	ck_assert_int_eq(parse(&o, &cause, "--version", NULL), 0);
	ck_assert(o.version);
	options_free(&o);
	/* Help needs no environment. */
	override_name = "WEFT_RM_URL";
	ck_assert_int_eq(parse(&o, &cause, "--help", NULL), 0);
	options_free(&o);
}
END_TEST

START_TEST(test_bad_arguments)
{
	REFUSED("--mode is required", "--num-executors", "1");
	REFUSED("--mode: expected client or cluster, got 'local'", "--mode", "local", SIZES);
	REFUSED("--mode client needs --driver", "--mode", "client", SIZES);
	REFUSED("--mode cluster needs --job", "--mode", "cluster", SIZES);
	REFUSED("--driver is for client mode only", "--mode", "cluster", "--job", "j", "--driver",
	        "h:1", SIZES);
	REFUSED("--job is for cluster mode only", CLIENT_ARGS, "--job", "j", SIZES);
	REFUSED("--driver:", "--mode", "client", "--driver", "nohostport", SIZES);
	REFUSED("--driver:", "--mode", "client", "--driver", "h:99999", SIZES);
	REFUSED("not an address one can dial", "--mode", "client", "--driver", "0.0.0.0:5", SIZES);
	REFUSED("not an address one can dial", "--mode", "client", "--driver", "h:0", SIZES);
	REFUSED("--num-executors is required", CLIENT_ARGS, "--executor-memory", "1",
	        "--executor-cores", "1");
	REFUSED("--num-executors: expected an integer from 1 to 100000, got 'x'", CLIENT_ARGS,
	        "--num-executors", "x", "--executor-memory", "1", "--executor-cores", "1");
	REFUSED("--num-executors: expected an integer", CLIENT_ARGS, "--num-executors", "0",
	        "--executor-memory", "1", "--executor-cores", "1");
	REFUSED("--num-executors: expected an integer", CLIENT_ARGS, "--num-executors", "3x",
	        "--executor-memory", "1", "--executor-cores", "1");
	REFUSED("--num-executors: expected an integer", CLIENT_ARGS, "--num-executors",
	        "99999999999999999999", "--executor-memory", "1", "--executor-cores", "1");
	REFUSED("--executor-memory: expected megabytes", CLIENT_ARGS, "--num-executors", "1",
	        "--executor-memory", "lots", "--executor-cores", "1");
	REFUSED("--executor-memory: expected megabytes", CLIENT_ARGS, "--num-executors", "1",
	        "--executor-memory", "0", "--executor-cores", "1");
	REFUSED("--executor-memory is required", CLIENT_ARGS, "--num-executors", "1",
	        "--executor-cores", "1");
	REFUSED("--executor-cores: expected an integer", CLIENT_ARGS, "--num-executors", "1",
	        "--executor-memory", "1", "--executor-cores", "-1");
	REFUSED("--executor-cores is required", CLIENT_ARGS, "--num-executors", "1",
	        "--executor-memory", "1");
	REFUSED("--max-executor-failures: expected an integer", CLIENT_ARGS, SIZES,
	        "--max-executor-failures", "-3");
	REFUSED("-D: expected key=value", CLIENT_ARGS, SIZES, "-D", "novalue");
	REFUSED("unknown option --bogus", CLIENT_ARGS, SIZES, "--bogus");
	REFUSED("unknown option -q", CLIENT_ARGS, SIZES, "-q");
	REFUSED("--num-executors needs a value", CLIENT_ARGS, "--num-executors");
	REFUSED("unexpected argument 'extra'", CLIENT_ARGS, SIZES, "extra");
	REFUSED("--job: empty file name", "--mode", "cluster", "--job", "", SIZES);
}
END_TEST

/* Each required variable, missing then malformed. */
START_TEST(test_bad_environment)
{
	static const char *required[] = {"WEFT_RM_URL",      "WEFT_AM_TOKEN", "WEFT_APP_ATTEMPT_ID",
	                                 "CONTAINER_ID",     "NM_HOST",       "WEFT_APP_SECRET",
	                                 "WEFT_LIBEXEC_DIR", "USER"};
	size_t i;
	char want[128];

	for (i = 0; i < sizeof required / sizeof required[0]; i++) {
		override_name = required[i];
		override_value = NULL;
		snprintf(want, sizeof want, "%s is not set", required[i]);
		REFUSED(want, CLIENT_ARGS, SIZES);
		override_value = "";
		REFUSED(want, CLIENT_ARGS, SIZES);
	}
	override_name = "WEFT_RM_URL";
	override_value = "rm.example:8088";
	REFUSED("WEFT_RM_URL: expected http://HOST:PORT", CLIENT_ARGS, SIZES);
	override_value = "http://";
	REFUSED("WEFT_RM_URL: expected http://HOST:PORT", CLIENT_ARGS, SIZES);
	override_name = "WEFT_AM_TOKEN";
	override_value = "abc\r\nX-Injected: 1";
	REFUSED("WEFT_AM_TOKEN: must not contain spaces or control characters", CLIENT_ARGS, SIZES);
	override_name = "WEFT_APP_ATTEMPT_ID";
	override_value = "application_1700000000000_0007";
	REFUSED("WEFT_APP_ATTEMPT_ID: not an application attempt id", CLIENT_ARGS, SIZES);
	override_name = "CONTAINER_ID";
	override_value = "container_x";
	REFUSED("CONTAINER_ID: not a container id", CLIENT_ARGS, SIZES);
	override_name = "NM_HTTP_PORT";
	override_value = "http";
	REFUSED("NM_HTTP_PORT: expected an integer", CLIENT_ARGS, SIZES);
	/* NM_HTTP_PORT is optional. */
	{
		struct am_options o;
		char *cause;

		override_value = NULL;
		ck_assert_int_eq(parse(&o, &cause, CLIENT_ARGS, SIZES, NULL), 0);
		ck_assert_ptr_null(o.nm_http_port);
		options_free(&o);
	}
}
END_TEST

static Suite *options_suite(void)
{
	Suite *s = suite_create("am_options");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_client_ok);
	tcase_add_test(tc, test_cluster_ok);
	tcase_add_test(tc, test_help_version);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_bad_environment);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(options_suite());
	int failed;

	log_open("test_am_options", LOG_LEVEL_WARN, NULL);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
