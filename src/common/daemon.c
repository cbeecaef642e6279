/*
 * daemon.c — what every weft program does the same way at start-up:
 * common options, configuration loading, signals, clocks and finding its
 * own files.
 *
 * Signals are libevent signal events, so their handlers run inside the
 * loop like any other callback and may log, free and call into modules.
 */
#include "weft_config.h"

#include "common/daemon.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/config.h"
#include "common/log.h"
#include "common/net.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"

/* The signal events of this process (one loop per process). */
static struct event *daemon_stop_events[2];
static struct event *daemon_usr2_event;
static struct event *daemon_hup_event;
static void (*daemon_on_reload_cb)(void *);
static void *daemon_on_reload_arg;
static void (*daemon_on_stop)(void *);
static void *daemon_on_stop_arg;
static bool daemon_stopping;

/* Remember one -D argument. */
void daemon_options_add_define(struct daemon_options *o, const char *key_equals_value)
{
	o->defines = xreallocarray(o->defines, (size_t)o->n_defines + 1, sizeof *o->defines);
	o->defines[o->n_defines++] = xstrdup(key_equals_value);
}

/* Free what daemon_options_add_define collected. */
/* --conf-dir, checked for an empty name. */
int daemon_options_set_conf_dir(struct daemon_options *o, const char *dir, char **cause)
{
	if (dir[0] == '\0')
		return set_cause(cause, "--conf-dir: empty directory name");
	o->conf_dir = dir;
	return 0;
}

/* -D key=value, validated in scratch before it is recorded. */
int daemon_options_define(struct daemon_options *o, struct config *scratch, const char *arg,
                          char **cause)
{
	char *why = NULL;

	if (config_set_arg(scratch, arg, &why) != 0) {
		set_cause(cause, "-D %s: %s", arg, why);
		free(why);
		return -1;
	}
	daemon_options_add_define(o, arg);
	return 0;
}

void daemon_options_free(struct daemon_options *o)
{
	int i;

	for (i = 0; i < o->n_defines; i++)
		free(o->defines[i]);
	free(o->defines);
	o->defines = NULL;
	o->n_defines = 0;
}

/* Load the configuration the options name, apply every -D, and set the
 * log level from log.level. */
struct config *daemon_load_config(const char *program, const struct daemon_options *o)
{
	struct config *cfg;
	enum log_level level;
	char *cause = NULL;
	int i;

	cfg = config_new();
	if (config_load(cfg, o->conf_dir, &cause) != 0)
		goto fail;
	for (i = 0; i < o->n_defines; i++) {
		if (config_set_arg(cfg, o->defines[i], &cause) != 0)
			goto fail;
	}
	if (log_level_parse(config_get(cfg, "log.level"), &level) == 0)
		log_set_level(level);
	return cfg;
fail:
	fprintf(stderr, "%s: %s\n", program, cause);
	free(cause);
	config_free(cfg);
	return NULL;
}

/* SIGTERM/SIGINT: stop gracefully the first time, at once the second. */
static void daemon_stop_cb(evutil_socket_t sig, short events, void *arg)
{
	if (daemon_stopping) {
		log_warn("signal %d again: exiting now", (int)sig);
		exit(1);
	}
	daemon_stopping = true;
	log_info("signal %d: stopping (send it again to exit at once)", (int)sig);
	if (daemon_on_stop != NULL)
		daemon_on_stop(daemon_on_stop_arg);
}

/* SIGUSR2: let logrotate move the log file. */
static void daemon_usr2_cb(evutil_socket_t sig, short events, void *arg)
{
	log_reopen();
}

/* SIGHUP: the daemon's reload, or say there is none rather than die. */
static void daemon_hup_cb(evutil_socket_t sig, short events, void *arg)
{
	if (daemon_on_reload_cb == NULL) {
		log_info("SIGHUP received: ignored (this daemon has nothing to reload)");
		return;
	}
	log_info("SIGHUP received: reloading");
	daemon_on_reload_cb(daemon_on_reload_arg);
}

void daemon_on_reload(void (*on_reload)(void *), void *arg)
{
	daemon_on_reload_cb = on_reload;
	daemon_on_reload_arg = arg;
}

/* Create and add one signal event; failure at start-up is fatal. */
static struct event *daemon_signal_add(struct event_base *base, int sig, event_callback_fn cb)
{
	struct event *ev;

	ev = evsignal_new(base, sig, cb, NULL);
	if (ev == NULL || evsignal_add(ev, NULL) != 0)
		fatalx("daemon_signals: cannot watch signal %d", sig);
	return ev;
}

/* Install the daemons' signal handling on the loop. */
void daemon_signals(struct event_base *base, void (*on_stop)(void *), void *arg)
{
	daemon_signals_free();
	daemon_on_stop = on_stop;
	daemon_on_stop_arg = arg;
	daemon_stopping = false;
	signal(SIGPIPE, SIG_IGN);
	daemon_stop_events[0] = daemon_signal_add(base, SIGTERM, daemon_stop_cb);
	daemon_stop_events[1] = daemon_signal_add(base, SIGINT, daemon_stop_cb);
	daemon_usr2_event = daemon_signal_add(base, SIGUSR2, daemon_usr2_cb);
	daemon_hup_event = daemon_signal_add(base, SIGHUP, daemon_hup_cb);
}

