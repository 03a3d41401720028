/* jemalloc.c - jemalloc through its own non-standard API (mallocx, rallocx,
 * sdallocx/dallocx), never malloc/free: dlopen'ed with RTLD_LOCAL, those
 * names would bind to glibc and the row would silently measure glibc. The
 * instance is jemalloc's process-wide state; version and stats come from
 * mallctl. Built only when Debian's libjemalloc-dev is installed. */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jemalloc/jemalloc.h>

#include "allocscope_module.h"

/* Set once an over-aligned block was handed out: sdallocx needs the
 * alignment flag the block was made with, which free() is not told, so from
 * then on free goes through dallocx (size looked up by jemalloc). */
static atomic_int served_aligned;

static int je_create(const char *params, void **out, char *err, size_t errlen)
{
	if (as_params_parse(NULL, 0, params, NULL, err, errlen) != 0)
		return -1;
	*out = (void *)1; /* jemalloc's process-wide state is the instance */
	return 0;
}

static void je_destroy(void *inst)
{
	(void)inst;
}

static inline int align_flags(size_t align)
{
	if (align <= 16)
		return 0;
	if (!atomic_load_explicit(&served_aligned, memory_order_relaxed))
		atomic_store(&served_aligned, 1);
	return MALLOCX_ALIGN(align);
}

static void *je_alloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	return mallocx(size ? size : 1, align_flags(align));
}

static void *je_calloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	return mallocx(size ? size : 1, align_flags(align) | MALLOCX_ZERO);
}

static void je_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	if (size == AS_SIZE_UNKNOWN || size == 0 ||
	    atomic_load_explicit(&served_aligned, memory_order_relaxed))
		dallocx(ptr, 0);
	else
		sdallocx(ptr, size, 0);
}

static void *je_realloc(void *inst, void *ptr, size_t old_size, size_t new_size)
{
	(void)inst;
	(void)old_size;
	return rallocx(ptr, new_size ? new_size : 1, 0);
}

static void je_stats(void *inst, as_stat_fn emit, void *ctx)
{
	static const char *const keys[][2] = {
	    {"stats.allocated", "allocated_bytes"}, {"stats.active", "active_bytes"},
	    {"stats.metadata", "metadata_bytes"},   {"stats.resident", "resident_bytes"},
	    {"stats.mapped", "mapped_bytes"},       {"stats.retained", "retained_bytes"},
	};
	uint64_t epoch = 1;
	size_t sz = sizeof(epoch);
	(void)inst;
	mallctl("epoch", &epoch, &sz, &epoch, sz); /* refresh the cached stats */
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t v = 0;
		sz = sizeof(v);
		if (mallctl(keys[i][0], &v, &sz, NULL, 0) == 0)
			emit(ctx, keys[i][1], (double)v);
	}
}

static int je_trim(void *inst)
{
	char cmd[64];
	unsigned narenas = 0;
	size_t sz = sizeof(narenas);
	(void)inst;
	if (mallctl("arenas.narenas", &narenas, &sz, NULL, 0) != 0)
		return -1;
	/* MALLCTL_ARENAS_ALL: purge every arena's dirty and muzzy pages */
	snprintf(cmd, sizeof(cmd), "arena.%u.purge", (unsigned)MALLCTL_ARENAS_ALL);
	return mallctl(cmd, NULL, NULL, NULL, 0) == 0 ? 0 : -1;
}

static char je_version[64] = "?";

static const as_module_t jemalloc_module = {
    .abi_version = AS_MODULE_ABI_VERSION,
    .struct_size = sizeof(as_module_t),
    .param_spec_size = sizeof(as_param_spec_t),
    .params_version = AS_PARAMS_VERSION,
    .name = "jemalloc",
    .version = je_version,
    .description = "jemalloc via mallocx/sdallocx/rallocx (its own API, never malloc)",
    .caps = AS_CAP_THREAD_SAFE | AS_CAP_FREE | AS_CAP_SIZE_UNKNOWN | AS_CAP_ANY_SIZE,
    .create = je_create,
    .destroy = je_destroy,
    .alloc = je_alloc,
    .free = je_free,
    .realloc = je_realloc,
    .calloc = je_calloc,
    .stats = je_stats,
    .trim = je_trim,
};

__attribute__((constructor)) static void je_module_init(void)
{
	const char *v = NULL;
	size_t sz = sizeof(v);
	if (mallctl("version", &v, &sz, NULL, 0) == 0 && v) {
		/* "5.3.0-0-g54eaed1..." -> "5.3.0" */
		size_t n = strcspn(v, "-");
		if (n >= sizeof(je_version))
			n = sizeof(je_version) - 1;
		memcpy(je_version, v, n);
		je_version[n] = '\0';
	}
}

AS_MODULE_EXPORT(jemalloc_module)
