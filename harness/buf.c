/* buf.c - see buf.h. */
#define _GNU_SOURCE
#include "buf.h"

#include <csv.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oom.h"
#include "util.h"

/* Room for n more bytes and the NUL. */
static void reserve(as_buf_t *b, size_t n)
{
	if (n >= SIZE_MAX - b->len)
		as_oom("a text buffer", SIZE_MAX);
	if (b->len + n + 1 > b->cap) {
		size_t need = b->len + n + 1, ncap = b->cap ? b->cap : 4096;
		while (ncap < need)
			ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
		b->data = as_xrealloc(b->data, ncap, "a text buffer");
		b->cap = ncap;
	}
}

void as_buf_add(as_buf_t *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void as_buf_add_utf8(as_buf_t *b, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t run = i, len;
		/* the valid characters in one copy, then the bad byte */
		while (run < n && (len = as_utf8_char(s + run)) != 0 && len <= n - run)
			run += len;
		as_buf_add(b, s + i, run - i);
		if (run < n)
			as_buf_add(b, "\xef\xbf\xbd", 3);
		i = run + (run < n);
	}
}

void as_buf_printf(as_buf_t *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		as_buf_add(b, tmp, (size_t)n);
	} else {
		char *big = as_xmalloc((size_t)n + 1, "a formatted line");
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		as_buf_add(b, big, (size_t)n);
		free(big);
	}
}

void as_buf_csv_str(as_buf_t *b, const char *s, int last)
{
	size_t n = strlen(s);
	if (strpbrk(s, ",\"\r\n") || (n && (s[0] == ' ' || s[n - 1] == ' '))) {
		size_t need = n * 2 + 2;
		char *q = as_xmalloc(need, "a quoted CSV field");
		size_t w = csv_write(q, need, s, n);
		as_buf_add(b, q, w);
		free(q);
	} else {
		as_buf_add(b, s, n);
	}
	if (!last)
		as_buf_add(b, ",", 1);
}

void as_buf_shell_word(as_buf_t *b, const char *s)
{
	size_t n = as_shell_word_to(NULL, 0, s);
	reserve(b, n);
	as_shell_word_to(b->data + b->len, n + 1, s);
	b->len += n;
}

char *as_shell_word(const char *s)
{
	as_buf_t b = {0};
	as_buf_shell_word(&b, s);
	return b.data; /* never NULL: '' at least */
}

void as_buf_csv_num(as_buf_t *b, double v, char fmt, int last)
{
	if (isnan(v))
		;
	else if (fmt == 'I' && fabs(v) < 9.0e15)
		as_buf_printf(b, "%.0f", v);
	else
		as_buf_printf(b, "%.6g", v);
	if (!last)
		as_buf_add(b, ",", 1);
	else
		as_buf_add(b, "\n", 1);
}

void as_buf_free(as_buf_t *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}
