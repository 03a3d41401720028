/* bench_overhead.c - what each measurement costs per op: the engine against
 * a hand-written loop calling the same module on the same op stream, then
 * the engine with latency timing (every op, every 16th), with series
 * sampling (the worker's full sample: statm, maps + mincore, getrusage,
 * syscall counters) and with perf syscall counters open. Single thread, in
 * process, variants interleaved, medians of R runs. Not a test: nothing is
 * asserted; docs/measure.md records the figures. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "loader.h"
#include "memmap.h"
#include "procstat.h"
#include "results.h"
#include "sampler.h"
#include "syscount.h"
#include "timer.h"
#include "util.h"
#include "workload.h"

enum { V_LOOP, V_ENGINE, V_LAT1, V_LAT16, V_SAMPLE, V_SYSCOUNT, NV };
static const char *const vnames[NV] = {"hand-written loop",
                                       "engine, all off",
                                       "engine + latency every op",
                                       "engine + latency every 16th",
                                       "engine + sampling (auto, ~256 points)",
                                       "engine + perf syscall counters"};

/* What the worker's sample point does (as_point_take), minus the row. */
static as_point_t last;
static int have_last;
static uint64_t splits;
static void on_sample(void *ctx, uint64_t ops, int64_t live, uint64_t ns)
{
	as_point_t pt;
	(void)ctx;
	(void)ops;
	(void)live;
	(void)ns;
	as_point_take(&pt, have_last ? &last : NULL);
	splits += (uint64_t)pt.split_read;
	last = pt;
	have_last = 1;
}

/* The loop a careful person would write: no engine, same module calls. */
static uint64_t hand_loop(const as_module_t *m, void *inst, const as_opthread_t *th, void **ptr,
                          uint64_t *size)
{
	uint64_t t0 = as_now_ns();
	for (uint64_t i = 0; i < th->nops; i++) {
		const as_op_t *op = &th->ops[i];
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
	return as_now_ns() - t0;
}

int main(int argc, char **argv)
{
	const char *modspec = argc > 1 ? argv[1] : "null";
	const char *wlspec = argc > 2 ? argv[2] : "random:live=1000,ops=1000000,touch=none";
	uint64_t runs = 9;
	static char pbuf[AS_WL_PARAMS_MAX];
	static as_opstream_t s;
	static double ns[NV][64], samples[64];
	char err[1024];
	const char *params;
	const as_workload_t *wl;
	as_wl_ctx_t wctx = {1, 42};
	as_loaded_t lm;
	as_spec_t mspec;
	as_timer_info_t ti;
	void **ptr;
	uint64_t *size;
	int syscount_ok;

	if (argc > 3 && as_parse_u64("runs", argv[3], 1, 64, &runs, err, sizeof(err))) {
		fprintf(stderr, "bench_overhead: %s\n", err);
		return 2;
	}
	if (argc > 4 || (argc > 1 && !strcmp(argv[1], "--help"))) {
		fprintf(stderr,
		        "usage: bench_overhead [MODULE[:params] [WORKLOAD[:params] [RUNS]]]\n");
		return 2;
	}
	if (as_spec_parse(modspec, AS_SPEC_MODULE, &mspec, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_overhead: %s\n", err);
		return 2;
	}
	params = mspec.params;
	if (as_module_load(mspec.name, &lm, err, sizeof(err)) != AS_OK ||
	    as_workload_parse(wlspec, &wl, pbuf, sizeof(pbuf), err, sizeof(err)) != 0) {
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
	printf("module %s, workload %s, %llu ops, %llu runs, timer %s (read %.1f ns)\n", modspec,
	       wlspec, (unsigned long long)s.thread[0].nops, (unsigned long long)runs, ti.source,
	       ti.read_cost_ns);

	syscount_ok = 1;
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
			if (lm.mod->create(params, &inst, err, sizeof(err)) != 0) {
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
			} else {
				if (v == V_LAT1)
					cfg.latency_every = 1;
				if (v == V_LAT16)
					cfg.latency_every = 16;
				if (v == V_SAMPLE) {
					have_last = 0;
					cfg.sample = on_sample;
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
			}
			lm.mod->destroy(inst);
			as_syscount_stop();
		}
	}
	printf("%-40s %10s %10s %10s %14s\n", "variant", "median", "min", "max", "vs engine");
	{
		double base = as_median(ns[V_ENGINE], (int)runs), loop;
		loop = as_median(ns[V_LOOP], (int)runs);
		for (int v = 0; v < NV; v++) {
			double med = as_median(ns[v], (int)runs);
			if (v == V_SYSCOUNT && !syscount_ok)
				continue;
			printf("%-40s %8.2fns %8.2fns %8.2fns %+12.2fns\n", vnames[v], med,
			       ns[v][0], ns[v][runs - 1], med - base);
		}
		printf("engine overhead over the hand-written loop: %+.2f ns/op\n", base - loop);
		printf("one sample point (258 per run): median %.1f us; heap/mmap split re-read "
		       "at %.0f%% of points\n",
		       as_median(samples, (int)runs),
		       100.0 * (double)splits / (258.0 * (double)runs));
	}
	return 0;
}
