/*
 * container_manager.c — the node's containers and applications, and the
 * container API of protocol.h.
 *
 * A start is checked completely before anything changes: the container
 * token (signed by the RM under a current key id, not expired, issued for
 * this node), the launch context, then duplicates.  Only then are the
 * records created and the container's life begins (container.c).  Stop and
 * status take the container's token (the AM) or X-Weft-Auth (the RM).
 *
 * Records are kept after a container completes: its status goes to the RM
 * until acknowledged, and the REST API and log serving still find it until
 * the application is cleaned up.
 */
#include "weft_config.h"

#include "nm/container_manager.h"
#include "nm/shuffle_service.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/daemon.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"

/* Longest user name (protocol.h: [A-Za-z0-9._-]{1,32}). */
#define CONTAINER_MANAGER_MAX_USER 32

struct container_manager {
	struct nm_context *ctx;
	struct container **containers;
	size_t n_containers, cap_containers;
	struct application **apps;
	size_t n_apps, cap_apps;
	int64_t key_ids[CONTAINER_MANAGER_MAX_KEYS];
	size_t n_key_ids;

	container_manager_completed_cb completed;
	void *completed_arg;

	bool stopping;
	struct event *stopped_event; /* all containers gone after stop_all */
	void (*stopped_cb)(void *);
	void *stopped_arg;
};

static void container_manager_done_cb(struct container *c, void *arg);

/* An empty manager. */
struct container_manager *container_manager_new(struct nm_context *ctx)
{
	struct container_manager *cm = xcalloc(1, sizeof *cm);

	cm->ctx = ctx;
	return cm;
}

/* Free every record. */
void container_manager_free(struct container_manager *cm)
{
	size_t i;

	if (cm == NULL)
		return;
	for (i = 0; i < cm->n_containers; i++)
		container_free(cm->containers[i]);
	free(cm->containers);
	for (i = 0; i < cm->n_apps; i++)
		application_free(cm->apps[i]);
	free(cm->apps);
	if (cm->stopped_event != NULL)
		event_free(cm->stopped_event);
	free(cm);
}

/* Who hears about completed containers. */
void container_manager_on_completed(struct container_manager *cm, container_manager_completed_cb cb,
                                    void *arg)
{
	cm->completed = cb;
	cm->completed_arg = arg;
}

/* The RM's current container-token key ids. */
void container_manager_set_key_ids(struct container_manager *cm, const int64_t *ids, size_t n)
{
	if (n > CONTAINER_MANAGER_MAX_KEYS)
		n = CONTAINER_MANAGER_MAX_KEYS;
	if (n > 0)
		memcpy(cm->key_ids, ids, n * sizeof *ids);
	cm->n_key_ids = n;
}

size_t container_manager_count(const struct container_manager *cm)
{
	return cm->n_containers;
}

struct container *container_manager_at(const struct container_manager *cm, size_t i)
{
	return i < cm->n_containers ? cm->containers[i] : NULL;
}

size_t container_manager_app_count(const struct container_manager *cm)
{
	return cm->n_apps;
}

struct application *container_manager_app_at(const struct container_manager *cm, size_t i)
{
	return i < cm->n_apps ? cm->apps[i] : NULL;
}

/* A container by id. */
struct container *container_manager_find(const struct container_manager *cm, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < cm->n_containers; i++) {
		if (strcmp(container_id(cm->containers[i]), id) == 0)
			return cm->containers[i];
	}
	return NULL;
}

/* An application by id. */
struct application *container_manager_find_app(const struct container_manager *cm, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < cm->n_apps; i++) {
		if (strcmp(application_id(cm->apps[i]), id) == 0)
			return cm->apps[i];
	}
	return NULL;
}

/* Containers still running (or about to). */
int container_manager_live_count(const struct container_manager *cm)
{
	size_t i;
	int n = 0;

	for (i = 0; i < cm->n_containers; i++) {
		if (!container_is_complete(cm->containers[i]))
			n++;
	}
	return n;
}

/* Containers of one application still running. */
static int container_manager_app_live_count(const struct container_manager *cm, const char *app_id)
{
	size_t i;
	int n = 0;

	for (i = 0; i < cm->n_containers; i++) {
		if (!container_is_complete(cm->containers[i]) &&
		    strcmp(container_app_id(cm->containers[i]), app_id) == 0)
			n++;
	}
	return n;
}

