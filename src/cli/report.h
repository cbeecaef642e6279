/*
 * report.h — human-readable renderings of the RM's REST answers.
 *
 * Applications come as libweft's typed reports (weft/app.h); nodes as the
 * RM's JSON exactly as /ws/v1/cluster/nodes returns it (YARN's shapes,
 * including YARN's null for an empty collection: {"nodes":null}).  Output
 * imitates `yarn application -list`, `yarn application -status` and
 * `yarn node -list`.
 */
#ifndef WEFT_CLI_REPORT_H
#define WEFT_CLI_REPORT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "weft/app.h"

/* Applications as `yarn application -list`'s table. */
void report_apps_table(FILE *out, const struct weft_app_report *apps, int n);
/* One application as YARN's "Application Report". */
void report_app_status(FILE *out, const struct weft_app_report *r);
/* {"apps":{"app":[...]}} as the RM writes it, {"apps":null} when n is 0
 * (for -o json; caller puts). */
struct json_object *report_apps_json(const struct weft_app_report *apps, int n);
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
