/*
 * container_manager.h — every container and application on this node, and
 * the container API the RM and AMs call (protocol.h):
 *
 *   POST /rpc/containers/start   authorized by the RM-signed container token
 *   POST /rpc/containers/stop    the container's token, or X-Weft-Auth (RM)
 *   POST /rpc/containers/status  the same
 *
 * It owns the container and application records (other modules read them
 * through the accessors of container.h and application.h), the accepted
 * container-token key ids, and the application clean-up the RM asks for.
 */
#ifndef WEFT_NM_CONTAINER_MANAGER_H
#define WEFT_NM_CONTAINER_MANAGER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/application.h"
#include "nm/container.h"
#include "nm/nm.h"

struct http_server;
struct container_manager;

/* Most key ids the NM keeps (the RM sends the current and previous). */
#define CONTAINER_MANAGER_MAX_KEYS 16

/* Diagnostics of YARN's kill reasons. */
#define CONTAINER_KILLED_BY_AM       "Container killed by the ApplicationMaster."
#define CONTAINER_KILLED_BY_RM       "Container killed by the ResourceManager."
#define CONTAINER_KILLED_AFTER_APP   "Container killed on application-finish event."
#define CONTAINER_KILLED_ON_SHUTDOWN "Container killed on NodeManager shutdown."

/* A container reached DONE (e.g. to send the RM an extra heartbeat). */
typedef void (*container_manager_completed_cb)(struct container *c, void *arg);

struct container_manager *container_manager_new(struct nm_context *ctx);
/* Free every record (processes still running are detached, not killed:
 * stop them first with container_manager_stop_all). */
void container_manager_free(struct container_manager *cm);
/* Register the /rpc/containers/ routes on srv. */
void container_manager_routes(struct container_manager *cm, struct http_server *srv);
void container_manager_on_completed(struct container_manager *cm, container_manager_completed_cb cb,
                                    void *arg);

/* The container-token key ids the RM currently signs with. */
void container_manager_set_key_ids(struct container_manager *cm, const int64_t *ids, size_t n);

/* Records, in start order. */
size_t container_manager_count(const struct container_manager *cm);
struct container *container_manager_at(const struct container_manager *cm, size_t i);
struct container *container_manager_find(const struct container_manager *cm, const char *id);
size_t container_manager_app_count(const struct container_manager *cm);
struct application *container_manager_app_at(const struct container_manager *cm, size_t i);
struct application *container_manager_find_app(const struct container_manager *cm, const char *id);
/* Containers not yet complete. */
int container_manager_live_count(const struct container_manager *cm);
/* Resources of the containers not yet complete. */
weft_resource_t container_manager_allocated(const struct container_manager *cm);

/* Stop one container (see container_kill).  RET true when complete. */
bool container_manager_stop(struct container_manager *cm, struct container *c, int exit_status,
                            const char *diagnostics);
/* The RM says the application is done (appsToCleanup): kill what is left
 * (exit status -107), then remove its app cache dirs after the debug
 * delay.  Unknown or already finishing applications are ignored. */
void container_manager_cleanup_app(struct container_manager *cm, const char *app_id);
/* The RM acknowledged a completed container (containersToAck). */
void container_manager_ack(struct container_manager *cm, const char *container_id);
/* A JSON array of container statuses: every unacknowledged one, or only
 * those still running (registration). */
struct json_object *container_manager_statuses(const struct container_manager *cm,
                                               bool running_only);
/* Shutdown: refuse new starts, stop every container with exit_status and
 * diagnostics, and call cb (from the loop) once none is left running. */
void container_manager_stop_all(struct container_manager *cm, int exit_status,
                                const char *diagnostics, void (*cb)(void *), void *arg);

#endif
