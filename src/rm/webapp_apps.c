/*
 * webapp_apps.c — YARN's application REST API: list with filters, one
 * application, its state (GET, and PUT to kill), its attempts,
 * new-application and submission.
 *
 * Shapes follow YARN: {"apps":{"app":[...]}} ({"apps":null} when nothing
 * matches, as YARN writes an empty collection), {"app":{...}},
 * {"appAttempts":{"appAttempt":[...]}}, {"state":".."}, new-application's
 * {"application-id":..,"maximum-resource-capability":{..}}; a submission
 * answers 202 with a Location header and no body.
 */
#include "weft_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "common/daemon.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/proto_nm.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "rm/app_manager.h"
#include "rm/rm.h"
#include "rm/scheduler.h"
#include "rm/submission.h"
#include "rm/webapp.h"
#include "weft/protocol.h"
#include "rm/webapp_reports.h"
#include "rm/webapp_waits.h"
#include "weft/ids.h"

/* The {appid} parameter: RET it, or NULL after answering 400/404. */
static const char *webapp_app_param(const struct rm *rm, struct http_request *req)
{
	const char *id = http_request_param(req, 0);
	weft_app_id_t parsed;
	struct app_report r;

	if (id == NULL || weft_app_id_parse(id, &parsed) != 0) {
		http_reply_error(req, 400, "BadRequestException", "Invalid ApplicationId: %s",
		                 id != NULL ? id : "");
		return NULL;
	}
	if (app_manager_report(rm->apps, id, &r) != 0) {
		http_reply_error(req, 404, "NotFoundException", "app with id: %s not found", id);
		return NULL;
	}
	return id;
}

/* --- list filters --- */

struct app_filter {
	unsigned states; /* mask of app states, 0 = any */
	bool final_status_set;
	enum app_final_status final_status;
	const char *user;
	const char *queue;                 /* a leaf or parent, by name or path */
	const struct scheduler *scheduler; /* resolves queue */
	int64_t limit;                     /* 0 = none */
	int64_t started_begin, started_end;
	int64_t finished_begin, finished_end;
	bool check_finished;
	char **types;
	int n_types;
	char **tags;
	int n_tags;
};

static void app_filter_clear(struct app_filter *f)
{
	for (int i = 0; i < f->n_types; i++)
		free(f->types[i]);
	free(f->types);
	for (int i = 0; i < f->n_tags; i++)
		free(f->tags[i]);
	free(f->tags);
}

/* Split "a, b,c" into trimmed non-empty words (caller frees). */
static int webapp_split(const char *text, char ***out)
{
	char *copy = xstrdup(text), *save = NULL, *tok;
	int n = 0;

	*out = NULL;
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *end;

		while (*tok == ' ')
			tok++;
		end = tok + strlen(tok);
		while (end > tok && end[-1] == ' ')
			*--end = '\0';
		if (*tok == '\0')
			continue;
		*out = xreallocarray(*out, n + 1, sizeof **out);
		(*out)[n++] = xstrdup(tok);
	}
	free(copy);
	return n;
}

/* Add the states of a states/state parameter.  RET 0, -1 after 400. */
static int webapp_filter_states(struct http_request *req, const char *param, unsigned *mask)
{
	const char *text = http_request_query(req, param);
	char **words;
	int n, rc = 0;

	if (text == NULL)
		return 0;
	n = webapp_split(text, &words);
	for (int i = 0; i < n; i++) {
		enum app_state s;

		if (rc == 0 && app_state_parse(words[i], &s) != 0) {
			http_reply_error(req, 400, "BadRequestException",
			                 "Invalid application-state %s specified. It should be one "
			                 "of NEW, NEW_SAVING, SUBMITTED, ACCEPTED, RUNNING, "
			                 "FINISHED, FAILED, KILLED",
			                 words[i]);
			rc = -1;
		} else if (rc == 0) {
			*mask |= 1u << s;
		}
		free(words[i]);
	}
	free(words);
	return rc;
}

