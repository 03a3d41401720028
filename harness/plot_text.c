/* plot_text.c - how numbers and labels are written into the chart data
 * files (NaN for a missing point, xtic labels), the report's Markdown tables
 * and the gnuplot variables a chart script receives, and the output files'
 * paths. No chart logic here. */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>

#include "plot_int.h"
#include "oom.h"
#include "util.h"

/* A file's path from a format: -1 when it does not fit. */
int plot_path(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* A number for a data file: gnuplot reads "NaN" as a missing point. */
void plot_dnum(as_buf_t *b, double v, const char *sep)
{
	/* a whole number exactly (a size of 1 MiB is 1048576, not the
	 * 1048580 of six digits), up to 2^53 where doubles stay exact; no
	 * number (an infinite one too: "inf" is an undefined variable to
	 * gnuplot, the YLO of a chart with no positive value) NaN */
	if (!isfinite(v))
		as_buf_printf(b, "NaN%s", sep);
	else if (v == floor(v) && fabs(v) < 9007199254740992.0)
		as_buf_printf(b, "%.0f%s", v, sep);
	else
		as_buf_printf(b, "%.6g%s", v, sep);
}

/* A number for a Markdown table. */
void plot_tnum(as_buf_t *b, double v)
{
	/* whole numbers (sizes, counts, ops) exactly, not 3.277e+06; large
	 * values to the unit; small ones with 4 significant digits */
	if (isnan(v))
		as_buf_printf(b, " n/a |");
	else if (v == floor(v) || fabs(v) >= 1e6)
		as_buf_printf(b, " %.0f |", v);
	else if (v != 0 && fabs(v) < 0.01)
		as_buf_printf(b, " %.4g |", v);
	else
		as_buf_printf(b, " %.2f |", v);
}

/* Markdown cell text: pipes escaped. */
void plot_tstr(as_buf_t *b, const char *s)
{
	as_buf_add(b, " ", 1);
	for (; *s; s++) {
		if (*s == '|')
			as_buf_add(b, "\\|", 2);
		else if (*s != '\n' && *s != '\r')
			as_buf_add(b, s, 1);
	}
	as_buf_add(b, " |", 2);
}

void plot_title_line(const char *title, char *out, size_t len)
{
	size_t w = 0;
	for (const char *s = title; *s && w + 1 < len; s++) {
		const char *put = *s == '\n'   ? " \xe2\x80\x94 " /* an em dash */
		                  : *s == '\r' ? ""
		                               : NULL;
		size_t n = put ? strlen(put) : 1;
		if (w + n >= len)
			break;
		memcpy(out + w, put ? put : s, n);
		w += n;
	}
	out[w] = '\0';
}

/* The character at s into b, a byte that starts no valid UTF-8 character
 * as U+FFFD: gnuplot copies a chart's text into the SVG as it is, and an
 * SVG that is not UTF-8 is no XML (a module at a Latin-1 path, a name cut
 * inside a character; until session 35 xmllint refused the charts).
 * Returns the bytes of s taken. */
static size_t put_char(as_buf_t *b, const char *s)
{
	size_t n = as_utf8_char(s);
	as_buf_add_utf8(b, s, n ? n : 1);
	return n ? n : 1;
}

/* A gnuplot single-quoted string literal ('' is a quote inside); TEXT:
 * shown in the chart (UTF-8, put_char), else a file's path (its bytes). */
static void gstr(as_buf_t *b, const char *s, int text)
{
	as_buf_add(b, "'", 1);
	while (*s) {
		if (*s == '\'')
			as_buf_add(b, "''", 2);
		else if (*s == '\n')
			as_buf_add(b, "'.\"\\n\".'", 8);
		else if (text) {
			s += put_char(b, s);
			continue;
		} else
			as_buf_add(b, s, 1);
		s++;
	}
	as_buf_add(b, "'", 1);
}

void plot_gstr(as_buf_t *b, const char *s)
{
	gstr(b, s, 1);
}

/* A category label inside a data file (xtic): double-quoted, broken into
 * short lines ("\n", which gnuplot reads as a line break there) after the
 * workload name and at commas once a line is long; with one_line, whole
 * (the form a rotated tick label takes). */
static void dstr(as_buf_t *b, const char *s, int one_line)
{
	int col = 0, broke_name = 0;
	as_buf_add(b, "\"", 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\n' || *s == '\\')
			continue;
		if (!one_line &&
		    ((*s == ':' && !broke_name) || (*s == ',' && (col >= 6 || s[1] == ' ')))) {
			broke_name |= *s == ':';
			as_buf_add(b, "\\n", 2);
			col = 0;
			if (s[1] == ' ')
				s++;
			continue;
		}
		s += put_char(b, s) - 1;
		col++;
	}
	as_buf_add(b, "\"", 1);
}

void plot_dstr(as_buf_t *b, const char *s)
{
	dstr(b, s, 0);
}

void plot_dstr_line(as_buf_t *b, const char *s)
{
	dstr(b, s, 1);
}

void plot_vars_str(as_buf_t *v, const char *name, const char *s)
{
	as_buf_printf(v, "%s=", name);
	gstr(v, s, 1);
	as_buf_add(v, "; ", 2);
}

void plot_vars_path(as_buf_t *v, const char *name, const char *path)
{
	as_buf_printf(v, "%s=", name);
	gstr(v, path, 0);
	as_buf_add(v, "; ", 2);
}

/* A link target in report.md: PATH with a byte of no UTF-8 character, a
 * control character, a space, '%', '(', ')', '<' or '>' as %XX (RFC 3986),
 * so that the link stays one Markdown link and report.md UTF-8 (a suite's
 * scenario, a run folder named in Latin-1). plot_href_path undoes it. */
int plot_href(char *out, size_t len, const char *path)
{
	size_t w = 0;
	for (const char *s = path; *s;) {
		size_t n = as_utf8_char(s);
		unsigned char c = (unsigned char)*s;
		if (n == 0 || c < 0x20 || c == 0x7f || strchr(" %()<>", c)) {
			if (w + 3 >= len)
				return -1;
			snprintf(out + w, len - w, "%%%02X", c);
			w += 3, s++;
			continue;
		}
		if (w + n >= len)
			return -1;
		memcpy(out + w, s, n);
		w += n, s += n;
	}
	if (w >= len)
		return -1;
	out[w] = '\0';
	return 0;
}

int plot_href_path(char *out, size_t len, const char *href, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++, w++) {
		if (w + 1 >= len)
			return -1;
		if (href[i] == '%' && i + 2 < n && isxdigit((unsigned char)href[i + 1]) &&
		    isxdigit((unsigned char)href[i + 2])) {
			char hex[3] = {href[i + 1], href[i + 2], '\0'};
			out[w] = (char)strtoul(hex, NULL, 16);
			i += 2;
		} else {
			out[w] = href[i];
		}
	}
	if (w >= len)
		return -1;
	out[w] = '\0';
	return 0;
}

