/*
 * am.c — the application master's core: what happens on each RM answer,
 * each NM answer and each word from the driver.
 *
 * It owns the executor pool (the arithmetic) and libweft's AM client
 * (register / allocate / finish, weft/am_client.h) and NM client (start /
 * stop, weft/nm_client.h), each on a weft_client of its own (the RM's
 * carries the AM token, the NMs' does not), and reaches the driver only
 * through struct am_driver_ops, so the same core serves the in-process
 * driver of cluster mode and the TCP link of client mode.
 */
#include "weft_config.h"

#include "am/am.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/executor_pool.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "weft/am_client.h"
#include "weft/nm_client.h"
#include "weft/protocol.h"

#define AM_EXECUTOR_PRIORITY 1

enum am_phase {
	AM_NEW,       /* not registered yet */
	AM_RUNNING,   /* registered, asking and launching */
	AM_FINISHING, /* final status decided, unregistering */
	AM_EXITING,   /* waiting for stop calls, then on_exit */
};

struct am {
	struct event_base *base;
	struct weft_client *rm_conn; /* to the RM, with the AM token */
	struct weft_client *nm_conn; /* to the NMs */
	struct weft_am_client *rm;
	struct weft_nm_client *nm;
	struct executor_pool *pool;

	char *rm_addresses, *attempt_id, *container_id, *host, *tracking_url, *app_secret;
	weft_resource_t executor_resource;
	int stop_grace_ms;

	char *driver_address;
	struct am_driver_ops driver;
	char *application_id;

	enum am_phase phase;
	bool registered;
	bool stops_sent;
	int exit_status;
	bool exit_called;
	struct event *exit_timer;
	struct am_nm_call *calls; /* NM calls in flight */
	am_exit_cb on_exit;
	void *exit_arg;
};

/* An NM call about one container; freed by its callback, or by am_free
 * when the call was cancelled. */
struct am_nm_call {
	struct am *am;
	char *container_id;
	char *node;
	struct am_nm_call *prev, *next;
};

static const char *const am_phase_names[] = {
        [AM_NEW] = "NEW",
        [AM_RUNNING] = "RUNNING",
        [AM_FINISHING] = "FINISHING",
        [AM_EXITING] = "EXITING",
};

static void am_exit(struct am *am, int status);
static void am_fail(struct am *am, const char *diagnostics);

/* Phases only move forward (NEW → RUNNING → FINISHING → EXITING, any
 * of them straight to EXITING); every change is logged. */
static void am_set_phase(struct am *am, enum am_phase phase)
{
	if (phase <= am->phase)
		return;
	log_info("%s: %s -> %s", am->attempt_id, am_phase_names[am->phase], am_phase_names[phase]);
	am->phase = phase;
}

/* Hand the AM client a changed ask and new releases: it tells the RM at
 * once. */
static void am_maybe_poke(struct am *am)
{
	char **rel, **p;
	int count;

	if (executor_pool_needs_ask(am->pool)) {
		count = executor_pool_ask_count(am->pool);
		weft_am_client_set_container_request(am->rm,
		                                     &(struct weft_container_request){
		                                             .priority = AM_EXECUTOR_PRIORITY,
		                                             .count = count,
		                                             .capability = am->executor_resource,
		                                             .relax_locality = true,
		                                     });
		executor_pool_ask_sent(am->pool, count);
		log_debug("asking for %d executors", count);
	}
	rel = executor_pool_take_releases(am->pool);
	for (p = rel; p != NULL && *p != NULL; p++) {
		weft_am_client_release(am->rm, *p);
		log_debug("releasing %s", *p);
	}
	executor_pool_releases_free(rel);
}

/* Track one NM call about container_id. */
static struct am_nm_call *am_nm_call_new(struct am *am, const char *container_id, const char *node)
{
	struct am_nm_call *c = xcalloc(1, sizeof *c);

	c->am = am;
	c->container_id = xstrdup(container_id);
	c->node = xstrdup(node);
	c->next = am->calls;
	if (am->calls != NULL)
		am->calls->prev = c;
	am->calls = c;
	return c;
}

/* Forget one NM call (answered or cancelled). */
static void am_nm_call_free(struct am_nm_call *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		c->am->calls = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	free(c->container_id);
	free(c->node);
	free(c);
}

/* What an NM call's failure says, for logs and diagnostics ("start on
 * host:port: HTTP 401: container token expired"; caller frees). */
static char *am_nm_error(const struct am_nm_call *c, const char *verb, const struct weft_status *st)
{
	if (st->http_status == 0)
		return xasprintf("%s on %s: no answer: %s", verb, c->node, st->message);
	return xasprintf("%s on %s: HTTP %ld: %s", verb, c->node, st->http_status, st->message);
}

