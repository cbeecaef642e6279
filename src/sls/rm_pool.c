/*
 * rm_pool.c — the simulator's connection pool to the RM, as a libweft
 * client transport (rm_pool.h).
 *
 * A try waits in the FIFO until a connection is idle, then goes out on
 * it; its answer frees the connection for the next.  One try per
 * connection keeps ordering and accounting simple, and a few hundred
 * connections keep a single-threaded RM saturated (it serves one request
 * at a time anyway).  The weft_client above decides what a failure means
 * (retry, back off, give up); the pool only says whether an answer came,
 * and whether the request left at all.
 *
 * The direct wire writes each request with one send() and reads the
 * answer into a per-connection buffer (status line, Content-Length,
 * Retry-After, body: weft's HTTP server always sets the length).  It
 * exists because measuring showed evhttp's client spent as much CPU per
 * call as the RM spent serving it (header lists, per-request
 * allocations), and libcurl more still, which made the simulator, not the
 * RM, the limit.  The curl wire (libweft's default transport) stays
 * selectable for comparison.
 */
#include "weft_config.h"

#include "sls/rm_pool.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/http_client.h"
#include "common/log.h"
#include "common/net.h"
#include "common/xmalloc.h"
#include "lib/client_internal.h"
#include "sls/sls.h"
#include "weft/client.h"

#define RM_POOL_MAX_HEAD    (64 * 1024)
#define RM_POOL_MAX_BODY    ((size_t)256 * 1024 * 1024)
#define RM_POOL_MAX_HEADERS 32

/* One try: a flat copy of what the client asked to send (one allocation,
 * the strings in data[]). */
struct rm_pool_try {
	TAILQ_ENTRY(rm_pool_try) link;
	struct rm_pool *pool;
	struct rm_pool_slot *slot; /* on the wire there, or NULL (waiting) */
	const char *method;
	const char *target;
	const char *headers[RM_POOL_MAX_HEADERS + 1];
	const char *body; /* NULL: none */
	size_t len;
	long timeout_ms;
	http_response_cb cb;
	void *arg;
	bool cancelled;    /* on the direct wire: its answer is read and dropped */
	void *curl;        /* curl wire: the transport's handle */
	const char *error; /* failed before it went out */
	bool not_delivered;
	int64_t sent_us;
	char data[];
};
TAILQ_HEAD(rm_pool_try_list, rm_pool_try);

struct rm_pool_slot {
	struct rm_pool *pool;
	struct rm_pool_try *t; /* on the wire, or NULL (idle) */
	/* direct wire */
	int fd; /* -1: not connected */
	bool connecting;
	bool sent_any; /* some bytes of t's request left */
	struct event *rd, *wr;
	char *out;
	size_t out_len, out_off, out_cap;
	char *in;
	size_t in_len, in_cap;
};

struct rm_pool {
	struct event_base *base;
	enum rm_pool_wire wire;
	char *address;     /* "host:port" */
	char *url;         /* "http://host:port": the only base URL served */
	char *host_header; /* "Host: host:port\r\n" */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	struct http_client *curl;
	struct rm_pool_slot *slots;
	int n_slots;
	int *idle; /* stack of idle slot indexes */
	int n_idle;
	struct rm_pool_try_list waiting;
	int n_waiting;
	struct event *pump; /* sends waiting tries from the loop */
	int64_t answered;
	int64_t busy;       /* answers 429 or 503 */
	int64_t service_us; /* of the answer being delivered */
};

static const struct client_transport rm_pool_transport;

static void rm_pool_pump(struct rm_pool *pool);

/* The pump event: waiting tries go out on idle connections. */
static void rm_pool_pump_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	rm_pool_pump(arg);
}

