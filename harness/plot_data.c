/* plot_data.c - loads a run folder's CSV files (through trials_read.c) into
 * a run_t: the trials.csv rows with their module, workload and group labels,
 * the size sweeps, and the reductions charts use (median, min, max). Knows
 * nothing of charts, gnuplot or the report. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../allocators/allocscope_params.h"
#include "disturb.h"
#include "labels.h"
#include "plot_int.h"
#include "results.h"
#include "reps_agree.h"
#include "resume.h"
#include "results_format.h"
#include "spec.h"
#include "oom.h"

/* ---- reading the CSV files (trials_read.h, libcsv) by column index ---- */

/* Read PATH into t: 0; 1 when the file does not exist (t left empty); -1
 * with "PATH: reason" in err. */
int plot_table_load(const char *path, as_table_t *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 1;
	if (as_table_read(path, t, err, errlen) != 0)
		return -1;
	if (as_results_check_table(path, t, err, errlen) != 0) {
		as_table_free(t);
		return -1;
	}
	return 0;
}

/* The trials.csv columns plot keeps (plot_tcol): the rows' identity, the
 * reason and the charts'; with AGREE, also the memory columns by which
 * the report judges a group of fewer repetitions than asked
 * (as_reps_agree_columns: only where context.csv records the rule). The
 * disturbed rule's columns are read on their own (trials_disturbed). The
 * table of all 59 was 700 MB of plot's peak at 10^6 rows (docs/measure.md
 * "plot reads the columns it draws"). Returns the count, KEEP ends in NULL. */
static size_t trials_keep(const char **keep, size_t max, int agree)
{
	static const char *const cols[] = {"trial",           "rep",
	                                   "threads",         "status",
	                                   "module",          "module_params",
	                                   "workload",        "workload_params",
	                                   "reason",          "ns_per_op",
	                                   "ops_per_sec",     "elapsed_ns",
	                                   "passes",          "rss_peak_kib",
	                                   "rss_before_kib",  "rss_end_kib",
	                                   "live_bytes_peak", "live_blocks_peak",
	                                   "brk_calls",       "mmap_calls",
	                                   "munmap_calls",    "mremap_calls",
	                                   "madvise_calls",   "mprotect_calls"};
	size_t n = 0;
	for (; n < sizeof(cols) / sizeof(cols[0]) && n + 1 < max; n++)
		keep[n] = cols[n];
	if (agree)
		n += as_reps_agree_columns(keep + n, max - n - 1);
	keep[n] = NULL;
	return n;
}

int plot_tcol(const run_t *r, const char *name)
{
	const char *keep[128];
	size_t n = trials_keep(keep, 128, 1);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(keep[i], name))
			return as_table_col(&r->trials, name);
	/* a chart that reads a column not kept would find none and say the
	 * folder lacks it: a mistake here, caught by any test that plots */
	fprintf(stderr,
	        "allocscope plot: trials.csv column '%s' is not read (plot_data.c "
	        "trials_keep)\n",
	        name);
	abort();
}

typedef struct {
	const char *path;
	char *num; /* as_results_check_row's */
	int bad;   /* err holds the first row's problem */
	char err[1024];
} trials_check_t;

/* Each row whole (as_table_read_each), checked as plot_table_load checks
 * the other tables; the first problem kept and said once the file is
 * read, as when the table was read whole and then checked (a CSV error
 * further on is said first). */
static int trials_check(const as_table_t *row, size_t line, void *ctx)
{
	trials_check_t *c = ctx;
	if (!c->bad &&
	    as_results_check_row(c->path, row, line, &c->num, c->err, sizeof(c->err)) != 0)
		c->bad = 1;
	return 0;
}

/* plot_table_load for trials.csv: its rows checked whole, only the columns
 * trials_keep names kept (AGREE: trials_keep's). */
static int trials_load(const char *path, int agree, as_table_t *t, char *err, size_t errlen)
{
	const char *keep[128];
	trials_check_t c = {path, NULL, 0, ""};
	int rc;
	memset(t, 0, sizeof(*t));
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return 1;
	trials_keep(keep, 128, agree);
	rc = as_table_read_each(path, keep, trials_check, &c, t, err, errlen);
	free(c.num);
	if (rc == 0 && c.bad) {
		snprintf(err, errlen, "%s", c.err);
		as_table_free(t);
		rc = -1;
	} else if (rc == 0 && as_results_check_twice(path, t, 1, err, errlen) != 0) {
		/* counted twice in the medians (until session 34: exit 0) */
		as_table_free(t);
		rc = -1;
	}
	return rc;
}

