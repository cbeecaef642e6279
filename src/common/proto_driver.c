/*
 * proto_driver.c — the driver's messages, encoded and decoded
 * (proto_driver.h, weft/protocol.h "driver <-> AM keys and the driver's
 * status page").
 *
 * Owns every key, type and route of the client-mode AM link and of the
 * status page: the driver, weft-am and the readers of the status page
 * call these functions, so both ends read what the other wrote by
 * construction.  Decoders check types exactly (wjson), ranges and
 * lengths, and name the field path in *cause.
 */
#include "weft_config.h"

#include "common/proto_driver.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto_am.h"
#include "common/proto_task.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/ids.h"
#include "weft/protocol.h"

/* ------------------------------------------------------------------ */
/* The AM link. */

/* A new {"type":type}. */
static struct json_object *proto_driver_message(const char *type)
{
	struct json_object *msg = wjson_new_object();

	wjson_add_string(msg, WEFT_KEY_TYPE, type);
	return msg;
}

/* A required container id field (pointing into obj). */
static int proto_driver_get_container_id(struct json_object *obj, const char **out, char **cause)
{
	weft_container_id_t cid;

	if (wjson_get_text(obj, "", WEFT_KEY_CONTAINER_ID, true, WEFT_ID_MAX, out, cause) != 0)
		return -1;
	if (weft_container_id_parse(*out, &cid) != 0)
		return set_cause(cause, "%s: '%.100s' is not a container id", WEFT_KEY_CONTAINER_ID,
		                 *out);
	return 0;
}

int proto_driver_type_decode(struct json_object *obj, enum proto_driver_type *type,
                             const char **name, char **cause)
{
	static const struct {
		const char *name;
		enum proto_driver_type type;
	} types[] = {
	        {WEFT_MSG_REGISTER_AM, PROTO_DRIVER_REGISTER_AM},
	        {WEFT_MSG_REGISTERED, PROTO_DRIVER_REGISTERED},
	        {WEFT_MSG_REJECTED, PROTO_DRIVER_REJECTED},
	        {WEFT_MSG_REQUEST_EXECUTORS, PROTO_DRIVER_REQUEST_EXECUTORS},
	        {WEFT_MSG_KILL_EXECUTOR, PROTO_DRIVER_KILL_EXECUTOR},
	        {WEFT_MSG_EXECUTOR_LOST, PROTO_DRIVER_EXECUTOR_LOST},
	        {WEFT_MSG_SHUTDOWN, PROTO_DRIVER_SHUTDOWN},
	        {WEFT_MSG_CHALLENGE, PROTO_DRIVER_CHALLENGE},
	        {WEFT_MSG_AUTH, PROTO_DRIVER_AUTH},
	};
	const char *t = NULL;

	if (wjson_get_text(obj, "", WEFT_KEY_TYPE, true, 64, &t, cause) != 0)
		return -1;
	*type = PROTO_DRIVER_UNKNOWN;
	if (name != NULL)
		*name = t;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		if (strcmp(t, types[i].name) == 0) {
			*type = types[i].type;
			break;
		}
	}
	return 0;
}

struct json_object *proto_driver_register_am_encode(const struct proto_driver_register_am *m)
{
	struct json_object *msg = proto_driver_message(WEFT_MSG_REGISTER_AM);

	wjson_add_string(msg, WEFT_KEY_NONCE, m->nonce);
	wjson_add_string(msg, WEFT_KEY_APPLICATION_ID, m->application_id);
	wjson_add_string(msg, WEFT_AM_KEY_ATTEMPT_ID, m->attempt_id);
	return msg;
}

int proto_driver_register_am_decode(struct json_object *obj, struct proto_driver_register_am *m,
                                    char **cause)
{
	weft_attempt_id_t attempt;
	weft_app_id_t app;

	memset(m, 0, sizeof *m);
	if (wjson_get_text(obj, "", WEFT_KEY_NONCE, true, PROTO_TASK_NONCE_HEX, &m->nonce, cause) !=
	            0 ||
	    wjson_get_text(obj, "", WEFT_KEY_APPLICATION_ID, true, WEFT_ID_MAX, &m->application_id,
	                   cause) != 0 ||
	    wjson_get_text(obj, "", WEFT_AM_KEY_ATTEMPT_ID, true, WEFT_ID_MAX, &m->attempt_id,
	                   cause) != 0)
		return -1;
	if (!proto_task_hex_valid(m->nonce, PROTO_TASK_NONCE_HEX))
		return set_cause(cause, "%s: expected %d hex digits", WEFT_KEY_NONCE,
		                 PROTO_TASK_NONCE_HEX);
	if (weft_app_id_parse(m->application_id, &app) != 0)
		return set_cause(cause, "%s: '%s' is not an application id",
		                 WEFT_KEY_APPLICATION_ID, m->application_id);
	if (weft_attempt_id_parse(m->attempt_id, &attempt) != 0 ||
	    !weft_app_id_equal(&attempt.app, &app))
		return set_cause(cause, "%s: '%s' is not an attempt of %s", WEFT_AM_KEY_ATTEMPT_ID,
		                 m->attempt_id, m->application_id);
	return 0;
}

