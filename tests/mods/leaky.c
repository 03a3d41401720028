/* leaky.c - a test-only module that is right in every way but one: its
 * free does nothing, though it says it frees (AS_CAP_FREE). Blocks come
 * from 1 MiB mmap'd chunks, bumped, aligned as asked; a block over 256 KiB
 * gets a mapping of its own. `allocscope check` must fail it on
 * free_returns and on nothing else (tests/test_check_leaky.sh): until
 * session 20 every check passed such a module (an outside review's). */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>

#include "allocscope_module.h"

#define CHUNK (1u << 20)

typedef struct {
	char *cur, *end;
} leaky_t;

static leaky_t one;

static int lk_create(const char *params, void **out, char *err, size_t errlen)
{
	(void)params;
	(void)err;
	(void)errlen;
	one.cur = one.end = NULL;
	*out = &one;
	return 0;
}

static void lk_destroy(void *inst)
{
	(void)inst; /* the chunks stay mapped: it leaks, by design */
}

static void *map(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void *lk_alloc(void *inst, size_t size, size_t align)
{
	leaky_t *l = inst;
	uintptr_t a = align > 16 ? align : 16, p;
	if (size > (1ULL << 40))
		return NULL;
	if (size + a > CHUNK / 4) /* its own mapping: page-aligned, enough up to 4096 */
		return a <= 4096 ? map(size ? size : 1) : NULL;
	p = ((uintptr_t)l->cur + a - 1) & ~(a - 1);
	if (!l->cur || p + size > (uintptr_t)l->end) {
		if (!(l->cur = map(CHUNK)))
			return NULL;
		l->end = l->cur + CHUNK;
		p = ((uintptr_t)l->cur + a - 1) & ~(a - 1);
	}
	l->cur = (char *)(p + (size ? size : 1));
	return (void *)p;
}

static void lk_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	(void)ptr;
	(void)size; /* the defect: nothing is given back or used again */
}

static const as_module_t lk_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "leaky",
    .version = "1",
    .description = "test-only: right, but its free does nothing",
    .caps = AS_CAP_ANY_SIZE | AS_CAP_FREE,
    .create = lk_create,
    .destroy = lk_destroy,
    .alloc = lk_alloc,
    .free = lk_free,
};

AS_MODULE_EXPORT(lk_module)
