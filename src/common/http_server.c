/*
 * http_server.c — the HTTP/1.1 server of weft-rm, weft-nm, the driver and
 * weft-sls.
 *
 * Owns: listening, connections and their framing (heads parsed by
 * http_head.c, bodies framed by Content-Length), the route table and its
 * dispatcher, percent-decoding of paths, parameters and query strings,
 * YARN's RemoteException error bodies, body caps checked on the declared
 * length before a byte of the body is read, deferred replies and the rule
 * "exactly one reply per request".
 *
 * Why its own connection code and not evhttp: evhttp 2.1 (Debian 12) has
 * no hook between a request's head and its body, so a cap could only be
 * enforced by a filter that re-parsed every head in front of it, and per
 * request it allocates header lists, formats headers with printf and
 * re-arms the socket's events (two epoll_ctl calls a request).  Measured
 * on weft-rm under 50,000 NM heartbeats a second, that was over a third of
 * its CPU.  Here a connection is a socket with one persistent read event
 * (its timeout catches idle and half-sent connections), an input and an
 * output evbuffer, and a write event armed only when a reply could not be
 * written at once: a request costs one read and one writev.
 *
 * Life of a request: the head is parsed when complete (at most
 * HTTP_MAX_HEAD_BYTES), the route chosen and the body's declared length
 * checked against the route's cap; then the body is read and the handler
 * runs.  It replies (the request is freed once the handler has returned)
 * or defers (the request lives until the reply, or until the client goes
 * away).  A handler that does neither is a bug: it is logged and answered
 * 500.  Requests on one connection are served one at a time, in order
 * (pipelined ones wait in the input buffer).
 *
 * Deferred requests and vanished clients: http_request_defer(req, on_gone,
 * arg).  If the client closes first (or the server is freed), on_gone(arg)
 * runs once and the request is freed right after it returns: the owner
 * must drop its pointer there.  Deferring without on_gone is allowed too;
 * then the request is kept after the client left, and the owner's later
 * reply is a no-op that frees it.  A reply inside on_gone is a no-op.
 *
 * Errors before the handler (all with a RemoteException body): a malformed
 * head 400, an unsupported version 505, an unknown method 501, a chunked
 * or otherwise transfer-coded body 411, a body over the cap 413, a head
 * over HTTP_MAX_HEAD_BYTES 431, a head or body not complete within the
 * timeout 408.  When the stream can still be framed (a 413 whose client
 * did not ask for "100 Continue") the refused body is skipped and the
 * connection goes on; otherwise the reply closes it, lingering a moment so
 * that the client reads the reply rather than a reset.
 */
#include "weft_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "common/http_head.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/ref.h"
#include "common/net.h"
#include "common/wjson.h"
#include "common/xmalloc.h"

/* Longest request head (request line + headers) a client may send. */
#define HTTP_MAX_HEAD_BYTES (64 * 1024)
/* Seconds a connection may sit idle or half-sent, or not read a reply
 * (http_server_set_timeout changes it). */
#define HTTP_TIMEOUT_SECONDS 30
/* Seconds a closing connection keeps reading (and dropping) what the
 * client still sends, so that the client sees the reply, not a reset. */
#define HTTP_LINGER_SECONDS 2
/* Bytes asked of the kernel per read (more while a large body arrives). */
#define HTTP_READ_BYTES      16384
#define HTTP_READ_BODY_BYTES (256 * 1024)
/* Input kept while a request waits for its handler; past it the
 * connection is not read until the reply. */
#define HTTP_HELD_INPUT_MAX (4 * HTTP_MAX_HEAD_BYTES)
/* Accepting paused this long when out of descriptors. */
#define HTTP_ACCEPT_PAUSE_MS 500
/* Connections taken per readable event of the listening socket, so that a
 * burst of connects cannot hold the loop. */
#define HTTP_ACCEPT_BATCH 64
/* Seconds a client refused for its address's cap is told to wait. */
#define HTTP_REFUSED_RETRY_AFTER "1"

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

/* What a connection is doing. */
enum conn_state {
	CONN_HEAD,    /* waiting for (the rest of) a request head */
	CONN_BODY,    /* reading conn->req's body */
	CONN_DISCARD, /* dropping conn->left bytes of a refused body */
	CONN_HANDLER, /* conn->req is with its handler (deferred) */
	CONN_CLOSING, /* sending what is queued, then closing */
	CONN_LINGER,  /* write side shut: dropping input until EOF */
};

struct http_conn {
	struct http_server *srv;
	evutil_socket_t fd;
	struct event *rev; /* persistent; its timeout is the idle timeout */
	struct event *wev; /* armed only while output waits */
	struct evbuffer *in, *out;
	enum conn_state state;
	struct http_request *req;  /* being read or served */
	uint64_t left;             /* CONN_DISCARD */
	struct timeval head_start; /* first byte of the head in progress */
	bool head_started;
	bool read_off;  /* rev deleted: too much input held */
	bool write_on;  /* wev added */
	bool eof;       /* the client will send nothing more */
	bool refused;   /* answered 429 for its address's cap: not counted */
	struct ref ref; /* dead: socket closed; held by its callbacks on the stack */
	union {
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	} peer;
	struct http_conn *prev, *next;
};

struct reply_header {
	char *name;
	char *value;
};

struct http_request {
	struct http_server *srv;
	struct http_conn *conn; /* NULL once the client is gone */
	int method;
	const char *method_name;
	bool keep_alive;
	char *head_text; /* the head, parsed in place into head */
	struct http_head head;
	struct http_route *route;
	char *path;    /* decoded, no query */
	char **params; /* decoded "{}" / "{*}" values */
	int nparams;
	char *raw_query; /* undecoded query string or NULL */
	struct query_pair *query;
	int nquery;
	bool query_parsed;
	char *body; /* NUL-terminated, or NULL when empty */
	size_t body_len;
	char *peer;
	struct reply_header *out_headers;
	int nout_headers;

	struct ref ref; /* dead once answered or forgotten; held by its handler */
	bool replied;
	bool deferred;
	bool gone; /* the client went away before the reply */
	void (*on_gone)(void *);
	void *gone_arg;

