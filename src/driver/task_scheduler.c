/*
 * task_scheduler.c — task sets onto executor slots (Spark's
 * TaskSchedulerImpl + TaskSetManager).
 *
 * Owns the task sets, their pending queues, the attempts running on each
 * executor and the scheduler's view of each executor (id, host, free
 * cores).  Scheduling is event-driven: every call that can free a slot or
 * queue a task ends by offering free slots to pending tasks, one task per
 * executor per round so work spreads over the executors.
 *
 * Retries: a failed attempt counts against its task and excludes that
 * executor for the task; the next attempt goes to an executor that has
 * not failed it, unless every live executor has.  An attempt lost with
 * its executor goes back to the queue without counting.
 *
 * Locality: a task may prefer a node (where its input is).  An executor
 * with a free slot takes, in set order, a pending task that prefers its
 * node, else one that prefers no node or a node without a free slot,
 * else any; per-node lists make finding a local task cheap.
 *
 * Speculation: see task_scheduler.h.  A copy is queued on its set's
 * speculative list and launched, after every ordinary pending task, on an
 * executor that does not run the task already.
 *
 * Lifetime: an attempt outlives its task set (a killed attempt still holds
 * its slot until the executor reports it gone); its task pointer is
 * cleared when the set is cancelled.  A set freed from inside one of its
 * own callbacks is destroyed when the callback returns (common/ref.h).
 */
#include "weft_config.h"

#include "driver/task_scheduler.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "common/daemon.h"
#include "common/log.h"
#include "common/ref.h"
#include "common/xmalloc.h"

enum task_state { TASK_PENDING, TASK_RUNNING, TASK_SUCCEEDED, TASK_FAILED };

struct task_attempt {
	int64_t task_id;
	int number;
	struct task *task; /* NULL once its set is cancelled */
	struct task_executor *executor;
	int64_t start_ms;
	bool killed; /* we asked the executor to kill it */
	TAILQ_ENTRY(task_attempt) executor_entry;
	TAILQ_ENTRY(task_attempt) task_entry; /* while task != NULL */
};

struct task {
	struct task_set *set;
	int64_t id;
	int index;
	const char *command; /* owned by the set (shared between tasks) */
	struct json_object *env;
	struct json_object *payload;
	char *preferred; /* node, or NULL */
	enum task_state state;
	int failures;
	int next_attempt;
	char **excluded; /* executor ids this task failed on */
	int n_excluded;
	char *last_failure; /* "(executor E on host H): exit code ..." */
	bool queued;
	bool speculated; /* a copy was queued (once per task) */
	bool spec_queued;
	TAILQ_HEAD(, task_attempt) attempts; /* running */
	TAILQ_ENTRY(task) queue_entry;
	TAILQ_ENTRY(task) spec_entry;
};

/* Pending tasks that prefer one node (lazily pruned). */
struct node_queue {
	char *node;
	int *tasks; /* indexes into the set's tasks */
	int n, cap, next;
};

struct task_set {
	struct task_scheduler *ts;
	char *name;
	struct task *tasks;
	int n;
	char **commands; /* distinct command copies */
	int n_commands;
	int succeeded;
	struct task_set_callbacks cb;
	void *arg;
	bool active;    /* in ts->sets: may still launch and call back */
	struct ref ref; /* the owner's (task_set_free kills it); held by callbacks */
	bool has_preferences;
	struct node_queue *nodes;
	int n_nodes;
	int64_t *durations; /* of succeeded tasks, ms */
	int n_durations;
	int failed_attempts;
	int killed_attempts;
	int speculative;
	int running; /* tasks with a running attempt */
	TAILQ_HEAD(, task) pending;
	TAILQ_HEAD(, task) spec_pending;
	TAILQ_ENTRY(task_set) entry;
};

struct task_executor {
	char *id;
	char *host;
	char *node;
	int cores;
	int free;
	bool disabled;
	int succeeded;
	int failed;
	int64_t idle_since_ms;
	void *handle;
	TAILQ_HEAD(, task_attempt) running;
	TAILQ_ENTRY(task_executor) entry;
};

struct task_scheduler {
	int max_failures;
	struct task_backend backend;
	int64_t next_task_id;
	int n_pending;
	int n_running;
	int n_spec_pending;
	int64_t n_succeeded; /* tasks, over all sets */
	int64_t n_failed;    /* failed attempts, over all sets */
	bool scheduling;
	bool speculation;
	char **excluded_nodes;
	int n_excluded_nodes;
	TAILQ_HEAD(, task_set) sets;
	TAILQ_HEAD(, task_executor) executors;
};

