/*
 * submit_logs.c — the AM container's stdout/stderr through the NM's log
 * API (see submit_logs.h).  Three asynchronous calls in a row on the
 * caller's loop; any failure still ends in the one callback, with what was
 * fetched so far and the reason.
 */
#include "weft_config.h"

#include "submit/submit_logs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/rest.h"
#include "common/http_client.h"
#include "common/net.h"
#include "common/wjson.h"
#include "common/proto_app.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"
#include "weft/ids.h"

/* Bound on each log call, and on the stdout download (it may be big). */
#define SUBMIT_LOGS_TIMEOUT_MS          30000
#define SUBMIT_LOGS_DOWNLOAD_TIMEOUT_MS (30 * 60 * 1000)

struct submit_logs {
	struct http_client *client;
	struct http_call *call;
	bool want_stdout, want_stderr;
	submit_logs_cb cb;
	void *arg;
	char *container_id, *node_base;
	char *tmp_dir, *out_path; /* out_path set once stdout is in */
	char *err, *error;
	size_t err_len;
};

/* The attempt number of one appAttempt: YARN's int "id", or parsed from
 * its "appAttemptId". */
static int64_t submit_logs_attempt_number(const struct weft_app_attempt *m)
{
	weft_attempt_id_t id;

	if (m->number >= 0)
		return m->number;
	if (m->attempt_id != NULL && weft_attempt_id_parse(m->attempt_id, &id) == 0)
		return id.attempt;
	return -1;
}

/* "host:port" out of logsLink "http://host:port/node/containerlogs/...". */
static char *submit_logs_link_address(const char *link)
{
	const char *p = strstr(link, "://");
	size_t n;

	if (p == NULL)
		return NULL;
	p += 3;
	n = strcspn(p, "/");
	return n > 0 ? xstrndup(p, n) : NULL;
}

/* Pick the last attempt and where its logs are (common/proto_app.c
 * reads each attempt). */
int submit_logs_last_attempt(const char *body, size_t len, char **container_id, char **node_http,
                             char **cause)
{
	struct json_object *root = wjson_parse_object(body, len, cause), *items = NULL;
	struct weft_app_attempt best = {.number = -1}, m;
	bool found = false;
	const char *cid = NULL, *http = NULL, *link = NULL;
	int64_t best_n = -2;
	weft_container_id_t parsed;
	char *address = NULL, *host = NULL, *why = NULL;
	int port;

	*container_id = *node_http = NULL;
	if (root == NULL)
		return -1;
	items = proto_app_attempts_unwrap(root, NULL);
	for (size_t i = 0; items != NULL && i < json_object_array_length(items); i++) {
		struct json_object *a = json_object_array_get_idx(items, i);
		char *path = xasprintf(WEFT_APP_KEY_APP_ATTEMPT "[%zu]", i);
		int64_t n;
		int rc;

		if (a == NULL || !json_object_is_type(a, json_type_object)) {
			free(path);
			continue;
		}
		rc = proto_app_attempt_decode(a, path, &m, cause);
		free(path);
		if (rc != 0) {
			json_object_put(items);
			json_object_put(root);
			return -1;
		}
		n = submit_logs_attempt_number(&m);
		if (n >= best_n) {
			best_n = n;
			best = m;
			found = true;
		}
	}
	if (items != NULL)
		json_object_put(items);
	if (!found) {
		json_object_put(root);
		return set_cause(cause, "the application has no attempt");
	}
	cid = best.container_id;
	http = best.node_http_address;
	link = best.logs_link;
	if (cid == NULL) {
		json_object_put(root);
		return set_cause(cause,
		                 WEFT_APP_KEY_APP_ATTEMPT "." WEFT_KEY_CONTAINER_ID ": missing");
	}
	if (weft_container_id_parse(cid, &parsed) != 0) {
		set_cause(cause, "appAttempt.containerId: '%s' is not a container id", cid);
		json_object_put(root);
		return -1;
	}
	if (http != NULL && http[0] != '\0')
		address = strstr(http, "://") != NULL ? submit_logs_link_address(http)
		                                      : xstrdup(http);
	else if (link != NULL)
		address = submit_logs_link_address(link);
	if (address == NULL || net_parse_address(address, &host, &port, &why) != 0 || port == 0) {
		set_cause(cause, "the last attempt does not say which node ran it%s%s",
		          why != NULL ? ": " : "", why != NULL ? why : "");
		free(why);
		free(host);
		free(address);
		json_object_put(root);
		return -1;
	}
	*node_http = net_url_for_address(address, &why);
	free(host);
	free(address);
	if (*node_http == NULL) {
		set_cause(cause, "%s", why);
		free(why);
		json_object_put(root);
		return -1;
	}
	*container_id = xstrdup(cid);
	json_object_put(root);
	return 0;
}

/* Hand over what was fetched. */
static void submit_logs_finish(struct submit_logs *l)
{
	struct submit_logs_result r = {
	        .container_id = l->container_id,
	        .out_path = l->out_path,
	        .err = l->err,
	        .err_len = l->err_len,
	        .error = l->error,
	};

	l->cb(&r, l->arg);
}

/* Note the first reason something was not fetched. */
static void submit_logs_note(struct submit_logs *l, const char *what,
                             const struct http_response *resp)
{
	char *msg;

	if (l->error != NULL)
		return;
	msg = resp->status == 0 ? xstrdup(resp->error != NULL ? resp->error : "no answer")
	                        : rest_error_message(resp->status, resp->body);
	l->error = xasprintf("%s: %s", what, msg);
	free(msg);
}

