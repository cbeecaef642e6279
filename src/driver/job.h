/*
 * job.h — the interface between the driver and a kind of job.
 *
 * A job kind turns a job description into task sets on the task scheduler
 * and, when they are done, writes the job's results.  The driver picks the
 * kind from the description's "kind" field, owns the job's lifetime and
 * does everything that is the same for every kind (executors, the AM, the
 * end of the job).  There are "shell" (job_shell.c: one command as N
 * tasks) and "dataflow" (job_dataflow.c: datasets, stages and actions
 * through a DAG scheduler over the same task scheduler).
 */
#ifndef WEFT_DRIVER_JOB_H
#define WEFT_DRIVER_JOB_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <event2/event.h>

struct task_scheduler;

/* What the driver gives a job. */
struct job_env {
	struct event_base *base;
	struct task_scheduler *scheduler;
	FILE *out;               /* results go here */
	size_t max_result_bytes; /* cap on results held in the driver */
	/* The job is over (call once; may be called from a task set's
	 * callback).  diagnostics says why it failed. */
	void (*finished)(void *arg, bool succeeded, const char *diagnostics);
	void *arg;
};

struct job_kind {
	const char *name; /* the "kind" value */
	/* Check a description; RET 0 / -1 with *cause naming the field. */
	int (*validate)(struct json_object *job, char **cause);
	/* Start a validated description; RET the job or NULL with *cause. */
	void *(*start)(struct json_object *job, const struct job_env *env, char **cause);
	/* Stop whatever still runs and free (after finished, or to abort). */
	void (*free)(void *job);
	/* Optional: an executor was removed (reason: why). */
	void (*executor_removed)(void *job, const char *executor_id, const char *node,
	                         const char *reason);
	/* Optional: the job's part of the driver's status (caller puts). */
	struct json_object *(*status)(void *job);
};

extern const struct job_kind job_shell_kind;
extern const struct job_kind job_dataflow_kind;

#endif
