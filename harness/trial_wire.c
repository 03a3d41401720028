/* trial_wire.c - see trial_wire.h. The spec record is: a head struct
 * (magic, version, its own size, every number of the trial spec), then the
 * module and the workload spec, each as name, params, label, a pair count
 * and the pairs, every string as a u32 length and its bytes. */
#define _GNU_SOURCE
#include "trial_wire.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

#define WIRE_MAGIC 0x31575341u /* "ASW1" */
#define WIRE_MAX   (64u << 20) /* a spec record larger than this is garbage */

typedef struct wire_head {
	uint32_t magic, version, size;
	uint32_t threads, trial, rep, validate, syscalls, pin, warmup, probe;
	uint64_t seed, sample_every, sample_interval_ms, latency_every;
	double timeout_s, ns_per_tick, min_time_s;
} wire_head_t;

/* ---- encoding ---- */

static void put_str(as_buf_t *b, const char *s)
{
	uint32_t n = (uint32_t)strlen(s);
	as_buf_add(b, (const char *)&n, sizeof(n));
	as_buf_add(b, s, n);
}

static void put_spec(as_buf_t *b, const as_spec_t *s)
{
	uint32_t n = (uint32_t)s->nkv;
	put_str(b, s->name);
	put_str(b, s->params);
	put_str(b, s->label);
	as_buf_add(b, (const char *)&n, sizeof(n));
	for (size_t i = 0; i < s->nkv; i++) {
		put_str(b, s->kv[i].key);
		put_str(b, s->kv[i].value);
	}
}

