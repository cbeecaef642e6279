/*
 * cli_app.h — `weft app list|status|kill`, through libweft's RM client.
 *
 * Each returns the tool's exit status: 0 done, 1 the RM said no or could
 * not be reached (the message is already on err).
 */
#ifndef WEFT_CLI_APP_H
#define WEFT_CLI_APP_H

#include <stdio.h>

#include "cli/cli_args.h"

struct weft_rm_client;

/* How long `app kill` follows the application to its end. */
#define CLI_APP_KILL_WAIT_MS 30000
/* How often it asks when the RM does not hold its waits. */
#define CLI_APP_KILL_PACE_MS 200

int cli_app_list(const struct cli_args *args, struct weft_rm_client *rm, FILE *out, FILE *err);
int cli_app_status(const struct cli_args *args, struct weft_rm_client *rm, FILE *out, FILE *err);
int cli_app_kill(const struct cli_args *args, struct weft_rm_client *rm, FILE *out, FILE *err);

#endif
