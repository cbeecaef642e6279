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
 */
#ifndef WEFT_COMMON_PROTO_CONTAINER_H
#define WEFT_COMMON_PROTO_CONTAINER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

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
/* The launch context (owns its strings). */

struct proto_container_env {
	char *name;
	char *value;
};

struct proto_container_resource {
	char *name; /* plain file name in the working directory */
	char *url;  /* as given: http(s)://, file:// or /ws/v1/staging/... */
	bool executable;
};

struct proto_container_launch_context {
	char **commands; /* 1..PROTO_CONTAINER_MAX_COMMANDS non-empty strings */
	int n_commands;
	struct proto_container_env *env; /* in the order given; a later name wins on encode */
	int n_env;
	struct proto_container_resource *resources; /* names unique */
	int n_resources;
};

struct json_object *
proto_container_launch_context_encode(const struct proto_container_launch_context *lc);
/* Decode obj (the object at prefix, e.g. "launchContext") completely; on
 * failure lc is cleared.  Unknown fields are ignored. */
int proto_container_launch_context_decode(struct json_object *obj, const char *prefix,
                                          struct proto_container_launch_context *lc, char **cause);
/* Builders for an encoder's caller (the strings are copied). */
void proto_container_add_command(struct proto_container_launch_context *lc, const char *command);
void proto_container_add_env(struct proto_container_launch_context *lc, const char *name,
                             const char *value);
void proto_container_add_resource(struct proto_container_launch_context *lc, const char *name,
                                  const char *url, bool executable);
void proto_container_launch_context_clear(struct proto_container_launch_context *lc);

/* A valid environment variable name: [A-Za-z_][A-Za-z0-9_]*, capped. */
bool proto_container_env_name_valid(const char *name);
/* Whether url has an accepted form (see PROTO_CONTAINER_STAGING_PREFIX). */
bool proto_container_url_valid(const char *url);

/* ------------------------------------------------------------------ */
/* POST /rpc/containers/start {"token","launchContext"}. */

struct proto_container_start {
	const char *token; /* NULL when absent */
	struct proto_container_launch_context context;
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

/* status: {"containerId","state":"RUNNING"|"COMPLETE","exitStatus",
 * "diagnostics"} (protocol.h's container status). */
struct proto_container_status {
	const char *container_id;
	bool complete;
	int32_t exit_status;     /* absent on decode: WEFT_EXIT_INVALID */
	const char *diagnostics; /* NULL: "" */
};
struct json_object *proto_container_status_encode(const struct proto_container_status *m);
int proto_container_status_decode(struct json_object *obj, struct proto_container_status *m,
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
