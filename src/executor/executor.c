/*
 * executor.c — weft-executor: the executor side of the driver line
 * protocol (weft/protocol.h, messages in common/proto_task.h) and the
 * life of each task it runs.
 *
 * Owns the connection to the driver (dialled with a short backoff when
 * the first attempts fail), the registration, and every running task: a
 * child in its own process group (proc.h) running /bin/sh -c COMMAND in
 * a slot directory of its own (executor_slot.c, at most --cores at once)
 * with the environment executor_env.c builds.  When the task exits,
 * whatever is left of its process group is killed, its output goes back
 * in one status line (executor_output.c), and its slot is emptied.
 *
 * A dataflow task (a launch with "task") runs the same way, except that
 * the child is this program's task runner (task_runner.h) reading the
 * task file the executor wrote into its slot, and the status adds the
 * result the runner wrote back.
 *
 * The executor leaves when the driver says shutdown (exit 0), when the
 * driver's connection drops or it is rejected (exit 1, like Spark's
 * "driver disassociated"), or on SIGTERM (exit 143); its tasks are
 * terminated first, each group SIGTERMed then SIGKILLed.
 */
#include "weft_config.h"

#include "executor/executor.h"

#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include "common/lineconn.h"
#include "common/log.h"
#include "common/proc.h"
#include "common/proto_task.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "executor/executor_env.h"
#include "executor/executor_output.h"
#include "executor/executor_slot.h"
#include "weft/protocol.h"

/* Dialling the driver: attempts, and the first backoff (doubling). */
#define EXECUTOR_CONNECT_ATTEMPTS   6
#define EXECUTOR_CONNECT_BACKOFF_MS 100
/* SIGTERM to SIGKILL for a killed task, and when the NM stops us (it
 * SIGKILLs us after nm.sleep-delay-before-sigkill-ms, 250 by default). */
#define EXECUTOR_TASK_GRACE_MS   250
#define EXECUTOR_STOP_GRACE_MS   100
#define EXECUTOR_MIN_TASK_BUDGET ((size_t)32 * 1024 * 1024)

struct exec_task {
	struct executor *e;
	int64_t task_id;
	int attempt;
	int index;
	char *dir; /* its slot's directory */
	char *cwd;
	struct proc *proc; /* NULL once reaped */
	pid_t pid;
	bool killing;
	bool dataflow; /* run by the task runner: has a result.json */
	int slot;      /* -1 before one is taken */
	TAILQ_ENTRY(exec_task) entry;
};

struct executor {
	struct event_base *base;
	char *driver_host;
	int driver_port;
	char *id;
	int cores;
	char *secret;
	char *host;
	char *node_id;
	char *container_id;
	char *work_dir;
	char *self_path;       /* this program, run as the task runner */
	char **local_dir_list; /* where map outputs and blocks go */
	int n_local_dirs;
	char *app_id;
	size_t task_budget; /* bytes a dataflow task may sort in memory */

	struct lineconn *conn;
	char *nonce;        /* this connection's handshake nonce */
	bool authenticated; /* the driver proved the secret; we answered */
	bool registered;
	int connect_attempts;
	struct event *retry_timer;

	bool exiting;
	bool exited; /* the exit callback ran */
	int exit_code;
	struct event *exit_timer; /* deadline for tasks to go */
	struct event *exit_event; /* the exit callback, from the loop */
	executor_exit_cb cb;
	void *arg;

	int n_tasks;
	TAILQ_HEAD(, exec_task) tasks;
	struct executor_slots *slots;
};

static void executor_connect(struct executor *e);
static void executor_finish(struct executor *e, int exit_code, const char *why);

/* ------------------------------------------------------------------ */
/* Talking to the driver. */

/* Send a line (a dropped connection shows up as a close). */
static void executor_send(struct executor *e, struct json_object *msg)
{
	if (e->conn != NULL)
		lineconn_send(e->conn, msg);
	json_object_put(msg);
}

/* A RUNNING report. */
static void executor_send_running(struct executor *e, const struct exec_task *t)
{
	struct proto_task_status st;

	memset(&st, 0, sizeof st);
	st.task_id = t->task_id;
	st.attempt = t->attempt;
	st.state = PROTO_TASK_RUNNING;
	st.stdout_size = -1;
	executor_send(e, proto_task_status_encode(&st));
}

