/* tables.h - the result schema: every numeric column of every results CSV,
 * as X-macro tables (name with unit, format, meaning). The worker fills rows
 * of doubles in this order, the parent writes them after the key columns,
 * and `allocscope columns` prints the same table that results/README.md
 * documents (a test keeps the two in step). NaN means "n/a". */
#ifndef AS_TABLES_H
#define AS_TABLES_H

/* X(name, fmt, doc); fmt: I integer, F decimal, K op kind name */
#define AS_TRIAL_COLS(X)                                                                  \
	X(ops, I, "operations executed in the timed region, all threads")                 \
	X(elapsed_ns, I, "wall time of the timed region")                                 \
	X(ns_per_op, F, "elapsed_ns / ops")                                               \
	X(ops_per_sec, F, "ops / elapsed seconds")                                        \
	X(live_bytes_peak, I, "peak of requested bytes live at once (engine's count)")    \
	X(rss_before_kib, I, "resident set right before the timed region")                \
	X(rss_peak_kib, I, "peak resident set of the worker process (VmHWM)")             \
	X(rss_end_kib, I, "resident set at the end of the timed region")                  \
	X(rss_after_free_kib, I, "resident set after every remaining object was freed")   \
	X(rss_after_trim_kib, I, "resident set after the module's trim(), if it has one") \
	X(overhead_ratio, F, "(rss_peak_kib - rss_before_kib) * 1024 / live_bytes_peak")  \
	X(minflt, I, "minor page faults in the timed region")                             \
	X(majflt, I, "major page faults in the timed region")                             \
	X(trace_live_bytes_peak, I,                                                       \
	  "the trace's own live_bytes_peak (must equal live_bytes_peak), n/a if no trace")

/* Key columns written by the parent before the metrics on trials.csv. */
#define AS_TRIAL_KEY_COLS(X)                                                          \
	X(trial, I, "trial number in the run's matrix (0-based)")                     \
	X(rep, I, "repetition of that trial (0-based)")                               \
	X(module, S, "module name")                                                   \
	X(module_params, S, "module params string as given")                          \
	X(module_version, S, "module's version (its library's where it reports one)") \
	X(workload, S, "workload name")                                               \
	X(workload_params, S, "workload params string as given")                      \
	X(threads, I, "threads")                                                      \
	X(seed, I, "PRNG seed for the workload")                                      \
	X(status, S, "ok, or why the trial did not complete (see results/README.md)") \
	X(reason, S, "one line: what failed, empty when ok")

enum {
#define AS_COL_ENUM(name, fmt, doc) AS_TC_##name,
	AS_TRIAL_COLS(AS_COL_ENUM)
#undef AS_COL_ENUM
	    AS_TRIAL_NCOLS
};

/* Messages from worker to parent: header then payload. */
typedef enum as_msg_type {
	AS_MSG_TRIAL = 1,  /* double[AS_TRIAL_NCOLS] */
	AS_MSG_STATUS = 2, /* as_msg_status_t */
	AS_MSG_INFO = 3,   /* "key=value" text, e.g. module_version=5.3.0 */
} as_msg_type_t;

typedef struct as_msg_hdr {
	unsigned type;
	unsigned len;
} as_msg_hdr_t;

typedef struct as_msg_status {
	int status; /* as_status_t */
	char reason[256];
} as_msg_status_t;

#endif /* AS_TABLES_H */
