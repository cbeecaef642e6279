/*
 * test_am_fake.h — an in-process fake RM + NM for the AM's unit tests:
 * one http_server on 127.0.0.1:0 in the AM's own event loop that checks
 * the AM token header, answers register / allocate / finish (allocate
 * through a per-test script) and container start / stop, and records
 * everything the AM sent and told its driver.
 */
#ifndef WEFT_TEST_AM_FAKE_H
#define WEFT_TEST_AM_FAKE_H

#include <event2/event.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "am/am.h"
#include "weft/ids.h"
#include "testlib.h"

#define TOKEN    "appattempt_1700000000000_0001_000001:0123abcd"
#define SECRET   "s3cret-app"
#define DRIVER   "drv.example:7077"
#define MAX_SEEN 64

struct fake;
/* Answer the n-th allocate (req is the AM's body); set *status for an
 * error answer (the returned object is then ignored and may be NULL). */
typedef struct json_object *(*fake_allocate_fn)(struct fake *f, struct json_object *req, int n,
                                                int *status);

struct fake {
	struct event_base *base;
	struct http_server *srv;
	struct am *am;
	int port;
	char node[64];
	fake_allocate_fn on_allocate;
	int register_status;
	int step;
	int64_t step_time; /* when the answer that started this step went out */

	int bad_token;
	int registers, allocates, finishes, starts, stops;
	struct json_object *alloc_req[MAX_SEEN];
	int64_t alloc_delay[MAX_SEEN]; /* ms since step_time when it arrived */
	struct json_object *start_req[MAX_SEEN];
	char stopped[MAX_SEEN][WEFT_ID_MAX];
	char *finish_status, *finish_diag;
	int nm_refuse_token_bad;
	bool nm_hang_stops; /* never answer a stop (the AM's grace period ends it) */

	/* What the AM told its driver. */
	int lost;
	char lost_id[MAX_SEEN][WEFT_ID_MAX];
	int lost_status[MAX_SEEN];
	char *lost_diag;
	int driver_stops;
	char *driver_stop_diag;

	bool exited, timed_out;
	int exit_status;
	int64_t started_ms, exited_ms;
};

/* "container_1700000000000_0001_01_<n>" (a rotating static buffer). */
char *fake_container(int n);

/* Building allocate answers: an empty NORMAL one, then grants of
 * container n (on the fake NM) and completed statuses. */
struct json_object *fake_answer(void);
void fake_add_grant(struct fake *f, struct json_object *a, int n, const char *token);
void fake_add_completed(struct json_object *a, int n, int status, const char *diag);

/* Reading the AM's allocate requests: the count of its one ask (-1 when
 * none; the ask's priority and resource are checked), whether container n
 * is released, the responseId. */
int fake_ask_count(struct json_object *req);
bool fake_releases(struct json_object *req, int n);
int64_t fake_response_id(struct json_object *req);
/* Whether the fake NM was asked to stop container n. */
bool fake_was_stopped(struct fake *f, int n);
/* The i-th container start: token, command line for executor_id, secret. */
void fake_check_start(struct fake *f, int i, int executor_id, const char *token);

/* Recorders wired into the AM (driver ops, exit); whether the AM exited
 * (a testlib wait's condition, arg is the fake). */
void fake_driver_lost_cb(void *arg, const char *id, int status, const char *diag);
void fake_driver_stop_cb(void *arg, const char *diag);
void fake_exit_cb(int status, void *arg);
bool fake_exited(void *arg);

/* A fake RM + NM and an AM pointed at it (token NULL = the right one). */
struct fake *fake_new(fake_allocate_fn on_allocate, int num_executors, int max_failures,
                      int heartbeat_ms, const char *token);
/* Start the AM and run the loop until it exits (a bounded wait). */
void fake_loop(struct fake *f);
/* fake_loop, then check every call carried the right token. */
void fake_run(struct fake *f);
void fake_free(struct fake *f);

#endif
