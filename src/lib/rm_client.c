/*
 * rm_client.c — libweft's RM client (weft/rm_client.h): each typed call
 * is one operation (struct weft_rm_op) that sends its request through the
 * client base (client.c: failover, retries, identity), reads the answer
 * with proto_app.c's decoders and hands the typed result to its callback.
 *
 * A wait is the one operation of several requests: GET .../apps/{id}
 * ?wait-while=STATE, which the RM holds until the state changes or its
 * bound passes; a bound that passed is asked again at once, an answer the
 * RM could not hold ("full", "shutdown", an RM without waits) after the
 * wait pace.  Every callback runs last in its path (the operation is
 * freed first), so a callback may free the RM client or start calls.
 *
 * The blocking layer runs one asynchronous call on a blocking client's
 * private loop and copies its results into one allocation each.
 */
#include "weft_config.h"

#include "weft/rm_client.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include "common/daemon.h"
#include "common/file.h"
#include "common/proto_app.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "lib/client_internal.h"
#include "weft/protocol.h"

/* Largest local file weft_rm_stage_file reads into memory. */
#define RM_CLIENT_MAX_FILE_BYTES ((size_t)1 << 31)

struct weft_rm_client {
	struct weft_client *client;
	TAILQ_HEAD(, weft_rm_op) ops;
	int wait_pace_ms;
};

enum rm_op_kind {
	RM_OP_NEW_APPLICATION,
	RM_OP_STAGE,
	RM_OP_SUBMIT,
	RM_OP_REPORT,
	RM_OP_WAIT,
	RM_OP_LIST,
	RM_OP_KILL,
	RM_OP_ATTEMPTS,
};

/* The callback of an operation, by its kind. */
union rm_op_cb {
	weft_rm_new_application_cb new_application;
	weft_rm_staged_cb staged;
	weft_rm_done_cb done;
	weft_rm_report_cb report;
	weft_rm_apps_cb apps;
	weft_rm_kill_cb kill;
	weft_rm_attempts_cb attempts;
};

struct weft_rm_op {
	TAILQ_ENTRY(weft_rm_op) link;
	struct weft_rm_client *rm;
	enum rm_op_kind kind;
	struct weft_call *call; /* the request in flight */
	struct event *timer;    /* a wait's pause, or an early failure */
	char *early_error;      /* refused before any request: said from the loop */
	union rm_op_cb cb;
	void *arg;
	/* A wait. */
	char app_id[WEFT_ID_MAX];
	char while_state[PROTO_APP_STATE_MAX];
	int64_t deadline_ms; /* monotonic; 0: none */
};

struct weft_rm_client *weft_rm_client_new(struct weft_client *client)
{
	struct weft_rm_client *rm = xcalloc(1, sizeof *rm);

	rm->client = client;
	rm->wait_pace_ms = WEFT_RM_WAIT_PACE_MS;
	TAILQ_INIT(&rm->ops);
	return rm;
}

struct weft_client *weft_rm_client_client(const struct weft_rm_client *rm)
{
	return rm->client;
}

void weft_rm_client_set_wait_pace(struct weft_rm_client *rm, int ms)
{
	if (ms > 0)
		rm->wait_pace_ms = ms;
}

/* Forget an operation: its request is cancelled, its callback dropped. */
static void rm_op_free(struct weft_rm_op *op)
{
	TAILQ_REMOVE(&op->rm->ops, op, link);
	if (op->call != NULL)
		weft_call_cancel(op->call);
	if (op->timer != NULL)
		event_free(op->timer);
	free(op->early_error);
	free(op);
}

void weft_rm_op_cancel(struct weft_rm_op *op)
{
	if (op != NULL)
		rm_op_free(op);
}

void weft_rm_client_free(struct weft_rm_client *rm)
{
	if (rm == NULL)
		return;
	while (!TAILQ_EMPTY(&rm->ops))
		rm_op_free(TAILQ_FIRST(&rm->ops));
	free(rm);
}

static struct weft_rm_op *rm_op_new(struct weft_rm_client *rm, enum rm_op_kind kind, void *arg)
{
	struct weft_rm_op *op = xcalloc(1, sizeof *op);

	op->rm = rm;
	op->kind = kind;
	op->arg = arg;
	TAILQ_INSERT_TAIL(&rm->ops, op, link);
	return op;
}

/* ------------------------------------------------------------------ */
/* Ending an operation. */

