/* results_dir.c - see results_dir.h. */
#define _GNU_SOURCE
#include "results_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "util.h"

/* The longest name the runner writes in a folder (atomic writes go through
 * ".NAME.tmp"): "/.histogram.csv.tmp" with room to spare. */
#define LONGEST_NAME 32

/* A path the folder's files fit under: no component over NAME_MAX, room
 * for the longest file name under PATH_MAX. */
static int path_fits(const char *dir, char *err, size_t errlen)
{
	size_t len = strlen(dir), comp = 0;
	if (len == 0) {
		snprintf(err, errlen, "results folder: empty path");
		return -1;
	}
	if (len + LONGEST_NAME >= PATH_MAX) {
		snprintf(err, errlen, "%.200s...: results folder path longer than %d bytes", dir,
		         PATH_MAX - LONGEST_NAME - 1);
		return -1;
	}
	for (const char *p = dir;; p++) {
		if (*p == '/' || !*p) {
			if (comp > NAME_MAX) {
				snprintf(
				    err, errlen,
				    "%.200s...: a folder name in the path is longer than %d bytes",
				    dir, NAME_MAX);
				return -1;
			}
			comp = 0;
			if (!*p)
				break;
		} else {
			comp++;
		}
	}
	return 0;
}

/* A temporary file of as_write_file_atomic (".NAME.tmp"), left when a run is
 * killed inside a write: a leftover of ours that holds nothing. */
static int is_write_tmp(const char *name)
{
	size_t n = strlen(name);
	return n > 5 && name[0] == '.' && !strcmp(name + n - 4, ".tmp");
}

/* 1 when DIR/NAME's first bytes (up to 64 KiB) hold TEXT; with TEXT NULL,
 * when they are arguments as as_resume_save_args writes them (each ends
 * with a NUL: a text file of the user's named run.args does not). */
static int file_holds(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX], buf[65536];
	ssize_t n;
	int fd;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return 0;
	fd = as_open_regular(path, NULL, 0); /* a FIFO there: no waiting */
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	if (!text)
		return buf[n - 1] == '\0';
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

/* 1 when DIR holds what allocscope writes first: run.args or suite.args,
 * a context.csv with its results_format row, a suite's scenarios.csv.
 * File names alone were taken once: an empty context.csv in a home
 * folder let --force delete it whole (an outside review). */
static int is_results(const char *dir)
{
	return file_holds(dir, "run.args", NULL) || file_holds(dir, "suite.args", NULL) ||
	       file_holds(dir, "context.csv", "\nresults_format,") ||
	       file_holds(dir, "scenarios.csv", "scenario,folder,");
}

/* The files allocscope writes at the top of a results folder (run, replay,
 * suite; tune's replay/) or of a suite's scenario, and the folders it
 * makes there. --force deletes a results folder's content only when every
 * entry is one of them: a file of the user's beside the results
 * (notes.txt, a thesis chapter's figures) stops it, as a folder of theirs
 * does (an outside review found a top-level file deleted). A tune's own
 * files (trace.ast, tune.csv, tune.json, frontier.csv, verify.csv) are not
 * among them: a tune's folder is no results folder --force clears (no
 * run.args, no context.csv), so in one that is they were the user's, and
 * a trace.ast copied beside a run was deleted (a review of d34445d). */
static const char *const our_files[] = {
    "run.args",      "suite.args",      "context.csv",   "trials.csv",
    "series.csv",    "latency.csv",     "histogram.csv", "summary.csv",
    "summary.json",  "comparisons.csv", "headline.csv",  "verdicts.csv",
    "scenarios.csv", "report.md",       "report.html",   NULL};
static const char *const our_dirs[] = {"plots", "tables", NULL};

