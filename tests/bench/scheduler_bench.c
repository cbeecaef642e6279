/*
 * scheduler_bench.c — the scheduler's raw decision rate, in process, no
 * network: a benchmark (never run by make check; built by make so it keeps
 * compiling against scheduler.h).
 *
 *   tests/bench/scheduler_bench [--nodes N] [--apps A] [--queues Q]
 *                               [--slots S] [--seconds T] [--fair] [--sweep]
 *
 * One run builds N nodes of S one-slot (1 GB, 1 vcore) containers each,
 * A applications spread over Q leaf queues, every app asking for more
 * than the cluster holds, then measures:
 *   fill    scheduler_allocate() from an empty cluster until it is full:
 *           container decisions (grants) per second;
 *   churn   the steady state the RM lives in: complete a random 1% of the
 *           running containers, call scheduler_allocate() (which places
 *           as many again: apps whose asks run low ask again, as AMs do,
 *           outside the clock), repeat for T seconds: grants per second
 *           and the cost of a completion;
 *   idle    scheduler_allocate() on a full cluster: the cost of a call
 *           that has nothing to do (the RM makes one per NM heartbeat);
 *   memory  heap growth per node and per running container.
 * --sweep runs a grid of sizes and prints the cost per grant as nodes,
 * apps and containers grow.
 */
#include "weft_config.h"

#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "rm/queues.h"
#include "rm/scheduler.h"
#include "weft/ids.h"

#define BENCH_TS INT64_C(1700000000000)

struct bench_config {
	int nodes;
	int apps;
	int queues;
	int slots; /* per node */
	double seconds;
	bool fair;
};

struct bench_result {
	double fill_rate;      /* grants/s */
	double churn_rate;     /* grants/s, allocate calls only */
	double churn_all_rate; /* grants/s, completions + allocate */
	double complete_us;    /* per completed container */
	double idle_us;        /* per allocate call with nothing to do */
	double kb_per_node;
	double kb_per_container;
	int64_t containers;
};

/* Monotonic seconds. */
static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Heap bytes in use (mallinfo2: exact, unlike RSS, which keeps pages
 * an earlier run freed), in kB. */
static long bench_heap_kb(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (long)((mi.uordblks + mi.hblkhd) / 1024);
}

/* Q leaf queues of equal capacity under root ("q0".."qN"). */
static void bench_queues(struct scheduler *s, int queues, bool fair)
{
	size_t cap = 256 + (size_t)queues * 128;
	char *text = xmalloc(cap), *cause = NULL;
	size_t off = 0;
	struct queue_conf *conf;

	off += (size_t)snprintf(text + off, cap - off,
	                        "maximum-am-resource-percent = 1\nordering-policy = %s\n"
	                        "user-limit-factor = 100\nroot.queues = ",
	                        fair ? "fair" : "fifo");
	for (int i = 0; i < queues; i++)
		off += (size_t)snprintf(text + off, cap - off, "%sq%d", i > 0 ? ", " : "", i);
	off += (size_t)snprintf(text + off, cap - off, "\n");
	for (int i = 0; i < queues; i++) {
		/* Capacities that sum to exactly 100. */
		double c = 100.0 / queues;

		if (i == queues - 1)
			c = 100.0 - c * (queues - 1);
		off += (size_t)snprintf(
		        text + off, cap - off,
		        "root.q%d.capacity = %.6f\nroot.q%d.maximum-capacity = 100\n", i, c, i);
	}
	conf = queue_conf_parse(text, "scheduler_bench", &cause);
	if (conf == NULL || scheduler_set_queues(s, conf, &cause) != 0) {
		fprintf(stderr, "scheduler_bench: queues: %s\n", cause);
		exit(1);
	}
	queue_conf_free(conf);
	free(text);
}

/* Every grant's container id, to complete random ones later, and what
 * each app still asks for. */
struct bench_books {
	char (*ids)[WEFT_ID_MAX];
	int64_t n, cap;
	int64_t *asked; /* per app (index = application sequence - 1) */
};

/* Remember the grants' ids; count them off their apps' asks. */
static void bench_book(struct bench_books *b, const struct scheduler_grant *g, int n)
{
	for (int i = 0; i < n; i++) {
		weft_attempt_id_t at;

		if (b->n == b->cap) {
			b->cap = b->cap == 0 ? 1 << 16 : b->cap * 2;
			b->ids = xreallocarray(b->ids, (size_t)b->cap, sizeof *b->ids);
		}
		memcpy(b->ids[b->n++], g[i].container_id, WEFT_ID_MAX);
		if (weft_attempt_id_parse(g[i].attempt_id, &at) == 0)
			b->asked[at.app.seq - 1]--;
	}
}