/* Free op, then tell its callback st with no result. */
static void rm_op_fail(struct weft_rm_op *op, const struct weft_status *st)
{
	enum rm_op_kind kind = op->kind;
	void *arg = op->arg;
	union rm_op_cb cb = op->cb;

	rm_op_free(op);
	switch (kind) {
	case RM_OP_NEW_APPLICATION:
		cb.new_application(st, NULL, arg);
		break;
	case RM_OP_STAGE:
		cb.staged(st, NULL, arg);
		break;
	case RM_OP_SUBMIT:
		cb.done(st, arg);
		break;
	case RM_OP_REPORT:
	case RM_OP_WAIT:
		cb.report(st, NULL, arg);
		break;
	case RM_OP_LIST:
		cb.apps(st, NULL, 0, arg);
		break;
	case RM_OP_KILL:
		cb.kill(st, NULL, false, arg);
		break;
	case RM_OP_ATTEMPTS:
		cb.attempts(st, NULL, 0, arg);
		break;
	}
}

/* A 2xx answer that does not read: a failure saying why. */
static void rm_op_unreadable(struct weft_rm_op *op, const struct weft_status *answer,
                             const char *cause)
{
	char *message = xasprintf("unexpected answer from the resource manager: %s",
	                          cause != NULL ? cause : "not a JSON object");
	struct weft_status st = {.http_status = answer->http_status, .message = message};

	rm_op_fail(op, &st);
	free(message);
}

static void rm_op_timer_cb(evutil_socket_t fd, short what, void *arg);

/* Fail from the loop (arguments refused before any request). */
static struct weft_rm_op *rm_op_refuse(struct weft_rm_op *op, char *message)
{
	struct timeval now = {0, 0};

	op->early_error = message;
	op->timer = evtimer_new(weft_client_base(op->rm->client), rm_op_timer_cb, op);
	if (op->timer == NULL)
		fatalx("rm_op_refuse: evtimer_new failed");
	evtimer_add(op->timer, &now);
	return op;
}

/* ------------------------------------------------------------------ */
/* Requests and their answers. */

static void rm_op_answer_cb(const struct weft_status *st, struct json_object *json,
                            const char *body, size_t len, void *arg);
static void rm_op_wait_next(struct weft_rm_op *op);

/* Send op's request (path with its query). */
static struct weft_rm_op *rm_op_send(struct weft_rm_op *op, const char *method, const char *path,
                                     const void *body, size_t len, const char *content_type,
                                     unsigned flags, long timeout_ms, int64_t retry_ms)
{
	struct weft_request req = {
	        .method = method,
	        .path = path,
	        .body = body,
	        .len = len,
	        .content_type = content_type,
	        .flags = flags,
	        .timeout_ms = timeout_ms,
	        .retry_ms = retry_ms,
	};

	op->call = weft_client_request(op->rm->client, &req, rm_op_answer_cb, op);
	return op;
}

/* The new-application answer. */
static void rm_op_new_application_answer(struct weft_rm_op *op, const struct weft_status *st,
                                         struct json_object *json)
{
	struct weft_new_application m;
	weft_rm_new_application_cb cb = op->cb.new_application;
	void *arg = op->arg;
	char *cause = NULL;

	if (json == NULL || proto_app_new_application_decode(json, &m, &cause) != 0) {
		rm_op_unreadable(op, st, cause);
		free(cause);
		return;
	}
	rm_op_free(op);
	cb(st, &m, arg);
}

/* The staging answer. */
static void rm_op_staged_answer(struct weft_rm_op *op, const struct weft_status *st,
                                struct json_object *json)
{
	struct weft_staged_file f;
	weft_rm_staged_cb cb = op->cb.staged;
	void *arg = op->arg;
	char *cause = NULL;

	if (json == NULL || proto_app_staged_decode(json, &f, &cause) != 0) {
		rm_op_unreadable(op, st, cause);
		free(cause);
		return;
	}
	rm_op_free(op);
	cb(st, &f, arg);
}

/* A report, or a wait's answer. */
static void rm_op_report_answer(struct weft_rm_op *op, const struct weft_status *st,
                                struct json_object *json)
{
	struct weft_app_report r;
	weft_rm_report_cb cb = op->cb.report;
	void *arg = op->arg;
	const char *outcome = NULL;
	char *cause = NULL;
	int64_t now;

	if (json == NULL || proto_app_report_unwrap(json, &r, &outcome, &cause) != 0) {
		rm_op_unreadable(op, st, cause);
		free(cause);
		return;
	}
	if (op->kind == RM_OP_WAIT && strcasecmp(r.state, op->while_state) == 0) {
		now = time_mono_ms();
		if (op->deadline_ms == 0 || now < op->deadline_ms) {
			struct timeval tv;
			int64_t pause = op->rm->wait_pace_ms;

			if (outcome != NULL && strcmp(outcome, WEFT_APP_WAIT_TIMEOUT) == 0) {
				/* The RM's bound passed, not ours: ask again. */
				rm_op_wait_next(op);
				return;
			}
			/* Not held ("full", "shutdown", an RM without waits):
			 * ask again after a pause, not in a loop. */
			if (op->deadline_ms > 0 && op->deadline_ms - now < pause)
				pause = op->deadline_ms - now;
			tv.tv_sec = (time_t)(pause / 1000);
			tv.tv_usec = (suseconds_t)(pause % 1000) * 1000;
			if (op->timer == NULL)
				op->timer = evtimer_new(weft_client_base(op->rm->client),
				                        rm_op_timer_cb, op);
			if (op->timer == NULL)
				fatalx("rm_op_report_answer: evtimer_new failed");
			evtimer_add(op->timer, &tv);
			return;
		}
	}
	rm_op_free(op);
	cb(st, &r, arg);
}

