/*
 * am_client.c — register, allocate and finish against the RM
 * (weft/am_client.h), without ever blocking the AM's loop.
 *
 * One timer drives everything: it fires at once after a poke or an
 * answer that left something to say, after the (adaptive) heartbeat
 * interval otherwise, and after a backoff when a call got no answer.  A
 * request that failed in transit is retried with the very same body (same
 * responseId, same asks and releases), so nothing the owner handed over
 * is lost: weft_client retries it across the RM's addresses within what
 * is left of give_up_ms, and this file once more after a backoff when an
 * answer came that could not be used.
 *
 * The requests are a table by priority mirroring the counts the RM
 * holds: a change marks the priority for the next allocate, and a grant
 * lowers the count on both sides.  The client is reference counted so a
 * callback may free it (client_ref's idiom).
 */
#include "weft_config.h"

#include "weft/am_client.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "common/daemon.h"
#include "common/log.h"
#include "common/proto_am.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "lib/client_internal.h"
#include "weft/protocol.h"

#define AM_CLIENT_BACKOFF_FIRST_MS 100
#define AM_CLIENT_BACKOFF_MAX_MS   5000
/* Longest AM token a header carries. */
#define AM_CLIENT_TOKEN_MAX 4096

enum am_client_state {
	AM_CLIENT_IDLE,        /* nothing sent yet */
	AM_CLIENT_REGISTERING, /* register in flight or being retried */
	AM_CLIENT_RUNNING,     /* allocate loop */
	AM_CLIENT_FINISHING,   /* last allocates, then finish */
	AM_CLIENT_DONE,        /* finished, ended or stopped: silent */
};

enum am_client_call { AM_CALL_REGISTER, AM_CALL_ALLOCATE, AM_CALL_FINISH };

/* What the RM holds at one priority (and what it is to hear). */
struct am_client_request {
	int32_t priority;
	int32_t count;
	weft_resource_t capability;
	char **nodes;
	int n_nodes;
	char **racks;
	int n_racks;
	bool relax_locality;
	bool dirty; /* to go out with the next allocate */
};

struct weft_am_client {
	struct weft_client *client;
	struct weft_am_client_handlers handlers;
	int heartbeat_ms;
	int initial_interval_ms;
	int64_t give_up_ms;

	enum am_client_state state;
	struct event *timer;
	struct weft_call *call; /* the one call in flight */
	enum am_client_call call_kind;
	char *retry_body; /* a body to send again (transient failure) */
	enum am_client_call retry_kind;

	bool poked;  /* something new since the last allocate was built */
	int fast_ms; /* current interval while a request is outstanding */
	int backoff_ms;
	int64_t last_answer_ms; /* monotonic time of the last 2xx */
	int64_t response_id;
	int allocates;
	bool registered;

	struct am_client_request *requests;
	int n_requests;
	char **releases;
	int n_releases;
	double progress;

	char *register_body;
	bool finish_requested;
	char *finish_body;

	int references;
	bool dead; /* weft_am_client_free was called */
};

static void am_client_timer_cb(evutil_socket_t fd, short events, void *arg);
static void am_client_answer_cb(const struct weft_status *status, struct json_object *json,
                                const char *body, size_t len, void *arg);

struct weft_client *weft_am_client_connect(struct event_base *base, const char *rm_addresses,
                                           const char *am_token, long call_timeout_ms, char **cause)
{
	struct weft_client_options o = {.call_timeout_ms = call_timeout_ms};
	struct weft_client *client;
	const char *headers[2] = {NULL, NULL};
	char *header;

	if (rm_addresses == NULL)
		rm_addresses = getenv(WEFT_ENV_RM_URL);
	if (am_token == NULL)
		am_token = getenv(WEFT_ENV_AM_TOKEN);
	if (rm_addresses == NULL || *rm_addresses == '\0') {
		set_cause(cause, "no RM address (%s is not set)", WEFT_ENV_RM_URL);
		return NULL;
	}
	if (am_token == NULL || *am_token == '\0') {
		set_cause(cause, "no AM token (%s is not set)", WEFT_ENV_AM_TOKEN);
		return NULL;
	}
	for (const char *p = am_token; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f || p - am_token >= AM_CLIENT_TOKEN_MAX) {
			set_cause(cause,
			          "the AM token is not a token (spaces, control characters, "
			          "or longer than %d bytes)",
			          AM_CLIENT_TOKEN_MAX);
			return NULL;
		}
	}
	header = xasprintf("%s: %s", WEFT_AM_TOKEN_HEADER, am_token);
	headers[0] = header;
	o.rm_addresses = rm_addresses;
	o.headers = headers;
	client = weft_client_new(base, &o, cause);
	free(header);
	return client;
}

