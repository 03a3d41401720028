/* engine.h - the one op-stream engine: executes a built as_opstream_t
 * against a loaded module instance, one thread per stream thread (thread 0
 * on the calling thread, so single-threaded runs stay on glibc's main arena).
 * Keeps its slot table in kernel-mapped, pre-faulted memory. Knows nothing of
 * CSV or processes; measurement hooks are called between ops. */
#ifndef AS_ENGINE_H
#define AS_ENGINE_H

#include <stdint.h>

#include "../allocators/allocscope_module.h"
#include "../workloads/opstream.h"
#include "latency.h"
#include "status.h"

typedef struct as_slot {
	void *ptr;
	uint64_t size;
} as_slot_t;

/* Called on thread 0 every `sample_every` ops of thread 0, every
 * `sample_interval_ns` of wall time (checked every 64 ops), and once at start
 * (after the threads exist, before the clock starts: the baseline) and at the
 * end (after every thread finished, before any exits), with the ops done so
 * far by all threads, the live requested bytes (sum of the threads' counts)
 * and the elapsed time with sampling excluded. Time spent inside it is
 * accounted as sampling_ns, not as op time. While thread 0 samples in the
 * timed region the other threads hold at their next measurement point (at
 * most 64 ops on), so no thread's work falls into the time left out. */
typedef void (*as_sample_fn)(void *ctx, uint64_t ops_done, int64_t live_bytes, uint64_t elapsed_ns);

/* Called by each engine thread before the start barrier (pinning). */
typedef void (*as_thread_start_fn)(void *ctx, uint32_t thread);

typedef struct as_engine_cfg {
	const as_module_t *mod;
	void *inst;
	as_sample_fn sample; /* may be NULL */
	void *sample_ctx;
	uint64_t sample_every;           /* ops on thread 0 between samples; 0 = never */
	uint64_t sample_interval_ns;     /* wall time between samples; 0 = never */
	uint64_t latency_every;          /* time every Nth op of each thread; 0 = off */
	as_thread_start_fn thread_start; /* may be NULL */
	void *thread_ctx;
	int validate; /* check every returned block (alignment, bounds) */
	/* Run the whole stream again (every thread, after all finished the
	 * pass) until the timed region has lasted this long; 0: once. Only for
	 * streams that end empty (as_opstream_ends_empty). Series samples by
	 * op count are taken in the first pass only. */
	uint64_t min_time_ns;
} as_engine_cfg_t;

typedef struct as_engine_result {
	as_status_t status;
	char reason[256];
	uint64_t ops;                   /* ops executed, all threads, all passes */
	uint64_t passes;                /* times the stream ran (min_time_ns) */
	uint64_t elapsed_ns;            /* wall time of the timed region minus sampling_ns */
	uint64_t sampling_ns;           /* time thread 0 spent in sample() while timing */
	int64_t live_bytes_peak;        /* max of live requested bytes (thread 0's view
	                                   when multi-threaded: sum at sample points) */
	int64_t thread_live_bytes_peak; /* max over threads of each thread's own running
	                                   count (the samples' sums left out): what a
	                                   replayed trace must reproduce exactly */
	int64_t live_bytes_end;
	uint64_t resets_native;    /* RESET ops served by module reset() */
	uint64_t lat_cal_ticks;    /* thread 0's cost of timing an empty op, subtracted */
	uint64_t lat_res_ticks;    /* the clock's step: latencies are multiples of it */
	uint64_t canary_ns;        /* the slowest thread's canary time, before + after */
	uint64_t wait_ns;          /* all threads' run-queue wait around the timed region
	                              (schedstat run_delay); UINT64_MAX: not known */
	uint64_t handoff_ns;       /* threads 0 and 1's median round trip before the
	                              start (handoff.h; 0: one thread, or no answer) */
	uint64_t handoff_end_ns;   /* the same after the end */
	uint64_t pass_ns_max;      /* the longest pass after the first (0: < 2 passes) */
	uint64_t pass_ns_median;   /* the median pass after the first (of the first
	                              4096; 0: < 2 passes) */
	uint64_t handovers;        /* all threads' cross-thread waits in the timed
	                              region (the stream's, times the passes) */
	uint64_t handovers_waited; /* of those, the ones at which the other thread
	                              had not yet got to the point waited for */
	/* thread 0's CPU right before the start barrier and right after the end
	 * one (sched_getcpu; -1: not known) */
	int32_t cpu_start, cpu_end;
	/* calls into the process's malloc family in the timed region, all
	 * threads (libc_count.h; AS_LIBC_CALLS_UNCOUNTED: not counted) */
	uint64_t libc_calls;
} as_engine_result_t;

/* Prepare slot table for `s` (mapped + pre-faulted) and thread resources.
 * Must be called before the baseline measurement. Returns 0 or -1. */
int as_engine_prepare(const as_opstream_t *s);

/* Map and pre-fault one latency histogram per thread and op kind (call
 * after as_engine_prepare, before the baseline, when latency_every > 0).
 * Returns 0 or -1. */
int as_engine_prepare_latency(uint32_t nthreads);

/* Histogram of thread t for op kind k (ticks of as_ticks()), or NULL when
 * latency timing was not prepared. */
const as_hist_t *as_engine_hist(uint32_t t, unsigned kind);

/* Report every mapping the engine holds (slot table, histograms, thread
 * stacks) to fn, so measurements can exclude them. */
void as_engine_mappings(void (*fn)(const void *p, size_t len));

/* Run the whole stream. Timing covers only the ops (threads are created and
 * parked before the clock starts). Returns 0 (a failed op's error goes in
 * res->status), or -1 when a thread could not be started (res->status and
 * res->reason say which; the threads already started have been joined). */
int as_engine_run(const as_opstream_t *s, const as_engine_cfg_t *cfg, as_engine_result_t *res);

/* Free every object still live in the slot table (after the timed region),
 * returning how many were freed. */
uint64_t as_engine_drain(const as_opstream_t *s, const as_engine_cfg_t *cfg);

#endif /* AS_ENGINE_H */
