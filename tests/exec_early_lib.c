/* exec_early_lib.c - a library whose constructor starts a child whose
 * environment drops LD_PRELOAD: a library the program links runs its
 * constructor before a preloaded library's, so this exec comes before the
 * exec shim's (or the capture library's) constructor. EARLY_ENV picks what
 * happens: "empty" (an empty environment, from the constructor), "dup"
 * (from main, after every constructor: an environment that names
 * LD_PRELOAD twice, the caller's first and an empty one last, which the
 * loader takes), "off" (nothing). Used by test_exec_escape_early.sh. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Start /bin/true with no LD_PRELOAD (DUP: with the caller's first, then
 * an empty one) and wait for it. */
void exec_early_child(int dup)
{
	static char keep[4096 + 16] = "LD_PRELOAD=";
	const char *pre = getenv("LD_PRELOAD");
	char *twice[] = {keep, "LD_PRELOAD=", NULL};
	char *none[] = {NULL};
	pid_t p;
	strncat(keep, pre ? pre : "", 4096);
	p = fork();
	if (p == 0) {
		execle("/bin/true", "true", (char *)NULL, dup ? twice : none);
		_exit(127);
	}
	if (p > 0)
		waitpid(p, NULL, 0);
}

__attribute__((constructor)) static void early(void)
{
	const char *how = getenv("EARLY_ENV");
	if (how && !strcmp(how, "empty"))
		exec_early_child(0);
}
