/* tcmalloc.c - gperftools' tcmalloc (tcmalloc_minimal) through its tc_*
 * entry points (tc_malloc, tc_free_sized, tc_realloc, tc_memalign), never
 * malloc/free: dlopen'ed with RTLD_LOCAL, those names would bind to glibc and
 * the row would silently measure glibc. The instance is tcmalloc's
 * process-wide state. Built only when libgoogle-perftools-dev is installed. */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <gperftools/malloc_extension_c.h>
#include <gperftools/nallocx.h>
#include <gperftools/tcmalloc.h>

#include "allocscope_module.h"

/* Set once a tc_memalign block was handed out: its size class depends on
 * the alignment, which free() is not told, so from then on free goes through
 * tc_free (size looked up by tcmalloc) instead of tc_free_sized. */
static atomic_int served_aligned;

static int tc_create(const char *params, void **out, char *err, size_t errlen)
{
	if (as_params_parse(NULL, 0, params, NULL, err, errlen) != 0)
		return -1;
	*out = (void *)1; /* tcmalloc's process-wide state is the instance */
	return 0;
}

static void tc_destroy(void *inst)
{
	(void)inst;
}

static void *tcm_alloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	if (align <= 16)
		return tc_malloc(size);
	if (!atomic_load_explicit(&served_aligned, memory_order_relaxed))
		atomic_store(&served_aligned, 1);
	return tc_memalign(align, size);
}

static void *tcm_calloc(void *inst, size_t size, size_t align)
{
	void *p;
	if (align <= 16)
		return tc_calloc(1, size);
	p = tcm_alloc(inst, size, align);
	if (p)
		memset(p, 0, size);
	return p;
}

static void tcm_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	if (size == AS_SIZE_UNKNOWN || atomic_load_explicit(&served_aligned, memory_order_relaxed))
		tc_free(ptr);
	else
		tc_free_sized(ptr, size);
}

/* tc_realloc keeps a moderately shrunk block in place, in its old size
 * class; the harness frees it later with the new size, and tc_free_sized
 * would then file it under the new size's class and corrupt the heap (a
 * C program never meets this: its free() is unsized). So when the block
 * tcmalloc kept is not of new_size's class, it moves to one that is: a
 * copy only in that case, and tcmalloc's own behaviour everywhere else. */
static void *tcm_realloc(void *inst, void *ptr, size_t old_size, size_t new_size)
{
	void *r = tc_realloc(ptr, new_size), *n;
	(void)inst;
	(void)old_size;
	if (!r || new_size == 0 || atomic_load_explicit(&served_aligned, memory_order_relaxed) ||
	    tc_malloc_size(r) == tc_nallocx(new_size, 0))
		return r;
	n = tc_malloc(new_size);
	if (!n)
		return r; /* out of memory: the data is kept, the class is not */
	memcpy(n, r, new_size);
	tc_free(r);
	return n;
}

static void tcm_stats(void *inst, as_stat_fn emit, void *ctx)
{
	static const char *const keys[][2] = {
	    {"generic.current_allocated_bytes", "allocated_bytes"},
	    {"generic.heap_size", "heap_bytes"},
	    {"tcmalloc.pageheap_free_bytes", "pageheap_free_bytes"},
	    {"tcmalloc.pageheap_unmapped_bytes", "pageheap_unmapped_bytes"},
	    {"tcmalloc.current_total_thread_cache_bytes", "thread_cache_bytes"},
	};
	(void)inst;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t v = 0;
		if (MallocExtension_GetNumericProperty(keys[i][0], &v))
			emit(ctx, keys[i][1], (double)v);
	}
}

static int tcm_trim(void *inst)
{
	(void)inst;
	MallocExtension_ReleaseFreeMemory();
	return 0;
}

static char tc_version_str[64] = "?";

static const as_module_t tcmalloc_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "tcmalloc",
    .version = tc_version_str,
    .description = "gperftools tcmalloc via tc_malloc/tc_free_sized (its own API, never malloc)",
    .caps = AS_CAP_THREAD_SAFE | AS_CAP_FREE | AS_CAP_SIZE_UNKNOWN | AS_CAP_ANY_SIZE,
    .create = tc_create,
    .destroy = tc_destroy,
    .alloc = tcm_alloc,
    .free = tcm_free,
    .realloc = tcm_realloc,
    .calloc = tcm_calloc,
    .stats = tcm_stats,
    .trim = tcm_trim,
};

__attribute__((constructor)) static void tc_module_init(void)
{
	int major = 0, minor = 0;
	const char *patch = "";
	tc_version(&major, &minor, &patch);
	snprintf(tc_version_str, sizeof(tc_version_str), "%d.%d%s", major, minor,
	         patch ? patch : "");
}

AS_MODULE_EXPORT(tcmalloc_module)
