/* report_console.c - the console reporter: a progress bar with trial i/n
 * and ETA on stderr while the run goes (only on a terminal, never under
 * CI; a suite's scenarios share one bar), and at the end the table of
 * medians per trial on stdout, the same numbers the CSV reporter writes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "disturb.h"
#include "labels.h"
#include "reporter.h"
#include "results.h"
#include "stats.h"
#include "suite.h"
#include "syscount.h"
#include "tables.h"
#include "util.h"
#include "verdict.h"
#include "oom.h"

/* What the table and the bar call a run's modules and workloads: the
 * shortest labels that tell them apart (labels.c), never cut; the full
 * specs are in the CSV files. */
typedef struct {
	char **full, **show;
	int n, width;
} names_t;

typedef struct {
	int tty;
	const as_run_t *run; /* the run the names are of */
	names_t mods, wls;
} console_t;

static void names_free(names_t *nm)
{
	for (int i = 0; i < nm->n; i++) {
		free(nm->full[i]);
		free(nm->show[i]);
	}
	free(nm->full);
	free(nm->show);
	memset(nm, 0, sizeof(*nm));
}

/* The distinct labels (module when `wl` is 0, else workload) of run's
 * specs and their short forms; width: the longest, at least MINW. */
static void names_make(names_t *nm, const as_run_t *run, int wl, int minw)
{
	names_free(nm);
	nm->full = as_xcalloc((size_t)run->n + 1, sizeof(char *), "the console's module names");
	nm->show = as_xcalloc((size_t)run->n + 1, sizeof(char *), "the console's module names");
	for (int i = 0; i < run->n; i++) {
		const char *l = wl ? run->specs[i].workload->label : run->specs[i].module->label;
		int k = 0;
		while (k < nm->n && strcmp(nm->full[k], l))
			k++;
		if (k == nm->n)
			nm->full[nm->n++] = as_xstrdup(l, "a module's name");
	}
	as_short_labels(nm->full, nm->n, nm->show);
	nm->width = minw;
	for (int i = 0; i < nm->n; i++)
		if ((int)strlen(nm->show[i]) > nm->width)
			nm->width = (int)strlen(nm->show[i]);
}

static const char *names_show(const names_t *nm, const char *full)
{
	for (int i = 0; i < nm->n; i++)
		if (!strcmp(nm->full[i], full))
			return nm->show[i];
	return full;
}

/* The names of RUN, made once per run (a suite reuses the reporter). */
static void console_names(console_t *c, const as_run_t *run)
{
	if (c->run == run && c->mods.n)
		return;
	c->run = run;
	names_make(&c->mods, run, 0, 6);
	names_make(&c->wls, run, 1, 8);
}

/* Where trial I (warm-up run I when WARM) sits in its run's matrix, and
 * the matrix size: warm-up runs first, then repetition by repetition. By
 * matrix index, not by trials kept, so that -r auto's dropped
 * repetitions move the bar on rather than leaving it short. */
static long run_pos(const as_run_t *run, int i, int warm, long *total)
{
	const as_run_cfg_t *cfg = run->cfg;
	long ndistinct = (long)cfg->nmodules * cfg->nworkloads * cfg->nthreads;
	*total = run->nwarm + ndistinct * (long)cfg->reps;
	if (warm)
		return i;
	return run->nwarm + (long)run->specs[i].rep * ndistinct + run->specs[i].trial;
}

