/*
 * launch_context.c — parsing and validation of a container's launch
 * context.
 *
 * The whole context is checked before the NM creates anything, so a bad
 * request is answered 400 and leaves no trace: commands must be non-empty
 * strings (and fit in one exec argument), environment names must be valid
 * shell names, local resource names plain file names (they become paths in
 * the working directory) and urls of a form the localizer will fetch.
 */
#include "weft_config.h"

#include "nm/launch_context.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/wjson.h"
#include "common/xmalloc.h"
#include "nm/dirs.h"

/* The kernel's limit on one exec argument or environment string
 * (MAX_ARG_STRLEN): the command line and each "K=V" must fit. */
#define LAUNCH_CONTEXT_MAX_ARG (128 * 1024 - 1)

/* A shell variable name of reasonable length. */
bool launch_context_env_name_valid(const char *name)
{
	size_t i, len;

	if (name == NULL)
		return false;
	len = strnlen(name, LAUNCH_CONTEXT_MAX_ENV_NAME + 1);
	if (len == 0 || len > LAUNCH_CONTEXT_MAX_ENV_NAME)
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

/* The part after /ws/v1/staging/: segments of [A-Za-z0-9._-], none "."
 * or "..", no empty segment (the RM applies its own rules too). */
static bool launch_context_staging_path_valid(const char *rest)
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
bool launch_context_url_valid(const char *url)
{
	static const char *const schemes[] = {"http://", "https://", "file://"};
	size_t len, i;

	if (url == NULL)
		return false;
	len = strnlen(url, LAUNCH_CONTEXT_MAX_URL + 1);
	if (len == 0 || len > LAUNCH_CONTEXT_MAX_URL)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)url[i];

		if (ch <= 0x20 || ch == 0x7f)
			return false;
	}
	if (strncmp(url, LAUNCH_CONTEXT_STAGING_PREFIX, strlen(LAUNCH_CONTEXT_STAGING_PREFIX)) == 0)
		return launch_context_staging_path_valid(url +
		                                         strlen(LAUNCH_CONTEXT_STAGING_PREFIX));
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

/* The commands: a non-empty array of non-empty strings. */
static int launch_context_parse_commands(struct json_object *obj, struct launch_context *lc,
                                         char **cause)
{
	struct json_object *array = NULL, *item;
	size_t i, n, total = 0;

	if (wjson_get_array(obj, "launchContext", "commands", true, &array, cause) != 0)
		return -1;
	n = json_object_array_length(array);
	if (n == 0)
		return set_cause(cause, "launchContext.commands: expected at least one command");
	if (n > LAUNCH_CONTEXT_MAX_COMMANDS)
		return set_cause(cause, "launchContext.commands: more than %d commands",
		                 LAUNCH_CONTEXT_MAX_COMMANDS);
	lc->commands = xcalloc(n, sizeof *lc->commands);
	for (i = 0; i < n; i++) {
		const char *text;
		size_t len;

		item = json_object_array_get_idx(array, i);
		if (item == NULL || !json_object_is_type(item, json_type_string))
			return set_cause(cause,
			                 "launchContext.commands[%zu]: expected a non-empty string",
			                 i);
		text = json_object_get_string(item);
		len = (size_t)json_object_get_string_len(item);
		if (len == 0 || strlen(text) != len)
			return set_cause(cause,
			                 "launchContext.commands[%zu]: expected a non-empty string "
			                 "without NUL characters",
			                 i);
		total += len + 4;
		if (total > LAUNCH_CONTEXT_MAX_ARG)
			return set_cause(cause,
			                 "launchContext.commands: longer than %d bytes together",
			                 LAUNCH_CONTEXT_MAX_ARG);
		lc->commands[lc->n_commands++] = xstrdup(text);
	}
	return 0;
}

/* The environment: an object of string values with valid names. */
static int launch_context_parse_env(struct json_object *obj, struct launch_context *lc,
                                    char **cause)
{
	struct json_object *env = NULL;
	int n;

	if (wjson_get_object(obj, "launchContext", "environment", false, &env, cause) != 0)
		return -1;
	if (env == NULL)
		return 0;
	n = json_object_object_length(env);
	if (n > LAUNCH_CONTEXT_MAX_ENV)
		return set_cause(cause, "launchContext.environment: more than %d variables",
		                 LAUNCH_CONTEXT_MAX_ENV);
	lc->env = xcalloc((size_t)n + 1, sizeof *lc->env);
	json_object_object_foreach(env, key, value)
	{
		const char *text;
		size_t len;

		if (!launch_context_env_name_valid(key))
			return set_cause(cause,
			                 "launchContext.environment: '%.64s' is not a valid "
			                 "variable name",
			                 key);
		if (value == NULL || !json_object_is_type(value, json_type_string))
			return set_cause(cause, "launchContext.environment.%s: expected a string",
			                 key);
		text = json_object_get_string(value);
		len = (size_t)json_object_get_string_len(value);
		if (strlen(text) != len)
			return set_cause(cause,
			                 "launchContext.environment.%s: string contains a NUL "
			                 "character",
			                 key);
		if (strlen(key) + 1 + len > LAUNCH_CONTEXT_MAX_ARG)
			return set_cause(cause,
			                 "launchContext.environment.%s: longer than %d bytes", key,
			                 LAUNCH_CONTEXT_MAX_ARG);
		lc->env[lc->n_env].name = xstrdup(key);
		lc->env[lc->n_env].value = xstrdup(text);
		lc->n_env++;
	}
	return 0;
}

