/* trials_read.c - see trials_read.h. Runs in the parent (or a test), never
 * in a worker, so plain malloc is fine here. */
#define _GNU_SOURCE
#include "trials_read.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"

/* While reading, head and cells hold offsets into text (which grows and
 * moves), made pointers once the file is read: one block for every
 * string, where a malloc and free per cell (twice) were a third of
 * `allocscope plot`'s CPU on a suite folder (docs/measure.md). Offset 0
 * is the empty string of a missing cell. */
typedef struct {
	as_table_t *t;
	const char *const *keep; /* the columns kept (as_table_read_cols), NULL: all */
	int *map;                /* after the header: file column -> kept column, or -1 */
	size_t *row;             /* text offsets of the fields of the record being read (the
	                            header's, then the kept columns' of each row) */
	size_t nrow, caprow;
	size_t caprows;   /* capacity of t->cells in rows */
	size_t len, cap;  /* of t->text */
	int nul_head;     /* the header holds a NUL byte */
	int nul_row;      /* the record being read does */
	size_t wide_line; /* the row that made the cells too large for the text */
	int oom;
	/* as_table_each: each row handed to fn as a table of one, then its
	 * text dropped (the header's stays: hlen bytes) */
	as_table_row_fn fn;
	void *ctx;
	as_table_t view; /* the row handed over: one row, pointers into t->text */
	size_t *headoff; /* the kept columns' names, as offsets into t->text */
	size_t hlen, rowno, nfield;
	unsigned char nul;
	int stop; /* fn's return when not 0, or -1 for a bad header */
	/* as_table_read_each: each row fn took whole, its KEEP cells kept in
	 * out (offsets into out->text until the file is read; a cell "" is
	 * offset 0 and takes no text) */
	as_table_t *out;
	const char *const *okeep;
	size_t *omap; /* out's column k: the row's column omap[k] */
	size_t olen, ocap, orows;
	const char *path;
	char *err;
	size_t errlen;
} rd_t;

static int dup_column(const as_table_t *t, const char *path, char *err, size_t errlen);

/* Offset OFF as a cell pointer until the text stops moving. */
#define AT(off) ((char *)(uintptr_t)(off))

static void on_field(void *s, size_t len, void *ctx)
{
	rd_t *r = ctx;
	size_t at = r->nrow; /* the header's fields go one after another */
	if (r->map) {
		/* a row: only its kept columns take text (a NUL anywhere in it
		 * is still said) */
		int k = r->nrow < r->t->file_ncols ? r->map[r->nrow] : -1;
		r->nrow++;
		if (k < 0) {
			if (len && memchr(s, '\0', len))
				r->nul_row = 1;
			return;
		}
		at = (size_t)k;
	} else if (r->nrow == r->caprow) {
		size_t n = r->caprow ? r->caprow * 2 : 32;
		size_t *nr = realloc(r->row, n * sizeof(*nr));
		if (!nr) {
			r->oom = 1;
			return;
		}
		r->row = nr;
		r->caprow = n;
	}
	if (r->len + len + 1 > r->cap) {
		size_t n = r->cap * 2;
		char *nt;
		while (n < r->len + len + 1)
			n *= 2;
		nt = realloc(r->t->text, n);
		if (!nt) {
			r->oom = 1;
			return;
		}
		r->t->text = nt;
		r->cap = n;
	}
	/* a NUL would end the cell's string early: "12\0abc" read as 12 */
	if (len && memchr(s, '\0', len))
		*(r->t->head ? &r->nul_row : &r->nul_head) = 1;
	if (len)
		memcpy(r->t->text + r->len, s, len);
	r->t->text[r->len + len] = '\0';
	r->row[at] = r->len;
	r->len += len + 1;
	if (!r->map)
		r->nrow++;
}

/* The header just read (its r->nrow fields in r->row): t->head the kept
 * columns' names (r->keep's, in file order; all without), r->map each
 * file column's place among them. Returns 0, or -1 out of memory. */
