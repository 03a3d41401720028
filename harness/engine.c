/* engine.c - see engine.h. The hot loop is run_chunk(): runs of ops with
 * no series sample between them, where an alloc (default alignment) or a
 * free is two compares, a slot-table access and the module call through
 * its vtable, with no switch; every other op kind goes through exec_op()'s
 * switch. run_chunk() is instantiated once per touch policy, timed or not:
 * the timed instances time the sampled ops (latency) inside the run.
 * Series samples, publishing counters for the sampler (every 64 ops when
 * several threads run or --sample-interval-ms is on), cross-thread
 * handovers (a wait per handed-over run of ops, from the stream) and
 * --validate (one_op(), op by op) happen between chunks, so a measurement
 * that is off costs nothing in the loop. */
#define _GNU_SOURCE
#include "engine.h"
#include "handoff.h"
#include "libc_count.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "timer.h"
#include "util.h"
#include "validate.h"

static as_slot_t *slots;
/* Whether a free clears its slot: only where some op reads a dead id's
 * slot, objects outlive the stream (as_engine_drain frees them from the
 * slots that are set), or --validate (as_opstream_clears_slots). Else a
 * freed slot keeps its stale pointer until its id's next alloc: a thread
 * freeing another's object only reads the line it sits on, as a program
 * handing pointers over does, where the clearing write took the line from
 * the allocating thread at every free (docs/measure.md "Two threads: the
 * slot a free cleared"). */
static int slots_clear = 1;
/* a run without clearing left stale pointers in the slots: a later run of
 * a stream that reads dead slots clears them all first */
static int slots_stale;
static size_t slots_bytes;
static as_hist_t *hists; /* [thread][kind] */
static size_t hists_bytes;
static uint32_t hists_threads;
static void *stacks[AS_MAX_THREADS];
static uint32_t nstacks;
#define STACK_BYTES          (8u << 20)
#define STACK_PREFAULT_BYTES (128u << 10)
/* thread t's spare slot is nslots + SPARE_STRIDE * t: never used by the
 * stream, its pointer stays NULL, so a free of it does not call the module */
#define SPARE_STRIDE (64 / sizeof(as_slot_t))

typedef void *(*as_alloc_fn)(void *inst, size_t size, size_t align);
typedef void (*as_free_fn)(void *inst, void *p, size_t size);

/* Latency timing of one thread: which ops are timed, and the harness's own
 * cost of timing an op (cal, measured on the same path with an empty op
 * before the clock starts), which every recorded value has subtracted; the
 * result is rounded to the clock's resolution (res), the smallest step it
 * can show. In ticks of as_ticks(). */
typedef struct as_lat {
	as_hist_t *h; /* [kind] */
	uint64_t every, jit, prev;
	uint64_t cal, res;
	uint64_t resume;   /* chained: the record and a read, less a bare read (below) */
	as_fastmod_t gap;  /* % (2 * every - 1), see as_lat_next */
	as_fastmod_t step; /* % res */
	int chained;       /* every op: the end of op i is the start of op i+1 */
} as_lat_t;

/* The canary: a fixed piece of work that touches neither the module nor
 * the op arrays, run by every thread right before the start barrier and
 * again after the end barrier, outside the timed region. Its time says how
 * fast the machine ran the trial's threads just then; trials.csv records
 * it, but the disturbed-trial rule (disturb.h) does not judge by it: it
 * missed the host's slow spells on the idle machine. An xorshift step and a read-modify-write of a
 * 512-byte table per iteration: integer, L1 and branch work, like a
 * malloc fast path; about 0.1 ms per run on an idle 2-core EPYC VM. */
#define CANARY_TAB   64
#define CANARY_ITERS 40000

typedef struct thread_ctx {
	const as_opstream_t *s;
	const as_engine_cfg_t *cfg;
	uint32_t t;
	int64_t live;
	int64_t live_peak; /* this thread's own running count */
	int64_t sum_peak;  /* thread 0: largest sum over threads at a sample */
	uint64_t done;
	uint64_t resets_native;
	uint64_t end_ns;
	uint64_t sampling_ns;
	as_status_t status;
	char reason[200];
	pthread_t tid;
	pthread_barrier_t *ready, *start, *finished, *release;
	pthread_barrier_t *pass_end, *pass_go;
	uint64_t t0;
	int timed;
	as_lat_t lat;
	uint64_t canary_ns; /* this thread's two canary runs */
	uint64_t wait0_ns;  /* its run-queue wait before the start, or UINT64_MAX */
	uint64_t wait_ns;   /* its run-queue wait from then to the end */
	/* its cross-thread waits in the timed region, and those at which the
	 * other thread had not got there yet (wait_for) */
	uint64_t handovers, handovers_waited;
	uint64_t canary_tab[CANARY_TAB];
	/* Its progress at its last cross-thread point (the stream's posts and
	 * waits) and at its end: what a waiting thread spins on (wait_for).
	 * On a line of its own, written once per handover: `done` is written
	 * every 64 ops for the sampler, and a waiter spinning on its line made
	 * each of those writes a miss for the writer (docs/measure.md "Two
	 * threads: the slot a free cleared"). */
	_Alignas(64) uint64_t posted;
} thread_ctx_t;
_Static_assert(sizeof(thread_ctx_t) % 64 == 0, "posted's line is its own");

static thread_ctx_t tctx[AS_MAX_THREADS];
/* threads 0 and 1's handoff probes (handoff.h), [0] before the start and
 * [1] after the end: their lines, cleared (so faulted in) before the
 * baseline, and thread 0's figures (0: none) */
static as_handoff_t handoff[2];
static uint64_t handoff_ns[2];
/* --min-time: passes run so far, and whether another follows (written by
 * thread 0 between the pass barriers) */
static uint64_t passes_done;
static int more_passes;
/* --min-time: the time of each pass after the first, from the end of the
 * pass before to the last thread's end of this one (so a thread that
 * started late, or a stall between passes, is in it), written by thread 0
 * at the pass barrier: the first PASS_KEEP kept for the median, the
 * longest over all. The first pass is left out: it holds the samples and
 * the module's first faults. The array is touched in as_engine_prepare,
 * before the baseline, so recording into it faults no page in the timed
 * region. */
#define PASS_KEEP 4096
static uint64_t pass_ns[PASS_KEEP];
static uint64_t pass_ns_max, pass_prev_end;

