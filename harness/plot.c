/* plot.c - see plot.h. The C side only reads CSV (libcsv, trials_read.h), groups
 * rows and reduces repetitions (median, min, max); everything visual (axes,
 * log scales, the per-module colours, titles) lives in the gnuplot scripts
 * in plots/, which receive the prepared data file and a few variables. */
#define _GNU_SOURCE
#include "plot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../allocators/allocscope_params.h"
#include "runner.h"
#include "trials_read.h"
#include "results.h"

#ifndef AS_SOURCE_DIR
#define AS_SOURCE_DIR "."
#endif
#ifndef AS_INSTALL_PLOTS_DIR
#define AS_INSTALL_PLOTS_DIR "/usr/local/share/allocscope/plots"
#endif

#define MAXS       64   /* series (modules) per chart */
#define MAXCH      1024 /* charts per run */
#define AS_STR_(x) #x
#define AS_STR(x)  AS_STR_(x)
#define LABEL      512

/* ---- reading the CSV files (trials_read.h, libcsv) by column index ---- */

#define NROWS(t) ((int)(t)->nrows)
#define NCOLS(t) ((int)(t)->ncols)

/* Read PATH into t: 0; 1 when the file does not exist (t left empty); -1
 * with "PATH: reason" in err. */
static int table_load(const char *path, as_table_t *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 1;
	return as_table_read(path, t, err, errlen) == 0 ? 0 : -1;
}

/* Cell text by column index ("" for a missing column, col < 0). */
static const char *cell(const as_table_t *t, int row, int col)
{
	if (col < 0 || col >= NCOLS(t) || row < 0 || row >= NROWS(t))
		return "";
	return t->cells[(size_t)row * t->ncols + (size_t)col];
}

/* Cell as a number: NaN when the column is missing, the cell is empty (n/a)
 * or not a number. */
static double cellnum(const as_table_t *t, int row, int col)
{
	const char *s = cell(t, row, col);
	char *end;
	double v;
	if (!*s)
		return NAN;
	errno = 0;
	v = strtod(s, &end);
	return end == s || *end || errno == ERANGE ? NAN : v;
}

/* ---- small helpers ---- */

typedef struct {
	char **v;
	int n;
} strlist_t;

static int sl_find(const strlist_t *l, const char *s)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return i;
	return -1;
}

static int sl_add(strlist_t *l, const char *s)
{
	int i = sl_find(l, s);
	if (i >= 0)
		return i;
	l->v = realloc(l->v, (size_t)(l->n + 1) * sizeof(char *));
	if (!l->v)
		abort();
	l->v[l->n] = strdup(s);
	return l->n++;
}

static void sl_free(strlist_t *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median, min and max of the non-NaN values; all NaN when there are none.
 * Sorts v. Returns the count used. */
static int reduce(double *v, int n, double *med, double *lo, double *hi)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		if (!isnan(v[i]))
			v[k++] = v[i];
	*med = *lo = *hi = NAN;
	if (k == 0)
		return 0;
	qsort(v, (size_t)k, sizeof(double), cmp_double);
	*med = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
	*lo = v[0];
	*hi = v[k - 1];
	return k;
}

/* A number for a data file: gnuplot reads "NaN" as a missing point. */
static void dnum(as_buf_t *b, double v, const char *sep)
{
	if (isnan(v))
		as_buf_printf(b, "NaN%s", sep);
	else
		as_buf_printf(b, "%.6g%s", v, sep);
}

/* A number for a Markdown table. */
static void tnum(as_buf_t *b, double v)
{
	if (isnan(v))
		as_buf_printf(b, " n/a |");
	else if (fabs(v) >= 1e6 || (v != 0 && fabs(v) < 0.01))
		as_buf_printf(b, " %.4g |", v);
	else if (v == floor(v))
		as_buf_printf(b, " %.0f |", v);
	else
		as_buf_printf(b, " %.2f |", v);
}

/* Markdown cell text: pipes escaped. */
static void tstr(as_buf_t *b, const char *s)
{
	as_buf_add(b, " ", 1);
	for (; *s; s++) {
		if (*s == '|')
			as_buf_add(b, "\\|", 2);
		else if (*s != '\n' && *s != '\r')
			as_buf_add(b, s, 1);
	}
	as_buf_add(b, " |", 2);
}

/* A gnuplot single-quoted string literal ('' is a quote inside). */
static void gstr(as_buf_t *b, const char *s)
{
	as_buf_add(b, "'", 1);
	for (; *s; s++) {
		if (*s == '\'')
			as_buf_add(b, "''", 2);
		else if (*s == '\n')
			as_buf_add(b, "'.\"\\n\".'", 8);
		else
			as_buf_add(b, s, 1);
	}
	as_buf_add(b, "'", 1);
}

/* A category label inside a data file (xtic): double-quoted, broken into
 * short lines ("\n", which gnuplot reads as a line break there) after the
 * workload name and at commas once a line is long. */
static void dstr(as_buf_t *b, const char *s)
{
	int col = 0, broke_name = 0;
	as_buf_add(b, "\"", 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\n' || *s == '\\')
			continue;
		if ((*s == ':' && !broke_name) || (*s == ',' && (col >= 10 || s[1] == ' '))) {
			broke_name |= *s == ':';
			as_buf_add(b, "\\n", 2);
			col = 0;
			if (s[1] == ' ')
				s++;
			continue;
		}
		as_buf_add(b, s, 1);
		col++;
	}
	as_buf_add(b, "\"", 1);
}

/* Value of key K in a "k=v,k=v" params string, or NULL. */
static int param_get(const char *params, const char *key, char *out, size_t outlen)
{
	size_t kl = strlen(key);
	const char *p = params;
	while (p && *p) {
		size_t len = strcspn(p, ",");
		if (len > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			snprintf(out, outlen, "%.*s", (int)(len - kl - 1), p + kl + 1);
			return 0;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return -1;
}

/* The params string without key K. */
static void param_drop(const char *params, const char *key, char *out, size_t outlen)
{
	size_t kl = strlen(key), w = 0;
	const char *p = params;
	out[0] = '\0';
	while (p && *p) {
		size_t len = strcspn(p, ",");
		if (!(len > kl && !strncmp(p, key, kl) && p[kl] == '=') && len > 0 &&
		    w + len + 2 < outlen) {
			if (w)
				out[w++] = ',';
			memcpy(out + w, p, len);
			w += len;
			out[w] = '\0';
		}
		p += len;
		if (*p == ',')
			p++;
	}
}

/* A size param ("128k") in bytes through the one params grammar; NaN when
 * absent or malformed. */
static double param_size(const char *params, const char *key)
{
	static const as_param_spec_t spec = {"size", AS_PARAM_SIZE, "0", 0, 0, NULL, "", 0};
	char v[64], err[128];
	uint64_t out;
	if (param_get(params, key, v, sizeof(v)) != 0)
		return NAN;
	if (as_param_set_(&spec, v, strlen(v), &out, err, sizeof(err)) != 0)
		return NAN;
	return (double)out;
}

/* ---- the run's tables ---- */

/* One trials.csv row, with the labels charts group by. */
typedef struct {
	long trial, rep;
	char mlabel[LABEL]; /* module[:params] */
	char mbase[128];    /* module name: picks the colour */
	char wlabel[LABEL]; /* workload[:params] */
	char wname[128];
	char wparams[LABEL];
	long threads;
	int ok;
	int row;
} trow_t;

typedef struct {
	const char *dir;
	as_table_t trials, context, series, latency, hist;
	trow_t *t;
	int nt;
	strlist_t mods;    /* module labels in order of first appearance */
	strlist_t groups;  /* "workload label" or "workload label, N threads" */
	int multi_threads; /* the run has several thread counts */
	char *sweep;       /* per group: part of a size= sweep (drawn by threshold) */
	strlist_t sweeps;  /* workload names run at three or more size= values */
} run_t;

typedef struct {
	char name[160];  /* file stem */
	char script[32]; /* plots/SCRIPT.gp */
	char title[LABEL];
	as_buf_t data, table, vars;
	char error[LABEL]; /* why it was not drawn, when drawn == 0 */
	int drawn;
} chart_t;

typedef struct {
	chart_t ch[MAXCH];
	int n;
	strlist_t skipped; /* "chart kind: reason" lines */
} charts_t;

static const char *group_of(const run_t *r, const trow_t *t, char *out, size_t len)
{
	if (r->multi_threads)
		snprintf(out, len, "%s, %ld thread%s", t->wlabel, t->threads,
		         t->threads == 1 ? "" : "s");
	else
		snprintf(out, len, "%s", t->wlabel);
	return out;
}

static int load_run(run_t *r, const char *dir)
{
	static const struct {
		const char *name;
		size_t off;
		int required;
	} files[] = {
	    {"trials.csv", offsetof(run_t, trials), 1},
	    {"context.csv", offsetof(run_t, context), 0},
	    {"series.csv", offsetof(run_t, series), 0},
	    {"latency.csv", offsetof(run_t, latency), 0},
	    {"histogram.csv", offsetof(run_t, hist), 0},
	};
	char path[4096], err[1024];
	long thr0 = -1;
	memset(r, 0, sizeof(*r));
	r->dir = dir;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		as_table_t *t = (as_table_t *)((char *)r + files[i].off);
		int rc;
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		rc = table_load(path, t, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "allocscope plot: %s\n", err);
			return -1;
		}
		if (rc == 1 && files[i].required) {
			fprintf(stderr,
			        "allocscope plot: %s: no trials.csv: not a results folder\n", dir);
			return -1;
		}
	}
	/* a folder written by a newer allocscope is refused, not misread */
	for (int i = 0; i < NROWS(&r->context); i++)
		if (!strcmp(cell(&r->context, i, as_table_col(&r->context, "key")),
		            "results_format") &&
		    cellnum(&r->context, i, as_table_col(&r->context, "value")) >
		        AS_RESULTS_FORMAT) {
			fprintf(
			    stderr,
			    "allocscope plot: %s/context.csv: results format %s is newer than this "
			    "allocscope reads (%d): use a newer allocscope\n",
			    dir, cell(&r->context, i, as_table_col(&r->context, "value")),
			    AS_RESULTS_FORMAT);
			return -1;
		}
	{
		static const char *need[] = {"trial",    "rep",     "module",
		                             "workload", "threads", "status"};
		for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
			if (as_table_col(&r->trials, need[i]) < 0) {
				fprintf(stderr,
				        "allocscope plot: %s/trials.csv: no column '%s': not a "
				        "trials table\n",
				        dir, need[i]);
				return -1;
			}
	}
	r->nt = NROWS(&r->trials);
	r->t = calloc((size_t)r->nt + 1, sizeof(trow_t));
	if (!r->t)
		abort();
	for (int i = 0; i < r->nt; i++) {
		trow_t *t = &r->t[i];
		const as_table_t *c = &r->trials;
		const char *mp = cell(c, i, as_table_col(c, "module_params"));
		t->row = i;
		t->trial = (long)cellnum(c, i, as_table_col(c, "trial"));
		t->rep = (long)cellnum(c, i, as_table_col(c, "rep"));
		t->threads = (long)cellnum(c, i, as_table_col(c, "threads"));
		snprintf(t->mbase, sizeof(t->mbase), "%s", cell(c, i, as_table_col(c, "module")));
		snprintf(t->mlabel, sizeof(t->mlabel), "%s%s%s", t->mbase, *mp ? ":" : "", mp);
		snprintf(t->wname, sizeof(t->wname), "%s", cell(c, i, as_table_col(c, "workload")));
		snprintf(t->wparams, sizeof(t->wparams), "%s",
		         cell(c, i, as_table_col(c, "workload_params")));
		snprintf(t->wlabel, sizeof(t->wlabel), "%s%s%s", t->wname, *t->wparams ? ":" : "",
		         t->wparams);
		t->ok = !strcmp(cell(c, i, as_table_col(c, "status")), "ok");
		sl_add(&r->mods, t->mlabel);
		if (thr0 < 0)
			thr0 = t->threads;
		else if (t->threads != thr0)
			r->multi_threads = 1;
	}
	for (int i = 0; i < r->nt; i++) {
		char g[LABEL + 32];
		sl_add(&r->groups, group_of(r, &r->t[i], g, sizeof(g)));
	}
	/* a workload run at 3+ sizes is a sweep: its per-size groups get no
	 * charts of their own (one chart per size would bury the rest) */
	r->sweep = calloc((size_t)r->groups.n + 1, 1);
	if (!r->sweep)
		abort();
	for (int i = 0; i < r->nt; i++) {
		strlist_t sizes = {0};
		if (isnan(param_size(r->t[i].wparams, "size")) ||
		    sl_find(&r->sweeps, r->t[i].wname) >= 0)
			continue;
		for (int j = 0; j < r->nt; j++) {
			char sz[64];
			if (strcmp(r->t[j].wname, r->t[i].wname))
				continue;
			snprintf(sz, sizeof(sz), "%.0f", param_size(r->t[j].wparams, "size"));
			sl_add(&sizes, sz);
		}
		if (sizes.n >= 3)
			sl_add(&r->sweeps, r->t[i].wname);
		sl_free(&sizes);
	}
	for (int i = 0; i < r->nt; i++) {
		char g[LABEL + 32];
		if (sl_find(&r->sweeps, r->t[i].wname) >= 0)
			r->sweep[sl_find(&r->groups, group_of(r, &r->t[i], g, sizeof(g)))] = 1;
	}
	return 0;
}

