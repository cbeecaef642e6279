/*
 * shuffle_service.c — serving map outputs and persisted blocks
 * (shuffle_service.h).
 *
 * Owns the applications' secrets (as learnt from their containers'
 * launch contexts) and the two GET routes.  Each request is checked in
 * the same order: application id, application known here, secret known,
 * signature, ids, file, range; the first problem answers a 4xx.
 */
#include "weft_config.h"

#include "nm/shuffle_service.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/proto_task.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "nm/application.h"
#include "nm/container_manager.h"
#include "weft/ids.h"
#include "weft/protocol.h"

#define SHUFFLE_SERVICE_MAX_ID_DIGITS 9

struct shuffle_app {
	char *app_id;
	struct secret *secret;
};

struct shuffle_service {
	struct nm_context *ctx;
	struct shuffle_app *apps;
	size_t n, cap;
	uint64_t served;
};

struct shuffle_service *shuffle_service_new(struct nm_context *ctx)
{
	struct shuffle_service *ss = xcalloc(1, sizeof *ss);

	ss->ctx = ctx;
	return ss;
}

void shuffle_service_free(struct shuffle_service *ss)
{
	size_t i;

	if (ss == NULL)
		return;
	for (i = 0; i < ss->n; i++) {
		free(ss->apps[i].app_id);
		secret_free(ss->apps[i].secret);
	}
	free(ss->apps);
	free(ss);
}

char *shuffle_service_launch_secret(const struct weft_launch_context *lc)
{
	int i;

	for (i = 0; lc != NULL && i < lc->n_env; i++)
		if (strcmp(lc->env[i].name, WEFT_ENV_APP_SECRET) == 0 &&
		    lc->env[i].value[0] != '\0')
			return xstrdup(lc->env[i].value);
	return NULL;
}

/* Forget entry i. */
static void shuffle_service_drop(struct shuffle_service *ss, size_t i)
{
	free(ss->apps[i].app_id);
	secret_free(ss->apps[i].secret);
	ss->apps[i] = ss->apps[--ss->n];
}

void shuffle_service_add_app(struct shuffle_service *ss, const char *app_id, const char *secret)
{
	size_t i;

	/* Applications this node no longer knows need no secret. */
	for (i = 0; i < ss->n;) {
		if (ss->ctx->containers != NULL &&
		    container_manager_find_app(ss->ctx->containers, ss->apps[i].app_id) == NULL)
			shuffle_service_drop(ss, i);
		else
			i++;
	}
	for (i = 0; i < ss->n; i++) {
		if (strcmp(ss->apps[i].app_id, app_id) == 0) {
			secret_free(ss->apps[i].secret);
			ss->apps[i].secret = secret_from_bytes(secret, strlen(secret));
			return;
		}
	}
	if (ss->n == ss->cap) {
		ss->cap = ss->cap == 0 ? 8 : ss->cap * 2;
		ss->apps = xreallocarray(ss->apps, ss->cap, sizeof *ss->apps);
	}
	ss->apps[ss->n].app_id = xstrdup(app_id);
	ss->apps[ss->n].secret = secret_from_bytes(secret, strlen(secret));
	ss->n++;
}