/* What the live containers were granted. */
weft_resource_t container_manager_allocated(const struct container_manager *cm)
{
	weft_resource_t sum = weft_resource(0, 0);
	size_t i;

	for (i = 0; i < cm->n_containers; i++) {
		if (!container_is_complete(cm->containers[i]))
			sum = weft_resource_add(sum, container_resource(cm->containers[i]));
	}
	return sum;
}

/* Drop one container record. */
static void container_manager_remove(struct container_manager *cm, struct container *c)
{
	size_t i;

	for (i = 0; i < cm->n_containers; i++) {
		if (cm->containers[i] != c)
			continue;
		memmove(&cm->containers[i], &cm->containers[i + 1],
		        (cm->n_containers - i - 1) * sizeof *cm->containers);
		cm->n_containers--;
		log_debug("forgot container %s", container_id(c));
		container_free(c);
		return;
	}
}

/* Drop an application record. */
static void container_manager_remove_app(struct container_manager *cm, struct application *a)
{
	size_t i;

	for (i = 0; i < cm->n_apps; i++) {
		if (cm->apps[i] != a)
			continue;
		memmove(&cm->apps[i], &cm->apps[i + 1], (cm->n_apps - i - 1) * sizeof *cm->apps);
		cm->n_apps--;
		log_debug("forgot application %s", application_id(a));
		application_free(a);
		return;
	}
}

/* A FINISHED application: forget the containers the RM has acknowledged
 * and, when none is left, the application itself. */
static void container_manager_prune_app(struct container_manager *cm, struct application *a)
{
	size_t i = 0;
	bool left = false;

	if (application_get_state(a) != APPLICATION_FINISHED)
		return;
	while (i < cm->n_containers) {
		struct container *c = cm->containers[i];

		if (strcmp(container_app_id(c), application_id(a)) != 0) {
			i++;
			continue;
		}
		if (container_is_complete(c) && container_is_acked(c)) {
			container_manager_remove(cm, c);
			continue;
		}
		left = true;
		i++;
	}
	if (!left)
		container_manager_remove_app(cm, a);
}

/* The application's directories are gone. */
static void container_manager_app_cleaned_cb(struct application *a, void *arg)
{
	container_manager_prune_app(arg, a);
}

/* Start the application's clean-up once nothing of it runs. */
static void container_manager_maybe_clean_app(struct container_manager *cm, struct application *a)
{
	if (application_get_state(a) != APPLICATION_FINISHING_CONTAINERS_WAIT ||
	    container_manager_app_live_count(cm, application_id(a)) > 0)
		return;
	application_cleanup(a, container_manager_app_cleaned_cb, cm);
}

/* After stop_all: report from the loop. */
static void container_manager_stopped_cb(evutil_socket_t fd, short events, void *arg)
{
	struct container_manager *cm = arg;

	if (cm->stopped_cb != NULL)
		cm->stopped_cb(cm->stopped_arg);
}

/* Arm the stop_all report once nothing runs any more. */
static void container_manager_check_stopped(struct container_manager *cm)
{
	struct timeval now = {0, 0};

	if (!cm->stopping || cm->stopped_event == NULL || container_manager_live_count(cm) > 0)
		return;
	evtimer_add(cm->stopped_event, &now);
}

/* A container reached DONE. */
static void container_manager_done_cb(struct container *c, void *arg)
{
	struct container_manager *cm = arg;
	struct application *a;

	a = container_manager_find_app(cm, container_app_id(c));
	if (a != NULL)
		container_manager_maybe_clean_app(cm, a);
	if (cm->completed != NULL)
		cm->completed(c, cm->completed_arg);
	container_manager_check_stopped(cm);
}

/* Stop one container. */
bool container_manager_stop(struct container_manager *cm, struct container *c, int exit_status,
                            const char *diagnostics)
{
	return container_kill(c, exit_status, diagnostics);
}

/* appsToCleanup: the application is over. */
void container_manager_cleanup_app(struct container_manager *cm, const char *app_id)
{
	struct application *a = container_manager_find_app(cm, app_id);
	size_t i;

	if (a == NULL || application_get_state(a) != APPLICATION_RUNNING)
		return;
	application_set_state(a, APPLICATION_FINISHING_CONTAINERS_WAIT);
	/* Killing may complete a container at once and run the done
	 * callback, which never removes records, so indexes stay valid. */
	for (i = 0; i < cm->n_containers; i++) {
		struct container *c = cm->containers[i];

		if (strcmp(container_app_id(c), app_id) == 0 && !container_is_complete(c))
			container_kill(c, WEFT_EXIT_KILLED_AFTER_APP_COMPLETION,
			               CONTAINER_KILLED_AFTER_APP);
	}
	container_manager_maybe_clean_app(cm, a);
}

