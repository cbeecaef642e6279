/*
 * scheduler_info.c — what the scheduler shows: per-queue snapshots for
 * the REST API and the CLI, and why an application's AM container waits
 * (the diagnostics of an application stuck in ACCEPTED).
 */
#include "weft_config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "rm/scheduler_impl.h"

/* used / base in the dominant dimension, in percent. */
static double sched_percent(weft_resource_t used, double base_m, double base_v)
{
	double m = base_m > 0.0 ? (double)used.memory_mb / base_m : 0.0;
	double v = base_v > 0.0 ? (double)used.vcores / base_v : 0.0;

	return 100.0 * (m > v ? m : v);
}

/* Fill one snapshot. */
static void sched_queue_info(const struct scheduler *s, const struct sched_queue *q,
                             struct scheduler_queue_info *out)
{
	const struct queue_def *d = q->def;
	const struct sched_user *u;
	int depth = 0;

	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "%s", d->name);
	snprintf(out->path, sizeof out->path, "%s", d->path);
	out->parent = d->parent;
	for (const struct sched_queue *p = q->parent; p != NULL; p = p->parent)
		depth++;
	out->depth = depth;
	out->leaf = q->leaf;
	out->state = d->stopped ? "STOPPED" : "RUNNING";
	out->ordering = queue_ordering_name(d->ordering);
	out->capacity = d->capacity;
	out->max_capacity = d->max_capacity;
	out->abs_capacity = 100.0 * d->abs_capacity;
	out->abs_max_capacity = 100.0 * d->abs_max_capacity;
	out->guaranteed = sched_guaranteed(s, q);
	out->maximum = sched_maximum(s, q);
	out->used = q->used;
	out->reserved = q->reserved;
	out->pending = q->pending;
	out->used_capacity = sched_percent(q->used, (double)s->total.memory_mb * d->abs_capacity,
	                                   (double)s->total.vcores * d->abs_capacity);
	out->abs_used_capacity =
	        sched_percent(q->used, (double)s->total.memory_mb, (double)s->total.vcores);
	out->n_containers = q->n_containers;
	out->n_apps = q->n_apps;
	out->n_active = q->n_active;
	out->n_pending = q->n_pending_apps;
	out->max_apps = d->max_apps;
	out->max_parallel = d->max_parallel;
	out->min_user_limit_percent = d->min_user_limit_percent;
	out->user_limit_factor = d->user_limit_factor;
	out->am_percent = d->am_percent;
	out->preemption_disabled = d->preemption_disabled || !s->opts.preemption;
	out->acl_submit = d->acl_submit.text;
	if (!q->leaf)
		return;
	out->am_used = q->am_used;
	out->am_limit = sched_am_limit(s, q);
	if (q->n_users > 0)
		out->users = xcalloc(q->n_users, sizeof *out->users);
	TAILQ_FOREACH(u, &q->users, link)
	{
		struct scheduler_user_info *ui = &out->users[out->n_users++];

		snprintf(ui->name, sizeof ui->name, "%s", u->name);
		ui->used = u->used;
		ui->am_used = u->am_used;
		ui->limit = sched_user_limit(s, q, s->opts.minimum);
		ui->n_active = u->n_active;
		ui->n_pending = u->n_pending;
	}
}

int scheduler_queue_infos(const struct scheduler *s, struct scheduler_queue_info **out)
{
	sched_settle_nodes(s);
	*out = xcalloc(s->n_queues, sizeof **out);
	for (int i = 0; i < s->n_queues; i++)
		sched_queue_info(s, s->queues[i], &(*out)[i]);
	return s->n_queues;
}

void scheduler_queue_infos_free(struct scheduler_queue_info *infos, int n)
{
	for (int i = 0; i < n; i++)
		free(infos[i].users);
	free(infos);
}

