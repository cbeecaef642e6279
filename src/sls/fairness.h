/*
 * fairness.h — each followed queue's share of the cluster, polled from
 * the RM under test.
 *
 * Source: GET /ws/v1/cluster/scheduler (the Capacity Scheduler's JSON:
 * queues.queue[] with queueName/queuePath, absoluteCapacity and
 * absoluteUsedCapacity, nested for parent queues).  An RM without that
 * endpoint (404), or whose scheduler lists no queues, is read through
 * GET /ws/v1/cluster/apps?states=RUNNING instead: allocatedMB summed per
 * queue over the simulated cluster's memory.  Only queues named in the
 * scenario ([queue PATH]) are followed, and nothing is polled without
 * them (a large /apps answer every second would load the RM under test).
 */
#ifndef WEFT_SLS_FAIRNESS_H
#define WEFT_SLS_FAIRNESS_H

#include <stdbool.h>

struct sls;
struct fairness;

struct fairness *fairness_new(struct sls *sls);
void fairness_free(struct fairness *f);
/* Ask for the current shares (one poll at a time; the answer updates
 * what fairness_share returns). */
void fairness_poll(struct fairness *f);
/* Latest share of the scenario's queue i and its guarantee (the
 * scenario's, else the RM's absoluteCapacity), both percent of the
 * cluster.  RET false while unknown. */
bool fairness_share(const struct fairness *f, int i, double *share, double *guarantee);
/* Where the shares come from: "scheduler", "apps" or "none". */
const char *fairness_source(const struct fairness *f);

#endif
