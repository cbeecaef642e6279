/*
 * scenario.h — weft-sls scenario files: the simulated cluster, the
 * applications that run on it and the figures it is judged by.
 *
 * Format: lines of "key = value" grouped in sections; '#' starts a
 * comment; blank lines are ignored.  Every key is checked (type and
 * range) and an unknown key or section is an error naming FILE:LINE.
 *
 *   [cluster]                     once
 *   name = text                   (default: the file's base name)
 *   duration-s = N                stop after N s even if apps still run (600)
 *   heartbeat-interval-ms = N     each simulated NM's heartbeat period (1000)
 *   heartbeat-on-complete = BOOL  an extra heartbeat as soon as a container
 *                                 ends, as weft-nm does (yes)
 *   am-interval-ms = N            AM allocate period with nothing asked (1000)
 *   am-pending-interval-ms = N    AM allocate period while asks wait (100)
 *   sample-interval-ms = N        figures and queue shares sampled (1000)
 *   fairness-from-s = N           queue shares are judged from N s after
 *   fairness-to-s = N             the first submission to M s (M 0 = end)
 *   fairness-tolerance = P        allowed |share - guarantee|, in points of
 *                                 the cluster (5)
 *
 *   [rm]                          weft.conf lines for the RM under test;
 *   key = value                   `weft-sls --rm-conf FILE` prints them and
 *                                 tests/bench/sls.sh writes them to weft.conf
 *
 *   [queues]                      the RM's queue tree (queues.conf lines, as
 *   root.queues = a, b            rm.scheduler.queues-file reads them);
 *   root.a.capacity = 30          `weft-sls --rm-queues FILE` prints them and
 *   ...                           sls.sh writes them to the conf dir's
 *                                 queues.conf
 *
 *   [nodes]                       repeatable: a group of identical NMs
 *   count = N
 *   memory-mb = N                 (8192)
 *   vcores = N                    (8)
 *   rack-size = N                 nodes per rack, /rack-NNNN (40)
 *
 *   [queue PATH]                  repeatable: a queue the report follows
 *   guarantee = P                 its guaranteed share, percent of the
 *                                 cluster (default: what the RM says)
 *
 *   [apps NAME]                   repeatable: a group of identical apps
 *   count = N                     (1)
 *   queue = PATH                  (default)
 *   user = NAME                   (sls)
 *   submit-at-s = N               first submission, s after all nodes
 *                                 registered (0)
 *   submit-spread-s = N           submissions spread evenly over N s (0)
 *   am-memory-mb, am-vcores       the AM container (1024, 1)
 *   am-start-ms = N               launch to register (50)
 *   containers = N                tasks per app, one container each (10)
 *   parallel = N                  at most N asked or running at once
 *                                 (default: all of them)
 *   memory-mb, vcores             each task container (1024, 1)
 *   duration-ms = N | N-M         task run time, fixed or uniform (1000)
 *   priority = N                  ask priority (1)
 *   node-hints = N                name N random nodes in each ask with
 *                                 relaxLocality true (0 = none)
 *   on-preempt = wait | release   what the AM does with containers the RM
 *                                 asks back: let them be killed (wait), or
 *                                 release them at once (release) (wait)
 */
#ifndef WEFT_SLS_SCENARIO_H
#define WEFT_SLS_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

struct scenario_nodes {
	int count;
	int64_t memory_mb;
	int64_t vcores;
	int rack_size;
};

struct scenario_queue {
	char *path;
	double guarantee; /* percent; < 0 = take the RM's */
};

struct scenario_apps {
	char *name;
	int count;
	char *queue;
	char *user;
	int64_t submit_at_ms;
	int64_t submit_spread_ms;
	int64_t am_memory_mb;
	int64_t am_vcores;
	int64_t am_start_ms;
	int containers;
	int parallel;
	int64_t memory_mb;
	int64_t vcores;
	int64_t duration_min_ms;
	int64_t duration_max_ms;
	int priority;
	int node_hints;
	bool release_preempted;
};

struct scenario {
	char *name;
	int64_t duration_ms;
	int64_t heartbeat_ms;
	bool heartbeat_on_complete;
	int64_t am_interval_ms;
	int64_t am_pending_interval_ms;
	int64_t sample_ms;
	int64_t fairness_from_ms; /* < 0: no fairness verdict */
	int64_t fairness_to_ms;   /* 0: the end */
	double fairness_tolerance;

	char **rm_lines; /* "key = value" */
	int n_rm_lines;
	char **queue_lines; /* "key = value" of queues.conf */
	int n_queue_lines;

	struct scenario_nodes *nodes;
	int n_nodes;
	struct scenario_queue *queues;
	int n_queues;
	struct scenario_apps *apps;
	int n_apps;
};

/* Read a scenario file.  RET the scenario, or NULL with *cause
 * ("FILE:LINE: ..."). */
struct scenario *scenario_load(const char *path, char **cause);
/* Parse scenario text (path names it in messages). */
struct scenario *scenario_parse(const char *path, const char *text, char **cause);
void scenario_free(struct scenario *sc);

/* Totals over the groups. */
int scenario_node_count(const struct scenario *sc);
int scenario_app_count(const struct scenario *sc);
int64_t scenario_container_count(const struct scenario *sc);

#endif
