/*
 * test_nm_status_updater.c — registration and heartbeats against a fake
 * RM in the same process: signed calls, retry with backoff while the RM
 * refuses, periodic heartbeats, the extra heartbeat when a container ends,
 * incremental (partial and full) reports,
 * and every part of the RM's answer (RESYNC, SHUTDOWN, acks, containers
 * and applications to clean up, key ids, malformed answers).
 */
#include "weft_config.h"

#include <json-c/json.h>

#include "common/wjson.h"
#include "nm/status_updater.h"
#include "nm_test_util.h"
#include "weft/protocol.h"

#define CID1 "container_1700000000000_0001_01_000001"
#define CID2 "container_1700000000000_0001_01_000002"
#define APP1 "application_1700000000000_0001"

struct fake_rm {
	struct http_server *srv;
	int registers;
	int heartbeats;
	int fail_registers; /* answer 503 to this many registrations */
	int auth_failures;
	int64_t interval_ms;
	const char *key_ids; /* JSON array text for the register answer */
	char *next_answer;   /* extra members of the next heartbeat answer */
	struct json_object *last_register;
	struct json_object *last_heartbeat;
	int64_t last_response_id_seen;
};

static struct nmt t;
static struct fake_rm rm;
static int shutdowns, stops;

/* Check X-Weft-Auth over the exact body; RET the parsed body or NULL
 * after replying 401. */
static struct json_object *fake_rm_body(struct http_request *req)
{
	const char *auth = http_request_header(req, SECURITY_AUTH_HEADER), *text;
	char *cause = NULL;
	size_t len;

	text = http_request_body(req, &len);
	if (auth == NULL || security_verify_request(t.secret, auth, "POST", http_request_path(req),
	                                            text, len, time_now_ms(), &cause) != 0) {
		rm.auth_failures++;
		http_reply_error(req, 401, "AuthenticationException", "%s",
		                 cause != NULL ? cause : "no auth");
		free(cause);
		return NULL;
	}
	return http_request_json(req);
}

static void fake_register_cb(struct http_request *req, void *arg)
{
	struct json_object *body = fake_rm_body(req);
	char *answer;

	if (body == NULL)
		return;
	rm.registers++;
	json_object_put(rm.last_register);
	rm.last_register = body;
	if (rm.fail_registers > 0) {
		rm.fail_registers--;
		http_reply_error(req, 503, "Exception", "not yet");
		return;
	}
	answer = xasprintf("{\"clusterTimestamp\":1700000000000,\"containerKeyIds\":%s,"
	                   "\"heartbeatIntervalMs\":%lld}",
	                   rm.key_ids != NULL ? rm.key_ids : "[7]", (long long)rm.interval_ms);
	http_reply_data(req, 200, "application/json", answer, strlen(answer));
	free(answer);
}

static void fake_heartbeat_cb(struct http_request *req, void *arg)
{
	struct json_object *body = fake_rm_body(req);
	int64_t id = 0;
	char *answer;

	if (body == NULL)
		return;
	rm.heartbeats++;
	wjson_get_int(body, "", "responseId", true, INT64_MIN, INT64_MAX, &id, NULL);
	rm.last_response_id_seen = id;
	json_object_put(rm.last_heartbeat);
	rm.last_heartbeat = body;
	if (rm.next_answer != NULL && rm.next_answer[0] == '!') {
		/* A whole answer given verbatim. */
		answer = xstrdup(rm.next_answer + 1);
	} else {
		answer = xasprintf("{\"responseId\":%lld,\"action\":\"NORMAL\"%s%s}",
		                   (long long)id + 1, rm.next_answer != NULL ? "," : "",
		                   rm.next_answer != NULL ? rm.next_answer : "");
	}
	free(rm.next_answer);
	rm.next_answer = NULL;
	http_reply_data(req, 200, "application/json", answer, strlen(answer));
	free(answer);
}

static void on_completed(struct container *c, void *arg)
{
	status_updater_heartbeat_now(t.ctx.updater);
}

static void on_shutdown(void *arg)
{
	shutdowns++;
}

static void on_stopped(void *arg)
{
	stops++;
}

