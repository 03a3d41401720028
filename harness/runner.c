/* runner.c - see runner.h. Expands the matrix, runs each trial in a worker
 * (trial.c) and passes every result to the reporters; it formats and
 * writes nothing itself. */
#define _GNU_SOURCE
#include "runner.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../workloads/workload.h"
#include "context.h"
#include "disturb.h"
#include "files.h"
#include "forkserver.h"
#include "guard.h"
#include "jobs.h"
#include "loader.h"
#include "reporter.h"
#include "results_dir.h"
#include "results_format.h"
#include "resume.h"
#include "stats.h"
#include "status.h"
#include "suggest.h"
#include "syscount.h"
#include "tables.h"
#include "timer.h"
#include "trial.h"
#include "trials_read.h"
#include "util.h"

/* 1, with a line on stderr, when two of specs[0..n) are the same text
 * (as_spec_given_twice; `check` refuses its modules so too). */
static int given_twice(const char *opt, const as_spec_t *specs, int n)
{
	char err[AS_SHOW_MAX + 64];
	if (!as_spec_given_twice(specs, n, err, sizeof(err)))
		return 0;
	fprintf(stderr, "allocscope: %s: %s (its rows could not be told apart)\n", opt, err);
	return 1;
}

/* The same, for a thread count (-t 1,1). */
static int threads_twice(const as_run_cfg_t *cfg)
{
	for (int i = 0; i < cfg->nthreads; i++)
		for (int j = 0; j < i; j++)
			if (cfg->threads[i] == cfg->threads[j]) {
				fprintf(
				    stderr,
				    "allocscope: -t: %u is given twice (its rows could not be told "
				    "apart)\n",
				    cfg->threads[i]);
				return 1;
			}
	return 0;
}

/* Probe module i once (a suite validates every scenario). A refusal of the
 * module or its params is a usage error: returns -1 after its line. A
 * probe that crashed, hung or exited is the module's fault: it is kept for
 * the module's rows and said in one line; the run goes on. */
static int probe_module(as_run_cfg_t *cfg, int i)
{
	as_probe_result_t *p = &cfg->probe[i];
	char path[PATH_MAX];
	if (p->probed)
		return p->status == AS_OK || as_status_is_fault(p->status) ? 0 : -1;
	p->probed = 1;
	p->status = as_module_resolve(cfg->modules[i].name, path, sizeof(path), p->reason,
	                              sizeof(p->reason));
	if (p->status == AS_OK)
		p->status = as_module_probe(&cfg->modules[i], cfg->timeout_s, !cfg->no_quick_check,
		                            p->reason, sizeof(p->reason));
	if (p->status == AS_OK)
		return 0;
	if (!as_status_is_fault(p->status)) {
		fprintf(stderr, "allocscope: %s\n", p->reason);
		return -1;
	}
	fprintf(stderr, "allocscope: %s; its trials are not run (rows: %s)\n", p->reason,
	        as_status_name(p->status));
	return 0;
}

int as_run_validate(as_run_cfg_t *cfg)
{
	int bad = 0;
	char err[1024];
	static char pbuf[AS_WL_PARAMS_MAX];
	for (int i = 0; i < cfg->nmodules; i++)
		if (probe_module(cfg, i) != 0)
			bad = 1;
	for (int i = 0; i < cfg->nworkloads; i++) {
		const as_workload_t *wl;
		memset(pbuf, 0, sizeof(pbuf));
		if (as_workload_configure_spec(&cfg->workloads[i], &wl, pbuf, sizeof(pbuf), err,
		                               sizeof(err))) {
			fprintf(stderr, "allocscope: %s\n", err);
			bad = 1;
			continue;
		}
		for (int t = 0; t < cfg->nthreads; t++)
			if (as_workload_check_threads(wl, cfg->threads[t], err, sizeof(err))) {
				fprintf(stderr, "allocscope: %s\n", err);
				bad = 1;
				break;
			}
	}
	/* the same spec twice gives rows nothing tells apart */
	if (given_twice("-a", cfg->modules, cfg->nmodules) ||
	    given_twice("-w", cfg->workloads, cfg->nworkloads) || threads_twice(cfg))
		bad = 1;
	if (cfg->baseline) {
		int found = 0;
		as_suggest_t sg;
		char dym[96] = "";
		as_suggest_init(&sg, cfg->baseline);
		for (int i = 0; i < cfg->nmodules && !found; i++) {
			found = !strcmp(cfg->modules[i].label, cfg->baseline);
			if (strcmp(cfg->modules[i].label, "null"))
				as_suggest_add(&sg, cfg->modules[i].label);
		}
		if (!found) /* the nearest -a label, as for a mistyped module */
			as_suggest_fmt(&sg, NULL, dym, sizeof(dym));
		if (!found || !strcmp(cfg->baseline, "null")) {
			fprintf(stderr, "allocscope: --baseline %s: %s%s\n", cfg->baseline,
			        found ? "null has no cost of its own to compare with"
			              : "not one of the modules (-a), as given there",
			        dym);
			bad = 1;
		}
	}
	return bad ? 2 : 0;
}