/* A client that has not yet said anything to the RM. */
struct weft_am_client *weft_am_client_new(struct weft_client *client,
                                          const struct weft_am_client_options *options,
                                          const struct weft_am_client_handlers *handlers)
{
	struct weft_am_client *am = xcalloc(1, sizeof *am);
	struct weft_am_client_options none = {0};
	const struct weft_am_client_options *o = options != NULL ? options : &none;

	am->client = client;
	if (handlers != NULL)
		am->handlers = *handlers;
	am->heartbeat_ms = o->heartbeat_ms > 0 ? o->heartbeat_ms : WEFT_AM_CLIENT_HEARTBEAT_MS;
	am->initial_interval_ms =
	        o->initial_interval_ms > 0 ? o->initial_interval_ms : am->heartbeat_ms;
	if (am->initial_interval_ms > am->heartbeat_ms)
		am->initial_interval_ms = am->heartbeat_ms;
	am->fast_ms = am->initial_interval_ms;
	am->give_up_ms = o->give_up_ms > 0 ? o->give_up_ms : WEFT_AM_CLIENT_GIVE_UP_MS;
	am->backoff_ms = AM_CLIENT_BACKOFF_FIRST_MS;
	am->timer = evtimer_new(weft_client_base(client), am_client_timer_cb, am);
	if (am->timer == NULL)
		fatalx("evtimer_new failed");
	am->last_answer_ms = time_mono_ms();
	am->references = 1;
	return am;
}

/* Free one request's copies. */
static void am_client_request_clear(struct am_client_request *r)
{
	for (int i = 0; i < r->n_nodes; i++)
		free(r->nodes[i]);
	free(r->nodes);
	for (int i = 0; i < r->n_racks; i++)
		free(r->racks[i]);
	free(r->racks);
}

static void am_client_ref(struct weft_am_client *am)
{
	am->references++;
}

/* Drop a reference; the last one frees. */
static void am_client_unref(struct weft_am_client *am)
{
	if (--am->references > 0)
		return;
	event_free(am->timer);
	free(am->retry_body);
	free(am->register_body);
	free(am->finish_body);
	for (int i = 0; i < am->n_requests; i++)
		am_client_request_clear(&am->requests[i]);
	free(am->requests);
	for (int i = 0; i < am->n_releases; i++)
		free(am->releases[i]);
	free(am->releases);
	free(am);
}

/* Silence everything: cancel the call in flight and the timer. */
void weft_am_client_stop(struct weft_am_client *am)
{
	am->state = AM_CLIENT_DONE;
	if (am->call != NULL) {
		weft_call_cancel(am->call);
		am->call = NULL;
	}
	evtimer_del(am->timer);
}

void weft_am_client_free(struct weft_am_client *am)
{
	if (am == NULL || am->dead)
		return;
	weft_am_client_stop(am);
	am->dead = true;
	am_client_unref(am);
}

bool weft_am_client_registered(const struct weft_am_client *am)
{
	return am->registered;
}

int weft_am_client_allocates(const struct weft_am_client *am)
{
	return am->allocates;
}

/* Whether a callback stopped or freed the client. */
static bool am_client_silenced(const struct weft_am_client *am)
{
	return am->dead || am->state == AM_CLIENT_DONE;
}

/* Arm the one timer to fire after ms. */
static void am_client_schedule(struct weft_am_client *am, int ms)
{
	struct timeval tv;

	if (am->state == AM_CLIENT_DONE)
		return;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_del(am->timer);
	evtimer_add(am->timer, &tv);
}

/* Whether the RM still holds a count above 0 (grants may come). */
static bool am_client_waiting(const struct weft_am_client *am)
{
	for (int i = 0; i < am->n_requests; i++) {
		if (am->requests[i].count > 0)
			return true;
	}
	return false;
}