/* The list of /apps. */
static void rm_op_list_answer(struct weft_rm_op *op, const struct weft_status *st,
                              struct json_object *json)
{
	struct json_object *list = json != NULL ? proto_app_reports_unwrap(json, NULL) : NULL;
	struct weft_app_report *apps;
	weft_rm_apps_cb cb = op->cb.apps;
	void *arg = op->arg;
	char *cause = NULL;
	int n;

	if (list == NULL) {
		if (json != NULL)
			proto_app_reports_unwrap(json, &cause);
		rm_op_unreadable(op, st, cause);
		free(cause);
		return;
	}
	n = (int)json_object_array_length(list);
	apps = xcalloc((size_t)n + 1, sizeof *apps);
	for (int i = 0; i < n; i++) {
		if (proto_app_report_decode(json_object_array_get_idx(list, (size_t)i), &apps[i],
		                            &cause) != 0) {
			char *where = xasprintf(WEFT_APP_KEY_APPS "[%d]: %s", i, cause);

			rm_op_unreadable(op, st, where);
			free(where);
			free(cause);
			free(apps);
			json_object_put(list);
			return;
		}
	}
	rm_op_free(op);
	cb(st, apps, n, arg);
	free(apps);
	json_object_put(list);
}

/* The kill's {"state":..}: 200 means it had already ended. */
static void rm_op_kill_answer(struct weft_rm_op *op, const struct weft_status *st,
                              struct json_object *json)
{
	struct proto_app_state m;
	weft_rm_kill_cb cb = op->cb.kill;
	void *arg = op->arg;
	char *cause = NULL;

	if (json == NULL || proto_app_state_decode(json, &m, &cause) != 0) {
		rm_op_unreadable(op, st, cause);
		free(cause);
		return;
	}
	rm_op_free(op);
	cb(st, m.state, st->http_status == 200, arg);
}

/* The attempts. */
static void rm_op_attempts_answer(struct weft_rm_op *op, const struct weft_status *st,
                                  struct json_object *json)
{
	struct json_object *list = NULL;
	struct weft_app_attempt *attempts;
	weft_rm_attempts_cb cb = op->cb.attempts;
	void *arg = op->arg;
	char *cause = NULL;
	int n;

	if (json == NULL || (list = proto_app_attempts_unwrap(json, &cause)) == NULL) {
		rm_op_unreadable(op, st, cause);
		free(cause);
		return;
	}
	n = (int)json_object_array_length(list);
	attempts = xcalloc((size_t)n + 1, sizeof *attempts);
	for (int i = 0; i < n; i++) {
		char *path =
		        xasprintf(WEFT_APP_KEY_APP_ATTEMPTS "." WEFT_APP_KEY_APP_ATTEMPT "[%d]", i);
		int rc = proto_app_attempt_decode(json_object_array_get_idx(list, (size_t)i), path,
		                                  &attempts[i], &cause);

		free(path);
		if (rc != 0) {
			rm_op_unreadable(op, st, cause);
			free(cause);
			free(attempts);
			json_object_put(list);
			return;
		}
	}
	rm_op_free(op);
	cb(st, attempts, n, arg);
	free(attempts);
	json_object_put(list);
}

/* Every answer of the client base: a failure ends the operation (the base
 * has retried what could be), a success goes to its reader. */
static void rm_op_answer_cb(const struct weft_status *st, struct json_object *json,
                            const char *body, size_t len, void *arg)
{
	struct weft_rm_op *op = arg;

	op->call = NULL;
	if (!st->ok) {
		rm_op_fail(op, st);
		return;
	}
	switch (op->kind) {
	case RM_OP_NEW_APPLICATION:
		rm_op_new_application_answer(op, st, json);
		break;
	case RM_OP_STAGE:
		rm_op_staged_answer(op, st, json);
		break;
	case RM_OP_SUBMIT: {
		weft_rm_done_cb cb = op->cb.done;
		void *cb_arg = op->arg;

		rm_op_free(op);
		cb(st, cb_arg);
		break;
	}
	case RM_OP_REPORT:
	case RM_OP_WAIT:
		rm_op_report_answer(op, st, json);
		break;
	case RM_OP_LIST:
		rm_op_list_answer(op, st, json);
		break;
	case RM_OP_KILL:
		rm_op_kill_answer(op, st, json);
		break;
	case RM_OP_ATTEMPTS:
		rm_op_attempts_answer(op, st, json);
		break;
	}
}

