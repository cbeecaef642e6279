/*
 * test_proto_app.c — the RM's application messages (proto_app.h): the
 * submission context, new-application's answer and the /state body
 * survive encode -> wire text -> decode unchanged and have the shape
 * weft/protocol.h and YARN's REST API specify; every decoder refuses
 * wrong types, missing fields, out-of-range numbers and overlong strings
 * with a cause that names the field path.
 */
#include "weft_config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto_app.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "testlib.h"

#define APP_ID "application_1700000000000_0001"

/* ------------------------------------------------------------------ */
/* Helpers. */

/* The value at a dotted path of obj ("a.b[0].c" not supported: a.b.0.c). */
static struct json_object *at(struct json_object *obj, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;

	for (char *part = strtok_r(copy, ".", &save); part != NULL && obj != NULL;
	     part = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(obj, json_type_array))
			obj = json_object_array_get_idx(obj, (size_t)atoi(part));
		else if (!json_object_object_get_ex(obj, part, &obj))
			obj = NULL;
	}
	free(copy);
	return obj;
}

/* The string at path, or "(absent)". */
static const char *str_at(struct json_object *obj, const char *path)
{
	struct json_object *v = at(obj, path);

	return v != NULL && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
	                                                             : "(absent)";
}

static int decode_submission(struct json_object *obj, char **cause)
{
	struct weft_app_submission *s = NULL;
	int rc = proto_app_submission_decode(obj, &s, cause);

	ck_assert(rc != 0 || s != NULL);
	ck_assert(rc == 0 || s == NULL);
	proto_app_submission_free(s);
	return rc;
}

static int decode_new_application(struct json_object *obj, char **cause)
{
	struct weft_new_application m;

	return proto_app_new_application_decode(obj, &m, cause);
}

static int decode_state(struct json_object *obj, char **cause)
{
	struct proto_app_state m;

	return proto_app_state_decode(obj, &m, cause);
}

/* A valid submission with `extra` spliced in at the top (",\"k\":v" or
 * ""), and `spec` as the am-container-spec (caller frees). */
static char *submission_text(const char *extra, const char *spec)
{
	return xasprintf("{\"application-id\":\"" APP_ID "\"%s,\"am-container-spec\":%s}", extra,
	                 spec);
}

#define SPEC_OK "{\"commands\":{\"command\":\"true\"}}"

/* testlib_decode_fails on a submission with extra top-level fields. */
static void expect_top_fail(const char *extra, const char *expected)
{
	char *text = submission_text(extra, SPEC_OK);

	testlib_decode_fails(decode_submission, text, expected);
	free(text);
}

/* testlib_decode_fails on a submission with this am-container-spec. */
static void expect_spec_fail(const char *spec, const char *expected)
{
	char *text = submission_text("", spec);

	testlib_decode_fails(decode_submission, text, expected);
	free(text);
}

/* ------------------------------------------------------------------ */
/* Round trips. */

