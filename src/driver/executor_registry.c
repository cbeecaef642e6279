/*
 * executor_registry.c — registered executors and their line protocol,
 * driver side (weft/protocol.h: register, registered/rejected, launch,
 * status, kill, shutdown).
 *
 * Owns each executor's connection and what it said when it registered
 * (id, host, node, container, cores).  It is the task scheduler's backend:
 * launch and kill become lines to the executor; status lines, once
 * checked field by field, become task_scheduler_status() calls.  Anything
 * malformed closes that executor and only that executor.
 *
 * A failed send cannot remove the executor on the spot (the scheduler may
 * be iterating over executors): it is marked broken and removed from the
 * loop a moment later.
 */
#include "weft_config.h"

#include "driver/executor_registry.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "common/lineconn.h"
#include "common/log.h"
#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "driver/closing.h"
#include "weft/ids.h"
#include "weft/protocol.h"

#define EXECUTOR_ID_MAX    128
#define EXECUTOR_HOST_MAX  255
#define EXECUTOR_MAX_CORES 4096
/* Executors send at most 4 KiB; a longer tail is a broken peer. */
#define EXECUTOR_STDERR_TAIL_MAX (64 * 1024)

struct executor {
	struct executor_registry *reg;
	struct lineconn *conn;
	char *id;
	char *host;
	char *node_id;
	char *container_id; /* "" when not in a container */
	int cores;
	struct task_executor *record; /* the scheduler's view */
	bool broken;                  /* a send failed: remove soon */
	TAILQ_ENTRY(executor) entry;
};

struct executor_registry {
	struct event_base *base;
	char *secret;
	struct closing *closing;
	struct task_scheduler *ts;
	void (*on_removed)(void *arg, const char *executor_id, const char *node_id,
	                   const char *reason);
	void *arg;
	bool shut_down;
	int count;
	struct event *reap_event;
	TAILQ_HEAD(, executor) executors;
};

static void executor_registry_reap_cb(evutil_socket_t fd, short events, void *arg);
static void executor_launch(void *handle, const struct task_launch *launch, void *arg);
static void executor_kill(void *handle, int64_t task_id, int attempt, void *arg);

/* An empty registry. */
struct executor_registry *
executor_registry_new(struct event_base *base, const char *secret, struct closing *closing,
                      void (*on_removed)(void *arg, const char *executor_id, const char *node_id,
                                         const char *reason),
                      void *arg)
{
	struct executor_registry *reg;

	reg = xcalloc(1, sizeof *reg);
	reg->base = base;
	reg->secret = xstrdup(secret);
	reg->closing = closing;
	reg->on_removed = on_removed;
	reg->arg = arg;
	reg->reap_event = event_new(base, -1, 0, executor_registry_reap_cb, reg);
	if (reg->reap_event == NULL)
		fatalx("executor_registry_new: event_new failed");
	TAILQ_INIT(&reg->executors);
	return reg;
}

/* The scheduler's way to reach executors. */
struct task_backend executor_registry_backend(struct executor_registry *reg)
{
	struct task_backend backend = {executor_launch, executor_kill, reg};

	return backend;
}

/* Wired after both exist (each needs the other). */
void executor_registry_set_scheduler(struct executor_registry *reg, struct task_scheduler *ts)
{
	reg->ts = ts;
}

/* Free an executor's record and connection (already unlinked). */
static void executor_destroy(struct executor *e)
{
	if (e->conn != NULL)
		lineconn_free(e->conn);
	free(e->id);
	free(e->host);
	free(e->node_id);
	free(e->container_id);
	free(e);
}

/* Remove an executor: its tasks go back to the queue, its connection is
 * closed, the driver hears of it. */