static void task_scheduler_schedule(struct task_scheduler *ts);

/* A scheduler with no executors and no work. */
struct task_scheduler *task_scheduler_new(int max_failures, const struct task_backend *backend)
{
	struct task_scheduler *ts;

	ts = xcalloc(1, sizeof *ts);
	ts->max_failures = max_failures >= 1 ? max_failures : 4;
	ts->backend = *backend;
	TAILQ_INIT(&ts->sets);
	TAILQ_INIT(&ts->executors);
	return ts;
}

/* Forget an attempt everywhere and free it (the slot comes back). */
static void task_attempt_remove(struct task_scheduler *ts, struct task_attempt *a)
{
	TAILQ_REMOVE(&a->executor->running, a, executor_entry);
	a->executor->free++;
	if (TAILQ_EMPTY(&a->executor->running))
		a->executor->idle_since_ms = time_mono_ms();
	ts->n_running--;
	if (a->task != NULL) {
		TAILQ_REMOVE(&a->task->attempts, a, task_entry);
		if (TAILQ_EMPTY(&a->task->attempts))
			a->task->set->running--;
	}
	free(a);
}

/* Take a task off its set's speculative list. */
static void task_unqueue_speculative(struct task_scheduler *ts, struct task *t)
{
	if (!t->spec_queued)
		return;
	TAILQ_REMOVE(&t->set->spec_pending, t, spec_entry);
	t->spec_queued = false;
	ts->n_spec_pending--;
}

/* Detach every attempt of a task from it, asking executors to kill them. */
static void task_kill_attempts(struct task_scheduler *ts, struct task *t)
{
	struct task_attempt *a;

	task_unqueue_speculative(ts, t);
	if (!TAILQ_EMPTY(&t->attempts))
		t->set->running--;
	while ((a = TAILQ_FIRST(&t->attempts)) != NULL) {
		TAILQ_REMOVE(&t->attempts, a, task_entry);
		a->task = NULL;
		t->set->killed_attempts++;
		if (!a->killed) {
			a->killed = true;
			ts->backend.kill(a->executor->handle, a->task_id, a->number,
			                 ts->backend.arg);
		}
	}
}

/* Release everything a set holds (not its attempts: see task_set_cancel). */
static void task_set_destroy(struct task_set *set)
{
	int i, j;

	for (i = 0; i < set->n; i++) {
		struct task *t = &set->tasks[i];

		if (t->env != NULL)
			json_object_put(t->env);
		if (t->payload != NULL)
			json_object_put(t->payload);
		free(t->preferred);
		for (j = 0; j < t->n_excluded; j++)
			free(t->excluded[j]);
		free(t->excluded);
		free(t->last_failure);
	}
	for (i = 0; i < set->n_commands; i++)
		free(set->commands[i]);
	for (i = 0; i < set->n_nodes; i++) {
		free(set->nodes[i].node);
		free(set->nodes[i].tasks);
	}
	free(set->nodes);
	free(set->durations);
	free(set->commands);
	free(set->tasks);
	free(set->name);
	free(set);
}

/* Stop a set: see task_scheduler.h. */
void task_set_cancel(struct task_set *set)
{
	struct task_scheduler *ts = set->ts;
	struct task *t;
	int i;

	if (!set->active)
		return;
	set->active = false;
	TAILQ_REMOVE(&ts->sets, set, entry);
	while ((t = TAILQ_FIRST(&set->pending)) != NULL) {
		TAILQ_REMOVE(&set->pending, t, queue_entry);
		t->queued = false;
		ts->n_pending--;
	}
	for (i = 0; i < set->n; i++)
		task_kill_attempts(ts, &set->tasks[i]);
}

/* Whether a set may still launch and call back. */
bool task_set_active(const struct task_set *set)
{
	return set->active;
}

/* What a set's tasks are doing. */
void task_set_counts(const struct task_set *set, struct task_set_counts *c)
{
	int i;

	memset(c, 0, sizeof *c);
	c->total = set->n;
	c->succeeded = set->succeeded;
	c->failed = set->failed_attempts;
	c->killed = set->killed_attempts;
	c->speculative = set->speculative;
	c->running = set->running;
	for (i = 0; i < set->n; i++)
		if (set->tasks[i].queued)
			c->pending++;
}

/* Cancel and free, or defer the free while the set's callback runs. */
void task_set_free(struct task_set *set)
{
	if (set == NULL)
		return;
	task_set_cancel(set);
	if (ref_kill(&set->ref))
		task_set_destroy(set);
}

/* Around a callback: RET false when the set was freed inside it (then it
 * is gone, or goes when the outermost callback returns). */
