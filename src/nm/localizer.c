/*
 * localizer.c — downloads a container's local resources into its working
 * directory before it starts.
 *
 * All files are fetched at once through http_client_download() (curl_multi
 * on the NM's loop: nothing blocks).  Each download is written under a
 * temporary name and renamed into place by the client, so a container
 * never sees half a file.  The result is handed back from a zero-delay
 * timer, so the owner is never called back from inside its own call.
 */
#include "weft_config.h"

#include "nm/localizer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/http_client.h"
#include "common/log.h"
#include "common/xmalloc.h"

struct localizer_file {
	struct localization *owner;
	char *name;
	char *url; /* resolved */
	char *path;
	bool executable;
	struct http_call *call; /* while downloading */
	bool answered;
};

struct localization {
	struct localizer_file *files;
	int n_files;
	int remaining;
	bool finished;     /* result known; waiting for the report timer */
	char *diagnostics; /* NULL on success */
	struct event *report;
	localizer_done_cb cb;
	void *arg;
};

/* Staging urls are relative to the RM the NM reports to. */
char *localizer_resolve_url(const char *rm_url, const char *url)
{
	if (strncmp(url, LAUNCH_CONTEXT_STAGING_PREFIX, strlen(LAUNCH_CONTEXT_STAGING_PREFIX)) == 0)
		return xasprintf("%s%s", rm_url, url);
	return xstrdup(url);
}

/* Cancel the downloads still running. */
static void localizer_cancel_calls(struct localization *l)
{
	int i;

	for (i = 0; i < l->n_files; i++) {
		if (l->files[i].call != NULL) {
			http_call_cancel(l->files[i].call);
			l->files[i].call = NULL;
		}
	}
}

/* Free the handle and everything it holds. */
static void localizer_free(struct localization *l)
{
	int i;

	localizer_cancel_calls(l);
	for (i = 0; i < l->n_files; i++) {
		free(l->files[i].name);
		free(l->files[i].url);
		free(l->files[i].path);
	}
	free(l->files);
	free(l->diagnostics);
	if (l->report != NULL)
		event_free(l->report);
	free(l);
}

/* Deliver the result from the loop, then forget everything. */
static void localizer_report_cb(evutil_socket_t fd, short events, void *arg)
{
	struct localization *l = arg;

	l->cb(l->diagnostics == NULL, l->diagnostics, l->arg);
	localizer_free(l);
}

/* The result is known: stop the rest and schedule the report. */
static void localizer_finish(struct localization *l, char *diagnostics)
{
	struct timeval now = {0, 0};

	if (l->finished) {
		free(diagnostics);
		return;
	}
	l->finished = true;
	l->diagnostics = diagnostics;
	localizer_cancel_calls(l);
	evtimer_add(l->report, &now);
}

/* One download ended. */
static void localizer_download_cb(const struct http_response *resp, void *arg)
{
	struct localizer_file *f = arg;
	struct localization *l = f->owner;

	f->call = NULL;
	f->answered = true;
	if (l->finished)
		return;
	if (resp->status != 200) {
		if (resp->status == 0)
			localizer_finish(
			        l, xasprintf("localizing %s from %s failed: %s", f->name, f->url,
			                     resp->error != NULL ? resp->error : "no answer"));
		else
			localizer_finish(l, xasprintf("localizing %s from %s failed: HTTP %ld",
			                              f->name, f->url, resp->status));
		return;
	}
	if (chmod(f->path, f->executable ? 0755 : 0644) != 0) {
		localizer_finish(l, xasprintf("localizing %s: chmod %s: %s", f->name, f->path,
		                              strerror(errno)));
		return;
	}
	log_debug("localized %s from %s", f->path, f->url);
	if (--l->remaining == 0)
		localizer_finish(l, NULL);
}

/* Start every download of lc. */
struct localization *localizer_start(const struct localizer_spec *spec,
                                     const struct weft_launch_context *lc, localizer_done_cb cb,
                                     void *arg)
{
	struct localization *l;
	struct localizer_file *f;
	struct http_call *call;
	int i;

	l = xcalloc(1, sizeof *l);
	l->cb = cb;
	l->arg = arg;
	l->report = evtimer_new(spec->base, localizer_report_cb, l);
	if (l->report == NULL)
		fatalx("localizer_start: evtimer_new failed");
	l->files = xcalloc((size_t)lc->n_resources + 1, sizeof *l->files);
	l->n_files = lc->n_resources;
	l->remaining = lc->n_resources;
	for (i = 0; i < lc->n_resources; i++) {
		f = &l->files[i];
		f->owner = l;
		f->name = xstrdup(lc->resources[i].name);
		f->url = localizer_resolve_url(spec->rm_url, lc->resources[i].url);
		f->path = xasprintf("%s/%s", spec->dest_dir, f->name);
		f->executable = lc->resources[i].executable;
	}
	if (l->n_files == 0) {
		localizer_finish(l, NULL);
		return l;
	}
	for (i = 0; i < l->n_files && !l->finished; i++) {
		f = &l->files[i];
		log_debug("fetching %s into %s", f->url, f->path);
		call = http_client_download(spec->http, f->url, f->path, spec->max_bytes,
		                            spec->timeout_ms, localizer_download_cb, f);
		if (call == NULL && !f->answered)
			localizer_finish(l, xasprintf("localizing %s from %s failed: cannot "
			                              "start the download",
			                              f->name, f->url));
		else if (!f->answered)
			f->call = call;
	}
	return l;
}

/* The container no longer needs its files (it was stopped). */
void localizer_cancel(struct localization *l)
{
	if (l != NULL)
		localizer_free(l);
}
