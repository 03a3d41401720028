/* runner.c - see runner.h. */
#define _GNU_SOURCE
#include "runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../workloads/workload.h"
#include "context.h"
#include "loader.h"
#include "results.h"
#include "status.h"
#include "trial.h"
#include "util.h"

int as_run_validate(const as_run_cfg_t *cfg)
{
	int bad = 0;
	char err[1024], path[4096], name[4096];
	static char pbuf[AS_WL_PARAMS_MAX];
	for (int i = 0; i < cfg->nmodules; i++) {
		const char *params;
		as_module_spec_split(cfg->modules[i], name, sizeof(name), &params);
		if (as_module_resolve(name, path, sizeof(path), err, sizeof(err)) != AS_OK ||
		    as_module_probe(cfg->modules[i], err, sizeof(err)) != AS_OK) {
			fprintf(stderr, "allocscope: %s\n", err);
			bad = 1;
		}
	}
	for (int i = 0; i < cfg->nworkloads; i++) {
		const as_workload_t *wl;
		memset(pbuf, 0, sizeof(pbuf));
		if (as_workload_parse(cfg->workloads[i], &wl, pbuf, sizeof(pbuf), err,
		                      sizeof(err))) {
			fprintf(stderr, "allocscope: %s\n", err);
			bad = 1;
		}
	}
	return bad ? 2 : 0;
}

static void progress(int i, int n, uint64_t t0, const char *what)
{
	double el = (double)(as_now_ns() - t0) / 1e9;
	double eta = i > 0 ? el / i * (n - i) : 0;
	int width = 30, fill = n ? i * width / n : 0;
	fprintf(stderr, "\r[%.*s%*s] %d/%d  ETA %4.0fs  %-40.40s", fill,
	        "##############################", width - fill, "", i, n, eta, what);
	if (i == n)
		fputc('\n', stderr);
	fflush(stderr);
}