	/* Deferred requests, so http_server_free can reach them. */
	struct http_request *prev, *next;
};

struct http_server {
	struct event_base *base;
	evutil_socket_t listen_fd; /* -1 until http_server_bind */
	struct event *accept_ev;   /* readable listening socket */
	struct event *accept_pause;
	int port;
	int priority;        /* of every event of the server; -1 = default */
	int max_per_address; /* open connections one peer address may hold; 0 = any */
	size_t default_max_body;
	struct http_route *routes;
	int nroutes;
	struct http_request *deferred; /* deferred requests not yet answered */
	struct http_conn *conns;
	const struct timeval *timeout; /* libevent common timeout */
	int timeout_seconds;
	const struct timeval *linger;
	time_t date_second;
	char date[40]; /* IMF-fixdate of date_second */
};

static void http_reply_remote_exception(struct http_request *req, int status, const char *exception,
                                        const char *message);
static void http_conn_process(struct http_conn *conn);

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

/* The HTTP_M_* bit and canonical name of a method; 0 for methods routes
 * cannot name; -1 for a method this server does not know at all. */
static int http_method_parse(const char *name, const char **canonical)
{
	static const struct {
		const char *name;
		int bit;
	} methods[] = {{"GET", HTTP_M_GET},   {"POST", HTTP_M_POST},
	               {"PUT", HTTP_M_PUT},   {"DELETE", HTTP_M_DELETE},
	               {"HEAD", HTTP_M_HEAD}, {"OPTIONS", 0},
	               {"TRACE", 0},          {"CONNECT", 0},
	               {"PATCH", 0}};

	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		if (strcmp(name, methods[i].name) == 0) {
			*canonical = methods[i].name;
			return methods[i].bit;
		}
	}
	*canonical = "UNKNOWN";
	return -1;
}

/* The reason phrase of a status code (RFC 9110, 15). */
static const char *http_reason(int status)
{
	switch (status) {
	case 100:
		return "Continue";
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 206:
		return "Partial Content";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 303:
		return "See Other";
	case 304:
		return "Not Modified";
	case 307:
		return "Temporary Redirect";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 410:
		return "Gone";
	case 411:
		return "Length Required";
	case 412:
		return "Precondition Failed";
	case 413:
		return "Content Too Large";
	case 415:
		return "Unsupported Media Type";
	case 416:
		return "Range Not Satisfiable";
	case 417:
		return "Expectation Failed";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		break;
	}
	return status < 300   ? "OK"
	       : status < 400 ? "Redirect"
	       : status < 500 ? "Client Error"
	                      : "Server Error";
}

/* The Date field value, formatted once a second (RFC 9110 5.6.7, in the
 * C locale whatever the process's). */
static const char *http_server_date(struct http_server *srv)
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct timeval tv;
	struct tm tm;
	time_t t;

	if (event_base_gettimeofday_cached(srv->base, &tv) != 0)
		gettimeofday(&tv, NULL);
	t = tv.tv_sec;
	if (t != srv->date_second || srv->date[0] == '\0') {
		gmtime_r(&t, &tm);
		snprintf(srv->date, sizeof srv->date, "%s, %02d %s %04d %02d:%02d:%02d GMT",
		         days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
		         tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
		srv->date_second = t;
	}
	return srv->date;
}

/* --- requests --- */

/* Free a request (its connection must no longer point at it). */
static void http_request_free(struct http_request *req)
{
	struct http_server *srv = req->srv;

	if (req->deferred) {
		if (req->prev != NULL)
			req->prev->next = req->next;
		else if (srv != NULL && srv->deferred == req)
			srv->deferred = req->next;
		if (req->next != NULL)
			req->next->prev = req->prev;
	}
	http_head_clear(&req->head);
	free(req->head_text);
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
	free(req->body);
	free(req->peer);
	for (int i = 0; i < req->nout_headers; i++) {
		free(req->out_headers[i].name);
		free(req->out_headers[i].value);
	}
	free(req->out_headers);
	free(req);
}

/* The request is answered or forgotten: free it now, or when its handler
 * returns. */
static void http_request_drop(struct http_request *req)
{
	if (ref_kill(&req->ref))
		http_request_free(req);
}

/* The client of a request went away (connection closed, error, or the
 * server is being freed) before the reply: tell the owner, once. */
static void http_request_gone(struct http_request *req)
{
	if (req->replied || req->gone)
		return;
	req->gone = true;
	req->conn = NULL;
	log_debug("client of %s %s went away before the reply", req->method_name,
	          req->path != NULL ? req->path : "?");
	if (!req->deferred) {
		/* Still being read, or its handler is running (which frees
		 * it when it returns). */
		http_request_drop(req);
		return;
	}
	if (req->on_gone != NULL) {
		/* Contract: after on_gone the owner forgets the request.  (If
		 * its handler is still running, the dispatcher frees it.) */
		req->on_gone(req->gone_arg);
		http_request_drop(req);
	}
	/* Without on_gone the owner will still reply: that reply is a no-op
	 * which frees the request (http_reply_on_orphan). */
}

/* --- connections: output --- */

/* Stop watching for writability (the output is empty). */
static void http_conn_write_off(struct http_conn *conn)
{
	if (conn->write_on) {
		event_del(conn->wev);
		conn->write_on = false;
	}
}

/* Whether the connection's socket is closed (its memory may live on). */
static bool http_conn_closed(const struct http_conn *conn)
{
	return ref_dead(&conn->ref);
}

/* (Re)start reading with the idle timeout, or without one while a request
 * is with its handler (a deferred answer may take its time). */
static void http_conn_read_on(struct http_conn *conn)
{
	const struct timeval *tv = NULL;

	/* At EOF a socket stays readable: watching it would spin. */
	if (http_conn_closed(conn) || conn->eof)
		return;
	if (conn->state == CONN_LINGER)
		tv = conn->srv->linger;
	else if (conn->state != CONN_HANDLER)
		tv = conn->srv->timeout;
	event_add(conn->rev, tv);
	conn->read_off = false;
}

