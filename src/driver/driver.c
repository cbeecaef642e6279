/*
 * driver.c — the driver's lifecycle and public API (driver.h).
 *
 * Owns the listener, the connections that have not said who they are yet,
 * the one job and the end of it.  The work is split by concern:
 *
 *   job kind (job_shell.c, job_dataflow.c)            what to run
 *     dag_scheduler.c, lineage.c, map_output.c        stages, lineage, shuffles
 *     -> task_scheduler.c                               where and when, retries
 *       -> executor_registry.c                          executors and their line protocol
 *   executor_allocation.c                               dynamic executors
 *   status_server.c                                     status as JSON over HTTP
 *   am_link.c                                           the client-mode AM
 *   closing.c                                           closing after a last message
 *
 * A connection's first line decides what it is: "register" makes it an
 * executor, "register-am" the AM link; anything else, or silence for
 * DRIVER_HANDSHAKE_MS, closes it.
 *
 * The end of a job is two steps, both run from the loop so that no module
 * is torn down under its own callback: driver_end() records the outcome;
 * the end event stops the job's tasks, sends shutdown to every executor and
 * to the AM, and waits (bounded) until those connections are closed; then
 * the host's done callback runs, last, so it may free the driver.
 */
#include "weft_config.h"

#include "driver/driver.h"

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "common/lineconn.h"
#include "common/log.h"
#include "common/net.h"
#include "common/proto_driver.h"
#include "common/proto_task.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "common/daemon.h"
#include "driver/am_link.h"
#include "driver/closing.h"
#include "driver/executor_allocation.h"
#include "driver/executor_registry.h"
#include "driver/job.h"
#include "driver/status_server.h"
#include "driver/task_scheduler.h"
#include "weft/protocol.h"

/* A connection must say who it is within this time. */
#define DRIVER_HANDSHAKE_MS 30000
/* Longest wait for executors and the AM to close after shutdown. */
#define DRIVER_END_DEADLINE_MS    5000
#define DRIVER_DEFAULT_MAX_RESULT ((size_t)1 << 30)
/* How often stragglers are looked for (driver.speculation). */
#define DRIVER_SPECULATION_INTERVAL_MS 100
#define DRIVER_DEFAULT_IDLE_TIMEOUT_MS 60000

enum driver_state {
	DRIVER_IDLE,    /* no job yet */
	DRIVER_RUNNING, /* a job runs */
	DRIVER_ENDING,  /* outcome known, shutting executors and the AM down */
	DRIVER_DONE,    /* done callback called */
};

/* A connection that has not registered yet. */
struct handshake {
	struct driver *d;
	struct lineconn *c;
	struct event *timer;
	TAILQ_ENTRY(handshake) entry;
};

struct driver {
	struct event_base *base;
	char *secret;
	char *address;
	FILE *out;
	size_t max_result_bytes;
	struct driver_backend backend;
	bool has_backend; /* cluster mode: the AM is in this process */
	driver_done_cb done;
	void *done_arg;

	struct lineserver *server;
	struct closing *closing;
	struct executor_registry *executors;
	struct task_scheduler *scheduler;
	struct am_link *am;
	struct status_server *status;
	struct executor_allocation *allocation;
	struct event *speculation;
	struct json_object *job_status; /* the job's last status, once it ended */
	int64_t started_ms, finished_ms;
	TAILQ_HEAD(, handshake) handshakes;

	const struct job_kind *kind;
	void *job;

	enum driver_state state;
	bool shutdown_sent;
	bool succeeded;
	char *diagnostics;
	struct event *end_event;
	struct event *finish_event;
	struct event *deadline;
};

/* Every kind of job the driver runs. */
static const struct job_kind *const driver_job_kinds[] = {&job_shell_kind, &job_dataflow_kind,
                                                          NULL};