/* The terminal's width; 80 when it does not say. */
static int term_cols(void)
{
	struct winsize ws;
	if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

/* One bar for the run, or for the whole suite when the run is one of its
 * scenarios: POS of TOTAL matrix entries done, ETA from the rate so far,
 * and WHAT runs now. The bar takes a quarter of the terminal's width (at
 * most 30), and the line is cut to that width (a wrapped line cannot be
 * redrawn in place); NL ends it. */
static void bar(const as_run_t *run, long pos, long total, const char *what, int nl)
{
	const as_suite_progress_t *sp = run->cfg->suite;
	uint64_t t0 = sp ? sp->t0_ns : run->t0_ns;
	double el = (double)(as_now_ns() - t0) / 1e9;
	int cols = term_cols(), width = cols / 4 > 30 ? 30 : cols / 4, fill;
	char line[1024], eta[32];
	size_t len;
	if (sp) {
		pos += sp->before;
		total = sp->total;
	}
	if (pos > total)
		pos = total;
	fill = total ? (int)(pos * width / total) : 0;
	if (pos > 0)
		snprintf(eta, sizeof(eta), "%4.0fs", el / (double)pos * (double)(total - pos));
	else
		snprintf(eta, sizeof(eta), "   ?");
	len = (size_t)snprintf(line, sizeof(line), "[%.*s%*s] %ld/%ld  ETA %s  ", fill,
	                       "##############################", width - fill, "", pos, total, eta);
	if (sp && len < sizeof(line))
		len += (size_t)snprintf(line + len, sizeof(line) - len,
		                        "scenario %d/%d %s: ", sp->scenario + 1, sp->nscenarios,
		                        run->cfg->scenario ? run->cfg->scenario->name : "");
	if (len < sizeof(line))
		snprintf(line + len, sizeof(line) - len, "%s", what);
	len = strlen(line);
	if (len >= (size_t)cols) {
		/* cut at a character, not inside a UTF-8 sequence */
		len = (size_t)cols - 1;
		while (len > 0 && ((unsigned char)line[len] & 0xC0) == 0x80)
			len--;
		line[len] = '\0';
	}
	fprintf(stderr, "\r%s\033[K", line);
	if (nl)
		fputc('\n', stderr);
	fflush(stderr);
}

static void con_progress(void *self, const as_run_t *run, int i, int warm)
{
	console_t *c = self;
	char what[1024];
	long total, pos;
	if (!c->tty)
		return;
	pos = run_pos(run, i, warm, &total);
	if (warm) {
		bar(run, pos, total, "warm-up", 0);
		return;
	}
	console_names(c, run);
	snprintf(what, sizeof(what), "%s / %s / %ut",
	         names_show(&c->mods, run->specs[i].module->label),
	         names_show(&c->wls, run->specs[i].workload->label), run->specs[i].threads);
	bar(run, pos, total, what, 0);
}

/* Counting asked for but not possible here (no permission for perf, no
 * tracefs, no seccomp): the syscalls column only shows n/a and the reason
 * sits in context.csv, so the terminal says it too, once per process (a
 * suite is many runs), with the remedy. */
static void syscalls_notice(const console_t *c, const as_run_t *run, const char *reason)
{
	static int said;
	char why[256];
	if (said || !reason[0])
		return;
	said = 1;
	snprintf(why, sizeof(why), "%s", reason);
	if (run->cfg->no_syscalls_option)
		as_syscount_drop_remedy(why);
	fprintf(stderr, "%sallocscope: memory syscalls not counted (syscalls columns n/a): %s%s\n",
	        c->tty ? "\n" : "", why,
	        run->cfg->syscalls == AS_SYSCOUNT_PERF && !run->cfg->no_syscalls_option &&
	                !strstr(why, "--syscalls seccomp")
	            ? " (try --syscalls seccomp)"
	            : "");
}

/* Times taken under --syscalls seccomp hold a ptrace stop per counted
 * call: without the table's line under it (-q, a suite), said once per
 * process on stderr, at the first trial of a run that writes times. */
static void seccomp_notice(const console_t *c, const as_run_t *run)
{
	static int said;
	if (said || run->cfg->syscalls != AS_SYSCOUNT_SECCOMP || !run->cfg->quiet ||
	    run->cfg->jobs > 1)
		return;
	said = 1;
	fprintf(stderr,
	        "%sallocscope: --syscalls seccomp: each counted call is a ptrace stop of about 20 "
	        "us inside the times (context.csv warning_timing); time with --syscalls perf or "
	        "off\n",
	        c->tty ? "\n" : "");
}

/* A failed trial gets a line on stderr when no progress bar shows it (the
 * row in trials.csv says the same); skipped trials are not failures. */
static int con_trial(void *self, const as_run_t *run, int i, char *err, size_t errlen)
{
	console_t *c = self;
	const as_trial_spec_t *s = &run->specs[i];
	const as_trial_result_t *r = run->cur;
	(void)err;
	(void)errlen;
	syscalls_notice(c, run, r->syscalls_na);
	seccomp_notice(c, run);
	/* the threads that ran: a trace's own, not -t's */
	uint32_t thr = as_trial_threads(s, r);
	/* a module whose probe failed: its one line said so ("its trials are
	 * not run"), not again for each of its trials */
	const as_probe_result_t *p = &run->cfg->probe[s->module - run->cfg->modules];
	if (p->probed && p->status != AS_OK && !strncmp(r->reason, "not run: ", 9))
		return 0;
	if (!c->tty && r->status != AS_OK && r->status != AS_ERR_UNSUPPORTED)
		fprintf(stderr, "allocscope: trial %u rep %u (%s, %s, %u thread%s): %s: %s\n",
		        s->trial, s->rep, s->module->label, s->workload->label, thr,
		        thr == 1 ? "" : "s", as_status_name(r->status), r->reason);
	return 0;
}

/* x in FMT (one double), or "n/a" when it has no value: a cell never
 * reads "nan". */
static void num_cell(char *buf, size_t len, const char *fmt, double x)
{
	if (isnan(x))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, fmt, x);
}

