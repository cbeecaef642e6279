/*
 * rm_rpc.c — the simulator's connection pool to the RM.
 *
 * A call waits in the FIFO until a connection is idle, then goes out on
 * it; its answer frees the connection for the next.  One call per
 * connection keeps ordering and accounting simple, and a few hundred
 * connections keep a single-threaded RM saturated (it serves one request
 * at a time anyway).
 *
 * The direct transport writes each request with one send() and reads the
 * answer into a per-connection buffer (status line, Content-Length, body:
 * all weft's daemons send through evhttp, which always sets the length).
 * It exists because measuring showed evhttp's client spent as much CPU
 * per call as the RM spent serving it (header lists, per-request
 * allocations), which made the simulator, not the RM, the limit.  The
 * evhttp and curl transports stay selectable for comparison.
 */
#include "weft_config.h"

#include "sls/rm_rpc.h"

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
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/http_client.h"
#include "common/log.h"
#include "common/net.h"
#include "common/xmalloc.h"

#define RM_RPC_TIMEOUT_S 60
#define RM_RPC_MAX_HEAD  (64 * 1024)
#define RM_RPC_MAX_BODY  ((size_t)256 * 1024 * 1024)

struct rm_rpc_call {
	TAILQ_ENTRY(rm_rpc_call) link;
	struct rm_rpc *rpc;
	struct rm_rpc_slot *slot;
	char method[8];
	char *target;
	char *header;
	char *body;
	size_t len;
	rm_rpc_cb cb;
	void *arg;
	int64_t queued_us;
	int64_t sent_us;
	struct http_call *curl_call;
};
TAILQ_HEAD(rm_rpc_call_list, rm_rpc_call);

struct rm_rpc_slot {
	struct rm_rpc *rpc;
	struct rm_rpc_call *call;        /* on the wire, or NULL (idle) */
	struct evhttp_connection *evcon; /* evhttp transport */
	/* direct transport */
	int fd; /* -1: not connected */
	bool connecting;
	struct event *rd, *wr;
	char *out;
	size_t out_len, out_off, out_cap;
	char *in;
	size_t in_len, in_cap;
};

struct rm_rpc {
	struct event_base *base;
	enum rm_rpc_transport transport;
	char *host;
	int port;
	char *url; /* "http://host:port" */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	struct http_client *curl;
	struct rm_rpc_slot *slots;
	int n_slots;
	int *idle; /* stack of idle slot indexes */
	int n_idle;
	struct rm_rpc_call_list waiting;
	int n_waiting;
	int n_wire;
	int64_t answered;
};

/* Monotonic microseconds. */
static int64_t rm_rpc_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct rm_rpc *rm_rpc_new(struct event_base *base, const char *address,
                          enum rm_rpc_transport transport, int connections, char **cause)
{
	struct rm_rpc *rpc;
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
	rpc = xcalloc(1, sizeof *rpc);
	memcpy(&rpc->addr, ai->ai_addr, ai->ai_addrlen);
	rpc->addr_len = ai->ai_addrlen;
	freeaddrinfo(ai);
	rpc->base = base;
	rpc->transport = transport;
	rpc->host = host;
	rpc->port = port;
	rpc->url = xasprintf("http://%s", address);
	TAILQ_INIT(&rpc->waiting);
	rpc->n_slots = connections;
	rpc->slots = xcalloc((size_t)connections, sizeof *rpc->slots);
	rpc->idle = xcalloc((size_t)connections, sizeof *rpc->idle);
	for (int i = connections - 1; i >= 0; i--) {
		rpc->slots[i].rpc = rpc;
		rpc->slots[i].fd = -1;
		rpc->idle[rpc->n_idle++] = i;
	}
	if (transport == RM_RPC_CURL)
		rpc->curl = http_client_new(base);
	return rpc;
}

/* Free a call record. */
static void rm_rpc_call_free(struct rm_rpc_call *c)
{
	free(c->target);
	free(c->header);
	free(c->body);
	free(c);
}

/* Close a direct connection (its call, if any, is the caller's). */
static void rm_rpc_direct_close(struct rm_rpc_slot *s)
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

