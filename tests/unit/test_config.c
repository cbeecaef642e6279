/*
 * test_config.c — weft.conf as a user meets it: defaults, every value type
 * accepted and refused with its FILE:LINE message, -D overrides, path and
 * list reading, how the conf dir is chosen, and size parsing.
 */
#include "weft_config.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "testlib.h"

/* A scratch tree for the whole run (made and removed by the runner
 * process, so it goes even when a test fails) and the directory of the
 * running test inside it. */
static char run_dir[PATH_MAX];
static char tmp_dir[PATH_MAX + 16];

static void run_setup(void)
{
	testlib_mkdtemp_into(run_dir, sizeof run_dir, "config");
}

static void run_teardown(void)
{
	testlib_rmtree(run_dir);
}

static void setup(void)
{
	snprintf(tmp_dir, sizeof tmp_dir, "%s/test-XXXXXX", run_dir);
	ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
	unsetenv("WEFT_CONF_DIR");
}

/* Write len bytes to NAME in the scratch dir; RET its path (caller
 * frees). */
static char *write_file_len(const char *name, const char *content, size_t len)
{
	char *path;
	FILE *f;

	ck_assert_int_ge(asprintf(&path, "%s/%s", tmp_dir, name), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(content, 1, len, f), len);
	fclose(f);
	return path;
}

/* Write a string to NAME in the scratch dir. */
static char *write_file(const char *name, const char *content)
{
	return write_file_len(name, content, strlen(content));
}

/* Load content as a file: RET the load's result, *cause with the file path
 * replaced by "F" so expectations stay readable. */
static int load_text(struct config *cfg, const char *content, char **cause)
{
	char *path = write_file("t.conf", content), *msg = NULL;
	size_t plen = strlen(path);
	int rc;

	*cause = NULL;
	rc = config_load_file(cfg, path, &msg);
	if (msg != NULL) {
		ck_assert_msg(strncmp(msg, path, plen) == 0, "cause '%s' does not start with path",
		              msg);
		ck_assert_int_ge(asprintf(cause, "F%s", msg + plen), 0);
		free(msg);
	}
	free(path);
	return rc;
}

/* Expect loading content to fail with exactly `expected`. */
static void expect_file_error(const char *content, const char *expected)
{
	struct config *cfg = config_new();
	char *cause = NULL;

	ck_assert_msg(load_text(cfg, content, &cause) == -1, "accepted: %s", content);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, expected);
	free(cause);
	config_free(cfg);
}

