/* tables.h - the result schema: every numeric column of every results CSV,
 * as X-macro tables (name with unit, format, meaning). The worker fills rows
 * of doubles in this order, the parent writes them after the key columns,
 * and results/README.md documents each one (a test keeps the two in step). NaN means "n/a". */
#ifndef AS_TABLES_H
#define AS_TABLES_H

/* X(name, fmt, doc); fmt: I integer, F decimal, K op kind name */
/* Memory system calls, in the order syscount.c opens their tracepoints.
 * Trial columns hold counts in the timed region; series columns the
 * cumulative count since its start. */
#define AS_SYSCALL_COLS(X)                                                                 \
	X(brk_calls, I, "brk calls (moves and queries of the program break)")              \
	X(mmap_calls, I, "mmap calls")                                                     \
	X(munmap_calls, I, "munmap calls")                                                 \
	X(mremap_calls, I, "mremap calls")                                                 \
	X(madvise_calls, I, "madvise calls, every advice")                                 \
	X(madvise_dontneed_calls, I, "madvise calls with MADV_DONTNEED (part of madvise)") \
	X(madvise_free_calls, I, "madvise calls with MADV_FREE (part of madvise)")         \
	X(mprotect_calls, I, "mprotect calls")

#define AS_TRIAL_COLS(X)                                                                       \
	X(ops, I, "operations executed in the timed region, all threads, all passes")          \
	X(elapsed_ns, I, "wall time of the timed region minus sampling_ns")                    \
	X(ns_per_op, F, "elapsed_ns / ops")                                                    \
	X(ops_per_sec, F, "ops / elapsed seconds")                                             \
	X(sampling_ns, I, "time thread 0 spent taking samples inside the timed region")        \
	X(live_bytes_peak, I,                                                                  \
	  "peak of requested bytes live at once (engine's count; a trace: its own)")           \
	X(rss_before_kib, I, "resident set right before the timed region")                     \
	X(rss_peak_kib, I, "peak resident set: max of VmHWM and the samples")                  \
	X(rss_end_kib, I, "resident set at the end of the timed region")                       \
	X(rss_after_free_kib, I, "resident set after every remaining object was freed")        \
	X(rss_after_trim_kib, I, "resident set after the module's trim(), if it has one")      \
	X(overhead_ratio, F, "(rss_peak_kib - rss_before_kib) * 1024 / live_bytes_peak")       \
	X(heap_rss_peak_kib, I, "largest resident part of the brk heap at a sample point")     \
	X(heap_size_peak_kib, I, "largest size of the brk heap at a sample point")             \
	X(heap_size_end_kib, I, "size of the brk heap at the end of the timed region")         \
	X(mmap_rss_peak_kib, I, "largest resident anonymous mmap memory at a sample point")    \
	X(mmap_size_peak_kib, I, "largest size of anonymous mmap memory at a sample point")    \
	X(heap_rss_after_free_kib, I, "resident brk heap after every object was freed")        \
	X(mmap_rss_after_free_kib, I, "resident anonymous mmap after every object was freed")  \
	X(heap_rss_after_trim_kib, I, "resident brk heap after the module's trim()")           \
	X(mmap_rss_after_trim_kib, I, "resident anonymous mmap after the module's trim()")     \
	X(minflt, I, "minor page faults in the timed region")                                  \
	X(majflt, I, "major page faults in the timed region")                                  \
	X(syscalls_total, I, "brk + mmap + munmap + mremap + madvise + mprotect calls")        \
	AS_SYSCALL_COLS(X)                                                                     \
	X(samples, I, "rows this trial wrote to series.csv")                                   \
	X(trace_live_bytes_peak, I,                                                            \
	  "the trace's peak live bytes in recorded global order, n/a if no trace")             \
	X(passes, I, "times the op stream ran in the timed region (--min-time)")               \
	X(canary_ns, I,                                                                        \
	  "time of a fixed piece of work run by every thread before and after the timed "      \
	  "region (the slowest thread's sum): recorded, not judged (disturb.h)")               \
	X(wait_ns, I,                                                                          \
	  "time the trial's threads were runnable but waiting for a CPU, from before the "     \
	  "start to after the end of the timed region (schedstat run_delay, summed)")          \
	X(handoff_ns, I,                                                                       \
	  "threads 0 and 1 handing a cache line back and forth right before the timed "        \
	  "region: the median round trip (how far apart the host put their CPUs, "             \
	  "handoff.h); n/a at one thread")                                                     \
	X(handoff_end_ns, I, "the same right after the timed region")                          \
	X(pass_ns_max, I,                                                                      \
	  "the longest pass of the op stream after the first (--min-time), from the end of "   \
	  "the pass before to the last thread's end of it; n/a below 2 passes")                \
	X(pass_ns_median, I,                                                                   \
	  "the median pass after the first (of the first 4096), as pass_ns_max; a stall "      \
	  "shows as pass_ns_max many times this")                                              \
	X(handovers, I,                                                                        \
	  "cross-thread waits in the timed region, all threads (an op that needs another "     \
	  "thread's earlier op: xmalloc's batches, a trace's objects that change threads); "   \
	  "n/a when the stream has none")                                                      \
	X(handovers_waited, I,                                                                 \
	  "of those, the ones at which the other thread had not yet got there, so this one "   \
	  "waited: near all when it keeps up with the other, near none when it runs behind")   \
	X(cpu_start, I,                                                                        \
	  "the CPU engine thread 0 was on right before the timed region (sched_getcpu): "      \
	  "at 1 thread, the trial's CPU")                                                      \
	X(cpu_end, I, "the same right after it (another CPU: the scheduler moved the thread)") \
	X(wall_ns, I,                                                                          \
	  "wall time of the whole trial as the parent saw it (the worker's start and set-up, " \
	  "the timed region, the frees after it, the results' return): what -r auto's "        \
	  "--max-time adds up, also when --resume reads it back")                              \
	X(libc_calls, I,                                                                       \
	  "calls into the process's malloc family (glibc's) in the timed region, all "         \
	  "threads: the harness makes none, so they are the module's, through dlsym, dlvsym "  \
	  "or a library it links or opens (status module_called_libc_malloc when not 0; "      \
	  "context.csv libc_calls_probe says whether calls past the executable's wrappers "    \
	  "were seen); n/a in a sanitizer build")                                              \
	X(module_start_rss_kib, I,                                                             \
	  "resident set the module added as it started, before the timed region: its load "    \
	  "(dlopen, constructors) plus its create(), the rest of the set-up left out; what "   \
	  "rss_before_kib holds of it, and a program pays before its first malloc")            \
	X(timed_ops, I,                                                                        \
	  "ops timed for latency.csv and histogram.csv, all kinds: the sum of the trial's "    \
	  "latency.csv timed_ops and of its histogram.csv counts (what --resume checks "       \
	  "them against); n/a with --latency 0 and under --jobs")

