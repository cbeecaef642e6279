/*
 * queues.c — parsing and validating queues.conf into a queue tree (see
 * queues.h for the format).
 *
 * The whole file is read into a list of entries first, then the tree is
 * built from root.queues downwards, then every entry is matched to a
 * queue and checked, then absolute capacities and inherited properties
 * are worked out.  Any error stops everything: a tree is returned only
 * when the whole file is right, so a reload can never half-apply.
 */
#include "weft_config.h"

#include "rm/queues.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/daemon.h"
#include "common/parse.h"
#include "common/xmalloc.h"

#define QUEUES_MAX_FILE      (4 * 1024 * 1024)
#define QUEUES_DEFAULT_APPS  10000
#define QUEUES_CAPACITY_SLOP 0.01

/* Properties a queue (or the file, as a default) may set. */
enum queue_prop {
	PROP_QUEUES,
	PROP_CAPACITY,
	PROP_MAX_CAPACITY,
	PROP_USER_LIMIT_FACTOR,
	PROP_MIN_USER_LIMIT,
	PROP_AM_PERCENT,
	PROP_MAX_APPS,
	PROP_MAX_PARALLEL,
	PROP_STATE,
	PROP_ORDERING,
	PROP_ACL_SUBMIT,
	PROP_DISABLE_PREEMPTION,
	PROP_COUNT
};

static const struct {
	const char *name;
	bool per_queue_only; /* not a file-wide default, not inherited */
} queue_props[PROP_COUNT] = {
        [PROP_QUEUES] = {"queues", true},
        [PROP_CAPACITY] = {"capacity", true},
        [PROP_MAX_CAPACITY] = {"maximum-capacity", true},
        [PROP_USER_LIMIT_FACTOR] = {"user-limit-factor", false},
        [PROP_MIN_USER_LIMIT] = {"minimum-user-limit-percent", false},
        [PROP_AM_PERCENT] = {"maximum-am-resource-percent", false},
        [PROP_MAX_APPS] = {"maximum-applications", false},
        [PROP_MAX_PARALLEL] = {"max-parallel-apps", false},
        [PROP_STATE] = {"state", true},
        [PROP_ORDERING] = {"ordering-policy", false},
        [PROP_ACL_SUBMIT] = {"acl_submit_applications", true},
        [PROP_DISABLE_PREEMPTION] = {"disable-preemption", false},
};

/* One `key = value` line. */
struct queue_entry {
	char *key;
	char *value;
	int line;
	int queue; /* index once matched; -1 for a file-wide default */
	enum queue_prop prop;
	bool used;
};

/* What the parser holds while it works. */
struct queue_parse {
	const char *source;
	struct queue_entry *entries;
	int n_entries;
	struct queue_conf *conf;
	/* Per queue and property: the entry that sets it, or -1. */
	int (*set)[PROP_COUNT];
	int defaults[PROP_COUNT];
};

const char *queue_state_name(enum queue_state state)
{
	return state == QUEUE_STOPPED ? "STOPPED" : "RUNNING";
}

const char *queue_ordering_name(enum queue_ordering ordering)
{
	return ordering == QUEUE_ORDER_FAIR ? "fair" : "fifo";
}

/* Free an ACL's copies. */
static void queue_acl_clear(struct queue_acl *acl)
{
	for (int i = 0; i < acl->n_users; i++)
		free(acl->users[i]);
	free(acl->users);
	for (int i = 0; i < acl->n_groups; i++)
		free(acl->groups[i]);
	free(acl->groups);
	free(acl->text);
	memset(acl, 0, sizeof *acl);
}

void queue_conf_free(struct queue_conf *conf)
{
	if (conf == NULL)
		return;
	for (int i = 0; i < conf->n; i++) {
		free(conf->queues[i].name);
		free(conf->queues[i].path);
		free(conf->queues[i].children);
		queue_acl_clear(&conf->queues[i].acl_submit);
	}
	free(conf->queues);
	free(conf->source);
	free(conf);
}

