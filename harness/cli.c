/* cli.c - see cli.h. */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../workloads/spec.h"
#include "suggest.h"

/* One spelling per concept across commands; the other spelling people type
 * is accepted wherever the option exists, and shown in the man pages. */
static const struct {
	const char *name, *alias;
} aliases[] = {
    {"allocators", "allocator"},
};

const char *as_cli_alias(const char *name)
{
	for (size_t a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++)
		if (!strcmp(name, aliases[a].name))
			return aliases[a].alias;
	return NULL;
}

/* The option of cmd's table that long name NAME (LEN bytes) gives:
 * its name or alias, else the one whose name starts so; NULL if none or
 * several. */
static const as_opt_t *long_opt(const as_cmd_t *cmd, const char *name, size_t len)
{
	const as_opt_t *prefix = NULL;
	int nprefix = 0;
	for (int i = 0; i < cmd->nopts; i++) {
		const as_opt_t *o = &cmd->opts[i];
		const char *al = as_cli_alias(o->name);
		if ((strlen(o->name) == len && !strncmp(o->name, name, len)) ||
		    (al && strlen(al) == len && !strncmp(al, name, len)))
			return o;
		if (!strncmp(o->name, name, len) || (al && !strncmp(al, name, len))) {
			prefix = o;
			nprefix++;
		}
	}
	return nprefix == 1 ? prefix : NULL;
}

void as_cli_option_args(const as_cmd_t *cmd, int argc, char *const *argv, int key,
                        void (*on)(const char *arg, void *ctx), void *ctx)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--") || a[0] != '-' || !a[1])
			return; /* as_cli_parse's '+': the first operand ends them */
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			const as_opt_t *o =
			    long_opt(cmd, a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
			const char *val = NULL;
			if (!o || !o->arg)
				continue;
			val = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
			if (val && o->key == key)
				on(val, ctx);
			continue;
		}
		for (int j = 1; a[j]; j++) {
			const as_opt_t *o = NULL;
			const char *val;
			for (int k = 0; k < cmd->nopts && !o; k++)
				if (cmd->opts[k].key == (unsigned char)a[j])
					o = &cmd->opts[k];
			if (!o || !o->arg)
				continue;
			/* the rest of the word, else the next one */
			val = a[j + 1] ? a + j + 1 : i + 1 < argc ? argv[++i] : NULL;
			if (val && o->key == key)
				on(val, ctx);
			break;
		}
	}
}

void as_cli_help(FILE *f, const as_cmd_t *cmd)
{
	int width = 0;
	char left[128];
	fprintf(f, "usage: allocscope %s\n\n%s\n", cmd->synopsis, cmd->summary);
	if (cmd->nopts)
		fprintf(f, "\nOptions:\n");
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < cmd->nopts; i++) {
			const as_opt_t *o = &cmd->opts[i];
			int n;
			if (o->key < 256)
				n = snprintf(left, sizeof(left), "-%c, --%s%s%s", o->key, o->name,
				             o->arg ? " " : "", o->arg ? o->arg : "");
			else
				n = snprintf(left, sizeof(left), "    --%s%s%s", o->name,
				             o->arg ? " " : "", o->arg ? o->arg : "");
			if (pass == 0) {
				if (n > width)
					width = n;
				continue;
			}
			fprintf(f, "  %-*s  %s", width, left, o->help);
			if (o->defval)
				fprintf(f, " (default: %s)", o->defval);
			fputc('\n', f);
		}
	}
	fprintf(f, "  %-*s  %s\n", width, "-h, --help", "show this help");
	if (cmd->examples)
		fprintf(f, "\nExamples:\n%s", cmd->examples);
}

/* "unknown option '--reps2'; did you mean '--reps'?" */
static void unknown_long(const as_cmd_t *cmd, const char *arg)
{
	char name[64], dym[96];
	as_suggest_t sg;
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg + strspn(arg, "-"), "="),
	         arg + strspn(arg, "-"));
	as_suggest_init(&sg, name);
	for (int i = 0; i < cmd->nopts; i++) {
		as_suggest_add(&sg, cmd->opts[i].name);
		as_suggest_add(&sg, as_cli_alias(cmd->opts[i].name));
	}
	as_suggest_add(&sg, "help");
	fprintf(stderr, "allocscope %s: unknown option '%s' (see --help)%s\n", cmd->name, arg,
	        as_suggest_fmt(&sg, "--", dym, sizeof(dym)));
}

/* The values of cmd's list options seen so far on one command line, which a
 * command may parse in several calls (operands between options: the calls
 * share the end of argv and each starts past the last one's start). */
static struct {
	const as_cmd_t *cmd;
	char **start, **end;
	const char *val[64];
} seen;

/* Refuse list option KEY (value ARG) when this command line gave it
 * before: the later list replaced the earlier in silence, and `-a null -a
 * glibc` ran glibc alone (until session 34). The same for the one module
 * of `exec -a MODULE`, which kept the last (until session 35). A value
 * that is one setting (`-r 1 ... -r 3`) may still be given again, the
 * later winning, as scripts that append to a line of defaults do. Returns
 * 0, or -1 after one line. */
