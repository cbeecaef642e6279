/*
 * test_proto_driver.c — the driver's messages (proto_driver.h): every
 * message of the client-mode AM link and the status page survives
 * encode -> wire text -> decode unchanged and has the shape
 * weft/protocol.h specifies; every decoder refuses wrong types, missing
 * fields, out-of-range numbers and overlong strings with a cause that
 * names the field path.
 */
#include "weft_config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto_driver.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"
#include "testlib.h"

#define APP     "application_1700000000000_0001"
#define ATTEMPT "appattempt_1700000000000_0001_000001"
#define CID     "container_1700000000000_0001_01_000002"

/* The string member key of obj. */
static const char *str(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(obj, key, &v), "no %s", key);
	return json_object_get_string(v);
}

static int decode_register_am(struct json_object *obj, char **cause)
{
	struct proto_driver_register_am m;

	return proto_driver_register_am_decode(obj, &m, cause);
}

static int decode_registered(struct json_object *obj, char **cause)
{
	struct proto_driver_registered m;

	return proto_driver_registered_decode(obj, &m, cause);
}

static int decode_request(struct json_object *obj, char **cause)
{
	struct proto_driver_request_executors m;

	return proto_driver_request_executors_decode(obj, &m, cause);
}

static int decode_kill(struct json_object *obj, char **cause)
{
	struct proto_driver_kill_executor m;

	return proto_driver_kill_executor_decode(obj, &m, cause);
}

static int decode_lost(struct json_object *obj, char **cause)
{
	struct proto_driver_executor_lost m;

	return proto_driver_executor_lost_decode(obj, &m, cause);
}

static int decode_shutdown(struct json_object *obj, char **cause)
{
	struct proto_driver_shutdown m;

	return proto_driver_shutdown_decode(obj, &m, cause);
}

static int decode_status(struct json_object *obj, char **cause)
{
	struct proto_driver_status m;
	int rc = proto_driver_status_decode(obj, &m, cause);

	proto_driver_status_clear(&m);
	return rc;
}

static int decode_type(struct json_object *obj, char **cause)
{
	enum proto_driver_type type;

	return proto_driver_type_decode(obj, &type, NULL, cause);
}

/* ------------------------------------------------------------------ */
/* The AM link. */

