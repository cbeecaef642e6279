/*
 * launcher.c — a container's directories, environment and process group.
 *
 * The container runs `/bin/sh -c "cmd1 && cmd2 ..."` through proc_spawn():
 * its own process group (so a stop reaches every process it started), its
 * working directory under the app cache, stdout and stderr appended to its
 * log dir, and a clean environment built here rather than the NM's own
 * (the NM's secrets and settings must not leak into user code).
 */
#include "weft_config.h"

#include "nm/launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/xmalloc.h"
#include "nm/dirs.h"
#include "weft/protocol.h"

/* PATH for containers when the NM itself has none. */
#define LAUNCHER_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* YARN's per-application cache directory in one local dir. */
char *launcher_app_cache_dir(const char *local_dir, const char *user, const char *app_id)
{
	return xasprintf("%s/usercache/%s/appcache/%s", local_dir, user, app_id);
}

/* A container's log directory in one log dir. */
char *launcher_container_log_dir(const char *log_dir, const char *app_id, const char *container_id)
{
	return xasprintf("%s/%s/%s", log_dir, app_id, container_id);
}

/* Where one container's working dir, logs and app cache dirs are. */
void launcher_paths_init(const struct nm_context *ctx, const char *user, const char *app_id,
                         const char *container_id, struct launcher_paths *out)
{
	char *app_dir, *joined = NULL, *next;
	int i;

	app_dir = launcher_app_cache_dir(ctx->local_dirs[hash_dir_index(app_id, ctx->n_local_dirs)],
	                                 user, app_id);
	out->work_dir = xasprintf("%s/%s", app_dir, container_id);
	free(app_dir);
	out->log_dir = launcher_container_log_dir(
	        ctx->log_dirs[hash_dir_index(app_id, ctx->n_log_dirs)], app_id, container_id);
	for (i = 0; i < ctx->n_local_dirs; i++) {
		app_dir = launcher_app_cache_dir(ctx->local_dirs[i], user, app_id);
		if (joined == NULL) {
			joined = app_dir;
			continue;
		}
		next = xasprintf("%s,%s", joined, app_dir);
		free(joined);
		free(app_dir);
		joined = next;
	}
	out->local_dirs = joined != NULL ? joined : xstrdup("");
}

/* Free what launcher_paths_init() allocated. */
void launcher_paths_free(struct launcher_paths *paths)
{
	free(paths->work_dir);
	free(paths->log_dir);
	free(paths->local_dirs);
	paths->work_dir = paths->log_dir = paths->local_dirs = NULL;
}

/* Create every directory a container needs. */
int launcher_prepare_dirs(const struct nm_context *ctx, const char *user, const char *app_id,
                          const char *container_id, char **cause)
{
	char *rel;
	int i, rc = 0, chosen;

	chosen = hash_dir_index(app_id, ctx->n_local_dirs);
	for (i = 0; i < ctx->n_local_dirs && rc == 0; i++) {
		if (i == chosen)
			rel = xasprintf("usercache/%s/appcache/%s/%s", user, app_id, container_id);
		else
			rel = xasprintf("usercache/%s/appcache/%s", user, app_id);
		rc = dirs_make_below(ctx->local_dirs[i], rel, 0750, cause);
		free(rel);
	}
	if (rc != 0)
		return -1;
	rel = xasprintf("%s/%s", app_id, container_id);
	rc = dirs_make_below(ctx->log_dirs[hash_dir_index(app_id, ctx->n_log_dirs)], rel, 0750,
	                     cause);
	free(rel);
	return rc;
}

/* The NM's private directory of an application, in its chosen local dir. */
char *launcher_private_app_dir(const struct nm_context *ctx, const char *app_id)
{
	return xasprintf("%s/nmPrivate/%s",
	                 ctx->local_dirs[hash_dir_index(app_id, ctx->n_local_dirs)], app_id);
}

/* Write the pid file: <container>.pid.tmp, then renamed into place. */
int launcher_write_pid_file(const struct nm_context *ctx, const char *app_id,
                            const char *container_id, pid_t pid, char **cause)
{
	const char *local = ctx->local_dirs[hash_dir_index(app_id, ctx->n_local_dirs)];
	char *rel, *tmp, *path, text[32];
	int fd, len, rc = -1;

	/* nmPrivate is the NM's alone: no container may read or plant files. */
	rel = xasprintf("nmPrivate/%s/%s", app_id, container_id);
	if (dirs_make_below(local, rel, 0700, cause) != 0) {
		free(rel);
		return -1;
	}
	path = xasprintf("%s/%s/%s.pid", local, rel, container_id);
	tmp = xasprintf("%s.tmp", path);
	free(rel);
	len = snprintf(text, sizeof text, "%ld\n", (long)pid);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		*cause = xasprintf("%s: %s", tmp, strerror(errno));
	} else if (write(fd, text, (size_t)len) != len) {
		*cause = xasprintf("%s: %s", tmp, errno != 0 ? strerror(errno) : "short write");
		close(fd);
		unlink(tmp);
	} else if (close(fd) != 0 || rename(tmp, path) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		unlink(tmp);
	} else {
		rc = 0;
	}
	free(tmp);
	free(path);
	return rc;
}

