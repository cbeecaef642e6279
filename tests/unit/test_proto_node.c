/*
 * test_proto_node.c — the NM <-> RM node messages (proto_node.h): every
 * message survives encode -> wire text -> decode unchanged and has the
 * shape weft/protocol.h specifies; the text writers weft-sls uses decode
 * to the same messages (the container status record they carry is
 * test_proto_container.c's); every decoder refuses wrong types, missing
 * fields, out-of-range numbers and overlong strings with a cause that
 * names the field path.
 */
#include "weft_config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/proto_node.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"
#include "testlib.h"

#define CID1 "container_1700000000000_0001_01_000001"
#define CID2 "container_1700000000000_0001_01_000002"
#define APP1 "application_1700000000000_0001"

/* ------------------------------------------------------------------ */
/* Helpers. */

/* The text in buf, parsed (buf is drained). */
static struct json_object *wire_text(struct evbuffer *buf)
{
	size_t len = evbuffer_get_length(buf);
	char *cause = NULL;
	struct json_object *back = wjson_parse((const char *)evbuffer_pullup(buf, -1), len, &cause);

	ck_assert_msg(back != NULL, "%.*s: %s", (int)len, (const char *)evbuffer_pullup(buf, -1),
	              cause);
	evbuffer_drain(buf, len);
	return back;
}

/* Whether obj has key. */
static bool has(struct json_object *obj, const char *key)
{
	return json_object_object_get_ex(obj, key, NULL);
}

static int decode_register(struct json_object *obj, char **cause)
{
	struct proto_node_register m;
	int rc = proto_node_register_decode(obj, &m, cause);

	proto_node_register_clear(&m);
	return rc;
}

static int decode_register_answer(struct json_object *obj, char **cause)
{
	struct proto_node_register_answer m;

	return proto_node_register_answer_decode(obj, &m, cause);
}

static int decode_heartbeat(struct json_object *obj, char **cause)
{
	struct proto_node_heartbeat m;
	int rc = proto_node_heartbeat_decode(obj, &m, cause);

	proto_node_heartbeat_clear(&m);
	return rc;
}

static int decode_heartbeat_answer(struct json_object *obj, char **cause)
{
	struct proto_node_heartbeat_answer m;
	int rc = proto_node_heartbeat_answer_decode(obj, &m, cause);

	proto_node_heartbeat_answer_clear(&m);
	return rc;
}

static const struct weft_container_status statuses[] = {
        {CID1, WEFT_CONTAINER_RUNNING, -1000, ""},
        {CID2, WEFT_CONTAINER_COMPLETE, 137, "Killed \"by\" \\ signal\n9"},
};

/* m holds the two statuses above. */
static void check_statuses(const struct weft_container_status *st, int n)
{
	ck_assert_int_eq(n, 2);
	for (int i = 0; i < 2; i++) {
		ck_assert_str_eq(st[i].container_id, statuses[i].container_id);
		ck_assert_int_eq(st[i].state, statuses[i].state);
		ck_assert_int_eq(st[i].exit_status, statuses[i].exit_status);
		ck_assert_str_eq(st[i].diagnostics, statuses[i].diagnostics);
	}
}

/* ------------------------------------------------------------------ */
/* Round trips. */

