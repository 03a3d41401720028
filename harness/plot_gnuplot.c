/* plot_gnuplot.c - finds gnuplot and the chart scripts, writes each chart's
 * data file and draws the charts: a few gnuplot processes per folder (one
 * per CPU, at most 4), each fed one script that draws its share of the
 * charts in every format, then checks what it drew. A gnuplot error in one
 * chart ends that process: the charts after it are drawn by a new one.
 * Prints nothing: what went wrong is left in each chart's error. */
#define _GNU_SOURCE
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

#include "plot_int.h"
#include "oom.h"
#include "util.h"

/* What a gnuplot script prints when chart K is finished. */
#define DONE_MARK "allocscope-done "

int plot_find_in_path(const char *prog, char *out, size_t len)
{
	return as_find_program(prog, out, len) == 0 ? 0 : -1;
}

int plot_find_scripts(char *out, size_t len)
{
	const char *env = getenv("ALLOCSCOPE_PLOTS_DIR");
	const char *dirs[] = {env, AS_SOURCE_DIR "/plots", AS_INSTALL_PLOTS_DIR};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char p[PLOT_PATH_MAX];
		if (!dirs[i] || plot_path(p, sizeof(p), "%s/style.gp", dirs[i]) != 0)
			continue;
		if (access(p, R_OK) == 0) {
			char abs[PATH_MAX];
			return plot_path(out, len, "%s", realpath(dirs[i], abs) ? abs : dirs[i]);
		}
	}
	return -1;
}

/* Start gnuplot on SCRIPT in the scripts folder; stdout and stderr go to
 * LOG. Returns the child's pid or -1. */
static pid_t start_gnuplot(const char *gnuplot, const char *script, const char *scripts,
                           const char *log)
{
	pid_t parent = getpid(), pid = fork();
	int fd;
	if (pid != 0)
		return pid;
	/* a plot killed (or a run, a suite drawing its charts) takes its
	 * gnuplots with it: until session 25 they drew on into the folder */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
		_exit(127);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, 2);
		dup2(fd, 1);
	}
	if (chdir(scripts) != 0)
		_exit(127);
	execl(gnuplot, "gnuplot", script, (char *)NULL);
	_exit(127);
}

/* The gnuplot error in LOG after its last "allocscope-done" line: the last
 * non-empty line ("file" line N: why). */
static void error_of(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[512], last[512] = "";
	snprintf(out, len, "gnuplot failed (see %s)", path);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, DONE_MARK, strlen(DONE_MARK)))
			*last = '\0';
		else if (line[strspn(line, " ^")] != '\0')
			snprintf(last, sizeof(last), "%s", line);
	}
	fclose(f);
	if (*last)
		snprintf(out, len, "gnuplot: %s (see %s)", last, path);
}

/* The charts LOG says were finished: the highest "allocscope-done K". */
static int last_done(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int k = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, DONE_MARK, strlen(DONE_MARK)))
			k = atoi(line + strlen(DONE_MARK));
	fclose(f);
	return k;
}

static const struct {
	unsigned bit;
	const char *fmt, *suffix;
	int scale;
} formats[] = {
    {AS_PLOT_PNG, "png", ".png", 1},
    {AS_PLOT_PNG2X, "png", "@2x.png", 2},
    {AS_PLOT_SVG, "svg", ".svg", 1},
    {AS_PLOT_PDF, "pdf", ".pdf", 1},
};

/* The time a PDF says it was made: $SOURCE_DATE_EPOCH (the reproducible-
 * builds convention) when set, else the epoch, so that plotting a folder
 * twice gives the same bytes. */
static time_t pdf_epoch(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v = e ? strtoll(e, &end, 10) : 0;
	return e && *e && !*end && v >= 0 ? (time_t)v : 0;
}

/* Set the dates in PDF file PATH to pdf_epoch(), in place: cairo 1.16
 * writes the time of drawing as "/CreationDate (D:YYYYMMDDHHMMSS" and
 * ignores SOURCE_DATE_EPOCH; the digits are overwritten one for one, so
 * every offset in the file stays right. Returns 0, or -1 (errno). */
