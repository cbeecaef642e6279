/*
 * proto_nm.h — the NodeManager's public REST views (weft/protocol.h,
 * "the NM's public REST views"), in YARN's NodeManager shapes: GET
 * /ws/v1/node/info ({"nodeInfo":{...}}), /apps and /apps/{id}
 * ({"apps":{"app":[...]}}, {"app":{...}}), /containers and
 * /containers/{id} ({"containers":{"container":[...]}},
 * {"container":{...}}), the log listing ({"containerLogsInfo":{...}}),
 * and where a container's logs are.  One typed struct per view and an
 * encode/decode pair each: the NM writes them (nm/webapp.c), tests,
 * scripts and tools read them.
 *
 * Encoders take a filled struct and return a new JSON object.  Decoders
 * check every field's type, range and length; on failure they return -1
 * with *cause naming the field path ("containers.container[2].exitCode:
 * expected an integer, got a string").  Strings a decoder fills point
 * into the decoded object; arrays it fills are owned by the struct (its
 * _clear frees them, not what they point to).
 */
#ifndef WEFT_COMMON_PROTO_NM_H
#define WEFT_COMMON_PROTO_NM_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* Caps a decoder enforces. */
#define PROTO_NM_TEXT_MAX        4096          /* an id, address, URL, version */
#define PROTO_NM_WORD_MAX        32            /* a state's name */
#define PROTO_NM_DIAGNOSTICS_MAX (1024 * 1024) /* a container's diagnostics */
#define PROTO_NM_MAX_ITEMS       1000000       /* ids, files in one view */

/* ------------------------------------------------------------------ */
/* {"nodeInfo":{...}} */

struct proto_nm_info {
	const char *id;           /* the node id (host:port) */
	const char *host;         /* nodeHostName */
	const char *http_address; /* host:port */
	const char *rack;
	const char *health_report;
	bool healthy;
	int64_t last_update_ms, startup_ms;
	int64_t total_memory_mb, total_vcores; /* what containers may use */
	bool pmem_check, vmem_check;
	int64_t used_memory_mb, used_vcores;
	int64_t num_containers; /* live ones */
	bool registered;        /* with the RM, now */
	const char *rm_url;
	const char *version;       /* nodeManagerVersion, hadoopVersion */
	const char *build_version; /* nodeManagerBuildVersion, hadoopBuildVersion */
};
struct json_object *proto_nm_info_encode(const struct proto_nm_info *m);
int proto_nm_info_decode(struct json_object *body, struct proto_nm_info *m, char **cause);

/* ------------------------------------------------------------------ */
/* An application on the node (YARN's NM AppInfo). */

struct proto_nm_app {
	const char *id; /* an application id */
	const char *state;
	const char *user;
	const char **container_ids; /* containerids; decode: owned array */
	int n_container_ids;
};
struct json_object *proto_nm_app_encode(const struct proto_nm_app *m);
/* path names obj in causes ("apps.app[1]"). */
int proto_nm_app_decode(struct json_object *obj, const char *path, struct proto_nm_app *m,
                        char **cause);
void proto_nm_app_clear(struct proto_nm_app *m);

/* ------------------------------------------------------------------ */
/* A container on the node (YARN's NM ContainerInfo). */

struct proto_nm_container {
	const char *id; /* a container id */
	const char *state;
	int64_t exit_code;
	const char *diagnostics;
	const char *user;
	int64_t memory_mb, vcores; /* totalMemoryNeededMB, totalVCoresNeeded */
	const char *logs_link;     /* containerLogsLink */
	const char *node_id;
	int64_t started_ms, finished_ms;
	const char **log_files; /* containerLogFiles; decode: owned array */
	int n_log_files;
};
struct json_object *proto_nm_container_encode(const struct proto_nm_container *m);
int proto_nm_container_decode(struct json_object *obj, const char *path,
                              struct proto_nm_container *m, char **cause);
void proto_nm_container_clear(struct proto_nm_container *m);

/* ------------------------------------------------------------------ */
/* Bodies: {"apps":{"app":list}} and {"containers":{"container":list}}
 * (the NM writes an empty list as [], not null), {"app":one} and
 * {"container":one}; all take what they wrap.  The unwraps return the
 * list as a new array (YARN's null and one-element forms read too), or
 * the one object (borrowed), or NULL with *cause. */
struct json_object *proto_nm_apps_wrap(struct json_object *list);
struct json_object *proto_nm_app_wrap(struct json_object *app);
struct json_object *proto_nm_apps_unwrap(struct json_object *body, char **cause);
struct json_object *proto_nm_app_unwrap(struct json_object *body, char **cause);
struct json_object *proto_nm_containers_wrap(struct json_object *list);
struct json_object *proto_nm_container_wrap(struct json_object *container);
struct json_object *proto_nm_containers_unwrap(struct json_object *body, char **cause);
struct json_object *proto_nm_container_unwrap(struct json_object *body, char **cause);

/* ------------------------------------------------------------------ */
/* A container's log listing: {"containerLogsInfo":{...}}. */

struct proto_nm_log_file {
	const char *name;
	int64_t size;
	int64_t mtime_ms;
};

struct proto_nm_logs {
	const char *container_id;
	const char *node_id;
	struct proto_nm_log_file *files; /* decode: owned array */
	int n_files;
};
struct json_object *proto_nm_logs_encode(const struct proto_nm_logs *m);
int proto_nm_logs_decode(struct json_object *body, struct proto_nm_logs *m, char **cause);
void proto_nm_logs_clear(struct proto_nm_logs *m);

/* Where a container's logs are on the NM at node_http ("host:port"):
 * "http://node_http/ws/v1/node/containerlogs/<container>", then "/" and
 * file unless file is NULL ("" gives the listing with a trailing slash,
 * as YARN's amContainerLogs has it).  Caller frees. */
char *proto_nm_logs_url(const char *node_http, const char *container_id, const char *file);
/* The same path on the NM, without scheme and host (a weft_request's). */
char *proto_nm_logs_path(const char *container_id, const char *file);

#endif
