/* jemalloc.c - jemalloc through its own non-standard API (mallocx, rallocx,
 * sdallocx/dallocx), never malloc/free: dlopen'ed with RTLD_LOCAL, those
 * names would bind to glibc and the row would silently measure glibc. The
 * instance is jemalloc's process-wide state; version and stats come from
 * mallctl. Built only when Debian's libjemalloc-dev is installed.
 * Params are jemalloc's own options: they go into MALLOC_CONF, which
 * jemalloc reads once when it starts, and create() reads each one back
 * through mallctl("opt.*"), so a setting that did not apply is an error,
 * never a row that silently measured the defaults. */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jemalloc/jemalloc.h>

#include "allocscope_env.h"
#include "allocscope_module.h"

/* Set once an over-aligned block was handed out: sdallocx needs the
 * alignment flag the block was made with, which free() is not told, so from
 * then on free goes through dallocx (size looked up by jemalloc). */
static atomic_int served_aligned;

/* Every key is unset by default: jemalloc keeps its own value. */
typedef struct {
	uint64_t narenas, dirty_decay_ms, muzzy_decay_ms;
	int tcache, background_thread;
} je_params_t;

/* jemalloc 5.3 defaults (TUNING.md): narenas 4 per CPU, dirty_decay_ms
 * 10000, muzzy_decay_ms 0, tcache on, background_thread off. A decay of -1
 * (never purge) is not offered: a large value does the same within a run. */
static const as_param_spec_t je_spec[] = {
    {"narenas", AS_PARAM_U64, "", 1, 1024, NULL,
     "arenas threads are spread over (MALLOC_CONF narenas; unset: 4 per CPU)",
     offsetof(je_params_t, narenas)},
    {"dirty_decay_ms", AS_PARAM_U64, "", 0, 3600000, NULL,
     "ms before unused dirty pages are purged (MALLOC_CONF dirty_decay_ms; unset: 10000)",
     offsetof(je_params_t, dirty_decay_ms)},
    {"muzzy_decay_ms", AS_PARAM_U64, "", 0, 3600000, NULL,
     "ms before muzzy pages are released (MALLOC_CONF muzzy_decay_ms; unset: 0)",
     offsetof(je_params_t, muzzy_decay_ms)},
    {"tcache", AS_PARAM_BOOL, "", 0, 0, NULL,
     "per-thread caches of small blocks (MALLOC_CONF tcache; unset: on)",
     offsetof(je_params_t, tcache)},
    {"background_thread", AS_PARAM_BOOL, "", 0, 0, NULL,
     "purge from background threads (MALLOC_CONF background_thread; unset: off)",
     offsetof(je_params_t, background_thread)},
};
#define NSPEC (sizeof(je_spec) / sizeof(je_spec[0]))

/* MALLOC_CONF=narenas:2,tcache:false for the keys given. */
static int je_params_env(const char *params, char *buf, size_t len, char *err, size_t errlen)
{
	je_params_t p;
	as_envbuf_t e;
	int items = 0;
	as_env_init(&e, buf, len);
	if (as_params_parse(je_spec, NSPEC, params, &p, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < 3; i++) { /* the numbers, in je_spec's order */
		uint64_t v = i == 0 ? p.narenas : i == 1 ? p.dirty_decay_ms : p.muzzy_decay_ms;
		if (v == AS_PARAM_UNSET_U64)
			continue;
		as_env_item(&e, &items, "MALLOC_CONF", ',');
		as_env_add(&e, "%s:%llu", je_spec[i].key, (unsigned long long)v);
	}
	for (size_t i = 3; i < NSPEC; i++) { /* the booleans */
		int v = i == 3 ? p.tcache : p.background_thread;
		if (v == AS_PARAM_UNSET_BOOL)
			continue;
		as_env_item(&e, &items, "MALLOC_CONF", ',');
		as_env_add(&e, "%s:%s", je_spec[i].key, v ? "true" : "false");
	}
	return as_env_done(&e, items, err, errlen);
}

/* 0 when opt.NAME reads back as `want`, else -1 with the reason. */
static int check_opt(const char *name, int is_bool, long long want, char *err, size_t errlen)
{
	char key[64];
	long long got;
	size_t sz;
	snprintf(key, sizeof(key), "opt.%s", name);
	if (is_bool) {
		bool b = false;
		sz = sizeof(b);
		if (mallctl(key, &b, &sz, NULL, 0) != 0)
			goto unreadable;
		got = b;
	} else if (!strcmp(name, "narenas")) {
		unsigned u = 0;
		sz = sizeof(u);
		if (mallctl(key, &u, &sz, NULL, 0) != 0)
			goto unreadable;
		got = u;
	} else {
		ssize_t s = 0;
		sz = sizeof(s);
		if (mallctl(key, &s, &sz, NULL, 0) != 0)
			goto unreadable;
		got = s;
	}
	if (got == want)
		return 0;
	snprintf(err, errlen,
	         "%s=%lld did not apply (%s is %lld): jemalloc started before MALLOC_CONF was "
	         "set (allocscope sets it for its workers and for exec)",
	         name, want, key, got);
	return -1;
unreadable:
	snprintf(err, errlen, "mallctl(\"%s\") failed: cannot check %s", key, name);
	return -1;
}

static int je_create(const char *params, void **out, char *err, size_t errlen)
{
	je_params_t p;
	if (as_params_parse(je_spec, NSPEC, params, &p, err, errlen) != 0)
		return -1;
	if ((p.narenas != AS_PARAM_UNSET_U64 &&
	     check_opt("narenas", 0, (long long)p.narenas, err, errlen)) ||
	    (p.dirty_decay_ms != AS_PARAM_UNSET_U64 &&
	     check_opt("dirty_decay_ms", 0, (long long)p.dirty_decay_ms, err, errlen)) ||
	    (p.muzzy_decay_ms != AS_PARAM_UNSET_U64 &&
	     check_opt("muzzy_decay_ms", 0, (long long)p.muzzy_decay_ms, err, errlen)) ||
	    (p.tcache != AS_PARAM_UNSET_BOOL && check_opt("tcache", 1, p.tcache, err, errlen)) ||
	    (p.background_thread != AS_PARAM_UNSET_BOOL &&
	     check_opt("background_thread", 1, p.background_thread, err, errlen)))
		return -1;
	*out = (void *)1; /* jemalloc's process-wide state is the instance */
	return 0;
}

/* The library mallctl came from: the one to preload in a real program. */
static const char *je_preload_library(void)
{
	static char path[4096];
	return as_library_of((void *)mallctl, path, sizeof(path));
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
    .nparams = NSPEC,
    .params = je_spec,
    .params_env = je_params_env,
    .preload_library = je_preload_library,
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
