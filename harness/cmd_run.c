/* cmd_run.c - `allocscope run`: parse the matrix options and hand them to
 * the runner. */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../workloads/opstream.h"
#include "commands.h"
#include "jobs.h"
#include "modenv.h"
#include "plot.h"
#include "results_dir.h"
#include "resume.h"
#include "pin.h"
#include "runner.h"
#include "syscount.h"
#include "trial.h"
#include "util.h"

static const as_opt_t run_opts[] = {
    {'w', "workload", "LIST", "random", "workloads: NAME[:k=v,...], comma-separated"},
    {'t', "threads", "LIST", "1", "thread counts, comma-separated"},
    AS_RUN_COMMON_OPTS,
    AS_RUN_JOBS_OPT,
    {OPT_RESUME, "resume", "DIR", NULL,
     "finish an interrupted run: same matrix and options (from DIR/run.args; no other "
     "option is allowed), only missing trials"},
};

typedef struct {
	as_run_cfg_t cfg;
	const char *resume_dir;
	int replay; /* --resume of a replay's folder: done by as_replay_resume */
} run_ctx_t;

/* Options run shares with replay and suite (AS_RUN_COMMON_OPTS in
 * commands.h). Returns 0 when handled, 1 when the key is not a common one,
 * -1 after printing an error. -a fills cfg->modules with parsed specs
 * (freed by as_run_cfg_free_specs). */
int as_run_common_opt(const char *cmd, int key, const char *arg, as_run_cfg_t *cfg)
{
	char err[1024];
	uint64_t u;
	switch (key) {
	case 'a': {
		int n;
		for (int i = 0; i < cfg->nmodules; i++)
			as_spec_free(&cfg->modules[i]);
		cfg->nmodules = 0;
		n = as_spec_parse_list(arg, AS_SPEC_MODULE, cfg->modules, AS_RUN_MAX_ITEMS, err,
		                       sizeof(err));
		if (n <= 0) {
			fprintf(stderr, "allocscope %s: option -a: %s\n", cmd, err);
			return -1;
		}
		cfg->nmodules = n;
		return 0;
	}
	case 'r':
		if (!strcmp(arg, "auto")) {
			cfg->reps_auto = 1;
			cfg->reps = AS_AUTO_MAX_REPS;
			return 0;
		}
		if (as_parse_u64("-r", arg, 1, 1000, &u, err, sizeof(err))) {
			snprintf(err, sizeof(err), "option -r: '%s' is not auto or a count 1..1000",
			         arg);
			break;
		}
		cfg->reps = (uint32_t)u;
		cfg->reps_auto = 0;
		return 0;
	case OPT_CI: {
		char *end = NULL;
		double pct = strtod(arg, &end);
		if (end == arg || (*end && strcmp(end, "%")) || !(pct >= 0.1 && pct <= 100)) {
			snprintf(err, sizeof(err),
			         "option --ci: '%s' is not a percentage 0.1%%..100%%", arg);
			break;
		}
		cfg->ci_rel = pct / 100;
		return 0;
	}
	case OPT_MAX_TIME:
		if (as_parse_double("--max-time", arg, 0, 86400, &cfg->group_max_s, err,
		                    sizeof(err)))
			break;
		return 0;
	case OPT_MIN_TIME:
		if (as_parse_double("--min-time", arg, 0, 3600, &cfg->min_time_s, err, sizeof(err)))
			break;
		return 0;
	case 'o': cfg->out_dir = arg; return 0;
	case OPT_FORCE: cfg->force = 1; return 0;
	case OPT_SEED:
		if (as_parse_u64("--seed", arg, 0, UINT64_MAX, &cfg->seed, err, sizeof(err)))
			break;
		return 0;
	case OPT_TIMEOUT:
		if (as_parse_double("--timeout", arg, 0.1, 86400, &cfg->timeout_s, err,
		                    sizeof(err)))
			break;
		as_module_env_timeout(cfg->timeout_s); /* loading a module too */
		return 0;
	case OPT_VALIDATE: cfg->validate = 1; return 0;
	case OPT_NO_QUICK_CHECK: cfg->no_quick_check = 1; return 0;
	case OPT_LATENCY:
		if (as_parse_u64("--latency", arg, 0, UINT32_MAX, &cfg->latency_every, err,
		                 sizeof(err)))
			break;
		return 0;
	case OPT_SAMPLE_EVERY:
		if (!strcmp(arg, "auto")) {
			cfg->sample_every = AS_SAMPLE_AUTO;
			return 0;
		}
		if (as_parse_u64("--sample-every", arg, 0, UINT64_MAX - 1, &cfg->sample_every, err,
		                 sizeof(err)))
			break;
		return 0;
	case OPT_SAMPLE_INTERVAL:
		if (as_parse_u64("--sample-interval-ms", arg, 0, 3600000, &cfg->sample_interval_ms,
		                 err, sizeof(err)))
			break;
		return 0;
	case OPT_SYSCALLS: {
		as_syscount_method_t m;
		if (as_syscount_parse(arg, &m) != 0) {
			snprintf(err, sizeof(err),
			         "option --syscalls: '%s' is not a method (perf, seccomp, off)",
			         arg);
			break;
		}
		cfg->syscalls = (int)m;
		return 0;
	}
	case OPT_PIN: {
		as_pin_t p;
		if (as_pin_parse(arg, &p) != 0) {
			snprintf(err, sizeof(err),
			         "option --pin: '%s' is not a policy (none, compact, scatter)",
			         arg);
			break;
		}
		cfg->pin = (int)p;
		return 0;
	}
	case OPT_WARMUP:
		if (as_parse_u64("--warmup", arg, 0, 100, &u, err, sizeof(err)))
			break;
		cfg->warmup = (uint32_t)u;
		return 0;
	case 'q': cfg->quiet = 1; return 0;
	case OPT_NO_PLOT: cfg->no_plot = 1; return 0;
	case OPT_JOBS:
		if (as_parse_u64("--jobs", arg, 1, AS_JOBS_MAX, &u, err, sizeof(err)))
			break;
		cfg->jobs = (int)u;
		return 0;
	case OPT_BASELINE: cfg->baseline = arg; return 0;
	default: return 1;
	}
	fprintf(stderr, "allocscope %s: %s\n", cmd, err);
	return -1;
}