/* Record the outcome once and end the job from the loop. */
static void driver_end(struct driver *d, bool succeeded, const char *diagnostics)
{
	if (d->state == DRIVER_ENDING || d->state == DRIVER_DONE)
		return;
	d->state = DRIVER_ENDING;
	d->succeeded = succeeded;
	d->finished_ms = time_now_ms();
	d->diagnostics = xstrdup(diagnostics != NULL ? diagnostics : "");
	if (succeeded)
		log_info("job succeeded");
	else
		log_warn("job failed: %s", d->diagnostics);
	event_active(d->end_event, EV_TIMEOUT, 1);
}

/* Shutdown is out and every connection is closed (or time is up): tell
 * the host.  Nothing may touch d after the callback. */
static void driver_finish_cb(evutil_socket_t fd, short events, void *arg)
{
	struct driver *d = arg;

	if (d->state != DRIVER_ENDING || !d->shutdown_sent)
		return;
	d->state = DRIVER_DONE;
	evtimer_del(d->deadline);
	d->done(d, d->succeeded, d->succeeded ? NULL : d->diagnostics, d->done_arg);
}

/* Stop the job's tasks, shut executors and the AM down. */
static void driver_end_cb(evutil_socket_t fd, short events, void *arg)
{
	struct driver *d = arg;
	struct timeval tv = {DRIVER_END_DEADLINE_MS / 1000, (DRIVER_END_DEADLINE_MS % 1000) * 1000};

	if (d->job != NULL) {
		if (d->kind->status != NULL)
			d->job_status = d->kind->status(d->job);
		d->kind->free(d->job); /* kills what still runs */
		d->job = NULL;
	}
	executor_allocation_free(d->allocation);
	d->allocation = NULL;
	if (d->speculation != NULL)
		evtimer_del(d->speculation);
	executor_registry_shutdown(d->executors);
	am_link_shutdown(d->am, d->succeeded, d->diagnostics);
	d->shutdown_sent = true;
	if (closing_count(d->closing) == 0)
		event_active(d->finish_event, EV_TIMEOUT, 1);
	else
		evtimer_add(d->deadline, &tv);
}

/* Nothing lingers any more: the shutdown messages have been delivered. */
static void driver_closing_empty_cb(void *arg)
{
	struct driver *d = arg;

	if (d->state == DRIVER_ENDING && d->shutdown_sent)
		event_active(d->finish_event, EV_TIMEOUT, 1);
}

/* The job kind reports the end of the job. */
static void driver_job_finished_cb(void *arg, bool succeeded, const char *diagnostics)
{
	driver_end(arg, succeeded, diagnostics);
}

/* In client mode the job needs the AM or executors: with neither left
 * nobody will run its tasks (the AM may have died before or after). */
static bool driver_orphaned(const struct driver *d)
{
	return d->state == DRIVER_RUNNING && !d->has_backend && am_link_ever_connected(d->am) &&
	       !am_link_connected(d->am) && executor_registry_count(d->executors) == 0;
}

/* An executor was removed. */
static void driver_executor_removed_cb(void *arg, const char *executor_id, const char *node,
                                       const char *reason)
{
	struct driver *d = arg;

	if (d->state == DRIVER_RUNNING && d->job != NULL && d->kind->executor_removed != NULL)
		d->kind->executor_removed(d->job, executor_id, node, reason);

	if (driver_orphaned(d))
		driver_end(d, false, "the last executor is gone and the AM disconnected earlier");
}

/* The client-mode AM's link dropped. */
static void driver_am_disconnected_cb(void *arg, const char *reason)
{
	struct driver *d = arg;
	char *msg;

	if (driver_orphaned(d)) {
		msg = xasprintf("the AM disconnected (%s) and no executor remains", reason);
		driver_end(d, false, msg);
		free(msg);
	} else if (d->state == DRIVER_RUNNING) {
		log_warn("the AM disconnected (%s): the job goes on with its %d executor%s", reason,
		         executor_registry_count(d->executors),
		         executor_registry_count(d->executors) == 1 ? "" : "s");
	}
}

/* The client-mode AM reports an executor's container ended. */
static void driver_am_executor_lost_cb(void *arg, const char *container_id, int exit_status,
                                       const char *diagnostics)
{
	driver_executor_lost(arg, container_id, exit_status, diagnostics);
}

