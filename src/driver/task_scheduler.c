/*
 * task_scheduler.c — task sets onto executor slots (Spark's
 * TaskSchedulerImpl + TaskSetManager, without locality for now).
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
 * Lifetime: an attempt outlives its task set (a killed attempt still holds
 * its slot until the executor reports it gone); its task pointer is
 * cleared when the set is cancelled.  A set freed from inside one of its
 * own callbacks is destroyed when the callback returns.
 */
#include "driver/task_scheduler.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "common/log.h"
#include "common/xmalloc.h"

enum task_state { TASK_PENDING, TASK_RUNNING, TASK_SUCCEEDED, TASK_FAILED };

struct task_attempt {
	int64_t task_id;
	int number;
	struct task *task; /* NULL once its set is cancelled */
	struct task_executor *executor;
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
	enum task_state state;
	int failures;
	int next_attempt;
	char **excluded; /* executor ids this task failed on */
	int n_excluded;
	char *last_failure; /* "(executor E on host H): exit code ..." */
	bool queued;
	TAILQ_HEAD(, task_attempt) attempts; /* running */
	TAILQ_ENTRY(task) queue_entry;
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
	bool active; /* in ts->sets: may still launch and call back */
	int in_callback;
	bool free_requested;
	TAILQ_HEAD(, task) pending;
	TAILQ_ENTRY(task_set) entry;
};

struct task_executor {
	char *id;
	char *host;
	int cores;
	int free;
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
	bool scheduling;
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
	ts->n_running--;
	if (a->task != NULL)
		TAILQ_REMOVE(&a->task->attempts, a, task_entry);
	free(a);
}

/* Detach every attempt of a task from it, asking executors to kill them. */
static void task_kill_attempts(struct task_scheduler *ts, struct task *t)
{
	struct task_attempt *a;

	while ((a = TAILQ_FIRST(&t->attempts)) != NULL) {
		TAILQ_REMOVE(&t->attempts, a, task_entry);
		a->task = NULL;
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
		for (j = 0; j < t->n_excluded; j++)
			free(t->excluded[j]);
		free(t->excluded);
		free(t->last_failure);
	}
	for (i = 0; i < set->n_commands; i++)
		free(set->commands[i]);
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

/* Cancel and free, or defer the free while the set's callback runs. */
void task_set_free(struct task_set *set)
{
	if (set == NULL)
		return;
	task_set_cancel(set);
	if (set->in_callback > 0) {
		set->free_requested = true;
		return;
	}
	task_set_destroy(set);
}

/* Around a callback: RET false when the set was freed inside it. */
static void task_set_enter(struct task_set *set)
{
	set->in_callback++;
}

static bool task_set_leave(struct task_set *set)
{
	set->in_callback--;
	if (set->in_callback == 0 && set->free_requested) {
		task_set_destroy(set);
		return false;
	}
	return true;
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
		free(e);
	}
	free(ts);
}

/* Put a task (back) in its set's queue; retries go first. */
static void task_enqueue(struct task_scheduler *ts, struct task *t, bool front)
{
	if (t->queued)
		return;
	t->state = TASK_PENDING;
	t->queued = true;
	if (front)
		TAILQ_INSERT_HEAD(&t->set->pending, t, queue_entry);
	else
		TAILQ_INSERT_TAIL(&t->set->pending, t, queue_entry);
	ts->n_pending++;
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

/* The first pending task (sets in submission order) that may run on e. */
static struct task *task_scheduler_pick(struct task_scheduler *ts, const struct task_executor *e)
{
	struct task_set *set;
	struct task *t;

	TAILQ_FOREACH(set, &ts->sets, entry)
	{
		TAILQ_FOREACH(t, &set->pending, queue_entry)
		{
			if (task_scheduler_eligible(ts, t, e))
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

	TAILQ_REMOVE(&t->set->pending, t, queue_entry);
	t->queued = false;
	ts->n_pending--;

	a = xcalloc(1, sizeof *a);
	a->task_id = t->id;
	a->number = t->next_attempt++;
	a->task = t;
	a->executor = e;
	TAILQ_INSERT_TAIL(&e->running, a, executor_entry);
	TAILQ_INSERT_TAIL(&t->attempts, a, task_entry);
	e->free--;
	ts->n_running++;
	t->state = TASK_RUNNING;

	log_debug("starting task %d (TID %" PRId64 ", attempt %d) on executor %s (%s)", t->index,
	          t->id, a->number, e->id, e->host);
	launch.task_id = t->id;
	launch.attempt = a->number;
	launch.index = t->index;
	launch.command = t->command;
	launch.env = t->env;
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
	while (progress && ts->n_pending > 0) {
		progress = false;
		TAILQ_FOREACH(e, &ts->executors, entry)
		{
			if (e->free <= 0)
				continue;
			t = task_scheduler_pick(ts, e);
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
                                                    const char *host, int cores, void *handle)
{
	struct task_executor *e;

	e = xcalloc(1, sizeof *e);
	e->id = xstrdup(id);
	e->host = xstrdup(host);
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
			if (t->state == TASK_RUNNING && TAILQ_EMPTY(&t->attempts)) {
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
	free(e);
	task_scheduler_schedule(ts);
}

/* The first success of a task: record it, tell the owner. */
static void task_scheduler_task_succeeded(struct task_scheduler *ts, struct task *t,
                                          const char *executor_id, const char *host, int attempt,
                                          const struct task_status *st)
{
	struct task_set *set = t->set;
	struct task_result result;

	if (t->state != TASK_RUNNING)
		return;
	t->state = TASK_SUCCEEDED;
	set->succeeded++;
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
	log_debug("task %d (TID %" PRId64 ", attempt %d) finished on executor %s", t->index, t->id,
	          attempt, executor_id);

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
	char *executor_id, *host, *what;
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
	switch (st->state) {
	case TASK_REPORT_FINISHED:
		task_scheduler_task_succeeded(ts, t, executor_id, host, st->attempt, st);
		break;
	case TASK_REPORT_KILLED:
	case TASK_REPORT_FAILED:
		/* A kill we asked for is no failure; one nobody asked for is. */
		if (st->state == TASK_REPORT_KILLED && killed)
			break;
		what = task_scheduler_describe_failure(st);
		task_scheduler_task_failed(ts, t, executor_id, host, st->attempt, what);
		free(what);
		break;
	case TASK_REPORT_RUNNING:
		break;
	}
	free(executor_id);
	free(host);
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
	set->ts = ts;
	set->name = name != NULL ? xstrdup(name) : NULL;
	set->n = n;
	set->tasks = xcalloc(n > 0 ? (size_t)n : 1, sizeof *set->tasks);
	set->commands = xcalloc(n > 0 ? (size_t)n : 1, sizeof *set->commands);
	set->cb = *cb;
	set->arg = arg;
	set->active = true;
	TAILQ_INIT(&set->pending);
	TAILQ_INSERT_TAIL(&ts->sets, set, entry);

	for (i = 0; i < n; i++) {
		struct task *t = &set->tasks[i];

		t->set = set;
		t->id = ts->next_task_id++;
		t->index = specs[i].index;
		/* Tasks usually share one command: keep one copy of it. */
		if (i > 0 && specs[i].command == specs[i - 1].command)
			t->command = set->tasks[i - 1].command;
		else {
			set->commands[set->n_commands] = xstrdup(specs[i].command);
			t->command = set->commands[set->n_commands++];
		}
		t->env = specs[i].env != NULL ? json_object_get(specs[i].env) : NULL;
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
