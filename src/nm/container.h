/*
 * container.h — one container on this node: its record, its state machine
 * and its life (localize, launch, exit, kill).
 *
 * States (YARN's NM container states, reduced):
 *
 *   NEW ─▶ LOCALIZING ─▶ RUNNING ─▶ EXITED_WITH_SUCCESS ─┐
 *    │         │            │  └──▶ EXITED_WITH_FAILURE ─┤
 *    │         ├────────────┼──────▶ (failed to localize │
 *    │         │            │         or to launch)      ├─▶ DONE
 *    │         └──▶ KILLING ◀┘ ─▶ KILLED ────────────────┘
 *    └─────────────────────────────▶ KILLED
 *
 * The RM and AMs see RUNNING (NEW, LOCALIZING, RUNNING, KILLING) or
 * COMPLETE (the rest) with an exit status: the process's exit code, 128 +
 * signal, or one of YARN's special statuses (protocol.h).
 */
#ifndef WEFT_NM_CONTAINER_H
#define WEFT_NM_CONTAINER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "nm/launch_context.h"
#include "nm/nm.h"
#include "weft/ids.h"
#include "weft/resource.h"

enum container_state {
	CONTAINER_NEW,
	CONTAINER_LOCALIZING,
	CONTAINER_RUNNING,
	CONTAINER_EXITED_WITH_SUCCESS,
	CONTAINER_EXITED_WITH_FAILURE,
	CONTAINER_KILLING,
	CONTAINER_KILLED,
	CONTAINER_DONE,
	CONTAINER_STATE_COUNT
};

struct container;

/* Runs once, when the container reaches DONE (possibly from inside
 * container_kill()); it must not free the container. */
typedef void (*container_done_cb)(struct container *c, void *arg);

/* What a container is made of (from its verified token). */
struct container_spec {
	const char *id;   /* a valid container id */
	const char *user; /* a valid user name */
	weft_resource_t resource;
	const char *token; /* the token it was started with, or NULL */
};

/* "LOCALIZING", ... */
const char *container_state_name(enum container_state state);
/* Whether the table allows from -> to. */
bool container_transition_allowed(enum container_state from, enum container_state to);
/* Whether a state is reported as COMPLETE. */
bool container_state_is_complete(enum container_state state);

/*
 * A new container in state NEW.  ctx may be NULL for a record that will
 * never run (tests of the state machine); lc is taken over (may be NULL
 * then too).  RET NULL when spec->id is not a container id.
 */
struct container *container_new(struct nm_context *ctx, const struct container_spec *spec,
                                struct weft_launch_context *lc, container_done_cb done, void *arg);
/* Free the record; a process still running is detached, not killed. */
void container_free(struct container *c);

/* Move to a new state if the table allows it (logged either way).
 * RET 0, or -1 and no change for an illegal transition. */
int container_set_state(struct container *c, enum container_state to);

/* NEW -> LOCALIZING, then (from the loop) create its directories, fetch
 * its files and start it. */
void container_launch(struct container *c);
/*
 * Stop the container, reporting exit_status and diagnostics once it is
 * gone: a NEW or LOCALIZING one completes at once, a RUNNING one gets
 * SIGTERM then SIGKILL; a complete or already killing one is left alone.
 * RET true when the container is complete on return.
 */
bool container_kill(struct container *c, int exit_status, const char *diagnostics);

/* Accessors. */
const char *container_id(const struct container *c);
const char *container_app_id(const struct container *c);
const char *container_user(const struct container *c);
const char *container_token(const struct container *c);
weft_resource_t container_resource(const struct container *c);
enum container_state container_get_state(const struct container *c);
bool container_is_complete(const struct container *c);
int container_exit_status(const struct container *c); /* -1000 until complete */
const char *container_diagnostics(const struct container *c);
const char *container_work_dir(const struct container *c); /* NULL without ctx */
const char *container_log_dir(const struct container *c);
pid_t container_pid(const struct container *c); /* 0 when no process runs */
int64_t container_start_time(const struct container *c);
int64_t container_finish_time(const struct container *c); /* 0 while running */
/* The RM acknowledged the completed container (no longer reported). */
bool container_is_acked(const struct container *c);
void container_set_acked(struct container *c);
/* Append a line to the diagnostics. */
void container_add_diagnostics(struct container *c, const char *text);

/* {"containerId","state":"RUNNING"|"COMPLETE","exitStatus","diagnostics"} */
struct json_object *container_status_json(const struct container *c);

#endif
