/*
 * proto_nm.c — the NodeManager's public REST views, encoded and decoded
 * (proto_nm.h, weft/protocol.h "the NM's public REST views").
 *
 * Owns every key, route and fixed value of GET /ws/v1/node/info, /apps,
 * /containers and the log listing, and the URL of a container's logs
 * (the RM's amContainerLogs, the AM's tracking URL and the NM's own
 * containerLogsLink all come from proto_nm_logs_url).  Decoders check
 * types exactly (wjson), ranges and lengths, and name the field path in
 * *cause.
 */
#include "weft_config.h"

#include "common/proto_nm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/ids.h"
#include "weft/protocol.h"

/* {key:inner} */
static struct json_object *proto_nm_wrap(const char *key, struct json_object *inner)
{
	struct json_object *body = wjson_new_object();

	wjson_add(body, key, inner);
	return body;
}

/* {outer:{inner:list}} (an empty list stays []). */
static struct json_object *proto_nm_wrap_list(const char *outer, const char *inner,
                                              struct json_object *list)
{
	return proto_nm_wrap(outer, proto_nm_wrap(inner, list));
}

/* A state's name: 1..PROTO_NM_WORD_MAX bytes. */
static int proto_nm_get_word(struct json_object *obj, const char *path, const char *key,
                             const char **out, char **cause)
{
	if (wjson_get_text(obj, path, key, true, PROTO_NM_WORD_MAX, out, cause) != 0)
		return -1;
	if (**out == '\0')
		return set_cause(cause, "%s.%s: empty", path, key);
	return 0;
}

/* An array of strings (each at most PROTO_NM_TEXT_MAX bytes) into an
 * owned array of pointers into obj. */
static int proto_nm_strings_decode(struct json_object *obj, const char *path, const char *key,
                                   const char ***out, int *n, char **cause)
{
	struct json_object *list = NULL, *item;
	const char **items;
	size_t len = 0;

	*out = NULL;
	*n = 0;
	if (wjson_get_list(obj, path, key, false, PROTO_NM_MAX_ITEMS, &list, &len, cause) != 0)
		return -1;
	if (len == 0)
		return 0;
	items = xcalloc(len, sizeof *items);
	for (size_t i = 0; i < len; i++) {
		item = json_object_array_get_idx(list, i);
		if (item == NULL || !json_object_is_type(item, json_type_string) ||
		    json_object_get_string_len(item) > PROTO_NM_TEXT_MAX) {
			free(items);
			return set_cause(cause, "%s.%s[%zu]: expected a string of at most %d bytes",
			                 path, key, i, PROTO_NM_TEXT_MAX);
		}
		items[i] = json_object_get_string(item);
	}
	*out = items;
	*n = (int)len;
	return 0;
}

/* An array of strings. */
static struct json_object *proto_nm_strings_encode(const char *const *v, int n)
{
	struct json_object *list = json_object_new_array_ext(n > 0 ? n : 1);

	for (int i = 0; i < n; i++)
		json_object_array_add(list, json_object_new_string(v[i]));
	return list;
}

/* ------------------------------------------------------------------ */
/* nodeInfo */

