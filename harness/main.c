/* main.c - the allocscope CLI: dispatches to one command per subcommand.
 * Only main() exits (and as_oom, oom.h, with 71 when out of memory); exit
 * codes are 0 ok, 1 a trial or test failed, 2 bad usage or input. The
 * hidden `__worker` command is the trial's child. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allocenv.h"
#include "cli.h"
#include "cli_doc.h"
#include "commands.h"
#include "forkserver.h"
#include "statictls.h"
#include "suggest.h"
#include "timer.h"
#include "results_doc.h"
#include "trial.h"
#include "version.h"
#include "../workloads/spec.h"

/* one command a line, so branches adding commands merge */
// clang-format off
static const as_cmd_t *const commands[] = {
    &as_cmd_run,
    &as_cmd_suite,
    &as_cmd_replay,
    &as_cmd_list,
    &as_cmd_check,
    &as_cmd_exec,
    &as_cmd_capture,
    &as_cmd_trace,
    &as_cmd_plot,
    &as_cmd_tune,
    &as_cmd_compare,
    NULL,
};
/* clang-format on */

static void usage(FILE *f)
{
	fprintf(f, "usage: allocscope COMMAND [options]\n\n"
	           "Loads allocator modules, drives them with workloads in isolated worker\n"
	           "processes, and measures time, memory and system calls.\n\nCommands:\n");
	for (int i = 0; commands[i]; i++)
		fprintf(f, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f,
	        "\n'allocscope COMMAND --help' (or 'allocscope help COMMAND', 'man "
	        "allocscope-COMMAND')\nshows a command's options and examples; 'allocscope help "
	        "results' what every\nresults file and column means; 'allocscope --version' which "
	        "build this is.\n");
}

/* What a command printed must have reached stdout: a full disk is an
 * error, not a short table (as for every results file). Returns rc, or 2
 * after a line on stderr when rc was 0; rc 1 keeps its 1 and gets the
 * line; rc 2 has already said what went wrong (compare --json says this
 * very thing). */
static int stdout_checked(const char *cmd, int rc)
{
	int err;
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	err = errno;
	/* the write that failed was an earlier one, whose errno is gone (a
	 * --help longer than stdio's buffer said "write error"): the output is
	 * broken already, so ask the kernel once more with one byte */
	if (!err && write(STDOUT_FILENO, "\n", 1) < 0)
		err = errno;
	if (rc != 2)
		fprintf(stderr, "allocscope%s%s: cannot write to stdout: %s\n", cmd ? " " : "",
		        cmd ? cmd : "", err ? strerror(err) : "write error");
	return rc ? rc : 2;
}

/* `allocscope help results` (what every results file and column means), or
 * `allocscope help COMMAND` (that command's --help); `help --help` and
 * `help help` are the usage, as `help` alone (until session 34: "unknown
 * topic '--help'", exit 2; until session 35 "unknown topic 'help'"). */
static int help_topic(const char *topic)
{
	as_suggest_t sg;
	char dym[96];
	if (!strcmp(topic, "--help") || !strcmp(topic, "-h") || !strcmp(topic, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(topic, "results")) {
		as_results_doc(stdout, 0);
		return 0;
	}
	as_suggest_init(&sg, topic);
	as_suggest_add(&sg, "results");
	for (int i = 0; commands[i]; i++) {
		if (!strcmp(topic, commands[i]->name)) {
			char *args[] = {(char *)commands[i]->name, "--help", NULL};
			return commands[i]->main(2, args);
		}
		as_suggest_add(&sg, commands[i]->name);
	}
	fprintf(stderr, "allocscope help: unknown topic '%s' (results, or a command)%s\n", topic,
	        as_suggest_fmt(&sg, NULL, dym, sizeof(dym)));
	return 2;
}

/* Whether argv's command says it loads no module (as_cmd_t.no_modules). */
static int no_modules(int argc, char **argv)
{
	for (int i = 0; argc >= 2 && commands[i]; i++)
		if (!strcmp(argv[1], commands[i]->name))
			return commands[i]->no_modules;
	return 0;
}

/* Whether argv's command runs trials (or the program, for tune --verify)
 * whose allocator must start on its defaults and its -a params only:
 * exec and capture run the caller's program in the caller's environment. */
static int runs_trials(int argc, char **argv)
{
	static const char *const names[] = {"run", "suite", "replay", "tune", "check"};
	for (size_t i = 0; argc >= 2 && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(argv[1], names[i]))
			return 1;
	return 0;
}

/* Standard descriptors started closed (`allocscope run ... >&-`) are
 * opened on /dev/null, the wrong way round (gnulib's stdopen): else the
 * first file opened takes fd 1 or 2, and the table or an error line went
 * into it (a results folder's .lock held "allocscope: ... running it
 * again"). A write to such a stdout still fails, and is reported. */
static void std_fds_open(void)
{
	/* lowest first: each open takes the lowest free number, fd itself */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY) != fd)
			return;
}

/* stdout and stderr into one file or pipe (`allocscope suite >log 2>&1`):
 * stdout a line at a time, so an error line comes after the lines printed
 * before it. Fully buffered, the suite's "cannot write" error landed in the
 * middle of a verdict row printed earlier. A terminal is line-buffered
 * already; output to a file of its own keeps its full buffer. */