const char *scheduler_attempt_wait_reason(const struct scheduler *s, const char *attempt_id,
                                          char *buf, size_t size)
{
	const struct sched_attempt *a = strmap_get(s->attempt_map, attempt_id);
	const char *path;
	char r1[64], r2[64], r3[64];
	bool any;

	sched_settle_nodes(s);

	if (a == NULL || a->state == SCHED_STOPPED || (a->state == SCHED_ACTIVE && !a->am_pending))
		return NULL;
	path = a->queue->def->path;
	if (a->state == SCHED_PENDING) {
		if (a->wait == SCHED_WAIT_PARALLEL) {
			snprintf(buf, size,
			         "Application is added to the scheduler and is not yet activated: "
			         "queue %s already runs its maximum of %lld applications "
			         "(max-parallel-apps)",
			         path, (long long)a->wait_n);
			return buf;
		}
		if (a->wait == SCHED_WAIT_AM_LIMIT) {
			snprintf(
			        buf, size,
			        "Application is added to the scheduler and is not yet activated: "
			        "queue %s's AM resource limit is reached (AMs running use %s, this "
			        "AM needs %s, the limit is %s = maximum-am-resource-percent %g of "
			        "what the queue may use)",
			        path, weft_resource_format(a->wait_a, r1, sizeof r1),
			        weft_resource_format(a->wait_c, r2, sizeof r2),
			        weft_resource_format(a->wait_b, r3, sizeof r3),
			        a->queue->def->am_percent);
			return buf;
		}
		snprintf(buf, size,
		         "Application is added to the scheduler and is waiting to be activated "
		         "in queue %s",
		         path);
		return buf;
	}
	/* Structural problems first: no amount of waiting fixes them. */
	{
		weft_resource_t largest = sched_largest_node(s, &any);

		if (!any) {
			snprintf(buf, size,
			         "Waiting for the AM container (%s): no node manager is registered "
			         "and healthy",
			         weft_resource_format(a->am_resource, r1, sizeof r1));
			return buf;
		}
		if (!sched_some_node_holds(s, a->am_resource)) {
			snprintf(buf, size,
			         "Waiting for the AM container (%s): no node is large enough (the "
			         "largest offers %s)",
			         weft_resource_format(a->am_resource, r1, sizeof r1),
			         weft_resource_format(largest, r2, sizeof r2));
			return buf;
		}
	}
	switch (a->wait) {
	case SCHED_WAIT_QUEUE_MAX:
		snprintf(buf, size,
		         "Waiting for the AM container (%s): queue %s is at its maximum capacity "
		         "(uses %s of at most %s)",
		         weft_resource_format(a->wait_c, r1, sizeof r1),
		         a->wait_queue >= 0 && a->wait_queue < s->n_queues
		                 ? s->queues[a->wait_queue]->def->path
		                 : path,
		         weft_resource_format(a->wait_a, r2, sizeof r2),
		         weft_resource_format(a->wait_b, r3, sizeof r3));
		return buf;
	case SCHED_WAIT_USER_LIMIT:
		snprintf(buf, size,
		         "Waiting for the AM container: user %s is at the user limit of queue %s "
		         "(uses %s, limit %s)",
		         a->user_name, path, weft_resource_format(a->wait_a, r1, sizeof r1),
		         weft_resource_format(a->wait_b, r2, sizeof r2));
		return buf;
	default:
		if (a->am_reservation != NULL) {
			snprintf(buf, size,
			         "Waiting for the AM container (%s): node %s is reserved for it "
			         "until enough of its containers finish",
			         weft_resource_format(a->am_resource, r1, sizeof r1),
			         a->am_reservation->node->id);
		} else if (a->wait == SCHED_WAIT_NO_ROOM || a->wait == SCHED_WAIT_RESERVED ||
		           node_index_find_spread(s->index, a->am_resource) == NULL) {
			snprintf(buf, size,
			         "Waiting for the AM container (%s): no node has that much free "
			         "room now (cluster free %s)",
			         weft_resource_format(a->am_resource, r1, sizeof r1),
			         weft_resource_format(weft_resource_sub(s->total, s->used_sched),
			                              r2, sizeof r2));
		} else {
			snprintf(buf, size,
			         "Waiting for the AM container (%s) in queue %s: other "
			         "applications and queues are served first (cluster free %s)",
			         weft_resource_format(a->am_resource, r1, sizeof r1), path,
			         weft_resource_format(weft_resource_sub(s->total, s->used_sched),
			                              r2, sizeof r2));
		}
		return buf;
	}
}
