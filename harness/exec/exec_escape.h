/* exec_escape.h - the shim's watch on execs that drop it (exec_escape.c). */
#ifndef AS_EXEC_ESCAPE_H
#define AS_EXEC_ESCAPE_H

/* Look up the next exec-family definitions and this library's path; notes
 * go to STATS_PATH (kept, not copied; NULL or "": none). Called once from
 * the shim's constructor, before the program runs. */
void as_exec_escape_init(const char *stats_path);

#endif /* AS_EXEC_ESCAPE_H */
