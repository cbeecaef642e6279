/*
 * webapp_cluster.c — GET /ws/v1/cluster, /ws/v1/cluster/info,
 * /ws/v1/cluster/metrics, /ws/v1/cluster/nodes and /nodes/{id}, in YARN's
 * shapes (clusterInfo, clusterMetrics, nodes.node[], node).
 */
#include "weft_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/http_server.h"
#include "common/proto_cluster.h"
#include "common/proto_node.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "rm/app_manager.h"
#include "rm/node_tracker.h"
#include "rm/rm.h"
#include "rm/scheduler.h"
#include "rm/webapp.h"
#include "weft/protocol.h"

/* clusterInfo (common/proto_cluster.c writes it) */
static void webapp_cluster_info_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	char *build = xasprintf("%s (weft)", WEFT_VERSION_STRING);
	struct proto_cluster_info m = {
	        .id = rm->cluster_ts,
	        .started_on = rm->cluster_ts,
	        .state = "STARTED",
	        .ha_state = "ACTIVE",
	        .state_store = "none (weft keeps no state store)",
	        .rm_version = WEFT_VERSION_STRING,
	        .rm_build_version = build,
	        .rm_built_on = __DATE__ " " __TIME__,
	        .hadoop_version = WEFT_VERSION_STRING,
	        .hadoop_build_version = build,
	        .hadoop_built_on = __DATE__ " " __TIME__,
	        .ha_zookeeper = "ResourceManager HA is not enabled.",
	};

	http_reply_json(req, 200, proto_cluster_info_encode(&m));
	free(build);
}

/* clusterMetrics: counters from the modules that own them. */
static void webapp_cluster_metrics_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	struct proto_cluster_metrics m;
	struct app_metrics apps;
	struct scheduler_usage usage;
	struct node_counts nodes;
	weft_resource_t available;

	app_manager_metrics(rm->apps, &apps);
	scheduler_usage(rm->scheduler, &usage);
	node_tracker_counts(rm->nodes, &nodes);
	available = weft_resource_sub(usage.total, usage.used);
	m = (struct proto_cluster_metrics){
	        .apps_submitted = apps.submitted,
	        .apps_completed = apps.completed,
	        .apps_pending = apps.pending,
	        .apps_running = apps.running,
	        .apps_failed = apps.failed,
	        .apps_killed = apps.killed,
	        .reserved_mb = usage.reserved.memory_mb,
	        .available_mb = available.memory_mb,
	        .allocated_mb = usage.allocated.memory_mb,
	        .total_mb = usage.total.memory_mb,
	        .reserved_vcores = usage.reserved.vcores,
	        .available_vcores = available.vcores,
	        .allocated_vcores = usage.allocated.vcores,
	        .total_vcores = usage.total.vcores,
	        .containers_allocated = usage.n_containers,
	        .containers_reserved = usage.n_reserved,
	        .containers_pending = usage.n_pending,
	        .total_nodes = nodes.total,
	        .active_nodes = nodes.active,
	        .lost_nodes = nodes.per_state[NODE_LOST],
	        .unhealthy_nodes = nodes.per_state[NODE_UNHEALTHY],
	        .decommissioning_nodes = 0,
	        .decommissioned_nodes = nodes.per_state[NODE_DECOMMISSIONED],
	        .rebooted_nodes = nodes.per_state[NODE_REBOOTED],
	        .shutdown_nodes = nodes.per_state[NODE_SHUTDOWN],
	};
	http_reply_json(req, 200, proto_cluster_metrics_encode(&m));
}

/* One node object (common/proto_node.c writes it). */
static struct json_object *webapp_node_json(const struct node_report *r)
{
	bool live = r->state == NODE_RUNNING || r->state == NODE_UNHEALTHY;
	weft_resource_t avail =
	        live ? weft_resource_sub(r->capability, r->used) : weft_resource(0, 0);
	struct proto_node_report m = {
	        .id = r->id,
	        .state = node_state_name(r->state),
	        .rack = r->rack,
	        .host = r->host,
	        .http_address = r->http_address,
	        .last_health_update = r->last_health_update,
	        .version = r->version,
	        .health_report = r->health_report,
	        .num_containers = r->n_containers,
	        .used_memory_mb = r->used.memory_mb,
	        .avail_memory_mb = avail.memory_mb,
	        .used_vcores = r->used.vcores,
	        .avail_vcores = avail.vcores,
	};

	return proto_node_report_encode(&m);
}

/* Parse a comma-separated list of node states into a mask.  RET 0, -1
 * after answering. */
static int webapp_node_states(struct http_request *req, const char *param, unsigned *mask)
{
	const char *text = http_request_query(req, param);
	char *copy, *save = NULL, *tok;

	if (text == NULL)
		return 0;
	copy = xstrdup(text);
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		enum node_state s;

		while (*tok == ' ')
			tok++;
		for (char *end = tok + strlen(tok); end > tok && end[-1] == ' ';)
			*--end = '\0';
		if (*tok == '\0')
			continue;
		if (node_state_parse(tok, &s) != 0) {
			http_reply_error(req, 400, "BadRequestException",
			                 "%s: '%s' is not a node state (NEW, RUNNING, UNHEALTHY, "
			                 "DECOMMISSIONED, LOST, REBOOTED, SHUTDOWN)",
			                 param, tok);
			free(copy);
			return -1;
		}
		*mask |= 1u << s;
	}
	free(copy);
	return 0;
}

/* nodes.node[] (filter ?states=, or the older ?state=) */
static void webapp_nodes_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	struct node_report *reports = NULL;
	struct json_object *list;
	unsigned mask = 0;
	int n;

	if (webapp_node_states(req, WEFT_QUERY_STATES, &mask) != 0 ||
	    webapp_node_states(req, WEFT_QUERY_STATE, &mask) != 0)
		return;
	n = node_tracker_reports(rm->nodes, &reports);
	list = json_object_new_array();
	for (int i = 0; i < n; i++) {
		if (mask != 0 && (mask & (1u << reports[i].state)) == 0)
			continue;
		json_object_array_add(list, webapp_node_json(&reports[i]));
	}
	free(reports);
	http_reply_json(req, 200, proto_node_reports_wrap(list));
}

/* {"node":{...}} */
static void webapp_node_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	const char *id = http_request_param(req, 0);
	struct node_report r;

	if (id == NULL || node_tracker_report(rm->nodes, id, &r) != 0) {
		http_reply_error(req, 404, "NotFoundException", "nodeId, %s, is not found",
		                 id != NULL ? id : "");
		return;
	}
	http_reply_json(req, 200, proto_node_report_wrap(webapp_node_json(&r)));
}

void webapp_cluster_routes(struct rm *rm)
{
	http_server_route(rm->http, HTTP_M_GET, WEFT_ROUTE_CLUSTER, 0, webapp_cluster_info_cb, rm);
	http_server_route(rm->http, HTTP_M_GET, WEFT_ROUTE_CLUSTER_INFO, 0, webapp_cluster_info_cb,
	                  rm);
	http_server_route(rm->http, HTTP_M_GET, WEFT_ROUTE_CLUSTER_METRICS, 0,
	                  webapp_cluster_metrics_cb, rm);
	http_server_route(rm->http, HTTP_M_GET, WEFT_ROUTE_NODES, 0, webapp_nodes_cb, rm);
	http_server_route(rm->http, HTTP_M_GET, WEFT_ROUTE_NODE, 0, webapp_node_cb, rm);
}
