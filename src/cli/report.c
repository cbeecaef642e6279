/*
 * report.c — the RM's JSON as the tables and reports YARN's CLI prints
 * (see report.h).
 *
 * The RM is trusted for shape only loosely: a field of the wrong type or
 * missing prints "N/A" rather than failing the whole listing, but an
 * answer without the collection at all is an error (it is not the RM).
 */
#include "weft_config.h"

#include "cli/report.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/table.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"

/* A field as text. */
char *report_field(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v) || v == NULL)
		return xstrdup("N/A");
	switch (json_object_get_type(v)) {
	case json_type_string:
		return xstrdup(json_object_get_string(v));
	case json_type_int:
		return xasprintf("%" PRId64, json_object_get_int64(v));
	case json_type_double: {
		double d = json_object_get_double(v);
		if (isfinite(d) && d == floor(d) && fabs(d) < 1e15)
			return xasprintf("%.0f", d);
		return xasprintf("%g", d);
	}
	case json_type_boolean:
		return xstrdup(json_object_get_boolean(v) ? "true" : "false");
	default:
		return xstrdup("N/A");
	}
}

/* A field as text, with "N/A" for empty strings too. */
static char *report_field_or_na(struct json_object *obj, const char *key)
{
	char *text = report_field(obj, key);

	if (text[0] == '\0') {
		free(text);
		return xstrdup("N/A");
	}
	return text;
}

/* A number field, or fallback when missing or not a number. */
static double report_number(struct json_object *obj, const char *key, double fallback)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return fallback;
	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
		return json_object_get_double(v);
	return fallback;
}

/* Milliseconds since the epoch as local "YYYY-MM-DD HH:MM:SS", N/A for 0. */
static char *report_time(struct json_object *obj, const char *key)
{
	double ms = report_number(obj, key, 0);
	time_t t;
	struct tm tm;
	char buf[64];

	if (!(ms > 0) || ms > 1e15)
		return xstrdup("N/A");
	t = (time_t)(ms / 1000);
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return xstrdup("N/A");
	return xstrdup(buf);
}

/* The array of a YARN collection, tolerating YARN's ways of saying "none". */
struct json_object *report_collection(struct json_object *root, const char *outer,
                                      const char *inner, char **cause)
{
	struct json_object *list;
	char *why = NULL;

	list = wjson_yarn_list(root, outer, inner, &why);
	if (list == NULL) {
		set_cause(cause, "unexpected answer: %s", why != NULL ? why : "?");
		free(why);
	}
	return list;
}

/* Progress (0..100) as "45%". */
static char *report_progress(struct json_object *app)
{
	double p = report_number(app, WEFT_KEY_PROGRESS, -1);

	if (p < 0 || !isfinite(p))
		return xstrdup("N/A");
	if (p > 100)
		p = 100;
	return xasprintf("%.0f%%", p);
}

/* yarn application -list */
int report_apps_table(FILE *out, struct json_object *root, char **cause)
{
	static const char *const headers[] = {
	        "Application-Id", "Application-Name", "Application-Type", "User",         "Queue",
	        "State",          "Final-State",      "Progress",         "Tracking-URL",
	};
	static const char *const keys[] = {
	        WEFT_APP_KEY_ID, WEFT_KEY_NAME,  WEFT_APP_KEY_APPLICATION_TYPE, WEFT_KEY_USER,
	        WEFT_KEY_QUEUE,  WEFT_KEY_STATE, WEFT_KEY_FINAL_STATUS,
	};
	enum { NKEYS = sizeof keys / sizeof keys[0], NCOLS = sizeof headers / sizeof headers[0] };
	struct json_object *apps =
	        report_collection(root, WEFT_APP_KEY_APPS, WEFT_APP_KEY_APP, cause);
	struct table *t;
	size_t n;

	if (apps == NULL)
		return -1;
	n = json_object_array_length(apps);
	t = table_new(NCOLS, headers);
	for (size_t i = 0; i < n; i++) {
		struct json_object *app = json_object_array_get_idx(apps, i);
		char *cells[NCOLS];

		for (int k = 0; k < NKEYS; k++)
			cells[k] = report_field_or_na(app, keys[k]);
		cells[NKEYS] = report_progress(app);
		cells[NKEYS + 1] = report_field_or_na(app, WEFT_KEY_TRACKING_URL);
		table_add_row(t, (const char *const *)cells);
		for (int k = 0; k < NCOLS; k++)
			free(cells[k]);
	}
	fprintf(out, "Total number of applications: %zu\n", n);
	table_print(t, out);
	table_free(t);
	json_object_put(apps);
	return 0;
}

/* Elapsed milliseconds as "1h02m03s" / "4.2s". */
static char *report_duration(struct json_object *app, const char *key)
{
	double ms = report_number(app, key, -1);
	long long s;

	if (ms < 0 || !isfinite(ms) || ms > 1e15)
		return xstrdup("N/A");
	if (ms < 60000)
		return xasprintf("%.1fs", ms / 1000);
	s = (long long)(ms / 1000);
	if (s < 3600)
		return xasprintf("%lldm%02llds", s / 60, s % 60);
	return xasprintf("%lldh%02lldm%02llds", s / 3600, s / 60 % 60, s % 60);
}

