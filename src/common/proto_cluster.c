/*
 * proto_cluster.c — the RM's cluster reports, encoded and decoded
 * (proto_cluster.h, weft/protocol.h "cluster info, metrics and
 * scheduler").
 *
 * Owns every key, route and fixed value of GET /ws/v1/cluster/info,
 * /metrics and /scheduler (YARN's shapes: the scheduler's queues nest in
 * "queues":{"queue":[...]} per parent, leaves typed
 * capacitySchedulerLeafQueueInfo) and of the queue refresh's answer (the
 * staging answers are proto_app's).  Decoders check types exactly (wjson), ranges and
 * lengths, and name the field path in *cause.
 */
#include "weft_config.h"

#include "common/proto_cluster.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"
#include "weft/resource.h"

/* A key naming an int64_t member of a struct. */
struct proto_cluster_count {
	const char *key;
	size_t offset;
};

/* Encode the counts table of m. */
static void proto_cluster_counts_encode(struct json_object *o, const void *m,
                                        const struct proto_cluster_count *counts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		wjson_add_int(o, counts[i].key,
		              *(const int64_t *)((const char *)m + counts[i].offset));
}

/* Decode the counts table into m (each required, >= min). */
static int proto_cluster_counts_decode(struct json_object *o, const char *path, void *m,
                                       const struct proto_cluster_count *counts, size_t n,
                                       bool required, int64_t min, char **cause)
{
	for (size_t i = 0; i < n; i++) {
		if (wjson_get_int(o, path, counts[i].key, required, min, PROTO_CLUSTER_MAX_COUNT,
		                  (int64_t *)((char *)m + counts[i].offset), cause) != 0)
			return -1;
	}
	return 0;
}

/* {key:{...}}: the one object of a body. */
static struct json_object *proto_cluster_wrap(const char *key, struct json_object *inner)
{
	struct json_object *body = wjson_new_object();

	wjson_add(body, key, inner);
	return body;
}

/* ------------------------------------------------------------------ */
/* clusterInfo */

#define INFO_STRING(key, member)                                                                   \
	{                                                                                          \
		key, offsetof(struct proto_cluster_info, member)                                   \
	}

static const struct {
	const char *key;
	size_t offset;
} proto_cluster_info_strings[] = {
        INFO_STRING(WEFT_KEY_STATE, state),
        INFO_STRING(WEFT_CLUSTER_KEY_HA_STATE, ha_state),
        INFO_STRING(WEFT_CLUSTER_KEY_STATE_STORE, state_store),
        INFO_STRING(WEFT_CLUSTER_KEY_RM_VERSION, rm_version),
        INFO_STRING(WEFT_CLUSTER_KEY_RM_BUILD_VERSION, rm_build_version),
        INFO_STRING(WEFT_CLUSTER_KEY_RM_BUILT_ON, rm_built_on),
        INFO_STRING(WEFT_KEY_HADOOP_VERSION, hadoop_version),
        INFO_STRING(WEFT_KEY_HADOOP_BUILD_VERSION, hadoop_build_version),
        INFO_STRING(WEFT_CLUSTER_KEY_HADOOP_BUILT_ON, hadoop_built_on),
        INFO_STRING(WEFT_CLUSTER_KEY_HA_ZOOKEEPER, ha_zookeeper),
};

struct json_object *proto_cluster_info_encode(const struct proto_cluster_info *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_int(o, WEFT_KEY_ID, m->id);
	wjson_add_int(o, WEFT_CLUSTER_KEY_STARTED_ON, m->started_on);
	for (size_t i = 0;
	     i < sizeof proto_cluster_info_strings / sizeof *proto_cluster_info_strings; i++)
		wjson_add_string(o, proto_cluster_info_strings[i].key,
		                 *(const char *const *)((const char *)m +
		                                        proto_cluster_info_strings[i].offset));
	return proto_cluster_wrap(WEFT_CLUSTER_KEY_CLUSTER_INFO, o);
}

