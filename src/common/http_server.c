/*
 * http_server.c — the evhttp glue of weft-rm, weft-nm and the driver.
 *
 * Owns: the route table and the one dispatcher (evhttp only routes exact
 * paths), percent-decoding of paths, parameters and query strings, YARN's
 * RemoteException error bodies, body caps, deferred replies and the rule
 * "exactly one reply per request".
 *
 * Life of a request: evhttp parses it and calls http_dispatch_cb(), which
 * builds a struct http_request, matches a route and runs the handler.  The
 * handler replies (the struct is freed once the handler has returned) or
 * defers (the struct lives until the reply, or until the client goes away).
 * A handler that does neither is a bug: it is logged and answered 500.
 *
 * Body caps: see http_gate.c-free design notes at http_gate_input_cb().
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/http_server.h"
#include "common/log.h"
#include "common/net.h"
#include "common/wjson.h"
#include "common/xmalloc.h"

/* Longest request head (request line + headers) a client may send. */
#define HTTP_MAX_HEAD_BYTES (64 * 1024)
/* Seconds a connection may sit idle or half-sent. */
#define HTTP_TIMEOUT_SECONDS 30

/* One segment of a route pattern. */
enum route_segment_kind { SEG_LITERAL, SEG_PARAM, SEG_REST };

struct route_segment {
	enum route_segment_kind kind;
	char *text; /* SEG_LITERAL only */
};

struct http_route {
	int methods;
	char *pattern;
	struct route_segment *segments;
	int nsegments;
	size_t max_body;
	http_handler_cb cb;
	void *arg;
};

struct query_pair {
	char *name;
	char *value;
};

/* A decoded request path, split into segments. */
struct http_path {
	char **segments;
	size_t *lengths;
	int nsegments;
	bool clean; /* no segment is "", ".", ".." or holds '/' or NUL */
};

struct http_request {
	struct http_server *srv;
	struct evhttp_request *ev; /* NULL once the connection is gone */
	int method;
	const char *method_name;
	char *path;		/* decoded, no query */
	char **params;		/* decoded "{}" / "{*}" values */
	int nparams;
	char *raw_query;	/* undecoded query string or NULL */
	struct query_pair *query;
	int nquery;
	bool query_parsed;
	const char *body;	/* in evhttp's input buffer, NUL-terminated */
	size_t body_len;
	char *peer;

	bool in_handler;	/* the handler has not returned yet */
	bool replied;
	bool deferred;
	bool gone;		/* the client went away before the reply */
	void (*on_gone)(void *);
	void *gone_arg;
	struct event *watch;	/* notices the client closing while deferred */

	/* Deferred requests, so http_server_free can reach them. */
	struct http_request *prev, *next;
};

struct http_server {
	struct event_base *base;
	struct evhttp *http;
	int port;
	size_t default_max_body;
	size_t largest_max_body;
	struct http_route *routes;
	int nroutes;
	struct http_request *deferred; /* deferred requests not yet answered */
};

static void http_reply_remote_exception(struct http_request *req, int status,
					const char *exception, const char *message);

/* The Java class YARN names for an exception, for RemoteException bodies. */
static const char *
http_exception_class(const char *exception)
{
	static const struct {
		const char *name;
		const char *java_class;
	} classes[] = {
		{ "NotFoundException", "org.apache.hadoop.yarn.webapp.NotFoundException" },
		{ "BadRequestException", "org.apache.hadoop.yarn.webapp.BadRequestException" },
		{ "ForbiddenException", "org.apache.hadoop.yarn.webapp.ForbiddenException" },
		{ "WebApplicationException", "javax.ws.rs.WebApplicationException" },
		{ "AuthorizationException",
		  "org.apache.hadoop.security.authorize.AuthorizationException" },
		{ "AuthenticationException",
		  "org.apache.hadoop.security.authentication.client.AuthenticationException" },
		{ "AccessControlException", "org.apache.hadoop.security.AccessControlException" },
		{ "IllegalArgumentException", "java.lang.IllegalArgumentException" },
		{ "IllegalStateException", "java.lang.IllegalStateException" },
		{ "IOException", "java.io.IOException" },
		{ "FileNotFoundException", "java.io.FileNotFoundException" },
		{ "Exception", "java.lang.Exception" },
	};

	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
		if (strcmp(exception, classes[i].name) == 0)
			return classes[i].java_class;
	}
	return NULL;
}

