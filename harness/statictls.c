/* statictls.c - see statictls.h: one re-exec at startup so that modules
 * whose library needs static TLS (jemalloc) can be dlopen()ed. */
#define _GNU_SOURCE
#include "statictls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int as_static_tls_reexec(char **argv)
{
	static const char key[] = "glibc.rtld.optional_static_tls=";
	const char *cur = getenv("GLIBC_TUNABLES");
	const char *off = getenv("ALLOCSCOPE_NO_REEXEC");
	char buf[2048];
	int n;

	if ((off && *off && strcmp(off, "0")) || (cur && strstr(cur, key)))
		return 0;
	n = snprintf(buf, sizeof(buf), "%s%s%s%d", cur ? cur : "", cur && *cur ? ":" : "", key,
	             AS_STATIC_TLS_BYTES);
	if (n < 0 || (size_t)n >= sizeof(buf) || setenv("GLIBC_TUNABLES", buf, 1) != 0)
		return -1;
	execv("/proc/self/exe", argv);
	return -1;
}
