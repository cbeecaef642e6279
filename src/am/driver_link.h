/*
 * driver_link.h — client mode: the AM dials the driver that runs in
 * weft-submit on the client host (Spark's ExecutorLauncher).
 *
 * Over one line-delimited JSON connection (weft/protocol.h) the AM
 * registers ("register-am", then a challenge-response proving the
 * application secret both ways, the secret never sent), obeys
 * "request-executors", reports "executor-lost", and finishes the
 * application with the status of the driver's "shutdown".  If the
 * connection drops before a shutdown message, the application finishes
 * FAILED ("driver disconnected"): closing the laptop ends a client-mode
 * job.
 */
#ifndef WEFT_AM_DRIVER_LINK_H
#define WEFT_AM_DRIVER_LINK_H

#include <event2/event.h>

struct am;
struct driver_link;

/*
 * Attach to am (am_set_driver with driver_host:driver_port as what
 * executors dial).  Nothing is sent before driver_link_start().
 */
struct driver_link *driver_link_new(struct event_base *base, struct am *am, const char *driver_host,
                                    int driver_port, const char *app_secret,
                                    const char *application_id, const char *attempt_id);
/* Dial the driver and register. */
void driver_link_start(struct driver_link *link);
void driver_link_free(struct driver_link *link);

#endif
