/*
 * application.c — an application's record on this node and the delayed
 * removal of its directories.
 *
 * Containers of one application share its app cache directory
 * (usercache/<user>/appcache/<app>) in every local dir.  When the RM lists
 * the application in appsToCleanup, the container manager kills what is
 * left of it; once every container is complete it calls
 * application_cleanup(), which waits nm.delete.debug-delay-sec (so people
 * can look at a failed job's files) and removes those directories without
 * following symlinks.
 */
#include "weft_config.h"

#include "nm/application.h"

#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/log.h"
#include "common/xmalloc.h"
#include "nm/dirs.h"
#include "nm/launcher.h"

struct application {
	struct nm_context *ctx;
	char *id;
	char *user;
	enum application_state state;
	struct event *cleanup_timer;
	application_cleaned_cb cleaned;
	void *cleaned_arg;
};

static const char *const application_state_names[APPLICATION_STATE_COUNT] = {
        [APPLICATION_RUNNING] = "RUNNING",
        [APPLICATION_FINISHING_CONTAINERS_WAIT] = "FINISHING_CONTAINERS_WAIT",
        [APPLICATION_RESOURCES_CLEANINGUP] = "APPLICATION_RESOURCES_CLEANINGUP",
        [APPLICATION_FINISHED] = "FINISHED",
};

/* Every legal transition. */
static const struct {
	enum application_state from, to;
} application_transitions[] = {
        {APPLICATION_RUNNING, APPLICATION_FINISHING_CONTAINERS_WAIT},
        {APPLICATION_RUNNING, APPLICATION_RESOURCES_CLEANINGUP},
        {APPLICATION_FINISHING_CONTAINERS_WAIT, APPLICATION_RESOURCES_CLEANINGUP},
        {APPLICATION_RESOURCES_CLEANINGUP, APPLICATION_FINISHED},
};

/* A state's name as the REST API shows it. */
const char *application_state_name(enum application_state state)
{
	if ((int)state < 0 || state >= APPLICATION_STATE_COUNT)
		return "UNKNOWN";
	return application_state_names[state];
}

/* Whether the table allows from -> to. */
bool application_transition_allowed(enum application_state from, enum application_state to)
{
	size_t i;

	for (i = 0; i < sizeof application_transitions / sizeof application_transitions[0]; i++) {
		if (application_transitions[i].from == from && application_transitions[i].to == to)
			return true;
	}
	return false;
}

/* A new RUNNING application. */
struct application *application_new(struct nm_context *ctx, const char *id, const char *user)
{
	struct application *a = xcalloc(1, sizeof *a);

	a->ctx = ctx;
	a->id = xstrdup(id);
	a->user = xstrdup(user);
	a->state = APPLICATION_RUNNING;
	log_info("application %s (user %s): RUNNING", id, user);
	return a;
}

/* Free the record. */
void application_free(struct application *a)
{
	if (a == NULL)
		return;
	if (a->cleanup_timer != NULL)
		event_free(a->cleanup_timer);
	free(a->id);
	free(a->user);
	free(a);
}

const char *application_id(const struct application *a)
{
	return a->id;
}

const char *application_user(const struct application *a)
{
	return a->user;
}

enum application_state application_get_state(const struct application *a)
{
	return a->state;
}

/* The one place an application changes state. */
int application_set_state(struct application *a, enum application_state to)
{
	if (!application_transition_allowed(a->state, to)) {
		log_error("application %s: illegal transition %s -> %s", a->id,
		          application_state_name(a->state), application_state_name(to));
		return -1;
	}
	log_info("application %s: %s -> %s", a->id, application_state_name(a->state),
	         application_state_name(to));
	a->state = to;
	return 0;
}

/* The debug delay is over: remove the app cache dirs. */
static void application_cleanup_cb(evutil_socket_t fd, short events, void *arg)
{
	struct application *a = arg;
	char *dir, *cause = NULL;
	int i;

	event_free(a->cleanup_timer);
	a->cleanup_timer = NULL;
	for (i = 0; a->ctx != NULL && i < a->ctx->n_local_dirs; i++) {
		dir = launcher_app_cache_dir(a->ctx->local_dirs[i], a->user, a->id);
		if (dirs_remove_tree(dir, &cause) != 0) {
			log_warn("application %s: cannot remove %s: %s", a->id, dir, cause);
			free(cause);
			cause = NULL;
		} else {
			log_debug("application %s: removed %s", a->id, dir);
		}
		free(dir);
	}
	if (a->ctx != NULL) {
		dir = launcher_private_app_dir(a->ctx, a->id);
		if (dirs_remove_tree(dir, &cause) != 0) {
			log_warn("application %s: cannot remove %s: %s", a->id, dir, cause);
			free(cause);
		}
		free(dir);
	}
	application_set_state(a, APPLICATION_FINISHED);
	if (a->cleaned != NULL)
		a->cleaned(a, a->cleaned_arg);
}

/* Every container is complete: clean up after the debug delay. */
void application_cleanup(struct application *a, application_cleaned_cb cb, void *arg)
{
	struct timeval delay = {0, 0};

	if (a->state == APPLICATION_RESOURCES_CLEANINGUP || a->state == APPLICATION_FINISHED)
		return;
	if (application_set_state(a, APPLICATION_RESOURCES_CLEANINGUP) != 0)
		return;
	a->cleaned = cb;
	a->cleaned_arg = arg;
	if (a->ctx != NULL)
		delay.tv_sec = (time_t)config_get_int(a->ctx->cfg, "nm.delete.debug-delay-sec");
	if (delay.tv_sec > 0)
		log_info("application %s: keeping its directories for %ld s (debug delay)", a->id,
		         (long)delay.tv_sec);
	if (a->ctx == NULL) {
		application_set_state(a, APPLICATION_FINISHED);
		if (cb != NULL)
			cb(a, arg);
		return;
	}
	a->cleanup_timer = evtimer_new(a->ctx->base, application_cleanup_cb, a);
	if (a->cleanup_timer == NULL)
		fatalx("application_cleanup: evtimer_new failed");
	evtimer_add(a->cleanup_timer, &delay);
}
