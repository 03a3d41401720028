/* cmd_tune.c - `allocscope tune TRACE | -- PROG ARGS`: capture the program
 * first when given one, replay the trace over a grid of modules x settings
 * (the runner's trials, nothing new underneath), then print the Pareto
 * frontier of time against peak RSS growth, the recommendation for an
 * objective with its gain and CI against glibc's defaults, and the exact
 * environment line that applies it. --verify runs the real program with the
 * recommendation and the baseline (tune_verify.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../allocators/allocscope_params.h"
#include "commands.h"
#include "compare.h"
#include "files.h"
#include "loader.h"
#include "modenv.h"
#include "plot.h"
#include "results_dir.h"
#include "run_common.h"
#include "runner.h"
#include "trial.h"
#include "trials_read.h"
#include "tune.h"
#include "tune_sched.h"
#include "util.h"

enum {
	OPT_GRID = 400,
	OPT_OBJECTIVE,
	OPT_MAX_RSS,
	OPT_VERIFY,
	OPT_VERIFY_REPS,
	OPT_TTIMEOUT,
	OPT_BUDGET,
};

static const as_opt_t tune_opts[] = {
    {'a', "allocators", "LIST", "default grid",
     "configurations to try: NAME[:k=v,...], comma-separated (glibc's defaults, the baseline, "
     "are always added)"},
    {OPT_GRID, "grid", "FILE", NULL,
     "configurations to try, one NAME[:k=v,...] per line ('#' starts a comment)"},
    {'o', "out", "DIR", "results/<stamp>-tune",
     "results folder (must be new or empty): tune.csv, frontier.csv, tune.json, replay/"},
    {'r', "reps", "N", "5",
     "replays of each configuration, interleaved (2..1000); a configuration clearly beaten "
     "after 3 gets no more"},
    {OPT_BUDGET, "budget", "TIME", "10m",
     "time for the capture and the replays (s, m, h; 0: none): from the 3rd round on, a "
     "round of replays starts only when it fits"},
    {OPT_OBJECTIVE, "objective", "WHAT", "balanced",
     "time, memory (peak RSS growth) or balanced (least time/base + RSS/base)"},
    {OPT_MAX_RSS, "max-rss", "SIZE", "none",
     "only recommend configurations whose median peak RSS growth is at most SIZE (k/M/G)"},
    {OPT_VERIFY, "verify", NULL, NULL,
     "then run PROG with the recommendation and with glibc's defaults, interleaved, and "
     "report whether the predicted gain shows in its wall time and peak RSS"},
    {OPT_VERIFY_REPS, "verify-reps", "N", "9", "runs of PROG per configuration for --verify"},
    {OPT_TTIMEOUT, "timeout", "SEC", "60",
     "per-trial (and module probe) time limit; a late worker is killed"},
    {OPT_NO_PLOT, "no-plot", NULL, NULL,
     "no frontier chart and report at the end (allocscope plot DIR draws them later)"},
};

/* Default grid: each real allocator's defaults and the settings that move
 * it most along time or memory (docs/tune.md says why each is there). */
static const char *const default_grid[] = {
    "glibc",
    "glibc:mmap_threshold=4M,trim_threshold=16M",
    "glibc:trim_threshold=0,top_pad=0",
    "jemalloc",
    "jemalloc:dirty_decay_ms=0,muzzy_decay_ms=0",
    "jemalloc:narenas=1",
    "tcmalloc",
    "tcmalloc:release_rate=10",
    "tcmalloc:release_rate=0",
    "mimalloc",
    "mimalloc:decommit_delay=0",
    "mimalloc:eager_commit=0",
    "refmalloc",
    NULL,
};

typedef struct {
	as_run_cfg_t cfg;
	const char *grid_list, *grid_file;
	as_tune_objective_t objective;
	double max_rss_kib;
	double budget_s; /* --budget; 0: none */
	as_tune_sched_t sched;
	int verify, no_plot;
	uint64_t verify_reps;
	char not_significant[512]; /* best by medians, but within the noise */
	int best_idx;              /* its point */
	int too_few;               /* ... and no test could tell with these replays */
} tune_ctx_t;

