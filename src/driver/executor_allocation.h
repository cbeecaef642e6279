/*
 * executor_allocation.h — dynamic executors (Spark's
 * ExecutorAllocationManager), for `weft-submit --dynamic-executors
 * MIN:MAX`.
 *
 * Every EXECUTOR_ALLOCATION_TICK_MS the driver wants
 *   clamp(ceil((pending + running tasks) / cores per executor), MIN, MAX)
 * executors and asks for that total when it changed; an executor with
 * nothing to run for idle_timeout_ms (driver.dynamic-allocation.
 * executor-idle-timeout-ms, 60 s) is released while more than MIN remain
 * and no task waits.  Released executors lose nothing: their map outputs
 * and blocks are served by their node's NM.
 */
#ifndef WEFT_DRIVER_EXECUTOR_ALLOCATION_H
#define WEFT_DRIVER_EXECUTOR_ALLOCATION_H

#include <event2/event.h>
#include <json-c/json.h>
#include <stdint.h>

#include "driver/task_scheduler.h"

#define EXECUTOR_ALLOCATION_TICK_MS 250

struct executor_allocation;
struct proto_driver_allocation;

struct executor_allocation_ops {
	/* Want this many executors in total. */
	void (*request)(void *arg, int total);
	/* Release this executor (its scheduler handle). */
	void (*release)(void *arg, void *handle);
	void *arg;
};

struct executor_allocation *executor_allocation_new(struct event_base *base,
                                                    struct task_scheduler *ts, int min, int max,
                                                    int64_t idle_timeout_ms,
                                                    const struct executor_allocation_ops *ops);
void executor_allocation_free(struct executor_allocation *ea);
/* The status page's "dynamicAllocation". */
void executor_allocation_status(const struct executor_allocation *ea,
                                struct proto_driver_allocation *out);

#endif
