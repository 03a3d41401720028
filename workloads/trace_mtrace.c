/* trace_mtrace.c - import glibc's mtrace log (MALLOC_TRACE): "= Start",
 * "@ caller + ptr size", "- ptr", realloc as "< old" then "> new size", "!"
 * for a failed realloc, "+ (nil) size" for a failed malloc, calloc or
 * memalign, "(nil)" for NULL, sizes in hex. Repairs what real
 * logs need (frees of blocks allocated before tracing, allocations at
 * addresses still live) through the id normaliser, tells double frees (an
 * address freed and not allocated since) from those, and counts every
 * repair and drop. Anything else is a torn line (a killed program's last line, or
 * lines of several processes writing one log, cut and interleaved): skipped
 * and counted, or an error in strict mode. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

/* Parse a number as glibc's mtrace writes it at *p, advancing past it: a
 * pointer (%p) is "0x1f" or "(nil)" (= 0), a size (%#lx) "0x1f" or "0".
 * Anything else ("1f", "01000": a line cut and joined with another, or
 * not glibc's) is refused. */
enum { MT_PTR, MT_SIZE };
static int hexnum(const char **p, const char *end, uint64_t *out, int kind)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0;
	if (kind == MT_PTR && end - s >= 5 && !memcmp(s, "(nil)", 5)) {
		*p = s + 5;
		*out = 0;
		return 0;
	}
	if (kind == MT_SIZE && end - s >= 1 && s[0] == '0' && (end - s == 1 || s[1] != 'x')) {
		*p = s + 1;
		*out = 0;
		return 0;
	}
	if (end - s >= 2 && s[0] == '0' && s[1] == 'x')
		s += 2;
	else
		return -1;
	for (; s < end; s++, digits++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (digits >= 16)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	if (!digits)
		return -1;
	*p = s;
	*out = v;
	return 0;
}

typedef struct {
	as_trace_norm_t norm;
	as_u64map_t owed;  /* address -> frees logged late, still to come */
	as_u64map_t freed; /* addresses whose last record released them */
	as_mtrace_report_t *rep;
	as_tev_fn fn;
	void *ctx;
	uint64_t pending_old; /* "<" seen, its ">" expected next */
	int have_pending;
} mt_t;

static int count_fn(void *vctx, const as_tev_t *ev, as_trace_err_t *err)
{
	mt_t *m = vctx;
	m->rep->events++;
	return m->fn(m->ctx, ev, err);
}

/* The operation byte c as a message shows it: 'c' when printable, else its
 * code (a NUL or control byte would cut or garble the line). */
static const char *show_op(char c, char buf[12])
{
	if (c > ' ' && c < 0x7f)
		snprintf(buf, 12, "'%c'", c);
	else
		snprintf(buf, 12, "byte 0x%02x", (unsigned char)c);
	return buf;
}

/* Parse one non-empty line s..le into its operation, pointer and size.
 * Returns 0, 1 for a line that is no record ("= Start", "= End"), or -1 with
 * err->msg set. */