/* series.csv: one row per trial x sample point, after AS_ROW_KEY_COLS. */
#define AS_SERIES_COLS(X)                                                               \
	X(sample, I, "sample number within the trial (0 = start of the timed region)")  \
	X(ops_done, I, "ops completed so far, all threads")                             \
	X(elapsed_ns, I, "time since the start of the timed region, sampling excluded") \
	X(rss_kib, I, "resident set of the worker (statm)")                             \
	X(heap_rss_kib, I, "resident part of the brk heap ([heap] mapping, mincore)")   \
	X(heap_size_kib, I, "size of the brk heap (program break - heap start)")        \
	X(mmap_rss_kib, I, "resident anonymous mmap memory, harness mappings excluded") \
	X(mmap_size_kib, I, "size of anonymous mmap memory, harness mappings excluded") \
	X(live_bytes, I, "requested bytes live at this point (engine's count)")         \
	AS_SYSCALL_COLS(X)                                                              \
	X(minflt, I, "minor page faults since the start of the timed region")

/* latency.csv: one row per trial x op kind, after AS_ROW_KEY_COLS. */
#define AS_LATENCY_COLS(X)                                                          \
	X(kind, K, "op kind: alloc, calloc, realloc, free or reset")                \
	X(timed_ops, I, "ops of this kind that were timed (every Nth op)")          \
	X(mean_ns, F, "mean latency (bucket midpoints)")                            \
	X(p50_ns, F, "median latency")                                              \
	X(p90_ns, F, "90th percentile latency")                                     \
	X(p99_ns, F, "99th percentile latency")                                     \
	X(p99_9_ns, F, "99.9th percentile latency")                                 \
	X(p99_99_ns, F, "99.99th percentile latency")                               \
	X(max_ns, F, "largest latency seen")                                        \
	X(harness_ns, F, "cost of timing an empty op, subtracted from every value") \
	X(step_ns, F, "the clock's step: values are rounded to multiples of it")

