/* bench_overhead.c - what each measurement costs per op: the engine against
 * a hand-written loop calling the same module on the same op stream, then
 * the engine with latency timing (every op, every 64th: the default), with
 * series sampling (the worker's full sample: statm, maps + mincore,
 * getrusage, syscall counters) and with perf syscall counters open; and the
 * engine's latency p50s (--latency 1, net of the harness) against a hand
 * loop with chained rdtsc around the bare calls, net of its own timing. Single thread, in process,
 * variants interleaved in every round, medians and min-max over R rounds,
 * for each module of a comma-separated list. Not a test: nothing is
 * asserted; docs/measure.md records the figures. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_sample.h"
#include "engine.h"
#include "loader.h"
#include "memmap.h"
#include "procstat.h"
#include "results.h"
#include "syscount.h"
#include "timer.h"
#include "util.h"
#include "workload.h"

enum { V_LOOP, V_ENGINE, V_HANDLAT, V_LAT1, V_LAT64, V_SAMPLE, V_SYSCOUNT, NV };
static const char *const vnames[NV] = {"hand-written loop",
                                       "engine, all off",
                                       "hand loop + chained rdtsc",
                                       "engine + latency every op",
                                       "engine + latency every 64th",
                                       "engine + sampling (auto, ~256 points)",
                                       "engine + perf syscall counters"};

/* One op as a careful person would write it: no engine, same module calls. */
static inline __attribute__((always_inline)) void
hand_op(const as_module_t *m, void *inst, const as_op_t *op, void **ptr, uint64_t *size)
{
	switch (op->kind & AS_OP_KIND_MASK) {
	case AS_OP_ALLOC:
	case AS_OP_CALLOC:
		ptr[op->id] = m->alloc(inst, op->size, 0);
		size[op->id] = op->size;
		break;
	case AS_OP_FREE:
		if (ptr[op->id])
			m->free(inst, ptr[op->id], size[op->id]);
		ptr[op->id] = NULL;
		break;
	default: break;
	}
}

static uint64_t hand_loop(const as_module_t *m, void *inst, const as_opthread_t *th, void **ptr,
                          uint64_t *size)
{
	uint64_t t0 = as_now_ns();
	for (uint64_t i = 0; i < th->nops; i++)
		hand_op(m, inst, &th->ops[i], ptr, size);
	return as_now_ns() - t0;
}

/* Free what a hand loop left live, outside the timing, as as_engine_drain
 * does after the engine: the next variant starts from the same heap. The
 * leftovers stayed allocated before: a process-wide allocator (glibc) ran
 * every later variant on a heap with 1000 more live blocks per hand loop. */
static void hand_drain(const as_module_t *m, void *inst, uint32_t nslots, void **ptr,
                       uint64_t *size)
{
	for (uint32_t i = 0; i < nslots; i++)
		if (ptr[i]) {
			m->free(inst, ptr[i], size[i]);
			ptr[i] = NULL;
		}
}

/* The hand loop's own timing, measured as the engine measures its own
 * (engine.c lat_prepare): the same chained reads and record around an
 * empty body, 255 values, the median in ticks. A chained value holds the
 * clock read and the record as well as the call (null's 2-3 ns calls read
 * 20 ns), so the hand loop's p50 is compared net of this, like the
 * engine's. */
static uint64_t hand_lat_cal(as_hist_t *scratch)
{
	uint64_t prev;
	memset(scratch, 0, sizeof(*scratch));
	prev = as_ticks();
	for (int i = 0; i < 255; i++) {
		uint64_t t;
		__asm__ volatile("" ::: "memory"); /* the call's place */
		t = as_ticks();
		as_hist_record(scratch, t - prev);
		prev = t;
	}
	return as_hist_quantile(scratch, 0.5);
}

/* The reference for latency: the bare calls with one clock read between
 * consecutive ops (the end of op i is the start of op i+1), recorded per
 * kind into histograms h[kind]. */
static uint64_t hand_lat_loop(const as_module_t *m, void *inst, const as_opthread_t *th, void **ptr,
                              uint64_t *size, as_hist_t *h)
{
	uint64_t t0 = as_now_ns(), prev = as_ticks();
	for (uint64_t i = 0; i < th->nops; i++) {
		uint64_t t;
		hand_op(m, inst, &th->ops[i], ptr, size);
		t = as_ticks();
		as_hist_record(&h[th->ops[i].kind & AS_OP_KIND_MASK], t - prev);
		prev = t;
	}
	return as_now_ns() - t0;
}

/* Median of ns[r] - base[r] over the rounds (the pairs), with min and max. */
static void pair_diff(const double *ns, const double *base, int runs, double out[3])
{
	double d[64];
	for (int r = 0; r < runs; r++)
		d[r] = ns[r] - base[r];
	out[0] = as_median(d, runs);
	out[1] = d[0];
	out[2] = d[runs - 1];
}

