/*
 * scheduler_queues.c — the queue tree at run time: what a queue is
 * guaranteed and may use, its user limit and AM limit, the heap that
 * orders a leaf's applications (FIFO, or smallest dominant share for a
 * fair queue), usage kept up the tree, applications attached to and
 * detached from leaves, the tree rebuilt on a refresh (applications move
 * to the leaves of the same paths), and the checks made at submission.
 */
#include "weft_config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "rm/scheduler_impl.h"

/* --- queue arithmetic --- */

/* total x fraction, rounded down (a hair of slack for float error). */
static weft_resource_t sched_share_of(weft_resource_t total, double fraction)
{
	return weft_resource((int64_t)floor((double)total.memory_mb * fraction + 1e-6),
	                     (int64_t)floor((double)total.vcores * fraction + 1e-6));
}

weft_resource_t sched_guaranteed(const struct scheduler *s, const struct sched_queue *q)
{
	return sched_share_of(s->total, q->def->abs_capacity);
}

weft_resource_t sched_maximum(const struct scheduler *s, const struct sched_queue *q)
{
	return sched_share_of(s->total, q->def->abs_max_capacity);
}

double sched_queue_ratio(const struct scheduler *s, const struct sched_queue *q)
{
	double gm = (double)s->total.memory_mb * q->def->abs_capacity;
	double gv = (double)s->total.vcores * q->def->abs_capacity;
	double rm, rv;

	if (gm <= 0.0 || gv <= 0.0)
		return q->used.memory_mb > 0 || q->used.vcores > 0 ? 1e12 : 1e11;
	rm = (double)q->used.memory_mb / gm;
	rv = (double)q->used.vcores / gv;
	return rm > rv ? rm : rv;
}

/* fmin/fmax for the finite values here, inline (libm's are calls). */
static double sched_dmin(double a, double b)
{
	return a < b ? a : b;
}

static double sched_dmax(double a, double b)
{
	return a > b ? a : b;
}

/* YARN's user limit: the queue's capacity (or what it uses beyond it)
 * shared among the users that want something, no less than
 * minimum-user-limit-percent of it, no more than user-limit-factor times
 * the capacity; rounded up so a fraction of a container still allows one. */
weft_resource_t sched_user_limit(const struct scheduler *s, const struct sched_queue *q,
                                 weft_resource_t need)
{
	const struct queue_def *d = q->def;
	double gm = (double)s->total.memory_mb * d->abs_capacity;
	double gv = (double)s->total.vcores * d->abs_capacity;
	double cm =
	        (double)q->used.memory_mb < gm ? gm : (double)(q->used.memory_mb + need.memory_mb);
	double cv = (double)q->used.vcores < gv ? gv : (double)(q->used.vcores + need.vcores);
	int users = q->n_users_ready > 0 ? q->n_users_ready : 1;
	double lm = sched_dmax(cm / users, cm * d->min_user_limit_percent / 100.0);
	double lv = sched_dmax(cv / users, cv * d->min_user_limit_percent / 100.0);
	double mm = (double)s->total.memory_mb * d->abs_max_capacity;
	double mv = (double)s->total.vcores * d->abs_max_capacity;

	lm = sched_dmin(sched_dmin(lm, gm * d->user_limit_factor), mm);
	lv = sched_dmin(sched_dmin(lv, gv * d->user_limit_factor), mv);
	return weft_resource((int64_t)ceil(lm - 1e-6), (int64_t)ceil(lv - 1e-6));
}

/* maximum-am-resource-percent of what the queue may use now: its
 * guarantee, or more while it can borrow idle room (up to its maximum). */
weft_resource_t sched_am_limit(const struct scheduler *s, const struct sched_queue *q)
{
	weft_resource_t g = sched_guaranteed(s, q), m = sched_maximum(s, q);
	weft_resource_t idle = res_sub(s->total, s->used_sched);
	weft_resource_t now = res_add(q->used, idle);
	double pct = q->def->am_percent;

	if (now.memory_mb > m.memory_mb)
		now.memory_mb = m.memory_mb;
	if (now.vcores > m.vcores)
		now.vcores = m.vcores;
	if (now.memory_mb < g.memory_mb)
		now.memory_mb = g.memory_mb;
	if (now.vcores < g.vcores)
		now.vcores = g.vcores;
	return weft_resource((int64_t)floor((double)now.memory_mb * pct + 1e-6),
	                     (int64_t)floor((double)now.vcores * pct + 1e-6));
}

/* --- the ready heap of a leaf --- */

