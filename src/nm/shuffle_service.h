/*
 * shuffle_service.h — the NM's shuffle service (YARN's spark_shuffle
 * aux-service): it serves the map outputs and persisted blocks that
 * dataflow tasks wrote into an application's local dirs, so they outlive
 * the executor that wrote them.
 *
 *   GET /ws/v1/node/shuffle/{appId}/map/{shuffleId}/{mapId}/{reduceId}
 *       one reduce partition of a map output: the byte range the index
 *       file shuffle_<shuffleId>_<mapId>.index gives for reduceId, out of
 *       shuffle_<shuffleId>_<mapId>.data
 *   GET /ws/v1/node/shuffle/{appId}/block/{datasetId}/{partition}
 *       the whole file block_<datasetId>_<partition>
 *
 * Files live in <local dir>/usercache/<user>/appcache/<appId>/weft-shuffle/
 * of any local dir; they are opened one component at a time without
 * following symlinks, and must be regular files.  Ids are parsed
 * strictly; ranges are checked against the files' sizes.
 *
 * Authentication: header X-Weft-Shuffle-Auth (or, for clients that
 * cannot add headers, the query parameter auth) signed (security.h
 * request signature: method, path, time) with the application's secret,
 * which the
 * NM learns from WEFT_APP_SECRET in the launch contexts of the app's
 * containers.  No known secret: 403; a bad signature: 401; an unknown
 * application or file: 404.
 */
#ifndef WEFT_NM_SHUFFLE_SERVICE_H
#define WEFT_NM_SHUFFLE_SERVICE_H

#include "nm/launch_context.h"
#include "nm/nm.h"

struct http_server;
struct shuffle_service;

struct shuffle_service *shuffle_service_new(struct nm_context *ctx);
void shuffle_service_free(struct shuffle_service *ss);
/* Register the GET routes on srv. */
void shuffle_service_routes(struct shuffle_service *ss, struct http_server *srv);
/* The WEFT_APP_SECRET of a launch context, copied, or NULL. */
char *shuffle_service_launch_secret(const struct weft_launch_context *lc);
/* A container of app_id started with this secret: remember it (the
 * latest wins; applications this node forgot are dropped). */
void shuffle_service_add_app(struct shuffle_service *ss, const char *app_id, const char *secret);

#endif
