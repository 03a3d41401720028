/* test_mtrace.c - import of a real glibc mtrace log, produced here by glibc
 * itself (libc_malloc_debug.so.0 + MALLOC_TRACE + mtrace() in a
 * constructor of mtrace_prog), and the importer's repairs and errors on
 * hand-made messy and malformed logs. */
#include <unistd.h>

#include "check.h"
#include "trace_util.h"

#define DEBUG_LIB "/usr/lib/x86_64-linux-gnu/libc_malloc_debug.so.0"

static int import_mode(const char *log, int strict, evvec_t *v, as_mtrace_report_t *rep,
                       as_trace_err_t *err)
{
	memset(v, 0, sizeof(*v));
	memset(err, 0, sizeof(*err));
	return as_trace_mtrace_read(log, strlen(log), strict, evvec_push, v, rep, err);
}

static int import_buf(const char *log, evvec_t *v, as_mtrace_report_t *rep, as_trace_err_t *err)
{
	return import_mode(log, 0, v, rep, err);
}

/* 1 when msg is one line a terminal shows as it is (no control byte) */
static int one_safe_line(const char *msg)
{
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* Logs that are no mtrace log, or hold a NUL or control byte (review
 * 2026-12): a reason on one line, exit 2, no trace written. */
static void not_mtrace(const char *dir, const char *cli)
{
	static const char nul_line[] = "= Start\n@ ./p:[0x1] + 0x10 0x5\n\0\0\0\0\n- 0x10\n= End\n";
	static const char esc_line[] = "= Start\n\x1b[31m 0x10\n";
	as_mtrace_report_t rep;
	as_trace_err_t err;
	evvec_t v;
	char cmd[2048], path[400], *out;
	unsigned char noise[4096];
	uint32_t x = 12345;
	FILE *f;

	memset(&v, 0, sizeof(v));
	memset(&err, 0, sizeof(err));
	CHECKF(as_trace_mtrace_read(nul_line, sizeof(nul_line) - 1, 1, evvec_push, &v, &rep,
	                            &err) != 0 &&
	           err.pos == 3 && strstr(err.msg, "NUL byte"),
	       "line %llu: %s", (unsigned long long)err.pos, err.msg);
	free(v.ev);
	memset(&v, 0, sizeof(v));
	CHECKF(as_trace_mtrace_read(esc_line, sizeof(esc_line) - 1, 1, evvec_push, &v, &rep,
	                            &err) != 0 &&
	           err.pos == 2 && strstr(err.msg, "byte 0x1b") && one_safe_line(err.msg),
	       "line %llu: %s", (unsigned long long)err.pos, err.msg);
	free(v.ev);

	/* the files: a line of NULs, random bytes (no NUL: torn lines only),
	 * an empty file, and a good log */
	for (size_t i = 0; i < sizeof(noise); i++) {
		x = x * 1103515245u + 12345u;
		noise[i] = (unsigned char)((x >> 16) % 255 + 1);
	}
	snprintf(path, sizeof(path), "%s/nul.mtrace", dir);
	f = fopen(path, "wb");
	CHECK(f && fwrite(nul_line, 1, sizeof(nul_line) - 1, f) == sizeof(nul_line) - 1);
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/noise.mtrace", dir);
	f = fopen(path, "wb");
	CHECK(f && fwrite(noise, 1, sizeof(noise), f) == sizeof(noise));
	if (f)
		fclose(f);
	snprintf(
	    cmd, sizeof(cmd),
	    "cd %s && : > void.mtrace && "
	    "printf '= Start\\n@ ./p:[0x1] + 0x10 0x5\\n- 0x10\\n= End\\n' > ok.mtrace && "
	    "{ '%s' trace import mtrace nul.mtrace -o n1.ast --strict 2> e1; echo $? > rc1; } && "
	    "{ '%s' trace import mtrace noise.mtrace -o n2.ast 2> e2; echo $? > rc2; } && "
	    "{ '%s' trace import mtrace void.mtrace -o n3.ast 2> e3; echo $? > rc3; } && "
	    "{ '%s' trace import mtrace ok.mtrace --strict -o ok.csv -f csv > o4 2> e4; "
	    "echo $? > rc4; } && "
	    "{ '%s' trace import -o n5.ast mtrace ok.mtrace --bogus 2> e5; echo $? > rc5; }",
	    dir, cli, cli, cli, cli, cli);
	CHECK(run_sh(cmd) == 0);
	{
		static const char *const want[] = {
		    "nul.mtrace: line 3: holds a NUL byte",
		    "noise.mtrace: not a glibc mtrace log (no line is an mtrace record",
		    "void.mtrace: not a glibc mtrace log (empty file",
		    "",
		    "unknown option '--bogus'",
		};
		static const int rc[] = {2, 2, 2, 0, 2};
		for (int i = 0; i < 5; i++) {
			char *e, *r;
			snprintf(path, sizeof(path), "%s/e%d", dir, i + 1);
			e = slurp(path);
			snprintf(path, sizeof(path), "%s/rc%d", dir, i + 1);
			r = slurp(path);
			if (e && *e && e[strlen(e) - 1] == '\n')
				e[strlen(e) - 1] = '\0';
			CHECKF(e && r && atoi(r) == rc[i] && strstr(e, want[i]) &&
			           one_safe_line(e) && (rc[i] || !*e),
			       "case %d: exit %s, stderr '%s' (want %d, '%s')", i + 1, r ? r : "?",
			       e ? e : "?", rc[i], want[i]);
			free(e);
			free(r);
			if (rc[i]) {
				snprintf(path, sizeof(path), "%s/n%d.ast", dir, i + 1);
				CHECKF(access(path, F_OK) != 0, "a refused import wrote %s", path);
			}
		}
	}
	snprintf(path, sizeof(path), "%s/ok.csv", dir);
	out = slurp(path);
	CHECKF(out && !strncmp(out, "op,", 3) && strstr(out, "\nmalloc,"), "%s", out ? out : "");
	free(out);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/as_test_mtrace.XXXXXX", cmd[2048], path[300];
	const char *cli = getenv("ALLOCSCOPE");
	as_mtrace_report_t rep;
	as_trace_err_t err;
	evvec_t v;
	char *out, *log;

	if (!cli || argc < 2 || !mkdtemp(dir))
		return 1;

	/* a real log from glibc */
	if (access(DEBUG_LIB, R_OK) != 0) {
		fprintf(stderr, "test_mtrace: %s missing (libc6 without malloc debug?)\n",
		        DEBUG_LIB);
		CHECK(0);
	}
	snprintf(cmd, sizeof(cmd), "cd %s && MALLOC_TRACE=%s/prog.mtrace LD_PRELOAD=%s '%s'", dir,
	         dir, DEBUG_LIB, argv[1]);
	CHECK(run_sh(cmd) == 0);
	snprintf(path, sizeof(path), "%s/prog.mtrace", dir);
	log = slurp(path);
	CHECKF(log && strstr(log, "= Start") && strstr(log, "\n@ "), "log: %s",
	       log ? log : "(none)");
	CHECK(log && import_buf(log, &v, &rep, &err) == 0);
	{
		int allocs = 0, frees = 0, reallocs = 0, unknown = 0, big = 0;
		for (size_t i = 0; i < v.n; i++) {
			allocs += v.ev[i].op == AS_TEV_ALLOC;
			frees += v.ev[i].op == AS_TEV_FREE;
			reallocs += v.ev[i].op == AS_TEV_REALLOC;
			unknown += v.ev[i].op == AS_TEV_FREE_UNKNOWN;
			big += v.ev[i].op == AS_TEV_REALLOC && v.ev[i].size == (1 << 20);
		}
		/* 10 + realloc(NULL) + calloc (mtrace logs it as '+') */
		CHECKF(allocs >= 12, "allocs %d", allocs);
		CHECKF(reallocs == 1 && big == 1, "reallocs %d", reallocs);
		/* 10 + r + realloc(z, 0) */
		CHECKF(frees >= 12, "frees %d", frees);
		CHECKF(unknown >= 1 && rep.unknown_frees >= 1, "unknown %d", unknown);
		/* the failed malloc: a record of glibc's, not a torn line */
		CHECKF(rep.failed_alloc == 1 && rep.torn_lines == 0,
		       "failed_allocs %llu, torn %llu", (unsigned long long)rep.failed_alloc,
		       (unsigned long long)rep.torn_lines);
	}
	free(v.ev);
	CHECK(log && import_mode(log, 1, &v, &rep, &err) == 0 && rep.failed_alloc == 1);
	free(v.ev);
	free(log);
	snprintf(cmd, sizeof(cmd),
	         "cd %s && '%s' trace import mtrace prog.mtrace -o prog.ast > imp.txt && "
	         "'%s' trace stats prog.ast > stats.txt",
	         dir, cli, cli);
	CHECK(run_sh(cmd) == 0);
	snprintf(path, sizeof(path), "%s/imp.txt", dir);
	out = slurp(path);
	CHECKF(out && strstr(out, "repairs and drops:") && strstr(out, "torn_lines ") &&
	           strstr(out, "unknown_frees ") && strstr(out, "null_frees "),
	       "%s", out ? out : "");
	free(out);
	/* options before the words: the same import, the same trace */
	snprintf(cmd, sizeof(cmd),
	         "cd %s && '%s' trace import -o prog2.ast mtrace prog.mtrace > /dev/null && "
	         "cmp -s prog.ast prog2.ast",
	         dir, cli);
	CHECK(run_sh(cmd) == 0);

	/* messy logs: out-of-order lines, late frees, unknown realloc, "!" */
	const char *messy = "= Start\n"
	                    "@ ./p:[0x401136] + 0x1000 0x10\n"
	                    "@ ./p:(main+0x1c)[0x401136] + 0x1000 0x20\n" /* still live */
	                    "- 0x1000\n"                                  /* the late free */
	                    "- 0x1000\n"
	                    "- 0x9000\n" /* allocated before tracing */
	                    "< 0x7000\n"
	                    "@ [0x4011] > 0x8000 0x40\n" /* realloc of unknown */
	                    "! 0x8000 0xffffffffff\n"
	                    "- (nil)\n"
	                    "+ 0x2000 0\n"
	                    "= End\n";
	CHECK(import_buf(messy, &v, &rep, &err) == 0);
	CHECKF(rep.live_realloc_as_free == 1 && rep.late_frees == 1, "%llu %llu",
	       (unsigned long long)rep.live_realloc_as_free, (unsigned long long)rep.late_frees);
	CHECK(rep.unknown_frees == 1 && rep.unknown_realloc == 1 && rep.failed_realloc == 1);
	CHECK(rep.null_frees == 1 && rep.lines == 12);
	/* events: alloc, free(repair), alloc, free, free_unknown, alloc, alloc */
	CHECKF(v.n == 7, "%zu events", v.n);
	if (v.n == 7) {
		CHECK(v.ev[1].op == AS_TEV_FREE && v.ev[1].obj == 0);
		CHECK(v.ev[2].op == AS_TEV_ALLOC && v.ev[2].obj == 1 && v.ev[2].size == 0x20);
		CHECK(v.ev[3].op == AS_TEV_FREE && v.ev[3].obj == 1);
		CHECK(v.ev[4].op == AS_TEV_FREE_UNKNOWN);
		CHECK(v.ev[5].op == AS_TEV_ALLOC && v.ev[5].size == 0x40);
	}
	free(v.ev);

	/* double frees: a free of an address freed (or moved from by a realloc)
	 * and not allocated since is counted as double_frees, not as a free
	 * of a block from before tracing (an address the log never showed);
	 * both stay in the trace as free_unknown */
	{
		const char *dbl = "= Start\n"
		                  "+ 0x1000 0x10\n"
		                  "- 0x1000\n"
		                  "- 0x1000\n" /* double free */
		                  "- 0x9000\n" /* from before tracing */
		                  "+ 0x2000 0x10\n"
		                  "< 0x2000\n"
		                  "> 0x3000 0x20\n"
		                  "- 0x2000\n" /* double free: the realloc moved it */
		                  "+ 0x1000 0x8\n"
		                  "- 0x1000\n" /* allocated again: a genuine free */
		                  "- 0x3000\n";
		int unknown = 0;
		CHECK(import_buf(dbl, &v, &rep, &err) == 0);
		CHECKF(rep.double_frees == 2 && rep.unknown_frees == 1, "double %llu unknown %llu",
		       (unsigned long long)rep.double_frees, (unsigned long long)rep.unknown_frees);
		CHECKF(v.n == 10, "%zu events", v.n);
		for (size_t i = 0; i < v.n; i++)
			unknown += v.ev[i].op == AS_TEV_FREE_UNKNOWN;
		CHECKF(unknown == 3, "%d free_unknown", unknown);
		CHECK(rep.live_realloc_as_free == 0 && rep.late_frees == 0);
		free(v.ev);
	}

	/* counts worked by hand: two allocations at a live address owe two
	 * late frees, both dropped, and the third free is the real one; a
	 * realloc that moved from a block the log never showed did not free
	 * a known block, so a later free of that address is of a block from
	 * before tracing, not a double free; a failed realloc ("!") is a
	 * dropped line, as "= Start" is */
	{
		const char *owed = "= Start\n"
		                   "+ 0x1000 0x10\n"
		                   "+ 0x1000 0x20\n" /* live: a free of it is late */
		                   "+ 0x1000 0x30\n" /* and another */
		                   "- 0x1000\n"      /* late */
		                   "- 0x1000\n"      /* late */
		                   "- 0x1000\n"      /* frees the third */
		                   "< 0x7000\n"
		                   "> 0x8000 0x40\n" /* realloc of unknown */
		                   "- 0x7000\n"      /* from before tracing */
		                   "! 0x8000 0x50\n"
		                   "< 0xa000\n" /* its '>' never comes */
		                   "- 0x8000\n";
		CHECK(import_buf(owed, &v, &rep, &err) == 0);
		CHECKF(rep.late_frees == 2 && rep.double_frees == 0 && rep.unknown_frees == 1 &&
		           rep.unknown_realloc == 1 && rep.failed_realloc == 1 &&
		           rep.unpaired_realloc == 1,
		       "late %llu double %llu unknown %llu unknown realloc %llu failed %llu "
		       "unpaired %llu",
		       (unsigned long long)rep.late_frees, (unsigned long long)rep.double_frees,
		       (unsigned long long)rep.unknown_frees,
		       (unsigned long long)rep.unknown_realloc,
		       (unsigned long long)rep.failed_realloc,
		       (unsigned long long)rep.unpaired_realloc);
		/* dropped: "= Start", two late frees, "!", the lost "<" (not
		 * counted until session 26) */
		CHECKF(rep.dropped_lines == 5, "dropped %llu",
		       (unsigned long long)rep.dropped_lines);
		free(v.ev);
	}

	/* a "<" on the last line, its ">" never written: one line, one
	 * unpaired realloc, no event, so one dropped line */
	{
		CHECK(import_buf("+ 0x1000 0x10\n< 0x1000\n", &v, &rep, &err) == 0);
		CHECKF(v.n == 1 && rep.unpaired_realloc == 1 && rep.dropped_lines == 1 &&
		           rep.lines == 2,
		       "%zu events, unpaired %llu, dropped %llu, lines %llu", v.n,
		       (unsigned long long)rep.unpaired_realloc,
		       (unsigned long long)rep.dropped_lines, (unsigned long long)rep.lines);
		free(v.ev);
	}

	/* in-place realloc ("< p" then "> p"): the same block grows, nothing is
	 * repaired (only the "= Start" marker is dropped), and the genuine free that follows is
	 * imported (issue 14) */
	{
		const char *inplace = "= Start\n"
		                      "@ a:[0x1] + 0x1000 0x10\n"
		                      "@ a:[0x1] < 0x1000\n"
		                      "@ a:[0x1] > 0x1000 0x20\n"
		                      "@ a:[0x1] - 0x1000\n";
		CHECK(import_buf(inplace, &v, &rep, &err) == 0);
		CHECKF(rep.late_frees == 0 && rep.dropped_lines == 1 &&
		           rep.live_realloc_as_free == 0,
		       "late %llu dropped %llu repaired %llu", (unsigned long long)rep.late_frees,
		       (unsigned long long)rep.dropped_lines,
		       (unsigned long long)rep.live_realloc_as_free);
		CHECKF(v.n == 3, "%zu events", v.n);
		if (v.n == 3) {
			CHECK(v.ev[1].op == AS_TEV_REALLOC && v.ev[1].size == 0x20);
			CHECK(v.ev[2].op == AS_TEV_FREE && v.ev[2].obj == v.ev[0].obj);
		}
		free(v.ev);
	}

	/* malformed lines: strict mode refuses with the line number and the
	 * reason; otherwise the line is torn, skipped and counted */
	static const struct {
		const char *log;
		unsigned line;
		const char *why;
	} bad[] = {
	    {"= Start\n+ 0x10\n", 2, "size"},
	    {"= Start\n+ 0x10 0x10\n? 0x10\n", 3, "unknown operation"},
	    /* glibc writes %p and %#lx: no number without 0x (bar a size of 0),
	     * "@" always with its space (pieces of cut lines are not records) */
	    {"= Start\n@ ./p:[0x1] + 0x1000 04\n", 2, "unexpected text after '+'"},
	    {"= Start\n@ ./p:[0x1] + 01000 0x10\n", 2, "bad pointer after '+'"},
	    {"= Start\n@@ ./p:[0x1] + 0x1000 0x20\n", 2, "'@' is not followed by a space"},
	    {"= Start\n- 0bf0\n", 2, "bad pointer after '-'"},
	    {"@ ./p:[0x4011 + 0x10 0x10\n", 1, "caller"},
	    {"+ zz 0x10\n", 1, "pointer"},
	    {"- 0x10 extra\n", 1, "unexpected text"},
	    /* a failed realloc is '!': glibc never writes '>' at NULL (a failed
	     * malloc's "+ (nil) size" is a record: failed_allocs) */
	    {"+ 0x10 0x10\n< 0x10\n> (nil) 0x10\n", 3, "(nil)"},
	    {"+ 0x12345678901234567 0x1\n", 1, "pointer"},
	    /* an allocation above 2^63 - 1 bytes: the written trace would
	     * not read back (until review-a: imported, exit 0) */
	    {"= Start\n@ ./p:[0x1] + 0x10 0x8000000000000000\n", 2, "address space"},
	    {"= Start\n@ ./p:[0x1] + 0x10 0x10\n< 0x10\n> 0x20 0xffffffffffffffff\n", 4,
	     "address space"},
	    /* an '=' line that is no marker (binary data has them: until
	     * review-a such a file imported as a log of 0 events, exit 0) */
	    {"= Start\n=\x82\xec junk\n", 2, "'= Start' nor '= End'"},
	    {"= Started\n", 1, "'= Start' nor '= End'"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = import_mode(bad[i].log, 1, &v, &rep, &err);
		CHECKF(r != 0 && err.is_line && err.pos == bad[i].line &&
		           strstr(err.msg, bad[i].why),
		       "case %zu: r=%d line %llu: %s", i, r, (unsigned long long)err.pos, err.msg);
		free(v.ev);
		r = import_mode(bad[i].log, 0, &v, &rep, &err);
		CHECKF(r == 0 && rep.torn_lines == 1 && rep.torn_first[0] == bad[i].line,
		       "case %zu lenient: r=%d torn %llu at %llu", i, r,
		       (unsigned long long)rep.torn_lines, (unsigned long long)rep.torn_first[0]);
		free(v.ev);
	}

	/* a failed realloc of any size is glibc's own line: dropped, not torn */
	{
		const char *huge = "= Start\n@ a:[0x1] + 0x10 0x10\n"
		                   "@ a:[0x1] ! 0x10 0xffffffffffffffff\n@ a:[0x1] - 0x10\n= End\n";
		int r = import_mode(huge, 1, &v, &rep, &err);
		CHECKF(r == 0 && rep.failed_realloc == 1 && rep.torn_lines == 0,
		       "failed realloc of 2^64 - 1: r=%d failed %llu torn %llu: %s", r,
		       (unsigned long long)rep.failed_realloc, (unsigned long long)rep.torn_lines,
		       err.msg);
		free(v.ev);
	}

	/* torn lines as real logs have them: a last line cut by a kill (it
	 * parses, but has no newline), and two processes' 4 KiB writes cut
	 * into each other mid-line; the lines around them import, and the
	 * realloc pair around a torn line stays a pair */
	{
		const char *torn = "= Start\n"
		                   "@ a:[0x1] + 0x1000 0x10\n"
		                   "@ a:[0x1] < 0x1000\n"
		                   "@ a:[0x1] + 0x55b9@ b:[0x2] - 0x77\n" /* line 4 */
		                   "2338a4a0 0x30\n"                      /* line 5 */
		                   "@ a:[0x1] > 0x2000 0x20\n"
		                   "@ a:[0x1] + 0x3000 0x30\n"
		                   "@ a:[0x1] - 0x2000\n"
		                   "@ a:[0x1] + 0x4000 0x4"; /* line 9, cut */
		CHECK(import_buf(torn, &v, &rep, &err) == 0);
		CHECKF(rep.torn_lines == 3 && rep.torn_first[0] == 4 && rep.torn_first[1] == 5 &&
		           rep.torn_first[2] == 9 && rep.unpaired_realloc == 0 && rep.lines == 9,
		       "torn %llu: %llu %llu %llu", (unsigned long long)rep.torn_lines,
		       (unsigned long long)rep.torn_first[0], (unsigned long long)rep.torn_first[1],
		       (unsigned long long)rep.torn_first[2]);
		/* lines 4 and 5 are torn inside the log (another process's
		 * write), line 9 is a kill's cut: the CLI refuses the first kind */
		CHECKF(rep.torn_inside == 2 && rep.torn_inside_first == 4,
		       "torn inside %llu at %llu", (unsigned long long)rep.torn_inside,
		       (unsigned long long)rep.torn_inside_first);
		/* alloc, realloc, alloc, free */
		CHECKF(v.n == 4 && v.ev[1].op == AS_TEV_REALLOC && v.ev[3].op == AS_TEV_FREE &&
		           v.ev[3].obj == 0,
		       "%zu events", v.n);
		free(v.ev);
		CHECK(import_mode(torn, 1, &v, &rep, &err) != 0 && err.pos == 4);
		free(v.ev);
		/* a complete last record without its newline is still cut short */
		CHECK(import_mode("= Start\n+ 0x10 0x10", 1, &v, &rep, &err) != 0 && err.pos == 2 &&
		      strstr(err.msg, "no newline"));
		free(v.ev);
	}
	snprintf(cmd, sizeof(cmd),
	         "cd %s && printf '+ 0x10 0x10\\n? 1\\n' > bad.mtrace && '%s' trace import mtrace "
	         "bad.mtrace -o bad.ast --strict 2> err.txt; test $? -eq 2 && test ! -e bad.ast",
	         dir, cli);
	CHECK(run_sh(cmd) == 0);
	snprintf(path, sizeof(path), "%s/err.txt", dir);
	out = slurp(path);
	CHECKF(out && strstr(out, "bad.mtrace: line 2: unknown operation"), "%s", out ? out : "");
	free(out);
	/* a line torn before the end (several processes wrote the log) is
	 * refused without --lenient, in one line, leaving nothing; a kill's
	 * cut last line alone is not */
	snprintf(
	    cmd, sizeof(cmd),
	    "cd %s && printf '= Start\\n+ 0x10 0x10\\n+ 0x20@ b - 0x7\\n- 0x10\\n+ 0x30 0x' "
	    "> two.mtrace && ! '%s' trace import mtrace two.mtrace -o two.ast 2> e_two && "
	    "test ! -e two.ast && test $(wc -l < e_two) = 1 && grep -q 'two.mtrace: line 3: "
	    "torn before the log.s end (1 such line; a kill cuts only the last): several "
	    "processes' e_two && '%s' trace "
	    "import mtrace two.mtrace -o two.ast --lenient > /dev/null && test -s two.ast && "
	    "! '%s' trace import mtrace two.mtrace -o t3.ast --lenient --strict 2> /dev/null && "
	    "printf '= Start\\n+ 0x10 0x10\\n+ 0x3' > cut.mtrace && '%s' trace import mtrace "
	    "cut.mtrace -o "
	    "cut.ast > /dev/null",
	    dir, cli, cli, cli, cli);
	CHECK(run_sh(cmd) == 0);

	not_mtrace(dir, cli);

	/* refusals (issue 14): compressed input named, an empty trace, a
	 * write error naming the output, not the input */
	snprintf(cmd, sizeof(cmd),
	         "cd %s && gzip -c prog.mtrace > z.gz && ! '%s' trace import mtrace z.gz -o z.ast "
	         "2> e1 && grep -q 'z.gz: gzip-compressed' e1 && ! '%s' trace stats z.gz 2> e2 && "
	         "grep -q 'z.gz: gzip-compressed' e2 && printf '= Start\\n' > empty.mtrace && "
	         "'%s' trace import mtrace empty.mtrace -o empty.ast > /dev/null && "
	         "! '%s' replay empty.ast -a glibc -q --no-plot --min-time 0 -o r_empty 2> e3; "
	         "grep -q 'no events' e3 && (trap '' XFSZ; ulimit -f 0; exec '%s' trace convert "
	         "prog.ast big.csv) 2>&1 | grep -q 'big.csv not written: write failed' && test ! "
	         "-e big.csv",
	         dir, cli, cli, cli, cli, cli);
	CHECK(run_sh(cmd) == 0);

	/* zstd written (issue 14): import and convert to NAME.zst give zstd
	 * (its magic), read back to the very bytes of the uncompressed trace
	 * and the same stats (CSV too: x.csv.zst is CSV inside); a full disk
	 * and a bad folder give one line naming the output, and leave nothing */
	snprintf(
	    cmd, sizeof(cmd),
	    "cd %s && '%s' trace import mtrace prog.mtrace -o pz.ast.zst > /dev/null && "
	    "test \"$(od -An -tx1 -N4 pz.ast.zst | tr -d ' ')\" = 28b52ffd && "
	    "'%s' trace convert pz.ast.zst rt.ast > /dev/null && cmp rt.ast prog.ast && "
	    "'%s' trace stats pz.ast.zst | tail -n +2 > zs.txt && "
	    "'%s' trace stats prog.ast | tail -n +2 | cmp - zs.txt && "
	    "'%s' trace convert prog.ast cz.csv.zst > /dev/null && "
	    "test \"$(od -An -tx1 -N4 cz.csv.zst | tr -d ' ')\" = 28b52ffd && "
	    "'%s' trace convert cz.csv.zst rt.csv > /dev/null && head -1 rt.csv | grep -q '^op,' "
	    "&& '%s' trace convert rt.csv rt2.ast > /dev/null && cmp rt2.ast prog.ast",
	    dir, cli, cli, cli, cli, cli, cli, cli);
	CHECK(run_sh(cmd) == 0);
	snprintf(
	    cmd, sizeof(cmd),
	    "cd %s && (trap '' XFSZ; ulimit -f 0; '%s' trace convert prog.ast big.ast.zst; "
	    "echo rc=$?) 2>&1 | cat > ez1; grep -q rc=2 ez1 && test \"$(wc -l < ez1)\" -eq 2 && "
	    "grep -q 'big.ast.zst not written: write failed' ez1 && ! ls big.ast.zst* 2> /dev/null "
	    "&& "
	    "! '%s' trace import mtrace prog.mtrace -o /nonexistent/x.ast.zst 2> ez2 && "
	    "test \"$(wc -l < ez2)\" -eq 1 && grep -q '/nonexistent/x.ast.zst: ' ez2",
	    dir, cli, cli);
	CHECK(run_sh(cmd) == 0);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run_sh(cmd);
	return as_check_done();
}
