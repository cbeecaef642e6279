/*
 * scenario.c — reading weft-sls scenario files (format in scenario.h).
 *
 * Each section kind has a table of keys (type, range, where the value
 * goes), so a new key is one line; values are checked as strictly as
 * weft.conf's, and the first bad line ends the parse with FILE:LINE.
 */
#include "weft_config.h"

#include "sls/scenario.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/xmalloc.h"

#define SCENARIO_MAX_BYTES (1024 * 1024)

enum section_kind { SEC_NONE, SEC_CLUSTER, SEC_RM, SEC_QUEUES, SEC_NODES, SEC_QUEUE, SEC_APPS };

enum key_type {
	KEY_PREEMPT, /* "wait" or "release" into a bool (release) */
	KEY_INT,     /* int64, [min, max] */
	KEY_INT32,   /* int, [min, max] */
	KEY_SECONDS, /* int64 ms, the value given in seconds */
	KEY_BOOL,
	KEY_TEXT,
	KEY_PERCENT, /* double, [min, max] */
	KEY_RANGE,   /* "N" or "N-M" into two int64 (ms) */
};

struct scenario_key {
	const char *name;
	enum key_type type;
	size_t offset;
	int64_t min, max;
};

#define CL(f) offsetof(struct scenario, f)
#define ND(f) offsetof(struct scenario_nodes, f)
#define AP(f) offsetof(struct scenario_apps, f)

static const struct scenario_key cluster_keys[] = {
        {"name", KEY_TEXT, CL(name), 0, 0},
        {"duration-s", KEY_SECONDS, CL(duration_ms), 1, 86400},
        {"heartbeat-interval-ms", KEY_INT, CL(heartbeat_ms), 10, 3600000},
        {"heartbeat-on-complete", KEY_BOOL, CL(heartbeat_on_complete), 0, 0},
        {"am-interval-ms", KEY_INT, CL(am_interval_ms), 10, 600000},
        {"am-pending-interval-ms", KEY_INT, CL(am_pending_interval_ms), 1, 600000},
        {"sample-interval-ms", KEY_INT, CL(sample_ms), 100, 600000},
        {"fairness-from-s", KEY_SECONDS, CL(fairness_from_ms), 0, 86400},
        {"fairness-to-s", KEY_SECONDS, CL(fairness_to_ms), 0, 86400},
        {"fairness-tolerance", KEY_PERCENT, CL(fairness_tolerance), 0, 100},
        {NULL, 0, 0, 0, 0},
};

static const struct scenario_key nodes_keys[] = {
        {"count", KEY_INT32, ND(count), 1, 1000000},
        {"memory-mb", KEY_INT, ND(memory_mb), 1, INT64_C(1) << 40},
        {"vcores", KEY_INT, ND(vcores), 1, 1 << 20},
        {"rack-size", KEY_INT32, ND(rack_size), 1, 1000000},
        {NULL, 0, 0, 0, 0},
};

static const struct scenario_key queue_keys[] = {
        {"guarantee", KEY_PERCENT, offsetof(struct scenario_queue, guarantee), 0, 100},
        {NULL, 0, 0, 0, 0},
};

static const struct scenario_key apps_keys[] = {
        {"count", KEY_INT32, AP(count), 0, 1000000},
        {"queue", KEY_TEXT, AP(queue), 0, 0},
        {"user", KEY_TEXT, AP(user), 0, 0},
        {"submit-at-s", KEY_SECONDS, AP(submit_at_ms), 0, 86400},
        {"submit-spread-s", KEY_SECONDS, AP(submit_spread_ms), 0, 86400},
        {"am-memory-mb", KEY_INT, AP(am_memory_mb), 1, INT64_C(1) << 40},
        {"am-vcores", KEY_INT, AP(am_vcores), 1, 1 << 20},
        {"am-start-ms", KEY_INT, AP(am_start_ms), 0, 600000},
        {"containers", KEY_INT32, AP(containers), 0, 10000000},
        {"parallel", KEY_INT32, AP(parallel), 1, 1000000},
        {"memory-mb", KEY_INT, AP(memory_mb), 1, INT64_C(1) << 40},
        {"vcores", KEY_INT, AP(vcores), 1, 1 << 20},
        {"duration-ms", KEY_RANGE, AP(duration_min_ms), 0, 86400000},
        {"priority", KEY_INT32, AP(priority), 0, 1000000},
        {"node-hints", KEY_INT32, AP(node_hints), 0, 100},
        {"on-preempt", KEY_PREEMPT, AP(release_preempted), 0, 0},
        {NULL, 0, 0, 0, 0},
};

