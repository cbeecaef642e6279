/*
 * liveness.c — one ordered list and one timer per monitor.
 *
 * The timer is armed for the head's deadline whenever the list becomes
 * non-empty and re-armed after each firing.  A check-in of the head moves
 * it back, so the timer may fire before anything is due; it then just
 * re-arms — never late, and never a scan of the whole list.
 */
#include "weft_config.h"

#include "rm/liveness.h"

#include <stdlib.h>

#include "common/daemon.h"
#include "common/xmalloc.h"

TAILQ_HEAD(liveness_list, liveness_entry);

struct liveness {
	struct liveness_list entries;
	struct event *timer;
	int64_t expiry_ms;
	liveness_expired_cb expired;
	void *arg;
};

static void liveness_timer_cb(evutil_socket_t fd, short what, void *arg);

/* A monitor with nothing to watch yet. */
struct liveness *liveness_new(struct event_base *base, int64_t expiry_ms,
                              liveness_expired_cb expired, void *arg)
{
	struct liveness *l = xcalloc(1, sizeof *l);

	TAILQ_INIT(&l->entries);
	l->expiry_ms = expiry_ms;
	l->expired = expired;
	l->arg = arg;
	l->timer = evtimer_new(base, liveness_timer_cb, l);
	if (l->timer == NULL)
		fatalx("liveness_new: evtimer_new failed");
	return l;
}

/* Forget every entry (their owners are freed by their modules). */
void liveness_free(struct liveness *l)
{
	struct liveness_entry *e;

	if (l == NULL)
		return;
	while ((e = TAILQ_FIRST(&l->entries)) != NULL) {
		TAILQ_REMOVE(&l->entries, e, link);
		e->listed = false;
	}
	event_free(l->timer);
	free(l);
}

/* Entries start unlisted. */
void liveness_entry_init(struct liveness_entry *e, void *owner)
{
	e->listed = false;
	e->last_ms = 0;
	e->owner = owner;
}

/* Arm the timer for the head's deadline (or disarm when empty). */
static void liveness_arm(struct liveness *l)
{
	struct liveness_entry *head = TAILQ_FIRST(&l->entries);
	int64_t wait_ms;
	struct timeval tv;

	if (head == NULL) {
		evtimer_del(l->timer);
		return;
	}
	wait_ms = head->last_ms + l->expiry_ms - time_mono_ms();
	if (wait_ms < 0)
		wait_ms = 0;
	tv.tv_sec = wait_ms / 1000;
	tv.tv_usec = (wait_ms % 1000) * 1000;
	evtimer_add(l->timer, &tv);
}

/* Check in: the entry goes to the tail with a fresh time. */
void liveness_touch(struct liveness *l, struct liveness_entry *e)
{
	bool was_empty = TAILQ_EMPTY(&l->entries);

	if (e->listed)
		TAILQ_REMOVE(&l->entries, e, link);
	e->last_ms = time_mono_ms();
	e->listed = true;
	TAILQ_INSERT_TAIL(&l->entries, e, link);
	if (was_empty)
		liveness_arm(l);
}

/* Stop watching; the timer may fire early for the old head, harmlessly. */
void liveness_remove(struct liveness *l, struct liveness_entry *e)
{
	if (!e->listed)
		return;
	TAILQ_REMOVE(&l->entries, e, link);
	e->listed = false;
	if (TAILQ_EMPTY(&l->entries))
		evtimer_del(l->timer);
}

bool liveness_listed(const struct liveness_entry *e)
{
	return e->listed;
}

int64_t liveness_expiry_ms(const struct liveness *l)
{
	return l->expiry_ms;
}

/* Expire every entry that is due, oldest first, then re-arm. */
static void liveness_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct liveness *l = arg;
	struct liveness_entry *e;

	(void)fd;
	(void)what;
	while ((e = TAILQ_FIRST(&l->entries)) != NULL &&
	       e->last_ms + l->expiry_ms <= time_mono_ms()) {
		TAILQ_REMOVE(&l->entries, e, link);
		e->listed = false;
		l->expired(e, l->arg);
	}
	liveness_arm(l);
}