/* Fair queues: smaller dominant share first; then FIFO. */
static bool sched_heap_before(const struct sched_queue *q, const struct sched_attempt *x,
                              const struct sched_attempt *y)
{
	if (q->def->ordering == QUEUE_ORDER_FAIR && x->share != y->share)
		return x->share < y->share;
	if (x->order != y->order)
		return x->order < y->order;
	return strcmp(x->id, y->id) < 0;
}

static void sched_heap_set(struct sched_heap *h, int i, struct sched_attempt *a)
{
	h->items[i] = a;
	a->heap_pos = i;
}

static void sched_heap_up(struct sched_queue *q, int i)
{
	struct sched_heap *h = &q->ready;
	struct sched_attempt *a = h->items[i];

	while (i > 0) {
		int parent = (i - 1) / 2;

		if (!sched_heap_before(q, a, h->items[parent]))
			break;
		sched_heap_set(h, i, h->items[parent]);
		i = parent;
	}
	sched_heap_set(h, i, a);
}

static void sched_heap_down(struct sched_queue *q, int i)
{
	struct sched_heap *h = &q->ready;
	struct sched_attempt *a = h->items[i];

	for (;;) {
		int child = 2 * i + 1;

		if (child >= h->n)
			break;
		if (child + 1 < h->n && sched_heap_before(q, h->items[child + 1], h->items[child]))
			child++;
		if (!sched_heap_before(q, h->items[child], a))
			break;
		sched_heap_set(h, i, h->items[child]);
		i = child;
	}
	sched_heap_set(h, i, a);
}

void sched_heap_push(struct sched_queue *q, struct sched_attempt *a)
{
	struct sched_heap *h = &q->ready;

	if (h->n == h->cap) {
		h->cap = h->cap == 0 ? 8 : h->cap * 2;
		h->items = xreallocarray(h->items, h->cap, sizeof *h->items);
	}
	sched_heap_set(h, h->n++, a);
	sched_heap_up(q, h->n - 1);
}

void sched_heap_remove(struct sched_queue *q, struct sched_attempt *a)
{
	struct sched_heap *h = &q->ready;
	int i = a->heap_pos;

	if (i < 0)
		return;
	a->heap_pos = -1;
	h->n--;
	if (i == h->n)
		return;
	sched_heap_set(h, i, h->items[h->n]);
	sched_heap_up(q, i);
	sched_heap_down(q, h->items[i]->heap_pos);
}

/* The dominant share changed: restore the heap around a. */
void sched_heap_fix(struct sched_queue *q, struct sched_attempt *a)
{
	if (a->heap_pos < 0)
		return;
	sched_heap_up(q, a->heap_pos);
	sched_heap_down(q, a->heap_pos);
}

/* An attempt's dominant share of the cluster. */
double sched_share(const struct scheduler *s, weft_resource_t used)
{
	double m = s->total.memory_mb > 0 ? (double)used.memory_mb / (double)s->total.memory_mb : 0;
	double v = s->total.vcores > 0 ? (double)used.vcores / (double)s->total.vcores : 0;

	return m > v ? m : v;
}

/* The cluster changed size: every fair queue's keys are recomputed and
 * its heap rebuilt (once, at the next pass). */
void sched_refresh_shares(struct scheduler *s)
{
	if (!s->shares_stale)
		return;
	s->shares_stale = false;
	for (int i = 0; i < s->n_queues; i++) {
		struct sched_queue *q = s->queues[i];

		if (!q->leaf || q->def->ordering != QUEUE_ORDER_FAIR)
			continue;
		for (int k = 0; k < q->ready.n; k++)
			q->ready.items[k]->share = sched_share(s, q->ready.items[k]->used);
		for (int k = q->ready.n / 2 - 1; k >= 0; k--)
			sched_heap_down(q, k);
	}
}

/* --- queues: building, attaching attempts --- */

/* Add (sign 1) or take away (-1) usage along a queue's path. */
void sched_path_used(struct sched_queue *q, weft_resource_t r, int containers, int sign)
{
	for (; q != NULL; q = q->parent) {
		q->used.memory_mb += sign * r.memory_mb;
		q->used.vcores += sign * r.vcores;
		q->n_containers += sign * containers;
	}
}

void sched_path_pending(struct sched_queue *q, weft_resource_t r, int sign)
{
	for (; q != NULL; q = q->parent) {
		q->pending.memory_mb += sign * r.memory_mb;
		q->pending.vcores += sign * r.vcores;
	}
}

void sched_path_reserved(struct sched_queue *q, weft_resource_t r, int sign)
{
	for (; q != NULL; q = q->parent) {
		q->reserved.memory_mb += sign * r.memory_mb;
		q->reserved.vcores += sign * r.vcores;
	}
}