void as_run_cfg_free_specs(as_run_cfg_t *cfg)
{
	for (int i = 0; i < cfg->nmodules; i++)
		as_spec_free(&cfg->modules[i]);
	for (int i = 0; i < cfg->nworkloads; i++)
		as_spec_free(&cfg->workloads[i]);
	cfg->nmodules = cfg->nworkloads = 0;
}

static void on_stop_signal(int sig)
{
	(void)sig;
	as_interrupted = 1;
}

/* SIGINT/SIGTERM/SIGHUP stop the run between complete rows: the handler only sets a
 * flag (no SA_RESTART, so the trial's poll() wakes up and kills the worker). */
static void install_stop_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL); /* a closed terminal: keep the rows too */
}

/* Take the results folder: -o DIR (refused when it holds another run's files
 * unless --force or --resume), or a new results/<stamp>. Returns the lock's
 * fd, or -1 after printing why. */
static int claim_dir(const as_run_cfg_t *cfg, char *out, size_t len)
{
	char err[PATH_MAX + 256];
	int fd;
	if (cfg->out_dir) {
		if ((size_t)snprintf(out, len, "%s", cfg->out_dir) >= len) {
			fprintf(stderr, "allocscope: %.200s...: results folder path too long\n",
			        cfg->out_dir);
			return -1;
		}
	} else if (as_results_dir_new("", out, len, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope: %s\n", err);
		return -1;
	}
	fd = as_results_dir_claim(out,
	                          cfg->resume  ? AS_DIR_RESUME
	                          : cfg->force ? AS_DIR_FORCE
	                                       : AS_DIR_NEW,
	                          err, sizeof(err));
	if (fd < 0)
		fprintf(stderr, "allocscope: %s\n", err);
	return fd;
}

/* The matrix, repetitions outermost, so each module's reps are spread out
 * over the run and drift hits every module alike. Returns the largest
 * thread count. */
static uint32_t expand(const as_run_cfg_t *cfg, as_trial_spec_t *specs, double ns_per_tick)
{
	uint32_t max_threads = 1;
	int k = 0;
	for (uint32_t r = 0; r < cfg->reps; r++) {
		uint32_t trial = 0;
		for (int w = 0; w < cfg->nworkloads; w++)
			for (int t = 0; t < cfg->nthreads; t++)
				for (int m = 0; m < cfg->nmodules; m++, trial++) {
					as_trial_spec_t *s = &specs[k++];
					s->module = &cfg->modules[m];
					s->workload = &cfg->workloads[w];
					s->threads = cfg->threads[t];
					s->seed = cfg->seed;
					s->trial = trial;
					s->rep = r;
					s->timeout_s = cfg->timeout_s;
					s->validate = cfg->validate;
					s->sample_every = cfg->sample_every;
					s->sample_interval_ms = cfg->sample_interval_ms;
					s->latency_every = cfg->latency_every;
					s->min_time_s = cfg->min_time_s;
					s->syscalls = cfg->syscalls;
					s->pin = cfg->pin;
					s->ns_per_tick = ns_per_tick;
					if (s->threads > max_threads)
						max_threads = s->threads;
				}
	}
	return max_threads;
}

/* -r auto with cfg->first: the repetitions beyond AS_AUTO_MIN_REPS of the
 * first groups move ahead of every other group's, each part keeping its
 * order (reps outermost), so a budget that runs out cuts the others'. */
static void first_groups_first(const as_run_cfg_t *cfg, as_trial_spec_t *specs, int n)
{
	as_trial_spec_t *tmp;
	int k = 0;
	if (!cfg->reps_auto || !cfg->first || !(tmp = malloc((size_t)n * sizeof(*tmp))))
		return;
	for (int pass = 0; pass < 3; pass++)
		for (int i = 0; i < n; i++) {
			int extra = specs[i].rep >= AS_AUTO_MIN_REPS;
			int first = extra && cfg->first(cfg->first_ctx, &specs[i]);
			if ((pass == 0 && !extra) || (pass == 1 && first) ||
			    (pass == 2 && extra && !first))
				tmp[k++] = specs[i];
		}
	memcpy(specs, tmp, (size_t)n * sizeof(*tmp));
	free(tmp);
}

/* What a finished trial adds to the run's context: why syscalls could not
 * be counted (once), the module's version (once per module), warnings. */
static void note_context(as_run_t *run, int i, const as_trial_result_t *r, int *syscalls_warned)
{
	const as_trial_spec_t *s = &run->specs[i];
	size_t before = run->ctx.len;
	if (r->syscalls_na[0] && !*syscalls_warned) {
		char why[sizeof(r->syscalls_na)];
		snprintf(why, sizeof(why), "%s", r->syscalls_na);
		if (run->cfg->no_syscalls_option)
			as_syscount_drop_remedy(why);
		as_context_addf(&run->ctx, "warning_syscalls", "trial %u: counting n/a: %s",
		                s->trial, why);
		*syscalls_warned = 1;
	}
	if (s->rep == 0 && r->module_version[0]) {
		char *key = NULL;
		if (asprintf(&key, "module_version.%s", s->module->label) > 0 &&
		    (!run->ctx.data || !strstr(run->ctx.data, key)))
			as_context_add(&run->ctx, key, r->module_version);
		free(key);
	}
	if (r->warning[0])
		as_context_addf(&run->ctx, "warning_trial", "trial %u rep %u: %s", s->trial, s->rep,
		                r->warning);
	if (run->ctx.len != before)
		run->ctx_generation++;
}

/* Run one trial; a module whose probe failed is not run again: its row
 * carries the probe's status and reason; nor one the run does not compare
 * (cfg->skip_why): `skipped`, with that reason. */
static void run_one(const as_run_cfg_t *cfg, const as_trial_spec_t *s, as_trial_result_t *r)
{
	const as_probe_result_t *p = &cfg->probe[s->module - cfg->modules];
	const char *why = cfg->skip_why[s->module - cfg->modules];
	if (why) {
		as_trial_result_none(r, AS_ERR_UNSUPPORTED);
		snprintf(r->reason, sizeof(r->reason), "%s", why);
		return;
	}
	if (!p->probed || p->status == AS_OK) {
		as_trial_run(s, r);
		return;
	}
	as_trial_result_none(r, p->status);
	snprintf(r->reason, sizeof(r->reason), "not run: %s", p->reason);
}

enum { HOOK_BEGIN, HOOK_TRIAL, HOOK_END };

/* Call one hook (begin, trial i, end) on every reporter; the first failure
 * stops the run, its reason printed once. Returns 0 or -1. */
static int report_all(const as_run_t *run, as_reporter_t *reps, int nrep, int hook, int i)
{
	char err[1024];
	for (int k = 0; k < nrep; k++) {
		as_reporter_t *r = &reps[k];
		int rc = hook == HOOK_BEGIN ? r->begin && r->begin(r->self, run, err, sizeof(err))
		         : hook == HOOK_TRIAL
		             ? r->trial && r->trial(r->self, run, i, err, sizeof(err))
		             : r->end && r->end(r->self, run, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "allocscope: %s\n", err);
			return -1;
		}
	}
	return 0;
}