/* Value of one hex digit, -1 if c is none. */
static int
http_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode %XX escapes (and '+' as a space when plus_is_space).  RET
 * allocated text and *out_len, or NULL when an escape is malformed. */
static char *
http_percent_decode(const char *text, size_t len, bool plus_is_space, size_t *out_len)
{
	char *out = xmalloc(len + 1);
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (text[i] == '%') {
			int hi, lo;

			if (len - i < 3 || (hi = http_hex_value(text[i + 1])) < 0 ||
			    (lo = http_hex_value(text[i + 2])) < 0) {
				free(out);
				return NULL;
			}
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (text[i] == '+' && plus_is_space) {
			out[o++] = ' ';
		} else {
			out[o++] = text[i];
		}
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

/* Free a split path. */
static void
http_path_clear(struct http_path *p)
{
	for (int i = 0; i < p->nsegments; i++)
		free(p->segments[i]);
	free(p->segments);
	free(p->lengths);
	memset(p, 0, sizeof *p);
}

/* Split a raw (encoded) path into decoded segments; a single trailing '/'
 * is ignored ("/ws/v1/cluster/" = "/ws/v1/cluster").  RET 0, or -1 on a
 * malformed escape. */
static int
http_path_split(const char *raw, struct http_path *p)
{
	const char *s = raw, *end;

	memset(p, 0, sizeof *p);
	p->clean = true;
	if (*s == '/')
		s++;
	end = s + strlen(s);
	if (end > s && end[-1] == '/')
		end--;
	while (s < end) {
		const char *slash = memchr(s, '/', (size_t)(end - s));
		const char *stop = slash != NULL ? slash : end;
		size_t len;
		char *seg = http_percent_decode(s, (size_t)(stop - s), false, &len);

		if (seg == NULL) {
			http_path_clear(p);
			return -1;
		}
		p->segments = xreallocarray(p->segments, (size_t)p->nsegments + 1,
					    sizeof *p->segments);
		p->lengths = xreallocarray(p->lengths, (size_t)p->nsegments + 1,
					   sizeof *p->lengths);
		p->segments[p->nsegments] = seg;
		p->lengths[p->nsegments] = len;
		p->nsegments++;
		if (len == 0 || strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0 ||
		    strlen(seg) != len || memchr(seg, '/', len) != NULL)
			p->clean = false;
		s = slash != NULL ? slash + 1 : end;
	}
	return 0;
}

/* Does route r match the path?  On a match and when params is not NULL,
 * fill params (allocated, r's "{}"/"{*}" count). */
static bool
http_route_match(const struct http_route *r, const struct http_path *p, char ***params,
		 int *nparams)
{
	int i, n = 0;

	if (!p->clean)
		return false;
	for (i = 0; i < r->nsegments; i++) {
		const struct route_segment *seg = &r->segments[i];

		if (seg->kind == SEG_REST) {
			if (i >= p->nsegments)
				return false;
			break;
		}
		if (i >= p->nsegments)
			return false;
		if (seg->kind == SEG_LITERAL && strcmp(seg->text, p->segments[i]) != 0)
			return false;
	}
	if (i == r->nsegments && r->nsegments != p->nsegments)
		return false;
	if (params == NULL)
		return true;

	*params = NULL;
	for (i = 0; i < r->nsegments; i++) {
		const struct route_segment *seg = &r->segments[i];
		char *value;

		if (seg->kind == SEG_LITERAL)
			continue;
		if (seg->kind == SEG_PARAM) {
			value = xstrdup(p->segments[i]);
		} else {
			size_t total = 0, off = 0;

			for (int j = i; j < p->nsegments; j++)
				total += p->lengths[j] + 1;
			value = xmalloc(total);
			for (int j = i; j < p->nsegments; j++) {
				if (j > i)
					value[off++] = '/';
				memcpy(value + off, p->segments[j], p->lengths[j]);
				off += p->lengths[j];
			}
			value[off] = '\0';
		}
		*params = xreallocarray(*params, (size_t)n + 1, sizeof **params);
		(*params)[n++] = value;
	}
	*nparams = n;
	return true;
}

/* The route for method + path: RET it, or NULL with *allowed = the methods
 * that would match the path (0 = unknown path). */
static struct http_route *
http_server_find_route(struct http_server *srv, int method, const struct http_path *p,
		       int *allowed)
{
	*allowed = 0;
	for (int i = 0; i < srv->nroutes; i++) {
		struct http_route *r = &srv->routes[i];
		int methods = r->methods;

		if (!http_route_match(r, p, NULL, NULL))
			continue;
		/* HEAD is GET without the body, as in Jersey (YARN). */
		if (methods & HTTP_M_GET)
			methods |= HTTP_M_HEAD;
		if (method & methods)
			return r;
		*allowed |= methods;
	}
	return NULL;
}

/* Map evhttp's command to an HTTP_M_* bit (0 for methods routes cannot use). */
static int
http_method_from_evhttp(enum evhttp_cmd_type cmd, const char **name)
{
	switch (cmd) {
	case EVHTTP_REQ_GET:
		*name = "GET";
		return HTTP_M_GET;
	case EVHTTP_REQ_POST:
		*name = "POST";
		return HTTP_M_POST;
	case EVHTTP_REQ_PUT:
		*name = "PUT";
		return HTTP_M_PUT;
	case EVHTTP_REQ_DELETE:
		*name = "DELETE";
		return HTTP_M_DELETE;
	case EVHTTP_REQ_HEAD:
		*name = "HEAD";
		return HTTP_M_HEAD;
	case EVHTTP_REQ_OPTIONS:
		*name = "OPTIONS";
		return 0;
	case EVHTTP_REQ_TRACE:
		*name = "TRACE";
		return 0;
	case EVHTTP_REQ_CONNECT:
		*name = "CONNECT";
		return 0;
	case EVHTTP_REQ_PATCH:
		*name = "PATCH";
		return 0;
	}
	*name = "UNKNOWN";
	return 0;
}

/* "GET, HEAD, POST" for an Allow header. */
static char *
http_allow_text(int methods)
{
	static const struct {
		int bit;
		const char *name;
	} names[] = { { HTTP_M_GET, "GET" },	 { HTTP_M_HEAD, "HEAD" },
		      { HTTP_M_POST, "POST" },	 { HTTP_M_PUT, "PUT" },
		      { HTTP_M_DELETE, "DELETE" } };
	char buf[64] = "";

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(methods & names[i].bit))
			continue;
		if (buf[0] != '\0')
			strcat(buf, ", ");
		strcat(buf, names[i].name);
	}
	return xstrdup(buf);
}