/* Expect a -D argument to fail with exactly `expected`. */
static void expect_arg_error(const char *arg, const char *expected)
{
	struct config *cfg = config_new();
	char *cause = NULL;

	ck_assert_int_eq(config_set_arg(cfg, arg, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, expected);
	free(cause);
	config_free(cfg);
}

START_TEST(test_defaults)
{
	struct config *cfg = config_new();
	char **list;
	int n = -1;

	ck_assert_str_eq(config_get(cfg, "log.level"), "info");
	ck_assert_int_eq(config_get_int(cfg, "rm.am.max-attempts"), 2);
	ck_assert_int_eq(config_get_int(cfg, "nm.resource.memory-mb"), -1);
	ck_assert_int_eq(config_get_int(cfg, "rm.nm.liveness-expiry-ms"), 600000);
	ck_assert(config_get_bool(cfg, "nm.pmem-check-enabled"));
	ck_assert(!config_get_bool(cfg, "driver.speculation"));
	ck_assert_str_eq(config_get(cfg, "rm.address"), "0.0.0.0:8088");
	ck_assert_str_eq(config_get(cfg, "rm.hostname"), "");
	ck_assert(!config_is_set(cfg, "rm.address"));
	ck_assert_str_eq(config_conf_dir(cfg), "");
	list = config_get_list(cfg, "nm.local-dirs", &n);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(list[0], "/tmp/weft-nm/local");
	ck_assert_ptr_null(list[1]);
	config_list_free(list);
	config_free(cfg);
}
END_TEST

/* The table itself: every key documented, int bounds sane, enum defaults
 * among their choices (config_new would die on a bad default). */
START_TEST(test_key_table)
{
	const struct config_key *k;
	int i;

	for (i = 0; config_keys[i].name != NULL; i++) {
		k = &config_keys[i];
		ck_assert_msg(k->description != NULL && *k->description != '\0', "%s", k->name);
		ck_assert_msg(k->default_value != NULL, "%s", k->name);
		if (k->type == CONFIG_INT)
			ck_assert_msg(k->min <= k->max, "%s", k->name);
		if (k->type == CONFIG_ENUM)
			ck_assert_msg(k->choices != NULL, "%s", k->name);
		ck_assert_ptr_eq(config_key_find(k->name), k);
	}
	ck_assert_int_gt(i, 10);
	ck_assert_ptr_null(config_key_find("rm.adress"));
	ck_assert_ptr_null(config_key_find(""));
	config_free(config_new());
}
END_TEST

START_TEST(test_file_every_type)
{
	struct config *cfg = config_new();
	char *cause = NULL, **list;
	int n = 0;

	ck_assert_int_eq(load_text(cfg,
	                           "# a comment line\n"
	                           "\n"
	                           "   \t\n"
	                           "  # indented comment\n"
	                           "rm.hostname =   my host  \n"
	                           "rm.am.max-attempts=7\n"
	                           "\tnm.resource.memory-mb\t=\t-1\t\n"
	                           "nm.pmem-check-enabled = OFF\n"
	                           "driver.speculation = yes\n"
	                           "rm.address = [::1]:0\n"
	                           "rm.rpc-address = rm1:8031 , [::1]:8031,rm3:1\n"
	                           "nm.address = node-1.example.com:65535\r\n"
	                           "rm.staging-dir = staging\n"
	                           "nm.local-dirs = /a, /b ,/c\n"
	                           "rm.scheduler.placement = pack\n"
	                           "nm.rack = /rack=1 # not a comment\n"
	                           "submit.queue =\n",
	                           &cause),
	                 0);
	ck_assert_ptr_null(cause);
	ck_assert_str_eq(config_get(cfg, "rm.hostname"), "my host");
	ck_assert_int_eq(config_get_int(cfg, "rm.am.max-attempts"), 7);
	ck_assert_int_eq(config_get_int(cfg, "nm.resource.memory-mb"), -1);
	ck_assert(!config_get_bool(cfg, "nm.pmem-check-enabled"));
	ck_assert(config_get_bool(cfg, "driver.speculation"));
	ck_assert_str_eq(config_get(cfg, "rm.address"), "[::1]:0");
	{
		int n_rms = 0;
		char **rms = config_get_list(cfg, "rm.rpc-address", &n_rms);

		ck_assert_int_eq(n_rms, 3);
		ck_assert_str_eq(rms[0], "rm1:8031");
		ck_assert_str_eq(rms[1], "[::1]:8031");
		ck_assert_str_eq(rms[2], "rm3:1");
		config_list_free(rms);
	}
	ck_assert_str_eq(config_get(cfg, "nm.address"), "node-1.example.com:65535");
	ck_assert_str_eq(config_get(cfg, "rm.staging-dir"), "staging");
	ck_assert_str_eq(config_get(cfg, "rm.scheduler.placement"), "pack");
	ck_assert_str_eq(config_get(cfg, "nm.rack"), "/rack=1 # not a comment");
	ck_assert_str_eq(config_get(cfg, "submit.queue"), "");
	ck_assert(config_is_set(cfg, "submit.queue"));
	ck_assert(config_is_set(cfg, "rm.hostname"));
	ck_assert(!config_is_set(cfg, "nm.hostname"));
	list = config_get_list(cfg, "nm.local-dirs", &n);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(list[0], "/a");
	ck_assert_str_eq(list[1], "/b");
	ck_assert_str_eq(list[2], "/c");
	ck_assert_ptr_null(list[3]);
	config_list_free(list);
	config_free(cfg);
}
END_TEST

START_TEST(test_bool_words)
{
	static const char *const yes[] = {"true", "TRUE", "yes", "On", "1"};
	static const char *const no[] = {"false", "No", "off", "0"};
	struct config *cfg = config_new();
	char *cause = NULL;
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		ck_assert_int_eq(config_set(cfg, "driver.speculation", yes[i], &cause), 0);
		ck_assert_msg(config_get_bool(cfg, "driver.speculation"), "%s", yes[i]);
	}
	for (i = 0; i < sizeof no / sizeof no[0]; i++) {
		ck_assert_int_eq(config_set(cfg, "driver.speculation", no[i], &cause), 0);
		ck_assert_msg(!config_get_bool(cfg, "driver.speculation"), "%s", no[i]);
	}
	ck_assert_ptr_null(cause);
	config_free(cfg);
}
END_TEST

