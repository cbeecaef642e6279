/*
 * status_updater.h — the NM's side of the node tracker protocol
 * (protocol.h): register with the RM, heartbeat every
 * nm.heartbeat-interval-ms with every container's status, send an extra
 * heartbeat as soon as a container ends, and carry out what the RM answers
 * (RESYNC, containers and applications to clean up, acknowledgements,
 * container-token key ids).
 *
 * Calls are signed with X-Weft-Auth over the exact body and go through a
 * weft_client (weft/client.h) to the rm.rpc-address list, which fails
 * over between the RM's addresses: the loop never waits for the RM.
 * While the RM is unreachable the updater retries registration on a
 * backoff timer.  The node protocol itself is internal
 * (common/proto_node.h), not libweft's public API.
 */
#ifndef WEFT_NM_STATUS_UPDATER_H
#define WEFT_NM_STATUS_UPDATER_H

#include <stdbool.h>
#include <stdint.h>

#include "nm/nm.h"

struct status_updater;

/* First and largest delay between registration attempts. */
#define STATUS_UPDATER_RETRY_MIN_MS 200
#define STATUS_UPDATER_RETRY_MAX_MS 10000
/* Bound on one try of a register/heartbeat call. */
#define STATUS_UPDATER_CALL_TIMEOUT_MS 10000
/* How long one registration keeps trying the RM's addresses before the
 * updater's own backoff takes over (well within a signature's clock
 * skew, SECURITY_AUTH_SKEW_MS). */
#define STATUS_UPDATER_REGISTER_RETRY_MS 60000

/* Uses ctx->base, ctx->secret, ctx->rm_rpc_addresses (read here, once),
 * ctx->node_id and ctx->containers (which must exist). */
struct status_updater *status_updater_new(struct nm_context *ctx);
/* Cancel the timers and any call in flight. */
void status_updater_free(struct status_updater *su);

/* Register now (and keep going on the timers). */
void status_updater_start(struct status_updater *su);
/* Send a heartbeat as soon as possible: at once when none is in flight,
 * else right after the one in flight is answered (coalesced). */
void status_updater_heartbeat_now(struct status_updater *su);
/* Shutdown: stop the timers, send one last heartbeat (so the RM hears the
 * final container statuses) and call cb once it is answered or failed. */
void status_updater_stop(struct status_updater *su, void (*cb)(void *), void *arg);
/* SHUTDOWN from the RM: who to tell (main stops the daemon). */
void status_updater_on_shutdown(struct status_updater *su, void (*cb)(void *), void *arg);

bool status_updater_registered(const struct status_updater *su);
/* Wall-clock time of the last answered heartbeat or registration (0 if
 * none yet). */
int64_t status_updater_last_update_ms(const struct status_updater *su);
/* Heartbeats answered since start (tests). */
int64_t status_updater_heartbeat_count(const struct status_updater *su);

#endif
