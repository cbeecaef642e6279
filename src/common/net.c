/*
 * net.c — addresses and host names.
 *
 * Owns the "host:port" / "[v6]:port" text form every config key and wire
 * message uses, and the questions "what is this host called" and "which
 * of my addresses does that host reach", so no program assumes that the
 * RM, the NMs and the client share one machine.
 */
#include "weft_config.h"

#include "common/net.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "common/xmalloc.h"

/* Parse a decimal port 0..65535 (digits only).  RET 0 / -1. */
static int net_parse_port(const char *text, int *port)
{
	int v = 0, digits = 0;

	for (; *text != '\0'; text++) {
		if (*text < '0' || *text > '9' || ++digits > 5)
			return -1;
		v = v * 10 + (*text - '0');
	}
	if (digits == 0 || v > 65535)
		return -1;
	*port = v;
	return 0;
}

/* Split "host:port" or "[v6]:port". */
int net_parse_address(const char *text, char **host, int *port, char **cause)
{
	const char *colon, *host_start, *host_end;
	const char *p;

	if (text == NULL || *text == '\0')
		return set_cause(cause, "bad address '': empty");
	for (p = text; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' ||
		    *p == '\f' || *p == '/' || *p == '@')
			return set_cause(cause, "bad address '%s': unexpected character", text);
	}
	if (text[0] == '[') {
		host_start = text + 1;
		host_end = strchr(host_start, ']');
		if (host_end == NULL)
			return set_cause(cause, "bad address '%s': missing ']'", text);
		if (host_end[1] != ':')
			return set_cause(cause, "bad address '%s': expected [host]:port", text);
		colon = host_end + 1;
		if (memchr(host_start, '[', (size_t)(host_end - host_start)) != NULL)
			return set_cause(cause, "bad address '%s': unexpected '['", text);
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL)
			return set_cause(cause, "bad address '%s': expected host:port", text);
		host_start = text;
		host_end = colon;
		if (memchr(text, ':', (size_t)(colon - text)) != NULL)
			return set_cause(cause,
			                 "bad address '%s': write IPv6 addresses as [addr]:port",
			                 text);
		if (memchr(text, '[', (size_t)(colon - text)) != NULL ||
		    memchr(text, ']', (size_t)(colon - text)) != NULL)
			return set_cause(cause, "bad address '%s': unexpected bracket", text);
	}
	if (host_end == host_start)
		return set_cause(cause, "bad address '%s': empty host", text);
	if (net_parse_port(colon + 1, port) != 0)
		return set_cause(cause, "bad address '%s': port must be a number 0..65535", text);
	*host = xstrndup(host_start, (size_t)(host_end - host_start));
	return 0;
}

/* "host:port", bracketing IPv6 literals. */
char *net_format_address(const char *host, int port)
{
	if (strchr(host, ':') != NULL)
		return xasprintf("[%s]:%d", host, port);
	return xasprintf("%s:%d", host, port);
}

/* Hosts that mean "every interface" when bound to. */
bool net_is_wildcard(const char *host)
{
	return host == NULL || *host == '\0' || strcmp(host, "0.0.0.0") == 0 ||
	       strcmp(host, "::") == 0 || strcmp(host, "*") == 0;
}

/* The host's name, canonical (FQDN) when the resolver knows it. */
char *net_hostname(void)
{
	char name[256];
	struct addrinfo hints, *res = NULL;
	char *out;

	if (gethostname(name, sizeof name) != 0 || name[0] == '\0')
		return xstrdup("localhost");
	name[sizeof name - 1] = '\0';
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_CANONNAME;
	if (getaddrinfo(name, NULL, &hints, &res) == 0 && res != NULL &&
	    res->ai_canonname != NULL && res->ai_canonname[0] != '\0')
		out = xstrdup(res->ai_canonname);
	else
		out = xstrdup(name);
	if (res != NULL)
		freeaddrinfo(res);
	return out;
}

/* The name others should dial for a daemon bound to bind_host. */
char *net_advertised_host(const char *bind_host)
{
	if (net_is_wildcard(bind_host))
		return net_hostname();
	return xstrdup(bind_host);
}

/*
 * The local address the kernel would use to reach remote_host: connect a
 * UDP socket (which only picks a route; nothing is sent) and ask for its
 * name.
 */
char *net_local_address_for(const char *remote_host, int remote_port, char **cause)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct sockaddr_storage ss;
	socklen_t ss_len;
	char port[16], host[NI_MAXHOST];
	int error, fd, last_errno = 0;

	if (remote_host == NULL || *remote_host == '\0') {
		set_cause(cause, "no remote host given");
		return NULL;
	}
	/* Port 0 cannot be connected to; any port picks the same route. */
	snprintf(port, sizeof port, "%d",
	         remote_port > 0 && remote_port <= 65535 ? remote_port : 9);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	error = getaddrinfo(remote_host, port, &hints, &res);
	if (error != 0) {
		set_cause(cause, "%s: %s", remote_host, gai_strerror(error));
		return NULL;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1) {
			last_errno = errno;
			continue;
		}
		ss_len = sizeof ss;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    getsockname(fd, (struct sockaddr *)&ss, &ss_len) == 0) {
			close(fd);
			error = getnameinfo((struct sockaddr *)&ss, ss_len, host, sizeof host, NULL,
			                    0, NI_NUMERICHOST);
			if (error == 0) {
				freeaddrinfo(res);
				return xstrdup(host);
			}
			continue;
		}
		last_errno = errno;
		close(fd);
	}
	freeaddrinfo(res);
	set_cause(cause, "%s: no route: %s", remote_host,
	          last_errno ? strerror(last_errno) : "no usable address");
	return NULL;
}

/* "http://host:port" to dial a daemon configured at address. */
char *net_url_for_address(const char *address, char **cause)
{
	char *host = NULL, *hostport, *url;
	int port;

	if (net_parse_address(address, &host, &port, cause) != 0)
		return NULL;
	if (net_is_wildcard(host)) {
		free(host);
		host = xstrdup("127.0.0.1");
	}
	hostport = net_format_address(host, port);
	url = xasprintf("http://%s", hostport);
	free(hostport);
	free(host);
	return url;
}

/* Binding a datagram socket to an address (port 0, nothing sent) succeeds
 * exactly when the address is one of this host's. */
bool net_is_local_host(const char *host)
{
	struct addrinfo hints, *res = NULL, *ai;
	bool local = false;

	if (net_is_wildcard(host))
		return true;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return false;
	for (ai = res; ai != NULL && !local; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);

		if (fd < 0)
			continue;
		local = bind(fd, ai->ai_addr, ai->ai_addrlen) == 0;
		close(fd);
	}
	freeaddrinfo(res);
	return local;
}
