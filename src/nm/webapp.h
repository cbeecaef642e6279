/*
 * webapp.h — the NodeManager's public REST API (YARN's paths and shapes)
 * and log serving:
 *
 *   GET /ws/v1/node, /ws/v1/node/info            {"nodeInfo":{...}}
 *   GET /ws/v1/node/apps[?state=&user=]           {"apps":{"app":[...]}}
 *   GET /ws/v1/node/apps/{appid}                  {"app":{...}}
 *   GET /ws/v1/node/containers                    {"containers":{"container":[...]}}
 *   GET /ws/v1/node/containers/{containerid}      {"container":{...}}
 *   GET /ws/v1/node/containers/{containerid}/logs  log file list (as below)
 *   GET /ws/v1/node/containerlogs/{containerid}   {"containerLogsInfo":{...}}
 *   GET /ws/v1/node/containerlogs/{containerid}/{file}[?start=N&size=N]
 *       text/plain; only regular files directly in that container's log
 *       dir; start < 0 counts from the end (tail).
 * Logs stay servable after the container and its application are gone,
 * as long as they are on disk.
 */
#ifndef WEFT_NM_WEBAPP_H
#define WEFT_NM_WEBAPP_H

#include <stdbool.h>
#include <sys/types.h>

#include "nm/nm.h"

struct http_server;

/* Register every route on srv (reads ctx->containers, ctx->updater). */
void webapp_routes(struct nm_context *ctx, struct http_server *srv);

/*
 * Open log file name of container_id (of app_id) below one log dir
 * without following any symlink below log_root; it must be a regular
 * file.  RET an fd (O_RDONLY) with *size, or -1 with errno (ENOENT when
 * absent, ELOOP/EINVAL for symlinks and non-regular files).
 */
int webapp_open_log(const char *log_root, const char *app_id, const char *container_id,
                    const char *name, off_t *size);
/* Open the log directory of a container below one log dir, the same way.
 * RET a directory fd or -1 with errno. */
int webapp_open_log_dir(const char *log_root, const char *app_id, const char *container_id);

/* The byte range to send of a file of size bytes for ?start=&size=
 * (NULL when absent).  RET 0 with *offset, *len, or -1 when a value is not
 * an integer (or size is negative). */
int webapp_log_range(const char *start, const char *size_text, off_t size, off_t *offset,
                     off_t *len);

#endif