/* Split a comma list into trimmed, non-empty words (caller frees). */
static int queue_split_commas(const char *text, char ***out)
{
	char *copy = xstrdup(text), *save = NULL, *tok;
	int n = 0;

	*out = NULL;
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *end;

		while (isspace((unsigned char)*tok))
			tok++;
		end = tok + strlen(tok);
		while (end > tok && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*tok == '\0')
			continue;
		*out = xreallocarray(*out, n + 1, sizeof **out);
		(*out)[n++] = xstrdup(tok);
	}
	free(copy);
	return n;
}

static void queue_free_words(char **words, int n)
{
	for (int i = 0; i < n; i++)
		free(words[i]);
	free(words);
}

/* YARN's ACL: users, one blank, groups; "*" alone is everyone. */
static void queue_acl_parse(const char *text, struct queue_acl *acl)
{
	const char *blank;
	char *users;

	memset(acl, 0, sizeof *acl);
	acl->text = xstrdup(text);
	while (isspace((unsigned char)*text))
		text++;
	if (strcmp(text, "*") == 0) {
		acl->everyone = true;
		return;
	}
	blank = strpbrk(text, " \t");
	users = blank != NULL ? xstrndup(text, (size_t)(blank - text)) : xstrdup(text);
	acl->n_users = queue_split_commas(users, &acl->users);
	free(users);
	if (blank != NULL)
		acl->n_groups = queue_split_commas(blank, &acl->groups);
}

bool queue_acl_allows(const struct queue_acl *acl, const char *user, const char *const *groups,
                      int n_groups)
{
	if (acl->everyone)
		return true;
	for (int i = 0; i < acl->n_users; i++) {
		if (strcmp(acl->users[i], "*") == 0 || strcmp(acl->users[i], user) == 0)
			return true;
	}
	for (int i = 0; i < acl->n_groups; i++) {
		for (int j = 0; j < n_groups; j++) {
			if (strcmp(acl->groups[i], groups[j]) == 0)
				return true;
		}
	}
	return false;
}

/* [A-Za-z0-9_-]{1,64} */
static bool queue_valid_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > QUEUE_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!isalnum(c) && c != '_' && c != '-')
			return false;
	}
	return true;
}

int queue_conf_find(const struct queue_conf *conf, const char *name_or_path)
{
	bool path = strchr(name_or_path, '.') != NULL || strcmp(name_or_path, "root") == 0;

	for (int i = 0; i < conf->n; i++) {
		if (strcmp(path ? conf->queues[i].path : conf->queues[i].name, name_or_path) == 0)
			return i;
	}
	return -1;
}

/* Add a queue (no properties yet) under parent; RET its index. */
static int queue_add(struct queue_conf *conf, int parent, const char *name)
{
	struct queue_def *q;

	conf->queues = xreallocarray(conf->queues, conf->n + 1, sizeof *conf->queues);
	q = &conf->queues[conf->n];
	memset(q, 0, sizeof *q);
	q->name = xstrdup(name);
	q->path = parent < 0 ? xstrdup(name) : xasprintf("%s.%s", conf->queues[parent].path, name);
	q->parent = parent;
	if (parent >= 0) {
		struct queue_def *p = &conf->queues[parent];

		p->children = xreallocarray(p->children, p->n_children + 1, sizeof *p->children);
		p->children[p->n_children++] = conf->n;
	}
	return conf->n++;
}

/* Built-in defaults of one queue's own fields. */
static void queue_def_defaults(struct queue_def *q)
{
	q->capacity = 100.0;
	q->max_capacity = 100.0;
	q->state = QUEUE_RUNNING;
	q->user_limit_factor = 1.0;
	q->min_user_limit_percent = 100;
	q->am_percent = 0.5;
	q->max_parallel = -1;
	q->ordering = QUEUE_ORDER_FIFO;
}

/* Work out absolute capacities, effective states and application limits
 * (max_apps < 0 means "from the file-wide default"). */
