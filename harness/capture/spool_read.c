/* spool_read.c - reading a capture spool back (spool.h): decoding the
 * per-thread chunks of delta-encoded records as they are needed, merging
 * the threads' records by their global sequence number and turning them
 * into canonical trace events through the id normaliser. Built into the CLI only;
 * allocscope_capture.so writes spools (capture.c) and never links this. Prints nothing. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool_read.h"

static int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			return -1;
		uint8_t b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

/* One thread's records in file order: its chunks, a cursor in the current
 * one, the delta bases, and a queue of records decoded ahead. A record
 * whose clock was not read (tsc delta 0) gets its time spread between the
 * thread's timed records around it, so records wait in the queue until the
 * next timed one is decoded (at most --time-every of them). */
#define TAIL_BIT (1ull << 63) /* a chunk offset with it: a tail slot's */

typedef struct spool_stream {
	uint32_t tid;
	uint64_t *chunk; /* file offsets of its chunk headers (or tail slots) */
	size_t nchunk, cap, ci;
	uint8_t *buf; /* the current chunk's records */
	size_t bufcap;
	const uint8_t *p, *ce;
	uint64_t seq, tsc, addr; /* the previous record's */
	int started;             /* a record was decoded */
	int in_tail;             /* decoding its tail slot: skip repeated records */
	uint64_t last_seq;       /* the last decoded record's */
	as_spool_rec_t *q;       /* q[qhead..qn): decoded, not yet emitted */
	size_t qhead, qn, qcap;
	size_t untimed; /* the last `untimed` of them wait for a time */
} spool_stream_t;

static int is_call(const as_spool_rec_t *rc)
{
	return rc->op >= AS_SPOOL_MALLOC && rc->op <= AS_SPOOL_REND;
}

/* Read chunk s->ci into s->buf. Returns 0, or -1 (errno set). */
static int load_chunk(as_spool_t *sp, spool_stream_t *s)
{
	as_spool_chunk_t h;
	uint64_t off = s->chunk[s->ci++];
	if (off & TAIL_BIT) {
		/* a tail slot: its records decode from the bases it holds */
		as_spool_tail_t t;
		off &= ~TAIL_BIT;
		if (pread(sp->fd, &t, sizeof(t), (off_t)off) != (ssize_t)sizeof(t))
			return -1;
		h.len = t.len;
		s->seq = t.seq;
		s->tsc = t.tsc;
		s->addr = t.addr;
		s->in_tail = 1;
		off += sizeof(t) - sizeof(h); /* the records follow the slot's header */
	} else if (pread(sp->fd, &h, sizeof(h), (off_t)off) != (ssize_t)sizeof(h)) {
		return -1;
	}
	if (h.len > s->bufcap) {
		uint8_t *nb = realloc(s->buf, h.len);
		if (!nb)
			return -1;
		s->buf = nb;
		s->bufcap = h.len;
	}
	if (h.len && pread(sp->fd, s->buf, h.len, (off_t)(off + sizeof(h))) != (ssize_t)h.len)
		return -1;
	s->p = s->buf;
	s->ce = s->buf + h.len;
	return 0;
}

/* Decode s's next record onto its queue. A damaged record skips the rest
 * of its chunk (rep.torn). Returns 1, 0 at the stream's end (every waiting
 * record then keeps the last time read), or -1 (out of memory, read
 * error). */