START_TEST(test_link_round_trips)
{
	struct proto_driver_register_am reg = {"0123456789abcdef0123456789abcdef", APP, ATTEMPT},
	                                reg_back;
	struct proto_driver_registered ok = {"http://h:1/ws/v1/driver"}, ok_back;
	struct proto_driver_request_executors req = {7}, req_back;
	struct proto_driver_kill_executor kill = {CID}, kill_back;
	struct proto_driver_executor_lost lost = {CID, -100, "node \"lost\"\n"}, lost_back;
	struct proto_driver_shutdown bye = {"KILLED", "by user"}, bye_back;
	enum proto_driver_type type;
	struct json_object *obj;
	const char *name;
	char *cause = NULL;

	obj = testlib_json_wire(proto_driver_register_am_encode(&reg));
	ck_assert_str_eq(str(obj, "type"), "register-am");
	ck_assert_int_eq(proto_driver_type_decode(obj, &type, &name, &cause), 0);
	ck_assert_int_eq(type, PROTO_DRIVER_REGISTER_AM);
	ck_assert_int_eq(proto_driver_register_am_decode(obj, &reg_back, &cause), 0);
	ck_assert_str_eq(reg_back.nonce, reg.nonce);
	ck_assert(!json_object_object_get_ex(obj, "secret", NULL));
	ck_assert_str_eq(reg_back.application_id, APP);
	ck_assert_str_eq(reg_back.attempt_id, ATTEMPT);
	json_object_put(obj);

	obj = testlib_json_wire(proto_driver_registered_encode(&ok));
	ck_assert_str_eq(str(obj, "type"), "registered");
	ck_assert_int_eq(proto_driver_registered_decode(obj, &ok_back, &cause), 0);
	ck_assert_str_eq(ok_back.tracking_url, ok.tracking_url);
	json_object_put(obj);
	ok.tracking_url = NULL;
	obj = testlib_json_wire(proto_driver_registered_encode(&ok));
	ck_assert(!json_object_object_get_ex(obj, "trackingUrl", NULL));
	ck_assert_int_eq(proto_driver_registered_decode(obj, &ok_back, &cause), 0);
	ck_assert_ptr_null(ok_back.tracking_url);
	json_object_put(obj);

	obj = testlib_json_wire(proto_driver_request_executors_encode(&req));
	ck_assert_str_eq(str(obj, "type"), "request-executors");
	ck_assert_int_eq(proto_driver_request_executors_decode(obj, &req_back, &cause), 0);
	ck_assert_int_eq(req_back.total, 7);
	json_object_put(obj);

	obj = testlib_json_wire(proto_driver_kill_executor_encode(&kill));
	ck_assert_str_eq(str(obj, "type"), "kill-executor");
	ck_assert_int_eq(proto_driver_kill_executor_decode(obj, &kill_back, &cause), 0);
	ck_assert_str_eq(kill_back.container_id, CID);
	json_object_put(obj);

	obj = testlib_json_wire(proto_driver_executor_lost_encode(&lost));
	ck_assert_str_eq(str(obj, "type"), "executor-lost");
	ck_assert_int_eq(proto_driver_type_decode(obj, &type, &name, &cause), 0);
	ck_assert_int_eq(type, PROTO_DRIVER_EXECUTOR_LOST);
	ck_assert_int_eq(proto_driver_executor_lost_decode(obj, &lost_back, &cause), 0);
	ck_assert_str_eq(lost_back.container_id, CID);
	ck_assert_int_eq(lost_back.exit_status, -100);
	ck_assert_str_eq(lost_back.diagnostics, lost.diagnostics);
	json_object_put(obj);

	obj = testlib_json_wire(proto_driver_shutdown_encode(&bye));
	ck_assert_str_eq(str(obj, "type"), "shutdown");
	ck_assert_int_eq(proto_driver_shutdown_decode(obj, &bye_back, &cause), 0);
	ck_assert_str_eq(bye_back.final_status, "KILLED");
	ck_assert_str_eq(bye_back.diagnostics, "by user");
	json_object_put(obj);

	/* Another protocol's type is UNKNOWN, named. */
	obj = json_tokener_parse("{\"type\":\"launch\"}");
	ck_assert_int_eq(proto_driver_type_decode(obj, &type, &name, &cause), 0);
	ck_assert_int_eq(type, PROTO_DRIVER_UNKNOWN);
	ck_assert_str_eq(name, "launch");
	json_object_put(obj);

	/* Optional fields absent: exit status 0, no diagnostics. */
	obj = json_tokener_parse("{\"type\":\"executor-lost\",\"containerId\":\"" CID "\"}");
	ck_assert_int_eq(proto_driver_executor_lost_decode(obj, &lost_back, &cause), 0);
	ck_assert_int_eq(lost_back.exit_status, 0);
	ck_assert_ptr_null(lost_back.diagnostics);
	json_object_put(obj);
}
END_TEST

