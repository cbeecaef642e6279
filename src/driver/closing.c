/*
 * closing.c — connections closing after their last message (see closing.h).
 *
 * Owns the connections the driver is done with.  A short periodic timer
 * per connection watches its output queue: once the queue has been empty
 * for CLOSING_FLUSHED_MS the bytes are in the peer's hands (or its
 * kernel's), and the connection is freed; the peer closing first frees it
 * at once, and CLOSING_MAX_MS bounds the whole thing.
 */
#include "weft_config.h"

#include "driver/closing.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/queue.h>

#include "common/daemon.h"
#include "common/lineconn.h"
#include "common/log.h"
#include "common/xmalloc.h"

#define CLOSING_CHECK_MS   20
#define CLOSING_FLUSHED_MS 100
#define CLOSING_MAX_MS     2000

struct closing_conn {
	struct closing *l;
	struct lineconn *c;
	struct event *timer;
	int64_t started_ms;
	int64_t flushed_ms; /* when the queue was first seen empty; 0 = not yet */
	TAILQ_ENTRY(closing_conn) entry;
};

struct closing {
	struct event_base *base;
	void (*on_empty)(void *arg);
	void *arg;
	struct event *empty_event;
	int count;
	TAILQ_HEAD(, closing_conn) conns;
};

/* Tell the owner, from the loop, that nothing lingers any more. */
static void closing_empty_cb(evutil_socket_t fd, short events, void *arg)
{
	struct closing *l = arg;

	if (l->count == 0 && l->on_empty != NULL)
		l->on_empty(l->arg);
}

/* A lingering set with nothing in it. */
struct closing *closing_new(struct event_base *base, void (*on_empty)(void *arg), void *arg)
{
	struct closing *l;

	l = xcalloc(1, sizeof *l);
	l->base = base;
	l->on_empty = on_empty;
	l->arg = arg;
	l->empty_event = event_new(base, -1, 0, closing_empty_cb, l);
	if (l->empty_event == NULL)
		fatalx("closing_new: event_new failed");
	TAILQ_INIT(&l->conns);
	return l;
}

/* Free one connection for good. */
static void closing_release(struct closing_conn *lc)
{
	struct closing *l = lc->l;

	TAILQ_REMOVE(&l->conns, lc, entry);
	l->count--;
	event_free(lc->timer);
	lineconn_free(lc->c);
	free(lc);
	if (l->count == 0)
		event_active(l->empty_event, EV_TIMEOUT, 1);
}

/* Anything the peer still says is ignored. */
static void closing_message_cb(struct lineconn *c, struct json_object *msg, void *arg)
{
}

/* The peer closed: done. */
static void closing_close_cb(struct lineconn *c, const char *reason, void *arg)
{
	closing_release(arg);
}

/* Flushed long enough, or out of time. */
static void closing_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct closing_conn *lc = arg;
	int64_t now = time_mono_ms();

	if (lineconn_pending(lc->c) == 0) {
		if (lc->flushed_ms == 0)
			lc->flushed_ms = now;
		else if (now - lc->flushed_ms >= CLOSING_FLUSHED_MS) {
			closing_release(lc);
			return;
		}
	}
	if (now - lc->started_ms >= CLOSING_MAX_MS) {
		log_debug("%s: closing with %zu bytes unsent", lineconn_peer(lc->c),
		          lineconn_pending(lc->c));
		closing_release(lc);
	}
}

/* Take c over until it is safe to close. */
void closing_add(struct closing *l, struct lineconn *c)
{
	struct timeval tv = {0, CLOSING_CHECK_MS * 1000};
	struct closing_conn *lc;

	lc = xcalloc(1, sizeof *lc);
	lc->l = l;
	lc->c = c;
	lc->started_ms = time_mono_ms();
	lc->timer = event_new(l->base, -1, EV_PERSIST, closing_timer_cb, lc);
	if (lc->timer == NULL)
		fatalx("closing_add: event_new failed");
	event_add(lc->timer, &tv);
	TAILQ_INSERT_TAIL(&l->conns, lc, entry);
	l->count++;
	lineconn_set_callbacks(c, closing_message_cb, closing_close_cb, lc);
}

/* Connections not freed yet. */
int closing_count(const struct closing *l)
{
	return l->count;
}

/* Free everything now (the driver is going away). */
void closing_free(struct closing *l)
{
	struct closing_conn *lc;

	if (l == NULL)
		return;
	while ((lc = TAILQ_FIRST(&l->conns)) != NULL) {
		TAILQ_REMOVE(&l->conns, lc, entry);
		event_free(lc->timer);
		lineconn_free(lc->c);
		free(lc);
	}
	event_free(l->empty_event);
	free(l);
}
