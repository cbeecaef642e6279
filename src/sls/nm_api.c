/*
 * nm_api.c — the simulated nodes' container API (protocol.h's NM
 * internal API), multiplexed on one listener.
 *
 * A start names its node only inside the container token, so the token's
 * payload is read first (base64url JSON) to learn the node id, and the
 * token is then verified for that node with security.h like any NM does:
 * a forged or stale token is refused with 401 as weft-nm refuses it.
 */
#include "weft_config.h"

#include "sls/nm_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/daemon.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/proto_container.h"
#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "sls/sim_app.h"
#include "sls/sim_node.h"
#include "sls/sls.h"
#include "weft/protocol.h"

struct nm_api {
	struct sls *sls;
	struct http_server *http;
};

/* The node id inside a token's payload (caller frees), or NULL. */
static char *nm_api_token_node(const char *token)
{
	struct container_token tok;

	if (security_container_token_peek(token, &tok, NULL) != 0)
		return NULL;
	return xstrdup(tok.node_id);
}

/* Verify a token for its own node.  RET the node index, or -1 after
 * replying. */
static int nm_api_check_token(struct nm_api *api, struct http_request *req, const char *token,
                              struct container_token *tok)
{
	struct sls *sls = api->sls;
	char *node_id = nm_api_token_node(token), *why = NULL;
	int node = node_id != NULL ? sim_cluster_find(sls->cluster, node_id) : -1;

	if (node < 0) {
		http_reply_error(req, 401, "InvalidTokenException",
		                 "container token names no simulated node (%s)",
		                 node_id != NULL ? node_id : "unreadable token");
		free(node_id);
		return -1;
	}
	if (security_container_token_verify(sls->secret, token, sls->key_ids,
	                                    (size_t)sls->n_key_ids, node_id, time_now_ms(), tok,
	                                    &why) != 0) {
		http_reply_error(req, 401, "InvalidTokenException", "%s", why);
		free(why);
		free(node_id);
		return -1;
	}
	free(node_id);
	return node;
}

/* POST /rpc/containers/start */
static void nm_api_start_cb(struct http_request *req, void *arg)
{
	struct nm_api *api = arg;
	struct json_object *body = http_request_json(req), *env = NULL;
	struct proto_container_start m;
	struct proto_container_state answer;
	struct container_token tok;
	char *why = NULL;
	int node;

	if (body == NULL)
		return;
	if (proto_container_start_decode(body, &m, &why) != 0) {
		http_reply_error(req, 400, "BadRequestException", "%s", why);
		goto out;
	}
	if (m.token == NULL) {
		http_reply_error(req, 400, "BadRequestException", "token: missing");
		goto out;
	}
	if ((node = nm_api_check_token(api, req, m.token, &tok)) < 0)
		goto out;
	/* The simulated apps read their variables from a name -> value map. */
	env = wjson_new_object();
	for (int i = 0; i < m.context.n_env; i++)
		wjson_add_string(env, m.context.env[i].name, m.context.env[i].value);
	if (sim_apps_am_launch(api->sls->apps, tok.container_id, node, env, &why) != 0) {
		log_warn("start of %s on %s refused: %s", tok.container_id, tok.node_id, why);
		http_reply_error(req, 400, "BadRequestException", "%s", why);
		goto out;
	}
	answer.container_id = tok.container_id;
	answer.state = WEFT_CONTAINER_STATE_RUNNING;
	http_reply_json(req, 200, proto_container_state_encode(&answer));
out:
	proto_container_start_clear(&m);
	if (env != NULL)
		json_object_put(env);
	free(why);
	json_object_put(body);
}

/* Stop and status: RET the node holding the body's container (after
 * checking X-Weft-Auth or the token), or -1 after replying. */
