/* cmd_tune.c - `allocscope tune TRACE | -- PROG ARGS`: capture the program
 * first when given one, replay the trace over a grid of modules x settings
 * (the runner's trials, nothing new underneath), then print the Pareto
 * frontier of time against peak RSS growth, the recommendation for an
 * objective with its gain and CI against glibc's defaults, and the exact
 * environment line that applies it. --verify runs the real program with the
 * recommendation and the baseline (tune_verify.c). Here: the options, the
 * capture and the steps in order; the grid is tune_config.c's, the table
 * and the recommendation's words tune_console.c's. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
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
#include "results_dir.h"
#include "run_common.h"
#include "runner.h"
#include "trial.h"
#include "trials_read.h"
#include "tune_cmd.h"
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

static int on_tune_opt(int key, const char *arg, void *vctx)
{
	as_tune_cmd_t *c = vctx;
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

/* Run `allocscope capture -o TRACE --fork follow -- PROG ARGS` in a child
 * of this process: TRACE is the program's last image, its children's
 * traces go beside it (TRACE.PID.GEN) and are counted into *sum, so that
 * tune can say what it leaves out. Returns 0, capture's exit code (1: the
 * program did not exit 0, its trace written; 2: no trace), or -1. */
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
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st)) {
		*sum = *shared;
		r = WEXITSTATUS(st);
	}
	free(av);
	munmap(shared, sizeof(*shared));
	return r;
}

/* A pipe's input, read once: copied whole into an unlinked file in
 * $TMPDIR that becomes descriptor 0, read by the capture and each run from
 * its start. Returns 0, or -1 after one line. */