static int pdf_fix_date(const char *path)
{
	static const char *keys[] = {"/CreationDate (D:", "/ModDate (D:"};
	struct tm tm;
	char date[32], *text = NULL;
	time_t t = pdf_epoch();
	long size;
	int rc = -1;
	FILE *f = fopen(path, "r+b");
	if (!f)
		return -1;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y%m%d%H%M%S", &tm);
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(text = malloc((size_t)size + 1)) || fread(text, 1, (size_t)size, f) != (size_t)size)
		goto out_pdf;
	text[size] = '\0';
	rc = 0;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]) && rc == 0; k++) {
		char *p = memmem(text, (size_t)size, keys[k], strlen(keys[k]));
		if (!p || strspn(p + strlen(keys[k]), "0123456789") < 14)
			continue;
		if (fseek(f, p + strlen(keys[k]) - text, SEEK_SET) != 0 ||
		    fwrite(date, 1, 14, f) != 14)
			rc = -1;
	}
out_pdf:
	free(text);
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* Whether PATH ends as a whole file of format BIT does: a PNG with its
 * IEND chunk, an SVG with </svg>, a PDF with %%EOF (trailing white space
 * allowed). gnuplot's cairo terminals report no failed write: a chart cut
 * by a full disk was taken for drawn and shown in report.md. */
static int ends_whole(const char *path, unsigned bit)
{
	static const unsigned char png_end[] = {'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
	unsigned char tail[64];
	const char *end = bit == AS_PLOT_SVG ? "</svg>" : bit == AS_PLOT_PDF ? "%%EOF" : NULL;
	size_t n = 0, want;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t size = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
	if (size > 0) {
		off_t from = size > (off_t)sizeof(tail) ? size - (off_t)sizeof(tail) : 0;
		ssize_t got = pread(fd, tail, (size_t)(size - from), from);
		n = got > 0 ? (size_t)got : 0;
	}
	if (fd >= 0)
		close(fd);
	if (!end) /* PNG: the chunk is the file's last bytes */
		return n >= sizeof(png_end) &&
		       !memcmp(tail + n - sizeof(png_end), png_end, sizeof(png_end));
	while (n && (tail[n - 1] == '\n' || tail[n - 1] == '\r' || tail[n - 1] == ' '))
		n--;
	want = strlen(end);
	return n >= want && !memcmp(tail + n - want, end, want);
}

/* Whether chart C's files exist, are non-empty and whole; sets c->drawn
 * and, when not, c->error (unless the caller set it already). A file cut
 * short is removed: nothing half-written is left looking like a chart. */
static void finish_chart(chart_t *c, const char *chart_dir, unsigned fmts)
{
	c->drawn = !*c->error;
	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
		char out[PLOT_PATH_MAX];
		struct stat st;
		int named;
		if (!(fmts & formats[f].bit))
			continue;
		named = plot_path(out, sizeof(out), "%s/%s%s", chart_dir, c->name,
		                  formats[f].suffix) == 0;
		if (!named || stat(out, &st) != 0 || st.st_size == 0) {
			if (c->drawn) {
				char why[sizeof(c->name) + 64];
				snprintf(why, sizeof(why), "gnuplot wrote no %s%s", c->name,
				         formats[f].suffix);
				snprintf(c->error, sizeof(c->error), "%s", why);
			}
			if (named && stat(out, &st) == 0 && st.st_size == 0)
				unlink(out); /* begun, nothing written: no empty chart file */
			c->drawn = 0;
		} else if (!ends_whole(out, formats[f].bit)) {
			if (c->drawn)
				snprintf(c->error, sizeof(c->error),
				         "%.200s: cut short (a full disk?): removed", out);
			unlink(out);
			c->drawn = 0;
			c->unwritten = 1;
		} else if (formats[f].bit == AS_PLOT_PDF && pdf_fix_date(out) != 0 && c->drawn) {
			snprintf(c->error, sizeof(c->error), "%.200s: cannot set its date: %s", out,
			         strerror(errno));
			c->drawn = 0;
		}
	}
}

/* Where the drawing happens: the absolute chart folder, its data folder,
 * the scripts. */
typedef struct {
	const char *chart_dir, *data_dir, *gnuplot, *scripts;
	unsigned fmts;
	const char *user_vars; /* set after each chart's own: --width etc. */
} draw_t;

/* Write chart C's data file and append to S the commands that draw it in
 * every format, then print the done mark with its index K. Returns 0, or
 * -1 with c->error set. */
