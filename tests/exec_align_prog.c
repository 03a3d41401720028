/* exec_align_prog.c - the edges of the aligned-allocation calls, printed one
 * line per case: test_exec.sh runs it on glibc and under `allocscope exec`
 * on each module, and the outputs must be the same (the shim keeps glibc's
 * contract: memalign rounds an alignment that is not a power of two up,
 * takes 0 as malloc, refuses one above SIZE_MAX / 2 + 1 with EINVAL;
 * posix_memalign's EINVAL cases; aligned_alloc as the running glibc has it).
 * With the argument `big`, also alignments of 4 GiB and more (a block is
 * written to and freed: the shim's header must find the module's block). */
#define _GNU_SOURCE
#include <errno.h>
#include <gnu/libc-version.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void show(const char *what, void *p, size_t want)
{
	if (!p) {
		printf("%s: NULL %s\n", what, strerrorname_np(errno));
		return;
	}
	printf("%s: a pointer, %zu-aligned: %s\n", what, want, (uintptr_t)p % want ? "no" : "yes");
	memset(p, 1, 1);
	free(p);
}

static void show_posix(const char *what, size_t align, size_t size)
{
	void *p = NULL;
	int r = posix_memalign(&p, align, size);
	if (r) {
		printf("%s: %s\n", what, strerrorname_np(r));
		return;
	}
	printf("%s: 0, %zu-aligned: %s\n", what, align, (uintptr_t)p % align ? "no" : "yes");
	memset(p, 1, 1);
	free(p);
}

#define CASE(call, want) (errno = 0, show(#call, call, want))

/* sizes no object can have, out of the compiler's sight (no warning) */
static volatile size_t huge = SIZE_MAX - 4096;

int main(int argc, char **argv)
{
	/* glibc 2.38 made aligned_alloc strict: what is expected depends on it */
	const char *v = gnu_get_libc_version();
	int strict = strverscmp(v, "2.38") >= 0;

	setvbuf(stdout, NULL, _IONBF, 0); /* every line out, even before a crash */
	CASE(memalign(24, 100), 32);
	CASE(memalign(48, 5000), 64);
	CASE(memalign(0, 100), 16);
	CASE(memalign(1, 100), 16);
	CASE(memalign(SIZE_MAX / 2 + 2, 1), 16);
	CASE(memalign(SIZE_MAX, 1), 16);
	CASE(memalign((size_t)1 << 62, 1), 16);
	CASE(memalign(4096, huge), 16);
	CASE(aligned_alloc(48, 100), strict ? 16 : 64);
	CASE(aligned_alloc(4096, 100), 4096);
	CASE(valloc(100), 4096);
	CASE(pvalloc(100), 4096);
	show_posix("posix_memalign(24)", 24, 100);
	show_posix("posix_memalign(0)", 0, 100);
	show_posix("posix_memalign(4)", 4, 100);
	show_posix("posix_memalign(64)", 64, 100);
	show_posix("posix_memalign(SIZE_MAX / 2 + 1)", SIZE_MAX / 2 + 1, 1);
	if (argc > 1 && !strcmp(argv[1], "big")) {
		CASE(memalign((size_t)1 << 32, 1), (size_t)1 << 32);
		CASE(memalign((size_t)1 << 33, 100), (size_t)1 << 33);
		CASE(aligned_alloc((size_t)1 << 32, 4096), (size_t)1 << 32);
		show_posix("posix_memalign(1 << 33)", (size_t)1 << 33, 1);
	}
	return 0;
}
