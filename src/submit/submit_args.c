/*
 * submit_args.c — parsing weft-submit's command line into struct
 * submit_args (see submit_args.h).
 */
#include "weft_config.h"

#include "submit/submit_args.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/parse.h"
#include "common/xmalloc.h"

enum {
	OPT_MASTER = 256,
	OPT_DEPLOY_MODE,
	OPT_NAME,
	OPT_QUEUE,
	OPT_NUM_EXECUTORS,
	OPT_EXECUTOR_MEMORY,
	OPT_EXECUTOR_CORES,
	OPT_DRIVER_MEMORY,
	OPT_DRIVER_CORES,
	OPT_MAX_ATTEMPTS,
	OPT_CONF,
	OPT_NO_WAIT,
	OPT_CONF_DIR,
	OPT_SHELL,
	OPT_TASKS,
	OPT_DYNAMIC_EXECUTORS,
};

static const struct option submit_args_options[] = {
        {"master", required_argument, NULL, OPT_MASTER},
        {"deploy-mode", required_argument, NULL, OPT_DEPLOY_MODE},
        {"name", required_argument, NULL, OPT_NAME},
        {"queue", required_argument, NULL, OPT_QUEUE},
        {"num-executors", required_argument, NULL, OPT_NUM_EXECUTORS},
        {"executor-memory", required_argument, NULL, OPT_EXECUTOR_MEMORY},
        {"executor-cores", required_argument, NULL, OPT_EXECUTOR_CORES},
        {"driver-memory", required_argument, NULL, OPT_DRIVER_MEMORY},
        {"driver-cores", required_argument, NULL, OPT_DRIVER_CORES},
        {"max-attempts", required_argument, NULL, OPT_MAX_ATTEMPTS},
        {"conf", required_argument, NULL, OPT_CONF},
        {"no-wait", no_argument, NULL, OPT_NO_WAIT},
        {"conf-dir", required_argument, NULL, OPT_CONF_DIR},
        {"shell", required_argument, NULL, OPT_SHELL},
        {"tasks", required_argument, NULL, OPT_TASKS},
        {"dynamic-executors", required_argument, NULL, OPT_DYNAMIC_EXECUTORS},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
};

/* Usage, for --help and after a usage error. */
const char *submit_args_usage(void)
{
	return "Usage: weft-submit [OPTIONS] (--shell CMD [--tasks N] | JOBFILE)\n"
	       "Submit a job to a weft cluster and follow it until it ends.\n"
	       "Options:\n"
	       "  --master weft://HOST:PORT   resource manager (default: rm.address)\n"
	       "  --deploy-mode client|cluster\n"
	       "                              where the driver runs: here (client, default)\n"
	       "                              or inside the application master (cluster)\n"
	       "  --name NAME                 application name (default: from the job)\n"
	       "  --queue QUEUE               queue (default: submit.queue)\n"
	       "  --num-executors N           executors to start (default 2)\n"
	       "  --executor-memory SIZE      memory per executor, e.g. 512m, 2g (default 1g)\n"
	       "  --executor-cores N          cores per executor (default 1)\n"
	       "  --driver-memory SIZE        AM container memory in cluster mode (default 1g)\n"
	       "  --driver-cores N            AM container cores in cluster mode (default 1)\n"
	       "  --max-attempts N            application master attempts (default: the RM's)\n"
	       "  --conf KEY=VALUE            weft.conf setting for the application (repeatable)\n"
	       "  --dynamic-executors MIN:MAX start --num-executors (default MIN, at least 1),\n"
	       "                              then ask for executors as tasks wait and release\n"
	       "                              those idle for driver.dynamic-allocation.\n"
	       "                              executor-idle-timeout-ms (60 s)\n"
	       "  --no-wait                   cluster mode: return once the app is accepted\n"
	       "  --shell CMD                 run the shell command CMD as the job's tasks\n"
	       "  --tasks N                   with --shell: number of tasks (default 1)\n"
	       "  --conf-dir DIR              configuration directory (default: $WEFT_CONF_DIR)\n"
	       "  -D KEY=VALUE                override a weft.conf key for weft-submit itself\n"
	       "  -h, --help                  this text\n"
	       "  -V, --version               print the version\n";
}

/* The long name of an option value, for messages. */
static const char *submit_args_flag_name(int val)
{
	for (size_t i = 0; submit_args_options[i].name != NULL; i++)
		if (submit_args_options[i].val == val)
			return submit_args_options[i].name;
	return "?";
}

/* A strict decimal integer in [min, max] for --flag. */
static int submit_args_int(int val, const char *text, long min, long max, int *out, char **cause)
{
	int64_t v;

	if (parse_int64(text, min, max, &v, NULL) != 0)
		return set_cause(cause, "--%s '%s': expected a whole number from %ld to %ld",
		                 submit_args_flag_name(val), text, min, max);
	*out = (int)v;
	return 0;
}