struct json_object *proto_driver_registered_encode(const struct proto_driver_registered *m)
{
	struct json_object *msg = proto_driver_message(WEFT_MSG_REGISTERED);

	if (m->tracking_url != NULL)
		wjson_add_string(msg, WEFT_KEY_TRACKING_URL, m->tracking_url);
	return msg;
}

int proto_driver_registered_decode(struct json_object *obj, struct proto_driver_registered *m,
                                   char **cause)
{
	memset(m, 0, sizeof *m);
	if (wjson_get_text(obj, "", WEFT_KEY_TRACKING_URL, false, PROTO_DRIVER_URL_MAX,
	                   &m->tracking_url, cause) != 0)
		return -1;
	if (m->tracking_url != NULL && strncmp(m->tracking_url, "http://", 7) != 0) {
		set_cause(cause, "%s: '%.100s' is not an http:// URL", WEFT_KEY_TRACKING_URL,
		          m->tracking_url);
		m->tracking_url = NULL;
		return -1;
	}
	return 0;
}

struct json_object *
proto_driver_request_executors_encode(const struct proto_driver_request_executors *m)
{
	struct json_object *msg = proto_driver_message(WEFT_MSG_REQUEST_EXECUTORS);

	wjson_add_int(msg, WEFT_KEY_TOTAL, m->total);
	return msg;
}

int proto_driver_request_executors_decode(struct json_object *obj,
                                          struct proto_driver_request_executors *m, char **cause)
{
	int64_t total = 0;

	memset(m, 0, sizeof *m);
	if (wjson_get_int(obj, "", WEFT_KEY_TOTAL, true, 0, PROTO_DRIVER_MAX_EXECUTORS, &total,
	                  cause) != 0)
		return -1;
	m->total = (int)total;
	return 0;
}

struct json_object *proto_driver_kill_executor_encode(const struct proto_driver_kill_executor *m)
{
	struct json_object *msg = proto_driver_message(WEFT_MSG_KILL_EXECUTOR);

	wjson_add_string(msg, WEFT_KEY_CONTAINER_ID, m->container_id);
	return msg;
}

int proto_driver_kill_executor_decode(struct json_object *obj, struct proto_driver_kill_executor *m,
                                      char **cause)
{
	memset(m, 0, sizeof *m);
	return proto_driver_get_container_id(obj, &m->container_id, cause);
}

struct json_object *proto_driver_executor_lost_encode(const struct proto_driver_executor_lost *m)
{
	struct json_object *msg = proto_driver_message(WEFT_MSG_EXECUTOR_LOST);

	wjson_add_string(msg, WEFT_KEY_CONTAINER_ID, m->container_id);
	wjson_add_int(msg, WEFT_KEY_EXIT_STATUS, m->exit_status);
	wjson_add_string(msg, WEFT_KEY_DIAGNOSTICS, m->diagnostics != NULL ? m->diagnostics : "");
	return msg;
}

int proto_driver_executor_lost_decode(struct json_object *obj, struct proto_driver_executor_lost *m,
                                      char **cause)
{
	int64_t exit_status = 0;

	memset(m, 0, sizeof *m);
	if (proto_driver_get_container_id(obj, &m->container_id, cause) != 0 ||
	    wjson_get_int(obj, "", WEFT_KEY_EXIT_STATUS, false, INT_MIN, INT_MAX, &exit_status,
	                  cause) != 0 ||
	    wjson_get_text(obj, "", WEFT_KEY_DIAGNOSTICS, false, PROTO_DRIVER_LOST_DIAG_MAX,
	                   &m->diagnostics, cause) != 0)
		return -1;
	m->exit_status = (int)exit_status;
	return 0;
}

struct json_object *proto_driver_shutdown_encode(const struct proto_driver_shutdown *m)
{
	struct json_object *msg = proto_driver_message(WEFT_MSG_SHUTDOWN);

