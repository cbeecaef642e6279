/*
 * cli_queue.h — `weft queue list|status` over /ws/v1/cluster/scheduler
 * (like `yarn queue -status`) and `weft admin refresh-queues` (like `yarn
 * rmadmin -refreshQueues`), which signs its call with the cluster secret.
 *
 * Each command returns the tool's exit status: 0 done, 1 the RM said no,
 * could not be reached, or (status) the queue does not exist.
 */
#ifndef WEFT_CLI_QUEUE_H
#define WEFT_CLI_QUEUE_H

#include <json-c/json.h>
#include <stdio.h>

#include "cli/cli_args.h"

struct config;
struct weft_client;

int cli_queue_list(const struct cli_args *args, struct weft_client *client, FILE *out, FILE *err);
int cli_queue_status(const struct cli_args *args, struct weft_client *client, FILE *out, FILE *err);
/* client: on the RM's internal listener (rm.rpc-address). */
int cli_admin_refresh_queues(const struct config *cfg, struct weft_client *client, FILE *out,
                             FILE *err);

/* Renderings of the RM's {"scheduler":{"schedulerInfo":...}} answer (for
 * tests too).  RET 0, or -1 with *cause when root is not that shape or
 * (status) has no queue of that name or path. */
int cli_queue_table(FILE *out, struct json_object *root, char **cause);
int cli_queue_report(FILE *out, struct json_object *root, const char *name, char **cause);
/* The queue object named name (queueName or queuePath), borrowed; NULL
 * when none. */
struct json_object *cli_queue_find(struct json_object *root, const char *name);

#endif
