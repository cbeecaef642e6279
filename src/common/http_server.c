/*
 * http_server.c — the evhttp glue of weft-rm, weft-nm and the driver.
 *
 * Owns: the route table and the one dispatcher (evhttp only routes exact
 * paths), percent-decoding of paths, parameters and query strings, YARN's
 * RemoteException error bodies, body caps (the head gate below), deferred
 * replies and the rule "exactly one reply per request".
 *
 * Life of a request: evhttp parses it and calls http_dispatch_cb(), which
 * builds a struct http_request, matches a route and runs the handler.  The
 * handler replies (the struct is freed once the handler has returned) or
 * defers (the struct lives until the reply, or until the client goes away).
 * A handler that does neither is a bug: it is logged and answered 500.
 *
 * Deferred requests and vanished clients: http_request_defer(req, on_gone,
 * arg).  If the client closes first (or the server is freed), on_gone(arg)
 * runs once and the request is freed right after it returns: the owner
 * must drop its pointer there.  Deferring without on_gone is allowed too;
 * then the request is kept after the client left, and the owner's later
 * reply is a no-op that frees it.  A reply inside on_gone is a no-op.
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
#include <sys/random.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
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
	char **segments; /* into storage */
	size_t *lengths;
	char *storage;
	int nsegments;
	bool clean; /* no segment is "", ".", ".." or holds '/' or NUL */
};

struct http_request {
	struct http_server *srv;
	struct evhttp_request *ev; /* NULL once the connection is gone */
	int method;
	const char *method_name;
	char *path;    /* decoded, no query */
	char **params; /* decoded "{}" / "{*}" values */
	int nparams;
	char *raw_query; /* undecoded query string or NULL */
	struct query_pair *query;
	int nquery;
	bool query_parsed;
	const char *body; /* in evhttp's input buffer, NUL-terminated */
	size_t body_len;
	char *peer;

	bool in_handler; /* the handler has not returned yet */
	bool replied;
	bool deferred;
	bool gone; /* the client went away before the reply */
	void (*on_gone)(void *);
	void *gone_arg;
	struct event *watch;    /* notices the client closing while deferred */
	struct http_conn *conn; /* while deferred: the connection it waits on */
	bool own_closecb;       /* while deferred without a conn record */

	/* Deferred requests, so http_server_free can reach them. */
	struct http_request *prev, *next;
};

/* What the head gate is doing on a connection. */
enum gate_state {
	GATE_HEAD,    /* collecting the next request head (withheld from evhttp) */
	GATE_BODY,    /* passing `left` bytes of an accepted body */
	GATE_DISCARD, /* dropping `left` bytes of a refused body (or all) */
};
#define GATE_FOREVER UINT64_MAX

/* Our record of one evhttp connection: its gate and deferred request. */
struct http_conn {
	struct http_server *srv;
	struct bufferevent *bev;
	struct evhttp_connection *evcon; /* NULL until attached */
	struct evbuffer_cb_entry *input_cb;
	struct event *attach;
	evutil_socket_t fd;
	struct http_request *deferred;

	enum gate_state state;
	uint64_t left;
	struct evbuffer *held;     /* the head so far */
	struct timeval head_start; /* when its first byte came */
	bool busy;                 /* the gate itself is changing the input */
	/* Scratch buffers of the gate, kept empty between calls (allocated
	 * once per connection, not on every read). */
	struct evbuffer *before, *fresh, *out, *head;

	struct http_conn *prev, *next;
};

struct http_server {
	struct event_base *base;
	struct evhttp *http;
	int port;
	size_t default_max_body;
	size_t largest_max_body;
	size_t smallest_max_body; /* bodies up to this fit every route */
	struct http_route *routes;
	int nroutes;
	struct http_request *deferred; /* deferred requests not yet answered */
	struct http_conn *conns;
	struct http_conn **conn_by_fd; /* attached connections by descriptor */
	size_t nconn_by_fd;
	char secret[33]; /* marks the gate's own requests */
};

static void http_reply_remote_exception(struct http_request *req, int status, const char *exception,
                                        const char *message);

/* The Java class YARN names for an exception, for RemoteException bodies. */
static const char *http_exception_class(const char *exception)
{
	static const struct {
		const char *name;
		const char *java_class;
	} classes[] = {
	        {"NotFoundException", "org.apache.hadoop.yarn.webapp.NotFoundException"},
	        {"BadRequestException", "org.apache.hadoop.yarn.webapp.BadRequestException"},
	        {"ForbiddenException", "org.apache.hadoop.yarn.webapp.ForbiddenException"},
	        {"WebApplicationException", "javax.ws.rs.WebApplicationException"},
	        {"AuthorizationException",
	         "org.apache.hadoop.security.authorize.AuthorizationException"},
	        {"AuthenticationException",
	         "org.apache.hadoop.security.authentication.client.AuthenticationException"},
	        {"AccessControlException", "org.apache.hadoop.security.AccessControlException"},
	        {"IllegalArgumentException", "java.lang.IllegalArgumentException"},
	        {"IllegalStateException", "java.lang.IllegalStateException"},
	        {"IOException", "java.io.IOException"},
	        {"FileNotFoundException", "java.io.FileNotFoundException"},
	        {"Exception", "java.lang.Exception"},
	};

	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
		if (strcmp(exception, classes[i].name) == 0)
			return classes[i].java_class;
	}
	return NULL;
}