/* A decimal integer, the whole text. */
static int scenario_int(const char *text, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (*text == '\0' || *end != '\0' || errno != 0)
		return -1;
	*out = v;
	return 0;
}

/* Store one value where key says.  RET 0 / -1 with *cause (no position). */
static int scenario_set(void *record, const struct scenario_key *k, const char *value, char **cause)
{
	char *p = (char *)record + k->offset;
	int64_t v = 0, w = 0;
	char *end;
	double d;

	switch (k->type) {
	case KEY_INT:
	case KEY_INT32:
	case KEY_SECONDS:
		if (scenario_int(value, &v) != 0)
			return set_cause(cause, "%s: '%s' is not an integer", k->name, value);
		if (v < k->min || v > k->max)
			return set_cause(cause, "%s: %lld is out of range [%lld, %lld]", k->name,
			                 (long long)v, (long long)k->min, (long long)k->max);
		if (k->type == KEY_INT32)
			*(int *)p = (int)v;
		else
			*(int64_t *)p = k->type == KEY_SECONDS ? v * 1000 : v;
		return 0;
	case KEY_BOOL:
		if (strcasecmp(value, "yes") == 0 || strcasecmp(value, "true") == 0 ||
		    strcmp(value, "1") == 0 || strcasecmp(value, "on") == 0)
			*(bool *)p = true;
		else if (strcasecmp(value, "no") == 0 || strcasecmp(value, "false") == 0 ||
		         strcmp(value, "0") == 0 || strcasecmp(value, "off") == 0)
			*(bool *)p = false;
		else
			return set_cause(cause, "%s: '%s' is not yes or no", k->name, value);
		return 0;
	case KEY_PREEMPT:
		if (strcmp(value, "wait") == 0)
			*(bool *)p = false;
		else if (strcmp(value, "release") == 0)
			*(bool *)p = true;
		else
			return set_cause(cause, "%s: '%s' is not wait or release", k->name, value);
		return 0;
	case KEY_TEXT:
		if (*value == '\0' || strlen(value) > 128)
			return set_cause(cause, "%s: must be 1-128 characters", k->name);
		for (const char *c = value; *c != '\0'; c++) {
			if (!isgraph((unsigned char)*c))
				return set_cause(cause,
				                 "%s: '%s' holds a space or control character",
				                 k->name, value);
		}
		free(*(char **)p);
		*(char **)p = xstrdup(value);
		return 0;
	case KEY_PERCENT:
		errno = 0;
		d = strtod(value, &end);
		if (*value == '\0' || *end != '\0' || errno != 0 || d < (double)k->min ||
		    d > (double)k->max)
			return set_cause(cause, "%s: '%s' is not a number in [%lld, %lld]", k->name,
			                 value, (long long)k->min, (long long)k->max);
		*(double *)p = d;
		return 0;
	case KEY_RANGE: {
		const char *dash = strchr(value, '-');
		char *lo = dash != NULL ? xstrndup(value, (size_t)(dash - value)) : xstrdup(value);
		int bad = scenario_int(lo, &v) != 0 ||
		          (dash != NULL ? scenario_int(dash + 1, &w) != 0 : (w = v, 0));

		free(lo);
		if (bad || v < k->min || w > k->max || v > w)
			return set_cause(cause,
			                 "%s: '%s' is not N or N-M with %lld <= N <= M <= %lld",
			                 k->name, value, (long long)k->min, (long long)k->max);
		((int64_t *)p)[0] = v;
		((int64_t *)p)[1] = w;
		return 0;
	}
	}
	return set_cause(cause, "%s: unknown key type", k->name);
}

/* Defaults of a new [nodes] group. */
static struct scenario_nodes *scenario_add_nodes(struct scenario *sc)
{
	struct scenario_nodes *n;

	sc->nodes = xreallocarray(sc->nodes, (size_t)sc->n_nodes + 1, sizeof *sc->nodes);
	n = &sc->nodes[sc->n_nodes++];
	memset(n, 0, sizeof *n);
	n->count = 1;
	n->memory_mb = 8192;
	n->vcores = 8;
	n->rack_size = 40;
	return n;
}

/* Defaults of a new [apps] group. */
static struct scenario_apps *scenario_add_apps(struct scenario *sc, const char *name)
{
	struct scenario_apps *a;

	sc->apps = xreallocarray(sc->apps, (size_t)sc->n_apps + 1, sizeof *sc->apps);
	a = &sc->apps[sc->n_apps++];
	memset(a, 0, sizeof *a);
	a->name = xstrdup(name);
	a->count = 1;
	a->queue = xstrdup("default");
	a->user = xstrdup("sls");
	a->am_memory_mb = 1024;
	a->am_vcores = 1;
	a->am_start_ms = 50;
	a->containers = 10;
	a->memory_mb = 1024;
	a->vcores = 1;
	a->duration_min_ms = a->duration_max_ms = 1000;
	a->priority = 1;
	return a;
}