static int on_run_opt(int key, const char *arg, void *vctx)
{
	run_ctx_t *c = vctx;
	char err[1024];
	uint64_t u;
	int r = as_run_common_opt("run", key, arg, &c->cfg);
	if (r <= 0)
		return r;
	switch (key) {
	case 'w': {
		int n;
		for (int i = 0; i < c->cfg.nworkloads; i++)
			as_spec_free(&c->cfg.workloads[i]);
		c->cfg.nworkloads = 0;
		n = as_spec_parse_list(arg, AS_SPEC_WORKLOAD, c->cfg.workloads, AS_RUN_MAX_ITEMS,
		                       err, sizeof(err));
		if (n <= 0) {
			fprintf(stderr, "allocscope run: option -w: %s\n", err);
			return -1;
		}
		c->cfg.nworkloads = n;
		return 0;
	}
	case 't': {
		char *tmp = strdup(arg), *items[AS_RUN_MAX_ITEMS];
		int n = as_split_list(tmp, items, AS_RUN_MAX_ITEMS);
		if (n <= 0) {
			fprintf(stderr, "allocscope run: option -t: '%s' is not a list of counts\n",
			        arg);
			free(tmp);
			return -1;
		}
		for (int i = 0; i < n; i++) {
			if (as_parse_u64("-t", items[i], 1, AS_MAX_THREADS, &u, err, sizeof(err))) {
				fprintf(stderr, "allocscope run: %s\n", err);
				free(tmp);
				return -1;
			}
			c->cfg.threads[i] = (uint32_t)u;
		}
		c->cfg.nthreads = n;
		free(tmp);
		return 0;
	}
	case OPT_RESUME: c->resume_dir = arg; return 0;
	default: return -1;
	}
}

