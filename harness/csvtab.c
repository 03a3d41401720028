/* csvtab.c - see csvtab.h. */
#define _GNU_SOURCE
#include "csvtab.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	char **cur; /* fields of the row being parsed */
	int ncur, capcur;
	char ***rows; /* finished rows */
	int *rowlen;
	int nrows, caprows;
	int oom;
} loader_t;

static void on_field(void *s, size_t len, void *vl)
{
	loader_t *l = vl;
	char *f;
	if (l->ncur == l->capcur) {
		int ncap = l->capcur ? l->capcur * 2 : 32;
		char **n = realloc(l->cur, (size_t)ncap * sizeof(*n));
		if (!n) {
			l->oom = 1;
			return;
		}
		l->cur = n;
		l->capcur = ncap;
	}
	f = strndup(s ? s : "", s ? len : 0);
	if (!f) {
		l->oom = 1;
		return;
	}
	l->cur[l->ncur++] = f;
}

static void on_row(int c, void *vl)
{
	loader_t *l = vl;
	(void)c;
	if (l->nrows == l->caprows) {
		int ncap = l->caprows ? l->caprows * 2 : 256;
		char ***n = realloc(l->rows, (size_t)ncap * sizeof(*n));
		int *nl = realloc(l->rowlen, (size_t)ncap * sizeof(*nl));
		if (n)
			l->rows = n;
		if (nl)
			l->rowlen = nl;
		if (!n || !nl) {
			l->oom = 1;
			return;
		}
		l->caprows = ncap;
	}
	l->rows[l->nrows] = l->cur;
	l->rowlen[l->nrows] = l->ncur;
	l->nrows++;
	l->cur = NULL;
	l->ncur = l->capcur = 0;
}

static void loader_free(loader_t *l)
{
	for (int i = 0; i < l->nrows; i++) {
		for (int j = 0; j < l->rowlen[i]; j++)
			free(l->rows[i][j]);
		free(l->rows[i]);
	}
	for (int j = 0; j < l->ncur; j++)
		free(l->cur[j]);
	free(l->cur);
	free(l->rows);
	free(l->rowlen);
}

int as_csvtab_load(const char *path, as_csvtab_t *t, char *err, size_t errlen)
{
	struct csv_parser p;
	loader_t l = {0};
	char buf[65536];
	size_t n;
	int rc = -1;
	FILE *f;

	memset(t, 0, sizeof(*t));
	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (csv_init(&p, CSV_APPEND_NULL) != 0) {
		snprintf(err, errlen, "%s: cannot start the CSV parser", path);
		goto out_file;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (csv_parse(&p, buf, n, on_field, on_row, &l) != n) {
			snprintf(err, errlen, "%s: not valid CSV: %s", path,
			         csv_strerror(csv_error(&p)));
			goto out_parser;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		goto out_parser;
	}
	if (csv_fini(&p, on_field, on_row, &l) != 0) {
		snprintf(err, errlen, "%s: not valid CSV: %s", path, csv_strerror(csv_error(&p)));
		goto out_parser;
	}
	if (l.oom) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out_parser;
	}
	if (l.nrows < 1 || l.rowlen[0] < 1) {
		snprintf(err, errlen, "%s: empty file, expected a header row", path);
		goto out_parser;
	}
	t->ncols = l.rowlen[0];
	t->nrows = l.nrows - 1;
	t->head = l.rows[0];
	l.rows[0] = NULL;
	l.rowlen[0] = 0;
	t->cells = calloc((size_t)t->nrows * (size_t)t->ncols + 1, sizeof(char *));
	if (!t->cells) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out_parser;
	}
	for (int i = 0; i < t->nrows; i++) {
		char **r = l.rows[i + 1];
		for (int j = 0; j < t->ncols; j++) {
			char **dst = &t->cells[(size_t)i * (size_t)t->ncols + (size_t)j];
			if (j < l.rowlen[i + 1]) {
				*dst = r[j];
				r[j] = NULL;
			} else {
				*dst = strdup("");
			}
		}
	}
	rc = 0;
out_parser:
	csv_free(&p);
	loader_free(&l);
	if (rc != 0)
		as_csvtab_free(t);
out_file:
	fclose(f);
	return rc;
}

void as_csvtab_free(as_csvtab_t *t)
{
	if (t->cells)
		for (size_t i = 0; i < (size_t)t->nrows * (size_t)t->ncols; i++)
			free(t->cells[i]);
	if (t->head)
		for (int j = 0; j < t->ncols; j++)
			free(t->head[j]);
	free(t->cells);
	free(t->head);
	memset(t, 0, sizeof(*t));
}

int as_csvtab_col(const as_csvtab_t *t, const char *name)
{
	for (int j = 0; j < t->ncols; j++)
		if (!strcmp(t->head[j], name))
			return j;
	return -1;
}

const char *as_csvtab_str(const as_csvtab_t *t, int row, int col)
{
	if (col < 0 || col >= t->ncols || row < 0 || row >= t->nrows)
		return "";
	return t->cells[(size_t)row * (size_t)t->ncols + (size_t)col];
}

double as_csvtab_num(const as_csvtab_t *t, int row, int col)
{
	const char *s = as_csvtab_str(t, row, col);
	char *end;
	double v;
	if (!*s)
		return NAN;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE)
		return NAN;
	return v;
}
