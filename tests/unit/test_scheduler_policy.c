/*
 * test_scheduler_policy.c — every queue policy of the scheduler on its
 * own: guarantees between queues, elasticity up to maximum capacity,
 * hierarchy, user limits (minimum-user-limit-percent, user-limit-factor),
 * the AM share and max-parallel-apps (with the reasons an application
 * waits), DRF in a fair queue against FIFO, delay scheduling (node, rack,
 * off-switch, strict), reservations for large asks (and what happens
 * without them), and preemption: which containers are wanted back (AM
 * containers last), when they are due, unmarking, and queues that opt
 * out.
 */
#include "weft_config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rm/queues.h"
#include "rm/scheduler.h"

/* The attempt id of application n. */
static const char *aid(int n)
{
	static char ids[8][64];
	static int next;
	char *id = ids[next++ % 8];

	snprintf(id, 64, "appattempt_1700000000000_%04d_000001", n);
	return id;
}

/* The id of container seq of application n. */
static const char *cid(int n, int seq)
{
	static char ids[8][64];
	static int next;
	char *id = ids[next++ % 8];

	snprintf(id, 64, "container_1700000000000_%04d_01_%06d", n, seq);
	return id;
}

static struct scheduler *sched_opts(const char *queues, const struct scheduler_options *o)
{
	struct scheduler *s = scheduler_new(o);
	char *cause = NULL;
	struct queue_conf *c = queue_conf_parse(queues, "test", &cause);

	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_msg(scheduler_set_queues(s, c, &cause) == 0, "%s", cause);
	queue_conf_free(c);
	return s;
}

static struct scheduler *sched(const char *queues)
{
	struct scheduler_options o;

	scheduler_options_default(&o);
	return sched_opts(queues, &o);
}

/* One ask line. */
static void ask(struct scheduler *s, int app, int priority, int count, int mb, int vcores)
{
	struct scheduler_ask a;
	char *cause = NULL;

	memset(&a, 0, sizeof a);
	a.priority = priority;
	a.count = count;
	a.capability = weft_resource(mb, vcores);
	a.relax_locality = true;
	ck_assert_msg(scheduler_update_asks(s, aid(app), &a, 1, &cause) == 0, "%s", cause);
}

static void add(struct scheduler *s, int app, const char *queue, const char *user, int am_mb)
{
	ck_assert_int_eq(scheduler_attempt_add(s, aid(app), (uint64_t)app, queue, user,
	                                       weft_resource(am_mb, am_mb > 0 ? 1 : 0)),
	                 0);
}

/* Run a pass; RET the grants (count in *n, caller frees). */
static struct scheduler_grant *pass(struct scheduler *s, int *n)
{
	struct scheduler_grant *g = NULL;

	*n = scheduler_allocate(s, &g);
	return g;
}

/* Run a pass; RET the number of grants. */
static int run(struct scheduler *s)
{
	int n;

	free(pass(s, &n));
	return n;
}

static struct scheduler_queue_info info(struct scheduler *s, const char *path)
{
	struct scheduler_queue_info *qs = NULL, out;
	int n = scheduler_queue_infos(s, &qs);

	for (int i = 0; i < n; i++) {
		if (strcmp(qs[i].path, path) == 0) {
			out = qs[i];
			out.users = NULL;
			out.n_users = 0;
			scheduler_queue_infos_free(qs, n);
			return out;
		}
	}
	scheduler_queue_infos_free(qs, n);
	ck_abort_msg("no queue %s", path);
	return out;
}

static int64_t used_mb(struct scheduler *s, const char *path)
{
	return info(s, path).used.memory_mb;
}

static int64_t app_used_mb(struct scheduler *s, int app)
{
	struct scheduler_attempt_usage u;

	scheduler_attempt_usage(s, aid(app), 0, &u);
	return u.used.memory_mb;
}

START_TEST(test_guarantees)
{
	struct scheduler *s = sched("user-limit-factor = 10\nroot.queues = a, b\n"
	                            "root.a.capacity = 70\nroot.b.capacity = 30\n");

	scheduler_node_add(s, "n1:1", weft_resource(10240, 10));
	add(s, 1, "a", "u", 0);
	add(s, 2, "b", "u", 0);
	ask(s, 1, 1, 100, 1024, 1);
	ask(s, 2, 1, 100, 1024, 1);
	ck_assert_int_eq(run(s), 10);
	/* Each queue gets its guarantee when both want more than it. */
	ck_assert_int_eq(used_mb(s, "root.a"), 7168);
	ck_assert_int_eq(used_mb(s, "root.b"), 3072);
	ck_assert(info(s, "root.a").used_capacity > 99.9 &&
	          info(s, "root.a").used_capacity < 100.1);
	ck_assert(info(s, "root.b").abs_used_capacity > 29.9);
	scheduler_free(s);
}
END_TEST

