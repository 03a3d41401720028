/* commands.h - the CLI's commands, one as_cmd_t each, defined in cmd_*.c. */
#ifndef AS_COMMANDS_H
#define AS_COMMANDS_H

#include "cli.h"
#include "runner.h"

/* `plot`'s CLI layer (cmd_plot.c): as_plot_dir, then its messages on stderr
 * ("allocscope plot: ..."), the report's path on stdout unless opts->quiet.
 * *unwritten (when not NULL): the files that could not be written whole
 * (as_plot_result_t.files_unwritten). Returns the exit code: 0 ok, 1 a
 * chart or report not written, 2 bad input. */
struct as_plot_opts;
int as_plot_and_print(const char *dir, const struct as_plot_opts *opts, int *unwritten);

/* What as_run_plot did (run_common.h) for DIR, said as `plot` says it: the
 * messages on stderr ("allocscope plot: ..."), the report's path on stdout,
 * and after an interrupt a line on stderr, begun with WHO ("allocscope",
 * "allocscope tune"), that the results in DIR are complete and how to draw
 * them. Nothing when it did not draw (--no-plot). */
struct as_run_plotted;
void as_run_plot_print(const char *who, const char *dir, const struct as_run_plotted *p);

/* as_run_and_plot (run_common.h) for run and replay, then
 * as_run_plot_print. Returns as_run_and_plot's exit code. */
struct as_run_cfg;
int as_cli_run_and_plot(struct as_run_cfg *cfg);

/* What `allocscope capture` traced beside TRACE (the program's last
 * image): its child processes, each image to TRACE.PID.GEN (--fork follow;
 * with exclude none are traced, so none are counted). */
typedef struct as_capture_summary {
	int children;            /* child processes traced (distinct PIDs) */
	uint64_t child_events;   /* their events, all images */
	char biggest[4096];      /* the child trace with the most events of those whose
	                            image exited ("": none) */
	uint64_t biggest_events; /* its events */
	int escaped;             /* children whose last image the library did not see
	                            end (an exec that dropped it, e.g. env -i, or a
	                            signal): its calls are in no trace */
} as_capture_summary_t;

/* `allocscope capture ARGS` (argv[0] the command's name) in this process,
 * what it traced beside TRACE into *sum (zeroed first; not NULL). Prints as
 * the command does. Returns the command's exit code. Not thread-safe: it
 * waits for its program and changes signal dispositions meanwhile. */
int as_capture_main(int argc, char **argv, as_capture_summary_t *sum);

extern const as_cmd_t as_cmd_run;
extern const as_cmd_t as_cmd_list;
extern const as_cmd_t as_cmd_check;
extern const as_cmd_t as_cmd_exec;
extern const as_cmd_t as_cmd_suite;
extern const as_cmd_t as_cmd_trace;
extern const as_cmd_t as_cmd_capture;
extern const as_cmd_t as_cmd_replay;
extern const as_cmd_t as_cmd_plot;
extern const as_cmd_t as_cmd_tune;
extern const as_cmd_t as_cmd_compare;

/* `run --resume DIR` of a folder `replay` wrote (its run.args begin with
 * the TRACE): the same matrix, ARGS (N of them) parsed as replay parses
 * them, the missing trials run into DIR; ARGC/ARGV the resuming command. */
int as_replay_resume(const char *dir, int n, char **args, int argc, char **argv);

#endif /* AS_COMMANDS_H */