static void task_set_enter(struct task_set *set)
{
	ref_hold(&set->ref);
}

static bool task_set_leave(struct task_set *set)
{
	bool dead = ref_dead(&set->ref);

	if (ref_release(&set->ref))
		task_set_destroy(set);
	return !dead;
}

/* Everything the scheduler still holds. */
void task_scheduler_free(struct task_scheduler *ts)
{
	struct task_executor *e;
	struct task_attempt *a;
	struct task_set *set;

	if (ts == NULL)
		return;
	/* Owners should have freed their sets; detach what is left so a late
	 * task_set_free() only frees memory. */
	while ((set = TAILQ_FIRST(&ts->sets)) != NULL) {
		int i;

		set->active = false;
		TAILQ_REMOVE(&ts->sets, set, entry);
		for (i = 0; i < set->n; i++) {
			while ((a = TAILQ_FIRST(&set->tasks[i].attempts)) != NULL) {
				TAILQ_REMOVE(&set->tasks[i].attempts, a, task_entry);
				a->task = NULL;
			}
		}
	}
	while ((e = TAILQ_FIRST(&ts->executors)) != NULL) {
		while ((a = TAILQ_FIRST(&e->running)) != NULL) {
			TAILQ_REMOVE(&e->running, a, executor_entry);
			free(a);
		}
		TAILQ_REMOVE(&ts->executors, e, entry);
		free(e->id);
		free(e->host);
		free(e->node);
		free(e);
	}
	for (int i = 0; i < ts->n_excluded_nodes; i++)
		free(ts->excluded_nodes[i]);
	free(ts->excluded_nodes);
	free(ts);
}

/* Put a task (back) in its set's queue; retries go first. */
static void task_enqueue(struct task_scheduler *ts, struct task *t, bool front)
{
	if (t->queued)
		return;
	task_unqueue_speculative(ts, t);
	t->state = TASK_PENDING;
	t->queued = true;
	if (front)
		TAILQ_INSERT_HEAD(&t->set->pending, t, queue_entry);
	else
		TAILQ_INSERT_TAIL(&t->set->pending, t, queue_entry);
	ts->n_pending++;
	if (t->preferred != NULL) {
		struct task_set *set = t->set;
		struct node_queue *q = NULL;
		int i;

		for (i = 0; i < set->n_nodes && q == NULL; i++)
			if (strcmp(set->nodes[i].node, t->preferred) == 0)
				q = &set->nodes[i];
		if (q == NULL) {
			set->nodes = xreallocarray(set->nodes, (size_t)set->n_nodes + 1,
			                           sizeof *set->nodes);
			q = &set->nodes[set->n_nodes++];
			memset(q, 0, sizeof *q);
			q->node = xstrdup(t->preferred);
		}
		if (front && q->next > 0) {
			q->tasks[--q->next] = (int)(t - set->tasks);
			return;
		}
		if (q->n == q->cap) {
			q->cap = q->cap == 0 ? 16 : q->cap * 2;
			q->tasks = xreallocarray(q->tasks, (size_t)q->cap, sizeof *q->tasks);
		}
		q->tasks[q->n++] = (int)(t - set->tasks);
	}
}

/* Whether task t failed on the executor named id. */
static bool task_excludes(const struct task *t, const char *id)
{
	int i;

	for (i = 0; i < t->n_excluded; i++) {
		if (strcmp(t->excluded[i], id) == 0)
			return true;
	}
	return false;
}

/* Whether t may run on e: not on an executor it failed on, unless every
 * live executor is one ("on another executor where possible"). */
static bool task_scheduler_eligible(struct task_scheduler *ts, const struct task *t,
                                    const struct task_executor *e)
{
	struct task_executor *other;

	if (t->n_excluded == 0 || !task_excludes(t, e->id))
		return true;
	TAILQ_FOREACH(other, &ts->executors, entry)
	{
		if (!task_excludes(t, other->id))
			return false;
	}
	return true;
}

/* Whether the node named node is excluded. */
static bool task_scheduler_node_excluded(const struct task_scheduler *ts, const char *node)
{
	int i;

	for (i = 0; i < ts->n_excluded_nodes; i++)
		if (strcmp(ts->excluded_nodes[i], node) == 0)
			return true;
	return false;
}

/* Whether e takes tasks: enabled, and not on an excluded node unless no
 * executor elsewhere could take them. */
static bool task_scheduler_usable(const struct task_scheduler *ts, const struct task_executor *e)
{
	const struct task_executor *other;

	if (e->disabled)
		return false;
	if (ts->n_excluded_nodes == 0 || !task_scheduler_node_excluded(ts, e->node))
		return true;
	TAILQ_FOREACH(other, &ts->executors, entry)
	{
		if (!other->disabled && !task_scheduler_node_excluded(ts, other->node))
			return false;
	}
	return true;
}

