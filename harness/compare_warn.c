/* compare_warn.c - the warnings of `allocscope compare` about the two
 * folders (compare_warn.h): their contexts, their being unfinished, their
 * machines, as lines the command prints. Reads only; never runs a trial. */
#define _GNU_SOURCE
#include "compare_warn.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "buf.h"
#include "compare_folder.h"
#include "files.h"
#include "reps_agree.h"
#include "results_dir.h"
#include "results_format.h"
#include "oom.h"

/* A warning (and an object {"key": "noisy", a, b}: the shares, "" when
 * not known, in diffs) when a folder with multi-thread trials ran on a
 * noisy machine (disturb.h AS_NOISY_SHARE): its multi-thread figures may
 * be slowed where nothing flags it. */
int as_compare_warn_noisy(const char *a, const char *b, const as_machine_t *ma,
                          const as_machine_t *mb, json_t *diffs, as_buf_t *say)
{
	char va[32] = "", vb[32] = "";
	int n = 0;
	for (int k = 0; k < 2; k++) {
		const as_machine_t *m = k ? mb : ma;
		if (!isnan(m->noisy_share))
			snprintf(k ? vb : va, sizeof(va), "%.2f", m->noisy_share);
		if (m->noisy_share >= AS_NOISY_SHARE && m->multi_thread_trials) {
			as_buf_printf(
			    say,
			    "allocscope compare: warning: %s ran on a noisy machine: %.0f %% of "
			    "its "
			    "1-thread trials disturbed; its multi-thread ns/op may be slowed where "
			    "nothing flags it\n",
			    k ? b : a, 100 * m->noisy_share);
			n++;
		}
	}
	if (n && diffs) {
		json_t *d = as_json_object();
		as_json_set_str(d, "key", "noisy");
		as_json_set_str(d, "a", va);
		as_json_set_str(d, "b", vb);
		as_json_push(diffs, d);
	}
	return n;
}

/* A warning (and an object in diffs) when the threads of one folder's
 * multi-thread trials ran farther apart than the other's, by the rule's
 * factor (disturb.h): the host placed the CPUs differently, and
 * multi-thread ns/op moves with that, whatever the modules did. */
int as_compare_warn_handoff(double ha, double hb, json_t *diffs, as_buf_t *say)
{
	char va[32], vb[32];
	if (!(ha > 0 && hb > 0) || (ha <= AS_DISTURB_HANDOFF * hb && hb <= AS_DISTURB_HANDOFF * ha))
		return 0;
	snprintf(va, sizeof(va), "%.0f", ha);
	snprintf(vb, sizeof(vb), "%.0f", hb);
	as_buf_printf(say,
	              "allocscope compare: warning: the threads' CPUs were farther apart in %s: "
	              "a cache-line round trip took %s ns in A and %s ns in B (median trials.csv "
	              "handoff_end_ns at 2 threads or more); multi-thread ns/op move with that\n",
	              ha > hb ? "A" : "B", va, vb);
	if (diffs) {
		json_t *d = as_json_object();
		as_json_set_str(d, "key", "handoff_end_ns");
		as_json_set_str(d, "a", va);
		as_json_set_str(d, "b", vb);
		as_json_push(diffs, d);
	}
	return 1;
}

/* The context keys whose difference makes a comparison suspect: the
 * machine and build, then the measurement settings (results/README.md
 * context.csv), which move the figures as much: --latency 1 against 0 and
 * --syscalls off made glibc a 2.96x "regression" in an outside review.
 * A setting is compared only when both folders record it (an older
 * folder may lack one); timing_figures only when the metric is no time,
 * which has its own warning (as_compare_warn_contexts). */
static const char *const context_keys[] = {"host",       "cpu_model",    "kernel", "glibc",
                                           "build_type", "git_revision", NULL};
static const char *const setting_keys[] = {"latency_every",
                                           "sample_every",
                                           "sample_interval_ms",
                                           "warmup_runs",
                                           "min_time_s",
                                           "jobs",
                                           "pinning",
                                           "syscall_counting",
                                           "quick_checks",
                                           "timing_figures",
                                           NULL};

/* Context warnings over the pairs of folders compared: a run's one pair,
 * or a suite's scenarios one by one (each has its own context.csv). A key
 * that differs is said once, with its values, and an object {key, a, b}
 * goes in diffs unless it is NULL; the folders whose trials ran side by
 * side (--jobs, context.csv timing_figures) are gathered per side and said
 * at the end, one line a side. */