struct rm_pool *rm_pool_new(struct event_base *base, const char *address, enum rm_pool_wire wire,
                            int connections, char **cause)
{
	struct rm_pool *pool;
	struct addrinfo hints, *ai = NULL;
	char *host = NULL, port_text[16];
	int port = 0, rc;

	if (net_parse_address(address, &host, &port, cause) != 0)
		return NULL;
	if (port == 0) {
		free(host);
		set_cause(cause, "RM address %s: needs a port", address);
		return NULL;
	}
	/* This host, as weft_client takes a wildcard (the same base URL). */
	if (net_is_wildcard(host)) {
		free(host);
		host = xstrdup("127.0.0.1");
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port_text, sizeof port_text, "%d", port);
	if ((rc = getaddrinfo(host, port_text, &hints, &ai)) != 0 || ai == NULL) {
		set_cause(cause, "RM address %s: %s", address, gai_strerror(rc));
		free(host);
		return NULL;
	}
	if (connections < 1)
		connections = 1;
	pool = xcalloc(1, sizeof *pool);
	memcpy(&pool->addr, ai->ai_addr, ai->ai_addrlen);
	pool->addr_len = ai->ai_addrlen;
	freeaddrinfo(ai);
	pool->base = base;
	pool->wire = wire;
	pool->address = net_format_address(host, port);
	free(host);
	pool->url = xasprintf("http://%s", pool->address);
	pool->host_header = xasprintf("Host: %s\r\n", pool->address);
	TAILQ_INIT(&pool->waiting);
	pool->n_slots = connections;
	pool->slots = xcalloc((size_t)connections, sizeof *pool->slots);
	pool->idle = xcalloc((size_t)connections, sizeof *pool->idle);
	for (int i = connections - 1; i >= 0; i--) {
		pool->slots[i].pool = pool;
		pool->slots[i].fd = -1;
		pool->idle[pool->n_idle++] = i;
	}
	pool->pump = event_new(base, -1, 0, rm_pool_pump_cb, pool);
	if (pool->pump == NULL)
		fatalx("event_new failed");
	if (wire == RM_POOL_CURL)
		pool->curl = http_client_new(base);
	return pool;
}

struct weft_client *rm_pool_client(struct rm_pool *pool, const char *user, char **cause)
{
	struct weft_client_options o = {
	        .rm_addresses = pool->address,
	        .user = user,
	        .call_timeout_ms = RM_POOL_TIMEOUT_MS,
	};
	struct weft_client *c = weft_client_new(pool->base, &o, cause);

	if (c != NULL)
		client_set_transport(c, &rm_pool_transport, pool);
	return c;
}

/* Close a direct connection (its try, if any, is the caller's). */
static void rm_pool_direct_close(struct rm_pool_slot *s)
{
	if (s->rd != NULL) {
		event_free(s->rd);
		event_free(s->wr);
		s->rd = s->wr = NULL;
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->connecting = false;
	s->out_len = s->out_off = 0;
	s->in_len = 0;
}

/* Drop waiting and wired tries without callbacks, close every connection. */
void rm_pool_free(struct rm_pool *pool)
{
	struct rm_pool_try *t;

	if (pool == NULL)
		return;
	while ((t = TAILQ_FIRST(&pool->waiting)) != NULL) {
		TAILQ_REMOVE(&pool->waiting, t, link);
		free(t);
	}
	for (int i = 0; i < pool->n_slots; i++) {
		struct rm_pool_slot *s = &pool->slots[i];

		/* The curl client is freed (cancelling its calls) below. */
		rm_pool_direct_close(s);
		free(s->out);
		free(s->in);
		free(s->t);
	}
	http_client_free(pool->curl);
	event_free(pool->pump);
	free(pool->slots);
	free(pool->idle);
	free(pool->address);
	free(pool->url);
	free(pool->host_header);
	free(pool);
}

/* Give a slot back (the caller pumps).  Open connections are reused
 * first: a closed one goes to the bottom of the idle stack, so that an
 * RM that caps connections per address (429, closed) is not asked for
 * new ones while it holds the ones it accepted. */
static void rm_pool_release(struct rm_pool_slot *s)
{
	struct rm_pool *pool = s->pool;
	int index = (int)(s - pool->slots);

	s->t = NULL;
	if (pool->wire == RM_POOL_DIRECT && s->fd < 0 && pool->n_idle > 0) {
		memmove(pool->idle + 1, pool->idle, (size_t)pool->n_idle * sizeof *pool->idle);
		pool->idle[0] = index;
		pool->n_idle++;
		return;
	}
	pool->idle[pool->n_idle++] = index;
}

/* A try is over: free its slot, tell the client, send the next. */
static void rm_pool_finish(struct rm_pool_try *t, const struct http_response *resp)
{
	struct rm_pool *pool = t->pool;

	pool->answered++;
	if (resp->status == 429 || resp->status == 503)
		pool->busy++;
	pool->service_us = sls_now_us() - t->sent_us;
	if (t->slot != NULL)
		rm_pool_release(t->slot);
	if (!t->cancelled)
		t->cb(resp, t->arg);
	free(t);
	rm_pool_pump(pool);
}

/* No answer came (why); not_delivered when the request never left. */
static void rm_pool_finish_none(struct rm_pool_try *t, const char *why, bool not_delivered)
{
	struct http_response resp = {
	        .status = 0,
	        .body = "",
	        .error = why,
	        .content_length = -1,
	        .retry_after_s = -1,
	        .not_delivered = not_delivered,
	};

	rm_pool_finish(t, &resp);
}

/* A try that failed before it left: answer it from the loop, never from
 * inside request() (the client's contract), nor from inside rm_pool_pump
 * (an RM that is down would otherwise fail thousands of tries in one
 * deep recursion). */
static void rm_pool_fail_later_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rm_pool_try *t = arg;

	(void)fd;
	(void)what;
	rm_pool_finish_none(t, t->error, t->not_delivered);
}