START_TEST(test_register_round_trip)
{
	struct proto_node_register m =
	                                   {
	                                           .node_id = "h1:8041",
	                                           .http_address = "h1:8042",
	                                           .rack = "/rack-1",
	                                           .memory_mb = 8192,
	                                           .vcores = 8,
	                                           .version = "0.1.0",
	                                           .heartbeat_interval_ms = 1000,
	                                           .containers =
	                                                   (struct weft_container_status *)statuses,
	                                           .n_containers = 2,
	                                   },
	                           back;
	struct evbuffer *buf = evbuffer_new();
	struct json_object *objs[2];
	char *cause = NULL;

	objs[0] = testlib_json_wire(proto_node_register_encode(&m));
	proto_node_register_write(buf, &m);
	objs[1] = wire_text(buf);
	for (int k = 0; k < 2; k++) {
		ck_assert_int_eq(proto_node_register_decode(objs[k], &back, &cause), 0);
		ck_assert_str_eq(back.node_id, "h1:8041");
		ck_assert_str_eq(back.http_address, "h1:8042");
		ck_assert_str_eq(back.rack, "/rack-1");
		ck_assert_int_eq(back.memory_mb, 8192);
		ck_assert_int_eq(back.vcores, 8);
		ck_assert_str_eq(back.version, "0.1.0");
		ck_assert_int_eq(back.heartbeat_interval_ms, 1000);
		check_statuses(back.containers, back.n_containers);
		proto_node_register_clear(&back);
		json_object_put(objs[k]);
	}

	/* Optional fields absent: their defaults; containers absent: none. */
	objs[0] = json_tokener_parse("{\"nodeId\":\"h:1\",\"httpAddress\":\"h:2\","
	                             "\"memoryMB\":1,\"vcores\":1}");
	ck_assert_int_eq(proto_node_register_decode(objs[0], &back, &cause), 0);
	ck_assert_str_eq(back.rack, "/default-rack");
	ck_assert_str_eq(back.version, "");
	ck_assert_int_eq(back.heartbeat_interval_ms, 0);
	ck_assert_int_eq(back.n_containers, 0);
	proto_node_register_clear(&back);
	json_object_put(objs[0]);
	evbuffer_free(buf);
}
END_TEST

START_TEST(test_register_answer_round_trip)
{
	struct proto_node_register_answer m = {.cluster_timestamp = 1700000000000,
	                                       .key_ids = {5, 4},
	                                       .n_key_ids = 2,
	                                       .heartbeat_interval_ms = 333},
	                                  back;
	struct json_object *obj = testlib_json_wire(proto_node_register_answer_encode(&m));
	char *cause = NULL;

	ck_assert(has(obj, "clusterTimestamp") && has(obj, "containerKeyIds") &&
	          has(obj, "heartbeatIntervalMs"));
	ck_assert_int_eq(proto_node_register_answer_decode(obj, &back, &cause), 0);
	ck_assert_int_eq(back.cluster_timestamp, 1700000000000);
	ck_assert(back.has_key_ids);
	ck_assert_int_eq(back.n_key_ids, 2);
	ck_assert_int_eq(back.key_ids[0], 5);
	ck_assert_int_eq(back.key_ids[1], 4);
	ck_assert_int_eq(back.heartbeat_interval_ms, 333);
	json_object_put(obj);

	obj = json_tokener_parse("{}");
	ck_assert_int_eq(proto_node_register_answer_decode(obj, &back, &cause), 0);
	ck_assert(!back.has_key_ids);
	ck_assert_int_eq(back.heartbeat_interval_ms, 0);
	json_object_put(obj);
}
END_TEST

START_TEST(test_heartbeat_round_trip)
{
	struct proto_node_heartbeat m =
	                                    {
	                                            .node_id = "h1:8041",
	                                            .response_id = 7,
	                                            .full_report = false,
	                                            .healthy = false,
	                                            .health_report = "disk \"full\"",
	                                            .containers = (struct weft_container_status *)
	                                                    statuses,
	                                            .n_containers = 2,
	                                    },
	                            back;
	struct evbuffer *buf = evbuffer_new();
	struct json_object *objs[2];
	char *cause = NULL;

	objs[0] = testlib_json_wire(proto_node_heartbeat_encode(&m));
	proto_node_heartbeat_write(buf, &m);
	objs[1] = wire_text(buf);
	for (int k = 0; k < 2; k++) {
		ck_assert_int_eq(proto_node_heartbeat_decode(objs[k], &back, &cause), 0);
		ck_assert_str_eq(back.node_id, "h1:8041");
		ck_assert_int_eq(back.response_id, 7);
		ck_assert(!back.full_report);
		ck_assert(!back.healthy);
		ck_assert_str_eq(back.health_report, "disk \"full\"");
		check_statuses(back.containers, back.n_containers);
		proto_node_heartbeat_clear(&back);
		json_object_put(objs[k]);
	}

	/* Older NMs: no fullReport (a full report), no health fields. */
	objs[0] = json_tokener_parse("{\"nodeId\":\"h:1\",\"containers\":[]}");
	ck_assert_int_eq(proto_node_heartbeat_decode(objs[0], &back, &cause), 0);
	ck_assert(back.full_report);
	ck_assert(back.healthy);
	ck_assert_str_eq(back.health_report, "");
	ck_assert_int_eq(back.response_id, 0);
	ck_assert_int_eq(back.n_containers, 0);
	proto_node_heartbeat_clear(&back);
	json_object_put(objs[0]);
	evbuffer_free(buf);
}
END_TEST

