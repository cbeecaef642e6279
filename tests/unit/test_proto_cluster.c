/*
 * test_proto_cluster.c — the RM's cluster reports (proto_cluster.h):
 * clusterInfo, clusterMetrics, the Capacity Scheduler's queue tree, the
 * refresh's answer survive encode -> wire text
 * -> decode unchanged and have YARN's shapes; the scheduler decoder reads
 * JAXB's one-element lists and older answers without queuePath; every
 * decoder refuses wrong types, missing fields and out-of-range numbers
 * with a cause that names the field path.
 */
#include "weft_config.h"

#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto_cluster.h"
#include "common/wjson.h"
#include "weft/protocol.h"
#include "testlib.h"

/* obj[k1][k2]... (NULL-terminated), or NULL. */
static struct json_object *at(struct json_object *obj, ...)
{
	va_list ap;
	const char *key;

	va_start(ap, obj);
	while (obj != NULL && (key = va_arg(ap, const char *)) != NULL) {
		if (!json_object_object_get_ex(obj, key, &obj))
			obj = NULL;
	}
	va_end(ap);
	return obj;
}

static int decode_info(struct json_object *obj, char **cause)
{
	struct proto_cluster_info m;

	return proto_cluster_info_decode(obj, &m, cause);
}

static int decode_metrics(struct json_object *obj, char **cause)
{
	struct proto_cluster_metrics m;

	return proto_cluster_metrics_decode(obj, &m, cause);
}

static int decode_scheduler(struct json_object *obj, char **cause)
{
	struct proto_cluster_scheduler m;
	int rc = proto_cluster_scheduler_decode(obj, &m, cause);

	proto_cluster_scheduler_clear(&m);
	return rc;
}

static int decode_refreshed(struct json_object *obj, char **cause)
{
	struct proto_cluster_refreshed m;

	return proto_cluster_refreshed_decode(obj, &m, cause);
}

START_TEST(test_info_round_trip)
{
	struct proto_cluster_info m = {1700000000000,
	                               1700000000000,
	                               "STARTED",
	                               "ACTIVE",
	                               "none",
	                               "0.1.0",
	                               "0.1.0 (weft)",
	                               "Jan  1 2026 00:00:00",
	                               "0.1.0",
	                               "0.1.0 (weft)",
	                               "Jan  1 2026 00:00:00",
	                               "ResourceManager HA is not enabled."},
	                          back;
	struct json_object *obj = testlib_json_wire(proto_cluster_info_encode(&m));
	char *cause = NULL;

	ck_assert_ptr_nonnull(at(obj, "clusterInfo", "haZooKeeperConnectionState", NULL));
	ck_assert_int_eq(proto_cluster_info_decode(obj, &back, &cause), 0);
	ck_assert_int_eq(back.id, m.id);
	ck_assert_int_eq(back.started_on, m.started_on);
	ck_assert_str_eq(back.state, "STARTED");
	ck_assert_str_eq(back.ha_state, "ACTIVE");
	ck_assert_str_eq(back.rm_build_version, m.rm_build_version);
	ck_assert_str_eq(back.hadoop_built_on, m.hadoop_built_on);
	ck_assert_str_eq(back.ha_zookeeper, m.ha_zookeeper);
	json_object_put(obj);

	testlib_decode_fails(decode_info, "{}", "clusterInfo: missing");
	testlib_decode_fails(decode_info, "{\"clusterInfo\":{\"id\":1,\"startedOn\":1}}",
	                     "clusterInfo.state: missing");
	testlib_decode_fails(decode_info, "{\"clusterInfo\":{\"id\":\"1\"}}",
	                     "clusterInfo.id: expected an integer");
	testlib_decode_fails(decode_info,
	                     "{\"clusterInfo\":{\"id\":1,\"startedOn\":-1,\"state\":\"STARTED\"}}",
	                     "clusterInfo.startedOn: -1 is out of range");
	testlib_decode_ok(decode_info,
	                  "{\"clusterInfo\":{\"id\":1,\"startedOn\":1,\"state\":\"STARTED\"}}");
}
END_TEST