static void queue_conf_finish(struct queue_conf *conf, int64_t system_max_apps)
{
	for (int i = 0; i < conf->n; i++) {
		struct queue_def *q = &conf->queues[i];

		if (q->parent < 0) {
			q->abs_capacity = 1.0;
			q->abs_max_capacity = 1.0;
			q->stopped = q->state == QUEUE_STOPPED;
		} else {
			const struct queue_def *p = &conf->queues[q->parent];

			q->abs_capacity = p->abs_capacity * q->capacity / 100.0;
			q->abs_max_capacity = p->abs_max_capacity * q->max_capacity / 100.0;
			q->stopped = p->stopped || q->state == QUEUE_STOPPED;
		}
		if (q->max_apps < 0)
			q->max_apps =
			        (int64_t)floor((double)system_max_apps * q->abs_capacity + 1e-9);
	}
}

struct queue_conf *queue_conf_default(void)
{
	struct queue_conf *conf = xcalloc(1, sizeof *conf);
	int root = queue_add(conf, -1, "root");
	int leaf = queue_add(conf, root, QUEUE_DEFAULT_NAME);

	queue_def_defaults(&conf->queues[root]);
	queue_def_defaults(&conf->queues[leaf]);
	queue_acl_parse("*", &conf->queues[root].acl_submit);
	queue_acl_parse("", &conf->queues[leaf].acl_submit);
	conf->queues[root].max_apps = -1;
	conf->queues[leaf].max_apps = -1;
	conf->source = xstrdup("built-in");
	queue_conf_finish(conf, QUEUES_DEFAULT_APPS);
	return conf;
}

/* --- reading values --- */