/* The statistics' verdict on each row of trials.csv (as_table_disturbed)
 * into r->dist, from a read of the rule's columns alone, before the table
 * plot keeps is read: the two are never held at once. Returns 0, or -1
 * with "PATH: reason" in err (trials_load says why first, where it can). */
static int trials_disturbed(run_t *r, const char *path, char *err, size_t errlen)
{
	static const char *const cols[] = {AS_TABLE_MACHINE_COLS, NULL};
	as_table_t t;
	if (as_table_read_cols(path, cols, &t, err, errlen) != 0)
		return -1;
	r->ndist = t.nrows;
	r->dist = malloc(t.nrows + 1);
	if (!r->dist)
		as_oom("plot: trial rows", 0);
	/* all kept when trials.csv lacks the columns the rules read (an old
	 * folder) */
	if (as_table_disturbed(&t, r->dist) != 0)
		memset(r->dist, AS_DIST_NO, t.nrows + 1);
	as_table_free(&t);
	return 0;
}

/* Whether DIR's context.csv records the repetitions_agree rule (or cannot
 * be read: load_tables says why). */
static int agree_rule(const char *dir)
{
	char path[PLOT_PATH_MAX], err[256];
	as_table_t t;
	int agree = 1;
	if (plot_path(path, sizeof(path), "%s/context.csv", dir) != 0 || access(path, F_OK) != 0)
		return 0;
	if (as_table_read(path, &t, err, sizeof(err)) == 0) {
		agree = as_reps_agree_recorded(&t) > 0;
		as_table_free(&t);
	}
	return agree;
}

/* Cell text by column index ("" for a missing column, col < 0). */
const char *plot_cell(const as_table_t *t, int row, int col)
{
	if (col < 0 || col >= NCOLS(t) || row < 0 || row >= NROWS(t))
		return "";
	return t->cells[(size_t)row * t->ncols + (size_t)col];
}

/* Cell as a number: NaN when the column is missing, the cell is empty (n/a)
 * or not a number. */
double plot_cellnum(const as_table_t *t, int row, int col)
{
	const char *s = plot_cell(t, row, col);
	char *end;
	double v;
	if (!*s)
		return NAN;
	errno = 0;
	v = strtod(s, &end);
	return end == s || *end || errno == ERANGE ? NAN : v;
}

/* ---- small helpers ---- */

/* A hash of distinct strings v[0..n-1] (the string pool, a long strlist):
 * open addressing, slot i + 1 for v[i], 0 empty, at most half full. */

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64-bit offset basis and prime */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static void hash_put(int *slot, int nslot, char *const *v, int i)
{
	size_t mask = (size_t)nslot - 1, at = (size_t)str_hash(v[i]) & mask;
	while (slot[at])
		at = (at + 1) & mask;
	slot[at] = i + 1;
}

/* Index of s in v through the hash, -1 when absent (or no hash: nslot 0). */
static int hash_find(const int *slot, int nslot, char *const *v, const char *s)
{
	size_t mask, at;
	if (!nslot)
		return -1;
	mask = (size_t)nslot - 1;
	for (at = (size_t)str_hash(s) & mask; slot[at]; at = (at + 1) & mask)
		if (!strcmp(v[slot[at] - 1], s))
			return slot[at] - 1;
	return -1;
}

/* v[n - 1] was added: into the hash, which doubles (and takes every entry
 * again) where it would be over half full. */
static void hash_added(int **slot, int *nslot, char *const *v, int n)
{
	if (2 * n + 2 <= *nslot) {
		hash_put(*slot, *nslot, v, n - 1);
		return;
	}
	while (2 * n + 2 > *nslot)
		*nslot = *nslot ? 2 * *nslot : 256;
	free(*slot);
	*slot = calloc((size_t)*nslot, sizeof(**slot));
	if (!*slot)
		as_oom("plot: name hash", 0);
	for (int i = 0; i < n; i++)
		hash_put(*slot, *nslot, v, i);
}

