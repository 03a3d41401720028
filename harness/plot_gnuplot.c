/* plot_gnuplot.c - finds gnuplot and the chart scripts, writes each chart's
 * data file and runs one gnuplot per chart (a few at a time) for every
 * format, then checks what it drew. Prints nothing: what went wrong is left
 * in each chart's error for the caller. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plot_int.h"

int plot_find_in_path(const char *prog, char *out, size_t len)
{
	const char *path = getenv("PATH");
	if (strchr(prog, '/')) {
		if (plot_path(out, len, "%s", prog) != 0)
			return -1;
		return access(out, X_OK);
	}
	while (path && *path) {
		size_t n = strcspn(path, ":");
		if (plot_path(out, len, "%.*s/%s", (int)n, n ? path : ".", prog) == 0 &&
		    access(out, X_OK) == 0)
			return 0;
		path += n;
		if (*path == ':')
			path++;
	}
	return -1;
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

/* Start one gnuplot for a chart: for each format "-e VARS style.gp
 * SCRIPT.gp" in turn, in the scripts folder; stdout and stderr go to LOG.
 * Returns the child's pid or -1. */
static pid_t start_gnuplot(const char *gnuplot, char *const *args, int nargs, const char *scripts,
                           const char *log)
{
	char *argv[40];
	pid_t pid;
	int fd, n = 0;
	argv[n++] = "gnuplot";
	for (int i = 0; i < nargs && n < 39; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = fork();
	if (pid != 0)
		return pid;
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, 2);
		dup2(fd, 1);
	}
	if (chdir(scripts) != 0)
		_exit(127);
	execv(gnuplot, argv);
	_exit(127);
}

/* The gnuplot error in LOG: its last non-empty line ("file" line N: why). */
static void first_line_of(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[512], last[512] = "";
	snprintf(out, len, "gnuplot failed (see %s)", path);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[strspn(line, " ^")] != '\0')
			snprintf(last, sizeof(last), "%s", line);
	}
	fclose(f);
	if (*last)
		snprintf(out, len, "gnuplot: %s (see %s)", last, path);
}

static const struct {
	unsigned bit;
	const char *fmt, *suffix;
	int scale;
} formats[] = {
    {AS_PLOT_PNG, "png", ".png", 1},
    {AS_PLOT_PNG, "png", "@2x.png", 2},
    {AS_PLOT_SVG, "svg", ".svg", 1},
    {AS_PLOT_PDF, "pdf", ".pdf", 1},
};

/* Whether chart C's files exist and are non-empty, after its gnuplot
 * exited with STATUS; sets c->drawn, c->error, and removes the log when
 * drawn. */
static void finish_chart(chart_t *c, int status, const char *chart_dir, unsigned fmts)
{
	char log[PLOT_PATH_MAX];
	if (plot_path(log, sizeof(log), "%s/data/%s.log", chart_dir, c->name) != 0) {
		snprintf(c->error, sizeof(c->error), "%s: path too long", chart_dir);
		c->drawn = 0;
		return;
	}
	c->drawn = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
		char out[PLOT_PATH_MAX];
		struct stat st;
		if (!(fmts & formats[f].bit))
			continue;
		if (plot_path(out, sizeof(out), "%s/%s%s", chart_dir, c->name, formats[f].suffix) !=
		        0 ||
		    stat(out, &st) != 0 || st.st_size == 0)
			c->drawn = 0;
	}
	if (c->drawn)
		unlink(log);
	else
		first_line_of(log, c->error, sizeof(c->error));
}

/* Where a chart's drawing happens: the absolute chart folder, its data
 * folder, and the scripts. */
typedef struct {
	const char *chart_dir, *data_dir, *gnuplot, *scripts, *style;
	unsigned fmts;
} draw_t;

/* Write chart C's data file and start its gnuplot. Returns the pid, or 0
 * with c->error set when the chart cannot be drawn. */
