/* engine_int.h - what the engine's files share, and only they (engine.h
 * is the engine's interface): a thread's context, its latency timing, the
 * slot table and the calls between the files. engine.c runs the ops (the
 * timed loop and everything it calls, in one translation unit so that it
 * is inlined); engine_mem.c holds what is mapped for a run (slot table,
 * histograms, thread stacks); engine_probe.c measures around the timed
 * region (latency calibration, canary, run-queue wait); engine_run.c
 * starts the threads, runs them through the barriers and assembles the
 * result. */
#ifndef AS_ENGINE_INT_H
#define AS_ENGINE_INT_H

#include <pthread.h>
#include <stdint.h>

#include "engine.h"
#include "latency.h"

#define STACK_BYTES          (8u << 20)
#define STACK_PREFAULT_BYTES (128u << 10)
/* thread t's spare slot is nslots + SPARE_STRIDE * t: never used by the
 * stream, its pointer stays NULL, so a free of it does not call the module */
#define SPARE_STRIDE (64 / sizeof(as_slot_t))

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

/* The run's threads' contexts (engine_run.c fills them, engine.c's loop
 * reads other threads' counts in them) */
extern thread_ctx_t as_eng_tctx[AS_MAX_THREADS];
/* The slot table (engine_mem.c), and whether a free clears its slot */
extern as_slot_t *as_eng_slots;
extern int as_eng_slots_clear;

/* A timed op's latency net of the harness, rounded to the counter's
 * resolution. */
static inline uint64_t as_lat_net(const as_lat_t *l, uint64_t d)
{
	d = d > l->cal ? d - l->cal : 0;
	d += l->res / 2;
	return d - as_fastmod(&l->step, d); /* d / res * res */
}

/* engine.c: the op loop over th's ops (see there), and a thread's passes
 * over its stream. */
void as_eng_run_loop(thread_ctx_t *c, const as_opthread_t *th, int validate, int sampled, int timed,
                     uint64_t pass);
void as_eng_run_thread(thread_ctx_t *c);
/* engine.c: before a run, its stop and hold flags and pass counts cleared;
 * after it, res's passes, pass_ns_max and pass_ns_median. */
void as_eng_loop_reset(void);
void as_eng_passes_result(as_engine_result_t *res);
/* engine.c: the pass times' array written now (as_engine_prepare: before
 * the baseline, so recording into it faults no page in the timed region) */
void as_eng_passes_prepare(void);

/* engine_mem.c: a run's start: whether its frees clear their slots (stale
 * pointers a run without clearing left are cleared first when so), and
 * its histograms emptied */
void as_eng_mem_begin(int clear);
/* engine_mem.c: thread t's histograms ([kind]), NULL when not prepared */
as_hist_t *as_eng_hists(uint32_t t);
/* engine_mem.c: the stack of thread i + 1 (STACK_BYTES), NULL when none */
void *as_eng_stack(uint32_t i);

/* engine_probe.c: n empty ops of thread c (frees of its spare slot) */
void as_eng_empty_ops(const thread_ctx_t *c, as_op_t *ops, uint32_t n);
/* engine_probe.c: thread c's latency calibration (c->lat), before the
 * clock starts */
void as_eng_lat_prepare(thread_ctx_t *c);
/* engine_probe.c: the canary (c->canary_ns), and the run-queue wait from
 * wait_begin to wait_end (c->wait0_ns, c->wait_ns) */
void as_eng_canary(thread_ctx_t *c);
void as_eng_wait_begin(thread_ctx_t *c);
void as_eng_wait_end(thread_ctx_t *c);

#endif /* AS_ENGINE_INT_H */
