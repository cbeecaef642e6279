/*
 * submit_follow.c — polling an application report from the event loop
 * (see submit_follow.h).
 *
 * One request is in flight at most; the next is armed interval_ms after
 * the previous answer, so a slow RM is never flooded.  Callbacks may free
 * the follower: it notices through the busy/dead pair and frees itself
 * once the callback returns.
 */
#include "weft_config.h"

#include "submit/submit_follow.h"

#include <stdlib.h>
#include <string.h>

#include "cli/rest.h"
#include "common/daemon.h"
#include "common/http_client.h"
#include "common/proto_app.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"

/* Bound on one report request. */
#define SUBMIT_FOLLOW_CALL_TIMEOUT_MS 10000

struct submit_follow {
	struct http_client *client;
	struct http_call *call;
	struct event *timer;
	char *url;
	int64_t interval_ms, give_up_ms;
	int64_t last_answer_ms; /* monotonic; when the RM last answered */
	submit_follow_report_cb on_report;
	submit_follow_error_cb on_error;
	void *arg;
	bool busy; /* inside a callback */
	bool dead; /* freed while busy */
};

/* A copy of s, "" for NULL. */
static char *submit_report_copy(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

/* Parse an application report ({"app":{...}}, common/proto_app.c). */
int submit_report_parse(const char *body, size_t len, struct submit_report *r, char **cause)
{
	struct json_object *root = wjson_parse_object(body, len, cause), *app;
	struct weft_app_report m;

	memset(r, 0, sizeof *r);
	if (root == NULL)
		return -1;
	if (wjson_get_object(root, "", WEFT_APP_KEY_APP, true, &app, cause) != 0 ||
	    proto_app_report_decode(app, &m, cause) != 0) {
		json_object_put(root);
		return -1;
	}
	r->state = xstrdup(m.state);
	r->final_status = submit_report_copy(m.final_status);
	if (r->final_status[0] == '\0') {
		free(r->final_status);
		r->final_status = xstrdup("UNDEFINED");
	}
	r->diagnostics = submit_report_copy(m.diagnostics);
	r->tracking_url = submit_report_copy(m.tracking_url);
	json_object_put(root);
	return 0;
}

/* Free a report's strings. */
void submit_report_clear(struct submit_report *r)
{
	free(r->state);
	free(r->final_status);
	free(r->diagnostics);
	free(r->tracking_url);
	memset(r, 0, sizeof *r);
}

/* Release everything (the call is cancelled, its callback will not run). */
static void submit_follow_destroy(struct submit_follow *f)
{
	if (f->call != NULL)
		http_call_cancel(f->call);
	event_free(f->timer);
	free(f->url);
	free(f);
}

/* Report a fatal error; f polls no more (and is gone if the callback
 * freed it). */
static void submit_follow_fail(struct submit_follow *f, const char *error)
{
	f->busy = true;
	f->on_error(error, f->arg);
	f->busy = false;
	if (f->dead)
		submit_follow_destroy(f);
}

/* An answer (or none) to one poll. */
static void submit_follow_answer_cb(const struct http_response *resp, void *arg)
{
	struct submit_follow *f = arg;
	struct submit_report r;
	struct timeval tv;
	char *why = NULL, *msg;

	f->call = NULL;
	if (resp->status == 0) {
		if (time_mono_ms() - f->last_answer_ms >= f->give_up_ms) {
			msg = xasprintf("lost contact with the resource manager at %s: %s", f->url,
			                resp->error != NULL ? resp->error : "no answer");
			submit_follow_fail(f, msg);
			free(msg);
			return;
		}
	} else {
		f->last_answer_ms = time_mono_ms();
		if (resp->status >= 500) {
			/* The RM is there but unwell: try again at the next tick. */
		} else if (resp->status < 200 || resp->status > 299) {
			msg = rest_error_message(resp->status, resp->body);
			submit_follow_fail(f, msg);
			free(msg);
			return;
		} else if (submit_report_parse(resp->body, resp->body_len, &r, &why) != 0) {
			msg = xasprintf("unexpected application report: %s", why);
			free(why);
			submit_follow_fail(f, msg);
			free(msg);
			return;
		} else {
			f->busy = true;
			f->on_report(&r, f->arg);
			f->busy = false;
			submit_report_clear(&r);
			if (f->dead) {
				submit_follow_destroy(f);
				return;
			}
		}
	}
	tv.tv_sec = f->interval_ms / 1000;
	tv.tv_usec = (f->interval_ms % 1000) * 1000;
	evtimer_add(f->timer, &tv);
}

/* Time for the next poll. */
static void submit_follow_tick_cb(evutil_socket_t fd, short events, void *arg)
{
	struct submit_follow *f = arg;

	f->call = http_client_request(f->client, "GET", f->url, NULL, NULL, 0,
	                              SUBMIT_FOLLOW_CALL_TIMEOUT_MS, submit_follow_answer_cb, f);
}

/* Start following; the first poll goes out from the loop at once. */
struct submit_follow *submit_follow_new(struct event_base *base, struct http_client *client,
                                        const char *url, int64_t interval_ms, int64_t give_up_ms,
                                        submit_follow_report_cb on_report,
                                        submit_follow_error_cb on_error, void *arg)
{
	struct submit_follow *f = xcalloc(1, sizeof *f);
	struct timeval now = {0, 0};

	f->client = client;
	f->url = xstrdup(url);
	f->interval_ms = interval_ms;
	f->give_up_ms = give_up_ms;
	f->last_answer_ms = time_mono_ms();
	f->on_report = on_report;
	f->on_error = on_error;
	f->arg = arg;
	f->timer = evtimer_new(base, submit_follow_tick_cb, f);
	if (f->timer == NULL)
		fatalx("submit_follow_new: evtimer_new failed");
	evtimer_add(f->timer, &now);
	return f;
}

/* Stop following (safe from inside a callback). */
void submit_follow_free(struct submit_follow *f)
{
	if (f == NULL)
		return;
	if (f->busy) {
		f->dead = true;
		if (f->call != NULL) {
			http_call_cancel(f->call);
			f->call = NULL;
		}
		evtimer_del(f->timer);
		return;
	}
	submit_follow_destroy(f);
}
