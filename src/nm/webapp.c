/*
 * webapp.c — the NodeManager's REST API and log serving.
 *
 * Read-only views of the container and application records (YARN's
 * NodeManager REST shapes and field names), plus the container logs.  The
 * log routes are the one place a client names a file on this host, so the
 * container id must parse as one, the file name must be a plain name, and
 * every directory below the configured log dir is opened with O_NOFOLLOW
 * (a container could plant symlinks in its own log dir).  Files are
 * served with evbuffer_add_file (sendfile), never read into memory.
 */
#include "weft_config.h"

#include "nm/webapp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "common/hash.h"
#include "common/http_server.h"
#include "common/proto_nm.h"
#include "common/parse.h"
#include "common/xmalloc.h"
#include "nm/application.h"
#include "nm/container_manager.h"
#include "nm/dirs.h"
#include "nm/launcher.h"
#include "nm/status_updater.h"
#include "weft/ids.h"
#include "weft/protocol.h"

/* One log file of a listing. */
struct webapp_log_file {
	char *name;
	off_t size;
	int64_t mtime_ms;
};

/* Open dir/name as a directory, refusing a symlink. */
static int webapp_open_subdir(int dfd, const char *name)
{
	return openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* <log_root>/<app>/<container> without following links below log_root. */
int webapp_open_log_dir(const char *log_root, const char *app_id, const char *container_id)
{
	int root, app, dir, saved;

	root = open(log_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root == -1)
		return -1;
	app = webapp_open_subdir(root, app_id);
	saved = errno;
	close(root);
	if (app == -1) {
		errno = saved;
		return -1;
	}
	dir = webapp_open_subdir(app, container_id);
	saved = errno;
	close(app);
	errno = saved;
	return dir;
}

/* A regular file directly in the container's log dir. */
int webapp_open_log(const char *log_root, const char *app_id, const char *container_id,
                    const char *name, off_t *size)
{
	struct stat st;
	int dir, fd, saved;

	if (!dirs_is_plain_name(name)) {
		errno = EINVAL;
		return -1;
	}
	dir = webapp_open_log_dir(log_root, app_id, container_id);
	if (dir == -1)
		return -1;
	/* O_NONBLOCK: a FIFO planted there must not stall the loop. */
	fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	saved = errno;
	close(dir);
	if (fd == -1) {
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	*size = st.st_size;
	return fd;
}

/* Parse a whole decimal integer. */
static int webapp_parse_int(const char *text, int64_t *out)
{
	return parse_int64(text, INT64_MIN, INT64_MAX, out, NULL);
}

/* ?start= (negative: from the end) and ?size= (bytes at most). */
int webapp_log_range(const char *start, const char *size_text, off_t size, off_t *offset,
                     off_t *len)
{
	int64_t s = 0, n = -1;

	if (start != NULL && webapp_parse_int(start, &s) != 0)
		return -1;
	if (size_text != NULL && (webapp_parse_int(size_text, &n) != 0 || n < 0))
		return -1;
	if (s < 0)
		s = (int64_t)size + s < 0 ? 0 : (int64_t)size + s;
	if (s > (int64_t)size)
		s = (int64_t)size;
	*offset = (off_t)s;
	*len = (off_t)((int64_t)size - s);
	if (n >= 0 && n < (int64_t)*len)
		*len = (off_t)n;
	return 0;
}

/* Order log files by name. */
static int webapp_log_file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct webapp_log_file *)a)->name,
	              ((const struct webapp_log_file *)b)->name);
}

