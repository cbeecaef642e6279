/*
 * executor_registry.c — registered executors and their line protocol,
 * driver side (weft/protocol.h: register, registered/rejected, launch,
 * status, kill, shutdown).
 *
 * Owns each executor's connection and what it said when it registered
 * (id, host, node, container, cores).  A register is only a claim: the
 * driver answers a challenge (its nonce and its proof of the application
 * secret) and admits the executor once its auth line proves the secret
 * too; until then the executor is pending, not known to the scheduler,
 * and is sent nothing else.  The secret itself never travels.  It is the task scheduler's backend:
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

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "common/lineconn.h"
#include "common/log.h"
#include "common/proto_task.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "driver/closing.h"
#include "weft/protocol.h"

/* A challenged executor that has not answered by then is dropped, as a
 * connection that says nothing is (driver.c's DRIVER_HANDSHAKE_MS). */
#define EXECUTOR_AUTH_MS 30000

struct executor {
	struct executor_registry *reg;
	struct event *auth_timer; /* pending: the deadline for auth */
	struct lineconn *conn;
	char *id;
	char *host;
	char *node_id;
	char *container_id; /* "" when not in a container */
	int cores;
	char *executor_nonce;         /* pending: the nonce of its register */
	char *driver_nonce;           /* pending: the nonce of our challenge */
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
	TAILQ_HEAD(, executor) pending; /* challenged, not yet authenticated */
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
	TAILQ_INIT(&reg->pending);
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
	if (e->auth_timer != NULL)
		event_free(e->auth_timer);
	if (e->conn != NULL)
		lineconn_free(e->conn);
	free(e->id);
	free(e->host);
	free(e->node_id);
	free(e->container_id);
	free(e->executor_nonce);
	free(e->driver_nonce);
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
	struct proto_task_launch m;
	struct json_object *msg;

	memset(&m, 0, sizeof m);
	m.task_id = launch->task_id;
	m.attempt = launch->attempt;
	m.index = launch->index;
	m.command = launch->command;
	m.env = launch->env;
	m.task = launch->payload;
	msg = proto_task_launch_encode(&m);
	executor_send(e, msg);
	json_object_put(msg);
}

/* Backend: stop an attempt. */
static void executor_kill(void *handle, int64_t task_id, int attempt, void *arg)
{
	struct executor *e = handle;
	struct proto_task_kill m = {task_id, attempt};
	struct json_object *msg = proto_task_kill_encode(&m);

	executor_send(e, msg);
	json_object_put(msg);
}

/* Answer {"type":"rejected"} and close once it has left. */
static void executor_registry_reject(struct executor_registry *reg, struct lineconn *c,
                                     const char *reason)
{
	struct proto_task_rejected m = {reason};
	struct json_object *msg;

	log_warn("%s: executor rejected: %s", lineconn_peer(c), reason);
	msg = proto_task_rejected_encode(&m);
	lineconn_send(c, msg);
	json_object_put(msg);
	closing_add(reg->closing, c);
}

/* Send {"type":"shutdown"} and let the connection close. */
static void executor_registry_send_shutdown(struct executor_registry *reg, struct lineconn *c)
{
	struct json_object *msg;

	msg = proto_task_shutdown_encode();
	lineconn_send(c, msg);
	json_object_put(msg);
	closing_add(reg->closing, c);
}

/* The scheduler's view of a status line. */
static void executor_status_view(const struct proto_task_status *m, struct task_status *st)
{
	static const enum task_report reports[] = {
	        [PROTO_TASK_RUNNING] = TASK_REPORT_RUNNING,
	        [PROTO_TASK_FINISHED] = TASK_REPORT_FINISHED,
	        [PROTO_TASK_FAILED] = TASK_REPORT_FAILED,
	        [PROTO_TASK_KILLED] = TASK_REPORT_KILLED,
	};

	memset(st, 0, sizeof *st);
	st->task_id = m->task_id;
	st->attempt = m->attempt;
	st->state = reports[m->state];
	st->exit_code = m->exit_code;
	st->stdout_data = m->stdout_data;
	st->stdout_len = m->stdout_len;
	st->stdout_truncated = m->stdout_truncated;
	st->stdout_size = m->stdout_size;
	st->stderr_tail = m->stderr_tail;
	st->result = m->result;
}