/* Exiting and no NM call left: exit now rather than after the grace. */
static void am_exit_if_quiet(struct am *am)
{
	struct timeval now = {0, 0};

	if (am->phase == AM_EXITING && weft_nm_client_pending(am->nm) == 0 && !am->exit_called) {
		evtimer_del(am->exit_timer);
		evtimer_add(am->exit_timer, &now);
	}
}

/* A stop call ended; the AM may be waiting for the last one to exit. */
static void am_stop_done_cb(const struct weft_status *st, const char *container_id, void *arg)
{
	struct am_nm_call *c = arg;
	struct am *am = c->am;
	char *error;

	/* A 404 only means the container had already ended. */
	if (st->ok) {
		log_debug("stopped %s", c->container_id);
	} else {
		error = am_nm_error(c, "stop", st);
		log_info("stopping %s: %s", c->container_id, error);
		free(error);
	}
	am_nm_call_free(c);
	am_exit_if_quiet(am);
}

/* Ask a container's NM to stop it (best effort: the release through the
 * RM ends it too). */
static void am_stop_container(struct am *am, const char *container_id, const char *node,
                              const char *token)
{
	struct am_nm_call *c = am_nm_call_new(am, container_id, node);
	struct weft_container container = {
	        .container_id = container_id,
	        .node_http_address = node,
	        .token = token,
	};

	log_info("stopping %s on %s", container_id, node);
	weft_nm_client_stop(am->nm, &container, am_stop_done_cb, c);
}

/* foreach callback: stop one container. */
static void am_stop_visit(const char *container_id, const char *node, const char *token, void *arg)
{
	am_stop_container(arg, container_id, node, token);
}

/* Stop every executor we still hold (once). */
static void am_stop_all(struct am *am)
{
	if (am->stops_sent)
		return;
	am->stops_sent = true;
	executor_pool_set_ending(am->pool);
	executor_pool_foreach_unended(am->pool, am_stop_visit, am);
}

/* An executor start answered. */
static void am_start_done_cb(const struct weft_status *st, const char *container_id, void *arg)
{
	struct am_nm_call *c = arg;
	struct am *am = c->am;
	const char *node, *token;
	char *error = st->ok ? NULL : am_nm_error(c, "start", st);

	if (st->ok) {
		log_info("executor started in %s", c->container_id);
		node = executor_pool_node(am->pool, c->container_id);
		token = executor_pool_token(am->pool, c->container_id);
		/* Released, killed or the app ended while the start was in
		 * flight (a stop sent then may have found nothing to stop). */
		if (!executor_pool_started(am->pool, c->container_id) && node != NULL &&
		    token != NULL)
			am_stop_container(am, c->container_id, node, token);
	} else if (am->phase <= AM_RUNNING) {
		log_warn("executor in %s could not be started: %s", c->container_id, error);
		if (executor_pool_start_failed(am->pool, c->container_id, error) &&
		    executor_pool_limit_exceeded(am->pool))
			am_fail(am, executor_pool_failure_diagnostics(am->pool));
		else
			am_maybe_poke(am);
	} else {
		executor_pool_start_failed(am->pool, c->container_id, error);
	}
	free(error);
	am_nm_call_free(c);
	am_exit_if_quiet(am);
}

/* Quote text for /bin/sh with single quotes (caller frees). */
static char *am_shell_quote(const char *text)
{
	size_t len = 2, i, o = 0;
	char *out;

	for (i = 0; text[i] != '\0'; i++)
		len += text[i] == '\'' ? 4 : 1;
	out = xmalloc(len + 1);
	out[o++] = '\'';
	for (i = 0; text[i] != '\0'; i++) {
		if (text[i] == '\'') {
			memcpy(out + o, "'\\''", 4);
			o += 4;
		} else
			out[o++] = text[i];
	}
	out[o++] = '\'';
	out[o] = '\0';
	return out;
}

/* The command line and environment that run one executor
 * (weft-executor(8)) into lc (which the caller clears). */
