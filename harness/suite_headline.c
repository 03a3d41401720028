/* suite_headline.c - a scenario's one number: its metric of a trial
 * (as_scenario_value, as_scenario_metric), headline.csv (the median per
 * table row and module) and the scenario's summary read back from that
 * file as data. Not the scenarios themselves nor their claims (suite.c,
 * verdict.c), nor printing (report_console.c). */
#define _GNU_SOURCE
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disturb.h"
#include "stats.h"
#include "status.h"
#include "suite.h"
#include "tables.h"
#include "oom.h"

double as_scenario_value(const as_scenario_t *sc, const double *v)
{
	double before = v[AS_TC_rss_before_kib], end = v[AS_TC_rss_end_kib];
	double peak = v[AS_TC_rss_peak_kib], live = v[AS_TC_live_bytes_peak];
	switch (sc->metric) {
	case AS_MET_RETAINED: return peak > before ? (end - before) / (peak - before) : NAN;
	case AS_MET_RSS_PER_LIVE:
		return live > 0 ? (end - before) * 1024.0 / live * sc->scale : NAN;
	case AS_MET_BYTES_PER_BLOCK: {
		/* blocks written whole (touch=all) and under a byte of growth a
		 * block: their memory was resident before the timed region
		 * (null's buffer), so there is nothing to divide: n/a, as the
		 * chart's table has it, not 0 bytes a block */
		double per = live > 0 ? (end - before) * 1024.0 / live * sc->scale : NAN;
		return per >= 1 ? per : NAN;
	}
	case AS_MET_NS_PER_OP: return v[AS_TC_ns_per_op];
	case AS_MET_ELAPSED_MS: /* one pass: rows ran 1..n passes under --min-time */
		return v[AS_TC_elapsed_ns] / (v[AS_TC_passes] >= 1 ? v[AS_TC_passes] : 1) / 1e6;
	}
	return NAN;
}

/* as_scenario_metric's columns: the verdicts read these (verdict.c) */
const char *const as_scenario_metric_cols[] = {"rss_before_kib",  "rss_end_kib", "rss_peak_kib",
                                               "live_bytes_peak", "ns_per_op",   "elapsed_ns",
                                               "passes",          NULL};

double as_scenario_metric(const as_scenario_t *sc, const as_table_t *t, size_t row)
{
	static const int cols[] = {AS_TC_rss_before_kib,  AS_TC_rss_end_kib, AS_TC_rss_peak_kib,
	                           AS_TC_live_bytes_peak, AS_TC_ns_per_op,   AS_TC_elapsed_ns,
	                           AS_TC_passes};
	const char *const *names = as_scenario_metric_cols;
	double v[AS_TRIAL_NCOLS];
	if (strcmp(as_table_str(t, row, "status"), "ok") != 0)
		return NAN;
	for (int c = 0; c < AS_TRIAL_NCOLS; c++)
		v[c] = NAN;
	for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
		v[cols[c]] = as_table_num(t, row, names[c]);
	return as_scenario_value(sc, v);
}

/* Does `key` hold `tok` (len n) as a whole token (separated by ':' ',' ' ')? */
static int has_token(const char *key, const char *tok, size_t n)
{
	for (const char *p = key; *p;) {
		size_t l = strcspn(p, ":, ");
		if (l == n && !strncmp(p, tok, n))
			return 1;
		p += l;
		if (*p)
			p++;
	}
	return 0;
}

/* The tokens of keys[k] ("workload:k=v,k=v tN") that not every key has, so
 * that rows show what varies ("size=64k", "touch=none", "t2"). A row with
 * none of its own (leak's total=8m beside total=8m,trim=1; a scenario of
 * one row) shows its params, PARAMS (its workload's NAME when it has
 * none): what it ran, as its neighbours' labels are, not the whole key
 * "leak:total=8m t1". */
static void short_label(char keys[][160], int nkeys, int k, const char *name, const char *params,
                        char *out, size_t len)
{
	size_t w = 0;
	out[0] = '\0';
	for (const char *p = keys[k]; *p;) {
		size_t l = strcspn(p, ":, ");
		int common = 1;
		for (int j = 0; j < nkeys && common; j++)
			common = has_token(keys[j], p, l);
		if (!common && l > 0 && w + l + 2 < len)
			w += (size_t)snprintf(out + w, len - w, "%s%.*s", w ? "," : "", (int)l, p);
		p += l;
		if (*p)
			p++;
	}
	if (w == 0)
		snprintf(out, len, "%s", *params ? params : name);
}

/* "workload:params tN": a trial's row of the headline table. */
static void row_key(const as_trial_spec_t *s, char *out, size_t len)
{
	snprintf(out, len, "%s:%s t%u", s->workload->name, s->workload->params, s->threads);
}