static int queue_err(struct queue_parse *p, const struct queue_entry *e, char **cause,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "SOURCE:LINE: KEY: message" */
static int queue_err(struct queue_parse *p, const struct queue_entry *e, char **cause,
                     const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (e != NULL)
		set_cause(cause, "%s:%d: %s: %s", p->source, e->line, e->key, msg);
	else
		set_cause(cause, "%s: %s", p->source, msg);
	free(msg);
	return -1;
}

/* A finite decimal number within [lo, hi]. */
static int queue_number(struct queue_parse *p, const struct queue_entry *e, double lo, double hi,
                        double *out, char **cause)
{
	char *end = NULL;
	double v;

	errno = 0;
	v = strtod(e->value, &end);
	if (e->value[0] == '\0' || *end != '\0' || errno != 0 || !isfinite(v))
		return queue_err(p, e, cause, "'%s' is not a number", e->value);
	if (v < lo || v > hi)
		return queue_err(p, e, cause, "%s is out of range [%g, %g]", e->value, lo, hi);
	*out = v;
	return 0;
}

/* A whole number within [lo, hi]. */
static int queue_integer(struct queue_parse *p, const struct queue_entry *e, int64_t lo, int64_t hi,
                         int64_t *out, char **cause)
{
	int64_t v;

	if (parse_int64(e->value, INT64_MIN, INT64_MAX, &v, NULL) != 0)
		return queue_err(p, e, cause, "'%s' is not a whole number", e->value);
	if (v < lo || v > hi)
		return queue_err(p, e, cause, "%s is out of range [%lld, %lld]", e->value,
		                 (long long)lo, (long long)hi);
	*out = v;
	return 0;
}

/* Apply one inheritable property from entry e onto q. */
static int queue_apply(struct queue_parse *p, struct queue_def *q, const struct queue_entry *e,
                       char **cause)
{
	double d;
	int64_t n;

	switch (e->prop) {
	case PROP_USER_LIMIT_FACTOR:
		if (queue_number(p, e, 0.0, 1000000.0, &d, cause) != 0)
			return -1;
		if (d <= 0.0)
			return queue_err(p, e, cause, "must be more than 0");
		q->user_limit_factor = d;
		return 0;
	case PROP_MIN_USER_LIMIT:
		if (queue_integer(p, e, 1, 100, &n, cause) != 0)
			return -1;
		q->min_user_limit_percent = (int)n;
		return 0;
	case PROP_AM_PERCENT:
		if (queue_number(p, e, 0.0, 1.0, &d, cause) != 0)
			return -1;
		q->am_percent = d;
		return 0;
	case PROP_MAX_APPS:
		if (queue_integer(p, e, 0, 100000000, &n, cause) != 0)
			return -1;
		q->max_apps = n;
		return 0;
	case PROP_MAX_PARALLEL:
		if (queue_integer(p, e, -1, 100000000, &n, cause) != 0)
			return -1;
		q->max_parallel = n;
		return 0;
	case PROP_ORDERING:
		if (strcasecmp(e->value, "fifo") == 0)
			q->ordering = QUEUE_ORDER_FIFO;
		else if (strcasecmp(e->value, "fair") == 0)
			q->ordering = QUEUE_ORDER_FAIR;
		else
			return queue_err(p, e, cause, "'%s' is not fifo or fair", e->value);
		return 0;
	case PROP_DISABLE_PREEMPTION:
		if (strcasecmp(e->value, "true") == 0)
			q->preemption_disabled = true;
		else if (strcasecmp(e->value, "false") == 0)
			q->preemption_disabled = false;
		else
			return queue_err(p, e, cause, "'%s' is not true or false", e->value);
		return 0;
	default:
		return 0;
	}
}

/* --- reading the file --- */

/* Split text into entries; RET 0 or -1 with *cause. */
static int queue_read_entries(struct queue_parse *p, const char *text, char **cause)
{
	char *copy = xstrdup(text), *line = copy, *next;
	int lineno = 0;

	for (; line != NULL; line = next) {
		char *eq, *key, *value, *end;
		struct queue_entry *e;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		while (isspace((unsigned char)*line))
			line++;
		end = line + strlen(line);
		while (end > line && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (eq == NULL) {
			set_cause(cause, "%s:%d: expected 'key = value', got '%s'", p->source,
			          lineno, line);
			free(copy);
			return -1;
		}
		*eq = '\0';
		key = line;
		end = key + strlen(key);
		while (end > key && isspace((unsigned char)end[-1]))
			*--end = '\0';
		value = eq + 1;
		while (isspace((unsigned char)*value))
			value++;
		if (*key == '\0') {
			set_cause(cause, "%s:%d: missing key before '='", p->source, lineno);
			free(copy);
			return -1;
		}
		for (int i = 0; i < p->n_entries; i++) {
			if (strcmp(p->entries[i].key, key) == 0) {
				set_cause(cause, "%s:%d: %s: already set on line %d", p->source,
				          lineno, key, p->entries[i].line);
				free(copy);
				return -1;
			}
		}
		p->entries = xreallocarray(p->entries, p->n_entries + 1, sizeof *p->entries);
		e = &p->entries[p->n_entries++];
		memset(e, 0, sizeof *e);
		e->key = xstrdup(key);
		e->value = xstrdup(value);
		e->line = lineno;
		e->queue = -1;
	}
	free(copy);
	return 0;
}

/* The property named by the last component of key; -1 when unknown. */
static int queue_prop_find(const char *name)
{
	for (int i = 0; i < PROP_COUNT; i++) {
		if (strcmp(queue_props[i].name, name) == 0)
			return i;
	}
	return -1;
}

/* Every property name, for messages. */
static const char *queue_prop_list(void)
{
	return "queues, capacity, maximum-capacity, user-limit-factor, "
	       "minimum-user-limit-percent, maximum-am-resource-percent, maximum-applications, "
	       "max-parallel-apps, state, ordering-policy, acl_submit_applications, "
	       "disable-preemption";
}

/* Classify each entry: file-wide default or (path, property). */
static int queue_classify(struct queue_parse *p, char **cause)
{
	for (int i = 0; i < PROP_COUNT; i++)
		p->defaults[i] = -1;
	for (int i = 0; i < p->n_entries; i++) {
		struct queue_entry *e = &p->entries[i];
		const char *dot = strrchr(e->key, '.');
		int prop;

		if (strcmp(e->key, "root") == 0 || strncmp(e->key, "root.", 5) == 0) {
			if (dot == NULL)
				return queue_err(p, e, cause, "expected root[.QUEUE...].PROPERTY");
			prop = queue_prop_find(dot + 1);
			if (prop < 0)
				return queue_err(p, e, cause, "unknown property '%s' (known: %s)",
				                 dot + 1, queue_prop_list());
			e->prop = (enum queue_prop)prop;
			continue;
		}
		prop = queue_prop_find(e->key);
		if (prop < 0 || queue_props[prop].per_queue_only)
			return queue_err(p, e, cause,
			                 "unknown key (queue properties are set as "
			                 "root.QUEUE.PROPERTY; file-wide defaults are "
			                 "user-limit-factor, minimum-user-limit-percent, "
			                 "maximum-am-resource-percent, maximum-applications, "
			                 "max-parallel-apps, ordering-policy, disable-preemption)");
		e->prop = (enum queue_prop)prop;
		e->used = true;
		p->defaults[prop] = i;
	}
	return 0;
}

/* The entry setting "<path>.<prop>", or NULL. */
static struct queue_entry *queue_entry_for(struct queue_parse *p, const char *path,
                                           enum queue_prop prop)
{
	size_t len = strlen(path);

	for (int i = 0; i < p->n_entries; i++) {
		struct queue_entry *e = &p->entries[i];

		if (e->prop == prop && strncmp(e->key, path, len) == 0 && e->key[len] == '.' &&
		    strcmp(e->key + len + 1, queue_props[prop].name) == 0)
			return e;
	}
	return NULL;
}

/* Build the tree from root.queues down, depth first. */
static int queue_build(struct queue_parse *p, int index, char **cause)
{
	struct queue_conf *conf = p->conf;
	char *path = xstrdup(conf->queues[index].path);
	struct queue_entry *e = queue_entry_for(p, path, PROP_QUEUES);
	char **names = NULL;
	int n = 0;

	if (e == NULL && index == 0) {
		/* No root.queues: the one default leaf. */
		n = 1;
		names = xcalloc(1, sizeof *names);
		names[0] = xstrdup(QUEUE_DEFAULT_NAME);
	} else if (e != NULL) {
		e->used = true;
		e->queue = index;
		n = queue_split_commas(e->value, &names);
		if (n == 0) {
			free(path);
			free(names);
			return queue_err(p, e, cause,
			                 "lists no queue (a queue without "
			                 "children is a leaf: remove the line)");
		}
	}
	for (int i = 0; i < n; i++) {
		int child;

		if (!queue_valid_name(names[i]) || strcmp(names[i], "root") == 0) {
			queue_err(p, e, cause,
			          "'%s' is not a valid queue name ([A-Za-z0-9_-], 1-%d "
			          "characters, not root)",
			          names[i], QUEUE_NAME_MAX);
			goto fail;
		}
		if (queue_conf_find(conf, names[i]) >= 0) {
			queue_err(p, e, cause,
			          "queue name '%s' is used twice in the tree (names must be "
			          "unique: applications name a queue by its name)",
			          names[i]);
			goto fail;
		}
		if (strlen(conf->queues[index].path) + 1 + strlen(names[i]) > QUEUE_PATH_MAX) {
			queue_err(p, e, cause, "queue path %s.%s is longer than %d characters",
			          conf->queues[index].path, names[i], QUEUE_PATH_MAX);
			goto fail;
		}
		if (conf->n >= QUEUE_MAX_QUEUES) {
			queue_err(p, e, cause, "more than %d queues", QUEUE_MAX_QUEUES);
			goto fail;
		}
		child = queue_add(conf, index, names[i]);
		queue_def_defaults(&conf->queues[child]);
		conf->queues[child].max_apps = -1;
		if (queue_build(p, child, cause) != 0)
			goto fail;
	}
	queue_free_words(names, n);
	free(path);
	return 0;
fail:
	queue_free_words(names, n);
	free(path);
	return -1;
}

/* Match every queue entry to a queue of the tree. */
static int queue_match_entries(struct queue_parse *p, char **cause)
{
	for (int i = 0; i < p->n_entries; i++) {
		struct queue_entry *e = &p->entries[i];
		char *path;
		int q;

		if (e->used)
			continue;
		path = xstrndup(e->key, (size_t)(strrchr(e->key, '.') - e->key));
		q = -1;
		for (int j = 0; j < p->conf->n; j++) {
			if (strcmp(p->conf->queues[j].path, path) == 0)
				q = j;
		}
		if (q < 0) {
			const char *last = strrchr(path, '.');
			char *parent = last != NULL ? xstrndup(path, (size_t)(last - path))
			                            : xstrdup("root");

			queue_err(p, e, cause, "queue %s is not declared (list it in %s.queues)",
			          path, parent);
			free(parent);
			free(path);
			return -1;
		}
		free(path);
		e->queue = q;
		e->used = true;
		p->set[q][e->prop] = i;
	}
	return 0;
}

/* Per-queue properties: capacities, state, ACL. */
static int queue_own_properties(struct queue_parse *p, char **cause)
{
	struct queue_conf *conf = p->conf;

	for (int i = 0; i < conf->n; i++) {
		struct queue_def *q = &conf->queues[i];
		int k;

		if ((k = p->set[i][PROP_CAPACITY]) >= 0 &&
		    queue_number(p, &p->entries[k], 0.0, 100.0, &q->capacity, cause) != 0)
			return -1;
		if ((k = p->set[i][PROP_MAX_CAPACITY]) >= 0) {
			double v = 0;

			if (strcmp(p->entries[k].value, "-1") == 0)
				v = 100.0;
			else if (queue_number(p, &p->entries[k], 0.0, 100.0, &v, cause) != 0)
				return -1;
			q->max_capacity = v;
		}
		if (q->parent < 0 && (q->capacity != 100.0 || q->max_capacity != 100.0))
			return queue_err(p,
			                 &p->entries[p->set[i][PROP_CAPACITY] >= 0
			                                     ? p->set[i][PROP_CAPACITY]
			                                     : p->set[i][PROP_MAX_CAPACITY]],
			                 cause, "the root queue is always 100");
		if (q->max_capacity + 1e-9 < q->capacity)
			return queue_err(p,
			                 &p->entries[p->set[i][PROP_MAX_CAPACITY] >= 0
			                                     ? p->set[i][PROP_MAX_CAPACITY]
			                                     : p->set[i][PROP_CAPACITY]],
			                 cause, "maximum-capacity %g is below capacity %g of %s",
			                 q->max_capacity, q->capacity, q->path);
		if ((k = p->set[i][PROP_STATE]) >= 0) {
			const char *v = p->entries[k].value;

			if (strcasecmp(v, "RUNNING") == 0)
				q->state = QUEUE_RUNNING;
			else if (strcasecmp(v, "STOPPED") == 0)
				q->state = QUEUE_STOPPED;
			else
				return queue_err(p, &p->entries[k], cause,
				                 "'%s' is not RUNNING or STOPPED", v);
		}
		k = p->set[i][PROP_ACL_SUBMIT];
		queue_acl_parse(k >= 0          ? p->entries[k].value
		                : q->parent < 0 ? "*"
		                                : "",
		                &q->acl_submit);
	}
	return 0;
}

/* Children of each parent add up to 100 percent. */
static int queue_check_sums(struct queue_parse *p, char **cause)
{
	struct queue_conf *conf = p->conf;

	for (int i = 0; i < conf->n; i++) {
		const struct queue_def *q = &conf->queues[i];
		double sum = 0.0;
		int missing = -1;

		if (q->n_children == 0)
			continue;
		for (int c = 0; c < q->n_children; c++) {
			if (p->set[q->children[c]][PROP_CAPACITY] < 0)
				missing = q->children[c];
			sum += conf->queues[q->children[c]].capacity;
		}
		if (missing >= 0 && q->n_children > 1)
			return queue_err(p, NULL, cause,
			                 "%s.capacity is not set (the capacities of %s's "
			                 "children must be set and add up to 100)",
			                 conf->queues[missing].path, q->path);
		if (fabs(sum - 100.0) > QUEUES_CAPACITY_SLOP)
			return queue_err(p, NULL, cause,
			                 "the capacities of %s's children add up to %g, not 100",
			                 q->path, sum);
	}
	return 0;
}

/* Inherited properties: the queue's own, else its nearest ancestor's,
 * else the file-wide default, else the built-in one. */
static int queue_inherited(struct queue_parse *p, char **cause)
{
	static const enum queue_prop inherited[] = {
	        PROP_USER_LIMIT_FACTOR, PROP_MIN_USER_LIMIT, PROP_AM_PERCENT,
	        PROP_MAX_PARALLEL,      PROP_ORDERING,       PROP_DISABLE_PREEMPTION,
	};
	struct queue_conf *conf = p->conf;

	for (size_t j = 0; j < sizeof inherited / sizeof inherited[0]; j++) {
		enum queue_prop prop = inherited[j];

		if (p->defaults[prop] >= 0) {
			struct queue_def scratch;

			/* Validate the file-wide default even if every queue overrides it. */
			queue_def_defaults(&scratch);
			if (queue_apply(p, &scratch, &p->entries[p->defaults[prop]], cause) != 0)
				return -1;
		}
	}
	for (int i = 0; i < conf->n; i++) {
		struct queue_def *q = &conf->queues[i];

		for (size_t j = 0; j < sizeof inherited / sizeof inherited[0]; j++) {
			enum queue_prop prop = inherited[j];
			int k = -1;

			for (int a = i; a >= 0 && k < 0; a = conf->queues[a].parent)
				k = p->set[a][prop];
			if (k < 0)
				k = p->defaults[prop];
			if (k >= 0 && queue_apply(p, q, &p->entries[k], cause) != 0)
				return -1;
		}
		/* maximum-applications is the queue's own or derived from the
		 * file-wide value and the queue's absolute capacity. */
		q->max_apps = -1;
		if (p->set[i][PROP_MAX_APPS] >= 0 &&
		    queue_apply(p, q, &p->entries[p->set[i][PROP_MAX_APPS]], cause) != 0)
			return -1;
	}
	return 0;
}

struct queue_conf *queue_conf_parse(const char *text, const char *source, char **cause)
{
	struct queue_parse p;
	int64_t system_apps = QUEUES_DEFAULT_APPS;
	int root;

	memset(&p, 0, sizeof p);
	p.source = source;
	p.conf = xcalloc(1, sizeof *p.conf);
	p.conf->source = xstrdup(source);
	if (queue_read_entries(&p, text, cause) != 0 || queue_classify(&p, cause) != 0)
		goto fail;
	root = queue_add(p.conf, -1, "root");
	queue_def_defaults(&p.conf->queues[root]);
	p.conf->queues[root].max_apps = -1;
	if (queue_build(&p, root, cause) != 0)
		goto fail;
	p.set = xcalloc(p.conf->n, sizeof *p.set);
	for (int i = 0; i < p.conf->n; i++) {
		for (int j = 0; j < PROP_COUNT; j++)
			p.set[i][j] = -1;
	}
	if (queue_match_entries(&p, cause) != 0 || queue_own_properties(&p, cause) != 0 ||
	    queue_check_sums(&p, cause) != 0 || queue_inherited(&p, cause) != 0)
		goto fail;
	if (p.defaults[PROP_MAX_APPS] >= 0 &&
	    queue_integer(&p, &p.entries[p.defaults[PROP_MAX_APPS]], 0, 100000000, &system_apps,
	                  cause) != 0)
		goto fail;
	queue_conf_finish(p.conf, system_apps);
	for (int i = 0; i < p.n_entries; i++) {
		free(p.entries[i].key);
		free(p.entries[i].value);
	}
	free(p.entries);
	free(p.set);
	return p.conf;
fail:
	for (int i = 0; i < p.n_entries; i++) {
		free(p.entries[i].key);
		free(p.entries[i].value);
	}
	free(p.entries);
	free(p.set);
	queue_conf_free(p.conf);
	return NULL;
}

struct queue_conf *queue_conf_load(const char *path, bool must_exist, char **cause)
{
	struct queue_conf *conf;
	struct stat st;
	FILE *f;
	char *text;
	size_t len;

	f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT && !must_exist)
			return queue_conf_default();
		set_cause(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		set_cause(cause, "%s: not a regular file", path);
		fclose(f);
		return NULL;
	}
	if (st.st_size > QUEUES_MAX_FILE) {
		set_cause(cause, "%s: larger than %d bytes", path, QUEUES_MAX_FILE);
		fclose(f);
		return NULL;
	}
	text = xmalloc((size_t)st.st_size + 1);
	len = fread(text, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		set_cause(cause, "%s: read error", path);
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	text[len] = '\0';
	if (strlen(text) != len) {
		set_cause(cause, "%s: holds a NUL byte", path);
		free(text);
		return NULL;
	}
	conf = queue_conf_parse(text, path, cause);
	free(text);
	return conf;
}
