/*
 * test_queues.c — queues.conf: the default tree, nested queues with
 * absolute capacities, inheritance of properties, ACLs, every kind of
 * invalid file (each refused with the file, line and reason), loading
 * from disk, and the scheduler's refresh: a tree that would lose a queue
 * holding applications is refused and the old one kept; a good one moves
 * the applications with their usage.
 */
#include "weft_config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "rm/queues.h"
#include "rm/scheduler.h"
#include "testlib.h"

#define A1 "appattempt_1700000000000_0001_000001"
#define A2 "appattempt_1700000000000_0002_000001"

static const struct queue_def *find(const struct queue_conf *c, const char *name)
{
	int i = queue_conf_find(c, name);

	ck_assert_msg(i >= 0, "queue %s missing", name);
	return &c->queues[i];
}

static bool near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

/* Parse text that must be refused; RET the message (caller frees). */
static char *refused(const char *text)
{
	char *cause = NULL;
	struct queue_conf *c = queue_conf_parse(text, "q.conf", &cause);

	ck_assert_msg(c == NULL, "accepted: %s", text);
	ck_assert_ptr_nonnull(cause);
	return cause;
}

static void expect_refused(const char *text, const char *needle)
{
	char *cause = refused(text);

	ck_assert_msg(strstr(cause, needle) != NULL, "'%s' lacks '%s'", cause, needle);
	free(cause);
}

START_TEST(test_default_tree)
{
	struct queue_conf *c = queue_conf_default();
	const struct queue_def *d;
	char *cause = NULL;

	ck_assert_int_eq(c->n, 2);
	ck_assert_str_eq(c->queues[0].path, "root");
	d = find(c, "default");
	ck_assert_str_eq(d->path, "root.default");
	ck_assert(near(d->abs_capacity, 1.0));
	ck_assert(near(d->abs_max_capacity, 1.0));
	ck_assert_int_eq(d->state, QUEUE_RUNNING);
	ck_assert_int_eq(d->max_apps, 10000);
	ck_assert_int_eq(d->max_parallel, -1);
	ck_assert(near(d->user_limit_factor, 1.0));
	ck_assert(near(d->am_percent, 0.5));
	ck_assert(c->queues[0].acl_submit.everyone);
	queue_conf_free(c);
	/* An empty file (comments only) is the same tree. */
	c = queue_conf_parse("# nothing\n\n", "q.conf", &cause);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->n, 2);
	ck_assert_str_eq(c->queues[1].path, "root.default");
	queue_conf_free(c);
	/* Properties of the implicit default queue apply. */
	c = queue_conf_parse("root.default.user-limit-factor = 3\n", "q.conf", &cause);
	ck_assert_ptr_nonnull(c);
	ck_assert(near(find(c, "default")->user_limit_factor, 3.0));
	queue_conf_free(c);
}
END_TEST

START_TEST(test_nested)
{
	const char *text = "root.queues = prod, dev\n"
	                   "root.prod.capacity = 60\n"
	                   "root.prod.maximum-capacity = 80\n"
	                   "root.dev.capacity = 40\n"
	                   "root.prod.queues = etl, adhoc\n"
	                   "root.prod.etl.capacity = 50\n"
	                   "root.prod.etl.maximum-capacity = 50\n"
	                   "root.prod.adhoc.capacity = 50\n";
	char *cause = NULL;
	struct queue_conf *c = queue_conf_parse(text, "q.conf", &cause);
	const struct queue_def *etl, *prod;

	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_int_eq(c->n, 5);
	/* Depth first, parents before children. */
	ck_assert_str_eq(c->queues[1].path, "root.prod");
	ck_assert_str_eq(c->queues[2].path, "root.prod.etl");
	ck_assert_str_eq(c->queues[3].path, "root.prod.adhoc");
	ck_assert_str_eq(c->queues[4].path, "root.dev");
	prod = find(c, "root.prod");
	etl = find(c, "etl");
	ck_assert_int_eq(prod->n_children, 2);
	ck_assert(near(etl->abs_capacity, 0.3));
	ck_assert(near(etl->abs_max_capacity, 0.4));
	ck_assert(near(find(c, "dev")->abs_max_capacity, 1.0));
	ck_assert_int_eq(etl->max_apps, 3000);
	ck_assert_int_eq(queue_conf_find(c, "root.prod.etl"), 2);
	ck_assert_int_eq(queue_conf_find(c, "nosuch"), -1);
	ck_assert_int_eq(queue_conf_find(c, "root.etl"), -1);
	queue_conf_free(c);
}
END_TEST

