/*
 * driver.h — the driver: turns a job into tasks, schedules them on
 * executors, retries what fails, and returns results.
 *
 * One library, two hosts: weft-submit links it in client mode, weft-am in
 * cluster mode.  The driver owns a TCP listener (line-delimited JSON, see
 * weft/protocol.h) that executors dial; it never talks to the RM itself.
 * What it needs from the cluster (more or fewer executors, "the job is
 * over") goes through a backend:
 *   - cluster mode: the AM passes an in-process backend (function calls);
 *   - client mode: backend is NULL and the driver expects the AM to dial
 *     in ("register-am") and relays requests over that connection.
 *
 * Job descriptions (JSON objects):
 *   {"kind":"shell","command":"CMD","tasks":N}
 *     Each task runs CMD with /bin/sh -c in an executor, with
 *     WEFT_TASK_INDEX and WEFT_TASK_ATTEMPT in its environment.  When every
 *     task succeeded the driver writes each task's stdout, in task order,
 *     to the output stream.
 *   {"kind":"dataflow","datasets":{...},"actions":[...]}
 *     Datasets derived from text inputs by map, reduce-by-key,
 *     sort-by-key and join, cut into stages at shuffles; actions collect
 *     (records to the output, in partition order) or save (a directory of
 *     part files).  See weft-job(5).
 *
 * The driver also serves its status as JSON over HTTP on an ephemeral
 * port (driver_status_url; the AM registers it as the trackingUrl).
 */
#ifndef WEFT_DRIVER_H
#define WEFT_DRIVER_H

#include <event2/event.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct driver;

/* What the host does for the driver (cluster mode). */
struct driver_backend {
	/* Want this many executors in total (dynamic allocation). */
	void (*request_executors)(void *arg, int total);
	/* Stop this executor's container (idle, or a straggler's copy). */
	void (*kill_executor)(void *arg, const char *container_id);
	void *arg;
};

struct driver_options {
	/* Listen here; NULL or "" = advertise_host (else 127.0.0.1).  A
	 * wildcard only when asked for (driver.bind-host = 0.0.0.0). */
	const char *bind_host;
	int port;                   /* 0 = any free port */
	const char *advertise_host; /* what executors dial; NULL = bind_host */
	const char *app_secret;     /* executors and the AM must prove it */
	int max_task_failures;      /* attempts per task (driver.task.max-failures) */
	bool speculation;           /* driver.speculation */
	FILE *out;                  /* where results go (stdout) */
	size_t max_result_bytes;    /* results held for out; 0 = 1 GiB (added) */
	/* Dynamic executors (--dynamic-executors MIN:MAX); max 0 = off. */
	int dynamic_min;
	int dynamic_max;
	int64_t executor_idle_timeout_ms; /* 0 = 60 s */
	bool no_status_server;            /* tests: no HTTP status */
};

/*
 * Called once when the job ended (all tasks done, or a task failed for
 * good, or driver_abort()).  succeeded tells which; diagnostics says why
 * it failed (the failing task's stderr tail).  The driver has already
 * written results to out and told executors (and a client-mode AM) to
 * shut down.
 */
typedef void (*driver_done_cb)(struct driver *d, bool succeeded, const char *diagnostics,
                               void *arg);

/* RET the driver, listening, or NULL with *cause. */
/* The address the driver's listeners bind for opts (see bind_host). */
const char *driver_bind_host(const struct driver_options *opts);
/* Create the driver and start listening.  */
struct driver *driver_new(struct event_base *base, const struct driver_options *opts,
                          const struct driver_backend *backend, driver_done_cb done, void *arg,
                          char **cause);
/* "host:port" executors dial. */
const char *driver_address(const struct driver *d);
/* Validate and start a job (json not consumed).  RET 0 / -1 *cause with
 * the path of the bad field.  One job per driver: a second call fails. */
int driver_run(struct driver *d, struct json_object *job, char **cause);
/* Validate a job description without running it (weft-submit checks a
 * job file before submitting anything). */
int driver_validate_job(struct json_object *job, char **cause);
/* The host learned that an executor's container ended (cluster mode: the
 * AM heard it from the RM).  Its running tasks are re-run elsewhere. */
void driver_executor_lost(struct driver *d, const char *container_id, int exit_status,
                          const char *diagnostics);
/* End the job now as failed (the app was killed, the AM is giving up). */
void driver_abort(struct driver *d, const char *diagnostics);
/* Executors registered and alive. */
int driver_executor_count(const struct driver *d);
/* The job's outcome is known and the driver is closing its connections
 * (its done callback comes within seconds). */
bool driver_finishing(const struct driver *d);
/* Want total executors: through the backend (cluster mode) or the AM link
 * (client mode; remembered until an AM registers).  (added) */
void driver_request_executors(struct driver *d, int total);
/* "http://host:port/ws/v1/driver": the status server (NULL when off). */
const char *driver_status_url(const struct driver *d);
/* The status the server answers: the "driver" object (caller puts). */
struct json_object *driver_status(const struct driver *d);
/* Close the listener and every connection. */
void driver_free(struct driver *d);

#endif
