/* engine.c - see engine.h. The hot loop is exec_op(): one switch per op, a
 * slot-table access, the module call through its vtable, and the touch
 * policy. Cross-thread order costs an acquire load and a release store only
 * on streams that have cross-thread ops. run_loop() is instantiated once per
 * combination of (sampling, latency timing), so a measurement that is off
 * costs nothing in the loop; exec_op() is shared by every variant. */
#define _GNU_SOURCE
#include "engine.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "timer.h"
#include "util.h"
#include "validate.h"

static as_slot_t *slots;
static size_t slots_bytes;
static as_hist_t *hists; /* [thread][kind] */
static size_t hists_bytes;
static uint32_t hists_threads;
static void *stacks[AS_MAX_THREADS];
static uint32_t nstacks;
#define STACK_BYTES          (8u << 20)
#define STACK_PREFAULT_BYTES (128u << 10)

typedef struct thread_ctx {
	const as_opstream_t *s;
	const as_engine_cfg_t *cfg;
	uint32_t t;
	int64_t live;
	int64_t live_peak;
	uint64_t done;
	uint64_t resets_native;
	uint64_t end_ns;
	uint64_t sampling_ns;
	as_status_t status;
	char reason[200];
	pthread_t tid;
	pthread_barrier_t *ready, *start, *finished, *release;
	uint64_t t0;
} thread_ctx_t;

static thread_ctx_t tctx[AS_MAX_THREADS];

int as_engine_prepare(const as_opstream_t *s)
{
	if (slots)
		as_unmap(slots, slots_bytes);
	slots_bytes = ((size_t)s->nslots + 1) * sizeof(as_slot_t);
	slots = as_map(slots_bytes);
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
	case AS_TOUCH_PAGES:
		for (uint64_t off = 0; off < size; off += 4096)
			c[off] = 1;
		break;
	case AS_TOUCH_ALL: memset(p, 0xa5, size); break;
	}
}

static inline void wait_seq(as_slot_t *sl, uint16_t seq)
{
	unsigned spins = 0;
	while ((uint16_t)atomic_load_explicit((_Atomic uint32_t *)&sl->seq, memory_order_acquire) !=
	       seq) {
		if (++spins > 64)
			sched_yield();
		else
			__builtin_ia32_pause();
	}
}

static int fail(thread_ctx_t *c, as_status_t st, const char *what, const as_op_t *op)
{
	c->status = st;
	snprintf(c->reason, sizeof(c->reason), "%s (thread %u, op %llu: id %u, %llu bytes)", what,
	         c->t, (unsigned long long)(op - c->s->thread[c->t].ops), op->id,
	         (unsigned long long)op->size);
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
 * every loop variant); published to thread_ctx_t every 64 ops and at the end. */
typedef struct {
	int64_t live, peak;
	int validate;
} acc_t;

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
		if (a->validate)
			as_validate_remove(op->id);
		if (sl->ptr)
			m->free(inst, sl->ptr, sl->size);
		a->live -= (int64_t)sl->size;
		sl->ptr = NULL;
		sl->size = 0;
		break;
	case AS_OP_RESET: {
		as_slot_t *r = &slots[op->id];
		int native = c->s->nthreads == 1 && m->reset;
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
	uint64_t a = as_now_ns(), done;
	int64_t live = sum_live(c->s, &done);
	if (live > c->live_peak)
		c->live_peak = live;
	cfg->sample(cfg->sample_ctx, done, live, a - c->t0 - c->sampling_ns);
	c->sampling_ns += as_now_ns() - a;
}

