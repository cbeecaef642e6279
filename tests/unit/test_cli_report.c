/*
 * test_cli_report.c — tables and reports from sample RM JSON, read as
 * libweft reads it (common/proto_app.c): aligned columns, YARN's ways of
 * saying "none" (null, {}, a bare object), wrong field types and answers
 * that are not the RM's at all (refused by the reading), hostile text.
 */
#include "weft_config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/report.h"
#include "common/proto_app.h"
#include "common/xmalloc.h"
#include "cli/table.h"

/* Everything written to f, as a string (caller frees). */
static char *slurp(FILE *f)
{
	long n;
	char *buf;

	fflush(f);
	n = ftell(f);
	buf = calloc(1, (size_t)n + 1);
	rewind(f);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	return buf;
}

/* Read an /apps answer as libweft does and render it.  *rc is -1 (and
 * *cause says why) when the answer does not read. */
static char *render_apps(const char *json, int *rc, char **cause)
{
	struct json_object *root = json_tokener_parse(json), *list;
	struct weft_app_report apps[8];
	FILE *f = tmpfile();
	char *text, *why = NULL;
	int n = 0;

	ck_assert_ptr_nonnull(f);
	*cause = NULL;
	*rc = 0;
	list = root != NULL ? proto_app_reports_unwrap(root, &why) : NULL;
	if (list != NULL) {
		n = (int)json_object_array_length(list);
		ck_assert_int_le(n, 8);
		for (int i = 0; i < n && *rc == 0; i++)
			*rc = proto_app_report_decode(json_object_array_get_idx(list, (size_t)i),
			                              &apps[i], &why);
	} else
		*rc = -1;
	if (*rc == 0)
		report_apps_table(f, apps, n);
	else
		*cause = xasprintf("unexpected answer: %s", why != NULL ? why : "not JSON");
	free(why);
	text = slurp(f);
	fclose(f);
	json_object_put(list);
	json_object_put(root);
	return text;
}

static char *render_nodes(const char *json, bool all, int *rc, char **cause)
{
	struct json_object *root = json_tokener_parse(json);
	FILE *f = tmpfile();
	char *text;

	*cause = NULL;
	*rc = report_nodes_table(f, root, all, cause);
	text = slurp(f);
	fclose(f);
	json_object_put(root);
	return text;
}

/* Column where word starts in the line that contains key. */
static int column_of(const char *text, const char *key, const char *word)
{
	const char *line = strstr(text, key), *start, *w;

	ck_assert_ptr_nonnull(line);
	start = line;
	while (start > text && start[-1] != '\n')
		start--;
	w = strstr(start, word);
	ck_assert_ptr_nonnull(w);
	return (int)(w - start);
}

static const char apps_json[] =
        "{\"apps\":{\"app\":["
        "{\"id\":\"application_1700000000000_0001\",\"user\":\"alice\",\"name\":\"shell: echo hi\","
        "\"queue\":\"default\",\"state\":\"FINISHED\",\"finalStatus\":\"SUCCEEDED\","
        "\"progress\":100.0,\"trackingUrl\":\"http://h:1/\",\"applicationType\":\"WEFT\"},"
        "{\"id\":\"application_1700000000000_0002\",\"user\":\"bob\",\"name\":\"a much longer "
        "application "
        "name\",\"queue\":\"default\",\"state\":\"RUNNING\",\"finalStatus\":\"UNDEFINED\","
        "\"progress\":42.4,\"trackingUrl\":\"\",\"applicationType\":\"WEFT\"}]}}";

START_TEST(apps_table_is_aligned)
{
	int rc;
	char *cause, *text = render_apps(apps_json, &rc, &cause);

	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(text, "Total number of applications: 2\n"));
	ck_assert_ptr_nonnull(strstr(text, "Application-Id"));
	ck_assert_ptr_nonnull(strstr(text, "application_1700000000000_0001"));
	ck_assert_ptr_nonnull(strstr(text, "42%"));
	ck_assert_ptr_nonnull(strstr(text, "100%"));
	/* The State column starts at the same place on every line. */
	ck_assert_int_eq(column_of(text, "Application-Id", "State"),
	                 column_of(text, "_0001", "FINISHED"));
	ck_assert_int_eq(column_of(text, "Application-Id", "State"),
	                 column_of(text, "_0002", "RUNNING"));
	ck_assert_int_eq(column_of(text, "Application-Id", "Queue"),
	                 column_of(text, "_0002", "default"));
	/* An empty tracking URL prints N/A; no line ends in blanks. */
	ck_assert_ptr_nonnull(strstr(text, "N/A\n"));
	ck_assert_ptr_null(strstr(text, " \n"));
	free(text);
}
END_TEST

