/*
 * rack_resolver.c — the node-to-rack table and the topology script (see
 * rack_resolver.h).
 *
 * Hosts waiting for the script are queued; one run takes up to
 * RACK_BATCH of them as arguments, its stdout goes to a private temporary
 * file read when it exits.  A run that fails, times out or prints too
 * few lines leaves its hosts at the default (cached, so a broken script
 * is not run again on every registration; a refresh is a restart).
 */
#include "weft_config.h"

#include "rm/rack_resolver.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/proc.h"
#include "common/xmalloc.h"
#include "rm/strmap.h"

#define RACK_BATCH      100
#define RACK_TIMEOUT_MS 10000
#define RACK_MAX_NAME   255
#define RACK_DEFAULT    "/default-rack"
#define RACK_MAX_CACHED 100000

struct rack_resolver {
	struct event_base *base;
	struct strmap *table;  /* host -> rack (char *) */
	struct strmap *cached; /* host -> rack from the script (char *) */
	char *script;
	rack_resolved_cb cb;
	void *arg;
	char **queue; /* hosts waiting for a run */
	int n_queue;
	struct strmap *queued;
	/* The run in flight. */
	struct proc *proc;
	char **running;
	int n_running;
	char *out_path;
	struct event *timeout;
	struct event *kick;
};

/* Free a map's string values. */
static void rack_free_value_cb(const char *key, void *value, void *arg)
{
	(void)key;
	(void)arg;
	free(value);
}

static void rack_map_free(struct strmap *m)
{
	if (m == NULL)
		return;
	strmap_foreach(m, rack_free_value_cb, NULL);
	strmap_free(m);
}

/* Read "host rack" lines. */
static int rack_read_table(struct rack_resolver *r, const char *path, char **cause)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int lineno = 0;

	if (f == NULL)
		return set_cause(cause, "rm.topology.table-file: %s: %s", path, strerror(errno));
	while (fgets(line, sizeof line, f) != NULL) {
		char host[RACK_MAX_NAME + 1], rack[RACK_MAX_NAME + 1], extra[2];
		char *p = line;
		int n;

		lineno++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		n = sscanf(p, "%255s %255s %1s", host, rack, extra);
		if (n != 2) {
			fclose(f);
			return set_cause(cause, "%s:%d: expected 'host rack'", path, lineno);
		}
		free(strmap_remove(r->table, host));
		strmap_put(r->table, host, xstrdup(rack));
	}
	fclose(f);
	return 0;
}

struct rack_resolver *rack_resolver_new(struct event_base *base, const char *table_path,
                                        const char *script, rack_resolved_cb cb, void *arg,
                                        char **cause)
{
	struct rack_resolver *r = xcalloc(1, sizeof *r);

	r->base = base;
	r->table = strmap_new();
	r->cached = strmap_new();
	r->queued = strmap_new();
	r->cb = cb;
	r->arg = arg;
	if (table_path != NULL && rack_read_table(r, table_path, cause) != 0) {
		rack_resolver_free(r);
		return NULL;
	}
	if (script != NULL) {
		if (access(script, X_OK) != 0) {
			set_cause(cause, "rm.topology.script: %s: %s", script, strerror(errno));
			rack_resolver_free(r);
			return NULL;
		}
		r->script = xstrdup(script);
		proc_init(base);
	}
	return r;
}

/* Forget the run in flight (its process is detached or gone). */
static void rack_run_clear(struct rack_resolver *r)
{
	for (int i = 0; i < r->n_running; i++)
		free(r->running[i]);
	free(r->running);
	r->running = NULL;
	r->n_running = 0;
	if (r->out_path != NULL) {
		unlink(r->out_path);
		free(r->out_path);
		r->out_path = NULL;
	}
	if (r->timeout != NULL) {
		event_free(r->timeout);
		r->timeout = NULL;
	}
	r->proc = NULL;
}

void rack_resolver_free(struct rack_resolver *r)
{
	if (r == NULL)
		return;
	if (r->proc != NULL) {
		proc_terminate(r->proc, 0);
		proc_detach(r->proc);
	}
	rack_run_clear(r);
	if (r->kick != NULL)
		event_free(r->kick);
	for (int i = 0; i < r->n_queue; i++)
		free(r->queue[i]);
	free(r->queue);
	rack_map_free(r->table);
	rack_map_free(r->cached);
	strmap_free(r->queued);
	if (r->script != NULL)
		proc_shutdown(); /* the RM runs no other child */
	free(r->script);
	free(r);
}

/* Remember host's rack and tell the owner. */
static void rack_learn(struct rack_resolver *r, const char *host, const char *rack)
{
	if (strmap_count(r->cached) >= RACK_MAX_CACHED) {
		rack_map_free(r->cached);
		r->cached = strmap_new();
	}
	free(strmap_remove(r->cached, host));
	strmap_put(r->cached, host, xstrdup(rack));
	if (r->cb != NULL)
		r->cb(host, rack, r->arg);
}

