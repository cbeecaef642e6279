/*
 * submit_session.c — one submission, start to end, as a chain of
 * asynchronous steps on the caller's loop (see submit_session.h).
 *
 * The steps run in order, at most one RM call of the chain in flight
 * (libweft's RM client: failover and retries are its business); in client
 * mode the driver runs beside them on the same loop.  Following is one
 * wait after another (weft_rm_wait_app): the RM answers each when the
 * state changes, so the session hears of every change at once and asks
 * nothing in between.  Every path ends in submit_session_finish(),
 * exactly once, which hands the exit status to the caller.
 */
#include "weft_config.h"

#include "submit/submit_session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/http_client.h"
#include "common/net.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "driver/driver.h"
#include "lib/client_internal.h"
#include "submit/submit_context.h"
#include "submit/submit_logs.h"
#include "submit/submit_progress.h"
#include "weft/ids.h"
#include "weft/protocol.h"
#include "weft/rm_client.h"

/* Bytes of secret shared by the driver, the AM and the executors. */
#define SUBMIT_SECRET_BYTES 32
/* How much of the AM's stderr a failure shows. */
#define SUBMIT_STDERR_LINES 10
#define SUBMIT_STDERR_BYTES 4096

enum submit_phase {
	SUBMIT_PHASE_IDLE,
	SUBMIT_PHASE_NEW_APP,
	SUBMIT_PHASE_STAGING,
	SUBMIT_PHASE_SUBMITTING,
	SUBMIT_PHASE_FOLLOWING,
	SUBMIT_PHASE_LOGS,
	SUBMIT_PHASE_KILLING,
	SUBMIT_PHASE_DONE,
};

struct submit_session {
	struct event_base *base;
	const struct submit_settings *set;
	submit_session_done_cb done;
	void *arg;
	enum submit_phase phase;
	struct weft_client *client; /* the RM (and the NMs' logs) */
	struct weft_rm_client *rm;
	struct http_client *http; /* the driver's status, the stdout download */
	struct weft_rm_op *op;    /* the chain's RM call in flight */
	struct event *kill_timer; /* bounds the kill after Ctrl-C */
	struct submit_logs *logs;
	struct submit_progress *progress; /* stage progress on stderr */
	struct event *grace;              /* armed when the client-mode driver ended */

	char *app_id;
	char *secret;
	char *job_url;
	int64_t job_size, job_timestamp;
	char *last_state;

	/* The final report. */
	bool app_final;
	char *final_status, *diagnostics;

	/* Client mode. */
	struct driver *driver;
	char *advertise_host;
	bool driver_done, driver_ok;
	char *driver_diagnostics;
	bool final_pending; /* the app ended first: waiting for the driver */

	int interrupted; /* 128 + signal, or 0 */
};

static void submit_session_submit(struct submit_session *s);
static void submit_session_kill(struct submit_session *s);
static void submit_session_final(struct submit_session *s);

/* End the session with status (once). */
static void submit_session_finish(struct submit_session *s, int status)
{
	if (s->phase == SUBMIT_PHASE_DONE)
		return;
	s->phase = SUBMIT_PHASE_DONE;
	submit_progress_finish(s->progress);
	if (s->op != NULL) {
		weft_rm_op_cancel(s->op);
		s->op = NULL;
	}
	evtimer_del(s->kill_timer);
	submit_logs_free(s->logs);
	s->logs = NULL;
	evtimer_del(s->grace);
	fflush(s->set->out);
	fflush(s->set->err);
	s->done(status, s->arg);
}

/* Say why a call got nothing, or what the RM answered, and end. */
static void submit_session_call_failed(struct submit_session *s, const char *what,
                                       const struct weft_status *st)
{
	if (st->http_status == 0) {
		char *urls = client_rm_urls_text(s->client);

		fprintf(s->set->err, "weft-submit: cannot reach the resource manager at %s: %s\n",
		        urls, st->message != NULL ? st->message : "no answer");
		free(urls);
	} else
		fprintf(s->set->err, "weft-submit: %s: %s\n", what, st->message);
	submit_session_finish(s, 1);
}

/* Refuse what no node of the cluster could ever hold (the RM's
 * maximum-resource-capability), rather than let the AM ask forever. */