int as_scenario_headline(const as_scenario_t *sc, const as_trial_spec_t *specs,
                         const as_trial_rec_t *res, const int *done, int n, as_buf_t *csv)
{
	static const char *const cols[] = {
#define NAME(name, fmt, doc) #name,
	    AS_HEADLINE_COLS(NAME)
#undef NAME
	};
	char(*keys)[160] = calloc((size_t)(n ? n : 1), sizeof(*keys));
	const as_trial_spec_t **rowspec = calloc((size_t)(n ? n : 1), sizeof(*rowspec));
	const char **mods = calloc((size_t)(n ? n : 1), sizeof(*mods));
	double *v = calloc((size_t)(n ? n : 1), sizeof(*v));
	unsigned char *dist = malloc((size_t)(n ? n : 1));
	int nkeys = 0, nmods = 0;

	if (!keys || !rowspec || !mods || !v || !dist ||
	    as_disturbed_set(specs, res, n, dist) != 0) {
		free(keys);
		free(rowspec);
		free(mods);
		free(v);
		free(dist);
		return -1;
	}
	for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
		as_buf_csv_str(csv, cols[c], c + 1 == sizeof(cols) / sizeof(cols[0]));
	as_buf_add(csv, "\n", 1);
	/* rows and modules in matrix order */
	for (int i = 0; i < n; i++) {
		char key[160];
		int k, m;
		row_key(&specs[i], key, sizeof(key));
		for (k = 0; k < nkeys && strcmp(keys[k], key); k++)
			;
		if (k == nkeys) {
			snprintf(keys[nkeys], sizeof(keys[0]), "%s", key);
			rowspec[nkeys++] = &specs[i];
		}
		for (m = 0; m < nmods && strcmp(mods[m], specs[i].module->label); m++)
			;
		if (m == nmods)
			mods[nmods++] = specs[i].module->label;
	}
	for (int k = 0; k < nkeys; k++) {
		char shown[160];
		short_label(keys, nkeys, k, rowspec[k]->workload->name,
		            rowspec[k]->workload->params, shown, sizeof(shown));
		for (int m = 0; m < nmods; m++) {
			const char *status = NULL;
			int nv = 0, tried = 0;
			for (int i = 0; i < n; i++) {
				char key[160];
				double x;
				row_key(&specs[i], key, sizeof(key));
				if (strcmp(key, keys[k]) ||
				    strcmp(specs[i].module->label, mods[m]) || !done[i])
					continue;
				tried++;
				if (res[i].status != AS_OK) {
					if (!status)
						status = as_status_name(res[i].status);
					continue;
				}
				if (dist[i] == AS_DIST_OUT)
					continue; /* left out of summary.csv too */
				x = as_scenario_value(sc, res[i].v);
				if (!isnan(x))
					v[nv++] = x;
			}
			if (!tried)
				continue; /* interrupted before this one ran */
			as_buf_csv_str(csv, sc->name, 0);
			as_buf_csv_str(csv, shown, 0);
			as_buf_csv_str(csv, rowspec[k]->workload->name, 0);
			as_buf_csv_str(csv, rowspec[k]->workload->params, 0);
			as_buf_csv_num(csv, rowspec[k]->threads, 'I', 0);
			as_buf_csv_str(csv, mods[m], 0);
			as_buf_csv_str(csv, sc->metric_name, 0);
			as_buf_csv_num(csv, as_median(v, nv), 'F', 0);
			as_buf_csv_num(csv, nv, 'I', 0);
			as_buf_csv_str(csv, nv || !status ? "ok" : status, 1);
			as_buf_add(csv, "\n", 1);
		}
	}
	free(keys);
	free(rowspec);
	free(mods);
	free(v);
	free(dist);
	return 0;
}

/* DIR/NAME read into t; -1 with err. */
static int read_in(const char *dir, const char *name, as_table_t *t, char *err, size_t errlen)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		snprintf(err, errlen, "%.200s...: path too long", dir);
		return -1;
	}
	return as_table_read(path, t, err, errlen);
}

/* First-seen distinct values of column col, at most max. */
static int distinct(const as_table_t *t, const char *col, const char **out, int max)
{
	int n = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		const char *s = as_table_str(t, r, col);
		int i;
		for (i = 0; i < n && strcmp(out[i], s); i++)
			;
		if (i == n && n < max)
			out[n++] = s;
	}
	return n;
}

/* Where module name NAME stands as a word in S, or NULL. */
static const char *find_word(const char *s, const char *name, size_t n)
{
	for (const char *p = strstr(s, name); n && p; p = strstr(p + 1, name)) {
		int before = p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '_');
		int after = isalnum((unsigned char)p[n]) || p[n] == '_';
		if (!before && !after)
			return p;
	}
	return NULL;
}

/* A reason of trials.csv's row R with its module's name taken out (a
 * '\1' in its place), so the same reason of several modules is one text;
 * status and the text in *key. */
static void reason_key(const as_table_t *t, size_t r, as_buf_t *key)
{
	const char *mod = as_table_str(t, r, "module");
	const char *reason = as_table_str(t, r, "reason");
	size_t n = strcspn(mod, ":");
	const char *at = find_word(reason, mod, n);
	key->len = 0;
	as_buf_printf(key, "%s\t", as_table_str(t, r, "status"));
	if (at)
		as_buf_printf(key, "%.*s\1%s", (int)(at - reason), reason, at + n);
	else
		as_buf_printf(key, "%s", reason);
}

