/*
 * executor_pool.c — the AM's executor arithmetic: wanted vs granted vs
 * running, replacement of executors that end, the failure limit.
 *
 * No I/O here (the AM core does the talking), so every rule is unit-tested
 * directly.  Containers are kept in a small array: an AM holds tens of
 * executors, not millions.
 */
#include "weft_config.h"

#include "am/executor_pool.h"

#include <stdlib.h>
#include <sys/types.h>
#include <string.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"

enum pool_state {
	POOL_STARTING, /* granted, NM start call in flight */
	POOL_RUNNING,  /* the NM started the executor */
	POOL_RELEASED, /* released or stopped by us; its end is expected */
};

struct pool_container {
	char *id;
	char *node_http_address;
	char *token;
	int executor_id;
	enum pool_state state;
	bool started; /* an executor was started in it at some point */
};

struct executor_pool {
	int wanted;
	int max_failures;
	int failures;
	int rm_holds; /* the ask count the RM holds (sent, less grants since) */
	bool ask_ever_sent;
	bool ending;
	int next_executor_id;

	struct pool_container *containers;
	size_t n_containers, cap_containers;

	char **releases; /* queued for the next allocate */
	size_t n_releases, cap_releases;

	char *last_failure; /* "container X exited with status S: diag" */
	char *diagnostics;  /* the whole failure message, built on demand */
};

/* Spark's default limit: max(3, 2 x executors). */
static int pool_default_max_failures(int wanted)
{
	return wanted * 2 > 3 ? wanted * 2 : 3;
}

/* A new pool wanting `wanted` executors. */
struct executor_pool *executor_pool_new(int wanted, int max_failures)
{
	struct executor_pool *pool = xcalloc(1, sizeof *pool);

	pool->wanted = wanted < 0 ? 0 : wanted;
	pool->max_failures =
	        max_failures > 0 ? max_failures : pool_default_max_failures(pool->wanted);
	pool->next_executor_id = 1;
	return pool;
}

/* Free one container record's strings. */
static void pool_container_clear(struct pool_container *c)
{
	free(c->id);
	free(c->node_http_address);
	free(c->token);
}

/* Free the pool and everything it still tracks. */
void executor_pool_free(struct executor_pool *pool)
{
	size_t i;

	if (pool == NULL)
		return;
	for (i = 0; i < pool->n_containers; i++)
		pool_container_clear(&pool->containers[i]);
	free(pool->containers);
	for (i = 0; i < pool->n_releases; i++)
		free(pool->releases[i]);
	free(pool->releases);
	free(pool->last_failure);
	free(pool->diagnostics);
	free(pool);
}

/* Index of a container, or -1. */
static ssize_t pool_find(const struct executor_pool *pool, const char *container_id)
{
	size_t i;

	for (i = 0; i < pool->n_containers; i++) {
		if (strcmp(pool->containers[i].id, container_id) == 0)
			return (ssize_t)i;
	}
	return -1;
}

/* Drop container i (order does not matter). */
static void pool_remove(struct executor_pool *pool, size_t i)
{
	pool_container_clear(&pool->containers[i]);
	pool->containers[i] = pool->containers[pool->n_containers - 1];
	pool->n_containers--;
}

/* Queue a container id for the next allocate's releases. */
static void pool_queue_release(struct executor_pool *pool, const char *container_id)
{
	size_t i;

	for (i = 0; i < pool->n_releases; i++) {
		if (strcmp(pool->releases[i], container_id) == 0)
			return;
	}
	if (pool->n_releases == pool->cap_releases) {
		pool->cap_releases = pool->cap_releases ? pool->cap_releases * 2 : 8;
		pool->releases =
		        xreallocarray(pool->releases, pool->cap_releases, sizeof *pool->releases);
	}
	pool->releases[pool->n_releases++] = xstrdup(container_id);
}

/* Record why the latest executor failed, for the limit's diagnostics. */
static void pool_note_failure(struct executor_pool *pool, char *text)
{
	free(pool->last_failure);
	pool->last_failure = text;
	pool->failures++;
	log_warn("executor failure %d (limit %d): %s", pool->failures, pool->max_failures, text);
}

/* The driver changes its mind about how many executors it wants. */
void executor_pool_set_wanted(struct executor_pool *pool, int total)
{
	if (pool->ending)
		return;
	pool->wanted = total < 0 ? 0 : total;
}

int executor_pool_wanted(const struct executor_pool *pool)
{
	return pool->wanted;
}

