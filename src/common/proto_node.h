/*
 * proto_node.h — the NM <-> RM node protocol (weft/protocol.h, "RM
 * internal: node tracker"): register and heartbeat and their answers.  One typed struct per message
 * and an encode/decode pair each, used by both ends (the RM's node tracker, the NM's status
 * updater) and by weft-sls's simulated NMs.  The container status record
 * they carry is weft/container.h's weft_container_status, encoded and
 * decoded by proto_container.c (one record for every side).
 *
 * Encoders take a filled struct and return a new JSON object.  Decoders
 * take a received object, check every field's type, range and length,
 * and fill the struct; on failure they return -1 with *cause naming the
 * field path ("containers[3].exitStatus: expected an integer, got a
 * string").  The strings a decoder fills point into the decoded object
 * and live as long as it does; the arrays of strings and statuses are
 * owned by the struct (its _clear frees them, not what they point to).
 *
 * The heartbeat is the RM's hot path (tens of thousands a second): its
 * decoder allocates one array per message, never per status, and
 * proto_node_*_write append a request's text straight into a buffer for
 * a sender that cannot afford a JSON tree (weft-sls).
 */
#ifndef WEFT_COMMON_PROTO_NODE_H
#define WEFT_COMMON_PROTO_NODE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weft/container.h"

struct evbuffer;

/* Caps a decoder enforces. */
#define PROTO_NODE_ADDRESS_MAX       255           /* nodeId, httpAddress: host:port */
#define PROTO_NODE_TEXT_MAX          255           /* rack, version */
#define PROTO_NODE_STATE_MAX         32            /* a node state's name */
#define PROTO_NODE_HEALTH_REPORT_MAX 4096          /* healthReport */
#define PROTO_NODE_DIAGNOSTICS_MAX   (1024 * 1024) /* a status's diagnostics: the body cap */
#define PROTO_NODE_MAX_CONTAINERS    100000        /* statuses in one report */
#define PROTO_NODE_MAX_IDS           100000        /* ids in one answer's list */
#define PROTO_NODE_MAX_KEY_IDS       16            /* containerKeyIds */
#define PROTO_NODE_MAX_MEMORY_MB     (INT64_C(1) << 40)
#define PROTO_NODE_MAX_VCORES        (1 << 20)
#define PROTO_NODE_MIN_INTERVAL_MS   10 /* heartbeatIntervalMs an NM asks */
#define PROTO_NODE_MAX_INTERVAL_MS   3600000

/* ------------------------------------------------------------------ */
/* POST /rpc/node/register (NM -> RM) and its answer. */

/* The routes: WEFT_RPC_NODE_REGISTER, WEFT_RPC_NODE_HEARTBEAT. */

struct proto_node_register {
	const char *node_id;           /* host:port, port not 0 */
	const char *http_address;      /* host:port, port not 0 */
	const char *rack;              /* decode: WEFT_NODE_DEFAULT_RACK when absent */
	int64_t memory_mb;             /* 1..PROTO_NODE_MAX_MEMORY_MB */
	int64_t vcores;                /* 1..PROTO_NODE_MAX_VCORES */
	const char *version;           /* decode: "" when absent */
	int64_t heartbeat_interval_ms; /* what the NM wants; 0: absent */
	/* Containers still known (decode: owned array; a node's report,
	 * PROTO_STATUS_REPORTED). */
	struct weft_container_status *containers;
	int n_containers;
};
struct json_object *proto_node_register_encode(const struct proto_node_register *m);
int proto_node_register_decode(struct json_object *obj, struct proto_node_register *m,
                               char **cause);
void proto_node_register_clear(struct proto_node_register *m);

struct proto_node_register_answer {
	int64_t cluster_timestamp; /* decode: 0 when absent */
	int64_t key_ids[PROTO_NODE_MAX_KEY_IDS];
	int n_key_ids;
	bool has_key_ids;              /* "containerKeyIds" was there */
	int64_t heartbeat_interval_ms; /* decode: 0 when absent */
};
struct json_object *proto_node_register_answer_encode(const struct proto_node_register_answer *m);
int proto_node_register_answer_decode(struct json_object *obj, struct proto_node_register_answer *m,
                                      char **cause);

