/*
 * proto_am.h — the AM <-> RM protocol (weft/protocol.h, "RM internal: AM
 * protocol"): POST /rpc/am/register, /rpc/am/allocate and /rpc/am/finish,
 * one typed struct per body and answer with an encode/decode pair each,
 * used by both ends (the RM's am_service.c, libweft's am_client.c) and by
 * weft-sls's simulated AMs.  The records that are also libweft's public
 * API (the ask, the grant, the completed status, the preemption request,
 * the registration) are weft/container.h's and weft/am_client.h's
 * structs.
 *
 * Encoders take a filled struct and return a new JSON object; the allocate
 * request and answer also have a _write that appends the same JSON as
 * text to an evbuffer (the hot path: thousands of grants per answer).
 * Decoders check every field's type, range and length and fill the
 * struct; on failure they return -1 with *cause naming the field path
 * ("asks[2].count: -1 is out of range [0, 2147483647]").  Strings a
 * decoder fills point into the decoded object; arrays are owned and freed
 * by the struct's _clear (call it on failure too).
 */
#ifndef WEFT_COMMON_PROTO_AM_H
#define WEFT_COMMON_PROTO_AM_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weft/am_client.h"
#include "weft/container.h"
#include "weft/resource.h"

struct evbuffer;

/* Caps a decoder enforces. */
#define PROTO_AM_HOST_MAX        255
#define PROTO_AM_URL_MAX         4096
#define PROTO_AM_DIAGNOSTICS_MAX 65536 /* finish */
#define PROTO_AM_NAME_MAX        4096  /* node ids, rack names, queue, user, tokens */
#define PROTO_AM_MAX_ASKS        1000
#define PROTO_AM_MAX_HINTS       100000 /* node and rack names of one ask */
#define PROTO_AM_MAX_RELEASES    100000
#define PROTO_AM_MAX_CONTAINERS  1000000 /* entries of an answer's lists */

/* ------------------------------------------------------------------ */
/* register */

struct proto_am_register {
	const char *host;         /* "" when absent; at most 255 bytes */
	int rpc_port;             /* -1..65535; -1 when absent */
	const char *tracking_url; /* "" when absent; at most 4096 bytes */
};
struct json_object *proto_am_register_encode(const struct proto_am_register *m);
int proto_am_register_decode(struct json_object *obj, struct proto_am_register *m, char **cause);

/* The answer: weft/am_client.h's weft_am_registration. */
struct json_object *proto_am_registered_encode(const struct weft_am_registration *m);
int proto_am_registered_decode(struct json_object *obj, struct weft_am_registration *m,
                               char **cause);

/* ------------------------------------------------------------------ */
/* allocate */

struct proto_am_allocate {
	int64_t response_id; /* 0..INT64_MAX - 1 */
	double progress;     /* 0..1; 0 when absent */
	/* Each the total still wanted at its priority (count 0 withdraws);
	 * the scheduler checks the capability; relaxLocality absent: true. */
	struct weft_container_request *asks;
	int n_asks;
	const char **releases; /* container ids */
	int n_releases;
	/* Owned storage (decoders and the _add helpers fill it). */
	const char **hints; /* every ask's nodes and racks, in one array */
	char **copies;      /* strings the _add helpers copied */
	int n_copies;
	int cap_asks, cap_releases;
};
/* Builders: append an ask (its node and rack arrays are borrowed and must
 * outlive the encoding) or a release (copied). */
void proto_am_allocate_add_ask(struct proto_am_allocate *m,
                               const struct weft_container_request *ask);
void proto_am_allocate_add_release(struct proto_am_allocate *m, const char *container_id);
struct json_object *proto_am_allocate_encode(const struct proto_am_allocate *m);
void proto_am_allocate_write(struct evbuffer *b, const struct proto_am_allocate *m);
int proto_am_allocate_decode(struct json_object *obj, struct proto_am_allocate *m, char **cause);
void proto_am_allocate_clear(struct proto_am_allocate *m);

/* The answer's records are weft/container.h's: a grant is a
 * weft_container (written as text: an answer can hold thousands), a
 * completed container a weft_container_status (proto_container.c's,
 * decoded with PROTO_STATUS_COMPLETED), a container wanted back a
 * weft_preemption_request. */
void proto_am_grant_write(struct evbuffer *b, const struct weft_container *m);
struct json_object *proto_am_preempt_encode(const struct weft_preemption_request *m);

enum proto_am_action {
	PROTO_AM_ACTION_NORMAL, /* also when absent */
	PROTO_AM_ACTION_SHUTDOWN,
	PROTO_AM_ACTION_UNKNOWN, /* another word: action_name says which */
};

struct proto_am_allocated {
	int64_t response_id; /* 0..INT64_MAX */
	struct weft_container *allocated;
	int n_allocated;
	struct weft_container_status *completed;
	int n_completed;
	struct weft_preemption_request *preempt;
	int n_preempt;
	/* Encoding only: lists already made of proto_container_status_encode
	 * and proto_am_preempt_encode objects, written instead of completed and
	 * preempt when not NULL (borrowed). */
	struct json_object *completed_list;
	struct json_object *preempt_list;
	weft_resource_t available; /* zero when absent */
	int num_cluster_nodes;     /* 0 when absent */
	enum proto_am_action action;
	const char *action_name; /* decoded: as sent, NULL when absent */
};
struct json_object *proto_am_allocated_encode(const struct proto_am_allocated *m);
void proto_am_allocated_write(struct evbuffer *b, const struct proto_am_allocated *m);
int proto_am_allocated_decode(struct json_object *obj, struct proto_am_allocated *m, char **cause);
void proto_am_allocated_clear(struct proto_am_allocated *m);

/* ------------------------------------------------------------------ */
/* finish */

struct proto_am_finish {
	const char *final_status; /* "SUCCEEDED", "FAILED" or "KILLED" */
	const char *diagnostics;  /* "" when absent; at most 65536 bytes */
	const char *tracking_url; /* "" when absent; at most 4096 bytes */
};
struct json_object *proto_am_finish_encode(const struct proto_am_finish *m);
int proto_am_finish_decode(struct json_object *obj, struct proto_am_finish *m, char **cause);
/* Whether status is an application's final status a finish (or the
 * driver's shutdown) may name: SUCCEEDED, FAILED or KILLED. */
bool proto_am_final_status_valid(const char *status);

/* The finish answer {"isUnregistered":true}. */
struct json_object *proto_am_finished_encode(void);
int proto_am_finished_decode(struct json_object *obj, bool *is_unregistered, char **cause);

#endif