START_TEST(test_elasticity)
{
	struct scheduler *s = sched("user-limit-factor = 10\nroot.queues = a, b\n"
	                            "root.a.capacity = 30\nroot.a.maximum-capacity = 80\n"
	                            "root.b.capacity = 70\n");
	struct scheduler_grant *g;
	int n;

	scheduler_node_add(s, "n1:1", weft_resource(10240, 10));
	add(s, 1, "a", "u", 0);
	ask(s, 1, 1, 100, 1024, 1);
	/* Alone, a borrows idle capacity up to its maximum (80%), no more. */
	ck_assert_int_eq(run(s), 8);
	ck_assert_int_eq(used_mb(s, "root.a"), 8192);
	ck_assert_int_eq(run(s), 0);
	/* b wants its share: the free room goes to b, and so does every
	 * container a gives back until b reaches its guarantee. */
	add(s, 2, "b", "v", 0);
	ask(s, 2, 1, 100, 1024, 1);
	ck_assert_int_eq(run(s), 2);
	for (int seq = 1; seq <= 5; seq++) {
		ck_assert_int_eq(scheduler_container_completed(s, cid(1, seq), NULL), 0);
		g = pass(s, &n);
		ck_assert_int_eq(n, 1);
		ck_assert_str_eq(g[0].attempt_id, aid(2));
		free(g);
	}
	ck_assert_int_eq(used_mb(s, "root.b"), 7168);
	ck_assert_int_eq(used_mb(s, "root.a"), 3072);
	/* Now a is the one below its guarantee: room it frees comes back
	 * to it. */
	ck_assert_int_eq(scheduler_container_completed(s, cid(1, 6), NULL), 0);
	g = pass(s, &n);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(g[0].attempt_id, aid(1));
	free(g);
	scheduler_free(s);
}
END_TEST

START_TEST(test_hierarchy)
{
	struct scheduler *s = sched("user-limit-factor = 10\n"
	                            "root.queues = prod, dev\n"
	                            "root.prod.capacity = 60\nroot.dev.capacity = 40\n"
	                            "root.prod.queues = etl, adhoc\n"
	                            "root.prod.etl.capacity = 50\n"
	                            "root.prod.adhoc.capacity = 50\n");
	struct scheduler_queue_info q;

	scheduler_node_add(s, "n1:1", weft_resource(5120, 5));
	scheduler_node_add(s, "n2:1", weft_resource(5120, 5));
	add(s, 1, "etl", "u", 0);
	add(s, 2, "root.prod.adhoc", "u", 0);
	add(s, 3, "dev", "u", 0);
	for (int app = 1; app <= 3; app++)
		ask(s, app, 1, 100, 1024, 1);
	ck_assert_int_eq(run(s), 10);
	ck_assert_int_eq(used_mb(s, "root.prod"), 6144);
	ck_assert_int_eq(used_mb(s, "root.prod.etl"), 3072);
	ck_assert_int_eq(used_mb(s, "root.prod.adhoc"), 3072);
	ck_assert_int_eq(used_mb(s, "root.dev"), 4096);
	q = info(s, "root.prod.etl");
	ck_assert(q.abs_capacity > 29.9 && q.abs_capacity < 30.1);
	ck_assert_int_eq(q.n_containers, 3);
	ck_assert_int_eq(info(s, "root").n_containers, 10);
	ck_assert_int_eq(info(s, "root.prod").n_apps, 2);
	scheduler_free(s);
}
END_TEST

