/*
 * cli_queue.c — `weft queue list|status` and `weft admin refresh-queues`
 * (see cli_queue.h).
 *
 * The scheduler's answer nests queues ("queues":{"queue":[...]} inside
 * each parent); the table walks it depth first, one row per queue with
 * its path, so a hierarchy reads top to bottom.
 */
#include "weft_config.h"

#include "cli/cli_queue.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_call.h"
#include "cli/report.h"
#include "cli/table.h"
#include "common/config.h"
#include "common/daemon.h"
#include "common/proto_cluster.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "weft/client.h"
#include "weft/protocol.h"

#define CLI_QUEUE_REFRESH_PATH WEFT_RPC_ADMIN_REFRESH_QUEUES

/* schedulerInfo of the answer, or NULL with *cause. */
static struct json_object *cli_queue_info(struct json_object *root, char **cause)
{
	struct json_object *info;
	char *why = NULL;

	info = proto_cluster_scheduler_info(root, &why);
	if (info == NULL) {
		set_cause(cause, "unexpected answer: %s", why != NULL ? why : "?");
		free(why);
	}
	return info;
}

/* A number field, or fallback. */
static double cli_queue_number(struct json_object *o, const char *key, double fallback)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v) ||
	    (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int)))
		return fallback;
	return json_object_get_double(v);
}

/* "12.50%" (caller frees). */
static char *cli_queue_percent(struct json_object *o, const char *key)
{
	double v = cli_queue_number(o, key, NAN);

	return isnan(v) ? xstrdup("N/A") : xasprintf("%.2f%%", v);
}

/* A {"memory":..,"vCores":..} field as "<memory:M, vCores:V>". */
static char *cli_queue_resource(struct json_object *o, const char *key)
{
	struct json_object *r = NULL;

	if (!json_object_object_get_ex(o, key, &r) || !json_object_is_type(r, json_type_object))
		return xstrdup("N/A");
	return xasprintf("<memory:%.0f, vCores:%.0f>", cli_queue_number(r, WEFT_KEY_MEMORY, 0),
	                 cli_queue_number(r, WEFT_KEY_VCORES_RESOURCE, 0));
}

/* Children of a queue object (a new array, or NULL). */
static struct json_object *cli_queue_children(struct json_object *q)
{
	return proto_cluster_queue_children(q);
}

/* Whether a queue object is a leaf. */
static bool cli_queue_is_leaf(struct json_object *q)
{
	struct json_object *children = cli_queue_children(q);

	json_object_put(children);
	return children == NULL;
}

/* One table row per queue, depth first. */
static void cli_queue_rows(struct table *t, struct json_object *q, const char *parent_path)
{
	struct json_object *children = cli_queue_children(q);
	char *name = report_field(q, WEFT_SCHED_KEY_QUEUE_NAME);
	char *path = report_field(q, WEFT_SCHED_KEY_QUEUE_PATH);
	char *state = report_field(q, WEFT_KEY_STATE);
	char *cap = cli_queue_percent(q, WEFT_SCHED_KEY_CAPACITY);
	char *max = cli_queue_percent(q, WEFT_SCHED_KEY_MAX_CAPACITY);
	char *used = cli_queue_percent(q, WEFT_SCHED_KEY_USED_CAPACITY);
	char *abs = cli_queue_percent(q, WEFT_SCHED_KEY_ABS_USED_CAPACITY);
	char *apps = report_field(q, WEFT_SCHED_KEY_NUM_APPLICATIONS);
	char *pending =
	        children == NULL ? report_field(q, WEFT_SCHED_KEY_NUM_PENDING_APPS) : xstrdup("");
	char *containers = report_field(q, WEFT_KEY_NUM_CONTAINERS);
	char *res = cli_queue_resource(q, WEFT_SCHED_KEY_RESOURCES_USED);
	const char *row[10];

	if (strcmp(path, "N/A") == 0) {
		free(path);
		path = parent_path != NULL ? xasprintf("%s.%s", parent_path, name) : xstrdup(name);
	}
	row[0] = path;
	row[1] = state;
	row[2] = cap;
	row[3] = max;
	row[4] = used;
	row[5] = abs;
	row[6] = apps;
	row[7] = pending;
	row[8] = containers;
	row[9] = res;
	table_add_row(t, row);
	for (size_t i = 0; children != NULL && i < json_object_array_length(children); i++) {
		struct json_object *c = json_object_array_get_idx(children, i);

		if (c != NULL && json_object_is_type(c, json_type_object))
			cli_queue_rows(t, c, path);
	}
	json_object_put(children);
	free(name);
	free(path);
	free(state);
	free(cap);
	free(max);
	free(used);
	free(abs);
	free(apps);
	free(pending);
	free(containers);
	free(res);
}

