/*
 * rest_load.c — a benchmark client, not a test: N keep-alive connections
 * from this host, each asking GET PATH of a weft-rm over and over for S
 * seconds, plus one probe connection asking PROBE_PATH (e.g. the cluster
 * metrics) once every 100 ms.  It prints the answers per second and the
 * latency of the 200 answers (request written to last body byte), how
 * many connections the RM refused (429: the per-address cap; the client
 * then waits the Retry-After second and connects again) and how many
 * failed.  Used by tests/bench/rest_load.sh.  With REST_LOAD_SOURCE=IP the
 * readers connect from that address (e.g. 127.0.0.2), the probe from the
 * default one.
 *
 *   rest_load HOST:PORT PATH CLIENTS SECONDS [PROBE_PATH]
 */
#include "weft_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

/* Latencies kept (microseconds), per kind. */
struct samples {
	int64_t *us;
	size_t n, cap;
};

struct load;

struct client {
	struct load *load;
	bool probe;
	int fd;
	struct event *ev;    /* read (and write while connecting) */
	struct event *retry; /* reconnect after a refusal */
	struct evbuffer *in;
	int64_t sent_us;
	bool awaiting; /* a request is out, its answer not complete */
	int64_t want;  /* body bytes expected, -1 = head not parsed */
	int status;
	size_t head_len;
};

struct load {
	struct event_base *base;
	struct sockaddr_in addr;
	struct sockaddr_in source; /* of the readers; sin_family 0 = any */
	const char *path, *probe_path;
	char *request, *probe_request;
	struct samples ok, probe;
	long refused, failed, other;
	bool stopping;
};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void samples_add(struct samples *s, int64_t v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		s->us = realloc(s->us, s->cap * sizeof *s->us);
		if (s->us == NULL)
			abort();
	}
	s->us[s->n++] = v;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile in ms (samples sorted). */
static double quantile_ms(const struct samples *s, double q)
{
	size_t i;

	if (s->n == 0)
		return -1;
	i = (size_t)(q * (double)(s->n - 1) + 0.5);
	return (double)s->us[i] / 1000.0;
}

static void client_connect(struct client *c);

/* Send the next request on an open connection. */
static void client_send(struct client *c)
{
	const char *r = c->probe ? c->load->probe_request : c->load->request;
	size_t len = strlen(r), off = 0;

	c->sent_us = now_us();
	c->awaiting = true;
	c->want = -1;
	c->status = 0;
	while (off < len) {
		ssize_t n = write(c->fd, r + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* a request is small: the socket takes it whole */
		off += (size_t)n;
	}
}

/* Close and come back after delay_ms. */
static void client_drop(struct client *c, int delay_ms)
{
	struct timeval tv = {delay_ms / 1000, (delay_ms % 1000) * 1000};

	if (c->ev != NULL) {
		event_free(c->ev);
		c->ev = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->awaiting = false;
	evbuffer_drain(c->in, evbuffer_get_length(c->in));
	if (!c->load->stopping)
		evtimer_add(c->retry, &tv);
}

/* A whole answer arrived. */
static void client_answered(struct client *c)
{
	int64_t dt = now_us() - c->sent_us;

	c->awaiting = false;
	if (c->status == 200) {
		samples_add(c->probe ? &c->load->probe : &c->load->ok, dt);
	} else if (c->status == 429) {
		c->load->refused++;
		client_drop(c, 1000);
		return;
	} else {
		c->load->other++;
	}
	if (c->probe) {
		struct timeval tv = {0, 100000};

		/* One probe every 100 ms, on the same connection. */
		event_del(c->ev);
		evtimer_add(c->retry, &tv);
		return;
	}
	client_send(c);
}

/* Parse what arrived: one answer at a time. */
static void client_parse(struct client *c)
{
	for (;;) {
		size_t have = evbuffer_get_length(c->in);

		if (c->want < 0) {
			struct evbuffer_ptr p = evbuffer_search(c->in, "\r\n\r\n", 4, NULL);
			char *head, *cl;

			if (p.pos < 0)
				return;
			c->head_len = (size_t)p.pos + 4;
			head = malloc(c->head_len + 1);
			evbuffer_copyout(c->in, head, c->head_len);
			head[c->head_len] = '\0';
			c->status = atoi(head + 9);
			cl = strcasestr(head, "\r\nContent-Length:");
			c->want = cl != NULL ? atoll(cl + 17) : 0;
			free(head);
		}
		if (have < c->head_len + (size_t)c->want)
			return;
		evbuffer_drain(c->in, c->head_len + (size_t)c->want);
		client_answered(c);
		if (c->fd < 0 || c->probe)
			return;
	}
}

static void client_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	int n;

	(void)what;
	for (;;) {
		n = evbuffer_read(c->in, fd, 256 * 1024);
		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0 && errno == EINTR)
			continue;
		/* EOF or error: a refusal closes after its answer. */
		client_parse(c);
		if (c->fd >= 0) {
			c->load->failed++;
			client_drop(c, 1000);
		}
		return;
	}
	client_parse(c);
}

