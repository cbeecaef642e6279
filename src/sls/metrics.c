/*
 * metrics.c — counting, sampling and the final report of weft-sls.
 *
 * Latencies keep every sample (4-8 bytes each: a few million samples are
 * a few tens of MB at most) so percentiles are exact.  A timer takes one
 * sample per interval: the counters' increments, the RM's RSS and CPU
 * from /proc, the simulator's own CPU, and the queues' latest shares; the
 * report derives peaks and the fairness verdict from those samples.
 */
#include "weft_config.h"

#include "sls/metrics.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/log.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "sls/fairness.h"
#include "sls/rm_pool.h"
#include "weft/client.h"
#include "sls/scenario.h"
#include "sls/sim_app.h"
#include "sls/sim_node.h"
#include "sls/sls.h"

#define METRICS_LOGGED_ERRORS 10

static const char *const counter_names[M_COUNTER_COUNT] = {
        "allocated",     "released",      "started",   "completed",  "heartbeats",
        "registrations", "allocateCalls", "submitted", "amLaunches", "appsFinished",
        "appsFailed",    "preemptAsked",  "preempted", "rpcErrors",
};

static const char *const latency_names[L_LATENCY_COUNT] = {
        "askToGrant",
        "heartbeatCall",
        "allocateCall",
        "submitToAmStart",
};

struct metrics_series {
	int64_t *v;
	size_t n, cap;
};

struct metrics_sample {
	double t;                       /* seconds since the start */
	double dt;                      /* seconds this sample covers */
	int64_t delta[M_COUNTER_COUNT]; /* increments during dt */
	int64_t running;                /* containers running on simulated nodes */
	int64_t rss_kb;                 /* RM VmRSS */
	double rm_cpu;                  /* RM CPU, percent of one core */
	double rm_wait;                 /* RM runnable but waiting for a CPU, percent */
	double sim_cpu;                 /* simulator CPU, percent of one core */
	int rpc_queued;
	double *share; /* per scenario queue, percent (< 0 unknown) */
};

struct metrics {
	struct sls *sls;
	int64_t counter[M_COUNTER_COUNT];
	int64_t last[M_COUNTER_COUNT];
	struct metrics_series latency[L_LATENCY_COUNT];
	struct metrics_sample *samples;
	size_t n_samples, cap_samples;
	struct event *timer;
	int64_t last_us;
	int64_t rm_ticks_last;
	int64_t rm_wait_last;   /* ns the RM spent runnable, waiting for a CPU */
	int64_t rm_ticks_start; /* the RM's CPU when the run started */
	int64_t answered_start;
	double sim_cpu_last;
	double sim_cpu_start;                  /* the simulator's CPU when the run started */
	int64_t first_alloc_us, last_alloc_us; /* 0 = none yet */
	int64_t peak_running;
	int errors_logged;
};

/* Counters at zero, no samples: metrics_start() starts the clock. */
struct metrics *metrics_new(struct sls *sls)
{
	struct metrics *m = xcalloc(1, sizeof *m);

	m->sls = sls;
	return m;
}

/* Free the samples and latency series. */
void metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	if (m->timer != NULL)
		event_free(m->timer);
	for (int i = 0; i < L_LATENCY_COUNT; i++)
		free(m->latency[i].v);
	for (size_t i = 0; i < m->n_samples; i++)
		free(m->samples[i].share);
	free(m->samples);
	free(m);
}

/* Count n events (grants also mark the first and last grant time). */
void metrics_count(struct metrics *m, enum metric_counter c, int64_t n)
{
	m->counter[c] += n;
	if (c == M_ALLOCATED && n > 0) {
		int64_t now = sls_now_us();

		if (m->first_alloc_us == 0)
			m->first_alloc_us = now;
		m->last_alloc_us = now;
	}
}

/* A counter since the start. */
int64_t metrics_get(const struct metrics *m, enum metric_counter c)
{
	return m->counter[c];
}

/* Keep one sample (all are kept: percentiles are exact). */
void metrics_latency(struct metrics *m, enum metric_latency l, int64_t us)
{
	struct metrics_series *s = &m->latency[l];

	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 4096 : s->cap * 2;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	s->v[s->n++] = us < 0 ? 0 : us;
}