	wjson_add_string(msg, WEFT_KEY_FINAL_STATUS, m->final_status);
	wjson_add_string(msg, WEFT_KEY_DIAGNOSTICS, m->diagnostics != NULL ? m->diagnostics : "");
	return msg;
}

int proto_driver_shutdown_decode(struct json_object *obj, struct proto_driver_shutdown *m,
                                 char **cause)
{
	memset(m, 0, sizeof *m);
	if (wjson_get_text(obj, "", WEFT_KEY_FINAL_STATUS, true, PROTO_DRIVER_WORD_MAX,
	                   &m->final_status, cause) != 0 ||
	    wjson_get_text(obj, "", WEFT_KEY_DIAGNOSTICS, false, PROTO_DRIVER_AM_LINE_MAX,
	                   &m->diagnostics, cause) != 0)
		return -1;
	if (!proto_am_final_status_valid(m->final_status))
		return set_cause(cause, "%s: '%s' is not SUCCEEDED, FAILED or KILLED",
		                 WEFT_KEY_FINAL_STATUS, m->final_status);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The status page: field helpers. */

/* "path.key" (caller frees). */
static char *proto_driver_path(const char *path, const char *key)
{
	return *path != '\0' ? xasprintf("%s.%s", path, key) : xstrdup(key);
}

/* A count or time: a non-negative integer. */
static int proto_driver_get_count(struct json_object *obj, const char *path, const char *key,
                                  bool required, int64_t *out, char **cause)
{
	return wjson_get_int(obj, path, key, required, 0, INT64_MAX, out, cause);
}

/* A word (a state, a kind): 1..PROTO_DRIVER_WORD_MAX printable bytes. */
static int proto_driver_get_word(struct json_object *obj, const char *path, const char *key,
                                 bool required, const char **out, char **cause)
{
	const char *v = NULL;

	if (wjson_get_text(obj, path, key, required, PROTO_DRIVER_WORD_MAX, &v, cause) != 0)
		return -1;
	if (v == NULL)
		return 0;
	for (const char *p = v; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			goto bad;
	}
	if (*v == '\0')
		goto bad;
	*out = v;
	return 0;
bad:
	return set_cause(cause, "%s%s%s: '%.40s' is not a word", path, *path != '\0' ? "." : "",
	                 key, v);
}

/* An optional time: 0 when absent or 0 (not sent). */
static void proto_driver_add_time(struct json_object *o, const char *key, int64_t ms)
{
	if (ms > 0)
		wjson_add_int(o, key, ms);
}

/* ------------------------------------------------------------------ */
/* The job's part. */

static struct json_object *proto_driver_action_encode(const struct proto_driver_action *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_int(o, WEFT_DRIVER_KEY_JOB_ID, m->job_id);
	wjson_add_string(o, WEFT_KEY_ACTION, m->action);
	wjson_add_string(o, WEFT_KEY_DATASET, m->dataset);
	wjson_add_string(o, WEFT_KEY_STATE, m->state);
	wjson_add_int(o, WEFT_DRIVER_KEY_RESULT_STAGE_ID, m->result_stage_id);
	wjson_add_int(o, WEFT_DRIVER_KEY_SUBMISSION_TIME, m->submission_ms);
	proto_driver_add_time(o, WEFT_DRIVER_KEY_COMPLETION_TIME, m->completion_ms);
	if (m->failure_reason != NULL)
		wjson_add_string(o, WEFT_DRIVER_KEY_FAILURE_REASON, m->failure_reason);
	return o;
}

static int proto_driver_action_decode(struct json_object *o, const char *path,
                                      struct proto_driver_action *m, char **cause)
{
	memset(m, 0, sizeof *m);
	if (proto_driver_get_count(o, path, WEFT_DRIVER_KEY_JOB_ID, true, &m->job_id, cause) != 0 ||
	    proto_driver_get_word(o, path, WEFT_KEY_ACTION, true, &m->action, cause) != 0 ||
	    wjson_get_text(o, path, WEFT_KEY_DATASET, true, PROTO_DRIVER_TEXT_MAX, &m->dataset,
	                   cause) != 0 ||
	    proto_driver_get_word(o, path, WEFT_KEY_STATE, true, &m->state, cause) != 0 ||
	    proto_driver_get_count(o, path, WEFT_DRIVER_KEY_RESULT_STAGE_ID, true,
	                           &m->result_stage_id, cause) != 0 ||
	    proto_driver_get_count(o, path, WEFT_DRIVER_KEY_SUBMISSION_TIME, false,
	                           &m->submission_ms, cause) != 0 ||
	    proto_driver_get_count(o, path, WEFT_DRIVER_KEY_COMPLETION_TIME, false,
	                           &m->completion_ms, cause) != 0 ||
	    wjson_get_text(o, path, WEFT_DRIVER_KEY_FAILURE_REASON, false,
	                   PROTO_DRIVER_DIAGNOSTICS_MAX, &m->failure_reason, cause) != 0)
		return -1;
	return 0;
}

static struct json_object *proto_driver_stage_encode(const struct proto_driver_stage *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_int(o, WEFT_DRIVER_KEY_STAGE_ID, m->stage_id);
	wjson_add_string(o, WEFT_KEY_NAME, m->name);
	wjson_add_string(o, WEFT_DRIVER_KEY_KIND, m->kind);
	wjson_add_string(o, WEFT_KEY_STATE, m->state);
	wjson_add_string(o, WEFT_KEY_DATASET, m->dataset);
	if (m->shuffle_id >= 0)
		wjson_add_int(o, WEFT_KEY_SHUFFLE_ID, m->shuffle_id);
	if (m->job_id >= 0)
		wjson_add_int(o, WEFT_DRIVER_KEY_JOB_ID, m->job_id);
	wjson_add_int(o, WEFT_DRIVER_KEY_ATTEMPTS, m->attempts);
	wjson_add_int(o, WEFT_DRIVER_KEY_NUM_TASKS, m->num_tasks);
	wjson_add_int(o, WEFT_DRIVER_KEY_NUM_COMPLETE_TASKS, m->num_complete);
	wjson_add_int(o, WEFT_DRIVER_KEY_NUM_ACTIVE_TASKS, m->num_active);
	wjson_add_int(o, WEFT_DRIVER_KEY_NUM_PENDING_TASKS, m->num_pending);
	wjson_add_int(o, WEFT_DRIVER_KEY_NUM_FAILED_TASKS, m->num_failed);
	wjson_add_int(o, WEFT_DRIVER_KEY_NUM_KILLED_TASKS, m->num_killed);
	wjson_add_int(o, WEFT_DRIVER_KEY_NUM_SPECULATIVE_TASKS, m->num_speculative);
	wjson_add_int(o, WEFT_DRIVER_KEY_NUM_TASKS_LAUNCHED, m->num_launched);
	wjson_add_int(o, WEFT_DRIVER_KEY_NUM_RECOMPUTED_TASKS, m->num_recomputed);
	wjson_add_int(o, WEFT_DRIVER_KEY_FETCH_FAILURES, m->fetch_failures);
	if (m->has_shuffle_write) {
		wjson_add_int(o, WEFT_DRIVER_KEY_SHUFFLE_WRITE_BYTES, m->shuffle_write_bytes);
		wjson_add_int(o, WEFT_DRIVER_KEY_SHUFFLE_WRITE_RECORDS, m->shuffle_write_records);
		wjson_add_int(o, WEFT_KEY_SPILLS, m->spills);
	}
	proto_driver_add_time(o, WEFT_DRIVER_KEY_SUBMISSION_TIME, m->submission_ms);
	proto_driver_add_time(o, WEFT_DRIVER_KEY_COMPLETION_TIME, m->completion_ms);
	return o;
}

static int proto_driver_stage_decode(struct json_object *o, const char *path,
                                     struct proto_driver_stage *m, char **cause)
{
	static const struct {
		const char *key;
		size_t offset;
	} counts[] = {
	        {WEFT_DRIVER_KEY_ATTEMPTS, offsetof(struct proto_driver_stage, attempts)},
	        {WEFT_DRIVER_KEY_NUM_TASKS, offsetof(struct proto_driver_stage, num_tasks)},
	        {WEFT_DRIVER_KEY_NUM_COMPLETE_TASKS,
	         offsetof(struct proto_driver_stage, num_complete)},
	        {WEFT_DRIVER_KEY_NUM_ACTIVE_TASKS, offsetof(struct proto_driver_stage, num_active)},
	        {WEFT_DRIVER_KEY_NUM_PENDING_TASKS,
	         offsetof(struct proto_driver_stage, num_pending)},
	        {WEFT_DRIVER_KEY_NUM_FAILED_TASKS, offsetof(struct proto_driver_stage, num_failed)},
	        {WEFT_DRIVER_KEY_NUM_KILLED_TASKS, offsetof(struct proto_driver_stage, num_killed)},
	        {WEFT_DRIVER_KEY_NUM_SPECULATIVE_TASKS,
	         offsetof(struct proto_driver_stage, num_speculative)},
	        {WEFT_DRIVER_KEY_NUM_TASKS_LAUNCHED,
	         offsetof(struct proto_driver_stage, num_launched)},
	        {WEFT_DRIVER_KEY_NUM_RECOMPUTED_TASKS,
	         offsetof(struct proto_driver_stage, num_recomputed)},
	        {WEFT_DRIVER_KEY_FETCH_FAILURES,
	         offsetof(struct proto_driver_stage, fetch_failures)},
	        {WEFT_DRIVER_KEY_SUBMISSION_TIME,
	         offsetof(struct proto_driver_stage, submission_ms)},
	        {WEFT_DRIVER_KEY_COMPLETION_TIME,
	         offsetof(struct proto_driver_stage, completion_ms)},
	};
	struct json_object *v = NULL;

	memset(m, 0, sizeof *m);
	m->shuffle_id = m->job_id = -1;
	if (proto_driver_get_count(o, path, WEFT_DRIVER_KEY_STAGE_ID, true, &m->stage_id, cause) !=
	            0 ||
	    wjson_get_text(o, path, WEFT_KEY_NAME, true, PROTO_DRIVER_TEXT_MAX, &m->name, cause) !=
	            0 ||
	    proto_driver_get_word(o, path, WEFT_DRIVER_KEY_KIND, true, &m->kind, cause) != 0 ||
	    proto_driver_get_word(o, path, WEFT_KEY_STATE, true, &m->state, cause) != 0 ||
	    wjson_get_text(o, path, WEFT_KEY_DATASET, true, PROTO_DRIVER_TEXT_MAX, &m->dataset,
	                   cause) != 0 ||
	    proto_driver_get_count(o, path, WEFT_KEY_SHUFFLE_ID, false, &m->shuffle_id, cause) !=
	            0 ||
	    proto_driver_get_count(o, path, WEFT_DRIVER_KEY_JOB_ID, false, &m->job_id, cause) != 0)
		return -1;
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		if (proto_driver_get_count(o, path, counts[i].key, false,
		                           (int64_t *)((char *)m + counts[i].offset), cause) != 0)
			return -1;
	}
	m->has_shuffle_write =
	        json_object_object_get_ex(o, WEFT_DRIVER_KEY_SHUFFLE_WRITE_BYTES, &v);
	if (proto_driver_get_count(o, path, WEFT_DRIVER_KEY_SHUFFLE_WRITE_BYTES, false,
	                           &m->shuffle_write_bytes, cause) != 0 ||
	    proto_driver_get_count(o, path, WEFT_DRIVER_KEY_SHUFFLE_WRITE_RECORDS, false,
	                           &m->shuffle_write_records, cause) != 0 ||
	    proto_driver_get_count(o, path, WEFT_KEY_SPILLS, false, &m->spills, cause) != 0)
		return -1;
	return 0;
}