/* Whether some usable executor on node has a free slot. */
static bool task_scheduler_node_has_slot(const struct task_scheduler *ts, const char *node)
{
	const struct task_executor *e;

	TAILQ_FOREACH(e, &ts->executors, entry)
	{
		if (e->free > 0 && strcmp(e->node, node) == 0 && task_scheduler_usable(ts, e))
			return true;
	}
	return false;
}

/* A pending task of set that prefers e's node, or NULL. */
static struct task *task_scheduler_pick_local(struct task_scheduler *ts, struct task_set *set,
                                              const struct task_executor *e)
{
	struct node_queue *q = NULL;
	struct task *t;
	int i;

	for (i = 0; i < set->n_nodes && q == NULL; i++)
		if (strcmp(set->nodes[i].node, e->node) == 0)
			q = &set->nodes[i];
	if (q == NULL)
		return NULL;
	for (i = q->next; i < q->n; i++) {
		t = &set->tasks[q->tasks[i]];
		if (!t->queued || t->preferred == NULL || strcmp(t->preferred, e->node) != 0) {
			if (i == q->next)
				q->next++; /* launched or re-queued elsewhere: prune */
			continue;
		}
		if (task_scheduler_eligible(ts, t, e))
			return t;
	}
	return NULL;
}

/* The pending task e should run: in set order, a local one, else one
 * that prefers nothing or a node with no free slot, else any. */
static struct task *task_scheduler_pick(struct task_scheduler *ts, const struct task_executor *e)
{
	struct task_set *set;
	struct task *t, *fallback;
	int scanned;

	TAILQ_FOREACH(set, &ts->sets, entry)
	{
		if (TAILQ_EMPTY(&set->pending))
			continue;
		if (!set->has_preferences) {
			TAILQ_FOREACH(t, &set->pending, queue_entry)
			{
				if (task_scheduler_eligible(ts, t, e))
					return t;
			}
			continue;
		}
		t = task_scheduler_pick_local(ts, set, e);
		if (t != NULL)
			return t;
		fallback = NULL;
		scanned = 0;
		TAILQ_FOREACH(t, &set->pending, queue_entry)
		{
			if (!task_scheduler_eligible(ts, t, e))
				continue;
			if (t->preferred == NULL || !task_scheduler_node_has_slot(ts, t->preferred))
				return t;
			if (fallback == NULL)
				fallback = t;
			if (++scanned >= 64)
				break; /* bound the work per slot */
		}
		if (fallback != NULL)
			return fallback;
	}
	return NULL;
}

/* A queued speculative copy e may run: not where the task runs now. */
static struct task *task_scheduler_pick_speculative(struct task_scheduler *ts,
                                                    const struct task_executor *e)
{
	struct task_attempt *a;
	struct task_set *set;
	struct task *t;
	bool here;

	TAILQ_FOREACH(set, &ts->sets, entry)
	{
		TAILQ_FOREACH(t, &set->spec_pending, spec_entry)
		{
			here = false;
			TAILQ_FOREACH(a, &t->attempts, task_entry)
			{
				if (a->executor == e)
					here = true;
			}
			if (!here && !task_excludes(t, e->id))
				return t;
		}
	}
	return NULL;
}

/* Start the next attempt of t on e. */
static void task_scheduler_launch(struct task_scheduler *ts, struct task *t,
                                  struct task_executor *e)
{
	struct task_launch launch;
	struct task_attempt *a;

	if (t->queued) {
		TAILQ_REMOVE(&t->set->pending, t, queue_entry);
		t->queued = false;
		ts->n_pending--;
	} else {
		/* A speculative copy of a running task. */
		task_unqueue_speculative(ts, t);
		t->set->speculative++;
	}

	a = xcalloc(1, sizeof *a);
	a->task_id = t->id;
	a->number = t->next_attempt++;
	a->task = t;
	a->executor = e;
	a->start_ms = time_mono_ms();
	if (TAILQ_EMPTY(&t->attempts))
		t->set->running++;
	TAILQ_INSERT_TAIL(&e->running, a, executor_entry);
	TAILQ_INSERT_TAIL(&t->attempts, a, task_entry);
	e->free--;
	e->idle_since_ms = 0;
	ts->n_running++;
	t->state = TASK_RUNNING;

