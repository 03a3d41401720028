/* cli.h - one option table per command generates both the getopt_long
 * parsing and the --help text (two aligned columns, defaults shown, an
 * Examples section), so the two can never disagree. */
#ifndef AS_CLI_H
#define AS_CLI_H

#include <stdio.h>

typedef struct as_opt {
	int key;            /* short letter, or a value >= 256 for long-only */
	const char *name;   /* long name */
	const char *arg;    /* argument placeholder, NULL for a flag */
	const char *defval; /* default shown in help (NULL: none) */
	const char *help;
} as_opt_t;

typedef struct as_cmd {
	const char *name;
	const char *synopsis; /* "run -a MODULES [-w WORKLOADS] ..." */
	const char *summary;  /* one line */
	const as_opt_t *opts;
	int nopts;
	const char *examples; /* lines of real command lines */
	int (*main)(int argc, char **argv);
	/* subcommands ("trace stats", ...: name is "CMD SUB"), NULL-terminated;
	 * NULL for a command without them. Their tables feed --help, the man
	 * pages and the completion like any command's. */
	const struct as_cmd *const *subs;
	/* what the command's operands are, for shell completion: "none",
	 * "modules", "suites", "names" (modules, workloads, suites and
	 * scenarios: list's), "dirs", "command" (a program after --); NULL:
	 * file names */
	const char *operands;
	/* 1: the command never loads an allocator module, so it starts without
	 * the static-TLS re-exec (statictls.h): `capture`, whose start is part
	 * of the traced command's time */
	int no_modules;
} as_cmd_t;

/* The other long name accepted for option NAME (e.g. "allocator" for
 * "allocators"), or NULL. */
const char *as_cli_alias(const char *name);

/* Print the help of one command. */
void as_cli_help(FILE *f, const as_cmd_t *cmd);

/* as_cli_parse over all of argv, options before, between and after the
 * operands: each operand is set aside and parsing goes on after it ("--"
 * ends the options). Fills pos[0..*npos); more than maxpos operands is an
 * error naming the first extra one. Returns 0, -2 after --help, or -1
 * after a one-line message. */
int as_cli_parse_operands(const as_cmd_t *cmd, int argc, char **argv,
                          int (*on)(int key, const char *arg, void *ctx), void *ctx,
                          const char **pos, int maxpos, int *npos);

/* as_cli_parse_operands, where the words after "--" are not operands but
 * a program's (`tune -- PROG ARGS`): *after is set to the first of them
 * (argv's NULL-terminated tail), left alone when there are none. */
int as_cli_parse_split(const as_cmd_t *cmd, int argc, char **argv,
                       int (*on)(int key, const char *arg, void *ctx), void *ctx, const char **pos,
                       int maxpos, int *npos, char ***after);

/* getopt_long over cmd's table; calls on(key, optarg, ctx) per option.
 * Returns optind after parsing, or -1 after printing a one-line error
 * naming the option (unknown option, missing argument) or when on()
 * returns non-zero (it prints its own message). "-h/--help" prints help
 * and returns -2. */
int as_cli_parse(const as_cmd_t *cmd, int argc, char **argv,
                 int (*on)(int key, const char *arg, void *ctx), void *ctx);

/* The arguments option KEY of cmd's table was given in argv[1..argc), as
 * as_cli_parse reads them, without printing anything: on(arg, ctx) per
 * occurrence, in order. An option's argument is never read as an option
 * (`-o -t`, `-o 'x -t 8'`); a long name may be cut short where getopt_long
 * takes it (one option starts so); "--" and the first operand end the
 * options. For a command line read back from a results folder (run.args);
 * an unknown option is passed over. */
void as_cli_option_args(const as_cmd_t *cmd, int argc, char *const *argv, int key,
                        void (*on)(const char *arg, void *ctx), void *ctx);

#endif /* AS_CLI_H */