START_TEST(test_metrics_round_trip)
{
	struct proto_cluster_metrics m, back;
	struct json_object *obj;
	int64_t *v = (int64_t *)&m;
	char *cause = NULL;

	for (size_t i = 0; i < sizeof m / sizeof *v; i++)
		v[i] = (int64_t)i + 1;
	m.available_mb = -5;
	obj = testlib_json_wire(proto_cluster_metrics_encode(&m));
	ck_assert_int_eq(json_object_object_length(at(obj, "clusterMetrics", NULL)), 25);
	ck_assert_int_eq(json_object_get_int(at(obj, "clusterMetrics", "shutdownNodes", NULL)),
	                 m.shutdown_nodes);
	ck_assert_int_eq(proto_cluster_metrics_decode(obj, &back, &cause), 0);
	ck_assert_mem_eq(&m, &back, sizeof m);
	json_object_put(obj);

	testlib_decode_fails(decode_metrics, "{\"clusterMetrics\":{}}",
	                     "clusterMetrics.appsSubmitted: missing");
	testlib_decode_fails(decode_metrics, "{\"clusterMetrics\":{\"appsSubmitted\":-1}}",
	                     "clusterMetrics.appsSubmitted: -1 is out of range");
	testlib_decode_fails(decode_metrics, "{\"clusterMetrics\":null}",
	                     "clusterMetrics: missing");
}
END_TEST

static struct proto_cluster_user users[] = {
        {"alice", {3072, 3}, {1024, 1}, {12288, 12}, 1, 0},
        {"bob", {0, 0}, {0, 0}, {12288, 12}, 0, 2},
};

/* root.prod (parent) > root.prod.etl (leaf, two users); root.dev (leaf). */
static struct proto_cluster_queue queues[] = {
        {.parent = -1,
         .name = "prod",
         .path = "root.prod",
         .state = "RUNNING",
         .capacity = 60,
         .used_capacity = 25,
         .max_capacity = 100,
         .abs_capacity = 60,
         .abs_max_capacity = 100,
         .abs_used_capacity = 15,
         .n_apps = 1,
         .n_containers = 3,
         .used = {3072, 3}},
        {.parent = 0,
         .leaf = true,
         .name = "etl",
         .path = "root.prod.etl",
         .state = "RUNNING",
         .capacity = 100,
         .used_capacity = 25.125,
         .max_capacity = 100,
         .abs_capacity = 60,
         .abs_max_capacity = 100,
         .abs_used_capacity = 15,
         .n_apps = 1,
         .n_containers = 3,
         .used = {3072, 3},
         .am_used = {1024, 1},
         .am_limit = {6144, 6},
         .n_active = 1,
         .max_apps = 6000,
         .max_apps_per_user = 6000,
         .max_parallel = 2147483647,
         .user_limit = 100,
         .user_limit_factor = 1,
         .am_percent = 0.5,
         .ordering = "fair",
         .acl_submit = "*",
         .users = users,
         .n_users = 2},
        {.parent = -1,
         .leaf = true,
         .name = "dev",
         .path = "root.dev",
         .state = "STOPPED",
         .capacity = 40,
         .abs_capacity = 40,
         .max_capacity = 100,
         .abs_max_capacity = 100,
         .n_pending = 2,
         .preemption_disabled = true,
         .ordering = "fifo",
         .acl_submit = ""},
};

