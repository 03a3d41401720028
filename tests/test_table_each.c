/* test_table_each.c - as_table_each, trials.csv read one row at a time
 * (what --resume reads now), against as_table_read, the whole table: on
 * files with a quoted cell holding a comma and a line end, a short row, a
 * long one, a NUL byte, a last row cut short (no line end), and with a
 * KEEP list, every row's cells, field count and damage are the same; a
 * bad header (empty file, a column twice, a NUL byte) is the same error,
 * said before any row; FN's non-zero return stops the reading. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "trials_read.h"

typedef struct {
	const as_table_t *whole;
	size_t rows, stop_at;
	int mismatches;
} cmp_t;

static int same_row(const as_table_t *row, size_t line, void *ctx)
{
	cmp_t *c = ctx;
	const as_table_t *w = c->whole;
	char a[64], b[64];
	const char *da, *db;
	if (line != c->rows || line >= w->nrows || row->nrows != 1 || row->ncols != w->ncols) {
		c->mismatches++;
		return -1;
	}
	for (size_t i = 0; i < w->ncols; i++)
		if (strcmp(row->head[i], w->head[i]) ||
		    strcmp(as_table_str(row, 0, w->head[i]), as_table_str(w, line, w->head[i])))
			c->mismatches++;
	da = as_table_row_damage(row, 0, a, sizeof(a));
	db = as_table_row_damage(w, line, b, sizeof(b));
	if ((da == NULL) != (db == NULL) || (da && strcmp(da, db)))
		c->mismatches++;
	c->rows++;
	return c->stop_at && c->rows == c->stop_at;
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	CHECK(f && fwrite(text, 1, len, f) == len);
	if (f)
		fclose(f);
}

/* TEXT (LEN bytes) read both ways, with KEEP. */
static void both(const char *path, const char *text, size_t len, const char *const *keep)
{
	as_table_t t;
	char err[256], err2[256] = "";
	cmp_t c = {&t, 0, 0, 0};
	int rc, rc2;
	write_file(path, text, len);
	rc = as_table_read_cols(path, keep, &t, err, sizeof(err));
	rc2 = as_table_each(path, keep, same_row, &c, err2, sizeof(err2));
	CHECKF(rc == rc2, "%.40s: whole %d, row by row %d (%s)", text, rc, rc2, err2);
	if (rc == 0) {
		CHECKF(c.mismatches == 0 && c.rows == t.nrows,
		       "%.40s: %d mismatches, %zu of %zu rows", text, c.mismatches, c.rows,
		       t.nrows);
		as_table_free(&t);
	} else {
		CHECKF(!strcmp(err, err2) && c.rows == 0, "%.40s: '%s' against '%s', %zu rows",
		       text, err, err2, c.rows);
	}
}

int main(void)
{
	char path[] = "/tmp/test_table_each.XXXXXX";
	static const char *const keep[] = {"b", "d", "nope", NULL};
	static const char good[] = "a,b,c,d\n1,\"x,\ny\",3,4\n5,6\n7,8,9,10,11\n,,,\n12,13,14,15";
	static const char nul[] = "a,b\n1,2\n3,4\0x\n5,6\n";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return as_check_done();
	close(fd);
	both(path, good, sizeof(good) - 1, NULL);
	both(path, good, sizeof(good) - 1, keep);
	both(path, "a,b\n1,2\n", 8, NULL);
	both(path, "a,b\n", 4, NULL);
	both(path, nul, sizeof(nul) - 1, NULL);
	both(path, "", 0, NULL);
	both(path, "a,b,a\n1,2,3\n", 12, NULL);
	both(path, "a,\0b\n1,2\n", 9, NULL);
	{ /* a non-zero return stops it */
		as_table_t t;
		char err[256] = "";
		cmp_t c = {&t, 0, 2, 0};
		write_file(path, good, sizeof(good) - 1);
		CHECK(as_table_read(path, &t, err, sizeof(err)) == 0);
		CHECK(as_table_each(path, NULL, same_row, &c, err, sizeof(err)) == -1);
		CHECKF(c.rows == 2 && !*err, "stopped after %zu rows, err '%s'", c.rows, err);
		as_table_free(&t);
	}
	unlink(path);
	return as_check_done();
}
