/* fuzz_folders.c - libFuzzer target for the readers of files a user may hand
 * allocscope from elsewhere: results folders (compare, plot, --resume),
 * tune's trials, capture spools and escape notes, chosen at build time by
 * FUZZ_READER (the READ_* values below). The input is written into a
 * scratch folder first, because these readers take a path: a multi-file
 * reader's input is its files in the order of its names[], separated by a
 * line "====". They must never crash, hang, leak or read out of bounds; a
 * malformed file is an error naming it. */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../harness/capture/spool_read.h"
#include "../../harness/compare_folder.h"
#include "../../harness/escape_notes.h"
#include "../../harness/plot_int.h"
#include "../../harness/results.h"
#include "../../harness/results_format.h"
#include "../../harness/resume.h"
#include "../../harness/trials_read.h"
#include "../../harness/tune.h"
#include "../../workloads/spec.h"

/* FUZZ_READER values (tests/CMakeLists.txt: the order of as_fuzz_readers) */
#define READ_TABLE   0
#define READ_COMPARE 1
#define READ_RESUME  2
#define READ_PLOT    3
#define READ_SPOOL   4
#define READ_ESCAPES 5
#define READ_TUNE    6

static char dir[64];

static void put(const char *name, const uint8_t *data, size_t size)
{
	char path[128];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "wb")) || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
}

/* Files NAMES[0..n) from the input's parts (a missing part: no file). */
static void put_parts(const uint8_t *data, size_t size, const char *const *names, size_t n)
{
	static const char sep[] = "====\n";
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	while (k < n) {
		const uint8_t *e = memmem(data, size, sep, sizeof(sep) - 1);
		size_t len = e ? (size_t)(e - data) : size;
		put(names[k++], data, len);
		if (!e)
			break;
		data += len + sizeof(sep) - 1;
		size -= len + sizeof(sep) - 1;
	}
}