/* An early failure's moment, or a paused wait's next request. */
static void rm_op_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct weft_rm_op *op = arg;

	if (op->early_error != NULL) {
		struct weft_status st = {.message = op->early_error};

		op->early_error = NULL;
		rm_op_fail(op, &st);
		free((char *)st.message);
		return;
	}
	rm_op_wait_next(op);
}

/* ------------------------------------------------------------------ */
/* The calls. */

/* NULL when app_id is an application id, else why not (caller frees). */
static char *rm_client_check_app_id(const char *app_id)
{
	weft_app_id_t parsed;

	if (app_id == NULL || strlen(app_id) >= WEFT_ID_MAX ||
	    weft_app_id_parse(app_id, &parsed) != 0)
		return xasprintf("'%.64s' is not an application id", app_id != NULL ? app_id : "");
	return NULL;
}

struct weft_rm_op *weft_rm_new_application(struct weft_rm_client *rm, weft_rm_new_application_cb cb,
                                           void *arg)
{
	struct weft_rm_op *op = rm_op_new(rm, RM_OP_NEW_APPLICATION, arg);

	op->cb.new_application = cb;
	/* Not idempotent: a repeat would hand out another id. */
	return rm_op_send(op, "POST", WEFT_ROUTE_NEW_APPLICATION, NULL, 0, NULL, 0, 0, 0);
}

struct weft_rm_op *weft_rm_stage_data(struct weft_rm_client *rm, const char *app_id,
                                      const char *name, const void *data, size_t len,
                                      const char *content_type, weft_rm_staged_cb cb, void *arg)
{
	struct weft_rm_op *op = rm_op_new(rm, RM_OP_STAGE, arg);
	char *why = rm_client_check_app_id(app_id), *path;

	op->cb.staged = cb;
	if (why != NULL)
		return rm_op_refuse(op, why);
	if (name == NULL || !proto_app_valid_file_name(name))
		return rm_op_refuse(op, xasprintf("'%.64s' is not a staging file name "
		                                  "([A-Za-z0-9._-]{1,128}, not starting with '.')",
		                                  name != NULL ? name : ""));
	path = xasprintf(WEFT_PATH_STAGING_FMT, app_id, name);
	/* A PUT of the same bytes again leaves the same file. */
	rm_op_send(op, "PUT", path, data != NULL ? data : "", len,
	           content_type != NULL ? content_type : "application/octet-stream",
	           WEFT_CALL_IDEMPOTENT, 0, 0);
	free(path);
	return op;
}

struct weft_rm_op *weft_rm_stage_file(struct weft_rm_client *rm, const char *app_id,
                                      const char *name, const char *path, weft_rm_staged_cb cb,
                                      void *arg)
{
	char *data = NULL, *cause = NULL;
	size_t len = 0;
	struct weft_rm_op *op;

	if (path == NULL)
		cause = xstrdup("no file to stage");
	else
		file_read_all(path, RM_CLIENT_MAX_FILE_BYTES, &data, &len, &cause);
	if (data == NULL) {
		op = rm_op_new(rm, RM_OP_STAGE, arg);
		op->cb.staged = cb;
		return rm_op_refuse(op, cause);
	}
	op = weft_rm_stage_data(rm, app_id, name, data, len, NULL, cb, arg);
	free(data);
	return op;
}

struct weft_rm_op *weft_rm_submit(struct weft_rm_client *rm,
                                  const struct weft_app_submission *submission, weft_rm_done_cb cb,
                                  void *arg)
{
	struct weft_rm_op *op = rm_op_new(rm, RM_OP_SUBMIT, arg);
	char *why = rm_client_check_app_id(submission->app_id);
	struct json_object *body;
	const char *text;
	size_t len = 0;

	op->cb.done = cb;
	if (why != NULL)
		return rm_op_refuse(op, why);
	body = proto_app_submission_encode(submission);
	text = json_object_to_json_string_length(body, JSON_C_TO_STRING_PLAIN, &len);
	/* Safe to repeat: the RM answers the same submission of an id as
	 * accepted again. */
	rm_op_send(op, "POST", WEFT_ROUTE_APPS, text, len, NULL, WEFT_CALL_IDEMPOTENT, 0, 0);
	json_object_put(body);
	return op;
}