/* Forget a handshake (the connection is handed on or freed by the caller). */
static void driver_handshake_remove(struct handshake *h)
{
	TAILQ_REMOVE(&h->d->handshakes, h, entry);
	event_free(h->timer);
	free(h);
}

/* The first line of a connection says what it is. */
static void driver_handshake_message_cb(struct lineconn *c, struct json_object *msg, void *arg)
{
	struct handshake *h = arg;
	struct driver *d = h->d;
	enum proto_driver_type am_kind;
	enum proto_task_type kind;
	const char *type = NULL;
	char *cause = NULL;

	driver_handshake_remove(h);
	if (proto_task_type_decode(msg, &kind, &type, &cause) != 0) {
		log_warn("%s: bad first message: %s", lineconn_peer(c), cause);
		free(cause);
		lineconn_free(c);
	} else if (kind == PROTO_TASK_REGISTER) {
		executor_registry_register(d->executors, c, msg);
	} else if (proto_driver_type_decode(msg, &am_kind, NULL, NULL) == 0 &&
	           am_kind == PROTO_DRIVER_REGISTER_AM) {
		if (d->has_backend)
			am_link_refuse(d->am, c, "this driver runs inside the AM (cluster mode)");
		else
			am_link_register(d->am, c, msg);
	} else {
		log_warn("%s: expected register or register-am, got '%.32s'", lineconn_peer(c),
		         type);
		lineconn_free(c);
	}
}

/* Gone before saying anything. */
static void driver_handshake_close_cb(struct lineconn *c, const char *reason, void *arg)
{
	struct handshake *h = arg;

	log_debug("%s: closed before registering: %s", lineconn_peer(c), reason);
	driver_handshake_remove(h);
	lineconn_free(c);
}

/* Silent too long. */
static void driver_handshake_timeout_cb(evutil_socket_t fd, short events, void *arg)
{
	struct handshake *h = arg;
	struct lineconn *c = h->c;

	log_warn("%s: no register message within %d ms: closing", lineconn_peer(c),
	         DRIVER_HANDSHAKE_MS);
	driver_handshake_remove(h);
	lineconn_free(c);
}

/* A new connection: wait for its first line. */
static void driver_accept_cb(struct lineconn *c, void *arg)
{
	struct timeval tv = {DRIVER_HANDSHAKE_MS / 1000, (DRIVER_HANDSHAKE_MS % 1000) * 1000};
	struct driver *d = arg;
	struct handshake *h;

	h = xcalloc(1, sizeof *h);
	h->d = d;
	h->c = c;
	h->timer = evtimer_new(d->base, driver_handshake_timeout_cb, h);
	if (h->timer == NULL)
		fatalx("driver_accept_cb: evtimer_new failed");
	evtimer_add(h->timer, &tv);
	TAILQ_INSERT_TAIL(&d->handshakes, h, entry);
	lineconn_set_callbacks(c, driver_handshake_message_cb, driver_handshake_close_cb, h);
	log_debug("%s: connected", lineconn_peer(c));
}

/* Look for stragglers to copy (driver.speculation). */
static void driver_speculation_cb(evutil_socket_t fd, short events, void *arg)
{
	struct driver *d = arg;

	if (d->state == DRIVER_RUNNING)
		task_scheduler_speculate(d->scheduler);
}

/* Dynamic allocation wants a new total. */
static void driver_allocation_request_cb(void *arg, int total)
{
	struct driver *d = arg;

	if (d->state == DRIVER_RUNNING)
		driver_request_executors(d, total);
}

/* Dynamic allocation releases an idle executor: no new task goes to it,
 * and its container is stopped. */
static void driver_allocation_release_cb(void *arg, void *handle)
{
	struct driver *d = arg;
	const char *container = executor_registry_container(handle);

	executor_registry_release(d->executors, handle);
	if (*container == '\0')
		return;
	if (d->has_backend) {
		if (d->backend.kill_executor != NULL)
			d->backend.kill_executor(d->backend.arg, container);
	} else {
		am_link_kill_executor(d->am, container);
	}
}

