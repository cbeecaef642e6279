/*
 * user_groups.c — a user's groups from getpwnam_r + getgrouplist +
 * getgrgid_r, cached per user (see user_groups.h).
 */
#include "weft_config.h"

#include "rm/user_groups.h"

#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/xmalloc.h"
#include "rm/strmap.h"

#define USER_GROUPS_MAX        256
#define USER_GROUPS_MAX_CACHED 10000

struct user_groups_entry {
	int64_t expires_ms;
	char **names;
	int n;
};

struct user_groups {
	int64_t cache_ms;
	struct strmap *cache;
};

static void user_groups_entry_free(struct user_groups_entry *e)
{
	for (int i = 0; i < e->n; i++)
		free(e->names[i]);
	free(e->names);
	free(e);
}

static void user_groups_free_cb(const char *key, void *value, void *arg)
{
	(void)key;
	(void)arg;
	user_groups_entry_free(value);
}

struct user_groups *user_groups_new(int64_t cache_ms)
{
	struct user_groups *ug = xcalloc(1, sizeof *ug);

	ug->cache_ms = cache_ms;
	ug->cache = strmap_new();
	return ug;
}

void user_groups_free(struct user_groups *ug)
{
	if (ug == NULL)
		return;
	strmap_foreach(ug->cache, user_groups_free_cb, NULL);
	strmap_free(ug->cache);
	free(ug);
}

/* Ask the name service. */
static struct user_groups_entry *user_groups_lookup(const char *user)
{
	struct user_groups_entry *e = xcalloc(1, sizeof *e);
	struct passwd pw, *pwp = NULL;
	gid_t gids[USER_GROUPS_MAX];
	int n = USER_GROUPS_MAX;
	long size = sysconf(_SC_GETPW_R_SIZE_MAX);
	char *buf;

	if (size < 16384)
		size = 16384;
	buf = xmalloc((size_t)size);
	if (getpwnam_r(user, &pw, buf, (size_t)size, &pwp) != 0 || pwp == NULL) {
		free(buf);
		return e;
	}
	if (getgrouplist(user, pw.pw_gid, gids, &n) < 0)
		n = USER_GROUPS_MAX;
	e->names = xcalloc(n > 0 ? n : 1, sizeof *e->names);
	for (int i = 0; i < n; i++) {
		struct group gr, *grp = NULL;

		if (getgrgid_r(gids[i], &gr, buf, (size_t)size, &grp) == 0 && grp != NULL)
			e->names[e->n++] = xstrdup(grp->gr_name);
	}
	free(buf);
	return e;
}

int user_groups_get(struct user_groups *ug, const char *user, const char *const **groups)
{
	struct user_groups_entry *e = strmap_get(ug->cache, user);
	int64_t now = time_mono_ms();

	if (e != NULL && e->expires_ms <= now) {
		strmap_remove(ug->cache, user);
		user_groups_entry_free(e);
		e = NULL;
	}
	if (e == NULL) {
		if (strmap_count(ug->cache) >= USER_GROUPS_MAX_CACHED) {
			strmap_foreach(ug->cache, user_groups_free_cb, NULL);
			strmap_free(ug->cache);
			ug->cache = strmap_new();
		}
		e = user_groups_lookup(user);
		e->expires_ms = now + ug->cache_ms;
		strmap_put(ug->cache, user, e);
	}
	*groups = (const char *const *)e->names;
	return e->n;
}