typedef struct {
	int timing; /* the metric is a time (as_compare_timing_metric) */
	json_t *diffs;
	as_buf_t *say;       /* the lines said */
	as_buf_t said;       /* "\nkey\037a\037b\n" of each key warning given */
	as_buf_t untimed[2]; /* A's, B's scenarios without timing figures */
	int nuntimed[2];     /* folders without, per side */
	char why[2][512];    /* their timing_figures text (the first one's) */
	int n;               /* warnings */
} ctx_warn_t;

/* Warn when KEY differs between context tables ta and tb, once over a
 * suite's scenarios; a SETTING only when both have it. */
static void warn_key(ctx_warn_t *w, const as_table_t *ta, const as_table_t *tb, const char *key,
                     int setting)
{
	const char *va = as_compare_context_value(ta, key), *vb = as_compare_context_value(tb, key);
	size_t mark = w->said.len;
	if (!strcmp(va, vb) || (setting && (!*va || !*vb)))
		return;
	as_buf_printf(&w->said, "\n%s\037%s\037%s\n", key, va, vb);
	if (mark && strstr(w->said.data, w->said.data + mark) != w->said.data + mark) {
		w->said.len = mark; /* said for an earlier scenario */
		w->said.data[mark] = '\0';
		return;
	}
	as_buf_printf(
	    w->say, "allocscope compare: warning: %s differs: '%s' vs '%s'%s\n", key, va, vb,
	    setting ? " (a measurement setting: the ratio may measure it, not the change)" : "");
	if (w->diffs) {
		json_t *d = as_json_object();
		as_json_set_str(d, "key", key);
		as_json_set_str(d, "a", va);
		as_json_set_str(d, "b", vb);
		as_json_push(w->diffs, d);
	}
	w->n++;
}

/* Warn of folders a and b, scenario SCEN of a suite (NULL for two runs). */
static void warn_context_pair(ctx_warn_t *w, const char *a, const char *b, const char *scen)
{
	as_table_t t[2];
	if (as_compare_read_table(a, "context.csv", &t[0]) != 0)
		return;
	if (as_compare_read_table(b, "context.csv", &t[1]) != 0) {
		as_table_free(&t[0]);
		return;
	}
	for (int i = 0; context_keys[i]; i++)
		warn_key(w, &t[0], &t[1], context_keys[i], 0);
	for (int i = 0; setting_keys[i]; i++)
		if (!w->timing || strcmp(setting_keys[i], "timing_figures"))
			warn_key(w, &t[0], &t[1], setting_keys[i], 1);
	/* trials run side by side (--jobs): their times are no timing figures */
	for (int k = 0; k < 2 && w->timing; k++) {
		const char *tf = as_compare_context_value(&t[k], "timing_figures");
		if (!*tf)
			continue;
		if (!w->nuntimed[k]++)
			snprintf(w->why[k], sizeof(w->why[k]), "%s", tf);
		as_buf_printf(&w->untimed[k], "%s%s", w->untimed[k].len ? ", " : "",
		              scen ? scen : "");
	}
	as_table_free(&t[0]);
	as_table_free(&t[1]);
}

/* 1 when a run holds DIR's lock (results_dir.h): it is still being
 * written. The probe takes a shared flock for an instant and gives it back
 * (a run claiming the folder in that instant waits for it, as for a dead
 * owner's child); *pid the pid the run wrote there, 0 unknown. */
static int being_written(const char *dir, long *pid)
{
	char path[PATH_MAX], buf[32] = "";
	int fd, held = 0;
	*pid = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, AS_DIR_LOCK) >= sizeof(path) ||
	    (fd = as_open_regular(path, NULL, 0)) < 0) /* a FIFO there: no waiting */
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		flock(fd, LOCK_UN);
	else if (errno == EWOULDBLOCK) {
		held = 1;
		if (pread(fd, buf, sizeof(buf) - 1, 0) > 0)
			*pid = strtol(buf, NULL, 10);
	}
	close(fd);
	return held;
}

/* Index of S in the n strings v, or -1. */
static int str_index(char *const *v, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return i;
	return -1;
}

/* The distinct "workload label\037threads" of table t's rows (a
 * trials.csv) whose workload context table ctx names, into pairs (room
 * for t's rows), *np of them. Returns 0, or -1 when out of memory. */
static int known_pairs(const as_table_t *ctx, const as_table_t *t, char **pairs, int *np)
{
	for (size_t r = 0; r < t->nrows; r++) {
		char lw[1100];
		int known = 0;
		as_compare_label(t, r, "workload", "workload_params", lw, sizeof(lw));
		for (size_t q = 0; q < ctx->nrows && !known; q++)
			known = !strcmp(as_table_str(ctx, q, "key"), "workload") &&
			        !strcmp(as_table_str(ctx, q, "value"), lw);
		snprintf(lw + strlen(lw), sizeof(lw) - strlen(lw), "\037%s",
		         as_table_str(t, r, "threads"));
		if (known && str_index(pairs, *np, lw) < 0 && !(pairs[(*np)++] = strdup(lw)))
			return -1;
	}
	return 0;
}