/* containersToAck: stop reporting it; forget it if its app is over. */
void container_manager_ack(struct container_manager *cm, const char *container_id_text)
{
	struct container *c = container_manager_find(cm, container_id_text);
	struct application *a;

	if (c == NULL || !container_is_complete(c))
		return;
	container_set_acked(c);
	a = container_manager_find_app(cm, container_app_id(c));
	if (a != NULL)
		container_manager_prune_app(cm, a);
}

/* Container statuses for a heartbeat or a registration. */
struct json_object *container_manager_statuses(const struct container_manager *cm,
                                               bool running_only)
{
	struct json_object *array = json_object_new_array();
	size_t i;

	if (array == NULL)
		fatalx("container_manager_statuses: out of memory");
	for (i = 0; i < cm->n_containers; i++) {
		struct container *c = cm->containers[i];

		if (container_is_complete(c) && (running_only || container_is_acked(c)))
			continue;
		json_object_array_add(array, container_status_json(c));
	}
	return array;
}

/* Shutdown: stop everything, then tell the caller. */
void container_manager_stop_all(struct container_manager *cm, int exit_status,
                                const char *diagnostics, void (*cb)(void *), void *arg)
{
	size_t i;

	cm->stopping = true;
	cm->stopped_cb = cb;
	cm->stopped_arg = arg;
	if (cm->stopped_event == NULL) {
		cm->stopped_event = evtimer_new(cm->ctx->base, container_manager_stopped_cb, cm);
		if (cm->stopped_event == NULL)
			fatalx("container_manager_stop_all: evtimer_new failed");
	}
	for (i = 0; i < cm->n_containers; i++) {
		if (!container_is_complete(cm->containers[i]))
			container_kill(cm->containers[i], exit_status, diagnostics);
	}
	container_manager_check_stopped(cm);
}

