/*
 * job_shell.c — the "shell" job kind: one command run as N tasks.
 *
 *   {"kind":"shell","command":"CMD","tasks":N}     (tasks: 1..100000, default 1)
 *
 * Task i runs CMD with WEFT_TASK_INDEX=i (the executor sets it, with
 * WEFT_TASK_ATTEMPT, from the launch message).  The job keeps each task's
 * stdout until every task succeeded, then writes them to the output in
 * task order, like YARN's distributed shell printing container outputs.
 * What the driver holds is capped: a task whose stdout the executor had
 * to truncate, or results adding up to more than max_result_bytes, fail
 * the job with a message rather than print partial output.
 */
#include "weft_config.h"

#include "driver/job.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "driver/task_scheduler.h"
#include "weft/protocol.h"

#define JOB_SHELL_MAX_TASKS 100000
/* A command is sent in every launch message: keep it well under a line. */
#define JOB_SHELL_MAX_COMMAND WEFT_MAX_JSON_BODY

struct job_shell {
	struct job_env env;
	char *command;
	int n_tasks;
	char **outputs; /* per task index, NULL until it succeeded */
	size_t *lengths;
	size_t total;
	struct task_set *set;
	bool over;
};

/* Check a shell job description; messages carry the field's path. */
static int job_shell_validate(struct json_object *job, char **cause)
{
	static const char *const fields[] = {"kind", "command", "tasks", NULL};
	const char *kind = NULL, *command = NULL, *p;
	int64_t tasks = 1;
	int i;

	if (job == NULL || !json_object_is_type(job, json_type_object))
		return set_cause(cause, "job: expected a JSON object");
	json_object_object_foreach(job, key, value)
	{
		(void)value;
		for (i = 0; fields[i] != NULL; i++) {
			if (strcmp(key, fields[i]) == 0)
				break;
		}
		if (fields[i] == NULL)
			return set_cause(cause,
			                 "%s: unknown field of a shell job (expected "
			                 "kind, command, tasks)",
			                 key);
	}
	if (wjson_get_string(job, "", "kind", true, &kind, cause) != 0)
		return -1;
	if (strcmp(kind, "shell") != 0)
		return set_cause(cause, "kind: expected \"shell\", got \"%s\"", kind);
	if (wjson_get_string(job, "", "command", true, &command, cause) != 0)
		return -1;
	for (p = command; *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'; p++)
		;
	if (*p == '\0')
		return set_cause(cause, "command: must not be empty");
	if (strlen(command) > JOB_SHELL_MAX_COMMAND)
		return set_cause(cause, "command: longer than %d bytes", JOB_SHELL_MAX_COMMAND);
	if (wjson_get_int(job, "", "tasks", false, 1, JOB_SHELL_MAX_TASKS, &tasks, cause) != 0)
		return -1;
	return 0;
}

/* End the job once; the driver does the rest. */
static void job_shell_finish(struct job_shell *job, bool succeeded, const char *diagnostics)
{
	if (job->over)
		return;
	job->over = true;
	job->env.finished(job->env.arg, succeeded, diagnostics);
}

/* Keep a task's stdout, within the caps. */
static void job_shell_task_succeeded_cb(struct task_set *set, const struct task_result *r,
                                        void *arg)
{
	struct job_shell *job = arg;
	char *msg;

	if (job->over || r->index < 0 || r->index >= job->n_tasks || job->outputs[r->index])
		return;
	if (r->stdout_truncated) {
		msg = xasprintf("Task %d: its stdout (%" PRId64 " bytes) is larger than an "
		                "executor sends back (%zu bytes kept)",
		                r->index, r->stdout_size, r->stdout_len);
		task_set_cancel(set);
		job_shell_finish(job, false, msg);
		free(msg);
		return;
	}
	if (r->stdout_len > job->env.max_result_bytes - job->total) {
		msg = xasprintf("Total size of task results (%zu bytes so far, %zu more from "
		                "task %d) exceeds the driver's limit of %zu bytes",
		                job->total, r->stdout_len, r->index, job->env.max_result_bytes);
		task_set_cancel(set);
		job_shell_finish(job, false, msg);
		free(msg);
		return;
	}
	job->outputs[r->index] = xmalloc(r->stdout_len + 1);
	memcpy(job->outputs[r->index], r->stdout_data, r->stdout_len);
	job->outputs[r->index][r->stdout_len] = '\0';
	job->lengths[r->index] = r->stdout_len;
	job->total += r->stdout_len;
}

/* Every task succeeded: print their stdout in task order. */
static void job_shell_succeeded_cb(struct task_set *set, void *arg)
{
	struct job_shell *job = arg;
	char *msg;
	int i;

	if (job->over)
		return;
	errno = 0;
	for (i = 0; i < job->n_tasks; i++) {
		if (job->lengths[i] > 0 &&
		    fwrite(job->outputs[i], 1, job->lengths[i], job->env.out) != job->lengths[i])
			break;
		free(job->outputs[i]);
		job->outputs[i] = NULL;
	}
	if (fflush(job->env.out) != 0 || i < job->n_tasks || ferror(job->env.out)) {
		msg = xasprintf("writing the job's output: %s",
		                errno != 0 ? strerror(errno) : "write error");
		job_shell_finish(job, false, msg);
		free(msg);
		return;
	}
	log_info("all %d tasks succeeded (%zu bytes of output)", job->n_tasks, job->total);
	job_shell_finish(job, true, NULL);
}

/* A task failed for good. */
static void job_shell_failed_cb(struct task_set *set, const char *reason, void *arg)
{
	job_shell_finish(arg, false, reason);
}

static const struct task_set_callbacks job_shell_callbacks = {
        .task_succeeded = job_shell_task_succeeded_cb,
        .succeeded = job_shell_succeeded_cb,
        .failed = job_shell_failed_cb,
};

/* Queue the job's tasks. */
static void *job_shell_start(struct json_object *desc, const struct job_env *env, char **cause)
{
	struct task_spec *specs;
	struct job_shell *job;
	const char *command;
	int64_t tasks = 1;
	int i;

	if (job_shell_validate(desc, cause) != 0)
		return NULL;
	wjson_get_string(desc, "", "command", true, &command, NULL);
	wjson_get_int(desc, "", "tasks", false, 1, JOB_SHELL_MAX_TASKS, &tasks, NULL);

	job = xcalloc(1, sizeof *job);
	job->env = *env;
	if (job->env.max_result_bytes == 0)
		job->env.max_result_bytes = SIZE_MAX;
	job->command = xstrdup(command);
	job->n_tasks = (int)tasks;
	job->outputs = xcalloc((size_t)tasks, sizeof *job->outputs);
	job->lengths = xcalloc((size_t)tasks, sizeof *job->lengths);

	specs = xcalloc((size_t)tasks, sizeof *specs);
	for (i = 0; i < job->n_tasks; i++) {
		specs[i].index = i;
		specs[i].command = job->command;
		specs[i].env = NULL;
	}
	log_info("shell job: %d task%s of '%s'", job->n_tasks, job->n_tasks == 1 ? "" : "s",
	         job->command);
	job->set = task_scheduler_submit(env->scheduler, NULL, specs, job->n_tasks,
	                                 &job_shell_callbacks, job);
	free(specs);
	return job;
}

/* Stop the tasks (if any still run) and free the results. */
static void job_shell_free(void *arg)
{
	struct job_shell *job = arg;
	int i;

	if (job == NULL)
		return;
	task_set_free(job->set);
	for (i = 0; i < job->n_tasks; i++)
		free(job->outputs[i]);
	free(job->outputs);
	free(job->lengths);
	free(job->command);
	free(job);
}

const struct job_kind job_shell_kind = {
        .name = "shell",
        .validate = job_shell_validate,
        .start = job_shell_start,
        .free = job_shell_free,
};
