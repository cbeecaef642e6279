/*
 * options.c — parsing and validating weft-am's arguments and environment.
 *
 * Kept apart from main.c so every rule is unit-tested: the AM runs in a
 * container where a bad value is only ever seen in a log, so each message
 * names the option or variable and what was expected.
 */
#include "weft_config.h"

#include "am/options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/net.h"
#include "common/parse.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"

#define OPTIONS_MAX_EXECUTORS 100000
#define OPTIONS_MAX_CORES     (1 << 20)

enum {
	OPT_MODE = 256,
	OPT_DRIVER,
	OPT_JOB,
	OPT_NUM_EXECUTORS,
	OPT_EXECUTOR_MEMORY,
	OPT_EXECUTOR_CORES,
	OPT_MAX_EXECUTOR_FAILURES,
	OPT_CONF_DIR,
};

static const struct option options_long[] = {
        {"mode", required_argument, NULL, OPT_MODE},
        {"driver", required_argument, NULL, OPT_DRIVER},
        {"job", required_argument, NULL, OPT_JOB},
        {"num-executors", required_argument, NULL, OPT_NUM_EXECUTORS},
        {"executor-memory", required_argument, NULL, OPT_EXECUTOR_MEMORY},
        {"executor-cores", required_argument, NULL, OPT_EXECUTOR_CORES},
        {"max-executor-failures", required_argument, NULL, OPT_MAX_EXECUTOR_FAILURES},
        {"conf-dir", required_argument, NULL, OPT_CONF_DIR},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
};

/* Usage text for --help and after a usage error. */
void options_usage(FILE *f)
{
	fprintf(f,
	        "usage: weft-am --mode client|cluster [--driver HOST:PORT] [--job FILE]\n"
	        "               --num-executors N --executor-memory MB --executor-cores N\n"
	        "               [--max-executor-failures N] [--conf-dir DIR] [-D key=value]...\n"
	        "       weft-am -h | -V\n"
	        "\n"
	        "The application master of a weft application.  The RM starts it in a\n"
	        "container; it is not meant to be run by hand (see weft-am(8)).\n"
	        "\n"
	        "  --mode client|cluster      client: the driver runs in weft-submit (--driver);\n"
	        "                             cluster: the driver runs here (--job)\n"
	        "  --driver HOST:PORT         the client-mode driver to dial\n"
	        "  --job FILE                 the cluster-mode job description (JSON)\n"
	        "  --num-executors N          executors to run (1..%d)\n"
	        "  --executor-memory MB       memory per executor (MB, or with a unit: 2g)\n"
	        "  --executor-cores N         vcores per executor\n"
	        "  --max-executor-failures N  fail the application when more executors\n"
	        "                             failed (default am.max-executor-failures;\n"
	        "                             0 = max(3, 2 x executors))\n"
	        "  --conf-dir DIR             configuration directory\n"
	        "  -D key=value               override a weft.conf key\n"
	        "  -h, --help                 this help\n"
	        "  -V, --version              version\n"
	        "\n"
	        "Environment (set by the RM and NM): %s, %s, %s,\n"
	        "%s, %s, %s, %s, USER.\n",
	        OPTIONS_MAX_EXECUTORS, WEFT_ENV_RM_URL, WEFT_ENV_AM_TOKEN, WEFT_ENV_APP_ATTEMPT_ID,
	        WEFT_ENV_CONTAINER_ID, WEFT_ENV_NM_HOST, WEFT_ENV_APP_SECRET, WEFT_ENV_LIBEXEC_DIR);
}

/* A whole decimal integer in [min, max]. */
static int options_int(const char *name, const char *text, int64_t min, int64_t max, int64_t *out,
                       char **cause)
{
	if (text != NULL && parse_int64(text, min, max, out, NULL) == 0)
		return 0;
	return set_cause(cause, "%s: expected an integer from %lld to %lld, got '%s'", name,
	                 (long long)min, (long long)max, text ? text : "");
}

/* Text without control characters or spaces (header values, hosts). */
static bool options_is_token(const char *text)
{
	const unsigned char *p;

	if (text == NULL || *text == '\0')
		return false;
	for (p = (const unsigned char *)text; *p != '\0'; p++) {
		if (*p <= ' ' || *p == 0x7f)
			return false;
	}
	return true;
}