void metrics_rpc_error(struct metrics *m, const char *what, const struct weft_status *st)
{
	m->counter[M_RPC_ERRORS]++;
	if (m->errors_logged++ < METRICS_LOGGED_ERRORS) {
		if (st->http_status == 0)
			log_warn("%s: no answer: %s", what, st->message);
		else
			log_warn("%s: HTTP %ld: %s", what, st->http_status,
			         st->message != NULL ? st->message : "unexpected answer");
	} else if (m->errors_logged == METRICS_LOGGED_ERRORS + 1)
		log_warn("more RPC errors: not logged (counted in the report)");
}

/* A "Field:   N kB" line of /proc/PID/status. */
int64_t metrics_proc_kb(int pid, const char *field)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	int64_t kb = -1;
	FILE *f;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			kb = strtoll(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

/* utime + stime of a process in clock ticks, or -1. */
static int64_t metrics_proc_ticks(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	size_t n;
	FILE *f;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields after the command name (which may hold spaces). */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (int64_t)(ut + st);
}

/* Nanoseconds a process has spent runnable but not running (waiting
 * for a CPU: the machine is busy with something else), or -1. */
static int64_t metrics_proc_wait_ns(int pid)
{
	char path[64];
	unsigned long long run = 0, wait = 0;
	FILE *f;
	int n;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/schedstat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fscanf(f, "%llu %llu", &run, &wait);
	fclose(f);
	return n == 2 ? (int64_t)wait : -1;
}

/* CPU seconds this process used. */
static double metrics_self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/* Take one sample now. */
static void metrics_sample(struct metrics *m)
{
	struct sls *sls = m->sls;
	int64_t now = sls_now_us(), ticks = metrics_proc_ticks(sls->rm_pid);
	int64_t wait = metrics_proc_wait_ns(sls->rm_pid);
	double cpu = metrics_self_cpu(), dt = (double)(now - m->last_us) / 1e6;
	long hz = sysconf(_SC_CLK_TCK);
	struct metrics_sample *s;

	if (dt <= 0)
		return;
	if (m->n_samples == m->cap_samples) {
		m->cap_samples = m->cap_samples == 0 ? 256 : m->cap_samples * 2;
		m->samples = xreallocarray(m->samples, m->cap_samples, sizeof *m->samples);
	}
	s = &m->samples[m->n_samples++];
	memset(s, 0, sizeof *s);
	s->t = (double)(now - sls->start_us) / 1e6;
	s->dt = dt;
	for (int i = 0; i < M_COUNTER_COUNT; i++) {
		s->delta[i] = m->counter[i] - m->last[i];
		m->last[i] = m->counter[i];
	}
	s->running = sim_cluster_running(sls->cluster);
	if (s->running > m->peak_running)
		m->peak_running = s->running;
	s->rss_kb = metrics_proc_kb(sls->rm_pid, "VmRSS");
	s->rm_cpu = ticks >= 0 && m->rm_ticks_last >= 0 && hz > 0
	                    ? 100.0 * (double)(ticks - m->rm_ticks_last) / (double)hz / dt
	                    : -1;
	s->sim_cpu = 100.0 * (cpu - m->sim_cpu_last) / dt;
	s->rm_wait = wait >= 0 && m->rm_wait_last >= 0
	                     ? 100.0 * (double)(wait - m->rm_wait_last) / 1e9 / dt
	                     : -1;
	m->rm_wait_last = wait;
	s->rpc_queued = rm_pool_queued(sls->rpc_pool) + rm_pool_queued(sls->rest_pool);
	s->share = xcalloc((size_t)sls->sc->n_queues + 1, sizeof *s->share);
	for (int i = 0; i < sls->sc->n_queues; i++) {
		double g;

		if (!fairness_share(sls->fairness, i, &s->share[i], &g))
			s->share[i] = -1;
	}
	m->rm_ticks_last = ticks;
	m->sim_cpu_last = cpu;
	m->last_us = now;
	if (!sls->quiet)
		fprintf(stderr,
		        "weft-sls: %6.1fs nodes %d/%d apps %d/%d ended, running %" PRId64
		        ", alloc %.0f/s, hb %.0f/s, allocate %.0f/s, rm %s%.0f MB %.0f%% cpu "
		        "(%.0f%% waiting), sim %.0f%% cpu, queued %d\n",
		        s->t, sim_cluster_registered(sls->cluster), sim_cluster_size(sls->cluster),
		        sim_apps_ended(sls->apps), sim_apps_total(sls->apps), s->running,
		        (double)s->delta[M_ALLOCATED] / dt, (double)s->delta[M_HEARTBEATS] / dt,
		        (double)s->delta[M_ALLOCATE_CALLS] / dt, s->rss_kb < 0 ? "?" : "",
		        s->rss_kb < 0 ? 0.0 : (double)s->rss_kb / 1024.0, s->rm_cpu, s->rm_wait,
		        s->sim_cpu, s->rpc_queued);
}

/* Every sample interval: a sample, then ask for fresh queue shares. */
static void metrics_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct metrics *m = arg;

	(void)fd;
	(void)what;
	metrics_sample(m);
	fairness_poll(m->sls->fairness);
}

