/*
 * fuzz_am_allocate.c — the AM allocate decoder (rm/am_service.c), fed the
 * body of POST /rpc/am/allocate, then the scheduler's check of the asks
 * it decoded (as the route does before anything is applied).
 */
#include "weft_config.h"

#include <stdlib.h>

#include "common/wjson.h"
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
	struct json_object *body;
	struct am_request r;
	char *cause = NULL;

	body = wjson_parse_object((const char *)data, size, &cause);
	if (body == NULL) {
		free(cause);
		return 0;
	}
	if (am_service_parse_allocate(body, &r, &cause) == 0) {
		if (r.progress < 0.0 || r.progress > 1.0 || r.response_id < 0)
			abort(); /* the decoder let an out-of-range value through */
		if (scheduler_validate_asks(rm->scheduler, r.asks, r.n_asks, &cause) != 0)
			free(cause);
	} else {
		free(cause);
	}
	am_request_free(&r);
	json_object_put(body);
	return 0;
}