/* Strip leading and trailing blanks in place. */
static char *scenario_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* "[kind ARG]": open a section. */
static int scenario_section(struct scenario *sc, char *head, enum section_kind *kind, void **record,
                            const struct scenario_key **keys, char **cause)
{
	char *arg = strchr(head, ' ');
	char *word;

	if (arg != NULL) {
		*arg++ = '\0';
		arg = scenario_trim(arg);
	}
	word = head;
	if (strcmp(word, "cluster") != 0 && strcmp(word, "rm") != 0 &&
	    strcmp(word, "queues") != 0 && strcmp(word, "nodes") != 0 &&
	    strcmp(word, "queue") != 0 && strcmp(word, "apps") != 0)
		return set_cause(cause,
		                 "unknown section [%s] (cluster, rm, queues, nodes, queue, apps)",
		                 word);
	if (strcmp(word, "cluster") == 0 || strcmp(word, "rm") == 0 ||
	    strcmp(word, "queues") == 0 || strcmp(word, "nodes") == 0) {
		if (arg != NULL && *arg != '\0')
			return set_cause(cause, "[%s] takes no name", word);
	} else if (arg == NULL || *arg == '\0' || strlen(arg) > 128) {
		return set_cause(cause, "[%s NAME]: a name of 1-128 characters is needed", word);
	}
	if (strcmp(word, "cluster") == 0) {
		*kind = SEC_CLUSTER;
		*record = sc;
		*keys = cluster_keys;
	} else if (strcmp(word, "rm") == 0) {
		*kind = SEC_RM;
		*record = NULL;
		*keys = NULL;
	} else if (strcmp(word, "queues") == 0) {
		*kind = SEC_QUEUES;
		*record = NULL;
		*keys = NULL;
	} else if (strcmp(word, "nodes") == 0) {
		*kind = SEC_NODES;
		*record = scenario_add_nodes(sc);
		*keys = nodes_keys;
	} else if (strcmp(word, "queue") == 0) {
		struct scenario_queue *q;

		for (int i = 0; i < sc->n_queues; i++) {
			if (strcmp(sc->queues[i].path, arg) == 0)
				return set_cause(cause, "[queue %s] appears twice", arg);
		}
		sc->queues =
		        xreallocarray(sc->queues, (size_t)sc->n_queues + 1, sizeof *sc->queues);
		q = &sc->queues[sc->n_queues++];
		q->path = xstrdup(arg);
		q->guarantee = -1;
		*kind = SEC_QUEUE;
		*record = q;
		*keys = queue_keys;
	} else {
		*kind = SEC_APPS;
		*record = scenario_add_apps(sc, arg);
		*keys = apps_keys;
	}
	return 0;
}

/* Checks that span keys, once the file is read. */
static int scenario_check(struct scenario *sc, char **cause)
{
	if (sc->n_nodes == 0)
		return set_cause(cause, "no [nodes] section: the cluster needs nodes");
	for (int i = 0; i < sc->n_apps; i++) {
		struct scenario_apps *a = &sc->apps[i];

		if (a->parallel == 0 || a->parallel > a->containers)
			a->parallel = a->containers;
	}
	if (sc->fairness_to_ms > 0 && sc->fairness_from_ms >= sc->fairness_to_ms)
		return set_cause(cause, "fairness-to-s must come after fairness-from-s");
	return 0;
}

/* Line by line; the first bad line ends it with FILE:LINE. */
struct scenario *scenario_parse(const char *path, const char *text, char **cause)
{
	struct scenario *sc = xcalloc(1, sizeof *sc);
	char *copy = xstrdup(text), *line = copy, *why = NULL;
	enum section_kind kind = SEC_NONE;
	void *record = NULL;
	const struct scenario_key *keys = NULL;
	const char *base = strrchr(path, '/');
	int lineno = 0;

