/* broken.c - one source for every deliberately broken test module; the
 * BROKEN_* define chosen by tests/CMakeLists.txt picks the defect. Each proves
 * that the loader (or the trial runner) refuses or survives it clearly. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "allocscope_module.h"

#ifdef BROKEN_IMPORTS_LIBC
extern void *__libc_malloc(size_t size);
#endif

static char arena_buf[1 << 20] __attribute__((aligned(64)));
static size_t used;

#if defined(BROKEN_CREATE_EXIT) || defined(BROKEN_DESTROY_EXIT)
/* Whether the defect strikes now: always, or with $AS_BROKEN_ONCE only
 * where that file exists (the first call, the run's probe, makes it: the
 * trials' calls strike). */
static int past_probe(void)
{
	const char *once = getenv("AS_BROKEN_ONCE");
	FILE *f;
	if (!once || access(once, F_OK) == 0)
		return 1;
	if ((f = fopen(once, "w")))
		fclose(f);
	return 0;
}
#endif

#if defined(BROKEN_CTOR_CRASH) || defined(BROKEN_CTOR_EXIT) || defined(BROKEN_CTOR_HANG)
/* dlopen runs it: whatever loads the module (run's first look at it,
 * check, list, suite) must survive it with one line */
__attribute__((constructor)) static void broken_ctor(void)
{
#if defined(BROKEN_CTOR_CRASH)
	raise(SIGSEGV);
#elif defined(BROKEN_CTOR_EXIT)
	_exit(0);
#else
	/* each load a line in $AS_BROKEN_LOADS: a test counts how often
	 * it was waited for */
	const char *loads = getenv("AS_BROKEN_LOADS");
	FILE *f = loads ? fopen(loads, "a") : NULL;
	if (f) {
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	for (;;)
		pause();
#endif
}
#endif

#if defined(BROKEN_CTOR_CHDIR)
/* a library that changes the directory when it loads: the run's relative
 * paths (a replay's trace) must not change meaning in its worker */
__attribute__((constructor)) static void broken_ctor_chdir(void)
{
	if (chdir("/") != 0)
		abort();
}
#endif

#if defined(BROKEN_CTOR_CLOSE)
/* a library that closes every descriptor from 3 up when it loads, as one
 * that daemonizes does: the pipe its loader answers on among them */
__attribute__((constructor)) static void broken_ctor_close(void)
{
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
}
#endif

#if defined(BROKEN_SETSID_HANG)
#define BROKEN_SETSID
#define BROKEN_HANG_AFTER_FORK
#elif defined(BROKEN_FORK_HANG)
#define BROKEN_FORK_SLEEP
#define BROKEN_HANG_AFTER_FORK
#endif
#if defined(BROKEN_FORK) || defined(BROKEN_FORK_SLEEP) || defined(BROKEN_SETSID)
/* Start a process once, in the timed region. FORK: both go on running the
 * trial (and both report); FORK_SLEEP: the child sleeps; SETSID: the child
 * leaves the process group and sleeps (FORK_HANG, SETSID_HANG: and the
 * worker hangs after it, so a test can kill the run meanwhile). The sleeper writes its
 * pid to $AS_BROKEN_PIDFILE, so a test can tell whether it survived. */
static void fork_once(void)
{
	static int forked;
	if (forked++)
		return;
	if (fork() != 0)
		return;
#if defined(BROKEN_FORK)
	return;
#else
#if defined(BROKEN_SETSID)
	setsid();
#endif
	const char *pf = getenv("AS_BROKEN_PIDFILE");
	FILE *f = pf ? fopen(pf, "w") : NULL;
	if (f) {
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	for (;;)
		pause();
#endif
}
#endif

static int t_create(const char *params, void **out, char *err, size_t errlen)
{
	if (as_params_parse(NULL, 0, params, NULL, err, errlen) != 0)
		return -1;
#if defined(BROKEN_CREATE_CRASH)
	raise(SIGSEGV);
#elif defined(BROKEN_CREATE_HANG)
	for (;;)
		pause();
#elif defined(BROKEN_CREATE_EXIT)
	if (past_probe())
		exit(0);
#elif defined(BROKEN_CREATE_FORK)
	/* a child that outlives create, as a module's helper process would */
	if (fork() == 0) {
		sleep(30);
		_exit(0);
	}
#elif defined(BROKEN_NONBLOCK)
	/* every descriptor made non-blocking: the standard streams share
	 * their open file descriptions with the run's (and its terminal's);
	 * the worker's result pipe is among the others */
	for (int fd = 0; fd < 64; fd++) {
		int fl = fcntl(fd, F_GETFL);
		if (fl >= 0)
			fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	}
#elif defined(BROKEN_READ_STDIN)
	/* reads what it finds on stdin: the caller's input, unless the
	 * harness gave it none */
	{
		char in[4096];
		while (read(0, in, sizeof(in)) > 0)
			;
	}
#elif defined(BROKEN_NOFILE)
	/* room for one more descriptor only: the harness's /proc files that
	 * it opens after create do not all fit */
	{
		int fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			struct rlimit r = {(rlim_t)fd + 1, (rlim_t)fd + 1};
			close(fd);
			setrlimit(RLIMIT_NOFILE, &r);
		}
	}
#endif
#if defined(BROKEN_CHATTY)
	/* prints on stdout; with $AS_BROKEN_FAIL_CREATE, fails with a reason
	 * of two lines: always, or, when it is a path, once that file exists
	 * (the first create, the run's probe, makes it: the trials' fail) */
	printf("chatty module: hello from create\n");
	fflush(stdout);
	const char *fail = getenv("AS_BROKEN_FAIL_CREATE");
	if (fail && fail[0] == '/' && access(fail, F_OK) != 0) {
		FILE *f = fopen(fail, "w");
		if (f)
			fclose(f);
	} else if (fail) {
		snprintf(err, errlen, "first line\nsecond line");
		return -1;
	}
#endif
	used = 0;
	*out = arena_buf;
	return 0;
}

static void t_destroy(void *inst)
{
	(void)inst;
#if defined(BROKEN_DESTROY_CRASH)
	raise(SIGSEGV);
#elif defined(BROKEN_DESTROY_EXIT)
	if (past_probe())
		exit(7);
#endif
}

static void *t_alloc(void *inst, size_t size, size_t align)
{
	(void)inst;
	(void)align;
#if defined(BROKEN_CRASH)
	if (used > 4096)
		raise(SIGSEGV);
#elif defined(BROKEN_HANG)
	if (used > 4096)
		for (;;)
			pause();
#elif defined(BROKEN_MISALIGNED)
	used += 1; /* every block after the first is misaligned */
#elif defined(BROKEN_OVERLAP)
	if (used > 4096)
		return arena_buf + 64; /* hands out the same block again */
#elif defined(BROKEN_IMPORTS) || defined(BROKEN_NO_ENTRY_IMPORTS)
	if (size > sizeof(arena_buf))
		return malloc(size); /* glibc's, not this module's: refused at load */
#elif defined(BROKEN_IMPORTS_LIBC)
	if (size > sizeof(arena_buf)) /* glibc's by its internal name: refused too */
		return __libc_malloc(size);
#elif defined(BROKEN_CLOSE_FDS)
	/* closes every descriptor from 3 up, as a library that daemonizes
	 * does: the worker's result pipe among them; from
	 * $AS_BROKEN_CLOSE_FROM up where set (4: the worker's /proc files,
	 * not its result pipe) */
	if (used > 4096) {
		const char *from = getenv("AS_BROKEN_CLOSE_FROM");
		for (int fd = from ? atoi(from) : 3; fd < 1024; fd++)
			close(fd);
	}
#elif defined(BROKEN_STOP)
	/* stops itself (SIGSTOP: no alarm it set ends it); with
	 * $AS_BROKEN_ONCE, only where that file does not exist yet (made
	 * first): one check of `check`, not each */
	const char *once = getenv("AS_BROKEN_ONCE");
	if (used > 4096 && (!once || access(once, F_OK) != 0)) {
		FILE *f = once ? fopen(once, "w") : NULL;
		if (f)
			fclose(f);
		raise(SIGSTOP);
	}
#elif defined(BROKEN_FORK) || defined(BROKEN_FORK_SLEEP) || defined(BROKEN_SETSID)
	if (used > 4096)
		fork_once();
#if defined(BROKEN_HANG_AFTER_FORK)
	if (used > 8192)
		for (;;)
			pause();
#endif
#endif
	size = (size + 15) & ~(size_t)15;
	if (size > sizeof(arena_buf) - used)
		used = 0;
	used += size;
	return arena_buf + used - size;
}

static void t_free(void *inst, void *ptr, size_t size)
{
	(void)inst;
	(void)ptr;
	(void)size;
}

#if defined(BROKEN_ENV_CRASH)
/* run after the load, in the same child as it */
static int t_params_env(const char *params, char *buf, size_t len, char *err, size_t errlen)
{
	(void)params;
	(void)buf;
	(void)len;
	(void)err;
	(void)errlen;
	raise(SIGSEGV);
	return 0;
}
#endif

static const as_module_t mod = {
#if defined(BROKEN_ABI)
    .abi_version = 99,
#else
    .abi_version = AS_MODULE_ABI_VERSION,
#endif
#if defined(BROKEN_SMALL)
    .struct_size = 16,
#else
    .struct_size = sizeof(as_module_t),
#endif
    .name = "broken",
    .version = "0",
    .description = "test-only module",
    .caps = AS_CAP_ANY_SIZE,
    .create = t_create,
    .destroy = t_destroy,
#if !defined(BROKEN_NO_ALLOC)
    .alloc = t_alloc,
#endif
    .free = t_free,
#if defined(BROKEN_SPEC_SIZE)
    /* entries claimed shorter than version 1's: a foreign or truncated table */
    .param_spec_size = 8,
    .nparams = 1,
    .params = &(const as_param_spec_t){"x", AS_PARAM_U64, "0", 0, 0, NULL, "", 0},
#endif
#if defined(BROKEN_ENV_CRASH)
    .params_env = t_params_env,
#endif
};

#if defined(BROKEN_NO_ENTRY) || defined(BROKEN_NO_ENTRY_IMPORTS)
__attribute__((visibility("default"))) const as_module_t *not_the_entry(void);
__attribute__((visibility("default"))) const as_module_t *not_the_entry(void)
{
	return &mod;
}
#elif defined(BROKEN_ENTRY_CRASH)
/* the entry function itself crashes: not a constructor */
__attribute__((visibility("default"))) const as_module_t *allocscope_module(void);
__attribute__((visibility("default"))) const as_module_t *allocscope_module(void)
{
	raise(SIGSEGV);
	return &mod;
}
#else
AS_MODULE_EXPORT(mod)
#endif