/* A line from a registered executor: only status reports are expected. */
static void executor_message_cb(struct lineconn *c, struct json_object *msg, void *arg)
{
	struct executor *e = arg;
	struct proto_task_status m;
	struct task_status st;
	enum proto_task_type type;
	const char *name = NULL;
	char *cause = NULL, *reason;

	memset(&m, 0, sizeof m);
	if (proto_task_type_decode(msg, &type, &name, &cause) != 0)
		goto bad;
	if (type != PROTO_TASK_STATUS) {
		cause = xasprintf("type: unexpected message '%.32s'", name);
		goto bad;
	}
	if (proto_task_status_decode(msg, &m, &cause) != 0)
		goto bad;
	executor_status_view(&m, &st);
	if (e->reg->ts != NULL && e->record != NULL &&
	    task_scheduler_status(e->reg->ts, e->record, &st, &cause) != 0)
		goto bad;
	proto_task_status_clear(&m);
	return;
bad:
	proto_task_status_clear(&m);
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

/* Is an executor of this id registered or being challenged? */
static bool executor_registry_has(struct executor_registry *reg, const char *id)
{
	struct executor *other;

	TAILQ_FOREACH(other, &reg->executors, entry)
	{
		if (strcmp(other->id, id) == 0)
			return true;
	}
	TAILQ_FOREACH(other, &reg->pending, entry)
	{
		if (strcmp(other->id, id) == 0)
			return true;
	}
	return false;
}

/* Check a register message and keep what it claims.  RET 0 / -1 with
 * *cause. */
static int executor_registry_check(struct executor_registry *reg, struct json_object *msg,
                                   struct executor *e, char **cause)
{
	struct proto_task_register m;

	if (proto_task_register_decode(msg, &m, cause) != 0)
		return -1;
	if (executor_registry_has(reg, m.executor_id))
		return set_cause(cause, "executor %s is already registered", m.executor_id);
	e->id = xstrdup(m.executor_id);
	e->executor_nonce = xstrdup(m.nonce);
	e->host = xstrdup(m.host);
	e->node_id = xstrdup(m.node_id != NULL && *m.node_id != '\0' ? m.node_id : m.host);
	e->container_id = xstrdup(m.container_id != NULL ? m.container_id : "");
	e->cores = m.cores;
	log_debug("executor %s from %s: host %s, node %s, %s, %d core%s, pid %" PRId64
	          ", work dir %s: challenged",
	          e->id, lineconn_peer(e->conn), e->host, e->node_id,
	          *e->container_id != '\0' ? e->container_id : "no container", e->cores,
	          e->cores == 1 ? "" : "s", m.pid, m.work_dir != NULL ? m.work_dir : "?");
	return 0;
}

/* A pending executor is refused: rejected, then closed. */
static void executor_pending_refuse(struct executor *e, const char *reason)
{
	struct executor_registry *reg = e->reg;
	struct lineconn *c = e->conn;

	TAILQ_REMOVE(&reg->pending, e, entry);
	e->conn = NULL;
	executor_destroy(e);
	executor_registry_reject(reg, c, reason);
}

/* The pending executor proved the secret: it joins the scheduler. */
static void executor_admit(struct executor *e)
{
	struct executor_registry *reg = e->reg;
	struct json_object *answer;

	TAILQ_REMOVE(&reg->pending, e, entry);
	event_free(e->auth_timer);
	e->auth_timer = NULL;
	free(e->executor_nonce);
	free(e->driver_nonce);
	e->executor_nonce = e->driver_nonce = NULL;
	TAILQ_INSERT_TAIL(&reg->executors, e, entry);
	reg->count++;
	lineconn_set_callbacks(e->conn, executor_message_cb, executor_close_cb, e);
	log_info("executor %s registered from %s: host %s, node %s, %s, %d core%s", e->id,
	         lineconn_peer(e->conn), e->host, e->node_id,
	         *e->container_id != '\0' ? e->container_id : "no container", e->cores,
	         e->cores == 1 ? "" : "s");

	answer = proto_task_registered_encode();
	executor_send(e, answer);
	json_object_put(answer);
	/* Only now may tasks be launched on it (after "registered"). */
	if (reg->ts != NULL)
		e->record = task_scheduler_executor_added(reg->ts, e->id, e->host, e->node_id,
		                                          e->cores, e);
}

/* The answer to our challenge: the executor's proof, or a refusal. */
static void executor_pending_message_cb(struct lineconn *c, struct json_object *msg, void *arg)
{
	struct executor *e = arg;
	struct proto_task_auth m;
	enum proto_task_type type;
	const char *name = NULL;
	char *cause = NULL, *why, proof[65];

	if (proto_task_type_decode(msg, &type, &name, &cause) != 0 ||
	    (type == PROTO_TASK_AUTH && proto_task_auth_decode(msg, &m, &cause) != 0)) {
		why = xasprintf("bad auth: %s", cause);
		executor_pending_refuse(e, why);
		free(why);
		free(cause);
		return;
	}
	if (type != PROTO_TASK_AUTH) {
		why = xasprintf("type: expected auth, got '%.32s'", name);
		executor_pending_refuse(e, why);
		free(why);
		return;
	}
	proto_task_proof(e->reg->secret, PROTO_TASK_ROLE_EXECUTOR, e->id, e->executor_nonce,
	                 e->driver_nonce, proof);
	if (!security_equal(m.proof, proof)) {
		executor_pending_refuse(e, "wrong application secret");
		return;
	}
	executor_admit(e);
}

/* A pending executor left before it proved anything. */
static void executor_pending_close_cb(struct lineconn *c, const char *reason, void *arg)
{
	struct executor *e = arg;

	log_info("%s: executor %s left before authenticating: %s", lineconn_peer(c), e->id, reason);
	TAILQ_REMOVE(&e->reg->pending, e, entry);
	executor_destroy(e);
}

/* A challenged executor did not answer in time. */
static void executor_pending_timeout_cb(evutil_socket_t fd, short events, void *arg)
{
	executor_pending_refuse(arg, "no auth in time");
}

/* First message of a connection was a register: challenge or reject. */
void executor_registry_register(struct executor_registry *reg, struct lineconn *c,
                                struct json_object *msg)
{
	struct proto_task_challenge m;
	struct timeval tv = {EXECUTOR_AUTH_MS / 1000, 0};
	struct json_object *answer;
	struct executor *e;
	char *cause = NULL, proof[65];

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
	e->driver_nonce = security_random_hex(PROTO_TASK_NONCE_BYTES);
	proto_task_proof(reg->secret, PROTO_TASK_ROLE_DRIVER, e->id, e->executor_nonce,
	                 e->driver_nonce, proof);
	TAILQ_INSERT_TAIL(&reg->pending, e, entry);
	e->auth_timer = evtimer_new(reg->base, executor_pending_timeout_cb, e);
	if (e->auth_timer == NULL)
		fatalx("executor_registry_register: evtimer_new failed");
	evtimer_add(e->auth_timer, &tv);
	lineconn_set_callbacks(c, executor_pending_message_cb, executor_pending_close_cb, e);
	m.nonce = e->driver_nonce;
	m.proof = proof;
	answer = proto_task_challenge_encode(&m);
	if (lineconn_send(c, answer) != 0)
		log_info("%s: executor %s: cannot send the challenge", lineconn_peer(c), e->id);
	json_object_put(answer);
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
	while ((e = TAILQ_FIRST(&reg->pending)) != NULL) {
		TAILQ_REMOVE(&reg->pending, e, entry);
		executor_registry_send_shutdown(reg, e->conn);
		e->conn = NULL;
		executor_destroy(e);
	}
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
	while ((e = TAILQ_FIRST(&reg->pending)) != NULL) {
		TAILQ_REMOVE(&reg->pending, e, entry);
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
