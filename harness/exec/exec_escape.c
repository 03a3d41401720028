/* exec_escape.c - the shim's watch on the program's execs: a process that
 * starts an image with an environment whose LD_PRELOAD does not name the
 * shim (env -i, a program that builds its child's environment from
 * scratch, python's subprocess with env={...}) runs that image on glibc's
 * malloc, not on the module. `allocscope exec` saw that only for the
 * program's own last image (no block of its pid at exit); a child process
 * that escaped went unseen. Every exec-family function and posix_spawn,
 * system and popen is wrapped here: before the next definition runs, the
 * environment the new image will get is looked at, and when it drops the
 * shim a line "escape=PID FILE" is appended to the stats file
 * (ALLOCSCOPE_EXEC_STATS) with one write(2); an exec that then fails
 * appends "exec_failed=PID". The CLI counts what is left. PID is the
 * process that runs the new image (the spawned child for posix_spawn; 0
 * for system and popen, whose child's pid is not returned). A statically
 * linked file keeps LD_PRELOAD in its environment and never loads it (no
 * loader runs): "static=PID FILE" (until review-h unseen: a shell's child
 * on its own malloc, and a capture of the shell said nothing). Not seen: a
 * raw execve system call, an image that ignores LD_PRELOAD although it is
 * kept (set-user-ID; the CLI's own-image check sees that one for the
 * program).
 *
 * Safe in a vfork child (the program's own vfork, then execve): the next
 * definitions are looked up at load time, and a note is built on the stack
 * and written with open/write/close, no malloc. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec_escape.h"

#define EXPORT __attribute__((visibility("default")))

extern char **environ;

static char self_path[4096]; /* this library's path as LD_PRELOAD names it */
static dev_t ld_dev;         /* the dynamic loader's file: run as a program */
static ino_t ld_ino;         /* (ld.so PROG, ldd) it has no PT_INTERP, yet it */
static int ld_known;         /* loads PROG with LD_PRELOAD: not static */
static const char *stats;    /* the stats file, or NULL: nothing to tell */

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*execvpe_fn)(const char *, char *const[], char *const[]);
typedef int (*fexecve_fn)(int, char *const[], char *const[]);
typedef int (*execveat_fn)(int, const char *, char *const[], char *const[], int);
typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
                        const posix_spawnattr_t *, char *const[], char *const[]);
typedef int (*system_fn)(const char *);
typedef FILE *(*popen_fn)(const char *, const char *);

static execve_fn next_execve;
static execvpe_fn next_execvpe;
static fexecve_fn next_fexecve;
static execveat_fn next_execveat;
static spawn_fn next_posix_spawn, next_posix_spawnp;
static system_fn next_system;
static popen_fn next_popen;

/* The next definitions, once: from the library's constructor, or from the
 * first wrapped call when one comes before it (another library's
 * constructor); a wrapper with no next definition would fail every exec
 * (ENOSYS), also where no note is wanted (capture --fork exclude). */
static void resolve(void)
{
	static int done;
	Dl_info di;
	if (__atomic_load_n(&done, __ATOMIC_ACQUIRE))
		return;
	if (dladdr((void *)resolve, &di) && di.dli_fname &&
	    strlen(di.dli_fname) < sizeof(self_path))
		memcpy(self_path, di.dli_fname, strlen(di.dli_fname) + 1);
	{
		/* this process's loader (AT_BASE: where it was mapped; 0 when
		 * this process was started as `ld.so PROG`: then it is our exe) */
		unsigned long base = getauxval(AT_BASE);
		Dl_info li;
		struct stat st;
		const char *ld = base && dladdr((void *)base, &li) && li.dli_fname
		                     ? li.dli_fname
		                     : "/proc/self/exe";
		if (stat(ld, &st) == 0) {
			ld_dev = st.st_dev;
			ld_ino = st.st_ino;
			ld_known = 1;
		}
	}
	*(void **)&next_execve = dlsym(RTLD_NEXT, "execve");
	*(void **)&next_execvpe = dlsym(RTLD_NEXT, "execvpe");
	*(void **)&next_fexecve = dlsym(RTLD_NEXT, "fexecve");
	*(void **)&next_execveat = dlsym(RTLD_NEXT, "execveat");
	*(void **)&next_posix_spawn = dlsym(RTLD_NEXT, "posix_spawn");
	*(void **)&next_posix_spawnp = dlsym(RTLD_NEXT, "posix_spawnp");
	*(void **)&next_system = dlsym(RTLD_NEXT, "system");
	*(void **)&next_popen = dlsym(RTLD_NEXT, "popen");
	__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
}

static int ready_done; /* as_exec_escape_init ran */

