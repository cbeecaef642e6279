/*
 * http_client.c — HTTP calls of weft programs over libcurl.
 *
 * Owns: the asynchronous client (curl_multi driven by the libevent loop, the
 * shape of curl's hiperfifo.c example), downloads into files, and the
 * blocking http_fetch()/http_put_file() of the command-line tools.
 *
 * How the async client is glued to libevent: curl tells us through its
 * socket callback which sockets to watch (one persistent event per socket,
 * re-armed when curl changes its interest) and through its timer callback
 * when it next needs a tick (one evtimer; a 0 ms request is served by the
 * loop, never by calling curl from inside curl).  Event and timer callbacks
 * call curl_multi_socket_action() and then drain CURLMSG_DONE, running the
 * caller's callback once per finished call.
 *
 * Reentrancy: a caller's callback may start calls, cancel calls (its own
 * too) or free the client.  Each finished call is taken out of the multi
 * handle and off the client's list before its callback runs, messages are
 * read one at a time (curl drops the pending message of a handle that gets
 * removed), and client and call are reference counted (common/ref.h): the
 * drain loop and a running callback hold them, a free or cancel inside
 * marks them dead, and the last release frees.
 */
#include "weft_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "common/http_client.h"
#include "common/log.h"
#include "common/ref.h"
#include "common/xmalloc.h"

/* Largest response body kept in memory. */
#define HTTP_CLIENT_MAX_BODY ((size_t)256 * 1024 * 1024)
/* Largest error body kept from a failed download. */
#define HTTP_CLIENT_MAX_ERROR_BODY ((size_t)64 * 1024)
/* Connecting never takes longer than this (or the call's own timeout). */
#define HTTP_CLIENT_CONNECT_TIMEOUT_MS 10000L

/* A growing, NUL-terminated byte buffer. */
struct http_buffer {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
	bool overflow;
};

struct http_call {
	struct http_client *client;
	CURL *easy;
	struct curl_slist *headers;
	char *request_body;
	struct http_buffer body;
	char errbuf[CURL_ERROR_SIZE];
	http_response_cb cb;
	void *arg;
	struct ref ref; /* the caller's handle; held while its callback runs */

	/* Downloads. */
	bool download;
	int fd;
	char *dest_path;
	char *tmp_path;
	int64_t max_bytes;
	int64_t written;
	bool cap_exceeded; /* the download passed max_bytes */
	char *write_error;

	/* A call that failed before curl saw it reports from the loop. */
	struct event *early;
	char *early_error;

	struct http_call *prev, *next;
};

/* curl's per-socket state: the one event watching that socket. */
struct http_socket {
	struct http_client *client;
	curl_socket_t fd;
	struct event *ev;
	struct http_socket *prev, *next;
};

struct http_client {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;
	struct http_call *calls;
	int ncalls;
	struct http_socket *sockets;
	struct ref ref; /* the owner's; held while calls are delivered */
};

static bool http_curl_initialised;

static void http_client_destroy(struct http_client *client);

/* curl_global_init exactly once per process, before any handle. */
static void http_curl_init(void)
{
	CURLcode rc;

	if (http_curl_initialised)
		return;
	rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK)
		fatalx("curl_global_init: %s", curl_easy_strerror(rc));
	http_curl_initialised = true;
}

/* Append n bytes; RET false (and mark overflow) past the cap. */
static bool http_buffer_append(struct http_buffer *b, const void *data, size_t n)
{
	if (b->overflow || n > b->max - b->len) {
		b->overflow = true;
		return false;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap != 0 ? b->cap : 1024;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return true;
}

/* curl's write callback for bodies kept in memory. */
static size_t http_write_memory_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct http_buffer *b = userdata;
	size_t n = size * nmemb;

	if (!http_buffer_append(b, ptr, n))
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	return n;
}

/* curl's write callback for downloads: the file when the answer is a
 * success (2xx, or any file:// read), memory for an error page. */
