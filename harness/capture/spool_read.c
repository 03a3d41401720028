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
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool_read.h"
#include "shell_word.h"

static inline int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	uint64_t v = 0;
	const uint8_t *q = *p;
	if (q < end && !(*q & 0x80)) { /* most are one byte */
		*out = *q;
		*p = q + 1;
		return 0;
	}
	if (end - q >= 10) { /* the longest fits: no bound to check per byte */
		for (unsigned shift = 0; shift < 64; shift += 7) {
			uint8_t b = *q++;
			v |= (uint64_t)(b & 0x7f) << shift;
			if (!(b & 0x80)) {
				*out = v;
				*p = q;
				return 0;
			}
		}
		*p = q;
		return -1;
	}
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
	int tindex;              /* its dense thread index + 1 (0: not known yet) */
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
	s->ce = h.len ? s->buf + h.len : s->buf; /* no buffer yet for an empty chunk */
	return 0;
}

/* Decode s's next record onto its queue. A damaged record skips the rest
 * of its chunk (rep.torn). Returns 1, 0 at the end of what is indexed (the
 * stream's end unless live: every waiting record then keeps the last time
 * read), or -1 (out of memory, read error). */
static int decode_one(as_spool_t *sp, spool_stream_t *s)
{
	as_spool_rec_t *r;
	uint64_t ds, dt, za, size;
	unsigned op;
	int has_align;
	/* room for one more, so that the record is decoded in place: a copy
	 * built on the stack and moved in as a whole cost a stalled load */
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
	for (;;) {
		while (s->p >= s->ce) {
			if (s->ci == s->nchunk) {
				if (!sp->live)
					s->untimed = 0; /* the end: no later reading comes */
				return 0;
			}
			if (load_chunk(sp, s) != 0)
				return -1;
		}
		op = *s->p & 7;
		has_align = *s->p & 8;
		s->p++;
		size = 0;
		if (!get_varint(&s->p, s->ce, &ds) && !get_varint(&s->p, s->ce, &dt) &&
		    !get_varint(&s->p, s->ce, &za) &&
		    !((op == AS_SPOOL_MALLOC || op == AS_SPOOL_CALLOC || op == AS_SPOOL_REND) &&
		      get_varint(&s->p, s->ce, &size)) &&
		    !(has_align && s->p >= s->ce)) {
			if (!(s->in_tail && s->started && s->seq + ds <= s->last_seq))
				break;
			/* the slot repeats a chunk already read (killed while
			 * emptying it): follow the bases, drop the record */
			if (has_align)
				s->p++;
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
		/* spread the waiting records evenly since the last reading: the
		 * j-th of n waiting gets t0 + dt * j / (n + 1), with one division
		 * per reading (quotient and remainder carried along) */
		uint64_t t0 = s->tsc, parts = s->untimed + 1, step = dt / parts, rem = dt % parts,
		         base = 0, acc = 0;
		for (size_t i = s->qn - s->untimed; i < s->qn; i++) {
			base += step;
			if ((acc += rem) >= parts)
				acc -= parts, base++;
			if (i >= s->qhead)
				s->q[i].tsc = t0 + base;
		}
		s->untimed = 0;
	}
	s->tsc += dt;
	s->addr += (za >> 1) ^ (uint64_t) - (int64_t)(za & 1);
	r = &s->q[s->qn++];
	r->seq = s->last_seq = s->seq;
	r->tsc = s->tsc;
	r->addr = s->addr;
	r->size = size;
	r->tid = s->tid;
	r->op = (uint8_t)op;
	r->align_log2 = has_align ? *s->p++ : 0;
	r->pad = 0;
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
 * (rep.bad). Live, the counter is the value live_bound read before the
 * chunks were indexed: a chunk appended since may hold numbers at or above
 * it, which are real records not placeable yet (the merge's bound stops
 * there), so only a bad op is dropped then; the program's end re-checks
 * with the final counter. Returns 1, 0 when s has no more records, -1 on
 * error. */
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
		if (is_call(rc) && (sp->live || !sp->seq_taken || rc->seq < sp->seq_taken))
			return 1;
		sp->rep.bad++;
		pop(s);
	}
}