struct json_object *proto_driver_job_encode(const struct proto_driver_job *m)
{
	struct json_object *o = wjson_new_object(), *jobs = json_object_new_array_ext(m->n_jobs),
	                   *stages = json_object_new_array_ext(m->n_stages);

	if (jobs == NULL || stages == NULL)
		fatalx("proto_driver_job_encode: out of memory");
	for (int i = 0; i < m->n_jobs; i++)
		json_object_array_add(jobs, proto_driver_action_encode(&m->jobs[i]));
	for (int i = 0; i < m->n_stages; i++)
		json_object_array_add(stages, proto_driver_stage_encode(&m->stages[i]));
	wjson_add(o, WEFT_DRIVER_KEY_JOBS, jobs);
	wjson_add(o, WEFT_DRIVER_KEY_STAGES, stages);
	if (m->recomputed_map_partitions >= 0)
		wjson_add_int(o, WEFT_DRIVER_KEY_RECOMPUTED_MAP_PARTS,
		              m->recomputed_map_partitions);
	if (m->name != NULL)
		wjson_add_string(o, WEFT_KEY_NAME, m->name);
	if (m->kind != NULL)
		wjson_add_string(o, WEFT_DRIVER_KEY_KIND, m->kind);
	return o;
}

/* An array of objects, each decoded by item into an owned array. */
static int
proto_driver_items_decode(struct json_object *obj, const char *path, const char *key, size_t size,
                          int (*item)(struct json_object *, const char *, void *, char **),
                          void **out, int *n, char **cause)
{
	struct json_object *list = NULL, *o;
	char *list_path, *item_path, *items;
	size_t len = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (wjson_get_list(obj, path, key, false, PROTO_DRIVER_MAX_ITEMS, &list, &len, cause) != 0)
		return -1;
	if (len == 0)
		return 0;
	items = xcalloc(len, size);
	list_path = proto_driver_path(path, key);
	for (size_t i = 0; i < len && rc == 0; i++) {
		if (wjson_array_object(list, list_path, i, &o, cause) != 0) {
			rc = -1;
			break;
		}
		item_path = xasprintf("%s[%zu]", list_path, i);
		rc = item(o, item_path, items + i * size, cause);
		free(item_path);
	}
	free(list_path);
	if (rc != 0) {
		free(items);
		return -1;
	}
	*out = items;
	*n = (int)len;
	return 0;
}

