/*
 * rm_client.h — the AM's side of the AM protocol (weft/protocol.h):
 * register, the allocate loop, finish.
 *
 * Every call is asynchronous (http_client on the AM's loop) and carries
 * the X-Weft-AM-Token header.  One allocate is in flight at a time: an
 * allocate goes out at once when the owner pokes (something new to ask or
 * release; pokes coalesce), otherwise every heartbeat interval — faster
 * while an ask is outstanding (Spark's initial allocation interval,
 * doubling up to the heartbeat).  A call that gets no answer or a 5xx is
 * retried with backoff; when the RM has not answered for give_up_ms (its
 * AM liveness would have expired by then anyway) the client gives up.
 */
#ifndef WEFT_AM_RM_CLIENT_H
#define WEFT_AM_RM_CLIENT_H

#include <event2/event.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/proto_am.h"
#include "weft/resource.h"

struct http_client;
struct rm_client;

/* The register answer (proto_am_registered), one grant
 * (proto_am_grant), one completed container (proto_am_container_status)
 * and a decoded allocate answer (proto_am_allocated) are proto_am's
 * records: strings and arrays are valid during the callback. */

/* Why the client stopped for good. */
enum rm_client_end {
	RM_CLIENT_SHUTDOWN,    /* allocate answered action SHUTDOWN: app killed or over */
	RM_CLIENT_NOT_FOUND,   /* 404: unknown or stale attempt */
	RM_CLIENT_REJECTED,    /* another 4xx: the RM refuses us (bad token, bad ask) */
	RM_CLIENT_UNREACHABLE, /* no answer for give_up_ms */
};

struct rm_client_handlers {
	/* Registered: start asking. */
	void (*registered)(void *arg, const struct proto_am_registered *reg);
	/* Fill the next allocate: add asks and releases with
	 * proto_am_allocate_add_ask/_add_release; set req->progress (0..1). */
	void (*build_allocate)(void *arg, struct proto_am_allocate *req);
	/* An allocate answered with action NORMAL. */
	void (*allocated)(void *arg, const struct proto_am_allocated *alloc);
	/* The RM acknowledged finish (isUnregistered). */
	void (*finished)(void *arg);
	/* The client stopped for good; why says what happened. */
	void (*ended)(void *arg, enum rm_client_end end, const char *why);
	void *arg;
};

struct rm_client_options {
	const char *rm_url;      /* "http://host:port" (no trailing path) */
	const char *am_token;    /* X-Weft-AM-Token value */
	int heartbeat_ms;        /* am.heartbeat-interval-ms */
	int initial_interval_ms; /* first interval while an ask is outstanding */
	int64_t give_up_ms;      /* stop retrying after this long without an answer */
	long call_timeout_ms;    /* bound on one HTTP call */
};

struct rm_client *rm_client_new(struct event_base *base, struct http_client *http,
                                const struct rm_client_options *opts,
                                const struct rm_client_handlers *handlers);
/* Cancel everything in flight (no callback runs) and free. */
void rm_client_free(struct rm_client *rc);

/* Register (once).  tracking_url may be "". */
void rm_client_register(struct rm_client *rc, const char *host, const char *tracking_url);
/* Something new to ask or release: allocate as soon as possible. */
void rm_client_poke(struct rm_client *rc);
/* Whether an ask is still outstanding (picks the faster interval). */
void rm_client_set_waiting(struct rm_client *rc, bool waiting);
/*
 * Unregister: after any allocate in flight (and one more if the owner
 * poked, so final releases reach the RM), send finish and retry it until
 * answered; then handlers->finished.  No allocate follows.
 */
void rm_client_finish(struct rm_client *rc, const char *final_status, const char *diagnostics,
                      const char *tracking_url);
/* Stop all activity (no more calls or callbacks), e.g. when exiting. */
void rm_client_stop(struct rm_client *rc);
/* Allocates answered so far (tests). */
int rm_client_allocate_count(const struct rm_client *rc);

#endif
