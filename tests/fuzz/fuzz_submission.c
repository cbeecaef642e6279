/*
 * fuzz_submission.c — the RM's application submission context decoder
 * (rm/submission.c), fed the body of POST /ws/v1/cluster/apps as the
 * route reads it, then what the RM builds from an accepted one.
 */
#include "weft_config.h"

#include <stdlib.h>

#include "common/wjson.h"
#include "fuzz.h"
#include "rm/submission.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const extra_env[] = {"WEFT_FUZZ", "1", NULL};
	struct proto_container_launch_context lc;
	struct json_object *body;
	struct submission *s = NULL;
	char *cause = NULL, *tags;

	body = wjson_parse_object((const char *)data, size, &cause);
	if (body == NULL) {
		free(cause);
		return 0;
	}
	if (submission_parse(body, &s, &cause) == 0) {
		submission_launch_context(s, extra_env, &lc);
		proto_container_launch_context_clear(&lc);
		tags = submission_tags_joined(s);
		free(tags);
		submission_free(s);
	} else {
		free(cause);
	}
	json_object_put(body);
	return 0;
}
