/* trace_csv.c - the CSV form of a trace, read and written through libcsv:
 * one header row "op,thread,id,size_bytes,align_bytes,time_ns", one event a
 * row (docs/trace-format.md). ids are any unsigned integers naming objects;
 * the reader normalises them, so hand-written files need not number objects
 * 0,1,2. Not the binary format (trace_bin.c), nor the writer's canonical
 * checks (trace_file.c). */
#define _GNU_SOURCE
#include <csv.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "spec.h" /* as_show */
#include "trace_int.h"

static const char *const header[] = {"op", "thread", "id", "size_bytes", "align_bytes", "time_ns"};
#define NCOLS 6

int as_trace_csv_write_header(FILE *f)
{
	return fputs("op,thread,id,size_bytes,align_bytes,time_ns\n", f) < 0 ? -1 : 0;
}

int as_trace_csv_write_event(FILE *f, const as_tev_t *ev)
{
	static const char *const names[] = {"malloc", "calloc", "realloc", "free", "free"};
	char id[24] = "";
	int r;
	if (ev->op != AS_TEV_FREE_UNKNOWN)
		snprintf(id, sizeof(id), "%" PRIu64, ev->obj);
	r = fprintf(f, "%s,%u,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", names[ev->op], ev->thread,
	            id, ev->size, ev->align_log2 ? (uint64_t)1 << ev->align_log2 : 0, ev->time_ns);
	return r < 0 ? -1 : 0;
}

/* The longest field libcsv is let hold: a trace's are at most 20 digits
 * (value_of refuses more than 63 bytes, once the field has ended). */
#define CSV_FIELD_MAX ((size_t)1 << 20)

/* libcsv's buffers come from mmap too: a worker must not touch malloc.
 * libcsv grows its field buffer 128 bytes at a time: the mapping doubles,
 * so a long field (a file that is no CSV: zeros, one long line) costs
 * linear time, not a copy of the field per 128 bytes (a 4 MiB line took
 * 20 s); past CSV_FIELD_MAX it fails (CSV_ENOMEM: as_trace_csv_read says
 * why). */
static void *csv_mrealloc(void *p, size_t n)
{
	size_t *h = p ? (size_t *)p - 2 : NULL;
	size_t old = h ? h[0] : 0, cap;
	void *q;
	if (n + 16 <= old)
		return p;
	if (n > CSV_FIELD_MAX)
		return NULL;
	cap = n + 16 > 2 * old ? n + 16 : 2 * old;
	q = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED)
		return NULL;
	((size_t *)q)[0] = cap;
	if (h) {
		memcpy((char *)q + 16, p, old - 16);
		munmap(h, old);
	}
	return (char *)q + 16;
}

static void csv_mfree(void *p)
{
	if (p) {
		size_t *h = (size_t *)p - 2;
		munmap(h, h[0]);
	}
}

typedef struct {
	as_trace_norm_t norm;
	as_trace_err_t *err;
	uint64_t row; /* 1-based, header is 1 */
	int col;
	int stop; /* non-zero: result to return, rest ignored */
	int empty_id;
	uint64_t v[NCOLS];
	int op;
	uint64_t last_time;
} rd_t;

/* The message of this row's error; a and b are the file's own text (a
 * field: quoted safely, as_show) or the reader's words. */
static void fail(rd_t *r, const char *fmt, const char *a, const char *b)
{
	char sa[AS_SHOW_MAX], sb[AS_SHOW_MAX];
	if (r->stop)
		return;
	r->err->pos = r->row;
	r->err->is_line = 1;
	snprintf(r->err->msg, sizeof(r->err->msg), fmt, as_show(a, sa), as_show(b, sb));
	r->stop = -1;
}

