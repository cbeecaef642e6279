/*
 * proto_task.c — the driver <-> executor messages and the dataflow task,
 * encoded and decoded (proto_task.h, weft/protocol.h).
 *
 * Owns every key and value of this protocol: no other file spells them.
 * The driver (executor_registry.c, dag_task.c), the executor
 * (executor.c, executor_output.c), its task runner and the NM's shuffle
 * service all call these functions, so both ends read what the other
 * wrote by construction.  Decoders check types exactly (wjson), ranges
 * and lengths, and name the field path in *cause.
 */
#include "weft_config.h"

#include "common/proto_task.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/security.h"
#include "common/utf8.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/ids.h"
#include "weft/protocol.h"

static const char *const proto_task_state_names[] = {"RUNNING", "FINISHED", "FAILED", "KILLED"};
static const char *const proto_task_join_names[] = {"inner", "left", "right", "full"};

/* ------------------------------------------------------------------ */
/* Field helpers. */

/* "prefix.key", or "key" at the top (caller frees). */
static char *proto_task_path(const char *prefix, const char *key)
{
	if (prefix == NULL || *prefix == '\0')
		return xstrdup(key);
	return xasprintf("%s.%s", prefix, key);
}

/* A string field, copied (NULL when absent). */
static int proto_task_dup_string(struct json_object *obj, const char *prefix, const char *key,
                                 bool required, size_t max, char **out, char **cause)
{
	const char *v = NULL;

	if (wjson_get_text(obj, prefix, key, required, max, &v, cause) != 0)
		return -1;
	*out = v != NULL ? xstrdup(v) : NULL;
	return 0;
}

/* The element i of array arr, which must be an object. */
static int proto_task_array_object(struct json_object *arr, size_t i, const char *path,
                                   struct json_object **out, char **cause)
{
	struct json_object *o = json_object_array_get_idx(arr, i);

	*out = NULL;
	if (o == NULL || !json_object_is_type(o, json_type_object))
		return set_cause(cause, "%s[%zu]: expected an object", path, i);
	*out = o;
	return 0;
}

/* Add a string unless it is NULL. */
static void proto_task_add_string(struct json_object *obj, const char *key, const char *value)
{
	if (value != NULL)
		wjson_add_string(obj, key, value);
}

/* A new {"type":type}. */
static struct json_object *proto_task_message(const char *type)
{
	struct json_object *msg = wjson_new_object();

	wjson_add_string(msg, WEFT_KEY_TYPE, type);
	return msg;
}

/* ------------------------------------------------------------------ */
/* Shuffle file names. */

bool proto_task_map_id_valid(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0, i;

	if (n == 0 || n > PROTO_TASK_MAP_ID_MAX)
		return false;
	for (i = 0; i < n; i++)
		if ((s[i] < '0' || s[i] > '9') && s[i] != '_')
			return false;
	return true;
}

char *proto_task_map_id(int64_t partition, int64_t task_id, int attempt)
{
	return xasprintf("%" PRId64 "_%" PRId64 "_%d", partition, task_id, attempt);
}

char *proto_task_map_file(int64_t shuffle_id, const char *map, const char *suffix)
{
	return xasprintf("shuffle_%" PRId64 "_%s.%s", shuffle_id, map, suffix);
}

char *proto_task_block_file(int64_t dataset, int64_t partition)
{
	return xasprintf("block_%" PRId64 "_%" PRId64, dataset, partition);
}

char *proto_task_shuffle_map_path(const char *app_id, int64_t shuffle_id, const char *map,
                                  int64_t reduce)
{
	return xasprintf("/ws/v1/node/shuffle/%s/map/%" PRId64 "/%s/%" PRId64, app_id, shuffle_id,
	                 map, reduce);
}

char *proto_task_shuffle_block_path(const char *app_id, int64_t dataset, int64_t partition)
{
	return xasprintf("/ws/v1/node/shuffle/%s/block/%" PRId64 "/%" PRId64, app_id, dataset,
	                 partition);
}

/* Order of two keys: bytes, then length (the executor's record order). */
static int proto_task_key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* ------------------------------------------------------------------ */
/* Message types. */

int proto_task_type_decode(struct json_object *obj, enum proto_task_type *type, const char **name,
                           char **cause)
{
	static const struct {
		const char *name;
		enum proto_task_type type;
	} types[] = {
	        {WEFT_MSG_REGISTER, PROTO_TASK_REGISTER},
	        {WEFT_MSG_REGISTERED, PROTO_TASK_REGISTERED},
	        {WEFT_MSG_REJECTED, PROTO_TASK_REJECTED},
	        {WEFT_MSG_LAUNCH, PROTO_TASK_LAUNCH},
	        {WEFT_MSG_STATUS, PROTO_TASK_STATUS},
	        {WEFT_MSG_KILL, PROTO_TASK_KILL},
	        {WEFT_MSG_SHUTDOWN, PROTO_TASK_SHUTDOWN},
	        {WEFT_MSG_CHALLENGE, PROTO_TASK_CHALLENGE},
	        {WEFT_MSG_AUTH, PROTO_TASK_AUTH},
	};
	const char *t = NULL;
	size_t i;

	if (wjson_get_text(obj, "", WEFT_KEY_TYPE, true, 64, &t, cause) != 0)
		return -1;
	*type = PROTO_TASK_UNKNOWN;
	if (name != NULL)
		*name = t;
	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		if (strcmp(t, types[i].name) == 0) {
			*type = types[i].type;
			break;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* register, registered, rejected, kill, shutdown. */

struct json_object *proto_task_register_encode(const struct proto_task_register *m)
{
	struct json_object *msg = proto_task_message(WEFT_MSG_REGISTER);

	wjson_add_string(msg, WEFT_KEY_EXECUTOR_ID, m->executor_id);
	wjson_add_string(msg, WEFT_KEY_NONCE, m->nonce);
	wjson_add_string(msg, WEFT_KEY_HOST, m->host);
	proto_task_add_string(msg, WEFT_KEY_NODE_ID, m->node_id);
	proto_task_add_string(msg, WEFT_KEY_CONTAINER_ID, m->container_id);
	wjson_add_int(msg, WEFT_KEY_CORES, m->cores);
	proto_task_add_string(msg, WEFT_KEY_WORK_DIR, m->work_dir);
	wjson_add_int(msg, WEFT_KEY_PID, m->pid);
	return msg;
}

/* Executor ids are short names: [A-Za-z0-9._:-]{1,128}. */
static bool proto_task_executor_id_valid(const char *id)
{
	size_t len = strlen(id), i;

	if (len == 0 || len > PROTO_TASK_ID_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)id[i]) && strchr("._:-", id[i]) == NULL)
			return false;
	}
	return true;
}

/* A host name or address: printable, no spaces, not empty. */
static bool proto_task_host_valid(const char *host)
{
	size_t len = strlen(host), i;

	if (len == 0 || len > PROTO_TASK_HOST_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (!isgraph((unsigned char)host[i]))
			return false;
	}
	return true;
}