/* A FAILED report for a task that could not start. */
static void executor_send_failed(struct executor *e, const struct exec_task *t, const char *why)
{
	struct proto_task_status st;
	char *tail;

	log_warn("task %" PRId64 " attempt %d: %s", t->task_id, t->attempt, why);
	tail = xasprintf("weft-executor %s: %s", e->id, why);
	memset(&st, 0, sizeof st);
	st.task_id = t->task_id;
	st.attempt = t->attempt;
	st.state = PROTO_TASK_FAILED;
	st.exit_code = -1;
	st.stdout_size = -1;
	st.stderr_tail = tail;
	executor_send(e, proto_task_status_encode(&st));
	free(tail);
}

/* ------------------------------------------------------------------ */
/* Tasks. */

/* Forget a task and give its slot back. */
static void executor_task_free(struct exec_task *t)
{
	struct executor *e = t->e;

	TAILQ_REMOVE(&e->tasks, t, entry);
	e->n_tasks--;
	if (t->slot >= 0)
		executor_slots_give_back(e->slots, t->slot);
	free(t->dir);
	free(t->cwd);
	free(t);
}

/* The last task is gone while leaving: exit now. */
static void executor_maybe_exit(struct executor *e)
{
	if (e->exiting && e->n_tasks == 0)
		event_active(e->exit_event, EV_TIMEOUT, 1);
}

/* A task's process exited: report it and clean up. */
static void executor_task_exit_cb(struct proc *p, int wait_status, void *arg)
{
	struct exec_task *t = arg;
	struct executor *e = t->e;
	enum proto_task_state state;
	int code;

	t->proc = NULL; /* proc.c frees it after this callback */
	/* Whatever the task left running in its group goes with it. */
	kill(-t->pid, SIGKILL);
	code = proc_exit_code(wait_status);
	if (!e->exiting) {
		state = t->killing  ? PROTO_TASK_KILLED
		        : code == 0 ? PROTO_TASK_FINISHED
		                    : PROTO_TASK_FAILED;
		log_info("task %d (TID %" PRId64 ", attempt %d) %s, exit code %d", t->index,
		         t->task_id, t->attempt, proto_task_state_name(state), code);
		executor_send(e, executor_output_final_status(t->dir, t->task_id, t->attempt, state,
		                                              code, t->dataflow));
	}
	executor_task_free(t);
	executor_maybe_exit(e);
}

/* The running task with this id and attempt. */
static struct exec_task *executor_task_find(struct executor *e, int64_t task_id, int attempt)
{
	struct exec_task *t;

	TAILQ_FOREACH(t, &e->tasks, entry)
	{
		if (t->task_id == task_id && t->attempt == attempt)
			return t;
	}
	return NULL;
}

/* A dataflow task's file for the runner: the driver's task and what only
 * this executor knows (its node, local dirs, the application and its
 * secret, the memory a task may use). */
static int executor_write_task(const struct executor *e, const struct exec_task *t,
                               struct proto_task_spec *spec, char **cause)
{
	int rc;

	spec->task_id = t->task_id;
	spec->attempt = t->attempt;
	spec->app_id = e->app_id;
	spec->node_id = e->node_id;
	spec->secret = e->secret;
	spec->local_dirs = e->local_dir_list;
	spec->n_local_dirs = e->n_local_dirs;
	spec->budget = e->task_budget;
	rc = executor_slot_write_task(t->dir, spec, cause);
	/* Borrowed: proto_task_launch_clear must not free them. */
	spec->app_id = spec->node_id = spec->secret = NULL;
	spec->local_dirs = NULL;
	spec->n_local_dirs = 0;
	return rc;
}

