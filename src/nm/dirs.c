/*
 * dirs.c — careful directory creation and removal for the node manager.
 *
 * Containers run as the NM's user and can write anywhere in their own
 * directories, including planting symlinks.  Everything the NM creates or
 * deletes below its local and log dirs therefore goes through openat() /
 * mkdirat() / unlinkat() relative to directory descriptors opened with
 * O_NOFOLLOW, so no path a container controls can send us elsewhere.
 */
#include "weft_config.h"

#include "nm/dirs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/proto_container.h"
#include "common/xmalloc.h"

/* A name a client may choose for a file we create or serve. */
bool dirs_is_plain_name(const char *name)
{
	return name != NULL && proto_container_plain_name(name);
}

/* mkdir one path, accepting an existing directory. */
static int dirs_make_one(const char *path, mode_t mode, char **cause)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return set_cause(cause, "%s: %s", path, strerror(errno));
	if (stat(path, &st) != 0)
		return set_cause(cause, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return set_cause(cause, "%s: %s", path, strerror(ENOTDIR));
	return 0;
}

/* mkdir -p for administrator-given paths. */
int dirs_make_path(const char *path, mode_t mode, char **cause)
{
	char *copy, *slash;
	int rc = 0;

	if (path == NULL || *path == '\0')
		return set_cause(cause, "empty directory path");
	copy = xstrdup(path);
	for (slash = strchr(copy + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (slash[-1] != '/')
			rc = dirs_make_one(copy, mode, cause);
		*slash = '/';
		if (rc != 0)
			break;
	}
	if (rc == 0)
		rc = dirs_make_one(copy, mode, cause);
	free(copy);
	return rc;
}

/* Create base/rel without following a symlink anywhere below base. */
int dirs_make_below(const char *base, const char *rel, mode_t mode, char **cause)
{
	char *copy, *component, *save = NULL;
	int fd, next, rc = 0;
	size_t done_len;

	fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return set_cause(cause, "%s: %s", base, strerror(errno));
	copy = xstrdup(rel);
	for (component = strtok_r(copy, "/", &save); component != NULL;
	     component = strtok_r(NULL, "/", &save)) {
		done_len = (size_t)(component - copy) + strlen(component);
		if (strcmp(component, ".") == 0 || strcmp(component, "..") == 0) {
			rc = set_cause(cause, "%s/%.*s: bad path component", base, (int)done_len,
			               rel);
			break;
		}
		if (mkdirat(fd, component, mode) != 0 && errno != EEXIST) {
			rc = set_cause(cause, "%s/%.*s: %s", base, (int)done_len, rel,
			               strerror(errno));
			break;
		}
		next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next == -1) {
			int err = errno;
			struct stat st;

			/* With O_DIRECTORY a symlink fails as ENOTDIR, not ELOOP. */
			bool link = err == ELOOP ||
			            (fstatat(fd, component, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			             S_ISLNK(st.st_mode));
			rc = set_cause(cause, "%s/%.*s: %s", base, (int)done_len, rel,
			               link ? "is a symlink" : strerror(err));
			break;
		}
		close(fd);
		fd = next;
	}
	close(fd);
	free(copy);
	return rc;
}

/* Remember the first failure of a removal (later ones add nothing). */
static void dirs_note_failure(char **cause, int *failed, const char *what, const char *name,
                              int err)
{
	if (*failed == 0)
		set_cause(cause, "%s/%s: %s", what, name, strerror(err));
	*failed = 1;
}

static void dirs_remove_contents(int dfd, const char *what, int depth, char **cause, int *failed);

/* Remove one entry of the directory dfd (what names it for messages). */
static void dirs_remove_entry(int dfd, const char *what, const char *name, int depth, char **cause,
                              int *failed)
{
	struct stat st;
	char *child_what;
	int child;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT)
			dirs_note_failure(cause, failed, what, name, errno);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dfd, name, 0) != 0 && errno != ENOENT)
			dirs_note_failure(cause, failed, what, name, errno);
		return;
	}
	if (depth >= DIRS_REMOVE_MAX_DEPTH) {
		dirs_note_failure(cause, failed, what, name, ELOOP);
		return;
	}
	/* A container may have taken away our own rights on its dirs. */
	if ((st.st_mode & S_IRWXU) != S_IRWXU)
		(void)fchmodat(dfd, name, S_IRWXU, 0);
	child = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (child == -1) {
		dirs_note_failure(cause, failed, what, name, errno);
		return;
	}
	child_what = xasprintf("%s/%s", what, name);
	dirs_remove_contents(child, child_what, depth + 1, cause, failed);
	free(child_what);
	close(child);
	if (unlinkat(dfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
		dirs_note_failure(cause, failed, what, name, errno);
}

/* Empty the directory dfd (not closed here). */
static void dirs_remove_contents(int dfd, const char *what, int depth, char **cause, int *failed)
{
	struct dirent *entry;
	DIR *dir;
	int copy, pass, removed;

	/* Removing entries while reading a directory may hide some from
	 * readdir(); read it again until a pass finds nothing. */
	for (pass = 0; pass < 8; pass++) {
		copy = dup(dfd);
		if (copy == -1 || (dir = fdopendir(copy)) == NULL) {
			if (copy != -1)
				close(copy);
			dirs_note_failure(cause, failed, what, ".", errno);
			return;
		}
		rewinddir(dir);
		removed = 0;
		while ((entry = readdir(dir)) != NULL) {
			if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
				continue;
			dirs_remove_entry(dfd, what, entry->d_name, depth, cause, failed);
			removed++;
		}
		closedir(dir);
		if (removed == 0 || *failed)
			return;
	}
}

/* rm -rf that never follows a symlink. */
int dirs_remove_tree(const char *path, char **cause)
{
	struct stat st;
	int fd, failed = 0;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		return set_cause(cause, "%s: %s", path, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) != 0 && errno != ENOENT)
			return set_cause(cause, "%s: %s", path, strerror(errno));
		return 0;
	}
	if ((st.st_mode & S_IRWXU) != S_IRWXU)
		(void)chmod(path, S_IRWXU);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return set_cause(cause, "%s: %s", path, strerror(errno));
	dirs_remove_contents(fd, path, 0, cause, &failed);
	close(fd);
	if (failed)
		return -1;
	if (rmdir(path) != 0 && errno != ENOENT)
		return set_cause(cause, "%s: %s", path, strerror(errno));
	return 0;
}
