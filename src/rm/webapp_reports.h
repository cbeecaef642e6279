/*
 * webapp_reports.h — YARN's app object ({"id":..,"state":..,...}) and the
 * cache that keeps /ws/v1/cluster/apps from rebuilding it for every request.
 *
 * Measured before the cache: with 1,000 applications in history a /apps
 * answer is 951 KB of JSON, about 20 ms of the RM's one loop to build, and
 * 1,000 clients reading it got 42-62 answers/s while heartbeats timed out.
 * An ended application's object no longer changes, so it is built once
 * and kept as text; a live one (its elapsedTime moves) is built per
 * request.  A cached object is checked against the report it came from on
 * every use (every field the object shows), so any state change shows in
 * the next answer, whatever module made it; a whole body made only of
 * cached objects is kept too and sent by reference (no copy).
 */
#ifndef WEFT_RM_WEBAPP_REPORTS_H
#define WEFT_RM_WEBAPP_REPORTS_H

#include <json-c/json.h>
#include <stdbool.h>

struct rm;
struct app_report;
struct evbuffer;
struct webapp_reports;

struct webapp_reports *webapp_reports_new(void);
void webapp_reports_free(struct webapp_reports *c);

/* One app object, YARN's field names; base_url for a trackingUrl the AM
 * has not set ("http://host:port" of the request). */
struct json_object *webapp_app_json(const struct rm *rm, const struct app_report *r,
                                    const char *base_url);

/*
 * The /apps body for the reports picked[0..n_picked) (indexes into
 * all[0..n_all), in answer order): {"apps":{"app":[...]}}, or
 * {"apps":null} when none, byte for byte what building it afresh gives.
 * RET an evbuffer to send with http_reply_buffer; *caller_frees says
 * whether the caller frees it (a body kept by the cache is not to be
 * freed or changed).
 */
struct evbuffer *webapp_reports_apps_body(struct webapp_reports *c, const struct rm *rm,
                                          const struct app_report *all, int n_all,
                                          const int *picked, int n_picked, const char *base_url,
                                          bool *caller_frees);

/* Counters for tests: objects built, objects reused, bodies reused. */
struct webapp_reports_stats {
	long built;
	long reused;
	long bodies_reused;
};
void webapp_reports_stats(const struct webapp_reports *c, struct webapp_reports_stats *out);

#endif
