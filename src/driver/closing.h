/*
 * closing.h — close a connection after its last message has left.
 *
 * Freeing a bufferevent drops what it has not written yet, so a "rejected"
 * or "shutdown" sent just before closing could be lost.  The driver hands
 * such connections here instead: each is freed when the peer closes it,
 * or once its output has been flushed for a moment, or at a deadline, so
 * a peer that never reads cannot pin it.  Messages from it are ignored.
 */
#ifndef WEFT_DRIVER_CLOSING_H
#define WEFT_DRIVER_CLOSING_H

#include <event2/event.h>

struct closing;
struct lineconn;

/* on_empty runs (from the loop) each time the last lingering connection
 * is gone. */
struct closing *closing_new(struct event_base *base, void (*on_empty)(void *arg), void *arg);
/* Take c over (its callbacks are replaced). */
void closing_add(struct closing *l, struct lineconn *c);
/* Connections still lingering. */
int closing_count(const struct closing *l);
/* Free every lingering connection now. */
void closing_free(struct closing *l);

#endif
