/* tune_console.c - what `allocscope tune` prints on stdout from its
 * conclusions: the table of configurations, the schedule's drops, the
 * recommendation with its gains or why glibc's defaults stay, and what the
 * trace leaves out. Prints, computes nothing (tune.c does). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "tune_cmd.h"
#include "util.h"

void as_tune_print_children(const as_capture_summary_t *s, const char *prog)
{
	const char *slash = strrchr(prog, '/');
	prog = slash ? slash + 1 : prog;
	if (s->escaped && !s->children) /* a vfork'ed child left no trace at all */
		printf("note: %d process%s %s started ran an image the capture library did not "
		       "see (an exec or spawn that dropped LD_PRELOAD, e.g. env -i): %s calls are "
		       "in no trace\n",
		       s->escaped, s->escaped == 1 ? "" : "es", prog,
		       s->escaped == 1 ? "its" : "their");
	if (!s->children)
		return;
	printf("note: the trace is %s's own process; its %d child process%s (%llu events) "
	       "%s left out",
	       prog, s->children, s->children == 1 ? "" : "es", (unsigned long long)s->child_events,
	       s->children == 1 ? "was" : "were");
	if (s->biggest[0])
		printf(": tune %s with allocscope tune %s (%llu events)",
		       s->children == 1 ? "it" : "the largest", s->biggest,
		       (unsigned long long)s->biggest_events);
	printf("\n");
	if (s->escaped) /* env -i PROG in a child: env's trace is not PROG's */
		printf(
		    "note: %d process%s %s started then ran an image the capture library did "
		    "not see (an exec or spawn that dropped LD_PRELOAD, e.g. env -i, or a kill): "
		    "%s calls are in no trace\n",
		    s->escaped, s->escaped == 1 ? "" : "es", prog,
		    s->escaped == 1 ? "its" : "their");
}

/* A ratio of the table: "0.85 (0.79-0.91)", "0.85 (no CI)" with one
 * replay, or why there is none (never "nan"). */
static void ratio_cell(char *buf, size_t len, double r, double lo, double hi)
{
	if (isnan(r))
		snprintf(buf, len, "no ratio (glibc's median is 0)");
	else if (isnan(lo))
		snprintf(buf, len, "%5.2f (no CI)", r);
	else
		snprintf(buf, len, "%5.2f (%.2f-%.2f)", r, lo, hi);
}

static void print_point(const as_tune_point_t *q, int base)
{
	char label[160], t[64], r[64], sys[32];
	snprintf(label, sizeof(label), "%s%s%s", q->module, *q->params ? ":" : "", q->params);
	/* not counted (perf refused to a user, say) is n/a, as in run's
	 * table and tune's report, never "nan" */
	if (isnan(q->sys_med))
		snprintf(sys, sizeof(sys), "n/a");
	else
		snprintf(sys, sizeof(sys), "%.0f", q->sys_med);
	printf("%c %-44s %10.2f %10.0f %9s",
	       q->recommended ? '*'
	       : q->frontier  ? 'F'
	                      : ' ',
	       label, q->time_med / 1e6, q->rss_med, sys);
	if (base || !q->n) {
		printf("   %s\n", q->n ? "(baseline)" : "no completed replay");
		return;
	}
	ratio_cell(t, sizeof(t), q->t_ratio, q->t_lo, q->t_hi);
	ratio_cell(r, sizeof(r), q->r_ratio, q->r_lo, q->r_hi);
	printf("   %-18s %s\n", t, r);
}

/* "0.83x glibc (95 % CI 0.70-0.95, p = 0.0079)": the ratio, its CI when
 * there is one, and p. */
static void ratio_words(char *buf, size_t len, double r, double lo, double hi, double p)
{
	if (isnan(lo))
		snprintf(buf, len, "%.2fx glibc (no CI, p = %.2g)", r, p);
	else
		snprintf(buf, len, "%.2fx glibc (95%% CI %.2f-%.2f, p = %.2g)", r, lo, hi, p);
}

/* One metric of the recommendation against glibc's defaults: significant
 * (compare's rule: p < 0.05 and a CI excluding 1) or not, and why. */
static void print_gain(const char *what, double r, double lo, double hi, double p, int out)
{
	char rw[160];
	if (isnan(r)) {
		printf("  %-16s no ratio: %s\n", what,
		       out == AS_CMP_NO_RATIO ? "a side has no completed replay"
		                              : "glibc's median is 0");
		return;
	}
	ratio_words(rw, sizeof(rw), r, lo, hi, p);
	if (out == AS_CMP_FASTER && r <= 1 / (1 + AS_TUNE_MIN_GAIN))
		printf("  %-16s %s: %.0f %% less\n", what, rw, (1 - r) * 100);
	else if (out == AS_CMP_FASTER)
		printf("  %-16s %s: %.1f %% less, under the %.0f %% tune counts as a gain\n", what,
		       rw, (1 - r) * 100, AS_TUNE_MIN_GAIN * 100);
	else if (out == AS_CMP_SLOWER)
		printf("  %-16s %s: %.0f %% more\n", what, rw, (r - 1) * 100);
	else if (out == AS_CMP_TOO_FEW)
		printf("  %-16s %s: too few replays for a test\n", what, rw);
	else
		printf("  %-16s %s: no significant difference\n", what, rw);
}

