/*
 * task_scheduler.h — task sets onto executor slots (Spark's TaskScheduler).
 *
 * A job kind (the shell job, or the DAG scheduler's stages) submits task
 * sets; this module keeps their pending queues, hands tasks to executors
 * with free cores (an executor on the node a task prefers first), retries
 * failed tasks (up to max_failures attempts, on another executor where
 * possible), re-queues the running tasks of a lost executor without
 * counting a failure, launches speculative copies of stragglers when asked
 * to, and tells the task set's owner what happened.  It knows nothing
 * about sockets or clocks of its own: executors come and go through
 * task_scheduler_executor_added/lost, launches and kills go out through a
 * backend (executor_registry.c in the driver, a fake in unit tests), and
 * time is read with time_mono_ms().
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

#include "common/proto_task.h"

struct task_scheduler;
struct task_set;
struct task_executor;

/* One attempt of one task, as sent to an executor. */
struct task_launch {
	int64_t task_id;             /* unique in this driver */
	int attempt;                 /* 0, 1, ... (WEFT_TASK_ATTEMPT) */
	int index;                   /* the task's index in its set (WEFT_TASK_INDEX) */
	const char *command;         /* shell tasks, or NULL */
	struct json_object *env;     /* object of strings, or NULL */
	struct json_object *payload; /* a dataflow task ("task"), or NULL */
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
	struct json_object *env;     /* object of strings or NULL; a reference is taken */
	struct json_object *payload; /* dataflow task or NULL; a reference is taken */
	const char *preferred_node;  /* run it on this node if possible, or NULL */
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
	const char *node;                       /* the executor's node */
	const struct proto_task_result *result; /* a dataflow task's, or NULL */
	int64_t duration_ms;
};

struct task_set_callbacks {
	/* A task succeeded (once per task, the first attempt to finish). */
	void (*task_succeeded)(struct task_set *set, const struct task_result *result, void *arg);
	/* Every task of the set succeeded. */
	void (*succeeded)(struct task_set *set, void *arg);
	/* A task failed max_failures times; the set's other running tasks
	 * have been told to stop.  reason names the task and its last failure. */
	void (*failed)(struct task_set *set, const char *reason, void *arg);
	/* An attempt failed because it could not fetch its input (its result
	 * has "fetchFailed").  It does not count as a failure and the task is
	 * not retried: the owner recomputes what is missing (and usually
	 * cancels the set).  Without this callback it is an ordinary failure. */
	void (*fetch_failed)(struct task_set *set, const struct task_result *result, void *arg);
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
	const char *stderr_tail;                /* may be NULL */
	const struct proto_task_result *result; /* may be NULL */
};

/* IN max_failures: attempts per task (driver.task.max-failures, >= 1). */
struct task_scheduler *task_scheduler_new(int max_failures, const struct task_backend *backend);
/* Frees every executor record and task set still held. */
void task_scheduler_free(struct task_scheduler *ts);

/* A registered executor on node (the NM's host:port) offers cores slots.
 * RET the scheduler's record, to pass back with its status reports and its
 * loss. */
struct task_executor *task_scheduler_executor_added(struct task_scheduler *ts, const char *id,
                                                    const char *host, const char *node, int cores,
                                                    void *handle);
/* No new task goes to e (it is being released). */
void task_scheduler_executor_disable(struct task_scheduler *ts, struct task_executor *e);
/* Executors on node get no tasks while any executor elsewhere can take
 * them (the node stopped serving shuffle data). */
void task_scheduler_exclude_node(struct task_scheduler *ts, const char *node);
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
/* Tasks that succeeded, and attempts that failed, over all sets. */
int64_t task_scheduler_succeeded_count(const struct task_scheduler *ts);
int64_t task_scheduler_failed_count(const struct task_scheduler *ts);
/* Slots over all executors that take tasks. */
int task_scheduler_slot_count(const struct task_scheduler *ts);

/* Speculation (driver.speculation): once SPECULATION_QUANTILE of a set's
 * tasks finished, a task whose only attempt has run SPECULATION_MULTIPLIER
 * times longer than the median of the finished ones (and at least
 * SPECULATION_MIN_MS) gets a copy on another executor; the first attempt
 * to finish wins and the other is killed.  Call speculate periodically. */
#define SPECULATION_QUANTILE   0.75
#define SPECULATION_MULTIPLIER 1.5
#define SPECULATION_MIN_MS     100
void task_scheduler_set_speculation(struct task_scheduler *ts, bool on);
/* RET the number of copies queued. */
int task_scheduler_speculate(struct task_scheduler *ts);

/* What a set's tasks are doing (for status pages). */
struct task_set_counts {
	int total;
	int pending;
	int running; /* tasks with an attempt running */
	int succeeded;
	int failed;      /* failed attempts */
	int killed;      /* attempts killed (lost copies, cancelled) */
	int speculative; /* copies launched */
};
void task_set_counts(const struct task_set *set, struct task_set_counts *c);
bool task_set_active(const struct task_set *set);

/* One executor as the scheduler sees it. */
struct task_executor_info {
	const char *id;
	const char *host;
	const char *node;
	int cores;
	int running;
	int succeeded;
	int failed;
	bool disabled;
	int64_t idle_since_ms; /* time_mono_ms() it became idle; 0 while busy */
	void *handle;
};
/* Call fn for every executor (fn must not add or remove executors). */
void task_scheduler_each_executor(const struct task_scheduler *ts,
                                  void (*fn)(const struct task_executor_info *info, void *arg),
                                  void *arg);

#endif