static int decode_one(as_spool_t *sp, spool_stream_t *s)
{
	as_spool_rec_t r;
	uint64_t ds, dt, za;
	int has_align;
	for (;;) {
		while (s->p >= s->ce) {
			if (s->ci == s->nchunk) {
				s->untimed = 0;
				return 0;
			}
			if (load_chunk(sp, s) != 0)
				return -1;
		}
		memset(&r, 0, sizeof(r));
		r.op = *s->p & 7;
		has_align = *s->p & 8;
		s->p++;
		if (!get_varint(&s->p, s->ce, &ds) && !get_varint(&s->p, s->ce, &dt) &&
		    !get_varint(&s->p, s->ce, &za) &&
		    !((r.op == AS_SPOOL_MALLOC || r.op == AS_SPOOL_CALLOC ||
		       r.op == AS_SPOOL_REND) &&
		      get_varint(&s->p, s->ce, &r.size)) &&
		    !(has_align && s->p >= s->ce)) {
			if (has_align)
				r.align_log2 = *s->p++;
			if (!(s->in_tail && s->started && s->seq + ds <= s->last_seq))
				break;
			/* the slot repeats a chunk already read (killed while
			 * emptying it): follow the bases, drop the record */
			s->seq += ds;
			s->tsc += dt;
			s->addr += (za >> 1) ^ (uint64_t) - (int64_t)(za & 1);
			continue;
		}
		sp->rep.torn++;
		s->p = s->ce;
	}
	s->seq += ds;
	if (!(dt == 0 && s->started) && s->untimed) {
		/* spread the waiting records evenly since the last reading */
		uint64_t t0 = s->tsc, parts = s->untimed + 1;
		for (size_t k = 0; k < s->untimed && s->qn - k > s->qhead; k++)
			s->q[s->qn - 1 - k].tsc = t0 + dt * (s->untimed - k) / parts;
		s->untimed = 0;
	}
	s->tsc += dt;
	s->addr += (za >> 1) ^ (uint64_t) - (int64_t)(za & 1);
	r.seq = s->last_seq = s->seq;
	r.tsc = s->tsc;
	r.addr = s->addr;
	r.tid = s->tid;
	if (s->qn == s->qcap) {
		if (s->qhead) {
			memmove(s->q, s->q + s->qhead, (s->qn - s->qhead) * sizeof(*s->q));
			s->qn -= s->qhead;
			s->qhead = 0;
		} else {
			size_t cap = s->qcap ? s->qcap * 2 : 64;
			as_spool_rec_t *nq = realloc(s->q, cap * sizeof(*s->q));
			if (!nq)
				return -1;
			s->q = nq;
			s->qcap = cap;
		}
	}
	s->q[s->qn++] = r;
	if (dt == 0 && s->started)
		s->untimed++; /* the clock was not read: filled in by the next reading */
	s->started = 1;
	sp->rep.records++;
	return 1;
}

/* Drop s's first queued record. */
static void pop(spool_stream_t *s)
{
	if (++s->qhead == s->qn)
		s->qhead = s->qn = 0;
	if (s->untimed > s->qn - s->qhead)
		s->untimed = s->qn - s->qhead;
}

/* Make s's first queued record one that can be placed: records with a bad
 * op or a sequence number at or above the spool's counter are dropped
 * (rep.bad). Returns 1, 0 when s has no more records, -1 on error. */
static int head(as_spool_t *sp, spool_stream_t *s)
{
	for (;;) {
		if (s->qhead == s->qn) {
			int r = decode_one(sp, s);
			if (r <= 0)
				return r;
			if (s->qhead == s->qn)
				continue;
		}
		const as_spool_rec_t *rc = &s->q[s->qhead];
		if (is_call(rc) && (!sp->seq_taken || rc->seq < sp->seq_taken))
			return 1;
		sp->rep.bad++;
		pop(s);
	}
}

/* The head's time is final: decode ahead until a timed record follows it
 * (or the stream ends). Returns 0, or -1 on error. */
static int head_time(as_spool_t *sp, spool_stream_t *s)
{
	while (s->qn - s->untimed <= s->qhead)
		if (decode_one(sp, s) < 0)
			return -1;
	return 0;
}

/* A min-heap of streams by their head's sequence number. */
static uint64_t key(const spool_stream_t *s)
{
	return s->q[s->qhead].seq;
}

static void sift_down(spool_stream_t **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < n && key(h[l]) < key(h[m]))
			m = l;
		if (l + 1 < n && key(h[l + 1]) < key(h[m]))
			m = l + 1;
		if (m == i)
			return;
		spool_stream_t *t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* Add the chunk at off (header h) to its thread's stream: a new stream
 * when a chunk starts a new thread under a tid already seen. Returns 0, or
 * -1 when out of memory. */