START_TEST(test_file_syntax_errors)
{
	expect_file_error("# ok\nrm.am.max-attempts = 3\njust words\n",
	                  "F:3: expected 'key = value', got 'just words'");
	expect_file_error("= 5\n", "F:1: missing key before '='");
	expect_file_error("\n\nrm.adress = 1.2.3.4:80\n", "F:3: unknown key 'rm.adress'");
	expect_file_error("rm.am.max-attempts = 3\n# again:\nrm.am.max-attempts = 4\n",
	                  "F:3: key 'rm.am.max-attempts': duplicate (first set on line 1)");
}
END_TEST

/* A NUL byte would silently cut the line short: refused. */
START_TEST(test_file_nul_byte)
{
	struct config *cfg = config_new();
	char *path, *cause = NULL, *expected;

	path = write_file_len("nul.conf", "nm.rack = /a\n# x\nnm.rack = a\0b\n", 31);
	ck_assert_int_eq(config_load_file(cfg, path, &cause), -1);
	ck_assert_int_ge(asprintf(&expected, "%s:3: NUL byte in line", path), 0);
	ck_assert_str_eq(cause, expected);
	ck_assert_str_eq(config_get(cfg, "nm.rack"), "/default-rack");
	free(expected);
	free(cause);
	free(path);
	config_free(cfg);
}
END_TEST

