/* cmd_run.c - `allocscope run`: parse the matrix options and hand them to
 * the runner. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../workloads/opstream.h"
#include "commands.h"
#include "runner.h"
#include "util.h"

static const as_opt_t run_opts[] = {
    {'a', "allocators", "LIST", NULL,
     "modules to compare: NAME[:k=v,...] or PATH.so, comma-separated (required)"},
    {'w', "workload", "LIST", "random", "workloads: NAME[:k=v,...], comma-separated"},
    {'t', "threads", "LIST", "1", "thread counts, comma-separated"},
    {'r', "reps", "N", "1", "repetitions of each trial, each in a fresh process (1..1000)"},
    {'o', "out", "DIR", "results/<run-id>", "results folder"},
    {OPT_SEED, "seed", "N", "42", "workload PRNG seed"},
    {OPT_TIMEOUT, "timeout", "SEC", "60", "per-trial time limit; a late worker is killed"},
    {OPT_VALIDATE, "validate", NULL, NULL, "check every returned block's alignment"},
    {'q', "quiet", NULL, NULL, "no table on stdout, only the results folder"},
};

typedef struct {
	as_run_cfg_t cfg;
	char *abuf, *wbuf;
} run_ctx_t;

/* Options run shares with replay (-a -r -o --seed --timeout --validate -q).
 * Returns 0 when handled, 1 when the key is not a common one, -1 after
 * printing an error. *abuf receives the strdup'd -a list (caller frees). */
int as_run_common_opt(const char *cmd, int key, const char *arg, as_run_cfg_t *cfg, char **abuf)
{
	char err[256];
	uint64_t u;
	switch (key) {
	case 'a':
		free(*abuf);
		*abuf = strdup(arg);
		cfg->nmodules = as_split_specs(*abuf, cfg->modules, AS_RUN_MAX_ITEMS);
		if (cfg->nmodules <= 0) {
			fprintf(stderr, "allocscope %s: option -a: '%s' is not a list of modules\n",
			        cmd, arg);
			return -1;
		}
		return 0;
	case 'r':
		if (as_parse_u64("-r", arg, 1, 1000, &u, err, sizeof(err)))
			break;
		cfg->reps = (uint32_t)u;
		return 0;
	case 'o': cfg->out_dir = arg; return 0;
	case OPT_SEED:
		if (as_parse_u64("--seed", arg, 0, UINT64_MAX, &cfg->seed, err, sizeof(err)))
			break;
		return 0;
	case OPT_TIMEOUT:
		if (as_parse_double("--timeout", arg, 0.1, 86400, &cfg->timeout_s, err,
		                    sizeof(err)))
			break;
		return 0;
	case OPT_VALIDATE: cfg->validate = 1; return 0;
	case 'q': cfg->quiet = 1; return 0;
	default: return 1;
	}
	fprintf(stderr, "allocscope %s: %s\n", cmd, err);
	return -1;
}

static int on_run_opt(int key, const char *arg, void *vctx)
{
	run_ctx_t *c = vctx;
	char err[256];
	uint64_t u;
	int r = as_run_common_opt("run", key, arg, &c->cfg, &c->abuf);
	if (r <= 0)
		return r;
	switch (key) {
	case 'w':
		c->wbuf = strdup(arg);
		c->cfg.nworkloads = as_split_specs(c->wbuf, c->cfg.workloads, AS_RUN_MAX_ITEMS);
		if (c->cfg.nworkloads <= 0) {
			fprintf(stderr,
			        "allocscope run: option -w: '%s' is not a list of workloads\n",
			        arg);
			return -1;
		}
		return 0;
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
	default: return -1;
	}
}

/* Defaults shared by run, replay and suite. */
void as_run_defaults(as_run_cfg_t *cfg, int argc, char **argv)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->reps = 1;
	cfg->seed = 42;
	cfg->timeout_s = 60;
	cfg->threads[0] = 1;
	cfg->nthreads = 1;
	cfg->argc = argc;
	cfg->argv = argv;
}

static int run_main(int argc, char **argv)
{
	static char default_wl[] = "random";
	run_ctx_t c;
	char out[4096];
	int r;

	memset(&c, 0, sizeof(c));
	as_run_defaults(&c.cfg, argc, argv);
	r = as_cli_parse(&as_cmd_run, argc, argv, on_run_opt, &c);
	if (r == -2)
		return 0;
	if (r < 0)
		return 2;
	if (r < argc) {
		fprintf(stderr, "allocscope run: unexpected argument '%s'\n", argv[r]);
		return 2;
	}
	if (c.cfg.nmodules == 0) {
		fprintf(stderr, "allocscope run: option -a is required (try 'allocscope list')\n");
		return 2;
	}
	if (c.cfg.nworkloads == 0) {
		c.cfg.workloads[0] = default_wl;
		c.cfg.nworkloads = 1;
	}
	r = as_run_validate(&c.cfg);
	if (r == 0)
		r = as_run_matrix(&c.cfg, out, sizeof(out));
	free(c.abuf);
	free(c.wbuf);
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
        "  allocscope run -a ./mymodule.so -w random:live=100000 -t 1,2 -o results/mine\n",
    .main = run_main,
};