static int take_header(rd_t *r)
{
	as_table_t *t = r->t;
	size_t n = 0;
	t->file_ncols = r->nrow;
	t->head = malloc((r->nrow ? r->nrow : 1) * sizeof(char *));
	r->map = malloc((r->nrow ? r->nrow : 1) * sizeof(int));
	if (!t->head || !r->map)
		return -1;
	for (size_t i = 0; i < r->nrow; i++) {
		int kept = !r->keep;
		for (const char *const *k = r->keep; k && *k && !kept; k++)
			kept = !strcmp(*k, t->text + r->row[i]);
		r->map[i] = kept ? (int)n : -1;
		if (kept)
			t->head[n++] = AT(r->row[i]);
	}
	t->ncols = n;
	/* the row buffer holds the kept columns from now on */
	if (r->caprow < n + 1) {
		size_t *nr = realloc(r->row, (n + 1) * sizeof(*nr));
		if (!nr)
			return -1;
		r->row = nr;
		r->caprow = n + 1;
	}
	for (size_t i = 0; i < r->caprow; i++)
		r->row[i] = 0;
	return 0;
}

/* Room in T for one more row (*CAP rows now), unless the rows' cell
 * pointers would pass 16 bytes per byte of text (LEN) and 16 MiB: *WIDE
 * then names the first line refused (every row takes ncols cell pointers
 * however few fields it has: a header of 100000 names and 500 lines "x"
 * (690 KB) took 400 MB; a results table's rows take 0.4-2, a row of empty
 * cells 8). Returns 0, 1 (refused) or -1 (out of memory). */
static int table_room(as_table_t *t, size_t *cap, size_t len, size_t *wide)
{
	if (*wide || (t->nrows + 1) * t->ncols / 16 * sizeof(char *) > len + (1u << 20)) {
		if (!*wide)
			*wide = t->nrows + 2;
		return 1;
	}
	if (t->nrows == *cap) {
		size_t n = *cap ? *cap * 2 : 64;
		char **nc = realloc(t->cells, n * (t->ncols ? t->ncols : 1) * sizeof(char *));
		size_t *nf = nc ? realloc(t->nfields, n * sizeof(size_t)) : NULL;
		unsigned char *nn = nf ? realloc(t->nul, n) : NULL;
		if (nc)
			t->cells = nc;
		if (nf)
			t->nfields = nf;
		if (!nn)
			return -1;
		t->nul = nn;
		*cap = n;
	}
	return 0;
}

/* S appended to r->out's text: its offset; 0 for "" (the empty string at
 * offset 0) and out of memory (r->oom set). */
static size_t out_text(rd_t *r, const char *s)
{
	size_t len = strlen(s), at = r->olen;
	if (!len)
		return 0;
	if (r->olen + len + 1 > r->ocap) {
		size_t n = r->ocap * 2;
		char *nt;
		while (n < r->olen + len + 1)
			n *= 2;
		if (!(nt = realloc(r->out->text, n))) {
			r->oom = 1;
			return 0;
		}
		r->out->text = nt;
		r->ocap = n;
	}
	memcpy(r->out->text + at, s, len + 1);
	r->olen += len + 1;
	return at;
}

/* r->out's header (as_table_read_each), once the file's is taken and
 * checked: the names of r->okeep's columns in file order, r->omap their
 * places in a row. Then fn gets the header as a table of no rows. */
static void out_header(rd_t *r)
{
	as_table_t *o = r->out, *v = &r->view;
	o->file_ncols = r->t->file_ncols;
	o->head = malloc((v->ncols ? v->ncols : 1) * sizeof(char *));
	r->omap = malloc((v->ncols ? v->ncols : 1) * sizeof(*r->omap));
	o->text = malloc(r->ocap = 65536);
	if (!o->head || !r->omap || !o->text) {
		r->oom = 1;
		r->stop = -1;
		return;
	}
	o->text[0] = '\0'; /* offset 0: "" */
	r->olen = 1;
	for (size_t i = 0; i < v->ncols; i++) {
		int kept = !r->okeep;
		for (const char *const *k = r->okeep; k && *k && !kept; k++)
			kept = !strcmp(*k, v->head[i]);
		if (!kept)
			continue;
		r->omap[o->ncols] = i;
		o->head[o->ncols++] = AT(out_text(r, v->head[i]));
	}
	v->nrows = 0;
	v->file_ncols = o->file_ncols;
	if (!r->oom)
		r->stop = r->fn(v, 0, r->ctx);
	else
		r->stop = -1;
}

/* The KEEP cells of the row fn just took (r->view) appended to r->out;
 * refused as on_row refuses rows far shorter than the header. */
