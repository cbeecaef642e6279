/*
 * nm.h — the node manager's context: what every NM module reads.
 *
 * The settings part is filled once at start-up (node.c) and read-only
 * afterwards.  The module handles at the end are the daemon's long-lived
 * objects; each module's state is opaque and owned by that module, others
 * only call its functions through these handles (a NULL handle means the
 * module is not running, e.g. no status updater in a unit test).
 */
#ifndef WEFT_NM_H
#define WEFT_NM_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "weft/resource.h"

struct config;
struct secret;
struct http_client;
struct container_manager;
struct status_updater;
struct monitor;
struct shuffle_service;

struct nm_context {
	/* Settings (read-only after start-up). */
	struct event_base *base;
	const struct config *cfg;
	const struct secret *secret;
	struct http_client *http; /* shared async client (RM calls, localizing) */
	char *host;               /* advertised host */
	int port;                 /* bound port (REST, logs and container API) */
	char *node_id;            /* host:port, also the HTTP address */
	char *rm_url;             /* "http://host:port" of the RM's REST (staging) */
	char *rm_rpc_addresses;   /* rm.rpc-address: its internal RPC (heartbeats), one or
	                           * more host:port (weft_client_options.rm_addresses) */
	char **local_dirs;        /* nm.local-dirs, absolute, checked writable */
	int n_local_dirs;
	char **log_dirs; /* nm.log-dirs */
	int n_log_dirs;
	char *libexec_dir;          /* WEFT_LIBEXEC_DIR for containers */
	weft_resource_t capability; /* what the node offers to containers */
	int64_t kill_grace_ms;      /* nm.sleep-delay-before-sigkill-ms */
	int64_t start_time_ms;      /* nmStartupTime */

	/* Modules. */
	struct container_manager *containers;
	struct status_updater *updater;
	struct monitor *monitor;
	struct shuffle_service *shuffle; /* serves map outputs (shuffle_service.h) */
};

#endif
