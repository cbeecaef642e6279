/*
 * proto_cluster.h — the RM's public reports about the cluster as a whole
 * (weft/protocol.h, "cluster info, metrics and scheduler"): GET
 * /ws/v1/cluster/info, /metrics and /scheduler in YARN's shapes, the
 * queue refresh's answer.  One typed struct per message and an
 * encode/decode pair each, used by both ends: the RM's webapp and their
 * readers (weft-sls's fairness poll,
 * `weft queue` and `weft admin`, tests).
 *
 * Encoders take a filled struct and return the whole body.  Decoders
 * check every field's type, range and length; on failure they return -1
 * with *cause naming the field path ("scheduler.schedulerInfo.queues.
 * queue[1].absoluteCapacity: expected a number, got a string").  Strings
 * a decoder fills point into the decoded object; arrays are owned by the
 * struct (its _clear frees them).
 */
#ifndef WEFT_COMMON_PROTO_CLUSTER_H
#define WEFT_COMMON_PROTO_CLUSTER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* Caps a decoder enforces. */
#define PROTO_CLUSTER_TEXT_MAX    4096   /* a name, path, version, URL */
#define PROTO_CLUSTER_MAX_QUEUES  100000 /* queues in one tree */
#define PROTO_CLUSTER_MAX_USERS   100000 /* users of one queue */
#define PROTO_CLUSTER_MAX_COUNT   (INT64_C(1) << 53)
#define PROTO_CLUSTER_MAX_PERCENT 1e9 /* a percentage (used can pass 100) */

/* ------------------------------------------------------------------ */
/* GET /ws/v1/cluster/info: {"clusterInfo":{...}}. */

struct proto_cluster_info {
	int64_t id;         /* the RM's start time (ms), as YARN's cluster id */
	int64_t started_on; /* ms */
	const char *state;  /* "STARTED" */
	const char *ha_state;
	const char *state_store;
	const char *rm_version, *rm_build_version, *rm_built_on;
	const char *hadoop_version, *hadoop_build_version, *hadoop_built_on;
	const char *ha_zookeeper;
};
struct json_object *proto_cluster_info_encode(const struct proto_cluster_info *m);
int proto_cluster_info_decode(struct json_object *body, struct proto_cluster_info *m, char **cause);

/* ------------------------------------------------------------------ */
/* GET /ws/v1/cluster/metrics: {"clusterMetrics":{...}} (all counts). */

struct proto_cluster_metrics {
	int64_t apps_submitted, apps_completed, apps_pending, apps_running, apps_failed,
	        apps_killed;
	int64_t reserved_mb, available_mb, allocated_mb, total_mb;
	int64_t reserved_vcores, available_vcores, allocated_vcores, total_vcores;
	int64_t containers_allocated, containers_reserved, containers_pending;
	int64_t total_nodes, active_nodes, lost_nodes, unhealthy_nodes, decommissioning_nodes,
	        decommissioned_nodes, rebooted_nodes, shutdown_nodes;
};
struct json_object *proto_cluster_metrics_encode(const struct proto_cluster_metrics *m);
/* Every count must be there and not negative (available ones may be). */
int proto_cluster_metrics_decode(struct json_object *body, struct proto_cluster_metrics *m,
                                 char **cause);

/* ------------------------------------------------------------------ */
/* GET /ws/v1/cluster/scheduler: the Capacity Scheduler's queue tree. */

/* {"memory":..,"vCores":..} */
struct proto_cluster_resource {
	int64_t memory;
	int64_t vcores;
};

/* One user of a leaf queue (users.user[]). */
struct proto_cluster_user {
	const char *name;
	struct proto_cluster_resource used, am_used, limit;
	int64_t n_active, n_pending;
};

/*
 * One queue below root.  Percentages are 0..100 and over (a queue may use
 * more than it is guaranteed); a decoder sets an absent one to -1 and an
 * absent string to NULL (older RMs wrote no queuePath).
 */
struct proto_cluster_queue {
	int parent; /* index of the parent in the list; -1: a child of root */
	bool leaf;
	const char *name;
	const char *path;
	const char *state; /* RUNNING, STOPPED */
	double capacity, used_capacity, max_capacity;
	double abs_capacity, abs_max_capacity, abs_used_capacity;
	int64_t n_apps, n_containers;
	struct proto_cluster_resource used, reserved, pending;
	bool preemption_disabled;
	/* Leaves. */
	struct proto_cluster_resource am_used, am_limit;
	int64_t n_active, n_pending, max_apps, max_apps_per_user, max_parallel;
	int64_t user_limit; /* percent */
	double user_limit_factor, am_percent;
	const char *ordering;   /* orderingPolicyInfo: fifo, fair */
	const char *acl_submit; /* "" when none */
	struct proto_cluster_user *users;
	int n_users;
};

/* The whole tree: the queues below root, parents before children. */
struct proto_cluster_scheduler {
	double used_capacity; /* root's (-1: absent) */
	const char *source;   /* queuesSource: where the queues came from */
	bool has_used;        /* root's resourcesUsed */
	struct proto_cluster_resource used;
	struct proto_cluster_queue *queues;
	int n_queues;
};
struct json_object *proto_cluster_scheduler_encode(const struct proto_cluster_scheduler *m);
/* Reads YARN's JAXB forms too (a one-element list written as the element,
 * "users":null). */
int proto_cluster_scheduler_decode(struct json_object *body, struct proto_cluster_scheduler *m,
                                   char **cause);
void proto_cluster_scheduler_clear(struct proto_cluster_scheduler *m);

/* The answer's tree, for readers that show it as it is (`weft queue`):
 * schedulerInfo (borrowed) or NULL with *cause, and a queue object's
 * children (queues.queue as a new array, a bare object read as a list of
 * one) or NULL for a leaf. */
struct json_object *proto_cluster_scheduler_info(struct json_object *body, char **cause);
struct json_object *proto_cluster_queue_children(struct json_object *queue);

/* POST|PUT /ws/v1/cluster/scheduler/refresh: {"refreshed":true,
 * "source":"/path/queues.conf","queues":N}. */
struct proto_cluster_refreshed {
	const char *source;
	int64_t queues;
};
struct json_object *proto_cluster_refreshed_encode(const struct proto_cluster_refreshed *m);
int proto_cluster_refreshed_decode(struct json_object *body, struct proto_cluster_refreshed *m,
                                   char **cause);

#endif