START_TEST(test_user_limits)
{
	struct scheduler *s = sched("root.default.minimum-user-limit-percent = 50\n");

	scheduler_node_add(s, "n1:1", weft_resource(10240, 10));
	/* FIFO would give everything to the first application; with two
	 * users wanting, each is held to half of the queue. */
	add(s, 1, "default", "u1", 0);
	add(s, 2, "default", "u2", 0);
	ask(s, 1, 1, 100, 1024, 1);
	ask(s, 2, 1, 100, 1024, 1);
	ck_assert_int_eq(run(s), 10);
	ck_assert_int_eq(app_used_mb(s, 1), 5120);
	ck_assert_int_eq(app_used_mb(s, 2), 5120);
	scheduler_free(s);

	/* user-limit-factor 1: one user never exceeds the queue's capacity,
	 * even with idle room up to its maximum. */
	s = sched("root.queues = a, b\nroot.a.capacity = 50\nroot.b.capacity = 50\n");
	scheduler_node_add(s, "n1:1", weft_resource(10240, 10));
	add(s, 1, "a", "u1", 0);
	ask(s, 1, 1, 100, 1024, 1);
	ck_assert_int_eq(run(s), 5);
	ck_assert_int_eq(run(s), 0);
	/* A second user has a limit of its own: the queue grows past its
	 * capacity (up to its maximum) for it, while the first stays held. */
	add(s, 2, "a", "u2", 0);
	ask(s, 2, 1, 100, 1024, 1);
	ck_assert_int_eq(run(s), 5);
	ck_assert_int_eq(app_used_mb(s, 2), 5120);
	scheduler_free(s);

	s = sched("root.queues = a, b\nroot.a.capacity = 50\nroot.b.capacity = 50\n"
	          "root.a.user-limit-factor = 1.5\n");
	scheduler_node_add(s, "n1:1", weft_resource(10240, 10));
	add(s, 1, "a", "u1", 0);
	ask(s, 1, 1, 100, 1024, 1);
	/* 1.5 x 5 containers: the limit lets the user reach it (one
	 * container past a fraction, as YARN does). */
	ck_assert_int_eq(run(s), 8);
	scheduler_free(s);
}
END_TEST

START_TEST(test_am_share)
{
	struct scheduler *s = sched("maximum-am-resource-percent = 0.2\n");
	struct scheduler_queue_info q;
	char buf[512];
	const char *why;

	scheduler_node_add(s, "n1:1", weft_resource(10240, 10));
	for (int app = 1; app <= 4; app++)
		add(s, app, "default", "u", 1024);
	/* 20% of 10 GiB: two AMs of 1 GiB; the others wait, not activated. */
	ck_assert_int_eq(run(s), 2);
	q = info(s, "root.default");
	ck_assert_int_eq(q.n_apps, 4);
	ck_assert_int_eq(q.n_active, 2);
	ck_assert_int_eq(q.n_pending, 2);
	ck_assert_int_eq(q.am_used.memory_mb, 2048);
	ck_assert_int_eq(q.am_limit.memory_mb, 2048);
	why = scheduler_attempt_wait_reason(s, aid(3), buf, sizeof buf);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, "not yet activated: queue root.default's AM resource limit is "
	                          "reached") != NULL,
	              "%s", why);
	ck_assert_ptr_null(scheduler_attempt_wait_reason(s, aid(1), buf, sizeof buf));
	/* An application leaves: the next one in FIFO order is activated. */
	scheduler_attempt_stop(s, aid(1));
	ck_assert_int_eq(run(s), 1);
	ck_assert_int_eq(info(s, "root.default").n_active, 2);
	ck_assert_ptr_null(scheduler_attempt_wait_reason(s, aid(3), buf, sizeof buf));
	ck_assert_ptr_nonnull(scheduler_attempt_wait_reason(s, aid(4), buf, sizeof buf));
	scheduler_free(s);

	/* A share of 0 still runs one application at a time. */
	s = sched("maximum-am-resource-percent = 0\n");
	scheduler_node_add(s, "n1:1", weft_resource(10240, 10));
	add(s, 1, "default", "u", 1024);
	add(s, 2, "default", "u", 1024);
	ck_assert_int_eq(run(s), 1);
	scheduler_free(s);

	/* max-parallel-apps */
	s = sched("root.default.max-parallel-apps = 1\n");
	scheduler_node_add(s, "n1:1", weft_resource(10240, 10));
	add(s, 1, "default", "u", 1024);
	add(s, 2, "default", "u", 1024);
	ck_assert_int_eq(run(s), 1);
	why = scheduler_attempt_wait_reason(s, aid(2), buf, sizeof buf);
	ck_assert_ptr_nonnull(strstr(why, "maximum of 1 applications (max-parallel-apps)"));
	scheduler_free(s);
}
END_TEST