/* A begin/end pair of time parameters. */
static int webapp_filter_range(struct http_request *req, const char *begin_name,
                               const char *end_name, int64_t *begin, int64_t *end, bool *set)
{
	int rb, re;

	*begin = 0;
	*end = INT64_MAX;
	rb = webapp_query_number(req, begin_name, begin);
	if (rb < 0)
		return -1;
	re = webapp_query_number(req, end_name, end);
	if (re < 0)
		return -1;
	if (*begin > *end) {
		http_reply_error(req, 400, "BadRequestException", "%s must be greater than %s",
		                 end_name, begin_name);
		return -1;
	}
	if (set != NULL)
		*set = rb == 0 || re == 0;
	return 0;
}

/* Read every filter parameter; RET 0, or -1 after answering 400. */
static int webapp_parse_filter(const struct rm *rm, struct http_request *req, struct app_filter *f)
{
	const char *text;
	int rc;

	memset(f, 0, sizeof *f);
	if (webapp_filter_states(req, WEFT_QUERY_STATES, &f->states) != 0 ||
	    webapp_filter_states(req, WEFT_QUERY_STATE, &f->states) != 0)
		return -1;
	text = http_request_query(req, WEFT_QUERY_FINAL_STATUS);
	if (text != NULL) {
		if (app_final_status_parse(text, &f->final_status) != 0) {
			http_reply_error(req, 400, "BadRequestException",
			                 "Invalid finalStatus %s specified. It should be one of "
			                 "UNDEFINED, SUCCEEDED, FAILED, KILLED",
			                 text);
			return -1;
		}
		f->final_status_set = true;
	}
	f->user = http_request_query(req, WEFT_QUERY_USER);
	if (f->user != NULL && f->user[0] == '\0')
		f->user = NULL;
	f->scheduler = rm->scheduler;
	f->queue = http_request_query(req, WEFT_QUERY_QUEUE);
	if (f->queue != NULL && f->queue[0] == '\0')
		f->queue = NULL;
	rc = webapp_query_number(req, WEFT_QUERY_LIMIT, &f->limit);
	if (rc < 0)
		return -1;
	if (rc == 0 && f->limit <= 0) {
		http_reply_error(req, 400, "BadRequestException",
		                 "limit value must be greater then 0");
		return -1;
	}
	if (webapp_filter_range(req, WEFT_QUERY_STARTED_BEGIN, WEFT_QUERY_STARTED_END,
	                        &f->started_begin, &f->started_end, NULL) != 0 ||
	    webapp_filter_range(req, WEFT_QUERY_FINISHED_BEGIN, WEFT_QUERY_FINISHED_END,
	                        &f->finished_begin, &f->finished_end, &f->check_finished) != 0)
		return -1;
	text = http_request_query(req, WEFT_QUERY_APPLICATION_TYPES);
	if (text != NULL)
		f->n_types = webapp_split(text, &f->types);
	text = http_request_query(req, WEFT_QUERY_APPLICATION_TAGS);
	if (text != NULL)
		f->n_tags = webapp_split(text, &f->tags);
	return 0;
}

/* Whether the comma-joined tags hold one of the wanted ones. */
static bool webapp_has_tag(const char *joined, char *const *wanted, int n)
{
	char **have;
	int n_have = webapp_split(joined, &have);
	bool found = false;

	for (int i = 0; i < n_have; i++) {
		for (int j = 0; j < n && !found; j++)
			found = strcmp(have[i], wanted[j]) == 0;
		free(have[i]);
	}
	free(have);
	return found;
}

static bool webapp_filter_match(const struct app_filter *f, const struct app_report *r)
{
	if (f->states != 0 && (f->states & (1u << r->state)) == 0)
		return false;
	if (f->final_status_set && r->final_status != f->final_status)
		return false;
	if (f->user != NULL && strcmp(f->user, r->user) != 0)
		return false;
	if (f->queue != NULL && !scheduler_queue_contains(f->scheduler, f->queue, r->queue))
		return false;
	if (r->started_ms < f->started_begin || r->started_ms > f->started_end)
		return false;
	if (f->check_finished &&
	    (r->finished_ms < f->finished_begin || r->finished_ms > f->finished_end))
		return false;
	if (f->n_types > 0) {
		bool any = false;

		for (int i = 0; i < f->n_types && !any; i++)
			any = strcasecmp(f->types[i], r->type) == 0;
		if (!any)
			return false;
	}
	if (f->n_tags > 0 && !webapp_has_tag(r->tags, f->tags, f->n_tags))
		return false;
	return true;
}

