/*
 * cli_args.h — the command line of `weft`.
 *
 *   weft [--master URL] [--conf-dir DIR] [-D k=v]... [-o table|json]
 *        app list [--state S[,S]...] [--queue Q] [--user U]
 *      | app status ID | app kill ID | node list [--all]
 *      | queue list | queue status QUEUE | admin refresh-queues
 *      | conf get KEY | conf list
 *
 * Options may come before or after the command words.  Parsing only fills
 * a struct and reports errors; it touches no file and no network, so
 * every bad flag can be tested.
 */
#ifndef WEFT_CLI_ARGS_H
#define WEFT_CLI_ARGS_H

#include <stdbool.h>

#include "common/daemon.h"

enum cli_command {
	CLI_NONE,
	CLI_APP_LIST,
	CLI_APP_STATUS,
	CLI_APP_KILL,
	CLI_NODE_LIST,
	CLI_CONF_GET,
	CLI_CONF_LIST,
	CLI_QUEUE_LIST,
	CLI_QUEUE_STATUS,
	CLI_ADMIN_REFRESH_QUEUES,
};

enum cli_output {
	CLI_OUTPUT_TABLE,
	CLI_OUTPUT_JSON,
};

struct cli_args {
	const char *master;           /* --master, NULL = rm.address */
	struct daemon_options common; /* --conf-dir, -D */
	enum cli_output output;       /* -o */
	enum cli_command command;
	const char *app_id;       /* app status/kill */
	const char *conf_key;     /* conf get */
	const char *queue_name;   /* queue status: a name or a path */
	char *states;             /* app list --state, upper case, NULL = all */
	const char *queue, *user; /* app list filters */
	bool all;                 /* node list --all */
	bool help, version;
};

/* Parse argv (argv[0] is the program).  RET 0 (help and version set their
 * flag and stop), or -1 with *cause naming the bad flag or word. */
int cli_args_parse(struct cli_args *args, int argc, char **argv, char **cause);
void cli_args_free(struct cli_args *args);
/* The usage text. */
const char *cli_args_usage(void);

#endif
