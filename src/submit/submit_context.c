/*
 * submit_context.c — building the ApplicationSubmissionContext (see
 * submit_context.h).  Every user-supplied word of the AM command goes
 * through submit_quote_shell: the NM runs the command with /bin/sh -c.
 */
#include "weft_config.h"

#include "submit/submit_context.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto_app.h"
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

/* The submission's fields; its strings are ctx's, job's and the
 * command's (RET, caller frees it after the submission is sent). */
char *submit_context_fill(const struct submit_context *ctx, struct weft_app_submission *sub,
                          struct weft_app_file *job)
{
	const struct submit_args *a = ctx->args;
	char *cmd = submit_context_am_command(ctx);

	memset(sub, 0, sizeof *sub);
	memset(job, 0, sizeof *job);
	snprintf(sub->app_id, sizeof sub->app_id, "%s", ctx->app_id);
	sub->name = (char *)ctx->name;
	sub->queue = (char *)ctx->queue;
	sub->type = (char *)WEFT_APP_TYPE_WEFT;
	sub->max_attempts = a->max_attempts > 0 ? a->max_attempts : 0;
	if (a->mode == SUBMIT_MODE_CLUSTER) {
		sub->resource = weft_resource(a->driver_memory_mb, a->driver_cores);
		job->name = (char *)SUBMIT_JOB_FILE_NAME;
		job->url = (char *)ctx->job_url;
		job->size = ctx->job_size;
		job->timestamp = ctx->job_timestamp;
		sub->files = job;
		sub->n_files = 1;
	} else {
		sub->resource = weft_resource(ctx->am_memory_mb, 1);
	}
	/* One environment entry: the application's secret. */
	sub->env = xcalloc(1, sizeof *sub->env);
	sub->env->key = (char *)WEFT_ENV_APP_SECRET;
	sub->env->value = (char *)ctx->secret;
	sub->n_env = 1;
	sub->commands = xmalloc(sizeof *sub->commands);
	sub->commands[0] = cmd;
	sub->n_commands = 1;
	return cmd;
}

void submit_context_clear(struct weft_app_submission *sub, char *cmd)
{
	free(sub->env);
	free(sub->commands);
	free(cmd);
}

/* The whole submission (common/proto_app.c writes it). */
struct json_object *submit_context_build(const struct submit_context *ctx)
{
	struct weft_app_submission sub;
	struct weft_app_file job;
	char *cmd = submit_context_fill(ctx, &sub, &job);
	struct json_object *root = proto_app_submission_encode(&sub);

	submit_context_clear(&sub, cmd);
	return root;
}
