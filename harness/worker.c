/* worker.c - the trial's child process: load the module, build the op
 * stream, take the baseline, run the engine, measure, and report over the
 * result pipe. The harness's own memory (op stream, slot table, histograms,
 * sample buffer, thread stacks) is mapped and pre-faulted before the
 * baseline and excluded from the heap/mmap split, so deltas belong to the
 * module. The baseline is the engine's first sample, taken after the
 * engine's threads exist. */
#define _GNU_SOURCE
#include <math.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../workloads/workload.h"
#include "engine.h"
#include "loader.h"
#include "memmap.h"
#include "pin.h"
#include "procstat.h"
#include "sampler.h"
#include "syscount.h"
#include "timer.h"
#include "trial.h"
#include "validate.h"
#include "util.h"

static int result_fd = -1;

static void send_msg(unsigned type, const void *payload, unsigned len)
{
	as_msg_hdr_t h = {type, len};
	if (as_write_all(result_fd, &h, sizeof(h)) != 0 ||
	    as_write_all(result_fd, payload, len) != 0)
		_exit(3); /* parent is gone: nothing to report to */
}

static void send_status(as_status_t st, const char *reason)
{
	as_msg_status_t m;
	memset(&m, 0, sizeof(m));
	m.status = st;
	snprintf(m.reason, sizeof(m.reason), "%s", reason ? reason : "");
	send_msg(AS_MSG_STATUS, &m, sizeof(m));
}

static void send_info(const char *key, const char *value)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s=%s", key, value ? value : "");
	send_msg(AS_MSG_INFO, buf, (unsigned)(n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1));
}

#define SERIES_MAX_ROWS 16384

/* State the sample callback fills; all of it lives in mapped memory or in
 * this static struct, never in the allocator under test. */
static struct {
	double (*rows)[AS_SERIES_NCOLS];
	uint64_t nrows, dropped;
	as_point_t base, last; /* baseline and latest point */
	as_memmap_t peak;
} smp;

static void peak_of(int64_t *peak, int64_t v)
{
	if (v > *peak)
		*peak = v;
}

static void on_sample(void *ctx, uint64_t ops_done, int64_t live, uint64_t elapsed_ns)
{
	as_point_t pt;
	double *r;
	int first = smp.nrows == 0 && smp.dropped == 0;
	(void)ctx;

	as_point_take(&pt, first ? NULL : &smp.last);
	if (first) {
		smp.base = pt;
		as_rss_peak_reset();
		smp.peak = pt.mm;
	}
	smp.last = pt;
	peak_of(&smp.peak.heap_rss_kib, pt.mm.heap_rss_kib);
	peak_of(&smp.peak.heap_size_kib, pt.mm.heap_size_kib);
	peak_of(&smp.peak.mmap_rss_kib, pt.mm.mmap_rss_kib);
	peak_of(&smp.peak.mmap_size_kib, pt.mm.mmap_size_kib);
	if (smp.nrows == SERIES_MAX_ROWS) {
		smp.dropped++;
		return;
	}
	r = smp.rows[smp.nrows];
	r[AS_SC_sample] = (double)smp.nrows;
	r[AS_SC_ops_done] = (double)ops_done;
	r[AS_SC_elapsed_ns] = (double)elapsed_ns;
	r[AS_SC_rss_kib] = (double)pt.rss_kib;
	r[AS_SC_heap_rss_kib] = (double)pt.mm.heap_rss_kib;
	r[AS_SC_heap_size_kib] = (double)pt.mm.heap_size_kib;
	r[AS_SC_mmap_rss_kib] = (double)pt.mm.mmap_rss_kib;
	r[AS_SC_mmap_size_kib] = (double)pt.mm.mmap_size_kib;
	r[AS_SC_live_bytes] = (double)live;
	for (int i = 0; i < AS_SYS_NCOLS; i++)
		r[AS_SC_brk_calls + i] =
		    pt.have_sys && smp.base.have_sys ? (double)(pt.sys[i] - smp.base.sys[i]) : NAN;
	r[AS_SC_minflt] = (double)(pt.minflt - smp.base.minflt);
	smp.nrows++;
}

static void on_thread_start(void *ctx, uint32_t t)
{
	(void)ctx;
	as_pin_apply(t);
}