	log_debug("starting task %d (TID %" PRId64 ", attempt %d) on executor %s (%s)%s", t->index,
	          t->id, a->number, e->id, e->node,
	          t->preferred == NULL                 ? ""
	          : strcmp(t->preferred, e->node) == 0 ? ", node-local"
	                                               : ", not local");
	launch.task_id = t->id;
	launch.attempt = a->number;
	launch.index = t->index;
	launch.command = t->command;
	launch.env = t->env;
	launch.payload = t->payload;
	ts->backend.launch(e->handle, &launch, ts->backend.arg);
}

/* Offer every free slot to the pending tasks, round-robin over executors
 * so that tasks spread out. */
static void task_scheduler_schedule(struct task_scheduler *ts)
{
	struct task_executor *e;
	struct task *t;
	bool progress = true;

	if (ts->scheduling)
		return; /* the outer pass picks new work up */
	ts->scheduling = true;
	while (progress && (ts->n_pending > 0 || ts->n_spec_pending > 0)) {
		progress = false;
		TAILQ_FOREACH(e, &ts->executors, entry)
		{
			if (e->free <= 0 || !task_scheduler_usable(ts, e))
				continue;
			t = ts->n_pending > 0 ? task_scheduler_pick(ts, e) : NULL;
			if (t == NULL && ts->n_spec_pending > 0)
				t = task_scheduler_pick_speculative(ts, e);
			if (t == NULL)
				continue;
			task_scheduler_launch(ts, t, e);
			progress = true;
		}
	}
	ts->scheduling = false;
}

/* A new executor's cores become slots. */
struct task_executor *task_scheduler_executor_added(struct task_scheduler *ts, const char *id,
                                                    const char *host, const char *node, int cores,
                                                    void *handle)
{
	struct task_executor *e;

	e = xcalloc(1, sizeof *e);
	e->id = xstrdup(id);
	e->host = xstrdup(host);
	e->node = xstrdup(node != NULL ? node : host);
	e->idle_since_ms = time_mono_ms();
	e->cores = cores;
	e->free = cores;
	e->handle = handle;
	TAILQ_INIT(&e->running);
	TAILQ_INSERT_TAIL(&ts->executors, e, entry);
	task_scheduler_schedule(ts);
	return e;
}

/* An executor is gone: its tasks run again elsewhere, uncounted. */
void task_scheduler_executor_lost(struct task_scheduler *ts, struct task_executor *e,
                                  const char *reason)
{
	struct task_attempt *a;
	struct task *t;

	TAILQ_REMOVE(&ts->executors, e, entry);
	while ((a = TAILQ_FIRST(&e->running)) != NULL) {
		t = a->task;
		TAILQ_REMOVE(&e->running, a, executor_entry);
		ts->n_running--;
		if (t != NULL) {
			TAILQ_REMOVE(&t->attempts, a, task_entry);
			if (TAILQ_EMPTY(&t->attempts))
				t->set->running--;
			if (t->state == TASK_RUNNING && TAILQ_EMPTY(&t->attempts)) {
				task_unqueue_speculative(ts, t);
				log_info("task %d (TID %" PRId64
				         ", attempt %d) was running on lost "
				         "executor %s: queued again",
				         t->index, t->id, a->number, e->id);
				task_enqueue(ts, t, true);
			}
		}
		free(a);
	}
	log_info("executor %s on %s removed: %s", e->id, e->host, reason);
	free(e->id);
	free(e->host);
	free(e->node);
	free(e);
	task_scheduler_schedule(ts);
}

/* An executor being released takes no new task. */
void task_scheduler_executor_disable(struct task_scheduler *ts, struct task_executor *e)
{
	e->disabled = true;
}

/* A node stopped serving shuffle data: prefer executors elsewhere. */
void task_scheduler_exclude_node(struct task_scheduler *ts, const char *node)
{
	if (task_scheduler_node_excluded(ts, node))
		return;
	ts->excluded_nodes = xreallocarray(ts->excluded_nodes, (size_t)ts->n_excluded_nodes + 1,
	                                   sizeof *ts->excluded_nodes);
	ts->excluded_nodes[ts->n_excluded_nodes++] = xstrdup(node);
	log_warn("node %s excluded: tasks go to executors on other nodes", node);
}

