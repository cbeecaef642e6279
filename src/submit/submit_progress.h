/*
 * submit_progress.h — weft-submit's progress display, from the driver's
 * status (the in-process driver in client mode, its status URL — the
 * application's trackingUrl — in cluster mode).
 *
 * On a terminal (stdout and stderr are ttys) one live line on stderr
 * shows every running stage, Spark's console progress bar:
 *
 *   [Stage 2:=====>                 (37 + 4) / 100][Stage 3:>  (0 + 0) / 4]
 *
 * (done + running) / total.  Otherwise (results redirected, a log file)
 * plain lines go to stderr, at most one per stage per period and only
 * when something changed:
 *
 *   weft-submit: stage 2 (counts): 37/100 tasks done, 4 running
 *   weft-submit: stage 2 (counts) done: 100 tasks (3 recomputed, 1 speculative, 2 failed)
 *
 * Results go to stdout, so progress never mixes with them.
 */
#ifndef WEFT_SUBMIT_PROGRESS_H
#define WEFT_SUBMIT_PROGRESS_H

#include <event2/event.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

struct driver;
struct http_client;
struct submit_progress;

/* IN err: where progress goes; tty: live bar or plain lines. */
struct submit_progress *submit_progress_new(struct event_base *base, struct http_client *client,
                                            FILE *err, bool tty);
/* Client mode: poll this driver. */
void submit_progress_follow_driver(struct submit_progress *p, struct driver *d);
/* Cluster mode: poll this status URL (from the application report). */
void submit_progress_follow_url(struct submit_progress *p, const char *url);
/* Take one status ("driver" object, not consumed) into account. */
void submit_progress_update(struct submit_progress *p, struct json_object *driver);
/* The end: a last update from the driver (client mode), the bar cleared,
 * and each stage's outcome in plain mode. */
void submit_progress_finish(struct submit_progress *p);
void submit_progress_free(struct submit_progress *p);

/* The bar of one stage, width columns (exposed for tests). */
char *submit_progress_bar(int stage, int done, int running, int total, int width);

#endif
