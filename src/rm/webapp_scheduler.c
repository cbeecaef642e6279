/*
 * webapp_scheduler.c — GET /ws/v1/cluster/scheduler in the Capacity
 * Scheduler's shape (YARN's schedulerInfo of type capacityScheduler,
 * queues.queue[] nested per parent, leaf queues typed
 * capacitySchedulerLeafQueueInfo), and POST|PUT
 * /ws/v1/cluster/scheduler/refresh, the administrator's queue reload
 * (`weft admin refresh-queues`, like `yarn rmadmin -refreshQueues`),
 * authenticated with the cluster secret (X-Weft-Auth).
 */
#include "weft_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/daemon.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/proto_cluster.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "rm/rm.h"
#include "rm/scheduler.h"
#include "rm/webapp.h"
#include "weft/protocol.h"

/* A resource as the answer writes it. */
static struct proto_cluster_resource webapp_resource(weft_resource_t r)
{
	return (struct proto_cluster_resource){r.memory_mb, r.vcores};
}

/* One queue of the scheduler's snapshot as the answer shows it. */
static void webapp_queue(const struct scheduler_queue_info *q, struct proto_cluster_queue *o)
{
	double per_user;

	memset(o, 0, sizeof *o);
	/* The snapshot's root (index 0) is the answer's schedulerInfo. */
	o->parent = q->parent - 1;
	o->leaf = q->leaf;
	o->name = q->name;
	o->path = q->path;
	o->state = q->state;
	o->capacity = q->capacity;
	o->used_capacity = q->used_capacity;
	o->max_capacity = q->max_capacity;
	o->abs_capacity = q->abs_capacity;
	o->abs_max_capacity = q->abs_max_capacity;
	o->abs_used_capacity = q->abs_used_capacity;
	o->n_apps = q->n_apps;
	o->n_containers = q->n_containers;
	o->used = webapp_resource(q->used);
	o->reserved = webapp_resource(q->reserved);
	o->pending = webapp_resource(q->pending);
	o->preemption_disabled = q->preemption_disabled;
	if (!q->leaf)
		return;
	o->am_used = webapp_resource(q->am_used);
	o->am_limit = webapp_resource(q->am_limit);
	o->n_active = q->n_active;
	o->n_pending = q->n_pending;
	o->max_apps = q->max_apps;
	per_user = (double)q->max_apps * q->min_user_limit_percent / 100.0 * q->user_limit_factor;
	if (per_user > (double)q->max_apps)
		per_user = (double)q->max_apps;
	o->max_apps_per_user = (int64_t)per_user;
	o->max_parallel = q->max_parallel < 0 ? INT32_MAX : q->max_parallel;
	o->user_limit = q->min_user_limit_percent;
	o->user_limit_factor = q->user_limit_factor;
	o->am_percent = q->am_percent;
	o->ordering = q->ordering;
	o->acl_submit = q->acl_submit;
	o->n_users = q->n_users;
	o->users = q->n_users > 0 ? xcalloc((size_t)q->n_users, sizeof *o->users) : NULL;
	for (int i = 0; i < q->n_users; i++) {
		const struct scheduler_user_info *u = &q->users[i];

		o->users[i] = (struct proto_cluster_user){
		        .name = u->name,
		        .used = webapp_resource(u->used),
		        .am_used = webapp_resource(u->am_used),
		        .limit = webapp_resource(u->limit),
		        .n_active = u->n_active,
		        .n_pending = u->n_pending,
		};
	}
}

/* GET /ws/v1/cluster/scheduler (common/proto_cluster.c writes it) */
static void webapp_scheduler_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	struct scheduler_queue_info *qs = NULL;
	int n = scheduler_queue_infos(rm->scheduler, &qs);
	struct proto_cluster_scheduler m = {0};

	m.used_capacity = n > 0 ? qs[0].abs_used_capacity : 0.0;
	m.source = scheduler_queues_source(rm->scheduler);
	if (n > 0) {
		m.has_used = true;
		m.used = webapp_resource(qs[0].used);
	}
	m.n_queues = n > 1 ? n - 1 : 0;
	m.queues = xcalloc((size_t)m.n_queues + 1, sizeof *m.queues);
	for (int k = 1; k < n; k++)
		webapp_queue(&qs[k], &m.queues[k - 1]);
	http_reply_json(req, 200, proto_cluster_scheduler_encode(&m));
	proto_cluster_scheduler_clear(&m);
	scheduler_queue_infos_free(qs, n);
}

/* POST|PUT /ws/v1/cluster/scheduler/refresh and /rpc/admin/refresh-queues
 * (X-Weft-Auth) */
static void webapp_scheduler_refresh_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	size_t len = 0;
	const char *body = http_request_body(req, &len);
	struct scheduler_queue_info *qs = NULL;
	struct proto_cluster_refreshed answer;
	char *why = NULL;
	int n;

	if (security_verify_request(rm->secret, http_request_header(req, SECURITY_AUTH_HEADER),
	                            http_request_method_name(req), http_request_path(req), body,
	                            len, time_now_ms(), &why) != 0) {
		log_warn("queue refresh from %s refused: %s", http_request_peer(req), why);
		http_reply_error(req, 401, "AuthenticationException",
		                 "%s (the refresh needs the cluster secret: X-Weft-Auth)", why);
		free(why);
		return;
	}
	if (rm_reload_queues(rm, &why) != 0) {
		log_warn("queue refresh from %s refused, the current queues stay: %s",
		         http_request_peer(req), why);
		http_reply_error(req, 400, "BadRequestException",
		                 "queues not refreshed, the current ones stay: %s", why);
		free(why);
		return;
	}
	n = scheduler_queue_infos(rm->scheduler, &qs);
	answer.source = scheduler_queues_source(rm->scheduler);
	answer.queues = n;
	http_reply_json(req, 200, proto_cluster_refreshed_encode(&answer));
	scheduler_queue_infos_free(qs, n);
}

void webapp_scheduler_routes(struct rm *rm)
{
	http_server_route(rm->http, HTTP_M_GET, WEFT_ROUTE_SCHEDULER, 0, webapp_scheduler_cb, rm);
	http_server_route(rm->http, HTTP_M_POST | HTTP_M_PUT, WEFT_ROUTE_SCHEDULER_REFRESH, 0,
	                  webapp_scheduler_refresh_cb, rm);
	/* What `weft admin refresh-queues` calls: on the internal listener,
	 * served ahead of public REST (YARN's admin port). */
	http_server_route(rm->rpc, HTTP_M_POST | HTTP_M_PUT, WEFT_RPC_ADMIN_REFRESH_QUEUES, 0,
	                  webapp_scheduler_refresh_cb, rm);
}
