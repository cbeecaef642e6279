/*
 * submit_job.h — the job weft-submit submits: read from a JOBFILE or made
 * from --shell CMD --tasks N, validated by the driver before anything is
 * sent to the cluster.
 */
#ifndef WEFT_SUBMIT_JOB_H
#define WEFT_SUBMIT_JOB_H

#include <json-c/json.h>
#include <stddef.h>

struct submit_job {
	struct json_object *json; /* the job description */
	char *text;               /* what is uploaded as job.json */
	size_t len;
	char *name; /* default application name */
};

/* Longest default application name taken from a shell command. */
#define SUBMIT_JOB_NAME_MAX 48

/* Read and validate a JOBFILE (at most WEFT_MAX_JSON_BODY bytes).  RET 0,
 * or -1 with *cause "PATH: FIELD: why". */
int submit_job_from_file(const char *path, struct submit_job *job, char **cause);
/* {"kind":"shell","command":CMD,"tasks":N}, validated. */
int submit_job_from_shell(const char *command, int tasks, struct submit_job *job, char **cause);
void submit_job_clear(struct submit_job *job);

#endif
