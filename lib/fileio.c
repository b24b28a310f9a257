/*
 * fileio.c - whole-file reads and atomic whole-file replacement
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

/* fileio_read_fd - see fileio.h */
int
fileio_read_fd(struct buf *b, int fd, const char *path, struct buf *err)
{
	char chunk[65536];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_printf(err, "%s: read: %s", path, strerror(errno));
			return -1;
		}
		buf_add(b, chunk, (size_t)n);
	}
	if (b->data == NULL)
		buf_init(b);
	return 0;
}

/* fileio_read - see fileio.h */
int
fileio_read(struct buf *b, const char *path, struct buf *err)
{
	int fd, rc;

	if (strcmp(path, "-") == 0)
		return fileio_read_fd(b, STDIN_FILENO, path, err);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		buf_printf(err, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	rc = fileio_read_fd(b, fd, path, err);
	close(fd);
	return rc;
}

/* write_all - write(2) until done; 0, or -1 with errno */
static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* sync_dir - fsync the directory that holds path (dirlen bytes of it, "."
 * when 0), so that a rename in it is on disk; a directory this process may
 * not open (no read permission) cannot be synced and is left alone */
static int
sync_dir(const char *path, size_t dirlen)
{
	char *dir = dirlen ? xstrndup(path, dirlen) : xstrdup(".");
	int fd, rc = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(dir);
	return rc;
}

/* fill - mode, data and fsync on the temporary fd; NULL, or the failed step */
static const char *
fill(int fd, const void *data, size_t len, mode_t mode)
{
	if (fchmod(fd, mode) != 0)
		return "chmod";
	if (write_all(fd, data, len) != 0)
		return "write";
	if (fsync(fd) != 0)
		return "fsync";
	return NULL;
}

/* fileio_replace - see fileio.h */
int
fileio_replace(const char *path, const void *data, size_t len, mode_t mode,
    struct buf *err)
{
	const char *slash = strrchr(path, '/'), *step;
	size_t dirlen = slash ? (size_t)(slash - path) + (slash == path) : 0;
	struct buf tmp = BUF_INIT;
	int fd, e, rc = -1;

	buf_printf(&tmp, "%.*s.%s.XXXXXX", slash ? (int)(slash - path) + 1 : 0, path,
	    slash ? slash + 1 : path);
	if ((fd = mkstemp(tmp.data)) < 0) {
		step = "create";
		goto fail;
	}
	if ((step = fill(fd, data, len, mode)) != NULL) {
		e = errno;
		close(fd);
		errno = e;
		goto remove;
	}
	if (close(fd) != 0) {
		step = "close";
		goto remove;
	}
	if (rename(tmp.data, path) != 0) {
		step = "rename";
		goto remove;
	}
	if (sync_dir(path, dirlen) != 0) {
		step = "fsync of the directory";
		goto fail;
	}
	rc = 0;
	goto out;
remove:
	e = errno;
	unlink(tmp.data);
	errno = e;
fail:
	buf_printf(err, "%s: %s: %s", path, step, strerror(errno));
out:
	buf_free(&tmp);
	return rc;
}

/* fileio_gzread - see fileio.h */
int
fileio_gzread(gzFile gz, struct buf *b, size_t n, int *eof)
{
	int got;

	buf_reserve(b, n);
	got = gzread(gz, b->data + b->len, (unsigned)n);
	if (got < 0)
		return -1;
	if (got == 0)
		*eof = 1;
	b->len += (size_t)got;
	b->data[b->len] = '\0';
	return 0;
}
