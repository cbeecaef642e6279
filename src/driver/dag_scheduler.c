/*
 * dag_scheduler.c — stages, their submission and lineage recovery
 * (dag_scheduler.h).
 *
 * Owns the shuffles (each with its map output registry), the stages (kept
 * for the status page after they ran), the persisted blocks' locations,
 * the running job, and recovery: what a lost node or a FetchFailed
 * loses, which stages run again and when a job gives up.  What a task
 * carries is dag_task.c's; a sort's sampling and range bounds are
 * dag_sample.c's (their shared state is in dag_state.h).
 *
 * A stage's pipeline is its final dataset and the chain of map datasets
 * above it up to a root: a text dataset, a wide dataset (read from its
 * shuffles), or a persisted dataset whose blocks all exist (read back
 * instead of recomputed).  Per task, a persisted dataset of the chain
 * whose block for that partition exists cuts the chain further.  Which
 * stages a stage waits for is worked out again each time it is
 * submitted, so a lost block or map output simply makes its producer
 * reappear among the parents.
 */
#include "weft_config.h"

#include "driver/dag_scheduler.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/daemon.h"
#include "common/log.h"
#include "common/proto_driver.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "driver/dag_state.h"
#include "driver/map_output.h"

static const char *const stage_kind_names[] = {"shuffle-map", "sample", "result"};
static const char *const stage_state_names[] = {"IDLE", "WAITING", "RUNNING", "DONE", "FAILED"};

static void dag_scheduler_submit(struct dag_scheduler *dag, struct stage *st);
static void dag_scheduler_check_waiting(struct dag_scheduler *dag);
static const struct task_set_callbacks dag_scheduler_set_callbacks;

/* ------------------------------------------------------------------ */
/* Shuffles, stages and blocks. */

struct dag_scheduler *dag_scheduler_new(struct lineage *l, struct task_scheduler *ts)
{
	struct dag_scheduler *dag = xcalloc(1, sizeof *dag);
	int i;

	dag->l = l;
	dag->ts = ts;
	dag->blocks = xcalloc((size_t)l->n_datasets, sizeof *dag->blocks);
	for (i = 0; i < l->n_datasets; i++) {
		int n = l->datasets[i]->partitions > 0 ? l->datasets[i]->partitions : 1;

		dag->blocks[i].node = xcalloc((size_t)n, sizeof(char *));
		dag->blocks[i].size = xcalloc((size_t)n, sizeof(int64_t));
	}
	return dag;
}

/* The shuffle that feeds side `side` of the wide dataset child. */
struct shuffle *dag_scheduler_shuffle(struct dag_scheduler *dag, struct dataset *child, int side)
{
	struct shuffle *sh;
	int i;

	for (i = 0; i < dag->n_shuffles; i++)
		if (dag->shuffles[i]->child == child && dag->shuffles[i]->side == side)
			return dag->shuffles[i];
	sh = xcalloc(1, sizeof *sh);
	sh->id = dag->n_shuffles;
	sh->child = child;
	sh->side = side;
	sh->parent = child->parents[side];
	sh->partitions = child->partitions;
	sh->range = child->op == DATASET_SORT_BY_KEY;
	sh->bounds_ready = !sh->range || sh->partitions == 1;
	if (sh->range && sh->partitions == 1)
		sh->n_bounds = 0;
	sh->outputs = map_outputs_new(sh->parent->partitions, sh->partitions);
	dag->shuffles =
	        xreallocarray(dag->shuffles, (size_t)dag->n_shuffles + 1, sizeof *dag->shuffles);
	dag->shuffles[dag->n_shuffles++] = sh;
	return sh;
}

/* A new stage. */
static struct stage *dag_scheduler_stage_new(struct dag_scheduler *dag, enum stage_kind kind,
                                             struct dataset *final, struct shuffle *sh)
{
	struct stage *st = xcalloc(1, sizeof *st);

