/* test_module_params.c - the real allocators' params take effect: each case
 * runs in a fresh child process that does what a worker does (the module's
 * environment from params_env, then load and create) and reads the setting
 * back through the allocator's own introspection: mallinfo2's mmapped-block
 * count for glibc's mmap_threshold, mallctl("opt.*") for jemalloc,
 * MallocExtension properties for tcmalloc, mi_option_get for mimalloc. Also:
 * the environment lines each module gives (what `exec` and `tune` use), and
 * that a setting which can no longer apply is refused at create, never
 * silently measured as the default; glibc's ranges are the ones glibc
 * honours, and tcache_max and the thresholds that stop glibc's dynamic mmap
 * threshold do what their help says. Modules not built are skipped; with none
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

/* The module's environment for params is refused, with a reason naming
 * want (a one-line error, as create() gives it). */
static void env_refused(const char *name, const char *params, const char *want)
{
	as_spec_t s;
	as_modenv_t me;
	char err[1024] = "";
	CHECK(spec_of(name, params, &s) == 0);
	CHECKF(as_module_env(&s, &me, err, sizeof(err)) != 0 && strstr(err, want) &&
	           !strchr(err, '\n'),
	       "%s:%s refused with '%s' (got '%s')", name, params, want, err);
	as_spec_free(&s);
}

/* The help of glibc's param key (from the module's own table). */
static const char *glibc_help(const char *key)
{
	as_loaded_t lm;
	if (mt_load("glibc", &lm) != 0)
		return "";
	for (uint32_t i = 0; i < lm.mod->nparams; i++)
		if (!strcmp(lm.mod->params[i].key, key))
			return lm.mod->params[i].help;
	return "";
}

/* glibc, in a process started with GLIBC_TUNABLES as given: which requests
 * does the thread cache keep? A freed block in the thread cache still
 * counts as in use for mallinfo2 (uordblks), one in a fastbin does not.
 * Bit 0: a 24-byte request is cached, bit 1: a 40-byte one. Read in
 * libc.so.6 itself, as hblks() does. */
static int tcache_probe(void)
{
	void *h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	void *(*m)(size_t);
	void (*f)(void *);
	struct mallinfo2 (*mi2)(void);
	static const size_t sizes[] = {24, 40};
	int bits = 0;
	*(void **)&m = h ? dlsym(h, "malloc") : NULL;
	*(void **)&f = h ? dlsym(h, "free") : NULL;
	*(void **)&mi2 = h ? dlsym(h, "mallinfo2") : NULL;
	if (!m || !f || !mi2)
		return 255;
	for (int i = 0; i < 2; i++) {
		void *p = m(sizes[i]), *guard = m(sizes[i]); /* p does not border top */
		size_t before = mi2().uordblks;
		f(p);
		bits |= mi2().uordblks == before ? 1 << i : 0;
		f(guard);
	}
	return bits;
}

/* Run tcache_probe in a new process started with the module's environment
 * for glibc:params. Returns its bits, or -1. */
static int tcache_cached(const char *params)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	pid_t pid;
	int st;
	if (n <= 0)
		return -1;
	self[n] = '\0';
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		as_spec_t s;
		as_modenv_t me;
		char err[1024];
		char *av[] = {self, "--tcache-probe", NULL};
		if (spec_of("glibc", params, &s) != 0 ||
		    as_module_env(&s, &me, err, sizeof(err)) != 0 || as_env_apply(me.env) != 0)
			_exit(254);
		execv(self, av);
		_exit(253);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) > 3)
		return -1;
	return WEXITSTATUS(st);
}

/* glibc's free of an mmapped block raises the mmap threshold to its size
 * (the dynamic threshold), unless a threshold or top_pad was set: 2 MiB
 * mmapped, freed, then 2 MiB from the heap. */
static int glibc_moves(const as_loaded_t *lm, void *inst)
{
	return mmapped_by(lm, inst, 2 << 20) == 1 && mmapped_by(lm, inst, 2 << 20) == 0 ? 0 : 1;
}

