/*
 * rest.h — talking to the RM's public REST API from weft's tools.
 *
 * Shared by `weft` and `weft-submit`: where the RM is (--master or
 * rm.address, which may name several RMs), who the user is (YARN's
 * "user.name" simple auth), and the libweft client (weft/client.h) both
 * tools reach it through: failover, retries and the reading of an error
 * answer live there.
 */
#ifndef WEFT_CLI_REST_H
#define WEFT_CLI_REST_H

#include <event2/event.h>
#include <stdbool.h>

struct config;
struct weft_client;

/* The RM the tool talks to. */
struct rest_master {
	/* weft_client_options.rm_addresses: "http://host:port", or several
	 * separated by commas (rm.address may name several RMs) */
	char *addresses;
	char *host; /* the first RM's host, for finding the local interface
	             * that reaches the cluster */
	int port;
};

/*
 * Resolve the RM: master is --master ("weft://HOST:PORT", "http://HOST:PORT"
 * or "HOST:PORT") or NULL for the configuration's rm.address (a wildcard
 * host there means this host, 127.0.0.1, or rm.hostname when set; every
 * address of a list the same way).  RET 0, or -1 with *cause.
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

/*
 * A libweft client of m for a tool, as user (NULL: none): on base, or
 * blocking with its own loop when base is NULL.  It tries m's addresses in
 * turn and retries for rm.connect.max-wait-ms of cfg.  RET the client, or
 * NULL with *cause.
 */
struct weft_client *rest_client_new(const struct rest_master *m, const struct config *cfg,
                                    const char *user, struct event_base *base, char **cause);

#endif
