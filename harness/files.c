/* files.c - see files.h. */
#define _GNU_SOURCE
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int as_mkdir_p(const char *dir, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	struct stat st;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s", dir) >= sizeof(tmp)) {
		snprintf(err, errlen, "%.200s...: folder path longer than %d bytes", dir,
		         PATH_MAX - 1);
		return -1;
	}
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(tmp, 0755) == 0)
		return 0;
	if (errno != EEXIST)
		goto fail;
	if (stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode)) {
		/* a file of that name: until session 34 taken for the folder,
		 * and `plot -o FILE` failed later, once per file it wrote */
		as_path_err(err, errlen, tmp, "exists and is not a folder");
		return -1;
	}
	return 0;
fail:
	as_path_err(err, errlen, tmp, "cannot create folder: %s", strerror(errno));
	return -1;
}

static int write_atomic(const char *dir, const char *name, const as_buf_t *b, int sync, char *err,
                        size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int fd;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= sizeof(tmp)) {
		snprintf(err, errlen, "%.200s.../%s: path longer than %d bytes", dir, name,
		         PATH_MAX - 1);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	if (as_write_all(fd, b->data ? b->data : "", b->len) != 0 || (sync && fsync(fd) != 0)) {
		int e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		goto fail;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		goto fail;
	}
	return 0;
fail:
	as_path_err(err, errlen, path, "cannot write: %s", strerror(errno));
	return -1;
}

int as_write_file_atomic(const char *dir, const char *name, const as_buf_t *b, char *err,
                         size_t errlen)
{
	return write_atomic(dir, name, b, 1, err, errlen);
}

int as_write_file_atomic_nosync(const char *dir, const char *name, const as_buf_t *b, char *err,
                                size_t errlen)
{
	return write_atomic(dir, name, b, 0, err, errlen);
}

int as_append_file(const char *dir, const char *name, const char *data, size_t len, char *err,
                   size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, sized;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		snprintf(err, errlen, "%.200s.../%s: path longer than %d bytes", dir, name,
		         PATH_MAX - 1);
		return -1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	sized = fstat(fd, &st) == 0;
	if (!sized || as_write_all(fd, data, len) != 0) {
		int e = errno;
		/* the part that fitted goes again, so the file ends in a whole
		 * row and plot and compare read what the run finished (a full
		 * disk left series.csv "line 925: 8 of 25 fields"); should that
		 * fail too, the cut row stays, which --resume does not trust */
		if (sized && ftruncate(fd, st.st_size) != 0)
			sized = 0;
		close(fd);
		errno = e;
		goto fail;
	}
	if (close(fd) == 0)
		return 0;
fail:
	as_path_err(err, errlen, path, "cannot write: %s", strerror(errno));
	return -1;
}

int as_fsync_file(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int fd, rc;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		snprintf(err, errlen, "%.200s.../%s: path longer than %d bytes", dir, name,
		         PATH_MAX - 1);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	rc = fd < 0 ? -1 : fsync(fd);
	if (fd >= 0 && close(fd) != 0)
		rc = -1;
	if (rc != 0)
		as_path_err(err, errlen, path, "cannot sync to disk: %s", strerror(errno));
	return rc;
}

/* What a file that is not a regular one is, for the message. */
static const char *kind_of(mode_t m)
{
	if (S_ISDIR(m))
		return "a folder";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	return "not a regular file";
}

int as_open_regular(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd, e, fl;
	/* O_NONBLOCK: open a FIFO without waiting for a writer, to refuse it */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		if (err)
			as_path_err(err, errlen, path, "%s, not a file", kind_of(st.st_mode));
		close(fd);
		errno = e;
		return -1;
	}
	if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0)
		goto fail;
	return fd;
fail:
	e = errno;
	if (err)
		as_path_err(err, errlen, path, "%s", strerror(e));
	if (fd >= 0)
		close(fd);
	errno = e;
	return -1;
}

FILE *as_fopen_regular(const char *path, char *err, size_t errlen)
{
	int fd = as_open_regular(path, err, errlen), e;
	FILE *f;
	if (fd < 0)
		return NULL;
	if (!(f = fdopen(fd, "r"))) {
		e = errno;
		if (err)
			as_path_err(err, errlen, path, "%s", strerror(e));
		close(fd);
		errno = e;
	}
	return f;
}
