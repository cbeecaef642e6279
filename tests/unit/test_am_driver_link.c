/*
 * test_am_driver_link.c — a client-mode AM (driver_link + the AM core)
 * between the fake RM/NM of test_am_fake.c and a fake driver: a
 * lineserver on 127.0.0.1:0 in the same event loop.
 *
 * It checks what the AM says to the driver (register-am with its nonce
 * and ids, never the secret; auth answering the driver's challenge;
 * executor-lost), that a driver with the wrong secret is obeyed in
 * nothing, and that it obeys a proven one (request-executors, the
 * final status of shutdown), and that a driver that goes away, refuses
 * the AM or cannot be reached fails the application ("driver
 * disconnected").
 */
#include "weft_config.h"

#include <check.h>
#include <event2/event.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "am/driver_link.h"
#include "common/lineconn.h"
#include "common/log.h"
#include "common/proto_task.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "test_am_fake.h"
#include "weft/protocol.h"

#define APP_ID     "application_1700000000000_0001"
#define ATTEMPT_ID "appattempt_1700000000000_0001_000001"

enum driver_script {
	SCRIPT_OBEY,       /* ask for 3 executors, fail the job when one is lost */
	SCRIPT_DROP,       /* hang up right after register-am */
	SCRIPT_REJECT,     /* {"type":"rejected"} */
	SCRIPT_BAD_STATUS, /* shutdown with a made-up final status */
	SCRIPT_JUNK,       /* malformed messages, then shutdown SUCCEEDED */
	SCRIPT_WRONG,      /* a challenge proving another secret, then orders */
};

#define DRIVER_NONCE "00112233445566778899aabbccddeeff"

/* The fake driver's state (one test at a time). */
static struct {
	struct fake *f;
	struct lineserver *server;
	struct lineconn *conn;
	enum driver_script script;
	int registers;
	int auths;
	char am_nonce[64];
	int lost;
	bool sent_shutdown;
} drv;

/* Send one JSON text as a message. */
static void drv_send(const char *text)
{
	struct json_object *msg = json_tokener_parse(text);

	ck_assert_ptr_nonnull(msg);
	ck_assert_int_eq(lineconn_send(drv.conn, msg), 0);
	json_object_put(msg);
}