static int named(const char *const *names, const char *name)
{
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

/* A leftover of as_write_file_atomic's for one of our_files (".NAME.tmp"):
 * any other ".X.tmp" is the user's (until a review --force deleted a
 * .draft.tmp beside the results as one of its own). */
static int our_write_tmp(const char *name)
{
	size_t n = strlen(name);
	char base[NAME_MAX + 1];
	if (!is_write_tmp(name) || n - 5 > NAME_MAX)
		return 0;
	memcpy(base, name + 1, n - 5);
	base[n - 5] = '\0';
	return named(our_files, base);
}

/* The first entry of DIR that allocscope did not write (not one of
 * our_files or our_dirs, not a results folder itself, a suite's scenario,
 * whose entries are then looked at) into out, 1; 0 when there is none. */
static int foreign_entry(const char *dir, char *out, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;
	while (d && !found && (e = readdir(d)) != NULL) {
		char sub[PATH_MAX];
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, AS_DIR_LOCK) || our_write_tmp(e->d_name))
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= sizeof(sub) ||
		    lstat(sub, &st) != 0) {
			snprintf(out, len, "%s/%s", dir, e->d_name);
			found = 1; /* what cannot be looked at is not deleted either */
			continue;
		}
		if (S_ISREG(st.st_mode) && named(our_files, e->d_name))
			continue;
		if (S_ISDIR(st.st_mode) && named(our_dirs, e->d_name))
			continue;
		if (S_ISDIR(st.st_mode) && is_results(sub)) { /* a suite's scenario */
			found = foreign_entry(sub, out, len);
			continue;
		}
		snprintf(out, len, "%s", sub);
		found = 1;
	}
	if (d)
		closedir(d);
	return found;
}

/* 1 when DIR holds anything but the lock file (and write leftovers), 0 when
 * not, -1 on error; *ours: it holds allocscope results (is_results). */
static int has_files(const char *dir, int *ours)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int any = 0;
	*ours = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, AS_DIR_LOCK) || is_write_tmp(e->d_name))
			continue;
		any = 1;
	}
	closedir(d);
	*ours = any && is_results(dir);
	return any;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	if (ftw->level == 0)
		return 0; /* the folder itself stays (it holds the lock) */
	if (ftw->level == 1 && !strcmp(path + ftw->base, AS_DIR_LOCK))
		return 0;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 ? 0 : -1;
}

/* Write our pid into the lock file, for the message a second run gets. */
static void note_owner(int fd)
{
	char pid[32];
	int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, pid, (size_t)n, 0);
}

/* The pid note_owner wrote into the lock file, 0 when there is none. */
static long owner_pid(int fd)
{
	char pid[32] = "";
	ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
	return n > 0 ? strtol(pid, NULL, 10) : 0;
}

static void owner_of(int fd, char *out, size_t len)
{
	long v = owner_pid(fd);
	if (v > 0)
		snprintf(out, len, " (pid %ld)", v);
	else
		out[0] = '\0';
}

/* The lock is held but the run that wrote its pid there is gone (kill -9):
 * what holds it is one of that run's children between fork and exec or
 * exit, which dies with it (PR_SET_PDEATHSIG) within milliseconds. Wait
 * for it up to 2 s; 1 when the lock is then ours. A live owner (another
 * run) is refused at once by the caller. */
static int dead_owner_lets_go(int fd)
{
	int e = errno;
	long v = owner_pid(fd);
	if (e != EWOULDBLOCK || v <= 0 || kill((pid_t)v, 0) == 0 || errno != ESRCH) {
		errno = EWOULDBLOCK;
		return 0;
	}
	for (int i = 0; i < 200; i++) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 1;
	}
	errno = EWOULDBLOCK;
	return 0;
}

/* 1 when PATH still names the file open at FD. */
static int names_file(const char *path, int fd)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int as_results_dir_claim(const char *dir, as_dir_mode_t mode, char *err, size_t errlen)
{
	char lock[PATH_MAX], who[48];
	int fd, any, ours, made, locked = 0, tries = 0;
	if (path_fits(dir, err, errlen) != 0)
		return -1;
	{
		struct stat st;
		if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
			as_path_err(err, errlen, dir, "exists and is not a folder");
			return -1;
		}
	}
	if (mode == AS_DIR_RESUME ? access(dir, F_OK) != 0 : as_mkdir_p(dir, err, errlen) != 0) {
		if (mode == AS_DIR_RESUME)
			as_path_err(err, errlen, dir, "%s", strerror(errno));
		return -1;
	}
	snprintf(lock, sizeof(lock), "%s/%s", dir, AS_DIR_LOCK);
