/*
 * proto_app.c — the RM's application messages (see proto_app.h): the
 * ApplicationSubmissionContext, new-application's answer and the /state
 * body, encoded and decoded for both ends.
 *
 * Every field is checked for its JSON type (wjson getters, no silent
 * conversions) and its meaning; a message names the field's path, e.g.
 * "am-container-spec.environment.entry[2].key: expected a string, got an
 * integer".  Nothing is half-built: on error everything read so far is
 * freed.
 */
#include "weft_config.h"

#include "common/proto_app.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"

/* ------------------------------------------------------------------ */
/* Application states (weft/app.h). */

/* YARN's application states, in lifecycle order. */
static const char *const proto_app_states[] = {
        "NEW",      "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING",
        "FINISHED", "FAILED",     "KILLED",    NULL,
};

/* FINISHED, FAILED and KILLED never change again. */
bool weft_app_state_final(const char *state)
{
	return state != NULL && (strcmp(state, "FINISHED") == 0 || strcmp(state, "FAILED") == 0 ||
	                         strcmp(state, "KILLED") == 0);
}

/* One of YarnApplicationState's names. */
bool weft_app_state_valid(const char *text)
{
	for (int i = 0; text != NULL && proto_app_states[i] != NULL; i++)
		if (strcmp(text, proto_app_states[i]) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* The submission context: decoding. */

/* Free a decoded (or encoded-from) submission. */
void proto_app_submission_free(struct weft_app_submission *s)
{
	if (s == NULL)
		return;
	free(s->name);
	free(s->queue);
	free(s->type);
	for (int i = 0; i < s->n_tags; i++)
		free(s->tags[i]);
	free(s->tags);
	for (int i = 0; i < s->n_commands; i++)
		free(s->commands[i]);
	free(s->commands);
	for (int i = 0; i < s->n_env; i++) {
		free(s->env[i].key);
		free(s->env[i].value);
	}
	free(s->env);
	for (int i = 0; i < s->n_files; i++) {
		free(s->files[i].name);
		free(s->files[i].url);
	}
	free(s->files);
	free(s);
}

bool proto_app_valid_file_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 128 || name[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return false;
	}
	return true;
}

/* Environment variable names a shell accepts. */
static bool proto_app_valid_env_key(const char *key)
{
	size_t len = strlen(key);

	if (len == 0 || len > 256 || isdigit((unsigned char)key[0]))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isalnum((unsigned char)key[i]) && key[i] != '_')
			return false;
	}
	return true;
}

/* Printable text of bounded length (names, queues, types). */
static bool proto_app_valid_word(const char *text, size_t max)
{
	size_t len = strlen(text);

	if (len == 0 || len > max)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (iscntrl((unsigned char)text[i]))
			return false;
	}
	return true;
}

/*
 * A field that YARN's JSON writes as a list, or as a bare value when it
 * has one element ({"command":"x"} vs {"command":["x","y"]}).  RET the
 * number of items (0 when absent and not required) with *items holding
 * either the array or NULL and *single the bare value, or -1 *cause.
 */
static int proto_app_list(struct json_object *obj, const char *prefix, const char *key,
                          bool required, enum json_type item_type, const char *item_name,
                          struct json_object **array, struct json_object **single, char **cause)
{
	struct json_object *v = NULL;
	size_t n;

	*array = NULL;
	*single = NULL;
	if (!json_object_object_get_ex(obj, key, &v) || v == NULL) {
		if (required)
			return set_cause(cause, "%s.%s: missing", prefix, key);
		return 0;
	}
	if (json_object_is_type(v, item_type)) {
		*single = v;
		return 1;
	}
	if (!json_object_is_type(v, json_type_array)) {
		return set_cause(cause, "%s.%s: expected %s or an array of them, got %s", prefix,
		                 key, item_name, wjson_type_name(v));
	}
	n = json_object_array_length(v);
	if (n > PROTO_APP_MAX_ITEMS)
		return set_cause(cause, "%s.%s: more than %d items", prefix, key,
		                 PROTO_APP_MAX_ITEMS);
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(v, i);

		if (item == NULL || !json_object_is_type(item, item_type)) {
			return set_cause(cause, "%s.%s[%zu]: expected %s, got %s", prefix, key, i,
			                 item_name, item == NULL ? "null" : wjson_type_name(item));
		}
	}
	if (required && n == 0)
		return set_cause(cause, "%s.%s: empty", prefix, key);
	*array = v;
	return (int)n;
}

/* The i-th item of what proto_app_list found. */
static struct json_object *proto_app_item(struct json_object *array, struct json_object *single,
                                          int i)
{
	return array != NULL ? json_object_array_get_idx(array, (size_t)i) : single;
}

/* Path of the i-th item for messages (caller frees). */
static char *proto_app_item_path(const char *prefix, const char *key, struct json_object *array,
                                 int i)
{
	if (array != NULL)
		return xasprintf("%s.%s[%d]", prefix, key, i);
	return xasprintf("%s.%s", prefix, key);
}

/* A string of bounded length, for every free-text field. */
static int proto_app_text(const char *path, const char *text, char **cause)
{
	if (strlen(text) > PROTO_APP_MAX_TEXT)
		return set_cause(cause, "%s: longer than %d bytes", path, PROTO_APP_MAX_TEXT);
	return 0;
}

/* commands: {"command": "line" | ["line", ...]} */
static int proto_app_parse_commands(struct json_object *spec, struct weft_app_submission *s,
                                    char **cause)
{
	const char *prefix = WEFT_APP_KEY_AM_CONTAINER_SPEC "." WEFT_KEY_COMMANDS;
	struct json_object *commands = NULL, *array, *single;
	int n;

	if (wjson_get_object(spec, WEFT_APP_KEY_AM_CONTAINER_SPEC, WEFT_KEY_COMMANDS, true,
	                     &commands, cause) != 0)
		return -1;
	n = proto_app_list(commands, prefix, WEFT_KEY_COMMAND, true, json_type_string, "a string",
	                   &array, &single, cause);
	if (n < 0)
		return -1;
	s->commands = xcalloc(n, sizeof *s->commands);
	for (int i = 0; i < n; i++) {
		const char *line = json_object_get_string(proto_app_item(array, single, i));
		char *path = proto_app_item_path(prefix, WEFT_KEY_COMMAND, array, i);
		int rc = 0;

		if (line[0] == '\0')
			rc = set_cause(cause, "%s: empty command", path);
		else
			rc = proto_app_text(path, line, cause);
		free(path);
		if (rc != 0)
			return -1;
		s->commands[s->n_commands++] = xstrdup(line);
	}
	return 0;
}

