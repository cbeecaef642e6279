/*
 * report.h — human-readable renderings of the RM's REST answers.
 *
 * Input is the RM's JSON exactly as /ws/v1/cluster/apps, /apps/{id} and
 * /nodes return it (YARN's shapes, including YARN's null for an empty
 * collection: {"apps":null}).  Output imitates `yarn application -list`,
 * `yarn application -status` and `yarn node -list`.
 */
#ifndef WEFT_CLI_REPORT_H
#define WEFT_CLI_REPORT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

/* {"apps":{"app":[...]}} as a table.  RET 0 / -1 *cause when the answer
 * is not that shape. */
int report_apps_table(FILE *out, struct json_object *root, char **cause);
/* {"app":{...}} as YARN's "Application Report". */
int report_app_status(FILE *out, struct json_object *root, char **cause);
/* {"nodes":{"node":[...]}} as a table; unless all, only nodes that can
 * run containers (NEW, RUNNING, UNHEALTHY, DECOMMISSIONING). */
int report_nodes_table(FILE *out, struct json_object *root, bool all, char **cause);
/* Whether a node in this state is listed without --all. */
bool report_node_state_active(const char *state);

/*
 * The array inside a YARN collection: root[outer][inner], where the
 * collection may be null, missing, an empty object, or (as some YARN
 * versions do for one element) a bare object.  RET a new array the caller
 * puts, or NULL with *cause when root[outer] is absent or of a wrong type.
 */
struct json_object *report_collection(struct json_object *root, const char *outer,
                                      const char *inner, char **cause);

/* A field as display text: strings as they are, numbers in decimal, null
 * or missing as "N/A" (caller frees). */
char *report_field(struct json_object *obj, const char *key);

#endif
