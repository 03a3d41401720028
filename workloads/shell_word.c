/* shell_word.c - see shell_word.h. */
#include "shell_word.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct {
	char *out;
	size_t len, n; /* n: the word's length so far, written or not */
} word_t;

static void put(word_t *w, const char *s, size_t k)
{
	for (size_t i = 0; i < k; i++, w->n++)
		if (w->n + 1 < w->len)
			w->out[w->n] = s[i];
}

size_t as_shell_word_to(char *out, size_t len, const char *s)
{
	/* characters no POSIX shell reads specially inside a word: a spec
	 * NAME:k=v,k=v and a path stay as typed */
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                            "0123456789@%+=:,./_-";
	word_t w = {out, len, 0};
	int ctl = 0;
	for (const char *p = s; *p; p++)
		ctl |= (unsigned char)*p < 0x20 || *p == 0x7f;
	if (*s && !s[strspn(s, plain)]) {
		put(&w, s, strlen(s));
	} else if (!ctl) {
		put(&w, "'", 1);
		for (; *s; s++)
			if (*s == '\'')
				put(&w, "'\\''", 4);
			else
				put(&w, s, 1);
		put(&w, "'", 1);
	} else {
		/* bash's ANSI-C quoting: one line, whatever the word holds */
		put(&w, "$'", 2);
		for (; *s; s++) {
			unsigned char c = (unsigned char)*s;
			char esc[5];
			if (c == '\n')
				put(&w, "\\n", 2);
			else if (c == '\t')
				put(&w, "\\t", 2);
			else if (c == '\r')
				put(&w, "\\r", 2);
			else if (c == '\\' || c == '\'')
				put(&w, (char[]){'\\', (char)c}, 2);
			else if (c < 0x20 || c == 0x7f) {
				snprintf(esc, sizeof(esc), "\\x%02x", c);
				put(&w, esc, 4);
			} else
				put(&w, s, 1);
		}
		put(&w, "'", 1);
	}
	if (len)
		out[w.n < len ? w.n : len - 1] = '\0';
	return w.n;
}

void as_path_err(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
	size_t n = as_shell_word_to(err, errlen, path);
	va_list ap;
	if (n + 2 >= errlen)
		return;
	memcpy(err + n, ": ", 3);
	n += 2;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
}
