/*
 * am_service.h — the AM protocol (YARN's ApplicationMasterService):
 * POST /rpc/am/register, /rpc/am/allocate, /rpc/am/finish, authenticated
 * by X-Weft-AM-Token.  Only the application's current attempt is served;
 * any other gets 404 ApplicationAttemptNotFoundException and its AM exits.
 *
 * allocate answers exactly as protocol.h says: the grants that fit right
 * now (the ask is scheduled before the answer is built), each with a
 * signed container token, the attempt's completed containers (each
 * reported once), the cluster's free room and node count, and action
 * SHUTDOWN once the application is over.  An allocate that repeats the
 * previous responseId gets the previous answer again (a lost answer loses
 * no grants), as YARN does.
 */
#ifndef WEFT_RM_AM_SERVICE_H
#define WEFT_RM_AM_SERVICE_H

#include <json-c/json.h>
#include <stdint.h>

#include "common/proto_am.h"
#include "rm/scheduler.h"

struct rm;

/* Register the three routes on the RM's HTTP server. */
void am_service_routes(struct rm *rm);

/* The scheduler's asks for a decoded allocate body (out has room for
 * req->n_asks; node and rack names borrowed from req).  Public for the
 * fuzz harness, which checks them as the route does. */
void am_service_scheduler_asks(const struct proto_am_allocate *req, struct scheduler_ask *out);

#endif