START_TEST(apps_empty_forms)
{
	static const char *const empties[] = {
	        "{\"apps\":null}",
	        "{\"apps\":{}}",
	        "{\"apps\":{\"app\":[]}}",
	        "{\"apps\":{\"app\":null}}",
	};

	for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
		int rc;
		char *cause, *text = render_apps(empties[i], &rc, &cause);
		ck_assert_msg(rc == 0, "%s: %s", empties[i], cause);
		ck_assert_ptr_nonnull(strstr(text, "Total number of applications: 0\n"));
		ck_assert_ptr_nonnull(strstr(text, "Application-Id"));
		free(text);
	}
}
END_TEST

START_TEST(apps_single_object_and_bad_types)
{
	int rc;
	char *cause;
	char *text = render_apps("{\"apps\":{\"app\":{\"id\":\"application_1_0001\","
	                         "\"name\":\"seven\",\"state\":\"NEW\"}}}",
	                         &rc, &cause);

	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(text, "Total number of applications: 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "application_1_0001"));
	ck_assert_ptr_nonnull(strstr(text, "   seven   "));
	free(text);
	/* A field of the wrong type is not the RM's: refused, named. */
	text = render_apps("{\"apps\":{\"app\":{\"id\":\"application_1_0001\","
	                   "\"name\":7,\"state\":\"NEW\"}}}",
	                   &rc, &cause);
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_nonnull(strstr(cause, "app.name"));
	free(cause);
	free(text);
}
END_TEST

START_TEST(apps_not_the_rm)
{
	static const char *const bad[] = {
	        "{}", "{\"nodes\":null}", "{\"apps\":[]}", "{\"apps\":{\"app\":\"x\"}}", "[1,2]",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc;
		char *cause, *text = render_apps(bad[i], &rc, &cause);
		ck_assert_msg(rc == -1, "%s accepted", bad[i]);
		ck_assert_ptr_nonnull(cause);
		ck_assert_ptr_nonnull(strstr(cause, "unexpected answer"));
		free(cause);
		free(text);
	}
}
END_TEST

START_TEST(hostile_names_stay_on_one_line)
{
	int rc;
	char *cause;
	char *text = render_apps("{\"apps\":{\"app\":[{\"id\":\"application_1_0001\","
	                         "\"state\":\"NEW\",\"name\":\"two\\nlines\\u001b[2J\\ttab\"}]}}",
	                         &rc, &cause);
	int lines = 0;

	ck_assert_int_eq(rc, 0);
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	ck_assert_int_eq(lines, 3); /* total, header, one row */
	ck_assert_ptr_null(strchr(text, '\033'));
	ck_assert_ptr_null(strchr(text, '\t'));
	ck_assert_ptr_nonnull(strstr(text, "two lines [2J tab"));
	free(text);
}
END_TEST

static const char nodes_json[] =
        "{\"nodes\":{\"node\":["
        "{\"id\":\"h1:8042\",\"state\":\"RUNNING\",\"nodeHTTPAddress\":\"h1:8042\",\"rack\":"
        "\"/default-rack\",\"numContainers\":2,\"usedMemoryMB\":2048,\"availMemoryMB\":6144,"
        "\"usedVirtualCores\":2,\"availableVirtualCores\":6},"
        "{\"id\":\"h2:8042\",\"state\":\"LOST\",\"nodeHTTPAddress\":\"h2:8042\",\"rack\":"
        "\"/default-rack\",\"numContainers\":0,\"usedMemoryMB\":0,\"availMemoryMB\":8192,"
        "\"usedVirtualCores\":0,\"availableVirtualCores\":8},"
        "{\"id\":\"host-with-a-long-name:8042\",\"state\":\"UNHEALTHY\"}]}}";

START_TEST(nodes_active_only_unless_all)
{
	int rc;
	char *cause, *text = render_nodes(nodes_json, false, &rc, &cause);

	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(text, "Total Nodes: 2\n"));
	ck_assert_ptr_nonnull(strstr(text, "h1:8042"));
	ck_assert_ptr_null(strstr(text, "h2:8042"));
	ck_assert_ptr_nonnull(strstr(text, "UNHEALTHY"));
	ck_assert_int_eq(column_of(text, "Node-Id", "Node-State"),
	                 column_of(text, "h1:8042", "RUNNING"));
	ck_assert_int_eq(column_of(text, "Node-Id", "Mem-Avail(MB)"),
	                 column_of(text, "h1:8042", "6144"));
	free(text);

	text = render_nodes(nodes_json, true, &rc, &cause);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(text, "Total Nodes: 3\n"));
	ck_assert_ptr_nonnull(strstr(text, "LOST"));
	free(text);

	text = render_nodes("{\"nodes\":null}", true, &rc, &cause);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(text, "Total Nodes: 0\n"));
	free(text);

	text = render_nodes("{\"apps\":null}", true, &rc, &cause);
	ck_assert_int_eq(rc, -1);
	free(cause);
	free(text);
}
END_TEST