START_TEST(test_inheritance)
{
	const char *text = "user-limit-factor = 1.5\n"
	                   "maximum-am-resource-percent = 0.2\n"
	                   "maximum-applications = 100\n"
	                   "root.queues = a, b\n"
	                   "root.a.capacity = 50\n"
	                   "root.b.capacity = 50\n"
	                   "root.b.queues = b1, b2\n"
	                   "root.b.b1.capacity = 25\n"
	                   "root.b.b2.capacity = 75\n"
	                   "root.b.user-limit-factor = 4\n"
	                   "root.b.ordering-policy = fair\n"
	                   "root.b.b2.ordering-policy = fifo\n"
	                   "root.b.b2.maximum-applications = 7\n"
	                   "root.b.state = STOPPED\n"
	                   "root.b.b1.minimum-user-limit-percent = 25\n"
	                   "root.b.b1.max-parallel-apps = 3\n"
	                   "root.a.disable-preemption = true\n";
	char *cause = NULL;
	struct queue_conf *c = queue_conf_parse(text, "q.conf", &cause);
	const struct queue_def *a, *b1, *b2;

	ck_assert_msg(c != NULL, "%s", cause);
	a = find(c, "a");
	b1 = find(c, "b1");
	b2 = find(c, "b2");
	/* File-wide defaults. */
	ck_assert(near(a->user_limit_factor, 1.5));
	ck_assert(near(a->am_percent, 0.2));
	ck_assert(a->preemption_disabled);
	ck_assert(!b1->preemption_disabled);
	/* A parent's value beats the file-wide one, the queue's own beats
	 * the parent's. */
	ck_assert(near(b1->user_limit_factor, 4.0));
	ck_assert_int_eq(b1->ordering, QUEUE_ORDER_FAIR);
	ck_assert_int_eq(b2->ordering, QUEUE_ORDER_FIFO);
	ck_assert_int_eq(b1->min_user_limit_percent, 25);
	ck_assert_int_eq(b2->min_user_limit_percent, 100);
	ck_assert_int_eq(b1->max_parallel, 3);
	/* maximum-applications: the queue's own, else the file-wide value
	 * times the absolute capacity. */
	ck_assert_int_eq(b2->max_apps, 7);
	ck_assert_int_eq(b1->max_apps, 12);
	ck_assert_int_eq(a->max_apps, 50);
	/* A STOPPED parent stops its children. */
	ck_assert(b1->stopped);
	ck_assert_int_eq(b1->state, QUEUE_RUNNING);
	ck_assert(!a->stopped);
	queue_conf_free(c);
}
END_TEST

START_TEST(test_acl)
{
	const char *text = "root.acl_submit_applications =\n"
	                   "root.queues = a, b, c\n"
	                   "root.a.capacity = 40\n"
	                   "root.b.capacity = 30\n"
	                   "root.c.capacity = 30\n"
	                   "root.a.acl_submit_applications = alice,bob  etl, ops\n"
	                   "root.b.acl_submit_applications = *\n";
	char *cause = NULL;
	struct queue_conf *c = queue_conf_parse(text, "q.conf", &cause);
	const char *ops[] = {"users", "ops"}, *none[] = {"users"};
	const struct queue_def *a;

	ck_assert_msg(c != NULL, "%s", cause);
	a = find(c, "a");
	ck_assert_int_eq(a->acl_submit.n_users, 2);
	ck_assert_int_eq(a->acl_submit.n_groups, 2);
	ck_assert(queue_acl_allows(&a->acl_submit, "alice", NULL, 0));
	ck_assert(queue_acl_allows(&a->acl_submit, "bob", none, 1));
	ck_assert(!queue_acl_allows(&a->acl_submit, "carol", none, 1));
	ck_assert(queue_acl_allows(&a->acl_submit, "carol", ops, 2));
	ck_assert(queue_acl_allows(&find(c, "b")->acl_submit, "anyone", NULL, 0));
	ck_assert(!queue_acl_allows(&find(c, "c")->acl_submit, "anyone", ops, 2));
	ck_assert(!queue_acl_allows(&c->queues[0].acl_submit, "alice", NULL, 0));
	queue_conf_free(c);
}
END_TEST