/* Start sampling; the RM's CPU counts from here. */
void metrics_start(struct metrics *m)
{
	int64_t ms = m->sls->sc->sample_ms;
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};

	m->last_us = sls_now_us();
	m->rm_ticks_last = metrics_proc_ticks(m->sls->rm_pid);
	m->rm_ticks_start = m->rm_ticks_last;
	m->rm_wait_last = metrics_proc_wait_ns(m->sls->rm_pid);
	m->answered_start =
	        rm_pool_answered(m->sls->rpc_pool) + rm_pool_answered(m->sls->rest_pool);
	m->sim_cpu_last = metrics_self_cpu();
	m->sim_cpu_start = m->sim_cpu_last;
	m->timer = event_new(m->sls->base, -1, EV_PERSIST, metrics_timer_cb, m);
	event_add(m->timer, &tv);
	fairness_poll(m->sls->fairness);
}

/* qsort order of latency samples. */
static int metrics_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The p-th percentile (0..100) of a sorted series, or -1 when empty. */
static int64_t metrics_percentile(const struct metrics_series *s, double p)
{
	size_t i;

	if (s->n == 0)
		return -1;
	i = (size_t)(p / 100.0 * (double)(s->n - 1) + 0.5);
	return s->v[i < s->n ? i : s->n - 1];
}

/* "12.3 ms" style text for microseconds. */
static const char *metrics_us_text(int64_t us, char *buf, size_t len)
{
	if (us < 0)
		snprintf(buf, len, "-");
	else if (us < 1000)
		snprintf(buf, len, "%" PRId64 " us", us);
	else if (us < 10000000)
		snprintf(buf, len, "%.1f ms", (double)us / 1000.0);
	else
		snprintf(buf, len, "%.2f s", (double)us / 1e6);
	return buf;
}

/* Peak and mean rate of a counter over samples in [from, to] s (to < 0:
 * all); mean is over the samples' time. */
static void metrics_rate(const struct metrics *m, enum metric_counter c, double from, double to,
                         double *mean, double *peak)
{
	double sum = 0, time = 0;

	*peak = 0;
	for (size_t i = 0; i < m->n_samples; i++) {
		const struct metrics_sample *s = &m->samples[i];
		double r = (double)s->delta[c] / s->dt;

		if (s->t < from || (to >= 0 && s->t - s->dt > to))
			continue;
		sum += (double)s->delta[c];
		time += s->dt;
		if (r > *peak)
			*peak = r;
	}
	*mean = time > 0 ? sum / time : 0;
}

struct metrics_queue_verdict {
	double guarantee, mean, min, max;
	int n;
	bool pass;
};

/* Shares of queue i in the fairness window. */
static void metrics_queue(const struct metrics *m, int i, double from, double to,
                          struct metrics_queue_verdict *v)
{
	double share, sum = 0;