bool proto_task_hex_valid(const char *s, size_t len)
{
	size_t i;

	if (strlen(s) != len)
		return false;
	for (i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* A required string of exactly len hex digits (a nonce or a proof). */
static int proto_task_get_hex(struct json_object *obj, const char *key, size_t len,
                              const char **out, char **cause)
{
	if (wjson_get_text(obj, "", key, true, len, out, cause) != 0)
		return -1;
	if (!proto_task_hex_valid(*out, len))
		return set_cause(cause, "%s: expected %zu hex digits", key, len);
	return 0;
}

int proto_task_register_decode(struct json_object *obj, struct proto_task_register *m, char **cause)
{
	weft_container_id_t cid;
	int64_t cores;

	memset(m, 0, sizeof *m);
	if (wjson_get_string(obj, "", WEFT_KEY_EXECUTOR_ID, true, &m->executor_id, cause) != 0 ||
	    proto_task_get_hex(obj, WEFT_KEY_NONCE, PROTO_TASK_NONCE_HEX, &m->nonce, cause) != 0 ||
	    wjson_get_string(obj, "", WEFT_KEY_HOST, true, &m->host, cause) != 0 ||
	    wjson_get_string(obj, "", WEFT_KEY_NODE_ID, false, &m->node_id, cause) != 0 ||
	    wjson_get_string(obj, "", WEFT_KEY_CONTAINER_ID, false, &m->container_id, cause) != 0 ||
	    wjson_get_int(obj, "", WEFT_KEY_CORES, true, 1, PROTO_TASK_MAX_CORES, &cores, cause) !=
	            0 ||
	    wjson_get_text(obj, "", WEFT_KEY_WORK_DIR, false, PROTO_TASK_PATH_MAX, &m->work_dir,
	                   cause) != 0 ||
	    wjson_get_int(obj, "", WEFT_KEY_PID, false, 0, INT_MAX, &m->pid, cause) != 0)
		return -1;
	m->cores = (int)cores;
	if (!proto_task_executor_id_valid(m->executor_id))
		return set_cause(cause, "executorId: expected [A-Za-z0-9._:-]{1,%d}",
		                 PROTO_TASK_ID_MAX);
	if (!proto_task_host_valid(m->host))
		return set_cause(cause, "host: not a host name");
	if (m->node_id != NULL && *m->node_id != '\0' && !proto_task_host_valid(m->node_id))
		return set_cause(cause, "nodeId: not a node id");
	if (m->container_id != NULL && *m->container_id != '\0' &&
	    weft_container_id_parse(m->container_id, &cid) != 0)
		return set_cause(cause, "containerId: not a container id");
	return 0;
}

struct json_object *proto_task_challenge_encode(const struct proto_task_challenge *m)
{
	struct json_object *msg = proto_task_message(WEFT_MSG_CHALLENGE);

	wjson_add_string(msg, WEFT_KEY_NONCE, m->nonce);
	wjson_add_string(msg, WEFT_KEY_PROOF, m->proof);
	return msg;
}

int proto_task_challenge_decode(struct json_object *obj, struct proto_task_challenge *m,
                                char **cause)
{
	memset(m, 0, sizeof *m);
	if (proto_task_get_hex(obj, WEFT_KEY_NONCE, PROTO_TASK_NONCE_HEX, &m->nonce, cause) != 0 ||
	    proto_task_get_hex(obj, WEFT_KEY_PROOF, PROTO_TASK_PROOF_HEX, &m->proof, cause) != 0)
		return -1;
	return 0;
}

struct json_object *proto_task_auth_encode(const struct proto_task_auth *m)
{
	struct json_object *msg = proto_task_message(WEFT_MSG_AUTH);

	wjson_add_string(msg, WEFT_KEY_PROOF, m->proof);
	return msg;
}

int proto_task_auth_decode(struct json_object *obj, struct proto_task_auth *m, char **cause)
{
	memset(m, 0, sizeof *m);
	return proto_task_get_hex(obj, WEFT_KEY_PROOF, PROTO_TASK_PROOF_HEX, &m->proof, cause);
}

/* Each field NUL-terminated, so no two field splits give the same bytes. */
void proto_task_proof(const char *secret, const char *role, const char *executor_id,
                      const char *executor_nonce, const char *driver_nonce, char out[65])
{
	const char *parts[] = {role, executor_id, executor_nonce, driver_nonce};
	size_t len = 0, off = 0, i, n;
	char *data;

	for (i = 0; i < 4; i++)
		len += strlen(parts[i]) + 1;
	data = xmalloc(len);
	for (i = 0; i < 4; i++) {
		n = strlen(parts[i]) + 1;
		memcpy(data + off, parts[i], n);
		off += n;
	}
	security_hmac_hex(secret, strlen(secret), data, len, out);
	free(data);
}

struct json_object *proto_task_registered_encode(void)
{
	return proto_task_message(WEFT_MSG_REGISTERED);
}

struct json_object *proto_task_rejected_encode(const struct proto_task_rejected *m)
{
	struct json_object *msg = proto_task_message(WEFT_MSG_REJECTED);

	proto_task_add_string(msg, WEFT_KEY_REASON, m->reason);
	return msg;
}

int proto_task_rejected_decode(struct json_object *obj, struct proto_task_rejected *m, char **cause)
{
	memset(m, 0, sizeof *m);
	return wjson_get_text(obj, "", WEFT_KEY_REASON, false, 64 * 1024, &m->reason, cause);
}

struct json_object *proto_task_kill_encode(const struct proto_task_kill *m)
{
	struct json_object *msg = proto_task_message(WEFT_MSG_KILL);

	wjson_add_int(msg, WEFT_KEY_TASK_ID, m->task_id);
	wjson_add_int(msg, WEFT_KEY_ATTEMPT, m->attempt);
	return msg;
}

int proto_task_kill_decode(struct json_object *obj, struct proto_task_kill *m, char **cause)
{
	int64_t attempt;

	memset(m, 0, sizeof *m);
	if (wjson_get_int(obj, "", WEFT_KEY_TASK_ID, true, 0, INT64_MAX, &m->task_id, cause) != 0 ||
	    wjson_get_int(obj, "", WEFT_KEY_ATTEMPT, true, 0, INT_MAX, &attempt, cause) != 0)
		return -1;
	m->attempt = (int)attempt;
	return 0;
}

struct json_object *proto_task_shutdown_encode(void)
{
	return proto_task_message(WEFT_MSG_SHUTDOWN);
}

/* ------------------------------------------------------------------ */
/* The dataflow task: encoding. */

/* "input" of a spec. */
static struct json_object *proto_task_input_encode(const struct proto_task_input *in)
{
	struct json_object *o = wjson_new_object(), *sides, *s, *maps, *m;
	int i, k;

	switch (in->type) {
	case PROTO_TASK_INPUT_TEXT:
		wjson_add_string(o, WEFT_KEY_TYPE, "text");
		proto_task_add_string(o, WEFT_KEY_PATH, in->path);
		proto_task_add_string(o, WEFT_KEY_URL, in->url);
		wjson_add_int(o, WEFT_KEY_START, in->start);
		wjson_add_int(o, WEFT_KEY_LENGTH, in->length);
		break;
	case PROTO_TASK_INPUT_BLOCK:
		wjson_add_string(o, WEFT_KEY_TYPE, "block");
		wjson_add_int(o, WEFT_KEY_DATASET, in->dataset);
		wjson_add_string(o, WEFT_KEY_NODE, in->node);
		wjson_add_int(o, WEFT_KEY_SIZE, in->size);
		break;
	case PROTO_TASK_INPUT_SHUFFLE:
		wjson_add_string(o, WEFT_KEY_TYPE, "shuffle");
		wjson_add_string(o, WEFT_KEY_MODE,
		                 in->mode == PROTO_TASK_REDUCE_JOIN ? "join" : "group");
		if (in->mode == PROTO_TASK_REDUCE_JOIN)
			wjson_add_string(o, WEFT_KEY_JOIN, proto_task_join_names[in->join]);
		sides = json_object_new_array();
		for (i = 0; i < in->n_sides; i++) {
			s = wjson_new_object();
			maps = json_object_new_array();
			wjson_add_int(s, WEFT_KEY_SHUFFLE_ID, in->sides[i].shuffle_id);
			for (k = 0; k < in->sides[i].n_maps; k++) {
				const struct proto_task_map_source *src = &in->sides[i].maps[k];

				m = wjson_new_object();
				wjson_add_string(m, WEFT_KEY_MAP, src->map);
				wjson_add_string(m, WEFT_KEY_NODE, src->node);
				wjson_add_int(m, WEFT_KEY_SIZE, src->size);
				json_object_array_add(maps, m);
			}
			wjson_add(s, WEFT_KEY_MAPS, maps);
			json_object_array_add(sides, s);
		}
		wjson_add(o, WEFT_KEY_SIDES, sides);
		break;
	}
	return o;
}

/* "output" of a spec. */
static struct json_object *proto_task_output_encode(const struct proto_task_output *out)
{
	struct json_object *o = wjson_new_object(), *bounds;
	char *b64;
	int i;

	switch (out->type) {
	case PROTO_TASK_OUTPUT_COLLECT:
		wjson_add_string(o, WEFT_KEY_TYPE, "collect");
		break;
	case PROTO_TASK_OUTPUT_SAVE:
		wjson_add_string(o, WEFT_KEY_TYPE, "save");
		wjson_add_string(o, WEFT_KEY_DIR, out->dir);
		wjson_add_string(o, WEFT_KEY_FILE, out->file);
		break;
	case PROTO_TASK_OUTPUT_SAMPLE:
		wjson_add_string(o, WEFT_KEY_TYPE, "sample");
		wjson_add_int(o, WEFT_KEY_SIZE, out->sample_size);
		break;
	case PROTO_TASK_OUTPUT_SHUFFLE:
		wjson_add_string(o, WEFT_KEY_TYPE, "shuffle");
		wjson_add_int(o, WEFT_KEY_SHUFFLE_ID, out->shuffle_id);
		wjson_add_int(o, WEFT_KEY_PARTITIONS, out->partitions);
		wjson_add_string(o, WEFT_KEY_PARTITIONER, out->range ? "range" : "hash");
		if (out->range) {
			bounds = json_object_new_array();
			for (i = 0; i < out->n_bounds; i++) {
				b64 = base64_encode(out->bounds[i], out->bound_lens[i]);
				json_object_array_add(bounds, json_object_new_string(b64));
				free(b64);
			}
			wjson_add(o, WEFT_KEY_BOUNDS, bounds);
		}
		proto_task_add_string(o, WEFT_KEY_COMBINE, out->combine);
		break;
	}
	return o;
}

struct json_object *proto_task_spec_encode(const struct proto_task_spec *spec,
                                           enum proto_task_spec_form form)
{
	struct json_object *o = wjson_new_object(), *commands, *persist, *p;
	char *dirs = NULL, *next;
	int i;

	if (form == PROTO_TASK_SPEC_FILE) {
		wjson_add_int(o, WEFT_KEY_TASK_ID, spec->task_id);
		wjson_add_int(o, WEFT_KEY_ATTEMPT, spec->attempt);
		wjson_add_string(o, WEFT_KEY_APPLICATION_ID, spec->app_id);
		wjson_add_string(o, WEFT_KEY_NODE_ID, spec->node_id);
		wjson_add_string(o, WEFT_KEY_SECRET, spec->secret);
		for (i = 0; i < spec->n_local_dirs; i++) {
			next = dirs == NULL ? xstrdup(spec->local_dirs[i])
			                    : xasprintf("%s,%s", dirs, spec->local_dirs[i]);
			free(dirs);
			dirs = next;
		}
		wjson_add_string(o, WEFT_KEY_LOCAL_DIRS, dirs != NULL ? dirs : "");
		free(dirs);
		wjson_add_int(o, WEFT_KEY_BUDGET_BYTES, (int64_t)spec->budget);
	}
	wjson_add_int(o, WEFT_KEY_STAGE, spec->stage);
	if (spec->partition >= 0)
		wjson_add_int(o, WEFT_KEY_PARTITION, spec->partition);
	wjson_add(o, WEFT_KEY_INPUT, proto_task_input_encode(&spec->in));
	commands = json_object_new_array();
	for (i = 0; i < spec->n_commands; i++)
		json_object_array_add(commands, json_object_new_string(spec->commands[i]));
	wjson_add(o, WEFT_KEY_COMMANDS, commands);
	persist = json_object_new_array();
	for (i = 0; i < spec->n_persist; i++) {
		p = wjson_new_object();
		wjson_add_int(p, WEFT_KEY_STEP, spec->persist[i].step);
		wjson_add_int(p, WEFT_KEY_DATASET, spec->persist[i].dataset);
		json_object_array_add(persist, p);
	}
	wjson_add(o, WEFT_KEY_PERSIST, persist);
	wjson_add(o, WEFT_KEY_OUTPUT, proto_task_output_encode(&spec->out));
	return o;
}

/* ------------------------------------------------------------------ */
/* The dataflow task: decoding. */

/* The map sources of one shuffle side. */
static int proto_task_side_decode(struct json_object *obj, const char *prefix,
                                  struct proto_task_shuffle_side *side, char **cause)
{
	struct json_object *maps = NULL, *m = NULL;
	char *path, *mpath;
	size_t i, n;
	int rc = 0;

	if (wjson_get_int(obj, prefix, WEFT_KEY_SHUFFLE_ID, true, 0, INT32_MAX, &side->shuffle_id,
	                  cause) != 0 ||
	    wjson_get_list(obj, prefix, WEFT_KEY_MAPS, true, PROTO_TASK_MAX_MAPS, &maps, &n,
	                   cause) != 0)
		return -1;
	side->maps = xcalloc(n > 0 ? n : 1, sizeof *side->maps);
	mpath = proto_task_path(prefix, WEFT_KEY_MAPS);
	for (i = 0; i < n && rc == 0; i++) {
		struct proto_task_map_source *src = &side->maps[i];

		if (proto_task_array_object(maps, i, mpath, &m, cause) != 0) {
			rc = -1;
			break;
		}
		path = xasprintf("%s[%zu]", mpath, i);
		side->n_maps++;
		if (proto_task_dup_string(m, path, WEFT_KEY_MAP, true, PROTO_TASK_MAP_ID_MAX * 4,
		                          &src->map, cause) != 0 ||
		    proto_task_dup_string(m, path, WEFT_KEY_NODE, true, PROTO_TASK_HOST_MAX,
		                          &src->node, cause) != 0 ||
		    wjson_get_int(m, path, WEFT_KEY_SIZE, true, 0, INT64_MAX, &src->size, cause) !=
		            0)
			rc = -1;
		else if (!proto_task_map_id_valid(src->map))
			rc = set_cause(cause, "%s.map: expected [0-9_]{1,64}", path);
		free(path);
	}
	free(mpath);
	return rc;
}

/* "input": text, shuffle or block. */
static int proto_task_input_decode(struct json_object *obj, const char *prefix,
                                   struct proto_task_input *in, char **cause)
{
	struct json_object *sides = NULL, *side = NULL;
	const char *type = NULL, *mode = NULL, *join = NULL;
	char *path, *spath;
	size_t i, n;
	int rc = 0;

	if (wjson_get_text(obj, prefix, WEFT_KEY_TYPE, true, 64, &type, cause) != 0)
		return -1;
	if (strcmp(type, "text") == 0) {
		in->type = PROTO_TASK_INPUT_TEXT;
		in->length = -1;
		if (proto_task_dup_string(obj, prefix, WEFT_KEY_PATH, false, PROTO_TASK_PATH_MAX,
		                          &in->path, cause) != 0 ||
		    proto_task_dup_string(obj, prefix, WEFT_KEY_URL, false, PROTO_TASK_PATH_MAX,
		                          &in->url, cause) != 0 ||
		    wjson_get_int(obj, prefix, WEFT_KEY_START, false, 0, INT64_MAX, &in->start,
		                  cause) != 0 ||
		    wjson_get_int(obj, prefix, WEFT_KEY_LENGTH, false, -1, INT64_MAX, &in->length,
		                  cause) != 0)
			return -1;
		if ((in->path == NULL) == (in->url == NULL))
			return set_cause(cause, "%s: expected one of path and url", prefix);
		if (in->path != NULL && in->path[0] != '/')
			return set_cause(cause, "%s.path: expected an absolute path", prefix);
		return 0;
	}
	if (strcmp(type, "block") == 0) {
		in->type = PROTO_TASK_INPUT_BLOCK;
		return wjson_get_int(obj, prefix, WEFT_KEY_DATASET, true, 0, INT32_MAX,
		                     &in->dataset, cause) != 0 ||
		                       proto_task_dup_string(obj, prefix, WEFT_KEY_NODE, true,
		                                             PROTO_TASK_HOST_MAX, &in->node,
		                                             cause) != 0 ||
		                       wjson_get_int(obj, prefix, WEFT_KEY_SIZE, false, 0,
		                                     INT64_MAX, &in->size, cause) != 0
		               ? -1
		               : 0;
	}
	if (strcmp(type, "shuffle") != 0)
		return set_cause(cause, "%s.type: unknown input type '%.32s'", prefix, type);
	in->type = PROTO_TASK_INPUT_SHUFFLE;
	if (wjson_get_string(obj, prefix, WEFT_KEY_MODE, false, &mode, cause) != 0 ||
	    wjson_get_string(obj, prefix, WEFT_KEY_JOIN, false, &join, cause) != 0 ||
	    wjson_get_list(obj, prefix, WEFT_KEY_SIDES, true, 2, &sides, &n, cause) != 0)
		return -1;
	in->mode = PROTO_TASK_REDUCE_GROUP;
	if (mode != NULL && strcmp(mode, "join") == 0)
		in->mode = PROTO_TASK_REDUCE_JOIN;
	else if (mode != NULL && strcmp(mode, "group") != 0)
		return set_cause(cause, "%s.mode: expected group or join", prefix);
	in->join = PROTO_TASK_JOIN_INNER;
	if (join != NULL) {
		for (i = 0; i < 4; i++)
			if (strcmp(join, proto_task_join_names[i]) == 0)
				break;
		if (i == 4)
			return set_cause(cause, "%s.join: expected inner, left, right or full",
			                 prefix);
		in->join = (enum proto_task_join_type)i;
	}
	if (n < 1 || (in->mode == PROTO_TASK_REDUCE_JOIN) != (n == 2))
		return set_cause(cause, "%s.sides: expected 1 side (group) or 2 (join)", prefix);
	spath = proto_task_path(prefix, WEFT_KEY_SIDES);
	for (i = 0; i < n && rc == 0; i++) {
		if (proto_task_array_object(sides, i, spath, &side, cause) != 0) {
			rc = -1;
			break;
		}
		path = xasprintf("%s[%zu]", spath, i);
		in->n_sides++;
		rc = proto_task_side_decode(side, path, &in->sides[i], cause);
		free(path);
	}
	free(spath);
	return rc;
}

/* "bounds" of a range partitioner: partitions - 1 sorted base64 keys. */
static int proto_task_bounds_decode(struct json_object *obj, const char *prefix,
                                    struct proto_task_output *out, char **cause)
{
	struct json_object *bounds = NULL, *b;
	size_t i, n;

	if (wjson_get_list(obj, prefix, WEFT_KEY_BOUNDS, true, PROTO_TASK_MAX_PARTITIONS, &bounds,
	                   &n, cause) != 0)
		return -1;
	if (n + 1 != (size_t)out->partitions)
		return set_cause(cause, "%s.bounds: expected partitions - 1 = %u keys, got %zu",
		                 prefix, out->partitions - 1, n);
	out->bounds = xcalloc(n > 0 ? n : 1, sizeof *out->bounds);
	out->bound_lens = xcalloc(n > 0 ? n : 1, sizeof *out->bound_lens);
	for (i = 0; i < n; i++) {
		b = json_object_array_get_idx(bounds, i);
		if (b == NULL || !json_object_is_type(b, json_type_string) ||
		    (out->bounds[i] = base64_decode(json_object_get_string(b),
		                                    (size_t)json_object_get_string_len(b),
		                                    &out->bound_lens[i])) == NULL)
			return set_cause(cause, "%s.bounds[%zu]: expected a base64 string", prefix,
			                 i);
		out->n_bounds++;
		if (i > 0 && proto_task_key_cmp(out->bounds[i - 1], out->bound_lens[i - 1],
		                                out->bounds[i], out->bound_lens[i]) > 0)
			return set_cause(cause, "%s.bounds[%zu]: keys are not sorted", prefix, i);
	}
	return 0;
}

/* "output": shuffle, save, collect or sample. */
static int proto_task_output_decode(struct json_object *obj, const char *prefix,
                                    struct proto_task_output *out, char **cause)
{
	const char *type = NULL, *part = NULL;
	int64_t parts = 1;

	if (wjson_get_text(obj, prefix, WEFT_KEY_TYPE, true, 64, &type, cause) != 0)
		return -1;
	if (strcmp(type, "collect") == 0) {
		out->type = PROTO_TASK_OUTPUT_COLLECT;
		return 0;
	}
	if (strcmp(type, "save") == 0) {
		out->type = PROTO_TASK_OUTPUT_SAVE;
		if (proto_task_dup_string(obj, prefix, WEFT_KEY_DIR, true, PROTO_TASK_PATH_MAX,
		                          &out->dir, cause) != 0 ||
		    proto_task_dup_string(obj, prefix, WEFT_KEY_FILE, true, 255, &out->file,
		                          cause) != 0)
			return -1;
		if (out->dir[0] != '/')
			return set_cause(cause, "%s.dir: expected an absolute path", prefix);
		if (out->file[0] == '\0' || out->file[0] == '.' || strchr(out->file, '/') != NULL)
			return set_cause(cause, "%s.file: expected a plain file name", prefix);
		return 0;
	}
	if (strcmp(type, "sample") == 0) {
		out->type = PROTO_TASK_OUTPUT_SAMPLE;
		out->sample_size = 100;
		return wjson_get_int(obj, prefix, WEFT_KEY_SIZE, false, 1, PROTO_TASK_MAX_SAMPLE,
		                     &out->sample_size, cause);
	}
	if (strcmp(type, "shuffle") != 0)
		return set_cause(cause, "%s.type: unknown output type '%.32s'", prefix, type);
	out->type = PROTO_TASK_OUTPUT_SHUFFLE;
	if (wjson_get_int(obj, prefix, WEFT_KEY_SHUFFLE_ID, true, 0, INT32_MAX, &out->shuffle_id,
	                  cause) != 0 ||
	    wjson_get_int(obj, prefix, WEFT_KEY_PARTITIONS, true, 1, PROTO_TASK_MAX_PARTITIONS,
	                  &parts, cause) != 0 ||
	    wjson_get_string(obj, prefix, WEFT_KEY_PARTITIONER, false, &part, cause) != 0 ||
	    proto_task_dup_string(obj, prefix, WEFT_KEY_COMBINE, false, 1024 * 1024, &out->combine,
	                          cause) != 0)
		return -1;
	out->partitions = (uint32_t)parts;
	if (part == NULL || strcmp(part, "hash") == 0)
		return 0;
	if (strcmp(part, "range") != 0)
		return set_cause(cause, "%s.partitioner: expected hash or range", prefix);
	out->range = true;
	return proto_task_bounds_decode(obj, prefix, out, cause);
}

/* "localDirs": a comma-separated list. */
static void proto_task_local_dirs(struct proto_task_spec *spec, const char *list)
{
	char *copy = xstrdup(list), *tok, *save = NULL;

	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (*tok == '\0')
			continue;
		spec->local_dirs = xreallocarray(spec->local_dirs, (size_t)spec->n_local_dirs + 1,
		                                 sizeof *spec->local_dirs);
		spec->local_dirs[spec->n_local_dirs++] = xstrdup(tok);
	}
	free(copy);
}

/* The executor's part of a task file. */
static int proto_task_file_decode(struct json_object *obj, struct proto_task_spec *spec,
                                  char **cause)
{
	const char *dirs = NULL;
	int64_t attempt, budget;

	if (wjson_get_int(obj, "", WEFT_KEY_TASK_ID, true, 0, INT64_MAX, &spec->task_id, cause) !=
	            0 ||
	    wjson_get_int(obj, "", WEFT_KEY_ATTEMPT, true, 0, INT_MAX, &attempt, cause) != 0 ||
	    proto_task_dup_string(obj, "", WEFT_KEY_APPLICATION_ID, true, 256, &spec->app_id,
	                          cause) != 0 ||
	    proto_task_dup_string(obj, "", WEFT_KEY_NODE_ID, true, PROTO_TASK_HOST_MAX,
	                          &spec->node_id, cause) != 0 ||
	    proto_task_dup_string(obj, "", WEFT_KEY_SECRET, true, 1024, &spec->secret, cause) !=
	            0 ||
	    wjson_get_text(obj, "", WEFT_KEY_LOCAL_DIRS, true, 64 * PROTO_TASK_PATH_MAX, &dirs,
	                   cause) != 0 ||
	    wjson_get_int(obj, "", WEFT_KEY_BUDGET_BYTES, true, 1, INT64_MAX, &budget, cause) != 0)
		return -1;
	spec->attempt = (int)attempt;
	spec->budget = (size_t)budget;
	proto_task_local_dirs(spec, dirs);
	if (spec->n_local_dirs == 0)
		return set_cause(cause, "localDirs: no directory");
	return 0;
}

int proto_task_spec_decode(struct json_object *obj, const char *prefix,
                           enum proto_task_spec_form form, struct proto_task_spec *spec,
                           char **cause)
{
	struct json_object *input = NULL, *output = NULL, *commands = NULL, *persist = NULL,
	                   *c = NULL;
	char *ipath = proto_task_path(prefix, WEFT_KEY_INPUT),
	     *opath = proto_task_path(prefix, WEFT_KEY_OUTPUT),
	     *cpath = proto_task_path(prefix, WEFT_KEY_COMMANDS),
	     *ppath = proto_task_path(prefix, WEFT_KEY_PERSIST), *path;
	int64_t step;
	size_t i, n, np;
	int rc = -1;

	memset(spec, 0, sizeof *spec);
	spec->partition = -1;
	if (form == PROTO_TASK_SPEC_FILE && proto_task_file_decode(obj, spec, cause) != 0)
		goto out;
	if (wjson_get_int(obj, prefix, WEFT_KEY_PARTITION, form == PROTO_TASK_SPEC_FILE, 0,
	                  INT32_MAX, &spec->partition, cause) != 0 ||
	    wjson_get_int(obj, prefix, WEFT_KEY_STAGE, false, 0, INT32_MAX, &spec->stage, cause) !=
	            0 ||
	    wjson_get_object(obj, prefix, WEFT_KEY_INPUT, true, &input, cause) != 0 ||
	    wjson_get_object(obj, prefix, WEFT_KEY_OUTPUT, true, &output, cause) != 0 ||
	    wjson_get_list(obj, prefix, WEFT_KEY_COMMANDS, false, PROTO_TASK_MAX_COMMANDS,
	                   &commands, &n, cause) != 0 ||
	    wjson_get_list(obj, prefix, WEFT_KEY_PERSIST, false, PROTO_TASK_MAX_COMMANDS + 1,
	                   &persist, &np, cause) != 0 ||
	    proto_task_input_decode(input, ipath, &spec->in, cause) != 0 ||
	    proto_task_output_decode(output, opath, &spec->out, cause) != 0)
		goto out;
	spec->commands = xcalloc(n + 1, sizeof *spec->commands);
	for (i = 0; i < n; i++) {
		c = json_object_array_get_idx(commands, i);
		if (c == NULL || !json_object_is_type(c, json_type_string) ||
		    json_object_get_string_len(c) == 0 ||
		    strlen(json_object_get_string(c)) != (size_t)json_object_get_string_len(c)) {
			set_cause(cause, "%s[%zu]: expected a non-empty string", cpath, i);
			goto out;
		}
		spec->commands[spec->n_commands++] = xstrdup(json_object_get_string(c));
	}
	spec->persist = xcalloc(np + 1, sizeof *spec->persist);
	for (i = 0; i < np; i++) {
		if (proto_task_array_object(persist, i, ppath, &c, cause) != 0)
			goto out;
		path = xasprintf("%s[%zu]", ppath, i);
		if (wjson_get_int(c, path, WEFT_KEY_STEP, true, 0, spec->n_commands, &step,
		                  cause) != 0 ||
		    wjson_get_int(c, path, WEFT_KEY_DATASET, true, 0, INT32_MAX,
		                  &spec->persist[i].dataset, cause) != 0) {
			free(path);
			goto out;
		}
		free(path);
		spec->persist[i].step = (int)step;
		spec->n_persist++;
	}
	rc = 0;
out:
	free(ipath);
	free(opath);
	free(cpath);
	free(ppath);
	return rc;
}

/* A shuffle side's sources. */
static void proto_task_side_clear(struct proto_task_shuffle_side *side)
{
	int i;

	for (i = 0; i < side->n_maps; i++) {
		free(side->maps[i].map);
		free(side->maps[i].node);
	}
	free(side->maps);
}

void proto_task_spec_clear(struct proto_task_spec *spec)
{
	int i;

	free(spec->app_id);
	free(spec->node_id);
	free(spec->secret);
	for (i = 0; i < spec->n_local_dirs; i++)
		free(spec->local_dirs[i]);
	free(spec->local_dirs);
	free(spec->in.path);
	free(spec->in.url);
	free(spec->in.node);
	for (i = 0; i < spec->in.n_sides; i++)
		proto_task_side_clear(&spec->in.sides[i]);
	for (i = 0; i < spec->n_commands; i++)
		free(spec->commands[i]);
	free(spec->commands);
	free(spec->persist);
	for (i = 0; i < spec->out.n_bounds; i++)
		free(spec->out.bounds[i]);
	free(spec->out.bounds);
	free(spec->out.bound_lens);
	free(spec->out.combine);
	free(spec->out.dir);
	free(spec->out.file);
	memset(spec, 0, sizeof *spec);
}

/* ------------------------------------------------------------------ */
/* launch. */

struct json_object *proto_task_launch_encode(const struct proto_task_launch *m)
{
	struct json_object *msg = proto_task_message(WEFT_MSG_LAUNCH);

	wjson_add_int(msg, WEFT_KEY_TASK_ID, m->task_id);
	wjson_add_int(msg, WEFT_KEY_ATTEMPT, m->attempt);
	wjson_add_int(msg, WEFT_KEY_INDEX, m->index);
	if (m->task != NULL)
		wjson_add(msg, WEFT_KEY_TASK, json_object_get(m->task));
	else
		wjson_add_string(msg, WEFT_KEY_COMMAND, m->command);
	wjson_add(msg, WEFT_KEY_ENV, m->env != NULL ? json_object_get(m->env) : wjson_new_object());
	return msg;
}

/* Whether name is a shell-safe environment variable name. */
static bool proto_task_env_name_valid(const char *name)
{
	size_t i;

	if (name[0] == '\0' || strlen(name) > PROTO_TASK_MAX_ENV_KEY ||
	    isdigit((unsigned char)name[0]))
		return false;
	for (i = 0; name[i] != '\0'; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return false;
	}
	return true;
}

/* A launch's env object: variable names to strings. */
static int proto_task_env_decode(struct json_object *env, char **cause)
{
	int n = 0;

	json_object_object_foreach(env, key, value)
	{
		if (++n > PROTO_TASK_MAX_ENV)
			return set_cause(cause, "env: more than %d variables", PROTO_TASK_MAX_ENV);
		if (!proto_task_env_name_valid(key))
			return set_cause(cause, "env: '%.64s' is not a variable name", key);
		if (!json_object_is_type(value, json_type_string))
			return set_cause(cause, "env.%s: expected a string", key);
		if (strlen(json_object_get_string(value)) !=
		    (size_t)json_object_get_string_len(value))
			return set_cause(cause, "env.%s: string contains a NUL character", key);
	}
	return 0;
}

int proto_task_launch_decode(struct json_object *obj, struct proto_task_launch *m, char **cause)
{
	int64_t task_id, attempt, index;

	memset(m, 0, sizeof *m);
	m->task_id = -1;
	m->attempt = -1;
	if (wjson_get_int(obj, "", WEFT_KEY_TASK_ID, true, 0, INT64_MAX, &task_id, cause) != 0 ||
	    wjson_get_int(obj, "", WEFT_KEY_ATTEMPT, true, 0, INT_MAX, &attempt, cause) != 0)
		return -1;
	m->task_id = task_id;
	m->attempt = (int)attempt;
	if (wjson_get_int(obj, "", WEFT_KEY_INDEX, true, 0, INT_MAX, &index, cause) != 0 ||
	    wjson_get_object(obj, "", WEFT_KEY_TASK, false, &m->task, cause) != 0 ||
	    (m->task == NULL &&
	     wjson_get_string(obj, "", WEFT_KEY_COMMAND, true, &m->command, cause) != 0) ||
	    wjson_get_object(obj, "", WEFT_KEY_ENV, false, &m->env, cause) != 0 ||
	    (m->env != NULL && proto_task_env_decode(m->env, cause) != 0))
		return -1;
	m->index = (int)index;
	if (m->task == NULL && *m->command == '\0')
		return set_cause(cause, "command: must not be empty");
	if (m->task != NULL) {
		if (proto_task_spec_decode(m->task, WEFT_KEY_TASK, PROTO_TASK_SPEC_LAUNCH, &m->spec,
		                           cause) != 0)
			return -1;
		if (m->spec.partition < 0)
			m->spec.partition = m->index;
	}
	return 0;
}

void proto_task_launch_clear(struct proto_task_launch *m)
{
	proto_task_spec_clear(&m->spec);
}

/* ------------------------------------------------------------------ */
/* Results. */

void proto_task_result_init(struct proto_task_result *r)
{
	memset(r, 0, sizeof *r);
	r->bytes_fetched = -1;
	r->fetch_failed.shuffle_id = -1;
	r->fetch_failed.dataset = -1;
	r->fetch_failed.partition = -1;
}

struct json_object *proto_task_result_encode(const struct proto_task_result *r)
{
	struct json_object *o = wjson_new_object(), *a, *b;
	char *b64;
	int i;

	if (r->n_blocks > 0) {
		a = json_object_new_array();
		for (i = 0; i < r->n_blocks; i++) {
			b = wjson_new_object();
			wjson_add_int(b, WEFT_KEY_DATASET, r->blocks[i].dataset);
			wjson_add_int(b, WEFT_KEY_SIZE, r->blocks[i].size);
			json_object_array_add(a, b);
		}
		wjson_add(o, WEFT_KEY_BLOCKS, a);
	}
	if (r->has_map_output) {
		b = wjson_new_object();
		wjson_add_string(b, WEFT_KEY_MAP, r->map_output.map);
		a = json_object_new_array();
		for (i = 0; i < r->map_output.n_sizes; i++)
			json_object_array_add(a, json_object_new_int64(r->map_output.sizes[i]));
		wjson_add(b, WEFT_KEY_SIZES, a);
		wjson_add_int(b, WEFT_KEY_RECORDS, r->map_output.records);
		wjson_add_int(b, WEFT_KEY_SPILLS, r->map_output.spills);
		wjson_add(o, WEFT_KEY_MAP_OUTPUT, b);
	}
	if (r->has_sample) {
		b = wjson_new_object();
		wjson_add_int(b, WEFT_KEY_RECORDS, r->sample.records);
		a = json_object_new_array();
		for (i = 0; i < r->sample.n_keys; i++) {
			b64 = base64_encode(r->sample.keys[i], r->sample.key_lens[i]);
			json_object_array_add(a, json_object_new_string(b64));
			free(b64);
		}
		wjson_add(b, WEFT_KEY_KEYS, a);
		wjson_add(o, WEFT_KEY_SAMPLE, b);
	}
	if (r->bytes_fetched >= 0)
		wjson_add_int(o, WEFT_KEY_BYTES_FETCHED, r->bytes_fetched);
	if (r->has_fetch_failed) {
		b = wjson_new_object();
		if (r->fetch_failed.shuffle_id >= 0) {
			wjson_add_int(b, WEFT_KEY_SHUFFLE_ID, r->fetch_failed.shuffle_id);
			proto_task_add_string(b, WEFT_KEY_MAP, r->fetch_failed.map);
		} else {
			wjson_add_int(b, WEFT_KEY_DATASET, r->fetch_failed.dataset);
			wjson_add_int(b, WEFT_KEY_PARTITION, r->fetch_failed.partition);
		}
		proto_task_add_string(b, WEFT_KEY_NODE, r->fetch_failed.node);
		proto_task_add_string(b, WEFT_KEY_MESSAGE, r->fetch_failed.message);
		wjson_add(o, WEFT_KEY_FETCH_FAILED, b);
	}
	proto_task_add_string(o, WEFT_KEY_ERROR, r->error);
	return o;
}

/* "mapOutput" of a result. */
static int proto_task_map_output_decode(struct json_object *mo, const char *path,
                                        struct proto_task_result *r, char **cause)
{
	struct json_object *sizes = NULL, *e;
	char *spath;
	size_t i, n;

	if (proto_task_dup_string(mo, path, WEFT_KEY_MAP, true, PROTO_TASK_MAP_ID_MAX,
	                          &r->map_output.map, cause) != 0 ||
	    wjson_get_list(mo, path, WEFT_KEY_SIZES, true, PROTO_TASK_MAX_PARTITIONS, &sizes, &n,
	                   cause) != 0 ||
	    wjson_get_int(mo, path, WEFT_KEY_RECORDS, false, 0, INT64_MAX, &r->map_output.records,
	                  cause) != 0 ||
	    wjson_get_int(mo, path, WEFT_KEY_SPILLS, false, 0, INT64_MAX, &r->map_output.spills,
	                  cause) != 0)
		return -1;
	if (!proto_task_map_id_valid(r->map_output.map))
		return set_cause(cause, "%s.map: expected [0-9_]{1,64}", path);
	r->map_output.sizes = xcalloc(n > 0 ? n : 1, sizeof *r->map_output.sizes);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(sizes, i);
		if (e == NULL || !json_object_is_type(e, json_type_int) ||
		    json_object_get_int64(e) < 0) {
			spath = proto_task_path(path, WEFT_KEY_SIZES);
			set_cause(cause, "%s[%zu]: not a size", spath, i);
			free(spath);
			return -1;
		}
		r->map_output.sizes[r->map_output.n_sizes++] = json_object_get_int64(e);
	}
	return 0;
}