static void free_run(run_t *r)
{
	as_table_free(&r->trials);
	as_table_free(&r->context);
	as_table_free(&r->series);
	as_table_free(&r->latency);
	as_table_free(&r->hist);
	free(r->t);
	free(r->sweep);
	sl_free(&r->sweeps);
	sl_free(&r->mods);
	sl_free(&r->groups);
}

/* The trials.csv row of (trial, rep). Rows of the other files come grouped
 * by trial, so the search starts where the last one ended. */
static const trow_t *find_trial(const run_t *r, long trial, long rep)
{
	static int hint;
	for (int k = 0; k < r->nt; k++) {
		int i = (hint + k) % r->nt;
		if (r->t[i].trial == trial && r->t[i].rep == rep) {
			hint = i;
			return &r->t[i];
		}
	}
	return NULL;
}

/* The completed trial a per-op-kind row (latency.csv, histogram.csv)
 * belongs to when it is of module `mod`, group `group` and op kind `kind`;
 * NULL otherwise. cols: the trial, rep and kind columns of tb. */
static const trow_t *kind_row_trial(const run_t *r, const as_table_t *tb, int i, const int cols[3],
                                    const char *mod, const char *group, const char *kind)
{
	char gl[LABEL + 32];
	const trow_t *t =
	    find_trial(r, (long)cellnum(tb, i, cols[0]), (long)cellnum(tb, i, cols[1]));
	if (!t || !t->ok || strcmp(t->mlabel, mod) ||
	    strcmp(group_of(r, t, gl, sizeof(gl)), group) || strcmp(cell(tb, i, cols[2]), kind))
		return NULL;
	return t;
}

/* ---- charts ---- */

static void skip(charts_t *cs, const char *kind, const char *why);

static chart_t *new_chart(charts_t *cs, const char *kind, int gi, const char *script)
{
	chart_t *c;
	if (cs->n == MAXCH) {
		skip(cs, kind,
		     "more than " AS_STR(MAXCH) " charts in one folder: the rest left out");
		return NULL;
	}
	c = &cs->ch[cs->n++];
	memset(c, 0, sizeof(*c));
	if (gi >= 0)
		snprintf(c->name, sizeof(c->name), "%s-%d", kind, gi + 1);
	else
		snprintf(c->name, sizeof(c->name), "%s", kind);
	snprintf(c->script, sizeof(c->script), "%s", script);
	return c;
}

static void skip(charts_t *cs, const char *kind, const char *why)
{
	char line[LABEL + 64];
	snprintf(line, sizeof(line), "%s: %s", kind, why);
	sl_add(&cs->skipped, line);
}

/* Series variables: NS, MOD[] (module names, for the colour), TITLE[] and
 * VAR[] (0 for a module's first series, 1.. for its other params). */
static void vars_series(as_buf_t *v, const strlist_t *labels)
{
	int n1 = labels->n ? labels->n : 1;
	as_buf_printf(v, "NS=%d; array MOD[%d]; array TITLE[%d]; array VAR[%d]; ", labels->n, n1,
	              n1, n1);
	for (int i = 0; i < labels->n; i++) {
		char base[128];
		snprintf(base, sizeof(base), "%.*s", (int)strcspn(labels->v[i], ": ,"),
		         labels->v[i]);
		as_buf_printf(v, "MOD[%d]=", i + 1);
		gstr(v, base);
		as_buf_printf(v, "; TITLE[%d]=", i + 1);
		gstr(v, labels->v[i]);
		/* the how-manieth series of this module: its variant style */
		{
			int var = 0;
			size_t bl = strlen(base);
			for (int j = 0; j < i; j++)
				var += !strncmp(labels->v[j], base, bl) &&
				       strchr(": ,", labels->v[j][bl]) != NULL;
			as_buf_printf(v, "; VAR[%d]=%d; ", i + 1, var);
		}
	}
}

static void vars_str(as_buf_t *v, const char *name, const char *s)
{
	as_buf_printf(v, "%s=", name);
	gstr(v, s);
	as_buf_add(v, "; ", 2);
}

/* Bar chart layout: categories and the most lines a category label takes. */
static void vars_cats(as_buf_t *v, const as_buf_t *data)
{
	int ncat = 0, lines = 1, maxl = 1;
	for (size_t i = 0; data->data && i < data->len; i++) {
		if (data->data[i] == '\n') {
			ncat++;
			lines = 1;
		} else if (data->data[i] == '\\' && i + 1 < data->len && data->data[i + 1] == 'n') {
			lines++;
			if (lines > maxl)
				maxl = lines;
		}
	}
	as_buf_printf(v, "NCAT=%d; NLINES=%d; ", ncat, maxl);
}

/* Whether values in [lo, hi] span more than a factor of 100: log axis. */
static int spans_decades(double lo, double hi)
{
	return lo > 0 && hi / lo > 100;
}

/* Clustered bars with min..max error bars from repetitions: for each group
 * (category on x) and module (bars), reduce column COL over ok trials. */
static void chart_bars_metric(run_t *r, charts_t *cs, const char *kind, const char *col,
                              const char *what, const char *unit, double scale)
{
	int ci = as_table_col(&r->trials, col);
	double lo = INFINITY, hi = 0;
	int any = 0;
	chart_t *c;
	if (ci < 0) {
		skip(cs, kind, "trials.csv has no column for it");
		return;
	}
	c = new_chart(cs, kind, -1, kind);
	if (!c)
		return;
	snprintf(c->title, sizeof(c->title), "%s per module and workload", what);
	as_buf_printf(&c->table,
	              "| workload | module | reps ok | median %s | min | max |\n"
	              "|---|---|---|---|---|---|\n",
	              unit);
	for (int g = 0; g < r->groups.n; g++) {
		dstr(&c->data, r->groups.v[g]);
		for (int m = 0; m < r->mods.n; m++) {
			double v[1024], med, mn, mx;
			int n = 0, k;
			for (int i = 0; i < r->nt && n < 1024; i++) {
				char gl[LABEL + 32];
				const trow_t *t = &r->t[i];
				if (!t->ok || strcmp(t->mlabel, r->mods.v[m]) ||
				    strcmp(group_of(r, t, gl, sizeof(gl)), r->groups.v[g]))
					continue;
				v[n++] = cellnum(&r->trials, t->row, ci) * scale;
			}
			k = reduce(v, n, &med, &mn, &mx);
			as_buf_add(&c->data, "\t", 1);
			dnum(&c->data, med, "\t");
			dnum(&c->data, mn, "\t");
			dnum(&c->data, mx, "");
			if (k == 0)
				continue;
			any = 1;
			if (mn > 0 && mn < lo)
				lo = mn;
			if (mx > hi)
				hi = mx;
			as_buf_add(&c->table, "|", 1);
			tstr(&c->table, r->groups.v[g]);
			tstr(&c->table, r->mods.v[m]);
			as_buf_printf(&c->table, " %d |", k);
			tnum(&c->table, med);
			tnum(&c->table, mn);
			tnum(&c->table, mx);
			as_buf_add(&c->table, "\n", 1);
		}
		as_buf_add(&c->data, "\n", 1);
	}
	if (!any) {
		cs->n--;
		as_buf_free(&c->data);
		as_buf_free(&c->table);
		skip(cs, kind, "no completed trial has a value for it");
		return;
	}
	vars_series(&c->vars, &r->mods);
	vars_cats(&c->vars, &c->data);
	as_buf_printf(&c->vars, "LOGY=%d; ", spans_decades(lo, hi));
	vars_str(&c->vars, "TITLE_TEXT", c->title);
}