/* Free a closed connection's memory. */
static void http_conn_destroy(struct http_conn *conn)
{
	event_free(conn->rev);
	event_free(conn->wev);
	evbuffer_free(conn->in);
	evbuffer_free(conn->out);
	free(conn);
}

/* Close the socket and drop the connection: a request it was reading is
 * freed, one with its handler hears it is gone.  The memory goes when no
 * callback of the connection is on the stack any more. */
static void http_conn_close(struct http_conn *conn)
{
	struct http_server *srv = conn->srv;
	struct http_request *req = conn->req;

	if (http_conn_closed(conn))
		return;
	ref_hold(&conn->ref); /* until the end of this function */
	(void)ref_kill(&conn->ref);
	if (conn->prev != NULL)
		conn->prev->next = conn->next;
	else
		srv->conns = conn->next;
	if (conn->next != NULL)
		conn->next->prev = conn->prev;
	conn->prev = conn->next = NULL;
	event_del(conn->rev);
	event_del(conn->wev);
	conn->write_on = false;
	evutil_closesocket(conn->fd);
	conn->fd = -1;
	conn->req = NULL;
	if (req != NULL)
		http_request_gone(req);
	if (ref_release(&conn->ref))
		http_conn_destroy(conn);
}

/* A callback of the connection starts / ends: the connection's memory
 * outlives every callback that is using it. */
static void http_conn_hold(struct http_conn *conn)
{
	ref_hold(&conn->ref);
}

static void http_conn_release(struct http_conn *conn)
{
	if (ref_release(&conn->ref))
		http_conn_destroy(conn);
}

/* All output written and the connection is to close: shut the write side
 * and drop what the client still sends until it closes (or a short
 * timeout), so that the reply is read rather than reset. */
static void http_conn_linger(struct http_conn *conn)
{
	if (conn->eof || shutdown(conn->fd, SHUT_WR) != 0) {
		http_conn_close(conn);
		return;
	}
	conn->state = CONN_LINGER;
	evbuffer_drain(conn->in, evbuffer_get_length(conn->in));
	http_conn_read_on(conn);
}

/* Write what is queued.  Whatever is left waits for writability (with the
 * timeout); once empty a closing connection lingers, and an idle one goes
 * on with input that arrived meanwhile. */
static void http_conn_flush(struct http_conn *conn)
{
	while (evbuffer_get_length(conn->out) > 0) {
		int n = evbuffer_write(conn->out, conn->fd);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			log_debug("write to an HTTP client failed: %s", strerror(errno));
			http_conn_close(conn);
			return;
		}
		if (n == 0)
			break;
	}
	if (evbuffer_get_length(conn->out) > 0) {
		/* Re-adding refreshes the timeout of a slow reader. */
		event_add(conn->wev, conn->srv->timeout);
		conn->write_on = true;
		return;
	}
	http_conn_write_off(conn);
	if (conn->read_off && conn->state != CONN_HANDLER)
		http_conn_read_on(conn);
	if (conn->state == CONN_CLOSING) {
		http_conn_linger(conn);
	} else if (!ref_busy(&conn->ref) && conn->state == CONN_HEAD &&
	           (evbuffer_get_length(conn->in) > 0 || conn->eof)) {
		/* A deferred reply went out: serve what is waiting (from the
		 * loop, not from inside the replying owner's callback). */
		event_active(conn->rev, EV_READ, 1);
	}
}

/* Append to a small head buffer, spilling into the output when full. */
struct http_headbuf {
	struct evbuffer *out;
	size_t n;
	char b[512];
};

static void http_headbuf_add(struct http_headbuf *hb, const char *s, size_t len)
{
	if (hb->n + len > sizeof hb->b) {
		evbuffer_add(hb->out, hb->b, hb->n);
		hb->n = 0;
		if (len > sizeof hb->b) {
			evbuffer_add(hb->out, s, len);
			return;
		}
	}
	memcpy(hb->b + hb->n, s, len);
	hb->n += len;
}

static void http_headbuf_str(struct http_headbuf *hb, const char *s)
{
	http_headbuf_add(hb, s, strlen(s));
}

static void http_headbuf_uint(struct http_headbuf *hb, uint64_t v)
{
	char digits[24];
	size_t i = sizeof digits;

	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	http_headbuf_add(hb, digits + i, sizeof digits - i);
}

static void http_headbuf_field(struct http_headbuf *hb, const char *name, const char *value)
{
	http_headbuf_str(hb, name);
	http_headbuf_add(hb, ": ", 2);
	http_headbuf_str(hb, value);
	http_headbuf_add(hb, "\r\n", 2);
}

/* Queue the status line and header fields of a reply. */
static void http_reply_head(struct http_request *req, int status, const char *content_type,
                            uint64_t length, bool has_body)
{
	struct http_conn *conn = req->conn;
	struct http_headbuf hb;
	bool user_type = false;

	hb.out = conn->out;
	hb.n = 0;
	http_headbuf_add(&hb, "HTTP/1.1 ", 9);
	http_headbuf_uint(&hb, (uint64_t)status);
	http_headbuf_add(&hb, " ", 1);
	http_headbuf_str(&hb, http_reason(status));
	http_headbuf_add(&hb, "\r\n", 2);
	for (int i = 0; i < req->nout_headers; i++) {
		user_type = user_type || strcasecmp(req->out_headers[i].name, "Content-Type") == 0;
		http_headbuf_field(&hb, req->out_headers[i].name, req->out_headers[i].value);
	}
	if (has_body) {
		if (content_type != NULL && !user_type)
			http_headbuf_field(&hb, "Content-Type", content_type);
		/* A HEAD gets the length a GET would (RFC 9110 9.3.2). */
		http_headbuf_add(&hb, "Content-Length: ", 16);
		http_headbuf_uint(&hb, length);
		http_headbuf_add(&hb, "\r\n", 2);
	}
	http_headbuf_field(&hb, "Date", http_server_date(req->srv));
	if (!req->keep_alive)
		http_headbuf_add(&hb, "Connection: close\r\n", 19);
	else if (req->head.minor == 0)
		http_headbuf_add(&hb, "Connection: keep-alive\r\n", 24);
	http_headbuf_add(&hb, "\r\n", 2);
	evbuffer_add(conn->out, hb.b, hb.n);
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
	return !req->gone && req->conn != NULL;
}