/* Connected (or not). */
static void client_connected_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	int err = 0;
	socklen_t len = sizeof err;

	(void)what;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	event_free(c->ev);
	c->ev = NULL;
	if (err != 0) {
		c->load->failed++;
		client_drop(c, 1000);
		return;
	}
	c->ev = event_new(c->load->base, fd, EV_READ | EV_PERSIST, client_read_cb, c);
	event_add(c->ev, NULL);
	client_send(c);
}

static void client_connect(struct client *c)
{
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		perror("socket");
		exit(1);
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	/* The readers come from their own address (REST_LOAD_SOURCE), as
	 * from another host: the probe, weft-submit and the NM keep theirs. */
	if (!c->probe && c->load->source.sin_family == AF_INET &&
	    bind(c->fd, (struct sockaddr *)&c->load->source, sizeof c->load->source) != 0) {
		perror("bind REST_LOAD_SOURCE");
		exit(1);
	}
	if (connect(c->fd, (struct sockaddr *)&c->load->addr, sizeof c->load->addr) != 0 &&
	    errno != EINPROGRESS) {
		c->load->failed++;
		client_drop(c, 1000);
		return;
	}
	c->ev = event_new(c->load->base, c->fd, EV_WRITE, client_connected_cb, c);
	event_add(c->ev, NULL);
}

/* Retry timer: reconnect, or (probe) ask again. */
static void client_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;

	(void)fd;
	(void)what;
	if (c->load->stopping)
		return;
	if (c->fd < 0) {
		client_connect(c);
	} else {
		event_add(c->ev, NULL);
		client_send(c);
	}
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct load *l = arg;

	(void)fd;
	(void)what;
	l->stopping = true;
	event_base_loopbreak(l->base);
}

int main(int argc, char **argv)
{
	struct load l;
	struct client *clients;
	char *host, *colon;
	int n, seconds;
	struct event *stop;
	struct timeval tv;
	int64_t t0, t1;

	if (argc < 5) {
		fprintf(stderr, "usage: rest_load HOST:PORT PATH CLIENTS SECONDS [PROBE_PATH]\n");
		return 2;
	}
	memset(&l, 0, sizeof l);
	host = strdup(argv[1]);
	colon = strrchr(host, ':');
	if (colon == NULL)
		return 2;
	*colon = '\0';
	l.addr.sin_family = AF_INET;
	l.addr.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &l.addr.sin_addr) != 1) {
		fprintf(stderr, "rest_load: %s: an IPv4 address please\n", host);
		return 2;
	}
	if (getenv("REST_LOAD_SOURCE") != NULL) {
		l.source.sin_family = AF_INET;
		if (inet_pton(AF_INET, getenv("REST_LOAD_SOURCE"), &l.source.sin_addr) != 1) {
			fprintf(stderr, "rest_load: REST_LOAD_SOURCE: an IPv4 address please\n");
			return 2;
		}
	}
	l.path = argv[2];
	n = atoi(argv[3]);
	seconds = atoi(argv[4]);
	l.probe_path = argc > 5 ? argv[5] : NULL;
	if (asprintf(&l.request, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", l.path, argv[1]) < 0 ||
	    (l.probe_path != NULL &&
	     asprintf(&l.probe_request, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", l.probe_path,
	              argv[1]) < 0))
		return 1;
	l.base = event_base_new();
	clients = calloc((size_t)n + 1, sizeof *clients);
	for (int i = 0; i < n + (l.probe_path != NULL); i++) {
		struct client *c = &clients[i];

		c->load = &l;
		c->fd = -1;
		c->probe = i == n;
		c->in = evbuffer_new();
		c->retry = evtimer_new(l.base, client_retry_cb, c);
		client_connect(c);
	}
	tv.tv_sec = seconds;
	tv.tv_usec = 0;
	stop = evtimer_new(l.base, stop_cb, &l);
	evtimer_add(stop, &tv);
	t0 = now_us();
	event_base_dispatch(l.base);
	t1 = now_us();
	/* Requests still unanswered at the end count too: their age so far
	 * is a lower bound of their latency. */
	{
		long waiting = 0;
		int64_t oldest = 0;

		for (int i = 0; i < n; i++) {
			struct client *c = &clients[i];

			if (c->fd >= 0 && c->awaiting) {
				waiting++;
				if (t1 - c->sent_us > oldest)
					oldest = t1 - c->sent_us;
			}
		}
		printf("unanswered_at_end=%ld oldest_unanswered_ms=%.1f ", waiting,
		       (double)oldest / 1000.0);
	}
	qsort(l.ok.us, l.ok.n, sizeof *l.ok.us, cmp_i64);
	qsort(l.probe.us, l.probe.n, sizeof *l.probe.us, cmp_i64);
	printf("answers=%zu answers_per_s=%.1f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f "
	       "refused_429=%ld failed=%ld other_status=%ld probe_n=%zu probe_p50_ms=%.1f "
	       "probe_p99_ms=%.1f probe_max_ms=%.1f\n",
	       l.ok.n, (double)l.ok.n * 1e6 / (double)(t1 - t0), quantile_ms(&l.ok, 0.5),
	       quantile_ms(&l.ok, 0.99), quantile_ms(&l.ok, 1.0), l.refused, l.failed, l.other,
	       l.probe.n, quantile_ms(&l.probe, 0.5), quantile_ms(&l.probe, 0.99),
	       quantile_ms(&l.probe, 1.0));
	return 0;
}