/* A rack name the script printed: one word, not too long. */
static bool rack_valid_name(const char *text)
{
	size_t len = strlen(text);

	if (len == 0 || len > RACK_MAX_NAME)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (isspace((unsigned char)text[i]) || iscntrl((unsigned char)text[i]))
			return false;
	}
	return true;
}

static void rack_start(struct rack_resolver *r);

/* The script exited: read its answers. */
static void rack_exit_cb(struct proc *p, int status, void *arg)
{
	struct rack_resolver *r = arg;
	FILE *f = fopen(r->out_path, "r");
	char line[RACK_MAX_NAME + 8];
	int got = 0, code = proc_exit_code(status);

	(void)p;
	r->proc = NULL;
	if (code != 0)
		log_warn("rm.topology.script %s exited with status %d: %d host(s) stay on %s",
		         r->script, code, r->n_running, RACK_DEFAULT);
	while (code == 0 && f != NULL && got < r->n_running &&
	       fgets(line, sizeof line, f) != NULL) {
		char *end = line + strlen(line);

		while (end > line && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (!rack_valid_name(line)) {
			log_warn("rm.topology.script %s printed a bad rack name for %s", r->script,
			         r->running[got]);
			break;
		}
		rack_learn(r, r->running[got++], line);
	}
	if (f != NULL)
		fclose(f);
	if (code == 0 && got < r->n_running)
		log_warn("rm.topology.script %s answered %d of %d host(s)", r->script, got,
		         r->n_running);
	for (int i = got; i < r->n_running; i++)
		rack_learn(r, r->running[i], RACK_DEFAULT);
	rack_run_clear(r);
	rack_start(r);
}

/* The script runs too long. */
static void rack_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rack_resolver *r = arg;

	(void)fd;
	(void)what;
	if (r->proc != NULL) {
		log_warn("rm.topology.script %s did not answer within %d ms", r->script,
		         RACK_TIMEOUT_MS);
		proc_terminate(r->proc, 0);
	}
}

/* Start a run for the queued hosts, unless one is in flight. */
static void rack_start(struct rack_resolver *r)
{
	struct proc_spec spec;
	char **argv;
	char *why = NULL;
	int fd, n;
	struct timeval tv = {RACK_TIMEOUT_MS / 1000, (RACK_TIMEOUT_MS % 1000) * 1000};

	if (r->proc != NULL || r->n_queue == 0)
		return;
	n = r->n_queue < RACK_BATCH ? r->n_queue : RACK_BATCH;
	r->running = xcalloc(n, sizeof *r->running);
	for (int i = 0; i < n; i++) {
		r->running[i] = r->queue[i];
		strmap_remove(r->queued, r->queue[i]);
	}
	r->n_running = n;
	memmove(r->queue, r->queue + n, (size_t)(r->n_queue - n) * sizeof *r->queue);
	r->n_queue -= n;
	r->out_path = xstrdup("/tmp/weft-topology.XXXXXX");
	fd = mkstemp(r->out_path);
	if (fd < 0) {
		log_warn("rm.topology.script: cannot make a temporary file: %s", strerror(errno));
		free(r->out_path);
		r->out_path = NULL;
		for (int i = 0; i < n; i++)
			rack_learn(r, r->running[i], RACK_DEFAULT);
		rack_run_clear(r);
		return;
	}
	close(fd);
	argv = xcalloc(n + 2, sizeof *argv);
	argv[0] = r->script;
	for (int i = 0; i < n; i++)
		argv[i + 1] = r->running[i];
	memset(&spec, 0, sizeof spec);
	spec.argv = argv;
	spec.stdout_path = r->out_path;
	r->proc = proc_spawn(&spec, rack_exit_cb, r, &why);
	free(argv);
	if (r->proc == NULL) {
		log_warn("rm.topology.script %s: %s", r->script, why);
		free(why);
		for (int i = 0; i < n; i++)
			rack_learn(r, r->running[i], RACK_DEFAULT);
		rack_run_clear(r);
		return;
	}
	r->timeout = evtimer_new(r->base, rack_timeout_cb, r);
	evtimer_add(r->timeout, &tv);
}

/* Start runs from the loop, never from inside a caller's call. */
static void rack_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	rack_start(arg);
}

const char *rack_resolver_lookup(struct rack_resolver *r, const char *host)
{
	const char *rack = strmap_get(r->table, host);
	struct timeval now = {0, 0};

	if (rack != NULL)
		return rack;
	rack = strmap_get(r->cached, host);
	if (rack != NULL || r->script == NULL || strlen(host) > RACK_MAX_NAME)
		return rack;
	if (strmap_get(r->queued, host) == NULL) {
		r->queue = xreallocarray(r->queue, r->n_queue + 1, sizeof *r->queue);
		r->queue[r->n_queue++] = xstrdup(host);
		strmap_put(r->queued, host, r);
		if (r->kick == NULL)
			r->kick = evtimer_new(r->base, rack_kick_cb, r);
		evtimer_add(r->kick, &now);
	}
	return NULL;
}