int as_engine_prepare(const as_opstream_t *s)
{
	if (slots)
		as_unmap(slots, slots_bytes);
	/* the stream's slots, then one spare per thread (a cache line apart)
	 * for the latency calibration's empty ops */
	slots_bytes = ((size_t)s->nslots + SPARE_STRIDE * s->nthreads) * sizeof(as_slot_t);
	slots = as_map(slots_bytes);
	slots_stale = 0;
	memset(pass_ns, 0, sizeof(pass_ns));
	/* thread stacks from the kernel, not from the allocator under test, and
	 * mapped before the baseline so their syscalls are not the module's */
	for (; nstacks + 1 < s->nthreads; nstacks++) {
		void *p = mmap(NULL, STACK_BYTES, PROT_READ | PROT_WRITE,
		               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
		if (p == MAP_FAILED)
			return -1;
		/* fault in the top of the stack (it grows down) now, not in the
		 * timed region where its faults would look like the module's */
		for (size_t off = STACK_BYTES - STACK_PREFAULT_BYTES; off < STACK_BYTES;
		     off += 4096)
			((volatile char *)p)[off] = 0;
		stacks[nstacks] = p;
	}
	return slots ? 0 : -1;
}

int as_engine_prepare_latency(uint32_t nthreads)
{
	if (hists)
		as_unmap(hists, hists_bytes);
	hists_bytes = (size_t)nthreads * AS_OP_KIND_COUNT * sizeof(as_hist_t);
	hists = as_map(hists_bytes);
	hists_threads = hists ? nthreads : 0;
	return hists ? 0 : -1;
}

const as_hist_t *as_engine_hist(uint32_t t, unsigned kind)
{
	if (!hists || t >= hists_threads || kind >= AS_OP_KIND_COUNT)
		return NULL;
	return &hists[(size_t)t * AS_OP_KIND_COUNT + kind];
}

void as_engine_mappings(void (*fn)(const void *p, size_t len))
{
	fn(slots, slots_bytes);
	if (hists)
		fn(hists, hists_bytes);
	for (uint32_t i = 0; i < nstacks; i++)
		fn(stacks[i], STACK_BYTES);
}

static inline void touch(void *p, uint64_t size, as_touch_t policy)
{
	volatile char *c = p;
	switch (policy) {
	case AS_TOUCH_NONE: break;
	case AS_TOUCH_FIRST:
		if (size)
			c[0] = 1;
		break;
	case AS_TOUCH_PAGES: /* the first byte, then each page start inside the
	                      * block: every page it spans, the last too */
		if (size)
			c[0] = 1;
		for (uint64_t off = 4096 - ((uintptr_t)p & 4095); off < size; off += 4096)
			c[off] = 1;
		break;
	case AS_TOUCH_ALL: /* a module may return NULL for size 0: memset(NULL, .., 0) is UB */
		if (size)
			memset(p, 0xa5, size);
		break;
	}
}

/* A timed op's touch, after its clock read: the bytes op (just run on
 * slot sl, whose size was old before it) gave the program, written as
 * exec_op would have. Returns 1 when it wrote something. */
static inline int touch_after(const as_op_t *op, const as_slot_t *sl, uint64_t old, as_touch_t tp)
{
	unsigned kind = op->kind & AS_OP_KIND_MASK;
	if (tp == AS_TOUCH_NONE || !sl->ptr)
		return 0;
	if (kind == AS_OP_ALLOC || kind == AS_OP_CALLOC) {
		touch(sl->ptr, op->size, tp);
		return op->size > 0;
	}
	if (kind == AS_OP_REALLOC && op->size > old) {
		touch((char *)sl->ptr + old, op->size - old, tp);
		return 1;
	}
	return 0;
}

/* Set when a thread stops on a failure: threads waiting for it give up. */
static _Atomic int aborted;

/* Without the CLI's malloc family (libc_count.c: a test or a benchmark
 * linking as_harness), nothing counts: this weak definition says so. */
__attribute__((weak)) uint64_t as_libc_calls(void)
{
	return AS_LIBC_CALLS_UNCOUNTED;
}

/* Set by thread 0 while it takes a sample in the timed region of a
 * multi-thread run: the other threads hold at their next measurement point
 * (at most 64 ops on) until it is clear. The sample's time is left out of
 * elapsed_ns; without the hold the other threads went on working in it, so
 * their work in it was counted and its time was not (at 2 threads up to
 * half the first pass's ops, in a share that changed from repetition to
 * repetition: docs/measure.md, "Two threads: the sampler's time"). */
static _Atomic int sample_hold;

/* Another thread's side of the hold: wait while thread 0 samples.
 * Returns whether it waited. */
static inline int hold_while_sampling(void)
{
	if (!atomic_load_explicit(&sample_hold, memory_order_acquire))
		return 0;
	/* as wait_for: a thread that shares its CPU with thread 0 lets it run */
	for (unsigned spins = 0; atomic_load_explicit(&sample_hold, memory_order_acquire);)
		if (++spins > 64)
			sched_yield();
		else
			__builtin_ia32_pause();
	return 1;
}

/* A cross-thread handover: wait until thread w->thread has published that
 * it ran w->until ops of this pass (base: its ops in earlier passes); its
 * slot writes before that are visible then. Counted in c: a handover, and
 * whether the other thread had yet to get there.
 * Returns 0, or -1 when a thread failed and the run stops. */
static int wait_for(thread_ctx_t *c, const as_wait_t *w, uint64_t base)
{
	const uint64_t *posted = &tctx[w->thread].posted;
	unsigned spins = 0;
	c->handovers++;
	if (__atomic_load_n(posted, __ATOMIC_ACQUIRE) >= base + w->until)
		return 0;
	c->handovers_waited++;
	while (__atomic_load_n(posted, __ATOMIC_ACQUIRE) < base + w->until) {
		if (atomic_load_explicit(&aborted, memory_order_relaxed))
			return -1;
		if (++spins > 64)
			sched_yield();
		else
			__builtin_ia32_pause();
	}
	return 0;
}

static int fail(thread_ctx_t *c, as_status_t st, const char *what, const as_op_t *op)
{
	char al[40] = "";
	c->status = st;
	if (op->align_log2 && op->align_log2 < 64) /* an alignment may be what failed */
		snprintf(al, sizeof(al), ", aligned to %llu", 1ULL << op->align_log2);
	snprintf(c->reason, sizeof(c->reason), "%s (thread %u, op %llu: id %u, %llu bytes%s)", what,
	         c->t, (unsigned long long)(op - c->s->thread[c->t].ops), op->id,
	         (unsigned long long)op->size, al);
	return -1;
}

/* --validate: alignment, and no overlap with any other live block. */
static int check_block(thread_ctx_t *c, void *p, const as_op_t *op)
{
	uintptr_t a = op->align_log2 ? (uintptr_t)1 << op->align_log2 : 16;
	uint32_t other;
	/* default alignment: 16, or the largest power of two <= size for smaller
	 * requests (an 8-byte object needs no more; jemalloc uses that) */
	while (!op->align_log2 && a > 1 && a > op->size)
		a >>= 1;
	char what[160];
	if ((uintptr_t)p & (a - 1)) {
		snprintf(what, sizeof(what), "misaligned block %p (alignment %llu)", p,
		         (unsigned long long)a);
		return fail(c, AS_ERR_INVALID, what, op);
	}
	if (as_validate_insert(op->id, p, op->size, &other) != 0) {
		snprintf(what, sizeof(what), "block %p overlaps live object %u (%p, %llu bytes)", p,
		         other, slots[other].ptr, (unsigned long long)slots[other].size);
		return fail(c, AS_ERR_INVALID, what, op);
	}
	return 0;
}

static inline __attribute__((always_inline)) void *do_alloc(const as_module_t *m, void *inst,
                                                            const as_op_t *op, unsigned kind)
{
	size_t align = op->align_log2 ? (size_t)1 << op->align_log2 : 0;
	void *p;
	if (kind == AS_OP_CALLOC) {
		if (m->calloc)
			return m->calloc(inst, op->size, align);
		p = m->alloc(inst, op->size, align);
		if (p && !(m->caps & AS_CAP_ZEROED))
			memset(p, 0, op->size);
		return p;
	}
	return m->alloc(inst, op->size, align);
}

/* Per-thread counters the loop keeps in registers (exec_op is inlined into
 * every loop variant); published to thread_ctx_t at every chunk end. */
typedef struct {
	int64_t live, peak;
	int validate;
	int clear; /* a free clears its slot (slots_clear) */
} acc_t;

/* After a free: the slot is emptied only where something reads it again
 * (acc_t.clear, slots_clear); else it keeps the stale pointer. */
static inline __attribute__((always_inline)) void forget(as_slot_t *sl, const acc_t *a)
{
	if (a->clear) {
		sl->ptr = NULL;
		sl->size = 0;
	}
}

static inline __attribute__((always_inline)) int exec_op(thread_ctx_t *c, const as_op_t *op,
                                                         as_slot_t *sl, void *inst,
                                                         const as_module_t *m, as_touch_t tp,
                                                         acc_t *a)
{
	unsigned kind = op->kind & AS_OP_KIND_MASK;
	void *p;

	switch (kind) {
	case AS_OP_ALLOC:
	case AS_OP_CALLOC:
		p = do_alloc(m, inst, op, kind);
		if (!p && op->size)
			return fail(c, AS_ERR_OOM, "alloc returned NULL", op);
		sl->ptr = p;
		sl->size = op->size;
		a->live += (int64_t)op->size;
		if (a->live > a->peak)
			a->peak = a->live;
		if (a->validate && p && check_block(c, p, op))
			return -1;
		touch(p, op->size, tp);
		break;
	case AS_OP_REALLOC: {
		size_t align = op->align_log2 ? (size_t)1 << op->align_log2 : 0;
		uint64_t old = sl->size;
		if (a->live > a->peak) /* the fast path settles it only at frees */
			a->peak = a->live;
		if (a->validate)
			as_validate_remove(op->id);
		if (!sl->ptr) {
			p = m->alloc(inst, op->size, align);
		} else if (m->realloc) {
			p = m->realloc(inst, sl->ptr, old, op->size);
		} else {
			p = m->alloc(inst, op->size, align);
			if (p) {
				memcpy(p, sl->ptr, old < op->size ? old : op->size);
				m->free(inst, sl->ptr, old);
			}
		}
		if (!p && op->size)
			return fail(c, AS_ERR_OOM, "realloc returned NULL", op);
		sl->ptr = p;
		sl->size = op->size;
		a->live += (int64_t)op->size - (int64_t)old;
		if (a->live > a->peak)
			a->peak = a->live;
		if (a->validate && p && check_block(c, p, op))
			return -1;
		if (op->size > old)
			touch((char *)p + old, op->size - old, tp);
		break;
	}
	case AS_OP_FREE:
		if (a->live > a->peak)
			a->peak = a->live;
		if (a->validate)
			as_validate_remove(op->id);
		if (sl->ptr)
			m->free(inst, sl->ptr, sl->size);
		a->live -= (int64_t)sl->size;
		forget(sl, a);
		break;
	case AS_OP_RESET: {
		as_slot_t *r = &slots[op->id];
		int native = c->s->nthreads == 1 && m->reset;
		if (a->live > a->peak)
			a->peak = a->live;
		if (native) {
			m->reset(inst);
			c->resets_native++;
		}
		for (uint64_t i = 0; i < op->size; i++) {
			if (a->validate)
				as_validate_remove(op->id + (uint32_t)i);
			if (r[i].ptr && !native)
				m->free(inst, r[i].ptr, r[i].size);
			a->live -= (int64_t)r[i].size;
			r[i].ptr = NULL;
			r[i].size = 0;
		}
		break;
	}
	case AS_OP_TRIM:
		if (m->trim)
			m->trim(inst);
		break;
	case AS_OP_WRITE: {
		volatile char *b = sl->ptr;
		for (uint64_t r = 0; b && r < op->size; r++)
			for (uint64_t k = 0; k < sl->size; k++)
				b[k]++;
		break;
	}
	}
	return 0;
}

static int64_t sum_live(const as_opstream_t *s, uint64_t *done)
{
	int64_t live = 0;
	uint64_t d = 0;
	for (uint32_t t = 0; t < s->nthreads; t++) {
		live += __atomic_load_n(&tctx[t].live, __ATOMIC_RELAXED);
		d += __atomic_load_n(&tctx[t].done, __ATOMIC_RELAXED);
	}
	*done = d;
	return live;
}

/* One sample from thread 0, its cost booked as sampling time. */
static void take_sample(thread_ctx_t *c)
{
	const as_engine_cfg_t *cfg = c->cfg;
	int hold = c->s->nthreads > 1;
	if (hold)
		atomic_store_explicit(&sample_hold, 1, memory_order_release);
	uint64_t a = as_now_ns(), done;
	int64_t live = sum_live(c->s, &done);
	if (live > c->sum_peak)
		c->sum_peak = live;
	cfg->sample(cfg->sample_ctx, done, live, a - c->t0 - c->sampling_ns);
	c->sampling_ns += as_now_ns() - a;
	if (hold)
		atomic_store_explicit(&sample_hold, 0, memory_order_release);
}

/* A timed op's latency net of the harness, rounded to the counter's
 * resolution. */
static inline uint64_t as_lat_net(const as_lat_t *l, uint64_t d)
{
	d = d > l->cal ? d - l->cal : 0;
	d += l->res / 2;
	return d - as_fastmod(&l->step, d); /* d / res * res */
}

/* Index of the next op to time after `i` ops: every op when chained, else
 * at jittered gaps in [1, 2N-1] (mean N): a fixed stride would alias with
 * periodic streams (free, alloc, free, alloc, ...). */
static inline uint64_t as_lat_next(as_lat_t *l, uint64_t i)
{
	if (l->chained)
		return i;
	l->jit ^= l->jit << 13;
	l->jit ^= l->jit >> 7;
	l->jit ^= l->jit << 17;
	return i + as_fastmod(&l->gap, l->jit); /* jit % (2 * every - 1) */
}

/* The common ops without the switch: an alloc with default alignment and
 * no flags, or a free. Returns 1 when the op was one of them, 0 when it is
 * not (the caller runs exec_op), -1 on failure. The peak is settled before
 * a free rather than after every alloc: the same maximum, one compare
 * fewer on the path that grows. */
static inline __attribute__((always_inline)) int fast_op(thread_ctx_t *c, const as_op_t *op,
                                                         as_slot_t *sl, void *inst,
                                                         as_alloc_fn alloc_fn, as_free_fn free_fn,
                                                         const as_touch_t tp, acc_t *a)
{
	if (op->kind == AS_OP_ALLOC && !op->align_log2) {
		void *p = alloc_fn(inst, op->size, 0);
		if (__builtin_expect(!p && op->size, 0))
			return fail(c, AS_ERR_OOM, "alloc returned NULL", op);
		sl->ptr = p;
		sl->size = op->size;
		a->live += (int64_t)op->size;
		touch(p, op->size, tp);
		return 1;
	}
	if (op->kind == AS_OP_FREE) {
		if (a->live > a->peak)
			a->peak = a->live;
		if (sl->ptr)
			free_fn(inst, sl->ptr, sl->size);
		a->live -= (int64_t)sl->size;
		forget(sl, a);
		return 1;
	}
	return 0;
}

/* Ops [from, to) of one thread with no series sample and no cross-thread
 * wait between them: the hot loop, instantiated once per touch policy, and
 * timed or not, so the policy costs nothing when it is none and latency
 * timing nothing when it is off. Timed (lat non-NULL), the op at *next_lat
 * is timed in the loop itself (as_ticks() around it, the net value into
 * its kind's histogram), and *next_lat moves on to the next one: a timed
 * op no longer ends the chunk, which was a return, the loop's exit
 * mispredicted, the caller's checks and a call into the next chunk, one
 * op in 64 by default. Returns the index reached (to, or the failing
 * op's). */
static inline __attribute__((always_inline)) uint64_t
run_chunk(thread_ctx_t *c, const as_op_t *ops, uint64_t from, uint64_t to, void *inst,
          const as_module_t *m, const as_touch_t tp, acc_t *a, as_lat_t *const lat,
          uint64_t *next_lat)
{
	as_alloc_fn alloc_fn = m->alloc;
	as_free_fn free_fn = m->free;
	as_slot_t *const sl = slots;
	/* the counters in a local whose address never leaves the inlined
	 * code, so they stay in registers across the module's calls: through
	 * `a` (the caller's stack, an escaped pointer) every alloc was a load,
	 * an add and a store to memory and every free two loads and a store
	 * around the call */
	acc_t l = *a;
	uint64_t nl = lat ? *next_lat : UINT64_MAX;
	uint64_t i = from;
	while (i < to) {
		/* the untimed ops up to the next timed one: the same loop as
		 * with latency off */
		uint64_t stop = nl < to ? nl : to;
		for (; i < stop; i++) {
			const as_op_t *op = &ops[i];
			int r = fast_op(c, op, &sl[op->id], inst, alloc_fn, free_fn, tp, &l);
			if (__builtin_expect(r == 0, 0))
				r = exec_op(c, op, &sl[op->id], inst, m, tp, &l) == 0 ? 1 : -1;
			if (__builtin_expect(r < 0, 0))
				goto out;
		}
		if (!lat || i == to)
			break;
		{ /* op i == nl, timed: the module's call, not the harness's
		   * writes into the block it returned (touch), which come
		   * after the clock read; chained (--latency 1), the next op's
		   * interval starts after them */
			const as_op_t *op = &ops[i];
			as_slot_t *s = &sl[op->id];
			uint64_t old = s->size, t0 = lat->chained ? lat->prev : as_ticks(), t1;
			int r = fast_op(c, op, s, inst, alloc_fn, free_fn, AS_TOUCH_NONE, &l);
			if (r == 0)
				r = exec_op(c, op, s, inst, m, AS_TOUCH_NONE, &l) == 0 ? 1 : -1;
			t1 = as_ticks();
			as_hist_record(&lat->h[op->kind & AS_OP_KIND_MASK],
			               as_lat_net(lat, t1 - t0));
			lat->prev = t1;
			if (r < 0)
				goto out;
			if (tp != AS_TOUCH_NONE && touch_after(op, s, old, tp) && lat->chained)
				lat->prev = as_ticks() - lat->resume;
			nl = as_lat_next(lat, ++i);
		}
	}
out:
	*a = l;
	if (lat)
		*next_lat = nl;
	return i;
}

#define RUN_CHUNK_FOR(name, policy)                                                               \
	static uint64_t run_chunk_##name(thread_ctx_t *c, const as_op_t *ops, uint64_t from,      \
	                                 uint64_t to, void *inst, const as_module_t *m, acc_t *a, \
	                                 as_lat_t *lat, uint64_t *next_lat)                       \
	{                                                                                         \
		(void)lat;                                                                        \
		(void)next_lat;                                                                   \
		return run_chunk(c, ops, from, to, inst, m, policy, a, NULL, NULL);               \
	}                                                                                         \
	static uint64_t run_chunk_##name##_timed(                                                 \
	    thread_ctx_t *c, const as_op_t *ops, uint64_t from, uint64_t to, void *inst,          \
	    const as_module_t *m, acc_t *a, as_lat_t *lat, uint64_t *next_lat)                    \
	{                                                                                         \
		return run_chunk(c, ops, from, to, inst, m, policy, a, lat, next_lat);            \
	}
