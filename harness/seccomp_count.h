/* seccomp_count.h - the seccomp side of syscall counting (syscount.h's
 * method "seccomp"): a filter, built by libseccomp for whatever architecture
 * this is, that makes the kernel stop the process at each listed system call
 * for its ptrace tracer (the trial's parent), which counts it. Every other
 * call, and every call of another ABI of the same machine, is allowed
 * untouched. */
#ifndef AS_SECCOMP_COUNT_H
#define AS_SECCOMP_COUNT_H

#include <stddef.h>
#include <sys/types.h>

/* Can a filter be installed here (kernel with seccomp filters)? Returns 0,
 * or -1 with the reason in why. */
int as_seccomp_probe(char *why, size_t len);

/* Run: build the filter with libseccomp, for the native system call numbers
 * nrs[0..n) (SECCOMP_RET_TRACE; everything else allowed), and write it into
 * fd at offset off, in at most room bytes, for a worker to install. Built
 * here and not in the worker: libseccomp's allocations there (about 230
 * mallocs, callocs, reallocs and frees) left the heap the glibc module
 * shares in another state than under perf, and its trial made other calls
 * (brk 288 against 276). Returns 0, or -1 with the reason in why (also
 * written at off, for the worker to report). */
int as_seccomp_program(const long *nrs, size_t n, int fd, off_t off, size_t room, char *why,
                       size_t len);

/* Worker: install the program at page (as_seccomp_program's off), room
 * bytes, on every thread of the calling process (and on the threads and
 * children it creates later), without allocating. Sets no_new_privs.
 * Returns 0, or -1 with the reason in why. Without a tracer attached, a
 * traced call fails with ENOSYS: attach first. */
int as_seccomp_install(const void *page, size_t room, char *why, size_t len);

#endif /* AS_SECCOMP_COUNT_H */
