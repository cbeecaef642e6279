/*
 * weft/rm_client.h — the resource manager's client (YARN's YarnClient):
 * new applications, the staging area, submission, reports, listing,
 * killing, attempts, and waiting for a state change without polling
 * (weft_rm_client(3)).
 *
 * Built on a struct weft_client (weft/client.h), which brings the RM
 * address list, failover, retries and the caller's identity.  Every call
 * is asynchronous: it returns a handle at once and answers through its
 * callback on the client's event_base, exactly once (unless cancelled),
 * never from inside the call itself.  A callback's status says how the
 * call ended (status->ok, the HTTP status, the RM's message); its typed
 * results are valid during the callback only and are NULL (or 0 long)
 * when !status->ok.  An answer the library cannot read is a failure with
 * the answer's HTTP status and a message saying what was wrong with it.
 *
 * Which calls are repeated after they may have reached an RM (a timeout,
 * no answer, a 5xx): the reads, the wait, a kill and a staging PUT (they
 * are safe to repeat), and a submission (the RM answers the same
 * submission of the same application id as accepted again);
 * new-application is not (a repeat would hand out a second id).
 *
 * One-shot tools use the *_sync calls on a blocking client
 * (weft_client_new_blocking): each runs the client's private loop until
 * its answer came, RET 0 with the results (owned by the caller: free them
 * with the *_free function named) or -1 with *err filled (when err is not
 * NULL; clear it with weft_error_clear).
 */
#ifndef WEFT_RM_CLIENT_H
#define WEFT_RM_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weft/app.h"
#include "weft/client.h"

