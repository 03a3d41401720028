/* test_verdict_mem.c - a suite scenario's verdicts (as_scenario_verdicts)
 * read the trials.csv columns its claims and metric use, not the whole
 * file: the threshold scenario's claims judged on 200,000 rows of every
 * trials.csv column under an address-space limit of 160 MiB above what
 * the test holds before. Read whole (59 columns: a cell pointer each and
 * the text) they needed between 200 and 220 MiB more, and the reading
 * failed ("out of memory"); in the 24 columns the claims read, between
 * 112 and 120 (limits tried in steps of 8 to 20 MiB). Skipped under
 * AddressSanitizer (its shadow memory has no such limit). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "suite.h"
#include "tables.h"
#include "verdict.h"

#define ROWS       200000
#define BUDGET_MIB 160

/* The process's address space now, in KiB (/proc/self/status VmSize);
 * 0 when unknown. */
static long vm_size_kib(void)
{
	char line[256];
	long kib = 0;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmSize:", 7))
			kib = strtol(line + 7, NULL, 10);
	fclose(f);
	return kib;
}

/* PATH: ROWS rows of glibc on the threshold scenario's workloads, every
 * column a run writes, the numbers of a real row's width. Returns 0. */
static int write_rows(const char *path)
{
#define AS_COL_NAME(name, fmt, doc) #name,
	static const char *const names[] = {AS_TRIAL_KEY_COLS(AS_COL_NAME)
	                                        AS_TRIAL_COLS(AS_COL_NAME)};
#undef AS_COL_NAME
	static const char *const wl[] = {"size=4k,total=4m", "size=64k,total=4m",
	                                 "size=128k,total=4m", "size=1m"};
	const int ncols = (int)(sizeof(names) / sizeof(names[0]));
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	for (int c = 0; c < ncols; c++)
		fprintf(f, "%s%c", names[c], c + 1 < ncols ? ',' : '\n');
	for (int r = 0; r < ROWS; r++)
		for (int c = 0; c < ncols; c++) {
			const char *n = names[c];
			if (!strcmp(n, "module"))
				fputs("glibc", f);
			else if (!strcmp(n, "workload"))
				fputs("threshold", f);
			else if (!strcmp(n, "workload_params"))
				fprintf(f, "\"%s\"", wl[r % 4]);
			else if (!strcmp(n, "status"))
				fputs("ok", f);
			else if (!strcmp(n, "threads"))
				fputs("1", f);
			else if (!strcmp(n, "rep"))
				fprintf(f, "%d", r / 4);
			else if (!strcmp(n, "trial"))
				fprintf(f, "%d", r % 4);
			else if (strcmp(n, "module_params") && strcmp(n, "reason") &&
			         strcmp(n, "cpu_binding"))
				fprintf(f, "%d", 1000 + 37 * c + r % 97);
			fputc(c + 1 < ncols ? ',' : '\n', f);
		}
	return fclose(f) == 0 ? 0 : -1;
}

int main(void)
{
	char dir[] = "/tmp/as_verdict_mem_XXXXXX", path[256];
	int status = 0;
	pid_t pid;
	if (AS_UNDER_ASAN) {
		printf(
		    "skipped: sanitizer build (ASan's shadow memory has no address-space limit)\n");
		return 77;
	}
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/trials.csv", dir);
	CHECK(write_rows(path) == 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* the child: the limit, then the verdicts */
		char err[512];
		int counts[AS_VERDICT_COUNT] = {0}, n;
		as_buf_t csv = {0};
		struct rlimit rl;
		rl.rlim_cur = rl.rlim_max = ((rlim_t)vm_size_kib() + BUDGET_MIB * 1024) * 1024;
		if (setrlimit(RLIMIT_AS, &rl) != 0)
			_exit(3);
		n = as_scenario_verdicts(as_scenario_find("threshold"), path, NULL, &csv, NULL,
		                         counts, err, sizeof(err));
		if (n <= 0) {
			fprintf(stderr, "verdicts under %d MiB more: %d judged: %s\n", BUDGET_MIB,
			        n, err);
			_exit(1);
		}
		printf("%d claims judged under %d MiB more\n", n, BUDGET_MIB);
		_exit(0);
	}
	CHECK(pid > 0);
	if (pid > 0)
		waitpid(pid, &status, 0);
	CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child %s %d",
	       WIFEXITED(status) ? "exited" : "was killed by signal",
	       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	unlink(path);
	rmdir(dir);
	return as_check_done();
}