START_TEST(test_file_value_errors)
{
	expect_file_error("rm.am.max-attempts = three\n",
	                  "F:1: key 'rm.am.max-attempts': expected an integer, got 'three'");
	expect_file_error("rm.am.max-attempts = 2.5\n",
	                  "F:1: key 'rm.am.max-attempts': expected an integer, got '2.5'");
	expect_file_error("rm.am.max-attempts =\n",
	                  "F:1: key 'rm.am.max-attempts': expected an integer, got ''");
	expect_file_error("rm.am.max-attempts = 0\n",
	                  "F:1: key 'rm.am.max-attempts': 0 is out of range [1, 100]");
	expect_file_error("rm.am.max-attempts = 101\n",
	                  "F:1: key 'rm.am.max-attempts': 101 is out of range [1, 100]");
	expect_file_error("rm.am.max-attempts = 99999999999999999999\n",
	                  "F:1: key 'rm.am.max-attempts': expected an integer, got "
	                  "'99999999999999999999'");
	expect_file_error(
	        "nm.resource.memory-mb = -2\n",
	        "F:1: key 'nm.resource.memory-mb': -2 is out of range [-1, 1099511627776]");
	expect_file_error("driver.speculation = maybe\n",
	                  "F:1: key 'driver.speculation': expected true/false/yes/no/on/off/1/0, "
	                  "got 'maybe'");
	expect_file_error("rm.address = localhost\n",
	                  "F:1: key 'rm.address': expected host:port, got 'localhost'");
	expect_file_error("rm.address = :8088\n",
	                  "F:1: key 'rm.address': expected host:port, got ':8088'");
	expect_file_error("rm.address = ::1:8088\n",
	                  "F:1: key 'rm.address': expected host:port, got '::1:8088'");
	expect_file_error("rm.address = []:80\n",
	                  "F:1: key 'rm.address': expected host:port or [v6]:port, got '[]:80'");
	expect_file_error("rm.address = host:65536\n",
	                  "F:1: key 'rm.address': port 65536 is not in 0..65535");
	expect_file_error("rm.address = host:\n",
	                  "F:1: key 'rm.address': port '' is not a number in 0..65535");
	expect_file_error("rm.address = host:-1\n",
	                  "F:1: key 'rm.address': port '-1' is not a number in 0..65535");
	expect_file_error("rm.address = host:http\n",
	                  "F:1: key 'rm.address': port 'http' is not a number in 0..65535");
	/* Several RMs: each item an address. */
	expect_file_error("rm.address = rm1:8088,\n",
	                  "F:1: key 'rm.address': empty address in list 'rm1:8088,'");
	expect_file_error("rm.address = rm1:8088, rm2\n",
	                  "F:1: key 'rm.address': expected host:port, got 'rm2'");
	expect_file_error("rm.scheduler.placement = Pack\n",
	                  "F:1: key 'rm.scheduler.placement': expected one of spread,pack, got "
	                  "'Pack'");
	expect_file_error("log.level = verbose\n",
	                  "F:1: key 'log.level': expected one of error,warn,info,debug, got "
	                  "'verbose'");
	expect_file_error("nm.local-dirs = /a,,/b\n",
	                  "F:1: key 'nm.local-dirs': empty item in list '/a,,/b'");
	expect_file_error("nm.local-dirs = /a, \n",
	                  "F:1: key 'nm.local-dirs': empty item in list '/a,'");
	expect_file_error("nm.local-dirs = ,/a\n",
	                  "F:1: key 'nm.local-dirs': empty item in list ',/a'");
}
END_TEST

/* A file with one bad line changes nothing, not even its good lines. */
START_TEST(test_file_error_applies_nothing)
{
	struct config *cfg = config_new();
	char *cause = NULL;

	ck_assert_int_eq(
	        load_text(cfg, "rm.am.max-attempts = 5\nnm.rack = /r1\nbogus = 1\n", &cause), -1);
	ck_assert_str_eq(cause, "F:3: unknown key 'bogus'");
	free(cause);
	ck_assert_int_eq(config_get_int(cfg, "rm.am.max-attempts"), 2);
	ck_assert_str_eq(config_get(cfg, "nm.rack"), "/default-rack");
	ck_assert(!config_is_set(cfg, "nm.rack"));
	config_free(cfg);
}
END_TEST

START_TEST(test_file_missing)
{
	struct config *cfg = config_new();
	char *path, *cause = NULL, *expected;

	ck_assert_int_ge(asprintf(&path, "%s/nope.conf", tmp_dir), 0);
	ck_assert_int_eq(config_load_file(cfg, path, &cause), -1);
	ck_assert_int_ge(asprintf(&expected, "%s: No such file or directory", path), 0);
	ck_assert_str_eq(cause, expected);
	free(expected);
	free(cause);
	free(path);
	config_free(cfg);
}
END_TEST

/* A second file may set what the first one did (only one file refuses
 * duplicates), and later files win. */
START_TEST(test_later_file_wins)
{
	struct config *cfg = config_new();
	char *cause = NULL;

	ck_assert_int_eq(load_text(cfg, "nm.rack = /one\n", &cause), 0);
	ck_assert_int_eq(load_text(cfg, "nm.rack = /two\n", &cause), 0);
	ck_assert_str_eq(config_get(cfg, "nm.rack"), "/two");
	config_free(cfg);
}
END_TEST

