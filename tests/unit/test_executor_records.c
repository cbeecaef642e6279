/*
 * test_executor_records.c — the dataflow task runner's record machinery:
 * the in-memory sort (against qsort on whole keys, with shared prefixes,
 * NUL bytes and empty keys), the sorter with a budget small enough to
 * spill (external merge), the stable k-way merge, text splits (every line
 * exactly once whatever the split size: Hadoop's LineRecordReader rule),
 * range partitioning, joins of every kind, and task file parsing.
 */
#include "weft_config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/wjson.h"
#include "common/xmalloc.h"
#include "executor/record_io.h"
#include "executor/record_merge.h"
#include "executor/record_sorter.h"
#include "executor/reduce_input.h"
#include "executor/shuffle_writer.h"
#include "common/proto_task.h"
#include "executor/text_input.h"
#include "testlib.h"

static char dir[256];

static unsigned rnd_state = 12345;
static unsigned rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* A random record: keys from a small alphabet (ties), some long with a
 * shared prefix, some with NUL bytes, some empty. */
static size_t random_record(char *buf)
{
	static const char *const prefixes[] = {"", "commonprefixlong", "ab", "abcdefgh"};
	size_t n = 0, k, len;

	strcpy(buf, prefixes[rnd() % 4]);
	n = strlen(buf);
	len = rnd() % 6;
	for (k = 0; k < len; k++)
		buf[n++] = (rnd() % 10 == 0) ? '\0' : (char)('a' + rnd() % 3);
	if (rnd() % 3 != 0) {
		buf[n++] = '\t';
		n += (size_t)sprintf(buf + n, "v%u", rnd() % 1000);
	}
	return n;
}

static int whole_key_compare(const void *a, const void *b, void *arena)
{
	const struct sort_entry *x = a, *y = b;
	const char *kx = (const char *)arena + x->offset, *ky = (const char *)arena + y->offset;

	return record_key_cmp(kx, record_key_len(kx, x->len), ky, record_key_len(ky, y->len));
}

START_TEST(test_sort_entries_orders_by_whole_keys)
{
	size_t sizes[] = {5, 300, 5000}, s, i, n, used = 0;
	char *arena = xmalloc(5000 * 64), rec[64];
	struct sort_entry *e, *tmp, *ref;

	for (s = 0; s < 3; s++) {
		n = sizes[s];
		used = 0;
		e = xcalloc(n, sizeof *e);
		tmp = xcalloc(n, sizeof *tmp);
		ref = xcalloc(n, sizeof *ref);
		for (i = 0; i < n; i++) {
			size_t len = random_record(rec);

			memcpy(arena + used, rec, len);
			e[i].offset = (uint32_t)used;
			e[i].len = (uint32_t)len;
			e[i].prefix = record_key_prefix(rec, record_key_len(rec, len));
			used += len;
		}
		memcpy(ref, e, n * sizeof *e);
		record_sort_entries(e, n, arena, tmp);
		qsort_r(ref, n, sizeof *ref, whole_key_compare, arena);
		for (i = 0; i < n; i++) {
			const char *a = arena + e[i].offset, *b = arena + ref[i].offset;

			ck_assert_int_eq(record_key_cmp(a, record_key_len(a, e[i].len), b,
			                                record_key_len(b, ref[i].len)),
			                 0);
		}
		free(e);
		free(tmp);
		free(ref);
	}
	free(arena);
}
END_TEST

START_TEST(test_sorter_spills_and_merges)
{
	struct record_sorter *s;
	char rec[64], *cause = NULL, *prev = NULL;
	const char *r;
	size_t len, klen, prev_len = 0;
	uint64_t seen = 0;
	uint32_t p;
	int i;

	/* 1 MiB budget, ~60000 records: several spills. */
	s = record_sorter_new(3, 1024 * 1024, dir);
	for (i = 0; i < 60000; i++) {
		size_t n = random_record(rec);

		n += (size_t)sprintf(rec + n, "%s%08d", memchr(rec, '\t', n) ? "-" : "\tx", i);
		ck_assert_int_eq(record_sorter_add(s, (uint32_t)(i % 3), rec, n, &cause), 0);
	}
	ck_assert_int_eq(record_sorter_finish(s, &cause), 0);
	ck_assert_int_gt(record_sorter_spills(s), 1);
	for (p = 0; p < 3; p++) {
		free(prev);
		prev = NULL;
		while (record_sorter_next(s, p, &r, &len, &klen) == 1) {
			ck_assert_uint_eq(klen, record_key_len(r, len));
			if (prev != NULL)
				ck_assert_int_le(record_key_cmp(prev, prev_len, r, klen), 0);
			free(prev);
			prev = xmalloc(klen + 1);
			memcpy(prev, r, klen); /* keys may hold NUL bytes */
			prev_len = klen;
			seen++;
		}
	}
	free(prev);
	ck_assert_uint_eq(seen, 60000);
	record_sorter_free(s);
}
END_TEST