/* One table line: medians over the ok repetitions of trial `first` the
 * statistics keep (dist: as_disturbed_set; NULL: all). */
static void table_line(const console_t *c, const as_run_t *run, const unsigned char *dist,
                       int first, int latency)
{
	const as_trial_spec_t *specs = run->specs;
	const as_trial_rec_t *res = run->res;
	double ns[256], ops[256], rss[256], ovh[256], flt[256], sys[256], pa[256], pf[256];
	int k = 0, bad = -1;
	const char *mod = names_show(&c->mods, run->specs[first].module->label);
	const char *wl = names_show(&c->wls, run->specs[first].workload->label);
	int mw = c->mods.width, ww = c->wls.width;
	char st[16], sbuf[16];
	double sm, med_ns, lo, hi;
	char cibuf[24];
	uint32_t thr = as_group_threads(specs, res, run->n, first);
	for (int j = 0; j < run->n && k < 256; j++) {
		if (specs[j].trial != specs[first].trial)
			continue;
		if (res[j].status != AS_OK) {
			if (bad < 0)
				bad = j; /* show the first failing rep's status */
			continue;
		}
		if (dist && dist[j] == AS_DIST_OUT)
			continue;
		ns[k] = res[j].v[AS_TC_ns_per_op];
		ops[k] = res[j].v[AS_TC_ops_per_sec];
		/* growth, not the absolute peak: the baseline holds the harness's
		 * own memory (op arrays, buffers), the growth is the module's */
		rss[k] = (res[j].v[AS_TC_rss_peak_kib] - res[j].v[AS_TC_rss_before_kib]) / 1024.0;
		ovh[k] = res[j].v[AS_TC_overhead_ratio];
		flt[k] = res[j].v[AS_TC_minflt];
		sys[k] = res[j].v[AS_TC_syscalls_total];
		pa[k] = res[j].p99_ns[AS_OP_ALLOC];
		pf[k] = res[j].p99_ns[AS_OP_FREE];
		k++;
	}
	snprintf(st, sizeof(st), "%s", bad < 0 ? "ok" : as_status_name(res[bad].status));
	if (k == 0) {
		printf("%-*s %-*s %3u %-10s %s\n", mw, mod, ww, wl, thr, st,
		       res[bad].reason ? res[bad].reason : "");
		return;
	}
	med_ns = as_median(ns, k); /* sorts ns: the CI reads it sorted */
	as_median_ci95(ns, k, &lo, &hi);
	if (isnan(lo))
		snprintf(cibuf, sizeof(cibuf), "n/a");
	else
		snprintf(cibuf, sizeof(cibuf), "±%.1f%%",
		         fmax(med_ns - lo, hi - med_ns) / med_ns * 100);
	sm = as_median(sys, k);
	if (isnan(sm))
		snprintf(sbuf, sizeof(sbuf), "n/a");
	else
		snprintf(sbuf, sizeof(sbuf), "%.0f", sm);
	{
		/* no timing (--jobs): "-", not nan */
		char nsbuf[24] = "-", opsbuf[24] = "-";
		double mops = as_median(ops, k);
		if (!isnan(med_ns))
			snprintf(nsbuf, sizeof(nsbuf), "%.2f", med_ns);
		if (!isnan(mops))
			snprintf(opsbuf, sizeof(opsbuf), "%.4g", mops);
		if (isnan(med_ns))
			snprintf(cibuf, sizeof(cibuf), "-");
		char rbuf[24], obuf[24], fbuf[24];
		num_cell(rbuf, sizeof(rbuf), "%.2fM", as_median(rss, k));
		num_cell(obuf, sizeof(obuf), "%.2f", as_median(ovh, k));
		num_cell(fbuf, sizeof(fbuf), "%.0f", as_median(flt, k));
		printf("%-*s %-*s %3u %-10s %3d %10s %7s %12s %10s %6s %10s %9s", mw, mod, ww, wl,
		       thr, st, k, nsbuf, cibuf, opsbuf, rbuf, obuf, fbuf, sbuf);
	}
	if (latency) {
		/* no op of a kind timed (threshold:size=1m times no alloc): n/a, as the
		 * other cells, not "nan" */
		char abuf[24], frbuf[24];
		num_cell(abuf, sizeof(abuf), "%.0f", as_median(pa, k));
		num_cell(frbuf, sizeof(frbuf), "%.0f", as_median(pf, k));
		printf(" %11s %11s", abuf, frbuf);
	}
	printf("\n");
}