static void executor_remove(struct executor *e, const char *reason)
{
	struct executor_registry *reg = e->reg;
	char *id, *node;

	log_info("executor %s (%s, %s) lost: %s", e->id, e->host,
	         *e->container_id != '\0' ? e->container_id : "no container", reason);
	TAILQ_REMOVE(&reg->executors, e, entry);
	reg->count--;
	if (reg->ts != NULL && e->record != NULL)
		task_scheduler_executor_lost(reg->ts, e->record, reason);
	id = e->id;
	node = e->node_id;
	e->id = NULL;
	e->node_id = NULL;
	executor_destroy(e);
	if (reg->on_removed != NULL)
		reg->on_removed(reg->arg, id, node, reason);
	free(id);
	free(node);
}

/* Remove executors whose connection failed under a send. */
static void executor_registry_reap_cb(evutil_socket_t fd, short events, void *arg)
{
	struct executor_registry *reg = arg;
	struct executor *e, *next;

	for (e = TAILQ_FIRST(&reg->executors); e != NULL; e = next) {
		next = TAILQ_NEXT(e, entry);
		if (e->broken) {
			executor_remove(e, "connection failed");
			/* on_removed may have changed the list: start over. */
			next = TAILQ_FIRST(&reg->executors);
		}
	}
}

/* Send a line; a closed connection marks the executor for removal. */
static void executor_send(struct executor *e, struct json_object *msg)
{
	if (e->broken)
		return;
	if (lineconn_send(e->conn, msg) != 0) {
		e->broken = true;
		event_active(e->reg->reap_event, EV_TIMEOUT, 1);
	}
}

/* Backend: start an attempt on an executor. */
static void executor_launch(void *handle, const struct task_launch *launch, void *arg)
{
	struct executor *e = handle;
	struct json_object *msg;

	msg = wjson_new_object();
	wjson_add_string(msg, "type", "launch");
	wjson_add_int(msg, "taskId", launch->task_id);
	wjson_add_int(msg, "attempt", launch->attempt);
	wjson_add_int(msg, "index", launch->index);
	if (launch->payload != NULL)
		wjson_add(msg, "task", json_object_get(launch->payload));
	else
		wjson_add_string(msg, "command", launch->command);
	wjson_add(msg, "env",
	          launch->env != NULL ? json_object_get(launch->env) : wjson_new_object());
	executor_send(e, msg);
	json_object_put(msg);
}

/* Backend: stop an attempt. */
static void executor_kill(void *handle, int64_t task_id, int attempt, void *arg)
{
	struct executor *e = handle;
	struct json_object *msg;

	msg = wjson_new_object();
	wjson_add_string(msg, "type", "kill");
	wjson_add_int(msg, "taskId", task_id);
	wjson_add_int(msg, "attempt", attempt);
	executor_send(e, msg);
	json_object_put(msg);
}

/* Answer {"type":"rejected"} and close once it has left. */
static void executor_registry_reject(struct executor_registry *reg, struct lineconn *c,
                                     const char *reason)
{
	struct json_object *msg;

	log_warn("%s: executor rejected: %s", lineconn_peer(c), reason);
	msg = wjson_new_object();
	wjson_add_string(msg, "type", "rejected");
	wjson_add_string(msg, "reason", reason);
	lineconn_send(c, msg);
	json_object_put(msg);
	closing_add(reg->closing, c);
}

/* Send {"type":"shutdown"} and let the connection close. */
static void executor_registry_send_shutdown(struct executor_registry *reg, struct lineconn *c)
{
	struct json_object *msg;

	msg = wjson_new_object();
	wjson_add_string(msg, "type", "shutdown");
	lineconn_send(c, msg);
	json_object_put(msg);
	closing_add(reg->closing, c);
}

/* Executor ids are short names: [A-Za-z0-9._:-]{1,128}. */
static bool executor_id_valid(const char *id)
{
	size_t len = strlen(id), i;

	if (len == 0 || len > EXECUTOR_ID_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)id[i]) && strchr("._:-", id[i]) == NULL)
			return false;
	}
	return true;
}

/* A host name or address: printable, no spaces, not empty. */
static bool executor_host_valid(const char *host)
{
	size_t len = strlen(host), i;

	if (len == 0 || len > EXECUTOR_HOST_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (!isgraph((unsigned char)host[i]))
			return false;
	}
	return true;
}

