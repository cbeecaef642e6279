/*
 * proto_am.c — the AM <-> RM messages, encoded and decoded (proto_am.h,
 * weft/protocol.h "RM internal: AM protocol").
 *
 * Owns every key and value of this protocol: no other file spells them.
 * The RM (am_service.c, am_protocol.c), libweft's AM client
 * (am_client.c) and weft-sls's simulated AMs (sim_app.c) all call
 * these functions, so both ends read what the other wrote by
 * construction.  Decoders check types exactly (wjson), ranges and
 * lengths, and name the field path in *cause.
 */
#include "weft_config.h"

#include "common/proto_am.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/proto_container.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/ids.h"
#include "weft/protocol.h"

static const char *const proto_am_final_statuses[] = {"SUCCEEDED", "FAILED", "KILLED"};

/* ------------------------------------------------------------------ */
/* Field helpers. */

/* A required, non-empty string field of at most max bytes. */
static int proto_am_get_name(struct json_object *obj, const char *prefix, const char *key,
                             size_t max, const char **out, char **cause)
{
	if (wjson_get_text(obj, prefix, key, true, max, out, cause) != 0)
		return -1;
	if (**out == '\0')
		return set_cause(cause, "%s%s%s: empty", prefix, *prefix != '\0' ? "." : "", key);
	return 0;
}

/* A container id field. */
static int proto_am_get_container_id(struct json_object *obj, const char *prefix, const char *key,
                                     const char **out, char **cause)
{
	weft_container_id_t cid;

	if (wjson_get_text(obj, prefix, key, true, WEFT_ID_MAX, out, cause) != 0)
		return -1;
	if (weft_container_id_parse(*out, &cid) != 0)
		return set_cause(cause, "%s%s%s: \"%s\" is not a container id", prefix,
		                 *prefix != '\0' ? "." : "", key, *out);
	return 0;
}

/* Element i of arr, which must be an object. */
static int proto_am_element(struct json_object *arr, const char *key, size_t i,
                            struct json_object **out, char **cause)
{
	*out = json_object_array_get_idx(arr, i);
	if (*out == NULL || !json_object_is_type(*out, json_type_object))
		return set_cause(cause, "%s[%zu]: expected an object", key, i);
	return 0;
}

/* {"memory":..,"vCores":..} */
static struct json_object *proto_am_resource_encode(weft_resource_t r)
{
	struct json_object *o = wjson_new_object();

	wjson_add_int(o, WEFT_KEY_MEMORY, r.memory_mb);
	wjson_add_int(o, WEFT_KEY_VCORES_RESOURCE, r.vcores);
	return o;
}

/* An optional resource field (*out left alone when absent). */
static int proto_am_resource_decode(struct json_object *obj, const char *key, weft_resource_t *out,
                                    char **cause)
{
	struct json_object *r = NULL;
	int64_t mem = 0, cores = 0;

	if (wjson_get_object(obj, "", key, false, &r, cause) != 0)
		return -1;
	if (r == NULL)
		return 0;
	if (wjson_get_int(r, key, WEFT_KEY_MEMORY, true, 0, INT64_MAX, &mem, cause) != 0 ||
	    wjson_get_int(r, key, WEFT_KEY_VCORES_RESOURCE, true, 0, INT64_MAX, &cores, cause) != 0)
		return -1;
	*out = weft_resource(mem, cores);
	return 0;
}

/* Append the literal text of a key and its colon, with a comma before
 * it unless first (keys are string literals: no escaping, no scan). */
#define PROTO_AM_KEY(k)              "\"" k "\":"
#define PROTO_AM_WRITE_KEY(b, k)     evbuffer_add(b, "," PROTO_AM_KEY(k), sizeof PROTO_AM_KEY(k))
#define PROTO_AM_WRITE_KEY_1ST(b, k) evbuffer_add(b, PROTO_AM_KEY(k), sizeof PROTO_AM_KEY(k) - 1)

/* Append a JSON array of strings. */
static void proto_am_write_strings(struct evbuffer *b, const char *const *v, int n)
{
	evbuffer_add(b, "[", 1);
	for (int i = 0; i < n; i++) {
		if (i > 0)
			evbuffer_add(b, ",", 1);
		wjson_write_string(b, v[i]);
	}
	evbuffer_add(b, "]", 1);
}