START_TEST(test_link_malformed)
{
	char *long_diag;
	char *text;

	testlib_decode_fails(decode_type, "{\"type\":42}", "type: expected a string");
	testlib_decode_fails(decode_type, "{}", "type: missing");

	testlib_decode_fails(decode_register_am, "{\"applicationId\":\"" APP "\"}",
	                     "nonce: missing");
	testlib_decode_fails(decode_register_am,
	                     "{\"secret\":\"s\",\"applicationId\":\"" APP
	                     "\",\"attemptId\":\"" ATTEMPT "\"}",
	                     "nonce: missing");
	testlib_decode_fails(decode_register_am,
	                     "{\"nonce\":\"xyz\",\"applicationId\":\"" APP
	                     "\",\"attemptId\":\"" ATTEMPT "\"}",
	                     "nonce: expected 32 hex digits");
	testlib_decode_fails(decode_register_am,
	                     "{\"nonce\":\"0123456789abcdef0123456789abcdef\",\"applicationId\":"
	                     "\"app_1\",\"attemptId\":\"" ATTEMPT "\"}",
	                     "applicationId: 'app_1' is not an application id");
	testlib_decode_fails(
	        decode_register_am,
	        "{\"nonce\":\"0123456789abcdef0123456789abcdef\",\"applicationId\":\"" APP
	        "\",\"attemptId\":\"appattempt_1700000000000_0002_000001\"}",
	        "attemptId: 'appattempt_1700000000000_0002_000001' is not an attempt "
	        "of " APP);
	testlib_decode_fails(decode_register_am,
	                     "{\"nonce\":7,\"applicationId\":\"" APP "\",\"attemptId\":\"" ATTEMPT
	                     "\"}",
	                     "nonce: expected a string, got an integer");

	testlib_decode_fails(decode_registered, "{\"trackingUrl\":\"ftp://h/\"}",
	                     "trackingUrl: 'ftp://h/' is not an http:// URL");
	testlib_decode_fails(decode_registered, "{\"trackingUrl\":false}",
	                     "trackingUrl: expected a string");

	testlib_decode_fails(decode_request, "{\"total\":\"many\"}",
	                     "total: expected an integer, got a string");
	testlib_decode_fails(decode_request, "{\"total\":-2}", "total: -2 is out of range");
	testlib_decode_fails(decode_request, "{\"total\":100001}", "total: 100001 is out of range");
	testlib_decode_fails(decode_request, "{}", "total: missing");

	testlib_decode_fails(decode_kill, "{\"containerId\":\"c1\"}",
	                     "containerId: 'c1' is not a container id");
	testlib_decode_fails(decode_kill, "{}", "containerId: missing");

	testlib_decode_fails(decode_lost, "{\"containerId\":\"" CID "\",\"exitStatus\":1.5}",
	                     "exitStatus: expected an integer");
	testlib_decode_fails(decode_lost, "{\"containerId\":\"" CID "\",\"exitStatus\":4294967296}",
	                     "exitStatus: 4294967296 is out of range");
	long_diag = xmalloc(PROTO_DRIVER_LOST_DIAG_MAX + 2);
	memset(long_diag, 'x', PROTO_DRIVER_LOST_DIAG_MAX + 1);
	long_diag[PROTO_DRIVER_LOST_DIAG_MAX + 1] = '\0';
	text = xasprintf("{\"containerId\":\"" CID "\",\"diagnostics\":\"%s\"}", long_diag);
	testlib_decode_fails(decode_lost, text, "diagnostics: longer than 65536 bytes");
	free(text);
	free(long_diag);

	testlib_decode_fails(decode_shutdown, "{\"finalStatus\":\"MAYBE\"}",
	                     "finalStatus: 'MAYBE' is not SUCCEEDED, FAILED or KILLED");
	testlib_decode_fails(decode_shutdown, "{\"diagnostics\":\"\"}", "finalStatus: missing");
	testlib_decode_fails(decode_shutdown, "{\"finalStatus\":\"FAILED\",\"diagnostics\":[]}",
	                     "diagnostics: expected a string, got an array");
	testlib_decode_ok(decode_shutdown, "{\"finalStatus\":\"SUCCEEDED\"}");
}
END_TEST

/* ------------------------------------------------------------------ */
/* The status page. */

static const struct proto_driver_executor executors[] = {
        {"1", "h1", "h1:8041", CID, 2, 1, 5, 0, false},
        {"2", "h2", "h2:8041", NULL, 4, 0, 0, 3, true},
};

static const struct proto_driver_action actions[] = {
        {0, "collect", "counts", "SUCCEEDED", 2, 1700000000000, 1700000005000, NULL},
        {1, "save", "out", "FAILED", 3, 1700000006000, 0, "stage 3 failed"},
};

static const struct proto_driver_stage stages[] = {
        {.stage_id = 1,
         .name = "map at l",
         .kind = "shuffle-map",
         .state = "DONE",
         .dataset = "l",
         .shuffle_id = 0,
         .job_id = 0,
         .attempts = 1,
         .num_tasks = 4,
         .num_complete = 4,
         .num_launched = 5,
         .num_speculative = 1,
         .has_shuffle_write = true,
         .shuffle_write_bytes = 1234,
         .shuffle_write_records = 56,
         .spills = 2,
         .submission_ms = 1700000000100,
         .completion_ms = 1700000001100},
        {.stage_id = 2,
         .name = "result",
         .kind = "result",
         .state = "RUNNING",
         .dataset = "counts",
         .shuffle_id = -1,
         .job_id = -1,
         .attempts = 2,
         .num_tasks = 3,
         .num_active = 1,
         .num_pending = 1,
         .num_failed = 1,
         .num_killed = 1,
         .num_recomputed = 2,
         .fetch_failures = 1},
};

