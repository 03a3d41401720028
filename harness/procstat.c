/* procstat.c - see procstat.h. */
#define _GNU_SOURCE
#include "procstat.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int64_t as_rss_kib(void)
{
	char buf[128];
	ssize_t n;
	unsigned long long size, res;
	if (statm_fd < 0 && as_procstat_open() != 0)
		return -1;
	n = pread(statm_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &size, &res) != 2)
		return -1;
	return (int64_t)res * page_kib;
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

void as_faults(uint64_t *minflt, uint64_t *majflt)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	*minflt = (uint64_t)ru.ru_minflt;
	*majflt = (uint64_t)ru.ru_majflt;
}
