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
#include "common/proto_app.h"
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

/* Text for a cell: "N/A" for none or "" (caller frees). */
static char *report_text(const char *text)
{
	return xstrdup(text != NULL && text[0] != '\0' ? text : "N/A");
}

/* Progress (0..100) as "45%". */
static char *report_progress(double p)
{
	if (p < 0 || !isfinite(p))
		return xstrdup("N/A");
	if (p > 100)
		p = 100;
	return xasprintf("%.0f%%", p);
}

/* yarn application -list */
void report_apps_table(FILE *out, const struct weft_app_report *apps, int n)
{
	static const char *const headers[] = {
	        "Application-Id", "Application-Name", "Application-Type", "User",         "Queue",
	        "State",          "Final-State",      "Progress",         "Tracking-URL",
	};
	enum { NCOLS = sizeof headers / sizeof headers[0] };
	struct table *t = table_new(NCOLS, headers);

	for (int i = 0; i < n; i++) {
		const struct weft_app_report *a = &apps[i];
		char *cells[NCOLS] = {
		        report_text(a->id),
		        report_text(a->name),
		        report_text(a->application_type),
		        report_text(a->user),
		        report_text(a->queue),
		        report_text(a->state),
		        report_text(a->final_status),
		        report_progress(a->progress),
		        report_text(a->tracking_url),
		};

		table_add_row(t, (const char *const *)cells);
		for (int k = 0; k < NCOLS; k++)
			free(cells[k]);
	}
	fprintf(out, "Total number of applications: %d\n", n);
	table_print(t, out);
	table_free(t);
}

/* Elapsed milliseconds as "1h02m03s" / "4.2s". */
static char *report_duration(int64_t ms)
{
	long long sec;

	if (ms < 0 || ms > INT64_C(1000000000000000))
		return xstrdup("N/A");
	if (ms < 60000)
		return xasprintf("%.1fs", (double)ms / 1000);
	sec = (long long)(ms / 1000);
	if (sec < 3600)
		return xasprintf("%lldm%02llds", sec / 60, sec % 60);
	return xasprintf("%lldh%02lldm%02llds", sec / 3600, sec / 60 % 60, sec % 60);
}

/* Milliseconds since the epoch as local "YYYY-MM-DD HH:MM:SS", N/A for 0. */
static char *report_time(int64_t ms)
{
	time_t t;
	struct tm tm;
	char buf[64];

	if (ms <= 0 || ms > INT64_C(1000000000000000))
		return xstrdup("N/A");
	t = (time_t)(ms / 1000);
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		return xstrdup("N/A");
	return xstrdup(buf);
}

/* yarn application -status */
void report_app_status(FILE *out, const struct weft_app_report *r)
{
	const struct {
		const char *label;
		char *text;
	} lines[] = {
	        {"Application-Id", report_text(r->id)},
	        {"Application-Name", report_text(r->name)},
	        {"Application-Type", report_text(r->application_type)},
	        {"User", report_text(r->user)},
	        {"Queue", report_text(r->queue)},
	        {"Start-Time", report_time(r->started_ms)},
	        {"Finish-Time", report_time(r->finished_ms)},
	        {"Elapsed", report_duration(r->elapsed_ms)},
	        {"State", report_text(r->state)},
	        {"Final-State", report_text(r->final_status)},
	        {"Tracking-URL", report_text(r->tracking_url)},
	        {"AM Host", report_text(r->am_host_http_address)},
	        {"AM Container Logs", report_text(r->am_container_logs)},
	        {"Running Containers", xasprintf("%" PRId64, r->running_containers)},
	        {"Allocated MB", xasprintf("%" PRId64, r->allocated_mb)},
	        {"Allocated VCores", xasprintf("%" PRId64, r->allocated_vcores)},
	        {"Progress", report_progress(r->progress)},
	};
	const char *diagnostics = r->diagnostics != NULL ? r->diagnostics : "";

	fputs("Application Report :\n", out);
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		fprintf(out, "\t%s : %s\n", lines[i].label, lines[i].text);
		free(lines[i].text);
	}
	fprintf(out,
	        "\tAggregate Resource Allocation : %" PRId64 " MB-seconds, %" PRId64
	        " vcore-seconds\n",
	        r->memory_seconds, r->vcore_seconds);
	/* Diagnostics may span lines; keep them indented under the label. */
	fputs(diagnostics[0] == '\0' ? "\tDiagnostics :" : "\tDiagnostics : ", out);
	for (const char *p = diagnostics; *p != '\0'; p++) {
		fputc(*p, out);
		if (*p == '\n' && p[1] != '\0')
			fputs("\t\t", out);
	}
	fputc('\n', out);
}

/* {"apps":{"app":[...]}} as the RM writes it ({"apps":null} when none). */
struct json_object *report_apps_json(const struct weft_app_report *apps, int n)
{
	struct json_object *list = json_object_new_array();

	for (int i = 0; i < n; i++)
		json_object_array_add(list, proto_app_report_encode(&apps[i]));
	return proto_app_reports_wrap(list);
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