/* The executors of the status, as the scheduler lists them. */
struct driver_status_executors {
	struct proto_driver_executor *list;
	int n, alloc;
};

/* One executor in the status. */
static void driver_status_executor_cb(const struct task_executor_info *info, void *arg)
{
	struct driver_status_executors *e = arg;
	struct proto_driver_executor *x;

	if (e->n == e->alloc) {
		e->alloc = e->alloc > 0 ? 2 * e->alloc : 8;
		e->list = xreallocarray(e->list, (size_t)e->alloc, sizeof *e->list);
	}
	x = &e->list[e->n++];
	x->id = info->id;
	x->host = info->host;
	x->node_id = info->node;
	x->container_id = executor_registry_container(info->handle);
	x->cores = info->cores;
	x->active_tasks = info->running;
	x->completed_tasks = info->succeeded;
	x->failed_tasks = info->failed;
	x->released = info->disabled;
}

/* The driver's status (driver.h). */
struct json_object *driver_status(const struct driver *d)
{
	static const char *const states[] = {"IDLE", "RUNNING", "ENDING", "DONE"};
	struct driver_status_executors executors = {0};
	struct proto_driver_status m = {0};
	struct json_object *o;

	m.address = d->address;
	if (d->state == DRIVER_ENDING || d->state == DRIVER_DONE)
		m.state = d->succeeded ? "SUCCEEDED" : "FAILED";
	else
		m.state = states[d->state];
	m.started_ms = d->started_ms;
	m.finished_ms = d->finished_ms;
	m.diagnostics = d->diagnostics;
	m.pending = task_scheduler_pending_count(d->scheduler);
	m.running = task_scheduler_running_count(d->scheduler);
	m.succeeded = task_scheduler_succeeded_count(d->scheduler);
	m.failed = task_scheduler_failed_count(d->scheduler);
	task_scheduler_each_executor(d->scheduler, driver_status_executor_cb, &executors);
	m.executors = executors.list;
	m.n_executors = executors.n;
	if (d->allocation != NULL) {
		m.has_allocation = true;
		executor_allocation_status(d->allocation, &m.allocation);
	}
	if (d->job != NULL && d->kind->status != NULL)
		m.job_object = d->kind->status(d->job);
	else if (d->job_status != NULL)
		m.job_object = json_object_get(d->job_status);
	else if (d->kind != NULL)
		m.kind = d->kind->name;
	o = proto_driver_status_encode(&m);
	free(executors.list);
	return o;
}

/* The status server asks. */
static struct json_object *driver_status_build_cb(void *arg)
{
	return driver_status(arg);
}

/* The status server's URL. */
const char *driver_status_url(const struct driver *d)
{
	return d->status != NULL ? status_server_url(d->status) : NULL;
}

/* Where the driver's listeners bind: what the caller asked (driver.bind-host,
 * 0.0.0.0 only by that explicit choice), else exactly the address it
 * advertises, else loopback.  Never wider than executors need. */
const char *driver_bind_host(const struct driver_options *opts)
{
	if (opts->bind_host != NULL && *opts->bind_host != '\0')
		return opts->bind_host;
	if (opts->advertise_host != NULL && *opts->advertise_host != '\0')
		return opts->advertise_host;
	return "127.0.0.1";
}