/* Free our state of a request (never evhttp's). */
static void
http_request_free(struct http_request *req)
{
	struct http_server *srv = req->srv;

	if (req->prev != NULL)
		req->prev->next = req->next;
	else if (srv != NULL && srv->deferred == req)
		srv->deferred = req->next;
	if (req->next != NULL)
		req->next->prev = req->prev;
	if (req->watch != NULL)
		event_free(req->watch);
	free(req->path);
	for (int i = 0; i < req->nparams; i++)
		free(req->params[i]);
	free(req->params);
	free(req->raw_query);
	for (int i = 0; i < req->nquery; i++) {
		free(req->query[i].name);
		free(req->query[i].value);
	}
	free(req->query);
	free(req->peer);
	free(req);
}

/* Detach a deferred request from its evhttp connection before replying,
 * so that no close callback or watcher can reach it afterwards. */
static void
http_request_undefer(struct http_request *req)
{
	if (!req->deferred)
		return;
	if (req->watch != NULL) {
		event_free(req->watch);
		req->watch = NULL;
	}
	if (req->ev != NULL) {
		struct evhttp_connection *evcon = evhttp_request_get_connection(req->ev);

		if (evcon != NULL)
			evhttp_connection_set_closecb(evcon, NULL, NULL);
	}
}

/* Start a reply: RET true when the caller may send, false when the request
 * was already answered or its client is gone (then the reply is a no-op). */
static bool
http_reply_begin(struct http_request *req)
{
	if (req->replied) {
		log_error("second reply to %s %s ignored (a handler bug)", req->method_name,
			  req->path != NULL ? req->path : "?");
		return false;
	}
	if (req->gone || req->ev == NULL)
		return false;
	return true;
}

/* Finish a reply: evhttp now owns the rest; free our state unless the
 * handler is still running (the dispatcher frees it when it returns). */
static void
http_reply_finish(struct http_request *req, int status)
{
	http_request_undefer(req);
	req->replied = true;
	evhttp_send_reply(req->ev, status, NULL, NULL);
	req->ev = NULL;
	if (!req->in_handler)
		http_request_free(req);
}

