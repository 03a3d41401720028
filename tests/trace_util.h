/* trace_util.h - helpers shared by the trace end-to-end tests: run a shell
 * command into files, read a file, and load a trace through the library into
 * an array of events. Test code only. */
#ifndef AS_TEST_TRACE_UTIL_H
#define AS_TEST_TRACE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../workloads/trace.h"

/* Run `cmd` through sh; returns its exit code (or 128+signal). */
static inline int run_sh(const char *cmd)
{
	int st = system(cmd);
	if (st == -1)
		return -1;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* Whole file as a NUL-terminated malloc'd string (NULL if unreadable). */
static inline char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	if (b)
		b[n] = '\0';
	fclose(f);
	return b;
}

typedef struct {
	as_tev_t *ev;
	size_t n, cap;
} evvec_t;

static inline int evvec_push(void *ctx, const as_tev_t *ev, as_trace_err_t *err)
{
	evvec_t *v = ctx;
	(void)err;
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 1024;
		v->ev = realloc(v->ev, v->cap * sizeof(*v->ev));
		if (!v->ev)
			return -1;
	}
	v->ev[v->n++] = *ev;
	return 0;
}

#endif /* AS_TEST_TRACE_UTIL_H */