static int add_chunk(as_spool_t *sp, as_u64map_t *slot, size_t *cap, uint32_t tid, uint32_t flags,
                     uint64_t off)
{
	spool_stream_t *s;
	uint64_t k;
	if (!as_u64map_get(slot, tid, &k) ||
	    ((flags & AS_SPOOL_CHUNK_FIRST) && sp->streams[k].nchunk)) {
		if (sp->nstreams == *cap) {
			size_t nc = *cap ? *cap * 2 : 16;
			spool_stream_t *ns = realloc(sp->streams, nc * sizeof(*ns));
			if (!ns)
				return -1;
			sp->streams = ns;
			*cap = nc;
		}
		k = sp->nstreams++;
		memset(&sp->streams[k], 0, sizeof(sp->streams[k]));
		sp->streams[k].tid = tid;
		if (as_u64map_put(slot, tid, k) != 0)
			return -1;
	}
	s = &sp->streams[k];
	if (s->nchunk == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		uint64_t *nch = realloc(s->chunk, nc * sizeof(*nch));
		if (!nch)
			return -1;
		s->chunk = nch;
		s->cap = nc;
	}
	s->chunk[s->nchunk++] = off;
	return 0;
}

/* Index the chunks, then the tail slots (each the last of its thread's
 * records): one stream per thread. A damaged chunk header ends the chunks,
 * a damaged slot header is skipped (rep.torn each). */
static int index_chunks(as_spool_t *sp, const as_spool_hdr_t *hdr)
{
	as_u64map_t slot = {0}; /* tid -> its current stream */
	uint64_t off = hdr->chunks_off;
	size_t cap = 0;
	int r = -1;
	while (off < sp->size) {
		as_spool_chunk_t h;
		if (sp->size - off < sizeof(h) ||
		    pread(sp->fd, &h, sizeof(h), (off_t)off) != (ssize_t)sizeof(h) ||
		    h.magic != AS_SPOOL_CHUNK_MAGIC || h.len > sp->size - off - sizeof(h)) {
			sp->rep.torn++;
			break;
		}
		if (add_chunk(sp, &slot, &cap, h.tid, h.flags, off) != 0)
			goto out;
		off += sizeof(h) + h.len;
	}
	for (uint32_t i = 0; i < hdr->ntails; i++) {
		as_spool_tail_t t;
		off = hdr->tails_off + (uint64_t)i * hdr->tail_bytes;
		if (pread(sp->fd, &t, sizeof(t), (off_t)off) != (ssize_t)sizeof(t) ||
		    t.magic == 0 || t.len == 0)
			continue; /* never used, or empty */
		if (t.magic != AS_SPOOL_TAIL_MAGIC || t.len > hdr->tail_bytes - sizeof(t)) {
			sp->rep.torn++;
			continue;
		}
		if (add_chunk(sp, &slot, &cap, t.tid, t.flags, off | TAIL_BIT) != 0)
			goto out;
	}
	r = 0;
out:
	as_u64map_free(&slot);
	return r;
}

int as_spool_open(const char *path, as_spool_t *sp, char *msg, size_t msglen)
{
	as_spool_hdr_t h;
	struct stat st;
	memset(sp, 0, sizeof(*sp));
	sp->path = path;
	sp->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (sp->fd < 0 || fstat(sp->fd, &st) != 0) {
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		goto out_close;
	}
	sp->size = (uint64_t)st.st_size;
	if (sp->size < sizeof(h) || pread(sp->fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h.magic, AS_SPOOL_MAGIC, 8) != 0) {
		snprintf(msg, msglen, "%s: not a capture spool", path);
		goto out_close;
	}
	if (h.tail_bytes <= sizeof(as_spool_tail_t) || h.tails_off < sizeof(h) ||
	    h.chunks_off < h.tails_off + (uint64_t)h.ntails * h.tail_bytes ||
	    h.chunks_off > sp->size) {
		snprintf(msg, msglen, "%s: damaged spool header", path);
		goto out_close;
	}
	sp->seq_taken = h.seq_taken;
	errno = 0;
	if (index_chunks(sp, &h) != 0) {
		snprintf(msg, msglen, "%s: %s", path, errno ? strerror(errno) : "out of memory");
		goto out_close;
	}
	return 0;
out_close:
	as_spool_close(sp);
	return -1;
}

