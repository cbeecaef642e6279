/*
 * submit_session.h — one submission from start to end, on one event loop:
 *
 *   POST /ws/v1/cluster/apps/new-application      -> application id
 *   cluster: PUT /ws/v1/staging/{id}/job.json      (the job file)
 *   client:  start the driver here (executors and the AM dial it)
 *   POST /ws/v1/cluster/apps                        (202)
 *   GET /ws/v1/cluster/apps/{id}, then ?wait-while=STATE, which the RM
 *       answers when the state changes, until final
 *   cluster: the AM's stdout (the driver's output) through the NM
 *
 * Every call goes through libweft's RM client on the session's loop
 * (weft/rm_client.h: rm.address's list, failover, retries for
 * rm.connect.max-wait-ms), so the client-mode driver keeps serving
 * executors while the application is followed, and tests can run the
 * whole flow against a fake RM on the same loop.
 *
 * Exit status handed to done(): 0 the application SUCCEEDED (or, with
 * --no-wait, was accepted), 1 it failed or the cluster could not be
 * reached, 128+signal when interrupted.
 */
#ifndef WEFT_SUBMIT_SESSION_H
#define WEFT_SUBMIT_SESSION_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "submit/submit_args.h"
#include "submit/submit_job.h"

/* How long, after the client-mode driver ended, the application may take
 * to reach a final state. */
#define SUBMIT_FINAL_GRACE_MS 30000
/* Bound on the kill call after Ctrl-C. */
#define SUBMIT_KILL_TIMEOUT_MS 5000

/* Everything resolved from flags and configuration. */
struct submit_settings {
	const struct submit_args *args;
	const struct submit_job *job;
	const char *rm_addresses; /* weft_client_options.rm_addresses */
	const char *rm_host;      /* for finding the interface that reaches the RM */
	int rm_port;
	int64_t rm_retry_ms; /* rm.connect.max-wait-ms */
	const char *user;    /* user.name, or NULL */
	const char *name;    /* application name */
	const char *queue;
	int64_t poll_interval_ms; /* pace of a wait the RM does not hold */
	int64_t am_memory_mb;     /* client mode */
	/* client-mode driver */
	const char *driver_host;      /* "" or NULL = the interface that reaches the RM */
	const char *driver_bind_host; /* "" or NULL = the advertised host */
	int driver_port;
	int max_task_failures;
	bool speculation;
	int dynamic_min, dynamic_max;     /* driver.dynamic-allocation.*; max 0 = off */
	int64_t executor_idle_timeout_ms; /* driver.dynamic-allocation.executor-idle-timeout-ms */
	FILE *out;                        /* job output */
	FILE *err;                        /* progress and errors */
};

typedef void (*submit_session_done_cb)(int exit_status, void *arg);

struct submit_session;

/* Nothing happens until submit_session_start().  settings and what it
 * points to must outlive the session. */
struct submit_session *submit_session_new(struct event_base *base,
                                          const struct submit_settings *settings,
                                          submit_session_done_cb done, void *arg);
void submit_session_start(struct submit_session *s);
/* SIGINT/SIGTERM: a client-mode application is killed through the RM
 * first; a cluster-mode one keeps running.  A second call ends at once. */
void submit_session_interrupt(struct submit_session *s, int signo);
/* The application id, once the RM gave one (else NULL). */
const char *submit_session_app_id(const struct submit_session *s);
void submit_session_free(struct submit_session *s);

#endif
