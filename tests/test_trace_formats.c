/* test_trace_formats.c - the trace formats in-process: binary and CSV round
 * trips are exact, binary -> CSV -> binary is byte-identical, every
 * truncation and corruption of either form is a clean error with its
 * position, the writer refuses non-canonical input, the id map holds up
 * against a reference, the trace workload builds the right op stream, and
 * zstd-compressed traces read (a damaged one is a one-line error). */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "../harness/trace_out.h"
#include "../workloads/workload.h"
#include "check.h"
#include "trace_util.h"

static as_tev_t mk(uint8_t op, uint16_t t, uint64_t obj, uint64_t size, uint8_t al, uint64_t ns)
{
	as_tev_t e;
	memset(&e, 0, sizeof(e));
	e.op = op;
	e.thread = t;
	e.obj = obj;
	e.size = size;
	e.align_log2 = al;
	e.time_ns = ns;
	return e;
}

/* A canonical sample trace: 2 threads, cross-thread free, realloc, calloc,
 * aligned, an unknown free, big sizes and time gaps. */
static size_t sample(as_tev_t *ev)
{
	size_t n = 0;
	ev[n++] = mk(AS_TEV_ALLOC, 0, 0, 24, 0, 0);
	ev[n++] = mk(AS_TEV_CALLOC, 0, 1, 4096, 0, 100);
	ev[n++] = mk(AS_TEV_ALLOC, 1, 2, 1ULL << 33, 6, 150);
	ev[n++] = mk(AS_TEV_REALLOC, 1, 0, 48, 0, 150);
	ev[n++] = mk(AS_TEV_FREE_UNKNOWN, 1, 0, 0, 0, 1000000000ULL);
	ev[n++] = mk(AS_TEV_FREE, 0, 2, 0, 0, 1000000300ULL);
	ev[n++] = mk(AS_TEV_ALLOC, 0, 3, 0, 12, 1000000301ULL);
	ev[n++] = mk(AS_TEV_FREE, 1, 1, 0, 0, 1000000302ULL);
	for (uint64_t i = 0; i < 300; i++) {
		ev[n++] = mk(AS_TEV_ALLOC, (uint16_t)(i % 3), 4 + i, i * 7, 0, 1000000400ULL + i);
		if (i % 2)
			ev[n++] = mk(AS_TEV_FREE, 2, 4 + i, 0, 0, 1000000400ULL + i);
	}
	return n;
}

static int write_mem(const as_tev_t *ev, size_t n, as_trace_fmt_t fmt, char **buf, size_t *len)
{
	as_trace_writer_t w;
	as_trace_err_t err;
	FILE *f = open_memstream(buf, len);
	int r = as_trace_writer_open(&w, f, fmt);
	for (size_t i = 0; i < n && r == 0; i++)
		r = as_trace_writer_put(&w, &ev[i], &err);
	if (as_trace_writer_close(&w) != 0)
		r = -1;
	fclose(f);
	return r;
}

static int same_events(const evvec_t *v, const as_tev_t *ev, size_t n)
{
	if (v->n != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (memcmp(&v->ev[i], &ev[i], sizeof(as_tev_t)) != 0) {
			fprintf(stderr, "event %zu differs\n", i);
			return 0;
		}
	return 1;
}

static int read_any(const char *buf, size_t len, as_trace_fmt_t fmt, evvec_t *v,
                    as_trace_err_t *err)
{
	memset(v, 0, sizeof(*v));
	memset(err, 0, sizeof(*err));
	return fmt == AS_TRACE_BIN ? as_trace_bin_read(buf, len, evvec_push, v, err)
	                           : as_trace_csv_read(buf, len, evvec_push, v, err);
}

static void csv_bad(const char *text, uint64_t line, const char *why)
{
	evvec_t v;
	as_trace_err_t err;
	int r = read_any(text, strlen(text), AS_TRACE_CSV, &v, &err);
	CHECKF(r != 0 && err.is_line && err.pos == line && strstr(err.msg, why),
	       "'%s': r=%d line %llu: %s", text, r, (unsigned long long)err.pos, err.msg);
	free(v.ev);
}

#define HDR "op,thread,id,size_bytes,align_bytes,time_ns\n"

/* This process's resident memory in KiB (/proc/self/statm), or -1. */
static long rss_kib(void)
{
	long size, pages = -1;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f && fscanf(f, "%ld %ld", &size, &pages) != 2)
		pages = -1;
	if (f)
		fclose(f);
	return pages < 0 ? -1 : pages * (sysconf(_SC_PAGESIZE) / 1024);
}

