/*
 * main.c — weft-rm: options, configuration, logging, then the loop.
 *
 * Everything else is built by rm_new() (rm.c); SIGTERM/SIGINT end the loop
 * and the RM is freed before exit, so a clean shutdown is also a leak
 * check.
 */
#include "weft_config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>

#include "common/config.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "rm/rm.h"
#include "weft/protocol.h"

/* Public callbacks (or microseconds of them) between two looks for newly
 * ready internal RPC. */
#define MAIN_DISPATCH_MAX_CALLBACKS 16
#define MAIN_DISPATCH_INTERVAL_US   5000

/* The usage text --help prints and bad options point to. */
static void usage(FILE *out)
{
	fprintf(out, "usage: weft-rm [--conf-dir DIR] [-D key=value]... [-h] [-V]\n"
	             "\n"
	             "The weft resource manager: tracks node managers, schedules containers,\n"
	             "runs the application masters' protocol and serves YARN's REST API.\n"
	             "Public REST listens on rm.address, internal RPC (NMs, AMs, weft admin)\n"
	             "on rm.rpc-address, served first.\n"
	             "\n"
	             "  --conf-dir DIR    configuration directory (default $WEFT_CONF_DIR, then\n"
	             "                    the installed one); reads DIR/weft.conf\n"
	             "  -D key=value      override one weft.conf key (repeatable), e.g.\n"
	             "                    -D rm.address=127.0.0.1:0 -D rm.rpc-address=127.0.0.1:0\n"
	             "  -h, --help        show this help\n"
	             "  -V, --version     show the version\n"
	             "\n"
	             "It runs in the foreground; SIGTERM or SIGINT stop it. See weft-rm(8)\n"
	             "and weft.conf(5).\n");
}

/* SIGTERM/SIGINT: leave the loop, main frees everything. */
static void main_stop(void *arg)
{
	struct event_base *base = arg;

	log_info("stopping");
	event_base_loopbreak(base);
}

/* SIGHUP: read the queue configuration again (as `weft admin
 * refresh-queues` does); an invalid file leaves the current queues. */
static void main_reload(void *arg)
{
	struct rm *rm = arg;
	char *cause = NULL;

	if (rm_reload_queues(rm, &cause) != 0) {
		log_warn("queues not refreshed, the current ones stay: %s", cause);
		free(cause);
		return;
	}
	log_info("queues refreshed");
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
	        {"conf-dir", required_argument, NULL, 'c'},
	        {"help", no_argument, NULL, 'h'},
	        {"version", no_argument, NULL, 'V'},
	        {NULL, 0, NULL, 0},
	};
	struct daemon_options opts = {0};
	struct event_base *base;
	struct config *cfg;
	struct rm *rm;
	char *cause = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "c:D:hV", long_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			opts.conf_dir = optarg;
			break;
		case 'D':
			daemon_options_add_define(&opts, optarg);
			break;
		case 'h':
			usage(stdout);
			daemon_options_free(&opts);
			return 0;
		case 'V':
			daemon_print_version("weft-rm");
			daemon_options_free(&opts);
			return 0;
		default:
			usage(stderr);
			daemon_options_free(&opts);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "weft-rm: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		daemon_options_free(&opts);
		return 2;
	}
	log_open("weft-rm", LOG_LEVEL_INFO, NULL);
	cfg = daemon_load_config("weft-rm", &opts);
	daemon_options_free(&opts);
	if (cfg == NULL)
		return 2;
	/* epoll's change list folds interest flips made within one loop
	 * turn (a write event armed and disarmed again, curl_multi's socket
	 * updates) into at most one epoll_ctl each.  Safe here: the RM never
	 * dup()s a descriptor it watches. */
	{
		struct event_config *ec = event_config_new();

		if (ec == NULL)
			fatalx("event_config_new failed");
		event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
		/* Internal RPC runs at a higher priority than public REST
		 * (rm.h), but libevent only looks for newly ready events once
		 * the queue of the priority it is serving is empty: with a
		 * thousand readers ready that is a thousand callbacks.  Look
		 * again after a few public callbacks or a few milliseconds, so
		 * a heartbeat that arrives meanwhile goes first. */
		{
			struct timeval interval = {0, MAIN_DISPATCH_INTERVAL_US};

			event_config_set_max_dispatch_interval(
			        ec, &interval, MAIN_DISPATCH_MAX_CALLBACKS, RM_PRIORITY_PUBLIC);
		}
		base = event_base_new_with_config(ec);
		event_config_free(ec);
	}
	if (base == NULL)
		fatalx("event_base_new failed");
	rm = rm_new(base, cfg, &cause);
	if (rm == NULL) {
		fprintf(stderr, "weft-rm: %s\n", cause);
		free(cause);
		event_base_free(base);
		config_free(cfg);
		log_close();
		return 1;
	}
	daemon_signals(base, main_stop, base);
	daemon_on_reload(main_reload, rm);
	log_info("weft-rm %s ready (conf dir %s)", WEFT_VERSION_STRING, config_conf_dir(cfg));
	event_base_dispatch(base);
	rm_free(rm);
	daemon_signals_free();
	event_base_free(base);
	config_free(cfg);
	log_info("stopped");
	log_close();
	return 0;
}
