/*
 * node_tracker.h — the NMs as the RM sees them: registration, heartbeats,
 * liveness, node states, and what each NM must be told to clean up.
 *
 * Node states (YARN's NodeState) change only along an explicit table:
 *   NEW -> RUNNING                    registered
 *   RUNNING <-> UNHEALTHY             heartbeat health flag
 *   RUNNING|UNHEALTHY -> LOST         no heartbeat for rm.nm.liveness-expiry-ms
 *   RUNNING|UNHEALTHY -> RUNNING      registered again (replaces the old one)
 *   LOST|SHUTDOWN|DECOMMISSIONED|REBOOTED -> RUNNING   came back
 * A LOST node's containers are completed toward their applications with
 * exit status -100 (ABORTED); it stays listed (and counted) as LOST until
 * it registers again.  A heartbeat from a node the RM does not know as
 * live gets action RESYNC and the NM registers again.
 */
#ifndef WEFT_RM_NODE_TRACKER_H
#define WEFT_RM_NODE_TRACKER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "weft/resource.h"

struct rm;
struct node_tracker;

enum node_state {
	NODE_NEW,
	NODE_RUNNING,
	NODE_UNHEALTHY,
	NODE_DECOMMISSIONED,
	NODE_LOST,
	NODE_REBOOTED,
	NODE_SHUTDOWN,
	NODE_STATE_COUNT
};

/* A snapshot for the REST API; strings live until the node changes. */
struct node_report {
	const char *id;
	const char *host;
	const char *http_address;
	const char *rack;
	const char *version;
	const char *health_report;
	enum node_state state;
	int64_t last_health_update; /* wall clock ms */
	weft_resource_t capability;
	weft_resource_t used;
	int n_containers;
};

struct node_counts {
	int total;
	int active; /* NEW, RUNNING */
	int per_state[NODE_STATE_COUNT];
};

/*
 * What the tracker reports upward, given by rm.c (the app manager behind
 * it): the tracker knows nodes, not applications.  arg is passed back.
 */
struct node_tracker_events {
	/* The NM reports the container running.  RET false when the RM does
	 * not know it (the tracker then orders its cleanup). */
	bool (*container_running)(void *arg, const char *container_id);
	/* A container ended: an NM's COMPLETE status, a lost node, a node
	 * that registered again without it.  No scheduling in between. */
	void (*container_completed)(void *arg, const char *container_id, int exit_status,
	                            const char *diagnostics);
	/* After a batch of reports, a new node or a node with room. */
	void (*schedule)(void *arg);
	void *arg;
};

/* events is copied. */
struct node_tracker *node_tracker_new(struct rm *rm, const struct node_tracker_events *events);
void node_tracker_free(struct node_tracker *nt);
/* POST /rpc/node/register and /rpc/node/heartbeat (X-Weft-Auth). */
void node_tracker_routes(struct node_tracker *nt);

/* The request bodies, already authenticated (the routes call these; tests
 * may too).  RET 0 and *answer (new reference), or -1 with *cause for a
 * 400. */
int node_tracker_register(struct node_tracker *nt, struct json_object *body,
                          struct json_object **answer, char **cause);
int node_tracker_heartbeat(struct node_tracker *nt, struct json_object *body,
                           struct json_object **answer, char **cause);
/* The topology script placed host on rack: move its nodes there. */
void node_tracker_host_rack(struct node_tracker *nt, const char *host, const char *rack);
/* Declare a node LOST now (what liveness expiry does). */
void node_tracker_expire(struct node_tracker *nt, const char *node_id);

/* For the app manager: a live node's HTTP address (NULL when the node is
 * unknown or not live), and cleanup orders that go out with the node's
 * next heartbeat answers. */
const char *node_tracker_http_address(const struct node_tracker *nt, const char *node_id);
void node_tracker_cleanup_container(struct node_tracker *nt, const char *node_id,
                                    const char *container_id);
void node_tracker_cleanup_app(struct node_tracker *nt, const char *node_id, const char *app_id);

/* REST reads.  RET the number of reports in *out (caller frees the array,
 * not the strings). */
int node_tracker_reports(const struct node_tracker *nt, struct node_report **out);
/* RET 0 and *out, -1 for an unknown node. */
int node_tracker_report(const struct node_tracker *nt, const char *node_id,
                        struct node_report *out);
void node_tracker_counts(const struct node_tracker *nt, struct node_counts *out);

const char *node_state_name(enum node_state state);
/* Case-insensitive, as YARN's REST filters; RET 0 and *out or -1. */
int node_state_parse(const char *text, enum node_state *out);

#endif
