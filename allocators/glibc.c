/* glibc.c - the system malloc as a module: the baseline every other module is
 * compared with. Binds glibc's own symbols; stats come from mallinfo2 and trim
 * is malloc_trim(0). The instance is the process-wide malloc, so create/destroy
 * hold no state and reset is not offered. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "allocscope_module.h"

/* glibc's own entry points, looked up in libc.so.6's handle so that the
 * module measures glibc even when another malloc is interposed (allocscope
 * exec preloads one; sanitizers intercept malloc and even __libc_memalign). */
static void *(*libc_malloc)(size_t);
static void (*libc_free)(void *);
static void *(*libc_realloc)(void *, size_t);
static void *(*libc_calloc)(size_t, size_t);
static void *(*libc_memalign)(size_t, size_t);

static int bind_libc(char *err, size_t errlen)
{
	void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	if (!h) {
		snprintf(err, errlen, "libc.so.6 is not loaded");
		return -1;
	}
	*(void **)&libc_malloc = dlsym(h, "malloc");
	*(void **)&libc_free = dlsym(h, "free");
	*(void **)&libc_realloc = dlsym(h, "realloc");
	*(void **)&libc_calloc = dlsym(h, "calloc");
	*(void **)&libc_memalign = dlsym(h, "memalign");
	dlclose(h);
	if (!libc_malloc || !libc_free || !libc_realloc || !libc_calloc || !libc_memalign) {
		snprintf(err, errlen, "glibc's malloc entry points not found in libc.so.6");
		return -1;
	}
	return 0;
}

static int glibc_create(const char *params, void **out, char *err, size_t errlen)
{
	if (as_params_parse(NULL, 0, params, NULL, err, errlen) != 0 || bind_libc(err, errlen))
		return -1;
	*out = (void *)1; /* no state: the process-wide heap is the instance */
	return 0;
}

static void glibc_destroy(void *inst)
{
	(void)inst;
}

static void *glibc_alloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	if (align <= 16)
		return libc_malloc(size);
	return libc_memalign(align, size);
}

static void glibc_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	(void)size;
	libc_free(ptr);
}

static void *glibc_realloc(void *inst, void *ptr, size_t old_size, size_t new_size)
{
	(void)inst;
	(void)old_size;
	return libc_realloc(ptr, new_size);
}

static void *glibc_calloc(void *inst, size_t size, size_t align)
{
	void *p;
	(void)inst;
	if (align <= 16)
		return libc_calloc(1, size);
	p = glibc_alloc(inst, size, align);
	if (p)
		memset(p, 0, size);
	return p;
}

static void glibc_stats(void *inst, as_stat_fn emit, void *ctx)
{
	struct mallinfo2 mi = mallinfo2();
	(void)inst;
	emit(ctx, "heap_bytes", (double)mi.arena);
	emit(ctx, "mmap_bytes", (double)mi.hblkhd);
	emit(ctx, "mmap_blocks", (double)mi.hblks);
	emit(ctx, "in_use_bytes", (double)mi.uordblks);
	emit(ctx, "free_bytes", (double)mi.fordblks);
	emit(ctx, "top_bytes", (double)mi.keepcost);
}

static int glibc_trim(void *inst)
{
	(void)inst;
	malloc_trim(0);
	return 0;
}

static char glibc_version[32];

static const as_module_t glibc_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "glibc",
    .version = glibc_version,
    .description = "the system malloc (ptmalloc2): brk heap, mmap above M_MMAP_THRESHOLD",
    .caps = AS_CAP_THREAD_SAFE | AS_CAP_FREE | AS_CAP_SIZE_UNKNOWN | AS_CAP_ANY_SIZE,
    .create = glibc_create,
    .destroy = glibc_destroy,
    .alloc = glibc_alloc,
    .free = glibc_free,
    .realloc = glibc_realloc,
    .calloc = glibc_calloc,
    .stats = glibc_stats,
    .trim = glibc_trim,
};

__attribute__((constructor)) static void glibc_module_init(void)
{
	strncpy(glibc_version, gnu_get_libc_version(), sizeof(glibc_version) - 1);
}

AS_MODULE_EXPORT(glibc_module)