START_TEST(test_merge_is_stable)
{
	static const char a[] = "k\t1\nk\t2\nz\t9\n", b[] = "a\t0\nk\t3\n", c[] = "k\t4\n";
	struct record_merge m;
	const char *rec;
	size_t len, klen;
	char out[256] = "";
	int tag;

	record_merge_init(&m);
	record_merge_add_lines(&m, a, sizeof a - 1, 0);
	record_merge_add_lines(&m, b, sizeof b - 1, 1);
	record_merge_add_lines(&m, c, sizeof c - 1, 2);
	record_merge_start(&m);
	while (record_merge_next(&m, &rec, &len, &klen, &tag) == 1) {
		strncat(out, rec, len);
		strcat(out, ";");
	}
	ck_assert_str_eq(out, "a\t0;k\t1;k\t2;k\t3;k\t4;z\t9;");
	record_merge_free(&m);
}
END_TEST

/* Concatenate every split of path at split_size into one buffer. */
static char *read_splits(const char *path, int64_t size, int64_t split_size)
{
	char *out = NULL, *cause = NULL;
	size_t out_len = 0;
	FILE *mem = open_memstream(&out, &out_len);
	char *tmp = xasprintf("%s/split.out", dir);
	int64_t start;

	for (start = 0; start < size || start == 0; start += split_size) {
		int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
		char buf[4096];
		ssize_t n;

		ck_assert_int_ge(fd, 0);
		ck_assert_msg(text_input_file(path, start, split_size, fd, &cause) == 0, "%s",
		              cause);
		lseek(fd, 0, SEEK_SET);
		while ((n = read(fd, buf, sizeof buf)) > 0)
			fwrite(buf, 1, (size_t)n, mem);
		close(fd);
		if (size == 0)
			break;
	}
	fclose(mem);
	free(tmp);
	return out;
}

START_TEST(test_text_splits_every_line_once)
{
	char *path = xasprintf("%s/lines.txt", dir), *text, *got;
	size_t n = 0;
	int64_t sizes[] = {1, 2, 3, 7, 64, 1000, 100000}, k;
	FILE *f;
	int i, j;

	f = fopen(path, "w");
	for (i = 0; i < 300; i++) {
		for (j = 0; j < i % 23; j++)
			fputc('a' + j % 26, f);
		fputc('\n', f);
	}
	fputs("no newline at the end", f);
	fclose(f);
	f = fopen(path, "r");
	text = xmalloc(100000);
	n = fread(text, 1, 100000, f);
	fclose(f);
	text[n] = '\0';
	for (k = 0; k < 7; k++) {
		got = read_splits(path, (int64_t)n, sizes[k]);
		ck_assert_uint_eq(strlen(got), n + 1); /* the last line gets its '\n' */
		ck_assert_int_eq(strncmp(got, text, n), 0);
		ck_assert_int_eq(got[n], '\n');
		free(got);
	}
	free(text);
	free(path);
}
END_TEST

START_TEST(test_range_partition)
{
	struct proto_task_output out;
	char *bounds[] = {"b", "b", "m"};
	size_t lens[] = {1, 1, 1};

	memset(&out, 0, sizeof out);
	out.partitions = 4;
	out.range = true;
	out.bounds = bounds;
	out.bound_lens = lens;
	out.n_bounds = 3;
	ck_assert_uint_eq(shuffle_writer_partition(&out, "a", 1), 0);
	ck_assert_uint_eq(shuffle_writer_partition(&out, "b", 1), 0);
	ck_assert_uint_eq(shuffle_writer_partition(&out, "ba", 2), 2);
	ck_assert_uint_eq(shuffle_writer_partition(&out, "m", 1), 2);
	ck_assert_uint_eq(shuffle_writer_partition(&out, "zz", 2), 3);
	ck_assert_uint_eq(shuffle_writer_partition(&out, "", 0), 0);
	/* Hash partitions stay in range and agree with themselves. */
	out.range = false;
	ck_assert_uint_lt(shuffle_writer_partition(&out, "word", 4), 4);
	ck_assert_uint_eq(record_hash_partition("word", 4, 7), record_hash_partition("word", 4, 7));
}
END_TEST

/* Join two segments (one per side) with the given type; RET the output. */
static char *join(const char *left, const char *right, enum proto_task_join_type type)
{
	struct fetch_segment segs[2];
	struct fetch_result r;
	struct proto_task_spec spec;
	char *path = xasprintf("%s/join.out", dir), *cause = NULL, buf[4096];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	memset(&spec, 0, sizeof spec);
	memset(&r, 0, sizeof r);
	memset(segs, 0, sizeof segs);
	spec.in.mode = PROTO_TASK_REDUCE_JOIN;
	spec.in.join = type;
	segs[0].data = left;
	segs[0].len = strlen(left);
	segs[1].data = right;
	segs[1].len = strlen(right);
	segs[1].side = 1;
	r.segs = segs;
	r.n = 2;
	ck_assert_int_eq(reduce_input_write(&spec, &r, fd, &cause), 0);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	free(path);
	buf[n > 0 ? n : 0] = '\0';
	return xstrdup(buf);
}

