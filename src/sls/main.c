/*
 * main.c — weft-sls: options, configuration, the scenario, then the loop.
 *
 * The run ends when every application has ended, when the scenario's
 * duration is up, or on SIGINT/SIGTERM; the report goes to stdout either
 * way (progress lines go to stderr).  Exit status: 0 when no
 * application failed and every verdict the scenario asks for passed,
 * 1 otherwise, 2 for bad usage.
 */
#include "weft_config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "common/config.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/net.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "sls/fairness.h"
#include "sls/metrics.h"
#include "sls/nm_api.h"
#include "sls/rm_pool.h"
#include "sls/scenario.h"
#include "sls/sim_app.h"
#include "sls/sim_node.h"
#include "sls/sls.h"
#include "weft/client.h"

#define SLS_DEFAULT_CONNECTIONS 32
/* Connections to public REST (submissions, fairness samples). */
#define SLS_REST_CONNECTIONS 8

/* The usage text --help prints and bad options point to. */
static void usage(FILE *out)
{
	fprintf(out,
	        "usage: weft-sls [options] --scenario FILE\n"
	        "       weft-sls --rm-conf FILE | --rm-queues FILE\n"
	        "       weft-sls --check FILE\n"
	        "\n"
	        "The weft load simulator: drives a running weft-rm over HTTP with the\n"
	        "simulated NMs and AMs a scenario file describes (no process is\n"
	        "launched), then reports allocations/s, ask->grant latency, NM\n"
	        "heartbeats/s, the RM's peak RSS and the queues' shares.\n"
	        "\n"
	        "  --scenario FILE     the scenario to run (format: tests/bench/README)\n"
	        "  --rm HOST:PORT      the RM's REST (default: rm.address of the configuration)\n"
	        "  --rm-rpc HOST:PORT  the RM's internal RPC (default: rm.rpc-address)\n"
	        "  --rm-pid PID        the RM's pid, for its RSS and CPU (/proc)\n"
	        "  --transport T       direct (default) or curl: how libweft's client calls\n"
	        "                      reach the RM (direct: weft-sls's own keep-alive\n"
	        "                      sockets, which cost the simulator least; curl:\n"
	        "                      libweft's default transport)\n"
	        "  --connections N     keep-alive connections to the RM (default %d)\n"
	        "  --duration S        stop after S seconds (overrides the scenario)\n"
	        "  --json FILE         write the summary as JSON\n"
	        "  --series FILE       write one CSV line per sample interval\n"
	        "  --seed N            random seed (default 1: runs are repeatable)\n"
	        "  -q, --quiet         no progress lines on stderr\n"
	        "  --rm-conf FILE      print the scenario's [rm] weft.conf lines and exit\n"
	        "  --rm-queues FILE    print the scenario's [queues] queues.conf lines and exit\n"
	        "  --check FILE        read the scenario, print its size and exit\n"
	        "  --conf-dir DIR      configuration directory (the cluster secret is\n"
	        "                      security.secret-file there, as for the RM)\n"
	        "  -D key=value        override one weft.conf key (repeatable)\n"
	        "  -h, --help          show this help;  -V, --version  the version\n",
	        SLS_DEFAULT_CONNECTIONS);
}

/* Monotonic microseconds: every latency and rate is measured on it. */
int64_t sls_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Leave the loop once; main reports and frees everything. */
void sls_stop(struct sls *sls, const char *why)
{
	if (sls->stopping)
		return;
	sls->stopping = true;
	log_info("stopping: %s", why);
	if (!sls->quiet)
		fprintf(stderr, "weft-sls: stopping: %s\n", why);
	event_base_loopbreak(sls->base);
}

/* Every node registered: submissions are scheduled from now. */
void sls_cluster_ready(struct sls *sls)
{
	sls->apps_start_us = sls_now_us();
	if (!sls->quiet)
		fprintf(stderr, "weft-sls: %d nodes registered in %.1f s; applications start\n",
		        sim_cluster_size(sls->cluster),
		        (double)(sls->apps_start_us - sls->start_us) / 1e6);
	sim_apps_start(sls->apps);
}