START_TEST(test_invalid)
{
	char *cause;

	expect_refused("root.queues = a, b\nroot.a.capacity = 60\nroot.b.capacity = 50\n",
	               "add up to 110, not 100");
	expect_refused("root.queues = a, b\nroot.a.capacity = 60\n", "root.b.capacity is not set");
	expect_refused("root.queues = a\nroot.b.capacity = 10\n",
	               "queue root.b is not declared (list it in root.queues)");
	expect_refused("root.a.b.capacity = 10\n", "queue root.a.b is not declared");
	expect_refused("root.default.capcity = 10\n", "unknown property 'capcity'");
	expect_refused("capacity = 10\n", "unknown key");
	expect_refused("root.default.capacity = lots\n", "'lots' is not a number");
	expect_refused("root.default.capacity = 120\n", "out of range");
	expect_refused("root.queues = a, b\nroot.a.capacity = 50\nroot.b.capacity = 50\n"
	               "root.a.maximum-capacity = 40\n",
	               "maximum-capacity 40 is below capacity 50");
	expect_refused("root.queues = a, a\n", "used twice");
	expect_refused("root.queues = a, b\nroot.a.capacity = 50\nroot.b.capacity = 50\n"
	               "root.b.queues = a\n",
	               "used twice");
	expect_refused("root.queues = a.b\n", "not a valid queue name");
	expect_refused("root.queues = root\n", "not a valid queue name");
	expect_refused("root.queues = ,\n", "lists no queue");
	expect_refused("root.default.state = PAUSED\n", "not RUNNING or STOPPED");
	expect_refused("root.default.ordering-policy = lifo\n", "not fifo or fair");
	expect_refused("root.default.user-limit-factor = 0\n", "more than 0");
	expect_refused("root.default.minimum-user-limit-percent = 0\n", "out of range");
	expect_refused("root.default.maximum-am-resource-percent = 1.5\n", "out of range");
	expect_refused("root.default.max-parallel-apps = -2\n", "out of range");
	expect_refused("root.default.disable-preemption = maybe\n", "not true or false");
	expect_refused("root.capacity = 50\n", "root queue is always 100");
	expect_refused("maximum-applications = many\n", "not a whole number");
	expect_refused("user-limit-factor = -1\n", "out of range");
	expect_refused("root.default.capacity = 100\nroot.default.capacity = 100\n",
	               "already set on line 1");
	expect_refused("just words\n", "expected 'key = value'");
	/* The message names the file and the line. */
	cause = refused("# comment\n\nroot.default.state = ON\n");
	ck_assert_str_eq(cause, "q.conf:3: root.default.state: 'ON' is not RUNNING or STOPPED");
	free(cause);
}
END_TEST

START_TEST(test_load)
{
	char dir[256], *path, *cause = NULL;
	struct queue_conf *c;
	FILE *f;

	testlib_mkdtemp_into(dir, sizeof dir, "queues");
	path = xasprintf("%s/queues.conf", dir);
	/* Missing: the default tree, unless the file must exist. */
	c = queue_conf_load(path, false, &cause);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->n, 2);
	queue_conf_free(c);
	ck_assert_ptr_null(queue_conf_load(path, true, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "No such file"));
	free(cause);
	cause = NULL;
	f = fopen(path, "w");
	fputs("root.queues = x, y\nroot.x.capacity = 10\nroot.y.capacity = 90\n", f);
	fclose(f);
	c = queue_conf_load(path, true, &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_str_eq(c->source, path);
	ck_assert(near(find(c, "x")->abs_capacity, 0.1));
	queue_conf_free(c);
	/* A directory is not a file. */
	ck_assert_ptr_null(queue_conf_load(dir, true, &cause));
	free(cause);
	testlib_rmtree(dir);
	free(path);
}
END_TEST

