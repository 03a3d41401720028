/* oom.h - what the harness does when an allocation it cannot go on
 * without fails: one line naming what was being allocated and how much,
 * stdio flushed, a distinct exit status (no abort(): no core, no lost
 * output). Not for the module under test (its NULL is a row's status,
 * out_of_memory) nor for allocations a caller can do without. */
#ifndef AS_OOM_H
#define AS_OOM_H

#include <stddef.h>

/* The exit status of a process that ran out of memory (sysexits.h
 * EX_OSERR: a system resource ran out). README's exit-status list. */
#define AS_EXIT_OOM 71

/* Print "allocscope: out of memory: WHAT (BYTES bytes)" on stderr (without
 * the bytes when 0: a library's allocation of a size not known), flush
 * stdout and exit(AS_EXIT_OOM), or in a process with a hook
 * (as_oom_hook) call it with "out of memory: WHAT (BYTES bytes)" and
 * _exit(AS_EXIT_OOM). Called again while exiting (an atexit handler out
 * of memory too), it _exits at once. Thread-safe enough: the first caller
 * exits. */
_Noreturn void as_oom(const char *what, size_t bytes);

/* In a process that reports to another (a trial's worker): hook gets the
 * message instead of stderr, and the process ends with _exit (no exit
 * handlers). NULL restores the default. */
void as_oom_hook(void (*hook)(const char *msg));

/* malloc, calloc, realloc, strdup, strndup that never return NULL: a
 * failure is as_oom(what, the bytes asked for). */
void *as_xmalloc(size_t n, const char *what);
void *as_xcalloc(size_t n, size_t size, const char *what);
void *as_xrealloc(void *p, size_t n, const char *what);
char *as_xstrdup(const char *s, const char *what);
char *as_xstrndup(const char *s, size_t n, const char *what);

#endif /* AS_OOM_H */
