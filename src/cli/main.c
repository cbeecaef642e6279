/*
 * main.c — `weft`, the command-line client of a weft cluster: lists and
 * kills applications, lists nodes and queues and reloads the queues
 * through the RM's REST API, as `yarn application`, `yarn node`, `yarn
 * queue` and `yarn rmadmin -refreshQueues` do.
 *
 * Exit status: 0 done, 1 the RM refused or could not be reached, 2 bad
 * usage.
 */
#include "weft_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli_app.h"
#include "cli/cli_args.h"
#include "cli/cli_node.h"
#include "cli/cli_queue.h"
#include "cli/rest.h"
#include "common/config.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "weft/rm_client.h"

/* Print one key's effective value (a path made absolute), or every key as
 * "key = value".  RET the exit status. */
static int cli_conf_print(const struct config *cfg, const char *key, FILE *out)
{
	const struct config_key *k;
	char *path;

	if (key != NULL && strcmp(key, "conf.dir") == 0) {
		fprintf(out, "%s\n", config_conf_dir(cfg));
		return 0;
	}
	for (k = config_keys; k->name != NULL; k++) {
		if (key != NULL && strcmp(key, k->name) != 0)
			continue;
		if (k->type == CONFIG_PATH) {
			path = config_get_path(cfg, k->name);
			if (key == NULL)
				fprintf(out, "%s = %s\n", k->name, path != NULL ? path : "");
			else
				fprintf(out, "%s\n", path != NULL ? path : "");
			free(path);
		} else if (key == NULL) {
			fprintf(out, "%s = %s\n", k->name, config_get(cfg, k->name));
		} else {
			fprintf(out, "%s\n", config_get(cfg, k->name));
		}
	}
	return 0;
}

/* Parse, load the configuration, run one command. */
int main(int argc, char **argv)
{
	struct cli_args args;
	struct config *cfg;
	struct rest_master master;
	struct weft_client *client = NULL;
	struct weft_rm_client *rm = NULL;
	struct stat st;
	char *cause = NULL, *user = NULL;
	int rc;

	log_open("weft", LOG_LEVEL_WARN, NULL);
	if (cli_args_parse(&args, argc, argv, &cause) != 0) {
		fprintf(stderr, "weft: %s\nTry 'weft --help'.\n", cause);
		free(cause);
		cli_args_free(&args);
		return 2;
	}
	if (args.help || args.version) {
		if (args.help)
			fputs(cli_args_usage(), stdout);
		else
			daemon_print_version("weft");
		cli_args_free(&args);
		return 0;
	}
	if (args.common.conf_dir != NULL &&
	    (stat(args.common.conf_dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
		fprintf(stderr, "weft: --conf-dir %s: not a directory\n", args.common.conf_dir);
		cli_args_free(&args);
		return 2;
	}
	cfg = daemon_load_config("weft", &args.common);
	if (cfg == NULL) {
		cli_args_free(&args);
		return 1;
	}
	/* A tool is quiet unless log.level is asked for explicitly. */
	if (!config_is_set(cfg, "log.level"))
		log_set_level(LOG_LEVEL_WARN);
	/* conf needs no resource manager (the sbin scripts ask it). */
	if (args.command == CLI_CONF_GET || args.command == CLI_CONF_LIST) {
		rc = cli_conf_print(cfg, args.command == CLI_CONF_GET ? args.conf_key : NULL,
		                    stdout);
		config_free(cfg);
		cli_args_free(&args);
		return rc;
	}
	if (rest_master_resolve(args.master, cfg, &master, &cause) != 0) {
		fprintf(stderr, "weft: %s\n", cause);
		free(cause);
		config_free(cfg);
		rc = args.master != NULL ? 2 : 1; /* a bad flag, or a bad weft.conf */
		cli_args_free(&args);
		return rc;
	}
	user = rest_user_name();
	client = rest_client_new(&master, cfg, user, NULL, &cause);
	if (client == NULL) {
		fprintf(stderr, "weft: %s\n", cause);
		free(cause);
		rc = 1;
		goto out;
	}
	rm = weft_rm_client_new(client);
	switch (args.command) {
	case CLI_APP_LIST:
		rc = cli_app_list(&args, rm, stdout, stderr);
		break;
	case CLI_APP_STATUS:
		rc = cli_app_status(&args, rm, stdout, stderr);
		break;
	case CLI_APP_KILL:
		rc = cli_app_kill(&args, rm, stdout, stderr);
		break;
	case CLI_NODE_LIST:
		rc = cli_node_list(&args, client, stdout, stderr);
		break;
	case CLI_QUEUE_LIST:
		rc = cli_queue_list(&args, client, stdout, stderr);
		break;
	case CLI_QUEUE_STATUS:
		rc = cli_queue_status(&args, client, stdout, stderr);
		break;
	case CLI_ADMIN_REFRESH_QUEUES: {
		/* Admin calls go to the internal listener (YARN's rmadmin
		 * port), not to public REST. */
		struct rest_master rpc;
		struct weft_client *admin;

		if (rest_master_resolve_rpc(cfg, &rpc, &cause) != 0 ||
		    (admin = rest_client_new(&rpc, cfg, user, NULL, &cause)) == NULL) {
			fprintf(stderr, "weft: %s\n", cause);
			free(cause);
			rest_master_clear(&rpc);
			rc = 1;
			break;
		}
		rc = cli_admin_refresh_queues(cfg, admin, stdout, stderr);
		weft_client_free(admin);
		rest_master_clear(&rpc);
		break;
	}
	default:
		rc = 2;
		break;
	}
	if (fflush(stdout) != 0 && rc == 0)
		rc = 1;
out:
	weft_rm_client_free(rm);
	weft_client_free(client);
	free(user);
	rest_master_clear(&master);
	config_free(cfg);
	cli_args_free(&args);
	return rc;
}
