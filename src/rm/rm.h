/*
 * rm.h — weft-rm's modules wired together.
 *
 * struct rm holds one pointer per module plus what they all share (the
 * loop, the configuration, the cluster secret, the RM's own address).  It
 * is a switchboard, not a state store: each module's struct is opaque and
 * reached only through its functions (scheduler.h, node_tracker.h,
 * app_manager.h, am_launcher.h, am_service.h, staging.h, webapp.h).
 * rm_new() builds the whole RM, so main.c and the in-process tests start
 * the same daemon.
 */
#ifndef WEFT_RM_RM_H
#define WEFT_RM_RM_H

#include <event2/event.h>
#include <stdint.h>

struct config;
struct secret;
struct http_server;
struct container_tokens;
struct scheduler;
struct node_tracker;
struct app_manager;
struct am_launcher;
struct am_service;
struct staging;
struct rack_resolver;
struct webapp_reports;
struct webapp_waits;

/* libevent priorities of the RM's loop (rm_new sets them up; lower runs
 * first): internal RPC, then everything else the RM does (timers, its own
 * calls to NMs: libevent's default, the middle one), then public REST, so
 * that readers cannot starve heartbeats, AM calls or AM launches. */
#define RM_PRIORITIES      3
#define RM_PRIORITY_RPC    0
#define RM_PRIORITY_PUBLIC 2

struct rm {
	struct event_base *base;
	const struct config *cfg;
	struct secret *secret;
	int64_t cluster_ts; /* start time in ms: the ids' clusterTimestamp */
	char *host;         /* advertised host (rm.hostname, or derived) */
	int port;           /* bound port of public REST (rm.address) */
	char *url;          /* "http://host:port" of public REST */
	int rpc_port;       /* bound port of internal RPC (rm.rpc-address) */
	char *rpc_url;      /* "http://host:port" of internal RPC: NMs, AMs, admin */
	char *rpc_urls;     /* rpc_url, then the other RMs rm.rpc-address names (AMs fail over) */
	struct http_server *http; /* public REST: /ws/v1/..., staging */
	struct http_server *rpc;  /* internal RPC: /rpc/node, /rpc/am, /rpc/admin */
	struct container_tokens *tokens;
	struct scheduler *scheduler;
	struct node_tracker *nodes;
	struct app_manager *apps;
	struct am_launcher *launcher;
	struct staging *staging;
	struct rack_resolver *racks;    /* node -> rack (rm.topology.*) */
	struct webapp_reports *reports; /* cached /apps objects (webapp_reports.h) */
	struct webapp_waits *waits;     /* held report GETs (webapp_waits.h) */
};

/*
 * Build the RM from cfg: load the secret (security.secret-file), bind the
 * public HTTP server on rm.address and the internal one on rm.rpc-address
 * (or rm.bind-host with their ports),
 * create every module and register every route.  Nothing runs until the
 * caller dispatches base.  RET the RM, or NULL with *cause.
 */
struct rm *rm_new(struct event_base *base, const struct config *cfg, char **cause);
/* Stop listening, cancel calls in flight, free every module. */
void rm_free(struct rm *rm);
/* Read rm.scheduler.queues-file again and give it to the scheduler (then
 * schedule: new capacities may let waiting applications in); the old
 * queues stay when the file is invalid.  RET 0 / -1 with *cause.  Run by
 * `weft admin refresh-queues` and by SIGHUP. */
int rm_reload_queues(struct rm *rm, char **cause);

#endif
