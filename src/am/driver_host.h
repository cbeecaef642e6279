/*
 * driver_host.h — cluster mode: the driver runs inside the AM.
 *
 * The job file (localized into the AM container's working directory) is
 * read as JSON and run by an in-process driver whose backend is the AM:
 * its requests for executors go to the executor pool, executor losses the
 * RM reports go back to it, and its end finishes the application with
 * SUCCEEDED or FAILED and the driver's diagnostics.  The driver's results
 * go to stdout, i.e. the AM container's stdout log.
 */
#ifndef WEFT_AM_DRIVER_HOST_H
#define WEFT_AM_DRIVER_HOST_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

struct am;
struct config;
struct driver_host;

struct driver_host_options {
	const char *job_file;       /* --job */
	const char *advertise_host; /* driver.host, else NM_HOST, else the host's name */
	const char *bind_host;      /* driver.bind-host; "" = advertise_host */
	int port;                   /* driver.port */
	const char *app_secret;
	int max_task_failures;            /* driver.task.max-failures */
	bool speculation;                 /* driver.speculation */
	int dynamic_min, dynamic_max;     /* driver.dynamic-allocation.*; max 0 = off */
	int64_t executor_idle_timeout_ms; /* ...executor-idle-timeout-ms */
};

/*
 * Start the driver's listener and attach it to am (am_set_driver).  A job
 * file that cannot be read is not an error here: driver_host_run finishes
 * the application FAILED with the reason, so the user sees it.  RET NULL
 * with *cause when the driver cannot listen.
 */
struct driver_host *driver_host_new(struct event_base *base, struct am *am,
                                    const struct driver_host_options *opts, char **cause);
/* Run the job (after am_start); a bad job finishes the app FAILED. */
void driver_host_run(struct driver_host *dh);
void driver_host_free(struct driver_host *dh);

#endif