static struct scheduler *sched_with(const char *text)
{
	struct scheduler_options o;
	struct queue_conf *c;
	struct scheduler *s;
	char *cause = NULL;

	scheduler_options_default(&o);
	s = scheduler_new(&o);
	c = queue_conf_parse(text, "q.conf", &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_int_eq(scheduler_set_queues(s, c, &cause), 0);
	queue_conf_free(c);
	return s;
}

/* scheduler_set_queues from text; RET its result, *cause set on -1. */
static int refresh(struct scheduler *s, const char *text, char **cause)
{
	struct queue_conf *c = queue_conf_parse(text, "q2.conf", cause);
	int rc;

	ck_assert_msg(c != NULL, "%s", *cause);
	rc = scheduler_set_queues(s, c, cause);
	queue_conf_free(c);
	return rc;
}

/* One queue of a snapshot. */
static struct scheduler_queue_info info_of(struct scheduler *s, const char *path)
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
	ck_abort_msg("queue %s not in the snapshot", path);
	return out;
}

START_TEST(test_refresh)
{
	struct scheduler *s = sched_with("root.queues = a, b\nroot.a.capacity = 50\n"
	                                 "root.b.capacity = 50\n");
	struct scheduler_grant *g = NULL;
	struct scheduler_queue_info qi;
	char *cause = NULL;

	scheduler_node_add(s, "n1:1", weft_resource(8192, 8));
	ck_assert_int_eq(scheduler_attempt_add(s, A1, 1, "a", "u", weft_resource(1024, 1)), 0);
	ck_assert_int_eq(scheduler_attempt_add(s, A2, 2, "root.b", "v", weft_resource(2048, 1)), 0);
	ck_assert_int_eq(scheduler_allocate(s, &g), 2);
	free(g);
	/* Losing a queue that holds an attempt: refused, old tree kept. */
	ck_assert_int_eq(refresh(s,
	                         "root.queues = a, c\nroot.a.capacity = 50\n"
	                         "root.c.capacity = 50\n",
	                         &cause),
	                 -1);
	ck_assert_ptr_nonnull(strstr(cause, "queue root.b holds application attempt"));
	free(cause);
	cause = NULL;
	/* Turning it into a parent: refused too. */
	ck_assert_int_eq(refresh(s,
	                         "root.queues = a, b\nroot.a.capacity = 50\n"
	                         "root.b.capacity = 50\nroot.b.queues = b1\n",
	                         &cause),
	                 -1);
	ck_assert_ptr_nonnull(strstr(cause, "would become a parent"));
	free(cause);
	cause = NULL;
	qi = info_of(s, "root.b");
	ck_assert(qi.capacity == 50.0);
	ck_assert_int_eq(qi.used.memory_mb, 2048);
	/* A good tree: new capacities, a new queue, usage carried over. */
	ck_assert_int_eq(refresh(s,
	                         "root.queues = a, b, c\nroot.a.capacity = 20\n"
	                         "root.b.capacity = 30\nroot.c.capacity = 50\n",
	                         &cause),
	                 0);
	ck_assert_str_eq(scheduler_queues_source(s), "q2.conf");
	qi = info_of(s, "root.b");
	ck_assert(qi.capacity == 30.0);
	ck_assert_int_eq(qi.used.memory_mb, 2048);
	ck_assert_int_eq(qi.n_apps, 1);
	ck_assert_int_eq(qi.n_active, 1);
	ck_assert_int_eq(qi.n_containers, 1);
	qi = info_of(s, "root");
	ck_assert_int_eq(qi.used.memory_mb, 3072);
	ck_assert_int_eq(qi.n_apps, 2);
	qi = info_of(s, "root.c");
	ck_assert_int_eq(qi.used.memory_mb, 0);
	ck_assert_int_eq(scheduler_validate_queue(s, "c", &cause), 0);
	/* The books still balance when the containers go. */
	ck_assert_int_eq(
	        scheduler_container_completed(s, "container_1700000000000_0002_01_000001", NULL),
	        0);
	qi = info_of(s, "root");
	ck_assert_int_eq(qi.used.memory_mb, 1024);
	scheduler_free(s);
}
END_TEST

