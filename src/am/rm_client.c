/*
 * rm_client.c — register, allocate and finish against the RM, without
 * ever blocking the AM's loop.
 *
 * One timer drives everything: it fires at once after a poke or an
 * answer that left something to say, after the (adaptive) heartbeat
 * interval otherwise, and after a backoff when a call got no answer.  A
 * request that failed in transit is retried with the very same body (same
 * responseId, same releases), so nothing the owner handed over is lost.
 */
#include "weft_config.h"

#include "am/rm_client.h"

#include <stdlib.h>
#include <string.h>

#include "common/daemon.h"
#include "common/http_client.h"
#include "common/log.h"
#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/ids.h"
#include "weft/protocol.h"

#define RM_BACKOFF_FIRST_MS 100
#define RM_BACKOFF_MAX_MS   5000

enum rm_state {
	RM_IDLE,        /* nothing sent yet */
	RM_REGISTERING, /* register in flight or being retried */
	RM_RUNNING,     /* allocate loop */
	RM_FINISHING,   /* last allocates, then finish */
	RM_DONE,        /* finished, ended or stopped: silent */
};

enum rm_call_kind { RM_CALL_REGISTER, RM_CALL_ALLOCATE, RM_CALL_FINISH };

struct rm_client {
	struct event_base *base;
	struct http_client *http;
	struct rm_client_handlers handlers;
	char *rm_url;
	char *auth_header; /* "X-Weft-AM-Token: ..." */
	int heartbeat_ms;
	int initial_interval_ms;
	int64_t give_up_ms;
	long call_timeout_ms;

	enum rm_state state;
	struct event *timer;
	struct http_call *call; /* the one call in flight */
	enum rm_call_kind call_kind;
	struct json_object *retry_body; /* a body to send again (transient failure) */
	enum rm_call_kind retry_kind;

	bool poked;   /* something new since the last allocate was built */
	bool waiting; /* an ask is outstanding: poll faster */
	int fast_ms;  /* current interval while waiting */
	int backoff_ms;
	int64_t last_answer_ms; /* monotonic time of the last 2xx */
	int64_t response_id;
	int allocates;

	struct json_object *register_body;
	bool finish_requested;
	struct json_object *finish_body;
};

static void rm_client_timer_cb(evutil_socket_t fd, short events, void *arg);
static void rm_client_answer_cb(const struct http_response *resp, void *arg);

/* A client that has not yet said anything to the RM. */
struct rm_client *rm_client_new(struct event_base *base, struct http_client *http,
                                const struct rm_client_options *opts,
                                const struct rm_client_handlers *handlers)
{
	struct rm_client *rc = xcalloc(1, sizeof *rc);
	size_t len;

	rc->base = base;
	rc->http = http;
	rc->handlers = *handlers;
	rc->rm_url = xstrdup(opts->rm_url);
	len = strlen(rc->rm_url);
	while (len > 0 && rc->rm_url[len - 1] == '/')
		rc->rm_url[--len] = '\0';
	rc->auth_header = xasprintf("%s: %s", SECURITY_AM_HEADER, opts->am_token);
	rc->heartbeat_ms = opts->heartbeat_ms > 0 ? opts->heartbeat_ms : 1000;
	rc->initial_interval_ms =
	        opts->initial_interval_ms > 0 ? opts->initial_interval_ms : rc->heartbeat_ms;
	if (rc->initial_interval_ms > rc->heartbeat_ms)
		rc->initial_interval_ms = rc->heartbeat_ms;
	rc->fast_ms = rc->initial_interval_ms;
	rc->give_up_ms = opts->give_up_ms > 0 ? opts->give_up_ms : 600000;
	rc->call_timeout_ms = opts->call_timeout_ms > 0 ? opts->call_timeout_ms : 30000;
	rc->backoff_ms = RM_BACKOFF_FIRST_MS;
	rc->timer = evtimer_new(base, rm_client_timer_cb, rc);
	if (rc->timer == NULL)
		fatalx("evtimer_new failed");
	rc->last_answer_ms = time_mono_ms();
	return rc;
}

/* Silence everything: cancel the call in flight and the timer. */
void rm_client_stop(struct rm_client *rc)
{
	rc->state = RM_DONE;
	if (rc->call != NULL) {
		http_call_cancel(rc->call);
		rc->call = NULL;
	}
	evtimer_del(rc->timer);
}

