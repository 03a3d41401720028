/* cmd_exec.c - `allocscope exec -a MODULE -- PROG ARGS`: run an unmodified
 * program with a module as its malloc, through the LD_PRELOAD shim in
 * harness/exec/. The module is resolved and probed here first, so a bad
 * module is a one-line error before the program starts. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "loader.h"
#include "syscount.h"
#include "trial.h"

enum { OPT_STATS = 256 };

static const as_opt_t exec_opts[] = {
    {'a', "allocator", "MODULE", NULL,
     "module to use as the program's malloc: NAME[:k=v,...] or PATH.so (required)"},
    {OPT_STATS, "stats", NULL, NULL,
     "at exit, print the module's stats, call counts and peak RSS per process, and the memory "
     "syscalls of the program and its children"},
};

typedef struct {
	const char *module;
	int stats;
} exec_ctx_t;

static int on_exec_opt(int key, const char *arg, void *vctx)
{
	exec_ctx_t *c = vctx;
	if (key == 'a')
		c->module = arg;
	else if (key == OPT_STATS)
		c->stats = 1;
	else
		return -1;
	return 0;
}

static int exec_main(int argc, char **argv)
{
	exec_ctx_t c = {0};
	char path[PATH_MAX], abs[PATH_MAX], shim[PATH_MAX];
	char preload[2 * PATH_MAX], err[1024], stats_path[64] = "";
	const char *old;
	as_spec_t spec;
	pid_t pid;
	int r, status, go[2], counting = 0;
	char sys_why[512] = "";
	uint64_t sys[AS_SYS_NCOLS];

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
	if (as_module_resolve(spec.name, path, sizeof(path), err, sizeof(err)) != AS_OK ||
	    as_module_probe(&spec, err, sizeof(err)) != AS_OK) {
		fprintf(stderr, "allocscope exec: %s\n", err);
		as_spec_free(&spec);
		return 2;
	}
	if (!realpath(path, abs)) {
		fprintf(stderr, "allocscope exec: %s: %s\n", path, strerror(errno));
		as_spec_free(&spec);
		return 2;
	}
	if (as_find_preload("as_exec.so", shim, sizeof(shim)) != 0) {
		fprintf(stderr,
		        "allocscope exec: the preload library as_exec.so was not found next to the "
		        "CLI (%s)\n",
		        shim);
		return 2;
	}
	if (c.stats) {
		int fd;
		snprintf(stats_path, sizeof(stats_path), "/tmp/allocscope-exec-XXXXXX");
		fd = mkstemp(stats_path);
		if (fd < 0) {
			fprintf(stderr, "allocscope exec: cannot create a stats file: %s\n",
			        strerror(errno));
			return 2;
		}
		close(fd);
	}
	old = getenv("LD_PRELOAD");
	snprintf(preload, sizeof(preload), "%s%s%s", shim, old && *old ? ":" : "", old ? old : "");
	if (pipe2(go, O_CLOEXEC) != 0) {
		fprintf(stderr, "allocscope exec: pipe: %s\n", strerror(errno));
		return 2;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		char b;
		/* wait until the parent has attached the syscall counters */
		close(go[1]);
		if (read(go[0], &b, 1) < 0)
			_exit(127);
		setenv("LD_PRELOAD", preload, 1);
		/* path and params travel apart: the shim never splits a string */
		setenv("ALLOCSCOPE_EXEC_MODULE", abs, 1);
		setenv("ALLOCSCOPE_EXEC_PARAMS", spec.params, 1);
		if (c.stats)
			setenv("ALLOCSCOPE_EXEC_STATS", stats_path, 1);
		execvp(argv[r], argv + r);
		fprintf(stderr, "allocscope exec: %s: %s\n", argv[r], strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		fprintf(stderr, "allocscope exec: fork: %s\n", strerror(errno));
		return 2;
	}
	close(go[0]);
	if (c.stats && as_syscount_start_perf_pid(pid, sys_why, sizeof(sys_why)) == 0)
		counting = 1;
	if (write(go[1], "g", 1) != 1) {
		fprintf(stderr, "allocscope exec: cannot start the program: %s\n", strerror(errno));
		close(go[1]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return 2;
	}
	close(go[1]);
	signal(SIGINT, SIG_IGN); /* the program gets the terminal's signals */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (c.stats) {
		FILE *f = fopen(stats_path, "r");
		char line[512];
		fprintf(stderr, "allocscope exec: stats (%s)\n", c.module);
		while (f && fgets(line, sizeof(line), f))
			fprintf(stderr, "  %s", line);
		if (f)
			fclose(f);
		unlink(stats_path);
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
			fprintf(stderr, "  syscalls: n/a: %s\n",
			        sys_why[0] ? sys_why : "not counted");
		}
	}
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "allocscope exec: %s died on signal %d (%s)\n", argv[r],
		        WTERMSIG(status), strsignal(WTERMSIG(status)));
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

const as_cmd_t as_cmd_exec = {
    .name = "exec",
    .synopsis = "exec -a MODULE[:params] [--stats] -- PROG [ARGS...]",
    .summary = "run an unmodified program with a module as its malloc (LD_PRELOAD)",
    .opts = exec_opts,
    .nopts = sizeof(exec_opts) / sizeof(exec_opts[0]),
    .examples = "  allocscope exec -a refmalloc --stats -- python3 -c 'print(sum(range(10**6)))'\n"
                "  allocscope exec -a freelist:fit=best -- sqlite3 :memory: 'select 1'\n",
    .main = exec_main,
};
