/* exec_early_prog.c - links exec_early_lib, whose constructor may start a
 * child before any preloaded library's constructor ran; with EARLY_ENV=dup
 * main starts one (test_exec_escape_early.sh). */
#include <stdlib.h>
#include <string.h>

void exec_early_child(int dup);

int main(void)
{
	const char *how = getenv("EARLY_ENV");
	if (how && !strcmp(how, "dup"))
		exec_early_child(1);
	return 0;
}
