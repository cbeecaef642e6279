/*
 * container_tokens.h — the RM's container-token keys: which key ids are
 * current, rolling them, and signing grants.
 *
 * NMs never receive a key: both sides derive it from the cluster secret
 * and a key id (security.h).  The RM starts from a random key id, rolls to
 * the next one every rm.container-token.roll-interval-ms and keeps the
 * previous one valid, and NMs learn the accepted ids from every
 * registration and heartbeat answer (containerKeyIds).
 */
#ifndef WEFT_RM_CONTAINER_TOKENS_H
#define WEFT_RM_CONTAINER_TOKENS_H

#include <event2/event.h>
#include <json-c/json.h>
#include <stdint.h>

#include "weft/resource.h"

struct container_tokens;
struct secret;

struct container_tokens *container_tokens_new(struct event_base *base, const struct secret *secret,
                                              int64_t roll_ms, int64_t expiry_ms);
void container_tokens_free(struct container_tokens *ct);

/* Sign a token for a container that may start on node_id until now +
 * rm.container-token.expiry-ms (caller frees). */
char *container_tokens_sign(const struct container_tokens *ct, const char *container_id,
                            const char *node_id, const char *user, weft_resource_t resource);
/* [current, previous] into ids (room for 2).  RET how many (1 or 2). */
int container_tokens_key_ids(const struct container_tokens *ct, int64_t *ids);
int64_t container_tokens_current(const struct container_tokens *ct);
int64_t container_tokens_expiry_ms(const struct container_tokens *ct);
/* Roll now (the timer does this; tests too). */
void container_tokens_roll(struct container_tokens *ct);

#endif