static int parse_line(const char *s, const char *le, char *opp, uint64_t *a, uint64_t *size,
                      as_trace_err_t *err)
{
	char op, so[12];
	if (memchr(s, '\0', (size_t)(le - s))) {
		snprintf(err->msg, sizeof(err->msg), "holds a NUL byte (no mtrace record does)");
		return -1;
	}
	if (*s == '@') {
		/* caller: "@ file:(sym+off)[0xaddr] " or "@ file:[0xaddr] " */
		const char *q = s;
		if (s + 1 >= le || s[1] != ' ') {
			snprintf(err->msg, sizeof(err->msg), "'@' is not followed by a space");
			return -1;
		}
		while (q + 1 < le && !(q[0] == ']' && q[1] == ' '))
			q++;
		if (q + 1 >= le) {
			snprintf(err->msg, sizeof(err->msg),
			         "caller field '@ ...' does not end with '] '");
			return -1;
		}
		s = q + 2;
	}
	if (s >= le) {
		snprintf(err->msg, sizeof(err->msg), "caller without an operation");
		return -1;
	}
	op = *s++;
	if (op == '=') {
		/* glibc writes "= Start" and "= End" only: any other '=' line
		 * (binary data has some) is no marker */
		size_t n = (size_t)(le - s);
		if ((n == 6 && !memcmp(s, " Start", 6)) || (n == 4 && !memcmp(s, " End", 4)))
			return 1;
		snprintf(err->msg, sizeof(err->msg), "'=' line is neither '= Start' nor '= End'");
		return -1;
	}
	if (s >= le || *s != ' ') {
		snprintf(err->msg, sizeof(err->msg), "%s is not followed by a space",
		         show_op(op, so));
		return -1;
	}
	s++;
	if (!strchr("+-<>!", op)) {
		snprintf(err->msg, sizeof(err->msg), "unknown operation %s (expected + - < > ! =)",
		         show_op(op, so));
		return -1;
	}
	if (hexnum(&s, le, a, MT_PTR) != 0) {
		snprintf(err->msg, sizeof(err->msg), "bad pointer after %s", show_op(op, so));
		return -1;
	}
	if (op == '+' || op == '>' || op == '!') {
		if (s >= le || *s != ' ' || (s++, hexnum(&s, le, size, MT_SIZE) != 0)) {
			snprintf(err->msg, sizeof(err->msg), "bad or missing size after %s",
			         show_op(op, so));
			return -1;
		}
	}
	if ((op == '+' || op == '>') && *a != 0 && *size > AS_TRACE_MAX_SIZE) {
		/* no allocation of that size succeeds (a failed one is '+ (nil)
		 * SIZE', any size, or '!'): a trace reader refuses it */
		snprintf(err->msg, sizeof(err->msg),
		         "size %#llx after %s is larger than the "
		         "address space",
		         (unsigned long long)*size, show_op(op, so));
		return -1;
	}
	if (op == '>' && *a == 0) {
		/* glibc logs a failed realloc as '!' (a failed malloc as '+ (nil)') */
		snprintf(err->msg, sizeof(err->msg), "allocation at (nil)");
		return -1;
	}
	if (s != le) {
		snprintf(err->msg, sizeof(err->msg), "unexpected text after %s record",
		         show_op(op, so));
		return -1;
	}
	*opp = op;
	return 0;
}

/* Late frees: an allocation at a live address means another thread's free
 * of it was written late; expect that "-" line and drop it. Returns 0, 1
 * when this line is such a late free (dropped), or -1 (no memory). */
static int track_owed(mt_t *m, char op, uint64_t a, as_trace_err_t *err)
{
	uint64_t obj, n = 0;
	/* "< p" then "> p": realloc in place; p is live because it is the
	 * block being resized, not because a free was written late */
	int in_place = op == '>' && m->have_pending && m->pending_old == a;
	if ((op == '+' || op == '>') && !in_place) {
		if (as_u64map_get(&m->norm.live, a, &obj)) {
			as_u64map_get(&m->owed, a, &n);
			if (as_u64map_put(&m->owed, a, n + 1) != 0) {
				snprintf(err->msg, sizeof(err->msg), "out of memory");
				return -1;
			}
		}
	} else if (op == '-' && as_u64map_get(&m->owed, a, &n)) {
		as_u64map_del(&m->owed, a, &n);
		if (n > 1)
			as_u64map_put(&m->owed, a, n - 1);
		m->rep->late_frees++;
		m->rep->dropped_lines++;
		return 1;
	}
	return 0;
}

/* Addresses released (a free, or a realloc that moved) and not handed out
 * again: a free of one is a double free, told apart from a free of a block
 * allocated before tracing (an address the log never showed). Returns 0 or
 * -1 (no memory). */
static int mark_freed(mt_t *m, uint64_t a, int freed, as_trace_err_t *err)
{
	uint64_t v;
	if (!freed) {
		as_u64map_del(&m->freed, a, &v);
		return 0;
	}
	if (!as_u64map_get(&m->freed, a, &v) && as_u64map_put(&m->freed, a, 1) != 0) {
		snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -1;
	}
	return 0;
}

/* Turn one parsed record into events. Returns 0 (an event or a counted
 * drop), the callback's value, or -1 with err->msg set. */