/* Memory syscalls per module, one chart per workload group: categories are
 * the call kinds, bars the modules (median of the ok repetitions). */
static void chart_syscalls(run_t *r, charts_t *cs)
{
	static const char *calls[] = {"brk_calls",    "mmap_calls",    "munmap_calls",
	                              "mremap_calls", "madvise_calls", "mprotect_calls"};
	int cols[6], nc = 0;
	const char *names[6];
	for (int i = 0; i < 6; i++) {
		int ci = as_table_col(&r->trials, calls[i]);
		if (ci >= 0) {
			cols[nc] = ci;
			names[nc++] = calls[i];
		}
	}
	if (nc == 0) {
		skip(cs, "syscalls",
		     "trials.csv has no *_calls columns (a run without syscall "
		     "counting)");
		return;
	}
	for (int g = 0; g < r->groups.n; g++) {
		chart_t *c;
		if (r->sweep[g])
			continue;
		c = new_chart(cs, "syscalls", g, "syscalls");
		double hi = 0;
		int any = 0;
		if (!c)
			return;
		snprintf(c->title, sizeof(c->title), "Memory system calls per module\n%s",
		         r->groups.v[g]);
		as_buf_printf(&c->table, "| module |");
		for (int k = 0; k < nc; k++)
			as_buf_printf(&c->table, " %s |", names[k]);
		as_buf_printf(&c->table, "\n|---|");
		for (int k = 0; k < nc; k++)
			as_buf_printf(&c->table, "---|");
		as_buf_add(&c->table, "\n", 1);
		for (int k = 0; k < nc; k++) {
			char lab[64];
			snprintf(lab, sizeof(lab), "%.*s", (int)(strlen(names[k]) - 6), names[k]);
			dstr(&c->data, lab);
			for (int m = 0; m < r->mods.n; m++) {
				double v[1024], med, mn, mx;
				int n = 0;
				for (int i = 0; i < r->nt && n < 1024; i++) {
					char gl[LABEL + 32];
					const trow_t *t = &r->t[i];
					if (!t->ok || strcmp(t->mlabel, r->mods.v[m]) ||
					    strcmp(group_of(r, t, gl, sizeof(gl)), r->groups.v[g]))
						continue;
					v[n++] = cellnum(&r->trials, t->row, cols[k]);
				}
				if (reduce(v, n, &med, &mn, &mx) > 0) {
					any = 1;
					if (mx > hi)
						hi = mx;
				}
				as_buf_add(&c->data, "\t", 1);
				dnum(&c->data, med, "\t");
				dnum(&c->data, mn, "\t");
				dnum(&c->data, mx, "");
			}
			as_buf_add(&c->data, "\n", 1);
		}
		for (int m = 0; m < r->mods.n; m++) {
			int has = 0;
			as_buf_t row = {0};
			as_buf_add(&row, "|", 1);
			tstr(&row, r->mods.v[m]);
			for (int k = 0; k < nc; k++) {
				double v[1024], med, mn, mx;
				int n = 0;
				for (int i = 0; i < r->nt && n < 1024; i++) {
					char gl[LABEL + 32];
					const trow_t *t = &r->t[i];
					if (!t->ok || strcmp(t->mlabel, r->mods.v[m]) ||
					    strcmp(group_of(r, t, gl, sizeof(gl)), r->groups.v[g]))
						continue;
					v[n++] = cellnum(&r->trials, t->row, cols[k]);
				}
				has |= reduce(v, n, &med, &mn, &mx) > 0;
				tnum(&row, med);
			}
			as_buf_add(&row, "\n", 1);
			if (has)
				as_buf_add(&c->table, row.data, row.len);
			as_buf_free(&row);
		}
		if (!any) {
			cs->n--;
			as_buf_free(&c->data);
			as_buf_free(&c->table);
			skip(cs, "syscalls", "syscall counts are n/a in every completed trial");
			return;
		}
		vars_series(&c->vars, &r->mods);
		vars_cats(&c->vars, &c->data);
		as_buf_printf(&c->vars, "LOGY=%d; ", hi > 100);
		vars_str(&c->vars, "TITLE_TEXT", c->title);
	}
}

/* Per (trial, rep) of series.csv: its rows, in file order. */
typedef struct {
	long trial, rep;
	const trow_t *t;
	int *rows;
	int n;
} srun_t;

static srun_t *series_runs(run_t *r, int *nout)
{
	const as_table_t *s = &r->series;
	int ct = as_table_col(s, "trial"), cr = as_table_col(s, "rep");
	srun_t *runs = NULL;
	int n = 0, last = -1;
	*nout = 0;
	if (ct < 0 || cr < 0)
		return NULL;
	for (int i = 0; i < NROWS(s); i++) {
		long tr = (long)cellnum(s, i, ct), rp = (long)cellnum(s, i, cr);
		int k = -1;
		if (last >= 0 && runs[last].trial == tr && runs[last].rep == rp)
			k = last;
		for (int j = 0; k < 0 && j < n; j++)
			if (runs[j].trial == tr && runs[j].rep == rp)
				k = j;
		if (k < 0) {
			runs = realloc(runs, (size_t)(n + 1) * sizeof(*runs));
			if (!runs)
				abort();
			runs[n] = (srun_t){tr, rp, find_trial(r, tr, rp), NULL, 0};
			k = n++;
		}
		runs[k].rows = realloc(runs[k].rows, (size_t)(runs[k].n + 1) * sizeof(int));
		if (!runs[k].rows)
			abort();
		runs[k].rows[runs[k].n++] = i;
		last = k;
	}
	*nout = n;
	return runs;
}

/* series.csv, one data file per workload group feeding four charts: RSS
 * over ops and over time, brk heap vs mmap stacked, cumulative syscalls.
 * Per module the first completed repetition is drawn (a sample path, not an
 * average). Block columns: ops_done elapsed_ms rss_growth_mib heap_rss_mib
 * mmap_rss_mib live_mib syscalls_cum. */
