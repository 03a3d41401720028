/* cmd_exec.c - `allocscope exec -a MODULE -- PROG ARGS`: run an unmodified
 * program with a module as its malloc, through the LD_PRELOAD shim in
 * harness/exec/. The module is resolved and probed here first, so a bad
 * module is a one-line error before the program starts. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "commands.h"
#include "escape_notes.h"
#include "guard.h"
#include "forkserver.h"
#include "loader.h"
#include "modenv.h"
#include "statictls.h"
#include "syscount.h"
#include "trial.h"
#include "userprog.h"
#include "util.h"

enum { OPT_STATS = 256, OPT_ALLOW_UNTRACED };

static const as_opt_t exec_opts[] = {
    {'a', "allocators", "MODULE", NULL,
     "module to use as the program's malloc: NAME[:k=v,...] or PATH.so, one (required)"},
    {OPT_STATS, "stats", NULL, NULL,
     "at exit, print the module's stats, call counts and peak RSS per process, and the memory "
     "syscalls of the program and its children"},
    {OPT_ALLOW_UNTRACED, "allow-untraced", NULL, NULL,
     "a program that ends in an image without the shim, or starts a process that runs one "
     "(an exec or spawn that dropped LD_PRELOAD, e.g. env -i), is a warning, and exec exits with "
     "the program's status (default: an "
     "error, exit 1 when the program exited 0)"},
};

typedef struct {
	const char *module;
	int stats, allow_untraced;
} exec_ctx_t;

static int on_exec_opt(int key, const char *arg, void *vctx)
{
	exec_ctx_t *c = vctx;
	if (key == 'a')
		c->module = arg;
	else if (key == OPT_STATS)
		c->stats = 1;
	else if (key == OPT_ALLOW_UNTRACED)
		c->allow_untraced = 1;
	else
		return -1;
	return 0;
}

/* The file execvp would run for `prog`: PATH searched as execvp does.
 * Returns 0, or -1 when none is found (exec then gives the error). */
static int find_program(const char *prog, char *out, size_t len)
{
	const char *pathv = getenv("PATH"), *p;
	if (strchr(prog, '/')) {
		snprintf(out, len, "%s", prog);
		return access(out, F_OK);
	}
	for (p = pathv && *pathv ? pathv : "/bin:/usr/bin"; p;
	     p = strchr(p, ':') ? strchr(p, ':') + 1 : NULL) {
		size_t dl = strcspn(p, ":");
		snprintf(out, len, "%.*s%s%s", (int)dl, p, dl ? "/" : "", prog);
		if (access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

/* 1 when the ELF file at fd has no program interpreter (statically linked,
 * static-pie included), 0 when it has one or is not ELF. */
static int elf_is_static(int fd)
{
	unsigned char h[64];
	uint64_t phoff;
	unsigned phnum, phsz, is64;
	if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) || memcmp(h, "\177ELF", 4) != 0)
		return 0;
	is64 = h[4] == 2;
	if (is64) {
		memcpy(&phoff, h + 32, 8);
		phsz = (unsigned)(h[54] | h[55] << 8);
		phnum = (unsigned)(h[56] | h[57] << 8);
	} else {
		uint32_t o;
		memcpy(&o, h + 28, 4);
		phoff = o;
		phsz = (unsigned)(h[42] | h[43] << 8);
		phnum = (unsigned)(h[44] | h[45] << 8);
	}
	for (unsigned i = 0; i < phnum && i < 4096; i++) {
		uint32_t type;
		if (pread(fd, &type, 4, (off_t)(phoff + (uint64_t)i * phsz)) != 4)
			return 0;
		if (type == 3) /* PT_INTERP */
			return 0;
	}
	return 1;
}

/* Why exec'ing the file fd refers to would run it in secure-execution mode
 * (AT_SECURE), where the dynamic loader ignores a preload path with a slash,
 * so the shim never loads: set-user-ID to another user than ours,
 * set-group-ID to another group, or file capabilities for a caller other
 * than root (the kernel's cap_bprm_creds_from_file); none when the
 * filesystem is mounted nosuid or no_new_privs is set (the kernel then
 * ignores the bits). NULL when it would not. */
static const char *secure_exec(int fd, char *buf, size_t len)
{
	struct stat st;
	struct statvfs sv;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_NOSUID)) ||
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)
		return NULL;
	if ((st.st_mode & S_ISUID) && st.st_uid != getuid())
		snprintf(buf, len, "set-user-ID (to uid %u)", (unsigned)st.st_uid);
	else if ((st.st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) && st.st_gid != getgid())
		snprintf(buf, len, "set-group-ID (to gid %u)", (unsigned)st.st_gid);
	else if (getuid() != 0 && fgetxattr(fd, "security.capability", NULL, 0) >= 0)
		snprintf(buf, len, "given file capabilities");
	else
		return NULL;
	return buf;
}

