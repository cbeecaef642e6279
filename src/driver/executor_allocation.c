/*
 * executor_allocation.c — dynamic executors (executor_allocation.h).
 *
 * One periodic timer; nothing happens between ticks, and a tick only
 * reads the task scheduler's counters, so the policy costs nothing while
 * the job runs.
 */
#include "weft_config.h"

#include "driver/executor_allocation.h"

#include <stdlib.h>

#include "common/daemon.h"
#include "common/log.h"
#include "common/proto_driver.h"
#include "common/xmalloc.h"

struct executor_allocation {
	struct task_scheduler *ts;
	int min, max;
	int64_t idle_timeout_ms;
	struct executor_allocation_ops ops;
	struct event *timer;
	int target;   /* last total asked for; -1 = none yet */
	int released; /* executors released so far */
};

/* What the tick learns about the executors. */
struct allocation_scan {
	int executors; /* taking tasks */
	int cores;
	void *idle[64]; /* handles idle past the timeout */
	int n_idle;
	int64_t now;
	int64_t idle_timeout_ms;
};

static void executor_allocation_scan_cb(const struct task_executor_info *info, void *arg)
{
	struct allocation_scan *scan = arg;

	if (info->disabled)
		return;
	scan->executors++;
	scan->cores += info->cores;
	if (info->idle_since_ms > 0 && scan->now - info->idle_since_ms >= scan->idle_timeout_ms &&
	    scan->n_idle < (int)(sizeof scan->idle / sizeof scan->idle[0]))
		scan->idle[scan->n_idle++] = info->handle;
}

/* One tick: adjust the target, release idle executors. */
static void executor_allocation_tick_cb(evutil_socket_t fd, short events, void *arg)
{
	struct executor_allocation *ea = arg;
	struct allocation_scan scan = {0};
	int tasks, per, target, i, keep;

	scan.now = time_mono_ms();
	scan.idle_timeout_ms = ea->idle_timeout_ms;
	task_scheduler_each_executor(ea->ts, executor_allocation_scan_cb, &scan);
	tasks = task_scheduler_pending_count(ea->ts) + task_scheduler_running_count(ea->ts);
	per = scan.executors > 0 ? (scan.cores + scan.executors - 1) / scan.executors : 1;
	if (per < 1)
		per = 1;
	target = (tasks + per - 1) / per;
	if (target < ea->min)
		target = ea->min;
	if (target > ea->max)
		target = ea->max;
	/* Idle executors go only when nothing waits and MIN remain. */
	if (task_scheduler_pending_count(ea->ts) == 0) {
		keep = target > ea->min ? target : ea->min;
		for (i = 0; i < scan.n_idle && scan.executors > keep; i++) {
			log_info("releasing an executor idle for %lld ms (%d running, %d wanted)",
			         (long long)ea->idle_timeout_ms, scan.executors, keep);
			ea->ops.release(ea->ops.arg, scan.idle[i]);
			scan.executors--;
			ea->released++;
		}
	}
	if (target != ea->target) {
		log_info(
		        "dynamic allocation: %d task%s, %d core%s per executor: want %d executor%s",
		        tasks, tasks == 1 ? "" : "s", per, per == 1 ? "" : "s", target,
		        target == 1 ? "" : "s");
		ea->target = target;
		ea->ops.request(ea->ops.arg, target);
	}
}

struct executor_allocation *executor_allocation_new(struct event_base *base,
                                                    struct task_scheduler *ts, int min, int max,
                                                    int64_t idle_timeout_ms,
                                                    const struct executor_allocation_ops *ops)
{
	struct executor_allocation *ea = xcalloc(1, sizeof *ea);
	struct timeval tv = {0, EXECUTOR_ALLOCATION_TICK_MS * 1000};

	ea->ts = ts;
	ea->min = min;
	ea->max = max;
	ea->idle_timeout_ms = idle_timeout_ms;
	ea->ops = *ops;
	ea->target = -1;
	ea->timer = event_new(base, -1, EV_PERSIST, executor_allocation_tick_cb, ea);
	if (ea->timer == NULL)
		fatalx("executor_allocation_new: event_new failed");
	evtimer_add(ea->timer, &tv);
	log_info("dynamic allocation: %d to %d executors, idle ones released after %lld ms", min,
	         max, (long long)idle_timeout_ms);
	return ea;
}

void executor_allocation_free(struct executor_allocation *ea)
{
	if (ea == NULL)
		return;
	event_free(ea->timer);
	free(ea);
}

void executor_allocation_status(const struct executor_allocation *ea,
                                struct proto_driver_allocation *out)
{
	out->min_executors = ea->min;
	out->max_executors = ea->max;
	out->target_executors = ea->target;
	out->released_executors = ea->released;
}