START_TEST(test_submission_round_trip)
{
	char *commands[] = {"echo one", "exec weft-am --mode cluster"};
	char *tags[] = {"etl", "nightly"};
	struct weft_app_env env[] = {{"WEFT_APP_SECRET", "s3cret"}, {"LANG", "C"}};
	struct weft_app_file files[] = {
	        {"job.json", "/ws/v1/staging/" APP_ID "/job.json", false, 123, 1700000000000},
	        {"run.sh", "http://files/run.sh", true, -1, 0},
	};
	struct weft_app_submission in = {
	        .app_id = APP_ID,
	        .name = "word count",
	        .queue = "research",
	        .type = "WEFT",
	        .tags = tags,
	        .n_tags = 2,
	        .priority = 3,
	        .max_attempts = 2,
	        .resource = {.memory_mb = 2048, .vcores = 2},
	        .keep_containers = true,
	        .commands = commands,
	        .n_commands = 2,
	        .env = env,
	        .n_env = 2,
	        .files = files,
	        .n_files = 2,
	};
	struct weft_app_submission *out = NULL;
	struct json_object *obj = testlib_json_wire(proto_app_submission_encode(&in));
	char *cause = NULL;

	/* YARN's shape. */
	ck_assert_str_eq(str_at(obj, "application-id"), APP_ID);
	ck_assert_str_eq(str_at(obj, "application-type"), "WEFT");
	ck_assert_str_eq(str_at(obj, "am-container-spec.local-resources.entry.0.key"), "job.json");
	ck_assert_str_eq(str_at(obj, "am-container-spec.local-resources.entry.0.value.type"),
	                 "FILE");
	ck_assert_str_eq(str_at(obj, "am-container-spec.local-resources.entry.0.value.visibility"),
	                 "APPLICATION");
	ck_assert_str_eq(str_at(obj, "am-container-spec.environment.entry.1.value"), "C");
	ck_assert_str_eq(str_at(obj, "am-container-spec.commands.command.1"),
	                 "exec weft-am --mode cluster");
	ck_assert_str_eq(str_at(obj, "application-tags.tag.1"), "nightly");
	ck_assert_int_eq(json_object_get_int64(at(obj, "resource.vCores")), 2);

	ck_assert_msg(proto_app_submission_decode(obj, &out, &cause) == 0, "%s", cause);
	ck_assert_str_eq(out->app_id, APP_ID);
	ck_assert_str_eq(out->name, "word count");
	ck_assert_str_eq(out->queue, "research");
	ck_assert_str_eq(out->type, "WEFT");
	ck_assert_int_eq(out->n_tags, 2);
	ck_assert_str_eq(out->tags[0], "etl");
	ck_assert_int_eq(out->priority, 3);
	ck_assert_int_eq(out->max_attempts, 2);
	ck_assert_int_eq(out->resource.memory_mb, 2048);
	ck_assert_int_eq(out->resource.vcores, 2);
	ck_assert(out->keep_containers);
	ck_assert_int_eq(out->n_commands, 2);
	ck_assert_str_eq(out->commands[1], "exec weft-am --mode cluster");
	ck_assert_int_eq(out->n_env, 2);
	ck_assert_str_eq(out->env[0].key, "WEFT_APP_SECRET");
	ck_assert_str_eq(out->env[0].value, "s3cret");
	ck_assert_int_eq(out->n_files, 2);
	ck_assert_str_eq(out->files[0].url, "/ws/v1/staging/" APP_ID "/job.json");
	ck_assert_int_eq(out->files[0].size, 123);
	ck_assert_int_eq(out->files[0].timestamp, 1700000000000);
	ck_assert(!out->files[0].executable);
	ck_assert(out->files[1].executable);
	ck_assert_int_eq(out->files[1].size, -1);
	proto_app_submission_free(out);
	json_object_put(obj);
}
END_TEST

START_TEST(test_submission_minimal_and_bare_values)
{
	char *command = "exec weft-am";
	struct weft_app_submission in = {
	        .app_id = APP_ID,
	        .name = "N/A",
	        .queue = "default",
	        .type = "WEFT",
	        .commands = &command,
	        .n_commands = 1,
	};
	struct weft_app_submission *out = NULL;
	struct json_object *obj = testlib_json_wire(proto_app_submission_encode(&in));
	char *cause = NULL;
	const char *yarn = "{\"application-id\":\"" APP_ID "\",\"am-container-spec\":{"
	                   "\"commands\":{\"command\":[\"a\"]},"
	                   "\"environment\":{\"entry\":{\"key\":\"K\",\"value\":\"V\"}},"
	                   "\"local-resources\":{\"entry\":{\"key\":\"f\",\"value\":"
	                   "{\"resource\":\"file:///tmp/f\"}}}},"
	                   "\"application-tags\":{\"tag\":\"one\"}}";

	/* One command is a bare string; absent optional fields stay out. */
	ck_assert_str_eq(str_at(obj, "am-container-spec.commands.command"), "exec weft-am");
	ck_assert_ptr_null(at(obj, "max-app-attempts"));
	ck_assert_ptr_null(at(obj, "application-tags"));
	ck_assert_ptr_null(at(obj, "priority"));
	ck_assert_msg(proto_app_submission_decode(obj, &out, &cause) == 0, "%s", cause);
	ck_assert_int_eq(out->max_attempts, 0);
	ck_assert_int_eq(out->n_files, 0);
	ck_assert_int_eq(out->n_env, 0);
	ck_assert_str_eq(out->commands[0], "exec weft-am");
	proto_app_submission_free(out);
	json_object_put(obj);

	/* JAXB's one-element lists as bare values; defaults when absent. */
	obj = json_tokener_parse(yarn);
	ck_assert_msg(proto_app_submission_decode(obj, &out, &cause) == 0, "%s", cause);
	ck_assert_str_eq(out->name, "N/A");
	ck_assert_str_eq(out->queue, "default");
	ck_assert_str_eq(out->type, "YARN");
	ck_assert_int_eq(out->n_env, 1);
	ck_assert_str_eq(out->env[0].value, "V");
	ck_assert_int_eq(out->n_files, 1);
	ck_assert_str_eq(out->files[0].url, "file:///tmp/f");
	ck_assert_int_eq(out->n_tags, 1);
	ck_assert_str_eq(out->tags[0], "one");
	proto_app_submission_free(out);
	json_object_put(obj);
}
END_TEST

