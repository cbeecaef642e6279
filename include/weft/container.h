/*
 * weft/container.h — the container records of libweft's public API
 * (libweft(3)): what an application master asks for, is granted, is told
 * of, and hands to a NodeManager.  YARN's ContainerRequest, Container,
 * PreemptionContainer, ContainerStatus and ContainerLaunchContext.
 *
 * These are the very structs weft's own programs send and receive: the
 * RM, the NMs, weft-am and weft-sls encode and decode them, so what a
 * client sees is what travels.  A record a client hands to a callback
 * points into the answer it came in and is valid during the callback
 * only; copy what you keep.  A launch context owns its strings: the
 * weft_launch_context_add_* helpers copy them, weft_launch_context_clear
 * frees them.
 */
#ifndef WEFT_CONTAINER_H
#define WEFT_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>

#include "weft/resource.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A request for containers (an ask).  The RM holds one count per
 * priority: the number of containers still wanted there, each of
 * capability, preferably on nodes or racks (with relax_locality false:
 * only there).  A grant lowers the count by one.
 */
struct weft_container_request {
	int32_t priority;           /* 0..INT32_MAX */
	int32_t count;              /* containers, 0..INT32_MAX */
	weft_resource_t capability; /* of each container */
	const char *const *nodes;   /* node ids or host names; may be NULL */
	int n_nodes;
	const char *const *racks; /* rack names; may be NULL */
	int n_racks;
	bool relax_locality; /* wait a while for those nodes and racks, then take any */
};

/* A container granted to the application. */
struct weft_container {
	const char *container_id;      /* container_<ts>_<app>_<attempt>_<n> (weft/ids.h) */
	const char *node_id;           /* the node, host:port */
	const char *node_http_address; /* its NodeManager's container API, host:port */
	int32_t priority;              /* of the request it answers */
	weft_resource_t resource;      /* what it may use */
	const char *token;             /* authorizes starting, stopping and asking of it */
};

/* A container the scheduler wants back for another queue; the
 * application may release it (or save its work) until kill_at_ms, when
 * the RM kills it (exit status WEFT_EXIT_PREEMPTED, weft/protocol.h). */
struct weft_preemption_request {
	const char *container_id;
	int64_t kill_at_ms; /* wall clock, milliseconds since the epoch */
};

/* YARN's ContainerState. */
enum weft_container_state {
	WEFT_CONTAINER_NEW,
	WEFT_CONTAINER_RUNNING,
	WEFT_CONTAINER_COMPLETE,
};

/*
 * A container's status: what a NodeManager reports of it, and what the
 * RM tells the application of a container that completed.
 */
struct weft_container_status {
	const char *container_id;
	enum weft_container_state state;
	/* YARN's ContainerExitStatus: the process's exit code, or one of
	 * weft/protocol.h's WEFT_EXIT_* (WEFT_EXIT_INVALID before it
	 * completed). */
	int32_t exit_status;
	const char *diagnostics; /* why it ended; "" when nothing is said (NULL sends "") */
};

/* "NEW", "RUNNING" or "COMPLETE"; NULL for a value outside the enum. */
const char *weft_container_state_name(enum weft_container_state state);
/* RET 0 and *state, or -1 when name is not one of those names. */
int weft_container_state_parse(const char *name, enum weft_container_state *state);

/* ------------------------------------------------------------------ */
/* What a NodeManager runs in a container (weft_nm_client_start). */

struct weft_env_var {
	char *name; /* [A-Za-z_][A-Za-z0-9_]* */
	char *value;
};

/* A file the NodeManager fetches into the container's working
 * directory before it runs the commands. */
struct weft_local_resource {
	char *name; /* a plain file name: no '/', not starting with '.' */
	char *url;  /* http://, https://, file:///path, or "/ws/v1/staging/..." (the RM's) */
	bool executable;
};

struct weft_launch_context {
	/* Run by /bin/sh -c, joined with " && ", in the working directory;
	 * $WEFT_LIBEXEC_DIR names where the node keeps weft's programs. */
	char **commands;
	int n_commands;
	struct weft_env_var *env; /* in the order given; a later name wins */
	int n_env;
	struct weft_local_resource *resources; /* names unique */
	int n_resources;
};

/* Append copies.  A launch context starts zeroed ({0}). */
void weft_launch_context_add_command(struct weft_launch_context *lc, const char *command);
void weft_launch_context_add_env(struct weft_launch_context *lc, const char *name,
                                 const char *value);
void weft_launch_context_add_resource(struct weft_launch_context *lc, const char *name,
                                      const char *url, bool executable);
/* Free what lc owns and zero it. */
void weft_launch_context_clear(struct weft_launch_context *lc);

#ifdef __cplusplus
}
#endif

#endif