/* A reply on a request whose client is gone: the late reply frees it. */
static void http_reply_on_orphan(struct http_request *req)
{
	if (req->gone && !req->replied) {
		req->replied = true;
		http_request_drop(req);
	}
}

/* The reply is queued: hand the connection on and write. */
static void http_reply_finish(struct http_request *req)
{
	struct http_conn *conn = req->conn;
	bool was_handler = conn->state == CONN_HANDLER;

	req->replied = true;
	conn->req = NULL;
	req->conn = NULL;
	conn->state = req->keep_alive ? CONN_HEAD : CONN_CLOSING;
	if (was_handler || conn->read_off)
		http_conn_read_on(conn);
	http_request_drop(req);
	http_conn_flush(conn);
}

/* Does a reply with this status carry a body (RFC 9110 6.4.1)? */
static bool http_status_has_body(int status)
{
	return status >= 200 && status != 204 && status != 304;
}

void http_reply_add_header(struct http_request *req, const char *name, const char *value)
{
	if (req->replied || req->gone || req->conn == NULL)
		return;
	req->out_headers = xreallocarray(req->out_headers, (size_t)req->nout_headers + 1,
	                                 sizeof *req->out_headers);
	req->out_headers[req->nout_headers].name = xstrdup(name);
	req->out_headers[req->nout_headers].value = xstrdup(value);
	req->nout_headers++;
}

void http_reply_data(struct http_request *req, int status, const char *content_type,
                     const void *data, size_t len)
{
	bool has_body = http_status_has_body(status);

	if (!http_reply_begin(req)) {
		http_reply_on_orphan(req);
		return;
	}
	http_reply_head(req, status, content_type, len, has_body);
	if (has_body && len > 0 && req->method != HTTP_M_HEAD)
		evbuffer_add(req->conn->out, data, len);
	http_reply_finish(req);
}

void http_reply_buffer(struct http_request *req, int status, const char *content_type,
                       struct evbuffer *body)
{
	bool has_body = http_status_has_body(status);
	size_t len = evbuffer_get_length(body);

	if (!http_reply_begin(req)) {
		http_reply_on_orphan(req);
		return;
	}
	http_reply_head(req, status, content_type, len, has_body);
	/* By reference: the body's chains are shared, not copied. */
	if (has_body && len > 0 && req->method != HTTP_M_HEAD &&
	    evbuffer_add_buffer_reference(req->conn->out, body) != 0)
		fatalx("cannot queue a shared HTTP reply body");
	http_reply_finish(req);
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
	bool has_body = http_status_has_body(status);
	struct evbuffer *file;

	if (!http_reply_begin(req)) {
		close(fd);
		http_reply_on_orphan(req);
		return;
	}
	if (len < 0)
		len = 0;
	if (!has_body || len == 0 || req->method == HTTP_M_HEAD) {
		close(fd);
		http_reply_head(req, status, content_type, (uint64_t)len, has_body);
		http_reply_finish(req);
		return;
	}
	/* The file goes out by sendfile after the head. */
	file = evbuffer_new();
	if (file == NULL || evbuffer_add_file(file, fd, offset, len) != 0) {
		/* evbuffer_add_file closes nothing on failure. */
		close(fd);
		if (file != NULL)
			evbuffer_free(file);
		http_reply_remote_exception(req, 500, "IOException", "cannot send the file");
		return;
	}
	http_reply_head(req, status, content_type, (uint64_t)len, true);
	evbuffer_add_buffer(req->conn->out, file);
	evbuffer_free(file);
	http_reply_finish(req);
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
	return http_head_field(&req->head, name);
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
	const struct http_conn *conn = r->conn;
	char host[INET6_ADDRSTRLEN] = "";
	int port = 0;

	if (r->peer != NULL || conn == NULL)
		return r->peer != NULL ? r->peer : "?";
	if (conn->peer.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &conn->peer.sin.sin_addr, host, sizeof host);
		port = ntohs(conn->peer.sin.sin_port);
	} else if (conn->peer.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &conn->peer.sin6.sin6_addr, host, sizeof host);
		port = ntohs(conn->peer.sin6.sin6_port);
	}
	if (host[0] == '\0')
		return "?";
	r->peer = net_format_address(host, port);
	return r->peer;
}

void http_request_defer(struct http_request *req, void (*on_gone)(void *), void *arg)
{
	struct http_server *srv = req->srv;

	if (req->replied || req->deferred || req->conn == NULL)
		return;
	req->deferred = true;
	req->on_gone = on_gone;
	req->gone_arg = arg;
	req->prev = NULL;
	req->next = srv->deferred;
	if (srv->deferred != NULL)
		srv->deferred->prev = req;
	srv->deferred = req;
	/* Keep reading, without the idle timeout: a closed client is
	 * noticed at once, and pipelined requests wait in the input. */
	req->conn->state = CONN_HANDLER;
	http_conn_read_on(req->conn);
}

/* --- connections: input --- */

/* A request record for what is being read on a connection. */
static struct http_request *http_conn_new_request(struct http_conn *conn)
{
	struct http_request *req = xcalloc(1, sizeof *req);

	ref_init(&req->ref);
	req->srv = conn->srv;
	req->conn = conn;
	req->method_name = "UNKNOWN";
	req->head.fields = req->head.inline_fields;
	req->head.minor = 1;
	conn->req = req;
	return req;
}

/* Answer a request refused before its handler.  skip: body bytes to drop
 * afterwards to find the next request; UINT64_MAX when the stream cannot
 * be framed any more (the connection closes).  A client that waits for
 * "100 Continue" never sends the body: close too. */
