/*
 * fuzz_container_start.c — the NM's container start body (the route in
 * nm/container_manager.c): its "token" through the container token
 * decoder (common/security.c) and its "launchContext" through
 * nm/launch_context.c, then the command line built from an accepted one.
 */
#include "weft_config.h"

#include <stdlib.h>

#include "common/security.h"
#include "common/wjson.h"
#include "fuzz.h"
#include "nm/launch_context.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[32] = "weft-fuzz-secret-weft-fuzz-key!";
	static const int64_t key_ids[] = {1, 2};
	static struct secret *secret;
	struct json_object *body, *lc_obj = NULL;
	struct launch_context *lc;
	struct container_token tok;
	const char *token = NULL;
	char *cause = NULL, *line;

	if (secret == NULL)
		secret = secret_from_bytes(key, sizeof key);
	body = wjson_parse_object((const char *)data, size, &cause);
	if (body == NULL) {
		free(cause);
		return 0;
	}
	if (wjson_get_string(body, "", "token", false, &token, &cause) != 0) {
		free(cause);
		cause = NULL;
	} else if (token != NULL) {
		if (security_container_token_verify(secret, token, key_ids, 2, "127.0.0.1:8042",
		                                    1700000000000, &tok, &cause) != 0) {
			free(cause);
			cause = NULL;
		}
	}
	if (wjson_get_object(body, "", "launchContext", true, &lc_obj, &cause) == 0 &&
	    (lc = launch_context_parse(lc_obj, &cause)) != NULL) {
		line = launch_context_command_line(lc);
		free(line);
		launch_context_free(lc);
	}
	free(cause);
	json_object_put(body);
	return 0;
}