/* A list this long gets a hash; a shorter one is searched in order (a
 * chart's few modules). */
#define SL_INDEX_MIN 32

int plot_sl_find(const strlist_t *l, const char *s)
{
	if (l->nslot > 0)
		return hash_find(l->slot, l->nslot, l->v, s);
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return i;
	return -1;
}

int plot_sl_add(strlist_t *l, const char *s)
{
	int i = plot_sl_find(l, s);
	if (i >= 0)
		return i;
	l->v = realloc(l->v, (size_t)(l->n + 1) * sizeof(char *));
	if (!l->v)
		as_oom("plot: name list", 0);
	l->v[l->n] = strdup(s);
	l->n++;
	if (l->n >= SL_INDEX_MIN && l->nslot >= 0)
		hash_added(&l->slot, &l->nslot, l->v, l->n);
	return l->n - 1;
}

/* v changed otherwise than at its end (it may now hold a text twice):
 * searched in order from now on, the first of equal texts found first */
static void sl_drop_hash(strlist_t *l)
{
	free(l->slot);
	l->slot = NULL;
	l->nslot = -1;
}

void plot_sl_put(strlist_t *l, int i, const char *s)
{
	char *c = strdup(s);
	if (!c)
		as_oom("plot: name list", 0);
	free(l->v[i]);
	l->v[i] = c;
	sl_drop_hash(l);
}

void plot_sl_remove(strlist_t *l, int i)
{
	free(l->v[i]);
	l->v[i] = l->v[--l->n];
	sl_drop_hash(l);
}

void plot_sl_free(strlist_t *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->slot);
	memset(l, 0, sizeof(*l));
}

int plot_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Median, min and max of the non-NaN values; all NaN when there are none.
 * Sorts v. Returns the count used. */
int plot_reduce(double *v, int n, double *med, double *lo, double *hi)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		if (!isnan(v[i]))
			v[k++] = v[i];
	*med = *lo = *hi = NAN;
	if (k == 0)
		return 0;
	qsort(v, (size_t)k, sizeof(double), plot_cmp_double);
	*med = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
	*lo = v[0];
	*hi = v[k - 1];
	return k;
}

/* A number for a data file: gnuplot reads "NaN" as a missing point. */

/* The params string without key K. */
void plot_param_drop(const char *params, const char *key, char *out, size_t outlen)
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
double plot_param_size(const char *params, const char *key)
{
	static const as_param_spec_t spec = {"size", AS_PARAM_SIZE, "0", 0, 0, NULL, "", 0};
	char v[64], err[128];
	uint64_t out;
	if (as_label_param(params, key, v, sizeof(v)) != 0)
		return NAN;
	if (as_param_set_(&spec, v, strlen(v), &out, err, sizeof(err)) != 0)
		return NAN;
	return (double)out;
}

const char *plot_group_of(const run_t *r, const trow_t *t, char *out, size_t len)
{
	if (r->multi_threads)
		snprintf(out, len, "%s, %ld thread%s", t->wlabel, t->threads,
		         t->threads == 1 ? "" : "s");
	else
		snprintf(out, len, "%s", t->wlabel);
	return out;
}

/* Read the run's CSV files into r; trials.csv is required, the others may
 * be absent (empty tables). A folder written by a newer allocscope is
 * refused, not misread. */
