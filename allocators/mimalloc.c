/* mimalloc.c - mimalloc through its mi_* API (mi_malloc_aligned,
 * mi_free_size, mi_realloc, mi_zalloc_aligned), never malloc/free:
 * dlopen'ed with RTLD_LOCAL, those names would bind to glibc and the row
 * would silently measure glibc. Uses mimalloc's default per-thread heaps, so
 * one instance serves every thread (a private mi_heap_new heap would be
 * single-thread only). Built only when libmimalloc-dev is installed. */
#define _GNU_SOURCE
#include <stdio.h>

#include <mimalloc.h>

#include "allocscope_module.h"

static int mim_create(const char *params, void **out, char *err, size_t errlen)
{
	if (as_params_parse(NULL, 0, params, NULL, err, errlen) != 0)
		return -1;
	*out = (void *)1; /* mimalloc's process-wide state is the instance */
	return 0;
}

static void mim_destroy(void *inst)
{
	(void)inst;
}

static void *mim_alloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	if (align <= 16)
		return mi_malloc(size);
	return mi_malloc_aligned(size, align);
}

static void *mim_calloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	return mi_zalloc_aligned(size, align <= 16 ? 16 : align);
}

static void mim_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	if (size == AS_SIZE_UNKNOWN)
		mi_free(ptr);
	else
		mi_free_size(ptr, size);
}

static void *mim_realloc(void *inst, void *ptr, size_t old_size, size_t new_size)
{
	(void)inst;
	(void)old_size;
	return mi_realloc(ptr, new_size);
}

/* Debian's mimalloc is built without its statistics (MI_STAT=0), so it
 * keeps no allocated-bytes counter; mi_process_info's figures are the
 * process's (RSS and an estimate of committed memory), named as such. */
static void mim_stats(void *inst, as_stat_fn emit, void *ctx)
{
	size_t elapsed, user, sys, rss, peak_rss, commit, peak_commit, faults;
	(void)inst;
	mi_process_info(&elapsed, &user, &sys, &rss, &peak_rss, &commit, &peak_commit, &faults);
	emit(ctx, "process_rss_bytes", (double)rss);
	emit(ctx, "process_peak_rss_bytes", (double)peak_rss);
	emit(ctx, "process_commit_bytes", (double)commit);
	emit(ctx, "process_page_faults", (double)faults);
}

static int mim_trim(void *inst)
{
	(void)inst;
	mi_collect(true);
	return 0;
}

static char mim_version[32] = "?";

static const as_module_t mimalloc_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "mimalloc",
    .version = mim_version,
    .description = "mimalloc via mi_malloc/mi_free_size (its own API, never malloc)",
    .caps = AS_CAP_THREAD_SAFE | AS_CAP_FREE | AS_CAP_SIZE_UNKNOWN | AS_CAP_ANY_SIZE,
    .create = mim_create,
    .destroy = mim_destroy,
    .alloc = mim_alloc,
    .free = mim_free,
    .realloc = mim_realloc,
    .calloc = mim_calloc,
    .stats = mim_stats,
    .trim = mim_trim,
};

__attribute__((constructor)) static void mim_module_init(void)
{
	int v = mi_version(); /* major*100 + minor*10 + patch: 209 = 2.0.9 */
	snprintf(mim_version, sizeof(mim_version), "%d.%d.%d", v / 100, (v / 10) % 10, v % 10);
}

AS_MODULE_EXPORT(mimalloc_module)