/* The scratch folder goes when the fuzzer exits (-max_total_time: exit). */
static void cleanup(void)
{
	static const char *const all[] = {"trials.csv",  "series.csv", "latency.csv",
	                                  "context.csv", "tune.csv",   "histogram.csv",
	                                  "run.args",    "spool",      "escapes"};
	char path[128];
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, all[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void setup(void)
{
	if (!*dir) {
		snprintf(dir, sizeof(dir), "/tmp/as-fuzz-XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
}

#if FUZZ_READER == READ_TABLE
static void one(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"trials.csv",  "series.csv", "latency.csv",
	                                    "context.csv", "tune.csv",   "histogram.csv"};
	const char *name = names[size ? data[0] % 6 : 0];
	char path[128], err[512], why[64];
	as_table_t t;
	put(name, size ? data + 1 : data, size ? size - 1 : 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (as_table_read(path, &t, err, sizeof(err)) != 0)
		return;
	as_results_check_table(path, &t, err, sizeof(err));
	for (size_t r = 0; r < t.nrows; r++) {
		as_table_row_damage(&t, r, why, sizeof(why));
		for (size_t c = 0; c < t.ncols; c++)
			(void)as_table_num(&t, r, t.head[c]);
	}
	{
		unsigned char *dist = calloc(t.nrows + 1, 1);
		as_machine_t m;
		as_table_machine(&t, dist, &m);
		free(dist);
	}
	as_table_free(&t);
}
#elif FUZZ_READER == READ_COMPARE
static void one(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"trials.csv", "context.csv"};
	static as_modkeys_t mk[2];
	as_groups_t ga, gb;
	as_machine_t ma = {0, NAN, 0, NAN, NAN}, mb = ma;
	int only_a;
	put_parts(data, size, names, 2);
	memset(mk, 0, sizeof(mk));
	memset(&ga, 0, sizeof(ga));
	memset(&gb, 0, sizeof(gb));
	as_compare_match_paths(dir, dir, mk);
	if (as_compare_load_both(dir, dir, "ns_per_op", &ga, &gb, &ma, &mb, mk, &only_a) == 0) {
		as_buf_t csv = {0}, lines = {0};
		as_comparisons(&ga, "glibc", &csv, &lines);
		as_buf_free(&csv);
		as_buf_free(&lines);
	}
	as_groups_free(&ga);
	as_groups_free(&gb);
}
#elif FUZZ_READER == READ_RESUME
static void one(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"run.args", "trials.csv", "series.csv", "latency.csv",
	                                    "context.csv"};
	static as_spec_t mods[2], wl;
	as_trial_spec_t specs[4];
	as_trial_rec_t res[4];
	int done[4] = {0}, n;
	char err[1024], **argv, *text;
	long format;
	as_buf_t keep = {0}, rows = {0};
	if (!mods[0].name && (as_spec_parse("glibc", AS_SPEC_MODULE, &mods[0], err, sizeof(err)) ||
	                      as_spec_parse("bump", AS_SPEC_MODULE, &mods[1], err, sizeof(err)) ||
	                      as_spec_parse("random", AS_SPEC_WORKLOAD, &wl, err, sizeof(err))))
		abort();
	put_parts(data, size, names, 5);
	memset(specs, 0, sizeof(specs));
	memset(res, 0, sizeof(res));
	for (int i = 0; i < 4; i++) {
		specs[i].module = &mods[i % 2];
		specs[i].workload = &wl;
		specs[i].threads = 1;
		specs[i].trial = (uint32_t)(i % 2);
		specs[i].rep = (uint32_t)(i / 2);
	}
	n = as_resume_load_args(dir, "run.args", "run", "allocscope", &argv, &text, err,
	                        sizeof(err));
	if (n >= 0)
		for (int i = 0; i < n; i++)
			if (!argv[i])
				abort();
	free(argv);
	free(text);
	as_results_format_read(dir, &format, err, sizeof(err));
	if (as_resume_check_columns(dir, err, sizeof(err)) == 0 &&
	    as_resume_load_trials(dir, specs, res, done, 4, 1, &rows, err, sizeof(err)) == 0)
		as_resume_keep_rows(dir, "series.csv", specs, done, 4, &keep);
	as_buf_free(&keep);
	as_buf_free(&rows);
	for (int i = 0; i < 4; i++)
		as_trial_rec_free(&res[i]);
}
#elif FUZZ_READER == READ_PLOT
static void one(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"trials.csv", "context.csv", "series.csv",
	                                    "latency.csv", "histogram.csv"};
	char err[1024];
	run_t r;
	put_parts(data, size, names, 5);
	plot_load_run(&r, dir, NULL, err, sizeof(err));
	plot_free_run(&r); /* what it read, also after an error (as plot.c does) */
}
#elif FUZZ_READER == READ_SPOOL
static int on_event(void *ctx, const as_tev_t *ev, as_trace_err_t *err)
{
	(void)err;
	*(uint64_t *)ctx += (uint64_t)ev->op;
	return 0;
}

static void one(const uint8_t *data, size_t size)
{
	char path[128], msg[1024];
	as_spool_t sp;
	uint64_t sum = 0;
	put("spool", data, size);
	snprintf(path, sizeof(path), "%s/spool", dir);
	if (as_spool_open(path, &sp, msg, sizeof(msg)) != 0)
		return;
	as_spool_convert(&sp, 1.0, on_event, &sum, msg, sizeof(msg));
	as_spool_close(&sp);
}
#elif FUZZ_READER == READ_ESCAPES
static int skip_odd(long pid, void *ctx)
{
	(void)ctx;
	return pid % 2 != 0;
}

static void one(const uint8_t *data, size_t size)
{
	char path[128], said[1024];
	as_escapes_t e;
	put("escapes", data, size);
	snprintf(path, sizeof(path), "%s/escapes", dir);
	as_escapes_read(path, 42, size && data[0] == 'e' ? skip_odd : NULL, NULL, &e);
	if (e.escapes < 0)
		abort();
	as_escapes_say(&e, "prog", "lib", said, sizeof(said));
}
#elif FUZZ_READER == READ_TUNE
static void one(const uint8_t *data, size_t size)
{
	char path[128], err[1024];
	as_table_t t;
	as_tune_point_t *p;
	int n;
	put("trials.csv", data, size);
	snprintf(path, sizeof(path), "%s/trials.csv", dir);
	if (as_table_read(path, &t, err, sizeof(err)) != 0)
		return;
	n = as_tune_points(&t, &p);
	as_table_free(&t);
	if (n <= 0)
		return;
	if (p[0].n && as_tune_stats(p, n, 0) == 0) {
		as_tune_frontier(p, n);
		as_tune_pick(p, n, AS_TUNE_TIME, 0, 0);
	}
	as_tune_points_free(p, n);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	one(data, size);
	return 0;
}
