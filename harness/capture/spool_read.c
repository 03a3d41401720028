/* spool_read.c - reading a capture spool back (spool.h): decoding the
 * per-thread chunks of delta-encoded records, placing the records by their
 * global sequence number and turning them into canonical trace events
 * through the id normaliser. Built into the CLI only; allocscope_capture.so
 * writes spools (capture.c) and never links this. Prints nothing. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Decode every chunk into fixed records (malloc'd *out, *n). A damaged
 * chunk ends decoding (counted in *bad); what came before is kept. */
static int decode_spool(const uint8_t *p, const uint8_t *end, as_spool_rec_t **out, uint64_t *n,
                        uint64_t *bad)
{
	struct tstate {
		uint64_t seq, tsc, addr;
		uint64_t last;    /* index + 1 of the thread's previous record */
		uint64_t untimed; /* records since the last timed one */
	} *st = NULL;
	as_u64map_t slot = {0}; /* tid -> index in st */
	uint64_t nst = 0, cap = 0;
	*out = NULL;
	*n = 0;
	while (p < end) {
		as_spool_chunk_t h;
		const uint8_t *ce;
		uint64_t k;
		struct tstate *s;
		if ((size_t)(end - p) < sizeof(h)) {
			(*bad)++;
			break;
		}
		memcpy(&h, p, sizeof(h));
		p += sizeof(h);
		if (h.magic != AS_SPOOL_CHUNK_MAGIC || h.len > (size_t)(end - p)) {
			(*bad)++;
			break;
		}
		ce = p + h.len;
		if (!as_u64map_get(&slot, h.tid, &k)) {
			k = nst++;
			struct tstate *grown = realloc(st, nst * sizeof(*st));
			if (!grown)
				goto out_nomem;
			st = grown;
			if (as_u64map_put(&slot, h.tid, k) != 0)
				goto out_nomem;
			memset(&st[k], 0, sizeof(*st));
		}
		s = &st[k];
		if (h.flags & AS_SPOOL_CHUNK_FIRST) /* a new thread under a reused tid */
			memset(s, 0, sizeof(*s));
		while (p < ce) {
			as_spool_rec_t r;
			uint64_t ds, dt, za;
			memset(&r, 0, sizeof(r));
			r.op = *p & 7;
			int has_align = *p & 8;
			p++;
			if (get_varint(&p, ce, &ds) || get_varint(&p, ce, &dt) ||
			    get_varint(&p, ce, &za) ||
			    ((r.op == AS_SPOOL_MALLOC || r.op == AS_SPOOL_CALLOC ||
			      r.op == AS_SPOOL_REND) &&
			     get_varint(&p, ce, &r.size)) ||
			    (has_align && p >= ce)) {
				(*bad)++;
				p = ce;
				break;
			}
			if (has_align)
				r.align_log2 = *p++;
			s->seq += ds;
			if (dt == 0 && s->last) {
				s->untimed++; /* the clock was not read: filled in below */
			} else if (s->untimed) {
				/* spread the untimed records evenly since the last reading */
				uint64_t t0 = s->tsc, parts = s->untimed + 1, idx = s->last;
				for (uint64_t j = s->untimed; j >= 1 && idx; j--) {
					as_spool_rec_t *u = &(*out)[idx - 1];
					u->tsc = t0 + dt * j / parts;
					idx = u->prev;
				}
				s->untimed = 0;
			}
			s->tsc += dt;
			s->addr += (za >> 1) ^ (uint64_t) - (int64_t)(za & 1);
			r.seq = s->seq;
			r.tsc = s->tsc;
			r.addr = s->addr;
			r.tid = h.tid;
			r.prev = s->last;
			if (*n == cap) {
				cap = cap ? cap * 2 : 65536;
				as_spool_rec_t *nr = realloc(*out, cap * sizeof(**out));
				if (!nr)
					goto out_nomem;
				*out = nr;
			}
			(*out)[(*n)++] = r;
			s->last = *n;
		}
	}
	free(st);
	as_u64map_free(&slot);
	return 0;
out_nomem:
	free(st);
	as_u64map_free(&slot);
	return -1;
}

static int is_call(const as_spool_rec_t *rc)
{
	return rc->op >= AS_SPOOL_MALLOC && rc->op <= AS_SPOOL_REND;
}