/* Starting + running containers. */
int executor_pool_live(const struct executor_pool *pool)
{
	size_t i;
	int n = 0;

	for (i = 0; i < pool->n_containers; i++) {
		if (pool->containers[i].state != POOL_RELEASED)
			n++;
	}
	return n;
}

int executor_pool_running(const struct executor_pool *pool)
{
	size_t i;
	int n = 0;

	for (i = 0; i < pool->n_containers; i++) {
		if (pool->containers[i].state == POOL_RUNNING)
			n++;
	}
	return n;
}

int executor_pool_max_failures(const struct executor_pool *pool)
{
	return pool->max_failures;
}

int executor_pool_failures(const struct executor_pool *pool)
{
	return pool->failures;
}

/* Total still wanted from the RM: wanted less what we hold. */
int executor_pool_ask_count(const struct executor_pool *pool)
{
	int n = pool->wanted - executor_pool_live(pool);

	return n > 0 ? n : 0;
}

/* The RM's view differs from ours (or it never heard from us). */
bool executor_pool_needs_ask(const struct executor_pool *pool)
{
	if (!pool->ask_ever_sent)
		return true;
	return executor_pool_ask_count(pool) != pool->rm_holds;
}

void executor_pool_ask_sent(struct executor_pool *pool, int count)
{
	pool->rm_holds = count < 0 ? 0 : count;
	pool->ask_ever_sent = true;
}

bool executor_pool_waiting(const struct executor_pool *pool)
{
	return pool->rm_holds > 0;
}

/* Hand the queued releases over to the allocate being built. */
char **executor_pool_take_releases(struct executor_pool *pool)
{
	char **out;

	if (pool->n_releases == 0)
		return NULL;
	out = xreallocarray(NULL, pool->n_releases + 1, sizeof *out);
	memcpy(out, pool->releases, pool->n_releases * sizeof *out);
	out[pool->n_releases] = NULL;
	pool->n_releases = 0;
	return out;
}

void executor_pool_releases_free(char **releases)
{
	char **p;

	if (releases == NULL)
		return;
	for (p = releases; *p != NULL; p++)
		free(*p);
	free(releases);
}

bool executor_pool_has_releases(const struct executor_pool *pool)
{
	return pool->n_releases > 0;
}

/* A grant arrived: launch an executor in it, or give it back. */
enum executor_pool_grant_result executor_pool_grant(struct executor_pool *pool,
                                                    const char *container_id,
                                                    const char *node_http_address,
                                                    const char *token, int *executor_id)
{
	struct pool_container *c;

	if (pool_find(pool, container_id) >= 0)
		return EXECUTOR_POOL_DUPLICATE;
	if (pool->rm_holds > 0)
		pool->rm_holds--;
	if (pool->ending || executor_pool_live(pool) >= pool->wanted) {
		log_info("releasing surplus container %s", container_id);
		pool_queue_release(pool, container_id);
		return EXECUTOR_POOL_SURPLUS;
	}
	if (pool->n_containers == pool->cap_containers) {
		pool->cap_containers = pool->cap_containers ? pool->cap_containers * 2 : 8;
		pool->containers = xreallocarray(pool->containers, pool->cap_containers,
		                                 sizeof *pool->containers);
	}
	c = &pool->containers[pool->n_containers++];
	c->id = xstrdup(container_id);
	c->node_http_address = xstrdup(node_http_address);
	c->token = xstrdup(token);
	c->executor_id = pool->next_executor_id++;
	c->state = POOL_STARTING;
	c->started = false;
	*executor_id = c->executor_id;
	return EXECUTOR_POOL_LAUNCH;
}

/* The NM started the executor; say whether we still want it. */
bool executor_pool_started(struct executor_pool *pool, const char *container_id)
{
	ssize_t i = pool_find(pool, container_id);

	if (i < 0)
		return false;
	pool->containers[i].started = true;
	if (pool->containers[i].state == POOL_STARTING)
		pool->containers[i].state = POOL_RUNNING;
	return pool->containers[i].state == POOL_RUNNING;
}

/* The NM refused the start: count it, give the container back. */
bool executor_pool_start_failed(struct executor_pool *pool, const char *container_id,
                                const char *diagnostics)
{
	ssize_t i = pool_find(pool, container_id);
	bool live;

	if (i < 0)
		return false;
	live = pool->containers[i].state != POOL_RELEASED;
	if (live && !pool->ending)
		pool_note_failure(pool, xasprintf("container %s could not be started: %s",
		                                  container_id, diagnostics ? diagnostics : ""));
	pool_queue_release(pool, container_id);
	/* Nothing runs in it, so no end will be reported that matters:
	 * forget it now so the replacement ask goes out at once. */
	pool_remove(pool, (size_t)i);
	return live;
}