/* A line when the machine disturbed trials (disturb.h): how many, how many
 * of them the statistics left out and how many they kept (a group with
 * fewer than 2 undisturbed keeps all: summary.csv reps_left_out lists only
 * the left out), and the groups whose ns/op spread is over 1.5 with them
 * and within it without; with -r auto, a second when groups were left with
 * fewer than AS_AUTO_MIN_REPS undisturbed (--max-time's stretch or the
 * budget spent). */
static void disturbed_note(const as_run_t *run)
{
	as_summary_row_t *rows;
	int nrows = as_summary_rows(run->specs, run->res, run->n, &rows), nd = 0, nok = 0;
	int over = 0, within = 0, short6 = 0;
	if (nrows < 0)
		return;
	for (int i = 0; i < nrows; i++) {
		nd += rows[i].reps_disturbed;
		nok += rows[i].reps_ok;
		short6 += rows[i].reps_disturbed > 0 &&
		          rows[i].reps_ok - rows[i].reps_disturbed < AS_AUTO_MIN_REPS;
		if (rows[i].ns_per_op_spread > 1.5) {
			over++;
			within += rows[i].ns_per_op_spread_undisturbed <= 1.5;
		}
	}
	free(rows);
	if (nd) {
		/* how many each rule took, in the order they are judged */
		unsigned char *dist = malloc((size_t)run->n), *rule = malloc((size_t)run->n);
		int by[AS_RULE_COUNT] = {0}, nout = 0, nkept = 0;
		char rules[160] = "", kept[96] = "";
		size_t w = 0;
		if (dist && rule &&
		    as_disturbed_rules(run->specs, run->res, run->n, dist, rule) == 0)
			for (int i = 0; i < run->n; i++) {
				by[dist[i] != AS_DIST_NO ? rule[i] : AS_RULE_NONE]++;
				nout += dist[i] == AS_DIST_OUT;
				nkept += dist[i] == AS_DIST_KEPT;
			}
		free(dist);
		free(rule);
		for (int k = 1; k < AS_RULE_COUNT && w < sizeof(rules); k++)
			if (by[k])
				w +=
				    (size_t)snprintf(rules + w, sizeof(rules) - w, "%s%s %d",
				                     w ? ", " : "", as_disturb_rule_name(k), by[k]);
		if (nkept)
			snprintf(kept, sizeof(kept),
			         ", %d kept (fewer than 2 of their group's repetitions were "
			         "undisturbed)",
			         nkept);
		printf("(disturbed: %d of %d ok trials ran while the machine was slow, stalled "
		       "a pass, had the threads' CPUs farther apart or ran in a round the host "
		       "moved them in (trials.csv wait_ns, sampling_ns, pass_ns_max, "
		       "handoff_end_ns; by rule: %s, summary.csv reps_left_out_rules); %d left out "
		       "of the statistics (summary.csv reps_left_out)%s%s; "
		       "ns/op max/min "
		       "over 1.5 in %d group(s), %d of them within 1.5 without the disturbed: "
		       "summary.csv reps_disturbed, ns_per_op_spread_undisturbed)\n",
		       nd, nok, w ? rules : "-", nout, kept,
		       run->cfg->reps_auto ? ", each disturbed one run again by -r auto" : "", over,
		       within);
	}
	if (run->cfg->reps_auto && short6 && run->interrupted)
		/* short because the run stopped, not because the machine was
		 * busy (an outside review: the line blamed the machine) */
		printf("(%d group(s) kept fewer than %d undisturbed repetitions, n above: the run "
		       "was interrupted before -r auto had run them; --resume finishes it)\n",
		       short6, AS_AUTO_MIN_REPS);
	else if (run->cfg->reps_auto && short6)
		printf("(%d group(s) kept fewer than %d undisturbed repetitions, n above: the "
		       "machine disturbed most of their trials; -r auto ran more until %d x "
		       "--max-time (%.3g s) or the budget was spent; a larger --max-time runs "
		       "more)\n",
		       short6, AS_AUTO_MIN_REPS, AS_AUTO_SHORT_STRETCH, run->cfg->group_max_s);
}