static void chart_series(run_t *r, charts_t *cs)
{
	static const char *sys[] = {"brk_calls",    "mmap_calls",    "munmap_calls",
	                            "mremap_calls", "madvise_calls", "mprotect_calls"};
	const as_table_t *s = &r->series;
	int c_ops, c_el, c_rss, c_heap, c_mmap, c_live, c_sys[6];
	srun_t *runs;
	int nruns;

	if (NROWS(s) == 0 && NCOLS(s) == 0) {
		skip(cs, "rss, heap_mmap, syscalls_cum", "no series.csv in this folder");
		return;
	}
	c_ops = as_table_col(s, "ops_done");
	c_el = as_table_col(s, "elapsed_ns");
	c_rss = as_table_col(s, "rss_kib");
	c_heap = as_table_col(s, "heap_rss_kib");
	c_mmap = as_table_col(s, "mmap_rss_kib");
	c_live = as_table_col(s, "live_bytes");
	for (int i = 0; i < 6; i++)
		c_sys[i] = as_table_col(s, sys[i]);
	if (c_ops < 0 || c_rss < 0) {
		skip(cs, "rss, heap_mmap, syscalls_cum", "series.csv lacks ops_done or rss_kib");
		return;
	}
	runs = series_runs(r, &nruns);
	for (int g = 0; g < r->groups.n; g++) {
		strlist_t labels = {0};
		const srun_t *pick[MAXS];
		as_buf_t data = {0}, tab = {0};
		int has_heap = 0, has_sys = 0, has_el = 0;
		if (r->sweep[g])
			continue;
		for (int m = 0; m < r->mods.n && labels.n < MAXS; m++) {
			const srun_t *best = NULL;
			for (int k = 0; k < nruns; k++) {
				char gl[LABEL + 32];
				const trow_t *t = runs[k].t;
				if (!t || !t->ok || strcmp(t->mlabel, r->mods.v[m]) ||
				    strcmp(group_of(r, t, gl, sizeof(gl)), r->groups.v[g]))
					continue;
				if (!best || t->rep < best->t->rep)
					best = &runs[k];
			}
			if (!best)
				continue;
			pick[labels.n] = best;
			sl_add(&labels, r->mods.v[m]);
		}
		if (labels.n == 0) {
			sl_free(&labels);
			continue;
		}
		as_buf_printf(&tab,
		              "| module | rep | samples | ops | RSS growth peak (MiB) | "
		              "live peak (MiB) | brk heap RSS peak (MiB) | mmap RSS peak "
		              "(MiB) | memory syscalls |\n|---|---|---|---|---|---|---|---|---|\n");
		for (int i = 0; i < labels.n; i++) {
			const srun_t *sr = pick[i];
			double rss0 = cellnum(s, sr->rows[0], c_rss);
			double pk = NAN, lpk = NAN, hpk = NAN, mpk = NAN, sysl = NAN, opsl = NAN;
			as_buf_printf(&data, "# %s\n", labels.v[i]);
			for (int j = 0; j < sr->n; j++) {
				int row = sr->rows[j];
				double rss = (cellnum(s, row, c_rss) - rss0) / 1024.0;
				double heap = cellnum(s, row, c_heap) / 1024.0;
				double mm = cellnum(s, row, c_mmap) / 1024.0;
				double live = cellnum(s, row, c_live) / 1048576.0;
				double el = cellnum(s, row, c_el) / 1e6;
				double sc = NAN;
				for (int k = 0; k < 6; k++) {
					double v = cellnum(s, row, c_sys[k]);
					if (!isnan(v))
						sc = isnan(sc) ? v : sc + v;
				}
				opsl = cellnum(s, row, c_ops);
				dnum(&data, opsl, "\t");
				dnum(&data, el, "\t");
				dnum(&data, rss, "\t");
				dnum(&data, heap, "\t");
				dnum(&data, mm, "\t");
				dnum(&data, live, "\t");
				dnum(&data, sc, "\n");
				has_heap |= !isnan(heap) || !isnan(mm);
				has_sys |= !isnan(sc);
				has_el |= !isnan(el);
				pk = isnan(pk) || rss > pk ? rss : pk;
				lpk = isnan(lpk) || live > lpk ? live : lpk;
				hpk = isnan(hpk) || heap > hpk ? heap : hpk;
				mpk = isnan(mpk) || mm > mpk ? mm : mpk;
				if (!isnan(sc))
					sysl = sc;
			}
			as_buf_add(&data, "\n\n", 2);
			as_buf_add(&tab, "|", 1);
			tstr(&tab, labels.v[i]);
			as_buf_printf(&tab, " %ld | %d |", sr->rep, sr->n);
			tnum(&tab, opsl);
			tnum(&tab, pk);
			tnum(&tab, lpk);
			tnum(&tab, hpk);
			tnum(&tab, mpk);
			tnum(&tab, sysl);
			as_buf_add(&tab, "\n", 1);
		}
		{
			static const struct {
				const char *kind, *title;
				int need; /* 0 none, 1 heap/mmap, 2 syscalls, 3 elapsed */
			} kinds[] = {
			    {"rss_ops",
			     "RSS growth over ops per module, live requested bytes as "
			     "reference",
			     0},
			    {"rss_time", "RSS growth over time per module", 3},
			    {"heap_mmap", "brk heap vs mmap resident memory, stacked, over time",
			     1},
			    {"syscalls_cum", "Cumulative memory system calls over ops", 2},
			};
			for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
				chart_t *c;
				if ((kinds[k].need == 1 && !has_heap) ||
				    (kinds[k].need == 2 && !has_sys) ||
				    (kinds[k].need == 3 && !has_el)) {
					char why[LABEL + 64];
					snprintf(why, sizeof(why), "%s: series.csv has no %s",
					         r->groups.v[g],
					         kinds[k].need == 1   ? "heap/mmap columns"
					         : kinds[k].need == 2 ? "syscall counts"
					                              : "elapsed_ns");
					skip(cs, kinds[k].kind, why);
					continue;
				}
				c = new_chart(cs, kinds[k].kind, g, kinds[k].kind);
				if (!c)
					break;
				snprintf(c->title, sizeof(c->title), "%s\n%s", kinds[k].title,
				         r->groups.v[g]);
				as_buf_add(&c->data, data.data, data.len);
				as_buf_add(&c->table, tab.data, tab.len);
				vars_series(&c->vars, &labels);
				vars_str(&c->vars, "TITLE_TEXT", c->title);
			}
		}
		as_buf_free(&data);
		as_buf_free(&tab);
		sl_free(&labels);
	}
	for (int k = 0; k < nruns; k++)
		free(runs[k].rows);
	free(runs);
}

/* latency.csv: percentiles per op kind (median over ok reps), one chart per
 * workload group and kind; histogram.csv: the CDF of the first ok rep. */
static void chart_latency(run_t *r, charts_t *cs)
{
	static const char *pc[] = {"p50_ns", "p90_ns", "p99_ns", "p99_9_ns", "p99_99_ns", "max_ns"};
	static const char *pl[] = {"p50", "p90", "p99", "p99.9", "p99.99", "max"};
	const as_table_t *l = &r->latency, *h = &r->hist;
	strlist_t kinds = {0};
	int ck, ctr, crp, cpc[6];

	if (NCOLS(l) == 0) {
		skip(cs, "latency", "no latency.csv in this folder");
	} else if ((ck = as_table_col(l, "kind")) < 0 || (ctr = as_table_col(l, "trial")) < 0 ||
	           (crp = as_table_col(l, "rep")) < 0) {
		skip(cs, "latency", "latency.csv lacks trial, rep or kind");
	} else {
		for (int i = 0; i < 6; i++)
			cpc[i] = as_table_col(l, pc[i]);
		for (int i = 0; i < NROWS(l); i++)
			sl_add(&kinds, cell(l, i, ck));
		for (int g = 0; g < r->groups.n; g++)
			for (int k = 0; k < kinds.n && !r->sweep[g]; k++) {
				strlist_t labels = {0};
				as_buf_t data = {0}, tab = {0};
				chart_t *c;
				as_buf_printf(&tab, "| module | reps |");
				for (int p = 0; p < 6; p++)
					as_buf_printf(&tab, " %s (ns) |", pl[p]);
				as_buf_printf(&tab, "\n|---|---|---|---|---|---|---|---|\n");
				for (int m = 0; m < r->mods.n; m++) {
					double v[6][256], med[6], mn, mx;
					int n = 0;
					const int lc[3] = {ctr, crp, ck};
					for (int i = 0; i < NROWS(l) && n < 256; i++) {
						if (!kind_row_trial(r, l, i, lc, r->mods.v[m],
						                    r->groups.v[g], kinds.v[k]))
							continue;
						for (int p = 0; p < 6; p++)
							v[p][n] = cellnum(l, i, cpc[p]);
						n++;
					}
					if (n == 0)
						continue;
					for (int p = 0; p < 6; p++)
						reduce(v[p], n, &med[p], &mn, &mx);
					sl_add(&labels, r->mods.v[m]);
					as_buf_printf(&data, "# %s\n", r->mods.v[m]);
					as_buf_add(&tab, "|", 1);
					tstr(&tab, r->mods.v[m]);
					as_buf_printf(&tab, " %d |", n);
					for (int p = 0; p < 6; p++) {
						as_buf_printf(&data, "%d\t\"%s\"\t", p, pl[p]);
						dnum(&data, med[p], "\n");
						tnum(&tab, med[p]);
					}
					as_buf_add(&tab, "\n", 1);
					as_buf_add(&data, "\n\n", 2);
				}
				if (labels.n > 0 &&
				    (c = new_chart(cs, "latency", g * 8 + k, "latency")) != NULL) {
					snprintf(c->name, sizeof(c->name), "latency-%d-%s", g + 1,
					         kinds.v[k]);
					snprintf(c->title, sizeof(c->title),
					         "Latency percentiles of %s per module\n%s",
					         kinds.v[k], r->groups.v[g]);
					as_buf_add(&c->data, data.data, data.len);
					as_buf_add(&c->table, tab.data, tab.len);
					vars_series(&c->vars, &labels);
					vars_str(&c->vars, "TITLE_TEXT", c->title);
				}
				as_buf_free(&data);
				as_buf_free(&tab);
				sl_free(&labels);
			}
	}

	if (NCOLS(h) == 0) {
		skip(cs, "latency_cdf", "no histogram.csv in this folder");
		sl_free(&kinds);
		return;
	}
	{
		int hk = as_table_col(h, "kind"), ht = as_table_col(h, "trial"),
		    hr = as_table_col(h, "rep"), hx = as_table_col(h, "bucket_high_ns"),
		    hy = as_table_col(h, "cum_fraction");
		strlist_t hkinds = {0};
		if (hk < 0 || ht < 0 || hr < 0 || hx < 0 || hy < 0) {
			skip(
			    cs, "latency_cdf",
			    "histogram.csv lacks trial, rep, kind, bucket_high_ns or cum_fraction");
			sl_free(&kinds);
			return;
		}
		for (int i = 0; i < NROWS(h); i++)
			sl_add(&hkinds, cell(h, i, hk));
		for (int g = 0; g < r->groups.n; g++)
			for (int k = 0; k < hkinds.n && !r->sweep[g]; k++) {
				strlist_t labels = {0};
				as_buf_t data = {0}, tab = {0};
				chart_t *c;
				int maxnb = 1;
				as_buf_printf(&tab,
				              "| module | rep | buckets | p50 bucket top (ns) | "
				              "p99 bucket top (ns) | last bucket top (ns) |\n"
				              "|---|---|---|---|---|---|\n");
				for (int m = 0; m < r->mods.n; m++) {
					const trow_t *best = NULL;
					double p50 = NAN, p99 = NAN, last = NAN;
					int nb = 0;
					const int hc[3] = {ht, hr, hk};
					for (int i = 0; i < NROWS(h); i++) {
						const trow_t *t =
						    kind_row_trial(r, h, i, hc, r->mods.v[m],
						                   r->groups.v[g], hkinds.v[k]);
						if (!t)
							continue;
						if (!best || t->rep < best->rep)
							best = t;
					}
					if (!best)
						continue;
					sl_add(&labels, r->mods.v[m]);
					as_buf_printf(&data, "# %s\n", r->mods.v[m]);
					for (int i = 0; i < NROWS(h); i++) {
						double x, y;
						if ((long)cellnum(h, i, ht) != best->trial ||
						    (long)cellnum(h, i, hr) != best->rep ||
						    strcmp(cell(h, i, hk), hkinds.v[k]))
							continue;
						x = cellnum(h, i, hx);
						y = cellnum(h, i, hy);
						dnum(&data, x, "\t");
						dnum(&data, y, "\n");
						nb++;
						if (isnan(p50) && y >= 0.5)
							p50 = x;
						if (isnan(p99) && y >= 0.99)
							p99 = x;
						last = x;
					}
					as_buf_add(&data, "\n\n", 2);
					if (nb > maxnb)
						maxnb = nb;
					as_buf_add(&tab, "|", 1);
					tstr(&tab, r->mods.v[m]);
					as_buf_printf(&tab, " %ld | %d |", best->rep, nb);
					tnum(&tab, p50);
					tnum(&tab, p99);
					tnum(&tab, last);
					as_buf_add(&tab, "\n", 1);
				}
				if (labels.n > 0 &&
				    (c = new_chart(cs, "latency_cdf", g, "latency_cdf")) != NULL) {
					snprintf(c->name, sizeof(c->name), "latency_cdf-%d-%s",
					         g + 1, hkinds.v[k]);
					snprintf(c->title, sizeof(c->title),
					         "Latency CDF of %s per module\n%s", hkinds.v[k],
					         r->groups.v[g]);
					as_buf_add(&c->data, data.data, data.len);
					as_buf_add(&c->table, tab.data, tab.len);
					vars_series(&c->vars, &labels);
					vars_str(&c->vars, "TITLE_TEXT", c->title);
					/* about 8 points per curve tell the modules apart in grey
					 */
					as_buf_printf(&c->vars, "PEVERY=%d; ",
					              maxnb / 8 > 1 ? maxnb / 8 : 1);
				}
				as_buf_free(&data);
				as_buf_free(&tab);
				sl_free(&labels);
			}
		sl_free(&hkinds);
	}
	sl_free(&kinds);
}