START_TEST(test_define_overrides)
{
	struct config *cfg = config_new();
	char *cause = NULL;

	/* -D given before the file is read still wins over it. */
	ck_assert_int_eq(config_set_arg(cfg, "rm.am.max-attempts=9", &cause), 0);
	ck_assert_int_eq(load_text(cfg, "rm.am.max-attempts = 3\nnm.rack = /file\n", &cause), 0);
	ck_assert_int_eq(config_get_int(cfg, "rm.am.max-attempts"), 9);
	ck_assert_str_eq(config_get(cfg, "nm.rack"), "/file");
	/* ... and after it. */
	ck_assert_int_eq(config_set_arg(cfg, " nm.rack = /arg ", &cause), 0);
	ck_assert_str_eq(config_get(cfg, "nm.rack"), "/arg");
	/* The value may itself hold '='. */
	ck_assert_int_eq(config_set_arg(cfg, "submit.queue=a=b", &cause), 0);
	ck_assert_str_eq(config_get(cfg, "submit.queue"), "a=b");
	ck_assert(config_is_set(cfg, "submit.queue"));
	ck_assert_ptr_null(cause);
	config_free(cfg);
}
END_TEST

START_TEST(test_define_errors)
{
	expect_arg_error("rm.am.max-attempts", "-D rm.am.max-attempts: expected key=value");
	expect_arg_error("=3", "-D =3: missing key before '='");
	expect_arg_error("rm.nope=3", "-D rm.nope: unknown key");
	expect_arg_error("rm.am.max-attempts=0",
	                 "-D rm.am.max-attempts: 0 is out of range [1, 100]");
	expect_arg_error("rm.am.max-attempts=x",
	                 "-D rm.am.max-attempts: expected an integer, got 'x'");
	expect_arg_error("nm.address=host", "-D nm.address: expected host:port, got 'host'");
	expect_arg_error("log.level=loud",
	                 "-D log.level: expected one of error,warn,info,debug, got 'loud'");
	expect_arg_error("nm.log-dirs=a,", "-D nm.log-dirs: empty item in list 'a,'");
	expect_arg_error("driver.speculation=2",
	                 "-D driver.speculation: expected true/false/yes/no/on/off/1/0, got '2'");
}
END_TEST

START_TEST(test_config_set)
{
	struct config *cfg = config_new();
	char *cause = NULL;

	ck_assert_int_eq(config_set(cfg, "driver.port", "65535", &cause), 0);
	ck_assert_int_eq(config_get_int(cfg, "driver.port"), 65535);
	ck_assert_int_eq(config_set(cfg, "driver.port", "65536", &cause), -1);
	ck_assert_str_eq(cause, "key 'driver.port': 65536 is out of range [0, 65535]");
	free(cause);
	ck_assert_int_eq(config_get_int(cfg, "driver.port"), 65535);
	ck_assert_int_eq(config_set(cfg, "driver.prot", "1", &cause), -1);
	ck_assert_str_eq(cause, "unknown key 'driver.prot'");
	free(cause);
	/* A NULL cause is allowed. */
	ck_assert_int_eq(config_set(cfg, "driver.port", "x", NULL), -1);
	config_free(cfg);
}
END_TEST

START_TEST(test_paths)
{
	struct config *cfg = config_new();
	char *cause = NULL, *path, *expected, *real;

	/* Before a conf dir is chosen, a relative path stays as written. */
	path = config_get_path(cfg, "security.secret-file");
	ck_assert_str_eq(path, "secret");
	free(path);

	free(write_file("weft.conf", "rm.staging-dir = /abs/staging\n"));
	ck_assert_int_eq(config_load(cfg, tmp_dir, &cause), 0);
	real = realpath(tmp_dir, NULL);
	ck_assert_str_eq(config_conf_dir(cfg), real);

	path = config_get_path(cfg, "security.secret-file");
	ck_assert_int_ge(asprintf(&expected, "%s/secret", real), 0);
	ck_assert_str_eq(path, expected);
	free(expected);
	free(path);

	path = config_get_path(cfg, "rm.staging-dir");
	ck_assert_str_eq(path, "/abs/staging");
	free(path);

	ck_assert_ptr_null(config_get_path(cfg, "nm.libexec-dir"));

	ck_assert_int_eq(config_set_arg(cfg, "nm.libexec-dir=sub/dir", &cause), 0);
	path = config_get_path(cfg, "nm.libexec-dir");
	ck_assert_int_ge(asprintf(&expected, "%s/sub/dir", real), 0);
	ck_assert_str_eq(path, expected);
	free(expected);
	free(path);
	free(real);
	config_free(cfg);
}
END_TEST