static void http_conn_refuse(struct http_conn *conn, struct http_request *req, uint64_t skip,
                             int status, const char *exception, const char *fmt, ...)
{
	va_list ap;
	char *message;

	if (skip == UINT64_MAX || (skip > 0 && req->head.expect_continue))
		req->keep_alive = false;
	va_start(ap, fmt);
	message = xvasprintf(fmt, ap);
	va_end(ap);
	http_reply_remote_exception(req, status, exception, message);
	free(message);
	if (!http_conn_closed(conn) && conn->state == CONN_HEAD && skip > 0 && skip != UINT64_MAX) {
		conn->state = CONN_DISCARD;
		conn->left = skip;
	}
}

/* Split the request-target into path and query (in place), decode the
 * path and find its route.  RET 0, or -1 after answering (400, 404, 405). */
static int http_conn_route(struct http_conn *conn, struct http_request *req, uint64_t body_len)
{
	char *target = (char *)req->head.target, *q;
	struct http_path path;
	int allowed;

	/* The absolute form (RFC 9112 3.2.2) names the path after the
	 * authority. */
	if (strncasecmp(target, "http://", 7) == 0 || strncasecmp(target, "https://", 8) == 0) {
		char *slash = strchr(strstr(target, "//") + 2, '/');

		if (slash == NULL)
			target = (char *)"/";
		else
			target = slash;
	}
	if ((q = strchr(target, '#')) != NULL)
		*q = '\0';
	if ((q = strchr(target, '?')) != NULL) {
		*q = '\0';
		req->raw_query = xstrdup(q + 1);
	}
	if (*target == '\0')
		target = (char *)"/";
	if (http_path_split(target, &path) != 0) {
		req->path = xstrdup(target);
		http_conn_refuse(conn, req, body_len, 400, "BadRequestException",
		                 "malformed percent-encoding in path %s", target);
		return -1;
	}
	/* The decoded path, for handlers and logs. */
	{
		size_t total = 2, off = 0;

		for (int i = 0; i < path.nsegments; i++)
			total += path.lengths[i] + 1;
		req->path = xmalloc(total);
		for (int i = 0; i < path.nsegments; i++) {
			req->path[off++] = '/';
			memcpy(req->path + off, path.segments[i], path.lengths[i]);
			off += path.lengths[i];
		}
		if (off == 0)
			req->path[off++] = '/';
		req->path[off] = '\0';
	}
	req->route = http_server_find_route(conn->srv, req->method, &path, &allowed);
	if (req->route == NULL) {
		http_path_clear(&path);
		if (allowed == 0) {
			http_conn_refuse(conn, req, body_len, 404, "NotFoundException",
			                 "no resource at %s", target);
		} else {
			char *allow = http_allow_text(allowed);

			http_reply_add_header(req, "Allow", allow);
			http_conn_refuse(conn, req, body_len, 405, "WebApplicationException",
			                 "method %s is not allowed on %s (allowed: %s)",
			                 req->method_name, target, allow);
			free(allow);
		}
		return -1;
	}
	http_route_match(req->route, &path, &req->params, &req->nparams);
	http_path_clear(&path);
	return 0;
}

/* The head of a request was not complete in time, or is too long: a bare
 * request record answers it and the connection closes. */
static void http_conn_refuse_head(struct http_conn *conn, int status, const char *what)
{
	struct http_request *req = http_conn_new_request(conn);

	if (status == 431)
		http_conn_refuse(conn, req, UINT64_MAX, 431, "WebApplicationException",
		                 "request head exceeds %d bytes", HTTP_MAX_HEAD_BYTES);
	else
		http_conn_refuse(conn, req, UINT64_MAX, status, "WebApplicationException",
		                 "request %s not complete within %d seconds", what,
		                 conn->srv->timeout_seconds);
}

/* What taking a head off the input came to. */
enum head_result {
	HEAD_MORE,     /* incomplete: wait for input */
	HEAD_ANSWERED, /* refused (the reply is queued) */
	HEAD_READY,    /* accepted: its body is to be read (CONN_BODY) */
};

/* Take the next request head off the input and judge it. */
static enum head_result http_conn_head(struct http_conn *conn)
{
	struct evbuffer *in = conn->in;
	struct http_request *req;
	enum http_head_status st;
	const char *p;
	size_t len, scan, end, skip;
	uint64_t body_len, cap;
	struct timeval now;

	for (;;) {
		len = evbuffer_get_length(in);
		if (len == 0) {
			conn->head_started = false;
			return HEAD_MORE;
		}
		scan = len < HTTP_MAX_HEAD_BYTES ? len : HTTP_MAX_HEAD_BYTES;
		p = (const char *)evbuffer_pullup(in, (ev_ssize_t)scan);
		/* Empty lines before a request are ignored (RFC 9112 2.2). */
		for (skip = 0; skip < scan && (p[skip] == '\r' || p[skip] == '\n'); skip++)
			;
		if (skip == 0)
			break;
		evbuffer_drain(in, skip);
	}
	event_base_gettimeofday_cached(conn->srv->base, &now);
	if (!conn->head_started) {
		conn->head_started = true;
		conn->head_start = now;
	}
	end = http_head_end(p, scan);
	if (end == 0) {
		/* Incomplete: refuse one too long, or one that trickles in
		 * for longer than the idle timeout. */
		if (len >= HTTP_MAX_HEAD_BYTES) {
			http_conn_refuse_head(conn, 431, "head");
			return HEAD_ANSWERED;
		}
		if (now.tv_sec - conn->head_start.tv_sec > conn->srv->timeout_seconds) {
			http_conn_refuse_head(conn, 408, "head");
			return HEAD_ANSWERED;
		}
		return HEAD_MORE;
	}
	conn->head_started = false;
	req = http_conn_new_request(conn);
	req->head_text = xmalloc(end + 1);
	evbuffer_remove(in, req->head_text, end);
	req->head_text[end] = '\0';
	st = http_head_parse(req->head_text, end, &req->head);
	if (st != HTTP_HEAD_OK) {
		if (st == HTTP_HEAD_BAD_VERSION)
			http_conn_refuse(conn, req, UINT64_MAX, 505, "WebApplicationException",
			                 "HTTP version not supported (HTTP/1.0 and 1.1 are)");
		else
			http_conn_refuse(conn, req, UINT64_MAX, 400, "BadRequestException",
			                 "malformed request (%s)",
			                 st == HTTP_HEAD_BAD_LINE     ? "request-line"
			                 : st == HTTP_HEAD_BAD_LENGTH ? "content-length"
			                                              : "header");
		return HEAD_ANSWERED;
	}
	req->keep_alive = req->head.keep_alive;
	req->method = http_method_parse(req->head.method, &req->method_name);
	if (req->method < 0) {
		req->method = 0;
		http_conn_refuse(conn, req, UINT64_MAX, 501, "WebApplicationException",
		                 "request method %.32s not supported", req->head.method);
		return HEAD_ANSWERED;
	}
	if (req->head.has_transfer_coding) {
		http_conn_refuse(conn, req, UINT64_MAX, 411, "WebApplicationException",
		                 "a request body needs a Content-Length "
		                 "(chunked bodies are not accepted)");
		return HEAD_ANSWERED;
	}
	body_len = req->head.has_length ? req->head.content_length : 0;
	if (http_conn_route(conn, req, body_len) != 0)
		return HEAD_ANSWERED;
	cap = req->route->max_body != 0 ? req->route->max_body : conn->srv->default_max_body;
	if (body_len > cap) {
		http_conn_refuse(
		        conn, req, body_len, 413, "WebApplicationException",
		        "request body of %llu bytes exceeds the limit of %llu bytes for %s",
		        (unsigned long long)body_len, (unsigned long long)cap, req->path);
		return HEAD_ANSWERED;
	}
	req->body_len = (size_t)body_len;
	conn->state = CONN_BODY;
	if (req->head.expect_continue && body_len > evbuffer_get_length(in)) {
		evbuffer_add(conn->out, "HTTP/1.1 100 Continue\r\n\r\n", 25);
		http_conn_flush(conn);
	}
	return HEAD_READY;
}

