/* files.h - folders and writes for the results folder: a whole file is
 * replaced atomically (temp file, fsync, rename), so a reader or an
 * interrupted run sees the old contents or the new, never a short file;
 * rows are appended to a table in one write.
 * Every write is checked: a full disk is an error. Paths that do not fit
 * are errors too, never cut. Files read back from a folder someone handed
 * over are opened only when they are regular files. */
#ifndef AS_FILES_H
#define AS_FILES_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"

/* Atomically replace DIR/NAME with the buffer. Returns 0, or -1 with
 * "PATH: reason" in err. */
int as_write_file_atomic(const char *dir, const char *name, const as_buf_t *b, char *err,
                         size_t errlen);

/* as_write_file_atomic without the fsync: still all-or-nothing for a
 * reader or a killed process (the rename is atomic), not yet durable
 * across a machine crash until as_fsync_file. For files rewritten after
 * every trial, synced once at the end of the run. */
int as_write_file_atomic_nosync(const char *dir, const char *name, const as_buf_t *b, char *err,
                                size_t errlen);

/* Append len bytes to the existing DIR/NAME in one write (O_APPEND), not
 * synced. A table that only grows by rows is appended to instead of
 * replaced: a rename over the old file frees its blocks, and with the
 * `discard` mount option ext4 discards them there and then (~2.8 ms per
 * rename on the project's VM, 4-5 per trial). A write that fails (a full
 * disk) takes back the part of it that was written, so the file still ends
 * in a whole row; a process killed inside the write can leave a cut last
 * row, which --resume does not trust. Returns 0, or -1 with "PATH: reason"
 * in err. */
int as_append_file(const char *dir, const char *name, const char *data, size_t len, char *err,
                   size_t errlen);

/* fsync DIR/NAME. Returns 0, or -1 with "PATH: reason" in err. */
int as_fsync_file(const char *dir, const char *name, char *err, size_t errlen);

/* Create DIR (and parents). Returns 0 (DIR is a folder, made now or
 * before), or -1 with err ("DIR: exists and is not a folder" for a file). */
int as_mkdir_p(const char *dir, char *err, size_t errlen);

/* Open PATH for reading when it is a regular file (a symlink to one is):
 * a FIFO in a results folder blocked open(2) until another process wrote
 * to it, past SIGTERM (run's handler restarts the call), and a device
 * such as /dev/zero reads forever. Returns the descriptor (O_CLOEXEC,
 * blocking), or -1 with errno set (EISDIR for a folder, EINVAL for any
 * other kind) and "PATH: reason" in err (NULL: no text). */
int as_open_regular(const char *path, char *err, size_t errlen);

/* The same as a stdio stream ("r"), or NULL with errno and err. */
FILE *as_fopen_regular(const char *path, char *err, size_t errlen);

#endif /* AS_FILES_H */
