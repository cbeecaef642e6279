/*
 * submit_context.c — building the ApplicationSubmissionContext (see
 * submit_context.h).  Every user-supplied word of the AM command goes
 * through submit_quote_shell: the NM runs the command with /bin/sh -c.
 */
#include "weft_config.h"

#include "submit/submit_context.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "submit/submit_quote.h"
#include "weft/protocol.h"

/* Append " word" (quoted when quote is set) to *cmd. */
static void submit_context_append(char **cmd, const char *word, int quote)
{
	char *q = quote ? submit_quote_shell(word) : xstrdup(word);
	char *next = xasprintf("%s %s", *cmd, q);

	free(q);
	free(*cmd);
	*cmd = next;
}

/* exec "$WEFT_LIBEXEC_DIR"/weft-am --mode ... -D k=v ...: exec, so the
 * container's process (its pid file, signals, memory) is the AM itself,
 * not a shell waiting for it. */
char *submit_context_am_command(const struct submit_context *ctx)
{
	const struct submit_args *a = ctx->args;
	char *cmd = xstrdup("exec \"$" WEFT_ENV_LIBEXEC_DIR "\"/weft-am");
	char *num;

	if (a->mode == SUBMIT_MODE_CLUSTER) {
		submit_context_append(&cmd, "--mode cluster --job " SUBMIT_JOB_FILE_NAME, 0);
	} else {
		submit_context_append(&cmd, "--mode client --driver", 0);
		submit_context_append(&cmd, ctx->driver_address, 1);
	}
	num = xasprintf("--num-executors %d --executor-memory %lld --executor-cores %d",
	                a->num_executors, (long long)a->executor_memory_mb, a->executor_cores);
	submit_context_append(&cmd, num, 0);
	free(num);
	for (int i = 0; i < a->n_confs; i++) {
		submit_context_append(&cmd, "-D", 0);
		submit_context_append(&cmd, a->confs[i], 1);
	}
	return cmd;
}

/* {"entry":[{"key":k,"value":v}]} with one entry (v consumed). */
static struct json_object *submit_context_entries(const char *key, struct json_object *value)
{
	struct json_object *entries = json_object_new_array();
	struct json_object *entry = json_object_new_object();
	struct json_object *wrap = json_object_new_object();

	json_object_object_add(entry, "key", json_object_new_string(key));
	json_object_object_add(entry, "value", value);
	json_object_array_add(entries, entry);
	json_object_object_add(wrap, "entry", entries);
	return wrap;
}

/* The whole submission. */
struct json_object *submit_context_build(const struct submit_context *ctx)
{
	const struct submit_args *a = ctx->args;
	struct json_object *root = json_object_new_object();
	struct json_object *resource = json_object_new_object();
	struct json_object *spec = json_object_new_object();
	struct json_object *commands = json_object_new_object();
	struct json_object *local;
	char *cmd;

	json_object_object_add(root, "application-id", json_object_new_string(ctx->app_id));
	json_object_object_add(root, "application-name", json_object_new_string(ctx->name));
	json_object_object_add(root, "queue", json_object_new_string(ctx->queue));
	if (a->max_attempts > 0)
		json_object_object_add(root, "max-app-attempts",
		                       json_object_new_int(a->max_attempts));
	json_object_object_add(root, "application-type", json_object_new_string("WEFT"));
	json_object_object_add(root, "unmanaged-AM", json_object_new_boolean(0));

	if (a->mode == SUBMIT_MODE_CLUSTER) {
		json_object_object_add(resource, "memory",
		                       json_object_new_int64(a->driver_memory_mb));
		json_object_object_add(resource, "vCores", json_object_new_int(a->driver_cores));
	} else {
		json_object_object_add(resource, "memory",
		                       json_object_new_int64(ctx->am_memory_mb));
		json_object_object_add(resource, "vCores", json_object_new_int(1));
	}
	json_object_object_add(root, "resource", resource);

	if (a->mode == SUBMIT_MODE_CLUSTER) {
		struct json_object *value = json_object_new_object();
		json_object_object_add(value, "resource", json_object_new_string(ctx->job_url));
		json_object_object_add(value, "type", json_object_new_string("FILE"));
		json_object_object_add(value, "visibility", json_object_new_string("APPLICATION"));
		json_object_object_add(value, "size", json_object_new_int64(ctx->job_size));
		json_object_object_add(value, "timestamp",
		                       json_object_new_int64(ctx->job_timestamp));
		local = submit_context_entries(SUBMIT_JOB_FILE_NAME, value);
	} else {
		local = json_object_new_object();
		json_object_object_add(local, "entry", json_object_new_array());
	}
	json_object_object_add(spec, "local-resources", local);
	json_object_object_add(
	        spec, "environment",
	        submit_context_entries(WEFT_ENV_APP_SECRET, json_object_new_string(ctx->secret)));
	cmd = submit_context_am_command(ctx);
	json_object_object_add(commands, "command", json_object_new_string(cmd));
	free(cmd);
	json_object_object_add(spec, "commands", commands);
	json_object_object_add(root, "am-container-spec", spec);
	return root;
}