/* A size sweep: a workload run at three or more values of its `size` param
 * (the article's mmap threshold scenario, the bump/arena size scenario).
 * One series per module (and per other params, e.g. prime=, and threads);
 * against the size: time per op, mmap calls, and the RSS still held at the
 * end of the timed region (after the blocks were freed). Data columns:
 * size_bytes ns_per_op mmap_calls rss_held_mib rss_peak_growth_mib. */
static void series_key(int multi_threads, const trow_t *t, char *out, size_t len)
{
	char rest[LABEL];
	param_drop(t->wparams, "size", rest, sizeof(rest));
	if (multi_threads)
		snprintf(out, len, "%s%s%s, %ld thread%s", t->mlabel, *rest ? " " : "", rest,
		         t->threads, t->threads == 1 ? "" : "s");
	else
		snprintf(out, len, "%s%s%s", t->mlabel, *rest ? " " : "", rest);
}

static void chart_sweep(run_t *r, charts_t *cs)
{
	int c_ns = as_table_col(&r->trials, "ns_per_op");
	int c_mmap = as_table_col(&r->trials, "mmap_calls");
	int c_end = as_table_col(&r->trials, "rss_end_kib");
	int c_before = as_table_col(&r->trials, "rss_before_kib");
	int c_peak = as_table_col(&r->trials, "rss_peak_kib");
	if (r->sweeps.n == 0) {
		skip(cs, "sweep", "no workload was run at three or more values of size=");
		return;
	}
	for (int w = 0; w < r->sweeps.n; w++) {
		strlist_t labels = {0};
		as_buf_t data = {0}, tab = {0};
		double xs[256], lo = INFINITY, hi = 0;
		int nx = 0, any_mmap = 0, mt = 0;
		long thr0 = -1;
		chart_t *c;
		for (int i = 0; i < r->nt; i++)
			if (!strcmp(r->t[i].wname, r->sweeps.v[w])) {
				mt |= thr0 >= 0 && r->t[i].threads != thr0;
				thr0 = r->t[i].threads;
			}
		for (int i = 0; i < r->nt; i++) {
			char key[2 * LABEL + 64];
			double sz = param_size(r->t[i].wparams, "size");
			int seen = 0;
			if (strcmp(r->t[i].wname, r->sweeps.v[w]) || isnan(sz))
				continue;
			for (int z = 0; z < nx; z++)
				seen |= xs[z] == sz;
			if (!seen && nx < 256)
				xs[nx++] = sz;
			series_key(mt, &r->t[i], key, sizeof(key));
			if (labels.n < MAXS)
				sl_add(&labels, key);
		}
		qsort(xs, (size_t)nx, sizeof(double), cmp_double);
		as_buf_printf(&tab,
		              "| series | size (bytes) | reps ok | ns/op | mmap calls | RSS held "
		              "at end (MiB) | RSS peak growth (MiB) |\n"
		              "|---|---|---|---|---|---|---|\n");
		for (int s = 0; s < labels.n; s++) {
			as_buf_printf(&data, "# %s\n", labels.v[s]);
			for (int z = 0; z < nx; z++) {
				double vn[256], vm[256], ve[256], vp[256], mn, mm, me, mp, a, b;
				int n = 0;
				for (int i = 0; i < r->nt && n < 256; i++) {
					char key[2 * LABEL + 64];
					const trow_t *t = &r->t[i];
					const as_table_t *tc = &r->trials;
					double before;
					if (!t->ok || strcmp(t->wname, r->sweeps.v[w]) ||
					    param_size(t->wparams, "size") != xs[z])
						continue;
					series_key(mt, t, key, sizeof(key));
					if (strcmp(key, labels.v[s]))
						continue;
					before = cellnum(tc, t->row, c_before);
					vn[n] = cellnum(tc, t->row, c_ns);
					vm[n] = cellnum(tc, t->row, c_mmap);
					ve[n] = (cellnum(tc, t->row, c_end) - before) / 1024.0;
					vp[n] = (cellnum(tc, t->row, c_peak) - before) / 1024.0;
					n++;
				}
				if (n == 0)
					continue;
				reduce(vn, n, &mn, &a, &b);
				reduce(vm, n, &mm, &a, &b);
				reduce(ve, n, &me, &a, &b);
				reduce(vp, n, &mp, &a, &b);
				any_mmap |= !isnan(mm);
				if (mn > 0 && mn < lo)
					lo = mn;
				if (mn > hi)
					hi = mn;
				dnum(&data, xs[z], "\t");
				dnum(&data, mn, "\t");
				dnum(&data, mm, "\t");
				dnum(&data, me, "\t");
				dnum(&data, mp, "\n");
				as_buf_add(&tab, "|", 1);
				tstr(&tab, labels.v[s]);
				tnum(&tab, xs[z]);
				as_buf_printf(&tab, " %d |", n);
				tnum(&tab, mn);
				tnum(&tab, mm);
				tnum(&tab, me);
				tnum(&tab, mp);
				as_buf_add(&tab, "\n", 1);
			}
			as_buf_add(&data, "\n\n", 2);
		}
		c = new_chart(cs, "sweep", w, "sweep");
		if (c) {
			int thr = !strcmp(r->sweeps.v[w], "threshold");
			snprintf(c->title, sizeof(c->title),
			         "%s: time, mmap calls and RSS held against request size\n%s",
			         thr ? "mmap threshold sweep" : "Size sweep", r->sweeps.v[w]);
			as_buf_add(&c->data, data.data, data.len);
			as_buf_add(&c->table, tab.data, tab.len);
			vars_series(&c->vars, &labels);
			/* mark 128 KiB only where the sizes reach that far */
			as_buf_printf(&c->vars, "HAS_MMAP=%d; MARK=%d; LOGY=%d; ", any_mmap,
			              nx > 0 && xs[nx - 1] >= 65536 && xs[0] <= 262144,
			              spans_decades(lo, hi));
			vars_str(&c->vars, "TITLE_TEXT", c->title);
		}
		as_buf_free(&data);
		as_buf_free(&tab);
		sl_free(&labels);
	}
}

/* Bytes of RSS per live block: for fixed-size workloads (size= param, and
 * dist= absent or fixed), (rss_peak - rss_before) / blocks, with blocks =
 * live_blocks_peak where the trials have it, else live_bytes_peak / size. */
