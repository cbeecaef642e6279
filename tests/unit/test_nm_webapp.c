/*
 * test_nm_webapp.c — log serving's file checks and byte ranges: only
 * regular files directly in a container's log dir, never through a
 * symlink anywhere below the log root, and ?start=/?size= arithmetic.
 */
#include "weft_config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "nm/dirs.h"
#include "nm/webapp.h"
#include "testlib.h"

#define APP "application_1700000000000_0001"
#define CID "container_1700000000000_0001_01_000001"

static char root[256];

static void write_file(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", root, rel);
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static void setup(void)
{
	testlib_mkdtemp_into(root, sizeof root, "nm-webapp");
	ck_assert_int_eq(dirs_make_below(root, APP "/" CID, 0755, NULL), 0);
	write_file(APP "/" CID "/stdout", "0123456789");
}

static void teardown(void)
{
	testlib_rmtree(root);
}

START_TEST(test_open_regular_file)
{
	off_t size = 0;
	char buf[32];
	int fd = webapp_open_log(root, APP, CID, "stdout", &size);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(size, 10);
	n = read(fd, buf, sizeof buf);
	ck_assert_int_eq(n, 10);
	close(fd);
}
END_TEST

START_TEST(test_refusals)
{
	char *path, *outside;
	off_t size;

	/* Missing file, missing container, names that are not plain. */
	ck_assert_int_eq(webapp_open_log(root, APP, CID, "stderr", &size), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(webapp_open_log(root, APP, "container_1700000000000_0001_01_000009",
	                                 "stdout", &size),
	                 -1);
	ck_assert_int_eq(webapp_open_log(root, APP, CID, "../" CID "/stdout", &size), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(webapp_open_log(root, APP, CID, ".hidden", &size), -1);
	ck_assert_int_eq(webapp_open_log(root, APP, CID, "", &size), -1);

	/* A symlinked file, a symlinked container dir, a FIFO, a directory. */
	outside = xasprintf("%s/outside", root);
	write_file("outside", "secret");
	path = xasprintf("%s/%s/%s/link", root, APP, CID);
	ck_assert_int_eq(symlink(outside, path), 0);
	ck_assert_int_eq(webapp_open_log(root, APP, CID, "link", &size), -1);
	ck_assert_int_eq(errno, ELOOP);
	free(path);

	ck_assert_int_eq(dirs_make_below(root, "elsewhere", 0755, NULL), 0);
	write_file("elsewhere/stdout", "not yours");
	path = xasprintf("%s/%s/container_1700000000000_0001_01_000002", root, APP);
	ck_assert_int_eq(symlink("../elsewhere", path), 0);
	ck_assert_int_eq(webapp_open_log(root, APP, "container_1700000000000_0001_01_000002",
	                                 "stdout", &size),
	                 -1);
	ck_assert_int_eq(webapp_open_log_dir(root, APP, "container_1700000000000_0001_01_000002"),
	                 -1);
	free(path);

	path = xasprintf("%s/%s/%s/fifo", root, APP, CID);
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	ck_assert_int_eq(webapp_open_log(root, APP, CID, "fifo", &size), -1);
	ck_assert_int_eq(errno, EINVAL);
	free(path);
	path = xasprintf("%s/%s/%s/sub", root, APP, CID);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(webapp_open_log(root, APP, CID, "sub", &size), -1);
	free(path);
	free(outside);
}
END_TEST

START_TEST(test_ranges)
{
	off_t offset, len;

	ck_assert_int_eq(webapp_log_range(NULL, NULL, 100, &offset, &len), 0);
	ck_assert_int_eq(offset, 0);
	ck_assert_int_eq(len, 100);
	ck_assert_int_eq(webapp_log_range("10", NULL, 100, &offset, &len), 0);
	ck_assert_int_eq(offset, 10);
	ck_assert_int_eq(len, 90);
	ck_assert_int_eq(webapp_log_range("-30", NULL, 100, &offset, &len), 0);
	ck_assert_int_eq(offset, 70);
	ck_assert_int_eq(len, 30);
	ck_assert_int_eq(webapp_log_range("-300", NULL, 100, &offset, &len), 0);
	ck_assert_int_eq(offset, 0);
	ck_assert_int_eq(len, 100);
	ck_assert_int_eq(webapp_log_range("300", NULL, 100, &offset, &len), 0);
	ck_assert_int_eq(offset, 100);
	ck_assert_int_eq(len, 0);
	ck_assert_int_eq(webapp_log_range("10", "5", 100, &offset, &len), 0);
	ck_assert_int_eq(offset, 10);
	ck_assert_int_eq(len, 5);
	ck_assert_int_eq(webapp_log_range("-3", "500", 100, &offset, &len), 0);
	ck_assert_int_eq(offset, 97);
	ck_assert_int_eq(len, 3);
	ck_assert_int_eq(webapp_log_range(NULL, "0", 100, &offset, &len), 0);
	ck_assert_int_eq(len, 0);
	ck_assert_int_eq(webapp_log_range("1x", NULL, 100, &offset, &len), -1);
	ck_assert_int_eq(webapp_log_range("", NULL, 100, &offset, &len), -1);
	ck_assert_int_eq(webapp_log_range("0", "-1", 100, &offset, &len), -1);
	ck_assert_int_eq(webapp_log_range("99999999999999999999999", NULL, 100, &offset, &len), -1);
}
END_TEST

static Suite *webapp_suite(void)
{
	Suite *s = suite_create("nm_webapp");
	TCase *tc = tcase_create("logs");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_regular_file);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_ranges);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(webapp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