static void drv_message_cb(struct lineconn *c, struct json_object *msg, void *arg)
{
	const char *type = NULL, *s = NULL;
	int64_t v = 0;

	char proof[65], *text;

	ck_assert_msg(strstr(json_object_to_json_string(msg), SECRET) == NULL,
	              "the secret is on the wire: %s", json_object_to_json_string(msg));
	ck_assert_int_eq(wjson_get_string(msg, "", "type", true, &type, NULL), 0);
	if (strcmp(type, "register-am") == 0) {
		drv.registers++;
		ck_assert(!json_object_object_get_ex(msg, "secret", NULL));
		ck_assert_int_eq(wjson_get_string(msg, "", "nonce", true, &s, NULL), 0);
		ck_assert_int_eq(strlen(s), PROTO_TASK_NONCE_HEX);
		snprintf(drv.am_nonce, sizeof drv.am_nonce, "%s", s);
		ck_assert_int_eq(wjson_get_string(msg, "", "applicationId", true, &s, NULL), 0);
		ck_assert_str_eq(s, APP_ID);
		ck_assert_int_eq(wjson_get_string(msg, "", "attemptId", true, &s, NULL), 0);
		ck_assert_str_eq(s, ATTEMPT_ID);
		if (drv.script == SCRIPT_DROP) {
			lineconn_free(c);
			drv.conn = NULL;
			return;
		}
		if (drv.script == SCRIPT_REJECT) {
			drv_send("{\"type\":\"rejected\",\"reason\":\"wrong secret\"}");
			return;
		}
		proto_task_proof(drv.script == SCRIPT_WRONG ? "not-the-app-secret" : SECRET,
		                 PROTO_TASK_ROLE_DRIVER_AM, ATTEMPT_ID, drv.am_nonce, DRIVER_NONCE,
		                 proof);
		text = xasprintf("{\"type\":\"challenge\",\"nonce\":\"" DRIVER_NONCE
		                 "\",\"proof\":\"%s\"}",
		                 proof);
		drv_send(text);
		free(text);
		if (drv.script == SCRIPT_WRONG) {
			/* An impostor's orders: none may be obeyed. */
			drv_send("{\"type\":\"registered\"}");
			drv_send("{\"type\":\"request-executors\",\"total\":3}");
			drv_send("{\"type\":\"shutdown\",\"finalStatus\":\"SUCCEEDED\"}");
		}
		return;
	}
	if (strcmp(type, "auth") == 0) {
		drv.auths++;
		ck_assert_int_ne(drv.script, SCRIPT_WRONG);
		proto_task_proof(SECRET, PROTO_TASK_ROLE_AM, ATTEMPT_ID, drv.am_nonce, DRIVER_NONCE,
		                 proof);
		ck_assert_int_eq(wjson_get_string(msg, "", "proof", true, &s, NULL), 0);
		ck_assert_str_eq(s, proof);
		switch (drv.script) {
		case SCRIPT_OBEY:
			drv_send("{\"type\":\"registered\"}");
			drv_send("{\"type\":\"request-executors\",\"total\":3}");
			break;
		case SCRIPT_DROP:
		case SCRIPT_REJECT:
		case SCRIPT_WRONG:
			break;
		case SCRIPT_BAD_STATUS:
			drv_send("{\"type\":\"shutdown\",\"finalStatus\":\"MAYBE\"}");
			break;
		case SCRIPT_JUNK:
			drv_send("{\"type\":\"request-executors\",\"total\":\"many\"}");
			drv_send("{\"type\":\"request-executors\",\"total\":-2}");
			drv_send("{\"no\":\"type\"}");
			drv_send("{\"type\":42}");
			drv_send("{\"type\":\"something-new\"}");
			drv_send("{\"type\":\"shutdown\",\"finalStatus\":\"SUCCEEDED\"}");
			break;
		}
		return;
	}
	ck_assert_str_eq(type, "executor-lost");
	drv.lost++;
	ck_assert_int_eq(wjson_get_string(msg, "", "containerId", true, &s, NULL), 0);
	ck_assert_str_eq(s, fake_container(1));
	ck_assert_int_eq(wjson_get_int(msg, "", "exitStatus", true, -1000, 1000, &v, NULL), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(wjson_get_string(msg, "", "diagnostics", true, &s, NULL), 0);
	ck_assert_str_eq(s, "boom");
	drv_send("{\"type\":\"shutdown\",\"finalStatus\":\"FAILED\","
	         "\"diagnostics\":\"task 0 failed 4 times: boom\"}");
	drv.sent_shutdown = true;
}

static void drv_close_cb(struct lineconn *c, const char *reason, void *arg)
{
	lineconn_free(c);
	drv.conn = NULL;
}

static void drv_accept_cb(struct lineconn *c, void *arg)
{
	ck_assert_ptr_null(drv.conn);
	drv.conn = c;
	lineconn_set_callbacks(c, drv_message_cb, drv_close_cb, NULL);
}

/* The RM grants whatever is asked; with 3 executors up, one dies. */
static struct json_object *grant_all_allocate(struct fake *f, struct json_object *req, int n,
                                              int *status)
{
	struct json_object *a = fake_answer();
	int asked = fake_ask_count(req), i;

	for (i = 0; i < asked; i++)
		fake_add_grant(f, a, ++f->step, "tok");
	if (f->starts == 3 && drv.lost == 0 && f->step == 3) {
		fake_add_completed(a, 1, 1, "boom");
		f->step = 100; /* no more grants: the next ask is the replacement */
	}
	return a;
}

/* Start the fake driver, and an AM in client mode dialing it (or port). */
static struct driver_link *link_setup(struct fake *f, enum driver_script script, int port)
{
	char *cause = NULL;

	memset(&drv, 0, sizeof drv);
	drv.f = f;
	drv.script = script;
	if (port == 0) {
		drv.server = lineserver_new(f->base, "127.0.0.1", 0, WEFT_MAX_JSON_BODY,
		                            drv_accept_cb, NULL, &cause);
		ck_assert_msg(drv.server != NULL, "lineserver: %s", cause);
		port = lineserver_port(drv.server);
	}
	return driver_link_new(f->base, f->am, "127.0.0.1", port, SECRET, APP_ID, ATTEMPT_ID);
}

static void link_run(struct fake *f, struct driver_link *link)
{
	driver_link_start(link);
	fake_run(f);
	ck_assert(f->exited);
	ck_assert_int_eq(f->exit_status, 0);
	ck_assert_int_eq(f->finishes, 1);
}

static void link_teardown(struct fake *f, struct driver_link *link)
{
	driver_link_free(link);
	if (drv.conn != NULL)
		lineconn_free(drv.conn);
	if (drv.server != NULL)
		lineserver_free(drv.server);
	fake_free(f);
}

START_TEST(test_obey_driver)
{
	struct fake *f = fake_new(grant_all_allocate, 1, 0, 100, NULL);
	struct driver_link *link = link_setup(f, SCRIPT_OBEY, 0);
	char *want;
	int i, max_ask = 0;

	link_run(f, link);
	ck_assert_int_eq(drv.registers, 1);
	/* request-executors 3 was obeyed (the initial ask was 1). */
	ck_assert_int_ge(f->starts, 3);
	for (i = 0; i < f->allocates; i++) {
		if (fake_ask_count(f->alloc_req[i]) > max_ask)
			max_ask = fake_ask_count(f->alloc_req[i]);
	}
	ck_assert_int_le(max_ask, 3);
	/* Executors dial the driver the AM was pointed at. */
	want = xasprintf("'127.0.0.1:%d'", lineserver_port(drv.server));
	ck_assert_msg(strstr(json_object_to_json_string(f->start_req[0]), want) != NULL,
	              "start %s lacks %s", json_object_to_json_string(f->start_req[0]), want);
	free(want);
	/* The loss went to the driver, whose shutdown set the final status. */
	ck_assert_int_eq(drv.lost, 1);
	ck_assert(drv.sent_shutdown);
	ck_assert_str_eq(f->finish_status, "FAILED");
	ck_assert_str_eq(f->finish_diag, "task 0 failed 4 times: boom");
	/* Executors were stopped at the end. */
	ck_assert(fake_was_stopped(f, 2));
	ck_assert(fake_was_stopped(f, 3));
	link_teardown(f, link);
}
END_TEST

START_TEST(test_driver_drops)
{
	struct fake *f = fake_new(grant_all_allocate, 1, 0, 100, NULL);
	struct driver_link *link = link_setup(f, SCRIPT_DROP, 0);

	link_run(f, link);
	ck_assert_int_eq(drv.registers, 1);
	ck_assert_str_eq(f->finish_status, "FAILED");
	ck_assert_msg(strncmp(f->finish_diag, "driver disconnected", 19) == 0, "diag: %s",
	              f->finish_diag);
	link_teardown(f, link);
}
END_TEST

START_TEST(test_driver_unreachable)
{
	struct fake *f = fake_new(grant_all_allocate, 1, 0, 100, NULL);
	struct driver_link *link;
	struct lineserver *s;
	char *cause = NULL;
	int port;

	/* A port that was free a moment ago. */
	s = lineserver_new(f->base, "127.0.0.1", 0, 1024, drv_accept_cb, NULL, &cause);
	ck_assert_ptr_nonnull(s);
	port = lineserver_port(s);
	lineserver_free(s);
	link = link_setup(f, SCRIPT_DROP, port);
	link_run(f, link);
	ck_assert_str_eq(f->finish_status, "FAILED");
	ck_assert_msg(strncmp(f->finish_diag, "driver disconnected: ", 21) == 0, "diag: %s",
	              f->finish_diag);
	link_teardown(f, link);
}
END_TEST

START_TEST(test_driver_rejects)
{
	struct fake *f = fake_new(grant_all_allocate, 1, 0, 100, NULL);
	struct driver_link *link = link_setup(f, SCRIPT_REJECT, 0);

	link_run(f, link);
	ck_assert_str_eq(f->finish_status, "FAILED");
	ck_assert_str_eq(f->finish_diag,
	                 "the driver rejected the application master: wrong secret");
	link_teardown(f, link);
}
END_TEST

START_TEST(test_bad_final_status)
{
	struct fake *f = fake_new(grant_all_allocate, 1, 0, 100, NULL);
	struct driver_link *link = link_setup(f, SCRIPT_BAD_STATUS, 0);

	link_run(f, link);
	ck_assert_str_eq(f->finish_status, "FAILED");
	ck_assert_msg(strstr(f->finish_diag, "bad shutdown message") != NULL, "diag: %s",
	              f->finish_diag);
	link_teardown(f, link);
}
END_TEST

START_TEST(test_junk_ignored)
{
	struct fake *f = fake_new(grant_all_allocate, 1, 0, 100, NULL);
	struct driver_link *link = link_setup(f, SCRIPT_JUNK, 0);
	int i;

	link_run(f, link);
	ck_assert_str_eq(f->finish_status, "SUCCEEDED");
	ck_assert_str_eq(f->finish_diag, "");
	/* No malformed request changed the executor count. */
	for (i = 0; i < f->allocates; i++)
		ck_assert_int_le(fake_ask_count(f->alloc_req[i]), 1);
	link_teardown(f, link);
}
END_TEST

/* A "driver" that cannot prove the secret gets no auth and is obeyed in
 * nothing: not its registered, its request for 3, nor its SUCCEEDED. */
START_TEST(test_driver_wrong_secret)
{
	struct fake *f = fake_new(grant_all_allocate, 1, 0, 100, NULL);
	struct driver_link *link = link_setup(f, SCRIPT_WRONG, 0);
	int i;

	link_run(f, link);
	ck_assert_int_eq(drv.registers, 1);
	ck_assert_int_eq(drv.auths, 0);
	ck_assert_str_eq(f->finish_status, "FAILED");
	ck_assert_msg(strstr(f->finish_diag, "wrong application secret") != NULL, "diag: %s",
	              f->finish_diag);
	for (i = 0; i < f->allocates; i++)
		ck_assert_int_le(fake_ask_count(f->alloc_req[i]), 1);
	link_teardown(f, link);
}
END_TEST

static Suite *driver_link_suite(void)
{
	Suite *s = suite_create("am_driver_link");
	TCase *tc = tcase_create("fake_driver");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_obey_driver);
	tcase_add_test(tc, test_driver_drops);
	tcase_add_test(tc, test_driver_unreachable);
	tcase_add_test(tc, test_driver_rejects);
	tcase_add_test(tc, test_bad_final_status);
	tcase_add_test(tc, test_junk_ignored);
	tcase_add_test(tc, test_driver_wrong_secret);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(driver_link_suite());
	int failed;

	log_open("test_am_driver_link", LOG_LEVEL_INFO, NULL);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
