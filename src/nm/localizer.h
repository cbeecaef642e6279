/*
 * localizer.h — fetching a container's local resources before it starts.
 *
 * Every file of the launch context is downloaded (in parallel, through the
 * NM's asynchronous HTTP client) into the container's working directory;
 * urls of the form /ws/v1/staging/... are fetched from the RM this NM
 * reports to.  The first failure cancels the rest and fails the whole
 * localization with a diagnostic such as
 *   "localizing job.json from http://rm:8088/ws/v1/staging/app/job.json
 *    failed: HTTP 404".
 */
#ifndef WEFT_NM_LOCALIZER_H
#define WEFT_NM_LOCALIZER_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "nm/launch_context.h"

struct http_client;
struct localization;

/* The result, always delivered from the loop (never from inside
 * localizer_start); diagnostics is NULL on success. */
typedef void (*localizer_done_cb)(bool ok, const char *diagnostics, void *arg);

struct localizer_spec {
	struct event_base *base;
	struct http_client *http;
	const char *rm_url;   /* base for /ws/v1/staging/ urls */
	const char *dest_dir; /* the container's working directory */
	int64_t max_bytes;    /* per file */
	long timeout_ms;      /* per file */
};

/* Start fetching lc's resources.  The handle lives until the callback has
 * run or localizer_cancel() is called. */
struct localization *localizer_start(const struct localizer_spec *spec,
                                     const struct weft_launch_context *lc, localizer_done_cb cb,
                                     void *arg);
/* Stop every download; the callback will not run; frees the handle. */
void localizer_cancel(struct localization *l);

/* The url to fetch for a resource url (caller frees). */
char *localizer_resolve_url(const char *rm_url, const char *url);

#endif