/* Every application ended: the run is over. */
void sls_apps_done(struct sls *sls)
{
	/* A scenario without applications measures heartbeats until its
	 * duration is up. */
	if (sim_apps_total(sls->apps) > 0)
		sls_stop(sls, "every application ended");
}

/* SIGINT/SIGTERM: stop, and still report. */
static void sls_signal_stop(void *arg)
{
	sls_stop(arg, "interrupted");
}

/* The scenario's duration is up. */
static void sls_duration_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sls_stop(arg, "the scenario's duration is up");
}

enum sls_print { PRINT_RM_CONF, PRINT_QUEUES, PRINT_SUMMARY };

/* --rm-conf, --rm-queues and --check: nothing runs. */
static int sls_print_scenario(const char *path, enum sls_print what)
{
	char *cause = NULL;
	struct scenario *sc = scenario_load(path, &cause);

	if (sc == NULL) {
		fprintf(stderr, "weft-sls: %s\n", cause);
		free(cause);
		return 1;
	}
	if (what == PRINT_RM_CONF) {
		for (int i = 0; i < sc->n_rm_lines; i++)
			printf("%s\n", sc->rm_lines[i]);
	} else if (what == PRINT_QUEUES) {
		for (int i = 0; i < sc->n_queue_lines; i++)
			printf("%s\n", sc->queue_lines[i]);
	} else {
		printf("%s: %d nodes, %d apps, %lld task containers, %d queues, %lld s at most\n",
		       sc->name, scenario_node_count(sc), scenario_app_count(sc),
		       (long long)scenario_container_count(sc), sc->n_queues,
		       (long long)(sc->duration_ms / 1000));
	}
	scenario_free(sc);
	return 0;
}

/* An RM address from the configuration (rm.address or rm.rpc-address; a
 * wildcard host is this host). */
static char *sls_rm_from_config(const struct config *cfg, const char *key, char **cause)
{
	char *host = NULL, *out;
	int port = 0;

	if (net_parse_address(config_get(cfg, key), &host, &port, cause) != 0)
		return NULL;
	out = net_format_address(net_is_wildcard(host) ? "127.0.0.1" : host, port);
	free(host);
	return out;
}