/* The first success of a task: record it, tell the owner. */
static void task_scheduler_task_succeeded(struct task_scheduler *ts, struct task *t,
                                          const char *executor_id, const char *host,
                                          const char *node, int attempt, int64_t duration_ms,
                                          const struct task_status *st)
{
	struct task_set *set = t->set;
	struct task_result result;

	if (t->state != TASK_RUNNING)
		return;
	t->state = TASK_SUCCEEDED;
	set->succeeded++;
	ts->n_succeeded++;
	set->durations =
	        xreallocarray(set->durations, (size_t)set->n_durations + 1, sizeof *set->durations);
	set->durations[set->n_durations++] = duration_ms;
	task_kill_attempts(ts, t); /* a speculative copy, if any */

	memset(&result, 0, sizeof result);
	result.index = t->index;
	result.attempt = attempt;
	result.executor_id = executor_id;
	result.host = host;
	result.stdout_data = st->stdout_data != NULL ? st->stdout_data : "";
	result.stdout_len = st->stdout_data != NULL ? st->stdout_len : 0;
	result.stdout_truncated = st->stdout_truncated;
	result.stdout_size = st->stdout_size;
	result.stderr_tail = st->stderr_tail != NULL ? st->stderr_tail : "";
	result.node = node;
	result.result = st->result;
	result.duration_ms = duration_ms;
	log_debug("task %d (TID %" PRId64 ", attempt %d) finished on executor %s in %" PRId64 " ms",
	          t->index, t->id, attempt, executor_id, duration_ms);

	task_set_enter(set);
	if (set->cb.task_succeeded != NULL)
		set->cb.task_succeeded(set, &result, set->arg);
	if (!task_set_leave(set))
		return;
	if (set->active && set->succeeded == set->n) {
		set->active = false;
		TAILQ_REMOVE(&ts->sets, set, entry);
		task_set_enter(set);
		if (set->cb.succeeded != NULL)
			set->cb.succeeded(set, set->arg);
		task_set_leave(set);
	}
}

/* A failed attempt: count it, retry elsewhere, or fail the set. */
static void task_scheduler_task_failed(struct task_scheduler *ts, struct task *t,
                                       const char *executor_id, const char *host, int attempt,
                                       const char *what)
{
	struct task_set *set = t->set;
	char *reason;

	if (t->state != TASK_RUNNING)
		return;
	t->failures++;
	set->failed_attempts++;
	ts->n_failed++;
	if (!task_excludes(t, executor_id)) {
		t->excluded =
		        xreallocarray(t->excluded, (size_t)t->n_excluded + 1, sizeof *t->excluded);
		t->excluded[t->n_excluded++] = xstrdup(executor_id);
	}
	free(t->last_failure);
	t->last_failure = xasprintf("(executor %s on host %s): %s", executor_id, host, what);
	log_warn("task %d (TID %" PRId64 ", attempt %d) failed (%d of %d) on executor %s (%s): %s",
	         t->index, t->id, attempt, t->failures, ts->max_failures, executor_id, host, what);

	if (t->failures < ts->max_failures) {
		if (TAILQ_EMPTY(&t->attempts))
			task_enqueue(ts, t, true);
		return;
	}
	t->state = TASK_FAILED;
	if (set->name != NULL)
		reason = xasprintf("Task %d in %s failed %d times; most recent failure %s",
		                   t->index, set->name, t->failures, t->last_failure);
	else
		reason = xasprintf("Task %d failed %d times; most recent failure %s", t->index,
		                   t->failures, t->last_failure);
	task_set_cancel(set);
	task_set_enter(set);
	if (set->cb.failed != NULL)
		set->cb.failed(set, reason, set->arg);
	task_set_leave(set);
	free(reason);
}

/* An attempt could not fetch its input: the owner recomputes it. */
static void task_scheduler_fetch_failed(struct task_scheduler *ts, struct task *t,
                                        const char *executor_id, const char *host, const char *node,
                                        const struct task_status *st)
{
	struct task_set *set = t->set;
	struct task_result result;

	if (t->state != TASK_RUNNING)
		return;
	log_warn("task %d (TID %" PRId64 ", attempt %d) on executor %s (%s) could not fetch its "
	         "input",
	         t->index, t->id, st->attempt, executor_id, host);
	t->state = TASK_FAILED;
	memset(&result, 0, sizeof result);
	result.index = t->index;
	result.attempt = st->attempt;
	result.executor_id = executor_id;
	result.host = host;
	result.node = node;
	result.stdout_data = "";
	result.stderr_tail = st->stderr_tail != NULL ? st->stderr_tail : "";
	result.result = st->result;
	task_set_enter(set);
	set->cb.fetch_failed(set, &result, set->arg);
	task_set_leave(set);
}

/* How a failed attempt reads in a job's diagnostics. */
static char *task_scheduler_describe_failure(const struct task_status *st)
{
	const char *tail = st->stderr_tail != NULL ? st->stderr_tail : "";
	size_t len = strlen(tail);

	/* Trailing newlines add nothing to a one-line diagnostic. */
	while (len > 0 && (tail[len - 1] == '\n' || tail[len - 1] == '\r'))
		len--;
	if (st->state == TASK_REPORT_KILLED)
		return len > 0 ? xasprintf("killed; stderr tail: %.*s", (int)len, tail)
		               : xstrdup("killed");
	if (len == 0)
		return xasprintf("exit code %d", st->exit_code);
	return xasprintf("exit code %d; stderr tail: %.*s", st->exit_code, (int)len, tail);
}