/* Drop waiting and wired calls without callbacks, close every connection. */
void rm_rpc_free(struct rm_rpc *rpc)
{
	struct rm_rpc_call *c;

	if (rpc == NULL)
		return;
	while ((c = TAILQ_FIRST(&rpc->waiting)) != NULL) {
		TAILQ_REMOVE(&rpc->waiting, c, link);
		rm_rpc_call_free(c);
	}
	for (int i = 0; i < rpc->n_slots; i++) {
		struct rm_rpc_slot *s = &rpc->slots[i];

		/* Freeing the connection drops its request without a
		 * callback; the curl client is freed (cancelling) below. */
		if (s->evcon != NULL)
			evhttp_connection_free(s->evcon);
		rm_rpc_direct_close(s);
		free(s->out);
		free(s->in);
		if (s->call != NULL)
			rm_rpc_call_free(s->call);
	}
	http_client_free(rpc->curl);
	free(rpc->slots);
	free(rpc->idle);
	free(rpc->host);
	free(rpc->url);
	free(rpc);
}

static void rm_rpc_pump(struct rm_rpc *rpc);
static void rm_rpc_fail_later(struct rm_rpc_call *c);

/* A call is over: free its slot, tell the caller, send the next. */
static void rm_rpc_finish(struct rm_rpc_call *c, long status, const char *body, size_t len)
{
	struct rm_rpc *rpc = c->rpc;
	struct rm_rpc_reply reply;
	int64_t now = rm_rpc_now_us();

	c->slot->call = NULL;
	rpc->idle[rpc->n_idle++] = (int)(c->slot - rpc->slots);
	rpc->n_wire--;
	rpc->answered++;
	reply.status = status;
	reply.body = body != NULL ? body : "";
	reply.len = body != NULL ? len : 0;
	reply.wait_us = c->sent_us - c->queued_us;
	reply.service_us = now - c->sent_us;
	c->cb(&reply, c->arg);
	rm_rpc_call_free(c);
	rm_rpc_pump(rpc);
}

/* --- direct transport --- */

/* The connection failed or closed under a call: close, answer "none". */
static void rm_rpc_direct_fail(struct rm_rpc_slot *s, const char *why)
{
	struct rm_rpc_call *c = s->call;

	rm_rpc_direct_close(s);
	if (c != NULL) {
		log_debug("%s %s: %s", c->method, c->target, why);
		rm_rpc_finish(c, 0, NULL, 0);
	}
}

/* Write what is buffered; watch for writability while some is left. */
static void rm_rpc_direct_flush(struct rm_rpc_slot *s)
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
			struct rm_rpc_call *c = s->call;

			log_debug("send to %s: %s", s->rpc->url, strerror(errno));
			rm_rpc_direct_close(s);
			if (c != NULL)
				rm_rpc_fail_later(c);
			return;
		}
		s->out_off += (size_t)n;
	}
	s->out_len = s->out_off = 0;
	event_del(s->wr);
}

/* A whole answer in s->in?  RET bytes it takes (0: not yet, -1: bad),
 * with *status, *body and *body_len; *close_after for Connection: close. */
