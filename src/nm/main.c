/*
 * main.c — weft-nm, the node manager daemon: options, configuration,
 * start-up checks, the modules, the loop, and a graceful stop.
 *
 * Start-up refuses to run with a missing secret, unusable directories or
 * an address it cannot bind, each with one clear line.  SIGTERM/SIGINT (or
 * SHUTDOWN from the RM) stops every container — SIGTERM to its group,
 * SIGKILL after nm.sleep-delay-before-sigkill-ms — sends the RM one last
 * heartbeat with their final statuses, and exits.
 */
#include "weft_config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/daemon.h"
#include "common/http_client.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/net.h"
#include "common/proc.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "nm/container_manager.h"
#include "nm/monitor.h"
#include "nm/node.h"
#include "nm/status_updater.h"
#include "nm/shuffle_service.h"
#include "nm/webapp.h"
#include "weft/protocol.h"

#define NM_PROGRAM "weft-nm"
/* Beyond the kill grace, how long a stop may take before we just exit. */
#define NM_STOP_SLACK_MS 5000

/* The daemon: its context plus what main owns. */
struct nm_daemon {
	struct nm_context ctx;
	struct http_server *server;
	struct event *stop_deadline;
	bool stopping;
};

static void nm_usage(FILE *out)
{
	fprintf(out,
	        "usage: " NM_PROGRAM " [--conf-dir DIR] [-D key=value]... [-h] [-V]\n"
	        "\n"
	        "The weft node manager: registers this host with the resource manager and\n"
	        "runs the containers it is asked to start.\n"
	        "\n"
	        "  --conf-dir DIR   configuration directory (default $WEFT_CONF_DIR, then the\n"
	        "                   installed one); reads DIR/weft.conf\n"
	        "  -D key=value     override one weft.conf key (repeatable), e.g.\n"
	        "                   -D nm.address=127.0.0.1:0 -D rm.address=rm:8088\n"
	        "  -h, --help       this help\n"
	        "  -V, --version    print the version\n"
	        "\n"
	        "Runs in the foreground; SIGTERM or SIGINT stops every container and exits.\n"
	        "See weft-nm(8) and weft.conf(5).\n");
}

/* Every container reached DONE: tell the RM at once. */
static void nm_container_completed_cb(struct container *c, void *arg)
{
	struct nm_daemon *d = arg;

	status_updater_heartbeat_now(d->ctx.updater);
}

/* Last step of a stop: leave the loop. */
static void nm_updater_stopped_cb(void *arg)
{
	struct nm_daemon *d = arg;

	log_info("stopped");
	event_base_loopbreak(d->ctx.base);
}

/* Every container is gone: the last heartbeat, then out. */
static void nm_containers_stopped_cb(void *arg)
{
	struct nm_daemon *d = arg;

	log_info("every container is stopped");
	status_updater_stop(d->ctx.updater, nm_updater_stopped_cb, d);
}

/* The stop took too long (an RM that does not answer): leave anyway. */
static void nm_stop_deadline_cb(evutil_socket_t fd, short events, void *arg)
{
	struct nm_daemon *d = arg;

	log_warn("stop did not finish in time; exiting");
	event_base_loopbreak(d->ctx.base);
}

/* SIGTERM/SIGINT or SHUTDOWN from the RM. */
static void nm_stop(void *arg)
{
	struct nm_daemon *d = arg;
	int64_t ms = d->ctx.kill_grace_ms + NM_STOP_SLACK_MS;
	struct timeval tv;

	if (d->stopping)
		return;
	d->stopping = true;
	log_info("stopping: %d container(s) still running",
	         container_manager_live_count(d->ctx.containers));
	d->stop_deadline = evtimer_new(d->ctx.base, nm_stop_deadline_cb, d);
	if (d->stop_deadline == NULL)
		fatalx("nm_stop: evtimer_new failed");
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	evtimer_add(d->stop_deadline, &tv);
	container_manager_stop_all(d->ctx.containers, WEFT_EXIT_ABORTED,
	                           CONTAINER_KILLED_ON_SHUTDOWN, nm_containers_stopped_cb, d);
}

/* Parse the options into o.  RET 0 to go on, or the exit code. */
static int nm_parse_options(int argc, char **argv, struct daemon_options *o, int *exit_code)
{
	static const struct option longopts[] = {
	        {"conf-dir", required_argument, NULL, 'c'},
	        {"help", no_argument, NULL, 'h'},
	        {"version", no_argument, NULL, 'V'},
	        {NULL, 0, NULL, 0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "D:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->conf_dir = optarg;
			break;
		case 'D':
			daemon_options_add_define(o, optarg);
			break;
		case 'h':
			nm_usage(stdout);
			*exit_code = 0;
			return -1;
		case 'V':
			daemon_print_version(NM_PROGRAM);
			*exit_code = 0;
			return -1;
		default:
			nm_usage(stderr);
			*exit_code = 2;
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, NM_PROGRAM ": unexpected argument '%s'\n", argv[optind]);
		nm_usage(stderr);
		*exit_code = 2;
		return -1;
	}
	return 0;
}

