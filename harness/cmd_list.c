/* cmd_list.c - `allocscope list`: every module found on the search path
 * (version, capabilities, params), every workload with its params, so that
 * nothing runnable is undiscoverable. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../workloads/spec.h"
#include "../workloads/suggest.h"
#include "../workloads/workload.h"
#include "commands.h"
#include "loader.h"
#include "modenv.h"
#include "suite.h"
#include "version.h"

static void print_param(const as_param_spec_t *p)
{
	int numeric = p->type == AS_PARAM_U64 || p->type == AS_PARAM_SIZE ||
	              p->type == AS_PARAM_DOUBLE || p->type == AS_PARAM_BOOL;
	printf("      %-16s %s (default %s", p->key, p->help ? p->help : "",
	       p->defval && *p->defval ? p->defval
	       : numeric               ? "unset: the allocator's own"
	                               : "none");
	if (p->type == AS_PARAM_ENUM)
		printf("; one of %s", p->choices);
	else if (p->type == AS_PARAM_BOOL)
		printf("; 0 or 1");
	else if (numeric && p->max > 0)
		printf("; range %.15g..%.15g%s", p->min, p->max,
		       p->type == AS_PARAM_SIZE ? " bytes, k/M/G suffix" : "");
	else if (numeric)
		printf("; at least %.15g", p->min);
	printf(")\n");
}

static void caps_string(uint32_t caps, char *out, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {{AS_CAP_THREAD_SAFE, "thread-safe"},
	             {AS_CAP_FREE, "free"},
	             {AS_CAP_RESET, "reset"},
	             {AS_CAP_SIZE_UNKNOWN, "unsized-free"},
	             {AS_CAP_ANY_SIZE, "any-size"},
	             {AS_CAP_ZEROED, "zeroed"},
	             {AS_CAP_SINGLE_INSTANCE, "single-instance"},
	             {AS_CAP_RECYCLES_LIVE, "recycles-live"},
	             {AS_CAP_LIBC_MALLOC, "libc-malloc"}};
	size_t w = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (caps & names[i].bit)
			w += (size_t)snprintf(out + w, w < len ? len - w : 0, "%s%s", w ? "," : "",
			                      names[i].name);
}

typedef struct {
	char seen[64][64];
	int nseen;
} list_ctx_t;

static void list_module(const char *path, void *vctx)
{
	list_ctx_t *c = vctx;
	as_loaded_t lm;
	char err[1024], caps[128];
	if (as_module_load_safely(path, &lm, err, sizeof(err)) != 0) {
		printf("  %-12s (cannot load: %s)\n", path, err);
		return;
	}
	for (int i = 0; i < c->nseen; i++)
		if (!strcmp(c->seen[i], lm.mod->name))
			return; /* shadowed by an earlier folder */
	if (c->nseen < 64)
		snprintf(c->seen[c->nseen++], sizeof(c->seen[0]), "%s", lm.mod->name);
	caps_string(lm.mod->caps, caps, sizeof(caps));
	printf("  %-12s %-10s %s\n", lm.mod->name, lm.mod->version ? lm.mod->version : "?",
	       lm.mod->description ? lm.mod->description : "");
	printf("      capabilities: %s\n", caps[0] ? caps : "(none)");
	printf("      file: %s\n", lm.path);
	/* entries are the module's own size apart: read them through the loader */
	for (uint32_t i = 0; i < lm.mod->nparams; i++) {
		as_param_spec_t p;
		as_module_param(lm.mod, i, &p);
		print_param(&p);
	}
}

static void list_workload(const as_workload_t *w)
{
	printf("  %-12s %s\n", w->name, w->description);
	for (uint32_t k = 0; k < w->nparams; k++)
		print_param(&w->params[k]);
}

static void list_suite(const as_suite_t *s)
{
	printf("  %-12s %s\n      scenarios:", s->name, s->description);
	for (size_t j = 0; s->scenarios[j]; j++)
		printf(" %s", s->scenarios[j]);
	printf("\n");
}

static void list_scenario(const as_scenario_t *sc)
{
	printf("  %-12s %s\n", sc->name, sc->title);
}

/* `list NAME`: the workload, suite or scenario of that name, under the
 * heading `list` gives it, after a blank line when AFTER (a module of that
 * name printed before: bump is a module and a scenario). Returns 0 when
 * one was printed, -1 when NAME is none of them. */
