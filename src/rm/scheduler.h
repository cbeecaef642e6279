/*
 * scheduler.h — the one interface the rest of the RM (and the in-process
 * benchmark) uses to place containers: hierarchical capacity queues with
 * elasticity, user limits, AM shares and ACLs; FIFO or fair (DRF)
 * ordering inside a leaf queue; node and rack locality with delay
 * scheduling; reservations for large asks; preemption.
 *
 * What the scheduler owns: the nodes' capacity and usage, the queue tree
 * (built from a struct queue_conf, see queues.h), each application
 * attempt's outstanding asks, and the live containers it has allocated
 * (node, resource, priority), because that is what resource accounting
 * needs.  It does not own application or container lifecycles (the app
 * manager does) and never talks to the network: every call is synchronous
 * and answers from memory, and it never calls back into other modules.
 *
 * Event-driven use: callers change the picture (node added or freed room,
 * asks updated, containers completed or released) and then call
 * scheduler_allocate(), which hands back every grant that fits right now.
 * Each scheduler_allocate() call is one "scheduling opportunity" for asks
 * waiting for locality (the RM calls it on every NM heartbeat from a node
 * with room, as YARN offers each heartbeating node).  Preemption is the
 * only periodic work: the caller runs scheduler_preempt() on a timer.
 *
 * Cost (n nodes, a applications, c containers, q queues): a grant is
 * O(log n + log a + depth x fanout of the queue tree); a completed
 * container O(depth) (O(log a) more in a fair queue), its node's O(log n)
 * share paid at the next scheduler_allocate; a call with nothing to do
 * O(1); a node change O(log n); scheduler_preempt O(c) over the
 * over-share queues (tests/bench/scheduler_bench measures them).
 *
 * Naming: an "attempt" is YARN's scheduler application attempt; asks and
 * containers belong to one attempt.  Ids are YARN's text ids.  An
 * attempt's queue is named by the leaf's name ("etl") or path
 * ("root.prod.etl").
 */
#ifndef WEFT_RM_SCHEDULER_H
#define WEFT_RM_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weft/ids.h"
#include "weft/resource.h"

struct scheduler;
struct queue_conf;

enum scheduler_placement {
	SCHEDULER_SPREAD, /* the node with the most free room */
	SCHEDULER_PACK,   /* the first node (in registration order) it fits on */
};

struct scheduler_options {
	weft_resource_t minimum; /* rm.scheduler.minimum-allocation-{mb,vcores} */
	weft_resource_t maximum; /* rm.scheduler.maximum-allocation-{mb,vcores} */
	enum scheduler_placement placement;
	/* Delay scheduling: scheduling opportunities an ask naming nodes
	 * waits for one of them before taking a node of their racks, and
	 * then before going anywhere (both capped at the number of nodes;
	 * 0 = no wait). */
	int node_locality_delay;
	int rack_locality_delay;
	/* Large asks that fit nowhere now reserve a node. */
	bool reservations;
	/* Preemption (scheduler_preempt does nothing when off). */
	bool preemption;
	int64_t preemption_wait_ms;  /* marked -> killed */
	double preemption_per_round; /* at most this share of the cluster per round */
};

/* Fill opts with the defaults (those of weft.conf(5)); set what you need
 * after.  Zeroed options are valid too (no delays, no reservations, no
 * preemption). */
void scheduler_options_default(struct scheduler_options *opts);

/* One line of an attempt's ask table (YARN's ResourceRequest, keyed by
 * priority).  count is the total still wanted at that priority; it
 * replaces the previous count, 0 withdraws. */
struct scheduler_ask {
	int32_t priority; /* lower number = served first */
	int32_t count;
	weft_resource_t capability; /* as asked; normalized by the scheduler */
	const char *const *nodes;   /* node ids ("host:port") or host names, may be NULL */
	int n_nodes;
	bool relax_locality;      /* false: only the named nodes and racks */
	const char *const *racks; /* rack names ("/rack1"), may be NULL */
	int n_racks;
};

