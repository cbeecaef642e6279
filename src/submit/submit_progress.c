/*
 * submit_progress.c — progress lines and bars (submit_progress.h).
 *
 * One timer polls the status (a function call in client mode, one HTTP
 * GET at a time in cluster mode) and redraws; nothing else runs.  What
 * it remembers per stage is only what was last shown, so a stage that is
 * resubmitted (lost map outputs) shows up again.
 */
#include "weft_config.h"

#include "submit/submit_progress.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/http_client.h"
#include "common/wjson.h"
#include "common/proto_driver.h"
#include "common/xmalloc.h"
#include "driver/driver.h"

#define PROGRESS_TTY_MS   200
#define PROGRESS_PLAIN_MS 1000
#define PROGRESS_CALL_MS  5000L
#define PROGRESS_MAX_BARS 3

struct stage_seen {
	int id;
	int done, running, total;
	int attempts;
	int shown_done; /* attempts when its completion line went out; 0 = not yet */
	bool shown_any; /* a progress line is out */
};

struct submit_progress {
	struct event_base *base;
	struct http_client *client;
	FILE *err;
	bool tty;
	struct driver *driver;
	char *url;
	struct http_call *call;
	struct event *timer;
	struct stage_seen *stages;
	int n_stages;
	bool bar_shown;
	bool finished;
};

static void submit_progress_tick_cb(evutil_socket_t fd, short events, void *arg);

struct submit_progress *submit_progress_new(struct event_base *base, struct http_client *client,
                                            FILE *err, bool tty)
{
	struct submit_progress *p = xcalloc(1, sizeof *p);

	p->base = base;
	p->client = client;
	p->err = err;
	p->tty = tty;
	p->timer = event_new(base, -1, EV_PERSIST, submit_progress_tick_cb, p);
	if (p->timer == NULL)
		fatalx("submit_progress_new: event_new failed");
	return p;
}

/* Start the timer. */
static void submit_progress_arm(struct submit_progress *p)
{
	int ms = p->tty ? PROGRESS_TTY_MS : PROGRESS_PLAIN_MS;
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	if (!evtimer_pending(p->timer, NULL))
		evtimer_add(p->timer, &tv);
}

void submit_progress_follow_driver(struct submit_progress *p, struct driver *d)
{
	p->driver = d;
	submit_progress_arm(p);
}

void submit_progress_follow_url(struct submit_progress *p, const char *url)
{
	if (url == NULL || strncmp(url, "http://", 7) != 0 ||
	    (p->url != NULL && strcmp(p->url, url) == 0))
		return;
	free(p->url);
	p->url = xstrdup(url);
	submit_progress_arm(p);
}

char *submit_progress_bar(int stage, int done, int running, int total, int width)
{
	char *header = xasprintf("[Stage %d:", stage);
	char *tail = xasprintf("(%d + %d) / %d]", done, running, total);
	int w = width - (int)strlen(header) - (int)strlen(tail), i, percent;
	char *bar, *out;

	if (w < 0)
		w = 0;
	bar = xmalloc((size_t)w + 1);
	percent = total > 0 ? (int)((long long)w * done / total) : 0;
	for (i = 0; i < w; i++)
		bar[i] = i < percent ? '=' : i == percent ? '>' : ' ';
	bar[w] = '\0';
	out = xasprintf("%s%s%s", header, bar, tail);
	free(header);
	free(bar);
	free(tail);
	return out;
}