/* GET of one of an application's paths (fmt takes the id). */
static struct weft_rm_op *rm_op_get_app_path(struct weft_rm_op *op, const char *fmt,
                                             const char *app_id)
{
	char *why = rm_client_check_app_id(app_id), *path;

	if (why != NULL)
		return rm_op_refuse(op, why);
	path = xasprintf(fmt, app_id);
	rm_op_send(op, "GET", path, NULL, 0, NULL, WEFT_CALL_IDEMPOTENT, 0, 0);
	free(path);
	return op;
}

struct weft_rm_op *weft_rm_get_app(struct weft_rm_client *rm, const char *app_id,
                                   weft_rm_report_cb cb, void *arg)
{
	struct weft_rm_op *op = rm_op_new(rm, RM_OP_REPORT, arg);

	op->cb.report = cb;
	return rm_op_get_app_path(op, WEFT_PATH_APP_FMT, app_id);
}

/* The next request of a wait: the RM holds it at most until our deadline
 * (or its own bound); each try of it may take that long (the client's
 * retry budget runs from a failure, so holding does not spend it). */
static void rm_op_wait_next(struct weft_rm_op *op)
{
	struct weft_client *c = op->rm->client;
	int64_t hold = WEFT_APP_WAIT_MAX_MS;
	char *path;

	if (op->deadline_ms > 0) {
		hold = op->deadline_ms - time_mono_ms();
		if (hold > WEFT_APP_WAIT_MAX_MS)
			hold = WEFT_APP_WAIT_MAX_MS;
		if (hold < 0)
			hold = 0;
	}
	path = xasprintf(WEFT_PATH_APP_FMT "?" WEFT_APP_QUERY_WAIT_WHILE
	                                   "=%s&" WEFT_APP_QUERY_WAIT_TIMEOUT_MS "=%lld",
	                 op->app_id, op->while_state, (long long)hold);
	rm_op_send(op, "GET", path, NULL, 0, NULL, WEFT_CALL_IDEMPOTENT,
	           (long)hold + client_call_timeout_ms(c), 0);
	free(path);
}

struct weft_rm_op *weft_rm_wait_app(struct weft_rm_client *rm, const char *app_id,
                                    const char *while_state, int64_t timeout_ms,
                                    weft_rm_report_cb cb, void *arg)
{
	struct weft_rm_op *op;
	char *why;
	size_t i;

	if (while_state == NULL)
		return weft_rm_get_app(rm, app_id, cb, arg);
	op = rm_op_new(rm, RM_OP_WAIT, arg);
	op->cb.report = cb;
	why = rm_client_check_app_id(app_id);
	if (why != NULL)
		return rm_op_refuse(op, why);
	for (i = 0; while_state[i] != '\0' && i < sizeof op->while_state - 1; i++)
		op->while_state[i] = (char)toupper((unsigned char)while_state[i]);
	op->while_state[i] = '\0';
	if (!weft_app_state_valid(op->while_state) || while_state[i] != '\0')
		return rm_op_refuse(op,
		                    xasprintf("'%.32s' is not an application state", while_state));
	snprintf(op->app_id, sizeof op->app_id, "%s", app_id);
	if (timeout_ms > 0)
		op->deadline_ms = time_mono_ms() + timeout_ms;
	rm_op_wait_next(op);
	return op;
}

/* The states' commas separate words and go as they are (%2C -> ,). */
static void rm_client_unescape_commas(char *text)
{
	char *out = text;

	for (const char *p = text; *p != '\0'; p++) {
		if (strncmp(p, "%2C", 3) == 0) {
			*out++ = ',';
			p += 2;
		} else
			*out++ = *p;
	}
	*out = '\0';
}

struct weft_rm_op *weft_rm_list_apps(struct weft_rm_client *rm,
                                     const struct weft_app_filter *filter, weft_rm_apps_cb cb,
                                     void *arg)
{
	struct weft_rm_op *op = rm_op_new(rm, RM_OP_LIST, arg);
	const char *names[] = {WEFT_QUERY_STATES, WEFT_QUERY_QUEUE, WEFT_QUERY_USER};
	const char *values[3] = {NULL, NULL, NULL};
	char *query = xstrdup(""), *path;

	op->cb.apps = cb;
	if (filter != NULL) {
		values[0] = filter->states;
		values[1] = filter->queue;
		values[2] = filter->user;
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *escaped, *next;

		if (values[i] == NULL || values[i][0] == '\0')
			continue;
		escaped = client_query_escape(values[i]);
		if (i == 0)
			rm_client_unescape_commas(escaped);
		next = xasprintf("%s%s%s=%s", query, query[0] == '\0' ? "?" : "&", names[i],
		                 escaped);
		free(escaped);
		free(query);
		query = next;
	}
	if (filter != NULL && filter->limit > 0) {
		char *next = xasprintf("%s%slimit=%lld", query, query[0] == '\0' ? "?" : "&",
		                       (long long)filter->limit);

		free(query);
		query = next;
	}
	path = xasprintf(WEFT_ROUTE_APPS "%s", query);
	rm_op_send(op, "GET", path, NULL, 0, NULL, WEFT_CALL_IDEMPOTENT, 0, 0);
	free(path);
	free(query);
	return op;
}

