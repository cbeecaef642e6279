/*
 * webapp_reports.c — YARN's app object and the cache of /apps answers
 * (webapp_reports.h says why and what is kept).
 *
 * Entries: one per ended application, keyed by id: the object's text and
 * a copy of every report field the text depends on (the request's base
 * URL only when the AM left no trackingUrl; the cluster's memory only
 * while the app still holds some).  An entry is used only while its copy
 * equals the current report, else rebuilt with a new version number.
 * Bodies: the last few /apps bodies made only of entries, each with the
 * versions of the entries it holds, in order; a request whose picked
 * entries have exactly those versions gets the same body by reference.
 * Entries of applications gone from history are swept when the map holds
 * clearly more than the history.
 */
#include "weft_config.h"

#include "rm/webapp_reports.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/daemon.h"
#include "common/log.h"
#include "common/proto_app.h"
#include "common/proto_nm.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "rm/app_manager.h"
#include "rm/rm.h"
#include "rm/scheduler.h"
#include "rm/strmap.h"
#include "weft/protocol.h"

/* Bodies kept (e.g. the unfiltered list, states=FINISHED, a limit). */
#define REPORTS_BODIES 4
/* Entries beyond the history's size tolerated before a sweep. */
#define REPORTS_SWEEP_SLACK 64

/* The string fields of a report an app object shows. */
enum report_string {
	RS_ID,
	RS_USER,
	RS_NAME,
	RS_QUEUE,
	RS_TYPE,
	RS_TAGS,
	RS_DIAGNOSTICS,
	RS_TRACKING_URL,
	RS_AM_CONTAINER,
	RS_AM_NODE_HTTP,
	RS_AM_HOST,
	RS_BASE_URL, /* only when there is no tracking URL */
	RS_COUNT
};

/* Everything an ended app's object is made of. */
struct report_key {
	char *s[RS_COUNT]; /* NULL = absent */
	int am_rpc_port;
	enum app_state state;
	enum app_final_status final_status;
	double progress;
	int32_t priority;
	int64_t started_ms, launch_ms, finished_ms;
	weft_resource_t allocated;
	int running_containers;
	int64_t memory_seconds, vcore_seconds;
	int64_t total_mb; /* the cluster's, only while allocated.memory_mb > 0 */
};

struct report_entry {
	struct report_key key;
	char *text; /* the object, JSON_C_TO_STRING_PLAIN */
	size_t len;
	uint64_t version;
	uint64_t seen; /* sweep mark */
};

struct report_body {
	uint64_t *versions; /* of the entries it holds, in order */
	int n;
	struct evbuffer *body;
	uint64_t used; /* for replacing the least recently used */
};

struct webapp_reports {
	struct strmap *entries; /* app id -> struct report_entry */
	uint64_t next_version;
	uint64_t clock;
	struct report_body bodies[REPORTS_BODIES];
	struct webapp_reports_stats stats;
};

/* --- the app object --- */

