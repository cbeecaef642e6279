/*
 * nm_client.h — the AM's calls to NodeManagers' container API
 * (/rpc/containers/start and /stop, weft/protocol.h): start an executor
 * in a granted container, stop one.
 *
 * Calls are asynchronous on the AM's loop; the container token authorizes
 * each of them, so no other credential is needed.
 */
#ifndef WEFT_AM_NM_CLIENT_H
#define WEFT_AM_NM_CLIENT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/proto_container.h"

struct http_client;
struct nm_client;

/* ok, or error says why (the NM's RemoteException message, or why there
 * was no answer).  Runs once per call unless the client was freed. */
typedef void (*nm_client_done_cb)(bool ok, const char *error, void *arg);

/* What an executor needs to start (weft-executor(8)). */
struct nm_executor_spec {
	const char *driver_address; /* "host:port" the executor dials */
	int executor_id;
	int cores;
	const char *app_secret; /* WEFT_APP_SECRET */
	int64_t memory_mb;      /* the container's memory (dataflow sort budget); 0 = unsaid */
};

struct nm_client *nm_client_new(struct http_client *http, long timeout_ms);
/* Cancel every call in flight (no callback runs) and free. */
void nm_client_free(struct nm_client *nm);

/* The launch context that runs weft-executor, into *lc (the caller
 * clears it with proto_container_launch_context_clear). */
void nm_client_executor_context(const struct nm_executor_spec *spec,
                                struct proto_container_launch_context *lc);
/* POST http://node_http_address/rpc/containers/start. */
void nm_client_start(struct nm_client *nm, const char *node_http_address, const char *token,
                     const struct proto_container_launch_context *launch_context,
                     nm_client_done_cb cb, void *arg);
/* POST http://node_http_address/rpc/containers/stop. */
void nm_client_stop(struct nm_client *nm, const char *node_http_address, const char *container_id,
                    const char *token, nm_client_done_cb cb, void *arg);
/* Calls in flight. */
int nm_client_pending(const struct nm_client *nm);

#endif