RUN_CHUNK_FOR(none, AS_TOUCH_NONE)
RUN_CHUNK_FOR(first, AS_TOUCH_FIRST)
RUN_CHUNK_FOR(pages, AS_TOUCH_PAGES)
RUN_CHUNK_FOR(all, AS_TOUCH_ALL)

typedef uint64_t (*chunk_fn)(thread_ctx_t *c, const as_op_t *ops, uint64_t from, uint64_t to,
                             void *inst, const as_module_t *m, acc_t *a, as_lat_t *lat,
                             uint64_t *next_lat);

/* One op of --validate's loop (run_loop), which checks every block, and
 * (timed) its latency record. Returns 0 or -1. */
static int one_op(thread_ctx_t *c, const as_op_t *op, void *inst, const as_module_t *m,
                  as_touch_t tp, acc_t *a, as_lat_t *lat)
{
	as_slot_t *sl = &slots[op->id];
	uint64_t t0 = 0, old = sl->size;
	unsigned kind = op->kind & AS_OP_KIND_MASK;
	as_touch_t in = lat ? AS_TOUCH_NONE : tp; /* timed: the touch after the clock */
	int r;
	if (lat)
		t0 = lat->chained ? lat->prev : as_ticks();
	r = a->validate ? 0 : fast_op(c, op, sl, inst, m->alloc, m->free, in, a);
	if (r == 0)
		r = exec_op(c, op, sl, inst, m, in, a) == 0 ? 1 : -1;
	if (lat) {
		uint64_t t1 = as_ticks();
		as_hist_record(&lat->h[kind], as_lat_net(lat, t1 - t0));
		lat->prev = t1;
		if (r > 0 && touch_after(op, sl, old, tp) && lat->chained)
			lat->prev = as_ticks() - lat->resume;
	}
	return r < 0 ? -1 : 0;
}