	st->dag = dag;
	st->id = dag->n_stages;
	st->kind = kind;
	st->final = final;
	st->shuffle = sh;
	st->job = -1;
	st->partitions = final->partitions;
	if (kind != STAGE_MAP)
		st->done = xcalloc((size_t)(st->partitions > 0 ? st->partitions : 1), sizeof(bool));
	switch (kind) {
	case STAGE_MAP:
		st->name =
		        xasprintf("%s -> shuffle %d for %s", final->name, sh->id, sh->child->name);
		break;
	case STAGE_SAMPLE:
		st->name = xasprintf("sample of %s for %s", final->name, sh->child->name);
		break;
	case STAGE_RESULT:
		st->name = xstrdup(final->name);
		break;
	}
	dag->stages = xreallocarray(dag->stages, (size_t)dag->n_stages + 1, sizeof *dag->stages);
	dag->stages[dag->n_stages++] = st;
	return st;
}

static struct stage *dag_scheduler_map_stage(struct dag_scheduler *dag, struct shuffle *sh)
{
	if (sh->map_stage == NULL)
		sh->map_stage = dag_scheduler_stage_new(dag, STAGE_MAP, sh->parent, sh);
	return sh->map_stage;
}

static struct stage *dag_scheduler_sample_stage(struct dag_scheduler *dag, struct shuffle *sh)
{
	if (sh->sample_stage == NULL)
		sh->sample_stage = dag_scheduler_stage_new(dag, STAGE_SAMPLE, sh->parent, sh);
	return sh->sample_stage;
}

/* The block of dataset d's partition p: its node, or NULL. */
const char *dag_scheduler_block(const struct dag_scheduler *dag, const struct dataset *d, int p)
{
	if (!d->persist || p < 0 || p >= d->partitions)
		return NULL;
	return dag->blocks[d->id].node[p];
}

bool dag_scheduler_fully_cached(const struct dag_scheduler *dag, const struct dataset *d)
{
	int p;

	if (!d->persist || d->partitions == 0)
		return false;
	for (p = 0; p < d->partitions; p++)
		if (dag->blocks[d->id].node[p] == NULL)
			return false;
	return true;
}

/* Forget every block on node.  RET how many. */
static int dag_scheduler_lose_blocks(struct dag_scheduler *dag, const char *node)
{
	int i, p, n = 0;

	for (i = 0; i < dag->l->n_datasets; i++) {
		for (p = 0; p < dag->l->datasets[i]->partitions; p++) {
			char **b = &dag->blocks[i].node[p];

			if (*b != NULL && strcmp(*b, node) == 0) {
				free(*b);
				*b = NULL;
				n++;
			}
		}
	}
	return n;
}

/* See dag_state.h. */
int dag_scheduler_chain(const struct dag_scheduler *dag, struct dataset *final,
                        struct dataset **chain)
{
	struct dataset *up[DAG_MAX_CHAIN], *d = final;
	int n = 0, i, cut = -1;

	for (;;) {
		up[n++] = d;
		if (d->op != DATASET_MAP || n == DAG_MAX_CHAIN)
			break;
		d = d->parents[0];
	}
	/* The fully persisted dataset nearest to final cuts the chain. */
	for (i = 0; i < n && cut < 0; i++)
		if (dag_scheduler_fully_cached(dag, up[i]))
			cut = i;
	if (cut >= 0)
		n = cut + 1;
	for (i = 0; i < n; i++)
		chain[i] = up[n - 1 - i];
	return n;
}

/* The stages st reads from.  RET how many (at most 3). */
static int dag_scheduler_stage_parents(struct dag_scheduler *dag, struct stage *st,
                                       struct stage **out)
{
	struct dataset *chain[DAG_MAX_CHAIN];
	int n = 0, k;

	dag_scheduler_chain(dag, st->final, chain);
	if (dataset_is_wide(chain[0]) && !dag_scheduler_fully_cached(dag, chain[0]))
		for (k = 0; k < chain[0]->n_parents; k++)
			out[n++] = dag_scheduler_map_stage(dag,
			                                   dag_scheduler_shuffle(dag, chain[0], k));
	if (st->kind == STAGE_MAP && !st->shuffle->bounds_ready)
		out[n++] = dag_scheduler_sample_stage(dag, st->shuffle);
	return n;
}