static size_t http_write_download_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct http_call *call = userdata;
	size_t n = size * nmemb, off = 0;
	long code = 0;

	curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code != 0 && (code < 200 || code > 299)) {
		/* An error page: keep its start for the caller, drop the rest
		 * (the status is the answer; a long page is no failure). */
		size_t room = call->body.max - call->body.len;

		http_buffer_append(&call->body, ptr, n < room ? n : room);
		return n;
	}
	if (call->max_bytes > 0 && (int64_t)n > call->max_bytes - call->written) {
		call->cap_exceeded = true;
		return 0;
	}
	while (off < n) {
		ssize_t w = write(call->fd, ptr + off, n - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (call->write_error == NULL)
				call->write_error =
				        xasprintf("write %s: %s", call->tmp_path, strerror(errno));
			return 0;
		}
		off += (size_t)w;
	}
	call->written += (int64_t)n;
	return n;
}

/* Unlink a call from its client's list. */
static void http_call_unlink(struct http_call *call)
{
	struct http_client *client = call->client;

	if (client == NULL)
		return;
	if (call->prev != NULL)
		call->prev->next = call->next;
	else
		client->calls = call->next;
	if (call->next != NULL)
		call->next->prev = call->prev;
	call->prev = call->next = NULL;
	client->ncalls--;
	call->client = NULL;
}

/* Release everything of a call (its curl handle must be out of the multi). */
static void http_call_destroy(struct http_call *call)
{
	if (call->easy != NULL)
		curl_easy_cleanup(call->easy);
	curl_slist_free_all(call->headers);
	free(call->request_body);
	free(call->body.data);
	if (call->fd >= 0)
		close(call->fd);
	if (call->tmp_path != NULL)
		unlink(call->tmp_path);
	free(call->tmp_path);
	free(call->dest_path);
	free(call->write_error);
	if (call->early != NULL)
		event_free(call->early);
	free(call->early_error);
	free(call);
}

/* Finish a download: move the file into place on success.  RET the status
 * to report; *error set when there is no usable answer. */
static long http_download_finish(struct http_call *call, CURLcode rc, long code, char **error)
{
	bool ok = rc == CURLE_OK && (code == 0 || (code >= 200 && code <= 299));

	if (close(call->fd) != 0 && ok) {
		*error = xasprintf("close %s: %s", call->tmp_path, strerror(errno));
		ok = false;
		code = 0;
	}
	call->fd = -1;
	if (!ok)
		return code; /* http_call_destroy unlinks the temporary file */
	if (rename(call->tmp_path, call->dest_path) != 0) {
		*error = xasprintf("rename %s to %s: %s", call->tmp_path, call->dest_path,
		                   strerror(errno));
		return 0;
	}
	free(call->tmp_path);
	call->tmp_path = NULL;
	return code == 0 ? 200 : code; /* file:// has no status: report 200 */
}

/* Run the caller's callback for a finished call and free it.  The call is
 * already out of the multi handle. */