/* Where the next cross-thread point of a thread is: its next wait or post
 * (UINT64_MAX when none is left; always so for one thread). */
typedef struct {
	const as_wait_t *w, *wend;
	const uint64_t *post, *pend;
	uint64_t pass;
} sync_t;

static inline uint64_t sync_next(const sync_t *y)
{
	uint64_t w = y->w < y->wend ? y->w->at : UINT64_MAX;
	uint64_t p = y->post < y->pend ? *y->post : UINT64_MAX;
	return w < p ? w : p;
}

/* At op i (base + i over the passes), a cross-thread point: publish the
 * progress (another thread may
 * wait for exactly i ops; a thread that blocks must have published all it
 * did, so waits cannot deadlock), then wait where the stream says so.
 * Returns 0, or -1 when the run stopped on another thread's failure. */
static int sync_at(thread_ctx_t *c, sync_t *y, uint64_t base, uint64_t i)
{
	__atomic_store_n(&c->done, base + i, __ATOMIC_RELEASE);
	__atomic_store_n(&c->posted, base + i, __ATOMIC_RELEASE);
	while (y->post < y->pend && *y->post <= i)
		y->post++;
	for (; y->w < y->wend && y->w->at == i; y->w++)
		if (wait_for(c, y->w, y->pass * c->s->thread[y->w->thread].nops) != 0)
			return -1;
	return 0;
}

