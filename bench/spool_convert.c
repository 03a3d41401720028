/* spool_convert - what turning a capture spool into a trace costs, without
 * the program: converts a spool kept by `allocscope capture --keep-spool`
 * REPS times (as the command does after the program, one pass, binary
 * trace to OUT) and prints the conversion's CPU time per event, best and
 * median, with the events and lost records. The same spool gives the same
 * trace every time, so two builds' OUTs compare byte for byte.
 *   spool_convert SPOOL OUT [REPS]   (default 5) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "capture/spool_read.h"
#include "trace_out.h"

static double cpu_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int reps = argc > 3 ? atoi(argv[3]) : 5;
	double ns[100];
	as_spool_report_t rep = {0};
	if (argc < 3 || reps < 1 || reps > 100) {
		fprintf(stderr, "usage: spool_convert SPOOL OUT [REPS (1-100)]\n");
		return 2;
	}
	for (int r = 0; r < reps; r++) {
		as_spool_t sp;
		as_trace_out_t o;
		char msg[1024];
		double t0;
		if (as_spool_open(argv[1], &sp, msg, sizeof(msg)) != 0) {
			fprintf(stderr, "spool_convert: %s\n", msg);
			return 2;
		}
		if (as_trace_out_open(&o, argv[2], AS_TRACE_BIN, 0) != 0)
			return 2;
		t0 = cpu_s();
		/* a fixed scale (0.4 ns a tick): the same trace every run */
		if (as_spool_convert(&sp, 0.4, as_trace_writer_fn, &o.w, msg, sizeof(msg)) != 0) {
			fprintf(stderr, "spool_convert: %s\n", msg);
			return 2;
		}
		/* timed: decoding, merging, numbering, encoding and the writes;
		 * not the end (the last 64 KiB, the fsync: waiting for the disk) */
		rep = sp.rep;
		ns[r] = (cpu_s() - t0) * 1e9 / (double)(rep.events ? rep.events : 1);
		if (as_trace_out_close(&o, 1) != 0)
			return 2;
		as_spool_close(&sp);
	}
	qsort(ns, (size_t)reps, sizeof(ns[0]), cmp_d);
	printf("%llu events, lost %llu: conversion %.1f ns/event CPU best, %.1f median, %.1f "
	       "max (%d runs)\n",
	       (unsigned long long)rep.events, (unsigned long long)rep.lost, ns[0],
	       ns[(reps - 1) / 2], ns[reps - 1], reps);
	return 0;
}