/* The head's time is final: decode ahead until a timed record follows it
 * (or the stream ends). Returns 1, 0 when live and the next timed record
 * is not indexed yet, or -1 on error. */
static int head_time(as_spool_t *sp, spool_stream_t *s)
{
	while (s->qn - s->untimed <= s->qhead) {
		int r = decode_one(sp, s);
		if (r < 0)
			return -1;
		if (r == 0 && sp->live)
			return 0;
	}
	return 1;
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
static int add_chunk(as_spool_t *sp, uint32_t tid, uint32_t flags, uint64_t off)
{
	spool_stream_t *s;
	uint64_t k;
	if (!as_u64map_get(&sp->tid_stream, tid, &k) ||
	    ((flags & AS_SPOOL_CHUNK_FIRST) && sp->streams[k].nchunk)) {
		if (sp->nstreams == sp->scap) {
			size_t nc = sp->scap ? sp->scap * 2 : 16;
			spool_stream_t *ns = realloc(sp->streams, nc * sizeof(*ns));
			if (!ns)
				return -1;
			sp->streams = ns;
			sp->scap = nc;
		}
		k = sp->nstreams++;
		memset(&sp->streams[k], 0, sizeof(sp->streams[k]));
		sp->streams[k].tid = tid;
		if (as_u64map_put(&sp->tid_stream, tid, k) != 0)
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

/* Whether the chunk at OFF (header H), cut short by the file's end, is
 * whole in its thread's tail slot: the slot holds as many bytes and the
 * file's part of them is theirs. A thread that was writing the chunk out
 * when the process exited (exit_group kills it inside its writev: a short
 * write) never emptied its slot, so the records are read from there and
 * nothing is torn (test_capture_c11 read "torn 1", with none lost, in
 * about 1 run in 15). */
static int cut_chunk_in_slot(as_spool_t *sp, const as_spool_chunk_t *h, uint64_t off)
{
	const as_spool_hdr_t *hdr = &sp->hdr;
	uint64_t have = sp->size - off - sizeof(*h);
	/* the slots index_tails reads */
	uint32_t nslots =
	    sp->seq_taken && hdr->slots_used < hdr->ntails ? hdr->slots_used : hdr->ntails;
	for (uint32_t i = 0; i < nslots; i++) {
		uint64_t at = hdr->tails_off + (uint64_t)i * hdr->tail_bytes;
		as_spool_tail_t t;
		uint8_t a[4096], b[4096];
		uint64_t k = 0;
		if (pread(sp->fd, &t, sizeof(t), (off_t)at) != (ssize_t)sizeof(t) ||
		    t.magic != AS_SPOOL_TAIL_MAGIC || t.tid != h->tid || t.len != h->len)
			continue;
		while (k < have) {
			size_t n = have - k < sizeof(a) ? (size_t)(have - k) : sizeof(a);
			if (pread(sp->fd, a, n, (off_t)(off + sizeof(*h) + k)) != (ssize_t)n ||
			    pread(sp->fd, b, n, (off_t)(at + sizeof(t) + k)) != (ssize_t)n ||
			    memcmp(a, b, n) != 0)
				break;
			k += n;
		}
		if (k == have)
			return 1;
	}
	return 0;
}

/* Index the chunks appended since the last call, up to the file's size
 * now. A damaged chunk header ends the chunks (rep.torn); so does one cut
 * short, unless live (its writer is still appending it: wait) or whole in
 * its thread's tail slot (cut_chunk_in_slot). Returns 0, or -1 (errno set,
 * or 0 when out of memory). */
static int index_chunks(as_spool_t *sp)
{
	struct stat st;
	uint64_t off = sp->index_off;
	if (fstat(sp->fd, &st) != 0)
		return -1;
	sp->size = (uint64_t)st.st_size;
	while (!sp->index_done && off < sp->size) {
		as_spool_chunk_t h;
		if (sp->size - off < sizeof(h) ||
		    pread(sp->fd, &h, sizeof(h), (off_t)off) != (ssize_t)sizeof(h) ||
		    h.magic != AS_SPOOL_CHUNK_MAGIC || h.len > sp->size - off - sizeof(h)) {
			if (sp->live &&
			    (sp->size - off < sizeof(h) || h.magic == AS_SPOOL_CHUNK_MAGIC))
				break; /* still being appended */
			if (!(sp->size - off >= sizeof(h) && h.magic == AS_SPOOL_CHUNK_MAGIC &&
			      cut_chunk_in_slot(sp, &h, off)))
				sp->rep.torn++;
			sp->index_done = 1;
			break;
		}
		if (add_chunk(sp, h.tid, h.flags, off) != 0)
			return -1;
		off += sizeof(h) + h.len;
	}
	sp->index_off = off;
	return 0;
}

/* Index the tail slots, each the last of its thread's records (once, after
 * the program: a damaged slot header is skipped, rep.torn). */
static int index_tails(as_spool_t *sp)
{
	const as_spool_hdr_t *hdr = &sp->hdr;
	/* slots [0, slots_used) are all a thread took (v2, or no shared
	 * counter in the header: any slot may have been) */
	uint32_t n = sp->seq_taken && hdr->slots_used < hdr->ntails ? hdr->slots_used : hdr->ntails;
	for (uint32_t i = 0; i < n && !sp->tails_done; i++) {
		as_spool_tail_t t;
		uint64_t off = hdr->tails_off + (uint64_t)i * hdr->tail_bytes;
		if (pread(sp->fd, &t, sizeof(t), (off_t)off) != (ssize_t)sizeof(t) ||
		    t.magic == 0 || t.len == 0)
			continue; /* never used, or empty */
		if (t.magic != AS_SPOOL_TAIL_MAGIC || t.len > hdr->tail_bytes - sizeof(t)) {
			sp->rep.torn++;
			continue;
		}
		if (add_chunk(sp, t.tid, t.flags, off | TAIL_BIT) != 0)
			return -1;
	}
	sp->tails_done = 1;
	return 0;
}

/* Open and check the header (v3, or v2 unless live). Returns 0, or -1
 * with msg set. */
static int open_hdr(const char *path, as_spool_t *sp, int live, char *msg, size_t msglen)
{
	as_spool_hdr_t h;
	struct stat st;
	memset(sp, 0, sizeof(*sp));
	sp->path = path;
	sp->live = live;
	sp->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (sp->fd < 0 || fstat(sp->fd, &st) != 0) {
		as_path_err(msg, msglen, path, "%s", strerror(errno));
		return -1;
	}
	sp->size = (uint64_t)st.st_size;
	if (sp->size < sizeof(h) || pread(sp->fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    (memcmp(h.magic, AS_SPOOL_MAGIC, 8) != 0 &&
	     (live || memcmp(h.magic, AS_SPOOL_MAGIC_V2, 8) != 0))) {
		as_path_err(msg, msglen, path, "not a capture spool%s",
		            live ? " of this version (yet)" : "");
		return -1;
	}
	if (h.tail_bytes <= sizeof(as_spool_tail_t) || h.tails_off < sizeof(h) ||
	    h.chunks_off < h.tails_off + (uint64_t)h.ntails * h.tail_bytes ||
	    h.chunks_off > sp->size) {
		as_path_err(msg, msglen, path, "damaged spool header");
		return -1;
	}
	if (memcmp(h.magic, AS_SPOOL_MAGIC_V2, 8) == 0)
		h.slots_used = h.ntails; /* v2: every slot may hold records */
	sp->hdr = h;
	sp->seq_taken = h.seq_taken;
	sp->index_off = h.chunks_off;
	if (live) {
		sp->map_len = (size_t)h.chunks_off;
		sp->map = mmap(NULL, sp->map_len, PROT_READ, MAP_SHARED, sp->fd, 0);
		if (sp->map == MAP_FAILED) {
			sp->map = NULL;
			as_path_err(msg, msglen, path, "%s", strerror(errno));
			return -1;
		}
	}
	errno = 0;
	if (index_chunks(sp) != 0) {
		as_path_err(msg, msglen, path, "%s", errno ? strerror(errno) : "out of memory");
		return -1;
	}
	return 0;
}

int as_spool_open(const char *path, as_spool_t *sp, char *msg, size_t msglen)
{
	if (open_hdr(path, sp, 0, msg, msglen) != 0) {
		as_spool_close(sp);
		return -1;
	}
	return 0;
}

int as_spool_open_live(const char *path, as_spool_t *sp, char *msg, size_t msglen)
{
	if (open_hdr(path, sp, 1, msg, msglen) != 0) {
		as_spool_close(sp);
		return -1;
	}
	return 0;
}

static void conv_free(as_spool_t *sp);

void as_spool_close(as_spool_t *sp)
{
	conv_free(sp);
	if (sp->map)
		munmap((void *)sp->map, sp->map_len);
	sp->map = NULL;
	as_u64map_free(&sp->tid_stream);
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
typedef struct spool_conv {
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
	spool_stream_t **heap; /* the merge's streams, by their head */
	uint64_t next;         /* the sequence number expected next */
	int failed;            /* a step failed: nothing more is emitted */
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
 * the normaliser's / callback's non-zero value with err->msg set. An
 * allocation at an address not live and a free of a live one (all but
 * repairs) are done here, the rest by the normaliser; the event is built
 * field by field and passed on, never copied whole (a copy read back right
 * after the stores that built it stalled). */
static int emit_record(conv_t *cv, const as_spool_rec_t *rc, uint64_t t, as_trace_err_t *err)
{
	as_tev_t ev;
	uint64_t ns, obj;
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
	ev.op = AS_TEV_ALLOC;
	ev.align_log2 = rc->align_log2;
	ev.thread = (uint16_t)t;
	ev.pad = 0;
	ev.obj = 0;
	ev.size = rc->size;
	ev.time_ns = ns;
	switch (rc->op) {
	case AS_SPOOL_MALLOC:
	case AS_SPOOL_CALLOC:
		if (rc->op == AS_SPOOL_CALLOC)
			ev.op = AS_TEV_CALLOC;
		if (as_u64map_get(&cv->norm.live, rc->addr, &obj))
			break; /* an allocation at a live address: repaired below */
		ev.obj = cv->norm.next_obj++;
		if (as_u64map_put(&cv->norm.live, rc->addr, ev.obj) != 0) {
			snprintf(err->msg, sizeof(err->msg), "out of memory");
			return -1;
		}
		return count_fn(cv, &ev, err);
	case AS_SPOOL_FREE:
		ev.op = AS_TEV_FREE;
		if (!as_u64map_del(&cv->norm.live, rc->addr, &obj))
			break; /* unknown: FREE_UNKNOWN below */
		ev.obj = obj;
		ev.size = 0;
		return count_fn(cv, &ev, err);
	case AS_SPOOL_RBEGIN:
		/* the old address is released now: another thread may get it
		 * before our realloc returns */
		cv->pend[t].old = rc->addr;
		cv->pend[t].state =
		    as_trace_norm_unbind(&cv->norm, rc->addr, &cv->pend[t].obj) ? 1 : 2;
		return 0;
	case AS_SPOOL_REND: return realloc_end(cv, rc, t, &ev, err);
	default: return 0;
	}
	return as_trace_norm_event(&cv->norm, &ev, rc->addr, rc->addr, err);
}

static void conv_free(as_spool_t *sp)
{
	conv_t *cv = sp->cv;
	if (!cv)
		return;
	sp->rep.live_realloc_as_free = cv->norm.live_realloc_as_free;
	sp->rep.unknown_realloc = cv->norm.unknown_realloc;
	sp->rep.unknown_frees = cv->norm.unknown_frees;
	sp->rep.threads = cv->tids.count;
	as_trace_norm_free(&cv->norm);
	as_u64map_free(&cv->tids);
	free(cv->heap);
	free(cv);
	sp->cv = NULL;
}

int as_spool_convert_begin(as_spool_t *sp, as_tev_fn fn, void *ctx, char *msg, size_t msglen)
{
	conv_t *cv = calloc(1, sizeof(*cv));
	if (!cv) {
		as_path_err(msg, msglen, sp->path, "out of memory");
		return -1;
	}
	cv->sp = sp;
	cv->fn = fn;
	cv->ctx = ctx;
	as_trace_norm_init(&cv->norm, 1, count_fn, cv);
	cv->norm.live.shift = 4; /* keys are malloc pointers */
	sp->cv = cv;
	return 0;
}

/* The merge: always the smallest sequence number next, up to (not
 * including) bound; a number no record carries is lost, one below what was
 * emitted is a repeat. Live, it also stops where a stream's next record or
 * its time is not indexed yet. Returns 0, or -1 with msg set. */
static int merge(as_spool_t *sp, uint64_t bound, char *msg, size_t msglen)
{
	conv_t *cv = sp->cv;
	size_t nheap = 0;
	as_trace_err_t err;
	if (sp->nstreams) {
		spool_stream_t **h = realloc(cv->heap, sp->nstreams * sizeof(*h));
		if (!h)
			goto out_io;
		cv->heap = h;
	}
	for (size_t i = 0; i < sp->nstreams; i++) {
		int h = head(sp, &sp->streams[i]);
		if (h < 0)
			goto out_io;
		if (h)
			cv->heap[nheap++] = &sp->streams[i];
	}
	for (size_t i = nheap; i-- > 0;)
		sift_down(cv->heap, nheap, i);
	memset(&err, 0, sizeof(err));
	while (nheap && key(cv->heap[0]) < bound) {
		spool_stream_t *s = cv->heap[0];
		const as_spool_rec_t *rc;
		uint64_t t;
		int h = head_time(sp, s);
		if (h < 0)
			goto out_io;
		if (h == 0)
			break; /* live: its time is not known yet */
		rc = &s->q[s->qhead];
		if (rc->seq < cv->next) {
			sp->rep.bad++;
		} else {
			sp->rep.lost += rc->seq - cv->next;
			cv->next = rc->seq + 1;
			if (s->tindex)
				t = (uint64_t)s->tindex - 1;
			else if (thread_index(cv, rc->tid, &t) != 0) {
				as_path_err(msg, msglen, sp->path,
				            "more than %d threads; the trace format holds %d",
				            AS_TRACE_MAX_THREADS, AS_TRACE_MAX_THREADS);
				return -1;
			}
			s->tindex = (int)t + 1;
			if (emit_record(cv, rc, t, &err) != 0) {
				as_path_err(msg, msglen, sp->path, "record %llu: %s",
				            (unsigned long long)rc->seq, err.msg);
				return -1;
			}
		}
		pop(s);
		if ((h = head(sp, s)) < 0)
			goto out_io;
		if (!h)
			cv->heap[0] = cv->heap[--nheap];
		if (nheap > 1) /* one thread (most programs): nothing to sift */
			sift_down(cv->heap, nheap, 0);
	}
	return 0;
out_io:
	as_path_err(msg, msglen, sp->path, "%s", errno ? strerror(errno) : "out of memory");
	return -1;
}

/* Live: the sequence numbers below the returned one are all in chunks
 * appended by now (spool.h): the counter, then each taken slot's first
 * record not appended yet (its bases + 1, or its floor while its thread
 * has appended nothing). Loads in that order, each once. */
static uint64_t live_bound(as_spool_t *sp)
{
	const as_spool_hdr_t *h = sp->map;
	uint64_t b = __atomic_load_n(&h->seq_taken, __ATOMIC_ACQUIRE);
	uint32_t n = __atomic_load_n(&h->slots_used, __ATOMIC_ACQUIRE);
	sp->seq_taken = b;
	if (n > sp->hdr.ntails)
		n = sp->hdr.ntails;
	for (uint32_t i = 0; i < n; i++) {
		const as_spool_tail_t *t =
		    (const void *)((const char *)sp->map + sp->hdr.tails_off +
		                   (uint64_t)i * sp->hdr.tail_bytes);
		uint64_t c;
		if (__atomic_load_n(&t->magic, __ATOMIC_ACQUIRE) != AS_SPOOL_TAIL_MAGIC)
			continue; /* its thread numbers nothing before setting it */
		if (__atomic_load_n(&t->flags, __ATOMIC_ACQUIRE) & AS_SPOOL_CHUNK_FIRST)
			c = __atomic_load_n(&t->floor, __ATOMIC_ACQUIRE);
		else
			c = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE) + 1;
		if (c < b)
			b = c;
	}
	return b;
}

int as_spool_convert_more(as_spool_t *sp, double ns_per_tick, char *msg, size_t msglen)
{
	uint64_t bound;
	if (!sp->cv || sp->cv->failed || !sp->live || !sp->map)
		return 0;
	sp->cv->ns_per_tick = ns_per_tick;
	bound = live_bound(sp); /* before indexing: what it covers is appended */
	errno = 0;
	if (index_chunks(sp) != 0) {
		as_path_err(msg, msglen, sp->path, "%s", errno ? strerror(errno) : "out of memory");
		sp->cv->failed = 1;
		return -1;
	}
	if (merge(sp, bound, msg, msglen) != 0) {
		sp->cv->failed = 1;
		return -1;
	}
	return 0;
}

int as_spool_convert_end(as_spool_t *sp, double ns_per_tick, char *msg, size_t msglen)
{
	as_spool_hdr_t h;
	int r = -1;
	if (!sp->cv)
		return -1;
	if (sp->cv->failed) {
		as_path_err(msg, msglen, sp->path, "conversion failed earlier");
		goto out;
	}
	sp->cv->ns_per_tick = ns_per_tick;
	if (sp->live) {
		/* the program has ended: its counter is final, a chunk cut
		 * short is torn, and the tail slots hold the rest */
		sp->live = 0;
		if (pread(sp->fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h)) {
			sp->seq_taken = h.seq_taken;
			sp->hdr.slots_used = h.slots_used;
		}
	}
	errno = 0;
	if (index_chunks(sp) != 0 || index_tails(sp) != 0) {
		as_path_err(msg, msglen, sp->path, "%s", errno ? strerror(errno) : "out of memory");
		goto out;
	}
	if (merge(sp, UINT64_MAX, msg, msglen) != 0)
		goto out;
	/* the tail a SIGKILL left in the buffers: taken, never written */
	if (sp->seq_taken > sp->cv->next)
		sp->rep.lost += sp->seq_taken - sp->cv->next;
	r = 0;
out:
	conv_free(sp);
	return r;
}

int as_spool_convert(as_spool_t *sp, double ns_per_tick, as_tev_fn fn, void *ctx, char *msg,
                     size_t msglen)
{
	if (as_spool_convert_begin(sp, fn, ctx, msg, msglen) != 0)
		return -1;
	return as_spool_convert_end(sp, ns_per_tick, msg, msglen);
}
