/*
 * dag_scheduler.h — stages at shuffle boundaries (Spark's DAGScheduler).
 *
 * A job (one action) computes every partition of a dataset.  The
 * scheduler cuts the dataset's lineage into stages: a stage runs a chain
 * of narrow steps (text split or shuffle read or persisted block, then
 * map commands) as one task per partition, and ends in a shuffle write
 * (a map stage, shared by every job that needs that shuffle), a key
 * sample (before a sort's shuffle), or the job's output (the result
 * stage: collect or save).  A stage is submitted when the stages it reads
 * from are complete; independent stages run at once; a map stage whose
 * outputs all exist is skipped.
 *
 * Recovery: an executor lost re-runs its tasks (task scheduler); a task
 * that cannot fetch its input (FetchFailed) marks every map output and
 * block on that node lost, and the stage is resubmitted once the parent
 * stages recomputed just their missing partitions from lineage, at most
 * DAG_MAX_STAGE_ATTEMPTS times in a row.  A node reported lost by the
 * cluster loses its outputs at once.
 */
#ifndef WEFT_DRIVER_DAG_SCHEDULER_H
#define WEFT_DRIVER_DAG_SCHEDULER_H

#include <json-c/json.h>
#include <stdbool.h>

#include "driver/lineage.h"
#include "driver/task_scheduler.h"

struct proto_driver_job;

#define DAG_MAX_STAGE_ATTEMPTS 4

struct dag_scheduler;

/* What a job's owner hears.  Callbacks run from task scheduler callbacks;
 * after succeeded or failed the job is over (the owner may start the
 * next one from there). */
struct dag_job_callbacks {
	/* A partition of the result is done: its task's result (collect: the
	 * records are its stdout).  Called once per partition. */
	void (*partition_done)(void *arg, int partition, const struct task_result *r);
	void (*succeeded)(void *arg);
	void (*failed)(void *arg, const char *reason);
	void *arg;
};

/* How a job ends. */
struct dag_output {
	enum action_kind kind;
	const char *save_dir; /* save: the staging directory part files go to */
};

/* A scheduler over a resolved lineage (not owned). */
struct dag_scheduler *dag_scheduler_new(struct lineage *l, struct task_scheduler *ts);
void dag_scheduler_free(struct dag_scheduler *dag);

/* Start a job computing dataset ds (one at a time).  RET its id. */
int dag_scheduler_run_job(struct dag_scheduler *dag, struct dataset *ds,
                          const struct dag_output *out, const struct dag_job_callbacks *cb);
/* Stop the running job's stages (no callback). */
void dag_scheduler_cancel(struct dag_scheduler *dag);
/* An executor was removed; reason says why (a lost node loses its
 * outputs). */
void dag_scheduler_executor_removed(struct dag_scheduler *dag, const char *executor_id,
                                    const char *node, const char *reason);

/* The jobs, stages and recomputed partitions of the status page's "job"
 * (out->jobs and out->stages are new arrays pointing into dag:
 * proto_driver_job_clear; kind and name are the caller's). */
void dag_scheduler_status_fill(const struct dag_scheduler *dag, struct proto_driver_job *out);
/* The same as JSON: {"jobs":[...],"stages":[...],...}. */
struct json_object *dag_scheduler_status(const struct dag_scheduler *dag);
/* Map partitions recomputed because their output was lost (tests). */
int dag_scheduler_recomputed(const struct dag_scheduler *dag);

#endif
