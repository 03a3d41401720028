/* tune_config.c - the configurations `allocscope tune` tries and applies:
 * its grid (glibc's defaults, then -a, --grid or the default grid), and the
 * line that applies one to a program (as_tune_apply_line). A bad
 * configuration is one line on stderr; nothing here writes to stdout. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "files.h"
#include "loader.h"
#include "modenv.h"
#include "tune_cmd.h"
#include "util.h"

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

int as_tune_build_grid(as_tune_cmd_t *c)
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
		/* a regular file: a FIFO waited for a writer, /dev/zero was
		 * read for ever (until session 34) */
		FILE *f = as_fopen_regular(c->grid_file, err, sizeof(err));
		int lineno = 0, nconf = 0;
		if (!f) {
			fprintf(stderr, "allocscope tune: --grid %s\n", err);
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
