/* escape_notes.c - see escape_notes.h. */
#include "escape_notes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEPT 64 /* notes kept to be taken back; later ones are only counted */

/* Take note I out of the N kept. */
static void drop(long *pid, char (*file)[256], int *n, int i)
{
	memmove(pid + i, pid + i + 1, (size_t)(*n - i - 1) * sizeof(pid[0]));
	memmove(file[i], file[i + 1], (size_t)(*n - i - 1) * sizeof(file[0]));
	(*n)--;
}

void as_escapes_read(const char *path, pid_t prog_pid, int (*skip)(long pid, void *ctx), void *ctx,
                     as_escapes_t *e)
{
	FILE *f = fopen(path, "r");
	char line[1100];
	long pid[KEPT];
	char file[KEPT][256];
	int n = 0, more = 0;
	memset(e, 0, sizeof(*e));
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "escape=", 7) == 0) {
			char *end, *nl = strchr(line, '\n');
			long p = strtol(line + 7, &end, 10);
			if (nl)
				*nl = '\0';
			if (p == (long)prog_pid && p != 0)
				continue;
			if (n == KEPT) {
				more++;
				continue;
			}
			pid[n] = p;
			snprintf(file[n], sizeof(file[n]), "%s", *end ? end + 1 : "?");
			n++;
		} else if (strncmp(line, "exec_failed=", 12) == 0) {
			long p = strtol(line + 12, NULL, 10);
			for (int i = n - 1; i >= 0; i--)
				if (pid[i] == p) { /* the latest note of that process */
					drop(pid, file, &n, i);
					break;
				}
		}
	}
	if (f)
		fclose(f);
	for (int i = 0; skip && i < n; i++)
		if (skip(pid[i], ctx))
			drop(pid, file, &n, i--);
	e->escapes = n + more;
	if (n) {
		e->first_pid = pid[0];
		snprintf(e->first_file, sizeof(e->first_file), "%s", file[0]);
	}
}

void as_escapes_say(const as_escapes_t *e, const char *prog, const char *lib, char *buf, size_t len)
{
	char who[32] = "a process";
	if (e->first_pid > 0)
		snprintf(who, sizeof(who), "pid %ld", e->first_pid);
	snprintf(buf, len,
	         "%d process%s %s started ran an image without %s (first: %s, %s, started with "
	         "an LD_PRELOAD that does not name it, e.g. env -i): %s calls",
	         e->escapes, e->escapes == 1 ? "" : "es", prog, lib, who, e->first_file,
	         e->escapes == 1 ? "its" : "their");
}