/* Free the signal events (before the base they belong to). */
void daemon_signals_free(void)
{
	size_t i;

	for (i = 0; i < sizeof daemon_stop_events / sizeof daemon_stop_events[0]; i++) {
		if (daemon_stop_events[i] != NULL)
			event_free(daemon_stop_events[i]);
		daemon_stop_events[i] = NULL;
	}
	if (daemon_usr2_event != NULL)
		event_free(daemon_usr2_event);
	daemon_usr2_event = NULL;
	if (daemon_hup_event != NULL)
		event_free(daemon_hup_event);
	daemon_hup_event = NULL;
	daemon_on_reload_cb = NULL;
	daemon_on_reload_arg = NULL;
}

/* Milliseconds of a clock. */
static int64_t daemon_clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wall-clock ms since the epoch (for timestamps others read). */
int64_t time_now_ms(void)
{
	return daemon_clock_ms(CLOCK_REALTIME);
}

/* Monotonic ms (for timeouts and durations: immune to clock changes). */
int64_t time_mono_ms(void)
{
	return daemon_clock_ms(CLOCK_MONOTONIC);
}

/* The directory of the running executable, or NULL when it cannot be
 * found (no /proc). */
char *daemon_self_dir(void)
{
	static const char deleted[] = " (deleted)";
	size_t size = 256, len;
	char *buf, *slash;
	ssize_t n;

	for (;;) {
		buf = xmalloc(size);
		n = readlink("/proc/self/exe", buf, size);
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if ((size_t)n < size)
			break;
		free(buf);
		size *= 2;
	}
	buf[n] = '\0';
	/* A binary rebuilt while running reads "/path/prog (deleted)". */
	len = (size_t)n;
	if (len > sizeof deleted - 1 && strcmp(buf + len - (sizeof deleted - 1), deleted) == 0)
		buf[len - (sizeof deleted - 1)] = '\0';
	slash = strrchr(buf, '/');
	if (slash == NULL) {
		free(buf);
		return NULL;
	}
	if (slash == buf)
		slash[1] = '\0';
	else
		*slash = '\0';
	return buf;
}

/* Whether dir/name is an executable file. */
static bool daemon_has_program(const char *dir, const char *name)
{
	char *probe;
	bool found;

	probe = xasprintf("%s/%s", dir, name);
	found = access(probe, X_OK) == 0;
	free(probe);
	return found;
}

/* Where weft-am and weft-executor are: beside us in a build tree; in
 * ../libexec/weft of an installed tree, even one moved or installed with
 * `make install prefix=...`; else the configured libexec dir. */
char *daemon_libexec_dir(void)
{
	char *self, *rel, *resolved;

	self = daemon_self_dir();
	if (self == NULL)
		return xstrdup(WEFT_LIBEXECDIR);
	if (daemon_has_program(self, "weft-executor"))
		return self;
	rel = xasprintf("%s/../libexec/weft", self);
	free(self);
	resolved = realpath(rel, NULL);
	free(rel);
	if (resolved != NULL && daemon_has_program(resolved, "weft-executor"))
		return resolved;
	free(resolved);
	return xstrdup(WEFT_LIBEXECDIR);
}

/* Write the bound address where the sbin scripts look for it. */
int daemon_announce_address(const char *program, const char *host, int port)
{
	char *text = net_format_address(host, port);
	const char *lines[1] = {text};
	int rc = daemon_announce_addresses(program, lines, 1);

	free(text);
	return rc;
}

/* Write the bound addresses, one a line, where the sbin scripts look. */
int daemon_announce_addresses(const char *program, const char *const *addresses, int n)
{
	const char *path = getenv("WEFT_ADDRESS_FILE");
	char *tmp;
	FILE *f;
	int rc = 0;

	for (int i = 0; i < n; i++)
		log_info("%s listening on %s", program, addresses[i]);
	if (path != NULL && *path != '\0') {
		bool failed;

		tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
		f = fopen(tmp, "w");
		failed = f == NULL;
		for (int i = 0; i < n && !failed; i++)
			failed = fprintf(f, "%s\n", addresses[i]) < 0;
		if (f != NULL && fclose(f) != 0)
			failed = true;
		if (failed || rename(tmp, path) != 0) {
			log_error("WEFT_ADDRESS_FILE %s: %s", path, strerror(errno));
			unlink(tmp);
			rc = -1;
		}
		free(tmp);
	}
	return rc;
}

/* --version: "PROGRAM (weft) VERSION", as GNU tools print it. */
void daemon_print_version(const char *program)
{
	printf("%s (weft) %s\n", program, WEFT_VERSION_STRING);
}
