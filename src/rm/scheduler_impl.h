/*
 * scheduler_impl.h — the scheduler's records, shared by its files only
 * (scheduler.c: attempts and asks; scheduler_queues.c: the queue tree;
 * scheduler_nodes.c: nodes, racks, reservations; scheduler_containers.c:
 * live containers and usage; scheduler_alloc.c: the allocation pass;
 * scheduler_preempt.c: preemption; scheduler_info.c: snapshots and
 * diagnostics).  Nothing outside src/rm/scheduler*.c includes it.
 *
 * Indexes, so that no decision scans every node or application:
 *   - nodes: by id and by host (hash maps), by free room in a 4-ary
 *     segment tree for the whole cluster and one per rack (node_index.h);
 *   - attempts: by id; per leaf queue a heap of the attempts that want
 *     something now ("ready"), FIFO order or smallest dominant share
 *     first, and a FIFO list of attempts not yet activated;
 *   - containers: by id in an open-addressing table holding the records
 *     themselves (one cache miss per lookup), by handle, and listed per
 *     node and attempt;
 *   - usage: kept incrementally per node, attempt, user, queue (and every
 *     ancestor) and cluster on every grant and release.
 *
 * With 100,000 live containers nearly every record, node and index line a
 * decision touches is a cache miss, so the hot paths are laid out for
 * them: a container is one line; a completion waits for that line only
 * (its node's credit and the node's index entries are applied in a batch
 * at the next pass, sched_settle_nodes and sched_nodes_flush, or by any
 * call that reads node books first); misses that do not depend on each
 * other are started together (__builtin_prefetch).
 */
#ifndef WEFT_RM_SCHEDULER_IMPL_H
#define WEFT_RM_SCHEDULER_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "rm/node_index.h"
#include "rm/queues.h"
#include "rm/scheduler.h"
#include "rm/strmap.h"

#define SCHED_AM_PRIORITY  (-1) /* the AM container's line in reservations */
#define SCHED_MAX_COUNT    1000000
#define SCHED_MAX_HINTS    1000
#define SCHED_DEFAULT_RACK "/default-rack"

struct sched_node;
struct sched_attempt;
struct sched_queue;
struct sched_user;

/*
 * A live container: 64 bytes, one cache line, stored in the container
 * table itself (scheduler_containers.c), so finding a container by id
 * costs one cache miss.  Records move inside the table (its deletions
 * shift, it grows), so everything else names a container by a 32-bit
 * handle: the handle table says where its record is now and its
 * generation, bumped when it is dropped.  Nodes and attempts list theirs
 * as (handle, generation), so dropping a container touches neither its
 * neighbours nor those lists: a stale entry is skipped, and a list is
 * squeezed when most of it is stale.
 */
struct sched_container {
	struct sched_node *node;
	struct sched_attempt *attempt;
	int64_t seq;
	int64_t allocated_ms;
	int64_t preempt_at_ms; /* 0 = not marked */
	weft_resource_t resource;
	int32_t priority;
	uint32_t handle : 30;
	uint32_t am : 1;
	uint32_t keep : 1; /* preemption: still wanted back this round */
};

/* Where a handle's record is, and its generation. */
struct sched_handle {
	uint32_t line; /* in the container table */
	uint32_t gen;
};

struct sched_cref {
	uint32_t handle;
	uint32_t gen; /* the handle's generation when listed */
};

/* A node's or an attempt's containers, in allocation order, stale
 * entries included (the owner counts the live ones). */
struct sched_clist {
	struct sched_cref *refs;
	int n, cap;
};

_Static_assert(sizeof(struct sched_container) == 64, "a container record is one cache line");

#define SCHED_MAX_HANDLES (UINT32_C(1) << 30)
#define SCHED_NO_HANDLE   UINT32_MAX

struct sched_rack {
	TAILQ_ENTRY(sched_rack) link;
	char *name;
	struct node_index *index; /* NULL while every node is on one rack */
	int n_nodes;
	/* Nodes whose room changed since the index last heard of it: the
	 * index is brought up to date only when a search needs it (most
	 * asks name no rack, so most changes never reach it one by one). */
	struct sched_node **dirty;
	int n_dirty, cap_dirty;
};

/* A node held for one ask line (or an AM) that does not fit yet. */
struct sched_reservation {
	TAILQ_ENTRY(sched_reservation) link;
	struct sched_node *node;
	struct sched_attempt *attempt;
	int32_t priority; /* SCHED_AM_PRIORITY for the AM container */
	weft_resource_t resource;
};