/* A reply on a request whose client is gone: the late reply frees it. */
static void
http_reply_on_orphan(struct http_request *req)
{
	if (req->gone && !req->in_handler && !req->replied) {
		req->replied = true;
		http_request_free(req);
	}
}

void
http_reply_add_header(struct http_request *req, const char *name, const char *value)
{
	if (req->replied || req->gone || req->ev == NULL)
		return;
	evhttp_add_header(evhttp_request_get_output_headers(req->ev), name, value);
}

void
http_reply_data(struct http_request *req, int status, const char *content_type,
		const void *data, size_t len)
{
	if (!http_reply_begin(req)) {
		http_reply_on_orphan(req);
		return;
	}
	if (content_type != NULL) {
		struct evkeyvalq *h = evhttp_request_get_output_headers(req->ev);

		evhttp_remove_header(h, "Content-Type");
		evhttp_add_header(h, "Content-Type", content_type);
	}
	if (len > 0)
		evbuffer_add(evhttp_request_get_output_buffer(req->ev), data, len);
	http_reply_finish(req, status);
}

void
http_reply_json(struct http_request *req, int status, struct json_object *body)
{
	size_t len = 0;
	const char *text = "";

	if (body != NULL)
		text = json_object_to_json_string_length(body, JSON_C_TO_STRING_PLAIN, &len);
	http_reply_data(req, status, "application/json", text, len);
	json_object_put(body);
}

void
http_reply_file(struct http_request *req, int status, const char *content_type, int fd,
		off_t offset, off_t len)
{
	struct evbuffer *out;

	if (!http_reply_begin(req)) {
		close(fd);
		http_reply_on_orphan(req);
		return;
	}
	out = evhttp_request_get_output_buffer(req->ev);
	if (len > 0 && evbuffer_add_file(out, fd, offset, len) != 0) {
		/* evbuffer_add_file closes nothing on failure. */
		close(fd);
		http_reply_remote_exception(req, 500, "IOException", "cannot send the file");
		return;
	}
	if (len <= 0)
		close(fd);
	if (content_type != NULL) {
		struct evkeyvalq *h = evhttp_request_get_output_headers(req->ev);

		evhttp_remove_header(h, "Content-Type");
		evhttp_add_header(h, "Content-Type", content_type);
	}
	http_reply_finish(req, status);
}

/* Send a YARN RemoteException body: the one shape of every error reply. */
static void
http_reply_remote_exception(struct http_request *req, int status, const char *exception,
			    const char *message)
{
	struct json_object *body, *inner;
	const char *java_class = http_exception_class(exception);
	char *fallback = NULL;

	if (java_class == NULL) {
		/* YARN's own exceptions share one package (YarnException,
		 * ApplicationNotFoundException, ...). */
		fallback = xasprintf("org.apache.hadoop.yarn.exceptions.%s", exception);
		java_class = fallback;
	}
	inner = wjson_new_object();
	wjson_add_string(inner, "exception", exception);
	wjson_add_string(inner, "message", message);
	wjson_add_string(inner, "javaClassName", java_class);
	body = wjson_new_object();
	wjson_add(body, "RemoteException", inner);
	free(fallback);
	if (status >= 500)
		log_warn("%d %s %s: %s", status, req->method_name,
			 req->path != NULL ? req->path : "?", message);
	else
		log_debug("%d %s %s: %s", status, req->method_name,
			  req->path != NULL ? req->path : "?", message);
	http_reply_json(req, status, body);
}

void
http_reply_error(struct http_request *req, int status, const char *exception, const char *fmt,
		 ...)
{
	va_list ap;
	char *message;

	va_start(ap, fmt);
	message = xvasprintf(fmt, ap);
	va_end(ap);
	http_reply_remote_exception(req, status, exception, message);
	free(message);
}

int
http_request_method(const struct http_request *req)
{
	return req->method;
}

const char *
http_request_method_name(const struct http_request *req)
{
	return req->method_name;
}

const char *
http_request_path(const struct http_request *req)
{
	return req->path;
}

const char *
http_request_param(const struct http_request *req, int n)
{
	if (n < 0 || n >= req->nparams)
		return NULL;
	return req->params[n];
}

/* Split the query string into decoded pairs, once ("a=1&b&c=%20" →
 * a="1", b="", c=" "); pairs with a malformed escape are dropped. */