/* {"type":"launch"}: start the task, or report why it cannot start. */
static void executor_launch(struct executor *e, struct json_object *msg)
{
	struct proto_task_launch m;
	struct exec_task *t;
	struct proc_spec spec;
	char *argv[4];
	char *cause = NULL, **envp;
	int rc;

	rc = proto_task_launch_decode(msg, &m, &cause);
	if (rc != 0 && (m.task_id < 0 || m.attempt < 0)) {
		log_warn("ignoring a launch I cannot answer: %s", cause);
		free(cause);
		proto_task_launch_clear(&m);
		return;
	}
	if (executor_task_find(e, m.task_id, m.attempt) != NULL) {
		log_warn("task %" PRId64 " attempt %d is already running", m.task_id, m.attempt);
		free(cause);
		proto_task_launch_clear(&m);
		return;
	}

	t = xcalloc(1, sizeof *t);
	t->e = e;
	t->slot = -1;
	t->task_id = m.task_id;
	t->attempt = m.attempt;
	TAILQ_INSERT_TAIL(&e->tasks, t, entry);
	e->n_tasks++;
	if (rc != 0)
		goto failed;
	t->index = m.index;
	t->slot = executor_slots_take(e->slots, &cause);
	if (t->slot < 0)
		goto failed;
	t->dir = xstrdup(executor_slots_dir(e->slots, t->slot));
	t->cwd = xasprintf("%s/work", t->dir);

	memset(&spec, 0, sizeof spec);
	if (m.task != NULL) {
		t->dataflow = true;
		if (executor_write_task(e, t, &m.spec, &cause) != 0)
			goto failed;
		argv[0] = e->self_path;
		argv[1] = "--run-task";
		argv[2] = t->dir;
		argv[3] = NULL;
		spec.argv = argv;
	}
	envp = executor_env_build(e->id, t->index, t->attempt, t->cwd, m.env);
	spec.command = m.command;
	spec.env = envp;
	spec.cwd = t->cwd;
	spec.stdout_path = xasprintf("%s/stdout", t->dir);
	spec.stderr_path = xasprintf("%s/stderr", t->dir);
	t->proc = proc_spawn(&spec, executor_task_exit_cb, t, &cause);
	executor_env_free(envp);
	free((char *)spec.stdout_path);
	free((char *)spec.stderr_path);
	if (t->proc == NULL)
		goto failed;
	t->pid = proc_pid(t->proc);
	log_info("task %d (TID %" PRId64 ", attempt %d) started, pid %ld", t->index, t->task_id,
	         t->attempt, (long)t->pid);
	executor_send_running(e, t);
	proto_task_launch_clear(&m);
	return;
failed:
	executor_send_failed(e, t, cause);
	free(cause);
	executor_task_free(t);
	proto_task_launch_clear(&m);
}

/* {"type":"kill"}: stop a task; it reports KILLED when it is gone. */
static void executor_kill(struct executor *e, struct json_object *msg)
{
	struct proto_task_kill m;
	struct exec_task *t;
	char *cause = NULL;

	if (proto_task_kill_decode(msg, &m, &cause) != 0) {
		log_warn("ignoring a bad kill message: %s", cause);
		free(cause);
		return;
	}
	t = executor_task_find(e, m.task_id, m.attempt);
	if (t == NULL || t->proc == NULL) {
		log_debug("kill: task %" PRId64 " attempt %d is not running", m.task_id, m.attempt);
		return;
	}
	log_info("killing task %d (TID %" PRId64 ", attempt %d)", t->index, t->task_id, t->attempt);
	t->killing = true;
	proc_terminate(t->proc, EXECUTOR_TASK_GRACE_MS);
}

/* ------------------------------------------------------------------ */
/* The connection. */

/* The driver's challenge: check its proof of the application secret
 * before anything else, then prove ours.  A driver that cannot is not
 * ours: nothing it sends is run. */
static void executor_challenge(struct executor *e, struct json_object *msg)
{
	struct proto_task_challenge m;
	struct proto_task_auth auth;
	char *cause = NULL, *why, proof[65];

	if (proto_task_challenge_decode(msg, &m, &cause) != 0) {
		why = xasprintf("bad challenge from the driver at %s:%d: %s", e->driver_host,
		                e->driver_port, cause);
		executor_finish(e, 1, why);
		free(why);
		free(cause);
		return;
	}
	proto_task_proof(e->secret, PROTO_TASK_ROLE_DRIVER, e->id, e->nonce, m.nonce, proof);
	if (!security_equal(m.proof, proof)) {
		why = xasprintf("the driver at %s:%d does not prove the application secret: "
		                "wrong application secret",
		                e->driver_host, e->driver_port);
		executor_finish(e, 1, why);
		free(why);
		return;
	}
	e->authenticated = true;
	proto_task_proof(e->secret, PROTO_TASK_ROLE_EXECUTOR, e->id, e->nonce, m.nonce, proof);
	auth.proof = proof;
	executor_send(e, proto_task_auth_encode(&auth));
}