/* Whether a stage's output is all there. */
static bool dag_scheduler_stage_complete(const struct stage *st)
{
	int p;

	switch (st->kind) {
	case STAGE_MAP:
		return st->shuffle->bounds_ready && map_outputs_missing(st->shuffle->outputs) == 0;
	case STAGE_SAMPLE:
		return st->shuffle->bounds_ready;
	case STAGE_RESULT:
		for (p = 0; p < st->partitions; p++)
			if (!st->done[p])
				return false;
		return true;
	}
	return false;
}

/* Whether partition p of a stage still has to be computed. */
static bool dag_scheduler_partition_missing(const struct stage *st, int p)
{
	if (st->kind == STAGE_MAP)
		return !map_outputs_available(st->shuffle->outputs, p);
	return !st->done[p];
}

/* ------------------------------------------------------------------ */
/* Tasks. */

/* Submit the tasks of st's missing partitions. */
static void dag_scheduler_launch(struct dag_scheduler *dag, struct stage *st)
{
	struct task_spec *specs;
	char *name;
	int p, n = 0;

	specs = xcalloc((size_t)(st->partitions > 0 ? st->partitions : 1), sizeof *specs);
	for (p = 0; p < st->partitions; p++) {
		if (!dag_scheduler_partition_missing(st, p))
			continue;
		specs[n].index = p;
		specs[n].payload = dag_task_payload(dag, st, p, &specs[n].preferred_node);
		n++;
	}
	if (n == 0) {
		free(specs);
		st->state = STAGE_DONE;
		return;
	}
	if (st->attempts > 0) {
		st->recomputed += n;
		if (st->kind == STAGE_MAP)
			dag->recomputed += n;
		log_warn("stage %d (%s): resubmitting %d missing partition%s of %d (attempt %d)",
		         st->id, st->name, n, n == 1 ? "" : "s", st->partitions, st->attempts);
	}
	name = xasprintf("stage %d.%d (%s)", st->id, st->attempts, st->name);
	st->attempts++;
	st->tasks_launched += n;
	st->state = STAGE_RUNNING;
	if (st->submitted_ms == 0)
		st->submitted_ms = time_now_ms();
	st->set = task_scheduler_submit(dag->ts, name, specs, n, &dag_scheduler_set_callbacks, st);
	for (p = 0; p < n; p++)
		json_object_put(specs[p].payload);
	free(specs);
	free(name);
}

/* Submit st, or its missing parents first (it then waits for them). */
static void dag_scheduler_submit(struct dag_scheduler *dag, struct stage *st)
{
	struct stage *parents[3];
	int n, i;
	bool missing = false;

	if (st->state == STAGE_RUNNING)
		return;
	if (dag_scheduler_stage_complete(st)) {
		st->state = STAGE_DONE;
		return;
	}
	n = dag_scheduler_stage_parents(dag, st, parents);
	for (i = 0; i < n; i++) {
		if (dag_scheduler_stage_complete(parents[i]))
			continue;
		missing = true;
		if (parents[i]->state != STAGE_RUNNING && parents[i]->state != STAGE_WAITING)
			dag_scheduler_submit(dag, parents[i]);
	}
	if (missing) {
		st->state = STAGE_WAITING;
		return;
	}
	dag_scheduler_launch(dag, st);
}

/* Launch every waiting stage whose parents are complete now. */
static void dag_scheduler_check_waiting(struct dag_scheduler *dag)
{
	bool again = true;
	int i;

	if (dag->checking)
		return;
	dag->checking = true;
	while (again && dag->current != NULL) {
		again = false;
		for (i = 0; i < dag->n_stages && dag->current != NULL; i++) {
			struct stage *st = dag->stages[i];
			enum stage_state before = st->state;

			if (st->state != STAGE_WAITING)
				continue;
			st->state = STAGE_IDLE;
			dag_scheduler_submit(dag, st);
			if (st->state != before)
				again = true;
		}
	}
	dag->checking = false;
}

/* ------------------------------------------------------------------ */
/* The end of a job. */

