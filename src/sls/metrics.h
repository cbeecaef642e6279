/*
 * metrics.h — what weft-sls measures and how it reports it.
 *
 * Counters (events since the start), latency distributions (every sample
 * kept, percentiles computed at the end), and one sample per
 * sample-interval-ms of every counter's rate, the RM's RSS and CPU, the
 * running containers and the queues' shares, so the report shows peaks
 * and the figures over time, not only averages.
 */
#ifndef WEFT_SLS_METRICS_H
#define WEFT_SLS_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct sls;
struct metrics;
struct weft_status;

enum metric_counter {
	M_ALLOCATED,      /* containers granted to simulated AMs */
	M_RELEASED,       /* surplus grants given back */
	M_STARTED,        /* containers started on simulated NMs */
	M_COMPLETED,      /* containers that ended on simulated NMs */
	M_HEARTBEATS,     /* NM heartbeats answered 200 */
	M_REGISTERS,      /* NM registrations answered 200 */
	M_ALLOCATE_CALLS, /* AM allocate calls answered 200 */
	M_SUBMITTED,      /* applications accepted by the RM */
	M_AM_LAUNCHES,    /* AM containers the RM asked a simulated NM to start */
	M_APPS_FINISHED,  /* applications whose AM finished */
	M_APPS_FAILED,    /* applications that ended otherwise */
	M_PREEMPT_ASKED,  /* task containers the RM asked an AM to give back */
	M_PREEMPTED,      /* task containers that came back PREEMPTED (-102) */
	M_RPC_ERRORS,     /* calls answered non-2xx (or not at all) */
	M_COUNTER_COUNT
};

enum metric_latency {
	L_ASK_GRANT, /* an ask made by an AM until its grant reached it */
	L_HEARTBEAT, /* heartbeat call, sent to answered */
	L_ALLOCATE,  /* allocate call, sent to answered */
	L_SUBMIT_AM, /* submission accepted until the RM started the AM */
	L_LATENCY_COUNT
};

struct metrics *metrics_new(struct sls *sls);
void metrics_free(struct metrics *m);
/* Start sampling (every sample-interval-ms) from now. */
void metrics_start(struct metrics *m);

void metrics_count(struct metrics *m, enum metric_counter c, int64_t n);
int64_t metrics_get(const struct metrics *m, enum metric_counter c);
/* One latency sample in microseconds. */
void metrics_latency(struct metrics *m, enum metric_latency l, int64_t us);
/* A call that failed (libweft's status), by what was called (first few
 * are logged). */
void metrics_rpc_error(struct metrics *m, const char *what, const struct weft_status *st);

/* Take a last sample and print the report; write the JSON summary and
 * the per-interval series when paths are given.  RET true when every
 * verdict the scenario asks for passed. */
bool metrics_report(struct metrics *m, FILE *out, const char *json_path, const char *series_path);

/* RSS (VmRSS, VmHWM) in kB of a process from /proc; -1 when unknown. */
int64_t metrics_proc_kb(int pid, const char *field);

#endif
