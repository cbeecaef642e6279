/*
 * container.c — one container's record, state machine and life.
 *
 * The state machine is the explicit table below; every change goes
 * through container_set_state(), which refuses (and logs) anything the
 * table does not allow.  A container's life runs on the NM's loop:
 * container_launch() moves it to LOCALIZING and a zero-delay timer then
 * creates its directories, starts the localizer, and on success the
 * launcher; the process's exit (or a failure on the way) completes it and
 * the owner's done callback runs, which sends the RM an extra heartbeat.
 */
#include "weft_config.h"

#include "nm/container.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/proc.h"
#include "common/proto_container.h"
#include "common/wjson.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "nm/launcher.h"
#include "nm/localizer.h"
#include "weft/protocol.h"

/* How much of a failed container's stderr goes into its diagnostics. */
#define CONTAINER_STDERR_TAIL 4096

struct container {
	struct nm_context *ctx; /* NULL for records that never run */
	char id[WEFT_ID_MAX];
	char app_id[WEFT_ID_MAX];
	char *user;
	char *token;
	weft_resource_t resource;
	struct weft_launch_context *lc;
	struct launcher_paths paths;

	enum container_state state;
	int exit_status;
	char *diagnostics;
	int64_t start_ms;
	int64_t finish_ms;
	bool acked;

	struct event *step;       /* the launch step, from the loop */
	struct localization *loc; /* while localizing */
	struct proc *proc;        /* while the process runs */
	pid_t pid;
	int kill_status; /* reported once a KILLING one is gone */
	char *kill_diagnostics;

	container_done_cb done;
	void *done_arg;
};

static const char *const container_state_names[CONTAINER_STATE_COUNT] = {
        [CONTAINER_NEW] = "NEW",
        [CONTAINER_LOCALIZING] = "LOCALIZING",
        [CONTAINER_RUNNING] = "RUNNING",
        [CONTAINER_EXITED_WITH_SUCCESS] = "EXITED_WITH_SUCCESS",
        [CONTAINER_EXITED_WITH_FAILURE] = "EXITED_WITH_FAILURE",
        [CONTAINER_KILLING] = "KILLING",
        [CONTAINER_KILLED] = "KILLED",
        [CONTAINER_DONE] = "DONE",
};

/* Every legal transition and the event that causes it. */
static const struct {
	enum container_state from, to;
	const char *event;
} container_transitions[] = {
        {CONTAINER_NEW, CONTAINER_LOCALIZING, "start"},
        {CONTAINER_NEW, CONTAINER_KILLED, "kill before start"},
        {CONTAINER_LOCALIZING, CONTAINER_RUNNING, "localized and launched"},
        {CONTAINER_LOCALIZING, CONTAINER_EXITED_WITH_FAILURE, "localization or launch failed"},
        {CONTAINER_LOCALIZING, CONTAINER_KILLING, "kill while localizing"},
        {CONTAINER_RUNNING, CONTAINER_EXITED_WITH_SUCCESS, "exit code 0"},
        {CONTAINER_RUNNING, CONTAINER_EXITED_WITH_FAILURE, "non-zero exit"},
        {CONTAINER_RUNNING, CONTAINER_KILLING, "kill"},
        {CONTAINER_KILLING, CONTAINER_KILLED, "process group gone"},
        {CONTAINER_EXITED_WITH_SUCCESS, CONTAINER_DONE, "cleaned up"},
        {CONTAINER_EXITED_WITH_FAILURE, CONTAINER_DONE, "cleaned up"},
        {CONTAINER_KILLED, CONTAINER_DONE, "cleaned up"},
};

/* A state's name as the REST API shows it. */
const char *container_state_name(enum container_state state)
{
	if ((int)state < 0 || state >= CONTAINER_STATE_COUNT)
		return "UNKNOWN";
	return container_state_names[state];
}

/* Look a transition up in the table. */
static const char *container_transition_event(enum container_state from, enum container_state to)
{
	size_t i;

	for (i = 0; i < sizeof container_transitions / sizeof container_transitions[0]; i++) {
		if (container_transitions[i].from == from && container_transitions[i].to == to)
			return container_transitions[i].event;
	}
	return NULL;
}

/* Whether the table allows from -> to. */
bool container_transition_allowed(enum container_state from, enum container_state to)
{
	return container_transition_event(from, to) != NULL;
}

