/* heapstart.h - the same start for every glibc trial. The glibc module is
 * the worker's own malloc, so its trial starts on the heap the harness has
 * used: whatever the worker allocated and freed before the baseline is
 * there as free blocks, and glibc's later choices follow from them. One
 * block 48 bytes shorter (the install's path is longer) made the same
 * trial's brk calls 225, 236 or 276 by where allocscope was installed.
 * Before the timed region the worker of a glibc trial gives the main arena
 * the free space a fresh process has after its first malloc: this thread's
 * tcache, the fast bins and every other bin emptied (the blocks taken are
 * kept for good, below the trial's), the heap grown so that a new top
 * starts at a page, and in it the first block a fresh process's malloc
 * takes (its tcache). A stream of mallocs and frees then makes the brk
 * calls it makes in a fresh process (tests/test_glibc_fresh.sh). */
#ifndef AS_HEAPSTART_H
#define AS_HEAPSTART_H

#include <stddef.h>

/* Returns 0, or -1 with the reason in why (the heap is then as it was). */
int as_heapstart_fresh(char *why, size_t len);

#endif /* AS_HEAPSTART_H */
