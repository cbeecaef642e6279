/*
 * log.h — the one log module of every weft program.
 *
 * Lines look like "2026-11-21T09:30:00.123Z INFO  scheduler_allocate: ..."
 * and go to stderr (the sbin scripts redirect it into WEFT_LOG_DIR) or to
 * a file given to log_open().  libevent's own warnings are routed in.
 * SIGUSR2 in a daemon calls log_reopen() so logrotate can move the file.
 */
#ifndef WEFT_LOG_H
#define WEFT_LOG_H

#include <stdarg.h>

enum log_level { LOG_LEVEL_ERROR = 0, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* IN: program name used in lines; level; path (NULL = stderr). */
void log_open(const char *program, enum log_level level, const char *path);
/* Parse "error|warn|info|debug"; RET 0 and *out, or -1. */
int log_level_parse(const char *text, enum log_level *out);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Reopen the log file (no-op on stderr). */
void log_reopen(void);
void log_close(void);

void log_write(enum log_level level, const char *func, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void log_vwrite(enum log_level level, const char *func, const char *fmt, va_list ap)
        __attribute__((format(printf, 3, 0)));
/* The last words of fatal()/fatalx(): an ERROR line whatever the level, and
 * "PROGRAM: message" on stderr too when the log goes to a file.  Allocates
 * nothing (it may run out of memory). */
void log_fatal_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_error(...) log_write(LOG_LEVEL_ERROR, __func__, __VA_ARGS__)
#define log_warn(...)  log_write(LOG_LEVEL_WARN, __func__, __VA_ARGS__)
#define log_info(...)  log_write(LOG_LEVEL_INFO, __func__, __VA_ARGS__)
#define log_debug(...)                                                                             \
	do {                                                                                       \
		if (log_get_level() >= LOG_LEVEL_DEBUG)                                            \
			log_write(LOG_LEVEL_DEBUG, __func__, __VA_ARGS__);                         \
	} while (0)

#endif