/* environment: {"entry": [{"key": "K", "value": "V"}, ...]} */
static int proto_app_parse_env(struct json_object *spec, struct weft_app_submission *s,
                               char **cause)
{
	const char *prefix = WEFT_APP_KEY_AM_CONTAINER_SPEC "." WEFT_KEY_ENVIRONMENT;
	struct json_object *env = NULL, *array, *single;
	int n;

	if (wjson_get_object(spec, WEFT_APP_KEY_AM_CONTAINER_SPEC, WEFT_KEY_ENVIRONMENT, false,
	                     &env, cause) != 0)
		return -1;
	if (env == NULL)
		return 0;
	n = proto_app_list(env, prefix, WEFT_APP_KEY_ENTRY, false, json_type_object, "an object",
	                   &array, &single, cause);
	if (n < 0)
		return -1;
	s->env = xcalloc(n > 0 ? n : 1, sizeof *s->env);
	for (int i = 0; i < n; i++) {
		struct json_object *entry = proto_app_item(array, single, i);
		char *path = proto_app_item_path(prefix, WEFT_APP_KEY_ENTRY, array, i);
		const char *key = NULL, *value = NULL;
		int rc = -1;

		if (wjson_get_string(entry, path, WEFT_APP_KEY_KEY, true, &key, cause) != 0 ||
		    wjson_get_string(entry, path, WEFT_APP_KEY_VALUE, true, &value, cause) != 0)
			goto done;
		if (!proto_app_valid_env_key(key)) {
			set_cause(cause, "%s.key: '%s' is not a valid environment variable name",
			          path, key);
			goto done;
		}
		if (proto_app_text(path, value, cause) != 0)
			goto done;
		for (int j = 0; j < s->n_env; j++) {
			if (strcmp(s->env[j].key, key) == 0) {
				set_cause(cause, "%s.key: '%s' is given twice", path, key);
				goto done;
			}
		}
		s->env[s->n_env].key = xstrdup(key);
		s->env[s->n_env].value = xstrdup(value);
		s->n_env++;
		rc = 0;
	done:
		free(path);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* Where a container may fetch a file from (protocol.h). */
static bool proto_app_valid_url(const char *url)
{
	return strncmp(url, WEFT_APP_STAGING_PREFIX, strlen(WEFT_APP_STAGING_PREFIX)) == 0 ||
	       strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0 ||
	       strncmp(url, "file://", 7) == 0;
}

/* One local-resources entry's value. */
static int proto_app_parse_file(struct json_object *entry, const char *path,
                                struct weft_app_submission *s, char **cause)
{
	struct json_object *value = NULL;
	const char *name = NULL, *url = NULL, *type = NULL, *visibility = NULL;
	char *vpath = xasprintf("%s.value", path);
	bool executable = false;
	int64_t size = -1, timestamp = 0;
	int rc = -1;

	if (wjson_get_string(entry, path, WEFT_APP_KEY_KEY, true, &name, cause) != 0 ||
	    wjson_get_object(entry, path, WEFT_APP_KEY_VALUE, true, &value, cause) != 0 ||
	    wjson_get_string(value, vpath, WEFT_APP_KEY_RESOURCE, true, &url, cause) != 0 ||
	    wjson_get_string(value, vpath, WEFT_KEY_TYPE, false, &type, cause) != 0 ||
	    wjson_get_string(value, vpath, WEFT_APP_KEY_VISIBILITY, false, &visibility, cause) !=
	            0 ||
	    wjson_get_int(value, vpath, WEFT_KEY_SIZE, false, -1, INT64_MAX, &size, cause) != 0 ||
	    wjson_get_int(value, vpath, WEFT_APP_KEY_TIMESTAMP, false, 0, INT64_MAX, &timestamp,
	                  cause) != 0 ||
	    wjson_get_bool(value, vpath, WEFT_KEY_EXECUTABLE, false, &executable, cause) != 0)
		goto out;
	if (!proto_app_valid_file_name(name)) {
		set_cause(cause,
		          "%s.key: '%s' is not a valid file name ([A-Za-z0-9._-]{1,128}, not "
		          "starting with '.')",
		          path, name);
		goto out;
	}
	if (!proto_app_valid_url(url) || strlen(url) > PROTO_APP_MAX_URL) {
		set_cause(cause,
		          "%s.resource: '%s' must start with /ws/v1/staging/, http://, https:// "
		          "or file://",
		          vpath, url);
		goto out;
	}
	if (type != NULL && strcmp(type, WEFT_APP_RESOURCE_FILE) != 0) {
		set_cause(cause, "%s.type: '%s' is not supported (only FILE)", vpath, type);
		goto out;
	}
	if (visibility != NULL && strcmp(visibility, WEFT_APP_VISIBILITY_APP) != 0 &&
	    strcmp(visibility, "PRIVATE") != 0 && strcmp(visibility, "PUBLIC") != 0) {
		set_cause(cause, "%s.visibility: '%s' is not one of APPLICATION, PRIVATE, PUBLIC",
		          vpath, visibility);
		goto out;
	}
	for (int j = 0; j < s->n_files; j++) {
		if (strcmp(s->files[j].name, name) == 0) {
			set_cause(cause, "%s.key: '%s' is given twice", path, name);
			goto out;
		}
	}
	s->files[s->n_files].name = xstrdup(name);
	s->files[s->n_files].url = xstrdup(url);
	s->files[s->n_files].executable = executable;
	s->files[s->n_files].size = size;
	s->files[s->n_files].timestamp = timestamp;
	s->n_files++;
	rc = 0;
out:
	free(vpath);
	return rc;
}

/* local-resources: {"entry": [{"key": name, "value": {...}}, ...]} */
static int proto_app_parse_files(struct json_object *spec, struct weft_app_submission *s,
                                 char **cause)
{
	const char *prefix = WEFT_APP_KEY_AM_CONTAINER_SPEC "." WEFT_APP_KEY_LOCAL_RESOURCES;
	struct json_object *lr = NULL, *array, *single;
	int n;

	if (wjson_get_object(spec, WEFT_APP_KEY_AM_CONTAINER_SPEC, WEFT_APP_KEY_LOCAL_RESOURCES,
	                     false, &lr, cause) != 0)
		return -1;
	if (lr == NULL)
		return 0;
	n = proto_app_list(lr, prefix, WEFT_APP_KEY_ENTRY, false, json_type_object, "an object",
	                   &array, &single, cause);
	if (n < 0)
		return -1;
	s->files = xcalloc(n > 0 ? n : 1, sizeof *s->files);
	for (int i = 0; i < n; i++) {
		char *path = proto_app_item_path(prefix, WEFT_APP_KEY_ENTRY, array, i);
		int rc = proto_app_parse_file(proto_app_item(array, single, i), path, s, cause);

		free(path);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* application-tags: {"tag": "t" | ["t", ...]} */
static int proto_app_parse_tags(struct json_object *body, struct weft_app_submission *s,
                                char **cause)
{
	struct json_object *tags = NULL, *array, *single;
	int n;

	if (wjson_get_object(body, "", WEFT_APP_KEY_APP_TAGS, false, &tags, cause) != 0)
		return -1;
	if (tags == NULL)
		return 0;
	n = proto_app_list(tags, WEFT_APP_KEY_APP_TAGS, WEFT_APP_KEY_TAG, false, json_type_string,
	                   "a string", &array, &single, cause);
	if (n < 0)
		return -1;
	s->tags = xcalloc(n > 0 ? n : 1, sizeof *s->tags);
	for (int i = 0; i < n; i++) {
		const char *tag = json_object_get_string(proto_app_item(array, single, i));

		if (!proto_app_valid_word(tag, PROTO_APP_MAX_WORD) || strchr(tag, ',') != NULL) {
			char *path = proto_app_item_path(WEFT_APP_KEY_APP_TAGS, WEFT_APP_KEY_TAG,
			                                 array, i);

			set_cause(cause, "%s: '%s' is not a valid tag (1-%d characters, no comma)",
			          path, tag, PROTO_APP_MAX_WORD);
			free(path);
			return -1;
		}
		s->tags[s->n_tags++] = xstrdup(tag);
	}
	return 0;
}

/* resource: {"memory": MB, "vCores": N}; absent parts are 0 (= minimum). */
static int proto_app_parse_resource(struct json_object *body, struct weft_app_submission *s,
                                    char **cause)
{
	struct json_object *res = NULL;
	int64_t memory = 0, vcores = 0;

	if (wjson_get_object(body, "", WEFT_APP_KEY_RESOURCE, false, &res, cause) != 0)
		return -1;
	if (res != NULL && (wjson_get_int(res, WEFT_APP_KEY_RESOURCE, WEFT_KEY_MEMORY, false,
	                                  INT32_MIN, INT64_C(1) << 40, &memory, cause) != 0 ||
	                    wjson_get_int(res, WEFT_APP_KEY_RESOURCE, WEFT_KEY_VCORES_RESOURCE,
	                                  false, INT32_MIN, 1 << 20, &vcores, cause) != 0))
		return -1;
	s->resource = weft_resource(memory, vcores);
	return 0;
}

/* Optional ignored YARN fields must still have the right type. */
static int proto_app_check_ignored(struct json_object *body, struct json_object *spec, char **cause)
{
	struct json_object *o = NULL;
	int64_t i;

	if (wjson_get_object(spec, WEFT_APP_KEY_AM_CONTAINER_SPEC, WEFT_APP_KEY_SERVICE_DATA, false,
	                     &o, cause) != 0 ||
	    wjson_get_object(spec, WEFT_APP_KEY_AM_CONTAINER_SPEC, WEFT_APP_KEY_CREDENTIALS, false,
	                     &o, cause) != 0 ||
	    wjson_get_object(spec, WEFT_APP_KEY_AM_CONTAINER_SPEC, WEFT_APP_KEY_APP_ACLS, false, &o,
	                     cause) != 0 ||
	    wjson_get_object(body, "", WEFT_APP_KEY_LOG_AGGREGATION, false, &o, cause) != 0 ||
	    wjson_get_object(body, "", WEFT_APP_KEY_AM_BLACKLISTING, false, &o, cause) != 0 ||
	    wjson_get_int(body, "", WEFT_APP_KEY_ATTEMPT_FAILURES_VALIDITY, false, -1, INT64_MAX,
	                  &i, cause) != 0)
		return -1;
	return 0;
}

/* Read the whole submission; on any error nothing survives. */
int proto_app_submission_decode(struct json_object *body, struct weft_app_submission **out,
                                char **cause)
{
	struct weft_app_submission *s = xcalloc(1, sizeof *s);
	struct json_object *spec = NULL;
	const char *id = NULL, *name = "N/A", *queue = "default", *type = "YARN";
	weft_app_id_t parsed;
	int64_t priority = 0, attempts = 0;
	bool unmanaged = false;

	*out = NULL;
	if (wjson_get_string(body, "", WEFT_APP_KEY_APP_ID, true, &id, cause) != 0)
		goto fail;
	if (weft_app_id_parse(id, &parsed) != 0) {
		set_cause(cause, "application-id: '%s' is not an application id", id);
		goto fail;
	}
	snprintf(s->app_id, sizeof s->app_id, "%s", id);
	if (wjson_get_string(body, "", WEFT_APP_KEY_APP_NAME, false, &name, cause) != 0 ||
	    wjson_get_string(body, "", WEFT_KEY_QUEUE, false, &queue, cause) != 0 ||
	    wjson_get_string(body, "", WEFT_APP_KEY_APP_TYPE, false, &type, cause) != 0 ||
	    wjson_get_int(body, "", WEFT_KEY_PRIORITY, false, INT32_MIN, INT32_MAX, &priority,
	                  cause) != 0 ||
	    wjson_get_int(body, "", WEFT_APP_KEY_MAX_APP_ATTEMPTS, false, 1, 1000, &attempts,
	                  cause) != 0 ||
	    wjson_get_bool(body, "", WEFT_APP_KEY_UNMANAGED_AM, false, &unmanaged, cause) != 0 ||
	    wjson_get_bool(body, "", WEFT_APP_KEY_KEEP_CONTAINERS, false, &s->keep_containers,
	                   cause) != 0)
		goto fail;
	if (!proto_app_valid_word(name, PROTO_APP_MAX_NAME)) {
		set_cause(cause, "application-name: must be 1-%d printable characters",
		          PROTO_APP_MAX_NAME);
		goto fail;
	}
	if (!proto_app_valid_word(queue, PROTO_APP_MAX_WORD)) {
		set_cause(cause, "queue: must be 1-%d printable characters", PROTO_APP_MAX_WORD);
		goto fail;
	}
	if (!proto_app_valid_word(type, PROTO_APP_MAX_WORD)) {
		set_cause(cause, "application-type: must be 1-%d printable characters",
		          PROTO_APP_MAX_WORD);
		goto fail;
	}
	if (unmanaged) {
		set_cause(cause, "unmanaged-AM: unmanaged application masters are not supported");
		goto fail;
	}
	s->name = xstrdup(name);
	s->queue = xstrdup(queue);
	s->type = xstrdup(type);
	s->priority = (int32_t)priority;
	s->max_attempts = (int32_t)attempts;
	if (proto_app_parse_resource(body, s, cause) != 0 ||
	    proto_app_parse_tags(body, s, cause) != 0)
		goto fail;
	if (wjson_get_object(body, "", WEFT_APP_KEY_AM_CONTAINER_SPEC, true, &spec, cause) != 0 ||
	    proto_app_parse_commands(spec, s, cause) != 0 ||
	    proto_app_parse_env(spec, s, cause) != 0 ||
	    proto_app_parse_files(spec, s, cause) != 0 ||
	    proto_app_check_ignored(body, spec, cause) != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	proto_app_submission_free(s);
	return -1;
}

/* ------------------------------------------------------------------ */
/* The submission context: encoding. */

/* {"entry":[...]} around a list (consumed). */
static struct json_object *proto_app_entries(struct json_object *list)
{
	struct json_object *wrap = wjson_new_object();

	wjson_add(wrap, WEFT_APP_KEY_ENTRY, list);
	return wrap;
}

/* {"key":k,"value":v} (v consumed). */
static struct json_object *proto_app_entry(const char *key, struct json_object *value)
{
	struct json_object *entry = wjson_new_object();

	wjson_add_string(entry, WEFT_APP_KEY_KEY, key);
	wjson_add(entry, WEFT_APP_KEY_VALUE, value);
	return entry;
}

/* am-container-spec.local-resources. */
static struct json_object *proto_app_encode_files(const struct weft_app_submission *s)
{
	struct json_object *list = json_object_new_array();

	for (int i = 0; i < s->n_files; i++) {
		const struct weft_app_file *f = &s->files[i];
		struct json_object *value = wjson_new_object();

		wjson_add_string(value, WEFT_APP_KEY_RESOURCE, f->url);
		wjson_add_string(value, WEFT_KEY_TYPE, WEFT_APP_RESOURCE_FILE);
		wjson_add_string(value, WEFT_APP_KEY_VISIBILITY, WEFT_APP_VISIBILITY_APP);
		if (f->size >= 0)
			wjson_add_int(value, WEFT_KEY_SIZE, f->size);
		wjson_add_int(value, WEFT_APP_KEY_TIMESTAMP, f->timestamp);
		if (f->executable)
			wjson_add_bool(value, WEFT_KEY_EXECUTABLE, true);
		json_object_array_add(list, proto_app_entry(f->name, value));
	}
	return proto_app_entries(list);
}

/* am-container-spec. */
static struct json_object *proto_app_encode_spec(const struct weft_app_submission *s)
{
	struct json_object *spec = wjson_new_object();
	struct json_object *env = json_object_new_array();
	struct json_object *commands = wjson_new_object();

	wjson_add(spec, WEFT_APP_KEY_LOCAL_RESOURCES, proto_app_encode_files(s));
	for (int i = 0; i < s->n_env; i++)
		json_object_array_add(
		        env,
		        proto_app_entry(s->env[i].key, json_object_new_string(s->env[i].value)));
	wjson_add(spec, WEFT_KEY_ENVIRONMENT, proto_app_entries(env));
	if (s->n_commands == 1) {
		wjson_add_string(commands, WEFT_KEY_COMMAND, s->commands[0]);
	} else {
		struct json_object *list = json_object_new_array();

		for (int i = 0; i < s->n_commands; i++)
			json_object_array_add(list, json_object_new_string(s->commands[i]));
		wjson_add(commands, WEFT_KEY_COMMAND, list);
	}
	wjson_add(spec, WEFT_KEY_COMMANDS, commands);
	return spec;
}

/* The whole submission context. */
struct json_object *proto_app_submission_encode(const struct weft_app_submission *s)
{
	struct json_object *root = wjson_new_object();
	struct json_object *resource = wjson_new_object();

	wjson_add_string(root, WEFT_APP_KEY_APP_ID, s->app_id);
	wjson_add_string(root, WEFT_APP_KEY_APP_NAME, s->name);
	wjson_add_string(root, WEFT_KEY_QUEUE, s->queue);
	if (s->max_attempts > 0)
		wjson_add_int(root, WEFT_APP_KEY_MAX_APP_ATTEMPTS, s->max_attempts);
	wjson_add_string(root, WEFT_APP_KEY_APP_TYPE, s->type);
	wjson_add_bool(root, WEFT_APP_KEY_UNMANAGED_AM, false);
	if (s->priority != 0)
		wjson_add_int(root, WEFT_KEY_PRIORITY, s->priority);
	if (s->keep_containers)
		wjson_add_bool(root, WEFT_APP_KEY_KEEP_CONTAINERS, true);
	if (s->n_tags > 0) {
		struct json_object *tags = wjson_new_object();
		struct json_object *list = json_object_new_array();

		for (int i = 0; i < s->n_tags; i++)
			json_object_array_add(list, json_object_new_string(s->tags[i]));
		wjson_add(tags, WEFT_APP_KEY_TAG, list);
		wjson_add(root, WEFT_APP_KEY_APP_TAGS, tags);
	}
	wjson_add_int(resource, WEFT_KEY_MEMORY, s->resource.memory_mb);
	wjson_add_int(resource, WEFT_KEY_VCORES_RESOURCE, s->resource.vcores);
	wjson_add(root, WEFT_APP_KEY_RESOURCE, resource);
	wjson_add(root, WEFT_APP_KEY_AM_CONTAINER_SPEC, proto_app_encode_spec(s));
	return root;
}

/* ------------------------------------------------------------------ */
/* new-application's answer. */

/* {"application-id":..,"maximum-resource-capability":{"memory","vCores"}} */
struct json_object *proto_app_new_application_encode(const struct weft_new_application *m)
{
	struct json_object *body = wjson_new_object();
	struct json_object *max = wjson_new_object();

	wjson_add_int(max, WEFT_KEY_MEMORY, m->max_memory_mb);
	wjson_add_int(max, WEFT_KEY_VCORES_RESOURCE, m->max_vcores);
	wjson_add_string(body, WEFT_APP_KEY_APP_ID, m->app_id);
	wjson_add(body, WEFT_APP_KEY_MAX_RESOURCE, max);
	return body;
}

/* The id is required and checked; the maximum is optional. */
int proto_app_new_application_decode(struct json_object *obj, struct weft_new_application *m,
                                     char **cause)
{
	struct json_object *max = NULL;
	const char *id = NULL;
	weft_app_id_t parsed;

	memset(m, 0, sizeof *m);
	if (wjson_get_string(obj, "", WEFT_APP_KEY_APP_ID, true, &id, cause) != 0)
		return -1;
	if (strlen(id) >= sizeof m->app_id || weft_app_id_parse(id, &parsed) != 0)
		return set_cause(cause, WEFT_APP_KEY_APP_ID ": '%.64s' is not an application id",
		                 id);
	snprintf(m->app_id, sizeof m->app_id, "%s", id);
	if (wjson_get_object(obj, "", WEFT_APP_KEY_MAX_RESOURCE, false, &max, cause) != 0)
		return -1;
	if (max != NULL && (wjson_get_int(max, WEFT_APP_KEY_MAX_RESOURCE, WEFT_KEY_MEMORY, false, 0,
	                                  INT64_MAX, &m->max_memory_mb, cause) != 0 ||
	                    wjson_get_int(max, WEFT_APP_KEY_MAX_RESOURCE, WEFT_KEY_VCORES_RESOURCE,
	                                  false, 0, INT64_MAX, &m->max_vcores, cause) != 0))
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The /state body. */

/* {"state":".."} */
struct json_object *proto_app_state_encode(const struct proto_app_state *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_STATE, m->state);
	return o;
}

/* A printable state name of 1..31 bytes. */
int proto_app_state_decode(struct json_object *obj, struct proto_app_state *m, char **cause)
{
	const char *state = NULL;

	m->state[0] = '\0';
	if (wjson_get_string(obj, "", WEFT_KEY_STATE, true, &state, cause) != 0)
		return -1;
	if (!proto_app_valid_word(state, sizeof m->state - 1))
		return set_cause(cause, WEFT_KEY_STATE ": must be 1-%zu printable characters",
		                 sizeof m->state - 1);
	snprintf(m->state, sizeof m->state, "%s", state);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The app report. */

/* key: s, or "" for NULL. */
static void proto_app_add_text(struct json_object *o, const char *key, const char *s)
{
	wjson_add_string(o, key, s != NULL ? s : "");
}

/* One app object, YARN's field names in YARN's order. */
struct json_object *proto_app_report_encode(const struct weft_app_report *m)
{
	struct json_object *o = wjson_new_object();

	proto_app_add_text(o, WEFT_APP_KEY_ID, m->id);
	proto_app_add_text(o, WEFT_KEY_USER, m->user);
	proto_app_add_text(o, WEFT_KEY_NAME, m->name);
	proto_app_add_text(o, WEFT_KEY_QUEUE, m->queue);
	proto_app_add_text(o, WEFT_KEY_STATE, m->state);
	proto_app_add_text(o, WEFT_KEY_FINAL_STATUS, m->final_status);
	wjson_add_double(o, WEFT_KEY_PROGRESS, m->progress);
	proto_app_add_text(o, WEFT_APP_KEY_TRACKING_UI, m->tracking_ui);
	proto_app_add_text(o, WEFT_KEY_TRACKING_URL, m->tracking_url);
	proto_app_add_text(o, WEFT_KEY_DIAGNOSTICS, m->diagnostics);
	wjson_add_int(o, WEFT_APP_KEY_CLUSTER_ID, m->cluster_id);
	proto_app_add_text(o, WEFT_APP_KEY_APPLICATION_TYPE, m->application_type);
	proto_app_add_text(o, WEFT_APP_KEY_APPLICATION_TAGS, m->application_tags);
	wjson_add_int(o, WEFT_KEY_PRIORITY, m->priority);
	wjson_add_int(o, WEFT_APP_KEY_STARTED_TIME, m->started_ms);
	wjson_add_int(o, WEFT_APP_KEY_LAUNCH_TIME, m->launch_ms);
	wjson_add_int(o, WEFT_APP_KEY_FINISHED_TIME, m->finished_ms);
	wjson_add_int(o, WEFT_APP_KEY_ELAPSED_TIME, m->elapsed_ms);
	if (m->am_container_logs != NULL)
		wjson_add_string(o, WEFT_APP_KEY_AM_CONTAINER_LOGS, m->am_container_logs);
	if (m->am_host_http_address != NULL)
		wjson_add_string(o, WEFT_APP_KEY_AM_HOST_HTTP_ADDRESS, m->am_host_http_address);
	if (m->am_rpc_address != NULL)
		wjson_add_string(o, WEFT_APP_KEY_AM_RPC_ADDRESS, m->am_rpc_address);
	wjson_add_int(o, WEFT_APP_KEY_ALLOCATED_MB, m->allocated_mb);
	wjson_add_int(o, WEFT_APP_KEY_ALLOCATED_VCORES, m->allocated_vcores);
	wjson_add_int(o, WEFT_APP_KEY_RESERVED_MB, 0);
	wjson_add_int(o, WEFT_APP_KEY_RESERVED_VCORES, 0);
	wjson_add_int(o, WEFT_APP_KEY_RUNNING_CONTAINERS, m->running_containers);
	wjson_add_int(o, WEFT_APP_KEY_MEMORY_SECONDS, m->memory_seconds);
	wjson_add_int(o, WEFT_APP_KEY_VCORE_SECONDS, m->vcore_seconds);
	wjson_add_double(o, WEFT_APP_KEY_QUEUE_USAGE, m->queue_usage);
	wjson_add_double(o, WEFT_APP_KEY_CLUSTER_USAGE, m->cluster_usage);
	wjson_add_int(o, WEFT_APP_KEY_PREEMPTED_MB, 0);
	wjson_add_int(o, WEFT_APP_KEY_PREEMPTED_VCORES, 0);
	wjson_add_int(o, WEFT_APP_KEY_NON_AM_PREEMPTED, 0);
	wjson_add_int(o, WEFT_APP_KEY_AM_PREEMPTED, 0);
	wjson_add_string(o, WEFT_APP_KEY_LOG_AGGREGATION_STATUS, WEFT_APP_LOG_AGGREGATION_DISABLED);
	wjson_add_bool(o, WEFT_APP_KEY_UNMANAGED_APPLICATION, false);
	wjson_add_string(o, WEFT_APP_KEY_APP_NODE_LABEL, "");
	wjson_add_string(o, WEFT_APP_KEY_AM_NODE_LABEL, "");
	return o;
}

/* A number field (integer or not) in [0, max]; absent: dflt. */
static int proto_app_get_percent(struct json_object *obj, const char *key, double dflt, double max,
                                 double *out, char **cause)
{
	struct json_object *v = NULL;

	*out = dflt;
	if (!json_object_object_get_ex(obj, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return set_cause(cause, WEFT_APP_KEY_APP ".%s: expected a number, got %s", key,
		                 wjson_type_name(v));
	*out = json_object_get_double(v);
	if (!(*out >= 0.0 && *out <= max))
		return set_cause(cause, WEFT_APP_KEY_APP ".%s: %g is out of range [0, %g]", key,
		                 *out, max);
	return 0;
}

/* Every field optional but state; types and ranges checked. */
int proto_app_report_decode(struct json_object *obj, struct weft_app_report *m, char **cause)
{
	static const struct {
		const char *key;
		size_t offset;
	} strings[] = {
	        {WEFT_APP_KEY_ID, offsetof(struct weft_app_report, id)},
	        {WEFT_KEY_USER, offsetof(struct weft_app_report, user)},
	        {WEFT_KEY_NAME, offsetof(struct weft_app_report, name)},
	        {WEFT_KEY_QUEUE, offsetof(struct weft_app_report, queue)},
	        {WEFT_KEY_FINAL_STATUS, offsetof(struct weft_app_report, final_status)},
	        {WEFT_APP_KEY_TRACKING_UI, offsetof(struct weft_app_report, tracking_ui)},
	        {WEFT_KEY_TRACKING_URL, offsetof(struct weft_app_report, tracking_url)},
	        {WEFT_KEY_DIAGNOSTICS, offsetof(struct weft_app_report, diagnostics)},
	        {WEFT_APP_KEY_APPLICATION_TYPE, offsetof(struct weft_app_report, application_type)},
	        {WEFT_APP_KEY_APPLICATION_TAGS, offsetof(struct weft_app_report, application_tags)},
	        {WEFT_APP_KEY_AM_CONTAINER_LOGS,
	         offsetof(struct weft_app_report, am_container_logs)},
	        {WEFT_APP_KEY_AM_HOST_HTTP_ADDRESS,
	         offsetof(struct weft_app_report, am_host_http_address)},
	        {WEFT_APP_KEY_AM_RPC_ADDRESS, offsetof(struct weft_app_report, am_rpc_address)},
	};
	static const struct {
		const char *key;
		size_t offset;
		int64_t min;
	} ints[] = {
	        {WEFT_APP_KEY_CLUSTER_ID, offsetof(struct weft_app_report, cluster_id), 0},
	        {WEFT_KEY_PRIORITY, offsetof(struct weft_app_report, priority), INT32_MIN},
	        {WEFT_APP_KEY_STARTED_TIME, offsetof(struct weft_app_report, started_ms), 0},
	        {WEFT_APP_KEY_LAUNCH_TIME, offsetof(struct weft_app_report, launch_ms), 0},
	        {WEFT_APP_KEY_FINISHED_TIME, offsetof(struct weft_app_report, finished_ms), 0},
	        {WEFT_APP_KEY_ELAPSED_TIME, offsetof(struct weft_app_report, elapsed_ms), 0},
	        {WEFT_APP_KEY_ALLOCATED_MB, offsetof(struct weft_app_report, allocated_mb), 0},
	        {WEFT_APP_KEY_ALLOCATED_VCORES, offsetof(struct weft_app_report, allocated_vcores),
	         0},
	        {WEFT_APP_KEY_RUNNING_CONTAINERS,
	         offsetof(struct weft_app_report, running_containers), 0},
	        {WEFT_APP_KEY_MEMORY_SECONDS, offsetof(struct weft_app_report, memory_seconds), 0},
	        {WEFT_APP_KEY_VCORE_SECONDS, offsetof(struct weft_app_report, vcore_seconds), 0},
	};

	memset(m, 0, sizeof *m);
	if (!json_object_is_type(obj, json_type_object))
		return set_cause(cause, WEFT_APP_KEY_APP ": expected an object, got %s",
		                 obj == NULL ? "null" : wjson_type_name(obj));
	if (wjson_get_string(obj, WEFT_APP_KEY_APP, WEFT_KEY_STATE, true, &m->state, cause) != 0)
		return -1;
	if (strlen(m->state) >= PROTO_APP_STATE_MAX)
		return set_cause(cause,
		                 WEFT_APP_KEY_APP "." WEFT_KEY_STATE ": longer than %d bytes",
		                 PROTO_APP_STATE_MAX - 1);
	for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
		const char **field = (const char **)((char *)m + strings[i].offset);

		if (wjson_get_string(obj, WEFT_APP_KEY_APP, strings[i].key, false, field, cause) !=
		    0)
			return -1;
		if (*field != NULL && strlen(*field) > PROTO_APP_MAX_TEXT)
			return set_cause(cause, WEFT_APP_KEY_APP ".%s: longer than %d bytes",
			                 strings[i].key, PROTO_APP_MAX_TEXT);
	}
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		int64_t *field = (int64_t *)((char *)m + ints[i].offset);

		if (wjson_get_int(obj, WEFT_APP_KEY_APP, ints[i].key, false, ints[i].min, INT64_MAX,
		                  field, cause) != 0)
			return -1;
	}
	if (proto_app_get_percent(obj, WEFT_KEY_PROGRESS, -1, 100.0, &m->progress, cause) != 0 ||
	    proto_app_get_percent(obj, WEFT_APP_KEY_QUEUE_USAGE, 0, 1e9, &m->queue_usage, cause) !=
	            0 ||
	    proto_app_get_percent(obj, WEFT_APP_KEY_CLUSTER_USAGE, 0, 1e9, &m->cluster_usage,
	                          cause) != 0)
		return -1;
	return 0;
}

/* The items of a YARN collection as an array (new reference): an array as
 * it is, a bare object (JAXB's one-element list) as a list of one. */
static struct json_object *proto_app_as_list(struct json_object *items, const char *path,
                                             char **cause)
{
	struct json_object *one;

	if (json_object_is_type(items, json_type_array))
		return json_object_get(items);
	if (json_object_is_type(items, json_type_object)) {
		one = json_object_new_array();
		json_object_array_add(one, json_object_get(items));
		return one;
	}
	set_cause(cause, "%s: expected an array or an object, got %s", path,
	          wjson_type_name(items));
	return NULL;
}

/* {"app":{...}} (+ "wait") */
struct json_object *proto_app_report_wrap(struct json_object *report, const char *wait_outcome)
{
	struct json_object *body = wjson_new_object();

	wjson_add(body, WEFT_APP_KEY_APP, report);
	if (wait_outcome != NULL)
		wjson_add_string(body, WEFT_APP_KEY_WAIT, wait_outcome);
	return body;
}

/* The report and the wait's outcome (a short printable word). */
int proto_app_report_unwrap(struct json_object *body, struct weft_app_report *m,
                            const char **wait_outcome, char **cause)
{
	struct json_object *app = NULL;
	const char *outcome = NULL;

	if (wait_outcome != NULL)
		*wait_outcome = NULL;
	if (wjson_get_object(body, "", WEFT_APP_KEY_APP, true, &app, cause) != 0 ||
	    proto_app_report_decode(app, m, cause) != 0 ||
	    wjson_get_string(body, "", WEFT_APP_KEY_WAIT, false, &outcome, cause) != 0)
		return -1;
	if (outcome != NULL && !proto_app_valid_word(outcome, PROTO_APP_STATE_MAX - 1))
		return set_cause(cause, WEFT_APP_KEY_WAIT ": must be 1-%d printable characters",
		                 PROTO_APP_STATE_MAX - 1);
	if (wait_outcome != NULL)
		*wait_outcome = outcome;
	return 0;
}

/* {"apps":{"app":[...]}} or {"apps":null} */
struct json_object *proto_app_reports_wrap(struct json_object *list)
{
	struct json_object *body = wjson_new_object(), *apps;

	if (json_object_array_length(list) == 0) {
		json_object_put(list);
		wjson_add(body, WEFT_APP_KEY_APPS, NULL);
		return body;
	}
	apps = wjson_new_object();
	wjson_add(apps, WEFT_APP_KEY_APP, list);
	wjson_add(body, WEFT_APP_KEY_APPS, apps);
	return body;
}

/* The list out of {"apps":{"app":[...]}}. */
struct json_object *proto_app_reports_unwrap(struct json_object *body, char **cause)
{
	struct json_object *coll = NULL, *items = NULL;

	if (body == NULL || !json_object_object_get_ex(body, WEFT_APP_KEY_APPS, &coll)) {
		set_cause(cause, WEFT_APP_KEY_APPS ": missing");
		return NULL;
	}
	if (coll == NULL)
		return json_object_new_array(); /* YARN's {"apps":null} */
	if (!json_object_is_type(coll, json_type_object)) {
		set_cause(cause, WEFT_APP_KEY_APPS ": expected an object, got %s",
		          wjson_type_name(coll));
		return NULL;
	}
	if (!json_object_object_get_ex(coll, WEFT_APP_KEY_APP, &items) || items == NULL)
		return json_object_new_array();
	return proto_app_as_list(items, WEFT_APP_KEY_APPS "." WEFT_APP_KEY_APP, cause);
}

/* ------------------------------------------------------------------ */
/* The staging area's answer. */

/* {"url":..,"size":N} or {"url":..,"deleted":true} */
struct json_object *proto_app_staged_encode(const struct weft_staged_file *m, bool deleted)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_URL, m->url);
	if (deleted)
		wjson_add_bool(o, WEFT_STAGING_KEY_DELETED, true);
	else if (m->size >= 0)
		wjson_add_int(o, WEFT_KEY_SIZE, m->size);
	return o;
}

/* A staging path of bounded length; the size, when there, >= 0. */
int proto_app_staged_decode(struct json_object *obj, struct weft_staged_file *m, char **cause)
{
	m->url = NULL;
	m->size = -1;
	if (wjson_get_string(obj, "", WEFT_KEY_URL, true, &m->url, cause) != 0 ||
	    wjson_get_int(obj, "", WEFT_KEY_SIZE, false, 0, INT64_MAX, &m->size, cause) != 0)
		return -1;
	if (strncmp(m->url, WEFT_APP_STAGING_PREFIX, strlen(WEFT_APP_STAGING_PREFIX)) != 0 ||
	    strlen(m->url) > PROTO_APP_MAX_URL)
		return set_cause(cause, WEFT_KEY_URL ": '%.64s' is not a staging path", m->url);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The attempt report. */

/* One appAttempt object. */
struct json_object *proto_app_attempt_encode(const struct weft_app_attempt *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_int(o, WEFT_APP_KEY_ID, m->number);
	wjson_add_int(o, WEFT_APP_KEY_START_TIME, m->start_ms);
	wjson_add_int(o, WEFT_APP_KEY_FINISHED_TIME, m->finished_ms);
	proto_app_add_text(o, WEFT_KEY_CONTAINER_ID, m->container_id);
	proto_app_add_text(o, WEFT_KEY_NODE_HTTP_ADDRESS, m->node_http_address);
	proto_app_add_text(o, WEFT_KEY_NODE_ID, m->node_id);
	proto_app_add_text(o, WEFT_APP_KEY_LOGS_LINK, m->logs_link);
	wjson_add_string(o, WEFT_APP_KEY_BLACKLISTED_NODES, "");
	wjson_add_string(o, WEFT_APP_KEY_NODES_BLACKLISTED_BY_SYSTEM, "");
	proto_app_add_text(o, WEFT_APP_KEY_APP_ATTEMPT_ID, m->attempt_id);
	proto_app_add_text(o, WEFT_APP_KEY_APP_ATTEMPT_STATE, m->state);
	proto_app_add_text(o, WEFT_APP_KEY_DIAGNOSTICS_INFO, m->diagnostics);
	return o;
}

/* Every field optional; types, ranges and lengths checked. */
int proto_app_attempt_decode(struct json_object *obj, const char *path, struct weft_app_attempt *m,
                             char **cause)
{
	static const struct {
		const char *key;
		size_t offset;
	} strings[] = {
	        {WEFT_KEY_CONTAINER_ID, offsetof(struct weft_app_attempt, container_id)},
	        {WEFT_KEY_NODE_HTTP_ADDRESS, offsetof(struct weft_app_attempt, node_http_address)},
	        {WEFT_KEY_NODE_ID, offsetof(struct weft_app_attempt, node_id)},
	        {WEFT_APP_KEY_LOGS_LINK, offsetof(struct weft_app_attempt, logs_link)},
	        {WEFT_APP_KEY_APP_ATTEMPT_ID, offsetof(struct weft_app_attempt, attempt_id)},
	        {WEFT_APP_KEY_APP_ATTEMPT_STATE, offsetof(struct weft_app_attempt, state)},
	        {WEFT_APP_KEY_DIAGNOSTICS_INFO, offsetof(struct weft_app_attempt, diagnostics)},
	};

	memset(m, 0, sizeof *m);
	m->number = -1;
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return set_cause(cause, "%s: expected an object, got %s", path,
		                 obj == NULL ? "null" : wjson_type_name(obj));
	if (wjson_get_int(obj, path, WEFT_APP_KEY_ID, false, 0, INT32_MAX, &m->number, cause) !=
	            0 ||
	    wjson_get_int(obj, path, WEFT_APP_KEY_START_TIME, false, 0, INT64_MAX, &m->start_ms,
	                  cause) != 0 ||
	    wjson_get_int(obj, path, WEFT_APP_KEY_FINISHED_TIME, false, 0, INT64_MAX,
	                  &m->finished_ms, cause) != 0)
		return -1;
	for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
		const char **field = (const char **)((char *)m + strings[i].offset);

		if (wjson_get_string(obj, path, strings[i].key, false, field, cause) != 0)
			return -1;
		if (*field != NULL && strlen(*field) > PROTO_APP_MAX_TEXT)
			return set_cause(cause, "%s.%s: longer than %d bytes", path, strings[i].key,
			                 PROTO_APP_MAX_TEXT);
	}
	return 0;
}

/* {"appAttempts":{"appAttempt":list}} */
struct json_object *proto_app_attempts_wrap(struct json_object *list)
{
	struct json_object *attempts = wjson_new_object(), *body = wjson_new_object();

	wjson_add(attempts, WEFT_APP_KEY_APP_ATTEMPT, list);
	wjson_add(body, WEFT_APP_KEY_APP_ATTEMPTS, attempts);
	return body;
}

/* The list out of such a body. */
struct json_object *proto_app_attempts_unwrap(struct json_object *body, char **cause)
{
	struct json_object *coll = NULL, *items = NULL;

	if (wjson_get_object(body, "", WEFT_APP_KEY_APP_ATTEMPTS, true, &coll, cause) != 0)
		return NULL;
	if (!json_object_object_get_ex(coll, WEFT_APP_KEY_APP_ATTEMPT, &items) || items == NULL) {
		set_cause(cause,
		          WEFT_APP_KEY_APP_ATTEMPTS "." WEFT_APP_KEY_APP_ATTEMPT ": missing");
		return NULL;
	}
	return proto_app_as_list(items, WEFT_APP_KEY_APP_ATTEMPTS "." WEFT_APP_KEY_APP_ATTEMPT,
	                         cause);
}