/* The interval until the next allocate when nothing new is to be said. */
static int am_client_next_interval(struct weft_am_client *am)
{
	int ms;

	if (!am_client_waiting(am)) {
		am->fast_ms = am->initial_interval_ms;
		return am->heartbeat_ms;
	}
	ms = am->fast_ms;
	am->fast_ms = am->fast_ms * 2 > am->heartbeat_ms ? am->heartbeat_ms : am->fast_ms * 2;
	return ms;
}

/* Stop for good and tell the owner why. */
static void am_client_end(struct weft_am_client *am, enum weft_am_client_end end, const char *why)
{
	weft_am_client_stop(am);
	if (am->handlers.ended != NULL)
		am->handlers.ended(am->handlers.arg, end, why);
}

/*
 * Send body (copied) as the call of the given kind and keep it to send
 * again.  weft_client retries it (every AM call is safe to repeat: a
 * resent allocate gets its answer again) for what is left of give_up_ms.
 */
static void am_client_send(struct weft_am_client *am, enum am_client_call kind, const char *body)
{
	static const char *const paths[] = {
	        [AM_CALL_REGISTER] = WEFT_RPC_AM_REGISTER,
	        [AM_CALL_ALLOCATE] = WEFT_RPC_AM_ALLOCATE,
	        [AM_CALL_FINISH] = WEFT_RPC_AM_FINISH,
	};
	int64_t left = am->give_up_ms - (time_mono_ms() - am->last_answer_ms);
	struct weft_request req = {
	        .method = "POST",
	        .path = paths[kind],
	        .body = body,
	        .len = strlen(body),
	        .flags = WEFT_CALL_IDEMPOTENT,
	        .retry_ms = left > 0 ? left : -1,
	};

	if (am->retry_body != body) {
		free(am->retry_body);
		am->retry_body = xstrdup(body);
	}
	am->retry_kind = kind;
	log_debug("POST %s %s", paths[kind], body);
	am->call_kind = kind;
	am->call = weft_client_request(am->client, &req, am_client_answer_cb, am);
}

/* Send an object's text. */
static void am_client_send_json(struct weft_am_client *am, enum am_client_call kind,
                                struct json_object *body)
{
	am_client_send(am, kind, wjson_text(body));
	json_object_put(body);
}

/* Build and send the next allocate: the requests that changed, the
 * releases, the progress. */
static void am_client_send_allocate(struct weft_am_client *am)
{
	struct proto_am_allocate req = {0};

	am->poked = false;
	req.response_id = am->response_id;
	req.progress = am->progress; /* the encoder clamps it into [0, 1] */
	for (int i = 0; i < am->n_requests; i++) {
		struct am_client_request *r = &am->requests[i];

		if (!r->dirty)
			continue;
		r->dirty = false;
		proto_am_allocate_add_ask(&req, &(struct weft_container_request){
		                                        .priority = r->priority,
		                                        .count = r->count,
		                                        .capability = r->capability,
		                                        .nodes = (const char *const *)r->nodes,
		                                        .n_nodes = r->n_nodes,
		                                        .racks = (const char *const *)r->racks,
		                                        .n_racks = r->n_racks,
		                                        .relax_locality = r->relax_locality,
		                                });
	}
	for (int i = 0; i < am->n_releases; i++) {
		proto_am_allocate_add_release(&req, am->releases[i]);
		free(am->releases[i]);
	}
	am->n_releases = 0;
	/* The body is kept until answered, to resend it as is. */
	am_client_send_json(am, AM_CALL_ALLOCATE, proto_am_allocate_encode(&req));
	proto_am_allocate_clear(&req);
}

/* What to do when the timer fires: resend, allocate or finish. */
static void am_client_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct weft_am_client *am = arg;

	if (am->call != NULL || am->state == AM_CLIENT_DONE || am->state == AM_CLIENT_IDLE)
		return;
	if (am->retry_body != NULL) {
		am_client_send(am, am->retry_kind, am->retry_body);
		return;
	}
	if (am->state == AM_CLIENT_RUNNING) {
		am_client_send_allocate(am);
	} else if (am->state == AM_CLIENT_FINISHING) {
		/* Final releases first, so the RM hears of them. */
		if (am->poked)
			am_client_send_allocate(am);
		else
			am_client_send(am, AM_CALL_FINISH, am->finish_body);
	}
}

/* The call was answered as it should: forget its body. */
static void am_client_answered(struct weft_am_client *am)
{
	free(am->retry_body);
	am->retry_body = NULL;
}

/* A call failed in transit (or 5xx, or an unusable answer): retry after
 * a backoff, or give up. */