static int on_tune_opt(int key, const char *arg, void *vctx)
{
	tune_ctx_t *c = vctx;
	char err[512];
	uint64_t v;
	switch (key) {
	case 'a': c->grid_list = arg; return 0;
	case OPT_GRID: c->grid_file = arg; return 0;
	case 'o': c->cfg.out_dir = arg; return 0;
	case 'r':
		if (as_parse_u64("-r", arg, 2, 1000, &v, err, sizeof(err)) != 0)
			break;
		c->cfg.reps = (uint32_t)v;
		return 0;
	case OPT_OBJECTIVE:
		if (!strcmp(arg, "time"))
			c->objective = AS_TUNE_TIME;
		else if (!strcmp(arg, "memory"))
			c->objective = AS_TUNE_MEMORY;
		else if (!strcmp(arg, "balanced"))
			c->objective = AS_TUNE_BALANCED;
		else {
			snprintf(err, sizeof(err),
			         "option --objective: '%s' is not one of time, memory, balanced",
			         arg);
			break;
		}
		return 0;
	case OPT_MAX_RSS: {
		static const as_param_spec_t s = {"--max-rss", AS_PARAM_SIZE, "0", 0,
		                                  0,           NULL,          "",  0};
		uint64_t bytes;
		if (as_param_parse_value(&s, arg, &bytes, err, sizeof(err)) != 0)
			break;
		c->max_rss_kib = (double)bytes / 1024.0;
		return 0;
	}
	case OPT_VERIFY: c->verify = 1; return 0;
	case OPT_NO_PLOT: c->no_plot = 1; return 0;
	case OPT_BUDGET: {
		char *end = NULL;
		double t = strtod(arg, &end);
		double unit = !strcmp(end, "") || !strcmp(end, "s") ? 1
		              : !strcmp(end, "m")                   ? 60
		              : !strcmp(end, "h")                   ? 3600
		                                                    : -1;
		if (end == arg || unit < 0 || !(t >= 0) || t * unit > 7 * 86400) {
			snprintf(err, sizeof(err),
			         "option --budget: '%s' is not a time 0..7 days (90s, 10m, 1h; 0: "
			         "none)",
			         arg);
			break;
		}
		c->budget_s = t * unit;
		return 0;
	}
	case OPT_VERIFY_REPS:
		if (as_parse_u64("--verify-reps", arg, 2, 1000, &c->verify_reps, err, sizeof(err)))
			break;
		return 0;
	case OPT_TTIMEOUT:
		if (as_parse_double("--timeout", arg, 0.1, 86400, &c->cfg.timeout_s, err,
		                    sizeof(err)) != 0)
			break;
		return 0;
	default: return -1;
	}
	fprintf(stderr, "allocscope tune: %s\n", err);
	return -1;
}