/* Why a trial group stopped adding repetitions (as_run_stops_t). */
enum { STOP_NOT = 0, STOP_FAILED, STOP_MAX_TIME, STOP_BUDGET, STOP_CI };

/* Entry i's whole result r is in: its context, then every reporter's trial
 * hook with r as run->cur (run->res[i] is set already). r's rows are freed
 * after. Returns 0, or -1 when a reporter could not keep it (entry i is
 * then not done). */
static int report_trial(as_run_t *run, as_reporter_t *reps, int nrep, int i, as_trial_result_t *r,
                        int *syscalls_warned)
{
	int rc;
	note_context(run, i, r, syscalls_warned);
	run->cur = r;
	rc = report_all(run, reps, nrep, HOOK_TRIAL, i);
	run->cur = NULL;
	as_trial_result_free(r); /* rows are written; the record keeps the numbers */
	if (rc)
		run->done[i] = 0; /* its rows are not all on disk */
	return rc;
}

/* Keep what the end of the run needs of entry i's result r. Returns 0, or
 * -1 after a line when out of memory (r's reason would be lost). */
static int keep_rec(as_run_t *run, int i, const as_trial_result_t *r)
{
	if (as_trial_rec_set(&run->res[i], r) == 0)
		return 0;
	fprintf(stderr, "allocscope: trial %u rep %u: out of memory for its reason\n",
	        run->specs[i].trial, run->specs[i].rep);
	return -1;
}

/* Move entry i down to w (w < i: a dropped repetition's place), leaving i
 * empty. */
static void move_entry(as_run_t *run, int w, int i)
{
	run->specs[w] = run->specs[i];
	run->res[w] = run->res[i];
	run->done[w] = run->done[i];
	run->done[i] = 0;
	memset(&run->res[i], 0, sizeof(run->res[i]));
}

