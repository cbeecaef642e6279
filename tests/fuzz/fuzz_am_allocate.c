/*
 * fuzz_am_allocate.c — the AM allocate decoder (proto_am_allocate_decode),
 * fed the body of POST /rpc/am/allocate, then the scheduler's check of
 * the asks it decoded (as the route does before anything is applied);
 * the same input also goes through the allocate answer decoder (the AM's
 * side) and both re-encode what they decoded.
 */
#include "weft_config.h"

#include <stdlib.h>

#include "common/proto_am.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "fuzz.h"
#include "fuzz_rm.h"
#include "rm/am_service.h"
#include "rm/rm.h"
#include "rm/scheduler.h"

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
	struct json_object *body, *again;
	struct proto_am_allocate r;
	struct proto_am_allocated answer;
	struct scheduler_ask *asks;
	char *cause = NULL;

	body = wjson_parse_object((const char *)data, size, &cause);
	if (body == NULL) {
		free(cause);
		return 0;
	}
	if (proto_am_allocate_decode(body, &r, &cause) == 0) {
		if (r.progress < 0.0 || r.progress > 1.0 || r.response_id < 0)
			abort(); /* the decoder let an out-of-range value through */
		asks = xcalloc((size_t)r.n_asks + 1, sizeof *asks);
		am_service_scheduler_asks(&r, asks);
		if (scheduler_validate_asks(rm->scheduler, asks, r.n_asks, &cause) != 0)
			free(cause);
		free(asks);
		json_object_put(proto_am_allocate_encode(&r));
	} else {
		free(cause);
	}
	proto_am_allocate_clear(&r);
	cause = NULL;
	if (proto_am_allocated_decode(body, &answer, &cause) == 0) {
		again = proto_am_allocated_encode(&answer);
		json_object_put(again);
	} else {
		free(cause);
	}
	proto_am_allocated_clear(&answer);
	json_object_put(body);
	return 0;
}