struct weft_rm_op *weft_rm_kill_app(struct weft_rm_client *rm, const char *app_id,
                                    weft_rm_kill_cb cb, void *arg)
{
	struct weft_rm_op *op = rm_op_new(rm, RM_OP_KILL, arg);
	struct proto_app_state kill = {.state = WEFT_APP_TARGET_KILLED};
	char *why = rm_client_check_app_id(app_id), *path;
	struct json_object *body;
	const char *text;
	size_t len = 0;

	op->cb.kill = cb;
	if (why != NULL)
		return rm_op_refuse(op, why);
	body = proto_app_state_encode(&kill);
	text = json_object_to_json_string_length(body, JSON_C_TO_STRING_PLAIN, &len);
	path = xasprintf(WEFT_PATH_APP_STATE_FMT, app_id);
	/* Killing twice is killing once. */
	rm_op_send(op, "PUT", path, text, len, NULL, WEFT_CALL_IDEMPOTENT, 0, 0);
	free(path);
	json_object_put(body);
	return op;
}

struct weft_rm_op *weft_rm_get_attempts(struct weft_rm_client *rm, const char *app_id,
                                        weft_rm_attempts_cb cb, void *arg)
{
	struct weft_rm_op *op = rm_op_new(rm, RM_OP_ATTEMPTS, arg);

	op->cb.attempts = cb;
	return rm_op_get_app_path(op, WEFT_PATH_APP_ATTEMPTS_FMT, app_id);
}

/* ------------------------------------------------------------------ */
/* Owned copies: a record and its strings in one allocation. */

static const size_t rm_report_strings[] = {
        offsetof(struct weft_app_report, id),
        offsetof(struct weft_app_report, user),
        offsetof(struct weft_app_report, name),
        offsetof(struct weft_app_report, queue),
        offsetof(struct weft_app_report, state),
        offsetof(struct weft_app_report, final_status),
        offsetof(struct weft_app_report, tracking_ui),
        offsetof(struct weft_app_report, tracking_url),
        offsetof(struct weft_app_report, diagnostics),
        offsetof(struct weft_app_report, application_type),
        offsetof(struct weft_app_report, application_tags),
        offsetof(struct weft_app_report, am_container_logs),
        offsetof(struct weft_app_report, am_host_http_address),
        offsetof(struct weft_app_report, am_rpc_address),
};

static const size_t rm_attempt_strings[] = {
        offsetof(struct weft_app_attempt, container_id),
        offsetof(struct weft_app_attempt, node_http_address),
        offsetof(struct weft_app_attempt, node_id),
        offsetof(struct weft_app_attempt, logs_link),
        offsetof(struct weft_app_attempt, attempt_id),
        offsetof(struct weft_app_attempt, state),
        offsetof(struct weft_app_attempt, diagnostics),
};

#define RM_FIELDS(a) (a), (sizeof(a) / sizeof((a)[0]))

/* Bytes the strings of a record take (NULs included). */
static size_t rm_strings_size(const void *rec, const size_t *fields, size_t n)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++) {
		const char *s = *(const char *const *)((const char *)rec + fields[i]);

		if (s != NULL)
			total += strlen(s) + 1;
	}
	return total;
}

/* Point dst's strings (dst is a copy of the record) at copies in *pool. */
static void rm_strings_copy(void *dst, const size_t *fields, size_t n, char **pool)
{
	for (size_t i = 0; i < n; i++) {
		const char **slot = (const char **)((char *)dst + fields[i]);
		size_t len;

		if (*slot == NULL)
			continue;
		len = strlen(*slot) + 1;
		memcpy(*pool, *slot, len);
		*slot = *pool;
		*pool += len;
	}
}

static struct weft_app_report *rm_report_copy(const struct weft_app_report *r)
{
	size_t size = sizeof *r + rm_strings_size(r, RM_FIELDS(rm_report_strings));
	struct weft_app_report *copy = xmalloc(size);
	char *pool = (char *)(copy + 1);

	*copy = *r;
	rm_strings_copy(copy, RM_FIELDS(rm_report_strings), &pool);
	return copy;
}

static struct weft_app_list *rm_list_copy(const struct weft_app_report *apps, int n)
{
	size_t size = sizeof(struct weft_app_list) + (size_t)n * sizeof *apps;
	struct weft_app_list *list;
	char *pool;

