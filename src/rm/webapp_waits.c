/*
 * webapp_waits.c — held GETs of an application's report, answered when
 * its state changes (see webapp_waits.h).
 *
 * Per application with waits: a list of them, and a flag saying a change
 * was reported since the last look.  A change only marks the application
 * and activates one event; that event's callback, which runs after the
 * code that moved the state has returned, reads each marked application's
 * state once and answers the waits that no longer match.  Several moves
 * in one event (NEW -> NEW_SAVING -> SUBMITTED -> ACCEPTED at submission)
 * are thus one look, and a report is never built from an application half
 * way through a change.  Applications without waits cost one map lookup
 * per state change.
 */
#include "weft_config.h"

#include "rm/webapp_waits.h"

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "common/assert.h"
#include "common/config.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "rm/rm.h"
#include "rm/strmap.h"
#include "rm/webapp.h"
#include "weft/ids.h"
#include "weft/protocol.h"

struct app_waits;

/* One held request. */
struct wait {
	TAILQ_ENTRY(wait) link;
	struct app_waits *app;
	struct http_request *req;
	enum app_state while_state;
	char *base_url;
	struct event *timer;
};

/* The waits of one application. */
struct app_waits {
	char id[WEFT_ID_MAX];
	struct webapp_waits *owner;
	TAILQ_HEAD(, wait) waits;
	int n;
	bool marked; /* on owner->marked: its state moved since the last look */
	TAILQ_ENTRY(app_waits) mark_link;
};

struct webapp_waits {
	struct rm *rm;
	struct strmap *apps; /* id -> struct app_waits */
	TAILQ_HEAD(, app_waits) marked;
	struct event *look; /* active while applications are marked */
	int total;
	int max_per_app, max_total;
};

static void webapp_waits_look_cb(evutil_socket_t fd, short what, void *arg);

struct webapp_waits *webapp_waits_new(struct rm *rm)
{
	struct webapp_waits *w = xcalloc(1, sizeof *w);

	w->rm = rm;
	w->apps = strmap_new();
	TAILQ_INIT(&w->marked);
	w->look = event_new(rm->base, -1, 0, webapp_waits_look_cb, w);
	if (w->look == NULL)
		fatalx("webapp_waits_new: event_new failed");
	w->max_per_app = (int)config_get_int(rm->cfg, "rm.app-wait.max-per-app");
	w->max_total = (int)config_get_int(rm->cfg, "rm.app-wait.max-total");
	return w;
}

/* Forget one wait (its request is answered or gone); its application's
 * record goes with its last wait. */
static void webapp_waits_drop(struct wait *wt)
{
	struct app_waits *a = wt->app;
	struct webapp_waits *w = a->owner;

	TAILQ_REMOVE(&a->waits, wt, link);
	a->n--;
	w->total--;
	event_free(wt->timer);
	free(wt->base_url);
	free(wt);
	if (a->n == 0) {
		if (a->marked)
			TAILQ_REMOVE(&w->marked, a, mark_link);
		strmap_remove(w->apps, a->id);
		free(a);
	}
}

/* Answer one wait with the report as it is now, and forget it. */
static void webapp_waits_answer(struct wait *wt, const char *outcome)
{
	struct webapp_waits *w = wt->app->owner;

	log_debug("%s: wait while %s answered (%s)", wt->app->id, app_state_name(wt->while_state),
	          outcome);
	webapp_reply_app(w->rm, wt->req, wt->app->id, wt->base_url, outcome);
	webapp_waits_drop(wt);
}

/* The client went away: nothing to answer. */
static void webapp_waits_gone_cb(void *arg)
{
	struct wait *wt = arg;

	log_debug("%s: client of a wait went away", wt->app->id);
	webapp_waits_drop(wt);
}

static void webapp_waits_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	webapp_waits_answer(arg, WEFT_APP_WAIT_TIMEOUT);
}

int webapp_waits_hold(struct webapp_waits *w, struct http_request *req, const char *app_id,
                      enum app_state while_state, int64_t timeout_ms, const char *base_url)
{
	struct app_waits *a = strmap_get(w->apps, app_id);
	struct timeval tv = {(time_t)(timeout_ms / 1000), (suseconds_t)(timeout_ms % 1000) * 1000};
	struct wait *wt;