int cli_queue_table(FILE *out, struct json_object *root, char **cause)
{
	static const char *const headers[] = {
	        "QUEUE",    "STATE", "CAPACITY", "MAX-CAPACITY", "USED",
	        "ABS-USED", "APPS",  "PENDING",  "CONTAINERS",   "USED-RESOURCES",
	};
	struct json_object *info = cli_queue_info(root, cause), *children;
	struct table *t;

	if (info == NULL)
		return -1;
	children = cli_queue_children(info);
	if (children == NULL)
		return set_cause(cause, "unexpected answer: schedulerInfo has no queues.queue[]");
	t = table_new(10, headers);
	for (size_t i = 0; i < json_object_array_length(children); i++) {
		struct json_object *c = json_object_array_get_idx(children, i);

		if (c != NULL && json_object_is_type(c, json_type_object))
			cli_queue_rows(t, c, "root");
	}
	json_object_put(children);
	fprintf(out, "Total number of queues: %d\n", table_rows(t));
	table_print(t, out);
	table_free(t);
	return 0;
}

/* Depth-first search for name (queueName) or path (queuePath). */
static struct json_object *cli_queue_search(struct json_object *q, const char *name)
{
	struct json_object *children, *v = NULL, *found = NULL;

	if ((json_object_object_get_ex(q, WEFT_SCHED_KEY_QUEUE_NAME, &v) &&
	     json_object_is_type(v, json_type_string) &&
	     strcmp(json_object_get_string(v), name) == 0) ||
	    (json_object_object_get_ex(q, WEFT_SCHED_KEY_QUEUE_PATH, &v) &&
	     json_object_is_type(v, json_type_string) &&
	     strcmp(json_object_get_string(v), name) == 0))
		return q;
	children = cli_queue_children(q);
	for (size_t i = 0; children != NULL && i < json_object_array_length(children); i++) {
		struct json_object *c = json_object_array_get_idx(children, i);

		if (c != NULL && json_object_is_type(c, json_type_object) &&
		    (found = cli_queue_search(c, name)) != NULL)
			break;
	}
	/* found lives in q, which the caller holds. */
	json_object_put(children);
	return found;
}

struct json_object *cli_queue_find(struct json_object *root, const char *name)
{
	struct json_object *info = cli_queue_info(root, NULL);

	return info != NULL ? cli_queue_search(info, name) : NULL;
}

/* "label : value" lines, YARN's `queue -status` layout. */
static void cli_queue_line(FILE *out, const char *label, char *value)
{
	fprintf(out, "\t%s : %s\n", label, value);
	free(value);
}