static void am_executor_context(struct am *am, int executor_id, struct weft_launch_context *lc)
{
	char *driver = am_shell_quote(am->driver_address);
	char *command;
	int cores = (int)am->executor_resource.vcores;
	int64_t memory_mb = am->executor_resource.memory_mb;

	memset(lc, 0, sizeof *lc);
	/* $WEFT_LIBEXEC_DIR is left for the NM's shell: it names where
	 * weft-executor lives on that node, not on ours.  exec makes the
	 * executor the container's process group leader, so a stop's SIGTERM
	 * reaches it (and it stops its tasks) instead of only the shell.  The
	 * container's memory is the dataflow sort budget. */
	if (memory_mb > 0)
		command = xasprintf("exec \"$%s\"/weft-executor --driver %s --executor-id %d "
		                    "--cores %d --memory-mb %lld",
		                    WEFT_ENV_LIBEXEC_DIR, driver, executor_id, cores,
		                    (long long)memory_mb);
	else
		command = xasprintf("exec \"$%s\"/weft-executor --driver %s --executor-id %d "
		                    "--cores %d",
		                    WEFT_ENV_LIBEXEC_DIR, driver, executor_id, cores);
	weft_launch_context_add_command(lc, command);
	weft_launch_context_add_env(lc, WEFT_ENV_APP_SECRET, am->app_secret);
	free(command);
	free(driver);
}

/* Launch an executor in a granted container. */
static void am_launch(struct am *am, const struct weft_container *g, int executor_id)
{
	struct weft_launch_context ctx;
	struct am_nm_call *c = am_nm_call_new(am, g->container_id, g->node_http_address);

	am_executor_context(am, executor_id, &ctx);
	log_info("starting executor %d in %s on %s", executor_id, g->container_id, g->node_id);
	weft_nm_client_start(am->nm, g, &ctx, am_start_done_cb, c);
	weft_launch_context_clear(&ctx);
}

/* AM client: registered. */
static void am_registered_cb(void *arg, const struct weft_am_registration *reg)
{
	struct am *am = arg;
	char want[64], max[64];
	char *diag;

	free(am->application_id);
	am->application_id = xstrdup(reg->application_id);
	am->registered = true;
	if (am->phase == AM_NEW)
		am_set_phase(am, AM_RUNNING);
	/* An executor bigger than any container the cluster grants would
	 * wait forever: fail now with the reason (Spark does the same). */
	if (!weft_resource_is_zero(reg->maximum) &&
	    !weft_resource_fits(am->executor_resource, reg->maximum)) {
		weft_resource_format(am->executor_resource, want, sizeof want);
		weft_resource_format(reg->maximum, max, sizeof max);
		diag = xasprintf("Required executor resource %s is above the maximum "
		                 "allocation %s of this cluster",
		                 want, max);
		am_fail(am, diag);
		free(diag);
	}
}

/* AM client: grants. */
static void am_allocated_cb(void *arg, const struct weft_container *grants, int n)
{
	struct am *am = arg;
	int executor_id;

	for (int i = 0; i < n; i++) {
		if (grants[i].priority != AM_EXECUTOR_PRIORITY)
			log_warn("grant %s at unexpected priority %d", grants[i].container_id,
			         grants[i].priority);
		switch (executor_pool_grant(am->pool, grants[i].container_id,
		                            grants[i].node_http_address, grants[i].token,
		                            &executor_id)) {
		case EXECUTOR_POOL_LAUNCH:
			am_launch(am, &grants[i], executor_id);
			break;
		case EXECUTOR_POOL_SURPLUS:
		case EXECUTOR_POOL_DUPLICATE:
			break;
		}
	}
	am_maybe_poke(am);
}

/* AM client: containers that ended. */
static void am_completed_cb(void *arg, const struct weft_container_status *statuses, int n)
{
	struct am *am = arg;
	enum executor_pool_completion what;
	const struct weft_container_status *c;
	bool was_running;

	for (int i = 0; i < n; i++) {
		c = &statuses[i];
		what = executor_pool_completed(am->pool, c->container_id, c->exit_status,
		                               c->diagnostics, &was_running);
		if (what == EXECUTOR_POOL_UNKNOWN || what == EXECUTOR_POOL_EXPECTED) {
			log_debug("container %s ended (%d)", c->container_id, c->exit_status);
			continue;
		}
		log_warn("executor in %s ended with status %d: %s", c->container_id, c->exit_status,
		         c->diagnostics);
		if (was_running && am->driver.executor_lost != NULL)
			am->driver.executor_lost(am->driver.arg, c->container_id, c->exit_status,
			                         c->diagnostics);
		if (what == EXECUTOR_POOL_FAILED && executor_pool_limit_exceeded(am->pool)) {
			am_fail(am, executor_pool_failure_diagnostics(am->pool));
			return;
		}
	}
	am_maybe_poke(am);
}

/* AM client: the RM acknowledged our finish. */
static void am_finished_cb(void *arg)
{
	am_exit(arg, 0);
}