/* The body of conn->req, once all of it is in.  RET true when complete. */
static bool http_conn_body(struct http_conn *conn)
{
	struct http_request *req = conn->req;

	if (evbuffer_get_length(conn->in) < req->body_len)
		return false;
	if (req->body_len > 0) {
		req->body = xmalloc(req->body_len + 1);
		evbuffer_remove(conn->in, req->body, req->body_len);
		req->body[req->body_len] = '\0';
	}
	return true;
}

/* Run the handler of conn->req. */
static void http_conn_dispatch(struct http_conn *conn)
{
	struct http_request *req = conn->req;

	ref_hold(&req->ref); /* the handler may answer (and so free) it */
	req->route->cb(req, req->route->arg);
	if (!req->replied && !req->deferred && !req->gone) {
		log_error("handler of %s %s returned without replying (a bug)", req->method_name,
		          req->path);
		http_reply_error(req, 500, "WebApplicationException",
		                 "internal error: %s %s was not answered", req->method_name,
		                 req->path);
	}
	if (ref_release(&req->ref))
		http_request_free(req);
}

/* Serve what the input holds, one request at a time. */
static void http_conn_process(struct http_conn *conn)
{
	size_t n;

	while (!http_conn_closed(conn)) {
		switch (conn->state) {
		case CONN_HEAD:
			/* The previous reply first (a client that pipelines
			 * without reading must not grow the output). */
			if (evbuffer_get_length(conn->out) > 0 || http_conn_head(conn) == HEAD_MORE)
				return;
			break;
		case CONN_BODY:
			if (!http_conn_body(conn))
				return;
			http_conn_dispatch(conn);
			break;
		case CONN_DISCARD:
			n = evbuffer_get_length(conn->in);
			if (n > conn->left)
				n = (size_t)conn->left;
			evbuffer_drain(conn->in, n);
			conn->left -= n;
			if (conn->left > 0)
				return;
			conn->state = CONN_HEAD;
			break;
		case CONN_CLOSING:
			evbuffer_drain(conn->in, evbuffer_get_length(conn->in));
			return;
		case CONN_HANDLER:
		case CONN_LINGER:
			return;
		}
	}
}

/* The client sent its last byte: close once nothing more can be served. */
static void http_conn_after_eof(struct http_conn *conn)
{
	if (http_conn_closed(conn) || !conn->eof)
		return;
	switch (conn->state) {
	case CONN_HEAD:
		/* A reply still going out is finished first, and requests
		 * that arrived complete behind it are served. */
		if (evbuffer_get_length(conn->out) == 0)
			http_conn_close(conn);
		else if (evbuffer_get_length(conn->in) == 0)
			conn->state = CONN_CLOSING;
		break;
	case CONN_BODY:
	case CONN_DISCARD:
	case CONN_HANDLER:
		/* Half a request, or a client gone before its answer. */
		http_conn_close(conn);
		break;
	case CONN_CLOSING:
	case CONN_LINGER:
		break;
	}
}

/* Read once.  RET bytes read, 0 at EOF, -1 when nothing is there, -2 on
 * an error. */
