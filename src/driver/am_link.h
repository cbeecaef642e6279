/*
 * am_link.h — the client-mode AM's connection to the driver.
 *
 * In client mode the driver runs in weft-submit and the AM (Spark's
 * ExecutorLauncher) only negotiates containers; it dials the driver like
 * an executor does and says "register-am".  Over that link the driver
 * asks for executors ("request-executors") and says when the job is over
 * ("shutdown" with the final status); the AM reports executors' containers
 * that ended ("executor-lost").  One AM at a time: a newer attempt that
 * registers replaces the older link.
 */
#ifndef WEFT_DRIVER_AM_LINK_H
#define WEFT_DRIVER_AM_LINK_H

#include <event2/event.h>
#include <json-c/json.h>
#include <stdbool.h>

struct am_link;
struct lineconn;
struct closing;

struct am_link_callbacks {
	/* The AM says an executor's container ended. */
	void (*executor_lost)(void *arg, const char *container_id, int exit_status,
	                      const char *diagnostics);
	/* A registered AM's link dropped (or it sent a bad message). */
	void (*disconnected)(void *arg, const char *reason);
	void *arg;
};

struct am_link *am_link_new(struct event_base *base, const char *secret, struct closing *closing,
                            const struct am_link_callbacks *cb);
/* A connection whose first message is msg ({"type":"register-am"}):
 * admit it (after the job ended: answer shutdown) or reject it. */
void am_link_register(struct am_link *l, struct lineconn *c, struct json_object *msg);
/* Refuse an AM with reason (a cluster-mode driver has no AM link). */
void am_link_refuse(struct am_link *l, struct lineconn *c, const char *reason);
/* Whether an AM is registered now, and whether one ever was. */
bool am_link_connected(const struct am_link *l);
bool am_link_ever_connected(const struct am_link *l);
/* Want total executors; remembered and sent again to a newer AM. */
void am_link_request_executors(struct am_link *l, int total);
/* Stop this executor's container (dynamic allocation releases it). */
void am_link_kill_executor(struct am_link *l, const char *container_id);
/* The driver's status URL: an AM hears it in "registered" and registers
 * it with the RM as the application's trackingUrl. */
void am_link_set_tracking_url(struct am_link *l, const char *url);
/* The job is over: tell the AM (now, or when it registers) and let the
 * link close. */
void am_link_shutdown(struct am_link *l, bool succeeded, const char *diagnostics);
void am_link_free(struct am_link *l);

#endif