	memset(v, 0, sizeof *v);
	fairness_share(m->sls->fairness, i, &share, &v->guarantee);
	v->min = 1e9;
	v->max = -1;
	for (size_t k = 0; k < m->n_samples; k++) {
		const struct metrics_sample *s = &m->samples[k];

		if (s->t < from || (to > 0 && s->t > to) || s->share[i] < 0)
			continue;
		sum += s->share[i];
		v->n++;
		if (s->share[i] < v->min)
			v->min = s->share[i];
		if (s->share[i] > v->max)
			v->max = s->share[i];
	}
	v->mean = v->n > 0 ? sum / v->n : -1;
	v->pass = v->n > 0 && v->guarantee >= 0 &&
	          v->mean + m->sls->sc->fairness_tolerance >= v->guarantee &&
	          v->mean - m->sls->sc->fairness_tolerance <= v->guarantee;
}

/* Write the per-sample series as CSV. */
static void metrics_write_series(const struct metrics *m, const char *path)
{
	const struct scenario *sc = m->sls->sc;
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		log_warn("%s: cannot write the series", path);
		return;
	}
	fprintf(f, "t_s,allocated_per_s,heartbeats_per_s,allocate_calls_per_s,completed_per_s,"
	           "running,rm_rss_mb,rm_cpu_pct,rm_cpu_wait_pct,sim_cpu_pct,rpc_queued");
	for (int i = 0; i < sc->n_queues; i++)
		fprintf(f, ",share_%s", sc->queues[i].path);
	fprintf(f, "\n");
	for (size_t k = 0; k < m->n_samples; k++) {
		const struct metrics_sample *s = &m->samples[k];

		fprintf(f, "%.2f,%.1f,%.1f,%.1f,%.1f,%" PRId64 ",%.1f,%.1f,%.1f,%.1f,%d", s->t,
		        (double)s->delta[M_ALLOCATED] / s->dt,
		        (double)s->delta[M_HEARTBEATS] / s->dt,
		        (double)s->delta[M_ALLOCATE_CALLS] / s->dt,
		        (double)s->delta[M_COMPLETED] / s->dt, s->running,
		        s->rss_kb < 0 ? -1.0 : (double)s->rss_kb / 1024.0, s->rm_cpu, s->rm_wait,
		        s->sim_cpu, s->rpc_queued);
		for (int i = 0; i < sc->n_queues; i++)
			fprintf(f, ",%.2f", s->share[i]);
		fprintf(f, "\n");
	}
	fclose(f);
}

/* {"p50":..,"p99":..,"max":..,"n":..} in microseconds. */
static struct json_object *metrics_latency_json(const struct metrics_series *s)
{
	struct json_object *o = wjson_new_object();

	wjson_add_int(o, "n", (int64_t)s->n);
	wjson_add_int(o, "p50Us", metrics_percentile(s, 50));
	wjson_add_int(o, "p99Us", metrics_percentile(s, 99));
	wjson_add_int(o, "maxUs", metrics_percentile(s, 100));
	return o;
}