struct json_object *proto_nm_info_encode(const struct proto_nm_info *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_ID, m->id);
	wjson_add_string(o, WEFT_KEY_NODE_HOST_NAME, m->host);
	wjson_add_string(o, WEFT_KEY_HTTP_ADDRESS, m->http_address);
	wjson_add_string(o, WEFT_KEY_RACK, m->rack);
	wjson_add_string(o, WEFT_KEY_HEALTH_REPORT, m->health_report);
	wjson_add_bool(o, WEFT_NM_KEY_NODE_HEALTHY, m->healthy);
	wjson_add_int(o, WEFT_NM_KEY_LAST_UPDATE, m->last_update_ms);
	wjson_add_int(o, WEFT_NM_KEY_STARTUP_TIME, m->startup_ms);
	wjson_add_int(o, WEFT_NM_KEY_TOTAL_PMEM_MB, m->total_memory_mb);
	wjson_add_int(o, WEFT_NM_KEY_TOTAL_VCORES, m->total_vcores);
	wjson_add_bool(o, WEFT_NM_KEY_PMEM_CHECK, m->pmem_check);
	wjson_add_bool(o, WEFT_NM_KEY_VMEM_CHECK, m->vmem_check);
	wjson_add_int(o, WEFT_KEY_USED_MEMORY_MB, m->used_memory_mb);
	wjson_add_int(o, WEFT_KEY_USED_VIRTUAL_CORES, m->used_vcores);
	wjson_add_int(o, WEFT_KEY_NUM_CONTAINERS, m->num_containers);
	wjson_add_bool(o, WEFT_NM_KEY_REGISTERED, m->registered);
	wjson_add_string(o, WEFT_NM_KEY_RM_URL, m->rm_url);
	wjson_add_string(o, WEFT_NM_KEY_NM_VERSION, m->version);
	wjson_add_string(o, WEFT_NM_KEY_NM_BUILD_VERSION, m->build_version);
	wjson_add_string(o, WEFT_KEY_HADOOP_VERSION, m->version);
	wjson_add_string(o, WEFT_KEY_HADOOP_BUILD_VERSION, m->build_version);
	return proto_nm_wrap(WEFT_NM_KEY_NODE_INFO, o);
}

