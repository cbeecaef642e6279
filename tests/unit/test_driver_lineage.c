/*
 * test_driver_lineage.c — dataflow job files as the driver reads them
 * (lineage.c): every kind of malformed file refused with its field's
 * path, inputs listed and split, partitions settled; the map output
 * registry (map_output.c); a save's commit and abort (output_commit.c).
 */
#include "weft_config.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "driver/driver.h"
#include "driver/lineage.h"
#include "driver/map_output.h"
#include "driver/output_commit.h"
#include "testlib.h"

static char dir[256];

/* Parse text (with %s replaced by the test dir).  RET 0 / -1 *cause. */
static int parse(const char *fmt, struct lineage **out, char **cause)
{
	char *text = xasprintf(fmt, dir, dir, dir);
	struct json_object *job = json_tokener_parse(text);
	struct lineage *l = NULL;
	int rc;

	ck_assert_msg(job != NULL, "bad test JSON: %s", text);
	rc = lineage_parse(job, true, &l, cause);
	if (out != NULL)
		*out = l;
	else
		lineage_free(l);
	json_object_put(job);
	free(text);
	return rc;
}

/* The message parsing fmt gives (must fail). */
static void refused(const char *fmt, const char *message)
{
	char *cause = NULL;

	ck_assert_msg(parse(fmt, NULL, &cause) == -1, "accepted: %s", fmt);
	ck_assert_msg(strstr(cause, message) != NULL, "message \"%s\" lacks \"%s\"", cause,
	              message);
	free(cause);
}

#define TEXT   "\"t\":{\"op\":\"text\",\"input\":\"%s/a.txt\"}"
#define ACT(d) "\"actions\":[{\"op\":\"collect\",\"dataset\":\"" d "\"}]"

