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
#include "files.h"
#include "results_dir.h"
#include "resume.h"
#include "run_common.h"
#include "runner.h"
#include "util.h"
#include "oom.h"

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
	/* a file only: a FIFO of that name hung --resume in open(2) (until
	 * session 35); the resume's own read of context.csv then names it */
	if ((size_t)snprintf(path, sizeof(path), "%s/context.csv", dir) >= sizeof(path) ||
	    !(f = as_fopen_regular(path, NULL, 0)))
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
		char suite_args[PATH_MAX + 32], *parent = as_xstrdup(dir, "a folder's name");
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
	if (n == 1 && !replay_folder(dir)) {
		/* no arguments: a suite's (as_resume_load_args), never a run's,
		 * which has -a (until session 35 "option -a is required", as if
		 * the user had left it out) */
		fprintf(stderr,
		        "allocscope run: cannot resume %s: %s/run.args is empty, not a run's "
		        "arguments (the folder is damaged)\n",
		        dir, dir);
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
	int r;

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
	r = as_cli_run_and_plot(&c.cfg);
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
