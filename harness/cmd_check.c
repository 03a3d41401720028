/* cmd_check.c - `allocscope check MODULE...`: the conformance suite against
 * any module, built-in or a third party's .so, one PASS/FAIL/SKIP line per
 * check. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "conformance.h"

static const as_opt_t check_opts[] = {
    {'v', "verbose", NULL, NULL, "show the detail of passing and skipped checks too"},
};

static int on_check_opt(int key, const char *arg, void *ctx)
{
	(void)arg;
	if (key == 'v') {
		*(int *)ctx = 1;
		return 0;
	}
	return -1;
}

static int check_main(int argc, char **argv)
{
	int verbose = 0, worst = 0;
	int r = as_cli_parse(&as_cmd_check, argc, argv, on_check_opt, &verbose);
	if (r == -2)
		return 0;
	if (r < 0)
		return 2;
	if (r >= argc) {
		fprintf(stderr,
		        "allocscope check: name at least one module (see 'allocscope list')\n");
		return 2;
	}
	for (int i = r; i < argc; i++) {
		as_spec_t spec;
		char err[1024];
		int rc = 2;
		if (as_spec_parse(argv[i], AS_SPEC_MODULE, &spec, err, sizeof(err)) != 0) {
			fprintf(stderr, "allocscope check: %s\n", err);
		} else {
			rc = as_conformance_run(&spec, stdout, verbose);
			as_spec_free(&spec);
		}
		if (rc > worst)
			worst = rc;
	}
	return worst;
}

const as_cmd_t as_cmd_check = {
    .name = "check",
    .synopsis = "check [-v] MODULE[:params]...",
    .summary = "run the conformance suite against modules (names or .so paths)",
    .opts = check_opts,
    .nopts = 1,
    .examples = "  allocscope check glibc\n"
                "  allocscope check ./build/mymalloc.so refmalloc:mmap_threshold=64k\n",
    .main = check_main,
    .operands = "modules",
};
