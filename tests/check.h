/* check.h - the one check macro every test executable uses. A failed check
 * prints file:line and the expression and counts; as_check_done() prints the
 * closing "N passed, N failed" line ctest logs and returns the exit code. */
#ifndef AS_CHECK_H
#define AS_CHECK_H

#include <stdio.h>

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

#endif /* AS_CHECK_H */
