/*
 * monitor.c — memory of each container's process tree, and the kill of
 * containers above their grant.
 *
 * The check runs from a timer: one readdir of /proc, two small reads per
 * process (stat for the parent and group, statm for the resident pages),
 * then a sum per running container.  Reading /proc is fast and local, so
 * it stays on the loop.  Cgroups would account memory more exactly (page
 * cache, short-lived peaks); this is what YARN's ProcfsBasedProcessTree
 * does without them.
 */
#include "weft_config.h"

#include "nm/monitor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "nm/container_manager.h"
#include "weft/protocol.h"

/* Deepest parent chain followed (a loop in a fake tree must end). */
#define MONITOR_MAX_DEPTH 4096

struct monitor {
	struct nm_context *ctx;
	struct event *timer;
	bool enabled;
	long page_size;
};

/* The timer: check, then again after the interval. */
static void monitor_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	monitor_check(arg);
}

/* Start the periodic check. */
struct monitor *monitor_new(struct nm_context *ctx)
{
	struct monitor *m = xcalloc(1, sizeof *m);
	int64_t interval = config_get_int(ctx->cfg, "nm.container-monitor.interval-ms");
	struct timeval tv;

	m->ctx = ctx;
	m->enabled = config_get_bool(ctx->cfg, "nm.pmem-check-enabled");
	m->page_size = sysconf(_SC_PAGESIZE);
	if (m->page_size <= 0)
		m->page_size = 4096;
	m->timer = event_new(ctx->base, -1, EV_PERSIST, monitor_timer_cb, m);
	if (m->timer == NULL)
		fatalx("monitor_new: event_new failed");
	tv.tv_sec = (time_t)(interval / 1000);
	tv.tv_usec = (suseconds_t)((interval % 1000) * 1000);
	if (m->enabled)
		evtimer_add(m->timer, &tv);
	else
		log_info("physical memory check disabled (nm.pmem-check-enabled = false)");
	return m;
}

void monitor_free(struct monitor *m)
{
	if (m == NULL)
		return;
	event_free(m->timer);
	free(m);
}

/* "pid (comm) S ppid pgrp ...": comm may hold spaces and ')' itself, so
 * the fields start after the last ')'. */
int monitor_parse_stat(const char *text, pid_t *ppid, pid_t *pgrp)
{
	const char *close = strrchr(text, ')');
	char state;
	long parent, group;

	if (close == NULL || sscanf(close + 1, " %c %ld %ld", &state, &parent, &group) != 3 ||
	    parent < 0 || group < 0)
		return -1;
	*ppid = (pid_t)parent;
	*pgrp = (pid_t)group;
	return 0;
}

/* "size resident shared ..." in pages. */
int monitor_parse_statm(const char *text, long page_size, int64_t *rss_bytes)
{
	long long size, resident;

	if (sscanf(text, "%lld %lld", &size, &resident) != 2 || resident < 0)
		return -1;
	*rss_bytes = (int64_t)resident * page_size;
	return 0;
}

/* Read a small /proc file into buf (NUL-terminated).  RET 0 / -1. */
static int monitor_read(int dfd, const char *name, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1)
		return -1;
	do
		n = read(fd, buf, size - 1);
	while (n == -1 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* Order by pid for bsearch. */
static int monitor_pid_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct monitor_process *)a)->pid;
	pid_t y = ((const struct monitor_process *)b)->pid;

	return x < y ? -1 : x > y;
}

