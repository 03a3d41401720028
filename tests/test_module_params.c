/* test_module_params.c - the real allocators' params take effect: each case
 * runs in a fresh child process that does what a worker does (the module's
 * environment from params_env, then load and create) and reads the setting
 * back through the allocator's own introspection: mallinfo2's mmapped-block
 * count for glibc's mmap_threshold, mallctl("opt.*") for jemalloc,
 * MallocExtension properties for tcmalloc, mi_option_get for mimalloc. Also:
 * the environment lines each module gives (what `exec` and `tune` use), and
 * that a setting which can no longer apply is refused at create, never
 * silently measured as the default. Modules not built are skipped; with none
 * of the real ones built the test exits 77. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include "modenv.h"
#include "modtest.h"
#include "statictls.h"
#ifdef AS_HAVE_MIMALLOC
#include <mimalloc.h>
#endif

/* Build "<build>/allocators/NAME.so:PARAMS" into a spec. */
static int spec_of(const char *name, const char *params, as_spec_t *s)
{
	char text[4096], err[256];
	const char *b = getenv("ALLOCSCOPE_BUILD");
	snprintf(text, sizeof(text), "%s/allocators/%s.so%s%s", b ? b : ".", name,
	         *params ? ":" : "", params);
	return as_spec_parse(text, AS_SPEC_MODULE, s, err, sizeof(err));
}

/* The env lines the module gives for params. */
static void env_is(const char *name, const char *params, const char *want)
{
	as_spec_t s;
	as_modenv_t me;
	char err[1024];
	CHECK(spec_of(name, params, &s) == 0);
	CHECKF(as_module_env(&s, &me, err, sizeof(err)) == 0, "%s:%s: %s", name, params, err);
	CHECKF(!strcmp(me.env, want), "%s:%s: env '%s', want '%s'", name, params, me.env, want);
	as_spec_free(&s);
}

typedef int (*readback_fn)(const as_loaded_t *lm, void *inst);

/* In a child: apply the module's env (when with_env), load, create with
 * params, then readback(). Returns the child's exit code: 0 all good, 1 the
 * read-back failed, 2 create refused (its reason printed), 3 set-up. */