START_TEST(test_small_messages_round_trip)
{
	struct weft_new_application na = {.app_id = APP_ID, .max_memory_mb = 8192, .max_vcores = 4},
	                            na2;
	struct proto_app_state st = {.state = "KILLED"}, st2;
	struct json_object *obj = testlib_json_wire(proto_app_new_application_encode(&na));
	char *cause = NULL;

	ck_assert_str_eq(str_at(obj, "application-id"), APP_ID);
	ck_assert_int_eq(json_object_get_int64(at(obj, "maximum-resource-capability.memory")),
	                 8192);
	ck_assert_msg(proto_app_new_application_decode(obj, &na2, &cause) == 0, "%s", cause);
	ck_assert_str_eq(na2.app_id, APP_ID);
	ck_assert_int_eq(na2.max_memory_mb, 8192);
	ck_assert_int_eq(na2.max_vcores, 4);
	json_object_put(obj);

	/* The maximum is optional. */
	obj = json_tokener_parse("{\"application-id\":\"" APP_ID "\"}");
	ck_assert_int_eq(proto_app_new_application_decode(obj, &na2, NULL), 0);
	ck_assert_int_eq(na2.max_memory_mb, 0);
	json_object_put(obj);

	obj = testlib_json_wire(proto_app_state_encode(&st));
	ck_assert_str_eq(str_at(obj, "state"), "KILLED");
	ck_assert_int_eq(proto_app_state_decode(obj, &st2, NULL), 0);
	ck_assert_str_eq(st2.state, "KILLED");
	json_object_put(obj);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Malformed input. */

START_TEST(test_submission_refuses_malformed_top)
{
	char *big = xcalloc(1, PROTO_APP_MAX_NAME + 64), *text;

	testlib_decode_fails(decode_submission, "{\"am-container-spec\":" SPEC_OK "}",
	                     "application-id:");
	testlib_decode_fails(decode_submission, "{\"application-id\":5}",
	                     "application-id: expected");
	testlib_decode_fails(decode_submission, "{\"application-id\":\"app_1\"}",
	                     "application-id: 'app_1' is not an application id");
	testlib_decode_fails(decode_submission, "{\"application-id\":\"" APP_ID "\"}",
	                     "am-container-spec");
	expect_top_fail(",\"application-name\":7", "application-name: expected");
	expect_top_fail(",\"application-name\":\"\"", "application-name: must be");
	expect_top_fail(",\"queue\":\"a\\u0001b\"", "queue: must be");
	expect_top_fail(",\"application-type\":[]", "application-type: expected");
	expect_top_fail(",\"priority\":4294967296", "priority: 4294967296 is out of range");
	expect_top_fail(",\"max-app-attempts\":0", "max-app-attempts: 0 is out of range");
	expect_top_fail(",\"max-app-attempts\":1001", "max-app-attempts: 1001 is out of range");
	expect_top_fail(",\"max-app-attempts\":\"2\"", "max-app-attempts: expected");
	expect_top_fail(",\"unmanaged-AM\":true", "unmanaged-AM: unmanaged");
	expect_top_fail(",\"unmanaged-AM\":1", "unmanaged-AM: expected");
	expect_top_fail(",\"keep-containers-across-application-attempts\":\"no\"",
	                "keep-containers-across-application-attempts: expected");
	expect_top_fail(",\"resource\":[]", "resource: expected");
	expect_top_fail(",\"resource\":{\"memory\":\"1g\"}", "resource.memory: expected");
	expect_top_fail(",\"resource\":{\"vCores\":2000000}", "resource.vCores: 2000000 is out");
	expect_top_fail(",\"application-tags\":{\"tag\":[\"a\",1]}",
	                "application-tags.tag[1]: expected a string");
	expect_top_fail(",\"application-tags\":{\"tag\":\"a,b\"}",
	                "application-tags.tag: 'a,b' is not a valid tag");
	expect_top_fail(",\"log-aggregation-context\":1", "log-aggregation-context: expected");
	expect_top_fail(",\"attempt-failures-validity-interval\":-2",
	                "attempt-failures-validity-interval: -2 is out of range");
	memset(big, 'n', PROTO_APP_MAX_NAME + 1);
	text = xasprintf(",\"application-name\":\"%s\"", big);
	expect_top_fail(text, "application-name: must be 1-1024");
	free(text);
	free(big);
}
END_TEST

START_TEST(test_submission_refuses_malformed_spec)
{
	char *big = xcalloc(1, PROTO_APP_MAX_TEXT + 64), *spec;
	struct json_object *many = json_object_new_array();

	expect_spec_fail("[]", "am-container-spec: expected");
	expect_spec_fail("{}", "am-container-spec.commands: missing");
	expect_spec_fail("{\"commands\":{}}", "am-container-spec.commands.command: missing");
	expect_spec_fail("{\"commands\":{\"command\":[]}}",
	                 "am-container-spec.commands.command: empty");
	expect_spec_fail("{\"commands\":{\"command\":[\"a\",3]}}",
	                 "am-container-spec.commands.command[1]: expected a string, got an "
	                 "integer");
	expect_spec_fail("{\"commands\":{\"command\":\"\"}}",
	                 "am-container-spec.commands.command: empty command");
	expect_spec_fail("{\"commands\":{\"command\":\"a\"},\"environment\":{\"entry\":[{\"key\":"
	                 "\"A\",\"value\":\"1\"},{\"key\":\"B\",\"value\":\"2\"},{\"key\":3}]}}",
	                 "am-container-spec.environment.entry[2].key: expected a string, got an "
	                 "integer");
	expect_spec_fail("{\"commands\":{\"command\":\"a\"},\"environment\":{\"entry\":"
	                 "{\"key\":\"1X\",\"value\":\"\"}}}",
	                 "am-container-spec.environment.entry.key: '1X' is not a valid");
	expect_spec_fail("{\"commands\":{\"command\":\"a\"},\"environment\":{\"entry\":[{\"key\":"
	                 "\"A\",\"value\":\"1\"},{\"key\":\"A\",\"value\":\"2\"}]}}",
	                 "am-container-spec.environment.entry[1].key: 'A' is given twice");
	expect_spec_fail("{\"commands\":{\"command\":\"a\"},\"environment\":{\"entry\":"
	                 "{\"key\":\"A\"}}}",
	                 "am-container-spec.environment.entry.value: missing");
	expect_spec_fail("{\"commands\":{\"command\":\"a\"},\"local-resources\":{\"entry\":"
	                 "[{\"key\":\".hidden\",\"value\":{\"resource\":\"file:///x\"}}]}}",
	                 "am-container-spec.local-resources.entry[0].key: '.hidden' is not a "
	                 "valid file name");
	expect_spec_fail("{\"commands\":{\"command\":\"a\"},\"local-resources\":{\"entry\":"
	                 "[{\"key\":\"f\",\"value\":{\"resource\":\"ftp://x\"}}]}}",
	                 "am-container-spec.local-resources.entry[0].value.resource: 'ftp://x'");
	expect_spec_fail("{\"commands\":{\"command\":\"a\"},\"local-resources\":{\"entry\":"
	                 "[{\"key\":\"f\",\"value\":{\"resource\":\"file:///x\",\"type\":"
	                 "\"ARCHIVE\"}}]}}",
	                 "am-container-spec.local-resources.entry[0].value.type: 'ARCHIVE' is "
	                 "not supported");
	expect_spec_fail("{\"commands\":{\"command\":\"a\"},\"local-resources\":{\"entry\":"
	                 "[{\"key\":\"f\",\"value\":{\"resource\":\"file:///x\",\"size\":-2}}]}}",
	                 "am-container-spec.local-resources.entry[0].value.size: -2 is out of "
	                 "range");
	expect_spec_fail("{\"commands\":{\"command\":\"a\"},\"local-resources\":{\"entry\":"
	                 "[{\"key\":\"f\",\"value\":{\"resource\":\"file:///x\",\"visibility\":"
	                 "\"WORLD\"}}]}}",
	                 "am-container-spec.local-resources.entry[0].value.visibility: 'WORLD'");
	expect_spec_fail("{\"commands\":{\"command\":\"a\"},\"local-resources\":{\"entry\":"
	                 "[{\"key\":\"f\",\"value\":{\"resource\":\"file:///x\",\"executable\":"
	                 "\"yes\"}}]}}",
	                 "am-container-spec.local-resources.entry[0].value.executable: expected");
	expect_spec_fail("{\"commands\":{\"command\":\"a\"},\"credentials\":[]}",
	                 "am-container-spec.credentials: expected");

	/* Overlong: one string, and too many items. */
	memset(big, 'x', PROTO_APP_MAX_TEXT + 1);
	spec = xasprintf("{\"commands\":{\"command\":\"%s\"}}", big);
	expect_spec_fail(spec, "am-container-spec.commands.command: longer than 65536 bytes");
	free(spec);
	for (int i = 0; i <= PROTO_APP_MAX_ITEMS; i++)
		json_object_array_add(many, json_object_new_string("a"));
	spec = xasprintf("{\"commands\":{\"command\":%s}}", wjson_text(many));
	expect_spec_fail(spec, "am-container-spec.commands.command: more than 1000 items");
	free(spec);
	json_object_put(many);
	free(big);
}
END_TEST

START_TEST(test_small_decoders_refuse_malformed)
{
	testlib_decode_fails(decode_new_application, "{}", "application-id:");
	testlib_decode_fails(decode_new_application, "{\"application-id\":1}",
	                     "application-id: expected");
	testlib_decode_fails(decode_new_application, "{\"application-id\":\"x\"}",
	                     "application-id: 'x' is not an application id");
	testlib_decode_fails(decode_new_application,
	                     "{\"application-id\":\"" APP_ID
	                     "\",\"maximum-resource-capability\":1}",
	                     "maximum-resource-capability: expected");
	testlib_decode_fails(decode_new_application,
	                     "{\"application-id\":\"" APP_ID "\",\"maximum-resource-capability\":"
	                     "{\"memory\":-1}}",
	                     "maximum-resource-capability.memory: -1 is out of range");
	testlib_decode_fails(decode_new_application,
	                     "{\"application-id\":\"" APP_ID "\",\"maximum-resource-capability\":"
	                     "{\"vCores\":\"4\"}}",
	                     "maximum-resource-capability.vCores: expected");
	testlib_decode_fails(decode_state, "{}", "state:");
	testlib_decode_fails(decode_state, "{\"state\":true}", "state: expected");
	testlib_decode_fails(decode_state, "{\"state\":\"\"}", "state: must be 1-31");
	testlib_decode_fails(decode_state, "{\"state\":\"KILLEDKILLEDKILLEDKILLEDKILLEDKILLED\"}",
	                     "state: must be 1-31");
}
END_TEST

START_TEST(test_report_round_trip)
{
	struct weft_app_report in =
	                               {
	                                       .id = APP_ID,
	                                       .user = "alice",
	                                       .name = "wc",
	                                       .queue = "default",
	                                       .state = "RUNNING",
	                                       .final_status = "UNDEFINED",
	                                       .progress = 42.5,
	                                       .tracking_ui = "ApplicationMaster",
	                                       .tracking_url = "http://h:1/",
	                                       .cluster_id = 1700000000000,
	                                       .application_type = "WEFT",
	                                       .priority = -2,
	                                       .started_ms = 1700000000001,
	                                       .launch_ms = 1700000000002,
	                                       .elapsed_ms = 5000,
	                                       .am_container_logs =
	                                               "http://n:8042/ws/v1/node/containerlogs/c/",
	                                       .am_host_http_address = "n:8042",
	                                       .allocated_mb = 2048,
	                                       .allocated_vcores = 2,
	                                       .running_containers = 2,
	                                       .memory_seconds = 10,
	                                       .vcore_seconds = 5,
	                                       .queue_usage = 25.0,
	                                       .cluster_usage = 25.0,
	                               },
	                       out;
	struct json_object *obj = testlib_json_wire(proto_app_report_encode(&in));
	char *cause = NULL;

	/* YARN's fixed fields; absent optional ones stay out, NULL text is "". */
	ck_assert_str_eq(str_at(obj, "diagnostics"), "");
	ck_assert_str_eq(str_at(obj, "logAggregationStatus"), "DISABLED");
	ck_assert_int_eq(json_object_get_int64(at(obj, "reservedMB")), 0);
	ck_assert_ptr_null(at(obj, "amRPCAddress"));
	ck_assert_msg(proto_app_report_decode(obj, &out, &cause) == 0, "%s", cause);
	ck_assert_str_eq(out.id, APP_ID);
	ck_assert_str_eq(out.user, "alice");
	ck_assert_str_eq(out.state, "RUNNING");
	ck_assert_str_eq(out.final_status, "UNDEFINED");
	ck_assert(out.progress == 42.5);
	ck_assert_str_eq(out.tracking_url, "http://h:1/");
	ck_assert_str_eq(out.diagnostics, "");
	ck_assert_int_eq(out.cluster_id, 1700000000000);
	ck_assert_int_eq(out.priority, -2);
	ck_assert_int_eq(out.started_ms, 1700000000001);
	ck_assert_int_eq(out.elapsed_ms, 5000);
	ck_assert_str_eq(out.am_host_http_address, "n:8042");
	ck_assert_ptr_null(out.am_rpc_address);
	ck_assert_int_eq(out.allocated_mb, 2048);
	ck_assert_int_eq(out.vcore_seconds, 5);
	ck_assert(out.queue_usage == 25.0);
	json_object_put(obj);

	/* Only the state is required; progress absent is -1. */
	obj = json_tokener_parse("{\"state\":\"NEW\"}");
	ck_assert_int_eq(proto_app_report_decode(obj, &out, NULL), 0);
	ck_assert_ptr_null(out.id);
	ck_assert(out.progress == -1);
	json_object_put(obj);
}
END_TEST

static int decode_report(struct json_object *obj, char **cause)
{
	struct weft_app_report m;

	return proto_app_report_decode(obj, &m, cause);
}

START_TEST(test_report_refuses_malformed)
{
	char *big = xcalloc(1, PROTO_APP_MAX_TEXT + 64), *text;

	testlib_decode_fails(decode_report, "[]", "app: expected an object");
	testlib_decode_fails(decode_report, "{}", "app.state:");
	testlib_decode_fails(decode_report, "{\"state\":1}", "app.state: expected");
	testlib_decode_fails(decode_report, "{\"state\":\"RUNNINGRUNNINGRUNNINGRUNNINGRUNNING\"}",
	                     "app.state: longer than 31 bytes");
	testlib_decode_fails(decode_report, "{\"state\":\"RUNNING\",\"finalStatus\":false}",
	                     "app.finalStatus: expected");
	testlib_decode_fails(decode_report, "{\"state\":\"RUNNING\",\"progress\":\"5\"}",
	                     "app.progress: expected a number");
	testlib_decode_fails(decode_report, "{\"state\":\"RUNNING\",\"progress\":101}",
	                     "app.progress: 101 is out of range");
	testlib_decode_fails(decode_report, "{\"state\":\"RUNNING\",\"startedTime\":-1}",
	                     "app.startedTime: -1 is out of range");
	testlib_decode_fails(decode_report, "{\"state\":\"RUNNING\",\"allocatedMB\":1.5}",
	                     "app.allocatedMB: expected");
	testlib_decode_fails(decode_report, "{\"state\":\"RUNNING\",\"queueUsagePercentage\":-1}",
	                     "app.queueUsagePercentage: -1 is out of range");
	memset(big, 'd', PROTO_APP_MAX_TEXT + 1);
	text = xasprintf("{\"state\":\"FAILED\",\"diagnostics\":\"%s\"}", big);
	testlib_decode_fails(decode_report, text, "app.diagnostics: longer than 65536 bytes");
	free(text);
	free(big);
}
END_TEST

START_TEST(test_attempt_round_trip)
{
	struct weft_app_attempt in =
	                                {
	                                        .number = 2,
	                                        .start_ms = 1700000000000,
	                                        .container_id =
	                                                "container_1700000000000_0001_02_000001",
	                                        .node_http_address = "h:8042",
	                                        .node_id = "h:8041",
	                                        .logs_link =
	                                                "http://h:8042/ws/v1/node/containerlogs/c/",
	                                        .attempt_id =
	                                                "appattempt_1700000000000_0001_000002",
	                                        .state = "RUNNING",
	                                },
	                        out;
	struct json_object *list = json_object_new_array(), *body, *items;
	char *cause = NULL;

	json_object_array_add(list, proto_app_attempt_encode(&in));
	body = testlib_json_wire(proto_app_attempts_wrap(list));
	ck_assert_int_eq(json_object_get_int64(at(body, "appAttempts.appAttempt.0.id")), 2);
	ck_assert_str_eq(str_at(body, "appAttempts.appAttempt.0.diagnosticsInfo"), "");
	ck_assert_str_eq(str_at(body, "appAttempts.appAttempt.0.blacklistedNodes"), "");
	items = proto_app_attempts_unwrap(body, &cause);
	ck_assert_msg(items != NULL, "%s", cause);
	ck_assert_int_eq(json_object_array_length(items), 1);
	ck_assert_msg(proto_app_attempt_decode(json_object_array_get_idx(items, 0), "a", &out,
	                                       &cause) == 0,
	              "%s", cause);
	ck_assert_int_eq(out.number, 2);
	ck_assert_int_eq(out.start_ms, 1700000000000);
	ck_assert_str_eq(out.container_id, in.container_id);
	ck_assert_str_eq(out.node_http_address, "h:8042");
	ck_assert_str_eq(out.attempt_id, in.attempt_id);
	ck_assert_str_eq(out.state, "RUNNING");
	ck_assert_str_eq(out.diagnostics, "");
	json_object_put(items);
	json_object_put(body);

	/* YARN's bare object for a list of one. */
	body = json_tokener_parse("{\"appAttempts\":{\"appAttempt\":{\"id\":1}}}");
	items = proto_app_attempts_unwrap(body, NULL);
	ck_assert_int_eq(json_object_array_length(items), 1);
	json_object_put(items);
	json_object_put(body);
}
END_TEST

static int decode_attempt(struct json_object *obj, char **cause)
{
	struct weft_app_attempt m;

	return proto_app_attempt_decode(obj, "appAttempt[0]", &m, cause);
}

static int decode_attempts(struct json_object *obj, char **cause)
{
	struct json_object *items = proto_app_attempts_unwrap(obj, cause);

	if (items == NULL)
		return -1;
	json_object_put(items);
	return 0;
}

START_TEST(test_attempt_refuses_malformed)
{
	char *big = xcalloc(1, PROTO_APP_MAX_TEXT + 64), *text;

	testlib_decode_fails(decode_attempt, "[]", "appAttempt[0]: expected an object");
	testlib_decode_fails(decode_attempt, "{\"id\":\"1\"}", "appAttempt[0].id: expected");
	testlib_decode_fails(decode_attempt, "{\"id\":-3}", "appAttempt[0].id: -3 is out of range");
	testlib_decode_fails(decode_attempt, "{\"startTime\":-1}",
	                     "appAttempt[0].startTime: -1 is out");
	testlib_decode_fails(decode_attempt, "{\"containerId\":5}",
	                     "appAttempt[0].containerId: expected");
	testlib_decode_fails(decode_attempt, "{\"logsLink\":[]}",
	                     "appAttempt[0].logsLink: expected");
	memset(big, 'x', PROTO_APP_MAX_TEXT + 1);
	text = xasprintf("{\"diagnosticsInfo\":\"%s\"}", big);
	testlib_decode_fails(decode_attempt, text,
	                     "appAttempt[0].diagnosticsInfo: longer than 65536");
	free(text);
	free(big);
	testlib_decode_fails(decode_attempts, "{}", "appAttempts:");
	testlib_decode_fails(decode_attempts, "{\"appAttempts\":[]}", "appAttempts: expected");
	testlib_decode_fails(decode_attempts, "{\"appAttempts\":{}}",
	                     "appAttempts.appAttempt: missing");
	testlib_decode_fails(decode_attempts, "{\"appAttempts\":{\"appAttempt\":7}}",
	                     "appAttempts.appAttempt: expected an array or an object");
}
END_TEST

static int decode_wrapped_report(struct json_object *obj, char **cause)
{
	struct weft_app_report m;
	const char *outcome;

	return proto_app_report_unwrap(obj, &m, &outcome, cause);
}

static int decode_staged(struct json_object *obj, char **cause)
{
	struct weft_staged_file m;

	return proto_app_staged_decode(obj, &m, cause);
}

static int decode_report_list(struct json_object *obj, char **cause)
{
	struct json_object *list = proto_app_reports_unwrap(obj, cause);

	if (list == NULL)
		return -1;
	json_object_put(list);
	return 0;
}

START_TEST(test_wrappers_and_staging)
{
	struct weft_app_report in = {.id = APP_ID, .state = "RUNNING"}, out;
	struct weft_staged_file f = {.url = "/ws/v1/staging/" APP_ID "/job.json", .size = 12}, g;
	struct json_object *wire, *list;
	const char *outcome = NULL;
	char *cause = NULL;

	/* {"app":..} with and without the wait's outcome. */
	wire = testlib_json_wire(proto_app_report_wrap(proto_app_report_encode(&in), NULL));
	ck_assert_int_eq(proto_app_report_unwrap(wire, &out, &outcome, &cause), 0);
	ck_assert_str_eq(out.state, "RUNNING");
	ck_assert_ptr_null(outcome);
	json_object_put(wire);
	wire = testlib_json_wire(proto_app_report_wrap(proto_app_report_encode(&in), "timeout"));
	ck_assert_int_eq(proto_app_report_unwrap(wire, &out, &outcome, &cause), 0);
	ck_assert_str_eq(outcome, "timeout");
	ck_assert_str_eq(out.id, APP_ID);
	json_object_put(wire);
	testlib_decode_fails(decode_wrapped_report, "{}", "app:");
	testlib_decode_fails(decode_wrapped_report, "{\"app\":{\"state\":\"NEW\"},\"wait\":1}",
	                     "wait: expected");
	testlib_decode_fails(decode_wrapped_report, "{\"app\":{\"state\":\"NEW\"},\"wait\":\"\"}",
	                     "wait: must be");
	testlib_decode_fails(decode_wrapped_report, "{\"app\":{}}", "app.state:");

	/* /apps: YARN's ways of saying none, one and many. */
	testlib_decode_ok(decode_report_list, "{\"apps\":null}");
	testlib_decode_ok(decode_report_list, "{\"apps\":{}}");
	wire = json_tokener_parse("{\"apps\":{\"app\":{\"state\":\"NEW\"}}}");
	list = proto_app_reports_unwrap(wire, &cause);
	ck_assert_int_eq(json_object_array_length(list), 1);
	json_object_put(list);
	json_object_put(wire);
	testlib_decode_fails(decode_report_list, "{}", "apps:");
	testlib_decode_fails(decode_report_list, "{\"apps\":[]}", "apps: expected an object");
	testlib_decode_fails(decode_report_list, "{\"apps\":{\"app\":3}}", "apps.app: expected");

	/* The staging area's answers. */
	wire = testlib_json_wire(proto_app_staged_encode(&f, false));
	ck_assert_int_eq(proto_app_staged_decode(wire, &g, &cause), 0);
	ck_assert_str_eq(g.url, f.url);
	ck_assert_int_eq(g.size, 12);
	json_object_put(wire);
	wire = testlib_json_wire(proto_app_staged_encode(&f, true));
	ck_assert_int_eq(proto_app_staged_decode(wire, &g, &cause), 0);
	ck_assert_int_eq(g.size, -1);
	ck_assert(json_object_object_get_ex(wire, "deleted", NULL));
	json_object_put(wire);
	testlib_decode_fails(decode_staged, "{}", "url:");
	testlib_decode_fails(decode_staged, "{\"url\":\"/etc/passwd\"}", "url: '/etc/passwd'");
	testlib_decode_fails(decode_staged, "{\"url\":\"/ws/v1/staging/a/b\",\"size\":-1}",
	                     "size:");

	/* Application states. */
	ck_assert(weft_app_state_final("FINISHED"));
	ck_assert(weft_app_state_final("KILLED"));
	ck_assert(!weft_app_state_final("RUNNING"));
	ck_assert(!weft_app_state_final(NULL));
	ck_assert(weft_app_state_valid("NEW_SAVING"));
	ck_assert(!weft_app_state_valid("running"));
	ck_assert(!weft_app_state_valid(NULL));
}
END_TEST

static Suite *proto_app_suite(void)
{
	Suite *s = suite_create("proto_app");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_submission_round_trip);
	tcase_add_test(tc, test_submission_minimal_and_bare_values);
	tcase_add_test(tc, test_small_messages_round_trip);
	tcase_add_test(tc, test_submission_refuses_malformed_top);
	tcase_add_test(tc, test_submission_refuses_malformed_spec);
	tcase_add_test(tc, test_small_decoders_refuse_malformed);
	tcase_add_test(tc, test_report_round_trip);
	tcase_add_test(tc, test_report_refuses_malformed);
	tcase_add_test(tc, test_attempt_round_trip);
	tcase_add_test(tc, test_attempt_refuses_malformed);
	tcase_add_test(tc, test_wrappers_and_staging);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proto_app_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