/* ------------------------------------------------------------------ */
/* POST /rpc/node/heartbeat (NM -> RM) and its answer. */

struct proto_node_heartbeat {
	const char *node_id;       /* host:port, port not 0 */
	int64_t response_id;       /* the last answer's (0 at first) */
	bool full_report;          /* decode: true when absent (older NMs) */
	bool healthy;              /* decode: true when absent */
	const char *health_report; /* decode: "" when absent; encode: NULL omits */
	/* Decode: owned array. */
	struct weft_container_status *containers;
	int n_containers;
};
struct json_object *proto_node_heartbeat_encode(const struct proto_node_heartbeat *m);
int proto_node_heartbeat_decode(struct json_object *obj, struct proto_node_heartbeat *m,
                                char **cause);
void proto_node_heartbeat_clear(struct proto_node_heartbeat *m);

enum proto_node_action {
	PROTO_NODE_ACTION_NORMAL,
	PROTO_NODE_ACTION_RESYNC,
	PROTO_NODE_ACTION_SHUTDOWN,
	PROTO_NODE_ACTION_UNKNOWN, /* decode only: action_name says which */
};

struct proto_node_heartbeat_answer {
	int64_t response_id;
	enum proto_node_action action;
	const char *action_name; /* decode: the action as sent */
	int64_t key_ids[PROTO_NODE_MAX_KEY_IDS];
	int n_key_ids;
	bool has_key_ids; /* "containerKeyIds" was there (encode: always sent) */
	/* Decode: owned arrays (absent: empty). */
	const char **containers_to_cleanup;
	int n_containers_to_cleanup;
	const char **containers_to_ack;
	int n_containers_to_ack;
	const char **apps_to_cleanup;
	int n_apps_to_cleanup;
};
struct json_object *proto_node_heartbeat_answer_encode(const struct proto_node_heartbeat_answer *m);
int proto_node_heartbeat_answer_decode(struct json_object *obj,
                                       struct proto_node_heartbeat_answer *m, char **cause);
void proto_node_heartbeat_answer_clear(struct proto_node_heartbeat_answer *m);
const char *proto_node_action_name(enum proto_node_action action);

/* ------------------------------------------------------------------ */
/* The node report of the public REST API: GET /ws/v1/cluster/nodes
 * ({"nodes":{"node":[...]}}) and /nodes/{id} ({"node":{...}}), read by
 * `weft node list` and scripts.  Strings point into the decoded object;
 * an absent optional string is NULL, an absent number 0. */

struct proto_node_report {
	const char *id;    /* the node id, host:port (required) */
	const char *state; /* NEW, RUNNING, UNHEALTHY, ... (required) */
	const char *rack;
	const char *host;           /* nodeHostName */
	const char *http_address;   /* nodeHTTPAddress */
	int64_t last_health_update; /* wall clock ms */
	const char *version;
	const char *health_report;
	int64_t num_containers;
	int64_t used_memory_mb, avail_memory_mb;
	int64_t used_vcores, avail_vcores;
};
struct json_object *proto_node_report_encode(const struct proto_node_report *m);
/* path names obj in causes ("nodes.node[3]"). */
int proto_node_report_decode(struct json_object *obj, const char *path, struct proto_node_report *m,
                             char **cause);
/* {"nodes":{"node":list}}, or YARN's {"nodes":null} for an empty list
 * (list taken). */
struct json_object *proto_node_reports_wrap(struct json_object *list);
/* The node list of such a body as a new array (YARN's null, {} and a
 * bare object for one node read as lists), or NULL with *cause. */
struct json_object *proto_node_reports_unwrap(struct json_object *body, char **cause);
/* {"node":report} (taken), and the report out of it (borrowed). */
struct json_object *proto_node_report_wrap(struct json_object *report);
struct json_object *proto_node_report_unwrap(struct json_object *body, char **cause);

/* ------------------------------------------------------------------ */
/* Requests as text, appended to buf: the message the encoder's object
 * would print (weft-sls writes 100,000 a second). */
void proto_node_register_write(struct evbuffer *buf, const struct proto_node_register *m);
void proto_node_heartbeat_write(struct evbuffer *buf, const struct proto_node_heartbeat *m);

#endif
