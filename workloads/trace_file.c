/* trace_file.c - the front door to trace files of either format: mapping a
 * file (a zstd-compressed one is decompressed into mapped memory, with
 * libzstd's own memory mapped too: never malloc), telling binary from CSV
 * by the magic, reading it, formatting a
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

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_customMem: libzstd's memory from mmap */
#include <zstd.h>

#include "shell_word.h"
#include "trace_int.h"

void as_trace_err_format(const as_trace_err_t *e, char *out, size_t len)
{
	snprintf(out, len, "%s %llu: %s", e->is_line ? "line" : "byte", (unsigned long long)e->pos,
	         e->msg);
}

/* ---- files ---- */
#define ZSTD_MAGIC "\x28\xb5\x2f\xfd"

/* libzstd's allocations, from the kernel: a trace is read in a trial's
 * worker, where malloc is the allocator under test. */
static void *zmem_alloc(void *opaque, size_t n)
{
	size_t *p = mmap(NULL, n + 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	(void)opaque;
	if (p == MAP_FAILED)
		return NULL;
	p[0] = n + 16;
	return (char *)p + 16;
}

static void zmem_free(void *opaque, void *q)
{
	(void)opaque;
	if (q)
		munmap((char *)q - 16, *(size_t *)((char *)q - 16));
}

/* Decompress a whole zstd file (one frame or several) into mapped memory
 * sized to fit. Returns 0, or -1 with "PATH: reason" in err. */
static int unzstd(const char *path, const void *in, size_t in_len, const void **buf, size_t *len,
                  char *err, size_t errlen)
{
	ZSTD_customMem cm = {zmem_alloc, zmem_free, NULL};
	ZSTD_DCtx *dc = ZSTD_createDCtx_advanced(cm);
	unsigned long long hint = ZSTD_getFrameContentSize(in, in_len);
	size_t cap = 1u << 20, r = 0;
	ZSTD_inBuffer ib = {in, in_len, 0};
	ZSTD_outBuffer ob;
	char *out;

	if (hint != ZSTD_CONTENTSIZE_UNKNOWN && hint != ZSTD_CONTENTSIZE_ERROR &&
	    hint < (1ull << 40))
		cap = (size_t)hint + 1; /* + 1: the end is seen without another grow */
	out = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!dc || out == MAP_FAILED) {
		as_path_err(err, errlen, path, "out of memory for decompressing");
		goto fail;
	}
	ob = (ZSTD_outBuffer){out, cap, 0};
	for (;;) {
		if (ob.pos == ob.size) {
			void *n = mremap(out, cap, cap * 2, MREMAP_MAYMOVE);
			if (n == MAP_FAILED) {
				as_path_err(err, errlen, path, "out of memory for decompressing");
				goto fail;
			}
			out = n;
			cap *= 2;
			ob.dst = out;
			ob.size = cap;
		}
		r = ZSTD_decompressStream(dc, &ob, &ib);
		if (ZSTD_isError(r)) {
			as_path_err(err, errlen, path,
			            "zstd-compressed, damaged near compressed byte %zu: %s", ib.pos,
			            ZSTD_getErrorName(r));
			goto fail;
		}
		if (ib.pos == ib.size) {
			if (r == 0)
				break; /* every frame whole and flushed */
			if (ob.pos < ob.size) {
				as_path_err(
				    err, errlen, path,
				    "zstd-compressed, cut short (the last frame ends early)");
				goto fail;
			}
		}
	}
	ZSTD_freeDCtx(dc);
	dc = NULL;
	if (ob.pos == 0) {
		munmap(out, cap);
		*buf = "";
		*len = 0;
		return 0;
	}
	/* shrink to the pages used, so that unmapping len bytes frees it all */
	if (((ob.pos + 4095) & ~(size_t)4095) < cap) {
		void *n = mremap(out, cap, ob.pos, 0);
		if (n != MAP_FAILED)
			out = n;
	}
	*buf = out;
	*len = ob.pos;
	return 0;
fail:
	if (out != MAP_FAILED)
		munmap(out, cap);
	if (dc)
		ZSTD_freeDCtx(dc);
	return -1;
}

int as_trace_map_file(const char *path, const void **buf, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	/* O_NONBLOCK: a FIFO's open waits for a writer, and replay and trace
	 * stats of one hung there for good (until session 35); it is
	 * refused below. It changes nothing for a file's mmap. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	void *p;
	if (fd < 0) {
		as_path_err(err, errlen, path, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		as_path_err(err, errlen, path, "%s",
		            S_ISFIFO(st.st_mode) ? "a FIFO, not a file" : "not a regular file");
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
		as_path_err(err, errlen, path, "cannot map: %s", strerror(errno));
		return -1;
	}
	if (*len >= 4 && !memcmp(p, ZSTD_MAGIC, 4)) {
		size_t zlen = *len;
		int r = unzstd(path, p, zlen, buf, len, err, errlen);
		munmap(p, zlen);
		return r;
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
	    {"BZh", "bzip2", "bzip2 -dk", 3},
	    {"\x04\x22\x4d\x18", "lz4", "lz4 -d", 4},
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (len >= kinds[i].n && !memcmp(buf, kinds[i].magic, kinds[i].n)) {
			char word[512];
			as_shell_word_to(word, sizeof(word), path);
			as_path_err(
			    msg, msglen, path,
			    "%s-compressed (by its magic bytes); decompress it first: %s %s",
			    kinds[i].name, kinds[i].undo, word);
			return 1;
		}
	return 0;
}

int as_trace_read_file(const char *path, as_tev_fn fn, void *ctx, as_trace_fmt_t *fmt, char *msg,
                       size_t msglen)
{
	return as_trace_read_file_flags(path, fn, ctx, fmt, 0, msg, msglen);
}

int as_trace_read_file_flags(const char *path, as_tev_fn fn, void *ctx, as_trace_fmt_t *fmt,
                             unsigned flags, char *msg, size_t msglen)
{
	const void *buf;
	size_t len;
	as_trace_err_t err;
	char where[300];
	int r;
	size_t bom;
	as_trace_fmt_t f;

	memset(&err, 0, sizeof(err));
	if (as_trace_map_file(path, &buf, &len, msg, msglen) != 0)
		return -1;
	if (as_trace_compressed(path, buf, len, msg, msglen)) {
		as_trace_unmap_file(buf, len);
		return -1;
	}
	if (len == 0) {
		/* not a CSV trace without its header: no trace of either form */
		as_path_err(msg, msglen, path, "empty file (no trace in it)");
		return -1;
	}
	f = len >= AS_TRACE_MAGIC_LEN && !memcmp(buf, AS_TRACE_MAGIC, AS_TRACE_MAGIC_LEN)
	        ? AS_TRACE_BIN
	        : AS_TRACE_CSV;
	if (fmt)
		*fmt = f;
	/* a CSV form saved by a spreadsheet ("CSV UTF-8") starts with a byte
	 * order mark: read past it (until session 35 it was refused as
	 * "header column '\ufeffop' should be 'op'", the BOM unnamed) */
	bom = f == AS_TRACE_CSV && len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3) ? 3 : 0;
	r = f == AS_TRACE_BIN
	        ? as_trace_bin_read_once(buf, len, fn, ctx, flags, &err)
	        : as_trace_csv_read((const char *)buf + bom, len - bom, fn, ctx, &err);
	if (r != 0) {
		as_trace_err_format(&err, where, sizeof(where));
		as_path_err(msg, msglen, path, "%s", where);
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
