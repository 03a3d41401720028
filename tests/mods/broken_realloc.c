/* broken_realloc.c - a deliberately broken test module that every
 * conformance check but `stress` lets through: a size-class allocator
 * (power-of-two classes from 16 B, one free list per class, sized frees)
 * whose realloc grows a block in place up to 1.5 times its class, past the
 * end of the block, over its neighbour; the caller then frees it with the
 * new size, which files the block under the next class up (the bug class of
 * the tcmalloc module's shrink, issue 19). test_check_broken.sh runs
 * `allocscope check` on it and requires the stress check, and only it, to
 * fail with the reason. */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "allocscope_module.h"

enum { NCLASS = 28, MIN_LOG2 = 4 };

typedef struct {
	char *base, *end, *next; /* the region and its unused part */
	void *free_list[NCLASS];
} heap_t;

static const size_t region = (size_t)8 << 30; /* address space, pages on touch */

static int cls(size_t size)
{
	int c = 0;
	while (((size_t)1 << (c + MIN_LOG2)) < size && c < NCLASS - 1)
		c++;
	return c;
}

static int b_create(const char *params, void **out, char *err, size_t errlen)
{
	heap_t *h;
	if (as_params_parse(NULL, 0, params, NULL, err, errlen) != 0)
		return -1;
	h = mmap(NULL, region, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
	         -1, 0);
	if (h == MAP_FAILED)
		return -1;
	memset(h, 0, sizeof(*h));
	h->base = (char *)h + 4096;
	h->next = h->base;
	h->end = (char *)h + region;
	*out = h;
	return 0;
}

static void b_destroy(void *inst)
{
	munmap(inst, region);
}

static void *b_alloc(void *inst, size_t size, size_t align)
{
	heap_t *h = inst;
	int c = cls(size > align ? size : align);
	size_t n = (size_t)1 << (c + MIN_LOG2);
	char *p;
	if (size > ((size_t)1 << (NCLASS - 1 + MIN_LOG2)))
		return NULL;
	if (h->free_list[c]) {
		p = h->free_list[c];
		h->free_list[c] = *(void **)p;
		return p;
	}
	/* blocks of a class are carved at a multiple of their size: aligned */
	p = (char *)(((uintptr_t)h->next + n - 1) & ~(uintptr_t)(n - 1));
	if (p > h->end || n > (size_t)(h->end - p))
		return NULL;
	h->next = p + n;
	return p;
}

static void b_free(void *inst, void *ptr, size_t size)
{
	heap_t *h = inst;
	int c = cls(size);
	if (!ptr)
		return;
	*(void **)ptr = h->free_list[c];
	h->free_list[c] = ptr;
}

static void *b_realloc(void *inst, void *ptr, size_t old_size, size_t new_size)
{
	size_t have = (size_t)1 << (cls(old_size) + MIN_LOG2);
	void *n;
	/* THE DEFECT: "there is room after it" - there is not */
	if (new_size <= have + have / 2)
		return ptr;
	n = b_alloc(inst, new_size, 16);
	if (!n)
		return NULL;
	memcpy(n, ptr, old_size < new_size ? old_size : new_size);
	b_free(inst, ptr, old_size);
	return n;
}

static const as_module_t mod = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .name = "broken_realloc",
    .version = "0",
    .description = "test-only: realloc grows in place over the neighbour",
    .caps = AS_CAP_FREE | AS_CAP_ANY_SIZE,
    .create = b_create,
    .destroy = b_destroy,
    .alloc = b_alloc,
    .free = b_free,
    .realloc = b_realloc,
};

AS_MODULE_EXPORT(mod)