/* One app object, YARN's field names (common/proto_app.c writes it). */
struct json_object *webapp_app_json(const struct rm *rm, const struct app_report *r,
                                    const char *base_url)
{
	struct weft_app_report m = {0};
	struct json_object *o;
	struct scheduler_usage usage;
	int64_t now = time_now_ms();
	int64_t end = r->finished_ms != 0 ? r->finished_ms : now;
	double share = 0.0;
	char *tracking = NULL, *logs = NULL, *rpc = NULL;

	scheduler_usage(rm->scheduler, &usage);
	if (usage.total.memory_mb > 0)
		share = 100.0 * (double)r->allocated.memory_mb / (double)usage.total.memory_mb;
	m.id = r->id;
	m.user = r->user;
	m.name = r->name;
	m.queue = r->queue;
	m.state = app_state_name(r->state);
	m.final_status = app_final_status_name(r->final_status);
	m.progress = r->progress;
	if (r->state == APP_FINISHED || r->state == APP_FAILED || r->state == APP_KILLED)
		m.tracking_ui = "History";
	else if (r->tracking_url != NULL)
		m.tracking_ui = "ApplicationMaster";
	else
		m.tracking_ui = "UNASSIGNED";
	if (r->tracking_url != NULL)
		m.tracking_url = r->tracking_url;
	else
		m.tracking_url = tracking = xasprintf("%s" WEFT_PATH_APP_FMT, base_url, r->id);
	m.diagnostics = r->diagnostics;
	m.cluster_id = rm->cluster_ts;
	m.application_type = r->type;
	m.application_tags = r->tags;
	m.priority = r->priority;
	m.started_ms = r->started_ms;
	m.launch_ms = r->launch_ms;
	m.finished_ms = r->finished_ms;
	m.elapsed_ms = end > r->started_ms ? end - r->started_ms : 0;
	if (r->am_container_id != NULL && r->am_node_http_address != NULL) {
		m.am_container_logs = logs =
		        proto_nm_logs_url(r->am_node_http_address, r->am_container_id, "");
		m.am_host_http_address = r->am_node_http_address;
	}
	if (r->am_host != NULL && r->am_host[0] != '\0' && r->am_rpc_port >= 0)
		m.am_rpc_address = rpc = xasprintf("%s:%d", r->am_host, r->am_rpc_port);
	m.allocated_mb = r->allocated.memory_mb;
	m.allocated_vcores = r->allocated.vcores;
	m.running_containers = r->running_containers;
	m.memory_seconds = r->memory_seconds;
	m.vcore_seconds = r->vcore_seconds;
	m.queue_usage = share;
	m.cluster_usage = share;
	o = proto_app_report_encode(&m);
	free(tracking);
	free(logs);
	free(rpc);
	return o;
}

/* Whether an app in this state still changes (its object is not kept). */
static bool webapp_reports_live(const struct app_report *r)
{
	return r->state != APP_FINISHED && r->state != APP_FAILED && r->state != APP_KILLED;
}

/* The key of report r as seen by a request with base_url. */
static void report_key_view(struct report_key *k, const struct app_report *r, const char *base_url,
                            int64_t total_mb)
{
	memset(k, 0, sizeof *k);
	k->s[RS_ID] = (char *)r->id;
	k->s[RS_USER] = (char *)r->user;
	k->s[RS_NAME] = (char *)r->name;
	k->s[RS_QUEUE] = (char *)r->queue;
	k->s[RS_TYPE] = (char *)r->type;
	k->s[RS_TAGS] = (char *)r->tags;
	k->s[RS_DIAGNOSTICS] = (char *)r->diagnostics;
	k->s[RS_TRACKING_URL] = (char *)r->tracking_url;
	k->s[RS_AM_CONTAINER] = (char *)r->am_container_id;
	k->s[RS_AM_NODE_HTTP] = (char *)r->am_node_http_address;
	k->s[RS_AM_HOST] = (char *)r->am_host;
	k->s[RS_BASE_URL] = r->tracking_url == NULL ? (char *)base_url : NULL;
	k->am_rpc_port = r->am_rpc_port;
	k->state = r->state;
	k->final_status = r->final_status;
	k->progress = r->progress;
	k->priority = r->priority;
	k->started_ms = r->started_ms;
	k->launch_ms = r->launch_ms;
	k->finished_ms = r->finished_ms;
	k->allocated = r->allocated;
	k->running_containers = r->running_containers;
	k->memory_seconds = r->memory_seconds;
	k->vcore_seconds = r->vcore_seconds;
	k->total_mb = r->allocated.memory_mb > 0 ? total_mb : 0;
}