static void
http_request_parse_query(struct http_request *req)
{
	const char *s = req->raw_query;

	req->query_parsed = true;
	while (s != NULL && *s != '\0') {
		const char *amp = strchr(s, '&');
		size_t len = amp != NULL ? (size_t)(amp - s) : strlen(s);
		const char *eq = memchr(s, '=', len);
		size_t name_len = eq != NULL ? (size_t)(eq - s) : len;
		size_t dlen;
		char *name, *value;

		if (len > 0) {
			name = http_percent_decode(s, name_len, true, &dlen);
			value = eq != NULL ? http_percent_decode(eq + 1, len - name_len - 1,
								 true, &dlen)
					   : xstrdup("");
			if (name != NULL && value != NULL) {
				req->query = xreallocarray(req->query, (size_t)req->nquery + 1,
							   sizeof *req->query);
				req->query[req->nquery].name = name;
				req->query[req->nquery].value = value;
				req->nquery++;
			} else {
				free(name);
				free(value);
			}
		}
		s = amp != NULL ? amp + 1 : NULL;
	}
}

const char *
http_request_query(const struct http_request *req, const char *name)
{
	struct http_request *r = (struct http_request *)req; /* lazy cache */

	if (!r->query_parsed)
		http_request_parse_query(r);
	for (int i = 0; i < r->nquery; i++) {
		if (strcmp(r->query[i].name, name) == 0)
			return r->query[i].value;
	}
	return NULL;
}

const char *
http_request_header(const struct http_request *req, const char *name)
{
	if (req->ev == NULL)
		return NULL;
	return evhttp_find_header(evhttp_request_get_input_headers(req->ev), name);
}

const char *
http_request_body(const struct http_request *req, size_t *len)
{
	if (len != NULL)
		*len = req->body_len;
	return req->body != NULL ? req->body : "";
}

struct json_object *
http_request_json(struct http_request *req)
{
	char *cause = NULL;
	struct json_object *obj;

	if (req->body_len == 0) {
		http_reply_error(req, 400, "BadRequestException",
				 "request body is empty: a JSON object is required");
		return NULL;
	}
	obj = wjson_parse_object(req->body, req->body_len, &cause);
	if (obj == NULL) {
		http_reply_error(req, 400, "BadRequestException", "%s",
				 cause != NULL ? cause : "malformed JSON");
		free(cause);
		return NULL;
	}
	return obj;
}

const char *
http_request_peer(const struct http_request *req)
{
	return req->peer != NULL ? req->peer : "?";
}

/* The connection of a deferred request closed (client gone, error, or the
 * server is being freed): tell the owner, once. */
static void
http_deferred_closed_cb(struct evhttp_connection *evcon, void *arg)
{
	struct http_request *req = arg;

	(void)evcon;
	if (req->replied || req->gone)
		return;
	req->gone = true;
	req->ev = NULL; /* evhttp frees it right after this callback */
	if (req->watch != NULL) {
		event_free(req->watch);
		req->watch = NULL;
	}
	log_debug("client of %s %s went away before the reply", req->method_name, req->path);
	if (req->on_gone != NULL) {
		/* Contract: after on_gone the owner forgets the request. */
		req->on_gone(req->gone_arg);
		http_request_free(req);
	}
	/* Without on_gone the owner will still reply: that reply is a no-op
	 * which frees the request (http_reply_on_orphan). */
}

/* While a request is deferred evhttp does not read the socket, so it would
 * only notice a closed client when the reply fails.  Peek instead. */
static void
http_deferred_watch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_request *req = arg;
	char c;
	ssize_t n;

	(void)what;
	n = recv(fd, &c, 1, MSG_PEEK);
	if (n > 0) {
		/* A pipelined request: evhttp reads it after the reply. */
		event_del(req->watch);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (req->ev != NULL) {
		struct evhttp_connection *evcon = evhttp_request_get_connection(req->ev);

		/* Runs http_deferred_closed_cb, then frees evhttp's request. */
		evhttp_connection_free(evcon);
	}
}

