/*
 * launch_context.h — a container's launch context (protocol.h,
 * /rpc/containers/start): commands, environment and local resources,
 * validated as a whole before the NM does anything with it.
 */
#ifndef WEFT_NM_LAUNCH_CONTEXT_H
#define WEFT_NM_LAUNCH_CONTEXT_H

#include <json-c/json.h>
#include <stdbool.h>

/* Caps on what one launch context may hold. */
#define LAUNCH_CONTEXT_MAX_COMMANDS  64
#define LAUNCH_CONTEXT_MAX_ENV       1024
#define LAUNCH_CONTEXT_MAX_ENV_NAME  256
#define LAUNCH_CONTEXT_MAX_RESOURCES 256
#define LAUNCH_CONTEXT_MAX_URL       4096
/* A localResources url of this form is fetched from the NM's RM. */
#define LAUNCH_CONTEXT_STAGING_PREFIX "/ws/v1/staging/"

struct launch_env {
	char *name;
	char *value;
};

struct local_resource {
	char *name; /* plain file name in the working directory */
	char *url;  /* as given: http(s)://, file:// or /ws/v1/staging/... */
	bool executable;
};

struct launch_context {
	char **commands;
	int n_commands;
	struct launch_env *env; /* in the order given, names unique */
	int n_env;
	struct local_resource *resources;
	int n_resources;
};

/*
 * Validate obj (the "launchContext" object) completely.  RET a new launch
 * context, or NULL with *cause naming the field ("launchContext.commands[1]:
 * expected a non-empty string").  Unknown fields are ignored.
 */
struct launch_context *launch_context_parse(struct json_object *obj, char **cause);
void launch_context_free(struct launch_context *lc);

/* The commands joined with " && " (caller frees). */
char *launch_context_command_line(const struct launch_context *lc);

/* A valid environment variable name: [A-Za-z_][A-Za-z0-9_]*, capped. */
bool launch_context_env_name_valid(const char *name);
/* Whether url has an accepted form (see LAUNCH_CONTEXT_STAGING_PREFIX). */
bool launch_context_url_valid(const char *url);

#endif