/* A container the scheduler has just placed. */
struct scheduler_grant {
	char container_id[WEFT_ID_MAX];
	char attempt_id[WEFT_ID_MAX];
	char node_id[256];
	int32_t priority;
	weft_resource_t resource;
	bool am; /* the attempt's AM container */
};

/* What the scheduler knows of a live container. */
struct scheduler_container {
	char container_id[WEFT_ID_MAX];
	char attempt_id[WEFT_ID_MAX];
	char node_id[256];
	int32_t priority;
	weft_resource_t resource;
	bool am;
	int64_t allocated_ms;  /* wall clock */
	int64_t preempt_at_ms; /* marked for preemption: killed at this time; 0 = not marked */
};

struct scheduler_node_usage {
	weft_resource_t capacity;
	weft_resource_t used;
	int n_containers;
	bool schedulable;
	bool reserved; /* held for a large ask */
};

struct scheduler_usage {
	weft_resource_t total;     /* capacity of schedulable nodes */
	weft_resource_t used;      /* allocated on schedulable nodes */
	weft_resource_t allocated; /* allocated anywhere */
	int n_containers;          /* live containers */
	int n_pending;             /* containers asked for and not placed (AMs included) */
	weft_resource_t pending;   /* their resources */
	int n_nodes;               /* schedulable nodes */
	int n_reserved;            /* reserved nodes */
	weft_resource_t reserved;  /* what they are held for */
};

struct scheduler_attempt_usage {
	weft_resource_t used;
	int n_containers;
	/* Sum over the live containers of resource x time since allocation,
	 * in MB-milliseconds and vcore-milliseconds. */
	int64_t memory_ms;
	int64_t vcore_ms;
	int n_preempted_marked; /* live containers marked for preemption */
};

struct scheduler *scheduler_new(const struct scheduler_options *opts);
/* Free everything (nodes, attempts, containers, queues). */
void scheduler_free(struct scheduler *s);

/* --- queues --- */
/*
 * Replace the queue tree (the scheduler starts with queue_conf_default():
 * root.default at 100%).  Live attempts move to the leaf of the same path
 * and keep their containers and activation.  All or nothing: RET 0, or -1
 * with *cause and the old tree kept, when a queue that holds live
 * attempts is missing from conf or no longer a leaf.  conf is copied.
 */
int scheduler_set_queues(struct scheduler *s, const struct queue_conf *conf, char **cause);
/* Where the tree came from (a file name, or "built-in"). */
const char *scheduler_queues_source(const struct scheduler *s);
/* RET 0 when applications may be submitted to queue (a RUNNING leaf, by
 * name or path), else -1 *cause. */
int scheduler_validate_queue(const struct scheduler *s, const char *queue, char **cause);
/*
 * The submit check: queue is a RUNNING leaf (by name or path), user (a
 * member of groups) passes the submit ACL of the leaf or one of its
 * ancestors, and the leaf is below its maximum-applications.  RET 0 and
 * the leaf's name in leaf_out (QUEUE_NAME_MAX + 1 bytes), or -1 with
 * *cause and *denied (true when it is the ACL that refused).
 */
int scheduler_check_submit(const struct scheduler *s, const char *queue, const char *user,
                           const char *const *groups, int n_groups, char *leaf_out, bool *denied,
                           char **cause);
/* Whether the leaf named leaf is filter or lies below it (filter: a
 * queue's name or path).  For /apps?queue=. */
bool scheduler_queue_contains(const struct scheduler *s, const char *filter, const char *leaf);

struct scheduler_user_info {
	char name[64];
	weft_resource_t used;
	weft_resource_t am_used;
	weft_resource_t limit; /* user limit now */
	int n_active;          /* activated applications */
	int n_pending;         /* not yet activated */
};