/* Two strings that may be NULL. */
static bool report_same_string(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Whether a kept key equals a view. */
static bool report_key_equal(const struct report_key *a, const struct report_key *b)
{
	if (a->am_rpc_port != b->am_rpc_port || a->state != b->state ||
	    a->final_status != b->final_status || a->progress != b->progress ||
	    a->priority != b->priority || a->started_ms != b->started_ms ||
	    a->launch_ms != b->launch_ms || a->finished_ms != b->finished_ms ||
	    a->allocated.memory_mb != b->allocated.memory_mb ||
	    a->allocated.vcores != b->allocated.vcores ||
	    a->running_containers != b->running_containers ||
	    a->memory_seconds != b->memory_seconds || a->vcore_seconds != b->vcore_seconds ||
	    a->total_mb != b->total_mb)
		return false;
	for (int i = 0; i < RS_COUNT; i++)
		if (!report_same_string(a->s[i], b->s[i]))
			return false;
	return true;
}

/* Keep a copy of a view (its strings duplicated). */
static void report_key_keep(struct report_key *dst, const struct report_key *view)
{
	*dst = *view;
	for (int i = 0; i < RS_COUNT; i++)
		dst->s[i] = view->s[i] != NULL ? xstrdup(view->s[i]) : NULL;
}

static void report_key_clear(struct report_key *k)
{
	for (int i = 0; i < RS_COUNT; i++)
		free(k->s[i]);
	memset(k, 0, sizeof *k);
}

static void report_entry_free(struct report_entry *e)
{
	report_key_clear(&e->key);
	free(e->text);
	free(e);
}

struct webapp_reports *webapp_reports_new(void)
{
	struct webapp_reports *c = xcalloc(1, sizeof *c);

	c->entries = strmap_new();
	c->next_version = 1;
	return c;
}

/* strmap_foreach: free one entry. */
static void webapp_reports_free_entry_cb(const char *key, void *value, void *arg)
{
	(void)key;
	(void)arg;
	report_entry_free(value);
}

static void report_body_clear(struct report_body *b)
{
	if (b->body != NULL)
		evbuffer_free(b->body);
	free(b->versions);
	memset(b, 0, sizeof *b);
}

void webapp_reports_free(struct webapp_reports *c)
{
	if (c == NULL)
		return;
	strmap_foreach(c->entries, webapp_reports_free_entry_cb, NULL);
	strmap_free(c->entries);
	for (int i = 0; i < REPORTS_BODIES; i++)
		report_body_clear(&c->bodies[i]);
	free(c);
}

void webapp_reports_stats(const struct webapp_reports *c, struct webapp_reports_stats *out)
{
	*out = c->stats;
}

/* The object of an ended app: kept, or rebuilt when its report moved. */
static struct report_entry *webapp_reports_entry(struct webapp_reports *c, const struct rm *rm,
                                                 const struct app_report *r, const char *base_url,
                                                 int64_t total_mb)
{
	struct report_entry *e = strmap_get(c->entries, r->id);
	struct report_key view;
	struct json_object *o;
	const char *text;
	size_t len = 0;

	report_key_view(&view, r, base_url, total_mb);
	if (e != NULL && report_key_equal(&e->key, &view)) {
		c->stats.reused++;
		return e;
	}
	if (e == NULL) {
		e = xcalloc(1, sizeof *e);
		strmap_put(c->entries, r->id, e);
	} else {
		report_key_clear(&e->key);
		free(e->text);
	}
	report_key_keep(&e->key, &view);
	o = webapp_app_json(rm, r, base_url);
	text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);
	e->text = xmalloc(len);
	memcpy(e->text, text, len);
	e->len = len;
	e->version = c->next_version++;
	json_object_put(o);
	c->stats.built++;
	return e;
}

/* strmap_foreach: collect the ids of entries not marked in this sweep. */
struct sweep {
	uint64_t mark;
	char **ids;
	int n;
};

static void webapp_reports_sweep_cb(const char *key, void *value, void *arg)
{
	struct report_entry *e = value;
	struct sweep *s = arg;

	if (e->seen != s->mark) {
		s->ids = xreallocarray(s->ids, (size_t)s->n + 1, sizeof *s->ids);
		s->ids[s->n++] = xstrdup(key);
	}
}

/* Drop the entries of applications no longer in history. */
static void webapp_reports_sweep(struct webapp_reports *c, const struct app_report *all, int n_all)
{
	struct sweep s = {++c->clock, NULL, 0};

	for (int i = 0; i < n_all; i++) {
		struct report_entry *e = strmap_get(c->entries, all[i].id);

		if (e != NULL)
			e->seen = s.mark;
	}
	strmap_foreach(c->entries, webapp_reports_sweep_cb, &s);
	for (int i = 0; i < s.n; i++) {
		report_entry_free(strmap_remove(c->entries, s.ids[i]));
		free(s.ids[i]);
	}
	free(s.ids);
}

