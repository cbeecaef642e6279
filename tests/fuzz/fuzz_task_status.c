/*
 * fuzz_task_status.c — the status line an executor sends the driver
 * (proto_task_status_decode: stdout in utf-8 or base64, the dataflow
 * result), decoded as the driver's executor registry decodes it.
 */
#include "weft_config.h"

#include <stdlib.h>

#include "common/proto_task.h"
#include "common/wjson.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_task_status st;
	struct json_object *msg;
	char *cause = NULL;

	msg = wjson_parse_object((const char *)data, size, &cause);
	if (msg == NULL) {
		free(cause);
		return 0;
	}
	if (proto_task_status_decode(msg, &st, &cause) == 0) {
		/* What the scheduler will read: all of stdout, in bounds
		 * (ASan checks every byte read here). */
		volatile unsigned char sum = 0;

		for (size_t i = 0; st.stdout_data != NULL && i < st.stdout_len; i++)
			sum += (unsigned char)st.stdout_data[i];
		(void)sum;
	} else {
		free(cause);
	}
	proto_task_status_clear(&st);
	json_object_put(msg);
	return 0;
}