/* One queue's snapshot (percentages are 0..100 and over). */
struct scheduler_queue_info {
	char name[65];
	char path[1024];
	int parent; /* index in the snapshot; -1 for the root */
	int depth;
	bool leaf;
	const char *state;                     /* "RUNNING" / "STOPPED" (effective) */
	const char *ordering;                  /* "fifo" / "fair" */
	double capacity, max_capacity;         /* of the parent */
	double abs_capacity, abs_max_capacity; /* of the cluster */
	double used_capacity;                  /* used / guaranteed */
	double abs_used_capacity;              /* used / cluster */
	weft_resource_t guaranteed, maximum;   /* the above in resources */
	weft_resource_t used, reserved, pending;
	int n_containers;
	int n_apps, n_active, n_pending; /* applications (subtree for parents) */
	/* Leaf queues only: */
	int64_t max_apps, max_parallel;
	int min_user_limit_percent;
	double user_limit_factor;
	double am_percent;
	weft_resource_t am_used, am_limit;
	bool preemption_disabled;
	const char *acl_submit; /* as configured */
	struct scheduler_user_info *users;
	int n_users;
};

/* Every queue, parents before children (index 0 is root).  RET the
 * count; free with scheduler_queue_infos_free. */
int scheduler_queue_infos(const struct scheduler *s, struct scheduler_queue_info **out);
void scheduler_queue_infos_free(struct scheduler_queue_info *infos, int n);

/* --- limits and validation (no state change) --- */
weft_resource_t scheduler_minimum_allocation(const struct scheduler *s);
weft_resource_t scheduler_maximum_allocation(const struct scheduler *s);
/* YARN's normalization: round up to multiples of the minimum; RET 0 and
 * *out, or -1 with *cause (InvalidResourceRequestException text) for a
 * negative ask or one above the maximum. */
int scheduler_normalize(const struct scheduler *s, weft_resource_t ask, weft_resource_t *out,
                        char **cause);
/* Check an ask table as scheduler_update_asks() would, changing nothing. */
int scheduler_validate_asks(const struct scheduler *s, const struct scheduler_ask *asks, int n,
                            char **cause);

/* --- nodes --- */
/* Add a node, or update the capacity of a known one. */
void scheduler_node_add(struct scheduler *s, const char *node_id, weft_resource_t capacity);
/* The node's rack (default "/default-rack"), for rack locality. */
void scheduler_node_set_rack(struct scheduler *s, const char *node_id, const char *rack);
/* Remove a node: its live containers are dropped from the books and
 * listed in *containers (caller frees the array) so the caller can
 * complete them toward their applications.  RET the count (0 if none or
 * unknown node). */
int scheduler_node_remove(struct scheduler *s, const char *node_id,
                          struct scheduler_container **containers);
/* Unhealthy nodes keep their containers but get no new ones. */
void scheduler_node_set_schedulable(struct scheduler *s, const char *node_id, bool schedulable);
/* RET 0 and *out, or -1 for an unknown node. */
int scheduler_node_usage(const struct scheduler *s, const char *node_id,
                         struct scheduler_node_usage *out);
/* Copy the node's live containers into *containers (caller frees).  RET
 * the count; 0 for an unknown node. */
int scheduler_node_containers(const struct scheduler *s, const char *node_id,
                              struct scheduler_container **containers);
/* Whether a minimum-sized container fits on the node now (a reserved
 * node counts when its reservation may be satisfied). */
bool scheduler_node_has_room(const struct scheduler *s, const char *node_id);
/* Cluster-wide figures, O(1). */
void scheduler_usage(const struct scheduler *s, struct scheduler_usage *out);

/* --- application attempts --- */
/*
 * Add an attempt.  IN order: FIFO position (the application's submission
 * sequence; a retry keeps its application's place); queue (a leaf, by
 * name or path: the caller checked it at submit; a retry is added even
 * to a STOPPED queue) and user for queue policy; am_resource: the
 * normalized AM container, or zero for an unmanaged AM.  The attempt is
 * activated (its AM container asked for) when its queue's AM share and
 * max-parallel-apps allow.  Container ids are made from the attempt id,
 * numbered from 1 (the AM container).  RET 0, -1 if the attempt is
 * already known, its id is malformed or the queue is not a leaf.
 */
