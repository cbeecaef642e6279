/*
 * submit_context.h — YARN's ApplicationSubmissionContext as weft-submit
 * sends it to POST /ws/v1/cluster/apps, and the AM command inside it.
 *
 *   {"application-id":"application_..","application-name":"..",
 *    "queue":"default","max-app-attempts":2,"application-type":"WEFT",
 *    "resource":{"memory":1024,"vCores":1},
 *    "am-container-spec":{
 *      "local-resources":{"entry":[{"key":"job.json","value":{
 *          "resource":"/ws/v1/staging/<id>/job.json","type":"FILE",
 *          "visibility":"APPLICATION","size":123,"timestamp":1700000000000}}]},
 *      "environment":{"entry":[{"key":"WEFT_APP_SECRET","value":".."}]},
 *      "commands":{"command":"exec \"$WEFT_LIBEXEC_DIR\"/weft-am --mode cluster .."}}}
 *
 * max-app-attempts is left out unless --max-attempts was given (the RM's
 * rm.am.max-attempts applies).  Client mode ships no file and asks for a
 * small AM (submit.am-memory-mb, 1 core): the driver runs in weft-submit.
 */
#ifndef WEFT_SUBMIT_CONTEXT_H
#define WEFT_SUBMIT_CONTEXT_H

#include <json-c/json.h>
#include <stdint.h>

#include "submit/submit_args.h"
#include "weft/app.h"

/* The name the job file has in the AM container's working directory. */
#define SUBMIT_JOB_FILE_NAME "job.json"

struct submit_context {
	const struct submit_args *args;
	const char *app_id;
	const char *name;           /* resolved application name */
	const char *queue;          /* resolved queue */
	const char *secret;         /* WEFT_APP_SECRET */
	const char *driver_address; /* client mode: host:port executors and the AM dial */
	const char *job_url;        /* cluster mode: the staged job file */
	int64_t job_size;
	int64_t job_timestamp; /* ms since the epoch */
	int64_t am_memory_mb;  /* client mode AM size */
};

/* The AM's command line (caller frees). */
char *submit_context_am_command(const struct submit_context *ctx);
/* The submission as libweft sends it: sub and job filled from ctx (their
 * strings stay ctx's); RET the AM command, which sub holds.  Release with
 * submit_context_clear(sub, command) once sent. */
char *submit_context_fill(const struct submit_context *ctx, struct weft_app_submission *sub,
                          struct weft_app_file *job);
void submit_context_clear(struct weft_app_submission *sub, char *command);
/* The whole submission body (caller puts). */
struct json_object *submit_context_build(const struct submit_context *ctx);

#endif
