/*
 * fuzz_container_start.c — the NM container API's bodies
 * (common/proto_container.c, as nm/container_manager.c and weft-sls's
 * nm_api.c decode them): a start body through proto_container_start_decode,
 * its token through the container token decoder (common/security.c), then
 * the command line built from an accepted launch context; the same bytes
 * also as a stop/status body, as the NM's two answers, and as the
 * container status record by both its rules (a node's report, an
 * allocate answer's completed entry), which must read back what its
 * encoder writes of it.
 */
#include "weft_config.h"

#include <stdlib.h>

#include "common/proto_container.h"
#include "common/security.h"
#include "common/wjson.h"
#include "fuzz.h"
#include "nm/launch_context.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[32] = "weft-fuzz-secret-weft-fuzz-key!";
	static const int64_t key_ids[] = {1, 2};
	static struct secret *secret;
	struct proto_container_start m;
	struct proto_container_request r;
	struct proto_container_state st;
	struct weft_container_status cs, back;
	struct json_object *again;
	struct weft_launch_context *lc;
	struct container_token tok;
	struct json_object *body;
	char *cause = NULL, *line;
	int rc;

	if (secret == NULL)
		secret = secret_from_bytes(key, sizeof key);
	body = wjson_parse_object((const char *)data, size, &cause);
	if (body == NULL) {
		free(cause);
		return 0;
	}
	rc = proto_container_start_decode(body, &m, &cause);
	free(cause);
	cause = NULL;
	if (m.token_read && m.token != NULL &&
	    security_container_token_verify(secret, m.token, key_ids, 2, "127.0.0.1:8042",
	                                    1700000000000, &tok, &cause) != 0) {
		free(cause);
		cause = NULL;
	}
	if (rc == 0) {
		lc = launch_context_take(&m);
		line = launch_context_command_line(lc);
		free(line);
		launch_context_free(lc);
	}
	proto_container_start_clear(&m);
	if (proto_container_request_decode(body, &r, &cause) != 0) {
		free(cause);
		cause = NULL;
	}
	if (proto_container_state_decode(body, &st, &cause) != 0) {
		free(cause);
		cause = NULL;
	}
	for (int k = 0; k < 2; k++) {
		enum proto_status_rules rules =
		        k == 0 ? PROTO_STATUS_REPORTED : PROTO_STATUS_COMPLETED;

		if (proto_container_status_decode(body, "", rules, &cs, &cause) != 0) {
			free(cause);
			cause = NULL;
			continue;
		}
		again = proto_container_status_encode(&cs);
		if (proto_container_status_decode(again, "", rules, &back, NULL) != 0)
			abort(); /* what the encoder writes, the decoder refuses */
		json_object_put(again);
	}
	json_object_put(body);
	return 0;
}