static int submit_session_check_capacity(struct submit_session *s,
                                         const struct weft_new_application *m, char **cause)
{
	const struct submit_args *a = s->set->args;
	int64_t mem = m->max_memory_mb, cores = m->max_vcores;

	if (mem > 0 && a->executor_memory_mb > mem)
		return set_cause(cause,
		                 "--executor-memory %lld MB is more than the cluster's largest "
		                 "container (%lld MB)",
		                 (long long)a->executor_memory_mb, (long long)mem);
	if (cores > 0 && a->executor_cores > cores)
		return set_cause(cause,
		                 "--executor-cores %d is more than the cluster's largest container "
		                 "(%lld vcores)",
		                 a->executor_cores, (long long)cores);
	if (a->mode == SUBMIT_MODE_CLUSTER && mem > 0 && a->driver_memory_mb > mem)
		return set_cause(cause,
		                 "--driver-memory %lld MB is more than the cluster's largest "
		                 "container (%lld MB)",
		                 (long long)a->driver_memory_mb, (long long)mem);
	if (a->mode == SUBMIT_MODE_CLUSTER && cores > 0 && a->driver_cores > cores)
		return set_cause(cause,
		                 "--driver-cores %d is more than the cluster's largest container "
		                 "(%lld vcores)",
		                 a->driver_cores, (long long)cores);
	if (a->mode == SUBMIT_MODE_CLIENT && mem > 0 && s->set->am_memory_mb > mem)
		return set_cause(cause,
		                 "submit.am-memory-mb %lld is more than the cluster's largest "
		                 "container (%lld MB)",
		                 (long long)s->set->am_memory_mb, (long long)mem);
	return 0;
}

/* The client-mode driver ended the job. */
static void submit_session_driver_done_cb(struct driver *d, bool succeeded, const char *diagnostics,
                                          void *arg)
{
	struct submit_session *s = arg;
	struct timeval tv = {SUBMIT_FINAL_GRACE_MS / 1000, 0};

	s->driver_done = true;
	s->driver_ok = succeeded;
	free(s->driver_diagnostics);
	s->driver_diagnostics = xstrdup(diagnostics != NULL ? diagnostics : "");
	if (s->final_pending) {
		/* The RM saw the AM unregister before the driver finished
		 * closing its connections: now both are over. */
		s->final_pending = false;
		evtimer_del(s->grace);
		submit_session_final(s);
		return;
	}
	/* The AM now unregisters; give the RM a bounded time to say so. */
	if (s->phase == SUBMIT_PHASE_SUBMITTING || s->phase == SUBMIT_PHASE_FOLLOWING)
		evtimer_add(s->grace, &tv);
}

/* The application did not reach a final state after the driver ended. */
static void submit_session_grace_cb(evutil_socket_t fd, short events, void *arg)
{
	struct submit_session *s = arg;

	if (s->final_pending) {
		s->final_pending = false;
		submit_session_final(s);
		return;
	}
	fprintf(s->set->err,
	        "weft-submit: application %s is still %s %d s after the driver ended; giving up\n",
	        s->app_id, s->last_state != NULL ? s->last_state : "not final",
	        SUBMIT_FINAL_GRACE_MS / 1000);
	submit_session_finish(s, 1);
}

/* Start the client-mode driver and the job in it.  RET 0 / -1 (said). */
static int submit_session_start_driver(struct submit_session *s)
{
	const struct submit_settings *set = s->set;
	struct driver_options opts;
	char *why = NULL;

	if (set->driver_host != NULL && set->driver_host[0] != '\0')
		s->advertise_host = xstrdup(set->driver_host);
	else {
		/* Executors on other hosts dial this address: the interface
		 * that reaches the RM reaches the cluster. */
		s->advertise_host = net_local_address_for(set->rm_host, set->rm_port, &why);
		if (s->advertise_host == NULL) {
			fprintf(set->err,
			        "weft-submit: cannot find the local address that reaches %s:%d: %s "
			        "(set driver.host)\n",
			        set->rm_host, set->rm_port, why);
			free(why);
			return -1;
		}
	}
	memset(&opts, 0, sizeof opts);
	opts.bind_host = set->driver_bind_host;
	opts.port = set->driver_port;
	opts.advertise_host = s->advertise_host;
	opts.app_secret = s->secret;
	opts.max_task_failures = set->max_task_failures;
	opts.speculation = set->speculation;
	opts.dynamic_min = set->dynamic_min;
	opts.dynamic_max = set->dynamic_max;
	opts.executor_idle_timeout_ms = set->executor_idle_timeout_ms;
	opts.out = set->out;
	s->driver = driver_new(s->base, &opts, NULL, submit_session_driver_done_cb, s, &why);
	if (s->driver == NULL) {
		fprintf(set->err, "weft-submit: cannot start the driver: %s\n", why);
		free(why);
		return -1;
	}
	if (driver_run(s->driver, set->job->json, &why) != 0) {
		fprintf(set->err, "weft-submit: the driver refused the job: %s\n", why);
		free(why);
		return -1;
	}
	submit_progress_follow_driver(s->progress, s->driver);
	return 0;
}