int cli_queue_report(FILE *out, struct json_object *root, const char *name, char **cause)
{
	struct json_object *info = cli_queue_info(root, cause), *q, *users = NULL, *list = NULL;

	if (info == NULL)
		return -1;
	q = cli_queue_search(info, name);
	if (q == NULL)
		return set_cause(cause, "queue '%s' does not exist (see weft queue list)", name);
	fprintf(out, "Queue Information :\n");
	{
		char *n = report_field(q, WEFT_SCHED_KEY_QUEUE_NAME);
		char *p = report_field(q, WEFT_SCHED_KEY_QUEUE_PATH);

		fprintf(out, "Queue Name : %s\nQueue Path : %s\n", n, p);
		free(n);
		free(p);
	}
	cli_queue_line(out, "State", report_field(q, WEFT_KEY_STATE));
	cli_queue_line(out, "Capacity", cli_queue_percent(q, WEFT_SCHED_KEY_CAPACITY));
	cli_queue_line(out, "Current Capacity", cli_queue_percent(q, WEFT_SCHED_KEY_USED_CAPACITY));
	cli_queue_line(out, "Maximum Capacity", cli_queue_percent(q, WEFT_SCHED_KEY_MAX_CAPACITY));
	cli_queue_line(out, "Absolute Capacity", cli_queue_percent(q, WEFT_SCHED_KEY_ABS_CAPACITY));
	cli_queue_line(out, "Absolute Used Capacity",
	               cli_queue_percent(q, WEFT_SCHED_KEY_ABS_USED_CAPACITY));
	cli_queue_line(out, "Absolute Maximum Capacity",
	               cli_queue_percent(q, WEFT_SCHED_KEY_ABS_MAX_CAPACITY));
	cli_queue_line(out, "Used Resources", cli_queue_resource(q, WEFT_SCHED_KEY_RESOURCES_USED));
	cli_queue_line(out, "Applications", report_field(q, WEFT_SCHED_KEY_NUM_APPLICATIONS));
	cli_queue_line(out, "Containers", report_field(q, WEFT_KEY_NUM_CONTAINERS));
	if (!cli_queue_is_leaf(q)) {
		struct json_object *children = cli_queue_children(q);
		char *names = xstrdup("");

		for (size_t i = 0; i < json_object_array_length(children); i++) {
			char *c = report_field(json_object_array_get_idx(children, i),
			                       WEFT_SCHED_KEY_QUEUE_NAME);
			char *next = xasprintf("%s%s%s", names, i > 0 ? ", " : "", c);

			free(c);
			free(names);
			names = next;
		}
		json_object_put(children);
		cli_queue_line(out, "Child Queues", names);
		return 0;
	}
	cli_queue_line(out, "Active Applications", report_field(q, WEFT_SCHED_KEY_NUM_ACTIVE_APPS));
	cli_queue_line(out, "Pending Applications",
	               report_field(q, WEFT_SCHED_KEY_NUM_PENDING_APPS));
	cli_queue_line(out, "Maximum Applications", report_field(q, WEFT_SCHED_KEY_MAX_APPS));
	cli_queue_line(out, "Maximum Parallel Applications",
	               report_field(q, WEFT_SCHED_KEY_MAX_PARALLEL_APPS));
	cli_queue_line(out, "Minimum User Limit Percent",
	               report_field(q, WEFT_SCHED_KEY_USER_LIMIT));
	cli_queue_line(out, "User Limit Factor", report_field(q, WEFT_SCHED_KEY_USER_LIMIT_FACTOR));
	cli_queue_line(out, "Maximum AM Resource Percent",
	               report_field(q, WEFT_SCHED_KEY_MAX_AM_PERCENT));
	cli_queue_line(out, "AM Resource Used",
	               cli_queue_resource(q, WEFT_SCHED_KEY_USED_AM_RESOURCE));
	cli_queue_line(out, "AM Resource Limit",
	               cli_queue_resource(q, WEFT_SCHED_KEY_AM_RESOURCE_LIMIT));
	cli_queue_line(out, "Ordering Policy", report_field(q, WEFT_SCHED_KEY_ORDERING_POLICY));
	cli_queue_line(out, "Submit ACL", report_field(q, WEFT_SCHED_KEY_ACL_SUBMIT));
	{
		struct json_object *v = NULL;
		bool off = json_object_object_get_ex(q, WEFT_SCHED_KEY_PREEMPTION_DISABLED, &v) &&
		           json_object_get_boolean(v);

		cli_queue_line(out, "Preemption", xstrdup(off ? "disabled" : "enabled"));
	}
	if (json_object_object_get_ex(q, WEFT_SCHED_KEY_USERS, &users) && users != NULL &&
	    json_object_object_get_ex(users, WEFT_KEY_USER, &list) &&
	    json_object_is_type(list, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			struct json_object *u = json_object_array_get_idx(list, i);
			char *name_text = report_field(u, WEFT_SCHED_KEY_USERNAME);
			char *used = cli_queue_resource(u, WEFT_SCHED_KEY_RESOURCES_USED);
			char *limit = cli_queue_resource(u, WEFT_SCHED_KEY_USER_RESOURCE_LIMIT);
			char *active = report_field(u, WEFT_SCHED_KEY_NUM_ACTIVE_APPS);
			char *pend = report_field(u, WEFT_SCHED_KEY_NUM_PENDING_APPS);

			cli_queue_line(out, "User",
			               xasprintf("%s: uses %s of %s, %s active, %s pending "
			                         "application(s)",
			                         name_text, used, limit, active, pend));
			free(name_text);
			free(used);
			free(limit);
			free(active);
			free(pend);
		}
	}
	return 0;
}