static int glibc_frozen(const as_loaded_t *lm, void *inst)
{
	return mmapped_by(lm, inst, 2 << 20) == 1 && mmapped_by(lm, inst, 2 << 20) == 1 ? 0 : 1;
}

/* The ranges are what glibc 2.36 honours, and the help says what glibc
 * does: arena_max and arena_test of 0 are ignored by glibc (tunable
 * minimum 1, mallopt acts only on a value > 0); tcache_max is a size whose
 * 16-byte bin still serves, so 0 keeps the smallest bin (requests of at
 * most 24 bytes); trim_threshold and top_pad, like mmap_threshold, stop
 * the dynamic mmap threshold (do_set_trim_threshold, do_set_top_pad). */
static void test_glibc_ranges(void)
{
	static const char *const freezing[] = {"mmap_threshold", "trim_threshold", "top_pad"};
	env_refused("glibc", "arena_max=0", "out of range 1..");
	env_refused("glibc", "arena_test=0", "out of range 1..");
	env_is("glibc", "arena_max=1,arena_test=1",
	       "GLIBC_TUNABLES=glibc.malloc.arena_max=1:glibc.malloc.arena_test=1\n");
	env_refused("glibc", "tcache_max=1033", "out of range 0..1032");
	env_refused("glibc", "tcache_count=65536", "out of range 0..65535");
	env_refused("glibc", "mmap_threshold=33554433", "out of range 0..33554432");
	for (int i = 0; i < 3; i++)
		CHECKF(strstr(glibc_help(freezing[i]), "stops the mmap threshold moving") != NULL,
		       "glibc %s's help says it stops the dynamic mmap threshold: '%s'",
		       freezing[i], glibc_help(freezing[i]));
	CHECKF(strstr(glibc_help("tcache_max"), "0 still caches requests of at most 24 bytes"),
	       "glibc tcache_max's help says what 0 does: '%s'", glibc_help("tcache_max"));
	if (getenv("ALLOCSCOPE_SANITIZED")) {
		printf("  (glibc behaviour checks skipped: sanitizer build)\n");
		return;
	}
	CHECKF(in_child("glibc", "", 1, glibc_moves) == 0,
	       "glibc: by default a freed 2 MiB mapping raises the mmap threshold");
	CHECKF(in_child("glibc", "trim_threshold=16M", 1, glibc_frozen) == 0,
	       "glibc: trim_threshold stops the mmap threshold moving");
	CHECKF(in_child("glibc", "top_pad=0", 1, glibc_frozen) == 0,
	       "glibc: top_pad stops the mmap threshold moving");
	CHECKF(tcache_cached("") == 3, "glibc: 24- and 40-byte requests cached by default (%d)",
	       tcache_cached(""));
	CHECKF(tcache_cached("tcache_max=0") == 1,
	       "glibc: tcache_max=0 still caches a 24-byte request, not a 40-byte one (%d)",
	       tcache_cached("tcache_max=0"));
	CHECKF(tcache_cached("tcache_max=24") == 1, "glibc: tcache_max=24: the first bin only (%d)",
	       tcache_cached("tcache_max=24"));
	CHECKF(tcache_cached("tcache_max=25") == 3,
	       "glibc: tcache_max=25 is rounded up to the 40-byte bin (%d)",
	       tcache_cached("tcache_max=25"));
	CHECKF(tcache_cached("tcache_count=0") == 0, "glibc: tcache_count=0 caches nothing (%d)",
	       tcache_cached("tcache_count=0"));
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
	/* started by tcache_cached(), with GLIBC_TUNABLES set */
	if (argc == 2 && !strcmp(argv[1], "--tcache-probe"))
		return tcache_probe();
	as_static_tls_reexec(argv); /* what main() of the CLI does: jemalloc needs it */
	test_glibc();
	test_glibc_ranges();
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
