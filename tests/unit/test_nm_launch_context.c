/*
 * test_nm_launch_context.c — validation of a container's launch context:
 * a complete good one, defaults, and each way a bad one is refused with a
 * message naming the field.
 */
#include "weft_config.h"

#include <check.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "nm/launch_context.h"

/* Parse text as a launch context; RET it or NULL with *cause. */
static struct weft_launch_context *parse(const char *text, char **cause)
{
	struct json_object *obj = json_tokener_parse(text);
	struct weft_launch_context *lc;

	ck_assert_msg(obj != NULL, "test JSON does not parse: %s", text);
	*cause = NULL;
	lc = launch_context_parse(obj, cause);
	json_object_put(obj);
	return lc;
}

/* A refused context whose message names what. */
static void assert_refused(const char *text, const char *what)
{
	char *cause = NULL;
	struct weft_launch_context *lc = parse(text, &cause);

	ck_assert_msg(lc == NULL, "accepted: %s", text);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, what) != NULL, "'%s' not in '%s' for %s", what, cause, text);
	free(cause);
}

START_TEST(test_good_context)
{
	char *cause = NULL, *line;
	struct weft_launch_context *lc = parse(
	        "{\"commands\":[\"echo a\",\"echo b\"],"
	        "\"environment\":{\"A_1\":\"x y\",\"_B\":\"\",\"PATH\":\"/bin\"},"
	        "\"localResources\":["
	        "{\"name\":\"job.json\",\"url\":\"/ws/v1/staging/application_1_0001/job.json\"},"
	        "{\"name\":\"run.sh\",\"url\":\"https://example.com/x/run.sh?v=1\","
	        "\"executable\":true},"
	        "{\"name\":\"data-1.txt\",\"url\":\"file:///srv/data.txt\",\"executable\":false},"
	        "{\"name\":\"more\",\"url\":\"HTTP://Example.com/m\"}],"
	        "\"unknownField\":42}",
	        &cause);

	ck_assert_msg(lc != NULL, "%s", cause);
	ck_assert_int_eq(lc->n_commands, 2);
	line = launch_context_command_line(lc);
	ck_assert_str_eq(line, "echo a && echo b");
	free(line);
	ck_assert_int_eq(lc->n_env, 3);
	ck_assert_str_eq(lc->env[0].name, "A_1");
	ck_assert_str_eq(lc->env[0].value, "x y");
	ck_assert_str_eq(lc->env[1].value, "");
	ck_assert_int_eq(lc->n_resources, 4);
	ck_assert_str_eq(lc->resources[1].name, "run.sh");
	ck_assert(lc->resources[1].executable);
	ck_assert(!lc->resources[2].executable);
	ck_assert(!lc->resources[3].executable);
	launch_context_free(lc);
}
END_TEST

START_TEST(test_minimal_context)
{
	char *cause = NULL;
	struct weft_launch_context *lc = parse("{\"commands\":[\"true\"]}", &cause);

	ck_assert_ptr_nonnull(lc);
	ck_assert_int_eq(lc->n_env, 0);
	ck_assert_int_eq(lc->n_resources, 0);
	launch_context_free(lc);
	lc = parse("{\"commands\":[\"true\"],\"environment\":null,\"localResources\":[]}", &cause);
	ck_assert_ptr_nonnull(lc);
	launch_context_free(lc);
	launch_context_free(NULL);
}
END_TEST

START_TEST(test_bad_commands)
{
	char *big, *text;

	assert_refused("{}", "launchContext.commands: missing");
	assert_refused("{\"commands\":\"true\"}", "launchContext.commands: expected an array");
	assert_refused("{\"commands\":[]}", "at least one command");
	assert_refused("{\"commands\":[\"\"]}", "commands[0]");
	assert_refused("{\"commands\":[\"ok\",3]}", "commands[1]");
	assert_refused("{\"commands\":[\"ok\",null]}", "commands[1]");
	assert_refused("{\"commands\":[\"a\\u0000b\"]}", "NUL");
	/* Longer than one exec argument can be. */
	big = xmalloc(200 * 1024);
	memset(big, 'x', 200 * 1024 - 1);
	big[200 * 1024 - 1] = '\0';
	text = xasprintf("{\"commands\":[\"%s\"]}", big);
	assert_refused(text, "longer than");
	free(text);
	free(big);
	{
		char buf[4096] = "{\"commands\":[";
		int i;

		for (i = 0; i < LAUNCH_CONTEXT_MAX_COMMANDS + 1; i++)
			strcat(buf, i == 0 ? "\"x\"" : ",\"x\"");
		strcat(buf, "]}");
		assert_refused(buf, "more than");
	}
}
END_TEST

