/*
 * rm_rpc.h — weft-sls's HTTP calls to the RM under test.
 *
 * Thousands of simulated NMs and AMs share a small pool of keep-alive
 * connections: at most `connections` calls are on the wire at once (one
 * per connection), the rest wait in one FIFO.  Two transports, chosen at
 * start: libevent's evhttp client on persistent connections (the default:
 * it costs the simulator least per call), or libweft's curl_multi client
 * (http_client.h), kept to measure that choice against.
 */
#ifndef WEFT_SLS_RM_RPC_H
#define WEFT_SLS_RM_RPC_H

#include <event2/event.h>
#include <stddef.h>
#include <stdint.h>

enum rm_rpc_transport { RM_RPC_DIRECT, RM_RPC_EVHTTP, RM_RPC_CURL };

struct rm_rpc_reply {
	long status;      /* HTTP status; 0 when no answer came */
	const char *body; /* not NUL-terminated; "" when none */
	size_t len;
	int64_t wait_us;    /* queued in the simulator before it was sent */
	int64_t service_us; /* sent to answered */
};

/* Runs once per call (never after rm_rpc_free). */
typedef void (*rm_rpc_cb)(const struct rm_rpc_reply *reply, void *arg);

struct rm_rpc;

/* IN address "host:port" of the RM.  RET the client or NULL *cause. */
struct rm_rpc *rm_rpc_new(struct event_base *base, const char *address,
                          enum rm_rpc_transport transport, int connections, char **cause);
/* Drop every call (no callbacks) and close the connections. */
void rm_rpc_free(struct rm_rpc *rpc);

/*
 * Queue a call.  IN method "GET" or "POST"; target path with query;
 * header one "Name: value" line or NULL; body (copied) may be NULL.
 */
void rm_rpc_call(struct rm_rpc *rpc, const char *method, const char *target, const char *header,
                 const char *body, size_t len, rm_rpc_cb cb, void *arg);
/* Calls on the wire and waiting. */
int rm_rpc_in_flight(const struct rm_rpc *rpc);
int rm_rpc_queued(const struct rm_rpc *rpc);
/* Calls answered (any status) and failed without an answer. */
int64_t rm_rpc_answered(const struct rm_rpc *rpc);

#endif