/* A decimal id of at most 9 digits.  RET 0 / -1. */
static int shuffle_service_id(const char *text, int64_t *out)
{
	size_t n = text != NULL ? strlen(text) : 0, i;
	int64_t v = 0;

	if (n == 0 || n > SHUFFLE_SERVICE_MAX_ID_DIGITS || (n > 1 && text[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		v = v * 10 + (text[i] - '0');
	}
	*out = v;
	return 0;
}

/* Open local_dir/usercache/user/appcache/app/weft-shuffle/name without
 * following any symlink below local_dir; a regular file.  RET fd and
 * *size, or -1 with errno. */
static int shuffle_service_open_in(const char *local_dir, const char *user, const char *app,
                                   const char *name, off_t *size)
{
	const char *parts[] = {"usercache", user, "appcache", app, WEFT_SHUFFLE_DIR, NULL};
	struct stat st;
	int dfd, fd, i, saved;

	dfd = open(local_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (i = 0; dfd >= 0 && parts[i] != NULL; i++) {
		fd = openat(dfd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		saved = errno;
		close(dfd);
		errno = saved;
		dfd = fd;
	}
	if (dfd < 0)
		return -1;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	saved = errno;
	close(dfd);
	if (fd < 0) {
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

/* Open a file of the application in whichever local dir holds it. */
static int shuffle_service_open(struct shuffle_service *ss, const char *user, const char *app,
                                const char *name, off_t *size)
{
	int i, fd = -1;

	for (i = 0; i < ss->ctx->n_local_dirs && fd < 0; i++)
		fd = shuffle_service_open_in(ss->ctx->local_dirs[i], user, app, name, size);
	return fd;
}

/*
 * The checks common to both routes: a known application, its secret and
 * the request's signature.  RET the application's user, or NULL after
 * replying.
 */
static const char *shuffle_service_check(struct shuffle_service *ss, struct http_request *req,
                                         const char *app_id)
{
	const struct shuffle_app *known = NULL;
	struct application *a;
	weft_app_id_t parsed;
	const char *auth;
	char *cause = NULL;
	size_t i;

	if (weft_app_id_parse(app_id, &parsed) != 0) {
		http_reply_error(req, 400, "BadRequestException", "Invalid application id: %.64s",
		                 app_id != NULL ? app_id : "");
		return NULL;
	}
	a = ss->ctx->containers != NULL ? container_manager_find_app(ss->ctx->containers, app_id)
	                                : NULL;
	if (a == NULL) {
		http_reply_error(req, 404, "NotFoundException",
		                 "application %s is not known on this node", app_id);
		return NULL;
	}
	for (i = 0; i < ss->n; i++)
		if (strcmp(ss->apps[i].app_id, app_id) == 0)
			known = &ss->apps[i];
	if (known == NULL) {
		http_reply_error(req, 403, "ForbiddenException",
		                 "no secret is known for application %s on this node", app_id);
		return NULL;
	}
	auth = http_request_header(req, WEFT_SHUFFLE_AUTH_HEADER);
	if (auth == NULL)
		auth = http_request_query(req, WEFT_QUERY_SHUFFLE_AUTH); /* a streamed download */
	if (auth == NULL) {
		http_reply_error(req, 401, "AuthenticationException", "missing %s header",
		                 WEFT_SHUFFLE_AUTH_HEADER);
		return NULL;
	}
	if (security_verify_request(known->secret, auth, "GET", http_request_path(req), "", 0,
	                            time_now_ms(), &cause) != 0) {
		http_reply_error(req, 401, "AuthenticationException", "%s", cause);
		free(cause);
		return NULL;
	}
	return application_user(a);
}

/* GET .../map/{shuffleId}/{mapId}/{reduceId}: one partition. */
static void shuffle_service_map_cb(struct http_request *req, void *arg)
{
	struct shuffle_service *ss = arg;
	const char *app = http_request_param(req, 0), *map = http_request_param(req, 2), *user;
	int64_t shuffle_id, reduce_id;
	uint64_t offs[2];
	off_t index_size = 0, data_size = 0;
	char *name;
	int fd;

	if ((user = shuffle_service_check(ss, req, app)) == NULL)
		return;
	if (shuffle_service_id(http_request_param(req, 1), &shuffle_id) != 0 ||
	    !proto_task_map_id_valid(map) ||
	    shuffle_service_id(http_request_param(req, 3), &reduce_id) != 0) {
		http_reply_error(req, 400, "BadRequestException",
		                 "expected .../map/{shuffleId}/{mapId}/{reduceId} with decimal ids "
		                 "and a map id of [0-9_]");
		return;
	}
	name = proto_task_map_file(shuffle_id, map, PROTO_TASK_MAP_INDEX);
	fd = shuffle_service_open(ss, user, app, name, &index_size);
	free(name);
	if (fd < 0) {
		http_reply_error(req, 404, "NotFoundException",
		                 "map output %s of shuffle %" PRId64 " of %s is not on this node",
		                 map, shuffle_id, app);
		return;
	}
	if (index_size < 16 || index_size % 8 != 0 || reduce_id >= index_size / 8 - 1) {
		close(fd);
		http_reply_error(req, 400, "BadRequestException",
		                 "partition %" PRId64 " out of range: map output %s has %lld",
		                 reduce_id, map,
		                 (long long)(index_size >= 16 ? index_size / 8 - 1 : 0));
		return;
	}
	if (pread(fd, offs, sizeof offs, (off_t)(reduce_id * 8)) != (ssize_t)sizeof offs) {
		close(fd);
		http_reply_error(req, 500, "IOException", "reading the index of map output %s",
		                 map);
		return;
	}
	close(fd);
	offs[0] = le64toh(offs[0]);
	offs[1] = le64toh(offs[1]);
	name = proto_task_map_file(shuffle_id, map, PROTO_TASK_MAP_DATA);
	fd = shuffle_service_open(ss, user, app, name, &data_size);
	free(name);
	if (fd < 0) {
		http_reply_error(req, 404, "NotFoundException",
		                 "data of map output %s of shuffle %" PRId64 " is not on this node",
		                 map, shuffle_id);
		return;
	}
	if (offs[1] < offs[0] || offs[1] > (uint64_t)data_size) {
		close(fd);
		http_reply_error(req, 500, "IOException",
		                 "map output %s: index and data do not agree", map);
		return;
	}
	ss->served++;
	http_reply_file(req, 200, "application/octet-stream", fd, (off_t)offs[0],
	                (off_t)(offs[1] - offs[0]));
}

/* GET .../block/{datasetId}/{partition}: a persisted partition. */
static void shuffle_service_block_cb(struct http_request *req, void *arg)
{
	struct shuffle_service *ss = arg;
	const char *app = http_request_param(req, 0), *user;
	int64_t dataset, partition;
	off_t size = 0;
	char *name;
	int fd;

	if ((user = shuffle_service_check(ss, req, app)) == NULL)
		return;
	if (shuffle_service_id(http_request_param(req, 1), &dataset) != 0 ||
	    shuffle_service_id(http_request_param(req, 2), &partition) != 0) {
		http_reply_error(req, 400, "BadRequestException",
		                 "expected .../block/{datasetId}/{partition} with decimal ids");
		return;
	}
	name = proto_task_block_file(dataset, partition);
	fd = shuffle_service_open(ss, user, app, name, &size);
	free(name);
	if (fd < 0) {
		http_reply_error(req, 404, "NotFoundException",
		                 "block %" PRId64 "/%" PRId64 " of %s is not on this node", dataset,
		                 partition, app);
		return;
	}
	ss->served++;
	http_reply_file(req, 200, "application/octet-stream", fd, 0, size);
}

void shuffle_service_routes(struct shuffle_service *ss, struct http_server *srv)
{
	http_server_route(srv, HTTP_M_GET, WEFT_ROUTE_NM_SHUFFLE_MAP, 0, shuffle_service_map_cb,
	                  ss);
	http_server_route(srv, HTTP_M_GET, WEFT_ROUTE_NM_SHUFFLE_BLOCK, 0, shuffle_service_block_cb,
	                  ss);
}