int scheduler_attempt_add(struct scheduler *s, const char *attempt_id, uint64_t order,
                          const char *queue, const char *user, weft_resource_t am_resource);
/* Remove an attempt with its asks; its live containers are dropped from
 * the books and listed in *containers (caller frees).  RET the count. */
int scheduler_attempt_remove(struct scheduler *s, const char *attempt_id,
                             struct scheduler_container **containers);
/* The attempt wants nothing more (its AM unregistered, or it ended): drop
 * its asks, reservations and a pending AM container, and leave its
 * queue's running applications; live containers stay booked until they
 * complete. */
void scheduler_attempt_stop(struct scheduler *s, const char *attempt_id);
/* Replace the asks at the given priorities (others unchanged).  All or
 * nothing: RET 0, or -1 with *cause and no change. */
int scheduler_update_asks(struct scheduler *s, const char *attempt_id,
                          const struct scheduler_ask *asks, int n, char **cause);
void scheduler_attempt_usage(const struct scheduler *s, const char *attempt_id, int64_t now_ms,
                             struct scheduler_attempt_usage *out);
/*
 * Why the attempt's AM container is not placed yet, as one sentence for
 * the application's diagnostics ("Queue root.a's AM resource limit is
 * reached: ...", "No node is large enough: ..."); NULL when the attempt
 * is unknown or its AM container was placed.  Written into buf.
 */
const char *scheduler_attempt_wait_reason(const struct scheduler *s, const char *attempt_id,
                                          char *buf, size_t size);

/* --- containers --- */
/*
 * Place whatever fits now: reserved nodes that now fit their ask first;
 * then, repeatedly, the queue furthest below its guarantee (recursively
 * down the tree, within maximum capacities), its first application (FIFO
 * order, or smallest dominant share for a fair queue) within the user
 * limit, that application's AM container or asks by priority, on a node
 * chosen by locality (delay scheduling) and the placement policy.  RET
 * the number of grants in *grants (caller frees; NULL when 0).
 */
int scheduler_allocate(struct scheduler *s, struct scheduler_grant **grants);
/* The AM gives a container back.  RET 0 and *out (may be NULL), or -1
 * when the container is not a live container of that attempt. */
int scheduler_release(struct scheduler *s, const char *attempt_id, const char *container_id,
                      struct scheduler_container *out);
/* A container ended (NM report, node lost, expiry): free its room.  RET 0
 * and *out (may be NULL), -1 when unknown. */
int scheduler_container_completed(struct scheduler *s, const char *container_id,
                                  struct scheduler_container *out);
/* RET 0 and *out, or -1 when the container is not live. */
int scheduler_container_lookup(const struct scheduler *s, const char *container_id,
                               struct scheduler_container *out);

/* --- preemption --- */
/*
 * One round of the preemption policy (YARN's proportional capacity
 * policy): when a queue is below its guarantee with pending asks while
 * others use more than their fair assignment, mark containers of the
 * over-share queues to take back (newest application and lowest priority
 * first, AM containers last), unmark those no longer needed, and return
 * in *to_kill (caller frees) the marked containers whose wait has passed:
 * they are still booked; the caller stops them and completes them with
 * exit status -102 (PREEMPTED).  RET the count.  Does nothing when
 * preemption is off.
 */
int scheduler_preempt(struct scheduler *s, int64_t now_ms, struct scheduler_container **to_kill);
/* The attempt's containers marked for preemption (what the AM is told
 * in its allocate answer).  RET the count, *out (caller frees). */
int scheduler_attempt_preemptions(const struct scheduler *s, const char *attempt_id,
                                  struct scheduler_container **out);

#endif