static void http_call_deliver(struct http_call *call, CURLcode rc, const char *early_error)
{
	struct http_response resp = {0};
	curl_off_t length = -1, retry_after = -1;
	char *error = NULL;
	long code = 0;

	if (early_error == NULL) {
		curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_getinfo(call->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
		if (curl_easy_getinfo(call->easy, CURLINFO_RETRY_AFTER, &retry_after) != CURLE_OK ||
		    retry_after == 0)
			retry_after = -1;
		resp.not_delivered = rc == CURLE_COULDNT_CONNECT ||
		                     rc == CURLE_COULDNT_RESOLVE_HOST ||
		                     rc == CURLE_COULDNT_RESOLVE_PROXY;
		if (call->download)
			code = http_download_finish(call, rc, code, &error);
		if (error == NULL && rc != CURLE_OK) {
			code = 0;
			if (call->cap_exceeded)
				error = xasprintf("download exceeds %lld bytes",
				                  (long long)call->max_bytes);
			else if (call->body.overflow)
				error = xasprintf("response exceeds %zu bytes", call->body.max);
			else if (call->write_error != NULL)
				error = xstrdup(call->write_error);
			else
				error = xstrdup(call->errbuf[0] != '\0' ? call->errbuf
				                                        : curl_easy_strerror(rc));
		}
		if (error != NULL)
			code = 0;
	} else {
		error = xstrdup(early_error);
	}
	/* The handle goes back now: its connection stays in the multi's pool. */
	if (call->easy != NULL) {
		curl_easy_cleanup(call->easy);
		call->easy = NULL;
	}
	http_call_unlink(call);

	/* No answer, no body: a part of one is not worth handing out. */
	resp.status = code;
	resp.body = call->body.data != NULL && error == NULL ? call->body.data : "";
	resp.body_len = error == NULL ? call->body.len : 0;
	resp.error = error;
	resp.content_length = error == NULL ? (int64_t)length : -1;
	resp.retry_after_s = error == NULL ? (int64_t)retry_after : -1;
	ref_hold(&call->ref); /* the callback may cancel the call: a no-op */
	call->cb(&resp, call->arg);
	free(error);
	/* The call is over: the caller's handle ends with its callback. */
	(void)ref_kill(&call->ref);
	if (ref_release(&call->ref))
		http_call_destroy(call);
}

/* Read curl's finished transfers, one message at a time because each
 * callback may cancel other calls or free the client. */
static void http_client_drain(struct http_client *client)
{
	CURLMsg *msg;
	int left;

	ref_hold(&client->ref);
	while (!ref_dead(&client->ref) &&
	       (msg = curl_multi_info_read(client->multi, &left)) != NULL) {
		struct http_call *call = NULL;
		CURL *easy = msg->easy_handle;
		CURLcode rc = msg->data.result;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&call);
		curl_multi_remove_handle(client->multi, easy);
		if (call == NULL)
			continue;
		http_call_deliver(call, rc, NULL);
	}
	if (ref_release(&client->ref))
		http_client_destroy(client);
}

/* libevent saw activity on a socket curl watches. */
static void http_client_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_client *client = arg;
	int action = 0, running = 0;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(client->multi, fd, action, &running);
	http_client_drain(client);
}

/* curl's timeout expired (or a 0 ms tick was asked for). */
static void http_client_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_client *client = arg;
	int running = 0;

	(void)fd;
	(void)what;
	curl_multi_socket_action(client->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	http_client_drain(client);
}

/* CURLMOPT_TIMERFUNCTION: arm, re-arm or stop the one timer. */
static int http_client_curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct http_client *client = userp;
	struct timeval tv;

	(void)multi;
	if (timeout_ms < 0) {
		evtimer_del(client->timer);
		return 0;
	}
	/* 0 ms too goes through the loop: never call curl from here. */
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(client->timer, &tv);
	return 0;
}

/* Forget one socket's state. */
static void http_socket_free(struct http_socket *s)
{
	struct http_client *client = s->client;

	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		client->sockets = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	if (s->ev != NULL)
		event_free(s->ev);
	free(s);
}

/* CURLMOPT_SOCKETFUNCTION: one persistent event per socket, re-armed when
 * curl's interest changes, dropped when curl is done with the socket. */
static int http_client_curl_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
                                      void *socketp)
{
	struct http_client *client = userp;
	struct http_socket *s = socketp;
	short kind = EV_PERSIST;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			curl_multi_assign(client->multi, fd, NULL);
			http_socket_free(s);
		}
		return 0;
	}
	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->client = client;
		s->fd = fd;
		s->next = client->sockets;
		if (client->sockets != NULL)
			client->sockets->prev = s;
		client->sockets = s;
		curl_multi_assign(client->multi, fd, s);
	}
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (s->ev != NULL)
		event_free(s->ev);
	s->ev = event_new(client->base, fd, kind, http_client_event_cb, client);
	if (s->ev == NULL)
		fatalx("event_new failed");
	event_add(s->ev, NULL);
	return 0;
}

struct http_client *http_client_new(struct event_base *base)
{
	struct http_client *client = xcalloc(1, sizeof *client);

