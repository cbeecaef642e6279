/*
 * dshell-am.c — the application master of weft's distributed shell, an
 * example written only against the installed libweft (libweft(3)), as
 * YARN's DistributedShell is written against YarnClient/AMRMClientAsync.
 *
 * It runs inside the AM container the RM launched (so WEFT_RM_URL and
 * WEFT_AM_TOKEN are in its environment), and is told what to do by the
 * environment the dshell client set in the submission:
 *   DSHELL_COMMAND       the shell command every container runs
 *   DSHELL_CONTAINERS    how many must succeed (1..10000)
 *   DSHELL_MEMORY_MB     each container's memory (default 128)
 *   DSHELL_VCORES        each container's vcores (default 1)
 *   DSHELL_MAX_FAILURES  failed containers tolerated (default 3): each is
 *                        replaced by a new one; one more fails the app
 *
 * It registers, asks for N containers, starts the command in each one it
 * is granted (the container's CONTAINER_ID and DSHELL_INDEX are in its
 * environment), replaces containers that fail, reports progress as the
 * share of containers that succeeded, and finishes SUCCEEDED once N have
 * (or FAILED, with a diagnostic, when too many failed).  Everything runs
 * on one libevent loop; no call blocks.
 */
#include <errno.h>
#include <event2/event.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <weft/weft.h>

#define DSHELL_PRIORITY 1

/* One container this AM was granted. */
struct dshell_container {
	char *id;
	int index; /* DSHELL_INDEX it runs with */
	bool started;
};

struct dshell {
	struct event_base *base;
	struct weft_client *rm_conn; /* to the RM, with the AM token */
	struct weft_client *nm_conn; /* to the NMs: container tokens only */
	struct weft_am_client *am;
	struct weft_nm_client *nm;
	const char *command;
	int wanted;       /* containers that must succeed */
	int max_failures; /* tolerated before the app fails */
	weft_resource_t capability;
	struct dshell_container *containers; /* every one granted */
	int n_containers;
	int running;   /* granted and not completed */
	int succeeded; /* completed with exit status 0 */
	int failed;    /* completed otherwise, or could not start */
	int next_index;
	bool finishing;
	int exit_status;
};

static void dshell_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void dshell_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("dshell-am: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* An integer from the environment within [min, max], or def when unset. */
static int dshell_env_int(const char *name, int def, int min, int max)
{
	const char *text = getenv(name);
	char *end;
	long v;

	if (text == NULL || text[0] == '\0')
		return def;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		dshell_log("%s: '%s' is not a number in %d..%d", name, text, min, max);
		exit(2);
	}
	return (int)v;
}

static struct dshell_container *dshell_find(struct dshell *d, const char *id)
{
	for (int i = 0; i < d->n_containers; i++)
		if (strcmp(d->containers[i].id, id) == 0)
			return &d->containers[i];
	return NULL;
}

static void dshell_finish(struct dshell *d, const char *final_status, const char *diagnostics)
{
	if (d->finishing)
		return;
	d->finishing = true;
	dshell_log("finishing %s: %s", final_status, diagnostics);
	weft_am_client_set_progress(d->am, (double)d->succeeded / d->wanted);
	weft_am_client_finish(d->am, final_status, diagnostics, NULL);
}

/* Ask for what is still missing: wanted, less what succeeded and what
 * runs now, beyond what is already asked for. */
static void dshell_ask(struct dshell *d)
{
	int missing = d->wanted - d->succeeded - d->running;
	struct weft_container_request req = {
	        .priority = DSHELL_PRIORITY,
	        .capability = d->capability,
	        .relax_locality = true,
	};

	if (d->finishing)
		return;
	req.count = missing > 0 ? missing : 0;
	weft_am_client_set_container_request(d->am, &req);
}