START_TEST(test_status_round_trip)
{
	struct proto_driver_job job = {.kind = "dataflow",
	                               .name = "wc",
	                               .jobs = (struct proto_driver_action *)actions,
	                               .n_jobs = 2,
	                               .stages = (struct proto_driver_stage *)stages,
	                               .n_stages = 2,
	                               .recomputed_map_partitions = 3};
	struct proto_driver_status m = {.address = "h0:40000",
	                                .state = "RUNNING",
	                                .started_ms = 1700000000000,
	                                .pending = 1,
	                                .running = 2,
	                                .succeeded = 3,
	                                .failed = 4,
	                                .executors = (struct proto_driver_executor *)executors,
	                                .n_executors = 2,
	                                .has_allocation = true,
	                                .allocation = {1, 8, 3, 2}},
	                           back;
	struct json_object *page, *obj, *e;
	char *cause = NULL;

	m.job_object = proto_driver_job_encode(&job);
	page = testlib_json_wire(proto_driver_page_wrap(proto_driver_status_encode(&m)));
	ck_assert_ptr_null(m.job_object); /* taken */
	obj = proto_driver_page_unwrap(page, &cause);
	ck_assert_ptr_nonnull(obj);
	/* The shape protocol.h gives. */
	ck_assert(!json_object_object_get_ex(obj, "finishedTime", NULL));
	ck_assert(!json_object_object_get_ex(obj, "diagnostics", NULL));
	e = json_object_array_get_idx(json_object_object_get(obj, "executors"), 1);
	ck_assert(!json_object_object_get_ex(e, "containerId", NULL));
	ck_assert_int_eq(json_object_get_int(json_object_object_get(
	                         json_object_object_get(obj, "dynamicAllocation"), "maxExecutors")),
	                 8);

	ck_assert_msg(proto_driver_status_decode(obj, &back, &cause) == 0, "%s", cause);
	ck_assert_str_eq(back.address, "h0:40000");
	ck_assert_str_eq(back.state, "RUNNING");
	ck_assert_int_eq(back.started_ms, 1700000000000);
	ck_assert_int_eq(back.finished_ms, 0);
	ck_assert_ptr_null(back.diagnostics);
	ck_assert_int_eq(back.pending + back.running + back.succeeded + back.failed, 10);
	ck_assert_int_eq(back.n_executors, 2);
	ck_assert_str_eq(back.executors[0].container_id, CID);
	ck_assert_ptr_null(back.executors[1].container_id);
	ck_assert_int_eq(back.executors[1].cores, 4);
	ck_assert_int_eq(back.executors[1].failed_tasks, 3);
	ck_assert(back.executors[1].released);
	ck_assert(back.has_allocation);
	ck_assert_int_eq(back.allocation.target_executors, 3);
	ck_assert_int_eq(back.allocation.released_executors, 2);
	ck_assert(back.has_job);
	ck_assert_str_eq(back.job.kind, "dataflow");
	ck_assert_str_eq(back.job.name, "wc");
	ck_assert_int_eq(back.job.recomputed_map_partitions, 3);
	ck_assert_int_eq(back.job.n_jobs, 2);
	ck_assert_int_eq(back.job.jobs[0].completion_ms, 1700000005000);
	ck_assert_ptr_null(back.job.jobs[0].failure_reason);
	ck_assert_str_eq(back.job.jobs[1].failure_reason, "stage 3 failed");
	ck_assert_int_eq(back.job.jobs[1].completion_ms, 0);
	ck_assert_int_eq(back.job.n_stages, 2);
	for (int i = 0; i < 2; i++) {
		const struct proto_driver_stage *a = &stages[i], *b = &back.job.stages[i];

		ck_assert_int_eq(a->stage_id, b->stage_id);
		ck_assert_str_eq(a->name, b->name);
		ck_assert_str_eq(a->kind, b->kind);
		ck_assert_str_eq(a->state, b->state);
		ck_assert_int_eq(a->shuffle_id, b->shuffle_id);
		ck_assert_int_eq(a->job_id, b->job_id);
		ck_assert_int_eq(a->has_shuffle_write, b->has_shuffle_write);
		ck_assert_int_eq(a->shuffle_write_bytes, b->shuffle_write_bytes);
		ck_assert_int_eq(a->spills, b->spills);
		ck_assert_int_eq(a->num_speculative, b->num_speculative);
		ck_assert_int_eq(a->num_killed, b->num_killed);
		ck_assert_int_eq(a->fetch_failures, b->fetch_failures);
		ck_assert_int_eq(a->submission_ms, b->submission_ms);
		ck_assert_int_eq(a->completion_ms, b->completion_ms);
	}
	proto_driver_status_clear(&back);
	json_object_put(page);

	/* A shell job: "kind" at the top, no "job"; a finished driver. */
	memset(&m, 0, sizeof m);
	m.address = "h0:1";
	m.state = "FAILED";
	m.started_ms = 5;
	m.finished_ms = 9;
	m.diagnostics = "task 0 failed";
	m.kind = "shell";
	obj = testlib_json_wire(proto_driver_status_encode(&m));
	ck_assert_int_eq(proto_driver_status_decode(obj, &back, &cause), 0);
	ck_assert_str_eq(back.kind, "shell");
	ck_assert(!back.has_job && !back.has_allocation);
	ck_assert_int_eq(back.n_executors, 0);
	ck_assert_int_eq(back.finished_ms, 9);
	ck_assert_str_eq(back.diagnostics, "task 0 failed");
	proto_driver_status_clear(&back);
	json_object_put(obj);

	cause = proto_driver_page_url("[::1]:80");
	ck_assert_str_eq(cause, "http://[::1]:80/ws/v1/driver");
	free(cause);
}
END_TEST

