/*
 * test_ids.c — YARN id formats: formatting widths, round trips, and every
 * shape the parsers must refuse.
 */
#include "weft_config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weft/ids.h"

START_TEST(test_app_format_width)
{
	char buf[WEFT_ID_MAX];
	weft_app_id_t a = {1700000000000LL, 7};
	weft_app_id_t b = {1700000000000LL, 123456};

	ck_assert_str_eq(weft_app_id_format(&a, buf), "application_1700000000000_0007");
	ck_assert_str_eq(weft_app_id_format(&b, buf), "application_1700000000000_123456");
}
END_TEST

START_TEST(test_attempt_format_width)
{
	char buf[WEFT_ID_MAX];
	weft_attempt_id_t a = {{1700000000000LL, 7}, 1};
	weft_attempt_id_t b = {{1700000000000LL, 10000}, 1234567};

	ck_assert_str_eq(weft_attempt_id_format(&a, buf), "appattempt_1700000000000_0007_000001");
	ck_assert_str_eq(weft_attempt_id_format(&b, buf), "appattempt_1700000000000_10000_1234567");
}
END_TEST

START_TEST(test_container_format_width)
{
	char buf[WEFT_ID_MAX];
	weft_container_id_t a = {{{1700000000000LL, 7}, 1}, 1};
	weft_container_id_t b = {{{1700000000000LL, 12345}, 123}, 1234567};

	ck_assert_str_eq(weft_container_id_format(&a, buf),
	                 "container_1700000000000_0007_01_000001");
	ck_assert_str_eq(weft_container_id_format(&b, buf),
	                 "container_1700000000000_12345_123_1234567");
}
END_TEST

START_TEST(test_max_values_fit)
{
	char buf[WEFT_ID_MAX];
	weft_container_id_t c = {{{INT64_MAX, INT32_MAX}, INT32_MAX}, INT64_MAX};
	weft_attempt_id_t a = {{INT64_MAX, INT32_MAX}, INT32_MAX};

	ck_assert_uint_lt(strlen(weft_container_id_format(&c, buf)), WEFT_ID_MAX);
	ck_assert_uint_lt(strlen(weft_attempt_id_format(&a, buf)), WEFT_ID_MAX);
}
END_TEST

START_TEST(test_round_trips)
{
	static const char *apps[] = {"application_1700000000000_0001", "application_1_9999",
	                             "application_1_10000",
	                             "application_9223372036854775807_2147483647"};
	static const char *attempts[] = {"appattempt_1700000000000_0001_000001",
	                                 "appattempt_5_0042_000002", "appattempt_5_0042_1000000"};
	static const char *containers[] = {"container_1700000000000_0001_01_000001",
	                                   "container_5_0042_02_999999",
	                                   "container_5_0042_02_1000000",
	                                   "container_5_0042_100_000003",
	                                   "container_e17_1700000000000_0001_01_000001",
	                                   "container_e1234_5_0001_01_000042"};
	char buf[WEFT_ID_MAX];
	size_t i;

	for (i = 0; i < sizeof apps / sizeof apps[0]; i++) {
		weft_app_id_t id;
		ck_assert_msg(weft_app_id_parse(apps[i], &id) == 0, "%s", apps[i]);
		ck_assert_str_eq(weft_app_id_format(&id, buf), apps[i]);
	}
	for (i = 0; i < sizeof attempts / sizeof attempts[0]; i++) {
		weft_attempt_id_t id;
		ck_assert_msg(weft_attempt_id_parse(attempts[i], &id) == 0, "%s", attempts[i]);
		ck_assert_str_eq(weft_attempt_id_format(&id, buf), attempts[i]);
	}
	for (i = 0; i < sizeof containers / sizeof containers[0]; i++) {
		weft_container_id_t id;
		ck_assert_msg(weft_container_id_parse(containers[i], &id) == 0, "%s",
		              containers[i]);
		ck_assert_str_eq(weft_container_id_format(&id, buf), containers[i]);
	}
}
END_TEST

START_TEST(test_parse_fields)
{
	weft_app_id_t app;
	weft_attempt_id_t att;
	weft_container_id_t c;

	ck_assert_int_eq(weft_app_id_parse("application_1700000000000_0042", &app), 0);
	ck_assert_int_eq(app.cluster_ts, 1700000000000LL);
	ck_assert_int_eq(app.seq, 42);

	ck_assert_int_eq(weft_attempt_id_parse("appattempt_1700000000000_0042_000003", &att), 0);
	ck_assert_int_eq(att.app.cluster_ts, 1700000000000LL);
	ck_assert_int_eq(att.app.seq, 42);
	ck_assert_int_eq(att.attempt, 3);

	ck_assert_int_eq(weft_container_id_parse("container_1700000000000_0042_03_000017", &c), 0);
	ck_assert_int_eq(c.attempt.app.cluster_ts, 1700000000000LL);
	ck_assert_int_eq(c.attempt.app.seq, 42);
	ck_assert_int_eq(c.attempt.attempt, 3);
	ck_assert_int_eq(c.seq, 17);

	/* The epoch lives above bit 40 of the sequence, as in YARN. */
	ck_assert_int_eq(weft_container_id_parse("container_e3_1700000000000_0042_03_000017", &c),
	                 -1); /* not canonical: YARN prints e03 */
	ck_assert_int_eq(weft_container_id_parse("container_e03_1700000000000_0042_03_000017", &c),
	                 0);
	ck_assert_int_eq(c.seq, (INT64_C(3) << 40) | 17);
}
END_TEST