static void exclude_mapping(const void *p, size_t len)
{
	as_memmap_exclude(p, len);
}

static void send_latency(double ns_per_tick)
{
	as_hist_t *all = as_map(sizeof(as_hist_t));
	if (!all)
		return;
	for (unsigned k = 0; k < AS_OP_KIND_COUNT; k++) {
		double row[AS_LATENCY_NCOLS], hrow[AS_HIST_NCOLS];
		uint64_t cum = 0;
		memset(all, 0, sizeof(*all));
		for (uint32_t t = 0; t < AS_MAX_THREADS && as_engine_hist(t, k); t++)
			as_hist_merge(all, as_engine_hist(t, k));
		if (!all->total)
			continue;
		row[AS_LC_kind] = k;
		row[AS_LC_timed_ops] = (double)all->total;
		row[AS_LC_mean_ns] = as_hist_mean(all) * ns_per_tick;
		row[AS_LC_p50_ns] = (double)as_hist_quantile(all, 0.50) * ns_per_tick;
		row[AS_LC_p90_ns] = (double)as_hist_quantile(all, 0.90) * ns_per_tick;
		row[AS_LC_p99_ns] = (double)as_hist_quantile(all, 0.99) * ns_per_tick;
		row[AS_LC_p99_9_ns] = (double)as_hist_quantile(all, 0.999) * ns_per_tick;
		row[AS_LC_p99_99_ns] = (double)as_hist_quantile(all, 0.9999) * ns_per_tick;
		row[AS_LC_max_ns] = (double)all->max * ns_per_tick;
		send_msg(AS_MSG_LATENCY, row, sizeof(row));
		for (uint32_t i = 0; i < AS_HIST_BUCKETS; i++) {
			if (!all->counts[i])
				continue;
			cum += all->counts[i];
			hrow[AS_HC_kind] = k;
			hrow[AS_HC_bucket_low_ns] = (double)as_hist_bucket_low(i) * ns_per_tick;
			hrow[AS_HC_bucket_high_ns] = (double)as_hist_bucket_high(i) * ns_per_tick;
			hrow[AS_HC_count] = (double)all->counts[i];
			hrow[AS_HC_cum_fraction] = (double)cum / (double)all->total;
			send_msg(AS_MSG_HIST, hrow, sizeof(hrow));
		}
	}
	as_unmap(all, sizeof(as_hist_t));
}

/* Replay fidelity at every sample point (single-threaded streams, where a
 * sample's op count is a position in the one stream): the live requested
 * bytes the engine saw must equal the stream's own running total there,
 * recomputed here from the ops after the run. Returns 0, or -1 with the
 * first mismatch in why. */
static int check_series_fidelity(const as_opstream_t *s, char *why, size_t len)
{
	const as_opthread_t *th = &s->thread[0];
	size_t bytes = ((size_t)s->nslots + 1) * sizeof(uint64_t);
	uint64_t *size = as_map(bytes);
	int64_t live = 0;
	uint64_t j = 0;
	int rc = 0;
	if (!size)
		return 0; /* cannot check: not a mismatch */
	for (uint32_t k = 0; k < smp.nrows && !rc; k++) {
		uint64_t upto = (uint64_t)smp.rows[k][AS_SC_ops_done];
		for (; j < upto && j < th->nops; j++) {
			const as_op_t *op = &th->ops[j];
			switch (op->kind & AS_OP_KIND_MASK) {
			case AS_OP_ALLOC:
			case AS_OP_CALLOC:
			case AS_OP_REALLOC:
				live += (int64_t)op->size - (int64_t)size[op->id];
				size[op->id] = op->size;
				break;
			case AS_OP_FREE:
				live -= (int64_t)size[op->id];
				size[op->id] = 0;
				break;
			case AS_OP_RESET:
				for (uint64_t i = 0; i < op->size; i++) {
					live -= (int64_t)size[op->id + i];
					size[op->id + i] = 0;
				}
				break;
			default: break;
			}
		}
		if ((int64_t)smp.rows[k][AS_SC_live_bytes] != live) {
			snprintf(why, len, "sample %u (op %llu): live bytes %lld, the trace's %lld",
			         k, (unsigned long long)upto,
			         (long long)smp.rows[k][AS_SC_live_bytes], (long long)live);
			rc = -1;
		}
	}
	as_unmap(size, bytes);
	return rc;
}

