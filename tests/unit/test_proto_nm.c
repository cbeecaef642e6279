/*
 * test_proto_nm.c — the NodeManager's public REST views (proto_nm.h):
 * nodeInfo, an application, a container and a log listing survive
 * encode -> wire text -> decode unchanged in YARN's NodeManager shapes
 * (an empty list is [], as the NM writes it); the decoders read YARN's
 * one-element and null forms, refuse wrong types, missing fields and
 * malformed ids with a cause that names the field path; the logs URL
 * has the three forms its users need.
 */
#include "weft_config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto_nm.h"
#include "common/wjson.h"
#include "weft/protocol.h"
#include "testlib.h"

#define APP "application_1700000000000_0001"
#define C1  "container_1700000000000_0001_01_000001"
#define C2  "container_1700000000000_0001_01_000002"

static int decode_info(struct json_object *obj, char **cause)
{
	struct proto_nm_info m;

	return proto_nm_info_decode(obj, &m, cause);
}

static int decode_app(struct json_object *obj, char **cause)
{
	struct proto_nm_app m;
	int rc = proto_nm_app_decode(obj, "app", &m, cause);

	proto_nm_app_clear(&m);
	return rc;
}

static int decode_container(struct json_object *obj, char **cause)
{
	struct proto_nm_container m;
	int rc = proto_nm_container_decode(obj, "container", &m, cause);

	proto_nm_container_clear(&m);
	return rc;
}

static int decode_logs(struct json_object *obj, char **cause)
{
	struct proto_nm_logs m;
	int rc = proto_nm_logs_decode(obj, &m, cause);

	proto_nm_logs_clear(&m);
	return rc;
}

START_TEST(test_info_round_trip)
{
	struct proto_nm_info m = {.id = "h1:8042",
	                          .host = "h1",
	                          .http_address = "h1:8042",
	                          .rack = "/default-rack",
	                          .health_report = "",
	                          .healthy = true,
	                          .last_update_ms = 1700000001000,
	                          .startup_ms = 1700000000000,
	                          .total_memory_mb = 8192,
	                          .total_vcores = 8,
	                          .pmem_check = true,
	                          .used_memory_mb = 1024,
	                          .used_vcores = 1,
	                          .num_containers = 1,
	                          .registered = true,
	                          .rm_url = "http://rm:8031",
	                          .version = "0.1.0",
	                          .build_version = "weft 0.1.0"},
	                     back;
	struct json_object *obj = testlib_json_wire(proto_nm_info_encode(&m)), *info;
	char *cause = NULL;

	ck_assert(json_object_object_get_ex(obj, "nodeInfo", &info));
	ck_assert_str_eq(json_object_get_string(json_object_object_get(info, "hadoopVersion")),
	                 "0.1.0");
	ck_assert_int_eq(proto_nm_info_decode(obj, &back, &cause), 0);
	ck_assert_str_eq(back.id, "h1:8042");
	ck_assert_str_eq(back.host, "h1");
	ck_assert_str_eq(back.rack, "/default-rack");
	ck_assert(back.healthy && back.pmem_check && !back.vmem_check && back.registered);
	ck_assert_int_eq(back.last_update_ms, 1700000001000);
	ck_assert_int_eq(back.total_memory_mb, 8192);
	ck_assert_int_eq(back.used_vcores, 1);
	ck_assert_int_eq(back.num_containers, 1);
	ck_assert_str_eq(back.rm_url, "http://rm:8031");
	ck_assert_str_eq(back.build_version, "weft 0.1.0");
	json_object_put(obj);

	testlib_decode_fails(decode_info, "{}", "nodeInfo: missing");
	testlib_decode_fails(decode_info, "{\"nodeInfo\":{}}", "nodeInfo.id: missing");
	testlib_decode_fails(decode_info, "{\"nodeInfo\":{\"id\":\"h:1\",\"registered\":1}}",
	                     "nodeInfo.registered: expected a boolean");
	testlib_decode_fails(decode_info, "{\"nodeInfo\":{\"id\":\"h:1\",\"usedMemoryMB\":-1}}",
	                     "nodeInfo.usedMemoryMB: -1 is out of range");
}
END_TEST

