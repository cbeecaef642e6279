/*
 * fuzz_node_rpc.c — the NM register and heartbeat decoders on the RM
 * (rm/node_tracker.c), through the functions the routes call after
 * authentication, on a real in-process RM: what a body decodes to is
 * applied (nodes join the scheduler, container statuses reach the app
 * manager), so the state it leaves is fuzzed too.
 *
 * Input: one byte choosing the call (even: register, odd: heartbeat),
 * then the body's JSON text.
 */
#include "weft_config.h"

#include <stdlib.h>

#include "common/wjson.h"
#include "fuzz.h"
#include "fuzz_rm.h"
#include "rm/node_tracker.h"
#include "rm/rm.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_rm_get();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rm *rm = fuzz_rm_get();
	struct json_object *body, *answer = NULL;
	char *cause = NULL;
	int rc;

	if (size < 1)
		return 0;
	body = wjson_parse_object((const char *)data + 1, size - 1, &cause);
	if (body == NULL) {
		free(cause);
		return 0;
	}
	if (data[0] % 2 == 0)
		rc = node_tracker_register(rm->nodes, body, &answer, &cause);
	else
		rc = node_tracker_heartbeat(rm->nodes, body, &answer, &cause);
	if (rc == 0 && answer == NULL)
		abort(); /* accepted without an answer */
	if (rc != 0 && cause == NULL)
		abort(); /* refused without saying why */
	json_object_put(answer);
	free(cause);
	json_object_put(body);
	return 0;
}