/* Stop every stage's tasks. */
static void dag_scheduler_stop_stages(struct dag_scheduler *dag)
{
	int i;

	for (i = 0; i < dag->n_stages; i++) {
		struct stage *st = dag->stages[i];

		if (st->set != NULL) {
			task_set_counts(st->set, &st->last);
			task_set_free(st->set);
			st->set = NULL;
		}
		if (st->state == STAGE_RUNNING || st->state == STAGE_WAITING)
			st->state = STAGE_IDLE;
	}
}

/* The job failed: stop everything and tell the owner. */
static void dag_scheduler_job_fail(struct dag_scheduler *dag, const char *reason)
{
	struct dag_job *job = dag->current;

	if (job == NULL)
		return;
	dag->current = NULL;
	dag_scheduler_stop_stages(dag);
	job->result->state = STAGE_FAILED;
	job->state = "FAILED";
	job->failure = xstrdup(reason);
	job->finished_ms = time_now_ms();
	log_warn("job %d failed: %s", job->id, reason);
	if (job->cb.failed != NULL)
		job->cb.failed(job->cb.arg, reason);
}

/* The result stage is complete. */
static void dag_scheduler_job_succeed(struct dag_scheduler *dag)
{
	struct dag_job *job = dag->current;

	dag->current = NULL;
	dag_scheduler_stop_stages(dag);
	job->state = "SUCCEEDED";
	job->finished_ms = time_now_ms();
	log_info("job %d (%s of %s) finished in %" PRId64 " ms", job->id,
	         job->kind == ACTION_COLLECT ? "collect" : "save", job->ds->name,
	         job->finished_ms - job->started_ms);
	if (job->cb.succeeded != NULL)
		job->cb.succeeded(job->cb.arg);
}

/* ------------------------------------------------------------------ */
/* Task set callbacks. */

/* Register the blocks a task persisted. */
static void dag_scheduler_register_blocks(struct dag_scheduler *dag, int p,
                                          const struct task_result *r)
{
	int i;

	if (r->result == NULL)
		return;
	for (i = 0; i < r->result->n_blocks; i++) {
		int64_t id = r->result->blocks[i].dataset;

		if (id >= dag->l->n_datasets || p >= dag->l->datasets[id]->partitions ||
		    !dag->l->datasets[id]->persist)
			continue;
		free(dag->blocks[id].node[p]);
		dag->blocks[id].node[p] = xstrdup(r->node);
		dag->blocks[id].size[p] = r->result->blocks[i].size;
	}
}

/* A map task's output: register it.  RET 0 / -1 *cause. */
static int dag_scheduler_register_map_output(struct stage *st, const struct task_result *r,
                                             char **cause)
{
	const struct proto_task_result *res = r->result;

	if (res == NULL)
		return set_cause(cause, "no result");
	if (!res->has_map_output)
		return set_cause(cause, "result.mapOutput: missing");
	if (res->map_output.n_sizes != st->shuffle->partitions)
		return set_cause(cause, "%d partition sizes for %d partitions",
		                 res->map_output.n_sizes, st->shuffle->partitions);
	if (map_outputs_register(st->shuffle->outputs, r->index, res->map_output.map, r->node,
	                         res->map_output.sizes, res->map_output.n_sizes) != 0)
		return set_cause(cause, "cannot register map output %s", res->map_output.map);
	st->records += res->map_output.records;
	st->spills += res->map_output.spills;
	return 0;
}

/* A task of a stage succeeded. */
static void dag_scheduler_task_succeeded_cb(struct task_set *set, const struct task_result *r,
                                            void *arg)
{
	struct stage *st = arg;
	struct dag_scheduler *dag = st->dag;
	char *cause = NULL, *reason;

	if (dag->current == NULL || r->index < 0 || r->index >= st->partitions)
		return;
	dag_scheduler_register_blocks(dag, r->index, r);
	switch (st->kind) {
	case STAGE_MAP:
		if (dag_scheduler_register_map_output(st, r, &cause) != 0) {
			reason = xasprintf("task %d of stage %d returned no usable map output: %s",
			                   r->index, st->id, cause);
			free(cause);
			dag_scheduler_job_fail(dag, reason);
			free(reason);
		}
		break;
	case STAGE_SAMPLE:
		dag_sample_add(st->shuffle, r->result);
		st->done[r->index] = true;
		break;
	case STAGE_RESULT:
		st->done[r->index] = true;
		if (dag->current->cb.partition_done != NULL)
			dag->current->cb.partition_done(dag->current->cb.arg, r->index, r);
		break;
	}
}

