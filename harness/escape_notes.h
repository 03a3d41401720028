/* escape_notes.h - the CLI's reading of the notes the preload libraries
 * write when a process starts an image without them (exec/exec_escape.c):
 * "escape=PID FILE" lines (and "static=PID FILE": a statically linked
 * file), each taken back by a later "exec_failed=PID".
 * exec reads them from its stats file, capture from its spool folder. */
#ifndef AS_ESCAPE_NOTES_H
#define AS_ESCAPE_NOTES_H

#include <stddef.h>
#include <sys/types.h>

typedef struct {
	int escapes;          /* notes left, but those of the program itself (PROG_PID) */
	long first_pid;       /* the first of them: its process (0: not known, system) */
	char first_file[256]; /* ... and the file it started */
	int first_static;     /* ... 1: that file is statically linked ("static=") */
} as_escapes_t;

/* Read the notes in PATH (other lines are skipped; a missing file: none).
 * A note of PROG_PID is the program's own last image, which each command
 * checks its own way, and is not counted; nor is one whose process SKIP
 * (may be NULL) returns 1 for. */
void as_escapes_read(const char *path, pid_t prog_pid, int (*skip)(long pid, void *ctx), void *ctx,
                     as_escapes_t *e);

/* The line's start both commands print: "N process(es) PROG started ran
 * an image without LIB (first: pid P, FILE, ...): its|their calls" into
 * buf; the caller says what became of them. */
void as_escapes_say(const as_escapes_t *e, const char *prog, const char *lib, char *buf,
                    size_t len);

#endif /* AS_ESCAPE_NOTES_H */