void rm_client_free(struct rm_client *rc)
{
	if (rc == NULL)
		return;
	rm_client_stop(rc);
	event_free(rc->timer);
	if (rc->retry_body != NULL)
		json_object_put(rc->retry_body);
	if (rc->register_body != NULL)
		json_object_put(rc->register_body);
	if (rc->finish_body != NULL)
		json_object_put(rc->finish_body);
	free(rc->rm_url);
	free(rc->auth_header);
	free(rc);
}

int rm_client_allocate_count(const struct rm_client *rc)
{
	return rc->allocates;
}

/* Arm the one timer to fire after ms. */
static void rm_client_schedule(struct rm_client *rc, int ms)
{
	struct timeval tv;

	if (rc->state == RM_DONE)
		return;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_del(rc->timer);
	evtimer_add(rc->timer, &tv);
}

/* The interval until the next allocate when nothing new is to be said. */
static int rm_client_next_interval(struct rm_client *rc)
{
	int ms;

	if (!rc->waiting)
		return rc->heartbeat_ms;
	ms = rc->fast_ms;
	rc->fast_ms = rc->fast_ms * 2 > rc->heartbeat_ms ? rc->heartbeat_ms : rc->fast_ms * 2;
	return ms;
}

/* Stop for good and tell the owner why. */
static void rm_client_end(struct rm_client *rc, enum rm_client_end end, const char *why)
{
	rm_client_stop(rc);
	if (rc->handlers.ended != NULL)
		rc->handlers.ended(rc->handlers.arg, end, why);
}

/* Send body (not consumed) as the call of the given kind. */
static void rm_client_send(struct rm_client *rc, enum rm_call_kind kind, struct json_object *body)
{
	static const char *const paths[] = {
	        [RM_CALL_REGISTER] = WEFT_RPC_AM_REGISTER,
	        [RM_CALL_ALLOCATE] = WEFT_RPC_AM_ALLOCATE,
	        [RM_CALL_FINISH] = WEFT_RPC_AM_FINISH,
	};
	const char *headers[] = {rc->auth_header, NULL};
	char *url = xasprintf("%s%s", rc->rm_url, paths[kind]);

	log_debug("POST %s %s", url, wjson_text(body));
	rc->call_kind = kind;
	rc->call = http_client_json(rc->http, "POST", url, headers, body, rc->call_timeout_ms,
	                            rm_client_answer_cb, rc);
	free(url);
}

/* Build and send the next allocate from what the owner has to say. */
static void rm_client_send_allocate(struct rm_client *rc)
{
	struct proto_am_allocate req = {0};
	struct json_object *body;

	rc->poked = false;
	if (rc->handlers.build_allocate != NULL)
		rc->handlers.build_allocate(rc->handlers.arg, &req);
	req.response_id = rc->response_id;
	body = proto_am_allocate_encode(&req); /* clamps progress into [0, 1] */
	proto_am_allocate_clear(&req);
	rm_client_send(rc, RM_CALL_ALLOCATE, body);
	/* Keep the body until answered, to resend it as is. */
	rc->retry_body = body;
	rc->retry_kind = RM_CALL_ALLOCATE;
}

/* Send a stored body (register or finish) and keep it for retries. */
static void rm_client_send_kept(struct rm_client *rc, enum rm_call_kind kind,
                                struct json_object *body)
{
	if (rc->retry_body != NULL)
		json_object_put(rc->retry_body);
	rc->retry_body = json_object_get(body);
	rc->retry_kind = kind;
	rm_client_send(rc, kind, body);
}

/* What to do when the timer fires: resend, allocate or finish. */
static void rm_client_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct rm_client *rc = arg;

	if (rc->call != NULL || rc->state == RM_DONE || rc->state == RM_IDLE)
		return;
	if (rc->retry_body != NULL) {
		rm_client_send(rc, rc->retry_kind, rc->retry_body);
		return;
	}
	if (rc->state == RM_RUNNING) {
		rm_client_send_allocate(rc);
	} else if (rc->state == RM_FINISHING) {
		/* Final releases first, so the RM hears of them. */
		if (rc->poked)
			rm_client_send_allocate(rc);
		else
			rm_client_send_kept(rc, RM_CALL_FINISH, rc->finish_body);
	}
}