static void submit_logs_stdout_cb(const struct http_response *resp, void *arg);
static void submit_logs_stderr_cb(const struct http_response *resp, void *arg);

/* The NM's URL of one log file of the AM container (caller frees). */
static char *submit_logs_url(const struct submit_logs *l, const char *file)
{
	return xasprintf("%s/ws/v1/node/containerlogs/%s/%s", l->node_base, l->container_id, file);
}

/* Ask for stderr, or end when it is not wanted. */
static void submit_logs_next_stderr(struct submit_logs *l)
{
	char *url;

	if (!l->want_stderr) {
		submit_logs_finish(l);
		return;
	}
	url = submit_logs_url(l, "stderr");
	l->call = http_client_request(l->client, "GET", url, NULL, NULL, 0, SUBMIT_LOGS_TIMEOUT_MS,
	                              submit_logs_stderr_cb, l);
	free(url);
}

/* Download stdout into a fresh private temporary directory. */
static void submit_logs_get_stdout(struct submit_logs *l)
{
	const char *tmp = getenv("TMPDIR");
	char *url, *dest;

	l->tmp_dir =
	        xasprintf("%s/weft-submit.XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(l->tmp_dir) == NULL) {
		if (l->error == NULL)
			l->error = xasprintf("AM stdout: cannot create %s: %s", l->tmp_dir,
			                     strerror(errno));
		free(l->tmp_dir);
		l->tmp_dir = NULL;
		submit_logs_next_stderr(l);
		return;
	}
	url = submit_logs_url(l, "stdout");
	dest = xasprintf("%s/stdout", l->tmp_dir);
	l->call = http_client_download(l->client, url, dest, 0, SUBMIT_LOGS_DOWNLOAD_TIMEOUT_MS,
	                               submit_logs_stdout_cb, l);
	free(dest);
	free(url);
}

/* stdout is in its file (or not); then stderr. */
static void submit_logs_stdout_cb(const struct http_response *resp, void *arg)
{
	struct submit_logs *l = arg;

	l->call = NULL;
	if (resp->status >= 200 && resp->status <= 299)
		l->out_path = xasprintf("%s/stdout", l->tmp_dir);
	else
		submit_logs_note(l, "AM stdout", resp);
	submit_logs_next_stderr(l);
}

/* stderr, in memory: only its tail is ever shown. */
static void submit_logs_stderr_cb(const struct http_response *resp, void *arg)
{
	struct submit_logs *l = arg;

	l->call = NULL;
	if (resp->status >= 200 && resp->status <= 299) {
		l->err = xmalloc(resp->body_len + 1);
		memcpy(l->err, resp->body, resp->body_len);
		l->err[resp->body_len] = '\0';
		l->err_len = resp->body_len;
	} else
		submit_logs_note(l, "AM stderr", resp);
	submit_logs_finish(l);
}

/* The attempts: find the AM container, then read its stdout. */
static void submit_logs_attempts_cb(const struct http_response *resp, void *arg)
{
	struct submit_logs *l = arg;
	char *why = NULL;

	l->call = NULL;
	if (resp->status < 200 || resp->status > 299) {
		submit_logs_note(l, "application attempts", resp);
		submit_logs_finish(l);
		return;
	}
	if (submit_logs_last_attempt(resp->body, resp->body_len, &l->container_id, &l->node_base,
	                             &why) != 0) {
		l->error = xasprintf("application attempts: %s", why);
		free(why);
		submit_logs_finish(l);
		return;
	}
	if (l->want_stdout)
		submit_logs_get_stdout(l);
	else
		submit_logs_next_stderr(l);
}

/* Start with the attempts list. */
struct submit_logs *submit_logs_fetch(struct http_client *client, const char *rm_url,
                                      const char *app_id, const char *user, bool want_stdout,
                                      bool want_stderr, submit_logs_cb cb, void *arg)
{
	struct submit_logs *l = xcalloc(1, sizeof *l);
	char *path = xasprintf(WEFT_PATH_APP_ATTEMPTS_FMT, app_id);
	char *url = rest_url_for_user(rm_url, path, user);

	l->client = client;
	l->want_stdout = want_stdout;
	l->want_stderr = want_stderr;
	l->cb = cb;
	l->arg = arg;
	l->call = http_client_request(client, "GET", url, NULL, NULL, 0, SUBMIT_LOGS_TIMEOUT_MS,
	                              submit_logs_attempts_cb, l);
	free(url);
	free(path);
	return l;
}

/* Cancel what is in flight and free. */
void submit_logs_free(struct submit_logs *l)
{
	if (l == NULL)
		return;
	if (l->call != NULL)
		http_call_cancel(l->call);
	if (l->out_path != NULL)
		unlink(l->out_path);
	if (l->tmp_dir != NULL)
		rmdir(l->tmp_dir);
	free(l->out_path);
	free(l->tmp_dir);
	free(l->container_id);
	free(l->node_base);
	free(l->err);
	free(l->error);
	free(l);
}

/* The end of a log, whole lines where possible. */
const char *submit_logs_tail(const char *text, size_t len, int max_lines, size_t max_bytes,
                             size_t *out_len)
{
	size_t end = len, start;
	int lines = 0;

	/* A final newline does not start another line. */
	while (end > 0 && text[end - 1] == '\n')
		end--;
	start = end;
	while (start > 0 && end - start < max_bytes) {
		if (text[start - 1] == '\n' && ++lines == max_lines)
			break;
		start--;
	}
	*out_len = end - start;
	return text + start;
}