/* A status report from e; see task_scheduler.h. */
int task_scheduler_status(struct task_scheduler *ts, struct task_executor *e,
                          const struct task_status *st, char **cause)
{
	struct task_attempt *a;
	struct task *t;
	char *executor_id, *host, *node, *what;
	int64_t duration_ms;
	bool killed;

	TAILQ_FOREACH(a, &e->running, executor_entry)
	{
		if (a->task_id == st->task_id && a->number == st->attempt)
			break;
	}
	if (a == NULL) {
		log_debug("executor %s: ignoring a report about TID %" PRId64
		          " attempt %d, not running there",
		          e->id, st->task_id, st->attempt);
		return 0;
	}
	if (st->state == TASK_REPORT_RUNNING)
		return 0;
	if (st->state == TASK_REPORT_FINISHED && st->exit_code != 0)
		return set_cause(cause, "TID %" PRId64 ": FINISHED with exit code %d", st->task_id,
		                 st->exit_code);

	t = a->task;
	killed = a->killed;
	duration_ms = time_mono_ms() - a->start_ms;
	task_attempt_remove(ts, a);
	if (t == NULL) {
		/* Its set was cancelled or a copy of it already won. */
		task_scheduler_schedule(ts);
		return 0;
	}

	/* Callbacks may free the task's set, and with a cancelled set the
	 * executor record stays valid, but keep copies to be safe. */
	executor_id = xstrdup(e->id);
	host = xstrdup(e->host);
	node = xstrdup(e->node);
	switch (st->state) {
	case TASK_REPORT_FINISHED:
		e->succeeded++;
		task_scheduler_task_succeeded(ts, t, executor_id, host, node, st->attempt,
		                              duration_ms, st);
		break;
	case TASK_REPORT_KILLED:
	case TASK_REPORT_FAILED:
		/* A kill we asked for is no failure; one nobody asked for is. */
		if (st->state == TASK_REPORT_KILLED && killed)
			break;
		e->failed++;
		if (st->state == TASK_REPORT_FAILED && st->result != NULL &&
		    st->result->has_fetch_failed && t->set->cb.fetch_failed != NULL) {
			task_scheduler_fetch_failed(ts, t, executor_id, host, node, st);
			break;
		}
		what = task_scheduler_describe_failure(st);
		task_scheduler_task_failed(ts, t, executor_id, host, st->attempt, what);
		free(what);
		break;
	case TASK_REPORT_RUNNING:
		break;
	}
	free(executor_id);
	free(host);
	free(node);
	task_scheduler_schedule(ts);
	return 0;
}

/* Queue a new set of tasks. */
struct task_set *task_scheduler_submit(struct task_scheduler *ts, const char *name,
                                       const struct task_spec *specs, int n,
                                       const struct task_set_callbacks *cb, void *arg)
{
	struct task_set *set;
	int i;

	set = xcalloc(1, sizeof *set);
	ref_init(&set->ref);
	set->ts = ts;
	set->name = name != NULL ? xstrdup(name) : NULL;
	set->n = n;
	set->tasks = xcalloc(n > 0 ? (size_t)n : 1, sizeof *set->tasks);
	set->commands = xcalloc(n > 0 ? (size_t)n : 1, sizeof *set->commands);
	set->cb = *cb;
	set->arg = arg;
	set->active = true;
	TAILQ_INIT(&set->pending);
	TAILQ_INIT(&set->spec_pending);
	TAILQ_INSERT_TAIL(&ts->sets, set, entry);

	for (i = 0; i < n; i++) {
		struct task *t = &set->tasks[i];

		t->set = set;
		t->id = ts->next_task_id++;
		t->index = specs[i].index;
		/* Tasks usually share one command: keep one copy of it. */
		if (specs[i].command == NULL)
			t->command = NULL;
		else if (i > 0 && specs[i].command == specs[i - 1].command)
			t->command = set->tasks[i - 1].command;
		else {
			set->commands[set->n_commands] = xstrdup(specs[i].command);
			t->command = set->commands[set->n_commands++];
		}
		t->env = specs[i].env != NULL ? json_object_get(specs[i].env) : NULL;
		t->payload = specs[i].payload != NULL ? json_object_get(specs[i].payload) : NULL;
		if (specs[i].preferred_node != NULL) {
			t->preferred = xstrdup(specs[i].preferred_node);
			set->has_preferences = true;
		}
		TAILQ_INIT(&t->attempts);
		task_enqueue(ts, t, false);
	}
	log_info("submitted %d task%s%s%s", n, n == 1 ? "" : "s", name != NULL ? " of " : "",
	         name != NULL ? name : "");
	if (n == 0) {
		/* Nothing to run: the set is done at once. */
		set->active = false;
		TAILQ_REMOVE(&ts->sets, set, entry);
		return set;
	}
	task_scheduler_schedule(ts);
	return set;
}

