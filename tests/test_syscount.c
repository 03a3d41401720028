/* test_syscount.c - known-answer tests of the syscall counts: a module that
 * makes exactly one mmap per alloc and one munmap per free (or one brk per
 * alloc) must be counted exactly, by both methods (perf and seccomp), across
 * threads, cumulatively in series.csv, and in agreement with strace. A
 * method this machine refuses (perf_event_paranoid, no seccomp) or a missing
 * strace is a visible skip of those cases; when neither method can count,
 * the whole test is skipped (exit 77). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "seccomp_count.h"
#include "syscount.h"
#include "util.h"
#include "tablecheck.h"

static as_table_t t;
static char dir[] = "/tmp/as_test_syscount_XXXXXX";

/* Run allocscope with extra args (prefix: e.g. strace), load trials.csv.
 * Returns 0, or -1 after a failed check. */
static int run(const char *prefix, const char *args)
{
	char cmd[8192], path[4200];
	snprintf(cmd, sizeof(cmd),
	         "%s '%s' run -r 1 -q --no-plot --min-time 0 --no-quick-check --force -o '%s/out' "
	         "%s >/dev/null",
	         prefix, getenv("ALLOCSCOPE"), dir, args);
	if (system(cmd) != 0) {
		CHECKF(0, "command failed: %s", cmd);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/out/trials.csv", dir);
	return tc_load(path, &t);
}

/* mode=madvise's counts in t: 1100 frees of four madvise calls each, two
 * of them MADV_DONTNEED and one MADV_FREE */
static void check_madvise(const char *method)
{
	CHECKF(tc_num(&t, 0, "madvise_calls") == 4400 &&
	           tc_num(&t, 0, "madvise_dontneed_calls") == 2200 &&
	           tc_num(&t, 0, "madvise_free_calls") == 1100 &&
	           tc_num(&t, 0, "munmap_calls") == 1100 && tc_num(&t, 0, "mmap_calls") == 1100,
	       "%s: madvise %s, dontneed %s, free %s, munmap %s", method,
	       tc_str(&t, 0, "madvise_calls"), tc_str(&t, 0, "madvise_dontneed_calls"),
	       tc_str(&t, 0, "madvise_free_calls"), tc_str(&t, 0, "munmap_calls"));
}

/* perf: 100 live + 1000 replacements = 1100 allocs, 1100 frees */
static void check_perf(const char *mod, const char *wl)
{
	char args[8192], path[4300];
	as_table_t s = {0};

	snprintf(args, sizeof(args), "-a %s:mode=mmap %s", mod, wl);
	if (run("", args) == 0) {
		CHECKF(tc_num(&t, 0, "mmap_calls") == 1100, "mmap_calls %s",
		       tc_str(&t, 0, "mmap_calls"));
		CHECK(tc_num(&t, 0, "munmap_calls") == 1100);
		CHECK(tc_num(&t, 0, "brk_calls") == 0);
		CHECK(tc_num(&t, 0, "mremap_calls") == 0);
		CHECK(tc_num(&t, 0, "mprotect_calls") == 0);
		CHECK(tc_num(&t, 0, "syscalls_total") == 2200);
		/* the series' last row holds the same cumulative counts */
		snprintf(path, sizeof(path), "%s/out/series.csv", dir);
		if (tc_load(path, &s) == 0) {
			CHECK(s.nrows >= 2);
			CHECK(tc_num(&s, s.nrows - 1, "mmap_calls") == 1100);
			CHECK(tc_num(&s, 0, "mmap_calls") == 0);
		}
		as_table_free(&s);
	}

	snprintf(args, sizeof(args), "-a %s:mode=brk %s", mod, wl);
	if (run("", args) == 0) {
		CHECKF(tc_num(&t, 0, "brk_calls") == 1100, "brk_calls %s",
		       tc_str(&t, 0, "brk_calls"));
		CHECK(tc_num(&t, 0, "mmap_calls") == 0);
		CHECK(tc_num(&t, 0, "munmap_calls") == 0);
	}

	/* madvise split by advice (perf's tracepoint filter on behavior):
	 * per free two DONTNEED, one FREE and one WILLNEED, then munmap */
	snprintf(args, sizeof(args), "-a %s:mode=madvise %s", mod, wl);
	if (run("", args) == 0)
		check_madvise("perf");

	/* inherited by every thread: 2 threads do the work twice */
	snprintf(args, sizeof(args), "-a %s:mode=mmap %s -t 2", mod, wl);
	if (run("", args) == 0) {
		CHECKF(tc_num(&t, 0, "mmap_calls") == 2200, "2 threads: mmap_calls %s",
		       tc_str(&t, 0, "mmap_calls"));
		CHECK(tc_num(&t, 0, "munmap_calls") == 2200);
	}
}

/* seccomp + ptrace counts the same */
static void check_seccomp(const char *mod, const char *wl)
{
	char args[8192];
	snprintf(args, sizeof(args), "-a %s:mode=mmap %s -t 2 --syscalls seccomp", mod, wl);
	if (run("", args) == 0) {
		CHECKF(tc_num(&t, 0, "mmap_calls") == 2200, "seccomp: mmap_calls %s",
		       tc_str(&t, 0, "mmap_calls"));
		CHECK(tc_num(&t, 0, "munmap_calls") == 2200);
		CHECK(tc_num(&t, 0, "brk_calls") == 0);
	}
	snprintf(args, sizeof(args), "-a %s:mode=brk %s --syscalls seccomp", mod, wl);
	if (run("", args) == 0)
		CHECK(tc_num(&t, 0, "brk_calls") == 1100);
	snprintf(args, sizeof(args), "-a %s:mode=madvise %s --syscalls seccomp", mod, wl);
	if (run("", args) == 0)
		check_madvise("seccomp");
}

/* glibc's module is the worker's own malloc: the seccomp worker must not
 * allocate more than the perf one before the baseline, or glibc's trial
 * starts on another heap and makes other calls (libseccomp building the
 * filter in the worker gave brk 288 against perf's 276, another peak) */
static void check_same_heap(void)
{
	static const char *cols[] = {"brk_calls", "mmap_calls", "munmap_calls",
	                             "heap_size_peak_kib"};
	const char *args = "-a glibc -w random:min=16,max=300000,live=200,ops=20000 --syscalls";
	char a[512], perf[4][64];
	snprintf(a, sizeof(a), "%s perf", args);
	if (run("", a) != 0)
		return;
	for (int i = 0; i < 4; i++)
		snprintf(perf[i], sizeof(perf[i]), "%s", tc_str(&t, 0, cols[i]));
	snprintf(a, sizeof(a), "%s seccomp", args);
	if (run("", a) != 0)
		return;
	for (int i = 0; i < 4; i++)
		CHECKF(*perf[i] && !strcmp(tc_str(&t, 0, cols[i]), perf[i]),
		       "glibc: %s %s under seccomp, %s under perf", cols[i], tc_str(&t, 0, cols[i]),
		       perf[i]);
}

/* the run builds the program; one that does not fit is refused with its
 * reason, which the worker reads back and reports instead of installing */
static void check_program_room(void)
{
	long nrs[1] = {SYS_brk};
	char why[512] = "", back[512] = "";
	uint32_t bytes = 0;
	int fd = memfd_create("test-seccomp", MFD_CLOEXEC);
	const char *page;
	CHECK(fd >= 0 && ftruncate(fd, 4096) == 0);
	CHECK(as_seccomp_program(nrs, 1, fd, 1024, 3072, why, sizeof(why)) == 0);
	CHECK(pread(fd, &bytes, sizeof(bytes), 1024) == (ssize_t)sizeof(bytes));
	CHECKF(bytes >= 4 * 8 && bytes % 8 == 0 && bytes <= 3072 - 8, "program of %u bytes", bytes);
	CHECK(as_seccomp_program(nrs, 1, fd, 1024, 64, why, sizeof(why)) == -1);
	CHECKF(strstr(why, "program size") != NULL, "reason: %s", why);
	page = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(page != MAP_FAILED);
	if (page != MAP_FAILED) {
		CHECK(as_seccomp_install(page + 1024, 64, back, sizeof(back)) == -1);
		CHECKF(strlen(back) == 64 - 8 - 1 && !strncmp(back, why, strlen(back)),
		       "worker's reason: %s", back);
		munmap((void *)page, 4096);
	}
	close(fd);
}

/* strace sees the same module calls (filtered on the module's length) */
static void check_strace(const char *mod, const char *wl, const char *method)
{
	char prefix[4400], cmd[9000], args[8192];
	FILE *p;
	long n_mmap = -1, n_munmap = -1;
	snprintf(prefix, sizeof(prefix),
	         "/usr/bin/strace -f -qq -e trace=mmap,munmap -o '%s/strace.log'", dir);
	snprintf(args, sizeof(args), "-a %s:mode=mmap %s --syscalls %s", mod, wl, method);
	if (run(prefix, args) != 0)
		return;
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
	CHECKF(n_mmap == 1100 && n_mmap == (long)tc_num(&t, 0, "mmap_calls"),
	       "strace %ld mmaps, allocscope %s", n_mmap, tc_str(&t, 0, "mmap_calls"));
	CHECKF(n_munmap == 1100 && n_munmap == (long)tc_num(&t, 0, "munmap_calls"),
	       "strace %ld munmaps, allocscope %s", n_munmap, tc_str(&t, 0, "munmap_calls"));
}

/* A trial's fixed cost: once the probe holds the tracepoints, a worker's
 * counters open and close without the kernel unregistering a tracepoint
 * (an RCU grace period, 15-30 ms per counter on the project's VM, so
 * >= 120 ms for the 8). Fastest of 3 open+read+close cycles. */
static void check_teardown_cost(void)
{
	char why[512];
	uint64_t best = UINT64_MAX, v[AS_SYS_NCOLS];
	for (int k = 0; k < 3; k++) {
		uint64_t t0 = as_now_ns();
		if (as_syscount_start_perf(why, sizeof(why)) != 0) {
			CHECKF(0, "perf counters after a successful probe: %s", why);
			return;
		}
		CHECK(as_syscount_read(v) == 0);
		as_syscount_stop();
		if (as_now_ns() - t0 < best)
			best = as_now_ns() - t0;
	}
	CHECKF(best < 40000000ULL, "opening and closing the 8 counters took %.1f ms",
	       (double)best / 1e6);
}

/* A sample point reads the counters: one read() for all of them (a
 * group), counted by this test's own counter on the read tracepoint, and
 * the values in the columns' order: 5 mmaps, 5 munmaps, 3 mprotects
 * between two reads. */
static void check_read_calls(void)
{
	struct perf_event_attr a;
	char why[512], buf[32];
	uint64_t v0[AS_SYS_NCOLS], v1[AS_SYS_NCOLS], c0 = 0, c1 = 0;
	void *p[5];
	int fd = open("/sys/kernel/tracing/events/syscalls/sys_enter_read/id", O_RDONLY), me;
	ssize_t n;
	if (fd < 0) /* where the probe found tracefs otherwise */
		fd = open("/sys/kernel/debug/tracing/events/syscalls/sys_enter_read/id", O_RDONLY);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		as_check_skip_case("reads per sample (no sys_enter_read tracepoint id)");
		return;
	}
	buf[n] = '\0';
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = strtoull(buf, NULL, 10);
	me = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (me < 0 || as_syscount_start_perf(why, sizeof(why)) != 0) {
		CHECKF(0, "perf counters after a successful probe");
		if (me >= 0)
			close(me);
		return;
	}
	/* each read of `me` counts itself: 10 reads of the counters between */
	CHECK(read(me, &c0, sizeof(c0)) == sizeof(c0));
	for (int i = 0; i < 10; i++)
		CHECK(as_syscount_read(v0) == 0);
	CHECK(read(me, &c1, sizeof(c1)) == sizeof(c1));
	CHECKF(c1 - c0 == 11, "10 reads of the counters made %llu read() calls, not 10",
	       (unsigned long long)(c1 - c0 - 1));
	for (int i = 0; i < 5; i++)
		p[i] = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 3; i++)
		CHECK(mprotect(p[i], 4096, PROT_READ) == 0);
	for (int i = 0; i < 5; i++)
		munmap(p[i], 4096);
	CHECK(as_syscount_read(v1) == 0);
	CHECKF(v1[AS_SYS_mmap_calls] - v0[AS_SYS_mmap_calls] == 5, "mmap %llu",
	       (unsigned long long)(v1[AS_SYS_mmap_calls] - v0[AS_SYS_mmap_calls]));
	CHECK(v1[AS_SYS_munmap_calls] - v0[AS_SYS_munmap_calls] == 5);
	CHECK(v1[AS_SYS_mprotect_calls] - v0[AS_SYS_mprotect_calls] == 3);
	CHECK(v1[AS_SYS_brk_calls] == v0[AS_SYS_brk_calls]);
	CHECK(v1[AS_SYS_mremap_calls] == v0[AS_SYS_mremap_calls]);
	CHECK(v1[AS_SYS_madvise_calls] == v0[AS_SYS_madvise_calls]);
	as_syscount_stop();
	close(me);
}

