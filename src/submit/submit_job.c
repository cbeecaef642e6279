/*
 * submit_job.c — loading and validating the job description (see
 * submit_job.h).  The driver owns what a valid job is
 * (driver_validate_job); this file only gets the text in and picks a name.
 */
#include "weft_config.h"

#include "submit/submit_job.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "driver/driver.h"
#include "weft/protocol.h"

/* The job's own "name", if it has one. */
static char *submit_job_own_name(struct json_object *json)
{
	struct json_object *v;

	if (json_object_object_get_ex(json, "name", &v) &&
	    json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0)
		return xstrdup(json_object_get_string(v));
	return NULL;
}

/* A dataflow job's relative paths mean "from where weft-submit ran":
 * record that directory as its "base-dir" (weft-job(5)), so the driver
 * finds them in cluster mode too. */
static void submit_job_pin_base_dir(struct submit_job *job)
{
	struct json_object *kind;
	const char *text;
	char *cwd;

	if (!json_object_object_get_ex(job->json, "kind", &kind) ||
	    !json_object_is_type(kind, json_type_string) ||
	    strcmp(json_object_get_string(kind), "dataflow") != 0 ||
	    json_object_object_get_ex(job->json, "base-dir", NULL))
		return;
	cwd = getcwd(NULL, 0);
	if (cwd == NULL)
		return;
	json_object_object_add(job->json, "base-dir", json_object_new_string(cwd));
	free(cwd);
	text = json_object_to_json_string_ext(job->json, JSON_C_TO_STRING_PLAIN);
	free(job->text);
	job->text = xstrdup(text);
	job->len = strlen(text);
}

/* Read, parse and validate a JOBFILE. */
int submit_job_from_file(const char *path, struct submit_job *job, char **cause)
{
	char *why = NULL;
	const char *base, *dot;

	memset(job, 0, sizeof *job);
	if (file_read_all(path, WEFT_MAX_JSON_BODY, &job->text, &job->len, cause) != 0)
		return -1;
	job->json = wjson_parse_object(job->text, job->len, &why);
	if (job->json == NULL || driver_validate_job(job->json, &why) != 0) {
		set_cause(cause, "%s: %s", path, why != NULL ? why : "invalid job");
		free(why);
		submit_job_clear(job);
		return -1;
	}
	submit_job_pin_base_dir(job);
	job->name = submit_job_own_name(job->json);
	if (job->name == NULL) {
		/* The file's name without directory and extension, as Spark
		 * names an application after its main class. */
		base = strrchr(path, '/');
		base = base != NULL ? base + 1 : path;
		dot = strrchr(base, '.');
		job->name = dot != NULL && dot != base ? xstrndup(base, (size_t)(dot - base))
		                                       : xstrdup(base);
	}
	return 0;
}

/* Build and validate the distributed-shell job. */
int submit_job_from_shell(const char *command, int tasks, struct submit_job *job, char **cause)
{
	char *why = NULL;
	const char *text;
	size_t n;

	memset(job, 0, sizeof *job);
	job->json = json_object_new_object();
	json_object_object_add(job->json, "kind", json_object_new_string("shell"));
	json_object_object_add(job->json, "command", json_object_new_string(command));
	json_object_object_add(job->json, "tasks", json_object_new_int(tasks));
	if (driver_validate_job(job->json, &why) != 0) {
		set_cause(cause, "--shell: %s", why != NULL ? why : "invalid job");
		free(why);
		submit_job_clear(job);
		return -1;
	}
	text = json_object_to_json_string_ext(job->json, JSON_C_TO_STRING_PLAIN);
	job->len = strlen(text);
	job->text = xstrdup(text);

	/* "shell: CMD" on one line, cut to a length a listing can show. */
	job->name = xasprintf("shell: %s", command);
	for (char *p = job->name; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	n = strlen(job->name);
	if (n > SUBMIT_JOB_NAME_MAX) {
		n = SUBMIT_JOB_NAME_MAX - 3;
		while (n > 0 && ((unsigned char)job->name[n] & 0xc0) == 0x80)
			n--; /* do not cut a UTF-8 character in half */
		strcpy(job->name + n, "...");
	}
	return 0;
}

/* Free the job. */
void submit_job_clear(struct submit_job *job)
{
	if (job->json != NULL)
		json_object_put(job->json);
	free(job->text);
	free(job->name);
	memset(job, 0, sizeof *job);
}