/* WEFT_RM_URL: one or more http://HOST:PORT separated by commas (the
 * RM's internal RPC listeners; the AM client fails over between them). */
static bool options_rm_urls_valid(const char *list)
{
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ","), scheme;

		if (strncmp(p, "http://", 7) == 0)
			scheme = 7;
		else if (strncmp(p, "https://", 8) == 0)
			scheme = 8;
		else
			return false;
		/* A host, then a port. */
		if (len <= scheme || p[scheme] == ':' ||
		    memchr(p + scheme, ':', len - scheme) == NULL)
			return false;
		if (p[len] == '\0')
			return true;
		p += len + 1;
	}
}

/* Copy one required environment variable after checking it. */
static int options_env(options_getenv_fn env, const char *name, bool token, char **out,
                       char **cause)
{
	const char *value = env(name);

	if (value == NULL || *value == '\0')
		return set_cause(cause,
		                 "%s is not set (the RM and NM start weft-am with it; "
		                 "see weft-am(8))",
		                 name);
	if (token && !options_is_token(value))
		return set_cause(cause, "%s: must not contain spaces or control characters", name);
	*out = xstrdup(value);
	return 0;
}

/* Read and check the environment the RM and NM give the AM. */
static int options_parse_env(struct am_options *o, options_getenv_fn env, char **cause)
{
	weft_attempt_id_t attempt;
	weft_container_id_t container;
	const char *port;
	int64_t v;

	if (options_env(env, WEFT_ENV_RM_URL, true, &o->rm_url, cause) != 0)
		return -1;
	if (!options_rm_urls_valid(o->rm_url))
		return set_cause(cause,
		                 "%s: expected http://HOST:PORT (several separated by commas), "
		                 "got '%s'",
		                 WEFT_ENV_RM_URL, o->rm_url);
	if (options_env(env, WEFT_ENV_AM_TOKEN, true, &o->am_token, cause) != 0)
		return -1;
	if (options_env(env, WEFT_ENV_APP_ATTEMPT_ID, true, &o->attempt_id, cause) != 0)
		return -1;
	if (weft_attempt_id_parse(o->attempt_id, &attempt) != 0)
		return set_cause(cause, "%s: not an application attempt id: '%s'",
		                 WEFT_ENV_APP_ATTEMPT_ID, o->attempt_id);
	weft_app_id_format(&attempt.app, o->application_id);
	if (options_env(env, WEFT_ENV_CONTAINER_ID, true, &o->container_id, cause) != 0)
		return -1;
	if (weft_container_id_parse(o->container_id, &container) != 0)
		return set_cause(cause, "%s: not a container id: '%s'", WEFT_ENV_CONTAINER_ID,
		                 o->container_id);
	if (options_env(env, WEFT_ENV_NM_HOST, true, &o->nm_host, cause) != 0)
		return -1;
	if (options_env(env, WEFT_ENV_APP_SECRET, false, &o->app_secret, cause) != 0)
		return -1;
	if (options_env(env, WEFT_ENV_LIBEXEC_DIR, false, &o->libexec_dir, cause) != 0)
		return -1;
	if (options_env(env, "USER", false, &o->user, cause) != 0)
		return -1;
	/* Optional: only used for the tracking URL. */
	port = env(WEFT_ENV_NM_HTTP_PORT);
	if (port != NULL && *port != '\0') {
		if (options_int(WEFT_ENV_NM_HTTP_PORT, port, 1, 65535, &v, cause) != 0)
			return -1;
		o->nm_http_port = xstrdup(port);
	}
	return 0;
}

/* The checks that need every option at hand. */
static int options_check(struct am_options *o, bool have_mode, char **cause)
{
	if (!have_mode)
		return set_cause(cause, "--mode is required (client or cluster)");
	if (o->mode == AM_MODE_CLIENT && o->driver_host == NULL)
		return set_cause(cause, "--mode client needs --driver HOST:PORT");
	if (o->mode == AM_MODE_CLUSTER && o->job_file == NULL)
		return set_cause(cause, "--mode cluster needs --job FILE");
	if (o->mode == AM_MODE_CLUSTER && o->driver_host != NULL)
		return set_cause(cause, "--driver is for client mode only");
	if (o->mode == AM_MODE_CLIENT && o->job_file != NULL)
		return set_cause(cause, "--job is for cluster mode only");
	if (o->num_executors == 0)
		return set_cause(cause, "--num-executors is required");
	if (o->executor_memory_mb == 0)
		return set_cause(cause, "--executor-memory is required");
	if (o->executor_cores == 0)
		return set_cause(cause, "--executor-cores is required");
	return 0;
}

