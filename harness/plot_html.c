/* plot_html.c - report.html: the report's Markdown (the subset
 * plot_report.c and plot_results.c write: headings, paragraphs, tables,
 * lists, images, links, bold, italic, code, <details>) as one
 * self-contained page for sharing: the charts inline (SVG markup, or PNG
 * as a data: URI), the style in the page, no script, nothing loaded from
 * anywhere else. Links to other reports point at their report.html. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "plot_int.h"

static const char style[] =
    "body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;max-width:1100px;"
    "margin:2em auto;padding:0 1em;color:#222;line-height:1.45}"
    "table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:0.9em}"
    "th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}tr:nth-child(even) td{background:#fafafa}"
    "img,svg{max-width:100%;height:auto;display:block;margin:0.5em 0}"
    "code{background:#f3f3f3;padding:0 0.2em}h1{font-size:1.6em}h2{margin-top:2em;"
    "border-bottom:1px solid #ddd}summary{cursor:pointer}";

/* Text with &, <, > escaped. */
static void esc(as_buf_t *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '&')
			as_buf_add(b, "&amp;", 5);
		else if (s[i] == '<')
			as_buf_add(b, "&lt;", 4);
		else if (s[i] == '>')
			as_buf_add(b, "&gt;", 4);
		else if (s[i] == '"')
			as_buf_add(b, "&quot;", 6);
		else
			as_buf_add(b, s + i, 1);
	}
}

static void base64(as_buf_t *b, const unsigned char *d, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0) |
		             (i + 2 < n ? d[i + 2] : 0);
		char q[4] = {t[v >> 18 & 63], t[v >> 12 & 63], i + 1 < n ? t[v >> 6 & 63] : '=',
		             i + 2 < n ? t[v & 63] : '='};
		as_buf_add(b, q, 4);
	}
}

/* The whole file PATH into a new buffer; NULL when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *d = NULL;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		d = malloc((size_t)n + 1);
		if (d && fread(d, 1, (size_t)n, f) != (size_t)n) {
			free(d);
			d = NULL;
		} else if (d) {
			d[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return d;
}

typedef struct {
	const char *root; /* chart links are relative to this folder */
	int missing;      /* images that could not be put inline */
} html_t;

/* Image SRC (ALT) inline: an SVG as its markup, a PNG as a data: URI;
 * a file that cannot be read is a note, never a reference outside. */
static void image(html_t *h, as_buf_t *b, const char *alt, size_t altn, const char *src,
                  size_t srcn)
{
	char path[PLOT_PATH_MAX];
	size_t len = 0;
	char *d = NULL;
	char file[PLOT_PATH_MAX];
	if (plot_href_path(file, sizeof(file), src, srcn) == 0 &&
	    plot_path(path, sizeof(path), "%s/%s", h->root, file) == 0)
		d = slurp(path, &len);
	if (!d) {
		h->missing++;
		as_buf_printf(b, "<em>(chart not found: ");
		esc(b, src, srcn);
		as_buf_printf(b, ")</em>");
		return;
	}
	if (srcn > 4 && !strncmp(src + srcn - 4, ".svg", 4)) {
		const char *svg = strstr(d, "<svg");
		as_buf_printf(b, "<figure role=\"img\" aria-label=\"");
		esc(b, alt, altn);
		as_buf_printf(b, "\">");
		if (svg)
			as_buf_add(b, svg, len - (size_t)(svg - d));
		as_buf_printf(b, "</figure>");
	} else {
		as_buf_printf(b, "<img alt=\"");
		esc(b, alt, altn);
		as_buf_printf(b, "\" src=\"data:image/png;base64,");
		base64(b, (const unsigned char *)d, len);
		as_buf_printf(b, "\">");
	}
	free(d);
}

/* Inline Markdown of one line (n bytes): images, links, **bold**, *em*,
 * `code`, and "\|" inside table cells. */
static void inline_md(html_t *h, as_buf_t *b, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const char *rb, *rp;
		int img = s[i] == '!' && i + 1 < n && s[i + 1] == '[';
		if ((s[i] == '[' || img) && (rb = memchr(s + i, ']', n - i)) != NULL &&
		    (size_t)(rb - s) + 1 < n && rb[1] == '(' &&
		    (rp = memchr(rb, ')', n - (size_t)(rb - s))) != NULL) {
			const char *text = s + i + 1 + img, *href = rb + 2;
			size_t tn = (size_t)(rb - text), hn = (size_t)(rp - href);
			if (img) {
				image(h, b, text, tn, href, hn);
			} else {
				/* a link to a report: its HTML twin */
				as_buf_printf(b, "<a href=\"");
				if (hn > 9 && !strncmp(href + hn - 9, "report.md", 9)) {
					esc(b, href, hn - 2);
					as_buf_printf(b, "html");
				} else {
					esc(b, href, hn);
				}
				as_buf_printf(b, "\">");
				inline_md(h, b, text, tn);
				as_buf_printf(b, "</a>");
			}
			i = (size_t)(rp - s) + 1;
		} else if (s[i] == '*' && i + 1 < n && s[i + 1] == '*') {
			const char *e = memmem(s + i + 2, n - i - 2, "**", 2);
			if (!e)
				goto plain;
			as_buf_printf(b, "<strong>");
			inline_md(h, b, s + i + 2, (size_t)(e - s) - i - 2);
			as_buf_printf(b, "</strong>");
			i = (size_t)(e - s) + 2;
		} else if (s[i] == '*' || s[i] == '`') {
			const char *e = memchr(s + i + 1, s[i], n - i - 1);
			if (!e)
				goto plain;
			as_buf_printf(b, s[i] == '*' ? "<em>" : "<code>");
			if (s[i] == '*')
				inline_md(h, b, s + i + 1, (size_t)(e - s) - i - 1);
			else
				esc(b, s + i + 1, (size_t)(e - s) - i - 1);
			as_buf_printf(b, s[i] == '*' ? "</em>" : "</code>");
			i = (size_t)(e - s) + 1;
		} else if (s[i] == '\\' && i + 1 < n && s[i + 1] == '|') {
			as_buf_add(b, "|", 1);
			i += 2;
		} else {
		plain:
			esc(b, s + i, 1);
			i++;
		}
	}
}