static int http_conn_fill(struct http_conn *conn)
{
	struct evbuffer_iovec v[2];
	struct iovec iov[2];
	size_t want = HTTP_READ_BYTES, left;
	int nv, used = 0;
	ssize_t n;

	if (conn->state == CONN_BODY && conn->req != NULL) {
		size_t have = evbuffer_get_length(conn->in);

		if (conn->req->body_len > have + want)
			want = conn->req->body_len - have < HTTP_READ_BODY_BYTES
			               ? conn->req->body_len - have
			               : HTTP_READ_BODY_BYTES;
	}
	nv = evbuffer_reserve_space(conn->in, (ev_ssize_t)want, v, 2);
	if (nv <= 0)
		return -2;
	for (int i = 0; i < nv; i++) {
		iov[i].iov_base = v[i].iov_base;
		iov[i].iov_len = v[i].iov_len;
	}
	n = readv(conn->fd, iov, nv);
	if (n <= 0) {
		evbuffer_commit_space(conn->in, v, 0);
		if (n == 0)
			return 0;
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -1 : -2;
	}
	left = (size_t)n;
	for (int i = 0; i < nv && left > 0; i++) {
		if (v[i].iov_len > left)
			v[i].iov_len = left;
		left -= v[i].iov_len;
		used++;
	}
	evbuffer_commit_space(conn->in, v, used);
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

/* A client that sends while its previous request waits for the handler
 * or for its reply to be read must not make the input grow without
 * bound: past HTTP_HELD_INPUT_MAX the connection is not read until the
 * reply is out (http_reply_finish, http_conn_flush resume it). */
static void http_conn_pace(struct http_conn *conn)
{
	if (http_conn_closed(conn) || conn->eof || conn->read_off ||
	    evbuffer_get_length(conn->in) <= HTTP_HELD_INPUT_MAX)
		return;
	if (conn->state == CONN_HANDLER || evbuffer_get_length(conn->out) > 0) {
		event_del(conn->rev);
		conn->read_off = true;
	}
}

/* Nothing came for the timeout: answer a half-sent request, drop an idle
 * connection. */
static void http_conn_timeout(struct http_conn *conn)
{
	switch (conn->state) {
	case CONN_HEAD:
		if (evbuffer_get_length(conn->in) > 0 && evbuffer_get_length(conn->out) == 0)
			http_conn_refuse_head(conn, 408, "head");
		else
			http_conn_close(conn);
		break;
	case CONN_BODY:
		http_conn_refuse(conn, conn->req, UINT64_MAX, 408, "WebApplicationException",
		                 "request body not complete within %d seconds",
		                 conn->srv->timeout_seconds);
		break;
	case CONN_HANDLER:
		break; /* no timeout is set while the handler works */
	case CONN_DISCARD:
	case CONN_CLOSING:
	case CONN_LINGER:
		http_conn_close(conn);
		break;
	}
}

/* Readable (or activated to serve input held back), or timed out. */
static void http_conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *conn = arg;
	char drop[4096];
	ssize_t n;
	int r;

	(void)fd;
	http_conn_hold(conn);
	if (what & EV_TIMEOUT) {
		http_conn_timeout(conn);
	} else if (conn->state == CONN_LINGER) {
		n = recv(conn->fd, drop, sizeof drop, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			http_conn_close(conn);
	} else {
		r = conn->eof ? -1 : http_conn_fill(conn);
		if (r == -2) {
			http_conn_close(conn);
		} else {
			if (r == 0) {
				/* At EOF a socket stays readable: stop watching. */
				conn->eof = true;
				event_del(conn->rev);
				conn->read_off = true;
			}
			if (conn->state != CONN_HANDLER)
				http_conn_process(conn);
			http_conn_after_eof(conn);
			http_conn_pace(conn);
		}
	}
	http_conn_release(conn);
}

/* Writable again (or the client did not read for the timeout). */
static void http_conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *conn = arg;

	(void)fd;
	http_conn_hold(conn);
	if (what & EV_TIMEOUT) {
		log_debug("HTTP client did not read its reply for %d seconds: closing",
		          conn->srv->timeout_seconds);
		http_conn_close(conn);
	} else {
		http_conn_flush(conn);
		if (!http_conn_closed(conn) && conn->state == CONN_HEAD &&
		    evbuffer_get_length(conn->out) == 0) {
			http_conn_process(conn);
			http_conn_after_eof(conn);
		}
	}
	http_conn_release(conn);
}

/* --- the server --- */

/* Give an event of the server its priority (http_server_set_priority). */
static void http_server_prioritize(struct http_server *srv, struct event *ev)
{
	if (srv->priority >= 0 && ev != NULL && event_priority_set(ev, srv->priority) != 0)
		log_warn("cannot set priority %d on an HTTP server event", srv->priority);
}

/* Whether two peers have the same address (the port aside). */
static bool http_same_address(const struct http_conn *a, const struct http_conn *b)
{
	if (a->peer.sa.sa_family != b->peer.sa.sa_family)
		return false;
	if (a->peer.sa.sa_family == AF_INET)
		return a->peer.sin.sin_addr.s_addr == b->peer.sin.sin_addr.s_addr;
	if (a->peer.sa.sa_family == AF_INET6)
		return memcmp(&a->peer.sin6.sin6_addr, &b->peer.sin6.sin6_addr,
		              sizeof a->peer.sin6.sin6_addr) == 0;
	return false;
}

/* Whether conn's address already holds max_per_address connections.  A
 * walk over the open connections: a few thousand at most, and only when a
 * connection arrives. */
static bool http_server_over_cap(struct http_server *srv, const struct http_conn *conn)
{
	int n = 0;

	if (srv->max_per_address <= 0)
		return false;
	if (conn->peer.sa.sa_family != AF_INET && conn->peer.sa.sa_family != AF_INET6)
		return false;
	for (const struct http_conn *c = srv->conns; c != NULL; c = c->next)
		if (c != conn && !c->refused && http_same_address(c, conn) &&
		    ++n >= srv->max_per_address)
			return true;
	return false;
}

/* One more connection than its address may hold: answer 429 with
 * Retry-After and close (lingering, so the client reads the answer rather
 * than a reset), without reading a request. */
static void http_conn_refuse_cap(struct http_conn *conn)
{
	struct http_request *req = http_conn_new_request(conn);
	char host[INET6_ADDRSTRLEN] = "?";

	conn->refused = true;
	if (conn->peer.sa.sa_family == AF_INET)
		inet_ntop(AF_INET, &conn->peer.sin.sin_addr, host, sizeof host);
	else
		inet_ntop(AF_INET6, &conn->peer.sin6.sin6_addr, host, sizeof host);
	http_reply_add_header(req, "Retry-After", HTTP_REFUSED_RETRY_AFTER);
	http_conn_refuse(conn, req, UINT64_MAX, 429, "WebApplicationException",
	                 "too many connections from %s (at most %d at a time)", host,
	                 conn->srv->max_per_address);
}