static int chart_commands(const draw_t *d, chart_t *c, int k, as_buf_t *s)
{
	char name[300], dpath[PLOT_PATH_MAX], err[1024];
	if (plot_path(name, sizeof(name), "%s.dat", c->name) != 0 ||
	    plot_path(dpath, sizeof(dpath), "%s/%s", d->data_dir, name) != 0) {
		snprintf(c->error, sizeof(c->error), "%s: path too long", d->chart_dir);
		return -1;
	}
	if (as_write_file_atomic(d->data_dir, name, &c->data, err, sizeof(err)) != 0) {
		snprintf(c->error, sizeof(c->error), "%s", err);
		c->unwritten = 1;
		return -1;
	}
	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
		char out[PLOT_PATH_MAX];
		if (!(d->fmts & formats[f].bit))
			continue;
		if (plot_path(out, sizeof(out), "%s/%s%s", d->chart_dir, c->name,
		              formats[f].suffix) != 0) {
			snprintf(c->error, sizeof(c->error), "%s: path too long", d->chart_dir);
			return -1;
		}
		unlink(out);
		/* nothing of the previous chart may leak into this one */
		as_buf_printf(s, "reset session\n");
		as_buf_add(s, c->vars.data ? c->vars.data : "", c->vars.len);
		as_buf_printf(s, "%s", d->user_vars ? d->user_vars : "");
		plot_vars_str(s, "FMT", formats[f].fmt);
		as_buf_printf(s, "SCALE=%d; ", formats[f].scale);
		plot_vars_path(s, "DATA", dpath);
		plot_vars_path(s, "OUT", out);
		as_buf_printf(s, "\nload 'style.gp'\nload '%s.gp'\nunset output\n", c->script);
	}
	as_buf_printf(s, "print '" DONE_MARK "%d'\n", k);
	return 0;
}

/* One gnuplot process and the charts it draws, in order. */
typedef struct {
	int *idx, n; /* chart indexes */
	int next;    /* the first of them not finished yet */
	pid_t pid;
} worker_t;

/* Start worker W's gnuplot on its charts from w->next: their data files
 * and one script. Charts that cannot be prepared are finished as not
 * drawn. Returns 0 when a gnuplot runs, -1 when nothing is left. */
static int start_worker(const draw_t *d, charts_t *cs, worker_t *w, int wi)
{
	as_buf_t s = {0};
	char sname[64], spath[PLOT_PATH_MAX], log[PLOT_PATH_MAX], err[1024];
	int any = 0;
	w->pid = 0;
	if (w->next >= w->n)
		return -1;
	snprintf(sname, sizeof(sname), "draw-%d.gp", wi);
	if (plot_path(spath, sizeof(spath), "%s/%s", d->data_dir, sname) != 0 ||
	    plot_path(log, sizeof(log), "%s/draw-%d.log", d->data_dir, wi) != 0) {
		for (; w->next < w->n; w->next++)
			snprintf(cs->ch[w->idx[w->next]].error, sizeof(cs->ch[0].error),
			         "%s: path too long", d->chart_dir);
		return -1;
	}
	as_buf_printf(&s, "# allocscope plot: charts of one gnuplot process\n");
	for (int j = w->next; j < w->n; j++)
		any |= chart_commands(d, &cs->ch[w->idx[j]], j, &s) == 0;
	if (!any)
		*err = '\0';
	else if (!d->gnuplot)
		snprintf(err, sizeof(err), "gnuplot not found");
	else if (as_write_file_atomic(d->data_dir, sname, &s, err, sizeof(err)) != 0)
		;
	else if ((w->pid = start_gnuplot(d->gnuplot, spath, d->scripts, log)) < 0)
		snprintf(err, sizeof(err), "cannot start gnuplot: %s", strerror(errno));
	else
		*err = '\0';
	as_buf_free(&s);
	if (w->pid > 0)
		return 0;
	w->pid = 0;
	for (; w->next < w->n; w->next++) {
		chart_t *c = &cs->ch[w->idx[w->next]];
		if (!*c->error)
			snprintf(c->error, sizeof(c->error), "%s", *err ? err : "not drawn");
	}
	return -1;
}

/* Worker W's gnuplot exited with STATUS: finish the charts it did; on an
 * error the next chart is the failed one, and a new gnuplot takes the
 * rest. Returns 0 when it runs again, -1 when the worker is done. */
