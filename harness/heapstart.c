/* heapstart.c - see heapstart.h. */
#define _GNU_SOURCE
#include "heapstart.h"

#include <dlfcn.h>
#include <malloc.h>
#include <stdio.h>

/* glibc's own entries, from libc.so.6's handle: the CLI's malloc counts
 * its calls (libc_count.h) and a sanitizer's is another allocator */
static void *(*g_malloc)(size_t);
static void (*g_free)(void *);
static struct mallinfo2 (*g_mallinfo2)(void);

/* The blocks are the trial's floor for good: kept here so that no
 * compiler drops a malloc whose result goes unused. */
static void *volatile sink;

#define STEPS_MAX     200000 /* mallocs in all: far above what a worker frees */
#define TCACHE_MAX    1032   /* glibc's largest tcache request on LP64 */
#define REQ_START     65536  /* below the least mmap threshold (128 KiB) */
#define MINSIZE       32
#define TCACHE_STRUCT 0x280 /* sizeof (tcache_perthread_struct) since glibc 2.30 */

static int bind(void)
{
	void *h;
	if (g_malloc)
		return 0;
	h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	if (!h)
		return -1;
	*(void **)&g_malloc = dlsym(h, "malloc");
	*(void **)&g_free = dlsym(h, "free");
	*(void **)&g_mallinfo2 = dlsym(h, "mallinfo2");
	dlclose(h);
	return g_malloc && g_free && g_mallinfo2 ? 0 : -1;
}

enum { FROM_NONE, FROM_TCACHE, FROM_BIN, FROM_TOP, FROM_MMAP };

/* malloc(req) into sink, and where glibc took the block from, by
 * mallinfo2: a tcache block counted in use already (nothing changes), a
 * bin's as free bytes gone, the top's as the top's size changed, an
 * mmap'd one (a request at or above the mmap threshold that the top
 * cannot give: glibc:mmap_threshold=0 makes every such request one) as
 * one more mapped block. */
static int take(size_t req)
{
	struct mallinfo2 a = g_mallinfo2(), b;
	sink = g_malloc(req);
	if (!sink)
		return FROM_NONE;
	b = g_mallinfo2();
	if (b.hblks != a.hblks)
		return FROM_MMAP;
	if (b.keepcost != a.keepcost)
		return FROM_TOP;
	return b.fordblks != a.fordblks ? FROM_BIN : FROM_TCACHE;
}

/* Take every free block of the main arena but the top. Large requests
 * while a free block fits them, halved when one came from the top or an
 * mmap instead (handed back: it joins the top again, or is unmapped);
 * then, per size class of the tcache and the fast bins, blocks until one
 * comes from elsewhere than the tcache and the bins: this thread's tcache
 * and the fast bins emptied, and the first class splits whatever else is
 * left. That last block of each class comes from the top: 64 blocks, 34
 * KiB, which stay resident below the trial (the heap's RSS after a glibc
 * trial's trim: 52 KiB, 8 before, threshold workload). Returns the mallocs
 * made. */
static long plug(void)
{
	long steps = 0;
	int from;
	for (size_t req = REQ_START; req > TCACHE_MAX && steps < STEPS_MAX;) {
		struct mallinfo2 mi = g_mallinfo2();
		if (mi.fordblks - mi.keepcost < req) {
			req /= 2;
			continue;
		}
		from = take(req - 16);
		steps++;
		if (from == FROM_NONE)
			return steps;
		if (from == FROM_TOP || from == FROM_MMAP) {
			g_free(sink);
			req /= 2;
		}
	}
	for (size_t req = 8; req <= TCACHE_MAX && steps < STEPS_MAX; req += 16) {
		do {
			from = take(req);
			steps++;
		} while ((from == FROM_TCACHE || from == FROM_BIN) && steps < STEPS_MAX);
		if (from == FROM_MMAP)
			g_free(sink);
	}
	return steps;
}

int as_heapstart_fresh(char *why, size_t len)
{
	struct mallinfo2 mi;
	long steps;
	if (bind() != 0) {
		snprintf(why, len, "glibc's malloc, free or mallinfo2 not found in libc.so.6");
		return -1;
	}
	steps = plug();
	mi = g_mallinfo2();
	if (mi.ordblks > 1 || mi.smblks > 0) {
		snprintf(why, len,
		         "the heap kept %zu free blocks of %zu bytes after %ld mallocs: the "
		         "glibc trial starts on it as it was",
		         mi.ordblks - 1 + mi.smblks, mi.fordblks - mi.keepcost, steps);
		return -1;
	}
	/* the whole top taken: all but its least in one block (from the top
	 * whatever the mmap threshold, writing one page), then the least,
	 * which the top cannot give with a block's worth left: the heap grows
	 * and the new top starts where it ended, at a page, as a fresh
	 * process's first heap does. Taken whole at once, the top went to
	 * sysmalloc, which mmap'd it under glibc:top_pad=1M (a large top) or
	 * mmap_threshold=32768. Then the block a fresh process's first malloc
	 * takes there (this thread's tcache, 0x290 bytes). */
	if (mi.keepcost > 2 * MINSIZE && take(mi.keepcost - MINSIZE - 8) == FROM_MMAP)
		g_free(sink);
	mi = g_mallinfo2();
	if (mi.keepcost >= MINSIZE && take(mi.keepcost - 8) == FROM_MMAP)
		g_free(sink); /* an mmap threshold of 32 bytes or less: the top stays */
	if (take(TCACHE_STRUCT) == FROM_MMAP)
		g_free(sink);
	return 0;
}
