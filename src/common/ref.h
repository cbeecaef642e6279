/*
 * ref.h — the one idiom for an object that may be freed from inside its
 * own callback (tmux's server_client_unref).
 *
 * The object carries a struct ref.  Its owner holds one reference (the
 * one ref_init gives); a function of the object that calls out (a user's
 * callback, an owner's handler) holds another for as long as it runs.
 * The owner's free is ref_kill: the object is marked dead — it starts
 * nothing more, calls out no more, and a function holding it returns as
 * soon as it sees ref_dead() — and the owner's reference is dropped.  The
 * memory goes with the last reference: whoever's ref_release or ref_kill
 * returns true frees it, as the last thing it does with the object.
 *
 * Why not tmux's event_once to free from the loop: the last reference is
 * dropped when the outermost callback returns, which is already as safe a
 * point as the next turn of the loop, and a free queued on the loop is
 * never run when a program frees its objects and its event base on the
 * way out (event_base_free drops once-events without running them), so
 * the sanitizers would see leaks there.
 */
#ifndef WEFT_COMMON_REF_H
#define WEFT_COMMON_REF_H

#include <stdbool.h>

#include "common/assert.h"

struct ref {
	int count; /* the owner (until ref_kill) and the callbacks running */
	bool dead; /* the owner let go: start nothing, call out no more */
};

/* A new object: alive, held by its owner. */
static inline void ref_init(struct ref *r)
{
	r->count = 1;
	r->dead = false;
}

/* Hold the object across a call out of it. */
static inline void ref_hold(struct ref *r)
{
	r->count++;
}

/* Drop a hold.  RET true when it was the last one: the caller frees the
 * object now and touches it no more. */
static inline bool ref_release(struct ref *r)
{
	WEFT_ASSERT(r->count > 0);
	return --r->count == 0;
}

/* The owner lets go: the object is dead from now on and the owner's
 * reference is dropped (once: a second kill is a no-op).  RET true when
 * that was the last reference: the caller frees the object now. */
static inline bool ref_kill(struct ref *r)
{
	if (r->dead)
		return false;
	r->dead = true;
	return ref_release(r);
}

/* Whether the owner let go (a holder leaves at once). */
static inline bool ref_dead(const struct ref *r)
{
	return r->dead;
}

/* Whether anything besides the owner holds the object (a callback of it
 * is on the stack). */
static inline bool ref_busy(const struct ref *r)
{
	return r->count > (r->dead ? 0 : 1);
}

#endif
