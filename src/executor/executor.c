/*
 * executor.c — weft-executor: the executor side of the driver line
 * protocol (weft/protocol.h) and the tasks it runs.
 *
 * Owns the connection to the driver (dialled with a short backoff when
 * the first attempts fail), the registration, and every running task: a
 * child in its own process group (proc.h) running /bin/sh -c COMMAND in
 * a directory of its own under the container's working directory, one
 * per task slot (at most --cores), emptied when a task leaves it,
 *
 *   WORKDIR/slot_<k>/work     the task's cwd
 *   WORKDIR/slot_<k>/stdout   its stdout
 *   WORKDIR/slot_<k>/stderr   its stderr
 *
 * with the executor's environment (less WEFT_APP_SECRET) plus the task's
 * env, WEFT_TASK_INDEX, WEFT_TASK_ATTEMPT and WEFT_EXECUTOR_ID.  When the
 * task exits, whatever is left of its process group is killed, its stdout
 * (capped so the status line fits in WEFT_MAX_LINE; base64 when it is not
 * UTF-8 text) and the last 4 KiB of its stderr go back in one status line,
 * and what the task left in its slot is removed.
 *
 * A dataflow task (a launch with "task") runs the same way, except that
 * the child is this program's task runner (task_runner.h) reading
 * slot_<k>/task.json, and the status adds what it wrote in
 * slot_<k>/result.json.
 *
 * The executor leaves when the driver says shutdown (exit 0), when the
 * driver's connection drops or it is rejected (exit 1, like Spark's
 * "driver disassociated"), or on SIGTERM (exit 143); its tasks are
 * terminated first, each group SIGTERMed then SIGKILLed.
 */
#include "weft_config.h"

#include "executor/executor.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/lineconn.h"
#include "common/log.h"
#include "common/proc.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"

extern char **environ;

/* Dialling the driver: attempts, and the first backoff (doubling). */
#define EXECUTOR_CONNECT_ATTEMPTS   6
#define EXECUTOR_CONNECT_BACKOFF_MS 100
/* SIGTERM to SIGKILL for a killed task, and when the NM stops us (it
 * SIGKILLs us after nm.sleep-delay-before-sigkill-ms, 250 by default). */
#define EXECUTOR_TASK_GRACE_MS 250
#define EXECUTOR_STOP_GRACE_MS 100
/* A status line must fit the driver's line cap, with room to spare. */
#define EXECUTOR_STATUS_LIMIT (WEFT_MAX_LINE - 64 * 1024)
#define EXECUTOR_STDERR_TAIL  4096
#define EXECUTOR_MAX_ENV      1024
#define EXECUTOR_MAX_ENV_KEY  256
/* A task runner's result.json (map output sizes, samples) must fit a line
 * with the rest of the status. */
#define EXECUTOR_MAX_RESULT      (16 * 1024 * 1024)
#define EXECUTOR_MIN_TASK_BUDGET ((size_t)32 * 1024 * 1024)

struct exec_task {
	struct executor *e;
	int64_t task_id;
	int attempt;
	int index;
	char *dir;
	char *cwd;
	char *stdout_path;
	char *stderr_path;
	struct proc *proc; /* NULL once reaped */
	pid_t pid;
	bool killing;
	bool dataflow; /* run by the task runner: has a result.json */
	int slot;      /* index in e->slots, -1 before one is taken */
	TAILQ_ENTRY(exec_task) entry;
};

/* A task slot's directory, reused task after task (see executor_slot_take). */
struct exec_slot {
	char *dir;
	bool busy;
	bool made; /* dir/work exists and is clean */
};

struct executor {
	struct event_base *base;
	char *driver_host;
	int driver_port;
	char *id;
	int cores;
	char *secret;
	char *host;
	char *node_id;
	char *container_id;
	char *work_dir;
	char *self_path;  /* this program, run as the task runner */
	char *local_dirs; /* where map outputs and blocks go */
	char *app_id;
	size_t task_budget; /* bytes a dataflow task may sort in memory */

	struct lineconn *conn;
	bool registered;
	int connect_attempts;
	struct event *retry_timer;

	bool exiting;
	bool exited; /* the exit callback ran */
	int exit_code;
	struct event *exit_timer; /* deadline for tasks to go */
	struct event *exit_event; /* the exit callback, from the loop */
	executor_exit_cb cb;
	void *arg;