START_TEST(test_app_round_trip)
{
	const char *ids[] = {C1, C2};
	struct proto_nm_app m = {APP, "RUNNING", "alice", ids, 2}, back;
	struct json_object *list = json_object_new_array(), *body, *items;
	char *cause = NULL;

	json_object_array_add(list, proto_nm_app_encode(&m));
	body = testlib_json_wire(proto_nm_apps_wrap(list));
	items = proto_nm_apps_unwrap(body, &cause);
	ck_assert_int_eq((int)json_object_array_length(items), 1);
	ck_assert_int_eq(proto_nm_app_decode(json_object_array_get_idx(items, 0), "apps.app[0]",
	                                     &back, &cause),
	                 0);
	ck_assert_str_eq(back.id, APP);
	ck_assert_str_eq(back.state, "RUNNING");
	ck_assert_str_eq(back.user, "alice");
	ck_assert_int_eq(back.n_container_ids, 2);
	ck_assert_str_eq(back.container_ids[1], C2);
	proto_nm_app_clear(&back);
	json_object_put(items);
	json_object_put(body);

	/* An empty list stays a list; one app wraps as {"app":..}. */
	body = testlib_json_wire(proto_nm_apps_wrap(json_object_new_array()));
	ck_assert_str_eq(json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN),
	                 "{\"apps\":{\"app\":[]}}");
	json_object_put(body);
	m.n_container_ids = 0;
	body = testlib_json_wire(proto_nm_app_wrap(proto_nm_app_encode(&m)));
	ck_assert_int_eq(
	        proto_nm_app_decode(proto_nm_app_unwrap(body, &cause), "app", &back, &cause), 0);
	ck_assert_int_eq(back.n_container_ids, 0);
	proto_nm_app_clear(&back);
	json_object_put(body);

	testlib_decode_fails(decode_app, "{\"id\":\"app_1\",\"state\":\"RUNNING\"}",
	                     "app.id: 'app_1' is not an application id");
	testlib_decode_fails(decode_app, "{\"id\":\"" APP "\",\"state\":\"\"}", "app.state: empty");
	testlib_decode_fails(decode_app,
	                     "{\"id\":\"" APP "\",\"state\":\"NEW\",\"containerids\":[1]}",
	                     "app.containerids[0]: expected a string");
}
END_TEST

START_TEST(test_container_round_trip)
{
	const char *files[] = {"stderr", "stdout"};
	struct proto_nm_container m = {.id = C1,
	                               .state = "COMPLETE",
	                               .exit_code = -105,
	                               .diagnostics = "killed by the AM\n",
	                               .user = "alice",
	                               .memory_mb = 1024,
	                               .vcores = 1,
	                               .logs_link = "http://h1:8042/ws/v1/node/containerlogs/" C1,
	                               .node_id = "h1:8042",
	                               .started_ms = 1700000000000,
	                               .finished_ms = 1700000009000,
	                               .log_files = files,
	                               .n_log_files = 2},
	                          back;
	struct json_object *list = json_object_new_array(), *body, *items, *one;
	char *cause = NULL;

	json_object_array_add(list, proto_nm_container_encode(&m));
	body = testlib_json_wire(proto_nm_containers_wrap(list));
	items = proto_nm_containers_unwrap(body, &cause);
	one = json_object_array_get_idx(items, 0);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(one, "executionType")),
	                 "GUARANTEED");
	ck_assert_int_eq(proto_nm_container_decode(one, "c", &back, &cause), 0);
	ck_assert_str_eq(back.id, C1);
	ck_assert_str_eq(back.state, "COMPLETE");
	ck_assert_int_eq(back.exit_code, -105);
	ck_assert_str_eq(back.diagnostics, m.diagnostics);
	ck_assert_int_eq(back.memory_mb, 1024);
	ck_assert_str_eq(back.logs_link, m.logs_link);
	ck_assert_int_eq(back.finished_ms, 1700000009000);
	ck_assert_int_eq(back.n_log_files, 2);
	ck_assert_str_eq(back.log_files[0], "stderr");
	proto_nm_container_clear(&back);
	json_object_put(items);
	json_object_put(body);

	body = testlib_json_wire(proto_nm_container_wrap(proto_nm_container_encode(&m)));
	ck_assert_ptr_nonnull(proto_nm_container_unwrap(body, &cause));
	json_object_put(body);

	testlib_decode_fails(decode_container, "{\"id\":\"c1\",\"state\":\"NEW\"}",
	                     "container.id: 'c1' is not a container id");
	testlib_decode_fails(decode_container,
	                     "{\"id\":\"" C1 "\",\"state\":\"NEW\",\"exitCode\":\"1\"}",
	                     "container.exitCode: expected an integer, got a string");
	testlib_decode_fails(decode_container, "{\"id\":\"" C1 "\"}", "container.state: missing");
}
END_TEST