/* The op loop over th's ops (the thread's own, or the latency
 * calibration's): runs of ops between measurement points go through
 * run_chunk (no switch for alloc and free, no bookkeeping; the timed ops
 * timed inside); at the points (every 64 ops with several threads or a
 * wall-clock interval, a series sample, a cross-thread handover) the
 * published counters, samples and waits are handled once. --validate
 * (validate) takes one_op for every op, and ends a chunk at each timed
 * op. */
static void run_loop(thread_ctx_t *c, const as_opthread_t *th, int validate, int sampled, int timed,
                     uint64_t pass)
{
	static const chunk_fn chunks[2][4] = {
	    {run_chunk_none, run_chunk_first, run_chunk_pages, run_chunk_all},
	    {run_chunk_none_timed, run_chunk_first_timed, run_chunk_pages_timed,
	     run_chunk_all_timed}};
	const as_engine_cfg_t *cfg = c->cfg;
	const as_module_t *m = cfg->mod;
	void *inst = cfg->inst;
	as_touch_t tp = c->s->touch;
	chunk_fn chunk = chunks[timed != 0][tp];
	int slow = validate;
	uint64_t every = cfg->sample_every;
	uint64_t next_sample = sampled && every ? every : UINT64_MAX;
	/* one more sample where the thread's live bytes first peak (the
	 * builder's peak_at): a block freed before the next point above
	 * would leave the peak to VmHWM alone, which trails the real one */
	uint64_t next_peak =
	    sampled && th->peak_at && th->peak_at < th->nops ? th->peak_at : UINT64_MAX;
	uint64_t interval = sampled ? cfg->sample_interval_ns : 0;
	uint64_t base = pass * th->nops; /* published counts span the passes */
	uint64_t next_time = interval ? as_now_ns() + interval : UINT64_MAX;
	as_lat_t *lat = timed ? &c->lat : NULL;
	uint64_t next_lat = UINT64_MAX;
	/* one thread has no waits or posts: NULL, and NULL + 0 is undefined */
	sync_t y = {th->waits, th->nwaits ? th->waits + th->nwaits : th->waits, th->posts,
	            th->nposts ? th->posts + th->nposts : th->posts, pass};
	uint64_t next_sync = sync_next(&y);
	acc_t a = {0, 0, validate, slots_clear};
	uint64_t i = 0;
	/* only the other threads of a sampled run hold for thread 0's samples */
	int holds = c->t != 0 && c->s->nthreads > 1 && cfg->sample &&
	            (cfg->sample_every || cfg->sample_interval_ns);
	/* Chunks end every 64 ops only where something reads the published
	 * counts or holds between the points below: other threads (thread 0's
	 * sampler sums every thread's live bytes; they hold while it samples)
	 * and the wall-clock interval check. One thread alone publishes at
	 * its own points (series samples, handovers) and at the end. A chunk
	 * end is a return, a call and a mispredicted loop exit: every 64 ops
	 * they cost 0.26-0.66 ns/op of the ~9 ns/op replay of a sqlite3
	 * capture in four of five A/B runs (bench/replay_bench,
	 * docs/traces.md); a timed op (one in 64 by default) no longer ends
	 * one either (session 10). */
	const uint64_t span = c->s->nthreads > 1 || interval ? 63 : UINT64_MAX >> 1;

	if (timed) {
		next_lat = as_lat_next(lat, 0);
		lat->prev = as_ticks();
	}
	while (i < th->nops) {
		uint64_t end = (i | span) + 1;
		if (holds && hold_while_sampling() && timed)
			lat->prev = as_ticks(); /* holding is not an op's latency */
		if (end > th->nops)
			end = th->nops;
		if (next_sample < end)
			end = next_sample;
		if (next_peak < end)
			end = next_peak;
		if (slow && next_lat < end) /* else timed inside the chunk */
			end = next_lat;
		if (next_sync < end)
			end = next_sync;
		if (slow) {
			for (; i < end; i++)
				if (one_op(c, &th->ops[i], inst, m, tp, &a, NULL) != 0)
					break;
		} else {
			i = chunk(c, th->ops, i, end, inst, m, &a, lat, &next_lat);
		}
		if (i < end) {
			atomic_store_explicit(&aborted, 1, memory_order_relaxed);
			break; /* failed */
		}
		if (i == next_sync) {
			__atomic_store_n(&c->live, a.live, __ATOMIC_RELAXED);
			if (sync_at(c, &y, base, i) != 0)
				break; /* another thread failed */
			next_sync = sync_next(&y);
			if (timed)
				lat->prev = as_ticks(); /* waiting is not an op's latency */
		}
		/* a sample due at i comes first; the timed op in the next round */
		if (slow && i == next_lat && i < th->nops && i != next_sample && i != next_peak) {
			if (one_op(c, &th->ops[i], inst, m, tp, &a, lat) != 0) {
				atomic_store_explicit(&aborted, 1, memory_order_relaxed);
				break;
			}
			i++;
			next_lat = as_lat_next(lat, i);
		}
		/* publish for the sampler and for error messages (waiting
		 * threads read `posted`, set at the cross-thread points) */
		__atomic_store_n(&c->live, a.live, __ATOMIC_RELAXED);
		__atomic_store_n(&c->done, base + i, __ATOMIC_RELEASE);
		if (sampled && (i == next_sample || i == next_peak ||
		                ((i & 63) == 0 && interval && as_now_ns() >= next_time))) {
			if (a.live > a.peak)
				a.peak = a.live;
			c->live_peak = a.peak;
			take_sample(c);
			if (i == next_sample)
				next_sample += every;
			if (i == next_peak)
				next_peak = UINT64_MAX;
			if (interval)
				next_time = as_now_ns() + interval;
			if (timed)
				lat->prev = as_ticks();
		}
	}
	c->end_ns = as_now_ns();
	__atomic_store_n(&c->done, base + i, __ATOMIC_RELEASE);
	__atomic_store_n(&c->posted, base + i, __ATOMIC_RELEASE);
	/* thread 0 may be sampling still: sum_live reads this one */
	__atomic_store_n(&c->live, a.live, __ATOMIC_RELAXED);
	if (a.live > a.peak)
		a.peak = a.live;
	if (a.peak > c->live_peak)
		c->live_peak = a.peak;
}

