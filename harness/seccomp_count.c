/* seccomp_count.c - see seccomp_count.h. libseccomp writes the BPF program
 * (architecture check included) so no architecture needs naming here. */
#define _GNU_SOURCE
#include "seccomp_count.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "asan.h"

/* The page's layout at off: a uint32 length of the program in bytes, then
 * the program; length 0: a NUL-terminated reason it could not be built. */
#define PROG_HDR 8

int as_seccomp_probe(char *why, size_t len)
{
	if (prctl(PR_GET_SECCOMP) < 0) {
		snprintf(why, len, "kernel without seccomp: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Build the filter with libseccomp and export it to fd at its offset. */
static int build(const long *nrs, size_t n, int fd, const char **step)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc = -ENOMEM;
	*step = "seccomp_init";
	if (!ctx)
		return rc;
	/* another ABI (e.g. int 0x80 on x86-64) numbers its calls differently:
	 * let it through rather than kill the process (libseccomp's default) */
	*step = "bad-arch action";
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t j = 0;
		while (j < i && nrs[j] != nrs[i])
			j++;
		if (j < i)
			continue; /* listed twice (madvise, once per advice) */
		*step = "rule";
		rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), (int)nrs[i], 0);
	}
	if (rc == 0) {
		*step = "seccomp_export_bpf";
		rc = seccomp_export_bpf(ctx, fd);
	}
	seccomp_release(ctx);
	return rc;
}

int as_seccomp_program(const long *nrs, size_t n, int fd, off_t off, size_t room, char *why,
                       size_t len)
{
	const char *step = "";
	uint32_t bytes = 0;
	off_t end;
	char msg[512];
	int rc = lseek(fd, off + PROG_HDR, SEEK_SET) < 0 ? -errno : build(nrs, n, fd, &step);
	if (rc == 0 && (end = lseek(fd, 0, SEEK_CUR)) < 0) {
		rc = -errno;
		step = "program size";
	} else if (rc == 0) {
		bytes = (uint32_t)(end - off - PROG_HDR);
		if (bytes == 0 || bytes % sizeof(struct sock_filter) != 0 ||
		    PROG_HDR + (size_t)bytes > room) {
			rc = -EFBIG;
			step = "program size";
		}
	}
	if (rc == 0 && pwrite(fd, &bytes, sizeof(bytes), off) == (ssize_t)sizeof(bytes))
		return 0;
	snprintf(msg, sizeof(msg), "seccomp filter (libseccomp %s): %s", step,
	         strerror(rc ? -rc : errno));
	snprintf(why, len, "%s", msg);
	/* the worker reports it, as much as fits: the trial runs on, uncounted */
	msg[strnlen(msg, room > PROG_HDR ? room - PROG_HDR - 1 : 0)] = '\0';
	bytes = 0;
	if (pwrite(fd, &bytes, sizeof(bytes), off) == (ssize_t)sizeof(bytes) && room > PROG_HDR)
		(void)!pwrite(fd, msg, strlen(msg) + 1, off + PROG_HDR);
	return -1;
}

int as_seccomp_install(const void *page, size_t room, char *why, size_t len)
{
	const char *p = page;
	uint32_t bytes;
	struct sock_fprog prog;
	long r;

	/* the caller is traced, filter or not: LeakSanitizer cannot stop the
	 * world of a traced process (it would fail, or hang in its helper
	 * task, whose memory calls the filter turns into ENOSYS) */
	as_lsan_off();

	memcpy(&bytes, p, sizeof(bytes));
	if (bytes == 0 || PROG_HDR + (size_t)bytes > room) {
		snprintf(why, len, "%.*s", (int)(room - PROG_HDR),
		         bytes == 0 ? p + PROG_HDR : "seccomp filter: the run's program is cut");
		return -1;
	}
	prog.len = (unsigned short)(bytes / sizeof(struct sock_filter));
	prog.filter = (struct sock_filter *)(uintptr_t)(p + PROG_HDR);
	/* what seccomp_load does, without its allocations: no_new_privs,
	 * then the filter on every thread at once */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(why, len, "seccomp filter (no_new_privs): %s", strerror(errno));
		return -1;
	}
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
	if (r > 0)
		snprintf(why, len, "seccomp filter: thread %ld of the worker could not take it", r);
	else if (r < 0)
		snprintf(why, len, "seccomp filter (install): %s", strerror(errno));
	return r == 0 ? 0 : -1;
}