void sched_path_apps(struct sched_queue *q, int apps, int active, int pending)
{
	for (; q != NULL; q = q->parent) {
		q->n_apps += apps;
		q->n_active += active;
		q->n_pending_apps += pending;
	}
}

/* The leaf's record of a user, made on first use. */
static struct sched_user *sched_user_get(struct sched_queue *q, const char *name)
{
	struct sched_user *u = strmap_get(q->user_index, name);

	if (u != NULL)
		return u;
	u = xcalloc(1, sizeof *u);
	u->name = xstrdup(name);
	strmap_put(q->user_index, name, u);
	TAILQ_INSERT_TAIL(&q->users, u, link);
	q->n_users++;
	return u;
}

/* Forget a user with no attempt left in the queue. */
static void sched_user_put(struct sched_queue *q, struct sched_user *u)
{
	if (u->n_attached > 0)
		return;
	strmap_remove(q->user_index, u->name);
	TAILQ_REMOVE(&q->users, u, link);
	q->n_users--;
	free(u->name);
	free(u);
}

/* Ready = active and wanting something: in the heap, counted up the tree
 * and as an active user (for the user limit). */
void sched_ready_update(struct scheduler *s, struct sched_attempt *a)
{
	bool want = a->state == SCHED_ACTIVE && a->n_pending > 0;
	struct sched_queue *q = a->queue;
	int d = want ? 1 : -1;

	if (want == a->ready)
		return;
	a->ready = want;
	for (struct sched_queue *p = q; p != NULL; p = p->parent)
		p->n_ready += d;
	if (want) {
		if (a->user->n_ready++ == 0)
			q->n_users_ready++;
		if (q->def->ordering == QUEUE_ORDER_FAIR)
			a->share = sched_share(s, a->used);
		sched_heap_push(q, a);
	} else {
		if (--a->user->n_ready == 0)
			q->n_users_ready--;
		sched_heap_remove(q, a);
	}
}

/* Insert into the leaf's not-yet-activated list by FIFO order. */
static void sched_waiting_insert(struct sched_queue *q, struct sched_attempt *a)
{
	struct sched_attempt *at;

	TAILQ_FOREACH_REVERSE(at, &q->waiting, sched_attempt_list, pending_link)
	{
		if (at->order <= a->order) {
			TAILQ_INSERT_AFTER(&q->waiting, at, a, pending_link);
			return;
		}
	}
	TAILQ_INSERT_HEAD(&q->waiting, a, pending_link);
}

/* Put an attempt (with whatever it holds) into leaf q's books. */
void sched_attach(struct scheduler *s, struct sched_attempt *a, struct sched_queue *q)
{
	a->queue = q;
	a->user = sched_user_get(q, a->user_name);
	a->user->n_attached++;
	TAILQ_INSERT_TAIL(&q->attempts, a, queue_link);
	sched_path_used(q, a->used, a->n_containers, 1);
	a->user->used = res_add(a->user->used, a->used);
	sched_path_pending(q, a->pending, 1);
	if (a->am_reservation != NULL)
		sched_path_reserved(q, a->am_reservation->resource, 1);
	for (int i = 0; i < a->n_asks; i++) {
		if (a->asks[i].reservation != NULL)
			sched_path_reserved(q, a->asks[i].reservation->resource, 1);
	}
	switch (a->state) {
	case SCHED_PENDING:
		sched_waiting_insert(q, a);
		sched_path_apps(q, 1, 0, 1);
		a->user->n_pending++;
		s->n_waiting++;
		break;
	case SCHED_ACTIVE:
		sched_path_apps(q, 1, 1, 0);
		a->user->n_active++;
		q->am_used = res_add(q->am_used, a->am_resource);
		a->user->am_used = res_add(a->user->am_used, a->am_resource);
		break;
	case SCHED_STOPPED:
		break;
	}
	a->ready = false;
	a->heap_pos = -1;
	sched_ready_update(s, a);
}

