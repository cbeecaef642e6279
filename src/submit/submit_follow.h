/*
 * submit_follow.h — following an application's report on the RM from an
 * event loop: GET /ws/v1/cluster/apps/{id} every poll interval with the
 * asynchronous HTTP client, each answer handed to a callback.
 *
 * A call that gets no answer is retried at the next tick; only when the
 * RM has not answered for give_up_ms does the follower report a fatal
 * error (an RM restart or a network blip must not fail a long job).  An
 * error answer (the app is unknown) is fatal at once.
 */
#ifndef WEFT_SUBMIT_FOLLOW_H
#define WEFT_SUBMIT_FOLLOW_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

struct http_client;

/* What weft-submit needs of an application report. */
struct submit_report {
	char *state;        /* YarnApplicationState, e.g. "RUNNING" */
	char *final_status; /* "UNDEFINED", "SUCCEEDED", "FAILED", "KILLED" */
	char *diagnostics;  /* "" when none */
	char *tracking_url; /* "" when none */
};

/* Parse {"app":{...}}.  RET 0 / -1 with *cause. */
int submit_report_parse(const char *body, size_t len, struct submit_report *r, char **cause);
void submit_report_clear(struct submit_report *r);

/* A report arrived (every poll, not only on change).  May free f. */
typedef void (*submit_follow_report_cb)(const struct submit_report *r, void *arg);
/* Following failed for good; f polls no more.  May free f. */
typedef void (*submit_follow_error_cb)(const char *error, void *arg);

struct submit_follow;

/* Start polling url now.  The follower does not own client. */
struct submit_follow *submit_follow_new(struct event_base *base, struct http_client *client,
                                        const char *url, int64_t interval_ms, int64_t give_up_ms,
                                        submit_follow_report_cb on_report,
                                        submit_follow_error_cb on_error, void *arg);
void submit_follow_free(struct submit_follow *f);

#endif
