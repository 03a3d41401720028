/* trace_bench.c - decode speed of both trace forms, and the same ops as a
 * hand-written loop straight into glibc (no engine, no vtable), to set
 * against `allocscope replay -a glibc,null`. Not a test: figures only.
 *   trace_bench TRACE.ast [TRACE.csv]   */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trace.h"

typedef struct {
	uint64_t n;
} count_t;

static int count_fn(void *ctx, const as_tev_t *ev, as_trace_err_t *err)
{
	(void)ev;
	(void)err;
	((count_t *)ctx)->n++;
	return 0;
}

typedef struct {
	as_tev_t *ev;
	uint64_t n, cap, nobj;
} vec_t;

static int vec_fn(void *ctx, const as_tev_t *ev, as_trace_err_t *err)
{
	vec_t *v = ctx;
	(void)err;
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 1 << 20;
		v->ev = realloc(v->ev, v->cap * sizeof(*v->ev));
		if (!v->ev)
			return -1;
	}
	v->ev[v->n++] = *ev;
	if (ev->obj + 1 > v->nobj)
		v->nobj = ev->obj + 1;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int decode(const char *path, const char *what)
{
	const void *buf;
	size_t len;
	char msg[512];
	double best = 1e9;
	count_t c = {0};
	if (as_trace_map_file(path, &buf, &len, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "%s\n", msg);
		return -1;
	}
	for (int rep = 0; rep < 5; rep++) {
		as_trace_err_t err;
		double t0 = now_s(), t;
		int r;
		c.n = 0;
		r = !strcmp(what, "binary") ? as_trace_bin_read(buf, len, count_fn, &c, &err)
		                            : as_trace_csv_read(buf, len, count_fn, &c, &err);
		t = now_s() - t0;
		if (r != 0) {
			fprintf(stderr, "%s: %s\n", path, err.msg);
			return -1;
		}
		if (t < best)
			best = t;
	}
	printf("decode %-6s %10llu events %11zu bytes %8.1f MB/s %8.1f M events/s %6.2f ns/event\n",
	       what, (unsigned long long)c.n, len, (double)len / best / 1e6,
	       (double)c.n / best / 1e6, best * 1e9 / (double)c.n);
	as_trace_unmap_file(buf, len);
	return 0;
}

int main(int argc, char **argv)
{
	vec_t v = {0};
	char msg[512];
	void **slot;
	double best = 1e9;
	uint64_t ops = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: trace_bench TRACE.ast [TRACE.csv]\n");
		return 2;
	}
	if (decode(argv[1], "binary") != 0 || (argc > 2 && decode(argv[2], "csv") != 0))
		return 1;
	if (as_trace_read_file(argv[1], vec_fn, &v, NULL, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "%s\n", msg);
		return 1;
	}
	slot = calloc(v.nobj + 1, sizeof(void *));
	for (int rep = 0; rep < 3; rep++) {
		double t0 = now_s(), t;
		ops = 0;
		for (uint64_t i = 0; i < v.n; i++) {
			const as_tev_t *e = &v.ev[i];
			switch (e->op) {
			case AS_TEV_ALLOC:
				slot[e->obj] =
				    e->align_log2
				        ? aligned_alloc(
				              (size_t)1 << e->align_log2,
				              (e->size + ((size_t)1 << e->align_log2) - 1) &
				                  ~(((size_t)1 << e->align_log2) - 1))
				        : malloc(e->size);
				if (e->size)
					*(volatile char *)slot[e->obj] =
					    1; /* touch=first, as the engine */
				break;
			case AS_TEV_CALLOC:
				slot[e->obj] = calloc(1, e->size);
				if (e->size)
					*(volatile char *)slot[e->obj] = 1;
				break;
			case AS_TEV_REALLOC: slot[e->obj] = realloc(slot[e->obj], e->size); break;
			case AS_TEV_FREE:
				free(slot[e->obj]);
				slot[e->obj] = NULL;
				break;
			default: continue;
			}
			ops++;
		}
		t = now_s() - t0;
		for (uint64_t o = 0; o < v.nobj; o++) {
			free(slot[o]);
			slot[o] = NULL;
		}
		if (t < best)
			best = t;
	}
	printf("hand-written loop into glibc: %llu ops, %.2f ns/op, %.1f M ops/s\n",
	       (unsigned long long)ops, best * 1e9 / (double)ops, (double)ops / best / 1e6);
	free(slot);
	free(v.ev);
	return 0;
}