/* A line when the machine was noisy (disturb.h AS_NOISY_SHARE) in a run
 * with multi-thread trials: their ns/op may be slowed where no figure
 * flags it. */
static void noisy_note(const as_run_t *run)
{
	unsigned char *dist = malloc((size_t)(run->n ? run->n : 1));
	as_machine_t m = {0, NAN, 0, NAN, NAN};
	if (dist && as_disturbed_set(run->specs, run->res, run->n, dist) == 0)
		as_machine(run->specs, run->res, run->n, dist, &m);
	free(dist);
	if (m.multi_thread_trials && m.noisy_share >= AS_NOISY_SHARE)
		printf("(a noisy machine: %.0f %% of the %d ok 1-thread trials were disturbed; in "
		       "such runs the multi-thread trials ran slowed too, which no figure flags: "
		       "their spread and rankings are suspect, run again on a quiet machine; "
		       "docs/measure.md \"Two threads: where the host put the CPUs\")\n",
		       100 * m.noisy_share, m.one_thread_trials);
}

/* A line when undisturbed repetitions were slow in every pass (results.h
 * AS_SLOW_PASSES): which groups, so a spread over 1.5 that no figure of the
 * machine explains is not read as noise. */
static void slow_passes_note(const as_run_t *run)
{
	as_summary_row_t *rows;
	int nrows = as_summary_rows(run->specs, run->res, run->n, &rows), ns = 0, ng = 0;
	if (nrows < 0)
		return;
	for (int i = 0; i < nrows; i++)
		if (rows[i].reps_slow_passes > 0) {
			ns += (int)rows[i].reps_slow_passes;
			ng++;
		}
	if (ns) {
		int shown = 0;
		printf("(slow in every pass: %d undisturbed repetition(s) in %d group(s) ran their "
		       "median pass at %.0f x their group's or more, not in one pass nor waiting "
		       "for a CPU: kept in the statistics:",
		       ns, ng, AS_SLOW_PASSES);
		for (int i = 0; i < nrows && shown < 4; i++)
			if (rows[i].reps_slow_passes > 0) {
				const as_trial_spec_t *sp = rows[i].spec;
				printf("%s %s t%u %s %.0f", shown ? "," : "", sp->workload->label,
				       rows[i].threads, sp->module->label,
				       rows[i].reps_slow_passes);
				shown++;
			}
		printf("%s; summary.csv reps_slow_passes)\n", ng > shown ? ", ..." : "");
	}
	free(rows);
}