/* AM client: it stopped for good (killed, stale, refused, unreachable). */
static void am_ended_cb(void *arg, enum weft_am_client_end end, const char *why)
{
	struct am *am = arg;
	bool driver_active = am->phase <= AM_RUNNING;
	char *diag;

	switch (end) {
	case WEFT_AM_CLIENT_SHUTDOWN:
		log_info("application is over on the RM's side; stopping");
		diag = xasprintf("application killed or finished: %s", why);
		break;
	case WEFT_AM_CLIENT_NOT_FOUND:
		log_error("the RM does not know attempt %s any more (%s); exiting", am->attempt_id,
		          why);
		diag = xasprintf("application attempt not found: %s", why);
		break;
	default:
		log_error("giving up on the RM: %s", why);
		diag = xstrdup(why);
		break;
	}
	/* Exiting first makes the driver's end (which may call am_finish)
	 * a no-op: there is nobody left to finish with. */
	am_exit(am, end == WEFT_AM_CLIENT_SHUTDOWN ? 0 : 1);
	if (driver_active && am->driver.stop != NULL)
		am->driver.stop(am->driver.arg, diag);
	free(diag);
}

/* Deferred exit: run on_exit from the loop, never from inside a call. */
static void am_exit_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct am *am = arg;

	if (am->exit_called)
		return;
	if (weft_nm_client_pending(am->nm) > 0)
		log_warn("exiting with %d NM calls unanswered", weft_nm_client_pending(am->nm));
	am->exit_called = true;
	if (am->on_exit != NULL)
		am->on_exit(am->exit_status, am->exit_arg);
}

/* Stop talking to the RM, stop executors, exit when the stops answered
 * (or after the grace period). */
static void am_exit(struct am *am, int status)
{
	struct timeval tv;
	int ms;

	if (am->phase == AM_EXITING)
		return;
	am_set_phase(am, AM_EXITING);
	am->exit_status = status;
	weft_am_client_stop(am->rm);
	fflush(stdout);
	am_stop_all(am);
	ms = weft_nm_client_pending(am->nm) > 0 ? am->stop_grace_ms : 0;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(am->exit_timer, &tv);
}

/* The AM itself gives the application up: finish FAILED, stop the driver. */
static void am_fail(struct am *am, const char *diagnostics)
{
	char *diag;

	if (am->phase > AM_RUNNING)
		return;
	diag = xstrdup(diagnostics);
	log_error("failing the application: %s", diag);
	am_finish(am, "FAILED", diag);
	if (am->driver.stop != NULL)
		am->driver.stop(am->driver.arg, diag);
	free(diag);
}

/* An AM for one attempt; nothing happens until am_start().  RET NULL
 * with *cause when the RM's addresses or the token are unusable. */
struct am *am_new(struct event_base *base, const struct am_settings *s, am_exit_cb on_exit,
                  void *arg, char **cause)
{
	struct am *am;
	struct weft_client_options no = {.call_timeout_ms = s->call_timeout_ms};
	struct weft_am_client_options ao = {
	        .heartbeat_ms = s->heartbeat_ms,
	        .initial_interval_ms = s->initial_interval_ms,
	        .give_up_ms = s->rm_give_up_ms,
	};
	struct weft_am_client_handlers ah = {
	        .registered = am_registered_cb,
	        .containers_allocated = am_allocated_cb,
	        .containers_completed = am_completed_cb,
	        .finished = am_finished_cb,
	        .ended = am_ended_cb,
	        .arg = NULL,
	};
	struct weft_client *rm_conn, *nm_conn;

	rm_conn = weft_am_client_connect(base, s->rm_addresses, s->am_token, s->call_timeout_ms,
	                                 cause);
	if (rm_conn == NULL)
		return NULL;
	nm_conn = weft_client_new(base, &no, cause);
	if (nm_conn == NULL) {
		weft_client_free(rm_conn);
		return NULL;
	}
	am = xcalloc(1, sizeof *am);
	ah.arg = am;
	am->base = base;
	am->rm_conn = rm_conn;
	am->nm_conn = nm_conn;
	am->rm_addresses = xstrdup(s->rm_addresses);
	am->attempt_id = xstrdup(s->attempt_id ? s->attempt_id : "");
	am->container_id = xstrdup(s->container_id ? s->container_id : "");
	am->host = xstrdup(s->host ? s->host : "");
	am->tracking_url = xstrdup(s->tracking_url ? s->tracking_url : "");
	am->app_secret = xstrdup(s->app_secret ? s->app_secret : "");
	am->executor_resource = s->executor_resource;
	am->stop_grace_ms = s->stop_grace_ms > 0 ? s->stop_grace_ms : 2000;
	am->pool = executor_pool_new(s->num_executors, s->max_executor_failures);
	am->rm = weft_am_client_new(rm_conn, &ao, &ah);
	am->nm = weft_nm_client_new(nm_conn);
	am->exit_timer = evtimer_new(base, am_exit_timer_cb, am);
	if (am->exit_timer == NULL)
		fatalx("evtimer_new failed");
	am->on_exit = on_exit;
	am->exit_arg = arg;
	log_info("%d executors of %lld MB, %lld vcores; failure limit %d", s->num_executors,
	         (long long)s->executor_resource.memory_mb, (long long)s->executor_resource.vcores,
	         executor_pool_max_failures(am->pool));
	return am;
}