	sc->duration_ms = 600000;
	sc->heartbeat_ms = 1000;
	sc->heartbeat_on_complete = true;
	sc->am_interval_ms = 1000;
	sc->am_pending_interval_ms = 100;
	sc->sample_ms = 1000;
	sc->fairness_from_ms = -1;
	sc->fairness_tolerance = 5;
	while (line != NULL) {
		char *next = strchr(line, '\n'), *s, *eq, *key, *value, *hash;

		if (next != NULL)
			*next++ = '\0';
		lineno++;
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		s = scenario_trim(line);
		line = next;
		if (*s == '\0')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');

			if (close == NULL || close[1] != '\0') {
				why = xstrdup("a section header is [name] or [kind NAME]");
				goto fail;
			}
			*close = '\0';
			if (scenario_section(sc, scenario_trim(s + 1), &kind, &record, &keys,
			                     &why) != 0)
				goto fail;
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL) {
			why = xstrdup("expected key = value");
			goto fail;
		}
		*eq = '\0';
		key = scenario_trim(s);
		value = scenario_trim(eq + 1);
		if (kind == SEC_NONE) {
			why = xasprintf("%s: outside any section", key);
			goto fail;
		}
		if (kind == SEC_RM) {
			sc->rm_lines = xreallocarray(sc->rm_lines, (size_t)sc->n_rm_lines + 1,
			                             sizeof *sc->rm_lines);
			sc->rm_lines[sc->n_rm_lines++] = xasprintf("%s = %s", key, value);
			continue;
		}
		if (kind == SEC_QUEUES) {
			sc->queue_lines =
			        xreallocarray(sc->queue_lines, (size_t)sc->n_queue_lines + 1,
			                      sizeof *sc->queue_lines);
			sc->queue_lines[sc->n_queue_lines++] = xasprintf("%s = %s", key, value);
			continue;
		}
		{
			const struct scenario_key *k = keys;

			while (k->name != NULL && strcmp(k->name, key) != 0)
				k++;
			if (k->name == NULL) {
				why = xasprintf("unknown key '%s' in this section", key);
				goto fail;
			}
			if (scenario_set(record, k, value, &why) != 0)
				goto fail;
		}
	}
	if (sc->name == NULL) {
		const char *b = base != NULL ? base + 1 : path;
		const char *dot = strrchr(b, '.');

		sc->name = dot != NULL && dot > b ? xstrndup(b, (size_t)(dot - b)) : xstrdup(b);
	}
	free(copy);
	if (scenario_check(sc, &why) != 0) {
		set_cause(cause, "%s: %s", path, why);
		free(why);
		scenario_free(sc);
		return NULL;
	}
	return sc;
fail:
	set_cause(cause, "%s:%d: %s", path, lineno, why);
	free(why);
	free(copy);
	scenario_free(sc);
	return NULL;
}

/* Read the whole file (1 MiB at most), then parse it. */
struct scenario *scenario_load(const char *path, char **cause)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t len;
	struct scenario *sc;

	if (f == NULL) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	text = xmalloc(SCENARIO_MAX_BYTES + 1);
	len = fread(text, 1, SCENARIO_MAX_BYTES + 1, f);
	if (ferror(f) || len > SCENARIO_MAX_BYTES) {
		set_cause(cause, "%s: %s", path, ferror(f) ? "read error" : "larger than 1 MiB");
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	text[len] = '\0';
	if (memchr(text, '\0', len) != NULL) {
		set_cause(cause, "%s: holds a NUL byte", path);
		free(text);
		return NULL;
	}
	sc = scenario_parse(path, text, cause);
	free(text);
	return sc;
}

/* Free a scenario and everything it holds. */
void scenario_free(struct scenario *sc)
{
	if (sc == NULL)
		return;
	free(sc->name);
	for (int i = 0; i < sc->n_rm_lines; i++)
		free(sc->rm_lines[i]);
	free(sc->rm_lines);
	for (int i = 0; i < sc->n_queue_lines; i++)
		free(sc->queue_lines[i]);
	free(sc->queue_lines);
	free(sc->nodes);
	for (int i = 0; i < sc->n_queues; i++)
		free(sc->queues[i].path);
	free(sc->queues);
	for (int i = 0; i < sc->n_apps; i++) {
		free(sc->apps[i].name);
		free(sc->apps[i].queue);
		free(sc->apps[i].user);
	}
	free(sc->apps);
	free(sc);
}

/* Nodes over every [nodes] group. */
int scenario_node_count(const struct scenario *sc)
{
	int n = 0;

	for (int i = 0; i < sc->n_nodes; i++)
		n += sc->nodes[i].count;
	return n;
}

/* Applications over every [apps] group. */
int scenario_app_count(const struct scenario *sc)
{
	int n = 0;

	for (int i = 0; i < sc->n_apps; i++)
		n += sc->apps[i].count;
	return n;
}

/* Task containers over every [apps] group. */
int64_t scenario_container_count(const struct scenario *sc)
{
	int64_t n = 0;

	for (int i = 0; i < sc->n_apps; i++)
		n += (int64_t)sc->apps[i].count * sc->apps[i].containers;
	return n;
}