void
http_request_defer(struct http_request *req, void (*on_gone)(void *), void *arg)
{
	struct evhttp_connection *evcon;
	struct http_server *srv = req->srv;

	if (req->replied || req->deferred || req->ev == NULL)
		return;
	req->deferred = true;
	req->on_gone = on_gone;
	req->gone_arg = arg;
	req->next = srv->deferred;
	if (srv->deferred != NULL)
		srv->deferred->prev = req;
	srv->deferred = req;

	evcon = evhttp_request_get_connection(req->ev);
	if (evcon == NULL)
		return;
	evhttp_connection_set_closecb(evcon, http_deferred_closed_cb, req);
	struct bufferevent *bev = evhttp_connection_get_bufferevent(evcon);
	evutil_socket_t fd = bev != NULL ? bufferevent_getfd(bev) : -1;
	if (fd >= 0) {
		req->watch = event_new(srv->base, fd, EV_READ | EV_PERSIST,
				       http_deferred_watch_cb, req);
		if (req->watch != NULL)
			event_add(req->watch, NULL);
	}
}

/* The evhttp generic callback: every request of every path comes here. */
static void
http_dispatch_cb(struct evhttp_request *ev, void *arg)
{
	struct http_server *srv = arg;
	struct http_request *req = xcalloc(1, sizeof *req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
	const char *raw_path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	const char *query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
	struct evbuffer *input = evhttp_request_get_input_buffer(ev);
	struct http_route *route;
	struct http_path path;
	int allowed;
	size_t body_len;

	req->srv = srv;
	req->ev = ev;
	req->method = http_method_from_evhttp(evhttp_request_get_command(ev), &req->method_name);
	if (raw_path == NULL || *raw_path == '\0')
		raw_path = "/";
	if (query != NULL)
		req->raw_query = xstrdup(query);
	if (evcon != NULL) {
		char *host = NULL;
		ev_uint16_t port = 0;

		evhttp_connection_get_peer(evcon, &host, &port);
		if (host != NULL)
			req->peer = net_format_address(host, port);
	}
	req->in_handler = true;

	if (http_path_split(raw_path, &path) != 0) {
		req->path = xstrdup(raw_path);
		http_reply_error(req, 400, "BadRequestException",
				 "malformed percent-encoding in path %s", raw_path);
		goto done;
	}
	/* The decoded path, for handlers and logs. */
	{
		size_t total = 2;

		for (int i = 0; i < path.nsegments; i++)
			total += path.lengths[i] + 1;
		req->path = xmalloc(total);
		req->path[0] = '\0';
		for (int i = 0; i < path.nsegments; i++) {
			strcat(req->path, "/");
			strncat(req->path, path.segments[i], path.lengths[i]);
		}
		if (path.nsegments == 0)
			strcpy(req->path, "/");
	}

	route = http_server_find_route(srv, req->method, &path, &allowed);
	if (route == NULL) {
		if (allowed == 0) {
			http_reply_error(req, 404, "NotFoundException", "no resource at %s",
					 raw_path);
		} else {
			char *allow = http_allow_text(allowed);

			http_reply_add_header(req, "Allow", allow);
			http_reply_error(req, 405, "WebApplicationException",
					 "method %s is not allowed on %s (allowed: %s)",
					 req->method_name, raw_path, allow);
			free(allow);
		}
		http_path_clear(&path);
		goto done;
	}
	http_route_match(route, &path, &req->params, &req->nparams);
	http_path_clear(&path);

	body_len = evbuffer_get_length(input);
	if (body_len > (route->max_body != 0 ? route->max_body : srv->default_max_body)) {
		http_reply_error(req, 413, "WebApplicationException",
				 "request body of %zu bytes exceeds the limit of %zu bytes for %s",
				 body_len,
				 route->max_body != 0 ? route->max_body : srv->default_max_body,
				 raw_path);
		goto done;
	}
	/* NUL-terminate in place: no copy of a large upload. */
	req->body_len = body_len;
	evbuffer_add(input, "", 1);
	req->body = (const char *)evbuffer_pullup(input, -1);

	route->cb(req, route->arg);
	if (!req->replied && !req->deferred) {
		log_error("handler of %s %s returned without replying (a bug)", req->method_name,
			  req->path);
		http_reply_error(req, 500, "WebApplicationException",
				 "internal error: %s %s was not answered", req->method_name,
				 req->path);
	}
done:
	req->in_handler = false;
	if (req->replied || (req->gone && req->on_gone != NULL))
		http_request_free(req);
}

struct http_server *
http_server_new(struct event_base *base, size_t default_max_body)
{
	struct http_server *srv = xcalloc(1, sizeof *srv);

	srv->base = base;
	srv->port = -1;
	srv->default_max_body = default_max_body;
	srv->largest_max_body = default_max_body;
	srv->http = evhttp_new(base);
	if (srv->http == NULL)
		fatalx("evhttp_new failed");
	evhttp_set_gencb(srv->http, http_dispatch_cb, srv);
	evhttp_set_timeout(srv->http, HTTP_TIMEOUT_SECONDS);
	evhttp_set_max_headers_size(srv->http, HTTP_MAX_HEAD_BYTES);
	evhttp_set_max_body_size(srv->http, (ev_ssize_t)srv->largest_max_body);
	/* Let every method reach the dispatcher, which answers 405 itself
	 * with a RemoteException (evhttp would send 501 with HTML). */
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
						      EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
						      EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
						      EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
						      EVHTTP_REQ_PATCH);
	return srv;
}

