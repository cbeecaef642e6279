/*
 * webapp_waits.h — GET /ws/v1/cluster/apps/{id}?wait-while=STATE held
 * until the application leaves STATE (weft/protocol.h; weft's addition to
 * YARN's API, so that a client follows an application without polling).
 *
 * A held wait is a deferred request (http_request_defer) on its
 * application's list.  Nothing polls: the app manager tells the RM of
 * every state change (app_manager_events), this module marks the
 * application and, once the event that changed it is over (the rest of
 * the application is then up to date), answers the waits whose state it
 * left.  A wait also ends when its timeout passes, when its client goes
 * away (freed, unanswered) and when the RM stops (answered "shutdown").
 * Waits are bounded per application and in all (rm.app-wait.max-per-app,
 * rm.app-wait.max-total): beyond, the caller answers at once ("full").
 */
#ifndef WEFT_RM_WEBAPP_WAITS_H
#define WEFT_RM_WEBAPP_WAITS_H

#include <stdint.h>

#include "rm/app_manager.h"

struct rm;
struct http_request;
struct webapp_waits;

struct webapp_waits *webapp_waits_new(struct rm *rm);
/* Answer every held wait with the report as it is ("shutdown") and free;
 * before the HTTP server is freed, while the app manager still is. */
void webapp_waits_free(struct webapp_waits *w);

/*
 * Hold req, a GET of app_id's report while its state is while_state,
 * until that state changes or timeout_ms (> 0) pass; base_url is the
 * request's (for the report's trackingUrl).  RET 0 held (this module
 * answers), -1 when a cap is reached (nothing done: answer at once).
 */
int webapp_waits_hold(struct webapp_waits *w, struct http_request *req, const char *app_id,
                      enum app_state while_state, int64_t timeout_ms, const char *base_url);

/* app_manager_events.state_changed: the application's waits are looked
 * at once the current event is over. */
void webapp_waits_state_changed(struct webapp_waits *w, const char *app_id);

/* Waits held now: of app_id, or of every application when NULL. */
int webapp_waits_count(const struct webapp_waits *w, const char *app_id);

#endif