static double median(double *v, int n)
{
	/* insertion sort: n is a handful of repetitions */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	if (n == 0)
		return NAN;
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void console_table(const as_trial_spec_t *specs, const as_trial_result_t *res, int n,
                          uint32_t reps)
{
	printf("\n%-14s %-28s %3s %-10s %10s %12s %10s %10s\n", "module", "workload", "thr",
	       "status", "ns/op", "ops/s", "peakRSS", "minflt");
	for (int i = 0; i < n; i++) {
		double ns[256], ops[256], rss[256], flt[256];
		int k = 0, bad = -1;
		char wl[29], st[16];
		if (specs[i].rep != 0)
			continue;
		/* gather every repetition of this trial */
		for (int j = 0; j < n && k < 256; j++) {
			if (specs[j].trial != specs[i].trial)
				continue;
			if (res[j].status != AS_OK) {
				if (bad < 0)
					bad = j; /* show the first failing rep's status */
				continue;
			}
			ns[k] = res[j].v[AS_TC_ns_per_op];
			ops[k] = res[j].v[AS_TC_ops_per_sec];
			rss[k] = res[j].v[AS_TC_rss_peak_kib] / 1024.0;
			flt[k] = res[j].v[AS_TC_minflt];
			k++;
		}
		snprintf(wl, sizeof(wl), "%s", specs[i].workload);
		snprintf(st, sizeof(st), "%s", bad < 0 ? "ok" : as_status_name(res[bad].status));
		if (k == 0) {
			printf("%-14.14s %-28s %3u %-10s %s\n", specs[i].module, wl,
			       specs[i].threads, st, res[bad].reason);
			continue;
		}
		printf("%-14.14s %-28s %3u %-10s %10.2f %12.4g %9.1fM %10.0f\n", specs[i].module,
		       wl, specs[i].threads, st, median(ns, k), median(ops, k), median(rss, k),
		       median(flt, k));
	}
	if (reps > 1)
		printf("(medians over %u repetitions)\n", reps);
}

int as_run_matrix(const as_run_cfg_t *cfg, char *out_dir, size_t out_len)
{
	int n = cfg->nmodules * cfg->nworkloads * cfg->nthreads * (int)cfg->reps;
	as_trial_spec_t *specs = calloc((size_t)n, sizeof(*specs));
	as_trial_result_t *res = calloc((size_t)n, sizeof(*res));
	as_buf_t trials = {0}, ctx = {0};
	char err[1024];
	int k = 0, failed = 0, io_failed = 0, tty = isatty(2) && !getenv("CI");
	uint64_t t0 = as_now_ns();
	uint32_t max_threads = 1;

	if (cfg->out_dir) {
		snprintf(out_dir, out_len, "%s", cfg->out_dir);
	} else {
		char stamp[64];
		time_t now = time(NULL);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&now));
		snprintf(out_dir, out_len, "results/%s", stamp);
		for (int s = 2; access(out_dir, F_OK) == 0; s++)
			snprintf(out_dir, out_len, "results/%s-%d", stamp, s);
	}
	if (as_mkdir_p(out_dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope: %s\n", err);
		free(specs);
		free(res);
		return 2;
	}

	/* matrix: repetitions outermost, so each module's reps are spread out */
	for (uint32_t r = 0; r < cfg->reps; r++) {
		int trial = 0;
		for (int w = 0; w < cfg->nworkloads; w++)
			for (int t = 0; t < cfg->nthreads; t++)
				for (int m = 0; m < cfg->nmodules; m++, trial++) {
					as_trial_spec_t *s = &specs[k++];
					s->module = cfg->modules[m];
					s->workload = cfg->workloads[w];
					s->threads = cfg->threads[t];
					s->seed = cfg->seed;
					s->trial = (uint32_t)trial;
					s->rep = r;
					s->timeout_s = cfg->timeout_s;
					s->validate = cfg->validate;
					s->sample_every = cfg->sample_every;
					if (s->threads > max_threads)
						max_threads = s->threads;
				}
	}

	as_context_begin(&ctx);
	as_context_machine(&ctx, max_threads);
	as_context_add(&ctx, "label", cfg->label ? cfg->label : "run");
	as_context_addf(&ctx, "seed", "%llu", (unsigned long long)cfg->seed);
	as_context_addf(&ctx, "repetitions", "%u", cfg->reps);
	as_context_addf(&ctx, "timeout_s", "%g", cfg->timeout_s);
	{
		as_buf_t cmd = {0};
		for (int i = 0; i < cfg->argc; i++)
			as_buf_printf(&cmd, "%s%s", i ? " " : "", cfg->argv[i]);
		as_context_add(&ctx, "command", cmd.data ? cmd.data : "");
		as_buf_free(&cmd);
	}
	if (as_write_file_atomic(out_dir, "context.csv", &ctx, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope: %s\n", err);
		io_failed = 1;
	}

	for (int i = 0; i < n && !io_failed; i++) {
		char what[128];
		snprintf(what, sizeof(what), "%s / %s / %ut", specs[i].module, specs[i].workload,
		         specs[i].threads);
		if (tty)
			progress(i, n, t0, what);
		as_trial_run(&specs[i], &res[i]);
		if (res[i].status != AS_OK && res[i].status != AS_ERR_UNSUPPORTED)
			failed = 1;
		if (res[i].status != AS_OK && !tty)
			fprintf(stderr,
			        "allocscope: trial %u rep %u (%s, %s, %u threads): %s: %s\n",
			        specs[i].trial, specs[i].rep, specs[i].module, specs[i].workload,
			        specs[i].threads, as_status_name(res[i].status), res[i].reason);
		trials.len = 0;
		as_trials_header(&trials);
		for (int j = 0; j <= i; j++)
			as_trials_row(&trials, &specs[j], &res[j]);
		if (as_write_file_atomic(out_dir, "trials.csv", &trials, err, sizeof(err)) != 0) {
			fprintf(stderr, "allocscope: %s\n", err);
			io_failed = 1;
		}
	}
	if (tty)
		progress(n, n, t0, "done");
	if (!cfg->quiet)
		console_table(specs, res, n, cfg->reps);
	printf("results: %s/\n", out_dir);
	as_buf_free(&trials);
	as_buf_free(&ctx);
	free(specs);
	free(res);
	return io_failed ? 2 : failed ? 1 : 0;
}