static pid_t start_chart(const draw_t *d, chart_t *c)
{
	as_buf_t v[4] = {{0}};
	char name[300], log[PLOT_PATH_MAX], dpath[PLOT_PATH_MAX], chart[PLOT_PATH_MAX];
	char err[1024], *args[16];
	int na = 0, nout = 0;
	pid_t pid;

	if (plot_path(name, sizeof(name), "%s.dat", c->name) != 0 ||
	    plot_path(dpath, sizeof(dpath), "%s/%s", d->data_dir, name) != 0 ||
	    plot_path(log, sizeof(log), "%s/%s.log", d->data_dir, c->name) != 0 ||
	    plot_path(chart, sizeof(chart), "%s/%s.gp", d->scripts, c->script) != 0) {
		snprintf(c->error, sizeof(c->error), "%s: path too long", d->chart_dir);
		return 0;
	}
	if (as_write_file_atomic(d->data_dir, name, &c->data, err, sizeof(err)) != 0) {
		snprintf(c->error, sizeof(c->error), "%s", err);
		return 0;
	}
	if (!d->gnuplot) {
		snprintf(c->error, sizeof(c->error), "gnuplot not found");
		return 0;
	}
	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
		char out[PLOT_PATH_MAX];
		if (!(d->fmts & formats[f].bit))
			continue;
		if (plot_path(out, sizeof(out), "%s/%s%s", d->chart_dir, c->name,
		              formats[f].suffix) != 0) {
			snprintf(c->error, sizeof(c->error), "%s: path too long", d->chart_dir);
			pid = 0;
			goto out_free;
		}
		unlink(out);
		as_buf_add(&v[nout], c->vars.data ? c->vars.data : "", c->vars.len);
		plot_vars_str(&v[nout], "FMT", formats[f].fmt);
		as_buf_printf(&v[nout], "SCALE=%d; ", formats[f].scale);
		plot_vars_str(&v[nout], "DATA", dpath);
		plot_vars_str(&v[nout], "OUT", out);
		args[na++] = "-e";
		args[na++] = v[nout].data;
		args[na++] = (char *)d->style;
		args[na++] = chart;
		nout++;
	}
	pid = start_gnuplot(d->gnuplot, args, na, d->scripts, log);
	if (pid < 0) {
		snprintf(c->error, sizeof(c->error), "cannot start gnuplot: %s", strerror(errno));
		pid = 0;
	}
out_free:
	for (int k = 0; k < nout; k++)
		as_buf_free(&v[k]);
	return pid;
}

/* Reap the finished ones among our own children (the caller may have
 * others); returns how many were reaped, and counts the not drawn. */
static int reap_charts(charts_t *cs, pid_t *pids, const draw_t *d, int *bad)
{
	int reaped = 0;
	for (int k = 0; k < cs->n; k++) {
		int status;
		if (pids[k] <= 0 || waitpid(pids[k], &status, WNOHANG) != pids[k])
			continue;
		pids[k] = 0;
		reaped++;
		finish_chart(&cs->ch[k], status, d->chart_dir, d->fmts);
		*bad += !cs->ch[k].drawn;
	}
	return reaped;
}

/* Write each chart's data file and draw it in every format, a few gnuplot
 * processes at a time (one per online CPU, at most 4). */
int plot_draw_charts(charts_t *cs, const char *chart_dir, unsigned fmts, const char *gnuplot,
                     const char *scripts, char *err, size_t errlen)
{
	char data_dir[PLOT_PATH_MAX], style[PLOT_PATH_MAX], abs_dir[PATH_MAX];
	pid_t pids[MAXCH];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int bad = 0, running = 0, jobs = ncpu < 1 ? 1 : ncpu > 4 ? 4 : (int)ncpu;
	draw_t d = {NULL, data_dir, gnuplot, scripts, style, fmts};

	if (plot_path(data_dir, sizeof(data_dir), "%s/data", chart_dir) != 0 ||
	    plot_path(style, sizeof(style), "%s/style.gp", scripts) != 0)
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
	for (int i = 0; i <= cs->n; i++) {
		/* wait for a slot, or for everything at the end */
		while (running > 0 && (running >= jobs || i == cs->n)) {
			int reaped = reap_charts(cs, pids, &d, &bad);
			running -= reaped;
			if (!reaped)
				nanosleep(&(struct timespec){0, 5000000}, NULL);
		}
		if (i == cs->n)
			break;
		pids[i] = start_chart(&d, &cs->ch[i]);
		if (pids[i] == 0)
			bad++;
		else
			running++;
	}
	return bad;
}
