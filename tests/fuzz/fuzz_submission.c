/*
 * fuzz_submission.c — the application message decoders
 * (common/proto_app.c): the body of POST /ws/v1/cluster/apps as the RM's
 * route reads it, then what the RM builds from an accepted one; the same
 * object also goes through the decoders of the answers the tools read
 * (new-application, /state, the app report with a wait's outcome, the
 * /apps list, the attempts and the staging area's answer).
 */
#include "weft_config.h"

#include <stdlib.h>

#include "common/wjson.h"
#include "fuzz.h"
#include "common/proto_app.h"
#include "rm/submission.h"
#include "weft/protocol.h"

/* The decoders of what weft-submit and `weft app` read. */
static void fuzz_answers(struct json_object *body)
{
	struct weft_new_application na;
	struct proto_app_state st;
	struct weft_app_report report;
	struct weft_app_attempt attempt;
	struct weft_staged_file staged;
	struct json_object *app = NULL, *items, *apps;
	const char *outcome = NULL;
	char *cause = NULL;

	if (proto_app_new_application_decode(body, &na, &cause) != 0)
		free(cause);
	cause = NULL;
	if (proto_app_state_decode(body, &st, NULL) == 0 && st.state[0] == '\0')
		abort();
	if (json_object_object_get_ex(body, WEFT_APP_KEY_APP, &app) &&
	    proto_app_report_decode(app, &report, &cause) != 0)
		free(cause);
	cause = NULL;
	items = proto_app_attempts_unwrap(body, NULL);
	for (size_t i = 0; items != NULL && i < json_object_array_length(items); i++) {
		if (proto_app_attempt_decode(json_object_array_get_idx(items, i), "a", &attempt,
		                             &cause) != 0)
			free(cause);
		cause = NULL;
	}
	json_object_put(items);
	if (proto_app_report_unwrap(body, &report, &outcome, &cause) != 0)
		free(cause);
	cause = NULL;
	apps = proto_app_reports_unwrap(body, NULL);
	for (size_t i = 0; apps != NULL && i < json_object_array_length(apps); i++) {
		if (proto_app_report_decode(json_object_array_get_idx(apps, i), &report, &cause) !=
		    0)
			free(cause);
		cause = NULL;
	}
	json_object_put(apps);
	if (proto_app_staged_decode(body, &staged, &cause) != 0)
		free(cause);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const extra_env[] = {"WEFT_FUZZ", "1", NULL};
	struct weft_launch_context lc;
	struct json_object *body;
	struct weft_app_submission *s = NULL;
	char *cause = NULL, *tags;

	body = wjson_parse_object((const char *)data, size, &cause);
	if (body == NULL) {
		free(cause);
		return 0;
	}
	if (proto_app_submission_decode(body, &s, &cause) == 0) {
		submission_launch_context(s, extra_env, &lc);
		weft_launch_context_clear(&lc);
		tags = submission_tags_joined(s);
		free(tags);
		proto_app_submission_free(s);
	} else {
		free(cause);
	}
	fuzz_answers(body);
	json_object_put(body);
	return 0;
}