/* Take an attempt out of its leaf's books (the reverse of attach). */
void sched_detach(struct scheduler *s, struct sched_attempt *a)
{
	struct sched_queue *q = a->queue;

	if (a->ready) {
		for (struct sched_queue *p = q; p != NULL; p = p->parent)
			p->n_ready--;
		if (--a->user->n_ready == 0)
			q->n_users_ready--;
		sched_heap_remove(q, a);
		a->ready = false;
	}
	switch (a->state) {
	case SCHED_PENDING:
		TAILQ_REMOVE(&q->waiting, a, pending_link);
		sched_path_apps(q, -1, 0, -1);
		a->user->n_pending--;
		s->n_waiting--;
		break;
	case SCHED_ACTIVE:
		sched_path_apps(q, -1, -1, 0);
		a->user->n_active--;
		q->am_used = res_sub(q->am_used, a->am_resource);
		a->user->am_used = res_sub(a->user->am_used, a->am_resource);
		break;
	case SCHED_STOPPED:
		break;
	}
	if (a->am_reservation != NULL)
		sched_path_reserved(q, a->am_reservation->resource, -1);
	for (int i = 0; i < a->n_asks; i++) {
		if (a->asks[i].reservation != NULL)
			sched_path_reserved(q, a->asks[i].reservation->resource, -1);
	}
	sched_path_pending(q, a->pending, -1);
	sched_path_used(q, a->used, a->n_containers, -1);
	a->user->used = res_sub(a->user->used, a->used);
	TAILQ_REMOVE(&q->attempts, a, queue_link);
	a->user->n_attached--;
	sched_user_put(q, a->user);
	a->user = NULL;
	a->queue = NULL;
}

/* Runtime queues for conf (which the scheduler now owns). */
void sched_build_queues(struct scheduler *s, struct queue_conf *conf)
{
	s->conf = conf;
	s->n_queues = conf->n;
	s->queues = xcalloc(conf->n, sizeof *s->queues);
	s->queue_index = strmap_new();
	for (int i = 0; i < conf->n; i++) {
		struct sched_queue *q = xcalloc(1, sizeof *q);
		struct queue_def *d = &conf->queues[i];

		q->def = d;
		q->index = i;
		q->leaf = d->n_children == 0;
		q->parent = d->parent >= 0 ? s->queues[d->parent] : NULL;
		TAILQ_INIT(&q->attempts);
		TAILQ_INIT(&q->waiting);
		TAILQ_INIT(&q->users);
		if (q->leaf)
			q->user_index = strmap_new();
		s->queues[i] = q;
		strmap_put(s->queue_index, d->path, q);
		strmap_put(s->queue_index, d->name, q);
	}
	for (int i = 0; i < conf->n; i++) {
		struct sched_queue *q = s->queues[i];

		q->n_children = q->def->n_children;
		if (q->n_children > 0)
			q->children = xcalloc(q->n_children, sizeof *q->children);
		for (int c = 0; c < q->n_children; c++)
			q->children[c] = s->queues[q->def->children[c]];
	}
}

/* Free the runtime queues (attempts must be detached) and the conf. */
void sched_free_queues(struct scheduler *s)
{
	for (int i = 0; i < s->n_queues; i++) {
		struct sched_queue *q = s->queues[i];
		struct sched_user *u;

		while ((u = TAILQ_FIRST(&q->users)) != NULL) {
			TAILQ_REMOVE(&q->users, u, link);
			free(u->name);
			free(u);
		}
		strmap_free(q->user_index);
		free(q->ready.items);
		free(q->children);
		free(q);
	}
	free(s->queues);
	s->queues = NULL;
	s->n_queues = 0;
	strmap_free(s->queue_index);
	s->queue_index = NULL;
	queue_conf_free(s->conf);
	s->conf = NULL;
}

/* A queue by name or path. */
struct sched_queue *sched_queue_find(const struct scheduler *s, const char *name)
{
	return strmap_get(s->queue_index, name);
}

/* A deep copy of a queue configuration. */
static struct queue_conf *sched_conf_copy(const struct queue_conf *src)
{
	struct queue_conf *c = xcalloc(1, sizeof *c);

	c->n = src->n;
	c->source = xstrdup(src->source);
	c->queues = xcalloc(src->n, sizeof *c->queues);
	for (int i = 0; i < src->n; i++) {
		const struct queue_def *a = &src->queues[i];
		struct queue_def *b = &c->queues[i];
		const struct queue_acl *x = &a->acl_submit;
		struct queue_acl *y = &b->acl_submit;

		*b = *a;
		b->name = xstrdup(a->name);
		b->path = xstrdup(a->path);
		b->children = NULL;
		if (a->n_children > 0) {
			b->children = xcalloc(a->n_children, sizeof *b->children);
			memcpy(b->children, a->children, a->n_children * sizeof *b->children);
		}
		memset(y, 0, sizeof *y);
		y->text = xstrdup(x->text != NULL ? x->text : "");
		y->everyone = x->everyone;
		y->n_users = x->n_users;
		y->n_groups = x->n_groups;
		if (x->n_users > 0)
			y->users = xcalloc(x->n_users, sizeof *y->users);
		for (int k = 0; k < x->n_users; k++)
			y->users[k] = xstrdup(x->users[k]);
		if (x->n_groups > 0)
			y->groups = xcalloc(x->n_groups, sizeof *y->groups);
		for (int k = 0; k < x->n_groups; k++)
			y->groups[k] = xstrdup(x->groups[k]);
	}
	return c;
}

