/*
 * launcher.h — where a container lives on disk, what environment it sees,
 * and starting/stopping its process group.
 *
 * Layout (YARN's):
 *   <local-dir>/usercache/<user>/appcache/<app>/<container>/  working dir
 *   <log-dir>/<app>/<container>/{stdout,stderr}              logs
 *   <local-dir>/nmPrivate/<app>/<container>/<container>.pid  the NM's own
 *                                       (mode 0700): the container's pid
 * An application's directories go to one local dir and one log dir chosen
 * by a hash of its id, so applications spread over several disks; its app
 * cache dir exists in every local dir (LOCAL_DIRS lists them all).
 */
#ifndef WEFT_NM_LAUNCHER_H
#define WEFT_NM_LAUNCHER_H

#include <stdint.h>
#include <sys/types.h>

#include "common/hash.h"
#include "common/proc.h"
#include "nm/launch_context.h"
#include "nm/nm.h"

struct launcher_paths {
	char *work_dir;   /* the container's working directory */
	char *log_dir;    /* its log directory */
	char *local_dirs; /* every app cache dir, comma-separated (LOCAL_DIRS) */
};

/* Which of n directories an application uses: common/hash.h's
 * hash_dir_index of its id (the name stays for the callers that know it
 * so). */
#define launcher_dir_index(app_id, n) hash_dir_index(app_id, n)
/* <local_dir>/usercache/<user>/appcache/<app_id> (caller frees). */
char *launcher_app_cache_dir(const char *local_dir, const char *user, const char *app_id);
/* <log_dir>/<app_id>/<container_id> (caller frees). */
char *launcher_container_log_dir(const char *log_dir, const char *app_id, const char *container_id);

/* Compute a container's paths (nothing is created). */
void launcher_paths_init(const struct nm_context *ctx, const char *user, const char *app_id,
                         const char *container_id, struct launcher_paths *out);
void launcher_paths_free(struct launcher_paths *paths);
/* Create the app cache dirs, the working dir and the log dir, never
 * following a symlink below the configured dirs.  RET 0 / -1 *cause. */
int launcher_prepare_dirs(const struct nm_context *ctx, const char *user, const char *app_id,
                          const char *container_id, char **cause);

/* <local-dir>/nmPrivate/<app_id>, the NM's private files of an app in
 * the local dir the app uses (caller frees). */
char *launcher_private_app_dir(const struct nm_context *ctx, const char *app_id);
/*
 * Record a running container's pid in its pid file, as YARN's NM does
 * (written to a temporary name and renamed, so a reader sees the whole
 * pid or no file).  RET 0 / -1 *cause.
 */
int launcher_write_pid_file(const struct nm_context *ctx, const char *app_id,
                            const char *container_id, pid_t pid, char **cause);
/* Remove a container's pid file and its directory (it has ended). */
void launcher_remove_pid_file(const struct nm_context *ctx, const char *app_id,
                              const char *container_id);

/* What a container's environment is made of. */
struct launcher_env {
	const char *container_id;
	const char *app_id;
	const char *user;
	const char *nm_host;
	int nm_port;
	const char *local_dirs;
	const char *log_dir;
	const char *work_dir;
	const char *libexec_dir;
};

/*
 * The environment as "K=V" strings, NULL-terminated (free with
 * launcher_env_free): PATH (a default when the NM has none), HOME and LANG
 * from the NM's own environment, then the launch context's variables
 * (which may replace those), then YARN's and weft's variables, which the
 * launch context cannot replace: CONTAINER_ID, APPLICATION_ID, NM_HOST,
 * NM_PORT, NM_HTTP_PORT, LOCAL_DIRS, LOG_DIRS, USER, LOGNAME, PWD,
 * WEFT_LIBEXEC_DIR.
 */
char **launcher_build_env(const struct launcher_env *in, const struct weft_launch_context *lc);
void launcher_env_free(char **env);
/* The value of name in env (NULL if absent); for tests and logging. */
const char *launcher_env_get(char *const *env, const char *name);

/* Start the commands with /bin/sh -c in the working dir, in a new process
 * group, stdout/stderr appended to the log dir.  RET the process or NULL
 * with *cause. */
struct proc *launcher_spawn(const struct weft_launch_context *lc, char *const *env,
                            const struct launcher_paths *paths, proc_exit_cb cb, void *arg,
                            char **cause);
/* SIGTERM to the group, SIGKILL after grace_ms. */
void launcher_stop(struct proc *p, int64_t grace_ms);

#endif