/* Answer t with "no answer" (why) from the next loop turn. */
static void rm_pool_fail_later(struct rm_pool_try *t, const char *why, bool not_delivered)
{
	struct timeval zero = {0, 0};

	t->error = why;
	t->not_delivered = not_delivered;
	if (event_base_once(t->pool->base, -1, EV_TIMEOUT, rm_pool_fail_later_cb, t, &zero) != 0)
		fatalx("event_base_once failed");
}

/* --- direct wire --- */

/* The connection failed or closed under a try: close, answer "none". */
static void rm_pool_direct_fail(struct rm_pool_slot *s, const char *why)
{
	struct rm_pool_try *t = s->t;
	bool not_delivered = s->connecting || !s->sent_any;

	rm_pool_direct_close(s);
	if (t != NULL) {
		log_debug("%s %s: %s", t->method, t->target, why);
		rm_pool_finish_none(t, why, not_delivered);
	}
}

/* Write what is buffered; watch for writability while some is left. */
static void rm_pool_direct_flush(struct rm_pool_slot *s)
{
	while (s->out_off < s->out_len) {
		ssize_t n = send(s->fd, s->out + s->out_off, s->out_len - s->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			event_add(s->wr, NULL);
			return;
		}
		if (n <= 0) {
			struct rm_pool_try *t = s->t;
			bool not_delivered = !s->sent_any;

			log_debug("send to %s: %s", s->pool->url, strerror(errno));
			rm_pool_direct_close(s);
			if (t != NULL)
				rm_pool_fail_later(t, "connection lost while sending",
				                   not_delivered);
			return;
		}
		s->sent_any = true;
		s->out_off += (size_t)n;
	}
	s->out_len = s->out_off = 0;
	event_del(s->wr);
}

/* The answer head's fields the client needs. */
struct rm_pool_head {
	long status;
	int64_t content_length; /* -1: none */
	int64_t retry_after_s;  /* -1: none */
	bool close_after;
};

/* A whole answer in s->in?  RET bytes it takes (0: not yet, -1: bad),
 * with *h, *body and *body_len. */
