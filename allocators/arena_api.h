/* arena_api.h - the arena module's two calls beyond the module ABI:
 * mark/release. Look them up with dlsym(handle, AS_ARENA_MARK_SYM) on a
 * loaded arena.so; they take the instance that create() returned. */
#ifndef AS_ARENA_API_H
#define AS_ARENA_API_H

/* A position to roll back to: the block and the pointer inside it. */
typedef struct as_arena_mark {
	void *block;
	char *ptr;
	unsigned long long resets; /* a reset since the mark invalidates it */
} as_arena_mark_t;

#define AS_ARENA_MARK_SYM    "allocscope_arena_mark"
#define AS_ARENA_RELEASE_SYM "allocscope_arena_release"

/* Save the current position into *out. */
typedef void (*as_arena_mark_fn)(void *inst, as_arena_mark_t *out);
/* Free everything allocated after the mark (blocks added since are
 * unmapped). Returns 0, or -1 when the mark is stale: its block was
 * released by an older mark, or the arena was reset since. */
typedef int (*as_arena_release_fn)(void *inst, const as_arena_mark_t *mark);

#endif /* AS_ARENA_API_H */
