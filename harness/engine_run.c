/* engine_run.c - a run of the engine (as_engine_run, engine.h): starts
 * the stream's threads on the stacks engine_mem.c mapped, prepares each
 * (the op loop's warm-up, the latency calibration, the handoff probe, the
 * canary, engine_probe.c), takes them through the start, end and release
 * barriers around the op loop (engine.c), and assembles the result from
 * their contexts. Nothing here runs in the timed region but the barriers. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "handoff.h"
#include "libc_count.h"
#include "util.h"

thread_ctx_t as_eng_tctx[AS_MAX_THREADS];
/* threads 0 and 1's handoff probes (handoff.h), [0] before the start and
 * [1] after the end: their lines, cleared (so faulted in) before the
 * baseline, and thread 0's figures (0: none) */
static as_handoff_t handoff[2];
static uint64_t handoff_ns[2];

/* Without the CLI's malloc family (libc_count.c: a test or a benchmark
 * linking as_harness), nothing counts: this weak definition says so. */
__attribute__((weak)) uint64_t as_libc_calls(void)
{
	return AS_LIBC_CALLS_UNCOUNTED;
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
	as_eng_empty_ops(c, ops, 64);
	as_eng_run_loop(c, &th, 0, 0, 0, 0);
	c->done = c->posted = 0;
	c->end_ns = 0;
	c->timed = c->cfg->latency_every && as_eng_hists(c->t);
	if (c->timed)
		as_eng_lat_prepare(c);
	probe_handoff(c, 0);
	as_eng_canary(c);
	as_eng_wait_begin(c);
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
	as_eng_run_thread(c);
	/* stay alive until thread 0 has taken the end sample: a thread's exit
	 * makes syscalls (glibc frees its stack cache) that are not the module's */
	pthread_barrier_wait(c->finished);
	as_eng_wait_end(c);
	probe_handoff(c, 1);
	as_eng_canary(c); /* after every thread's timed region */
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
	memset(as_eng_tctx, 0, n * sizeof(as_eng_tctx[0]));
	memset(handoff, 0, sizeof(handoff));
	memset(handoff_ns, 0, sizeof(handoff_ns));
	as_eng_loop_reset();
	as_eng_mem_begin(cfg->validate || as_opstream_clears_slots(s));
	for (uint32_t t = 0; t < n; t++) {
		as_eng_tctx[t].s = s;
		as_eng_tctx[t].cfg = cfg;
		as_eng_tctx[t].t = t;
		as_eng_tctx[t].status = AS_OK;
		as_eng_tctx[t].ready = &ready;
		as_eng_tctx[t].start = &start;
		as_eng_tctx[t].finished = &done;
		as_eng_tctx[t].release = &release;
		as_eng_tctx[t].pass_end = &pass_end;
		as_eng_tctx[t].pass_go = &pass_go;
	}
	for (size_t b = 0; b < nbars; b++)
		pthread_barrier_init(bars[b], NULL, n);
	pthread_attr_init(&attr);
	launch_set(0);
	for (uint32_t t = 1; t < n; t++) {
		void *stack = as_eng_stack(t - 1);
		int err = !stack ? ENOMEM : pthread_attr_setstack(&attr, stack, STACK_BYTES);
		if (err == 0)
			err = pthread_create(&as_eng_tctx[t].tid, &attr, thread_main,
			                     &as_eng_tctx[t]);
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
				pthread_join(as_eng_tctx[k].tid, NULL);
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
	thread_prepare(&as_eng_tctx[0]);
	res->cpu_start = sched_getcpu();
	pthread_barrier_wait(&ready);
	if (cfg->sample)
		cfg->sample(cfg->sample_ctx, 0, 0, 0);
	libc0 = as_libc_calls(); /* before t0: a read() of the uprobes' counters */
	t0 = as_now_ns();
	for (uint32_t t = 0; t < n; t++)
		as_eng_tctx[t].t0 = t0;
	pthread_barrier_wait(&start);
	as_eng_run_thread(&as_eng_tctx[0]);
	pthread_barrier_wait(&done);
	libc1 = as_libc_calls();
	res->cpu_end = sched_getcpu();
	as_eng_wait_end(&as_eng_tctx[0]);
	probe_handoff(&as_eng_tctx[0], 1);
	tend = 0;
	for (uint32_t t = 0; t < n; t++) {
		thread_ctx_t *c = &as_eng_tctx[t];
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
	res->live_bytes_peak = as_eng_tctx[0].sum_peak;
	if (!s->cross_thread && res->thread_live_bytes_peak > res->live_bytes_peak)
		res->live_bytes_peak = res->thread_live_bytes_peak;
	if (res->live_bytes_end > res->live_bytes_peak)
		res->live_bytes_peak = res->live_bytes_end;
	res->sampling_ns = as_eng_tctx[0].sampling_ns;
	res->handoff_ns = handoff_ns[0];
	res->handoff_end_ns = handoff_ns[1];
	res->lat_cal_ticks = as_eng_tctx[0].lat.cal;
	res->lat_res_ticks = as_eng_tctx[0].lat.res;
	res->elapsed_ns = tend - t0 - res->sampling_ns;
	res->libc_calls = libc0 == AS_LIBC_CALLS_UNCOUNTED ? libc0 : libc1 - libc0;
	as_eng_passes_result(res);
	if (cfg->sample)
		cfg->sample(cfg->sample_ctx, res->ops, res->live_bytes_end, res->elapsed_ns);
	as_eng_canary(&as_eng_tctx[0]);
	pthread_barrier_wait(&release);
	for (uint32_t t = 1; t < n; t++)
		pthread_join(as_eng_tctx[t].tid, NULL);
	for (uint32_t t = 0; t < n; t++) { /* the slowest thread's; the sum */
		if (as_eng_tctx[t].canary_ns > res->canary_ns)
			res->canary_ns = as_eng_tctx[t].canary_ns;
		res->wait_ns = res->wait_ns == UINT64_MAX || as_eng_tctx[t].wait_ns == UINT64_MAX
		                   ? UINT64_MAX
		                   : res->wait_ns + as_eng_tctx[t].wait_ns;
		res->handovers += as_eng_tctx[t].handovers;
		res->handovers_waited += as_eng_tctx[t].handovers_waited;
	}
	for (size_t b = 0; b < nbars; b++)
		pthread_barrier_destroy(bars[b]);
	return 0;
}
