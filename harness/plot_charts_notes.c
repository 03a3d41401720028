/* plot_charts_notes.c - what a chart says beside its data: how many
 * repetitions its bars and points rest on, and why a module has no series
 * in it (failed, skipped, no value). Shared by the chart definitions
 * (plot_charts*.c); not the charts themselves. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"
#include "oom.h"

int plot_missing_why(const run_t *r, const char *mod, const char *group, char *status, size_t slen,
                     char *clause, size_t clen)
{
	int cs = plot_tcol(r, "status"), cr = plot_tcol(r, "reason");
	int nrows;
	const int *rows = plot_group_rows(r, plot_group_index(r, group), &nrows);
	for (int i = 0; i < nrows; i++) {
		char pre[LABEL];
		const trow_t *t = &r->t[rows[i]];
		const char *reason, *p;
		size_t n;
		if (t->ok || strcmp(t->mlabel, mod) || strcmp(t->glabel, group))
			continue;
		reason = plot_cell(&r->trials, t->row, cr);
		snprintf(pre, sizeof(pre), "module %s is ", t->mbase);
		if (!strncmp(reason, pre, strlen(pre)))
			reason += strlen(pre);
		n = strcspn(reason, ";(");
		if ((p = strstr(reason, " and ")) != NULL && (size_t)(p - reason) < n)
			n = (size_t)(p - reason);
		snprintf(clause, clen, "%.*s%s", (int)(n > 60 ? 60 : n), reason,
		         n > 60 ? "..." : "");
		snprintf(status, slen, "%s", plot_cell(&r->trials, t->row, cs));
		return 1;
	}
	/* completed, but the chart's column is empty (n/a) in every row */
	for (int i = 0; i < nrows; i++) {
		const trow_t *t = &r->t[rows[i]];
		if (t->ok && !strcmp(t->mlabel, mod) && !strcmp(t->glabel, group)) {
			snprintf(status, slen, "n/a");
			snprintf(clause, clen, "no value in trials.csv");
			return 1;
		}
	}
	return 0;
}

void plot_note_missing(const run_t *r, const char *mod, const char *group, strlist_t *why)
{
	char status[64], clause[96], line[LABEL + 200];
	if (!plot_missing_why(r, mod, group, status, sizeof(status), clause, sizeof(clause)))
		return;
	snprintf(line, sizeof(line), "%s%s%s\t%s", status, *clause ? ": " : "", clause,
	         plot_mod_show(r, mod));
	plot_sl_add(why, line);
}

void plot_reps_count(const run_t *r, const strlist_t *groups, const char *wlabel, int *kmin_out,
                     int *kmax_out, int *nout_out)
{
	/* per group, its kept rows per module: a group's rows alone, not a
	 * list of "module\tgroup" keys searched per row */
	int *cnt = malloc(((size_t)r->mods.n + 1) * sizeof(int)), kmin = 0, kmax = 0, nout = 0;
	/* the groups named, each found by its label (not every group of the
	 * run searched for in the list: a chart per group of 20,000); the
	 * workload by its one pooled copy */
	const char *pw = wlabel ? plot_pool_find(r, wlabel) : NULL;
	if (!cnt)
		as_oom("plot: outlier counts", 0);
	for (int k = 0; k < (groups ? groups->n : r->groups.n); k++) {
		int nrows, g = groups ? plot_group_index(r, groups->v[k]) : k;
		const int *rows = plot_group_rows(r, g, &nrows);
		if (g < 0)
			continue;
		memset(cnt, 0, ((size_t)r->mods.n + 1) * sizeof(int));
		for (int i = 0; i < nrows; i++) {
			const trow_t *t = &r->t[rows[i]];
			if (!t->ok || (wlabel && t->wlabel != pw))
				continue;
			if (t->kept)
				cnt[t->m]++;
			else
				nout++;
		}
		for (int m = 0; m < r->mods.n; m++) {
			if (cnt[m] && (!kmin || cnt[m] < kmin))
				kmin = cnt[m];
			if (cnt[m] > kmax)
				kmax = cnt[m];
		}
	}
	free(cnt);
	*kmin_out = kmin;
	*kmax_out = kmax;
	*nout_out = nout;
}

/* The note's line on what a bar or point and its whisker are: they rest
 * on kmin to kmax repetitions, nout disturbed ones left out; into out. */
