/*
 * executor_registry.h — the executors registered with the driver (Spark's
 * CoarseGrainedSchedulerBackend): their connections, their register
 * messages, launch/kill/shutdown going out and status reports coming in.
 *
 * An executor is alive while its TCP connection is: a dropped connection,
 * a bad message, or the AM reporting its container gone removes it, and
 * the task scheduler re-queues what it was running.
 */
#ifndef WEFT_DRIVER_EXECUTOR_REGISTRY_H
#define WEFT_DRIVER_EXECUTOR_REGISTRY_H

#include <event2/event.h>
#include <json-c/json.h>
#include <stdbool.h>

#include "driver/task_scheduler.h"

struct executor_registry;
struct lineconn;
struct closing;

/* on_removed runs after an executor was removed (not at shutdown), with
 * its id, its node and why. */
struct executor_registry *
executor_registry_new(struct event_base *base, const char *secret, struct closing *closing,
                      void (*on_removed)(void *arg, const char *executor_id, const char *node_id,
                                         const char *reason),
                      void *arg);
/* The backend the task scheduler sends launches and kills through. */
struct task_backend executor_registry_backend(struct executor_registry *reg);
void executor_registry_set_scheduler(struct executor_registry *reg, struct task_scheduler *ts);

/* A connection whose first message is msg ({"type":"register",...}):
 * validate it, answer registered/rejected, and take c over either way. */
void executor_registry_register(struct executor_registry *reg, struct lineconn *c,
                                struct json_object *msg);
/* The container with this id ended (the AM says so).  RET whether it was
 * a registered executor's. */
bool executor_registry_lose_container(struct executor_registry *reg, const char *container_id,
                                      int exit_status, const char *diagnostics);
/* Registered executors. */
int executor_registry_count(const struct executor_registry *reg);
/* The job is over: send shutdown to every executor, let their
 * connections linger, and answer later registrations with shutdown. */
void executor_registry_shutdown(struct executor_registry *reg);
/* The container of an executor (its scheduler handle); "" when none. */
const char *executor_registry_container(const void *handle);
/* Give no new task to this executor (its handle): it is being released. */
void executor_registry_release(struct executor_registry *reg, void *handle);
/* Close every connection now (no callback into the scheduler). */
void executor_registry_free(struct executor_registry *reg);

#endif