	for (int i = 0; i < n; i++)
		size += rm_strings_size(&apps[i], RM_FIELDS(rm_report_strings));
	list = xmalloc(size);
	list->n = n;
	list->apps = (struct weft_app_report *)(list + 1);
	pool = (char *)(list->apps + n);
	for (int i = 0; i < n; i++) {
		list->apps[i] = apps[i];
		rm_strings_copy(&list->apps[i], RM_FIELDS(rm_report_strings), &pool);
	}
	return list;
}

static struct weft_attempt_list *rm_attempts_copy(const struct weft_app_attempt *attempts, int n)
{
	size_t size = sizeof(struct weft_attempt_list) + (size_t)n * sizeof *attempts;
	struct weft_attempt_list *list;
	char *pool;

	for (int i = 0; i < n; i++)
		size += rm_strings_size(&attempts[i], RM_FIELDS(rm_attempt_strings));
	list = xmalloc(size);
	list->n = n;
	list->attempts = (struct weft_app_attempt *)(list + 1);
	pool = (char *)(list->attempts + n);
	for (int i = 0; i < n; i++) {
		list->attempts[i] = attempts[i];
		rm_strings_copy(&list->attempts[i], RM_FIELDS(rm_attempt_strings), &pool);
	}
	return list;
}

void weft_app_report_free(struct weft_app_report *report)
{
	free(report);
}

void weft_app_list_free(struct weft_app_list *list)
{
	free(list);
}

void weft_attempt_list_free(struct weft_attempt_list *list)
{
	free(list);
}

void weft_staged_file_free(struct weft_staged_file *file)
{
	free(file);
}

/* ------------------------------------------------------------------ */
/* The blocking layer. */

void weft_error_clear(struct weft_error *err)
{
	if (err == NULL)
		return;
	free(err->message);
	free(err->exception);
	memset(err, 0, sizeof *err);
}

/* One call run to its end on the client's private loop. */
struct rm_sync {
	bool done;
	bool ok;
	struct weft_error *err;
	void *out;   /* the typed result's copy */
	bool flag;   /* kill: already final */
	char *state; /* kill */
	struct weft_new_application *new_application;
};

/* Note how the call ended. */
static void rm_sync_status(struct rm_sync *s, const struct weft_status *st)
{
	s->done = true;
	s->ok = st->ok;
	if (!st->ok && s->err != NULL) {
		weft_error_clear(s->err);
		s->err->http_status = st->http_status;
		s->err->message = xstrdup(st->message != NULL ? st->message : "failed");
		s->err->exception = st->exception != NULL ? xstrdup(st->exception) : NULL;
	}
}

/* Run the loop until the call ended.  RET 0 when it succeeded. */
static int rm_sync_run(struct weft_rm_client *rm, struct rm_sync *s)
{
	if (s->err != NULL)
		memset(s->err, 0, sizeof *s->err);
	if (weft_client_run(rm->client, &s->done) != 0 && !s->done) {
		struct weft_status st = {.message = "the client's loop has nothing left to run"};

		rm_sync_status(s, &st);
	}
	return s->ok ? 0 : -1;
}

static void rm_sync_new_application_cb(const struct weft_status *st,
                                       const struct weft_new_application *app, void *arg)
{
	struct rm_sync *s = arg;

	rm_sync_status(s, st);
	if (app != NULL)
		*s->new_application = *app;
}

int weft_rm_new_application_sync(struct weft_rm_client *rm, struct weft_new_application *out,
                                 struct weft_error *err)
{
	struct rm_sync s = {.err = err, .new_application = out};

	weft_rm_new_application(rm, rm_sync_new_application_cb, &s);
	return rm_sync_run(rm, &s);
}

static void rm_sync_staged_cb(const struct weft_status *st, const struct weft_staged_file *f,
                              void *arg)
{
	struct rm_sync *s = arg;

	rm_sync_status(s, st);
	if (f != NULL) {
		size_t len = strlen(f->url) + 1;
		struct weft_staged_file *copy = xmalloc(sizeof *copy + len);

		memcpy(copy + 1, f->url, len);
		copy->url = (const char *)(copy + 1);
		copy->size = f->size;
		s->out = copy;
	}
}

/* The staged copy to *out (or freed when out is NULL). */
static int rm_sync_staged_result(struct weft_rm_client *rm, struct rm_sync *s,
                                 struct weft_staged_file **out)
{
	int rc = rm_sync_run(rm, s);

	if (out != NULL)
		*out = rc == 0 ? s->out : NULL;
	else
		free(s->out);
	return rc;
}