static int nm_api_locate(struct nm_api *api, struct http_request *req, struct json_object *body,
                         const char **container_id, bool *by_rm)
{
	struct sls *sls = api->sls;
	const char *auth = http_request_header(req, SECURITY_AUTH_HEADER), *token;
	struct proto_container_request m;
	struct container_token tok;
	size_t len;
	const char *raw = http_request_body(req, &len);
	char *why = NULL;
	int node;

	if (proto_container_request_decode(body, &m, &why) != 0) {
		http_reply_error(req, 400, "BadRequestException", "%s", why);
		free(why);
		return -1;
	}
	*container_id = m.container_id;
	token = m.token;
	*by_rm = auth != NULL;
	if (auth != NULL) {
		if (security_verify_request(sls->secret, auth, "POST", http_request_path(req), raw,
		                            len, time_now_ms(), &why) != 0) {
			http_reply_error(req, 401, "AuthenticationException", "%s", why);
			free(why);
			return -1;
		}
	} else if (token == NULL) {
		http_reply_error(req, 401, "InvalidTokenException",
		                 "a container token or %s is required", SECURITY_AUTH_HEADER);
		return -1;
	} else if (nm_api_check_token(api, req, token, &tok) < 0) {
		return -1;
	} else if (strcmp(tok.container_id, *container_id) != 0) {
		http_reply_error(req, 401, "InvalidTokenException", "the token is for %s, not %s",
		                 tok.container_id, *container_id);
		return -1;
	}
	node = sim_apps_container_node(sls->apps, *container_id);
	if (node < 0) {
		http_reply_error(req, 404, "NotFoundException", "container %s is not known here",
		                 *container_id);
		return -1;
	}
	return node;
}

/* POST /rpc/containers/stop */
static void nm_api_stop_cb(struct http_request *req, void *arg)
{
	struct nm_api *api = arg;
	struct json_object *body = http_request_json(req);
	struct proto_container_state answer;
	const char *cid = NULL;
	bool by_rm = false;
	int node;

	if (body == NULL)
		return;
	node = nm_api_locate(api, req, body, &cid, &by_rm);
	if (node >= 0) {
		sim_node_stop(api->sls->cluster, node, cid,
		              by_rm ? WEFT_EXIT_KILLED_BY_RESOURCEMANAGER
		                    : WEFT_EXIT_KILLED_BY_APPMASTER);
		answer.container_id = cid;
		answer.state = WEFT_CONTAINER_STATE_COMPLETE;
		http_reply_json(req, 200, proto_container_state_encode(&answer));
	}
	json_object_put(body);
}

/* POST /rpc/containers/status */
static void nm_api_status_cb(struct http_request *req, void *arg)
{
	struct nm_api *api = arg;
	struct json_object *body = http_request_json(req);
	const char *cid = NULL;
	bool by_rm = false, complete = false;
	int node, exit_status = WEFT_EXIT_INVALID;

	if (body == NULL)
		return;
	node = nm_api_locate(api, req, body, &cid, &by_rm);
	if (node >= 0) {
		if (sim_node_status(api->sls->cluster, node, cid, &complete, &exit_status) != 0) {
			http_reply_error(req, 404, "NotFoundException",
			                 "container %s is not known here", cid);
		} else {
			struct weft_container_status answer = {
			        .container_id = cid,
			        .state =
			                complete ? WEFT_CONTAINER_COMPLETE : WEFT_CONTAINER_RUNNING,
			        .exit_status = exit_status,
			        .diagnostics = "",
			};

			http_reply_json(req, 200, proto_container_status_encode(&answer));
		}
	}
	json_object_put(body);
}

/* One listener on 127.0.0.1 for every simulated node. */
struct nm_api *nm_api_new(struct sls *sls, char **cause)
{
	struct nm_api *api = xcalloc(1, sizeof *api);

	api->sls = sls;
	api->http = http_server_new(sls->base, WEFT_MAX_JSON_BODY);
	if (http_server_bind(api->http, "127.0.0.1:0", cause) != 0) {
		http_server_free(api->http);
		free(api);
		return NULL;
	}
	http_server_route(api->http, HTTP_M_POST, WEFT_RPC_CONTAINERS_START, 0, nm_api_start_cb,
	                  api);
	http_server_route(api->http, HTTP_M_POST, WEFT_RPC_CONTAINERS_STOP, 0, nm_api_stop_cb, api);
	http_server_route(api->http, HTTP_M_POST, WEFT_RPC_CONTAINERS_STATUS, 0, nm_api_status_cb,
	                  api);
	free(sls->nm_http_address);
	sls->nm_http_address = xasprintf("127.0.0.1:%d", http_server_port(api->http));
	return api;
}

/* Stop listening (after rm_rpc: nothing calls back into the apps then). */
void nm_api_free(struct nm_api *api)
{
	if (api == NULL)
		return;
	http_server_free(api->http);
	free(api);
}