static ssize_t rm_rpc_direct_parse(struct rm_rpc_slot *s, bool eof, long *status, const char **body,
                                   size_t *body_len, bool *close_after)
{
	char *end = memmem(s->in, s->in_len, "\r\n\r\n", 4), *p;
	size_t head_len, length = 0;
	bool have_length = false;
	int code;

	if (end == NULL)
		return s->in_len > RM_RPC_MAX_HEAD ? -1 : 0;
	head_len = (size_t)(end - s->in) + 4;
	*end = '\0';
	if (sscanf(s->in, "HTTP/1.%*d %d", &code) != 1) {
		*end = '\r';
		return -1;
	}
	*close_after = false;
	for (p = strstr(s->in, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
		const char *h = p + 2;

		if (strncasecmp(h, "Content-Length:", 15) == 0) {
			length = strtoull(h + 15, NULL, 10);
			have_length = true;
		} else if (strncasecmp(h, "Connection:", 11) == 0 &&
		           strncasecmp(h + 11 + strspn(h + 11, " "), "close", 5) == 0) {
			*close_after = true;
		}
	}
	*end = '\r';
	if (length > RM_RPC_MAX_BODY)
		return -1;
	if (!have_length) {
		/* Delimited by the end of the connection. */
		if (!eof)
			return 0;
		length = s->in_len - head_len;
		*close_after = true;
	}
	if (s->in_len < head_len + length)
		return 0;
	*status = code;
	*body = s->in + head_len;
	*body_len = length;
	return (ssize_t)(head_len + length);
}

/* Bytes (or the end) on a direct connection: read all, answer the call once whole. */
static void rm_rpc_direct_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rm_rpc_slot *s = arg;
	bool eof = false;

	if (what & EV_TIMEOUT) {
		if (s->call != NULL)
			rm_rpc_direct_fail(s, "timed out");
		return;
	}
	for (;;) {
		ssize_t n;

		if (s->in_cap - s->in_len < 4096) {
			s->in_cap = s->in_cap == 0 ? 16384 : s->in_cap * 2;
			s->in = xrealloc(s->in, s->in_cap + 1);
		}
		n = recv(fd, s->in + s->in_len, s->in_cap - s->in_len, 0);
		if (n > 0) {
			s->in_len += (size_t)n;
			if (s->in_len < s->in_cap)
				break; /* drained the socket */
			continue;
		}
		if (n == 0) {
			eof = true;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		rm_rpc_direct_fail(s, strerror(errno));
		return;
	}
	if (s->call == NULL) {
		/* The RM closed an idle connection (or sent what nobody asked). */
		rm_rpc_direct_close(s);
		return;
	}
	{
		long status = 0;
		const char *body = NULL;
		size_t body_len = 0;
		bool close_after = false;
		ssize_t used = rm_rpc_direct_parse(s, eof, &status, &body, &body_len, &close_after);
		struct rm_rpc_call *c = s->call;

		if (used < 0) {
			rm_rpc_direct_fail(s, "malformed answer");
			return;
		}
		if (used == 0) {
			if (eof)
				rm_rpc_direct_fail(s, "connection closed before the answer");
			return;
		}
		if (close_after || eof) {
			/* The body stays readable in s->in until the slot's next
			 * read; the socket goes now. */
			char *keep = s->in;
			size_t keep_cap = s->in_cap;

			s->in = NULL;
			s->in_cap = 0;
			rm_rpc_direct_close(s);
			rm_rpc_finish(c, status, body, body_len);
			if (s->in == NULL) {
				s->in = keep;
				s->in_cap = keep_cap;
			} else {
				free(keep);
			}
			return;
		}
		event_add(s->rd, NULL); /* idle: no timeout */
		rm_rpc_finish(c, status, body, body_len);
		/* Nothing more was read meanwhile (one call per connection). */
		memmove(s->in, s->in + used, s->in_len - (size_t)used);
		s->in_len -= (size_t)used;
	}
}

/* Writable: the connect finished (or failed), or room for the rest of a request. */
static void rm_rpc_direct_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rm_rpc_slot *s = arg;

	(void)what;
	if (s->connecting) {
		int err = 0;
		socklen_t len = sizeof err;

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
			rm_rpc_direct_fail(s, strerror(err != 0 ? err : errno));
			return;
		}
		s->connecting = false;
	}
	rm_rpc_direct_flush(s);
}

/* Open the slot's connection (non-blocking).  RET 0 / -1. */
static int rm_rpc_direct_connect(struct rm_rpc_slot *s)
{
	struct rm_rpc *rpc = s->rpc;
	int one = 1;

	s->fd = socket(rpc->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -1;
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(s->fd, (struct sockaddr *)&rpc->addr, rpc->addr_len) != 0) {
		if (errno != EINPROGRESS) {
			close(s->fd);
			s->fd = -1;
			return -1;
		}
		s->connecting = true;
	}
	s->rd = event_new(rpc->base, s->fd, EV_READ | EV_PERSIST, rm_rpc_direct_read_cb, s);
	s->wr = event_new(rpc->base, s->fd, EV_WRITE | EV_PERSIST, rm_rpc_direct_write_cb, s);
	if (s->rd == NULL || s->wr == NULL)
		fatalx("event_new failed");
	event_add(s->rd, NULL);
	return 0;
}