/* The states the RM sees as COMPLETE. */
bool container_state_is_complete(enum container_state state)
{
	return state == CONTAINER_EXITED_WITH_SUCCESS || state == CONTAINER_EXITED_WITH_FAILURE ||
	       state == CONTAINER_KILLED || state == CONTAINER_DONE;
}

/* A new record in NEW. */
struct container *container_new(struct nm_context *ctx, const struct container_spec *spec,
                                struct weft_launch_context *lc, container_done_cb done, void *arg)
{
	weft_container_id_t cid;
	struct container *c;

	if (spec->id == NULL || strlen(spec->id) >= WEFT_ID_MAX ||
	    weft_container_id_parse(spec->id, &cid) != 0)
		return NULL;
	c = xcalloc(1, sizeof *c);
	c->ctx = ctx;
	/* Keep the id exactly as the RM spelled it (e.g. container_e1_...). */
	strcpy(c->id, spec->id);
	weft_app_id_format(&cid.attempt.app, c->app_id);
	c->user = xstrdup(spec->user != NULL ? spec->user : "");
	c->token = spec->token != NULL ? xstrdup(spec->token) : NULL;
	c->resource = spec->resource;
	c->lc = lc;
	c->state = CONTAINER_NEW;
	c->exit_status = WEFT_EXIT_INVALID;
	c->diagnostics = xstrdup("");
	c->start_ms = time_now_ms();
	c->done = done;
	c->done_arg = arg;
	if (ctx != NULL)
		launcher_paths_init(ctx, c->user, c->app_id, c->id, &c->paths);
	return c;
}

/* Free the record and whatever is still in flight. */
void container_free(struct container *c)
{
	if (c == NULL)
		return;
	if (c->step != NULL)
		event_free(c->step);
	localizer_cancel(c->loc);
	if (c->proc != NULL)
		proc_detach(c->proc);
	launch_context_free(c->lc);
	launcher_paths_free(&c->paths);
	free(c->user);
	free(c->token);
	free(c->diagnostics);
	free(c->kill_diagnostics);
	free(c);
}

/* The one place a container changes state. */
int container_set_state(struct container *c, enum container_state to)
{
	const char *event = container_transition_event(c->state, to);

	if (event == NULL) {
		log_error("container %s: illegal transition %s -> %s", c->id,
		          container_state_name(c->state), container_state_name(to));
		return -1;
	}
	log_info("container %s: %s -> %s (%s)", c->id, container_state_name(c->state),
	         container_state_name(to), event);
	c->state = to;
	return 0;
}

/* Append one line of diagnostics. */
void container_add_diagnostics(struct container *c, const char *text)
{
	char *joined;

	if (text == NULL || *text == '\0')
		return;
	if (*c->diagnostics == '\0') {
		free(c->diagnostics);
		c->diagnostics = xstrdup(text);
		return;
	}
	joined = xasprintf("%s\n%s", c->diagnostics, text);
	free(c->diagnostics);
	c->diagnostics = joined;
}

/* Reached the end: DONE, and tell the owner. */
static void container_finish(struct container *c)
{
	c->finish_ms = time_now_ms();
	container_set_state(c, CONTAINER_DONE);
	log_info("container %s of %s completed with exit status %d", c->id, c->app_id,
	         c->exit_status);
	if (c->done != NULL)
		c->done(c, c->done_arg);
}

/* Localization or launch failed: the container never ran. */
static void container_fail(struct container *c, int exit_status, const char *diagnostics)
{
	log_warn("container %s failed: %s", c->id, diagnostics);
	c->exit_status = exit_status;
	container_add_diagnostics(c, diagnostics);
	container_set_state(c, CONTAINER_EXITED_WITH_FAILURE);
	container_finish(c);
}

/* The last bytes of the container's stderr, made safe for JSON text:
 * control characters and broken UTF-8 become '?'. */
static char *container_stderr_tail(const struct container *c)
{
	unsigned char buf[CONTAINER_STDERR_TAIL];
	char *path, *out;
	struct stat st;
	size_t n;
	ssize_t got;
	int fd;

	if (c->paths.log_dir == NULL)
		return NULL;
	path = xasprintf("%s/stderr", c->paths.log_dir);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	free(path);
	if (fd == -1)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return NULL;
	}
	n = st.st_size > CONTAINER_STDERR_TAIL ? CONTAINER_STDERR_TAIL : (size_t)st.st_size;
	got = pread(fd, buf, n, st.st_size - (off_t)n);
	close(fd);
	if (got <= 0)
		return NULL;
	n = (size_t)got;
	out = xmalloc(n + 1);
	memcpy(out, buf, n);
	out[n] = '\0';
	utf8_sanitize(out, n, UTF8_NO_CONTROLS);
	return out;
}