/* A line when ok trials ran one pass shorter than --min-time (any of a
 * group's repetitions, each group once): their op
 * stream leaves blocks live at its end (a trace of a program that exits
 * without freeing all it allocated, a memory scenario), or the module has
 * no free, so the stream cannot run again on the same slots; their
 * timings are one cold pass's (an outside review found captured traces
 * timed on one 1 ms pass, unsaid). */
/* Trial i ran one pass shorter than --min-time, and is the first of its
 * group (any repetition) that did. */
static int one_short_pass(const as_run_t *run, int i)
{
	const as_trial_rec_t *r = &run->res[i];
	if (r->status != AS_OK || r->v[AS_TC_passes] != 1 ||
	    !(r->v[AS_TC_elapsed_ns] < run->cfg->min_time_s * 1e9))
		return 0;
	for (int j = 0; j < i; j++)
		if (run->specs[j].trial == run->specs[i].trial && run->res[j].status == AS_OK &&
		    run->res[j].v[AS_TC_passes] == 1 &&
		    run->res[j].v[AS_TC_elapsed_ns] < run->cfg->min_time_s * 1e9)
			return 0;
	return 1;
}

static void one_pass_note(const as_run_t *run)
{
	int ng = 0, shown = 0;
	double longest = 0;
	if (run->cfg->min_time_s <= 0 || run->cfg->jobs > 1)
		return;
	for (int i = 0; i < run->n; i++) {
		if (run->res[i].status == AS_OK && run->res[i].v[AS_TC_passes] == 1 &&
		    run->res[i].v[AS_TC_elapsed_ns] < run->cfg->min_time_s * 1e9 &&
		    run->res[i].v[AS_TC_elapsed_ns] > longest)
			longest = run->res[i].v[AS_TC_elapsed_ns];
		ng += one_short_pass(run, i);
	}
	if (!ng)
		return;
	printf("(one pass: %d group(s) ran their op stream once, %.3g ms or less, not for "
	       "--min-time's %.3g s: the stream leaves blocks live at its end (a trace of a "
	       "program that exits without freeing, a memory scenario) or the module has no "
	       "free for the objects it frees one by one, so it cannot run again; their "
	       "timings are one cold pass's:",
	       ng, longest / 1e6, run->cfg->min_time_s);
	for (int i = 0; i < run->n && shown < 4; i++) {
		if (!one_short_pass(run, i))
			continue;
		printf("%s %s %s", shown ? "," : "", run->specs[i].workload->label,
		       run->specs[i].module->label);
		shown++;
	}
	printf("%s; trials.csv passes)\n", ng > shown ? ", ..." : "");
}

void as_console_jump_note(FILE *out, double jump_ns)
{
	static int said;
	if (said || !(jump_ns > 0))
		return;
	said = 1;
	fprintf(out,
	        "(note: this machine's clock moves in jumps of %.1f ns: per-call latencies below "
	        "that read as 0 or %.1f ns, and every latency percentile is a multiple of it; "
	        "ns/op is not affected; context.csv timer_jump_ns)\n",
	        jump_ns, jump_ns);
}

