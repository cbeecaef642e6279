/*
 * webapp.c — the public REST API's routes and the helpers its two halves
 * share (the user.name parameter, URLs, numeric query parameters).
 */
#include "weft_config.h"

#include "rm/webapp.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/http_server.h"
#include "common/xmalloc.h"
#include "rm/rm.h"
#include "rm/webapp_reports.h"
#include "rm/webapp_waits.h"

#define WEBAPP_DEFAULT_USER "dr.who"

void webapp_routes(struct rm *rm)
{
	rm->reports = webapp_reports_new();
	rm->waits = webapp_waits_new(rm);
	webapp_cluster_routes(rm);
	webapp_apps_routes(rm);
	webapp_scheduler_routes(rm);
}

void webapp_shutdown(struct rm *rm)
{
	webapp_waits_free(rm->waits);
	rm->waits = NULL;
}

void webapp_free(struct rm *rm)
{
	webapp_shutdown(rm);
	webapp_reports_free(rm->reports);
	rm->reports = NULL;
}

/* [A-Za-z0-9._-]{1,32}, as protocol.h says. */
bool webapp_valid_user(const char *user)
{
	size_t len = strlen(user);

	if (len == 0 || len > 32)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)user[i];

		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return false;
	}
	return true;
}

const char *webapp_user(struct http_request *req)
{
	const char *user = http_request_query(req, "user.name");

	if (user == NULL)
		return WEBAPP_DEFAULT_USER;
	if (!webapp_valid_user(user)) {
		http_reply_error(req, 400, "BadRequestException",
		                 "user.name: '%s' is not a valid user name ([A-Za-z0-9._-]{1,32})",
		                 user);
		return NULL;
	}
	return user;
}

/* Host header characters we are willing to echo into a Location. */
static bool webapp_sane_host(const char *host)
{
	size_t len = strlen(host);

	if (len == 0 || len > 255)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)host[i];

		if (!isalnum(c) && strchr(".-:[]_", c) == NULL)
			return false;
	}
	return true;
}

char *webapp_base_url(const struct rm *rm, struct http_request *req)
{
	const char *host = http_request_header(req, "Host");

	if (host != NULL && webapp_sane_host(host))
		return xasprintf("http://%s", host);
	return xstrdup(rm->url);
}

int webapp_query_number(struct http_request *req, const char *name, int64_t *out)
{
	const char *text = http_request_query(req, name);
	char *end = NULL;
	long long v;

	if (text == NULL)
		return 1;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (text[0] == '\0' || !isdigit((unsigned char)text[0]) || *end != '\0' || errno != 0 ||
	    v < 0) {
		http_reply_error(req, 400, "BadRequestException",
		                 "%s: '%s' must be a non-negative integer", name, text);
		return -1;
	}
	*out = v;
	return 0;
}
