/* buf.h - a growable text buffer and the CSV field writers on top of it
 * (libcsv quotes a field when it needs quoting), and a shell word writer
 * for command lines shown to the user. Every results file is
 * built in one of these and then written whole by files.h. Out of memory
 * ends the process (as_oom in oom.h): a half-built row is never written.
 * Not thread-safe. */
#ifndef AS_BUF_H
#define AS_BUF_H

#include <stddef.h>

#include "shell_word.h" /* as_shell_word_to, as_path_err */

typedef struct as_buf {
	char *data; /* NUL-terminated; NULL until the first add */
	size_t len, cap;
} as_buf_t;

void as_buf_add(as_buf_t *b, const char *s, size_t n);
/* Append the n bytes at s (NUL-terminated at n or later) as UTF-8: a byte
 * that starts no valid UTF-8 character (as_utf8_char in util.h) becomes
 * U+FFFD. For text that must be UTF-8 (JSON, SVG, report.md and .html)
 * holding names from outside: a module or folder named in Latin-1. */
void as_buf_add_utf8(as_buf_t *b, const char *s, size_t n);
void as_buf_printf(as_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append one CSV string field (quoted by libcsv when needed) and, unless
 * last, a comma. */
void as_buf_csv_str(as_buf_t *b, const char *s, int last);
/* Append a number: integers without decimals, NaN as empty (n/a); a comma
 * after it, or a newline when last. */
void as_buf_csv_num(as_buf_t *b, double v, char fmt, int last);
/* Append s as one POSIX shell word that bash reads back as s
 * (as_shell_word_to in workloads/shell_word.h says how it is quoted). */
void as_buf_shell_word(as_buf_t *b, const char *s);
/* s as one shell word (as_buf_shell_word) in a string of its own, which
 * the caller frees: a path in a line shown to the user, be it a command to
 * type (`allocscope run --resume DIR`) or an error naming it ("DIR: why"),
 * so that the line stays one line and the path pastes back into a shell.
 * A path of plain characters comes back as it is. Out of memory ends the
 * process (as_oom). */
char *as_shell_word(const char *s);
void as_buf_free(as_buf_t *b);

#endif /* AS_BUF_H */
