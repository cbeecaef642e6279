/*
 * staging.h — the files applications ship (YARN's staging directory, kept
 * by the RM): PUT/GET/DELETE /ws/v1/staging/{appid}/{file} under
 * rm.staging-dir/<appid>/.
 *
 * File names follow protocol.h ([A-Za-z0-9._-]{1,128}, not starting with
 * '.'), so no request can reach outside its application's directory.
 * Uploads are capped by rm.staging.max-file-mb (the route's body cap),
 * written to a temporary name and renamed, and accepted only while the
 * application id is handed out or the application is not finished.  The
 * directory goes when the application reaches a final state.  A user's
 * staged bytes over all applications are capped by
 * rm.staging.max-mb-per-user (403, nothing stored).
 */
#ifndef WEFT_RM_STAGING_H
#define WEFT_RM_STAGING_H

#include <stdbool.h>

struct rm;
struct staging;

/* What staging asks about application ids, given by rm.c (the app
 * manager answers); arg is passed back. */
struct staging_apps {
	/* The id was handed out or names a known application. */
	bool (*id_known)(void *arg, const char *app_id);
	/* Files may be put: handed out and not submitted, or not finished. */
	bool (*accepts_files)(void *arg, const char *app_id);
	void *arg;
};

/* apps is copied.  RET NULL with *cause when rm.staging-dir cannot be
 * created. */
struct staging *staging_new(struct rm *rm, const struct staging_apps *apps, char **cause);
void staging_free(struct staging *st);
void staging_routes(struct staging *st);
/* Remove an application's directory and everything in it. */
void staging_remove_app(struct staging *st, const char *app_id);

#endif
