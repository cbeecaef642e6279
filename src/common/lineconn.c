/*
 * lineconn.c — one JSON object per line over a TCP bufferevent.
 *
 * Owns: long-lived driver <-> executor connections (dial, accept, framing,
 * limits, close reporting).  A line is bytes up to '\n' (a '\r' before it
 * is tolerated, blank lines are skipped); it must parse as one JSON
 * object.  A line over the cap, or bytes that cannot be one, close the
 * connection with a reason: a peer cannot make us buffer without bound.
 *
 * Callbacks and freeing: the message callback may free the connection (or
 * anything else); a flag on the stack tells the read loop to stop touching
 * it.  The close callback runs at most once, never from inside
 * lineconn_connect() (a failure there is reported from the loop), and
 * never after lineconn_free().
 *
 * Name resolution: a numeric host is connected to directly; a name is
 * resolved without blocking by an evdns_base owned by that connection
 * (created only for names, freed with it).  One resolver per connection
 * costs a UDP socket while it lives, which is nothing for the handful of
 * connections a driver or executor holds, and avoids a process-wide
 * resolver whose lifetime would have to outlive every event_base.
 */
#include "weft_config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "common/lineconn.h"
#include "common/log.h"
#include "common/net.h"
#include "common/ref.h"
#include "common/wjson.h"
#include "common/xmalloc.h"

struct lineconn {
	struct event_base *base;
	struct bufferevent *bev;
	struct evdns_base *dns; /* only while dialling a name */
	size_t max_line;
	char *peer;
	lineconn_message_cb on_message;
	lineconn_close_cb on_close;
	void *arg;

	bool connected;
	bool closed;          /* no more I/O; the close was (or will be) reported */
	bool starting;        /* inside lineconn_connect(): report closes later */
	struct ref ref;       /* held while reading (lineconn_free() then defers) */
	struct event *report; /* reports a close from the loop */
	char *report_reason;
	size_t scanned; /* input bytes already known to hold no '\n' */
};

struct lineserver {
	struct event_base *base;
	struct evconnlistener *listener;
	struct event *resume; /* re-enables accepting after EMFILE and co. */
	size_t max_line;
	int port;
	lineserver_accept_cb on_accept;
	void *arg;
};

/* Set TCP_NODELAY: messages are small and latency matters. */
static void lineconn_nodelay(evutil_socket_t fd)
{
	int one = 1;

	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* "ip:port" of a socket address. */
static char *lineconn_format_sockaddr(const struct sockaddr *sa)
{
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		evutil_inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		port = ntohs(in->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		evutil_inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		port = ntohs(in6->sin6_port);
	}
	return net_format_address(host, port);
}

static void lineconn_destroy(struct lineconn *c);

/* Run the close callback from the loop (see lineconn_close). */
static void lineconn_report_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lineconn *c = arg;
	char *reason = c->report_reason;

	(void)fd;
	(void)what;
	c->report_reason = NULL;
	if (c->on_close != NULL)
		c->on_close(c, reason, c->arg); /* may free c */
	free(reason);
}

/* Stop all I/O and tell the owner why, once. */
static void lineconn_close(struct lineconn *c, const char *reason)
{
	struct timeval now = {0, 0};

	if (c->closed)
		return;
	c->closed = true;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	log_debug("%s: %s", c->peer, reason);
	if (!c->starting) {
		if (c->on_close != NULL)
			c->on_close(c, reason, c->arg); /* may free c */
		return;
	}
	/* The caller of lineconn_connect() does not hold c yet. */
	c->report_reason = xstrdup(reason);
	c->report = evtimer_new(c->base, lineconn_report_cb, c);
	if (c->report == NULL)
		fatalx("evtimer_new failed");
	evtimer_add(c->report, &now);
}

