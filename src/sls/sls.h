/*
 * sls.h — weft-sls, the load simulator, wired together.
 *
 * weft-sls drives a real weft-rm over HTTP with simulated NMs and AMs in
 * one process and one libevent loop; nothing is launched.  struct sls is
 * the switchboard its modules share (like struct rm in the RM): the loop,
 * the configuration and cluster secret, the scenario, and one pointer per
 * module, each opaque and reached through its own header:
 *   rm_pool.h    the connection pools to the RM, under libweft's clients
 *   sim_node.h   simulated NMs (register, heartbeat, run containers)
 *   sim_app.h    simulated applications and their AMs
 *   nm_api.h     the NM container API the RM calls to start AMs
 *   metrics.h    counters, latencies, per-interval samples, the report
 *   fairness.h   queue shares polled from the RM's REST API
 */
#ifndef WEFT_SLS_SLS_H
#define WEFT_SLS_SLS_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct config;
struct secret;
struct scenario;
struct rm_pool;
struct weft_client;
struct sim_cluster;
struct sim_apps;
struct nm_api;
struct metrics;
struct fairness;

#define SLS_MAX_KEY_IDS 4

struct sls {
	struct event_base *base;
	const struct config *cfg;
	struct secret *secret;
	struct scenario *sc;
	char *rm_address;     /* host:port of public REST (submissions, reports) */
	char *rm_rpc_address; /* host:port of internal RPC (NM and AM calls) */
	pid_t rm_pid;         /* for RSS and CPU; 0 = unknown */
	bool quiet;           /* no progress lines */

	struct rm_pool *rpc_pool;  /* to rm_rpc_address: /rpc/node, /rpc/am */
	struct rm_pool *rest_pool; /* to rm_address: /ws/v1/... */
	struct weft_client *rpc;   /* NM and AM calls, through rpc_pool */
	struct weft_client *rest;  /* REST reads (fairness), through rest_pool;
	                            * submissions go through rest_pool as their
	                            * user (sim_app.c) */
	struct sim_cluster *cluster;
	struct sim_apps *apps;
	struct nm_api *nm_api;
	struct metrics *metrics;
	struct fairness *fairness;

	char *nm_http_address;            /* where the simulated NMs' container API listens */
	int64_t key_ids[SLS_MAX_KEY_IDS]; /* container-token key ids the RM accepts */
	int n_key_ids;

	int64_t start_us;      /* monotonic: the simulator started */
	int64_t apps_start_us; /* every node registered; 0 before */
	bool stopping;
	int exit_status;
};

/* Monotonic microseconds. */
int64_t sls_now_us(void);
/* Every node registered: submissions start (sim_node calls it once). */
void sls_cluster_ready(struct sls *sls);
/* Every application ended (sim_app calls it once): stop. */
void sls_apps_done(struct sls *sls);
/* End the run now (duration reached, signal, fatal condition). */
void sls_stop(struct sls *sls, const char *why);

#endif