int proto_cluster_info_decode(struct json_object *body, struct proto_cluster_info *m, char **cause)
{
	static const char path[] = WEFT_CLUSTER_KEY_CLUSTER_INFO;
	struct json_object *o = NULL;

	memset(m, 0, sizeof *m);
	if (wjson_get_object(body, "", WEFT_CLUSTER_KEY_CLUSTER_INFO, true, &o, cause) != 0 ||
	    wjson_get_int(o, path, WEFT_KEY_ID, true, 0, INT64_MAX, &m->id, cause) != 0 ||
	    wjson_get_int(o, path, WEFT_CLUSTER_KEY_STARTED_ON, true, 0, INT64_MAX, &m->started_on,
	                  cause) != 0)
		return -1;
	for (size_t i = 0;
	     i < sizeof proto_cluster_info_strings / sizeof *proto_cluster_info_strings; i++) {
		/* The state is required; the versions are for people. */
		if (wjson_get_text(
		            o, path, proto_cluster_info_strings[i].key, i == 0,
		            PROTO_CLUSTER_TEXT_MAX,
		            (const char **)((char *)m + proto_cluster_info_strings[i].offset),
		            cause) != 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* clusterMetrics */

#define METRIC(key, member)                                                                        \
	{                                                                                          \
		key, offsetof(struct proto_cluster_metrics, member)                                \
	}

/* Counts that cannot be negative, then the available ones (which can, on
 * a node that reports more in use than it has). */
static const struct proto_cluster_count proto_cluster_metric_counts[] = {
        METRIC(WEFT_CLUSTER_KEY_APPS_SUBMITTED, apps_submitted),
        METRIC(WEFT_CLUSTER_KEY_APPS_COMPLETED, apps_completed),
        METRIC(WEFT_CLUSTER_KEY_APPS_PENDING, apps_pending),
        METRIC(WEFT_CLUSTER_KEY_APPS_RUNNING, apps_running),
        METRIC(WEFT_CLUSTER_KEY_APPS_FAILED, apps_failed),
        METRIC(WEFT_CLUSTER_KEY_APPS_KILLED, apps_killed),
        METRIC(WEFT_KEY_RESERVED_MB, reserved_mb),
        METRIC(WEFT_KEY_ALLOCATED_MB, allocated_mb),
        METRIC(WEFT_CLUSTER_KEY_TOTAL_MB, total_mb),
        METRIC(WEFT_CLUSTER_KEY_RESERVED_VCORES, reserved_vcores),
        METRIC(WEFT_CLUSTER_KEY_ALLOCATED_VCORES, allocated_vcores),
        METRIC(WEFT_CLUSTER_KEY_TOTAL_VCORES, total_vcores),
        METRIC(WEFT_CLUSTER_KEY_CONTAINERS_ALLOCATED, containers_allocated),
        METRIC(WEFT_CLUSTER_KEY_CONTAINERS_RESERVED, containers_reserved),
        METRIC(WEFT_CLUSTER_KEY_CONTAINERS_PENDING, containers_pending),
        METRIC(WEFT_CLUSTER_KEY_TOTAL_NODES, total_nodes),
        METRIC(WEFT_CLUSTER_KEY_ACTIVE_NODES, active_nodes),
        METRIC(WEFT_CLUSTER_KEY_LOST_NODES, lost_nodes),
        METRIC(WEFT_CLUSTER_KEY_UNHEALTHY_NODES, unhealthy_nodes),
        METRIC(WEFT_CLUSTER_KEY_DECOMMISSIONING, decommissioning_nodes),
        METRIC(WEFT_CLUSTER_KEY_DECOMMISSIONED, decommissioned_nodes),
        METRIC(WEFT_CLUSTER_KEY_REBOOTED_NODES, rebooted_nodes),
        METRIC(WEFT_CLUSTER_KEY_SHUTDOWN_NODES, shutdown_nodes),
};
static const struct proto_cluster_count proto_cluster_metric_available[] = {
        METRIC(WEFT_CLUSTER_KEY_AVAILABLE_MB, available_mb),
        METRIC(WEFT_KEY_AVAILABLE_VIRTUAL_CORES, available_vcores),
};
#define N_COUNTS    (sizeof proto_cluster_metric_counts / sizeof *proto_cluster_metric_counts)
#define N_AVAILABLE (sizeof proto_cluster_metric_available / sizeof *proto_cluster_metric_available)

struct json_object *proto_cluster_metrics_encode(const struct proto_cluster_metrics *m)
{
	struct json_object *o = wjson_new_object();

	proto_cluster_counts_encode(o, m, proto_cluster_metric_counts, N_COUNTS);
	proto_cluster_counts_encode(o, m, proto_cluster_metric_available, N_AVAILABLE);
	return proto_cluster_wrap(WEFT_CLUSTER_KEY_CLUSTER_METRICS, o);
}

int proto_cluster_metrics_decode(struct json_object *body, struct proto_cluster_metrics *m,
                                 char **cause)
{
	static const char path[] = WEFT_CLUSTER_KEY_CLUSTER_METRICS;
	struct json_object *o = NULL;

	memset(m, 0, sizeof *m);
	if (wjson_get_object(body, "", WEFT_CLUSTER_KEY_CLUSTER_METRICS, true, &o, cause) != 0 ||
	    proto_cluster_counts_decode(o, path, m, proto_cluster_metric_counts, N_COUNTS, true, 0,
	                                cause) != 0 ||
	    proto_cluster_counts_decode(o, path, m, proto_cluster_metric_available, N_AVAILABLE,
	                                true, -PROTO_CLUSTER_MAX_COUNT, cause) != 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The scheduler: encoding. */

static struct json_object *proto_cluster_resource_encode(struct proto_cluster_resource r)
{
	struct json_object *o = wjson_new_object();

	wjson_add_int(o, WEFT_KEY_MEMORY, r.memory);
	wjson_add_int(o, WEFT_KEY_VCORES_RESOURCE, r.vcores);
	return o;
}

/* A percentage as YARN prints it (two decimals are plenty); a negative
 * one is unknown (a decoder's absent one) and not sent. */
static void proto_cluster_add_percent(struct json_object *o, const char *key, double v)
{
	if (v >= 0)
		wjson_add_double(o, key, (double)(int64_t)(v * 100.0 + 0.5) / 100.0);
}

/* A factor (not rounded); negative: unknown, not sent. */
static void proto_cluster_add_factor(struct json_object *o, const char *key, double v)
{
	if (v >= 0)
		wjson_add_double(o, key, v);
}

/* users.user[] of a leaf, or null when none (as YARN writes it). */
static struct json_object *proto_cluster_users_encode(const struct proto_cluster_queue *q)
{
	struct json_object *list;

	if (q->n_users == 0)
		return NULL;
	list = json_object_new_array_ext(q->n_users);
	for (int i = 0; i < q->n_users; i++) {
		const struct proto_cluster_user *u = &q->users[i];
		struct json_object *o = wjson_new_object();

		wjson_add_string(o, WEFT_SCHED_KEY_USERNAME, u->name);
		wjson_add(o, WEFT_SCHED_KEY_RESOURCES_USED, proto_cluster_resource_encode(u->used));
		wjson_add_int(o, WEFT_SCHED_KEY_NUM_ACTIVE_APPS, u->n_active);
		wjson_add_int(o, WEFT_SCHED_KEY_NUM_PENDING_APPS, u->n_pending);
		wjson_add(o, WEFT_SCHED_KEY_AM_RESOURCE_USED,
		          proto_cluster_resource_encode(u->am_used));
		wjson_add(o, WEFT_SCHED_KEY_USER_RESOURCE_LIMIT,
		          proto_cluster_resource_encode(u->limit));
		json_object_array_add(list, o);
	}
	return proto_cluster_wrap(WEFT_KEY_USER, list);
}

/* YARN 3's per-partition usage (one partition, the default ""). */
static struct json_object *proto_cluster_partition_encode(const struct proto_cluster_queue *q)
{
	struct json_object *list = json_object_new_array(), *p = wjson_new_object();

	wjson_add_string(p, WEFT_SCHED_KEY_PARTITION_NAME, "");
	wjson_add(p, WEFT_SCHED_KEY_USED, proto_cluster_resource_encode(q->used));
	wjson_add(p, WEFT_SCHED_KEY_RESERVED, proto_cluster_resource_encode(q->reserved));
	wjson_add(p, WEFT_KEY_PENDING, proto_cluster_resource_encode(q->pending));
	if (q->leaf) {
		wjson_add(p, WEFT_SCHED_KEY_AM_USED, proto_cluster_resource_encode(q->am_used));
		wjson_add(p, WEFT_SCHED_KEY_AM_LIMIT, proto_cluster_resource_encode(q->am_limit));
	}
	json_object_array_add(list, p);
	return proto_cluster_wrap(WEFT_SCHED_KEY_BY_PARTITION, list);
}

static struct json_object *proto_cluster_queue_encode(const struct proto_cluster_scheduler *s,
                                                      int i);

/* {"queue":[children of parent]} */
static struct json_object *proto_cluster_children_encode(const struct proto_cluster_scheduler *s,
                                                         int parent)
{
	struct json_object *children = json_object_new_array();

	for (int k = parent + 1; k < s->n_queues; k++) {
		if (s->queues[k].parent == parent)
			json_object_array_add(children, proto_cluster_queue_encode(s, k));
	}
	return proto_cluster_wrap(WEFT_KEY_QUEUE, children);
}

/* One queue object, with its children nested. */
static struct json_object *proto_cluster_queue_encode(const struct proto_cluster_scheduler *s,
                                                      int i)
{
	const struct proto_cluster_queue *q = &s->queues[i];
	struct json_object *o = wjson_new_object(), *labels;
	char buf[64];

	if (q->leaf)
		wjson_add_string(o, WEFT_KEY_TYPE, WEFT_SCHED_TYPE_LEAF);
	proto_cluster_add_percent(o, WEFT_SCHED_KEY_CAPACITY, q->capacity);
	proto_cluster_add_percent(o, WEFT_SCHED_KEY_USED_CAPACITY, q->used_capacity);
	proto_cluster_add_percent(o, WEFT_SCHED_KEY_MAX_CAPACITY, q->max_capacity);
	proto_cluster_add_percent(o, WEFT_SCHED_KEY_ABS_CAPACITY, q->abs_capacity);
	proto_cluster_add_percent(o, WEFT_SCHED_KEY_ABS_MAX_CAPACITY, q->abs_max_capacity);
	proto_cluster_add_percent(o, WEFT_SCHED_KEY_ABS_USED_CAPACITY, q->abs_used_capacity);
	wjson_add_int(o, WEFT_SCHED_KEY_NUM_APPLICATIONS, q->n_apps);
	wjson_add_int(o, WEFT_KEY_NUM_CONTAINERS, q->n_containers);
	wjson_add_string(o, WEFT_SCHED_KEY_USED_RESOURCES,
	                 weft_resource_format(weft_resource(q->used.memory, q->used.vcores), buf,
	                                      sizeof buf));
	wjson_add_string(o, WEFT_SCHED_KEY_QUEUE_NAME, q->name);
	wjson_add_string(o, WEFT_SCHED_KEY_QUEUE_PATH, q->path);
	wjson_add_string(o, WEFT_KEY_STATE, q->state);
	wjson_add(o, WEFT_SCHED_KEY_RESOURCES_USED, proto_cluster_resource_encode(q->used));
	wjson_add(o, WEFT_SCHED_KEY_RESOURCES, proto_cluster_partition_encode(q));
	wjson_add_bool(o, WEFT_SCHED_KEY_PREEMPTION_DISABLED, q->preemption_disabled);
	if (!q->leaf) {
		wjson_add(o, WEFT_SCHED_KEY_QUEUES, proto_cluster_children_encode(s, i));
		return o;
	}
	wjson_add_int(o, WEFT_SCHED_KEY_NUM_ACTIVE_APPS, q->n_active);
	wjson_add_int(o, WEFT_SCHED_KEY_NUM_PENDING_APPS, q->n_pending);
	wjson_add_int(o, WEFT_SCHED_KEY_MAX_APPS, q->max_apps);
	wjson_add_int(o, WEFT_SCHED_KEY_MAX_APPS_PER_USER, q->max_apps_per_user);
	wjson_add_int(o, WEFT_SCHED_KEY_MAX_PARALLEL_APPS, q->max_parallel);
	wjson_add_int(o, WEFT_SCHED_KEY_USER_LIMIT, q->user_limit);
	proto_cluster_add_factor(o, WEFT_SCHED_KEY_USER_LIMIT_FACTOR, q->user_limit_factor);
	proto_cluster_add_factor(o, WEFT_SCHED_KEY_MAX_AM_PERCENT, q->am_percent);
	wjson_add(o, WEFT_SCHED_KEY_USERS, proto_cluster_users_encode(q));
	wjson_add(o, WEFT_SCHED_KEY_AM_RESOURCE_LIMIT, proto_cluster_resource_encode(q->am_limit));
	wjson_add(o, WEFT_SCHED_KEY_USED_AM_RESOURCE, proto_cluster_resource_encode(q->am_used));
	wjson_add(o, WEFT_SCHED_KEY_USER_AM_LIMIT, proto_cluster_resource_encode(q->am_limit));
	wjson_add_string(o, WEFT_SCHED_KEY_ORDERING_POLICY, q->ordering);
	wjson_add_string(o, WEFT_SCHED_KEY_ACL_SUBMIT, q->acl_submit != NULL ? q->acl_submit : "");
	wjson_add_bool(o, WEFT_SCHED_KEY_HIDE_RESERVATION, false);
	labels = json_object_new_array();
	json_object_array_add(labels, json_object_new_string("*"));
	wjson_add(o, WEFT_SCHED_KEY_NODE_LABELS, labels);
	wjson_add_int(o, WEFT_SCHED_KEY_DEFAULT_PRIORITY, 0);
	return o;
}

struct json_object *proto_cluster_scheduler_encode(const struct proto_cluster_scheduler *m)
{
	struct json_object *info = wjson_new_object();

	wjson_add_string(info, WEFT_KEY_TYPE, WEFT_SCHED_TYPE_CAPACITY);
	proto_cluster_add_percent(info, WEFT_SCHED_KEY_CAPACITY, 100.0);
	proto_cluster_add_percent(info, WEFT_SCHED_KEY_USED_CAPACITY,
	                          m->used_capacity >= 0 ? m->used_capacity : 0.0);
	proto_cluster_add_percent(info, WEFT_SCHED_KEY_MAX_CAPACITY, 100.0);
	wjson_add_string(info, WEFT_SCHED_KEY_QUEUE_NAME, "root");
	wjson_add_string(info, WEFT_SCHED_KEY_QUEUE_PATH, "root");
	wjson_add_string(info, WEFT_SCHED_KEY_QUEUES_SOURCE, m->source);
	wjson_add(info, WEFT_SCHED_KEY_QUEUES, proto_cluster_children_encode(m, -1));
	if (m->has_used)
		wjson_add(info, WEFT_SCHED_KEY_RESOURCES_USED,
		          proto_cluster_resource_encode(m->used));
	return proto_cluster_wrap(WEFT_SCHED_KEY_SCHEDULER,
	                          proto_cluster_wrap(WEFT_SCHED_KEY_SCHEDULER_INFO, info));
}

/* ------------------------------------------------------------------ */
/* The scheduler: decoding. */

/* A list that JAXB may have written as its one element (or null). */
static struct json_object *proto_cluster_jaxb_list(struct json_object *obj, const char *key)
{
	struct json_object *items = NULL, *one;

	if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &items) || items == NULL)
		return NULL;
	if (json_object_is_type(items, json_type_array))
		return json_object_get(items);
	one = json_object_new_array();
	json_object_array_add(one, json_object_get(items));
	return one;
}

struct json_object *proto_cluster_queue_children(struct json_object *queue)
{
	struct json_object *queues = NULL;

	if (queue == NULL || !json_object_is_type(queue, json_type_object) ||
	    !json_object_object_get_ex(queue, WEFT_SCHED_KEY_QUEUES, &queues) ||
	    !json_object_is_type(queues, json_type_object))
		return NULL;
	return proto_cluster_jaxb_list(queues, WEFT_KEY_QUEUE);
}

struct json_object *proto_cluster_scheduler_info(struct json_object *body, char **cause)
{
	struct json_object *sched = NULL, *info = NULL;

	if (wjson_get_object(body, "", WEFT_SCHED_KEY_SCHEDULER, true, &sched, cause) != 0 ||
	    wjson_get_object(sched, WEFT_SCHED_KEY_SCHEDULER, WEFT_SCHED_KEY_SCHEDULER_INFO, true,
	                     &info, cause) != 0)
		return NULL;
	return info;
}

/* An optional {"memory":..,"vCores":..}. */
static int proto_cluster_resource_decode(struct json_object *o, const char *path, const char *key,
                                         struct proto_cluster_resource *r, char **cause)
{
	struct json_object *res = NULL;
	char *sub;
	int rc;

	if (wjson_get_object(o, path, key, false, &res, cause) != 0)
		return -1;
	if (res == NULL)
		return 0;
	sub = xasprintf("%s.%s", path, key);
	rc = 0;
	if (wjson_get_int(res, sub, WEFT_KEY_MEMORY, true, 0, PROTO_CLUSTER_MAX_COUNT, &r->memory,
	                  cause) != 0 ||
	    wjson_get_int(res, sub, WEFT_KEY_VCORES_RESOURCE, true, 0, PROTO_CLUSTER_MAX_COUNT,
	                  &r->vcores, cause) != 0)
		rc = -1;
	free(sub);
	return rc;
}

/* An optional percentage (-1 when absent). */
static int proto_cluster_percent_decode(struct json_object *o, const char *path, const char *key,
                                        double *out, char **cause)
{
	*out = -1;
	return wjson_get_number(o, path, key, false, 0, PROTO_CLUSTER_MAX_PERCENT, out, cause);
}

#define QUEUE_PERCENT(key, member)                                                                 \
	{                                                                                          \
		key, offsetof(struct proto_cluster_queue, member)                                  \
	}
#define QUEUE_COUNT(key, member)                                                                   \
	{                                                                                          \
		key, offsetof(struct proto_cluster_queue, member)                                  \
	}
#define QUEUE_STRING(key, member)                                                                  \
	{                                                                                          \
		key, offsetof(struct proto_cluster_queue, member)                                  \
	}

static const struct {
	const char *key;
	size_t offset;
} proto_cluster_queue_percents[] =
        {
                QUEUE_PERCENT(WEFT_SCHED_KEY_CAPACITY, capacity),
                QUEUE_PERCENT(WEFT_SCHED_KEY_USED_CAPACITY, used_capacity),
                QUEUE_PERCENT(WEFT_SCHED_KEY_MAX_CAPACITY, max_capacity),
                QUEUE_PERCENT(WEFT_SCHED_KEY_ABS_CAPACITY, abs_capacity),
                QUEUE_PERCENT(WEFT_SCHED_KEY_ABS_MAX_CAPACITY, abs_max_capacity),
                QUEUE_PERCENT(WEFT_SCHED_KEY_ABS_USED_CAPACITY, abs_used_capacity),
                QUEUE_PERCENT(WEFT_SCHED_KEY_USER_LIMIT_FACTOR, user_limit_factor),
                QUEUE_PERCENT(WEFT_SCHED_KEY_MAX_AM_PERCENT, am_percent),
},
  proto_cluster_queue_strings[] = {
          QUEUE_STRING(WEFT_SCHED_KEY_QUEUE_PATH, path),
          QUEUE_STRING(WEFT_KEY_STATE, state),
          QUEUE_STRING(WEFT_SCHED_KEY_ORDERING_POLICY, ordering),
          QUEUE_STRING(WEFT_SCHED_KEY_ACL_SUBMIT, acl_submit),
};

static const struct proto_cluster_count proto_cluster_queue_counts[] = {
        QUEUE_COUNT(WEFT_SCHED_KEY_NUM_APPLICATIONS, n_apps),
        QUEUE_COUNT(WEFT_KEY_NUM_CONTAINERS, n_containers),
        QUEUE_COUNT(WEFT_SCHED_KEY_NUM_ACTIVE_APPS, n_active),
        QUEUE_COUNT(WEFT_SCHED_KEY_NUM_PENDING_APPS, n_pending),
        QUEUE_COUNT(WEFT_SCHED_KEY_MAX_APPS, max_apps),
        QUEUE_COUNT(WEFT_SCHED_KEY_MAX_APPS_PER_USER, max_apps_per_user),
        QUEUE_COUNT(WEFT_SCHED_KEY_MAX_PARALLEL_APPS, max_parallel),
        QUEUE_COUNT(WEFT_SCHED_KEY_USER_LIMIT, user_limit),
};

/* users: null, or {"user":[...]} (a bare object for one). */
static int proto_cluster_users_decode(struct json_object *o, const char *path,
                                      struct proto_cluster_queue *q, char **cause)
{
	struct json_object *users = NULL, *list;
	char *list_path, *item_path;
	size_t n;
	int rc = 0;

	if (wjson_get_object(o, path, WEFT_SCHED_KEY_USERS, false, &users, cause) != 0)
		return -1;
	list = proto_cluster_jaxb_list(users, WEFT_KEY_USER);
	if (list == NULL)
		return 0;
	n = json_object_array_length(list);
	list_path = xasprintf("%s.%s.%s", path, WEFT_SCHED_KEY_USERS, WEFT_KEY_USER);
	if (n > PROTO_CLUSTER_MAX_USERS) {
		rc = set_cause(cause, "%s: more than %d entries", list_path,
		               PROTO_CLUSTER_MAX_USERS);
		n = 0;
	}
	q->users = n > 0 ? xcalloc(n, sizeof *q->users) : NULL;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct proto_cluster_user *u = &q->users[i];
		struct json_object *item;

		if (wjson_array_object(list, list_path, i, &item, cause) != 0) {
			rc = -1;
			break;
		}
		item_path = xasprintf("%s[%zu]", list_path, i);
		if (wjson_get_text(item, item_path, WEFT_SCHED_KEY_USERNAME, true,
		                   PROTO_CLUSTER_TEXT_MAX, &u->name, cause) != 0 ||
		    proto_cluster_resource_decode(item, item_path, WEFT_SCHED_KEY_RESOURCES_USED,
		                                  &u->used, cause) != 0 ||
		    proto_cluster_resource_decode(item, item_path, WEFT_SCHED_KEY_AM_RESOURCE_USED,
		                                  &u->am_used, cause) != 0 ||
		    proto_cluster_resource_decode(item, item_path,
		                                  WEFT_SCHED_KEY_USER_RESOURCE_LIMIT, &u->limit,
		                                  cause) != 0 ||
		    wjson_get_int(item, item_path, WEFT_SCHED_KEY_NUM_ACTIVE_APPS, false, 0,
		                  PROTO_CLUSTER_MAX_COUNT, &u->n_active, cause) != 0 ||
		    wjson_get_int(item, item_path, WEFT_SCHED_KEY_NUM_PENDING_APPS, false, 0,
		                  PROTO_CLUSTER_MAX_COUNT, &u->n_pending, cause) != 0)
			rc = -1;
		free(item_path);
		q->n_users = (int)i + 1;
	}
	free(list_path);
	json_object_put(list);
	return rc;
}

/* One queue object at path: fields, then its children (depth first). */
static int proto_cluster_queue_decode(struct json_object *o, const char *path, int parent,
                                      struct proto_cluster_scheduler *m, int *alloc, char **cause);

/* The children of obj (root's schedulerInfo or a parent queue). */
static int proto_cluster_children_decode(struct json_object *obj, const char *path, int parent,
                                         struct proto_cluster_scheduler *m, int *alloc,
                                         char **cause)
{
	struct json_object *queues = NULL, *list, *item;
	char *list_path, *item_path;
	int rc = 0;

	if (wjson_get_object(obj, path, WEFT_SCHED_KEY_QUEUES, false, &queues, cause) != 0)
		return -1;
	list = proto_cluster_jaxb_list(queues, WEFT_KEY_QUEUE);
	if (list == NULL)
		return 0;
	list_path = *path != '\0'
	                    ? xasprintf("%s.%s.%s", path, WEFT_SCHED_KEY_QUEUES, WEFT_KEY_QUEUE)
	                    : xasprintf("%s.%s", WEFT_SCHED_KEY_QUEUES, WEFT_KEY_QUEUE);
	for (size_t i = 0; i < json_object_array_length(list) && rc == 0; i++) {
		if (wjson_array_object(list, list_path, i, &item, cause) != 0) {
			rc = -1;
			break;
		}
		item_path = xasprintf("%s[%zu]", list_path, i);
		rc = proto_cluster_queue_decode(item, item_path, parent, m, alloc, cause);
		free(item_path);
	}
	free(list_path);
	json_object_put(list);
	return rc;
}

static int proto_cluster_queue_decode(struct json_object *o, const char *path, int parent,
                                      struct proto_cluster_scheduler *m, int *alloc, char **cause)
{
	struct proto_cluster_queue *q;
	int self;

	if (m->n_queues >= PROTO_CLUSTER_MAX_QUEUES)
		return set_cause(cause, "%s: more than %d queues", path, PROTO_CLUSTER_MAX_QUEUES);
	if (m->n_queues == *alloc) {
		*alloc = *alloc > 0 ? 2 * *alloc : 8;
		m->queues = xreallocarray(m->queues, (size_t)*alloc, sizeof *m->queues);
	}
	self = m->n_queues++;
	q = &m->queues[self];
	memset(q, 0, sizeof *q);
	q->parent = parent;
	q->leaf = !json_object_object_get_ex(o, WEFT_SCHED_KEY_QUEUES, NULL);
	if (wjson_get_text(o, path, WEFT_SCHED_KEY_QUEUE_NAME, true, PROTO_CLUSTER_TEXT_MAX,
	                   &q->name, cause) != 0 ||
	    proto_cluster_counts_decode(o, path, q, proto_cluster_queue_counts,
	                                sizeof proto_cluster_queue_counts /
	                                        sizeof *proto_cluster_queue_counts,
	                                false, 0, cause) != 0 ||
	    wjson_get_bool(o, path, WEFT_SCHED_KEY_PREEMPTION_DISABLED, false,
	                   &q->preemption_disabled, cause) != 0 ||
	    proto_cluster_resource_decode(o, path, WEFT_SCHED_KEY_RESOURCES_USED, &q->used,
	                                  cause) != 0 ||
	    proto_cluster_resource_decode(o, path, WEFT_SCHED_KEY_USED_AM_RESOURCE, &q->am_used,
	                                  cause) != 0 ||
	    proto_cluster_resource_decode(o, path, WEFT_SCHED_KEY_AM_RESOURCE_LIMIT, &q->am_limit,
	                                  cause) != 0)
		return -1;
	for (size_t i = 0;
	     i < sizeof proto_cluster_queue_percents / sizeof *proto_cluster_queue_percents; i++) {
		if (proto_cluster_percent_decode(
		            o, path, proto_cluster_queue_percents[i].key,
		            (double *)((char *)q + proto_cluster_queue_percents[i].offset),
		            cause) != 0)
			return -1;
	}
	for (size_t i = 0;
	     i < sizeof proto_cluster_queue_strings / sizeof *proto_cluster_queue_strings; i++) {
		if (wjson_get_text(
		            o, path, proto_cluster_queue_strings[i].key, false,
		            PROTO_CLUSTER_TEXT_MAX,
		            (const char **)((char *)q + proto_cluster_queue_strings[i].offset),
		            cause) != 0)
			return -1;
	}
	if (proto_cluster_users_decode(o, path, q, cause) != 0)
		return -1;
	/* q moves when the list grows: only indexes from here on. */
	return proto_cluster_children_decode(o, path, self, m, alloc, cause);
}

int proto_cluster_scheduler_decode(struct json_object *body, struct proto_cluster_scheduler *m,
                                   char **cause)
{
	static const char path[] = WEFT_SCHED_KEY_SCHEDULER "." WEFT_SCHED_KEY_SCHEDULER_INFO;
	struct json_object *info;
	int alloc = 0;

	memset(m, 0, sizeof *m);
	m->used_capacity = -1;
	if ((info = proto_cluster_scheduler_info(body, cause)) == NULL)
		return -1;
	if (proto_cluster_percent_decode(info, path, WEFT_SCHED_KEY_USED_CAPACITY,
	                                 &m->used_capacity, cause) != 0 ||
	    wjson_get_text(info, path, WEFT_SCHED_KEY_QUEUES_SOURCE, false, PROTO_CLUSTER_TEXT_MAX,
	                   &m->source, cause) != 0 ||
	    proto_cluster_resource_decode(info, path, WEFT_SCHED_KEY_RESOURCES_USED, &m->used,
	                                  cause) != 0 ||
	    proto_cluster_children_decode(info, path, -1, m, &alloc, cause) != 0) {
		proto_cluster_scheduler_clear(m);
		return -1;
	}
	m->has_used = json_object_object_get_ex(info, WEFT_SCHED_KEY_RESOURCES_USED, NULL);
	return 0;
}

void proto_cluster_scheduler_clear(struct proto_cluster_scheduler *m)
{
	for (int i = 0; i < m->n_queues; i++)
		free(m->queues[i].users);
	free(m->queues);
	m->queues = NULL;
	m->n_queues = 0;
}

/* ------------------------------------------------------------------ */
/* The refresh's answer. */

struct json_object *proto_cluster_refreshed_encode(const struct proto_cluster_refreshed *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_bool(o, WEFT_SCHED_KEY_REFRESHED, true);
	wjson_add_string(o, WEFT_SCHED_KEY_SOURCE, m->source);
	wjson_add_int(o, WEFT_SCHED_KEY_QUEUES, m->queues);
	return o;
}

int proto_cluster_refreshed_decode(struct json_object *body, struct proto_cluster_refreshed *m,
                                   char **cause)
{
	bool refreshed = false;

	memset(m, 0, sizeof *m);
	if (wjson_get_bool(body, "", WEFT_SCHED_KEY_REFRESHED, true, &refreshed, cause) != 0 ||
	    wjson_get_text(body, "", WEFT_SCHED_KEY_SOURCE, true, PROTO_CLUSTER_TEXT_MAX,
	                   &m->source, cause) != 0 ||
	    wjson_get_int(body, "", WEFT_SCHED_KEY_QUEUES, true, 0, PROTO_CLUSTER_MAX_QUEUES,
	                  &m->queues, cause) != 0)
		return -1;
	if (!refreshed)
		return set_cause(cause, "%s: false", WEFT_SCHED_KEY_REFRESHED);
	return 0;
}
