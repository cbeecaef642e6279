/*
 * weft/client.h — a connection to a weft cluster: the base of libweft's
 * public client API (libweft(3)).
 *
 * A weft_client runs on the caller's libevent event_base: every call is
 * asynchronous and answers through a callback on that loop, so a daemon or
 * an application master never blocks.  One-shot tools create a blocking
 * client instead (weft_client_new_blocking), which owns a private loop, and
 * use the *_sync calls of weft/rm_client.h, or weft_client_run().
 *
 * The client knows the resource manager by a list of addresses (the
 * configuration's rm.address may name several, for failover).  A call goes
 * to the address that answered last; when no answer comes, or the RM is
 * busy (429, with its Retry-After) or unavailable (503), the call moves on
 * to the next address and, after a whole round, pauses with a doubling
 * backoff, until options.retry_ms has passed.  Only calls that are safe to
 * repeat are retried after they may have reached an RM (weft_call_flags):
 * a request that never left (connection refused) or that the RM refused
 * before acting on it (429, 503) is retried whatever it is.
 *
 * Every call carries the client's identity (options.user as YARN's
 * user.name, and options.headers) — the one place where credentials are
 * added.
 */
#ifndef WEFT_CLIENT_H
#define WEFT_CLIENT_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;
struct weft_client;
struct weft_call;

/* Defaults of weft_client_options fields left 0. */
#define WEFT_CLIENT_CALL_TIMEOUT_MS 30000
#define WEFT_CLIENT_RETRY_MS        60000
#define WEFT_CLIENT_BACKOFF_MIN_MS  100
#define WEFT_CLIENT_BACKOFF_MAX_MS  5000

struct weft_client_options {
	/*
	 * The RM: "host:port" or "http://host:port", several separated by
	 * commas or spaces (tried in turn).  A wildcard host (0.0.0.0, ::)
	 * means this host.  NULL or "": 127.0.0.1:8088.
	 */
	const char *rm_addresses;
	/* Sent as YARN's user.name query parameter; NULL: none. */
	const char *user;
	/* Extra "Name: value" headers on every call; NULL-terminated, copied. */
	const char *const *headers;
	/* Bound on one try of a call; 0: WEFT_CLIENT_CALL_TIMEOUT_MS. */
	long call_timeout_ms;
	/* How long a call may be retried; 0: WEFT_CLIENT_RETRY_MS; negative:
	 * never retried. */
	int64_t retry_ms;
	/* Pause after a round of addresses failed, doubling up to the max;
	 * 0: the defaults above. */
	int backoff_min_ms;
	int backoff_max_ms;
};

/* How a call ended.  Valid during the callback only. */
struct weft_status {
	bool ok;               /* a 2xx answer came */
	long http_status;      /* the answer's status; 0 when none came */
	const char *message;   /* when !ok: the RM's RemoteException message (or
	                        * the answer's first line), or why no answer came */
	const char *exception; /* the RemoteException's exception, else NULL */
};

/*
 * Create a client on base.  RET the client, or NULL with *cause (caller
 * frees) when options are unusable (an address that does not parse).
 */
struct weft_client *weft_client_new(struct event_base *base,
                                    const struct weft_client_options *options, char **cause);
/* The same with a private event loop, for one-shot tools. */
struct weft_client *weft_client_new_blocking(const struct weft_client_options *options,
                                             char **cause);
/*
 * Cancel every call in flight (no callback runs) and free; the RM, AM and
 * NM clients built on it must be freed first.  Safe from inside a callback
 * of this client.
 */
void weft_client_free(struct weft_client *client);
struct event_base *weft_client_base(const struct weft_client *client);
/* The RM address the next call goes to first ("http://host:port"). */
const char *weft_client_rm_url(const struct weft_client *client);
/* The user calls are made as, or NULL. */
const char *weft_client_user(const struct weft_client *client);
/* Calls in flight (including ones waiting to be retried). */
int weft_client_pending(const struct weft_client *client);
/*
 * Blocking clients: run the private loop until *done is true (set by a
 * callback).  RET 0, or -1 when nothing is left to wait for while *done is
 * still false.
 */
int weft_client_run(struct weft_client *client, const bool *done);

/* ------------------------------------------------------------------ */
/* Plain REST calls, for what the typed clients do not cover. */

enum weft_call_flags {
	/* Safe to repeat: retried even after it may have reached an RM. */
	WEFT_CALL_IDEMPOTENT = 1 << 0,
	/* Do not retry at all (one try at the current address). */
	WEFT_CALL_NO_RETRY = 1 << 1,
};

/*
 * The answer: json is the parsed body when it was a JSON object (borrowed,
 * NULL otherwise), body/len the raw bytes ("" when none).
 */
typedef void (*weft_call_cb)(const struct weft_status *status, struct json_object *json,
                             const char *body, size_t len, void *arg);

/*
 * method ("GET", "POST", "PUT", "DELETE") on the RM's path (with its query,
 * e.g. "/ws/v1/cluster/apps?state=RUNNING").  body (copied) may be NULL;
 * content_type NULL means application/json when there is a body.  RET a
 * handle valid until the callback runs (weft_call_cancel).
 */
struct weft_call *weft_client_call(struct weft_client *client, const char *method, const char *path,
                                   const void *body, size_t len, const char *content_type,
                                   unsigned flags, weft_call_cb cb, void *arg);
/* Everything a call can say. */
struct weft_request {
	const char *method;  /* "GET", "POST", "PUT", "DELETE" */
	const char *address; /* another server's "host:port" (a NodeManager):
	                      * no failover; NULL: the RM */
	const char *path;    /* with its query */
	const void *body;    /* copied; may be NULL */
	size_t len;
	const char *content_type;   /* NULL: application/json when there is a body */
	const char *const *headers; /* extra for this call, NULL-terminated; copied */
	unsigned flags;             /* weft_call_flags */
	long timeout_ms;            /* one try; 0: the client's */
	int64_t retry_ms;           /* 0: the client's; negative: no retry */
};
struct weft_call *weft_client_request(struct weft_client *client, const struct weft_request *req,
                                      weft_call_cb cb, void *arg);
/* Drop a call whose callback has not run yet: it will not run. */
void weft_call_cancel(struct weft_call *call);

#ifdef __cplusplus
}
#endif

#endif