/* Every task of a stage's attempt succeeded. */
static void dag_scheduler_set_succeeded_cb(struct task_set *set, void *arg)
{
	struct stage *st = arg;
	struct dag_scheduler *dag = st->dag;
	int p;

	if (st->set == set) {
		task_set_counts(set, &st->last);
		task_set_free(set);
		st->set = NULL;
	}
	if (dag->current == NULL)
		return;
	st->state = STAGE_IDLE;
	if (st->kind == STAGE_SAMPLE) {
		for (p = 0; p < st->partitions; p++)
			if (!st->done[p])
				break;
		if (p == st->partitions && !st->shuffle->bounds_ready)
			dag_sample_compute_bounds(st->shuffle);
	}
	if (dag_scheduler_stage_complete(st)) {
		st->state = STAGE_DONE;
		st->fetch_failures = 0;
		st->completed_ms = time_now_ms();
		log_info("stage %d (%s) done after %d attempt%s", st->id, st->name, st->attempts,
		         st->attempts == 1 ? "" : "s");
		if (st->kind == STAGE_RESULT) {
			dag_scheduler_job_succeed(dag);
			return;
		}
	} else {
		/* Outputs were lost while it ran: compute them again. */
		dag_scheduler_submit(dag, st);
	}
	dag_scheduler_check_waiting(dag);
}

/* A task failed for good: the job fails. */
static void dag_scheduler_set_failed_cb(struct task_set *set, const char *reason, void *arg)
{
	struct stage *st = arg;

	dag_scheduler_job_fail(st->dag, reason);
}

/* Outputs on a node are gone: forget them, keep tasks off the node. */
static int dag_scheduler_lose_node(struct dag_scheduler *dag, const char *node)
{
	int i, lost = 0;

	for (i = 0; i < dag->n_shuffles; i++)
		lost += map_outputs_lose_node(dag->shuffles[i]->outputs, node);
	lost += dag_scheduler_lose_blocks(dag, node);
	if (lost > 0)
		log_warn("node %s: %d map output%s and blocks lost", node, lost,
		         lost == 1 ? "" : "s");
	return lost;
}

/* A task could not fetch its input (Spark's FetchFailed). */
static void dag_scheduler_fetch_failed_cb(struct task_set *set, const struct task_result *r,
                                          void *arg)
{
	struct stage *st = arg;
	struct dag_scheduler *dag = st->dag;
	const char *node = NULL, *message = NULL;
	char *reason;

	if (dag->current == NULL)
		return;
	if (r->result != NULL && r->result->has_fetch_failed) {
		node = r->result->fetch_failed.node;
		message = r->result->fetch_failed.message;
	}
	if (st->set == set) {
		/* This attempt of the stage is over; what finished counts. */
		task_set_counts(set, &st->last);
		task_set_free(set);
		st->set = NULL;
		st->state = STAGE_IDLE;
		st->fetch_failures++;
	}
	log_warn("stage %d (%s): task %d on executor %s could not fetch its input from %s: %s",
	         st->id, st->name, r->index, r->executor_id, node != NULL ? node : "?",
	         message != NULL ? message : "?");
	if (node != NULL) {
		dag_scheduler_lose_node(dag, node);
		task_scheduler_exclude_node(dag->ts, node);
	}
	if (st->fetch_failures >= DAG_MAX_STAGE_ATTEMPTS) {
		reason =
		        xasprintf("Stage %d (%s) has failed the maximum allowable number of times: "
		                  "%d. Most recent failure reason: fetch failed from %s: %s",
		                  st->id, st->name, DAG_MAX_STAGE_ATTEMPTS,
		                  node != NULL ? node : "?", message != NULL ? message : "?");
		dag_scheduler_job_fail(dag, reason);
		free(reason);
		return;
	}
	dag_scheduler_submit(dag, st);
	dag_scheduler_check_waiting(dag);
}