/* Print why the application failed: its diagnostics, the driver's, and
 * the tail of the AM's stderr when there is one. */
static void submit_session_explain(struct submit_session *s, const struct submit_logs_result *r)
{
	FILE *err = s->set->err;

	if (s->diagnostics != NULL && s->diagnostics[0] != '\0')
		fprintf(err, "weft-submit: diagnostics: %s\n", s->diagnostics);
	if (s->driver_done && !s->driver_ok && s->driver_diagnostics[0] != '\0' &&
	    (s->diagnostics == NULL || strstr(s->diagnostics, s->driver_diagnostics) == NULL))
		fprintf(err, "weft-submit: driver: %s\n", s->driver_diagnostics);
	if (r == NULL)
		return;
	if (r->err != NULL && r->err_len > 0) {
		size_t n;
		const char *tail = submit_logs_tail(r->err, r->err_len, SUBMIT_STDERR_LINES,
		                                    SUBMIT_STDERR_BYTES, &n);
		fprintf(err, "weft-submit: end of the AM's stderr (%s):\n", r->container_id);
		fwrite(tail, 1, n, err);
		fputc('\n', err);
	} else if (r->error != NULL)
		fprintf(err, "weft-submit: no AM log to show (%s)\n", r->error);
}

/* Whether the whole thing succeeded, as far as known. */
static bool submit_session_succeeded(const struct submit_session *s)
{
	if (!s->app_final || strcmp(s->final_status, "SUCCEEDED") != 0)
		return false;
	if (s->set->args->mode == SUBMIT_MODE_CLIENT)
		return s->driver_done && s->driver_ok;
	return true;
}

/* Copy the downloaded driver output to out. */
static void submit_session_copy_file(struct submit_session *s, const char *path)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		fprintf(s->set->err, "weft-submit: %s: %s\n", path, strerror(errno));
		return;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		if (fwrite(buf, 1, n, s->set->out) != n)
			break;
	fclose(f);
}

/* The AM's logs are in (or could not be had): print and end. */
static void submit_session_logs_cb(const struct submit_logs_result *r, void *arg)
{
	struct submit_session *s = arg;
	bool ok = submit_session_succeeded(s);

	if (s->set->args->mode == SUBMIT_MODE_CLUSTER) {
		if (r->out_path != NULL)
			submit_session_copy_file(s, r->out_path);
		else if (ok)
			fprintf(s->set->err,
			        "weft-submit: cannot fetch the driver's output from the AM "
			        "container's log: %s\n",
			        r->error != NULL ? r->error : "no log");
	}
	if (!ok)
		submit_session_explain(s, r);
	submit_session_finish(s, ok ? 0 : 1);
}

/* The application reached a final state. */
static void submit_session_final(struct submit_session *s)
{
	bool ok = submit_session_succeeded(s), want_stderr;

	if (s->set->args->mode == SUBMIT_MODE_CLIENT) {
		if (!s->driver_done && !s->final_pending && s->driver != NULL &&
		    driver_finishing(s->driver) && s->phase == SUBMIT_PHASE_FOLLOWING) {
			/* The AM unregisters as soon as the driver said shutdown,
			 * while the driver still waits (a few seconds at most)
			 * for its connections to close: wait for it. */
			struct timeval tv = {SUBMIT_FINAL_GRACE_MS / 1000, 0};

			s->final_pending = true;
			evtimer_add(s->grace, &tv);
			return;
		}
		if (!s->driver_done)
			fprintf(s->set->err,
			        "weft-submit: application %s ended before the driver finished\n",
			        s->app_id);
		if (ok) {
			submit_session_finish(s, 0);
			return;
		}
	}
	/* Cluster mode always reads the AM's stdout (the driver's output).  A
	 * failure shows the AM's stderr too, unless a client-mode driver here
	 * already said why the job failed. */
	want_stderr = !ok && !(s->set->args->mode == SUBMIT_MODE_CLIENT && s->driver_done &&
	                       !s->driver_ok);
	if (s->set->args->mode == SUBMIT_MODE_CLIENT && !want_stderr) {
		submit_session_explain(s, NULL);
		submit_session_finish(s, 1);
		return;
	}
	s->phase = SUBMIT_PHASE_LOGS;
	s->logs = submit_logs_fetch(s->rm, s->http, s->app_id,
	                            s->set->args->mode == SUBMIT_MODE_CLUSTER, want_stderr,
	                            submit_session_logs_cb, s);
}