/* --- handlers --- */

/* GET /ws/v1/cluster/apps */
static void webapp_apps_list(struct rm *rm, struct http_request *req)
{
	struct app_filter f;
	struct app_report *reports = NULL;
	struct evbuffer *body;
	int *picked, n, n_picked = 0;
	bool caller_frees = false;
	char *base;

	if (webapp_parse_filter(rm, req, &f) != 0) {
		app_filter_clear(&f);
		return;
	}
	base = webapp_base_url(rm, req);
	n = app_manager_reports(rm->apps, &reports);
	picked = xcalloc((size_t)n + 1, sizeof *picked);
	/* YARN's limit: the first `limit` applications that match. */
	for (int i = 0; i < n && (f.limit == 0 || n_picked < f.limit); i++)
		if (webapp_filter_match(&f, &reports[i]))
			picked[n_picked++] = i;
	body = webapp_reports_apps_body(rm->reports, rm, reports, n, picked, n_picked, base,
	                                &caller_frees);
	http_reply_buffer(req, 200, "application/json", body);
	if (caller_frees)
		evbuffer_free(body);
	free(picked);
	free(reports);
	free(base);
	app_filter_clear(&f);
}

/* POST /ws/v1/cluster/apps: YARN's submission; the same one again
 * (a client's retry) is answered as the first was. */
static void webapp_apps_submit(struct rm *rm, struct http_request *req)
{
	const char *user = webapp_user(req);
	struct json_object *body;
	struct weft_app_submission *sub = NULL;
	enum app_error error = APP_ERROR_BAD_REQUEST;
	char *cause = NULL, *base, *location, id[WEFT_ID_MAX];
	int rc;

	if (user == NULL)
		return;
	body = http_request_json(req);
	if (body == NULL)
		return;
	if (proto_app_submission_decode(body, &sub, &cause) != 0) {
		http_reply_error(req, 400, "BadRequestException", "%s", cause);
		goto out;
	}
	snprintf(id, sizeof id, "%s", sub->app_id);
	rc = app_manager_submit(rm->apps, sub, user, &error, &cause);
	if (rc == 1) {
		/* The same submission again (a retried POST): the same answer. */
		proto_app_submission_free(sub);
		sub = NULL;
	} else if (rc != 0) {
		if (error == APP_ERROR_FORBIDDEN)
			http_reply_error(req, 403, "AccessControlException", "%s", cause);
		else
			http_reply_error(req, 400,
			                 error == APP_ERROR_INVALID_RESOURCE
			                         ? "InvalidResourceRequestException"
			                         : "BadRequestException",
			                 "%s", cause);
		proto_app_submission_free(sub);
		goto out;
	}
	base = webapp_base_url(rm, req);
	location = xasprintf("%s" WEFT_PATH_APP_FMT, base, id);
	http_reply_add_header(req, "Location", location);
	http_reply_data(req, 202, "application/json", "", 0);
	free(location);
	free(base);
out:
	free(cause);
	json_object_put(body);
}

static void webapp_apps_cb(struct http_request *req, void *arg)
{
	if (http_request_method(req) == HTTP_M_POST)
		webapp_apps_submit(arg, req);
	else
		webapp_apps_list(arg, req);
}

/* POST /ws/v1/cluster/apps/new-application */
static void webapp_new_application_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	struct weft_new_application m;
	weft_resource_t maximum = scheduler_maximum_allocation(rm->scheduler);
	const char *user = webapp_user(req);
	char *cause = NULL;

	if (user == NULL)
		return;
	/* A cap, not a rate: 403, since a 429 would have clients retry. */
	if (app_manager_new_application(rm->apps, user, m.app_id, &cause) != 0) {
		http_reply_error(req, 403, "ForbiddenException", "%s", cause);
		free(cause);
		return;
	}
	m.max_memory_mb = maximum.memory_mb;
	m.max_vcores = maximum.vcores;
	http_reply_json(req, 200, proto_app_new_application_encode(&m));
}

