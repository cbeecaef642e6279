/*
 * net.h — addresses and host names.
 *
 * Nothing in weft assumes every program shares one host: daemons advertise
 * a host that others can reach (the configured one, or the host's name when
 * they bind to 0.0.0.0), and a client-mode driver advertises the address of
 * the interface that reaches the RM.
 */
#ifndef WEFT_NET_H
#define WEFT_NET_H

#include <stdbool.h>

/* Split "host:port" or "[v6]:port".  RET 0 with *host allocated, -1 with
 * *cause ("bad address 'x': ..."). Port must be 0..65535. */
int net_parse_address(const char *text, char **host, int *port, char **cause);
/* "host:port", bracketing IPv6 literals (caller frees). */
char *net_format_address(const char *host, int port);
/* True for "", "0.0.0.0", "::" and "*". */
bool net_is_wildcard(const char *host);
/* The host's name (gethostname, canonicalised when resolvable). */
char *net_hostname(void);
/* The host other programs should use for a daemon bound to bind_host:
 * bind_host itself unless it is a wildcard, else net_hostname(). */
char *net_advertised_host(const char *bind_host);
/* The local IP of the interface that routes to remote_host (no packet is
 * sent).  RET allocated text or NULL with *cause. */
char *net_local_address_for(const char *remote_host, int remote_port, char **cause);
/* Base URL "http://host:port" of an address, mapping a wildcard host to
 * 127.0.0.1 (for connecting to a daemon configured as 0.0.0.0:port). */
char *net_url_for_address(const char *address, char **cause);
/* Whether host (a name or an address) names this host: a wildcard, or an
 * address this host can bind (every address a name resolves to is
 * tried).  May resolve a name: for start-up, not inside a loop. */
bool net_is_local_host(const char *host);

#endif
