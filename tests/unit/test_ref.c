/*
 * test_ref.c — the one idiom for an object freed from inside its own
 * callback (common/ref.h): an object freed by its owner outside any
 * callback goes at once; one freed inside a callback that holds it (or
 * inside nested ones) is dead at once and goes when the outermost holder
 * lets go; a second kill changes nothing.
 */
#include "weft_config.h"

#include <check.h>
#include <stdlib.h>

#include "common/ref.h"

/* A toy object: its callback may free it, as a connection's owner may. */
struct toy {
	struct ref ref;
	int *freed;  /* set when the memory goes */
	int free_at; /* the callback depth at which the owner frees it */
	int calls;   /* callbacks that ran */
};

static void toy_destroy(struct toy *t)
{
	(*t->freed)++;
	free(t);
}

static void toy_free(struct toy *t)
{
	if (ref_kill(&t->ref))
		toy_destroy(t);
}

/* A function of the toy that calls out (depth nested calls deep). */
static void toy_call_out(struct toy *t, int depth)
{
	ref_hold(&t->ref);
	t->calls++;
	if (depth == t->free_at)
		toy_free(t); /* the owner's callback frees it */
	else if (depth < 2 && !ref_dead(&t->ref))
		toy_call_out(t, depth + 1);
	if (ref_release(&t->ref))
		toy_destroy(t);
}

static struct toy *toy_new(int *freed, int free_at)
{
	struct toy *t = calloc(1, sizeof *t);

	ck_assert_ptr_nonnull(t);
	ref_init(&t->ref);
	t->freed = freed;
	t->free_at = free_at;
	return t;
}

START_TEST(test_free_outside_callbacks)
{
	int freed = 0;
	struct toy *t = toy_new(&freed, -1);

	ck_assert(!ref_dead(&t->ref) && !ref_busy(&t->ref));
	toy_call_out(t, 0);
	ck_assert_int_eq(freed, 0);
	ck_assert_int_eq(t->calls, 3);
	toy_free(t);
	ck_assert_int_eq(freed, 1);
}
END_TEST

START_TEST(test_free_inside_callback)
{
	for (int at = 0; at < 3; at++) {
		int freed = 0;
		struct toy *t = toy_new(&freed, at);

		toy_call_out(t, 0); /* frees at depth `at`, memory goes at the end */
		ck_assert_int_eq(freed, 1);
	}
}
END_TEST

START_TEST(test_dead_and_busy)
{
	struct ref r;

	ref_init(&r);
	ref_hold(&r);
	ck_assert(ref_busy(&r));
	ck_assert(!ref_kill(&r)); /* held: not the last */
	ck_assert(ref_dead(&r));
	ck_assert(ref_busy(&r));
	ck_assert(!ref_kill(&r));   /* a second kill is a no-op */
	ck_assert(ref_release(&r)); /* the holder was last */
}
END_TEST

static Suite *ref_suite(void)
{
	Suite *s = suite_create("ref");
	TCase *tc = tcase_create("idiom");

	tcase_add_test(tc, test_free_outside_callbacks);
	tcase_add_test(tc, test_free_inside_callback);
	tcase_add_test(tc, test_dead_and_busy);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ref_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
