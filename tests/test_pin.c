/* test_pin.c - thread binding through the CLI: with --pin compact two
 * threads land on two different single CPUs (when the machine has two),
 * with --pin none each thread keeps the whole allowed set; a bad policy is
 * refused with a one-line error and exit code 2. trials.csv cpu_start and
 * cpu_end say where thread 0 ran: its bound CPU under compact, and, with
 * allocscope itself started on one CPU (the last allowed: not CPU 0 on a
 * machine of two or more), that one. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "tablecheck.h"

static as_table_t t;
static char dir[] = "/tmp/as_test_pin_XXXXXX";

static const char *binding_t(const char *pin, int threads)
{
	char cmd[8192], p[4300];
	snprintf(cmd, sizeof(cmd),
	         "'%s' run -r 1 -q --no-plot --min-time 0 -o '%s/%s%d' -a glibc -w "
	         "random:live=100,ops=1000 -t %d "
	         "--pin %s "
	         ">/dev/null",
	         getenv("ALLOCSCOPE"), dir, pin, threads, threads, pin);
	if (system(cmd) != 0)
		return NULL;
	as_table_free(&t);
	snprintf(p, sizeof(p), "%s/%s%d/trials.csv", dir, pin, threads);
	if (tc_load(p, &t) != 0)
		return NULL;
	return tc_str(&t, 0, "cpu_binding");
}

static const char *binding(const char *pin)
{
	return binding_t(pin, 2);
}

int main(void)
{
	cpu_set_t cs;
	int ncpu;
	const char *b;
	char cmd[8192];

	if (!getenv("ALLOCSCOPE") || !mkdtemp(dir)) {
		fprintf(stderr, "ALLOCSCOPE must be set (run through ctest)\n");
		return 2;
	}
	sched_getaffinity(0, sizeof(cs), &cs);
	ncpu = CPU_COUNT(&cs);
	if (ncpu < 2)
		as_check_skip_case("two threads on two CPUs (%d CPU allowed here)", ncpu);

	b = binding("compact");
	CHECK(b != NULL);
	if (b) {
		unsigned c0 = 999, c1 = 999;
		char tail[8] = "";
		int n = sscanf(b, "0:%u 1:%u%7s", &c0, &c1, tail);
		CHECKF(n == 2, "compact binding '%s' is not one CPU per thread", b);
		if (ncpu >= 2)
			CHECKF(c0 != c1, "compact put both threads on CPU %u", c0);
		CHECKF(tc_num(&t, 0, "cpu_start") == c0 && tc_num(&t, 0, "cpu_end") == c0,
		       "thread 0 bound to CPU %u, cpu_start %g, cpu_end %g", c0,
		       tc_num(&t, 0, "cpu_start"), tc_num(&t, 0, "cpu_end"));
	}
	b = binding("scatter");
	CHECK(b != NULL && !strncmp(b, "0:", 2) && strstr(b, " 1:"));
	b = binding("none");
	if (b) {
		/* unpinned: both threads may run on every allowed CPU */
		char first[64];
		const char *sp = strchr(b, ' ');
		CHECK(sp != NULL);
		snprintf(first, sizeof(first), "%.*s", sp ? (int)(sp - b - 2) : 0, b + 2);
		CHECKF(sp && !strcmp(sp + 3, first), "none: '%s'", b);
		if (ncpu >= 2)
			CHECKF(strchr(first, '-') || strchr(first, ','), "none: '%s'", b);
	} else {
		CHECK(!"run with --pin none");
	}
	{ /* started on one CPU, unpinned: the trial runs there */
		cpu_set_t one;
		int last = -1;
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &cs))
				last = c;
		CPU_ZERO(&one);
		CPU_SET(last, &one);
		CHECK(sched_setaffinity(0, sizeof(one), &one) == 0);
		b = binding_t("none", 1);
		CHECK(b != NULL);
		if (b)
			CHECKF(tc_num(&t, 0, "cpu_start") == last &&
			           tc_num(&t, 0, "cpu_end") == last,
			       "allocscope on CPU %d alone: cpu_start %g, cpu_end %g", last,
			       tc_num(&t, 0, "cpu_start"), tc_num(&t, 0, "cpu_end"));
		/* ... and pinned, every thread stays on it: the machine's
		 * whole topology put thread 0 on CPU 0 under `taskset -c 1`
		 * (an outside review) */
		if (ncpu >= 2)
			for (int k = 0; k < 2; k++) {
				char want[32];
				const char *pin = k ? "scatter" : "compact";
				snprintf(want, sizeof(want), "0:%d 1:%d", last, last);
				snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s2'", dir, pin);
				CHECK(system(cmd) == 0);
				b = binding_t(pin, 2);
				CHECKF(b && !strcmp(b, want),
				       "%s, allocscope started on CPU %d alone: '%s', want '%s'",
				       pin, last, b ? b : "(failed)", want);
			}
		sched_setaffinity(0, sizeof(cs), &cs);
	}
	snprintf(cmd, sizeof(cmd), "'%s' run -a glibc --pin diagonal 2>/dev/null",
	         getenv("ALLOCSCOPE"));
	CHECK(WEXITSTATUS(system(cmd)) == 2);

	as_table_free(&t);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return as_check_done();
}
