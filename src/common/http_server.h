/*
 * http_server.h — the HTTP/1.1 server shared by weft-rm, weft-nm, the
 * driver's status server and weft-sls (http_server.c: its own connection
 * handling on libevent events and evbuffers; heads parsed by http_head.c).
 *
 * Every request goes through one dispatcher that matches method + pattern
 * ("/ws/v1/cluster/apps/{}/state", "{}" = one path segment, a trailing
 * "{*}" = the rest of the path).  A known path with a wrong method answers
 * 405 (with Allow), an unknown path 404, a body over the route's cap 413
 * (checked on Content-Length before the body is read; a chunked body,
 * which declares no length, is refused with 411), always with YARN's JSON
 * body
 *   {"RemoteException": {"exception": "...", "message": "...",
 *                         "javaClassName": "..."}}
 * Every request ends in exactly one http_reply_* call; handlers reply
 * before they return or call http_request_defer() (a handler that does
 * neither is logged as a bug and answered 500).  Path parameters are
 * percent-decoded single segments: a request whose decoded path has a
 * segment that is empty, ".", ".." or holds '/' or NUL matches no route.
 * HEAD is served by GET routes (the reply carries the GET's length, no
 * body).  HTTP/1.1 connections persist unless the client says
 * "Connection: close" (HTTP/1.0 ones only with "keep-alive"); pipelined
 * requests are answered in order; "Expect: 100-continue" is honoured.
 * Idle or half-sent connections time out (30 s by default) and never
 * stall the loop.
 * The server ignores SIGPIPE for the process (if it was left at default)
 * so that a client leaving mid-reply is a failed write, not a signal.
 */
#ifndef WEFT_HTTP_SERVER_H
#define WEFT_HTTP_SERVER_H

#include <event2/event.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum http_method_mask {
	HTTP_M_GET = 1 << 0,
	HTTP_M_POST = 1 << 1,
	HTTP_M_PUT = 1 << 2,
	HTTP_M_DELETE = 1 << 3,
	HTTP_M_HEAD = 1 << 4,
};

struct http_server;
struct http_request;
struct evbuffer;
typedef void (*http_handler_cb)(struct http_request *req, void *arg);

/* IN default_max_body: body cap for routes that do not set their own. */
struct http_server *http_server_new(struct event_base *base, size_t default_max_body);
/* Listen on "host:port" (port 0 = any free port).  RET 0 / -1 *cause. */
int http_server_bind(struct http_server *srv, const char *address, char **cause);
/* The port actually bound (after http_server_bind). */
int http_server_port(const struct http_server *srv);
/* Seconds a connection may sit idle, take to send a request head or
 * body, or leave a reply unread (default 30; from each connection's next
 * read or write on). */
void http_server_set_timeout(struct http_server *srv, int seconds);
/*
 * Serve this server's events (listening socket, connections) at libevent
 * priority `priority` of its base (event_base_priority_init first; lower
 * numbers run first).  The RM serves internal RPC at a higher priority
 * than public REST, so that readers cannot starve heartbeats.  Call it
 * before http_server_bind; default: the base's default priority.
 */
void http_server_set_priority(struct http_server *srv, int priority);
/*
 * Open connections one client address (IPv4/IPv6, any port) may hold; one
 * more is answered 429 "Too Many Requests" with "Retry-After: 1" and
 * closed, without reading its request.  0 (the default) = no cap.
 */
void http_server_set_max_per_address(struct http_server *srv, int max_connections);
/* Stop listening and drop open connections. */
void http_server_free(struct http_server *srv);

/* Register a route.  methods is a mask of HTTP_M_*; max_body 0 = default. */
void http_server_route(struct http_server *srv, int methods, const char *pattern, size_t max_body,
                       http_handler_cb cb, void *arg);

/* Request accessors (valid until the reply). */
int http_request_method(const struct http_request *req);              /* one HTTP_M_* */
const char *http_request_method_name(const struct http_request *req); /* "GET" */
const char *http_request_path(const struct http_request *req);        /* decoded, no query */
/* The n-th "{}" / "{*}" of the matched pattern, decoded; NULL if none. */
const char *http_request_param(const struct http_request *req, int n);
/* A query-string value, decoded; NULL when absent. */
const char *http_request_query(const struct http_request *req, const char *name);
const char *http_request_header(const struct http_request *req, const char *name);
/* The body, NUL-terminated (len excludes the NUL); "" when empty. */
const char *http_request_body(const struct http_request *req, size_t *len);
/* Parse the body as a JSON object; on failure replies 400 itself and
 * returns NULL (the handler just returns).  Caller json_object_put()s. */
struct json_object *http_request_json(struct http_request *req);
/* "ip:port" of the peer. */
const char *http_request_peer(const struct http_request *req);
/* Allow replying after the handler returned (async work).  If the client
 * goes away first (or the server is freed), on_gone(arg) runs once and the
 * request is freed when it returns: forget the pointer there (a reply made
 * inside on_gone is a no-op).  With on_gone NULL the request is kept
 * instead, and the owner's later reply is a no-op that frees it. */
void http_request_defer(struct http_request *req, void (*on_gone)(void *), void *arg);

/* Replies: exactly one per request. */
void http_reply_add_header(struct http_request *req, const char *name, const char *value);
/* Send body (takes ownership and puts it) as application/json. */
void http_reply_json(struct http_request *req, int status, struct json_object *body);
void http_reply_data(struct http_request *req, int status, const char *content_type,
                     const void *data, size_t len);
/* Send body's bytes by reference (its chains are shared, not copied):
 * body must not change afterwards (freeing it is fine).  For a large
 * answer served many times from a cache. */
void http_reply_buffer(struct http_request *req, int status, const char *content_type,
                       struct evbuffer *body);
/* Send len bytes of an open file from offset; takes ownership of fd. */
void http_reply_file(struct http_request *req, int status, const char *content_type, int fd,
                     off_t offset, off_t len);
/* YARN-style error: status 4xx/5xx, exception e.g. "NotFoundException". */
void http_reply_error(struct http_request *req, int status, const char *exception, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));

#endif
