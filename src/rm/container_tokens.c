/*
 * container_tokens.c — key ids and the roll timer.
 */
#include "weft_config.h"

#include "rm/container_tokens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/daemon.h"
#include "common/log.h"
#include "common/security.h"
#include "common/xmalloc.h"

#define CONTAINER_KEY_ID_LIMIT (INT64_C(1) << 31)

struct container_tokens {
	const struct secret *secret;
	int64_t current;
	int64_t previous; /* -1 before the first roll */
	int64_t expiry_ms;
	struct event *timer;
};

static void container_tokens_roll_cb(evutil_socket_t fd, short what, void *arg);

/* A random first id makes ids from an earlier RM run unlikely to match. */
static int64_t container_tokens_random_id(void)
{
	char *hex = security_random_hex(4);
	int64_t id =
	        (int64_t)(strtoull(hex, NULL, 16) % (uint64_t)(CONTAINER_KEY_ID_LIMIT - 1)) + 1;

	free(hex);
	return id;
}

/* Start with a random key id and schedule the rolls. */
struct container_tokens *container_tokens_new(struct event_base *base, const struct secret *secret,
                                              int64_t roll_ms, int64_t expiry_ms)
{
	struct container_tokens *ct = xcalloc(1, sizeof *ct);
	struct timeval tv = {(time_t)(roll_ms / 1000), (suseconds_t)((roll_ms % 1000) * 1000)};

	ct->secret = secret;
	ct->current = container_tokens_random_id();
	ct->previous = -1;
	ct->expiry_ms = expiry_ms;
	ct->timer = event_new(base, -1, EV_PERSIST, container_tokens_roll_cb, ct);
	if (ct->timer == NULL)
		fatalx("container_tokens_new: event_new failed");
	evtimer_add(ct->timer, &tv);
	log_debug("container token key id %lld", (long long)ct->current);
	return ct;
}

void container_tokens_free(struct container_tokens *ct)
{
	if (ct == NULL)
		return;
	event_free(ct->timer);
	free(ct);
}

/* The next id becomes current; the old one stays valid for tokens already
 * handed out. */
void container_tokens_roll(struct container_tokens *ct)
{
	ct->previous = ct->current;
	ct->current = ct->current + 1 >= CONTAINER_KEY_ID_LIMIT ? 1 : ct->current + 1;
	log_info("container token key rolled: id %lld (previous %lld)", (long long)ct->current,
	         (long long)ct->previous);
}

static void container_tokens_roll_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	container_tokens_roll(arg);
}

/* A grant's token, signed under the current key. */
char *container_tokens_sign(const struct container_tokens *ct, const char *container_id,
                            const char *node_id, const char *user, weft_resource_t resource)
{
	struct container_token tok;

	memset(&tok, 0, sizeof tok);
	snprintf(tok.container_id, sizeof tok.container_id, "%s", container_id);
	snprintf(tok.node_id, sizeof tok.node_id, "%s", node_id);
	snprintf(tok.user, sizeof tok.user, "%s", user);
	tok.resource = resource;
	tok.expiry_ms = time_now_ms() + ct->expiry_ms;
	tok.key_id = ct->current;
	return security_container_token_sign(ct->secret, &tok);
}

/* What NMs must accept right now. */
int container_tokens_key_ids(const struct container_tokens *ct, int64_t *ids)
{
	ids[0] = ct->current;
	if (ct->previous < 0)
		return 1;
	ids[1] = ct->previous;
	return 2;
}

int64_t container_tokens_current(const struct container_tokens *ct)
{
	return ct->current;
}

int64_t container_tokens_expiry_ms(const struct container_tokens *ct)
{
	return ct->expiry_ms;
}
