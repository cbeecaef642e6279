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

#include "rm/scheduler.h"

struct rm;

/* Register the three routes on the RM's HTTP server. */
void am_service_routes(struct rm *rm);

/* Everything an allocate body holds, read before anything is applied. */
struct am_request {
	int64_t response_id;
	double progress;
	struct scheduler_ask *asks;
	int n_asks;
	const char **hints; /* all asks' node and rack hints, in one array */
	const char **releases;
	int n_releases;
};

/* Decode an allocate body without applying it (strings borrowed from
 * body; public for the fuzz harness).  RET 0, or -1 with *cause naming the
 * field path; free *r with am_request_free either way. */
int am_service_parse_allocate(struct json_object *body, struct am_request *r, char **cause);
void am_request_free(struct am_request *r);

#endif