START_TEST(test_wait_reasons)
{
	struct scheduler *s = sched("root.queues = a, b\nroot.a.capacity = 10\n"
	                            "root.a.maximum-capacity = 20\nroot.b.capacity = 90\n"
	                            "maximum-am-resource-percent = 1\n");
	char buf[512];
	const char *why;

	add(s, 1, "b", "u", 2048);
	ck_assert_int_eq(run(s), 0);
	why = scheduler_attempt_wait_reason(s, aid(1), buf, sizeof buf);
	ck_assert_msg(strstr(why, "no node manager is registered") != NULL, "%s", why);
	scheduler_node_add(s, "n1:1", weft_resource(1024, 4));
	ck_assert_int_eq(run(s), 0);
	why = scheduler_attempt_wait_reason(s, aid(1), buf, sizeof buf);
	ck_assert_msg(strstr(why, "no node is large enough (the largest offers <memory:1024, "
	                          "vCores:4>)") != NULL,
	              "%s", why);
	scheduler_node_add(s, "n2:1", weft_resource(9216, 4));
	ck_assert_int_eq(run(s), 1);
	ck_assert_ptr_null(scheduler_attempt_wait_reason(s, aid(1), buf, sizeof buf));
	/* a may use 20% of 10 GiB = 2048: an AM of 3 GiB never fits. */
	add(s, 2, "a", "u", 3072);
	ck_assert_int_eq(run(s), 0);
	why = scheduler_attempt_wait_reason(s, aid(2), buf, sizeof buf);
	ck_assert_msg(strstr(why, "queue root.a is at its maximum capacity") != NULL, "%s", why);
	scheduler_free(s);
}
END_TEST

START_TEST(test_drf)
{
	struct scheduler_options o;
	struct scheduler *s;

	scheduler_options_default(&o);
	o.maximum = weft_resource(8192, 4);
	/* DRF's example: 9 CPUs, 18 GB; A's tasks <1 CPU, 4 GB>, B's <3
	 * CPUs, 1 GB>: A gets 3, B 2 (both at a dominant share of 2/3). */
	s = sched_opts("root.default.ordering-policy = fair\n", &o);
	scheduler_node_add(s, "n1:1", weft_resource(18432, 9));
	add(s, 1, "default", "u", 0);
	add(s, 2, "default", "u", 0);
	ask(s, 1, 1, 100, 4096, 1);
	ask(s, 2, 1, 100, 1024, 3);
	ck_assert_int_eq(run(s), 5);
	ck_assert_int_eq(app_used_mb(s, 1), 3 * 4096);
	ck_assert_int_eq(app_used_mb(s, 2), 2 * 1024);
	scheduler_free(s);
	/* The same in a FIFO queue: the first application takes what fits. */
	s = sched_opts("", &o);
	scheduler_node_add(s, "n1:1", weft_resource(18432, 9));
	add(s, 1, "default", "u", 0);
	add(s, 2, "default", "u", 0);
	ask(s, 1, 1, 100, 4096, 1);
	ask(s, 2, 1, 100, 1024, 3);
	run(s);
	ck_assert_int_eq(app_used_mb(s, 1), 4 * 4096);
	ck_assert_int_eq(app_used_mb(s, 2), 1 * 1024);
	scheduler_free(s);
	/* Fair ordering shares equal asks equally, and a completion goes to
	 * the application with the smaller share. */
	s = sched_opts("root.default.ordering-policy = fair\n", &o);
	scheduler_node_add(s, "n1:1", weft_resource(8192, 8));
	add(s, 1, "default", "u", 0);
	ask(s, 1, 1, 100, 1024, 1);
	ck_assert_int_eq(run(s), 8);
	add(s, 2, "default", "u", 0);
	ask(s, 2, 1, 100, 1024, 1);
	for (int seq = 1; seq <= 4; seq++) {
		ck_assert_int_eq(scheduler_container_completed(s, cid(1, seq), NULL), 0);
		ck_assert_int_eq(run(s), 1);
	}
	ck_assert_int_eq(app_used_mb(s, 1), 4096);
	ck_assert_int_eq(app_used_mb(s, 2), 4096);
	scheduler_free(s);
}
END_TEST

/* One ask line with locality. */
static void ask_local(struct scheduler *s, int app, int priority, int count,
                      const char *const *nodes, int n_nodes, const char *const *racks, int n_racks,
                      bool relax)
{
	struct scheduler_ask a;
	char *cause = NULL;

	memset(&a, 0, sizeof a);
	a.priority = priority;
	a.count = count;
	a.capability = weft_resource(1024, 1);
	a.relax_locality = relax;
	a.nodes = nodes;
	a.n_nodes = n_nodes;
	a.racks = racks;
	a.n_racks = n_racks;
	ck_assert_msg(scheduler_update_asks(s, aid(app), &a, 1, &cause) == 0, "%s", cause);
}

