/*
 * submission.c — reading YARN's ApplicationSubmissionContext JSON.
 *
 * Every field is checked for its JSON type (wjson getters, no silent
 * conversions) and its meaning; a message names the field's path, e.g.
 * "am-container-spec.environment.entry[2].key: expected a string, got an
 * integer".  Nothing is half-built: on error everything read so far is
 * freed.
 */
#include "weft_config.h"

#include "rm/submission.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/wjson.h"
#include "common/xmalloc.h"

#define SUBMISSION_MAX_ITEMS 1000  /* commands, env entries, files, tags */
#define SUBMISSION_MAX_TEXT  65536 /* one string */
#define SUBMISSION_MAX_NAME  1024  /* application name */
#define SUBMISSION_MAX_WORD  128   /* queue, type, tag */

void submission_free(struct submission *s)
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

/* Name of a JSON value's type for messages. */
static const char *submission_type_name(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a number";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "something else";
}

bool submission_valid_file_name(const char *name)
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
static bool submission_valid_env_key(const char *key)
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
static bool submission_valid_word(const char *text, size_t max)
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
static int submission_list(struct json_object *obj, const char *prefix, const char *key,
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
		                 key, item_name, submission_type_name(v));
	}
	n = json_object_array_length(v);
	if (n > SUBMISSION_MAX_ITEMS)
		return set_cause(cause, "%s.%s: more than %d items", prefix, key,
		                 SUBMISSION_MAX_ITEMS);
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(v, i);

		if (item == NULL || !json_object_is_type(item, item_type)) {
			return set_cause(cause, "%s.%s[%zu]: expected %s, got %s", prefix, key, i,
			                 item_name,
			                 item == NULL ? "null" : submission_type_name(item));
		}
	}
	if (required && n == 0)
		return set_cause(cause, "%s.%s: empty", prefix, key);
	*array = v;
	return (int)n;
}

/* The i-th item of what submission_list found. */
static struct json_object *submission_item(struct json_object *array, struct json_object *single,
                                           int i)
{
	return array != NULL ? json_object_array_get_idx(array, (size_t)i) : single;
}

/* Path of the i-th item for messages (caller frees). */
static char *submission_item_path(const char *prefix, const char *key, struct json_object *array,
                                  int i)
{
	if (array != NULL)
		return xasprintf("%s.%s[%d]", prefix, key, i);
	return xasprintf("%s.%s", prefix, key);
}

/* A string of bounded length, for every free-text field. */
static int submission_text(const char *path, const char *text, char **cause)
{
	if (strlen(text) > SUBMISSION_MAX_TEXT)
		return set_cause(cause, "%s: longer than %d bytes", path, SUBMISSION_MAX_TEXT);
	return 0;
}

/* commands: {"command": "line" | ["line", ...]} */
static int submission_parse_commands(struct json_object *spec, struct submission *s, char **cause)
{
	const char *prefix = "am-container-spec.commands";
	struct json_object *commands = NULL, *array, *single;
	int n;

	if (wjson_get_object(spec, "am-container-spec", "commands", true, &commands, cause) != 0)
		return -1;
	n = submission_list(commands, prefix, "command", true, json_type_string, "a string", &array,
	                    &single, cause);
	if (n < 0)
		return -1;
	s->commands = xcalloc(n, sizeof *s->commands);
	for (int i = 0; i < n; i++) {
		const char *line = json_object_get_string(submission_item(array, single, i));
		char *path = submission_item_path(prefix, "command", array, i);
		int rc = 0;

		if (line[0] == '\0')
			rc = set_cause(cause, "%s: empty command", path);
		else
			rc = submission_text(path, line, cause);
		free(path);
		if (rc != 0)
			return -1;
		s->commands[s->n_commands++] = xstrdup(line);
	}
	return 0;
}