static int load_tables(run_t *r, const char *dir, char *err, size_t errlen)
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
	static const char *need[] = {"trial", "rep", "module", "workload", "threads", "status"};
	char path[PLOT_PATH_MAX];
	long format;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		as_table_t *t = (as_table_t *)((char *)r + files[i].off);
		int rc;
		if (plot_path(path, sizeof(path), "%s/%s", dir, files[i].name) != 0) {
			snprintf(err, errlen, "%s: path too long", dir);
			return -1;
		}
		if (i == 0) {
			char derr[1024];
			int drc = trials_disturbed(r, path, derr, sizeof(derr));
			rc = trials_load(path, agree_rule(dir), t, err, errlen);
			if (rc == 0 && drc != 0) {
				snprintf(err, errlen, "%s", derr);
				return -1;
			}
		} else {
			rc = plot_table_load(path, t, err, errlen);
		}
		if (rc < 0)
			return -1;
		if (rc == 1 && files[i].required) {
			snprintf(err, errlen, "%s: no trials.csv: not a results folder", dir);
			return -1;
		}
	}
	if (plot_path(path, sizeof(path), "%s/summary.csv", dir) == 0)
		r->has_summary = access(path, F_OK) == 0;
	if (as_results_format_read(dir, &format, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (as_table_col(&r->trials, need[i]) < 0) {
			snprintf(err, errlen, "%s/trials.csv: no column '%s': not a trials table",
			         dir, need[i]);
			return -1;
		}
	/* the identity of every row: an empty trial, rep or threads was cast
	 * from NaN into a long (undefined; LONG_MIN on x86-64) and charted */
	for (size_t row = 0; row < r->trials.nrows; row++)
		for (size_t i = 0; i < 3; i++) {
			static const char *const ids[] = {"trial", "rep", "threads"};
			uint32_t u;
			if (as_table_count(as_table_num(&r->trials, row, ids[i]), &u) != 0 ||
			    (i == 2 && u == 0)) {
				snprintf(err, errlen,
				         "%s/trials.csv: line %zu: %s '%.40s' is not a count", dir,
				         row + 2, ids[i], as_table_str(&r->trials, row, ids[i]));
				return -1;
			}
		}
	return 0;
}

/* The pool's copy of s, added when new. Out of memory aborts, as the
 * rows' calloc does. */
static const char *intern(strpool_t *p, const char *s)
{
	int i = hash_find(p->slot, p->nslot, p->s, s);
	if (i >= 0)
		return p->s[i];
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->s = realloc(p->s, sizeof(*p->s) * (size_t)p->cap);
		if (!p->s)
			as_oom("plot: string pool", 0);
	}
	if (!(p->s[p->n] = strdup(s)))
		as_oom("plot: string pool", 0);
	p->n++;
	hash_added(&p->slot, &p->nslot, p->s, p->n);
	return p->s[p->n - 1];
}

const char *plot_pool_find(const run_t *r, const char *s)
{
	int i = hash_find(r->pool.slot, r->pool.nslot, r->pool.s, s);
	return i >= 0 ? r->pool.s[i] : NULL;
}

static void pool_free(strpool_t *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->s[i]);
	free(p->s);
	free(p->slot);
	memset(p, 0, sizeof(*p));
}

/* One trow_t per trials.csv row: the identity (module, params, workload,
 * threads) every chart groups by, from trials.csv's split key columns. */
static void build_rows(run_t *r)
{
	const as_table_t *c = &r->trials;
	int c_trial = plot_tcol(r, "trial"), c_rep = plot_tcol(r, "rep");
	int c_thr = plot_tcol(r, "threads"), c_mod = plot_tcol(r, "module");
	int c_mp = plot_tcol(r, "module_params"), c_wl = plot_tcol(r, "workload");
	int c_wp = plot_tcol(r, "workload_params"), c_st = plot_tcol(r, "status");
	long thr0 = -1;
	r->nt = NROWS(c);
	r->t = calloc((size_t)r->nt + 1, sizeof(trow_t));
	if (!r->t)
		as_oom("plot: trial rows", 0);
	for (int i = 0; i < r->nt; i++) {
		trow_t *t = &r->t[i];
		const char *mp = plot_cell(c, i, c_mp);
		char mbase[128], mlabel[LABEL], wname[128], wparams[LABEL], wlabel[LABEL];
		t->row = i;
		t->trial = (long)plot_cellnum(c, i, c_trial);
		t->rep = (long)plot_cellnum(c, i, c_rep);
		t->threads = (long)plot_cellnum(c, i, c_thr);
		snprintf(mbase, sizeof(mbase), "%s", plot_cell(c, i, c_mod));
		snprintf(mlabel, sizeof(mlabel), "%s%s%s", mbase, *mp ? ":" : "", mp);
		snprintf(wname, sizeof(wname), "%s", plot_cell(c, i, c_wl));
		snprintf(wparams, sizeof(wparams), "%s", plot_cell(c, i, c_wp));
		snprintf(wlabel, sizeof(wlabel), "%s%s%s", wname, *wparams ? ":" : "", wparams);
		t->mbase = intern(&r->pool, mbase);
		t->mlabel = intern(&r->pool, mlabel);
		t->wname = intern(&r->pool, wname);
		t->wparams = intern(&r->pool, wparams);
		t->wlabel = intern(&r->pool, wlabel);
		t->ok = !strcmp(plot_cell(c, i, c_st), "ok");
		/* the rows the statistics leave out (a row appended to the file
		 * after trials_disturbed read it is not judged) */
		t->kept = t->ok && !((size_t)i < r->ndist && r->dist[i] == AS_DIST_OUT);
		if (thr0 < 0)
			thr0 = t->threads;
		else if (t->threads != thr0)
			r->multi_threads = 1;
	}
	/* a run at 4 threads alone: its charts must say 4 threads (they said
	 * "random", as at 1 thread) */
	if (thr0 > 1)
		r->multi_threads = 1;
	for (int i = 0; i < r->nt; i++) {
		char gl[LABEL + 32];
		r->t[i].glabel = intern(&r->pool, plot_group_of(r, &r->t[i], gl, sizeof(gl)));
	}
	free(r->dist);
	r->dist = NULL;
}

