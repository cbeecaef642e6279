/*
 * launch_context.c — a container's launch context on the NM: decoding
 * (through common/proto_container.c, which owns the wire form and its
 * validation) onto the heap, where a container keeps it, and the command
 * line /bin/sh -c runs.
 */
#include "weft_config.h"

#include "nm/launch_context.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "weft/protocol.h"

/* A shell variable name of reasonable length (the decoder's rule). */
bool launch_context_env_name_valid(const char *name)
{
	return proto_container_env_name_valid(name);
}

/* http(s)://, file:// or the RM-relative staging form (the decoder's rule). */
bool launch_context_url_valid(const char *url)
{
	return proto_container_url_valid(url);
}

/* Decode a whole launch context onto the heap. */
struct weft_launch_context *launch_context_parse(struct json_object *obj, char **cause)
{
	struct weft_launch_context *lc = xcalloc(1, sizeof *lc);

	if (proto_container_launch_context_decode(obj, WEFT_KEY_LAUNCH_CONTEXT, lc, cause) != 0) {
		free(lc);
		return NULL;
	}
	return lc;
}

/* Move a start request's decoded context to the heap. */
struct weft_launch_context *launch_context_take(struct proto_container_start *m)
{
	struct weft_launch_context *lc = xmalloc(sizeof *lc);

	*lc = m->context;
	memset(&m->context, 0, sizeof m->context);
	return lc;
}

/* Free a launch context (NULL is fine). */
void launch_context_free(struct weft_launch_context *lc)
{
	if (lc == NULL)
		return;
	weft_launch_context_clear(lc);
	free(lc);
}

/* What /bin/sh -c runs: each command must succeed for the next to run. */
char *launch_context_command_line(const struct weft_launch_context *lc)
{
	size_t len = 1;
	char *line;
	int i;

	for (i = 0; i < lc->n_commands; i++)
		len += strlen(lc->commands[i]) + 4;
	line = xmalloc(len);
	line[0] = '\0';
	for (i = 0; i < lc->n_commands; i++) {
		if (i > 0)
			strcat(line, " && ");
		strcat(line, lc->commands[i]);
	}
	return line;
}
