/*
 * test_nm_dirs.c — the NM's file-system care: which names a client may
 * choose, mkdir -p, creation below a base that refuses symlinks, and a
 * recursive removal that removes links but never what they point to, and
 * copes with directories a container made unreadable.
 */
#include "weft_config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "nm/dirs.h"
#include "testlib.h"

static char tmp[256];

static void setup(void)
{
	testlib_mkdtemp_into(tmp, sizeof tmp, "nm-dirs");
}

static void teardown(void)
{
	if (testlib_rmtree(tmp) != 0)
		fprintf(stderr, "cleanup of %s failed\n", tmp);
}

static char *at(const char *rel)
{
	return xasprintf("%s/%s", tmp, rel);
}

static void touch(const char *rel)
{
	char *path = at(rel);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs("x", f);
	fclose(f);
	free(path);
}

static bool exists(const char *rel)
{
	char *path = at(rel);
	struct stat st;
	bool ok = lstat(path, &st) == 0;

	free(path);
	return ok;
}

START_TEST(test_plain_names)
{
	static const char *const good[] = {"stdout",   "job.json",        "a-b_c.1", "x",
	                                   "gc.log.0", "file with space", NULL};
	static const char *const bad[] = {"",   ".",    "..",   ".hidden",   "a/b",
	                                  "/x", "../x", "a\nb", "tab\there", NULL};
	char long_name[300];
	int i;

	for (i = 0; good[i] != NULL; i++)
		ck_assert_msg(dirs_is_plain_name(good[i]), "%s", good[i]);
	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(!dirs_is_plain_name(bad[i]), "%s", bad[i]);
	ck_assert(!dirs_is_plain_name(NULL));
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	ck_assert(!dirs_is_plain_name(long_name));
	long_name[DIRS_NAME_MAX] = '\0';
	ck_assert(dirs_is_plain_name(long_name));
}
END_TEST

START_TEST(test_make_path)
{
	char *path = at("a/b//c/"), *cause = NULL;

	ck_assert_int_eq(dirs_make_path(path, 0755, &cause), 0);
	ck_assert(exists("a/b/c"));
	ck_assert_int_eq(dirs_make_path(path, 0755, &cause), 0);
	free(path);
	touch("file");
	path = at("file/sub");
	ck_assert_int_eq(dirs_make_path(path, 0755, &cause), -1);
	ck_assert_msg(strstr(cause, "file") != NULL && strstr(cause, "Not a directory") != NULL,
	              "%s", cause);
	free(cause);
	free(path);
}
END_TEST

START_TEST(test_make_below)
{
	char *cause = NULL, *target = at("target"), *link = at("base/x/link");

	ck_assert_int_eq(dirs_make_below(tmp, "base/x/y/z", 0750, &cause), 0);
	ck_assert(exists("base/x/y/z"));
	ck_assert_int_eq(mkdir(target, 0755), 0);
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(dirs_make_below(tmp, "base/x/link/inside", 0750, &cause), -1);
	ck_assert_msg(strstr(cause, "base/x/link: is a symlink") != NULL, "%s", cause);
	ck_assert(!exists("target/inside"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(dirs_make_below(tmp, "base/../escape", 0750, &cause), -1);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(dirs_make_below("/nonexistent-base", "a", 0750, &cause), -1);
	free(cause);
	free(target);
	free(link);
}
END_TEST

START_TEST(test_remove_tree_keeps_link_targets)
{
	char *outside = at("outside"), *path, *cause = NULL;

	ck_assert_int_eq(mkdir(outside, 0755), 0);
	touch("outside/precious");
	ck_assert_int_eq(dirs_make_below(tmp, "tree/a/b/c", 0755, &cause), 0);
	touch("tree/a/file1");
	touch("tree/a/b/c/file2");
	path = at("tree/a/b/link-to-outside");
	ck_assert_int_eq(symlink(outside, path), 0);
	free(path);
	path = at("tree/a/filelink");
	ck_assert_int_eq(symlink("/etc/passwd", path), 0);
	free(path);
	path = at("tree/dangling");
	ck_assert_int_eq(symlink("/nonexistent/x", path), 0);
	free(path);
	path = at("tree/fifo");
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	free(path);

	path = at("tree");
	ck_assert_int_eq(dirs_remove_tree(path, &cause), 0);
	ck_assert(!exists("tree"));
	ck_assert(exists("outside/precious"));
	ck_assert_int_eq(access("/etc/passwd", F_OK), 0);
	/* Missing is fine. */
	ck_assert_int_eq(dirs_remove_tree(path, &cause), 0);
	free(path);
	free(outside);
}
END_TEST

START_TEST(test_remove_tree_of_a_symlink)
{
	char *outside = at("outside"), *link = at("link");

	ck_assert_int_eq(mkdir(outside, 0755), 0);
	touch("outside/precious");
	ck_assert_int_eq(symlink(outside, link), 0);
	ck_assert_int_eq(dirs_remove_tree(link, NULL), 0);
	ck_assert(!exists("link"));
	ck_assert(exists("outside/precious"));
	free(outside);
	free(link);
}
END_TEST

START_TEST(test_remove_tree_unreadable_dirs)
{
	char *path, *cause = NULL;

	ck_assert_int_eq(dirs_make_below(tmp, "tree/locked/deeper", 0755, &cause), 0);
	touch("tree/locked/deeper/f");
	touch("tree/locked/g");
	path = at("tree/locked/deeper");
	ck_assert_int_eq(chmod(path, 0), 0);
	free(path);
	path = at("tree/locked");
	ck_assert_int_eq(chmod(path, 0500), 0);
	free(path);
	path = at("tree");
	ck_assert_msg(dirs_remove_tree(path, &cause) == 0, "%s", cause);
	ck_assert(!exists("tree"));
	free(path);
}
END_TEST

START_TEST(test_remove_many_entries)
{
	char name[64], *path;
	int i;

	ck_assert_int_eq(dirs_make_below(tmp, "tree", 0755, NULL), 0);
	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof name, "tree/f%04d", i);
		touch(name);
	}
	path = at("tree");
	ck_assert_int_eq(dirs_remove_tree(path, NULL), 0);
	ck_assert(!exists("tree"));
	free(path);
}
END_TEST

static Suite *dirs_suite(void)
{
	Suite *s = suite_create("nm_dirs");
	TCase *tc = tcase_create("dirs");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_plain_names);
	tcase_add_test(tc, test_make_path);
	tcase_add_test(tc, test_make_below);
	tcase_add_test(tc, test_remove_tree_keeps_link_targets);
	tcase_add_test(tc, test_remove_tree_of_a_symlink);
	tcase_add_test(tc, test_remove_tree_unreadable_dirs);
	tcase_add_test(tc, test_remove_many_entries);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(dirs_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