static int con_end(void *self, const as_run_t *run, char *err, size_t errlen)
{
	console_t *c = self;
	/* trials side by side (--jobs) time nothing: no latency columns */
	int latency = run->cfg->latency_every != 0 && run->cfg->jobs <= 1;
	unsigned char *dist;
	(void)err;
	(void)errlen;
	if (c->tty && !run->interrupted) {
		/* a suite's bar goes on over its next scenario */
		const as_suite_progress_t *sp = run->cfg->suite;
		long total;
		run_pos(run, 0, 1, &total);
		bar(run, total, total, "done", !sp || sp->scenario + 1 == sp->nscenarios);
	}
	if (run->cfg->quiet)
		return 0;
	console_names(c, run);
	printf("\n%-*s %-*s %3s %-10s %3s %10s %7s %12s %10s %6s %10s %9s", c->mods.width, "module",
	       c->wls.width, "workload", "thr", "status", "n", "ns/op", "95% CI", "ops/s",
	       "RSSgrowth", "ovh", "minflt", "syscalls");
	if (latency)
		printf(" %11s %11s", "p99alloc_ns", "p99free_ns");
	printf("\n");
	dist = malloc((size_t)(run->n ? run->n : 1));
	if (dist && as_disturbed_set(run->specs, run->res, run->n, dist) != 0) {
		free(dist);
		dist = NULL; /* out of memory: every ok repetition */
	}
	for (int i = 0; i < run->n; i++)
		if (run->specs[i].rep == 0)
			table_line(c, run, dist, i, latency);
	free(dist);
	printf("(RSSgrowth: peak RSS - RSS before the timed region, MiB; ovh: that / peak live "
	       "bytes)\n");
	printf("(medians over n ok repetitions, the disturbed left out; 95%% CI of the ns/op "
	       "median, order statistics, n/a below n = 6%s)\n",
	       run->cfg->reps_auto ? "; -r auto: more reps until it is within --ci" : "");
	if (run->cfg->reps_auto && run->stops_known && !run->interrupted)
		/* what stopped them (the terminal said only what -r auto aims
		 * at, context.csv why it stopped: an outside review) */
		printf(
		    "(-r auto: groups stopped: %d by the CI, %d by --max-time (%.3g s), %d by the "
		    "budget, %d at %u repetitions, %d failed or skipped; context.csv "
		    "repetitions_stopped)\n",
		    run->stops.ci, run->stops.max_time, run->cfg->group_max_s, run->stops.budget,
		    run->stops.most, run->cfg->reps, run->stops.failed);
	if (latency) {
		printf("(p99 latencies: latency.csv has every percentile and op kind)\n");
		as_console_jump_note(stdout, run->timer_jump_ns);
	}
	if (run->cfg->jobs > 1)
		printf("(ns/op, ops/s: -, trials ran %d at a time (--jobs) and share the cores: no "
		       "timing figures, context.csv timing_figures)\n",
		       run->cfg->jobs);
	else if (run->cfg->validate)
		printf("(--validate: ns/op, ops/s and latencies include its check of every "
		       "block: no allocator's speed; context.csv timing_figures)\n");
	if (run->cfg->syscalls == AS_SYSCOUNT_SECCOMP && run->cfg->jobs <= 1)
		printf("(--syscalls seccomp: each counted call is a ptrace stop of about 20 us "
		       "inside ns/op and the latencies; time with --syscalls perf or off; "
		       "context.csv warning_timing)\n");
	disturbed_note(run);
	noisy_note(run);
	slow_passes_note(run);
	one_pass_note(run);
	return 0;
}

static void con_destroy(void *self)
{
	console_t *c = self;
	names_free(&c->mods);
	names_free(&c->wls);
	free(c);
}

int as_reporter_console(as_reporter_t *r)
{
	console_t *c = calloc(1, sizeof(*c));
	memset(r, 0, sizeof(*r));
	if (!c)
		return -1;
	c->tty = isatty(2) && !getenv("CI");
	r->name = "console";
	r->self = c;
	r->progress = con_progress;
	r->trial = con_trial;
	r->end = con_end;
	r->destroy = con_destroy;
	return 0;
}

/* A measured figure for the console: a whole count as it is (4000, not
 * 4e+03), anything else to 3 significant digits. */
static const char *fig(char *buf, size_t len, double v)
{
	if (v == floor(v) && fabs(v) < 1e7)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.3g", v);
	return buf;
}