static int proto_driver_action_item(struct json_object *o, const char *path, void *m, char **cause)
{
	return proto_driver_action_decode(o, path, m, cause);
}

static int proto_driver_stage_item(struct json_object *o, const char *path, void *m, char **cause)
{
	return proto_driver_stage_decode(o, path, m, cause);
}

int proto_driver_job_decode(struct json_object *obj, const char *path, struct proto_driver_job *m,
                            char **cause)
{
	void *jobs = NULL, *stages = NULL;

	memset(m, 0, sizeof *m);
	m->recomputed_map_partitions = -1;
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return set_cause(cause, "%s: expected an object", path);
	if (proto_driver_get_word(obj, path, WEFT_DRIVER_KEY_KIND, false, &m->kind, cause) != 0 ||
	    wjson_get_text(obj, path, WEFT_KEY_NAME, false, PROTO_DRIVER_TEXT_MAX, &m->name,
	                   cause) != 0 ||
	    proto_driver_get_count(obj, path, WEFT_DRIVER_KEY_RECOMPUTED_MAP_PARTS, false,
	                           &m->recomputed_map_partitions, cause) != 0 ||
	    proto_driver_items_decode(obj, path, WEFT_DRIVER_KEY_JOBS, sizeof *m->jobs,
	                              proto_driver_action_item, &jobs, &m->n_jobs, cause) != 0)
		return -1;
	m->jobs = jobs;
	if (proto_driver_items_decode(obj, path, WEFT_DRIVER_KEY_STAGES, sizeof *m->stages,
	                              proto_driver_stage_item, &stages, &m->n_stages, cause) != 0) {
		proto_driver_job_clear(m);
		return -1;
	}
	m->stages = stages;
	return 0;
}