/* The loop, specialised by the compiler for each (sampled, timed) pair. */
static inline __attribute__((always_inline)) void run_loop(thread_ctx_t *c, const int sampled,
                                                           const int timed)
{
	const as_opthread_t *th = &c->s->thread[c->t];
	const as_engine_cfg_t *cfg = c->cfg;
	const as_module_t *m = cfg->mod;
	void *inst = cfg->inst;
	as_touch_t tp = c->s->touch;
	int xt = c->s->cross_thread;
	uint64_t every = cfg->sample_every;
	uint64_t next_sample = every ? every : UINT64_MAX;
	uint64_t interval = cfg->sample_interval_ns;
	uint64_t next_time = interval ? as_now_ns() + interval : UINT64_MAX;
	uint64_t lat_every = cfg->latency_every;
	uint64_t next_lat = 0;
	/* every Nth op on average, at jittered gaps in [1, 2N-1]: a fixed stride
	 * would alias with periodic streams (free, alloc, free, alloc, ...) */
	uint64_t jit = 0x9e3779b97f4a7c15ULL ^ c->t;
	int chained = lat_every == 1; /* one clock read per op: end of op i starts i+1 */
	as_hist_t *h = timed ? &hists[(size_t)c->t * AS_OP_KIND_COUNT] : NULL;
	uint64_t tprev = timed ? as_ticks() : 0;
	acc_t a = {0, 0, cfg->validate};
	uint64_t i;

	for (i = 0; i < th->nops; i++) {
		const as_op_t *op = &th->ops[i];
		as_slot_t *sl = &slots[op->id];
		if ((i & 63) == 0) {
			/* publish for the sampler and for error messages */
			__atomic_store_n(&c->live, a.live, __ATOMIC_RELAXED);
			__atomic_store_n(&c->done, i, __ATOMIC_RELAXED);
		}
		if (xt && (op->kind & AS_OPF_WAIT)) {
			wait_seq(sl, op->seq);
			if (timed && chained)
				tprev = as_ticks(); /* waiting is not the op's latency */
		}
		/* one call site of exec_op per variant, so it inlines */
		int t_this = timed && (chained || i == next_lat);
		uint64_t t0 = t_this ? (chained ? tprev : as_ticks()) : 0;
		if (exec_op(c, op, sl, inst, m, tp, &a) != 0)
			break;
		if (t_this) {
			uint64_t t1 = as_ticks();
			as_hist_record(&h[op->kind & AS_OP_KIND_MASK], t1 - t0);
			tprev = t1;
			if (!chained) {
				jit ^= jit << 13;
				jit ^= jit >> 7;
				jit ^= jit << 17;
				next_lat = i + 1 + jit % (2 * lat_every - 1);
			}
		}
		/* RESET and TRIM are not ops on op->id (as_opstream_push counts
		 * only per-object ops), so they must not advance its seq */
		if (xt && (op->kind & AS_OP_KIND_MASK) != AS_OP_RESET &&
		    (op->kind & AS_OP_KIND_MASK) != AS_OP_TRIM)
			atomic_fetch_add_explicit((_Atomic uint32_t *)&sl->seq, 1,
			                          memory_order_release);
		if (sampled && (i + 1 == next_sample ||
		                ((i & 63) == 0 && interval && as_now_ns() >= next_time))) {
			c->done = i + 1;
			c->live = a.live;
			c->live_peak = a.peak;
			take_sample(c);
			a.peak = c->live_peak; /* the sampler may raise it (sum over threads) */
			if (i + 1 == next_sample)
				next_sample += every;
			if (interval)
				next_time = as_now_ns() + interval;
			if (timed)
				tprev = as_ticks();
		}
	}
	c->end_ns = as_now_ns();
	c->done = i;
	c->live = a.live;
	if (a.peak > c->live_peak)
		c->live_peak = a.peak;
}

static void run_thread(thread_ctx_t *c)
{
	int sampled =
	    c->t == 0 && c->cfg->sample && (c->cfg->sample_every || c->cfg->sample_interval_ns);
	int timed = c->cfg->latency_every && hists && c->t < hists_threads;
	if (sampled && timed)
		run_loop(c, 1, 1);
	else if (sampled)
		run_loop(c, 1, 0);
	else if (timed)
		run_loop(c, 0, 1);
	else
		run_loop(c, 0, 0);
}

