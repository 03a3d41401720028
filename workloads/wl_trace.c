/* wl_trace.c - the "trace" workload: replays a trace file (binary or CSV)
 * as an op stream, one stream thread per traced thread (or all on one with
 * serialize=1), objects renamed to dense ids that are reused after a free
 * (one pass: a flat table object number -> dense id, since object numbers
 * are themselves dense, 0, 1, 2, ... in allocation order).
 * Cross-thread order comes from as_opstream_push. It also computes the live
 * bytes the engine must see, so the worker can check the replay's fidelity.
 * A free's object and dense id are found at random over the live set (three
 * cache misses each: its id, the id's size, the stream's liveness byte of
 * the id): events are therefore handled AHEAD behind the reader, and the
 * lines each needs are fetched while the events before it run (a hint
 * only: what is computed is the same).
 * Replays as fast as possible: recorded times are not waited for. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "trace.h"
#include "workload.h"

typedef struct {
	char file[AS_PARAM_PATH_MAX];
	int serialize;
	int touch;
} trace_params_t;

static const as_param_spec_t trace_spec[] = {
    {"file", AS_PARAM_PATH, "", 0, 0, NULL, "trace file (binary or CSV); required",
     offsetof(trace_params_t, file)},
    {"serialize", AS_PARAM_BOOL, "0", 0, 0, NULL,
     "fold every thread into one stream in recorded order (for non-thread-safe modules)",
     offsetof(trace_params_t, serialize)},
    AS_TOUCH_SPEC(trace_params_t, touch, "pages"),
};

/* events read but not yet handled; a power of 2 */
#define AHEAD 16

typedef struct {
	as_opstream_t *s;
	int serialize;
	uint32_t *idof; /* object number -> dense id */
	uint64_t idof_cap;
	uint32_t *free_ids;
	uint64_t nfree, free_cap;
	uint64_t *size; /* dense id -> current size */
	uint64_t size_cap;
	uint32_t next_id;
	uint32_t max_thread;
	int64_t live, live_peak;
	int64_t tlive[AS_MAX_THREADS], tpeak[AS_MAX_THREADS];
	uint64_t frees;
	as_tev_t ring[AHEAD]; /* event n is ring[n % AHEAD] */
	uint64_t nread;       /* events read; those before nread - AHEAD + 1 are handled */
} build_t;

static int grow(void **p, uint64_t *cap, uint64_t need, size_t elem)
{
	uint64_t n = *cap ? *cap : 4096;
	void *q;
	while (n <= need)
		n *= 2;
	q = *p ? mremap(*p, *cap * elem, n * elem, MREMAP_MAYMOVE)
	       : mmap(NULL, n * elem, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED)
		return -1;
	if (n * elem >= (4u << 20)) /* fewer faults, fewer TLB misses (a hint) */
		madvise(q, n * elem, MADV_HUGEPAGE);
	*p = q;
	*cap = n;
	return 0;
}

static inline __attribute__((always_inline)) int handle(build_t *b, const as_tev_t *ev,
                                                        as_trace_err_t *err)
{
	uint32_t t = b->serialize ? 0 : ev->thread;
	uint64_t id;
	int64_t delta = 0;
	as_op_kind_t kind;

	if (ev->thread > b->max_thread)
		b->max_thread = ev->thread;
	switch (ev->op) {
	case AS_TEV_ALLOC:
	case AS_TEV_CALLOC:
		if (b->nfree) {
			id = b->free_ids[--b->nfree];
		} else {
			if (b->next_id == UINT32_MAX)
				goto out_ids;
			id = b->next_id++;
		}
		if (id >= b->size_cap &&
		    grow((void **)&b->size, &b->size_cap, id, sizeof(uint64_t)) != 0)
			goto out_nomem;
		if (ev->obj >= b->idof_cap &&
		    grow((void **)&b->idof, &b->idof_cap, ev->obj, sizeof(uint32_t)) != 0)
			goto out_nomem;
		b->idof[ev->obj] = (uint32_t)id;
		delta = (int64_t)ev->size;
		b->size[id] = ev->size;
		kind = ev->op == AS_TEV_CALLOC ? AS_OP_CALLOC : AS_OP_ALLOC;
		break;
	case AS_TEV_REALLOC:
		if (ev->obj >= b->idof_cap) /* never: readers check liveness */
			goto out_dead;
		id = b->idof[ev->obj];
		delta = (int64_t)ev->size - (int64_t)b->size[id];
		b->size[id] = ev->size;
		kind = AS_OP_REALLOC;
		break;
	case AS_TEV_FREE:
		if (ev->obj >= b->idof_cap)
			goto out_dead;
		id = b->idof[ev->obj];
		delta = -(int64_t)b->size[id];
		b->size[id] = 0;
		if (b->nfree >= b->free_cap &&
		    grow((void **)&b->free_ids, &b->free_cap, b->nfree, sizeof(uint32_t)) != 0)
			goto out_nomem;
		b->free_ids[b->nfree++] = (uint32_t)id;
		b->frees++;
		kind = AS_OP_FREE;
		break;
	default: return 0; /* FREE_UNKNOWN: nothing to replay */
	}
	if (as_opstream_push(b->s, t, kind, (uint32_t)id, ev->op == AS_TEV_FREE ? 0 : ev->size,
	                     ev->align_log2) != 0)
		goto out_nomem;
	/* the whole trace in recorded order, and the engine's own count: per
	 * stream thread, peak updated on growth */
	b->live += delta;
	if (b->live > b->live_peak)
		b->live_peak = b->live;
	b->tlive[t] += delta;
	if (delta > 0 && b->tlive[t] > b->tpeak[t])
		b->tpeak[t] = b->tlive[t];
	return 0;
out_dead:
	snprintf(err->msg, sizeof(err->msg), "object %llu is not live",
	         (unsigned long long)ev->obj);
	return -1;
out_ids:
	snprintf(err->msg, sizeof(err->msg), "more than 2^32 objects live at once");
	return -1;
out_nomem:
	snprintf(err->msg, sizeof(err->msg), "out of memory building the op stream");
	return -1;
}