static void setup(void)
{
	char *cause = NULL;

	nmt_setup(&t, NULL);
	memset(&rm, 0, sizeof rm);
	rm.interval_ms = 10000;
	rm.srv = http_server_new(t.base, 1024 * 1024);
	if (http_server_bind(rm.srv, "127.0.0.1:0", &cause) != 0)
		ck_abort_msg("bind: %s", cause);
	http_server_route(rm.srv, HTTP_M_POST, "/rpc/node/register", 0, fake_register_cb, NULL);
	http_server_route(rm.srv, HTTP_M_POST, "/rpc/node/heartbeat", 0, fake_heartbeat_cb, NULL);
	free(t.ctx.rm_rpc_addresses);
	t.ctx.rm_rpc_addresses = xasprintf("127.0.0.1:%d", http_server_port(rm.srv));
	/* Only what the RM says counts. */
	container_manager_set_key_ids(t.ctx.containers, NULL, 0);
	t.ctx.updater = status_updater_new(&t.ctx);
	container_manager_on_completed(t.ctx.containers, on_completed, NULL);
	status_updater_on_shutdown(t.ctx.updater, on_shutdown, NULL);
}

static void teardown(void)
{
	status_updater_free(t.ctx.updater);
	t.ctx.updater = NULL;
	http_server_free(rm.srv);
	json_object_put(rm.last_register);
	json_object_put(rm.last_heartbeat);
	free(rm.next_answer);
	nmt_teardown(&t);
}

static bool registered(void *arg)
{
	return status_updater_registered(t.ctx.updater);
}

static bool heartbeats_at_least(void *arg)
{
	return rm.heartbeats >= *(int *)arg;
}

/* Wait for the n-th heartbeat. */
static void wait_heartbeats(int n, int ms)
{
	ck_assert_msg(nmt_run_until(&t, heartbeats_at_least, &n, ms), "only %d heartbeats",
	              rm.heartbeats);
}

/* The containers array of the last heartbeat. */
static struct json_object *last_containers(void)
{
	struct json_object *list = NULL;

	ck_assert_ptr_nonnull(rm.last_heartbeat);
	ck_assert(json_object_object_get_ex(rm.last_heartbeat, "containers", &list));
	return list;
}

/* Whether the updater has dealt with at least *arg answers. */
static bool answered_at_least(void *arg)
{
	return status_updater_heartbeat_count(t.ctx.updater) >= *(int *)arg;
}

/* Wait until the updater has dealt with n heartbeat answers. */
static void wait_answered(int n)
{
	ck_assert_msg(nmt_run_until(&t, answered_at_least, &n, NMT_WAIT_MS),
	              "only %d heartbeats answered",
	              (int)status_updater_heartbeat_count(t.ctx.updater));
}

/* Send a heartbeat the fake RM answers with extra (as rm.next_answer),
 * then a plain one, and wait until that one is answered: heartbeats go
 * one at a time, so the first answer, well-formed or not, has been dealt
 * with. */
static void heartbeat_and_settle(const char *extra)
{
	int sent = rm.heartbeats + 1;
	int answered = (int)status_updater_heartbeat_count(t.ctx.updater) + 1;

	rm.next_answer = xstrdup(extra);
	status_updater_heartbeat_now(t.ctx.updater);
	wait_heartbeats(sent, NMT_WAIT_MS);
	status_updater_heartbeat_now(t.ctx.updater);
	wait_answered(answered);
}

/* Whether this node has forgotten APP1. */
static bool app1_gone(void *arg)
{
	return container_manager_find_app(t.ctx.containers, APP1) == NULL;
}

/* Whether APP1 has finished on this node. */
static bool app1_finished(void *arg)
{
	struct application *a = container_manager_find_app(t.ctx.containers, APP1);

	return a != NULL && application_get_state(a) == APPLICATION_FINISHED;
}

START_TEST(test_register_retries_with_backoff)
{
	int64_t began = time_mono_ms();
	struct json_object *v;

	rm.fail_registers = 3;
	status_updater_start(t.ctx.updater);
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
	ck_assert_int_eq(rm.registers, 4);
	/* 200 + 400 + 800 ms of backoff, on timers. */
	ck_assert_int_ge(time_mono_ms() - began, 1300);
	ck_assert_int_eq(rm.auth_failures, 0);
	ck_assert(json_object_object_get_ex(rm.last_register, "nodeId", &v));
	ck_assert_str_eq(json_object_get_string(v), t.ctx.node_id);
	ck_assert(json_object_object_get_ex(rm.last_register, "httpAddress", &v));
	ck_assert_str_eq(json_object_get_string(v), t.ctx.node_id);
	ck_assert(json_object_object_get_ex(rm.last_register, "memoryMB", &v));
	ck_assert_int_eq(json_object_get_int(v), 4096);
	ck_assert(json_object_object_get_ex(rm.last_register, "vcores", &v));
	ck_assert_int_eq(json_object_get_int(v), 4);
	ck_assert(json_object_object_get_ex(rm.last_register, "rack", &v));
	ck_assert_str_eq(json_object_get_string(v), "/default-rack");
	ck_assert(json_object_object_get_ex(rm.last_register, "containers", &v));
	ck_assert(json_object_is_type(v, json_type_array));
	ck_assert_int_gt(status_updater_last_update_ms(t.ctx.updater), 0);
}
END_TEST

