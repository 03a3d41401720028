/* suite_run.c - the work of `allocscope suite` between its set-up and its
 * verdicts (suite_cmd.h): each scenario's settings (workloads, threads,
 * repetitions, the modules it compares), its share of --budget, and the
 * scenarios' runs one after another into the suite's folder, and the
 * folder's own files (scenarios.csv, summary.json). Prints
 * nothing on stdout: a scenario's time lines are kept for cmd_suite.c to
 * print under its heading. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "json.h"
#include "reps_agree.h"
#include "results_dir.h"
#include "runner.h"
#include "syscount.h"
#include "suite_cmd.h"
#include "util.h"

/* The charts and reports after the last trial, kept back from --budget
 * per scenario unless --no-plot: 3 s for the default suite's 10 on the
 * idle machine (the lead's runs of e93540d) */
#define AS_SUITE_CHART_S 0.3

/* Repetitions when -r is not given. A memory scenario's figures are page
 * counts that repeat to the page, so it gets 3 repetitions (its verdicts judge
 * their range; 2 when those agree, reps_agree.h) rather than adaptive ones driven by an ns/op it
 * does not report; timing scenarios keep -r auto, at most AS_SUITE_AUTO_MAX repetitions, so the
 * default suite takes minutes, not an hour. */
#define AS_SUITE_AUTO_MAX 10
/* cfg->first of a scenario's run: does a claim read this trial group? */
static int claim_group(void *ctx, const as_trial_spec_t *s)
{
	return as_scenario_reads(ctx, s->module->name, s->workload->label, s->threads);
}

/* A memory scenario: its figures are pages, faults and system calls. */
static int is_memory(const as_scenario_t *sc)
{
	return sc->metric == AS_MET_RETAINED || sc->metric == AS_MET_RSS_PER_LIVE ||
	       sc->metric == AS_MET_BYTES_PER_BLOCK;
}

void as_suite_scenario_reps(const as_scenario_t *sc, as_run_cfg_t *cfg)
{
	int memory = is_memory(sc);
	cfg->reps_auto = !memory;
	cfg->reps = memory ? 3 : AS_SUITE_AUTO_MAX;
	/* recorded in context.csv (repetitions_agree): a reader that counted
	 * 3 called every group that stopped at 2 incomplete */
	cfg->reps_agree = memory ? AS_REPS_AGREE : 0;
	cfg->drop = memory ? as_reps_agree_drop : NULL;
}

/* --budget: scenario i's share of the time left (the budget less the
 * suite's time so far, from its start, and less the charts' time kept
 * back, reserve_s), by its share of the trial groups left (workloads x
 * threads x modules compared). Scenarios before it may have overrun, so a
 * late scenario gets less. An -r auto scenario spends
 * its share through --max-time, unless given on the command line: a trial
 * group stops adding repetitions after AS_AUTO_MIN_REPS once its reps took
 * share / groups, and no group adds one once the scenario's trials took the
 * share. The groups its claims read (claim_group) are not held to share /
 * groups and add theirs first, so what the share leaves after the minimum
 * goes to the intervals that decide a verdict before the rest. The minimum
 * repetitions always run, and each with the suite's
 * fixed --min-time, so every claim is judged the same way whatever the
 * budget left: the budget trades repetitions, not the verdicts. Returns the
 * share in seconds. */
static double budget_share(as_suite_cmd_t *c, int i, const int *groups, int groups_left,
                           double elapsed_s, double reserve_s)
{
	double left = c->budget_s - elapsed_s - reserve_s;
	double share = left > 0 && groups_left > 0 ? left * groups[i] / groups_left : 0;
	double per_group = groups[i] > 0 ? share / groups[i] : 0;
	if (!c->max_time_given && per_group < c->max_time_s)
		c->cfg.group_max_s = per_group;
	if (!c->max_time_given)
		c->cfg.run_max_s = share > 0 ? share : 1e-9; /* spent: the minimum only */
	return share;
}

