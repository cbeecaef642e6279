/*
 * proto_node.c — the NM <-> RM node messages, encoded and decoded
 * (proto_node.h, weft/protocol.h "RM internal: node tracker").
 *
 * Owns every key, value and route of this protocol: no other file spells
 * them.  The RM's node tracker, the NM's status updater and weft-sls's
 * simulated NMs all call these functions, so both ends read what the
 * other wrote by construction.  Decoders check types exactly (wjson),
 * ranges and lengths, and name the field path in *cause.
 */
#include "weft_config.h"

#include "common/proto_node.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/net.h"
#include "common/proto_container.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/ids.h"
#include "weft/protocol.h"

static const char *const proto_node_action_names[] = {WEFT_ACTION_NORMAL, WEFT_ACTION_RESYNC,
                                                      WEFT_ACTION_SHUTDOWN, "UNKNOWN"};

/* ------------------------------------------------------------------ */
/* Field helpers. */

/* A node id or HTTP address: host:port with a real port. */
static int proto_node_get_address(struct json_object *obj, const char *key, const char **out,
                                  char **cause)
{
	char *host = NULL, *why = NULL;
	int port = 0;

	if (wjson_get_text(obj, "", key, true, PROTO_NODE_ADDRESS_MAX, out, cause) != 0)
		return -1;
	if (net_parse_address(*out, &host, &port, cause != NULL ? &why : NULL) != 0) {
		set_cause(cause, "%s: %s", key, why);
		free(why);
		return -1;
	}
	free(host);
	if (port == 0)
		return set_cause(cause, "%s: '%s' needs a port other than 0", key, *out);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The statuses a node reports (proto_container.c's record). */

/* "containers": [<container status>...] into one owned array. */
static int proto_node_statuses_decode(struct json_object *obj, struct weft_container_status **out,
                                      int *n, char **cause)
{
	struct json_object *array = NULL;
	struct weft_container_status *st;
	size_t len;

	*out = NULL;
	*n = 0;
	if (wjson_get_array(obj, "", WEFT_KEY_CONTAINERS, false, &array, cause) != 0)
		return -1;
	if (array == NULL)
		return 0;
	len = json_object_array_length(array);
	if (len > PROTO_NODE_MAX_CONTAINERS)
		return set_cause(cause, "%s: more than %d entries", WEFT_KEY_CONTAINERS,
		                 PROTO_NODE_MAX_CONTAINERS);
	if (len == 0)
		return 0;
	st = xmalloc(len * sizeof *st);
	for (size_t i = 0; i < len; i++) {
		struct json_object *item = json_object_array_get_idx(array, i);
		char path[48];

		/* Every status of every heartbeat comes here: read it without
		 * a message first, and name its index only when it is bad. */
		if (proto_container_status_decode(item, "", PROTO_STATUS_REPORTED, &st[i], NULL) ==
		    0)
			continue;
		snprintf(path, sizeof path, "%s[%zu]", WEFT_KEY_CONTAINERS, i);
		proto_container_status_decode(item, path, PROTO_STATUS_REPORTED, &st[i], cause);
		free(st);
		return -1;
	}
	*out = st;
	*n = (int)len;
	return 0;
}

/* Add "containers": [...]. */
static void proto_node_statuses_encode(struct json_object *obj,
                                       const struct weft_container_status *st, int n)
{
	struct json_object *array = json_object_new_array_ext(n > 0 ? n : 1);

	for (int i = 0; i < n; i++)
		json_object_array_add(array, proto_container_status_encode(&st[i]));
	wjson_add(obj, WEFT_KEY_CONTAINERS, array);
}

/* ------------------------------------------------------------------ */
/* Lists in answers. */

/* An optional array of key ids (integers). */
static int proto_node_key_ids_decode(struct json_object *obj, int64_t *ids, int *n, bool *present,
                                     char **cause)
{
	struct json_object *array = NULL;
	size_t len;

	*n = 0;
	*present = false;
	if (wjson_get_array(obj, "", WEFT_NODE_KEY_KEY_IDS, false, &array, cause) != 0)
		return -1;
	if (array == NULL)
		return 0;
	len = json_object_array_length(array);
	if (len > PROTO_NODE_MAX_KEY_IDS)
		return set_cause(cause, "%s: more than %d entries", WEFT_NODE_KEY_KEY_IDS,
		                 PROTO_NODE_MAX_KEY_IDS);
	for (size_t i = 0; i < len; i++) {
		struct json_object *item = json_object_array_get_idx(array, i);

		if (item == NULL || !json_object_is_type(item, json_type_int))
			return set_cause(cause, "%s[%zu]: expected an integer",
			                 WEFT_NODE_KEY_KEY_IDS, i);
		ids[i] = json_object_get_int64(item);
	}
	*n = (int)len;
	*present = true;
	return 0;
}

/* Add "containerKeyIds": [...]. */
static void proto_node_key_ids_encode(struct json_object *obj, const int64_t *ids, int n)
{
	struct json_object *array = json_object_new_array_ext(n > 0 ? n : 1);

	for (int i = 0; i < n; i++)
		json_object_array_add(array, json_object_new_int64(ids[i]));
	wjson_add(obj, WEFT_NODE_KEY_KEY_IDS, array);
}

/* An optional array of ids (strings of at most WEFT_ID_MAX bytes), as an
 * owned array of pointers into obj. */
static int proto_node_ids_decode(struct json_object *obj, const char *key, const char ***out,
                                 int *n, char **cause)
{
	struct json_object *array = NULL;
	const char **ids;
	size_t len;

	*out = NULL;
	*n = 0;
	if (wjson_get_array(obj, "", key, false, &array, cause) != 0)
		return -1;
	if (array == NULL || (len = json_object_array_length(array)) == 0)
		return 0;
	if (len > PROTO_NODE_MAX_IDS)
		return set_cause(cause, "%s: more than %d entries", key, PROTO_NODE_MAX_IDS);
	ids = xmalloc(len * sizeof *ids);
	for (size_t i = 0; i < len; i++) {
		struct json_object *item = json_object_array_get_idx(array, i);

		if (item == NULL || !json_object_is_type(item, json_type_string)) {
			free(ids);
			return set_cause(cause, "%s[%zu]: expected a string", key, i);
		}
		if (json_object_get_string_len(item) >= WEFT_ID_MAX) {
			free(ids);
			return set_cause(cause, "%s[%zu]: longer than %d bytes", key, i,
			                 WEFT_ID_MAX - 1);
		}
		ids[i] = json_object_get_string(item);
	}
	*out = ids;
	*n = (int)len;
	return 0;
}

/* Add key: [ids...]. */
static void proto_node_ids_encode(struct json_object *obj, const char *key, const char *const *ids,
                                  int n)
{
	struct json_object *array = json_object_new_array_ext(n > 0 ? n : 1);

	for (int i = 0; i < n; i++)
		json_object_array_add(array, json_object_new_string(ids[i]));
	wjson_add(obj, key, array);
}

/* ------------------------------------------------------------------ */
/* register. */

struct json_object *proto_node_register_encode(const struct proto_node_register *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_NODE_ID, m->node_id);
	wjson_add_string(o, WEFT_KEY_HTTP_ADDRESS, m->http_address);
	if (m->rack != NULL)
		wjson_add_string(o, WEFT_KEY_RACK, m->rack);
	wjson_add_int(o, WEFT_KEY_MEMORY_MB, m->memory_mb);
	wjson_add_int(o, WEFT_KEY_VCORES, m->vcores);
	if (m->version != NULL)
		wjson_add_string(o, WEFT_KEY_VERSION, m->version);
	if (m->heartbeat_interval_ms > 0)
		wjson_add_int(o, WEFT_NODE_KEY_HEARTBEAT_MS, m->heartbeat_interval_ms);
	proto_node_statuses_encode(o, m->containers, m->n_containers);
	return o;
}

int proto_node_register_decode(struct json_object *obj, struct proto_node_register *m, char **cause)
{
	memset(m, 0, sizeof *m);
	m->rack = WEFT_NODE_DEFAULT_RACK;
	m->version = "";
	if (proto_node_get_address(obj, WEFT_KEY_NODE_ID, &m->node_id, cause) != 0 ||
	    proto_node_get_address(obj, WEFT_KEY_HTTP_ADDRESS, &m->http_address, cause) != 0 ||
	    wjson_get_text(obj, "", WEFT_KEY_RACK, false, PROTO_NODE_TEXT_MAX, &m->rack, cause) !=
	            0 ||
	    wjson_get_int(obj, "", WEFT_KEY_MEMORY_MB, true, 1, PROTO_NODE_MAX_MEMORY_MB,
	                  &m->memory_mb, cause) != 0 ||
	    wjson_get_int(obj, "", WEFT_KEY_VCORES, true, 1, PROTO_NODE_MAX_VCORES, &m->vcores,
	                  cause) != 0 ||
	    wjson_get_text(obj, "", WEFT_KEY_VERSION, false, PROTO_NODE_TEXT_MAX, &m->version,
	                   cause) != 0 ||
	    wjson_get_int(obj, "", WEFT_NODE_KEY_HEARTBEAT_MS, false, PROTO_NODE_MIN_INTERVAL_MS,
	                  PROTO_NODE_MAX_INTERVAL_MS, &m->heartbeat_interval_ms, cause) != 0 ||
	    proto_node_statuses_decode(obj, &m->containers, &m->n_containers, cause) != 0)
		return -1;
	return 0;
}

void proto_node_register_clear(struct proto_node_register *m)
{
	free(m->containers);
	m->containers = NULL;
	m->n_containers = 0;
}

struct json_object *proto_node_register_answer_encode(const struct proto_node_register_answer *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_int(o, WEFT_NODE_KEY_CLUSTER_TS, m->cluster_timestamp);
	proto_node_key_ids_encode(o, m->key_ids, m->n_key_ids);
	if (m->heartbeat_interval_ms > 0)
		wjson_add_int(o, WEFT_NODE_KEY_HEARTBEAT_MS, m->heartbeat_interval_ms);
	return o;
}

int proto_node_register_answer_decode(struct json_object *obj, struct proto_node_register_answer *m,
                                      char **cause)
{
	memset(m, 0, sizeof *m);
	if (wjson_get_int(obj, "", WEFT_NODE_KEY_CLUSTER_TS, false, 0, INT64_MAX,
	                  &m->cluster_timestamp, cause) != 0 ||
	    wjson_get_int(obj, "", WEFT_NODE_KEY_HEARTBEAT_MS, false, 1, PROTO_NODE_MAX_INTERVAL_MS,
	                  &m->heartbeat_interval_ms, cause) != 0 ||
	    proto_node_key_ids_decode(obj, m->key_ids, &m->n_key_ids, &m->has_key_ids, cause) != 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* heartbeat. */

struct json_object *proto_node_heartbeat_encode(const struct proto_node_heartbeat *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_NODE_ID, m->node_id);
	wjson_add_int(o, WEFT_KEY_RESPONSE_ID, m->response_id);
	wjson_add_bool(o, WEFT_NODE_KEY_FULL_REPORT, m->full_report);
	proto_node_statuses_encode(o, m->containers, m->n_containers);
	wjson_add_bool(o, WEFT_NODE_KEY_HEALTHY, m->healthy);
	if (m->health_report != NULL)
		wjson_add_string(o, WEFT_KEY_HEALTH_REPORT, m->health_report);
	return o;
}

int proto_node_heartbeat_decode(struct json_object *obj, struct proto_node_heartbeat *m,
                                char **cause)
{
	memset(m, 0, sizeof *m);
	m->full_report = true;
	m->healthy = true;
	m->health_report = "";
	if (proto_node_get_address(obj, WEFT_KEY_NODE_ID, &m->node_id, cause) != 0 ||
	    wjson_get_int(obj, "", WEFT_KEY_RESPONSE_ID, false, 0, INT64_MAX - 1, &m->response_id,
	                  cause) != 0 ||
	    wjson_get_bool(obj, "", WEFT_NODE_KEY_HEALTHY, false, &m->healthy, cause) != 0 ||
	    wjson_get_bool(obj, "", WEFT_NODE_KEY_FULL_REPORT, false, &m->full_report, cause) !=
	            0 ||
	    wjson_get_text(obj, "", WEFT_KEY_HEALTH_REPORT, false, PROTO_NODE_HEALTH_REPORT_MAX,
	                   &m->health_report, cause) != 0 ||
	    proto_node_statuses_decode(obj, &m->containers, &m->n_containers, cause) != 0)
		return -1;
	return 0;
}

void proto_node_heartbeat_clear(struct proto_node_heartbeat *m)
{
	free(m->containers);
	m->containers = NULL;
	m->n_containers = 0;
}

const char *proto_node_action_name(enum proto_node_action action)
{
	return action <= PROTO_NODE_ACTION_UNKNOWN ? proto_node_action_names[action] : "UNKNOWN";
}

struct json_object *proto_node_heartbeat_answer_encode(const struct proto_node_heartbeat_answer *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_int(o, WEFT_KEY_RESPONSE_ID, m->response_id);
	wjson_add_string(o, WEFT_KEY_ACTION, proto_node_action_name(m->action));
	proto_node_key_ids_encode(o, m->key_ids, m->n_key_ids);
	proto_node_ids_encode(o, WEFT_NODE_KEY_TO_CLEANUP, m->containers_to_cleanup,
	                      m->n_containers_to_cleanup);
	proto_node_ids_encode(o, WEFT_NODE_KEY_TO_ACK, m->containers_to_ack,
	                      m->n_containers_to_ack);
	proto_node_ids_encode(o, WEFT_NODE_KEY_APPS_TO_CLEANUP, m->apps_to_cleanup,
	                      m->n_apps_to_cleanup);
	return o;
}

int proto_node_heartbeat_answer_decode(struct json_object *obj,
                                       struct proto_node_heartbeat_answer *m, char **cause)
{
	const char *action = NULL;

	memset(m, 0, sizeof *m);
	if (wjson_get_int(obj, "", WEFT_KEY_RESPONSE_ID, true, 0, INT64_MAX, &m->response_id,
	                  cause) != 0 ||
	    wjson_get_text(obj, "", WEFT_KEY_ACTION, true, 64, &action, cause) != 0 ||
	    proto_node_key_ids_decode(obj, m->key_ids, &m->n_key_ids, &m->has_key_ids, cause) !=
	            0 ||
	    proto_node_ids_decode(obj, WEFT_NODE_KEY_TO_CLEANUP, &m->containers_to_cleanup,
	                          &m->n_containers_to_cleanup, cause) != 0 ||
	    proto_node_ids_decode(obj, WEFT_NODE_KEY_TO_ACK, &m->containers_to_ack,
	                          &m->n_containers_to_ack, cause) != 0 ||
	    proto_node_ids_decode(obj, WEFT_NODE_KEY_APPS_TO_CLEANUP, &m->apps_to_cleanup,
	                          &m->n_apps_to_cleanup, cause) != 0) {
		proto_node_heartbeat_answer_clear(m);
		return -1;
	}
	m->action_name = action;
	m->action = PROTO_NODE_ACTION_UNKNOWN;
	for (int i = PROTO_NODE_ACTION_NORMAL; i < PROTO_NODE_ACTION_UNKNOWN; i++) {
		if (strcmp(action, proto_node_action_names[i]) == 0) {
			m->action = (enum proto_node_action)i;
			break;
		}
	}
	return 0;
}

void proto_node_heartbeat_answer_clear(struct proto_node_heartbeat_answer *m)
{
	free(m->containers_to_cleanup);
	free(m->containers_to_ack);
	free(m->apps_to_cleanup);
	m->containers_to_cleanup = m->containers_to_ack = m->apps_to_cleanup = NULL;
	m->n_containers_to_cleanup = m->n_containers_to_ack = m->n_apps_to_cleanup = 0;
}

/* ------------------------------------------------------------------ */
/* The node report. */

struct json_object *proto_node_report_encode(const struct proto_node_report *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_RACK, m->rack);
	wjson_add_string(o, WEFT_KEY_STATE, m->state);
	wjson_add_string(o, WEFT_KEY_ID, m->id);
	wjson_add_string(o, WEFT_KEY_NODE_HOST_NAME, m->host);
	wjson_add_string(o, WEFT_NODE_KEY_NODE_HTTP_ADDRESS, m->http_address);
	wjson_add_int(o, WEFT_NODE_KEY_LAST_HEALTH_UPDATE, m->last_health_update);
	wjson_add_string(o, WEFT_KEY_VERSION, m->version);
	wjson_add_string(o, WEFT_KEY_HEALTH_REPORT, m->health_report);
	wjson_add_int(o, WEFT_KEY_NUM_CONTAINERS, m->num_containers);
	wjson_add_int(o, WEFT_KEY_USED_MEMORY_MB, m->used_memory_mb);
	wjson_add_int(o, WEFT_NODE_KEY_AVAIL_MEMORY_MB, m->avail_memory_mb);
	wjson_add_int(o, WEFT_KEY_USED_VIRTUAL_CORES, m->used_vcores);
	wjson_add_int(o, WEFT_KEY_AVAILABLE_VIRTUAL_CORES, m->avail_vcores);
	return o;
}

int proto_node_report_decode(struct json_object *obj, const char *path, struct proto_node_report *m,
                             char **cause)
{
	const int64_t mb = PROTO_NODE_MAX_MEMORY_MB, vc = PROTO_NODE_MAX_VCORES;

	memset(m, 0, sizeof *m);
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return set_cause(cause, "%s: expected an object", path);
	if (wjson_get_text(obj, path, WEFT_KEY_ID, true, PROTO_NODE_ADDRESS_MAX, &m->id, cause) !=
	            0 ||
	    wjson_get_text(obj, path, WEFT_KEY_STATE, true, PROTO_NODE_STATE_MAX, &m->state,
	                   cause) != 0 ||
	    wjson_get_text(obj, path, WEFT_KEY_RACK, false, PROTO_NODE_TEXT_MAX, &m->rack, cause) !=
	            0 ||
	    wjson_get_text(obj, path, WEFT_KEY_NODE_HOST_NAME, false, PROTO_NODE_ADDRESS_MAX,
	                   &m->host, cause) != 0 ||
	    wjson_get_text(obj, path, WEFT_NODE_KEY_NODE_HTTP_ADDRESS, false,
	                   PROTO_NODE_ADDRESS_MAX, &m->http_address, cause) != 0 ||
	    wjson_get_int(obj, path, WEFT_NODE_KEY_LAST_HEALTH_UPDATE, false, 0, INT64_MAX,
	                  &m->last_health_update, cause) != 0 ||
	    wjson_get_text(obj, path, WEFT_KEY_VERSION, false, PROTO_NODE_TEXT_MAX, &m->version,
	                   cause) != 0 ||
	    wjson_get_text(obj, path, WEFT_KEY_HEALTH_REPORT, false, PROTO_NODE_HEALTH_REPORT_MAX,
	                   &m->health_report, cause) != 0 ||
	    wjson_get_int(obj, path, WEFT_KEY_NUM_CONTAINERS, false, 0, PROTO_NODE_MAX_CONTAINERS,
	                  &m->num_containers, cause) != 0 ||
	    wjson_get_int(obj, path, WEFT_KEY_USED_MEMORY_MB, false, 0, mb, &m->used_memory_mb,
	                  cause) != 0 ||
	    wjson_get_int(obj, path, WEFT_NODE_KEY_AVAIL_MEMORY_MB, false, -mb, mb,
	                  &m->avail_memory_mb, cause) != 0 ||
	    wjson_get_int(obj, path, WEFT_KEY_USED_VIRTUAL_CORES, false, 0, vc, &m->used_vcores,
	                  cause) != 0 ||
	    wjson_get_int(obj, path, WEFT_KEY_AVAILABLE_VIRTUAL_CORES, false, -vc, vc,
	                  &m->avail_vcores, cause) != 0)
		return -1;
	return 0;
}

struct json_object *proto_node_reports_wrap(struct json_object *list)
{
	struct json_object *body = wjson_new_object(), *nodes;

	if (list == NULL || json_object_array_length(list) == 0) {
		/* YARN writes an empty collection as null. */
		json_object_put(list);
		wjson_add(body, WEFT_KEY_NODES, NULL);
		return body;
	}
	nodes = wjson_new_object();
	wjson_add(nodes, WEFT_KEY_NODE, list);
	wjson_add(body, WEFT_KEY_NODES, nodes);
	return body;
}

struct json_object *proto_node_reports_unwrap(struct json_object *body, char **cause)
{
	return wjson_yarn_list(body, WEFT_KEY_NODES, WEFT_KEY_NODE, cause);
}

struct json_object *proto_node_report_wrap(struct json_object *report)
{
	struct json_object *body = wjson_new_object();

	wjson_add(body, WEFT_KEY_NODE, report);
	return body;
}

struct json_object *proto_node_report_unwrap(struct json_object *body, char **cause)
{
	struct json_object *report = NULL;

	if (wjson_get_object(body, "", WEFT_KEY_NODE, true, &report, cause) != 0)
		return NULL;
	return report;
}

/* ------------------------------------------------------------------ */
/* Requests as text. */

/* "key": (after a comma unless first). */
static void proto_node_write_key(struct evbuffer *b, const char *key, bool first)
{
	evbuffer_add_printf(b, "%s\"%s\":", first ? "" : ",", key);
}

/* ,"containers":[...] */
static void proto_node_write_statuses(struct evbuffer *b, const struct weft_container_status *st,
                                      int n)
{
	evbuffer_add(b, ",\"" WEFT_KEY_CONTAINERS "\":[",
	             sizeof(",\"" WEFT_KEY_CONTAINERS "\":[") - 1);
	for (int i = 0; i < n; i++) {
		if (i > 0)
			evbuffer_add(b, ",", 1);
		proto_container_status_write(b, &st[i]);
	}
	evbuffer_add(b, "]", 1);
}

void proto_node_register_write(struct evbuffer *b, const struct proto_node_register *m)
{
	evbuffer_add(b, "{", 1);
	proto_node_write_key(b, WEFT_KEY_NODE_ID, true);
	wjson_write_string(b, m->node_id);
	proto_node_write_key(b, WEFT_NODE_KEY_HTTP_ADDRESS, false);
	wjson_write_string(b, m->http_address);
	if (m->rack != NULL) {
		proto_node_write_key(b, WEFT_NODE_KEY_RACK, false);
		wjson_write_string(b, m->rack);
	}
	evbuffer_add_printf(b, ",\"%s\":%" PRId64 ",\"%s\":%" PRId64, WEFT_KEY_MEMORY_MB,
	                    m->memory_mb, WEFT_KEY_VCORES, m->vcores);
	if (m->version != NULL) {
		proto_node_write_key(b, WEFT_NODE_KEY_VERSION, false);
		wjson_write_string(b, m->version);
	}
	if (m->heartbeat_interval_ms > 0)
		evbuffer_add_printf(b, ",\"%s\":%" PRId64, WEFT_NODE_KEY_HEARTBEAT_MS,
		                    m->heartbeat_interval_ms);
	proto_node_write_statuses(b, m->containers, m->n_containers);
	evbuffer_add(b, "}", 1);
}

void proto_node_heartbeat_write(struct evbuffer *b, const struct proto_node_heartbeat *m)
{
	if (wjson_string_is_plain(m->node_id)) {
		evbuffer_add_printf(b,
		                    "{\"" WEFT_KEY_NODE_ID "\":\"%s\",\"" WEFT_KEY_RESPONSE_ID
		                    "\":%" PRId64 ",\"" WEFT_NODE_KEY_FULL_REPORT
		                    "\":%s,\"" WEFT_NODE_KEY_HEALTHY "\":%s",
		                    m->node_id, m->response_id, m->full_report ? "true" : "false",
		                    m->healthy ? "true" : "false");
	} else {
		evbuffer_add(b, "{", 1);
		proto_node_write_key(b, WEFT_KEY_NODE_ID, true);
		wjson_write_string(b, m->node_id);
		evbuffer_add_printf(b, ",\"%s\":%" PRId64 ",\"%s\":%s,\"%s\":%s",
		                    WEFT_KEY_RESPONSE_ID, m->response_id, WEFT_NODE_KEY_FULL_REPORT,
		                    m->full_report ? "true" : "false", WEFT_NODE_KEY_HEALTHY,
		                    m->healthy ? "true" : "false");
	}
	proto_node_write_statuses(b, m->containers, m->n_containers);
	if (m->health_report != NULL) {
		proto_node_write_key(b, WEFT_NODE_KEY_HEALTH_REPORT, false);
		wjson_write_string(b, m->health_report);
	}
	evbuffer_add(b, "}", 1);
}