/* Decode standard base64 into a new buffer.  RET 0 / -1. */
static int executor_base64_decode(const char *text, size_t len, char **out, size_t *out_len)
{
	size_t pad = 0;
	int n;

	if (len % 4 != 0 || len > INT_MAX)
		return -1;
	*out = xmalloc(len / 4 * 3 + 1);
	if (len == 0) {
		*out_len = 0;
		(*out)[0] = '\0';
		return 0;
	}
	n = EVP_DecodeBlock((unsigned char *)*out, (const unsigned char *)text, (int)len);
	if (n < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	/* EVP_DecodeBlock counts padding as zero bytes. */
	if (text[len - 1] == '=')
		pad++;
	if (text[len - 2] == '=')
		pad++;
	*out_len = (size_t)n - pad;
	(*out)[*out_len] = '\0';
	return 0;
}

/* Parse a status line into st; *decoded holds a decoded stdout the caller
 * frees.  RET 0 / -1 with *cause naming the field. */
int executor_registry_parse_status(struct json_object *msg, struct task_status *st, char **decoded,
                                   char **cause)
{
	const char *state = NULL, *out = NULL, *encoding = NULL, *tail = NULL;
	int64_t task_id, attempt, exit_code = 0, size = -1;
	bool truncated = false;

	memset(st, 0, sizeof *st);
	*decoded = NULL;
	if (wjson_get_int(msg, "", "taskId", true, 0, INT64_MAX, &task_id, cause) != 0 ||
	    wjson_get_int(msg, "", "attempt", true, 0, INT_MAX, &attempt, cause) != 0 ||
	    wjson_get_string(msg, "", "state", true, &state, cause) != 0)
		return -1;
	if (strcmp(state, "RUNNING") == 0)
		st->state = TASK_REPORT_RUNNING;
	else if (strcmp(state, "FINISHED") == 0)
		st->state = TASK_REPORT_FINISHED;
	else if (strcmp(state, "FAILED") == 0)
		st->state = TASK_REPORT_FAILED;
	else if (strcmp(state, "KILLED") == 0)
		st->state = TASK_REPORT_KILLED;
	else
		return set_cause(cause, "state: unknown state '%.32s'", state);
	if (wjson_get_int(msg, "", "exitCode", st->state != TASK_REPORT_RUNNING, INT_MIN, INT_MAX,
	                  &exit_code, cause) != 0 ||
	    wjson_get_string(msg, "", "stdout", false, &out, cause) != 0 ||
	    wjson_get_string(msg, "", "stdoutEncoding", false, &encoding, cause) != 0 ||
	    wjson_get_bool(msg, "", "stdoutTruncated", false, &truncated, cause) != 0 ||
	    wjson_get_int(msg, "", "stdoutSize", false, 0, INT64_MAX, &size, cause) != 0 ||
	    wjson_get_string(msg, "", "stderrTail", false, &tail, cause) != 0 ||
	    wjson_get_object(msg, "", "result", false, &st->result, cause) != 0)
		return -1;
	if (tail != NULL && strlen(tail) > EXECUTOR_STDERR_TAIL_MAX)
		return set_cause(cause, "stderrTail: longer than %d bytes",
		                 EXECUTOR_STDERR_TAIL_MAX);
	st->task_id = task_id;
	st->attempt = (int)attempt;
	st->exit_code = (int)exit_code;
	st->stderr_tail = tail;
	st->stdout_truncated = truncated;
	if (out != NULL) {
		if (encoding != NULL && strcmp(encoding, "base64") == 0) {
			if (executor_base64_decode(out, strlen(out), decoded, &st->stdout_len) != 0)
				return set_cause(cause, "stdout: not valid base64");
			st->stdout_data = *decoded;
		} else if (encoding != NULL && strcmp(encoding, "utf-8") != 0) {
			return set_cause(cause, "stdoutEncoding: unknown encoding '%.32s'",
			                 encoding);
		} else {
			st->stdout_data = out;
			st->stdout_len = strlen(out);
		}
	}
	st->stdout_size = size >= 0 ? size : (int64_t)st->stdout_len;
	return 0;
}

/* A line from a registered executor: only status reports are expected. */
static void executor_message_cb(struct lineconn *c, struct json_object *msg, void *arg)
{
	struct executor *e = arg;
	struct task_status st;
	const char *type = NULL;
	char *cause = NULL, *decoded = NULL, *reason;

	if (wjson_get_string(msg, "", "type", true, &type, &cause) != 0)
		goto bad;
	if (strcmp(type, "status") != 0) {
		cause = xasprintf("type: unexpected message '%.32s'", type);
		goto bad;
	}
	if (executor_registry_parse_status(msg, &st, &decoded, &cause) != 0)
		goto bad;
	if (e->reg->ts != NULL && e->record != NULL &&
	    task_scheduler_status(e->reg->ts, e->record, &st, &cause) != 0) {
		free(decoded);
		goto bad;
	}
	free(decoded);
	return;
bad:
	reason = xasprintf("bad message: %s", cause);
	executor_remove(e, reason);
	free(reason);
	free(cause);
}

/* The executor's connection dropped. */
static void executor_close_cb(struct lineconn *c, const char *reason, void *arg)
{
	struct executor *e = arg;
	char *why;

	why = xasprintf("connection closed (%s)", reason);
	executor_remove(e, why);
	free(why);
}

/* Check a register message.  RET 0 / -1 with *cause. */
static int executor_registry_check(struct executor_registry *reg, struct json_object *msg,
                                   struct executor *e, char **cause)
{
	const char *id, *secret, *host, *node_id = NULL, *container_id = NULL, *work_dir = NULL;
	int64_t cores, pid = 0;
	weft_container_id_t cid;
	struct executor *other;

	if (wjson_get_string(msg, "", "executorId", true, &id, cause) != 0 ||
	    wjson_get_string(msg, "", "secret", true, &secret, cause) != 0 ||
	    wjson_get_string(msg, "", "host", true, &host, cause) != 0 ||
	    wjson_get_string(msg, "", "nodeId", false, &node_id, cause) != 0 ||
	    wjson_get_string(msg, "", "containerId", false, &container_id, cause) != 0 ||
	    wjson_get_int(msg, "", "cores", true, 1, EXECUTOR_MAX_CORES, &cores, cause) != 0 ||
	    wjson_get_string(msg, "", "workDir", false, &work_dir, cause) != 0 ||
	    wjson_get_int(msg, "", "pid", false, 0, INT_MAX, &pid, cause) != 0)
		return -1;
	/* The secret first: a stranger learns nothing about the rest. */
	if (!security_equal(secret, reg->secret))
		return set_cause(cause, "wrong application secret");
	if (!executor_id_valid(id))
		return set_cause(cause, "executorId: expected [A-Za-z0-9._:-]{1,%d}",
		                 EXECUTOR_ID_MAX);
	if (!executor_host_valid(host))
		return set_cause(cause, "host: not a host name");
	if (node_id != NULL && *node_id != '\0' && !executor_host_valid(node_id))
		return set_cause(cause, "nodeId: not a node id");
	if (container_id != NULL && *container_id != '\0' &&
	    weft_container_id_parse(container_id, &cid) != 0)
		return set_cause(cause, "containerId: not a container id");
	TAILQ_FOREACH(other, &reg->executors, entry)
	{
		if (strcmp(other->id, id) == 0)
			return set_cause(cause, "executor %s is already registered", id);
	}
	e->id = xstrdup(id);
	e->host = xstrdup(host);
	e->node_id = xstrdup(node_id != NULL && *node_id != '\0' ? node_id : host);
	e->container_id = xstrdup(container_id != NULL ? container_id : "");
	e->cores = (int)cores;
	log_info("executor %s registered from %s: host %s, node %s, %s, %d core%s, pid %" PRId64
	         ", work dir %s",
	         e->id, lineconn_peer(e->conn), e->host, e->node_id,
	         *e->container_id != '\0' ? e->container_id : "no container", e->cores,
	         e->cores == 1 ? "" : "s", pid, work_dir != NULL ? work_dir : "?");
	return 0;
}

/* First message of a connection was a register: admit or reject. */
void executor_registry_register(struct executor_registry *reg, struct lineconn *c,
                                struct json_object *msg)
{
	struct json_object *answer;
	struct executor *e;
	char *cause = NULL;

	if (reg->shut_down) {
		log_info("%s: executor registering after the job ended: shutdown",
		         lineconn_peer(c));
		executor_registry_send_shutdown(reg, c);
		return;
	}
	e = xcalloc(1, sizeof *e);
	e->reg = reg;
	e->conn = c;
	if (executor_registry_check(reg, msg, e, &cause) != 0) {
		e->conn = NULL;
		executor_destroy(e);
		executor_registry_reject(reg, c, cause);
		free(cause);
		return;
	}
	TAILQ_INSERT_TAIL(&reg->executors, e, entry);
	reg->count++;
	lineconn_set_callbacks(c, executor_message_cb, executor_close_cb, e);

	answer = wjson_new_object();
	wjson_add_string(answer, "type", "registered");
	executor_send(e, answer);
	json_object_put(answer);
	/* Only now may tasks be launched on it (after "registered"). */
	if (reg->ts != NULL)
		e->record = task_scheduler_executor_added(reg->ts, e->id, e->host, e->node_id,
		                                          e->cores, e);
}

/* The AM (or the host) says a container ended. */
bool executor_registry_lose_container(struct executor_registry *reg, const char *container_id,
                                      int exit_status, const char *diagnostics)
{
	struct executor *e;
	char *reason;

	if (container_id == NULL || *container_id == '\0')
		return false;
	TAILQ_FOREACH(e, &reg->executors, entry)
	{
		if (strcmp(e->container_id, container_id) == 0)
			break;
	}
	if (e == NULL)
		return false;
	reason = xasprintf("container %s exited with status %d%s%s", container_id, exit_status,
	                   diagnostics != NULL && *diagnostics != '\0' ? ": " : "",
	                   diagnostics != NULL ? diagnostics : "");
	executor_remove(e, reason);
	free(reason);
	return true;
}

/* Executors registered and alive. */
int executor_registry_count(const struct executor_registry *reg)
{
	return reg->count;
}

/* The job is over: every executor is told so. */
void executor_registry_shutdown(struct executor_registry *reg)
{
	struct executor *e;

	reg->shut_down = true;
	while ((e = TAILQ_FIRST(&reg->executors)) != NULL) {
		TAILQ_REMOVE(&reg->executors, e, entry);
		reg->count--;
		if (reg->ts != NULL && e->record != NULL)
			task_scheduler_executor_lost(reg->ts, e->record, "the job is over");
		if (!e->broken) {
			executor_registry_send_shutdown(reg, e->conn);
			e->conn = NULL;
		}
		executor_destroy(e);
	}
}

/* Close everything now. */
void executor_registry_free(struct executor_registry *reg)
{
	struct executor *e;

	if (reg == NULL)
		return;
	while ((e = TAILQ_FIRST(&reg->executors)) != NULL) {
		TAILQ_REMOVE(&reg->executors, e, entry);
		executor_destroy(e);
	}
	event_free(reg->reap_event);
	free(reg->secret);
	free(reg);
}

/* The container an executor runs in ("" when none). */
const char *executor_registry_container(const void *handle)
{
	const struct executor *e = handle;

	return e->container_id;
}

/* Release an executor: no new task goes to it; its connection stays until
 * its container is stopped (the driver asks the AM) or it leaves. */
void executor_registry_release(struct executor_registry *reg, void *handle)
{
	struct executor *e = handle;

	if (reg->ts != NULL && e->record != NULL)
		task_scheduler_executor_disable(reg->ts, e->record);
	log_info("executor %s (%s) released", e->id,
	         *e->container_id != '\0' ? e->container_id : "no container");
}