static int copy_stdin(as_tune_stdin_t *in)
{
	const char *tmpdir = getenv("TMPDIR");
	char path[PATH_MAX], buf[65536];
	ssize_t n = 0;
	int fd;
	snprintf(path, sizeof(path), "%s/allocscope-stdin-XXXXXX",
	         tmpdir && *tmpdir ? tmpdir : "/tmp");
	fd = mkstemp(path);
	if (fd >= 0) {
		unlink(path);
		while ((n = read(0, buf, sizeof(buf))) != 0)
			if ((n < 0 && errno != EINTR) ||
			    (n > 0 && as_write_all(fd, buf, (size_t)n) != 0)) {
				n = -1;
				break;
			}
	}
	if (fd < 0 || n < 0 || dup2(fd, 0) < 0 || lseek(0, 0, SEEK_SET) < 0) {
		fprintf(stderr,
		        "allocscope tune: --verify: standard input (a pipe): no copy for the "
		        "program's runs in %s (%s); give it as a file (< FILE)\n",
		        tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	in->offset = 0;
	return 0;
}

/* --verify runs PROG 2 x N times more, and each run must read what the
 * captured one read (`python3 - < x.py`, `sqlite3 db < q.sql`): a file is
 * read again from where it stood when tune started, a pipe from a copy
 * (copy_stdin), a device (/dev/null) as it is. A terminal is the user's
 * typing, which no run can have again: those runs read /dev/null. Returns
 * 0, or -1 after one line. */
static int verify_stdin(as_tune_stdin_t *in)
{
	struct stat st;
	off_t at;
	in->keep = 0;
	in->offset = -1;
	if (fstat(0, &st) != 0 || isatty(0))
		return 0;
	in->keep = 1;
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		return copy_stdin(in);
	at = lseek(0, 0, SEEK_CUR);
	if (S_ISREG(st.st_mode) && at >= 0)
		in->offset = (long long)at;
	return 0;
}

/* The configuration (index in cfg.modules) of point q, or -1. */
static int config_of(const as_tune_cmd_t *c, const as_tune_point_t *q)
{
	char label[512];
	snprintf(label, sizeof(label), "%s%s%s", q->module, *q->params ? ":" : "", q->params);
	for (int k = 0; k < c->cfg.nmodules; k++)
		if (!strcmp(c->cfg.modules[k].label, label))
			return k;
	return -1;
}

/* Conclude: the points, the frontier and the recommendation; write
 * tune.csv/frontier.csv and print the table (as_tune_print_table).
 * Returns the recommended index, -1 none, -2 error. */
static int conclude(as_tune_cmd_t *c, const char *dir, const char *run_dir, as_tune_point_t **pts,
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
	as_tune_print_table(c, p, n);
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
static int make_dir(const as_tune_cmd_t *c, char *dir, size_t len, char *run_dir, size_t run_len,
                    int *lock_fd, int *created)
{
	char err[PATH_MAX + 256];
	*created = !c->cfg.out_dir || access(c->cfg.out_dir, F_OK) != 0;
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

/* The recommendation, point REC of P: what it leaves out (the program's
 * children), its words, the line that applies it (into *line and
 * out->apply), the folder, and with --verify the program run on it
 * (*verified). Returns 0, --verify's exit code, or -1 after one line when
 * the line that applies it could not be made. */
static int recommend(as_tune_cmd_t *c, const as_tune_point_t *p, int rec, char **prog,
                     const as_tune_stdin_t *in, const as_capture_summary_t *kids, const char *dir,
                     as_buf_t *line, as_tune_outcome_t *out, as_tune_verified_t *verified)
{
	char err[1024];
	const as_tune_point_t *q = &p[rec];
	const as_spec_t *spec = NULL;
	char label[256];
	snprintf(label, sizeof(label), "%s%s%s", q->module, *q->params ? ":" : "", q->params);
	if (prog)
		as_tune_print_children(kids, prog[0]);
	as_tune_print_recommendation(c, p, rec, label);
	for (int i = 0; i < c->cfg.nmodules; i++)
		if (!strcmp(c->cfg.modules[i].label, label))
			spec = &c->cfg.modules[i];
	if (!spec || as_tune_apply_line(spec, prog ? prog : (char *[]){"PROG", NULL}, line, err,
	                                sizeof(err)) != 0) {
		fprintf(stderr, "allocscope tune: %s\n", spec ? err : "recommendation not found");
		return -1;
	}
	if (rec == 0)
		printf("  apply:           nothing: the program already runs on it\n");
	else
		printf("  apply:           %s\n", line->data ? line->data : "");
	out->apply = rec == 0 ? NULL : line->data ? line->data : "";
	{
		char *dir_w = as_shell_word(dir);
		printf("results: %s/ (tune.csv, frontier.csv, tune.json, replay/)\n", dir_w);
		free(dir_w);
	}
	if (c->verify && rec == 0) {
		out->verify_note = "nothing to verify: the recommendation is what the program "
		                   "runs on now";
		printf("verify: %s\n", out->verify_note);
	} else if (c->verify) {
		int ret = as_tune_verify(&c->cfg.modules[0], spec, q, prog, in, (int)c->verify_reps,
		                         dir, verified);
		if (ret == 1)
			out->verify_note = "a run of the program failed";
		else if (ret == 2)
			out->verify_note = "verify.csv could not be written";
		return ret;
	}
	return 0;
}

/* tune's defaults, then its options from the command line into c:
 * TRACE (*trace_arg) or -- PROG ARGS (*prog), checked for what they need.
 * Returns 0, 1 after --help, or 2 after one line. */
static int tune_args(as_tune_cmd_t *c, int argc, char **argv, const char **trace_arg, char ***prog)
{
	char err[1024];
	int r, npos;
	memset(c, 0, sizeof(*c));
	as_run_defaults(&c->cfg, argc, argv);
	c->budget_s = 600;
	c->cfg.reps = 5;
	c->cfg.reps_auto = 0;  /* tune has its own fixed -r */
	c->cfg.min_time_s = 0; /* each configuration replays the trace once */
	c->cfg.quiet = 1;
	c->cfg.no_syscalls_option = 1; /* a reason names no --syscalls: tune has none */
	c->cfg.no_plot = 1;
	c->objective = AS_TUNE_BALANCED;
	c->max_rss_kib = -1;
	c->verify_reps = 9;
	/* TRACE before, between or after the options; or -- PROG ARGS */
	r = as_cli_parse_split(&as_cmd_tune, argc, argv, on_tune_opt, c, trace_arg, 1, &npos, prog);
	if (r == -2)
		return 1;
	if (r < 0)
		return 2;
	if (!*prog && !*trace_arg) {
		fprintf(stderr,
		        "allocscope tune: expected TRACE or -- PROG [ARGS] (allocscope tune "
		        "--help)\n");
		return 2;
	}
	if (*prog && *trace_arg) {
		fprintf(stderr, "allocscope tune: give TRACE or -- PROG, not both\n");
		return 2;
	}
	if (c->verify && !*prog) {
		fprintf(stderr,
		        "allocscope tune: --verify needs the program: tune --verify -- PROG "
		        "[ARGS]\n");
		return 2;
	}
	if (*trace_arg && access(*trace_arg, R_OK) != 0) {
		as_path_err(err, sizeof(err), *trace_arg, "%s", strerror(errno));
		fprintf(stderr, "allocscope tune: %s\n", err);
		return 2;
	}
	return 0;
}

static int tune_body(int argc, char **argv, int *lock_fd)
{
	as_tune_cmd_t c;
	char dir[PATH_MAX], run_dir[PATH_MAX], made[PATH_MAX], trace[PATH_MAX], err[1024];
	const char *trace_arg = NULL;
	char **prog = NULL;
	as_tune_point_t *p = NULL;
	as_tune_outcome_t out;
	as_tune_verified_t verified;
	as_capture_summary_t kids;
	as_tune_stdin_t in = {0, -1};
	as_buf_t line = {0};
	int r, n = 0, rec, ret = 0, created;

	uint64_t t0 = as_now_ns(); /* the budget counts from here */

	memset(&kids, 0, sizeof(kids));
	r = tune_args(&c, argc, argv, &trace_arg, &prog);
	if (r != 0)
		return r == 1 ? 0 : 2;
	/* every configuration, and a given trace, is checked before anything
	 * runs or is created: the trace by its workload's own loader, as replay
	 * checks it (one line, exit 2) */
	if (trace_arg)
		snprintf(trace, sizeof(trace), "%s", trace_arg);
	if (as_tune_build_grid(&c) != 0 || (trace_arg && set_trace(&c.cfg, trace) != 0) ||
	    as_run_validate(&c.cfg) != 0) {
		as_run_cfg_free_specs(&c.cfg);
		return 2;
	}
	if (prog && c.verify && verify_stdin(&in) != 0) {
		as_run_cfg_free_specs(&c.cfg);
		return 2;
	}
	/* a program that cannot be found: capture's line, before the
	 * "capturing" line and the folder (until session 36 both came first,
	 * and DIR/.lock stayed behind alone) */
	if (prog && (r = as_find_program(prog[0], trace, sizeof(trace))) != 0) {
		as_path_err(err, sizeof(err), prog[0], "%s", strerror(r));
		fprintf(stderr, "allocscope tune: %s\n", err);
		as_run_cfg_free_specs(&c.cfg);
		return 2;
	}
	if (make_dir(&c, dir, sizeof(dir), run_dir, sizeof(run_dir), lock_fd, &created) != 0) {
		as_run_cfg_free_specs(&c.cfg);
		return 2;
	}
	if (prog) {
		snprintf(trace, sizeof(trace), "%s/trace.ast", dir);
		fprintf(stderr, "allocscope tune: capturing %s into %s\n", prog[0], trace);
		r = capture(trace, prog, &kids);
		if (r != 0) /* no trace (capture said why): no folder of a lock alone */
			as_results_dir_unclaim(dir, created);
		if (r == 1 && access(trace, R_OK) == 0) {
			/* until session 35 "the capture of sqlite3 failed", under
			 * capture's "sqlite3 exited with status 1" and its trace */
			char *w = as_shell_word(trace);
			fprintf(stderr,
			        "allocscope tune: %s did not exit 0 (above), so it is not tuned: "
			        "its trace is kept (allocscope tune %s replays it)\n",
			        prog[0], w);
			free(w);
		} else if (r != 0 && r != 2) /* 2: capture said why (not found, ...) */
			fprintf(stderr, "allocscope tune: the capture of %s failed\n", prog[0]);
		if (r != 0) {
			as_run_cfg_free_specs(&c.cfg);
			return r == 2 ? 2 : 1;
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
	ret = recommend(&c, p, rec, prog, &in, &kids, dir, &line, &out, &verified);
	if (ret < 0) {
		ret = 1;
		goto out;
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