START_TEST(test_submit_checks)
{
	struct scheduler *s = sched_with("root.acl_submit_applications =\n"
	                                 "root.queues = a, p\n"
	                                 "root.a.capacity = 50\n"
	                                 "root.p.capacity = 50\n"
	                                 "root.p.queues = x, y\n"
	                                 "root.p.x.capacity = 50\n"
	                                 "root.p.y.capacity = 50\n"
	                                 "root.p.y.state = STOPPED\n"
	                                 "root.p.acl_submit_applications = alice ops\n"
	                                 "root.a.acl_submit_applications = *\n"
	                                 "root.a.maximum-applications = 1\n");
	const char *ops[] = {"ops"};
	char leaf[QUEUE_NAME_MAX + 1], *cause = NULL;
	bool denied;

	ck_assert_int_eq(
	        scheduler_check_submit(s, "root.p.x", "alice", NULL, 0, leaf, &denied, &cause), 0);
	ck_assert_str_eq(leaf, "x");
	/* Allowed by the parent's ACL through a group. */
	ck_assert_int_eq(scheduler_check_submit(s, "x", "bob", ops, 1, leaf, &denied, &cause), 0);
	ck_assert_int_eq(scheduler_check_submit(s, "x", "bob", NULL, 0, leaf, &denied, &cause), -1);
	ck_assert(denied);
	ck_assert_ptr_nonnull(
	        strstr(cause, "User bob cannot submit applications to queue root.p.x"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(scheduler_check_submit(s, "y", "alice", NULL, 0, leaf, &denied, &cause),
	                 -1);
	ck_assert(!denied);
	ck_assert_ptr_nonnull(strstr(cause, "STOPPED"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(scheduler_check_submit(s, "p", "alice", NULL, 0, leaf, &denied, &cause),
	                 -1);
	ck_assert_ptr_nonnull(strstr(cause, "parent queue: submit to one of its leaf queues "
	                                    "(root.p.x, root.p.y)"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(
	        scheduler_check_submit(s, "default", "alice", NULL, 0, leaf, &denied, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "does not exist (leaf queues: root.a, root.p.x"));
	free(cause);
	cause = NULL;
	/* maximum-applications. */
	ck_assert_int_eq(scheduler_check_submit(s, "a", "zed", NULL, 0, leaf, &denied, &cause), 0);
	ck_assert_int_eq(scheduler_attempt_add(s, A1, 1, "a", "zed", weft_resource(1024, 1)), 0);
	ck_assert_int_eq(scheduler_check_submit(s, "a", "zed", NULL, 0, leaf, &denied, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "maximum-applications 1"));
	free(cause);
	/* /apps?queue= matching. */
	ck_assert(scheduler_queue_contains(s, "root", "x"));
	ck_assert(scheduler_queue_contains(s, "root.p", "x"));
	ck_assert(scheduler_queue_contains(s, "p", "x"));
	ck_assert(scheduler_queue_contains(s, "x", "x"));
	ck_assert(!scheduler_queue_contains(s, "a", "x"));
	ck_assert(scheduler_queue_contains(s, "gone", "gone"));
	ck_assert(!scheduler_queue_contains(s, "gone", "x"));
	scheduler_free(s);
}
END_TEST

static Suite *queues_suite(void)
{
	Suite *s = suite_create("queues");
	TCase *tc = tcase_create("queues");

	tcase_add_test(tc, test_default_tree);
	tcase_add_test(tc, test_nested);
	tcase_add_test(tc, test_inheritance);
	tcase_add_test(tc, test_acl);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_refresh);
	tcase_add_test(tc, test_submit_checks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(queues_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