/* Three nodes: n1, n2 on /r1, n3 on /r2, two containers each. */
static struct scheduler *sched_racks(int node_delay, int rack_delay)
{
	struct scheduler_options o;
	struct scheduler *s;

	scheduler_options_default(&o);
	o.node_locality_delay = node_delay;
	o.rack_locality_delay = rack_delay;
	s = sched_opts("", &o);
	scheduler_node_add(s, "n1:1", weft_resource(2048, 2));
	scheduler_node_add(s, "n2:1", weft_resource(2048, 2));
	scheduler_node_add(s, "n3:1", weft_resource(2048, 2));
	scheduler_node_set_rack(s, "n1:1", "/r1");
	scheduler_node_set_rack(s, "n2:1", "/r1");
	scheduler_node_set_rack(s, "n3:1", "/r2");
	return s;
}

/* Run a pass expecting at most one grant; RET its node ("" if none). */
static const char *one_pass(struct scheduler *s)
{
	static char node[256];
	struct scheduler_grant *g;
	int n;

	g = pass(s, &n);
	ck_assert_int_le(n, 1);
	snprintf(node, sizeof node, "%s", n == 1 ? g[0].node_id : "");
	free(g);
	return node;
}

START_TEST(test_delay_scheduling)
{
	const char *n1[] = {"n1:1"}, *n2[] = {"n2:1"}, *host[] = {"n1"}, *r2[] = {"/r2"};
	struct scheduler *s = sched_racks(2, 2);

	/* Application 1 fills n1 (strict locality). */
	add(s, 1, "default", "u", 0);
	ask_local(s, 1, 1, 2, n1, 1, NULL, 0, false);
	ck_assert_int_eq(run(s), 2);
	/* Application 2 wants n1: it passes up two opportunities, then
	 * takes n2 on the same rack. */
	add(s, 2, "default", "u", 0);
	ask_local(s, 2, 1, 1, n1, 1, NULL, 0, true);
	ck_assert_str_eq(one_pass(s), "");
	ck_assert_str_eq(one_pass(s), "");
	ck_assert_str_eq(one_pass(s), "n2:1");
	/* Fill n2 too: now rack-local fails and after two more
	 * opportunities it goes off-switch, to n3. */
	ask_local(s, 1, 2, 1, n2, 1, NULL, 0, false);
	ck_assert_int_eq(run(s), 1);
	ask_local(s, 2, 1, 1, n1, 1, NULL, 0, true);
	for (int i = 0; i < 4; i++)
		ck_assert_str_eq(one_pass(s), "");
	ck_assert_str_eq(one_pass(s), "n3:1");
	/* While it waits, room on the wanted node is taken at once: a host
	 * name names every node on it. */
	ask_local(s, 2, 1, 1, host, 1, NULL, 0, true);
	ck_assert_str_eq(one_pass(s), "");
	ck_assert_int_eq(scheduler_container_completed(s, cid(1, 1), NULL), 0);
	ck_assert_str_eq(one_pass(s), "n1:1");
	/* Strict to a rack: only n3 there. */
	ask_local(s, 2, 2, 1, NULL, 0, r2, 1, false);
	ck_assert_str_eq(one_pass(s), "n3:1");
	ck_assert_str_eq(one_pass(s), "");
	scheduler_free(s);

	/* No delay configured: off-switch at once. */
	s = sched_racks(0, 0);
	add(s, 1, "default", "u", 0);
	ask_local(s, 1, 1, 2, n1, 1, NULL, 0, false);
	ck_assert_int_eq(run(s), 2);
	add(s, 2, "default", "u", 0);
	ask_local(s, 2, 1, 1, n1, 1, NULL, 0, true);
	ck_assert_str_ne(one_pass(s), "");
	scheduler_free(s);
}
END_TEST

/* Two nodes of 4 GiB; a small application in b fills them. */
static struct scheduler *sched_full(bool reservations)
{
	struct scheduler_options o;
	struct scheduler *s;

	scheduler_options_default(&o);
	o.reservations = reservations;
	s = sched_opts("user-limit-factor = 10\nmaximum-am-resource-percent = 1\n"
	               "root.queues = a, b\nroot.a.capacity = 75\nroot.b.capacity = 25\n",
	               &o);
	scheduler_node_add(s, "n1:1", weft_resource(4096, 4));
	scheduler_node_add(s, "n2:1", weft_resource(4096, 4));
	add(s, 1, "b", "u", 0);
	ask(s, 1, 1, 1000, 1024, 1);
	ck_assert_int_eq(run(s), 8);
	return s;
}

