/*
 * history_io.c - the crash-safe history appender and the file reader
 *
 * Appender: each record goes out with a single write(2) on an O_APPEND
 * descriptor, so records of concurrent threads (and processes) never
 * interleave and a crash leaves at most one torn record at the end of the
 * file.  A short write (disk full in the middle of a record) sets a flag so
 * the next record starts with a LF: its "job" line then starts a line and
 * the parser can tell the torn record (no "action" line) from the next one.
 * The descriptor is reopened on history_reopen (SIGUSR1, logrotate) and when
 * the path no longer names the open file (checked at most once a second),
 * so "mv" rotation works without a signal too.  Failures never block mail:
 * they are counted and logged at most once a minute.  The path is opened
 * without following a symbolic link and must name a regular file (see
 * open_fd).  An appender is shared by reference: each engine whose
 * HistoryFile names it holds one, and the last history_close closes it.
 *
 * Reader: zlib's gzread reads gzip and plain files alike; records are cut
 * out of a growing buffer by history_parse.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "fileio.h"
#include "history.h"
#include "log.h"

#define HISTORY_LOG_INTERVAL	60	/* seconds between two error log lines */
#define HISTORY_MAX_RECORD	(4 * 1024 * 1024)	/* reader: bigger is garbage */

struct history {
	pthread_mutex_t lock;		/* guards everything below */
	int		refs;		/* holders: engines sharing this file */
	char	       *path;
	int		fd;		/* -1 after a failed reopen */
	dev_t		dev;
	ino_t		ino;
	time_t		checked;	/* last rename check */
	time_t		logged;		/* last error log line */
	int		torn;		/* last write was short */
	unsigned long	errors, written, unlogged;
};

/*
 * open_fd - open path for appending; -1 with errno (ELOOP for a symbolic
 * link, EINVAL for anything but a regular file).  The daemon opens the file
 * as root before it drops privileges, in a directory the unprivileged user
 * may write to: the last component is never followed (O_NOFOLLOW), and a
 * FIFO or device is refused (O_NONBLOCK: opening a FIFO does not hang).  A
 * file logrotate created ("create 0640 user group") is opened as it is.
 */
static int
open_fd(const char *path, dev_t *dev, ino_t *ino)
{
	struct stat st;
	int fd, err;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW, 0640);
	if (fd < 0)
		return -1;
	err = fstat(fd, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? EINVAL : 0;
	if (err != 0) {
		close(fd);
		errno = err;
		return -1;
	}
	*dev = st.st_dev;
	*ino = st.st_ino;
	return fd;
}

/* open_why - what a failed open_fd means, for the log */
static const char *
open_why(int err)
{
	if (err == ELOOP)
		return "is a symbolic link: refused (it could point anywhere)";
	if (err == EINVAL || err == ENXIO)
		return "not a regular file: refused";
	return strerror(err);
}