void as_exec_escape_init(const char *stats_path)
{
	stats = stats_path && *stats_path ? stats_path : NULL;
	resolve();
	__atomic_store_n(&ready_done, 1, __ATOMIC_RELEASE);
}

/* Before a wrapped call looks at anything: a call before the library's
 * constructor (a constructor of a library the program links runs first)
 * had neither the stats file nor this library's path, and its escape went
 * unseen (a review of session 24's change). */
static void ready(void)
{
	if (!__atomic_load_n(&ready_done, __ATOMIC_ACQUIRE))
		as_exec_escape_init(as_exec_escape_early_path());
}

/* 1 when an image started with ENVP loads this library: its LD_PRELOAD
 * names it (a path as the loader resolves it: the CLI gives an absolute
 * one, and a program that rewrites LD_PRELOAD keeps it verbatim or drops
 * it). The loader takes the last LD_PRELOAD of an environment that holds
 * several (an array built by appending), so that one is looked at.
 * Unknown (no path): 1, nothing is said. */
static int keeps_shim(char *const envp[])
{
	const char *last = NULL;
	ready();
	if (!self_path[0])
		return 1;
	for (size_t i = 0; envp && envp[i]; i++)
		if (!strncmp(envp[i], "LD_PRELOAD=", 11))
			last = envp[i] + 11;
	return last && strstr(last, self_path) != NULL;
}

static void put(char *b, size_t *n, size_t cap, const char *s)
{
	while (*s && *n + 1 < cap)
		b[(*n)++] = *s++;
}

static void put_pid(char *b, size_t *n, size_t cap, long v)
{
	char d[24];
	int i = 0;
	do
		d[i++] = (char)('0' + v % 10);
	while ((v /= 10) > 0 && i < (int)sizeof(d));
	while (i > 0 && *n + 1 < cap)
		b[(*n)++] = d[--i];
}

/* Append "KEY=PID[ FILE]\n" to the stats file in one write. */
static void note(const char *key, long pid, const char *file)
{
	char b[1024];
	size_t n = 0;
	int fd;
	if (!stats)
		return;
	put(b, &n, sizeof(b), key);
	put(b, &n, sizeof(b), "=");
	put_pid(b, &n, sizeof(b), pid);
	if (file) {
		put(b, &n, sizeof(b), " ");
		for (const char *s = file; *s && n + 1 < sizeof(b); s++)
			b[n++] = *s == '\n' ? ' ' : *s; /* one line whatever the name */
	}
	b[n++] = '\n';
	fd = open(stats, O_WRONLY | O_APPEND | O_CLOEXEC); /* gone: the CLI has ended */
	if (fd < 0)
		return;
	if (write(fd, b, n) < 0) {
		/* nothing to tell it with */
	}
	close(fd);
}

static long self(void)
{
	return (long)syscall(SYS_getpid);
}

/* 1 when PATH is an ELF executable of this library's class with no
 * PT_INTERP: statically linked (static-pie too), so no loader runs and
 * LD_PRELOAD names nothing it loads. 0 for anything else (a script, a
 * file not there: the exec says), and for the loader itself, which has no
 * PT_INTERP either (`ld.so PROG`, ldd). No malloc (a vfork child calls
 * it). */
static int elf_static(const char *path)
{
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph[64];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;
	if (fd < 0)
		return 0;
	if (ld_known && fstat(fd, &st) == 0 && st.st_dev == ld_dev && st.st_ino == ld_ino) {
		close(fd); /* the loader itself: it loads the preload too */
		return 0;
	}
	if (pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) &&
	    !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) &&
	    (eh.e_type == ET_EXEC || eh.e_type == ET_DYN) && eh.e_phentsize == sizeof(ph[0]) &&
	    eh.e_phnum > 0 && eh.e_phnum <= 64) {
		size_t n = eh.e_phnum * sizeof(ph[0]);
		if (pread(fd, ph, n, (off_t)eh.e_phoff) == (ssize_t)n) {
			r = 1;
			for (size_t i = 0; i < eh.e_phnum; i++)
				if (ph[i].p_type == PT_INTERP)
					r = 0;
		}
	}
	close(fd);
	return r;
}

/* elf_static of the file an exec of FILE runs: FILE itself when it names
 * a path, else the first executable one in PATH, as execvp looks. */
