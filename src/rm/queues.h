/*
 * queues.h — the queue tree as configured: parsing and validating
 * queues.conf (rm.scheduler.queues-file) into an immutable description
 * the scheduler builds its queues from.
 *
 * The file is `key = value` lines like weft.conf, with YARN Capacity
 * Scheduler names.  Keys that start with "root" name a queue path and end
 * with a property; other keys set the default of a property for every
 * queue:
 *
 *   root.queues = default, prod           children, in order
 *   root.default.capacity = 40             percent of the parent
 *   root.prod.capacity = 60
 *   root.prod.maximum-capacity = 100       percent of the parent
 *   root.prod.queues = etl, adhoc
 *   root.prod.etl.capacity = 70
 *   root.prod.etl.user-limit-factor = 2
 *   root.prod.etl.acl_submit_applications = alice,bob etl
 *   maximum-am-resource-percent = 0.2      default for every queue
 *
 * A property not set on a queue is inherited from its nearest ancestor
 * that sets it, then from the file-wide default, then from the built-in
 * default (YARN's), except capacity, maximum-capacity, queues and
 * acl_submit_applications, which belong to one queue.  Every child set
 * sums to 100 percent; names are [A-Za-z0-9_-]{1,64} and unique in the
 * tree (applications name a leaf by its name or by its path).  No file,
 * or a file with no queues, is the single leaf root.default at 100%.
 */
#ifndef WEFT_RM_QUEUES_H
#define WEFT_RM_QUEUES_H

#include <stdbool.h>
#include <stdint.h>

#define QUEUE_NAME_MAX     64
#define QUEUE_PATH_MAX     1000
#define QUEUE_MAX_QUEUES   1024
#define QUEUE_DEFAULT_NAME "default"

enum queue_state { QUEUE_RUNNING, QUEUE_STOPPED };
enum queue_ordering { QUEUE_ORDER_FIFO, QUEUE_ORDER_FAIR };

/* YARN's ACL text: "user1,user2 group1,group2"; "*" is everyone, "" or a
 * single space nobody. */
struct queue_acl {
	char *text;
	bool everyone;
	char **users;
	int n_users;
	char **groups;
	int n_groups;
};

struct queue_def {
	char *name; /* "etl" ("root" for the root) */
	char *path; /* "root.prod.etl" */
	int parent; /* index in queue_conf.queues; -1 for the root */
	int *children;
	int n_children;
	double capacity;         /* percent of the parent's capacity */
	double max_capacity;     /* percent of the parent's maximum */
	double abs_capacity;     /* fraction of the cluster, 0..1 */
	double abs_max_capacity; /* fraction of the cluster, 0..1 */
	enum queue_state state;  /* as configured */
	bool stopped;            /* this queue or an ancestor is STOPPED */
	double user_limit_factor;
	int min_user_limit_percent;
	double am_percent;    /* maximum-am-resource-percent, 0..1 */
	int64_t max_apps;     /* maximum-applications (pending + running) */
	int64_t max_parallel; /* max-parallel-apps; -1 = no limit */
	enum queue_ordering ordering;
	bool preemption_disabled;
	struct queue_acl acl_submit;
};

struct queue_conf {
	struct queue_def *queues; /* depth-first, parents before children */
	int n;
	char *source; /* file name, or "built-in" */
};

/* The zero-configuration tree: root -> default (100%). */
struct queue_conf *queue_conf_default(void);
/* Parse file text (source names it in messages).  RET the tree, or NULL
 * with *cause "SOURCE:LINE: what is wrong". */
struct queue_conf *queue_conf_parse(const char *text, const char *source, char **cause);
/* Read and parse path.  A missing file is the default tree unless
 * must_exist.  RET the tree or NULL with *cause. */
struct queue_conf *queue_conf_load(const char *path, bool must_exist, char **cause);
void queue_conf_free(struct queue_conf *conf);

/* Index of the queue named by its name or its path; -1 when none. */
int queue_conf_find(const struct queue_conf *conf, const char *name_or_path);
/* Whether the ACL lets user (member of groups) in. */
bool queue_acl_allows(const struct queue_acl *acl, const char *user, const char *const *groups,
                      int n_groups);
const char *queue_state_name(enum queue_state state);
const char *queue_ordering_name(enum queue_ordering ordering);

#endif
