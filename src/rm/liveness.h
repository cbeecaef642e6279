/*
 * liveness.h — expiry of things that must check in regularly (YARN's
 * AbstractLivelinessMonitor, without its polling thread).
 *
 * Entries are kept in the order they last checked in, so the oldest is at
 * the head and one timer, armed for the head's deadline, is all it takes:
 * a check-in moves an entry to the tail in O(1), and nothing polls.  The
 * RM uses one monitor each for node heartbeats, AM allocate calls, AM
 * launch-to-register time, granted-but-unstarted containers and finishing
 * AMs.  Entries are embedded in the owner's record (intrusive), so an
 * expiry callback gets its record back with no lookup.
 */
#ifndef WEFT_RM_LIVENESS_H
#define WEFT_RM_LIVENESS_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

struct liveness;

struct liveness_entry {
	TAILQ_ENTRY(liveness_entry) link;
	int64_t last_ms; /* monotonic time of the last check-in */
	bool listed;
	void *owner; /* the record this entry belongs to */
};

/* Called once per expired entry, after it was removed from the monitor;
 * the callback may free the owner and touch or remove other entries. */
typedef void (*liveness_expired_cb)(struct liveness_entry *e, void *arg);

struct liveness *liveness_new(struct event_base *base, int64_t expiry_ms,
                              liveness_expired_cb expired, void *arg);
void liveness_free(struct liveness *l);

/* Set up an entry belonging to owner (not listed yet). */
void liveness_entry_init(struct liveness_entry *e, void *owner);
/* Start watching e, or record a check-in now (moves it to the tail). */
void liveness_touch(struct liveness *l, struct liveness_entry *e);
/* Stop watching e (no-op when it is not listed). */
void liveness_remove(struct liveness *l, struct liveness_entry *e);
bool liveness_listed(const struct liveness_entry *e);
int64_t liveness_expiry_ms(const struct liveness *l);

#endif