START_TEST(test_unreachable_rm_then_back)
{
	int port = http_server_port(rm.srv);
	char *cause = NULL, *address;

	/* Nothing listens on the RM's address at first. */
	http_server_free(rm.srv);
	rm.srv = NULL;
	status_updater_start(t.ctx.updater);
	nmt_run_for(&t, 700);
	ck_assert(!status_updater_registered(t.ctx.updater));
	/* The RM comes back on the same address. */
	rm.srv = http_server_new(t.base, 1024 * 1024);
	address = xasprintf("127.0.0.1:%d", port);
	ck_assert_msg(http_server_bind(rm.srv, address, &cause) == 0, "bind: %s", cause);
	free(address);
	http_server_route(rm.srv, HTTP_M_POST, "/rpc/node/register", 0, fake_register_cb, NULL);
	http_server_route(rm.srv, HTTP_M_POST, "/rpc/node/heartbeat", 0, fake_heartbeat_cb, NULL);
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
}
END_TEST

/* rm.rpc-address names two RMs; the first is down: registration and
 * heartbeats go to the second. */
START_TEST(test_fails_over_to_the_next_rm)
{
	status_updater_free(t.ctx.updater);
	free(t.ctx.rm_rpc_addresses);
	t.ctx.rm_rpc_addresses = xasprintf("127.0.0.1:1, 127.0.0.1:%d", http_server_port(rm.srv));
	t.ctx.updater = status_updater_new(&t.ctx);
	status_updater_on_shutdown(t.ctx.updater, on_shutdown, NULL);
	rm.interval_ms = 100;
	status_updater_start(t.ctx.updater);
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
	wait_heartbeats(2, NMT_WAIT_MS);
	ck_assert_int_eq(rm.registers, 1);
	ck_assert_int_eq(rm.auth_failures, 0);
}
END_TEST

START_TEST(test_periodic_heartbeats)
{
	long long began;
	int n;

	rm.interval_ms = 100;
	status_updater_start(t.ctx.updater);
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
	began = testlib_now_ms();
	/* Heartbeats come unasked, one per interval: six of them span at
	 * least five intervals (less the slack of libevent's coarse clock). */
	wait_heartbeats(6, NMT_WAIT_MS);
	ck_assert_int_ge(testlib_now_ms() - began, 5 * 100 - 20);
	/* The response id the RM gave comes back. */
	ck_assert_int_eq(rm.last_response_id_seen, rm.heartbeats - 1);
	n = rm.heartbeats;
	ck_assert(nmt_run_until(&t, answered_at_least, &n, NMT_WAIT_MS));
}
END_TEST

START_TEST(test_extra_heartbeat_when_container_ends)
{
	struct json_object *list, *st;

	/* An interval of an hour: any heartbeat seen is the extra one. */
	rm.interval_ms = 3600 * 1000;
	status_updater_start(t.ctx.updater);
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
	ck_assert_int_eq(rm.heartbeats, 0);
	ck_assert_int_eq(nmt_start(&t, CID1, "exit 4"), 200);
	wait_heartbeats(1, NMT_WAIT_MS);
	list = last_containers();
	ck_assert_int_eq((int)json_object_array_length(list), 1);
	st = json_object_array_get_idx(list, 0);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(st, "containerId")), CID1);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(st, "state")), "COMPLETE");
	ck_assert_int_eq(json_object_get_int(json_object_object_get(st, "exitStatus")), 4);

	/* Until acknowledged, it is reported again; then never. */
	rm.next_answer = xstrdup("\"containersToAck\":[\"" CID1 "\"]");
	status_updater_heartbeat_now(t.ctx.updater);
	wait_heartbeats(2, NMT_WAIT_MS);
	ck_assert_int_eq((int)json_object_array_length(last_containers()), 1);
	status_updater_heartbeat_now(t.ctx.updater);
	wait_heartbeats(3, NMT_WAIT_MS);
	ck_assert_int_eq((int)json_object_array_length(last_containers()), 0);
	/* The record stays (for logs and REST) until the app is cleaned up. */
	ck_assert_ptr_nonnull(container_manager_find(t.ctx.containers, CID1));
}
END_TEST