/* One line per scenario after its trials: how long they took, and with
 * --budget the share it had and the knobs that share set. Kept in OUT and
 * printed under the scenario's heading, after the suite's one progress
 * bar (a line printed between scenarios would break the bar). */
static void print_time(const as_scenario_t *sc, const as_suite_cmd_t *c, double share,
                       double took_s, as_buf_t *out)
{
	if (share > 0 || (c->budget_s > 0 && c->cfg.reps_auto))
		as_buf_printf(out,
		              "   %s: trials took %.1f s (budget share %.1f s: --max-time %.3g, "
		              "--min-time %.3g)\n",
		              sc->name, took_s, share, c->cfg.group_max_s, c->cfg.min_time_s);
	else if (c->cfg.reps_auto)
		as_buf_printf(out, "   %s: trials took %.1f s (--max-time %.3g, --min-time %.3g)\n",
		              sc->name, took_s, c->cfg.group_max_s, c->cfg.min_time_s);
	else if (c->cfg.jobs > 1)
		as_buf_printf(out, "   %s: trials took %.1f s (%d at a time: no timing figures)\n",
		              sc->name, took_s, c->cfg.jobs);
	else
		as_buf_printf(out, "   %s: trials took %.1f s\n", sc->name, took_s);
	/* what limited its repetitions (context.csv repetitions_stopped) */
	if (c->cfg.reps_auto)
		as_buf_printf(
		    out,
		    "   %s: groups stopped: %d by the CI, %d by --max-time, %d by the "
		    "budget (%d with < %d undisturbed), %d at %u repetitions, %d failed or "
		    "skipped\n",
		    sc->name, c->stops.ci, c->stops.max_time, c->stops.budget,
		    c->stops.budget_short, AS_AUTO_MIN_REPS, c->stops.most, c->cfg.reps,
		    c->stops.failed);
}

int as_suite_scenario_skips(const as_scenario_t *sc, as_suite_cmd_t *c)
{
	int n = 0;
	for (int m = 0; m < c->cfg.nmodules; m++) {
		c->cfg.skip_why[m] = c->found ? as_scenario_skip(sc, c->caps[m]) : NULL;
		n += !c->cfg.skip_why[m];
	}
	return n;
}

int as_suite_scenario_cfg(const as_scenario_t *sc, int quick, as_run_cfg_t *cfg)
{
	char tmp[64], *items[AS_RUN_MAX_ITEMS], err[256];
	const char *const *wl = quick ? sc->quick : sc->workloads;
	int n;
	uint64_t u;
	for (int i = 0; i < cfg->nworkloads; i++)
		as_spec_free(&cfg->workloads[i]);
	cfg->nworkloads = 0;
	for (int i = 0; wl[i] && cfg->nworkloads < AS_RUN_MAX_ITEMS; i++) {
		if (as_spec_parse(wl[i], AS_SPEC_WORKLOAD, &cfg->workloads[cfg->nworkloads], err,
		                  sizeof(err)) != 0) {
			fprintf(stderr, "allocscope suite: scenario %s: %s\n", sc->name, err);
			return -1;
		}
		cfg->nworkloads++;
	}
	snprintf(tmp, sizeof(tmp), "%s", sc->threads);
	n = as_split_list(tmp, items, AS_RUN_MAX_ITEMS);
	for (int i = 0; i < n; i++) {
		if (as_parse_u64("threads", items[i], 1, AS_MAX_THREADS, &u, err, sizeof(err)))
			return -1;
		cfg->threads[i] = (uint32_t)u;
	}
	cfg->nthreads = n;
	return n > 0 ? 0 : -1;
}

