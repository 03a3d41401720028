/* exec_escape.h - the shim's watch on execs that drop it (exec_escape.c). */
#ifndef AS_EXEC_ESCAPE_H
#define AS_EXEC_ESCAPE_H

/* Look up the next exec-family definitions and this library's path; notes
 * go to STATS_PATH (kept, not copied; NULL or "": none). Called once from
 * the library's constructor, before the program runs. */
void as_exec_escape_init(const char *stats_path);

/* Each library that holds exec_escape.c defines it: where the notes go
 * (NULL: none), from the environment as the constructor takes it. A
 * wrapped call that comes before the constructor (another library's
 * constructor runs first: one the program links) calls it, then
 * as_exec_escape_init; it must not allocate (a vfork child may call it). */
const char *as_exec_escape_early_path(void);

#endif /* AS_EXEC_ESCAPE_H */