/* The regular files of an open log dir (takes dfd). RET the count. */
static size_t webapp_list_logs(int dfd, struct webapp_log_file **out)
{
	struct webapp_log_file *files = NULL;
	struct dirent *entry;
	struct stat st;
	size_t n = 0;
	DIR *dir;

	*out = NULL;
	dir = fdopendir(dfd);
	if (dir == NULL) {
		close(dfd);
		return 0;
	}
	while ((entry = readdir(dir)) != NULL) {
		if (!dirs_is_plain_name(entry->d_name) ||
		    fstatat(dfd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		files = xreallocarray(files, n + 1, sizeof *files);
		files[n].name = xstrdup(entry->d_name);
		files[n].size = st.st_size;
		files[n].mtime_ms =
		        (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
		n++;
	}
	closedir(dir);
	if (n > 1)
		qsort(files, n, sizeof *files, webapp_log_file_cmp);
	*out = files;
	return n;
}

static void webapp_free_logs(struct webapp_log_file *files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(files[i].name);
	free(files);
}

/* Find a container's log dir in any log dir, the app's own first.
 * RET a directory fd or -1. */
static int webapp_find_log_dir(const struct nm_context *ctx, const char *app_id,
                               const char *container_id)
{
	int first, k, fd;

	if (ctx->n_log_dirs <= 0)
		return -1;
	first = hash_dir_index(app_id, ctx->n_log_dirs);
	for (k = 0; k < ctx->n_log_dirs; k++) {
		fd = webapp_open_log_dir(ctx->log_dirs[(first + k) % ctx->n_log_dirs], app_id,
		                         container_id);
		if (fd != -1)
			return fd;
	}
	return -1;
}

/* The application id of a valid container id. */
static int webapp_app_of(const char *container_id, char app_id[WEFT_ID_MAX])
{
	weft_container_id_t cid;

	if (container_id == NULL || strlen(container_id) >= WEFT_ID_MAX ||
	    weft_container_id_parse(container_id, &cid) != 0)
		return -1;
	weft_app_id_format(&cid.attempt.app, app_id);
	return 0;
}

/* {"nodeInfo":{...}} (common/proto_nm.c writes the views) */
static void webapp_node_info_cb(struct http_request *req, void *arg)
{
	struct nm_context *ctx = arg;
	weft_resource_t used = container_manager_allocated(ctx->containers);
	int64_t last = ctx->updater != NULL ? status_updater_last_update_ms(ctx->updater) : 0;
	struct proto_nm_info m = {
	        .id = ctx->node_id,
	        .host = ctx->host,
	        .http_address = ctx->node_id,
	        .rack = config_get(ctx->cfg, "nm.rack"),
	        .health_report = "",
	        .healthy = true,
	        .last_update_ms = last != 0 ? last : ctx->start_time_ms,
	        .startup_ms = ctx->start_time_ms,
	        .total_memory_mb = ctx->capability.memory_mb,
	        .total_vcores = ctx->capability.vcores,
	        .pmem_check = config_get_bool(ctx->cfg, "nm.pmem-check-enabled"),
	        .vmem_check = false,
	        .used_memory_mb = used.memory_mb,
	        .used_vcores = used.vcores,
	        .num_containers = (int64_t)container_manager_live_count(ctx->containers),
	        .registered = ctx->updater != NULL && status_updater_registered(ctx->updater),
	        .rm_url = ctx->rm_url,
	        .version = WEFT_VERSION_STRING,
	        .build_version = "weft " WEFT_VERSION_STRING,
	};

	http_reply_json(req, 200, proto_nm_info_encode(&m));
}

/* One application in YARN's NM AppInfo shape. */
static struct json_object *webapp_app_json(const struct nm_context *ctx,
                                           const struct application *a)
{
	size_t i, n = container_manager_count(ctx->containers);
	struct proto_nm_app m = {
	        .id = application_id(a),
	        .state = application_state_name(application_get_state(a)),
	        .user = application_user(a),
	        .container_ids = xcalloc(n + 1, sizeof *m.container_ids),
	};
	struct json_object *o;

	for (i = 0; i < n; i++) {
		struct container *c = container_manager_at(ctx->containers, i);

		if (strcmp(container_app_id(c), application_id(a)) == 0)
			m.container_ids[m.n_container_ids++] = container_id(c);
	}
	o = proto_nm_app_encode(&m);
	proto_nm_app_clear(&m);
	return o;
}

/* Whether text names an application state (case-insensitive). */
static bool webapp_app_state_known(const char *text)
{
	int s;

	for (s = 0; s < APPLICATION_STATE_COUNT; s++) {
		if (strcasecmp(text, application_state_name((enum application_state)s)) == 0)
			return true;
	}
	return false;
}

/* {"apps":{"app":[...]}} with YARN's state and user filters. */
static void webapp_apps_cb(struct http_request *req, void *arg)
{
	struct nm_context *ctx = arg;
	const char *state = http_request_query(req, WEFT_QUERY_STATE);
	const char *user = http_request_query(req, WEFT_QUERY_USER);
	struct json_object *list;
	size_t i;

	if (state != NULL && !webapp_app_state_known(state)) {
		http_reply_error(req, 400, "BadRequestException", "Invalid application state %.64s",
		                 state);
		return;
	}
	list = json_object_new_array();
	if (list == NULL)
		fatalx("webapp_apps_cb: out of memory");
	for (i = 0; i < container_manager_app_count(ctx->containers); i++) {
		struct application *a = container_manager_app_at(ctx->containers, i);

		if (state != NULL &&
		    strcasecmp(state, application_state_name(application_get_state(a))) != 0)
			continue;
		if (user != NULL && strcmp(user, application_user(a)) != 0)
			continue;
		json_object_array_add(list, webapp_app_json(ctx, a));
	}
	http_reply_json(req, 200, proto_nm_apps_wrap(list));
}

/* {"app":{...}} */
static void webapp_app_cb(struct http_request *req, void *arg)
{
	struct nm_context *ctx = arg;
	const char *id = http_request_param(req, 0);
	struct application *a;
	weft_app_id_t app;

	if (id == NULL || weft_app_id_parse(id, &app) != 0) {
		http_reply_error(req, 400, "BadRequestException", "Invalid ApplicationId: %.80s",
		                 id != NULL ? id : "");
		return;
	}
	a = container_manager_find_app(ctx->containers, id);
	if (a == NULL) {
		http_reply_error(req, 404, "NotFoundException", "app with id %s not found", id);
		return;
	}
	http_reply_json(req, 200, proto_nm_app_wrap(webapp_app_json(ctx, a)));
}

/* One container in YARN's NM ContainerInfo shape. */
static struct json_object *webapp_container_json(const struct nm_context *ctx,
                                                 const struct container *c)
{
	weft_resource_t r = container_resource(c);
	struct webapp_log_file *files = NULL;
	struct proto_nm_container m = {
	        .id = container_id(c),
	        .state = container_state_name(container_get_state(c)),
	        .exit_code = container_exit_status(c),
	        .diagnostics = container_diagnostics(c),
	        .user = container_user(c),
	        .memory_mb = r.memory_mb,
	        .vcores = r.vcores,
	        .node_id = ctx->node_id,
	        .started_ms = container_start_time(c),
	        .finished_ms = container_finish_time(c),
	};
	struct json_object *o;
	char *link;
	size_t n, i;
	int fd;

	link = proto_nm_logs_url(ctx->node_id, container_id(c), NULL);
	m.logs_link = link;
	fd = webapp_find_log_dir(ctx, container_app_id(c), container_id(c));
	n = fd != -1 ? webapp_list_logs(fd, &files) : 0;
	m.log_files = xcalloc(n + 1, sizeof *m.log_files);
	for (i = 0; i < n; i++)
		m.log_files[i] = files[i].name;
	m.n_log_files = (int)n;
	o = proto_nm_container_encode(&m);
	proto_nm_container_clear(&m);
	webapp_free_logs(files, n);
	free(link);
	return o;
}

/* {"containers":{"container":[...]}} */
static void webapp_containers_cb(struct http_request *req, void *arg)
{
	struct nm_context *ctx = arg;
	struct json_object *list = json_object_new_array();
	size_t i;

	if (list == NULL)
		fatalx("webapp_containers_cb: out of memory");
	for (i = 0; i < container_manager_count(ctx->containers); i++)
		json_object_array_add(
		        list, webapp_container_json(ctx, container_manager_at(ctx->containers, i)));
	http_reply_json(req, 200, proto_nm_containers_wrap(list));
}

/* The container id parameter, validated; RET NULL after replying 400. */
static const char *webapp_container_param(struct http_request *req, char app_id[WEFT_ID_MAX])
{
	const char *id = http_request_param(req, 0);

	if (webapp_app_of(id, app_id) != 0) {
		http_reply_error(req, 400, "BadRequestException", "Invalid ContainerId: %.80s",
		                 id != NULL ? id : "");
		return NULL;
	}
	return id;
}

/* {"container":{...}} */
static void webapp_container_cb(struct http_request *req, void *arg)
{
	struct nm_context *ctx = arg;
	char app_id[WEFT_ID_MAX];
	struct container *c;
	const char *id;

	if ((id = webapp_container_param(req, app_id)) == NULL)
		return;
	c = container_manager_find(ctx->containers, id);
	if (c == NULL) {
		http_reply_error(req, 404, "NotFoundException", "container with id %s not found",
		                 id);
		return;
	}
	http_reply_json(req, 200, proto_nm_container_wrap(webapp_container_json(ctx, c)));
}

/* {"containerLogsInfo":{...,"containerLogInfo":[{fileName,fileSize,...}]}} */
static void webapp_log_list_cb(struct http_request *req, void *arg)
{
	struct nm_context *ctx = arg;
	struct webapp_log_file *files = NULL;
	struct proto_nm_logs m = {0};
	char app_id[WEFT_ID_MAX];
	const char *id;
	size_t n = 0, i;
	int fd;

	if ((id = webapp_container_param(req, app_id)) == NULL)
		return;
	fd = webapp_find_log_dir(ctx, app_id, id);
	if (fd == -1 && container_manager_find(ctx->containers, id) == NULL) {
		http_reply_error(req, 404, "NotFoundException",
		                 "no logs of container %s on this node", id);
		return;
	}
	if (fd != -1)
		n = webapp_list_logs(fd, &files);
	m.container_id = id;
	m.node_id = ctx->node_id;
	m.files = xcalloc(n + 1, sizeof *m.files);
	for (i = 0; i < n; i++)
		m.files[i] = (struct proto_nm_log_file){files[i].name, (int64_t)files[i].size,
		                                        files[i].mtime_ms};
	m.n_files = (int)n;
	http_reply_json(req, 200, proto_nm_logs_encode(&m));
	proto_nm_logs_clear(&m);
	webapp_free_logs(files, n);
}

/* One log file as text/plain, whole or a range. */
static void webapp_log_file_cb(struct http_request *req, void *arg)
{
	struct nm_context *ctx = arg;
	const char *name = http_request_param(req, 1);
	char app_id[WEFT_ID_MAX];
	off_t size = 0, offset, len;
	const char *id;
	int first, k, fd = -1;

	if ((id = webapp_container_param(req, app_id)) == NULL)
		return;
	if (!dirs_is_plain_name(name)) {
		http_reply_error(req, 400, "BadRequestException",
		                 "Invalid log file name: %.64s (a plain file name is needed)",
		                 name != NULL ? name : "");
		return;
	}
	first = hash_dir_index(app_id, ctx->n_log_dirs);
	for (k = 0; k < ctx->n_log_dirs && fd == -1; k++)
		fd = webapp_open_log(ctx->log_dirs[(first + k) % ctx->n_log_dirs], app_id, id, name,
		                     &size);
	if (fd == -1) {
		http_reply_error(req, 404, "NotFoundException",
		                 "log file %s of container %s not found on this node", name, id);
		return;
	}
	if (webapp_log_range(http_request_query(req, WEFT_QUERY_START),
	                     http_request_query(req, WEFT_QUERY_SIZE), size, &offset, &len) != 0) {
		close(fd);
		http_reply_error(req, 400, "BadRequestException",
		                 "start and size must be integers (size not negative)");
		return;
	}
	http_reply_file(req, 200, "text/plain; charset=utf-8", fd, offset, len);
}

/* Register the REST routes. */
void webapp_routes(struct nm_context *ctx, struct http_server *srv)
{
	int get = HTTP_M_GET;

	http_server_route(srv, get, WEFT_ROUTE_NM, 0, webapp_node_info_cb, ctx);
	http_server_route(srv, get, WEFT_ROUTE_NM_INFO, 0, webapp_node_info_cb, ctx);
	http_server_route(srv, get, WEFT_ROUTE_NM_APPS, 0, webapp_apps_cb, ctx);
	http_server_route(srv, get, WEFT_ROUTE_NM_APP, 0, webapp_app_cb, ctx);
	http_server_route(srv, get, WEFT_ROUTE_NM_CONTAINERS, 0, webapp_containers_cb, ctx);
	http_server_route(srv, get, WEFT_ROUTE_NM_CONTAINER, 0, webapp_container_cb, ctx);
	http_server_route(srv, get, WEFT_ROUTE_NM_CONTAINER_LOGS, 0, webapp_log_list_cb, ctx);
	http_server_route(srv, get, WEFT_ROUTE_NM_LOGS, 0, webapp_log_list_cb, ctx);
	http_server_route(srv, get, WEFT_ROUTE_NM_LOG_FILE, 0, webapp_log_file_cb, ctx);
}