static ssize_t rm_pool_direct_parse(struct rm_pool_slot *s, bool eof, struct rm_pool_head *h,
                                    const char **body, size_t *body_len)
{
	char *end = memmem(s->in, s->in_len, "\r\n\r\n", 4), *p;
	size_t head_len, length;
	int code;

	if (end == NULL)
		return s->in_len > RM_POOL_MAX_HEAD ? -1 : 0;
	head_len = (size_t)(end - s->in) + 4;
	*end = '\0';
	if (sscanf(s->in, "HTTP/1.%*d %d", &code) != 1) {
		*end = '\r';
		return -1;
	}
	h->status = code;
	h->content_length = -1;
	h->retry_after_s = -1;
	h->close_after = false;
	for (p = strstr(s->in, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
		const char *v = p + 2;

		if (strncasecmp(v, "Content-Length:", 15) == 0) {
			h->content_length = (int64_t)strtoull(v + 15, NULL, 10);
		} else if (strncasecmp(v, "Retry-After:", 12) == 0) {
			char *num_end;
			long long secs = strtoll(v + 12, &num_end, 10);

			/* Seconds only (an HTTP date reads as none). */
			if (num_end != v + 12 && secs >= 0 &&
			    (*num_end == '\0' || *num_end == '\r' || *num_end == ' '))
				h->retry_after_s = secs;
		} else if (strncasecmp(v, "Connection:", 11) == 0 &&
		           strncasecmp(v + 11 + strspn(v + 11, " "), "close", 5) == 0) {
			h->close_after = true;
		}
	}
	*end = '\r';
	if (h->content_length > (int64_t)RM_POOL_MAX_BODY)
		return -1;
	if (h->content_length < 0) {
		/* Delimited by the end of the connection. */
		if (!eof)
			return 0;
		length = s->in_len - head_len;
		h->close_after = true;
	} else {
		length = (size_t)h->content_length;
	}
	if (s->in_len < head_len + length)
		return 0;
	*body = s->in + head_len;
	*body_len = length;
	return (ssize_t)(head_len + length);
}

/* Hand a whole answer (inside s->in) to its try: NUL-terminated for the
 * call, as the client's contract says (s->in has a spare byte). */
static void rm_pool_direct_answer(struct rm_pool_try *t, const struct rm_pool_head *h,
                                  const char *body, size_t len)
{
	char *after = (char *)body + len, saved = *after;
	struct http_response resp = {
	        .status = h->status,
	        .body = body,
	        .body_len = len,
	        .content_length = h->content_length,
	        .retry_after_s = h->retry_after_s,
	};

	*after = '\0';
	rm_pool_finish(t, &resp);
	*after = saved;
}

/* Read everything there is into s->in.  RET 0 (*eof at the end), or -1
 * after failing the try. */
static int rm_pool_direct_read(struct rm_pool_slot *s, bool *eof)
{
	for (;;) {
		ssize_t n;

		if (s->in_cap - s->in_len < 4096) {
			s->in_cap = s->in_cap == 0 ? 16384 : s->in_cap * 2;
			s->in = xrealloc(s->in, s->in_cap + 1);
		}
		n = recv(s->fd, s->in + s->in_len, s->in_cap - s->in_len, 0);
		if (n > 0) {
			s->in_len += (size_t)n;
			if (s->in_len < s->in_cap)
				return 0; /* drained the socket */
			continue;
		}
		if (n == 0) {
			*eof = true;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		rm_pool_direct_fail(s, strerror(errno));
		return -1;
	}
}

/* Bytes (or the end) on a direct connection: answer the try once whole. */
static void rm_pool_direct_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rm_pool_slot *s = arg;
	struct rm_pool_try *t;
	struct rm_pool_head h;
	const char *body = NULL;
	size_t body_len = 0;
	bool eof = false;
	ssize_t used;

	(void)fd;
	if (what & EV_TIMEOUT) {
		if (s->t != NULL)
			rm_pool_direct_fail(s, "timed out");
		return;
	}
	if (rm_pool_direct_read(s, &eof) != 0)
		return;
	if ((t = s->t) == NULL) {
		/* The RM closed an idle connection (or sent what nobody asked). */
		rm_pool_direct_close(s);
		return;
	}
	used = rm_pool_direct_parse(s, eof, &h, &body, &body_len);
	if (used < 0) {
		rm_pool_direct_fail(s, "malformed answer");
		return;
	}
	if (used == 0) {
		if (eof)
			rm_pool_direct_fail(s, "connection closed before the answer");
		return;
	}
	if (h.close_after || eof) {
		/* The body stays readable in the buffer while the try is
		 * answered; the socket goes now. */
		char *keep = s->in;
		size_t keep_cap = s->in_cap;

		s->in = NULL;
		s->in_cap = 0;
		rm_pool_direct_close(s);
		rm_pool_direct_answer(t, &h, body, body_len);
		if (s->in == NULL) {
			s->in = keep;
			s->in_cap = keep_cap;
		} else {
			free(keep);
		}
		return;
	}
	event_add(s->rd, NULL); /* idle: no timeout */
	rm_pool_direct_answer(t, &h, body, body_len);
	/* Nothing more was read meanwhile (one try per connection); a try
	 * sent from the callback may have lost the connection, emptying the
	 * buffer. */
	if (s->in_len >= (size_t)used) {
		memmove(s->in, s->in + used, s->in_len - (size_t)used);
		s->in_len -= (size_t)used;
	}
}

/* Writable: the connect finished (or failed), or room for the rest of a
 * request. */
static void rm_pool_direct_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rm_pool_slot *s = arg;

	(void)what;
	if (s->connecting) {
		int err = 0;
		socklen_t len = sizeof err;

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
			rm_pool_direct_fail(s, strerror(err != 0 ? err : errno));
			return;
		}
		s->connecting = false;
	}
	rm_pool_direct_flush(s);
}

