/*
 * test_replay.c — the replay cache: a nonce is fresh once, forgotten only
 * after its expiry, and a full cache refuses rather than forgets.
 */
#include "weft_config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/replay.h"
#include "testlib.h"

#define NOW 1700000000000LL

/* A distinct nonce per i (the bucket bytes vary too). */
static void nonce_of(unsigned i, unsigned char out[REPLAY_NONCE_BYTES])
{
	memset(out, 0xa5, REPLAY_NONCE_BYTES);
	memcpy(out, &i, sizeof i);
	memcpy(out + REPLAY_NONCE_BYTES - sizeof i, &i, sizeof i);
}

START_TEST(test_duplicate_refused)
{
	struct replay_cache *rc = replay_cache_new(16);
	unsigned char a[REPLAY_NONCE_BYTES], b[REPLAY_NONCE_BYTES];

	nonce_of(1, a);
	nonce_of(2, b);
	ck_assert_int_eq(replay_cache_check(rc, a, NOW + 1000, NOW), REPLAY_FRESH);
	ck_assert_int_eq(replay_cache_check(rc, a, NOW + 1000, NOW), REPLAY_SEEN);
	ck_assert_int_eq(replay_cache_check(rc, a, NOW + 5000, NOW + 999), REPLAY_SEEN);
	ck_assert_int_eq(replay_cache_check(rc, b, NOW + 1000, NOW), REPLAY_FRESH);
	/* Differs from a in its last byte only. */
	b[0] = a[0];
	b[1] = a[1];
	b[2] = a[2];
	b[3] = a[3];
	b[REPLAY_NONCE_BYTES - 1] ^= 1;
	ck_assert_int_eq(replay_cache_check(rc, b, NOW + 1000, NOW), REPLAY_FRESH);
	ck_assert_uint_eq(replay_cache_size(rc), 3);
	replay_cache_free(rc);
}
END_TEST

START_TEST(test_expiry)
{
	struct replay_cache *rc = replay_cache_new(16);
	unsigned char a[REPLAY_NONCE_BYTES], b[REPLAY_NONCE_BYTES], c[REPLAY_NONCE_BYTES];

	nonce_of(1, a);
	nonce_of(2, b);
	nonce_of(3, c);
	ck_assert_int_eq(replay_cache_check(rc, a, NOW + 100, NOW), REPLAY_FRESH);
	ck_assert_int_eq(replay_cache_check(rc, b, NOW + 200, NOW), REPLAY_FRESH);
	/* At its expiry a is gone (usable again: the caller's clock check
	 * refuses it by then); b is not. */
	ck_assert_int_eq(replay_cache_check(rc, c, NOW + 300, NOW + 100), REPLAY_FRESH);
	ck_assert_uint_eq(replay_cache_size(rc), 2);
	ck_assert_int_eq(replay_cache_check(rc, b, NOW + 200, NOW + 199), REPLAY_SEEN);
	ck_assert_int_eq(replay_cache_check(rc, a, NOW + 400, NOW + 100), REPLAY_FRESH);
	/* Everything expires. */
	ck_assert_int_eq(replay_cache_check(rc, b, NOW + 2000, NOW + 1000), REPLAY_FRESH);
	ck_assert_uint_eq(replay_cache_size(rc), 1);
	replay_cache_free(rc);
}
END_TEST

/* Out-of-order expiries: a later entry is never dropped before its time. */
START_TEST(test_expiry_out_of_order)
{
	struct replay_cache *rc = replay_cache_new(16);
	unsigned char a[REPLAY_NONCE_BYTES], b[REPLAY_NONCE_BYTES], c[REPLAY_NONCE_BYTES];

	nonce_of(1, a);
	nonce_of(2, b);
	nonce_of(3, c);
	ck_assert_int_eq(replay_cache_check(rc, a, NOW + 500, NOW), REPLAY_FRESH);
	ck_assert_int_eq(replay_cache_check(rc, b, NOW + 100, NOW), REPLAY_FRESH);
	ck_assert_int_eq(replay_cache_check(rc, c, NOW + 900, NOW + 200), REPLAY_FRESH);
	ck_assert_int_eq(replay_cache_check(rc, a, NOW + 500, NOW + 499), REPLAY_SEEN);
	ck_assert_int_eq(replay_cache_check(rc, c, NOW + 900, NOW + 899), REPLAY_SEEN);
	replay_cache_free(rc);
}
END_TEST

START_TEST(test_bound)
{
	struct replay_cache *rc = replay_cache_new(1000);
	unsigned char n[REPLAY_NONCE_BYTES];
	unsigned i;

	for (i = 0; i < 1000; i++) {
		nonce_of(i, n);
		ck_assert_int_eq(replay_cache_check(rc, n, NOW + 1000 + i, NOW), REPLAY_FRESH);
	}
	/* Full of valid nonces: a new one is refused, old ones stay known. */
	nonce_of(1000, n);
	ck_assert_int_eq(replay_cache_check(rc, n, NOW + 5000, NOW + 10), REPLAY_FULL);
	ck_assert_uint_eq(replay_cache_size(rc), 1000);
	for (i = 0; i < 1000; i++) {
		nonce_of(i, n);
		ck_assert_int_eq(replay_cache_check(rc, n, NOW + 1000, NOW + 10), REPLAY_SEEN);
	}
	/* The first ten expire: room for ten. */
	for (i = 1000; i < 1010; i++) {
		nonce_of(i, n);
		ck_assert_int_eq(replay_cache_check(rc, n, NOW + 5000, NOW + 1009), REPLAY_FRESH);
	}
	nonce_of(1010, n);
	ck_assert_int_eq(replay_cache_check(rc, n, NOW + 5000, NOW + 1009), REPLAY_FULL);
	ck_assert_uint_eq(replay_cache_size(rc), 1000);
	replay_cache_free(rc);
	replay_cache_free(NULL);
}
END_TEST

static Suite *replay_suite(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_duplicate_refused);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_expiry_out_of_order);
	tcase_add_test(tc, test_bound);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(replay_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