/* A kept body holding exactly these versions, or NULL. */
static struct report_body *webapp_reports_find_body(struct webapp_reports *c,
                                                    const uint64_t *versions, int n)
{
	for (int i = 0; i < REPORTS_BODIES; i++) {
		struct report_body *b = &c->bodies[i];

		if (b->body != NULL && b->n == n &&
		    (n == 0 || memcmp(b->versions, versions, (size_t)n * sizeof *versions) == 0))
			return b;
	}
	return NULL;
}

/* Keep a body in the least recently used slot (takes versions). */
static void webapp_reports_keep_body(struct webapp_reports *c, uint64_t *versions, int n,
                                     struct evbuffer *body)
{
	struct report_body *slot = &c->bodies[0];

	for (int i = 1; i < REPORTS_BODIES; i++)
		if (c->bodies[i].used < slot->used)
			slot = &c->bodies[i];
	report_body_clear(slot);
	slot->versions = versions;
	slot->n = n;
	slot->body = body;
	slot->used = ++c->clock;
}

struct evbuffer *webapp_reports_apps_body(struct webapp_reports *c, const struct rm *rm,
                                          const struct app_report *all, int n_all,
                                          const int *picked, int n_picked, const char *base_url,
                                          bool *caller_frees)
{
	/* The list's frame around the cached objects' text (protocol.h's keys). */
	static const char open_list[] = "{\"" WEFT_APP_KEY_APPS "\":{\"" WEFT_APP_KEY_APP "\":[",
	                  close_list[] = "]}}", empty[] = "{\"" WEFT_APP_KEY_APPS "\":null}";
	struct scheduler_usage usage;
	struct report_entry **entries = xcalloc((size_t)n_picked + 1, sizeof *entries);
	uint64_t *versions = xcalloc((size_t)n_picked + 1, sizeof *versions);
	struct report_body *kept;
	struct evbuffer *body;
	bool live = false;

	scheduler_usage(rm->scheduler, &usage);
	for (int i = 0; i < n_picked; i++) {
		const struct app_report *r = &all[picked[i]];

		if (webapp_reports_live(r)) {
			live = true;
			continue;
		}
		entries[i] = webapp_reports_entry(c, rm, r, base_url, usage.total.memory_mb);
		versions[i] = entries[i]->version;
	}
	if (strmap_count(c->entries) > (size_t)n_all + REPORTS_SWEEP_SLACK)
		webapp_reports_sweep(c, all, n_all);
	if (!live && (kept = webapp_reports_find_body(c, versions, n_picked)) != NULL) {
		kept->used = ++c->clock;
		c->stats.bodies_reused++;
		free(entries);
		free(versions);
		*caller_frees = false;
		return kept->body;
	}
	body = evbuffer_new();
	if (body == NULL)
		fatalx("cannot allocate an evbuffer");
	if (n_picked == 0)
		evbuffer_add(body, empty, sizeof empty - 1);
	else
		evbuffer_add(body, open_list, sizeof open_list - 1);
	for (int i = 0; i < n_picked; i++) {
		if (i > 0)
			evbuffer_add(body, ",", 1);
		if (entries[i] != NULL) {
			evbuffer_add(body, entries[i]->text, entries[i]->len);
		} else {
			struct json_object *o = webapp_app_json(rm, &all[picked[i]], base_url);
			size_t len = 0;
			const char *text =
			        json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len);

			evbuffer_add(body, text, len);
			json_object_put(o);
		}
	}
	if (n_picked > 0)
		evbuffer_add(body, close_list, sizeof close_list - 1);
	free(entries);
	if (live) {
		free(versions);
		*caller_frees = true;
		return body;
	}
	webapp_reports_keep_body(c, versions, n_picked, body);
	*caller_frees = false;
	return body;
}
