/*
 * executor_env.c — a task's environment (executor_env.h).
 *
 * Owns which variables a task inherits and which the executor sets: the
 * application secret never reaches a task, and the task's own env and
 * the WEFT_TASK_* variables override what the executor inherited.
 */
#include "weft_config.h"

#include "executor/executor_env.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "weft/protocol.h"

extern char **environ;

/* Whether the "K=V" entry sets one of the executor's own variables or a
 * key of env. */
static bool executor_env_overridden(const char *entry, struct json_object *env)
{
	static const char *const ours[] = {WEFT_ENV_APP_SECRET,
	                                   WEFT_ENV_TASK_INDEX,
	                                   WEFT_ENV_TASK_ATTEMPT,
	                                   WEFT_ENV_EXECUTOR_ID,
	                                   "PWD",
	                                   NULL};
	const char *eq = strchr(entry, '=');
	size_t len = eq != NULL ? (size_t)(eq - entry) : strlen(entry);
	char *name;
	bool found;
	int i;

	for (i = 0; ours[i] != NULL; i++) {
		if (strlen(ours[i]) == len && strncmp(entry, ours[i], len) == 0)
			return true;
	}
	if (env == NULL)
		return false;
	name = xstrndup(entry, len);
	found = json_object_object_get_ex(env, name, NULL);
	free(name);
	return found;
}

char **executor_env_build(const char *executor_id, int index, int attempt, const char *cwd,
                          struct json_object *env)
{
	size_t n = 0, cap = 16, i;
	char **out;

	for (i = 0; environ[i] != NULL; i++)
		cap++;
	if (env != NULL)
		cap += (size_t)json_object_object_length(env);
	out = xcalloc(cap, sizeof *out);
	for (i = 0; environ[i] != NULL; i++) {
		if (!executor_env_overridden(environ[i], env))
			out[n++] = xstrdup(environ[i]);
	}
	if (env != NULL) {
		json_object_object_foreach(env, key, value)
		{
			out[n++] = xasprintf("%s=%s", key, json_object_get_string(value));
		}
	}
	out[n++] = xasprintf("%s=%d", WEFT_ENV_TASK_INDEX, index);
	out[n++] = xasprintf("%s=%d", WEFT_ENV_TASK_ATTEMPT, attempt);
	out[n++] = xasprintf("%s=%s", WEFT_ENV_EXECUTOR_ID, executor_id);
	out[n++] = xasprintf("PWD=%s", cwd);
	out[n] = NULL;
	return out;
}

void executor_env_free(char **env)
{
	size_t i;

	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
}
