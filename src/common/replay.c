/*
 * replay.c — a bounded set of recently used nonces (replay.h).
 *
 * A hash table of chains (nonces are random: their first bytes are the
 * hash) plus a queue in arrival order.  Expiry times are not strictly in
 * arrival order (each is the call's own timestamp plus the window), so
 * the queue frees an entry only once every entry before it has expired:
 * an entry may be kept a little longer than needed, never shorter.
 */
#include "weft_config.h"

#include "replay.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define REPLAY_BUCKETS_MAX (64 * 1024)

struct replay_entry {
	struct replay_entry *chain; /* next in its bucket */
	struct replay_entry *next;  /* next in arrival order */
	int64_t expires_ms;
	unsigned char nonce[REPLAY_NONCE_BYTES];
};

struct replay_cache {
	struct replay_entry **buckets;
	size_t n_buckets; /* a power of two */
	struct replay_entry *head, *tail;
	size_t size, max;
};

struct replay_cache *replay_cache_new(size_t max_entries)
{
	struct replay_cache *rc = xcalloc(1, sizeof *rc);

	rc->max = max_entries ? max_entries : 1;
	rc->n_buckets = 16;
	while (rc->n_buckets < rc->max && rc->n_buckets < REPLAY_BUCKETS_MAX)
		rc->n_buckets *= 2;
	rc->buckets = xcalloc(rc->n_buckets, sizeof *rc->buckets);
	return rc;
}

void replay_cache_free(struct replay_cache *rc)
{
	struct replay_entry *e, *next;

	if (rc == NULL)
		return;
	for (e = rc->head; e != NULL; e = next) {
		next = e->next;
		free(e);
	}
	free(rc->buckets);
	free(rc);
}

static size_t replay_bucket(const struct replay_cache *rc, const unsigned char *nonce)
{
	uint64_t h = 0;

	memcpy(&h, nonce, sizeof h);
	return (size_t)(h & (rc->n_buckets - 1));
}

/* Drop queue heads that have expired. */
static void replay_cache_expire(struct replay_cache *rc, int64_t now_ms)
{
	struct replay_entry *e, **link;

	while ((e = rc->head) != NULL && e->expires_ms <= now_ms) {
		for (link = &rc->buckets[replay_bucket(rc, e->nonce)]; *link != e;
		     link = &(*link)->chain)
			;
		*link = e->chain;
		rc->head = e->next;
		if (rc->head == NULL)
			rc->tail = NULL;
		rc->size--;
		free(e);
	}
}

enum replay_verdict replay_cache_check(struct replay_cache *rc,
                                       const unsigned char nonce[REPLAY_NONCE_BYTES],
                                       int64_t expires_ms, int64_t now_ms)
{
	struct replay_entry *e;
	size_t b;

	replay_cache_expire(rc, now_ms);
	b = replay_bucket(rc, nonce);
	for (e = rc->buckets[b]; e != NULL; e = e->chain)
		if (memcmp(e->nonce, nonce, REPLAY_NONCE_BYTES) == 0)
			return REPLAY_SEEN;
	if (rc->size >= rc->max)
		return REPLAY_FULL;
	e = xcalloc(1, sizeof *e);
	memcpy(e->nonce, nonce, REPLAY_NONCE_BYTES);
	e->expires_ms = expires_ms;
	e->chain = rc->buckets[b];
	rc->buckets[b] = e;
	if (rc->tail != NULL)
		rc->tail->next = e;
	else
		rc->head = e;
	rc->tail = e;
	rc->size++;
	return REPLAY_FRESH;
}

size_t replay_cache_size(const struct replay_cache *rc)
{
	return rc->size;
}
