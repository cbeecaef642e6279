/*
 * submission.h — YARN's ApplicationSubmissionContext as the RM's REST API
 * receives it (POST /ws/v1/cluster/apps), read and validated in full
 * before anything changes, and turned into protocol.h's launchContext for
 * the AM container.
 *
 * Accepted shape (YARN's JSON, with JAXB's habit of writing a one-element
 * list as a bare value accepted too):
 *   {"application-id":"application_..", "application-name":"..",
 *    "queue":"default", "priority":0, "unmanaged-AM":false,
 *    "max-app-attempts":2, "application-type":"WEFT",
 *    "keep-containers-across-application-attempts":false,
 *    "application-tags":{"tag":["a","b"]},
 *    "resource":{"memory":1024,"vCores":1},
 *    "am-container-spec":{
 *      "commands":{"command":"sh line"},           (or an array of lines)
 *      "environment":{"entry":[{"key":"K","value":"V"}]},
 *      "local-resources":{"entry":[{"key":"job.json","value":{
 *          "resource":"/ws/v1/staging/<app>/job.json","type":"FILE",
 *          "visibility":"APPLICATION","size":12,"timestamp":0,
 *          "executable":false}}]}}}
 * ("executable" is weft's addition; YARN's ARCHIVE and PATTERN types are
 * refused, as are unmanaged AMs.)
 */
#ifndef WEFT_RM_SUBMISSION_H
#define WEFT_RM_SUBMISSION_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/proto_container.h"
#include "weft/ids.h"
#include "weft/resource.h"

struct submission_file {
	char *name; /* file name in the container's working directory */
	char *url;  /* /ws/v1/staging/..., http(s):// or file:// */
	bool executable;
	int64_t size;
};

struct submission_env {
	char *key;
	char *value;
};

struct submission {
	char app_id[WEFT_ID_MAX];
	char *name;
	char *queue;
	char *type;
	char **tags;
	int n_tags;
	int32_t priority;
	int32_t max_attempts;     /* 0 = not given */
	weft_resource_t resource; /* as asked (normalized by the RM) */
	bool keep_containers;
	char **commands;
	int n_commands;
	struct submission_env *env;
	int n_env;
	struct submission_file *files;
	int n_files;
};

/* Read body.  RET 0 and *out, or -1 with *cause naming the field path. */
int submission_parse(struct json_object *body, struct submission **out, char **cause);
void submission_free(struct submission *s);

/* protocol.h's launchContext for this submission with extra environment
 * (NULL-terminated "K", "V" pairs, may be NULL) laid over the
 * submission's own, into *lc (the caller clears it). */
void submission_launch_context(const struct submission *s, const char *const *extra_env,
                               struct proto_container_launch_context *lc);
/* Tags joined with commas (caller frees). */
char *submission_tags_joined(const struct submission *s);

/* [A-Za-z0-9._-]{1,128}, not starting with '.': the names of staged and
 * localized files (no path can escape a directory through one). */
bool submission_valid_file_name(const char *name);

#endif
