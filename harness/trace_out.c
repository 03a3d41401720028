/* trace_out.c - see trace_out.h. Compression goes through a stdio cookie
 * stream, so the trace writer writes to a FILE either way. */
#define _GNU_SOURCE
#include "trace_out.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "buf.h"
#include "util.h"

struct trace_zout {
	int fd;
	ZSTD_CCtx *cc;
	uint8_t *buf; /* compressed bytes on their way to fd */
	size_t cap;
};

/* Write what the compressor made of in (mode ZSTD_e_continue), or end the
 * frame (ZSTD_e_end). Returns 0, or -1 with errno set. */
static int zpush(struct trace_zout *z, ZSTD_inBuffer *in, ZSTD_EndDirective mode)
{
	for (;;) {
		ZSTD_outBuffer out = {z->buf, z->cap, 0};
		size_t left = ZSTD_compressStream2(z->cc, &out, in, mode);
		if (ZSTD_isError(left)) {
			errno = EIO;
			return -1;
		}
		if (out.pos && as_write_all(z->fd, z->buf, out.pos) != 0)
			return -1;
		if (mode == ZSTD_e_end ? left == 0 : in->pos == in->size)
			return 0;
	}
}

static ssize_t zwrite(void *cookie, const char *buf, size_t size)
{
	ZSTD_inBuffer in = {buf, size, 0};
	return zpush(cookie, &in, ZSTD_e_continue) != 0 ? -1 : (ssize_t)size;
}

static int zclose(void *cookie)
{
	(void)cookie; /* the frame is ended and the file closed by out_close */
	return 0;
}

static void zfree(struct trace_zout *z)
{
	if (!z)
		return;
	if (z->fd >= 0)
		close(z->fd);
	ZSTD_freeCCtx(z->cc);
	free(z->buf);
	free(z);
}

/* The temp file as a stream compressing into it. NULL with errno set. */
static FILE *zopen(as_trace_out_t *o)
{
	cookie_io_functions_t io = {.write = zwrite, .close = zclose};
	struct trace_zout *z = calloc(1, sizeof(*z));
	FILE *f = NULL;
	if (!z)
		return NULL;
	z->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	z->cap = ZSTD_CStreamOutSize();
	if (z->fd < 0 || !(z->cc = ZSTD_createCCtx()) || !(z->buf = malloc(z->cap)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(z->cc, ZSTD_c_checksumFlag, 1)) ||
	    !(f = fopencookie(z, "w", io))) {
		int e = errno ? errno : ENOMEM;
		if (z->fd >= 0)
			unlink(o->tmp);
		zfree(z);
		errno = e;
		return NULL;
	}
	o->z = z;
	return f;
}

int as_trace_out_check(const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		char msg[PATH_MAX + 128];
		as_path_err(msg, sizeof(msg), path,
		            "not a regular file (a %s): give the name of the trace file to write",
		            S_ISDIR(st.st_mode) ? "folder" : "device, pipe or socket");
		fprintf(stderr, "allocscope: %s\n", msg);
		return -1;
	}
	return 0;
}

/* "allocscope: PATH not written: WHAT WHY", PATH one shell word. */
static void not_written(const char *path, const char *what, const char *why)
{
	char *w = as_shell_word(path);
	fprintf(stderr, "allocscope: %s not written: %s%s\n", w, what, why);
	free(w);
}

int as_trace_out_open(as_trace_out_t *o, const char *path, as_trace_fmt_t fmt, int zstd)
{
	o->z = NULL;
	o->iobuf = NULL;
	if ((size_t)snprintf(o->path, sizeof(o->path), "%s", path) >= sizeof(o->path) ||
	    (size_t)snprintf(o->tmp, sizeof(o->tmp), "%s.tmp.%d", path, (int)getpid()) >=
	        sizeof(o->tmp)) {
		char *w = as_shell_word(path);
		fprintf(stderr, "allocscope: %.200s...: path longer than %d bytes\n", w,
		        PATH_MAX - 32);
		free(w);
		return -1;
	}
	/* the trace is written beside PATH and renamed over it: a device,
	 * pipe or folder there would be replaced (as root, /dev/null) */
	if (as_trace_out_check(path) != 0)
		return -1;
	errno = 0;
	o->f = zstd ? zopen(o) : fopen(o->tmp, "wb");
	if (!o->f) {
		char msg[PATH_MAX + 128];
		as_path_err(msg, sizeof(msg), o->path, "cannot write it: %s", strerror(errno));
		fprintf(stderr, "allocscope: %s\n", msg);
		return -1;
	}
	o->iobuf = malloc(AS_TRACE_OUT_BUF); /* without one: stdio's own, smaller */
	setvbuf(o->f, o->iobuf, _IOFBF, o->iobuf ? AS_TRACE_OUT_BUF : BUFSIZ);
	if (as_trace_writer_open(&o->w, o->f, fmt) != 0) {
		not_written(o->path, "write failed: ", strerror(errno));
		fclose(o->f);
		free(o->iobuf);
		o->iobuf = NULL;
		zfree(o->z);
		o->z = NULL;
		unlink(o->tmp);
		return -1;
	}
	return 0;
}

int as_trace_out_close(as_trace_out_t *o, int ok)
{
	int bad = as_trace_writer_close(&o->w) != 0, e = o->w.io_errno;
	if (o->z && !bad) { /* end the frame, then the same as an ordinary file */
		ZSTD_inBuffer none = {NULL, 0, 0};
		if (fflush(o->f) != 0 || zpush(o->z, &none, ZSTD_e_end) != 0)
			bad = 1, e = errno;
	}
	if (!bad && fsync(o->z ? o->z->fd : fileno(o->f)) != 0)
		bad = 1, e = errno;
	if (fclose(o->f) != 0 && !bad)
		bad = 1, e = errno;
	free(o->iobuf);
	o->iobuf = NULL;
	if (o->z && close(o->z->fd) != 0 && !bad)
		bad = 1, e = errno;
	if (o->z)
		o->z->fd = -1;
	zfree(o->z);
	o->z = NULL;
	if (ok && bad)
		not_written(o->path, "write failed: ", strerror(e));
	if (!ok || bad || rename(o->tmp, o->path) != 0) {
		if (ok && !bad)
			not_written(o->path, "", strerror(errno));
		unlink(o->tmp);
		return -1;
	}
	return 0;
}

int as_trace_out_writeback(as_trace_out_t *o)
{
	if (fflush(o->f) != 0) {
		if (!o->w.io_error) /* reported by as_trace_out_close */
			o->w.io_errno = errno, o->w.io_error = 1;
		return -1;
	}
	return sync_file_range(o->z ? o->z->fd : fileno(o->f), 0, 0, SYNC_FILE_RANGE_WRITE);
}

int as_trace_zst(const char *path)
{
	size_t n = strlen(path);
	return n > 4 && !strcmp(path + n - 4, ".zst");
}

int as_trace_fmt_for(const char *path, const char *given, as_trace_fmt_t *fmt)
{
	size_t n = strlen(path);
	if (given) {
		if (!strcmp(given, "csv"))
			*fmt = AS_TRACE_CSV;
		else if (!strcmp(given, "bin"))
			*fmt = AS_TRACE_BIN;
		else {
			fprintf(stderr, "allocscope: --format: '%s' is not bin or csv\n", given);
			return -1;
		}
		return 0;
	}
	if (as_trace_zst(path))
		n -= 4;
	*fmt = n > 4 && !strncmp(path + n - 4, ".csv", 4) ? AS_TRACE_CSV : AS_TRACE_BIN;
	return 0;
}
