/* test_console_notes.c - the console's table and the notes under it, on
 * made-up trials handed to the console reporter's end (no workers): the
 * disturbed line says how many the statistics left out and how many they
 * kept, as summary.csv reps_left_out does (a group with fewer than 2
 * undisturbed repetitions keeps them all); a p99 latency cell without a
 * value reads n/a. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "disturb.h"
#include "reporter.h"
#include "results.h"
#include "status.h"
#include "tables.h"

#define NTRIALS 12

static as_spec_t mods[2] = {{.name = "glibc", .params = "", .label = "glibc"},
                            {.name = "jemalloc", .params = "", .label = "jemalloc"}};
static as_spec_t larson = {.name = "larson", .params = "", .label = "larson"};
static as_trial_spec_t specs[NTRIALS];
static as_trial_rec_t res[NTRIALS];
static as_run_cfg_t cfg;
static int interrupted, stops_known; /* the run's, as console_of hands them */
static as_run_stops_t stops;

/* an ok trial of module `trial` with every figure n/a but its time: ns/op
 * the module's own (no round moved), `wait` of its 50 ms waiting for a CPU */
static void trial(int i, uint32_t trial, uint32_t rep, double wait)
{
	memset(&specs[i], 0, sizeof(specs[i]));
	memset(&res[i], 0, sizeof(res[i]));
	specs[i].module = &mods[trial];
	specs[i].workload = &larson;
	specs[i].threads = 1;
	specs[i].trial = trial;
	specs[i].rep = rep;
	res[i].status = AS_OK;
	res[i].threads = 1;
	for (int c = 0; c < AS_TRIAL_NCOLS; c++)
		res[i].v[c] = NAN;
	for (int k = 0; k < AS_OP_KIND_COUNT; k++)
		res[i].p99_ns[k] = NAN;
	res[i].v[AS_TC_ns_per_op] = 10.0 * (trial + 1);
	res[i].v[AS_TC_elapsed_ns] = 5e7;
	res[i].v[AS_TC_wait_ns] = wait * 5e7;
}

/* The console reporter's table and notes of specs/res[0..n) into out
 * (len bytes, NUL-ended). Returns 0, or -1. */
static int console_of(int n, char *out, size_t len)
{
	char path[] = "/tmp/as_console_XXXXXX";
	as_run_t run = {.cfg = &cfg,
	                .dir = "/nonexistent",
	                .specs = specs,
	                .res = res,
	                .n = n,
	                .interrupted = interrupted,
	                .stops_known = stops_known,
	                .stops = stops};
	as_reporter_t r;
	char err[256];
	int fd = mkstemp(path), saved, rc = -1;
	ssize_t got;
	if (fd < 0)
		return -1;
	fflush(stdout);
	saved = dup(1);
	if (saved >= 0 && dup2(fd, 1) >= 0 && as_reporter_console(&r) == 0) {
		rc = r.end(r.self, &run, err, sizeof(err));
		r.destroy(r.self);
	}
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, 1);
		close(saved);
	}
	got = pread(fd, out, len - 1, 0);
	out[got > 0 ? got : 0] = '\0';
	close(fd);
	unlink(path);
	return got > 0 ? rc : -1;
}

/* 6 repetitions of glibc, 2 of them waiting half their time (left out),
 * and 6 of jemalloc that all waited (fewer than 2 undisturbed: all kept,
 * n = 6): "8 of 12 ... disturbed" read as 8 left out (the reviewers' run:
 * 18 said left out, summary.csv listed 15) */
static void left_out_and_kept(void)
{
	static char out[16384];
	unsigned char dist[NTRIALS];
	as_summary_row_t *rows;
	int nout = 0, nkept = 0, listed = 0;
	char want[96];
	for (int i = 0; i < 6; i++) {
		trial(2 * i, 0, (uint32_t)i, i >= 4 ? 0.5 : 0.01);
		trial(2 * i + 1, 1, (uint32_t)i, 0.4 + 0.02 * i);
	}
	CHECK(as_disturbed_set(specs, res, NTRIALS, dist) == 0);
	for (int i = 0; i < NTRIALS; i++) {
		nout += dist[i] == AS_DIST_OUT;
		nkept += dist[i] == AS_DIST_KEPT;
	}
	CHECKF(nout == 2 && nkept == 6, "fixture: %d left out, %d kept", nout, nkept);
	CHECK(as_summary_rows(specs, res, NTRIALS, &rows) == 2);
	for (int g = 0; g < 2; g++)
		for (const char *p = rows[g].reps_left_out; *p; p += strspn(p, " "))
			listed++, p += strcspn(p, " ");
	free(rows);
	CHECKF(listed == nout, "summary.csv reps_left_out lists %d, %d left out", listed, nout);
	CHECK(console_of(NTRIALS, out, sizeof(out)) == 0);
	CHECKF(strstr(out, "(disturbed: 8 of 12 ok trials"), "%s", out);
	snprintf(want, sizeof(want), "; %d left out of the statistics (summary.csv reps_left_out)",
	         nout);
	CHECKF(strstr(out, want), "want '%s' in:\n%s", want, out);
	snprintf(want, sizeof(want), ", %d kept (fewer than 2 of their group's", nkept);
	CHECKF(strstr(out, want), "want '%s' in:\n%s", want, out);
}