struct sched_node {
	TAILQ_ENTRY(sched_node) link; /* registration order */
	char *id;                     /* stored right after the record */
	size_t id_len;                /* at most 255 (longer ids are cut in grants) */
	char *host;
	struct sched_node *host_next; /* next node on the same host */
	struct sched_rack *rack;
	weft_resource_t capacity;
	weft_resource_t used;
	int n_containers;
	bool schedulable;
	int slot;        /* in the cluster index */
	int rack_slot;   /* in its rack's index */
	bool rack_dirty; /* on its rack's dirty list */
	bool dirty;      /* on the scheduler's dirty list */
	struct sched_reservation *reservation;
	struct sched_clist containers;
};

struct sched_ask {
	int32_t priority;
	int32_t count;
	weft_resource_t capability; /* normalized */
	char **nodes;
	int n_nodes;
	char **racks;
	int n_racks;
	bool relax_locality;
	int missed;            /* scheduling opportunities passed up (delay scheduling) */
	uint64_t blocked_pass; /* nothing more for it in this pass */
	struct sched_reservation *reservation;
};

/* Why an attempt's AM container waits (for its diagnostics). */
enum sched_wait {
	SCHED_WAIT_NONE,
	SCHED_WAIT_AM_LIMIT,   /* not activated: queue AM share (a used, b limit, c this AM) */
	SCHED_WAIT_PARALLEL,   /* not activated: max-parallel-apps (n) */
	SCHED_WAIT_QUEUE_MAX,  /* queue `queue` at its maximum (a used, b maximum) */
	SCHED_WAIT_USER_LIMIT, /* user at the user limit (a used, b limit) */
	SCHED_WAIT_NO_ROOM,    /* no node has room for the AM (a the AM) */
	SCHED_WAIT_RESERVED,   /* a node is held for it (node name in the reservation) */
};

enum sched_attempt_state {
	SCHED_PENDING, /* waiting to be activated (AM share, max-parallel-apps) */
	SCHED_ACTIVE,
	SCHED_STOPPED, /* wants nothing more; containers may still be booked */
};

struct sched_attempt {
	TAILQ_ENTRY(sched_attempt) link;         /* every attempt */
	TAILQ_ENTRY(sched_attempt) queue_link;   /* its leaf's attempts */
	TAILQ_ENTRY(sched_attempt) pending_link; /* its leaf's not yet activated */
	char id[WEFT_ID_MAX];
	char prefix[WEFT_ID_MAX]; /* "container_<ts>_<app>_<attempt>_" */
	int prefix_len;
	weft_attempt_id_t parsed;
	uint64_t order;
	char *queue_path;
	char *user_name;
	struct sched_queue *queue;
	struct sched_user *user;
	enum sched_attempt_state state;
	bool ready;   /* active and wanting something */
	int heap_pos; /* in its leaf's ready heap; -1 when out */
	double share; /* dominant share (fair ordering key) */
	bool am_pending;
	weft_resource_t am_resource;
	struct sched_reservation *am_reservation;
	struct sched_ask *asks; /* sorted by priority */
	int n_asks;
	int64_t n_pending;       /* containers wanted (AM included) */
	weft_resource_t pending; /* their resources */
	int64_t next_seq;
	weft_resource_t used;
	int n_containers;
	int n_marked; /* containers marked for preemption */
	struct sched_clist containers;
	enum sched_wait wait;
	weft_resource_t wait_a, wait_b, wait_c;
	int64_t wait_n;
	int wait_queue; /* queue index for SCHED_WAIT_QUEUE_MAX */
};
TAILQ_HEAD(sched_attempt_list, sched_attempt);

struct sched_user {
	TAILQ_ENTRY(sched_user) link;
	char *name;
	weft_resource_t used;
	weft_resource_t am_used;
	int n_attached; /* attempts in the queue, stopped ones included */
	int n_ready;
	int n_active;
	int n_pending;
};
TAILQ_HEAD(sched_user_list, sched_user);

struct sched_heap {
	struct sched_attempt **items;
	int n;
	int cap;
};

struct sched_queue {
	struct queue_def *def; /* in the scheduler's conf */
	int index;             /* in scheduler.queues */
	struct sched_queue *parent;
	struct sched_queue **children;
	int n_children;
	bool leaf;
	weft_resource_t used; /* subtree */
	weft_resource_t reserved;
	weft_resource_t pending;
	int n_containers;
	int n_ready; /* ready attempts in the subtree */
	int n_apps;  /* attempts not stopped in the subtree */
	int n_active;
	int n_pending_apps;
	uint64_t blocked_pass;
	/* Leaf queues only. */
	weft_resource_t am_used;
	struct sched_attempt_list attempts;
	struct sched_attempt_list waiting; /* not activated, FIFO */
	struct sched_heap ready;
	struct strmap *user_index;
	struct sched_user_list users;
	int n_users;
	int n_users_ready;
	/* Preemption scratch. */
	weft_resource_t ideal;
	weft_resource_t wanted;
	weft_resource_t take;
};