/* Every reason in trials.csv (skips, failures, notes on completed rows)
 * once, the modules that gave it named together: five modules skipped as
 * not thread-safe are one reason, not five. Into s->reason. */
static void collect_reasons(const as_table_t *t, as_scenario_summary_t *s)
{
	char **keys = calloc(t->nrows + 1, sizeof(char *));
	as_buf_t *mods = calloc(t->nrows + 1, sizeof(as_buf_t)), key = {0};
	size_t nk = 0;
	s->reason = calloc(t->nrows + 1, sizeof(*s->reason));
	if (!keys || !mods || !s->reason)
		as_oom("a suite's reasons", (t->nrows + 1) * sizeof(as_buf_t));
	for (size_t r = 0; r < t->nrows; r++) {
		const char *mod = as_table_str(t, r, "module");
		size_t k = 0, ml = strlen(mod);
		const char *m;
		if (!*as_table_str(t, r, "reason"))
			continue;
		reason_key(t, r, &key);
		while (k < nk && strcmp(keys[k], key.data))
			k++;
		if (k == nk)
			keys[nk++] = as_xstrdup(key.data, "a reason");
		/* each module once in the list */
		for (m = mods[k].data ? strstr(mods[k].data, mod) : NULL; m; m = strstr(m + 1, mod))
			if ((m == mods[k].data || m[-1] == ' ') && (m[ml] == ',' || !m[ml]))
				break;
		if (!m)
			as_buf_printf(&mods[k], "%s%s", mods[k].len ? ", " : "", mod);
	}
	for (size_t k = 0; k < nk; k++) {
		const char *text = strchr(keys[k], '\t') + 1, *hole = strchr(text, '\1');
		as_buf_t line = {0};
		if (hole) {
			/* several modules: "arena, bump have ...", "are not ..." */
			const char *rest = hole + 1;
			int plural = strchr(mods[k].data, ',') != NULL;
			as_buf_printf(&line, "%.*s%s", (int)(hole - text), text, mods[k].data);
			if (plural && !strncmp(rest, " has ", 5))
				as_buf_printf(&line, " have %s", rest + 5);
			else if (plural && !strncmp(rest, " is ", 4))
				as_buf_printf(&line, " are %s", rest + 4);
			else
				as_buf_printf(&line, "%s", rest);
		} else
			as_buf_printf(&line, "%s: %s", mods[k].data, text);
		s->reason[k].status =
		    as_xstrndup(keys[k], (size_t)(text - 1 - keys[k]), "a reason's status");
		s->reason[k].text = line.data ? line.data : as_xstrdup("", "a reason");
		free(keys[k]);
		as_buf_free(&mods[k]);
	}
	s->nreasons = (int)nk;
	as_buf_free(&key);
	free(keys);
	free(mods);
}

int as_scenario_summary(const char *dir, as_scenario_summary_t *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (read_in(dir, "headline.csv", &s->h, err, errlen) != 0)
		return -1;
	if (read_in(dir, "trials.csv", &s->t, err, errlen) != 0) {
		as_table_free(&s->h);
		memset(s, 0, sizeof(*s));
		return -1;
	}
	s->rows = as_xcalloc(s->h.nrows + 1, sizeof(*s->rows), "headline.csv's rows");
	s->nmods = distinct(&s->h, "module", s->mods, AS_RUN_MAX_ITEMS);
	s->nrows = distinct(&s->h, "row", s->rows, (int)s->h.nrows);
	s->value = as_xcalloc((size_t)s->nrows * (size_t)s->nmods + 1, sizeof(*s->value),
	                      "the headline's values");
	s->status = as_xcalloc((size_t)s->nrows * (size_t)s->nmods + 1, sizeof(*s->status),
	                       "the headline's statuses");
	for (int i = 0; i < s->nrows * s->nmods; i++)
		s->value[i] = NAN;
	/* each cell from its row of headline.csv (the last, were there two) */
	for (size_t r = 0; r < s->h.nrows; r++) {
		const char *row = as_table_str(&s->h, r, "row"),
		           *mod = as_table_str(&s->h, r, "module");
		int k = 0, m = 0;
		while (k < s->nrows && strcmp(s->rows[k], row))
			k++;
		while (m < s->nmods && strcmp(s->mods[m], mod))
			m++;
		if (k == s->nrows || m == s->nmods)
			continue; /* a module past AS_RUN_MAX_ITEMS */
		s->value[k * s->nmods + m] = as_table_num(&s->h, r, "value");
		s->status[k * s->nmods + m] = as_table_str(&s->h, r, "status");
	}
	collect_reasons(&s->t, s);
	return 0;
}

void as_scenario_summary_free(as_scenario_summary_t *s)
{
	for (int k = 0; k < s->nreasons; k++) {
		free(s->reason[k].status);
		free(s->reason[k].text);
	}
	free(s->reason);
	free(s->rows);
	free(s->value);
	free(s->status);
	as_table_free(&s->h);
	as_table_free(&s->t);
	memset(s, 0, sizeof(*s));
}
