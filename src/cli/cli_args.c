/*
 * cli_args.c — parsing `weft`'s command line into struct cli_args (see
 * cli_args.h).
 */
#include "weft_config.h"

#include "cli/cli_args.h"

#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/rest.h"
#include "common/config.h"
#include "common/xmalloc.h"
#include "weft/app.h"
#include "weft/ids.h"

enum {
	OPT_MASTER = 256,
	OPT_CONF_DIR,
	OPT_STATE,
	OPT_QUEUE,
	OPT_USER,
	OPT_ALL,
};

static const struct option cli_args_options[] = {
        {"master", required_argument, NULL, OPT_MASTER},
        {"conf-dir", required_argument, NULL, OPT_CONF_DIR},
        {"output", required_argument, NULL, 'o'},
        {"state", required_argument, NULL, OPT_STATE},
        {"queue", required_argument, NULL, OPT_QUEUE},
        {"user", required_argument, NULL, OPT_USER},
        {"all", no_argument, NULL, OPT_ALL},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
};

/* Usage, as printed by --help and after a usage error. */
const char *cli_args_usage(void)
{
	return "Usage: weft [OPTIONS] COMMAND\n"
	       "Commands:\n"
	       "  app list [--state S[,S...]] [--queue Q] [--user U]\n"
	       "                           list applications (all states unless --state)\n"
	       "  app status APPLICATION_ID  print an application's report\n"
	       "  app kill APPLICATION_ID    kill an application and wait until it ends\n"
	       "  node list [--all]          list nodes (only usable ones unless --all)\n"
	       "  queue list                 list the scheduler's queues with their shares\n"
	       "  queue status QUEUE         print one queue (by name or path, e.g.\n"
	       "                             root.prod.etl)\n"
	       "  admin refresh-queues       reload the RM's queue file (needs the cluster\n"
	       "                             secret, security.secret-file; calls the RM's\n"
	       "                             internal listener, rm.rpc-address)\n"
	       "  conf get KEY               print a weft.conf key's effective value (paths\n"
	       "                             resolved; KEY conf.dir = the configuration dir)\n"
	       "  conf list                  print every key with its effective value\n"
	       "Options:\n"
	       "  --master weft://HOST:PORT  resource manager (default: rm.address)\n"
	       "  --conf-dir DIR             configuration directory (default: $WEFT_CONF_DIR)\n"
	       "  -D KEY=VALUE               override a weft.conf key\n"
	       "  -o, --output table|json    human table (default) or the RM's JSON\n"
	       "  -h, --help                 this text\n"
	       "  -V, --version              print the version\n";
}

/* The flag getopt just rejected, for the message. */
static const char *cli_args_bad_flag(char **argv, int at, char *buf, size_t size)
{
	if (optopt > 0 && optopt < 256) {
		snprintf(buf, size, "-%c", optopt);
		return buf;
	}
	for (size_t i = 0; i < sizeof cli_args_options / sizeof cli_args_options[0] - 1; i++)
		if (optopt != 0 && cli_args_options[i].val == optopt) {
			snprintf(buf, size, "--%s", cli_args_options[i].name);
			return buf;
		}
	return argv[at];
}

/* Normalise "running,accepted" to "RUNNING,ACCEPTED"; ALL in the list
 * means no filter. */
