/*
 * test_parse.c — strict integers and sizes (common/parse.c): what strtoll
 * and strtod would let through (spaces, '+', hex, nan, inf, overflow) is
 * refused, the limits themselves are exact.
 */
#include "weft_config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/parse.h"

/* parse_int64 over [INT64_MIN, INT64_MAX]; RET its result, *out set. */
static int int64_of(const char *text, int64_t *out)
{
	return parse_int64(text, INT64_MIN, INT64_MAX, out, NULL);
}

START_TEST(test_int64_strict)
{
	static const char *const bad[] = {"",
	                                  " 1",
	                                  "1 ",
	                                  "+1",
	                                  "0x10",
	                                  "1e3",
	                                  "nan",
	                                  "inf",
	                                  "-",
	                                  "--1",
	                                  "1-",
	                                  "1.0",
	                                  "9223372036854775808",
	                                  "-9223372036854775809",
	                                  "99999999999999999999999"};
	char *cause = NULL;
	int64_t v = 0;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(int64_of(bad[i], &v) == -1, "accepted \"%s\"", bad[i]);
	ck_assert_int_eq(int64_of("9223372036854775807", &v), 0);
	ck_assert(v == INT64_MAX);
	ck_assert_int_eq(int64_of("-9223372036854775808", &v), 0);
	ck_assert(v == INT64_MIN);
	ck_assert_int_eq(int64_of("-0", &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(int64_of("0042", &v), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(parse_int64("12x", 0, 100, &v, &cause), -1);
	ck_assert_str_eq(cause, "\"12x\" is not a whole number");
	free(cause);
	ck_assert_int_eq(parse_int64("101", 0, 100, &v, &cause), -1);
	ck_assert_str_eq(cause, "101 is out of range [0, 100]");
	free(cause);
	ck_assert_int_eq(parse_int64(NULL, 0, 100, &v, NULL), -1);
}
END_TEST

START_TEST(test_size_strict)
{
	static const char *const bad[] = {"",    "nan",  "inf",   "-1",  "-0", "+1",    "1e3",
	                                  " 1k", "1k ",  "1 k",   "0x1", "1.", ".5",    "1..5",
	                                  "1kk", "1kbb", "1kibb", "1p",  "k",  "1.5.5", "1bk"};
	char *cause = NULL;
	int64_t v = 0;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(parse_size(bad[i], 1, 0, INT64_MAX, &v, &cause) == -1,
		              "accepted \"%s\"", bad[i]);
		ck_assert_msg(strstr(cause, "is not a size") != NULL, "%s", cause);
		free(cause);
	}
	ck_assert_int_eq(parse_size("4096", 1, 0, INT64_MAX, &v, NULL), 0);
	ck_assert_int_eq(v, 4096);
	ck_assert_int_eq(parse_size("4096b", 1, 0, INT64_MAX, &v, NULL), 0);
	ck_assert_int_eq(v, 4096);
	ck_assert_int_eq(parse_size("64m", 1, 0, INT64_MAX, &v, NULL), 0);
	ck_assert_int_eq(v, 64 << 20);
	ck_assert_int_eq(parse_size("2GiB", 1, 0, INT64_MAX, &v, NULL), 0);
	ck_assert(v == (int64_t)2 << 30);
	ck_assert_int_eq(parse_size("1.5K", 1, 0, INT64_MAX, &v, NULL), 0);
	ck_assert_int_eq(v, 1536);
	ck_assert_int_eq(parse_size("0.3k", 1, 0, INT64_MAX, &v, NULL), 0);
	ck_assert_int_eq(v, 307); /* 307.2 rounded down */
	ck_assert_int_eq(parse_size("0.99999999999999999999999999t", 1, 0, INT64_MAX, &v, NULL), 0);
	ck_assert(v == ((int64_t)1 << 40) - 1);
	/* A bare number in units of MiB (config sizes). */
	ck_assert_int_eq(parse_size("512", PARSE_MIB, 0, INT64_MAX, &v, NULL), 0);
	ck_assert(v == (int64_t)512 << 20);
	/* The largest size, and one past it through every unit. */
	ck_assert_int_eq(parse_size("9223372036854775807", 1, 0, INT64_MAX, &v, NULL), 0);
	ck_assert(v == INT64_MAX);
	ck_assert_int_eq(parse_size("9223372036854775808", 1, 0, INT64_MAX, &v, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "is out of range"));
	free(cause);
	ck_assert_int_eq(parse_size("8388607t", 1, 0, INT64_MAX, &v, NULL), 0);
	ck_assert_int_eq(parse_size("8388608t", 1, 0, INT64_MAX, &v, NULL), -1);
	ck_assert_int_eq(parse_size("8388607.99999t", 1, 0, INT64_MAX, &v, NULL), 0);
	ck_assert_int_eq(parse_size("8589934592g", 1, 0, INT64_MAX, &v, NULL), -1);
	ck_assert_int_eq(parse_size("9007199254740992k", 1, 0, INT64_MAX, &v, NULL), -1);
	/* [min, max] in bytes. */
	ck_assert_int_eq(parse_size("0", 1, 1, 100, &v, &cause), -1);
	ck_assert_str_eq(cause, "\"0\" (0 bytes) is out of range [1, 100]");
	free(cause);
	ck_assert_int_eq(parse_size("1k", 1, 1, 100, &v, NULL), -1);
	ck_assert_int_eq(parse_size(NULL, 1, 1, 100, &v, NULL), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_int64_strict);
	tcase_add_test(tc, test_size_strict);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