/* "sample" of a result. */
static int proto_task_sample_decode(struct json_object *s, const char *path,
                                    struct proto_task_result *r, char **cause)
{
	struct json_object *keys = NULL, *k;
	size_t i, n;

	if (wjson_get_int(s, path, WEFT_KEY_RECORDS, false, 0, INT64_MAX, &r->sample.records,
	                  cause) != 0 ||
	    wjson_get_list(s, path, WEFT_KEY_KEYS, false, PROTO_TASK_MAX_SAMPLE, &keys, &n,
	                   cause) != 0)
		return -1;
	r->sample.keys = xcalloc(n > 0 ? n : 1, sizeof *r->sample.keys);
	r->sample.key_lens = xcalloc(n > 0 ? n : 1, sizeof *r->sample.key_lens);
	for (i = 0; i < n; i++) {
		k = json_object_array_get_idx(keys, i);
		if (k == NULL || !json_object_is_type(k, json_type_string) ||
		    (r->sample.keys[i] = base64_decode(json_object_get_string(k),
		                                       (size_t)json_object_get_string_len(k),
		                                       &r->sample.key_lens[i])) == NULL)
			return set_cause(cause, "%s.keys[%zu]: expected a base64 string", path, i);
		r->sample.n_keys++;
	}
	return 0;
}

