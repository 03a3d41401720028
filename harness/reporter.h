/* reporter.h - what a run tells the outside world goes through reporters
 * (google/benchmark's ConsoleReporter/CSVReporter habit): the runner only
 * runs trials and hands each reporter the run's context at the start, each
 * trial's result as it completes, and the whole matrix at the end. The CSV
 * reporter writes the results folder, the console reporter draws progress
 * and the table; a JSON reporter fits the same three calls. Not
 * thread-safe: called from the runner's one thread. */
#ifndef AS_REPORTER_H
#define AS_REPORTER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "run_cfg.h"
#include "trial_types.h"

/* The run as reporters see it. The runner owns everything here. */
typedef struct as_run {
	const as_run_cfg_t *cfg;
	const char *dir;        /* the results folder */
	as_trial_spec_t *specs; /* the matrix, n entries, repetitions interleaved */
	as_trial_rec_t *res;    /* res[i] is valid once done[i]: what the end needs */
	/* in the trial hook: trial i's whole result (strings, rows), freed
	 * after the hook; res[i] is already set from it */
	const as_trial_result_t *cur;
	int *done;               /* 1: res[i] holds a result (this run or resumed) */
	int n;                   /* matrix size; at the end, the trials that ran */
	int nwarm;               /* warm-up runs before the matrix */
	as_buf_t resumed;        /* --resume: trials.csv, header and done rows (until begin) */
	as_buf_t ctx;            /* context.csv rows; grows during the run */
	unsigned ctx_generation; /* bumped whenever ctx changes */
	uint64_t t0_ns;          /* start of the run (as_now_ns) */
	int interrupted;         /* SIGINT/SIGTERM stopped the run */
	int stops_known;         /* -r auto: stops holds why the groups stopped */
	as_run_stops_t stops;
	double timer_jump_ns; /* the jump the clock moves in (timer.h), 0: fine-grained */
} as_run_t;

typedef struct as_reporter {
	const char *name;
	/* Start of the run (context complete apart from what trials add).
	 * Returns 0, or -1 with a one-line reason in err (the run stops). */
	int (*begin)(void *self, const as_run_t *run, char *err, size_t errlen);
	/* Optional: trial i (or warm-up run i when warm) is about to start. */
	void (*progress)(void *self, const as_run_t *run, int i, int warm);
	/* Trial i has completed and res[i] is final (run->cur: its whole result).
	 * Returns 0, or -1 with err (the run stops: results cannot be kept). */
	int (*trial)(void *self, const as_run_t *run, int i, char *err, size_t errlen);
	/* End of the run: run->n trials ran (fewer when interrupted).
	 * Returns 0, or -1 with err. */
	int (*end)(void *self, const as_run_t *run, char *err, size_t errlen);
	void (*destroy)(void *self); /* optional */
	void *self;
} as_reporter_t;

/* The results folder's CSV files (context, trials, series, latency,
 * histogram, summary): the tables written whole at the start, each
 * trial's rows appended, summary at the end; on a resumed run the rows of
 * the trials already done are kept. Returns 0, or
 * -1 when out of memory. */
int as_reporter_csv(as_reporter_t *r);

/* Progress bar on stderr (only when stderr is a terminal and CI is unset)
 * and, unless cfg->quiet, the table of medians on stdout at the end. */
int as_reporter_console(as_reporter_t *r);

/* One line on OUT saying that this machine's clock moves in jumps of
 * JUMP_NS (context.csv timer_jump_ns), so per-call latencies and their
 * percentiles are multiples of it; once per process, so once per command
 * (a suite's scenarios are runs of one process); nothing when JUMP_NS is
 * not above 0. The console's end calls it under the table when it shows
 * latencies, the suite's under its verdicts. */
void as_console_jump_note(FILE *out, double jump_ns);

/* comparisons.csv at the end of the run (compare.c): each module against
 * the baseline per workload and threads, and unless cfg->quiet the
 * sentences on stdout. Returns 0. */
int as_reporter_compare(as_reporter_t *r);

/* summary.json at the end of the run (report_json.c): the context, the
 * summary's groups, the comparisons and the winner of every workload and
 * threads, for programs to read. Returns 0. */
int as_reporter_json(as_reporter_t *r);

/* headline.csv at the end of a suite's scenario run (cfg->scenario):
 * the table the suite prints under the scenario (report_headline.c).
 * Returns 0. */
int as_reporter_headline(as_reporter_t *r);

/* A suite's lines under a scenario's heading on the console (cmd_suite.c,
 * unless -q), each from data the library returns and prints nothing of:
 * the verdict table of its N judged claims V (as_scenario_verdicts; no
 * line when N is 0), then its summary S (as_scenario_summary): the
 * expected shape, headline.csv as a table, one row per workload spec x
 * threads and one column per module (the median, or the status when there
 * is no number), then every reason in trials.csv on one line naming the
 * modules that gave it. */
struct as_scenario;
struct as_scenario_summary;
struct as_verdict_row;
void as_console_verdicts(FILE *out, const struct as_scenario *sc, const struct as_verdict_row *v,
                         int n);
void as_console_scenario_summary(FILE *out, const struct as_scenario *sc,
                                 const struct as_scenario_summary *s);

struct as_groups;
/* The run's ns/op samples grouped by module label, workload label and
 * threads (compare.h), the ok repetitions of the done trials that the
 * statistics keep (disturb.h as_disturbed_set). */
void as_run_groups(const as_run_t *run, struct as_groups *gs);

/* The baseline of a run's comparisons: cfg->baseline (--baseline), else
 * the first module that is not `null` and has an ok trial in the run (its
 * label), else the first that is not `null`. */
const char *as_run_baseline(const as_run_t *run);

#endif /* AS_REPORTER_H */
