/*
 * fuzz_task_spec.c — a task as the executor decodes it
 * (common/proto_task.c): the driver's launch line with its "task", and
 * the task file the executor writes for its runner, from the same text.
 */
#include "weft_config.h"

#include <stdlib.h>

#include "common/proto_task.h"
#include "common/wjson.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_task_launch launch;
	struct proto_task_spec spec;
	struct json_object *obj;
	char *cause = NULL;

	obj = wjson_parse_object((const char *)data, size, &cause);
	if (obj == NULL) {
		free(cause);
		return 0;
	}
	if (proto_task_launch_decode(obj, &launch, &cause) != 0) {
		free(cause);
		cause = NULL;
	}
	proto_task_launch_clear(&launch);
	memset(&spec, 0, sizeof spec);
	if (proto_task_spec_decode(obj, "", PROTO_TASK_SPEC_FILE, &spec, &cause) != 0)
		free(cause);
	proto_task_spec_clear(&spec);
	json_object_put(obj);
	return 0;
}