static int runs_static(const char *file, int search)
{
	const char *dirs, *d, *e;
	char buf[4096];
	size_t fl = strlen(file);
	if (!search || strchr(file, '/'))
		return elf_static(file);
	dirs = getenv("PATH");
	for (d = dirs && *dirs ? dirs : "/bin:/usr/bin"; *d; d = *e ? e + 1 : e) {
		size_t dl;
		e = strchr(d, ':');
		if (!e)
			e = d + strlen(d);
		dl = (size_t)(e - d);
		if (dl + fl + 2 > sizeof(buf))
			continue;
		memcpy(buf, dl ? d : ".", dl ? dl : 1);
		dl = dl ? dl : 1;
		buf[dl] = '/';
		memcpy(buf + dl + 1, file, fl + 1);
		if (access(buf, X_OK) == 0)
			return elf_static(buf);
	}
	return 0;
}

/* Before an exec of FILE (SEARCH: looked up in PATH) with ENVP in this
 * process: the note, 1 when one was written (an exec that returns then
 * failed: exec_failed). */
static int before_exec(const char *file, int search, char *const envp[])
{
	if (keeps_shim(envp)) {
		if (!runs_static(file, search))
			return 0;
		note("static", self(), file);
		return 1;
	}
	note("escape", self(), file);
	return 1;
}

static int after_failed_exec(int noted, int r)
{
	int e = errno;
	if (noted)
		note("exec_failed", self(), NULL);
	errno = e;
	return r;
}

/* NEXT, looked up first when the constructor has not run yet */
#define NEXT(fn) (next_##fn ? next_##fn : (ready(), resolve(), next_##fn))

static int no_next(void)
{
	errno = ENOSYS;
	return -1;
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	int noted = before_exec(path, 0, envp);
	return after_failed_exec(noted, NEXT(execve) ? next_execve(path, argv, envp) : no_next());
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	int noted = before_exec(file, 1, envp);
	return after_failed_exec(noted, NEXT(execvpe) ? next_execvpe(file, argv, envp) : no_next());
}

EXPORT int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

EXPORT int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	int noted = keeps_shim(envp) ? 0 : before_exec("(fexecve)", 0, envp);
	return after_failed_exec(noted, NEXT(fexecve) ? next_fexecve(fd, argv, envp) : no_next());
}

EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
	int noted = keeps_shim(envp) ? 0 : before_exec(path, 0, envp);
	return after_failed_exec(
	    noted, NEXT(execveat) ? next_execveat(dirfd, path, argv, envp, flags) : no_next());
}

/* execl, execlp, execle: the arguments into an array on the stack (no
 * malloc: a vfork child may call them), as glibc's own do. */
#define ARGS_TO_ARRAY(arg, args, ap)                            \
	size_t n_ = 1;                                          \
	va_start(ap, arg);                                      \
	while (va_arg(ap, const char *))                        \
		n_++;                                           \
	va_end(ap);                                             \
	char *args[n_ + 1];                                     \
	args[0] = (char *)arg;                                  \
	va_start(ap, arg);                                      \
	for (size_t i_ = 1; i_ <= n_; i_++)                     \
		args[i_] = i_ < n_ ? va_arg(ap, char *) : NULL; \
	(void)va_arg(ap, char *); /* the NULL */

EXPORT int execl(const char *path, const char *arg, ...)
{
	va_list ap;
	ARGS_TO_ARRAY(arg, args, ap);
	va_end(ap);
	return execve(path, args, environ);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	ARGS_TO_ARRAY(arg, args, ap);
	va_end(ap);
	return execvpe(file, args, environ);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	char *const *envp;
	ARGS_TO_ARRAY(arg, args, ap);
	envp = va_arg(ap, char *const *);
	va_end(ap);
	return execve(path, args, envp);
}

static int spawn(spawn_fn next, int search, pid_t *pid, const char *file,
                 const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
                 char *const argv[], char *const envp[])
{
	pid_t child = 0;
	int r;
	if (!next)
		return ENOSYS;
	r = next(&child, file, fa, attr, argv, envp);
	if (r == 0 && !keeps_shim(envp))
		note("escape", (long)child, file);
	else if (r == 0 && runs_static(file, search))
		note("static", (long)child, file);
	if (pid)
		*pid = child;
	return r;
}

EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                       const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return spawn(NEXT(posix_spawn), 0, pid, path, fa, attr, argv, envp);
}

EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                        const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return spawn(NEXT(posix_spawnp), 1, pid, file, fa, attr, argv, envp);
}

/* system and popen start /bin/sh with environ inside libc (an internal
 * posix_spawn, out of reach): the child's pid is not known here. */
EXPORT int system(const char *cmd)
{
	if (cmd && !keeps_shim(environ))
		note("escape", 0, "/bin/sh (system)");
	return NEXT(system) ? next_system(cmd) : -1;
}

EXPORT FILE *popen(const char *cmd, const char *mode)
{
	FILE *f = NEXT(popen) ? next_popen(cmd, mode) : NULL;
	if (f && !keeps_shim(environ))
		note("escape", 0, "/bin/sh (popen)");
	return f;
}