START_TEST(app_status_report)
{
	struct json_object *root = json_tokener_parse(
	        "{\"app\":{\"id\":\"application_1700000000000_0003\",\"user\":\"alice\","
	        "\"name\":\"wc\",\"queue\":\"default\",\"state\":\"FAILED\","
	        "\"finalStatus\":\"FAILED\",\"progress\":100,\"startedTime\":1700000000000,"
	        "\"finishedTime\":0,\"elapsedTime\":65000,\"diagnostics\":\"task 3 failed\\nexit "
	        "1\",\"memorySeconds\":1024,\"vcoreSeconds\":2,\"applicationType\":\"WEFT\"}}");
	FILE *f = tmpfile();
	char *cause = NULL, *text;
	struct weft_app_report r;

	ck_assert_int_eq(proto_app_report_unwrap(root, &r, NULL, &cause), 0);
	report_app_status(f, &r);
	text = slurp(f);
	ck_assert_ptr_nonnull(strstr(text, "Application Report :\n"));
	ck_assert_ptr_nonnull(strstr(text, "\tApplication-Id : application_1700000000000_0003\n"));
	ck_assert_ptr_nonnull(strstr(text, "\tFinal-State : FAILED\n"));
	ck_assert_ptr_nonnull(strstr(text, "\tFinish-Time : N/A\n"));
	ck_assert_ptr_nonnull(strstr(text, "\tElapsed : 1m05s\n"));
	ck_assert_ptr_nonnull(strstr(text, "\tProgress : 100%\n"));
	ck_assert_ptr_nonnull(strstr(text, "1024 MB-seconds, 2 vcore-seconds"));
	ck_assert_ptr_nonnull(strstr(text, "\tDiagnostics : task 3 failed\n\t\texit 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "\tStart-Time : 20"));
	free(text);
	fclose(f);
	json_object_put(root);

	/* No diagnostics: no trailing blank either. */
	root = json_tokener_parse("{\"app\":{\"id\":\"application_1_0001\",\"state\":\"NEW\","
	                          "\"diagnostics\":\"\"}}");
	f = tmpfile();
	ck_assert_int_eq(proto_app_report_unwrap(root, &r, NULL, &cause), 0);
	report_app_status(f, &r);
	text = slurp(f);
	ck_assert_ptr_nonnull(strstr(text, "\tDiagnostics :\n"));
	ck_assert_ptr_null(strstr(text, " \n"));
	free(text);
	fclose(f);
	json_object_put(root);

	/* Not an application's report: the reading refuses it. */
	root = json_tokener_parse("{\"apps\":null}");
	ck_assert_int_eq(proto_app_report_unwrap(root, &r, NULL, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	free(cause);
	json_object_put(root);
}
END_TEST

START_TEST(table_widths_count_characters)
{
	static const char *const head[] = {"A", "B", "C"};
	static const char *const r1[] = {"\xc3\xa9t\xc3\xa9", "x", ""};
	static const char *const r2[] = {"abcd", NULL, "z"};
	struct table *t = table_new(3, head);
	FILE *f = tmpfile();
	char *text;

	table_add_row(t, r1);
	table_add_row(t, r2);
	ck_assert_int_eq(table_rows(t), 2);
	table_print(t, f);
	text = slurp(f);
	/* "été" is three characters wide (five bytes): B still lines up. */
	ck_assert_str_eq(text, "A      B   C\n"
	                       "\xc3\xa9t\xc3\xa9    x\n"
	                       "abcd       z\n");
	free(text);
	fclose(f);
	table_free(t);
}
END_TEST

START_TEST(field_text)
{
	struct json_object *o = json_tokener_parse(
	        "{\"s\":\"x\",\"i\":12,\"d\":2.5,\"w\":3.0,\"b\":true,\"n\":null,\"a\":[]}");
	static const struct {
		const char *key, *want;
	} cases[] = {
	        {"s", "x"},    {"i", "12"},  {"d", "2.5"}, {"w", "3"},
	        {"b", "true"}, {"n", "N/A"}, {"a", "N/A"}, {"missing", "N/A"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *v = report_field(o, cases[i].key);
		ck_assert_str_eq(v, cases[i].want);
		free(v);
	}
	json_object_put(o);
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("cli_report");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, apps_table_is_aligned);
	tcase_add_test(tc, apps_empty_forms);
	tcase_add_test(tc, apps_single_object_and_bad_types);
	tcase_add_test(tc, apps_not_the_rm);
	tcase_add_test(tc, hostile_names_stay_on_one_line);
	tcase_add_test(tc, nodes_active_only_unless_all);
	tcase_add_test(tc, app_status_report);
	tcase_add_test(tc, table_widths_count_characters);
	tcase_add_test(tc, field_text);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(report_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