static uint32_t le32(const char *b)
{
	const uint8_t *u = (const uint8_t *)b;
	return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

/* Recompute every block's checksum after an edit of its records, so that
 * the record checks behind the checksum are reached. */
static void reseal(char *b, size_t len)
{
	for (size_t pos = 16; pos + 8 <= len;) {
		uint32_t n = le32(b + pos), crc;
		if (n > len - pos - 8)
			break;
		crc = as_crc32c(as_crc32c(0, b + pos, 4), b + pos + 8, n);
		for (int k = 0; k < 4; k++)
			b[pos + 4 + (size_t)k] = (char)(crc >> (8 * k));
		pos += 8 + n;
	}
}

/* ---- bad input: one line, quoted safely, the reason (review 2026-12) ---- */

/* 1 when msg is one line a terminal shows as it is: no control byte (a
 * newline, ESC, ...) and no NUL before its end. */
static int one_safe_line(const char *msg)
{
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* A CSV trace of len bytes (NULs kept) must be refused at line with why in
 * a message that is one safe line. */
static void csv_bad_len(const char *text, size_t len, uint64_t line, const char *why)
{
	evvec_t v;
	as_trace_err_t err;
	int r = read_any(text, len, AS_TRACE_CSV, &v, &err);
	CHECKF(r != 0 && err.is_line && err.pos == line && strstr(err.msg, why) &&
	           one_safe_line(err.msg),
	       "r=%d line %llu: %s (want line %llu: %s)", r, (unsigned long long)err.pos, err.msg,
	       (unsigned long long)line, why);
	free(v.ev);
}

static int put_file(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[512];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	if (len && fwrite(buf, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/* `allocscope ARGS` run in dir must exit rc with stderr one safe line
 * holding want (stdout to out.txt, stderr to err.txt). */
static void cli_refuses(const char *dir, const char *args, int rc, const char *want)
{
	char cmd[2048], path[600], *err;
	int got;
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s > out.txt 2> err.txt", dir,
	         getenv("ALLOCSCOPE"), args);
	got = run_sh(cmd);
	snprintf(path, sizeof(path), "%s/err.txt", dir);
	err = slurp(path);
	if (err && *err && err[strlen(err) - 1] == '\n')
		err[strlen(err) - 1] = '\0';
	CHECKF(got == rc && err && strstr(err, want) && one_safe_line(err),
	       "allocscope %s: exit %d (want %d), stderr '%s' (want one line with '%s')", args, got,
	       rc, err ? err : "(none)", want);
	free(err);
}

static void bad_input(void)
{
	static const char nul_size[] = HDR "malloc,0,1,100\0GARBAGE,0,0\nfree,0,1,0,0,1\n";
	static const char nul_hdr[] = "op,thread,id\0x,size_bytes,align_bytes,time_ns\n";
	static const char frees[] = HDR "free,0,,0,0,0\nfree,0,,0,0,0\n";
	static const char good[] = HDR "malloc,0,1,100,0,0\nfree,0,1,0,0,1\n";
	static const char nl_op[] = HDR "\"mal\nloc\",0,1,100,0,0\n";
	static const char nl_hdr[] = "\"op\nx\",thread,id,size_bytes,align_bytes,time_ns\n";
	static const char nl_size[] = HDR "malloc,0,1,\"10\n0\",0,0\n";
	static const char esc[] = HDR "malloc,0,1,100\x1b[31mRED,0,0\n";
	static const char binary[] = "\x1b[31m\x9b\xff\x01\x02,thread,id\n\x03\x04";
	static char pbuf[AS_WL_PARAMS_MAX];
	const as_workload_t *wl;
	char dir[] = "/tmp/as_test_badin_XXXXXX", path[600], msg[1024];
	evvec_t v;

	/* a NUL byte ends no field: "100\0GARBAGE" is no size 100 */
	csv_bad_len(nul_size, sizeof(nul_size) - 1, 2, "column size_bytes: holds a NUL byte");
	csv_bad_len(nul_hdr, sizeof(nul_hdr) - 1, 1, "header column id: holds a NUL byte");
	/* a quoted newline or ESC in a field is quoted escaped, on one line */
	csv_bad_len(nl_op, strlen(nl_op), 2, "op 'mal\\nloc'");
	csv_bad_len(nl_hdr, strlen(nl_hdr), 1, "header column 'op\\nx'");
	csv_bad_len(nl_size, strlen(nl_size), 2, "column size_bytes: '10\\n0'");
	csv_bad_len(esc, strlen(esc), 2, "'100\\x1b[31mRED' is not an unsigned integer");
	csv_bad_len(binary, sizeof(binary) - 1, 1, "header column '\\x1b[31m\\x9b\\xff\\x01\\x02'");
	/* a file that is no CSV: 4 MiB of zeros, one field. Refused at once
	 * (until review-a libcsv's buffer grew 128 bytes a copy: ~20 s for this,
	 * hours for a disk image, then "value longer than 63 bytes") */
	{
		size_t zlen = (size_t)4 << 20;
		char *zeros = calloc(1, zlen);
		CHECK(zeros != NULL);
		if (zeros)
			csv_bad_len(zeros, zlen, 1, "a field longer than 1048576 bytes");
		free(zeros);
	}

	if (!getenv("ALLOCSCOPE") || !mkdtemp(dir)) {
		CHECKF(0, "ALLOCSCOPE unset or no temp folder");
		return;
	}
	/* an empty file is said to be empty, whatever its name (no CSV hint) */
	CHECK(put_file(dir, "empty.ast", "", 0) == 0);
	snprintf(path, sizeof(path), "%s/empty.ast", dir);
	memset(&v, 0, sizeof(v));
	CHECKF(as_trace_read_file(path, evvec_push, &v, NULL, msg, sizeof(msg)) != 0 &&
	           strstr(msg, "empty.ast: empty file") && !strstr(msg, "header"),
	       "%s", msg);
	free(v.ev);
	/* a trace of frees of unknown objects only has nothing to replay: refused
	 * when the spec is checked, as a trace without events is */
	CHECK(put_file(dir, "frees.csv", frees, sizeof(frees) - 1) == 0);
	snprintf(path, sizeof(path), "trace:%s/frees.csv", dir);
	CHECKF(as_workload_parse(path, &wl, pbuf, sizeof(pbuf), msg, sizeof(msg)) != 0 &&
	           strstr(msg, "frees.csv: the trace has no allocation") && one_safe_line(msg),
	       "%s", msg);

	/* the CLI: one line, exit 2, for each */
	CHECK(put_file(dir, "nl.csv", nl_op, strlen(nl_op)) == 0);
	CHECK(put_file(dir, "nul.csv", nul_size, sizeof(nul_size) - 1) == 0);
	CHECK(put_file(dir, "bin.ast", binary, sizeof(binary) - 1) == 0);
	CHECK(put_file(dir, "good.csv", good, strlen(good)) == 0);
	cli_refuses(dir, "trace stats nl.csv", 2, "nl.csv: line 2: op 'mal\\nloc' is not");
	cli_refuses(dir, "replay -a glibc -q --no-plot --min-time 0 -o r1 nl.csv", 2,
	            "nl.csv: line 2: op 'mal\\nloc' is not");
	cli_refuses(dir, "trace stats nul.csv", 2,
	            "nul.csv: line 2: column size_bytes: holds a NUL");
	cli_refuses(dir, "trace stats bin.ast", 2, "bin.ast: line 1: header column '\\x1b[31m");
	cli_refuses(dir, "trace stats empty.ast", 2, "empty.ast: empty file");
	cli_refuses(dir, "replay -a glibc -q --no-plot --min-time 0 -o r2 frees.csv", 2,
	            "frees.csv: the trace has no allocation");
	snprintf(path, sizeof(path), "%s/r2", dir);
	CHECKF(access(path, F_OK) != 0, "a refused replay made %s", path);
	/* options after the operands work; an unknown one is named as such */
	snprintf(path, sizeof(path),
	         "cd '%s' && '%s' trace convert good.csv out.ast -f csv > /dev/null && "
	         "head -1 out.ast | grep -q '^op,' && '%s' trace stats out.ast -h > /dev/null && "
	         "'%s' trace convert -- good.csv out2.ast > /dev/null",
	         dir, getenv("ALLOCSCOPE"), getenv("ALLOCSCOPE"), getenv("ALLOCSCOPE"));
	CHECKF(run_sh(path) == 0, "%s", path);
	cli_refuses(dir, "trace convert good.csv out3.ast --bogus", 2, "unknown option '--bogus'");
	cli_refuses(dir, "trace stats good.csv --bogus", 2, "unknown option '--bogus'");
	cli_refuses(dir, "trace stats good.csv extra.csv", 2, "unexpected argument 'extra.csv'");
	snprintf(path, sizeof(path), "%s/out3.ast", dir);
	CHECK(access(path, F_OK) != 0);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	run_sh(path);
}

int main(void)
{
	static as_tev_t ev[1000];
	size_t n = sample(ev), blen, clen, b2len;
	char *bin, *csv, *bin2;
	evvec_t v;
	as_trace_err_t err;
	as_trace_writer_t w;

	/* round trips */
	CHECK(write_mem(ev, n, AS_TRACE_BIN, &bin, &blen) == 0);
	CHECK(read_any(bin, blen, AS_TRACE_BIN, &v, &err) == 0 && same_events(&v, ev, n));
	free(v.ev);
	CHECK(write_mem(ev, n, AS_TRACE_CSV, &csv, &clen) == 0);
	CHECK(read_any(csv, clen, AS_TRACE_CSV, &v, &err) == 0 && same_events(&v, ev, n));
	CHECK(write_mem(v.ev, v.n, AS_TRACE_BIN, &bin2, &b2len) == 0);
	CHECK(b2len == blen && !memcmp(bin, bin2, blen)); /* bin -> CSV -> bin identical */
	free(v.ev);
	free(bin2);
	CHECKF(blen < n * 6, "%zu bytes for %zu events", blen, n);

	/* every truncation of the binary form: an error with a position */
	for (size_t cut = 0; cut < blen; cut++) {
		int r = read_any(bin, cut, AS_TRACE_BIN, &v, &err);
		CHECKF(r != 0 && !err.is_line && err.pos <= cut && err.msg[0], "cut %zu", cut);
		free(v.ev);
	}
	/* corruptions */
	{
		char *c = malloc(blen + 1);
		memcpy(c, bin, blen);
		c[0] = 'X';
		CHECK(read_any(c, blen, AS_TRACE_BIN, &v, &err) != 0 && strstr(err.msg, "magic"));
		free(v.ev);
		memcpy(c, bin, blen);
		c[8] = 9;
		CHECK(read_any(c, blen, AS_TRACE_BIN, &v, &err) != 0 && err.pos == 8 &&
		      strstr(err.msg, "version"));
		free(v.ev);
		memcpy(c, bin, blen);
		c[24] |= 0x40; /* the first record, after the block's length and CRC */
		CHECK(read_any(c, blen, AS_TRACE_BIN, &v, &err) != 0 && err.pos == 16 &&
		      strstr(err.msg, "checksum"));
		free(v.ev);
		reseal(c, blen);
		CHECK(read_any(c, blen, AS_TRACE_BIN, &v, &err) != 0 && err.pos == 24 &&
		      strstr(err.msg, "reserved"));
		free(v.ev);
		memcpy(c, bin, blen);
		c[blen] = 0;
		CHECK(read_any(c, blen + 1, AS_TRACE_BIN, &v, &err) != 0 &&
		      strstr(err.msg, "after the end record"));
		free(v.ev);
		/* every single-bit flip anywhere: detected, with an offset in the
		 * file (the block checksum, or the header's own checks) */
		{
			size_t flips = 0, caught = 0;
			for (size_t i = 0; i < blen; i++)
				for (int bit = 0; bit < 8; bit++) {
					memcpy(c, bin, blen);
					c[i] ^= (char)(1 << bit);
					int r = read_any(c, blen, AS_TRACE_BIN, &v, &err);
					flips++;
					caught += r != 0 && err.msg[0] && err.pos < blen;
					free(v.ev);
				}
			CHECKF(caught == flips, "%zu of %zu single-bit flips detected", caught,
			       flips);
		}
		/* every single-byte change behind a resealed checksum: never a
		 * crash, either ok or an error */
		for (size_t i = 24; i < blen; i++) {
			memcpy(c, bin, blen);
			c[i] ^= 0x5a;
			reseal(c, blen);
			int r = read_any(c, blen, AS_TRACE_BIN, &v, &err);
			CHECK(r == 0 || (err.msg[0] && err.pos < blen));
			free(v.ev);
		}
		/* version 1 (no blocks) is still read: the same records */
		CHECK(le32(bin + 16) == blen - 24); /* one block */
		memcpy(c, bin, 16);
		c[8] = 1;
		memcpy(c + 16, bin + 24, blen - 24);
		CHECK(read_any(c, blen - 8, AS_TRACE_BIN, &v, &err) == 0 && same_events(&v, ev, n));
		free(v.ev);
		free(c);
		/* CRC-32C check value (RFC 3720) */
		CHECKF(as_crc32c(0, "123456789", 9) == 0xe3069283u, "0x%08x",
		       as_crc32c(0, "123456789", 9));
		CHECK(as_crc32c(as_crc32c(0, "1234", 4), "56789", 5) == 0xe3069283u);
		{ /* traces of more than one block: each block checked, all events read */
			static as_tev_t big[20000];
			char *b;
			size_t bl;
			for (size_t i = 0; i < 20000; i++)
				big[i] = i & 1 ? mk(AS_TEV_FREE, 0, i / 2, 0, 0, i)
				               : mk(AS_TEV_ALLOC, 0, i / 2, 100000 + i, 0, i);
			CHECK(write_mem(big, 20000, AS_TRACE_BIN, &b, &bl) == 0);
			CHECKF(le32(b + 16) <= AS_TRACE_BLOCK && bl > 16 + 8 + AS_TRACE_BLOCK,
			       "%zu bytes", bl);
			CHECK(read_any(b, bl, AS_TRACE_BIN, &v, &err) == 0 &&
			      same_events(&v, big, 20000));
			free(v.ev);
			b[bl - 3] ^= 1; /* in the last block */
			CHECK(read_any(b, bl, AS_TRACE_BIN, &v, &err) != 0 &&
			      strstr(err.msg, "checksum") && err.pos > 16);
			free(v.ev);
			free(b);
		}
	}
	{ /* a free of a dead object */
		as_tev_t e2[3] = {mk(AS_TEV_ALLOC, 0, 0, 8, 0, 0), mk(AS_TEV_FREE, 0, 0, 0, 0, 0),
		                  mk(AS_TEV_ALLOC, 0, 1, 8, 0, 0)};
		char *b;
		size_t bl;
		CHECK(write_mem(e2, 3, AS_TRACE_BIN, &b, &bl) == 0);
		b[bl - 2 - 3] = 1; /* last alloc -> free of object delta 0: object 0, dead */
		b[bl - 2 - 3] = AS_TEV_FREE;
		b[bl - 2 - 2] = 0;
		reseal(b, bl);
		CHECKF(read_any(b, bl, AS_TRACE_BIN, &v, &err) != 0 &&
		           strstr(err.msg, "double free"),
		       "%s", err.msg);
		free(v.ev);
		free(b);
	}

	/* sizes above the address space, and a double free named as one */
	csv_bad(HDR "malloc,0,1,18446744073709551615,0,0\n", 2, "address space");
	csv_bad(HDR "malloc,0,1,8,0,0\nfree,0,1,0,0,0\nfree,0,1,0,0,0\n", 4, "double free");

	/* CSV: cut inside a row is an error naming the row's line */
	{
		size_t cut = 0;
		int lines = 0;
		while (lines < 5)
			if (csv[cut++] == '\n')
				lines++;
		cut += 3; /* inside line 6 */
		CHECK(read_any(csv, cut, AS_TRACE_CSV, &v, &err) != 0 && err.pos == 6);
		free(v.ev);
	}
	csv_bad("", 1, "empty");
	csv_bad("op,thread,id,size,align_bytes,time_ns\n", 1, "size_bytes");
	csv_bad(HDR "malloc,0,1,8,0,0\nmalloc,0,1,8,0,5\n", 3, "still live");
	csv_bad(HDR "malloc,0,1,8,0,0\nsbrk,0,1,8,0,0\n", 3, "op 'sbrk'");
	csv_bad(HDR "malloc,0,1,-8,0,0\n", 2, "size_bytes");
	csv_bad(HDR "malloc,0,1,8x,0,0\n", 2, "size_bytes");
	csv_bad(HDR "malloc,256,1,8,0,0\n", 2, "thread");
	csv_bad(HDR "malloc,0,1,8,3,0\n", 2, "align_bytes");
	csv_bad(HDR "malloc,0,1,8,0,10\nfree,0,1,0,0,9\n", 3, "time goes back");
	csv_bad(HDR "realloc,0,7,8,0,0\n", 2, "not live");
	csv_bad(HDR "malloc,0,,8,0,0\n", 2, "empty");
	csv_bad(HDR "malloc,0,1,8,0\n", 2, "columns");
	csv_bad(HDR "malloc,0,1,8,0,0,1\n", 2, "columns");
	csv_bad(HDR "\"malloc,0,1,8,0,0\n", 2, "malformed");
	{ /* free-form ids are renumbered; "free" with no id is an unknown free */
		const char *t = HDR "malloc,0,77,8,0,0\nmalloc,1,5,9,16,1\nfree,0,,0,0,2\n"
		                    "realloc,1,77,10,0,3\nfree,1,5,0,0,4\nmalloc,0,5,1,0,5\n";
		CHECK(read_any(t, strlen(t), AS_TRACE_CSV, &v, &err) == 0 && v.n == 6);
		CHECK(v.ev[0].obj == 0 && v.ev[1].obj == 1 && v.ev[1].align_log2 == 4);
		CHECK(v.ev[2].op == AS_TEV_FREE_UNKNOWN && v.ev[3].obj == 0 && v.ev[4].obj == 1);
		CHECK(v.ev[5].obj == 2 && v.ev[3].op == AS_TEV_REALLOC && v.ev[3].size == 10);
		free(v.ev);
	}

	/* the writer accepts only canonical events */
	{
		FILE *f = fopen("/dev/null", "w");
		as_tev_t e = mk(AS_TEV_ALLOC, 0, 5, 8, 0, 0);
		CHECK(as_trace_writer_open(&w, f, AS_TRACE_BIN) == 0);
		CHECK(as_trace_writer_put(&w, &e, &err) != 0 && strstr(err.msg, "canonical"));
		e = mk(AS_TEV_FREE, 0, 0, 0, 0, 0);
		CHECK(as_trace_writer_put(&w, &e, &err) != 0);
		e = mk(AS_TEV_ALLOC, 0, 0, 8, 0, 10);
		CHECK(as_trace_writer_put(&w, &e, &err) == 0);
		e = mk(AS_TEV_FREE, 0, 0, 0, 0, 5);
		CHECK(as_trace_writer_put(&w, &e, &err) != 0); /* time going back */
		as_trace_writer_close(&w);
		fclose(f);
	}

	/* the id map against a reference array: dense ids (shift 0, the hash
	 * table) and malloc addresses (shift 4, the two-level table: keys 4 KiB
	 * apart, 4 to a region, stay in small leaves, which empty and are
	 * reused; keys 48 bytes apart fill their regions' small leaves and move
	 * to leaves), with unaligned keys and values above 32 bits (both in the
	 * hash table there) mixed in */
#define MAP_KEY(k)                                                             \
	(0x7f0000000000ull + ((k) < 2500 ? (k)*4096 : (1ull << 30) + (k)*48) + \
	 ((k) % 7 == 3 ? 8 : 0))
	for (unsigned shift = 0; shift <= 4; shift += 4) {
		static uint64_t ref[5000];
		as_u64map_t m = {.shift = shift};
		uint64_t x = 12345, val, live = 0;
		int ok = 1;
		memset(ref, 0, sizeof(ref));
		for (int i = 0; i < 200000; i++) {
			uint64_t k, key, want;
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			k = (x >> 33) % 5000;
			key = MAP_KEY(k);
			want = k % 11 == 5   ? UINT64_MAX - 1 - (uint64_t)i
			       : k % 13 == 6 ? 0xfffffffdull + (uint64_t)i % 3 /* 32-bit edge */
			                     : (uint64_t)i;
			if ((x >> 20) & 1) {
				ok &= as_u64map_put(&m, key, want) == 0;
				live += ref[k] == 0;
				ref[k] = want + 1;
			} else {
				int had = as_u64map_del(&m, key, &val);
				ok &= had == (ref[k] != 0) && (!had || val + 1 == ref[k]);
				live -= ref[k] != 0;
				ref[k] = 0;
			}
		}
		for (uint64_t k = 0; k < 5000; k++) {
			uint64_t key = MAP_KEY(k);
			int had = as_u64map_get(&m, key, &val);
			ok &= had == (ref[k] != 0) && (!had || val + 1 == ref[k]);
			ok &= !as_u64map_get(&m, key + 16, &val); /* a neighbour never put */
		}
		CHECKF(ok && m.count == live, "shift %u: count %llu, %llu live", shift,
		       (unsigned long long)m.count, (unsigned long long)live);
		as_u64map_free(&m);
		CHECK(m.count == 0 && m.shift == shift);
	}
#undef MAP_KEY

	/* sparse big blocks: python3 holding 20,000 bytearray(7777), each a
	 * 64-byte object and a 7,792-byte buffer, 4 keys per 16 KiB region.
	 * The map's memory (RSS growth) stays ~50 bytes a key; a 4 KiB leaf
	 * per region made it 40 MiB. */
	{
		as_u64map_t m = {.shift = 4};
		uint64_t a = 0x55d000000000ull, val;
		long rss0 = rss_kib(), grew;
		int ok = 1;
		for (uint64_t i = 0; i < 20000; i++, a += 64 + 7792) {
			ok &= as_u64map_put(&m, a, 2 * i) == 0;
			ok &= as_u64map_put(&m, a + 64, 2 * i + 1) == 0;
		}
		grew = rss_kib() - rss0;
		ok &= as_u64map_get(&m, 0x55d000000000ull + 64, &val) == 1 && val == 1;
		CHECKF(ok && m.count == 40000, "count %llu", (unsigned long long)m.count);
		CHECKF(rss0 > 0 && grew < 2048, "40,000 sparse keys: the map grew RSS by %ld KiB",
		       grew);
		as_u64map_free(&m);
	}

	/* the trace workload: threads, dense ids, expected peak, serialize */
	{
		char path[] = "/tmp/as_test_trace_XXXXXX", spec[128], perr[512];
		static char pbuf[AS_WL_PARAMS_MAX];
		const as_workload_t *wl;
		as_wl_ctx_t ctx = {1, 1};
		as_opstream_t s;
		int fd = mkstemp(path);
		CHECK(fd >= 0 && write(fd, bin, blen) == (ssize_t)blen);
		close(fd);
		snprintf(spec, sizeof(spec), "trace:%s", path);
		memset(pbuf, 0, sizeof(pbuf));
		CHECK(as_workload_parse(spec, &wl, pbuf, sizeof(pbuf), perr, sizeof(perr)) == 0);
		as_opstream_init(&s, 1);
		CHECK(wl->build(pbuf, &ctx, &s, perr, sizeof(perr)) == 0);
		CHECK(s.nthreads == 3 && s.cross_thread == 1 && s.needs_free == 1);
		CHECK(as_opstream_total(&s) == n - 1); /* the unknown free is not replayed */
		CHECK(s.nslots < 300);                 /* ids are reused after frees */
		/* thread 1: 2^33, realloc +24, frees 4096 of thread 0's, then
		 * allocates 7*i for i = 1, 4, ..., 298 (thread 2 frees those) */
		CHECKF(s.expect_thread_live_bytes_peak ==
		           (int64_t)(1ULL << 33) + 24 - 4096 + 7 * 14950,
		       "%lld", (long long)s.expect_thread_live_bytes_peak);
		/* the row's peak is the recorded global order's: the same as with
		 * serialize=1 below, not the largest per-thread total */
		CHECKF(s.expect_live_bytes_peak == (int64_t)(1ULL << 33) + 4096 + 48, "%lld",
		       (long long)s.expect_live_bytes_peak);
		/* left live: object 0 (48), object 3 (0) and the even i (7 * 22350) */
		CHECKF(s.expect_live_bytes_end == 48 + 7 * 22350, "%lld",
		       (long long)s.expect_live_bytes_end);
		as_opstream_free(&s);
		snprintf(spec, sizeof(spec), "trace:%s,serialize=1", path);
		CHECK(as_workload_parse(spec, &wl, pbuf, sizeof(pbuf), perr, sizeof(perr)) == 0);
		as_opstream_init(&s, 1);
		CHECK(wl->build(pbuf, &ctx, &s, perr, sizeof(perr)) == 0);
		CHECK(s.nthreads == 1 && s.cross_thread == 0 && as_opstream_total(&s) == n - 1);
		/* recorded order on one thread: the global peak, right after
		 * the realloc (objects 0, 1, 2 live; 2 is freed next) */
		CHECKF(s.expect_live_bytes_peak == (int64_t)(1ULL << 33) + 4096 + 48 &&
		           s.expect_thread_live_bytes_peak == s.expect_live_bytes_peak,
		       "%lld", (long long)s.expect_live_bytes_peak);
		as_opstream_free(&s);
		unlink(path);
		/* a missing trace is refused when the spec is checked, before any
		 * trial, naming the file */
		CHECK(as_workload_parse("trace:/nonexistent/x.ast", &wl, pbuf, sizeof(pbuf), perr,
		                        sizeof(perr)) != 0 &&
		      strstr(perr, "/nonexistent/x.ast"));
	}
	/* zstd-compressed traces are read (binary and CSV, several frames, the
	 * frame checksum on); a damaged or cut compressed file is one line
	 * naming the file */
	{
		char path[] = "/tmp/as_test_trace_zst_XXXXXX", msg[512];
		const char *srcs[2] = {bin, csv};
		size_t lens[2] = {blen, clen};
		for (int k = 0; k < 2; k++) {
			size_t cap = ZSTD_compressBound(lens[k]) * 2 + 64, zlen = 0,
			       half = lens[k] / 2;
			char *z = malloc(cap);
			ZSTD_CCtx *cc = ZSTD_createCCtx();
			int fd;
			CHECK(z && cc);
			ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
			/* two frames, as `cat a.zst b.zst` makes */
			zlen = ZSTD_compress2(cc, z, cap, srcs[k], half);
			CHECK(!ZSTD_isError(zlen));
			zlen += ZSTD_compress2(cc, z + zlen, cap - zlen, srcs[k] + half,
			                       lens[k] - half);
			strcpy(path + strlen(path) - 6, "XXXXXX");
			fd = mkstemp(path);
			CHECK(fd >= 0 && write(fd, z, zlen) == (ssize_t)zlen);
			close(fd);
			memset(&v, 0, sizeof(v));
			CHECKF(as_trace_read_file(path, evvec_push, &v, NULL, msg, sizeof(msg)) ==
			           0,
			       "%s", msg);
			CHECK(same_events(&v, ev, n));
			free(v.ev);
			/* a flipped byte in the middle: the frame checksum or the
			 * decoder refuses it */
			z[zlen / 2] ^= 0x40;
			fd = open(path, O_WRONLY | O_TRUNC);
			CHECK(fd >= 0 && write(fd, z, zlen) == (ssize_t)zlen);
			close(fd);
			memset(&v, 0, sizeof(v));
			CHECK(as_trace_read_file(path, evvec_push, &v, NULL, msg, sizeof(msg)) !=
			      0);
			CHECKF(!strncmp(msg, path, strlen(path)) &&
			           strstr(msg, "zstd-compressed") && !strchr(msg, '\n'),
			       "%s", msg);
			free(v.ev);
			/* cut short */
			z[zlen / 2] ^= 0x40;
			fd = open(path, O_WRONLY | O_TRUNC);
			CHECK(fd >= 0 && write(fd, z, zlen - 7) == (ssize_t)zlen - 7);
			close(fd);
			memset(&v, 0, sizeof(v));
			CHECK(as_trace_read_file(path, evvec_push, &v, NULL, msg, sizeof(msg)) !=
			      0);
			CHECKF(strstr(msg, "zstd-compressed, cut short") && !strchr(msg, '\n'),
			       "%s", msg);
			free(v.ev);
			unlink(path);
			ZSTD_freeCCtx(cc);
			free(z);
		}
	}
	free(bin);
	free(csv);

	/* a trace file is written AS_TRACE_OUT_BUF bytes at a time, not in
	 * stdio's 4 KiB (which setvbuf without a buffer kept): after more than
	 * two 16 KiB blocks nothing has reached the file yet */
	{
		char path[] = "/tmp/as-trace-out-XXXXXX";
		as_trace_out_t o;
		as_trace_err_t werr;
		struct stat st;
		char omsg[512];
		int fd = mkstemp(path);
		uint64_t k = 0;
		CHECK(fd >= 0);
		close(fd);
		CHECK(as_trace_out_open(&o, path, AS_TRACE_BIN, 0) == 0);
		/* ~3 bytes an event: 12,000 events make 2 full blocks */
		for (; k < 12000; k++) {
			as_tev_t e = {.op = k % 2 ? AS_TEV_FREE : AS_TEV_ALLOC,
			              .obj = k / 2,
			              .size = 24,
			              .time_ns = k};
			CHECK(as_trace_writer_put(&o.w, &e, &werr) == 0);
		}
		CHECK(stat(o.tmp, &st) == 0);
		CHECKF(st.st_size == 0, "%lld bytes on disk before the first 64 KiB",
		       (long long)st.st_size);
		CHECK(as_trace_out_close(&o, 1) == 0);
		memset(&v, 0, sizeof(v));
		CHECK(as_trace_read_file(path, evvec_push, &v, NULL, omsg, sizeof(omsg)) == 0 &&
		      v.n == k);
		free(v.ev);
		unlink(path);
	}
	bad_input();
	return as_check_done();
}