START_TEST(test_lists)
{
	struct config *cfg = config_new();
	char *cause = NULL, **list;
	int n = -1;

	ck_assert_int_eq(config_set_arg(cfg, "nm.log-dirs=/x", &cause), 0);
	list = config_get_list(cfg, "nm.log-dirs", &n);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(list[0], "/x");
	ck_assert_ptr_null(list[1]);
	config_list_free(list);

	/* Empty is the empty list. */
	ck_assert_int_eq(config_set_arg(cfg, "nm.log-dirs=", &cause), 0);
	list = config_get_list(cfg, "nm.log-dirs", &n);
	ck_assert_int_eq(n, 0);
	ck_assert_ptr_null(list[0]);
	config_list_free(list);

	ck_assert_int_eq(config_set_arg(cfg, "nm.log-dirs= a ,b b,\tc", &cause), 0);
	list = config_get_list(cfg, "nm.log-dirs", NULL);
	ck_assert_str_eq(list[0], "a");
	ck_assert_str_eq(list[1], "b b");
	ck_assert_str_eq(list[2], "c");
	ck_assert_ptr_null(list[3]);
	config_list_free(list);
	config_list_free(NULL);
	ck_assert_ptr_null(cause);
	config_free(cfg);
}
END_TEST

START_TEST(test_enum)
{
	struct config *cfg = config_new();
	char *cause = NULL;

	ck_assert_str_eq(config_get(cfg, "rm.scheduler.placement"), "spread");
	ck_assert_int_eq(config_set_arg(cfg, "rm.scheduler.placement=pack", &cause), 0);
	ck_assert_str_eq(config_get(cfg, "rm.scheduler.placement"), "pack");
	ck_assert_int_eq(config_set_arg(cfg, "rm.scheduler.placement=spread", &cause), 0);
	/* Neither a prefix, nor the list separator, nor the empty word. */
	ck_assert_int_eq(config_set(cfg, "rm.scheduler.placement", "spr", NULL), -1);
	ck_assert_int_eq(config_set(cfg, "rm.scheduler.placement", "spread,pack", NULL), -1);
	ck_assert_int_eq(config_set(cfg, "rm.scheduler.placement", "", NULL), -1);
	ck_assert_int_eq(config_set(cfg, "log.level", "debug", NULL), 0);
	ck_assert_str_eq(config_get(cfg, "log.level"), "debug");
	ck_assert_ptr_null(cause);
	config_free(cfg);
}
END_TEST

START_TEST(test_load_env_dir)
{
	struct config *cfg = config_new();
	char *cause = NULL, *real, *other;

	free(write_file("weft.conf", "nm.rack = /from-env\n"));
	setenv("WEFT_CONF_DIR", tmp_dir, 1);
	ck_assert_int_eq(config_load(cfg, NULL, &cause), 0);
	ck_assert_str_eq(config_get(cfg, "nm.rack"), "/from-env");
	real = realpath(tmp_dir, NULL);
	ck_assert_str_eq(config_conf_dir(cfg), real);
	config_free(cfg);

	/* An explicit dir wins over the environment, and a dir without
	 * weft.conf leaves the defaults. */
	ck_assert_int_ge(asprintf(&other, "%s/empty", tmp_dir), 0);
	ck_assert_int_eq(mkdir(other, 0700), 0);
	cfg = config_new();
	ck_assert_int_eq(config_load(cfg, other, &cause), 0);
	ck_assert_str_eq(config_get(cfg, "nm.rack"), "/default-rack");
	ck_assert_ptr_null(cause);
	free(other);
	free(real);
	config_free(cfg);
}
END_TEST