static void chart_metadata(run_t *r, charts_t *cs)
{
	int c_peak = as_table_col(&r->trials, "rss_peak_kib");
	int c_before = as_table_col(&r->trials, "rss_before_kib");
	int c_live = as_table_col(&r->trials, "live_bytes_peak");
	int c_blocks = as_table_col(&r->trials, "live_blocks_peak");
	strlist_t groups = {0};
	chart_t *c;
	double hi = 0, lo = INFINITY, size0 = NAN;
	int same_size = 1;
	if (c_peak < 0 || c_before < 0 || (c_live < 0 && c_blocks < 0)) {
		skip(cs, "metadata",
		     "trials.csv lacks rss_peak_kib, rss_before_kib or "
		     "live_bytes_peak");
		return;
	}
	/* groups whose trials all share one block size */
	for (int g = 0; g < r->groups.n; g++) {
		double sz = NAN;
		int ok = !r->sweep[g], any = 0;
		for (int i = 0; i < r->nt; i++) {
			char gl[LABEL + 32], dist[64];
			const trow_t *t = &r->t[i];
			double s;
			if (strcmp(group_of(r, t, gl, sizeof(gl)), r->groups.v[g]))
				continue;
			s = param_size(t->wparams, "size");
			if (param_get(t->wparams, "dist", dist, sizeof(dist)) == 0 &&
			    strcmp(dist, "fixed"))
				s = NAN;
			/* per-block overhead is a small-block question */
			if (isnan(s) || s > 4096 || (!isnan(sz) && s != sz))
				ok = 0;
			sz = s;
			any = 1;
		}
		if (ok && any) {
			sl_add(&groups, r->groups.v[g]);
			if (isnan(size0))
				size0 = sz;
			else if (sz != size0)
				same_size = 0;
		}
	}
	if (groups.n == 0) {
		skip(cs, "metadata",
		     "no workload with one fixed block size of at most 4 KiB (size=, "
		     "dist=fixed)");
		sl_free(&groups);
		return;
	}
	c = new_chart(cs, "metadata", -1, "metadata");
	if (!c) {
		sl_free(&groups);
		return;
	}
	snprintf(c->title, sizeof(c->title), "Bytes of RSS per live block per module");
	as_buf_printf(&c->table, "| workload | module | block size (bytes) | blocks | reps ok | "
	                         "RSS bytes per block (median) | min | max |\n"
	                         "|---|---|---|---|---|---|---|---|\n");
	for (int g = 0; g < groups.n; g++) {
		dstr(&c->data, groups.v[g]);
		for (int m = 0; m < r->mods.n; m++) {
			double v[1024], med, mn, mx, size = NAN, blocks = NAN;
			int n = 0, k;
			for (int i = 0; i < r->nt && n < 1024; i++) {
				char gl[LABEL + 32];
				const trow_t *t = &r->t[i];
				double rss;
				if (!t->ok || strcmp(t->mlabel, r->mods.v[m]) ||
				    strcmp(group_of(r, t, gl, sizeof(gl)), groups.v[g]))
					continue;
				size = param_size(t->wparams, "size");
				blocks =
				    c_blocks >= 0 ? cellnum(&r->trials, t->row, c_blocks) : NAN;
				if (isnan(blocks))
					blocks = floor(cellnum(&r->trials, t->row, c_live) / size);
				rss = (cellnum(&r->trials, t->row, c_peak) -
				       cellnum(&r->trials, t->row, c_before)) *
				      1024.0;
				v[n++] = blocks > 0 ? rss / blocks : NAN;
			}
			k = reduce(v, n, &med, &mn, &mx);
			as_buf_add(&c->data, "\t", 1);
			dnum(&c->data, med, "\t");
			dnum(&c->data, mn, "\t");
			dnum(&c->data, mx, "");
			if (k == 0)
				continue;
			if (mx > hi)
				hi = mx;
			if (mn > 0 && mn < lo)
				lo = mn;
			as_buf_add(&c->table, "|", 1);
			tstr(&c->table, groups.v[g]);
			tstr(&c->table, r->mods.v[m]);
			tnum(&c->table, size);
			tnum(&c->table, blocks);
			as_buf_printf(&c->table, " %d |", k);
			tnum(&c->table, med);
			tnum(&c->table, mn);
			tnum(&c->table, mx);
			as_buf_add(&c->table, "\n", 1);
		}
		as_buf_add(&c->data, "\n", 1);
	}
	vars_series(&c->vars, &r->mods);
	vars_cats(&c->vars, &c->data);
	as_buf_printf(&c->vars, "LOGY=%d; REF=", spans_decades(lo, hi));
	dnum(&c->vars, same_size ? size0 : NAN, "; ");
	vars_str(&c->vars, "TITLE_TEXT", c->title);
	sl_free(&groups);
}

/* Throughput against threads, per workload run at several thread counts. */
static void chart_scaling(run_t *r, charts_t *cs)
{
	strlist_t wls = {0};
	int ci = as_table_col(&r->trials, "ops_per_sec"), drawn = 0;
	if (ci < 0) {
		skip(cs, "scaling", "trials.csv has no ops_per_sec");
		return;
	}
	for (int i = 0; i < r->nt; i++)
		sl_add(&wls, r->t[i].wlabel);
	for (int w = 0; w < wls.n; w++) {
		long thr[64];
		int nthr = 0;
		chart_t *c;
		for (int i = 0; i < r->nt; i++) {
			int seen = 0;
			if (strcmp(r->t[i].wlabel, wls.v[w]))
				continue;
			for (int j = 0; j < nthr; j++)
				seen |= thr[j] == r->t[i].threads;
			if (!seen && nthr < 64)
				thr[nthr++] = r->t[i].threads;
		}
		if (nthr < 2)
			continue;
		for (int a = 1; a < nthr; a++)
			for (int b = a; b > 0 && thr[b] < thr[b - 1]; b--) {
				long t = thr[b];
				thr[b] = thr[b - 1];
				thr[b - 1] = t;
			}
		c = new_chart(cs, "scaling", w, "scaling");
		if (!c)
			break;
		snprintf(c->title, sizeof(c->title),
		         "Thread scaling: throughput against threads\n%s", wls.v[w]);
		as_buf_printf(&c->table,
		              "| module | threads | reps ok | ops/s median | min | max |\n"
		              "|---|---|---|---|---|---|\n");
		for (int m = 0; m < r->mods.n; m++) {
			as_buf_printf(&c->data, "# %s\n", r->mods.v[m]);
			for (int j = 0; j < nthr; j++) {
				double v[1024], med, mn, mx;
				int n = 0, k;
				for (int i = 0; i < r->nt && n < 1024; i++) {
					const trow_t *t = &r->t[i];
					if (t->ok && !strcmp(t->mlabel, r->mods.v[m]) &&
					    !strcmp(t->wlabel, wls.v[w]) && t->threads == thr[j])
						v[n++] = cellnum(&r->trials, t->row, ci);
				}
				k = reduce(v, n, &med, &mn, &mx);
				as_buf_printf(&c->data, "%ld\t", thr[j]);
				dnum(&c->data, med, "\t");
				dnum(&c->data, mn, "\t");
				dnum(&c->data, mx, "\n");
				if (k == 0)
					continue;
				as_buf_add(&c->table, "|", 1);
				tstr(&c->table, r->mods.v[m]);
				as_buf_printf(&c->table, " %ld | %d |", thr[j], k);
				tnum(&c->table, med);
				tnum(&c->table, mn);
				tnum(&c->table, mx);
				as_buf_add(&c->table, "\n", 1);
			}
			as_buf_add(&c->data, "\n\n", 2);
		}
		vars_series(&c->vars, &r->mods);
		vars_str(&c->vars, "TITLE_TEXT", c->title);
		drawn = 1;
	}
	if (!drawn)
		skip(cs, "scaling", "no workload was run at two or more thread counts");
	sl_free(&wls);
}

/* ---- running gnuplot ---- */

static int find_in_path(const char *prog, char *out, size_t len)
{
	const char *path = getenv("PATH");
	if (strchr(prog, '/')) {
		snprintf(out, len, "%s", prog);
		return access(out, X_OK);
	}
	while (path && *path) {
		size_t n = strcspn(path, ":");
		snprintf(out, len, "%.*s/%s", (int)n, n ? path : ".", prog);
		if (access(out, X_OK) == 0)
			return 0;
		path += n;
		if (*path == ':')
			path++;
	}
	return -1;
}

static int find_scripts(char *out, size_t len)
{
	const char *env = getenv("ALLOCSCOPE_PLOTS_DIR");
	const char *dirs[] = {env, AS_SOURCE_DIR "/plots", AS_INSTALL_PLOTS_DIR};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char p[4200];
		if (!dirs[i])
			continue;
		snprintf(p, sizeof(p), "%s/style.gp", dirs[i]);
		if (access(p, R_OK) == 0) {
			char abs[PATH_MAX];
			snprintf(out, len, "%s", realpath(dirs[i], abs) ? abs : dirs[i]);
			return 0;
		}
	}
	return -1;
}

/* Start one gnuplot for a chart: for each format "-e VARS style.gp
 * SCRIPT.gp" in turn, in the scripts folder; stdout and stderr go to LOG.
 * Returns the child's pid or -1. */
static pid_t start_gnuplot(const char *gnuplot, char *const *args, int nargs, const char *scripts,
                           const char *log)
{
	char *argv[40];
	pid_t pid;
	int fd, n = 0;
	argv[n++] = "gnuplot";
	for (int i = 0; i < nargs && n < 39; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = fork();
	if (pid != 0)
		return pid;
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, 2);
		dup2(fd, 1);
	}
	if (chdir(scripts) != 0)
		_exit(127);
	execv(gnuplot, argv);
	_exit(127);
}

/* The gnuplot error in LOG: its last non-empty line ("file" line N: why). */
static void first_line_of(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[512], last[512] = "";
	snprintf(out, len, "gnuplot failed (see %s)", path);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[strspn(line, " ^")] != '\0')
			snprintf(last, sizeof(last), "%s", line);
	}
	fclose(f);
	if (*last)
		snprintf(out, len, "gnuplot: %s (see %s)", last, path);
}

static const struct {
	unsigned bit;
	const char *fmt, *suffix;
	int scale;
} formats[] = {
    {AS_PLOT_PNG, "png", ".png", 1},
    {AS_PLOT_PNG, "png", "@2x.png", 2},
    {AS_PLOT_SVG, "svg", ".svg", 1},
    {AS_PLOT_PDF, "pdf", ".pdf", 1},
};

/* Whether chart C's files exist and are non-empty, after its gnuplot
 * exited with STATUS; sets c->drawn, c->error, and removes the log when
 * drawn. */
static void finish_chart(chart_t *c, int status, const char *chart_dir, unsigned fmts)
{
	char log[4600];
	snprintf(log, sizeof(log), "%s/data/%s.log", chart_dir, c->name);
	c->drawn = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
		char out[4600];
		struct stat st;
		if (!(fmts & formats[f].bit))
			continue;
		snprintf(out, sizeof(out), "%s/%s%s", chart_dir, c->name, formats[f].suffix);
		if (stat(out, &st) != 0 || st.st_size == 0)
			c->drawn = 0;
	}
	if (c->drawn)
		unlink(log);
	else
		first_line_of(log, c->error, sizeof(c->error));
}

/* Write each chart's data file and draw it in every format, a few gnuplot
 * processes at a time (one per online CPU, at most 4). Returns the number
 * of charts not drawn. */
