/*
 * proto_app.h — the application messages of the RM's public REST API
 * (weft/protocol.h, "application keys and routes"): YARN's
 * ApplicationSubmissionContext (POST /ws/v1/cluster/apps), the
 * new-application answer, and the /state body (a kill's request and the
 * answer to GET or PUT).  One typed struct per message and an
 * encode/decode pair each, used by both ends: the RM, weft-submit and
 * `weft app`.
 *
 * Encoders take a filled struct and return a new JSON object (the caller
 * sends and puts it).  Decoders check every field's type, range and
 * length; on failure they return -1 with *cause naming the field path
 * ("am-container-spec.environment.entry[2].key: expected a string, got an
 * integer").
 *
 * The submission's accepted shape (YARN's JSON, with JAXB's habit of
 * writing a one-element list as a bare value accepted too):
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
#ifndef WEFT_COMMON_PROTO_APP_H
#define WEFT_COMMON_PROTO_APP_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "weft/app.h"

/* Caps the submission decoder enforces. */
#define PROTO_APP_MAX_ITEMS 1000  /* commands, env entries, files, tags */
#define PROTO_APP_MAX_TEXT  65536 /* one string */
#define PROTO_APP_MAX_NAME  1024  /* application name */
#define PROTO_APP_MAX_WORD  128   /* queue, type, tag */
#define PROTO_APP_MAX_URL   4096  /* a local resource's url */
#define PROTO_APP_STATE_MAX 32    /* an application state's name */

/* ------------------------------------------------------------------ */
/* POST /ws/v1/cluster/apps: the ApplicationSubmissionContext
 * (struct weft_app_submission, weft/app.h). */

/* The whole context; a one-element list is written as YARN writes it
 * (commands.command a bare string); priority, tags and keep-containers
 * only when set. */
struct json_object *proto_app_submission_encode(const struct weft_app_submission *s);
/* Read body.  RET 0 and *out (new), or -1 with *cause naming the field
 * path; nothing is half-built. */
int proto_app_submission_decode(struct json_object *body, struct weft_app_submission **out,
                                char **cause);
void proto_app_submission_free(struct weft_app_submission *s);

/* [A-Za-z0-9._-]{1,128}, not starting with '.': the names of staged and
 * localized files (no path can escape a directory through one). */
bool proto_app_valid_file_name(const char *name);

/* ------------------------------------------------------------------ */
/* POST /ws/v1/cluster/apps/new-application's answer (struct
 * weft_new_application). */

struct json_object *proto_app_new_application_encode(const struct weft_new_application *m);
/* application-id must be an application id. */
int proto_app_new_application_decode(struct json_object *obj, struct weft_new_application *m,
                                     char **cause);

/* ------------------------------------------------------------------ */
/* /ws/v1/cluster/apps/{id}/state: {"state":"KILLED"} (a kill, PUT) and
 * the answer to GET and PUT. */

struct proto_app_state {
	char state[PROTO_APP_STATE_MAX]; /* printable, 1..31 */
};
struct json_object *proto_app_state_encode(const struct proto_app_state *m);
int proto_app_state_decode(struct json_object *obj, struct proto_app_state *m, char **cause);

/* ------------------------------------------------------------------ */
/* The app report: GET /ws/v1/cluster/apps/{id} ({"app":<this>}) and each
 * of /apps' apps.app[] (struct weft_app_report).  Strings a decoder fills
 * point into the object; an absent optional string is NULL, an absent
 * number 0 (progress -1). */

/* YARN's app object, with its fixed fields (reserved, preempted, log
 * aggregation, labels) too. */
struct json_object *proto_app_report_encode(const struct weft_app_report *m);
/* obj is the app object; causes are "app.<field>: ...". */
int proto_app_report_decode(struct json_object *obj, struct weft_app_report *m, char **cause);

/* {"app":report} (report consumed), with "wait":wait_outcome when not
 * NULL (an answer to a wait, weft/protocol.h). */
struct json_object *proto_app_report_wrap(struct json_object *report, const char *wait_outcome);
/* The report of such a body (strings point into body) and its wait
 * outcome (NULL when absent; wait_outcome may be NULL). */
int proto_app_report_unwrap(struct json_object *body, struct weft_app_report *m,
                            const char **wait_outcome, char **cause);
/* The app list of /apps' {"apps":{"app":[...]}} ({"apps":null} and a
 * bare object as YARN writes them), as an array (new reference) or NULL
 * with *cause. */
struct json_object *proto_app_reports_unwrap(struct json_object *body, char **cause);
/* {"apps":{"app":list}}, or YARN's {"apps":null} for an empty list (list
 * consumed). */
struct json_object *proto_app_reports_wrap(struct json_object *list);

/* ------------------------------------------------------------------ */
/* The staging area's answer: PUT /ws/v1/staging/{app}/{name} ->
 * {"url":..,"size":N} (struct weft_staged_file); DELETE -> {"url":..,
 * "deleted":true}. */
struct json_object *proto_app_staged_encode(const struct weft_staged_file *m, bool deleted);
/* url must be a staging path; size optional (-1). */
int proto_app_staged_decode(struct json_object *obj, struct weft_staged_file *m, char **cause);

/* ------------------------------------------------------------------ */
/* One attempt of GET /ws/v1/cluster/apps/{id}/appattempts
 * ({"appAttempts":{"appAttempt":[<this>...]}}, struct weft_app_attempt).
 * Strings point into the object; absent ones are NULL (the encoder writes them as ""). */

struct json_object *proto_app_attempt_encode(const struct weft_app_attempt *m);
/* path names obj in causes ("appAttempts.appAttempt[1]"). */
int proto_app_attempt_decode(struct json_object *obj, const char *path, struct weft_app_attempt *m,
                             char **cause);
/* {"appAttempts":{"appAttempt":list}} (list consumed). */
struct json_object *proto_app_attempts_wrap(struct json_object *list);
/* The appAttempt list of such a body, as an array (a bare object is a
 * list of one; new reference) or NULL with *cause. */
struct json_object *proto_app_attempts_unwrap(struct json_object *body, char **cause);

#endif
