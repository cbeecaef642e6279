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
#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "rm/rm.h"
#include "rm/scheduler.h"
#include "rm/webapp.h"
#include "weft/protocol.h"

/* {"memory":..,"vCores":..} */
static struct json_object *webapp_resource_json(weft_resource_t r)
{
	struct json_object *o = wjson_new_object();

	wjson_add_int(o, "memory", r.memory_mb);
	wjson_add_int(o, "vCores", r.vcores);
	return o;
}

/* YARN's "<memory:1024, vCores:1>" text. */
static void webapp_add_resource_text(struct json_object *o, const char *key, weft_resource_t r)
{
	char buf[64];

	wjson_add_string(o, key, weft_resource_format(r, buf, sizeof buf));
}

/* Percentages as YARN prints them (floats, two decimals are plenty). */
static void webapp_add_percent(struct json_object *o, const char *key, double v)
{
	wjson_add_double(o, key, (double)(int64_t)(v * 100.0 + (v >= 0 ? 0.5 : -0.5)) / 100.0);
}

/* users.user[] of a leaf (null when none, as YARN writes it). */
static struct json_object *webapp_users_json(const struct scheduler_queue_info *q)
{
	struct json_object *users, *list;

	if (q->n_users == 0)
		return NULL;
	list = json_object_new_array();
	for (int i = 0; i < q->n_users; i++) {
		const struct scheduler_user_info *u = &q->users[i];
		struct json_object *o = wjson_new_object();

		wjson_add_string(o, "username", u->name);
		wjson_add(o, "resourcesUsed", webapp_resource_json(u->used));
		wjson_add_int(o, "numActiveApplications", u->n_active);
		wjson_add_int(o, "numPendingApplications", u->n_pending);
		wjson_add(o, "AMResourceUsed", webapp_resource_json(u->am_used));
		wjson_add(o, "userResourceLimit", webapp_resource_json(u->limit));
		json_object_array_add(list, o);
	}
	users = wjson_new_object();
	wjson_add(users, "user", list);
	return users;
}

/* YARN 3's per-partition usage (one partition, the default ""). */
static struct json_object *webapp_partition_json(const struct scheduler_queue_info *q)
{
	struct json_object *res = wjson_new_object(), *list = json_object_new_array();
	struct json_object *p = wjson_new_object();

	wjson_add_string(p, "partitionName", "");
	wjson_add(p, "used", webapp_resource_json(q->used));
	wjson_add(p, "reserved", webapp_resource_json(q->reserved));
	wjson_add(p, "pending", webapp_resource_json(q->pending));
	if (q->leaf) {
		wjson_add(p, "amUsed", webapp_resource_json(q->am_used));
		wjson_add(p, "amLimit", webapp_resource_json(q->am_limit));
	}
	json_object_array_add(list, p);
	wjson_add(res, "resourceUsagesByPartition", list);
	return res;
}

/* One queue object, with its children nested. */
static struct json_object *webapp_queue_json(const struct scheduler_queue_info *qs, int n, int i)
{
	const struct scheduler_queue_info *q = &qs[i];
	struct json_object *o = wjson_new_object();

