/* json.h - the results folder's JSON files (summary.json, `compare
 * --json`), written with jansson: helpers that turn the harness's numbers
 * into JSON values (NaN, "n/a" in a CSV, becomes null), the context.csv of
 * a folder as an object, and an atomic write through files.h. The JSON
 * keys not already results columns are listed in AS_JSON_KEYS, which
 * results/README.md documents (a test keeps the two in step). Out of memory
 * ends the process (as_oom, oom.h), as in as_buf. Not thread-safe. */
#ifndef AS_JSON_H
#define AS_JSON_H

#include <jansson.h>
#include <stddef.h>

/* Version of the JSON layout, written as "format_version": a reader checks
 * it; it only changes when a key changes meaning or goes away. */
#define AS_JSON_FORMAT_VERSION 1

/* Keys of the JSON files that are not a column of a results CSV (those
 * keep their column's name and meaning). X(name, doc). */
#define AS_JSON_KEYS(X)                                                                     \
	X(format, "what the file is: allocscope-summary, allocscope-suite, "                \
	          "allocscope-compare or allocscope-tune")                                  \
	X(format_version, "AS_JSON_FORMAT_VERSION of the layout")                           \
	X(context, "context.csv as an object: key -> value (an array when a key repeats)")  \
	X(groups, "summary.csv's rows: one object per module x workload x threads")         \
	X(comparisons, "comparisons.csv's rows")                                            \
	X(winners, "per workload and threads, the module with the lowest median")           \
	X(runner_up, "the module with the second lowest median")                            \
	X(significant, "true when the comparison's p < 0.05 and its CI excludes 1")         \
	X(outcome, "faster, slower, same, too_few or no_ratio (see comparisons.csv)")       \
	X(verdicts, "verdicts.csv's rows")                                                  \
	X(verdict_counts, "claims per verdict: CONFIRMED, REFUTED, INCONCLUSIVE")           \
	X(suite, "the suite (or scenario) `allocscope suite` ran")                          \
	X(quick, "true when the suite ran with --quick")                                    \
	X(scenarios, "the scenarios of a suite run: scenario, folder, title")               \
	X(folder, "a scenario's results folder, relative to the suite's")                   \
	X(title, "a scenario's title (its chart's)")                                        \
	X(a, "compare: folder A (before)")                                                  \
	X(b, "compare: folder B (after)")                                                   \
	X(threshold, "compare: --threshold as a fraction")                                  \
	X(context_differences, "compare: context keys whose values differ: key, a, b")      \
	X(changes, "compare: one object per module x workload x threads in both folders")   \
	X(only_in_a, "compare: groups only in A")                                           \
	X(only_in_b, "compare: groups only in B")                                           \
	X(median_a, "compare: A's median of the metric")                                    \
	X(median_b, "compare: B's median of the metric")                                    \
	X(change, "compare: regression, improvement, no_change, too_few or no_ratio")       \
	X(regressions, "compare: how many changes are regressions")                         \
	X(improvements, "compare: how many changes are improvements")                       \
	X(failed, "compare: how many changes are failed: no ok repetition left in B")       \
	X(failed_partly, "compare: matches with failed repetitions in B, none in A")        \
	X(not_run_in_b, "compare: A's groups with ok repetitions that B did not run")       \
	X(untested_slower, "compare: matches slower beyond the threshold, too few to test") \
	X(not_measured, "compare: matches neither folder has the metric for")               \
	X(ok_in_neither, "compare: matches with no ok repetition in either folder")         \
	X(matched, "compare: how many matches are in changes")                              \
	X(error, "compare: why nothing was compared (exit 2), else absent")                 \
	X(machine, "what the run's own trials say of the machine: the keys below")          \
	X(one_thread_trials, "machine: ok 1-thread trials")                                 \
	X(one_thread_disturbed_share,                                                       \
	  "machine: the share of them disturbed (null under 20: disturb.h)")                \
	X(noisy, "machine: true when that share is 0.15 or more (AS_NOISY_SHARE)")          \
	X(handoff_end_ns_median, "machine: median handoff_end_ns at 2 threads or more")     \
	X(trace, "tune: the trace replayed")                                                \
	X(objective, "tune: --objective (time, memory or balanced)")                        \
	X(max_rss_kib, "tune: --max-rss in KiB (null: none)")                               \
	X(reps, "tune: -r, replays per configuration asked for")                            \
	X(budget_s, "tune: --budget in seconds (null: none)")                               \
	X(budget_spent_s, "tune: seconds spent on the capture and the replays")             \
	X(budget_stop_round, "tune: the round of replays the budget did not start")         \
	X(configurations, "tune: tune.csv's rows, each with its label")                     \
	X(label, "tune: a configuration as NAME[:k=v,...]")                                 \
	X(pareto_frontier, "tune: the labels of the frontier rows")                         \
	X(recommendation, "tune: the recommended configuration, its gain, its line")        \
	X(kept_baseline, "tune: true when glibc's defaults stay")                           \
	X(best_by_medians, "tune: the best by medians when it was not significant")         \
	X(kept_because, "tune: why the baseline stays (too_few_replays, not_significant)")  \
	X(children_left_out, "tune: child processes the capture left out of the trace")     \
	X(child_events_left_out, "tune: their events")                                      \
	X(children_untraced, "tune: children whose last image is in no trace")              \
	X(apply, "tune: the line that applies the recommendation (null: nothing)")          \
	X(verify, "tune: what --verify measured (null: not asked)")                         \
	X(runs, "tune --verify: runs of the program per configuration")                     \
	X(metrics, "tune --verify: verify.csv's rows")                                      \
	X(all_hold, "tune --verify: true when every prediction holds")                      \
	X(note, "tune --verify: why there are no figures (null: there are)")

