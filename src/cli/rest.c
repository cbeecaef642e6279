/*
 * rest.c — where the RM is, how its URLs are built and what its errors
 * say (see rest.h).  Used by both weft and weft-submit.
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
#include "common/wjson.h"
#include "common/xmalloc.h"

/* Fill out from a "host:port" address; what names it in messages. */
static int rest_master_from_address(const char *address, const char *what, struct rest_master *out,
                                    char **cause)
{
	char *host = NULL, *url, *why = NULL;
	int port;

	if (net_parse_address(address, &host, &port, &why) != 0) {
		set_cause(cause, "%s: %s", what, why);
		free(why);
		return -1;
	}
	if (port == 0) {
		free(host);
		return set_cause(cause, "%s: '%s' has no port to connect to", what, address);
	}
	url = net_url_for_address(address, &why);
	if (url == NULL) {
		free(host);
		set_cause(cause, "%s: %s", what, why);
		free(why);
		return -1;
	}
	if (net_is_wildcard(host)) {
		free(host);
		host = xstrdup("127.0.0.1");
	}
	out->url = url;
	out->host = host;
	out->port = port;
	return 0;
}

/* The RM address of configuration key `key` (rm.address, rm.rpc-address). */
static int rest_master_from_config(const struct config *cfg, const char *key,
                                   struct rest_master *out, char **cause)
{
	const char *rm = config_get(cfg, key);
	const char *advertised = config_get(cfg, "rm.hostname");
	char *host = NULL;
	int port, rc;

	memset(out, 0, sizeof *out);
	/* A cluster conf that binds the RM to every interface but names
	 * its host in rm.hostname tells clients where to go. */
	if (advertised[0] != '\0' && net_parse_address(rm, &host, &port, NULL) == 0 &&
	    net_is_wildcard(host)) {
		char *named = net_format_address(advertised, port);
		rc = rest_master_from_address(named, "rm.hostname", out, cause);
		free(named);
	} else
		rc = rest_master_from_address(rm, key, out, cause);
	free(host);
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
	rc = rest_master_from_address(address, "--master", out, cause);
	free(address);
	return rc;
}

/* Free what rest_master_resolve filled. */
void rest_master_clear(struct rest_master *m)
{
	free(m->url);
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

/* Percent-encode everything but RFC 3986's unreserved characters. */
char *rest_query_escape(const char *text)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(strlen(text) * 3 + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~')
			*o++ = (char)*p;
		else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

/* A URL on the RM with the submitting user attached. */
char *rest_url_for_user(const char *base, const char *path, const char *user)
{
	char *escaped, *url;

	if (user == NULL)
		return xasprintf("%s%s", base, path);
	escaped = rest_query_escape(user);
	url = xasprintf("%s%s%suser.name=%s", base, path, strchr(path, '?') ? "&" : "?", escaped);
	free(escaped);
	return url;
}

/* One line out of an error answer. */
char *rest_error_message(long status, const char *body)
{
	struct json_object *root, *exc;
	const char *text = NULL;
	char *msg;
	size_t n;

	if (body != NULL && body[0] != '\0') {
		root = wjson_parse_object(body, strlen(body), NULL);
		if (root != NULL) {
			if (wjson_get_object(root, "", "RemoteException", true, &exc, NULL) == 0 &&
			    (wjson_get_string(exc, "", "message", true, &text, NULL) == 0 ||
			     wjson_get_string(exc, "", "exception", true, &text, NULL) == 0) &&
			    text[0] != '\0')
				msg = xstrdup(text);
			else
				msg = xasprintf("HTTP %ld: %s", status, wjson_text(root));
			json_object_put(root);
			return msg;
		}
		/* Not JSON (a proxy's page, evhttp's own error): its first line. */
		while (isspace((unsigned char)*body))
			body++;
		n = strcspn(body, "\r\n");
		if (n > 200)
			n = 200;
		if (n > 0) {
			char *line = xstrndup(body, n);
			msg = xasprintf("HTTP %ld: %s", status, line);
			free(line);
			return msg;
		}
	}
	return xasprintf("HTTP %ld", status);
}