START_TEST(test_malformed_files_name_the_field)
{
	refused("[]", "job: expected a JSON object");
	refused("{\"kind\":\"dataflow\"}", "datasets");
	refused("{\"kind\":\"dataflow\",\"datasets\":{}," ACT("t") "}", "datasets: a job needs");
	refused("{\"kind\":\"dataflow\",\"datasets\":{" TEXT "},\"actions\":[]}",
	        "actions: expected");
	refused("{\"kind\":\"dataflow\",\"extra\":1,\"datasets\":{" TEXT "}," ACT("t") "}",
	        "extra: unknown field");
	refused("{\"kind\":\"dataflow\",\"datasets\":{\"x\":{\"op\":\"flatmap\"}}," ACT("x") "}",
	        "datasets.x.op: unknown op \"flatmap\"");
	refused("{\"kind\":\"dataflow\",\"datasets\":{\"x\":7}," ACT("x") "}",
	        "datasets.x: expected an object");
	refused("{\"kind\":\"dataflow\",\"datasets\":{" TEXT
	        ",\"m\":{\"op\":\"map\",\"parent\":\"t\"}}," ACT("m") "}",
	        "datasets.m.command");
	refused("{\"kind\":\"dataflow\",\"datasets\":{" TEXT
	        ",\"m\":{\"op\":\"map\",\"parent\":\"t\","
	        "\"command\":\"  \"}}," ACT("m") "}",
	        "datasets.m.command: must not be empty");
	refused("{\"kind\":\"dataflow\",\"datasets\":{" TEXT
	        ",\"m\":{\"op\":\"map\",\"parent\":\"u\","
	        "\"command\":\"cat\"}}," ACT("m") "}",
	        "datasets.m.parent: no dataset named \"u\"");
	refused("{\"kind\":\"dataflow\",\"datasets\":{" TEXT
	        ",\"m\":{\"op\":\"map\",\"parent\":\"t\","
	        "\"command\":\"cat\",\"partitions\":3}}," ACT("m") "}",
	        "datasets.m.partitions: unknown field of map");
	refused("{\"kind\":\"dataflow\",\"datasets\":{\"a\":{\"op\":\"map\",\"parent\":\"b\","
	        "\"command\":\"cat\"},\"b\":{\"op\":\"map\",\"parent\":\"c\",\"command\":\"cat\"},"
	        "\"c\":{\"op\":\"map\",\"parent\":\"a\",\"command\":\"cat\"}}," ACT("a") "}",
	        "is its own ancestor (a cycle)");
	refused("{\"kind\":\"dataflow\",\"datasets\":{" TEXT ",\"r\":{\"op\":\"reduce-by-key\","
	        "\"parent\":\"t\",\"partitions\":0}}," ACT("r") "}",
	        "datasets.r.partitions: 0 is out of range");
	refused("{\"kind\":\"dataflow\",\"datasets\":{" TEXT
	        ",\"j\":{\"op\":\"join\",\"parents\":[\"t\"]}}," ACT("j") "}",
	        "datasets.j.parents: a join has exactly two parents");
	refused("{\"kind\":\"dataflow\",\"datasets\":{" TEXT
	        ",\"j\":{\"op\":\"join\",\"parents\":[\"t\","
	        "\"t\"],\"type\":\"outer\"}}," ACT("j") "}",
	        "datasets.j.type: expected inner, left, right or full");
	refused("{\"kind\":\"dataflow\",\"datasets\":{\"t\":{\"op\":\"text\",\"input\":\"%s/"
	        "nope\"}}," ACT("t") "}",
	        "datasets.t.input: ");
	refused("{\"kind\":\"dataflow\",\"datasets\":{\"t\":{\"op\":\"text\",\"input\":[\"%s/"
	        "a.txt\","
	        "\"%s/*.none\"]}}," ACT("t") "}",
	        "datasets.t.input[1]: ");
	if (geteuid() != 0) /* root reads anything */
		refused("{\"kind\":\"dataflow\",\"datasets\":{\"t\":{\"op\":\"text\",\"input\":"
		        "\"%s/secret\"}}," ACT("t") "}",
		        "Permission denied");
	refused("{\"kind\":\"dataflow\",\"datasets\":{\"t\":{\"op\":\"text\",\"input\":\"ftp://x/"
	        "y\"}}," ACT("t") "}",
	        "unsupported scheme");
	refused("{\"kind\":\"dataflow\",\"datasets\":{\"t\":{\"op\":\"text\",\"input\":\"%s/"
	        "a.txt\","
	        "\"split-size\":\"lots\"}}," ACT("t") "}",
	        "datasets.t.split-size: \"lots\" is not a size");
	refused("{\"kind\":\"dataflow\",\"datasets\":{" TEXT "},\"actions\":[{\"op\":\"show\","
	        "\"dataset\":\"t\"}]}",
	        "actions[0].op: unknown action \"show\"");
	refused("{\"kind\":\"dataflow\",\"datasets\":{" TEXT "},\"actions\":[{\"op\":\"collect\","
	        "\"dataset\":\"q\"}]}",
	        "actions[0].dataset: no dataset named \"q\"");
	refused("{\"kind\":\"dataflow\",\"datasets\":{" TEXT "},\"actions\":[{\"op\":\"save\","
	        "\"dataset\":\"t\",\"path\":\"%s\"}]}",
	        "already exists");
	refused("{\"kind\":\"dataflow\",\"datasets\":{" TEXT "},\"actions\":[{\"op\":\"save\","
	        "\"dataset\":\"t\",\"path\":\"/no/such/dir/out\"}]}",
	        "actions[0].path: cannot create");
	refused("{\"kind\":\"dataflow\",\"base-dir\":\"rel\",\"datasets\":{" TEXT "}," ACT("t") "}",
	        "base-dir: expected an absolute path");
}
END_TEST

/* A text dataset over a.txt with split-size written as json. */
#define SPLIT(json)                                                                                \
	"{\"kind\":\"dataflow\",\"datasets\":{\"lines\":{\"op\":\"text\",\"input\":\"%s/a.txt\","  \
	"\"split-size\":" json "}}," ACT("lines") "}"

/* The split-size a job file asks for (must be accepted). */
static int64_t split_size(const char *fmt)
{
	struct lineage *l;
	char *cause = NULL;
	int64_t v;

	ck_assert_msg(parse(fmt, &l, &cause) == 0, "%s: %s", fmt, cause);
	v = lineage_find(l, "lines")->split_size;
	lineage_free(l);
	return v;
}

/* Every bad split-size is refused with the field's path before anything is
 * split (it used to reach undefined behaviour: NaN or INT64_MAX cast and
 * added). */
