/*
 * application.h — an application as this node sees it: the user it runs
 * as, its state, and the removal of its app cache directories once the RM
 * says it is done.
 *
 * States (YARN's NM application states):
 *   RUNNING ─▶ FINISHING_CONTAINERS_WAIT ─▶ APPLICATION_RESOURCES_CLEANINGUP
 *      └──────────────────────────────────────────▲          │
 *                                                            ▼
 *                                                         FINISHED
 * Logs are kept (there is no log aggregation yet); the app cache dirs are
 * removed nm.delete.debug-delay-sec after the last container ended.
 */
#ifndef WEFT_NM_APPLICATION_H
#define WEFT_NM_APPLICATION_H

#include <stdbool.h>

#include "nm/nm.h"

enum application_state {
	APPLICATION_RUNNING,
	APPLICATION_FINISHING_CONTAINERS_WAIT,
	APPLICATION_RESOURCES_CLEANINGUP,
	APPLICATION_FINISHED,
	APPLICATION_STATE_COUNT
};

struct application;

/* The app cache dirs are gone and the application is FINISHED. */
typedef void (*application_cleaned_cb)(struct application *a, void *arg);

const char *application_state_name(enum application_state state);
bool application_transition_allowed(enum application_state from, enum application_state to);

/* A RUNNING application (ctx may be NULL in tests: nothing to delete). */
struct application *application_new(struct nm_context *ctx, const char *id, const char *user);
/* Free it; a pending cleanup is cancelled. */
void application_free(struct application *a);

const char *application_id(const struct application *a);
const char *application_user(const struct application *a);
enum application_state application_get_state(const struct application *a);
/* Change state if the table allows it (logged).  RET 0 / -1. */
int application_set_state(struct application *a, enum application_state to);

/* Enter APPLICATION_RESOURCES_CLEANINGUP and, after the debug delay,
 * remove the app cache dir in every local dir, become FINISHED and call
 * cb (from the loop). */
void application_cleanup(struct application *a, application_cleaned_cb cb, void *arg);

#endif
