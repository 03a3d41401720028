/* trial_types.h - the data of one trial: its spec (what to run) and its
 * result (what came back), shared by the runner, the wire format, the
 * reporters and the row writers. Plain types; no functions. */
#ifndef AS_TRIAL_TYPES_H
#define AS_TRIAL_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "../workloads/opstream.h"
#include "../workloads/spec.h"
#include "status.h"
#include "tables.h"

typedef struct as_trial_spec {
	const as_spec_t *module;   /* parsed once at the CLI; not owned */
	const as_spec_t *workload; /* not owned */
	uint32_t threads;
	uint64_t seed;
	uint32_t trial; /* index in the matrix */
	uint32_t rep;
	double timeout_s;
	int validate;
	uint64_t sample_every;       /* AS_SAMPLE_AUTO: about 256 points */
	uint64_t sample_interval_ms; /* 0: no wall-clock samples */
	uint64_t latency_every;      /* time every Nth op; 0: off */
	double min_time_s;           /* repeat a stream that ends empty until this long */
	int syscalls;                /* as_syscount_method_t */
	int pin;                     /* as_pin_t */
	double ns_per_tick;          /* rdtsc scale from the parent; 0: clock_gettime */
	int warmup;                  /* a warm-up run: not written anywhere */
	int probe;                   /* the module's probe: load, create, the quick
	                                checks (not with AS_PROBE_NO_CHECKS), destroy;
	                                no workload (workload may be NULL) */
} as_trial_spec_t;

#define AS_SAMPLE_AUTO UINT64_MAX
/* Auto sampling: about 256 points per trial, but at least this many ops of
 * thread 0 apart. A point reads /proc and the counters (25-100 us); on a
 * trial of a few thousand ops, points every few ops cost more than the ops
 * and leave every timed op after one, in caches the sample emptied. */
#define AS_SAMPLE_AUTO_MIN_GAP 1024
/* Default latency sampling: one op in 64 per thread (jittered), under
 * 1 ns/op amortised (docs/measure.md), so every run has percentiles. */
#define AS_LATENCY_DEFAULT 64

/* Rows of doubles received from the worker (series, latency, histogram). */
typedef struct as_rows {
	double *v;
	size_t n, cap; /* rows */
} as_rows_t;

typedef struct as_trial_result {
	as_status_t status;
	char reason[512];
	char module_version[64];
	double v[AS_TRIAL_NCOLS]; /* NaN = n/a */
	as_rows_t series;         /* AS_SERIES_NCOLS per row */
	as_rows_t latency;        /* AS_LATENCY_NCOLS per row */
	as_rows_t hist;           /* AS_HIST_NCOLS per row */
	/* "0:3 1:1": thread:CPU list, or ""; room for AS_MAX_THREADS threads */
	char bindings[AS_MAX_THREADS * 16];
	char syscalls_na[256]; /* why the worker could not count, or "" */
	char warning[256];
	uint32_t threads; /* threads the workload ran on when not -t (a trace's own); 0: -t */
	double p99_ns[AS_OP_KIND_COUNT]; /* from the latency rows, for the console; NaN */
} as_trial_result_t;

/* The threads a trial ran on: the workload's own count where it has one
 * (a trace replays its recorded threads), else -t. */
static inline uint32_t as_trial_threads(const as_trial_spec_t *spec, const as_trial_result_t *res)
{
	return res->threads ? res->threads : spec->threads;
}

/* What a run keeps of a finished trial until its end, for what is made of
 * every trial there (summary.csv and .json, comparisons, the console's
 * table and notes, a suite's verdicts, -r auto): the status, the figures
 * and the p99s, 448 bytes. The strings and rows of the whole result
 * (6 KB and more) are written when the trial completes and not kept: a
 * run of 10^6 trials held 5.7 GB of them (docs/measure.md "plot and
 * resume on a million rows"). */
typedef struct as_trial_rec {
	as_status_t status;
	uint32_t threads; /* as in as_trial_result_t */
	double v[AS_TRIAL_NCOLS];
	double p99_ns[AS_OP_KIND_COUNT];
	char *reason; /* a trial not ok: its reason (malloc'd; the console's table
	                 shows it); NULL otherwise */
} as_trial_rec_t;

/* as_trial_threads of a kept record */
static inline uint32_t as_trial_rec_threads(const as_trial_spec_t *spec, const as_trial_rec_t *rec)
{
	return rec->threads ? rec->threads : spec->threads;
}

#endif /* AS_TRIAL_TYPES_H */
