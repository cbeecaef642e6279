/*
 * output_commit.c — staging, committing and aborting a save
 * (output_commit.h).
 *
 * These are a handful of metadata operations on the shared filesystem,
 * done by the driver at the start and end of a save job.
 */
#include "weft_config.h"

#include "driver/output_commit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/security.h"
#include "common/xmalloc.h"

/* "<parent>/.<name>.weft-<random><suffix>" for path. */
static char *output_commit_sibling(const char *path, const char *suffix)
{
	const char *slash = strrchr(path, '/');
	char *random = security_random_hex(6), *out;

	if (slash == NULL)
		out = xasprintf(".%s.weft-%s%s", path, random, suffix);
	else
		out = xasprintf("%.*s/.%s.weft-%s%s", (int)(slash - path), path, slash + 1, random,
		                suffix);
	free(random);
	return out;
}

char *output_commit_begin(const char *path, char **cause)
{
	char *staging = output_commit_sibling(path, ".tmp");

	if (mkdir(staging, 0755) != 0) {
		set_cause(cause, "%s: %s", staging, strerror(errno));
		free(staging);
		return NULL;
	}
	return staging;
}

/* nftw: remove one entry, children first. */
static int output_commit_remove_entry(const char *p, const struct stat *st, int type,
                                      struct FTW *ftw)
{
	if (remove(p) != 0 && errno != ENOENT)
		log_warn("remove %s: %s", p, strerror(errno));
	return 0;
}

void output_commit_abort(const char *staging)
{
	if (staging == NULL)
		return;
	if (nftw(staging, output_commit_remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 &&
	    errno != ENOENT)
		log_warn("removing %s: %s", staging, strerror(errno));
}

/* Remove the hidden leftovers of failed or killed attempts. */
static void output_commit_clean(const char *staging)
{
	struct dirent *de;
	char *p;
	DIR *d = opendir(staging);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.' || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", staging, de->d_name);
		unlink(p);
		free(p);
	}
	closedir(d);
}

int output_commit_finish(const char *staging, const char *path, bool overwrite, char **cause)
{
	char *success = xasprintf("%s/_SUCCESS", staging), *old = NULL;
	int fd, rc = -1;

	output_commit_clean(staging);
	fd = open(success, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		set_cause(cause, "%s: %s", success, strerror(errno));
		goto out;
	}
	close(fd);
	if (access(path, F_OK) == 0) {
		if (!overwrite) {
			set_cause(cause, "%s appeared while the job ran: not replacing it", path);
			goto out;
		}
		old = output_commit_sibling(path, ".old");
		if (rename(path, old) != 0) {
			set_cause(cause, "moving the old %s aside: %s", path, strerror(errno));
			free(old);
			old = NULL;
			goto out;
		}
	}
	if (rename(staging, path) != 0) {
		set_cause(cause, "rename %s to %s: %s", staging, path, strerror(errno));
		if (old != NULL && rename(old, path) != 0)
			log_error("could not put %s back at %s: %s", old, path, strerror(errno));
		goto out;
	}
	if (old != NULL)
		output_commit_abort(old);
	rc = 0;
out:
	free(old);
	free(success);
	return rc;
}