/* Create the driver and start listening; see driver.h. */
struct driver *driver_new(struct event_base *base, const struct driver_options *opts,
                          const struct driver_backend *backend, driver_done_cb done, void *arg,
                          char **cause)
{
	struct am_link_callbacks am_cb;
	struct task_backend task_backend;
	const char *bind_host;
	struct driver *d;
	char *host;

	if (opts == NULL || done == NULL) {
		set_cause(cause, "driver_new: options and a done callback are required");
		return NULL;
	}
	if (opts->app_secret == NULL || *opts->app_secret == '\0') {
		set_cause(cause, "driver: an application secret is required");
		return NULL;
	}
	if (opts->port < 0 || opts->port > 65535) {
		set_cause(cause, "driver.port: %d is out of range [0, 65535]", opts->port);
		return NULL;
	}
	bind_host = driver_bind_host(opts);

	d = xcalloc(1, sizeof *d);
	d->base = base;
	d->secret = xstrdup(opts->app_secret);
	d->out = opts->out != NULL ? opts->out : stdout;
	d->max_result_bytes =
	        opts->max_result_bytes > 0 ? opts->max_result_bytes : DRIVER_DEFAULT_MAX_RESULT;
	if (backend != NULL) {
		d->backend = *backend;
		d->has_backend = true;
	}
	d->done = done;
	d->done_arg = arg;
	TAILQ_INIT(&d->handshakes);
	d->end_event = event_new(base, -1, 0, driver_end_cb, d);
	d->finish_event = event_new(base, -1, 0, driver_finish_cb, d);
	d->deadline = evtimer_new(base, driver_finish_cb, d);
	if (d->end_event == NULL || d->finish_event == NULL || d->deadline == NULL)
		fatalx("driver_new: event_new failed");

	d->closing = closing_new(base, driver_closing_empty_cb, d);
	d->executors =
	        executor_registry_new(base, d->secret, d->closing, driver_executor_removed_cb, d);
	task_backend = executor_registry_backend(d->executors);
	d->scheduler = task_scheduler_new(opts->max_task_failures, &task_backend);
	executor_registry_set_scheduler(d->executors, d->scheduler);
	am_cb.executor_lost = driver_am_executor_lost_cb;
	am_cb.disconnected = driver_am_disconnected_cb;
	am_cb.arg = d;
	d->am = am_link_new(base, d->secret, d->closing, &am_cb);
	task_scheduler_set_speculation(d->scheduler, opts->speculation);
	if (opts->speculation) {
		struct timeval tv = {0, DRIVER_SPECULATION_INTERVAL_MS * 1000};

		d->speculation = event_new(base, -1, EV_PERSIST, driver_speculation_cb, d);
		if (d->speculation == NULL)
			fatalx("driver_new: event_new failed");
		evtimer_add(d->speculation, &tv);
	}
	if (opts->dynamic_max > 0) {
		struct executor_allocation_ops ea_ops = {driver_allocation_request_cb,
		                                         driver_allocation_release_cb, d};

		d->allocation = executor_allocation_new(
		        base, d->scheduler, opts->dynamic_min, opts->dynamic_max,
		        opts->executor_idle_timeout_ms > 0 ? opts->executor_idle_timeout_ms
		                                           : DRIVER_DEFAULT_IDLE_TIMEOUT_MS,
		        &ea_ops);
	}
	d->started_ms = time_now_ms();

	d->server = lineserver_new(base, bind_host, opts->port, WEFT_MAX_LINE, driver_accept_cb, d,
	                           cause);
	if (d->server == NULL) {
		driver_free(d);
		return NULL;
	}
	if (opts->advertise_host != NULL && *opts->advertise_host != '\0')
		host = xstrdup(opts->advertise_host);
	else
		host = net_advertised_host(bind_host);
	d->address = net_format_address(host, lineserver_port(d->server));
	if (!opts->no_status_server) {
		char *why = NULL;

		d->status =
		        status_server_new(base, bind_host, host, driver_status_build_cb, d, &why);
		if (d->status == NULL) {
			/* The job can run without it: say so and go on. */
			log_warn("no status server: %s", why);
			free(why);
		} else {
			am_link_set_tracking_url(d->am, status_server_url(d->status));
		}
	}
	free(host);
	log_info("driver listening on %s:%d, executors dial %s%s%s", bind_host,
	         lineserver_port(d->server), d->address, d->status != NULL ? ", status at " : "",
	         d->status != NULL ? status_server_url(d->status) : "");
	return d;
}

/* What executors dial. */
const char *driver_address(const struct driver *d)
{
	return d->address;
}