int main(void)
{
	const char *build = getenv("ALLOCSCOPE_BUILD");
	const char *wl = "-w random:live=100,ops=1000,touch=none";
	char mod[4096], args[8192], perf_why[512] = "", secc_why[512] = "";
	int perf, secc, rc;

	if (!build || !getenv("ALLOCSCOPE") || !mkdtemp(dir)) {
		fprintf(stderr, "ALLOCSCOPE and ALLOCSCOPE_BUILD must be set\n");
		return 2;
	}
	snprintf(mod, sizeof(mod), "%s/tests/mods/mod_syscall_kat.so", build);
	perf = as_syscount_probe(AS_SYSCOUNT_PERF, perf_why, sizeof(perf_why)) == 0;
	secc = as_syscount_probe(AS_SYSCOUNT_SECCOMP, secc_why, sizeof(secc_why)) == 0;

	if (perf) {
		check_read_calls();
		check_teardown_cost();
		check_perf(mod, wl);
	} else
		as_check_skip_case("perf counts: %s", perf_why);
	check_program_room();
	if (secc)
		check_seccomp(mod, wl);
	else
		as_check_skip_case("seccomp counts: %s", secc_why);
	if (secc && perf)
		check_same_heap();
	else
		as_check_skip_case("glibc's heap under both methods (%s)",
		                   secc ? perf_why : secc_why);

	/* off: the columns are n/a (empty), the trial is still ok */
	snprintf(args, sizeof(args), "-a %s:mode=mmap %s --syscalls off", mod, wl);
	if (run("", args) == 0) {
		CHECK(!*tc_str(&t, 0, "mmap_calls"));
		CHECK(!strcmp(tc_str(&t, 0, "status"), "ok"));
	}

	/* seccomp's ptrace cannot run under strace's: compare perf's counts */
	if (access("/usr/bin/strace", X_OK) != 0)
		as_check_skip_case("comparison with strace (/usr/bin/strace not installed)");
	else if (!perf)
		as_check_skip_case("comparison with strace (perf counting refused)");
	else
		check_strace(mod, wl, "perf");

	as_table_free(&t);
	if (as_checks_failed == 0) {
		char cmd[4200];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	if (!perf && !secc) {
		char why[1100];
		snprintf(why, sizeof(why), "no syscall counting here: perf: %s; seccomp: %s",
		         perf_why, secc_why);
		rc = as_check_skip(why);
	} else {
		rc = as_check_done();
	}
	return rc;
}
