/*
 * executor_pool.h — how many executors the AM wants, has been granted and
 * has running, and what to ask the RM for next.
 *
 * Pure bookkeeping, no I/O: the AM feeds it grants, start results and
 * completed containers, and reads back the ask, the releases and what to
 * launch.  The rules (Spark on YARN's):
 *   - the ask states the total still wanted (YARN's replace semantics):
 *     wanted - live executors, where a live executor is a container granted
 *     to us that is starting or running;
 *   - a grant beyond what is wanted is released at once;
 *   - a live executor whose container ends is replaced; unless the AM
 *     released it, the application is ending, or its exit status says the
 *     cluster (not the job) ended it, it counts as a failure;
 *   - when more executors have failed than the limit (0 = max(3, 2 x the
 *     initial executors), Spark's spark.yarn.max.executor.failures
 *     default), the application fails.
 */
#ifndef WEFT_AM_EXECUTOR_POOL_H
#define WEFT_AM_EXECUTOR_POOL_H

#include <stdbool.h>

struct executor_pool;

/* What a grant turned into. */
enum executor_pool_grant_result {
	EXECUTOR_POOL_LAUNCH,    /* start an executor in it (id in *executor_id) */
	EXECUTOR_POOL_SURPLUS,   /* not wanted: queued for release */
	EXECUTOR_POOL_DUPLICATE, /* already known: ignore */
};

/* What a completed container meant. */
enum executor_pool_completion {
	EXECUTOR_POOL_UNKNOWN,  /* not one of ours (or already forgotten) */
	EXECUTOR_POOL_EXPECTED, /* we released or stopped it */
	EXECUTOR_POOL_LOST,     /* a live executor ended; not counted */
	EXECUTOR_POOL_FAILED,   /* a live executor ended; counted as a failure */
};

/* IN wanted: initial executors; max_failures: the limit, 0 = Spark's
 * default max(3, 2 x wanted). */
struct executor_pool *executor_pool_new(int wanted, int max_failures);
void executor_pool_free(struct executor_pool *pool);

/* The driver wants this many executors in total (clamped at 0). */
void executor_pool_set_wanted(struct executor_pool *pool, int total);
int executor_pool_wanted(const struct executor_pool *pool);
/* Containers granted and not yet ended or released (starting + running). */
int executor_pool_live(const struct executor_pool *pool);
int executor_pool_running(const struct executor_pool *pool);
/* The effective failure limit and the failures so far. */
int executor_pool_max_failures(const struct executor_pool *pool);
int executor_pool_failures(const struct executor_pool *pool);

/*
 * The ask: the count the RM should hold at our priority.  needs_ask is
 * true when that differs from what the RM holds now (what we last sent,
 * less the grants since), i.e. an allocate should go out at once.
 */
int executor_pool_ask_count(const struct executor_pool *pool);
bool executor_pool_needs_ask(const struct executor_pool *pool);
/* The RM now holds count (an allocate carrying this ask was sent). */
void executor_pool_ask_sent(struct executor_pool *pool, int count);
/* Whether the RM still holds an outstanding ask (grants may still come). */
bool executor_pool_waiting(const struct executor_pool *pool);

/* Containers to release in the next allocate.  RET a NULL-terminated array
 * the caller frees with executor_pool_releases_free(), or NULL when none;
 * the pool forgets them. */
char **executor_pool_take_releases(struct executor_pool *pool);
void executor_pool_releases_free(char **releases);
bool executor_pool_has_releases(const struct executor_pool *pool);

/*
 * The RM granted a container.  node_http_address and token are kept to
 * stop it later.  RET what to do; for EXECUTOR_POOL_LAUNCH *executor_id is
 * the new executor's id (1, 2, ...).
 */
enum executor_pool_grant_result executor_pool_grant(struct executor_pool *pool,
                                                    const char *container_id,
                                                    const char *node_http_address,
                                                    const char *token, int *executor_id);
/* The NM started the executor.  RET false when the container was released
 * (or killed, or the app began ending) while the start was in flight: the
 * caller must stop it. */
bool executor_pool_started(struct executor_pool *pool, const char *container_id);
/* The NM refused to start it: a failure; the container is released and a
 * replacement asked for.  RET true when it was a live executor. */
bool executor_pool_start_failed(struct executor_pool *pool, const char *container_id,
                                const char *diagnostics);
/*
 * A container ended (from allocate's completed list).  *was_running (if
 * not NULL) tells whether an executor had been started in it (the driver
 * may know it).  RET what it meant.
 */
enum executor_pool_completion executor_pool_completed(struct executor_pool *pool,
                                                      const char *container_id, int exit_status,
                                                      const char *diagnostics, bool *was_running);
/* The AM stops this executor on purpose (the driver's kill_executor): its
 * end is not a failure.  The wanted total is unchanged.  RET 0, or -1 when
 * the container is not a live executor of ours. */
int executor_pool_kill(struct executor_pool *pool, const char *container_id);

/* More executors failed than the limit allows. */
bool executor_pool_limit_exceeded(const struct executor_pool *pool);
/* "Max number of executor failures (N) reached; last: container X exited
 * with status S: diag" (valid until the pool changes). */
const char *executor_pool_failure_diagnostics(const struct executor_pool *pool);

/* The application is ending: wanted becomes 0, no end counts any more and
 * every live container is queued for release. */
void executor_pool_set_ending(struct executor_pool *pool);
bool executor_pool_ending(const struct executor_pool *pool);

/* Walk containers that are live or released and not yet seen to end, to
 * stop them through their NM. */
typedef void (*executor_pool_visit_cb)(const char *container_id, const char *node_http_address,
                                       const char *token, void *arg);
void executor_pool_foreach_unended(const struct executor_pool *pool, executor_pool_visit_cb cb,
                                   void *arg);
/* Node and token of a known container (NULL when unknown). */
const char *executor_pool_node(const struct executor_pool *pool, const char *container_id);
const char *executor_pool_token(const struct executor_pool *pool, const char *container_id);

/* Whether a live executor ending with this exit status counts as a
 * failure: not when it exited 0 or the cluster ended it (preempted, lost
 * node, failed disks, killed by the RM or an AM) — Spark's rule, after
 * YARN's Apps#shouldCountTowardsNodeBlacklisting. */
bool executor_pool_exit_counts(int exit_status);

#endif