/* "fetchFailed" of a result. */
static int proto_task_fetch_failed_decode(struct json_object *ff, const char *path,
                                          struct proto_task_result *r, char **cause)
{
	if (wjson_get_int(ff, path, WEFT_KEY_SHUFFLE_ID, false, 0, INT32_MAX,
	                  &r->fetch_failed.shuffle_id, cause) != 0 ||
	    proto_task_dup_string(ff, path, WEFT_KEY_MAP, false, PROTO_TASK_MAP_ID_MAX,
	                          &r->fetch_failed.map, cause) != 0 ||
	    wjson_get_int(ff, path, WEFT_KEY_DATASET, false, 0, INT32_MAX, &r->fetch_failed.dataset,
	                  cause) != 0 ||
	    wjson_get_int(ff, path, WEFT_KEY_PARTITION, false, 0, INT32_MAX,
	                  &r->fetch_failed.partition, cause) != 0 ||
	    proto_task_dup_string(ff, path, WEFT_KEY_NODE, false, PROTO_TASK_HOST_MAX,
	                          &r->fetch_failed.node, cause) != 0 ||
	    proto_task_dup_string(ff, path, WEFT_KEY_MESSAGE, false, 64 * 1024,
	                          &r->fetch_failed.message, cause) != 0)
		return -1;
	return 0;
}