int as_run_plot(const as_run_cfg_t *cfg, const char *dir)
{
	as_plot_opts_t po;
	int unwritten = 0;
	if (cfg->no_plot)
		return 0;
	memset(&po, 0, sizeof(po));
	as_plot_and_print(dir, &po, &unwritten);
	/* ^C reaches the gnuplots too: their charts "failed"; the run's stop
	 * handler took the signal and nobody looked (exit 0) */
	if (as_interrupted) {
		char *dir_w = as_shell_word(dir);
		fprintf(stderr,
		        "allocscope: interrupted while drawing the charts: the results in %s are "
		        "complete; allocscope plot %s draws them\n",
		        dir_w, dir_w);
		free(dir_w);
		return 130;
	}
	return unwritten ? 2 : 0;
}

/* Defaults shared by run and suite. */
void as_run_defaults(as_run_cfg_t *cfg, int argc, char **argv)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->reps = AS_AUTO_MAX_REPS;
	cfg->reps_auto = 1;
	cfg->ci_rel = 0.03;
	cfg->group_max_s = 2;
	cfg->min_time_s = 0.2;
	cfg->seed = 42;
	cfg->timeout_s = 60;
	cfg->threads[0] = 1;
	cfg->nthreads = 1;
	cfg->sample_every = AS_SAMPLE_AUTO;
	cfg->latency_every = AS_LATENCY_DEFAULT;
	cfg->syscalls = AS_SYSCOUNT_PERF;
	cfg->pin = AS_PIN_NONE;
	cfg->jobs = 1;
	cfg->argc = argc;
	cfg->argv = argv;
}

typedef struct {
	char *text;  /* run.args contents */
	char **argv; /* "run" + its NUL-separated arguments */
} run_args_t;

/* --resume DIR: the only option allowed; the matrix comes from DIR/run.args,
 * parsed by the same option table, and results stay in DIR. */
/* 1 when DIR's context.csv says `replay` wrote it (its label row): its
 * run.args are replay's, TRACE first or last (`replay -a glibc -o DIR
 * t.ast` is accepted as well as `replay t.ast -a glibc -o DIR`). */
static int replay_folder(const char *dir)
{
	char path[PATH_MAX + 16], line[256];
	FILE *f;
	int yes = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/context.csv", dir) >= sizeof(path) ||
	    !(f = fopen(path, "r")))
		return 0;
	while (!yes && fgets(line, sizeof(line), f))
		yes = !strcmp(line, "label,replay\n");
	fclose(f);
	return yes;
}