static const struct task_set_callbacks dag_scheduler_set_callbacks = {
        .task_succeeded = dag_scheduler_task_succeeded_cb,
        .succeeded = dag_scheduler_set_succeeded_cb,
        .failed = dag_scheduler_set_failed_cb,
        .fetch_failed = dag_scheduler_fetch_failed_cb,
};

/* ------------------------------------------------------------------ */
/* Jobs. */

/* Create the stages ds depends on, ancestors first, so that stage ids
 * follow the order in which stages can run (as Spark numbers them). */
static void dag_scheduler_create_ancestors(struct dag_scheduler *dag, struct dataset *ds)
{
	struct dataset *chain[DAG_MAX_CHAIN];
	struct shuffle *sh;
	int k;

	dag_scheduler_chain(dag, ds, chain);
	if (!dataset_is_wide(chain[0]) || dag_scheduler_fully_cached(dag, chain[0]))
		return;
	for (k = 0; k < chain[0]->n_parents; k++) {
		dag_scheduler_create_ancestors(dag, chain[0]->parents[k]);
		sh = dag_scheduler_shuffle(dag, chain[0], k);
		if (sh->map_stage != NULL)
			continue;
		if (sh->range && !sh->bounds_ready)
			dag_scheduler_sample_stage(dag, sh);
		dag_scheduler_map_stage(dag, sh);
	}
}

int dag_scheduler_run_job(struct dag_scheduler *dag, struct dataset *ds,
                          const struct dag_output *out, const struct dag_job_callbacks *cb)
{
	struct dag_job *job = xcalloc(1, sizeof *job);

	job->id = dag->n_jobs;
	job->ds = ds;
	job->kind = out->kind;
	job->save_dir = out->save_dir != NULL ? xstrdup(out->save_dir) : NULL;
	job->cb = *cb;
	job->state = "RUNNING";
	job->started_ms = time_now_ms();
	dag->jobs = xreallocarray(dag->jobs, (size_t)dag->n_jobs + 1, sizeof *dag->jobs);
	dag->jobs[dag->n_jobs++] = job;
	dag_scheduler_create_ancestors(dag, ds);
	job->result = dag_scheduler_stage_new(dag, STAGE_RESULT, ds, NULL);
	job->result->job = job->id;
	dag->current = job;
	log_info("job %d: %s of %s (%d partition%s)", job->id,
	         out->kind == ACTION_COLLECT ? "collect" : "save", ds->name, ds->partitions,
	         ds->partitions == 1 ? "" : "s");
	dag_scheduler_submit(dag, job->result);
	if (dag->current == job && job->result->state == STAGE_DONE)
		dag_scheduler_job_succeed(dag); /* nothing to compute (no partitions) */
	else
		dag_scheduler_check_waiting(dag);
	return job->id;
}

void dag_scheduler_cancel(struct dag_scheduler *dag)
{
	if (dag->current == NULL)
		return;
	dag->current->state = "CANCELLED";
	dag->current = NULL;
	dag_scheduler_stop_stages(dag);
}

void dag_scheduler_executor_removed(struct dag_scheduler *dag, const char *executor_id,
                                    const char *node, const char *reason)
{
	/* The RM reports the containers of a node it declared LOST with
	 * "Container released on a *lost* node": its NM serves nothing. */
	if (node == NULL || reason == NULL || strstr(reason, "lost* node") == NULL)
		return;
	log_warn("executor %s was on node %s, which the cluster lost", executor_id, node);
	if (dag_scheduler_lose_node(dag, node) > 0)
		task_scheduler_exclude_node(dag->ts, node);
	if (dag->current != NULL)
		dag_scheduler_check_waiting(dag);
}

int dag_scheduler_recomputed(const struct dag_scheduler *dag)
{
	return dag->recomputed;
}

