/* trace_bin.c - the native binary trace format (docs/trace-format.md): the
 * reader, which checks every record and that objects are referenced only
 * while live, and the record encoder behind as_trace_writer_t. Not the
 * canonical-event checks or the choice of format (trace_file.c), nor the id
 * normaliser (trace_norm.c); the binary form needs none, its objects are
 * numbered already. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "trace_int.h"

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

/* ---- CRC-32C (Castagnoli), the SSE4.2 instruction where the CPU has it ---- */
static uint32_t crc32c_sw(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
	}
	return ~crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t crc, const uint8_t *p,
                                                            size_t n)
{
	uint64_t c = ~crc;
	for (; n >= 8; n -= 8, p += 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		c = __builtin_ia32_crc32di(c, v);
	}
	while (n--)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return ~(uint32_t)c;
}
#endif

uint32_t as_crc32c(uint32_t crc, const void *buf, size_t n)
{
#if defined(__x86_64__)
	if (__builtin_cpu_supports("sse4.2"))
		return crc32c_hw(crc, buf, n);
#endif
	return crc32c_sw(crc, buf, n);
}

static uint32_t get_u32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void put_u32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
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

/* most varints are one or two bytes (sizes below 16 KiB): keep those inline */
static inline int get_varint(cur_t *c, uint64_t *out, const char *what, as_trace_err_t *err)
{
	if (__builtin_expect(c->p < c->end && *c->p < 0x80, 1)) {
		*out = *c->p++;
		return 0;
	}
	if (c->end - c->p >= 2 && c->p[1] < 0x80) {
		*out = (uint64_t)(c->p[0] & 0x7f) | (uint64_t)c->p[1] << 7;
		c->p += 2;
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

typedef struct {
	cur_t c;
	bitmap_t live; /* objects allocated and not yet freed */
	uint64_t next_obj, n, time;
	uint32_t thread;
	size_t dropped; /* as_trace_bin_read_once: bytes before this are given back */
	size_t page;    /* the page size when dropping, else 0 */
	int unchecked;  /* AS_TRACE_READ_LIVE_UNCHECKED: no live bitmap */
} bin_rd_t;

/* Give back the pages of buf the reader has left behind, DROP_STEP at a
 * time: a trace is read once while the op arrays it becomes fill memory,
 * so its own pages need not add to the peak. buf is page-aligned (mmap). */
#define DROP_STEP ((size_t)8 << 20)
static void drop_behind(bin_rd_t *s, size_t pos)
{
	size_t to;
	if (pos - s->dropped < 2 * DROP_STEP)
		return;
	to = (pos - DROP_STEP) & ~(s->page - 1); /* a page boundary */
	madvise((void *)(uintptr_t)(s->c.base + s->dropped), to - s->dropped, MADV_DONTNEED);
	s->dropped = to;
}

/* 16 bytes: magic, version (u32 LE: 1, or 2 with blocks), flags (u32 LE,
 * none defined). Returns the version, or -1. */
static int check_header(const uint8_t *b, size_t len, as_trace_err_t *err)
{
	uint64_t version, flags;
	if (len < 16) {
		seterr(err, len, 0, "truncated header (%zu of 16 bytes)", len);
		return -1;
	}
	if (memcmp(b, AS_TRACE_MAGIC, AS_TRACE_MAGIC_LEN) != 0) {
		seterr(err, 0, 0, "not an allocscope binary trace (bad magic)");
		return -1;
	}
	version =
	    (uint64_t)b[8] | (uint64_t)b[9] << 8 | (uint64_t)b[10] << 16 | (uint64_t)b[11] << 24;
	flags =
	    (uint64_t)b[12] | (uint64_t)b[13] << 8 | (uint64_t)b[14] << 16 | (uint64_t)b[15] << 24;
	if (version != 1 && version != AS_TRACE_VERSION) {
		seterr(err, 8, 0, "format version %llu, this reader knows 1 and %u",
		       (unsigned long long)version, AS_TRACE_VERSION);
		return -1;
	}
	if (flags != 0) {
		seterr(err, 12, 0, "unknown header flags 0x%llx", (unsigned long long)flags);
		return -1;
	}
	return (int)version;
}

/* Version 2: the block at pos (length, CRC-32C of length and payload, then
 * the payload) must be whole and its checksum right; sets c to its payload. */
static int open_block(bin_rd_t *s, size_t pos, size_t len, as_trace_err_t *err)
{
	const uint8_t *b = s->c.base + pos;
	uint32_t n, crc;
	if (len - pos < 8) {
		seterr(err, pos, 0, "truncated block header (%zu of 8 bytes)", len - pos);
		return -1;
	}
	n = get_u32(b);
	if (n == 0 || n > AS_TRACE_BLOCK) {
		seterr(err, pos, 0, "block length %u is out of range 1..%u (corrupt)", n,
		       AS_TRACE_BLOCK);
		return -1;
	}
	if (len - pos - 8 < n) {
		seterr(err, pos, 0, "truncated block (%zu of %u bytes)", len - pos - 8, n);
		return -1;
	}
	crc = as_crc32c(as_crc32c(0, b, 4), b + 8, n);
	if (crc != get_u32(b + 4)) {
		seterr(err, pos, 0, "checksum mismatch in the block of %u bytes here (corrupt)", n);
		return -1;
	}
	s->c.p = b + 8;
	s->c.end = b + 8 + n;
	return 0;
}

/* The end record (byte h at pos, already consumed): 0 when its count matches
 * and nothing follows it. */
static int read_end(bin_rd_t *s, uint8_t h, uint64_t pos, as_trace_err_t *err)
{
	uint64_t v;
	if (h != 7) {
		seterr(err, pos, 0, "end record with flags 0x%02x", h);
		return -1;
	}
	if (get_varint(&s->c, &v, "end record count", err))
		return -1;
	if (v != s->n) {
		seterr(err, pos, 0, "end record says %llu events, found %llu",
		       (unsigned long long)v, (unsigned long long)s->n);
		return -1;
	}
	if (s->c.p != s->c.end) {
		seterr(err, (uint64_t)(s->c.p - s->c.base), 0, "%zu bytes after the end record",
		       (size_t)(s->c.end - s->c.p));
		return -1;
	}
	return 0;
}

/* One event record (byte h at pos, already consumed) into ev. 0 or -1. */
static int read_event(bin_rd_t *s, uint8_t h, uint64_t pos, as_tev_t *ev, as_trace_err_t *err)
{
	uint8_t op = h & 7;
	uint64_t v;
	if (op >= AS_TEV_OP_COUNT) {
		seterr(err, pos, 0, "unknown op %u", op);
		return -1;
	}
	memset(ev, 0, sizeof(*ev));
	ev->op = op;
	if (h & 8) {
		if (get_varint(&s->c, &v, "thread", err))
			return -1;
		if (v >= AS_TRACE_MAX_THREADS) {
			seterr(err, pos, 0, "thread %llu is not below %d", (unsigned long long)v,
			       AS_TRACE_MAX_THREADS);
			return -1;
		}
		s->thread = (uint32_t)v;
	}
	ev->thread = (uint16_t)s->thread;
	if (h & 16) {
		if (s->c.p >= s->c.end) {
			seterr(err, pos, 0, "truncated alignment");
			return -1;
		}
		ev->align_log2 = *s->c.p++;
		if (ev->align_log2 == 0 || ev->align_log2 > 40) {
			seterr(err, pos, 0, "alignment 2^%u is out of range 2^1..2^40",
			       ev->align_log2);
			return -1;
		}
	}
	if (op == AS_TEV_REALLOC || op == AS_TEV_FREE) {
		if (get_varint(&s->c, &v, "object delta", err))
			return -1;
		if (v >= s->next_obj) {
			seterr(err, pos, 0, "%s names object delta %llu; only %llu were allocated",
			       as_tev_op_names[op], (unsigned long long)v,
			       (unsigned long long)s->next_obj);
			return -1;
		}
		if (!s->unchecked && !bm_get(&s->live, s->next_obj - 1 - v)) {
			seterr(err, pos, 0, "%s of object %llu, which is not live (%s)",
			       op == AS_TEV_FREE ? "double free" : as_tev_op_names[op],
			       (unsigned long long)(s->next_obj - 1 - v),
			       op == AS_TEV_FREE ? "freed already" : "realloc after free");
			return -1;
		}
		ev->obj = s->next_obj - 1 - v;
	} else if (op != AS_TEV_FREE_UNKNOWN) {
		ev->obj = s->next_obj++;
		if (!s->unchecked && bm_set(&s->live, ev->obj, 1) != 0) {
			seterr(err, pos, 0, "out of memory");
			return -1;
		}
	}
	if (op <= AS_TEV_REALLOC && get_varint(&s->c, &ev->size, "size", err))
		return -1;
	if (ev->size > AS_TRACE_MAX_SIZE) {
		seterr(err, pos, 0, "size %llu is larger than the address space",
		       (unsigned long long)ev->size);
		return -1;
	}
	if (op == AS_TEV_FREE && !s->unchecked)
		bm_set(&s->live, ev->obj, 0);
	if (get_varint(&s->c, &v, "time delta", err))
		return -1;
	if (s->time + v < s->time) {
		seterr(err, pos, 0, "time overflows 64 bits");
		return -1;
	}
	s->time += v;
	ev->time_ns = s->time;
	s->n++;
	return 0;
}

static int bin_read(const void *buf, size_t len, as_tev_fn fn, void *ctx, as_trace_err_t *err,
                    int drop, unsigned flags)
{
	bin_rd_t s;
	int r = -1, version = check_header(buf, len, err);

	if (version < 0)
		return -1;
	memset(&s, 0, sizeof(s));
	s.unchecked = (flags & AS_TRACE_READ_LIVE_UNCHECKED) != 0;
	if (drop) {
		long page = sysconf(_SC_PAGESIZE);
		if (page > 0 && (uintptr_t)buf % (size_t)page == 0)
			s.page = (size_t)page;
	}
	s.c.base = buf;
	s.c.p = s.c.base + 16;
	s.c.end = s.c.base + len;
	if (version >= 2 && len > 16 && open_block(&s, 16, len, err) != 0)
		return -1;
	for (;;) {
		as_tev_t ev;
		uint64_t pos = (uint64_t)(s.c.p - s.c.base);
		uint8_t h;
		if (s.c.p >= s.c.end) {
			/* version 2: the next block, if any */
			if (version >= 2 && pos < len) {
				if (open_block(&s, pos, len, err) != 0)
					goto out;
				if (s.page)
					drop_behind(&s, pos);
				continue;
			}
			seterr(err, pos, 0, "truncated: end record missing after %llu events",
			       (unsigned long long)s.n);
			goto out;
		}
		h = *s.c.p++;
		if (h & 0xe0) {
			seterr(err, pos, 0, "record byte 0x%02x has reserved bits set", h);
			goto out;
		}
		if ((h & 7) == 7) {
			r = read_end(&s, h, pos, err);
			if (r == 0 && s.c.end != s.c.base + len) {
				seterr(err, (uint64_t)(s.c.end - s.c.base), 0,
				       "%zu bytes after the end record",
				       (size_t)(s.c.base + len - s.c.end));
				r = -1;
			}
			goto out;
		}
		if (read_event(&s, h, pos, &ev, err) != 0)
			goto out;
		if ((r = fn(ctx, &ev, err)) != 0) {
			err->pos = pos;
			err->is_line = 0;
			goto out;
		}
		r = -1; /* what ends the loop from here on is an error */
	}
out:
	if (s.live.bits)
		munmap(s.live.bits, s.live.bytes);
	return r;
}

int as_trace_bin_read(const void *buf, size_t len, as_tev_fn fn, void *ctx, as_trace_err_t *err)
{
	return bin_read(buf, len, fn, ctx, err, 0, 0);
}

int as_trace_bin_read_once(const void *buf, size_t len, as_tev_fn fn, void *ctx, unsigned flags,
                           as_trace_err_t *err)
{
	return bin_read(buf, len, fn, ctx, err, 1, flags);
}

/* ---- writer: the records of as_trace_writer_t (trace_file.c) ---- */
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

int as_trace_bin_write_header(FILE *f)
{
	uint8_t h[16] = {0};
	memcpy(h, AS_TRACE_MAGIC, AS_TRACE_MAGIC_LEN);
	h[8] = AS_TRACE_VERSION;
	return fwrite(h, 1, sizeof(h), f) == sizeof(h) ? 0 : -1;
}

/* The block so far: length, checksum, payload. */
static int flush_block(as_trace_writer_t *w)
{
	uint8_t *b = w->block;
	if (!w->block_n)
		return 0;
	put_u32(b, w->block_n);
	put_u32(b + 4, as_crc32c(as_crc32c(0, b, 4), b + 8, w->block_n));
	if (fwrite(b, 1, 8 + (size_t)w->block_n, w->f) != 8 + (size_t)w->block_n)
		return -1;
	w->block_n = 0;
	return 0;
}

/* Append one record (n bytes); records never straddle blocks. */
static int put_record(as_trace_writer_t *w, const uint8_t *rec, int n)
{
	if (w->block_n + (uint32_t)n > AS_TRACE_BLOCK && flush_block(w) != 0)
		return -1;
	memcpy(w->block + 8 + w->block_n, rec, (size_t)n);
	w->block_n += (uint32_t)n;
	return 0;
}

int as_trace_bin_write_event(as_trace_writer_t *w, const as_tev_t *ev)
{
	uint8_t tmp[48];
	/* encoded in place when the block has room for the longest record
	 * (no copy), else aside and put after the block is written */
	int direct = w->block_n + sizeof(tmp) <= AS_TRACE_BLOCK, n = 1;
	uint8_t *rec = direct ? w->block + 8 + w->block_n : tmp;
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
	if (direct) {
		w->block_n += (uint32_t)n;
		return 0;
	}
	return put_record(w, rec, n);
}

int as_trace_bin_write_end(as_trace_writer_t *w)
{
	uint8_t rec[12];
	int n;
	rec[0] = 7;
	n = 1 + put_varint(rec + 1, w->n);
	return put_record(w, rec, n) != 0 || flush_block(w) != 0 ? -1 : 0;
}
