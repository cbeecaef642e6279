/*
 * rest.c — where the RM is, who the user is, and the client both tools
 * reach it through (see rest.h).  Used by both weft and weft-submit.
 */
#include "weft_config.h"

#include "cli/rest.h"

#include <ctype.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/net.h"
#include "common/xmalloc.h"
#include "weft/client.h"

/* One RM's "host:port": its base URL, host and port (what names it in
 * messages).  RET 0 / -1 *cause. */
static int rest_master_one(const char *address, const char *what, char **url, char **host,
                           int *port, char **cause)
{
	char *why = NULL;

	if (net_parse_address(address, host, port, &why) != 0) {
		set_cause(cause, "%s: %s", what, why);
		free(why);
		return -1;
	}
	if (*port == 0) {
		free(*host);
		*host = NULL;
		return set_cause(cause, "%s: '%s' has no port to connect to", what, address);
	}
	*url = net_url_for_address(address, &why);
	if (*url == NULL) {
		free(*host);
		*host = NULL;
		set_cause(cause, "%s: %s", what, why);
		free(why);
		return -1;
	}
	if (net_is_wildcard(*host)) {
		free(*host);
		*host = xstrdup("127.0.0.1");
	}
	return 0;
}

/* Add one RM to out (the first gives host and port). */
static int rest_master_add(struct rest_master *out, const char *address, const char *what,
                           char **cause)
{
	char *url = NULL, *host = NULL, *joined;
	int port = 0;

	if (rest_master_one(address, what, &url, &host, &port, cause) != 0)
		return -1;
	if (out->addresses == NULL) {
		out->addresses = url;
		out->host = host;
		out->port = port;
		return 0;
	}
	joined = xasprintf("%s,%s", out->addresses, url);
	free(out->addresses);
	out->addresses = joined;
	free(url);
	free(host);
	return 0;
}

/* The RMs of configuration key `key` (rm.address, rm.rpc-address). */
static int rest_master_from_config(const struct config *cfg, const char *key,
                                   struct rest_master *out, char **cause)
{
	const char *advertised = config_get(cfg, "rm.hostname");
	int n = 0, rc = 0;
	char **list = config_get_list(cfg, key, &n);

	memset(out, 0, sizeof *out);
	for (int i = 0; i < n && rc == 0; i++) {
		char *host = NULL;
		int port;

		/* A cluster conf that binds the RM to every interface but names
		 * its host in rm.hostname tells clients where to go. */
		if (advertised[0] != '\0' && net_parse_address(list[i], &host, &port, NULL) == 0 &&
		    net_is_wildcard(host)) {
			char *named = net_format_address(advertised, port);

			rc = rest_master_add(out, named, "rm.hostname", cause);
			free(named);
		} else
			rc = rest_master_add(out, list[i], key, cause);
		free(host);
	}
	config_list_free(list);
	if (rc == 0 && out->addresses == NULL)
		rc = set_cause(cause, "%s: no address", key);
	if (rc != 0)
		rest_master_clear(out);
	return rc;
}

/* The RM's internal RPC listener, from rm.rpc-address. */
int rest_master_resolve_rpc(const struct config *cfg, struct rest_master *out, char **cause)
{
	return rest_master_from_config(cfg, "rm.rpc-address", out, cause);
}

/* Resolve --master, else the configuration's RM address. */
int rest_master_resolve(const char *master, const struct config *cfg, struct rest_master *out,
                        char **cause)
{
	static const char *const schemes[] = {"weft://", "http://", NULL};
	char *address, *slash;
	int rc;

	memset(out, 0, sizeof *out);
	if (master == NULL)
		return rest_master_from_config(cfg, "rm.address", out, cause);

	address = NULL;
	for (int i = 0; schemes[i] != NULL; i++)
		if (strncmp(master, schemes[i], strlen(schemes[i])) == 0)
			address = xstrdup(master + strlen(schemes[i]));
	if (address == NULL) {
		if (strstr(master, "://") != NULL)
			return set_cause(cause,
			                 "--master %s: unsupported scheme (use weft://HOST:PORT)",
			                 master);
		address = xstrdup(master);
	}
	slash = strchr(address, '/');
	if (slash != NULL && slash[1] == '\0')
		*slash = '\0';
	if (strchr(address, '/') != NULL || address[0] == '\0') {
		free(address);
		return set_cause(cause, "--master %s: expected weft://HOST:PORT", master);
	}
	rc = rest_master_add(out, address, "--master", cause);
	free(address);
	return rc;
}

/* Free what rest_master_resolve filled. */
void rest_master_clear(struct rest_master *m)
{
	free(m->addresses);
	free(m->host);
	memset(m, 0, sizeof *m);
}

/* The RM's rule for user names (protocol.h). */
bool rest_user_name_valid(const char *text)
{
	size_t n = strlen(text);

	if (n == 0 || n > 32)
		return false;
	for (const char *p = text; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
			return false;
	return true;
}

/* The login name, when the RM would accept it: $USER, $LOGNAME, then the
 * account of the real uid (as YARN takes the OS user). */
char *rest_user_name(void)
{
	const char *names[] = {getenv("USER"), getenv("LOGNAME")};
	struct passwd *pw;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i] != NULL && rest_user_name_valid(names[i]))
			return xstrdup(names[i]);
	pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_name != NULL && rest_user_name_valid(pw->pw_name))
		return xstrdup(pw->pw_name);
	return NULL;
}

/* A client of the RM for weft and weft-submit. */
struct weft_client *rest_client_new(const struct rest_master *m, const struct config *cfg,
                                    const char *user, struct event_base *base, char **cause)
{
	struct weft_client_options o = {
	        .rm_addresses = m->addresses,
	        .user = user,
	        .retry_ms = config_get_int(cfg, "rm.connect.max-wait-ms"),
	};

	return base != NULL ? weft_client_new(base, &o, cause)
	                    : weft_client_new_blocking(&o, cause);
}