static void out_row(rd_t *r)
{
	as_table_t *o = r->out, *v = &r->view;
	int room = table_room(o, &r->orows, r->olen, &r->wide_line);
	if (room != 0) {
		if (room < 0) {
			r->oom = 1;
			r->stop = -1;
		}
		return;
	}
	o->nfields[o->nrows] = v->nfields[0];
	o->nul[o->nrows] = v->nul[0];
	o->ragged_rows += v->ragged_rows;
	o->last_unended = v->last_unended;
	for (size_t k = 0; k < o->ncols; k++)
		o->cells[o->nrows * o->ncols + k] = AT(out_text(r, v->cells[r->omap[k]]));
	o->nrows++;
	if (r->oom)
		r->stop = -1;
}

/* The text of the header just taken (as_table_each): its names' offsets
 * kept, the checks as_table_read makes once the file is read (a NUL byte,
 * a column named twice) made now, before any row is handed over. */
static void stream_header(rd_t *r)
{
	as_table_t *t = r->t;
	size_t n = t->ncols ? t->ncols : 1;
	r->headoff = malloc(n * sizeof(*r->headoff));
	r->view.head = malloc(n * sizeof(char *));
	r->view.cells = malloc(n * sizeof(char *));
	if (!r->headoff || !r->view.head || !r->view.cells) {
		r->oom = 1;
		r->stop = -1;
		return;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		r->headoff[i] = (uintptr_t)t->head[i];
		r->view.head[i] = t->text + r->headoff[i];
	}
	r->view.ncols = t->ncols;
	r->hlen = r->len;
	if (r->nul_head) {
		snprintf(r->err, r->errlen, "%s: line 1: a NUL byte (binary data, not a CSV table)",
		         r->path);
		r->stop = -1;
	} else if (dup_column(&r->view, r->path, r->err, r->errlen) != 0) {
		r->stop = -1;
	} else if (r->out) {
		out_header(r);
	}
}

/* The row just read (as_table_each) handed to fn as row 0 of a table of
 * one, then its text dropped. C: libcsv's terminator, -1 at the end of
 * the file. */
static void stream_row(rd_t *r, int c)
{
	as_table_t *t = r->t, *v = &r->view;
	if (!r->stop && !r->oom) {
		v->file_ncols = t->file_ncols;
		v->nrows = 1;
		v->ragged_rows = r->nrow != t->file_ncols;
		r->nfield = r->nrow;
		r->nul = (unsigned char)r->nul_row;
		v->nfields = &r->nfield;
		v->nul = &r->nul;
		v->last_unended = c == -1;
		v->text = t->text;
		for (size_t i = 0; i < t->ncols; i++) {
			v->head[i] = t->text + r->headoff[i];
			v->cells[i] = t->text + r->row[i];
		}
		r->stop = r->fn(v, r->rowno++, r->ctx);
		if (!r->stop && r->out)
			out_row(r);
	}
	for (size_t i = 0; i < t->ncols; i++)
		r->row[i] = 0;
	r->len = r->hlen;
	r->nul_row = 0;
	r->nrow = 0;
}

static void on_row(int c, void *ctx)
{
	rd_t *r = ctx;
	as_table_t *t = r->t;
	int room;
	/* libcsv passes the row's terminator, -1 when the file ended in it */
	t->last_unended = c == -1 && t->head;
	if (t->head && r->nrow != t->file_ncols)
		t->ragged_rows++;
	if (!t->head) {
		if (take_header(r) != 0)
			r->oom = 1;
		else if (r->fn)
			stream_header(r);
		r->nrow = 0;
		return;
	}
	if (r->fn) {
		stream_row(r, c);
		return;
	}
	room = table_room(t, &r->caprows, r->len, &r->wide_line);
	if (room != 0) {
		if (room < 0)
			r->oom = 1;
		r->nrow = 0;
		memset(r->row, 0, t->ncols * sizeof(*r->row));
		return;
	}
	t->nfields[t->nrows] = r->nrow;
	t->nul[t->nrows] = (unsigned char)r->nul_row;
	r->nul_row = 0;
	/* a field the row lacks is offset 0, the empty string */
	for (size_t i = 0; i < t->ncols; i++) {
		t->cells[t->nrows * t->ncols + i] = AT(r->row[i]);
		r->row[i] = 0;
	}
	t->nrows++;
	r->nrow = 0;
}

