/*
 * proto_container.h — the NM's container API (weft/protocol.h, "NM
 * internal: container manager"): POST /rpc/containers/start, stop and
 * status and their answers, one typed struct per message and an
 * encode/decode pair each, used by every caller (the RM's AM launcher,
 * the AM) and every server (the NM, weft-sls).
 *
 * Encoders take a filled struct and return a new JSON object.  Decoders
 * check every field's type, range and length and fill the struct; on
 * failure they return -1 with *cause naming the field path
 * ("launchContext.localResources[2].url: ...").  Strings a decoder fills
 * point into the decoded object, except the launch context's, which it
 * copies (an NM container keeps its launch context after the request).
 * The records that are also libweft's public API (the launch context,
 * the container status) are weft/container.h's structs.
 */
#ifndef WEFT_COMMON_PROTO_CONTAINER_H
#define WEFT_COMMON_PROTO_CONTAINER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "weft/container.h"
#include "weft/protocol.h"

struct evbuffer;

/* Caps a decoder enforces. */
#define PROTO_CONTAINER_MAX_COMMANDS  64
#define PROTO_CONTAINER_MAX_ENV       1024
#define PROTO_CONTAINER_MAX_ENV_NAME  256
#define PROTO_CONTAINER_MAX_RESOURCES 256
#define PROTO_CONTAINER_MAX_URL       4096
#define PROTO_CONTAINER_NAME_MAX      255 /* a local resource's file name */
#define PROTO_CONTAINER_TOKEN_MAX     8192
#define PROTO_CONTAINER_STATE_MAX     32
/* The kernel's limit on one exec argument or environment string
 * (MAX_ARG_STRLEN): the command line and each "K=V" must fit. */
#define PROTO_CONTAINER_MAX_ARG (128 * 1024 - 1)
/* A localResources url of this form is fetched from the NM's RM. */
#define PROTO_CONTAINER_STAGING_PREFIX "/ws/v1/staging/"

/* A plain file name (a localized file, a log file): 1..
 * PROTO_CONTAINER_NAME_MAX bytes, no '/', no control characters, not
 * starting with '.'.  The one rule for names a client may choose. */
bool proto_container_plain_name(const char *name);

/* ------------------------------------------------------------------ */
/* The launch context (weft/container.h's; it owns its strings). */

struct json_object *proto_container_launch_context_encode(const struct weft_launch_context *lc);
/* Decode obj (the object at prefix, e.g. "launchContext") completely; on
 * failure lc is cleared.  Unknown fields are ignored. */
int proto_container_launch_context_decode(struct json_object *obj, const char *prefix,
                                          struct weft_launch_context *lc, char **cause);

/* A valid environment variable name: [A-Za-z_][A-Za-z0-9_]*, capped. */
bool proto_container_env_name_valid(const char *name);
/* Whether url has an accepted form (see PROTO_CONTAINER_STAGING_PREFIX). */
bool proto_container_url_valid(const char *url);

/* ------------------------------------------------------------------ */
/* POST /rpc/containers/start {"token","launchContext"}. */

struct proto_container_start {
	const char *token; /* NULL when absent */
	struct weft_launch_context context;
	/* Decoding reads the token first: when a later field fails, token
	 * and token_read are already set, so the NM can refuse a caller
	 * without a good token before it says what else was wrong. */
	bool token_read;
};
struct json_object *proto_container_start_encode(const struct proto_container_start *m);
int proto_container_start_decode(struct json_object *obj, struct proto_container_start *m,
                                 char **cause);
void proto_container_start_clear(struct proto_container_start *m);

/* ------------------------------------------------------------------ */
/* POST /rpc/containers/stop and /status {"containerId","token"}. */

struct proto_container_request {
	const char *container_id; /* a valid container id */
	const char *token;        /* NULL when absent (X-Weft-Auth instead) */
};
struct json_object *proto_container_request_encode(const struct proto_container_request *m);
int proto_container_request_decode(struct json_object *obj, struct proto_container_request *m,
                                   char **cause);

/* ------------------------------------------------------------------ */
/* Answers. */

/* start and stop: {"containerId","state"}, state one of the NM's
 * container state names (LOCALIZING, RUNNING, KILLING, COMPLETE, ...). */
struct proto_container_state {
	const char *container_id;
	const char *state; /* [A-Z_]{1,32} */
};
struct json_object *proto_container_state_encode(const struct proto_container_state *m);
int proto_container_state_decode(struct json_object *obj, struct proto_container_state *m,
                                 char **cause);

/* ------------------------------------------------------------------ */
/* The container status record (weft/container.h's weft_container_status,
 * protocol.h's <container status>): an NM's heartbeat and register list
 * them, the NM's /rpc/containers/status answers one, and an allocate
 * answer's "completed" lists the containers that ended.  One encoder and
 * one decoder for all of them. */

/* Caps a decoder enforces. */
#define PROTO_CONTAINER_DIAGNOSTICS_MAX WEFT_MAX_JSON_BODY

/* What a decoder demands of a status, by where it stands: the two ends
 * act on different fields. */
enum proto_status_rules {
	/* A node's report of its container (heartbeat, register, status
	 * answer): the RM acts on the state, so it is required (NEW, RUNNING
	 * or COMPLETE); a container not yet complete has no exit status
	 * (absent: WEFT_EXIT_INVALID). */
	PROTO_STATUS_REPORTED,
	/* An allocate answer's "completed" entry: COMPLETE by where it
	 * stands (absent: COMPLETE; present: must say so); the AM acts on
	 * the exit status, so it is required. */
	PROTO_STATUS_COMPLETED,
};

/* Every field, diagnostics too ("" for NULL). */
struct json_object *proto_container_status_encode(const struct weft_container_status *m);
/* The same JSON as text appended to b (weft-sls writes 100,000 statuses
 * a second). */
void proto_container_status_write(struct evbuffer *b, const struct weft_container_status *m);
/* IN path: obj's place in its message for *cause ("containers[2]",
 * "completed[0]", "" at the top); rules: as above.  Strings point into
 * obj; diagnostics is "" when absent. */
int proto_container_status_decode(struct json_object *obj, const char *path,
                                  enum proto_status_rules rules, struct weft_container_status *m,
                                  char **cause);

/* ------------------------------------------------------------------ */
/* The container token's payload, {"containerId","nodeId","user",
 * "memoryMB","vcores","expiry","keyId"}: common/security.c signs its
 * text and checks the signature; these write and read it. */
struct container_token;
struct json_object *proto_container_token_encode(const struct container_token *tok);
/* The key id alone: it names the key the signature is checked with, so
 * it is read before anything else is trusted. */
int proto_container_token_key_id(struct json_object *obj, int64_t *key_id, char **cause);
/* Every field but the key id, into tok (causes name the field). */
int proto_container_token_decode(struct json_object *obj, struct container_token *tok,
                                 char **cause);

#endif
