/*
 * node.h — the node manager's identity and settings: what the node offers
 * (memory, vcores, detected when not configured), its directories (created
 * and checked at start-up), its node id and the RM it reports to.
 */
#ifndef WEFT_NM_NODE_H
#define WEFT_NM_NODE_H

#include <event2/event.h>
#include <stdint.h>

#include "nm/nm.h"

struct config;

/*
 * Fill ctx's settings from cfg: resources, nm.local-dirs and nm.log-dirs
 * (created when missing, must be writable), RM URL, libexec dir, kill
 * grace.  The node id waits for node_set_port().  RET 0 or -1 with *cause
 * ("nm.local-dirs: /x: Permission denied"); node_free() is safe either way.
 */
int node_init(struct nm_context *ctx, const struct config *cfg, struct event_base *base,
              char **cause);
/* Set the bound port and derive the advertised host and node id. */
void node_set_port(struct nm_context *ctx, int port);
/* Free the settings node_init() allocated. */
void node_free(struct nm_context *ctx);

/* Physical memory less 1 GiB (at least 1024 MiB), and online CPUs (at
 * least 1): what an NM offers when nm.resource.* are -1. */
int64_t node_detect_memory_mb(void);
int64_t node_detect_vcores(void);

/*
 * Make every directory of a list exist, be a directory and be writable;
 * relative ones resolve against the working directory.  IN key names the
 * setting for messages.  RET 0 with *out a NULL-terminated array of
 * absolute paths (free with config_list_free) and *n_out, or -1 *cause.
 */
int node_prepare_dirs(const char *key, char *const *dirs, int n, char ***out, int *n_out,
                      char **cause);

#endif