/* Options, configuration and secret, the scenario, the loop, the report. */
int main(int argc, char **argv)
{
	enum {
		O_SCENARIO = 256,
		O_RM,
		O_RM_RPC,
		O_RM_PID,
		O_TRANSPORT,
		O_CONNECTIONS,
		O_DURATION,
		O_JSON,
		O_SERIES,
		O_SEED,
		O_RM_CONF,
		O_RM_QUEUES,
		O_CHECK,
		O_CONF_DIR
	};
	static const struct option long_options[] = {
	        {"scenario", required_argument, NULL, O_SCENARIO},
	        {"rm", required_argument, NULL, O_RM},
	        {"rm-rpc", required_argument, NULL, O_RM_RPC},
	        {"rm-pid", required_argument, NULL, O_RM_PID},
	        {"transport", required_argument, NULL, O_TRANSPORT},
	        {"connections", required_argument, NULL, O_CONNECTIONS},
	        {"duration", required_argument, NULL, O_DURATION},
	        {"json", required_argument, NULL, O_JSON},
	        {"series", required_argument, NULL, O_SERIES},
	        {"seed", required_argument, NULL, O_SEED},
	        {"rm-conf", required_argument, NULL, O_RM_CONF},
	        {"rm-queues", required_argument, NULL, O_RM_QUEUES},
	        {"check", required_argument, NULL, O_CHECK},
	        {"conf-dir", required_argument, NULL, O_CONF_DIR},
	        {"quiet", no_argument, NULL, 'q'},
	        {"help", no_argument, NULL, 'h'},
	        {"version", no_argument, NULL, 'V'},
	        {NULL, 0, NULL, 0},
	};
	struct daemon_options opts = {0};
	struct sls sls;
	const char *scenario_path = NULL, *rm = NULL, *rm_rpc = NULL, *json_path = NULL,
	           *series_path = NULL;
	enum rm_pool_wire transport = RM_POOL_DIRECT;
	int connections = SLS_DEFAULT_CONNECTIONS, ch;
	long duration = 0, seed = 1, pid = 0;
	struct config *cfg;
	struct event *duration_ev = NULL;
	char *cause = NULL, *secret_path, *end;
	bool pass;

	memset(&sls, 0, sizeof sls);
	while ((ch = getopt_long(argc, argv, "D:qhV", long_options, NULL)) != -1) {
		switch (ch) {
		case O_SCENARIO:
			scenario_path = optarg;
			break;
		case O_RM:
			rm = optarg;
			break;
		case O_RM_RPC:
			rm_rpc = optarg;
			break;
		case O_RM_PID:
			pid = strtol(optarg, &end, 10);
			if (*end != '\0' || pid <= 0) {
				fprintf(stderr, "weft-sls: --rm-pid: '%s' is not a pid\n", optarg);
				return 2;
			}
			break;
		case O_TRANSPORT:
			if (strcmp(optarg, "direct") == 0)
				transport = RM_POOL_DIRECT;
			else if (strcmp(optarg, "curl") == 0)
				transport = RM_POOL_CURL;
			else {
				fprintf(stderr, "weft-sls: --transport: direct or curl\n");
				return 2;
			}
			break;
		case O_CONNECTIONS:
			connections = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || connections < 1 || connections > 4096) {
				fprintf(stderr, "weft-sls: --connections: 1 to 4096\n");
				return 2;
			}
			break;
		case O_DURATION:
			duration = strtol(optarg, &end, 10);
			if (*end != '\0' || duration < 1) {
				fprintf(stderr, "weft-sls: --duration: seconds, at least 1\n");
				return 2;
			}
			break;
		case O_JSON:
			json_path = optarg;
			break;
		case O_SERIES:
			series_path = optarg;
			break;
		case O_SEED:
			seed = strtol(optarg, &end, 10);
			if (*end != '\0') {
				fprintf(stderr, "weft-sls: --seed: an integer\n");
				return 2;
			}
			break;
		case O_RM_CONF:
			return sls_print_scenario(optarg, PRINT_RM_CONF);
		case O_RM_QUEUES:
			return sls_print_scenario(optarg, PRINT_QUEUES);
		case O_CHECK:
			return sls_print_scenario(optarg, PRINT_SUMMARY);
		case O_CONF_DIR:
			opts.conf_dir = optarg;
			break;
		case 'D':
			daemon_options_add_define(&opts, optarg);
			break;
		case 'q':
			sls.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			daemon_print_version("weft-sls");
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || scenario_path == NULL) {
		usage(stderr);
		return 2;
	}
	log_open("weft-sls", LOG_LEVEL_WARN, NULL);
	if ((cfg = daemon_load_config("weft-sls", &opts)) == NULL)
		return 1;
	/* The RM's weft.conf sets its log level, not the simulator's. */
	if (!config_is_set(cfg, "log.level"))
		log_set_level(LOG_LEVEL_WARN);
	sls.cfg = cfg;
	sls.sc = scenario_load(scenario_path, &cause);
	if (sls.sc == NULL)
		goto fail;
	if (duration > 0)
		sls.sc->duration_ms = duration * 1000;
	secret_path = config_get_path(cfg, "security.secret-file");
	sls.secret = secret_path != NULL ? secret_load(secret_path, &cause) : NULL;
	if (secret_path == NULL)
		cause = xstrdup("security.secret-file is not set");
	free(secret_path);
	if (sls.secret == NULL)
		goto fail;
	sls.rm_address = rm != NULL ? xstrdup(rm) : sls_rm_from_config(cfg, "rm.address", &cause);
	if (sls.rm_address == NULL)
		goto fail;
	sls.rm_rpc_address = rm_rpc != NULL ? xstrdup(rm_rpc)
	                                    : sls_rm_from_config(cfg, "rm.rpc-address", &cause);
	if (sls.rm_rpc_address == NULL)
		goto fail;
	sls.rm_pid = (pid_t)pid;
	srandom((unsigned)seed);

	/* Fold the interest flips of thousands of calls into one epoll_ctl
	 * per descriptor and loop turn (no descriptor here is dup()ed). */
	{
		struct event_config *ec = event_config_new();

		if (ec == NULL)
			fatalx("event_config_new failed");
		event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
		sls.base = event_base_new_with_config(ec);
		event_config_free(ec);
	}
	if (sls.base == NULL)
		fatalx("event_base_new failed");
	sls.start_us = sls_now_us();
	sls.metrics = metrics_new(&sls);
	sls.fairness = fairness_new(&sls);
	sls.rpc_pool = rm_pool_new(sls.base, sls.rm_rpc_address, transport, connections, &cause);
	if (sls.rpc_pool == NULL || (sls.rpc = rm_pool_client(sls.rpc_pool, NULL, &cause)) == NULL)
		goto fail;
	/* Submissions and reports: a few connections, well under the RM's
	 * rm.http.max-connections-per-address. */
	sls.rest_pool = rm_pool_new(
	        sls.base, sls.rm_address, transport,
	        connections < SLS_REST_CONNECTIONS ? connections : SLS_REST_CONNECTIONS, &cause);
	if (sls.rest_pool == NULL ||
	    (sls.rest = rm_pool_client(sls.rest_pool, NULL, &cause)) == NULL)
		goto fail;
	if ((sls.nm_api = nm_api_new(&sls, &cause)) == NULL)
		goto fail;
	sls.cluster = sim_cluster_new(&sls);
	if ((sls.apps = sim_apps_new(&sls, &cause)) == NULL)
		goto fail;
	daemon_signals(sls.base, sls_signal_stop, &sls);
	duration_ev = evtimer_new(sls.base, sls_duration_cb, &sls);
	{
		struct timeval tv = {(time_t)(sls.sc->duration_ms / 1000),
		                     (suseconds_t)(sls.sc->duration_ms % 1000) * 1000};

		evtimer_add(duration_ev, &tv);
	}
	if (!sls.quiet)
		fprintf(stderr, "weft-sls: scenario %s against the RM at %s: %d nodes, %d apps\n",
		        sls.sc->name, sls.rm_address, sim_cluster_size(sls.cluster),
		        sim_apps_total(sls.apps));
	metrics_start(sls.metrics);
	sim_cluster_start(sls.cluster);
	event_base_dispatch(sls.base);

	pass = metrics_report(sls.metrics, stdout, json_path, series_path);
	/* Calls in flight point at nodes and apps: drop them first (the
	 * clients, then the pools under them). */
	weft_client_free(sls.rpc);
	weft_client_free(sls.rest);
	nm_api_free(sls.nm_api);
	sim_apps_free(sls.apps);
	rm_pool_free(sls.rpc_pool);
	rm_pool_free(sls.rest_pool);
	sim_cluster_free(sls.cluster);
	fairness_free(sls.fairness);
	metrics_free(sls.metrics);
	event_free(duration_ev);
	daemon_signals_free();
	event_base_free(sls.base);
	scenario_free(sls.sc);
	secret_free(sls.secret);
	free(sls.rm_address);
	free(sls.rm_rpc_address);
	free(sls.nm_http_address);
	config_free(cfg);
	daemon_options_free(&opts);
	return pass ? 0 : 1;
fail:
	fprintf(stderr, "weft-sls: %s\n", cause != NULL ? cause : "failed");
	free(cause);
	weft_client_free(sls.rpc);
	weft_client_free(sls.rest);
	nm_api_free(sls.nm_api);
	sim_cluster_free(sls.cluster);
	rm_pool_free(sls.rpc_pool);
	rm_pool_free(sls.rest_pool);
	metrics_free(sls.metrics);
	fairness_free(sls.fairness);
	if (sls.base != NULL)
		event_base_free(sls.base);
	scenario_free(sls.sc);
	secret_free(sls.secret);
	free(sls.rm_address);
	free(sls.rm_rpc_address);
	config_free(cfg);
	daemon_options_free(&opts);
	return 1;
}
