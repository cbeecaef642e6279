/*
 * weft/nm_client.h — calls to NodeManagers' container API
 * (weft_nm_client(3)): YARN's NMClientAsync in C.  Start a granted
 * container with a launch context, stop it, ask for its status.
 *
 * Calls go to the node's HTTP address (weft_container.node_http_address)
 * through a weft_client, asynchronously on its loop; the container token
 * of the grant authorizes each of them, so no other credential is needed
 * (the client's own headers, e.g. an AM token, go along too: build the
 * NM client on a weft_client without them when that matters).  An NM is
 * one server: a call is tried once, and a refusal or silence is the
 * caller's to judge.
 */
#ifndef WEFT_NM_CLIENT_H
#define WEFT_NM_CLIENT_H

#include "weft/client.h"
#include "weft/container.h"

#ifdef __cplusplus
extern "C" {
#endif

struct weft_nm_client;

/* A start or stop ended: status->ok, or why not (status->message: the
 * NM's RemoteException message, or why no answer came).  container_id
 * is the one the call was about.  Runs once per call, unless the client
 * was freed first. */
typedef void (*weft_nm_client_cb)(const struct weft_status *status, const char *container_id,
                                  void *arg);
/* A status call ended: container is the NM's answer when status->ok
 * (valid during the callback), else NULL. */
typedef void (*weft_nm_client_status_cb)(const struct weft_status *status,
                                         const struct weft_container_status *container, void *arg);

/* An NM client on client (not owned; it must outlive this one). */
struct weft_nm_client *weft_nm_client_new(struct weft_client *client);
/* Cancel every call in flight (no callback runs) and free. */
void weft_nm_client_free(struct weft_nm_client *nm);

/*
 * Start container (its node_http_address and token are used) running
 * launch_context (copied when sent; the caller keeps and clears it).  A
 * start that succeeded answers ok; a token that expired or was already
 * used, 401 and 409.
 */
void weft_nm_client_start(struct weft_nm_client *nm, const struct weft_container *container,
                          const struct weft_launch_context *launch_context, weft_nm_client_cb cb,
                          void *arg);
/* Stop container (its container_id, node_http_address and token): the
 * NM sends SIGTERM, then SIGKILL, to its processes.  An unknown (or
 * long gone) container answers 404. */
void weft_nm_client_stop(struct weft_nm_client *nm, const struct weft_container *container,
                         weft_nm_client_cb cb, void *arg);
/* Ask for container's status (the same fields as stop). */
void weft_nm_client_status(struct weft_nm_client *nm, const struct weft_container *container,
                           weft_nm_client_status_cb cb, void *arg);
/* Calls in flight. */
int weft_nm_client_pending(const struct weft_nm_client *nm);

#ifdef __cplusplus
}
#endif

#endif