int weft_rm_stage_data_sync(struct weft_rm_client *rm, const char *app_id, const char *name,
                            const void *data, size_t len, const char *content_type,
                            struct weft_staged_file **out, struct weft_error *err)
{
	struct rm_sync s = {.err = err};

	weft_rm_stage_data(rm, app_id, name, data, len, content_type, rm_sync_staged_cb, &s);
	return rm_sync_staged_result(rm, &s, out);
}

int weft_rm_stage_file_sync(struct weft_rm_client *rm, const char *app_id, const char *name,
                            const char *path, struct weft_staged_file **out, struct weft_error *err)
{
	struct rm_sync s = {.err = err};

	weft_rm_stage_file(rm, app_id, name, path, rm_sync_staged_cb, &s);
	return rm_sync_staged_result(rm, &s, out);
}

static void rm_sync_done_cb(const struct weft_status *st, void *arg)
{
	rm_sync_status(arg, st);
}

int weft_rm_submit_sync(struct weft_rm_client *rm, const struct weft_app_submission *submission,
                        struct weft_error *err)
{
	struct rm_sync s = {.err = err};

	weft_rm_submit(rm, submission, rm_sync_done_cb, &s);
	return rm_sync_run(rm, &s);
}

static void rm_sync_report_cb(const struct weft_status *st, const struct weft_app_report *r,
                              void *arg)
{
	struct rm_sync *s = arg;

	rm_sync_status(s, st);
	if (r != NULL)
		s->out = rm_report_copy(r);
}

/* The report's copy to *out. */
static int rm_sync_report_result(struct weft_rm_client *rm, struct rm_sync *s,
                                 struct weft_app_report **out)
{
	int rc = rm_sync_run(rm, s);

	*out = rc == 0 ? s->out : NULL;
	return rc;
}

int weft_rm_get_app_sync(struct weft_rm_client *rm, const char *app_id,
                         struct weft_app_report **out, struct weft_error *err)
{
	struct rm_sync s = {.err = err};

	weft_rm_get_app(rm, app_id, rm_sync_report_cb, &s);
	return rm_sync_report_result(rm, &s, out);
}

int weft_rm_wait_app_sync(struct weft_rm_client *rm, const char *app_id, const char *while_state,
                          int64_t timeout_ms, struct weft_app_report **out, struct weft_error *err)
{
	struct rm_sync s = {.err = err};

	weft_rm_wait_app(rm, app_id, while_state, timeout_ms, rm_sync_report_cb, &s);
	return rm_sync_report_result(rm, &s, out);
}

static void rm_sync_apps_cb(const struct weft_status *st, const struct weft_app_report *apps, int n,
                            void *arg)
{
	struct rm_sync *s = arg;

	rm_sync_status(s, st);
	if (st->ok)
		s->out = rm_list_copy(apps, n);
}

int weft_rm_list_apps_sync(struct weft_rm_client *rm, const struct weft_app_filter *filter,
                           struct weft_app_list **out, struct weft_error *err)
{
	struct rm_sync s = {.err = err};
	int rc;

	weft_rm_list_apps(rm, filter, rm_sync_apps_cb, &s);
	rc = rm_sync_run(rm, &s);
	*out = rc == 0 ? s.out : NULL;
	return rc;
}

static void rm_sync_kill_cb(const struct weft_status *st, const char *state, bool already_final,
                            void *arg)
{
	struct rm_sync *s = arg;

	rm_sync_status(s, st);
	if (state != NULL)
		s->state = xstrdup(state);
	s->flag = already_final;
}

int weft_rm_kill_app_sync(struct weft_rm_client *rm, const char *app_id, char **state,
                          bool *already_final, struct weft_error *err)
{
	struct rm_sync s = {.err = err};
	int rc;

	weft_rm_kill_app(rm, app_id, rm_sync_kill_cb, &s);
	rc = rm_sync_run(rm, &s);
	if (already_final != NULL)
		*already_final = rc == 0 && s.flag;
	if (state != NULL) {
		*state = s.state;
		s.state = NULL;
	}
	free(s.state);
	return rc;
}

static void rm_sync_attempts_cb(const struct weft_status *st,
                                const struct weft_app_attempt *attempts, int n, void *arg)
{
	struct rm_sync *s = arg;

	rm_sync_status(s, st);
	if (st->ok)
		s->out = rm_attempts_copy(attempts, n);
}

int weft_rm_get_attempts_sync(struct weft_rm_client *rm, const char *app_id,
                              struct weft_attempt_list **out, struct weft_error *err)
{
	struct rm_sync s = {.err = err};
	int rc;

	weft_rm_get_attempts(rm, app_id, rm_sync_attempts_cb, &s);
	rc = rm_sync_run(rm, &s);
	*out = rc == 0 ? s.out : NULL;
	return rc;
}
