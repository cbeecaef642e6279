/*
 * rm.c — building and tearing down weft-rm: secret, HTTP server, modules,
 * routes, in the order their dependencies need.
 */
#include "weft_config.h"

#include "rm/rm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/daemon.h"
#include "common/http_client.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/net.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "rm/am_launcher.h"
#include "rm/am_service.h"
#include "rm/app_manager.h"
#include "rm/container_tokens.h"
#include "rm/node_tracker.h"
#include "rm/queues.h"
#include "rm/rack_resolver.h"
#include "rm/scheduler.h"
#include "rm/staging.h"
#include "rm/webapp.h"

/* The cluster secret, with the command that creates one when missing. */
static struct secret *rm_load_secret(const struct config *cfg, char **cause)
{
	char *path = config_get_path(cfg, "security.secret-file");
	char *why = NULL;
	struct secret *s;

	if (path == NULL) {
		set_cause(cause, "security.secret-file is not set");
		return NULL;
	}
	s = secret_load(path, &why);
	if (s == NULL) {
		set_cause(cause,
		          "security.secret-file: %s\n"
		          "  the cluster secret authenticates NMs and AMs; create it with:\n"
		          "    openssl rand -hex 32 > %s; chmod 600 %s\n"
		          "  (the same file on every host)",
		          why, path, path);
		free(why);
	}
	free(path);
	return s;
}

/* The queue tree of rm.scheduler.queues-file: a missing file is the
 * single default queue unless the key names it explicitly. */
static struct queue_conf *rm_queue_conf(const struct config *cfg, char **cause)
{
	bool named = config_is_set(cfg, "rm.scheduler.queues-file");
	char *path;
	struct queue_conf *conf;

	/* The default name means nothing without a configuration directory. */
	if (!named && config_conf_dir(cfg)[0] == '\0')
		return queue_conf_default();
	path = config_get_path(cfg, "rm.scheduler.queues-file");
	if (path == NULL)
		return queue_conf_default();
	conf = queue_conf_load(path, named, cause);
	free(path);
	return conf;
}

int rm_reload_queues(struct rm *rm, char **cause)
{
	struct queue_conf *conf = rm_queue_conf(rm->cfg, cause);
	int rc;

	if (conf == NULL)
		return -1;
	rc = scheduler_set_queues(rm->scheduler, conf, cause);
	queue_conf_free(conf);
	/* New capacities may let waiting applications in. */
	if (rc == 0)
		app_manager_schedule(rm->apps);
	return rc;
}

/* Scheduler settings from weft.conf, and its queues. */
static struct scheduler *rm_scheduler_new(const struct config *cfg, char **cause)
{
	struct scheduler_options opts;
	struct scheduler *s;
	struct queue_conf *conf;

	scheduler_options_default(&opts);
	opts.minimum = weft_resource(config_get_int(cfg, "rm.scheduler.minimum-allocation-mb"),
	                             config_get_int(cfg, "rm.scheduler.minimum-allocation-vcores"));
	opts.maximum = weft_resource(config_get_int(cfg, "rm.scheduler.maximum-allocation-mb"),
	                             config_get_int(cfg, "rm.scheduler.maximum-allocation-vcores"));
	opts.placement = strcmp(config_get(cfg, "rm.scheduler.placement"), "pack") == 0
	                         ? SCHEDULER_PACK
	                         : SCHEDULER_SPREAD;
	opts.node_locality_delay = (int)config_get_int(cfg, "rm.scheduler.node-locality-delay");
	opts.rack_locality_delay =
	        (int)config_get_int(cfg, "rm.scheduler.rack-locality-additional-delay");
	opts.reservations = config_get_bool(cfg, "rm.scheduler.reservations");
	opts.preemption = config_get_bool(cfg, "rm.scheduler.preemption.enabled");
	opts.preemption_wait_ms =
	        config_get_int(cfg, "rm.scheduler.preemption.max-wait-before-kill-ms");
	opts.preemption_per_round =
	        (double)config_get_int(cfg, "rm.scheduler.preemption.total-preemption-per-round") /
	        100.0;
	if (!weft_resource_fits(opts.minimum, opts.maximum)) {
		set_cause(cause, "rm.scheduler.minimum-allocation-* must not exceed "
		                 "rm.scheduler.maximum-allocation-*");
		return NULL;
	}
	conf = rm_queue_conf(cfg, cause);
	if (conf == NULL)
		return NULL;
	s = scheduler_new(&opts);
	if (scheduler_set_queues(s, conf, cause) != 0) {
		queue_conf_free(conf);
		scheduler_free(s);
		return NULL;
	}
	queue_conf_free(conf);
	return s;
}