int as_wire_spec_memfd(const as_trial_spec_t *spec, char *err, size_t errlen)
{
	/* a probe has no workload: it travels as an empty spec */
	static char empty[1];
	static const as_spec_t no_workload = {.name = empty, .params = empty, .label = empty};
	wire_head_t h;
	as_buf_t b = {0};
	int fd;

	memset(&h, 0, sizeof(h));
	h.magic = WIRE_MAGIC;
	h.version = AS_WIRE_VERSION;
	h.size = sizeof(h);
	h.threads = spec->threads;
	h.trial = spec->trial;
	h.rep = spec->rep;
	h.validate = (uint32_t)spec->validate;
	h.syscalls = (uint32_t)spec->syscalls;
	h.pin = (uint32_t)spec->pin;
	h.warmup = (uint32_t)spec->warmup;
	h.probe = (uint32_t)spec->probe;
	h.seed = spec->seed;
	h.sample_every = spec->sample_every;
	h.sample_interval_ms = spec->sample_interval_ms;
	h.latency_every = spec->latency_every;
	h.timeout_s = spec->timeout_s;
	h.ns_per_tick = spec->ns_per_tick;
	h.min_time_s = spec->min_time_s;
	as_buf_add(&b, (const char *)&h, sizeof(h));
	put_spec(&b, spec->module);
	put_spec(&b, spec->workload ? spec->workload : &no_workload);

	fd = memfd_create("allocscope-trial", MFD_CLOEXEC);
	if (fd < 0 || as_write_all(fd, b.data, b.len) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "trial spec: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	as_buf_free(&b);
	return fd;
}

/* ---- decoding ---- */

typedef struct {
	const char *p, *end;
} cursor_t;

static int get_u32(cursor_t *c, uint32_t *v)
{
	if ((size_t)(c->end - c->p) < sizeof(*v))
		return -1;
	memcpy(v, c->p, sizeof(*v));
	c->p += sizeof(*v);
	return 0;
}

static int get_str(cursor_t *c, char **out)
{
	uint32_t n;
	if (get_u32(c, &n) != 0 || (size_t)(c->end - c->p) < n)
		return -1;
	*out = strndup(c->p, n);
	c->p += n;
	return *out ? 0 : -1;
}

static int get_spec(cursor_t *c, as_spec_t *s)
{
	uint32_t n;
	if (get_str(c, &s->name) || get_str(c, &s->params) || get_str(c, &s->label) ||
	    get_u32(c, &n) || n > (uint32_t)(c->end - c->p))
		return -1;
	s->kv = calloc(n ? n : 1, sizeof(*s->kv));
	if (!s->kv)
		return -1;
	for (; s->nkv < n; s->nkv++)
		if (get_str(c, &s->kv[s->nkv].key) || get_str(c, &s->kv[s->nkv].value)) {
			s->nkv++; /* free the half-read pair too */
			return -1;
		}
	return 0;
}

static char *read_all(int fd, size_t *len)
{
	size_t cap = 4096;
	char *buf = malloc(cap);
	*len = 0;
	while (buf) {
		ssize_t n;
		if (*len == cap) {
			char *nb = cap < WIRE_MAX ? realloc(buf, cap * 2) : NULL;
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? buf : (free(buf), NULL);
		*len += (size_t)n;
	}
	free(buf);
	return NULL;
}

int as_wire_spec_read(as_wire_trial_t *out, char *err, size_t errlen)
{
	wire_head_t h;
	size_t len;
	char *buf = read_all(AS_WIRE_FD_SPEC, &len);
	cursor_t c;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!buf) {
		snprintf(err, errlen, "trial spec: cannot read fd %d: %s", AS_WIRE_FD_SPEC,
		         strerror(errno));
		return -1;
	}
	if (len < sizeof(h)) {
		snprintf(err, errlen, "trial spec: %zu bytes, too short", len);
		goto out;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.magic != WIRE_MAGIC || h.version != AS_WIRE_VERSION || h.size != sizeof(h)) {
		snprintf(err, errlen, "trial spec: version %u, this worker speaks %d", h.version,
		         AS_WIRE_VERSION);
		goto out;
	}
	c.p = buf + sizeof(h);
	c.end = buf + len;
	if (get_spec(&c, &out->module) || get_spec(&c, &out->workload) || c.p != c.end) {
		snprintf(err, errlen, "trial spec: truncated or malformed record");
		goto out;
	}
	out->spec.module = &out->module;
	out->spec.workload = &out->workload;
	out->spec.threads = h.threads;
	out->spec.trial = h.trial;
	out->spec.rep = h.rep;
	out->spec.validate = (int)h.validate;
	out->spec.syscalls = (int)h.syscalls;
	out->spec.pin = (int)h.pin;
	out->spec.warmup = (int)h.warmup;
	out->spec.probe = (int)h.probe;
	out->spec.seed = h.seed;
	out->spec.sample_every = h.sample_every;
	out->spec.sample_interval_ms = h.sample_interval_ms;
	out->spec.latency_every = h.latency_every;
	out->spec.timeout_s = h.timeout_s;
	out->spec.ns_per_tick = h.ns_per_tick;
	out->spec.min_time_s = h.min_time_s;
	rc = 0;
out:
	if (rc)
		as_wire_trial_free(out);
	free(buf);
	return rc;
}

void as_wire_trial_free(as_wire_trial_t *t)
{
	as_spec_free(&t->module);
	as_spec_free(&t->workload);
	memset(t, 0, sizeof(*t));
}

/* ---- worker -> parent ---- */

/* Header and payload in one writev: one syscall, and one wake-up of the
 * parent, per message (a trial sends one per series row: ~250 in a suite
 * row); what a short write leaves goes out with as_write_all. */
/* The batch (as_wire_batch_begin): messages gathered, written whole. */
static struct {
	char *buf;
	size_t len, cap;
} batch;

void as_wire_batch_begin(void *buf, size_t cap)
{
	batch.buf = buf;
	batch.len = 0;
	batch.cap = cap;
}

static int batch_flush(int fd)
{
	size_t n = batch.len;
	batch.len = 0;
	return n ? as_write_all(fd, batch.buf, n) : 0;
}

int as_wire_batch_end(int fd)
{
	int rc = batch.buf ? batch_flush(fd) : 0;
	batch.buf = NULL;
	return rc;
}

int as_wire_send(int fd, as_wire_msg_t type, const void *payload, size_t len)
{
	as_wire_hdr_t h = {(unsigned)type, (unsigned)len};
	struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)(uintptr_t)payload, len}};
	ssize_t w;
	size_t done;
	if (batch.buf && sizeof(h) + len <= batch.cap) {
		if (batch.len + sizeof(h) + len > batch.cap && batch_flush(fd) != 0)
			return -1;
		memcpy(batch.buf + batch.len, &h, sizeof(h));
		if (len)
			memcpy(batch.buf + batch.len + sizeof(h), payload, len);
		batch.len += sizeof(h) + len;
		return 0;
	}
	if (batch.buf && batch_flush(fd) != 0) /* in order: what came before first */
		return -1;
	do
		w = writev(fd, iov, len ? 2 : 1);
	while (w < 0 && errno == EINTR);
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		w = 0; /* made non-blocking by a module: as_write_all waits */
	if (w < 0)
		return -1;
	done = (size_t)w;
	if (done < sizeof(h)) {
		if (as_write_all(fd, (const char *)&h + done, sizeof(h) - done) != 0)
			return -1;
		done = sizeof(h);
	}
	done -= sizeof(h);
	return as_write_all(fd, (const char *)payload + done, len - done);
}

