/*
 * driver_host.c — the in-process driver of cluster mode and its backend.
 *
 * The AM and the driver call each other only through two small tables:
 * the driver's backend (request / kill executors → the AM) and the AM's
 * driver ops (executor lost / stop → the driver).
 */
#include "weft_config.h"

#include "am/driver_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "common/log.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "driver/driver.h"

/* A job file is a small JSON description, never data. */
#define DRIVER_HOST_MAX_JOB_BYTES (16 * 1024 * 1024)

struct driver_host {
	struct am *am;
	struct driver *driver;
	struct json_object *job;
	char *job_error; /* why the job file could not be read */
	char *job_file;
};

/* Backend: the driver's dynamic allocation. */
static void driver_host_request_cb(void *arg, int total)
{
	struct driver_host *dh = arg;

	am_request_executors(dh->am, total);
}

/* Backend: the driver wants an executor gone. */
static void driver_host_kill_cb(void *arg, const char *container_id)
{
	struct driver_host *dh = arg;

	am_kill_executor(dh->am, container_id);
}

/* AM ops: the RM reported an executor's container ended. */
static void driver_host_lost_cb(void *arg, const char *container_id, int exit_status,
                                const char *diagnostics)
{
	struct driver_host *dh = arg;

	driver_executor_lost(dh->driver, container_id, exit_status, diagnostics);
}

/* AM ops: the AM ends on its own; the job ends with it. */
static void driver_host_stop_cb(void *arg, const char *diagnostics)
{
	struct driver_host *dh = arg;

	driver_abort(dh->driver, diagnostics);
}

/* The job is over: the application ends the same way. */
static void driver_host_done_cb(struct driver *d, bool succeeded, const char *diagnostics,
                                void *arg)
{
	struct driver_host *dh = arg;

	log_info("job %s%s%s", succeeded ? "succeeded" : "failed",
	         diagnostics && *diagnostics ? ": " : "", diagnostics ? diagnostics : "");
	fflush(stdout);
	am_finish(dh->am, succeeded ? "SUCCEEDED" : "FAILED", diagnostics ? diagnostics : "");
}

/* Listen, read the job, attach to the AM. */
struct driver_host *driver_host_new(struct event_base *base, struct am *am,
                                    const struct driver_host_options *opts, char **cause)
{
	struct driver_host *dh = xcalloc(1, sizeof *dh);
	struct driver_backend backend = {
	        .request_executors = driver_host_request_cb,
	        .kill_executor = driver_host_kill_cb,
	        .arg = dh,
	};
	struct driver_options dopts = {
	        .bind_host = opts->bind_host,
	        .port = opts->port,
	        .advertise_host = opts->advertise_host,
	        .app_secret = opts->app_secret,
	        .max_task_failures = opts->max_task_failures,
	        .speculation = opts->speculation,
	        .out = stdout,
	        .dynamic_min = opts->dynamic_min,
	        .dynamic_max = opts->dynamic_max,
	        .executor_idle_timeout_ms = opts->executor_idle_timeout_ms,
	};
	struct am_driver_ops ops = {
	        .executor_lost = driver_host_lost_cb,
	        .stop = driver_host_stop_cb,
	        .arg = dh,
	};
	char *job_cause = NULL;

	dh->am = am;
	dh->job_file = xstrdup(opts->job_file);
	dh->job = wjson_parse_file(opts->job_file, DRIVER_HOST_MAX_JOB_BYTES, &job_cause);
	if (dh->job == NULL) {
		dh->job_error = xasprintf("job file %s", job_cause);
		free(job_cause);
	} else if (!json_object_is_type(dh->job, json_type_object)) {
		dh->job_error = xasprintf("job file %s: not a JSON object", opts->job_file);
	}
	dh->driver = driver_new(base, &dopts, &backend, driver_host_done_cb, dh, cause);
	if (dh->driver == NULL) {
		driver_host_free(dh);
		return NULL;
	}
	log_info("driver listening; executors dial %s", driver_address(dh->driver));
	am_set_driver(am, driver_address(dh->driver), &ops);
	/* The RM's report links to the driver's status. */
	am_set_tracking_url(am, driver_status_url(dh->driver));
	return dh;
}

/* Start the job; a job that cannot run ends the application FAILED. */
void driver_host_run(struct driver_host *dh)
{
	char *cause = NULL, *diag;

	if (dh->job_error != NULL) {
		log_error("%s", dh->job_error);
		am_finish(dh->am, "FAILED", dh->job_error);
		return;
	}
	if (driver_run(dh->driver, dh->job, &cause) != 0) {
		diag = xasprintf("job file %s: %s", dh->job_file, cause);
		log_error("%s", diag);
		am_finish(dh->am, "FAILED", diag);
		free(diag);
		free(cause);
	}
}

void driver_host_free(struct driver_host *dh)
{
	if (dh == NULL)
		return;
	if (dh->driver != NULL)
		driver_free(dh->driver);
	if (dh->job != NULL)
		json_object_put(dh->job);
	free(dh->job_error);
	free(dh->job_file);
	free(dh);
}
