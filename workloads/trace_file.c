/* trace_file.c - the front door to trace files of either format: mapping a
 * file, telling binary from CSV by the magic, reading it, formatting a
 * parse error as "line/byte N: reason", and the writer that checks events
 * are canonical and hands each to the chosen format. Not a format itself
 * (trace_bin.c, trace_csv.c) and not the id normaliser (trace_norm.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace_int.h"

void as_trace_err_format(const as_trace_err_t *e, char *out, size_t len)
{
	snprintf(out, len, "%s %llu: %s", e->is_line ? "line" : "byte", (unsigned long long)e->pos,
	         e->msg);
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

int as_trace_compressed(const char *path, const void *buf, size_t len, char *msg, size_t msglen)
{
	static const struct {
		const char *magic, *name, *undo;
		size_t n;
	} kinds[] = {
	    {"\x1f\x8b", "gzip", "gzip -dk", 2},
	    {"\xfd"
	     "7zXZ\0",
	     "xz", "xz -dk", 6},
	    {"\x28\xb5\x2f\xfd", "zstd", "zstd -d", 4},
	    {"BZh", "bzip2", "bzip2 -dk", 3},
	    {"\x04\x22\x4d\x18", "lz4", "lz4 -d", 4},
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (len >= kinds[i].n && !memcmp(buf, kinds[i].magic, kinds[i].n)) {
			snprintf(
			    msg, msglen,
			    "%s: %s-compressed (by its magic bytes); decompress it first: %s %s",
			    path, kinds[i].name, kinds[i].undo, path);
			return 1;
		}
	return 0;
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
	if (as_trace_compressed(path, buf, len, msg, msglen)) {
		as_trace_unmap_file(buf, len);
		return -1;
	}
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

/* ---- writer: canonical checks here, records in the format files ---- */
int as_trace_writer_open(as_trace_writer_t *w, FILE *f, as_trace_fmt_t fmt)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->fmt = fmt;
	if ((fmt == AS_TRACE_CSV ? as_trace_csv_write_header(f) : as_trace_bin_write_header(f)) !=
	    0) {
		w->io_error = 1;
		w->io_errno = errno;
		return -1;
	}
	return 0;
}

int as_trace_writer_put(as_trace_writer_t *w, const as_tev_t *ev, as_trace_err_t *err)
{
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
	if ((w->fmt == AS_TRACE_CSV ? as_trace_csv_write_event(w->f, ev)
	                            : as_trace_bin_write_event(w, ev)) != 0)
		goto out_io;
	if (ev->op == AS_TEV_ALLOC || ev->op == AS_TEV_CALLOC)
		w->next_obj++;
	w->last_thread = ev->thread;
	w->last_time = ev->time_ns;
	w->n++;
	return 0;
out_io:
	w->io_error = 1;
	w->io_errno = errno;
	snprintf(err->msg, sizeof(err->msg), "write failed: %s", strerror(errno));
	return -1;
}

int as_trace_writer_fn(void *ctx, const as_tev_t *ev, as_trace_err_t *err)
{
	return as_trace_writer_put(ctx, ev, err);
}

int as_trace_writer_close(as_trace_writer_t *w)
{
	if ((w->fmt == AS_TRACE_BIN && !w->io_error && as_trace_bin_write_end(w) != 0) ||
	    fflush(w->f) != 0 || ferror(w->f)) {
		if (!w->io_error)
			w->io_errno = errno;
		w->io_error = 1;
	}
	return w->io_error ? -1 : 0;
}