/* Bar chart layout: categories, the most lines a category label (column
 * 1) takes and its longest line in characters. */
void plot_vars_cats(as_buf_t *v, const as_buf_t *data)
{
	int ncat = 0, lines = 1, maxl = 1, col = 0, maxc = 0, in_label = 1;
	for (size_t i = 0; data->data && i < data->len; i++) {
		char ch = data->data[i];
		if (ch == '\n') {
			ncat++;
			lines = 1;
			col = 0;
			in_label = 1;
		} else if (!in_label) {
			continue;
		} else if (ch == '\t') {
			in_label = 0;
		} else if (ch == '\\' && i + 1 < data->len && data->data[i + 1] == 'n') {
			lines++;
			col = 0;
			i++;
			if (lines > maxl)
				maxl = lines;
		} else if (ch != '"' && (ch & 0xc0) != 0x80 && ++col > maxc) {
			maxc = col;
		}
	}
	as_buf_printf(v, "NCAT=%d; NLINES=%d; LINECH=%d; ", ncat, maxl, maxc);
}

/* Whether values in [lo, hi] span more than a factor of 100: log axis. */
int plot_spans_decades(double lo, double hi)
{
	return lo > 0 && hi / lo > 100;
}

/* The data blocks (gnuplot data sets: separated by two blank lines) of
 * data without their comment lines, into out (at most max, malloc'd).
 * Returns the number of blocks. */
static int data_blocks(const as_buf_t *data, char **out, int max)
{
	int n = 0, blank = 2;
	size_t i = 0;
	while (data->data && i < data->len) {
		size_t e = i;
		while (e < data->len && data->data[e] != '\n')
			e++;
		if (e == i) {
			blank++;
		} else {
			if (blank >= 2) {
				if (n == max)
					break;
				out[n] = calloc(1, data->len + 1);
				if (!out[n])
					as_oom("plot: text table", 0);
				n++;
			}
			blank = 0;
			if (data->data[i] != '#')
				strncat(out[n - 1], data->data + i, e - i + (e < data->len));
		}
		i = e + 1;
	}
	return n;
}

/* Whether block b (data_blocks) has a point: a number, other than NaN,
 * in a field past the first (the x) of some line. A block of NaN only is
 * a series with no point at all, drawn as nothing. */
static int block_has_point(const char *b)
{
	for (const char *l = b; *l;) {
		size_t len = strcspn(l, "\n");
		const char *f = l + strcspn(l, "\t\n");
		while (f < l + len) {
			char *end;
			double x = strtod(++f, &end);
			if (end > f && !isnan(x))
				return 1;
			f += strcspn(f, "\t\n");
		}
		l += len + (l[len] == '\n');
	}
	return 0;
}

void plot_vars_same(as_buf_t *v, const as_buf_t *data, int ns)
{
	char *b[MAXS + 1];
	int n = data_blocks(data, b, MAXS + 1);
	for (int j = 0; n == ns && j < n; j++)
		for (int i = 0; i < j && block_has_point(b[j]); i++)
			if (b[j][0] && !strcmp(b[i], b[j])) {
				as_buf_printf(
				    v, "TITLE[%d] = TITLE[%d] . ' (same as ' . TITLE[%d] . ')'; ",
				    j + 1, j + 1, i + 1);
				break;
			}
	for (int k = 0; k < n; k++)
		free(b[k]);
}
