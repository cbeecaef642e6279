/*
 * monitor.h — the container resource monitor: every
 * nm.container-monitor.interval-ms, the resident memory of each running
 * container's process tree, and (nm.pmem-check-enabled) the kill of a
 * container above its granted memory with exit status -104 and YARN's
 * diagnostic.
 *
 * One pass over /proc builds a table of every process (pid, parent,
 * process group, RSS); a container's usage is the sum over its leader,
 * the leader's descendants and any other member of its process group (a
 * daemonized grandchild is re-parented to init but stays in the group).
 * The /proc root is a parameter so tests can feed a fake tree.
 */
#ifndef WEFT_NM_MONITOR_H
#define WEFT_NM_MONITOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nm/nm.h"

struct monitor;

struct monitor_process {
	pid_t pid;
	pid_t ppid;
	pid_t pgrp;
	int64_t rss_bytes;
};

/* A snapshot of every process, sorted by pid. */
struct monitor_table {
	struct monitor_process *procs;
	size_t n;
};

/* Start the periodic check (uses ctx->containers). */
struct monitor *monitor_new(struct nm_context *ctx);
void monitor_free(struct monitor *m);
/* Run one check now (tests). */
void monitor_check(struct monitor *m);

/* Parse the text of /proc/<pid>/stat.  RET 0 with *ppid, *pgrp, or -1. */
int monitor_parse_stat(const char *text, pid_t *ppid, pid_t *pgrp);
/* Parse /proc/<pid>/statm: resident pages times page_size.  RET 0 / -1. */
int monitor_parse_statm(const char *text, long page_size, int64_t *rss_bytes);
/* Read every <proc_root>/<pid>/{stat,statm}; processes that vanish
 * meanwhile are skipped.  RET 0 / -1 when proc_root cannot be read. */
int monitor_scan(const char *proc_root, long page_size, struct monitor_table *out);
void monitor_table_free(struct monitor_table *t);
/* Resident bytes of leader's tree and process group. */
int64_t monitor_tree_rss(const struct monitor_table *t, pid_t leader);
/* YARN's "is running beyond physical memory limits" text (caller frees). */
char *monitor_pmem_diagnostics(pid_t pid, const char *container_id, int64_t used_bytes,
                               int64_t limit_bytes);

#endif