/* environment: {"entry": [{"key": "K", "value": "V"}, ...]} */
static int submission_parse_env(struct json_object *spec, struct submission *s, char **cause)
{
	const char *prefix = "am-container-spec.environment";
	struct json_object *env = NULL, *array, *single;
	int n;

	if (wjson_get_object(spec, "am-container-spec", "environment", false, &env, cause) != 0)
		return -1;
	if (env == NULL)
		return 0;
	n = submission_list(env, prefix, "entry", false, json_type_object, "an object", &array,
	                    &single, cause);
	if (n < 0)
		return -1;
	s->env = xcalloc(n > 0 ? n : 1, sizeof *s->env);
	for (int i = 0; i < n; i++) {
		struct json_object *entry = submission_item(array, single, i);
		char *path = submission_item_path(prefix, "entry", array, i);
		const char *key = NULL, *value = NULL;
		int rc = -1;

		if (wjson_get_string(entry, path, "key", true, &key, cause) != 0 ||
		    wjson_get_string(entry, path, "value", true, &value, cause) != 0)
			goto done;
		if (!submission_valid_env_key(key)) {
			set_cause(cause, "%s.key: '%s' is not a valid environment variable name",
			          path, key);
			goto done;
		}
		if (submission_text(path, value, cause) != 0)
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
static bool submission_valid_url(const char *url)
{
	return strncmp(url, "/ws/v1/staging/", 15) == 0 || strncmp(url, "http://", 7) == 0 ||
	       strncmp(url, "https://", 8) == 0 || strncmp(url, "file://", 7) == 0;
}

/* One local-resources entry's value. */
static int submission_parse_file(struct json_object *entry, const char *path, struct submission *s,
                                 char **cause)
{
	struct json_object *value = NULL;
	const char *name = NULL, *url = NULL, *type = NULL, *visibility = NULL;
	char *vpath = xasprintf("%s.value", path);
	bool executable = false;
	int64_t size = -1, timestamp = 0;
	int rc = -1;

	if (wjson_get_string(entry, path, "key", true, &name, cause) != 0 ||
	    wjson_get_object(entry, path, "value", true, &value, cause) != 0 ||
	    wjson_get_string(value, vpath, "resource", true, &url, cause) != 0 ||
	    wjson_get_string(value, vpath, "type", false, &type, cause) != 0 ||
	    wjson_get_string(value, vpath, "visibility", false, &visibility, cause) != 0 ||
	    wjson_get_int(value, vpath, "size", false, -1, INT64_MAX, &size, cause) != 0 ||
	    wjson_get_int(value, vpath, "timestamp", false, 0, INT64_MAX, &timestamp, cause) != 0 ||
	    wjson_get_bool(value, vpath, "executable", false, &executable, cause) != 0)
		goto out;
	if (!submission_valid_file_name(name)) {
		set_cause(cause,
		          "%s.key: '%s' is not a valid file name ([A-Za-z0-9._-]{1,128}, not "
		          "starting with '.')",
		          path, name);
		goto out;
	}
	if (!submission_valid_url(url) || strlen(url) > 4096) {
		set_cause(cause,
		          "%s.resource: '%s' must start with /ws/v1/staging/, http://, https:// "
		          "or file://",
		          vpath, url);
		goto out;
	}
	if (type != NULL && strcmp(type, "FILE") != 0) {
		set_cause(cause, "%s.type: '%s' is not supported (only FILE)", vpath, type);
		goto out;
	}
	if (visibility != NULL && strcmp(visibility, "APPLICATION") != 0 &&
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
	s->n_files++;
	rc = 0;
out:
	free(vpath);
	return rc;
}

/* local-resources: {"entry": [{"key": name, "value": {...}}, ...]} */
static int submission_parse_files(struct json_object *spec, struct submission *s, char **cause)
{
	const char *prefix = "am-container-spec.local-resources";
	struct json_object *lr = NULL, *array, *single;
	int n;

	if (wjson_get_object(spec, "am-container-spec", "local-resources", false, &lr, cause) != 0)
		return -1;
	if (lr == NULL)
		return 0;
	n = submission_list(lr, prefix, "entry", false, json_type_object, "an object", &array,
	                    &single, cause);
	if (n < 0)
		return -1;
	s->files = xcalloc(n > 0 ? n : 1, sizeof *s->files);
	for (int i = 0; i < n; i++) {
		char *path = submission_item_path(prefix, "entry", array, i);
		int rc = submission_parse_file(submission_item(array, single, i), path, s, cause);

		free(path);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* application-tags: {"tag": "t" | ["t", ...]} */
static int submission_parse_tags(struct json_object *body, struct submission *s, char **cause)
{
	struct json_object *tags = NULL, *array, *single;
	int n;

	if (wjson_get_object(body, "", "application-tags", false, &tags, cause) != 0)
		return -1;
	if (tags == NULL)
		return 0;
	n = submission_list(tags, "application-tags", "tag", false, json_type_string, "a string",
	                    &array, &single, cause);
	if (n < 0)
		return -1;
	s->tags = xcalloc(n > 0 ? n : 1, sizeof *s->tags);
	for (int i = 0; i < n; i++) {
		const char *tag = json_object_get_string(submission_item(array, single, i));

		if (!submission_valid_word(tag, SUBMISSION_MAX_WORD) || strchr(tag, ',') != NULL) {
			char *path = submission_item_path("application-tags", "tag", array, i);

			set_cause(cause, "%s: '%s' is not a valid tag (1-%d characters, no comma)",
			          path, tag, SUBMISSION_MAX_WORD);
			free(path);
			return -1;
		}
		s->tags[s->n_tags++] = xstrdup(tag);
	}
	return 0;
}

/* resource: {"memory": MB, "vCores": N}; absent parts are 0 (= minimum). */
static int submission_parse_resource(struct json_object *body, struct submission *s, char **cause)
{
	struct json_object *res = NULL;
	int64_t memory = 0, vcores = 0;

	if (wjson_get_object(body, "", "resource", false, &res, cause) != 0)
		return -1;
	if (res != NULL && (wjson_get_int(res, "resource", "memory", false, INT32_MIN,
	                                  INT64_C(1) << 40, &memory, cause) != 0 ||
	                    wjson_get_int(res, "resource", "vCores", false, INT32_MIN, 1 << 20,
	                                  &vcores, cause) != 0))
		return -1;
	s->resource = weft_resource(memory, vcores);
	return 0;
}

/* Optional ignored YARN fields must still have the right type. */
static int submission_check_ignored(struct json_object *body, struct json_object *spec,
                                    char **cause)
{
	struct json_object *o = NULL;
	int64_t i;

	if (wjson_get_object(spec, "am-container-spec", "service-data", false, &o, cause) != 0 ||
	    wjson_get_object(spec, "am-container-spec", "credentials", false, &o, cause) != 0 ||
	    wjson_get_object(spec, "am-container-spec", "application-acls", false, &o, cause) !=
	            0 ||
	    wjson_get_object(body, "", "log-aggregation-context", false, &o, cause) != 0 ||
	    wjson_get_object(body, "", "am-black-listing-requests", false, &o, cause) != 0 ||
	    wjson_get_int(body, "", "attempt-failures-validity-interval", false, -1, INT64_MAX, &i,
	                  cause) != 0)
		return -1;
	return 0;
}

/* Read the whole submission; on any error nothing survives. */
int submission_parse(struct json_object *body, struct submission **out, char **cause)
{
	struct submission *s = xcalloc(1, sizeof *s);
	struct json_object *spec = NULL;
	const char *id = NULL, *name = "N/A", *queue = "default", *type = "YARN";
	weft_app_id_t parsed;
	int64_t priority = 0, attempts = 0;
	bool unmanaged = false;

	*out = NULL;
	if (wjson_get_string(body, "", "application-id", true, &id, cause) != 0)
		goto fail;
	if (weft_app_id_parse(id, &parsed) != 0) {
		set_cause(cause, "application-id: '%s' is not an application id", id);
		goto fail;
	}
	snprintf(s->app_id, sizeof s->app_id, "%s", id);
	if (wjson_get_string(body, "", "application-name", false, &name, cause) != 0 ||
	    wjson_get_string(body, "", "queue", false, &queue, cause) != 0 ||
	    wjson_get_string(body, "", "application-type", false, &type, cause) != 0 ||
	    wjson_get_int(body, "", "priority", false, INT32_MIN, INT32_MAX, &priority, cause) !=
	            0 ||
	    wjson_get_int(body, "", "max-app-attempts", false, 1, 1000, &attempts, cause) != 0 ||
	    wjson_get_bool(body, "", "unmanaged-AM", false, &unmanaged, cause) != 0 ||
	    wjson_get_bool(body, "", "keep-containers-across-application-attempts", false,
	                   &s->keep_containers, cause) != 0)
		goto fail;
	if (!submission_valid_word(name, SUBMISSION_MAX_NAME)) {
		set_cause(cause, "application-name: must be 1-%d printable characters",
		          SUBMISSION_MAX_NAME);
		goto fail;
	}
	if (!submission_valid_word(queue, SUBMISSION_MAX_WORD)) {
		set_cause(cause, "queue: must be 1-%d printable characters", SUBMISSION_MAX_WORD);
		goto fail;
	}
	if (!submission_valid_word(type, SUBMISSION_MAX_WORD)) {
		set_cause(cause, "application-type: must be 1-%d printable characters",
		          SUBMISSION_MAX_WORD);
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
	if (submission_parse_resource(body, s, cause) != 0 ||
	    submission_parse_tags(body, s, cause) != 0)
		goto fail;
	if (wjson_get_object(body, "", "am-container-spec", true, &spec, cause) != 0 ||
	    submission_parse_commands(spec, s, cause) != 0 ||
	    submission_parse_env(spec, s, cause) != 0 ||
	    submission_parse_files(spec, s, cause) != 0 ||
	    submission_check_ignored(body, spec, cause) != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	submission_free(s);
	return -1;
}

/* protocol.h's launchContext; extra variables win over the user's. */
void submission_launch_context(const struct submission *s, const char *const *extra_env,
                               struct proto_container_launch_context *lc)
{
	memset(lc, 0, sizeof *lc);
	for (int i = 0; i < s->n_commands; i++)
		proto_container_add_command(lc, s->commands[i]);
	for (int i = 0; i < s->n_env; i++)
		proto_container_add_env(lc, s->env[i].key, s->env[i].value);
	for (int i = 0; extra_env != NULL && extra_env[i] != NULL && extra_env[i + 1] != NULL;
	     i += 2)
		proto_container_add_env(lc, extra_env[i], extra_env[i + 1]);
	for (int i = 0; i < s->n_files; i++)
		proto_container_add_resource(lc, s->files[i].name, s->files[i].url,
		                             s->files[i].executable);
}

char *submission_tags_joined(const struct submission *s)
{
	size_t len = 1;
	char *out;

	for (int i = 0; i < s->n_tags; i++)
		len += strlen(s->tags[i]) + 1;
	out = xcalloc(1, len);
	for (int i = 0; i < s->n_tags; i++) {
		if (i > 0)
			strcat(out, ",");
		strcat(out, s->tags[i]);
	}
	return out;
}
