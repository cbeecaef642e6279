/*
 * test_rm_support.h — an in-process weft-rm for the RM's unit tests: the
 * real modules on a private loop, bound to 127.0.0.1:0, with fake NMs
 * (small HTTP servers answering the container API) and helpers that run
 * the loop until something happened.
 */
#ifndef WEFT_TEST_RM_SUPPORT_H
#define WEFT_TEST_RM_SUPPORT_H

#include <event2/event.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/http_client.h"

struct rm;
struct config;
struct http_server;

#define FAKE_NM_MAX_CALLS 64

/* A fake NM: records /rpc/containers/start and /stop calls. */
struct fake_nm {
	struct http_server *srv;
	char address[64]; /* "127.0.0.1:port" = node id and HTTP address */
	int start_status; /* what /start answers (200 or an error) */
	int n_starts;
	struct json_object *starts[FAKE_NM_MAX_CALLS]; /* bodies */
	int n_stops;
	char *stops[FAKE_NM_MAX_CALLS]; /* container ids */
	bool stop_auth_ok;              /* every stop carried a valid X-Weft-Auth */
	struct rm_fixture *fx;
};

struct rm_fixture {
	struct event_base *base;
	struct config *cfg;
	struct rm *rm;
	char dir[256];
	struct http_client *client;
	struct fake_nm nms[4];
	int n_nms;
	char url[128];     /* "http://127.0.0.1:port" of the RM's public REST */
	char rpc_url[128]; /* ... of its internal RPC (fixture_call picks by path) */
};

/* A response captured by fixture_call(). */
struct test_response {
	long status;
	char *body;
	struct json_object *json; /* NULL when the body is not JSON */
};

/* Build an RM; defines are extra "key=value" (NULL-terminated, may be
 * NULL).  Fails the test on error. */
struct rm_fixture *fixture_new(const char *const *defines);
void fixture_free(struct rm_fixture *fx);

/* Run the loop until pred(arg) or timeout_ms passed.  RET pred's value. */
bool fixture_run_until(struct rm_fixture *fx, bool (*pred)(void *), void *arg, int timeout_ms);
/* Run the loop for ms milliseconds. */
void fixture_run_for(struct rm_fixture *fx, int ms);

/* One HTTP call to the RM through http_client on the same loop.  path is
 * appended to the RM's URL; headers may be NULL; body may be NULL. */
struct test_response fixture_call(struct rm_fixture *fx, const char *method, const char *path,
                                  const char *const *headers, const char *body, size_t body_len);
void test_response_clear(struct test_response *r);

/* A fake NM listening on 127.0.0.1:0. */
struct fake_nm *fixture_add_nm(struct rm_fixture *fx);
/* Register a NM with the RM (module call, as the route does after auth). */
void fixture_register_nm(struct rm_fixture *fx, struct fake_nm *nm, int memory_mb, int vcores);
/* Heartbeat with the given container statuses (JSON array text, may be
 * NULL); RET the answer (caller puts). */
struct json_object *fixture_heartbeat(struct rm_fixture *fx, const char *node_id,
                                      const char *statuses_json);

/* new-application + a submission (extra JSON members appended into the
 * context object, e.g. "\"max-app-attempts\":1", may be NULL).  Writes
 * the application id into id (WEFT_ID_MAX). */
void fixture_submit(struct rm_fixture *fx, const char *extra_members, char *id);
/* An AM's X-Weft-AM-Token header line for attempt_id (caller frees). */
char *fixture_am_header(struct rm_fixture *fx, const char *attempt_id);
/* A signed X-Weft-Auth header line for an NM call (caller frees). */
char *fixture_nm_header(struct rm_fixture *fx, const char *path, const char *body);

/* JSON path helpers for assertions: "a.b.c" through objects. */
struct json_object *jpath(struct json_object *o, const char *path);
const char *jstr(struct json_object *o, const char *path);
long long jint(struct json_object *o, const char *path);

#endif
