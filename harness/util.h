/* util.h - small helpers the harness shares: kernel-mapped scratch memory
 * (never the allocator under test), monotonic time, checked number parsing
 * for CLI values, and comma-list splitting. */
#ifndef AS_UTIL_H
#define AS_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* mmap `bytes` of zeroed, pre-faulted memory; NULL on failure. */
void *as_map(size_t bytes);
void as_unmap(void *p, size_t bytes);

/* Pages [lo, hi) faulted in now, page-aligned: written when WRITE (an
 * atomic add of 0 a page where MADV_POPULATE_WRITE, Linux 5.14, is
 * missing: nothing changes, safe beside other threads), else read (one
 * read a page without MADV_POPULATE_READ). */
void as_populate(uintptr_t lo, uintptr_t hi, int write);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t as_now_ns(void);

/* 1 when s starts as a decimal number a user types: a digit, or '.' or
 * '-' before one; no hex anywhere (strtod reads "0x10" as 16) and no
 * leading space (strtoull reads " -1" as 2^64 - 1). 0 otherwise, NULL
 * included. */
int as_plain_decimal(const char *s);

/* Parse an unsigned integer option value: whole string, base 10, within
 * [min, max]. Returns 0, or -1 with "option NAME: 'V' is not ... (allowed
 * min..max)" in err. */
int as_parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out,
                 char *err, size_t errlen);
/* Same for a non-negative decimal number (seconds, etc). */
int as_parse_double(const char *opt, const char *s, double min, double max, double *out, char *err,
                    size_t errlen);

/* Length of the valid UTF-8 character at s (RFC 3629: no overlong form,
 * no surrogate, at most U+10FFFF; an ASCII byte is 1), or 0 when s[0]
 * starts none (s is NUL-terminated: a sequence cut short by its end is 0).
 * Text that must be UTF-8 (JSON, SVG) shows such a byte as U+FFFD. */
size_t as_utf8_char(const char *s);

/* Where execvp(3) would find program PROG: PROG itself when it holds a
 * '/', else the first PATH folder (an empty entry: the current folder;
 * PATH unset: /bin:/usr/bin, as glibc) with an executable file of that
 * name, into out (len bytes). Returns 0, or an errno for "PROG: <strerror>":
 * ENOENT (none), EACCES (found, not executable, or a folder),
 * ENAMETOOLONG; out is then "". So a command refuses a program before
 * it creates anything, not when its exec fails. Thread-safe. */
int as_find_program(const char *prog, char *out, size_t len);

/* Split a comma list into at most `max` items in place (modifies s); items
 * are trimmed of spaces; empty items are an error. Returns the count, or -1. */
int as_split_list(char *s, char **items, int max);

/* Write all of buf to fd, waiting (poll) where it was made non-blocking;
 * -1 on error (errno set). */
int as_write_all(int fd, const void *buf, size_t len);
/* Read exactly len bytes; returns bytes read (< len at EOF) or -1. */
long as_read_full(int fd, void *buf, size_t len);

/* The name (/proc/PID/comm) of process pid's current image into out, or "?"
 * when it cannot be read. A zombie keeps it: called between waitid(WNOWAIT)
 * and reaping, it names the image a program ended in. */
void as_proc_comm(int pid, char *out, size_t len);

#endif /* AS_UTIL_H */