/* Value of one hex digit, -1 if c is none. */
static int http_hex_value(char c)
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
static char *http_percent_decode(const char *text, size_t len, bool plus_is_space, size_t *out_len)
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
static void http_path_clear(struct http_path *p)
{
	free(p->segments);
	free(p->lengths);
	free(p->storage);
	memset(p, 0, sizeof *p);
}

/* Split a raw (encoded) path into decoded segments; a single trailing '/'
 * is ignored ("/ws/v1/cluster/" = "/ws/v1/cluster").  Three allocations
 * whatever the depth (this runs for every request).  RET 0, or -1 on a
 * malformed escape. */
static int http_path_split(const char *raw, struct http_path *p)
{
	const char *s = raw, *end;
	size_t max = 1;
	char *w;

	memset(p, 0, sizeof *p);
	p->clean = true;
	if (*s == '/')
		s++;
	end = s + strlen(s);
	if (end > s && end[-1] == '/')
		end--;
	for (const char *c = s; c < end; c++)
		max += *c == '/';
	p->segments = xcalloc(max, sizeof *p->segments);
	p->lengths = xcalloc(max, sizeof *p->lengths);
	/* Decoding never lengthens: every segment fits, each with its NUL. */
	w = p->storage = xmalloc((size_t)(end - s) + max + 1);
	while (s < end) {
		const char *slash = memchr(s, '/', (size_t)(end - s));
		const char *stop = slash != NULL ? slash : end;
		size_t len = 0;

		for (const char *c = s; c < stop; c++) {
			int hi, lo;

			if (*c != '%') {
				w[len++] = *c;
				continue;
			}
			if (stop - c < 3 || (hi = http_hex_value(c[1])) < 0 ||
			    (lo = http_hex_value(c[2])) < 0) {
				http_path_clear(p);
				return -1;
			}
			w[len++] = (char)(hi * 16 + lo);
			c += 2;
		}
		w[len] = '\0';
		p->segments[p->nsegments] = w;
		p->lengths[p->nsegments] = len;
		p->nsegments++;
		if (len == 0 || strcmp(w, ".") == 0 || strcmp(w, "..") == 0 || strlen(w) != len ||
		    memchr(w, '/', len) != NULL)
			p->clean = false;
		w += len + 1;
		s = slash != NULL ? slash + 1 : end;
	}
	return 0;
}

/* Does route r match the path?  On a match and when params is not NULL,
 * fill params (allocated, r's "{}"/"{*}" count). */
