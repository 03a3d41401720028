/* test_suggest.c - the "did you mean" helper: edit distances, and which
 * candidates count as close (the CLI's messages are checked by test_cli). */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "suggest.h"

static const char *best(const char *given, const char *const *names)
{
	static char out[128];
	as_suggest_t sg;
	as_suggest_init(&sg, given);
	for (size_t i = 0; names[i]; i++)
		as_suggest_add(&sg, names[i]);
	return as_suggest_fmt(&sg, NULL, out, sizeof(out));
}

int main(void)
{
	static const char *const cmds[] = {"run",  "suite",   "replay", "list", "check",
	                                   "exec", "capture", "trace",  "plot", NULL};
	static const char *const keys[] = {"mmap_threshold", "trim_threshold", "top_pad", NULL};
	char big[200];

	CHECK(as_suggest_distance("run", "run") == 0);
	CHECK(as_suggest_distance("rn", "run") == 1);   /* deletion */
	CHECK(as_suggest_distance("runn", "run") == 1); /* insertion */
	CHECK(as_suggest_distance("rux", "run") == 1);  /* substitution */
	CHECK(as_suggest_distance("urn", "run") == 1);  /* two neighbours swapped */
	CHECK(as_suggest_distance("RUN", "run") == 0);  /* case ignored */
	CHECK(as_suggest_distance("", "abc") == 3);
	CHECK(as_suggest_distance("kitten", "sitting") == 3);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(as_suggest_distance(big, "a") == SIZE_MAX);

	CHECK(!strcmp(best("rn", cmds), "; did you mean 'run'?"));
	CHECK(!strcmp(best("sute", cmds), "; did you mean 'suite'?"));
	CHECK(!strcmp(best("captrue", cmds), "; did you mean 'capture'?"));
	CHECK(!strcmp(best("top_pat", keys), "; did you mean 'top_pad'?"));
	/* nothing close: no suggestion rather than a wild one */
	CHECK(!strcmp(best("x", cmds), ""));
	CHECK(!strcmp(best("frobnicate", cmds), ""));
	CHECK(!strcmp(best("trimm", keys), ""));
	CHECK(!strcmp(best("", cmds), ""));
	/* two edits in three characters is a different word */
	CHECK(!strcmp(best("rxx", cmds), ""));
	/* prefix for options */
	{
		as_suggest_t sg;
		char out[64];
		as_suggest_init(&sg, "reps2");
		as_suggest_add(&sg, "reps");
		as_suggest_add(&sg, NULL);
		as_suggest_add(&sg, "");
		CHECK(!strcmp(as_suggest_fmt(&sg, "--", out, sizeof(out)),
		              "; did you mean '--reps'?"));
	}
	return as_check_done();
}