/* A line from the driver. */
static void executor_message_cb(struct lineconn *c, struct json_object *msg, void *arg)
{
	struct executor *e = arg;
	struct proto_task_rejected rejected;
	enum proto_task_type type;
	const char *name = NULL;
	char *cause = NULL, *why;

	if (proto_task_type_decode(msg, &type, &name, &cause) != 0) {
		log_warn("ignoring a message from the driver: %s", cause);
		free(cause);
		return;
	}
	if (type == PROTO_TASK_SHUTDOWN) {
		executor_finish(e, 0, "the driver said shutdown");
	} else if (type == PROTO_TASK_REJECTED) {
		if (proto_task_rejected_decode(msg, &rejected, &cause) != 0) {
			log_warn("rejected: %s", cause);
			free(cause);
			rejected.reason = NULL;
		}
		why = xasprintf("the driver rejected this executor: %s",
		                rejected.reason != NULL ? rejected.reason : "no reason given");
		executor_finish(e, 1, why);
		free(why);
	} else if (type == PROTO_TASK_CHALLENGE && !e->registered && !e->authenticated) {
		executor_challenge(e, msg);
	} else if (type == PROTO_TASK_REGISTERED && !e->authenticated) {
		executor_finish(e, 1, "the driver said registered before it proved the secret");
	} else if (type == PROTO_TASK_REGISTERED) {
		if (!e->registered)
			log_info("registered with the driver at %s:%d", e->driver_host,
			         e->driver_port);
		e->registered = true;
	} else if (!e->registered) {
		why = xasprintf("the driver sent '%.32s' before registered", name);
		executor_finish(e, 1, why);
		free(why);
	} else if (type == PROTO_TASK_LAUNCH) {
		if (!e->exiting)
			executor_launch(e, msg);
	} else if (type == PROTO_TASK_KILL) {
		executor_kill(e, msg);
	} else {
		log_warn("ignoring an unknown message '%.32s' from the driver", name);
	}
}

/* Retry dialling after the backoff. */
static void executor_retry_cb(evutil_socket_t fd, short events, void *arg)
{
	executor_connect(arg);
}

/* The connection is gone (or never came up). */
static void executor_close_cb(struct lineconn *c, const char *reason, void *arg)
{
	struct executor *e = arg;
	struct timeval tv;
	char *why;
	int ms;

	lineconn_free(c);
	if (e->conn == c)
		e->conn = NULL;
	if (e->exiting)
		return;
	if (e->registered) {
		why = xasprintf("lost the connection to the driver: %s", reason);
		executor_finish(e, 1, why);
		free(why);
		return;
	}
	if (e->connect_attempts >= EXECUTOR_CONNECT_ATTEMPTS) {
		why = xasprintf("cannot reach the driver at %s:%d after %d attempts: %s",
		                e->driver_host, e->driver_port, e->connect_attempts, reason);
		executor_finish(e, 1, why);
		free(why);
		return;
	}
	ms = EXECUTOR_CONNECT_BACKOFF_MS << (e->connect_attempts - 1);
	log_info("driver at %s:%d: %s; retrying in %d ms", e->driver_host, e->driver_port, reason,
	         ms);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(e->retry_timer, &tv);
}

/* Dial the driver and queue the register line. */
static void executor_connect(struct executor *e)
{
	struct proto_task_register m;

	e->connect_attempts++;
	e->conn = lineconn_connect(e->base, e->driver_host, e->driver_port, WEFT_MAX_LINE,
	                           executor_message_cb, executor_close_cb, e);
	if (e->conn == NULL) {
		executor_finish(e, 1, "cannot create a connection");
		return;
	}
	free(e->nonce);
	e->nonce = security_random_hex(PROTO_TASK_NONCE_BYTES);
	e->authenticated = false;
	memset(&m, 0, sizeof m);
	m.executor_id = e->id;
	m.nonce = e->nonce;
	m.host = e->host;
	m.node_id = e->node_id;
	m.container_id = e->container_id;
	m.cores = e->cores;
	m.work_dir = e->work_dir;
	m.pid = (int64_t)getpid();
	executor_send(e, proto_task_register_encode(&m));
}

/* ------------------------------------------------------------------ */
/* Leaving. */

/* Every task is gone (or the deadline passed): hand the exit code over. */
static void executor_leave_cb(evutil_socket_t fd, short events, void *arg)
{
	struct executor *e = arg;
	struct exec_task *t;

	if (e->exited)
		return;
	e->exited = true;
	TAILQ_FOREACH(t, &e->tasks, entry)
	{
		if (t->proc != NULL) {
			log_warn("task %" PRId64 " (pid %ld) outlived its grace: SIGKILL",
			         t->task_id, (long)t->pid);
			proc_signal(t->proc, SIGKILL);
		}
	}
	evtimer_del(e->exit_timer);
	e->cb(e->exit_code, e->arg);
}

/* Close the connection, terminate every task, exit when they are gone. */
static void executor_finish(struct executor *e, int exit_code, const char *why)
{
	struct timeval tv = {0, 0};
	struct exec_task *t;
	int grace;

	if (e->exiting)
		return;
	e->exiting = true;
	e->exit_code = exit_code;
	if (exit_code == 0)
		log_info("leaving: %s", why);
	else
		log_error("leaving: %s", why);
	evtimer_del(e->retry_timer);
	if (e->conn != NULL) {
		lineconn_free(e->conn);
		e->conn = NULL;
	}
	grace = exit_code == 0 ? EXECUTOR_TASK_GRACE_MS : EXECUTOR_STOP_GRACE_MS;
	TAILQ_FOREACH(t, &e->tasks, entry)
	{
		if (t->proc != NULL) {
			t->killing = true;
			proc_terminate(t->proc, grace);
		}
	}
	tv.tv_sec = (grace + 1000) / 1000;
	tv.tv_usec = ((grace + 1000) % 1000) * 1000;
	evtimer_add(e->exit_timer, &tv);
	executor_maybe_exit(e);
}