#ifdef __cplusplus
extern "C" {
#endif

struct weft_rm_client;
struct weft_rm_op;

/* How long a wait pauses before asking again when the RM answered without
 * holding it (it holds as many waits as it will, it is stopping, or it
 * does not know waits), unless weft_rm_client_set_wait_pace says. */
#define WEFT_RM_WAIT_PACE_MS 1000

/* An RM client on client (not owned: it must outlive the RM client). */
struct weft_rm_client *weft_rm_client_new(struct weft_client *client);
/* Cancel every call in flight (no callback runs) and free.  Safe from
 * inside one of its callbacks. */
void weft_rm_client_free(struct weft_rm_client *rm);
/* The client it was built on. */
struct weft_client *weft_rm_client_client(const struct weft_rm_client *rm);
/* The pause of a wait the RM did not hold (ms > 0). */
void weft_rm_client_set_wait_pace(struct weft_rm_client *rm, int ms);
/* Cancel one call whose callback has not run yet: it will not run. */
void weft_rm_op_cancel(struct weft_rm_op *op);

/* ------------------------------------------------------------------ */
/* Asynchronous calls. */

/* POST /ws/v1/cluster/apps/new-application: an application id and the
 * largest container the cluster grants.  Not repeated once it may have
 * reached an RM. */
typedef void (*weft_rm_new_application_cb)(const struct weft_status *status,
                                           const struct weft_new_application *app, void *arg);
struct weft_rm_op *weft_rm_new_application(struct weft_rm_client *rm, weft_rm_new_application_cb cb,
                                           void *arg);

/*
 * PUT /ws/v1/staging/{app_id}/{name}: put a file into the RM's staging
 * area, where the application's containers download it from (the url of
 * the answer goes into a weft_app_file).  name is [A-Za-z0-9._-]{1,128},
 * not starting with '.'.  From memory (data copied; content_type NULL:
 * application/octet-stream) or from a local file (read whole when the
 * call is made).  Bad arguments or an unreadable file fail from the loop
 * with http_status 0.
 */
typedef void (*weft_rm_staged_cb)(const struct weft_status *status,
                                  const struct weft_staged_file *file, void *arg);
struct weft_rm_op *weft_rm_stage_data(struct weft_rm_client *rm, const char *app_id,
                                      const char *name, const void *data, size_t len,
                                      const char *content_type, weft_rm_staged_cb cb, void *arg);
struct weft_rm_op *weft_rm_stage_file(struct weft_rm_client *rm, const char *app_id,
                                      const char *name, const char *path, weft_rm_staged_cb cb,
                                      void *arg);

/* POST /ws/v1/cluster/apps: submit (the RM answers 202).  submission is
 * encoded when the call is made (the caller's memory is not kept). */
typedef void (*weft_rm_done_cb)(const struct weft_status *status, void *arg);
struct weft_rm_op *weft_rm_submit(struct weft_rm_client *rm,
                                  const struct weft_app_submission *submission, weft_rm_done_cb cb,
                                  void *arg);

/* GET /ws/v1/cluster/apps/{app_id}: the application's report. */
typedef void (*weft_rm_report_cb)(const struct weft_status *status,
                                  const struct weft_app_report *report, void *arg);
struct weft_rm_op *weft_rm_get_app(struct weft_rm_client *rm, const char *app_id,
                                   weft_rm_report_cb cb, void *arg);

/*
 * Wait for the application to leave while_state (case does not matter),
 * without polling: the RM holds the request until the state changes
 * (GET .../apps/{app_id}?wait-while=, weft-rm(8)).  The callback gets the
 * report as soon as its state is not while_state, or, when timeout_ms > 0
 * passed first, the report as it is then (still in while_state: the
 * caller compares).  timeout_ms <= 0 waits as long as it takes (the RM
 * bounds each request, the client asks again).  When the RM cannot hold
 * the wait (it holds as many as it will, it is stopping, or it predates
 * waits) the client asks again after the wait pace.  while_state NULL:
 * the report now.  A while_state that is not an application state fails
 * from the loop.
 */
struct weft_rm_op *weft_rm_wait_app(struct weft_rm_client *rm, const char *app_id,
                                    const char *while_state, int64_t timeout_ms,
                                    weft_rm_report_cb cb, void *arg);

/* GET /ws/v1/cluster/apps with YARN's filters (NULL or 0: not filtered). */
struct weft_app_filter {
	const char *states; /* comma-separated states, e.g. "RUNNING,ACCEPTED" */
	const char *queue;  /* a queue's name or path: it and the queues below */
	const char *user;
	int64_t limit; /* the first `limit` applications that match */
};
typedef void (*weft_rm_apps_cb)(const struct weft_status *status,
                                const struct weft_app_report *apps, int n_apps, void *arg);
struct weft_rm_op *weft_rm_list_apps(struct weft_rm_client *rm,
                                     const struct weft_app_filter *filter, weft_rm_apps_cb cb,
                                     void *arg);

/* PUT /ws/v1/cluster/apps/{app_id}/state {"state":"KILLED"}: the state the
 * RM answers and whether the application had already ended (then nothing
 * changed).  The RM kills at once; the state may still be the old one
 * for a moment (weft_rm_wait_app follows it). */
typedef void (*weft_rm_kill_cb)(const struct weft_status *status, const char *state,
                                bool already_final, void *arg);
struct weft_rm_op *weft_rm_kill_app(struct weft_rm_client *rm, const char *app_id,
                                    weft_rm_kill_cb cb, void *arg);

/* GET /ws/v1/cluster/apps/{app_id}/appattempts: the attempts, oldest
 * first as the RM lists them. */
typedef void (*weft_rm_attempts_cb)(const struct weft_status *status,
                                    const struct weft_app_attempt *attempts, int n_attempts,
                                    void *arg);
struct weft_rm_op *weft_rm_get_attempts(struct weft_rm_client *rm, const char *app_id,
                                        weft_rm_attempts_cb cb, void *arg);

/* ------------------------------------------------------------------ */
/* The blocking layer (a client from weft_client_new_blocking). */

/* Why a *_sync call failed: a copy of its weft_status. */
struct weft_error {
	long http_status; /* 0: no answer came */
	char *message;
	char *exception; /* the RemoteException's, or NULL */
};
void weft_error_clear(struct weft_error *err);

/* Owned lists (one allocation each, strings included). */
struct weft_app_list {
	int n;
	struct weft_app_report *apps;
};
struct weft_attempt_list {
	int n;
	struct weft_app_attempt *attempts;
};
void weft_app_report_free(struct weft_app_report *report);
void weft_app_list_free(struct weft_app_list *list);
void weft_attempt_list_free(struct weft_attempt_list *list);
void weft_staged_file_free(struct weft_staged_file *file);

int weft_rm_new_application_sync(struct weft_rm_client *rm, struct weft_new_application *out,
                                 struct weft_error *err);
int weft_rm_stage_data_sync(struct weft_rm_client *rm, const char *app_id, const char *name,
                            const void *data, size_t len, const char *content_type,
                            struct weft_staged_file **out, struct weft_error *err);
int weft_rm_stage_file_sync(struct weft_rm_client *rm, const char *app_id, const char *name,
                            const char *path, struct weft_staged_file **out,
                            struct weft_error *err);
int weft_rm_submit_sync(struct weft_rm_client *rm, const struct weft_app_submission *submission,
                        struct weft_error *err);
int weft_rm_get_app_sync(struct weft_rm_client *rm, const char *app_id,
                         struct weft_app_report **out, struct weft_error *err);
int weft_rm_wait_app_sync(struct weft_rm_client *rm, const char *app_id, const char *while_state,
                          int64_t timeout_ms, struct weft_app_report **out, struct weft_error *err);
int weft_rm_list_apps_sync(struct weft_rm_client *rm, const struct weft_app_filter *filter,
                           struct weft_app_list **out, struct weft_error *err);
/* *state (caller frees) may be NULL when not wanted. */
int weft_rm_kill_app_sync(struct weft_rm_client *rm, const char *app_id, char **state,
                          bool *already_final, struct weft_error *err);
int weft_rm_get_attempts_sync(struct weft_rm_client *rm, const char *app_id,
                              struct weft_attempt_list **out, struct weft_error *err);

#ifdef __cplusplus
}
#endif

#endif
