/* procstat.c - see procstat.h. */
#define _GNU_SOURCE
#include "procstat.h"

#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static int statm_fd = -1;
static long page_kib = 4;

int as_procstat_open(void)
{
	page_kib = sysconf(_SC_PAGESIZE) / 1024;
	if (statm_fd < 0)
		statm_fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	return statm_fd < 0 ? -1 : 0;
}

/* The resident set from statm open as fd, in KiB; -1 on error. */
static int64_t statm_rss(int fd)
{
	char buf[128];
	ssize_t n;
	unsigned long long size, res;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &size, &res) != 2)
		return -1;
	return (int64_t)res * page_kib;
}

int64_t as_rss_kib(void)
{
	if (statm_fd < 0 && as_procstat_open() != 0)
		return -1;
	return statm_rss(statm_fd);
}

int64_t as_rss_kib_unheld(void)
{
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	int64_t kib;
	page_kib = sysconf(_SC_PAGESIZE) / 1024;
	kib = fd >= 0 ? statm_rss(fd) : -1;
	if (fd >= 0)
		close(fd);
	return kib;
}

int64_t as_rss_peak_kib(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *p;
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "VmHWM:");
	return p ? strtoll(p + 6, NULL, 10) : -1;
}

int as_rss_peak_reset(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	int ok;
	if (fd < 0)
		return -1;
	ok = write(fd, "5", 1) == 1;
	close(fd);
	return ok ? 0 : -1;
}

/* One RSS counter (anonymous or file pages) on this CPU: MAP of N pages at
 * P (one page table), faulted in, then unmapped in one call. The faults
 * leave the CPU's pending part between 0 and a batch; the unmap's one
 * update of -N (N two batches) crosses the batch, so the kernel adds the
 * pending part to the global count and leaves 0. Returns 0, or -1. */
static int fold_one(char *p, size_t n, long pg, int fd)
{
	char *m = fd < 0 ? mmap(p, n * (size_t)pg, PROT_READ | PROT_WRITE,
	                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
	                 : mmap(p, n * (size_t)pg, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
	if (m == MAP_FAILED)
		return -1;
	if (fd < 0)
		madvise(m, n * (size_t)pg, MADV_NOHUGEPAGE); /* a page a fault */
	for (size_t i = 0; i < n; i++) {
		if (fd < 0)
			((volatile char *)m)[i * (size_t)pg] = 1;
		else
			(void)((volatile char *)m)[i * (size_t)pg];
	}
	return munmap(m, n * (size_t)pg);
}

/* Since Linux 6.2 a process's RSS is a per-CPU counter per kind of page:
 * each CPU holds up to a batch of changes (32 pages, or twice the online
 * CPUs if more) before it adds them to the global count. statm and VmRSS
 * add the pending parts up (on 6.18 here), but VmHWM is raised at each
 * unmap from the global counts alone: a pending -k that the worker's set-up left
 * on some CPU (memory it unmapped there) put every VmHWM of the trial k
 * pages above the RSS. Anonymous pages, and file pages from allocscope's
 * own executable, on every CPU the thread may run on, its pinning aside
 * (the set-up ran before it); it ends where it started, with the affinity
 * it had. */
static int fold_all(void)
{
	cpu_set_t was, one;
	long pg = sysconf(_SC_PAGESIZE), online = sysconf(_SC_NPROCESSORS_ONLN);
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	size_t n = 2 * (size_t)(online > 16 ? 2 * online : 32), span = 2u << 20;
	int home = sched_getcpu(), folded = 0, fd;
	off_t size;
	char *r, *p;
	if (pg <= 0 || n * (size_t)pg > span || sched_getaffinity(0, sizeof(was), &was) != 0)
		return -1;
	if (conf <= 0 || conf > CPU_SETSIZE)
		conf = CPU_SETSIZE;
	/* a page table's span, so that each unmap is one update of a counter */
	r = mmap(NULL, 2 * span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		return -1;
	p = (char *)(((uintptr_t)r + span - 1) & ~(uintptr_t)(span - 1));
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	size = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
	/* every other CPU (one offline or outside the cpuset refuses), then
	 * the one it started on */
	for (int k = 0; k <= conf; k++) {
		int c = k < conf ? k : home;
		if ((k < conf && c == home) || c < 0)
			continue;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		if (sched_setaffinity(0, sizeof(one), &one) != 0 || fold_one(p, n, pg, -1) != 0)
			continue;
		if (size >= (off_t)(n * (size_t)pg))
			fold_one(p, n, pg, fd);
		folded++;
	}
	if (fd >= 0)
		close(fd);
	sched_setaffinity(0, sizeof(was), &was);
	munmap(r, 2 * span);
	return folded ? folded : -1;
}

/* Folded until VmHWM's reset no longer starts above the RSS (under load
 * one pass left 8-132 KiB in 11 of 2,880 baselines; a second pass, 0 in
 * 2,813): the visible part of the error, the part that raises a peak. */
int as_rss_fold(void)
{
	int tries = 0;
	while (tries < 4 && fold_all() > 0) {
		tries++;
		if (as_rss_peak_reset() != 0 || as_rss_peak_kib() <= as_rss_kib())
			break;
	}
	return tries;
}

void as_faults(uint64_t *minflt, uint64_t *majflt)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	*minflt = (uint64_t)ru.ru_minflt;
	*majflt = (uint64_t)ru.ru_majflt;
}