/* The small application's containers on node (in order of grant). */
static int free_on(struct scheduler *s, const char *node, int count)
{
	struct scheduler_container *list = NULL;
	int n = scheduler_node_containers(s, node, &list), done = 0;

	for (int i = 0; i < n && done < count; i++) {
		if (strcmp(list[i].attempt_id, aid(1)) == 0) {
			ck_assert_int_eq(
			        scheduler_container_completed(s, list[i].container_id, NULL), 0);
			done++;
		}
	}
	free(list);
	return done;
}

START_TEST(test_reservations)
{
	struct scheduler *s = sched_full(true);
	struct scheduler_node_usage nu;
	struct scheduler_usage u;
	struct scheduler_grant *g;
	char buf[512];
	const char *why;
	int n;

	/* A large AM in a (under its guarantee, so served first). */
	add(s, 2, "a", "v", 4096);
	ck_assert_int_eq(free_on(s, "n1:1", 1), 1);
	ck_assert_int_eq(run(s), 0);
	/* n1 is held for it: the small application does not take n1's room. */
	scheduler_usage(s, &u);
	ck_assert_int_eq(u.n_reserved, 1);
	ck_assert_int_eq(u.reserved.memory_mb, 4096);
	ck_assert_int_eq(scheduler_node_usage(s, "n1:1", &nu), 0);
	ck_assert(nu.reserved);
	ck_assert(!scheduler_node_has_room(s, "n1:1"));
	why = scheduler_attempt_wait_reason(s, aid(2), buf, sizeof buf);
	ck_assert_msg(strstr(why, "node n1:1 is reserved for it") != NULL, "%s", why);
	ck_assert_int_eq(info(s, "root.a").reserved.memory_mb, 4096);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(free_on(s, "n1:1", 1), 1);
		ck_assert_int_eq(run(s), 0);
	}
	ck_assert_int_eq(free_on(s, "n1:1", 1), 1);
	ck_assert(scheduler_node_has_room(s, "n1:1"));
	g = pass(s, &n);
	ck_assert_int_eq(n, 1);
	ck_assert(g[0].am);
	ck_assert_str_eq(g[0].attempt_id, aid(2));
	ck_assert_str_eq(g[0].node_id, "n1:1");
	free(g);
	scheduler_usage(s, &u);
	ck_assert_int_eq(u.n_reserved, 0);
	ck_assert_int_eq(info(s, "root.a").reserved.memory_mb, 0);
	/* An ask line reserves too (n2, the roomier node, this time). */
	ask(s, 2, 1, 1, 4096, 1);
	ck_assert_int_eq(free_on(s, "n2:1", 1), 1);
	ck_assert_int_eq(run(s), 0);
	ck_assert_int_eq(scheduler_node_usage(s, "n2:1", &nu), 0);
	ck_assert(nu.reserved);
	/* Withdrawing the ask frees the node for others at once. */
	ask(s, 2, 1, 0, 4096, 1);
	ck_assert_int_eq(scheduler_node_usage(s, "n2:1", &nu), 0);
	ck_assert(!nu.reserved);
	ck_assert_int_eq(run(s), 1);
	scheduler_free(s);

	/* Without reservations the freed room goes back to the small
	 * application every time and the large one starves. */
	s = sched_full(false);
	add(s, 2, "a", "v", 4096);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(free_on(s, "n1:1", 1), 1);
		g = pass(s, &n);
		ck_assert_int_eq(n, 1);
		ck_assert_str_eq(g[0].attempt_id, aid(1));
		free(g);
	}
	scheduler_usage(s, &u);
	ck_assert_int_eq(u.n_reserved, 0);
	ck_assert_int_eq(app_used_mb(s, 2), 0);
	scheduler_free(s);
}
END_TEST

static struct scheduler *sched_preempt(const char *queues)
{
	struct scheduler_options o;

	scheduler_options_default(&o);
	o.preemption = true;
	o.preemption_wait_ms = 1000;
	o.preemption_per_round = 1.0;
	return sched_opts(queues, &o);
}

#define TWO_QUEUES                                                                                 \
	"user-limit-factor = 10\nmaximum-am-resource-percent = 1\n"                                \
	"root.queues = a, b\nroot.a.capacity = 50\nroot.b.capacity = 50\n"