START_TEST(test_logs_round_trip)
{
	struct proto_nm_log_file files[] = {{"stderr", 0, 1}, {"stdout", 12, 2}};
	struct proto_nm_logs m = {C1, "h1:8042", files, 2}, back;
	struct json_object *obj = testlib_json_wire(proto_nm_logs_encode(&m));
	char *cause = NULL, *url;

	ck_assert_int_eq(proto_nm_logs_decode(obj, &back, &cause), 0);
	ck_assert_str_eq(back.container_id, C1);
	ck_assert_str_eq(back.node_id, "h1:8042");
	ck_assert_int_eq(back.n_files, 2);
	ck_assert_str_eq(back.files[1].name, "stdout");
	ck_assert_int_eq(back.files[1].size, 12);
	ck_assert_int_eq(back.files[1].mtime_ms, 2);
	proto_nm_logs_clear(&back);
	json_object_put(obj);

	testlib_decode_fails(decode_logs, "{\"containerLogsInfo\":{}}",
	                     "containerLogsInfo.containerId: missing");
	testlib_decode_fails(decode_logs,
	                     "{\"containerLogsInfo\":{\"containerId\":\"" C1
	                     "\",\"containerLogInfo\":[{\"fileName\":\"x\",\"fileSize\":-1}]}}",
	                     "containerLogsInfo.containerLogInfo[0].fileSize: -1 is out of range");
	testlib_decode_fails(decode_logs,
	                     "{\"containerLogsInfo\":{\"containerId\":\"" C1
	                     "\",\"containerLogInfo\":[\"x\"]}}",
	                     "containerLogsInfo.containerLogInfo[0]: expected an object");

	url = proto_nm_logs_url("h:1", C1, NULL);
	ck_assert_str_eq(url, "http://h:1/ws/v1/node/containerlogs/" C1);
	free(url);
	url = proto_nm_logs_url("h:1", C1, "");
	ck_assert_str_eq(url, "http://h:1/ws/v1/node/containerlogs/" C1 "/");
	free(url);
	url = proto_nm_logs_url("h:1", C1, "stdout");
	ck_assert_str_eq(url, "http://h:1/ws/v1/node/containerlogs/" C1 "/stdout");
	free(url);
}
END_TEST

static Suite *proto_nm_suite(void)
{
	Suite *s = suite_create("proto_nm");
	TCase *tc = tcase_create("views");

	tcase_add_test(tc, test_info_round_trip);
	tcase_add_test(tc, test_app_round_trip);
	tcase_add_test(tc, test_container_round_trip);
	tcase_add_test(tc, test_logs_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proto_nm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
