/* cmd_check.c - `allocscope check MODULE...`: the conformance suite against
 * any module, built-in or a third party's .so, one PASS/FAIL/SKIP line per
 * check. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "commands.h"
#include "conformance.h"
#include "modenv.h"
#include "util.h"

enum { OPT_CHECK_TIMEOUT = 256, OPT_STRESS_OPS, OPT_STRESS_SEED };

static const as_opt_t check_opts[] = {
    {'v', "verbose", NULL, NULL, "show the detail of passing and skipped checks too"},
    {OPT_CHECK_TIMEOUT, "timeout", "SEC", "20", "per-check time limit; a hung check fails"},
    {OPT_STRESS_OPS, "stress-ops", "N", "200000",
     "operations of the randomised stress check, over all its threads (a longer run: more)"},
    {OPT_STRESS_SEED, "seed", "N", "1", "seed of the stress check's random sequence"},
};

typedef struct {
	int verbose;
	unsigned timeout_s;
	as_stress_opts_t stress;
	int nmods;
	char *mods[256];
	as_spec_t specs[256]; /* of mods, parsed before anything runs */
} check_ctx_t;

static int on_check_opt(int key, const char *arg, void *vctx)
{
	check_ctx_t *c = vctx;
	char err[256];
	uint64_t u;
	if (key == 'v') {
		c->verbose = 1;
		return 0;
	}
	if (key == OPT_CHECK_TIMEOUT) {
		if (as_parse_u64("--timeout", arg, 1, 86400, &u, err, sizeof(err)) != 0) {
			fprintf(stderr, "allocscope check: %s\n", err);
			return -1;
		}
		c->timeout_s = (unsigned)u;
		as_module_env_timeout((double)u); /* loading the module too */
		return 0;
	}
	if ((key == OPT_STRESS_OPS && as_parse_u64("--stress-ops", arg, 1, 1000000000,
	                                           &c->stress.ops, err, sizeof(err)) == 0) ||
	    (key == OPT_STRESS_SEED &&
	     as_parse_u64("--seed", arg, 0, UINT64_MAX, &c->stress.seed, err, sizeof(err)) == 0))
		return 0;
	if (key == OPT_STRESS_OPS || key == OPT_STRESS_SEED)
		fprintf(stderr, "allocscope check: %s\n", err);
	return -1;
}

/* Options may come before, between and after the module names: parse up
 * to the next name, take it, go on (the parser stops at a non-option). */
static int parse_args(int argc, char **argv, check_ctx_t *c)
{
	char **av = argv;
	int ac = argc;
	for (;;) {
		int r = as_cli_parse(&as_cmd_check, ac, av, on_check_opt, c);
		if (r < 0)
			return r;
		if (r < ac && !strcmp(av[r], "--"))
			r++;
		if (r >= ac)
			return 0;
		if (c->nmods == (int)(sizeof(c->mods) / sizeof(c->mods[0]))) {
			fprintf(stderr, "allocscope check: too many modules (at most %d)\n",
			        c->nmods);
			return -1;
		}
		c->mods[c->nmods++] = av[r];
		/* the name's slot becomes argv[0] of what follows */
		av += r;
		ac -= r;
	}
}

/* Each module's spec into c->specs: 0, or -1 after one line on stderr
 * (a spec that does not parse; a module named twice, as run refuses one:
 * `check null null` ran the suite twice, until session 36). */
static int parse_specs(check_ctx_t *c)
{
	char err[1024];
	for (int i = 0; i < c->nmods; i++)
		if (as_spec_parse(c->mods[i], AS_SPEC_MODULE, &c->specs[i], err, sizeof(err)) !=
		    0) {
			fprintf(stderr, "allocscope check: %s\n", err);
			return -1;
		}
	if (as_spec_given_twice(c->specs, c->nmods, err, sizeof(err))) {
		fprintf(stderr, "allocscope check: %s (its checks would run twice)\n", err);
		return -1;
	}
	return 0;
}

static int check_main(int argc, char **argv)
{
	check_ctx_t c = {.timeout_s = 20,
	                 .stress = {AS_STRESS_OPS_DEFAULT, AS_STRESS_SEED_DEFAULT}};
	int worst = 0;
	int r = parse_args(argc, argv, &c);
	if (r == -2)
		return 0;
	if (r < 0)
		return 2;
	if (c.nmods == 0) {
		fprintf(stderr,
		        "allocscope check: name at least one module (see 'allocscope list')\n");
		return 2;
	}
	/* a spec refused above checks nothing; otherwise every module is
	 * checked, whatever an earlier one gave (as before session 36) */
	int parsed = parse_specs(&c) == 0;
	if (!parsed)
		worst = 2;
	for (int i = 0; parsed && i < c.nmods; i++) {
		int rc = as_conformance_run(&c.specs[i], stdout, c.verbose, c.timeout_s, &c.stress);
		if (rc > worst)
			worst = rc;
	}
	for (int i = 0; i < c.nmods; i++)
		as_spec_free(&c.specs[i]);
	return worst;
}

const as_cmd_t as_cmd_check = {
    .name = "check",
    .synopsis = "check [-v] [--timeout SEC] [--stress-ops N] [--seed N] MODULE[:params]...",
    .summary = "run the conformance suite against modules (names or .so paths)",
    .opts = check_opts,
    .nopts = sizeof(check_opts) / sizeof(check_opts[0]),
    .examples = "  allocscope check glibc\n"
                "  allocscope check ./build/mymalloc.so refmalloc:mmap_threshold=64k\n"
                "  allocscope check refmalloc --timeout 5\n"
                "  allocscope check --stress-ops 5000000 --seed 7 tcmalloc\n",
    .main = check_main,
    .operands = "modules",
};
