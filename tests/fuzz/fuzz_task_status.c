/*
 * fuzz_task_status.c — the status line an executor sends the driver
 * (driver/executor_registry.c), stdout in utf-8 or base64, decoded as the
 * driver's message callback decodes it.
 */
#include <stdlib.h>

#include "common/wjson.h"
#include "driver/executor_registry.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *msg;
	struct task_status st;
	char *cause = NULL, *decoded = NULL;

	msg = wjson_parse_object((const char *)data, size, &cause);
	if (msg == NULL) {
		free(cause);
		return 0;
	}
	if (executor_registry_parse_status(msg, &st, &decoded, &cause) == 0) {
		/* What the scheduler will read: all of stdout, in bounds
		 * (ASan checks every byte read here). */
		volatile unsigned char sum = 0;

		for (size_t i = 0; st.stdout_data != NULL && i < st.stdout_len; i++)
			sum += (unsigned char)st.stdout_data[i];
		(void)sum;
		free(decoded);
	} else {
		/* The driver frees decoded only on success. */
		if (decoded != NULL)
			abort();
		free(cause);
	}
	json_object_put(msg);
	return 0;
}