int as_suite_memory_method(const as_suite_cmd_t *c, char *why, size_t len)
{
	char why2[256];
	if (c->syscalls_given || c->cfg.syscalls != AS_SYSCOUNT_PERF || c->jobs <= 1 ||
	    as_syscount_probe(AS_SYSCOUNT_PERF, why, len) == 0 ||
	    as_syscount_probe(AS_SYSCOUNT_SECCOMP, why2, sizeof(why2)) != 0)
		return c->cfg.syscalls;
	as_syscount_drop_remedy(why); /* the remedy is what the suite takes */
	return AS_SYSCOUNT_SECCOMP;
}

int as_suite_run(as_suite_cmd_t *c, int *ndone)
{
	char dir[PATH_MAX], out[PATH_MAX], label[256];
	int r, worst = 0, groups[AS_SUITE_MAX_SCENARIOS], groups_left = 0, said_seccomp = 0;
	c->progress.nscenarios = c->nsc;
	c->progress.t0_ns = as_now_ns();
	c->cfg.suite = &c->progress;
	for (int i = 0; i < c->nsc; i++) {
		as_suite_scenario_cfg(c->sc[i], c->quick, &c->cfg);
		groups[i] =
		    c->cfg.nworkloads * c->cfg.nthreads * as_suite_scenario_skips(c->sc[i], c);
		groups_left += groups[i];
	}
	c->max_time_s = c->cfg.group_max_s;
	c->min_time_s = c->cfg.min_time_s;
	c->cfg.stops = &c->stops;
	*ndone = c->nsc;
	for (int i = 0; i < c->nsc; i++) {
		uint64_t t1 = as_now_ns();
		double share = 0;
		as_suite_scenario_cfg(c->sc[i], c->quick, &c->cfg);
		as_suite_scenario_skips(c->sc[i], c);
		c->cfg.group_max_s = c->cfg.first_max_s = c->max_time_s;
		c->cfg.min_time_s = c->min_time_s;
		c->cfg.run_max_s = 0;
		c->cfg.first = c->sc[i]->claims ? claim_group : NULL;
		c->cfg.first_ctx = (void *)c->sc[i];
		if (!c->reps_given && !c->quick)
			as_suite_scenario_reps(c->sc[i], &c->cfg);
		/* two trials at once share caches and the memory bus: only where the
		 * figures are memory figures, and never with -r auto (ns/op) */
		c->cfg.jobs = is_memory(c->sc[i]) && !c->cfg.reps_auto ? c->jobs : 1;
		/* seccomp where perf is refused, in the scenarios that write no
		 * times (as_suite_memory_method) */
		c->cfg.syscalls = c->cfg.jobs > 1 ? c->memory_syscalls : c->syscalls;
		if (c->cfg.syscalls != c->syscalls && !said_seccomp++)
			fprintf(stderr,
			        "allocscope suite: perf cannot count system calls here (%s): the "
			        "memory scenarios count them with seccomp (they write no times, "
			        "which its ptrace stops would slow); the timing scenarios' syscall "
			        "columns stay n/a\n",
			        c->perf_why);
		if (c->budget_s > 0 && c->cfg.reps_auto)
			share =
			    budget_share(c, i, groups, groups_left, (double)(t1 - c->t0_ns) / 1e9,
			                 c->cfg.no_plot ? 0 : AS_SUITE_CHART_S * c->nsc);
		/* while the budget lasts, a disturbed repetition is run again */
		c->cfg.keep_undisturbed = c->budget_s > 0 && c->cfg.reps_auto;
		memset(&c->stops, 0, sizeof(c->stops));
		groups_left -= groups[i];
		snprintf(dir, sizeof(dir), "%s/%s", c->base, c->sc[i]->name);
		snprintf(label, sizeof(label), "suite %s: %s", c->name, c->sc[i]->name);
		c->cfg.out_dir = dir;
		c->cfg.label = label;
		c->cfg.scenario = c->sc[i];
		/* resumed: a scenario folder with results is finished (a finished
		 * one runs no trial again), one without is started */
		c->cfg.resume =
		    c->resuming && access(dir, F_OK) == 0 && !as_results_dir_unstarted(dir);
		c->progress.scenario = i;
		r = as_run_matrix(&c->cfg, out, sizeof(out));
		print_time(c->sc[i], c, share, (double)(as_now_ns() - t1) / 1e9, &c->took[i]);
		c->progress.before += c->entries[i];
		if (r > worst)
			worst = r;
		if (r == 2 || r == 130) {
			*ndone = i;
			break; /* results cannot be written, or interrupted: stop */
		}
	}
	c->cfg.out_dir = NULL; /* dir and label were this function's */
	c->cfg.label = NULL;
	return worst;
}

