/* trace_hist.c - the exact request-size histogram of a trace: how often each
 * size is asked for by alloc, calloc and realloc events. One definition shared
 * by `allocscope trace stats` (which buckets it) and dist=trace (which samples
 * it as a table). Not a trace reader: feed it events from one (trace.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "trace.h"

static int grow(as_size_hist_t *h)
{
	uint64_t ncap = h->cap ? h->cap * 2 : 1024;
	size_t bytes = ncap * sizeof(uint64_t);
	uint64_t *s = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t *c = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED || c == MAP_FAILED) {
		if (s != MAP_FAILED)
			munmap(s, bytes);
		if (c != MAP_FAILED)
			munmap(c, bytes);
		return -1;
	}
	if (h->n) {
		memcpy(s, h->size_bytes, h->n * sizeof(uint64_t));
		memcpy(c, h->count, h->n * sizeof(uint64_t));
	}
	if (h->cap) {
		munmap(h->size_bytes, h->cap * sizeof(uint64_t));
		munmap(h->count, h->cap * sizeof(uint64_t));
	}
	h->size_bytes = s;
	h->count = c;
	h->cap = ncap;
	return 0;
}

int as_size_hist_add(as_size_hist_t *h, const as_tev_t *ev)
{
	uint64_t slot;
	if (ev->op != AS_TEV_ALLOC && ev->op != AS_TEV_CALLOC && ev->op != AS_TEV_REALLOC)
		return 0;
	if (!as_u64map_get(&h->index, ev->size, &slot)) {
		if (h->n == h->cap && grow(h) != 0)
			return -1;
		slot = h->n;
		if (as_u64map_put(&h->index, ev->size, slot) != 0)
			return -1;
		h->size_bytes[slot] = ev->size;
		h->count[slot] = 0;
		h->n++;
	}
	h->count[slot]++;
	h->requests++;
	return 0;
}

int as_size_hist_fn(void *ctx, const as_tev_t *ev, as_trace_err_t *err)
{
	if (as_size_hist_add(ctx, ev) != 0) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	return 0;
}

void as_size_hist_free(as_size_hist_t *h)
{
	as_u64map_free(&h->index);
	if (h->cap) {
		munmap(h->size_bytes, h->cap * sizeof(uint64_t));
		munmap(h->count, h->cap * sizeof(uint64_t));
	}
	memset(h, 0, sizeof(*h));
}