/* "message" of a RemoteException answer, else the status (caller frees). */
static char *rm_client_error_text(const struct http_response *resp)
{
	struct json_object *obj, *re;
	const char *message = NULL, *exception = NULL;
	char *text;

	if (resp->status == 0)
		return xstrdup(resp->error ? resp->error : "no answer");
	obj = wjson_parse_object(resp->body, resp->body_len, NULL);
	if (obj != NULL && wjson_get_object(obj, "", "RemoteException", true, &re, NULL) == 0) {
		wjson_get_string(re, "RemoteException", "exception", false, &exception, NULL);
		wjson_get_string(re, "RemoteException", "message", false, &message, NULL);
	}
	if (message != NULL)
		text = xasprintf("HTTP %ld %s: %s", resp->status, exception ? exception : "",
		                 message);
	else
		text = xasprintf("HTTP %ld", resp->status);
	if (obj != NULL)
		json_object_put(obj);
	return text;
}

/* A call failed in transit (or 5xx): retry after a backoff, or give up. */
static void rm_client_transient(struct rm_client *rc, const char *what)
{
	int64_t silent = time_mono_ms() - rc->last_answer_ms;
	char *why;

	if (silent >= rc->give_up_ms) {
		why = xasprintf("no answer from the RM at %s for %lld ms (last: %s)", rc->rm_url,
		                (long long)silent, what);
		log_error("%s", why);
		rm_client_end(rc, RM_CLIENT_UNREACHABLE, why);
		free(why);
		return;
	}
	log_warn("RM call failed (%s); retrying in %d ms", what, rc->backoff_ms);
	rm_client_schedule(rc, rc->backoff_ms);
	rc->backoff_ms =
	        rc->backoff_ms * 2 > RM_BACKOFF_MAX_MS ? RM_BACKOFF_MAX_MS : rc->backoff_ms * 2;
}

/* A register answer: validate, tell the owner, start allocating. */
static void rm_client_on_registered(struct rm_client *rc, struct json_object *obj)
{
	struct proto_am_registered reg;
	char *cause = NULL;

	if (proto_am_registered_decode(obj, &reg, &cause) != 0) {
		log_warn("bad register answer: %s", cause);
		free(cause);
		rm_client_transient(rc, "bad register answer");
		return;
	}
	json_object_put(rc->retry_body);
	rc->retry_body = NULL;
	log_info("registered %s of %s in queue %s", reg.attempt_id, reg.application_id,
	         reg.queue ? reg.queue : "?");
	if (rc->finish_requested) {
		/* The job ended before registration completed. */
		rc->state = RM_FINISHING;
		rc->poked = false;
	} else {
		rc->state = RM_RUNNING;
		if (rc->handlers.registered != NULL)
			rc->handlers.registered(rc->handlers.arg, &reg);
	}
	/* Ask at once: the first grants come in this round trip. */
	rm_client_schedule(rc, 0);
}

/*
 * An allocate answer: decode it whole before acting on any of it (a
 * malformed answer is retried, never half-applied).
 */
static void rm_client_on_allocated(struct rm_client *rc, struct json_object *obj)
{
	struct proto_am_allocated alloc;
	char *cause = NULL;

	if (proto_am_allocated_decode(obj, &alloc, &cause) != 0) {
		log_warn("bad allocate answer: %s", cause);
		free(cause);
		proto_am_allocated_clear(&alloc);
		rm_client_transient(rc, "bad allocate answer");
		return;
	}
	rc->allocates++;
	rc->response_id = alloc.response_id;
	json_object_put(rc->retry_body);
	rc->retry_body = NULL;
	if (alloc.action == PROTO_AM_ACTION_SHUTDOWN) {
		log_info("the RM says SHUTDOWN: the application was killed or is over");
		proto_am_allocated_clear(&alloc);
		rm_client_end(rc, RM_CLIENT_SHUTDOWN, "the RM asked the AM to shut down");
		return;
	}
	if (alloc.action == PROTO_AM_ACTION_UNKNOWN)
		log_warn("unknown allocate action '%s' (treated as NORMAL)", alloc.action_name);
	if (rc->handlers.allocated != NULL)
		rc->handlers.allocated(rc->handlers.arg, &alloc);
	proto_am_allocated_clear(&alloc);
	if (rc->state == RM_DONE)
		return;
	if (rc->poked || rc->state == RM_FINISHING)
		rm_client_schedule(rc, 0);
	else
		rm_client_schedule(rc, rm_client_next_interval(rc));
}

