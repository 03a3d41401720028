/* seccomp_count.h - the seccomp side of syscall counting (syscount.h's
 * method "seccomp"): a filter, built by libseccomp for whatever architecture
 * this is, that makes the kernel stop the process at each listed system call
 * for its ptrace tracer (the trial's parent), which counts it. Every other
 * call, and every call of another ABI of the same machine, is allowed
 * untouched. */
#ifndef AS_SECCOMP_COUNT_H
#define AS_SECCOMP_COUNT_H

#include <stddef.h>

/* Can a filter be installed here (kernel with seccomp filters)? Returns 0,
 * or -1 with the reason in why. */
int as_seccomp_probe(char *why, size_t len);

/* Install, on every thread of the calling process (and on the threads and
 * children it creates later), a filter returning SECCOMP_RET_TRACE for the
 * native system call numbers nrs[0..n) and allowing everything else. Sets
 * no_new_privs. Returns 0, or -1 with the reason in why. Without a tracer
 * attached, a traced call fails with ENOSYS: attach first. */
int as_seccomp_trap(const long *nrs, size_t n, char *why, size_t len);

#endif /* AS_SECCOMP_COUNT_H */