static void submit_session_follow(struct submit_session *s, const char *while_state);

/* One application report: the first, then one per change of state. */
static void submit_session_report_cb(const struct weft_status *st, const struct weft_app_report *r,
                                     void *arg)
{
	struct submit_session *s = arg;
	FILE *err = s->set->err;
	const char *final_status;
	bool final;

	s->op = NULL;
	if (!st->ok) {
		/* The client retried for rm.connect.max-wait-ms, or the RM said
		 * no (the application is unknown). */
		if (st->http_status == 0) {
			char *urls = client_rm_urls_text(s->client);

			fprintf(err,
			        "weft-submit: following application %s: lost contact with the "
			        "resource manager at %s: %s\n",
			        s->app_id, urls, st->message);
			free(urls);
		} else
			fprintf(err, "weft-submit: following application %s: %s\n", s->app_id,
			        st->message);
		submit_session_finish(s, 1);
		return;
	}
	final = weft_app_state_final(r->state);
	final_status = r->final_status != NULL && r->final_status[0] != '\0' ? r->final_status
	                                                                     : "UNDEFINED";
	if (s->last_state == NULL || strcmp(s->last_state, r->state) != 0) {
		free(s->last_state);
		s->last_state = xstrdup(r->state);
		/* NEW and NEW_SAVING are the RM's bookkeeping, not news. */
		if (final)
			fprintf(err, "weft-submit: %s: %s (final status %s)\n", s->app_id, r->state,
			        final_status);
		else if (strcmp(r->state, "RUNNING") == 0 && r->tracking_url != NULL &&
		         r->tracking_url[0] != '\0')
			fprintf(err, "weft-submit: %s: RUNNING (tracking URL %s)\n", s->app_id,
			        r->tracking_url);
		else if (strcmp(r->state, "NEW") != 0 && strcmp(r->state, "NEW_SAVING") != 0)
			fprintf(err, "weft-submit: %s: %s\n", s->app_id, r->state);
	}
	if (!final && s->set->args->mode == SUBMIT_MODE_CLUSTER && !s->set->args->no_wait &&
	    strcmp(r->state, "RUNNING") == 0)
		submit_progress_follow_url(s->progress,
		                           r->tracking_url != NULL ? r->tracking_url : "");
	if (!final) {
		if (s->set->args->no_wait &&
		    (strcmp(r->state, "ACCEPTED") == 0 || strcmp(r->state, "RUNNING") == 0)) {
			fprintf(err,
			        "weft-submit: not waiting; follow it with: weft app status %s\n",
			        s->app_id);
			submit_session_finish(s, 0);
			return;
		}
		/* The RM answers the next wait when this state changes. */
		submit_session_follow(s, r->state);
		return;
	}
	s->app_final = true;
	s->final_status = xstrdup(final_status);
	s->diagnostics = xstrdup(r->diagnostics != NULL ? r->diagnostics : "");
	evtimer_del(s->grace);
	submit_session_final(s);
}

/* Ask for the report once the state is not while_state (NULL: now). */
static void submit_session_follow(struct submit_session *s, const char *while_state)
{
	s->op = weft_rm_wait_app(s->rm, s->app_id, while_state, 0, submit_session_report_cb, s);
}

/* The RM's answer to the submission. */
static void submit_session_submitted_cb(const struct weft_status *st, void *arg)
{
	struct submit_session *s = arg;

	s->op = NULL;
	if (!st->ok) {
		char *what = xasprintf("submitting application %s", s->app_id);
		submit_session_call_failed(s, what, st);
		free(what);
		return;
	}
	if (s->interrupted != 0) {
		/* Ctrl-C came while the submission was on its way. */
		if (s->set->args->mode == SUBMIT_MODE_CLIENT)
			submit_session_kill(s);
		else {
			fprintf(s->set->err,
			        "weft-submit: application %s keeps running in the cluster; stop it "
			        "with: weft app kill %s\n",
			        s->app_id, s->app_id);
			submit_session_finish(s, s->interrupted);
		}
		return;
	}
	s->phase = SUBMIT_PHASE_FOLLOWING;
	submit_session_follow(s, NULL);
}