/* The kind a description names.  RET it, or NULL with *cause. */
static const struct job_kind *driver_job_kind(struct json_object *job, char **cause)
{
	const char *kind;
	int i;

	if (job == NULL || !json_object_is_type(job, json_type_object)) {
		set_cause(cause, "job: expected a JSON object");
		return NULL;
	}
	if (wjson_get_string(job, "", "kind", true, &kind, cause) != 0)
		return NULL;
	for (i = 0; driver_job_kinds[i] != NULL; i++) {
		if (strcmp(driver_job_kinds[i]->name, kind) == 0)
			return driver_job_kinds[i];
	}
	set_cause(cause, "kind: unknown job kind \"%.64s\" (expected shell or dataflow)", kind);
	return NULL;
}

/* Check a description without running it. */
int driver_validate_job(struct json_object *job, char **cause)
{
	const struct job_kind *kind;

	kind = driver_job_kind(job, cause);
	if (kind == NULL)
		return -1;
	return kind->validate(job, cause);
}

/* Start the job (one per driver). */
int driver_run(struct driver *d, struct json_object *job, char **cause)
{
	const struct job_kind *kind;
	struct job_env env;

	if (d->state != DRIVER_IDLE)
		return set_cause(cause, "the driver already ran a job");
	kind = driver_job_kind(job, cause);
	if (kind == NULL || kind->validate(job, cause) != 0)
		return -1;
	memset(&env, 0, sizeof env);
	env.base = d->base;
	env.scheduler = d->scheduler;
	env.out = d->out;
	env.max_result_bytes = d->max_result_bytes;
	env.finished = driver_job_finished_cb;
	env.arg = d;
	d->state = DRIVER_RUNNING;
	d->kind = kind;
	d->job = kind->start(job, &env, cause);
	if (d->job == NULL) {
		d->state = DRIVER_IDLE;
		return -1;
	}
	return 0;
}

/* A container ended (the AM says so): its executor is lost. */
void driver_executor_lost(struct driver *d, const char *container_id, int exit_status,
                          const char *diagnostics)
{
	if (!executor_registry_lose_container(d->executors, container_id, exit_status, diagnostics))
		log_debug("container %s (exit status %d) was not a registered executor",
		          container_id != NULL ? container_id : "(none)", exit_status);
}

/* End the job as failed, now. */
void driver_abort(struct driver *d, const char *diagnostics)
{
	driver_end(d, false, diagnostics != NULL && *diagnostics != '\0' ? diagnostics : "aborted");
}

/* The outcome is known; the done callback is on its way. */
bool driver_finishing(const struct driver *d)
{
	return d->state == DRIVER_ENDING;
}

/* Executors registered and alive. */
int driver_executor_count(const struct driver *d)
{
	return executor_registry_count(d->executors);
}

/* Relay a wanted executor total to whoever provides executors. */
void driver_request_executors(struct driver *d, int total)
{
	if (total < 0)
		total = 0;
	if (d->has_backend) {
		if (d->backend.request_executors != NULL)
			d->backend.request_executors(d->backend.arg, total);
	} else {
		am_link_request_executors(d->am, total);
	}
}

/* Close everything; no callback runs after this. */
void driver_free(struct driver *d)
{
	struct handshake *h;

	if (d == NULL)
		return;
	while ((h = TAILQ_FIRST(&d->handshakes)) != NULL) {
		struct lineconn *c = h->c;

		driver_handshake_remove(h);
		lineconn_free(c);
	}
	if (d->job != NULL)
		d->kind->free(d->job);
	executor_allocation_free(d->allocation);
	if (d->speculation != NULL)
		event_free(d->speculation);
	status_server_free(d->status);
	if (d->job_status != NULL)
		json_object_put(d->job_status);
	task_scheduler_free(d->scheduler);
	executor_registry_free(d->executors);
	am_link_free(d->am);
	closing_free(d->closing);
	if (d->server != NULL)
		lineserver_free(d->server);
	event_free(d->end_event);
	event_free(d->finish_event);
	event_free(d->deadline);
	free(d->diagnostics);
	free(d->address);
	free(d->secret);
	free(d);
}