/* App i asks for count containers of one slot. */
static void bench_ask(struct scheduler *s, struct bench_books *b, int i, int64_t count)
{
	struct scheduler_ask ask;
	char id[WEFT_ID_MAX], *cause = NULL;

	snprintf(id, sizeof id, "appattempt_%lld_%04d_000001", (long long)BENCH_TS, i + 1);
	memset(&ask, 0, sizeof ask);
	ask.priority = 1;
	ask.count = (int32_t)count;
	ask.capability = weft_resource(1024, 1);
	ask.relax_locality = true;
	if (scheduler_update_asks(s, id, &ask, 1, &cause) != 0) {
		fprintf(stderr, "scheduler_bench: asks: %s\n", cause);
		exit(1);
	}
	b->asked[i] = count;
}

/* One configuration: fill, churn, idle, memory. */
static void bench_run(const struct bench_config *cfg, struct bench_result *r, bool verbose)
{
	struct scheduler_options o;
	struct scheduler *s;
	struct scheduler_grant *g = NULL;
	struct bench_books books = {0};
	int64_t capacity = (int64_t)cfg->nodes * cfg->slots, per_app;
	long rss0, rss1, rss2;
	double t0, t, spent_alloc = 0, spent_complete = 0;
	int64_t granted = 0, completed = 0, calls = 0;
	char id[WEFT_ID_MAX];
	int n;

	memset(r, 0, sizeof *r);
	scheduler_options_default(&o);
	o.minimum = weft_resource(1024, 1);
	o.maximum = weft_resource(8192, 8);
	o.placement = SCHEDULER_SPREAD;
	o.preemption = false;
	s = scheduler_new(&o);
	bench_queues(s, cfg->queues, cfg->fair);
	rss0 = bench_heap_kb();
	for (int i = 0; i < cfg->nodes; i++) {
		char rack[32];

		snprintf(id, sizeof id, "node%06d.bench:8041", i);
		snprintf(rack, sizeof rack, "/rack-%04d", i / 40);
		scheduler_node_add(s, id, weft_resource((int64_t)cfg->slots * 1024, cfg->slots));
		scheduler_node_set_rack(s, id, rack);
	}
	rss1 = bench_heap_kb();
	/* Every app wants more than its share of the cluster, twice over. */
	per_app = 2 * capacity / cfg->apps + 1;
	if (per_app > 1000000)
		per_app = 1000000;
	books.asked = xcalloc((size_t)cfg->apps, sizeof *books.asked);
	for (int i = 0; i < cfg->apps; i++) {
		char queue[16], user[16];

		snprintf(id, sizeof id, "appattempt_%lld_%04d_000001", (long long)BENCH_TS, i + 1);
		snprintf(queue, sizeof queue, "q%d", i % cfg->queues);
		snprintf(user, sizeof user, "u%d", i % 100);
		if (scheduler_attempt_add(s, id, (uint64_t)i + 1, queue, user,
		                          weft_resource(0, 0)) != 0) {
			fprintf(stderr, "scheduler_bench: cannot add %s\n", id);
			exit(1);
		}
		bench_ask(s, &books, i, per_app);
	}

	/* fill (the clock runs over the scheduler's calls only, as in churn:
	 * the benchmark's own books are not the scheduler's cost) */
	t = 0;
	for (;;) {
		t0 = bench_now();
		n = scheduler_allocate(s, &g);
		t += bench_now() - t0;
		if (n <= 0)
			break;
		bench_book(&books, g, n);
		granted += n;
		free(g);
	}
	free(g);
	r->containers = granted;
	r->fill_rate = t > 0 ? (double)granted / t : 0;
	rss2 = bench_heap_kb();
	r->kb_per_node = cfg->nodes > 0 ? (double)(rss1 - rss0) / cfg->nodes : 0;
	r->kb_per_container = granted > 0 ? (double)(rss2 - rss1) / (double)granted : 0;
	if (granted < capacity && verbose)
		fprintf(stderr, "scheduler_bench: only %lld of %lld slots filled\n",
		        (long long)granted, (long long)capacity);

	/* churn: 1% of the running containers end, as many are placed; the
	 * victims are drawn before the clock starts, so it runs over the
	 * scheduler's completions and allocations only */
	granted = 0;
	t0 = bench_now();
	while (bench_now() - t0 < cfg->seconds && books.n > 0) {
		int64_t batch = books.n / 100 + 1;
		double a;

		if (batch > books.n)
			batch = books.n;
		for (int64_t k = 0; k < batch; k++) {
			int64_t pick = random() % (books.n - k);
			char *last = books.ids[books.n - 1 - k];

			/* The victims go to the end of the books. */
			memcpy(id, books.ids[pick], WEFT_ID_MAX);
			memcpy(books.ids[pick], last, WEFT_ID_MAX);
			memcpy(last, id, WEFT_ID_MAX);
		}
		books.n -= batch;
		a = bench_now();
		for (int64_t k = 0; k < batch; k++) {
			if (scheduler_container_completed(s, books.ids[books.n + k], NULL) == 0)
				completed++;
		}
		t = bench_now();
		spent_complete += t - a;
		n = scheduler_allocate(s, &g);
		spent_alloc += bench_now() - t;
		bench_book(&books, g, n);
		granted += n;
		free(g);
		/* Apps keep wanting more than the cluster holds. */
		for (int i = 0; i < cfg->apps; i++) {
			if (books.asked[i] < per_app / 2)
				bench_ask(s, &books, i, per_app);
		}
	}
	r->churn_rate = spent_alloc > 0 ? (double)granted / spent_alloc : 0;
	r->churn_all_rate = spent_alloc + spent_complete > 0
	                            ? (double)granted / (spent_alloc + spent_complete)
	                            : 0;
	r->complete_us = completed > 0 ? spent_complete * 1e6 / (double)completed : 0;

	/* idle: the cluster is full */
	t0 = bench_now();
	do {
		for (int k = 0; k < 1000; k++) {
			n = scheduler_allocate(s, &g);
			bench_book(&books, g, n);
			free(g);
			calls++;
		}
	} while (bench_now() - t0 < 0.5);
	r->idle_us = (bench_now() - t0) * 1e6 / (double)calls;

	free(books.ids);
	free(books.asked);
	scheduler_free(s);
}