static void on_field(void *s, size_t len, void *vr)
{
	rd_t *r = vr;
	char f[64];
	int c = r->col++;
	if (r->stop)
		return;
	if (c >= NCOLS) {
		fail(r, "more than %s columns%s", "6", "");
		return;
	}
	if (len >= sizeof(f)) {
		fail(r, "column %s: value longer than %s bytes", header[c], "63");
		return;
	}
	if (memchr(s, '\0', len)) {
		/* C strings would end there: "100\0junk" is no size 100 */
		fail(r,
		     r->row == 1 ? "header column %s: holds a NUL byte%s"
		                 : "column %s: holds a NUL byte%s",
		     header[c], "");
		return;
	}
	memcpy(f, s, len);
	f[len] = '\0';
	if (r->row == 1) {
		if (strcmp(f, header[c]) != 0)
			fail(r,
			     c == 0 && (!strncmp(f, "= Start", 7) || !strncmp(f, "@ ", 2))
			         ? "header column '%s' should be '%s' (a glibc mtrace log? import "
			           "it "
			           "first: allocscope trace import mtrace LOG -o TRACE.ast)"
			         : "header column '%s' should be '%s'",
			     f, header[c]);
		return;
	}
	if (c == 0) {
		if (!strcmp(f, "malloc") || !strcmp(f, "alloc"))
			r->op = AS_TEV_ALLOC;
		else if (!strcmp(f, "calloc"))
			r->op = AS_TEV_CALLOC;
		else if (!strcmp(f, "realloc"))
			r->op = AS_TEV_REALLOC;
		else if (!strcmp(f, "free"))
			r->op = AS_TEV_FREE;
		else
			fail(r, "op '%s' is not malloc, calloc, realloc or free%s", f, "");
		return;
	}
	if (c == 2 && len == 0) {
		r->empty_id = 1;
		r->v[c] = 0;
		return;
	}
	if (len == 0 || f[0] == '-' || f[0] == '+' || f[0] == ' ') {
		fail(r, "column %s: '%s' is not an unsigned integer", header[c], f);
		return;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(f, &end, 10);
	if (errno || *end) {
		fail(r, "column %s: '%s' is not an unsigned integer", header[c], f);
		return;
	}
	r->v[c] = v;
}

static void on_row(int ch, void *vr)
{
	rd_t *r = vr;
	as_tev_t ev;
	int ncol = r->col;
	(void)ch;
	r->col = 0;
	if (r->stop) {
		r->row++;
		return;
	}
	if (ncol != NCOLS) {
		char n[16];
		snprintf(n, sizeof(n), "%d", ncol);
		fail(r, "%s columns, expected 6%s", n, "");
		return;
	}
	if (r->row++ == 1)
		return;
	r->row--; /* errors below are about this row */
	memset(&ev, 0, sizeof(ev));
	ev.op = (uint8_t)r->op;
	if (r->v[1] >= AS_TRACE_MAX_THREADS) {
		fail(r, "column thread: must be below %s%s", "256", "");
		goto out;
	}
	ev.thread = (uint16_t)r->v[1];
	ev.size = r->op == AS_TEV_FREE ? 0 : r->v[3];
	if (ev.size > AS_TRACE_MAX_SIZE) {
		fail(r, "column size_bytes: larger than the address space%s%s", "", "");
		goto out;
	}
	if (r->v[4] & (r->v[4] - 1) || r->v[4] == 1 || r->v[4] > (1ULL << 40)) {
		fail(r, "column align_bytes: must be 0 or a power of two 2..2^40%s%s", "", "");
		goto out;
	}
	ev.align_log2 = r->v[4] ? (uint8_t)__builtin_ctzll(r->v[4]) : 0;
	if (r->v[5] < r->last_time) {
		fail(r, "column time_ns: time goes back%s%s", "", "");
		goto out;
	}
	r->last_time = ev.time_ns = r->v[5];
	if (r->empty_id && r->op != AS_TEV_FREE) {
		fail(r, "column id: empty (only a free may name an unknown object)%s%s", "", "");
		goto out;
	}
	if (r->empty_id)
		ev.op = AS_TEV_FREE_UNKNOWN;
	if ((r->stop = as_trace_norm_event(&r->norm, &ev, r->v[2], r->v[2], r->err)) != 0) {
		r->err->pos = r->row;
		r->err->is_line = 1;
	}
out:
	r->empty_id = 0;
	r->row++;
}

int as_trace_csv_read(const void *buf, size_t len, as_tev_fn fn, void *ctx, as_trace_err_t *err)
{
	struct csv_parser p;
	rd_t r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.err = err;
	r.row = 1;
	as_trace_norm_init(&r.norm, 0, fn, ctx);
	if (csv_init(&p, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI) != 0) {
		err->pos = 0;
		err->is_line = 1;
		snprintf(err->msg, sizeof(err->msg), "cannot start the CSV parser");
		return -1;
	}
	csv_set_realloc_func(&p, csv_mrealloc);
	csv_set_free_func(&p, csv_mfree);
	if (csv_parse(&p, buf, len, on_field, on_row, &r) != len ||
	    csv_fini(&p, on_field, on_row, &r) != 0) {
		if (!r.stop) {
			err->pos = r.row;
			err->is_line = 1;
			if (csv_error(&p) == CSV_ENOMEM)
				snprintf(err->msg, sizeof(err->msg),
				         "a field longer than %zu bytes (a trace's are a few): "
				         "not a CSV trace",
				         CSV_FIELD_MAX);
			else
				snprintf(err->msg, sizeof(err->msg), "malformed CSV: %s",
				         csv_strerror(csv_error(&p)));
			r.stop = -1;
		}
	}
	if (!r.stop && r.row == 1) {
		err->pos = 1;
		err->is_line = 1;
		snprintf(err->msg, sizeof(err->msg),
		         "empty file (expected the header op,thread,id,size_bytes,align_bytes,"
		         "time_ns)");
		r.stop = -1;
	}
	ret = r.stop;
	csv_free(&p);
	as_trace_norm_free(&r.norm);
	return ret;
}