/* Refuse a program the preload cannot reach: a statically linked ELF file,
 * a script whose interpreter is one, or a program exec'd in secure mode
 * (secure_exec). Returns 0 or -1 with the reason. */
static int check_dynamic(const char *path, int depth, char *why, size_t len)
{
	char line[PATH_MAX + 2];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* exec itself reports it */
	if (elf_is_static(fd)) {
		close(fd);
		as_path_err(why, len, path,
		            "not dynamically linked: LD_PRELOAD cannot reach its malloc");
		return -1;
	}
	n = pread(fd, line, sizeof(line) - 1, 0);
	if (!(n > 2 && line[0] == '#' && line[1] == '!')) {
		/* (a script's own set-user-ID bit is ignored: its interpreter's counts) */
		char what[64];
		if (secure_exec(fd, what, sizeof(what))) {
			close(fd);
			as_path_err(why, len, path,
			            "%s: run by uid %u the dynamic loader ignores LD_PRELOAD for "
			            "it (secure execution): its malloc cannot be reached",
			            what, (unsigned)getuid());
			return -1;
		}
	}
	close(fd);
	if (n > 2 && line[0] == '#' && line[1] == '!' && depth < 4) {
		char *interp = line + 2, *e;
		line[n] = '\0';
		interp += strspn(interp, " \t");
		e = interp + strcspn(interp, " \t\n");
		*e = '\0';
		if (*interp)
			return check_dynamic(interp, depth + 1, why, len);
	}
	return 0;
}

/* The program's environment: the caller's, with the shim's variables set
 * (built here, before fork, so that the child makes no call of its own
 * between the counters starting and exec). Returns a NULL-terminated array
 * (owned by the caller, freed with env_free) or NULL. */
static char **build_env(const char *preload, const char *module, const char *params,
                        const char *stats_path)
{
	static const char *const ours[] = {"LD_PRELOAD=", "ALLOCSCOPE_EXEC_MODULE=",
	                                   "ALLOCSCOPE_EXEC_PARAMS=", "ALLOCSCOPE_EXEC_STATS="};
	size_t n = 0, k = 0;
	char **env;
	while (environ[n])
		n++;
	env = calloc(n + 5, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int skip = 0;
		for (size_t j = 0; j < sizeof(ours) / sizeof(ours[0]); j++)
			skip |= strncmp(environ[i], ours[j], strlen(ours[j])) == 0;
		if (!skip)
			env[k++] = strdup(environ[i]);
	}
	if (asprintf(&env[k++], "LD_PRELOAD=%s", preload) < 0 ||
	    asprintf(&env[k++], "ALLOCSCOPE_EXEC_MODULE=%s", module) < 0 ||
	    asprintf(&env[k++], "ALLOCSCOPE_EXEC_PARAMS=%s", params) < 0 ||
	    (*stats_path && asprintf(&env[k++], "ALLOCSCOPE_EXEC_STATS=%s", stats_path) < 0))
		env[--k] = NULL;
	for (size_t i = 0; i < k; i++)
		if (!env[i]) {
			for (size_t j = 0; j < k; j++)
				free(env[j]);
			free(env);
			return NULL;
		}
	return env;
}