int as_worker_main(int argc, char **argv)
{
	static char wl_params[AS_WL_PARAMS_MAX];
	static as_opstream_t stream;
	char err[512];
	char modname[4096];
	const char *modparams;
	as_loaded_t lm;
	as_status_t st;
	const as_workload_t *wl;
	as_wl_ctx_t ctx;
	uint64_t threads, seed, validate, sample_every, lat_every, interval_ms, fdnum;
	int64_t shm_fd;
	double ns_per_tick;
	as_syscount_method_t scm;
	as_pin_t pin;
	void *inst = NULL;
	double v[AS_TRIAL_NCOLS];
	as_engine_cfg_t cfg;
	as_engine_result_t er;
	uint64_t min1, maj1;
	int64_t rss_end, rss_peak;
	as_memmap_t mm;
	char note[256] = "";

	if (argc != 13) {
		fprintf(stderr, "allocscope __worker: internal command, wrong arguments\n");
		return 2;
	}
	if (as_parse_u64("fd", argv[1], 0, 1024, &fdnum, err, sizeof(err)) != 0)
		return 2;
	result_fd = (int)fdnum;
	if (as_parse_u64("threads", argv[4], 1, AS_MAX_THREADS, &threads, err, sizeof(err)) ||
	    as_parse_u64("seed", argv[5], 0, UINT64_MAX, &seed, err, sizeof(err)) ||
	    as_parse_u64("validate", argv[6], 0, 1, &validate, err, sizeof(err)) ||
	    as_parse_u64("sample_every", argv[7], 0, UINT64_MAX, &sample_every, err, sizeof(err)) ||
	    as_parse_u64("latency_every", argv[8], 0, UINT64_MAX, &lat_every, err, sizeof(err)) ||
	    as_parse_u64("sample_interval_ms", argv[9], 0, UINT64_MAX / 1000000, &interval_ms, err,
	                 sizeof(err)) ||
	    as_parse_double("ns_per_tick", argv[12], 0, 1e6, &ns_per_tick, err, sizeof(err))) {
		send_status(AS_ERR_USAGE, err);
		return 0;
	}
	if (as_syscount_parse(argv[10], &scm) != 0 || as_pin_parse(argv[11], &pin) != 0) {
		send_status(AS_ERR_USAGE, "bad syscall method or pin policy");
		return 0;
	}
	shm_fd = scm == AS_SYSCOUNT_SECCOMP ? 4 : -1;
	as_timer_use(ns_per_tick);
	for (int i = 0; i < AS_TRIAL_NCOLS; i++)
		v[i] = NAN;

	as_module_spec_split(argv[2], modname, sizeof(modname), &modparams);
	st = as_module_load(modname, &lm, err, sizeof(err));
	if (st != AS_OK) {
		send_status(st, err);
		return 0;
	}
	send_info("module_version", lm.mod->version);

	if (as_workload_parse(argv[3], &wl, wl_params, sizeof(wl_params), err, sizeof(err))) {
		send_status(AS_ERR_WORKLOAD, err);
		return 0;
	}
	ctx.threads = (uint32_t)threads;
	ctx.seed = seed;
	as_opstream_init(&stream, ctx.threads);
	if (wl->build(wl_params, &ctx, &stream, err, sizeof(err)) != 0) {
		char m[600];
		snprintf(m, sizeof(m), "workload %s: %s", wl->name, err);
		send_status(AS_ERR_WORKLOAD, m);
		return 0;
	}
	if (stream.nthreads > 1 && !(lm.mod->caps & AS_CAP_THREAD_SAFE)) {
		snprintf(
		    err, sizeof(err),
		    "module %s is not thread-safe and the workload shares one instance across %u "
		    "threads%s",
		    lm.mod->name, stream.nthreads,
		    !strcmp(wl->name, "trace") ? " (trace:FILE,serialize=1 replays on one)" : "");
		send_status(AS_ERR_UNSUPPORTED, err);
		return 0;
	}
	if (stream.needs_free && !(lm.mod->caps & AS_CAP_FREE))
		snprintf(note, sizeof(note),
		         "note: %s has no individual free, so freed memory is never reused",
		         lm.mod->name);
	else if (stream.nthreads != ctx.threads)
		snprintf(note, sizeof(note),
		         "note: the workload ran on its own %u threads, not -t %u", stream.nthreads,
		         ctx.threads);
	if (as_pin_plan(pin, stream.nthreads, err, sizeof(err)) != 0) {
		send_status(AS_ERR_WORKER, err);
		return 0;
	}
	if (scm == AS_SYSCOUNT_PERF && as_syscount_start_perf(err, sizeof(err)) != 0)
		send_info("syscalls_na", err);

	if (lm.mod->create(modparams, &inst, err, sizeof(err)) != 0) {
		char m[700];
		snprintf(m, sizeof(m), "module %s: %s", lm.mod->name, err);
		send_status(AS_ERR_PARAMS, m);
		return 0;
	}
	/* harness memory, all mapped and faulted in before the baseline */
	if (as_engine_prepare(&stream) != 0 ||
	    (lat_every && as_engine_prepare_latency(stream.nthreads) != 0) ||
	    (validate && as_validate_init(stream.nslots) != 0) || as_memmap_init() != 0 ||
	    !(smp.rows = as_map(SERIES_MAX_ROWS * sizeof(*smp.rows)))) {
		send_status(AS_ERR_WORKER, "cannot map the harness's buffers");
		return 0;
	}
	as_opstream_prefault(&stream);
	as_procstat_open();
	as_memmap_exclude(smp.rows, SERIES_MAX_ROWS * sizeof(*smp.rows));
	for (uint32_t t = 0; t < stream.nthreads; t++)
		as_memmap_exclude(stream.thread[t].ops, stream.thread[t].cap * sizeof(as_op_t));
	as_memmap_exclude(stream.id_seq, stream.id_cap * sizeof(uint16_t));
	as_memmap_exclude(stream.id_thread, stream.id_cap * sizeof(uint16_t));
	as_engine_mappings(exclude_mapping);

	memset(&cfg, 0, sizeof(cfg));
	cfg.mod = lm.mod;
	cfg.inst = inst;
	cfg.validate = (int)validate;
	cfg.sample = on_sample;
	if (sample_every == UINT64_MAX) /* auto: about 256 points per trial */
		sample_every = stream.thread[0].nops / 256 ? stream.thread[0].nops / 256 : 1;
	cfg.sample_every = sample_every;
	cfg.sample_interval_ns = interval_ms * 1000000ULL;
	cfg.latency_every = lat_every;
	cfg.thread_start = on_thread_start;

	if (shm_fd >= 0) {
		void *shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, (int)shm_fd, 0);
		if (shm == MAP_FAILED || as_syscount_start_seccomp(shm, err, sizeof(err)) != 0)
			send_info("syscalls_na",
			          shm == MAP_FAILED ? "cannot map shared counters" : err);
	}

	as_engine_run(&stream, &cfg, &er);
	as_faults(&min1, &maj1);
	rss_end = as_rss_kib();
	rss_peak = as_rss_peak_kib();

	v[AS_TC_ops] = (double)er.ops;
	v[AS_TC_elapsed_ns] = (double)er.elapsed_ns;
	v[AS_TC_ns_per_op] = er.ops ? (double)er.elapsed_ns / (double)er.ops : NAN;
	v[AS_TC_ops_per_sec] = er.elapsed_ns ? (double)er.ops * 1e9 / (double)er.elapsed_ns : NAN;
	v[AS_TC_sampling_ns] = (double)er.sampling_ns;
	v[AS_TC_live_bytes_peak] = (double)er.live_bytes_peak;
	v[AS_TC_rss_before_kib] = (double)smp.base.rss_kib;
	v[AS_TC_rss_peak_kib] = (double)rss_peak;
	v[AS_TC_rss_end_kib] = (double)rss_end;
	v[AS_TC_overhead_ratio] = er.live_bytes_peak > 0 ? (double)(rss_peak - smp.base.rss_kib) *
	                                                       1024.0 / (double)er.live_bytes_peak
	                                                 : NAN;
	v[AS_TC_heap_rss_peak_kib] = (double)smp.peak.heap_rss_kib;
	v[AS_TC_heap_size_peak_kib] = (double)smp.peak.heap_size_kib;
	v[AS_TC_mmap_rss_peak_kib] = (double)smp.peak.mmap_rss_kib;
	v[AS_TC_mmap_size_peak_kib] = (double)smp.peak.mmap_size_kib;
	v[AS_TC_minflt] = (double)(min1 - smp.base.minflt);
	v[AS_TC_majflt] = (double)(maj1 - smp.base.majflt);
	if (smp.base.have_sys && smp.last.have_sys) {
		double total = 0;
		for (int i = 0; i < AS_SYS_NCOLS; i++)
			v[AS_TC_brk_calls + i] = (double)(smp.last.sys[i] - smp.base.sys[i]);
		total = v[AS_TC_brk_calls] + v[AS_TC_mmap_calls] + v[AS_TC_munmap_calls] +
		        v[AS_TC_mremap_calls] + v[AS_TC_madvise_calls] + v[AS_TC_mprotect_calls];
		v[AS_TC_syscalls_total] = total;
	}
	v[AS_TC_samples] = (double)smp.nrows;
	if (stream.expect_live_bytes_peak >= 0) {
		v[AS_TC_trace_live_bytes_peak] = (double)stream.expect_live_bytes_peak;
		if (er.status == AS_OK && stream.expect_live_bytes_end >= 0 &&
		    er.live_bytes_end != stream.expect_live_bytes_end) {
			er.status = AS_ERR_FIDELITY;
			snprintf(er.reason, sizeof(er.reason),
			         "live bytes at the end %lld differ from the trace's %lld",
			         (long long)er.live_bytes_end,
			         (long long)stream.expect_live_bytes_end);
		} else if (er.status == AS_OK &&
		           er.live_bytes_peak != stream.expect_live_bytes_peak) {
			er.status = AS_ERR_FIDELITY;
			snprintf(er.reason, sizeof(er.reason),
			         "live_bytes_peak %lld differs from the trace's %lld",
			         (long long)er.live_bytes_peak,
			         (long long)stream.expect_live_bytes_peak);
		} else if (er.status == AS_OK && stream.nthreads == 1 &&
		           check_series_fidelity(&stream, er.reason, sizeof(er.reason)) != 0) {
			er.status = AS_ERR_FIDELITY;
		}
	}

	if (er.status == AS_OK) {
		as_engine_drain(&stream, &cfg);
		v[AS_TC_rss_after_free_kib] = (double)as_rss_kib();
		as_memmap_read(&mm, 1);
		v[AS_TC_heap_rss_after_free_kib] = (double)mm.heap_rss_kib;
		v[AS_TC_mmap_rss_after_free_kib] = (double)mm.mmap_rss_kib;
		if (lm.mod->trim) {
			lm.mod->trim(inst);
			v[AS_TC_rss_after_trim_kib] = (double)as_rss_kib();
			as_memmap_read(&mm, 1);
			v[AS_TC_heap_rss_after_trim_kib] = (double)mm.heap_rss_kib;
			v[AS_TC_mmap_rss_after_trim_kib] = (double)mm.mmap_rss_kib;
		}
	}
	for (uint32_t t = 0; t < stream.nthreads; t++) {
		char key[32];
		snprintf(key, sizeof(key), "binding.%u", t);
		send_info(key, as_pin_desc(t));
	}
	for (uint64_t i = 0; i < smp.nrows; i++)
		send_msg(AS_MSG_SERIES, smp.rows[i], sizeof(smp.rows[i]));
	if (smp.dropped) {
		char m[96];
		snprintf(m, sizeof(m), "%llu samples beyond %u dropped",
		         (unsigned long long)smp.dropped, SERIES_MAX_ROWS);
		send_info("warning", m);
	}
	if (lat_every)
		send_latency(as_timer_tsc ? ns_per_tick : 1.0);
	send_msg(AS_MSG_TRIAL, v, sizeof(v));
	send_status(er.status, er.status == AS_OK ? note : er.reason);
	/* destroy after reporting: a module that crashes in destroy has still
	 * produced its numbers, but the crash is reported by the parent */
	lm.mod->destroy(inst);
	return 0;
}
