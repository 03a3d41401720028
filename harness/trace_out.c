/* trace_out.c - see trace_out.h. */
#define _GNU_SOURCE
#include "trace_out.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

int as_trace_out_open(as_trace_out_t *o, const char *path, as_trace_fmt_t fmt)
{
	if ((size_t)snprintf(o->path, sizeof(o->path), "%s", path) >= sizeof(o->path) ||
	    (size_t)snprintf(o->tmp, sizeof(o->tmp), "%s.tmp.%d", path, (int)getpid()) >=
	        sizeof(o->tmp)) {
		fprintf(stderr, "allocscope: %.200s...: path longer than %d bytes\n", path,
		        PATH_MAX - 32);
		return -1;
	}
	o->f = fopen(o->tmp, "wb");
	if (!o->f) {
		fprintf(stderr, "allocscope: %s: %s\n", o->tmp, strerror(errno));
		return -1;
	}
	setvbuf(o->f, NULL, _IOFBF, 1 << 20);
	if (as_trace_writer_open(&o->w, o->f, fmt) != 0) {
		fprintf(stderr, "allocscope: %s: write failed: %s\n", o->tmp, strerror(errno));
		fclose(o->f);
		unlink(o->tmp);
		return -1;
	}
	return 0;
}

int as_trace_out_close(as_trace_out_t *o, int ok)
{
	int bad = as_trace_writer_close(&o->w) != 0, e = o->w.io_errno;
	if (!bad && fsync(fileno(o->f)) != 0)
		bad = 1, e = errno;
	if (fclose(o->f) != 0 && !bad)
		bad = 1, e = errno;
	if (ok && bad)
		fprintf(stderr, "allocscope: %s: write failed: %s\n", o->path, strerror(e));
	if (!ok || bad || rename(o->tmp, o->path) != 0) {
		if (ok && !bad)
			fprintf(stderr, "allocscope: %s: %s\n", o->path, strerror(errno));
		unlink(o->tmp);
		return -1;
	}
	return 0;
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
	*fmt = n > 4 && !strcmp(path + n - 4, ".csv") ? AS_TRACE_CSV : AS_TRACE_BIN;
	return 0;
}
