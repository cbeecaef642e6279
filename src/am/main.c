/*
 * main.c — weft-am: arguments, environment, configuration, one loop.
 *
 * Exit status: 0 when the application was finished with the RM (whatever
 * its final status) or the RM said SHUTDOWN, 1 when the RM refused the AM
 * or stayed unreachable, 2 for bad arguments or environment.
 */
#include "weft_config.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "am/driver_host.h"
#include "am/driver_link.h"
#include "am/options.h"
#include "common/config.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/proto_nm.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"

/* While an ask is outstanding, allocate this often at first, doubling up
 * to am.heartbeat-interval-ms (Spark's initial-allocation.interval). */
#define MAIN_INITIAL_ALLOCATION_INTERVAL_MS 200

struct main_state {
	struct event_base *base;
	struct am *am;
	int exit_status;
	bool exited;
};

/* The AM is done: leave the loop with its status. */
static void main_exit_cb(int status, void *arg)
{
	struct main_state *st = arg;

	st->exit_status = status;
	st->exited = true;
	event_base_loopbreak(st->base);
}

/* SIGTERM/SIGINT (the NM stops the AM container). */
static void main_stop_cb(void *arg)
{
	struct main_state *st = arg;

	am_stop(st->am);
}

/* getenv with the signature options_parse wants. */
static const char *main_getenv(const char *name)
{
	return getenv(name);
}

int main(int argc, char **argv)
{
	struct am_options o;
	struct main_state st = {0};
	struct config *cfg;
	struct driver_host *dh = NULL;
	struct driver_link *link = NULL;
	struct am_settings s = {0};
	struct driver_host_options dho = {0};
	char *cause = NULL, *tracking = NULL;
	const char *driver_host_cfg;
	int64_t max_failures;

	log_open("weft-am", LOG_LEVEL_INFO, NULL);
	if (options_parse(&o, argc, argv, main_getenv, &cause) != 0) {
		fprintf(stderr, "weft-am: %s\nTry 'weft-am --help'.\n", cause);
		free(cause);
		options_free(&o);
		return 2;
	}
	if (o.help || o.version) {
		if (o.help)
			options_usage(stdout);
		else
			daemon_print_version("weft-am");
		options_free(&o);
		return 0;
	}
	cfg = daemon_load_config("weft-am", &o.common);
	if (cfg == NULL) {
		options_free(&o);
		return 2;
	}

	max_failures = o.max_executor_failures >= 0
	                       ? o.max_executor_failures
	                       : config_get_int(cfg, "am.max-executor-failures");
	if (o.nm_http_port != NULL) {
		char *nm_http = xasprintf("%s:%s", o.nm_host, o.nm_http_port);

		tracking = proto_nm_logs_url(nm_http, o.container_id, "stdout");
		free(nm_http);
	}
	s.rm_addresses = o.rm_url;
	s.am_token = o.am_token;
	s.attempt_id = o.attempt_id;
	s.container_id = o.container_id;
	s.host = o.nm_host;
	s.tracking_url = tracking ? tracking : "";
	s.app_secret = o.app_secret;
	s.num_executors = o.num_executors;
	s.executor_resource = weft_resource(o.executor_memory_mb, o.executor_cores);
	s.max_executor_failures = (int)max_failures;
	s.heartbeat_ms = (int)config_get_int(cfg, "am.heartbeat-interval-ms");
	s.initial_interval_ms = MAIN_INITIAL_ALLOCATION_INTERVAL_MS;
	s.rm_give_up_ms = config_get_int(cfg, "rm.am.liveness-expiry-ms");
	s.call_timeout_ms = 30000;
	s.stop_grace_ms = 2000;

	st.base = event_base_new();
	if (st.base == NULL)
		fatalx("event_base_new failed");
	st.am = am_new(st.base, &s, main_exit_cb, &st, &cause);
	if (st.am == NULL) {
		log_error("%s", cause);
		free(cause);
		st.exit_status = 2;
		goto out;
	}
	log_info("weft-am %s for %s (%s mode) in %s on %s", WEFT_VERSION_STRING, o.attempt_id,
	         o.mode == AM_MODE_CLUSTER ? "cluster" : "client", o.container_id, o.nm_host);

	if (o.mode == AM_MODE_CLUSTER) {
		driver_host_cfg = config_get(cfg, "driver.host");
		dho.job_file = o.job_file;
		dho.advertise_host = *driver_host_cfg != '\0' ? driver_host_cfg : o.nm_host;
		dho.bind_host = config_get(cfg, "driver.bind-host");
		dho.port = (int)config_get_int(cfg, "driver.port");
		dho.app_secret = o.app_secret;
		dho.max_task_failures = (int)config_get_int(cfg, "driver.task.max-failures");
		dho.speculation = config_get_bool(cfg, "driver.speculation");
		dho.dynamic_min =
		        (int)config_get_int(cfg, "driver.dynamic-allocation.min-executors");
		dho.dynamic_max =
		        (int)config_get_int(cfg, "driver.dynamic-allocation.max-executors");
		dho.executor_idle_timeout_ms =
		        config_get_int(cfg, "driver.dynamic-allocation.executor-idle-timeout-ms");
		dh = driver_host_new(st.base, st.am, &dho, &cause);
		if (dh == NULL) {
			/* Exit before registering: the attempt fails and the RM
			 * may try another node. */
			log_error("cannot start the driver: %s", cause);
			free(cause);
			st.exit_status = 1;
			goto out;
		}
	} else {
		link = driver_link_new(st.base, st.am, o.driver_host, o.driver_port, o.app_secret,
		                       o.application_id, o.attempt_id);
	}

	daemon_signals(st.base, main_stop_cb, &st);
	/* Client mode registers with the RM once the driver answered (with
	 * its status URL for the trackingUrl), as Spark's ExecutorLauncher
	 * waits for its driver. */
	if (dh != NULL) {
		am_start(st.am);
		driver_host_run(dh);
	} else {
		driver_link_start(link);
	}
	event_base_dispatch(st.base);
	if (!st.exited) {
		log_error("event loop ended unexpectedly");
		st.exit_status = 1;
	}
	daemon_signals_free();
out:
	log_info("exiting with status %d", st.exit_status);
	fflush(stdout);
	driver_host_free(dh);
	driver_link_free(link);
	am_free(st.am);
	event_base_free(st.base);
	config_free(cfg);
	free(tracking);
	options_free(&o);
	log_close();
	return st.exit_status;
}