void proto_driver_job_clear(struct proto_driver_job *m)
{
	free(m->jobs);
	free(m->stages);
	m->jobs = NULL;
	m->stages = NULL;
	m->n_jobs = m->n_stages = 0;
}

/* ------------------------------------------------------------------ */
/* The status. */

static struct json_object *proto_driver_executor_encode(const struct proto_driver_executor *m)
{
	struct json_object *o = wjson_new_object();

	wjson_add_string(o, WEFT_KEY_ID, m->id);
	wjson_add_string(o, WEFT_KEY_HOST, m->host);
	wjson_add_string(o, WEFT_KEY_NODE_ID, m->node_id);
	if (m->container_id != NULL && *m->container_id != '\0')
		wjson_add_string(o, WEFT_KEY_CONTAINER_ID, m->container_id);
	wjson_add_int(o, WEFT_KEY_CORES, m->cores);
	wjson_add_int(o, WEFT_DRIVER_KEY_ACTIVE_TASKS, m->active_tasks);
	wjson_add_int(o, WEFT_DRIVER_KEY_COMPLETED_TASKS, m->completed_tasks);
	wjson_add_int(o, WEFT_DRIVER_KEY_FAILED_TASKS, m->failed_tasks);
	wjson_add_bool(o, WEFT_DRIVER_KEY_RELEASED, m->released);
	return o;
}

