/* check.h - the one check macro every test executable uses. A failed check
 * prints file:line and the expression and counts; as_check_done() prints the
 * closing "N passed, N failed" line ctest logs and returns the exit code.
 * A test that cannot do its job here says "skipped: why" and exits 77
 * (ctest's SKIP_RETURN_CODE), never "passed". */
#ifndef AS_CHECK_H
#define AS_CHECK_H

#include <stdarg.h>
#include <stdio.h>

/* 1 in a build under AddressSanitizer (gcc's or clang's): a test leaves
 * out there what the sanitizer makes minutes long or whose counts it
 * changes */
#include "../harness/asan.h"

static int as_checks_passed, as_checks_failed;

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (cond) {                                                                      \
			as_checks_passed++;                                                      \
		} else {                                                                         \
			as_checks_failed++;                                                      \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                                \
	} while (0)

/* CHECK with a printf-style explanation on failure. */
#define CHECKF(cond, ...)                                                                        \
	do {                                                                                     \
		if (cond) {                                                                      \
			as_checks_passed++;                                                      \
		} else {                                                                         \
			as_checks_failed++;                                                      \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                            \
			fputc('\n', stderr);                                                     \
		}                                                                                \
	} while (0)

static inline int as_check_done(void)
{
	printf("%d passed, %d failed\n", as_checks_passed, as_checks_failed);
	return as_checks_failed ? 1 : 0;
}

/* One case of a test cannot run here (a missing tool, a refused counter):
 * prints "skipped: WHY" and the test goes on with its other cases. */
static inline void as_check_skip_case(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void as_check_skip_case(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("skipped: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
}

/* The test's main check cannot run here: prints "skipped: WHY" and the
 * closing line; returns 77 for main to return (ctest shows the test as
 * skipped), or 1 when a check has already failed. */
static inline int as_check_skip(const char *why)
{
	printf("skipped: %s\n", why);
	printf("%d passed, %d failed\n", as_checks_passed, as_checks_failed);
	return as_checks_failed ? 1 : 77;
}

#endif /* AS_CHECK_H */