START_TEST(test_bad_environment)
{
	assert_refused("{\"commands\":[\"true\"],\"environment\":[]}",
	               "launchContext.environment: expected an object");
	assert_refused("{\"commands\":[\"true\"],\"environment\":{\"1A\":\"x\"}}",
	               "not a valid variable name");
	assert_refused("{\"commands\":[\"true\"],\"environment\":{\"A-B\":\"x\"}}",
	               "not a valid variable name");
	assert_refused("{\"commands\":[\"true\"],\"environment\":{\"\":\"x\"}}",
	               "not a valid variable name");
	assert_refused("{\"commands\":[\"true\"],\"environment\":{\"A=B\":\"x\"}}",
	               "not a valid variable name");
	assert_refused("{\"commands\":[\"true\"],\"environment\":{\"A\":1}}",
	               "environment.A: expected a string");
	assert_refused("{\"commands\":[\"true\"],\"environment\":{\"A\":null}}",
	               "environment.A: expected a string");
	assert_refused("{\"commands\":[\"true\"],\"environment\":{\"A\":\"x\\u0000y\"}}", "NUL");
	ck_assert(launch_context_env_name_valid("_"));
	ck_assert(launch_context_env_name_valid("WEFT_TASK_INDEX"));
	ck_assert(!launch_context_env_name_valid("A B"));
	ck_assert(!launch_context_env_name_valid(NULL));
}
END_TEST

START_TEST(test_bad_resources)
{
	assert_refused("{\"commands\":[\"true\"],\"localResources\":{}}", "expected an array");
	assert_refused("{\"commands\":[\"true\"],\"localResources\":[5]}",
	               "localResources[0]: expected an object");
	assert_refused("{\"commands\":[\"true\"],\"localResources\":[{\"url\":\"http://h/x\"}]}",
	               "localResources[0].name: missing");
	assert_refused("{\"commands\":[\"true\"],\"localResources\":[{\"name\":\"x\"}]}",
	               "localResources[0].url: missing");
	assert_refused("{\"commands\":[\"true\"],\"localResources\":[{\"name\":\"x\","
	               "\"url\":\"http://h/x\",\"executable\":1}]}",
	               "executable: expected a boolean");
	/* Names: plain file names only. */
	static const char *const bad_names[] = {
	        "", ".", "..", "../x", "a/b", "/etc/passwd", ".bashrc", "a\\nb", NULL};
	for (int i = 0; bad_names[i] != NULL; i++) {
		char *text = xasprintf("{\"commands\":[\"true\"],\"localResources\":[{\"name\":"
		                       "\"%s\",\"url\":\"http://h/x\"}]}",
		                       bad_names[i]);

		assert_refused(text, "is not a plain file name");
		free(text);
	}
	assert_refused("{\"commands\":[\"true\"],\"localResources\":[{\"name\":\"x\",\"url\":"
	               "\"http://h/x\"},{\"name\":\"x\",\"url\":\"http://h/y\"}]}",
	               "listed twice");
	/* URLs: http(s), file with a path, or the staging form. */
	static const char *const bad_urls[] = {
	        "ftp://h/x",
	        "h/x",
	        "",
	        "http://",
	        "http:///x",
	        "file://",
	        "file://host/x",
	        "/etc/passwd",
	        "/ws/v1/staging/",
	        "/ws/v1/staging/a/../b",
	        "/ws/v1/staging/a//b",
	        "/ws/v1/staging/a/b?x=1",
	        "http://h/a b",
	        "javascript:alert(1)",
	        NULL,
	};
	for (int i = 0; bad_urls[i] != NULL; i++) {
		char *text = xasprintf("{\"commands\":[\"true\"],\"localResources\":[{\"name\":"
		                       "\"x\",\"url\":\"%s\"}]}",
		                       bad_urls[i]);

		assert_refused(text, "url");
		free(text);
	}
}
END_TEST

START_TEST(test_not_an_object)
{
	char *cause = NULL;
	struct json_object *array = json_object_new_array();

	ck_assert_ptr_null(launch_context_parse(array, &cause));
	ck_assert_str_eq(cause, "launchContext: expected an object");
	free(cause);
	cause = NULL;
	ck_assert_ptr_null(launch_context_parse(NULL, &cause));
	free(cause);
	json_object_put(array);
}
END_TEST

static Suite *launch_context_suite(void)
{
	Suite *s = suite_create("nm_launch_context");
	TCase *tc = tcase_create("validation");

	tcase_add_test(tc, test_good_context);
	tcase_add_test(tc, test_minimal_context);
	tcase_add_test(tc, test_bad_commands);
	tcase_add_test(tc, test_bad_environment);
	tcase_add_test(tc, test_bad_resources);
	tcase_add_test(tc, test_not_an_object);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(launch_context_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
