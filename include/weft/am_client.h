/*
 * weft/am_client.h — an application master's calls to the resource
 * manager (weft_am_client(3)): YARN's AMRMClientAsync in C.
 *
 * An AM registers, then keeps one allocate call going to the RM: it
 * carries the AM's container requests, releases and progress, and its
 * answer the containers granted, the containers that completed and the
 * containers the scheduler wants back; each reaches a callback.  At the
 * end the AM finishes (unregisters) with a final status.
 *
 * Everything runs on the weft_client's event loop and never blocks.  An
 * allocate goes out at once when there is something new to say (a
 * request changed, a release), otherwise every heartbeat_ms — faster
 * while a request is outstanding (initial_interval_ms, doubling up to
 * heartbeat_ms).  One allocate is in flight at a time.  A call that gets
 * no answer is retried with the very same body (so nothing handed over
 * is lost), on the next RM address and after a backoff (weft/client.h),
 * until the RM has not answered for give_up_ms: then the client ends.
 *
 * The AM proves who it is with the attempt's AM token, a header on every
 * call of the weft_client it is built on: weft_am_client_connect makes
 * such a client from the environment the RM gives an AM's container
 * (WEFT_RM_URL, one or more RM addresses separated by commas, and
 * WEFT_AM_TOKEN).
 */
#ifndef WEFT_AM_CLIENT_H
#define WEFT_AM_CLIENT_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "weft/client.h"
#include "weft/container.h"
#include "weft/resource.h"