/* SIGTERM or SIGINT. */
void executor_stop(struct executor *e, int exit_code, const char *why)
{
	executor_finish(e, exit_code, why);
}

/* LOCAL_DIRS (comma-separated) as the list a task file carries. */
static void executor_split_local_dirs(struct executor *e, const char *list)
{
	char *copy = xstrdup(list), *tok, *save = NULL;

	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (*tok == '\0')
			continue;
		e->local_dir_list = xreallocarray(e->local_dir_list, (size_t)e->n_local_dirs + 1,
		                                  sizeof *e->local_dir_list);
		e->local_dir_list[e->n_local_dirs++] = xstrdup(tok);
	}
	free(copy);
}

/* Set up and dial; see executor.h. */
struct executor *executor_new(struct event_base *base, const struct executor_config *cfg,
                              executor_exit_cb cb, void *arg)
{
	struct executor *e;

	e = xcalloc(1, sizeof *e);
	e->base = base;
	e->driver_host = xstrdup(cfg->driver_host);
	e->driver_port = cfg->driver_port;
	e->id = xstrdup(cfg->executor_id);
	e->cores = cfg->cores;
	e->secret = xstrdup(cfg->secret);
	e->host = xstrdup(cfg->host);
	e->node_id = xstrdup(cfg->node_id);
	e->container_id = xstrdup(cfg->container_id != NULL ? cfg->container_id : "");
	e->work_dir = xstrdup(cfg->work_dir);
	e->self_path = xstrdup(cfg->self_path != NULL ? cfg->self_path : "weft-executor");
	executor_split_local_dirs(e, cfg->local_dirs != NULL && *cfg->local_dirs != '\0'
	                                     ? cfg->local_dirs
	                                     : cfg->work_dir);
	e->slots = executor_slots_new(e->work_dir);
	e->app_id = xstrdup(cfg->app_id != NULL ? cfg->app_id : "");
	/* Spark's rule of thumb: 60% of the heap for execution, shared by
	 * the tasks running at once. */
	e->task_budget = (size_t)(cfg->memory_mb > 0 ? cfg->memory_mb : 1024) * 1024 * 1024 / 10 *
	                 6 / (size_t)(cfg->cores > 0 ? cfg->cores : 1);
	if (e->task_budget < EXECUTOR_MIN_TASK_BUDGET)
		e->task_budget = EXECUTOR_MIN_TASK_BUDGET;
	e->cb = cb;
	e->arg = arg;
	TAILQ_INIT(&e->tasks);
	e->retry_timer = evtimer_new(base, executor_retry_cb, e);
	e->exit_timer = evtimer_new(base, executor_leave_cb, e);
	e->exit_event = event_new(base, -1, 0, executor_leave_cb, e);
	if (e->retry_timer == NULL || e->exit_timer == NULL || e->exit_event == NULL)
		fatalx("executor_new: event_new failed");
	log_info("executor %s (%d core%s) on %s, container %s, dialling the driver at %s:%d", e->id,
	         e->cores, e->cores == 1 ? "" : "s", e->host,
	         *e->container_id != '\0' ? e->container_id : "(none)", e->driver_host,
	         e->driver_port);
	executor_connect(e);
	return e;
}

/* Free everything (tasks still running are left to be reaped unseen). */
void executor_free(struct executor *e)
{
	struct exec_task *t;
	int i;

	if (e == NULL)
		return;
	while ((t = TAILQ_FIRST(&e->tasks)) != NULL) {
		if (t->proc != NULL)
			proc_detach(t->proc);
		executor_task_free(t);
	}
	executor_slots_free(e->slots);
	if (e->conn != NULL)
		lineconn_free(e->conn);
	event_free(e->retry_timer);
	event_free(e->exit_timer);
	event_free(e->exit_event);
	free(e->driver_host);
	free(e->id);
	free(e->secret);
	free(e->nonce);
	free(e->host);
	free(e->node_id);
	free(e->container_id);
	free(e->work_dir);
	free(e->self_path);
	for (i = 0; i < e->n_local_dirs; i++)
		free(e->local_dir_list[i]);
	free(e->local_dir_list);
	free(e->app_id);
	free(e);
}