	WEFT_ASSERT(timeout_ms > 0);
	if (w->total >= w->max_total || (a != NULL && a->n >= w->max_per_app)) {
		log_debug("%s: wait while %s not held: %d held for it, %d in all", app_id,
		          app_state_name(while_state), a != NULL ? a->n : 0, w->total);
		return -1;
	}
	if (a == NULL) {
		a = xcalloc(1, sizeof *a);
		snprintf(a->id, sizeof a->id, "%s", app_id);
		a->owner = w;
		TAILQ_INIT(&a->waits);
		strmap_put(w->apps, a->id, a);
	}
	wt = xcalloc(1, sizeof *wt);
	wt->app = a;
	wt->req = req;
	wt->while_state = while_state;
	wt->base_url = xstrdup(base_url);
	wt->timer = evtimer_new(w->rm->base, webapp_waits_timeout_cb, wt);
	if (wt->timer == NULL)
		fatalx("webapp_waits_hold: evtimer_new failed");
	evtimer_add(wt->timer, &tv);
	TAILQ_INSERT_TAIL(&a->waits, wt, link);
	a->n++;
	w->total++;
	http_request_defer(req, webapp_waits_gone_cb, wt);
	log_debug("%s: wait while %s held (%lld ms; %d held for it)", app_id,
	          app_state_name(while_state), (long long)timeout_ms, a->n);
	return 0;
}

void webapp_waits_state_changed(struct webapp_waits *w, const char *app_id)
{
	struct app_waits *a;

	if (w == NULL)
		return;
	a = strmap_get(w->apps, app_id);
	if (a == NULL || a->marked)
		return;
	a->marked = true;
	TAILQ_INSERT_TAIL(&w->marked, a, mark_link);
	event_active(w->look, EV_TIMEOUT, 1);
}

/* Look at every marked application once: answer its waits whose state it
 * left (all of them when it is gone). */
static void webapp_waits_look_cb(evutil_socket_t fd, short what, void *arg)
{
	struct webapp_waits *w = arg;
	struct app_waits *a;

	while ((a = TAILQ_FIRST(&w->marked)) != NULL) {
		struct app_report r;
		bool known = app_manager_report(w->rm->apps, a->id, &r) == 0;
		struct wait *wt, *next;
		int left = a->n;

		TAILQ_REMOVE(&w->marked, a, mark_link);
		a->marked = false;
		/* Answering the last wait frees a: count instead of looking. */
		for (wt = TAILQ_FIRST(&a->waits); left > 0; wt = next, left--) {
			next = TAILQ_NEXT(wt, link);
			if (!known || r.state != wt->while_state)
				webapp_waits_answer(wt, WEFT_APP_WAIT_CHANGED);
		}
	}
}

/* strmap_foreach: collect the applications (the answers change the map). */
static void webapp_waits_collect_cb(const char *key, void *value, void *arg)
{
	struct app_waits ***list = arg;

	*(*list)++ = value;
}

void webapp_waits_free(struct webapp_waits *w)
{
	struct app_waits **all, **end;
	size_t n;

	if (w == NULL)
		return;
	n = strmap_count(w->apps);
	all = xcalloc(n + 1, sizeof *all);
	end = all;
	strmap_foreach(w->apps, webapp_waits_collect_cb, &end);
	for (size_t i = 0; i < n; i++) {
		struct app_waits *a = all[i];
		int left = a->n;

		/* The last answer frees a. */
		while (left-- > 0)
			webapp_waits_answer(TAILQ_FIRST(&a->waits), WEFT_APP_WAIT_SHUTDOWN);
	}
	free(all);
	WEFT_ASSERT(w->total == 0);
	strmap_free(w->apps);
	event_free(w->look);
	free(w);
}

int webapp_waits_count(const struct webapp_waits *w, const char *app_id)
{
	const struct app_waits *a;

	if (app_id == NULL)
		return w->total;
	a = strmap_get(w->apps, app_id);
	return a != NULL ? a->n : 0;
}