/* Why glibc's defaults stay although q was the best by medians. */
static void print_kept(const as_tune_cmd_t *c, const as_tune_point_t *q, int base_n)
{
	char t[160], r[160];
	ratio_words(t, sizeof(t), q->t_ratio, q->t_lo, q->t_hi, q->t_p);
	ratio_words(r, sizeof(r), q->r_ratio, q->r_lo, q->r_hi, q->r_p);
	if (c->too_few)
		printf("  keep glibc's defaults: the best by medians, %s, cannot be told from them "
		       "with %d and %d replays (no Mann-Whitney p below 0.05 is possible with so "
		       "few; run -r 4 or more)\n",
		       c->not_significant, q->n, base_n);
	else
		printf(
		    "  keep glibc's defaults: the best by medians, %s, is not a significant gain "
		    "of at least %.0f %% (tune needs p < 0.05, a 95 %% CI below 1 and at least "
		    "%.0f %% on the objective; more repetitions, -r, may tell)\n",
		    c->not_significant, AS_TUNE_MIN_GAIN * 100, AS_TUNE_MIN_GAIN * 100);
	if (c->objective != AS_TUNE_MEMORY)
		printf("  %-16s %s\n", "time", t);
	if (c->objective != AS_TUNE_TIME)
		printf("  %-16s %s\n", "peak RSS growth",
		       isnan(q->r_ratio) ? "no ratio: glibc's median is 0" : r);
}

/* What the schedule dropped and why: the configurations eliminated early
 * and the rounds the budget did not allow. */
static void print_schedule(const as_tune_cmd_t *c, const as_tune_point_t *p, int n)
{
	const as_tune_sched_t *s = &c->sched;
	int any = 0, most = 0;
	for (int i = 0; i < n; i++) {
		most = p[i].n > most ? p[i].n : most;
		if (!p[i].eliminated_by)
			continue;
		if (!any++)
			printf(
			    "eliminated early (clearly beaten: every replay of the other at least "
			    "as fast and as small, better on one; Mann-Whitney U = 0 on both):\n");
		printf("  %s%s%s after %d replays, by %s\n", p[i].module, *p[i].params ? ":" : "",
		       p[i].params, p[i].n, p[i].eliminated_by);
	}
	if (s->stop_round >= 0)
		printf("budget %.0f s reached: round %d of %u not started (%.1f s spent + %.1f s "
		       "estimated for it); at most %d replays per configuration\n",
		       s->budget_s, s->stop_round + 1, c->cfg.reps, s->stop_elapsed_s,
		       s->stop_estimate_s, most);
	else if (s->budget_s > 0)
		printf("budget %.0f s: %.1f s spent on capture and replays\n", s->budget_s,
		       (double)(as_now_ns() - s->t0_ns) / 1e9);
	if (any || s->stop_round >= 0)
		printf("\n");
}

void as_tune_print_table(const as_tune_cmd_t *c, const as_tune_point_t *p, int n)
{
	printf("\n  %-44s %10s %10s %9s   %-18s %s\n", "configuration", "time_ms", "rss_kib",
	       "syscalls", "time vs glibc", "rss vs glibc");
	for (int i = 0; i < n; i++)
		print_point(&p[i], i == 0);
	printf("(F: on the frontier of time vs peak RSS growth; *: recommended, in place of F "
	       "where it is on it; medians of "
	       "replays, ratios with bootstrap 95 %% CIs)\n\n");
	print_schedule(c, p, n);
}

void as_tune_print_recommendation(const as_tune_cmd_t *c, const as_tune_point_t *p, int rec,
                                  const char *label)
{
	const as_tune_point_t *q = &p[rec];
	printf("recommendation (objective %s%s): %s\n",
	       c->objective == AS_TUNE_TIME     ? "time"
	       : c->objective == AS_TUNE_MEMORY ? "memory"
	                                        : "balanced",
	       c->max_rss_kib >= 0 ? ", within --max-rss" : "", label);
	if (rec == 0 && c->not_significant[0])
		print_kept(c, &p[c->best_idx], p[0].n);
	else if (rec == 0)
		printf("  keep glibc's defaults: no configuration is better on the "
		       "objective\n");
	else {
		print_gain("time", q->t_ratio, q->t_lo, q->t_hi, q->t_p, q->t_out);
		print_gain("peak RSS growth", q->r_ratio, q->r_lo, q->r_hi, q->r_p, q->r_out);
	}
}
