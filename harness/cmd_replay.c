/* cmd_replay.c - `allocscope replay TRACE -a A,B`: exactly `allocscope run
 * -w trace:file=TRACE -a A,B` (same options handler, validation and runner),
 * with --serialize for modules that are not thread-safe. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "commands.h"
#include "run_common.h"
#include "runner.h"

enum { OPT_SERIALIZE = 300 };

static const as_opt_t replay_opts[] = {
    {OPT_SERIALIZE, "serialize", NULL, NULL,
     "replay every traced thread on one thread in recorded order"},
    AS_RUN_COMMON_OPTS,
};

typedef struct {
	as_run_cfg_t cfg;
	int serialize;
} replay_ctx_t;

static int on_replay_opt(int key, const char *arg, void *vctx)
{
	replay_ctx_t *c = vctx;
	int r = as_run_common_opt("replay", key, arg, &c->cfg);
	if (r <= 0)
		return r;
	if (key == OPT_SERIALIZE) {
		c->serialize = 1;
		return 0;
	}
	return -1;
}

/* Parse replay's ARGC/ARGV into c (TRACE as the file of its one workload).
 * Returns 0, -2 for --help, or 2 after one line (DIR given: the arguments
 * are DIR/run.args, and the line says so). */
static int replay_setup(replay_ctx_t *c, int argc, char **argv, const char *dir)
{
	const char *trace = NULL;
	int r, npos;

	as_run_defaults(&c->cfg, argc, argv);
	/* TRACE before, between or after the options */
	r = as_cli_parse_operands(&as_cmd_replay, argc, argv, on_replay_opt, c, &trace, 1, &npos);
	if (r == -2 && !dir)
		return -2;
	if (dir && (r < 0 || !trace || c->cfg.nmodules == 0)) {
		fprintf(stderr,
		        "allocscope run: cannot resume %s: %s/run.args is not a run's or a "
		        "replay's arguments\n",
		        dir, dir);
		return 2;
	}
	if (r < 0)
		return 2;
	if (!trace) {
		fprintf(stderr, "allocscope replay: expected one TRACE argument\n");
		return 2;
	}
	if (c->cfg.nmodules == 0) {
		fprintf(stderr,
		        "allocscope replay: option -a is required (try 'allocscope list')\n");
		return 2;
	}
	if (access(trace, R_OK) != 0) {
		char err[4 * PATH_MAX + 64];
		as_path_err(err, sizeof(err), trace, "%s", strerror(errno));
		fprintf(stderr, "allocscope replay: %s\n", err);
		return 2;
	}
	{
		/* the path travels as a value, never joined into a spec string */
		const char *keys[] = {"file", "serialize"}, *vals[] = {trace, "1"};
		if (as_spec_make("trace", keys, vals, c->serialize ? 2 : 1, &c->cfg.workloads[0])) {
			fprintf(stderr, "allocscope replay: out of memory\n");
			return 2;
		}
		c->cfg.nworkloads = 1;
	}
	c->cfg.label = "replay";
	return 0;
}

int as_replay_resume(const char *dir, int n, char **args, int argc, char **argv)
{
	replay_ctx_t c;
	int r;

	memset(&c, 0, sizeof(c));
	r = replay_setup(&c, n, args, dir);
	if (r == 0) {
		c.cfg.out_dir = dir;
		c.cfg.resume = 1;
		c.cfg.argc = argc; /* the context records the resuming command */
		c.cfg.argv = argv;
		r = as_cli_run_and_plot(&c.cfg);
	}
	as_run_cfg_free_specs(&c.cfg);
	return r;
}

static int replay_main(int argc, char **argv)
{
	replay_ctx_t c;
	int r;

	memset(&c, 0, sizeof(c));
	r = replay_setup(&c, argc, argv, NULL);
	if (r == 0)
		r = as_cli_run_and_plot(&c.cfg);
	as_run_cfg_free_specs(&c.cfg);
	return r == -2 ? 0 : r;
}

const as_cmd_t as_cmd_replay = {
    .name = "replay",
    .synopsis = "replay TRACE -a MODULES [--serialize] [-r REPS] [-o DIR]",
    .summary = "replay a trace against modules (= run -w trace:TRACE)",
    .opts = replay_opts,
    .nopts = sizeof(replay_opts) / sizeof(replay_opts[0]),
    .examples = "  allocscope replay prog.ast -a glibc,jemalloc,mimalloc -r 3\n"
                "  allocscope replay prog.ast -a null --serialize\n",
    .main = replay_main,
};
