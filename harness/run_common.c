/* run_common.c - what the commands that run a matrix share (run_common.h):
 * the common options' handler, the defaults, and running a matrix and
 * plotting its folder. Printing here is the CLI's option handler's alone (a
 * bad option's line, on stderr); what plotting did comes back as data
 * (as_run_plotted_t) and the command prints it. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jobs.h"
#include "modenv.h"
#include "pin.h"
#include "plot.h"
#include "run_common.h"
#include "runner.h"
#include "syscount.h"
#include "trial.h"
#include "util.h"

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

int as_run_plot(const as_run_cfg_t *cfg, const char *dir, as_run_plotted_t *out)
{
	as_plot_opts_t po;
	memset(out, 0, sizeof(*out));
	if (cfg->no_plot)
		return 0;
	memset(&po, 0, sizeof(po));
	as_plot_dir(dir, &po, &out->res);
	out->drawn = 1;
	/* ^C reaches the gnuplots too: their charts "failed"; the run's stop
	 * handler took the signal and nobody looked (exit 0) */
	out->interrupted = as_interrupted != 0;
	if (out->interrupted)
		return 130;
	return out->res.files_unwritten ? 2 : 0;
}

void as_run_plotted_free(as_run_plotted_t *p)
{
	if (p->drawn)
		as_plot_result_free(&p->res);
	memset(p, 0, sizeof(*p));
}

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

int as_run_and_plot(as_run_cfg_t *cfg, char *dir, size_t dirlen, as_run_plotted_t *plotted)
{
	int pr, r = as_run_validate(cfg);
	memset(plotted, 0, sizeof(*plotted));
	dir[0] = '\0';
	if (r == 0) {
		r = as_run_matrix(cfg, dir, dirlen);
		/* not after a write error or an interrupt; a report the disk had
		 * no room for is a write error too (it exited 0) */
		if ((r == 0 || r == 1) && (pr = as_run_plot(cfg, dir, plotted)) != 0)
			r = pr;
	}
	return r;
}