void as_wire_send_oom(const char *msg)
{
	/* a later STATUS replaces an earlier one (decode_one): an ok trial
	 * that ran out of memory in its report fails */
	if (as_wire_batch_end(AS_WIRE_FD_RESULT) != 0 ||
	    as_wire_send_status(AS_WIRE_FD_RESULT, AS_ERR_WORKER, msg) != 0)
		fprintf(stderr, "allocscope __worker: %s\n", msg);
}

int as_wire_send_status(int fd, as_status_t st, const char *reason)
{
	as_wire_status_t m;
	memset(&m, 0, sizeof(m));
	m.status = st;
	snprintf(m.reason, sizeof(m.reason), "%s", reason ? reason : "");
	return as_wire_send(fd, AS_MSG_STATUS, &m, sizeof(m));
}

int as_wire_send_info(int fd, const char *key, const char *value)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s=%s", key, value ? value : "");
	return as_wire_send(fd, AS_MSG_INFO, buf,
	                    (size_t)(n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1));
}

/* ---- parent: decoding ---- */

static void rows_add(as_rows_t *r, const void *row, size_t ncols)
{
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 256;
		double *nv = realloc(r->v, ncap * ncols * sizeof(double));
		if (!nv)
			return; /* row lost, never the run */
		r->v = nv;
		r->cap = ncap;
	}
	memcpy(r->v + r->n * ncols, row, ncols * sizeof(double));
	r->n++;
}

static void decode_info(const char *p, size_t len, as_trial_result_t *res)
{
	char kv[512];
	size_t n = len < sizeof(kv) - 1 ? len : sizeof(kv) - 1;
	memcpy(kv, p, n);
	kv[n] = '\0';
	if (!strncmp(kv, "module_version=", 15)) {
		snprintf(res->module_version, sizeof(res->module_version), "%s", kv + 15);
	} else if (!strncmp(kv, "binding.", 8)) {
		size_t l = strlen(res->bindings);
		char *eq = strchr(kv, '=');
		if (eq && l + 1 < sizeof(res->bindings)) {
			*eq = ':';
			snprintf(res->bindings + l, sizeof(res->bindings) - l, "%s%s", l ? " " : "",
			         kv + 8);
		}
	} else if (!strncmp(kv, "syscalls_na=", 12)) {
		snprintf(res->syscalls_na, sizeof(res->syscalls_na), "%s", kv + 12);
	} else if (!strncmp(kv, "warning=", 8)) {
		snprintf(res->warning, sizeof(res->warning), "%s", kv + 8);
	} else if (!strncmp(kv, "threads=", 8)) {
		res->threads = (uint32_t)strtoul(kv + 8, NULL, 10);
	}
}