/* Set up a connection on an accepted socket. */
static void http_server_add_conn(struct http_server *srv, evutil_socket_t fd,
                                 const struct sockaddr *sa, socklen_t socklen)
{
	struct http_conn *conn = xcalloc(1, sizeof *conn);

	ref_init(&conn->ref);

	conn->srv = srv;
	conn->fd = fd;
	conn->state = CONN_HEAD;
	if (sa != NULL && socklen > 0)
		memcpy(&conn->peer, sa,
		       (size_t)socklen < sizeof conn->peer ? (size_t)socklen : sizeof conn->peer);
	if (conn->peer.sa.sa_family == AF_INET || conn->peer.sa.sa_family == AF_INET6) {
		int one = 1;

		/* A reply is written whole, so Nagle's algorithm only delays
		 * the tail of one longer than a segment until the client's
		 * delayed ACK (40 ms a time). */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	conn->in = evbuffer_new();
	conn->out = evbuffer_new();
	conn->rev = event_new(srv->base, fd, EV_READ | EV_PERSIST, http_conn_read_cb, conn);
	conn->wev = event_new(srv->base, fd, EV_WRITE | EV_PERSIST, http_conn_write_cb, conn);
	if (conn->in == NULL || conn->out == NULL || conn->rev == NULL || conn->wev == NULL)
		fatalx("cannot allocate an HTTP connection");
	http_server_prioritize(srv, conn->rev);
	http_server_prioritize(srv, conn->wev);
	conn->next = srv->conns;
	if (srv->conns != NULL)
		srv->conns->prev = conn;
	srv->conns = conn;
	if (http_server_over_cap(srv, conn)) {
		http_conn_hold(conn);
		http_conn_refuse_cap(conn);
		http_conn_release(conn);
		return;
	}
	http_conn_read_on(conn);
}

/* The listening socket is readable: take the connections waiting (a
 * batch at most).  Out of descriptors or memory, the socket stays
 * readable: pause accepting a moment instead of spinning. */
static void http_server_accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *srv = arg;

	(void)what;
	for (int i = 0; i < HTTP_ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t sslen = sizeof ss;
		int cfd = accept4(fd, (struct sockaddr *)&ss, &sslen, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			int err = errno;
			struct timeval tv = {0, HTTP_ACCEPT_PAUSE_MS * 1000};

			if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR ||
			    err == ECONNABORTED)
				return;
			log_warn("HTTP server on port %d: accept failed: %s", srv->port,
			         strerror(err));
			if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
				event_del(srv->accept_ev);
				evtimer_add(srv->accept_pause, &tv);
			}
			return;
		}
		http_server_add_conn(srv, cfd, (struct sockaddr *)&ss, sslen);
	}
}

static void http_server_accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *srv = arg;

	(void)fd;
	(void)what;
	if (srv->accept_ev != NULL)
		event_add(srv->accept_ev, NULL);
}

void http_server_set_priority(struct http_server *srv, int priority)
{
	srv->priority = priority;
	http_server_prioritize(srv, srv->accept_ev);
	http_server_prioritize(srv, srv->accept_pause);
}

void http_server_set_max_per_address(struct http_server *srv, int max_connections)
{
	srv->max_per_address = max_connections > 0 ? max_connections : 0;
}

void http_server_set_timeout(struct http_server *srv, int seconds)
{
	struct timeval tv = {seconds > 0 ? seconds : 1, 0};

	srv->timeout_seconds = (int)tv.tv_sec;
	srv->timeout = event_base_init_common_timeout(srv->base, &tv);
	if (srv->timeout == NULL)
		fatalx("cannot set up the HTTP server's timeout");
}

struct http_server *http_server_new(struct event_base *base, size_t default_max_body)
{
	struct http_server *srv = xcalloc(1, sizeof *srv);
	struct timeval linger = {HTTP_LINGER_SECONDS, 0};
	struct sigaction sa;

	srv->base = base;
	srv->port = -1;
	srv->listen_fd = -1;
	srv->priority = -1;
	srv->default_max_body = default_max_body;
	/* Common timeouts: every connection's timer in one queue, O(1). */
	http_server_set_timeout(srv, HTTP_TIMEOUT_SECONDS);
	srv->linger = event_base_init_common_timeout(base, &linger);
	srv->accept_pause = evtimer_new(base, http_server_accept_resume_cb, srv);
	if (srv->timeout == NULL || srv->linger == NULL || srv->accept_pause == NULL)
		fatalx("cannot set up the HTTP server's timers");
	/* A client that leaves mid-reply must not kill the process: writes
	 * then fail with EPIPE instead. */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);
	return srv;
}

/* A listening socket for one resolved address.  RET it or -1 (errno). */
static int http_server_listen_one(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	                ai->ai_protocol);
	int one = 1, saved;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0)
		return fd;
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int http_server_bind(struct http_server *srv, const char *address, char **cause)
{
	struct addrinfo hints, *res = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	char *host = NULL, service[16];
	int port, fd = -1, err = 0, rc;

	if (srv->accept_ev != NULL)
		return set_cause(cause, "cannot listen on %s: already listening on port %d",
		                 address, srv->port);
	if (net_parse_address(address, &host, &port, cause) != 0)
		return -1;
	if (net_is_wildcard(host) && strcmp(host, "::") != 0) {
		free(host);
		host = xstrdup("0.0.0.0");
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(service, sizeof service, "%d", port);
	rc = getaddrinfo(host, service, &hints, &res);
	free(host);
	if (rc != 0)
		return set_cause(cause, "cannot listen on %s: %s", address, gai_strerror(rc));
	for (const struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = http_server_listen_one(ai);
		if (fd < 0 && err == 0)
			err = errno;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return set_cause(cause, "cannot listen on %s: %s", address,
		                 err != 0 ? strerror(err) : "no usable address");
	srv->accept_ev = event_new(srv->base, fd, EV_READ | EV_PERSIST, http_server_accept_cb, srv);
	if (srv->accept_ev == NULL) {
		close(fd);
		return set_cause(cause, "cannot listen on %s: event_new failed", address);
	}
	srv->listen_fd = fd;
	http_server_prioritize(srv, srv->accept_ev);
	event_add(srv->accept_ev, NULL);
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0)
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
}

void http_server_free(struct http_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->accept_ev != NULL)
		event_free(srv->accept_ev);
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	event_free(srv->accept_pause);
	/* Deferred requests hear of it (http_request_gone: on_gone). */
	while (srv->conns != NULL)
		http_conn_close(srv->conns);
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