/* The containers marked in app's attempt, as a bit set of sequence
 * numbers. */
static unsigned marked(struct scheduler *s, int app)
{
	struct scheduler_container *list = NULL;
	int n = scheduler_attempt_preemptions(s, aid(app), &list);
	unsigned bits = 0;

	for (int i = 0; i < n; i++) {
		const char *seq = strrchr(list[i].container_id, '_') + 1;

		ck_assert_int_gt(list[i].preempt_at_ms, 0);
		bits |= 1u << atoi(seq);
	}
	free(list);
	return bits;
}

START_TEST(test_preemption_rounds)
{
	struct scheduler_options o;
	struct scheduler *s;
	struct scheduler_container *kill = NULL;
	int64_t t = 1000000;

	/* 20 one-GB slots, a at all of them, b wanting its half: a round
	 * asks back at most 10% of the cluster (2 slots) more than is
	 * already marked, so the marks grow by 2 a round while earlier ones
	 * wait out their grace period, up to what b misses (10). */
	scheduler_options_default(&o);
	o.preemption = true;
	o.preemption_wait_ms = 5000;
	o.preemption_per_round = 0.1;
	s = sched_opts(TWO_QUEUES, &o);
	scheduler_node_add(s, "n1:1", weft_resource(20480, 20));
	add(s, 1, "a", "u", 1024);
	ck_assert_int_eq(run(s), 1);
	ask(s, 1, 1, 30, 1024, 1);
	ck_assert_int_eq(run(s), 19);
	add(s, 2, "b", "v", 1024);
	ask(s, 2, 1, 10, 1024, 1);
	ck_assert_int_eq(run(s), 0);
	for (int round = 1; round <= 6; round++) {
		ck_assert_int_eq(scheduler_preempt(s, t + (round - 1) * 800, &kill), 0);
		ck_assert_int_eq(__builtin_popcount(marked(s, 1)), round < 5 ? 2 * round : 10);
	}
	/* The first round's marks are due first. */
	ck_assert_int_eq(scheduler_preempt(s, t + 5000, &kill), 2);
	free(kill);
	scheduler_free(s);
}
END_TEST

START_TEST(test_preemption)
{
	struct scheduler *s = sched_preempt(TWO_QUEUES);
	struct scheduler_container *kill = NULL;
	struct scheduler_attempt_usage au;
	int64_t t = 1000000;
	int n;

	scheduler_node_add(s, "n1:1", weft_resource(10240, 10));
	add(s, 1, "a", "u", 1024);
	ck_assert_int_eq(run(s), 1);
	ask(s, 1, 1, 20, 1024, 1);
	ck_assert_int_eq(run(s), 9);
	/* Nobody else wants anything: nothing to take back. */
	ck_assert_int_eq(scheduler_preempt(s, t, &kill), 0);
	ck_assert_int_eq(marked(s, 1), 0);
	/* b's AM waits: one container of a is wanted back, the newest one
	 * (not the AM). */
	add(s, 2, "b", "v", 1024);
	ck_assert_int_eq(run(s), 0);
	ck_assert_int_eq(scheduler_preempt(s, t, &kill), 0);
	ck_assert_uint_eq(marked(s, 1), 1u << 10);
	scheduler_attempt_usage(s, aid(1), t, &au);
	ck_assert_int_eq(au.n_preempted_marked, 1);
	/* Not due before its wait is over; then handed over for killing. */
	ck_assert_int_eq(scheduler_preempt(s, t + 999, &kill), 0);
	n = scheduler_preempt(s, t + 1000, &kill);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(kill[0].container_id, cid(1, 10));
	ck_assert(!kill[0].am);
	/* Still booked until the caller completes it (-102). */
	ck_assert_int_eq(scheduler_container_completed(s, kill[0].container_id, NULL), 0);
	free(kill);
	ck_assert_int_eq(run(s), 1);
	ck_assert_int_eq(used_mb(s, "root.b"), 1024);
	/* b asks for more: a gives back down to its share (5 of 10),
	 * lowest priority first, newest first, its AM last. */
	ask(s, 2, 1, 10, 1024, 1);
	ck_assert_int_eq(run(s), 0);
	ck_assert_int_eq(scheduler_preempt(s, t + 2000, &kill), 0);
	ck_assert_uint_eq(marked(s, 1), (1u << 9) | (1u << 8) | (1u << 7) | (1u << 6));
	/* A round later the same ones are still wanted (not more). */
	ck_assert_int_eq(scheduler_preempt(s, t + 2500, &kill), 0);
	ck_assert_uint_eq(marked(s, 1), (1u << 9) | (1u << 8) | (1u << 7) | (1u << 6));
	/* The AM gives one back itself: it no longer needs killing. */
	ck_assert_int_eq(scheduler_release(s, aid(1), cid(1, 9), NULL), 0);
	ck_assert_int_eq(run(s), 1);
	n = scheduler_preempt(s, t + 3000, &kill);
	ck_assert_int_eq(n, 3);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(scheduler_container_completed(s, kill[i].container_id, NULL), 0);
	free(kill);
	ck_assert_int_eq(run(s), 3);
	ck_assert_int_eq(used_mb(s, "root.a"), 5120);
	ck_assert_int_eq(used_mb(s, "root.b"), 5120);
	/* At their shares: nothing more is taken. */
	ck_assert_int_eq(scheduler_preempt(s, t + 4000, &kill), 0);
	ck_assert_int_eq(marked(s, 1), 0);
	scheduler_free(s);
}
END_TEST