/* A size like 512m or 2g for --flag, in MiB. */
static int submit_args_size(int val, const char *text, int64_t *out, char **cause)
{
	int64_t mb = config_parse_size_mb(text);

	if (mb <= 0)
		return set_cause(cause, "--%s '%s': expected a size such as 512m or 2g",
		                 submit_args_flag_name(val), text);
	*out = mb;
	return 0;
}

/* A name or queue the RM will take: 1..max printable characters. */
static int submit_args_word(int val, const char *text, size_t max, char **cause)
{
	size_t n = strlen(text);

	if (n == 0)
		return set_cause(cause, "--%s: must not be empty", submit_args_flag_name(val));
	if (n > max)
		return set_cause(cause, "--%s: longer than %zu characters",
		                 submit_args_flag_name(val), max);
	for (const char *p = text; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return set_cause(cause, "--%s: control characters are not allowed",
			                 submit_args_flag_name(val));
	return 0;
}

/* The flag getopt rejected, for the message. */
static const char *submit_args_bad_flag(char **argv, char *buf, size_t size)
{
	if (optopt > 0 && optopt < 256)
		snprintf(buf, size, "-%c", optopt);
	else if (optopt >= 256)
		snprintf(buf, size, "--%s", submit_args_flag_name(optopt));
	else
		return argv[optind - 1];
	return buf;
}

/* Check the flags against each other once all are read. */
static int submit_args_check(struct submit_args *args, bool tasks_given, int npositional,
                             char **positional, char **cause)
{
	if (npositional > 1)
		return set_cause(cause, "one JOBFILE only (got '%s' and '%s')", positional[0],
		                 positional[1]);
	if (npositional == 1)
		args->job_file = positional[0];
	if (args->shell != NULL && args->job_file != NULL)
		return set_cause(cause, "give either --shell or a JOBFILE, not both");
	if (args->shell == NULL && args->job_file == NULL)
		return set_cause(cause, "no job: give --shell CMD or a JOBFILE");
	if (tasks_given && args->shell == NULL)
		return set_cause(cause, "--tasks goes with --shell (a JOBFILE says its own tasks)");
	if (args->no_wait && args->mode == SUBMIT_MODE_CLIENT)
		return set_cause(cause,
		                 "--no-wait needs --deploy-mode cluster (a client-mode driver runs "
		                 "inside weft-submit)");
	if (args->job_file != NULL && args->job_file[0] == '\0')
		return set_cause(cause, "JOBFILE: empty file name");
	return 0;
}

/* --dynamic-executors MIN:MAX: the range, the initial count, and the
 * --conf entries that carry it to the driver (in either mode). */
static int submit_args_dynamic(struct submit_args *args, const char *text, bool num_executors_given,
                               char **cause)
{
	char *end;
	long min, max;

	errno = 0;
	min = strtol(text, &end, 10);
	if (end == text || *end != ':' || errno != 0)
		goto bad;
	text = end + 1;
	max = strtol(text, &end, 10);
	if (end == text || *end != '\0' || errno != 0)
		goto bad;
	if (min < 0 || max < 1 || min > max || max > SUBMIT_MAX_EXECUTORS)
		goto bad;
	args->dynamic_min = (int)min;
	args->dynamic_max = (int)max;
	if (!num_executors_given)
		args->num_executors = min > 0 ? (int)min : 1;
	else if (args->num_executors < min || args->num_executors > max)
		return set_cause(cause, "--num-executors %d is outside --dynamic-executors %ld:%ld",
		                 args->num_executors, min, max);
	snprintf(args->dynamic_confs[0], sizeof args->dynamic_confs[0],
	         "driver.dynamic-allocation.min-executors=%ld", min);
	snprintf(args->dynamic_confs[1], sizeof args->dynamic_confs[1],
	         "driver.dynamic-allocation.max-executors=%ld", max);
	args->confs = xreallocarray(args->confs, (size_t)args->n_confs + 2, sizeof *args->confs);
	args->confs[args->n_confs++] = args->dynamic_confs[0];
	args->confs[args->n_confs++] = args->dynamic_confs[1];
	return 0;
bad:
	return set_cause(cause,
	                 "--dynamic-executors: expected MIN:MAX with 0 <= MIN <= MAX, 1 <= MAX "
	                 "<= %d",
	                 SUBMIT_MAX_EXECUTORS);
}

/* Parse the whole command line. */
int submit_args_parse(struct submit_args *args, int argc, char **argv, char **cause)
{
	char **positional = xcalloc((size_t)argc + 1, sizeof *positional);
	struct config *scratch = config_new();
	int npositional = 0, c, rc = -1;
	bool tasks_given = false, num_given = false;
	const char *dynamic = NULL;
	char flag[64], *why = NULL;

	memset(args, 0, sizeof *args);
	args->mode = SUBMIT_MODE_CLIENT;
	args->num_executors = 2;
	args->executor_memory_mb = 1024;
	args->executor_cores = 1;
	args->driver_memory_mb = 1024;
	args->driver_cores = 1;
	args->tasks = 1;

	optind = 0; /* GNU: start over (tests parse many command lines) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "-:D:hV", submit_args_options, NULL)) != -1) {
		switch (c) {
		case 1:
			positional[npositional++] = optarg;
			break;
		case OPT_MASTER:
			args->master = optarg;
			break;
		case OPT_DEPLOY_MODE:
			if (strcmp(optarg, "client") == 0)
				args->mode = SUBMIT_MODE_CLIENT;
			else if (strcmp(optarg, "cluster") == 0)
				args->mode = SUBMIT_MODE_CLUSTER;
			else {
				set_cause(cause, "--deploy-mode '%s': expected client or cluster",
				          optarg);
				goto out;
			}
			break;
		case OPT_NAME:
		case OPT_QUEUE:
			if (submit_args_word(c, optarg,
			                     c == OPT_NAME ? SUBMIT_MAX_NAME : SUBMIT_MAX_QUEUE,
			                     cause) != 0)
				goto out;
			if (c == OPT_NAME)
				args->name = optarg;
			else
				args->queue = optarg;
			break;
		case OPT_NUM_EXECUTORS:
			if (submit_args_int(c, optarg, 1, SUBMIT_MAX_EXECUTORS,
			                    &args->num_executors, cause) != 0)
				goto out;
			num_given = true;
			break;
		case OPT_DYNAMIC_EXECUTORS:
			dynamic = optarg;
			break;
		case OPT_EXECUTOR_CORES:
			if (submit_args_int(c, optarg, 1, SUBMIT_MAX_CORES, &args->executor_cores,
			                    cause) != 0)
				goto out;
			break;
		case OPT_DRIVER_CORES:
			if (submit_args_int(c, optarg, 1, SUBMIT_MAX_CORES, &args->driver_cores,
			                    cause) != 0)
				goto out;
			break;
		case OPT_MAX_ATTEMPTS:
			if (submit_args_int(c, optarg, 1, SUBMIT_MAX_ATTEMPTS, &args->max_attempts,
			                    cause) != 0)
				goto out;
			break;
		case OPT_TASKS:
			if (submit_args_int(c, optarg, 1, SUBMIT_MAX_TASKS, &args->tasks, cause) !=
			    0)
				goto out;
			tasks_given = true;
			break;
		case OPT_EXECUTOR_MEMORY:
			if (submit_args_size(c, optarg, &args->executor_memory_mb, cause) != 0)
				goto out;
			break;
		case OPT_DRIVER_MEMORY:
			if (submit_args_size(c, optarg, &args->driver_memory_mb, cause) != 0)
				goto out;
			break;
		case OPT_CONF:
			if (strchr(optarg, '=') == NULL) {
				set_cause(cause, "--conf '%s': expected KEY=VALUE", optarg);
				goto out;
			}
			if (config_set_arg(scratch, optarg, &why) != 0) {
				set_cause(cause, "--conf %s: %s", optarg, why);
				goto out;
			}
			args->confs = xreallocarray(args->confs, (size_t)args->n_confs + 1,
			                            sizeof *args->confs);
			args->confs[args->n_confs++] = optarg;
			break;
		case OPT_NO_WAIT:
			args->no_wait = true;
			break;
		case OPT_CONF_DIR:
			if (daemon_options_set_conf_dir(&args->common, optarg, cause) != 0)
				goto out;
			break;
		case 'D':
			if (daemon_options_define(&args->common, scratch, optarg, cause) != 0)
				goto out;
			break;
		case OPT_SHELL:
			if (optarg[0] == '\0') {
				set_cause(cause, "--shell: empty command");
				goto out;
			}
			args->shell = optarg;
			break;
		case 'h':
			args->help = true;
			rc = 0;
			goto out;
		case 'V':
			args->version = true;
			rc = 0;
			goto out;
		case ':':
			set_cause(cause, "%s: missing value",
			          submit_args_bad_flag(argv, flag, sizeof flag));
			goto out;
		default:
			if (optopt >= 256) /* "--no-wait=yes" */
				set_cause(cause, "--%s takes no value",
				          submit_args_flag_name(optopt));
			else
				set_cause(cause, "unknown option '%s'",
				          submit_args_bad_flag(argv, flag, sizeof flag));
			goto out;
		}
	}
	while (optind < argc) /* words after "--" */
		positional[npositional++] = argv[optind++];
	if (dynamic != NULL && submit_args_dynamic(args, dynamic, num_given, cause) != 0)
		goto out;
	rc = submit_args_check(args, tasks_given, npositional, positional, cause);
out:
	free(why);
	free(positional);
	config_free(scratch);
	return rc;
}

/* Free what parsing allocated (strings point into argv). */
void submit_args_free(struct submit_args *args)
{
	free(args->confs);
	args->confs = NULL;
	daemon_options_free(&args->common);
}