#define STATUS_HEAD                                                                                \
	"{\"address\":\"h:1\",\"state\":\"RUNNING\",\"startedTime\":1,\"tasks\":{\"pending\":0,"   \
	"\"running\":0,\"succeeded\":0,\"failed\":0}"

START_TEST(test_status_malformed)
{
	struct json_object *empty = json_object_new_object();
	char *cause = NULL;

	testlib_decode_ok(decode_status, STATUS_HEAD "}");
	testlib_decode_fails(decode_status, "{\"state\":\"RUNNING\"}", "address: missing");
	testlib_decode_fails(decode_status,
	                     "{\"address\":\"h:1\",\"state\":\"RUN NING\",\"startedTime\":1}",
	                     "state: 'RUN NING' is not a word");
	testlib_decode_fails(decode_status,
	                     "{\"address\":\"h:1\",\"state\":\"R\",\"startedTime\":1}",
	                     "tasks: missing");
	testlib_decode_fails(decode_status,
	                     "{\"address\":\"h:1\",\"state\":\"R\",\"startedTime\":1,\"tasks\":{"
	                     "\"pending\":-1}}",
	                     "tasks.pending: -1 is out of range");
	testlib_decode_fails(decode_status, STATUS_HEAD ",\"executors\":[7]}",
	                     "executors[0]: expected an object, got an integer");
	testlib_decode_fails(decode_status,
	                     STATUS_HEAD ",\"executors\":[{\"id\":\"1\",\"host\":\"h\",\"nodeId\":"
	                                 "\"h:1\",\"cores\":1},{\"id\":\"2\"}]}",
	                     "executors[1].host: missing");
	testlib_decode_fails(decode_status,
	                     STATUS_HEAD ",\"dynamicAllocation\":{\"minExecutors\":1,"
	                                 "\"maxExecutors\":\"8\"}}",
	                     "dynamicAllocation.maxExecutors: expected an integer");
	testlib_decode_fails(decode_status, STATUS_HEAD ",\"job\":[]}",
	                     "job: expected an object, got an array");
	testlib_decode_fails(decode_status, STATUS_HEAD ",\"job\":{\"stages\":{}}}",
	                     "job.stages: expected an array");
	testlib_decode_fails(decode_status,
	                     STATUS_HEAD
	                     ",\"job\":{\"kind\":\"dataflow\",\"stages\":[{\"stageId\":1,"
	                     "\"name\":\"s\",\"kind\":\"result\",\"state\":\"DONE\","
	                     "\"dataset\":\"d\",\"numTasks\":-4}]}}",
	                     "job.stages[0].numTasks: -4 is out of range");
	testlib_decode_fails(decode_status,
	                     STATUS_HEAD ",\"job\":{\"jobs\":[{\"jobId\":0,\"action\":\"collect\","
	                                 "\"dataset\":\"d\",\"state\":\"RUNNING\"}]}}",
	                     "job.jobs[0].resultStageId: missing");
	ck_assert_ptr_null(proto_driver_page_unwrap(empty, &cause));
	ck_assert_str_eq(cause, "driver: missing");
	free(cause);
	json_object_put(empty);
}
END_TEST

static Suite *proto_driver_suite(void)
{
	Suite *s = suite_create("proto_driver");
	TCase *tc = tcase_create("messages");

	tcase_add_test(tc, test_link_round_trips);
	tcase_add_test(tc, test_link_malformed);
	tcase_add_test(tc, test_status_round_trip);
	tcase_add_test(tc, test_status_malformed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proto_driver_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