void am_free(struct am *am)
{
	if (am == NULL)
		return;
	weft_am_client_free(am->rm);
	weft_nm_client_free(am->nm); /* cancels what is in flight: no callback runs */
	while (am->calls != NULL)
		am_nm_call_free(am->calls);
	weft_client_free(am->rm_conn);
	weft_client_free(am->nm_conn);
	executor_pool_free(am->pool);
	event_free(am->exit_timer);
	free(am->rm_addresses);
	free(am->attempt_id);
	free(am->container_id);
	free(am->host);
	free(am->tracking_url);
	free(am->app_secret);
	free(am->driver_address);
	free(am->application_id);
	free(am);
}

void am_set_driver(struct am *am, const char *driver_address, const struct am_driver_ops *ops)
{
	free(am->driver_address);
	am->driver_address = xstrdup(driver_address);
	if (ops != NULL)
		am->driver = *ops;
	else
		memset(&am->driver, 0, sizeof am->driver);
}

/* Where the RM's report links to (the driver's status), if we know
 * before registering; the finish reports it too. */
void am_set_tracking_url(struct am *am, const char *url)
{
	if (url == NULL || *url == '\0')
		return;
	free(am->tracking_url);
	am->tracking_url = xstrdup(url);
}

/* Register; the first allocate follows the answer at once. */
void am_start(struct am *am)
{
	if (am->driver_address == NULL)
		fatalx("am_start before am_set_driver");
	log_info("registering %s with the RM at %s", am->attempt_id, am->rm_addresses);
	/* The first allocate, right after the answer, carries the ask. */
	am_maybe_poke(am);
	weft_am_client_register(am->rm, am->host, -1, am->tracking_url);
}

/* The driver's dynamic allocation. */
void am_request_executors(struct am *am, int total)
{
	if (am->phase > AM_RUNNING)
		return;
	log_info("driver wants %d executors (had %d)", total, executor_pool_wanted(am->pool));
	executor_pool_set_wanted(am->pool, total);
	am_maybe_poke(am);
}

/* The driver wants one executor gone: stop it and give its container back. */
void am_kill_executor(struct am *am, const char *container_id)
{
	const char *node, *token;

	if (am->phase > AM_RUNNING)
		return;
	node = executor_pool_node(am->pool, container_id);
	token = executor_pool_token(am->pool, container_id);
	if (node == NULL || executor_pool_kill(am->pool, container_id) != 0) {
		log_warn("driver asked to kill unknown executor container %s", container_id);
		return;
	}
	am_stop_container(am, container_id, node, token);
	am_maybe_poke(am);
}

/* The application's end: stop and release executors, then unregister. */
void am_finish(struct am *am, const char *final_status, const char *diagnostics)
{
	if (am->phase > AM_RUNNING)
		return;
	am_set_phase(am, AM_FINISHING);
	/* The driver's results must be in the stdout log before the RM says
	 * FINISHED and weft-submit fetches it. */
	fflush(stdout);
	am_stop_all(am);
	am_maybe_poke(am);
	weft_am_client_finish(am->rm, final_status, diagnostics, am->tracking_url);
}

/* SIGTERM: the NM is stopping us; the RM decides what comes next. */
void am_stop(struct am *am)
{
	bool driver_active = am->phase <= AM_RUNNING;

	log_info("stopping: executors are stopped, the RM decides the attempt's fate");
	am_exit(am, 0);
	if (driver_active && am->driver.stop != NULL)
		am->driver.stop(am->driver.arg, "application master stopped");
}

bool am_registered(const struct am *am)
{
	return am->registered;
}

const char *am_application_id(const struct am *am)
{
	return am->application_id;
}

int am_running_executors(const struct am *am)
{
	return executor_pool_running(am->pool);
}

int am_failures(const struct am *am)
{
	return executor_pool_failures(am->pool);
}