/* protocol.h's user names, which also become a path component. */
static bool container_manager_user_valid(const char *user)
{
	size_t i, len = strlen(user);

	if (len == 0 || len > CONTAINER_MANAGER_MAX_USER || user[0] == '.')
		return false;
	for (i = 0; i < len; i++) {
		char ch = user[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

/* POST /rpc/containers/start */
static void container_manager_start_cb(struct http_request *req, void *arg)
{
	struct container_manager *cm = arg;
	struct json_object *body;
	struct weft_launch_context *lc = NULL;
	struct proto_container_start m;
	struct proto_container_state answer;
	struct container_token tok;
	struct container_spec spec;
	struct application *a;
	struct container *c;
	char *cause = NULL, *bad = NULL, *app_secret = NULL;
	int decoded;

	if (cm->stopping) {
		http_reply_error(req, 503, "ServiceUnavailableException",
		                 "the NodeManager is shutting down");
		return;
	}
	body = http_request_json(req);
	if (body == NULL)
		return;
	/* The token is read first and checked before the rest is judged. */
	decoded = proto_container_start_decode(body, &m, &bad);
	if (!m.token_read) {
		http_reply_error(req, 400, "BadRequestException", "%s", bad);
		goto out;
	}
	if (m.token == NULL || *m.token == '\0') {
		http_reply_error(req, 401, "InvalidTokenException",
		                 "no container token: starting a container needs the token the "
		                 "ResourceManager issued with it");
		goto out;
	}
	if (security_container_token_verify(cm->ctx->secret, m.token, cm->key_ids, cm->n_key_ids,
	                                    cm->ctx->node_id, time_now_ms(), &tok, &cause) != 0) {
		log_warn("refused a container start from %s: %s", http_request_peer(req), cause);
		http_reply_error(req, 401, "InvalidTokenException", "%s", cause);
		goto out;
	}
	if (!container_manager_user_valid(tok.user)) {
		http_reply_error(req, 400, "BadRequestException",
		                 "container token: '%s' is not a valid user name", tok.user);
		goto out;
	}
	if (tok.resource.memory_mb <= 0 || tok.resource.vcores <= 0) {
		http_reply_error(req, 400, "BadRequestException",
		                 "container token: the resource must be positive");
		goto out;
	}
	if (decoded != 0) {
		http_reply_error(req, 400, "BadRequestException", "%s", bad);
		goto out;
	}
	lc = launch_context_take(&m);
	if (container_manager_find(cm, tok.container_id) != NULL) {
		http_reply_error(req, 409, "ConflictException",
		                 "container %s was already started on this node", tok.container_id);
		goto out;
	}
	app_secret = shuffle_service_launch_secret(lc);
	memset(&spec, 0, sizeof spec);
	spec.id = tok.container_id;
	spec.user = tok.user;
	spec.resource = tok.resource;
	spec.token = m.token;
	c = container_new(cm->ctx, &spec, lc, container_manager_done_cb, cm);
	if (c == NULL) {
		http_reply_error(req, 400, "BadRequestException",
		                 "container token: bad container id '%s'", tok.container_id);
		goto out;
	}
	lc = NULL; /* the container owns it now */
	a = container_manager_find_app(cm, container_app_id(c));
	if (a != NULL && application_get_state(a) != APPLICATION_RUNNING) {
		http_reply_error(req, 409, "ConflictException",
		                 "application %s is finishing on this node", application_id(a));
		container_free(c);
		goto out;
	}
	if (a != NULL && strcmp(application_user(a), tok.user) != 0) {
		http_reply_error(req, 409, "ConflictException",
		                 "application %s runs as user %s on this node, not %s",
		                 application_id(a), application_user(a), tok.user);
		container_free(c);
		goto out;
	}
	if (a == NULL) {
		a = application_new(cm->ctx, container_app_id(c), tok.user);
		if (cm->n_apps == cm->cap_apps) {
			cm->cap_apps = cm->cap_apps == 0 ? 16 : cm->cap_apps * 2;
			cm->apps = xreallocarray(cm->apps, cm->cap_apps, sizeof *cm->apps);
		}
		cm->apps[cm->n_apps++] = a;
	}
	if (cm->n_containers == cm->cap_containers) {
		cm->cap_containers = cm->cap_containers == 0 ? 16 : cm->cap_containers * 2;
		cm->containers =
		        xreallocarray(cm->containers, cm->cap_containers, sizeof *cm->containers);
	}
	cm->containers[cm->n_containers++] = c;
	/* The shuffle service checks the app's fetches with its secret. */
	if (app_secret != NULL && cm->ctx != NULL && cm->ctx->shuffle != NULL)
		shuffle_service_add_app(cm->ctx->shuffle, container_app_id(c), app_secret);
	log_info("starting container %s of %s for %s (%" PRId64 " MB, %" PRId64 " vcores)",
	         container_id(c), container_app_id(c), tok.user, tok.resource.memory_mb,
	         tok.resource.vcores);
	container_launch(c);
	answer.container_id = container_id(c);
	answer.state = container_is_complete(c) ? WEFT_CONTAINER_STATE_COMPLETE
	                                        : container_state_name(container_get_state(c));
	http_reply_json(req, 200, proto_container_state_encode(&answer));
out:
	proto_container_start_clear(&m);
	launch_context_free(lc);
	free(app_secret);
	free(bad);
	free(cause);
	json_object_put(body);
}

/*
 * Authorize a stop or status call for container_id: X-Weft-Auth from the
 * RM (*by_rm set), or a container token for that container: the one it
 * was started with, or any token signed under a current key for this node
 * (expiry only bounds the start).  RET 0, or -1 after replying 401.
 */
static int container_manager_authorize(struct container_manager *cm, struct http_request *req,
                                       const char *id, const char *token, bool *by_rm)
{
	const char *auth = http_request_header(req, SECURITY_AUTH_HEADER);
	const char *text;
	struct container_token tok;
	struct container *c;
	char *cause = NULL;
	size_t len;

	*by_rm = false;
	if (auth != NULL) {
		text = http_request_body(req, &len);
		if (security_verify_request(cm->ctx->secret, auth, http_request_method_name(req),
		                            http_request_path(req), text, len, time_now_ms(),
		                            &cause) != 0) {
			log_warn("refused a call from %s: %s", http_request_peer(req), cause);
			http_reply_error(req, 401, "AuthenticationException", "%s", cause);
			free(cause);
			return -1;
		}
		*by_rm = true;
		return 0;
	}
	if (token == NULL || *token == '\0') {
		http_reply_error(req, 401, "InvalidTokenException",
		                 "no container token and no %s header", SECURITY_AUTH_HEADER);
		return -1;
	}
	c = container_manager_find(cm, id);
	if (c != NULL && container_token(c) != NULL && security_equal(container_token(c), token))
		return 0;
	/* now_ms 0: a token stays good for stop/status after its start
	 * deadline; it must still be signed under a current key. */
	if (security_container_token_verify(cm->ctx->secret, token, cm->key_ids, cm->n_key_ids,
	                                    cm->ctx->node_id, 0, &tok, &cause) != 0) {
		http_reply_error(req, 401, "InvalidTokenException", "%s", cause);
		free(cause);
		return -1;
	}
	if (strcmp(tok.container_id, id) != 0) {
		http_reply_error(req, 401, "InvalidTokenException",
		                 "the container token is for %s, not %s", tok.container_id, id);
		return -1;
	}
	return 0;
}

/* A stop/status body, decoded; RET -1 after replying 400. */
static int container_manager_body(struct http_request *req, struct json_object *body,
                                  struct proto_container_request *m)
{
	char *cause = NULL;

	if (proto_container_request_decode(body, m, &cause) != 0) {
		http_reply_error(req, 400, "BadRequestException", "%s", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* POST /rpc/containers/stop */
static void container_manager_stop_cb(struct http_request *req, void *arg)
{
	struct container_manager *cm = arg;
	struct proto_container_request m;
	struct proto_container_state answer;
	struct json_object *body;
	struct container *c;
	const char *id;
	bool by_rm, complete;

	body = http_request_json(req);
	if (body == NULL)
		return;
	if (container_manager_body(req, body, &m) != 0 ||
	    container_manager_authorize(cm, req, m.container_id, m.token, &by_rm) != 0)
		goto out;
	id = m.container_id;
	c = container_manager_find(cm, id);
	if (c == NULL) {
		http_reply_error(req, 404, "NotFoundException",
		                 "container %s is not known on this node", id);
		goto out;
	}
	complete = container_is_complete(c);
	if (!complete) {
		log_info("stop of container %s requested by %s", id,
		         by_rm ? "the ResourceManager" : "its token holder");
		complete = container_manager_stop(
		        cm, c,
		        by_rm ? WEFT_EXIT_KILLED_BY_RESOURCEMANAGER : WEFT_EXIT_KILLED_BY_APPMASTER,
		        by_rm ? CONTAINER_KILLED_BY_RM : CONTAINER_KILLED_BY_AM);
	}
	answer.container_id = id;
	answer.state = complete ? WEFT_CONTAINER_STATE_COMPLETE : WEFT_CONTAINER_STATE_KILLING;
	http_reply_json(req, 200, proto_container_state_encode(&answer));
out:
	json_object_put(body);
}

/* POST /rpc/containers/status */
static void container_manager_status_cb(struct http_request *req, void *arg)
{
	struct container_manager *cm = arg;
	struct proto_container_request m;
	struct json_object *body;
	struct container *c;
	const char *id;
	bool by_rm;

	body = http_request_json(req);
	if (body == NULL)
		return;
	if (container_manager_body(req, body, &m) != 0 ||
	    container_manager_authorize(cm, req, m.container_id, m.token, &by_rm) != 0)
		goto out;
	id = m.container_id;
	c = container_manager_find(cm, id);
	if (c == NULL)
		http_reply_error(req, 404, "NotFoundException",
		                 "container %s is not known on this node", id);
	else
		http_reply_json(req, 200, container_status_json(c));
out:
	json_object_put(body);
}

/* Register the container API. */
void container_manager_routes(struct container_manager *cm, struct http_server *srv)
{
	/* Body cap: the server's default, nm.http.max-body-bytes. */
	http_server_route(srv, HTTP_M_POST, WEFT_RPC_CONTAINERS_START, 0,
	                  container_manager_start_cb, cm);
	http_server_route(srv, HTTP_M_POST, WEFT_RPC_CONTAINERS_STOP, 0, container_manager_stop_cb,
	                  cm);
	http_server_route(srv, HTTP_M_POST, WEFT_RPC_CONTAINERS_STATUS, 0,
	                  container_manager_status_cb, cm);
}