START_TEST(test_load_relative_dir)
{
	struct config *cfg = config_new();
	char *cause = NULL, *real;

	free(write_file("weft.conf", "nm.rack = /rel\n"));
	ck_assert_int_eq(chdir(tmp_dir), 0);
	ck_assert_int_eq(config_load(cfg, ".", &cause), 0);
	real = realpath(tmp_dir, NULL);
	ck_assert_str_eq(config_conf_dir(cfg), real);
	ck_assert_str_eq(config_get(cfg, "nm.rack"), "/rel");
	free(real);
	config_free(cfg);
}
END_TEST

START_TEST(test_load_missing_dirs)
{
	struct config *cfg = config_new();
	char *cause = NULL, *missing, *expected, *file;

	ck_assert_int_ge(asprintf(&missing, "%s/absent", tmp_dir), 0);
	ck_assert_int_eq(config_load(cfg, missing, &cause), -1);
	ck_assert_int_ge(asprintf(&expected,
	                          "configuration directory %s: No such file or directory", missing),
	                 0);
	ck_assert_str_eq(cause, expected);
	free(expected);
	free(cause);

	setenv("WEFT_CONF_DIR", missing, 1);
	ck_assert_int_eq(config_load(cfg, NULL, &cause), -1);
	ck_assert_int_ge(
	        asprintf(&expected, "WEFT_CONF_DIR=%s: No such file or directory", missing), 0);
	ck_assert_str_eq(cause, expected);
	free(expected);
	free(cause);
	unsetenv("WEFT_CONF_DIR");

	file = write_file("plain", "");
	ck_assert_int_eq(config_load(cfg, file, &cause), -1);
	ck_assert_int_ge(asprintf(&expected, "configuration directory %s: not a directory", file),
	                 0);
	ck_assert_str_eq(cause, expected);
	free(expected);
	free(cause);
	free(file);
	free(missing);
	config_free(cfg);
}
END_TEST

/* A bad weft.conf in the chosen dir fails the load with its FILE:LINE. */
START_TEST(test_load_bad_file)
{
	struct config *cfg = config_new();
	char *cause = NULL, *real, *expected;

	free(write_file("weft.conf", "nm.rack = ok\nnm.vcores = 4\n"));
	ck_assert_int_eq(config_load(cfg, tmp_dir, &cause), -1);
	real = realpath(tmp_dir, NULL);
	ck_assert_int_ge(asprintf(&expected, "%s/weft.conf:2: unknown key 'nm.vcores'", real), 0);
	ck_assert_str_eq(cause, expected);
	free(expected);
	free(real);
	free(cause);
	config_free(cfg);
}
END_TEST

/* With no dir named, a program run from the build tree reads the source
 * tree's conf/ (which must itself load cleanly). */
START_TEST(test_load_default_dir)
{
	struct config *cfg = config_new();
	char *cause = NULL, *expected;

	ck_assert_int_eq(config_load(cfg, NULL, &cause), 0);
	ck_assert_ptr_null(cause);
#ifdef WEFT_SOURCE_CONF_DIR
	expected = realpath(WEFT_SOURCE_CONF_DIR, NULL);
	if (expected == NULL)
		expected = strdup(WEFT_SOURCE_CONF_DIR);
	ck_assert_str_eq(config_conf_dir(cfg), expected);
	free(expected);
#else
	(void)expected;
#endif
	config_free(cfg);
}
END_TEST