/* Whether an exit status is the job's fault (counts towards the limit). */
bool executor_pool_exit_counts(int exit_status)
{
	switch (exit_status) {
	case WEFT_EXIT_SUCCESS:
	case WEFT_EXIT_ABORTED:
	case WEFT_EXIT_DISKS_FAILED:
	case WEFT_EXIT_PREEMPTED:
	case WEFT_EXIT_KILLED_BY_APPMASTER:
	case WEFT_EXIT_KILLED_BY_RESOURCEMANAGER:
	case WEFT_EXIT_KILLED_AFTER_APP_COMPLETION:
		return false;
	default:
		return true;
	}
}

/* A container ended: classify it and free its place for a replacement. */
enum executor_pool_completion executor_pool_completed(struct executor_pool *pool,
                                                      const char *container_id, int exit_status,
                                                      const char *diagnostics, bool *was_running)
{
	ssize_t i = pool_find(pool, container_id);
	enum pool_state state;
	bool started;

	if (was_running != NULL)
		*was_running = false;
	if (i < 0)
		return EXECUTOR_POOL_UNKNOWN;
	state = pool->containers[i].state;
	started = pool->containers[i].started;
	if (was_running != NULL)
		*was_running = started;
	pool_remove(pool, (size_t)i);
	if (state == POOL_RELEASED || pool->ending)
		return EXECUTOR_POOL_EXPECTED;
	if (!executor_pool_exit_counts(exit_status)) {
		log_info("container %s ended with status %d (not counted): %s", container_id,
		         exit_status, diagnostics ? diagnostics : "");
		return EXECUTOR_POOL_LOST;
	}
	pool_note_failure(pool, xasprintf("container %s exited with status %d: %s", container_id,
	                                  exit_status, diagnostics ? diagnostics : ""));
	return EXECUTOR_POOL_FAILED;
}

/* Stop one executor on purpose (its end is then expected). */
int executor_pool_kill(struct executor_pool *pool, const char *container_id)
{
	ssize_t i = pool_find(pool, container_id);

	if (i < 0 || pool->containers[i].state == POOL_RELEASED)
		return -1;
	pool->containers[i].state = POOL_RELEASED;
	pool_queue_release(pool, container_id);
	return 0;
}

bool executor_pool_limit_exceeded(const struct executor_pool *pool)
{
	return pool->failures > pool->max_failures;
}

/* The message the application fails with when the limit is passed. */
const char *executor_pool_failure_diagnostics(const struct executor_pool *pool)
{
	struct executor_pool *mutable_pool = (struct executor_pool *)pool;

	free(mutable_pool->diagnostics);
	mutable_pool->diagnostics =
	        xasprintf("Max number of executor failures (%d) reached; last: %s",
	                  pool->max_failures, pool->last_failure ? pool->last_failure : "none");
	return pool->diagnostics;
}

/* The application ends: release everything, count nothing any more. */
void executor_pool_set_ending(struct executor_pool *pool)
{
	size_t i;

	pool->ending = true;
	pool->wanted = 0;
	for (i = 0; i < pool->n_containers; i++) {
		if (pool->containers[i].state != POOL_RELEASED) {
			pool->containers[i].state = POOL_RELEASED;
			pool_queue_release(pool, pool->containers[i].id);
		}
	}
}

bool executor_pool_ending(const struct executor_pool *pool)
{
	return pool->ending;
}

/* Visit every container whose end we have not seen yet. */
void executor_pool_foreach_unended(const struct executor_pool *pool, executor_pool_visit_cb cb,
                                   void *arg)
{
	size_t i;

	for (i = 0; i < pool->n_containers; i++)
		cb(pool->containers[i].id, pool->containers[i].node_http_address,
		   pool->containers[i].token, arg);
}

const char *executor_pool_node(const struct executor_pool *pool, const char *container_id)
{
	ssize_t i = pool_find(pool, container_id);

	return i < 0 ? NULL : pool->containers[i].node_http_address;
}

const char *executor_pool_token(const struct executor_pool *pool, const char *container_id)
{
	ssize_t i = pool_find(pool, container_id);

	return i < 0 ? NULL : pool->containers[i].token;
}
