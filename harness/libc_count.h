/* libc_count.h - every call into the process's malloc family, counted.
 * allocscope's executable defines malloc, free, calloc, realloc and their
 * aligned kin; each counts the call and hands it to glibc's own entry
 * (__libc_malloc, ...). A module is loaded RTLD_LOCAL and must call its
 * allocator's own functions (the loader refuses one that imports malloc),
 * but it can still reach the process's malloc without importing it: by
 * dlsym(RTLD_DEFAULT, "malloc"), or through a library it links that
 * imports malloc. Those calls end here and are counted, unless glibc's
 * own code made them (libc.so.6, ld.so: the TLS block ld.so gives each
 * thread of a dlopen'ed library with thread-local state, a thread's
 * start). Not seen here: dlsym(RTLD_NEXT), dlvsym, a library opened with
 * RTLD_DEEPBIND, libc.so.6 opened by hand: those reach libc.so.6's entries
 * directly, where libc_probe.h's uprobes count them (as_libc_calls adds
 * that count where a worker has them open). The engine reads the count
 * before and after the timed region (trials.csv libc_calls): the harness
 * calls no malloc there, so any it sees is the module's, and the trial's
 * figures would be glibc's as much as the module's (status
 * module_called_libc_malloc). The glibc module looks glibc's functions up
 * in libc.so.6 itself (dlsym on its handle): its calls do not pass here,
 * and its worker closes the uprobes (worker.c).
 * Linked into the allocscope executable alone, not into as_harness: a
 * benchmark's hand loop that calls malloc must call glibc's, not a
 * counter (engine.c's weak as_libc_calls says "uncounted" there). Not
 * built into a sanitizer build either (the sanitizer owns malloc there):
 * as_libc_calls() then returns AS_LIBC_CALLS_UNCOUNTED. */
#ifndef AS_LIBC_COUNT_H
#define AS_LIBC_COUNT_H

#include <stdint.h>

#define AS_LIBC_CALLS_UNCOUNTED UINT64_MAX

/* Calls so far into the process's malloc family (free(NULL) not counted),
 * all threads; AS_LIBC_CALLS_UNCOUNTED when this build does not count. */
uint64_t as_libc_calls(void);

/* Where the entries above are: [*lo, *hi), which libc_probe.h's uprobes
 * leave out. Weak: a program without them (a benchmark, a test linking
 * as_harness, a sanitizer build) has none, and the address is NULL. */
void as_libc_wrap_range(uintptr_t *lo, uintptr_t *hi) __attribute__((weak));

#endif /* AS_LIBC_COUNT_H */