/* The process is gone: complete the container. */
static void container_exit_cb(struct proc *p, int wait_status, void *arg)
{
	struct container *c = arg;
	int code = proc_exit_code(wait_status);
	char *text, *tail;

	c->proc = NULL;
	/* Nothing the container started may outlive it. */
	if (c->pid > 0 && kill(-c->pid, SIGKILL) == 0 && c->state != CONTAINER_KILLING)
		log_info("container %s: killed what it left running in its group", c->id);
	c->pid = 0;
	launcher_remove_pid_file(c->ctx, c->app_id, c->id);
	if (c->state == CONTAINER_KILLING) {
		c->exit_status = c->kill_status;
		container_add_diagnostics(c, c->kill_diagnostics);
		text = xasprintf("Container killed on request. Exit code is %d", code);
		container_add_diagnostics(c, text);
		free(text);
		container_set_state(c, CONTAINER_KILLED);
	} else if (code == 0) {
		c->exit_status = 0;
		container_set_state(c, CONTAINER_EXITED_WITH_SUCCESS);
	} else {
		c->exit_status = code;
		tail = container_stderr_tail(c);
		text = xasprintf("Exception from container-launch.\nContainer id: %s\nExit code: "
		                 "%d%s%s",
		                 c->id, code, tail != NULL ? "\nLast 4096 bytes of stderr :\n" : "",
		                 tail != NULL ? tail : "");
		container_add_diagnostics(c, text);
		free(text);
		free(tail);
		container_set_state(c, CONTAINER_EXITED_WITH_FAILURE);
	}
	container_finish(c);
}

/* Localized (or nothing to fetch): start the process. */
static void container_start_process(struct container *c)
{
	struct launcher_env in;
	char **env, *cause = NULL, *text;

	memset(&in, 0, sizeof in);
	in.container_id = c->id;
	in.app_id = c->app_id;
	in.user = c->user;
	in.nm_host = c->ctx->host;
	in.nm_port = c->ctx->port;
	in.local_dirs = c->paths.local_dirs;
	in.log_dir = c->paths.log_dir;
	in.work_dir = c->paths.work_dir;
	in.libexec_dir = c->ctx->libexec_dir;
	env = launcher_build_env(&in, c->lc);
	c->proc = launcher_spawn(c->lc, env, &c->paths, container_exit_cb, c, &cause);
	launcher_env_free(env);
	if (c->proc == NULL) {
		text = xasprintf("launching container %s failed: %s", c->id, cause);
		container_fail(c, WEFT_EXIT_INVALID, text);
		free(text);
		free(cause);
		return;
	}
	c->pid = proc_pid(c->proc);
	if (launcher_write_pid_file(c->ctx, c->app_id, c->id, c->pid, &cause) != 0) {
		log_warn("container %s: no pid file: %s", c->id, cause);
		free(cause);
	}
	container_set_state(c, CONTAINER_RUNNING);
	log_info("container %s: pid %ld in %s", c->id, (long)c->pid, c->paths.work_dir);
}

/* The localizer is done with this container's files. */
static void container_localized_cb(bool ok, const char *diagnostics, void *arg)
{
	struct container *c = arg;

	c->loc = NULL;
	if (c->state != CONTAINER_LOCALIZING)
		return;
	if (!ok) {
		container_fail(c, WEFT_EXIT_INVALID, diagnostics);
		return;
	}
	container_start_process(c);
}

/* From the loop after the start request was answered: directories, then
 * files, then the process. */