static int proto_driver_executor_item(struct json_object *o, const char *path, void *item,
                                      char **cause)
{
	struct proto_driver_executor *m = item;

	if (wjson_get_text(o, path, WEFT_KEY_ID, true, PROTO_DRIVER_TEXT_MAX, &m->id, cause) != 0 ||
	    wjson_get_text(o, path, WEFT_KEY_HOST, true, PROTO_DRIVER_TEXT_MAX, &m->host, cause) !=
	            0 ||
	    wjson_get_text(o, path, WEFT_KEY_NODE_ID, true, PROTO_DRIVER_TEXT_MAX, &m->node_id,
	                   cause) != 0 ||
	    wjson_get_text(o, path, WEFT_KEY_CONTAINER_ID, false, PROTO_DRIVER_TEXT_MAX,
	                   &m->container_id, cause) != 0 ||
	    proto_driver_get_count(o, path, WEFT_KEY_CORES, true, &m->cores, cause) != 0 ||
	    proto_driver_get_count(o, path, WEFT_DRIVER_KEY_ACTIVE_TASKS, false, &m->active_tasks,
	                           cause) != 0 ||
	    proto_driver_get_count(o, path, WEFT_DRIVER_KEY_COMPLETED_TASKS, false,
	                           &m->completed_tasks, cause) != 0 ||
	    proto_driver_get_count(o, path, WEFT_DRIVER_KEY_FAILED_TASKS, false, &m->failed_tasks,
	                           cause) != 0 ||
	    wjson_get_bool(o, path, WEFT_DRIVER_KEY_RELEASED, false, &m->released, cause) != 0)
		return -1;
	return 0;
}

struct json_object *proto_driver_status_encode(struct proto_driver_status *m)
{
	struct json_object *o = wjson_new_object(), *tasks = wjson_new_object(),
	                   *executors = json_object_new_array_ext(m->n_executors);

	if (executors == NULL)
		fatalx("proto_driver_status_encode: out of memory");
	wjson_add_string(o, WEFT_DRIVER_KEY_ADDRESS, m->address);
	wjson_add_string(o, WEFT_KEY_STATE, m->state);
	wjson_add_int(o, WEFT_KEY_STARTED_TIME, m->started_ms);
	proto_driver_add_time(o, WEFT_KEY_FINISHED_TIME, m->finished_ms);
	if (m->diagnostics != NULL && *m->diagnostics != '\0')
		wjson_add_string(o, WEFT_KEY_DIAGNOSTICS, m->diagnostics);
	wjson_add_int(tasks, WEFT_KEY_PENDING, m->pending);
	wjson_add_int(tasks, WEFT_DRIVER_KEY_RUNNING, m->running);
	wjson_add_int(tasks, WEFT_DRIVER_KEY_SUCCEEDED, m->succeeded);
	wjson_add_int(tasks, WEFT_DRIVER_KEY_FAILED, m->failed);
	wjson_add(o, WEFT_DRIVER_KEY_TASKS, tasks);
	for (int i = 0; i < m->n_executors; i++)
		json_object_array_add(executors, proto_driver_executor_encode(&m->executors[i]));
	wjson_add(o, WEFT_DRIVER_KEY_EXECUTORS, executors);
	if (m->has_allocation) {
		struct json_object *a = wjson_new_object();

		wjson_add_int(a, WEFT_DRIVER_KEY_MIN_EXECUTORS, m->allocation.min_executors);
		wjson_add_int(a, WEFT_DRIVER_KEY_MAX_EXECUTORS, m->allocation.max_executors);
		wjson_add_int(a, WEFT_DRIVER_KEY_TARGET_EXECUTORS, m->allocation.target_executors);
		wjson_add_int(a, WEFT_DRIVER_KEY_RELEASED_EXECUTORS,
		              m->allocation.released_executors);
		wjson_add(o, WEFT_DRIVER_KEY_DYNAMIC_ALLOCATION, a);
	}
	if (m->job_object != NULL) {
		wjson_add(o, WEFT_DRIVER_KEY_JOB, m->job_object);
		m->job_object = NULL;
	} else if (m->kind != NULL) {
		wjson_add_string(o, WEFT_DRIVER_KEY_KIND, m->kind);
	}
	return o;
}

/* "dynamicAllocation", when there. */
static int proto_driver_allocation_decode(struct json_object *obj, struct proto_driver_status *m,
                                          char **cause)
{
	static const char path[] = WEFT_DRIVER_KEY_DYNAMIC_ALLOCATION;
	struct proto_driver_allocation *a = &m->allocation;
	struct json_object *o = NULL;

	if (wjson_get_object(obj, "", WEFT_DRIVER_KEY_DYNAMIC_ALLOCATION, false, &o, cause) != 0)
		return -1;
	if (o == NULL)
		return 0;
	m->has_allocation = true;
	if (proto_driver_get_count(o, path, WEFT_DRIVER_KEY_MIN_EXECUTORS, true, &a->min_executors,
	                           cause) != 0 ||
	    proto_driver_get_count(o, path, WEFT_DRIVER_KEY_MAX_EXECUTORS, true, &a->max_executors,
	                           cause) != 0 ||
	    proto_driver_get_count(o, path, WEFT_DRIVER_KEY_TARGET_EXECUTORS, true,
	                           &a->target_executors, cause) != 0 ||
	    proto_driver_get_count(o, path, WEFT_DRIVER_KEY_RELEASED_EXECUTORS, false,
	                           &a->released_executors, cause) != 0)
		return -1;
	return 0;
}