/* POST the ApplicationSubmissionContext. */
static void submit_session_submit(struct submit_session *s)
{
	struct submit_context ctx;
	struct weft_app_submission sub;
	struct weft_app_file job;
	char *cmd;

	memset(&ctx, 0, sizeof ctx);
	ctx.args = s->set->args;
	ctx.app_id = s->app_id;
	ctx.name = s->set->name;
	ctx.queue = s->set->queue;
	ctx.secret = s->secret;
	ctx.driver_address = s->driver != NULL ? driver_address(s->driver) : NULL;
	ctx.job_url = s->job_url;
	ctx.job_size = s->job_size;
	ctx.job_timestamp = s->job_timestamp;
	ctx.am_memory_mb = s->set->am_memory_mb;
	cmd = submit_context_fill(&ctx, &sub, &job);
	s->phase = SUBMIT_PHASE_SUBMITTING;
	s->op = weft_rm_submit(s->rm, &sub, submit_session_submitted_cb, s);
	submit_context_clear(&sub, cmd);
}

/* The staging area has the job file. */
static void submit_session_staged_cb(const struct weft_status *st, const struct weft_staged_file *f,
                                     void *arg)
{
	struct submit_session *s = arg;

	s->op = NULL;
	if (!st->ok) {
		submit_session_call_failed(s, "uploading the job to the staging area", st);
		return;
	}
	free(s->job_url);
	s->job_url = xstrdup(f->url);
	s->job_size = f->size >= 0 ? f->size : (int64_t)s->set->job->len;
	s->job_timestamp = time_now_ms();
	submit_session_submit(s);
}

/* Upload the job file for the AM container. */
static void submit_session_stage(struct submit_session *s)
{
	s->phase = SUBMIT_PHASE_STAGING;
	s->op = weft_rm_stage_data(s->rm, s->app_id, SUBMIT_JOB_FILE_NAME, s->set->job->text,
	                           s->set->job->len, "application/json", submit_session_staged_cb,
	                           s);
}

/* The RM's answer to new-application. */
static void submit_session_new_app_cb(const struct weft_status *st,
                                      const struct weft_new_application *m, void *arg)
{
	struct submit_session *s = arg;
	char *why = NULL;

	s->op = NULL;
	if (!st->ok) {
		submit_session_call_failed(s, "asking for a new application", st);
		return;
	}
	s->app_id = xstrdup(m->app_id);
	if (submit_session_check_capacity(s, m, &why) != 0) {
		fprintf(s->set->err, "weft-submit: %s\n", why);
		free(why);
		submit_session_finish(s, 1);
		return;
	}
	/* The RM that answered is the one the client stays with. */
	fprintf(s->set->err, "weft-submit: submitting application %s to %s\n", s->app_id,
	        weft_client_rm_url(s->client));
	s->secret = security_random_hex(SUBMIT_SECRET_BYTES);
	if (s->set->args->mode == SUBMIT_MODE_CLUSTER) {
		submit_session_stage(s);
		return;
	}
	if (submit_session_start_driver(s) != 0) {
		submit_session_finish(s, 1);
		return;
	}
	submit_session_submit(s);
}

/* The kill went through (or not): end with the interrupt's status. */
static void submit_session_killed_cb(const struct weft_status *st, const char *state,
                                     bool already_final, void *arg)
{
	struct submit_session *s = arg;

	s->op = NULL;
	if (st->ok)
		fprintf(s->set->err, "weft-submit: application %s killed\n", s->app_id);
	else
		fprintf(s->set->err, "weft-submit: could not kill application %s: %s\n", s->app_id,
		        st->message);
	submit_session_finish(s, s->interrupted);
}

/* The kill took longer than SUBMIT_KILL_TIMEOUT_MS: leave. */
static void submit_session_kill_timeout_cb(evutil_socket_t fd, short events, void *arg)
{
	struct submit_session *s = arg;
	struct weft_status st = {.message = "no answer in time"};

	if (s->op != NULL) {
		weft_rm_op_cancel(s->op);
		s->op = NULL;
	}
	submit_session_killed_cb(&st, NULL, false, s);
}

/* Client mode after Ctrl-C: the job cannot outlive its driver, so kill
 * the application through the RM rather than leave the AM to notice. */