static int given_twice(const as_cmd_t *cmd, int key, const char *arg)
{
	char a[AS_SHOW_MAX], b[AS_SHOW_MAX], name[64];
	int i = 0, list;
	while (i < cmd->nopts && i < 64 && cmd->opts[i].key != key)
		i++;
	if (i == cmd->nopts || i == 64 || !cmd->opts[i].arg)
		return 0;
	list = strstr(cmd->opts[i].arg, "LIST") != NULL;
	if (!list && strcmp(cmd->opts[i].arg, "MODULE"))
		return 0;
	if (!seen.val[i]) {
		seen.val[i] = arg;
		return 0;
	}
	if (key < 256)
		snprintf(name, sizeof(name), "-%c", key);
	else
		snprintf(name, sizeof(name), "--%s", cmd->opts[i].name);
	fprintf(stderr, "allocscope %s: option %s given twice ('%s', then '%s'): %s\n", cmd->name,
	        name, as_show(seen.val[i], a), as_show(arg, b),
	        list ? "give one comma-separated list" : "give one module");
	return -1;
}

int as_cli_parse(const as_cmd_t *cmd, int argc, char **argv,
                 int (*on)(int key, const char *arg, void *ctx), void *ctx)
{
	struct option lo[64];
	char so[160];
	int n = 0, s = 0;

	/* a new command line, or this one parsed again from its start */
	if (seen.cmd != cmd || seen.end != argv + argc || argv <= seen.start)
		memset(seen.val, 0, sizeof(seen.val));
	seen.cmd = cmd;
	seen.start = argv;
	seen.end = argv + argc;
	so[s++] = '+'; /* stop at the first non-option (e.g. "--" PROG) */
	so[s++] = ':';
	for (int i = 0; i < cmd->nopts && n < 61; i++) {
		const as_opt_t *o = &cmd->opts[i];
		lo[n].name = o->name;
		lo[n].has_arg = o->arg ? required_argument : no_argument;
		lo[n].flag = NULL;
		lo[n].val = o->key;
		n++;
		if (as_cli_alias(o->name)) {
			lo[n] = lo[n - 1];
			lo[n++].name = as_cli_alias(o->name);
		}
		if (o->key < 256) {
			so[s++] = (char)o->key;
			if (o->arg)
				so[s++] = ':';
		}
	}
	lo[n++] = (struct option){"help", no_argument, NULL, 'h'};
	lo[n] = (struct option){0, 0, 0, 0};
	so[s++] = 'h';
	so[s] = '\0';

	optind = 1;
	opterr = 0;
	for (;;) {
		int li = -1;
		int c = getopt_long(argc, argv, so, lo, &li);
		if (c == -1)
			break;
		if (c == 'h') {
			as_cli_help(stdout, cmd);
			return -2;
		}
		if (c == '?') {
			if (optopt && optopt < 256)
				fprintf(stderr,
				        "allocscope %s: unknown option '-%c' (see --help)\n",
				        cmd->name, optopt);
			else
				unknown_long(cmd, argv[optind - 1]);
			return -1;
		}
		if (c == ':') {
			fprintf(stderr, "allocscope %s: option '%s' needs a value (see --help)\n",
			        cmd->name, argv[optind - 1]);
			return -1;
		}
		if (given_twice(cmd, c, optarg) != 0 || on(c, optarg, ctx) != 0)
			return -1;
	}
	return optind;
}

int as_cli_parse_operands(const as_cmd_t *cmd, int argc, char **argv,
                          int (*on)(int key, const char *arg, void *ctx), void *ctx,
                          const char **pos, int maxpos, int *npos)
{
	return as_cli_parse_split(cmd, argc, argv, on, ctx, pos, maxpos, npos, NULL);
}

int as_cli_parse_split(const as_cmd_t *cmd, int argc, char **argv,
                       int (*on)(int key, const char *arg, void *ctx), void *ctx, const char **pos,
                       int maxpos, int *npos, char ***after)
{
	int base = 0, rest = 0;
	*npos = 0;
	while (base < argc) {
		if (!rest) {
			int r = as_cli_parse(cmd, argc - base, argv + base, on, ctx);
			if (r < 0)
				return r;
			rest = r > 1 && !strcmp(argv[base + r - 1], "--");
			base += r;
		} else
			base++;
		if (base >= argc)
			break;
		if (rest && after) {
			*after = argv + base;
			break;
		}
		if (*npos == maxpos) {
			char shown[AS_SHOW_MAX];
			fprintf(stderr,
			        "allocscope %s: unexpected argument '%s' (usage: allocscope %s)\n",
			        cmd->name, as_show(argv[base], shown), cmd->synopsis);
			return -1;
		}
		pos[(*npos)++] = argv[base];
	}
	return 0;
}
