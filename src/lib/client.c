/*
 * client.c — libweft's connection to a cluster (weft/client.h): the RM's
 * address list, retries with backoff and failover, the caller's identity
 * on every call, and the one reading of an error answer.
 *
 * A call lives from weft_client_request() until its callback has run (or
 * it was cancelled).  Each try is one request of the client's transport
 * (client_internal.h: libcurl unless another is plugged in); between
 * rounds of addresses a timer waits.  The client itself is reference
 * counted: a callback may free it (weft_client_free marks it dead and
 * drops the caller's reference; the memory goes when the last delivery
 * returns).
 */
#include "weft_config.h"

#include "weft/client.h"

#include <ctype.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "common/assert.h"
#include "common/http_client.h"
#include "common/log.h"
#include "common/net.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "lib/client_internal.h"

/* Longest Retry-After a call honours; a larger one is cut to this. */
#define CLIENT_MAX_RETRY_AFTER_MS 30000
/* Extra headers one call may carry (the client's and its own). */
#define CLIENT_MAX_HEADERS 16

struct weft_client {
	struct event_base *base;
	bool own_base;
	struct http_client *http; /* the default transport's, or NULL */
	const struct client_transport *transport;
	void *transport_state;
	char **rm_urls; /* "http://host:port" */
	int n_rm_urls;
	int active; /* index of the address that answered last */
	char *user;
	char **headers;
	int n_headers;
	long call_timeout_ms;
	int64_t retry_ms;
	int backoff_min_ms, backoff_max_ms;
	TAILQ_HEAD(, weft_call) calls;
	int n_calls;
	int references;
	bool dead;
};

struct weft_call {
	TAILQ_ENTRY(weft_call) entry;
	struct weft_client *client;
	char *method;
	char *address_url; /* another server's base URL, or NULL: the RM */
	char *path;
	char *body;
	size_t len;
	char **headers; /* NULL-terminated, all of them */
	unsigned flags;
	long timeout_ms;
	int64_t retry_us;    /* how long tries may go on failing */
	int64_t deadline_us; /* no new try starts after it; 0 until a try failed */
	int index;           /* RM address of the current try */
	int tried;           /* tries in the current round */
	int backoff_ms;      /* next pause between rounds */
	void *in_flight;     /* the transport's handle of the try on the wire */
	struct event *timer;
	char *early_error; /* refused before any try: said from the loop */
	weft_call_cb cb;
	void *arg;
};

static void client_call_try(struct weft_call *call);