static void env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

/* Signals for the program: SIGTERM, SIGHUP, SIGUSR1/2 sent to the CLI are
 * passed on, as is a SIGINT/SIGQUIT sent with kill(2) (one typed at the
 * terminal already reaches the program, which is then in the same group);
 * as_userprog_pass decides where to. */
static volatile pid_t prog_pid;
static volatile sig_atomic_t prog_own_group;

static void forward_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	as_userprog_pass(prog_pid, prog_own_group, sig, si);
}

static void forward_signals(void)
{
	static const int sigs[] = {SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2};
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]); /* one at a time (as_userprog_pass) */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static void print_stats(const char *module, const char *stats_path, int counting,
                        const char *sys_why)
{
	FILE *f = fopen(stats_path, "r");
	char line[512];
	int blocks = 0, late;
	uint64_t sys[AS_SYS_NCOLS];
	late = as_guard_stragglers(NULL); /* PR_SET_CHILD_SUBREAPER: ours now */
	fprintf(stderr, "allocscope exec: stats (%s)\n", module);
	while (f && fgets(line, sizeof(line), f)) {
		/* the notes of exec_escape.c are not figures: exec says what
		 * they come to in its own line (until a review they were printed
		 * here, between the blocks, as "escape=PID FILE") */
		if (!strncmp(line, "escape=", 7) || !strncmp(line, "exec_failed=", 12))
			continue;
		blocks += strncmp(line, "pid=", 4) == 0;
		fprintf(stderr, "  %s", line);
	}
	if (f)
		fclose(f);
	if (counting && as_syscount_read(sys) == 0) {
		/* the program and every process it started, from exec to exit */
		static const char *const names[] = {
#define N(name, fmt, doc) #name,
		    AS_SYSCALL_COLS(N)
#undef N
		};
		fprintf(stderr, "  syscalls (program and its children):");
		for (int i = 0; i < AS_SYS_NCOLS; i++)
			fprintf(stderr, " %s=%llu", names[i], (unsigned long long)sys[i]);
		fputc('\n', stderr);
	} else {
		char why[512];
		snprintf(why, sizeof(why), "%s", sys_why[0] ? sys_why : "not counted");
		as_syscount_drop_remedy(why); /* exec has no --syscalls */
		fprintf(stderr, "  syscalls: n/a: %s\n", why);
	}
	fprintf(stderr, "  processes reported: %d\n", blocks);
	if (late)
		fprintf(stderr,
		        "  still running when the program ended: %d process%s it started (not "
		        "reported above, their syscalls not counted)\n",
		        late, late == 1 ? "" : "es");
}

/* The blocks the shim wrote at exit into the stats file: how many, and
 * whether one is the program's own (pid), which its last image writes
 * only if it loaded the shim. */
static void read_reports(const char *stats_path, pid_t pid, int *blocks, int *own)
{
	FILE *f = fopen(stats_path, "r");
	char line[512];
	*blocks = *own = 0;
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "pid=", 4) == 0) {
			(*blocks)++;
			*own |= strtol(line + 4, NULL, 10) == (long)pid;
		}
	if (f)
		fclose(f);
}

/* Refuse a module that cannot be a program's heap, before anything runs. */
static int check_module(const char *abs, char *err, size_t len)
{
	as_loaded_t lm;
	if (as_module_load_safely(abs, &lm, err, len) != 0)
		return -1;
	if (lm.mod->caps & AS_CAP_RECYCLES_LIVE) {
		snprintf(err, len,
		         "module %s hands out memory that may still be in use (recycles-live): it "
		         "cannot serve a program's heap",
		         lm.mod->name);
		return -1;
	}
	return 0;
}