/* Two places in the header (char **), by name, then by position. */
static int cmp_head(const void *a, const void *b)
{
	char **x = *(char **const *)a, **y = *(char **const *)b;
	int c = strcmp(*x, *y);
	return c ? c : (x > y) - (x < y);
}

/* A column name twice: readers find a column by name, so the second's
 * values would be passed over without a word. Sorted, not compared pair
 * by pair: a header of a million empty names is a fuzzer's input. A
 * header starting with a number is a data row where the header belongs,
 * which the readers' own checks name ("line 1: no header"). Returns 0, or
 * -1 with err (out of memory: no check). */
static int dup_column(const as_table_t *t, const char *path, char *err, size_t errlen)
{
	char ***p = malloc((t->ncols ? t->ncols : 1) * sizeof(*p));
	int rc = 0;
	if (!p || (t->ncols && (isdigit((unsigned char)*t->head[0]) || *t->head[0] == '-'))) {
		free(p);
		return 0;
	}
	for (size_t i = 0; i < t->ncols; i++)
		p[i] = &t->head[i];
	qsort(p, t->ncols, sizeof(*p), cmp_head);
	for (size_t i = 1; i < t->ncols && !rc; i++)
		if (!strcmp(*p[i - 1], *p[i])) {
			snprintf(err, errlen, "%s: column '%.60s' twice (columns %zu and %zu)",
			         path, *p[i - 1], (size_t)(p[i - 1] - t->head) + 1,
			         (size_t)(p[i] - t->head) + 1);
			rc = -1;
		}
	free(p);
	return rc;
}

int as_table_read(const char *path, as_table_t *t, char *err, size_t errlen)
{
	return as_table_read_cols(path, NULL, t, err, errlen);
}

/* Parse F (PATH) into r->t: every row (r->fn NULL), or each handed to
 * r->fn. Returns 0, or -1 with err (r->stop set by fn: err untouched). */
static int parse(FILE *f, rd_t *r, const char *path, char *err, size_t errlen)
{
	struct csv_parser p;
	char buf[16384];
	size_t n;
	int rc = -1, first = 1;
	as_table_t *t = r->t;
	r->cap = 65536;
	if (!(t->text = malloc(r->cap))) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	t->text[0] = '\0'; /* offset 0: a missing cell */
	r->len = 1;
	if (csv_init(&p, CSV_APPEND_NULL) != 0) {
		snprintf(err, errlen, "%s: cannot start the CSV parser", path);
		return -1;
	}
	while (!r->stop && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		/* a table saved by a spreadsheet ("CSV UTF-8") starts with a byte
		 * order mark: read past it (until session 35 the first column
		 * was named "\ufefftrial": "no column 'trial'", the BOM unnamed) */
		size_t bom = first && n >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3) ? 3 : 0;
		first = 0;
		if (csv_parse(&p, buf + bom, n - bom, on_field, on_row, r) != n - bom) {
			snprintf(err, errlen, "%s: %s", path, csv_strerror(csv_error(&p)));
			goto out;
		}
	}
	if (r->stop && !r->oom)
		goto out; /* fn's or the header's reason is said */
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto out;
	}
	csv_fini(&p, on_field, on_row, r);
	if (r->oom) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if (r->stop)
		goto out;
	if (r->wide_line) {
		snprintf(err, errlen,
		         "%s: line %zu: rows far shorter than the header's %zu columns, too many "
		         "to hold: not a results table",
		         path, r->wide_line, t->file_ncols);
		goto out;
	}
	if (!t->head) {
		snprintf(err, errlen, "%s: empty file (no header row)", path);
		goto out;
	}
	if (r->nul_head) {
		snprintf(err, errlen, "%s: line 1: a NUL byte (binary data, not a CSV table)",
		         path);
		goto out;
	}
	rc = 0;
out:
	csv_free(&p);
	return rc;
}

/* T's offsets into its text (as read) made pointers. */
static void table_pointers(as_table_t *t)
{
	for (size_t i = 0; i < t->ncols; i++)
		t->head[i] = t->text + (uintptr_t)t->head[i];
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		t->cells[i] = t->text + (uintptr_t)t->cells[i];
}