struct scheduler {
	struct scheduler_options opts;
	struct queue_conf *conf;
	struct sched_queue **queues; /* conf order: root first */
	int n_queues;
	struct strmap *queue_index; /* names and paths */
	TAILQ_HEAD(, sched_node) nodes;
	struct strmap *node_map;
	struct strmap *host_map; /* host -> first node on it */
	TAILQ_HEAD(, sched_rack) racks;
	struct strmap *rack_map;
	struct node_index *index;
	/* Nodes that gained room since the cluster index heard of it: a
	 * completion only lists its node, and the next allocation pass
	 * publishes them all at once (sched_nodes_flush). */
	struct sched_node **dirty;
	int n_dirty, cap_dirty;
	bool rack_indexes; /* nodes sit on more than one rack */
	struct sched_attempt_list attempts;
	struct strmap *attempt_map;
	/* Live containers (scheduler_containers.c): the table of records
	 * by id, the handles (where each record is) and the free ones. */
	struct sched_container *ctable;
	void *ctable_mem;     /* its allocation (the table is aligned inside) */
	uint8_t *ctable_dist; /* each line's distance from home; 255: empty */
	size_t ctable_cap, ctable_n;
	struct sched_handle *handles;
	uint32_t n_handles, cap_handles; /* handed out so far, room */
	uint32_t *free_handles;
	uint32_t n_free, cap_free;
	/* Completed containers' credits to their nodes, not yet applied
	 * (sched_settle_nodes: every reader of node books settles first). */
	struct sched_release {
		struct sched_node *node;
		weft_resource_t resource;
	} * released;
	int n_released, cap_released;
	int64_t now_ms; /* wall clock of the allocation pass */
	int n_containers;
	weft_resource_t allocated;
	weft_resource_t total;      /* capacity of schedulable nodes */
	weft_resource_t used_sched; /* used on schedulable nodes */
	int n_schedulable;
	struct sched_shape {
		weft_resource_t capacity;
		int count;
	} * shapes; /* distinct capacities of schedulable nodes */
	int n_shapes;
	int64_t n_pending;
	weft_resource_t pending;
	TAILQ_HEAD(, sched_reservation) reservations;
	int n_reserved;
	weft_resource_t reserved;
	int n_waiting; /* attempts not activated, every queue */
	bool shares_stale;
	uint64_t pass;
	/* Scratch of one allocation pass. */
	struct sched_attempt **blocked;
	int n_blocked, cap_blocked;
	struct scheduler_grant *grants;
	int n_grants, cap_grants;
};

/* Resource arithmetic on the hot paths (inline). */
static inline weft_resource_t res_add(weft_resource_t a, weft_resource_t b)
{
	a.memory_mb += b.memory_mb;
	a.vcores += b.vcores;
	return a;
}

static inline weft_resource_t res_sub(weft_resource_t a, weft_resource_t b)
{
	a.memory_mb -= b.memory_mb;
	a.vcores -= b.vcores;
	return a;
}

static inline weft_resource_t res_scale(weft_resource_t a, int64_t n)
{
	a.memory_mb *= n;
	a.vcores *= n;
	return a;
}

/* Whether r holds no more than limit in every dimension. */
bool sched_fits(weft_resource_t r, weft_resource_t limit);

/* scheduler.c: attempts and asks */
struct sched_ask *sched_find_ask(struct sched_attempt *a, int32_t priority);
void sched_line_taken(struct scheduler *s, struct sched_attempt *a, struct sched_ask *line);
void sched_am_taken(struct scheduler *s, struct sched_attempt *a);
void sched_activate(struct scheduler *s);

