/* tune_cmd.h - what the files of `allocscope tune` share (cmd_tune.c the
 * command and its steps, tune_config.c the grid, tune_console.c its lines
 * on the terminal): the command's context and those files' calls. Not the
 * conclusions' arithmetic (tune.h) nor the schedule (tune_sched.h). */
#ifndef AS_TUNE_CMD_H
#define AS_TUNE_CMD_H

#include "commands.h"
#include "run_cfg.h"
#include "tune.h"
#include "tune_sched.h"

/* tune's options, its grid as run settings (cfg.modules, glibc's defaults
 * first), its schedule, and what conclude found. */
typedef struct as_tune_cmd {
	as_run_cfg_t cfg;
	const char *grid_list, *grid_file;
	as_tune_objective_t objective;
	double max_rss_kib;
	double budget_s; /* --budget; 0: none */
	as_tune_sched_t sched;
	int verify, no_plot;
	uint64_t verify_reps;
	char not_significant[512]; /* best by medians, but within the noise */
	int best_idx;              /* its point */
	int too_few;               /* ... and no test could tell with these replays */
} as_tune_cmd_t;

/* The grid into c->cfg.modules: glibc's defaults first (the baseline), then
 * -a, --grid or the default grid (its modules that are not built are left
 * out, said once). Returns 0, or -1 after one line on stderr. */
int as_tune_build_grid(as_tune_cmd_t *c);

/* One line on what the replayed trace leaves out: the program's child
 * processes (tune replays the program's own process), with the way to tune
 * one of them. Nothing when it had none. On stdout. */
void as_tune_print_children(const as_capture_summary_t *s, const char *prog);

/* The table of the N points P (F the frontier, * the recommendation), its
 * legend, then what the schedule dropped. On stdout. */
void as_tune_print_table(const as_tune_cmd_t *c, const as_tune_point_t *p, int n);

/* The recommendation, point REC of P, named LABEL: its gains against
 * glibc's defaults, or why those stay. On stdout. */
void as_tune_print_recommendation(const as_tune_cmd_t *c, const as_tune_point_t *p, int rec,
                                  const char *label);

#endif /* AS_TUNE_CMD_H */
