/*
 * test_net.c — address parsing and formatting, wildcards, base URLs, host
 * names and the local address toward a peer (loopback only).
 */
#include "weft_config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/net.h"

/* Parse text and expect host and port. */
static void expect_parse(const char *text, const char *host, int port)
{
	char *h = NULL, *cause = NULL;
	int p = -1;

	ck_assert_msg(net_parse_address(text, &h, &p, &cause) == 0, "'%s': %s", text,
	              cause ? cause : "");
	ck_assert_str_eq(h, host);
	ck_assert_int_eq(p, port);
	free(h);
}

START_TEST(test_parse_good)
{
	expect_parse("127.0.0.1:8088", "127.0.0.1", 8088);
	expect_parse("0.0.0.0:0", "0.0.0.0", 0);
	expect_parse("rm.example.com:65535", "rm.example.com", 65535);
	expect_parse("localhost:1", "localhost", 1);
	expect_parse("[::1]:8042", "::1", 8042);
	expect_parse("[::]:8042", "::", 8042);
	expect_parse("[fe80::1%eth0]:80", "fe80::1%eth0", 80);
	expect_parse("*:8088", "*", 8088);
	expect_parse("h:00080", "h", 80);
}
END_TEST

START_TEST(test_parse_bad)
{
	static const char *bad[] = {
	        "",
	        "host",
	        "host:",
	        ":8088",
	        "host:65536",
	        "host:99999999999",
	        "host:-1",
	        "host:+80",
	        "host:80x",
	        "host:0x50",
	        "host :80",
	        "host: 80",
	        " host:80",
	        "host:80 ",
	        "ho st:80",
	        "host:80\n",
	        "::1:8080",
	        "[::1]",
	        "[::1]8080",
	        "[::1]:",
	        "[]:80",
	        "[::1:80",
	        "::1]:80",
	        "[[::1]]:80",
	        "http://host:80",
	        "user@host:80",
	        "host:80:90",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *h = NULL, *cause = NULL;
		int p = -1;

		ck_assert_msg(net_parse_address(bad[i], &h, &p, &cause) == -1, "accepted '%s'",
		              bad[i]);
		ck_assert_ptr_null(h);
		ck_assert_ptr_nonnull(cause);
		ck_assert_msg(strncmp(cause, "bad address '", 13) == 0, "cause '%s'", cause);
		free(cause);
	}
	{
		char *h = NULL, *cause = NULL;
		int p;
		ck_assert_int_eq(net_parse_address(NULL, &h, &p, &cause), -1);
		free(cause);
	}
}
END_TEST

START_TEST(test_format)
{
	char *s;

	s = net_format_address("127.0.0.1", 8088);
	ck_assert_str_eq(s, "127.0.0.1:8088");
	free(s);
	s = net_format_address("::1", 8042);
	ck_assert_str_eq(s, "[::1]:8042");
	free(s);
	s = net_format_address("node1.example.com", 0);
	ck_assert_str_eq(s, "node1.example.com:0");
	free(s);
}
END_TEST

START_TEST(test_format_parse_round_trip)
{
	static const char *hosts[] = {"10.1.2.3", "::1", "2001:db8::42", "h"};
	size_t i;

	for (i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
		char *text = net_format_address(hosts[i], 4242);
		expect_parse(text, hosts[i], 4242);
		free(text);
	}
}
END_TEST

START_TEST(test_wildcard)
{
	ck_assert(net_is_wildcard(""));
	ck_assert(net_is_wildcard("0.0.0.0"));
	ck_assert(net_is_wildcard("::"));
	ck_assert(net_is_wildcard("*"));
	ck_assert(net_is_wildcard(NULL));
	ck_assert(!net_is_wildcard("127.0.0.1"));
	ck_assert(!net_is_wildcard("::1"));
	ck_assert(!net_is_wildcard("localhost"));
	ck_assert(!net_is_wildcard("0.0.0.1"));
}
END_TEST

/* Expect net_url_for_address(address) == url. */
static void expect_url(const char *address, const char *url)
{
	char *cause = NULL, *u = net_url_for_address(address, &cause);

	ck_assert_msg(u != NULL, "%s: %s", address, cause ? cause : "");
	ck_assert_str_eq(u, url);
	free(u);
}

START_TEST(test_url_for_address)
{
	char *cause = NULL;

	expect_url("0.0.0.0:8088", "http://127.0.0.1:8088");
	expect_url("[::]:8088", "http://127.0.0.1:8088");
	expect_url("*:8088", "http://127.0.0.1:8088");
	expect_url("h:1", "http://h:1");
	expect_url("rm.example.com:8088", "http://rm.example.com:8088");
	expect_url("[::1]:8042", "http://[::1]:8042");
	expect_url("[2001:db8::1]:80", "http://[2001:db8::1]:80");
	ck_assert_ptr_null(net_url_for_address("nope", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "bad address"));
	free(cause);
}
END_TEST

START_TEST(test_hostname)
{
	char *h = net_hostname(), *a;

	ck_assert_ptr_nonnull(h);
	ck_assert_uint_gt(strlen(h), 0);
	a = net_advertised_host("0.0.0.0");
	ck_assert_str_eq(a, h);
	free(a);
	a = net_advertised_host("");
	ck_assert_str_eq(a, h);
	free(a);
	a = net_advertised_host("10.0.0.7");
	ck_assert_str_eq(a, "10.0.0.7");
	free(a);
	free(h);
}
END_TEST

START_TEST(test_local_address_for_loopback)
{
	char *cause = NULL, *a;

	a = net_local_address_for("127.0.0.1", 8088, &cause);
	ck_assert_msg(a != NULL, "%s", cause ? cause : "");
	ck_assert_str_eq(a, "127.0.0.1");
	free(a);
	/* Port 0 (not dialable) still finds the route. */
	a = net_local_address_for("127.0.0.1", 0, &cause);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a, "127.0.0.1");
	free(a);
}
END_TEST

START_TEST(test_is_local_host)
{
	ck_assert(net_is_local_host("0.0.0.0"));
	ck_assert(net_is_local_host("127.0.0.1"));
	ck_assert(net_is_local_host("localhost"));
	/* TEST-NET-1 (RFC 5737): never an address of this host. */
	ck_assert(!net_is_local_host("192.0.2.7"));
	ck_assert(!net_is_local_host("no-such-host.invalid"));
}
END_TEST

START_TEST(test_local_address_for_bad)
{
	char *cause = NULL;

	ck_assert_ptr_null(net_local_address_for("", 80, &cause));
	ck_assert_ptr_nonnull(cause);
	free(cause);
}
END_TEST

static Suite *net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_good);
	tcase_add_test(tc, test_is_local_host);
	tcase_add_test(tc, test_parse_bad);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_format_parse_round_trip);
	tcase_add_test(tc, test_wildcard);
	tcase_add_test(tc, test_url_for_address);
	tcase_add_test(tc, test_hostname);
	tcase_add_test(tc, test_local_address_for_loopback);
	tcase_add_test(tc, test_local_address_for_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(net_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
