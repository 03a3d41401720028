/* tcmalloc.c - gperftools' tcmalloc (tcmalloc_minimal) through its tc_*
 * entry points (tc_malloc, tc_free_sized, tc_realloc, tc_memalign), never
 * malloc/free: dlopen'ed with RTLD_LOCAL, those names would bind to glibc and
 * the row would silently measure glibc. The instance is tcmalloc's
 * process-wide state. Built only when libgoogle-perftools-dev is installed.
 * Params are tcmalloc's TCMALLOC_* variables: the harness sets them before
 * the library starts; create() also sets the ones MallocExtension reaches
 * and reads them back (the release rate has no C call: its variable is
 * checked instead). */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <gperftools/malloc_extension_c.h>
#include <gperftools/nallocx.h>
#include <gperftools/tcmalloc.h>

#include "allocscope_env.h"
#include "allocscope_module.h"

/* Set once a tc_memalign block was handed out: its size class depends on
 * the alignment, which free() is not told, so from then on free goes through
 * tc_free (size looked up by tcmalloc) instead of tc_free_sized. */
static atomic_int served_aligned;

/* Every key is unset by default: tcmalloc keeps its own value. */
typedef struct {
	double release_rate;
	uint64_t max_total_thread_cache_bytes;
	int aggressive_decommit;
} tc_params_t;

/* gperftools 2.10 defaults (docs/tcmalloc.html): release rate 1.0, 32 MiB
 * of thread caches in total, aggressive decommit off. */
static const as_param_spec_t tc_spec[] = {
    {"release_rate", AS_PARAM_DOUBLE, "", 0, 10, NULL,
     "how fast free pages go back to the OS, 0 never (TCMALLOC_RELEASE_RATE; unset: 1.0)",
     offsetof(tc_params_t, release_rate)},
    {"max_total_thread_cache_bytes", AS_PARAM_SIZE, "", 512 << 10, 1ULL << 32, NULL,
     "bytes all thread caches may hold (TCMALLOC_MAX_TOTAL_THREAD_CACHE_BYTES; unset: 32M)",
     offsetof(tc_params_t, max_total_thread_cache_bytes)},
    {"aggressive_decommit", AS_PARAM_BOOL, "", 0, 0, NULL,
     "give free spans back at once (TCMALLOC_AGGRESSIVE_DECOMMIT; unset: off)",
     offsetof(tc_params_t, aggressive_decommit)},
};
#define NSPEC (sizeof(tc_spec) / sizeof(tc_spec[0]))

static int tc_params_env(const char *params, char *buf, size_t len, char *err, size_t errlen)
{
	tc_params_t p;
	as_envbuf_t e;
	as_env_init(&e, buf, len);
	if (as_params_parse(tc_spec, NSPEC, params, &p, err, errlen) != 0)
		return -1;
	if (!AS_PARAM_IS_UNSET_DBL(p.release_rate))
		as_env_add(&e, "TCMALLOC_RELEASE_RATE=%g\n", p.release_rate);
	if (p.max_total_thread_cache_bytes != AS_PARAM_UNSET_U64)
		as_env_add(&e, "TCMALLOC_MAX_TOTAL_THREAD_CACHE_BYTES=%llu\n",
		           (unsigned long long)p.max_total_thread_cache_bytes);
	if (p.aggressive_decommit != AS_PARAM_UNSET_BOOL)
		as_env_add(&e, "TCMALLOC_AGGRESSIVE_DECOMMIT=%d\n", p.aggressive_decommit);
	return as_env_done(&e, 0, err, errlen);
}

/* Set a MallocExtension property and read it back. */
static int set_property(const char *key, const char *prop, size_t v, char *err, size_t errlen)
{
	size_t got = 0;
	if (MallocExtension_SetNumericProperty(prop, v) &&
	    MallocExtension_GetNumericProperty(prop, &got) && got == v)
		return 0;
	snprintf(err, errlen, "%s=%zu did not apply (%s reads %zu)", key, v, prop, got);
	return -1;
}

static int tc_create(const char *params, void **out, char *err, size_t errlen)
{
	tc_params_t p;
	if (as_params_parse(tc_spec, NSPEC, params, &p, err, errlen) != 0)
		return -1;
	if (!AS_PARAM_IS_UNSET_DBL(p.release_rate)) {
		/* only the variable reaches it (MallocExtension's setter is C++) */
		const char *env = getenv("TCMALLOC_RELEASE_RATE");
		if (!env || strtod(env, NULL) != p.release_rate) {
			snprintf(
			    err, errlen,
			    "release_rate=%g can only be set through TCMALLOC_RELEASE_RATE when "
			    "tcmalloc starts (allocscope sets it for its workers and for exec)",
			    p.release_rate);
			return -1;
		}
	}
	if (p.max_total_thread_cache_bytes != AS_PARAM_UNSET_U64 &&
	    set_property("max_total_thread_cache_bytes", "tcmalloc.max_total_thread_cache_bytes",
	                 (size_t)p.max_total_thread_cache_bytes, err, errlen))
		return -1;
	if (p.aggressive_decommit != AS_PARAM_UNSET_BOOL &&
	    set_property("aggressive_decommit", "tcmalloc.aggressive_memory_decommit",
	                 (size_t)p.aggressive_decommit, err, errlen))
		return -1;
	*out = (void *)1; /* tcmalloc's process-wide state is the instance */
	return 0;
}

/* The library tc_malloc came from: the one to preload in a real program. */
static const char *tc_preload_library(void)
{
	static char path[4096];
	return as_library_of((void *)tc_malloc, path, sizeof(path));
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
    .nparams = NSPEC,
    .params = tc_spec,
    .params_env = tc_params_env,
    .preload_library = tc_preload_library,
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