static int apply_line(mt_t *m, char op, uint64_t a, uint64_t size, as_trace_err_t *err)
{
	as_mtrace_report_t *rep = m->rep;
	as_tev_t ev;
	int r;
	if (m->have_pending && op != '>') {
		/* "<" whose ">" never came: the realloc is lost, its line
		 * yielded no event */
		rep->unpaired_realloc++;
		rep->dropped_lines++;
		m->have_pending = 0;
	}
	if (op == '+' && a == 0) {
		/* a failed malloc, calloc or memalign: glibc logs the NULL it
		 * returned with the size asked for; nothing was allocated */
		rep->failed_alloc++;
		rep->dropped_lines++;
		return 0;
	}
	if ((r = track_owed(m, op, a, err)) != 0)
		return r < 0 ? r : 0;
	memset(&ev, 0, sizeof(ev));
	ev.size = size;
	if ((op == '+' || op == '>') && mark_freed(m, a, 0, err) != 0)
		return -1;
	switch (op) {
	case '+': ev.op = AS_TEV_ALLOC; return as_trace_norm_event(&m->norm, &ev, a, a, err);
	case '-': {
		uint64_t obj, v;
		if (a == 0) {
			rep->null_frees++;
			rep->dropped_lines++;
			return 0;
		}
		if (!as_u64map_get(&m->norm.live, a, &obj) && as_u64map_get(&m->freed, a, &v)) {
			/* freed before and not allocated since: kept as a free
			 * of nothing (a no-op on replay), counted apart */
			rep->double_frees++;
			ev.op = AS_TEV_FREE_UNKNOWN;
			ev.size = 0;
			return count_fn(m, &ev, err);
		}
		if (mark_freed(m, a, 1, err) != 0)
			return -1;
		ev.op = AS_TEV_FREE;
		return as_trace_norm_event(&m->norm, &ev, a, a, err);
	}
	case '<':
		m->pending_old = a;
		m->have_pending = 1;
		return 0;
	case '>':
		if (!m->have_pending) {
			rep->unpaired_realloc++;
			ev.op = AS_TEV_ALLOC;
			return as_trace_norm_event(&m->norm, &ev, a, a, err);
		}
		m->have_pending = 0;
		if (m->pending_old != a) {
			uint64_t obj;
			/* the old block was released only if it was live */
			if (as_u64map_get(&m->norm.live, m->pending_old, &obj) &&
			    mark_freed(m, m->pending_old, 1, err) != 0)
				return -1;
		}
		ev.op = AS_TEV_REALLOC;
		return as_trace_norm_event(&m->norm, &ev, m->pending_old, a, err);
	}
	/* '!' */
	rep->failed_realloc++;
	rep->dropped_lines++;
	return 0;
}

int as_trace_mtrace_read(const void *buf, size_t len, int strict, as_tev_fn fn, void *ctx,
                         as_mtrace_report_t *rep, as_trace_err_t *err)
{
	const char *p = buf, *end = p + len;
	mt_t m;
	uint64_t line = 0;
	int r = 0;

	memset(rep, 0, sizeof(*rep));
	memset(&m, 0, sizeof(m));
	m.rep = rep;
	m.fn = fn;
	m.ctx = ctx;
	as_trace_norm_init(&m.norm, 1, count_fn, &m);
	m.norm.live.shift = 4; /* keys are malloc pointers */
	m.owed.shift = 4;
	m.freed.shift = 4;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *s = p;
		uint64_t a = 0, size = 0;
		char op = 0;

		line++;
		p = nl ? nl + 1 : end;
		if (le > s && le[-1] == '\r')
			le--;
		if (s == le) {
			rep->markers++;
			rep->dropped_lines++;
			continue;
		}
		r = parse_line(s, le, &op, &a, &size, err);
		if (r == 0 && !nl) {
			/* glibc ends every record with a newline: the program was
			 * killed in the middle of this one */
			snprintf(err->msg, sizeof(err->msg), "last line cut short (no newline)");
			r = -1;
		}
		if (r >= 0)
			rep->records++;
		if (r == 1) {
			r = 0;
			rep->markers++;
			rep->dropped_lines++;
			continue;
		}
		if (r != 0 && !strict) {
			if (rep->torn_lines < AS_MTRACE_TORN_LISTED)
				rep->torn_first[rep->torn_lines] = line;
			rep->torn_lines++;
			if (nl && !rep->torn_inside++) {
				rep->torn_inside_first = line;
				snprintf(rep->torn_inside_why, sizeof(rep->torn_inside_why), "%s",
				         err->msg);
			}
			if (nl && !rep->torn_nul_first && memchr(s, '\0', (size_t)(le - s)))
				rep->torn_nul_first = line;
			rep->dropped_lines++;
			r = 0;
			continue;
		}
		if (r != 0 || (r = apply_line(&m, op, a, size, err)) != 0)
			goto out_line;
	}
	if (m.have_pending) {
		rep->unpaired_realloc++;
		rep->dropped_lines++;
	}
	goto out;
out_line:
	err->pos = line;
	err->is_line = 1;
out:
	rep->lines = line;
	rep->unknown_frees = m.norm.unknown_frees;
	rep->live_realloc_as_free = m.norm.live_realloc_as_free;
	rep->unknown_realloc = m.norm.unknown_realloc;
	as_trace_norm_free(&m.norm);
	as_u64map_free(&m.owed);
	as_u64map_free(&m.freed);
	return r;
}
