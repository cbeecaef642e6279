/*
 * log.c — the one log of a weft program.
 *
 * Every line is "2026-11-21T09:30:00.123Z INFO  func: message" (UTC, ms)
 * written with a single write(2) on an O_APPEND descriptor, so lines of
 * several processes sharing a file never interleave.  libevent's own
 * messages are routed in; log_reopen() lets logrotate move the file away
 * (SIGUSR2 in the daemons).
 */
#include "weft_config.h"

#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/xmalloc.h"

/* Short lines are formatted on the stack; longer ones are allocated. */
#define LOG_LINE_MAX 8192

static int log_fd = STDERR_FILENO;
static char *log_path;
static char log_program[64] = "weft";
static enum log_level log_level = LOG_LEVEL_INFO;

static const char *const log_level_names[] = {"ERROR", "WARN", "INFO", "DEBUG"};

/* Write all of buf, retrying on EINTR; errors are dropped (nowhere to
 * report them). */
static void log_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* Format "YYYY-MM-DDTHH:MM:SS.mmmZ" for now into out (at least 32 bytes). */
static void log_timestamp(char *out, size_t size)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000L);
}

/* Open path for appending; RET the descriptor or -1 with errno set. */
static int log_open_file(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

/* Map libevent's severities onto ours and log the message. */
static void log_event_cb(int severity, const char *msg)
{
	enum log_level level;

	switch (severity) {
	case EVENT_LOG_DEBUG:
		level = LOG_LEVEL_DEBUG;
		break;
	case EVENT_LOG_MSG:
		level = LOG_LEVEL_INFO;
		break;
	case EVENT_LOG_WARN:
		level = LOG_LEVEL_WARN;
		break;
	default:
		level = LOG_LEVEL_ERROR;
		break;
	}
	if (level <= log_level)
		log_write(level, "libevent", "%s", msg);
}

/* Start logging for a program: where lines go and how many. */
void log_open(const char *program, enum log_level level, const char *path)
{
	int fd;

	if (program != NULL)
		snprintf(log_program, sizeof log_program, "%s", program);
	log_level = level;
	event_set_log_callback(log_event_cb);
	log_close();
	if (path == NULL)
		return;
	fd = log_open_file(path);
	if (fd < 0) {
		log_warn("%s: %s (logging to stderr)", path, strerror(errno));
		return;
	}
	log_fd = fd;
	log_path = xstrdup(path);
}

/* Parse a level name as weft.conf's log.level spells it. */
int log_level_parse(const char *text, enum log_level *out)
{
	size_t i;

	for (i = 0; i < sizeof log_level_names / sizeof log_level_names[0]; i++) {
		if (strcasecmp(text, log_level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

/* Change how much is logged (log.level, or a tool's -v). */
void log_set_level(enum log_level level)
{
	log_level = level;
}

/* The current level, so log_debug() can skip formatting. */
enum log_level log_get_level(void)
{
	return log_level;
}

/* Reopen the file by name so a rotated-away file is let go of; on failure
 * the old descriptor stays in use. */
void log_reopen(void)
{
	int fd;

	if (log_path == NULL)
		return;
	fd = log_open_file(log_path);
	if (fd < 0) {
		log_warn("%s: %s (keeping the old file)", log_path, strerror(errno));
		return;
	}
	close(log_fd);
	log_fd = fd;
	log_info("reopened %s", log_path);
}

/* Go back to stderr, closing any log file. */
void log_close(void)
{
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = STDERR_FILENO;
	free(log_path);
	log_path = NULL;
}

/* Format one line and write it with a single write(2). */
void log_vwrite(enum log_level level, const char *func, const char *fmt, va_list ap)
{
	char stack[LOG_LINE_MAX], *line = stack, *big;
	size_t head, len;
	va_list copy;
	int n;

	if (level > log_level)
		return;
	if ((unsigned)level >= sizeof log_level_names / sizeof log_level_names[0])
		level = LOG_LEVEL_ERROR;

	log_timestamp(stack, sizeof stack);
	head = strlen(stack);
	n = snprintf(stack + head, sizeof stack - head, " %-5s %s: ", log_level_names[level],
	             func != NULL ? func : "?");
	if (n < 0)
		return;
	head += (size_t)n;
	if (head >= sizeof stack - 2)
		head = sizeof stack - 2;

	va_copy(copy, ap);
	n = vsnprintf(stack + head, sizeof stack - head, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	len = head + (size_t)n;
	if (len + 2 > sizeof stack) {
		/* Too long for the stack: allocate (not xmalloc, which would
		 * log), or truncate when even that fails. */
		big = malloc(len + 2);
		if (big != NULL) {
			memcpy(big, stack, head);
			vsnprintf(big + head, len + 1 - head, fmt, ap);
			line = big;
		} else
			len = sizeof stack - 2;
	}
	/* One line per call: drop the caller's trailing newlines. */
	while (len > head && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	line[len++] = '\n';
	log_write_all(log_fd, line, len);
	if (line != stack)
		free(line);
}

/* Log one line at level, prefixed with the calling function. */
void log_write(enum log_level level, const char *func, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, func, fmt, ap);
	va_end(ap);
}

/* Last words before exit: always logged, and echoed to stderr when the log
 * is a file so whoever started the program sees why it stopped. */
void log_fatal_message(const char *fmt, ...)
{
	char msg[1024], line[1200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_write(LOG_LEVEL_ERROR, "fatal", "%s", msg); /* ERROR is never filtered */
	if (log_fd != STDERR_FILENO) {
		n = snprintf(line, sizeof line, "%s: %s\n", log_program, msg);
		if (n > 0 && (size_t)n >= sizeof line)
			n = sizeof line - 1;
		if (n > 0)
			log_write_all(STDERR_FILENO, line, (size_t)n);
	}
}