static int resume_args(run_ctx_t *c, int argc, char **argv, run_args_t *ra)
{
	char err[PATH_MAX + 256];
	const char *dir = c->resume_dir;
	int n, r;

	/* "--resume DIR" or "--resume=DIR", nothing else */
	if (argc != 3 && !(argc == 2 && !strncmp(argv[1], "--resume=", 9))) {
		fprintf(stderr, "allocscope run: --resume DIR takes no other options (the run's "
		                "own are in DIR/run.args)\n");
		return 2;
	}
	{
		/* a suite's scenario folder: its run.args are the suite's */
		char suite_args[PATH_MAX + 32], *parent = strdup(dir);
		if (!parent)
			abort();
		snprintf(suite_args, sizeof(suite_args), "%s/../suite.args", dir);
		if (access(suite_args, F_OK) == 0) {
			char *dir_w = as_shell_word(dir),
			     *parent_w = as_shell_word(dirname(parent));
			fprintf(stderr,
			        "allocscope run: cannot resume %s: it is a scenario of a suite; "
			        "resume the suite: allocscope suite --resume %s\n",
			        dir_w, parent_w);
			free(dir_w);
			free(parent_w);
			free(parent);
			return 2;
		}
		free(parent);
	}
	n = as_resume_load_args(dir, "run.args", "run", argv[0], &ra->argv, &ra->text, err,
	                        sizeof(err));
	if (n < 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if ((n > 1 && ra->argv[1][0] != '-') || replay_folder(dir)) {
		/* a leading TRACE (run takes no operand), or the context's
		 * label: replay's folder (until a review, one whose TRACE came
		 * last was refused as not a run's arguments) */
		c->replay = 1;
		return as_replay_resume(dir, n, ra->argv, argc, argv);
	}
	as_run_cfg_free_specs(&c->cfg);
	as_run_defaults(&c->cfg, n, ra->argv);
	c->resume_dir = NULL;
	r = as_cli_parse(&as_cmd_run, n, ra->argv, on_run_opt, c);
	if (r < 0 || r < n || c->resume_dir) {
		fprintf(stderr,
		        "allocscope run: cannot resume %s: %s/run.args is not a run's "
		        "arguments\n",
		        dir, dir);
		return 2;
	}
	c->cfg.out_dir = dir;
	c->cfg.resume = 1;
	c->cfg.argc = argc; /* the context records the resuming command */
	c->cfg.argv = argv;
	return 0;
}

static int run_main(int argc, char **argv)
{
	run_args_t rargs = {0};
	run_ctx_t c;
	char out[PATH_MAX];
	int r, pr;

	memset(&c, 0, sizeof(c));
	as_run_defaults(&c.cfg, argc, argv);
	r = as_cli_parse(&as_cmd_run, argc, argv, on_run_opt, &c);
	if (r == -2) {
		r = 0;
		goto out;
	}
	if (r < 0) {
		r = 2;
		goto out;
	}
	if (r < argc) {
		fprintf(stderr, "allocscope run: unexpected argument '%s'\n", argv[r]);
		r = 2;
		goto out;
	}
	if (c.resume_dir) {
		r = resume_args(&c, argc, argv, &rargs);
		if (r != 0 || c.replay) /* a replay's folder: resumed there */
			goto out;
	}
	if (c.cfg.nmodules == 0) {
		fprintf(stderr, "allocscope run: option -a is required (try 'allocscope list')\n");
		r = 2;
		goto out;
	}
	if (c.cfg.nworkloads == 0) {
		char err[256];
		if (as_spec_parse("random", AS_SPEC_WORKLOAD, &c.cfg.workloads[0], err,
		                  sizeof(err)) != 0) {
			r = 2;
			goto out;
		}
		c.cfg.nworkloads = 1;
	}
	if (c.cfg.jobs > 1 && c.cfg.reps_auto) {
		/* -r auto judges ns/op, which a trial sharing the cores has not */
		fprintf(stderr,
		        "allocscope run: --jobs %d runs trials side by side, whose times "
		        "are no timing figures; -r auto judges ns/op: give -r N\n",
		        c.cfg.jobs);
		r = 2;
		goto out;
	}
	r = as_run_validate(&c.cfg);
	if (r == 0) {
		r = as_run_matrix(&c.cfg, out, sizeof(out));
		/* not after a write error or an interrupt; a report the disk had
		 * no room for is a write error too (it exited 0) */
		if ((r == 0 || r == 1) && (pr = as_run_plot(&c.cfg, out)) != 0)
			r = pr;
	}
out:
	as_run_cfg_free_specs(&c.cfg);
	free(rargs.text);
	free(rargs.argv);
	return r;
}

const as_cmd_t as_cmd_run = {
    .name = "run",
    .synopsis = "run -a MODULES [-w WORKLOADS] [-t THREADS] [-r REPS] [-o DIR]",
    .summary = "run a matrix of trials, print a table, write results/<run-id>/",
    .opts = run_opts,
    .nopts = sizeof(run_opts) / sizeof(run_opts[0]),
    .examples =
        "  allocscope run -a glibc,null\n"
        "  allocscope run -a glibc,refmalloc:mmap_threshold=64k -w random:min=16,max=4096 -r 5\n"
        "  allocscope run -a ./mymodule.so -w random:live=100000 -t 1,2 -o results/mine\n"
        "  allocscope run -a glibc,null -r 5 --warmup 1 --latency 1 --pin compact\n"
        "  allocscope run -a glibc -w random:max=1m --syscalls seccomp --sample-every 1000\n"
        "  allocscope run --resume results/20261126-101500\n",
    .main = run_main,
    .operands = "none",
};