/* Pretty JSON, one trailing newline. */
static void cli_queue_print_json(FILE *out, struct json_object *o)
{
	fprintf(out, "%s\n",
	        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
}

int cli_queue_list(const struct cli_args *args, struct weft_client *client, FILE *out, FILE *err)
{
	struct json_object *root;
	char *why = NULL;
	int rc = 0;

	if (cli_call(client, "GET", WEFT_ROUTE_SCHEDULER, NULL, NULL, WEFT_CALL_IDEMPOTENT, &root,
	             err) != 0)
		return 1;
	if (args->output == CLI_OUTPUT_JSON)
		cli_queue_print_json(out, root);
	else if (cli_queue_table(out, root, &why) != 0) {
		fprintf(err, "weft: %s\n", why);
		free(why);
		rc = 1;
	}
	json_object_put(root);
	return rc;
}

int cli_queue_status(const struct cli_args *args, struct weft_client *client, FILE *out, FILE *err)
{
	struct json_object *root, *q;
	char *why = NULL;
	int rc = 0;

	if (cli_call(client, "GET", WEFT_ROUTE_SCHEDULER, NULL, NULL, WEFT_CALL_IDEMPOTENT, &root,
	             err) != 0)
		return 1;
	if (args->output == CLI_OUTPUT_JSON) {
		q = cli_queue_find(root, args->queue_name);
		if (q != NULL) {
			cli_queue_print_json(out, q);
		} else {
			fprintf(err, "weft: queue '%s' does not exist (see weft queue list)\n",
			        args->queue_name);
			rc = 1;
		}
	} else if (cli_queue_report(out, root, args->queue_name, &why) != 0) {
		fprintf(err, "weft: %s\n", why);
		free(why);
		rc = 1;
	}
	json_object_put(root);
	return rc;
}

int cli_admin_refresh_queues(const struct config *cfg, struct weft_client *client, FILE *out,
                             FILE *err)
{
	char *path = config_get_path(cfg, "security.secret-file"), *why = NULL, *sig, *header;
	struct secret *secret;
	struct json_object *answer;
	const char *headers[2];
	int rc;

	if (path == NULL) {
		fprintf(err,
		        "weft: security.secret-file is not set (the refresh is signed with the "
		        "cluster secret)\n");
		return 1;
	}
	secret = secret_load(path, &why);
	if (secret == NULL) {
		fprintf(err, "weft: cannot sign the refresh: security.secret-file: %s\n", why);
		free(why);
		free(path);
		return 1;
	}
	free(path);
	sig = security_sign_request(secret, "POST", CLI_QUEUE_REFRESH_PATH, "", 0, time_now_ms());
	secret_free(secret);
	header = xasprintf("%s: %s", SECURITY_AUTH_HEADER, sig);
	free(sig);
	headers[0] = header;
	headers[1] = NULL;
	/* Signed once: retried only where it cannot have been seen. */
	rc = cli_call(client, "POST", CLI_QUEUE_REFRESH_PATH, headers, NULL, 0, &answer, err);
	free(header);
	if (rc != 0)
		return 1;
	{
		char *source = report_field(answer, WEFT_SCHED_KEY_SOURCE);
		char *n = report_field(answer, WEFT_SCHED_KEY_QUEUES);

		fprintf(out, "Queues refreshed from %s: %s queue(s)\n", source, n);
		free(source);
		free(n);
	}
	json_object_put(answer);
	return 0;
}
