/* worker.c - the trial's child process: load the module, build the op
 * stream, take the baseline, run the engine, measure, and report over the
 * result pipe. The harness's own memory (op stream, slot table) is mapped and
 * pre-faulted before the baseline, so deltas belong to the module. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../workloads/workload.h"
#include "engine.h"
#include "loader.h"
#include "procstat.h"
#include "trial.h"
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
	uint64_t threads, seed, validate, sample_every;
	void *inst = NULL;
	double v[AS_TRIAL_NCOLS];
	as_engine_cfg_t cfg;
	as_engine_result_t er;
	uint64_t min0, maj0, min1, maj1;
	int64_t rss0, rss_end, rss_peak;
	char note[256] = "";

	if (argc != 8) {
		fprintf(stderr, "allocscope __worker: internal command, wrong arguments\n");
		return 2;
	}
	result_fd = atoi(argv[1]);
	if (as_parse_u64("threads", argv[4], 1, AS_MAX_THREADS, &threads, err, sizeof(err)) ||
	    as_parse_u64("seed", argv[5], 0, UINT64_MAX, &seed, err, sizeof(err)) ||
	    as_parse_u64("validate", argv[6], 0, 1, &validate, err, sizeof(err)) ||
	    as_parse_u64("sample_every", argv[7], 0, UINT64_MAX, &sample_every, err, sizeof(err))) {
		send_status(AS_ERR_USAGE, err);
		return 0;
	}
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

	if (lm.mod->create(modparams, &inst, err, sizeof(err)) != 0) {
		char m[700];
		snprintf(m, sizeof(m), "module %s: %s", lm.mod->name, err);
		send_status(AS_ERR_PARAMS, m);
		return 0;
	}
	if (as_engine_prepare(&stream) != 0) {
		send_status(AS_ERR_WORKER, "cannot map the slot table");
		return 0;
	}
	as_opstream_prefault(&stream);
	as_procstat_open();

	memset(&cfg, 0, sizeof(cfg));
	cfg.mod = lm.mod;
	cfg.inst = inst;
	cfg.validate = (int)validate;
	cfg.sample_every = sample_every;

	as_rss_peak_reset();
	rss0 = as_rss_kib();
	as_faults(&min0, &maj0);
	as_engine_run(&stream, &cfg, &er);
	as_faults(&min1, &maj1);
	rss_end = as_rss_kib();
	rss_peak = as_rss_peak_kib();

	v[AS_TC_ops] = (double)er.ops;
	v[AS_TC_elapsed_ns] = (double)er.elapsed_ns;
	v[AS_TC_ns_per_op] = er.ops ? (double)er.elapsed_ns / (double)er.ops : NAN;
	v[AS_TC_ops_per_sec] = er.elapsed_ns ? (double)er.ops * 1e9 / (double)er.elapsed_ns : NAN;
	v[AS_TC_live_bytes_peak] = (double)er.live_bytes_peak;
	v[AS_TC_rss_before_kib] = (double)rss0;
	v[AS_TC_rss_peak_kib] = (double)rss_peak;
	v[AS_TC_rss_end_kib] = (double)rss_end;
	v[AS_TC_overhead_ratio] =
	    er.live_bytes_peak > 0 ? (double)(rss_peak - rss0) * 1024.0 / (double)er.live_bytes_peak
	                           : NAN;
	v[AS_TC_minflt] = (double)(min1 - min0);
	v[AS_TC_majflt] = (double)(maj1 - maj0);
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
		}
	}

	if (er.status == AS_OK) {
		as_engine_drain(&stream, &cfg);
		v[AS_TC_rss_after_free_kib] = (double)as_rss_kib();
		if (lm.mod->trim) {
			lm.mod->trim(inst);
			v[AS_TC_rss_after_trim_kib] = (double)as_rss_kib();
		}
	}
	send_msg(AS_MSG_TRIAL, v, sizeof(v));
	send_status(er.status, er.status == AS_OK ? note : er.reason);
	/* destroy after reporting: a module that crashes in destroy has still
	 * produced its numbers, but the crash is reported by the parent */
	lm.mod->destroy(inst);
	return 0;
}
