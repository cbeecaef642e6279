/*
 * executor_env.h — the environment a task runs with (executor_env.c).
 */
#ifndef WEFT_EXECUTOR_ENV_H
#define WEFT_EXECUTOR_ENV_H

#include <json-c/json.h>

/* The executor's environment (less WEFT_APP_SECRET), the task's env
 * (checked by proto_task_launch_decode), then WEFT_TASK_INDEX,
 * WEFT_TASK_ATTEMPT, WEFT_EXECUTOR_ID and PWD.  NULL-terminated; free it
 * with executor_env_free. */
char **executor_env_build(const char *executor_id, int index, int attempt, const char *cwd,
                          struct json_object *env);
void executor_env_free(char **env);

#endif