/* The topology script placed a host on a rack. */
static void rm_rack_resolved_cb(const char *host, const char *rack, void *arg)
{
	struct rm *rm = arg;

	if (rm->nodes != NULL)
		node_tracker_host_rack(rm->nodes, host, rack);
}

/* The node-to-rack resolver of rm.topology.*. */
static struct rack_resolver *rm_racks_new(struct rm *rm, char **cause)
{
	char *table = config_get_path(rm->cfg, "rm.topology.table-file");
	char *script = config_get_path(rm->cfg, "rm.topology.script");
	struct rack_resolver *r =
	        rack_resolver_new(rm->base, table, script, rm_rack_resolved_cb, rm, cause);

	free(table);
	free(script);
	return r;
}

/* Bind on rm.address, or on rm.bind-host with rm.address's port, and work
 * out the address everyone else should use. */
static int rm_listen(struct rm *rm, char **cause)
{
	const struct config *cfg = rm->cfg;
	const char *address = config_get(cfg, "rm.address");
	const char *bind_host = config_get(cfg, "rm.bind-host");
	const char *hostname = config_get(cfg, "rm.hostname");
	char *host = NULL, *bind_address, *why = NULL;
	int port = 0;

	if (net_parse_address(address, &host, &port, &why) != 0) {
		set_cause(cause, "rm.address: %s", why);
		free(why);
		return -1;
	}
	bind_address =
	        bind_host[0] != '\0' ? net_format_address(bind_host, port) : xstrdup(address);
	if (http_server_bind(rm->http, bind_address, &why) != 0) {
		set_cause(cause, "cannot listen on %s: %s", bind_address, why);
		free(why);
		free(bind_address);
		free(host);
		return -1;
	}
	rm->port = http_server_port(rm->http);
	rm->host = hostname[0] != '\0' ? xstrdup(hostname) : net_advertised_host(host);
	{
		char *hp = net_format_address(rm->host, rm->port);

		rm->url = xasprintf("http://%s", hp);
		free(hp);
	}
	{
		char *bind_host_only = NULL;
		int ignored = 0;

		if (net_parse_address(bind_address, &bind_host_only, &ignored, NULL) == 0) {
			daemon_announce_address("weft-rm", bind_host_only, rm->port);
			free(bind_host_only);
		}
	}
	log_info("advertised as %s (cluster timestamp %lld)", rm->url, (long long)rm->cluster_ts);
	free(bind_address);
	free(host);
	return 0;
}

struct rm *rm_new(struct event_base *base, const struct config *cfg, char **cause)
{
	struct rm *rm = xcalloc(1, sizeof *rm);

	rm->base = base;
	rm->cfg = cfg;
	rm->cluster_ts = time_now_ms();
	rm->secret = rm_load_secret(cfg, cause);
	if (rm->secret == NULL)
		goto fail;
	rm->scheduler = rm_scheduler_new(cfg, cause);
	if (rm->scheduler == NULL)
		goto fail;
	rm->racks = rm_racks_new(rm, cause);
	if (rm->racks == NULL)
		goto fail;
	rm->http = http_server_new(base, (size_t)config_get_int(cfg, "rm.http.max-body-bytes"));
	if (rm_listen(rm, cause) != 0)
		goto fail;
	rm->staging = staging_new(rm, cause);
	if (rm->staging == NULL)
		goto fail;
	rm->client = http_client_new(base);
	rm->tokens = container_tokens_new(
	        base, rm->secret, config_get_int(cfg, "rm.container-token.roll-interval-ms"),
	        config_get_int(cfg, "rm.container-token.expiry-ms"));
	rm->nodes = node_tracker_new(rm);
	rm->launcher = am_launcher_new(rm);
	rm->apps = app_manager_new(rm);
	webapp_routes(rm);
	node_tracker_routes(rm->nodes);
	am_service_routes(rm);
	staging_routes(rm->staging);
	return rm;
fail:
	rm_free(rm);
	return NULL;
}

void rm_free(struct rm *rm)
{
	if (rm == NULL)
		return;
	/* No more requests, then the modules that use the others first. */
	if (rm->http != NULL)
		http_server_free(rm->http);
	rack_resolver_free(rm->racks);
	rm->racks = NULL;
	app_manager_free(rm->apps);
	am_launcher_free(rm->launcher);
	if (rm->client != NULL)
		http_client_free(rm->client);
	node_tracker_free(rm->nodes);
	staging_free(rm->staging);
	scheduler_free(rm->scheduler);
	container_tokens_free(rm->tokens);
	secret_free(rm->secret);
	free(rm->host);
	free(rm->url);
	free(rm);
}
