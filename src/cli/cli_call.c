/*
 * cli_call.c — blocking REST calls of `weft` and their error messages
 * (see cli_call.h).  weft is a one-shot tool with no event loop, so the
 * blocking http_fetch is the right client here.
 */
#include "weft_config.h"

#include "cli/cli_call.h"

#include <stdlib.h>
#include <string.h>

#include "cli/rest.h"
#include "common/http_client.h"
#include "common/wjson.h"
#include "common/xmalloc.h"

/* One call; errors printed. */
int cli_call(const char *method, const char *base, const char *path, struct json_object *body,
             struct json_object **out, long *status, FILE *err)
{
	return cli_call_headers(method, base, path, NULL, body, out, status, err);
}

int cli_call_headers(const char *method, const char *base, const char *path,
                     const char *const *extra, struct json_object *body, struct json_object **out,
                     long *status, FILE *err)
{
	const char *headers[8];
	int n_headers = 0;
	char *user = rest_user_name(), *url = rest_url_for_user(base, path, user);
	const char *text =
	        body != NULL ? json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN) : NULL;
	char *resp = NULL, *why = NULL;
	size_t len = 0;
	long st = 0;
	int rc = -1;

	*out = NULL;
	headers[n_headers++] = "Accept: application/json";
	if (text != NULL)
		headers[n_headers++] = "Content-Type: application/json";
	for (int i = 0; extra != NULL && extra[i] != NULL && n_headers < 7; i++)
		headers[n_headers++] = extra[i];
	headers[n_headers] = NULL;
	if (http_fetch(method, url, headers, text, text != NULL ? strlen(text) : 0,
	               CLI_CALL_TIMEOUT_MS, &st, &resp, &len, &why) != 0) {
		fprintf(err, "weft: cannot reach the resource manager at %s: %s\n", base,
		        why != NULL ? why : "no answer");
		goto out;
	}
	if (st < 200 || st > 299) {
		char *msg = rest_error_message(st, resp);
		fprintf(err, "weft: %s\n", msg);
		free(msg);
		goto out;
	}
	*out = wjson_parse_object(resp, len, &why);
	if (*out == NULL) {
		fprintf(err, "weft: unexpected answer from %s: %s\n", url, why);
		goto out;
	}
	rc = 0;
out:
	if (status != NULL)
		*status = st;
	free(resp);
	free(why);
	free(url);
	free(user);
	return rc;
}