	if (q->leaf)
		wjson_add_string(o, "type", "capacitySchedulerLeafQueueInfo");
	webapp_add_percent(o, "capacity", q->capacity);
	webapp_add_percent(o, "usedCapacity", q->used_capacity);
	webapp_add_percent(o, "maxCapacity", q->max_capacity);
	webapp_add_percent(o, "absoluteCapacity", q->abs_capacity);
	webapp_add_percent(o, "absoluteMaxCapacity", q->abs_max_capacity);
	webapp_add_percent(o, "absoluteUsedCapacity", q->abs_used_capacity);
	wjson_add_int(o, "numApplications", q->n_apps);
	wjson_add_int(o, "numContainers", q->n_containers);
	webapp_add_resource_text(o, "usedResources", q->used);
	wjson_add_string(o, "queueName", q->name);
	wjson_add_string(o, "queuePath", q->path);
	wjson_add_string(o, "state", q->state);
	wjson_add(o, "resourcesUsed", webapp_resource_json(q->used));
	wjson_add(o, "resources", webapp_partition_json(q));
	wjson_add_bool(o, "preemptionDisabled", q->preemption_disabled);
	if (!q->leaf) {
		struct json_object *children = json_object_new_array(), *queues;

		for (int k = i + 1; k < n; k++) {
			if (qs[k].parent == i)
				json_object_array_add(children, webapp_queue_json(qs, n, k));
		}
		queues = wjson_new_object();
		wjson_add(queues, "queue", children);
		wjson_add(o, "queues", queues);
		return o;
	}
	wjson_add_int(o, "numActiveApplications", q->n_active);
	wjson_add_int(o, "numPendingApplications", q->n_pending);
	wjson_add_int(o, "maxApplications", q->max_apps);
	{
		double per_user = (double)q->max_apps * q->min_user_limit_percent / 100.0 *
		                  q->user_limit_factor;

		if (per_user > (double)q->max_apps)
			per_user = (double)q->max_apps;
		wjson_add_int(o, "maxApplicationsPerUser", (int64_t)per_user);
	}
	wjson_add_int(o, "maxParallelApps", q->max_parallel < 0 ? INT32_MAX : q->max_parallel);
	wjson_add_int(o, "userLimit", q->min_user_limit_percent);
	wjson_add_double(o, "userLimitFactor", q->user_limit_factor);
	wjson_add_double(o, "maxAMResourcePercent", q->am_percent);
	wjson_add(o, "users", webapp_users_json(q));
	wjson_add(o, "AMResourceLimit", webapp_resource_json(q->am_limit));
	wjson_add(o, "usedAMResource", webapp_resource_json(q->am_used));
	wjson_add(o, "userAMResourceLimit", webapp_resource_json(q->am_limit));
	wjson_add_string(o, "orderingPolicyInfo", q->ordering);
	wjson_add_string(o, "aclSubmitApplications", q->acl_submit != NULL ? q->acl_submit : "");
	wjson_add_bool(o, "hideReservationQueues", false);
	{
		struct json_object *labels = json_object_new_array();

		json_object_array_add(labels, json_object_new_string("*"));
		wjson_add(o, "nodeLabels", labels);
	}
	wjson_add_int(o, "defaultPriority", 0);
	return o;
}

/* GET /ws/v1/cluster/scheduler */
static void webapp_scheduler_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	struct scheduler_queue_info *qs = NULL;
	int n = scheduler_queue_infos(rm->scheduler, &qs);
	struct json_object *info = wjson_new_object(), *children = json_object_new_array();
	struct json_object *queues = wjson_new_object(), *sched = wjson_new_object();
	struct json_object *body = wjson_new_object();

	wjson_add_string(info, "type", "capacityScheduler");
	webapp_add_percent(info, "capacity", 100.0);
	webapp_add_percent(info, "usedCapacity", n > 0 ? qs[0].abs_used_capacity : 0.0);
	webapp_add_percent(info, "maxCapacity", 100.0);
	wjson_add_string(info, "queueName", "root");
	wjson_add_string(info, "queuePath", "root");
	wjson_add_string(info, "queuesSource", scheduler_queues_source(rm->scheduler));
	for (int k = 1; k < n; k++) {
		if (qs[k].parent == 0)
			json_object_array_add(children, webapp_queue_json(qs, n, k));
	}
	wjson_add(queues, "queue", children);
	wjson_add(info, "queues", queues);
	if (n > 0)
		wjson_add(info, "resourcesUsed", webapp_resource_json(qs[0].used));
	wjson_add(sched, "schedulerInfo", info);
	wjson_add(body, "scheduler", sched);
	scheduler_queue_infos_free(qs, n);
	http_reply_json(req, 200, body);
}

/* POST|PUT /ws/v1/cluster/scheduler/refresh and /rpc/admin/refresh-queues
 * (X-Weft-Auth) */
static void webapp_scheduler_refresh_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	size_t len = 0;
	const char *body = http_request_body(req, &len);
	struct scheduler_queue_info *qs = NULL;
	struct json_object *answer;
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
	answer = wjson_new_object();
	wjson_add_bool(answer, "refreshed", true);
	wjson_add_string(answer, "source", scheduler_queues_source(rm->scheduler));
	wjson_add_int(answer, "queues", n);
	scheduler_queue_infos_free(qs, n);
	http_reply_json(req, 200, answer);
}

void webapp_scheduler_routes(struct rm *rm)
{
	http_server_route(rm->http, HTTP_M_GET, "/ws/v1/cluster/scheduler", 0, webapp_scheduler_cb,
	                  rm);
	http_server_route(rm->http, HTTP_M_POST | HTTP_M_PUT, "/ws/v1/cluster/scheduler/refresh", 0,
	                  webapp_scheduler_refresh_cb, rm);
	/* What `weft admin refresh-queues` calls: on the internal listener,
	 * served ahead of public REST (YARN's admin port). */
	http_server_route(rm->rpc, HTTP_M_POST | HTTP_M_PUT, WEFT_RPC_ADMIN_REFRESH_QUEUES, 0,
	                  webapp_scheduler_refresh_cb, rm);
}