int proto_nm_info_decode(struct json_object *body, struct proto_nm_info *m, char **cause)
{
	static const char p[] = WEFT_NM_KEY_NODE_INFO;
	const int64_t big = INT64_MAX;
	struct json_object *o = NULL;

	memset(m, 0, sizeof *m);
	if (wjson_get_object(body, "", WEFT_NM_KEY_NODE_INFO, true, &o, cause) != 0 ||
	    wjson_get_text(o, p, WEFT_KEY_ID, true, PROTO_NM_TEXT_MAX, &m->id, cause) != 0 ||
	    wjson_get_text(o, p, WEFT_KEY_NODE_HOST_NAME, false, PROTO_NM_TEXT_MAX, &m->host,
	                   cause) != 0 ||
	    wjson_get_text(o, p, WEFT_KEY_HTTP_ADDRESS, false, PROTO_NM_TEXT_MAX, &m->http_address,
	                   cause) != 0 ||
	    wjson_get_text(o, p, WEFT_KEY_RACK, false, PROTO_NM_TEXT_MAX, &m->rack, cause) != 0 ||
	    wjson_get_text(o, p, WEFT_KEY_HEALTH_REPORT, false, PROTO_NM_TEXT_MAX,
	                   &m->health_report, cause) != 0 ||
	    wjson_get_bool(o, p, WEFT_NM_KEY_NODE_HEALTHY, false, &m->healthy, cause) != 0 ||
	    wjson_get_int(o, p, WEFT_NM_KEY_LAST_UPDATE, false, 0, big, &m->last_update_ms,
	                  cause) != 0 ||
	    wjson_get_int(o, p, WEFT_NM_KEY_STARTUP_TIME, false, 0, big, &m->startup_ms, cause) !=
	            0 ||
	    wjson_get_int(o, p, WEFT_NM_KEY_TOTAL_PMEM_MB, false, 0, big, &m->total_memory_mb,
	                  cause) != 0 ||
	    wjson_get_int(o, p, WEFT_NM_KEY_TOTAL_VCORES, false, 0, big, &m->total_vcores, cause) !=
	            0 ||
	    wjson_get_bool(o, p, WEFT_NM_KEY_PMEM_CHECK, false, &m->pmem_check, cause) != 0 ||
	    wjson_get_bool(o, p, WEFT_NM_KEY_VMEM_CHECK, false, &m->vmem_check, cause) != 0 ||
	    wjson_get_int(o, p, WEFT_KEY_USED_MEMORY_MB, false, 0, big, &m->used_memory_mb,
	                  cause) != 0 ||
	    wjson_get_int(o, p, WEFT_KEY_USED_VIRTUAL_CORES, false, 0, big, &m->used_vcores,
	                  cause) != 0 ||
	    wjson_get_int(o, p, WEFT_KEY_NUM_CONTAINERS, false, 0, big, &m->num_containers,
	                  cause) != 0 ||
	    wjson_get_bool(o, p, WEFT_NM_KEY_REGISTERED, false, &m->registered, cause) != 0 ||
	    wjson_get_text(o, p, WEFT_NM_KEY_RM_URL, false, PROTO_NM_TEXT_MAX, &m->rm_url, cause) !=
	            0 ||
	    wjson_get_text(o, p, WEFT_NM_KEY_NM_VERSION, false, PROTO_NM_TEXT_MAX, &m->version,
	                   cause) != 0 ||
	    wjson_get_text(o, p, WEFT_NM_KEY_NM_BUILD_VERSION, false, PROTO_NM_TEXT_MAX,
	                   &m->build_version, cause) != 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* An application. */

struct json_object *proto_nm_app_encode(const struct proto_nm_app *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_ID, m->id);
	wjson_add_string(o, WEFT_KEY_STATE, m->state);
	wjson_add_string(o, WEFT_KEY_USER, m->user);
	wjson_add(o, WEFT_NM_KEY_CONTAINER_IDS,
	          proto_nm_strings_encode(m->container_ids, m->n_container_ids));
	return o;
}

int proto_nm_app_decode(struct json_object *obj, const char *path, struct proto_nm_app *m,
                        char **cause)
{
	weft_app_id_t app;

	memset(m, 0, sizeof *m);
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return set_cause(cause, "%s: expected an object", path);
	if (wjson_get_text(obj, path, WEFT_KEY_ID, true, WEFT_ID_MAX, &m->id, cause) != 0 ||
	    proto_nm_get_word(obj, path, WEFT_KEY_STATE, &m->state, cause) != 0 ||
	    wjson_get_text(obj, path, WEFT_KEY_USER, false, PROTO_NM_TEXT_MAX, &m->user, cause) !=
	            0)
		return -1;
	if (weft_app_id_parse(m->id, &app) != 0)
		return set_cause(cause, "%s.%s: '%s' is not an application id", path, WEFT_KEY_ID,
		                 m->id);
	return proto_nm_strings_decode(obj, path, WEFT_NM_KEY_CONTAINER_IDS, &m->container_ids,
	                               &m->n_container_ids, cause);
}

void proto_nm_app_clear(struct proto_nm_app *m)
{
	free(m->container_ids);
	m->container_ids = NULL;
	m->n_container_ids = 0;
}

/* ------------------------------------------------------------------ */
/* A container. */

struct json_object *proto_nm_container_encode(const struct proto_nm_container *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_ID, m->id);
	wjson_add_string(o, WEFT_KEY_STATE, m->state);
	wjson_add_int(o, WEFT_KEY_EXIT_CODE, m->exit_code);
	wjson_add_string(o, WEFT_KEY_DIAGNOSTICS, m->diagnostics);
	wjson_add_string(o, WEFT_KEY_USER, m->user);
	wjson_add_int(o, WEFT_NM_KEY_TOTAL_MEMORY_NEEDED, m->memory_mb);
	wjson_add_int(o, WEFT_NM_KEY_TOTAL_VCORES_NEEDED, m->vcores);
	wjson_add_string(o, WEFT_NM_KEY_EXECUTION_TYPE, WEFT_NM_EXECUTION_GUARANTEED);
	wjson_add_string(o, WEFT_NM_KEY_CONTAINER_LOGS_LINK, m->logs_link);
	wjson_add_string(o, WEFT_KEY_NODE_ID, m->node_id);
	wjson_add_int(o, WEFT_KEY_STARTED_TIME, m->started_ms);
	wjson_add_int(o, WEFT_KEY_FINISHED_TIME, m->finished_ms);
	wjson_add(o, WEFT_NM_KEY_CONTAINER_LOG_FILES,
	          proto_nm_strings_encode(m->log_files, m->n_log_files));
	return o;
}

int proto_nm_container_decode(struct json_object *obj, const char *path,
                              struct proto_nm_container *m, char **cause)
{
	const int64_t big = INT64_MAX;
	weft_container_id_t cid;

