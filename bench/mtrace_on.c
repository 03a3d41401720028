/* mtrace_on.c - preloaded next to glibc's libc_malloc_debug.so.0 so that a
 * program that never calls mtrace() itself is traced from its start
 * (MALLOC_TRACE alone does nothing). Used by bench/capture_overhead and
 * tests/test_mtrace_real.sh (built there as mtrace_on.so). */
#include <mcheck.h>

__attribute__((constructor)) static void start(void)
{
	mtrace();
}
