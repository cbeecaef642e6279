/*
 * submit_args.h — the command line of weft-submit.
 *
 *   weft-submit [--master weft://HOST:PORT] [--deploy-mode client|cluster]
 *     [--name N] [--queue Q] [--num-executors N] [--executor-memory SIZE]
 *     [--executor-cores N] [--driver-memory SIZE] [--driver-cores N]
 *     [--max-attempts N] [--conf KEY=VALUE]... [--dynamic-executors MIN:MAX]
 *     [--no-wait]
 *     [--conf-dir DIR] [-D KEY=VALUE]... (--shell CMD [--tasks N] | JOBFILE)
 *
 * Defaults are Spark on YARN's: client mode, 2 executors of 1g and 1
 * core, a driver of 1g and 1 core.  Parsing fills a struct and names the
 * bad flag in *cause; it touches no file and no network.
 */
#ifndef WEFT_SUBMIT_ARGS_H
#define WEFT_SUBMIT_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/daemon.h"

enum submit_mode {
	SUBMIT_MODE_CLIENT,
	SUBMIT_MODE_CLUSTER,
};

struct submit_args {
	const char *master; /* NULL = rm.address */
	enum submit_mode mode;
	const char *name;  /* NULL = from the job */
	const char *queue; /* NULL = submit.queue */
	int num_executors;
	int64_t executor_memory_mb;
	int executor_cores;
	int64_t driver_memory_mb;
	int driver_cores;
	int max_attempts;   /* 0 = the RM's rm.am.max-attempts */
	const char **confs; /* --conf KEY=VALUE, validated, in order */
	int n_confs;
	bool no_wait;
	struct daemon_options common; /* --conf-dir, -D */
	const char *shell;            /* --shell CMD, or NULL */
	int tasks;                    /* --tasks (1 unless given) */
	const char *job_file;         /* JOBFILE, or NULL */
	bool help, version;
	/* --dynamic-executors MIN:MAX (dynamic_max 0: not given); they
	 * become the driver.dynamic-allocation.* --conf entries below. */
	int dynamic_min, dynamic_max;
	char dynamic_confs[2][64];
};

/* Limits of the numeric flags. */
#define SUBMIT_MAX_EXECUTORS 100000
#define SUBMIT_MAX_CORES     (1 << 20)
#define SUBMIT_MAX_TASKS     100000
#define SUBMIT_MAX_ATTEMPTS  100
/* What the RM accepts for names (printable, this long at most). */
#define SUBMIT_MAX_NAME  1024
#define SUBMIT_MAX_QUEUE 128

/* Parse argv (argv[0] is the program).  RET 0 (help/version just set their
 * flag), or -1 with *cause naming the bad flag or combination. */
int submit_args_parse(struct submit_args *args, int argc, char **argv, char **cause);
void submit_args_free(struct submit_args *args);
const char *submit_args_usage(void);

#endif
