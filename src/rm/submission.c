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

#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"

/* protocol.h's launchContext; extra variables win over the user's. */
void submission_launch_context(const struct weft_app_submission *s, const char *const *extra_env,
                               struct weft_launch_context *lc)
{
	memset(lc, 0, sizeof *lc);
	for (int i = 0; i < s->n_commands; i++)
		weft_launch_context_add_command(lc, s->commands[i]);
	for (int i = 0; i < s->n_env; i++)
		weft_launch_context_add_env(lc, s->env[i].key, s->env[i].value);
	for (int i = 0; extra_env != NULL && extra_env[i] != NULL && extra_env[i + 1] != NULL;
	     i += 2)
		weft_launch_context_add_env(lc, extra_env[i], extra_env[i + 1]);
	for (int i = 0; i < s->n_files; i++)
		weft_launch_context_add_resource(lc, s->files[i].name, s->files[i].url,
		                                 s->files[i].executable);
}

char *submission_tags_joined(const struct weft_app_submission *s)
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

/* HMAC-SHA256 (as a plain hash: the key is no secret) of the user and the
 * submission re-encoded by proto_app.c, which writes every field it
 * decoded in one order: the same request gives the same text. */
void submission_digest(const struct weft_app_submission *s, const char *user, char out[65])
{
	static const char key[] = "weft submission digest";
	struct json_object *body = proto_app_submission_encode(s);
	char *text = xasprintf("%s\n%s", user, wjson_text(body));

	security_hmac_hex(key, sizeof key - 1, text, strlen(text), out);
	free(text);
	json_object_put(body);
}