void webapp_reply_app(const struct rm *rm, struct http_request *req, const char *app_id,
                      const char *base_url, const char *wait_outcome)
{
	struct app_report r;

	if (app_manager_report(rm->apps, app_id, &r) != 0) {
		http_reply_error(req, 404, "NotFoundException", "app with id: %s not found",
		                 app_id);
		return;
	}
	http_reply_json(req, 200,
	                proto_app_report_wrap(webapp_app_json(rm, &r, base_url), wait_outcome));
}

/* The wait-while and wait-timeout-ms parameters.  RET 1 when the request
 * waits (*state and *timeout_ms set), 0 when it does not, -1 after
 * answering 400. */
static int webapp_app_wait_params(struct http_request *req, enum app_state *state,
                                  int64_t *timeout_ms)
{
	const char *text = http_request_query(req, WEFT_APP_QUERY_WAIT_WHILE);
	int rc;

	if (text == NULL)
		return 0;
	if (app_state_parse(text, state) != 0) {
		http_reply_error(req, 400, "BadRequestException",
		                 "Invalid " WEFT_APP_QUERY_WAIT_WHILE " %s specified. It should be "
		                 "one of NEW, NEW_SAVING, SUBMITTED, ACCEPTED, RUNNING, FINISHED, "
		                 "FAILED, KILLED",
		                 text);
		return -1;
	}
	*timeout_ms = WEFT_APP_WAIT_DEFAULT_MS;
	rc = webapp_query_number(req, WEFT_APP_QUERY_WAIT_TIMEOUT_MS, timeout_ms);
	if (rc < 0)
		return -1;
	if (*timeout_ms > WEFT_APP_WAIT_MAX_MS)
		*timeout_ms = WEFT_APP_WAIT_MAX_MS;
	return 1;
}

/* GET /ws/v1/cluster/apps/{appid}[?wait-while=STATE&wait-timeout-ms=N] */
static void webapp_app_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	const char *id = http_request_param(req, 0), *outcome = NULL;
	struct app_report r;
	enum app_state while_state = APP_NEW;
	int64_t timeout_ms = 0;
	int waits;
	char *base;

	if (id != NULL && strcmp(id, WEFT_APP_NEW_APPLICATION) == 0) {
		http_reply_add_header(req, "Allow", "POST");
		http_reply_error(req, 405, "WebApplicationException",
		                 "%s " WEFT_ROUTE_NEW_APPLICATION ": use POST",
		                 http_request_method_name(req));
		return;
	}
	id = webapp_app_param(rm, req);
	if (id == NULL || app_manager_report(rm->apps, id, &r) != 0)
		return;
	waits = webapp_app_wait_params(req, &while_state, &timeout_ms);
	if (waits < 0)
		return;
	base = webapp_base_url(rm, req);
	if (waits > 0) {
		if (r.state != while_state)
			outcome = WEFT_APP_WAIT_CHANGED;
		else if (timeout_ms == 0)
			outcome = WEFT_APP_WAIT_TIMEOUT;
		else if (webapp_waits_hold(rm->waits, req, id, while_state, timeout_ms, base) ==
		         0) {
			free(base);
			return;
		} else
			outcome = WEFT_APP_WAIT_FULL;
		log_debug("%s: wait while %s answered at once (%s)", id,
		          app_state_name(while_state), outcome);
	}
	webapp_reply_app(rm, req, id, base, outcome);
	free(base);
}

/* {"state": "..."} */
static struct json_object *webapp_state_json(enum app_state s)
{
	struct proto_app_state m;

	snprintf(m.state, sizeof m.state, "%s", app_state_name(s));
	return proto_app_state_encode(&m);
}

/* PUT {"state":"KILLED"}: 202 when this request killed it, 200 when it
 * had already ended. */