START_TEST(test_preemption_am_last_and_unmark)
{
	struct scheduler *s = sched_preempt(TWO_QUEUES);
	struct scheduler_container *kill = NULL;
	unsigned am = 1u << 1;

	scheduler_node_add(s, "n1:1", weft_resource(6144, 6));
	/* Six applications in a, each only its AM. */
	for (int app = 1; app <= 6; app++)
		add(s, app, "a", "u", 1024);
	ck_assert_int_eq(run(s), 6);
	add(s, 7, "b", "v", 1024);
	ask(s, 7, 1, 2, 1024, 1);
	ck_assert_int_eq(run(s), 0);
	/* b wants 3: only AMs to take, the newest applications' first. */
	ck_assert_int_eq(scheduler_preempt(s, 1000, &kill), 0);
	ck_assert_uint_eq(marked(s, 6), am);
	ck_assert_uint_eq(marked(s, 5), am);
	ck_assert_uint_eq(marked(s, 4), am);
	ck_assert_uint_eq(marked(s, 3), 0);
	/* b gives up: the marks go. */
	scheduler_attempt_stop(s, aid(7));
	ck_assert_int_eq(scheduler_preempt(s, 5000, &kill), 0);
	for (int app = 1; app <= 6; app++)
		ck_assert_uint_eq(marked(s, app), 0);
	scheduler_free(s);

	/* A queue with preemption disabled keeps what it has. */
	s = sched_preempt(TWO_QUEUES "root.a.disable-preemption = true\n");
	scheduler_node_add(s, "n1:1", weft_resource(4096, 4));
	add(s, 1, "a", "u", 1024);
	ck_assert_int_eq(run(s), 1);
	ask(s, 1, 1, 10, 1024, 1);
	ck_assert_int_eq(run(s), 3);
	add(s, 2, "b", "v", 1024);
	ck_assert_int_eq(scheduler_preempt(s, 1000, &kill), 0);
	ck_assert_int_eq(scheduler_preempt(s, 9000, &kill), 0);
	ck_assert_uint_eq(marked(s, 1), 0);
	ck_assert(info(s, "root.a").preemption_disabled);
	scheduler_free(s);

	/* Preemption off: nothing ever happens. */
	s = sched(TWO_QUEUES);
	scheduler_node_add(s, "n1:1", weft_resource(4096, 4));
	add(s, 1, "a", "u", 1024);
	run(s);
	ask(s, 1, 1, 10, 1024, 1);
	run(s);
	add(s, 2, "b", "v", 1024);
	ck_assert_int_eq(scheduler_preempt(s, 1000, &kill), 0);
	ck_assert_uint_eq(marked(s, 1), 0);
	scheduler_free(s);
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("scheduler_policy");
	TCase *tc = tcase_create("policy");

	tcase_add_test(tc, test_guarantees);
	tcase_add_test(tc, test_elasticity);
	tcase_add_test(tc, test_hierarchy);
	tcase_add_test(tc, test_user_limits);
	tcase_add_test(tc, test_am_share);
	tcase_add_test(tc, test_wait_reasons);
	tcase_add_test(tc, test_drf);
	tcase_add_test(tc, test_delay_scheduling);
	tcase_add_test(tc, test_reservations);
	tcase_add_test(tc, test_preemption_rounds);
	tcase_add_test(tc, test_preemption);
	tcase_add_test(tc, test_preemption_am_last_and_unmark);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(policy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