/* histogram.csv: one row per trial x op kind x non-empty bucket. */
#define AS_HIST_COLS(X)                                                     \
	X(kind, K, "op kind")                                               \
	X(bucket_low_ns, F, "smallest latency that falls into this bucket") \
	X(bucket_high_ns, F, "largest latency that falls into this bucket") \
	X(count, I, "timed ops in the bucket")                              \
	X(cum_fraction, F, "fraction of this kind's timed ops at or below bucket_high_ns")

/* Key columns of series.csv, latency.csv and histogram.csv. */
#define AS_ROW_KEY_COLS(X)                                       \
	X(trial, I, "trial number in the run's matrix")          \
	X(rep, I, "repetition")                                  \
	X(module, S, "module name (or path) as given")           \
	X(module_params, S, "module params string as given")     \
	X(workload, S, "workload name")                          \
	X(workload_params, S, "workload params string as given") \
	X(threads, I, "threads the trial ran on: -t, or a trace's own")

/* summary.csv: per module x workload x threads over the ok repetitions,
 * each metric as METRIC_median, _min, _max, _ci95_low, _ci95_high. */
#define AS_SUMMARY_METRICS(X)                             \
	X(elapsed_ns, I, "wall time of the timed region") \
	X(ns_per_op, F, "time per op")                    \
	X(ops_per_sec, F, "throughput")                   \
	X(rss_peak_kib, I, "peak resident set")           \
	X(syscalls_total, I, "memory system calls")

/* Key and extra columns of summary.csv. */
#define AS_SUMMARY_KEY_COLS(X)                                                              \
	X(module, S, "module name (or path) as given")                                      \
	X(module_params, S, "module params string as given")                                \
	X(workload, S, "workload name")                                                     \
	X(workload_params, S, "workload params string as given")                            \
	X(threads, I, "threads")                                                            \
	X(reps_ok, I,                                                                       \
	  "repetitions that completed (the statistics use only these, less the disturbed)") \
	X(null_ns_per_op_median, F,                                                         \
	  "null module's median ns_per_op on the same workload and "                        \
	  "threads: the harness's own cost (empty without null)")                           \
	X(ns_per_op_minus_null, F, "ns_per_op_median - null_ns_per_op_median")

/* Columns of summary.csv after the metrics: the machine's share of the
 * spread (disturb.h). */