/* Open the slot's connection (non-blocking).  RET 0 / -1. */
static int rm_pool_direct_connect(struct rm_pool_slot *s)
{
	struct rm_pool *pool = s->pool;
	int one = 1;

	s->fd = socket(pool->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -1;
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(s->fd, (struct sockaddr *)&pool->addr, pool->addr_len) != 0) {
		if (errno != EINPROGRESS) {
			close(s->fd);
			s->fd = -1;
			return -1;
		}
		s->connecting = true;
	}
	s->rd = event_new(pool->base, s->fd, EV_READ | EV_PERSIST, rm_pool_direct_read_cb, s);
	s->wr = event_new(pool->base, s->fd, EV_WRITE | EV_PERSIST, rm_pool_direct_write_cb, s);
	if (s->rd == NULL || s->wr == NULL)
		fatalx("event_new failed");
	event_add(s->rd, NULL);
	return 0;
}

/* Append bytes to the slot's output. */
static void rm_pool_direct_put(struct rm_pool_slot *s, const char *data, size_t len)
{
	if (s->out_len + len > s->out_cap) {
		while (s->out_len + len > s->out_cap)
			s->out_cap = s->out_cap == 0 ? 4096 : s->out_cap * 2;
		s->out = xrealloc(s->out, s->out_cap);
	}
	memcpy(s->out + s->out_len, data, len);
	s->out_len += len;
}

/* Append a NUL-terminated string to the slot's output. */
static void rm_pool_direct_puts(struct rm_pool_slot *s, const char *text)
{
	rm_pool_direct_put(s, text, strlen(text));
}

/* Write one request (connecting first if need be) and time it. */
static void rm_pool_direct_send(struct rm_pool_slot *s, struct rm_pool_try *t)
{
	struct rm_pool *pool = s->pool;
	struct timeval tv = {(time_t)(t->timeout_ms / 1000),
	                     (suseconds_t)(t->timeout_ms % 1000) * 1000};
	char length[48];

	if (s->fd < 0 && rm_pool_direct_connect(s) != 0) {
		log_warn("cannot connect to %s: %s", pool->url, strerror(errno));
		rm_pool_fail_later(t, "cannot connect", true);
		return;
	}
	s->sent_any = false;
	rm_pool_direct_puts(s, t->method);
	rm_pool_direct_put(s, " ", 1);
	rm_pool_direct_puts(s, t->target);
	rm_pool_direct_put(s, " HTTP/1.1\r\n", 11);
	rm_pool_direct_puts(s, pool->host_header);
	for (int i = 0; t->headers[i] != NULL; i++) {
		rm_pool_direct_puts(s, t->headers[i]);
		rm_pool_direct_put(s, "\r\n", 2);
	}
	rm_pool_direct_put(s, length,
	                   (size_t)snprintf(length, sizeof length, "Content-Length: %zu\r\n\r\n",
	                                    t->body != NULL ? t->len : 0));
	if (t->body != NULL)
		rm_pool_direct_put(s, t->body, t->len);
	event_add(s->rd, &tv); /* a try is out: time it */
	if (s->connecting)
		event_add(s->wr, NULL);
	else
		rm_pool_direct_flush(s);
}

/* --- curl wire: libweft's default transport --- */

/* curl: the answer, as it is. */
static void rm_pool_curl_done_cb(const struct http_response *resp, void *arg)
{
	struct rm_pool_try *t = arg;

	t->curl = NULL;
	if (resp->status == 0)
		log_debug("%s %s: %s", t->method, t->target, resp->error);
	rm_pool_finish(t, resp);
}

/* One request through libcurl. */
static void rm_pool_curl_send(struct rm_pool_slot *s, struct rm_pool_try *t)
{
	struct client_try ct = {
	        .method = t->method,
	        .base_url = s->pool->url,
	        .target = t->target,
	        .headers = t->headers,
	        .body = t->body,
	        .len = t->len,
	        .timeout_ms = t->timeout_ms,
	};

	t->curl = client_curl_transport.request(s->pool->curl, &ct, rm_pool_curl_done_cb, t);
}

/* --- the pool --- */

/* Put a try on the wire on slot s. */
static void rm_pool_send(struct rm_pool *pool, struct rm_pool_slot *s, struct rm_pool_try *t)
{
	t->slot = s;
	s->t = t;
	t->sent_us = sls_now_us();
	if (pool->wire == RM_POOL_DIRECT)
		rm_pool_direct_send(s, t);
	else
		rm_pool_curl_send(s, t);
}

/* Move waiting tries onto idle connections. */
static void rm_pool_pump(struct rm_pool *pool)
{
	struct rm_pool_try *t;

	while (pool->n_idle > 0 && (t = TAILQ_FIRST(&pool->waiting)) != NULL) {
		TAILQ_REMOVE(&pool->waiting, t, link);
		pool->n_waiting--;
		rm_pool_send(pool, &pool->slots[pool->idle[--pool->n_idle]], t);
	}
}

