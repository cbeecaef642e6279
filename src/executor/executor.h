/*
 * executor.h — weft-executor's one job: hold a connection to the driver
 * and run the tasks it pushes as child processes (weft/protocol.h,
 * weft-executor(8)).
 */
#ifndef WEFT_EXECUTOR_H
#define WEFT_EXECUTOR_H

#include <event2/event.h>
#include <stdint.h>

struct executor;

struct executor_config {
	const char *driver_host;
	int driver_port;
	const char *executor_id;
	int cores;
	const char *secret;       /* WEFT_APP_SECRET */
	const char *host;         /* this host as the driver should know it */
	const char *node_id;      /* the NM's host:port, or host */
	const char *container_id; /* CONTAINER_ID, or "" */
	const char *work_dir;     /* tasks get directories under it */
	const char *self_path;    /* this program (dataflow tasks run it) */
	const char *local_dirs;   /* LOCAL_DIRS: map outputs, blocks; NULL = work_dir */
	const char *app_id;       /* APPLICATION_ID, or NULL */
	int64_t memory_mb;        /* the container's memory; 0 = unknown */
};

/* The executor is done: exit with exit_code (from the loop). */
typedef void (*executor_exit_cb)(int exit_code, void *arg);

/* Dial the driver (retrying a few times) and register.  proc_init(base)
 * must have been called. */
struct executor *executor_new(struct event_base *base, const struct executor_config *cfg,
                              executor_exit_cb cb, void *arg);
/* Stop every task and leave with exit_code (SIGTERM from the NM). */
void executor_stop(struct executor *e, int exit_code, const char *why);
/* Free what is left (after the exit callback). */
void executor_free(struct executor *e);

#endif