/* A JSON array of strings. */
static struct json_object *proto_am_strings_encode(const char *const *v, int n)
{
	struct json_object *arr = json_object_new_array();

	for (int i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(v[i]));
	return arr;
}

/* progress clamped into [0, 1] (NaN: 0). */
static double proto_am_progress(double p)
{
	if (!(p >= 0.0))
		return 0.0;
	return p > 1.0 ? 1.0 : p;
}

/* ------------------------------------------------------------------ */
/* register */

struct json_object *proto_am_register_encode(const struct proto_am_register *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_HOST, m->host != NULL ? m->host : "");
	wjson_add_int(o, WEFT_AM_KEY_RPC_PORT, m->rpc_port);
	wjson_add_string(o, WEFT_KEY_TRACKING_URL, m->tracking_url != NULL ? m->tracking_url : "");
	return o;
}

int proto_am_register_decode(struct json_object *obj, struct proto_am_register *m, char **cause)
{
	int64_t port = -1;

	memset(m, 0, sizeof *m);
	m->host = "";
	m->tracking_url = "";
	if (wjson_get_text(obj, "", WEFT_KEY_HOST, false, PROTO_AM_HOST_MAX, &m->host, cause) !=
	            0 ||
	    wjson_get_int(obj, "", WEFT_AM_KEY_RPC_PORT, false, -1, 65535, &port, cause) != 0 ||
	    wjson_get_text(obj, "", WEFT_KEY_TRACKING_URL, false, PROTO_AM_URL_MAX,
	                   &m->tracking_url, cause) != 0)
		return -1;
	m->rpc_port = (int)port;
	return 0;
}

struct json_object *proto_am_registered_encode(const struct weft_am_registration *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_APPLICATION_ID, m->application_id);
	wjson_add_string(o, WEFT_AM_KEY_ATTEMPT_ID, m->attempt_id);
	if (m->queue != NULL)
		wjson_add_string(o, WEFT_KEY_QUEUE, m->queue);
	if (m->user != NULL)
		wjson_add_string(o, WEFT_KEY_USER, m->user);
	wjson_add(o, WEFT_AM_KEY_MAXIMUM_RESOURCE, proto_am_resource_encode(m->maximum));
	wjson_add(o, WEFT_AM_KEY_MINIMUM_RESOURCE, proto_am_resource_encode(m->minimum));
	return o;
}

