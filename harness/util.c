/* util.c - see util.h. */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../allocators/allocscope_module.h"
#include "asan.h"
#include "status.h"

static const char *const status_names[] = {
#define X(code, name, msg) name,
    AS_STATUS_MAP(X)
#undef X
};
static const char *const status_msgs[] = {
#define X(code, name, msg) msg,
    AS_STATUS_MAP(X)
#undef X
};

const char *as_status_name(as_status_t s)
{
	return (unsigned)s < AS_STATUS_COUNT ? status_names[s] : "unknown";
}

const char *as_status_msg(as_status_t s)
{
	return (unsigned)s < AS_STATUS_COUNT ? status_msgs[s] : "unknown status";
}

void *as_map(size_t bytes)
{
	void *p;
	if (bytes == 0)
		bytes = 1;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
	         -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void as_unmap(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes ? bytes : 1);
}

size_t as_utf8_char(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	unsigned long cp;
	if (len == 1)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	cp = s[0] & (0x3fu >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) /* the NUL byte ends it too */
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* 0 when PATH is a file exec can run, else its errno (a folder: EACCES,
 * as execve says of one). */
static int runnable(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EACCES;
	return access(path, X_OK) == 0 ? 0 : errno;
}

int as_find_program(const char *prog, char *out, size_t len)
{
	const char *path = getenv("PATH");
	int found = ENOENT;
	if (len)
		*out = '\0';
	if (!*prog)
		return ENOENT;
	if (strchr(prog, '/')) {
		if ((size_t)snprintf(out, len, "%s", prog) >= len)
			return ENAMETOOLONG;
		found = runnable(out);
		if (found && len)
			*out = '\0';
		return found;
	}
	for (path = path ? path : "/bin:/usr/bin"; *path;) {
		size_t n = strcspn(path, ":");
		int e;
		if ((size_t)snprintf(out, len, "%.*s/%s", (int)n, n ? path : ".", prog) >= len)
			e = ENAMETOOLONG;
		else
			e = runnable(out);
		if (e == 0)
			return 0;
		/* one that is there but cannot run is what execvp says last */
		if (e == EACCES || e == ENAMETOOLONG)
			found = e;
		path += n + (path[n] == ':');
	}
	if (len)
		*out = '\0';
	return found;
}

uint64_t as_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int as_plain_decimal(const char *s)
{
	const char *d = s && *s == '-' ? s + 1 : s;
	if (!d || !((*d >= '0' && *d <= '9') || (*d == '.' && d[1] >= '0' && d[1] <= '9')))
		return 0;
	return !strpbrk(d, "xXpP");
}

int as_parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out,
                 char *err, size_t errlen)
{
	char *end;
	unsigned long long v;
	errno = 0;
	if (!as_plain_decimal(s) || *s == '-')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0')
		goto bad;
	if (v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	snprintf(err, errlen, "option %s: '%s' is not a whole number in %llu..%llu", opt,
	         s ? s : "", (unsigned long long)min, (unsigned long long)max);
	return -1;
}

int as_parse_double(const char *opt, const char *s, double min, double max, double *out, char *err,
                    size_t errlen)
{
	char *end;
	double v;
	errno = 0;
	if (!as_plain_decimal(s))
		goto bad;
	v = strtod(s, &end);
	if (errno || *end != '\0' || isnan(v) || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	snprintf(err, errlen, "option %s: '%s' is not a number in %g..%g", opt, s ? s : "", min,
	         max);
	return -1;
}

int as_split_list(char *s, char **items, int max)
{
	int n = 0;
	char *p = s;
	for (;;) {
		char *c = strchr(p, ',');
		char *e;
		if (c)
			*c = '\0';
		while (*p == ' ')
			p++;
		e = p + strlen(p);
		while (e > p && e[-1] == ' ')
			*--e = '\0';
		if (!*p || n >= max)
			return -1;
		items[n++] = p;
		if (!c)
			break;
		p = c + 1;
	}
	return n;
}

int as_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			struct pollfd pf = {fd, POLLOUT, 0};
			if (errno == EINTR)
				continue;
			/* made non-blocking behind our back (a module that sets
			 * O_NONBLOCK on every descriptor, the result pipe's too):
			 * wait until it takes more, as a blocking write would */
			if ((errno == EAGAIN || errno == EWOULDBLOCK) &&
			    (poll(&pf, 1, -1) >= 0 || errno == EINTR))
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

long as_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	while (got < len) {
		ssize_t r = read(fd, p + got, len - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (long)got;
}

void as_proc_comm(int pid, char *out, size_t len)
{
	char path[64];
	ssize_t n = -1;
	int fd;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, out, len - 1);
		close(fd);
	}
	if (n <= 0)
		snprintf(out, len, "?");
	else
		out[n - (out[n - 1] == '\n')] = '\0';
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

__attribute__((no_sanitize_address)) void as_populate(uintptr_t lo, uintptr_t hi, int write)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	if (lo >= hi ||
	    madvise((void *)lo, hi - lo, write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ) == 0)
		return;
	for (uintptr_t p = lo; p < hi; p += pg)
		if (write)
			__atomic_fetch_add((long *)p, 0, __ATOMIC_RELAXED);
		else
			(void)*(volatile const char *)p;
}

#if AS_UNDER_ASAN
static int lsan_off;

void as_lsan_off(void)
{
	lsan_off = 1;
}

/* Asked by LeakSanitizer at exit (asan.h). */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
	return lsan_off;
}
#endif