void as_spool_close(as_spool_t *sp)
{
	if (sp->fd >= 0)
		close(sp->fd);
	for (size_t i = 0; i < sp->nstreams; i++) {
		free(sp->streams[i].chunk);
		free(sp->streams[i].buf);
		free(sp->streams[i].q);
	}
	free(sp->streams);
	sp->fd = -1;
	sp->streams = NULL;
	sp->nstreams = 0;
}

/* ---- conversion ---- */
typedef struct {
	as_spool_t *sp;
	as_trace_norm_t norm;
	as_u64map_t tids; /* kernel tid -> dense thread index */
	struct {
		int state; /* 0 none, 1 known object, 2 unknown */
		uint64_t old, obj;
	} pend[AS_TRACE_MAX_THREADS]; /* a realloc begun on each thread */
	double ns_per_tick;
	uint64_t tsc_first, last_ns;
	int have_first;
	as_tev_fn fn;
	void *ctx;
} conv_t;

static int count_fn(void *vctx, const as_tev_t *ev, as_trace_err_t *err)
{
	conv_t *cv = vctx;
	cv->sp->rep.events++;
	return cv->fn(cv->ctx, ev, err);
}

/* The realloc end record rc on thread t (its begin unbound the old block). */
static int realloc_end(conv_t *cv, const as_spool_rec_t *rc, uint64_t t, as_tev_t *ev,
                       as_trace_err_t *err)
{
	int rr = 0;
	if (cv->pend[t].state == 0) {
		cv->sp->rep.bad++;
		return 0;
	}
	if (rc->addr == 0) { /* failed: the old block stays */
		if (cv->pend[t].state == 1)
			as_trace_norm_bind(&cv->norm, cv->pend[t].old, cv->pend[t].obj);
	} else if (cv->pend[t].state == 2) {
		ev->op = AS_TEV_ALLOC;
		cv->norm.unknown_realloc++;
		rr = as_trace_norm_event(&cv->norm, ev, rc->addr, rc->addr, err);
	} else {
		/* bind the object under a temporary raw id, then realloc it
		 * onto the new address through the normaliser */
		uint64_t tmp = UINT64_MAX - t;
		as_trace_norm_bind(&cv->norm, tmp, cv->pend[t].obj);
		ev->op = AS_TEV_REALLOC;
		rr = as_trace_norm_event(&cv->norm, ev, tmp, rc->addr, err);
	}
	cv->pend[t].state = 0;
	return rr;
}

/* The dense index of kernel thread tid: 0, or -1 when the trace cannot
 * hold another thread. */
static int thread_index(conv_t *cv, uint32_t tid, uint64_t *t)
{
	if (as_u64map_get(&cv->tids, tid, t))
		return 0;
	*t = cv->tids.count;
	if (*t >= AS_TRACE_MAX_THREADS)
		return -1;
	as_u64map_put(&cv->tids, tid, *t);
	return 0;
}

/* One placed record of thread t: its time, then its events. Returns 0, or
 * the normaliser's / callback's non-zero value with err->msg set. */
static int emit_record(conv_t *cv, const as_spool_rec_t *rc, uint64_t t, as_trace_err_t *err)
{
	as_tev_t ev;
	uint64_t ns;
	if (!cv->have_first) {
		cv->tsc_first = rc->tsc;
		cv->have_first = 1;
	}
	ns = rc->tsc > cv->tsc_first
	         ? (uint64_t)((double)(rc->tsc - cv->tsc_first) * cv->ns_per_tick)
	         : 0;
	if (ns < cv->last_ns)
		ns = cv->last_ns; /* the clock is read just after the sequence number */
	cv->last_ns = ns;
	memset(&ev, 0, sizeof(ev));
	ev.thread = (uint16_t)t;
	ev.time_ns = ns;
	ev.size = rc->size;
	ev.align_log2 = rc->align_log2;
	switch (rc->op) {
	case AS_SPOOL_MALLOC:
	case AS_SPOOL_CALLOC:
		ev.op = rc->op == AS_SPOOL_MALLOC ? AS_TEV_ALLOC : AS_TEV_CALLOC;
		return as_trace_norm_event(&cv->norm, &ev, rc->addr, rc->addr, err);
	case AS_SPOOL_FREE:
		ev.op = AS_TEV_FREE;
		return as_trace_norm_event(&cv->norm, &ev, rc->addr, rc->addr, err);
	case AS_SPOOL_RBEGIN:
		/* the old address is released now: another thread may get it
		 * before our realloc returns */
		cv->pend[t].old = rc->addr;
		cv->pend[t].state =
		    as_trace_norm_unbind(&cv->norm, rc->addr, &cv->pend[t].obj) ? 1 : 2;
		return 0;
	case AS_SPOOL_REND: return realloc_end(cv, rc, t, &ev, err);
	}
	return 0;
}

