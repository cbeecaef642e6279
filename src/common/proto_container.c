/*
 * proto_container.c — the NM container API's messages, encoded and
 * decoded (proto_container.h, weft/protocol.h).
 *
 * Owns every key and route of this API, and the container status record
 * every side reports and reads: no other file spells them.  The NM
 * (container_manager.c, container.c, status_updater.c, launch_context.c),
 * the RM (node_tracker.c, rm_containers.c), weft-sls and libweft's
 * clients (nm_client.c, am_client.c) call these functions.  A launch
 * context is checked whole before the NM creates anything, so a bad
 * request is answered 400 and leaves no trace: commands are non-empty
 * strings that fit in one exec argument, environment names valid shell
 * names, local resource names plain file names (they become paths in the
 * working directory) and urls of a form the localizer fetches.
 */
#include "weft_config.h"

#include "common/proto_container.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/ids.h"
#include "weft/protocol.h"

/* ------------------------------------------------------------------ */
/* Field helpers. */

/* A valid container id (pointing into obj). */
static int proto_container_get_id(struct json_object *obj, const char *key, const char **out,
                                  char **cause)
{
	weft_container_id_t cid;
	const char *id = NULL;

	if (wjson_get_string(obj, "", key, true, &id, cause) != 0)
		return -1;
	if (strlen(id) >= WEFT_ID_MAX || weft_container_id_parse(id, &cid) != 0)
		return set_cause(cause, "%s: '%.80s' is not a container id", key, id);
	*out = id;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Validity of names and urls. */

/* A shell variable name of reasonable length. */
bool proto_container_env_name_valid(const char *name)
{
	size_t i, len;

	if (name == NULL)
		return false;
	len = strnlen(name, PROTO_CONTAINER_MAX_ENV_NAME + 1);
	if (len == 0 || len > PROTO_CONTAINER_MAX_ENV_NAME)
		return false;
	if (!(name[0] == '_' || (name[0] >= 'A' && name[0] <= 'Z') ||
	      (name[0] >= 'a' && name[0] <= 'z')))
		return false;
	for (i = 1; i < len; i++) {
		char ch = name[i];

		if (!(ch == '_' || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9')))
			return false;
	}
	return true;
}

/* A plain file name: 1..255 bytes, no '/', no control characters, not
 * starting with '.' (which also rules out "." and ".."). */
bool proto_container_plain_name(const char *name)
{
	size_t len, i;

	len = strnlen(name, PROTO_CONTAINER_NAME_MAX + 1);
	if (len == 0 || len > PROTO_CONTAINER_NAME_MAX || name[0] == '.')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (ch == '/' || ch < 0x20 || ch == 0x7f)
			return false;
	}
	return true;
}

/* The part after /ws/v1/staging/: segments of [A-Za-z0-9._-], none "."
 * or "..", no empty segment (the RM applies its own rules too). */
static bool proto_container_staging_path_valid(const char *rest)
{
	const char *seg = rest, *p;
	size_t len;

	if (*rest == '\0')
		return false;
	for (;;) {
		for (p = seg; *p != '\0' && *p != '/'; p++) {
			char ch = *p;

			if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
				return false;
		}
		len = (size_t)(p - seg);
		if (len == 0 || (len == 1 && seg[0] == '.') ||
		    (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		if (*p == '\0')
			return true;
		seg = p + 1;
	}
}

/* http(s)://host..., file:///path, or the RM-relative staging form. */
bool proto_container_url_valid(const char *url)
{
	static const char *const schemes[] = {"http://", "https://", "file://"};
	size_t len, i;

	if (url == NULL)
		return false;
	len = strnlen(url, PROTO_CONTAINER_MAX_URL + 1);
	if (len == 0 || len > PROTO_CONTAINER_MAX_URL)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)url[i];

		if (ch <= 0x20 || ch == 0x7f)
			return false;
	}
	if (strncmp(url, PROTO_CONTAINER_STAGING_PREFIX, strlen(PROTO_CONTAINER_STAGING_PREFIX)) ==
	    0)
		return proto_container_staging_path_valid(url +
		                                          strlen(PROTO_CONTAINER_STAGING_PREFIX));
	for (i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
		size_t n = strlen(schemes[i]);

		if (strncasecmp(url, schemes[i], n) != 0)
			continue;
		/* file:// needs an absolute path, http(s):// a host. */
		if (i == 2)
			return url[n] == '/' && url[n + 1] != '\0';
		return url[n] != '\0' && url[n] != '/';
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* The launch context. */

struct json_object *proto_container_launch_context_encode(const struct weft_launch_context *lc)
{
	struct json_object *ctx = wjson_new_object();
	struct json_object *commands = json_object_new_array();
	struct json_object *env = wjson_new_object();
	struct json_object *files = json_object_new_array();
	int i;

	if (commands == NULL || files == NULL)
		fatalx("out of memory");
	for (i = 0; i < lc->n_commands; i++)
		json_object_array_add(commands, json_object_new_string(lc->commands[i]));
	for (i = 0; i < lc->n_env; i++)
		wjson_add_string(env, lc->env[i].name, lc->env[i].value);
	for (i = 0; i < lc->n_resources; i++) {
		struct json_object *f = wjson_new_object();

		wjson_add_string(f, WEFT_KEY_NAME, lc->resources[i].name);
		wjson_add_string(f, WEFT_KEY_URL, lc->resources[i].url);
		wjson_add_bool(f, WEFT_KEY_EXECUTABLE, lc->resources[i].executable);
		json_object_array_add(files, f);
	}
	wjson_add(ctx, WEFT_KEY_COMMANDS, commands);
	wjson_add(ctx, WEFT_KEY_ENVIRONMENT, env);
	wjson_add(ctx, WEFT_KEY_LOCAL_RESOURCES, files);
	return ctx;
}

/* The commands: a non-empty array of non-empty strings. */
static int proto_container_commands_decode(struct json_object *obj, const char *prefix,
                                           struct weft_launch_context *lc, char **cause)
{
	struct json_object *array = NULL, *item;
	size_t i, n, total = 0;

	if (wjson_get_array(obj, prefix, WEFT_KEY_COMMANDS, true, &array, cause) != 0)
		return -1;
	n = json_object_array_length(array);
	if (n == 0)
		return set_cause(cause, "%s.commands: expected at least one command", prefix);
	if (n > PROTO_CONTAINER_MAX_COMMANDS)
		return set_cause(cause, "%s.commands: more than %d commands", prefix,
		                 PROTO_CONTAINER_MAX_COMMANDS);
	lc->commands = xcalloc(n, sizeof *lc->commands);
	for (i = 0; i < n; i++) {
		const char *text;
		size_t len;

		item = json_object_array_get_idx(array, i);
		if (item == NULL || !json_object_is_type(item, json_type_string))
			return set_cause(cause, "%s.commands[%zu]: expected a non-empty string",
			                 prefix, i);
		text = json_object_get_string(item);
		len = (size_t)json_object_get_string_len(item);
		if (len == 0 || strlen(text) != len)
			return set_cause(cause,
			                 "%s.commands[%zu]: expected a non-empty string "
			                 "without NUL characters",
			                 prefix, i);
		total += len + 4;
		if (total > PROTO_CONTAINER_MAX_ARG)
			return set_cause(cause, "%s.commands: longer than %d bytes together",
			                 prefix, PROTO_CONTAINER_MAX_ARG);
		lc->commands[lc->n_commands++] = xstrdup(text);
	}
	return 0;
}

/* The environment: an object of string values with valid names. */
static int proto_container_env_decode(struct json_object *obj, const char *prefix,
                                      struct weft_launch_context *lc, char **cause)
{
	struct json_object *env = NULL;
	int n;

	if (wjson_get_object(obj, prefix, WEFT_KEY_ENVIRONMENT, false, &env, cause) != 0)
		return -1;
	if (env == NULL)
		return 0;
	n = json_object_object_length(env);
	if (n > PROTO_CONTAINER_MAX_ENV)
		return set_cause(cause, "%s.environment: more than %d variables", prefix,
		                 PROTO_CONTAINER_MAX_ENV);
	lc->env = xcalloc((size_t)n + 1, sizeof *lc->env);
	json_object_object_foreach(env, key, value)
	{
		const char *text;
		size_t len;

		if (!proto_container_env_name_valid(key))
			return set_cause(cause,
			                 "%s.environment: '%.64s' is not a valid variable name",
			                 prefix, key);
		if (value == NULL || !json_object_is_type(value, json_type_string))
			return set_cause(cause, "%s.environment.%s: expected a string", prefix,
			                 key);
		text = json_object_get_string(value);
		len = (size_t)json_object_get_string_len(value);
		if (strlen(text) != len)
			return set_cause(cause,
			                 "%s.environment.%s: string contains a NUL character",
			                 prefix, key);
		if (strlen(key) + 1 + len > PROTO_CONTAINER_MAX_ARG)
			return set_cause(cause, "%s.environment.%s: longer than %d bytes", prefix,
			                 key, PROTO_CONTAINER_MAX_ARG);
		lc->env[lc->n_env].name = xstrdup(key);
		lc->env[lc->n_env].value = xstrdup(text);
		lc->n_env++;
	}
	return 0;
}

/* One entry of localResources. */
static int proto_container_resource_decode(struct json_object *item, const char *prefix, size_t i,
                                           struct weft_launch_context *lc, char **cause)
{
	const char *name = NULL, *url = NULL;
	bool executable = false;
	char *path;
	int k, rc = -1;

	path = xasprintf("%s.localResources[%zu]", prefix, i);
	if (item == NULL || !json_object_is_type(item, json_type_object)) {
		set_cause(cause, "%s: expected an object", path);
		goto out;
	}
	if (wjson_get_string(item, path, WEFT_KEY_NAME, true, &name, cause) != 0 ||
	    wjson_get_string(item, path, WEFT_KEY_URL, true, &url, cause) != 0 ||
	    wjson_get_bool(item, path, WEFT_KEY_EXECUTABLE, false, &executable, cause) != 0)
		goto out;
	if (!proto_container_plain_name(name)) {
		set_cause(cause, "%s.name: '%.64s' is not a plain file name", path, name);
		goto out;
	}
	for (k = 0; k < lc->n_resources; k++) {
		if (strcmp(lc->resources[k].name, name) == 0) {
			set_cause(cause, "%s.name: '%s' is listed twice", path, name);
			goto out;
		}
	}
	if (!proto_container_url_valid(url)) {
		set_cause(cause,
		          "%s.url: '%.128s' is not an http://, https://, file:// or "
		          "/ws/v1/staging/ url",
		          path, url);
		goto out;
	}
	lc->resources[lc->n_resources].name = xstrdup(name);
	lc->resources[lc->n_resources].url = xstrdup(url);
	lc->resources[lc->n_resources].executable = executable;
	lc->n_resources++;
	rc = 0;
out:
	free(path);
	return rc;
}

/* The local resources: an array of {name, url, executable}. */
static int proto_container_resources_decode(struct json_object *obj, const char *prefix,
                                            struct weft_launch_context *lc, char **cause)
{
	struct json_object *array = NULL;
	size_t i, n;

	if (wjson_get_array(obj, prefix, WEFT_KEY_LOCAL_RESOURCES, false, &array, cause) != 0)
		return -1;
	if (array == NULL)
		return 0;
	n = json_object_array_length(array);
	if (n > PROTO_CONTAINER_MAX_RESOURCES)
		return set_cause(cause, "%s.localResources: more than %d files", prefix,
		                 PROTO_CONTAINER_MAX_RESOURCES);
	lc->resources = xcalloc(n + 1, sizeof *lc->resources);
	for (i = 0; i < n; i++) {
		if (proto_container_resource_decode(json_object_array_get_idx(array, i), prefix, i,
		                                    lc, cause) != 0)
			return -1;
	}
	return 0;
}

int proto_container_launch_context_decode(struct json_object *obj, const char *prefix,
                                          struct weft_launch_context *lc, char **cause)
{
	memset(lc, 0, sizeof *lc);
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return set_cause(cause, "%s: expected an object", prefix);
	if (proto_container_commands_decode(obj, prefix, lc, cause) != 0 ||
	    proto_container_env_decode(obj, prefix, lc, cause) != 0 ||
	    proto_container_resources_decode(obj, prefix, lc, cause) != 0) {
		weft_launch_context_clear(lc);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* start. */

struct json_object *proto_container_start_encode(const struct proto_container_start *m)
{
	struct json_object *body = wjson_new_object();

	wjson_add_string(body, WEFT_KEY_TOKEN, m->token);
	wjson_add(body, WEFT_KEY_LAUNCH_CONTEXT,
	          proto_container_launch_context_encode(&m->context));
	return body;
}

int proto_container_start_decode(struct json_object *obj, struct proto_container_start *m,
                                 char **cause)
{
	struct json_object *lc = NULL;

	memset(m, 0, sizeof *m);
	if (wjson_get_text(obj, "", WEFT_KEY_TOKEN, false, PROTO_CONTAINER_TOKEN_MAX, &m->token,
	                   cause) != 0)
		return -1;
	m->token_read = true;
	if (wjson_get_object(obj, "", WEFT_KEY_LAUNCH_CONTEXT, true, &lc, cause) != 0 ||
	    proto_container_launch_context_decode(lc, WEFT_KEY_LAUNCH_CONTEXT, &m->context,
	                                          cause) != 0)
		return -1;
	return 0;
}

void proto_container_start_clear(struct proto_container_start *m)
{
	weft_launch_context_clear(&m->context);
}

/* ------------------------------------------------------------------ */
/* stop and status requests. */

struct json_object *proto_container_request_encode(const struct proto_container_request *m)
{
	struct json_object *body = wjson_new_object();

	wjson_add_string(body, WEFT_KEY_CONTAINER_ID, m->container_id);
	if (m->token != NULL)
		wjson_add_string(body, WEFT_KEY_TOKEN, m->token);
	return body;
}

int proto_container_request_decode(struct json_object *obj, struct proto_container_request *m,
                                   char **cause)
{
	memset(m, 0, sizeof *m);
	if (proto_container_get_id(obj, WEFT_KEY_CONTAINER_ID, &m->container_id, cause) != 0 ||
	    wjson_get_text(obj, "", WEFT_KEY_TOKEN, false, PROTO_CONTAINER_TOKEN_MAX, &m->token,
	                   cause) != 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Answers. */

struct json_object *proto_container_state_encode(const struct proto_container_state *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_CONTAINER_ID, m->container_id);
	wjson_add_string(o, WEFT_KEY_STATE, m->state);
	return o;
}

int proto_container_state_decode(struct json_object *obj, struct proto_container_state *m,
                                 char **cause)
{
	size_t i, len;

	memset(m, 0, sizeof *m);
	if (proto_container_get_id(obj, WEFT_KEY_CONTAINER_ID, &m->container_id, cause) != 0 ||
	    wjson_get_text(obj, "", WEFT_KEY_STATE, true, PROTO_CONTAINER_STATE_MAX, &m->state,
	                   cause) != 0)
		return -1;
	len = strlen(m->state);
	for (i = 0; i < len; i++) {
		if (!((m->state[i] >= 'A' && m->state[i] <= 'Z') || m->state[i] == '_'))
			break;
	}
	if (len == 0 || i < len)
		return set_cause(cause, "state: '%s' is not a container state", m->state);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The container status record. */

struct json_object *proto_container_status_encode(const struct weft_container_status *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_CONTAINER_ID, m->container_id);
	wjson_add_string(o, WEFT_KEY_STATE, weft_container_state_name(m->state));
	wjson_add_int(o, WEFT_KEY_EXIT_STATUS, m->exit_status);
	wjson_add_string(o, WEFT_KEY_DIAGNOSTICS, m->diagnostics != NULL ? m->diagnostics : "");
	return o;
}

/* The common case (an id and no diagnostics to escape) in one printf: a
 * heartbeat of weft-sls carries thousands. */
void proto_container_status_write(struct evbuffer *b, const struct weft_container_status *m)
{
	const char *diagnostics = m->diagnostics != NULL ? m->diagnostics : "";
	const char *state = weft_container_state_name(m->state);

	if (*diagnostics == '\0' && wjson_string_is_plain(m->container_id)) {
		evbuffer_add_printf(b,
		                    "{\"" WEFT_KEY_CONTAINER_ID "\":\"%s\",\"" WEFT_KEY_STATE
		                    "\":\"%s\",\"" WEFT_KEY_EXIT_STATUS "\":%" PRId32
		                    ",\"" WEFT_KEY_DIAGNOSTICS "\":\"\"}",
		                    m->container_id, state, m->exit_status);
		return;
	}
	evbuffer_add(b, "{\"" WEFT_KEY_CONTAINER_ID "\":",
	             sizeof("{\"" WEFT_KEY_CONTAINER_ID "\":") - 1);
	wjson_write_string(b, m->container_id);
	evbuffer_add_printf(b,
	                    ",\"" WEFT_KEY_STATE "\":\"%s\",\"" WEFT_KEY_EXIT_STATUS "\":%" PRId32
	                    ",\"" WEFT_KEY_DIAGNOSTICS "\":",
	                    state, m->exit_status);
	wjson_write_string(b, diagnostics);
	evbuffer_add(b, "}", 1);
}

int proto_container_status_decode(struct json_object *obj, const char *path,
                                  enum proto_status_rules rules, struct weft_container_status *m,
                                  char **cause)
{
	bool completed = rules == PROTO_STATUS_COMPLETED;
	const char *state = NULL, *dot = *path != '\0' ? "." : "";
	int64_t exit_status = WEFT_EXIT_INVALID;
	weft_container_id_t cid;

	memset(m, 0, sizeof *m);
	m->diagnostics = "";
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return set_cause(cause, "%s: expected an object", *path != '\0' ? path : "status");
	if (wjson_get_string(obj, path, WEFT_KEY_CONTAINER_ID, true, &m->container_id, cause) !=
	            0 ||
	    wjson_get_string(obj, path, WEFT_KEY_STATE, !completed, &state, cause) != 0 ||
	    wjson_get_int(obj, path, WEFT_KEY_EXIT_STATUS, completed, INT32_MIN, INT32_MAX,
	                  &exit_status, cause) != 0 ||
	    wjson_get_string(obj, path, WEFT_KEY_DIAGNOSTICS, false, &m->diagnostics, cause) != 0)
		return -1;
	if (strlen(m->container_id) >= WEFT_ID_MAX ||
	    weft_container_id_parse(m->container_id, &cid) != 0)
		return set_cause(cause, "%s%s%s: '%.80s' is not a container id", path, dot,
		                 WEFT_KEY_CONTAINER_ID, m->container_id);
	if (strlen(m->diagnostics) > PROTO_CONTAINER_DIAGNOSTICS_MAX)
		return set_cause(cause, "%s%s%s: longer than %d bytes", path, dot,
		                 WEFT_KEY_DIAGNOSTICS, PROTO_CONTAINER_DIAGNOSTICS_MAX);
	m->state = WEFT_CONTAINER_COMPLETE;
	if (state != NULL && weft_container_state_parse(state, &m->state) != 0)
		return set_cause(cause, "%s%s%s: '%.32s' is not %s, %s or %s", path, dot,
		                 WEFT_KEY_STATE, state, WEFT_CONTAINER_STATE_NEW,
		                 WEFT_CONTAINER_STATE_RUNNING, WEFT_CONTAINER_STATE_COMPLETE);
	if (completed && m->state != WEFT_CONTAINER_COMPLETE)
		return set_cause(cause, "%s%s%s: '%s' in a list of completed containers", path, dot,
		                 WEFT_KEY_STATE, state);
	m->exit_status = (int32_t)exit_status;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The container token's payload. */

struct json_object *proto_container_token_encode(const struct container_token *tok)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_CONTAINER_ID, tok->container_id);
	wjson_add_string(o, WEFT_KEY_NODE_ID, tok->node_id);
	wjson_add_string(o, WEFT_KEY_USER, tok->user);
	wjson_add_int(o, WEFT_KEY_MEMORY_MB, tok->resource.memory_mb);
	wjson_add_int(o, WEFT_KEY_VCORES, tok->resource.vcores);
	wjson_add_int(o, WEFT_TOKEN_KEY_EXPIRY, tok->expiry_ms);
	wjson_add_int(o, WEFT_TOKEN_KEY_KEY_ID, tok->key_id);
	return o;
}

int proto_container_token_key_id(struct json_object *obj, int64_t *key_id, char **cause)
{
	return wjson_get_int(obj, "", WEFT_TOKEN_KEY_KEY_ID, true, 0, INT64_MAX, key_id, cause);
}

/* A required non-empty string of the payload, copied into out (n bytes). */
static int proto_container_token_string(struct json_object *obj, const char *key, char *out,
                                        size_t n, char **cause)
{
	const char *text = NULL;

	if (wjson_get_text(obj, "", key, true, n - 1, &text, cause) != 0)
		return -1;
	if (*text == '\0')
		return set_cause(cause, "%s: empty", key);
	memcpy(out, text, strlen(text) + 1);
	return 0;
}

int proto_container_token_decode(struct json_object *obj, struct container_token *tok, char **cause)
{
	weft_container_id_t cid;

	if (proto_container_token_string(obj, WEFT_KEY_CONTAINER_ID, tok->container_id,
	                                 sizeof tok->container_id, cause) != 0 ||
	    proto_container_token_string(obj, WEFT_KEY_NODE_ID, tok->node_id, sizeof tok->node_id,
	                                 cause) != 0 ||
	    proto_container_token_string(obj, WEFT_KEY_USER, tok->user, sizeof tok->user, cause) !=
	            0 ||
	    wjson_get_int(obj, "", WEFT_KEY_MEMORY_MB, true, 0, INT64_MAX, &tok->resource.memory_mb,
	                  cause) != 0 ||
	    wjson_get_int(obj, "", WEFT_KEY_VCORES, true, 0, INT64_MAX, &tok->resource.vcores,
	                  cause) != 0 ||
	    wjson_get_int(obj, "", WEFT_TOKEN_KEY_EXPIRY, true, 0, INT64_MAX, &tok->expiry_ms,
	                  cause) != 0)
		return -1;
	if (weft_container_id_parse(tok->container_id, &cid) != 0)
		return set_cause(cause, "bad container id");
	return 0;
}