int proto_task_result_decode(struct json_object *obj, const char *prefix,
                             struct proto_task_result *r, char **cause)
{
	struct json_object *blocks = NULL, *mo = NULL, *s = NULL, *ff = NULL, *b = NULL;
	char *path = NULL, *bpath;
	size_t i, n;
	int rc = -1;

	proto_task_result_init(r);
	if (wjson_get_list(obj, prefix, WEFT_KEY_BLOCKS, false, PROTO_TASK_MAX_COMMANDS + 1,
	                   &blocks, &n, cause) != 0 ||
	    wjson_get_object(obj, prefix, WEFT_KEY_MAP_OUTPUT, false, &mo, cause) != 0 ||
	    wjson_get_object(obj, prefix, WEFT_KEY_SAMPLE, false, &s, cause) != 0 ||
	    wjson_get_object(obj, prefix, WEFT_KEY_FETCH_FAILED, false, &ff, cause) != 0 ||
	    wjson_get_int(obj, prefix, WEFT_KEY_BYTES_FETCHED, false, 0, INT64_MAX,
	                  &r->bytes_fetched, cause) != 0 ||
	    proto_task_dup_string(obj, prefix, WEFT_KEY_ERROR, false, 64 * 1024, &r->error,
	                          cause) != 0)
		return -1;
	bpath = proto_task_path(prefix, WEFT_KEY_BLOCKS);
	r->blocks = xcalloc(n > 0 ? n : 1, sizeof *r->blocks);
	for (i = 0; i < n; i++) {
		if (proto_task_array_object(blocks, i, bpath, &b, cause) != 0)
			break;
		path = xasprintf("%s[%zu]", bpath, i);
		if (wjson_get_int(b, path, WEFT_KEY_DATASET, true, 0, INT32_MAX,
		                  &r->blocks[i].dataset, cause) != 0 ||
		    wjson_get_int(b, path, WEFT_KEY_SIZE, true, 0, INT64_MAX, &r->blocks[i].size,
		                  cause) != 0)
			break;
		free(path);
		path = NULL;
		r->n_blocks++;
	}
	free(bpath);
	if (i < n)
		goto out;
	if (mo != NULL) {
		r->has_map_output = true;
		path = proto_task_path(prefix, WEFT_KEY_MAP_OUTPUT);
		if (proto_task_map_output_decode(mo, path, r, cause) != 0)
			goto out;
		free(path);
		path = NULL;
	}
	if (s != NULL) {
		r->has_sample = true;
		path = proto_task_path(prefix, WEFT_KEY_SAMPLE);
		if (proto_task_sample_decode(s, path, r, cause) != 0)
			goto out;
		free(path);
		path = NULL;
	}
	if (ff != NULL) {
		r->has_fetch_failed = true;
		path = proto_task_path(prefix, WEFT_KEY_FETCH_FAILED);
		if (proto_task_fetch_failed_decode(ff, path, r, cause) != 0)
			goto out;
	}
	rc = 0;
out:
	free(path);
	return rc;
}