static int list_named(const char *name, int after)
{
	const as_workload_t *w = as_workload_find(name);
	int n = after;
	if (w) {
		printf("%sWorkload (-w NAME[:k=v,...]):\n", n++ ? "\n" : "");
		list_workload(w);
	}
	for (size_t i = 0; as_suites[i]; i++)
		if (!strcmp(as_suites[i]->name, name)) {
			printf("%sSuite (allocscope suite NAME [--quick]):\n", n++ ? "\n" : "");
			list_suite(as_suites[i]);
		}
	for (size_t i = 0; as_scenarios[i]; i++)
		if (!strcmp(as_scenarios[i]->name, name)) {
			printf("%sScenario (allocscope suite SCENARIO):\n", n++ ? "\n" : "");
			list_scenario(as_scenarios[i]);
		}
	return n > after ? 0 : -1;
}

static int list_main(int argc, char **argv)
{
	list_ctx_t c;
	int r = as_cli_parse(&as_cmd_list, argc, argv, NULL, NULL);
	if (r == -2)
		return 0;
	if (r < 0)
		return 2;
	memset(&c, 0, sizeof(c));
	if (r + 1 < argc) {
		fprintf(stderr,
		        "allocscope list: one NAME at a time ('%s' after '%s'; see --help)\n",
		        argv[r + 1], argv[r]);
		return 2;
	}
	if (r < argc) {
		/* a name or a path, found as run -a finds it (the same message,
		 * with the nearest name, when it is not) */
		char path[PATH_MAX], err[1024];
		as_loaded_t lm;
		as_status_t st = as_module_resolve(argv[r], path, sizeof(path), err, sizeof(err));
		/* a workload's, suite's or scenario's name: no module of that
		 * name, so what `list` says of it */
		if (st == AS_ERR_NOT_FOUND && !as_module_is_path(argv[r])) {
			as_suggest_t sg;
			char dym[96], shown[AS_SHOW_MAX];
			const char *env = getenv("ALLOCSCOPE_MODULE_PATH");
			if (list_named(argv[r], 0) == 0)
				return 0;
			/* the nearest of every name list knows */
			as_suggest_init(&sg, argv[r]);
			as_module_foreach(as_module_suggest, &sg);
			for (size_t i = 0; as_workloads[i]; i++)
				as_suggest_add(&sg, as_workloads[i]->name);
			for (size_t i = 0; as_suites[i]; i++)
				as_suggest_add(&sg, as_suites[i]->name);
			for (size_t i = 0; as_scenarios[i]; i++)
				as_suggest_add(&sg, as_scenarios[i]->name);
			fprintf(
			    stderr,
			    "allocscope list: %s: no module, workload, suite or scenario of that "
			    "name (modules searched: ALLOCSCOPE_MODULE_PATH=%s and %s)%s\n",
			    /* '' for an empty one: "list: : no module" read as a
			     * stray colon (until session 35) */
			    *argv[r] ? as_show(argv[r], shown) : "''", env ? env : "",
			    as_module_dir(), as_suggest_fmt(&sg, NULL, dym, sizeof(dym)));
			return 2;
		}
		if (st != AS_OK || as_module_load_safely(path, &lm, err, sizeof(err)) != 0) {
			fprintf(stderr, "allocscope list: %s\n", err);
			return 2;
		}
		list_module(path, &c);
		if (!as_module_is_path(argv[r]))
			list_named(argv[r], 1);
		return 0;
	}
	printf("allocscope %s\n\n", as_version());
	printf("Modules (search path: $ALLOCSCOPE_MODULE_PATH:%s):\n", as_module_dir());
	as_module_foreach(list_module, &c);
	printf("\nWorkloads (-w NAME[:k=v,...]):\n");
	for (size_t i = 0; as_workloads[i]; i++)
		list_workload(as_workloads[i]);
	printf("\nSuites (allocscope suite NAME [--quick]):\n");
	for (size_t i = 0; as_suites[i]; i++)
		list_suite(as_suites[i]);
	printf("\nScenarios (allocscope suite SCENARIO):\n");
	for (size_t i = 0; as_scenarios[i]; i++)
		list_scenario(as_scenarios[i]);
	return 0;
}

const as_cmd_t as_cmd_list = {
    .name = "list",
    .synopsis = "list [MODULE|WORKLOAD|SUITE|SCENARIO]",
    .summary = "list modules (version, capabilities, params), workloads and suites; "
               "with a NAME, that one only",
    .examples = "  allocscope list\n  allocscope list jemalloc\n  allocscope list larson\n"
                "  ALLOCSCOPE_MODULE_PATH=./mymods allocscope list\n",
    .main = list_main,
    .operands = "names",
};
