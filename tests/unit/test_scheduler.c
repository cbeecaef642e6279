/*
 * test_scheduler.c — the FIFO scheduler on its own: placement (spread and
 * pack), YARN normalization and the maximum, FIFO order with AM
 * containers first, grants when asks arrive, nodes join or containers
 * complete, releases, lost nodes and withdrawn asks; the node index
 * against a plain scan, and the container books (lookup by id, refusals,
 * accounting back to zero) through many completions.
 */
#include "weft_config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rm/node_index.h"
#include "rm/queues.h"
#include "rm/scheduler.h"

#define A1 "appattempt_1700000000000_0001_000001"
#define A2 "appattempt_1700000000000_0002_000001"
#define A3 "appattempt_1700000000000_0003_000001"

static struct scheduler *sched_new(enum scheduler_placement p)
{
	struct scheduler_options o;
	struct queue_conf *conf;
	struct scheduler *s;

	scheduler_options_default(&o);
	o.minimum = weft_resource(1024, 1);
	o.maximum = weft_resource(8192, 4);
	o.placement = p;
	s = scheduler_new(&o);
	/* These tests are about FIFO order and placement: no AM share limit
	 * (test_scheduler_policy.c tests it). */
	conf = queue_conf_parse("maximum-am-resource-percent = 1\n", "test", NULL);
	ck_assert_ptr_nonnull(conf);
	ck_assert_int_eq(scheduler_set_queues(s, conf, NULL), 0);
	queue_conf_free(conf);
	return s;
}

static struct scheduler_ask ask(int priority, int count, int mb, int vcores)
{
	struct scheduler_ask a;

	memset(&a, 0, sizeof a);
	a.priority = priority;
	a.count = count;
	a.capability = weft_resource(mb, vcores);
	a.relax_locality = true;
	return a;
}

/* Run allocate; RET grant count, grants in *g (caller frees). */
static int run(struct scheduler *s, struct scheduler_grant **g)
{
	return scheduler_allocate(s, g);
}

