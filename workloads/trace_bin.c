/* trace_bin.c - the native binary trace format (docs/trace-format.md):
 * reader, writer, plus what every format shares: the mmap-backed id map, the
 * id normaliser, error formatting and file mapping. Not the CSV form
 * (trace_csv.c) nor mtrace (trace_mtrace.c). */
#define _GNU_SOURCE
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const as_tev_op_names[AS_TEV_OP_COUNT] = {"alloc", "calloc", "realloc", "free",
                                                      "free_unknown"};

static void seterr(as_trace_err_t *e, uint64_t pos, int is_line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void seterr(as_trace_err_t *e, uint64_t pos, int is_line, const char *fmt, ...)
{
	va_list ap;
	e->pos = pos;
	e->is_line = is_line;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void as_trace_err_format(const as_trace_err_t *e, char *out, size_t len)
{
	snprintf(out, len, "%s %llu: %s", e->is_line ? "line" : "byte", (unsigned long long)e->pos,
	         e->msg);
}

/* ---- kernel-mapped growable memory ---- */
static void *remap(void *old, size_t old_bytes, size_t new_bytes)
{
	void *p;
	if (!old)
		p = mmap(NULL, new_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		         0);
	else
		p = mremap(old, old_bytes, new_bytes, MREMAP_MAYMOVE);
	return p == MAP_FAILED ? NULL : p;
}

/* ---- u64 map: linear probing over interleaved key/value pairs (one cache
 * line per probe), backward-shift deletion (no tombstones) ---- */
static uint64_t hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return k;
}

/* Every key is mixed: keeping neighbouring keys (an allocator's dense
 * addresses, a CSV's consecutive ids) in neighbouring slots made linear
 * probing form runs thousands of slots long, and a capture of 8 M events
 * took 100 s to convert instead of 2. */
static inline uint64_t slot_of(const as_u64map_t *m, uint64_t k)
{
	return hash64(k >> m->shift) & (m->cap - 1);
}

static int map_grow(as_u64map_t *m)
{
	as_u64map_t n = {0};
	n.shift = m->shift;
	n.cap = m->cap ? m->cap * 2 : 1024;
	n.e = mmap(NULL, n.cap * sizeof(*n.e), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	           -1, 0);
	if (n.e == MAP_FAILED)
		return -1;
	/* big live sets make every probe a cache and TLB miss: huge pages
	 * take the TLB half away (a hint; fine where refused) */
	if (n.cap * sizeof(*n.e) >= (4u << 20))
		madvise(n.e, n.cap * sizeof(*n.e), MADV_HUGEPAGE);
	for (uint64_t i = 0; i < n.cap; i++)
		n.e[i].val = AS_U64MAP_EMPTY;
	for (uint64_t i = 0; i < m->cap; i++)
		if (m->e[i].val != AS_U64MAP_EMPTY)
			as_u64map_put(&n, m->e[i].key, m->e[i].val);
	as_u64map_free(m);
	*m = n;
	return 0;
}

int as_u64map_put(as_u64map_t *m, uint64_t key, uint64_t val)
{
	uint64_t i;
	if ((m->count + 1) * 4 > m->cap * 3 && map_grow(m) != 0)
		return -1;
	for (i = slot_of(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (m->e[i].val == AS_U64MAP_EMPTY) {
			m->e[i].key = key;
			m->e[i].val = val;
			m->count++;
			return 0;
		}
		if (m->e[i].key == key) {
			m->e[i].val = val;
			return 0;
		}
	}
}

int as_u64map_get(const as_u64map_t *m, uint64_t key, uint64_t *val)
{
	if (!m->cap)
		return 0;
	for (uint64_t i = slot_of(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (m->e[i].val == AS_U64MAP_EMPTY)
			return 0;
		if (m->e[i].key == key) {
			*val = m->e[i].val;
			return 1;
		}
	}
}

int as_u64map_del(as_u64map_t *m, uint64_t key, uint64_t *val)
{
	uint64_t i, j, mask = m->cap - 1;
	if (!m->cap)
		return 0;
	for (i = slot_of(m, key);; i = (i + 1) & mask) {
		if (m->e[i].val == AS_U64MAP_EMPTY)
			return 0;
		if (m->e[i].key == key)
			break;
	}
	*val = m->e[i].val;
	/* backward shift: move later entries of the cluster into the hole when
	 * their home slot is not between the hole and them */
	for (j = (i + 1) & mask; m->e[j].val != AS_U64MAP_EMPTY; j = (j + 1) & mask) {
		uint64_t home = slot_of(m, m->e[j].key);
		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->e[i] = m->e[j];
			i = j;
		}
	}
	m->e[i].val = AS_U64MAP_EMPTY;
	m->count--;
	return 1;
}

void as_u64map_free(as_u64map_t *m)
{
	unsigned shift = m->shift;
	if (m->e)
		munmap(m->e, m->cap * sizeof(*m->e));
	memset(m, 0, sizeof(*m));
	m->shift = shift;
}

/* ---- normaliser ---- */
void as_trace_norm_init(as_trace_norm_t *n, int repair, as_tev_fn fn, void *ctx)
{
	memset(n, 0, sizeof(*n));
	n->repair = repair;
	n->fn = fn;
	n->ctx = ctx;
}

void as_trace_norm_free(as_trace_norm_t *n)
{
	as_u64map_free(&n->live);
}

int as_trace_norm_unbind(as_trace_norm_t *n, uint64_t raw, uint64_t *obj)
{
	return as_u64map_del(&n->live, raw, obj);
}

int as_trace_norm_bind(as_trace_norm_t *n, uint64_t raw, uint64_t obj)
{
	return as_u64map_put(&n->live, raw, obj);
}

static int nomem(as_trace_err_t *err)
{
	snprintf(err->msg, sizeof(err->msg), "out of memory");
	return -1;
}

int as_trace_norm_event(as_trace_norm_t *n, const as_tev_t *in, uint64_t raw, uint64_t raw_new,
                        as_trace_err_t *err)
{
	as_tev_t ev = *in;
	uint64_t obj;
	int r;

	switch (in->op) {
	case AS_TEV_ALLOC:
	case AS_TEV_CALLOC:
		if (as_u64map_get(&n->live, raw, &obj)) {
			if (!n->repair) {
				snprintf(err->msg, sizeof(err->msg),
				         "id %llu is allocated again while still live",
				         (unsigned long long)raw);
				return -1;
			}
			/* the free was lost or logged late: free the old object now */
			as_tev_t f = *in;
			f.op = AS_TEV_FREE;
			f.obj = obj;
			f.size = 0;
			f.align_log2 = 0;
			n->live_realloc_as_free++;
			if ((r = n->fn(n->ctx, &f, err)) != 0)
				return r;
		}
		ev.obj = n->next_obj++;
		if (as_u64map_put(&n->live, raw, ev.obj) != 0)
			return nomem(err);
		return n->fn(n->ctx, &ev, err);
	case AS_TEV_REALLOC:
		if (!as_u64map_del(&n->live, raw, &obj)) {
			if (!n->repair) {
				snprintf(err->msg, sizeof(err->msg),
				         "realloc of id %llu, which is not live",
				         (unsigned long long)raw);
				return -1;
			}
			n->unknown_realloc++;
			ev.op = AS_TEV_ALLOC;
			return as_trace_norm_event(n, &ev, raw_new, raw_new, err);
		}
		if (as_u64map_get(&n->live, raw_new, &ev.obj)) {
			/* the new address is still live: same repair as for alloc */
			as_tev_t f = *in;
			if (!n->repair) {
				snprintf(err->msg, sizeof(err->msg),
				         "realloc moves onto id %llu, which is still live",
				         (unsigned long long)raw_new);
				return -1;
			}
			f.op = AS_TEV_FREE;
			f.obj = ev.obj;
			f.size = 0;
			n->live_realloc_as_free++;
			if ((r = n->fn(n->ctx, &f, err)) != 0)
				return r;
		}
		ev.obj = obj;
		if (as_u64map_put(&n->live, raw_new, obj) != 0)
			return nomem(err);
		return n->fn(n->ctx, &ev, err);
	case AS_TEV_FREE:
		if (!as_u64map_del(&n->live, raw, &obj)) {
			n->unknown_frees++;
			ev.op = AS_TEV_FREE_UNKNOWN;
			ev.obj = 0;
			ev.size = 0;
			return n->fn(n->ctx, &ev, err);
		}
		ev.obj = obj;
		ev.size = 0;
		return n->fn(n->ctx, &ev, err);
	case AS_TEV_FREE_UNKNOWN:
		n->unknown_frees++;
		ev.obj = 0;
		ev.size = 0;
		return n->fn(n->ctx, &ev, err);
	}
	snprintf(err->msg, sizeof(err->msg), "unknown event kind %u", in->op);
	return -1;
}

/* ---- binary reader ---- */
typedef struct {
	const uint8_t *p, *end, *base;
} cur_t;

static int varint_slow(cur_t *c, uint64_t *out, const char *what, as_trace_err_t *err)
{
	uint64_t v = 0;
	const uint8_t *start = c->p;
	for (unsigned shift = 0;; shift += 7) {
		uint8_t b;
		if (c->p >= c->end) {
			seterr(err, (uint64_t)(start - c->base), 0, "truncated %s", what);
			return -1;
		}
		b = *c->p++;
		if (shift == 63 && (b & 0x7e)) {
			seterr(err, (uint64_t)(start - c->base), 0, "%s does not fit 64 bits",
			       what);
			return -1;
		}
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		if (shift == 63) {
			seterr(err, (uint64_t)(start - c->base), 0, "%s is longer than 10 bytes",
			       what);
			return -1;
		}
	}
	*out = v;
	return 0;
}

/* most varints are one byte: keep that path inline */
static inline int get_varint(cur_t *c, uint64_t *out, const char *what, as_trace_err_t *err)
{
	if (__builtin_expect(c->p < c->end && *c->p < 0x80, 1)) {
		*out = *c->p++;
		return 0;
	}
	return varint_slow(c, out, what, err);
}

/* live bitmap indexed by object number */
typedef struct {
	uint8_t *bits;
	uint64_t bytes;
} bitmap_t;

static int bm_grow(bitmap_t *b, uint64_t i)
{
	uint64_t nb = b->bytes ? b->bytes : 4096;
	while (nb <= i / 8)
		nb *= 2;
	uint8_t *n = remap(b->bits, b->bytes, nb);
	if (!n)
		return -1;
	b->bits = n;
	b->bytes = nb;
	return 0;
}

static inline int bm_set(bitmap_t *b, uint64_t i, int v)
{
	if (__builtin_expect(i / 8 >= b->bytes, 0) && bm_grow(b, i) != 0)
		return -1;
	if (v)
		b->bits[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		b->bits[i / 8] &= (uint8_t) ~(1u << (i % 8));
	return 0;
}

static int bm_get(const bitmap_t *b, uint64_t i)
{
	return i / 8 < b->bytes && (b->bits[i / 8] >> (i % 8)) & 1;
}

int as_trace_bin_read(const void *buf, size_t len, as_tev_fn fn, void *ctx, as_trace_err_t *err)
{
	cur_t c = {buf, (const uint8_t *)buf + len, buf};
	bitmap_t live = {0};
	uint64_t next_obj = 0, n = 0, time = 0, version, flags;
	uint32_t thread = 0;
	int r = -1;
	const uint8_t *b = buf;

	if (len < 16) {
		seterr(err, len, 0, "truncated header (%zu of 16 bytes)", len);
		return -1;
	}
	if (memcmp(buf, AS_TRACE_MAGIC, AS_TRACE_MAGIC_LEN) != 0) {
		seterr(err, 0, 0, "not an allocscope binary trace (bad magic)");
		return -1;
	}
	version =
	    (uint64_t)b[8] | (uint64_t)b[9] << 8 | (uint64_t)b[10] << 16 | (uint64_t)b[11] << 24;
	flags =
	    (uint64_t)b[12] | (uint64_t)b[13] << 8 | (uint64_t)b[14] << 16 | (uint64_t)b[15] << 24;
	if (version != AS_TRACE_VERSION) {
		seterr(err, 8, 0, "format version %llu, this reader knows %u",
		       (unsigned long long)version, AS_TRACE_VERSION);
		return -1;
	}
	if (flags != 0) {
		seterr(err, 12, 0, "unknown header flags 0x%llx", (unsigned long long)flags);
		return -1;
	}
	c.p += 16;
	for (;;) {
		as_tev_t ev;
		uint64_t pos = (uint64_t)(c.p - c.base), v;
		uint8_t h, op;
		if (c.p >= c.end) {
			seterr(err, pos, 0, "truncated: end record missing after %llu events",
			       (unsigned long long)n);
			goto out;
		}
		h = *c.p++;
		op = h & 7;
		if (h & 0xe0) {
			seterr(err, pos, 0, "record byte 0x%02x has reserved bits set", h);
			goto out;
		}
		if (op == 7) {
			if (h != 7) {
				seterr(err, pos, 0, "end record with flags 0x%02x", h);
				goto out;
			}
			if (get_varint(&c, &v, "end record count", err))
				goto out;
			if (v != n) {
				seterr(err, pos, 0, "end record says %llu events, found %llu",
				       (unsigned long long)v, (unsigned long long)n);
				goto out;
			}
			if (c.p != c.end) {
				seterr(err, (uint64_t)(c.p - c.base), 0,
				       "%zu bytes after the end record", (size_t)(c.end - c.p));
				goto out;
			}
			r = 0;
			goto out;
		}
		if (op >= AS_TEV_OP_COUNT) {
			seterr(err, pos, 0, "unknown op %u", op);
			goto out;
		}
		memset(&ev, 0, sizeof(ev));
		ev.op = op;
		if (h & 8) {
			if (get_varint(&c, &v, "thread", err))
				goto out;
			if (v >= AS_TRACE_MAX_THREADS) {
				seterr(err, pos, 0, "thread %llu is not below %d",
				       (unsigned long long)v, AS_TRACE_MAX_THREADS);
				goto out;
			}
			thread = (uint32_t)v;
		}
		ev.thread = (uint16_t)thread;
		if (h & 16) {
			if (c.p >= c.end) {
				seterr(err, pos, 0, "truncated alignment");
				goto out;
			}
			ev.align_log2 = *c.p++;
			if (ev.align_log2 == 0 || ev.align_log2 > 40) {
				seterr(err, pos, 0, "alignment 2^%u is out of range 2^1..2^40",
				       ev.align_log2);
				goto out;
			}
		}
		if (op == AS_TEV_REALLOC || op == AS_TEV_FREE) {
			if (get_varint(&c, &v, "object delta", err))
				goto out;
			if (v >= next_obj || !bm_get(&live, next_obj - 1 - v)) {
				seterr(err, pos, 0, "%s of object %lld, which is not live",
				       as_tev_op_names[op], (long long)(next_obj - 1 - v));
				goto out;
			}
			ev.obj = next_obj - 1 - v;
		} else if (op != AS_TEV_FREE_UNKNOWN) {
			ev.obj = next_obj++;
			if (bm_set(&live, ev.obj, 1) != 0) {
				seterr(err, pos, 0, "out of memory");
				goto out;
			}
		}
		if (op <= AS_TEV_REALLOC && get_varint(&c, &ev.size, "size", err))
			goto out;
		if (op == AS_TEV_FREE)
			bm_set(&live, ev.obj, 0);
		if (get_varint(&c, &v, "time delta", err))
			goto out;
		if (time + v < time) {
			seterr(err, pos, 0, "time overflows 64 bits");
			goto out;
		}
		time += v;
		ev.time_ns = time;
		n++;
		if ((r = fn(ctx, &ev, err)) != 0) {
			err->pos = pos;
			err->is_line = 0;
			goto out;
		}
		r = -1;
	}
out:
	if (live.bits)
		munmap(live.bits, live.bytes);
	return r;
}

/* ---- writer ---- */
static int put_varint(uint8_t *p, uint64_t v)
{
	int n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

int as_trace_writer_open(as_trace_writer_t *w, FILE *f, as_trace_fmt_t fmt)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->fmt = fmt;
	if (fmt == AS_TRACE_CSV)
		return as_trace_csv_write_header(f);
	uint8_t h[16] = {0};
	memcpy(h, AS_TRACE_MAGIC, AS_TRACE_MAGIC_LEN);
	h[8] = AS_TRACE_VERSION;
	if (fwrite(h, 1, sizeof(h), f) != sizeof(h)) {
		w->io_error = 1;
		return -1;
	}
	return 0;
}

int as_trace_writer_put(as_trace_writer_t *w, const as_tev_t *ev, as_trace_err_t *err)
{
	uint8_t rec[48];
	int n = 1;

	if (ev->op >= AS_TEV_OP_COUNT || ev->thread >= AS_TRACE_MAX_THREADS ||
	    ev->time_ns < w->last_time || ev->align_log2 > 40) {
		snprintf(err->msg, sizeof(err->msg),
		         "event %llu: bad op, thread, alignment or time going back",
		         (unsigned long long)w->n);
		return -1;
	}
	if ((ev->op == AS_TEV_ALLOC || ev->op == AS_TEV_CALLOC) && ev->obj != w->next_obj) {
		snprintf(err->msg, sizeof(err->msg),
		         "event %llu: allocation numbered %llu, expected %llu (not canonical)",
		         (unsigned long long)w->n, (unsigned long long)ev->obj,
		         (unsigned long long)w->next_obj);
		return -1;
	}
	if ((ev->op == AS_TEV_REALLOC || ev->op == AS_TEV_FREE) && ev->obj >= w->next_obj) {
		snprintf(err->msg, sizeof(err->msg), "event %llu: object %llu was never allocated",
		         (unsigned long long)w->n, (unsigned long long)ev->obj);
		return -1;
	}
	if (w->fmt == AS_TRACE_CSV) {
		if (as_trace_csv_write_event(w->f, ev) != 0)
			goto out_io;
	} else {
		rec[0] = ev->op;
		if (w->n == 0 || ev->thread != w->last_thread) {
			rec[0] |= 8;
			n += put_varint(rec + n, ev->thread);
		}
		if (ev->align_log2) {
			rec[0] |= 16;
			rec[n++] = ev->align_log2;
		}
		if (ev->op == AS_TEV_REALLOC || ev->op == AS_TEV_FREE)
			n += put_varint(rec + n, w->next_obj - 1 - ev->obj);
		if (ev->op <= AS_TEV_REALLOC)
			n += put_varint(rec + n, ev->size);
		n += put_varint(rec + n, ev->time_ns - w->last_time);
		if (fwrite(rec, 1, (size_t)n, w->f) != (size_t)n)
			goto out_io;
	}
	if (ev->op == AS_TEV_ALLOC || ev->op == AS_TEV_CALLOC)
		w->next_obj++;
	w->last_thread = ev->thread;
	w->last_time = ev->time_ns;
	w->n++;
	return 0;
out_io:
	w->io_error = 1;
	snprintf(err->msg, sizeof(err->msg), "write failed: %s", strerror(errno));
	return -1;
}

int as_trace_writer_fn(void *ctx, const as_tev_t *ev, as_trace_err_t *err)
{
	return as_trace_writer_put(ctx, ev, err);
}

int as_trace_writer_close(as_trace_writer_t *w)
{
	if (w->fmt == AS_TRACE_BIN && !w->io_error) {
		uint8_t rec[12];
		int n;
		rec[0] = 7;
		n = 1 + put_varint(rec + 1, w->n);
		if (fwrite(rec, 1, (size_t)n, w->f) != (size_t)n)
			w->io_error = 1;
	}
	if (fflush(w->f) != 0 || ferror(w->f))
		w->io_error = 1;
	return w->io_error ? -1 : 0;
}

/* ---- files ---- */
int as_trace_map_file(const char *path, const void **buf, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p;
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	*len = (size_t)st.st_size;
	if (*len == 0) {
		*buf = "";
		close(fd);
		return 0;
	}
	p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "%s: cannot map: %s", path, strerror(errno));
		return -1;
	}
	*buf = p;
	return 0;
}

void as_trace_unmap_file(const void *buf, size_t len)
{
	if (len)
		munmap((void *)buf, len);
}

int as_trace_read_file(const char *path, as_tev_fn fn, void *ctx, as_trace_fmt_t *fmt, char *msg,
                       size_t msglen)
{
	const void *buf;
	size_t len;
	as_trace_err_t err;
	char where[300];
	int r;
	as_trace_fmt_t f;

	memset(&err, 0, sizeof(err));
	if (as_trace_map_file(path, &buf, &len, msg, msglen) != 0)
		return -1;
	f = len >= AS_TRACE_MAGIC_LEN && !memcmp(buf, AS_TRACE_MAGIC, AS_TRACE_MAGIC_LEN)
	        ? AS_TRACE_BIN
	        : AS_TRACE_CSV;
	if (fmt)
		*fmt = f;
	r = f == AS_TRACE_BIN ? as_trace_bin_read(buf, len, fn, ctx, &err)
	                      : as_trace_csv_read(buf, len, fn, ctx, &err);
	if (r != 0) {
		as_trace_err_format(&err, where, sizeof(where));
		snprintf(msg, msglen, "%s: %s", path, where);
	}
	as_trace_unmap_file(buf, len);
	return r;
}