START_TEST(test_scheduler_round_trip)
{
	struct proto_cluster_scheduler m = {.used_capacity = 15,
	                                    .source = "/etc/weft/queues.conf",
	                                    .has_used = true,
	                                    .used = {3072, 3},
	                                    .queues = queues,
	                                    .n_queues = 3},
	                               back;
	struct json_object *obj = testlib_json_wire(proto_cluster_scheduler_encode(&m)), *list;
	char *cause = NULL;

	/* YARN's shape: nested per parent, leaves typed, users null when none. */
	ck_assert_str_eq(
	        json_object_get_string(at(obj, "scheduler", "schedulerInfo", "type", NULL)),
	        "capacityScheduler");
	list = at(obj, "scheduler", "schedulerInfo", "queues", "queue", NULL);
	ck_assert_int_eq((int)json_object_array_length(list), 2);
	ck_assert_ptr_nonnull(at(json_object_array_get_idx(list, 0), "queues", "queue", NULL));
	ck_assert_str_eq(
	        json_object_get_string(at(json_object_array_get_idx(list, 1), "type", NULL)),
	        "capacitySchedulerLeafQueueInfo");
	ck_assert(json_object_object_get_ex(json_object_array_get_idx(list, 1), "users", NULL));
	ck_assert_ptr_null(at(json_object_array_get_idx(list, 1), "users", NULL));
	ck_assert_str_eq(json_object_get_string(
	                         at(json_object_array_get_idx(list, 1), "usedResources", NULL)),
	                 "<memory:0, vCores:0>");

	ck_assert_msg(proto_cluster_scheduler_decode(obj, &back, &cause) == 0, "%s", cause);
	ck_assert(back.used_capacity == 15);
	ck_assert_str_eq(back.source, m.source);
	ck_assert(back.has_used && back.used.memory == 3072);
	ck_assert_int_eq(back.n_queues, 3);
	/* Depth first: prod, etl, dev. */
	ck_assert_str_eq(back.queues[0].name, "prod");
	ck_assert(!back.queues[0].leaf);
	ck_assert_int_eq(back.queues[0].parent, -1);
	ck_assert_str_eq(back.queues[1].path, "root.prod.etl");
	ck_assert_int_eq(back.queues[1].parent, 0);
	ck_assert(back.queues[1].leaf);
	ck_assert(back.queues[1].used_capacity == 25.13); /* two decimals */
	ck_assert(back.queues[1].am_percent == 0.5);
	ck_assert_int_eq(back.queues[1].max_parallel, 2147483647);
	ck_assert_int_eq(back.queues[1].am_limit.memory, 6144);
	ck_assert_str_eq(back.queues[1].ordering, "fair");
	ck_assert_int_eq(back.queues[1].n_users, 2);
	ck_assert_str_eq(back.queues[1].users[1].name, "bob");
	ck_assert_int_eq(back.queues[1].users[1].n_pending, 2);
	ck_assert_int_eq(back.queues[1].users[0].am_used.vcores, 1);
	ck_assert_str_eq(back.queues[2].state, "STOPPED");
	ck_assert_int_eq(back.queues[2].parent, -1);
	ck_assert(back.queues[2].preemption_disabled);
	ck_assert_int_eq(back.queues[2].n_users, 0);
	proto_cluster_scheduler_clear(&back);
	json_object_put(obj);
}
END_TEST

START_TEST(test_scheduler_older_shapes)
{
	/* JAXB's one-element lists, no queuePath, percentages as integers. */
	struct json_object *obj = json_tokener_parse(
	        "{\"scheduler\":{\"schedulerInfo\":{\"queues\":{\"queue\":{\"queueName\":\"a\","
	        "\"absoluteCapacity\":50,\"absoluteUsedCapacity\":12.5,\"queues\":{\"queue\":{"
	        "\"queueName\":\"b\",\"users\":{\"user\":{\"username\":\"u\"}}}}}}}}}");
	struct proto_cluster_scheduler m;
	char *cause = NULL;

	ck_assert_msg(proto_cluster_scheduler_decode(obj, &m, &cause) == 0, "%s", cause);
	ck_assert_int_eq(m.n_queues, 2);
	ck_assert_ptr_null(m.queues[0].path);
	ck_assert(m.queues[0].abs_capacity == 50 && m.queues[0].abs_used_capacity == 12.5);
	ck_assert(m.queues[1].abs_capacity == -1); /* absent */
	ck_assert(m.queues[1].leaf);
	ck_assert_int_eq(m.queues[1].parent, 0);
	ck_assert_int_eq(m.queues[1].n_users, 1);
	ck_assert(m.used_capacity == -1 && !m.has_used);
	proto_cluster_scheduler_clear(&m);
	json_object_put(obj);
}
END_TEST

