/*
 * fuzz_submission.c — the RM's application submission context decoder
 * (common/proto_app.c), fed the body of POST /ws/v1/cluster/apps as the
 * route reads it, then what the RM builds from an accepted one.
 */
#include "weft_config.h"

#include <stdlib.h>

#include "common/wjson.h"
#include "fuzz.h"
#include "common/proto_app.h"
#include "rm/submission.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const extra_env[] = {"WEFT_FUZZ", "1", NULL};
	struct json_object *body, *lc;
	struct proto_app_submission *s = NULL;
	char *cause = NULL, *tags;

	body = wjson_parse_object((const char *)data, size, &cause);
	if (body == NULL) {
		free(cause);
		return 0;
	}
	if (proto_app_submission_decode(body, &s, &cause) == 0) {
		lc = submission_launch_context(s, extra_env);
		json_object_put(lc);
		tags = submission_tags_joined(s);
		free(tags);
		proto_app_submission_free(s);
	} else {
		free(cause);
	}
	json_object_put(body);
	return 0;
}