START_TEST(test_split_size_range_checked)
{
	static const char *const bad_strings[] = {
	        "nan",
	        "NaN",
	        "inf",
	        "-inf",
	        "infinity",
	        "-1",
	        "0",
	        "0k",
	        "",
	        " 64m",
	        "64m ",
	        "64 m",
	        "+64",
	        "0x10",
	        "1e3",
	        "1e999",
	        "64q",
	        "1.5.5",
	        ".5k",
	        "5.k",
	        "k",
	        "64mm",
	        "64kbb",
	        "0.1",
	        "0.0001k",
	        "9223372036854775807",
	        "9223372036854775808",
	        "99999999999999999999999",
	        "8388608t",
	        "1025g",
	        "1099511627777",
	        "1.0000001t",
	};
	size_t i;

	for (i = 0; i < sizeof bad_strings / sizeof bad_strings[0]; i++) {
		char *fmt = xasprintf(SPLIT("\"%s\""), "%s", bad_strings[i]);
		char *cause = NULL;

		ck_assert_msg(parse(fmt, NULL, &cause) == -1, "accepted \"%s\"", bad_strings[i]);
		ck_assert_msg(strncmp(cause, "datasets.lines.split-size: ", 27) == 0, "\"%s\": %s",
		              bad_strings[i], cause);
		free(cause);
		free(fmt);
	}
	refused(SPLIT("\"nan\""), "datasets.lines.split-size: \"nan\" is not a size");
	refused(SPLIT("9223372036854775807"),
	        "datasets.lines.split-size: 9223372036854775807 is out of range [1, "
	        "1099511627776] bytes");
	/* json-c clamps an integer past int64 to INT64_MAX: still refused. */
	refused(SPLIT("99999999999999999999"), "datasets.lines.split-size: ");
	refused(SPLIT("0"), "datasets.lines.split-size: 0 is out of range");
	refused(SPLIT("-5"), "datasets.lines.split-size: -5 is out of range");
	refused(SPLIT("1099511627777"), "datasets.lines.split-size: 1099511627777 is out");
	refused(SPLIT("\"8388608t\""), "datasets.lines.split-size: \"8388608t\" is out of range");
	/* json_tokener (not wjson_parse) takes a bare NaN as a double. */
	refused(SPLIT("NaN"), "datasets.lines.split-size: expected a size in bytes");
	refused(SPLIT("1.5"), "datasets.lines.split-size: expected a size in bytes");
	refused(SPLIT("1e3"), "datasets.lines.split-size: expected a size in bytes");
	refused(SPLIT("true"), "datasets.lines.split-size: expected a size");
	refused(SPLIT("[64]"), "datasets.lines.split-size: expected a size");

	ck_assert_int_eq(split_size(SPLIT("1")), 1);
	ck_assert_int_eq(split_size(SPLIT("\"4096\"")), 4096);
	ck_assert_int_eq(split_size(SPLIT("\"64m\"")), 64 << 20);
	ck_assert_int_eq(split_size(SPLIT("\"64MB\"")), 64 << 20);
	ck_assert_int_eq(split_size(SPLIT("\"2GiB\"")), (int64_t)2 << 30);
	ck_assert_int_eq(split_size(SPLIT("\"1.5k\"")), 1536);
	ck_assert_int_eq(split_size(SPLIT("\"1t\"")), (int64_t)1 << 40);
	ck_assert_int_eq(split_size(SPLIT("1099511627776")), (int64_t)1 << 40);
}
END_TEST

/* Splits are counted before they are allocated, and sizes near INT64_MAX
 * (a URL's Content-Length is what its server says) do not overflow. */
