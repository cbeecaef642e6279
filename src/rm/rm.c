/*
 * rm.c — building and tearing down weft-rm: secret, HTTP server, modules,
 * routes, in the order their dependencies need; and the wiring of the
 * modules that report to the app manager (node tracker, AM launcher,
 * staging), which know it only through the callbacks given here.
 */
#include "weft_config.h"

#include "rm/rm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/daemon.h"
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
#include "rm/webapp_waits.h"

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

/* --- the reporters' interfaces, wired to the app manager (late bound
 * through rm: the modules are built before it) --- */

/* node tracker: an NM reports a container running. */
static bool rm_node_container_running_cb(void *arg, const char *container_id)
{
	struct rm *rm = arg;

	return app_manager_container_running(rm->apps, container_id);
}

/* node tracker: a container ended. */
static void rm_node_container_completed_cb(void *arg, const char *container_id, int exit_status,
                                           const char *diagnostics)
{
	struct rm *rm = arg;

	app_manager_container_completed(rm->apps, container_id, exit_status, diagnostics);
}

/* node tracker: reports applied, or room on a node. */
static void rm_node_schedule_cb(void *arg)
{
	struct rm *rm = arg;

	app_manager_schedule(rm->apps);
}

/* AM launcher: the NM accepted an AM container. */
static void rm_am_launched_cb(void *arg, const char *attempt_id, const char *container_id)
{
	struct rm *rm = arg;

	app_manager_am_launched(rm->apps, attempt_id, container_id);
}

/* AM launcher: an AM container could not start. */
static void rm_am_launch_failed_cb(void *arg, const char *attempt_id, const char *container_id,
                                   const char *why)
{
	struct rm *rm = arg;

	app_manager_am_launch_failed(rm->apps, attempt_id, container_id, why);
}

/* app manager: an application's state moved; its held waits look. */
static void rm_app_state_changed_cb(void *arg, const char *app_id)
{
	struct rm *rm = arg;

	webapp_waits_state_changed(rm->waits, app_id);
}

/* staging: an id handed out or known. */
static bool rm_staging_id_known_cb(void *arg, const char *app_id)
{
	struct rm *rm = arg;

	return app_manager_id_known(rm->apps, app_id);
}