/* Whether row t is of module spec S: the same name, and the same params
 * unless S has none (then every spec of that module). */
static int spec_matches(const as_spec_t *s, const trow_t *t)
{
	const char *colon = strchr(t->mlabel + strlen(t->mbase), ':');
	return !strcmp(s->name, t->mbase) &&
	       (!*s->params || (colon && !strcmp(colon + 1, s->params)));
}

/* Keep the rows of the modules in LIST (a --modules value), and order
 * r->mods by it; the entries no row matched go to r->missing. Without a
 * list, every row in order of first appearance. Then the groups. Returns
 * 0, 1 when entries matched nothing (err says which, and what the folder
 * has), -1 for a malformed list. */
static int select_modules(run_t *r, const char *list, char *err, size_t errlen)
{
	as_spec_t specs[MAXS];
	int n = 0, kept = 0, rc = 0;
	if (list && (n = as_spec_parse_list(list, AS_SPEC_MODULE, specs, MAXS, err, errlen)) < 0) {
		char why[512];
		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "option --modules: %s", why);
		return -1;
	}
	for (int k = 0; k < n; k++) {
		int any = 0;
		for (int i = 0; i < r->nt; i++)
			if (spec_matches(&specs[k], &r->t[i])) {
				plot_sl_add(&r->mods, r->t[i].mlabel);
				any = 1;
			}
		if (!any)
			plot_sl_add(&r->missing, specs[k].label);
	}
	if (r->missing.n) {
		strlist_t all = {0};
		size_t w;
		for (int i = 0; i < r->nt; i++)
			plot_sl_add(&all, r->t[i].mlabel);
		w = (size_t)snprintf(err, errlen,
		                     "option --modules: '%s' ran in no trial of %s (its modules:",
		                     r->missing.v[0], r->dir);
		for (int i = 0; i < all.n && w < errlen; i++)
			w += (size_t)snprintf(err + w, errlen - w, "%s %s", i ? "," : "", all.v[i]);
		if (w < errlen)
			snprintf(err + w, errlen - w, ")");
		plot_sl_free(&all);
		rc = 1;
	}
	for (int i = 0; i < r->nt; i++) {
		if (!list)
			plot_sl_add(&r->mods, r->t[i].mlabel);
		if (plot_sl_find(&r->mods, r->t[i].mlabel) >= 0)
			r->t[kept++] = r->t[i];
	}
	r->nt = kept;
	for (int k = 0; k < n; k++)
		as_spec_free(&specs[k]);
	for (int i = 0; i < r->nt; i++) {
		r->t[i].g = plot_sl_add(&r->groups, r->t[i].glabel);
		r->t[i].m = plot_sl_find(&r->mods, r->t[i].mlabel);
	}
	return rc;
}

/* Each group's rows in r->grow, once (a counting sort by group, stable:
 * trials.csv order within a group). */
static void bucket_groups(run_t *r)
{
	int ng = r->groups.n;
	r->gfirst = calloc((size_t)ng + 2, sizeof(int));
	r->grow = malloc(((size_t)r->nt + 1) * sizeof(int));
	if (!r->gfirst || !r->grow)
		as_oom("plot: group index", 0);
	for (int i = 0; i < r->nt; i++)
		r->gfirst[r->t[i].g + 2]++;
	for (int g = 0; g < ng; g++)
		r->gfirst[g + 2] += r->gfirst[g + 1];
	/* gfirst[g + 1] is where group g's next row goes, then its end */
	for (int i = 0; i < r->nt; i++)
		r->grow[r->gfirst[r->t[i].g + 1]++] = i;
}

