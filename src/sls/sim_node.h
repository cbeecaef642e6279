/*
 * sim_node.h — the simulated NMs of weft-sls.
 *
 * Each simulated node speaks weft-nm's side of the node tracker protocol
 * (protocol.h) to the real RM, signed with X-Weft-Auth: it registers,
 * heartbeats every heartbeat-interval-ms with the status of every
 * container it holds (and, like weft-nm, once more as soon as a container
 * ends), keeps COMPLETE statuses until the RM acknowledges them, and does
 * what the answers say (RESYNC, containers and applications to clean up).
 *
 * Nothing runs: a container is a record with an end time.  Node i is
 * "nodeNNNNN.sls:8041" in rack "/rack-NNNN"; every node advertises the one
 * HTTP address of nm_api (the RM tells the nodes apart by the node id in
 * the container token it sends).
 */
#ifndef WEFT_SLS_SIM_NODE_H
#define WEFT_SLS_SIM_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "weft/resource.h"

struct sls;
struct sim_cluster;

struct sim_cluster *sim_cluster_new(struct sls *sls);
/* Stop every timer and free the nodes (calls in flight belong to the
 * client sls->rpc, which must be freed first). */
void sim_cluster_free(struct sim_cluster *c);
/* Register every node; heartbeats follow; sls_cluster_ready() once all
 * are registered. */
void sim_cluster_start(struct sim_cluster *c);

int sim_cluster_size(const struct sim_cluster *c);
int sim_cluster_registered(const struct sim_cluster *c);
weft_resource_t sim_cluster_capacity(const struct sim_cluster *c);
/* Containers on the nodes that have not ended. */
int64_t sim_cluster_running(const struct sim_cluster *c);
/* The index of a node id, or -1. */
int sim_cluster_find(const struct sim_cluster *c, const char *node_id);
const char *sim_cluster_node_id(const struct sim_cluster *c, int node);

/*
 * Start a container on a node: it runs for duration_ms (< 0: until
 * stopped) and then ends with exit status 0.  am marks the AM container
 * (sim_apps hears when it ends other than by its AM finishing).  RET 0, or
 * -1 when the node is not registered or already holds that container.
 */
int sim_node_start(struct sim_cluster *c, int node, const char *container_id, int64_t duration_ms,
                   bool am);
/* End a running container now with exit_status.  RET 0, -1 when the node
 * has no such running container. */
int sim_node_stop(struct sim_cluster *c, int node, const char *container_id, int exit_status);
/* RET 0 with *complete and *exit_status, or -1 when unknown. */
int sim_node_status(const struct sim_cluster *c, int node, const char *container_id, bool *complete,
                    int *exit_status);

#endif