/* yarn application -status */
int report_app_status(FILE *out, struct json_object *root, char **cause)
{
	static const struct {
		const char *label, *key;
		char *(*render)(struct json_object *, const char *);
	} lines[] = {
	        {"Application-Id", WEFT_APP_KEY_ID, report_field_or_na},
	        {"Application-Name", WEFT_KEY_NAME, report_field_or_na},
	        {"Application-Type", WEFT_APP_KEY_APPLICATION_TYPE, report_field_or_na},
	        {"User", WEFT_KEY_USER, report_field_or_na},
	        {"Queue", WEFT_KEY_QUEUE, report_field_or_na},
	        {"Start-Time", WEFT_APP_KEY_STARTED_TIME, report_time},
	        {"Finish-Time", WEFT_APP_KEY_FINISHED_TIME, report_time},
	        {"Elapsed", WEFT_APP_KEY_ELAPSED_TIME, report_duration},
	        {"State", WEFT_KEY_STATE, report_field_or_na},
	        {"Final-State", WEFT_KEY_FINAL_STATUS, report_field_or_na},
	        {"Tracking-URL", WEFT_KEY_TRACKING_URL, report_field_or_na},
	        {"AM Host", WEFT_APP_KEY_AM_HOST_HTTP_ADDRESS, report_field_or_na},
	        {"AM Container Logs", WEFT_APP_KEY_AM_CONTAINER_LOGS, report_field_or_na},
	        {"Running Containers", WEFT_APP_KEY_RUNNING_CONTAINERS, report_field_or_na},
	        {"Allocated MB", WEFT_APP_KEY_ALLOCATED_MB, report_field_or_na},
	        {"Allocated VCores", WEFT_APP_KEY_ALLOCATED_VCORES, report_field_or_na},
	};
	struct json_object *app;
	char *text;

	if (root == NULL || !json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, WEFT_APP_KEY_APP, &app) || app == NULL ||
	    !json_object_is_type(app, json_type_object))
		return set_cause(cause, "unexpected answer: no \"" WEFT_KEY_APP "\" object");
	fputs("Application Report :\n", out);
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		text = lines[i].render(app, lines[i].key);
		fprintf(out, "\t%s : %s\n", lines[i].label, text);
		free(text);
	}
	text = report_progress(app);
	fprintf(out, "\tProgress : %s\n", text);
	free(text);
	{
		double mem = report_number(app, WEFT_APP_KEY_MEMORY_SECONDS, -1);
		double vc = report_number(app, WEFT_APP_KEY_VCORE_SECONDS, -1);
		if (mem >= 0 && vc >= 0)
			fprintf(out,
			        "\tAggregate Resource Allocation : %.0f MB-seconds, %.0f "
			        "vcore-seconds\n",
			        mem, vc);
		else
			fputs("\tAggregate Resource Allocation : N/A\n", out);
	}
	/* Diagnostics may span lines; keep them indented under the label. */
	text = report_field(app, WEFT_KEY_DIAGNOSTICS);
	fputs(strcmp(text, "N/A") == 0 || text[0] == '\0' ? "\tDiagnostics :" : "\tDiagnostics : ",
	      out);
	for (const char *p = strcmp(text, "N/A") == 0 ? "" : text; *p != '\0'; p++) {
		fputc(*p, out);
		if (*p == '\n' && p[1] != '\0')
			fputs("\t\t", out);
	}
	fputc('\n', out);
	free(text);
	return 0;
}

/* What `yarn node -list` shows by default. */
bool report_node_state_active(const char *state)
{
	static const char *const active[] = {"NEW", "RUNNING", "UNHEALTHY", "DECOMMISSIONING",
	                                     NULL};

	for (int i = 0; active[i] != NULL; i++)
		if (state != NULL && strcmp(state, active[i]) == 0)
			return true;
	return false;
}

/* yarn node -list */
int report_nodes_table(FILE *out, struct json_object *root, bool all, char **cause)
{
	static const char *const headers[] = {
	        "Node-Id",      "Node-State",    "Node-Http-Address", "Rack",         "Containers",
	        "Mem-Used(MB)", "Mem-Avail(MB)", "VCores-Used",       "VCores-Avail",
	};
	static const char *const keys[] = {
	        WEFT_KEY_ID,
	        WEFT_KEY_STATE,
	        WEFT_NODE_KEY_NODE_HTTP_ADDRESS,
	        WEFT_KEY_RACK,
	        WEFT_KEY_NUM_CONTAINERS,
	        WEFT_KEY_USED_MEMORY_MB,
	        WEFT_NODE_KEY_AVAIL_MEMORY_MB,
	        WEFT_KEY_USED_VIRTUAL_CORES,
	        WEFT_KEY_AVAILABLE_VIRTUAL_CORES,
	};
	enum { NCOLS = sizeof headers / sizeof headers[0] };
	struct json_object *nodes = report_collection(root, WEFT_KEY_NODES, WEFT_KEY_NODE, cause);
	struct table *t;

	if (nodes == NULL)
		return -1;
	t = table_new(NCOLS, headers);
	for (size_t i = 0; i < json_object_array_length(nodes); i++) {
		struct json_object *node = json_object_array_get_idx(nodes, i);
		char *cells[NCOLS];

		cells[1] = report_field_or_na(node, WEFT_KEY_STATE);
		if (!all && !report_node_state_active(cells[1])) {
			free(cells[1]);
			continue;
		}
		for (int k = 0; k < NCOLS; k++)
			if (k != 1)
				cells[k] = report_field_or_na(node, keys[k]);
		table_add_row(t, (const char *const *)cells);
		for (int k = 0; k < NCOLS; k++)
			free(cells[k]);
	}
	fprintf(out, "Total Nodes: %d\n", table_rows(t));
	table_print(t, out);
	table_free(t);
	json_object_put(nodes);
	return 0;
}
