/*
 * assert.h — invariants: WEFT_ASSERT(expr) for a branch that "cannot
 * happen" (Redis's serverAssert), instead of a log line nobody reads.
 *
 * WEFT_ASSERT(expr) evaluates expr once and is true when it holds.  When
 * it does not, one ERROR line says "assertion failed: EXPR" with the
 * function, file and line, and then:
 *
 *   fatal      abort() (a core, and the sanitizers' stack) when the build
 *              was configured with --enable-sanitizers (WEFT_ASSERT_FATAL
 *              is defined) or the process runs with WEFT_ASSERT_FATAL=1 in
 *              its environment: `make check` exports it, so every unit
 *              test and every daemon an integration test starts dies on a
 *              broken invariant instead of passing over it;
 *   recovered  otherwise (a production daemon): the expression is false
 *              and the caller's recovery runs, so write
 *                  if (!WEFT_ASSERT(at != NULL)) { recover; return; }
 *              A daemon never exits on a broken invariant it can recover
 *              from; the ERROR line (and weft_assert_failures()) tell.
 *
 * Only for the daemons' own bookkeeping: bad input from a peer or a user
 * is an error answer, never an assertion.
 */
#ifndef WEFT_ASSERT_H
#define WEFT_ASSERT_H

#include <stdbool.h>

#define WEFT_ASSERT(expr) weft_assert_check(!!(expr), #expr, __FILE__, __LINE__, __func__)

/* Log a failed assertion; abort when fatal.  RET false (for the caller's
 * recovery). */
bool weft_assert_failed(const char *expr, const char *file, int line, const char *func);
/* Whether a failed assertion aborts (the build's and environment's rule,
 * unless a test forced it). */
bool weft_assert_fatal(void);
/* Tests: force fatal (1) or recovered (0); -1 goes back to the rule. */
void weft_assert_force(int fatal);
/* Failed assertions since the process started. */
long weft_assert_failures(void);

/* WEFT_ASSERT's body: nothing but a test while the invariant holds. */
static inline bool weft_assert_check(bool ok, const char *expr, const char *file, int line,
                                     const char *func)
{
	if (__builtin_expect(ok, 1))
		return true;
	return weft_assert_failed(expr, file, line, func);
}

#endif