/* Column names of the result table. */
static void bench_print_header(void)
{
	printf("%8s %7s %6s %9s %12s %12s %12s %10s %9s %9s %9s\n", "nodes", "apps", "queues",
	       "containers", "fill/s", "churn/s", "churn+end/s", "end us", "idle us", "kB/node",
	       "kB/cont");
}

/* One row of the result table. */
static void bench_print(const struct bench_config *c, const struct bench_result *r)
{
	printf("%8d %7d %6d %9lld %12.0f %12.0f %12.0f %10.3f %9.3f %9.2f %9.3f\n", c->nodes,
	       c->apps, c->queues, (long long)r->containers, r->fill_rate, r->churn_rate,
	       r->churn_all_rate, r->complete_us, r->idle_us, r->kb_per_node, r->kb_per_container);
	fflush(stdout);
}

/* One configuration, or the sweep. */
int main(int argc, char **argv)
{
	static const struct option long_options[] = {
	        {"nodes", required_argument, NULL, 'n'},
	        {"apps", required_argument, NULL, 'a'},
	        {"queues", required_argument, NULL, 'q'},
	        {"slots", required_argument, NULL, 's'},
	        {"seconds", required_argument, NULL, 't'},
	        {"fair", no_argument, NULL, 'f'},
	        {"sweep", no_argument, NULL, 'w'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct bench_config cfg = {10000, 1000, 4, 10, 3.0, false};
	struct bench_result r;
	bool sweep = false;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (ch) {
		case 'n':
			cfg.nodes = atoi(optarg);
			break;
		case 'a':
			cfg.apps = atoi(optarg);
			break;
		case 'q':
			cfg.queues = atoi(optarg);
			break;
		case 's':
			cfg.slots = atoi(optarg);
			break;
		case 't':
			cfg.seconds = atof(optarg);
			break;
		case 'f':
			cfg.fair = true;
			break;
		case 'w':
			sweep = true;
			break;
		case 'h':
			printf("usage: scheduler_bench [--nodes N] [--apps A] [--queues Q] "
			       "[--slots S]\n"
			       "                       [--seconds T] [--fair] [--sweep]\n"
			       "(defaults: 10000 nodes, 1000 apps, 4 queues, 10 slots, 3 s)\n");
			return 0;
		default:
			return 2;
		}
	}
	if (cfg.nodes < 1 || cfg.apps < 1 || cfg.queues < 1 || cfg.queues > 512 || cfg.slots < 1 ||
	    cfg.seconds <= 0) {
		fprintf(stderr, "scheduler_bench: sizes must be positive (queues at most 512)\n");
		return 2;
	}
	log_open("scheduler_bench", LOG_LEVEL_WARN, NULL);
	srandom(1);
	bench_print_header();
	if (!sweep) {
		bench_run(&cfg, &r, true);
		bench_print(&cfg, &r);
		return 0;
	}
	{
		/* Nodes grow, then apps, then containers per node, then queues. */
		static const int nodes[] = {1000, 10000, 50000};
		static const int apps[] = {10, 100, 1000, 10000};
		static const int slots[] = {4, 16, 64};
		static const int queues[] = {1, 16, 128};
		struct bench_config c = cfg;

		c.seconds = cfg.seconds < 2 ? cfg.seconds : 2;
		for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
			c.nodes = nodes[i];
			bench_run(&c, &r, false);
			bench_print(&c, &r);
		}
		c.nodes = cfg.nodes;
		for (size_t i = 0; i < sizeof apps / sizeof apps[0]; i++) {
			c.apps = apps[i];
			bench_run(&c, &r, false);
			bench_print(&c, &r);
		}
		c.apps = cfg.apps;
		for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
			c.slots = slots[i];
			bench_run(&c, &r, false);
			bench_print(&c, &r);
		}
		c.slots = cfg.slots;
		for (size_t i = 0; i < sizeof queues / sizeof queues[0]; i++) {
			c.queues = queues[i];
			bench_run(&c, &r, false);
			bench_print(&c, &r);
		}
	}
	return 0;
}