START_TEST(test_scheduler_malformed)
{
	testlib_decode_fails(decode_scheduler, "{}", "scheduler: missing");
	testlib_decode_fails(decode_scheduler, "{\"scheduler\":{}}",
	                     "scheduler.schedulerInfo: missing");
	testlib_decode_fails(decode_scheduler,
	                     "{\"scheduler\":{\"schedulerInfo\":{\"queues\":{\"queue\":[7]}}}}",
	                     "scheduler.schedulerInfo.queues.queue[0]: expected an object");
	testlib_decode_fails(decode_scheduler,
	                     "{\"scheduler\":{\"schedulerInfo\":{\"queues\":{\"queue\":[{}]}}}}",
	                     "scheduler.schedulerInfo.queues.queue[0].queueName: missing");
	testlib_decode_fails(decode_scheduler,
	                     "{\"scheduler\":{\"schedulerInfo\":{\"queues\":{\"queue\":[{"
	                     "\"queueName\":\"a\",\"absoluteCapacity\":\"50\"}]}}}}",
	                     "scheduler.schedulerInfo.queues.queue[0].absoluteCapacity: expected a "
	                     "number, got a string");
	testlib_decode_fails(decode_scheduler,
	                     "{\"scheduler\":{\"schedulerInfo\":{\"queues\":{\"queue\":[{"
	                     "\"queueName\":\"a\",\"queues\":{\"queue\":[{\"queueName\":\"b\","
	                     "\"capacity\":-1}]}}]}}}}",
	                     "scheduler.schedulerInfo.queues.queue[0].queues.queue[0].capacity: -1 "
	                     "is out of range");
	testlib_decode_fails(decode_scheduler,
	                     "{\"scheduler\":{\"schedulerInfo\":{\"queues\":{\"queue\":[{"
	                     "\"queueName\":\"a\",\"users\":{\"user\":[{\"username\":\"u\","
	                     "\"resourcesUsed\":{\"memory\":1}}]}}]}}}}",
	                     "scheduler.schedulerInfo.queues.queue[0].users.user[0].resourcesUsed."
	                     "vCores: missing");
	testlib_decode_fails(decode_scheduler,
	                     "{\"scheduler\":{\"schedulerInfo\":{\"queues\":{\"queue\":[{"
	                     "\"queueName\":\"a\",\"numContainers\":1.5}]}}}}",
	                     "scheduler.schedulerInfo.queues.queue[0].numContainers: expected an "
	                     "integer");
}
END_TEST

START_TEST(test_refreshed)
{
	struct proto_cluster_refreshed r = {"/etc/weft/queues.conf", 4}, r_back;
	struct json_object *obj;
	char *cause = NULL;

	obj = testlib_json_wire(proto_cluster_refreshed_encode(&r));
	ck_assert_int_eq(proto_cluster_refreshed_decode(obj, &r_back, &cause), 0);
	ck_assert_str_eq(r_back.source, r.source);
	ck_assert_int_eq(r_back.queues, 4);
	json_object_put(obj);
	testlib_decode_fails(decode_refreshed,
	                     "{\"refreshed\":false,\"source\":\"x\",\"queues\":1}",
	                     "refreshed: false");
	testlib_decode_fails(decode_refreshed, "{\"refreshed\":true,\"source\":\"x\"}",
	                     "queues: missing");
}
END_TEST

START_TEST(test_tree_readers)
{
	struct json_object *obj =
	        json_tokener_parse("{\"scheduler\":{\"schedulerInfo\":{\"queues\":{\"queue\":{"
	                           "\"queueName\":\"a\"}}}}}");
	struct json_object *info, *children;
	char *cause = NULL;

	info = proto_cluster_scheduler_info(obj, &cause);
	ck_assert_ptr_nonnull(info);
	children = proto_cluster_queue_children(info);
	ck_assert_int_eq((int)json_object_array_length(children), 1);
	ck_assert_ptr_null(proto_cluster_queue_children(json_object_array_get_idx(children, 0)));
	json_object_put(children);
	json_object_put(obj);
	obj = json_tokener_parse("{\"scheduler\":[]}");
	ck_assert_ptr_null(proto_cluster_scheduler_info(obj, &cause));
	ck_assert_str_eq(cause, "scheduler: expected an object, got an array");
	free(cause);
	json_object_put(obj);
}
END_TEST

static Suite *proto_cluster_suite(void)
{
	Suite *s = suite_create("proto_cluster");
	TCase *tc = tcase_create("messages");

	tcase_add_test(tc, test_info_round_trip);
	tcase_add_test(tc, test_metrics_round_trip);
	tcase_add_test(tc, test_scheduler_round_trip);
	tcase_add_test(tc, test_scheduler_older_shapes);
	tcase_add_test(tc, test_scheduler_malformed);
	tcase_add_test(tc, test_refreshed);
	tcase_add_test(tc, test_tree_readers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proto_cluster_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