/* scheduler_queues.c: the queue tree */
void sched_build_queues(struct scheduler *s, struct queue_conf *conf);
void sched_free_queues(struct scheduler *s);
struct sched_queue *sched_queue_find(const struct scheduler *s, const char *name);
/* Put an attempt, with what it holds, into a leaf's books (and out). */
void sched_attach(struct scheduler *s, struct sched_attempt *a, struct sched_queue *q);
void sched_detach(struct scheduler *s, struct sched_attempt *a);
/* Ready = active and wanting something: in its leaf's heap. */
void sched_ready_update(struct scheduler *s, struct sched_attempt *a);
/* Usage added (sign 1) or taken away (-1) along a queue's path. */
void sched_path_used(struct sched_queue *q, weft_resource_t r, int containers, int sign);
void sched_path_pending(struct sched_queue *q, weft_resource_t r, int sign);
void sched_path_reserved(struct sched_queue *q, weft_resource_t r, int sign);
void sched_path_apps(struct sched_queue *q, int apps, int active, int pending);
void sched_heap_remove(struct sched_queue *q, struct sched_attempt *a);
void sched_heap_push(struct sched_queue *q, struct sched_attempt *a);
void sched_heap_fix(struct sched_queue *q, struct sched_attempt *a);
/* An attempt's dominant share of the cluster (fair ordering key). */
double sched_share(const struct scheduler *s, weft_resource_t used);
/* Recompute fair queues' keys after the cluster changed size. */
void sched_refresh_shares(struct scheduler *s);
/* Resources of the cluster a queue is guaranteed / may use at most. */
weft_resource_t sched_guaranteed(const struct scheduler *s, const struct sched_queue *q);
weft_resource_t sched_maximum(const struct scheduler *s, const struct sched_queue *q);
/* used / guaranteed in the dominant dimension (large for zero guarantees). */
double sched_queue_ratio(const struct scheduler *s, const struct sched_queue *q);
/* The user limit in leaf q for an ask of need. */
weft_resource_t sched_user_limit(const struct scheduler *s, const struct sched_queue *q,
                                 weft_resource_t need);
/* The AM resource limit of leaf q. */
weft_resource_t sched_am_limit(const struct scheduler *s, const struct sched_queue *q);

/* scheduler_nodes.c: nodes, racks, reservations */
void sched_nodes_init(struct scheduler *s);
void sched_nodes_free_reservations(struct scheduler *s);
void sched_nodes_free(struct scheduler *s);
/* Publish the room a node offers to the indexes: now, or (for a node
 * that only gained room) at the next sched_nodes_flush, which every
 * search of the cluster index must follow. */
void sched_node_offer(struct scheduler *s, struct sched_node *n);
void sched_node_offer_later(struct scheduler *s, struct sched_node *n);
void sched_nodes_flush(struct scheduler *s);
/* Whether a schedulable node's capacity holds need; the largest one. */
bool sched_some_node_holds(const struct scheduler *s, weft_resource_t need);
weft_resource_t sched_largest_node(const struct scheduler *s, bool *any);
/* The index of the nodes of rack r, brought up to date. */
struct node_index *sched_rack_index(const struct scheduler *s, struct sched_rack *r);
void sched_reservation_make(struct scheduler *s, struct sched_node *n, struct sched_attempt *a,
                            int32_t priority, weft_resource_t need);
void sched_reservation_cancel(struct scheduler *s, struct sched_reservation *r);

/* scheduler_containers.c: live containers */
/* The record of a live handle (valid until the table next changes). */
static inline struct sched_container *sched_record(const struct scheduler *s, uint32_t handle)
{
	return &s->ctable[s->handles[handle].line];
}

/* Entry i of a container list: the container, or NULL when it was
 * dropped since it was listed (*handle: its handle). */
static inline struct sched_container *
sched_clist_at(const struct scheduler *s, const struct sched_clist *l, int i, uint32_t *handle)
{
	struct sched_cref r = l->refs[i];

	if (s->handles[r.handle].gen != r.gen)
		return NULL;
	if (handle != NULL)
		*handle = r.handle;
	return sched_record(s, r.handle);
}

/* Apply the completed containers' waiting credits to their nodes; every
 * reader of node books (used, n_containers, the node lists, used_sched,
 * the indexes) calls it first. */
void sched_settle_nodes(const struct scheduler *s);
/* The next container is likely a's on node n: start fetching the lines
 * sched_place will write while the limits are checked. */
void sched_place_prefetch(const struct scheduler *s, const struct sched_attempt *a,
                          const struct sched_node *n);
/* Room in the table for `more` containers (at most half full). */
void sched_ctable_reserve(struct scheduler *s, size_t more);
struct sched_container *sched_place(struct scheduler *s, struct sched_attempt *a,
                                    struct sched_node *n, weft_resource_t resource,
                                    int32_t priority, bool am);
/* Drop a live container from every book (copied into *out when not NULL). */
void sched_drop(struct scheduler *s, uint32_t handle, struct scheduler_container *out);
void sched_container_id(const struct sched_attempt *a, int64_t seq, char *buf);
void sched_container_info(const struct sched_container *c, struct scheduler_container *out);
void sched_grant_fill(const struct sched_container *c, struct scheduler_grant *g);
/* A list's memory (its containers are dropped or freed elsewhere). */
void sched_clist_free(struct sched_clist *l);
void sched_containers_free(struct scheduler *s);

#endif