	ref_init(&client->ref);
	http_curl_init();
	client->base = base;
	client->multi = curl_multi_init();
	if (client->multi == NULL)
		fatalx("curl_multi_init failed");
	client->timer = evtimer_new(base, http_client_timer_cb, client);
	if (client->timer == NULL)
		fatalx("evtimer_new failed");
	curl_multi_setopt(client->multi, CURLMOPT_SOCKETFUNCTION, http_client_curl_socket_cb);
	curl_multi_setopt(client->multi, CURLMOPT_SOCKETDATA, client);
	curl_multi_setopt(client->multi, CURLMOPT_TIMERFUNCTION, http_client_curl_timer_cb);
	curl_multi_setopt(client->multi, CURLMOPT_TIMERDATA, client);
	return client;
}

void http_client_free(struct http_client *client)
{
	/* Freed from inside a call's callback: the drain loop holding the
	 * client stops and frees it once the callback returned. */
	if (client != NULL && ref_kill(&client->ref))
		http_client_destroy(client);
}

/* The last reference is gone: cancel every call (no callbacks) and free. */
static void http_client_destroy(struct http_client *client)
{
	while (client->calls != NULL) {
		struct http_call *call = client->calls;

		if (call->easy != NULL)
			curl_multi_remove_handle(client->multi, call->easy);
		http_call_unlink(call);
		http_call_destroy(call);
	}
	curl_multi_cleanup(client->multi);
	/* curl reports every socket removed; this only guards against a
	 * version that does not on cleanup. */
	while (client->sockets != NULL)
		http_socket_free(client->sockets);
	event_free(client->timer);
	free(client);
}

/* The early-failure event: report a call curl never ran. */
static void http_call_early_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_call *call = arg;
	char *error = call->early_error;

	(void)fd;
	(void)what;
	call->early_error = NULL;
	http_call_deliver(call, CURLE_OK, error);
	free(error);
}

/* Report a failure from the loop, after the starting function returned. */
static void http_call_fail_later(struct http_call *call, char *error)
{
	struct timeval now = {0, 0};

	call->early_error = error;
	call->early = evtimer_new(call->client->base, http_call_early_cb, call);
	if (call->early == NULL)
		fatalx("evtimer_new failed");
	evtimer_add(call->early, &now);
}

/* Options every weft request shares, blocking or not. */
static void http_easy_common(CURL *easy, const char *method, const char *url, long timeout_ms,
                             bool allow_file, char *errbuf)
{
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "weft");
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR,
	                 allow_file ? "http,https,file" : "http,https");
#else
	curl_easy_setopt(
	        easy, CURLOPT_PROTOCOLS,
	        (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS | (allow_file ? CURLPROTO_FILE : 0)));
#endif
	if (timeout_ms > 0) {
		curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
		curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
		                 timeout_ms < HTTP_CLIENT_CONNECT_TIMEOUT_MS
		                         ? timeout_ms
		                         : HTTP_CLIENT_CONNECT_TIMEOUT_MS);
	} else {
		curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, HTTP_CLIENT_CONNECT_TIMEOUT_MS);
	}
	if (method == NULL || strcmp(method, "GET") == 0)
		curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
	else if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "POST") != 0)
		curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
}

/* Attach a request body (copied into *keep, which lives as long as easy). */
static void http_easy_body(CURL *easy, const char *method, const void *body, size_t body_len,
                           char **keep)
{
	bool wants_body =
	        method != NULL && (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0);

	/* POST and PUT always send a body (maybe empty: Content-Length 0). */
	if (body == NULL && !wants_body)
		return;
	*keep = xmalloc(body_len + 1);
	if (body_len > 0)
		memcpy(*keep, body, body_len);
	(*keep)[body_len] = '\0';
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, *keep);
}

/* Build a header list from "Name: value" strings plus an optional extra. */
static struct curl_slist *http_header_list(const char *const *headers, const char *extra)
{
	struct curl_slist *list = NULL, *next;

	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
		next = curl_slist_append(list, headers[i]);
		if (next == NULL)
			fatalx("curl_slist_append failed");
		list = next;
	}
	if (extra != NULL) {
		next = curl_slist_append(list, extra);
		if (next == NULL)
			fatalx("curl_slist_append failed");
		list = next;
	}
	return list;
}

