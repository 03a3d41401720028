/* oom.c - see oom.h. */
#define _GNU_SOURCE
#include "oom.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void (*oom_hook)(const char *msg);
static atomic_int exiting;

void as_oom_hook(void (*hook)(const char *msg))
{
	oom_hook = hook;
}

_Noreturn void as_oom(const char *what, size_t bytes)
{
	char msg[256];
	if (atomic_exchange(&exiting, 1))
		_exit(AS_EXIT_OOM); /* out of memory again, in an exit handler */
	if (bytes)
		snprintf(msg, sizeof(msg), "out of memory: %s (%zu bytes)", what, bytes);
	else /* a library's allocation (jansson's) whose size is not known */
		snprintf(msg, sizeof(msg), "out of memory: %s", what);
	if (oom_hook) {
		oom_hook(msg);
		_exit(AS_EXIT_OOM);
	}
	/* the rows and tables printed before stay whole: stdout first */
	fflush(stdout);
	fprintf(stderr, "allocscope: %s\n", msg);
	exit(AS_EXIT_OOM);
}

void *as_xmalloc(size_t n, const char *what)
{
	void *p = malloc(n);
	if (!p && n)
		as_oom(what, n);
	return p;
}

void *as_xcalloc(size_t n, size_t size, const char *what)
{
	void *p = calloc(n, size);
	if (!p && n && size)
		as_oom(what, n > (size_t)-1 / size ? (size_t)-1 : n * size);
	return p;
}

void *as_xrealloc(void *p, size_t n, const char *what)
{
	void *q = realloc(p, n);
	if (!q && n)
		as_oom(what, n);
	return q;
}

char *as_xstrdup(const char *s, const char *what)
{
	char *p = strdup(s);
	if (!p)
		as_oom(what, strlen(s) + 1);
	return p;
}

char *as_xstrndup(const char *s, size_t n, const char *what)
{
	char *p = strndup(s, n);
	if (!p)
		as_oom(what, strnlen(s, n) + 1);
	return p;
}