/* The container has ended: its pid file must not name a reused pid. */
void launcher_remove_pid_file(const struct nm_context *ctx, const char *app_id,
                              const char *container_id)
{
	char *dir = launcher_private_app_dir(ctx, app_id), *path;

	path = xasprintf("%s/%s/%s.pid", dir, container_id, container_id);
	unlink(path);
	free(path);
	path = xasprintf("%s/%s", dir, container_id);
	rmdir(path);
	free(path);
	free(dir);
}

/* A growing "K=V" list where setting a name again replaces it. */
struct launcher_env_list {
	char **items;
	int n, cap;
};

/* Set name=value, replacing an earlier value of name. */
static void launcher_env_set(struct launcher_env_list *l, const char *name, const char *value)
{
	size_t len = strlen(name);
	int i;

	for (i = 0; i < l->n; i++) {
		if (strncmp(l->items[i], name, len) == 0 && l->items[i][len] == '=') {
			free(l->items[i]);
			l->items[i] = xasprintf("%s=%s", name, value);
			return;
		}
	}
	if (l->n + 2 > l->cap) {
		l->cap = l->cap == 0 ? 32 : l->cap * 2;
		l->items = xreallocarray(l->items, (size_t)l->cap, sizeof *l->items);
	}
	l->items[l->n++] = xasprintf("%s=%s", name, value);
	l->items[l->n] = NULL;
}

/* The container's whole environment; see launcher.h for the order. */
char **launcher_build_env(const struct launcher_env *in, const struct weft_launch_context *lc)
{
	static const char *const inherited[] = {"HOME", "LANG"};
	struct launcher_env_list l = {NULL, 0, 0};
	const char *value;
	char port[16];
	size_t i;
	int k;

	value = getenv("PATH");
	launcher_env_set(&l, "PATH",
	                 value != NULL && *value != '\0' ? value : LAUNCHER_DEFAULT_PATH);
	for (i = 0; i < sizeof inherited / sizeof inherited[0]; i++) {
		value = getenv(inherited[i]);
		if (value != NULL)
			launcher_env_set(&l, inherited[i], value);
	}
	for (k = 0; lc != NULL && k < lc->n_env; k++)
		launcher_env_set(&l, lc->env[k].name, lc->env[k].value);

	snprintf(port, sizeof port, "%d", in->nm_port);
	launcher_env_set(&l, WEFT_ENV_CONTAINER_ID, in->container_id);
	launcher_env_set(&l, WEFT_ENV_APPLICATION_ID, in->app_id);
	launcher_env_set(&l, WEFT_ENV_NM_HOST, in->nm_host);
	launcher_env_set(&l, WEFT_ENV_NM_PORT, port);
	launcher_env_set(&l, WEFT_ENV_NM_HTTP_PORT, port);
	launcher_env_set(&l, WEFT_ENV_LOCAL_DIRS, in->local_dirs);
	launcher_env_set(&l, WEFT_ENV_LOG_DIRS, in->log_dir);
	launcher_env_set(&l, "USER", in->user);
	launcher_env_set(&l, "LOGNAME", in->user);
	launcher_env_set(&l, "PWD", in->work_dir);
	launcher_env_set(&l, WEFT_ENV_LIBEXEC_DIR, in->libexec_dir);
	return l.items;
}

/* Free an environment from launcher_build_env(). */
void launcher_env_free(char **env)
{
	char **p;

	if (env == NULL)
		return;
	for (p = env; *p != NULL; p++)
		free(*p);
	free(env);
}

/* Look a variable up in a "K=V" list. */
const char *launcher_env_get(char *const *env, const char *name)
{
	size_t len = strlen(name);

	for (; env != NULL && *env != NULL; env++) {
		if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
			return *env + len + 1;
	}
	return NULL;
}

/* fork/exec the container's commands. */
struct proc *launcher_spawn(const struct weft_launch_context *lc, char *const *env,
                            const struct launcher_paths *paths, proc_exit_cb cb, void *arg,
                            char **cause)
{
	struct proc_spec spec;
	struct proc *p;
	char *command, *out, *err;

	command = launch_context_command_line(lc);
	out = xasprintf("%s/stdout", paths->log_dir);
	err = xasprintf("%s/stderr", paths->log_dir);
	memset(&spec, 0, sizeof spec);
	spec.command = command;
	spec.env = env;
	spec.cwd = paths->work_dir;
	spec.stdout_path = out;
	spec.stderr_path = err;
	/* A session of its own: the executor's tasks run in process groups of
	 * their own, and must still die with the container. */
	spec.new_session = true;
	p = proc_spawn(&spec, cb, arg, cause);
	free(command);
	free(out);
	free(err);
	return p;
}

/* Stop a container's process group. */
void launcher_stop(struct proc *p, int64_t grace_ms)
{
	if (grace_ms > INT32_MAX)
		grace_ms = INT32_MAX;
	proc_terminate(p, (int)grace_ms);
}
