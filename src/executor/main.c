/*
 * main.c — weft-executor: parse arguments and the container's environment,
 * start the loop (weft-executor(8)).
 *
 *   weft-executor --driver HOST:PORT --executor-id ID --cores N
 *                 [--memory-mb N] [--log-level LEVEL] [--help] [--version]
 *   weft-executor --run-task DIR      (internal: one dataflow task)
 *
 * Environment: WEFT_APP_SECRET (required), CONTAINER_ID, APPLICATION_ID,
 * NM_HOST, NM_PORT or NM_HTTP_PORT, LOCAL_DIRS, as the NM sets them for a
 * container.
 */
#include "weft_config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/log.h"
#include "common/net.h"
#include "common/proc.h"
#include "common/parse.h"
#include "common/xmalloc.h"
#include "executor/executor.h"
#include "executor/task_runner.h"
#include "weft/protocol.h"

#define PROGRAM    "weft-executor"
#define EXIT_USAGE 2

struct main_state {
	struct event_base *base;
	struct executor *executor;
	int exit_code;
};

/* The help text. */
static void usage(FILE *f)
{
	fprintf(f, "usage: " PROGRAM " --driver HOST:PORT --executor-id ID --cores N\n"
	           "                     [--memory-mb N] [--log-level error|warn|info|debug]\n"
	           "                     [--help] [--version]\n"
	           "\n"
	           "Connects to a weft driver, registers, and runs the tasks it is sent as\n"
	           "child processes.  Normally started by weft-am in a container.\n"
	           "\n"
	           "  --driver HOST:PORT    the driver's address\n"
	           "  --executor-id ID      this executor's id ([A-Za-z0-9._:-], 1-128 chars)\n"
	           "  --cores N             tasks run at once (1-4096)\n"
	           "  --memory-mb N         the container's memory: dataflow tasks sort in\n"
	           "                        60%% of it, shared (default 1024)\n"
	           "  --log-level LEVEL     log level on stderr (default info)\n"
	           "  -h, --help            this text\n"
	           "  -V, --version         the version\n"
	           "\n"
	           "Environment: " WEFT_ENV_APP_SECRET " (required), " WEFT_ENV_CONTAINER_ID
	           ", " WEFT_ENV_APPLICATION_ID ", " WEFT_ENV_NM_HOST ", " WEFT_ENV_NM_PORT
	           " or " WEFT_ENV_NM_HTTP_PORT ", " WEFT_ENV_LOCAL_DIRS ".\n"
	           "See weft-executor(8).\n");
}

/* Print a usage error and RET the exit status for it. */
static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROGRAM ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '" PROGRAM " --help'.\n");
	return EXIT_USAGE;
}

/* Parse a whole decimal number in [min, max].  RET 0 / -1. */
static int parse_int(const char *text, long min, long max, int *out)
{
	int64_t v;

	if (parse_int64(text, min, max, &v, NULL) != 0)
		return -1;
	*out = (int)v;
	return 0;
}

/* Executor ids are short names the driver accepts. */
static int executor_id_ok(const char *id)
{
	size_t i, len = strlen(id);

	if (len == 0 || len > 128)
		return 0;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)id[i]) && strchr("._:-", id[i]) == NULL)
			return 0;
	}
	return 1;
}