/* One container ended (completed, or could not start). */
static void dshell_ended(struct dshell *d, const char *id, bool ok, const char *why)
{
	char diag[512];

	d->running--;
	if (ok) {
		d->succeeded++;
		dshell_log("%s succeeded (%d of %d)", id, d->succeeded, d->wanted);
	} else {
		d->failed++;
		dshell_log("%s failed: %s (%d failed, %d tolerated)", id, why, d->failed,
		           d->max_failures);
	}
	weft_am_client_set_progress(d->am, (double)d->succeeded / d->wanted);
	if (d->failed > d->max_failures) {
		snprintf(diag, sizeof diag,
		         "%d containers failed (at most %d tolerated); last: %s: %s", d->failed,
		         d->max_failures, id, why);
		dshell_finish(d, "FAILED", diag);
		d->exit_status = 1;
	} else if (d->succeeded == d->wanted) {
		snprintf(diag, sizeof diag, "%d containers succeeded, %d failed and were replaced",
		         d->succeeded, d->failed);
		dshell_finish(d, "SUCCEEDED", diag);
	} else if (!ok) {
		dshell_ask(d); /* a replacement */
	}
}

static void dshell_registered(void *arg, const struct weft_am_registration *reg)
{
	struct dshell *d = arg;

	dshell_log("registered %s in queue %s; asking for %d containers of %lld MiB, %lld vcores",
	           reg->attempt_id, reg->queue != NULL ? reg->queue : "?", d->wanted,
	           (long long)d->capability.memory_mb, (long long)d->capability.vcores);
	dshell_ask(d);
}

static void dshell_started(const struct weft_status *status, const char *container_id, void *arg)
{
	struct dshell *d = arg;
	struct dshell_container *c = dshell_find(d, container_id);

	if (c == NULL)
		return;
	if (status->ok) {
		c->started = true;
		return;
	}
	/* The NM refused it: it will not complete through the RM as ours to
	 * count, so give it back and count it now. */
	weft_am_client_release(d->am, container_id);
	c->started = false;
	dshell_ended(d, container_id, false, status->message);
	c->id[0] = '\0'; /* its completion, when the RM reports it, is not counted again */
}

static void dshell_allocated(void *arg, const struct weft_container *containers, int n)
{
	struct dshell *d = arg;

	for (int i = 0; i < n; i++) {
		const struct weft_container *g = &containers[i];
		struct weft_launch_context lc = {0};
		struct dshell_container *c;
		char index[16];

		if (d->finishing || d->succeeded + d->running >= d->wanted) {
			/* More than needed (a request the RM had already
			 * answered when it was lowered): give it back. */
			weft_am_client_release(d->am, g->container_id);
			continue;
		}
		d->containers =
		        realloc(d->containers, (d->n_containers + 1) * sizeof *d->containers);
		if (d->containers == NULL) {
			dshell_log("out of memory");
			exit(1);
		}
		c = &d->containers[d->n_containers++];
		c->id = strdup(g->container_id);
		c->index = d->next_index++;
		c->started = false;
		d->running++;
		snprintf(index, sizeof index, "%d", c->index);
		weft_launch_context_add_command(&lc, d->command);
		weft_launch_context_add_env(&lc, "DSHELL_INDEX", index);
		dshell_log("starting %s on %s (index %d)", g->container_id, g->node_id, c->index);
		weft_nm_client_start(d->nm, g, &lc, dshell_started, d);
		weft_launch_context_clear(&lc);
	}
}

static void dshell_completed(void *arg, const struct weft_container_status *statuses, int n)
{
	struct dshell *d = arg;

	for (int i = 0; i < n; i++) {
		const struct weft_container_status *s = &statuses[i];
		struct dshell_container *c = dshell_find(d, s->container_id);
		char why[256];

		if (c == NULL)
			continue; /* released, or already counted */
		c->id[0] = '\0';
		snprintf(why, sizeof why, "exit status %d%s%s", (int)s->exit_status,
		         s->diagnostics != NULL && s->diagnostics[0] != '\0' ? ": " : "",
		         s->diagnostics != NULL ? s->diagnostics : "");
		dshell_ended(d, s->container_id, s->exit_status == 0, why);
	}
}