/* The stream once, or (min_time_ns) pass after pass until the timed region
 * lasted that long: after each pass every thread waits for the others, so
 * no object of one pass is touched by the next before it is done with, and
 * thread 0 decides for all whether another pass follows. */
static void run_thread(thread_ctx_t *c)
{
	const as_engine_cfg_t *cfg = c->cfg;
	int sampled = c->t == 0 && cfg->sample && (cfg->sample_every || cfg->sample_interval_ns);
	for (uint64_t pass = 0;; pass++) {
		run_loop(c, &c->s->thread[c->t], cfg->validate, sampled && pass == 0, c->timed,
		         pass);
		if (!cfg->min_time_ns)
			break;
		pthread_barrier_wait(c->pass_end);
		if (c->t == 0) {
			/* the timed region so far as the result will count it: to
			 * the last thread's end of this pass */
			uint64_t end = 0;
			for (uint32_t t = 0; t < c->s->nthreads; t++)
				end = tctx[t].end_ns > end ? tctx[t].end_ns : end;
			passes_done = pass + 1;
			more_passes = !atomic_load(&aborted) &&
			              end - c->t0 - c->sampling_ns < cfg->min_time_ns;
			if (pass > 0) {
				uint64_t d = end - pass_prev_end;
				if (pass - 1 < PASS_KEEP)
					pass_ns[pass - 1] = d;
				if (d > pass_ns_max)
					pass_ns_max = d;
			}
			pass_prev_end = end;
		}
		pthread_barrier_wait(c->pass_go);
		if (!more_passes)
			break;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void run_canary(thread_ctx_t *c)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL + c->t, t0 = as_now_ns();
	for (uint32_t i = 0; i < CANARY_ITERS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		c->canary_tab[x % CANARY_TAB] += x;
	}
	c->canary_ns += as_now_ns() - t0;
	__asm__ volatile("" : : "r"(c->canary_tab) : "memory"); /* the table is kept */
}

/* The calling thread's time spent runnable but not running (the second
 * field of /proc/thread-self/schedstat, the scheduler's run_delay), or
 * UINT64_MAX when the kernel does not say. Read with open/read on the stack:
 * no allocation, outside the timed region. */
static uint64_t run_delay_ns(void)
{
	char buf[96];
	ssize_t n;
	int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
	const char *p;
	if (fd < 0)
		return UINT64_MAX;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return UINT64_MAX;
	buf[n] = 0;
	p = strchr(buf, ' ');
	return p ? strtoull(p + 1, NULL, 10) : UINT64_MAX;
}

/* After the end barrier: how long this thread waited for a CPU since
 * before the start barrier. */
static void wait_end(thread_ctx_t *c)
{
	uint64_t now = run_delay_ns();
	c->wait_ns = c->wait0_ns == UINT64_MAX || now == UINT64_MAX || now < c->wait0_ns
	                 ? UINT64_MAX
	                 : now - c->wait0_ns;
}

/* n empty ops: frees of thread c's spare slot, which never call the module
 * (the op loop's warm-up and the latency calibration run these) */
static void empty_ops(const thread_ctx_t *c, as_op_t *ops, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++)
		ops[k] =
		    (as_op_t){AS_OP_FREE, 0, 0, c->s->nslots + (uint32_t)SPARE_STRIDE * c->t, 0};
}

#define LAT_CAL_OPS   255 /* timed empty ops of the calibration */
#define LAT_CAL_LEN   512 /* its stream, run as often as it takes */
#define LAT_CAL_EVERY 64  /* at most one op in this many timed */

/* Before the clock starts: the clock's step (smallest non-zero difference
 * of back-to-back reads) and the cost of timing an empty op, measured by
 * the op loop itself (run_loop and its timed chunk, so the same path: the
 * histogram record and, with --latency 1, everything between two ops' clock
 * reads) on a stream of frees of the thread's spare slot, which never call
 * the module: the median over LAT_CAL_OPS timed ops, recorded raw (no
 * subtraction, step 1 tick; the histogram is exact below 256 ticks) in the
 * free histogram, which is emptied after. Sampled latency is calibrated
 * with at most one op in LAT_CAL_EVERY timed, so a large N does not make
 * it long. Every recorded latency has that cost subtracted. */