/* -r auto: does trial group `trial` need no more repetitions, judging by
 * the first w entries of the matrix (its earlier reps) and the wall time
 * they took? A group whose repetition did not complete is settled (a skip
 * or a failure does not go away by asking again); one of at least
 * AS_AUTO_MIN_REPS is settled when it has AS_AUTO_MIN_REPS the machine did
 * not disturb (dist: as_disturbed_set over the first w entries, the
 * judgement the statistics take, every rule with it) and their
 * ns/op median's 95 % CI (order statistics) is within ci_rel, or when the
 * run's trials took run_max_s (a suite's budget share spent: the minimum
 * tried, disturbed or not, so a spent budget bounds the suite on a busy
 * machine), or when its reps took group_max_s (first_max_s for a
 * cfg->first group) and AS_AUTO_MIN_REPS are undisturbed; short of them,
 * when its reps took AS_AUTO_SHORT_STRETCH times that, or with
 * cfg->keep_undisturbed (a suite's budget that is not spent) when the
 * budget is: a disturbed repetition is run again while the stretch or
 * the budget lasts. Returns
 * STOP_NOT or why it is settled; *undisturbed: how many of its
 * repetitions the machine did not disturb (NULL: not wanted). Without
 * -r auto, or without dist (out of memory: the CI alone), nothing is
 * asked of the judgement. */
static int settled(const as_run_t *run, int w, uint32_t trial, double wall_s,
                   const unsigned char *dist, int *undisturbed)
{
	const as_run_cfg_t *cfg = run->cfg;
	double v[AS_AUTO_MAX_REPS], med, lo, hi, max_s = cfg->group_max_s;
	int tried = 0, ok = 0, first = -1, over_group, over_run;
	if (!cfg->reps_auto)
		return STOP_NOT;
	for (int j = 0; j < w; j++) {
		if (run->specs[j].trial != trial)
			continue;
		if (first < 0)
			first = j;
		tried++;
		if (run->res[j].status != AS_OK)
			return STOP_FAILED;
		if (!isnan(run->res[j].v[AS_TC_ns_per_op]) &&
		    ok < (int)(sizeof(v) / sizeof(v[0])) && (!dist || dist[j] == AS_DIST_NO))
			v[ok++] = run->res[j].v[AS_TC_ns_per_op];
	}
	if (undisturbed)
		*undisturbed = ok;
	if (tried < AS_AUTO_MIN_REPS)
		return STOP_NOT;
	if (ok >= AS_AUTO_MIN_REPS) {
		med = as_median(v, ok);
		as_median_ci95(v, ok, &lo, &hi);
		if (!isnan(lo) && lo >= med * (1 - cfg->ci_rel) && hi <= med * (1 + cfg->ci_rel))
			return STOP_CI;
	}
	if (cfg->first && cfg->first(cfg->first_ctx, &run->specs[first]))
		max_s = cfg->first_max_s;
	over_group = wall_s >= max_s;
	over_run = cfg->run_max_s > 0 && (double)(as_now_ns() - run->t0_ns) / 1e9 >= cfg->run_max_s;
	if (over_run)
		return STOP_BUDGET;
	if (over_group && ok < AS_AUTO_MIN_REPS &&
	    (cfg->keep_undisturbed || wall_s < AS_AUTO_SHORT_STRETCH * max_s))
		return STOP_NOT; /* the stretch or the budget lasts: 6 undisturbed first */
	return over_group ? STOP_MAX_TIME : STOP_NOT;
}

/* -r auto: count why each of the run's trial groups stopped (stop[trial],
 * STOP_NOT for one that ran every repetition the matrix held or was
 * interrupted first), into cfg->stops and context.csv. */
static void note_stops(as_run_t *run, const int *stop, const int *short6, int ndistinct)
{
	as_run_stops_t st = {0};
	int *reps = calloc((size_t)ndistinct, sizeof(int));
	if (!run->cfg->reps_auto || !reps) {
		free(reps);
		return;
	}
	for (int i = 0; i < run->n; i++)
		reps[run->specs[i].trial]++;
	for (int t = 0; t < ndistinct; t++) {
		switch (stop[t]) {
		case STOP_FAILED: st.failed++; break;
		case STOP_MAX_TIME:
			st.max_time++;
			st.max_time_short += short6[t];
			break;
		case STOP_BUDGET:
			st.budget++;
			st.budget_short += short6[t];
			break;
		case STOP_CI: st.ci++; break;
		default:
			if (reps[t] >= (int)run->cfg->reps)
				st.most++;
			break;
		}
	}
	free(reps);
	as_context_addf(&run->ctx, "repetitions_stopped",
	                "trial groups: %d by the CI, %d by --max-time (%d of them with fewer than "
	                "%d undisturbed repetitions after %d x --max-time), %d by the time budget "
	                "(%d of them with fewer than %d undisturbed repetitions), %d at %u "
	                "repetitions, %d by a failed or skipped repetition",
	                st.ci, st.max_time, st.max_time_short, AS_AUTO_MIN_REPS,
	                AS_AUTO_SHORT_STRETCH, st.budget, st.budget_short, AS_AUTO_MIN_REPS,
	                st.most, run->cfg->reps, st.failed);
	run->ctx_generation++;
	run->stops = st;
	run->stops_known = 1;
	if (run->cfg->stops)
		*run->cfg->stops = st;
}