START_TEST(test_heartbeat_answer_round_trip)
{
	const char *cleanup[] = {CID1}, *ack[] = {CID1, CID2}, *apps[] = {APP1};
	struct proto_node_heartbeat_answer m =
	                                           {
	                                                   .response_id = 8,
	                                                   .action = PROTO_NODE_ACTION_SHUTDOWN,
	                                                   .key_ids = {9},
	                                                   .n_key_ids = 1,
	                                                   .containers_to_cleanup = cleanup,
	                                                   .n_containers_to_cleanup = 1,
	                                                   .containers_to_ack = ack,
	                                                   .n_containers_to_ack = 2,
	                                                   .apps_to_cleanup = apps,
	                                                   .n_apps_to_cleanup = 1,
	                                           },
	                                   back;
	struct json_object *obj = testlib_json_wire(proto_node_heartbeat_answer_encode(&m));
	char *cause = NULL;

	ck_assert_int_eq(proto_node_heartbeat_answer_decode(obj, &back, &cause), 0);
	ck_assert_int_eq(back.response_id, 8);
	ck_assert_int_eq(back.action, PROTO_NODE_ACTION_SHUTDOWN);
	ck_assert_str_eq(back.action_name, "SHUTDOWN");
	ck_assert(back.has_key_ids);
	ck_assert_int_eq(back.n_key_ids, 1);
	ck_assert_int_eq(back.key_ids[0], 9);
	ck_assert_int_eq(back.n_containers_to_cleanup, 1);
	ck_assert_str_eq(back.containers_to_cleanup[0], CID1);
	ck_assert_int_eq(back.n_containers_to_ack, 2);
	ck_assert_str_eq(back.containers_to_ack[1], CID2);
	ck_assert_int_eq(back.n_apps_to_cleanup, 1);
	ck_assert_str_eq(back.apps_to_cleanup[0], APP1);
	proto_node_heartbeat_answer_clear(&back);
	json_object_put(obj);

	/* Empty lists are sent as [], and every action has its name. */
	m = (struct proto_node_heartbeat_answer){.response_id = 1};
	obj = testlib_json_wire(proto_node_heartbeat_answer_encode(&m));
	ck_assert_str_eq(wjson_text(obj), "{\"responseId\":1,\"action\":\"NORMAL\","
	                                  "\"containerKeyIds\":[],\"containersToCleanup\":[],"
	                                  "\"containersToAck\":[],\"appsToCleanup\":[]}");
	json_object_put(obj);
	ck_assert_str_eq(proto_node_action_name(PROTO_NODE_ACTION_RESYNC), "RESYNC");

	/* An action of a later version: UNKNOWN, with its name. */
	obj = json_tokener_parse("{\"responseId\":3,\"action\":\"REBOOT\"}");
	ck_assert_int_eq(proto_node_heartbeat_answer_decode(obj, &back, &cause), 0);
	ck_assert_int_eq(back.action, PROTO_NODE_ACTION_UNKNOWN);
	ck_assert_str_eq(back.action_name, "REBOOT");
	ck_assert(!back.has_key_ids);
	ck_assert_int_eq(back.n_containers_to_ack, 0);
	proto_node_heartbeat_answer_clear(&back);
	json_object_put(obj);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Malformed input. */

#define REG_HEAD "{\"nodeId\":\"h:1\",\"httpAddress\":\"h:2\",\"memoryMB\":1,\"vcores\":1"

START_TEST(test_register_refuses_malformed)
{
	char *long_rack;

	testlib_decode_ok(decode_register, REG_HEAD "}");
	testlib_decode_fails(decode_register,
	                     "{\"httpAddress\":\"h:2\",\"memoryMB\":1,\"vcores\":1}", "nodeId:");
	testlib_decode_fails(decode_register, "{\"nodeId\":\"h\",\"httpAddress\":\"h:2\"}",
	                     "nodeId:");
	testlib_decode_fails(decode_register, "{\"nodeId\":\"h:0\",\"httpAddress\":\"h:2\"}",
	                     "nodeId: 'h:0' needs a port other than 0");
	testlib_decode_fails(decode_register, "{\"nodeId\":\"h:1\",\"httpAddress\":7}",
	                     "httpAddress:");
	testlib_decode_fails(decode_register,
	                     "{\"nodeId\":\"h:1\",\"httpAddress\":\"h:2\",\"vcores\":1}",
	                     "memoryMB:");
	testlib_decode_fails(
	        decode_register,
	        "{\"nodeId\":\"h:1\",\"httpAddress\":\"h:2\",\"memoryMB\":0,\"vcores\":1}",
	        "memoryMB:");
	testlib_decode_fails(
	        decode_register,
	        "{\"nodeId\":\"h:1\",\"httpAddress\":\"h:2\",\"memoryMB\":1,\"vcores\":2e3}",
	        "vcores:");
	testlib_decode_fails(decode_register,
	                     "{\"nodeId\":\"h:1\",\"httpAddress\":\"h:2\",\"memoryMB\":1,"
	                     "\"vcores\":1048577}",
	                     "vcores:");
	testlib_decode_fails(decode_register, REG_HEAD ",\"rack\":true}", "rack:");
	long_rack = xasprintf(REG_HEAD ",\"rack\":\"/%0300d\"}", 0);
	testlib_decode_fails(decode_register, long_rack, "rack: longer than 255 bytes");
	free(long_rack);
	testlib_decode_fails(decode_register, REG_HEAD ",\"version\":1}", "version:");
	testlib_decode_fails(decode_register, REG_HEAD ",\"heartbeatIntervalMs\":5}",
	                     "heartbeatIntervalMs:");
	testlib_decode_fails(decode_register, REG_HEAD ",\"containers\":{}}", "containers:");
	testlib_decode_fails(decode_register,
	                     REG_HEAD ",\"containers\":[{\"containerId\":\"" CID1
	                              "\",\"state\":\"RUNNING\"},7]}",
	                     "containers[1]: expected an object");
	testlib_decode_fails(decode_register,
	                     REG_HEAD ",\"containers\":[{\"containerId\":\"" CID1
	                              "\",\"state\":\"RUNNING\"},{\"containerId\":\"" CID2
	                              "\",\"state\":\"COMPLETE\",\"exitStatus\":\"x\"}]}",
	                     "containers[1].exitStatus:");
}
END_TEST

START_TEST(test_register_answer_refuses_malformed)
{
	testlib_decode_fails(decode_register_answer, "{\"clusterTimestamp\":\"x\"}",
	                     "clusterTimestamp:");
	testlib_decode_fails(decode_register_answer, "{\"clusterTimestamp\":-1}",
	                     "clusterTimestamp:");
	testlib_decode_fails(decode_register_answer, "{\"heartbeatIntervalMs\":0}",
	                     "heartbeatIntervalMs:");
	testlib_decode_fails(decode_register_answer, "{\"heartbeatIntervalMs\":3600001}",
	                     "heartbeatIntervalMs:");
	testlib_decode_fails(decode_register_answer, "{\"containerKeyIds\":5}", "containerKeyIds:");
	testlib_decode_fails(decode_register_answer, "{\"containerKeyIds\":[1,\"2\"]}",
	                     "containerKeyIds[1]: expected an integer");
	testlib_decode_fails(decode_register_answer,
	                     "{\"containerKeyIds\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}",
	                     "containerKeyIds: more than 16 entries");
}
END_TEST

START_TEST(test_heartbeat_refuses_malformed)
{
	char *long_report;

	testlib_decode_fails(decode_heartbeat, "{}", "nodeId:");
	testlib_decode_fails(decode_heartbeat, "{\"nodeId\":\"nohost\"}", "nodeId:");
	testlib_decode_fails(decode_heartbeat, "{\"nodeId\":\"h:1\",\"responseId\":-1}",
	                     "responseId:");
	testlib_decode_fails(decode_heartbeat, "{\"nodeId\":\"h:1\",\"responseId\":1.5}",
	                     "responseId:");
	testlib_decode_fails(decode_heartbeat, "{\"nodeId\":\"h:1\",\"fullReport\":\"yes\"}",
	                     "fullReport:");
	testlib_decode_fails(decode_heartbeat, "{\"nodeId\":\"h:1\",\"healthy\":1}", "healthy:");
	testlib_decode_fails(decode_heartbeat, "{\"nodeId\":\"h:1\",\"healthReport\":[]}",
	                     "healthReport:");
	long_report = xasprintf("{\"nodeId\":\"h:1\",\"healthReport\":\"%05000d\"}", 0);
	testlib_decode_fails(decode_heartbeat, long_report, "healthReport: longer than 4096 bytes");
	free(long_report);
	testlib_decode_fails(decode_heartbeat, "{\"nodeId\":\"h:1\",\"containers\":[{}]}",
	                     "containers[0].containerId:");
	testlib_decode_fails(decode_heartbeat,
	                     "{\"nodeId\":\"h:1\",\"containers\":[{\"containerId\":\"" CID1
	                     "\",\"state\":\"RUNNING\"},{\"containerId\":\"" CID2
	                     "\",\"state\":1}]}",
	                     "containers[1].state:");
}
END_TEST

START_TEST(test_heartbeat_answer_refuses_malformed)
{
	char *long_id;

	testlib_decode_fails(decode_heartbeat_answer, "{\"action\":\"NORMAL\"}", "responseId:");
	testlib_decode_fails(decode_heartbeat_answer,
	                     "{\"responseId\":\"bad\",\"action\":\"NORMAL\"}", "responseId:");
	testlib_decode_fails(decode_heartbeat_answer, "{\"responseId\":1}", "action:");
	testlib_decode_fails(decode_heartbeat_answer, "{\"responseId\":1,\"action\":2}", "action:");
	testlib_decode_fails(decode_heartbeat_answer,
	                     "{\"responseId\":1,\"action\":\"NORMAL\",\"containerKeyIds\":[true]}",
	                     "containerKeyIds[0]:");
	testlib_decode_fails(decode_heartbeat_answer,
	                     "{\"responseId\":1,\"action\":\"NORMAL\",\"containersToAck\":\"x\"}",
	                     "containersToAck:");
	testlib_decode_fails(
	        decode_heartbeat_answer,
	        "{\"responseId\":1,\"action\":\"NORMAL\",\"containersToCleanup\":[\"a\",3]}",
	        "containersToCleanup[1]: expected a string");
	testlib_decode_fails(decode_heartbeat_answer,
	                     "{\"responseId\":1,\"action\":\"NORMAL\",\"appsToCleanup\":[null]}",
	                     "appsToCleanup[0]: expected a string");
	long_id = xasprintf("{\"responseId\":1,\"action\":\"NORMAL\",\"containersToAck\":"
	                    "[\"%0100d\"]}",
	                    0);
	testlib_decode_fails(decode_heartbeat_answer, long_id, "containersToAck[0]: longer than");
	free(long_id);
	/* A later list failing frees what the earlier ones took. */
	testlib_decode_fails(
	        decode_heartbeat_answer,
	        "{\"responseId\":1,\"action\":\"NORMAL\",\"containersToCleanup\":[\"a\"],"
	        "\"containersToAck\":[\"b\"],\"appsToCleanup\":{}}",
	        "appsToCleanup:");
}
END_TEST

/* ------------------------------------------------------------------ */
/* The node report of GET /ws/v1/cluster/nodes. */

static int decode_report(struct json_object *obj, char **cause)
{
	struct proto_node_report m;

	return proto_node_report_decode(obj, "node", &m, cause);
}

START_TEST(test_node_report_round_trip)
{
	struct proto_node_report m = {.id = "h1:8041",
	                              .state = "RUNNING",
	                              .rack = "/rack-1",
	                              .host = "h1",
	                              .http_address = "h1:8042",
	                              .last_health_update = 1700000000000,
	                              .version = "0.1.0",
	                              .health_report = "disk \"ok\"",
	                              .num_containers = 3,
	                              .used_memory_mb = 3072,
	                              .avail_memory_mb = 5120,
	                              .used_vcores = 3,
	                              .avail_vcores = 5},
	                         back;
	struct json_object *list = json_object_new_array(), *body, *items, *one;
	char *cause = NULL;

	json_object_array_add(list, proto_node_report_encode(&m));
	json_object_array_add(list, proto_node_report_encode(&m));
	body = testlib_json_wire(proto_node_reports_wrap(list));
	/* YARN's names. */
	one = json_object_array_get_idx(
	        json_object_object_get(json_object_object_get(body, "nodes"), "node"), 0);
	ck_assert(has(one, "nodeHTTPAddress") && has(one, "nodeHostName") &&
	          has(one, "availableVirtualCores") && has(one, "lastHealthUpdate"));
	items = proto_node_reports_unwrap(body, &cause);
	ck_assert_ptr_nonnull(items);
	ck_assert_int_eq((int)json_object_array_length(items), 2);
	ck_assert_int_eq(proto_node_report_decode(json_object_array_get_idx(items, 1),
	                                          "nodes.node[1]", &back, &cause),
	                 0);
	ck_assert_str_eq(back.id, "h1:8041");
	ck_assert_str_eq(back.state, "RUNNING");
	ck_assert_str_eq(back.rack, "/rack-1");
	ck_assert_str_eq(back.host, "h1");
	ck_assert_str_eq(back.http_address, "h1:8042");
	ck_assert_int_eq(back.last_health_update, 1700000000000);
	ck_assert_str_eq(back.version, "0.1.0");
	ck_assert_str_eq(back.health_report, m.health_report);
	ck_assert_int_eq(back.num_containers, 3);
	ck_assert_int_eq(back.used_memory_mb, 3072);
	ck_assert_int_eq(back.avail_memory_mb, 5120);
	ck_assert_int_eq(back.used_vcores, 3);
	ck_assert_int_eq(back.avail_vcores, 5);
	json_object_put(items);
	json_object_put(body);

	/* None: YARN's null. */
	body = testlib_json_wire(proto_node_reports_wrap(json_object_new_array()));
	ck_assert_str_eq(json_object_to_json_string(body), "{ \"nodes\": null }");
	items = proto_node_reports_unwrap(body, &cause);
	ck_assert_int_eq((int)json_object_array_length(items), 0);
	json_object_put(items);
	json_object_put(body);

	/* One node: {"node":{...}}. */
	body = testlib_json_wire(proto_node_report_wrap(proto_node_report_encode(&m)));
	ck_assert_int_eq(proto_node_report_decode(proto_node_report_unwrap(body, &cause), "node",
	                                          &back, &cause),
	                 0);
	ck_assert_str_eq(back.id, "h1:8041");
	json_object_put(body);
	body = json_tokener_parse("{\"nodes\":null}");
	ck_assert_ptr_null(proto_node_report_unwrap(body, &cause));
	ck_assert_str_eq(cause, "node: missing");
	free(cause);
	json_object_put(body);
}
END_TEST

START_TEST(test_node_report_refuses_malformed)
{
	testlib_decode_ok(decode_report, "{\"id\":\"h:1\",\"state\":\"LOST\"}");
	testlib_decode_fails(decode_report, "{\"state\":\"LOST\"}", "node.id: missing");
	testlib_decode_fails(decode_report, "{\"id\":\"h:1\"}", "node.state: missing");
	testlib_decode_fails(decode_report, "[]", "node: expected an object");
	testlib_decode_fails(decode_report, "{\"id\":\"h:1\",\"state\":\"X\",\"numContainers\":-1}",
	                     "node.numContainers: -1 is out of range");
	testlib_decode_fails(decode_report,
	                     "{\"id\":\"h:1\",\"state\":\"X\",\"usedMemoryMB\":\"1024\"}",
	                     "node.usedMemoryMB: expected an integer, got a string");
	testlib_decode_fails(decode_report,
	                     "{\"id\":\"h:1\",\"state\":\"" /* 33 bytes */
	                     "RUNNINGRUNNINGRUNNINGRUNNINGRUNNI\"}",
	                     "node.state: longer than 32 bytes");
	testlib_decode_fails(decode_report, "{\"id\":\"h:1\",\"state\":\"X\",\"rack\":7}",
	                     "node.rack: expected a string");
}
END_TEST

static Suite *proto_node_suite(void)
{
	Suite *s = suite_create("proto_node");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_register_round_trip);
	tcase_add_test(tc, test_register_answer_round_trip);
	tcase_add_test(tc, test_heartbeat_round_trip);
	tcase_add_test(tc, test_heartbeat_answer_round_trip);
	tcase_add_test(tc, test_register_refuses_malformed);
	tcase_add_test(tc, test_register_answer_refuses_malformed);
	tcase_add_test(tc, test_heartbeat_refuses_malformed);
	tcase_add_test(tc, test_heartbeat_answer_refuses_malformed);
	tcase_add_test(tc, test_node_report_round_trip);
	tcase_add_test(tc, test_node_report_refuses_malformed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proto_node_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