static int cli_args_states(struct cli_args *args, const char *text, char **cause)
{
	char *upper = xstrdup(text), *items, *save = NULL, *item;
	size_t n = strlen(text);
	bool all = false;

	if (n == 0 || text[0] == ',' || text[n - 1] == ',' || strstr(text, ",,") != NULL) {
		free(upper);
		return set_cause(cause, "--state '%s': empty state in the list", text);
	}
	for (char *p = upper; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	items = xstrdup(upper);
	for (item = strtok_r(items, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
		if (strcmp(item, "ALL") == 0)
			all = true;
		else if (!weft_app_state_valid(item)) {
			set_cause(cause,
			          "--state: unknown application state '%s' (NEW, NEW_SAVING, "
			          "SUBMITTED, ACCEPTED, RUNNING, FINISHED, FAILED, KILLED or ALL)",
			          item);
			free(items);
			free(upper);
			return -1;
		}
	}
	free(items);
	free(args->states);
	args->states = NULL;
	if (all)
		free(upper);
	else
		args->states = upper;
	return 0;
}

/* Turn the words after the options into a command. */
static int cli_args_command(struct cli_args *args, char **words, int n, char **cause)
{
	weft_app_id_t id;

	if (n == 0)
		return set_cause(cause,
		                 "no command given (app list, app status, app kill, node list, "
		                 "queue list, queue status, admin refresh-queues, conf get)");
	if (strcmp(words[0], "app") == 0 || strcmp(words[0], "application") == 0) {
		if (n < 2)
			return set_cause(cause, "app: missing subcommand (list, status, kill)");
		if (strcmp(words[1], "list") == 0) {
			args->command = CLI_APP_LIST;
			if (n > 2)
				return set_cause(cause, "app list: unexpected argument '%s'",
				                 words[2]);
			return 0;
		}
		if (strcmp(words[1], "status") == 0)
			args->command = CLI_APP_STATUS;
		else if (strcmp(words[1], "kill") == 0)
			args->command = CLI_APP_KILL;
		else
			return set_cause(cause, "app: unknown subcommand '%s' (list, status, kill)",
			                 words[1]);
		if (n < 3)
			return set_cause(cause, "app %s: missing APPLICATION_ID", words[1]);
		if (n > 3)
			return set_cause(cause, "app %s: unexpected argument '%s'", words[1],
			                 words[3]);
		if (weft_app_id_parse(words[2], &id) != 0)
			return set_cause(cause,
			                 "app %s: '%s' is not an application id "
			                 "(application_<clusterTimestamp>_<sequence>)",
			                 words[1], words[2]);
		args->app_id = words[2];
		return 0;
	}
	if (strcmp(words[0], "node") == 0) {
		if (n < 2)
			return set_cause(cause, "node: missing subcommand (list)");
		if (strcmp(words[1], "list") != 0)
			return set_cause(cause, "node: unknown subcommand '%s' (list)", words[1]);
		if (n > 2)
			return set_cause(cause, "node list: unexpected argument '%s'", words[2]);
		args->command = CLI_NODE_LIST;
		return 0;
	}
	if (strcmp(words[0], "queue") == 0) {
		if (n < 2)
			return set_cause(cause, "queue: missing subcommand (list, status)");
		if (strcmp(words[1], "list") == 0) {
			if (n > 2)
				return set_cause(cause, "queue list: unexpected argument '%s'",
				                 words[2]);
			args->command = CLI_QUEUE_LIST;
			return 0;
		}
		if (strcmp(words[1], "status") != 0)
			return set_cause(cause, "queue: unknown subcommand '%s' (list, status)",
			                 words[1]);
		if (n != 3)
			return set_cause(cause, "queue status: expected one QUEUE (a name or a "
			                        "path such as root.default)");
		if (words[2][0] == '\0')
			return set_cause(cause, "queue status: empty queue name");
		args->command = CLI_QUEUE_STATUS;
		args->queue_name = words[2];
		return 0;
	}
	if (strcmp(words[0], "admin") == 0) {
		if (n < 2)
			return set_cause(cause, "admin: missing subcommand (refresh-queues)");
		if (strcmp(words[1], "refresh-queues") != 0)
			return set_cause(cause, "admin: unknown subcommand '%s' (refresh-queues)",
			                 words[1]);
		if (n > 2)
			return set_cause(cause, "admin refresh-queues: unexpected argument '%s'",
			                 words[2]);
		args->command = CLI_ADMIN_REFRESH_QUEUES;
		return 0;
	}
	if (strcmp(words[0], "conf") == 0) {
		if (n < 2)
			return set_cause(cause, "conf: missing subcommand (get, list)");
		if (strcmp(words[1], "list") == 0) {
			if (n > 2)
				return set_cause(cause, "conf list: unexpected argument '%s'",
				                 words[2]);
			args->command = CLI_CONF_LIST;
			return 0;
		}
		if (strcmp(words[1], "get") != 0)
			return set_cause(cause, "conf: unknown subcommand '%s' (get, list)",
			                 words[1]);
		if (n != 3)
			return set_cause(cause, "conf get: expected one KEY");
		if (strcmp(words[2], "conf.dir") != 0 && config_key_find(words[2]) == NULL)
			return set_cause(cause, "conf get: unknown key '%s' (see weft.conf(5))",
			                 words[2]);
		args->command = CLI_CONF_GET;
		args->conf_key = words[2];
		return 0;
	}
	return set_cause(cause, "unknown command '%s' (app, node, queue, admin, conf)", words[0]);
}

/* Parse the whole command line. */
int cli_args_parse(struct cli_args *args, int argc, char **argv, char **cause)
{
	char **words = xcalloc((size_t)argc + 1, sizeof *words);
	int nwords = 0, c, rc = -1;
	bool filtered = false;
	char flag[64];
	struct config *scratch = config_new();

	memset(args, 0, sizeof *args);
	optind = 0; /* GNU: start over (tests parse many command lines) */
	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, "-:o:D:hV", cli_args_options, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 1: /* a command word (in order, thanks to the leading '-') */
			words[nwords++] = optarg;
			break;
		case OPT_MASTER:
			args->master = optarg;
			break;
		case OPT_CONF_DIR:
			if (daemon_options_set_conf_dir(&args->common, optarg, cause) != 0)
				goto out;
			break;
		case 'D':
			if (daemon_options_define(&args->common, scratch, optarg, cause) != 0)
				goto out;
			break;
		case 'o':
			if (strcmp(optarg, "table") == 0)
				args->output = CLI_OUTPUT_TABLE;
			else if (strcmp(optarg, "json") == 0)
				args->output = CLI_OUTPUT_JSON;
			else {
				set_cause(cause, "-o %s: expected table or json", optarg);
				goto out;
			}
			break;
		case OPT_STATE:
			if (cli_args_states(args, optarg, cause) != 0)
				goto out;
			filtered = true;
			break;
		case OPT_QUEUE:
			if (optarg[0] == '\0') {
				set_cause(cause, "--queue: empty queue name");
				goto out;
			}
			args->queue = optarg;
			filtered = true;
			break;
		case OPT_USER:
			if (!rest_user_name_valid(optarg)) {
				set_cause(cause,
				          "--user '%s': not a user name ([A-Za-z0-9._-], 1-32)",
				          optarg);
				goto out;
			}
			args->user = optarg;
			filtered = true;
			break;
		case OPT_ALL:
			args->all = true;
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
			          cli_args_bad_flag(argv, optind - 1, flag, sizeof flag));
			goto out;
		default:
			if (optopt >= 256) /* "--all=yes" */
				set_cause(cause, "%s takes no value",
				          cli_args_bad_flag(argv, optind - 1, flag, sizeof flag));
			else
				set_cause(cause, "unknown option '%s'",
				          cli_args_bad_flag(argv, optind - 1, flag, sizeof flag));
			goto out;
		}
	}
	while (optind < argc) /* words after "--" */
		words[nwords++] = argv[optind++];
	if (cli_args_command(args, words, nwords, cause) != 0)
		goto out;
	if (filtered && args->command != CLI_APP_LIST) {
		set_cause(cause, "--state, --queue and --user are options of 'app list'");
		goto out;
	}
	if (args->all && args->command != CLI_NODE_LIST) {
		set_cause(cause, "--all is an option of 'node list'");
		goto out;
	}
	rc = 0;
out:
	free(words);
	config_free(scratch);
	return rc;
}

/* Free what parsing allocated. */
void cli_args_free(struct cli_args *args)
{
	free(args->states);
	args->states = NULL;
	daemon_options_free(&args->common);
}