/* Take complete lines out of the input buffer and deliver them. */
static void lineconn_read_cb(struct bufferevent *bev, void *arg)
{
	struct lineconn *c = arg;
	struct evbuffer *input = bufferevent_get_input(bev);

	ref_hold(&c->ref);
	while (!c->closed && !ref_dead(&c->ref)) {
		struct evbuffer_ptr eol;
		struct json_object *msg;
		char *line, *cause = NULL;
		size_t len, eol_len = 0;

		/* Resume the search where the last one stopped: rescanning
		 * a long line from its start on every read is quadratic. */
		if (c->scanned > 0 && c->scanned <= evbuffer_get_length(input)) {
			if (evbuffer_ptr_set(input, &eol, c->scanned, EVBUFFER_PTR_SET) != 0)
				c->scanned = 0;
		} else {
			c->scanned = 0;
		}
		eol = evbuffer_search_eol(input, c->scanned > 0 ? &eol : NULL, &eol_len,
		                          EVBUFFER_EOL_LF);
		if (eol.pos < 0) {
			c->scanned = evbuffer_get_length(input);
			if (evbuffer_get_length(input) > c->max_line) {
				char *reason = xasprintf("line longer than %zu bytes", c->max_line);

				lineconn_close(c, reason);
				free(reason);
			}
			break;
		}
		if ((size_t)eol.pos > c->max_line) {
			char *reason = xasprintf("line of %zu bytes is longer than %zu bytes",
			                         (size_t)eol.pos, c->max_line);

			lineconn_close(c, reason);
			free(reason);
			break;
		}
		c->scanned = 0;
		len = (size_t)eol.pos;
		line = xmalloc(len + 1);
		if (evbuffer_remove(input, line, len) != (int)len ||
		    evbuffer_drain(input, eol_len) != 0) {
			free(line);
			break;
		}
		line[len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (strspn(line, " \t") == len) {
			free(line); /* blank line */
			continue;
		}
		msg = wjson_parse_object(line, len, &cause);
		free(line);
		if (msg == NULL) {
			char *reason = xasprintf("bad message: %s",
			                         cause != NULL ? cause : "not a JSON object");

			free(cause);
			lineconn_close(c, reason);
			free(reason);
			break;
		}
		if (c->on_message != NULL)
			c->on_message(c, msg, c->arg);
		json_object_put(msg);
	}
	if (ref_release(&c->ref))
		lineconn_destroy(c);
}

/* Connected, end of stream or an error. */
static void lineconn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct lineconn *c = arg;
	char *reason;

	if (what & BEV_EVENT_CONNECTED) {
		c->connected = true;
		lineconn_nodelay(bufferevent_getfd(bev));
		return;
	}
	if (what & BEV_EVENT_EOF) {
		reason = xstrdup("connection closed by peer");
	} else if (!c->connected) {
		int dns_error = bufferevent_socket_get_dns_error(bev);

		if (dns_error != 0)
			reason = xasprintf("connect to %s: %s", c->peer,
			                   evutil_gai_strerror(dns_error));
		else
			reason = xasprintf("connect to %s: %s", c->peer,
			                   evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	} else if (what & BEV_EVENT_TIMEOUT) {
		reason = xstrdup("timed out");
	} else {
		reason = xasprintf("%s error: %s", (what & BEV_EVENT_WRITING) ? "write" : "read",
		                   evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	}
	/* Deliver what arrived before the end first (the read callback has
	 * normally done so already). */
	lineconn_close(c, reason);
	free(reason);
}

/* A connection around bev, callbacks not set yet. */
static struct lineconn *lineconn_new(struct event_base *base, struct bufferevent *bev,
                                     size_t max_line)
{
	struct lineconn *c = xcalloc(1, sizeof *c);

	ref_init(&c->ref);

	c->base = base;
	c->bev = bev;
	c->max_line = max_line != 0 ? max_line : 1024 * 1024;
	bufferevent_setcb(bev, lineconn_read_cb, NULL, lineconn_event_cb, c);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	return c;
}

struct lineconn *lineconn_connect(struct event_base *base, const char *host, int port,
                                  size_t max_line, lineconn_message_cb on_message,
                                  lineconn_close_cb on_close, void *arg)
{
	struct bufferevent *bev;
	struct lineconn *c;
	struct sockaddr_storage ss;
	int sslen = (int)sizeof ss;
	char *address = net_format_address(host, port);

	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		fatalx("bufferevent_socket_new failed");
	c = lineconn_new(base, bev, max_line);
	c->peer = address;
	c->on_message = on_message;
	c->on_close = on_close;
	c->arg = arg;
	c->starting = true;
	memset(&ss, 0, sizeof ss);
	if (port <= 0 || port > 65535) {
		lineconn_close(c, "bad port");
	} else if (evutil_parse_sockaddr_port(address, (struct sockaddr *)&ss, &sslen) == 0) {
		if (bufferevent_socket_connect(bev, (struct sockaddr *)&ss, sslen) != 0 &&
		    !c->closed) {
			char *reason =
			        xasprintf("connect to %s: %s", address,
			                  evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));

			lineconn_close(c, reason);
			free(reason);
		}
	} else {
		c->dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
		                                      EVDNS_BASE_DISABLE_WHEN_INACTIVE);
		if (c->dns == NULL)
			c->dns = evdns_base_new(base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);
		if (c->dns == NULL) {
			lineconn_close(c, "cannot create a DNS resolver");
		} else if (bufferevent_socket_connect_hostname(bev, c->dns, AF_UNSPEC, host,
		                                               port) != 0 &&
		           !c->closed) {
			char *reason = xasprintf("connect to %s: cannot resolve", address);

			lineconn_close(c, reason);
			free(reason);
		}
	}
	c->starting = false;
	return c;
}

void lineconn_set_callbacks(struct lineconn *c, lineconn_message_cb on_message,
                            lineconn_close_cb on_close, void *arg)
{
	c->on_message = on_message;
	c->on_close = on_close;
	c->arg = arg;
}

