/*
 * lineconn.h — one JSON object per line over a TCP bufferevent.
 *
 * The driver and its executors (and a client-mode AM) hold one long-lived
 * connection each, because tasks and status flow both ways all the time.
 * A line longer than the cap, or one that is not a JSON object, closes the
 * connection with a reason: a peer cannot make the other side buffer
 * without bound.  Writes go through libevent (writev), so a program using
 * this ignores SIGPIPE (daemon.c does it for the daemons).
 */
#ifndef WEFT_LINECONN_H
#define WEFT_LINECONN_H

#include <event2/event.h>
#include <json-c/json.h>
#include <stddef.h>

struct lineconn;
struct lineserver;

/* A message arrived; msg is put after the callback returns (json_object_get
 * it to keep it).  The callback may free the connection. */
typedef void (*lineconn_message_cb)(struct lineconn *c, struct json_object *msg, void *arg);
/* The connection is gone (EOF, error, bad line, failed connect): reason is
 * a text.  The owner must lineconn_free() it (here or later). */
typedef void (*lineconn_close_cb)(struct lineconn *c, const char *reason, void *arg);
typedef void (*lineserver_accept_cb)(struct lineconn *c, void *arg);

/* Dial host:port without blocking; on_close reports a failed connect. */
struct lineconn *lineconn_connect(struct event_base *base, const char *host, int port,
                                  size_t max_line, lineconn_message_cb on_message,
                                  lineconn_close_cb on_close, void *arg);
/* Change the callbacks (the server hands out connections with none set). */
void lineconn_set_callbacks(struct lineconn *c, lineconn_message_cb on_message,
                            lineconn_close_cb on_close, void *arg);
/* Queue msg as one line (msg not consumed).  RET 0, -1 when closed. */
int lineconn_send(struct lineconn *c, struct json_object *msg);
/* "ip:port" of the peer. */
const char *lineconn_peer(const struct lineconn *c);
/* Bytes queued but not yet written. */
size_t lineconn_pending(const struct lineconn *c);
/* Close and free; no callback runs after this. */
void lineconn_free(struct lineconn *c);

/* Listen on host:port (0 = any port) and hand every accepted connection to
 * on_accept, which must set its callbacks.  RET NULL with *cause. */
struct lineserver *lineserver_new(struct event_base *base, const char *host, int port,
                                  size_t max_line, lineserver_accept_cb on_accept, void *arg,
                                  char **cause);
int lineserver_port(const struct lineserver *s);
void lineserver_free(struct lineserver *s);

#endif
