/*
 * options.h — weft-am's command line and environment, validated before
 * anything starts (see weft-am(8)).
 *
 * The RM starts weft-am through an NM with
 *   weft-am --mode client|cluster [--driver HOST:PORT] [--job FILE]
 *           --num-executors N --executor-memory MB --executor-cores N
 *           [--max-executor-failures N] [--conf-dir DIR] [-D key=value]...
 * and WEFT_RM_URL, WEFT_AM_TOKEN, WEFT_APP_ATTEMPT_ID, CONTAINER_ID,
 * NM_HOST, WEFT_APP_SECRET, WEFT_LIBEXEC_DIR and USER in the environment.
 * Anything missing or malformed is a usage error (exit 2) with a message
 * naming the option or variable.
 */
#ifndef WEFT_AM_OPTIONS_H
#define WEFT_AM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/daemon.h"
#include "weft/ids.h"

enum am_mode { AM_MODE_CLIENT, AM_MODE_CLUSTER };

struct am_options {
	enum am_mode mode;
	char *driver_host; /* client mode: --driver HOST:PORT */
	int driver_port;
	char *job_file; /* cluster mode: --job FILE */
	int num_executors;
	int64_t executor_memory_mb;
	int executor_cores;
	int max_executor_failures; /* -1 = am.max-executor-failures */
	char *conf_dir;            /* --conf-dir (common.conf_dir points here) */
	struct daemon_options common;
	bool help, version;

	/* From the environment (copies). */
	char *rm_url, *am_token, *attempt_id, *container_id, *nm_host, *nm_http_port, *app_secret,
	        *libexec_dir, *user;
	char application_id[WEFT_ID_MAX]; /* derived from the attempt id */
};

/* How to read the environment (getenv, or a test's table). */
typedef const char *(*options_getenv_fn)(const char *name);

/*
 * Parse argv and the environment into o (zeroed first).  With -h or -V
 * only those are set and the rest is not checked.  RET 0, or -1 with
 * *cause ("--num-executors: expected an integer from 1 to 100000, got
 * 'x'", "WEFT_RM_URL is not set ...").  o must be freed either way.
 */
int options_parse(struct am_options *o, int argc, char **argv, options_getenv_fn env, char **cause);
void options_free(struct am_options *o);
void options_usage(FILE *f);

#endif