START_TEST(test_normalize)
{
	struct scheduler *s = sched_new(SCHEDULER_SPREAD);
	weft_resource_t out;
	char *cause = NULL;

	ck_assert_int_eq(scheduler_normalize(s, weft_resource(1500, 1), &out, &cause), 0);
	ck_assert_int_eq(out.memory_mb, 2048);
	ck_assert_int_eq(out.vcores, 1);
	ck_assert_int_eq(scheduler_normalize(s, weft_resource(0, 0), &out, &cause), 0);
	ck_assert_int_eq(out.memory_mb, 1024);
	ck_assert_int_eq(out.vcores, 1);
	ck_assert_int_eq(scheduler_normalize(s, weft_resource(8192, 4), &out, &cause), 0);
	ck_assert_int_eq(out.memory_mb, 8192);
	/* Above the maximum: refused, never capped. */
	ck_assert_int_eq(scheduler_normalize(s, weft_resource(8193, 1), &out, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "maximum"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(scheduler_normalize(s, weft_resource(1024, 5), &out, &cause), -1);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(scheduler_normalize(s, weft_resource(-1, 1), &out, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "negative"));
	free(cause);
	scheduler_free(s);
}
END_TEST

START_TEST(test_queue)
{
	struct scheduler *s = sched_new(SCHEDULER_SPREAD);
	char *cause = NULL;

	ck_assert_int_eq(scheduler_validate_queue(s, "default", &cause), 0);
	ck_assert_int_eq(scheduler_validate_queue(s, "prod", &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "'prod'"));
	free(cause);
	scheduler_free(s);
}
END_TEST

START_TEST(test_spread)
{
	struct scheduler *s = sched_new(SCHEDULER_SPREAD);
	struct scheduler_grant *g = NULL;
	struct scheduler_ask a = ask(1, 4, 1024, 1);
	int n;

	scheduler_node_add(s, "n1:1", weft_resource(8192, 8));
	scheduler_node_add(s, "n2:1", weft_resource(8192, 8));
	ck_assert_int_eq(scheduler_attempt_add(s, A1, 1, "default", "u", weft_resource(0, 0)), 0);
	ck_assert_int_eq(scheduler_update_asks(s, A1, &a, 1, NULL), 0);
	n = run(s, &g);
	ck_assert_int_eq(n, 4);
	/* Most free room each time: alternates between the two nodes. */
	ck_assert_str_eq(g[0].node_id, "n1:1");
	ck_assert_str_eq(g[1].node_id, "n2:1");
	ck_assert_str_eq(g[2].node_id, "n1:1");
	ck_assert_str_eq(g[3].node_id, "n2:1");
	ck_assert_str_eq(g[0].container_id, "container_1700000000000_0001_01_000001");
	ck_assert_str_eq(g[3].container_id, "container_1700000000000_0001_01_000004");
	ck_assert(!g[0].am);
	free(g);
	scheduler_free(s);
}
END_TEST

START_TEST(test_pack)
{
	struct scheduler *s = sched_new(SCHEDULER_PACK);
	struct scheduler_grant *g = NULL;
	struct scheduler_ask a = ask(1, 5, 2048, 1);
	struct scheduler_node_usage u;
	int n;

	scheduler_node_add(s, "n1:1", weft_resource(8192, 8));
	scheduler_node_add(s, "n2:1", weft_resource(8192, 8));
	scheduler_attempt_add(s, A1, 1, "default", "u", weft_resource(0, 0));
	scheduler_update_asks(s, A1, &a, 1, NULL);
	n = run(s, &g);
	ck_assert_int_eq(n, 5);
	for (int i = 0; i < 4; i++)
		ck_assert_str_eq(g[i].node_id, "n1:1");
	ck_assert_str_eq(g[4].node_id, "n2:1");
	ck_assert_int_eq(scheduler_node_usage(s, "n1:1", &u), 0);
	ck_assert_int_eq(u.used.memory_mb, 8192);
	ck_assert_int_eq(u.n_containers, 4);
	free(g);
	scheduler_free(s);
}
END_TEST

START_TEST(test_fifo_and_am_first)
{
	struct scheduler *s = sched_new(SCHEDULER_PACK);
	struct scheduler_grant *g = NULL;
	struct scheduler_ask big = ask(1, 10, 1024, 1);
	int n;

	scheduler_node_add(s, "n1:1", weft_resource(4096, 8));
	/* App 1's AM, then app 2's AM, then app 1's executors. */
	scheduler_attempt_add(s, A1, 1, "default", "u", weft_resource(1024, 1));
	scheduler_attempt_add(s, A2, 2, "default", "u", weft_resource(1024, 1));
	n = run(s, &g);
	ck_assert_int_eq(n, 2);
	ck_assert(g[0].am);
	ck_assert_str_eq(g[0].attempt_id, A1);
	ck_assert(g[1].am);
	ck_assert_str_eq(g[1].attempt_id, A2);
	ck_assert_str_eq(g[0].container_id, "container_1700000000000_0001_01_000001");
	free(g);
	/* App 1 asks for far more than fits: it takes what is left, FIFO. */
	ck_assert_int_eq(scheduler_update_asks(s, A1, &big, 1, NULL), 0);
	/* A later app's AM waits behind app 1 (FIFO by submission). */
	scheduler_attempt_add(s, A3, 3, "default", "u", weft_resource(1024, 1));
	n = run(s, &g);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(g[0].attempt_id, A1);
	ck_assert_str_eq(g[1].attempt_id, A1);
	free(g);
	/* A completion frees room: app 1 (earlier) gets it, not app 3. */
	ck_assert_int_eq(
	        scheduler_container_completed(s, "container_1700000000000_0002_01_000001", NULL),
	        0);
	n = run(s, &g);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(g[0].attempt_id, A1);
	free(g);
	/* Withdrawing app 1's ask lets app 3's AM in on the next room. */
	big.count = 0;
	ck_assert_int_eq(scheduler_update_asks(s, A1, &big, 1, NULL), 0);
	scheduler_node_add(s, "n2:1", weft_resource(1024, 1));
	n = run(s, &g);
	ck_assert_int_eq(n, 1);
	ck_assert(g[0].am);
	ck_assert_str_eq(g[0].attempt_id, A3);
	ck_assert_str_eq(g[0].node_id, "n2:1");
	free(g);
	scheduler_free(s);
}
END_TEST

START_TEST(test_retry_keeps_fifo_place)
{
	struct scheduler *s = sched_new(SCHEDULER_PACK);
	struct scheduler_grant *g = NULL;
	int n;

	scheduler_attempt_add(s, A2, 2, "default", "u", weft_resource(1024, 1));
	/* Attempt 2 of application 1 comes after app 2 in time but first in
	 * order. */
	scheduler_attempt_add(s, "appattempt_1700000000000_0001_000002", 1, "default", "u",
	                      weft_resource(1024, 1));
	scheduler_node_add(s, "n1:1", weft_resource(1024, 1));
	n = run(s, &g);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(g[0].attempt_id, "appattempt_1700000000000_0001_000002");
	ck_assert_str_eq(g[0].container_id, "container_1700000000000_0001_02_000001");
	free(g);
	scheduler_free(s);
}
END_TEST

START_TEST(test_grants_on_events)
{
	struct scheduler *s = sched_new(SCHEDULER_SPREAD);
	struct scheduler_grant *g = NULL;
	struct scheduler_ask a = ask(1, 3, 2048, 1);
	struct scheduler_usage u;
	int n;

	scheduler_attempt_add(s, A1, 1, "default", "u", weft_resource(0, 0));
	scheduler_update_asks(s, A1, &a, 1, NULL);
	/* No node: nothing. */
	ck_assert_int_eq(run(s, &g), 0);
	ck_assert_ptr_null(g);
	scheduler_usage(s, &u);
	ck_assert_int_eq(u.n_pending, 3);
	/* A node joins: what fits is granted. */
	scheduler_node_add(s, "n1:1", weft_resource(4096, 4));
	n = run(s, &g);
	ck_assert_int_eq(n, 2);
	free(g);
	scheduler_usage(s, &u);
	ck_assert_int_eq(u.n_pending, 1);
	ck_assert_int_eq(u.allocated.memory_mb, 4096);
	ck_assert_int_eq(u.total.memory_mb, 4096);
	/* A container completes: the last one fits. */
	ck_assert_int_eq(
	        scheduler_container_completed(s, "container_1700000000000_0001_01_000001", NULL),
	        0);
	ck_assert_int_eq(
	        scheduler_container_completed(s, "container_1700000000000_0001_01_000001", NULL),
	        -1);
	n = run(s, &g);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(g[0].container_id, "container_1700000000000_0001_01_000003");
	free(g);
	scheduler_usage(s, &u);
	ck_assert_int_eq(u.n_pending, 0);
	ck_assert_int_eq(u.n_containers, 2);
	scheduler_free(s);
}
END_TEST

START_TEST(test_release_and_ownership)
{
	struct scheduler *s = sched_new(SCHEDULER_SPREAD);
	struct scheduler_grant *g = NULL;
	struct scheduler_ask a = ask(1, 1, 1024, 1);
	struct scheduler_container c;
	struct scheduler_node_usage nu;

	scheduler_node_add(s, "n1:1", weft_resource(4096, 4));
	scheduler_attempt_add(s, A1, 1, "default", "u", weft_resource(0, 0));
	scheduler_attempt_add(s, A2, 2, "default", "u", weft_resource(0, 0));
	scheduler_update_asks(s, A1, &a, 1, NULL);
	ck_assert_int_eq(run(s, &g), 1);
	/* Another attempt cannot release it. */
	ck_assert_int_eq(scheduler_release(s, A2, g[0].container_id, NULL), -1);
	ck_assert_int_eq(scheduler_container_lookup(s, g[0].container_id, &c), 0);
	ck_assert_str_eq(c.attempt_id, A1);
	ck_assert_int_eq(scheduler_release(s, A1, g[0].container_id, &c), 0);
	ck_assert_int_eq(c.resource.memory_mb, 1024);
	ck_assert_int_eq(scheduler_container_lookup(s, g[0].container_id, &c), -1);
	scheduler_node_usage(s, "n1:1", &nu);
	ck_assert_int_eq(nu.used.memory_mb, 0);
	free(g);
	scheduler_free(s);
}
END_TEST

START_TEST(test_invalid_asks_change_nothing)
{
	struct scheduler *s = sched_new(SCHEDULER_SPREAD);
	struct scheduler_grant *g = NULL;
	struct scheduler_ask asks[2] = {ask(1, 1, 1024, 1), ask(2, 1, 9000, 1)};
	struct scheduler_ask dup[2] = {ask(1, 1, 1024, 1), ask(1, 2, 1024, 1)};
	char *cause = NULL;

	scheduler_node_add(s, "n1:1", weft_resource(16384, 8));
	scheduler_attempt_add(s, A1, 1, "default", "u", weft_resource(0, 0));
	ck_assert_int_eq(scheduler_update_asks(s, A1, asks, 2, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "asks[1]"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(scheduler_update_asks(s, A1, dup, 2, &cause), -1);
	free(cause);
	/* The valid first line was not applied either. */
	ck_assert_int_eq(run(s, &g), 0);
	scheduler_free(s);
}
END_TEST

START_TEST(test_count_replaces)
{
	struct scheduler *s = sched_new(SCHEDULER_SPREAD);
	struct scheduler_grant *g = NULL;
	struct scheduler_ask a = ask(1, 5, 1024, 1);
	struct scheduler_usage u;

	scheduler_attempt_add(s, A1, 1, "default", "u", weft_resource(0, 0));
	scheduler_update_asks(s, A1, &a, 1, NULL);
	a.count = 2;
	scheduler_update_asks(s, A1, &a, 1, NULL);
	scheduler_usage(s, &u);
	ck_assert_int_eq(u.n_pending, 2);
	scheduler_node_add(s, "n1:1", weft_resource(16384, 16));
	ck_assert_int_eq(run(s, &g), 2);
	free(g);
	scheduler_free(s);
}
END_TEST

START_TEST(test_node_hints)
{
	struct scheduler *s = sched_new(SCHEDULER_SPREAD);
	struct scheduler_grant *g = NULL;
	const char *hint[] = {"n2:1"};
	struct scheduler_ask a = ask(1, 2, 1024, 1);
	int n;

	scheduler_node_add(s, "n1:1", weft_resource(8192, 8));
	scheduler_node_add(s, "n2:1", weft_resource(1024, 1));
	scheduler_attempt_add(s, A1, 1, "default", "u", weft_resource(0, 0));
	a.nodes = hint;
	a.n_nodes = 1;
	a.relax_locality = false;
	scheduler_update_asks(s, A1, &a, 1, NULL);
	n = run(s, &g);
	/* Strict locality: only one fits on n2, the other waits. */
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(g[0].node_id, "n2:1");
	free(g);
	/* Relaxed: delay scheduling passes up n1 for as many scheduling
	 * opportunities as there are nodes (the delay is capped at the
	 * cluster size), then takes a node of n2's rack. */
	a.count = 1;
	a.relax_locality = true;
	scheduler_update_asks(s, A1, &a, 1, NULL);
	ck_assert_int_eq(run(s, &g), 0);
	ck_assert_int_eq(run(s, &g), 0);
	n = run(s, &g);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(g[0].node_id, "n1:1");
	free(g);
	scheduler_free(s);
}
END_TEST

START_TEST(test_node_remove_and_unhealthy)
{
	struct scheduler *s = sched_new(SCHEDULER_SPREAD);
	struct scheduler_grant *g = NULL;
	struct scheduler_container *lost = NULL;
	struct scheduler_ask a = ask(1, 2, 1024, 1);
	struct scheduler_usage u;
	int n;

	scheduler_node_add(s, "n1:1", weft_resource(8192, 8));
	scheduler_attempt_add(s, A1, 1, "default", "u", weft_resource(0, 0));
	scheduler_update_asks(s, A1, &a, 1, NULL);
	ck_assert_int_eq(run(s, &g), 2);
	free(g);
	n = scheduler_node_remove(s, "n1:1", &lost);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(lost[0].attempt_id, A1);
	free(lost);
	scheduler_usage(s, &u);
	ck_assert_int_eq(u.n_containers, 0);
	ck_assert_int_eq(u.total.memory_mb, 0);
	/* Unhealthy nodes take nothing new. */
	scheduler_node_add(s, "n2:1", weft_resource(8192, 8));
	scheduler_node_set_schedulable(s, "n2:1", false);
	a.count = 1;
	scheduler_update_asks(s, A1, &a, 1, NULL);
	ck_assert_int_eq(run(s, &g), 0);
	ck_assert(!scheduler_node_has_room(s, "n2:1"));
	scheduler_node_set_schedulable(s, "n2:1", true);
	ck_assert_int_eq(run(s, &g), 1);
	free(g);
	/* Removing the attempt hands its containers back. */
	n = scheduler_attempt_remove(s, A1, &lost);
	ck_assert_int_eq(n, 1);
	free(lost);
	scheduler_usage(s, &u);
	ck_assert_int_eq(u.allocated.memory_mb, 0);
	scheduler_free(s);
}
END_TEST

START_TEST(test_attempt_stop)
{
	struct scheduler *s = sched_new(SCHEDULER_SPREAD);
	struct scheduler_grant *g = NULL;
	struct scheduler_ask a = ask(3, 2, 1024, 1);
	struct scheduler_usage u;

	scheduler_attempt_add(s, A1, 1, "default", "u", weft_resource(1024, 1));
	scheduler_update_asks(s, A1, &a, 1, NULL);
	scheduler_attempt_stop(s, A1);
	scheduler_usage(s, &u);
	ck_assert_int_eq(u.n_pending, 0);
	scheduler_node_add(s, "n1:1", weft_resource(8192, 8));
	ck_assert_int_eq(run(s, &g), 0);
	scheduler_free(s);
}
END_TEST

/* --- the node index against a plain scan --- */

/* A small deterministic generator (rand_r is not C11). */
static unsigned next_rand(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) & 0x7fff;
}

struct scan_slot {
	bool live;
	weft_resource_t free_room, cap;
};

/* Whether slot a ranks before b for spread (more free memory, then
 * vcores, then the lower slot). */
static bool scan_before(const struct scan_slot *t, int a, int b)
{
	if (b < 0)
		return true;
	if (t[a].free_room.memory_mb != t[b].free_room.memory_mb)
		return t[a].free_room.memory_mb > t[b].free_room.memory_mb;
	if (t[a].free_room.vcores != t[b].free_room.vcores)
		return t[a].free_room.vcores > t[b].free_room.vcores;
	return a < b;
}

/* The slot each search should find, by scanning every slot. */
static int scan_find(const struct scan_slot *t, int n, weft_resource_t need, int how)
{
	int best = -1;

	for (int i = 0; i < n; i++) {
		bool fits_free = t[i].free_room.memory_mb >= need.memory_mb &&
		                 t[i].free_room.vcores >= need.vcores;
		bool fits_cap =
		        t[i].cap.memory_mb >= need.memory_mb && t[i].cap.vcores >= need.vcores;

		if (!t[i].live)
			continue;
		if (how == 1 && fits_free)
			return i;
		if ((how == 0 && fits_free) || (how == 2 && fits_cap)) {
			if (scan_before(t, i, best))
				best = i;
		}
	}
	return best;
}

struct index_owner {
	int id;   /* position in the scan table */
	int slot; /* in the index (compaction moves it) */
};

static void index_moved_cb(void *owner, int slot)
{
	((struct index_owner *)owner)->slot = slot;
}

/* Random adds, updates and removals (with compactions and growth past a
 * few powers of four); after each, every search agrees with a scan. */
START_TEST(test_node_index_matches_scan)
{
	enum { N = 700 };
	struct node_index *ni = node_index_new();
	struct scan_slot *t = calloc(N, sizeof *t);
	struct index_owner *own = calloc(N, sizeof *own);
	int n = 0;
	unsigned seed = 7;

	node_index_set_moved_cb(ni, index_moved_cb);
	for (int step = 0; step < 6000; step++) {
		int op = (int)next_rand(&seed) % 10, i;

		if (n < N && (op < 3 || n == 0)) {
			i = n++;
			own[i].id = i;
			own[i].slot = node_index_add(ni, &own[i]);
			t[i].live = true;
			t[i].free_room = weft_resource(-1, -1);
			t[i].cap = weft_resource(-1, -1);
		} else {
			i = (int)next_rand(&seed) % n;
			if (!t[i].live)
				continue;
			if (op == 9 && step > 3000) {
				node_index_remove(ni, own[i].slot);
				t[i].live = false;
			} else if (op == 8) {
				/* unschedulable or reserved: offers nothing */
				t[i].free_room = weft_resource(-1, -1);
				t[i].cap = weft_resource(-1, -1);
				node_index_set(ni, own[i].slot, t[i].free_room, t[i].cap);
			} else {
				int64_t cm = 1 + (int)next_rand(&seed) % 16,
				        cv = 1 + (int)next_rand(&seed) % 8;

				t[i].cap = weft_resource(cm * 1024, cv);
				t[i].free_room =
				        weft_resource(((int)next_rand(&seed) % (cm + 1)) * 1024,
				                      (int)next_rand(&seed) % (cv + 1));
				node_index_set(ni, own[i].slot, t[i].free_room, t[i].cap);
			}
		}
		for (int q = 0; q < 3; q++) {
			weft_resource_t need = weft_resource(((int)next_rand(&seed) % 12) * 1024,
			                                     (int)next_rand(&seed) % 6);
			struct index_owner *found[3] = {
			        node_index_find_spread(ni, need),
			        node_index_find_pack(ni, need),
			        node_index_find_reservable(ni, need),
			};

			for (int how = 0; how < 3; how++) {
				int want = -1, got = found[how] != NULL ? found[how]->id : -1;

				/* scan in slot order: live slots keep their relative order */
				{
					struct scan_slot *by_slot = calloc(N, sizeof *by_slot);
					int map[N], m = 0;

					for (int k = 0; k < n; k++) {
						if (!t[k].live)
							continue;
						by_slot[own[k].slot] = t[k];
						map[own[k].slot] = k;
						if (own[k].slot + 1 > m)
							m = own[k].slot + 1;
					}
					want = scan_find(by_slot, m, need, how);
					want = want >= 0 ? map[want] : -1;
					free(by_slot);
				}
				ck_assert_msg(got == want, "step %d search %d: index %d, scan %d",
				              step, how, got, want);
			}
		}
	}
	ck_assert_int_gt(node_index_count(ni), 0);
	node_index_free(ni);
	free(t);
	free(own);
}
END_TEST

/* --- the container books through many completions --- */

/* Every container placed can be found by its id, completes exactly once
 * (a second completion, an unknown or malformed id, a near-miss id and a
 * release by another attempt are refused), and once all have ended every
 * figure is back to zero. */
START_TEST(test_container_books)
{
	struct scheduler *s = sched_new(SCHEDULER_SPREAD);
	struct scheduler_grant *g = NULL;
	struct scheduler_ask a = ask(1, 100000, 1024, 1);
	struct scheduler_container info;
	struct scheduler_usage u;
	struct scheduler_node_usage nu;
	struct scheduler_attempt_usage au;
	static char ids[4000][WEFT_ID_MAX], done[8000][WEFT_ID_MAX];
	int n_ids = 0, n_done = 0, rounds = 0;
	unsigned seed = 3;
	char node[32], bad[WEFT_ID_MAX + 8];

	/* 800 slots: the table grows past its first 1024 lines. */
	for (int i = 0; i < 100; i++) {
		char rack[16];

		snprintf(node, sizeof node, "n%d:1", i);
		snprintf(rack, sizeof rack, "/r%d", i % 3);
		scheduler_node_add(s, node, weft_resource(8 * 1024, 8));
		scheduler_node_set_rack(s, node, rack);
	}
	ck_assert_int_eq(scheduler_attempt_add(s, A1, 1, "default", "u", weft_resource(0, 0)), 0);
	ck_assert_int_eq(scheduler_attempt_add(s, A2, 2, "default", "v", weft_resource(0, 0)), 0);
	ck_assert_int_eq(scheduler_update_asks(s, A1, &a, 1, NULL), 0);
	ck_assert_int_eq(scheduler_update_asks(s, A2, &a, 1, NULL), 0);
	/* Churn: grant, complete a random third, grant again (the table
	 * grows, shifts and reuses its lines). */
	while (rounds++ < 30) {
		int k = run(s, &g);

		for (int i = 0; i < k; i++) {
			ck_assert_int_eq(scheduler_container_lookup(s, g[i].container_id, &info),
			                 0);
			ck_assert_str_eq(info.node_id, g[i].node_id);
			ck_assert_str_eq(info.attempt_id, g[i].attempt_id);
			memcpy(ids[n_ids++], g[i].container_id, WEFT_ID_MAX);
		}
		free(g);
		for (int c = n_ids / 3; c > 0 && n_ids > 0; c--) {
			int pick = (int)next_rand(&seed) % n_ids;
			const char *attempt = strstr(ids[pick], "_0001_") != NULL ? A1 : A2;

			if (c % 2 == 0)
				ck_assert_int_eq(scheduler_container_completed(s, ids[pick], &info),
				                 0);
			else
				ck_assert_int_eq(scheduler_release(s, attempt, ids[pick], &info),
				                 0);
			ck_assert_str_eq(info.container_id, ids[pick]);
			if (n_done < 8000)
				memcpy(done[n_done++], ids[pick], WEFT_ID_MAX);
			memcpy(ids[pick], ids[--n_ids], WEFT_ID_MAX);
		}
	}
	ck_assert_int_gt(n_ids, 500);
	/* Ended containers are gone for good. */
	for (int i = 0; i < n_done; i++) {
		ck_assert_int_eq(scheduler_container_completed(s, done[i], NULL), -1);
		ck_assert_int_eq(scheduler_container_lookup(s, done[i], &info), -1);
	}
	/* Near misses of a live id: padding, a leading zero, a wrong attempt,
	 * a cut or longer id, another attempt's release. */
	snprintf(bad, sizeof bad, "%s0", ids[0]);
	ck_assert_int_eq(scheduler_container_lookup(s, bad, &info), -1);
	snprintf(bad, sizeof bad, "%.*s", (int)strlen(ids[0]) - 1, ids[0]);
	ck_assert_int_eq(scheduler_container_lookup(s, bad, &info), -1);
	{
		const char *last = strrchr(ids[0], '_');

		ck_assert_ptr_nonnull(last);
		snprintf(bad, sizeof bad, "%.*s_0%s", (int)(last - ids[0]), ids[0],
		         last != NULL ? last + 1 : "");
		ck_assert_int_eq(scheduler_container_lookup(s, bad, &info), -1);
	}
	ck_assert_int_eq(scheduler_container_lookup(s, "container_1700000000000_0001_01_", &info),
	                 -1);
	ck_assert_int_eq(scheduler_container_lookup(s, "container_x", &info), -1);
	ck_assert_int_eq(scheduler_container_completed(s, "", NULL), -1);
	ck_assert_int_eq(
	        scheduler_container_completed(s, "container_1700000000000_0009_01_000001", NULL),
	        -1);
	ck_assert_int_eq(
	        scheduler_release(s, strstr(ids[0], "_0001_") != NULL ? A2 : A1, ids[0], NULL), -1);
	/* Everything still live is found, then ends; the books are zero. */
	for (int i = 0; i < n_ids; i++)
		ck_assert_int_eq(scheduler_container_completed(s, ids[i], NULL), 0);
	scheduler_usage(s, &u);
	ck_assert_int_eq(u.n_containers, 0);
	ck_assert_int_eq(u.used.memory_mb, 0);
	ck_assert_int_eq(u.used.vcores, 0);
	ck_assert_int_eq(u.allocated.memory_mb, 0);
	for (int i = 0; i < 100; i++) {
		snprintf(node, sizeof node, "n%d:1", i);
		ck_assert_int_eq(scheduler_node_usage(s, node, &nu), 0);
		ck_assert_int_eq(nu.n_containers, 0);
		ck_assert_int_eq(nu.used.memory_mb, 0);
	}
	scheduler_attempt_usage(s, A1, 0, &au);
	ck_assert_int_eq(au.n_containers, 0);
	ck_assert_int_eq(au.used.memory_mb, 0);
	scheduler_free(s);
}
END_TEST

/* A node's and an attempt's containers are listed and dropped whole
 * after many of them ended (their lists hold stale entries meanwhile). */
START_TEST(test_container_lists_after_churn)
{
	struct scheduler *s = sched_new(SCHEDULER_PACK);
	struct scheduler_grant *g = NULL;
	struct scheduler_ask a = ask(1, 200, 1024, 1);
	struct scheduler_container *list = NULL;
	struct scheduler_usage u;
	int k, n;

	scheduler_node_add(s, "n1:1", weft_resource(64 * 1024, 64));
	scheduler_node_add(s, "n2:1", weft_resource(64 * 1024, 64));
	scheduler_attempt_add(s, A1, 1, "default", "u", weft_resource(0, 0));
	scheduler_update_asks(s, A1, &a, 1, NULL);
	/* Pack: n1 fills first.  End all but every fifth, then fill again. */
	for (int round = 0; round < 5; round++) {
		k = run(s, &g);
		for (int i = 0; i < k; i++) {
			if (strcmp(g[i].node_id, "n1:1") == 0 && i % 5 != 0)
				ck_assert_int_eq(
				        scheduler_container_completed(s, g[i].container_id, NULL),
				        0);
		}
		free(g);
	}
	n = scheduler_node_containers(s, "n1:1", &list);
	{
		struct scheduler_node_usage nu;

		ck_assert_int_eq(scheduler_node_usage(s, "n1:1", &nu), 0);
		ck_assert_int_eq(n, nu.n_containers);
		for (int i = 0; i < n; i++) {
			ck_assert_str_eq(list[i].node_id, "n1:1");
			ck_assert_int_eq(
			        scheduler_container_lookup(s, list[i].container_id, &list[i]), 0);
			/* allocation order */
			if (i > 0)
				ck_assert_int_lt(
				        strcmp(list[i - 1].container_id, list[i].container_id), 0);
		}
	}
	free(list);
	k = scheduler_node_remove(s, "n1:1", &list);
	ck_assert_int_eq(k, n);
	free(list);
	scheduler_usage(s, &u);
	n = scheduler_attempt_remove(s, A1, &list);
	ck_assert_int_eq(n, u.n_containers);
	free(list);
	scheduler_usage(s, &u);
	ck_assert_int_eq(u.n_containers, 0);
	ck_assert_int_eq(u.allocated.memory_mb, 0);
	scheduler_free(s);
}
END_TEST

static Suite *scheduler_suite(void)
{
	Suite *s = suite_create("scheduler");
	TCase *tc = tcase_create("fifo");

	tcase_add_test(tc, test_normalize);
	tcase_add_test(tc, test_queue);
	tcase_add_test(tc, test_spread);
	tcase_add_test(tc, test_pack);
	tcase_add_test(tc, test_fifo_and_am_first);
	tcase_add_test(tc, test_retry_keeps_fifo_place);
	tcase_add_test(tc, test_grants_on_events);
	tcase_add_test(tc, test_release_and_ownership);
	tcase_add_test(tc, test_invalid_asks_change_nothing);
	tcase_add_test(tc, test_count_replaces);
	tcase_add_test(tc, test_node_hints);
	tcase_add_test(tc, test_node_remove_and_unhealthy);
	tcase_add_test(tc, test_attempt_stop);
	tcase_add_test(tc, test_node_index_matches_scan);
	tcase_add_test(tc, test_container_books);
	tcase_add_test(tc, test_container_lists_after_churn);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(scheduler_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