static int exec_main(int argc, char **argv)
{
	exec_ctx_t c = {0};
	char path[PATH_MAX], abs[PATH_MAX], shim[PATH_MAX], prog[PATH_MAX];
	char preload[2 * PATH_MAX], err[1024], stats_path[PATH_MAX] = "";
	char **env;
	const char *old;
	as_spec_t spec;
	pid_t pid, parent;
	int r, status, go[2], ep[2], child_errno = 0, counting = 0, fits, blocks, own;
	as_escapes_t esc;
	char comm[64];
	char sys_why[512] = "";
	static as_modenv_t me;

	r = as_cli_parse(&as_cmd_exec, argc, argv, on_exec_opt, &c);
	if (r == -2)
		return 0;
	if (r < 0)
		return 2;
	if (!c.module) {
		fprintf(stderr, "allocscope exec: option -a is required\n");
		return 2;
	}
	if (r >= argc) {
		fprintf(
		    stderr,
		    "allocscope exec: no program given (allocscope exec -a MODULE -- PROG ARGS)\n");
		return 2;
	}
	if (as_spec_parse(c.module, AS_SPEC_MODULE, &spec, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope exec: option -a: %s\n", err);
		return 2;
	}
	if (!strchr(spec.name, '/') && strchr(spec.name, ',')) {
		fprintf(stderr, "allocscope exec: option -a: one module only, not a list ('%s')\n",
		        c.module);
		as_spec_free(&spec);
		return 2;
	}
	if (as_module_resolve(spec.name, path, sizeof(path), err, sizeof(err)) != AS_OK ||
	    as_module_probe(&spec, AS_PROBE_TIMEOUT_S, 1, err, sizeof(err)) != AS_OK) {
		fprintf(stderr, "allocscope exec: %s\n", err);
		as_spec_free(&spec);
		return 2;
	}
	/* the probe's fork server is no child the program's stats may count */
	as_forkserver_stop_all();
	if (as_module_env(&spec, &me, err, sizeof(err)) != 0) {
		fprintf(stderr, "allocscope exec: %s\n", err);
		as_spec_free(&spec);
		return 2;
	}
	if (!realpath(path, abs)) {
		as_path_err(err, sizeof(err), path, "%s", strerror(errno));
		fprintf(stderr, "allocscope exec: %s\n", err);
		as_spec_free(&spec);
		return 2;
	}
	if (check_module(abs, err, sizeof(err)) != 0 ||
	    (find_program(argv[r], prog, sizeof(prog)) == 0 &&
	     check_dynamic(prog, 0, err, sizeof(err)) != 0)) {
		fprintf(stderr, "allocscope exec: %s\n", err);
		as_spec_free(&spec);
		return 2;
	}
	if (as_find_preload("as_exec.so", shim, sizeof(shim)) != 0) {
		char *w = as_shell_word(shim);
		fprintf(stderr,
		        "allocscope exec: the preload library as_exec.so was not found next to the "
		        "CLI (%s)\n",
		        w);
		free(w);
		as_spec_free(&spec);
		return 2;
	}
	{
		/* always: every process that loaded the shim writes its block at
		 * exit, and a program whose last image wrote none did not run on
		 * the module (checked after it ends) */
		int fd;
		const char *tmp = getenv("TMPDIR");
		snprintf(stats_path, sizeof(stats_path), "%s/allocscope-exec-XXXXXX",
		         tmp && *tmp ? tmp : "/tmp");
		fd = mkstemp(stats_path);
		if (fd < 0) {
			/* the folder and where it came from: a user's unwritable
			 * TMPDIR was only "Permission denied" */
			int e = errno;
			char *w = as_shell_word(tmp && *tmp ? tmp : "/tmp");
			fprintf(stderr,
			        "allocscope exec: cannot create a stats file in %s (%s): %s; set "
			        "TMPDIR to a folder you can write\n",
			        w, tmp && *tmp ? "TMPDIR" : "TMPDIR unset", strerror(e));
			free(w);
			as_spec_free(&spec);
			return 2;
		}
		/* absolute: every process writes its block to it at exit, and
		 * one that changed directory (sh -c 'cd / && ...') wrote to the
		 * wrong place under a relative TMPDIR: "did not load the shim" */
		if (stats_path[0] != '/') {
			char *full = realpath(stats_path, NULL);
			if (full && strlen(full) < sizeof(stats_path))
				strcpy(stats_path, full);
			free(full);
		}
		/* room for the blocks, taken now (the size stays 0): on a full
		 * TMPDIR no block could be written, and exec said the program
		 * "ended as python3, an image that did not load the shim" */
		if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 64 * 1024) != 0 && errno != EOPNOTSUPP &&
		    errno != ENOSYS) {
			as_path_err(err, sizeof(err), stats_path, "no room for the stats file: %s",
			            strerror(errno));
			fprintf(stderr, "allocscope exec: %s\n", err);
			close(fd);
			unlink(stats_path);
			as_spec_free(&spec);
			return 2;
		}
		close(fd);
	}
	/* descendants that outlive the program become ours: counted below */
	if (c.stats)
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* the module's own variables (MALLOC_CONF, GLIBC_TUNABLES...), set in
	 * this process, past its own start, so that build_env passes them on;
	 * the CLI's static TLS tunable is not the program's: taken out */
	if (as_env_apply(me.env) != 0 || as_static_tls_strip() != 0) {
		fprintf(stderr, "allocscope exec: cannot set the module's environment\n");
		as_spec_free(&spec);
		unlink(stats_path);
		return 2;
	}
	/* a module whose libraries need more static TLS than a program keeps
	 * for dlopen (jemalloc) is preloaded after the shim: its TLS is then
	 * in the program's initial block, and no tunable is needed */
	fits = as_static_tls_fits(abs);
	old = getenv("LD_PRELOAD");
	snprintf(preload, sizeof(preload), "%s%s%s%s%s", shim, fits == 0 ? ":" : "",
	         fits == 0 ? abs : "", old && *old ? ":" : "", old ? old : "");
	/* path and params travel apart: the shim never splits a string */
	env = build_env(preload, abs, spec.params, stats_path);
	as_spec_free(&spec);
	if (!env || pipe2(go, O_CLOEXEC) != 0 || pipe2(ep, O_CLOEXEC) != 0) {
		fprintf(stderr, "allocscope exec: cannot prepare the program: %s\n",
		        strerror(errno));
		unlink(stats_path);
		env_free(env);
		return 2;
	}
	fflush(NULL);
	prog_own_group = as_userprog_own_group();
	parent = getpid();
	pid = fork();
	if (pid == 0) {
		char b;
		int e;
		if (as_userprog_child(parent, prog_own_group) != 0)
			_exit(127);
		/* wait until the parent has attached the syscall counters; from
		 * here to exec the child makes no call the program would be
		 * charged for */
		close(go[1]);
		close(ep[0]);
		if (read(go[0], &b, 1) == 1)
			execvpe(argv[r], argv + r, env);
		e = errno;
		if (write(ep[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(ep[1]);
	close(go[0]);
	env_free(env);
	if (pid < 0) {
		fprintf(stderr, "allocscope exec: fork: %s\n", strerror(errno));
		unlink(stats_path);
		return 2;
	}
	/* its group exists before a signal is passed on to it (the child
	 * may not have run yet) */
	if (prog_own_group)
		setpgid(pid, pid);
	prog_pid = pid;
	as_userprog_aide_start(pid, prog_own_group);
	forward_signals();
	if (c.stats && as_syscount_start_perf_pid(pid, sys_why, sizeof(sys_why)) == 0)
		counting = 1;
	if (write(go[1], "g", 1) != 1) {
		fprintf(stderr, "allocscope exec: cannot start the program: %s\n", strerror(errno));
		close(go[1]);
		prog_pid = 0;
		kill(pid, SIGKILL);
		as_userprog_aide_stop();
		waitpid(pid, NULL, 0);
		unlink(stats_path);
		return 2;
	}
	close(go[1]);
	if (read(ep[0], &child_errno, sizeof(child_errno)) != (ssize_t)sizeof(child_errno))
		child_errno = 0;
	close(ep[0]);
	{
		siginfo_t si;
		/* ended, not reaped: its comm names the last image */
		while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
			;
		as_proc_comm(pid, comm, sizeof(comm));
	}
	/* no signal is passed on from here: once reaped, the pid may be
	 * another process's */
	prog_pid = 0;
	as_userprog_aide_stop();
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	read_reports(stats_path, pid, &blocks, &own);
	as_escapes_read(stats_path, pid, NULL, NULL, &esc);
	if (c.stats && !child_errno)
		print_stats(c.module, stats_path, counting, sys_why);
	unlink(stats_path);
	if (!child_errno && WIFEXITED(status) && !own) {
		/* the program's last image never loaded the shim: what ran was
		 * not on the module (one line; stats above say what did) */
		char *w = as_shell_word(argv[r]);
		fprintf(stderr,
		        "allocscope exec: %s ended as %s (pid %d), an image that did not load the "
		        "shim (an exec that dropped LD_PRELOAD, e.g. env -i, a set-user-ID or a "
		        "statically linked program): %s on module %s%s\n",
		        w, comm, (int)pid, blocks ? "its calls did not run" : "no process ran",
		        c.module, c.allow_untraced ? "" : " (--allow-untraced to accept)");
		free(w);
		if (!c.allow_untraced)
			return WEXITSTATUS(status) ? WEXITSTATUS(status) : 1;
	}
	if (!child_errno && esc.escapes) {
		/* a process the program started ran an image without the shim:
		 * its calls ran on glibc's malloc (one line for all of them) */
		char said[1024];
		as_escapes_say(&esc, argv[r], "the shim", said, sizeof(said));
		fprintf(stderr, "allocscope exec: %s did not run on module %s%s\n", said, c.module,
		        c.allow_untraced ? "" : " (--allow-untraced to accept)");
		if (!c.allow_untraced && WIFEXITED(status))
			return WEXITSTATUS(status) ? WEXITSTATUS(status) : 1;
	}
	if (child_errno) {
		/* as env(1): 127 when the program is not found, 126 otherwise */
		as_path_err(err, sizeof(err), argv[r], "%s", strerror(child_errno));
		fprintf(stderr, "allocscope exec: %s\n", err);
		return child_errno == ENOENT ? 127 : 126;
	}
	if (WIFSIGNALED(status)) {
		/* the module is the first suspect: the line names it, and the
		 * program's file where its name alone does not say which */
		int named = find_program(argv[r], prog, sizeof(prog)) == 0 && strcmp(prog, argv[r]);
		char *w = as_shell_word(argv[r]), *wp = named ? as_shell_word(prog) : NULL;
		fprintf(stderr, "allocscope exec: %s%s%s%s died on signal %d (%s) on module %s\n",
		        w, named ? " (" : "", named ? wp : "", named ? ")" : "", WTERMSIG(status),
		        strsignal(WTERMSIG(status)), c.module);
		free(w);
		free(wp);
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

const as_cmd_t as_cmd_exec = {
    .name = "exec",
    .synopsis = "exec -a MODULE[:params] [--stats] [--allow-untraced] -- PROG [ARGS...]",
    .summary = "run an unmodified program with a module as its malloc (LD_PRELOAD)",
    .opts = exec_opts,
    .nopts = sizeof(exec_opts) / sizeof(exec_opts[0]),
    .examples = "  allocscope exec -a refmalloc --stats -- python3 -c 'print(sum(range(10**6)))'\n"
                "  allocscope exec -a freelist:fit=best -- sqlite3 :memory: 'select 1'\n",
    .main = exec_main,
    .operands = "command",
};
