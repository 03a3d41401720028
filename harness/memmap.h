/* memmap.h - where the worker's memory is: the brk heap ([heap]) and
 * anonymous mmap memory, each as virtual size and resident part, from
 * /proc/self/maps plus mincore(). The harness's own mappings (op stream,
 * slot table, histograms, sample buffers, thread stacks) are registered as
 * excluded, so the figures belong to the module. Buffers are mapped by
 * as_memmap_init, before the baseline. Not thread-safe. */
#ifndef AS_MEMMAP_H
#define AS_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct as_memmap {
	int64_t heap_size_kib, heap_rss_kib;
	int64_t mmap_size_kib, mmap_rss_kib;
} as_memmap_t;

/* Map the read buffers. Returns 0 or -1. */
int as_memmap_init(void);

/* Leave [p, p+len) out of the mmap figures (at most 4096 ranges). */
void as_memmap_exclude(const void *p, size_t len);

/* Read the current split. layout_changed = 0 promises that no brk, mmap,
 * munmap, mremap or mprotect happened since the previous call (the syscall
 * counters say so), so the ranges found then are reused and only their
 * residency is read again; pass 1 when unsure. New exclusions apply from
 * the next call with layout_changed = 1. Returns 0, or -1 (fields -1). */
int as_memmap_read(as_memmap_t *out, int layout_changed);

#endif /* AS_MEMMAP_H */
