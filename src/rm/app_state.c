/*
 * app_state.c — the application and attempt state machines (YARN's
 * RMAppState / RMAppAttemptState as the REST API shows them): their names,
 * their tables of legal moves, and the one setter of each, which refuses
 * a move the table does not allow (an assertion: the app manager's code
 * never asks for one) and logs every change.  app_manager.h draws both
 * machines.
 */
#include "weft_config.h"

#include <strings.h>

#include "common/assert.h"
#include "common/log.h"
#include "rm/app_manager_impl.h"

#define BIT(x) (1u << (x))

static const char *const app_state_names[APP_STATE_COUNT] = {
        "NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING", "FINISHED", "FAILED", "KILLED",
};

/* Every application state and where it may go. */
static const unsigned app_transitions[APP_STATE_COUNT] = {
        [APP_NEW] = BIT(APP_NEW_SAVING) | BIT(APP_FAILED) | BIT(APP_KILLED),
        [APP_NEW_SAVING] = BIT(APP_SUBMITTED) | BIT(APP_FAILED) | BIT(APP_KILLED),
        [APP_SUBMITTED] = BIT(APP_ACCEPTED) | BIT(APP_FAILED) | BIT(APP_KILLED),
        [APP_ACCEPTED] = BIT(APP_RUNNING) | BIT(APP_FAILED) | BIT(APP_KILLED),
        [APP_RUNNING] = BIT(APP_ACCEPTED) | BIT(APP_FINISHED) | BIT(APP_FAILED) | BIT(APP_KILLED),
        [APP_FINISHED] = 0,
        [APP_FAILED] = 0,
        [APP_KILLED] = 0,
};

static const char *const final_status_names[FINAL_STATUS_COUNT] = {
        "UNDEFINED",
        "SUCCEEDED",
        "FAILED",
        "KILLED",
};

static const char *const attempt_state_names[ATTEMPT_STATE_COUNT] = {
        "NEW",     "SUBMITTED", "SCHEDULED", "ALLOCATED", "LAUNCHED",
        "RUNNING", "FINISHED",  "FAILED",    "KILLED",
};

/* Every attempt state and where it may go. */
static const unsigned attempt_transitions[ATTEMPT_STATE_COUNT] = {
        [ATTEMPT_NEW] = BIT(ATTEMPT_SUBMITTED) | BIT(ATTEMPT_KILLED),
        [ATTEMPT_SUBMITTED] = BIT(ATTEMPT_SCHEDULED) | BIT(ATTEMPT_FAILED) | BIT(ATTEMPT_KILLED),
        [ATTEMPT_SCHEDULED] = BIT(ATTEMPT_ALLOCATED) | BIT(ATTEMPT_FAILED) | BIT(ATTEMPT_KILLED),
        [ATTEMPT_ALLOCATED] = BIT(ATTEMPT_LAUNCHED) | BIT(ATTEMPT_RUNNING) | BIT(ATTEMPT_FAILED) |
                              BIT(ATTEMPT_KILLED),
        [ATTEMPT_LAUNCHED] = BIT(ATTEMPT_RUNNING) | BIT(ATTEMPT_FAILED) | BIT(ATTEMPT_KILLED),
        [ATTEMPT_RUNNING] = BIT(ATTEMPT_FINISHED) | BIT(ATTEMPT_FAILED) | BIT(ATTEMPT_KILLED),
        [ATTEMPT_FINISHED] = 0,
        [ATTEMPT_FAILED] = 0,
        [ATTEMPT_KILLED] = 0,
};

/* --- names --- */

/* A state's name as the REST API shows it. */
const char *app_state_name(enum app_state s)
{
	return s < APP_STATE_COUNT ? app_state_names[s] : "UNKNOWN";
}

/* Case-insensitive, as the REST filters. */
int app_state_parse(const char *text, enum app_state *out)
{
	for (int i = 0; i < APP_STATE_COUNT; i++) {
		if (strcasecmp(text, app_state_names[i]) == 0) {
			*out = (enum app_state)i;
			return 0;
		}
	}
	return -1;
}

/* A final status's name as the REST API shows it. */
const char *app_final_status_name(enum app_final_status s)
{
	return s < FINAL_STATUS_COUNT ? final_status_names[s] : "UNDEFINED";
}

/* Case-insensitive. */
int app_final_status_parse(const char *text, enum app_final_status *out)
{
	for (int i = 0; i < FINAL_STATUS_COUNT; i++) {
		if (strcasecmp(text, final_status_names[i]) == 0) {
			*out = (enum app_final_status)i;
			return 0;
		}
	}
	return -1;
}

/* An attempt state's name as the REST API shows it. */
const char *attempt_state_name(enum attempt_state s)
{
	return s < ATTEMPT_STATE_COUNT ? attempt_state_names[s] : "UNKNOWN";
}

/* --- the tables --- */

/* A state with no way out. */
bool app_state_final(enum app_state s)
{
	return s == APP_FINISHED || s == APP_FAILED || s == APP_KILLED;
}

/* A state with no way out. */
bool attempt_state_final(enum attempt_state s)
{
	return s == ATTEMPT_FINISHED || s == ATTEMPT_FAILED || s == ATTEMPT_KILLED;
}

/* Whether the application table allows from -> to. */
bool app_state_allowed(enum app_state from, enum app_state to)
{
	return from < APP_STATE_COUNT && to < APP_STATE_COUNT &&
	       (app_transitions[from] & BIT(to)) != 0;
}

/* Whether the attempt table allows from -> to. */
bool attempt_state_allowed(enum attempt_state from, enum attempt_state to)
{
	return from < ATTEMPT_STATE_COUNT && to < ATTEMPT_STATE_COUNT &&
	       (attempt_transitions[from] & BIT(to)) != 0;
}

/* --- the setters --- */

/* Move an application along its table, logging every change and telling
 * the app manager's listener. */
int app_state_set(struct rm_app *app, enum app_state to, const char *why)
{
	if (app->state == to)
		return 0;
	if (!WEFT_ASSERT(app_state_allowed(app->state, to))) {
		log_error("%s: refused transition %s -> %s (%s)", app->id,
		          app_state_name(app->state), app_state_name(to), why);
		return -1;
	}
	log_info("%s: %s -> %s (%s)", app->id, app_state_name(app->state), app_state_name(to), why);
	app->state = to;
	if (app->manager != NULL && app->manager->events.state_changed != NULL)
		app->manager->events.state_changed(app->manager->events.arg, app->id);
	return 0;
}

/* Move an attempt along its table, logging every change. */
int attempt_state_set(struct rm_attempt *at, enum attempt_state to, const char *why)
{
	if (at->state == to)
		return 0;
	if (!WEFT_ASSERT(attempt_state_allowed(at->state, to))) {
		log_error("%s: refused transition %s -> %s (%s)", at->id,
		          attempt_state_name(at->state), attempt_state_name(to), why);
		return -1;
	}
	log_info("%s: %s -> %s (%s)", at->id, attempt_state_name(at->state), attempt_state_name(to),
	         why);
	at->state = to;
	return 0;
}
