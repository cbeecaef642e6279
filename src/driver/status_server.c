/*
 * status_server.c — the driver's status over HTTP (status_server.h).
 */
#include "weft_config.h"

#include "driver/status_server.h"

#include <stdlib.h>

#include "common/http_server.h"
#include "common/net.h"
#include "common/proto_driver.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"

struct status_server {
	struct http_server *http;
	status_build_cb build;
	void *arg;
	char *url;
};

/* GET: the current status. */
static void status_server_get_cb(struct http_request *req, void *arg)
{
	struct status_server *s = arg;

	http_reply_json(req, 200, proto_driver_page_wrap(s->build(s->arg)));
}

struct status_server *status_server_new(struct event_base *base, const char *bind_host,
                                        const char *advertise_host, status_build_cb build,
                                        void *arg, char **cause)
{
	struct status_server *s = xcalloc(1, sizeof *s);
	char *address, *host;

	s->build = build;
	s->arg = arg;
	s->http = http_server_new(base, 4096);
	address = net_format_address(bind_host, 0);
	if (http_server_bind(s->http, address, cause) != 0) {
		free(address);
		status_server_free(s);
		return NULL;
	}
	free(address);
	http_server_route(s->http, HTTP_M_GET, WEFT_ROUTE_DRIVER, 0, status_server_get_cb, s);
	http_server_route(s->http, HTTP_M_GET, WEFT_ROUTE_ROOT, 0, status_server_get_cb, s);
	host = net_format_address(advertise_host, http_server_port(s->http));
	s->url = proto_driver_page_url(host);
	free(host);
	return s;
}

const char *status_server_url(const struct status_server *s)
{
	return s->url;
}

void status_server_free(struct status_server *s)
{
	if (s == NULL)
		return;
	if (s->http != NULL)
		http_server_free(s->http);
	free(s->url);
	free(s);
}