static int in_child(const char *name, const char *params, int with_env, readback_fn readback)
{
	pid_t pid;
	int st;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		as_spec_t s;
		as_modenv_t me;
		as_loaded_t lm;
		void *inst;
		char err[1024];
		if (spec_of(name, params, &s) != 0 || as_module_env(&s, &me, err, sizeof(err)))
			_exit(3);
		if (with_env && as_env_apply(me.env) != 0)
			_exit(3);
		if (mt_load(name, &lm) != 0)
			_exit(3);
		if (lm.mod->create(s.params, &inst, err, sizeof(err)) != 0) {
			fprintf(stderr, "  (%s:%s refused: %s)\n", name, params, err);
			_exit(2);
		}
		_exit(readback(&lm, inst) == 0 ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 4;
	return WEXITSTATUS(st);
}

/* glibc: blocks at or above the mmap threshold are mmapped one by one, so
 * mallinfo2().hblks counts them (read in libc.so.6 itself: a sanitizer
 * runtime would answer for its own heap). */
static size_t hblks(void)
{
	struct mallinfo2 (*mi2)(void);
	void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	*(void **)&mi2 = h ? dlsym(h, "mallinfo2") : NULL;
	return mi2 ? mi2().hblks : (size_t)-1;
}

static size_t mmapped_by(const as_loaded_t *lm, void *inst, size_t size)
{
	size_t before = hblks(), after;
	void *p = lm->mod->alloc(inst, size, 0);
	after = hblks();
	lm->mod->free(inst, p, size);
	return after - before;
}

/* Requests far above what the heap's top could hold: with the threshold
 * below them they are mmapped, above them they come from the heap (a
 * request that fits in the top is served there whatever the threshold). */
static int glibc_4m(const as_loaded_t *lm, void *inst)
{
	/* 2 MiB is above glibc's default threshold (128 KiB), below 4 MiB */
	return mmapped_by(lm, inst, 2 << 20) == 0 && mmapped_by(lm, inst, 8 << 20) == 1 ? 0 : 1;
}

static int glibc_default(const as_loaded_t *lm, void *inst)
{
	return mmapped_by(lm, inst, 2 << 20) == 1 ? 0 : 1;
}

static int nothing(const as_loaded_t *lm, void *inst)
{
	(void)lm;
	(void)inst;
	return 0;
}

static void test_glibc(void)
{
	env_is("glibc", "", "");
	env_is("glibc", "mmap_threshold=1M,tcache_count=0",
	       "GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1048576:glibc.malloc.tcache_count=0\n");
	CHECKF(in_child("glibc", "", 1, glibc_default) == 0, "glibc: 2 MiB mmapped by default");
	CHECKF(in_child("glibc", "mmap_threshold=4M", 1, glibc_4m) == 0,
	       "glibc: mmap_threshold=4M keeps 2 MiB on the heap, mmaps 8 MiB");
	/* mallopt reaches mmap_threshold even without the variable */
	CHECKF(in_child("glibc", "mmap_threshold=4M", 0, glibc_4m) == 0,
	       "glibc: mmap_threshold through mallopt alone");
	/* tcache_count has no mallopt: without GLIBC_TUNABLES it is refused */
	CHECKF(in_child("glibc", "tcache_count=0", 0, nothing) == 2,
	       "glibc: tcache_count without GLIBC_TUNABLES is refused");
	CHECKF(in_child("glibc", "tcache_count=0", 1, nothing) == 0,
	       "glibc: tcache_count with GLIBC_TUNABLES is accepted");
}

#ifdef AS_HAVE_JEMALLOC
static int je_readback(const as_loaded_t *lm, void *inst)
{
	int (*mallctl)(const char *, void *, size_t *, void *, size_t);
	unsigned narenas = 0;
	ssize_t dirty = 0;
	bool tcache = true;
	size_t sz;
	(void)inst;
	*(void **)&mallctl = dlsym(lm->handle, "mallctl");
	if (!mallctl)
		return 1;
	sz = sizeof(narenas);
	mallctl("opt.narenas", &narenas, &sz, NULL, 0);
	sz = sizeof(dirty);
	mallctl("opt.dirty_decay_ms", &dirty, &sz, NULL, 0);
	sz = sizeof(tcache);
	mallctl("opt.tcache", &tcache, &sz, NULL, 0);
	fprintf(stderr, "  jemalloc read back: narenas %u dirty_decay_ms %zd tcache %d\n", narenas,
	        dirty, (int)tcache);
	return narenas == 3 && dirty == 2500 && !tcache ? 0 : 1;
}

static void test_jemalloc(void)
{
	const char *p = "narenas=3,dirty_decay_ms=2500,tcache=0";
	env_is("jemalloc", p, "MALLOC_CONF=narenas:3,dirty_decay_ms:2500,tcache:false\n");
	CHECKF(in_child("jemalloc", p, 1, je_readback) == 0, "jemalloc: mallctl reads them back");
	/* jemalloc started without MALLOC_CONF: create says so */
	CHECKF(in_child("jemalloc", p, 0, nothing) == 2, "jemalloc: no MALLOC_CONF is refused");
}
#endif

#ifdef AS_HAVE_TCMALLOC
static int tc_readback(const as_loaded_t *lm, void *inst)
{
	int (*get)(const char *, size_t *);
	size_t v = 0;
	(void)inst;
	*(void **)&get = dlsym(lm->handle, "MallocExtension_GetNumericProperty");
	return get && get("tcmalloc.max_total_thread_cache_bytes", &v) && v == 4u << 20 ? 0 : 1;
}

static void test_tcmalloc(void)
{
	env_is("tcmalloc", "release_rate=0,max_total_thread_cache_bytes=4M",
	       "TCMALLOC_RELEASE_RATE=0\nTCMALLOC_MAX_TOTAL_THREAD_CACHE_BYTES=4194304\n");
	CHECKF(in_child("tcmalloc", "max_total_thread_cache_bytes=4M", 0, tc_readback) == 0,
	       "tcmalloc: max_total_thread_cache_bytes reads back");
	CHECKF(in_child("tcmalloc", "release_rate=0", 0, nothing) == 2,
	       "tcmalloc: release_rate without its variable is refused");
	CHECKF(in_child("tcmalloc", "release_rate=0", 1, nothing) == 0,
	       "tcmalloc: release_rate with its variable");
}
#endif

#ifdef AS_HAVE_MIMALLOC
static int mim_readback(const as_loaded_t *lm, void *inst)
{
	long (*get)(int);
	(void)inst;
	*(void **)&get = dlsym(lm->handle, "mi_option_get");
	return get && get(mi_option_decommit_delay) == 500 &&
	               get(mi_option_reserve_os_memory) == 65536
	           ? 0
	           : 1;
}

static void test_mimalloc(void)
{
	const char *p = "decommit_delay=500,reserve_os_memory_kib=65536";
	env_is("mimalloc", p, "MIMALLOC_DECOMMIT_DELAY=500\nMIMALLOC_RESERVE_OS_MEMORY=67108864\n");
	CHECKF(in_child("mimalloc", p, 1, mim_readback) == 0, "mimalloc: mi_option_get reads back");
	CHECKF(in_child("mimalloc", "reserve_os_memory_kib=65536", 0, nothing) == 2,
	       "mimalloc: a start-up option without its variable is refused");
}
#endif

int main(int argc, char **argv)
{
	int real = 0;
	(void)argc;
	as_static_tls_reexec(argv); /* what main() of the CLI does: jemalloc needs it */
	test_glibc();
#ifdef AS_HAVE_JEMALLOC
	test_jemalloc();
	real++;
#endif
#ifdef AS_HAVE_TCMALLOC
	test_tcmalloc();
	real++;
#endif
#ifdef AS_HAVE_MIMALLOC
	test_mimalloc();
	real++;
#endif
	if (!real) {
		printf("skipped: no jemalloc, tcmalloc or mimalloc module built\n");
		return 77;
	}
	return as_check_done();
}