/* Append bytes to the slot's output. */
static void rm_rpc_direct_put(struct rm_rpc_slot *s, const char *data, size_t len)
{
	if (s->out_len + len > s->out_cap) {
		while (s->out_len + len > s->out_cap)
			s->out_cap = s->out_cap == 0 ? 4096 : s->out_cap * 2;
		s->out = xrealloc(s->out, s->out_cap);
	}
	memcpy(s->out + s->out_len, data, len);
	s->out_len += len;
}

/* A call that failed before it left: answer it from the loop, not from
 * inside rm_rpc_pump (an RM that is down would otherwise fail thousands
 * of calls in one deep recursion). */
static void rm_rpc_fail_later_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rm_rpc_call *c = arg;

	(void)fd;
	(void)what;
	rm_rpc_finish(c, 0, NULL, 0);
}

/* Answer c with "no answer" from the next loop turn. */
static void rm_rpc_fail_later(struct rm_rpc_call *c)
{
	struct timeval zero = {0, 0};

	if (event_base_once(c->rpc->base, -1, EV_TIMEOUT, rm_rpc_fail_later_cb, c, &zero) != 0)
		fatalx("event_base_once failed");
}

/* Write one request (connecting first if need be) and time it. */
static void rm_rpc_direct_send(struct rm_rpc_slot *s, struct rm_rpc_call *c)
{
	struct rm_rpc *rpc = s->rpc;
	struct timeval tv = {RM_RPC_TIMEOUT_S, 0};
	char head[1024];
	int n;

	if (s->fd < 0 && rm_rpc_direct_connect(s) != 0) {
		log_warn("cannot connect to %s: %s", rpc->url, strerror(errno));
		rm_rpc_fail_later(c);
		return;
	}
	n = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: %s:%d\r\n%s%s%s", c->method,
	             c->target, rpc->host, rpc->port, c->header != NULL ? c->header : "",
	             c->header != NULL ? "\r\n" : "",
	             c->body != NULL ? "Content-Type: application/json\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof head - 40) {
		log_warn("%s %s: request head too long", c->method, c->target);
		rm_rpc_fail_later(c);
		return;
	}
	n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %zu\r\n\r\n",
	              c->body != NULL ? c->len : 0);
	rm_rpc_direct_put(s, head, (size_t)n);
	if (c->body != NULL)
		rm_rpc_direct_put(s, c->body, c->len);
	event_add(s->rd, &tv); /* a call is out: time it */
	if (s->connecting)
		event_add(s->wr, NULL);
	else
		rm_rpc_direct_flush(s);
}

/* --- evhttp and curl transports --- */

/* evhttp: the answer (req NULL or status 0 when none came). */
static void rm_rpc_evhttp_done_cb(struct evhttp_request *req, void *arg)
{
	struct rm_rpc_call *c = arg;
	long status = req != NULL ? evhttp_request_get_response_code(req) : 0;
	struct evbuffer *in = req != NULL ? evhttp_request_get_input_buffer(req) : NULL;
	size_t len = in != NULL ? evbuffer_get_length(in) : 0;
	const char *body = len > 0 ? (const char *)evbuffer_pullup(in, -1) : "";

	if (status == 0)
		log_debug("%s %s: no answer", c->method, c->target);
	rm_rpc_finish(c, status, body, len);
}

/* curl: the answer. */
static void rm_rpc_curl_done_cb(const struct http_response *resp, void *arg)
{
	struct rm_rpc_call *c = arg;

	c->curl_call = NULL;
	if (resp->status == 0)
		log_debug("%s %s: %s", c->method, c->target, resp->error);
	rm_rpc_finish(c, resp->status, resp->body, resp->body_len);
}