static void webapp_app_kill(struct rm *rm, struct http_request *req, const char *id)
{
	const char *user = webapp_user(req);
	struct proto_app_state target;
	struct json_object *body;
	struct app_report r;
	char *cause = NULL, *diag, *base, *location;
	bool was_final = false;

	if (user == NULL)
		return;
	body = http_request_json(req);
	if (body == NULL)
		return;
	if (proto_app_state_decode(body, &target, &cause) != 0) {
		http_reply_error(req, 400, "BadRequestException", "%s", cause);
		goto out;
	}
	if (strcmp(target.state, WEFT_APP_TARGET_KILLED) != 0) {
		http_reply_error(req, 400, "BadRequestException",
		                 "Only 'KILLED' is allowed as a target state.");
		goto out;
	}
	diag = xasprintf("Application %s was killed by user %s at %s", id, user,
	                 http_request_peer(req));
	if (app_manager_kill(rm->apps, id, diag, &was_final) != 0) {
		free(diag);
		http_reply_error(req, 404, "NotFoundException", "app with id: %s not found", id);
		goto out;
	}
	free(diag);
	app_manager_report(rm->apps, id, &r);
	if (was_final) {
		http_reply_json(req, 200, webapp_state_json(r.state));
		goto out;
	}
	log_info("%s killed by %s from %s", id, user, http_request_peer(req));
	base = webapp_base_url(rm, req);
	location = xasprintf("%s" WEFT_PATH_APP_FMT, base, id);
	http_reply_add_header(req, "Location", location);
	free(location);
	free(base);
	http_reply_json(req, 202, webapp_state_json(r.state));
out:
	free(cause);
	json_object_put(body);
}

/* GET/PUT /ws/v1/cluster/apps/{appid}/state */
static void webapp_app_state_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	const char *id = webapp_app_param(rm, req);
	struct app_report r;

	if (id == NULL)
		return;
	if (http_request_method(req) == HTTP_M_PUT) {
		webapp_app_kill(rm, req, id);
		return;
	}
	app_manager_report(rm->apps, id, &r);
	http_reply_json(req, 200, webapp_state_json(r.state));
}

/* GET /ws/v1/cluster/apps/{appid}/appattempts */
static void webapp_app_attempts_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	const char *id = webapp_app_param(rm, req);
	struct attempt_report *reports = NULL;
	struct json_object *list;
	int n;

	if (id == NULL)
		return;
	n = app_manager_attempt_reports(rm->apps, id, &reports);
	list = json_object_new_array();
	for (int i = 0; i < n; i++) {
		const struct attempt_report *a = &reports[i];
		struct weft_app_attempt m = {
		        .number = a->number,
		        .start_ms = a->start_ms,
		        .finished_ms = a->finish_ms,
		        .container_id = a->container_id,
		        .node_http_address = a->node_http_address,
		        .node_id = a->node_id,
		        .attempt_id = a->id,
		        .state = attempt_state_name(a->state),
		        .diagnostics = a->diagnostics,
		};
		char *logs = NULL;

		if (a->container_id != NULL && a->node_http_address != NULL)
			m.logs_link = logs =
			        proto_nm_logs_url(a->node_http_address, a->container_id, "");
		json_object_array_add(list, proto_app_attempt_encode(&m));
		free(logs);
	}
	free(reports);
	http_reply_json(req, 200, proto_app_attempts_wrap(list));
}

void webapp_apps_routes(struct rm *rm)
{
	http_server_route(rm->http, HTTP_M_GET | HTTP_M_POST, WEFT_ROUTE_APPS, 0, webapp_apps_cb,
	                  rm);
	http_server_route(rm->http, HTTP_M_POST, WEFT_ROUTE_NEW_APPLICATION, 0,
	                  webapp_new_application_cb, rm);
	http_server_route(rm->http, HTTP_M_GET, WEFT_ROUTE_APP, 0, webapp_app_cb, rm);
	http_server_route(rm->http, HTTP_M_GET | HTTP_M_PUT, WEFT_ROUTE_APP_STATE, 0,
	                  webapp_app_state_cb, rm);
	http_server_route(rm->http, HTTP_M_GET, WEFT_ROUTE_APP_ATTEMPTS, 0, webapp_app_attempts_cb,
	                  rm);
}
