/*
 * submission.c — what the RM makes of a decoded ApplicationSubmissionContext
 * (common/proto_app.c reads and validates it): the AM's launchContext and
 * the tags as one string.
 */
#include "weft_config.h"

#include "rm/submission.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/wjson.h"
#include "common/xmalloc.h"

/* protocol.h's launchContext; extra variables win over the user's. */
struct json_object *submission_launch_context(const struct proto_app_submission *s,
                                              const char *const *extra_env)
{
	struct json_object *ctx = wjson_new_object();
	struct json_object *commands = json_object_new_array();
	struct json_object *env = wjson_new_object();
	struct json_object *files = json_object_new_array();

	for (int i = 0; i < s->n_commands; i++)
		json_object_array_add(commands, json_object_new_string(s->commands[i]));
	for (int i = 0; i < s->n_env; i++)
		wjson_add_string(env, s->env[i].key, s->env[i].value);
	for (int i = 0; extra_env != NULL && extra_env[i] != NULL && extra_env[i + 1] != NULL;
	     i += 2)
		wjson_add_string(env, extra_env[i], extra_env[i + 1]);
	for (int i = 0; i < s->n_files; i++) {
		struct json_object *f = wjson_new_object();

		wjson_add_string(f, "name", s->files[i].name);
		wjson_add_string(f, "url", s->files[i].url);
		wjson_add_bool(f, "executable", s->files[i].executable);
		json_object_array_add(files, f);
	}
	wjson_add(ctx, "commands", commands);
	wjson_add(ctx, "environment", env);
	wjson_add(ctx, "localResources", files);
	return ctx;
}

char *submission_tags_joined(const struct proto_app_submission *s)
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
