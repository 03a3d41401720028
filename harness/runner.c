/* runner.c - see runner.h. */
#define _GNU_SOURCE
#include "runner.h"

#include <math.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../workloads/workload.h"
#include "context.h"
#include "loader.h"
#include "pin.h"
#include "results.h"
#include "results_format.h"
#include "status.h"
#include "syscount.h"
#include "timer.h"
#include "trial.h"
#include "trials_read.h"
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

static void console_table(const as_trial_spec_t *specs, const as_trial_result_t *res, int n,
                          uint32_t reps, int latency)
{
	printf("\n%-14s %-28s %3s %-10s %10s %12s %10s %10s %9s", "module", "workload", "thr",
	       "status", "ns/op", "ops/s", "peakRSS", "minflt", "syscalls");
	if (latency)
		printf(" %11s %11s", "p99alloc_ns", "p99free_ns");
	printf("\n");
	for (int i = 0; i < n; i++) {
		double ns[256], ops[256], rss[256], flt[256], sys[256], pa[256], pf[256];
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
			sys[k] = res[j].v[AS_TC_syscalls_total];
			pa[k] = res[j].p99_ns[AS_OP_ALLOC];
			pf[k] = res[j].p99_ns[AS_OP_FREE];
			k++;
		}
		snprintf(wl, sizeof(wl), "%s", specs[i].workload);
		snprintf(st, sizeof(st), "%s", bad < 0 ? "ok" : as_status_name(res[bad].status));
		if (k == 0) {
			printf("%-14.14s %-28s %3u %-10s %s\n", specs[i].module, wl,
			       specs[i].threads, st, res[bad].reason);
			continue;
		}
		{
			double sm = as_median(sys, k);
			char sbuf[16];
			if (isnan(sm))
				snprintf(sbuf, sizeof(sbuf), "n/a");
			else
				snprintf(sbuf, sizeof(sbuf), "%.0f", sm);
			printf("%-14.14s %-28s %3u %-10s %10.2f %12.4g %9.1fM %10.0f %9s",
			       specs[i].module, wl, specs[i].threads, st, as_median(ns, k),
			       as_median(ops, k), as_median(rss, k), as_median(flt, k), sbuf);
			if (latency)
				printf(" %11.0f %11.0f", as_median(pa, k), as_median(pf, k));
			printf("\n");
		}
	}
	if (reps > 1)
		printf("(medians over %u repetitions)\n", reps);
	if (latency)
		printf("(p99 latencies: latency.csv has every percentile and op kind)\n");
}