/* Copy text into the try's data at *at. */
static const char *rm_pool_copy(struct rm_pool_try *t, size_t *at, const char *text, size_t len)
{
	char *to = t->data + *at;

	memcpy(to, text, len);
	to[len] = '\0';
	*at += len + 1;
	return to;
}

/* The transport's request(): queue a flat copy of the try. */
static void *rm_pool_request(void *state, const struct client_try *ct, http_response_cb cb,
                             void *arg)
{
	struct rm_pool *pool = state;
	struct rm_pool_try *t;
	size_t size = strlen(ct->method) + strlen(ct->target) + 2, at = 0;
	int n = 0;

	while (ct->headers != NULL && ct->headers[n] != NULL)
		size += strlen(ct->headers[n++]) + 1;
	if (ct->body != NULL)
		size += ct->len + 1;
	t = xmalloc(sizeof *t + size);
	memset(t, 0, sizeof *t);
	t->pool = pool;
	t->method = rm_pool_copy(t, &at, ct->method, strlen(ct->method));
	t->target = rm_pool_copy(t, &at, ct->target, strlen(ct->target));
	for (int i = 0; i < n && i < RM_POOL_MAX_HEADERS; i++)
		t->headers[i] = rm_pool_copy(t, &at, ct->headers[i], strlen(ct->headers[i]));
	if (ct->body != NULL) {
		t->body = rm_pool_copy(t, &at, ct->body, ct->len);
		t->len = ct->len;
	}
	t->timeout_ms = ct->timeout_ms > 0 ? ct->timeout_ms : RM_POOL_TIMEOUT_MS;
	t->cb = cb;
	t->arg = arg;
	if (strcmp(ct->base_url, pool->url) != 0 || n > RM_POOL_MAX_HEADERS) {
		/* Not for this pool: it fails, without a slot. */
		log_warn("%s %s%s: weft-sls's pool reaches %s only, with %d headers at most",
		         ct->method, ct->base_url, ct->target, pool->url, RM_POOL_MAX_HEADERS);
		t->sent_us = sls_now_us();
		rm_pool_fail_later(t, "not a request weft-sls's pool can send", true);
		return t;
	}
	TAILQ_INSERT_TAIL(&pool->waiting, t, link);
	pool->n_waiting++;
	rm_pool_pump(pool);
	return t;
}

/* The transport's cancel(): the try's callback will not run. */
static void rm_pool_cancel(void *state, void *handle)
{
	struct rm_pool *pool = state;
	struct rm_pool_try *t = handle;

	if (t->error != NULL || (t->slot != NULL && t->curl == NULL)) {
		/* Failing from the loop, or sent on a direct connection: its
		 * end frees it. */
		t->cancelled = true;
	} else if (t->slot == NULL) {
		TAILQ_REMOVE(&pool->waiting, t, link);
		pool->n_waiting--;
		free(t);
	} else {
		client_curl_transport.cancel(pool->curl, t->curl);
		rm_pool_release(t->slot);
		free(t);
		/* The next waiting try goes out from the loop, not from
		 * inside the client that cancels. */
		if (pool->n_waiting > 0)
			event_active(pool->pump, EV_TIMEOUT, 1);
	}
}

static const struct client_transport rm_pool_transport = {
        .request = rm_pool_request,
        .cancel = rm_pool_cancel,
};

struct weft_call *rm_pool_post(struct weft_client *c, const char *path, const char *header,
                               const char *body, size_t len, weft_call_cb cb, void *arg)
{
	const char *headers[] = {header, NULL};
	struct weft_request req = {
	        .method = "POST",
	        .path = path,
	        .body = body,
	        .len = len,
	        .headers = headers,
	};

	return weft_client_request(c, &req, cb, arg);
}

int64_t rm_pool_service_us(const struct rm_pool *pool)
{
	return pool->service_us;
}

/* Tries waiting for a connection. */
int rm_pool_queued(const struct rm_pool *pool)
{
	return pool->n_waiting;
}

/* Tries ended so far (with or without an answer). */
int64_t rm_pool_answered(const struct rm_pool *pool)
{
	return pool->answered;
}

/* Tries answered 429 or 503. */
int64_t rm_pool_busy(const struct rm_pool *pool)
{
	return pool->busy;
}
