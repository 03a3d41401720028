/* leak_trim.c - glibc's M_TRIM_THRESHOLD after a 1 MiB prime, by hand.
 *
 * One process per (start state, k): optional start state, then malloc+free
 * of 1 MiB (an mmapped chunk: freeing it moves M_MMAP_THRESHOLD to its
 * chunk size, 1 MiB + 4 KiB, and M_TRIM_THRESHOLD to twice that), then 16
 * blocks of 256 KiB (one byte written per page), then the newest k freed
 * in ascending address order (oldest of them first). Prints sbrk(0) and
 * mallinfo2().keepcost (the free top chunk) before and after the frees and
 * what brk gave back. No allocscope code: plain glibc.
 *
 * usage: leak_trim STATE K    STATE: bare|small|hole|bigtop|stdio
 * Build with -O0 (or keep the pointers escaping, as here) so that gcc
 * cannot pair malloc with free and drop both. */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NB 16
#define BS (256u << 10)

void *volatile sink[4096]; /* every pointer escapes: nothing is elided */

static void touch_pages(char *p, size_t n)
{
	for (size_t o = 0; o < n; o += 4096)
		((volatile char *)p)[o] = 1;
	((volatile char *)p)[n - 1] = 1;
}

int main(int argc, char **argv)
{
	const char *state = argc > 1 ? argv[1] : "bare";
	int k = argc > 2 ? atoi(argv[2]) : 8;
	char *blk[NB];

	if (k < 0 || k > NB - 1) {
		fprintf(stderr, "leak_trim: K must be 0..%d\n", NB - 1);
		return 2;
	}
	/* start states before the prime */
	if (!strcmp(state, "small")) { /* 1000 small blocks kept */
		for (int i = 0; i < 1000; i++)
			sink[i] = malloc(48);
	} else if (!strcmp(state, "hole")) { /* an 800 KiB free chunk below a guard */
		for (int i = 0; i < 100; i++)
			sink[i] = malloc(8192);
		sink[100] = malloc(16);
		for (int i = 0; i < 100; i++)
			free(sink[i]);
	} else if (!strcmp(state, "stdio")) { /* stdio's buffer and a few odd sizes */
		printf("# stdio start state\n");
		for (int i = 0; i < 64; i++)
			sink[i] = malloc(17 + 301 * i);
		for (int i = 0; i < 64; i += 2)
			free(sink[i]);
	} else if (strcmp(state, "bare") && strcmp(state, "bigtop")) {
		fprintf(stderr, "leak_trim: unknown state %s\n", state);
		return 2;
	}
	/* the prime */
	sink[4000] = malloc(1 << 20);
	free(sink[4000]);
	if (!strcmp(state,
	            "bigtop")) { /* after the prime: a 1.8 MiB free top (no trim under 2 MiB) */
		for (int i = 0; i < 1800; i++)
			sink[1000 + i] = malloc(1000);
		for (int i = 0; i < 1800; i++) /* ascending: the top-most merge last */
			free(sink[1000 + i]);
	}
	char *brk_before = sbrk(0);
	for (int i = 0; i < NB; i++) {
		blk[i] = malloc(BS);
		sink[3000 + i] = blk[i];
		touch_pages(blk[i], BS);
	}
	int ascending = 1, in_heap = 1;
	char *brk_peak = sbrk(0);
	for (int i = 0; i < NB; i++) {
		if (i && blk[i] < blk[i - 1])
			ascending = 0;
		if (blk[i] > brk_peak || blk[i] < brk_peak - (64 << 20))
			in_heap = 0;
	}
	struct mallinfo2 m0 = mallinfo2();
	for (int i = NB - k; i < NB; i++)
		free(blk[i]);
	struct mallinfo2 m1 = mallinfo2();
	char *brk_end = sbrk(0);
	printf("state=%-6s k=%2d ascending=%d in_brk_heap=%d heap_grew_kib=%ld "
	       "keepcost_before_kib=%.1f keepcost_after_kib=%.1f brk_gave_back_kib=%ld "
	       "arena_kib %zu->%zu\n",
	       state, k, ascending, in_heap, (long)(brk_peak - brk_before) / 1024,
	       m0.keepcost / 1024.0, m1.keepcost / 1024.0, (long)(brk_peak - brk_end) / 1024,
	       m0.arena / 1024, m1.arena / 1024);
	return 0;
}