/* How many of the nm x np groups of table t (a trials.csv) have fewer
 * rows than the repetitions asked and stopped by no rule of context
 * table ctx (as_reps_group_complete), in *nshort: group (module mods[im],
 * workload and threads pairs[ip]). Each row's group, then the rows of
 * each group one after another (a counting sort: count[g] ends as where
 * group g's rows end), for the rule that judges a group by its rows, not
 * their number. Returns 0, or -1 when out of memory. */
static int short_groups(const as_table_t *ctx, const as_table_t *t, char **mods, int nm,
                        char **pairs, int np, long asked, int *nshort)
{
	int *count = calloc((size_t)nm * (size_t)np + 2, sizeof(*count)), ngroups = nm * np,
	    rc = -1;
	int *group = malloc((t->nrows + 1) * sizeof(*group));
	size_t *rows = malloc((t->nrows + 1) * sizeof(*rows));
	if (!count || !group || !rows)
		goto out;
	for (size_t r = 0; r < t->nrows; r++) {
		char lm[512], lw[1100];
		int im, ip;
		as_compare_label(t, r, "module", "module_params", lm, sizeof(lm));
		as_compare_label(t, r, "workload", "workload_params", lw, sizeof(lw));
		snprintf(lw + strlen(lw), sizeof(lw) - strlen(lw), "\037%s",
		         as_table_str(t, r, "threads"));
		group[r] = -1;
		if ((im = str_index(mods, nm, lm)) >= 0 && (ip = str_index(pairs, np, lw)) >= 0)
			count[(group[r] = im * np + ip) + 1]++;
	}
	for (int g = 0; g < ngroups; g++)
		count[g + 1] += count[g]; /* count[g]: where group g's rows start */
	for (size_t r = 0; r < t->nrows; r++)
		if (group[r] >= 0)
			rows[count[group[r]]++] = r; /* count[g] ends where g + 1 starts */
	for (int g = 0, at = 0; g < ngroups; at = count[g++])
		*nshort += !as_reps_group_complete(ctx, t, rows + at, count[g] - at, asked);
	rc = 0;
out:
	free(count);
	free(group);
	free(rows);
	return rc;
}

/* How many of run folder DIR's module x workload x threads groups (its
 * context.csv's module and workload rows, each workload at the thread
 * counts its trials.csv rows have) have fewer trials.csv rows than the
 * repetitions asked (-r N; one under -r auto), and are no group that
 * stopped early by its rule (context.csv repetitions_agree:
 * as_reps_group_complete), in *nshort of *ngroups: what an interrupted
 * run leaves (plot's "The run is incomplete" counts alike, by the same
 * function). A folder whose context.csv names no module or workload has no
 * group. Returns 0, or -1 when a table is not read. */
