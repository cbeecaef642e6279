/*
 * submit_logs.c — the AM container's stdout/stderr through the NM's log
 * API (see submit_logs.h).  Three asynchronous calls in a row on the
 * caller's loop (the attempts and stderr through libweft's client, the
 * stdout download through http_client); any failure still ends in the one
 * callback, with what was fetched so far and the reason.
 */
#include "weft_config.h"

#include "submit/submit_logs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/http_client.h"
#include "common/net.h"
#include "common/proto_nm.h"
#include "common/xmalloc.h"
#include "lib/client_internal.h"
#include "weft/ids.h"
#include "weft/protocol.h"
#include "weft/rm_client.h"

/* Bound on each log call, and on the stdout download (it may be big). */
#define SUBMIT_LOGS_TIMEOUT_MS          30000
#define SUBMIT_LOGS_DOWNLOAD_TIMEOUT_MS (30 * 60 * 1000)

struct submit_logs {
	struct weft_rm_client *rm;
	struct http_client *http;
	struct weft_rm_op *attempts;  /* the attempts, in flight */
	struct weft_call *stderr_get; /* the NM's stderr, in flight */
	struct http_call *call;       /* the stdout download */
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

/* Pick the last attempt and where its logs are. */
int submit_logs_last_attempt(const struct weft_app_attempt *attempts, int n, char **container_id,
                             char **node_http, char **cause)
{
	const struct weft_app_attempt *best = NULL;
	int64_t best_n = -2;
	weft_container_id_t parsed;
	char *address = NULL, *host = NULL, *why = NULL;
	const char *http;
	int port;

	*container_id = *node_http = NULL;
	for (int i = 0; i < n; i++) {
		int64_t number = submit_logs_attempt_number(&attempts[i]);

		if (number >= best_n) {
			best_n = number;
			best = &attempts[i];
		}
	}
	if (best == NULL)
		return set_cause(cause, "the application has no attempt");
	if (best->container_id == NULL)
		return set_cause(cause,
		                 WEFT_APP_KEY_APP_ATTEMPT "." WEFT_KEY_CONTAINER_ID ": missing");
	if (weft_container_id_parse(best->container_id, &parsed) != 0)
		return set_cause(cause, "appAttempt.containerId: '%s' is not a container id",
		                 best->container_id);
	http = best->node_http_address;
	if (http != NULL && http[0] != '\0')
		address = strstr(http, "://") != NULL ? submit_logs_link_address(http)
		                                      : xstrdup(http);
	else if (best->logs_link != NULL)
		address = submit_logs_link_address(best->logs_link);
	if (address == NULL || net_parse_address(address, &host, &port, &why) != 0 || port == 0) {
		set_cause(cause, "the last attempt does not say which node ran it%s%s",
		          why != NULL ? ": " : "", why != NULL ? why : "");
		free(why);
		free(host);
		free(address);
		return -1;
	}
	*node_http = net_url_for_address(address, &why);
	free(host);
	free(address);
	if (*node_http == NULL) {
		set_cause(cause, "%s", why);
		free(why);
		return -1;
	}
	*container_id = xstrdup(best->container_id);
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
static void submit_logs_note(struct submit_logs *l, const char *what, const char *why)
{
	if (l->error == NULL)
		l->error = xasprintf("%s: %s", what, why != NULL ? why : "no answer");
}

static void submit_logs_stdout_cb(const struct http_response *resp, void *arg);
static void submit_logs_stderr_cb(const struct weft_status *st, struct json_object *json,
                                  const char *body, size_t len, void *arg);

/* The NM's path of one log file of the AM container (caller frees). */
static char *submit_logs_path(const struct submit_logs *l, const char *file)
{
	return proto_nm_logs_path(l->container_id, file);
}

/* Ask for stderr, or end when it is not wanted. */
static void submit_logs_next_stderr(struct submit_logs *l)
{
	struct weft_request req = {
	        .method = "GET", .address = l->node_base, .flags = WEFT_CALL_IDEMPOTENT};
	char *path;

	if (!l->want_stderr) {
		submit_logs_finish(l);
		return;
	}
	path = submit_logs_path(l, "stderr");
	req.path = path;
	req.timeout_ms = SUBMIT_LOGS_TIMEOUT_MS;
	l->stderr_get =
	        weft_client_request(weft_rm_client_client(l->rm), &req, submit_logs_stderr_cb, l);
	free(path);
}

/* Download stdout into a fresh private temporary directory. */
static void submit_logs_get_stdout(struct submit_logs *l)
{
	const char *tmp = getenv("TMPDIR");
	char *url, *dest, *path;

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
	path = submit_logs_path(l, "stdout");
	url = xasprintf("%s%s", l->node_base, path);
	free(path);
	dest = xasprintf("%s/stdout", l->tmp_dir);
	l->call = http_client_download(l->http, url, dest, 0, SUBMIT_LOGS_DOWNLOAD_TIMEOUT_MS,
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
	else if (resp->status == 0)
		submit_logs_note(l, "AM stdout", resp->error);
	else {
		/* The one call not made through libweft's client (a download
		 * to a file): its error read the same way. */
		char *msg = client_error_message(resp->status, resp->body, resp->body_len, NULL);

		submit_logs_note(l, "AM stdout", msg);
		free(msg);
	}
	submit_logs_next_stderr(l);
}

/* stderr, in memory: only its tail is ever shown. */
static void submit_logs_stderr_cb(const struct weft_status *st, struct json_object *json,
                                  const char *body, size_t len, void *arg)
{
	struct submit_logs *l = arg;

	l->stderr_get = NULL;
	if (st->ok) {
		l->err = xmalloc(len + 1);
		memcpy(l->err, body, len);
		l->err[len] = '\0';
		l->err_len = len;
	} else
		submit_logs_note(l, "AM stderr", st->message);
	submit_logs_finish(l);
}

/* The attempts: find the AM container, then read its stdout. */
static void submit_logs_attempts_cb(const struct weft_status *st,
                                    const struct weft_app_attempt *attempts, int n, void *arg)
{
	struct submit_logs *l = arg;
	char *why = NULL;

	l->attempts = NULL;
	if (!st->ok) {
		submit_logs_note(l, "application attempts", st->message);
		submit_logs_finish(l);
		return;
	}
	if (submit_logs_last_attempt(attempts, n, &l->container_id, &l->node_base, &why) != 0) {
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
struct submit_logs *submit_logs_fetch(struct weft_rm_client *rm, struct http_client *http,
                                      const char *app_id, bool want_stdout, bool want_stderr,
                                      submit_logs_cb cb, void *arg)
{
	struct submit_logs *l = xcalloc(1, sizeof *l);

	l->rm = rm;
	l->http = http;
	l->want_stdout = want_stdout;
	l->want_stderr = want_stderr;
	l->cb = cb;
	l->arg = arg;
	l->attempts = weft_rm_get_attempts(rm, app_id, submit_logs_attempts_cb, l);
	return l;
}

/* Cancel what is in flight and free. */
void submit_logs_free(struct submit_logs *l)
{
	if (l == NULL)
		return;
	if (l->call != NULL)
		http_call_cancel(l->call);
	if (l->attempts != NULL)
		weft_rm_op_cancel(l->attempts);
	if (l->stderr_get != NULL)
		weft_call_cancel(l->stderr_get);
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