/* Run the trials not done yet; returns 1 when any failed, and stops early
 * on an interrupt or when a reporter cannot keep results. With -r auto the
 * matrix holds the most repetitions allowed and a repetition of a settled
 * group is dropped: entries move down over it, so the reporters always see
 * run->specs[0..i] without gaps, and run->n ends as the number kept. */
static int run_trials(as_run_t *run, as_reporter_t *reps, int nrep, int ndistinct, int *io_failed)
{
	int failed = 0, syscalls_warned = 0, w = 0, why, ok = 0;
	/* the trial running: one whole result at a time (6 KB and its rows) */
	as_trial_result_t *r = malloc(sizeof(*r));
	double *wall_s = calloc((size_t)ndistinct, sizeof(double));
	int *stop = calloc((size_t)ndistinct, sizeof(int));
	int *short6 = calloc((size_t)ndistinct, sizeof(int));
	/* -r auto: the judgement of the first dist_w entries (disturb.h) */
	unsigned char *dist = run->cfg->reps_auto ? malloc((size_t)run->n + 1) : NULL;
	int dist_w = -1;
	if (!r || !wall_s || !stop || !short6) {
		fprintf(stderr, "allocscope: out of memory\n");
		free(r);
		free(wall_s);
		free(stop);
		free(short6);
		free(dist);
		*io_failed = 1;
		return 0;
	}
	for (int i = 0; i < run->n && !*io_failed; i++) {
		uint32_t trial = run->specs[i].trial;
		/* asked anew after each trial: a later reference or round can
		 * call a repetition disturbed, and the group runs another (the
		 * last answer counts) */
		if (dist && !run->done[i] && dist_w != w) {
			/* out of memory: the CI alone */
			if (as_disturbed_set(run->specs, run->res, w, dist) != 0)
				memset(dist, AS_DIST_NO, (size_t)w);
			dist_w = w;
		}
		why = run->done[i] ? STOP_NOT : settled(run, w, trial, wall_s[trial], dist, &ok);
		if (!run->done[i]) {
			stop[trial] = why;
			short6[trial] = ok < AS_AUTO_MIN_REPS;
		}
		if (!run->done[i] &&
		    (why || (run->cfg->drop && run->cfg->drop(run->cfg->drop_ctx, run, w, i))))
			continue;
		if (w != i)
			move_entry(run, w, i);
		if (!run->done[w]) {
			uint64_t t0 = as_now_ns();
			for (int k = 0; k < nrep; k++)
				if (reps[k].progress)
					reps[k].progress(reps[k].self, run, w, 0);
			run_one(run->cfg, &run->specs[w], r);
			if (as_interrupted) {
				/* the trial in progress is not recorded; earlier rows are complete
				 */
				as_trial_result_free(r);
				run->interrupted = 1;
				break;
			}
			r->v[AS_TC_wall_ns] = (double)(as_now_ns() - t0);
			wall_s[trial] += r->v[AS_TC_wall_ns] / 1e9;
			run->done[w] = 1;
			if (keep_rec(run, w, r) != 0 ||
			    report_trial(run, reps, nrep, w, r, &syscalls_warned)) {
				run->done[w] = 0;
				*io_failed = 1;
				as_trial_result_free(r);
				break;
			}
		} else {
			/* resumed: the time it took then (a folder written before
			 * wall_ns: its timed region, less than the run counted) */
			double ns = run->res[w].v[AS_TC_wall_ns];
			wall_s[trial] += (isnan(ns) ? run->res[w].v[AS_TC_elapsed_ns] : ns) / 1e9;
		}
		if (run->res[w].status != AS_OK && run->res[w].status != AS_ERR_UNSUPPORTED)
			failed = 1;
		w++;
	}
	run->n = w; /* after an interrupt or a write error: the rows kept */
	note_stops(run, stop, short6, ndistinct);
	free(r);
	free(wall_s);
	free(stop);
	free(short6);
	free(dist);
	return failed;
}

/* --jobs N: a trial that shared the cores with another has no timing
 * figure; what would read as one is not kept (elapsed_ns stays: the wall
 * time of its timed region, a cost, not a speed). */
