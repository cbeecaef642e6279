/*
 * am.h — the application master's core: ties the RM client, the executor
 * pool and the NM client together, and hands executor news to whichever
 * driver the mode brings (in-process in cluster mode, over a link in
 * client mode).
 *
 * Life of an AM: am_start() registers; every grant becomes an executor
 * (or a release); every lost executor is reported to the driver and
 * replaced; am_finish() stops the executors, releases their containers,
 * unregisters with the final status and, once the RM acknowledged, calls
 * the exit callback with 0.  The RM ending us (SHUTDOWN, 404), giving up
 * on the RM, or am_stop() stop the executors and exit without finishing.
 */
#ifndef WEFT_AM_AM_H
#define WEFT_AM_AM_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "weft/resource.h"

struct am;

/* How the AM talks to the driver (set by driver_host or driver_link). */
struct am_driver_ops {
	/* A running executor's container ended (the driver re-runs its tasks). */
	void (*executor_lost)(void *arg, const char *container_id, int exit_status,
	                      const char *diagnostics);
	/* The AM is ending on its own (failure limit, app killed, RM gone):
	 * stop the driver; diagnostics says why. */
	void (*stop)(void *arg, const char *diagnostics);
	void *arg;
};

struct am_settings {
	const char *rm_addresses; /* WEFT_RM_URL: one or more, comma separated */
	const char *am_token;
	const char *attempt_id;
	const char *container_id; /* the AM's own container (tracking URL) */
	const char *host;         /* where the AM runs (NM_HOST) */
	const char *tracking_url; /* "" when none */
	const char *app_secret;
	int num_executors;
	weft_resource_t executor_resource;
	int max_executor_failures; /* 0 = max(3, 2 x num_executors) */
	int heartbeat_ms;
	int initial_interval_ms;
	int64_t rm_give_up_ms;
	long call_timeout_ms;
	int stop_grace_ms; /* how long to wait for NM stop calls at exit */
};

/* Called once with the process exit status (0 after a finish the RM
 * acknowledged or a SHUTDOWN, 1 when the RM refused or vanished). */
typedef void (*am_exit_cb)(int status, void *arg);

/* RET the AM, or NULL with *cause when settings name no usable RM
 * address or token. */
struct am *am_new(struct event_base *base, const struct am_settings *settings, am_exit_cb on_exit,
                  void *arg, char **cause);
void am_free(struct am *am);

/* The driver executors dial and how to tell it things (before am_start). */
void am_set_driver(struct am *am, const char *driver_address, const struct am_driver_ops *ops);
/* The application's tracking URL (the driver's status server), before
 * am_start to be registered with it. */
void am_set_tracking_url(struct am *am, const char *url);
/* Register with the RM and start asking for executors (once: later calls
 * do nothing). */
void am_start(struct am *am);
/* The driver wants this many executors in total. */
void am_request_executors(struct am *am, int total);
/* The driver wants this executor gone. */
void am_kill_executor(struct am *am, const char *container_id);
/* End the application: SUCCEEDED, FAILED or KILLED.  Only the first call
 * counts. */
void am_finish(struct am *am, const char *final_status, const char *diagnostics);
/* SIGTERM: stop the executors and exit without unregistering (when the NM
 * stops the AM container the RM decides what happens next). */
void am_stop(struct am *am);

/* What the AM knows (tests, logs). */
bool am_registered(const struct am *am);
const char *am_application_id(const struct am *am);
int am_running_executors(const struct am *am);
int am_failures(const struct am *am);

#endif
