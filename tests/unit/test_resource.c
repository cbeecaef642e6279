/*
 * test_resource.c — resource arithmetic, YARN normalization, dominant
 * share and how many containers fit.
 */
#include "weft_config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "weft/resource.h"

#define R(m, v) weft_resource((m), (v))
#define ck_assert_res(a, m, v)                                                                     \
	do {                                                                                       \
		weft_resource_t r_ = (a);                                                          \
		ck_assert_int_eq(r_.memory_mb, (m));                                               \
		ck_assert_int_eq(r_.vcores, (v));                                                  \
	} while (0)

START_TEST(test_arithmetic)
{
	ck_assert_res(weft_resource_add(R(1024, 1), R(2048, 3)), 3072, 4);
	ck_assert_res(weft_resource_sub(R(1024, 1), R(2048, 3)), -1024, -2);
	ck_assert_res(weft_resource_scale(R(512, 2), 3), 1536, 6);
	ck_assert_res(weft_resource_scale(R(512, 2), 0), 0, 0);
	ck_assert_res(weft_resource_min(R(100, 8), R(200, 4)), 100, 4);
	ck_assert_res(weft_resource_max(R(100, 8), R(200, 4)), 200, 8);
	ck_assert(weft_resource_is_zero(R(0, 0)));
	ck_assert(!weft_resource_is_zero(R(0, 1)));
	ck_assert(!weft_resource_is_zero(R(1, 0)));
	ck_assert(weft_resource_any_negative(R(-1, 5)));
	ck_assert(weft_resource_any_negative(R(5, -1)));
	ck_assert(!weft_resource_any_negative(R(0, 0)));
	ck_assert(weft_resource_equal(R(3, 4), R(3, 4)));
	ck_assert(!weft_resource_equal(R(3, 4), R(3, 5)));
	ck_assert(!weft_resource_equal(R(3, 4), R(2, 4)));
}
END_TEST

START_TEST(test_fits)
{
	ck_assert(weft_resource_fits(R(1024, 1), R(1024, 1)));
	ck_assert(weft_resource_fits(R(1024, 1), R(8192, 8)));
	ck_assert(!weft_resource_fits(R(1025, 1), R(1024, 8)));
	ck_assert(!weft_resource_fits(R(1024, 9), R(8192, 8)));
	ck_assert(weft_resource_fits(R(0, 0), R(0, 0)));
	ck_assert(!weft_resource_fits(R(1, 0), R(0, 0)));
}
END_TEST

START_TEST(test_normalize_rounds_up)
{
	weft_resource_t min = R(1024, 1), max = R(8192, 4), out;

	ck_assert_int_eq(weft_resource_normalize(R(1500, 1), min, max, &out), 0);
	ck_assert_res(out, 2048, 1);
	ck_assert_int_eq(weft_resource_normalize(R(1024, 2), min, max, &out), 0);
	ck_assert_res(out, 1024, 2);
	ck_assert_int_eq(weft_resource_normalize(R(1, 3), min, max, &out), 0);
	ck_assert_res(out, 1024, 3);
	ck_assert_int_eq(weft_resource_normalize(R(8192, 4), min, max, &out), 0);
	ck_assert_res(out, 8192, 4);
	ck_assert_int_eq(weft_resource_normalize(R(8000, 4), min, max, &out), 0);
	ck_assert_res(out, 8192, 4);

	/* vcores rounded to a minimum of 2 as well */
	ck_assert_int_eq(weft_resource_normalize(R(100, 3), R(256, 2), R(4096, 8), &out), 0);
	ck_assert_res(out, 256, 4);
}
END_TEST

START_TEST(test_normalize_zero_and_negative)
{
	weft_resource_t min = R(1024, 1), max = R(8192, 4), out;

	ck_assert_int_eq(weft_resource_normalize(R(0, 0), min, max, &out), 0);
	ck_assert_res(out, 1024, 1);
	ck_assert_int_eq(weft_resource_normalize(R(-5, -1), min, max, &out), 0);
	ck_assert_res(out, 1024, 1);
	ck_assert_int_eq(weft_resource_normalize(R(INT64_MIN, 2), min, max, &out), 0);
	ck_assert_res(out, 1024, 2);
}
END_TEST