static void not_timing(as_trial_result_t *r)
{
	r->v[AS_TC_ns_per_op] = r->v[AS_TC_ops_per_sec] = NAN;
	r->v[AS_TC_canary_ns] = r->v[AS_TC_wait_ns] = NAN;
	r->v[AS_TC_handoff_ns] = r->v[AS_TC_handoff_end_ns] = NAN;
	r->v[AS_TC_pass_ns_max] = r->v[AS_TC_pass_ns_median] = NAN;
	r->v[AS_TC_handovers_waited] = NAN;
	r->v[AS_TC_timed_ops] = NAN; /* its latency rows are dropped below */
	for (int k = 0; k < AS_OP_KIND_COUNT; k++)
		r->p99_ns[k] = NAN;
	free(r->latency.v);
	free(r->hist.v);
	memset(&r->latency, 0, sizeof(r->latency));
	memset(&r->hist, 0, sizeof(r->hist));
}

static void job_run(void *ctx, const as_trial_spec_t *s, as_trial_result_t *r)
{
	run_one(ctx, s, r);
}

/* The parallel run's state: entries [0, shown) are reported (or were
 * done before a resume), [shown, w) handed out or waiting for an earlier
 * one to be reported; got[i]: entry i's result is in, not reported, its
 * whole result in pend[i] (malloc'd; run->res[i] is set). */
typedef struct {
	as_run_t *run;
	as_reporter_t *reps;
	int nrep, shown, w, failed, syscalls_warned, *got, *io_failed;
	as_trial_result_t **pend;
	as_jobs_t jobs;
} par_t;

/* Report the entries whose results are in, in matrix order. */
static void par_report(par_t *p)
{
	as_run_t *run = p->run;
	while (p->shown < p->w && run->done[p->shown] && !*p->io_failed) {
		int i = p->shown, rc;
		if (p->got[i]) {
			rc =
			    report_trial(run, p->reps, p->nrep, i, p->pend[i], &p->syscalls_warned);
			free(p->pend[i]);
			p->pend[i] = NULL;
			p->got[i] = 0;
			if (rc) {
				*p->io_failed = 1;
				return;
			}
		}
		if (run->res[i].status != AS_OK && run->res[i].status != AS_ERR_UNSUPPORTED)
			p->failed = 1;
		p->shown++;
	}
}

/* Entry tag's result r is in (not interrupted): kept until it is
 * reported, its record set now (a drop rule reads it). */
static void par_got(par_t *p, int tag, as_trial_result_t *r)
{
	not_timing(r);
	p->pend[tag] = malloc(sizeof(*r));
	if (!p->pend[tag] || keep_rec(p->run, tag, r) != 0) {
		if (!p->pend[tag])
			fprintf(stderr, "allocscope: out of memory\n");
		as_trial_result_free(r);
		free(p->pend[tag]);
		p->pend[tag] = NULL;
		*p->io_failed = 1;
		return;
	}
	*p->pend[tag] = *r;
	p->run->done[tag] = 1;
	p->got[tag] = 1;
}

/* Take the next result in; an interrupted trial is not kept, nor is any
 * result after it. Returns -1 when no trial is out. */
static int par_collect(par_t *p)
{
	as_trial_result_t r;
	int tag;
	if (as_jobs_wait(&p->jobs, &r, &tag) != 0)
		return -1;
	if (as_interrupted || r.status == AS_ERR_INTERRUPTED) {
		as_trial_result_free(&r);
		p->run->interrupted = 1;
		return 0;
	}
	par_got(p, tag, &r);
	par_report(p);
	return 0;
}

/* 1 while a trial of group `trial` is out: a drop rule judges the group's
 * earlier repetitions, so it waits for them (and decides as one job would). */
static int group_out(const par_t *p, uint32_t trial)
{
	for (int k = 0; k < p->jobs.n; k++)
		if (p->jobs.job[k].busy && p->run->specs[p->jobs.job[k].tag].trial == trial)
			return 1;
	return 0;
}

/* run_trials for cfg->jobs > 1 (never with -r auto, cmd_run.c): up to jobs
 * trials at once, each in a job process (jobs.h); the reporters see the
 * same calls in the same order as with one. Returns -1 when out of memory
 * (the caller runs the trials with run_trials). */
