/*
 * launch_context.h — a container's launch context on the NM: the typed
 * message of common/proto_container.h ("launchContext" of
 * /rpc/containers/start), validated whole by its decoder before the NM
 * does anything with it, and the command line the NM runs from it.
 */
#ifndef WEFT_NM_LAUNCH_CONTEXT_H
#define WEFT_NM_LAUNCH_CONTEXT_H

#include <json-c/json.h>
#include <stdbool.h>

#include "common/proto_container.h"

/* Caps on what one launch context may hold (the decoder's). */
#define LAUNCH_CONTEXT_MAX_COMMANDS  PROTO_CONTAINER_MAX_COMMANDS
#define LAUNCH_CONTEXT_MAX_ENV       PROTO_CONTAINER_MAX_ENV
#define LAUNCH_CONTEXT_MAX_ENV_NAME  PROTO_CONTAINER_MAX_ENV_NAME
#define LAUNCH_CONTEXT_MAX_RESOURCES PROTO_CONTAINER_MAX_RESOURCES
#define LAUNCH_CONTEXT_MAX_URL       PROTO_CONTAINER_MAX_URL
/* A localResources url of this form is fetched from the NM's RM. */
#define LAUNCH_CONTEXT_STAGING_PREFIX PROTO_CONTAINER_STAGING_PREFIX

/*
 * Decode obj (the "launchContext" object) completely.  RET a new launch
 * context, or NULL with *cause naming the field ("launchContext.commands[1]:
 * expected a non-empty string").  Unknown fields are ignored.
 */
struct weft_launch_context *launch_context_parse(struct json_object *obj, char **cause);
/* The decoded context of a start request, moved to the heap (m's is left
 * empty). */
struct weft_launch_context *launch_context_take(struct proto_container_start *m);
void launch_context_free(struct weft_launch_context *lc);

/* The commands joined with " && " (caller frees). */
char *launch_context_command_line(const struct weft_launch_context *lc);

/* A valid environment variable name: [A-Za-z_][A-Za-z0-9_]*, capped. */
bool launch_context_env_name_valid(const char *name);
/* Whether url has an accepted form (see LAUNCH_CONTEXT_STAGING_PREFIX). */
bool launch_context_url_valid(const char *url);

#endif