static void *thread_main(void *arg)
{
	thread_ctx_t *c = arg;
	if (c->cfg->thread_start)
		c->cfg->thread_start(c->cfg->thread_ctx, c->t);
	pthread_barrier_wait(c->ready);
	pthread_barrier_wait(c->start);
	run_thread(c);
	/* stay alive until thread 0 has taken the end sample: a thread's exit
	 * makes syscalls (glibc frees its stack cache) that are not the module's */
	pthread_barrier_wait(c->finished);
	pthread_barrier_wait(c->release);
	return NULL;
}

int as_engine_run(const as_opstream_t *s, const as_engine_cfg_t *cfg, as_engine_result_t *res)
{
	pthread_barrier_t ready, start, done, release;
	pthread_attr_t attr;
	uint64_t t0, tend;
	uint32_t n = s->nthreads;

	memset(res, 0, sizeof(*res));
	memset(tctx, 0, sizeof(tctx));
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
	}
	pthread_barrier_init(&ready, NULL, n);
	pthread_barrier_init(&start, NULL, n);
	pthread_barrier_init(&done, NULL, n);
	pthread_barrier_init(&release, NULL, n);
	pthread_attr_init(&attr);
	for (uint32_t t = 1; t < n; t++) {
		if (t - 1 >= nstacks ||
		    pthread_attr_setstack(&attr, stacks[t - 1], STACK_BYTES) != 0 ||
		    pthread_create(&tctx[t].tid, &attr, thread_main, &tctx[t]) != 0) {
			res->status = AS_ERR_WORKER;
			snprintf(res->reason, sizeof(res->reason), "cannot start thread %u", t);
			/* threads already parked never get past the barrier: abort */
			return -1;
		}
	}
	pthread_attr_destroy(&attr);
	if (cfg->thread_start)
		cfg->thread_start(cfg->thread_ctx, 0);
	pthread_barrier_wait(&ready);
	if (cfg->sample)
		cfg->sample(cfg->sample_ctx, 0, 0, 0);
	t0 = as_now_ns();
	for (uint32_t t = 0; t < n; t++)
		tctx[t].t0 = t0;
	pthread_barrier_wait(&start);
	run_thread(&tctx[0]);
	pthread_barrier_wait(&done);
	tend = 0;
	for (uint32_t t = 0; t < n; t++) {
		thread_ctx_t *c = &tctx[t];
		if (c->end_ns > tend)
			tend = c->end_ns;
		res->ops += c->done;
		res->live_bytes_end += c->live;
		res->resets_native += c->resets_native;
		if (c->live_peak > res->live_bytes_peak)
			res->live_bytes_peak = c->live_peak;
		if (c->status != AS_OK && res->status == AS_OK) {
			res->status = c->status;
			snprintf(res->reason, sizeof(res->reason), "%s", c->reason);
		}
	}
	res->sampling_ns = tctx[0].sampling_ns;
	res->elapsed_ns = tend - t0 - res->sampling_ns;
	if (cfg->sample)
		cfg->sample(cfg->sample_ctx, res->ops, res->live_bytes_end, res->elapsed_ns);
	pthread_barrier_wait(&release);
	for (uint32_t t = 1; t < n; t++)
		pthread_join(tctx[t].tid, NULL);
	pthread_barrier_destroy(&ready);
	pthread_barrier_destroy(&start);
	pthread_barrier_destroy(&done);
	pthread_barrier_destroy(&release);
	return 0;
}

uint64_t as_engine_drain(const as_opstream_t *s, const as_engine_cfg_t *cfg)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < s->nslots; i++) {
		if (slots[i].ptr) {
			cfg->mod->free(cfg->inst, slots[i].ptr, slots[i].size);
			slots[i].ptr = NULL;
			n++;
		}
	}
	return n;
}