/* Snapshot every process under proc_root. */
int monitor_scan(const char *proc_root, long page_size, struct monitor_table *out)
{
	struct monitor_process p, *procs = NULL;
	struct dirent *entry;
	size_t n = 0, cap = 0;
	char buf[1024], *end;
	int root, dfd;
	DIR *dir;
	long pid;

	out->procs = NULL;
	out->n = 0;
	root = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root == -1)
		return -1;
	dir = fdopendir(root);
	if (dir == NULL) {
		close(root);
		return -1;
	}
	while ((entry = readdir(dir)) != NULL) {
		errno = 0;
		pid = strtol(entry->d_name, &end, 10);
		if (entry->d_name[0] < '0' || entry->d_name[0] > '9' || *end != '\0' ||
		    errno != 0 || pid <= 0)
			continue;
		dfd = openat(root, entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd == -1)
			continue; /* gone meanwhile */
		memset(&p, 0, sizeof p);
		p.pid = (pid_t)pid;
		if (monitor_read(dfd, "stat", buf, sizeof buf) != 0 ||
		    monitor_parse_stat(buf, &p.ppid, &p.pgrp) != 0 ||
		    monitor_read(dfd, "statm", buf, sizeof buf) != 0 ||
		    monitor_parse_statm(buf, page_size, &p.rss_bytes) != 0) {
			close(dfd);
			continue;
		}
		close(dfd);
		if (n == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			procs = xreallocarray(procs, cap, sizeof *procs);
		}
		procs[n++] = p;
	}
	closedir(dir);
	if (n > 1)
		qsort(procs, n, sizeof *procs, monitor_pid_cmp);
	out->procs = procs;
	out->n = n;
	return 0;
}

void monitor_table_free(struct monitor_table *t)
{
	free(t->procs);
	t->procs = NULL;
	t->n = 0;
}

/* A process of the table by pid. */
static const struct monitor_process *monitor_find(const struct monitor_table *t, pid_t pid)
{
	struct monitor_process key;

	key.pid = pid;
	return bsearch(&key, t->procs, t->n, sizeof *t->procs, monitor_pid_cmp);
}

/* Whether p descends from leader (following parents, bounded). */
static bool monitor_descends(const struct monitor_table *t, const struct monitor_process *p,
                             pid_t leader)
{
	int depth;

	for (depth = 0; p != NULL && depth < MONITOR_MAX_DEPTH; depth++) {
		if (p->pid == leader)
			return true;
		if (p->ppid <= 1 || p->ppid == p->pid)
			return false;
		p = monitor_find(t, p->ppid);
	}
	return false;
}

/* Sum over the leader's tree and process group. */
int64_t monitor_tree_rss(const struct monitor_table *t, pid_t leader)
{
	int64_t sum = 0;
	size_t i;

	if (leader <= 0)
		return 0;
	for (i = 0; i < t->n; i++) {
		const struct monitor_process *p = &t->procs[i];

		if (p->pgrp == leader || monitor_descends(t, p, leader))
			sum += p->rss_bytes;
	}
	return sum;
}

/* YARN's message for a container killed over its memory. */
char *monitor_pmem_diagnostics(pid_t pid, const char *container_id, int64_t used_bytes,
                               int64_t limit_bytes)
{
	return xasprintf("Container [pid=%ld,containerID=%s] is running beyond physical memory "
	                 "limits. Current usage: %" PRId64 " MB of %" PRId64
	                 " MB physical memory used. Killing container.",
	                 (long)pid, container_id, used_bytes / (1024 * 1024),
	                 limit_bytes / (1024 * 1024));
}

/* One check of every running container. */
void monitor_check(struct monitor *m)
{
	struct container_manager *cm = m->ctx->containers;
	struct monitor_table table;
	size_t i;

	if (!m->enabled || cm == NULL || container_manager_live_count(cm) == 0)
		return;
	if (monitor_scan("/proc", m->page_size, &table) != 0) {
		log_warn("cannot read /proc: %s", strerror(errno));
		return;
	}
	for (i = 0; i < container_manager_count(cm); i++) {
		struct container *c = container_manager_at(cm, i);
		pid_t pid = container_pid(c);
		int64_t used, limit;
		char *diagnostics;

		if (pid <= 0 || container_get_state(c) != CONTAINER_RUNNING)
			continue;
		used = monitor_tree_rss(&table, pid);
		limit = container_resource(c).memory_mb * 1024 * 1024;
		log_debug("container %s: %" PRId64 " MB of %" PRId64 " MB", container_id(c),
		          used / (1024 * 1024), limit / (1024 * 1024));
		if (limit <= 0 || used <= limit)
			continue;
		diagnostics = monitor_pmem_diagnostics(pid, container_id(c), used, limit);
		log_warn("%s", diagnostics);
		container_manager_stop(cm, c, WEFT_EXIT_KILLED_EXCEEDED_PMEM, diagnostics);
		free(diagnostics);
	}
	monitor_table_free(&table);
}
