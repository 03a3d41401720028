/* cmd_capture.c - `allocscope capture -o TRACE -- PROG ARGS`: the command
 * only: its options, running PROG with allocscope_capture.so preloaded and
 * its signals passed on, the spool folder, and what the run and its escaped
 * children say. Turning each spool the library writes into a trace, while
 * PROG runs and after, is capture_convert.c; reading a spool is
 * capture/spool_read.c; the spool format is capture/spool.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../workloads/trace.h"
#include "buf.h"
#include "capture/spool_read.h"
#include "capture_convert.h"
#include "commands.h"
#include "escape_notes.h"
#include "guard.h"
#include "loader.h"
#include "statictls.h"
#include "trace_out.h"
#include "userprog.h"
#include "util.h"

#ifndef AS_INSTALL_MODULE_DIR
#define AS_INSTALL_MODULE_DIR "/usr/local/lib/allocscope"
#endif

enum { OPT_FORK = 400, OPT_KEEP, OPT_TIME_EVERY };

static const as_opt_t capture_opts[] = {
    {'o', "out", "TRACE", NULL,
     "trace of the program's last image (required); children and earlier images "
     "(before an exec) go to TRACE.PID.GEN; TRACE ending in .zst: zstd-compressed (and "
     "NAME.PID.GEN.zst)"},
    {OPT_FORK, "fork", "follow|exclude", "follow",
     "child processes: traced each to its own file, or not traced"},
    {'f', "format", "bin|csv", "from TRACE's extension", "format of the traces"},
    {OPT_TIME_EVERY, "time-every", "N", "16",
     "read the clock every Nth call per thread, interpolate between (1 = every call)"},
    {OPT_KEEP, "keep-spool", NULL, NULL, "keep the raw spool folder (debugging)"},
};

static int on_capture_opt(int key, const char *arg, void *vctx)
{
	as_capture_opts_t *c = vctx;
	switch (key) {
	case 'o': c->out = arg; return 0;
	case 'f': c->format = arg; return 0;
	case OPT_KEEP: c->keep = 1; return 0;
	case OPT_TIME_EVERY: {
		char err[256];
		if (as_parse_u64("--time-every", arg, 1, 100000, &c->time_every, err,
		                 sizeof(err)) != 0) {
			fprintf(stderr, "allocscope capture: %s\n", err);
			return -1;
		}
		return 0;
	}
	case OPT_FORK:
		if (!strcmp(arg, "follow"))
			c->exclude = 0;
		else if (!strcmp(arg, "exclude"))
			c->exclude = 1;
		else {
			fprintf(stderr,
			        "allocscope capture: --fork: '%s' is not follow or exclude\n", arg);
			return -1;
		}
		return 0;
	}
	return -1;
}

/* The capture library: $ALLOCSCOPE_CAPTURE_LIB, else the one shipped with
 * the CLI (found into buf). Returns the path, or NULL. */
static const char *find_lib(char *buf, size_t len)
{
	const char *env = getenv("ALLOCSCOPE_CAPTURE_LIB");
	if (env && *env)
		return access(env, R_OK) == 0 ? env : NULL;
	return as_find_preload("allocscope_capture.so", buf, len) == 0 ? buf : NULL;
}

/* "DIR/.allocscope-capture-XXXXXX" where DIR is out's folder: the spool
 * folder sits next to the output (same filesystem, and traces of long runs
 * do not fill a small /tmp). malloc'd; NULL when out of memory. */
static char *spool_dir_template(const char *out)
{
	static const char name[] = ".allocscope-capture-XXXXXX";
	const char *slash = strrchr(out, '/');
	size_t keep = slash ? (size_t)(slash + 1 - out) : 0;
	char *dir = malloc(keep + sizeof(name));
	if (dir) {
		memcpy(dir, out, keep);
		memcpy(dir + keep, name, sizeof(name));
	}
	return dir;
}

/* Remove the spool folder and what is left in it: the spools of processes
 * still running (they may start new ones meanwhile: a few rounds; once the
 * folder is gone they can create none, and record nothing). */
static void remove_spool_dir(const char *dir)
{
	for (int round = 0; round < 5 && rmdir(dir) != 0 && errno == ENOTEMPTY; round++) {
		DIR *d = opendir(dir);
		struct dirent *e;
		char path[PATH_MAX];
		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.' && snprintf(path, sizeof(path), "%s/%s", dir,
			                                    e->d_name) < (int)sizeof(path))
				unlink(path);
		if (d)
			closedir(d);
	}
}