static int draw_charts(charts_t *cs, const char *chart_dir, unsigned fmts, const char *gnuplot,
                       const char *scripts)
{
	char data_dir[4200], err[1024], style[4200], abs_dir[PATH_MAX];
	pid_t pids[MAXCH];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int bad = 0, running = 0, jobs = ncpu < 1 ? 1 : ncpu > 4 ? 4 : (int)ncpu;

	snprintf(data_dir, sizeof(data_dir), "%s/data", chart_dir);
	snprintf(style, sizeof(style), "%s/style.gp", scripts);
	if (as_mkdir_p(data_dir, err, sizeof(err)) != 0 ||
	    /* gnuplot runs in the scripts folder: give it absolute paths */
	    (!realpath(chart_dir, abs_dir) &&
	     snprintf(err, sizeof(err), "%s: %s", chart_dir, strerror(errno)) > 0)) {
		fprintf(stderr, "allocscope plot: %s\n", err);
		for (int i = 0; i < cs->n; i++)
			snprintf(cs->ch[i].error, sizeof(cs->ch[i].error), "%s", err);
		return cs->n;
	}
	chart_dir = abs_dir;
	snprintf(data_dir, sizeof(data_dir), "%s/data", chart_dir);
	for (int i = 0; i <= cs->n; i++) {
		chart_t *c = i < cs->n ? &cs->ch[i] : NULL;
		as_buf_t v[4] = {{0}};
		char name[300], log[4600], dpath[4600], chart[4200], *args[16];
		int na = 0, nout = 0;

		/* wait for a slot, or for everything at the end */
		while (running > 0 && (running >= jobs || !c)) {
			/* only our own children: the caller may have others */
			int reaped = 0;
			for (int k = 0; k < cs->n; k++) {
				int status;
				if (pids[k] <= 0 || waitpid(pids[k], &status, WNOHANG) != pids[k])
					continue;
				pids[k] = 0;
				running--;
				reaped = 1;
				finish_chart(&cs->ch[k], status, chart_dir, fmts);
				bad += !cs->ch[k].drawn;
			}
			if (!reaped)
				nanosleep(&(struct timespec){0, 5000000}, NULL);
		}
		if (!c)
			break;
		pids[i] = 0;
		snprintf(name, sizeof(name), "%s.dat", c->name);
		snprintf(dpath, sizeof(dpath), "%s/%s", data_dir, name);
		snprintf(log, sizeof(log), "%s/%s.log", data_dir, c->name);
		if (as_write_file_atomic(data_dir, name, &c->data, err, sizeof(err)) != 0) {
			snprintf(c->error, sizeof(c->error), "%s", err);
			bad++;
			continue;
		}
		if (!gnuplot) {
			snprintf(c->error, sizeof(c->error), "gnuplot not found");
			bad++;
			continue;
		}
		snprintf(chart, sizeof(chart), "%s/%s.gp", scripts, c->script);
		for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
			char out[4600];
			if (!(fmts & formats[f].bit))
				continue;
			snprintf(out, sizeof(out), "%s/%s%s", chart_dir, c->name,
			         formats[f].suffix);
			unlink(out);
			as_buf_add(&v[nout], c->vars.data ? c->vars.data : "", c->vars.len);
			vars_str(&v[nout], "FMT", formats[f].fmt);
			as_buf_printf(&v[nout], "SCALE=%d; ", formats[f].scale);
			vars_str(&v[nout], "DATA", dpath);
			vars_str(&v[nout], "OUT", out);
			args[na++] = "-e";
			args[na++] = v[nout].data;
			args[na++] = style;
			args[na++] = chart;
			nout++;
		}
		pids[i] = start_gnuplot(gnuplot, args, na, scripts, log);
		for (int k = 0; k < nout; k++)
			as_buf_free(&v[k]);
		if (pids[i] < 0) {
			pids[i] = 0;
			snprintf(c->error, sizeof(c->error), "cannot start gnuplot: %s",
			         strerror(errno));
			bad++;
			continue;
		}
		running++;
	}
	return bad;
}

/* ---- the report ---- */

static void report_context(as_buf_t *b, const run_t *r)
{
	const as_table_t *c = &r->context;
	int ck = as_table_col(c, "key"), cv = as_table_col(c, "value");
	if (ck < 0 || cv < 0) {
		as_buf_printf(b, "No context.csv in this folder.\n\n");
		return;
	}
	as_buf_printf(b, "| key | value |\n|---|---|\n");
	for (int i = 0; i < NROWS(c); i++) {
		const char *k = cell(c, i, ck);
		as_buf_add(b, "|", 1);
		if (!strncmp(k, "warning", 7)) {
			char w[300];
			snprintf(w, sizeof(w), "**%s**", k);
			tstr(b, w);
		} else {
			tstr(b, k);
		}
		tstr(b, cell(c, i, cv));
		as_buf_add(b, "\n", 1);
	}
	as_buf_add(b, "\n", 1);
}

static void report_trials(as_buf_t *b, const run_t *r)
{
	int nok = 0, nbad = 0, cr = as_table_col(&r->trials, "reason");
	int cs = as_table_col(&r->trials, "status");
	for (int i = 0; i < r->nt; i++)
		r->t[i].ok ? nok++ : nbad++;
	as_buf_printf(b,
	              "%d trial rows (repetitions included): %d completed, %d failed or "
	              "skipped.\n\n",
	              r->nt, nok, nbad);
	if (nbad == 0)
		return;
	as_buf_printf(b, "### Failed and skipped trials\n\nCharts and tables leave these rows "
	                 "out.\n\n| trial | rep | module | workload | threads | status | reason |\n"
	                 "|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < r->nt; i++) {
		const trow_t *t = &r->t[i];
		if (t->ok)
			continue;
		as_buf_printf(b, "| %ld | %ld |", t->trial, t->rep);
		tstr(b, t->mlabel);
		tstr(b, t->wlabel);
		as_buf_printf(b, " %ld |", t->threads);
		tstr(b, cell(&r->trials, t->row, cs));
		tstr(b, cell(&r->trials, t->row, cr));
		as_buf_add(b, "\n", 1);
	}
	as_buf_add(b, "\n", 1);
}

/* The body of a run's report; links are PREFIX + chart file name. */
static void report_body(as_buf_t *b, const run_t *r, const charts_t *cs, const char *prefix,
                        unsigned fmts, const char *h, int with_context)
{
	if (with_context) {
		as_buf_printf(b, "%s Context\n\n", h);
		report_context(b, r);
	}
	as_buf_printf(b, "%s Trials\n\n", h);
	report_trials(b, r);
	as_buf_printf(b, "%s Charts\n\n", h);
	for (int i = 0; i < cs->n; i++) {
		const chart_t *c = &cs->ch[i];
		char head[LABEL];
		snprintf(head, sizeof(head), "%s", c->title);
		for (char *p = head; *p; p++)
			if (*p == '\n')
				*p = ':';
		as_buf_printf(b, "%s# %s\n\n", h, head);
		if (c->drawn) {
			/* the picture: PNG where drawn, else SVG, else a PDF link */
			if (fmts & (AS_PLOT_PNG | AS_PLOT_SVG))
				as_buf_printf(b, "![%s](%s%s.%s)\n\n", head, prefix, c->name,
				              fmts & AS_PLOT_PNG ? "png" : "svg");
			if (fmts & AS_PLOT_PNG)
				as_buf_printf(b, "[PNG 2x](%s%s@2x.png) ", prefix, c->name);
			if (fmts & AS_PLOT_SVG)
				as_buf_printf(b, "[SVG](%s%s.svg) ", prefix, c->name);
			if (fmts & AS_PLOT_PDF)
				as_buf_printf(b, "[PDF](%s%s.pdf) ", prefix, c->name);
			as_buf_printf(b, "[data](%sdata/%s.dat)\n\n", prefix, c->name);
		} else {
			as_buf_printf(b, "*Chart not drawn: %s.*\n\n", c->error);
		}
		as_buf_add(b, c->table.data ? c->table.data : "", c->table.len);
		as_buf_add(b, "\n", 1);
	}
	if (cs->skipped.n) {
		as_buf_printf(b, "%s Charts without data\n\n", h);
		for (int i = 0; i < cs->skipped.n; i++)
			as_buf_printf(b, "- %s\n", cs->skipped.v[i]);
		as_buf_add(b, "\n", 1);
	}
}

static void free_charts(charts_t *cs)
{
	for (int i = 0; i < cs->n; i++) {
		as_buf_free(&cs->ch[i].data);
		as_buf_free(&cs->ch[i].table);
		as_buf_free(&cs->ch[i].vars);
	}
	sl_free(&cs->skipped);
}

int as_plot_parse_formats(const char *list, unsigned *out, char *err, size_t errlen)
{
	const char *p = list;
	*out = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == 3 && !strncmp(p, "png", 3))
			*out |= AS_PLOT_PNG;
		else if (n == 3 && !strncmp(p, "svg", 3))
			*out |= AS_PLOT_SVG;
		else if (n == 3 && !strncmp(p, "pdf", 3))
			*out |= AS_PLOT_PDF;
		else {
			snprintf(err, errlen,
			         "option --format: '%.*s' is not a format (allowed: png, svg, pdf)",
			         (int)n, p);
			return -1;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (!*out) {
		snprintf(err, errlen, "option --format: empty list (allowed: png, svg, pdf)");
		return -1;
	}
	return 0;
}

/* Plot one run folder. chart_dir gets the charts; the run's report goes to
 * report_dir/report.md with links prefix + name. The body is also appended
 * to `suite` (with suite_prefix before the links) when given. */
