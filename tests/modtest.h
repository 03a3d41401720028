/* modtest.h - helpers for tests that drive a built module exactly as the
 * CLI does: load it through the harness loader (dlopen + validation), read
 * one of its stats by name, and check a block's content pattern. */
#ifndef AS_MODTEST_H
#define AS_MODTEST_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "loader.h"

/* Load NAME.so from $ALLOCSCOPE_BUILD/allocators (set by ctest), else by
 * name through the loader's search path. Returns 0 or -1 (message printed). */
static inline int mt_load(const char *name, as_loaded_t *lm)
{
	char path[4096], err[1024];
	const char *b = getenv("ALLOCSCOPE_BUILD");
	if (b)
		snprintf(path, sizeof(path), "%s/allocators/%s.so", b, name);
	else
		snprintf(path, sizeof(path), "%s", name);
	if (as_module_load(path, lm, err, sizeof(err)) != AS_OK) {
		fprintf(stderr, "cannot load %s: %s\n", name, err);
		return -1;
	}
	return 0;
}

typedef struct {
	const char *name;
	double value;
	int found;
} mt_stat_t;

static inline void mt_stat_cb(void *ctx, const char *name, double value)
{
	mt_stat_t *s = ctx;
	if (!strcmp(s->name, name)) {
		s->value = value;
		s->found = 1;
	}
}

/* The module's counter `name`, NaN when it does not report it. */
static inline double mt_stat(const as_module_t *m, void *inst, const char *name)
{
	mt_stat_t s = {name, NAN, 0};
	if (m->stats)
		m->stats(inst, mt_stat_cb, &s);
	return s.found ? s.value : NAN;
}

/* Fill / check a block with a pattern derived from a tag. */
static inline void mt_fill(void *p, size_t n, uint32_t tag)
{
	memset(p, (int)(tag * 2654435761u >> 24) | 1, n);
	if (n >= 4)
		memcpy(p, &tag, 4);
}

/* Checks the first and last 256 bytes (the whole block when smaller). */
static inline int mt_check(const void *p, size_t n, uint32_t tag)
{
	const unsigned char *c = p;
	unsigned char want = (unsigned char)((tag * 2654435761u >> 24) | 1);
	uint32_t t;
	if (n >= 4) {
		memcpy(&t, p, 4);
		if (t != tag)
			return 0;
	}
	for (size_t i = n >= 4 ? 4 : 0; i < n && i < 256; i++)
		if (c[i] != want)
			return 0;
	for (size_t i = n > 256 ? n - 256 : 0; i < n; i++)
		if (i >= 4 && c[i] != want)
			return 0;
	return 1;
}

#endif /* AS_MODTEST_H */