/* One stage for the status page. */
static void dag_scheduler_stage_status(const struct stage *st, struct proto_driver_stage *o)
{
	struct task_set_counts c;
	int p, done = 0;

	if (st->set != NULL)
		task_set_counts(st->set, &c);
	else
		c = st->last;
	for (p = 0; p < st->partitions; p++)
		if (!dag_scheduler_partition_missing(st, p))
			done++;
	memset(o, 0, sizeof *o);
	o->stage_id = st->id;
	o->name = st->name;
	o->kind = stage_kind_names[st->kind];
	o->state = stage_state_names[st->state];
	o->dataset = st->final->name;
	o->shuffle_id = st->shuffle != NULL ? st->shuffle->id : -1;
	o->job_id = st->job >= 0 ? st->job : -1;
	o->attempts = st->attempts;
	o->num_tasks = st->partitions;
	o->num_complete = done;
	o->num_active = st->set != NULL ? c.running : 0;
	o->num_pending = st->set != NULL ? c.pending : 0;
	o->num_failed = c.failed;
	o->num_killed = c.killed;
	o->num_speculative = c.speculative;
	o->num_launched = st->tasks_launched;
	o->num_recomputed = st->recomputed;
	o->fetch_failures = st->fetch_failures;
	if (st->kind == STAGE_MAP) {
		o->has_shuffle_write = true;
		o->shuffle_write_bytes = map_outputs_bytes(st->shuffle->outputs);
		o->shuffle_write_records = st->records;
		o->spills = st->spills;
	}
	o->submission_ms = st->submitted_ms;
	o->completion_ms = st->completed_ms;
}

void dag_scheduler_status_fill(const struct dag_scheduler *dag, struct proto_driver_job *out)
{
	int i;

	memset(out, 0, sizeof *out);
	out->jobs = xcalloc((size_t)dag->n_jobs + 1, sizeof *out->jobs);
	out->stages = xcalloc((size_t)dag->n_stages + 1, sizeof *out->stages);
	for (i = 0; i < dag->n_jobs; i++) {
		const struct dag_job *job = dag->jobs[i];
		struct proto_driver_action *j = &out->jobs[i];

		j->job_id = job->id;
		j->action = job->kind == ACTION_COLLECT ? "collect" : "save";
		j->dataset = job->ds->name;
		j->state = job->state;
		j->result_stage_id = job->result->id;
		j->submission_ms = job->started_ms;
		j->completion_ms = job->finished_ms;
		j->failure_reason = job->failure;
	}
	out->n_jobs = dag->n_jobs;
	for (i = 0; i < dag->n_stages; i++)
		dag_scheduler_stage_status(dag->stages[i], &out->stages[i]);
	out->n_stages = dag->n_stages;
	out->recomputed_map_partitions = dag->recomputed;
}

struct json_object *dag_scheduler_status(const struct dag_scheduler *dag)
{
	struct proto_driver_job m;
	struct json_object *o;

	dag_scheduler_status_fill(dag, &m);
	o = proto_driver_job_encode(&m);
	proto_driver_job_clear(&m);
	return o;
}

void dag_scheduler_free(struct dag_scheduler *dag)
{
	int i, p;

	if (dag == NULL)
		return;
	dag->current = NULL;
	dag_scheduler_stop_stages(dag);
	for (i = 0; i < dag->n_stages; i++) {
		free(dag->stages[i]->done);
		free(dag->stages[i]->name);
		free(dag->stages[i]);
	}
	free(dag->stages);
	for (i = 0; i < dag->n_shuffles; i++) {
		struct shuffle *sh = dag->shuffles[i];

		dag_sample_free(sh);
		map_outputs_free(sh->outputs);
		free(sh);
	}
	free(dag->shuffles);
	for (i = 0; i < dag->l->n_datasets; i++) {
		int n = dag->l->datasets[i]->partitions > 0 ? dag->l->datasets[i]->partitions : 1;

		for (p = 0; p < n; p++)
			free(dag->blocks[i].node[p]);
		free(dag->blocks[i].node);
		free(dag->blocks[i].size);
	}
	free(dag->blocks);
	for (i = 0; i < dag->n_jobs; i++) {
		free(dag->jobs[i]->save_dir);
		free(dag->jobs[i]->failure);
		free(dag->jobs[i]);
	}
	free(dag->jobs);
	free(dag);
}