/* One entry of localResources. */
static int launch_context_parse_resource(struct json_object *item, size_t i,
                                         struct launch_context *lc, char **cause)
{
	const char *name = NULL, *url = NULL;
	bool executable = false;
	char *prefix;
	int k, rc = -1;

	prefix = xasprintf("launchContext.localResources[%zu]", i);
	if (item == NULL || !json_object_is_type(item, json_type_object)) {
		set_cause(cause, "%s: expected an object", prefix);
		goto out;
	}
	if (wjson_get_string(item, prefix, "name", true, &name, cause) != 0 ||
	    wjson_get_string(item, prefix, "url", true, &url, cause) != 0 ||
	    wjson_get_bool(item, prefix, "executable", false, &executable, cause) != 0)
		goto out;
	if (!dirs_is_plain_name(name)) {
		set_cause(cause, "%s.name: '%.64s' is not a plain file name", prefix, name);
		goto out;
	}
	for (k = 0; k < lc->n_resources; k++) {
		if (strcmp(lc->resources[k].name, name) == 0) {
			set_cause(cause, "%s.name: '%s' is listed twice", prefix, name);
			goto out;
		}
	}
	if (!launch_context_url_valid(url)) {
		set_cause(cause,
		          "%s.url: '%.128s' is not an http://, https://, file:// or "
		          "/ws/v1/staging/ url",
		          prefix, url);
		goto out;
	}
	lc->resources[lc->n_resources].name = xstrdup(name);
	lc->resources[lc->n_resources].url = xstrdup(url);
	lc->resources[lc->n_resources].executable = executable;
	lc->n_resources++;
	rc = 0;
out:
	free(prefix);
	return rc;
}

/* The local resources: an array of {name, url, executable}. */
static int launch_context_parse_resources(struct json_object *obj, struct launch_context *lc,
                                          char **cause)
{
	struct json_object *array = NULL;
	size_t i, n;

	if (wjson_get_array(obj, "launchContext", "localResources", false, &array, cause) != 0)
		return -1;
	if (array == NULL)
		return 0;
	n = json_object_array_length(array);
	if (n > LAUNCH_CONTEXT_MAX_RESOURCES)
		return set_cause(cause, "launchContext.localResources: more than %d files",
		                 LAUNCH_CONTEXT_MAX_RESOURCES);
	lc->resources = xcalloc(n + 1, sizeof *lc->resources);
	for (i = 0; i < n; i++) {
		if (launch_context_parse_resource(json_object_array_get_idx(array, i), i, lc,
		                                  cause) != 0)
			return -1;
	}
	return 0;
}

/* Validate and copy a whole launch context. */
struct launch_context *launch_context_parse(struct json_object *obj, char **cause)
{
	struct launch_context *lc;

	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		set_cause(cause, "launchContext: expected an object");
		return NULL;
	}
	lc = xcalloc(1, sizeof *lc);
	if (launch_context_parse_commands(obj, lc, cause) != 0 ||
	    launch_context_parse_env(obj, lc, cause) != 0 ||
	    launch_context_parse_resources(obj, lc, cause) != 0) {
		launch_context_free(lc);
		return NULL;
	}
	return lc;
}

/* Free a launch context (NULL is fine). */
void launch_context_free(struct launch_context *lc)
{
	int i;

	if (lc == NULL)
		return;
	for (i = 0; i < lc->n_commands; i++)
		free(lc->commands[i]);
	free(lc->commands);
	for (i = 0; i < lc->n_env; i++) {
		free(lc->env[i].name);
		free(lc->env[i].value);
	}
	free(lc->env);
	for (i = 0; i < lc->n_resources; i++) {
		free(lc->resources[i].name);
		free(lc->resources[i].url);
	}
	free(lc->resources);
	free(lc);
}

/* What /bin/sh -c runs: each command must succeed for the next to run. */
char *launch_context_command_line(const struct launch_context *lc)
{
	size_t len = 1;
	char *line;
	int i;

	for (i = 0; i < lc->n_commands; i++)
		len += strlen(lc->commands[i]) + 4;
	line = xmalloc(len);
	line[0] = '\0';
	for (i = 0; i < lc->n_commands; i++) {
		if (i > 0)
			strcat(line, " && ");
		strcat(line, lc->commands[i]);
	}
	return line;
}