/* a run with latency columns whose trials timed no alloc (threshold:size=1m
 * allocates before the timed region): p99alloc_ns is n/a, as the other
 * cells without a value, not "nan" */
static void p99_na(void)
{
	static char out[16384];
	const char *line = NULL;
	for (int i = 0; i < 2; i++) {
		trial(i, 0, (uint32_t)i, 0.01);
		res[i].p99_ns[AS_OP_FREE] = 500;
	}
	cfg.latency_every = 1;
	CHECK(console_of(2, out, sizeof(out)) == 0);
	cfg.latency_every = 0;
	CHECKF(strstr(out, "p99alloc_ns") && (line = strstr(out, "\nglibc ")) != NULL, "%s", out);
	CHECKF(!strstr(out, "nan"), "nan on the console:\n%s", out);
	CHECKF(line && strstr(line, "         n/a         500\n"), "want n/a, then 500:\n%s", out);
}

/* a group whose first repetition ran several passes and a later one a
 * single short pass, and a group whose repetitions all ran one: the
 * one-pass line counts each group once, from any repetition (until
 * session 20 it looked at rep 0 alone and said 1 group) */
static void one_pass_any_rep(void)
{
	static char out[16384];
	for (int i = 0; i < 2; i++) {
		trial(i, 0, (uint32_t)i, 0.01);
		res[i].v[AS_TC_passes] = i == 0 ? 4 : 1;
		res[i].v[AS_TC_elapsed_ns] = i == 0 ? 2.4e8 : 1e6;
	}
	trial(2, 1, 0, 0.01);
	res[2].v[AS_TC_passes] = 1;
	res[2].v[AS_TC_elapsed_ns] = 2e6;
	trial(3, 1, 1, 0.01);
	res[3].v[AS_TC_passes] = 1;
	res[3].v[AS_TC_elapsed_ns] = 2e6;
	cfg.min_time_s = 0.2;
	CHECK(console_of(4, out, sizeof(out)) == 0);
	cfg.min_time_s = 0;
	CHECKF(strstr(out, "(one pass: 2 group(s) ran their op stream once") != NULL, "%s", out);
}

/* -r auto with a group short of undisturbed repetitions: the note blames
 * the machine, unless the run was interrupted, which is why the group is
 * short then (an outside review: an interrupted run blamed the machine) */
static void short_groups(void)
{
	static char out[16384];
	for (int i = 0; i < 6; i++) {
		trial(2 * i, 0, (uint32_t)i, 0.01);
		trial(2 * i + 1, 1, (uint32_t)i, 0.4 + 0.02 * i); /* all disturbed */
	}
	cfg.reps_auto = 1;
	CHECK(console_of(NTRIALS, out, sizeof(out)) == 0);
	CHECKF(strstr(out, "the machine disturbed most of their trials"), "%s", out);
	interrupted = 1;
	CHECK(console_of(NTRIALS, out, sizeof(out)) == 0);
	interrupted = 0;
	CHECKF(strstr(out, "the run was interrupted before -r auto had run them") &&
	           !strstr(out, "the machine disturbed most"),
	       "%s", out);
	/* why -r auto stopped the groups is said on the terminal too */
	stops = (as_run_stops_t){.ci = 1, .max_time = 2, .most = 3};
	stops_known = 1;
	cfg.reps = 30;
	cfg.group_max_s = 2;
	CHECK(console_of(NTRIALS, out, sizeof(out)) == 0);
	stops_known = 0;
	cfg.reps = 6;
	cfg.reps_auto = 0;
	CHECKF(strstr(out, "(-r auto: groups stopped: 1 by the CI, 2 by --max-time (2 s), 0 by "
	                   "the budget, 3 at 30 repetitions, 0 failed or skipped;"),
	       "%s", out);
}

int main(void)
{
	setenv("CI", "1", 1); /* no progress bar */
	cfg.reps = 6;
	cfg.jobs = 1;
	left_out_and_kept();
	p99_na();
	one_pass_any_rep();
	short_groups();
	return as_check_done();
}