int plot_group_index(const run_t *r, const char *group)
{
	return plot_sl_find(&r->groups, group);
}

int plot_group_at(const run_t *r, const char *wlabel, long threads)
{
	trow_t t = {0};
	char gl[LABEL + 32]; /* as build_rows cuts it */
	t.wlabel = wlabel;
	t.threads = threads;
	return plot_group_index(r, plot_group_of(r, &t, gl, sizeof(gl)));
}

const int *plot_group_rows(const run_t *r, int g, int *n)
{
	if (g < 0 || g >= r->groups.n) {
		*n = 0;
		return r->grow;
	}
	*n = r->gfirst[g + 1] - r->gfirst[g];
	return r->grow + r->gfirst[g];
}

/* A workload run at 3+ sizes is a sweep: its per-size groups get no charts
 * of their own (one chart per size would bury the rest). */
static void find_sweeps(run_t *r)
{
	r->sweep = calloc((size_t)r->groups.n + 1, 1);
	if (!r->sweep)
		as_oom("plot: sweep marks", 0);
	for (int i = 0; i < r->nt; i++) {
		strlist_t sizes = {0};
		if (isnan(plot_param_size(r->t[i].wparams, "size")) ||
		    plot_sl_find(&r->sweeps, r->t[i].wname) >= 0)
			continue;
		for (int j = 0; j < r->nt; j++) {
			char sz[64];
			if (strcmp(r->t[j].wname, r->t[i].wname))
				continue;
			snprintf(sz, sizeof(sz), "%.0f", plot_param_size(r->t[j].wparams, "size"));
			plot_sl_add(&sizes, sz);
		}
		if (sizes.n >= 3)
			plot_sl_add(&r->sweeps, r->t[i].wname);
		plot_sl_free(&sizes);
	}
	for (int i = 0; i < r->nt; i++) {
		if (plot_sl_find(&r->sweeps, r->t[i].wname) >= 0)
			r->sweep[plot_sl_find(&r->groups, r->t[i].glabel)] = 1;
	}
}

int plot_load_run(run_t *r, const char *dir, const char *modules, char *err, size_t errlen)
{
	int rc;
	memset(r, 0, sizeof(*r));
	r->dir = dir;
	if (load_tables(r, dir, err, errlen) != 0)
		return -1;
	build_rows(r);
	rc = select_modules(r, modules, err, errlen);
	if (rc < 0)
		return -1;
	bucket_groups(r);
	find_sweeps(r);
	return rc;
}

void plot_free_run(run_t *r)
{
	as_table_free(&r->trials);
	as_table_free(&r->context);
	as_table_free(&r->series);
	as_table_free(&r->latency);
	as_table_free(&r->hist);
	free(r->t);
	free(r->dist);
	free(r->grow);
	free(r->gfirst);
	pool_free(&r->pool);
	free(r->sweep);
	plot_sl_free(&r->sweeps);
	plot_sl_free(&r->mods);
	plot_sl_free(&r->missing);
	plot_sl_free(&r->groups);
}

/* The trials.csv row of (trial, rep). Rows of the other files come grouped
 * by trial, so the search starts where the last one ended. */
const trow_t *plot_find_trial(const run_t *r, long trial, long rep)
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

/* The kept trial (trow_t) a per-op-kind row (latency.csv, histogram.csv)
 * belongs to when it is of module `mod`, group `group` and op kind `kind`;
 * NULL otherwise. cols: the trial, rep and kind columns of tb. */
const trow_t *plot_kind_row_trial(const run_t *r, const as_table_t *tb, int i, const int cols[3],
                                  const char *mod, const char *group, const char *kind)
{
	const trow_t *t = plot_find_trial(r, (long)plot_cellnum(tb, i, cols[0]),
	                                  (long)plot_cellnum(tb, i, cols[1]));
	if (!t || !t->kept || strcmp(t->mlabel, mod) || strcmp(t->glabel, group) ||
	    strcmp(plot_cell(tb, i, cols[2]), kind))
		return NULL;
	return t;
}
