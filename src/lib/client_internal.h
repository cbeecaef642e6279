/*
 * client_internal.h — what libweft's clients (rm_client, am_client,
 * nm_client) and weft's own programs share beyond the public
 * weft/client.h.  Not installed.
 */
#ifndef WEFT_LIB_CLIENT_INTERNAL_H
#define WEFT_LIB_CLIENT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/http_client.h"
#include "weft/client.h"

/*
 * Parse an address list (weft_client_options.rm_addresses) into base URLs
 * "http://host:port".  RET 0 with *out (n_out entries, caller frees each
 * and the array), or -1 with *cause.
 */
int client_parse_addresses(const char *list, char ***out, int *n_out, char **cause);

/*
 * The one line an error answer says: its RemoteException's message (or
 * exception), else the body's first line, else "HTTP <status>".  Caller
 * frees; *exception (when not NULL) gets the exception's name or NULL.
 */
char *client_error_message(long status, const char *body, size_t len, char **exception);

/* The bound on one try of a call (options.call_timeout_ms or its
 * default). */
long client_call_timeout_ms(const struct weft_client *c);
/* Percent-encode text for a query-string value: everything but RFC
 * 3986's unreserved characters (caller frees). */
char *client_query_escape(const char *text);
/* Every RM address, "http://a:1, http://b:2" (for messages; caller
 * frees). */
char *client_rm_urls_text(const struct weft_client *c);

/* Reference counting of a client, for the clients built on it: hold a
 * reference across a callback that may free the client. */
void client_ref(struct weft_client *c);
void client_unref(struct weft_client *c);
/* Whether weft_client_free() was called (a held reference keeps memory). */
bool client_dead(const struct weft_client *c);

/*
 * NM calls of weft's own daemons, which sign a call with the cluster
 * secret instead of presenting a container token (the RM's AM launcher
 * stopping a container): sign returns a whole "Name: value" header for
 * method, path and body (caller frees), added to every call of nm that
 * carries no container token.
 */
struct weft_nm_client;
typedef char *(*nm_client_sign_fn)(void *arg, const char *method, const char *path,
                                   const char *body, size_t len);
void nm_client_set_signer(struct weft_nm_client *nm, nm_client_sign_fn sign, void *arg);

/* ------------------------------------------------------------------ */
/*
 * Transports: how one try of a call reaches a server.  The client keeps
 * every policy above them (address list and failover, retries and
 * backoff, 429 Retry-After, identity, the error message); a transport
 * only carries a request and brings back what answered.  The default is
 * libcurl's multi interface (client_curl_transport); a program with other
 * needs plugs its own in with client_set_transport() (weft-sls: a bounded
 * pool of keep-alive sockets, src/sls/rm_pool.c).
 */

/* One try: what to send where.  Valid only during request(). */
struct client_try {
	const char *method;         /* "GET", "POST", "PUT", "DELETE" */
	const char *base_url;       /* "http://host:port" */
	const char *target;         /* the path with its query */
	const char *const *headers; /* "Name: value", NULL-terminated */
	const char *body;           /* NULL: none */
	size_t len;
	long timeout_ms; /* bounds this try */
};

struct client_transport {
	/*
	 * Send one try.  cb runs exactly once with the outcome unless the
	 * try is cancelled first, and always from the loop, never from
	 * inside request().  The outcome: status 0 and error when no answer
	 * came, not_delivered when the request never left (nothing was
	 * sent), retry_after_s from the answer (-1: none), body
	 * NUL-terminated and valid during cb only.  RET a handle for cancel.
	 */
	void *(*request)(void *state, const struct client_try *t, http_response_cb cb, void *arg);
	/* Drop a try whose callback has not run: it will not run. */
	void (*cancel)(void *state, void *handle);
};

/* The default: libcurl; state is a struct http_client. */
extern const struct client_transport client_curl_transport;

/*
 * Send every try of c's calls through transport (state is handed back to
 * it) instead of libcurl.  Only before c's first call; transport and state
 * must outlive c (weft_client_free cancels through them).
 */
void client_set_transport(struct weft_client *c, const struct client_transport *transport,
                          void *state);

#endif