int
http_server_bind(struct http_server *srv, const char *address, char **cause)
{
	struct evhttp_bound_socket *bound;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	char *host = NULL;
	int port;

	if (net_parse_address(address, &host, &port, cause) != 0)
		return -1;
	if (net_is_wildcard(host) && strcmp(host, "::") != 0) {
		free(host);
		host = xstrdup("0.0.0.0");
	}
	bound = evhttp_bind_socket_with_handle(srv->http, host, (ev_uint16_t)port);
	if (bound == NULL) {
		int saved = errno;

		set_cause(cause, "cannot listen on %s: %s", address,
			  saved != 0 ? strerror(saved) : "bind failed");
		free(host);
		return -1;
	}
	free(host);
	if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&ss, &sslen) != 0)
		return set_cause(cause, "getsockname on %s: %s", address, strerror(errno));
	if (ss.ss_family == AF_INET)
		srv->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		srv->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

int
http_server_port(const struct http_server *srv)
{
	return srv->port;
}

void
http_server_route(struct http_server *srv, int methods, const char *pattern, size_t max_body,
		  http_handler_cb cb, void *arg)
{
	struct http_route *r;
	const char *s = pattern;

	if (pattern[0] != '/')
		fatalx("route pattern %s does not start with '/'", pattern);
	srv->routes = xreallocarray(srv->routes, (size_t)srv->nroutes + 1, sizeof *srv->routes);
	r = &srv->routes[srv->nroutes++];
	memset(r, 0, sizeof *r);
	r->methods = methods;
	r->pattern = xstrdup(pattern);
	r->max_body = max_body;
	r->cb = cb;
	r->arg = arg;
	s++;
	while (*s != '\0') {
		const char *slash = strchr(s, '/');
		size_t len = slash != NULL ? (size_t)(slash - s) : strlen(s);
		struct route_segment *seg;

		r->segments = xreallocarray(r->segments, (size_t)r->nsegments + 1,
					    sizeof *r->segments);
		seg = &r->segments[r->nsegments++];
		seg->text = NULL;
		if (len == 2 && strncmp(s, "{}", 2) == 0) {
			seg->kind = SEG_PARAM;
		} else if (len == 3 && strncmp(s, "{*}", 3) == 0) {
			if (slash != NULL && slash[1] != '\0')
				fatalx("route pattern %s: {*} must be last", pattern);
			seg->kind = SEG_REST;
		} else {
			seg->kind = SEG_LITERAL;
			seg->text = xstrndup(s, len);
		}
		if (slash == NULL)
			break;
		s = slash + 1;
	}
	if (max_body > srv->largest_max_body) {
		srv->largest_max_body = max_body;
		evhttp_set_max_body_size(srv->http, (ev_ssize_t)max_body);
	}
}

void
http_server_free(struct http_server *srv)
{
	if (srv == NULL)
		return;
	/* Drops every connection; deferred requests hear of it through
	 * http_deferred_closed_cb (on_gone). */
	evhttp_free(srv->http);
	/* Orphans (gone, no on_gone, never replied to) die with the server. */
	while (srv->deferred != NULL)
		http_request_free(srv->deferred);
	for (int i = 0; i < srv->nroutes; i++) {
		for (int j = 0; j < srv->routes[i].nsegments; j++)
			free(srv->routes[i].segments[j].text);
		free(srv->routes[i].segments);
		free(srv->routes[i].pattern);
	}
	free(srv->routes);
	free(srv);
}
