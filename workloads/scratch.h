/* scratch.h - kernel-mapped scratch memory for generators (shuffle arrays,
 * size tables, libcsv's buffers), so that building a stream never calls the
 * allocator under test, glibc's malloc included. Not for the timed region. */
#ifndef AS_SCRATCH_H
#define AS_SCRATCH_H

#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

/* Zeroed anonymous mapping of `bytes` (> 0); NULL when the kernel refuses. */
static inline void *as_scratch_map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static inline void as_scratch_unmap(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes);
}

/* realloc/free with the realloc(3) contract over mappings: a 16-byte header
 * keeps the mapped size. Given to libcsv (csv_set_realloc_func). */
static inline void *as_scratch_realloc(void *p, size_t bytes)
{
	size_t *h = p ? (size_t *)p - 2 : NULL;
	size_t *n = as_scratch_map(bytes + 2 * sizeof(size_t));
	if (!n)
		return NULL;
	n[0] = bytes + 2 * sizeof(size_t);
	if (h) {
		size_t old = h[0] - 2 * sizeof(size_t);
		memcpy(n + 2, p, old < bytes ? old : bytes);
		munmap(h, h[0]);
	}
	return n + 2;
}

static inline void as_scratch_free(void *p)
{
	if (p) {
		size_t *h = (size_t *)p - 2;
		munmap(h, h[0]);
	}
}

#endif /* AS_SCRATCH_H */
