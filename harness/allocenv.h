/* allocenv.h - the caller's allocator settings kept out of the trials. An
 * outside review ran `MALLOC_CONF=narenas:1 allocscope run -a jemalloc`
 * and `MALLOC_MMAP_THRESHOLD_=1048576 allocscope run -a glibc`: every
 * worker inherited them, so the rows measured a tuned allocator under the
 * plain module's name, with empty module_params and nothing in
 * context.csv. The commands that run trials start without them; a
 * module's params are the one way to set its options. */
#ifndef AS_ALLOCENV_H
#define AS_ALLOCENV_H

#include <stddef.h>

/* Remove the allocator settings from this process's environment (before
 * anything reads them: the static-TLS re-exec, glibc's malloc in the
 * workers, jemalloc's and mimalloc's start in the probes): glibc's
 * MALLOC_*_ variables and GLIBC_TUNABLES' glibc.malloc.* items,
 * [*]MALLOC_CONF, MIMALLOC_* and TCMALLOC_*. What was removed is said on
 * stderr once and kept (ALLOCSCOPE_ENV_LEFT_OUT, across the re-exec) for
 * as_allocenv_left_out. */
void as_allocenv_strip(void);

/* Once this process is the one that runs (no re-exec follows): the
 * variable that carried what was left out across the re-exec goes, so a
 * program a trial or tune --verify starts, allocscope itself included,
 * does not take it for its own (a review of session 21's change). */
void as_allocenv_settle(void);

/* What as_allocenv_strip removed, "VAR=value; ..." ("" when nothing). */
const char *as_allocenv_left_out(void);

/* What of the environment still reaches the trials and can change what
 * they measure, into out: LD_PRELOAD (an allocator preloaded into the
 * harness and its workers), LD_LIBRARY_PATH (which library a module
 * binds) and GLIBC_TUNABLES' other items (glibc.cpu.* picks memcpy and
 * memset; the static-TLS item allocscope adds is left out), as
 * "VAR=value; ...", or "none". */
void as_allocenv_kept(char *out, size_t len);

#endif /* AS_ALLOCENV_H */