static bool http_route_match(const struct http_route *r, const struct http_path *p, char ***params,
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
static struct http_route *http_server_find_route(struct http_server *srv, int method,
                                                 const struct http_path *p, int *allowed)
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
static int http_method_from_evhttp(enum evhttp_cmd_type cmd, const char **name)
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
static char *http_allow_text(int methods)
{
	static const struct {
		int bit;
		const char *name;
	} names[] = {{HTTP_M_GET, "GET"},
	             {HTTP_M_HEAD, "HEAD"},
	             {HTTP_M_POST, "POST"},
	             {HTTP_M_PUT, "PUT"},
	             {HTTP_M_DELETE, "DELETE"}};
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
static void http_request_free(struct http_request *req)
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
static void http_request_undefer(struct http_request *req)
{
	if (!req->deferred)
		return;
	if (req->watch != NULL) {
		event_free(req->watch);
		req->watch = NULL;
	}
	if (req->conn != NULL) {
		req->conn->deferred = NULL;
		req->conn = NULL;
	} else if (req->own_closecb && req->ev != NULL) {
		struct evhttp_connection *evcon = evhttp_request_get_connection(req->ev);

		if (evcon != NULL)
			evhttp_connection_set_closecb(evcon, NULL, NULL);
	}
	req->own_closecb = false;
}

/* Start a reply: RET true when the caller may send, false when the request
 * was already answered or its client is gone (then the reply is a no-op). */
static bool http_reply_begin(struct http_request *req)
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
static void http_reply_finish(struct http_request *req, int status)
{
	struct evkeyvalq *headers = evhttp_request_get_output_headers(req->ev);
	char length[32];

	http_request_undefer(req);
	req->replied = true;
	/* evhttp sends no body to a HEAD, and no Content-Length either: give
	 * the length a GET would get (RFC 9110, 9.3.2), which clients use to
	 * size a download before they ask for ranges of it. */
	if (evhttp_request_get_command(req->ev) == EVHTTP_REQ_HEAD &&
	    evhttp_find_header(headers, "Content-Length") == NULL) {
		snprintf(length, sizeof length, "%zu",
		         evbuffer_get_length(evhttp_request_get_output_buffer(req->ev)));
		evhttp_add_header(headers, "Content-Length", length);
	}
	evhttp_send_reply(req->ev, status, NULL, NULL);
	req->ev = NULL;
	if (!req->in_handler)
		http_request_free(req);
}

/* A reply on a request whose client is gone: the late reply frees it. */
static void http_reply_on_orphan(struct http_request *req)
{
	if (req->gone && !req->in_handler && !req->replied) {
		req->replied = true;
		http_request_free(req);
	}
}

void http_reply_add_header(struct http_request *req, const char *name, const char *value)
{
	if (req->replied || req->gone || req->ev == NULL)
		return;
	evhttp_add_header(evhttp_request_get_output_headers(req->ev), name, value);
}

void http_reply_data(struct http_request *req, int status, const char *content_type,
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

void http_reply_json(struct http_request *req, int status, struct json_object *body)
{
	size_t len = 0;
	const char *text = "";

	if (body != NULL)
		text = json_object_to_json_string_length(body, JSON_C_TO_STRING_PLAIN, &len);
	http_reply_data(req, status, "application/json", text, len);
	json_object_put(body);
}

void http_reply_file(struct http_request *req, int status, const char *content_type, int fd,
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
static void http_reply_remote_exception(struct http_request *req, int status, const char *exception,
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

void http_reply_error(struct http_request *req, int status, const char *exception, const char *fmt,
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

int http_request_method(const struct http_request *req)
{
	return req->method;
}

const char *http_request_method_name(const struct http_request *req)
{
	return req->method_name;
}

const char *http_request_path(const struct http_request *req)
{
	return req->path;
}

const char *http_request_param(const struct http_request *req, int n)
{
	if (n < 0 || n >= req->nparams)
		return NULL;
	return req->params[n];
}

/* Split the query string into decoded pairs, once ("a=1&b&c=%20" →
 * a="1", b="", c=" "); pairs with a malformed escape are dropped. */
static void http_request_parse_query(struct http_request *req)
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
			value = eq != NULL ? http_percent_decode(eq + 1, len - name_len - 1, true,
			                                         &dlen)
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

const char *http_request_query(const struct http_request *req, const char *name)
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

const char *http_request_header(const struct http_request *req, const char *name)
{
	if (req->ev == NULL)
		return NULL;
	return evhttp_find_header(evhttp_request_get_input_headers(req->ev), name);
}

const char *http_request_body(const struct http_request *req, size_t *len)
{
	if (len != NULL)
		*len = req->body_len;
	return req->body != NULL ? req->body : "";
}

struct json_object *http_request_json(struct http_request *req)
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

/* Formatted on first use (only logs ask, rarely): not on every request. */
const char *http_request_peer(const struct http_request *req)
{
	struct http_request *r = (struct http_request *)req; /* lazy cache */
	struct evhttp_connection *evcon;

	if (r->peer == NULL && r->ev != NULL &&
	    (evcon = evhttp_request_get_connection(r->ev)) != NULL) {
		char *host = NULL;
		ev_uint16_t port = 0;

		evhttp_connection_get_peer(evcon, &host, &port);
		if (host != NULL)
			r->peer = net_format_address(host, port);
	}
	return r->peer != NULL ? r->peer : "?";
}

/* The connection of a deferred request closed (client gone, error, or the
 * server is being freed): tell the owner, once. */
static void http_request_gone(struct http_request *req)
{
	if (req->replied || req->gone)
		return;
	req->gone = true;
	req->ev = NULL; /* evhttp frees it right after the close callback */
	req->conn = NULL;
	req->own_closecb = false;
	if (req->watch != NULL) {
		event_free(req->watch);
		req->watch = NULL;
	}
	log_debug("client of %s %s went away before the reply", req->method_name, req->path);
	if (req->on_gone != NULL) {
		/* Contract: after on_gone the owner forgets the request.  (If
		 * its handler is still running, the dispatcher frees it.) */
		req->on_gone(req->gone_arg);
		if (!req->in_handler)
			http_request_free(req);
	}
	/* Without on_gone the owner will still reply: that reply is a no-op
	 * which frees the request (http_reply_on_orphan). */
}

/* evhttp close callback of a deferred request that has no conn record. */
static void http_deferred_closed_cb(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	http_request_gone(arg);
}

/* While a request is deferred evhttp does not read the socket, so it would
 * only notice a closed client when the reply fails.  Peek instead. */
static void http_deferred_watch_cb(evutil_socket_t fd, short what, void *arg)
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

		/* Runs the close callback (http_request_gone), then frees
		 * evhttp's request. */
		evhttp_connection_free(evcon);
	}
}

/*
 * ---- The head gate ----
 *
 * Why it exists: a body over its route's cap must be refused from the
 * declared Content-Length, before it is read, with a RemoteException body.
 * evhttp 2.1 (Debian 12) has no hook between reading a request's head and
 * its body (evhttp_set_newreqcb is 2.2 only), and its own check
 * (evhttp_set_max_body_size) answers with an HTML page.  So every
 * connection's bufferevent is made here (evhttp_set_bevcb) and a callback
 * on its input buffer sees the bytes before evhttp parses them.  The gate
 * follows evhttp 2.1's framing (a head ends at the first empty line; a
 * body is Content-Length bytes for every method except HEAD and TRACE):
 *   - it withholds a head until the head is complete, so evhttp never
 *     starts on a head the gate has not judged;
 *   - it passes an acceptable head and its body through untouched;
 *   - it replaces a head it refuses (body over the cap, chunked body, head
 *     too long or too slow, unknown method, broken framing) by a body-less
 *     request carrying a header only this server can write (a random
 *     secret); the dispatcher answers that with the error as JSON.  The
 *     refused body is dropped as it arrives; when the rest of the stream
 *     cannot be framed the answer closes the connection.
 * evhttp_set_max_body_size (largest cap of any route) stays as a backstop.
 */

/* Find the record of an attached connection. */
static struct http_conn *http_conn_lookup(struct http_server *srv, evutil_socket_t fd,
                                          struct evhttp_connection *evcon)
{
	struct http_conn *conn;

	if (fd < 0 || (size_t)fd >= srv->nconn_by_fd)
		return NULL;
	conn = srv->conn_by_fd[fd];
	return conn != NULL && conn->evcon == evcon ? conn : NULL;
}

/* Forget a connection record.  touch_bev: the bufferevent still exists
 * (remove our input callback); drop_ref: we hold a reference on it. */
static void http_conn_free(struct http_conn *conn, bool touch_bev, bool drop_ref)
{
	struct http_server *srv = conn->srv;

	if (conn->prev != NULL)
		conn->prev->next = conn->next;
	else
		srv->conns = conn->next;
	if (conn->next != NULL)
		conn->next->prev = conn->prev;
	if (conn->fd >= 0 && (size_t)conn->fd < srv->nconn_by_fd &&
	    srv->conn_by_fd[conn->fd] == conn)
		srv->conn_by_fd[conn->fd] = NULL;
	if (touch_bev && conn->input_cb != NULL)
		evbuffer_remove_cb_entry(bufferevent_get_input(conn->bev), conn->input_cb);
	if (drop_ref)
		bufferevent_decref(conn->bev);
	if (conn->attach != NULL)
		event_free(conn->attach);
	evbuffer_free(conn->held);
	evbuffer_free(conn->before);
	evbuffer_free(conn->fresh);
	evbuffer_free(conn->out);
	evbuffer_free(conn->head);
	free(conn);
}

/* evhttp is freeing the connection: drop the record, tell a waiting
 * deferred request. */
static void http_conn_closed_cb(struct evhttp_connection *evcon, void *arg)
{
	struct http_conn *conn = arg;
	struct http_request *req = conn->deferred;

	(void)evcon;
	http_conn_free(conn, true, false);
	if (req != NULL)
		http_request_gone(req);
}

/* First turn of the loop after accept: evhttp has wrapped our bufferevent
 * in a connection by now, so learn it and take its close callback. */
static void http_conn_attach_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *conn = arg;
	struct http_server *srv = conn->srv;
	bufferevent_data_cb readcb = NULL;
	void *cbarg = NULL;

	(void)fd;
	(void)what;
	event_free(conn->attach);
	conn->attach = NULL;
	/* A bufferevent evhttp already freed has no callbacks any more (our
	 * reference kept its memory). */
	bufferevent_getcb(conn->bev, &readcb, NULL, NULL, &cbarg);
	if (readcb == NULL || cbarg == NULL) {
		http_conn_free(conn, true, true);
		return;
	}
	conn->evcon = cbarg;
	conn->fd = bufferevent_getfd(conn->bev);
	if (conn->fd >= 0) {
		int one = 1;

		/* evhttp writes a whole reply at once, so Nagle's algorithm
		 * only delays the tail of a reply longer than one segment
		 * until the client's delayed ACK (40 ms a time): measured as
		 * allocate answers of a few hundred grants stalling. */
		setsockopt(conn->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if ((size_t)conn->fd >= srv->nconn_by_fd) {
			size_t n = srv->nconn_by_fd != 0 ? srv->nconn_by_fd : 64;

			while (n <= (size_t)conn->fd)
				n *= 2;
			srv->conn_by_fd =
			        xreallocarray(srv->conn_by_fd, n, sizeof *srv->conn_by_fd);
			memset(srv->conn_by_fd + srv->nconn_by_fd, 0,
			       (n - srv->nconn_by_fd) * sizeof *srv->conn_by_fd);
			srv->nconn_by_fd = n;
		}
		srv->conn_by_fd[conn->fd] = conn;
	}
	evhttp_connection_set_closecb(conn->evcon, http_conn_closed_cb, conn);
	bufferevent_decref(conn->bev);
}

/* Replace a refused head by a body-less request the dispatcher answers
 * with the error; then drop the refused body (or everything, closing). */
static void http_gate_refuse(struct http_conn *conn, struct evbuffer *out, const char *request_line,
                             int status, uint64_t a, uint64_t b, const char *word, bool close_after)
{
	evbuffer_add_printf(out,
	                    "%s\r\nHost: weft\r\nContent-Length: 0\r\n"
	                    "X-Weft-Gate: %s %d %llu %llu %s\r\n%s\r\n",
	                    request_line != NULL ? request_line : "GET / HTTP/1.1",
	                    conn->srv->secret, status, (unsigned long long)a, (unsigned long long)b,
	                    word != NULL ? word : "-", close_after ? "Connection: close\r\n" : "");
	conn->state = GATE_DISCARD;
	conn->left = close_after ? GATE_FOREVER : a;
	if (conn->left == 0)
		conn->state = GATE_HEAD;
}

/* The body cap of the route a request would reach. */
static uint64_t http_gate_cap(struct http_server *srv, int method, const char *target)
{
	struct evhttp_uri *uri = evhttp_uri_parse_with_flags(target, EVHTTP_URI_NONCONFORMANT);
	const char *raw = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	struct http_route *route = NULL;
	struct http_path path;
	int allowed;

	if (raw == NULL || *raw == '\0')
		raw = "/";
	if (method != 0 && http_path_split(raw, &path) == 0) {
		route = http_server_find_route(srv, method, &path, &allowed);
		http_path_clear(&path);
	}
	if (uri != NULL)
		evhttp_uri_free(uri);
	return route != NULL && route->max_body != 0 ? route->max_body : srv->default_max_body;
}

/* The HTTP_M_* bit of a method name (0 when routes cannot name it). */
static int http_method_bit(const char *name)
{
	static const struct {
		const char *name;
		int bit;
	} bits[] = {{"GET", HTTP_M_GET},
	            {"POST", HTTP_M_POST},
	            {"PUT", HTTP_M_PUT},
	            {"DELETE", HTTP_M_DELETE},
	            {"HEAD", HTTP_M_HEAD}};

	for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
		if (strcmp(name, bits[i].name) == 0)
			return bits[i].bit;
	}
	return 0;
}

/* What the gate read in a request head. */
struct gate_head {
	char method[16];
	char *line;   /* the request line */
	char *target; /* inside line */
	const char *content_length, *transfer_encoding, *expect, *connection;
	bool known_method;
	bool bad_header;      /* a line evhttp would refuse */
	bool folded_critical; /* Content-Length or Transfer-Encoding folded */
};

/* Parse a head (text is modified in place).  RET false when the request
 * line itself is unusable. */
static bool http_gate_parse(char *text, size_t len, struct gate_head *h)
{
	static const char *const known[] = {"GET",     "POST",  "HEAD",    "PUT",  "DELETE",
	                                    "OPTIONS", "TRACE", "CONNECT", "PATCH"};
	char *p = text, *sp1, *sp2;
	bool any_header = false, last_critical = false;

	memset(h, 0, sizeof *h);
	for (int n = 0; p < text + len; n++) {
		char *nl = memchr(p, '\n', (size_t)(text + len - p));
		char *next = nl != NULL ? nl + 1 : text + len;
		char *e = nl != NULL ? nl : text + len, *colon, *value, *vend;

		/* Lines end in "\n" or "\r\n" (EVBUFFER_EOL_CRLF, as evhttp). */
		if (e > p && e[-1] == '\r')
			e--;
		*e = '\0';
		if (n == 0) {
			h->line = p;
		} else if (*p == '\0') {
			break; /* the empty line ends the head */
		} else if (*p == ' ' || *p == '\t') {
			/* A folded continuation of the previous header. */
			h->bad_header = h->bad_header || !any_header;
			h->folded_critical = h->folded_critical || last_critical;
		} else if ((colon = strchr(p, ':')) == NULL) {
			h->bad_header = true;
		} else {
			*colon = '\0';
			value = colon + 1 + strspn(colon + 1, " ");
			vend = value + strlen(value);
			while (vend > value && (vend[-1] == ' ' || vend[-1] == '\t'))
				*--vend = '\0';
			any_header = true;
			last_critical = false;
			/* The first header of a name wins (evhttp_find_header). */
			if (strcasecmp(p, "Content-Length") == 0) {
				last_critical = true;
				if (h->content_length == NULL)
					h->content_length = value;
			} else if (strcasecmp(p, "Transfer-Encoding") == 0) {
				last_critical = true;
				if (h->transfer_encoding == NULL)
					h->transfer_encoding = value;
			} else if (strcasecmp(p, "Expect") == 0 && h->expect == NULL) {
				h->expect = value;
			} else if (strcasecmp(p, "Connection") == 0 && h->connection == NULL) {
				h->connection = value;
			}
		}
		p = next;
	}
	if (h->line == NULL)
		return false;
	sp1 = strchr(h->line, ' ');
	sp2 = strrchr(h->line, ' ');
	if (sp1 == NULL || sp1 == sp2 || sp1 == h->line)
		return false;
	if ((size_t)(sp1 - h->line) < sizeof h->method) {
		memcpy(h->method, h->line, (size_t)(sp1 - h->line));
		h->method[sp1 - h->line] = '\0';
		for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
			h->known_method = h->known_method || strcmp(h->method, known[i]) == 0;
	}
	h->target = xstrndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	return true;
}

/* Judge one complete head (its bytes in head): move it on to evhttp
 * through out, or refuse it. */
static void http_gate_judge(struct http_conn *conn, struct evbuffer *head, struct evbuffer *out)
{
	size_t len = evbuffer_get_length(head);
	char *text = xmalloc(len + 1), *line_copy = NULL, *end;
	struct gate_head h;
	long long cl;
	uint64_t cap;
	bool close_after;

	evbuffer_copyout(head, text, len);
	text[len] = '\0';
	/* Empty lines before a request are ignored (RFC 7230, 3.5); evhttp
	 * would refuse them, so they are not passed on. */
	{
		size_t blank = strspn(text, "\r\n");

		evbuffer_drain(head, blank);
		memmove(text, text + blank, len - blank + 1);
		len -= blank;
	}
	if (memchr(text, '\0', len) != NULL) {
		evbuffer_drain(head, len);
		http_gate_refuse(conn, out, NULL, 400, 0, 0, "header", true);
		free(text);
		return;
	}
	if (!http_gate_parse(text, len, &h)) {
		evbuffer_drain(head, len);
		http_gate_refuse(conn, out, NULL, 400, 0, 0, "request-line", true);
		free(text);
		return;
	}
	if (!h.known_method) {
		evbuffer_drain(head, len);
		http_gate_refuse(conn, out, NULL, 501, 0, 0, "method", true);
	} else if (h.bad_header) {
		evbuffer_drain(head, len);
		http_gate_refuse(conn, out, NULL, 400, 0, 0, "header", true);
	} else if (strcmp(h.method, "HEAD") == 0 || strcmp(h.method, "TRACE") == 0 ||
	           (h.content_length == NULL && h.transfer_encoding == NULL)) {
		/* No body: evhttp 2.1 reads none for HEAD and TRACE, and
		 * none without Content-Length or chunked coding. */
		evbuffer_add_buffer(out, head);
		conn->state = GATE_HEAD;
	} else if (h.transfer_encoding != NULL && strcasecmp(h.transfer_encoding, "chunked") == 0) {
		evbuffer_drain(head, len);
		http_gate_refuse(conn, out, NULL, 411, 0, 0, "chunked", true);
	} else if (h.folded_critical) {
		evbuffer_drain(head, len);
		http_gate_refuse(conn, out, NULL, 400, 0, 0, "content-length", true);
	} else if (h.content_length == NULL) {
		evbuffer_add_buffer(out, head);
		conn->state = GATE_HEAD;
	} else {
		cl = strtoll(h.content_length, &end, 10);
		if (*h.content_length == '\0' || *end != '\0' || cl < 0) {
			evbuffer_drain(head, len);
			http_gate_refuse(conn, out, NULL, 400, 0, 0, "content-length", true);
			/* A body within every route's cap needs no route lookup. */
		} else if ((uint64_t)cl > conn->srv->smallest_max_body &&
		           (uint64_t)cl > (cap = http_gate_cap(conn->srv, http_method_bit(h.method),
		                                               h.target))) {
			/* A client waiting for "100 Continue" sends no body:
			 * close after the answer instead of waiting for one. */
			close_after =
			        (h.expect != NULL && strcasecmp(h.expect, "100-continue") == 0) ||
			        (h.connection != NULL && strcasecmp(h.connection, "close") == 0);
			line_copy =
			        xasprintf("%s %s %s", h.method, h.target, strrchr(h.line, ' ') + 1);
			evbuffer_drain(head, len);
			http_gate_refuse(conn, out, line_copy, 413, (uint64_t)cl, cap, NULL,
			                 close_after);
		} else {
			evbuffer_add_buffer(out, head);
			conn->state = cl > 0 ? GATE_BODY : GATE_HEAD;
			conn->left = (uint64_t)cl;
		}
	}
	free(line_copy);
	free(h.target);
	free(text);
}

/* Offset just past the empty line that ends a head in buf, or -1. */
static ssize_t http_gate_head_end(struct evbuffer *buf)
{
	struct evbuffer_ptr pos, eol;
	size_t eol_len;
	bool content = false;

	if (evbuffer_ptr_set(buf, &pos, 0, EVBUFFER_PTR_SET) != 0)
		return -1;
	for (;;) {
		eol_len = 0;
		eol = evbuffer_search_eol(buf, &pos, &eol_len, EVBUFFER_EOL_CRLF);
		if (eol.pos < 0)
			return -1;
		/* Empty lines before the request line do not end it. */
		if (eol.pos == pos.pos && content)
			return (ssize_t)(eol.pos + (ssize_t)eol_len);
		content = content || eol.pos > pos.pos;
		if (evbuffer_ptr_set(buf, &pos, (size_t)eol.pos + eol_len, EVBUFFER_PTR_SET) != 0)
			return -1;
	}
}

/* Run the new bytes (fresh) through the gate, appending to out what
 * evhttp may see. */
static void http_gate_process(struct http_conn *conn, struct evbuffer *fresh, struct evbuffer *out)
{
	while (evbuffer_get_length(fresh) > 0) {
		size_t len = evbuffer_get_length(fresh), n;
		struct evbuffer *head;
		struct timeval now;
		ssize_t end;

		switch (conn->state) {
		case GATE_BODY:
			n = (uint64_t)len < conn->left ? len : (size_t)conn->left;
			evbuffer_remove_buffer(fresh, out, n);
			conn->left -= n;
			if (conn->left == 0)
				conn->state = GATE_HEAD;
			break;
		case GATE_DISCARD:
			n = (uint64_t)len < conn->left ? len : (size_t)conn->left;
			evbuffer_drain(fresh, n);
			if (conn->left != GATE_FOREVER) {
				conn->left -= n;
				if (conn->left == 0)
					conn->state = GATE_HEAD;
			}
			break;
		case GATE_HEAD:
			event_base_gettimeofday_cached(conn->srv->base, &now);
			if (evbuffer_get_length(conn->held) == 0)
				conn->head_start = now;
			evbuffer_add_buffer(conn->held, fresh);
			end = http_gate_head_end(conn->held);
			if (end < 0) {
				/* Incomplete: refuse one too long, or one that
				 * trickles in for longer than the idle timeout. */
				if (evbuffer_get_length(conn->held) > HTTP_MAX_HEAD_BYTES) {
					evbuffer_drain(conn->held, evbuffer_get_length(conn->held));
					http_gate_refuse(conn, out, NULL, 431, HTTP_MAX_HEAD_BYTES,
					                 0, NULL, true);
				} else if (now.tv_sec - conn->head_start.tv_sec >
				           HTTP_TIMEOUT_SECONDS) {
					evbuffer_drain(conn->held, evbuffer_get_length(conn->held));
					http_gate_refuse(conn, out, NULL, 408, HTTP_TIMEOUT_SECONDS,
					                 0, NULL, true);
				}
				break;
			}
			head = conn->head;
			evbuffer_remove_buffer(conn->held, head, (size_t)end);
			evbuffer_add_buffer(fresh, conn->held); /* bytes after the head */
			http_gate_judge(conn, head, out);
			evbuffer_drain(head, evbuffer_get_length(head));
			break;
		}
	}
}

/* Bytes arrived on a connection: before evhttp looks at them, take the new
 * ones out, run them through the gate and put back what evhttp may see. */
static void http_gate_input_cb(struct evbuffer *input, const struct evbuffer_cb_info *info,
                               void *arg)
{
	struct http_conn *conn = arg;
	struct evbuffer *before, *fresh, *out;
	size_t total;

	if (conn->busy || info->n_added == 0)
		return;
	/* The common case of a large upload: body bytes pass as they are. */
	if (conn->state == GATE_BODY && conn->left >= info->n_added) {
		conn->left -= info->n_added;
		if (conn->left == 0)
			conn->state = GATE_HEAD;
		return;
	}
	conn->busy = true;
	before = conn->before;
	fresh = conn->fresh;
	out = conn->out;
	total = evbuffer_get_length(input);
	/* The new bytes are the last n_added; what precedes them evhttp has
	 * not read yet and keeps. */
	evbuffer_remove_buffer(input, before, total > info->n_added ? total - info->n_added : 0);
	evbuffer_add_buffer(fresh, input);
	http_gate_process(conn, fresh, out);
	evbuffer_add_buffer(input, before);
	evbuffer_add_buffer(input, out);
	conn->busy = false;
}

/* evhttp_set_bevcb: every accepted connection gets our bufferevent, with
 * the gate on its input. */
static struct bufferevent *http_conn_bev_cb(struct event_base *base, void *arg)
{
	struct http_server *srv = arg;
	struct http_conn *conn = xcalloc(1, sizeof *conn);

	conn->srv = srv;
	conn->fd = -1;
	conn->state = GATE_HEAD;
	conn->held = evbuffer_new();
	conn->before = evbuffer_new();
	conn->fresh = evbuffer_new();
	conn->out = evbuffer_new();
	conn->head = evbuffer_new();
	conn->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (conn->held == NULL || conn->before == NULL || conn->fresh == NULL ||
	    conn->out == NULL || conn->head == NULL || conn->bev == NULL)
		fatalx("cannot allocate a connection");
	conn->input_cb =
	        evbuffer_add_cb(bufferevent_get_input(conn->bev), http_gate_input_cb, conn);
	/* evhttp wraps the bufferevent in a connection right after this
	 * returns; learn that connection before any of its I/O is processed
	 * (an event activated now runs in this very turn of the loop), and
	 * hold a reference so the bufferevent outlives an early failure. */
	bufferevent_incref(conn->bev);
	conn->attach = event_new(base, -1, 0, http_conn_attach_cb, conn);
	if (conn->attach == NULL)
		fatalx("event_new failed");
	event_active(conn->attach, EV_TIMEOUT, 1);
	conn->next = srv->conns;
	if (srv->conns != NULL)
		srv->conns->prev = conn;
	srv->conns = conn;
	return conn->bev;
}

/* A request made by the gate: answer its error.  RET false when marker is
 * not ours (a client may send any header). */
static bool http_gate_answer(struct http_request *req, const char *marker)
{
	char secret[40], word[32];
	int status;
	unsigned long long a, b;

	if (sscanf(marker, "%39s %d %llu %llu %31s", secret, &status, &a, &b, word) != 5 ||
	    strcmp(secret, req->srv->secret) != 0)
		return false;
	switch (status) {
	case 413:
		http_reply_error(
		        req, 413, "WebApplicationException",
		        "request body of %llu bytes exceeds the limit of %llu bytes for %s", a, b,
		        req->path != NULL ? req->path : "/");
		break;
	case 411:
		http_reply_error(req, 411, "WebApplicationException",
		                 "a request body needs a Content-Length "
		                 "(chunked bodies are not accepted)");
		break;
	case 431:
		http_reply_error(req, 431, "WebApplicationException",
		                 "request head exceeds %llu bytes", a);
		break;
	case 408:
		http_reply_error(req, 408, "WebApplicationException",
		                 "request head not complete within %llu seconds", a);
		break;
	case 501:
		http_reply_error(req, 501, "WebApplicationException",
		                 "request method not supported");
		break;
	default:
		http_reply_error(req, 400, "BadRequestException", "malformed request (%s)", word);
		break;
	}
	return true;
}

void http_request_defer(struct http_request *req, void (*on_gone)(void *), void *arg)
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
	struct bufferevent *bev = evhttp_connection_get_bufferevent(evcon);
	evutil_socket_t fd = bev != NULL ? bufferevent_getfd(bev) : -1;
	struct http_conn *conn = http_conn_lookup(srv, fd, evcon);

	/* The connection's close callback belongs to its conn record, which
	 * passes the news on; without one (never expected) take it over. */
	if (conn != NULL) {
		conn->deferred = req;
		req->conn = conn;
	} else {
		log_warn("no connection record for a deferred %s %s", req->method_name, req->path);
		evhttp_connection_set_closecb(evcon, http_deferred_closed_cb, req);
		req->own_closecb = true;
	}
	if (fd >= 0) {
		req->watch =
		        event_new(srv->base, fd, EV_READ | EV_PERSIST, http_deferred_watch_cb, req);
		if (req->watch != NULL)
			event_add(req->watch, NULL);
	}
}

/* The evhttp generic callback: every request of every path comes here. */
static void http_dispatch_cb(struct evhttp_request *ev, void *arg)
{
	struct http_server *srv = arg;
	struct http_request *req = xcalloc(1, sizeof *req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
	const char *raw_path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	const char *query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	struct evbuffer *input = evhttp_request_get_input_buffer(ev);
	struct http_route *route;
	struct http_path path;
	const char *marker;
	int allowed;
	size_t body_len;

	req->srv = srv;
	req->ev = ev;
	req->method = http_method_from_evhttp(evhttp_request_get_command(ev), &req->method_name);
	if (raw_path == NULL || *raw_path == '\0')
		raw_path = "/";
	if (query != NULL)
		req->raw_query = xstrdup(query);
	req->in_handler = true;

	if (http_path_split(raw_path, &path) != 0) {
		req->path = xstrdup(raw_path);
		marker = evhttp_find_header(evhttp_request_get_input_headers(ev), "X-Weft-Gate");
		if (marker == NULL || !http_gate_answer(req, marker))
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
	/* The gate's stand-in for a request it refused. */
	marker = evhttp_find_header(evhttp_request_get_input_headers(ev), "X-Weft-Gate");
	if (marker != NULL && http_gate_answer(req, marker)) {
		http_path_clear(&path);
		goto done;
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
		http_reply_error(
		        req, 413, "WebApplicationException",
		        "request body of %zu bytes exceeds the limit of %zu bytes for %s", body_len,
		        route->max_body != 0 ? route->max_body : srv->default_max_body, raw_path);
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

/* A random token for the gate's marker header (unguessable by clients). */
static void http_server_make_secret(struct http_server *srv)
{
	unsigned char raw[16];
	struct timespec ts;

	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		for (size_t i = 0; i < sizeof raw; i++)
			raw[i] = (unsigned char)((uintptr_t)srv >> (i % 8) ^
			                         (unsigned)ts.tv_nsec >> i ^
			                         (unsigned)getpid() << i);
	}
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(srv->secret + 2 * i, 3, "%02x", raw[i]);
}

struct http_server *http_server_new(struct event_base *base, size_t default_max_body)
{
	struct http_server *srv = xcalloc(1, sizeof *srv);

	srv->base = base;
	srv->port = -1;
	srv->default_max_body = default_max_body;
	srv->largest_max_body = default_max_body;
	srv->smallest_max_body = default_max_body;
	srv->http = evhttp_new(base);
	if (srv->http == NULL)
		fatalx("evhttp_new failed");
	evhttp_set_gencb(srv->http, http_dispatch_cb, srv);
	evhttp_set_bevcb(srv->http, http_conn_bev_cb, srv);
	http_server_make_secret(srv);
	evhttp_set_timeout(srv->http, HTTP_TIMEOUT_SECONDS);
	/* The gate answers heads over HTTP_MAX_HEAD_BYTES itself (JSON);
	 * evhttp's own cap only backs it up. */
	evhttp_set_max_headers_size(srv->http, HTTP_MAX_HEAD_BYTES + 4096);
	evhttp_set_max_body_size(srv->http, (ev_ssize_t)srv->largest_max_body);
	/* Let every method reach the dispatcher, which answers 405 itself
	 * with a RemoteException (evhttp would send 501 with HTML). */
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
	                                              EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	                                              EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
	                                              EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	return srv;
}

int http_server_bind(struct http_server *srv, const char *address, char **cause)
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

int http_server_port(const struct http_server *srv)
{
	return srv->port;
}

void http_server_route(struct http_server *srv, int methods, const char *pattern, size_t max_body,
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

		r->segments =
		        xreallocarray(r->segments, (size_t)r->nsegments + 1, sizeof *r->segments);
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
	if (max_body != 0 && max_body < srv->smallest_max_body)
		srv->smallest_max_body = max_body;
	if (max_body > srv->largest_max_body) {
		srv->largest_max_body = max_body;
		evhttp_set_max_body_size(srv->http, (ev_ssize_t)max_body);
	}
}

void http_server_free(struct http_server *srv)
{
	if (srv == NULL)
		return;
	/* Drops every connection; deferred requests hear of it through the
	 * connection's close callback (http_request_gone: on_gone). */
	evhttp_free(srv->http);
	/* Records evhttp did not close: accepted in this very turn of the
	 * loop (not attached yet; we hold their bufferevent), or, should
	 * evhttp ever skip its close callback, attached ones whose
	 * bufferevent is gone. */
	while (srv->conns != NULL) {
		struct http_conn *conn = srv->conns;
		bool ours = conn->attach != NULL;

		http_conn_free(conn, ours, ours);
	}
	free(srv->conn_by_fd);
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