/* A new call on the client's list with its easy handle set up. */
static struct http_call *http_call_new(struct http_client *client, http_response_cb cb, void *arg)
{
	struct http_call *call = xcalloc(1, sizeof *call);

	ref_init(&call->ref);
	call->client = client;
	call->cb = cb;
	call->arg = arg;
	call->fd = -1;
	call->body.max = HTTP_CLIENT_MAX_BODY;
	call->next = client->calls;
	if (client->calls != NULL)
		client->calls->prev = call;
	client->calls = call;
	client->ncalls++;
	call->easy = curl_easy_init();
	if (call->easy == NULL)
		fatalx("curl_easy_init failed");
	curl_easy_setopt(call->easy, CURLOPT_PRIVATE, call);
	return call;
}

/* Hand a prepared call to the multi handle. */
static struct http_call *http_call_start(struct http_call *call)
{
	CURLMcode mc = curl_multi_add_handle(call->client->multi, call->easy);

	if (mc != CURLM_OK) {
		curl_easy_cleanup(call->easy);
		call->easy = NULL;
		http_call_fail_later(
		        call, xasprintf("curl_multi_add_handle: %s", curl_multi_strerror(mc)));
	}
	return call;
}

/* The one place a request call is prepared (request and json share it). */
static struct http_call *http_client_prepare(struct http_client *client, const char *method,
                                             const char *url, const char *const *headers,
                                             const char *extra_header, const void *body,
                                             size_t body_len, long timeout_ms, http_response_cb cb,
                                             void *arg)
{
	struct http_call *call = http_call_new(client, cb, arg);

	http_easy_common(call->easy, method, url, timeout_ms, false, call->errbuf);
	http_easy_body(call->easy, method, body, body_len, &call->request_body);
	call->headers = http_header_list(headers, extra_header);
	if (call->headers != NULL)
		curl_easy_setopt(call->easy, CURLOPT_HTTPHEADER, call->headers);
	curl_easy_setopt(call->easy, CURLOPT_WRITEFUNCTION, http_write_memory_cb);
	curl_easy_setopt(call->easy, CURLOPT_WRITEDATA, &call->body);
	return http_call_start(call);
}

struct http_call *http_client_request(struct http_client *client, const char *method,
                                      const char *url, const char *const *headers, const void *body,
                                      size_t body_len, long timeout_ms, http_response_cb cb,
                                      void *arg)
{
	return http_client_prepare(client, method, url, headers, NULL, body, body_len, timeout_ms,
	                           cb, arg);
}

struct http_call *http_client_json(struct http_client *client, const char *method, const char *url,
                                   const char *const *headers, struct json_object *body,
                                   long timeout_ms, http_response_cb cb, void *arg)
{
	size_t len = 0;
	const char *text = NULL;

	if (body != NULL)
		text = json_object_to_json_string_length(body, JSON_C_TO_STRING_PLAIN, &len);
	return http_client_prepare(client, method, url, headers, "Content-Type: application/json",
	                           text, len, timeout_ms, cb, arg);
}