/* The program's environment: ours (as_static_tls_strip'ed) with the
 * variables in set ("KEY=VALUE") replacing any of the same KEY. The array
 * is malloc'd, its strings are environ's and set's (not copied). NULL when
 * out of memory. */
static char **program_env(char *const set[], size_t nset)
{
	size_t n = 0, k = 0;
	char **env;
	while (environ[n])
		n++;
	if (!(env = calloc(n + nset + 1, sizeof(*env))))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int ours = 0;
		for (size_t j = 0; j < nset && !ours; j++)
			ours = !strncmp(environ[i], set[j], strcspn(set[j], "=") + 1);
		if (!ours)
			env[k++] = environ[i];
	}
	for (size_t j = 0; j < nset; j++)
		env[k++] = set[j];
	return env;
}

/* Signals for the program while it runs, as exec passes them on: SIGTERM,
 * SIGHUP, SIGUSR1/2 sent to capture, and a SIGINT/SIGQUIT sent with
 * kill(2) (one typed at the terminal reaches the program, in the same
 * group, already; without a terminal the program has a group of its own,
 * as_userprog_pass). One this process ignores (nohup) stays ignored, by the
 * program too. Until session 25 a SIGTERM or SIGHUP killed capture alone:
 * the program ran on untraced, writing its spool into a hidden folder
 * nobody removed, beside empty TRACE.PID.GEN.tmp files. Now the program
 * gets it, and capture converts what it recorded as for any program that
 * died on a signal. */
static const int fwd_sigs[] = {SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGINT, SIGQUIT};
enum { FWD_EARLY = 4 };                 /* the first 4 from before the spawn; INT, QUIT after */
static volatile pid_t traced_pid;       /* 0: not spawned yet; -1: ended, being reaped */
static volatile sig_atomic_t early_sig; /* one that came before the spawn returned */
static volatile sig_atomic_t own_group; /* as_userprog_own_group */

static void forward_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (traced_pid > 0)
		as_userprog_pass(traced_pid, own_group, sig, si);
	else if (traced_pid == 0)
		early_sig = sig;
}

/* Pass fwd_sigs [from, to) on to the program, each unless ignored
 * (ign_int, ign_quit: SIGINT's, SIGQUIT's action before capture set them
 * ignored), old[i] receiving the action before. */
static void forward_signals(size_t from, size_t to, int ign_int, int ign_quit,
                            struct sigaction *old)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fwd_sigs) / sizeof(fwd_sigs[0]); i++)
		sigaddset(&sa.sa_mask, fwd_sigs[i]); /* one at a time (as_userprog_pass) */
	for (size_t i = from; i < to; i++) {
		int sig = fwd_sigs[i];
		sigaction(sig, NULL, &old[i]);
		if (sig == SIGINT    ? !ign_int
		    : sig == SIGQUIT ? !ign_quit
		                     : old[i].sa_handler != SIG_IGN)
			sigaction(sig, &sa, NULL);
	}
}

/* Undo forward_signals [from, to). */
static void restore_signals(size_t from, size_t to, const struct sigaction *old)
{
	for (size_t i = from; i < to; i++)
		sigaction(fwd_sigs[i], &old[i], NULL);
}

/* Start argv with env, as posix_spawnp would with mask and the actions
 * of dfl's signals set to default, plus what posix_spawn cannot do: the
 * program dies with this process (as_userprog_child), in a group of its
 * own when own_group. vfork, as glibc's posix_spawn: no copy of this
 * process's page tables, no copy-on-write faults on either side (fork +
 * exec took 3-7 ms here). Returns 0 with *pid, or an errno. */
static int spawn_program(char **argv, char **env, const sigset_t *mask, const sigset_t *dfl,
                         pid_t *pid)
{
	sigset_t all, before;
	volatile int err = 0; /* the child's, shared until its exec */
	pid_t parent = getpid(), p;
	/* no handler of ours runs in the child before its actions are reset */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &before);
	p = vfork();
	if (p == 0) {
		struct sigaction dflt, cur;
		memset(&dflt, 0, sizeof(dflt));
		dflt.sa_handler = SIG_DFL;
		for (int sig = 1; sig < NSIG; sig++)
			if (sigismember(dfl, sig) == 1 ||
			    (sigaction(sig, NULL, &cur) == 0 && cur.sa_handler != SIG_DFL &&
			     cur.sa_handler != SIG_IGN))
				sigaction(sig, &dflt, NULL);
		if (as_userprog_child(parent, own_group) != 0) {
			err = ESRCH;
			_exit(127);
		}
		sigprocmask(SIG_SETMASK, mask, NULL);
		execvpe(argv[0], argv, env);
		err = errno;
		_exit(127);
	}
	if (p < 0)
		err = errno;
	sigprocmask(SIG_SETMASK, &before, NULL);
	if (p > 0 && err) {
		while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
			;
		return err;
	}
	if (p > 0)
		*pid = p;
	return err;
}

