/* escape_notes.c - see escape_notes.h. */
#include "escape_notes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "files.h"

typedef struct {
	long pid;
	char *file;
	int is_static; /* a "static=" note: a statically linked file */
} note_t;

/* Take note I out of the N kept. */
static void drop(note_t *v, int *n, int i)
{
	free(v[i].file);
	memmove(v + i, v + i + 1, (size_t)(*n - i - 1) * sizeof(v[0]));
	(*n)--;
}

/* Every note left is kept (pid and file), so that a later exec_failed
 * takes its own back however many came between: until a review only the
 * first 64 were, and a failed exec's note past them stayed counted (64
 * escapes and a failed `env -i /nonexistent` said 65; 65 parallel failed
 * execs, notes before failures, said 1 with no escape at all). Out of
 * memory: the notes past it are counted, not kept. */
void as_escapes_read(const char *path, pid_t prog_pid, int (*skip)(long pid, void *ctx), void *ctx,
                     as_escapes_t *e)
{
	FILE *f = as_fopen_regular(path, NULL, 0);
	char line[1100];
	note_t *v = NULL;
	int n = 0, cap = 0, more = 0;
	memset(e, 0, sizeof(*e));
	while (f && fgets(line, sizeof(line), f)) {
		int st = strncmp(line, "static=", 7) == 0;
		if (st || strncmp(line, "escape=", 7) == 0) {
			char *end, *nl = strchr(line, '\n'), *file;
			long p = strtol(line + 7, &end, 10);
			if (nl)
				*nl = '\0';
			if (p == (long)prog_pid && p != 0)
				continue;
			if (n == cap) {
				int c = cap ? 2 * cap : 64;
				note_t *w = realloc(v, (size_t)c * sizeof(v[0]));
				if (!w) {
					more++;
					continue;
				}
				v = w, cap = c;
			}
			if (!(file = strdup(*end ? end + 1 : "?"))) {
				more++;
				continue;
			}
			v[n].pid = p;
			v[n].file = file;
			v[n].is_static = st;
			n++;
		} else if (strncmp(line, "exec_failed=", 12) == 0) {
			long p = strtol(line + 12, NULL, 10);
			for (int i = n - 1; i >= 0; i--)
				if (v[i].pid == p) { /* the latest note of that process */
					drop(v, &n, i);
					break;
				}
		}
	}
	if (f)
		fclose(f);
	for (int i = 0; skip && i < n; i++)
		if (skip(v[i].pid, ctx))
			drop(v, &n, i--);
	e->escapes = n + more;
	if (n) {
		e->first_pid = v[0].pid;
		e->first_static = v[0].is_static;
		snprintf(e->first_file, sizeof(e->first_file), "%s", v[0].file);
	}
	for (int i = 0; i < n; i++)
		free(v[i].file);
	free(v);
}

void as_escapes_say(const as_escapes_t *e, const char *prog, const char *lib, char *buf, size_t len)
{
	char who[32] = "a process";
	if (e->first_pid > 0)
		snprintf(who, sizeof(who), "pid %ld", e->first_pid);
	char *wp = as_shell_word(prog), *wf = as_shell_word(e->first_file);
	snprintf(buf, len,
	         "%d process%s %s started ran an image without %s (first: %s, %s, %s): %s calls",
	         e->escapes, e->escapes == 1 ? "" : "es", wp, lib, who, wf,
	         e->first_static ? "statically linked: no LD_PRELOAD reaches it"
	                         : "started with an LD_PRELOAD that does not name it, e.g. env -i",
	         e->escapes == 1 ? "its" : "their");
	free(wp);
	free(wf);
}
