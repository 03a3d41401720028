/* plot_tables.c - the report's tables as files to paste into a paper or a
 * blog post (plot --tables): tables/NAME.md, the Markdown table as the
 * report shows it, and tables/NAME.tex, the same cells as a LaTeX tabular
 * with booktabs rules. Converts the Markdown the report code builds; never
 * computes a number of its own. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "plot_int.h"

/* The cells of Markdown table line LINE (LEN bytes, "| a | b |"): each
 * trimmed, '\|' kept as is. Returns the count (at most max). */
static int split_cells(const char *line, size_t len, const char **start, size_t *clen, int max)
{
	size_t i = 0;
	int n = 0;
	if (len && line[0] == '|')
		i = 1;
	while (i < len && n < max) {
		size_t j = i;
		while (j < len && !(line[j] == '|' && (j == 0 || line[j - 1] != '\\')))
			j++;
		if (j == len && j == i)
			break;
		{
			size_t a = i, b = j;
			while (a < b && line[a] == ' ')
				a++;
			while (b > a && line[b - 1] == ' ')
				b--;
			start[n] = line + a;
			clen[n++] = b - a;
		}
		i = j + 1;
	}
	return n;
}

/* Whether a cell reads as a number ("12", "-3.5", "1.2e+06", "0.51 [0.47,
 * 0.55]" starts with one, "n/a" counts too): such a column is set right. */
static int numeric(const char *s, size_t len)
{
	char buf[64], *end;
	if (len == 3 && !strncmp(s, "n/a", 3))
		return 1;
	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	strtod(buf, &end);
	return end != buf && (*end == '\0' || *end == ' ');
}

/* Cell text in LaTeX: specials escaped, **bold** as \textbf, [text](link)
 * as its text, '\|' as '|'. */
static void tex_cell(as_buf_t *b, const char *s, size_t len)
{
	int bold = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		const char *close;
		if (ch == '*' && i + 1 < len && s[i + 1] == '*') {
			as_buf_printf(b, bold ? "}" : "\\textbf{");
			bold = !bold;
			i++;
			continue;
		}
		if (ch == '[' && (close = memchr(s + i, ']', len - i)) && close + 1 < s + len &&
		    close[1] == '(' && memchr(close, ')', (size_t)(s + len - close))) {
			tex_cell(b, s + i + 1, (size_t)(close - s - i - 1));
			i = (size_t)((const char *)memchr(close, ')', (size_t)(s + len - close)) -
			             s);
			continue;
		}
		if (ch == '\\' && i + 1 < len && s[i + 1] == '|') {
			as_buf_add(b, "|", 1);
			i++;
			continue;
		}
		switch (ch) {
		case '&':
		case '%':
		case '$':
		case '#':
		case '_':
		case '{':
		case '}': as_buf_printf(b, "\\%c", ch); break;
		case '~': as_buf_printf(b, "\\textasciitilde{}"); break;
		case '^': as_buf_printf(b, "\\textasciicircum{}"); break;
		case '\\': as_buf_printf(b, "\\textbackslash{}"); break;
		case '<': as_buf_printf(b, "\\textless{}"); break;
		case '>': as_buf_printf(b, "\\textgreater{}"); break;
		default: as_buf_add(b, &ch, 1);
		}
	}
	if (bold)
		as_buf_add(b, "}", 1);
}

#define MAXCOLS 32

void plot_table_tex(as_buf_t *out, const char *md, size_t len, const char *caption)
{
	const char *line = md, *end = md + len;
	int row = 0, ncol = 0, right[MAXCOLS];
	as_buf_t body = {0};
	for (int k = 0; k < MAXCOLS; k++)
		right[k] = 1;
	/* one pass for the cells and the columns' alignment */
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t ll = nl ? (size_t)(nl - line) : (size_t)(end - line);
		const char *cs[MAXCOLS];
		size_t cl[MAXCOLS];
		int n;
		if (ll && line[0] == '|' && !(row == 1 && line[1] == '-')) {
			n = split_cells(line, ll, cs, cl, MAXCOLS);
			if (row == 0)
				ncol = n;
			for (int k = 0; k < n; k++) {
				if (k)
					as_buf_add(&body, " & ", 3);
				tex_cell(&body, cs[k], cl[k]);
				if (row > 0 && !numeric(cs[k], cl[k]))
					right[k] = 0;
			}
			for (int k = n; k < ncol; k++)
				as_buf_add(&body, " &", 2);
			as_buf_printf(&body, " \\\\\n%s", row == 0 ? "\\midrule\n" : "");
		}
		if (ll && line[0] == '|')
			row++;
		line += ll + 1;
	}
	as_buf_printf(out, "%% allocscope: %s\n%% needs \\usepackage{booktabs}\n", caption);
	as_buf_printf(out, "\\begin{tabular}{");
	for (int k = 0; k < ncol; k++)
		as_buf_add(out, right[k] ? "r" : "l", 1);
	as_buf_printf(out, "}\n\\toprule\n");
	as_buf_add(out, body.data ? body.data : "", body.len);
	as_buf_printf(out, "\\bottomrule\n\\end{tabular}\n");
	as_buf_free(&body);
}

int plot_tables_write(const char *dir, const char *name, const char *caption, const as_buf_t *md,
                      unsigned what, char *err, size_t errlen)
{
	static const struct {
		unsigned bit;
		const char *ext;
	} kinds[] = {{AS_PLOT_TABLE_MD, "md"}, {AS_PLOT_TABLE_TEX, "tex"}};
	char cap[LABEL];
	int rc = 0;
	if (!md->len)
		return 0;
	/* one line: it goes into a comment */
	plot_title_line(caption, cap, sizeof(cap));
	for (size_t k = 0; rc == 0 && k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		as_buf_t b = {0}, u = {0};
		char file[300];
		if (!(what & kinds[k].bit))
			continue;
		if (kinds[k].bit == AS_PLOT_TABLE_MD) {
			as_buf_printf(&b, "<!-- allocscope: %s -->\n", cap);
			as_buf_add(&b, md->data, md->len);
		} else {
			plot_table_tex(&b, md->data, md->len, cap);
		}
		if (plot_path(file, sizeof(file), "%s.%s", name, kinds[k].ext) != 0) {
			snprintf(err, errlen, "%s/%s.%s: name too long", dir, name, kinds[k].ext);
			rc = -1;
		} else {
			/* UTF-8, as report.md (a module named in Latin-1) */
			as_buf_add_utf8(&u, b.data ? b.data : "", b.len);
			rc = as_write_file_atomic(dir, file, &u, err, errlen);
		}
		as_buf_free(&b);
		as_buf_free(&u);
	}
	return rc;
}
