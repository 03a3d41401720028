/* tablecheck.h - the tests' view of results CSVs, read through the
 * harness's own reader (harness/trials_read.h, the one CSV reader). A lookup
 * of a column that does not exist is a failed check naming the column, so a
 * renamed or dropped column fails the test instead of reading as n/a. */
#ifndef AS_TABLECHECK_H
#define AS_TABLECHECK_H

#include <math.h>
#include <stdio.h>

#include "check.h"
#include "trials_read.h"

/* Read PATH into T (released first; T starts zeroed). Returns 0, or -1 with
 * a failed check naming the file and the reason. */
#define tc_load(path, t) tc_load_at(__FILE__, __LINE__, path, t)
/* Cell text of ROW in column NAME; "" and a failed check when the column or
 * the row does not exist. */
#define tc_str(t, row, name) tc_str_at(__FILE__, __LINE__, t, row, name)
/* Cell as a number (NaN when empty or not a number); NaN and a failed
 * check when the column or the row does not exist. */
#define tc_num(t, row, name) tc_num_at(__FILE__, __LINE__, t, row, name)

static inline int tc_load_at(const char *file, int line, const char *path, as_table_t *t)
{
	char err[1024];
	as_table_free(t);
	if (as_table_read(path, t, err, sizeof(err)) == 0)
		return 0;
	as_checks_failed++;
	fprintf(stderr, "%s:%d: check failed: cannot read %s\n", file, line, err);
	return -1;
}

static inline const char *tc_str_at(const char *file, int line, const as_table_t *t, size_t row,
                                    const char *name)
{
	const char *s;
	if (as_table_cell(t, row, name, &s) == 0)
		return s;
	as_checks_failed++;
	if (as_table_col(t, name) < 0)
		fprintf(stderr, "%s:%d: check failed: no column '%s'\n", file, line, name);
	else
		fprintf(stderr, "%s:%d: check failed: no row %zu (%zu rows) for column '%s'\n",
		        file, line, row, t->nrows, name);
	return "";
}

static inline double tc_num_at(const char *file, int line, const as_table_t *t, size_t row,
                               const char *name)
{
	const char *s;
	if (as_table_cell(t, row, name, &s) != 0) {
		tc_str_at(file, line, t, row, name); /* the failed check */
		return NAN;
	}
	return as_table_num(t, row, name);
}

#endif /* AS_TABLECHECK_H */