#ifdef __cplusplus
extern "C" {
#endif

struct weft_am_client;

/* Defaults of weft_am_client_options fields left 0. */
#define WEFT_AM_CLIENT_HEARTBEAT_MS 1000
#define WEFT_AM_CLIENT_GIVE_UP_MS   600000

/* What the RM answers a registration (valid during the callback). */
struct weft_am_registration {
	const char *application_id;
	const char *attempt_id;
	const char *queue;       /* NULL when the RM did not say */
	const char *user;        /* NULL when the RM did not say */
	weft_resource_t maximum; /* the largest container it grants; zero: unsaid */
	weft_resource_t minimum; /* the smallest; requests are rounded up to it */
};

/* Why the client stopped for good. */
enum weft_am_client_end {
	WEFT_AM_CLIENT_SHUTDOWN,  /* the RM said SHUTDOWN: the application was killed or is over */
	WEFT_AM_CLIENT_NOT_FOUND, /* 404: the RM knows no such attempt (any more) */
	WEFT_AM_CLIENT_REJECTED,  /* another 4xx: a bad token, a bad request */
	WEFT_AM_CLIENT_UNREACHABLE, /* no answer for give_up_ms */
};

/*
 * The callbacks (any may be NULL).  Records are valid during the call
 * only.  A callback may call any function of the client, free it
 * included.
 */
struct weft_am_client_handlers {
	/* Registered: the allocate loop starts. */
	void (*registered)(void *arg, const struct weft_am_registration *registration);
	/* An allocate answer's grants, then its completed containers, then
	 * the containers wanted back (each only when not empty). */
	void (*containers_allocated)(void *arg, const struct weft_container *containers, int n);
	void (*containers_completed)(void *arg, const struct weft_container_status *statuses,
	                             int n);
	void (*preemption_requested)(void *arg, const struct weft_preemption_request *requests,
	                             int n);
	/* The RM acknowledged weft_am_client_finish: nothing more will come. */
	void (*finished)(void *arg);
	/* The client stopped for good without finishing; why says what
	 * happened.  Nothing more will come. */
	void (*ended)(void *arg, enum weft_am_client_end end, const char *why);
	void *arg;
};

struct weft_am_client_options {
	/* Allocate this often when nothing new is to be said;
	 * 0: WEFT_AM_CLIENT_HEARTBEAT_MS.  The RM fails an attempt that
	 * has not called for rm.am.liveness-expiry-ms. */
	int heartbeat_ms;
	/* While a request is outstanding, the first interval, doubling up
	 * to heartbeat_ms (Spark's initial allocation interval);
	 * 0: heartbeat_ms. */
	int initial_interval_ms;
	/* Give up after the RM has not answered for this long;
	 * 0: WEFT_AM_CLIENT_GIVE_UP_MS. */
	int64_t give_up_ms;
};

/*
 * A weft_client for an AM on base: to rm_addresses (NULL: $WEFT_RM_URL)
 * with the AM token am_token (NULL: $WEFT_AM_TOKEN) on every call, and
 * call_timeout_ms on each try (0: the default).  RET the client (the
 * caller frees it, after the AM client), or NULL with *cause.
 */
struct weft_client *weft_am_client_connect(struct event_base *base, const char *rm_addresses,
                                           const char *am_token, long call_timeout_ms,
                                           char **cause);
/* An AM client on client (not owned; it must outlive this one).
 * options may be NULL; handlers are copied. */
struct weft_am_client *weft_am_client_new(struct weft_client *client,
                                          const struct weft_am_client_options *options,
                                          const struct weft_am_client_handlers *handlers);
/* Cancel the call in flight (no callback runs) and free. */
void weft_am_client_free(struct weft_am_client *am);

/*
 * Register (once; later calls do nothing).  host: where the AM runs;
 * rpc_port: -1 when it serves none; tracking_url: the application's web
 * UI ("" or NULL: none).  The first allocate follows the answer at once.
 */
void weft_am_client_register(struct weft_am_client *am, const char *host, int rpc_port,
                             const char *tracking_url);

/*
 * Container requests, held per priority as the RM holds them: a count
 * of containers still wanted there, lowered by one with every grant at
 * that priority (an AM does not remove what it was granted).  A changed
 * count goes out with the next allocate, at once.  Each call sets the
 * priority's capability and locality to req's.
 *
 * add: req->count more at req->priority (YARN's addContainerRequest).
 * remove: req->count fewer (not below 0; removeContainerRequest).
 * set: exactly req->count (weft's wire semantics: the total still
 * wanted; 0 withdraws).
 */
void weft_am_client_add_container_request(struct weft_am_client *am,
                                          const struct weft_container_request *req);
void weft_am_client_remove_container_request(struct weft_am_client *am,
                                             const struct weft_container_request *req);
void weft_am_client_set_container_request(struct weft_am_client *am,
                                          const struct weft_container_request *req);
/* The count still wanted at priority (0 when none). */
int weft_am_client_requested(const struct weft_am_client *am, int32_t priority);
/* Give a granted container back (YARN's releaseAssignedContainer); it
 * completes with WEFT_EXIT_ABORTED. */
void weft_am_client_release(struct weft_am_client *am, const char *container_id);
/* The application's progress, 0..1, sent with each allocate. */
void weft_am_client_set_progress(struct weft_am_client *am, double progress);

/*
 * Unregister (YARN's unregisterApplicationMaster): after the allocate in
 * flight, and one more when requests or releases are still to be sent,
 * send finish with final_status ("SUCCEEDED", "FAILED" or "KILLED"),
 * diagnostics and tracking_url (NULL: ""), retried until answered; then
 * handlers.finished.  No allocate follows.  Only the first call counts.
 */
void weft_am_client_finish(struct weft_am_client *am, const char *final_status,
                           const char *diagnostics, const char *tracking_url);
/* Stop all activity: no more calls, no more callbacks (the AM exits
 * without unregistering: the RM decides what comes next). */
void weft_am_client_stop(struct weft_am_client *am);

/* Whether the RM answered the registration. */
bool weft_am_client_registered(const struct weft_am_client *am);
/* Allocates answered so far. */
int weft_am_client_allocates(const struct weft_am_client *am);

#ifdef __cplusplus
}
#endif

#endif