int scheduler_set_queues(struct scheduler *s, const struct queue_conf *conf, char **cause)
{
	struct sched_attempt *a;

	/* Refuse before anything changes. */
	TAILQ_FOREACH(a, &s->attempts, link)
	{
		int i = queue_conf_find(conf, a->queue_path);

		if (i < 0)
			return set_cause(cause,
			                 "queue %s holds application attempt %s and is missing "
			                 "from the new configuration (remove a queue once its "
			                 "applications have finished: set its state to STOPPED "
			                 "and wait)",
			                 a->queue_path, a->id);
		if (conf->queues[i].n_children > 0)
			return set_cause(cause,
			                 "queue %s holds application attempt %s and would become "
			                 "a parent queue",
			                 a->queue_path, a->id);
	}
	TAILQ_FOREACH(a, &s->attempts, link)
	sched_detach(s, a);
	sched_free_queues(s);
	sched_build_queues(s, sched_conf_copy(conf));
	TAILQ_FOREACH(a, &s->attempts, link)
	{
		a->wait = SCHED_WAIT_NONE;
		sched_attach(s, a, sched_queue_find(s, a->queue_path));
	}
	s->shares_stale = true;
	log_info("queues from %s: %d queue(s)", s->conf->source, s->n_queues);
	return 0;
}

const char *scheduler_queues_source(const struct scheduler *s)
{
	return s->conf->source;
}

/* The names of the leaf queues, for messages (caller frees). */
static char *sched_leaf_names(const struct scheduler *s, const struct sched_queue *under)
{
	char *text = xstrdup("");

	for (int i = 0; i < s->n_queues; i++) {
		const struct sched_queue *q = s->queues[i], *p;
		char *next;

		if (!q->leaf)
			continue;
		for (p = q; p != NULL && p != under; p = p->parent)
			;
		if (under != NULL && p == NULL)
			continue;
		next = xasprintf("%s%s%s", text, text[0] != '\0' ? ", " : "", q->def->path);
		free(text);
		text = next;
	}
	return text;
}

int scheduler_validate_queue(const struct scheduler *s, const char *queue, char **cause)
{
	const struct sched_queue *q = sched_queue_find(s, queue);
	char *names;
	int rc;

	if (q != NULL && q->leaf && !q->def->stopped)
		return 0;
	if (q == NULL) {
		names = sched_leaf_names(s, NULL);
		rc = set_cause(cause, "queue '%s' does not exist (leaf queues: %s)", queue, names);
	} else if (!q->leaf) {
		names = sched_leaf_names(s, q);
		rc = set_cause(cause,
		               "queue '%s' is a parent queue: submit to one of its leaf "
		               "queues (%s)",
		               queue, names);
	} else {
		names = NULL;
		rc = set_cause(cause,
		               "queue '%s' is STOPPED and accepts no new applications "
		               "(its running applications finish)",
		               q->def->path);
	}
	free(names);
	return rc;
}

int scheduler_check_submit(const struct scheduler *s, const char *queue, const char *user,
                           const char *const *groups, int n_groups, char *leaf_out, bool *denied,
                           char **cause)
{
	const struct sched_queue *q = sched_queue_find(s, queue), *p;

	*denied = false;
	if (scheduler_validate_queue(s, queue, cause) != 0)
		return -1;
	for (p = q; p != NULL; p = p->parent) {
		if (queue_acl_allows(&p->def->acl_submit, user, groups, n_groups))
			break;
	}
	if (p == NULL) {
		*denied = true;
		return set_cause(cause,
		                 "User %s cannot submit applications to queue %s "
		                 "(acl_submit_applications of the queue and its parents)",
		                 user, q->def->path);
	}
	if (q->n_apps >= q->def->max_apps)
		return set_cause(cause,
		                 "Queue %s already has %d applications, cannot accept submission "
		                 "of application (maximum-applications %lld)",
		                 q->def->path, q->n_apps, (long long)q->def->max_apps);
	snprintf(leaf_out, QUEUE_NAME_MAX + 1, "%s", q->def->name);
	return 0;
}

bool scheduler_queue_contains(const struct scheduler *s, const char *filter, const char *leaf)
{
	const struct sched_queue *f = sched_queue_find(s, filter), *q = sched_queue_find(s, leaf);

	if (f == NULL || q == NULL)
		return strcmp(filter, leaf) == 0;
	for (; q != NULL; q = q->parent) {
		if (q == f)
			return true;
	}
	return false;
}