/* Atomically rewrite one table; on failure print why and set *io_failed. */
static void flush_table(const char *dir, const char *name, const as_buf_t *b, int *io_failed)
{
	char err[1024];
	if (*io_failed)
		return;
	if (as_write_file_atomic(dir, name, b, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope: %s\n", err);
		*io_failed = 1;
	}
}

static void measurement_context(as_buf_t *ctx, const as_run_cfg_t *cfg, const as_timer_info_t *ti)
{
	char why[512];
	as_context_add(ctx, "timer_source", ti->source);
	as_context_addf(ctx, "timer_ns_per_tick", "%.6g", ti->ns_per_tick);
	as_context_addf(ctx, "timer_floor_ns", "%.3g", ti->floor_ns);
	as_context_addf(ctx, "timer_read_ns", "%.3g", ti->read_cost_ns);
	if (ti->why[0])
		as_context_add(ctx, "warning_timer", ti->why);
	if (!cfg->latency_every)
		as_context_add(ctx, "latency_every", "off (enable with --latency)");
	else
		as_context_addf(ctx, "latency_every", "%llu",
		                (unsigned long long)cfg->latency_every);
	if (cfg->sample_every == AS_SAMPLE_AUTO)
		as_context_add(ctx, "sample_every", "auto (about 256 points per trial)");
	else
		as_context_addf(ctx, "sample_every", "%llu", (unsigned long long)cfg->sample_every);
	as_context_addf(ctx, "sample_interval_ms", "%llu",
	                (unsigned long long)cfg->sample_interval_ms);
	as_context_addf(ctx, "warmup_runs", "%u", cfg->warmup);
	as_context_add(ctx, "pinning", as_pin_name((as_pin_t)cfg->pin));
	if (as_syscount_probe((as_syscount_method_t)cfg->syscalls, why, sizeof(why)) == 0) {
		as_context_add(ctx, "syscall_counting",
		               cfg->syscalls == AS_SYSCOUNT_PERF
		                   ? "perf (syscall tracepoints, perf_event_open, inherit=1)"
		                   : "seccomp (SECCOMP_RET_TRACE + ptrace counter in the parent)");
	} else {
		as_context_addf(ctx, "syscall_counting", "n/a: %s", why);
	}
	{
		FILE *f = fopen("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "r");
		char gov[64] = "";
		if (f) {
			if (!fgets(gov, sizeof(gov), f))
				gov[0] = '\0';
			fclose(f);
			gov[strcspn(gov, "\n")] = '\0';
		}
		if (!gov[0])
			as_context_add(
			    ctx, "warning_frequency",
			    "CPU frequency scaling unknown (no cpufreq governor visible)");
		else if (strcmp(gov, "performance"))
			as_context_addf(ctx, "warning_frequency",
			                "cpufreq governor is '%s', not 'performance'", gov);
	}
}

/* run.args: the run's own command line, NUL-separated, so that --resume
 * rebuilds exactly the same matrix. */
static int write_run_args(const char *dir, const as_run_cfg_t *cfg, char *err, size_t errlen)
{
	as_buf_t b = {0};
	int r;
	for (int i = 1; i < cfg->argc; i++)
		as_buf_add(&b, cfg->argv[i], strlen(cfg->argv[i]) + 1);
	r = as_write_file_atomic(dir, "run.args", &b, err, errlen);
	as_buf_free(&b);
	return r;
}

/* Keep the rows of an existing long table (series, latency, histogram)
 * whose (trial, rep) is in done[]; drop the header (it is written anew). */
static void keep_done_rows(const char *dir, const char *name, const as_trial_spec_t *specs,
                           const int *done, int n, as_buf_t *out)
{
	char path[4200];
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int first = 1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return;
	while ((len = getline(&line, &cap, f)) > 0) {
		unsigned trial, rep;
		if (first) {
			first = 0;
			continue;
		}
		if (sscanf(line, "%u,%u,", &trial, &rep) != 2)
			continue;
		for (int i = 0; i < n; i++)
			if (done[i] && specs[i].trial == trial && specs[i].rep == rep) {
				as_buf_add(out, line, (size_t)len);
				break;
			}
	}
	free(line);
	fclose(f);
}

/* Load the complete rows of DIR/trials.csv into res[] and done[]; a row
 * that does not match the matrix (other module, workload or threads at that
 * trial number) means DIR is another run. Returns 0 or -1 with err. */
static int load_done_trials(const char *dir, as_trial_spec_t *specs, as_trial_result_t *res,
                            int *done, int n, char *err, size_t errlen)
{
	static const char *const names[] = {
#define N(name, fmt, doc) #name,
	    AS_TRIAL_COLS(N)
#undef N
	};
	char path[4200];
	as_table_t t;
	snprintf(path, sizeof(path), "%s/trials.csv", dir);
	if (as_table_read(path, &t, err, errlen) != 0)
		return -1;
	for (size_t r = 0; r < t.nrows; r++) {
		unsigned trial = (unsigned)as_table_num(&t, r, "trial");
		unsigned rep = (unsigned)as_table_num(&t, r, "rep");
		int i;
		for (i = 0; i < n; i++)
			if (specs[i].trial == trial && specs[i].rep == rep)
				break;
		if (i == n || (unsigned)as_table_num(&t, r, "threads") != specs[i].threads ||
		    !strstr(specs[i].workload, as_table_str(&t, r, "workload"))) {
			snprintf(err, errlen,
			         "%s: row %zu (trial %u rep %u) does not belong to the matrix in "
			         "run.args",
			         path, r + 2, trial, rep);
			as_table_free(&t);
			return -1;
		}
		done[i] = 1;
		res[i].status = AS_ERR_WORKER;
		for (int st = 0; st < AS_STATUS_COUNT; st++)
			if (!strcmp(as_status_name((as_status_t)st), as_table_str(&t, r, "status")))
				res[i].status = (as_status_t)st;
		snprintf(res[i].reason, sizeof(res[i].reason), "%s", as_table_str(&t, r, "reason"));
		snprintf(res[i].module_version, sizeof(res[i].module_version), "%s",
		         as_table_str(&t, r, "module_version"));
		snprintf(res[i].bindings, sizeof(res[i].bindings), "%s",
		         as_table_str(&t, r, "cpu_binding"));
		for (int c = 0; c < AS_TRIAL_NCOLS; c++)
			res[i].v[c] = as_table_num(&t, r, names[c]);
		for (int k = 0; k < AS_OP_KIND_COUNT; k++)
			res[i].p99_ns[k] = NAN;
	}
	as_table_free(&t);
	return 0;
}

static void on_stop_signal(int sig)
{
	(void)sig;
	as_interrupted = 1;
}

/* SIGINT/SIGTERM stop the run between complete rows: the handler only sets a
 * flag (no SA_RESTART, so the trial's poll() wakes up and kills the worker). */
static void install_stop_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int as_run_matrix(const as_run_cfg_t *cfg, char *out_dir, size_t out_len)
{
	int n = cfg->nmodules * cfg->nworkloads * cfg->nthreads * (int)cfg->reps;
	int ndistinct = cfg->nmodules * cfg->nworkloads * cfg->nthreads;
	as_trial_spec_t *specs = calloc((size_t)n, sizeof(*specs));
	as_trial_result_t *res = calloc((size_t)n, sizeof(*res));
	as_buf_t trials = {0}, ctx = {0}, series = {0}, lat = {0}, hist = {0}, summary = {0};
	as_timer_info_t ti;
	char err[1024];
	int k = 0, failed = 0, io_failed = 0, interrupted = 0, tty = isatty(2) && !getenv("CI");
	int *done = NULL;
	int nwarm = (int)cfg->warmup * ndistinct, syscalls_warned = 0;
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
	as_timer_calibrate(&ti);
	install_stop_handlers();

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
					s->sample_interval_ms = cfg->sample_interval_ms;
					s->latency_every = cfg->latency_every;
					s->syscalls = cfg->syscalls;
					s->pin = cfg->pin;
					s->ns_per_tick = as_timer_tsc ? ti.ns_per_tick : 0;
					if (s->threads > max_threads)
						max_threads = s->threads;
				}
	}

	done = calloc((size_t)(n ? n : 1), sizeof(int));
	if (cfg->resume) {
		if (as_results_format_check(out_dir, err, sizeof(err)) != 0 ||
		    load_done_trials(out_dir, specs, res, done, n, err, sizeof(err)) != 0) {
			fprintf(stderr, "allocscope: cannot resume: %s\n", err);
			free(specs);
			free(res);
			free(done);
			return 2;
		}
	} else if (write_run_args(out_dir, cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope: %s\n", err);
		io_failed = 1;
	}

	as_context_begin(&ctx);
	as_context_addf(&ctx, "results_format", "%d", AS_RESULTS_FORMAT);
	as_context_machine(&ctx, max_threads);
	as_context_add(&ctx, "label", cfg->label ? cfg->label : "run");
	as_context_addf(&ctx, "seed", "%llu", (unsigned long long)cfg->seed);
	as_context_addf(&ctx, "repetitions", "%u", cfg->reps);
	as_context_addf(&ctx, "timeout_s", "%g", cfg->timeout_s);
	for (int i = 0; i < cfg->nmodules; i++)
		as_context_addf(&ctx, "module", "%s", cfg->modules[i]);
	for (int i = 0; i < cfg->nworkloads; i++)
		as_context_addf(&ctx, "workload", "%s", cfg->workloads[i]);
	measurement_context(&ctx, cfg, &ti);
	{
		as_buf_t cmd = {0};
		for (int i = 0; i < cfg->argc; i++)
			as_buf_printf(&cmd, "%s%s", i ? " " : "", cfg->argv[i]);
		as_context_add(&ctx, "command", cmd.data ? cmd.data : "");
		as_buf_free(&cmd);
	}
	flush_table(out_dir, "context.csv", &ctx, &io_failed);

	/* warm-up runs: the first `warmup` reps of each distinct trial, discarded */
	for (int i = 0; i < nwarm && !io_failed && !as_interrupted; i++) {
		as_trial_spec_t w = specs[i % ndistinct];
		as_trial_result_t wr;
		w.warmup = 1;
		if (tty)
			progress(i, nwarm + n, t0, "warm-up");
		as_trial_run(&w, &wr);
		as_trial_result_free(&wr);
	}

	as_trials_header(&trials);
	as_series_header(&series);
	as_latency_header(&lat);
	as_hist_header(&hist);
	if (cfg->resume) {
		/* keep what the interrupted run completed, rows of unfinished
		 * trials dropped, in matrix order */
		for (int i = 0; i < n; i++)
			if (done[i])
				as_trials_row(&trials, &specs[i], &res[i]);
		keep_done_rows(out_dir, "series.csv", specs, done, n, &series);
		keep_done_rows(out_dir, "latency.csv", specs, done, n, &lat);
		keep_done_rows(out_dir, "histogram.csv", specs, done, n, &hist);
	}
	flush_table(out_dir, "trials.csv", &trials, &io_failed); /* the schema, at once */
	for (int i = 0; i < n && !io_failed; i++) {
		char what[128];
		if (done[i]) {
			if (res[i].status != AS_OK && res[i].status != AS_ERR_UNSUPPORTED)
				failed = 1;
			continue;
		}
		snprintf(what, sizeof(what), "%s / %s / %ut", specs[i].module, specs[i].workload,
		         specs[i].threads);
		if (tty)
			progress(nwarm + i, nwarm + n, t0, what);
		as_trial_run(&specs[i], &res[i]);
		if (as_interrupted) {
			/* the trial in progress is not recorded; earlier rows are complete */
			as_trial_result_free(&res[i]);
			n = i;
			interrupted = 1;
			break;
		}
		if (res[i].status != AS_OK && res[i].status != AS_ERR_UNSUPPORTED)
			failed = 1;
		if (res[i].status != AS_OK && res[i].status != AS_ERR_UNSUPPORTED && !tty)
			fprintf(stderr,
			        "allocscope: trial %u rep %u (%s, %s, %u threads): %s: %s\n",
			        specs[i].trial, specs[i].rep, specs[i].module, specs[i].workload,
			        specs[i].threads, as_status_name(res[i].status), res[i].reason);
		if (res[i].syscalls_na[0] && !syscalls_warned) {
			as_context_addf(&ctx, "warning_syscalls", "trial %u: counting n/a: %s",
			                specs[i].trial, res[i].syscalls_na);
			syscalls_warned = 1;
			flush_table(out_dir, "context.csv", &ctx, &io_failed);
		}
		if (specs[i].rep == 0 && res[i].module_version[0]) {
			/* module versions are known once a worker loaded the module */
			char key[600];
			snprintf(key, sizeof(key), "module_version.%s", specs[i].module);
			if (!ctx.data || !strstr(ctx.data, key)) {
				as_context_add(&ctx, key, res[i].module_version);
				flush_table(out_dir, "context.csv", &ctx, &io_failed);
			}
		}
		if (res[i].warning[0]) {
			as_context_addf(&ctx, "warning_trial", "trial %u rep %u: %s",
			                specs[i].trial, specs[i].rep, res[i].warning);
			flush_table(out_dir, "context.csv", &ctx, &io_failed);
		}
		/* append this trial's rows; earlier rows are never reformatted */
		as_trials_row(&trials, &specs[i], &res[i]);
		as_series_rows(&series, &specs[i], &res[i]);
		as_latency_rows(&lat, &specs[i], &res[i]);
		as_hist_rows(&hist, &specs[i], &res[i]);
		as_trial_result_free(&res[i]);
		summary.len = 0;
		as_summary_table(&summary, specs, res, i + 1);
		flush_table(out_dir, "trials.csv", &trials, &io_failed);
		flush_table(out_dir, "series.csv", &series, &io_failed);
		if (cfg->latency_every) {
			flush_table(out_dir, "latency.csv", &lat, &io_failed);
			flush_table(out_dir, "histogram.csv", &hist, &io_failed);
		}
		flush_table(out_dir, "summary.csv", &summary, &io_failed);
	}
	if (tty && !interrupted)
		progress(nwarm + n, nwarm + n, t0, "done");
	if (!io_failed) {
		/* a resumed run whose trials were all done still gets its summary */
		summary.len = 0;
		as_summary_table(&summary, specs, res, n);
		flush_table(out_dir, "summary.csv", &summary, &io_failed);
	}
	if (interrupted)
		fprintf(stderr,
		        "\nallocscope: interrupted after %d complete trial(s); resume with: "
		        "allocscope run --resume %s\n",
		        n, out_dir);
	if (!cfg->quiet)
		console_table(specs, res, n, cfg->reps, cfg->latency_every != 0);
	printf("results: %s/\n", out_dir);
	as_buf_free(&trials);
	as_buf_free(&series);
	as_buf_free(&lat);
	as_buf_free(&hist);
	as_buf_free(&summary);
	as_buf_free(&ctx);
	free(specs);
	free(res);
	free(done);
	return io_failed ? 2 : interrupted ? 130 : failed ? 1 : 0;
}