START_TEST(test_normalize_above_max)
{
	weft_resource_t min = R(1024, 1), max = R(8192, 4), out = R(7, 7);

	ck_assert_int_eq(weft_resource_normalize(R(8193, 1), min, max, &out), -1);
	ck_assert_int_eq(weft_resource_normalize(R(1024, 5), min, max, &out), -1);
	ck_assert_int_eq(weft_resource_normalize(R(INT64_MAX, 1), min, max, &out), -1);
	/* Not capped, and *out untouched. */
	ck_assert_res(out, 7, 7);
	/* A maximum that is not a multiple of the minimum: rounding up past it
	 * is refused too. */
	ck_assert_int_eq(weft_resource_normalize(R(9300, 1), min, R(9500, 4), &out), -1);
	/* Huge maximum: no overflow while rounding. */
	ck_assert_int_eq(
	        weft_resource_normalize(R(INT64_MAX - 1, 1), R(1024, 1), R(INT64_MAX, 4), &out),
	        -1);
}
END_TEST

START_TEST(test_dominant_share)
{
	weft_resource_t total = R(10000, 10);

	ck_assert_double_eq_tol(weft_resource_dominant_share(R(5000, 1), total), 0.5, 1e-9);
	ck_assert_double_eq_tol(weft_resource_dominant_share(R(1000, 8), total), 0.8, 1e-9);
	ck_assert_double_eq_tol(weft_resource_dominant_share(R(0, 0), total), 0.0, 1e-9);
	ck_assert_double_eq_tol(weft_resource_dominant_share(R(10000, 10), total), 1.0, 1e-9);
	/* A dimension the cluster does not have counts as zero. */
	ck_assert_double_eq_tol(weft_resource_dominant_share(R(2500, 3), R(10000, 0)), 0.25, 1e-9);
	ck_assert_double_eq_tol(weft_resource_dominant_share(R(2500, 3), R(0, 0)), 0.0, 1e-9);
}
END_TEST

START_TEST(test_count_fits)
{
	ck_assert_int_eq(weft_resource_count_fits(R(1024, 1), R(8192, 8)), 8);
	ck_assert_int_eq(weft_resource_count_fits(R(1024, 2), R(8192, 8)), 4);
	ck_assert_int_eq(weft_resource_count_fits(R(3000, 1), R(8192, 8)), 2);
	ck_assert_int_eq(weft_resource_count_fits(R(1024, 1), R(1023, 8)), 0);
	ck_assert_int_eq(weft_resource_count_fits(R(0, 1), R(8192, 3)), 3);
	ck_assert_int_eq(weft_resource_count_fits(R(1024, 0), R(4096, 0)), 4);
	ck_assert_int_eq(weft_resource_count_fits(R(0, 0), R(8192, 8)), 0);
	ck_assert_int_eq(weft_resource_count_fits(R(1024, 1), R(-1, 8)), 0);
	ck_assert_int_eq(weft_resource_count_fits(R(-1024, 1), R(8192, 8)), 0);
}
END_TEST

START_TEST(test_format)
{
	char buf[64];

	ck_assert_str_eq(weft_resource_format(R(1024, 1), buf, sizeof buf),
	                 "<memory:1024, vCores:1>");
	ck_assert_str_eq(weft_resource_format(R(-5, 0), buf, sizeof buf), "<memory:-5, vCores:0>");
	/* Truncates rather than overruns a short buffer. */
	ck_assert_str_eq(weft_resource_format(R(1024, 1), buf, 8), "<memory");
}
END_TEST

static Suite *resource_suite(void)
{
	Suite *s = suite_create("resource");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_arithmetic);
	tcase_add_test(tc, test_fits);
	tcase_add_test(tc, test_normalize_rounds_up);
	tcase_add_test(tc, test_normalize_zero_and_negative);
	tcase_add_test(tc, test_normalize_above_max);
	tcase_add_test(tc, test_dominant_share);
	tcase_add_test(tc, test_count_fits);
	tcase_add_test(tc, test_format);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(resource_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