static void am_client_transient(struct weft_am_client *am, const char *what)
{
	int64_t silent = time_mono_ms() - am->last_answer_ms;
	char *why;

	if (silent >= am->give_up_ms) {
		why = xasprintf("no answer from the RM at %s for %lld ms (last: %s)",
		                weft_client_rm_url(am->client), (long long)silent, what);
		log_error("%s", why);
		am_client_end(am, WEFT_AM_CLIENT_UNREACHABLE, why);
		free(why);
		return;
	}
	log_warn("RM call failed (%s); retrying in %d ms", what, am->backoff_ms);
	am_client_schedule(am, am->backoff_ms);
	am->backoff_ms = am->backoff_ms * 2 > AM_CLIENT_BACKOFF_MAX_MS ? AM_CLIENT_BACKOFF_MAX_MS
	                                                               : am->backoff_ms * 2;
}

/* A register answer: validate, tell the owner, start allocating. */
static void am_client_on_registered(struct weft_am_client *am, struct json_object *obj)
{
	struct weft_am_registration reg;
	char *cause = NULL;

	if (proto_am_registered_decode(obj, &reg, &cause) != 0) {
		log_warn("bad register answer: %s", cause);
		free(cause);
		am_client_transient(am, "bad register answer");
		return;
	}
	am_client_answered(am);
	am->registered = true;
	log_info("registered %s of %s in queue %s", reg.attempt_id, reg.application_id,
	         reg.queue ? reg.queue : "?");
	if (am->finish_requested) {
		/* The job ended before registration completed. */
		am->state = AM_CLIENT_FINISHING;
		am->poked = false;
	} else {
		am->state = AM_CLIENT_RUNNING;
		if (am->handlers.registered != NULL)
			am->handlers.registered(am->handlers.arg, &reg);
		if (am_client_silenced(am))
			return;
	}
	/* Ask at once: the first grants come in this round trip. */
	am_client_schedule(am, 0);
}

/* The RM lowered its count at priority by one grant: so do we. */
static void am_client_granted(struct weft_am_client *am, int32_t priority)
{
	for (int i = 0; i < am->n_requests; i++) {
		if (am->requests[i].priority == priority && am->requests[i].count > 0) {
			am->requests[i].count--;
			return;
		}
	}
}

/* Hand an answer's lists to the owner, in order, while it listens. */
static void am_client_deliver(struct weft_am_client *am, const struct proto_am_allocated *alloc)
{
	const struct weft_am_client_handlers *h = &am->handlers;

	if (alloc->n_allocated > 0 && h->containers_allocated != NULL)
		h->containers_allocated(h->arg, alloc->allocated, alloc->n_allocated);
	if (am_client_silenced(am))
		return;
	if (alloc->n_completed > 0 && h->containers_completed != NULL)
		h->containers_completed(h->arg, alloc->completed, alloc->n_completed);
	if (am_client_silenced(am))
		return;
	if (alloc->n_preempt > 0 && h->preemption_requested != NULL)
		h->preemption_requested(h->arg, alloc->preempt, alloc->n_preempt);
}

/*
 * An allocate answer: decode it whole before acting on any of it (a
 * malformed answer is retried, never half-applied).
 */
static void am_client_on_allocated(struct weft_am_client *am, struct json_object *obj)
{
	struct proto_am_allocated alloc;
	char *cause = NULL;

	if (proto_am_allocated_decode(obj, &alloc, &cause) != 0) {
		log_warn("bad allocate answer: %s", cause);
		free(cause);
		proto_am_allocated_clear(&alloc);
		am_client_transient(am, "bad allocate answer");
		return;
	}
	am->allocates++;
	am->response_id = alloc.response_id;
	am_client_answered(am);
	if (alloc.action == PROTO_AM_ACTION_SHUTDOWN) {
		log_info("the RM says SHUTDOWN: the application was killed or is over");
		proto_am_allocated_clear(&alloc);
		am_client_end(am, WEFT_AM_CLIENT_SHUTDOWN, "the RM asked the AM to shut down");
		return;
	}
	if (alloc.action == PROTO_AM_ACTION_UNKNOWN)
		log_warn("unknown allocate action '%s' (treated as NORMAL)", alloc.action_name);
	for (int i = 0; i < alloc.n_allocated; i++)
		am_client_granted(am, alloc.allocated[i].priority);
	am_client_deliver(am, &alloc);
	proto_am_allocated_clear(&alloc);
	if (am_client_silenced(am))
		return;
	if (am->poked || am->state == AM_CLIENT_FINISHING)
		am_client_schedule(am, 0);
	else
		am_client_schedule(am, am_client_next_interval(am));
}

