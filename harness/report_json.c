/* report_json.c - the JSON reporter: at the end of a run, summary.json in
 * the results folder with what a program reading the run wants in one
 * file: the context (context.csv), the summary's groups (summary.csv's
 * rows, the same numbers from the same as_summary_rows), the comparisons
 * against the baseline (comparisons.csv's rows, compare.c) and the winner
 * of every workload and threads. Runs after the CSV reporter, whose
 * context.csv it reads back. results/README.md documents the keys. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "disturb.h"
#include "json.h"
#include "reporter.h"
#include "results.h"
#include "stats.h"
#include "oom.h"

static json_t *groups_json(const as_run_t *run)
{
	json_t *arr = as_json_array();
	as_summary_row_t *rows;
	int n = as_summary_rows(run->specs, run->res, run->n, &rows);
	if (n < 0)
		as_oom("summary.json's groups", (size_t)run->n * sizeof(*rows));
	for (int i = 0; i < n; i++) {
		const as_summary_row_t *row = &rows[i];
		json_t *o = as_json_object();
		as_json_set_str(o, "module", row->spec->module->name);
		as_json_set_str(o, "module_params", row->spec->module->params);
		as_json_set_str(o, "workload", row->spec->workload->name);
		as_json_set_str(o, "workload_params", row->spec->workload->params);
		as_json_set(o, "threads", as_json_num(row->threads, 'I'));
		as_json_set(o, "reps_ok", as_json_num(row->reps_ok, 'I'));
		as_json_set(o, "null_ns_per_op_median",
		            as_json_num(row->null_ns_per_op_median, 'F'));
		as_json_set(o, "ns_per_op_minus_null", as_json_num(row->ns_per_op_minus_null, 'F'));
		for (int m = 0; m < AS_SUMMARY_NMETRICS; m++) {
			char fmt, key[96];
			const char *name = as_summary_metric_name(m, &fmt);
			for (int s = 0; s < AS_ST_N; s++) {
				snprintf(key, sizeof(key), "%s_%s", name, as_summary_stat_names[s]);
				as_json_set(o, key, as_json_num(row->stat[m][s], fmt));
			}
		}
		as_json_set(o, "reps_disturbed", as_json_num(row->reps_disturbed, 'I'));
		as_json_set(o, "ns_per_op_spread", as_json_num(row->ns_per_op_spread, 'F'));
		as_json_set(o, "ns_per_op_spread_undisturbed",
		            as_json_num(row->ns_per_op_spread_undisturbed, 'F'));
		as_json_set(o, "reps_slow_passes", as_json_num(row->reps_slow_passes, 'I'));
		as_json_set_str(o, "reps_left_out", row->reps_left_out);
		as_json_set_str(o, "reps_left_out_rules", row->reps_left_out_rules);
		as_json_push(arr, o);
	}
	free(rows);
	return arr;
}

static int cmp_json(void *arg, const as_cmp_row_t *row)
{
	json_t *o = as_json_object();
	as_json_cmp(o, row->g, row->metric, &row->c);
	as_json_set_str(o, "module", row->g->module);
	as_json_set_str(o, "baseline", row->base->module);
	as_json_set_str(o, "summary", row->summary);
	as_json_push(arg, o);
	return 0;
}

static int winner_json(void *arg, const as_winner_t *w)
{
	json_t *o = as_json_object();
	char sentence[512] = "";
	as_json_cmp(o, w->best, w->metric, &w->c);
	as_json_set_str(o, "module", w->best->module);
	as_json_set(o, "runner_up", w->runner_up ? as_json_str(w->runner_up->module) : json_null());
	if (w->runner_up)
		as_cmp_sentence(&w->c, w->runner_up->module, w->best->module, sentence,
		                sizeof(sentence));
	as_json_set_str(o, "summary", sentence);
	as_json_push(arg, o);
	return 0;
}

/* What the run's own trials say of the machine (disturb.h): how noisy it
 * was at 1 thread, and where the host put the CPUs at 2 or more. */
static json_t *machine_json(const as_run_t *run)
{
	json_t *o = as_json_object();
	unsigned char *dist = malloc((size_t)(run->n ? run->n : 1));
	as_machine_t m = {0, NAN, 0, NAN, NAN};
	if (dist && as_disturbed_set(run->specs, run->res, run->n, dist) == 0)
		as_machine(run->specs, run->res, run->n, dist, &m);
	free(dist);
	as_json_set(o, "one_thread_trials", as_json_num(m.one_thread_trials, 'I'));
	as_json_set(o, "one_thread_disturbed_share", as_json_num(m.noisy_share, 'F'));
	as_json_set(o, "noisy",
	            isnan(m.noisy_share) ? json_null()
	                                 : json_boolean(m.noisy_share >= AS_NOISY_SHARE));
	as_json_set(o, "handoff_end_ns_median", as_json_num(m.handoff_end_ns_median, 'F'));
	return o;
}

static int json_end(void *self, const as_run_t *run, char *err, size_t errlen)
{
	as_groups_t gs = {0};
	json_t *root = as_json_object(), *cmps = as_json_array(), *wins = as_json_array(), *ctx;
	const char *base = as_run_baseline(run);
	int rc = -1;
	(void)self;
	as_json_set_str(root, "format", "allocscope-summary");
	as_json_set(root, "format_version", as_json_num(AS_JSON_FORMAT_VERSION, 'I'));
	if (!(ctx = as_json_context(run->dir, err, errlen)))
		goto out;
	as_json_set(root, "context", ctx);
	as_json_set(root, "groups", groups_json(run));
	as_run_groups(run, &gs);
	as_json_set_str(root, "baseline", base);
	if (as_comparisons_each(&gs, base, cmp_json, cmps) != 0 ||
	    as_winners_each(&gs, winner_json, wins) != 0) {
		snprintf(err, errlen, "summary.json: out of memory");
		goto out;
	}
	as_json_set(root, "comparisons", json_incref(cmps));
	as_json_set(root, "winners", json_incref(wins));
	as_json_set(root, "machine", machine_json(run));
	rc = as_json_write(run->dir, "summary.json", root, err, errlen);
out:
	json_decref(cmps);
	json_decref(wins);
	json_decref(root);
	as_groups_free(&gs);
	return rc;
}

int as_reporter_json(as_reporter_t *r)
{
	memset(r, 0, sizeof(*r));
	r->name = "json";
	r->end = json_end;
	return 0;
}
