/*
 * fileio.h - whole files: read one into a buffer, replace one atomically
 *
 * Every whole-file read of the programs goes through fileio_read (or
 * fileio_read_fd when the caller opened the file itself, to check it
 * first); every file rewritten in place goes through fileio_replace.
 * Errors are appended to err, naming the file.
 */
#ifndef AUTHMILTER_FILEIO_H
#define AUTHMILTER_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include <zlib.h>

#include "buf.h"

/* fileio_read_fd - append what fd holds up to end of file (EINTR retried;
 * fd is left open); 0, or -1 with "PATH: read: why" in err */
int	fileio_read_fd(struct buf *b, int fd, const char *path, struct buf *err);
/* fileio_read - the whole file at path appended to b ("-" is standard
 * input); 0, or -1 with "PATH: cannot open: why" or a read error in err */
int	fileio_read(struct buf *b, const char *path, struct buf *err);
/*
 * fileio_replace - path := data (len bytes), whole or not at all: a fresh
 * temporary ".NAME.XXXXXX" beside it (mkstemp: O_CREAT|O_EXCL, so nothing
 * planted under a predictable name is followed or overwritten), mode,
 * write, fsync, rename over path (rename replaces a symlink there, it
 * never writes through it), then fsync of the directory so that the
 * rename itself survives a crash.  0, or -1 with err (the temporary is
 * removed; path keeps its old content).
 */
int	fileio_replace(const char *path, const void *data, size_t len, mode_t mode,
	    struct buf *err);

/* fileio_gzread - append up to n bytes read from gz (a plain or gzip file
 * opened with gzopen/gzdopen) to b; sets *eof at the end.  0, or -1 on a
 * read error (gzerror says which) */
int	fileio_gzread(gzFile gz, struct buf *b, size_t n, int *eof);

#endif