int lineconn_send(struct lineconn *c, struct json_object *msg)
{
	size_t len = 0;
	const char *text;
	struct evbuffer *out;

	if (c->closed)
		return -1;
	/* PLAIN output escapes control characters: never a raw newline. */
	text = json_object_to_json_string_length(
	        msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	out = bufferevent_get_output(c->bev);
	if (evbuffer_add(out, text, len) != 0 || evbuffer_add(out, "\n", 1) != 0)
		return -1;
	return 0;
}

const char *lineconn_peer(const struct lineconn *c)
{
	return c->peer != NULL ? c->peer : "?";
}

size_t lineconn_pending(const struct lineconn *c)
{
	return evbuffer_get_length(bufferevent_get_output(c->bev));
}

void lineconn_free(struct lineconn *c)
{
	/* Freed by the owner from inside a message or close callback: the
	 * read callback, which holds it, frees it once the owner returned. */
	if (c != NULL && ref_kill(&c->ref))
		lineconn_destroy(c);
}

/* The last reference is gone: flush, close and free. */
static void lineconn_destroy(struct lineconn *c)
{
	/* Best effort: hand what is queued to the kernel now, so a last
	 * message ("shutdown") sent just before freeing is not lost. */
	if (c->connected && !c->closed) {
		struct evbuffer *out = bufferevent_get_output(c->bev);
		evutil_socket_t fd = bufferevent_getfd(c->bev);

		if (fd >= 0 && evbuffer_get_length(out) > 0)
			evbuffer_write(out, fd);
	}
	bufferevent_free(c->bev);
	if (c->dns != NULL)
		evdns_base_free(c->dns, 0);
	if (c->report != NULL)
		event_free(c->report);
	free(c->report_reason);
	free(c->peer);
	free(c);
}

/* A client connected: wrap it and hand it to the owner. */
static void lineserver_listener_cb(struct evconnlistener *listener, evutil_socket_t fd,
                                   struct sockaddr *sa, int salen, void *arg)
{
	struct lineserver *s = arg;
	struct bufferevent *bev;
	struct lineconn *c;

	(void)listener;
	(void)salen;
	lineconn_nodelay(fd);
	bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		evutil_closesocket(fd);
		return;
	}
	c = lineconn_new(s->base, bev, s->max_line);
	c->connected = true;
	c->peer = lineconn_format_sockaddr(sa);
	s->on_accept(c, s->arg);
}

/* Accepting resumes a second after it failed (out of descriptors). */
static void lineserver_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lineserver *s = arg;

	(void)fd;
	(void)what;
	evconnlistener_enable(s->listener);
}

/* accept() failed: pause instead of spinning on a readable socket. */
static void lineserver_error_cb(struct evconnlistener *listener, void *arg)
{
	struct lineserver *s = arg;
	struct timeval one = {1, 0};

	log_warn("accept on port %d: %s", s->port,
	         evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	evconnlistener_disable(listener);
	evtimer_add(s->resume, &one);
}

struct lineserver *lineserver_new(struct event_base *base, const char *host, int port,
                                  size_t max_line, lineserver_accept_cb on_accept, void *arg,
                                  char **cause)
{
	struct evutil_addrinfo hints, *res = NULL;
	struct lineserver *s;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	char portbuf[16];
	const char *node = host;
	int rc;

	if (port < 0 || port > 65535) {
		set_cause(cause, "bad port %d", port);
		return NULL;
	}
	/* A wildcard other than "::" means every IPv4 address. */
	if (node == NULL || (net_is_wildcard(node) && strcmp(node, "::") != 0))
		node = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = node == NULL ? AF_INET : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_NUMERICSERV;
	snprintf(portbuf, sizeof portbuf, "%d", port);
	/* Listening happens at start-up, where resolving may block. */
	rc = evutil_getaddrinfo(node, portbuf, &hints, &res);
	if (rc != 0) {
		set_cause(cause, "listen on %s:%d: %s", host != NULL ? host : "", port,
		          evutil_gai_strerror(rc));
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->base = base;
	s->max_line = max_line;
	s->on_accept = on_accept;
	s->arg = arg;
	s->listener = evconnlistener_new_bind(base, lineserver_listener_cb, s,
	                                      LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE |
	                                              LEV_OPT_CLOSE_ON_EXEC,
	                                      -1, res->ai_addr, (int)res->ai_addrlen);
	evutil_freeaddrinfo(res);
	if (s->listener == NULL) {
		set_cause(cause, "listen on %s:%d: %s", host != NULL ? host : "", port,
		          evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		free(s);
		return NULL;
	}
	s->resume = evtimer_new(base, lineserver_resume_cb, s);
	if (s->resume == NULL)
		fatalx("evtimer_new failed");
	evconnlistener_set_error_cb(s->listener, lineserver_error_cb);
	if (getsockname(evconnlistener_get_fd(s->listener), (struct sockaddr *)&ss, &sslen) == 0) {
		if (ss.ss_family == AF_INET)
			s->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			s->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return s;
}

int lineserver_port(const struct lineserver *s)
{
	return s->port;
}

void lineserver_free(struct lineserver *s)
{
	if (s == NULL)
		return;
	evconnlistener_free(s->listener);
	event_free(s->resume);
	free(s);
}