START_TEST(test_split_count_bounded)
{
	struct lineage *l;
	struct dataset *d;
	char *cause = NULL, *big = xasprintf("%s/big", dir);
	FILE *f = fopen(big, "w");

	/* A sparse file one byte past a split each. */
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(truncate(big, (off_t)LINEAGE_MAX_PARTITIONS + 1), 0);
	refused("{\"kind\":\"dataflow\",\"datasets\":{\"t\":{\"op\":\"text\",\"input\":"
	        "\"%s/big\",\"split-size\":1}}," ACT("t") "}",
	        "datasets.t: more than 100000 splits (raise split-size)");
	unlink(big);
	free(big);

	ck_assert_int_eq(lineage_split_count(INT64_MAX, 1), INT_MAX);
	ck_assert_int_eq(lineage_split_count(INT64_MAX, INT64_MAX), 1);
	ck_assert_int_eq(lineage_split_count(INT64_MAX, LINEAGE_MAX_SPLIT_SIZE), 8388608);
	ck_assert_int_eq(lineage_split_count(INT64_MAX - 1, INT64_MAX), 1);

	ck_assert_msg(parse("{\"kind\":\"dataflow\",\"datasets\":{\"u\":{\"op\":\"text\","
	                    "\"input\":\"http://example.invalid/x\",\"split-size\":\"1t\"}},"
	                    "\"actions\":[{\"op\":\"collect\",\"dataset\":\"u\"}]}",
	                    &l, &cause) == 0,
	              "%s", cause);
	d = lineage_find(l, "u");
	ck_assert_int_eq(lineage_set_url_size(l, d, 0, -2), -1);
	ck_assert_int_eq(lineage_set_url_size(l, d, 0, ((int64_t)3 << 40) + 5), 0);
	ck_assert_msg(lineage_repartition(l, &cause) == 0, "%s", cause);
	ck_assert_int_eq(d->n_splits, 4);
	ck_assert_int_eq(d->splits[3].start, (int64_t)3 << 40);
	ck_assert_int_eq(d->splits[3].length, 5);
	ck_assert_int_eq(lineage_set_url_size(l, d, 0, INT64_MAX), 0);
	ck_assert_int_eq(lineage_repartition(l, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "datasets.u: more than 100000 splits"));
	free(cause);
	lineage_free(l);
}
END_TEST

START_TEST(test_splits_and_partitions)
{
	struct lineage *l;
	struct dataset *t, *w, *r, *j;
	char *cause = NULL;

	ck_assert_msg(parse("{\"kind\":\"dataflow\",\"datasets\":{"
	                    "\"t\":{\"op\":\"text\",\"input\":[\"%s/d\",\"file://%s/a.txt\"],"
	                    "\"split-size\":\"1k\"},"
	                    "\"w\":{\"op\":\"map\",\"parent\":\"t\",\"command\":\"cat\"},"
	                    "\"r\":{\"op\":\"reduce-by-key\",\"parent\":\"w\"},"
	                    "\"j\":{\"op\":\"join\",\"parents\":[\"r\",\"t\"],\"partitions\":3}},"
	                    "\"actions\":[{\"op\":\"collect\",\"dataset\":\"j\"}]}",
	                    &l, &cause) == 0,
	              "%s", cause);
	t = lineage_find(l, "t");
	w = lineage_find(l, "w");
	r = lineage_find(l, "r");
	j = lineage_find(l, "j");
	/* d holds b.txt (2500 bytes: 3 splits), an empty file (none) and
	 * hidden files (skipped); a.txt has 10 bytes (1 split). */
	ck_assert_int_eq(t->n_files, 3);
	ck_assert_int_eq(t->n_splits, 4);
	ck_assert_int_eq(t->splits[2].start, 2048);
	ck_assert_int_eq(t->splits[2].length, 2500 - 2048);
	ck_assert_int_eq(t->partitions, 4);
	ck_assert_int_eq(w->partitions, 4);
	ck_assert_int_eq(r->partitions, 4); /* its parent's, by default */
	ck_assert_int_eq(j->partitions, 3);
	ck_assert(dataset_is_wide(r) && dataset_is_wide(j) && !dataset_is_wide(w));
	lineage_free(l);
	ck_assert_int_eq(lineage_split_count(0, 10), 0);
	ck_assert_int_eq(lineage_split_count(10, 10), 1);
	ck_assert_int_eq(lineage_split_count(11, 10), 2);
	ck_assert_int_eq(lineage_split_count(-1, 10), 1);
}
END_TEST

START_TEST(test_driver_validates_dataflow)
{
	struct json_object *job = json_tokener_parse(
	        "{\"kind\":\"dataflow\",\"datasets\":{\"x\":"
	        "{\"op\":\"zip\"}},\"actions\":[{\"op\":\"collect\",\"dataset\":\"x\"}]}");
	char *cause = NULL;

	ck_assert_int_eq(driver_validate_job(job, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "datasets.x.op"));
	free(cause);
	json_object_put(job);
}
END_TEST

