/*
 * assert.c — what a failed WEFT_ASSERT does: log, then abort or let the
 * caller recover (the rule is in assert.h).
 */
#include "weft_config.h"

#include "common/assert.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"

static long weft_assert_count;
static int weft_assert_forced = -1; /* -1: the build's and environment's rule */

/* Forced by a test, else the build's rule, else the environment's. */
bool weft_assert_fatal(void)
{
	if (weft_assert_forced >= 0)
		return weft_assert_forced != 0;
#ifdef WEFT_ASSERT_FATAL
	return true;
#else
	const char *env = getenv("WEFT_ASSERT_FATAL");

	return env != NULL && env[0] != '\0' && strcmp(env, "0") != 0;
#endif
}

/* Tests: force the rule (-1 gives it back). */
void weft_assert_force(int fatal)
{
	weft_assert_forced = fatal < 0 ? -1 : fatal != 0;
}

/* Failed assertions so far. */
long weft_assert_failures(void)
{
	return weft_assert_count;
}

/* Log the failure, then abort or let the caller recover. */
bool weft_assert_failed(const char *expr, const char *file, int line, const char *func)
{
	weft_assert_count++;
	if (weft_assert_fatal()) {
		log_fatal_message("%s: assertion failed: %s (%s:%d)", func, expr, file, line);
		abort();
	}
	log_write(LOG_LEVEL_ERROR, func, "assertion failed: %s (%s:%d); recovered", expr, file,
	          line);
	return false;
}