static int run_trials_jobs(as_run_t *run, as_reporter_t *reps, int nrep, int *io_failed)
{
	par_t p = {.run = run, .reps = reps, .nrep = nrep, .io_failed = io_failed};
	char err[256];
	int k;
	p.got = calloc((size_t)run->n + 1, sizeof(int));
	p.pend = calloc((size_t)run->n + 1, sizeof(*p.pend));
	if (!p.got || !p.pend) {
		free(p.got);
		free(p.pend);
		return -1;
	}
	fflush(NULL); /* a job process must not write the run's buffered output again */
	if (as_jobs_start(&p.jobs, run->cfg->jobs, job_run, (void *)run->cfg, err, sizeof(err)) !=
	    0) {
		/* no job: every trial runs here, one at a time, as one that ran
		 * beside another would be written (the context says so already) */
		as_context_addf(&run->ctx, "warning_jobs",
		                "--jobs %d: %s: trials ran one at a time", run->cfg->jobs, err);
		run->ctx_generation++;
	}
	for (int i = 0; i < run->n && !*io_failed && !run->interrupted; i++) {
		uint32_t trial = run->specs[i].trial;
		if (as_interrupted) {
			run->interrupted = 1;
			break;
		}
		if (!run->done[i]) {
			while (group_out(&p, trial))
				par_collect(&p);
			if (settled(run, p.w, trial, 0, NULL, NULL) ||
			    (run->cfg->drop && run->cfg->drop(run->cfg->drop_ctx, run, p.w, i)))
				continue;
		}
		if (p.w != i)
			move_entry(run, p.w, i);
		if (!run->done[p.w]) {
			while ((k = as_jobs_idle(&p.jobs)) < 0 && !run->interrupted)
				if (par_collect(&p) != 0)
					break; /* every job gone: the trial runs here */
			if (run->interrupted || *io_failed)
				break;
			for (int m = 0; m < nrep; m++)
				if (reps[m].progress)
					reps[m].progress(reps[m].self, run, p.w, 0);
			if (k < 0 || as_jobs_submit(&p.jobs, k, &run->specs[p.w], p.w) != 0) {
				as_trial_result_t r;
				run_one(run->cfg, &run->specs[p.w], &r);
				if (as_interrupted) {
					as_trial_result_free(&r);
					run->interrupted = 1;
					break;
				}
				par_got(&p, p.w, &r);
			}
		}
		p.w++;
		par_report(&p);
	}
	while (par_collect(&p) == 0)
		; /* the trials still out */
	par_report(&p);
	as_jobs_stop(&p.jobs);
	/* after an interrupt or a write error: the rows kept, in order */
	run->n = run->interrupted || *io_failed ? p.shown : p.w;
	for (int i = p.shown; i < p.w; i++)
		if (p.got[i]) {
			as_trial_result_free(p.pend[i]);
			free(p.pend[i]);
		}
	free(p.got);
	free(p.pend);
	return p.failed;
}

static void warm_up(as_run_t *run, as_reporter_t *reps, int nrep, int ndistinct)
{
	/* the first `warmup` reps of each distinct trial, discarded */
	for (int i = 0; i < run->nwarm && !as_interrupted; i++) {
		as_trial_spec_t w = run->specs[i % ndistinct];
		as_trial_result_t wr;
		w.warmup = 1;
		for (int k = 0; k < nrep; k++)
			if (reps[k].progress)
				reps[k].progress(reps[k].self, run, i, 1);
		run_one(run->cfg, &w, &wr);
		as_trial_result_free(&wr);
	}
}

/* --resume: the rows the interrupted run completed. A run killed before its
 * first trial may have no context.csv or trials.csv yet: nothing is done. */
static int load_done(as_run_t *run, char *err, size_t errlen)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/trials.csv", run->dir) >= sizeof(path)) {
		snprintf(err, errlen, "%.200s...: path too long", run->dir);
		return -1;
	}
	/* no trials.csv: the run was stopped before it wrote the tables' heads
	 * (after run.args and perhaps context.csv: kill -9 during the start),
	 * so no trial is done; a context.csv of a newer allocscope is still
	 * refused */
	if (access(path, F_OK) != 0) {
		snprintf(path, sizeof(path), "%s/context.csv", run->dir);
		if (access(path, F_OK) != 0)
			return 0;
		return as_results_format_check(run->dir, err, errlen) != 0 ? -1 : 0;
	}
	if (as_results_format_check(run->dir, err, errlen) != 0 ||
	    as_resume_check_columns(run->dir, err, errlen) != 0)
		return -1;
	return as_resume_load_trials(run->dir, run->specs, run->res, run->done, run->n,
	                             run->cfg->jobs <= 1, &run->resumed, err, errlen);
}

/* Free the records' reasons and the records (n of them, or NULL). */
static void free_recs(as_trial_rec_t *res, int n)
{
	for (int i = 0; res && i < n; i++)
		as_trial_rec_free(&res[i]);
	free(res);
}

