/* mimalloc.c - mimalloc through its mi_* API (mi_malloc_aligned,
 * mi_free_size, mi_realloc, mi_zalloc_aligned), never malloc/free:
 * dlopen'ed with RTLD_LOCAL, those names would bind to glibc and the row
 * would silently measure glibc. Uses mimalloc's default per-thread heaps, so
 * one instance serves every thread (a private mi_heap_new heap would be
 * single-thread only). Built only when libmimalloc-dev is installed.
 * Params are mimalloc options: the harness sets their MIMALLOC_* variables
 * before the library starts (reserve_os_memory is used at start only), and
 * create() also sets them with mi_option_set and reads each back with
 * mi_option_get. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <mimalloc.h>

#include "allocscope_env.h"
#include "allocscope_module.h"

/* Every key is unset by default: mimalloc keeps its own value. */
typedef struct {
	uint64_t v[4];
} mim_params_t;

/* mimalloc 2.0.9 (src/options.c): decommit_delay 25 ms, eager_commit on,
 * eager_commit_delay 1 segment, reserve_os_memory 0. Sizes are in KiB, as
 * mimalloc's options keep them. set_at_start: mi_option_set after start
 * does not move it, so only the variable (read at start) can. */
static const struct {
	mi_option_t opt;
	const char *env;
	int set_at_start;
	unsigned env_unit; /* the variable's unit: a size variable reads bytes */
} mim_keys[] = {
    {mi_option_decommit_delay, "MIMALLOC_DECOMMIT_DELAY", 0, 1},
    {mi_option_eager_commit, "MIMALLOC_EAGER_COMMIT", 0, 1},
    {mi_option_eager_commit_delay, "MIMALLOC_EAGER_COMMIT_DELAY", 0, 1},
    {mi_option_reserve_os_memory, "MIMALLOC_RESERVE_OS_MEMORY", 1, 1024},
};
static const as_param_spec_t mim_spec[] = {
    {"decommit_delay", AS_PARAM_U64, "", 0, 3600000, NULL,
     "ms before free memory is decommitted (purged) (MIMALLOC_DECOMMIT_DELAY; unset: 25)",
     offsetof(mim_params_t, v)},
    {"eager_commit", AS_PARAM_U64, "", 0, 1, NULL,
     "commit segments whole when they are made (MIMALLOC_EAGER_COMMIT; unset: 1)",
     offsetof(mim_params_t, v) + sizeof(uint64_t)},
    {"eager_commit_delay", AS_PARAM_U64, "", 0, 1024, NULL,
     "segments per thread committed lazily first (MIMALLOC_EAGER_COMMIT_DELAY; unset: 1)",
     offsetof(mim_params_t, v) + 2 * sizeof(uint64_t)},
    {"reserve_os_memory_kib", AS_PARAM_U64, "", 0, 64 << 20, NULL,
     "KiB of address space reserved as an arena at start (MIMALLOC_RESERVE_OS_MEMORY; unset: "
     "0)",
     offsetof(mim_params_t, v) + 3 * sizeof(uint64_t)},
};
#define NSPEC (sizeof(mim_spec) / sizeof(mim_spec[0]))

static int mim_params_env(const char *params, char *buf, size_t len, char *err, size_t errlen)
{
	mim_params_t p;
	as_envbuf_t e;
	as_env_init(&e, buf, len);
	if (as_params_parse(mim_spec, NSPEC, params, &p, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < NSPEC; i++)
		if (p.v[i] != AS_PARAM_UNSET_U64)
			as_env_add(&e, "%s=%llu\n", mim_keys[i].env,
			           (unsigned long long)p.v[i] * mim_keys[i].env_unit);
	return as_env_done(&e, 0, err, errlen);
}

static int mim_create(const char *params, void **out, char *err, size_t errlen)
{
	mim_params_t p;
	if (as_params_parse(mim_spec, NSPEC, params, &p, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < NSPEC; i++) {
		long got;
		if (p.v[i] == AS_PARAM_UNSET_U64)
			continue;
		if (!mim_keys[i].set_at_start)
			mi_option_set(mim_keys[i].opt, (long)p.v[i]);
		got = mi_option_get(mim_keys[i].opt);
		if (got != (long)p.v[i]) {
			snprintf(err, errlen,
			         "%s=%llu did not apply (mi_option_get reads %ld): %s must be set "
			         "when mimalloc starts (allocscope sets it for its workers and for "
			         "exec)",
			         mim_spec[i].key, (unsigned long long)p.v[i], got, mim_keys[i].env);
			return -1;
		}
	}
	*out = (void *)1; /* mimalloc's process-wide state is the instance */
	return 0;
}

/* The library mi_malloc came from: the one to preload in a real program. */
static const char *mim_preload_library(void)
{
	static char path[4096];
	return as_library_of((void *)mi_malloc, path, sizeof(path));
}

static void mim_destroy(void *inst)
{
	(void)inst;
}

/* mimalloc 2.0.9 (Debian's) returns a misaligned block for an aligned
 * request whose size is a power of two from 256 to 1024 and at least the
 * alignment (mimalloc issue #700: a small-size fast path taken by mistake;
 * found by `allocscope check`'s stress). One byte more avoids that path. */
static size_t aligned_size(size_t size, size_t align)
{
	if (align > 16 && size >= 256 && size <= 1024 && !(size & (size - 1)))
		return size + 1;
	return size;
}

static void *mim_alloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	if (align <= 16)
		return mi_malloc(size);
	return mi_malloc_aligned(aligned_size(size, align), align);
}

static void *mim_calloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	return mi_zalloc_aligned(aligned_size(size, align), align <= 16 ? 16 : align);
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
    .nparams = NSPEC,
    .params = mim_spec,
    .params_env = mim_params_env,
    .preload_library = mim_preload_library,
};

__attribute__((constructor)) static void mim_module_init(void)
{
	int v = mi_version(); /* major*100 + minor*10 + patch: 209 = 2.0.9 */
	snprintf(mim_version, sizeof(mim_version), "%d.%d.%d", v / 100, (v / 10) % 10, v % 10);
}

AS_MODULE_EXPORT(mimalloc_module)