static void lat_prepare(thread_ctx_t *c)
{
	const as_engine_cfg_t *cfg = c->cfg;
	as_lat_t *l = &c->lat;
	as_op_t ops[LAT_CAL_LEN];
	as_opthread_t th = {.ops = ops, .nops = LAT_CAL_LEN};
	uint64_t step = 0, seed = 0x9e3779b97f4a7c15ULL ^ c->t;
	as_hist_t *h;

	memset(l, 0, sizeof(*l));
	l->h = &hists[(size_t)c->t * AS_OP_KIND_COUNT];
	h = &l->h[AS_OP_FREE];
	/* the counter's resolution: the lowest bit any of its values sets
	 * (2 ticks, 0.95 ns, on a VM here; 1 on bare metal), not the
	 * smallest gap of back-to-back reads, which is the cost of a read
	 * (28-38 ticks here): rounded to that, every value was 0, 1 or 2
	 * steps of 15 ns, and a p50 0 in one repetition and 14.3 ns in the
	 * next (an outside review) */
	for (int k = 0; k < 1000; k++)
		step |= as_ticks();
	step = step & (~step + 1);
	empty_ops(c, ops, LAT_CAL_LEN);
	l->every = cfg->latency_every < LAT_CAL_EVERY ? cfg->latency_every : LAT_CAL_EVERY;
	l->chained = l->every == 1;
	l->gap = as_fastmod_init(2 * l->every - 1);
	l->jit = seed;
	l->res = 1;
	l->step = as_fastmod_init(1);
	while (h->total < LAT_CAL_OPS)
		run_loop(c, &th, 0, 0, 1, 0);
	l->cal = as_hist_quantile(h, 0.5);
	l->res = step ? step : 1;
	l->step = as_fastmod_init(l->res);
	if (l->chained) {
		/* A touching alloc's writes are left out of the next op's
		 * interval by starting it after them, less what cal holds of
		 * that stretch: the record and the read after it, beyond a
		 * bare back-to-back read's gap. Restarted at the read alone, the
		 * op after every touching alloc lost the record (bump's free
		 * p50 read 0 with touch=first, 1-2 ns without: a review). */
		uint64_t rec[LAT_CAL_OPS], bare[LAT_CAL_OPS];
		for (int k = 0; k < LAT_CAL_OPS; k++) {
			uint64_t t1 = as_ticks(), t2;
			as_hist_record(h, as_lat_net(l, t1 - l->prev));
			l->prev = t1;
			t2 = as_ticks();
			rec[k] = t2 - t1;
			t1 = as_ticks();
			bare[k] = as_ticks() - t1;
		}
		qsort(rec, LAT_CAL_OPS, sizeof(rec[0]), cmp_u64);
		qsort(bare, LAT_CAL_OPS, sizeof(bare[0]), cmp_u64);
		l->resume = rec[LAT_CAL_OPS / 2] > bare[LAT_CAL_OPS / 2]
		                ? rec[LAT_CAL_OPS / 2] - bare[LAT_CAL_OPS / 2]
		                : 0;
	}
	memset(h, 0, sizeof(*h));
	l->every = cfg->latency_every;
	l->chained = l->every == 1;
	l->gap = as_fastmod_init(2 * l->every - 1);
	l->jit = seed; /* the run times the same ops as without calibration */
	c->done = c->posted = 0;
	c->end_ns = 0;
}

/* With two threads or more, threads 0 and 1 run handoff probe k (0
 * before the start, 1 after the end); thread 0 keeps the figure. Outside
 * the run-queue wait's window: a probe on threads sharing a CPU yields it. */
static void probe_handoff(const thread_ctx_t *c, int k)
{
	if (c->s->nthreads < 2 || c->t > 1)
		return;
	if (c->t == 1)
		as_handoff_pong(&handoff[k]);
	else
		handoff_ns[k] = as_handoff_ping(&handoff[k]);
}

/* Per thread, before the start barrier: the op loop runs once over empty
 * ops, untimed, so what its first run sets up lazily (in the sanitizer
 * build, its runtime's 9 mmaps and 8 munmaps) happens before the baseline,
 * not in the timed region as the module's; then the latency calibration. */
static void thread_prepare(thread_ctx_t *c)
{
	as_op_t ops[64];
	as_opthread_t th = {.ops = ops, .nops = 64};
	empty_ops(c, ops, 64);
	run_loop(c, &th, 0, 0, 0, 0);
	c->done = c->posted = 0;
	c->end_ns = 0;
	c->timed = c->cfg->latency_every && hists && c->t < hists_threads;
	if (c->timed)
		lat_prepare(c);
	probe_handoff(c, 0);
	run_canary(c);
	c->wait0_ns = run_delay_ns();
}

/* The start of a run's threads: they wait here until thread 0 has
 * started them all (1), or could not (-1: they return at once and are
 * joined). Nothing of theirs runs before: a thread left waiting on the
 * run's barriers, or in its handoff probe, when a later one failed to
 * start, outlived the run (test_engine_spawn_fail). */
static pthread_mutex_t launch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t launch_cond = PTHREAD_COND_INITIALIZER;
static int launch;

static void launch_set(int v)
{
	pthread_mutex_lock(&launch_lock);
	launch = v;
	pthread_cond_broadcast(&launch_cond);
	pthread_mutex_unlock(&launch_lock);
}

static int launch_wait(void)
{
	int v;
	pthread_mutex_lock(&launch_lock);
	while ((v = launch) == 0)
		pthread_cond_wait(&launch_cond, &launch_lock);
	pthread_mutex_unlock(&launch_lock);
	return v > 0;
}

static void *thread_main(void *arg)
{
	thread_ctx_t *c = arg;
	if (!launch_wait())
		return NULL;
	if (c->cfg->thread_start)
		c->cfg->thread_start(c->cfg->thread_ctx, c->t);
	thread_prepare(c);
	pthread_barrier_wait(c->ready);
	pthread_barrier_wait(c->start);
	run_thread(c);
	/* stay alive until thread 0 has taken the end sample: a thread's exit
	 * makes syscalls (glibc frees its stack cache) that are not the module's */
	pthread_barrier_wait(c->finished);
	wait_end(c);
	probe_handoff(c, 1);
	run_canary(c); /* after every thread's timed region */
	pthread_barrier_wait(c->release);
	return NULL;
}