again:
	/* a lock file this call made is taken away again on a refusal: a
	 * user's folder is left as it was found */
	fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	made = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = open(lock, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		as_path_err(err, errlen, lock, "cannot create the lock file: %s", strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0 && !dead_owner_lets_go(fd)) {
		int e = errno;
		owner_of(fd, who, sizeof(who));
		if (e == EWOULDBLOCK)
			as_path_err(err, errlen, dir, "another allocscope run is writing there%s",
			            who);
		else
			as_path_err(err, errlen, lock, "cannot lock: %s", strerror(e));
		goto out_close;
	}
	if (!names_file(lock, fd) && ++tries < 100) {
		/* a refused claim unlinked the file between our open and our
		 * flock: that lock guards nothing now (a review of the unlink) */
		close(fd);
		goto again;
	}
	locked = 1;
	any = has_files(dir, &ours);
	if (any < 0) {
		as_path_err(err, errlen, dir, "cannot list: %s", strerror(errno));
		goto out_close;
	}
	if (any && (mode == AS_DIR_NEW || mode == AS_DIR_EMPTY)) {
		as_path_err(err, errlen, dir, "folder is not empty; %s",
		            mode == AS_DIR_NEW
		                ? "--force replaces what it holds, --resume finishes the run in it"
		                : "give a new or empty one");
		goto out_close;
	}
	if (any && mode == AS_DIR_FORCE) {
		char sub[PATH_MAX];
		if (!ours) {
			as_path_err(
			    err, errlen, dir,
			    "not an allocscope results folder (no run.args or suite.args, "
			    "no context.csv with results_format, no scenarios.csv); --force "
			    "deletes a folder's content only when it holds allocscope results");
			goto out_close;
		}
		if (foreign_entry(dir, sub, sizeof(sub))) {
			as_path_err(err, errlen, dir,
			            "holds %s, which allocscope did not write; --force deletes "
			            "only results: move it, or use another -o",
			            sub);
			goto out_close;
		}
		if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0) {
			as_path_err(err, errlen, dir, "cannot clear it: %s", strerror(errno));
			goto out_close;
		}
	}
	note_owner(fd);
	return fd;
out_close:
	if (made && locked)
		unlink(lock);
	close(fd);
	return -1;
}

int as_results_dir_new(const char *suffix, char *out, size_t outlen, char *err, size_t errlen)
{
	char stamp[64];
	time_t now = time(NULL);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&now));
	if (as_mkdir_p("results", err, errlen) != 0) {
		/* where, and the way out: a user in a folder not theirs read
		 * only "results: cannot create folder: Permission denied" */
		char cwd[PATH_MAX];
		size_t n = strlen(err);
		snprintf(err + n, errlen - n,
		         " (the default results/ in %s; -o DIR writes elsewhere)",
		         getcwd(cwd, sizeof(cwd)) ? cwd : "the current folder");
		return -1;
	}
	for (int s = 1; s < 10000; s++) {
		int n = s == 1 ? snprintf(out, outlen, "results/%s%s", stamp, suffix)
		               : snprintf(out, outlen, "results/%s%s-%d", stamp, suffix, s);
		if (n < 0 || (size_t)n >= outlen) {
			snprintf(err, errlen, "results/%s%s: path too long", stamp, suffix);
			return -1;
		}
		if (mkdir(out, 0755) == 0)
			return 0;
		if (errno != EEXIST) {
			as_path_err(err, errlen, out, "cannot create folder: %s", strerror(errno));
			return -1;
		}
	}
	snprintf(err, errlen, "results/%s%s: too many folders with that name", stamp, suffix);
	return -1;
}

void as_results_dir_release(int lock_fd)
{
	if (lock_fd >= 0)
		close(lock_fd);
}

int as_results_dir_unstarted(const char *dir)
{
	int ours;
	return has_files(dir, &ours) == 0;
}

void as_results_dir_unclaim(const char *dir, int created)
{
	char lock[PATH_MAX];
	if (!as_results_dir_unstarted(dir) ||
	    (size_t)snprintf(lock, sizeof(lock), "%s/%s", dir, AS_DIR_LOCK) >= sizeof(lock))
		return;
	unlink(lock);
	if (created)
		rmdir(dir);
}