/* One request on the slot's evhttp connection (made on first use). */
static void rm_rpc_evhttp_send(struct rm_rpc_slot *s, struct rm_rpc_call *c)
{
	struct rm_rpc *rpc = s->rpc;
	struct evhttp_request *req = evhttp_request_new(rm_rpc_evhttp_done_cb, c);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	if (s->evcon == NULL) {
		s->evcon = evhttp_connection_base_new(rpc->base, NULL, rpc->host,
		                                      (unsigned short)rpc->port);
		if (s->evcon == NULL)
			fatalx("cannot make a connection to %s", rpc->url);
		evhttp_connection_set_timeout(s->evcon, RM_RPC_TIMEOUT_S);
		evhttp_connection_set_retries(s->evcon, 0);
	}
	evhttp_add_header(h, "Host", rpc->host);
	if (c->header != NULL) {
		char *colon = strchr(c->header, ':');

		if (colon != NULL) {
			*colon = '\0';
			evhttp_add_header(h, c->header, colon + 1 + strspn(colon + 1, " "));
			*colon = ':';
		}
	}
	if (c->body != NULL) {
		evhttp_add_header(h, "Content-Type", "application/json");
		evbuffer_add(evhttp_request_get_output_buffer(req), c->body, c->len);
	}
	if (evhttp_make_request(s->evcon, req,
	                        strcmp(c->method, "POST") == 0 ? EVHTTP_REQ_POST : EVHTTP_REQ_GET,
	                        c->target) != 0) {
		log_warn("%s %s: cannot send", c->method, c->target);
		rm_rpc_finish(c, 0, NULL, 0);
	}
}

/* Put a call on the wire on slot s. */
static void rm_rpc_send(struct rm_rpc *rpc, struct rm_rpc_slot *s, struct rm_rpc_call *c)
{
	c->slot = s;
	s->call = c;
	rpc->n_wire++;
	c->sent_us = rm_rpc_now_us();
	switch (rpc->transport) {
	case RM_RPC_DIRECT:
		rm_rpc_direct_send(s, c);
		break;
	case RM_RPC_EVHTTP:
		rm_rpc_evhttp_send(s, c);
		break;
	case RM_RPC_CURL: {
		char *url = xasprintf("%s%s", rpc->url, c->target);
		const char *headers[3] = {"Content-Type: application/json", c->header, NULL};

		c->curl_call =
		        http_client_request(rpc->curl, c->method, url, headers, c->body, c->len,
		                            RM_RPC_TIMEOUT_S * 1000, rm_rpc_curl_done_cb, c);
		free(url);
		break;
	}
	}
}

/* Move waiting calls onto idle connections. */
static void rm_rpc_pump(struct rm_rpc *rpc)
{
	struct rm_rpc_call *c;

	while (rpc->n_idle > 0 && (c = TAILQ_FIRST(&rpc->waiting)) != NULL) {
		TAILQ_REMOVE(&rpc->waiting, c, link);
		rpc->n_waiting--;
		rm_rpc_send(rpc, &rpc->slots[rpc->idle[--rpc->n_idle]], c);
	}
}

void rm_rpc_call(struct rm_rpc *rpc, const char *method, const char *target, const char *header,
                 const char *body, size_t len, rm_rpc_cb cb, void *arg)
{
	struct rm_rpc_call *c = xcalloc(1, sizeof *c);

	c->rpc = rpc;
	snprintf(c->method, sizeof c->method, "%s", method);
	c->target = xstrdup(target);
	c->header = header != NULL ? xstrdup(header) : NULL;
	if (body != NULL) {
		c->body = xmalloc(len + 1);
		memcpy(c->body, body, len);
		c->body[len] = '\0';
		c->len = len;
	}
	c->cb = cb;
	c->arg = arg;
	c->queued_us = rm_rpc_now_us();
	TAILQ_INSERT_TAIL(&rpc->waiting, c, link);
	rpc->n_waiting++;
	rm_rpc_pump(rpc);
}

/* Calls on the wire plus those waiting. */
int rm_rpc_in_flight(const struct rm_rpc *rpc)
{
	return rpc->n_wire + rpc->n_waiting;
}

/* Calls waiting for a connection. */
int rm_rpc_queued(const struct rm_rpc *rpc)
{
	return rpc->n_waiting;
}

/* Calls finished so far (with or without an answer). */
int64_t rm_rpc_answered(const struct rm_rpc *rpc)
{
	return rpc->answered;
}
