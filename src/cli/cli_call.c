/*
 * cli_call.c — `weft`'s RM calls on a blocking libweft client (see
 * cli_call.h): the client brings the address list, failover, retries and
 * the RemoteException reading; this file only prints.
 */
#include "weft_config.h"

#include "cli/cli_call.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "lib/client_internal.h"
#include "weft/rm_client.h"

void cli_call_print_error(struct weft_client *client, long status, const char *message, FILE *err)
{
	const char *text = message != NULL ? message : "no answer";

	if (status == 0) {
		char *urls = client_rm_urls_text(client);

		fprintf(err, "weft: cannot reach the resource manager at %s: %s\n", urls, text);
		free(urls);
	} else
		fprintf(err, "weft: %s\n", text);
}

void cli_call_print_weft_error(struct weft_client *client, const struct weft_error *e, FILE *err)
{
	cli_call_print_error(client, e->http_status, e->message, err);
}

/* What one plain call brought back. */
struct cli_call_result {
	bool done, ok;
	long status;
	char *message;
	struct json_object *json;
};

static void cli_call_cb(const struct weft_status *st, struct json_object *json, const char *body,
                        size_t len, void *arg)
{
	struct cli_call_result *r = arg;

	r->done = true;
	r->ok = st->ok;
	r->status = st->http_status;
	r->message = st->message != NULL ? xstrdup(st->message) : NULL;
	r->json = json != NULL ? json_object_get(json) : NULL;
}

int cli_call(struct weft_client *client, const char *method, const char *path,
             const char *const *headers, struct json_object *body, unsigned flags,
             struct json_object **out, FILE *err)
{
	struct cli_call_result r = {0};
	size_t len = 0;
	const char *text =
	        body != NULL ? json_object_to_json_string_length(body, JSON_C_TO_STRING_PLAIN, &len)
	                     : NULL;
	struct weft_request req = {
	        .method = method,
	        .path = path,
	        .body = text,
	        .len = len,
	        .headers = headers,
	        .flags = flags,
	};
	int rc = -1;

	*out = NULL;
	weft_client_request(client, &req, cli_call_cb, &r);
	if (weft_client_run(client, &r.done) != 0 && !r.done) {
		cli_call_print_error(client, 0, "the client's loop has nothing left to run", err);
		return -1;
	}
	if (!r.ok)
		cli_call_print_error(client, r.status, r.message, err);
	else if (r.json == NULL)
		fprintf(err, "weft: unexpected answer from %s%s: not a JSON object\n",
		        weft_client_rm_url(client), path);
	else {
		*out = r.json;
		r.json = NULL;
		rc = 0;
	}
	free(r.message);
	if (r.json != NULL)
		json_object_put(r.json);
	return rc;
}
