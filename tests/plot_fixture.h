/* plot_fixture.h - what the plot tests that write their own small results
 * folders share (test_plot_figures.c, test_plot_notes.c): the CLI from
 * $ALLOCSCOPE, a temporary folder, files written and read back, `allocscope
 * plot` run with the includer's PLOT_FIXTURE_OPTS, and a markdown table's
 * row. Static: one copy per test program. */
#ifndef AS_PLOT_FIXTURE_H
#define AS_PLOT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PLOT_FIXTURE_OPTS
#define PLOT_FIXTURE_OPTS "--format svg"
#endif

static const char *cli;
static char tmp[256];
static char err_text[65536];
static int have_gnuplot;

static size_t slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	return n;
}

/* Write TEXT to DIR/NAME. */
static void put(const char *dir, const char *name, const char *text)
{
	char p[1024];
	FILE *f;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "%s: cannot write\n", p);
		exit(1);
	}
}

/* A new results folder tmp/NAME (path in dir). */
static void folder(const char *name, char *dir, size_t len)
{
	snprintf(dir, len, "%s/%s", tmp, name);
	mkdir(dir, 0755);
}

/* A case that draws: skipped visibly (WHAT) without gnuplot, 0; else a
 * new folder tmp/NAME (path in dir), 1. */
static inline int drawing_folder(const char *name, const char *what, char *dir, size_t len)
{
	if (!have_gnuplot) {
		as_check_skip_case("%s: no gnuplot", what);
		return 0;
	}
	folder(name, dir, len);
	return 1;
}

/* `allocscope plot DIR PLOT_FIXTURE_OPTS ARGS`: the exit code. */
static int plot(const char *dir, const char *args)
{
	char cmd[4096], p[600];
	int rc;
	snprintf(cmd, sizeof(cmd),
	         "CI=1 %s plot '%s' " PLOT_FIXTURE_OPTS " %s >/dev/null 2>%s/err.txt", cli, dir,
	         args, tmp);
	rc = system(cmd);
	snprintf(p, sizeof(p), "%s/err.txt", tmp);
	slurp(p, err_text, sizeof(err_text));
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* DIR/REL into buf (static, one at a time per caller). */
static const char *file(const char *dir, const char *rel, char *buf, size_t len)
{
	char p[1024];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	slurp(p, buf, len);
	return buf;
}

/* The cells of the table row starting "| NAME |" in md: cells[i] the
 * i-th cell after the name. Returns the count. */
static int md_row(const char *md, const char *name, char cells[][64], int max)
{
	char key[128];
	const char *p;
	int n = 0;
	snprintf(key, sizeof(key), "\n| %s |", name);
	if (!(p = strstr(md, key)))
		return 0;
	p += strlen(key);
	while (n < max && *p && *p != '\n') {
		size_t l = strcspn(p, "|\n");
		const char *a = p, *b = p + l;
		while (a < b && *a == ' ')
			a++;
		while (b > a && b[-1] == ' ')
			b--;
		if (p[l] != '|')
			break;
		snprintf(cells[n++], 64, "%.*s", (int)(b - a), a);
		p += l + 1;
	}
	return n;
}

/* The CLI from $ALLOCSCOPE and a new temporary folder for test NAME, and
 * whether gnuplot is there; 0, or -1 after a line on stderr. */
static int plot_fixture_start(const char *name)
{
	cli = getenv("ALLOCSCOPE");
	if (!cli) {
		fprintf(stderr, "%s: run through ctest (ALLOCSCOPE)\n", name);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "/tmp/as_%s.XXXXXX", name);
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return -1;
	}
	have_gnuplot = system("command -v gnuplot >/dev/null 2>&1") == 0;
	return 0;
}

/* The temporary folder removed when every check passed (kept and named
 * when one failed); the test's exit code. */
static int plot_fixture_end(void)
{
	if (as_checks_failed == 0) {
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmp);
	} else {
		fprintf(stderr, "kept %s\n", tmp);
	}
	return as_check_done();
}

#endif /* AS_PLOT_FIXTURE_H */