struct http_call *http_client_download(struct http_client *client, const char *url,
                                       const char *dest_path, int64_t max_bytes, long timeout_ms,
                                       http_response_cb cb, void *arg)
{
	struct http_call *call = http_call_new(client, cb, arg);
	unsigned long long nonce = 0;

	call->download = true;
	call->max_bytes = max_bytes;
	call->dest_path = xstrdup(dest_path);
	call->body.max = HTTP_CLIENT_MAX_ERROR_BODY;
	if (getrandom(&nonce, sizeof nonce, GRND_NONBLOCK) != (ssize_t)sizeof nonce)
		nonce = (unsigned long long)(uintptr_t)call ^ (unsigned long long)getpid();
	call->tmp_path = xasprintf("%s.tmp.%016llx", dest_path, nonce);
	call->fd = open(call->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (call->fd < 0) {
		char *error = xasprintf("create %s: %s", call->tmp_path, strerror(errno));

		free(call->tmp_path);
		call->tmp_path = NULL;
		curl_easy_cleanup(call->easy);
		call->easy = NULL;
		http_call_fail_later(call, error);
		return call;
	}
	http_easy_common(call->easy, "GET", url, timeout_ms, true, call->errbuf);
	curl_easy_setopt(call->easy, CURLOPT_WRITEFUNCTION, http_write_download_cb);
	curl_easy_setopt(call->easy, CURLOPT_WRITEDATA, call);
	return http_call_start(call);
}

void http_call_cancel(struct http_call *call)
{
	struct http_client *client;

	/* Inside its own callback the call is already out of the multi
	 * handle and off the list; the delivery frees it. */
	if (call == NULL || ref_dead(&call->ref))
		return;
	client = call->client;
	if (call->easy != NULL && client != NULL)
		curl_multi_remove_handle(client->multi, call->easy);
	http_call_unlink(call);
	if (ref_kill(&call->ref))
		http_call_destroy(call);
}

int http_client_pending(const struct http_client *client)
{
	return client->ncalls;
}

/* Run one blocking transfer on a prepared easy handle (CLI tools). */
static int http_easy_perform(CURL *easy, struct http_buffer *body, const char *errbuf, long *status,
                             char **resp_body, size_t *resp_len, char **cause)
{
	CURLcode rc;
	long code = 0;

	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, http_write_memory_cb);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, body);
	rc = curl_easy_perform(easy);
	if (rc != CURLE_OK) {
		if (body->overflow)
			set_cause(cause, "response exceeds %zu bytes", body->max);
		else
			set_cause(cause, "%s", errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
		free(body->data);
		return -1;
	}
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	if (status != NULL)
		*status = code;
	if (body->data == NULL)
		body->data = xstrdup("");
	if (resp_len != NULL)
		*resp_len = body->len;
	if (resp_body != NULL)
		*resp_body = body->data;
	else
		free(body->data);
	return 0;
}

int http_fetch(const char *method, const char *url, const char *const *headers, const void *body,
               size_t body_len, long timeout_ms, long *status, char **resp_body, size_t *resp_len,
               char **cause)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct http_buffer resp = {.max = HTTP_CLIENT_MAX_BODY};
	struct curl_slist *list;
	char *keep = NULL;
	CURL *easy;
	int rc;

	http_curl_init();
	easy = curl_easy_init();
	if (easy == NULL)
		return set_cause(cause, "curl_easy_init failed");
	http_easy_common(easy, method, url, timeout_ms, false, errbuf);
	http_easy_body(easy, method, body, body_len, &keep);
	list = http_header_list(headers, NULL);
	if (list != NULL)
		curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
	rc = http_easy_perform(easy, &resp, errbuf, status, resp_body, resp_len, cause);
	curl_easy_cleanup(easy);
	curl_slist_free_all(list);
	free(keep);
	return rc;
}

int http_put_file(const char *url, const char *path, const char *const *headers, long timeout_ms,
                  long *status, char **resp_body, char **cause)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct http_buffer resp = {.max = HTTP_CLIENT_MAX_BODY};
	struct curl_slist *list;
	struct stat st;
	FILE *f;
	CURL *easy;
	int rc;

	f = fopen(path, "rbe");
	if (f == NULL)
		return set_cause(cause, "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return set_cause(cause, "%s: not a regular file", path);
	}
	http_curl_init();
	easy = curl_easy_init();
	if (easy == NULL) {
		fclose(f);
		return set_cause(cause, "curl_easy_init failed");
	}
	http_easy_common(easy, "PUT", url, timeout_ms, false, errbuf);
	curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(easy, CURLOPT_READDATA, f);
	curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)st.st_size);
	list = http_header_list(headers, NULL);
	if (list != NULL)
		curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
	rc = http_easy_perform(easy, &resp, errbuf, status, resp_body, NULL, cause);
	curl_easy_cleanup(easy);
	curl_slist_free_all(list);
	fclose(f);
	return rc;
}
