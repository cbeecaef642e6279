/*
 * webapp.h — YARN's public ResourceManager REST API (/ws/v1/cluster/...),
 * same paths, objects and field names as YARN so tools written for YARN
 * work: webapp_cluster.c serves cluster info, metrics and nodes,
 * webapp_apps.c applications, attempts, states and submission,
 * webapp_scheduler.c the queues (/scheduler) and their reload,
 * webapp_reports.c the app object and the cache of /apps answers,
 * webapp_waits.c the GETs of a report held until its state changes.  The
 * webapp owns no state but that cache and the held waits: it asks the
 * modules that do.
 */
#ifndef WEFT_RM_WEBAPP_H
#define WEFT_RM_WEBAPP_H

#include <stdbool.h>
#include <stdint.h>

struct rm;
struct http_request;

/* Register every /ws/v1/cluster route. */
void webapp_routes(struct rm *rm);
/* Answer the held waits ("shutdown"): before the servers are freed. */
void webapp_shutdown(struct rm *rm);
/* Free what webapp_routes made (the /apps cache); after the servers. */
void webapp_free(struct rm *rm);
void webapp_cluster_routes(struct rm *rm);
void webapp_apps_routes(struct rm *rm);
void webapp_scheduler_routes(struct rm *rm);

/* The submitting user from ?user.name= (default "dr.who").  RET the name,
 * or NULL after answering 400 itself. */
const char *webapp_user(struct http_request *req);
bool webapp_valid_user(const char *user);
/* "http://host:port" as the client reached the RM (its Host header when
 * sane, else the RM's advertised address); caller frees. */
char *webapp_base_url(const struct rm *rm, struct http_request *req);
/* Answer a GET of app_id's report: 200 {"app":{...}} (with "wait":
 * wait_outcome when not NULL), or 404 when the application is unknown;
 * base_url as webapp_base_url gave it. */
void webapp_reply_app(const struct rm *rm, struct http_request *req, const char *app_id,
                      const char *base_url, const char *wait_outcome);
/* A non-negative decimal query value.  RET 0 and *out, 1 when absent, -1
 * after answering 400 (message names the parameter). */
int webapp_query_number(struct http_request *req, const char *name, int64_t *out);

#endif