static void dshell_preempted(void *arg, const struct weft_preemption_request *requests, int n)
{
	struct dshell *d = arg;

	/* A shell command keeps no state to save: let the RM take them;
	 * their completion (exit status WEFT_EXIT_PREEMPTED) asks for more. */
	for (int i = 0; i < n; i++)
		dshell_log("the scheduler wants %s back", requests[i].container_id);
	(void)d;
}

static void dshell_finished(void *arg)
{
	struct dshell *d = arg;

	dshell_log("unregistered");
	event_base_loopexit(d->base, NULL);
}

static void dshell_end(void *arg, enum weft_am_client_end end, const char *why)
{
	struct dshell *d = arg;

	dshell_log("the RM ended this attempt (%s): %s",
	           end == WEFT_AM_CLIENT_SHUTDOWN    ? "shutdown"
	           : end == WEFT_AM_CLIENT_NOT_FOUND ? "unknown attempt"
	           : end == WEFT_AM_CLIENT_REJECTED  ? "rejected"
	                                             : "unreachable",
	           why);
	d->exit_status = 1;
	event_base_loopexit(d->base, NULL);
}

int main(void)
{
	struct weft_client_options nm_opts = {0};
	struct weft_am_client_handlers handlers = {0};
	struct dshell d = {0};
	char host[HOST_NAME_MAX + 1] = "localhost";
	char *cause = NULL;

	setvbuf(stderr, NULL, _IOLBF, 0);
	d.command = getenv("DSHELL_COMMAND");
	if (d.command == NULL || d.command[0] == '\0') {
		dshell_log("DSHELL_COMMAND is not set (start me with the dshell client)");
		return 2;
	}
	d.wanted = dshell_env_int("DSHELL_CONTAINERS", 1, 1, 10000);
	d.max_failures = dshell_env_int("DSHELL_MAX_FAILURES", 3, 0, INT_MAX);
	d.capability = weft_resource(dshell_env_int("DSHELL_MEMORY_MB", 128, 1, INT_MAX),
	                             dshell_env_int("DSHELL_VCORES", 1, 1, 1024));

	d.base = event_base_new();
	if (d.base == NULL) {
		dshell_log("cannot create an event loop");
		return 1;
	}
	/* To the RM: its addresses and our AM token from the environment. */
	d.rm_conn = weft_am_client_connect(d.base, NULL, NULL, 0, &cause);
	if (d.rm_conn == NULL) {
		dshell_log("%s", cause);
		return 1;
	}
	/* To the NMs: a connection of its own, so the AM token stays here. */
	d.nm_conn = weft_client_new(d.base, &nm_opts, &cause);
	if (d.nm_conn == NULL) {
		dshell_log("%s", cause);
		return 1;
	}
	handlers.registered = dshell_registered;
	handlers.containers_allocated = dshell_allocated;
	handlers.containers_completed = dshell_completed;
	handlers.preemption_requested = dshell_preempted;
	handlers.finished = dshell_finished;
	handlers.ended = dshell_end;
	handlers.arg = &d;
	d.am = weft_am_client_new(d.rm_conn, NULL, &handlers);
	d.nm = weft_nm_client_new(d.nm_conn);

	gethostname(host, sizeof host - 1);
	weft_am_client_register(d.am, host, -1, NULL);
	event_base_dispatch(d.base);

	weft_nm_client_free(d.nm);
	weft_am_client_free(d.am);
	weft_client_free(d.nm_conn);
	weft_client_free(d.rm_conn);
	event_base_free(d.base);
	for (int i = 0; i < d.n_containers; i++)
		free(d.containers[i].id);
	free(d.containers);
	return d.exit_status;
}
