/* mtrace_on.c - a preload that turns on glibc's malloc tracing at program
 * start, for programs that do not call mtrace() themselves (glibc's
 * MALLOC_TRACE alone writes nothing then). Build and use:
 *   cc -shared -fPIC -o mtrace_on.so examples/mtrace/mtrace_on.c
 *   MALLOC_TRACE=app.mtrace \
 *     LD_PRELOAD="/usr/lib/x86_64-linux-gnu/libc_malloc_debug.so.0 $PWD/mtrace_on.so" ./app
 *   allocscope trace import mtrace app.mtrace -o app.ast
 * `allocscope capture -o app.ast -- ./app` needs none of this. */
#include <mcheck.h>

__attribute__((constructor)) static void mtrace_on(void)
{
	mtrace();
}