/* A number as JSON: null when NaN or infinite; with fmt 'I' an integer
 * when v is whole (a median of an even count may be x.5: a real, exact,
 * where the CSV rounds), else (fmt 'F') a real rounded to 6 significant
 * digits, the CSV cell's (as_buf_csv_num's %.6g): summary.json, tune.json
 * and `compare --json` print the numbers the CSV files and the table
 * have. A new reference. */
json_t *as_json_num(double v, char fmt);

/* A new empty object / array (out of memory: as_oom). */
json_t *as_json_object(void);
json_t *as_json_array(void);

/* json_object_set_new / json_array_append_new that end the process
 * (as_oom) when out of memory (v NULL included). */
void as_json_set(json_t *obj, const char *key, json_t *v);
void as_json_push(json_t *arr, json_t *v);
/* A JSON string of s (a copy; "" for NULL), a byte that is not part of
 * valid UTF-8 (a Latin-1 file name) as U+FFFD; never NULL (as_oom). */
json_t *as_json_str(const char *s);
/* obj[key] = as_json_str(s). */
void as_json_set_str(json_t *obj, const char *key, const char *s);

struct as_group;
struct as_cmp;
/* The keys of one comparison (compare.h) of group g: workload, threads,
 * metric, ratio, ci_lo, ci_hi, p_value, n, n_baseline, outcome and
 * significant; shared by summary.json's comparisons and winners and by
 * `compare --json`'s changes. */
void as_json_cmp(json_t *obj, const struct as_group *g, const char *metric, const struct as_cmp *c);

/* DIR/context.csv as an object (key -> value, a repeated key -> an array
 * of its values). Returns a new reference, or NULL with err when the file
 * cannot be read. */
json_t *as_json_context(const char *dir, char *err, size_t errlen);

/* Atomically replace DIR/NAME with root, indented, keys in insertion
 * order, a newline at the end. Returns 0, or -1 with err. */
int as_json_write(const char *dir, const char *name, const json_t *root, char *err, size_t errlen);

/* root as text on stdout (indented, a newline at the end). Returns 0, or
 * -1 when the write fails. */
int as_json_print(const json_t *root);

#endif /* AS_JSON_H */
