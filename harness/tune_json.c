/* tune_json.c - DIR/tune.json: what `allocscope tune` concluded, for
 * programs. Its configurations carry tune.csv's columns with the same
 * names and values (as_tune_values, to the CSV's 6 digits; n/a is null), its
 * verify metrics verify.csv's; beside them the settings, the frontier, the
 * recommendation with its gain and the line that applies it, what the
 * budget left out, and the replay run's context. Written with the results
 * folder's JSON helpers (json.h); the keys of its own are in AS_JSON_KEYS. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "tune.h"
#include "oom.h"

/* The names of the numeric columns, in as_tune_values' order. */
#define NUM(name, fmt, doc) #name,
static const char *const tune_names[] = {AS_TUNE_COLS(NUM)};
static const char *const verify_names[] = {AS_VERIFY_COLS(NUM)};
#undef NUM
/* tune.csv: module, module_params, the numbers, eliminated_by */
_Static_assert(sizeof(tune_names) / sizeof(tune_names[0]) == AS_TUNE_NUMS + 3,
               "AS_TUNE_NUMS follows AS_TUNE_COLS");
_Static_assert(sizeof(verify_names) / sizeof(verify_names[0]) == AS_VERIFY_NUMS + 1,
               "AS_VERIFY_NUMS follows AS_VERIFY_COLS");

static void label_of(const as_tune_point_t *q, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s", q->module, *q->params ? ":" : "", q->params);
}

static json_t *str_or_null(const char *s)
{
	json_t *v = s ? as_json_str(s) : json_null();
	if (!v)
		as_oom("a JSON string", 0);
	return v;
}

/* One configuration: label and tune.csv's row. */
static json_t *point_json(const as_tune_point_t *q)
{
	double v[AS_TUNE_NUMS];
	char fmt[AS_TUNE_NUMS], label[512];
	json_t *o = as_json_object();
	as_tune_values(q, v, fmt);
	label_of(q, label, sizeof(label));
	as_json_set_str(o, "label", label);
	as_json_set_str(o, tune_names[0], q->module);
	as_json_set_str(o, tune_names[1], q->params);
	for (int i = 0; i < AS_TUNE_NUMS; i++)
		as_json_set(o, tune_names[i + 2], as_json_num(v[i], fmt[i]));
	as_json_set_str(o, tune_names[AS_TUNE_NUMS + 2], q->eliminated_by ? q->eliminated_by : "");
	return o;
}

/* The recommendation: which, its ratios against the baseline, the line. */
static json_t *recommendation_json(const as_tune_outcome_t *o, const as_tune_point_t *p)
{
	static const char *const keys[] = {
	    "time_ratio", "time_ratio_ci95_low", "time_ratio_ci95_high", "time_p",
	    "rss_ratio",  "rss_ratio_ci95_low",  "rss_ratio_ci95_high",  "rss_p"};
	const as_tune_point_t *q = &p[o->rec];
	const double v[] = {q->t_ratio, q->t_lo, q->t_hi, q->t_p,
	                    q->r_ratio, q->r_lo, q->r_hi, q->r_p};
	char label[512];
	json_t *r = as_json_object();
	label_of(q, label, sizeof(label));
	as_json_set_str(r, "label", label);
	as_json_set_str(r, "module", q->module);
	as_json_set_str(r, "module_params", q->params);
	as_json_set(r, "kept_baseline", json_boolean(o->rec == 0));
	as_json_set(r, "best_by_medians", str_or_null(o->best_by_medians));
	as_json_set(r, "kept_because", str_or_null(o->kept_because));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		as_json_set(r, keys[i], as_json_num(o->rec == 0 ? NAN : v[i], 'F'));
	as_json_set(r, "apply", str_or_null(o->apply));
	return r;
}

/* verify: null when not asked; else runs, metrics (verify.csv's rows),
 * all_hold, and a note when there are no figures. */
static json_t *verify_json(const as_tune_outcome_t *o)
{
	static const char *const metrics[2] = {"wall_time_ns", "peak_rss_kib"};
	const as_tune_verified_t *vf = o->verified;
	json_t *r, *arr;
	int all = 1;
	if (!o->verify)
		return json_null();
	r = as_json_object();
	arr = as_json_array();
	as_json_set(r, "runs", as_json_num(vf ? vf->runs : 0, 'I'));
	for (int m = 0; vf && vf->runs > 0 && m < 2; m++) {
		json_t *row = as_json_object();
		as_json_set_str(row, verify_names[0], metrics[m]);
		for (int i = 0; i < AS_VERIFY_NUMS; i++)
			as_json_set(row, verify_names[i + 1],
			            as_json_num(vf->v[m][i], i + 1 == AS_VERIFY_NUMS ? 'I' : 'F'));
		all &= vf->v[m][AS_VERIFY_NUMS - 1] == 1;
		as_json_push(arr, row);
	}
	as_json_set(r, "metrics", arr);
	as_json_set(r, "all_hold", json_array_size(arr) ? json_boolean(all) : json_null());
	as_json_set(r, "note", str_or_null(o->verify_note));
	return r;
}

int as_tune_write_json(const char *dir, const as_tune_outcome_t *o, const as_tune_point_t *p, int n,
                       char *err, size_t errlen)
{
	json_t *root = as_json_object(), *confs = as_json_array(), *front = as_json_array(),
	       *ctx = NULL;
	int rc;
	as_json_set_str(root, "format", "allocscope-tune");
	as_json_set(root, "format_version", as_json_num(AS_JSON_FORMAT_VERSION, 'I'));
	as_json_set_str(root, "trace", o->trace);
	as_json_set_str(root, "objective", o->objective);
	as_json_set(root, "max_rss_kib",
	            as_json_num(o->max_rss_kib < 0 ? NAN : o->max_rss_kib, 'I'));
	as_json_set(root, "reps", as_json_num(o->reps, 'I'));
	as_json_set(root, "budget_s", as_json_num(o->budget_s > 0 ? o->budget_s : NAN, 'I'));
	as_json_set(root, "budget_spent_s", as_json_num(o->budget_spent_s, 'F'));
	as_json_set(root, "budget_stop_round",
	            as_json_num(o->budget_stop_round > 0 ? o->budget_stop_round : NAN, 'I'));
	as_json_set(root, "children_left_out",
	            as_json_num(o->children >= 0 ? o->children : NAN, 'I'));
	as_json_set(root, "child_events_left_out",
	            as_json_num(o->children >= 0 ? (double)o->child_events : NAN, 'I'));
	as_json_set(root, "children_untraced",
	            as_json_num(o->children >= 0 ? o->children_escaped : NAN, 'I'));
	for (int i = 0; i < n; i++) {
		as_json_push(confs, point_json(&p[i]));
		if (p[i].frontier) {
			char label[512];
			label_of(&p[i], label, sizeof(label));
			as_json_push(front, str_or_null(label));
		}
	}
	as_json_set(root, "configurations", confs);
	as_json_set(root, "pareto_frontier", front);
	as_json_set(root, "recommendation",
	            o->rec >= 0 && o->rec < n ? recommendation_json(o, p) : json_null());
	as_json_set(root, "verify", verify_json(o));
	if (o->replay_dir && !(ctx = as_json_context(o->replay_dir, err, errlen))) {
		json_decref(root);
		return -1;
	}
	as_json_set(root, "context", ctx ? ctx : json_null());
	rc = as_json_write(dir, "tune.json", root, err, errlen);
	json_decref(root);
	return rc;
}