static bool registers_at_least(void *arg)
{
	return rm.registers >= *(int *)arg;
}

/* Whether the last heartbeat was a full report. */
static bool last_full(void)
{
	struct json_object *v = NULL;

	ck_assert(json_object_object_get_ex(rm.last_heartbeat, "fullReport", &v));
	return json_object_get_boolean(v);
}

START_TEST(test_incremental_reports)
{
	struct json_object *st;
	int i, n;

	status_updater_start(t.ctx.updater);
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
	ck_assert_int_eq(nmt_start(&t, CID1, "exec sleep 30"), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_RUNNING));
	/* The first heartbeat after registering is full. */
	status_updater_heartbeat_now(t.ctx.updater);
	wait_heartbeats(1, NMT_WAIT_MS);
	ck_assert(last_full());
	ck_assert_int_eq((int)json_object_array_length(last_containers()), 1);
	/* Then only changes: nothing, until the next full report. */
	for (n = 2; n <= WEFT_NM_FULL_REPORT_EVERY; n++) {
		status_updater_heartbeat_now(t.ctx.updater);
		wait_heartbeats(n, NMT_WAIT_MS);
		ck_assert(!last_full());
		ck_assert_int_eq((int)json_object_array_length(last_containers()), 0);
	}
	status_updater_heartbeat_now(t.ctx.updater);
	wait_heartbeats(n, NMT_WAIT_MS);
	ck_assert(last_full());
	ck_assert_int_eq((int)json_object_array_length(last_containers()), 1);
	st = json_object_array_get_idx(last_containers(), 0);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(st, "state")), "RUNNING");

	/* A status whose heartbeat got no answer goes again. */
	ck_assert_int_eq(nmt_start(&t, CID2, "exec sleep 30"), 200);
	ck_assert(nmt_wait_state(&t, CID2, CONTAINER_RUNNING));
	rm.next_answer = xstrdup("!{\"responseId\":\"bad\"}");
	status_updater_heartbeat_now(t.ctx.updater);
	wait_heartbeats(++n, NMT_WAIT_MS);
	ck_assert(!last_full());
	ck_assert_int_eq((int)json_object_array_length(last_containers()), 1);
	status_updater_heartbeat_now(t.ctx.updater);
	wait_heartbeats(++n, NMT_WAIT_MS);
	ck_assert_int_eq((int)json_object_array_length(last_containers()), 1);
	st = json_object_array_get_idx(last_containers(), 0);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(st, "containerId")), CID2);
	status_updater_heartbeat_now(t.ctx.updater);
	wait_heartbeats(++n, NMT_WAIT_MS);
	ck_assert_int_eq((int)json_object_array_length(last_containers()), 0);

	/* After RESYNC the node registers and reports in full again. */
	i = rm.registers;
	rm.next_answer = xstrdup("!{\"responseId\":1,\"action\":\"RESYNC\"}");
	status_updater_heartbeat_now(t.ctx.updater);
	wait_heartbeats(++n, NMT_WAIT_MS);
	i++;
	ck_assert(nmt_run_until(&t, registers_at_least, &i, NMT_WAIT_MS));
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
	status_updater_heartbeat_now(t.ctx.updater);
	wait_heartbeats(++n, NMT_WAIT_MS);
	ck_assert(last_full());
	ck_assert_int_eq((int)json_object_array_length(last_containers()), 2);
}
END_TEST

START_TEST(test_heartbeat_requests_coalesce)
{
	status_updater_start(t.ctx.updater);
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
	/* Five asks while one is in flight: one more heartbeat, not five. */
	status_updater_heartbeat_now(t.ctx.updater);
	status_updater_heartbeat_now(t.ctx.updater);
	status_updater_heartbeat_now(t.ctx.updater);
	status_updater_heartbeat_now(t.ctx.updater);
	status_updater_heartbeat_now(t.ctx.updater);
	wait_answered(2);
	/* And no third one after those two. */
	nmt_run_for(&t, 300);
	ck_assert_int_eq(rm.heartbeats, 2);
}
END_TEST

