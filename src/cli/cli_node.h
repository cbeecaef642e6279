/*
 * cli_node.h — `weft node list`.
 */
#ifndef WEFT_CLI_NODE_H
#define WEFT_CLI_NODE_H

#include <stdio.h>

#include "cli/cli_args.h"

struct weft_client;

/* RET the exit status (0, or 1 with the message on err). */
int cli_node_list(const struct cli_args *args, struct weft_client *client, FILE *out, FILE *err);

#endif
