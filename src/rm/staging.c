/*
 * staging.c — the RM's staging store: one directory per application under
 * rm.staging-dir, files written atomically, served with sendfile-style
 * replies, removed with the application.
 *
 * Each user's staged bytes are bounded (rm.staging.max-mb-per-user): the
 * store remembers who put each file and its size, charges the uploader,
 * and refuses (403, nothing written) a PUT that would take them over.  A
 * file's bytes are given back when it is replaced, deleted, or goes with
 * its application's directory.
 */
#include "weft_config.h"

#include "rm/staging.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/assert.h"
#include "common/config.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/proto_cluster.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "rm/rm.h"
#include "rm/strmap.h"
#include "rm/submission.h"
#include "rm/webapp.h"
#include "weft/ids.h"
#include "weft/protocol.h"

struct staging {
	struct rm *rm;
	struct staging_apps apps;
	char *dir;
	size_t max_bytes;
	int64_t max_user_bytes;    /* rm.staging.max-mb-per-user, 0 = none */
	struct strmap *files;      /* "appid/name" -> struct staging_file */
	struct strmap *user_bytes; /* user -> int64_t, only above 0 */
};

/* A staged file, as charged to the user who put it. */
struct staging_file {
	char *user;
	int64_t size;
};

/* Bytes user has staged now. */
static int64_t staging_user_bytes(const struct staging *st, const char *user)
{
	const int64_t *n = strmap_get(st->user_bytes, user);

	return n != NULL ? *n : 0;
}

/* Add delta (negative: give back) to user's staged bytes. */
static void staging_charge(struct staging *st, const char *user, int64_t delta)
{
	int64_t *n = strmap_get(st->user_bytes, user);

	if (n == NULL) {
		n = xcalloc(1, sizeof *n);
		strmap_put(st->user_bytes, user, n);
	}
	*n += delta;
	WEFT_ASSERT(*n >= 0);
	if (*n <= 0)
		free(strmap_remove(st->user_bytes, user));
}

/* Forget app_id/name's record, giving its bytes back to its user. */
static void staging_forget(struct staging *st, const char *app_id, const char *name)
{
	char *key = xasprintf("%s/%s", app_id, name);
	struct staging_file *f = strmap_remove(st->files, key);

	if (f != NULL) {
		staging_charge(st, f->user, -f->size);
		free(f->user);
		free(f);
	}
	free(key);
}

/* strmap_foreach: free a record at shutdown. */
static void staging_free_file_cb(const char *key, void *value, void *arg)
{
	struct staging_file *f = value;

	(void)key;
	(void)arg;
	free(f->user);
	free(f);
}

/* strmap_foreach: free a counter at shutdown. */
static void staging_free_count_cb(const char *key, void *value, void *arg)
{
	(void)key;
	(void)arg;
	free(value);
}

/* mkdir -p with the given mode for what it creates. */
static int staging_mkdirs(const char *path, mode_t mode, char **cause)
{
	char *copy = xstrdup(path);

	for (char *p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
			set_cause(cause, "rm.staging-dir: %s: %s", copy, strerror(errno));
			free(copy);
			return -1;
		}
		*p = '/';
	}
	free(copy);
	if (mkdir(path, mode) != 0 && errno != EEXIST)
		return set_cause(cause, "rm.staging-dir: %s: %s", path, strerror(errno));
	return 0;
}

struct staging *staging_new(struct rm *rm, const struct staging_apps *apps, char **cause)
{
	struct staging *st = xcalloc(1, sizeof *st);
	struct stat sb;

	st->rm = rm;
	st->apps = *apps;
	st->dir = config_get_path(rm->cfg, "rm.staging-dir");
	st->max_bytes = (size_t)config_get_int(rm->cfg, "rm.staging.max-file-mb") * 1024 * 1024;
	st->max_user_bytes = config_get_int(rm->cfg, "rm.staging.max-mb-per-user") * 1024 * 1024;
	st->files = strmap_new();
	st->user_bytes = strmap_new();
	if (st->dir == NULL || st->dir[0] == '\0') {
		set_cause(cause, "rm.staging-dir: must not be empty");
		goto fail;
	}
	if (staging_mkdirs(st->dir, 0755, cause) != 0)
		goto fail;
	if (stat(st->dir, &sb) != 0 || !S_ISDIR(sb.st_mode) || access(st->dir, W_OK | X_OK) != 0) {
		set_cause(cause, "rm.staging-dir: %s: not a writable directory", st->dir);
		goto fail;
	}
	return st;
fail:
	staging_free(st);
	return NULL;
}

