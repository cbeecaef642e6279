/*
 * am_launcher.h — the RM's calls to NMs' container API (YARN's
 * AMLauncher): start an AM container on the node the scheduler chose, and
 * stop containers of killed or failed applications at once (the heartbeat
 * answer's containersToCleanup remains the guaranteed path).
 *
 * Calls go through libweft's NM client (weft/nm_client.h); the outcome of a launch
 * goes back through the am_launcher_events rm.c gives it (to the app
 * manager, which looks the attempt up by id again, so an attempt that
 * ended meanwhile is simply ignored).
 */
#ifndef WEFT_RM_AM_LAUNCHER_H
#define WEFT_RM_AM_LAUNCHER_H

#include "weft/resource.h"

struct rm;
struct am_launcher;
struct weft_app_submission;

struct am_launch {
	const char *attempt_id;
	const char *container_id;
	const char *node_id;
	const char *node_http_address;
	const char *user;
	weft_resource_t resource;
	const struct weft_app_submission *submission;
};

/* The outcome of a launch, by ids; arg is passed back. */
struct am_launcher_events {
	/* The NM accepted the AM container. */
	void (*launched)(void *arg, const char *attempt_id, const char *container_id);
	/* The NM refused it, or did not answer. */
	void (*launch_failed)(void *arg, const char *attempt_id, const char *container_id,
	                      const char *why);
	void *arg;
};

/* events is copied. */
struct am_launcher *am_launcher_new(struct rm *rm, const struct am_launcher_events *events);
/* Cancel calls in flight (no callbacks) and free. */
void am_launcher_free(struct am_launcher *l);
/* Sign a container token and POST /rpc/containers/start to the node with
 * the submission's launch context plus WEFT_RM_URL (the RM's internal RPC
 * URL), WEFT_AM_TOKEN and WEFT_APP_ATTEMPT_ID. */
void am_launcher_launch(struct am_launcher *l, const struct am_launch *req);
/* POST /rpc/containers/stop with X-Weft-Auth; the answer is only logged. */
void am_launcher_stop_container(struct am_launcher *l, const char *node_http_address,
                                const char *container_id);
/* Calls in flight (tests). */
int am_launcher_pending(const struct am_launcher *l);

#endif