void as_console_verdicts(FILE *out, const as_scenario_t *sc, const as_verdict_row_t *v, int n)
{
	/* the claim column as wide as the scenario's longest claim (44 at
	 * least, 64 at most): "faster than tcmalloc" was cut at "tcmall"; the
	 * module column as wide as its longest label (18 at least), never cut:
	 * "glibc:mmap_threshold=1m" read as glibc */
	int ww = 18, cw = 44;
	for (const as_claim_t *c = sc->claims; c && c->claim; c++)
		if ((int)strlen(c->claim) > cw)
			cw = strlen(c->claim) > 64 ? 64 : (int)strlen(c->claim);
	for (int i = 0; i < n; i++)
		if ((int)strlen(v[i].module) > ww)
			ww = (int)strlen(v[i].module);
	for (int i = 0; i < n; i++) {
		char meas[64], f0[24], f1[24], f2[24];
		if (i == 0)
			fprintf(out, "   %-12s %-*s %-*s %-12s %-22s %s\n", "verdict", ww, "module",
			        cw, "claim", "expected", "measured (interval)", "n");
		if (isnan(v[i].measured)) /* no figure (syscalls not counted, say): n/a,
		                             as report.md has it */
			snprintf(meas, sizeof(meas), "n/a (not measured)");
		else if (isnan(v[i].ci_lo) || isnan(v[i].ci_hi)) /* one repetition of a time,
		                                                   or nothing to resample */
			snprintf(meas, sizeof(meas), "%s (no interval)",
			         fig(f0, sizeof(f0), v[i].measured));
		else
			snprintf(meas, sizeof(meas), "%s (%s-%s)",
			         fig(f0, sizeof(f0), v[i].measured),
			         fig(f1, sizeof(f1), v[i].ci_lo), fig(f2, sizeof(f2), v[i].ci_hi));
		fprintf(out, "   %-12s %-*s %-*.*s %-12s %-22s %d\n", as_verdict_name(v[i].verdict),
		        ww, v[i].module, cw, cw, v[i].claim, v[i].expected, meas, v[i].n);
	}
}

void as_console_scenario_summary(FILE *out, const as_scenario_t *sc, const as_scenario_summary_t *s)
{
	int lw = (int)strlen("workload"), cw[AS_RUN_MAX_ITEMS];
	/* every column as wide as its widest label or cell, none cut: at
	 * %-44.44s and %9.9s "...,ops=100000,touch=all t1" read "...,ops=100"
	 * and glibc:trim_threshold=1m and glibc:mmap_threshold=1m both "glibc:tri"
	 * and "glibc:mma" */
	for (int k = 0; k < s->nrows; k++)
		lw = (int)strlen(s->rows[k]) > lw ? (int)strlen(s->rows[k]) : lw;
	for (int m = 0; m < s->nmods; m++) {
		cw[m] = (int)strlen(s->mods[m]) > 9 ? (int)strlen(s->mods[m]) : 9;
		for (int k = 0; k < s->nrows; k++) {
			const char *st = s->status[k * s->nmods + m];
			if (st && (int)strlen(st) > cw[m])
				cw[m] = (int)strlen(st);
		}
	}
	fprintf(out, "   expected: %s\n", sc->shape);
	fprintf(out, "   %s (median; headline.csv):\n   %-*s", sc->metric_name, lw, "workload");
	for (int m = 0; m < s->nmods; m++)
		fprintf(out, " %*s", cw[m], s->mods[m]);
	fprintf(out, "\n");
	for (int k = 0; k < s->nrows; k++) {
		fprintf(out, "   %-*s", lw, s->rows[k]);
		for (int m = 0; m < s->nmods; m++) {
			double x = s->value[k * s->nmods + m];
			const char *st = s->status[k * s->nmods + m];
			if (!isnan(x))
				fprintf(out, " %*.3g", cw[m], x);
			else
				fprintf(out, " %*s", cw[m],
				        !st                ? "-"
				        : strcmp(st, "ok") ? st
				                           : "n/a");
		}
		fprintf(out, "\n");
	}
	for (int k = 0; k < s->nreasons; k++) {
		if (strcmp(s->reason[k].status, "ok"))
			fprintf(out, "   %s: %s\n", s->reason[k].status, s->reason[k].text);
		else
			fprintf(out, "   %s\n", s->reason[k].text);
	}
}