/* Add one configuration spec (skipped when already there). */
static int add_config(as_run_cfg_t *cfg, const char *text)
{
	char err[512];
	as_spec_t s;
	if (as_spec_parse(text, AS_SPEC_MODULE, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope tune: configuration %s\n", err);
		return -1;
	}
	for (int i = 0; i < cfg->nmodules; i++)
		if (!strcmp(cfg->modules[i].label, s.label)) {
			as_spec_free(&s);
			return 0;
		}
	if (cfg->nmodules == AS_RUN_MAX_ITEMS) {
		fprintf(stderr, "allocscope tune: more than %d configurations\n", AS_RUN_MAX_ITEMS);
		as_spec_free(&s);
		return -1;
	}
	cfg->modules[cfg->nmodules++] = s;
	return 0;
}

/* The grid: glibc's defaults first (the baseline), then -a, --grid or the
 * default grid (its modules that are not built are left out, said once). */
static int build_grid(tune_ctx_t *c)
{
	char line[4096], path[PATH_MAX], err[512];
	if (add_config(&c->cfg, "glibc") != 0)
		return -1;
	if (c->grid_list) {
		static as_spec_t specs[AS_RUN_MAX_ITEMS];
		int n = as_spec_parse_list(c->grid_list, AS_SPEC_MODULE, specs, AS_RUN_MAX_ITEMS,
		                           err, sizeof(err));
		if (n < 0) {
			fprintf(stderr, "allocscope tune: option -a: %s\n", err);
			return -1;
		}
		for (int i = 0; i < n; i++) {
			int r = add_config(&c->cfg, specs[i].label);
			as_spec_free(&specs[i]);
			if (r)
				return -1;
		}
	}
	if (c->grid_file) {
		FILE *f = fopen(c->grid_file, "r");
		struct stat st;
		int lineno = 0, nconf = 0;
		if (!f || fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
			/* fopen opens a folder for reading; its first read fails */
			fprintf(stderr, "allocscope tune: --grid %s: %s\n", c->grid_file,
			        f ? "is a folder, not a file of configurations" : strerror(errno));
			if (f)
				fclose(f);
			return -1;
		}
		while (fgets(line, sizeof(line), f)) {
			char *s = line, *e;
			lineno++;
			s[strcspn(s, "#\r\n")] = '\0';
			while (*s == ' ' || *s == '\t')
				s++;
			for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t');)
				*--e = '\0';
			if (*s && add_config(&c->cfg, s) != 0) {
				fprintf(stderr, "allocscope tune: --grid %s:%d: not used\n",
				        c->grid_file, lineno);
				fclose(f);
				return -1;
			}
			nconf += *s != '\0';
		}
		if (ferror(f) || nconf == 0) {
			fprintf(stderr, "allocscope tune: --grid %s: %s\n", c->grid_file,
			        ferror(f) ? strerror(errno)
			                  : "no configuration in it (one NAME[:k=v,...] a line)");
			fclose(f);
			return -1;
		}
		fclose(f);
	}
	if (!c->grid_list && !c->grid_file) {
		for (int i = 0; default_grid[i]; i++) {
			as_spec_t s;
			if (as_spec_parse(default_grid[i], AS_SPEC_MODULE, &s, err, sizeof(err)) !=
			    0)
				return -1;
			if (as_module_resolve(s.name, path, sizeof(path), err, sizeof(err)) ==
			    AS_OK)
				add_config(&c->cfg, default_grid[i]);
			else if (!strchr(default_grid[i], ':'))
				fprintf(stderr,
				        "allocscope tune: %s is not built; left out of the grid\n",
				        s.name);
			as_spec_free(&s);
		}
	}
	return 0;
}

/* Run `allocscope capture -o TRACE --fork follow -- PROG ARGS` in a child
 * of this process: TRACE is the program's last image, its children's
 * traces go beside it (TRACE.PID.GEN) and are counted into *sum, so that
 * tune can say what it leaves out. Returns 0 or -1. */
static int capture(const char *trace, char **prog, as_capture_summary_t *sum)
{
	int n = 0, st, r = -1;
	pid_t pid, parent;
	char **av;
	as_capture_summary_t *shared;
	while (prog[n])
		n++;
	av = calloc((size_t)n + 8, sizeof(*av));
	shared =
	    mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!av || shared == MAP_FAILED) {
		free(av);
		return -1;
	}
	av[0] = "capture";
	av[1] = "-o";
	av[2] = (char *)trace;
	av[3] = "--fork"; /* children traced, each to its own file: counted, kept */
	av[4] = "follow";
	av[5] = "--";
	memcpy(av + 6, prog, (size_t)n * sizeof(*av));
	fflush(NULL);
	parent = getpid();
	pid = fork();
	if (pid == 0) {
		/* tune killed (SIGTERM, SIGHUP, SIGKILL) while the program runs:
		 * capture passes the SIGTERM on to the program and ends; until
		 * session 25 both ran on, for as long as the program did */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
			_exit(2);
		_exit(as_capture_main(6 + n, av, shared));
	}
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		*sum = *shared;
		r = 0;
	}
	free(av);
	munmap(shared, sizeof(*shared));
	return r;
}

/* One line on what the replayed trace leaves out: the program's child
 * processes (tune replays the program's own process), with the way to
 * tune one of them. Nothing when it had none. */
static void print_children(const as_capture_summary_t *s, const char *prog)
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

