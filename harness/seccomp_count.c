/* seccomp_count.c - see seccomp_count.h. libseccomp writes the BPF program
 * (architecture check included) so no architecture needs naming here. */
#define _GNU_SOURCE
#include "seccomp_count.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "asan.h"

int as_seccomp_probe(char *why, size_t len)
{
	if (prctl(PR_GET_SECCOMP) < 0) {
		snprintf(why, len, "kernel without seccomp: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int as_seccomp_trap(const long *nrs, size_t n, char *why, size_t len)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc = -ENOMEM;
	const char *step = "seccomp_init";

	/* the caller is traced, filter or not: LeakSanitizer cannot stop the
	 * world of a traced process (it would fail, or hang in its helper
	 * task, whose memory calls the filter turns into ENOSYS) */
	as_lsan_off();

	if (!ctx)
		goto out_fail;
	/* another ABI (e.g. int 0x80 on x86-64) numbers its calls differently:
	 * let it through rather than kill the process (libseccomp's default) */
	step = "bad-arch action";
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	if (rc == 0) {
		step = "thread sync";
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t j = 0;
		while (j < i && nrs[j] != nrs[i])
			j++;
		if (j < i)
			continue; /* listed twice (madvise, once per advice) */
		step = "rule";
		rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(0), (int)nrs[i], 0);
	}
	if (rc == 0) {
		step = "seccomp_load";
		rc = seccomp_load(ctx);
	}
	seccomp_release(ctx);
	if (rc == 0)
		return 0;
out_fail:
	snprintf(why, len, "seccomp filter (libseccomp %s): %s", step, strerror(-rc));
	return -1;
}