int as_table_read_cols(const char *path, const char *const *keep, as_table_t *t, char *err,
                       size_t errlen)
{
	rd_t r;
	int rc = -1;
	/* a regular file only: a FIFO someone left as trials.csv hung
	 * compare, plot and --resume in open(2) */
	FILE *f = as_fopen_regular(path, err, errlen);

	memset(t, 0, sizeof(*t));
	memset(&r, 0, sizeof(r));
	r.t = t;
	r.keep = keep;
	if (!f)
		return -1;
	if (parse(f, &r, path, err, errlen) != 0)
		goto out;
	table_pointers(t);
	if (dup_column(t, path, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	free(r.row);
	free(r.map);
	if (rc != 0)
		as_table_free(t);
	fclose(f);
	return rc;
}

/* as_table_each (OUT NULL: KEEP's columns handed over) and
 * as_table_read_each (every column handed over, KEEP's kept in OUT). */
static int each(const char *path, const char *const *keep, as_table_row_fn fn, void *ctx,
                as_table_t *out, char *err, size_t errlen)
{
	rd_t r;
	as_table_t t;
	int rc;
	FILE *f = as_fopen_regular(path, err, errlen);
	if (!f)
		return -1;
	memset(&t, 0, sizeof(t));
	memset(&r, 0, sizeof(r));
	r.t = &t;
	r.keep = out ? NULL : keep;
	r.okeep = keep;
	r.out = out;
	r.fn = fn;
	r.ctx = ctx;
	r.path = path;
	r.err = err;
	r.errlen = errlen;
	rc = parse(f, &r, path, err, errlen);
	if (out && rc == 0)
		table_pointers(out);
	else if (out)
		as_table_free(out);
	free(r.row);
	free(r.map);
	free(r.omap);
	free(r.headoff);
	free(r.view.head);
	free(r.view.cells);
	as_table_free(&t);
	fclose(f);
	return rc;
}

int as_table_each(const char *path, const char *const *keep, as_table_row_fn fn, void *ctx,
                  char *err, size_t errlen)
{
	return each(path, keep, fn, ctx, NULL, err, errlen);
}

int as_table_read_each(const char *path, const char *const *keep, as_table_row_fn fn, void *ctx,
                       as_table_t *t, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	return each(path, keep, fn, ctx, t, err, errlen);
}

const char *as_table_row_damage(const as_table_t *t, size_t r, char *buf, size_t len)
{
	if (t->nfields[r] != t->file_ncols)
		snprintf(buf, len, "%zu of %zu fields", t->nfields[r], t->file_ncols);
	else if (t->nul[r])
		snprintf(buf, len, "a NUL byte (binary data)");
	else if (t->last_unended && r + 1 == t->nrows)
		snprintf(buf, len, "no line end: cut short");
	else
		return NULL;
	return buf;
}

int as_table_col(const as_table_t *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (!strcmp(t->head[i], name))
			return (int)i;
	return -1;
}

int as_table_cell(const as_table_t *t, size_t row, const char *name, const char **cell)
{
	int c = as_table_col(t, name);
	if (c < 0 || row >= t->nrows) {
		*cell = "";
		return -1;
	}
	*cell = t->cells[row * t->ncols + (size_t)c];
	return 0;
}

const char *as_table_str(const as_table_t *t, size_t row, const char *name)
{
	const char *s;
	as_table_cell(t, row, name, &s);
	return s;
}

double as_table_num(const as_table_t *t, size_t row, const char *name)
{
	const char *s = as_table_str(t, row, name);
	const char *d = *s == '-' ? s + 1 : s;
	char *end;
	double v;
	/* decimal only, as allocscope writes numbers: strtod takes "inf",
	 * "nan" and "0x10" too, which a resumed run took as measurements */
	if (!((*d >= '0' && *d <= '9') || *d == '.') || strpbrk(d, "xXpP"))
		return NAN;
	errno = 0;
	v = strtod(s, &end);
	return errno || *end || !isfinite(v) ? NAN : v;
}

void as_table_free(as_table_t *t)
{
	free(t->text);
	free(t->cells);
	free(t->head);
	free(t->nfields);
	free(t->nul);
	memset(t, 0, sizeof(*t));
}

int as_table_count(double v, uint32_t *out)
{
	if (!(v >= 0 && v <= UINT32_MAX) || v != floor(v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}