int as_run_matrix(const as_run_cfg_t *cfg, char *out_dir, size_t out_len)
{
	int ndistinct = cfg->nmodules * cfg->nworkloads * cfg->nthreads;
	as_run_t run = {.cfg = cfg, .dir = out_dir, .n = ndistinct * (int)cfg->reps};
	int nalloc = run.n; /* run.n ends as the trials kept; a moved entry's slot is empty */
	as_reporter_t reps[5];
	int nrep = 0, failed = 0, io_failed = 0, began = 0, lock_fd = -1;
	as_timer_info_t ti;
	uint32_t max_threads;
	char err[1024];

	run.specs = calloc((size_t)run.n + 1, sizeof(*run.specs));
	run.res = calloc((size_t)run.n + 1, sizeof(*run.res));
	run.done = calloc((size_t)run.n + 1, sizeof(int));
	run.nwarm = (int)cfg->warmup * ndistinct;
	run.t0_ns = as_now_ns();
	if (!run.specs || !run.res || !run.done) {
		fprintf(stderr, "allocscope: out of memory for %d trials\n", run.n);
		goto out_usage;
	}
	lock_fd = claim_dir(cfg, out_dir, out_len);
	if (lock_fd < 0)
		goto out_usage;
	/* run.args first: a run stopped at any point after this (kill -9, a
	 * full disk) leaves a folder --resume can finish; one without
	 * context.csv or trials.csv yet has nothing done (load_done) */
	if (!cfg->resume &&
	    as_resume_save_args(out_dir, "run.args", cfg->argc, cfg->argv, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope: %s\n", err);
		goto out_usage;
	}
	as_timer_calibrate(&ti);
	run.timer_jump_ns = ti.jump_ns;
	install_stop_handlers();
	max_threads = expand(cfg, run.specs, as_timer_tsc ? ti.ns_per_tick : 0);
	first_groups_first(cfg, run.specs, run.n);
	if (cfg->resume && (as_context_modules_unchanged(out_dir, cfg, err, sizeof(err)) != 0 ||
	                    load_done(&run, err, sizeof(err)) != 0)) {
		fprintf(stderr, "allocscope: cannot resume: %s\n", err);
		goto out_usage;
	}
	as_context_run(&run.ctx, cfg, &ti, max_threads);
	as_guard_start(); /* done by the probes already, unless there were none */
	as_context_add(&run.ctx, "stray_guard", as_guard_desc());
	if (as_reporter_csv(&reps[nrep]) == 0)
		nrep++;
	if (as_reporter_console(&reps[nrep]) == 0)
		nrep++;
	if (as_reporter_compare(&reps[nrep]) == 0)
		nrep++;
	if (as_reporter_json(&reps[nrep]) == 0) /* after csv: reads its context.csv */
		nrep++;
	if (as_reporter_headline(&reps[nrep]) == 0)
		nrep++;
	if (report_all(&run, reps, nrep, HOOK_BEGIN, 0))
		io_failed = 1;
	else
		began = 1;
	as_buf_free(&run.resumed); /* the CSV reporter wrote them */
	if (!io_failed) {
		warm_up(&run, reps, nrep, ndistinct);
		failed = cfg->jobs > 1 && !as_interrupted
		             ? run_trials_jobs(&run, reps, nrep, &io_failed)
		             : -1;
		if (failed < 0)
			failed = run_trials(&run, reps, nrep, ndistinct, &io_failed);
	}
	as_trial_streams_clear();
	as_forkserver_stop_all();
	if (!io_failed && report_all(&run, reps, nrep, HOOK_END, 0))
		io_failed = 1;
	/* a suite says how to resume it, tune that it cannot */
	if ((run.interrupted && !cfg->suite && !cfg->own_interrupt_line) ||
	    (began && !cfg->suite)) {
		/* the folder as a shell word: one line, and pasted back it works */
		char *dir_w = as_shell_word(out_dir);
		if (run.interrupted && !cfg->suite && !cfg->own_interrupt_line)
			fprintf(
			    stderr,
			    "\nallocscope: interrupted after %d complete trial(s); resume with: "
			    "allocscope run --resume %s\n",
			    run.n, dir_w);
		if (began && !cfg->suite) /* a suite names its folder once, at the end */
			printf("results: %s/\n", dir_w);
		free(dir_w);
	}
	for (int k = 0; k < nrep; k++)
		if (reps[k].destroy)
			reps[k].destroy(reps[k].self);
	as_buf_free(&run.ctx);
	as_buf_free(&run.resumed);
	free(run.specs);
	free_recs(run.res, nalloc);
	free(run.done);
	as_results_dir_release(lock_fd);
	return io_failed ? 2 : run.interrupted ? 130 : failed ? 1 : 0;
out_usage:
	as_buf_free(&run.resumed);
	free(run.specs);
	free_recs(run.res, nalloc);
	free(run.done);
	as_results_dir_release(lock_fd);
	return 2;
}
