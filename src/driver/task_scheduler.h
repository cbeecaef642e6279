/*
 * task_scheduler.h — task sets onto executor slots (Spark's TaskScheduler).
 *
 * A job kind (today the shell job, tomorrow a DAG scheduler's stages)
 * submits task sets; this module keeps their pending queues, hands tasks
 * to executors with free cores, retries failed tasks (up to max_failures
 * attempts, on another executor where possible), re-queues the running
 * tasks of a lost executor without counting a failure, and tells the task
 * set's owner what happened.  It knows nothing about sockets: executors
 * come and go through task_scheduler_executor_added/lost, and launches and
 * kills go out through a backend (executor_registry.c in the driver, a fake
 * in unit tests).
 *
 * Callbacks run synchronously from the call that caused them; an owner may
 * free its task set from inside one of its callbacks.
 */
#ifndef WEFT_DRIVER_TASK_SCHEDULER_H
#define WEFT_DRIVER_TASK_SCHEDULER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task_scheduler;
struct task_set;
struct task_executor;

/* One attempt of one task, as sent to an executor. */
struct task_launch {
	int64_t task_id; /* unique in this driver */
	int attempt;     /* 0, 1, ... (WEFT_TASK_ATTEMPT) */
	int index;       /* the task's index in its set (WEFT_TASK_INDEX) */
	const char *command;
	struct json_object *env; /* object of strings, or NULL */
};

/* How launches and kills reach executors.  executor is the handle given
 * to task_scheduler_executor_added(). */
struct task_backend {
	void (*launch)(void *executor, const struct task_launch *launch, void *arg);
	void (*kill)(void *executor, int64_t task_id, int attempt, void *arg);
	void *arg;
};

/* What a task set is made of (copied by task_scheduler_submit). */
struct task_spec {
	int index;
	const char *command;
	struct json_object *env; /* object of strings or NULL; a reference is taken */
};

/* A finished attempt's outcome, valid during the callback only. */
struct task_result {
	int index;
	int attempt;
	const char *executor_id;
	const char *host;
	const char *stdout_data;
	size_t stdout_len;
	bool stdout_truncated; /* the executor kept only part of it */
	int64_t stdout_size;   /* the task's full stdout size */
	const char *stderr_tail;
};

struct task_set_callbacks {
	/* A task succeeded (once per task, the first attempt to finish). */
	void (*task_succeeded)(struct task_set *set, const struct task_result *result, void *arg);
	/* Every task of the set succeeded. */
	void (*succeeded)(struct task_set *set, void *arg);
	/* A task failed max_failures times; the set's other running tasks
	 * have been told to stop.  reason names the task and its last failure. */
	void (*failed)(struct task_set *set, const char *reason, void *arg);
};

/* What an executor reports about an attempt. */
enum task_report {
	TASK_REPORT_RUNNING,
	TASK_REPORT_FINISHED,
	TASK_REPORT_FAILED,
	TASK_REPORT_KILLED,
};

struct task_status {
	int64_t task_id;
	int attempt;
	enum task_report state;
	int exit_code;
	const char *stdout_data; /* FINISHED */
	size_t stdout_len;
	bool stdout_truncated;
	int64_t stdout_size;
	const char *stderr_tail; /* may be NULL */
};

/* IN max_failures: attempts per task (driver.task.max-failures, >= 1). */
struct task_scheduler *task_scheduler_new(int max_failures, const struct task_backend *backend);
/* Frees every executor record and task set still held. */
void task_scheduler_free(struct task_scheduler *ts);

/* A registered executor offers cores slots.  RET the scheduler's record,
 * to pass back with its status reports and its loss. */
struct task_executor *task_scheduler_executor_added(struct task_scheduler *ts, const char *id,
                                                    const char *host, int cores, void *handle);
/* The executor is gone: its running tasks go back to the queue (not a
 * failure), and the record is freed. */
void task_scheduler_executor_lost(struct task_scheduler *ts, struct task_executor *e,
                                  const char *reason);
/*
 * A status report from executor e.  A report about an attempt that is not
 * running there (late, or for a killed task) is ignored.  RET 0, or -1
 * with *cause when the report contradicts itself (the caller drops the
 * executor).
 */
int task_scheduler_status(struct task_scheduler *ts, struct task_executor *e,
                          const struct task_status *st, char **cause);

/* Queue n >= 1 tasks (an empty set is inactive at once and never calls
 * back).  RET the set, owned by the caller (task_set_free), who frees
 * every set before the scheduler. */
struct task_set *task_scheduler_submit(struct task_scheduler *ts, const char *name,
                                       const struct task_spec *specs, int n,
                                       const struct task_set_callbacks *cb, void *arg);
/* Stop a set: pending tasks are dropped, running ones killed, no callback
 * runs any more.  Safe to call from the set's own callbacks. */
void task_set_cancel(struct task_set *set);
/* Cancel (if still active) and free. */
void task_set_free(struct task_set *set);

/* Tasks waiting for a slot, and attempts running, over all sets. */
int task_scheduler_pending_count(const struct task_scheduler *ts);
int task_scheduler_running_count(const struct task_scheduler *ts);

#endif