int proto_am_registered_decode(struct json_object *obj, struct weft_am_registration *m,
                               char **cause)
{
	memset(m, 0, sizeof *m);
	if (proto_am_get_name(obj, "", WEFT_KEY_APPLICATION_ID, WEFT_ID_MAX, &m->application_id,
	                      cause) != 0 ||
	    proto_am_get_name(obj, "", WEFT_AM_KEY_ATTEMPT_ID, WEFT_ID_MAX, &m->attempt_id,
	                      cause) != 0 ||
	    wjson_get_text(obj, "", WEFT_KEY_QUEUE, false, PROTO_AM_NAME_MAX, &m->queue, cause) !=
	            0 ||
	    wjson_get_text(obj, "", WEFT_KEY_USER, false, PROTO_AM_NAME_MAX, &m->user, cause) !=
	            0 ||
	    proto_am_resource_decode(obj, WEFT_AM_KEY_MAXIMUM_RESOURCE, &m->maximum, cause) != 0 ||
	    proto_am_resource_decode(obj, WEFT_AM_KEY_MINIMUM_RESOURCE, &m->minimum, cause) != 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* allocate */

void proto_am_allocate_add_ask(struct proto_am_allocate *m,
                               const struct weft_container_request *ask)
{
	if (m->n_asks == m->cap_asks) {
		m->cap_asks = m->cap_asks == 0 ? 4 : m->cap_asks * 2;
		m->asks = xreallocarray(m->asks, (size_t)m->cap_asks, sizeof *m->asks);
	}
	m->asks[m->n_asks++] = *ask;
}

void proto_am_allocate_add_release(struct proto_am_allocate *m, const char *container_id)
{
	if (m->n_releases == m->cap_releases) {
		m->cap_releases = m->cap_releases == 0 ? 8 : m->cap_releases * 2;
		m->releases =
		        xreallocarray(m->releases, (size_t)m->cap_releases, sizeof *m->releases);
		m->copies = xreallocarray(m->copies, (size_t)m->cap_releases, sizeof *m->copies);
	}
	m->copies[m->n_copies] = xstrdup(container_id);
	m->releases[m->n_releases++] = m->copies[m->n_copies++];
}

void proto_am_allocate_clear(struct proto_am_allocate *m)
{
	for (int i = 0; i < m->n_copies; i++)
		free(m->copies[i]);
	free(m->copies);
	free(m->asks);
	free(m->hints);
	free(m->releases);
	memset(m, 0, sizeof *m);
}

/* One ask as JSON. */
static struct json_object *proto_am_ask_encode(const struct weft_container_request *a)
{
	struct json_object *o = wjson_new_object();

	wjson_add_int(o, WEFT_KEY_PRIORITY, a->priority);
	wjson_add_int(o, WEFT_AM_KEY_COUNT, a->count);
	wjson_add_int(o, WEFT_KEY_MEMORY_MB, a->capability.memory_mb);
	wjson_add_int(o, WEFT_KEY_VCORES, a->capability.vcores);
	if (a->n_nodes > 0)
		wjson_add(o, WEFT_AM_KEY_NODES, proto_am_strings_encode(a->nodes, a->n_nodes));
	if (a->n_racks > 0)
		wjson_add(o, WEFT_AM_KEY_RACKS, proto_am_strings_encode(a->racks, a->n_racks));
	wjson_add_bool(o, WEFT_AM_KEY_RELAX_LOCALITY, a->relax_locality);
	return o;
}

struct json_object *proto_am_allocate_encode(const struct proto_am_allocate *m)
{
	struct json_object *o = wjson_new_object();
	struct json_object *asks = json_object_new_array();

	wjson_add_int(o, WEFT_KEY_RESPONSE_ID, m->response_id);
	wjson_add_double(o, WEFT_KEY_PROGRESS, proto_am_progress(m->progress));
	for (int i = 0; i < m->n_asks; i++)
		json_object_array_add(asks, proto_am_ask_encode(&m->asks[i]));
	wjson_add(o, WEFT_AM_KEY_ASKS, asks);
	wjson_add(o, WEFT_AM_KEY_RELEASES, proto_am_strings_encode(m->releases, m->n_releases));
	return o;
}

void proto_am_allocate_write(struct evbuffer *b, const struct proto_am_allocate *m)
{
	evbuffer_add(b, "{", 1);
	PROTO_AM_WRITE_KEY_1ST(b, WEFT_KEY_RESPONSE_ID);
	evbuffer_add_printf(b, "%" PRId64, m->response_id);
	PROTO_AM_WRITE_KEY(b, WEFT_KEY_PROGRESS);
	evbuffer_add_printf(b, "%.3f", proto_am_progress(m->progress));
	if (m->n_asks > 0) {
		PROTO_AM_WRITE_KEY(b, WEFT_AM_KEY_ASKS);
		evbuffer_add(b, "[", 1);
		for (int i = 0; i < m->n_asks; i++) {
			const struct weft_container_request *a = &m->asks[i];

			evbuffer_add(b, i > 0 ? ",{" : "{", i > 0 ? 2 : 1);
			PROTO_AM_WRITE_KEY_1ST(b, WEFT_KEY_PRIORITY);
			evbuffer_add_printf(b, "%" PRId32, a->priority);
			PROTO_AM_WRITE_KEY(b, WEFT_AM_KEY_COUNT);
			evbuffer_add_printf(b, "%" PRId32, a->count);
			PROTO_AM_WRITE_KEY(b, WEFT_KEY_MEMORY_MB);
			evbuffer_add_printf(b, "%" PRId64, a->capability.memory_mb);
			PROTO_AM_WRITE_KEY(b, WEFT_KEY_VCORES);
			evbuffer_add_printf(b, "%" PRId64, a->capability.vcores);
			if (a->n_nodes > 0) {
				PROTO_AM_WRITE_KEY(b, WEFT_AM_KEY_NODES);
				proto_am_write_strings(b, a->nodes, a->n_nodes);
			}
			if (a->n_racks > 0) {
				PROTO_AM_WRITE_KEY(b, WEFT_AM_KEY_RACKS);
				proto_am_write_strings(b, a->racks, a->n_racks);
			}
			PROTO_AM_WRITE_KEY(b, WEFT_AM_KEY_RELAX_LOCALITY);
			evbuffer_add_printf(b, "%s}", a->relax_locality ? "true" : "false");
		}
		evbuffer_add(b, "]", 1);
	}
	if (m->n_releases > 0) {
		PROTO_AM_WRITE_KEY(b, WEFT_AM_KEY_RELEASES);
		proto_am_write_strings(b, m->releases, m->n_releases);
	}
	evbuffer_add(b, "}", 1);
}

/* progress: a JSON number (integer or not) within [0, 1]. */
static int proto_am_progress_decode(struct json_object *obj, double *out, char **cause)
{
	struct json_object *v = NULL;
	double p;

	if (!json_object_object_get_ex(obj, WEFT_KEY_PROGRESS, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return set_cause(cause, "%s: expected a number", WEFT_KEY_PROGRESS);
	p = json_object_get_double(v);
	if (!isfinite(p) || p < 0.0 || p > 1.0)
		return set_cause(cause, "%s: %g is out of range [0, 1]", WEFT_KEY_PROGRESS, p);
	*out = p;
	return 0;
}

/* The node or rack names of one ask into hints (at *used). */
static int proto_am_hints_decode(struct json_object *list, const char *path, const char *key,
                                 const char **hints, size_t *used, int *n, char **cause)
{
	size_t len = list != NULL ? json_object_array_length(list) : 0;

	*n = 0;
	for (size_t j = 0; j < len; j++) {
		struct json_object *h = json_object_array_get_idx(list, j);

		if (h == NULL || !json_object_is_type(h, json_type_string) ||
		    json_object_get_string_len(h) == 0 ||
		    json_object_get_string_len(h) > PROTO_AM_NAME_MAX)
			return set_cause(cause, "%s.%s[%zu]: expected a name string (1..%d bytes)",
			                 path, key, j, PROTO_AM_NAME_MAX);
		hints[(*used)++] = json_object_get_string(h);
		(*n)++;
	}
	return 0;
}

/* One ask of an allocate body. */
static int proto_am_ask_decode(struct json_object *item, const char *path, const char **hints,
                               size_t *used, struct weft_container_request *a, char **cause)
{
	struct json_object *nodes = NULL, *racks = NULL;
	int64_t priority = 0, count = 0, memory = 0, vcores = 0;
	size_t n;
	bool relax = true;

	if (wjson_get_int(item, path, WEFT_KEY_PRIORITY, true, 0, INT32_MAX, &priority, cause) !=
	            0 ||
	    wjson_get_int(item, path, WEFT_AM_KEY_COUNT, true, 0, INT32_MAX, &count, cause) != 0 ||
	    wjson_get_int(item, path, WEFT_KEY_MEMORY_MB, true, INT32_MIN, INT64_C(1) << 40,
	                  &memory, cause) != 0 ||
	    wjson_get_int(item, path, WEFT_KEY_VCORES, true, INT32_MIN, 1 << 20, &vcores, cause) !=
	            0 ||
	    wjson_get_list(item, path, WEFT_AM_KEY_NODES, false, PROTO_AM_MAX_HINTS, &nodes, &n,
	                   cause) != 0 ||
	    wjson_get_list(item, path, WEFT_AM_KEY_RACKS, false, PROTO_AM_MAX_HINTS, &racks, &n,
	                   cause) != 0 ||
	    wjson_get_bool(item, path, WEFT_AM_KEY_RELAX_LOCALITY, false, &relax, cause) != 0)
		return -1;
	a->priority = (int32_t)priority;
	a->count = (int32_t)count;
	a->capability = weft_resource(memory, vcores);
	a->relax_locality = relax;
	a->nodes = hints + *used;
	if (proto_am_hints_decode(nodes, path, WEFT_AM_KEY_NODES, hints, used, &a->n_nodes,
	                          cause) != 0)
		return -1;
	a->racks = hints + *used;
	return proto_am_hints_decode(racks, path, WEFT_AM_KEY_RACKS, hints, used, &a->n_racks,
	                             cause);
}

int proto_am_allocate_decode(struct json_object *obj, struct proto_am_allocate *m, char **cause)
{
	struct json_object *asks = NULL, *releases = NULL;
	size_t n_asks = 0, n_releases = 0, n_hints = 0, used = 0;

	memset(m, 0, sizeof *m);
	if (wjson_get_int(obj, "", WEFT_KEY_RESPONSE_ID, true, 0, INT64_MAX - 1, &m->response_id,
	                  cause) != 0 ||
	    proto_am_progress_decode(obj, &m->progress, cause) != 0 ||
	    wjson_get_list(obj, "", WEFT_AM_KEY_ASKS, false, PROTO_AM_MAX_ASKS, &asks, &n_asks,
	                   cause) != 0 ||
	    wjson_get_list(obj, "", WEFT_AM_KEY_RELEASES, false, PROTO_AM_MAX_RELEASES, &releases,
	                   &n_releases, cause) != 0)
		return -1;
	/* Count node and rack hints first so one array holds them all. */
	for (size_t i = 0; i < n_asks; i++) {
		static const char *const keys[] = {WEFT_AM_KEY_NODES, WEFT_AM_KEY_RACKS};
		struct json_object *item = json_object_array_get_idx(asks, i);

		for (size_t k = 0; k < 2; k++) {
			struct json_object *list = NULL;

			if (item != NULL && json_object_is_type(item, json_type_object) &&
			    json_object_object_get_ex(item, keys[k], &list) &&
			    json_object_is_type(list, json_type_array))
				n_hints += json_object_array_length(list);
		}
	}
	m->asks = xcalloc(n_asks + 1, sizeof *m->asks);
	m->cap_asks = (int)n_asks + 1;
	m->hints = xcalloc(n_hints + 1, sizeof *m->hints);
	for (size_t i = 0; i < n_asks; i++) {
		struct json_object *item;
		char path[32];

		if (proto_am_element(asks, WEFT_AM_KEY_ASKS, i, &item, cause) != 0)
			return -1;
		snprintf(path, sizeof path, "%s[%zu]", WEFT_AM_KEY_ASKS, i);
		if (proto_am_ask_decode(item, path, m->hints, &used, &m->asks[i], cause) != 0)
			return -1;
		m->n_asks++;
	}
	m->releases = xcalloc(n_releases + 1, sizeof *m->releases);
	m->cap_releases = (int)n_releases + 1;
	for (size_t i = 0; i < n_releases; i++) {
		struct json_object *v = json_object_array_get_idx(releases, i);
		weft_container_id_t cid;

		if (v == NULL || !json_object_is_type(v, json_type_string) ||
		    weft_container_id_parse(json_object_get_string(v), &cid) != 0)
			return set_cause(cause, "%s[%zu]: expected a container id",
			                 WEFT_AM_KEY_RELEASES, i);
		m->releases[m->n_releases++] = json_object_get_string(v);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The allocate answer's records. */

static struct json_object *proto_am_grant_encode(const struct weft_container *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_CONTAINER_ID, m->container_id);
	wjson_add_string(o, WEFT_KEY_NODE_ID, m->node_id);
	wjson_add_string(o, WEFT_KEY_NODE_HTTP_ADDRESS, m->node_http_address);
	wjson_add_int(o, WEFT_KEY_PRIORITY, m->priority);
	wjson_add_int(o, WEFT_KEY_MEMORY_MB, m->resource.memory_mb);
	wjson_add_int(o, WEFT_KEY_VCORES, m->resource.vcores);
	wjson_add_string(o, WEFT_KEY_TOKEN, m->token);
	return o;
}

/* Written as text: an answer can hold thousands of grants, and a json-c
 * object per grant cost more than everything else the grant needs but its
 * token. */
void proto_am_grant_write(struct evbuffer *b, const struct weft_container *m)
{
	evbuffer_add(b, "{", 1);
	PROTO_AM_WRITE_KEY_1ST(b, WEFT_KEY_CONTAINER_ID);
	wjson_write_string(b, m->container_id);
	PROTO_AM_WRITE_KEY(b, WEFT_KEY_NODE_ID);
	wjson_write_string(b, m->node_id);
	PROTO_AM_WRITE_KEY(b, WEFT_KEY_NODE_HTTP_ADDRESS);
	wjson_write_string(b, m->node_http_address);
	/* One printf for the numbers: it costs more than the rest. */
	evbuffer_add_printf(
	        b,
	        "," PROTO_AM_KEY(WEFT_KEY_PRIORITY) "%" PRId32 "," PROTO_AM_KEY(
	                WEFT_KEY_MEMORY_MB) "%" PRId64 "," PROTO_AM_KEY(WEFT_KEY_VCORES) "%" PRId64,
	        m->priority, m->resource.memory_mb, m->resource.vcores);
	PROTO_AM_WRITE_KEY(b, WEFT_KEY_TOKEN);
	wjson_write_string(b, m->token);
	evbuffer_add(b, "}", 1);
}

/* One grant of an allocate answer. */
static int proto_am_grant_decode(struct json_object *g, const char *path, struct weft_container *m,
                                 char **cause)
{
	int64_t priority = 0, mem = 0, cores = 0;

	if (proto_am_get_container_id(g, path, WEFT_KEY_CONTAINER_ID, &m->container_id, cause) !=
	            0 ||
	    proto_am_get_name(g, path, WEFT_KEY_NODE_ID, PROTO_AM_NAME_MAX, &m->node_id, cause) !=
	            0 ||
	    proto_am_get_name(g, path, WEFT_KEY_NODE_HTTP_ADDRESS, PROTO_AM_NAME_MAX,
	                      &m->node_http_address, cause) != 0 ||
	    proto_am_get_name(g, path, WEFT_KEY_TOKEN, PROTO_AM_NAME_MAX, &m->token, cause) != 0 ||
	    wjson_get_int(g, path, WEFT_KEY_PRIORITY, false, 0, INT32_MAX, &priority, cause) != 0 ||
	    wjson_get_int(g, path, WEFT_KEY_MEMORY_MB, false, 0, INT64_MAX, &mem, cause) != 0 ||
	    wjson_get_int(g, path, WEFT_KEY_VCORES, false, 0, INT64_MAX, &cores, cause) != 0)
		return -1;
	m->priority = (int32_t)priority;
	m->resource = weft_resource(mem, cores);
	return 0;
}

/* One completed container status (PROTO_AM_DECODE_LIST's shape). */
static int proto_am_completed_decode(struct json_object *c, const char *path,
                                     struct weft_container_status *m, char **cause)
{
	return proto_container_status_decode(c, path, PROTO_STATUS_COMPLETED, m, cause);
}

struct json_object *proto_am_preempt_encode(const struct weft_preemption_request *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_CONTAINER_ID, m->container_id);
	wjson_add_int(o, WEFT_AM_KEY_KILL_AT_MS, m->kill_at_ms);
	return o;
}

/* One container wanted back. */
static int proto_am_preempt_decode(struct json_object *p, const char *path,
                                   struct weft_preemption_request *m, char **cause)
{
	return proto_am_get_container_id(p, path, WEFT_KEY_CONTAINER_ID, &m->container_id, cause) !=
	                               0 ||
	                       wjson_get_int(p, path, WEFT_AM_KEY_KILL_AT_MS, true, 0, INT64_MAX,
	                                     &m->kill_at_ms, cause) != 0
	               ? -1
	               : 0;
}

/* ------------------------------------------------------------------ */
/* The allocate answer. */

/* completed as JSON: the prepared list (a new reference) or the records. */
static struct json_object *proto_am_completed_list(const struct proto_am_allocated *m)
{
	struct json_object *arr;

	if (m->completed_list != NULL)
		return json_object_get(m->completed_list);
	arr = json_object_new_array();
	for (int i = 0; i < m->n_completed; i++)
		json_object_array_add(arr, proto_container_status_encode(&m->completed[i]));
	return arr;
}

/* preempt as JSON: the prepared list (a new reference) or the records. */
static struct json_object *proto_am_preempt_list(const struct proto_am_allocated *m)
{
	struct json_object *arr;

	if (m->preempt_list != NULL)
		return json_object_get(m->preempt_list);
	arr = json_object_new_array();
	for (int i = 0; i < m->n_preempt; i++)
		json_object_array_add(arr, proto_am_preempt_encode(&m->preempt[i]));
	return arr;
}

/* Every field but "allocated". */
static void proto_am_allocated_rest(struct json_object *o, const struct proto_am_allocated *m)
{
	wjson_add_int(o, WEFT_KEY_RESPONSE_ID, m->response_id);
	wjson_add(o, WEFT_AM_KEY_COMPLETED, proto_am_completed_list(m));
	wjson_add(o, WEFT_AM_KEY_PREEMPT, proto_am_preempt_list(m));
	wjson_add(o, WEFT_AM_KEY_AVAILABLE, proto_am_resource_encode(m->available));
	wjson_add_int(o, WEFT_AM_KEY_NUM_CLUSTER_NODES, m->num_cluster_nodes);
	wjson_add_string(o, WEFT_KEY_ACTION,
	                 m->action == PROTO_AM_ACTION_SHUTDOWN ? WEFT_ACTION_SHUTDOWN
	                                                       : WEFT_ACTION_NORMAL);
}

struct json_object *proto_am_allocated_encode(const struct proto_am_allocated *m)
{
	struct json_object *o = wjson_new_object();
	struct json_object *grants = json_object_new_array();

	for (int i = 0; i < m->n_allocated; i++)
		json_object_array_add(grants, proto_am_grant_encode(&m->allocated[i]));
	wjson_add(o, WEFT_AM_KEY_ALLOCATED, grants);
	proto_am_allocated_rest(o, m);
	return o;
}

void proto_am_allocated_write(struct evbuffer *b, const struct proto_am_allocated *m)
{
	struct json_object *rest = wjson_new_object();
	size_t len = 0;
	const char *text;

	evbuffer_add(b, "{", 1);
	PROTO_AM_WRITE_KEY_1ST(b, WEFT_AM_KEY_ALLOCATED);
	evbuffer_add(b, "[", 1);
	for (int i = 0; i < m->n_allocated; i++) {
		if (i > 0)
			evbuffer_add(b, ",", 1);
		proto_am_grant_write(b, &m->allocated[i]);
	}
	evbuffer_add(b, "],", 2);
	/* The rest (small) through json-c, without its '{'. */
	proto_am_allocated_rest(rest, m);
	text = json_object_to_json_string_length(rest, JSON_C_TO_STRING_PLAIN, &len);
	evbuffer_add(b, text + 1, len - 1);
	json_object_put(rest);
}

/* Decode the entries of a list with one record decoder. */
#define PROTO_AM_DECODE_LIST(obj, key, required, out, n, fn, cause)                                \
	do {                                                                                       \
		struct json_object *arr_ = NULL, *item_;                                           \
		size_t len_ = 0;                                                                   \
		char path_[48];                                                                    \
		if (wjson_get_list(obj, "", key, required, PROTO_AM_MAX_CONTAINERS, &arr_, &len_,  \
		                   cause) != 0)                                                    \
			return -1;                                                                 \
		(out) = xcalloc(len_ + 1, sizeof *(out));                                          \
		for (size_t i_ = 0; i_ < len_; i_++) {                                             \
			if (proto_am_element(arr_, key, i_, &item_, cause) != 0)                   \
				return -1;                                                         \
			if (fn(item_, key, &(out)[i_], NULL) != 0) {                               \
				/* Again for the cause with the entry's path: only a failure pays  \
				 * for formatting it. */                                           \
				snprintf(path_, sizeof path_, "%s[%zu]", key, i_);                 \
				fn(item_, path_, &(out)[i_], cause);                               \
				return -1;                                                         \
			}                                                                          \
			(n)++;                                                                     \
		}                                                                                  \
	} while (0)

int proto_am_allocated_decode(struct json_object *obj, struct proto_am_allocated *m, char **cause)
{
	int64_t nodes = 0;

	memset(m, 0, sizeof *m);
	if (wjson_get_int(obj, "", WEFT_KEY_RESPONSE_ID, true, 0, INT64_MAX, &m->response_id,
	                  cause) != 0 ||
	    wjson_get_text(obj, "", WEFT_KEY_ACTION, false, PROTO_AM_NAME_MAX, &m->action_name,
	                   cause) != 0 ||
	    wjson_get_int(obj, "", WEFT_AM_KEY_NUM_CLUSTER_NODES, false, 0, INT32_MAX, &nodes,
	                  cause) != 0 ||
	    proto_am_resource_decode(obj, WEFT_AM_KEY_AVAILABLE, &m->available, cause) != 0)
		return -1;
	m->num_cluster_nodes = (int)nodes;
	if (m->action_name == NULL || strcmp(m->action_name, WEFT_ACTION_NORMAL) == 0)
		m->action = PROTO_AM_ACTION_NORMAL;
	else if (strcmp(m->action_name, WEFT_ACTION_SHUTDOWN) == 0)
		m->action = PROTO_AM_ACTION_SHUTDOWN;
	else
		m->action = PROTO_AM_ACTION_UNKNOWN;
	PROTO_AM_DECODE_LIST(obj, WEFT_AM_KEY_ALLOCATED, false, m->allocated, m->n_allocated,
	                     proto_am_grant_decode, cause);
	PROTO_AM_DECODE_LIST(obj, WEFT_AM_KEY_COMPLETED, false, m->completed, m->n_completed,
	                     proto_am_completed_decode, cause);
	PROTO_AM_DECODE_LIST(obj, WEFT_AM_KEY_PREEMPT, false, m->preempt, m->n_preempt,
	                     proto_am_preempt_decode, cause);
	return 0;
}

void proto_am_allocated_clear(struct proto_am_allocated *m)
{
	free(m->allocated);
	free(m->completed);
	free(m->preempt);
	m->allocated = NULL;
	m->completed = NULL;
	m->preempt = NULL;
	m->n_allocated = m->n_completed = m->n_preempt = 0;
}

/* ------------------------------------------------------------------ */
/* finish */

struct json_object *proto_am_finish_encode(const struct proto_am_finish *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_FINAL_STATUS, m->final_status);
	wjson_add_string(o, WEFT_KEY_DIAGNOSTICS, m->diagnostics != NULL ? m->diagnostics : "");
	wjson_add_string(o, WEFT_KEY_TRACKING_URL, m->tracking_url != NULL ? m->tracking_url : "");
	return o;
}

int proto_am_finish_decode(struct json_object *obj, struct proto_am_finish *m, char **cause)
{
	memset(m, 0, sizeof *m);
	m->diagnostics = "";
	m->tracking_url = "";
	if (wjson_get_text(obj, "", WEFT_KEY_FINAL_STATUS, true, PROTO_AM_NAME_MAX,
	                   &m->final_status, cause) != 0 ||
	    wjson_get_text(obj, "", WEFT_KEY_DIAGNOSTICS, false, PROTO_AM_DIAGNOSTICS_MAX,
	                   &m->diagnostics, cause) != 0 ||
	    wjson_get_text(obj, "", WEFT_KEY_TRACKING_URL, false, PROTO_AM_URL_MAX,
	                   &m->tracking_url, cause) != 0)
		return -1;
	if (proto_am_final_status_valid(m->final_status))
		return 0;
	return set_cause(cause, "%s: '%s' is not SUCCEEDED, FAILED or KILLED",
	                 WEFT_KEY_FINAL_STATUS, m->final_status);
}

bool proto_am_final_status_valid(const char *status)
{
	for (size_t i = 0; i < sizeof proto_am_final_statuses / sizeof *proto_am_final_statuses;
	     i++) {
		if (strcmp(status, proto_am_final_statuses[i]) == 0)
			return true;
	}
	return false;
}

struct json_object *proto_am_finished_encode(void)
{
	struct json_object *o = wjson_new_object();

	wjson_add_bool(o, WEFT_AM_KEY_IS_UNREGISTERED, true);
	return o;
}

int proto_am_finished_decode(struct json_object *obj, bool *is_unregistered, char **cause)
{
	*is_unregistered = false;
	return wjson_get_bool(obj, "", WEFT_AM_KEY_IS_UNREGISTERED, false, is_unregistered, cause);
}