void proto_task_result_clear(struct proto_task_result *r)
{
	int i;

	free(r->map_output.map);
	free(r->map_output.sizes);
	free(r->blocks);
	for (i = 0; i < r->sample.n_keys; i++)
		free(r->sample.keys[i]);
	free(r->sample.keys);
	free(r->sample.key_lens);
	free(r->fetch_failed.map);
	free(r->fetch_failed.node);
	free(r->fetch_failed.message);
	free(r->error);
	proto_task_result_init(r);
}

/* ------------------------------------------------------------------ */
/* status. */

const char *proto_task_state_name(enum proto_task_state state)
{
	return proto_task_state_names[state];
}

struct json_object *proto_task_status_encode(const struct proto_task_status *m)
{
	struct json_object *msg = proto_task_message(WEFT_MSG_STATUS), *value;
	char *encoded = NULL;

	wjson_add_int(msg, WEFT_KEY_TASK_ID, m->task_id);
	wjson_add_int(msg, WEFT_KEY_ATTEMPT, m->attempt);
	wjson_add_string(msg, WEFT_KEY_STATE, proto_task_state_names[m->state]);
	if (m->state != PROTO_TASK_RUNNING)
		wjson_add_int(msg, WEFT_KEY_EXIT_CODE, m->exit_code);
	proto_task_add_string(msg, WEFT_KEY_STDERR_TAIL, m->stderr_tail);
	if (m->result != NULL)
		wjson_add(msg, WEFT_KEY_RESULT, proto_task_result_encode(m->result));
	if (m->stdout_data != NULL) {
		if (utf8_is_text(m->stdout_data, m->stdout_len)) {
			value = json_object_new_string_len(m->stdout_data, (int)m->stdout_len);
		} else {
			encoded = base64_encode(m->stdout_data, m->stdout_len);
			value = json_object_new_string(encoded);
		}
		if (value == NULL)
			fatalx("proto_task_status_encode: out of memory");
		json_object_object_add(msg, WEFT_KEY_STDOUT, value);
		if (encoded != NULL)
			wjson_add_string(msg, WEFT_KEY_STDOUT_ENCODING, "base64");
		free(encoded);
	}
	if (m->stdout_truncated)
		wjson_add_bool(msg, WEFT_KEY_STDOUT_TRUNCATED, true);
	if (m->stdout_size >= 0)
		wjson_add_int(msg, WEFT_KEY_STDOUT_SIZE, m->stdout_size);
	return msg;
}