START_TEST(test_join_kinds)
{
	static const char left[] = "a\t1\nb\t2\nb\t3\nd\t4\n", right[] = "b\tx\nb\ty\nc\tz\nd\n";
	char *out;

	out = join(left, right, PROTO_TASK_JOIN_INNER);
	ck_assert_str_eq(out, "b\t2\tx\nb\t2\ty\nb\t3\tx\nb\t3\ty\nd\t4\t\n");
	free(out);
	out = join(left, right, PROTO_TASK_JOIN_LEFT);
	ck_assert_str_eq(out, "a\t1\t\nb\t2\tx\nb\t2\ty\nb\t3\tx\nb\t3\ty\nd\t4\t\n");
	free(out);
	out = join(left, right, PROTO_TASK_JOIN_RIGHT);
	ck_assert_str_eq(out, "b\t2\tx\nb\t2\ty\nb\t3\tx\nb\t3\ty\nc\t\tz\nd\t4\t\n");
	free(out);
	out = join(left, right, PROTO_TASK_JOIN_FULL);
	ck_assert_str_eq(out, "a\t1\t\nb\t2\tx\nb\t2\ty\nb\t3\tx\nb\t3\ty\nc\t\tz\nd\t4\t\n");
	free(out);
}
END_TEST

/* Parse a task file text.  RET 0 or -1 with *cause. */
static int parse(const char *text, char **cause)
{
	struct json_object *o = json_tokener_parse(text);
	struct proto_task_spec spec;
	int rc;

	ck_assert_msg(o != NULL, "bad test JSON %s", text);
	rc = proto_task_spec_decode(o, "", PROTO_TASK_SPEC_FILE, &spec, cause);
	proto_task_spec_clear(&spec);
	json_object_put(o);
	return rc;
}

#define BASE                                                                                       \
	"\"taskId\":1,\"attempt\":0,\"partition\":2,\"applicationId\":\"a\",\"nodeId\":\"n:1\","   \
	"\"secret\":\"s\",\"localDirs\":\"/x,/y\",\"budgetBytes\":1000,"

START_TEST(test_task_spec_checks_fields)
{
	char *cause = NULL;

	ck_assert_int_eq(parse("{" BASE "\"input\":{\"type\":\"text\",\"path\":\"/f\"},"
	                       "\"commands\":[\"cat\"],\"output\":{\"type\":\"collect\"}}",
	                       &cause),
	                 0);
	ck_assert_int_eq(parse("{" BASE "\"input\":{\"type\":\"text\",\"path\":\"rel\"},"
	                       "\"output\":{\"type\":\"collect\"}}",
	                       &cause),
	                 -1);
	ck_assert_str_eq(cause, "input.path: expected an absolute path");
	free(cause);
	ck_assert_int_eq(parse("{" BASE
	                       "\"input\":{\"type\":\"shuffle\",\"sides\":[{\"shuffleId\":1,"
	                       "\"maps\":[{\"map\":\"../x\",\"node\":\"n:1\",\"size\":1}]}]},"
	                       "\"output\":{\"type\":\"collect\"}}",
	                       &cause),
	                 -1);
	ck_assert_str_eq(cause, "input.sides[0].maps[0].map: expected [0-9_]{1,64}");
	free(cause);
	ck_assert_int_eq(parse("{" BASE "\"input\":{\"type\":\"text\",\"url\":\"http://h/f\"},"
	                       "\"output\":{\"type\":\"shuffle\",\"shuffleId\":0,\"partitions\":3,"
	                       "\"partitioner\":\"range\",\"bounds\":[\"YQ==\"]}}",
	                       &cause),
	                 -1);
	ck_assert_ptr_nonnull(strstr(cause, "output.bounds: expected partitions - 1"));
	free(cause);
	ck_assert_int_eq(parse("{" BASE "\"input\":{\"type\":\"text\",\"url\":\"http://h/f\"},"
	                       "\"output\":{\"type\":\"save\",\"dir\":\"/o\",\"file\":\"../p\"}}",
	                       &cause),
	                 -1);
	ck_assert_str_eq(cause, "output.file: expected a plain file name");
	free(cause);
	ck_assert_int_eq(parse("{" BASE "\"input\":{\"type\":\"text\",\"path\":\"/f\"},"
	                       "\"commands\":[\"a\"],\"persist\":[{\"step\":2,\"dataset\":1}],"
	                       "\"output\":{\"type\":\"collect\"}}",
	                       &cause),
	                 -1);
	ck_assert_ptr_nonnull(strstr(cause, "persist[0].step"));
	free(cause);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("executor_records");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	if (testlib_mkdtemp_try(dir, sizeof dir, "records") != 0)
		return EXIT_FAILURE;
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sort_entries_orders_by_whole_keys);
	tcase_add_test(tc, test_sorter_spills_and_merges);
	tcase_add_test(tc, test_merge_is_stable);
	tcase_add_test(tc, test_text_splits_every_line_once);
	tcase_add_test(tc, test_range_partition);
	tcase_add_test(tc, test_join_kinds);
	tcase_add_test(tc, test_task_spec_checks_fields);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	testlib_rmtree(dir);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