static const char *wlspec = "random:live=1000,ops=500000,touch=none";
static uint64_t runs = 9;
static as_opstream_t s;
static as_timer_info_t ti;
static void **ptr;
static uint64_t *size;

/* p50 of h in ns, less cal ticks, at least 0. */
static double net_p50(const as_hist_t *h, uint64_t cal)
{
	uint64_t q = as_hist_quantile(h, 0.5);
	return (double)(q > cal ? q - cal : 0) * ti.ns_per_tick;
}

/* Medians of every variant, kept per module for the ratio table. */
static double med_loop[16], med_engine[16];

static int bench_module(int mi, const char *modspec)
{
	static double ns[NV][64], samples[64], p50[2][2][64], own[2][64];
	static as_hist_t hh[AS_OP_KIND_COUNT];
	char err[1024];
	as_loaded_t lm;
	as_spec_t mspec;
	int syscount_ok = 1;

	if (as_spec_parse(modspec, AS_SPEC_MODULE, &mspec, err, sizeof(err)) != 0 ||
	    as_module_load(mspec.name, &lm, err, sizeof(err)) != AS_OK) {
		fprintf(stderr, "bench_overhead: %s\n", err);
		return 2;
	}
	bench_splits = 0;
	for (uint64_t r = 0; r < runs; r++) {
		for (int v = 0; v < NV; v++) {
			void *inst;
			as_engine_cfg_t cfg;
			as_engine_result_t er;
			/* counters open (inherit=1, as in the worker) only for the
			 * variants that use them, so the others run without */
			if ((v == V_SYSCOUNT || v == V_SAMPLE) && syscount_ok &&
			    as_syscount_start_perf(err, sizeof(err)) != 0) {
				printf("(perf counters unavailable: %s)\n", err);
				syscount_ok = 0;
			}
			if (lm.mod->create(mspec.params, &inst, err, sizeof(err)) != 0) {
				fprintf(stderr, "bench_overhead: %s\n", err);
				return 2;
			}
			memset(&cfg, 0, sizeof(cfg));
			cfg.mod = lm.mod;
			cfg.inst = inst;
			if (v == V_LOOP) {
				ns[v][r] =
				    (double)hand_loop(lm.mod, inst, &s.thread[0], ptr, size) /
				    (double)s.thread[0].nops;
				hand_drain(lm.mod, inst, s.nslots, ptr, size);
			} else if (v == V_HANDLAT) {
				uint64_t cal = hand_lat_cal(&hh[0]);
				memset(hh, 0, sizeof(hh));
				ns[v][r] = (double)hand_lat_loop(lm.mod, inst, &s.thread[0], ptr,
				                                 size, hh) /
				           (double)s.thread[0].nops;
				hand_drain(lm.mod, inst, s.nslots, ptr, size);
				/* net, as the engine's: the median less the loop's own
				 * timing (a constant shift keeps the median's place),
				 * clamped at 0 */
				p50[0][0][r] = net_p50(&hh[AS_OP_ALLOC], cal);
				p50[0][1][r] = net_p50(&hh[AS_OP_FREE], cal);
				own[0][r] = (double)cal * ti.ns_per_tick;
			} else {
				if (v == V_LAT1)
					cfg.latency_every = 1;
				if (v == V_LAT64)
					cfg.latency_every = 64;
				if (v == V_SAMPLE) {
					bench_sample_reset();
					cfg.sample = bench_on_sample;
					cfg.sample_every =
					    s.thread[0].nops / 256 ? s.thread[0].nops / 256 : 1;
				}
				as_engine_run(&s, &cfg, &er);
				as_engine_drain(&s, &cfg);
				/* sampling time counts here: it is the cost being measured */
				ns[v][r] =
				    (double)(er.elapsed_ns + er.sampling_ns) / (double)er.ops;
				if (v == V_SAMPLE)
					samples[r] = (double)er.sampling_ns / 258.0 / 1000.0;
				if (v == V_LAT1) {
					p50[1][0][r] = (double)as_hist_quantile(
					                   as_engine_hist(0, AS_OP_ALLOC), 0.5) *
					               ti.ns_per_tick;
					p50[1][1][r] = (double)as_hist_quantile(
					                   as_engine_hist(0, AS_OP_FREE), 0.5) *
					               ti.ns_per_tick;
					own[1][r] = (double)er.lat_cal_ticks * ti.ns_per_tick;
				}
			}
			lm.mod->destroy(inst);
			as_syscount_stop();
		}
	}
	printf("\n== %s: %llu rounds\n", modspec, (unsigned long long)runs);
	{
		double d[3], loop;
		pair_diff(ns[V_ENGINE], ns[V_LOOP], (int)runs, d);
		printf("engine - hand loop, per pair: median %+.2f ns/op (min %+.2f, max %+.2f)\n",
		       d[0], d[1], d[2]);
		printf("%-40s %10s %10s %10s %14s\n", "variant", "median", "min", "max",
		       "vs engine");
		for (int v = 0; v < NV; v++) {
			if (v == V_SYSCOUNT && !syscount_ok)
				continue;
			pair_diff(ns[v], ns[V_ENGINE], (int)runs, d);
			loop = as_median(ns[v], (int)runs);
			printf("%-40s %8.2fns %8.2fns %8.2fns %+12.2fns\n", vnames[v], loop,
			       ns[v][0], ns[v][runs - 1], d[0]);
			if (v == V_LOOP)
				med_loop[mi] = loop;
			if (v == V_ENGINE)
				med_engine[mi] = loop;
		}
		/* medians first: as_median sorts, so [0] and [runs-1] are then the
		 * min and max (inside the printf's arguments the order of
		 * evaluation is unspecified) */
		double m[2][2], mo[2];
		for (int k = 0; k < 2; k++) {
			m[k][0] = as_median(p50[k][0], (int)runs);
			m[k][1] = as_median(p50[k][1], (int)runs);
			mo[k] = as_median(own[k], (int)runs);
		}
		printf("latency p50 (ns) net of each loop's own timing, median over rounds "
		       "[min-max]: alloc hand %.1f [%.1f-%.1f] engine %.1f [%.1f-%.1f]; free hand "
		       "%.1f [%.1f-%.1f] engine %.1f [%.1f-%.1f]; own timing hand %.1f, engine "
		       "%.1f\n",
		       m[0][0], p50[0][0][0], p50[0][0][runs - 1], m[1][0], p50[1][0][0],
		       p50[1][0][runs - 1], m[0][1], p50[0][1][0], p50[0][1][runs - 1], m[1][1],
		       p50[1][1][0], p50[1][1][runs - 1], mo[0], mo[1]);
		printf("one sample point (258 per run): median %.1f us; heap/mmap split re-read "
		       "at %.0f%% of points\n",
		       as_median(samples, (int)runs),
		       100.0 * (double)bench_splits / (258.0 * (double)runs));
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char pbuf[AS_WL_PARAMS_MAX];
	const char *mods = argc > 1 ? argv[1] : "null";
	char err[1024], list[512], *save = NULL, *names[16];
	const as_workload_t *wl;
	as_wl_ctx_t wctx = {1, 42};
	int nm = 0;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: bench_overhead [MODULE[,MODULE...] [WORKLOAD[:params] "
		                "[ROUNDS]]]\n");
		return 2;
	}
	if (argc > 2)
		wlspec = argv[2];
	if (argc > 3 && as_parse_u64("rounds", argv[3], 1, 64, &runs, err, sizeof(err))) {
		fprintf(stderr, "bench_overhead: %s\n", err);
		return 2;
	}
	if (argc > 4) {
		fprintf(stderr, "bench_overhead: too many arguments (see --help)\n");
		return 2;
	}
	if (as_workload_parse(wlspec, &wl, pbuf, sizeof(pbuf), err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_overhead: %s\n", err);
		return 2;
	}
	as_opstream_init(&s, 1);
	if (wl->build(pbuf, &wctx, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_overhead: workload %s: %s\n", wl->name, err);
		return 2;
	}
	as_opstream_prefault(&s);
	as_timer_calibrate(&ti);
	ptr = as_map(s.nslots * sizeof(void *) + 8);
	size = as_map(s.nslots * sizeof(uint64_t) + 8);
	if (!ptr || !size || as_engine_prepare(&s) != 0 || as_engine_prepare_latency(1) != 0 ||
	    as_memmap_init() != 0 || as_procstat_open() != 0) {
		fprintf(stderr, "bench_overhead: cannot map buffers\n");
		return 2;
	}
	printf("modules %s, workload %s, %llu ops, %llu rounds, timer %s (read %.1f ns, step "
	       "%.1f ns)\n",
	       mods, wlspec, (unsigned long long)s.thread[0].nops, (unsigned long long)runs,
	       ti.source, ti.read_cost_ns, ti.floor_ns);
	snprintf(list, sizeof(list), "%s", mods);
	for (char *m = strtok_r(list, ",", &save); m && nm < 16; m = strtok_r(NULL, ",", &save)) {
		names[nm] = m;
		if (bench_module(nm++, m) != 0)
			return 2;
	}
	if (nm > 1) {
		printf("\nns/op relative to the first module (medians): hand loop, engine, "
		       "and how far the engine's ratio is from the hand loop's\n");
		for (int i = 0; i < nm; i++) {
			double h = med_loop[i] / med_loop[0], e = med_engine[i] / med_engine[0];
			printf("  %-12s hand %.3f  engine %.3f  %+.1f%%\n", names[i], h, e,
			       100.0 * (e / h - 1.0));
		}
	}
	return 0;
}
