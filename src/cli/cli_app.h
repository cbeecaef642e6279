/*
 * cli_app.h — `weft app list|status|kill`.
 *
 * Each returns the tool's exit status: 0 done, 1 the RM said no or could
 * not be reached (the message is already on err).
 */
#ifndef WEFT_CLI_APP_H
#define WEFT_CLI_APP_H

#include <stdio.h>

#include "cli/cli_args.h"

/* How long `app kill` waits for the application to end. */
#define CLI_APP_KILL_WAIT_MS 30000

int cli_app_list(const struct cli_args *args, const char *base, FILE *out, FILE *err);
int cli_app_status(const struct cli_args *args, const char *base, FILE *out, FILE *err);
int cli_app_kill(const struct cli_args *args, const char *base, FILE *out, FILE *err);
/* The query string of `app list`'s filters ("" or "?states=..&queue=.."),
 * caller frees. */
char *cli_app_list_query(const struct cli_args *args);

#endif
