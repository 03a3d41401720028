/* mtrace_prog.c - the program whose glibc mtrace log test_mtrace imports:
 * run with LD_PRELOAD=libc_malloc_debug.so.0 and MALLOC_TRACE=FILE. A block
 * allocated before mtrace() starts and freed after gives an unknown free;
 * the rest are plain, realloc(NULL), realloc(p, 0), free(NULL), a realloc
 * that moves, one that fails ('!') and a malloc that fails (glibc logs it
 * as "+ (nil) 0x4000000000000000"). Not a test by itself. */
#define _GNU_SOURCE
#include <mcheck.h>
#include <stdlib.h>
#include <string.h>

static void *early;
static volatile size_t huge = (size_t)1 << 62; /* no allocator gives this */

__attribute__((constructor(101))) static void before_tracing(void)
{
	early = malloc(5001);
}

__attribute__((constructor(102))) static void start_tracing(void)
{
	mtrace();
}

int main(void)
{
	void *keep[10];
	for (int i = 0; i < 10; i++)
		keep[i] = malloc(100 + (size_t)i);
	for (int i = 0; i < 10; i += 2)
		free(keep[i]);
	void *r = realloc(NULL, 64); /* logged as a plain allocation */
	r = realloc(r, 1 << 20);     /* moves: "<" then ">" */
	if (realloc(r, huge))        /* fails: "!", r stays */
		return 1;
	if (malloc(huge)) /* fails: "+ (nil) 0x4000000000000000" */
		return 1;
	void *z = calloc(4, 16);
	z = realloc(z, 0); /* freed */
	free(NULL);
	free(r);
	free(early); /* allocated before mtrace(): unknown */
	for (int i = 1; i < 10; i += 2)
		free(keep[i]);
	(void)z;
	return 0;
}
