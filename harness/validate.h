/* validate.h - `--validate`: every block a module returns is checked for
 * alignment and for overlap with every other live block, through an
 * address-ordered treap whose nodes are indexed by object id (one live block
 * per id), kept in kernel-mapped memory. Costs O(log n) per op plus a lock
 * when threads share it: a correctness mode, not a measuring one. */
#ifndef AS_VALIDATE_H
#define AS_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

/* Prepare for ids < nslots. Returns 0 or -1 (no memory). */
int as_validate_init(uint32_t nslots);

/* Record block [p, p+size) as object id. Returns 0, or -1 when it overlaps a
 * live block (its id in *other) or id is out of range. size 0 counts as 1. */
int as_validate_insert(uint32_t id, const void *p, uint64_t size, uint32_t *other);

/* As as_validate_insert; on an overlap also the other block's start and
 * size as recorded (size 0 counted as 1), read under the lock that guards
 * the record, so they are right when the block is another thread's. */
int as_validate_insert_other(uint32_t id, const void *p, uint64_t size, uint32_t *other,
                             const void **other_p, uint64_t *other_size);

/* Forget object id's block (no-op when it has none). */
void as_validate_remove(uint32_t id);

#endif /* AS_VALIDATE_H */