	memset(m, 0, sizeof *m);
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return set_cause(cause, "%s: expected an object", path);
	if (wjson_get_text(obj, path, WEFT_KEY_ID, true, WEFT_ID_MAX, &m->id, cause) != 0 ||
	    proto_nm_get_word(obj, path, WEFT_KEY_STATE, &m->state, cause) != 0 ||
	    wjson_get_int(obj, path, WEFT_KEY_EXIT_CODE, false, INT32_MIN, INT32_MAX, &m->exit_code,
	                  cause) != 0 ||
	    wjson_get_text(obj, path, WEFT_KEY_DIAGNOSTICS, false, PROTO_NM_DIAGNOSTICS_MAX,
	                   &m->diagnostics, cause) != 0 ||
	    wjson_get_text(obj, path, WEFT_KEY_USER, false, PROTO_NM_TEXT_MAX, &m->user, cause) !=
	            0 ||
	    wjson_get_int(obj, path, WEFT_NM_KEY_TOTAL_MEMORY_NEEDED, false, 0, big, &m->memory_mb,
	                  cause) != 0 ||
	    wjson_get_int(obj, path, WEFT_NM_KEY_TOTAL_VCORES_NEEDED, false, 0, big, &m->vcores,
	                  cause) != 0 ||
	    wjson_get_text(obj, path, WEFT_NM_KEY_CONTAINER_LOGS_LINK, false, PROTO_NM_TEXT_MAX,
	                   &m->logs_link, cause) != 0 ||
	    wjson_get_text(obj, path, WEFT_KEY_NODE_ID, false, PROTO_NM_TEXT_MAX, &m->node_id,
	                   cause) != 0 ||
	    wjson_get_int(obj, path, WEFT_KEY_STARTED_TIME, false, 0, big, &m->started_ms, cause) !=
	            0 ||
	    wjson_get_int(obj, path, WEFT_KEY_FINISHED_TIME, false, 0, big, &m->finished_ms,
	                  cause) != 0)
		return -1;
	if (weft_container_id_parse(m->id, &cid) != 0)
		return set_cause(cause, "%s.%s: '%s' is not a container id", path, WEFT_KEY_ID,
		                 m->id);
	return proto_nm_strings_decode(obj, path, WEFT_NM_KEY_CONTAINER_LOG_FILES, &m->log_files,
	                               &m->n_log_files, cause);
}

void proto_nm_container_clear(struct proto_nm_container *m)
{
	free(m->log_files);
	m->log_files = NULL;
	m->n_log_files = 0;
}

/* ------------------------------------------------------------------ */
/* Bodies. */

struct json_object *proto_nm_apps_wrap(struct json_object *list)
{
	return proto_nm_wrap_list(WEFT_KEY_APPS, WEFT_KEY_APP, list);
}

struct json_object *proto_nm_app_wrap(struct json_object *app)
{
	return proto_nm_wrap(WEFT_KEY_APP, app);
}

struct json_object *proto_nm_apps_unwrap(struct json_object *body, char **cause)
{
	return wjson_yarn_list(body, WEFT_KEY_APPS, WEFT_KEY_APP, cause);
}

struct json_object *proto_nm_app_unwrap(struct json_object *body, char **cause)
{
	struct json_object *app = NULL;

	if (wjson_get_object(body, "", WEFT_KEY_APP, true, &app, cause) != 0)
		return NULL;
	return app;
}

struct json_object *proto_nm_containers_wrap(struct json_object *list)
{
	return proto_nm_wrap_list(WEFT_KEY_CONTAINERS, WEFT_KEY_CONTAINER, list);
}

struct json_object *proto_nm_container_wrap(struct json_object *container)
{
	return proto_nm_wrap(WEFT_KEY_CONTAINER, container);
}

struct json_object *proto_nm_containers_unwrap(struct json_object *body, char **cause)
{
	return wjson_yarn_list(body, WEFT_KEY_CONTAINERS, WEFT_KEY_CONTAINER, cause);
}

struct json_object *proto_nm_container_unwrap(struct json_object *body, char **cause)
{
	struct json_object *container = NULL;

	if (wjson_get_object(body, "", WEFT_KEY_CONTAINER, true, &container, cause) != 0)
		return NULL;
	return container;
}

/* ------------------------------------------------------------------ */
/* The log listing. */