START_TEST(test_equal)
{
	weft_app_id_t a = {1, 2}, b = {1, 2}, c = {1, 3}, d = {2, 2};

	ck_assert(weft_app_id_equal(&a, &b));
	ck_assert(!weft_app_id_equal(&a, &c));
	ck_assert(!weft_app_id_equal(&a, &d));
}
END_TEST

START_TEST(test_app_rejects)
{
	static const char *bad[] = {
	        "",
	        "application",
	        "application_",
	        "application__0001",
	        "application_1700000000000",
	        "application_1700000000000_",
	        "application_1700000000000_0000", /* seq must be >= 1 */
	        "application_0_0001",             /* cluster ts must be > 0 */
	        "application_+1700000000000_0001",
	        "application_-1700000000000_0001",
	        "application_1700000000000_-001",
	        "application_1700000000000_+001",
	        "application_ 1700000000000_0001",
	        "application_1700000000000_0001 ",
	        " application_1700000000000_0001",
	        "application_1700000000000_0001\n",
	        "application_1700000000000_0001x",
	        "application_1700000000000_0001_",
	        "application_1700000000000_0001_000001",
	        "application_1700000000000_1",     /* not canonical: width 4 */
	        "application_1700000000000_00001", /* not canonical: extra zero */
	        "application_01700000000000_0001",
	        "application_1700000000000_2147483648", /* int32 overflow */
	        "application_9223372036854775808_0001", /* int64 overflow */
	        "application_99999999999999999999999_0001",
	        "Application_1700000000000_0001",
	        "app_1700000000000_0001",
	        "appattempt_1700000000000_0001_000001",
	        "application_0x10_0001",
	        "application_1e3_0001",
	        "application_1700000000000__0001",
	};
	weft_app_id_t id = {77, 77};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(weft_app_id_parse(bad[i], &id) == -1, "accepted '%s'", bad[i]);
	ck_assert_int_eq(weft_app_id_parse(NULL, &id), -1);
	/* Failure leaves *out untouched. */
	ck_assert_int_eq(id.cluster_ts, 77);
	ck_assert_int_eq(id.seq, 77);
}
END_TEST

START_TEST(test_attempt_rejects)
{
	static const char *bad[] = {
	        "appattempt_1700000000000_0001",
	        "appattempt_1700000000000_0001_",
	        "appattempt_1700000000000_0001_000000", /* attempt must be >= 1 */
	        "appattempt_1700000000000_0000_000001",
	        "appattempt_0_0001_000001",
	        "appattempt_1700000000000_0001_00001", /* width 6 */
	        "appattempt_1700000000000_0001_0000001",
	        "appattempt_1700000000000_0001_-00001",
	        "appattempt_1700000000000_0001_+00001",
	        "appattempt_1700000000000_0001_000001 ",
	        "appattempt_1700000000000_0001_000001_",
	        "appattempt_1700000000000_0001_000001x",
	        "appattempt_1700000000000_0001_2147483648",
	        "appattempt__0001_000001",
	        "application_1700000000000_0001",
	        "container_1700000000000_0001_01_000001",
	        "appattempt_1700000000000_0001_ 00001",
	};
	weft_attempt_id_t id;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(weft_attempt_id_parse(bad[i], &id) == -1, "accepted '%s'", bad[i]);
	ck_assert_int_eq(weft_attempt_id_parse(NULL, &id), -1);
}
END_TEST

START_TEST(test_container_rejects)
{
	static const char *bad[] = {
	        "container_1700000000000_0001_01",
	        "container_1700000000000_0001_01_",
	        "container_1700000000000_0001_00_000001", /* attempt >= 1 */
	        "container_1700000000000_0001_01_000000", /* seq >= 1 */
	        "container_1700000000000_0000_01_000001",
	        "container_0_0001_01_000001",
	        "container_1700000000000_0001_1_000001", /* width 2 */
	        "container_1700000000000_0001_01_00001", /* width 6 */
	        "container_1700000000000_0001_001_000001",
	        "container_1700000000000_0001_01_-00001",
	        "container_1700000000000_0001_01_000001 ",
	        "container_1700000000000_0001_01_000001_",
	        "container_1700000000000_0001_01_000001x",
	        "container_e_1700000000000_0001_01_000001",
	        "container_e00_1700000000000_0001_01_000001",
	        "container_e-1_1700000000000_0001_01_000001",
	        "container_e17__1700000000000_0001_01_000001",
	        "container_e17",
	        "container_x17_1700000000000_0001_01_000001",
	        "container_1700000000000_0001_01_1099511627776", /* > 40 bits */
	        "container_e99999999_1700000000000_0001_01_000001",
	        "container_1700000000000_0001_2147483648_000001",
	        "container__0001_01_000001",
	        "container_",
	        "container",
	        "application_1700000000000_0001",
	};
	weft_container_id_t id;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(weft_container_id_parse(bad[i], &id) == -1, "accepted '%s'", bad[i]);
	ck_assert_int_eq(weft_container_id_parse(NULL, &id), -1);
}
END_TEST

static Suite *ids_suite(void)
{
	Suite *s = suite_create("ids");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_app_format_width);
	tcase_add_test(tc, test_attempt_format_width);
	tcase_add_test(tc, test_container_format_width);
	tcase_add_test(tc, test_max_values_fit);
	tcase_add_test(tc, test_round_trips);
	tcase_add_test(tc, test_parse_fields);
	tcase_add_test(tc, test_equal);
	tcase_add_test(tc, test_app_rejects);
	tcase_add_test(tc, test_attempt_rejects);
	tcase_add_test(tc, test_container_rejects);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ids_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
