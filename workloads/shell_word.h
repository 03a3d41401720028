/* shell_word.h - a path as one POSIX shell word, into a caller's buffer,
 * and the "PATH: why" error line built on it (coreutils quotes file names
 * in its messages so). Here, below harness/, so that the trace readers'
 * errors quote the path the way the CLI's do; harness/buf.h adds the
 * allocating forms. Never allocates; thread-safe. */
#ifndef AS_SHELL_WORD_H
#define AS_SHELL_WORD_H

#include <stddef.h>

/* Write s as one shell word that bash reads back as s: as it is when it
 * holds only characters no shell treats specially, else in single quotes,
 * or, when it holds a control character (a newline, a tab), as $'...' with
 * C escapes, so that the word stays on one line. An empty s is ''. At most
 * len - 1 bytes and a NUL go to out (nothing when len is 0, out may then
 * be NULL). Returns the word's whole length, as snprintf does: a return
 * >= len means it was cut. */
size_t as_shell_word_to(char *out, size_t len, const char *s);

/* err = "PATH: " and the formatted rest, PATH as a shell word
 * (as_shell_word_to), cut to errlen: an error naming a path with a
 * newline is still one line. */
void as_path_err(char *err, size_t errlen, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif /* AS_SHELL_WORD_H */