static void decode_one(as_wire_inbox_t *in, const as_wire_hdr_t *h, const char *p,
                       as_trial_result_t *res)
{
	if (h->type == AS_MSG_TRIAL && h->len == sizeof(res->v)) {
		memcpy(res->v, p, sizeof(res->v));
		in->got_trial = 1;
	} else if (h->type == AS_MSG_STATUS && h->len == sizeof(as_wire_status_t)) {
		as_wire_status_t m;
		memcpy(&m, p, sizeof(m));
		res->status = (as_status_t)m.status;
		m.reason[sizeof(m.reason) - 1] = '\0';
		snprintf(res->reason, sizeof(res->reason), "%s", m.reason);
		in->got_status = 1;
	} else if (h->type == AS_MSG_SERIES && h->len == AS_SERIES_NCOLS * sizeof(double)) {
		rows_add(&res->series, p, AS_SERIES_NCOLS);
	} else if (h->type == AS_MSG_LATENCY && h->len == AS_LATENCY_NCOLS * sizeof(double)) {
		double row[AS_LATENCY_NCOLS];
		memcpy(row, p, sizeof(row));
		rows_add(&res->latency, row, AS_LATENCY_NCOLS);
		if ((unsigned)row[AS_LC_kind] < AS_OP_KIND_COUNT)
			res->p99_ns[(unsigned)row[AS_LC_kind]] = row[AS_LC_p99_ns];
	} else if (h->type == AS_MSG_HIST && h->len == AS_HIST_NCOLS * sizeof(double)) {
		rows_add(&res->hist, p, AS_HIST_NCOLS);
	} else if (h->type == AS_MSG_SAMPLING && h->len == sizeof(in->sampling_ns)) {
		memcpy(&in->sampling_ns, p, sizeof(in->sampling_ns));
	} else if (h->type == AS_MSG_INFO) {
		if (h->len == strlen(AS_WIRE_QUICK_CHECKS) &&
		    !memcmp(p, AS_WIRE_QUICK_CHECKS, h->len))
			in->in_checks = 1;
		else
			decode_info(p, h->len, res);
	}
}

long as_wire_inbox_read(as_wire_inbox_t *in, int fd, as_trial_result_t *res)
{
	size_t off = 0;
	ssize_t n;
	if (in->len == in->cap) {
		size_t ncap = in->cap ? in->cap * 2 : 65536;
		char *nb = realloc(in->buf, ncap);
		if (!nb) {
			errno = ENOMEM;
			return -1;
		}
		in->buf = nb;
		in->cap = ncap;
	}
	n = read(fd, in->buf + in->len, in->cap - in->len);
	if (n <= 0)
		return n;
	in->len += (size_t)n;
	while (in->len - off >= sizeof(as_wire_hdr_t)) {
		as_wire_hdr_t h;
		memcpy(&h, in->buf + off, sizeof(h));
		if (in->len - off - sizeof(h) < h.len)
			break;
		decode_one(in, &h, in->buf + off + sizeof(h), res);
		off += sizeof(h) + h.len;
	}
	memmove(in->buf, in->buf + off, in->len - off);
	in->len -= off;
	return n;
}

void as_wire_inbox_free(as_wire_inbox_t *in)
{
	free(in->buf);
	memset(in, 0, sizeof(*in));
}

#define OWN_THREADS "the workload ran on its own "

void as_wire_own_threads(char *out, size_t len, uint32_t ran, uint32_t asked)
{
	snprintf(out, len, OWN_THREADS "%u thread%s, not -t %u", ran, ran == 1 ? "" : "s", asked);
}

uint32_t as_wire_own_threads_asked(const char *reason)
{
	static const char mid[] = ", not -t ";
	for (const char *p = reason; p && (p = strstr(p, mid)) != NULL; p++) {
		/* "N thread, not -t M" or "N threads, not -t M" */
		size_t at = (size_t)(p - reason), word;
		char *end;
		unsigned long v;
		word = at > 8 && !strncmp(p - 8, " threads", 8) ? 8 : 7;
		if (at <= word || strncmp(p - word, " thread", 7) || p[-(long)word - 1] < '0' ||
		    p[-(long)word - 1] > '9')
			continue;
		if (p[sizeof(mid) - 1] < '0' || p[sizeof(mid) - 1] > '9')
			continue;
		errno = 0;
		v = strtoul(p + sizeof(mid) - 1, &end, 10);
		if (!errno && v <= UINT32_MAX)
			return (uint32_t)v;
	}
	return 0;
}