int proto_task_status_decode(struct json_object *obj, struct proto_task_status *m, char **cause)
{
	struct json_object *result = NULL;
	const char *state = NULL, *out = NULL, *encoding = NULL;
	int64_t attempt, exit_code = 0, size = -1;
	int i;

	memset(m, 0, sizeof *m);
	if (wjson_get_int(obj, "", WEFT_KEY_TASK_ID, true, 0, INT64_MAX, &m->task_id, cause) != 0 ||
	    wjson_get_int(obj, "", WEFT_KEY_ATTEMPT, true, 0, INT_MAX, &attempt, cause) != 0 ||
	    wjson_get_text(obj, "", WEFT_KEY_STATE, true, 64, &state, cause) != 0)
		return -1;
	m->attempt = (int)attempt;
	for (i = 0; i < 4; i++)
		if (strcmp(state, proto_task_state_names[i]) == 0)
			break;
	if (i == 4)
		return set_cause(cause, "state: unknown state '%.32s'", state);
	m->state = (enum proto_task_state)i;
	if (wjson_get_int(obj, "", WEFT_KEY_EXIT_CODE, m->state != PROTO_TASK_RUNNING, INT_MIN,
	                  INT_MAX, &exit_code, cause) != 0 ||
	    wjson_get_string(obj, "", WEFT_KEY_STDOUT, false, &out, cause) != 0 ||
	    wjson_get_string(obj, "", WEFT_KEY_STDOUT_ENCODING, false, &encoding, cause) != 0 ||
	    wjson_get_bool(obj, "", WEFT_KEY_STDOUT_TRUNCATED, false, &m->stdout_truncated,
	                   cause) != 0 ||
	    wjson_get_int(obj, "", WEFT_KEY_STDOUT_SIZE, false, 0, INT64_MAX, &size, cause) != 0 ||
	    wjson_get_text(obj, "", WEFT_KEY_STDERR_TAIL, false, PROTO_TASK_STDERR_TAIL_MAX,
	                   &m->stderr_tail, cause) != 0 ||
	    wjson_get_object(obj, "", WEFT_KEY_RESULT, false, &result, cause) != 0)
		return -1;
	m->exit_code = (int)exit_code;
	if (out != NULL) {
		if (encoding != NULL && strcmp(encoding, "base64") == 0) {
			m->decoded = base64_decode(out, strlen(out), &m->stdout_len);
			if (m->decoded == NULL)
				return set_cause(cause, "stdout: not valid base64");
			m->stdout_data = m->decoded;
		} else if (encoding != NULL && strcmp(encoding, "utf-8") != 0) {
			return set_cause(cause, "stdoutEncoding: unknown encoding '%.32s'",
			                 encoding);
		} else {
			m->stdout_data = out;
			m->stdout_len = strlen(out);
		}
	}
	m->stdout_size = size >= 0 ? size : (int64_t)m->stdout_len;
	if (result != NULL) {
		m->result = xmalloc(sizeof *m->result);
		if (proto_task_result_decode(result, WEFT_KEY_RESULT, m->result, cause) != 0)
			return -1;
	}
	return 0;
}

void proto_task_status_clear(struct proto_task_status *m)
{
	if (m->result != NULL) {
		proto_task_result_clear(m->result);
		free(m->result);
	}
	free(m->decoded);
	memset(m, 0, sizeof *m);
}