static int names_live(const as_tev_t *ev)
{
	return ev->op == AS_TEV_FREE || ev->op == AS_TEV_REALLOC;
}

/* Event n arrives: fetch its object's id line, the size and liveness
 * lines of event n - AHEAD / 2 (whose id line came in by now) and handle event
 * n - AHEAD + 1. An id read early may be stale (its object allocated by
 * an event still waiting): only a wasted fetch. An error here (out of
 * memory) is reported at the reader's position, up to AHEAD - 1 events on. */
static int on_event(void *vctx, const as_tev_t *ev, as_trace_err_t *err)
{
	build_t *b = vctx;
	uint64_t n = b->nread++;
	as_tev_t *r = &b->ring[n % AHEAD];
	/* field by field: the reader has just built ev with narrow stores,
	 * which cannot forward to the 16-byte loads of a whole-struct copy
	 * (two stalled loads per event) */
	r->op = ev->op;
	r->align_log2 = ev->align_log2;
	r->thread = ev->thread;
	r->pad = 0;
	r->obj = ev->obj;
	r->size = ev->size;
	r->time_ns = ev->time_ns;
	if (names_live(ev) && ev->obj < b->idof_cap)
		__builtin_prefetch(&b->idof[ev->obj], 0);
	if (n >= AHEAD / 2) {
		const as_tev_t *m = &b->ring[(n - AHEAD / 2) % AHEAD];
		if (names_live(m) && m->obj < b->idof_cap) {
			uint32_t id = b->idof[m->obj];
			if (id < b->size_cap)
				__builtin_prefetch(&b->size[id], 1);
			if (id < b->s->live_cap) /* as_opstream_push marks it dead */
				__builtin_prefetch(&b->s->id_live[id], 1);
		}
	}
	return n >= AHEAD - 1 ? handle(b, &b->ring[(n - (AHEAD - 1)) % AHEAD], err) : 0;
}

/* The events still waiting when the reader is done. */
static int drain(build_t *b, const char *file, char *msg, size_t len)
{
	as_trace_err_t err = {0};
	for (uint64_t n = b->nread > AHEAD - 1 ? b->nread - (AHEAD - 1) : 0; n < b->nread; n++)
		if (handle(b, &b->ring[n % AHEAD], &err) != 0) {
			snprintf(msg, len, "%s: %s", file, err.msg);
			return -1;
		}
	return 0;
}

static int trace_build(const void *pv, const as_wl_ctx_t *ctx, as_opstream_t *out, char *err,
                       size_t errlen)
{
	const trace_params_t *p = pv;
	build_t *b;
	int r;

	(void)ctx;
	if (!p->file[0]) {
		snprintf(err, errlen, "no trace file given (trace:FILE or trace:file=FILE)");
		return -1;
	}
	b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* the trace decides its thread count, not -t */
	as_opstream_free(out);
	as_opstream_init(out, p->serialize ? 1 : AS_MAX_THREADS);
	b->s = out;
	b->serialize = p->serialize;
	r = as_trace_read_file(p->file, on_event, b, NULL, err, errlen);
	if (r == 0)
		r = drain(b, p->file, err, errlen);
	if (r == 0) {
		int64_t peak = 0;
		out->nthreads = p->serialize ? 1 : b->max_thread + 1;
		for (uint32_t t = 0; t < out->nthreads; t++)
			if (b->tpeak[t] > peak)
				peak = b->tpeak[t];
		out->touch = (as_touch_t)p->touch;
		out->needs_free = b->frees > 0;
		out->expect_live_bytes_peak = b->live_peak; /* in recorded global order */
		out->expect_thread_live_bytes_peak = peak;
		out->expect_live_bytes_end = b->live; /* the same whatever the interleaving */
	}
	if (b->idof)
		munmap(b->idof, b->idof_cap * sizeof(uint32_t));
	if (b->free_ids)
		munmap(b->free_ids, b->free_cap * sizeof(uint32_t));
	if (b->size)
		munmap(b->size, b->size_cap * sizeof(uint64_t));
	munmap(b, sizeof(*b));
	return r ? -1 : 0;
}

static int count_event(void *ctx, const as_tev_t *ev, as_trace_err_t *err)
{
	(void)ev;
	(void)err;
	++*(uint64_t *)ctx;
	return 0;
}

/* Before any trial: the file must read to the end as a trace (so a missing
 * or malformed trace is one line and exit 2, not a failed row per trial). */
static int trace_check(const void *pv, char *err, size_t errlen)
{
	const trace_params_t *p = pv;
	uint64_t n = 0;
	if (!p->file[0]) {
		snprintf(err, errlen, "key 'file': a trace file is required (trace:FILE)");
		return -1;
	}
	if (as_trace_read_file(p->file, count_event, &n, NULL, err, errlen) != 0)
		return -1;
	if (n == 0) {
		snprintf(err, errlen, "%s: the trace has no events: nothing to replay", p->file);
		return -1;
	}
	return 0;
}

const as_workload_t as_wl_trace = {
    .name = "trace",
    .description = "replay a trace file (allocscope capture / trace import / CSV)",
    .params = trace_spec,
    .nparams = sizeof(trace_spec) / sizeof(trace_spec[0]),
    .params_size = sizeof(trace_params_t),
    .build = trace_build,
    .check = trace_check,
};