/* Run argv with the capture library preloaded, spooling into dir, and
 * convert its spools while it runs until it exits. The program is started
 * by spawn_program, its environment built beforehand. The tick and ns
 * clocks are read around the run (*t0, *t1: ticks then ns). Returns 0
 * with *status, or -1 after printing (the program could not be started). */
static int run_traced(const as_capture_opts_t *c, const char *lib, const char *dir, char **argv,
                      as_trace_fmt_t fmt, as_live_set_t *ls, pid_t *pid, int *status,
                      uint64_t t0[2], uint64_t t1[2], char *comm, size_t commlen)
{
	struct sigaction ign, old_int, old_quit, old_fwd[sizeof(fwd_sigs) / sizeof(fwd_sigs[0])];
	sigset_t chld, old_mask, dfl;
	const char *pre = getenv("LD_PRELOAD");
	char *set[5] = {NULL}, **env = NULL;
	/* absolute: a program that changes directory (git -C, make -C, a
	 * daemon's chdir("/")) still finds the folder for its children's
	 * spools and escape notes (until review-h, with -o relative, they
	 * were untraced and unseen) */
	char *abs = realpath(dir, NULL);
	int err = ENOMEM;

	/* the program's environment, not the one allocscope re-executed with */
	if (as_static_tls_strip() != 0) {
		fprintf(stderr, "allocscope capture: GLIBC_TUNABLES too long to edit\n");
		return -1;
	}
	if (asprintf(&set[0], "LD_PRELOAD=%s%s%s", lib, pre && *pre ? ":" : "", pre ? pre : "") <
	        0 ||
	    asprintf(&set[1], "%s=%s", AS_CAPTURE_ENV_DIR, abs ? abs : dir) < 0 ||
	    asprintf(&set[2], "%s=%d", AS_CAPTURE_ENV_PARENT, (int)getpid()) < 0 ||
	    asprintf(&set[3], "%s=%s", AS_CAPTURE_ENV_FORK, c->exclude ? "exclude" : "follow") <
	        0 ||
	    asprintf(&set[4], "%s=%llu", AS_CAPTURE_ENV_TIME_EVERY,
	             (unsigned long long)c->time_every) < 0 ||
	    !(env = program_env(set, 5))) {
		fprintf(stderr, "allocscope capture: out of memory\n");
		goto out_env;
	}
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, &old_int); /* like system(): ^C is the program's */
	sigaction(SIGQUIT, &ign, &old_quit);
	/* the program's end wakes the naps below (sigtimedwait), so that its
	 * last records are converted at once, not after the nap */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old_mask);
	/* the program gets the signal mask and the SIGINT/SIGQUIT handling we
	 * had before */
	sigemptyset(&dfl);
	if (old_int.sa_handler != SIG_IGN)
		sigaddset(&dfl, SIGINT);
	if (old_quit.sa_handler != SIG_IGN)
		sigaddset(&dfl, SIGQUIT);
	/* from here: the program's spool can appear, and a SIGTERM after it,
	 * before spawn_program has returned (a test saw capture die of it); the
	 * program starts with these signals' actions reset, as before (a
	 * caught one's is reset by exec, an ignored one is left alone) */
	traced_pid = 0;
	early_sig = 0;
	own_group = as_userprog_own_group();
	forward_signals(0, FWD_EARLY, 0, 0, old_fwd);
	t0[1] = as_now_ns();
	t0[0] = as_spool_ticks();
	/* descendants that outlive the program become ours: said at the end */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	err = spawn_program(argv, env, &old_mask, &dfl, pid);
	if (err != 0) {
		char msg[PATH_MAX + 128];
		as_path_err(msg, sizeof(msg), argv[0], "%s", strerror(err));
		fprintf(stderr, "allocscope capture: %s\n", msg);
		restore_signals(0, FWD_EARLY, old_fwd);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		goto out_env;
	}
	traced_pid = *pid;
	as_userprog_aide_start(*pid, own_group);
	if (early_sig)
		as_userprog_pass(*pid, own_group, early_sig, NULL);
	forward_signals(FWD_EARLY, sizeof(fwd_sigs) / sizeof(fwd_sigs[0]),
	                old_int.sa_handler == SIG_IGN, old_quit.sa_handler == SIG_IGN, old_fwd);
	for (long nap_ns = 0;;) {
		siginfo_t si;
		int w;
		si.si_pid = 0;
		w = waitid(P_PID, (id_t)*pid, &si, WEXITED | WNOHANG | WNOWAIT);
		if (w == 0 && si.si_pid == *pid) {
			/* ended, not reaped yet: its comm names its last image */
			as_proc_comm(*pid, comm, commlen);
			/* no signal is passed on from here: once reaped, the
			 * pid may be another process's */
			traced_pid = -1;
			as_userprog_aide_stop();
			while (waitpid(*pid, status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		if (w < 0 && errno != EINTR)
			break;
		/* the program runs on one core: convert on another meanwhile.
		 * Nothing new: look again after 1, 2, 4, 8, then every 16 ms
		 * (each look costs CPU; a buffer fills in a few ms of a
		 * program that allocates a lot) */
		if (as_capture_live_step(ls, c, fmt, dir, t0)) {
			nap_ns = 0;
		} else {
			struct timespec nap = {0, 0};
			nap_ns = nap_ns ? (nap_ns < 16000000 ? nap_ns * 2 : nap_ns) : 1000000;
			nap.tv_nsec = nap_ns;
			sigtimedwait(&chld, NULL, &nap);
		}
	}
	as_userprog_aide_stop(); /* when waitid failed */
	t1[0] = as_spool_ticks();
	t1[1] = as_now_ns();
	ls->events += as_capture_live_events(ls);
	restore_signals(0, sizeof(fwd_sigs) / sizeof(fwd_sigs[0]), old_fwd);
	traced_pid = 0;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	err = 0;
out_env:
	free(env);
	free(abs);
	for (int i = 0; i < 5; i++)
		free(set[i]);
	return err ? -1 : 0;
}

/* DIR/escapes, created empty: the library appends its notes of a process
 * that starts an image without it (exec_escape.c; it never creates the
 * file). 0, or -1 with errno (out holds the path). */
static int escapes_path(const char *dir, char *out, size_t len)
{
	int fd;
	if ((size_t)snprintf(out, len, "%s/%s", dir, AS_CAPTURE_ESCAPES) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

typedef struct {
	char **names;
	int n;
} spools_t;

/* 1 when the process PID left a spool: the conversion counted it already
 * when its last image did not end there (as_capture_convert_all). */
static int has_spool(long pid, void *ctx)
{
	const spools_t *s = ctx;
	for (int i = 0; i < s->n; i++) {
		unsigned spid = 0, gen = 0;
		if (sscanf(s->names[i], "%u.%u", &spid, &gen) == 2 && (long)spid == pid)
			return 1;
	}
	return 0;
}

/* The children that started an image without the library (the notes in
 * ESCAPES): one line, and those that left no spool (a vfork'ed child: until
 * session 24 unseen) added to the summary's escaped. The program's own last
 * image is as_capture_convert_all's. */
static void report_escapes(const as_capture_opts_t *c, const char *escapes, pid_t pid, char **names,
                           int nspool, const char *prog)
{
	spools_t s = {names, nspool};
	as_escapes_t all, unseen;
	char said[1024];
	as_escapes_read(escapes, pid, NULL, NULL, &all);
	if (!all.escapes)
		return;
	as_escapes_say(&all, prog, "the capture library", said, sizeof(said));
	fprintf(stderr, "allocscope capture: %s are in no trace\n", said);
	if (c->sum) {
		as_escapes_read(escapes, pid, has_spool, &s, &unseen);
		c->sum->escaped += unseen.escapes;
	}
}

/* /proc/self/status's KEY (VmRSS, VmHWM) in KiB, or -1. */
static long status_kib(const char *key)
{
	char line[256];
	long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* Reset the peak RSS to the current one (/proc/self/clear_refs "5");
 * returns the current RSS in KiB, or -1 when the peak cannot be reset. */
static long reset_peak_kib(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	int ok = f && fputs("5", f) >= 0;
	if (f && fclose(f) != 0)
		ok = 0;
	return ok ? status_kib("VmRSS") : -1;
}

static int capture_main(int argc, char **argv)
{
	return as_capture_main(argc, argv, NULL);
}

int as_capture_main(int argc, char **argv, as_capture_summary_t *sum)
{
	as_capture_opts_t c = {.time_every = 16, .sum = sum};
	char libbuf[PATH_MAX], escapes[PATH_MAX], *dir = NULL, **names = NULL, comm[64] = "?";
	char msg[PATH_MAX + 256], *wprog;
	const char *lib;
	as_trace_fmt_t fmt;
	pid_t pid;
	int r, status = 0, ret = 0, nspool = 0;
	uint64_t t0[2] = {0}, t1[2] = {0}; /* ticks, ns */
	uint64_t events = 0;
	as_live_set_t ls = {0};
	long rss0, hwm;

	if (sum)
		memset(sum, 0, sizeof(*sum));
	r = as_cli_parse(&as_cmd_capture, argc, argv, on_capture_opt, &c);
	if (r == -2)
		return 0;
	if (r < 0)
		return 2;
	if (!c.out) {
		fprintf(stderr, "allocscope capture: option -o TRACE is required\n");
		return 2;
	}
	if (!*c.out) { /* until session 34 found only after the program ran */
		fprintf(stderr, "allocscope capture: option -o: empty path (-o names the trace "
		                "file)\n");
		return 2;
	}
	if (r >= argc) {
		fprintf(stderr, "allocscope capture: no program given (capture -o TRACE -- PROG "
		                "ARGS)\n");
		return 2;
	}
	if (as_trace_fmt_for(c.out, c.format, &fmt) != 0)
		return 2;
	{
		/* where the trace goes is checked before the program runs: a
		 * folder, or a path under a missing one, wasted its run */
		struct stat st;
		char parent[PATH_MAX], *slash;
		snprintf(parent, sizeof(parent), "%s", c.out);
		slash = strrchr(parent, '/');
		if (slash)
			*slash = '\0';
		if (stat(c.out, &st) == 0 && S_ISDIR(st.st_mode)) {
			as_path_err(msg, sizeof(msg), c.out,
			            "is a folder; -o names the trace file");
			fprintf(stderr, "allocscope capture: -o %s\n", msg);
			return 2;
		}
		if (as_trace_out_check(c.out) != 0)
			return 2;
		if (slash && *parent && (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))) {
			char *w = as_shell_word(parent);
			as_path_err(msg, sizeof(msg), c.out, "no folder %s to write it in", w);
			fprintf(stderr, "allocscope capture: -o %s\n", msg);
			free(w);
			return 2;
		}
	}
	if (!(lib = find_lib(libbuf, sizeof(libbuf)))) {
		fprintf(stderr,
		        "allocscope capture: allocscope_capture.so not found (last looked at %s; "
		        "set ALLOCSCOPE_CAPTURE_LIB)\n",
		        AS_INSTALL_MODULE_DIR);
		return 2;
	}
	if (!(dir = spool_dir_template(c.out)) || !mkdtemp(dir)) {
		/* the folder the trace goes to, whole: a user's capture in a
		 * folder not theirs read only ".allocscope-capture-PN5Rlp:
		 * Permission denied" */
		int e = errno;
		char cwd[PATH_MAX], *w = NULL;
		const char *slash = strrchr(c.out, '/');
		if (slash)
			snprintf(cwd, sizeof(cwd), "%.*s", (int)(slash - c.out + (slash == c.out)),
			         c.out);
		if (slash || getcwd(cwd, sizeof(cwd)))
			w = as_shell_word(cwd);
		fprintf(stderr,
		        "allocscope capture: cannot create a spool folder in %s, where -o puts the "
		        "trace: %s\n",
		        w ? w : "the current folder", strerror(e));
		free(w);
		free(dir);
		return 2;
	}
	if (escapes_path(dir, escapes, sizeof(escapes)) != 0) {
		as_path_err(msg, sizeof(msg), escapes, "%s", strerror(errno));
		fprintf(stderr, "allocscope capture: %s\n", msg);
		rmdir(dir);
		free(dir);
		return 2;
	}
	rss0 = reset_peak_kib(); /* the conversion runs beside the program */
	if (run_traced(&c, lib, dir, argv + r, fmt, &ls, &pid, &status, t0, t1, comm,
	               sizeof(comm)) != 0) {
		as_capture_live_free(&ls);
		unlink(escapes);
		rmdir(dir);
		free(dir);
		return 2;
	}
	wprog = as_shell_word(argv[r]);
	{
		/* the image that ended, when the program exec'd another (sh -c
		 * './prog' died as prog, not as sh: an outside review); comm is
		 * the kernel's name, cut to 15 bytes */
		const char *base = strrchr(argv[r], '/') ? strrchr(argv[r], '/') + 1 : argv[r];
		char as[96] = "";
		if (strcmp(comm, "?") && strncmp(base, comm, strlen(comm)))
			snprintf(as, sizeof(as), " (ended as %s)", comm);
		if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
			fprintf(stderr, "allocscope capture: %s%s exited with status %d\n", wprog,
			        as, WEXITSTATUS(status));
			ret = 1;
		} else if (WIFSIGNALED(status)) {
			fprintf(stderr, "allocscope capture: %s%s died on signal %d (%s)\n", wprog,
			        as, WTERMSIG(status), strsignal(WTERMSIG(status)));
			ret = 1;
		}
	}

	{
		/* until review-h said nothing, and left their spools (and the
		 * folder) behind next to the trace */
		long first;
		int late = as_guard_stragglers(&first);
		if (late)
			fprintf(
			    stderr,
			    "allocscope capture: %d process%s %s started %s still running when it "
			    "ended (first: pid %ld): what %s from then on is in no trace\n",
			    late, late == 1 ? "" : "es", wprog, late == 1 ? "was" : "were", first,
			    late == 1 ? "it does" : "they do");
	}
	if (as_capture_list_spools(dir, &names, &nspool) != 0) {
		as_path_err(msg, sizeof(msg), dir, "out of memory listing it");
		fprintf(stderr, "allocscope capture: %s\n", msg);
		ret = 2;
	} else if (nspool == 0) {
		fprintf(stderr,
		        "allocscope capture: no trace was recorded (did %s start? is it "
		        "statically linked?)\n",
		        wprog);
		ret = 2;
	}
	double tpn = t1[0] > t0[0] ? (double)(t1[1] - t0[1]) / (double)(t1[0] - t0[0]) : 1.0;
	if (as_capture_convert_all(&c, fmt, dir, names, nspool, pid, tpn, &ls, &events,
	                           WIFEXITED(status), argv[r], comm) != 0)
		ret = 2;
	hwm = status_kib("VmHWM");
	report_escapes(&c, escapes, pid, names, nspool, argv[r]);
	for (int i = 0; i < nspool; i++)
		free(names[i]);
	free(names);
	if (!c.keep) {
		unlink(escapes);
		remove_spool_dir(dir);
	} else {
		char *w = as_shell_word(dir);
		fprintf(stderr, "spool kept in %s\n", w);
		free(w);
	}
	/* the report goes to stderr: stdout is the program's (capture -o t.ast
	 * -- prog > out.txt keeps out.txt the program's alone) */
	fprintf(stderr,
	        "program ran %.3f s (%llu of %llu events converted meanwhile); writing the rest "
	        "took %.3f s",
	        (double)(t1[1] - t0[1]) / 1e9, (unsigned long long)ls.events,
	        (unsigned long long)events, (double)(as_now_ns() - t1[1]) / 1e9);
	/* what the conversion added to this process's peak memory */
	if (rss0 >= 0 && hwm >= rss0)
		fprintf(stderr, ", %.1f MiB of memory at most (%.1f bytes/event)\n",
		        (double)(hwm - rss0) / 1024,
		        events ? (double)(hwm - rss0) * 1024 / (double)events : 0.0);
	else
		fprintf(stderr, "\n");
	as_capture_live_free(&ls);
	free(dir);
	free(wprog);
	return ret;
}

const as_cmd_t as_cmd_capture = {
    .name = "capture",
    .synopsis = "capture -o TRACE [--fork follow|exclude] -- PROG [ARGS...]",
    .summary = "run a program and record every malloc-family call into a trace",
    .opts = capture_opts,
    .nopts = sizeof(capture_opts) / sizeof(capture_opts[0]),
    .examples = "  allocscope capture -o ls.ast -- ls -l /\n"
                "  allocscope capture -o ls.ast.zst -- ls -l /   (zstd-compressed)\n"
                "  allocscope capture -o py.ast --fork exclude -- env PYTHONMALLOC=malloc "
                "python3 x.py\n"
                "  allocscope trace stats ls.ast && allocscope replay ls.ast -a glibc,null\n",
    .main = capture_main,
    .operands = "command",
    .no_modules = 1,
};