static int plot_run(const char *dir, const char *chart_dir, const char *report_dir,
                    const char *prefix, unsigned fmts, const char *gnuplot, const char *scripts,
                    as_buf_t *suite, const char *suite_prefix, int suite_context)
{
	run_t r;
	charts_t *cs = calloc(1, sizeof(*cs));
	as_buf_t rep = {0};
	char err[1024];
	int bad, rc;
	if (!cs)
		abort();
	if (load_run(&r, dir) != 0) {
		free_run(&r);
		free(cs);
		return AS_PLOT_BAD_INPUT;
	}
	for (int i = 0; i < r.sweeps.n; i++) {
		char why[LABEL];
		snprintf(why, sizeof(why),
		         "%s: run at several sizes; drawn as the size sweep, not one chart "
		         "per size",
		         r.sweeps.v[i]);
		skip(cs, "latency, rss, heap_mmap, syscalls per size", why);
	}
	chart_bars_metric(&r, cs, "time", "ns_per_op", "Time per op", "ns/op", 1.0);
	chart_bars_metric(&r, cs, "throughput", "ops_per_sec", "Throughput", "Mops/s", 1e-6);
	chart_latency(&r, cs);
	chart_series(&r, cs);
	chart_syscalls(&r, cs);
	chart_sweep(&r, cs);
	chart_metadata(&r, cs);
	chart_scaling(&r, cs);
	if (as_mkdir_p(chart_dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope plot: %s\n", err);
		bad = cs->n;
	} else {
		bad = draw_charts(cs, chart_dir, fmts, gnuplot, scripts);
	}
	as_buf_printf(&rep, "# allocscope report: %s\n\n", dir);
	if (!gnuplot)
		as_buf_printf(&rep,
		              "**Charts not drawn: gnuplot was not found. Install it "
		              "(apt-get install gnuplot-nox) and run `allocscope plot %s`.**\n\n",
		              dir);
	report_body(&rep, &r, cs, prefix, fmts, "##", 1);
	rc = bad ? AS_PLOT_NOT_DRAWN : AS_PLOT_OK;
	if (as_write_file_atomic(report_dir, "report.md", &rep, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope plot: %s\n", err);
		rc = AS_PLOT_NOT_DRAWN;
	}
	if (suite) {
		char full[4200];
		snprintf(full, sizeof(full), "%s%s", suite_prefix, prefix);
		report_body(suite, &r, cs, full, fmts, "###", suite_context);
	}
	for (int i = 0; i < cs->n; i++)
		if (!cs->ch[i].drawn && gnuplot)
			fprintf(stderr, "allocscope plot: %s: chart %s not drawn: %s\n", dir,
			        cs->ch[i].name, cs->ch[i].error);
	as_buf_free(&rep);
	free_charts(cs);
	free(cs);
	free_run(&r);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* DIR has a trials.csv, or a subfolder has one (a suite). */
static int is_results_folder(const char *dir)
{
	char path[4200];
	DIR *d;
	struct dirent *e;
	int found = 0;
	snprintf(path, sizeof(path), "%s/trials.csv", dir);
	if (access(path, F_OK) == 0)
		return 1;
	d = opendir(dir);
	while (d && !found && (e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s/trials.csv", dir, e->d_name);
		found = e->d_name[0] != '.' && access(path, F_OK) == 0;
	}
	if (d)
		closedir(d);
	return found;
}

int as_plot_dir(const char *dir, const as_plot_opts_t *opts)
{
	unsigned fmts = opts && opts->formats ? opts->formats : AS_PLOT_ALL;
	const char *out = opts ? opts->out_dir : NULL;
	char gp[4096], scripts[4096], path[4200], err[1024];
	const char *gnuplot = NULL, *gpname = getenv("ALLOCSCOPE_GNUPLOT");
	struct stat st;
	int rc = AS_PLOT_OK;

	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "allocscope plot: %s: not a folder\n", dir);
		return AS_PLOT_BAD_INPUT;
	}
	if (find_scripts(scripts, sizeof(scripts)) != 0) {
		fprintf(stderr, "allocscope plot: gnuplot scripts (style.gp) not found in "
		                "$ALLOCSCOPE_PLOTS_DIR, " AS_SOURCE_DIR
		                "/plots or " AS_INSTALL_PLOTS_DIR "\n");
		return AS_PLOT_NOT_DRAWN;
	}
	if (!is_results_folder(dir)) {
		fprintf(stderr,
		        "allocscope plot: %s: not a results folder (no trials.csv in it or in its "
		        "subfolders)\n",
		        dir);
		return AS_PLOT_BAD_INPUT;
	}
	if (find_in_path(gpname && *gpname ? gpname : "gnuplot", gp, sizeof(gp)) == 0)
		gnuplot = gp;
	else
		fprintf(
		    stderr,
		    "allocscope plot: gnuplot not found (apt-get install gnuplot-nox): charts not "
		    "drawn, results in %s untouched; run 'allocscope plot %s' once it is "
		    "installed\n",
		    dir, dir);

	snprintf(path, sizeof(path), "%s/trials.csv", dir);
	if (access(path, F_OK) == 0) {
		char chart_dir[4200];
		const char *report_dir = out ? out : dir;
		snprintf(chart_dir, sizeof(chart_dir), "%s%s", out ? out : dir,
		         out ? "" : "/plots");
		if (out && as_mkdir_p(out, err, sizeof(err)) != 0) {
			fprintf(stderr, "allocscope plot: %s\n", err);
			return AS_PLOT_NOT_DRAWN;
		}
		rc = plot_run(dir, chart_dir, report_dir, out ? "" : "plots/", fmts, gnuplot,
		              scripts, NULL, NULL, 0);
		if (rc != AS_PLOT_BAD_INPUT && !(opts && opts->quiet))
			printf("report: %s/report.md\n", report_dir);
		return rc;
	}

	/* a suite folder: every subfolder with a trials.csv is a scenario */
	{
		DIR *d = opendir(dir);
		struct dirent *e;
		char **subs = NULL;
		int n = 0;
		as_buf_t suite = {0};
		as_table_t scen = {0};
		if (!d) {
			fprintf(stderr, "allocscope plot: %s: cannot read: %s\n", dir,
			        strerror(errno));
			return AS_PLOT_BAD_INPUT;
		}
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/trials.csv", dir, e->d_name);
			if (access(path, F_OK) != 0)
				continue;
			subs = realloc(subs, (size_t)(n + 1) * sizeof(char *));
			if (!subs)
				abort();
			subs[n++] = strdup(e->d_name);
		}
		closedir(d);
		if (n == 0) {
			fprintf(
			    stderr,
			    "allocscope plot: %s: not a results folder (no trials.csv in it or in "
			    "its subfolders)\n",
			    dir);
			free(subs);
			return AS_PLOT_BAD_INPUT;
		}
		qsort(subs, (size_t)n, sizeof(char *), cmp_str);
		/* a suite's scenarios.csv (folder, title, x, y, expected_shape):
		 * its order, and each scenario's title and expected shape */
		snprintf(path, sizeof(path), "%s/scenarios.csv", dir);
		if (table_load(path, &scen, err, sizeof(err)) < 0)
			fprintf(stderr, "allocscope plot: %s (scenario titles left out)\n", err);
		{
			int cf = as_table_col(&scen, "folder"), k = 0;
			for (int row = 0; cf >= 0 && row < NROWS(&scen); row++)
				for (int i = k; i < n; i++)
					if (!strcmp(subs[i], cell(&scen, row, cf))) {
						char *t = subs[k];
						subs[k++] = subs[i];
						subs[i] = t;
						break;
					}
		}
		as_buf_printf(&suite, "# allocscope suite report: %s\n\n", dir);
		if (!gnuplot)
			as_buf_printf(&suite,
			              "**Charts not drawn: gnuplot was not found. Install it "
			              "(apt-get install gnuplot-nox) and run `allocscope plot "
			              "%s`.**\n\n",
			              dir);
		as_buf_printf(&suite, "Scenarios:");
		for (int i = 0; i < n; i++)
			as_buf_printf(&suite, " [%s](%s/report.md)%s", subs[i], subs[i],
			              i + 1 < n ? "," : "\n\n");
		for (int i = 0; i < n; i++) {
			char sub[4200], chart_dir[4300], report_dir[4300], sp[4300];
			int r1;
			snprintf(sub, sizeof(sub), "%s/%s", dir, subs[i]);
			if (out) {
				snprintf(report_dir, sizeof(report_dir), "%s/%s", out, subs[i]);
				snprintf(chart_dir, sizeof(chart_dir), "%s", report_dir);
			} else {
				snprintf(report_dir, sizeof(report_dir), "%s", sub);
				snprintf(chart_dir, sizeof(chart_dir), "%s/plots", sub);
			}
			if (as_mkdir_p(report_dir, err, sizeof(err)) != 0) {
				fprintf(stderr, "allocscope plot: %s\n", err);
				rc = AS_PLOT_NOT_DRAWN;
				continue;
			}
			as_buf_printf(&suite, "## Scenario %s\n\n", subs[i]);
			for (int row = 0; row < NROWS(&scen); row++) {
				static const char *keys[] = {"title", "x", "y", "expected_shape"};
				static const char *names[] = {"What", "x", "y", "Expected shape"};
				if (strcmp(cell(&scen, row, as_table_col(&scen, "folder")),
				           subs[i]))
					continue;
				for (int k = 0; k < 4; k++) {
					const char *v =
					    cell(&scen, row, as_table_col(&scen, keys[k]));
					if (*v)
						as_buf_printf(&suite, "%s: %s\n\n", names[k], v);
				}
			}
			snprintf(sp, sizeof(sp), "%s/", subs[i]);
			r1 = plot_run(sub, chart_dir, report_dir, out ? "" : "plots/", fmts,
			              gnuplot, scripts, &suite, sp, i == 0);
			if (r1 > rc)
				rc = r1;
		}
		if (as_write_file_atomic(out ? out : dir, "report.md", &suite, err, sizeof(err)) !=
		    0) {
			fprintf(stderr, "allocscope plot: %s\n", err);
			rc = rc > AS_PLOT_NOT_DRAWN ? rc : AS_PLOT_NOT_DRAWN;
		} else if (!(opts && opts->quiet)) {
			printf("report: %s/report.md\n", out ? out : dir);
		}
		for (int i = 0; i < n; i++)
			free(subs[i]);
		free(subs);
		as_buf_free(&suite);
		as_table_free(&scen);
	}
	return rc;
}
