/* test_syscount.c - known-answer tests of the syscall counts: a module that
 * makes exactly one mmap per alloc and one munmap per free (or one brk per
 * alloc) must be counted exactly, by both methods (perf and seccomp), across
 * threads, cumulatively in series.csv, and in agreement with strace. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "csvread.h"

static csvr_t t;
static char dir[] = "/tmp/as_test_syscount_XXXXXX";

/* Run allocscope with extra args (prefix: e.g. strace), load trials.csv. */
static int run(const char *prefix, const char *args)
{
	char cmd[8192], path[4200];
	snprintf(cmd, sizeof(cmd), "%s '%s' run -q --no-plot -o '%s/out' %s >/dev/null", prefix,
	         getenv("ALLOCSCOPE"), dir, args);
	if (system(cmd) != 0) {
		fprintf(stderr, "command failed: %s\n", cmd);
		return -1;
	}
	csvr_free(&t);
	snprintf(path, sizeof(path), "%s/out/trials.csv", dir);
	return csvr_load(&t, path);
}

int main(void)
{
	const char *build = getenv("ALLOCSCOPE_BUILD");
	char mod[4096], args[8192], path[4300];
	const char *wl = "-w random:live=100,ops=1000,touch=none";
	csvr_t s;

	if (!build || !getenv("ALLOCSCOPE") || !mkdtemp(dir)) {
		fprintf(stderr, "ALLOCSCOPE and ALLOCSCOPE_BUILD must be set\n");
		return 1;
	}
	snprintf(mod, sizeof(mod), "%s/tests/mods/mod_syscall_kat.so", build);

	/* perf: 100 live + 1000 replacements = 1100 allocs, 1100 frees */
	snprintf(args, sizeof(args), "-a %s:mode=mmap %s", mod, wl);
	if (run("", args) == 0) {
		CHECKF(csvr_num(&t, 0, "mmap_calls") == 1100, "mmap_calls %s",
		       csvr_get(&t, 0, "mmap_calls"));
		CHECK(csvr_num(&t, 0, "munmap_calls") == 1100);
		CHECK(csvr_num(&t, 0, "brk_calls") == 0);
		CHECK(csvr_num(&t, 0, "mremap_calls") == 0);
		CHECK(csvr_num(&t, 0, "mprotect_calls") == 0);
		CHECK(csvr_num(&t, 0, "syscalls_total") == 2200);
		/* the series' last row holds the same cumulative counts */
		snprintf(path, sizeof(path), "%s/out/series.csv", dir);
		CHECK(csvr_load(&s, path) == 0);
		CHECK(s.nrows >= 2);
		CHECK(csvr_num(&s, s.nrows - 1, "mmap_calls") == 1100);
		CHECK(csvr_num(&s, 0, "mmap_calls") == 0);
		csvr_free(&s);
	} else {
		CHECK(!"perf run");
	}

	snprintf(args, sizeof(args), "-a %s:mode=brk %s", mod, wl);
	if (run("", args) == 0) {
		CHECKF(csvr_num(&t, 0, "brk_calls") == 1100, "brk_calls %s",
		       csvr_get(&t, 0, "brk_calls"));
		CHECK(csvr_num(&t, 0, "mmap_calls") == 0);
		CHECK(csvr_num(&t, 0, "munmap_calls") == 0);
	} else {
		CHECK(!"perf brk run");
	}

	/* inherited by every thread: 2 threads do the work twice */
	snprintf(args, sizeof(args), "-a %s:mode=mmap %s -t 2", mod, wl);
	if (run("", args) == 0) {
		CHECKF(csvr_num(&t, 0, "mmap_calls") == 2200, "2 threads: mmap_calls %s",
		       csvr_get(&t, 0, "mmap_calls"));
		CHECK(csvr_num(&t, 0, "munmap_calls") == 2200);
	} else {
		CHECK(!"perf 2-thread run");
	}

	/* seccomp + ptrace counts the same */
	snprintf(args, sizeof(args), "-a %s:mode=mmap %s -t 2 --syscalls seccomp", mod, wl);
	if (run("", args) == 0) {
		CHECKF(csvr_num(&t, 0, "mmap_calls") == 2200, "seccomp: mmap_calls %s",
		       csvr_get(&t, 0, "mmap_calls"));
		CHECK(csvr_num(&t, 0, "munmap_calls") == 2200);
		CHECK(csvr_num(&t, 0, "brk_calls") == 0);
	} else {
		CHECK(!"seccomp run");
	}
	snprintf(args, sizeof(args), "-a %s:mode=brk %s --syscalls seccomp", mod, wl);
	if (run("", args) == 0)
		CHECK(csvr_num(&t, 0, "brk_calls") == 1100);

	/* off: the columns are n/a (empty) */
	snprintf(args, sizeof(args), "-a %s:mode=mmap %s --syscalls off", mod, wl);
	if (run("", args) == 0) {
		CHECK(csvr_get(&t, 0, "mmap_calls") && !*csvr_get(&t, 0, "mmap_calls"));
		CHECK(!strcmp(csvr_get(&t, 0, "status"), "ok"));
	}

	/* strace sees the same module calls (filtered on the module's length) */
	if (access("/usr/bin/strace", X_OK) == 0) {
		char prefix[4400], cmd[9000];
		FILE *p;
		long n_mmap = -1, n_munmap = -1;
		snprintf(prefix, sizeof(prefix),
		         "/usr/bin/strace -f -qq -e trace=mmap,munmap -o '%s/strace.log'", dir);
		snprintf(args, sizeof(args), "-a %s:mode=mmap %s", mod, wl);
		if (run(prefix, args) == 0) {
			snprintf(cmd, sizeof(cmd),
			         "grep -c 'mmap(NULL, 53248,' '%s/strace.log'; "
			         "grep -c 'munmap(0x[0-9a-f]*, 53248)' '%s/strace.log'",
			         dir, dir);
			p = popen(cmd, "r");
			if (p) {
				if (fscanf(p, "%ld %ld", &n_mmap, &n_munmap) != 2)
					n_mmap = n_munmap = -1;
				pclose(p);
			}
			CHECKF(n_mmap == (long)csvr_num(&t, 0, "mmap_calls"),
			       "strace %ld mmaps, allocscope %s", n_mmap,
			       csvr_get(&t, 0, "mmap_calls"));
			CHECKF(n_munmap == (long)csvr_num(&t, 0, "munmap_calls"),
			       "strace %ld munmaps, allocscope %s", n_munmap,
			       csvr_get(&t, 0, "munmap_calls"));
		}
	} else {
		printf("strace not installed: comparison skipped\n");
	}
	csvr_free(&t);
	{
		char cmd[4200];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return as_check_done();
}
