/*
 * http_client.h — HTTP requests for weft programs.
 *
 * Daemons (and the AM and driver) use the asynchronous client: libcurl's
 * multi interface driven from the libevent loop (one event per socket from
 * curl's socket callback, one timer from its timer callback), so no network
 * call ever blocks the loop.  Calls to the RM go through libweft's client
 * (weft/client.h, built on this one), which adds failover and retries;
 * weft's tools use its blocking layer.  The blocking http_fetch() serves
 * tests that need a plain client outside a loop.
 */
#ifndef WEFT_HTTP_CLIENT_H
#define WEFT_HTTP_CLIENT_H

#include <event2/event.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_response {
	long status;      /* HTTP status, 0 when no answer came */
	const char *body; /* NUL-terminated; "" when none */
	size_t body_len;
	const char *error;      /* why there was no answer (status 0), else NULL */
	int64_t content_length; /* the answer's Content-Length (HEAD too); -1: none */
	int64_t retry_after_s;  /* the answer's Retry-After in seconds; -1: none */
	bool not_delivered;     /* no connection was made: the request never left */
};

/* Called exactly once per call unless it was cancelled or the client
 * freed; resp and its body are valid only during the call. */
typedef void (*http_response_cb)(const struct http_response *resp, void *arg);

struct http_client;
struct http_call;

struct http_client *http_client_new(struct event_base *base);
/* Cancel every call in flight (no callbacks) and free. */
void http_client_free(struct http_client *client);

/*
 * Start a request.  IN method "GET", "POST", "PUT", "DELETE"; headers a
 * NULL-terminated array of "Name: value" (or NULL); body copied (may be
 * NULL); timeout_ms bounds the whole call.  RET a handle valid until the
 * callback runs, usable with http_call_cancel().
 */
struct http_call *http_client_request(struct http_client *client, const char *method,
                                      const char *url, const char *const *headers, const void *body,
                                      size_t body_len, long timeout_ms, http_response_cb cb,
                                      void *arg);
/* Send a JSON object (not consumed) with Content-Type application/json. */
struct http_call *http_client_json(struct http_client *client, const char *method, const char *url,
                                   const char *const *headers, struct json_object *body,
                                   long timeout_ms, http_response_cb cb, void *arg);
/* Download url into dest_path (created 0644, replaced atomically through a
 * temporary name; removed on failure).  max_bytes 0 = no cap.  file://
 * URLs work too.  resp->status is 200 on success. */
struct http_call *http_client_download(struct http_client *client, const char *url,
                                       const char *dest_path, int64_t max_bytes, long timeout_ms,
                                       http_response_cb cb, void *arg);
/* Drop a call: its callback will not run. */
void http_call_cancel(struct http_call *call);
/* Calls in flight (tests, shutdown). */
int http_client_pending(const struct http_client *client);

/*
 * Blocking request for command-line tools (never inside a daemon loop).
 * RET 0 when an answer came (any status; *status set, *resp_body allocated
 * and NUL-terminated, caller frees), -1 with *cause when none did.
 */
int http_fetch(const char *method, const char *url, const char *const *headers, const void *body,
               size_t body_len, long timeout_ms, long *status, char **resp_body, size_t *resp_len,
               char **cause);
/* Blocking upload of a local file with PUT. */
int http_put_file(const char *url, const char *path, const char *const *headers, long timeout_ms,
                  long *status, char **resp_body, char **cause);

#endif