static void stdout_beside_stderr(void)
{
	struct stat o, e;
	if (fstat(1, &o) == 0 && fstat(2, &e) == 0 && o.st_dev == e.st_dev && o.st_ino == e.st_ino)
		setvbuf(stdout, NULL, _IOLBF, 0);
}

/* The open-file limit a command that runs trials needs: the whole default
 * suite ran at `ulimit -n 32` here (2026-12-06), each trial holding a
 * worker's pipes and spec, a perf counter per memory syscall, a socket
 * per fork server; twice that for room. */
#define AS_MIN_OPEN_FILES 64

/* Whether the open-file limit lets argv's command run its trials; else
 * one line and 0. Below it, a worker that could not move its descriptors
 * exited 127 and its row blamed the module (`ulimit -n 18`: "glibc: the
 * module's probe ... exited with status 127"; at 24 a suite's trials
 * failed as worker_error), or the syscall counts silently went n/a. */
static int enough_files(int argc, char **argv)
{
	struct rlimit rl;
	if (!(runs_trials(argc, argv) || !strcmp(argv[1], "exec")) ||
	    getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= AS_MIN_OPEN_FILES)
		return 1;
	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	fprintf(stderr,
	        "allocscope %s: the open-file limit (ulimit -n) is %llu; allocscope needs at "
	        "least %d for its workers' pipes and counters\n",
	        argv[1], (unsigned long long)rl.rlim_cur, AS_MIN_OPEN_FILES);
	return 0;
}

int main(int argc, char **argv)
{
	as_suggest_t sg;
	char dym[96];

	std_fds_open();
	/* children must be waitable: a SIGCHLD ignored by whoever started us
	 * (a daemon, a CI runner) makes the kernel reap them, waitpid fails
	 * and every wait for a worker or a probe ran to its deadline or hung
	 * (until session 31: run hung, exec took 10 s and failed). Blocked
	 * stays blocked: the program exec and capture start inherits that. */
	signal(SIGCHLD, SIG_DFL);
	if (runs_trials(argc, argv))
		as_allocenv_strip(); /* before the re-exec: it starts on glibc's defaults */
	if (!no_modules(argc, argv))
		as_static_tls_reexec(argv); /* lets jemalloc.so load; returns if not needed */
	as_allocenv_settle();
	/* a file-size limit must make writes fail (and be reported), not kill us */
	signal(SIGXFSZ, SIG_IGN);
	if (argc == 3 && !strcmp(argv[1], "__worker") && !strcmp(argv[2], "--serve"))
		return as_forkserver_main(); /* forks workers: forkserver.h */
	if (argc >= 2 && !strcmp(argv[1], "__worker"))
		return as_worker_main(argc - 1, argv + 1);
	stdout_beside_stderr();
	as_timer_start(); /* the calibration's span overlaps the start-up */
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	/* hidden: the build writes the man pages and completion; the completion
	 * asks for names and keys */
	if (!strcmp(argv[1], "__dlopen") && argc == 3) /* exec: does the module fit? */
		return as_static_tls_probe_main(argv[2]);
	if (!strcmp(argv[1], "__gen-docs") && argc == 3)
		return as_cli_gen_docs(argv[2], commands) == 0 ? 0 : 2;
	if (!strcmp(argv[1], "__complete") && argc >= 3)
		return stdout_checked(NULL,
		                      as_cli_complete(stdout, argv[2], argc > 3 ? argv[3] : NULL));
	/* one topic, and --version alone: a word after them was passed over
	 * (until session 35 `help run plot` showed run's help, exit 0) */
	if ((!strcmp(argv[1], "help") && argc > 3) ||
	    ((!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) && argc > 2)) {
		char shown[AS_SHOW_MAX];
		fprintf(stderr, "allocscope %s: unexpected argument '%s' (%s)\n",
		        argv[1][0] == '-' ? argv[1] + 2 : argv[1],
		        as_show(argv[argv[1][0] == 'h' ? 3 : 2], shown),
		        argv[1][0] == 'h' ? "one topic: results, or a command" : "it takes none");
		return 2;
	}
	if (!strcmp(argv[1], "help") && argc == 3)
		return stdout_checked("help", help_topic(argv[2]));
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return stdout_checked(NULL, 0);
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("allocscope %s\n", as_version());
		return stdout_checked(NULL, 0);
	}
	if (!enough_files(argc, argv))
		return 2;
	for (int i = 0; commands[i]; i++)
		if (!strcmp(argv[1], commands[i]->name))
			return stdout_checked(commands[i]->name,
			                      commands[i]->main(argc - 1, argv + 1));
	as_suggest_init(&sg, argv[1]);
	for (int i = 0; commands[i]; i++)
		as_suggest_add(&sg, commands[i]->name);
	as_suggest_add(&sg, "help");
	as_suggest_add(&sg, argv[1][0] == '-' ? "--version" : "version");
	fprintf(stderr, "allocscope: unknown command '%s' (see 'allocscope --help')%s\n", argv[1],
	        as_suggest_fmt(&sg, NULL, dym, sizeof(dym)));
	return 2;
}