/* staging: an application that may still receive files. */
static bool rm_staging_accepts_files_cb(void *arg, const char *app_id)
{
	struct rm *rm = arg;

	return app_manager_accepts_files(rm->apps, app_id);
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

/* The address of key this RM listens on: key may name several RMs
 * (clients fail over between them); this one is the first that names an
 * address of this host, else the first (caller frees). */
static char *rm_own_address(const struct config *cfg, const char *key)
{
	int n = 0;
	char **list = config_get_list(cfg, key, &n), *mine = NULL;

	for (int i = 0; i < n && mine == NULL && n > 1; i++) {
		char *host = NULL;
		int port;

		if (net_parse_address(list[i], &host, &port, NULL) == 0 && net_is_local_host(host))
			mine = xstrdup(list[i]);
		free(host);
	}
	if (mine == NULL)
		mine = xstrdup(n > 0 ? list[0] : "");
	if (n > 1)
		log_info("%s names %d RMs; this one is %s", key, n, mine);
	config_list_free(list);
	return mine;
}

/* Bind srv on this RM's address of key (or on rm.bind-host with its
 * port).  OUT *bound: "bind-host:port" actually bound, *host: the key's
 * host.  RET the port, or -1 with *cause. */
static int rm_bind(struct rm *rm, struct http_server *srv, const char *key, char **bound,
                   char **host, char **cause)
{
	char *address = rm_own_address(rm->cfg, key);
	const char *bind_host = config_get(rm->cfg, "rm.bind-host");
	char *bind_address, *bind_host_only = NULL, *why = NULL;
	int port = 0, ignored = 0;

	if (net_parse_address(address, host, &port, &why) != 0) {
		set_cause(cause, "%s: %s", key, why);
		free(why);
		free(address);
		return -1;
	}
	bind_address =
	        bind_host[0] != '\0' ? net_format_address(bind_host, port) : xstrdup(address);
	free(address);
	if (http_server_bind(srv, bind_address, &why) != 0) {
		set_cause(cause, "%s: cannot listen on %s: %s", key, bind_address, why);
		free(why);
		free(bind_address);
		free(*host);
		*host = NULL;
		return -1;
	}
	port = http_server_port(srv);
	if (net_parse_address(bind_address, &bind_host_only, &ignored, NULL) == 0)
		*bound = net_format_address(bind_host_only, port);
	else
		*bound = xstrdup(bind_address);
	free(bind_host_only);
	free(bind_address);
	return port;
}

/* "http://host:port" */
static char *rm_url_of(const char *host, int port)
{
	char *hp = net_format_address(host, port), *url = xasprintf("http://%s", hp);

	free(hp);
	return url;
}

/* What an AM is told of the RMs' internal RPC (WEFT_RM_URL): this RM's
 * URL first, then every other RM rm.rpc-address names, so that the AM's
 * client fails over to them (caller frees). */
static char *rm_rpc_urls(const struct rm *rm)
{
	int n = 0;
	char **list = config_get_list(rm->cfg, "rm.rpc-address", &n);
	char *mine = rm_own_address(rm->cfg, "rm.rpc-address"), *urls = xstrdup(rm->rpc_url);

	for (int i = 0; i < n; i++) {
		char *next;

		if (strcmp(list[i], mine) == 0)
			continue;
		next = xasprintf("%s,http://%s", urls, list[i]);
		free(urls);
		urls = next;
	}
	config_list_free(list);
	free(mine);
	return urls;
}

/* Listen on rm.address (public REST) and rm.rpc-address (internal RPC),
 * or on rm.bind-host with their ports; work out the URLs everyone else
 * should use; write both bound addresses to $WEFT_ADDRESS_FILE (REST
 * first, RPC second). */
static int rm_listen(struct rm *rm, char **cause)
{
	const char *hostname = config_get(rm->cfg, "rm.hostname");
	char *host = NULL, *rpc_host = NULL, *bound[2] = {NULL, NULL};
	int rc = -1;

	rm->port = rm_bind(rm, rm->http, "rm.address", &bound[0], &host, cause);
	if (rm->port < 0)
		goto out;
	rm->rpc_port = rm_bind(rm, rm->rpc, "rm.rpc-address", &bound[1], &rpc_host, cause);
	if (rm->rpc_port < 0)
		goto out;
	rm->host = hostname[0] != '\0' ? xstrdup(hostname) : net_advertised_host(host);
	rm->url = rm_url_of(rm->host, rm->port);
	{
		char *advertised =
		        hostname[0] != '\0' ? xstrdup(hostname) : net_advertised_host(rpc_host);

		rm->rpc_url = rm_url_of(advertised, rm->rpc_port);
		free(advertised);
	}
	rm->rpc_urls = rm_rpc_urls(rm);
	log_info("REST at %s, internal RPC at %s", bound[0], bound[1]);
	daemon_announce_addresses("weft-rm", (const char *const *)bound, 2);
	log_info("advertised as %s, RPC %s (cluster timestamp %lld)", rm->url, rm->rpc_url,
	         (long long)rm->cluster_ts);
	rc = 0;
out:
	free(bound[0]);
	free(bound[1]);
	free(host);
	free(rpc_host);
	return rc;
}

/* Three priorities on the loop (rm.h): internal RPC's events run first,
 * then timers and the RM's own calls (libevent's default priority), then
 * public REST.  libevent runs every active event of the highest priority
 * that has one, then polls again (main.c also makes it poll again after a
 * few public callbacks), so a heartbeat waits for at most the callbacks in
 * progress, not for a queue of readers. */
static void rm_prioritize(struct event_base *base)
{
	if (event_base_get_npriorities(base) < RM_PRIORITIES &&
	    event_base_priority_init(base, RM_PRIORITIES) != 0)
		log_warn("cannot give internal RPC a priority of its own");
}

struct rm *rm_new(struct event_base *base, const struct config *cfg, char **cause)
{
	struct rm *rm = xcalloc(1, sizeof *rm);
	const struct node_tracker_events node_events = {
	        .container_running = rm_node_container_running_cb,
	        .container_completed = rm_node_container_completed_cb,
	        .schedule = rm_node_schedule_cb,
	        .arg = rm,
	};
	const struct am_launcher_events launcher_events = {
	        .launched = rm_am_launched_cb,
	        .launch_failed = rm_am_launch_failed_cb,
	        .arg = rm,
	};
	const struct app_manager_events app_events = {
	        .state_changed = rm_app_state_changed_cb,
	        .arg = rm,
	};
	const struct staging_apps staging_apps = {
	        .id_known = rm_staging_id_known_cb,
	        .accepts_files = rm_staging_accepts_files_cb,
	        .arg = rm,
	};

	rm->base = base;
	rm->cfg = cfg;
	rm->cluster_ts = time_now_ms();
	/* Before any event of the RM exists: they take the default then. */
	rm_prioritize(base);
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
	http_server_set_priority(rm->http, RM_PRIORITY_PUBLIC);
	http_server_set_max_per_address(
	        rm->http, (int)config_get_int(cfg, "rm.http.max-connections-per-address"));
	rm->rpc = http_server_new(base, (size_t)config_get_int(cfg, "rm.http.max-body-bytes"));
	http_server_set_priority(rm->rpc, RM_PRIORITY_RPC);
	if (rm_listen(rm, cause) != 0)
		goto fail;
	rm->staging = staging_new(rm, &staging_apps, cause);
	if (rm->staging == NULL)
		goto fail;
	rm->tokens = container_tokens_new(
	        base, rm->secret, config_get_int(cfg, "rm.container-token.roll-interval-ms"),
	        config_get_int(cfg, "rm.container-token.expiry-ms"));
	rm->nodes = node_tracker_new(rm, &node_events);
	rm->launcher = am_launcher_new(rm, &launcher_events);
	rm->apps = app_manager_new(rm, &app_events);
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
	/* Held waits are answered while the servers and the app manager
	 * still are; then no more requests, then the modules that use the
	 * others first. */
	webapp_shutdown(rm);
	if (rm->rpc != NULL)
		http_server_free(rm->rpc);
	if (rm->http != NULL)
		http_server_free(rm->http);
	rack_resolver_free(rm->racks);
	rm->racks = NULL;
	webapp_free(rm);
	app_manager_free(rm->apps);
	am_launcher_free(rm->launcher);
	node_tracker_free(rm->nodes);
	staging_free(rm->staging);
	scheduler_free(rm->scheduler);
	container_tokens_free(rm->tokens);
	secret_free(rm->secret);
	free(rm->host);
	free(rm->url);
	free(rm->rpc_url);
	free(rm->rpc_urls);
	free(rm);
}