START_TEST(test_parse_size)
{
	ck_assert_int_eq(config_parse_size_mb("512"), 512);
	ck_assert_int_eq(config_parse_size_mb("0"), 0);
	ck_assert_int_eq(config_parse_size_mb("512m"), 512);
	ck_assert_int_eq(config_parse_size_mb("2048M"), 2048);
	ck_assert_int_eq(config_parse_size_mb("512mb"), 512);
	ck_assert_int_eq(config_parse_size_mb("512MiB"), 512);
	ck_assert_int_eq(config_parse_size_mb("2g"), 2048);
	ck_assert_int_eq(config_parse_size_mb("2GB"), 2048);
	ck_assert_int_eq(config_parse_size_mb("2gib"), 2048);
	ck_assert_int_eq(config_parse_size_mb("1t"), 1048576);
	ck_assert_int_eq(config_parse_size_mb("1024k"), 1);
	ck_assert_int_eq(config_parse_size_mb("1025k"), 2);
	ck_assert_int_eq(config_parse_size_mb("1k"), 1);
	ck_assert_int_eq(config_parse_size_mb("0k"), 0);
	ck_assert_int_eq(config_parse_size_mb("4096KB"), 4);
	ck_assert_int_eq(config_parse_size_mb(" 64m "), 64);

	ck_assert_int_eq(config_parse_size_mb(""), -1);
	ck_assert_int_eq(config_parse_size_mb("m"), -1);
	ck_assert_int_eq(config_parse_size_mb("-1"), -1);
	ck_assert_int_eq(config_parse_size_mb("+5"), -1);
	ck_assert_int_eq(config_parse_size_mb("1.5g"), -1);
	ck_assert_int_eq(config_parse_size_mb("12x"), -1);
	ck_assert_int_eq(config_parse_size_mb("12 m"), -1);
	ck_assert_int_eq(config_parse_size_mb("12mm"), -1);
	ck_assert_int_eq(config_parse_size_mb("12mbx"), -1);
	ck_assert_int_eq(config_parse_size_mb("12b"), -1);
	ck_assert_int_eq(config_parse_size_mb("12ib"), -1);
	ck_assert_int_eq(config_parse_size_mb("99999999999999999999"), -1);
	ck_assert_int_eq(config_parse_size_mb("9999999999999999t"), -1);
	ck_assert_int_eq(config_parse_size_mb("9223372036854775807g"), -1);
	ck_assert_int_eq(config_parse_size_mb(NULL), -1);
}
END_TEST

/* Reading an undeclared key, or a key with the wrong getter, is a
 * programming error: the program stops with exit status 1. */
START_TEST(test_get_undeclared_key_is_fatal)
{
	struct config *cfg = config_new();

	config_get(cfg, "rm.no-such-key");
	config_free(cfg);
}
END_TEST

START_TEST(test_get_wrong_type_is_fatal)
{
	struct config *cfg = config_new();

	config_get_int(cfg, "rm.address");
	config_free(cfg);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, run_setup, run_teardown);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_key_table);
	tcase_add_test(tc, test_file_every_type);
	tcase_add_test(tc, test_bool_words);
	tcase_add_test(tc, test_file_syntax_errors);
	tcase_add_test(tc, test_file_value_errors);
	tcase_add_test(tc, test_file_nul_byte);
	tcase_add_test(tc, test_file_error_applies_nothing);
	tcase_add_test(tc, test_file_missing);
	tcase_add_test(tc, test_later_file_wins);
	tcase_add_test(tc, test_define_overrides);
	tcase_add_test(tc, test_define_errors);
	tcase_add_test(tc, test_config_set);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_lists);
	tcase_add_test(tc, test_enum);
	tcase_add_test(tc, test_load_env_dir);
	tcase_add_test(tc, test_load_relative_dir);
	tcase_add_test(tc, test_load_missing_dirs);
	tcase_add_test(tc, test_load_bad_file);
	tcase_add_test(tc, test_load_default_dir);
	tcase_add_test(tc, test_parse_size);
	suite_add_tcase(s, tc);

	tc = tcase_create("fatal");
	tcase_add_exit_test(tc, test_get_undeclared_key_is_fatal, 1);
	tcase_add_exit_test(tc, test_get_wrong_type_is_fatal, 1);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