/* Parse everything; see options.h. */
int options_parse(struct am_options *o, int argc, char **argv, options_getenv_fn env, char **cause)
{
	bool have_mode = false;
	char *host = NULL, *why = NULL;
	int64_t v;
	int c, port;

	memset(o, 0, sizeof *o);
	o->max_executor_failures = -1;
	optind = 0; /* GNU getopt: start afresh (tests parse many times) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":D:hV", options_long, NULL)) != -1) {
		switch (c) {
		case OPT_MODE:
			if (strcmp(optarg, "client") == 0)
				o->mode = AM_MODE_CLIENT;
			else if (strcmp(optarg, "cluster") == 0)
				o->mode = AM_MODE_CLUSTER;
			else
				return set_cause(cause,
				                 "--mode: expected client or cluster, got '%s'",
				                 optarg);
			have_mode = true;
			break;
		case OPT_DRIVER:
			if (net_parse_address(optarg, &host, &port, &why) != 0) {
				set_cause(cause, "--driver: %s", why);
				free(why);
				return -1;
			}
			if (port == 0 || net_is_wildcard(host)) {
				free(host);
				return set_cause(cause,
				                 "--driver: '%s' is not an address one can dial",
				                 optarg);
			}
			free(o->driver_host);
			o->driver_host = host;
			o->driver_port = port;
			break;
		case OPT_JOB:
			if (*optarg == '\0')
				return set_cause(cause, "--job: empty file name");
			free(o->job_file);
			o->job_file = xstrdup(optarg);
			break;
		case OPT_NUM_EXECUTORS:
			if (options_int("--num-executors", optarg, 1, OPTIONS_MAX_EXECUTORS, &v,
			                cause) != 0)
				return -1;
			o->num_executors = (int)v;
			break;
		case OPT_EXECUTOR_MEMORY:
			o->executor_memory_mb = config_parse_size_mb(optarg);
			if (o->executor_memory_mb < 1 || o->executor_memory_mb > INT32_MAX)
				return set_cause(cause,
				                 "--executor-memory: expected megabytes (512, "
				                 "512m, 2g), got '%s'",
				                 optarg);
			break;
		case OPT_EXECUTOR_CORES:
			if (options_int("--executor-cores", optarg, 1, OPTIONS_MAX_CORES, &v,
			                cause) != 0)
				return -1;
			o->executor_cores = (int)v;
			break;
		case OPT_MAX_EXECUTOR_FAILURES:
			if (options_int("--max-executor-failures", optarg, 0, 100000, &v, cause) !=
			    0)
				return -1;
			o->max_executor_failures = (int)v;
			break;
		case OPT_CONF_DIR:
			free(o->conf_dir);
			o->conf_dir = xstrdup(optarg);
			o->common.conf_dir = o->conf_dir;
			break;
		case 'D':
			if (strchr(optarg, '=') == NULL || *optarg == '=')
				return set_cause(cause, "-D: expected key=value, got '%s'", optarg);
			daemon_options_add_define(&o->common, optarg);
			break;
		case 'h':
			o->help = true;
			return 0;
		case 'V':
			o->version = true;
			return 0;
		case ':':
			return set_cause(cause, "%s needs a value", argv[optind - 1]);
		default:
			if (optopt != 0)
				return set_cause(cause, "unknown option -%c", optopt);
			return set_cause(cause, "unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return set_cause(cause, "unexpected argument '%s'", argv[optind]);
	if (options_check(o, have_mode, cause) != 0)
		return -1;
	return options_parse_env(o, env, cause);
}

void options_free(struct am_options *o)
{
	free(o->driver_host);
	free(o->job_file);
	free(o->conf_dir);
	daemon_options_free(&o->common);
	free(o->rm_url);
	free(o->am_token);
	free(o->attempt_id);
	free(o->container_id);
	free(o->nm_host);
	free(o->nm_http_port);
	free(o->app_secret);
	free(o->libexec_dir);
	free(o->user);
	memset(o, 0, sizeof *o);
}
