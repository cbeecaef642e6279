/*
 * container.c — the helpers of libweft's container records
 * (weft/container.h): container state names, and building and freeing a
 * launch context.  Encoding and decoding them is
 * src/common/proto_container.c's.
 */
#include "weft_config.h"

#include "weft/container.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "weft/protocol.h"

static const char *const container_state_names[] = {
        [WEFT_CONTAINER_NEW] = WEFT_CONTAINER_STATE_NEW,
        [WEFT_CONTAINER_RUNNING] = WEFT_CONTAINER_STATE_RUNNING,
        [WEFT_CONTAINER_COMPLETE] = WEFT_CONTAINER_STATE_COMPLETE,
};

const char *weft_container_state_name(enum weft_container_state state)
{
	if ((unsigned)state >= sizeof container_state_names / sizeof *container_state_names)
		return NULL;
	return container_state_names[state];
}

int weft_container_state_parse(const char *name, enum weft_container_state *state)
{
	for (size_t i = 0; i < sizeof container_state_names / sizeof *container_state_names; i++) {
		if (strcmp(name, container_state_names[i]) == 0) {
			*state = (enum weft_container_state)i;
			return 0;
		}
	}
	return -1;
}

/* Append a copy of command. */
void weft_launch_context_add_command(struct weft_launch_context *lc, const char *command)
{
	lc->commands =
	        xreallocarray(lc->commands, (size_t)lc->n_commands + 1, sizeof *lc->commands);
	lc->commands[lc->n_commands++] = xstrdup(command);
}

/* Append a copy of name=value. */
void weft_launch_context_add_env(struct weft_launch_context *lc, const char *name,
                                 const char *value)
{
	lc->env = xreallocarray(lc->env, (size_t)lc->n_env + 1, sizeof *lc->env);
	lc->env[lc->n_env].name = xstrdup(name);
	lc->env[lc->n_env].value = xstrdup(value);
	lc->n_env++;
}

/* Append a copy of one local resource. */
void weft_launch_context_add_resource(struct weft_launch_context *lc, const char *name,
                                      const char *url, bool executable)
{
	lc->resources =
	        xreallocarray(lc->resources, (size_t)lc->n_resources + 1, sizeof *lc->resources);
	lc->resources[lc->n_resources].name = xstrdup(name);
	lc->resources[lc->n_resources].url = xstrdup(url);
	lc->resources[lc->n_resources].executable = executable;
	lc->n_resources++;
}

/* Free what lc owns and zero it. */
void weft_launch_context_clear(struct weft_launch_context *lc)
{
	int i;

	for (i = 0; i < lc->n_commands; i++)
		free(lc->commands[i]);
	free(lc->commands);
	for (i = 0; i < lc->n_env; i++) {
		free(lc->env[i].name);
		free(lc->env[i].value);
	}
	free(lc->env);
	for (i = 0; i < lc->n_resources; i++) {
		free(lc->resources[i].name);
		free(lc->resources[i].url);
	}
	free(lc->resources);
	memset(lc, 0, sizeof *lc);
}