/* Index the records by sequence number (sp->at), unless they are already
 * in order (one thread, nothing lost). A record with a bad op, an
 * implausible or a repeated sequence number is counted in rep.bad. */
static int place_records(as_spool_t *sp)
{
	const as_spool_rec_t *recs = sp->recs;
	uint64_t n = sp->n;
	sp->in_order = 1;
	for (uint64_t i = 0; i < n && sp->in_order; i++)
		sp->in_order = recs[i].seq == i && is_call(&recs[i]);
	if (sp->in_order) {
		sp->maxseq = n ? n - 1 : 0;
		return 0;
	}
	for (uint64_t i = 0; i < n; i++)
		if (is_call(&recs[i]) && recs[i].seq > sp->maxseq && recs[i].seq < n * 4 + 1024)
			sp->maxseq = recs[i].seq;
	sp->at = n ? calloc(sp->maxseq + 1, sizeof(uint64_t)) : NULL;
	if (n && !sp->at)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		const as_spool_rec_t *rc = &recs[i];
		if (!is_call(rc) || rc->seq > sp->maxseq || sp->at[rc->seq]) {
			sp->rep.bad++;
			continue;
		}
		sp->at[rc->seq] = i + 1;
	}
	return 0;
}

int as_spool_open(const char *path, as_spool_t *sp, char *msg, size_t msglen)
{
	const as_spool_hdr_t *h;
	memset(sp, 0, sizeof(*sp));
	sp->path = path;
	if (as_trace_map_file(path, &sp->map, &sp->map_len, msg, msglen) != 0)
		return -1;
	h = sp->map;
	if (sp->map_len < sizeof(*h) || memcmp(h->magic, AS_SPOOL_MAGIC, 8) != 0) {
		snprintf(msg, msglen, "%s: not a capture spool", path);
		goto out_close;
	}
	if (decode_spool((const uint8_t *)(h + 1), (const uint8_t *)sp->map + sp->map_len,
	                 &sp->recs, &sp->n, &sp->rep.torn) != 0 ||
	    place_records(sp) != 0) {
		snprintf(msg, msglen, "%s: out of memory", path);
		goto out_close;
	}
	sp->rep.records = sp->n;
	return 0;
out_close:
	as_spool_close(sp);
	return -1;
}

void as_spool_close(as_spool_t *sp)
{
	if (sp->map)
		as_trace_unmap_file(sp->map, sp->map_len);
	free(sp->at);
	free(sp->recs);
	sp->map = NULL;
	sp->at = NULL;
	sp->recs = NULL;
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
	for (uint64_t s = 0; sp->n && s <= sp->maxseq; s++) {
		const as_spool_rec_t *rc;
		uint64_t t;
		int rr;
		if (sp->in_order) {
			rc = &sp->recs[s];
		} else if (!sp->at[s]) {
			sp->rep.lost++;
			continue;
		} else {
			rc = &sp->recs[sp->at[s] - 1];
		}
		if (thread_index(cv, rc->tid, &t) != 0) {
			snprintf(msg, msglen, "%s: more than %d threads; the trace format holds %d",
			         sp->path, AS_TRACE_MAX_THREADS, AS_TRACE_MAX_THREADS);
			goto out;
		}
		if ((rr = emit_record(cv, rc, t, &err)) != 0) {
			snprintf(msg, msglen, "%s: record %llu: %s", sp->path,
			         (unsigned long long)s, err.msg);
			goto out;
		}
	}
	/* the tail a SIGKILL left in the buffers: taken, never written */
	{
		uint64_t taken = ((const as_spool_hdr_t *)sp->map)->seq_taken,
		         seen = sp->n ? sp->maxseq + 1 : 0;
		if (taken > seen)
			sp->rep.lost += taken - seen;
	}
	sp->rep.threads = cv->tids.count;
	r = 0;
out:
	sp->rep.live_realloc_as_free = cv->norm.live_realloc_as_free;
	sp->rep.unknown_realloc = cv->norm.unknown_realloc;
	sp->rep.unknown_frees = cv->norm.unknown_frees;
	as_trace_norm_free(&cv->norm);
	as_u64map_free(&cv->tids);
	free(cv);
	return r;
}
