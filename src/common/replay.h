/*
 * replay.h — the nonces of signed calls a daemon has accepted, so that a
 * captured X-Weft-Auth value cannot be sent again (security.h).
 *
 * Each nonce is kept until the signature carrying it would be refused
 * anyway (its timestamp plus the validity window), then forgotten.  The
 * cache never forgets a nonce early: when it holds max_entries nonces that
 * are all still valid, new calls are refused (REPLAY_FULL, a 503) instead.
 * One cache per daemon, used on its loop only (no locks).
 */
#ifndef WEFT_COMMON_REPLAY_H
#define WEFT_COMMON_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#define REPLAY_NONCE_BYTES 16
/* What a daemon holds: more than a thousand signed calls a second for the
 * whole validity window (about 56 bytes each with malloc's overhead). */
#define REPLAY_CACHE_DEFAULT_MAX (256 * 1024)

enum replay_verdict {
	REPLAY_FRESH = 0, /* not seen: now recorded until expires_ms */
	REPLAY_SEEN,      /* a nonce already used and still valid: refuse */
	REPLAY_FULL,      /* max_entries valid nonces held: refuse, retry later */
};

struct replay_cache;

struct replay_cache *replay_cache_new(size_t max_entries);
void replay_cache_free(struct replay_cache *rc);
/* Forget the nonces whose expiry is at or before now_ms, then look nonce
 * up and record it until expires_ms when it is new. */
enum replay_verdict replay_cache_check(struct replay_cache *rc,
                                       const unsigned char nonce[REPLAY_NONCE_BYTES],
                                       int64_t expires_ms, int64_t now_ms);
/* Nonces held right now. */
size_t replay_cache_size(const struct replay_cache *rc);

#endif
