/*
 * test_nm_monitor.c — the memory monitor's /proc parsing on a fake /proc
 * tree: stat lines with awkward command names, statm, which processes
 * count towards a container (descendants and its process group), entries
 * that are not processes or vanish, and YARN's kill message.
 */
#include "weft_config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "nm/dirs.h"
#include "nm/monitor.h"
#include "testlib.h"

#define PAGE 4096

static char root[256];

/* One fake process: <root>/<pid>/stat and statm (statm NULL = missing). */
static void fake_process(int pid, const char *comm, int ppid, int pgrp, const char *statm)
{
	char *dir = xasprintf("%s/%d", root, pid), *path;
	FILE *f;

	ck_assert_int_eq(mkdir(dir, 0755), 0);
	path = xasprintf("%s/stat", dir);
	f = fopen(path, "w");
	fprintf(f, "%d (%s) S %d %d %d 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123 4096 42\n", pid,
	        comm, ppid, pgrp, pgrp);
	fclose(f);
	free(path);
	if (statm != NULL) {
		path = xasprintf("%s/statm", dir);
		f = fopen(path, "w");
		fputs(statm, f);
		fclose(f);
		free(path);
	}
	free(dir);
}

static void setup(void)
{
	char *path;
	FILE *f;

	testlib_mkdtemp_into(root, sizeof root, "nm-proc");
	fake_process(1, "init", 0, 1, "1000 10 5 1 0 50 0\n");
	/* A container: leader 100 (its own group), a child, a grandchild in a
	 * new group, and a daemon re-parented to init that kept the group. */
	fake_process(100, "sh", 1, 100, "500 100 20 1 0 50 0\n");
	fake_process(101, "my prog) S 7 8", 100, 100, "500 200 20 1 0 50 0\n");
	fake_process(102, "worker", 101, 102, "500 300 20 1 0 50 0\n");
	fake_process(103, "daemon", 1, 100, "500 400 20 1 0 50 0\n");
	/* Unrelated processes. */
	fake_process(200, "other", 1, 200, "500 1000 20 1 0 50 0\n");
	fake_process(201, "sh", 200, 200, "500 2000 20 1 0 50 0\n");
	/* Gone between readdir and read: no statm. */
	fake_process(300, "vanished", 1, 300, NULL);
	/* Garbage statm. */
	fake_process(301, "weird", 1, 301, "not numbers\n");
	/* Not processes. */
	path = xasprintf("%s/self", root);
	ck_assert_int_eq(symlink("100", path), 0);
	free(path);
	path = xasprintf("%s/meminfo", root);
	f = fopen(path, "w");
	fputs("MemTotal: 1 kB\n", f);
	fclose(f);
	free(path);
	path = xasprintf("%s/12abc", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	free(path);
}

static void teardown(void)
{
	testlib_rmtree(root);
}

START_TEST(test_parse_stat)
{
	pid_t ppid = 0, pgrp = 0;

	ck_assert_int_eq(monitor_parse_stat("42 (bash) S 7 42 42 0 -1", &ppid, &pgrp), 0);
	ck_assert_int_eq(ppid, 7);
	ck_assert_int_eq(pgrp, 42);
	/* A command name with spaces and parentheses. */
	ck_assert_int_eq(monitor_parse_stat("43 (a) b (c) d) R 42 40 40 0", &ppid, &pgrp), 0);
	ck_assert_int_eq(ppid, 42);
	ck_assert_int_eq(pgrp, 40);
	ck_assert_int_eq(monitor_parse_stat("44 bash S 7 42", &ppid, &pgrp), -1);
	ck_assert_int_eq(monitor_parse_stat("44 (bash) S", &ppid, &pgrp), -1);
	ck_assert_int_eq(monitor_parse_stat("", &ppid, &pgrp), -1);
}
END_TEST

START_TEST(test_parse_statm)
{
	int64_t rss = 0;

	ck_assert_int_eq(monitor_parse_statm("2000 300 10 1 0 50 0\n", PAGE, &rss), 0);
	ck_assert_int_eq(rss, 300 * PAGE);
	ck_assert_int_eq(monitor_parse_statm("2000\n", PAGE, &rss), -1);
	ck_assert_int_eq(monitor_parse_statm("x y", PAGE, &rss), -1);
}
END_TEST

START_TEST(test_scan_fake_proc)
{
	struct monitor_table t;
	size_t i;

	ck_assert_int_eq(monitor_scan(root, PAGE, &t), 0);
	/* 1, 100-103, 200, 201; not 300, 301 or the non-process entries. */
	ck_assert_int_eq((int)t.n, 7);
	for (i = 1; i < t.n; i++)
		ck_assert_int_lt(t.procs[i - 1].pid, t.procs[i].pid);
	ck_assert_int_eq(t.procs[2].pid, 101);
	ck_assert_int_eq(t.procs[2].ppid, 100);
	ck_assert_int_eq(t.procs[2].pgrp, 100);
	ck_assert_int_eq(t.procs[2].rss_bytes, 200 * PAGE);

	/* The container: 100 + 101 + 102 (descendant) + 103 (group). */
	ck_assert_int_eq(monitor_tree_rss(&t, 100), (100 + 200 + 300 + 400) * PAGE);
	ck_assert_int_eq(monitor_tree_rss(&t, 200), (1000 + 2000) * PAGE);
	/* A subtree: 101 and its child 102. */
	ck_assert_int_eq(monitor_tree_rss(&t, 101), (200 + 300) * PAGE);
	ck_assert_int_eq(monitor_tree_rss(&t, 999), 0);
	ck_assert_int_eq(monitor_tree_rss(&t, 0), 0);
	monitor_table_free(&t);

	ck_assert_int_eq(monitor_scan("/nonexistent/proc", PAGE, &t), -1);
	ck_assert_int_eq((int)t.n, 0);
}
END_TEST

START_TEST(test_parent_loop_ends)
{
	struct monitor_table t;

	/* A cycle in a fake tree (impossible in a real one) must not hang. */
	fake_process(500, "a", 501, 500, "1 1 0 0 0 0 0\n");
	fake_process(501, "b", 500, 501, "1 1 0 0 0 0 0\n");
	ck_assert_int_eq(monitor_scan(root, PAGE, &t), 0);
	ck_assert_int_eq(monitor_tree_rss(&t, 100), (100 + 200 + 300 + 400) * PAGE);
	ck_assert_int_eq(monitor_tree_rss(&t, 500), 2 * PAGE);
	monitor_table_free(&t);
}
END_TEST

START_TEST(test_real_proc_has_us)
{
	struct monitor_table t;

	ck_assert_int_eq(monitor_scan("/proc", sysconf(_SC_PAGESIZE), &t), 0);
	ck_assert_int_gt(monitor_tree_rss(&t, getpid()), 0);
	monitor_table_free(&t);
}
END_TEST

START_TEST(test_pmem_message)
{
	char *text =
	        monitor_pmem_diagnostics(1234, "container_1700000000000_0001_01_000002",
	                                 (int64_t)1100 * 1024 * 1024, (int64_t)1024 * 1024 * 1024);

	ck_assert_str_eq(text, "Container [pid=1234,containerID=container_1700000000000_0001_01_"
	                       "000002] is running beyond physical memory limits. Current usage: "
	                       "1100 MB of 1024 MB physical memory used. Killing container.");
	free(text);
}
END_TEST

static Suite *monitor_suite(void)
{
	Suite *s = suite_create("nm_monitor");
	TCase *tc = tcase_create("procfs");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_parse_stat);
	tcase_add_test(tc, test_parse_statm);
	tcase_add_test(tc, test_scan_fake_proc);
	tcase_add_test(tc, test_parent_loop_ends);
	tcase_add_test(tc, test_real_proc_has_us);
	tcase_add_test(tc, test_pmem_message);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(monitor_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