/* An environment variable, or NULL when unset or empty. */
static const char *env_value(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* The executor is done. */
static void main_exit_cb(int exit_code, void *arg)
{
	struct main_state *st = arg;

	st->exit_code = exit_code;
	event_base_loopexit(st->base, NULL);
}

/* SIGTERM / SIGINT: stop the tasks and leave. */
static void main_stop_cb(void *arg)
{
	struct main_state *st = arg;

	executor_stop(st->executor, 128 + 15, "stopped by a signal");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
	        {"driver", required_argument, NULL, 'd'},
	        {"executor-id", required_argument, NULL, 'i'},
	        {"cores", required_argument, NULL, 'c'},
	        {"memory-mb", required_argument, NULL, 'm'},
	        {"log-level", required_argument, NULL, 'l'},
	        {"help", no_argument, NULL, 'h'},
	        {"version", no_argument, NULL, 'V'},
	        {NULL, 0, NULL, 0},
	};
	const char *driver = NULL, *id = NULL, *secret, *nm_host, *nm_port;
	enum log_level level = LOG_LEVEL_INFO;
	struct executor_config cfg;
	struct main_state st;
	char *driver_host = NULL, *cause = NULL, *host, *node_id, *work_dir, *self_path;
	int opt, cores = 0, driver_port, memory_mb = 0;

	/* The task runner: a separate mode of the same program, so every node
	 * that has the executor has it too. */
	if (argc == 3 && strcmp(argv[1], "--run-task") == 0)
		return task_runner_main(argv[2]);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "hV", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			driver = optarg;
			break;
		case 'i':
			id = optarg;
			break;
		case 'c':
			if (parse_int(optarg, 1, 4096, &cores) != 0)
				return usage_error("--cores: expected a number from 1 to 4096, "
				                   "got '%s'",
				                   optarg);
			break;
		case 'm':
			if (parse_int(optarg, 1, 1 << 30, &memory_mb) != 0)
				return usage_error(
				        "--memory-mb: expected a positive number, got '%s'",
				        optarg);
			break;
		case 'l':
			if (log_level_parse(optarg, &level) != 0)
				return usage_error("--log-level: expected error, warn, info or "
				                   "debug, got '%s'",
				                   optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			daemon_print_version(PROGRAM);
			return 0;
		default:
			if (optopt != 0)
				return usage_error("option -%c is unknown or needs a value",
				                   (char[]){(char)optopt, '\0'});
			return usage_error("option '%s' is unknown or needs a value",
			                   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (driver == NULL)
		return usage_error("--driver HOST:PORT is required%s", "");
	if (id == NULL)
		return usage_error("--executor-id ID is required%s", "");
	if (cores == 0)
		return usage_error("--cores N is required%s", "");
	if (!executor_id_ok(id))
		return usage_error("--executor-id: '%s' is not [A-Za-z0-9._:-]{1,128}", id);
	if (net_parse_address(driver, &driver_host, &driver_port, &cause) != 0 ||
	    driver_port == 0) {
		fprintf(stderr, PROGRAM ": --driver: %s\n",
		        cause != NULL ? cause : "port 0 cannot be dialled");
		free(cause);
		free(driver_host);
		return EXIT_USAGE;
	}
	secret = env_value(WEFT_ENV_APP_SECRET);
	if (secret == NULL) {
		fprintf(stderr, PROGRAM ": %s is not set: the driver would reject this executor\n",
		        WEFT_ENV_APP_SECRET);
		free(driver_host);
		return EXIT_USAGE;
	}

	log_open(PROGRAM, level, NULL);
	nm_host = env_value(WEFT_ENV_NM_HOST);
	nm_port = env_value(WEFT_ENV_NM_PORT);
	if (nm_port == NULL)
		nm_port = env_value(WEFT_ENV_NM_HTTP_PORT);
	host = nm_host != NULL ? xstrdup(nm_host) : net_hostname();
	node_id = nm_host != NULL && nm_port != NULL ? xasprintf("%s:%s", nm_host, nm_port)
	                                             : xstrdup(host);
	work_dir = getcwd(NULL, 0);
	if (work_dir == NULL)
		fatal("getcwd");
	self_path = realpath("/proc/self/exe", NULL);

	memset(&cfg, 0, sizeof cfg);
	cfg.driver_host = driver_host;
	cfg.driver_port = driver_port;
	cfg.executor_id = id;
	cfg.cores = cores;
	cfg.secret = secret;
	cfg.host = host;
	cfg.node_id = node_id;
	cfg.container_id = env_value(WEFT_ENV_CONTAINER_ID);
	cfg.work_dir = work_dir;
	cfg.self_path = self_path;
	cfg.local_dirs = env_value(WEFT_ENV_LOCAL_DIRS);
	cfg.app_id = env_value(WEFT_ENV_APPLICATION_ID);
	cfg.memory_mb = memory_mb;

	memset(&st, 0, sizeof st);
	st.exit_code = 1;
	st.base = event_base_new();
	if (st.base == NULL)
		fatalx("event_base_new failed");
	proc_init(st.base);
	st.executor = executor_new(st.base, &cfg, main_exit_cb, &st);
	daemon_signals(st.base, main_stop_cb, &st);

	event_base_dispatch(st.base);

	executor_free(st.executor);
	daemon_signals_free();
	event_base_free(st.base);
	free(driver_host);
	free(host);
	free(node_id);
	free(work_dir);
	free(self_path);
	log_info("exit %d", st.exit_code);
	log_close();
	return st.exit_code;
}
