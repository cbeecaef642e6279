/*
 * executor_output.h — what a finished task sends back: its stdout, the
 * tail of its stderr and a dataflow task's result, in one status line
 * that fits the driver's line cap (executor_output.c).
 */
#ifndef WEFT_EXECUTOR_OUTPUT_H
#define WEFT_EXECUTOR_OUTPUT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/proto_task.h"

/* The final status line of the task that ran in slot directory dir (its
 * stdout with FINISHED only; its result.json when dataflow).  RET a new
 * object. */
struct json_object *executor_output_final_status(const char *dir, int64_t task_id, int attempt,
                                                 enum proto_task_state state, int exit_code,
                                                 bool dataflow);

#endif