void staging_free(struct staging *st)
{
	if (st == NULL)
		return;
	strmap_foreach(st->files, staging_free_file_cb, NULL);
	strmap_free(st->files);
	strmap_foreach(st->user_bytes, staging_free_count_cb, NULL);
	strmap_free(st->user_bytes);
	free(st->dir);
	free(st);
}

void staging_remove_app(struct staging *st, const char *app_id)
{
	weft_app_id_t parsed;
	char *dir;
	DIR *d;
	struct dirent *e;

	if (weft_app_id_parse(app_id, &parsed) != 0)
		return;
	dir = xasprintf("%s/%s", st->dir, app_id);
	d = opendir(dir);
	if (d == NULL) {
		free(dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char *path;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (unlink(path) != 0)
			log_warn("%s: %s", path, strerror(errno));
		free(path);
		staging_forget(st, app_id, e->d_name);
	}
	closedir(d);
	if (rmdir(dir) != 0)
		log_warn("%s: %s", dir, strerror(errno));
	else
		log_debug("staging of %s removed", app_id);
	free(dir);
}

/* Check the route's two parameters; RET 0, or -1 after answering. */
static int staging_check(struct staging *st, struct http_request *req, const char **app_id,
                         const char **name)
{
	weft_app_id_t parsed;

	*app_id = http_request_param(req, 0);
	*name = http_request_param(req, 1);
	if (*app_id == NULL || weft_app_id_parse(*app_id, &parsed) != 0) {
		http_reply_error(req, 400, "BadRequestException", "'%s' is not an application id",
		                 *app_id != NULL ? *app_id : "");
		return -1;
	}
	if (*name == NULL || !proto_app_valid_file_name(*name)) {
		http_reply_error(req, 400, "BadRequestException",
		                 "'%s' is not a valid staging file name ([A-Za-z0-9._-]{1,128}, "
		                 "not starting with '.')",
		                 *name != NULL ? *name : "");
		return -1;
	}
	if (!st->apps.id_known(st->apps.arg, *app_id)) {
		http_reply_error(req, 404, "NotFoundException", "application %s not found",
		                 *app_id);
		return -1;
	}
	return 0;
}

/* Write all of data to fd. */
static int staging_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Whether user may put len bytes as app_id/name (replacing their own
 * file there gives its bytes back first).  RET 0, or -1 after answering
 * 403: a cap, not a rate, so not a 429 that clients would retry. */
static int staging_check_quota(struct staging *st, struct http_request *req, const char *user,
                               const char *app_id, const char *name, size_t len)
{
	char *key = xasprintf("%s/%s", app_id, name);
	const struct staging_file *old = strmap_get(st->files, key);
	int64_t held = staging_user_bytes(st, user);
	int64_t after = held + (int64_t)len;

	free(key);
	if (old != NULL && strcmp(old->user, user) == 0)
		after -= old->size;
	if (st->max_user_bytes == 0 || after <= st->max_user_bytes)
		return 0;
	http_reply_error(req, 403, "ForbiddenException",
	                 "user %s has %" PRId64 " bytes staged; %s/%s (%zu bytes) would take them "
	                 "past rm.staging.max-mb-per-user (%" PRId64
	                 " MiB): delete staged files or finish applications first",
	                 user, held, app_id, name, len, st->max_user_bytes / (1024 * 1024));
	return -1;
}

/* Record app_id/name as user's len bytes, giving back what it replaced. */
static void staging_record(struct staging *st, const char *user, const char *app_id,
                           const char *name, size_t len)
{
	struct staging_file *f = xcalloc(1, sizeof *f);
	char *key;

	staging_forget(st, app_id, name);
	key = xasprintf("%s/%s", app_id, name);
	f->user = xstrdup(user);
	f->size = (int64_t)len;
	strmap_put(st->files, key, f);
	staging_charge(st, user, f->size);
	free(key);
}

/* PUT: write to a temporary name, then rename over the final one. */
static void staging_put(struct staging *st, struct http_request *req, const char *app_id,
                        const char *name)
{
	size_t len = 0;
	const char *body = http_request_body(req, &len);
	const char *user = webapp_user(req);
	char *dir = NULL, *tmp = NULL, *final = NULL, *rnd = NULL, *cause = NULL, *url;
	struct weft_staged_file staged;
	int fd;

	if (user == NULL)
		return;
	if (!st->apps.accepts_files(st->apps.arg, app_id)) {
		http_reply_error(req, 400, "BadRequestException",
		                 "application %s has finished: its staging area is closed", app_id);
		return;
	}
	if (staging_check_quota(st, req, user, app_id, name, len) != 0)
		return;
	dir = xasprintf("%s/%s", st->dir, app_id);
	if (staging_mkdirs(dir, 0700, &cause) != 0) {
		http_reply_error(req, 500, "WebApplicationException", "%s", cause);
		goto out;
	}
	rnd = security_random_hex(8);
	tmp = xasprintf("%s/.%s.%s.tmp", dir, name, rnd);
	final = xasprintf("%s/%s", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		http_reply_error(req, 500, "WebApplicationException", "%s: %s", tmp,
		                 strerror(errno));
		goto out;
	}
	if (staging_write_all(fd, body, len) != 0 || close(fd) != 0) {
		int err = errno;

		unlink(tmp);
		http_reply_error(req, 500, "WebApplicationException", "%s: %s", tmp, strerror(err));
		goto out;
	}
	if (rename(tmp, final) != 0) {
		int err = errno;

		unlink(tmp);
		http_reply_error(req, 500, "WebApplicationException", "%s: %s", final,
		                 strerror(err));
		goto out;
	}
	staging_record(st, user, app_id, name, len);
	log_debug("staged %s/%s (%zu bytes, by %s)", app_id, name, len, user);
	url = xasprintf(WEFT_PATH_STAGING_FMT, app_id, name);
	staged.url = url;
	staged.size = (int64_t)len;
	http_reply_json(req, 201, proto_app_staged_encode(&staged, false));
	free(url);
out:
	free(dir);
	free(tmp);
	free(final);
	free(rnd);
	free(cause);
}

/* GET: the file as octets. */
static void staging_get(struct staging *st, struct http_request *req, const char *app_id,
                        const char *name)
{
	char *path = xasprintf("%s/%s/%s", st->dir, app_id, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sb;

	if (fd < 0) {
		http_reply_error(req, 404, "NotFoundException", "%s/%s: not staged", app_id, name);
	} else if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		http_reply_error(req, 404, "NotFoundException", "%s/%s: not a file", app_id, name);
	} else {
		http_reply_file(req, 200, "application/octet-stream", fd, 0, sb.st_size);
	}
	free(path);
}

/* DELETE: one file. */
static void staging_delete(struct staging *st, struct http_request *req, const char *app_id,
                           const char *name)
{
	char *path = xasprintf("%s/%s/%s", st->dir, app_id, name);
	struct weft_staged_file staged = {.size = -1};
	char *url;

	if (unlink(path) != 0) {
		http_reply_error(req, 404, "NotFoundException", "%s/%s: not staged", app_id, name);
	} else {
		staging_forget(st, app_id, name);
		url = xasprintf(WEFT_PATH_STAGING_FMT, app_id, name);
		staged.url = url;
		http_reply_json(req, 200, proto_app_staged_encode(&staged, true));
		free(url);
	}
	free(path);
}

static void staging_cb(struct http_request *req, void *arg)
{
	struct staging *st = arg;
	const char *app_id, *name;

	if (staging_check(st, req, &app_id, &name) != 0)
		return;
	switch (http_request_method(req)) {
	case HTTP_M_PUT:
		staging_put(st, req, app_id, name);
		break;
	case HTTP_M_DELETE:
		staging_delete(st, req, app_id, name);
		break;
	default:
		staging_get(st, req, app_id, name);
		break;
	}
}

void staging_routes(struct staging *st)
{
	http_server_route(st->rm->http, HTTP_M_GET | HTTP_M_PUT | HTTP_M_DELETE, WEFT_ROUTE_STAGING,
	                  st->max_bytes, staging_cb, st);
}