/* Every answer lands here and is routed by the kind of call. */
static void rm_client_answer_cb(const struct http_response *resp, void *arg)
{
	struct rm_client *rc = arg;
	struct json_object *obj = NULL;
	enum rm_call_kind kind = rc->call_kind;
	char *text, *cause = NULL;

	rc->call = NULL;
	if (rc->state == RM_DONE)
		return;
	if (resp->status == 0 || resp->status >= 500) {
		text = rm_client_error_text(resp);
		rm_client_transient(rc, text);
		free(text);
		return;
	}
	if (resp->status != 200) {
		text = rm_client_error_text(resp);
		log_error("the RM refused %s: %s",
		          kind == RM_CALL_REGISTER   ? "register"
		          : kind == RM_CALL_ALLOCATE ? "allocate"
		                                     : "finish",
		          text);
		rm_client_end(rc, resp->status == 404 ? RM_CLIENT_NOT_FOUND : RM_CLIENT_REJECTED,
		              text);
		free(text);
		return;
	}
	obj = wjson_parse_object(resp->body, resp->body_len, &cause);
	if (obj == NULL) {
		text = xasprintf("unreadable answer: %s", cause);
		free(cause);
		rm_client_transient(rc, text);
		free(text);
		return;
	}
	rc->last_answer_ms = time_mono_ms();
	rc->backoff_ms = RM_BACKOFF_FIRST_MS;
	switch (kind) {
	case RM_CALL_REGISTER:
		rm_client_on_registered(rc, obj);
		break;
	case RM_CALL_ALLOCATE:
		rm_client_on_allocated(rc, obj);
		break;
	case RM_CALL_FINISH:
		json_object_put(rc->retry_body);
		rc->retry_body = NULL;
		log_info("unregistered from the RM");
		rm_client_stop(rc);
		if (rc->handlers.finished != NULL)
			rc->handlers.finished(rc->handlers.arg);
		break;
	}
	json_object_put(obj);
}

/* Register once; the allocate loop starts when the RM answers. */
void rm_client_register(struct rm_client *rc, const char *host, const char *tracking_url)
{
	struct proto_am_register m = {.host = host, .rpc_port = -1, .tracking_url = tracking_url};

	if (rc->state != RM_IDLE)
		return;
	rc->register_body = proto_am_register_encode(&m);
	rc->state = RM_REGISTERING;
	rc->last_answer_ms = time_mono_ms();
	rm_client_send_kept(rc, RM_CALL_REGISTER, rc->register_body);
}

/* Something new: allocate now, or right after the call in flight. */
void rm_client_poke(struct rm_client *rc)
{
	rc->poked = true;
	if ((rc->state == RM_RUNNING || rc->state == RM_FINISHING) && rc->call == NULL &&
	    rc->retry_body == NULL)
		rm_client_schedule(rc, 0);
}

void rm_client_set_waiting(struct rm_client *rc, bool waiting)
{
	if (!waiting)
		rc->fast_ms = rc->initial_interval_ms;
	rc->waiting = waiting;
}

/* Unregister with the final status once the allocate loop has drained. */
void rm_client_finish(struct rm_client *rc, const char *final_status, const char *diagnostics,
                      const char *tracking_url)
{
	if (rc->finish_requested || rc->state == RM_DONE)
		return;
	rc->finish_requested = true;
	rc->finish_body = proto_am_finish_encode(&(struct proto_am_finish){
	        .final_status = final_status,
	        .diagnostics = diagnostics,
	        .tracking_url = tracking_url,
	});
	log_info("finishing with %s%s%s", final_status, diagnostics && *diagnostics ? ": " : "",
	         diagnostics ? diagnostics : "");
	if (rc->state == RM_IDLE) {
		/* Nothing was ever registered: there is nothing to finish. */
		log_warn("finish before register: nothing to unregister");
		rm_client_stop(rc);
		if (rc->handlers.finished != NULL)
			rc->handlers.finished(rc->handlers.arg);
		return;
	}
	if (rc->state == RM_REGISTERING)
		return; /* rm_client_on_registered goes straight to finish */
	rc->state = RM_FINISHING;
	if (rc->call == NULL && rc->retry_body == NULL)
		rm_client_schedule(rc, 0);
}