static int64_t client_now_us(struct weft_client *c)
{
	struct timeval tv;

	event_base_gettimeofday_cached(c->base, &tv);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* The base URL of one address ("host:port" or "http://host:port"). */
static char *client_url_for(const char *address, char **cause)
{
	char *host = NULL, *why = NULL, *url, *local;
	int port;

	if (strncmp(address, "http://", 7) == 0)
		address += 7;
	if (strncmp(address, "https://", 8) == 0) {
		set_cause(cause, "'%s': https is not supported yet", address);
		return NULL;
	}
	local = xstrndup(address, strcspn(address, "/"));
	if (net_parse_address(local, &host, &port, &why) != 0) {
		set_cause(cause, "'%s': %s", address, why);
		free(why);
		free(local);
		return NULL;
	}
	if (port == 0) {
		set_cause(cause, "'%s' has no port to connect to", address);
		free(host);
		free(local);
		return NULL;
	}
	if (net_is_wildcard(host)) {
		char *here = net_format_address("127.0.0.1", port);
		free(local);
		local = here;
	}
	url = net_url_for_address(local, &why);
	if (url == NULL) {
		set_cause(cause, "'%s': %s", address, why);
		free(why);
	}
	free(host);
	free(local);
	return url;
}

int client_parse_addresses(const char *list, char ***out, int *n_out, char **cause)
{
	char **urls = NULL;
	int n = 0;
	const char *p = list != NULL && list[0] != '\0' ? list : "127.0.0.1:8088";

	for (;;) {
		size_t len;
		char *one, *url;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		len = strcspn(p, ", \t\n");
		one = xstrndup(p, len);
		p += len;
		url = client_url_for(one, cause);
		free(one);
		if (url == NULL) {
			for (int i = 0; i < n; i++)
				free(urls[i]);
			free(urls);
			return -1;
		}
		urls = xreallocarray(urls, (size_t)n + 1, sizeof *urls);
		urls[n++] = url;
	}
	if (n == 0)
		return set_cause(cause, "no address in '%s'", list);
	*out = urls;
	*n_out = n;
	return 0;
}

/* The default transport: one libcurl request per try. */
static void *client_curl_request(void *state, const struct client_try *t, http_response_cb cb,
                                 void *arg)
{
	char *url = xasprintf("%s%s", t->base_url, t->target);
	struct http_call *h = http_client_request(state, t->method, url, t->headers, t->body,
	                                          t->len, t->timeout_ms, cb, arg);

	free(url);
	return h;
}

/* Drop a libcurl try. */
static void client_curl_cancel(void *state, void *handle)
{
	(void)state;
	http_call_cancel(handle);
}

const struct client_transport client_curl_transport = {
        .request = client_curl_request,
        .cancel = client_curl_cancel,
};

void client_set_transport(struct weft_client *c, const struct client_transport *transport,
                          void *state)
{
	if (!WEFT_ASSERT(c->n_calls == 0))
		return;
	if (c->http != NULL && state != c->http) {
		http_client_free(c->http);
		c->http = NULL;
	}
	c->transport = transport;
	c->transport_state = state;
}

static struct weft_client *client_new(struct event_base *base, bool own_base,
                                      const struct weft_client_options *o, char **cause)
{
	struct weft_client *c;
	int n_headers = 0;

	while (o->headers != NULL && o->headers[n_headers] != NULL)
		n_headers++;
	if (n_headers > CLIENT_MAX_HEADERS / 2) {
		set_cause(cause, "more than %d headers", CLIENT_MAX_HEADERS / 2);
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	if (client_parse_addresses(o->rm_addresses, &c->rm_urls, &c->n_rm_urls, cause) != 0) {
		free(c);
		return NULL;
	}
	c->headers = xcalloc((size_t)n_headers + 1, sizeof *c->headers);
	for (int i = 0; i < n_headers; i++)
		c->headers[c->n_headers++] = xstrdup(o->headers[i]);
	c->base = base;
	c->own_base = own_base;
	c->http = http_client_new(base);
	c->transport = &client_curl_transport;
	c->transport_state = c->http;
	c->user = o->user != NULL ? xstrdup(o->user) : NULL;
	c->call_timeout_ms =
	        o->call_timeout_ms > 0 ? o->call_timeout_ms : WEFT_CLIENT_CALL_TIMEOUT_MS;
	c->retry_ms = o->retry_ms != 0 ? o->retry_ms : WEFT_CLIENT_RETRY_MS;
	c->backoff_min_ms = o->backoff_min_ms > 0 ? o->backoff_min_ms : WEFT_CLIENT_BACKOFF_MIN_MS;
	c->backoff_max_ms = o->backoff_max_ms > 0 ? o->backoff_max_ms : WEFT_CLIENT_BACKOFF_MAX_MS;
	if (c->backoff_max_ms < c->backoff_min_ms)
		c->backoff_max_ms = c->backoff_min_ms;
	TAILQ_INIT(&c->calls);
	c->references = 1;
	return c;
}

struct weft_client *weft_client_new(struct event_base *base,
                                    const struct weft_client_options *options, char **cause)
{
	return client_new(base, false, options, cause);
}

struct weft_client *weft_client_new_blocking(const struct weft_client_options *options,
                                             char **cause)
{
	struct event_base *base = event_base_new();
	struct weft_client *c;

	if (base == NULL) {
		set_cause(cause, "cannot create an event loop");
		return NULL;
	}
	c = client_new(base, true, options, cause);
	if (c == NULL)
		event_base_free(base);
	return c;
}

static void client_call_free(struct weft_call *call)
{
	struct weft_client *c = call->client;

	TAILQ_REMOVE(&c->calls, call, entry);
	c->n_calls--;
	if (call->in_flight != NULL)
		c->transport->cancel(c->transport_state, call->in_flight);
	if (call->timer != NULL)
		event_free(call->timer);
	free(call->method);
	free(call->address_url);
	free(call->path);
	free(call->body);
	free(call->early_error);
	for (int i = 0; call->headers != NULL && call->headers[i] != NULL; i++)
		free(call->headers[i]);
	free(call->headers);
	free(call);
}

void client_ref(struct weft_client *c)
{
	c->references++;
}

void client_unref(struct weft_client *c)
{
	if (--c->references > 0)
		return;
	while (!TAILQ_EMPTY(&c->calls))
		client_call_free(TAILQ_FIRST(&c->calls));
	if (c->http != NULL)
		http_client_free(c->http);
	for (int i = 0; i < c->n_rm_urls; i++)
		free(c->rm_urls[i]);
	free(c->rm_urls);
	for (int i = 0; i < c->n_headers; i++)
		free(c->headers[i]);
	free(c->headers);
	free(c->user);
	if (c->own_base && c->base != NULL)
		event_base_free(c->base);
	free(c);
}

bool client_dead(const struct weft_client *c)
{
	return c->dead;
}

void weft_client_free(struct weft_client *c)
{
	if (c == NULL || c->dead)
		return;
	c->dead = true;
	/* Calls stop now, even when a delivery holds the memory a while. */
	while (!TAILQ_EMPTY(&c->calls))
		client_call_free(TAILQ_FIRST(&c->calls));
	client_unref(c);
}

struct event_base *weft_client_base(const struct weft_client *c)
{
	return c->base;
}

const char *weft_client_rm_url(const struct weft_client *c)
{
	return c->rm_urls[c->active];
}

const char *weft_client_user(const struct weft_client *c)
{
	return c->user;
}

long client_call_timeout_ms(const struct weft_client *c)
{
	return c->call_timeout_ms;
}

char *client_rm_urls_text(const struct weft_client *c)
{
	char *text = xstrdup(c->rm_urls[0]);

	for (int i = 1; i < c->n_rm_urls; i++) {
		char *next = xasprintf("%s, %s", text, c->rm_urls[i]);

		free(text);
		text = next;
	}
	return text;
}

int weft_client_pending(const struct weft_client *c)
{
	return c->n_calls;
}

int weft_client_run(struct weft_client *c, const bool *done)
{
	/* The private loop holds only this client's work (its calls, their
	 * retry timers, the timers of the clients built on it): a loop with
	 * nothing left to run can never set *done. */
	while (!*done) {
		int rc = event_base_loop(c->base, EVLOOP_ONCE);

		if (rc < 0 || (rc == 1 && !*done))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */

/* Percent-encode text for a query value (caller frees). */
char *client_query_escape(const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(strlen(text) * 3 + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

char *client_error_message(long status, const char *body, size_t len, char **exception)
{
	struct json_object *root, *exc;
	const char *text = NULL, *name = NULL;
	char *msg;
	size_t n;

	if (exception != NULL)
		*exception = NULL;
	if (body != NULL && len > 0) {
		root = wjson_parse_object(body, len, NULL);
		if (root != NULL) {
			if (wjson_get_object(root, "", "RemoteException", true, &exc, NULL) == 0) {
				wjson_get_string(exc, "", "exception", false, &name, NULL);
				wjson_get_string(exc, "", "message", false, &text, NULL);
				if (exception != NULL && name != NULL && name[0] != '\0')
					*exception = xstrdup(name);
			}
			if (text != NULL && text[0] != '\0')
				msg = xstrdup(text);
			else if (name != NULL && name[0] != '\0')
				msg = xstrdup(name);
			else
				msg = xasprintf("HTTP %ld: %s", status, wjson_text(root));
			json_object_put(root);
			return msg;
		}
		/* Not JSON (a proxy's page): its first line. */
		while (len > 0 && isspace((unsigned char)*body)) {
			body++;
			len--;
		}
		for (n = 0; n < len && n < 200 && body[n] != '\r' && body[n] != '\n'; n++)
			;
		if (n > 0) {
			char *line = xstrndup(body, n);
			msg = xasprintf("HTTP %ld: %s", status, line);
			free(line);
			return msg;
		}
	}
	return xasprintf("HTTP %ld", status);
}

/* Hand the outcome to the caller and free the call. */
static void client_call_deliver(struct weft_call *call, const struct http_response *resp)
{
	struct weft_client *c = call->client;
	struct weft_status st = {0};
	struct json_object *json = NULL;
	char *message = NULL, *exception = NULL;
	weft_call_cb cb = call->cb;
	void *arg = call->arg;

	st.http_status = resp->status;
	st.ok = resp->status >= 200 && resp->status <= 299;
	if (resp->status == 0)
		message = xstrdup(resp->error != NULL ? resp->error : "no answer");
	else if (!st.ok)
		message =
		        client_error_message(resp->status, resp->body, resp->body_len, &exception);
	st.message = message;
	st.exception = exception;
	if (resp->status != 0 && resp->body_len > 0 && resp->body[0] == '{')
		json = wjson_parse_object(resp->body, resp->body_len, NULL);
	call->in_flight = NULL;
	client_call_free(call);
	client_ref(c);
	cb(&st, json, resp->body, resp->body_len, arg);
	client_unref(c);
	if (json != NULL)
		json_object_put(json);
	free(message);
	free(exception);
}

/* Whether an outcome may be tried again (elsewhere or later). */
static bool client_retryable(const struct weft_call *call, const struct http_response *resp)
{
	bool idempotent = (call->flags & WEFT_CALL_IDEMPOTENT) != 0;

	if (call->flags & WEFT_CALL_NO_RETRY)
		return false;
	if (resp->status == 0)
		return resp->not_delivered || idempotent;
	/* Refused before it was acted on. */
	if (resp->status == 429 || resp->status == 503)
		return true;
	return idempotent && (resp->status == 500 || resp->status == 502 || resp->status == 504);
}

static void client_call_timer(evutil_socket_t fd, short what, void *arg)
{
	struct weft_call *call = arg;

	if (call->early_error != NULL) {
		struct http_response resp = {.error = call->early_error, .body = ""};

		client_call_deliver(call, &resp);
		return;
	}
	call->tried = 0;
	client_call_try(call);
}

static void client_call_wait(struct weft_call *call, int64_t wait_ms)
{
	struct timeval tv = {(time_t)(wait_ms / 1000), (suseconds_t)(wait_ms % 1000) * 1000};

	if (call->timer == NULL)
		call->timer = evtimer_new(call->client->base, client_call_timer, call);
	evtimer_add(call->timer, &tv);
}

static void client_call_answered(const struct http_response *resp, void *arg)
{
	struct weft_call *call = arg;
	struct weft_client *c = call->client;
	int n_targets = call->address_url != NULL ? 1 : c->n_rm_urls;
	int64_t wait_ms, now = client_now_us(c);

	call->in_flight = NULL;
	if (!client_retryable(call, resp)) {
		/* An answer (even an error) says this RM is the one to talk to. */
		if (call->address_url == NULL && resp->status != 0 && resp->status != 503)
			c->active = call->index;
		client_call_deliver(call, resp);
		return;
	}
	/* The retry budget runs from the first failure, not from the start:
	 * a request the RM held a long time (a wait) still gets all of it. */
	if (call->deadline_us == 0)
		call->deadline_us = now + call->retry_us;
	if (resp->status == 429 && resp->retry_after_s >= 0) {
		/* Busy: come back to the same one when it says. */
		wait_ms = resp->retry_after_s * 1000;
		if (wait_ms > CLIENT_MAX_RETRY_AFTER_MS)
			wait_ms = CLIENT_MAX_RETRY_AFTER_MS;
		if (wait_ms < call->backoff_ms)
			wait_ms = call->backoff_ms;
	} else if (++call->tried < n_targets) {
		/* Another address of this round, at once. */
		call->index = (call->index + 1) % n_targets;
		if (now < call->deadline_us) {
			log_debug("client: %s %s: %s; trying %s", call->method, call->path,
			          resp->status != 0 ? "refused" : resp->error,
			          c->rm_urls[call->index]);
			client_call_try(call);
			return;
		}
		client_call_deliver(call, resp);
		return;
	} else {
		call->index = (call->index + 1) % n_targets;
		wait_ms = call->backoff_ms;
	}
	if (now + wait_ms * 1000 > call->deadline_us) {
		client_call_deliver(call, resp);
		return;
	}
	call->backoff_ms =
	        call->backoff_ms * 2 > c->backoff_max_ms ? c->backoff_max_ms : call->backoff_ms * 2;
	log_debug("client: %s %s: %s; again in %lld ms", call->method, call->path,
	          resp->status != 0 ? "busy" : resp->error, (long long)wait_ms);
	client_call_wait(call, wait_ms);
}

static void client_call_try(struct weft_call *call)
{
	struct weft_client *c = call->client;
	struct client_try t = {
	        .method = call->method,
	        .base_url = call->address_url != NULL ? call->address_url : c->rm_urls[call->index],
	        .target = call->path,
	        .headers = (const char *const *)call->headers,
	        .body = call->body,
	        .len = call->len,
	        .timeout_ms = call->timeout_ms,
	};
	char *target = NULL, *escaped;

	if (c->user != NULL) {
		escaped = client_query_escape(c->user);
		target = xasprintf("%s%suser.name=%s", call->path,
		                   strchr(call->path, '?') != NULL ? "&" : "?", escaped);
		free(escaped);
		t.target = target;
	}
	call->in_flight = c->transport->request(c->transport_state, &t, client_call_answered, call);
	free(target);
}

struct weft_call *weft_client_request(struct weft_client *c, const struct weft_request *req,
                                      weft_call_cb cb, void *arg)
{
	struct weft_call *call = xcalloc(1, sizeof *call);
	const char *type = req->content_type != NULL ? req->content_type : "application/json";
	int n = 0;
	int64_t retry_ms = req->retry_ms != 0 ? req->retry_ms : c->retry_ms;
	char *cause = NULL;

	call->client = c;
	call->method = xstrdup(req->method);
	call->path = xstrdup(req->path);
	if (req->address != NULL) {
		call->address_url = client_url_for(req->address, &cause);
		if (call->address_url == NULL) {
			/* Not an address: the call fails from the loop, untried. */
			call->early_error = cause;
			call->address_url = xstrdup("");
		}
	}
	if (req->body != NULL) {
		call->body = xmalloc(req->len + 1);
		memcpy(call->body, req->body, req->len);
		call->body[req->len] = '\0';
		call->len = req->len;
	}
	call->headers = xcalloc(CLIENT_MAX_HEADERS + 3, sizeof *call->headers);
	call->headers[n++] = xstrdup("Accept: application/json");
	if (req->body != NULL)
		call->headers[n++] = xasprintf("Content-Type: %s", type);
	for (int i = 0; i < c->n_headers; i++)
		call->headers[n++] = xstrdup(c->headers[i]);
	for (int i = 0; req->headers != NULL && req->headers[i] != NULL; i++) {
		if (n == CLIENT_MAX_HEADERS + 2) {
			if (call->early_error == NULL)
				call->early_error = xasprintf("more than %d headers on %s",
				                              CLIENT_MAX_HEADERS, req->path);
			break;
		}
		call->headers[n++] = xstrdup(req->headers[i]);
	}
	call->flags = req->flags;
	if (retry_ms < 0)
		call->flags |= WEFT_CALL_NO_RETRY;
	call->timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : c->call_timeout_ms;
	call->retry_us = (retry_ms > 0 ? retry_ms : 0) * 1000;
	call->index = c->active;
	call->backoff_ms = c->backoff_min_ms;
	call->cb = cb;
	call->arg = arg;
	TAILQ_INSERT_TAIL(&c->calls, call, entry);
	c->n_calls++;
	if (call->early_error != NULL)
		client_call_wait(call, 0);
	else
		client_call_try(call);
	return call;
}

struct weft_call *weft_client_call(struct weft_client *c, const char *method, const char *path,
                                   const void *body, size_t len, const char *content_type,
                                   unsigned flags, weft_call_cb cb, void *arg)
{
	struct weft_request req = {
	        .method = method,
	        .path = path,
	        .body = body,
	        .len = len,
	        .content_type = content_type,
	        .flags = flags,
	};

	return weft_client_request(c, &req, cb, arg);
}

void weft_call_cancel(struct weft_call *call)
{
	if (call != NULL)
		client_call_free(call);
}