int proto_driver_status_decode(struct json_object *obj, struct proto_driver_status *m, char **cause)
{
	static const char tasks_path[] = WEFT_DRIVER_KEY_TASKS;
	struct json_object *tasks = NULL, *job = NULL;
	void *executors = NULL;
	char *path;
	int rc;

	memset(m, 0, sizeof *m);
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return set_cause(cause, "%s: expected an object", WEFT_DRIVER_KEY_DRIVER);
	if (wjson_get_text(obj, "", WEFT_DRIVER_KEY_ADDRESS, true, PROTO_DRIVER_TEXT_MAX,
	                   &m->address, cause) != 0 ||
	    proto_driver_get_word(obj, "", WEFT_KEY_STATE, true, &m->state, cause) != 0 ||
	    proto_driver_get_count(obj, "", WEFT_KEY_STARTED_TIME, true, &m->started_ms, cause) !=
	            0 ||
	    proto_driver_get_count(obj, "", WEFT_KEY_FINISHED_TIME, false, &m->finished_ms,
	                           cause) != 0 ||
	    wjson_get_text(obj, "", WEFT_KEY_DIAGNOSTICS, false, PROTO_DRIVER_DIAGNOSTICS_MAX,
	                   &m->diagnostics, cause) != 0 ||
	    wjson_get_object(obj, "", WEFT_DRIVER_KEY_TASKS, true, &tasks, cause) != 0 ||
	    proto_driver_get_count(tasks, tasks_path, WEFT_KEY_PENDING, true, &m->pending, cause) !=
	            0 ||
	    proto_driver_get_count(tasks, tasks_path, WEFT_DRIVER_KEY_RUNNING, true, &m->running,
	                           cause) != 0 ||
	    proto_driver_get_count(tasks, tasks_path, WEFT_DRIVER_KEY_SUCCEEDED, true,
	                           &m->succeeded, cause) != 0 ||
	    proto_driver_get_count(tasks, tasks_path, WEFT_DRIVER_KEY_FAILED, true, &m->failed,
	                           cause) != 0 ||
	    proto_driver_allocation_decode(obj, m, cause) != 0 ||
	    proto_driver_get_word(obj, "", WEFT_DRIVER_KEY_KIND, false, &m->kind, cause) != 0 ||
	    wjson_get_object(obj, "", WEFT_DRIVER_KEY_JOB, false, &job, cause) != 0 ||
	    proto_driver_items_decode(obj, "", WEFT_DRIVER_KEY_EXECUTORS, sizeof *m->executors,
	                              proto_driver_executor_item, &executors, &m->n_executors,
	                              cause) != 0)
		return -1;
	m->executors = executors;
	if (job == NULL)
		return 0;
	path = proto_driver_path("", WEFT_DRIVER_KEY_JOB);
	rc = proto_driver_job_decode(job, path, &m->job, cause);
	free(path);
	if (rc != 0) {
		proto_driver_status_clear(m);
		return -1;
	}
	m->has_job = true;
	return 0;
}

void proto_driver_status_clear(struct proto_driver_status *m)
{
	free(m->executors);
	m->executors = NULL;
	m->n_executors = 0;
	proto_driver_job_clear(&m->job);
	m->has_job = false;
	if (m->job_object != NULL)
		json_object_put(m->job_object);
	m->job_object = NULL;
}

struct json_object *proto_driver_page_wrap(struct json_object *status)
{
	struct json_object *page = wjson_new_object();

	wjson_add(page, WEFT_DRIVER_KEY_DRIVER, status);
	return page;
}

struct json_object *proto_driver_page_unwrap(struct json_object *page, char **cause)
{
	struct json_object *status = NULL;

	if (wjson_get_object(page, "", WEFT_DRIVER_KEY_DRIVER, true, &status, cause) != 0)
		return NULL;
	return status;
}

char *proto_driver_page_url(const char *address)
{
	return xasprintf("http://%s" WEFT_ROUTE_DRIVER, address);
}