/* The report: text on out, JSON and CSV when asked; RET the verdict. */
bool metrics_report(struct metrics *m, FILE *out, const char *json_path, const char *series_path)
{
	struct sls *sls = m->sls;
	const struct scenario *sc = sls->sc;
	weft_resource_t cap = sim_cluster_capacity(sls->cluster);
	double ready =
	        sls->apps_start_us > 0 ? (double)(sls->apps_start_us - sls->start_us) / 1e6 : -1;
	double elapsed = (double)(sls_now_us() - sls->start_us) / 1e6;
	double alloc_busy = m->last_alloc_us > m->first_alloc_us
	                            ? (double)(m->last_alloc_us - m->first_alloc_us) / 1e6
	                            : 0;
	double mean, peak, hb_mean, hb_peak, al_mean, al_peak;
	double from = sc->fairness_from_ms / 1000.0 + (ready > 0 ? ready : 0);
	double to =
	        sc->fairness_to_ms > 0 ? sc->fairness_to_ms / 1000.0 + (ready > 0 ? ready : 0) : -1;
	int64_t hwm = metrics_proc_kb(sls->rm_pid, "VmHWM");
	int64_t rss = metrics_proc_kb(sls->rm_pid, "VmRSS");
	struct json_object *j = wjson_new_object(), *o;
	char a[32], b[32], c[32];
	bool pass = true;

	metrics_sample(m);
	for (int i = 0; i < L_LATENCY_COUNT; i++) {
		if (m->latency[i].n > 0) /* (no samples: no array to sort) */
			qsort(m->latency[i].v, m->latency[i].n, sizeof *m->latency[i].v,
			      metrics_cmp);
	}

	fprintf(out, "\nweft-sls report: scenario %s\n", sc->name);
	fprintf(out,
	        "  cluster        %d nodes (%" PRId64 " GB, %" PRId64 " vcores), %d apps, %" PRId64
	        " task containers\n",
	        sim_cluster_size(sls->cluster), cap.memory_mb / 1024, cap.vcores,
	        sim_apps_total(sls->apps), scenario_container_count(sc));
	fprintf(out, "  run            %.1f s (all nodes registered at %.1f s)\n", elapsed, ready);
	fprintf(out, "  applications   %" PRId64 " finished, %" PRId64 " failed, %d not ended\n",
	        m->counter[M_APPS_FINISHED], m->counter[M_APPS_FAILED],
	        sim_apps_total(sls->apps) - sim_apps_ended(sls->apps));
	fprintf(out,
	        "  containers     %" PRId64 " allocated (%" PRId64 " surplus released), %" PRId64
	        " started, %" PRId64 " completed, peak running %" PRId64 "\n",
	        m->counter[M_ALLOCATED], m->counter[M_RELEASED], m->counter[M_STARTED],
	        m->counter[M_COMPLETED], m->peak_running);
	fprintf(out,
	        "  preemption     %" PRId64 " containers asked back, %" PRId64
	        " killed as PREEMPTED (-102)\n",
	        m->counter[M_PREEMPT_ASKED], m->counter[M_PREEMPTED]);
	metrics_rate(m, M_ALLOCATED, 0, -1, &mean, &peak);
	fprintf(out,
	        "  allocations    %.0f/s over the busy %.1f s (first to last grant), peak %.0f/s\n",
	        alloc_busy > 0 ? (double)m->counter[M_ALLOCATED] / alloc_busy : 0, alloc_busy,
	        peak);
	fprintf(out, "  ask->grant     p50 %s, p99 %s, max %s (%zu grants)\n",
	        metrics_us_text(metrics_percentile(&m->latency[L_ASK_GRANT], 50), a, sizeof a),
	        metrics_us_text(metrics_percentile(&m->latency[L_ASK_GRANT], 99), b, sizeof b),
	        metrics_us_text(metrics_percentile(&m->latency[L_ASK_GRANT], 100), c, sizeof c),
	        m->latency[L_ASK_GRANT].n);
	metrics_rate(m, M_HEARTBEATS, ready > 0 ? ready : 0, -1, &hb_mean, &hb_peak);
	fprintf(out,
	        "  NM heartbeats  %.0f/s handled (mean after registration), peak %.0f/s; call p50 "
	        "%s, p99 %s\n",
	        hb_mean, hb_peak,
	        metrics_us_text(metrics_percentile(&m->latency[L_HEARTBEAT], 50), a, sizeof a),
	        metrics_us_text(metrics_percentile(&m->latency[L_HEARTBEAT], 99), b, sizeof b));
	metrics_rate(m, M_ALLOCATE_CALLS, ready > 0 ? ready : 0, -1, &al_mean, &al_peak);
	fprintf(out, "  AM allocate    %.0f calls/s, peak %.0f/s; call p50 %s, p99 %s\n", al_mean,
	        al_peak,
	        metrics_us_text(metrics_percentile(&m->latency[L_ALLOCATE], 50), a, sizeof a),
	        metrics_us_text(metrics_percentile(&m->latency[L_ALLOCATE], 99), b, sizeof b));
	fprintf(out, "  submit->AM     p50 %s, p99 %s\n",
	        metrics_us_text(metrics_percentile(&m->latency[L_SUBMIT_AM], 50), a, sizeof a),
	        metrics_us_text(metrics_percentile(&m->latency[L_SUBMIT_AM], 99), b, sizeof b));
	{
		double cpu_sum = 0, sim_sum = 0, wait_sum = 0, t = 0, sim_us;
		/* Calls answered (or failed): what a call costs each side. */
		int64_t calls = rm_pool_answered(sls->rpc_pool) + rm_pool_answered(sls->rest_pool) -
		                m->answered_start;
		/* Tries the RM refused as busy (the client retried them). */
		int64_t busy = rm_pool_busy(sls->rpc_pool) + rm_pool_busy(sls->rest_pool);

		for (size_t i = 0; i < m->n_samples; i++) {
			if (m->samples[i].rm_cpu >= 0)
				cpu_sum += m->samples[i].rm_cpu * m->samples[i].dt;
			if (m->samples[i].rm_wait >= 0)
				wait_sum += m->samples[i].rm_wait * m->samples[i].dt;
			sim_sum += m->samples[i].sim_cpu * m->samples[i].dt;
			t += m->samples[i].dt;
		}
		fprintf(out,
		        "  RM             peak RSS (VmHWM) %.1f MB, RSS at end %.1f MB, CPU %.0f%% "
		        "of a core (mean)\n",
		        hwm < 0 ? -1.0 : (double)hwm / 1024.0,
		        rss < 0 ? -1.0 : (double)rss / 1024.0, t > 0 ? cpu_sum / t : -1);
		/* Time the RM was ready to run but had no CPU: other load on
		 * the machine (these figures are only as good as it is idle). */
		fprintf(out,
		        "  machine        the RM waited for a CPU %.0f%% of the time (other "
		        "load)\n",
		        t > 0 ? wait_sum / t : -1);
		/* The simulator must cost less per call than the RM, or it
		 * measures itself. */
		sim_us = calls > 0 ? 1e6 * (metrics_self_cpu() - m->sim_cpu_start) / (double)calls
		                   : -1;
		fprintf(out,
		        "  simulator      CPU %.0f%% of a core (mean), %.1f us per call, %" PRId64
		        " RPC errors; %" PRId64
		        " tries answered busy (429/503), retried by libweft's client\n",
		        t > 0 ? sim_sum / t : -1, sim_us, m->counter[M_RPC_ERRORS], busy);
		wjson_add_double(j, "simCpuUsPerCall", sim_us);
		wjson_add_int(j, "rpcBusy", busy);
		{
			/* The RM's CPU per call it answered: what a call costs it,
			 * whatever else shares the machine. */
			int64_t ticks = metrics_proc_ticks(sls->rm_pid);
			long hz = sysconf(_SC_CLK_TCK);
			double us = ticks >= 0 && m->rm_ticks_start >= 0 && calls > 0 && hz > 0
			                    ? 1e6 * (double)(ticks - m->rm_ticks_start) /
			                              (double)hz / (double)calls
			                    : -1;

			fprintf(out,
			        "  RM cost        %.1f us of RM CPU per call answered (%" PRId64
			        " calls: heartbeats, allocates, submissions, polls)\n",
			        us, calls);
			wjson_add_double(j, "rmCpuUsPerCall", us);
			wjson_add_int(j, "rmCalls", calls);
		}
		o = wjson_new_object();
		wjson_add_double(o, "peakRssMB", hwm < 0 ? -1.0 : (double)hwm / 1024.0);
		wjson_add_double(o, "endRssMB", rss < 0 ? -1.0 : (double)rss / 1024.0);
		wjson_add_double(o, "meanCpuPercent", t > 0 ? cpu_sum / t : -1);
		wjson_add_double(o, "meanCpuWaitPercent", t > 0 ? wait_sum / t : -1);
		wjson_add(j, "rm", o);
		wjson_add_double(j, "simCpuPercent", t > 0 ? sim_sum / t : -1);
	}
	wjson_add_string(j, "scenario", sc->name);
	wjson_add_int(j, "nodes", sim_cluster_size(sls->cluster));
	wjson_add_int(j, "apps", sim_apps_total(sls->apps));
	wjson_add_double(j, "elapsedS", elapsed);
	wjson_add_double(j, "readyS", ready);
	o = wjson_new_object();
	for (int i = 0; i < M_COUNTER_COUNT; i++)
		wjson_add_int(o, counter_names[i], m->counter[i]);
	wjson_add_int(o, "peakRunning", m->peak_running);
	wjson_add(j, "counters", o);
	o = wjson_new_object();
	wjson_add_double(o, "allocationsPerS",
	                 alloc_busy > 0 ? (double)m->counter[M_ALLOCATED] / alloc_busy : 0);
	wjson_add_double(o, "allocationsPeakPerS", peak);
	wjson_add_double(o, "heartbeatsPerS", hb_mean);
	wjson_add_double(o, "heartbeatsPeakPerS", hb_peak);
	wjson_add_double(o, "allocateCallsPerS", al_mean);
	wjson_add(j, "rates", o);
	o = wjson_new_object();
	for (int i = 0; i < L_LATENCY_COUNT; i++)
		wjson_add(o, latency_names[i], metrics_latency_json(&m->latency[i]));
	wjson_add(j, "latency", o);

	o = json_object_new_array();
	if (sc->n_queues > 0) {
		fprintf(out, "  fairness       queue shares from %s",
		        fairness_source(sls->fairness));
		if (sc->fairness_from_ms >= 0 && to > 0)
			fprintf(out, ", judged from %.0f s to %.0f s (tolerance %.1f points)\n",
			        from, to, sc->fairness_tolerance);
		else if (sc->fairness_from_ms >= 0)
			fprintf(out, ", judged from %.0f s to the end (tolerance %.1f points)\n",
			        from, sc->fairness_tolerance);
		else
			fprintf(out, " (no fairness window in the scenario: shown, not judged)\n");
		fprintf(out, "    %-24s %10s %8s %8s %8s  %s\n", "queue", "guarantee", "mean",
		        "min", "max", "verdict");
		for (int i = 0; i < sc->n_queues; i++) {
			struct metrics_queue_verdict v;
			struct json_object *q = wjson_new_object();
			bool judged = sc->fairness_from_ms >= 0;

			metrics_queue(m, i, judged ? from : 0, judged ? to : -1, &v);
			fprintf(out, "    %-24s %9.1f%% %7.1f%% %7.1f%% %7.1f%%  %s\n",
			        sc->queues[i].path, v.guarantee, v.mean, v.n > 0 ? v.min : -1,
			        v.max,
			        !judged  ? "-"
			        : v.pass ? "within tolerance"
			                 : "OUTSIDE tolerance");
			if (judged && !v.pass)
				pass = false;
			wjson_add_string(q, "queue", sc->queues[i].path);
			wjson_add_double(q, "guarantee", v.guarantee);
			wjson_add_double(q, "meanShare", v.mean);
			wjson_add_double(q, "minShare", v.n > 0 ? v.min : -1);
			wjson_add_double(q, "maxShare", v.max);
			if (judged)
				wjson_add_bool(q, "pass", v.pass);
			json_object_array_add(o, q);
		}
		/* Shares over time, ten rows at most. */
		fprintf(out, "    share over time (percent of the cluster):\n    %8s", "t");
		for (int i = 0; i < sc->n_queues; i++)
			fprintf(out, " %10.10s", sc->queues[i].path);
		fprintf(out, "\n");
		for (size_t k = 0, step = m->n_samples / 10 + 1; k < m->n_samples; k += step) {
			fprintf(out, "    %7.0fs", m->samples[k].t);
			for (int i = 0; i < sc->n_queues; i++)
				fprintf(out, " %9.1f%%", m->samples[k].share[i]);
			fprintf(out, "\n");
		}
	}
	wjson_add(j, "queues", o);
	/* Apps still running when the duration is up are not a failure (a
	 * scenario may measure a window of a longer workload). */
	if (m->counter[M_APPS_FAILED] > 0)
		pass = false;
	wjson_add_bool(j, "pass", pass);
	fflush(out);
	if (json_path != NULL) {
		FILE *f = fopen(json_path, "w");

		if (f == NULL) {
			log_warn("%s: cannot write the summary", json_path);
		} else {
			fprintf(f, "%s\n",
			        json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY));
			fclose(f);
		}
	}
	json_object_put(j);
	if (series_path != NULL)
		metrics_write_series(m, series_path);
	return pass;
}