static void submit_session_kill(struct submit_session *s)
{
	struct timeval tv = {SUBMIT_KILL_TIMEOUT_MS / 1000, (SUBMIT_KILL_TIMEOUT_MS % 1000) * 1000};

	if (s->op != NULL) {
		/* The wait that follows the application. */
		weft_rm_op_cancel(s->op);
		s->op = NULL;
	}
	evtimer_del(s->grace);
	fprintf(s->set->err, "weft-submit: interrupted; killing application %s\n", s->app_id);
	s->phase = SUBMIT_PHASE_KILLING;
	evtimer_add(s->kill_timer, &tv);
	s->op = weft_rm_kill_app(s->rm, s->app_id, submit_session_killed_cb, s);
}

/* Ctrl-C or SIGTERM. */
void submit_session_interrupt(struct submit_session *s, int signo)
{
	int status = 128 + signo;

	if (s->phase == SUBMIT_PHASE_DONE)
		return;
	if (s->interrupted != 0 || s->phase == SUBMIT_PHASE_IDLE ||
	    s->phase == SUBMIT_PHASE_NEW_APP || s->phase == SUBMIT_PHASE_STAGING ||
	    s->phase == SUBMIT_PHASE_LOGS) {
		/* A second signal, nothing submitted yet, or already over. */
		if (s->interrupted == 0 && s->phase != SUBMIT_PHASE_LOGS)
			fprintf(s->set->err, "weft-submit: interrupted before submission\n");
		submit_session_finish(s, status);
		return;
	}
	s->interrupted = status;
	if (s->phase == SUBMIT_PHASE_SUBMITTING)
		return; /* decided when the RM answers */
	if (s->set->args->mode == SUBMIT_MODE_CLIENT) {
		submit_session_kill(s);
		return;
	}
	fprintf(s->set->err,
	        "weft-submit: application %s keeps running in the cluster; stop it with: weft app "
	        "kill %s\n",
	        s->app_id, s->app_id);
	submit_session_finish(s, status);
}

/* Set up; nothing is sent yet. */
struct submit_session *submit_session_new(struct event_base *base,
                                          const struct submit_settings *settings,
                                          submit_session_done_cb done, void *arg)
{
	struct submit_session *s = xcalloc(1, sizeof *s);
	struct weft_client_options o = {
	        .rm_addresses = settings->rm_addresses,
	        .user = settings->user,
	        .retry_ms = settings->rm_retry_ms,
	};
	char *cause = NULL;

	s->base = base;
	s->set = settings;
	s->done = done;
	s->arg = arg;
	s->client = weft_client_new(base, &o, &cause);
	if (s->client == NULL)
		fatalx("submit_session_new: %s", cause); /* addresses were resolved before */
	s->rm = weft_rm_client_new(s->client);
	if (settings->poll_interval_ms > 0)
		weft_rm_client_set_wait_pace(s->rm, (int)settings->poll_interval_ms);
	s->http = http_client_new(base);
	s->grace = evtimer_new(base, submit_session_grace_cb, s);
	s->kill_timer = evtimer_new(base, submit_session_kill_timeout_cb, s);
	if (s->grace == NULL || s->kill_timer == NULL)
		fatalx("submit_session_new: evtimer_new failed");
	/* The live bar only when both streams are a terminal: with the
	 * results going to a file or a pipe, plain lines log better. */
	s->progress = submit_progress_new(base, s->http, settings->err,
	                                  isatty(fileno(settings->out)) == 1 &&
	                                          isatty(fileno(settings->err)) == 1);
	return s;
}

/* Ask the RM for an application id. */
void submit_session_start(struct submit_session *s)
{
	s->phase = SUBMIT_PHASE_NEW_APP;
	s->op = weft_rm_new_application(s->rm, submit_session_new_app_cb, s);
}

/* The application id, when known. */
const char *submit_session_app_id(const struct submit_session *s)
{
	return s->app_id;
}

/* Free everything (after done() ran, or to abandon the session). */
void submit_session_free(struct submit_session *s)
{
	if (s == NULL)
		return;
	if (s->op != NULL)
		weft_rm_op_cancel(s->op);
	submit_logs_free(s->logs);
	submit_progress_free(s->progress);
	if (s->driver != NULL)
		driver_free(s->driver);
	weft_rm_client_free(s->rm);
	weft_client_free(s->client);
	http_client_free(s->http);
	event_free(s->grace);
	event_free(s->kill_timer);
	free(s->app_id);
	free(s->secret);
	free(s->job_url);
	free(s->last_state);
	free(s->final_status);
	free(s->diagnostics);
	free(s->advertise_host);
	free(s->driver_diagnostics);
	free(s);
}