static void reps_text(int kmin, int kmax, int nout, char *out, size_t len)
{
	if (kmax <= 1)
		snprintf(out, len, "bar or point: one repetition (no spread to show)");
	else if (kmin == kmax)
		snprintf(out, len, "bar or point: median of %d repetitions; whisker: min..max",
		         kmax);
	else
		snprintf(out, len,
		         "bar or point: median of %d to %d repetitions; whisker: min..max", kmin,
		         kmax);
	if (nout)
		snprintf(out + strlen(out), len - strlen(out),
		         "; %d disturbed repetition%s left out (report.md)", nout,
		         nout == 1 ? "" : "s");
}

void plot_reps_said(const run_t *r, const strlist_t *groups, const char *wlabel, char *out,
                    size_t len)
{
	int kmin, kmax, nout;
	plot_reps_count(r, groups, wlabel, &kmin, &kmax, &nout);
	reps_text(kmin, kmax, nout, out, len);
}

void plot_reps_drawn(const run_t *r, const int drawn[2], const char *wlabel, char *out, size_t len)
{
	int kmin, kmax, nout;
	plot_reps_count(r, NULL, wlabel, &kmin, &kmax, &nout);
	reps_text(drawn[0], drawn[1], nout, out, len);
}

void plot_drawn_add(int drawn[2], int k)
{
	if (!drawn[0] || k < drawn[0])
		drawn[0] = k;
	if (k > drawn[1])
		drawn[1] = k;
}

/* NOTE: what the bars or points and whiskers are (`reps`,
 * plot_reps_said; NULL: none), and per reason the modules not shown
 * ("WHY\tMODULE" lines, or whole lines). */
void plot_vars_note(as_buf_t *v, const char *reps, const strlist_t *why)
{
	as_buf_t n = {0};
	plot_note_text(&n, reps, why);
	plot_vars_str(v, "NOTE", n.data ? n.data : "");
	as_buf_free(&n);
}

void plot_note_unshown(const run_t *r, const char *group, const strlist_t *shown, const char *file,
                       strlist_t *why)
{
	for (int m = 0; m < r->mods.n; m++) {
		char status[64], clause[96], line[LABEL + 200];
		int kept = 0, nrows;
		const int *rows = plot_group_rows(r, plot_group_index(r, group), &nrows);
		if (plot_sl_find(shown, r->mods.v[m]) >= 0)
			continue;
		for (int i = 0; i < nrows && !kept; i++)
			kept = r->t[rows[i]].kept && r->t[rows[i]].m == m;
		/* completed, but FILE has nothing of it */
		if (kept)
			snprintf(line, sizeof(line), "no rows in %s\t%s", file, r->mshow[m]);
		else if (plot_missing_why(r, r->mods.v[m], group, status, sizeof(status), clause,
		                          sizeof(clause)))
			snprintf(line, sizeof(line), "%s%s%s\t%s", status, *clause ? ": " : "",
			         clause, r->mshow[m]);
		else
			continue;
		plot_sl_add(why, line);
	}
}

void plot_note_text(as_buf_t *out, const char *reps, const strlist_t *why)
{
	as_buf_t n = {0};
	strlist_t reasons = {0};
	if (reps)
		as_buf_printf(&n, "%s", reps);
	for (int i = 0; i < why->n; i++) {
		char r1[LABEL + 160];
		snprintf(r1, sizeof(r1), "%.*s", (int)strcspn(why->v[i], "\t"), why->v[i]);
		plot_sl_add(&reasons, r1);
	}
	for (int k = 0; k < reasons.n && k < 3; k++) {
		int first = 1;
		as_buf_printf(&n, "%snot shown: ", n.len || out->len ? "\n" : "");
		for (int i = 0; i < why->n; i++) {
			size_t l = strcspn(why->v[i], "\t");
			if (why->v[i][l] != '\t' || strlen(reasons.v[k]) != l ||
			    strncmp(why->v[i], reasons.v[k], l))
				continue;
			as_buf_printf(&n, "%s%s", first ? "" : ", ", why->v[i] + l + 1);
			first = 0;
		}
		as_buf_printf(&n, first ? "%s" : " (%s)", reasons.v[k]);
	}
	if (reasons.n > 3)
		as_buf_printf(&n, "\n%d more reasons in the report", reasons.n - 3);
	if (n.len)
		as_buf_add(out, n.data, n.len);
	as_buf_free(&n);
	plot_sl_free(&reasons);
}