/* The finish was acknowledged: the end. */
static void am_client_on_finished(struct weft_am_client *am)
{
	am_client_answered(am);
	log_info("unregistered from the RM");
	weft_am_client_stop(am);
	if (am->handlers.finished != NULL)
		am->handlers.finished(am->handlers.arg);
}

/* "HTTP 404 NotFoundException: message", or why no answer came (caller
 * frees). */
static char *am_client_error_text(const struct weft_status *st)
{
	if (st->http_status == 0)
		return xstrdup(st->message != NULL ? st->message : "no answer");
	if (st->exception != NULL)
		return xasprintf("HTTP %ld %s: %s", st->http_status, st->exception, st->message);
	return xasprintf("HTTP %ld: %s", st->http_status,
	                 st->message != NULL ? st->message : "(no message)");
}

/* Every answer lands here and is routed by the kind of call. */
static void am_client_answer_cb(const struct weft_status *st, struct json_object *json,
                                const char *body, size_t len, void *arg)
{
	static const char *const names[] = {
	        [AM_CALL_REGISTER] = "register",
	        [AM_CALL_ALLOCATE] = "allocate",
	        [AM_CALL_FINISH] = "finish",
	};
	struct weft_am_client *am = arg;
	enum am_client_call kind = am->call_kind;
	char *text;

	am->call = NULL;
	if (am->state == AM_CLIENT_DONE)
		return;
	am_client_ref(am);
	if (st->http_status == 0 || st->http_status >= 500 || st->http_status == 429) {
		text = am_client_error_text(st);
		am_client_transient(am, text);
		free(text);
	} else if (!st->ok) {
		text = am_client_error_text(st);
		log_error("the RM refused %s: %s", names[kind], text);
		am_client_end(am,
		              st->http_status == 404 ? WEFT_AM_CLIENT_NOT_FOUND
		                                     : WEFT_AM_CLIENT_REJECTED,
		              text);
		free(text);
	} else if (json == NULL) {
		am_client_transient(am, "an answer that is not a JSON object");
	} else {
		am->last_answer_ms = time_mono_ms();
		am->backoff_ms = AM_CLIENT_BACKOFF_FIRST_MS;
		if (kind == AM_CALL_REGISTER)
			am_client_on_registered(am, json);
		else if (kind == AM_CALL_ALLOCATE)
			am_client_on_allocated(am, json);
		else
			am_client_on_finished(am);
	}
	am_client_unref(am);
}

/* Register once; the allocate loop starts when the RM answers. */
void weft_am_client_register(struct weft_am_client *am, const char *host, int rpc_port,
                             const char *tracking_url)
{
	struct proto_am_register m = {
	        .host = host, .rpc_port = rpc_port, .tracking_url = tracking_url};
	struct json_object *body;

	if (am->state != AM_CLIENT_IDLE)
		return;
	body = proto_am_register_encode(&m);
	am->register_body = xstrdup(wjson_text(body));
	json_object_put(body);
	am->state = AM_CLIENT_REGISTERING;
	am->last_answer_ms = time_mono_ms();
	am_client_send(am, AM_CALL_REGISTER, am->register_body);
}

/* Something new: allocate now, or right after the call in flight. */
static void am_client_poke(struct weft_am_client *am)
{
	am->poked = true;
	if ((am->state == AM_CLIENT_RUNNING || am->state == AM_CLIENT_FINISHING) &&
	    am->call == NULL && am->retry_body == NULL)
		am_client_schedule(am, 0);
}

