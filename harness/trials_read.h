/* trials_read.h - read a results CSV (trials.csv, series.csv, ...) back
 * through libcsv into a table of strings addressed by column name (or one
 * row at a time: as_table_each): the one reader of results files, used by
 * the suite summary, plot, --resume and every test, which find columns by
 * name and keep working when new columns are added. Not a general CSV API; not thread-safe. */
#ifndef AS_TRIALS_READ_H
#define AS_TRIALS_READ_H

#include <stddef.h>
#include <stdint.h>

typedef struct as_table {
	size_t ncols, nrows;
	size_t file_ncols;  /* the header's columns: ncols unless some were left out */
	char **head;        /* ncols names */
	char **cells;       /* nrows * ncols strings, row-major; "" when missing */
	size_t ragged_rows; /* rows whose field count differs from the header's */
	size_t *nfields;    /* nrows field counts, as read (missing cells are "") */
	unsigned char *nul; /* nrows flags: the row holds a NUL byte (binary data) */
	int last_unended;   /* the last row has no line end: the file was cut in it */
	char *text;         /* every string above, NUL-terminated, in one block */
} as_table_t;

/* Read PATH (header row first), a regular file. Returns 0, or -1 with
 * "PATH: reason" in err (also for a NUL byte in the header or a column
 * named twice). The caller releases the table with as_table_free. */
int as_table_read(const char *path, as_table_t *t, char *err, size_t errlen);

/* as_table_read, keeping only the columns named in KEEP (NULL-terminated;
 * NULL: all), in file order: a reader that needs a few columns of a
 * trials.csv of a million rows holds those alone (compare: ~10 of ~60).
 * A name KEEP has and the header not is simply absent (as_table_col -1).
 * Every row is still checked whole: its field count against the header's
 * (file_ncols), a NUL byte in any cell. */
int as_table_read_cols(const char *path, const char *const *keep, as_table_t *t, char *err,
                       size_t errlen);

/* Read PATH (as as_table_read_cols: a regular file, header first, KEEP's
 * columns or all) one row at a time: FN gets each row as row 0 of a table
 * of one (as_table_str, as_table_num and as_table_row_damage work on it;
 * the last row's "cut short" included) and LINE, its place among the rows
 * (0: the file's second line). The table and its strings live until FN
 * returns. Memory is the header and one row, whatever the file's size:
 * --resume reads a trials.csv of a million rows (700 MB as a table).
 * FN returns 0 to go on, anything else to stop. Returns 0, or -1: the
 * file cannot be read ("PATH: reason" in err, also for a bad header, as
 * as_table_read, before any row is handed over) or FN stopped (err
 * untouched: FN says why). */
typedef int (*as_table_row_fn)(const as_table_t *row, size_t line, void *ctx);
int as_table_each(const char *path, const char *const *keep, as_table_row_fn fn, void *ctx,
                  char *err, size_t errlen);

/* as_table_read_cols through as_table_each: FN gets the header first (a
 * table of no rows, LINE 0), then each row whole, every column, KEEP's or
 * not (row 0 of a table of one, LINE its place among the rows), and the
 * KEEP cells of each row it takes (returns 0) are kept in T, as
 * as_table_read_cols keeps them: a check of every cell of a file of
 * which the table holds a few columns (plot keeps 24 of a trials.csv's
 * 59, and checks each number). FN returns anything but 0 to stop: -1,
 * err untouched (FN says why), T empty. Returns 0, or -1 with "PATH:
 * reason" in err as as_table_read_cols; T is released with
 * as_table_free either way. */
int as_table_read_each(const char *path, const char *const *keep, as_table_row_fn fn, void *ctx,
                       as_table_t *t, char *err, size_t errlen);

/* Why row R is not a whole row of the table, or NULL: its field count is
 * not the header's ("3 of 40 fields"), it holds a NUL byte (a cell
 * "50\0999" would read as 50), or it is the last row and the file
 * ends inside it, with no line end ("no line end: cut short"; every row
 * allocscope writes ends in one, so a number there may have lost digits).
 * The text is in BUF. */
const char *as_table_row_damage(const as_table_t *t, size_t r, char *buf, size_t len);

/* Index of column NAME, or -1. */
int as_table_col(const as_table_t *t, const char *name);

/* Cell text of ROW in column NAME. Returns 0 with *cell set, or -1 when the
 * table has no column NAME or no row ROW (*cell = ""). For readers that
 * must tell a renamed or missing column from an empty (n/a) cell. The
 * string belongs to the table. */
int as_table_cell(const as_table_t *t, size_t row, const char *name, const char **cell);

/* Cell text ("" when the column is absent). */
const char *as_table_str(const as_table_t *t, size_t row, const char *name);

/* Cell as a number; NaN when absent, empty (n/a) or not a number as
 * allocscope writes one (decimal, finite: not "inf", "nan" or "0x10"). */
double as_table_num(const as_table_t *t, size_t row, const char *name);

/* v (a table cell) as a count (trial, rep, threads): 0 with *out, or -1
 * when it is empty, garbled, negative, fractional or over 2^32 - 1
 * (moved from resume.c in session 34: results.c needs it too). */
int as_table_count(double v, uint32_t *out);

void as_table_free(as_table_t *t);

#endif /* AS_TRIALS_READ_H */
