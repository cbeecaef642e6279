/*
 * daemon.h — what every weft program does the same way at start-up:
 * the common command-line options, configuration loading, signals, time.
 *
 * Options every program takes:
 *   --conf-dir DIR   configuration directory (default $WEFT_CONF_DIR, then
 *                    the source tree's conf/ when uninstalled, then the
 *                    installed one)
 *   -D key=value     override one weft.conf key (repeatable)
 *   -h, --help       usage;  -V, --version
 * Daemons run in the foreground (the sbin scripts daemonize them): SIGTERM
 * and SIGINT stop them gracefully, SIGUSR2 reopens the log, SIGHUP is
 * logged and ignored until reconfiguration exists.
 */
#ifndef WEFT_DAEMON_H
#define WEFT_DAEMON_H

#include <event2/event.h>
#include <stdint.h>

struct config;

/* Collected common options: daemon_options_add() is fed from getopt. */
struct daemon_options {
	const char *conf_dir;
	char **defines; /* "key=value" from -D */
	int n_defines;
};

void daemon_options_add_define(struct daemon_options *o, const char *key_equals_value);
void daemon_options_free(struct daemon_options *o);
/* Tools check options while parsing, so a bad one is reported with its flag
 * before anything runs.  --conf-dir: RET 0, or -1 with *cause for an empty
 * name ("--conf-dir: empty directory name"). */
int daemon_options_set_conf_dir(struct daemon_options *o, const char *dir, char **cause);
/* -D key=value: validated against the key table by setting it in scratch
 * (a throw-away configuration), then recorded.  RET 0, or -1 with *cause
 * "-D key=value: why". */
int daemon_options_define(struct daemon_options *o, struct config *scratch, const char *arg,
                          char **cause);
/* config_new + config_load + every -D, then log_set_level(log.level); on
 * error prints "PROGRAM: cause" to stderr and RET NULL (the caller exits 2
 * for bad usage, 1 otherwise). */
struct config *daemon_load_config(const char *program, const struct daemon_options *o);

/* Install SIGTERM/SIGINT (call on_stop(arg) once, a second signal exits
 * at once), SIGUSR2 (log reopen), SIGHUP (the reload set with
 * daemon_on_reload, else logged and ignored), SIGPIPE ignored. */
void daemon_signals(struct event_base *base, void (*on_stop)(void *), void *arg);
/* What SIGHUP does (after daemon_signals): on_reload(arg) in the loop. */
void daemon_on_reload(void (*on_reload)(void *), void *arg);
/* Free the signal events (before event_base_free). */
void daemon_signals_free(void);

/* Wall-clock time in ms since the epoch, and a monotonic clock in ms. */
int64_t time_now_ms(void);
int64_t time_mono_ms(void);

/* The directory holding the running program (resolved /proc/self/exe);
 * NULL when it cannot be found. Caller frees. */
char *daemon_self_dir(void);
/* Where weft-am / weft-executor live: beside the running program when
 * they are there (build tree), else WEFT_LIBEXECDIR. */
char *daemon_libexec_dir(void);
/*
 * Tell the world where a daemon listens, whatever log.level says: write
 * "HOST:PORT\n" to the file named by $WEFT_ADDRESS_FILE (the sbin scripts
 * set it and wait for it), replaced atomically, and log it.
 * RET 0, -1 when the file could not be written (logged).
 */
int daemon_announce_address(const char *program, const char *host, int port);
/* The same for a daemon with several listeners: one "HOST:PORT" a line,
 * in the order given (weft-rm: public REST, then internal RPC). */
int daemon_announce_addresses(const char *program, const char *const *addresses, int n);
/* Print "PROGRAM (weft) VERSION" on stdout for --version. */
void daemon_print_version(const char *program);

#endif