int as_spool_convert(as_spool_t *sp, double ns_per_tick, as_tev_fn fn, void *ctx, char *msg,
                     size_t msglen)
{
	conv_t *cv = calloc(1, sizeof(*cv));
	spool_stream_t **heap = NULL;
	size_t nheap = 0;
	uint64_t next = 0; /* the sequence number expected next */
	as_trace_err_t err;
	int r = -1;

	if (!cv) {
		snprintf(msg, msglen, "%s: out of memory", sp->path);
		return -1;
	}
	memset(&err, 0, sizeof(err));
	cv->sp = sp;
	cv->ns_per_tick = ns_per_tick;
	cv->fn = fn;
	cv->ctx = ctx;
	as_trace_norm_init(&cv->norm, 1, count_fn, cv);
	cv->norm.live.shift = 4; /* keys are malloc pointers */
	heap = calloc(sp->nstreams + 1, sizeof(*heap));
	if (!heap)
		goto out_nomem;
	for (size_t i = 0; i < sp->nstreams; i++) {
		int h = head(sp, &sp->streams[i]);
		if (h < 0)
			goto out_io;
		if (h)
			heap[nheap++] = &sp->streams[i];
	}
	for (size_t i = nheap; i-- > 0;)
		sift_down(heap, nheap, i);
	/* the merge: always the smallest sequence number next; a number no
	 * record carries is lost, one below what was emitted is a repeat */
	while (nheap) {
		spool_stream_t *s = heap[0];
		const as_spool_rec_t *rc;
		uint64_t t;
		int rr, h;
		if (head_time(sp, s) != 0)
			goto out_io;
		rc = &s->q[s->qhead];
		if (rc->seq < next) {
			sp->rep.bad++;
		} else {
			sp->rep.lost += rc->seq - next;
			next = rc->seq + 1;
			if (thread_index(cv, rc->tid, &t) != 0) {
				snprintf(msg, msglen,
				         "%s: more than %d threads; the trace format holds %d",
				         sp->path, AS_TRACE_MAX_THREADS, AS_TRACE_MAX_THREADS);
				goto out;
			}
			if ((rr = emit_record(cv, rc, t, &err)) != 0) {
				snprintf(msg, msglen, "%s: record %llu: %s", sp->path,
				         (unsigned long long)rc->seq, err.msg);
				goto out;
			}
		}
		pop(s);
		if ((h = head(sp, s)) < 0)
			goto out_io;
		if (!h)
			heap[0] = heap[--nheap];
		sift_down(heap, nheap, 0);
	}
	/* the tail a SIGKILL left in the buffers: taken, never written */
	if (sp->seq_taken > next)
		sp->rep.lost += sp->seq_taken - next;
	sp->rep.threads = cv->tids.count;
	r = 0;
	goto out;
out_nomem:
	snprintf(msg, msglen, "%s: out of memory", sp->path);
	goto out;
out_io:
	snprintf(msg, msglen, "%s: %s", sp->path, errno ? strerror(errno) : "out of memory");
out:
	free(heap);
	sp->rep.live_realloc_as_free = cv->norm.live_realloc_as_free;
	sp->rep.unknown_realloc = cv->norm.unknown_realloc;
	sp->rep.unknown_frees = cv->norm.unknown_frees;
	as_trace_norm_free(&cv->norm);
	as_u64map_free(&cv->tids);
	free(cv);
	return r;
}
