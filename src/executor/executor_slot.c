/*
 * executor_slot.c — the task slots' filesystem (executor_slot.h).
 *
 * Owns the slot directories: which are busy, which exist and are clean.
 * Reusing a slot saves the directory and file creations and removals of
 * every task, which cost more than the task itself for short tasks on a
 * journaling filesystem; only what a task left is removed.
 */
#include "weft_config.h"

#include "executor/executor_slot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/xmalloc.h"

struct executor_slot {
	char *dir;
	bool busy;
	bool made; /* dir/work exists and is clean */
};

struct executor_slots {
	char *work_dir;
	struct executor_slot *slots;
	int n;
};

/* nftw: remove one entry, children first. */
static int executor_slot_remove_entry(const char *path, const struct stat *st, int type,
                                      struct FTW *ftw)
{
	if (remove(path) != 0 && errno != ENOENT)
		log_debug("remove %s: %s", path, strerror(errno));
	return 0;
}

/* Remove a directory and everything in it. */
static void executor_slot_remove_tree(const char *dir)
{
	if (nftw(dir, executor_slot_remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
		log_warn("removing %s: %s", dir, strerror(errno));
}

/* Remove everything inside dir (not dir itself). */
static void executor_slot_empty_dir(const char *dir)
{
	struct dirent *de;
	char *path;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		executor_slot_remove_tree(path);
		free(path);
	}
	closedir(d);
}

/* Empty a file if it is not (a missing file is fine). */
static bool executor_slot_truncate(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno == ENOENT;
	return st.st_size == 0 || truncate(path, 0) == 0;
}

struct executor_slots *executor_slots_new(const char *work_dir)
{
	struct executor_slots *slots = xcalloc(1, sizeof *slots);

	slots->work_dir = xstrdup(work_dir);
	return slots;
}

void executor_slots_free(struct executor_slots *slots)
{
	int i;

	if (slots == NULL)
		return;
	for (i = 0; i < slots->n; i++) {
		executor_slot_remove_tree(slots->slots[i].dir);
		free(slots->slots[i].dir);
	}
	free(slots->slots);
	free(slots->work_dir);
	free(slots);
}

int executor_slots_take(struct executor_slots *slots, char **cause)
{
	struct executor_slot *slot;
	char *work;
	int k;

	for (k = 0; k < slots->n; k++)
		if (!slots->slots[k].busy)
			break;
	if (k == slots->n) {
		slots->slots =
		        xreallocarray(slots->slots, (size_t)slots->n + 1, sizeof *slots->slots);
		memset(&slots->slots[k], 0, sizeof slots->slots[k]);
		slots->slots[k].dir = xasprintf("%s/slot_%d", slots->work_dir, k);
		slots->n++;
	}
	slot = &slots->slots[k];
	if (!slot->made) {
		executor_slot_remove_tree(slot->dir); /* a leftover of an earlier run */
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

void executor_slots_give_back(struct executor_slots *slots, int k)
{
	struct executor_slot *slot = &slots->slots[k];
	static const char *const files[] = {"task.json", "result.json"};
	char *path;
	size_t i;

	path = xasprintf("%s/work", slot->dir);
	executor_slot_empty_dir(path);
	free(path);
	path = xasprintf("%s/stdout", slot->dir);
	if (!executor_slot_truncate(path))
		slot->made = false; /* start it afresh */
	free(path);
	path = xasprintf("%s/stderr", slot->dir);
	if (!executor_slot_truncate(path))
		slot->made = false;
	free(path);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		path = xasprintf("%s/%s", slot->dir, files[i]);
		unlink(path);
		free(path);
	}
	slot->busy = false;
}

const char *executor_slots_dir(const struct executor_slots *slots, int k)
{
	return slots->slots[k].dir;
}

int executor_slot_write_task(const char *dir, const struct proto_task_spec *spec, char **cause)
{
	struct json_object *obj = proto_task_spec_encode(spec, PROTO_TASK_SPEC_FILE);
	const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	char *path = xasprintf("%s/task.json", dir);
	size_t len = strlen(text);
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		rc = set_cause(cause, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(path);
	json_object_put(obj);
	return rc;
}
