/*
 * rm_pool.h — weft-sls's way to the RM under test: a libweft client
 * transport (src/lib/client_internal.h) over a bounded pool of keep-alive
 * connections.
 *
 * Every call of the simulated NMs and AMs is a weft_client call (the
 * library's retries, 429 Retry-After, user.name, headers and error
 * messages); each try the client makes goes through a pool: at most
 * `connections` tries are on the wire at once (one per connection), the
 * rest wait in one FIFO.  Two wires, chosen at start: "direct" HTTP/1.1 on
 * non-blocking sockets (the default: it costs the simulator least per
 * call), or libweft's default transport, libcurl's multi interface, kept
 * to measure that choice against.
 */
#ifndef WEFT_SLS_RM_POOL_H
#define WEFT_SLS_RM_POOL_H

#include <event2/event.h>
#include <stddef.h>
#include <stdint.h>

#include "weft/client.h"

enum rm_pool_wire { RM_POOL_DIRECT, RM_POOL_CURL };

/* Bound on one try (the clients' call_timeout_ms). */
#define RM_POOL_TIMEOUT_MS 60000

struct rm_pool;

/* IN address "host:port" of the RM.  RET the pool or NULL with *cause. */
struct rm_pool *rm_pool_new(struct event_base *base, const char *address, enum rm_pool_wire wire,
                            int connections, char **cause);
/* Drop every try (no callbacks) and close the connections; every client
 * made on the pool must be freed first. */
void rm_pool_free(struct rm_pool *pool);

/*
 * A client of the RM at the pool's address whose tries all go through the
 * pool.  IN user: sent as user.name (NULL: none).  RET the client (freed
 * with weft_client_free, before the pool), or NULL with *cause.
 */
struct weft_client *rm_pool_client(struct rm_pool *pool, const char *user, char **cause);

/* POST body to path through client c with one extra header line ("Name:
 * value": the node's signature, the AM's token): what every simulated NM
 * and AM call is.  RET the call. */
struct weft_call *rm_pool_post(struct weft_client *c, const char *path, const char *header,
                               const char *body, size_t len, weft_call_cb cb, void *arg);

/* During a client's callback for an answer that came through the pool:
 * how long its try was on the wire (sent to answered). */
int64_t rm_pool_service_us(const struct rm_pool *pool);
/* Tries waiting for a connection. */
int rm_pool_queued(const struct rm_pool *pool);
/* Tries that ended (answered, or failed without an answer). */
int64_t rm_pool_answered(const struct rm_pool *pool);
/* Tries the RM answered busy (429, 503): the client retried them. */
int64_t rm_pool_busy(const struct rm_pool *pool);

#endif