/* Tasks waiting for a slot. */
int task_scheduler_pending_count(const struct task_scheduler *ts)
{
	return ts->n_pending;
}

/* Attempts holding a slot (including ones being killed). */
int task_scheduler_running_count(const struct task_scheduler *ts)
{
	return ts->n_running;
}

/* Tasks that succeeded, and attempts that failed, over all sets. */
int64_t task_scheduler_succeeded_count(const struct task_scheduler *ts)
{
	return ts->n_succeeded;
}

int64_t task_scheduler_failed_count(const struct task_scheduler *ts)
{
	return ts->n_failed;
}

/* Slots over all executors that take tasks. */
int task_scheduler_slot_count(const struct task_scheduler *ts)
{
	const struct task_executor *e;
	int n = 0;

	TAILQ_FOREACH(e, &ts->executors, entry)
	{
		if (!e->disabled)
			n += e->cores;
	}
	return n;
}

void task_scheduler_set_speculation(struct task_scheduler *ts, bool on)
{
	ts->speculation = on;
}

static int task_scheduler_compare_ms(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Queue copies of the stragglers of every set; see task_scheduler.h. */
int task_scheduler_speculate(struct task_scheduler *ts)
{
	struct task_set *set;
	struct task_attempt *a;
	int64_t now = time_mono_ms(), median, threshold, *sorted;
	int i, queued = 0, need;

	if (!ts->speculation)
		return 0;
	TAILQ_FOREACH(set, &ts->sets, entry)
	{
		need = (int)(SPECULATION_QUANTILE * set->n);
		if (need < 1)
			need = 1;
		if (set->succeeded < need || set->n_durations == 0 || set->succeeded == set->n)
			continue;
		sorted = xmalloc((size_t)set->n_durations * sizeof *sorted);
		memcpy(sorted, set->durations, (size_t)set->n_durations * sizeof *sorted);
		qsort(sorted, (size_t)set->n_durations, sizeof *sorted, task_scheduler_compare_ms);
		median = sorted[set->n_durations / 2];
		free(sorted);
		threshold = (int64_t)(SPECULATION_MULTIPLIER * (double)median);
		if (threshold < SPECULATION_MIN_MS)
			threshold = SPECULATION_MIN_MS;
		for (i = 0; i < set->n; i++) {
			struct task *t = &set->tasks[i];

			if (t->state != TASK_RUNNING || t->speculated || t->queued)
				continue;
			a = TAILQ_FIRST(&t->attempts);
			if (a == NULL || TAILQ_NEXT(a, task_entry) != NULL ||
			    now - a->start_ms <= threshold)
				continue;
			t->speculated = true;
			t->spec_queued = true;
			TAILQ_INSERT_TAIL(&set->spec_pending, t, spec_entry);
			ts->n_spec_pending++;
			queued++;
			log_info("task %d (TID %" PRId64 ") has run %" PRId64
			         " ms, more than %.1fx the "
			         "median %" PRId64
			         " ms of %d finished: queueing a speculative copy",
			         t->index, t->id, now - a->start_ms, SPECULATION_MULTIPLIER, median,
			         set->n_durations);
		}
	}
	if (queued > 0)
		task_scheduler_schedule(ts);
	return queued;
}

/* Every executor, for status pages and dynamic allocation. */
void task_scheduler_each_executor(const struct task_scheduler *ts,
                                  void (*fn)(const struct task_executor_info *info, void *arg),
                                  void *arg)
{
	const struct task_executor *e;
	struct task_executor_info info;

	TAILQ_FOREACH(e, &ts->executors, entry)
	{
		info.id = e->id;
		info.host = e->host;
		info.node = e->node;
		info.cores = e->cores;
		info.running = e->cores - e->free;
		info.succeeded = e->succeeded;
		info.failed = e->failed;
		info.disabled = e->disabled;
		info.idle_since_ms = TAILQ_EMPTY(&e->running) ? e->idle_since_ms : 0;
		info.handle = e->handle;
		fn(&info, arg);
	}
}