static int count_short(const char *dir, int *nshort, int *ngroups, long *asked)
{
	as_table_t ctx, t;
	char path[PATH_MAX], err[PATH_MAX + 64], **mods = NULL, **pairs = NULL, *end;
	int nm = 0, np = 0, rc = -1;
	const char *rv;
	*nshort = *ngroups = 0;
	snprintf(path, sizeof(path), "%s/context.csv", dir);
	if (as_table_read(path, &ctx, err, sizeof(err)) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/trials.csv", dir);
	{
		/* the columns read here alone (a trials.csv may have a million rows) */
		const char *keep[48] = {"module", "module_params", "workload", "workload_params",
		                        "threads"};
		as_reps_agree_columns(keep + 5, sizeof(keep) / sizeof(keep[0]) - 6);
		if (as_table_read_cols(path, keep, &t, err, sizeof(err)) != 0)
			goto out_ctx;
	}
	rv = as_compare_context_value(&ctx, "repetitions");
	*asked = strtol(rv, &end, 10);
	if (end == rv || *end || *asked < 1)
		*asked = 1;
	if (!(mods = calloc(ctx.nrows + 1, sizeof(*mods))) ||
	    !(pairs = calloc(t.nrows + 1, sizeof(*pairs))))
		goto out;
	for (size_t r = 0; r < ctx.nrows; r++)
		if (!strcmp(as_table_str(&ctx, r, "key"), "module") &&
		    as_table_cell(&ctx, r, "value", (const char **)&mods[nm]) == 0)
			nm++;
	if (known_pairs(&ctx, &t, pairs, &np) != 0 ||
	    short_groups(&ctx, &t, mods, nm, pairs, np, *asked, nshort) != 0)
		goto out;
	*ngroups = nm * np;
	rc = 0;
out:
	for (int i = 0; i < np; i++)
		free(pairs[i]);
	free(pairs);
	free(mods);
	as_table_free(&t);
out_ctx:
	as_table_free(&ctx);
	return rc;
}

/* Warnings for run folder DIR (a suite's scenario SCEN, else NULL) that is
 * not a finished run: its lock held (a run still writes it), or fewer
 * trials than planned; side k (0 A, 1 B) noted in flags. Returns how
 * many lines. */
static int warn_unfinished(const char *dir, int k, int flags[2][2], as_buf_t *say)
{
	long pid, asked;
	int nshort, ngroups, n = 0;
	if (being_written(dir, &pid)) {
		char who[48] = "";
		if (pid > 0)
			snprintf(who, sizeof(who), " (pid %ld)", pid);
		char *dir_w = as_shell_word(dir);
		as_buf_printf(
		    say,
		    "allocscope compare: warning: %s is still being written: an allocscope "
		    "run holds its %s%s; its trials so far are compared, and may change\n",
		    dir_w, AS_DIR_LOCK, who);
		free(dir_w);
		flags[k][0] = 1;
		n++;
	}
	if (count_short(dir, &nshort, &ngroups, &asked) != 0 || !nshort)
		return n;
	flags[k][1] = 1;
	{
		/* a suite's scenario is finished through its suite */
		char up[PATH_MAX + 16], *parent = as_xstrdup(dir, "a folder's name"), *dir_w,
		                        *resume_w;
		int scen;
		snprintf(up, sizeof(up), "%s/../suite.args", dir);
		scen = access(up, F_OK) == 0;
		dir_w = as_shell_word(dir);
		resume_w = as_shell_word(scen ? dirname(parent) : dir);
		as_buf_printf(
		    say,
		    "allocscope compare: warning: %s is incomplete: %d of its %d module x "
		    "workload x threads groups have fewer trials.csv rows than the %ld "
		    "repetition%s asked (an interrupted %s; `allocscope %s --resume %s` "
		    "finishes it)\n",
		    dir_w, nshort, ngroups, asked, asked == 1 ? "" : "s", scen ? "suite" : "run",
		    scen ? "suite" : "run", resume_w);
		free(dir_w);
		free(resume_w);
		free(parent);
	}
	return n + 1;
}

/* Every pair's warnings (see ctx_warn_t); returns how many. */
int as_compare_warn_contexts(const char *a, const char *b, int timing, json_t *diffs, as_buf_t *say)
{
	ctx_warn_t w = {.timing = timing, .diffs = diffs, .say = say};
	int unf[2][2] = {{0, 0}, {0, 0}}; /* per side: being written, incomplete */
	if (as_results_kind(a) == AS_RESULTS_SUITE) {
		int n;
		char **subs = as_compare_common_scenarios(a, b, &n);
		for (int i = 0; i < n; i++) {
			char pa[PATH_MAX], pb[PATH_MAX];
			snprintf(pa, sizeof(pa), "%s/%s", a, subs[i]);
			snprintf(pb, sizeof(pb), "%s/%s", b, subs[i]);
			warn_context_pair(&w, pa, pb, subs[i]);
			w.n += warn_unfinished(pa, 0, unf, say) + warn_unfinished(pb, 1, unf, say);
			free(subs[i]);
		}
		free(subs);
	} else {
		warn_context_pair(&w, a, b, NULL);
		w.n += warn_unfinished(a, 0, unf, say) + warn_unfinished(b, 1, unf, say);
	}
	for (int f = 0; f < 2 && diffs; f++) {
		json_t *d;
		if (!unf[0][f] && !unf[1][f])
			continue;
		d = as_json_object();
		as_json_set_str(d, "key", f ? "incomplete" : "being_written");
		as_json_set_str(d, "a", unf[0][f] ? "true" : "");
		as_json_set_str(d, "b", unf[1][f] ? "true" : "");
		as_json_push(diffs, d);
	}
	for (int k = 0; k < 2; k++) {
		if (!w.nuntimed[k])
			continue;
		if (w.untimed[k].len) /* a suite's scenarios, named */
			as_buf_printf(
			    w.say,
			    "allocscope compare: warning: %s has no timing figures to compare in "
			    "%s (context.csv timing_figures: %s)\n",
			    k ? b : a, w.untimed[k].data, w.why[k]);
		else
			as_buf_printf(
			    w.say,
			    "allocscope compare: warning: %s has no timing figures to compare "
			    "(context.csv timing_figures: %s)\n",
			    k ? b : a, w.why[k]);
		w.n++;
		as_buf_free(&w.untimed[k]);
	}
	as_buf_free(&w.said);
	return w.n;
}
