/*
 * test_cli_rest.c — where the RM is (--master forms, rm.address and its
 * lists, rm.hostname) and user names.
 */
#include "weft_config.h"

#include <check.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/rest.h"
#include "common/config.h"

/* Resolve master against a configuration with the given -D settings. */
static int resolve(const char *master, const char *d1, const char *d2, struct rest_master *m,
                   char **cause)
{
	struct config *cfg = config_new();
	int rc;

	if (d1 != NULL)
		ck_assert_int_eq(config_set_arg(cfg, d1, NULL), 0);
	if (d2 != NULL)
		ck_assert_int_eq(config_set_arg(cfg, d2, NULL), 0);
	*cause = NULL;
	rc = rest_master_resolve(master, cfg, m, cause);
	config_free(cfg);
	return rc;
}

START_TEST(master_forms)
{
	static const struct {
		const char *master, *url, *host;
		int port;
	} ok[] = {
	        {"weft://rm.example:8088", "http://rm.example:8088", "rm.example", 8088},
	        {"http://10.0.0.5:9000/", "http://10.0.0.5:9000", "10.0.0.5", 9000},
	        {"rm:1234", "http://rm:1234", "rm", 1234},
	        {"weft://0.0.0.0:8088", "http://127.0.0.1:8088", "127.0.0.1", 8088},
	        {"weft://[::1]:8088", "http://[::1]:8088", "::1", 8088},
	};
	struct rest_master m;
	char *cause;

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		ck_assert_msg(resolve(ok[i].master, NULL, NULL, &m, &cause) == 0, "%s: %s",
		              ok[i].master, cause);
		ck_assert_str_eq(m.addresses, ok[i].url);
		ck_assert_str_eq(m.host, ok[i].host);
		ck_assert_int_eq(m.port, ok[i].port);
		rest_master_clear(&m);
	}
}
END_TEST

START_TEST(master_bad)
{
	static const char *const bad[] = {
	        "https://rm:8088", "ftp://rm:21", "weft://rm",   "weft://rm:8088/x",
	        "weft://",         "rm:99999",    "weft://rm:0", "rm",
	};
	struct rest_master m;
	char *cause;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(resolve(bad[i], NULL, NULL, &m, &cause) == -1, "%s accepted", bad[i]);
		ck_assert_ptr_nonnull(cause);
		ck_assert_msg(strstr(cause, "--master") != NULL, "%s: %s", bad[i], cause);
		free(cause);
	}
}
END_TEST

START_TEST(master_from_config)
{
	struct rest_master m;
	char *cause;

	/* The default rm.address binds every interface: this host. */
	ck_assert_int_eq(resolve(NULL, NULL, NULL, &m, &cause), 0);
	ck_assert_str_eq(m.addresses, "http://127.0.0.1:8088");
	rest_master_clear(&m);
	ck_assert_int_eq(resolve(NULL, "rm.address=rmhost:9999", NULL, &m, &cause), 0);
	ck_assert_str_eq(m.addresses, "http://rmhost:9999");
	ck_assert_str_eq(m.host, "rmhost");
	rest_master_clear(&m);
	/* A wildcard bind plus rm.hostname: clients go to the named host. */
	ck_assert_int_eq(resolve(NULL, "rm.address=0.0.0.0:8100", "rm.hostname=rm.lan", &m, &cause),
	                 0);
	ck_assert_str_eq(m.addresses, "http://rm.lan:8100");
	rest_master_clear(&m);
	/* --master wins over the configuration. */
	ck_assert_int_eq(resolve("weft://other:1", "rm.address=rmhost:9999", NULL, &m, &cause), 0);
	ck_assert_str_eq(m.addresses, "http://other:1");
	rest_master_clear(&m);
	/* Port 0 ("pick one") is for the RM's bind, not for clients. */
	ck_assert_int_eq(resolve(NULL, "rm.address=127.0.0.1:0", NULL, &m, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "rm.address"));
	free(cause);
}
END_TEST

START_TEST(user_names)
{
	char *u;

	ck_assert(rest_user_name_valid("alice"));
	ck_assert(rest_user_name_valid("a.b_c-d9"));
	ck_assert(!rest_user_name_valid(""));
	ck_assert(!rest_user_name_valid("a b"));
	ck_assert(!rest_user_name_valid("a&user.name=root"));
	ck_assert(!rest_user_name_valid("abcdefghijklmnopqrstuvwxyz0123456"));

	setenv("USER", "carol", 1);
	u = rest_user_name();
	ck_assert_str_eq(u, "carol");
	free(u);
	setenv("USER", "not valid", 1);
	setenv("LOGNAME", "dave", 1);
	u = rest_user_name();
	ck_assert_str_eq(u, "dave");
	free(u);
	unsetenv("USER");
	unsetenv("LOGNAME");
	/* Then the account of the real uid, as YARN takes the OS user. */
	u = rest_user_name();
	if (getpwuid(getuid()) != NULL && rest_user_name_valid(getpwuid(getuid())->pw_name))
		ck_assert_str_eq(u, getpwuid(getuid())->pw_name);
	else
		ck_assert_ptr_null(u);
	free(u);
}
END_TEST

START_TEST(several_rms)
{
	struct rest_master m;
	char *cause;

	/* rm.address names several RMs: every one goes to the client, each
	 * read as one would be; the first gives the host. */
	ck_assert_int_eq(resolve(NULL, "rm.address=0.0.0.0:8100, rm2:8088", "rm.hostname=rm.lan",
	                         &m, &cause),
	                 0);
	ck_assert_str_eq(m.addresses, "http://rm.lan:8100,http://rm2:8088");
	ck_assert_str_eq(m.host, "rm.lan");
	ck_assert_int_eq(m.port, 8100);
	rest_master_clear(&m);
	ck_assert_int_eq(resolve(NULL, "rm.address=rm1:1,0.0.0.0:2", NULL, &m, &cause), 0);
	ck_assert_str_eq(m.addresses, "http://rm1:1,http://127.0.0.1:2");
	rest_master_clear(&m);
	/* Port 0 anywhere in the list is refused, naming the key. */
	ck_assert_int_eq(resolve(NULL, "rm.address=rm1:1,rm2:0", NULL, &m, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "rm.address: 'rm2:0'"));
	free(cause);
	ck_assert_int_eq(resolve(NULL, NULL, "rm.rpc-address=a:1,b:2", &m, &cause), 0);
	rest_master_clear(&m);
}
END_TEST

static Suite *rest_suite(void)
{
	Suite *s = suite_create("cli_rest");
	TCase *tc = tcase_create("rest");

	tcase_add_test(tc, master_forms);
	tcase_add_test(tc, master_bad);
	tcase_add_test(tc, master_from_config);
	tcase_add_test(tc, user_names);
	tcase_add_test(tc, several_rms);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rest_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
