/*
 * main.c — weft-submit: submit a job to a weft cluster and follow it, as
 * spark-submit does on YARN.  This file parses the command line, loads
 * the configuration and the job, and runs one submit_session on a
 * libevent loop (the client-mode driver lives on the same loop).
 *
 * Exit status: 0 the application SUCCEEDED (or was accepted, --no-wait),
 * 1 it did not or the cluster could not be reached, 2 bad usage, 128+N
 * interrupted by signal N.
 */
#include "weft_config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/rest.h"
#include "common/config.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "submit/submit_args.h"
#include "submit/submit_job.h"
#include "submit/submit_session.h"

struct submit_main {
	struct event_base *base;
	struct submit_session *session;
	int status;
};

/* The session ended: leave the loop. */
static void submit_main_done_cb(int status, void *arg)
{
	struct submit_main *m = arg;

	m->status = status;
	event_base_loopbreak(m->base);
}

/* SIGINT / SIGTERM go to the session (it kills a client-mode app). */
static void submit_main_signal_cb(evutil_socket_t signo, short events, void *arg)
{
	struct submit_main *m = arg;

	submit_session_interrupt(m->session, (int)signo);
}

/* --conf keys the in-process client-mode driver reads as well. */
static int submit_main_apply_driver_confs(struct config *cfg, const struct submit_args *args)
{
	char *why = NULL;

	for (int i = 0; i < args->n_confs; i++) {
		if (strncmp(args->confs[i], "driver.", 7) != 0)
			continue;
		if (config_set_arg(cfg, args->confs[i], &why) != 0) {
			fprintf(stderr, "weft-submit: --conf %s: %s\n", args->confs[i], why);
			free(why);
			return -1;
		}
	}
	return 0;
}

/* Everything before the loop; RET the exit status when it is already
 * known, or -1 to go on. */
static int submit_main_prepare(struct submit_args *args, int argc, char **argv, struct config **cfg,
                               struct rest_master *master, struct submit_job *job)
{
	struct stat st;
	char *cause = NULL;
	int rc;

	if (submit_args_parse(args, argc, argv, &cause) != 0) {
		fprintf(stderr, "weft-submit: %s\nTry 'weft-submit --help'.\n", cause);
		free(cause);
		return 2;
	}
	if (args->help) {
		fputs(submit_args_usage(), stdout);
		return 0;
	}
	if (args->version) {
		daemon_print_version("weft-submit");
		return 0;
	}
	if (args->common.conf_dir != NULL &&
	    (stat(args->common.conf_dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
		fprintf(stderr, "weft-submit: --conf-dir %s: not a directory\n",
		        args->common.conf_dir);
		return 2;
	}
	*cfg = daemon_load_config("weft-submit", &args->common);
	if (*cfg == NULL)
		return 1;
	/* A tool is quiet unless log.level is asked for explicitly. */
	if (!config_is_set(*cfg, "log.level"))
		log_set_level(LOG_LEVEL_WARN);
	if (args->mode == SUBMIT_MODE_CLIENT && submit_main_apply_driver_confs(*cfg, args) != 0)
		return 2;
	if (rest_master_resolve(args->master, *cfg, master, &cause) != 0) {
		fprintf(stderr, "weft-submit: %s\n", cause);
		free(cause);
		return args->master != NULL ? 2 : 1;
	}
	/* The job is checked before anything reaches the cluster. */
	rc = args->shell != NULL ? submit_job_from_shell(args->shell, args->tasks, job, &cause)
	                         : submit_job_from_file(args->job_file, job, &cause);
	if (rc != 0) {
		fprintf(stderr, "weft-submit: %s\n", cause);
		free(cause);
		return 2;
	}
	return -1;
}

/* Parse, prepare, run the session until it ends. */
int main(int argc, char **argv)
{
	struct submit_args args;
	struct config *cfg = NULL;
	struct rest_master master = {NULL, NULL, 0};
	struct submit_job job = {NULL, NULL, 0, NULL};
	struct submit_settings set;
	struct submit_main m = {NULL, NULL, 1};
	struct event *sigint = NULL, *sigterm = NULL;
	char *user = NULL;
	int rc;

	log_open("weft-submit", LOG_LEVEL_WARN, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = submit_main_prepare(&args, argc, argv, &cfg, &master, &job);
	if (rc >= 0)
		goto out;

	user = rest_user_name();
	memset(&set, 0, sizeof set);
	set.args = &args;
	set.job = &job;
	set.rm_addresses = master.addresses;
	set.rm_host = master.host;
	set.rm_port = master.port;
	set.rm_retry_ms = config_get_int(cfg, "rm.connect.max-wait-ms");
	set.user = user;
	set.name = args.name != NULL ? args.name : job.name;
	set.queue = args.queue != NULL ? args.queue : config_get(cfg, "submit.queue");
	set.poll_interval_ms = config_get_int(cfg, "submit.poll-interval-ms");
	set.am_memory_mb = config_get_int(cfg, "submit.am-memory-mb");
	set.driver_host = config_get(cfg, "driver.host");
	set.driver_bind_host = config_get(cfg, "driver.bind-host");
	set.driver_port = (int)config_get_int(cfg, "driver.port");
	set.max_task_failures = (int)config_get_int(cfg, "driver.task.max-failures");
	set.speculation = config_get_bool(cfg, "driver.speculation");
	set.dynamic_min = (int)config_get_int(cfg, "driver.dynamic-allocation.min-executors");
	set.dynamic_max = (int)config_get_int(cfg, "driver.dynamic-allocation.max-executors");
	set.executor_idle_timeout_ms =
	        config_get_int(cfg, "driver.dynamic-allocation.executor-idle-timeout-ms");
	set.out = stdout;
	set.err = stderr;

	m.base = event_base_new();
	if (m.base == NULL)
		fatalx("event_base_new failed");
	m.session = submit_session_new(m.base, &set, submit_main_done_cb, &m);
	sigint = evsignal_new(m.base, SIGINT, submit_main_signal_cb, &m);
	sigterm = evsignal_new(m.base, SIGTERM, submit_main_signal_cb, &m);
	if (sigint == NULL || sigterm == NULL || evsignal_add(sigint, NULL) != 0 ||
	    evsignal_add(sigterm, NULL) != 0)
		fatalx("cannot install signal handlers");
	submit_session_start(m.session);
	event_base_dispatch(m.base);
	rc = m.status;
	if (fflush(stdout) != 0 && rc == 0) {
		fprintf(stderr, "weft-submit: cannot write the job's output\n");
		rc = 1;
	}

	submit_session_free(m.session);
	event_free(sigint);
	event_free(sigterm);
	event_base_free(m.base);
out:
	free(user);
	submit_job_clear(&job);
	rest_master_clear(&master);
	if (cfg != NULL)
		config_free(cfg);
	submit_args_free(&args);
	log_close();
	return rc;
}