/* Copies of n strings (NULL when none). */
static char **am_client_strings(const char *const *v, int n)
{
	char **out;

	if (v == NULL || n <= 0)
		return NULL;
	out = xcalloc((size_t)n, sizeof *out);
	for (int i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

/* Whether two lists of n strings are the same. */
static bool am_client_same_strings(char *const *a, int n_a, const char *const *b, int n_b)
{
	if ((b == NULL ? 0 : n_b) != n_a)
		return false;
	for (int i = 0; i < n_a; i++) {
		if (strcmp(a[i], b[i]) != 0)
			return false;
	}
	return true;
}

/* Set the request at req->priority to count with req's capability and
 * locality; poke when the RM is to hear of it. */
static void am_client_request_set(struct weft_am_client *am,
                                  const struct weft_container_request *req, int64_t count)
{
	struct am_client_request *r = NULL;
	bool changed;

	for (int i = 0; i < am->n_requests; i++) {
		if (am->requests[i].priority == req->priority)
			r = &am->requests[i];
	}
	if (count < 0)
		count = 0;
	if (count > INT32_MAX)
		count = INT32_MAX;
	if (r == NULL) {
		am->requests = xreallocarray(am->requests, (size_t)am->n_requests + 1,
		                             sizeof *am->requests);
		r = &am->requests[am->n_requests++];
		memset(r, 0, sizeof *r);
		r->priority = req->priority;
		changed = true;
	} else {
		changed = r->count != count ||
		          !weft_resource_equal(r->capability, req->capability) ||
		          r->relax_locality != req->relax_locality ||
		          !am_client_same_strings(r->nodes, r->n_nodes, req->nodes, req->n_nodes) ||
		          !am_client_same_strings(r->racks, r->n_racks, req->racks, req->n_racks);
	}
	if (!changed)
		return;
	am_client_request_clear(r);
	r->count = (int32_t)count;
	r->capability = req->capability;
	r->relax_locality = req->relax_locality;
	r->nodes = am_client_strings(req->nodes, req->n_nodes);
	r->n_nodes = r->nodes != NULL ? req->n_nodes : 0;
	r->racks = am_client_strings(req->racks, req->n_racks);
	r->n_racks = r->racks != NULL ? req->n_racks : 0;
	r->dirty = true;
	am_client_poke(am);
}

void weft_am_client_add_container_request(struct weft_am_client *am,
                                          const struct weft_container_request *req)
{
	am_client_request_set(am, req,
	                      (int64_t)weft_am_client_requested(am, req->priority) + req->count);
}

void weft_am_client_remove_container_request(struct weft_am_client *am,
                                             const struct weft_container_request *req)
{
	am_client_request_set(am, req,
	                      (int64_t)weft_am_client_requested(am, req->priority) - req->count);
}

void weft_am_client_set_container_request(struct weft_am_client *am,
                                          const struct weft_container_request *req)
{
	am_client_request_set(am, req, req->count);
}

int weft_am_client_requested(const struct weft_am_client *am, int32_t priority)
{
	for (int i = 0; i < am->n_requests; i++) {
		if (am->requests[i].priority == priority)
			return am->requests[i].count;
	}
	return 0;
}

void weft_am_client_release(struct weft_am_client *am, const char *container_id)
{
	am->releases =
	        xreallocarray(am->releases, (size_t)am->n_releases + 1, sizeof *am->releases);
	am->releases[am->n_releases++] = xstrdup(container_id);
	am_client_poke(am);
}

void weft_am_client_set_progress(struct weft_am_client *am, double progress)
{
	am->progress = progress;
}

/* Unregister with the final status once the allocate loop has drained. */
void weft_am_client_finish(struct weft_am_client *am, const char *final_status,
                           const char *diagnostics, const char *tracking_url)
{
	struct json_object *body;

	if (am->finish_requested || am->state == AM_CLIENT_DONE)
		return;
	am->finish_requested = true;
	body = proto_am_finish_encode(&(struct proto_am_finish){
	        .final_status = final_status,
	        .diagnostics = diagnostics,
	        .tracking_url = tracking_url,
	});
	am->finish_body = xstrdup(wjson_text(body));
	json_object_put(body);
	log_info("finishing with %s%s%s", final_status, diagnostics && *diagnostics ? ": " : "",
	         diagnostics ? diagnostics : "");
	if (am->state == AM_CLIENT_IDLE) {
		/* Nothing was ever registered: there is nothing to finish. */
		log_warn("finish before register: nothing to unregister");
		weft_am_client_stop(am);
		if (am->handlers.finished != NULL)
			am->handlers.finished(am->handlers.arg);
		return;
	}
	if (am->state == AM_CLIENT_REGISTERING)
		return; /* am_client_on_registered goes straight to finish */
	am->state = AM_CLIENT_FINISHING;
	if (am->call == NULL && am->retry_body == NULL)
		am_client_schedule(am, 0);
}
