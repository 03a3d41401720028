/* csvread.h - test helper: read one results CSV into memory and look up a
 * cell by row and column name (libcsv does the parsing). Small files only. */
#ifndef AS_CSVREAD_H
#define AS_CSVREAD_H

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSVR_MAX_CELLS 200000

typedef struct {
	char *cell[CSVR_MAX_CELLS];
	int ncells, ncols, nrows; /* nrows excludes the header */
	int col;
} csvr_t;

static void csvr_field(void *s, size_t len, void *ctx)
{
	csvr_t *t = ctx;
	if (t->ncells < CSVR_MAX_CELLS) {
		char *c = malloc(len + 1);
		memcpy(c, s, len);
		c[len] = '\0';
		t->cell[t->ncells++] = c;
	}
	t->col++;
}

static void csvr_row(int ch, void *ctx)
{
	csvr_t *t = ctx;
	(void)ch;
	if (t->ncols == 0)
		t->ncols = t->col;
	else
		t->nrows++;
	t->col = 0;
}

/* Returns 0, or -1 when the file cannot be read. */
static inline int csvr_load(csvr_t *t, const char *path)
{
	struct csv_parser p;
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "r");
	memset(t, 0, sizeof(*t));
	if (!f)
		return -1;
	csv_init(&p, 0);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		csv_parse(&p, buf, n, csvr_field, csvr_row, t);
	csv_fini(&p, csvr_field, csvr_row, t);
	csv_free(&p);
	fclose(f);
	return 0;
}

/* Cell of data row r (0-based) in column `name`, or NULL. */
static inline const char *csvr_get(const csvr_t *t, int r, const char *name)
{
	for (int c = 0; c < t->ncols; c++)
		if (!strcmp(t->cell[c], name)) {
			int i = (r + 1) * t->ncols + c;
			return i < t->ncells ? t->cell[i] : NULL;
		}
	return NULL;
}

static inline double csvr_num(const csvr_t *t, int r, const char *name)
{
	const char *s = csvr_get(t, r, name);
	return s && *s ? strtod(s, NULL) : -1;
}

static inline void csvr_free(csvr_t *t)
{
	for (int i = 0; i < t->ncells; i++)
		free(t->cell[i]);
	t->ncells = 0;
}

#endif /* AS_CSVREAD_H */