START_TEST(test_rm_cleans_up_a_container)
{
	struct json_object *st;
	struct container *c;

	status_updater_start(t.ctx.updater);
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
	ck_assert_int_eq(nmt_start(&t, CID1, "exec sleep 30"), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_RUNNING));
	rm.next_answer = xstrdup("\"containersToCleanup\":[\"" CID1 "\","
	                         "\"container_1700000000000_0001_01_000099\"]");
	status_updater_heartbeat_now(t.ctx.updater);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));
	c = container_manager_find(t.ctx.containers, CID1);
	ck_assert_int_eq(container_exit_status(c), WEFT_EXIT_KILLED_BY_RESOURCEMANAGER);
	/* The completion went out at once. */
	wait_heartbeats(2, NMT_WAIT_MS);
	st = json_object_array_get_idx(last_containers(), 0);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(st, "state")), "COMPLETE");
	ck_assert_int_eq(json_object_get_int(json_object_object_get(st, "exitStatus")),
	                 WEFT_EXIT_KILLED_BY_RESOURCEMANAGER);
}
END_TEST

START_TEST(test_rm_cleans_up_an_app)
{
	struct application *a;

	status_updater_start(t.ctx.updater);
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
	ck_assert_int_eq(nmt_start(&t, CID1, "exec sleep 30"), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_RUNNING));
	rm.next_answer = xstrdup("\"appsToCleanup\":[\"" APP1 "\"]");
	status_updater_heartbeat_now(t.ctx.updater);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));
	ck_assert_int_eq(container_exit_status(container_manager_find(t.ctx.containers, CID1)),
	                 WEFT_EXIT_KILLED_AFTER_APP_COMPLETION);
	a = container_manager_find_app(t.ctx.containers, APP1);
	ck_assert_ptr_nonnull(a);
	ck_assert(nmt_run_until(&t, app1_finished, NULL, NMT_WAIT_MS));
	/* The RM acknowledges the last container: the app is forgotten. */
	rm.next_answer = xstrdup("\"containersToAck\":[\"" CID1 "\"]");
	status_updater_heartbeat_now(t.ctx.updater);
	ck_assert(nmt_run_until(&t, app1_gone, NULL, NMT_WAIT_MS));
}
END_TEST

START_TEST(test_malformed_answer_changes_nothing)
{
	struct application *a;

	status_updater_start(t.ctx.updater);
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
	ck_assert_int_eq(nmt_start(&t, CID1, "exec sleep 30"), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_RUNNING));
	/* Valid appsToCleanup, broken containersToAck: ignored as a whole. */
	heartbeat_and_settle("\"appsToCleanup\":[\"" APP1 "\"],\"containersToAck\":\"x\"");
	a = container_manager_find_app(t.ctx.containers, APP1);
	ck_assert_int_eq(application_get_state(a), APPLICATION_RUNNING);
	ck_assert_int_eq(container_get_state(container_manager_find(t.ctx.containers, CID1)),
	                 CONTAINER_RUNNING);
	heartbeat_and_settle("!not json at all");
	heartbeat_and_settle("!{\"responseId\":\"1\"}");
	ck_assert(status_updater_registered(t.ctx.updater));
	ck_assert_int_eq(container_get_state(container_manager_find(t.ctx.containers, CID1)),
	                 CONTAINER_RUNNING);
}
END_TEST

START_TEST(test_resync_registers_again)
{
	struct json_object *list;
	int n;

	status_updater_start(t.ctx.updater);
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
	ck_assert_int_eq(nmt_start(&t, CID1, "exec sleep 30"), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_RUNNING));
	rm.next_answer = xstrdup("!{\"responseId\":0,\"action\":\"RESYNC\"}");
	status_updater_heartbeat_now(t.ctx.updater);
	n = 2;
	ck_assert(nmt_run_until(&t, registers_at_least, &n, NMT_WAIT_MS));
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
	ck_assert_int_eq(rm.registers, 2);
	/* The registration lists the running container. */
	list = json_object_object_get(rm.last_register, "containers");
	ck_assert_int_eq((int)json_object_array_length(list), 1);
}
END_TEST

START_TEST(test_shutdown_action)
{
	status_updater_start(t.ctx.updater);
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
	rm.next_answer = xstrdup("!{\"responseId\":1,\"action\":\"SHUTDOWN\"}");
	status_updater_heartbeat_now(t.ctx.updater);
	ck_assert(nmt_run_until(&t, testlib_count_reached, &(struct testlib_count){&shutdowns, 1},
	                        NMT_WAIT_MS));
	ck_assert_int_eq(shutdowns, 1);
}
END_TEST