int as_engine_run(const as_opstream_t *s, const as_engine_cfg_t *cfg, as_engine_result_t *res)
{
	pthread_barrier_t ready, start, done, release, pass_end, pass_go;
	pthread_barrier_t *const bars[] = {&ready, &start, &done, &release, &pass_end, &pass_go};
	const size_t nbars = sizeof(bars) / sizeof(bars[0]);
	pthread_attr_t attr;
	uint64_t t0, tend, libc0, libc1;
	uint32_t n = s->nthreads;

	memset(res, 0, sizeof(*res));
	res->cpu_start = res->cpu_end = -1;
	/* the stream's threads' contexts only: nothing reads another's, and
	 * clearing all AS_MAX_THREADS faulted ~256 KiB of .bss into every
	 * worker (test_engine_ctx) */
	memset(tctx, 0, n * sizeof(tctx[0]));
	memset(handoff, 0, sizeof(handoff));
	memset(handoff_ns, 0, sizeof(handoff_ns));
	atomic_store(&aborted, 0);
	atomic_store(&sample_hold, 0);
	slots_clear = cfg->validate || as_opstream_clears_slots(s);
	if (slots_clear && slots_stale && slots)
		memset(slots, 0, slots_bytes);
	slots_stale = !slots_clear;
	if (hists)
		memset(hists, 0, hists_bytes);
	for (uint32_t t = 0; t < n; t++) {
		tctx[t].s = s;
		tctx[t].cfg = cfg;
		tctx[t].t = t;
		tctx[t].status = AS_OK;
		tctx[t].ready = &ready;
		tctx[t].start = &start;
		tctx[t].finished = &done;
		tctx[t].release = &release;
		tctx[t].pass_end = &pass_end;
		tctx[t].pass_go = &pass_go;
	}
	passes_done = 1;
	pass_ns_max = pass_prev_end = 0;
	for (size_t b = 0; b < nbars; b++)
		pthread_barrier_init(bars[b], NULL, n);
	pthread_attr_init(&attr);
	launch_set(0);
	for (uint32_t t = 1; t < n; t++) {
		int err = t - 1 >= nstacks
		              ? ENOMEM
		              : pthread_attr_setstack(&attr, stacks[t - 1], STACK_BYTES);
		if (err == 0)
			err = pthread_create(&tctx[t].tid, &attr, thread_main, &tctx[t]);
		if (err != 0) {
			res->status = AS_ERR_WORKER;
			/* EAGAIN is the process limit (ulimit -u) or the kernel's
			 * threads-max: say so, the bare errno text names neither */
			snprintf(
			    res->reason, sizeof(res->reason), "cannot start thread %u: %s%s", t,
			    strerror(err),
			    err == EAGAIN
			        ? " (a limit on processes: ulimit -u, or the kernel's threads-max)"
			        : "");
			/* the threads already started return before using anything */
			launch_set(-1);
			for (uint32_t k = 1; k < t; k++)
				pthread_join(tctx[k].tid, NULL);
			pthread_attr_destroy(&attr);
			for (size_t b = 0; b < nbars; b++)
				pthread_barrier_destroy(bars[b]);
			return -1;
		}
	}
	pthread_attr_destroy(&attr);
	launch_set(1);
	if (cfg->thread_start)
		cfg->thread_start(cfg->thread_ctx, 0);
	thread_prepare(&tctx[0]);
	res->cpu_start = sched_getcpu();
	pthread_barrier_wait(&ready);
	if (cfg->sample)
		cfg->sample(cfg->sample_ctx, 0, 0, 0);
	libc0 = as_libc_calls(); /* before t0: a read() of the uprobes' counters */
	t0 = as_now_ns();
	for (uint32_t t = 0; t < n; t++)
		tctx[t].t0 = t0;
	pthread_barrier_wait(&start);
	run_thread(&tctx[0]);
	pthread_barrier_wait(&done);
	libc1 = as_libc_calls();
	res->cpu_end = sched_getcpu();
	wait_end(&tctx[0]);
	probe_handoff(&tctx[0], 1);
	tend = 0;
	for (uint32_t t = 0; t < n; t++) {
		thread_ctx_t *c = &tctx[t];
		if (c->end_ns > tend)
			tend = c->end_ns;
		res->ops += c->done;
		res->live_bytes_end += c->live;
		res->resets_native += c->resets_native;
		if (c->live_peak > res->thread_live_bytes_peak)
			res->thread_live_bytes_peak = c->live_peak;
		if (c->status != AS_OK && res->status == AS_OK) {
			res->status = c->status;
			snprintf(res->reason, sizeof(res->reason), "%s", c->reason);
		}
	}
	/* A thread's own count is its part of the live set only when no thread
	 * frees what another allocated: with cross-thread frees a producer's
	 * count is everything it ever allocated (xmalloc: the whole stream),
	 * a consumer's negative, and only the sums at sample points (and at
	 * the end) are live bytes. */
	res->live_bytes_peak = tctx[0].sum_peak;
	if (!s->cross_thread && res->thread_live_bytes_peak > res->live_bytes_peak)
		res->live_bytes_peak = res->thread_live_bytes_peak;
	if (res->live_bytes_end > res->live_bytes_peak)
		res->live_bytes_peak = res->live_bytes_end;
	res->sampling_ns = tctx[0].sampling_ns;
	res->handoff_ns = handoff_ns[0];
	res->handoff_end_ns = handoff_ns[1];
	res->passes = passes_done;
	res->lat_cal_ticks = tctx[0].lat.cal;
	res->lat_res_ticks = tctx[0].lat.res;
	res->elapsed_ns = tend - t0 - res->sampling_ns;
	res->libc_calls = libc0 == AS_LIBC_CALLS_UNCOUNTED ? libc0 : libc1 - libc0;
	if (passes_done >= 2) { /* after the timed region: sorting is not timed */
		uint64_t k = passes_done - 1 < PASS_KEEP ? passes_done - 1 : PASS_KEEP;
		qsort(pass_ns, k, sizeof(pass_ns[0]), cmp_u64);
		res->pass_ns_max = pass_ns_max;
		res->pass_ns_median =
		    k % 2 ? pass_ns[k / 2] : (pass_ns[k / 2 - 1] + pass_ns[k / 2]) / 2;
	}
	if (cfg->sample)
		cfg->sample(cfg->sample_ctx, res->ops, res->live_bytes_end, res->elapsed_ns);
	run_canary(&tctx[0]);
	pthread_barrier_wait(&release);
	for (uint32_t t = 1; t < n; t++)
		pthread_join(tctx[t].tid, NULL);
	for (uint32_t t = 0; t < n; t++) { /* the slowest thread's; the sum */
		if (tctx[t].canary_ns > res->canary_ns)
			res->canary_ns = tctx[t].canary_ns;
		res->wait_ns = res->wait_ns == UINT64_MAX || tctx[t].wait_ns == UINT64_MAX
		                   ? UINT64_MAX
		                   : res->wait_ns + tctx[t].wait_ns;
		res->handovers += tctx[t].handovers;
		res->handovers_waited += tctx[t].handovers_waited;
	}
	for (size_t b = 0; b < nbars; b++)
		pthread_barrier_destroy(bars[b]);
	return 0;
}

uint64_t as_engine_drain(const as_opstream_t *s, const as_engine_cfg_t *cfg)
{
	uint64_t n = 0;
	/* the stream freed every object it made: the slots hold stale
	 * pointers, no live one (a run stopped by a failure leaks the rest,
	 * in a worker about to exit) */
	if (!slots_clear)
		return 0;
	for (uint32_t i = 0; i < s->nslots; i++) {
		if (slots[i].ptr) {
			cfg->mod->free(cfg->inst, slots[i].ptr, slots[i].size);
			slots[i].ptr = NULL;
			n++;
		}
	}
	return n;
}
