/* engine.c - see engine.h. The hot loop is exec_op(): one switch per op, a
 * slot-table access, the module call through its vtable, and the touch
 * policy. Cross-thread order costs an acquire load and a release store only
 * on streams that have cross-thread ops. */
#define _GNU_SOURCE
#include "engine.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static as_slot_t *slots;
static size_t slots_bytes;

typedef struct thread_ctx {
	const as_opstream_t *s;
	const as_engine_cfg_t *cfg;
	uint32_t t;
	int64_t live;
	int64_t live_peak;
	uint64_t done;
	uint64_t resets_native;
	uint64_t end_ns;
	as_status_t status;
	char reason[200];
	pthread_t tid;
	pthread_barrier_t *start;
} thread_ctx_t;

static thread_ctx_t tctx[AS_MAX_THREADS];

int as_engine_prepare(const as_opstream_t *s)
{
	if (slots)
		as_unmap(slots, slots_bytes);
	slots_bytes = ((size_t)s->nslots + 1) * sizeof(as_slot_t);
	slots = as_map(slots_bytes);
	return slots ? 0 : -1;
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
	         c->t, (unsigned long long)c->done, op->id, (unsigned long long)op->size);
	return -1;
}

static inline int check_block(thread_ctx_t *c, void *p, const as_op_t *op)
{
	uintptr_t a = op->align_log2 ? (uintptr_t)1 << op->align_log2 : 16;
	if ((uintptr_t)p & (a - 1))
		return fail(c, AS_ERR_INVALID, "misaligned block", op);
	return 0;
}

static void *do_alloc(const as_module_t *m, void *inst, const as_op_t *op, unsigned kind)
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

static inline int exec_op(thread_ctx_t *c, const as_op_t *op, as_slot_t *sl, void *inst,
                          const as_module_t *m, as_touch_t tp)
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
		c->live += (int64_t)op->size;
		if (c->live > c->live_peak)
			c->live_peak = c->live;
		if (c->cfg->validate && p && check_block(c, p, op))
			return -1;
		touch(p, op->size, tp);
		break;
	case AS_OP_REALLOC: {
		size_t align = op->align_log2 ? (size_t)1 << op->align_log2 : 0;
		uint64_t old = sl->size;
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
		c->live += (int64_t)op->size - (int64_t)old;
		if (c->live > c->live_peak)
			c->live_peak = c->live;
		if (c->cfg->validate && p && check_block(c, p, op))
			return -1;
		if (op->size > old)
			touch((char *)p + old, op->size - old, tp);
		break;
	}
	case AS_OP_FREE:
		if (sl->ptr)
			m->free(inst, sl->ptr, sl->size);
		c->live -= (int64_t)sl->size;
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
			if (r[i].ptr && !native)
				m->free(inst, r[i].ptr, r[i].size);
			c->live -= (int64_t)r[i].size;
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

static void run_thread(thread_ctx_t *c)
{
	const as_opthread_t *th = &c->s->thread[c->t];
	const as_engine_cfg_t *cfg = c->cfg;
	const as_module_t *m = cfg->mod;
	void *inst = cfg->inst;
	as_touch_t tp = c->s->touch;
	int xt = c->s->cross_thread;
	uint64_t every = (c->t == 0 && cfg->sample) ? cfg->sample_every : 0;
	uint64_t next_sample = every ? every : UINT64_MAX;

	for (uint64_t i = 0; i < th->nops; i++) {
		const as_op_t *op = &th->ops[i];
		as_slot_t *sl = &slots[op->id];
		if (xt && (op->kind & AS_OPF_WAIT))
			wait_seq(sl, op->seq);
		if (exec_op(c, op, sl, inst, m, tp) != 0)
			break;
		/* RESET and TRIM are not ops on op->id (as_opstream_push counts
		 * only per-object ops), so they must not advance its seq */
		if (xt && (op->kind & AS_OP_KIND_MASK) != AS_OP_RESET &&
		    (op->kind & AS_OP_KIND_MASK) != AS_OP_TRIM)
			atomic_fetch_add_explicit((_Atomic uint32_t *)&sl->seq, 1,
			                          memory_order_release);
		c->done = i + 1;
		if (c->done == next_sample) {
			int64_t live = 0;
			for (uint32_t t = 0; t < c->s->nthreads; t++)
				live += __atomic_load_n(&tctx[t].live, __ATOMIC_RELAXED);
			cfg->sample(cfg->sample_ctx, c->done, live);
			next_sample += every;
		}
	}
	c->end_ns = as_now_ns();
}

static void *thread_main(void *arg)
{
	thread_ctx_t *c = arg;
	pthread_barrier_wait(c->start);
	run_thread(c);
	return NULL;
}

int as_engine_run(const as_opstream_t *s, const as_engine_cfg_t *cfg, as_engine_result_t *res)
{
	pthread_barrier_t start;
	uint64_t t0, tend;
	uint32_t started = 1;

	memset(res, 0, sizeof(*res));
	memset(tctx, 0, sizeof(tctx));
	for (uint32_t t = 0; t < s->nthreads; t++) {
		tctx[t].s = s;
		tctx[t].cfg = cfg;
		tctx[t].t = t;
		tctx[t].status = AS_OK;
		tctx[t].start = &start;
	}
	pthread_barrier_init(&start, NULL, s->nthreads);
	for (uint32_t t = 1; t < s->nthreads; t++) {
		if (pthread_create(&tctx[t].tid, NULL, thread_main, &tctx[t]) != 0) {
			res->status = AS_ERR_WORKER;
			snprintf(res->reason, sizeof(res->reason), "cannot start thread %u", t);
			/* threads already parked never get past the barrier: abort */
			return -1;
		}
		started++;
	}
	if (cfg->sample)
		cfg->sample(cfg->sample_ctx, 0, 0);
	pthread_barrier_wait(&start);
	t0 = as_now_ns();
	run_thread(&tctx[0]);
	for (uint32_t t = 1; t < started; t++)
		pthread_join(tctx[t].tid, NULL);
	tend = 0;
	for (uint32_t t = 0; t < s->nthreads; t++) {
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
	res->elapsed_ns = tend - t0;
	if (cfg->sample)
		cfg->sample(cfg->sample_ctx, tctx[0].done, res->live_bytes_end);
	pthread_barrier_destroy(&start);
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