/* The terminal's width (80 when unknown). */
static int submit_progress_width(const struct submit_progress *p)
{
	struct winsize ws;

	if (ioctl(fileno(p->err), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
		return ws.ws_col;
	return 80;
}

/* Erase the live line. */
static void submit_progress_clear(struct submit_progress *p)
{
	int w;

	if (!p->bar_shown)
		return;
	w = submit_progress_width(p);
	fprintf(p->err, "\r%*s\r", w - 1, "");
	fflush(p->err);
	p->bar_shown = false;
}

/* What was last seen of stage id (created when new). */
static struct stage_seen *submit_progress_stage(struct submit_progress *p, int id)
{
	int i;

	for (i = 0; i < p->n_stages; i++)
		if (p->stages[i].id == id)
			return &p->stages[i];
	p->stages = xreallocarray(p->stages, (size_t)p->n_stages + 1, sizeof *p->stages);
	memset(&p->stages[p->n_stages], 0, sizeof *p->stages);
	p->stages[p->n_stages].id = id;
	return &p->stages[p->n_stages++];
}

/* " (3 recomputed, 1 speculative, 2 failed)", or "" (caller frees). */
static char *submit_progress_extras(const struct proto_driver_stage *st)
{
	char *out = xstrdup(""), *next;

	if (st->num_recomputed > 0) {
		next = xasprintf("%s%s%" PRId64 " recomputed", out, *out ? ", " : "",
		                 st->num_recomputed);
		free(out);
		out = next;
	}
	if (st->num_speculative > 0) {
		next = xasprintf("%s%s%" PRId64 " speculative", out, *out ? ", " : "",
		                 st->num_speculative);
		free(out);
		out = next;
	}
	if (st->num_failed > 0) {
		next = xasprintf("%s%s%" PRId64 " failed", out, *out ? ", " : "", st->num_failed);
		free(out);
		out = next;
	}
	if (*out != '\0') {
		next = xasprintf(" (%s)", out);
		free(out);
		out = next;
	}
	return out;
}

void submit_progress_update(struct submit_progress *p, struct json_object *driver)
{
	struct proto_driver_status status;
	const struct proto_driver_job *job;
	char *bars, *bar, *next, *extras;
	int running_stages = 0, width;

	/* A page that does not decode (a driver of another version) shows
	 * nothing: progress is a courtesy, the job goes on. */
	if (p->finished || driver == NULL || proto_driver_status_decode(driver, &status, NULL) != 0)
		return;
	if (!status.has_job) {
		proto_driver_status_clear(&status);
		return;
	}
	job = &status.job;
	bars = xstrdup("");
	for (int i = 0; i < job->n_stages; i++)
		if (strcmp(job->stages[i].state, "RUNNING") == 0)
			running_stages++;
	width = submit_progress_width(p) /
	        (running_stages > 0
	                 ? (running_stages < PROGRESS_MAX_BARS ? running_stages : PROGRESS_MAX_BARS)
	                 : 1);
	for (int k = 0; k < job->n_stages; k++) {
		const struct proto_driver_stage *st = &job->stages[k];
		const char *name = st->name != NULL ? st->name : "?";
		struct stage_seen *seen;
		int id = (int)st->stage_id, done = (int)st->num_complete;
		int running = (int)st->num_active, total = (int)st->num_tasks;
		int attempts = (int)st->attempts;

		if (attempts == 0)
			continue; /* skipped, or not submitted yet */
		seen = submit_progress_stage(p, id);
		if (strcmp(st->state, "RUNNING") == 0) {
			if (p->tty) {
				if (running_stages <= PROGRESS_MAX_BARS || k < PROGRESS_MAX_BARS) {
					bar = submit_progress_bar(id, done, running, total, width);
					next = xasprintf("%s%s", bars, bar);
					free(bar);
					free(bars);
					bars = next;
				}
			} else if (!seen->shown_any || done != seen->done ||
			           running != seen->running) {
				fprintf(p->err,
				        "weft-submit: stage %d (%s): %d/%d tasks done, %d "
				        "running\n",
				        id, name, done, total, running);
				seen->shown_any = true;
			}
		} else if (strcmp(st->state, "DONE") == 0 && seen->shown_done != attempts) {
			/* Done, or done again after lost outputs were recomputed. */
			if (!p->tty) {
				extras = submit_progress_extras(st);
				fprintf(p->err, "weft-submit: stage %d (%s) done: %d tasks%s\n", id,
				        name, total, extras);
				free(extras);
			}
			seen->shown_done = attempts;
		}
		seen->done = done;
		seen->running = running;
		seen->total = total;
		seen->attempts = attempts;
	}
	if (p->tty) {
		if (*bars != '\0') {
			fprintf(p->err, "\r%s", bars);
			p->bar_shown = true;
		} else {
			submit_progress_clear(p);
		}
	}
	fflush(p->err);
	free(bars);
	proto_driver_status_clear(&status);
}

/* The status of a cluster-mode driver arrived. */
static void submit_progress_answer_cb(const struct http_response *resp, void *arg)
{
	struct submit_progress *p = arg;
	struct json_object *root, *driver;

	p->call = NULL;
	if (resp->status != 200)
		return; /* not up yet, or gone: the next tick tries again */
	root = wjson_parse_object(resp->body, resp->body_len, NULL);
	if (root == NULL)
		return;
	driver = proto_driver_page_unwrap(root, NULL);
	if (driver != NULL)
		submit_progress_update(p, driver);
	json_object_put(root);
}

/* Poll once. */
static void submit_progress_tick_cb(evutil_socket_t fd, short events, void *arg)
{
	struct submit_progress *p = arg;
	struct json_object *st;

	if (p->driver != NULL) {
		st = driver_status(p->driver);
		submit_progress_update(p, st);
		json_object_put(st);
	} else if (p->url != NULL && p->call == NULL) {
		p->call = http_client_request(p->client, "GET", p->url, NULL, NULL, 0,
		                              PROGRESS_CALL_MS, submit_progress_answer_cb, p);
	}
}

void submit_progress_finish(struct submit_progress *p)
{
	struct json_object *st;

	if (p == NULL || p->finished)
		return;
	evtimer_del(p->timer);
	if (p->call != NULL) {
		http_call_cancel(p->call);
		p->call = NULL;
	}
	if (p->driver != NULL) {
		st = driver_status(p->driver);
		submit_progress_update(p, st);
		json_object_put(st);
	}
	submit_progress_clear(p);
	p->finished = true;
}

void submit_progress_free(struct submit_progress *p)
{
	if (p == NULL)
		return;
	if (p->call != NULL)
		http_call_cancel(p->call);
	event_free(p->timer);
	free(p->stages);
	free(p->url);
	free(p);
}
