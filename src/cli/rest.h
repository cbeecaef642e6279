/*
 * rest.h — talking to the RM's public REST API from weft's tools.
 *
 * Shared by `weft` and `weft-submit`: where the RM is (--master or
 * rm.address), how URLs and query strings are built, who the user is
 * (YARN's "user.name" simple auth), and what an error answer says
 * (YARN's RemoteException body).
 */
#ifndef WEFT_CLI_REST_H
#define WEFT_CLI_REST_H

#include <json-c/json.h>
#include <stdbool.h>

struct config;

/* The RM the tool talks to. */
struct rest_master {
	char *url;  /* "http://host:port", no trailing slash */
	char *host; /* host part, for finding the local interface that reaches it */
	int port;
};

/*
 * Resolve the RM: master is --master ("weft://HOST:PORT", "http://HOST:PORT"
 * or "HOST:PORT") or NULL for the configuration's rm.address (a wildcard
 * host there means this host, 127.0.0.1).  RET 0, or -1 with *cause.
 */
int rest_master_resolve(const char *master, const struct config *cfg, struct rest_master *out,
                        char **cause);
/* The RM's internal RPC listener (what `weft admin` calls): the
 * configuration's rm.rpc-address, with the same rules.  RET 0 / -1 *cause. */
int rest_master_resolve_rpc(const struct config *cfg, struct rest_master *out, char **cause);
void rest_master_clear(struct rest_master *m);

/* The user to submit as: $USER, else $LOGNAME, else the real uid's
 * account, the first that is a valid YARN user name ([A-Za-z0-9._-]{1,32});
 * NULL when none is (the RM then says dr.who).  Caller frees. */
char *rest_user_name(void);
/* Whether text is a user name the RM accepts. */
bool rest_user_name_valid(const char *text);

/* Percent-encode text for a query-string value (caller frees). */
char *rest_query_escape(const char *text);
/* base + path, plus "?user.name=U" when user is not NULL (caller frees). */
char *rest_url_for_user(const char *base, const char *path, const char *user);

/*
 * What an error answer says, for a one-line message: the RemoteException's
 * "message" (or its "exception"), else the body's first line, else
 * "HTTP <status>".  Caller frees.
 */
char *rest_error_message(long status, const char *body);

#endif
