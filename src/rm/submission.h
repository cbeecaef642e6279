/*
 * submission.h — the RM's side of YARN's ApplicationSubmissionContext
 * (POST /ws/v1/cluster/apps): common/proto_app.h reads and validates it in
 * full before anything changes; this turns it into protocol.h's
 * launchContext for the AM container.
 */
#ifndef WEFT_RM_SUBMISSION_H
#define WEFT_RM_SUBMISSION_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/proto_app.h"
#include "common/proto_container.h"

/* protocol.h's launchContext for this submission with extra environment
 * (NULL-terminated "K", "V" pairs, may be NULL) laid over the
 * submission's own, into *lc (the caller clears it). */
void submission_launch_context(const struct weft_app_submission *s, const char *const *extra_env,
                               struct weft_launch_context *lc);
/* A digest of the submission exactly as decoded and of the user who sent
 * it: two equal digests are the same request (a client's retry). */
void submission_digest(const struct weft_app_submission *s, const char *user, char out[65]);
/* Tags joined with commas (caller frees). */
char *submission_tags_joined(const struct weft_app_submission *s);

#endif
