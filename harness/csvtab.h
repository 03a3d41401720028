/* csvtab.h - read a whole CSV file (header row + data rows) into memory
 * through libcsv, so quoting and embedded commas are handled by the library,
 * and look cells up by column name. For reading results files back (plots,
 * reports); not for writing them (results.h) and not for huge files. */
#ifndef AS_CSVTAB_H
#define AS_CSVTAB_H

#include <stddef.h>

typedef struct as_csvtab {
	char **cells; /* nrows * ncols strings, row-major; missing cells are "" */
	char **head;  /* ncols column names */
	int ncols, nrows;
} as_csvtab_t;

/* Load PATH. Returns 0; 1 when the file does not exist (t is left empty);
 * -1 with "PATH: reason" in err when it cannot be read or is not CSV with a
 * header row. The table owns its strings: free it with as_csvtab_free. */
int as_csvtab_load(const char *path, as_csvtab_t *t, char *err, size_t errlen);
void as_csvtab_free(as_csvtab_t *t);

/* Index of column NAME, or -1 when the file has no such column. */
int as_csvtab_col(const as_csvtab_t *t, const char *name);
/* Cell text ("" for a missing column, col < 0). */
const char *as_csvtab_str(const as_csvtab_t *t, int row, int col);
/* Cell as a number: NaN when the column is missing, the cell is empty (n/a)
 * or not a number. */
double as_csvtab_num(const as_csvtab_t *t, int row, int col);

#endif /* AS_CSVTAB_H */