/* history_open - see history.h */
struct history *
history_open(const char *path, struct buf *err)
{
	struct history *h = xcalloc(1, sizeof(*h));

	h->fd = open_fd(path, &h->dev, &h->ino);
	if (h->fd < 0) {
		buf_printf(err, "%s: %s", path, open_why(errno));
		free(h);
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	h->refs = 1;
	h->path = xstrdup(path);
	h->checked = time(NULL);
	return h;
}

/* history_ref - see history.h */
struct history *
history_ref(struct history *h)
{
	pthread_mutex_lock(&h->lock);
	h->refs++;
	pthread_mutex_unlock(&h->lock);
	return h;
}

/* reopen_locked - replace the descriptor; keep the old one on failure,
 * logged always when asked (SIGUSR1), else at most once per interval */
static int
reopen_locked(struct history *h, int always)
{
	time_t now = time(NULL);
	dev_t dev;
	ino_t ino;
	int fd;

	if ((fd = open_fd(h->path, &dev, &ino)) < 0) {
		if (always || h->logged == 0 || now - h->logged >= HISTORY_LOG_INTERVAL) {
			h->logged = now;
			log_warnx("history: %s: reopen: %s", h->path, open_why(errno));
		}
		return -1;
	}
	if (h->fd >= 0)
		close(h->fd);
	h->fd = fd;
	h->dev = dev;
	h->ino = ino;
	h->torn = 0;
	return 0;
}

/* history_reopen - see history.h */
int
history_reopen(struct history *h)
{
	int rc;

	pthread_mutex_lock(&h->lock);
	rc = reopen_locked(h, 1);
	h->checked = time(NULL);
	pthread_mutex_unlock(&h->lock);
	return rc;
}

/* check_renamed_locked - reopen when path names another file, once a second */
static void
check_renamed_locked(struct history *h)
{
	struct stat st;
	time_t now = time(NULL);

	if (now == h->checked && h->fd >= 0)
		return;
	h->checked = now;
	if (stat(h->path, &st) != 0 || st.st_dev != h->dev || st.st_ino != h->ino || h->fd < 0)
		(void)reopen_locked(h, 0);
}

/* fail_locked - count a lost record; log at most once per interval */
static void
fail_locked(struct history *h, const char *job, int err)
{
	time_t now = time(NULL);

	h->errors++;
	h->unlogged++;
	if (h->logged != 0 && now - h->logged < HISTORY_LOG_INTERVAL)
		return;
	h->logged = now;
	log_warnx("%s: history: %s: write failed: %s (records lost: %lu since last report, "
	    "%lu in total)", job ? job : "NOJOBID", h->path, strerror(err), h->unlogged,
	    h->errors);
	h->unlogged = 0;
}

/* history_append - see history.h */
int
history_append(struct history *h, const struct history_rec *r)
{
	struct buf b = BUF_INIT;
	ssize_t n;
	int rc = 0, err;
	const char *p;
	size_t len;

	buf_init(&b);
	buf_addc(&b, '\n');
	history_format(r, &b);
	pthread_mutex_lock(&h->lock);
	check_renamed_locked(h);
	/* the leading LF only after a torn write (see the top of this file) */
	p = h->torn ? b.data : b.data + 1;
	len = h->torn ? b.len : b.len - 1;
	n = h->fd >= 0 ? write(h->fd, p, len) : -1;
	err = h->fd >= 0 ? errno : EBADF;
	if (n == (ssize_t)len) {
		h->written++;
		h->torn = 0;
	} else {
		if (n > 0) {
			h->torn = 1;
			err = ENOSPC;
		}
		fail_locked(h, r->job, err);
		rc = -1;
	}
	pthread_mutex_unlock(&h->lock);
	buf_free(&b);
	return rc;
}

/* history_counts - see history.h */
struct history_counts
history_counts(const struct history *h)
{
	struct history_counts n;

	pthread_mutex_lock((pthread_mutex_t *)&h->lock);
	n.written = h->written;
	n.errors = h->errors;
	pthread_mutex_unlock((pthread_mutex_t *)&h->lock);
	return n;
}

/* history_close - see history.h */
void
history_close(struct history *h)
{
	int last;

	if (h == NULL)
		return;
	pthread_mutex_lock(&h->lock);
	last = --h->refs == 0;
	pthread_mutex_unlock(&h->lock);
	if (!last)
		return;
	if (h->fd >= 0)
		close(h->fd);
	pthread_mutex_destroy(&h->lock);
	free(h->path);
	free(h);
}

/* the reader */

struct history_reader {
	gzFile		gz;
	char	       *path;
	struct buf	buf;		/* unparsed bytes start at off */
	size_t		off;
	int		eof;
	unsigned long	skipped;
};

/* history_reader_open - see history.h */
struct history_reader *
history_reader_open(const char *path, struct buf *err)
{
	struct history_reader *rd;
	gzFile gz;
	int fd;

	if (strcmp(path, "-") == 0) {
		fd = dup(STDIN_FILENO);
		gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
		if (gz == NULL && fd >= 0)
			close(fd);
	} else
		gz = gzopen(path, "rb");
	if (gz == NULL) {
		buf_printf(err, "%s: %s", path, errno ? strerror(errno) : "cannot open");
		return NULL;
	}
	rd = xcalloc(1, sizeof(*rd));
	rd->gz = gz;
	rd->path = xstrdup(path);
	buf_init(&rd->buf);
	return rd;
}

/* fill - read more bytes; 0, or -1 on a read error (eof set at the end) */
static int
fill(struct history_reader *rd)
{
	buf_drop(&rd->buf, rd->off);	/* compact: drop what was parsed */
	rd->off = 0;
	return fileio_gzread(rd->gz, &rd->buf, 65536, &rd->eof);
}

/* history_reader_next - see history.h */
int
history_reader_next(struct history_reader *rd, struct history_rec **out)
{
	size_t used;
	char why[128];
	int rc;

	*out = NULL;
	for (;;) {
		rc = history_parse(rd->buf.data + rd->off, rd->buf.len - rd->off, rd->eof,
		    &used, out, why, sizeof(why));
		rd->off += used;
		if (rc == 1)
			return 1;
		if (rc < 0) {
			rd->skipped++;
			log_debug("history: %s: record skipped: %s", rd->path, why);
			continue;
		}
		if (rd->eof)
			return 0;
		if (rd->buf.len - rd->off > HISTORY_MAX_RECORD) {
			rd->skipped++;
			rd->off = rd->buf.len;
		}
		if (fill(rd) != 0)
			return -1;
	}
}

/* history_reader_skipped - see history.h */
unsigned long
history_reader_skipped(const struct history_reader *rd)
{
	return rd->skipped;
}

/* history_reader_close - close and free (NULL is a no-op) */
void
history_reader_close(struct history_reader *rd)
{
	if (rd == NULL)
		return;
	gzclose(rd->gz);
	buf_free(&rd->buf);
	free(rd->path);
	free(rd);
}