struct json_object *proto_nm_logs_encode(const struct proto_nm_logs *m)
{
	struct json_object *info = wjson_new_object(), *list = json_object_new_array();

	for (int i = 0; i < m->n_files; i++) {
		struct json_object *entry = wjson_new_object();

		wjson_add_string(entry, WEFT_NM_KEY_FILE_NAME, m->files[i].name);
		wjson_add_int(entry, WEFT_NM_KEY_FILE_SIZE, m->files[i].size);
		wjson_add_int(entry, WEFT_NM_KEY_LAST_MODIFIED, m->files[i].mtime_ms);
		json_object_array_add(list, entry);
	}
	wjson_add_string(info, WEFT_KEY_CONTAINER_ID, m->container_id);
	wjson_add_string(info, WEFT_KEY_NODE_ID, m->node_id);
	wjson_add_string(info, WEFT_NM_KEY_LOG_AGGREGATION_TYPE, WEFT_NM_LOG_AGGREGATION_LOCAL);
	wjson_add(info, WEFT_NM_KEY_CONTAINER_LOG_INFO, list);
	return proto_nm_wrap(WEFT_NM_KEY_CONTAINER_LOGS_INFO, info);
}

int proto_nm_logs_decode(struct json_object *body, struct proto_nm_logs *m, char **cause)
{
	static const char p[] = WEFT_NM_KEY_CONTAINER_LOGS_INFO;
	struct json_object *info = NULL, *list = NULL, *item;
	char *list_path;
	size_t len = 0;
	int rc = 0;

	memset(m, 0, sizeof *m);
	if (wjson_get_object(body, "", WEFT_NM_KEY_CONTAINER_LOGS_INFO, true, &info, cause) != 0 ||
	    wjson_get_text(info, p, WEFT_KEY_CONTAINER_ID, true, WEFT_ID_MAX, &m->container_id,
	                   cause) != 0 ||
	    wjson_get_text(info, p, WEFT_KEY_NODE_ID, false, PROTO_NM_TEXT_MAX, &m->node_id,
	                   cause) != 0 ||
	    wjson_get_list(info, p, WEFT_NM_KEY_CONTAINER_LOG_INFO, false, PROTO_NM_MAX_ITEMS,
	                   &list, &len, cause) != 0)
		return -1;
	if (len == 0)
		return 0;
	m->files = xcalloc(len, sizeof *m->files);
	m->n_files = (int)len;
	list_path = xasprintf("%s.%s", p, WEFT_NM_KEY_CONTAINER_LOG_INFO);
	for (size_t i = 0; i < len && rc == 0; i++) {
		char *item_path;

		if (wjson_array_object(list, list_path, i, &item, cause) != 0) {
			rc = -1;
			break;
		}
		item_path = xasprintf("%s[%zu]", list_path, i);
		if (wjson_get_text(item, item_path, WEFT_NM_KEY_FILE_NAME, true, PROTO_NM_TEXT_MAX,
		                   &m->files[i].name, cause) != 0 ||
		    wjson_get_int(item, item_path, WEFT_NM_KEY_FILE_SIZE, true, 0, INT64_MAX,
		                  &m->files[i].size, cause) != 0 ||
		    wjson_get_int(item, item_path, WEFT_NM_KEY_LAST_MODIFIED, false, 0, INT64_MAX,
		                  &m->files[i].mtime_ms, cause) != 0)
			rc = -1;
		free(item_path);
	}
	free(list_path);
	if (rc != 0)
		proto_nm_logs_clear(m);
	return rc;
}

void proto_nm_logs_clear(struct proto_nm_logs *m)
{
	free(m->files);
	m->files = NULL;
	m->n_files = 0;
}

char *proto_nm_logs_url(const char *node_http, const char *container_id, const char *file)
{
	if (file == NULL)
		return xasprintf("http://%s" WEFT_PATH_NM_LOGS_FMT, node_http, container_id);
	return xasprintf("http://%s" WEFT_PATH_NM_LOGS_FMT "/%s", node_http, container_id, file);
}

char *proto_nm_logs_path(const char *container_id, const char *file)
{
	return xasprintf(WEFT_PATH_NM_LOGS_FMT "/%s", container_id, file);
}