START_TEST(test_key_ids_come_from_the_rm)
{
	char *token, *body, *reply = NULL;

	rm.key_ids = "[42,41]";
	/* Before registration no key is accepted. */
	ck_assert_int_eq(nmt_start(&t, CID1, "true"), 401);
	status_updater_start(t.ctx.updater);
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
	ck_assert_int_eq(nmt_start(&t, CID1, "true"), 401); /* key 7 */
	token = nmt_token(&t, CID1, NULL, 256, 0, 41);
	body = nmt_start_body(token, "true");
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, &reply), 200);
	free(reply);
	free(body);
	free(token);
	/* The RM rolls the keys in a heartbeat answer. */
	heartbeat_and_settle("\"containerKeyIds\":[43]");
	token = nmt_token(&t, "container_1700000000000_0001_01_000002", NULL, 256, 0, 41);
	body = nmt_start_body(token, "true");
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, NULL), 401);
	free(body);
	free(token);
	token = nmt_token(&t, "container_1700000000000_0001_01_000002", NULL, 256, 0, 43);
	body = nmt_start_body(token, "true");
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, NULL), 200);
	free(body);
	free(token);
}
END_TEST

static bool stopped(void *arg)
{
	return stops > 0;
}

START_TEST(test_stop_sends_a_last_heartbeat)
{
	status_updater_start(t.ctx.updater);
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
	status_updater_stop(t.ctx.updater, on_stopped, NULL);
	ck_assert(nmt_run_until(&t, stopped, NULL, NMT_WAIT_MS));
	ck_assert_int_eq(rm.heartbeats, 1);
	/* Nothing more after the stop. */
	status_updater_heartbeat_now(t.ctx.updater);
	nmt_run_for(&t, 200);
	ck_assert_int_eq(rm.heartbeats, 1);
	ck_assert_int_eq(stops, 1);
}
END_TEST

START_TEST(test_stop_before_registration)
{
	rm.fail_registers = 100;
	status_updater_start(t.ctx.updater);
	nmt_run_for(&t, 100);
	status_updater_stop(t.ctx.updater, on_stopped, NULL);
	ck_assert(nmt_run_until(&t, stopped, NULL, NMT_WAIT_MS));
	ck_assert_int_eq(rm.heartbeats, 0);
}
END_TEST

START_TEST(test_wrong_secret_is_refused_by_the_rm)
{
	struct secret *wrong = secret_from_bytes("a different secret of 32 bytes!!", 32);

	t.ctx.secret = wrong;
	status_updater_start(t.ctx.updater);
	ck_assert(nmt_run_until(&t, testlib_count_reached,
	                        &(struct testlib_count){&rm.auth_failures, 2}, NMT_WAIT_MS));
	ck_assert(!status_updater_registered(t.ctx.updater));
	t.ctx.secret = t.secret;
	ck_assert(nmt_run_until(&t, registered, NULL, NMT_WAIT_MS));
	secret_free(wrong);
}
END_TEST

static Suite *status_updater_suite(void)
{
	Suite *s = suite_create("nm_status_updater");
	TCase *tc = tcase_create("updater");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_register_retries_with_backoff);
	tcase_add_test(tc, test_unreachable_rm_then_back);
	tcase_add_test(tc, test_fails_over_to_the_next_rm);
	tcase_add_test(tc, test_periodic_heartbeats);
	tcase_add_test(tc, test_extra_heartbeat_when_container_ends);
	tcase_add_test(tc, test_heartbeat_requests_coalesce);
	tcase_add_test(tc, test_incremental_reports);
	tcase_add_test(tc, test_rm_cleans_up_a_container);
	tcase_add_test(tc, test_rm_cleans_up_an_app);
	tcase_add_test(tc, test_malformed_answer_changes_nothing);
	tcase_add_test(tc, test_resync_registers_again);
	tcase_add_test(tc, test_shutdown_action);
	tcase_add_test(tc, test_key_ids_come_from_the_rm);
	tcase_add_test(tc, test_stop_sends_a_last_heartbeat);
	tcase_add_test(tc, test_stop_before_registration);
	tcase_add_test(tc, test_wrong_secret_is_refused_by_the_rm);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(status_updater_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
