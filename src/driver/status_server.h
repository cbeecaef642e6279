/*
 * status_server.h — the driver's status over HTTP (Spark's application
 * UI, as JSON only).
 *
 *   GET /ws/v1/driver          {"driver":{...}} (see weft/protocol.h)
 *   GET /                      the same
 *
 * It listens on an ephemeral port of the driver's host; its URL is what
 * the AM registers as the application's trackingUrl, and what weft-submit
 * reads for its progress lines in cluster mode.
 */
#ifndef WEFT_DRIVER_STATUS_SERVER_H
#define WEFT_DRIVER_STATUS_SERVER_H

#include <event2/event.h>
#include <json-c/json.h>

struct status_server;

/* build(arg) makes the body's "driver" object (the server puts it). */
typedef struct json_object *(*status_build_cb)(void *arg);

/* Listen on bind_host:0 (required: no default wildcard).  RET the server, or NULL with *cause. */
struct status_server *status_server_new(struct event_base *base, const char *bind_host,
                                        const char *advertise_host, status_build_cb build,
                                        void *arg, char **cause);
/* "http://host:port/ws/v1/driver". */
const char *status_server_url(const struct status_server *s);
void status_server_free(struct status_server *s);

#endif
