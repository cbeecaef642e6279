/*
 * scheduler.h — the one interface the rest of the RM uses to place
 * containers.  Today's implementation (scheduler.c) is a single FIFO queue
 * "default"; a capacity or fair scheduler replaces it by implementing these
 * functions, nothing else in the RM changes.
 *
 * What the scheduler owns: the nodes' capacity and usage, each application
 * attempt's outstanding asks, and the live containers it has allocated
 * (node, resource, priority), because that is what resource accounting
 * needs.  It does not own application or container lifecycles (the app
 * manager does) and never talks to the network: every call is synchronous
 * and answers from memory, and it never calls back into other modules.
 *
 * Event-driven use: callers change the picture (node added or freed room,
 * asks updated, containers completed or released) and then call
 * scheduler_allocate(), which hands back every grant that fits right now.
 * Nothing runs on a timer.
 *
 * Naming: an "attempt" is YARN's scheduler application attempt; asks and
 * containers belong to one attempt.  Ids are YARN's text ids.
 */
#ifndef WEFT_RM_SCHEDULER_H
#define WEFT_RM_SCHEDULER_H

#include <stdbool.h>
#include <stdint.h>

#include "weft/ids.h"
#include "weft/resource.h"

struct scheduler;

enum scheduler_placement {
	SCHEDULER_SPREAD, /* the node with the most free room */
	SCHEDULER_PACK,   /* the first node (in registration order) it fits on */
};

struct scheduler_options {
	weft_resource_t minimum; /* rm.scheduler.minimum-allocation-{mb,vcores} */
	weft_resource_t maximum; /* rm.scheduler.maximum-allocation-{mb,vcores} */
	enum scheduler_placement placement;
};

/* One line of an attempt's ask table (YARN's ResourceRequest, keyed by
 * priority).  count is the total still wanted at that priority; it
 * replaces the previous count, 0 withdraws. */
struct scheduler_ask {
	int32_t priority; /* lower number = served first */
	int32_t count;
	weft_resource_t capability; /* as asked; normalized by the scheduler */
	const char *const *nodes;   /* node-id hints, may be NULL */
	int n_nodes;
	bool relax_locality; /* false: only the hinted nodes */
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
	int64_t allocated_ms; /* wall clock */
};

struct scheduler_node_usage {
	weft_resource_t capacity;
	weft_resource_t used;
	int n_containers;
	bool schedulable;
};

struct scheduler_usage {
	weft_resource_t total;     /* capacity of schedulable nodes */
	weft_resource_t used;      /* allocated on schedulable nodes */
	weft_resource_t allocated; /* allocated anywhere */
	int n_containers;          /* live containers */
	int n_pending;             /* containers asked for and not placed (AMs included) */
	weft_resource_t pending;   /* their resources */
	int n_nodes;               /* schedulable nodes */
};

struct scheduler_attempt_usage {
	weft_resource_t used;
	int n_containers;
	/* Sum over the live containers of resource x time since allocation,
	 * in MB-milliseconds and vcore-milliseconds. */
	int64_t memory_ms;
	int64_t vcore_ms;
};

struct scheduler *scheduler_new(const struct scheduler_options *opts);
/* Free everything (nodes, attempts, containers). */
void scheduler_free(struct scheduler *s);

/* --- limits and validation (no state change) --- */
weft_resource_t scheduler_minimum_allocation(const struct scheduler *s);
weft_resource_t scheduler_maximum_allocation(const struct scheduler *s);
/* YARN's normalization: round up to multiples of the minimum; RET 0 and
 * *out, or -1 with *cause (InvalidResourceRequestException text) for a
 * negative ask or one above the maximum. */
int scheduler_normalize(const struct scheduler *s, weft_resource_t ask, weft_resource_t *out,
                        char **cause);
/* RET 0 when applications may be submitted to queue, else -1 *cause. */
int scheduler_validate_queue(const struct scheduler *s, const char *queue, char **cause);
/* Check an ask table as scheduler_update_asks() would, changing nothing. */
int scheduler_validate_asks(const struct scheduler *s, const struct scheduler_ask *asks, int n,
                            char **cause);

/* --- nodes --- */
/* Add a node, or update the capacity of a known one. */
void scheduler_node_add(struct scheduler *s, const char *node_id, weft_resource_t capacity);
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
/* Whether a minimum-sized container fits on the node now. */
bool scheduler_node_has_room(const struct scheduler *s, const char *node_id);
void scheduler_usage(const struct scheduler *s, struct scheduler_usage *out);

/* --- application attempts --- */
/*
 * Add an attempt.  IN order: FIFO position (the application's submission
 * sequence; a retry keeps its application's place); queue and user for
 * queue policy; am_resource: the normalized AM container, or zero for an
 * unmanaged AM.  Container ids are made from the attempt id, numbered from
 * 1 (the AM container).  RET 0, -1 if the attempt is already known.
 */
int scheduler_attempt_add(struct scheduler *s, const char *attempt_id, uint64_t order,
                          const char *queue, const char *user, weft_resource_t am_resource);
/* Remove an attempt with its asks; its live containers are dropped from
 * the books and listed in *containers (caller frees).  RET the count. */
int scheduler_attempt_remove(struct scheduler *s, const char *attempt_id,
                             struct scheduler_container **containers);
/* The attempt wants nothing more (its AM unregistered, or it ended): drop
 * its asks and a pending AM container; live containers stay booked until
 * they complete. */
void scheduler_attempt_stop(struct scheduler *s, const char *attempt_id);
/* Replace the asks at the given priorities (others unchanged).  All or
 * nothing: RET 0, or -1 with *cause and no change. */
int scheduler_update_asks(struct scheduler *s, const char *attempt_id,
                          const struct scheduler_ask *asks, int n, char **cause);
void scheduler_attempt_usage(const struct scheduler *s, const char *attempt_id, int64_t now_ms,
                             struct scheduler_attempt_usage *out);

/* --- containers --- */
/*
 * Place whatever fits now: AM containers and asks of attempts in FIFO
 * order, by priority within an attempt, on nodes chosen by the placement
 * policy.  RET the number of grants in *grants (caller frees; NULL when
 * 0).
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

#endif