/* Load the cluster secret or say exactly what is wrong. */
static struct secret *nm_load_secret(const struct config *cfg)
{
	struct secret *secret;
	char *path, *cause = NULL;

	path = config_get_path(cfg, "security.secret-file");
	if (path == NULL) {
		fprintf(stderr, NM_PROGRAM ": security.secret-file is not set; the NM needs the "
		                           "cluster secret to talk to the RM\n");
		return NULL;
	}
	secret = secret_load(path, &cause);
	if (secret == NULL) {
		fprintf(stderr,
		        NM_PROGRAM ": cannot use the cluster secret: %s\n"
		                   "  (create it once with: (umask 077; openssl rand -hex 32 > "
		                   "%s), copy it to "
		                   "every host, or set security.secret-file)\n",
		        cause, path);
		free(cause);
	}
	free(path);
	return secret;
}

/* Everything between the configuration and the loop.  RET 0 / -1. */
static int nm_start(struct nm_daemon *d, struct config *cfg, struct event_base *base)
{
	struct nm_context *ctx = &d->ctx;
	char *cause = NULL, *bind_host = NULL;
	int port;

	if (node_init(ctx, cfg, base, &cause) != 0) {
		fprintf(stderr, NM_PROGRAM ": %s\n", cause);
		free(cause);
		return -1;
	}
	proc_init(base);
	ctx->http = http_client_new(base);
	d->server = http_server_new(base, (size_t)config_get_int(cfg, "nm.http.max-body-bytes"));
	if (http_server_bind(d->server, config_get(cfg, "nm.address"), &cause) != 0) {
		fprintf(stderr, NM_PROGRAM ": nm.address: %s\n", cause);
		free(cause);
		return -1;
	}
	node_set_port(ctx, http_server_port(d->server));

	ctx->containers = container_manager_new(ctx);
	container_manager_routes(ctx->containers, d->server);
	webapp_routes(ctx, d->server);
	ctx->shuffle = shuffle_service_new(ctx);
	shuffle_service_routes(ctx->shuffle, d->server);
	ctx->updater = status_updater_new(ctx);
	container_manager_on_completed(ctx->containers, nm_container_completed_cb, d);
	status_updater_on_shutdown(ctx->updater, nm_stop, d);
	ctx->monitor = monitor_new(ctx);

	if (net_parse_address(config_get(cfg, "nm.address"), &bind_host, &port, &cause) != 0) {
		free(cause);
		bind_host = xstrdup("0.0.0.0");
	}
	log_info(NM_PROGRAM " %s: RM %s; %lld MB, %lld vcores; local dirs %s; log dirs %s",
	         ctx->node_id, ctx->rm_url, (long long)ctx->capability.memory_mb,
	         (long long)ctx->capability.vcores, config_get(cfg, "nm.local-dirs"),
	         config_get(cfg, "nm.log-dirs"));
	daemon_announce_address(NM_PROGRAM, bind_host, ctx->port);
	free(bind_host);
	status_updater_start(ctx->updater);
	return 0;
}

/* Free everything, in the reverse order of nm_start. */
static void nm_free(struct nm_daemon *d)
{
	struct nm_context *ctx = &d->ctx;

	monitor_free(ctx->monitor);
	status_updater_free(ctx->updater);
	if (d->server != NULL)
		http_server_free(d->server);
	container_manager_free(ctx->containers);
	shuffle_service_free(ctx->shuffle);
	if (ctx->http != NULL)
		http_client_free(ctx->http);
	if (d->stop_deadline != NULL)
		event_free(d->stop_deadline);
	node_free(ctx);
}

int main(int argc, char **argv)
{
	struct daemon_options options;
	struct nm_daemon daemon_state;
	struct event_base *base;
	struct secret *secret;
	struct config *cfg;
	enum log_level level = LOG_LEVEL_INFO;
	int exit_code = 0;

	memset(&options, 0, sizeof options);
	memset(&daemon_state, 0, sizeof daemon_state);
	if (nm_parse_options(argc, argv, &options, &exit_code) != 0) {
		daemon_options_free(&options);
		return exit_code;
	}
	cfg = daemon_load_config(NM_PROGRAM, &options);
	daemon_options_free(&options);
	if (cfg == NULL)
		return 1;
	log_level_parse(config_get(cfg, "log.level"), &level);
	log_open(NM_PROGRAM, level, NULL);

	secret = nm_load_secret(cfg);
	if (secret == NULL) {
		config_free(cfg);
		log_close();
		return 1;
	}
	base = event_base_new();
	if (base == NULL)
		fatalx("event_base_new failed");
	daemon_state.ctx.secret = secret;
	if (nm_start(&daemon_state, cfg, base) != 0) {
		exit_code = 1;
	} else {
		daemon_signals(base, nm_stop, &daemon_state);
		event_base_dispatch(base);
		daemon_signals_free();
	}
	nm_free(&daemon_state);
	secret_free(secret);
	config_free(cfg);
	proc_shutdown();
	event_base_free(base);
	log_close();
	return exit_code;
}