/* The cells of table row LINE (n bytes, "| a | b |"), escaped pipes kept. */
static void table_row(html_t *h, as_buf_t *b, const char *s, size_t n, const char *tag)
{
	size_t i = 1, start = 1;
	as_buf_printf(b, "<tr>");
	for (; i < n; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] != '|')
			continue;
		{
			const char *c = s + start;
			size_t cn = i - start;
			while (cn && *c == ' ')
				c++, cn--;
			while (cn && c[cn - 1] == ' ')
				cn--;
			as_buf_printf(b, "<%s>", tag);
			inline_md(h, b, c, cn);
			as_buf_printf(b, "</%s>", tag);
		}
		start = i + 1;
	}
	as_buf_printf(b, "</tr>\n");
}

int plot_html_write(const char *dir, const char *title, const as_buf_t *md, const char *chart_root,
                    char *err, size_t errlen)
{
	as_buf_t b = {0}, page = {0};
	html_t h = {chart_root, 0};
	const char *s = md->data ? md->data : "", *end = s + md->len;
	int in_table = 0, in_list = 0, in_par = 0, rc;
	as_buf_printf(&b,
	              "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	              "<title>");
	esc(&b, title, strlen(title));
	as_buf_printf(&b, "</title>\n<style>%s</style>\n</head><body>\n", style);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		int table = n > 0 && s[0] == '|', list = n > 1 && s[0] == '-' && s[1] == ' ';
		if (in_table && !table)
			as_buf_printf(&b, "</table>\n"), in_table = 0;
		if (in_list && !list)
			as_buf_printf(&b, "</ul>\n"), in_list = 0;
		if (in_par && (n == 0 || table || list || s[0] == '#' || s[0] == '<'))
			as_buf_printf(&b, "</p>\n"), in_par = 0;
		if (n == 0) {
			/* a blank line ends blocks (done above) */
		} else if (table) {
			if (!in_table) {
				as_buf_printf(&b, "<table>\n");
				table_row(&h, &b, s, n, "th");
				in_table = 1;
			} else if (strspn(s, "|-: ") < n) {
				table_row(&h, &b, s, n, "td");
			}
		} else if (list) {
			if (!in_list)
				as_buf_printf(&b, "<ul>\n"), in_list = 1;
			as_buf_printf(&b, "<li>");
			inline_md(&h, &b, s + 2, n - 2);
			as_buf_printf(&b, "</li>\n");
		} else if (s[0] == '#') {
			size_t lv = strspn(s, "#");
			char id[160], text[LABEL];
			snprintf(text, sizeof(text), "%.*s", (int)(n - lv - (n > lv)),
			         s + lv + (n > lv));
			plot_slug(text, id, sizeof(id));
			for (char *p = id; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
			as_buf_printf(&b, "<h%zu id=\"%s\">", lv > 6 ? 6 : lv, id);
			inline_md(&h, &b, text, strlen(text));
			as_buf_printf(&b, "</h%zu>\n", lv > 6 ? 6 : lv);
		} else if (s[0] == '<') {
			/* <details>, <summary>: our own markup, passed through */
			as_buf_add(&b, s, n);
			as_buf_add(&b, "\n", 1);
		} else {
			if (!in_par)
				as_buf_printf(&b, "<p>"), in_par = 1;
			else
				as_buf_add(&b, "\n", 1);
			inline_md(&h, &b, s, n);
		}
		s += n + (nl != NULL);
	}
	if (in_table)
		as_buf_printf(&b, "</table>\n");
	if (in_list)
		as_buf_printf(&b, "</ul>\n");
	if (in_par)
		as_buf_printf(&b, "</p>\n");
	as_buf_printf(&b, "</body></html>\n");
	/* UTF-8 as its <meta> says: the title, an SVG file's text (the
	 * Markdown is already) */
	as_buf_add_utf8(&page, b.data, b.len);
	rc = as_write_file_atomic(dir, "report.html", &page, err, errlen);
	as_buf_free(&b);
	as_buf_free(&page);
	return rc;
}