int as_tune_apply_line(const as_spec_t *spec, char **prog, as_buf_t *b, char *err, size_t errlen)
{
	as_modenv_t me;
	if (as_module_env(spec, &me, err, errlen) != 0)
		return -1;
	if (!me.preload[0] && strcmp(spec->name, "glibc")) {
		/* no library to preload (refmalloc, a module of one's own) */
		as_buf_printf(b, "allocscope exec -a ");
		as_buf_shell_word(b, spec->label);
		as_buf_printf(b, " --");
	} else {
		if (me.preload[0]) {
			as_buf_printf(b, "LD_PRELOAD=");
			as_buf_shell_word(b, me.preload);
		}
		for (const char *p = me.env; *p;) {
			size_t n = strcspn(p, "\n");
			char line[AS_MODENV_MAX], *eq;
			snprintf(line, sizeof(line), "%.*s", (int)n, p);
			p += n + (p[n] == '\n');
			eq = strchr(line, '=');
			if (!eq)
				continue;
			*eq = '\0';
			as_buf_printf(b, "%s%s=", b->len ? " " : "", line);
			as_buf_shell_word(b, eq + 1);
		}
	}
	for (int i = 0; prog && prog[i]; i++) {
		if (b->len)
			as_buf_add(b, " ", 1);
		as_buf_shell_word(b, prog[i]);
	}
	return 0;
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
static void print_kept(const tune_ctx_t *c, const as_tune_point_t *q, int base_n)
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

/* The configuration (index in cfg.modules) of point q, or -1. */
static int config_of(const tune_ctx_t *c, const as_tune_point_t *q)
{
	char label[512];
	snprintf(label, sizeof(label), "%s%s%s", q->module, *q->params ? ":" : "", q->params);
	for (int k = 0; k < c->cfg.nmodules; k++)
		if (!strcmp(c->cfg.modules[k].label, label))
			return k;
	return -1;
}

/* What the schedule dropped and why: the configurations eliminated early
 * and the rounds the budget did not allow. */
static void print_schedule(const tune_ctx_t *c, const as_tune_point_t *p, int n)
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

/* Print the table and the recommendation; write tune.csv/frontier.csv.
 * Returns the recommended index, -1 none, -2 error. */
static int conclude(tune_ctx_t *c, const char *dir, const char *run_dir, as_tune_point_t **pts,
                    int *npts)
{
	char path[PATH_MAX], err[1024];
	as_table_t t;
	int n, rec, sig;
	as_tune_point_t *p;
	snprintf(path, sizeof(path), "%s/trials.csv", run_dir);
	if (as_table_read(path, &t, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope tune: %s\n", err);
		return -2;
	}
	n = as_tune_points(&t, &p);
	as_table_free(&t);
	for (int i = 0; i < n; i++) {
		int k = config_of(c, &p[i]);
		if (k >= 0 && c->sched.beaten_by[k] >= 0)
			p[i].eliminated_by = c->cfg.modules[c->sched.beaten_by[k]].label;
	}
	if (n <= 0 || p[0].n == 0) {
		fprintf(stderr, "allocscope tune: the baseline (glibc) has no completed replay\n");
		if (n > 0)
			as_tune_points_free(p, n);
		return -2;
	}
	if (as_tune_stats(p, n, 0) != 0) {
		as_tune_points_free(p, n);
		return -2;
	}
	as_tune_frontier(p, n);
	rec = as_tune_pick(p, n, c->objective, c->max_rss_kib, 0);
	sig = rec > 0 ? as_tune_significant(&p[rec], c->objective) : 1;
	if (sig != 1 && (c->max_rss_kib < 0 || p[0].rss_med <= c->max_rss_kib)) {
		/* better by medians, not a significant gain of the minimum size,
		 * or too few replays to tell: glibc's defaults stay */
		snprintf(c->not_significant, sizeof(c->not_significant), "%s%s%s", p[rec].module,
		         *p[rec].params ? ":" : "", p[rec].params);
		c->best_idx = rec;
		c->too_few = sig < 0;
		p[rec].recommended = 0;
		p[0].recommended = 1;
		rec = 0;
	}
	if (as_tune_write(dir, p, n, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope tune: %s\n", err);
		as_tune_points_free(p, n);
		return -2;
	}
	printf("\n  %-44s %10s %10s %9s   %-18s %s\n", "configuration", "time_ms", "rss_kib",
	       "syscalls", "time vs glibc", "rss vs glibc");
	for (int i = 0; i < n; i++)
		print_point(&p[i], i == 0);
	printf("(F: on the frontier of time vs peak RSS growth; *: recommended, in place of F "
	       "where it is on it; medians of "
	       "replays, ratios with bootstrap 95 %% CIs)\n\n");
	print_schedule(c, p, n);
	*pts = p;
	*npts = n;
	return rec;
}

/* The replay workload: the trace at path (the path travels as a value,
 * never joined into a spec string). */
static int set_trace(as_run_cfg_t *cfg, const char *path)
{
	const char *keys[] = {"file"}, *vals[] = {path};
	if (as_spec_make("trace", keys, vals, 1, &cfg->workloads[0]) != 0) {
		fprintf(stderr, "allocscope tune: out of memory\n");
		return -1;
	}
	cfg->nworkloads = 1;
	return 0;
}

/* The tune folder: -o DIR (new or empty), or a new results/<stamp>-tune
 * (-2, -3, ... when that exists: two tunes in the same second get their
 * own), claimed as a run claims its folder (*lock_fd, held to the end),
 * before the capture writes trace.ast into it: a second tune into the
 * folder of an earlier one replaced its trace and then stopped at replay/
 * (an outside review). And its replay/ path. Returns 0 or -1 after one
 * line. */
static int make_dir(const tune_ctx_t *c, char *dir, size_t len, char *run_dir, size_t run_len,
                    int *lock_fd)
{
	char err[PATH_MAX + 256];
	if (c->cfg.out_dir) {
		if ((size_t)snprintf(dir, len, "%s", c->cfg.out_dir) >= len ||
		    (size_t)snprintf(run_dir, run_len, "%s/replay", dir) >= run_len) {
			fprintf(stderr,
			        "allocscope tune: %.200s...: results folder path too long\n",
			        c->cfg.out_dir);
			return -1;
		}
	} else if (as_results_dir_new("-tune", dir, len, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope tune: %s\n", err);
		return -1;
	} else
		snprintf(run_dir, run_len, "%s/replay", dir); /* results/<stamp>-tune-N fits */
	*lock_fd = as_results_dir_claim(dir, AS_DIR_EMPTY, err, sizeof(err));
	if (*lock_fd < 0) {
		fprintf(stderr, "allocscope tune: %s\n", err);
		return -1;
	}
	return 0;
}

static int tune_body(int argc, char **argv, int *lock_fd)
{
	tune_ctx_t c;
	char dir[PATH_MAX], run_dir[PATH_MAX], made[PATH_MAX], trace[PATH_MAX], err[1024];
	const char *trace_arg = NULL;
	char **prog = NULL;
	as_tune_point_t *p = NULL;
	as_tune_outcome_t out;
	as_tune_verified_t verified;
	as_capture_summary_t kids;
	as_buf_t line = {0};
	int r, npos, n = 0, rec, ret = 0;

	uint64_t t0 = as_now_ns(); /* the budget counts from here */

	memset(&c, 0, sizeof(c));
	memset(&kids, 0, sizeof(kids));
	as_run_defaults(&c.cfg, argc, argv);
	c.budget_s = 600;
	c.cfg.reps = 5;
	c.cfg.reps_auto = 0;  /* tune has its own fixed -r */
	c.cfg.min_time_s = 0; /* each configuration replays the trace once */
	c.cfg.quiet = 1;
	c.cfg.no_syscalls_option = 1; /* a reason names no --syscalls: tune has none */
	c.cfg.no_plot = 1;
	c.objective = AS_TUNE_BALANCED;
	c.max_rss_kib = -1;
	c.verify_reps = 9;
	/* TRACE before, between or after the options; or -- PROG ARGS */
	r = as_cli_parse_split(&as_cmd_tune, argc, argv, on_tune_opt, &c, &trace_arg, 1, &npos,
	                       &prog);
	if (r == -2)
		return 0;
	if (r < 0)
		return 2;
	if (!prog && !trace_arg) {
		fprintf(stderr,
		        "allocscope tune: expected TRACE or -- PROG [ARGS] (allocscope tune "
		        "--help)\n");
		return 2;
	}
	if (prog && trace_arg) {
		fprintf(stderr, "allocscope tune: give TRACE or -- PROG, not both\n");
		return 2;
	}
	if (c.verify && !prog) {
		fprintf(stderr,
		        "allocscope tune: --verify needs the program: tune --verify -- PROG "
		        "[ARGS]\n");
		return 2;
	}
	if (trace_arg && access(trace_arg, R_OK) != 0) {
		as_path_err(err, sizeof(err), trace_arg, "%s", strerror(errno));
		fprintf(stderr, "allocscope tune: %s\n", err);
		return 2;
	}
	/* every configuration, and a given trace, is checked before anything
	 * runs or is created: the trace by its workload's own loader, as replay
	 * checks it (one line, exit 2) */
	if (trace_arg)
		snprintf(trace, sizeof(trace), "%s", trace_arg);
	if (build_grid(&c) != 0 || (trace_arg && set_trace(&c.cfg, trace) != 0) ||
	    as_run_validate(&c.cfg) != 0) {
		as_run_cfg_free_specs(&c.cfg);
		return 2;
	}
	if (make_dir(&c, dir, sizeof(dir), run_dir, sizeof(run_dir), lock_fd) != 0) {
		as_run_cfg_free_specs(&c.cfg);
		return 2;
	}
	if (prog) {
		snprintf(trace, sizeof(trace), "%s/trace.ast", dir);
		fprintf(stderr, "allocscope tune: capturing %s into %s\n", prog[0], trace);
		if (capture(trace, prog, &kids) != 0) {
			fprintf(stderr, "allocscope tune: the capture of %s failed\n", prog[0]);
			as_run_cfg_free_specs(&c.cfg);
			return 1;
		}
		/* the captured trace is checked as a given one (the modules'
		 * probes are kept from the first check) */
		if (set_trace(&c.cfg, trace) != 0 || as_run_validate(&c.cfg) != 0) {
			as_run_cfg_free_specs(&c.cfg);
			return 2;
		}
	}
	c.cfg.out_dir = run_dir;
	c.cfg.label = "tune";
	fprintf(stderr, "allocscope tune: %d configurations x %u replays of %s\n", c.cfg.nmodules,
	        c.cfg.reps, trace);
	if (as_tune_sched_init(&c.sched, c.cfg.nmodules, (int)c.cfg.reps, c.budget_s, t0) != 0) {
		fprintf(stderr, "allocscope tune: out of memory\n");
		as_run_cfg_free_specs(&c.cfg);
		return 2;
	}
	c.cfg.drop = as_tune_sched_drop;
	c.cfg.drop_ctx = &c.sched;
	c.cfg.own_interrupt_line = 1;
	r = as_run_matrix(&c.cfg, made, sizeof(made));
	if (as_interrupted) {
		/* its replay folder is a tune's (run.args are tune's): no
		 * `run --resume` finishes it, and tune has none */
		fprintf(stderr,
		        "\nallocscope tune: interrupted: the replays so far are in %s; tune has "
		        "no resume: run it again with a new -o folder\n",
		        run_dir);
		as_tune_sched_free(&c.sched);
		as_run_cfg_free_specs(&c.cfg);
		return 130;
	}
	if (r == 2) {
		as_tune_sched_free(&c.sched);
		as_run_cfg_free_specs(&c.cfg);
		return 2;
	}
	rec = conclude(&c, dir, run_dir, &p, &n);
	if (rec == -2) {
		ret = 1;
		goto out;
	}
	memset(&out, 0, sizeof(out));
	memset(&verified, 0, sizeof(verified));
	out.trace = trace;
	out.objective = c.objective == AS_TUNE_TIME     ? "time"
	                : c.objective == AS_TUNE_MEMORY ? "memory"
	                                                : "balanced";
	out.max_rss_kib = c.max_rss_kib;
	out.budget_s = c.budget_s;
	out.budget_spent_s = (double)(as_now_ns() - t0) / 1e9;
	out.reps = (int)c.cfg.reps;
	out.budget_stop_round = c.sched.stop_round >= 0 ? c.sched.stop_round + 1 : 0;
	out.rec = rec;
	out.best_by_medians = rec == 0 && c.not_significant[0] ? c.not_significant : NULL;
	out.kept_because = !out.best_by_medians ? NULL
	                   : c.too_few          ? "too_few_replays"
	                                        : "not_significant";
	out.children = prog ? kids.children : -1;
	out.child_events = prog ? kids.child_events : 0;
	out.children_escaped = prog ? kids.escaped : 0;
	out.verify = c.verify;
	out.verified = &verified;
	out.replay_dir = run_dir;
	if (rec < 0) {
		printf("no configuration fits --max-rss %.0f KiB\n", c.max_rss_kib);
		out.verify_note = "no configuration fits --max-rss";
		ret = 1;
		goto out_json;
	}
	{
		const as_tune_point_t *q = &p[rec];
		const as_spec_t *spec = NULL;
		char label[256];
		snprintf(label, sizeof(label), "%s%s%s", q->module, *q->params ? ":" : "",
		         q->params);
		if (prog)
			print_children(&kids, prog[0]);
		printf("recommendation (objective %s%s): %s\n",
		       c.objective == AS_TUNE_TIME     ? "time"
		       : c.objective == AS_TUNE_MEMORY ? "memory"
		                                       : "balanced",
		       c.max_rss_kib >= 0 ? ", within --max-rss" : "", label);
		if (rec == 0 && c.not_significant[0])
			print_kept(&c, &p[c.best_idx], p[0].n);
		else if (rec == 0)
			printf("  keep glibc's defaults: no configuration is better on the "
			       "objective\n");
		else {
			print_gain("time", q->t_ratio, q->t_lo, q->t_hi, q->t_p, q->t_out);
			print_gain("peak RSS growth", q->r_ratio, q->r_lo, q->r_hi, q->r_p,
			           q->r_out);
		}
		for (int i = 0; i < c.cfg.nmodules; i++)
			if (!strcmp(c.cfg.modules[i].label, label))
				spec = &c.cfg.modules[i];
		if (!spec || as_tune_apply_line(spec, prog ? prog : (char *[]){"PROG", NULL}, &line,
		                                err, sizeof(err)) != 0) {
			fprintf(stderr, "allocscope tune: %s\n",
			        spec ? err : "recommendation not found");
			ret = 1;
			goto out;
		}
		if (rec == 0)
			printf("  apply:           nothing: the program already runs on it\n");
		else
			printf("  apply:           %s\n", line.data ? line.data : "");
		out.apply = rec == 0 ? NULL : line.data ? line.data : "";
		{
			char *dir_w = as_shell_word(dir);
			printf("results: %s/ (tune.csv, frontier.csv, tune.json, replay/)\n",
			       dir_w);
			free(dir_w);
		}
		if (c.verify && rec == 0) {
			out.verify_note =
			    "nothing to verify: the recommendation is what the program "
			    "runs on now";
			printf("verify: %s\n", out.verify_note);
		} else if (c.verify) {
			ret = as_tune_verify(&c.cfg.modules[0], spec, q, prog, (int)c.verify_reps,
			                     dir, &verified);
			if (ret == 1)
				out.verify_note = "a run of the program failed";
			else if (ret == 2)
				out.verify_note = "verify.csv could not be written";
		}
	}
out_json:
	if (as_tune_write_json(dir, &out, p, n, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope tune: %s\n", err);
		ret = ret ? ret : 2;
	}
	/* the frontier chart and the tune section (plot.c, plot_tune.c); the
	 * replay/ run's own charts with them */
	if (!c.no_plot) {
		as_run_plotted_t pl;
		int pr;
		c.cfg.no_plot = 0;
		pr = as_run_plot(&c.cfg, dir, &pl);
		as_run_plot_print("allocscope tune", dir, &pl);
		as_run_plotted_free(&pl);
		if (pr == 2 && (ret == 0 || ret == 1))
			ret = 2; /* a report the disk had no room for */
		/* ^C while drawing: the charts' gnuplots "failed", tune exited 0 */
		if (pr == 130)
			ret = 130;
	}
out:
	as_buf_free(&line);
	as_tune_sched_free(&c.sched);
	as_tune_points_free(p, n);
	as_run_cfg_free_specs(&c.cfg);
	return ret;
}

static int tune_main(int argc, char **argv)
{
	int lock_fd = -1;
	int ret = tune_body(argc, argv, &lock_fd);
	as_results_dir_release(lock_fd);
	return ret;
}

const as_cmd_t as_cmd_tune = {
    .name = "tune",
    .synopsis = "tune TRACE | [--verify] -- PROG [ARGS...]  [-a LIST | --grid FILE] "
                "[--objective time|memory|balanced] [--max-rss SIZE] [-r N] [-o DIR]",
    .summary = "find the allocator and settings for a program: replay over a grid, Pareto "
               "frontier, recommendation, the line that applies it",
    .opts = tune_opts,
    .nopts = sizeof(tune_opts) / sizeof(tune_opts[0]),
    .examples = "  allocscope tune prog.ast\n"
                "  allocscope tune --verify -- python3 script.py\n"
                "  allocscope tune prog.ast -a jemalloc:narenas=1,mimalloc --objective time\n"
                "  allocscope tune prog.ast --grid grid.txt --max-rss 200M -r 9\n",
    .main = tune_main,
};
