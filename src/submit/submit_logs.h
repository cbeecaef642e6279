/*
 * submit_logs.h — fetching the AM container's logs after the application
 * ended, the way `yarn logs` reads a running NM:
 *   GET RM/ws/v1/cluster/apps/{id}/appattempts   -> the last attempt's
 *       containerId and nodeHttpAddress (else the host:port of logsLink)
 *   GET http://{nodeHttpAddress}/ws/v1/node/containerlogs/{containerId}/stdout
 *   and/or .../stderr
 * In cluster mode the AM's stdout is the driver's output: it may be large,
 * so it is downloaded into a temporary file rather than held in memory;
 * stderr is only ever shown as a tail and is read into memory.
 */
#ifndef WEFT_SUBMIT_LOGS_H
#define WEFT_SUBMIT_LOGS_H

#include <stdbool.h>
#include <stddef.h>

struct http_client;
struct weft_rm_client;
struct weft_app_attempt;

struct submit_logs_result {
	const char *container_id; /* NULL when the attempts gave none */
	const char *out_path;     /* a file holding stdout (removed with the fetcher),
	                             NULL when not fetched */
	const char *err;          /* stderr text, NULL when not fetched or not asked */
	size_t err_len;
	const char *error; /* why something could not be fetched, or NULL */
};

/* Called once with what could be fetched; r is valid during the call. */
typedef void (*submit_logs_cb)(const struct submit_logs_result *r, void *arg);

struct submit_logs;

/* Start fetching stdout and/or stderr: the attempts through rm, stderr
 * through rm's client (to the NM's address), stdout with http (a
 * download to a file).  The fetcher owns neither. */
struct submit_logs *submit_logs_fetch(struct weft_rm_client *rm, struct http_client *http,
                                      const char *app_id, bool want_stdout, bool want_stderr,
                                      submit_logs_cb cb, void *arg);
/* Cancel (no callback) or free after the callback. */
void submit_logs_free(struct submit_logs *l);

/*
 * Pick the last of an application's attempts and where its AM's logs
 * are.  RET 0 with *container_id and *node_http (a base URL
 * "http://host:port") allocated, or -1 with *cause.
 */
int submit_logs_last_attempt(const struct weft_app_attempt *attempts, int n, char **container_id,
                             char **node_http, char **cause);

/* The last max_lines lines of text (at most max_bytes of it): a pointer
 * into text and *out_len. */
const char *submit_logs_tail(const char *text, size_t len, int max_lines, size_t max_bytes,
                             size_t *out_len);

#endif