START_TEST(test_map_outputs)
{
	struct map_outputs *mo = map_outputs_new(3, 2);
	int64_t s0[] = {10, 0}, s1[] = {5, 7}, s2[] = {1, 50};

	ck_assert_int_eq(map_outputs_missing(mo), 3);
	ck_assert_int_eq(map_outputs_register(mo, 0, "0_1_0", "n1:1", s0, 2), 0);
	ck_assert_int_eq(map_outputs_register(mo, 1, "1_2_0", "n2:1", s1, 2), 0);
	ck_assert_int_eq(map_outputs_register(mo, 2, "2_3_0", "n2:1", s2, 2), 0);
	ck_assert_int_eq(map_outputs_register(mo, 2, "2_3_0", "n2:1", s2, 3), -1);
	ck_assert_int_eq(map_outputs_missing(mo), 0);
	ck_assert_str_eq(map_outputs_preferred_node(mo, 0), "n1:1"); /* 10 vs 6 */
	ck_assert_str_eq(map_outputs_preferred_node(mo, 1), "n2:1"); /* 0 vs 57 */
	ck_assert_int_eq(map_outputs_bytes(mo), 73);
	ck_assert_int_eq(map_outputs_lose_node(mo, "n2:1"), 2);
	ck_assert_int_eq(map_outputs_missing(mo), 2);
	ck_assert(!map_outputs_available(mo, 1));
	ck_assert_str_eq(map_outputs_node(mo, 0), "n1:1");
	ck_assert(!map_outputs_lose(mo, 0, "0_9_9"));
	ck_assert(map_outputs_lose(mo, 0, "0_1_0"));
	ck_assert_ptr_null(map_outputs_preferred_node(mo, 0));
	map_outputs_free(mo);
}
END_TEST

START_TEST(test_output_commit)
{
	char *out = xasprintf("%s/out", dir), *staging, *cause = NULL, *p;
	struct stat st;
	FILE *f;

	staging = output_commit_begin(out, &cause);
	ck_assert_msg(staging != NULL, "%s", cause);
	ck_assert_int_ne(stat(out, &st), 0); /* nothing visible yet */
	p = xasprintf("%s/part-00000", staging);
	f = fopen(p, "w");
	fputs("x\n", f);
	fclose(f);
	free(p);
	p = xasprintf("%s/.part-00001.3_0.tmp", staging); /* a killed attempt's */
	f = fopen(p, "w");
	fclose(f);
	free(p);
	ck_assert_int_eq(output_commit_finish(staging, out, false, &cause), 0);
	p = xasprintf("%s/_SUCCESS", out);
	ck_assert_int_eq(stat(p, &st), 0);
	free(p);
	p = xasprintf("%s/.part-00001.3_0.tmp", out);
	ck_assert_int_ne(stat(p, &st), 0);
	free(p);
	free(staging);
	/* A second commit to the same path needs overwrite. */
	staging = output_commit_begin(out, &cause);
	ck_assert_int_eq(output_commit_finish(staging, out, false, &cause), -1);
	free(cause);
	ck_assert_int_eq(output_commit_finish(staging, out, true, &cause), 0);
	free(staging);
	/* Abort leaves nothing. */
	staging = output_commit_begin(out, &cause);
	output_commit_abort(staging);
	ck_assert_int_ne(stat(staging, &st), 0);
	free(staging);
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("driver_lineage");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	char *cmd;
	int failed;

	if (testlib_mkdtemp_try(dir, sizeof dir, "lineage") != 0)
		return EXIT_FAILURE;
	cmd = xasprintf("cd %s && printf 'hello\\nyou\\n' > a.txt && mkdir d && "
	                "head -c 2500 /dev/zero | tr '\\\\0' x > d/b.txt && : > d/empty && "
	                "echo h > d/.hidden && echo s > d/_SUCCESS && echo x > secret && "
	                "chmod 000 secret",
	                dir);
	if (system(cmd) != 0)
		return EXIT_FAILURE;
	free(cmd);
	tcase_add_test(tc, test_malformed_files_name_the_field);
	tcase_add_test(tc, test_split_size_range_checked);
	tcase_add_test(tc, test_split_count_bounded);
	tcase_add_test(tc, test_splits_and_partitions);
	tcase_add_test(tc, test_driver_validates_dataflow);
	tcase_add_test(tc, test_map_outputs);
	tcase_add_test(tc, test_output_commit);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	testlib_rmtree(dir);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