static int worker_exited(const draw_t *d, charts_t *cs, worker_t *w, int wi, int status)
{
	char log[PLOT_PATH_MAX], script[PLOT_PATH_MAX];
	int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	int done = 0;
	if (plot_path(log, sizeof(log), "%s/draw-%d.log", d->data_dir, wi) != 0 ||
	    plot_path(script, sizeof(script), "%s/draw-%d.gp", d->data_dir, wi) != 0)
		ok = 0, done = -1;
	else
		done = ok ? w->n - 1 : last_done(log);
	for (; w->next <= done && w->next < w->n; w->next++)
		finish_chart(&cs->ch[w->idx[w->next]], d->chart_dir, d->fmts);
	if (ok) {
		unlink(log);
		unlink(script);
		return -1;
	}
	if (w->next < w->n) {
		chart_t *c = &cs->ch[w->idx[w->next++]];
		char keep[PLOT_PATH_MAX];
		/* keep the failed script and its log next to the data files */
		if (plot_path(keep, sizeof(keep), "%s/%s.gp", d->data_dir, c->name) == 0)
			rename(script, keep);
		if (plot_path(keep, sizeof(keep), "%s/%s.log", d->data_dir, c->name) == 0 &&
		    rename(log, keep) == 0)
			snprintf(log, sizeof(log), "%s", keep);
		if (!*c->error)
			error_of(log, c->error, sizeof(c->error));
		c->drawn = 0;
	}
	return start_worker(d, cs, w, wi);
}

/* Write each chart's data file and draw it in every format, with a few
 * gnuplot processes (one per online CPU, at most 4) that each draw a share
 * of the charts. */
int plot_draw_charts(charts_t *cs, const char *chart_dir, unsigned fmts, const char *gnuplot,
                     const char *scripts, const char *user_vars, char *err, size_t errlen)
{
	char data_dir[PLOT_PATH_MAX], abs_dir[PATH_MAX];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int bad = 0, running = 0, jobs = ncpu < 1 ? 1 : ncpu > 4 ? 4 : (int)ncpu;
	worker_t w[4];
	draw_t d = {NULL, data_dir, gnuplot, scripts, fmts, user_vars};

	if (plot_path(data_dir, sizeof(data_dir), "%s/data", chart_dir) != 0)
		snprintf(err, errlen, "%s: path too long", chart_dir);
	else if (as_mkdir_p(data_dir, err, errlen) != 0)
		;
	/* gnuplot runs in the scripts folder: give it absolute paths */
	else if (!realpath(chart_dir, abs_dir))
		snprintf(err, errlen, "%s: %s", chart_dir, strerror(errno));
	else if (plot_path(data_dir, sizeof(data_dir), "%s/data", abs_dir) != 0)
		snprintf(err, errlen, "%s: path too long", abs_dir);
	else
		err = NULL;
	if (err) {
		for (int i = 0; i < cs->n; i++)
			snprintf(cs->ch[i].error, sizeof(cs->ch[i].error), "%s", err);
		return cs->n;
	}
	d.chart_dir = abs_dir;
	if (jobs > cs->n)
		jobs = cs->n;
	/* chart i to worker i % jobs: the big charts of a kind spread out */
	for (int k = 0; k < jobs; k++) {
		w[k] = (worker_t){malloc(sizeof(int) * (size_t)(cs->n / jobs + 1)), 0, 0, 0};
		if (!w[k].idx)
			as_oom("plot: gnuplot jobs", 0);
	}
	for (int i = 0; i < cs->n; i++) {
		worker_t *wk = &w[i % jobs];
		wk->idx[wk->n++] = i;
	}
	for (int k = 0; k < jobs; k++)
		running += start_worker(&d, cs, &w[k], k) == 0;
	/* reap only our own children: the caller may have others */
	while (running > 0) {
		int reaped = 0;
		for (int k = 0; k < jobs; k++) {
			int status;
			if (w[k].pid <= 0 || waitpid(w[k].pid, &status, WNOHANG) != w[k].pid)
				continue;
			reaped++;
			if (worker_exited(&d, cs, &w[k], k, status) != 0)
				running--;
		}
		if (!reaped)
			nanosleep(&(struct timespec){0, 5000000}, NULL);
	}
	for (int k = 0; k < jobs; k++)
		free(w[k].idx);
	for (int i = 0; i < cs->n; i++)
		bad += !cs->ch[i].drawn;
	return bad;
}
