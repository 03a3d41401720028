/* buf.h - a growable text buffer and the CSV field writers on top of it
 * (libcsv quotes a field when it needs quoting), and a shell word writer
 * for command lines shown to the user. Every results file is
 * built in one of these and then written whole by files.h. Out of memory
 * aborts: a half-built row is never written. Not thread-safe. */
#ifndef AS_BUF_H
#define AS_BUF_H

#include <stddef.h>

typedef struct as_buf {
	char *data; /* NUL-terminated; NULL until the first add */
	size_t len, cap;
} as_buf_t;

void as_buf_add(as_buf_t *b, const char *s, size_t n);
void as_buf_printf(as_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append one CSV string field (quoted by libcsv when needed) and, unless
 * last, a comma. */
void as_buf_csv_str(as_buf_t *b, const char *s, int last);
/* Append a number: integers without decimals, NaN as empty (n/a); a comma
 * after it, or a newline when last. */
void as_buf_csv_num(as_buf_t *b, double v, char fmt, int last);
/* Append s as one POSIX shell word that bash reads back as s: as it is
 * when it holds only characters no shell treats specially, else in single
 * quotes, or, when it holds a control character (a newline, a tab), as
 * $'...' with C escapes, so that the word stays on one line. An empty s
 * is ''. */
void as_buf_shell_word(as_buf_t *b, const char *s);
void as_buf_free(as_buf_t *b);

#endif /* AS_BUF_H */