static void container_step_cb(evutil_socket_t fd, short events, void *arg)
{
	struct container *c = arg;
	struct localizer_spec spec;
	char *cause = NULL, *text;

	event_free(c->step);
	c->step = NULL;
	if (c->state != CONTAINER_LOCALIZING)
		return;
	if (launcher_prepare_dirs(c->ctx, c->user, c->app_id, c->id, &cause) != 0) {
		text = xasprintf("cannot create the container's directories: %s", cause);
		container_fail(c, WEFT_EXIT_DISKS_FAILED, text);
		free(text);
		free(cause);
		return;
	}
	if (c->lc->n_resources == 0) {
		container_start_process(c);
		return;
	}
	memset(&spec, 0, sizeof spec);
	spec.base = c->ctx->base;
	spec.http = c->ctx->http;
	spec.rm_url = c->ctx->rm_url;
	spec.dest_dir = c->paths.work_dir;
	spec.max_bytes = config_get_int(c->ctx->cfg, "nm.localizer.max-file-mb") * 1024 * 1024;
	spec.timeout_ms = (long)config_get_int(c->ctx->cfg, "nm.localizer.timeout-ms");
	c->loc = localizer_start(&spec, c->lc, container_localized_cb, c);
}

/* Accepted: go on from the loop so the start request is answered first. */
void container_launch(struct container *c)
{
	struct timeval now = {0, 0};

	if (c->ctx == NULL || c->lc == NULL || container_set_state(c, CONTAINER_LOCALIZING) != 0)
		return;
	c->step = evtimer_new(c->ctx->base, container_step_cb, c);
	if (c->step == NULL)
		fatalx("container_launch: evtimer_new failed");
	evtimer_add(c->step, &now);
}

/* Stop the container; see container.h. */
bool container_kill(struct container *c, int exit_status, const char *diagnostics)
{
	switch (c->state) {
	case CONTAINER_NEW:
		c->exit_status = exit_status;
		container_add_diagnostics(c, diagnostics);
		container_set_state(c, CONTAINER_KILLED);
		container_finish(c);
		return true;
	case CONTAINER_LOCALIZING:
		container_set_state(c, CONTAINER_KILLING);
		if (c->step != NULL) {
			event_free(c->step);
			c->step = NULL;
		}
		localizer_cancel(c->loc);
		c->loc = NULL;
		c->exit_status = exit_status;
		container_add_diagnostics(c, diagnostics);
		container_set_state(c, CONTAINER_KILLED);
		container_finish(c);
		return true;
	case CONTAINER_RUNNING:
		container_set_state(c, CONTAINER_KILLING);
		c->kill_status = exit_status;
		free(c->kill_diagnostics);
		c->kill_diagnostics = xstrdup(diagnostics != NULL ? diagnostics : "");
		log_info("container %s: stopping pid %ld (%s)", c->id, (long)c->pid,
		         diagnostics != NULL ? diagnostics : "");
		launcher_stop(c->proc, c->ctx->kill_grace_ms);
		return false;
	case CONTAINER_KILLING:
		return false;
	default:
		return true;
	}
}

/* Accessors. */
const char *container_id(const struct container *c)
{
	return c->id;
}

const char *container_app_id(const struct container *c)
{
	return c->app_id;
}

const char *container_user(const struct container *c)
{
	return c->user;
}

const char *container_token(const struct container *c)
{
	return c->token;
}

weft_resource_t container_resource(const struct container *c)
{
	return c->resource;
}

enum container_state container_get_state(const struct container *c)
{
	return c->state;
}

bool container_is_complete(const struct container *c)
{
	return container_state_is_complete(c->state);
}

int container_exit_status(const struct container *c)
{
	return c->exit_status;
}

const char *container_diagnostics(const struct container *c)
{
	return c->diagnostics;
}

const char *container_work_dir(const struct container *c)
{
	return c->paths.work_dir;
}

const char *container_log_dir(const struct container *c)
{
	return c->paths.log_dir;
}

pid_t container_pid(const struct container *c)
{
	return c->proc != NULL ? c->pid : 0;
}

int64_t container_start_time(const struct container *c)
{
	return c->start_ms;
}

int64_t container_finish_time(const struct container *c)
{
	return c->finish_ms;
}

bool container_is_acked(const struct container *c)
{
	return c->acked;
}

void container_set_acked(struct container *c)
{
	c->acked = true;
}

/* The status the RM and AMs see (protocol.h's container status). */
struct json_object *container_status_json(const struct container *c)
{
	struct weft_container_status st = {
	        .container_id = c->id,
	        .state =
	                container_is_complete(c) ? WEFT_CONTAINER_COMPLETE : WEFT_CONTAINER_RUNNING,
	        .exit_status = c->exit_status,
	        .diagnostics = c->diagnostics,
	};

	return proto_container_status_encode(&st);
}