	int n_tasks;
	TAILQ_HEAD(, exec_task) tasks;
	struct exec_slot *slots;
	int n_slots;
};

static void executor_connect(struct executor *e);
static void executor_finish(struct executor *e, int exit_code, const char *why);

/* ------------------------------------------------------------------ */
/* Text helpers: what may go into a JSON string as is. */

/* Length of the well-formed UTF-8 character at s (n bytes available), or
 * 0 when it is not one (NUL counts as not one: it cannot travel). */
static size_t executor_utf8_char(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0; /* no overlong forms */
	else if (c == 0xED)
		hi = 0x9F; /* no surrogates */
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F; /* nothing above U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	}
	return len;
}

/* Whether buf is UTF-8 text without NUL. */
static bool executor_is_text(const char *buf, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		n = executor_utf8_char((const unsigned char *)buf + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* Make buf (a tail cut anywhere) valid text in place: drop a partial
 * character at the start, replace what is not UTF-8 with '?'.  RET the
 * new start. */
static char *executor_sanitize_tail(char *buf, size_t *len)
{
	size_t i = 0, n, skip = 0;

	while (skip < 3 && skip < *len && ((unsigned char)buf[skip] & 0xC0) == 0x80)
		skip++;
	buf += skip;
	*len -= skip;
	while (i < *len) {
		n = executor_utf8_char((const unsigned char *)buf + i, *len - i);
		if (n == 0) {
			buf[i] = '?';
			n = 1;
		}
		i += n;
	}
	return buf;
}

/* Standard base64 of len bytes (caller frees). */
static char *executor_base64(const char *buf, size_t len)
{
	char *out;

	out = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)buf, (int)len);
	return out;
}

/* ------------------------------------------------------------------ */
/* Files of a finished task. */

/* Read at most max bytes from the start of path.  RET the buffer (NUL
 * after it), *len read and *size the whole file's size; empty if the file
 * is gone. */
static char *executor_read_head(const char *path, size_t max, size_t *len, int64_t *size)
{
	struct stat st;
	char *buf;
	ssize_t n;
	int fd;

	*len = 0;
	*size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return xstrdup("");
	}
	*size = st.st_size;
	if ((uint64_t)st.st_size < max)
		max = (size_t)st.st_size;
	buf = xmalloc(max + 1);
	while (*len < max) {
		n = read(fd, buf + *len, max - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	close(fd);
	buf[*len] = '\0';
	return buf;
}

/* The last max bytes of path as text (caller frees). */
static char *executor_read_tail(const char *path, size_t max)
{
	struct stat st;
	char *buf, *text;
	size_t len = 0;
	ssize_t n;
	off_t from;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return xstrdup("");
	if (fstat(fd, &st) != 0) {
		close(fd);
		return xstrdup("");
	}
	from = st.st_size > (off_t)max ? st.st_size - (off_t)max : 0;
	buf = xmalloc(max + 1);
	while (len < max) {
		n = pread(fd, buf + len, max - len, from + (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	text = executor_sanitize_tail(buf, &len);
	text = xstrndup(text, len);
	free(buf);
	return text;
}

/* nftw: remove one entry, children first. */
static int executor_remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (remove(path) != 0 && errno != ENOENT)
		log_debug("remove %s: %s", path, strerror(errno));
	return 0;
}

/* Remove a task's directory and everything the task left in it. */
static void executor_remove_tree(const char *dir)
{
	if (nftw(dir, executor_remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
		log_warn("removing %s: %s", dir, strerror(errno));
}

/* ------------------------------------------------------------------ */
/* Talking to the driver. */

/* Send a line (a dropped connection shows up as a close). */
static void executor_send(struct executor *e, struct json_object *msg)
{
	if (e->conn != NULL)
		lineconn_send(e->conn, msg);
	json_object_put(msg);
}

/* A status line without output. */
static struct json_object *executor_status(const struct exec_task *t, const char *state)
{
	struct json_object *msg;

	msg = wjson_new_object();
	wjson_add_string(msg, "type", "status");
	wjson_add_int(msg, "taskId", t->task_id);
	wjson_add_int(msg, "attempt", t->attempt);
	wjson_add_string(msg, "state", state);
	return msg;
}

/* A FAILED report for a task that could not start. */
static void executor_send_failed(struct executor *e, const struct exec_task *t, const char *why)
{
	struct json_object *msg;
	char *tail;

	log_warn("task %" PRId64 " attempt %d: %s", t->task_id, t->attempt, why);
	tail = xasprintf("weft-executor %s: %s", e->id, why);
	msg = executor_status(t, "FAILED");
	wjson_add_int(msg, "exitCode", -1);
	wjson_add_string(msg, "stderrTail", tail);
	executor_send(e, msg);
	free(tail);
}

/* Add what the task runner wrote in result.json to a status line. */
static void executor_attach_result(const struct exec_task *t, struct json_object *msg)
{
	struct json_object *result;
	char *path = xasprintf("%s/result.json", t->dir), *cause = NULL;

	result = wjson_parse_file(path, EXECUTOR_MAX_RESULT, &cause);
	if (result == NULL) {
		log_debug("task %" PRId64 ": no result: %s", t->task_id, cause);
		free(cause);
	} else if (!json_object_is_type(result, json_type_object)) {
		json_object_put(result);
	} else {
		wjson_add(msg, "result", result);
	}
	free(path);
}

/*
 * The final status line of a task, with its stdout when it succeeded.  The
 * line must fit the driver's cap: stdout is cut (at a character boundary)
 * until it does, and the cut is reported.
 */
static struct json_object *executor_final_status(const struct exec_task *t, const char *state,
                                                 int exit_code, const char *tail)
{
	struct json_object *msg;
	char *out, *encoded;
	size_t len, kept, text_len;
	int64_t size;

	msg = executor_status(t, state);
	wjson_add_int(msg, "exitCode", exit_code);
	wjson_add_string(msg, "stderrTail", tail);
	/* A dataflow task's result first: stdout is cut to what fits beside it. */
	if (t->dataflow)
		executor_attach_result(t, msg);
	if (strcmp(state, "FINISHED") != 0)
		return msg;

	out = executor_read_head(t->stdout_path, EXECUTOR_STATUS_LIMIT, &len, &size);
	kept = len;
	for (;;) {
		struct json_object *value;

		if (executor_is_text(out, kept)) {
			value = json_object_new_string_len(out, (int)kept);
			encoded = NULL;
		} else {
			encoded = executor_base64(out, kept);
			value = json_object_new_string(encoded);
		}
		if (value == NULL)
			fatalx("executor_final_status: out of memory");
		json_object_object_add(msg, "stdout", value);
		json_object_object_del(msg, "stdoutEncoding");
		if (encoded != NULL)
			wjson_add_string(msg, "stdoutEncoding", "base64");
		free(encoded);
		json_object_object_del(msg, "stdoutTruncated");
		if ((int64_t)kept < size)
			wjson_add_bool(msg, "stdoutTruncated", true);
		wjson_add_int(msg, "stdoutSize", size);
		text_len = strlen(wjson_text(msg));
		if (text_len <= EXECUTOR_STATUS_LIMIT || kept == 0)
			break;
		/* Escapes or base64 made it too long: keep proportionally less. */
		kept = (size_t)((double)kept * EXECUTOR_STATUS_LIMIT / (double)text_len * 0.9);
		while (kept > 0 && ((unsigned char)out[kept] & 0xC0) == 0x80)
			kept--;
	}
	if ((int64_t)kept < size)
		log_warn("task %" PRId64 " attempt %d: stdout of %" PRId64 " bytes cut to %zu",
		         t->task_id, t->attempt, size, kept);
	free(out);
	return msg;
}

/* ------------------------------------------------------------------ */
/* Tasks. */

/* Remove everything inside dir (not dir itself).  RET whether it was
 * empty already. */
static bool executor_empty_dir(const char *dir)
{
	struct dirent *de;
	bool empty = true;
	char *path;
	DIR *d = opendir(dir);

	if (d == NULL)
		return true;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		empty = false;
		path = xasprintf("%s/%s", dir, de->d_name);
		executor_remove_tree(path);
		free(path);
	}
	closedir(d);
	return empty;
}

/* Empty a file if it is not (a missing file is fine). */
static bool executor_truncate(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno == ENOENT;
	return st.st_size == 0 || truncate(path, 0) == 0;
}

/*
 * A slot for a task: WORKDIR/slot_<k>/ with the task's working directory
 * work/ and its stdout and stderr files, created once and emptied when a
 * task leaves it (only what the task left is removed).  Reusing them
 * saves the directory and file creations and removals of every task,
 * which cost more than the task itself for short tasks on a journaling
 * filesystem.  RET the slot index, or -1 with *cause.
 */
static int executor_slot_take(struct executor *e, char **cause)
{
	struct exec_slot *slot;
	char *work;
	int k;

	for (k = 0; k < e->n_slots; k++)
		if (!e->slots[k].busy)
			break;
	if (k == e->n_slots) {
		e->slots = xreallocarray(e->slots, (size_t)e->n_slots + 1, sizeof *e->slots);
		memset(&e->slots[k], 0, sizeof e->slots[k]);
		e->slots[k].dir = xasprintf("%s/slot_%d", e->work_dir, k);
		e->n_slots++;
	}
	slot = &e->slots[k];
	if (!slot->made) {
		executor_remove_tree(slot->dir); /* a leftover of an earlier run */
		work = xasprintf("%s/work", slot->dir);
		if (mkdir(slot->dir, 0700) != 0 || mkdir(work, 0700) != 0) {
			set_cause(cause, "mkdir %s: %s", work, strerror(errno));
			free(work);
			return -1;
		}
		free(work);
		slot->made = true;
	}
	slot->busy = true;
	return k;
}

/* A task left its slot: empty it for the next one. */
static void executor_slot_give_back(struct executor *e, const struct exec_task *t)
{
	struct exec_slot *slot = &e->slots[t->slot];
	char *path;

	if (t->cwd != NULL)
		executor_empty_dir(t->cwd);
	if (!executor_truncate(t->stdout_path) || !executor_truncate(t->stderr_path))
		slot->made = false; /* start it afresh */
	path = xasprintf("%s/task.json", slot->dir);
	unlink(path);
	free(path);
	path = xasprintf("%s/result.json", slot->dir);
	unlink(path);
	free(path);
	slot->busy = false;
}

/* Forget a task and give its slot back. */
static void executor_task_free(struct exec_task *t)
{
	struct executor *e = t->e;

	TAILQ_REMOVE(&e->tasks, t, entry);
	e->n_tasks--;
	if (t->slot >= 0)
		executor_slot_give_back(e, t);
	free(t->dir);
	free(t->cwd);
	free(t->stdout_path);
	free(t->stderr_path);
	free(t);
}

/* The last task is gone while leaving: exit now. */
static void executor_maybe_exit(struct executor *e)
{
	if (e->exiting && e->n_tasks == 0)
		event_active(e->exit_event, EV_TIMEOUT, 1);
}

/* A task's process exited: report it and clean up. */
static void executor_task_exit_cb(struct proc *p, int wait_status, void *arg)
{
	struct exec_task *t = arg;
	struct executor *e = t->e;
	struct json_object *msg;
	const char *state;
	char *tail;
	int code;

	t->proc = NULL; /* proc.c frees it after this callback */
	/* Whatever the task left running in its group goes with it. */
	kill(-t->pid, SIGKILL);
	code = proc_exit_code(wait_status);
	if (!e->exiting) {
		state = t->killing ? "KILLED" : code == 0 ? "FINISHED" : "FAILED";
		log_info("task %d (TID %" PRId64 ", attempt %d) %s, exit code %d", t->index,
		         t->task_id, t->attempt, state, code);
		tail = executor_read_tail(t->stderr_path, EXECUTOR_STDERR_TAIL);
		msg = executor_final_status(t, state, code, tail);
		executor_send(e, msg);
		free(tail);
	}
	executor_task_free(t);
	executor_maybe_exit(e);
}

/* The running task with this id and attempt. */
static struct exec_task *executor_task_find(struct executor *e, int64_t task_id, int attempt)
{
	struct exec_task *t;

	TAILQ_FOREACH(t, &e->tasks, entry)
	{
		if (t->task_id == task_id && t->attempt == attempt)
			return t;
	}
	return NULL;
}

/* Whether name is a shell-safe environment variable name. */
static bool executor_env_name_valid(const char *name)
{
	size_t i;

	if (name[0] == '\0' || strlen(name) > EXECUTOR_MAX_ENV_KEY ||
	    isdigit((unsigned char)name[0]))
		return false;
	for (i = 0; name[i] != '\0'; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return false;
	}
	return true;
}

/* Check a launch's env object.  RET 0 / -1 with *cause. */
static int executor_env_check(struct json_object *env, char **cause)
{
	int n = 0;

	json_object_object_foreach(env, key, value)
	{
		if (++n > EXECUTOR_MAX_ENV)
			return set_cause(cause, "env: more than %d variables", EXECUTOR_MAX_ENV);
		if (!executor_env_name_valid(key))
			return set_cause(cause, "env: '%.64s' is not a variable name", key);
		if (!json_object_is_type(value, json_type_string))
			return set_cause(cause, "env.%s: expected a string", key);
		if (strlen(json_object_get_string(value)) !=
		    (size_t)json_object_get_string_len(value))
			return set_cause(cause, "env.%s: string contains a NUL character", key);
	}
	return 0;
}

/* Whether the "K=V" entry sets one of names (NULL-terminated) or a key of
 * env. */
static bool executor_env_overridden(const char *entry, struct json_object *env)
{
	static const char *const ours[] = {WEFT_ENV_APP_SECRET,
	                                   WEFT_ENV_TASK_INDEX,
	                                   WEFT_ENV_TASK_ATTEMPT,
	                                   WEFT_ENV_EXECUTOR_ID,
	                                   "PWD",
	                                   NULL};
	const char *eq = strchr(entry, '=');
	size_t len = eq != NULL ? (size_t)(eq - entry) : strlen(entry);
	char *name;
	bool found;
	int i;

	for (i = 0; ours[i] != NULL; i++) {
		if (strlen(ours[i]) == len && strncmp(entry, ours[i], len) == 0)
			return true;
	}
	if (env == NULL)
		return false;
	name = xstrndup(entry, len);
	found = json_object_object_get_ex(env, name, NULL);
	free(name);
	return found;
}

/* The task's environment: ours (without the secret), the task's, then
 * the WEFT_TASK_* variables.  NULL-terminated; free each and the array. */
static char **executor_task_env(const struct executor *e, const struct exec_task *t,
                                struct json_object *env)
{
	size_t n = 0, cap = 16, i;
	char **out;

	for (i = 0; environ[i] != NULL; i++)
		cap++;
	if (env != NULL)
		cap += (size_t)json_object_object_length(env);
	out = xcalloc(cap, sizeof *out);
	for (i = 0; environ[i] != NULL; i++) {
		if (!executor_env_overridden(environ[i], env))
			out[n++] = xstrdup(environ[i]);
	}
	if (env != NULL) {
		json_object_object_foreach(env, key, value)
		{
			out[n++] = xasprintf("%s=%s", key, json_object_get_string(value));
		}
	}
	out[n++] = xasprintf("%s=%d", WEFT_ENV_TASK_INDEX, t->index);
	out[n++] = xasprintf("%s=%d", WEFT_ENV_TASK_ATTEMPT, t->attempt);
	out[n++] = xasprintf("%s=%s", WEFT_ENV_EXECUTOR_ID, e->id);
	out[n++] = xasprintf("PWD=%s", t->cwd);
	out[n] = NULL;
	return out;
}

/* Free an environment from executor_task_env. */
static void executor_env_free(char **env)
{
	size_t i;

	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

/* A dataflow task's file for the runner: the driver's "task" object and
 * what only this executor knows (its node, local dirs, the application
 * and its secret, the memory a task may use). */
static int executor_write_task(const struct executor *e, const struct exec_task *t,
                               struct json_object *task, char **cause)
{
	struct json_object *obj = NULL;
	const char *text;
	char *path;
	int fd, rc = 0;

	if (json_object_deep_copy(task, &obj, NULL) != 0)
		fatalx("executor_write_task: out of memory");
	wjson_add_int(obj, "taskId", t->task_id);
	wjson_add_int(obj, "attempt", t->attempt);
	if (!json_object_object_get_ex(obj, "partition", NULL))
		wjson_add_int(obj, "partition", t->index);
	wjson_add_string(obj, "applicationId", e->app_id);
	wjson_add_string(obj, "nodeId", e->node_id);
	wjson_add_string(obj, "secret", e->secret);
	wjson_add_string(obj, "localDirs", e->local_dirs);
	wjson_add_int(obj, "budgetBytes", (int64_t)e->task_budget);
	text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	path = xasprintf("%s/task.json", t->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		rc = set_cause(cause, "%s: %s", path, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	free(path);
	json_object_put(obj);
	return rc;
}

/* {"type":"launch"}: start the task, or report why it cannot start. */
static void executor_launch(struct executor *e, struct json_object *msg)
{
	struct exec_task *t;
	struct json_object *env = NULL, *task = NULL;
	struct proc_spec spec;
	const char *command = NULL;
	char *argv[4];
	int64_t task_id, attempt, index = 0;
	char *cause = NULL, **envp;

	if (wjson_get_int(msg, "", "taskId", true, 0, INT64_MAX, &task_id, &cause) != 0 ||
	    wjson_get_int(msg, "", "attempt", true, 0, INT_MAX, &attempt, &cause) != 0) {
		log_warn("ignoring a launch I cannot answer: %s", cause);
		free(cause);
		return;
	}
	if (executor_task_find(e, task_id, (int)attempt) != NULL) {
		log_warn("task %" PRId64 " attempt %d is already running", task_id, (int)attempt);
		return;
	}

	t = xcalloc(1, sizeof *t);
	t->e = e;
	t->slot = -1;
	t->task_id = task_id;
	t->attempt = (int)attempt;
	TAILQ_INSERT_TAIL(&e->tasks, t, entry);
	e->n_tasks++;

	if (wjson_get_int(msg, "", "index", true, 0, INT_MAX, &index, &cause) != 0 ||
	    wjson_get_object(msg, "", "task", false, &task, &cause) != 0 ||
	    (task == NULL && wjson_get_string(msg, "", "command", true, &command, &cause) != 0) ||
	    wjson_get_object(msg, "", "env", false, &env, &cause) != 0 ||
	    (env != NULL && executor_env_check(env, &cause) != 0))
		goto failed;
	if (task == NULL && *command == '\0') {
		cause = xstrdup("command: must not be empty");
		goto failed;
	}
	t->index = (int)index;
	t->slot = executor_slot_take(e, &cause);
	if (t->slot < 0)
		goto failed;
	t->dir = xstrdup(e->slots[t->slot].dir);
	t->cwd = xasprintf("%s/work", t->dir);
	t->stdout_path = xasprintf("%s/stdout", t->dir);
	t->stderr_path = xasprintf("%s/stderr", t->dir);

	if (task != NULL) {
		t->dataflow = true;
		if (executor_write_task(e, t, task, &cause) != 0)
			goto failed;
		argv[0] = e->self_path;
		argv[1] = "--run-task";
		argv[2] = t->dir;
		argv[3] = NULL;
	}
	envp = executor_task_env(e, t, env);
	memset(&spec, 0, sizeof spec);
	spec.command = command;
	if (task != NULL)
		spec.argv = argv;
	spec.env = envp;
	spec.cwd = t->cwd;
	spec.stdout_path = t->stdout_path;
	spec.stderr_path = t->stderr_path;
	t->proc = proc_spawn(&spec, executor_task_exit_cb, t, &cause);
	executor_env_free(envp);
	if (t->proc == NULL)
		goto failed;
	t->pid = proc_pid(t->proc);
	log_info("task %d (TID %" PRId64 ", attempt %d) started, pid %ld", t->index, t->task_id,
	         t->attempt, (long)t->pid);
	executor_send(e, executor_status(t, "RUNNING"));
	return;
failed:
	executor_send_failed(e, t, cause);
	free(cause);
	executor_task_free(t);
}

/* {"type":"kill"}: stop a task; it reports KILLED when it is gone. */
static void executor_kill(struct executor *e, struct json_object *msg)
{
	int64_t task_id, attempt;
	struct exec_task *t;
	char *cause = NULL;

	if (wjson_get_int(msg, "", "taskId", true, 0, INT64_MAX, &task_id, &cause) != 0 ||
	    wjson_get_int(msg, "", "attempt", true, 0, INT_MAX, &attempt, &cause) != 0) {
		log_warn("ignoring a bad kill message: %s", cause);
		free(cause);
		return;
	}
	t = executor_task_find(e, task_id, (int)attempt);
	if (t == NULL || t->proc == NULL) {
		log_debug("kill: task %" PRId64 " attempt %d is not running", task_id,
		          (int)attempt);
		return;
	}
	log_info("killing task %d (TID %" PRId64 ", attempt %d)", t->index, t->task_id, t->attempt);
	t->killing = true;
	proc_terminate(t->proc, EXECUTOR_TASK_GRACE_MS);
}

/* ------------------------------------------------------------------ */
/* The connection. */

/* A line from the driver. */
static void executor_message_cb(struct lineconn *c, struct json_object *msg, void *arg)
{
	struct executor *e = arg;
	const char *type = NULL, *reason = NULL;
	char *cause = NULL, *why;

	if (wjson_get_string(msg, "", "type", true, &type, &cause) != 0) {
		log_warn("ignoring a message from the driver: %s", cause);
		free(cause);
		return;
	}
	if (strcmp(type, "shutdown") == 0) {
		executor_finish(e, 0, "the driver said shutdown");
	} else if (strcmp(type, "rejected") == 0) {
		wjson_get_string(msg, "", "reason", false, &reason, NULL);
		why = xasprintf("the driver rejected this executor: %s",
		                reason != NULL ? reason : "no reason given");
		executor_finish(e, 1, why);
		free(why);
	} else if (strcmp(type, "registered") == 0) {
		if (!e->registered)
			log_info("registered with the driver at %s:%d", e->driver_host,
			         e->driver_port);
		e->registered = true;
	} else if (!e->registered) {
		why = xasprintf("the driver sent '%.32s' before registered", type);
		executor_finish(e, 1, why);
		free(why);
	} else if (strcmp(type, "launch") == 0) {
		if (!e->exiting)
			executor_launch(e, msg);
	} else if (strcmp(type, "kill") == 0) {
		executor_kill(e, msg);
	} else {
		log_warn("ignoring an unknown message '%.32s' from the driver", type);
	}
}

/* Retry dialling after the backoff. */
static void executor_retry_cb(evutil_socket_t fd, short events, void *arg)
{
	executor_connect(arg);
}

/* The connection is gone (or never came up). */
static void executor_close_cb(struct lineconn *c, const char *reason, void *arg)
{
	struct executor *e = arg;
	struct timeval tv;
	char *why;
	int ms;

	lineconn_free(c);
	if (e->conn == c)
		e->conn = NULL;
	if (e->exiting)
		return;
	if (e->registered) {
		why = xasprintf("lost the connection to the driver: %s", reason);
		executor_finish(e, 1, why);
		free(why);
		return;
	}
	if (e->connect_attempts >= EXECUTOR_CONNECT_ATTEMPTS) {
		why = xasprintf("cannot reach the driver at %s:%d after %d attempts: %s",
		                e->driver_host, e->driver_port, e->connect_attempts, reason);
		executor_finish(e, 1, why);
		free(why);
		return;
	}
	ms = EXECUTOR_CONNECT_BACKOFF_MS << (e->connect_attempts - 1);
	log_info("driver at %s:%d: %s; retrying in %d ms", e->driver_host, e->driver_port, reason,
	         ms);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(e->retry_timer, &tv);
}

/* Dial the driver and queue the register line. */
static void executor_connect(struct executor *e)
{
	struct json_object *msg;

	e->connect_attempts++;
	e->conn = lineconn_connect(e->base, e->driver_host, e->driver_port, WEFT_MAX_LINE,
	                           executor_message_cb, executor_close_cb, e);
	if (e->conn == NULL) {
		executor_finish(e, 1, "cannot create a connection");
		return;
	}
	msg = wjson_new_object();
	wjson_add_string(msg, "type", "register");
	wjson_add_string(msg, "executorId", e->id);
	wjson_add_string(msg, "secret", e->secret);
	wjson_add_string(msg, "host", e->host);
	wjson_add_string(msg, "nodeId", e->node_id);
	wjson_add_string(msg, "containerId", e->container_id);
	wjson_add_int(msg, "cores", e->cores);
	wjson_add_string(msg, "workDir", e->work_dir);
	wjson_add_int(msg, "pid", (int64_t)getpid());
	executor_send(e, msg);
}

/* ------------------------------------------------------------------ */
/* Leaving. */

/* Every task is gone (or the deadline passed): hand the exit code over. */
static void executor_leave_cb(evutil_socket_t fd, short events, void *arg)
{
	struct executor *e = arg;
	struct exec_task *t;

	if (e->exited)
		return;
	e->exited = true;
	TAILQ_FOREACH(t, &e->tasks, entry)
	{
		if (t->proc != NULL) {
			log_warn("task %" PRId64 " (pid %ld) outlived its grace: SIGKILL",
			         t->task_id, (long)t->pid);
			proc_signal(t->proc, SIGKILL);
		}
	}
	evtimer_del(e->exit_timer);
	e->cb(e->exit_code, e->arg);
}

/* Close the connection, terminate every task, exit when they are gone. */
static void executor_finish(struct executor *e, int exit_code, const char *why)
{
	struct timeval tv = {0, 0};
	struct exec_task *t;
	int grace;

	if (e->exiting)
		return;
	e->exiting = true;
	e->exit_code = exit_code;
	if (exit_code == 0)
		log_info("leaving: %s", why);
	else
		log_error("leaving: %s", why);
	evtimer_del(e->retry_timer);
	if (e->conn != NULL) {
		lineconn_free(e->conn);
		e->conn = NULL;
	}
	grace = exit_code == 0 ? EXECUTOR_TASK_GRACE_MS : EXECUTOR_STOP_GRACE_MS;
	TAILQ_FOREACH(t, &e->tasks, entry)
	{
		if (t->proc != NULL) {
			t->killing = true;
			proc_terminate(t->proc, grace);
		}
	}
	tv.tv_sec = (grace + 1000) / 1000;
	tv.tv_usec = ((grace + 1000) % 1000) * 1000;
	evtimer_add(e->exit_timer, &tv);
	executor_maybe_exit(e);
}

/* SIGTERM or SIGINT. */
void executor_stop(struct executor *e, int exit_code, const char *why)
{
	executor_finish(e, exit_code, why);
}

/* Set up and dial; see executor.h. */
struct executor *executor_new(struct event_base *base, const struct executor_config *cfg,
                              executor_exit_cb cb, void *arg)
{
	struct executor *e;

	e = xcalloc(1, sizeof *e);
	e->base = base;
	e->driver_host = xstrdup(cfg->driver_host);
	e->driver_port = cfg->driver_port;
	e->id = xstrdup(cfg->executor_id);
	e->cores = cfg->cores;
	e->secret = xstrdup(cfg->secret);
	e->host = xstrdup(cfg->host);
	e->node_id = xstrdup(cfg->node_id);
	e->container_id = xstrdup(cfg->container_id != NULL ? cfg->container_id : "");
	e->work_dir = xstrdup(cfg->work_dir);
	e->self_path = xstrdup(cfg->self_path != NULL ? cfg->self_path : "weft-executor");
	e->local_dirs =
	        xstrdup(cfg->local_dirs != NULL && *cfg->local_dirs != '\0' ? cfg->local_dirs
	                                                                    : cfg->work_dir);
	e->app_id = xstrdup(cfg->app_id != NULL ? cfg->app_id : "");
	/* Spark's rule of thumb: 60% of the heap for execution, shared by
	 * the tasks running at once. */
	e->task_budget = (size_t)(cfg->memory_mb > 0 ? cfg->memory_mb : 1024) * 1024 * 1024 / 10 *
	                 6 / (size_t)(cfg->cores > 0 ? cfg->cores : 1);
	if (e->task_budget < EXECUTOR_MIN_TASK_BUDGET)
		e->task_budget = EXECUTOR_MIN_TASK_BUDGET;
	e->cb = cb;
	e->arg = arg;
	TAILQ_INIT(&e->tasks);
	e->retry_timer = evtimer_new(base, executor_retry_cb, e);
	e->exit_timer = evtimer_new(base, executor_leave_cb, e);
	e->exit_event = event_new(base, -1, 0, executor_leave_cb, e);
	if (e->retry_timer == NULL || e->exit_timer == NULL || e->exit_event == NULL)
		fatalx("executor_new: event_new failed");
	log_info("executor %s (%d core%s) on %s, container %s, dialling the driver at %s:%d", e->id,
	         e->cores, e->cores == 1 ? "" : "s", e->host,
	         *e->container_id != '\0' ? e->container_id : "(none)", e->driver_host,
	         e->driver_port);
	executor_connect(e);
	return e;
}

/* Free everything (tasks still running are left to be reaped unseen). */
void executor_free(struct executor *e)
{
	struct exec_task *t;
	int i;

	if (e == NULL)
		return;
	while ((t = TAILQ_FIRST(&e->tasks)) != NULL) {
		if (t->proc != NULL)
			proc_detach(t->proc);
		executor_task_free(t);
	}
	for (i = 0; i < e->n_slots; i++) {
		executor_remove_tree(e->slots[i].dir);
		free(e->slots[i].dir);
	}
	free(e->slots);
	if (e->conn != NULL)
		lineconn_free(e->conn);
	event_free(e->retry_timer);
	event_free(e->exit_timer);
	event_free(e->exit_event);
	free(e->driver_host);
	free(e->id);
	free(e->secret);
	free(e->host);
	free(e->node_id);
	free(e->container_id);
	free(e->work_dir);
	free(e->self_path);
	free(e->local_dirs);
	free(e->app_id);
	free(e);
}