#define AS_SUMMARY_TAIL_COLS(X)                                                                  \
	X(reps_disturbed, I,                                                                     \
	  "ok repetitions the machine disturbed (by the rules reps_left_out_rules names); left " \
	  "out of the statistics (and the suite's verdicts) unless fewer than 2 were "           \
	  "undisturbed, and run again by -r auto")                                               \
	X(ns_per_op_spread, F, "ns/op max / min over all the ok repetitions, the disturbed too") \
	X(ns_per_op_spread_undisturbed, F,                                                       \
	  "the same over the ok repetitions that were not disturbed")                            \
	X(reps_slow_passes, I,                                                                   \
	  "undisturbed repetitions whose median pass took >= 2 x the median of theirs: slow in " \
	  "every pass, not in one (a stall, pass_ns_max) nor waiting for a CPU (disturbed); "    \
	  "kept in the statistics (empty: fewer than 3 undisturbed of 2 passes or more)")        \
	X(reps_left_out, S,                                                                      \
	  "the rep numbers (trials.csv rep) of the repetitions the statistics left out as "      \
	  "disturbed, space-separated; empty: none")                                             \
	X(reps_left_out_rules, S,                                                                \
	  "REP:RULE for each of reps_left_out, the first rule that took it: wait (its threads "  \
	  "waited for a CPU, wait_ns), stall (one pass stalled, pass_ns_max), placement (its "   \
	  "threads ended farther apart or closer than the run's, handoff_end_ns), sample (its "  \
	  "series samples took longer, sampling_ns / samples), round-placement (its round "      \
	  "ended in two placements), round (its round moved for every module, ns_per_op)")

/* headline.csv (a suite's scenario folder): the table the suite prints
 * under each scenario, one row per table row x module. */
#define AS_HEADLINE_COLS(X)                                                                    \
	X(scenario, S, "scenario name (its folder)")                                           \
	X(row, S, "the row's label in the printed table: what varies between rows")            \
	X(workload, S, "workload name")                                                        \
	X(workload_params, S, "workload params string as given")                               \
	X(threads, I, "threads")                                                               \
	X(module, S, "module label as given (NAME or NAME:params)")                            \
	X(metric, S, "the scenario's headline metric in words (scenarios.csv summary_metric)") \
	X(value, F,                                                                            \
	  "median of the metric over the ok repetitions summary.csv keeps (the disturbed "     \
	  "left out); empty when none has one")                                                \
	X(n, I, "those repetitions with a value")                                              \
	X(status, S, "ok, or the status of the repetitions without a value (skipped, ...)")

/* Key columns written by the parent before the metrics on trials.csv. */
#define AS_TRIAL_KEY_COLS(X)                                                          \
	X(trial, I, "trial number in the run's matrix (0-based)")                     \
	X(rep, I, "repetition of that trial (0-based)")                               \
	X(module, S, "module name (or path) as given")                                \
	X(module_params, S, "module params string as given")                          \
	X(module_version, S, "module's version (its library's where it reports one)") \
	X(workload, S, "workload name")                                               \
	X(workload_params, S, "workload params string as given")                      \
	X(threads, I, "threads")                                                      \
	X(seed, I, "PRNG seed for the workload")                                      \
	X(status, S, "ok, or why the trial did not complete (see results/README.md)") \
	X(reason, S, "one line: what failed, empty when ok")                          \
	X(cpu_binding, S, "thread:CPUs each engine thread was allowed to run on")

enum {
#define AS_COL_ENUM(name, fmt, doc) AS_TC_##name,
	AS_TRIAL_COLS(AS_COL_ENUM)
#undef AS_COL_ENUM
	    AS_TRIAL_NCOLS
};
enum {
#define AS_COL_ENUM(name, fmt, doc) AS_SC_##name,
	AS_SERIES_COLS(AS_COL_ENUM)
#undef AS_COL_ENUM
	    AS_SERIES_NCOLS
};
enum {
#define AS_COL_ENUM(name, fmt, doc) AS_LC_##name,
	AS_LATENCY_COLS(AS_COL_ENUM)
#undef AS_COL_ENUM
	    AS_LATENCY_NCOLS
};
enum {
#define AS_COL_ENUM(name, fmt, doc) AS_HC_##name,
	AS_HIST_COLS(AS_COL_ENUM)
#undef AS_COL_ENUM
	    AS_HIST_NCOLS
};
enum {
#define AS_COL_ENUM(name, fmt, doc) AS_SYS_##name,
	AS_SYSCALL_COLS(AS_COL_ENUM)
#undef AS_COL_ENUM
	    AS_SYS_NCOLS
};

#endif /* AS_TABLES_H */