int as_suite_write_scenarios_csv(const char *dir, const as_scenario_t *const *sc, int n, int quick,
                                 char *err, size_t errlen)
{
	as_buf_t b = {0};
	int rc;
	as_buf_printf(&b, "scenario,folder,title,threads,x,y,summary_metric,expected_shape,"
	                  "workloads,charts\n");
	for (int i = 0; i < n; i++) {
		const char *const *wl = quick ? sc[i]->quick : sc[i]->workloads;
		as_buf_t w = {0};
		for (int j = 0; wl[j]; j++)
			as_buf_printf(&w, "%s%s", j ? " " : "", wl[j]);
		as_buf_csv_str(&b, sc[i]->name, 0);
		as_buf_csv_str(&b, sc[i]->name, 0);
		as_buf_csv_str(&b, sc[i]->title, 0);
		as_buf_csv_str(&b, sc[i]->threads, 0);
		as_buf_csv_str(&b, sc[i]->x, 0);
		as_buf_csv_str(&b, sc[i]->y, 0);
		as_buf_csv_str(&b, sc[i]->metric_name, 0);
		as_buf_csv_str(&b, sc[i]->shape, 0);
		as_buf_csv_str(&b, w.data ? w.data : "", 0);
		as_buf_csv_str(&b, sc[i]->charts ? sc[i]->charts : "", 1);
		as_buf_add(&b, "\n", 1);
		as_buf_free(&w);
	}
	rc = as_write_file_atomic(dir, "scenarios.csv", &b, err, errlen);
	as_buf_free(&b);
	return rc;
}

int as_suite_write_json(const char *dir, const char *name, int quick,
                        const as_scenario_t *const *sc, int n, int planned, json_t *verdicts,
                        const int counts[AS_VERDICT_COUNT], char *err, size_t errlen)
{
	json_t *root = as_json_object(), *scs = as_json_array(), *cnt = as_json_object(), *ctx;
	int rc;
	as_json_set_str(root, "format", "allocscope-suite");
	as_json_set(root, "format_version", as_json_num(AS_JSON_FORMAT_VERSION, 'I'));
	as_json_set_str(root, "suite", name);
	as_json_set(root, "quick", json_boolean(quick));
	as_json_set(root, "complete", json_boolean(n == planned));
	for (int i = 0; i < n; i++) {
		json_t *o = as_json_object();
		as_json_set_str(o, "scenario", sc[i]->name);
		as_json_set_str(o, "folder", sc[i]->name);
		as_json_set_str(o, "title", sc[i]->title);
		as_json_push(scs, o);
	}
	as_json_set(root, "scenarios", scs);
	as_json_set(root, "verdicts", json_incref(verdicts));
	for (int v = 0; v < AS_VERDICT_COUNT; v++)
		as_json_set(cnt, as_verdict_name((as_verdict_t)v), as_json_num(counts[v], 'I'));
	as_json_set(root, "verdict_counts", cnt);
	/* the first scenario's context says where and with what the suite ran */
	if (n > 0) {
		char sub[PATH_MAX];
		snprintf(sub, sizeof(sub), "%s/%s", dir, sc[0]->name);
		ctx = as_json_context(sub, err, errlen);
		as_json_set(root, "context", ctx ? ctx : json_null());
	}
	rc = as_json_write(dir, "summary.json", root, err, errlen);
	json_decref(root);
	return rc;
}
