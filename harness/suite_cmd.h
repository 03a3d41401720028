/* suite_cmd.h - what the files of `allocscope suite` share: the command's
 * context (its options, the scenarios and the folder of the suite being
 * run) and the steps suite_run.c takes for it: each scenario's settings and
 * the run of the scenarios one after another. cmd_suite.c parses, judges
 * and prints; suite_run.c runs and prints nothing on stdout. Not the
 * scenarios and their claims (suite.h) nor the verdicts (verdict.h). */
#ifndef AS_SUITE_CMD_H
#define AS_SUITE_CMD_H

#include <limits.h>
#include <stdint.h>

#include "buf.h"
#include "run_cfg.h"
#include "suite.h"
#include "verdict.h"

/* The most scenarios one suite runs. */
#define AS_SUITE_MAX_SCENARIOS 32

typedef struct as_suite_cmd {
	as_run_cfg_t cfg;
	int quick, table, reps_given, min_time_given, max_time_given, strict, syscalls_given;
	int found;                       /* modules found, not given with -a */
	unsigned caps[AS_RUN_MAX_ITEMS]; /* theirs (AS_CAP_*) */
	int jobs;                        /* --jobs: the memory scenarios' (timing ones: 1) */
	double budget_s;
	double max_time_s, min_time_s; /* as given or by default, before any share */
	as_run_stops_t stops;          /* the scenario's, from its run */
	const char *resume_dir;        /* --resume DIR */
	/* the suite being run, set up by cmd_suite.c before as_suite_run */
	const char *name;                                /* suite or scenario */
	const as_scenario_t *sc[AS_SUITE_MAX_SCENARIOS]; /* its scenarios */
	int nsc;
	char base[PATH_MAX];                   /* the suite's folder */
	int resuming;                          /* --resume */
	uint64_t t0_ns;                        /* the suite's start: --budget counts from here */
	long entries[AS_SUITE_MAX_SCENARIOS];  /* each scenario's trials, for the bar */
	as_buf_t took[AS_SUITE_MAX_SCENARIOS]; /* each one's time lines (print_time) */
	as_suite_progress_t progress;
	int syscalls, memory_syscalls; /* the timing scenarios' method, the memory ones' */
	char perf_why[256];            /* why perf was refused, when memory_syscalls differs */
} as_suite_cmd_t;

/* How the memory scenarios count system calls: as asked, or, where the
 * default (perf) is refused (a user without CAP_PERFMON) and seccomp
 * works, seccomp, with perf's reason in why (LEN bytes). Its cost, a ptrace stop per
 * counted call, slows only times, and the memory scenarios run --jobs
 * trials at once and write no times; without it their syscall claims were
 * INCONCLUSIVE for every ordinary user (the unprivileged review of session
 * 26). The timing scenarios keep perf's n/a.
 * Returns the method (AS_SYSCOUNT_*). */
int as_suite_memory_method(const as_suite_cmd_t *c, char *why, size_t len);

/* Fill cfg's workloads (parsed from the scenario's specs) and threads for
 * one scenario (its quick ones with QUICK). Returns 0, or -1 with a line
 * on stderr. */
int as_suite_scenario_cfg(const as_scenario_t *sc, int quick, as_run_cfg_t *cfg);

/* Repetitions of scenario sc when -r is not given (cfg->reps, reps_auto,
 * reps_agree, drop). */
void as_suite_scenario_reps(const as_scenario_t *sc, as_run_cfg_t *cfg);

/* The modules scenario sc compares: without -a, those with the
 * capabilities it declares (as_scenario_skip); the others' rows are
 * skipped with its reason. -a runs every module it names. Sets
 * c->cfg.skip_why; returns the number compared. */
int as_suite_scenario_skips(const as_scenario_t *sc, as_suite_cmd_t *c);

/* Run c's scenarios in order, each into its folder under c->base (a
 * finished one, resumed, runs no trial again), sharing --budget. Stops
 * after a scenario whose results could not be written (2) or that was
 * interrupted (130). *ndone: the scenarios that ran to their end. Returns
 * the worst exit code of their runs. Nothing on stdout. */
int as_suite_run(as_suite_cmd_t *c, int *ndone);

/* The suite folder DIR's scenarios.csv: the N scenarios SC (their quick
 * workloads with QUICK) with their folders, titles, axes and expected
 * shapes, for charts and reports. Returns 0, or -1 with a line in err. */
int as_suite_write_scenarios_csv(const char *dir, const as_scenario_t *const *sc, int n, int quick,
                                 char *err, size_t errlen);

/* The suite folder DIR's summary.json: the suite NAME, its scenarios that
 * ran to their end, the first N of the PLANNED (name, folder, title; each
 * folder has its own summary.json), whether that is all of them, every
 * verdict (VERDICTS: an array of verdicts.csv's rows) and their COUNTS.
 * Returns 0, or -1 with a line in err. */
int as_suite_write_json(const char *dir, const char *name, int quick,
                        const as_scenario_t *const *sc, int n, int planned, json_t *verdicts,
                        const int counts[AS_VERDICT_COUNT], char *err, size_t errlen);

#endif /* AS_SUITE_CMD_H */
