/*
 * fuzz_task_spec.c — the dataflow task the executor decodes
 * (executor/task_spec.c), from the JSON text the driver sends it.
 */
#include <stdlib.h>

#include "common/wjson.h"
#include "executor/task_spec.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *obj;
	struct task_spec spec;
	char *cause = NULL;

	obj = wjson_parse_object((const char *)data, size, &cause);
	if (obj == NULL) {
		free(cause);
		return 0;
	}
	memset(&spec, 0, sizeof spec);
	if (task_spec_parse(obj, &spec, &cause) != 0)
		free(cause);
	task_spec_free(&spec);
	json_object_put(obj);
	return 0;
}
