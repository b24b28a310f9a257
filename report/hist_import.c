/*
 * hist_import.c - history files into the database, each record exactly
 * once (hist_import.h says how)
 *
 * Records are cut with history_parse (lib/history.c, the one parser); the
 * bytes of each are kept as raw next to the decoded fields.  At the end of
 * the file a record counts only when its last line is the action line
 * (DESIGN.md: action is always last, and a record is written with one
 * write(2)), so a record being written while we read waits for next time.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "fileio.h"
#include "hist_import.h"
#include "ingest_text.h"
#include "history.h"
#include "log.h"
#include "store.h"

#define IMPORT_BATCH	50000			/* records per transaction */
#define IMPORT_CHUNK	(256 * 1024)		/* bytes per read */
#define IMPORT_MAX_RECORD (4 * 1024 * 1024)	/* as the reader: bigger is garbage */

/* the reader: bytes of the (uncompressed) file from offset base */
struct rdr {
	gzFile		gz;
	struct buf	b;
	size_t		off;		/* next unread record starts at b.data + off */
	long long	base;		/* file offset of b.data[0] */
	int		eof;
	long long	dev, ino;
};

/* rdr_open - open path (plain or gzip); NULL with err */
static struct rdr *
rdr_open(const char *path, struct buf *err)
{
	struct rdr *rd;
	struct stat sb;
	gzFile gz;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (gz = gzdopen(fd, "rb")) == NULL) {
		buf_printf(err, "%s: %s", path, fd < 0 || errno ? strerror(errno) :
		    "not a regular file");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	rd = xcalloc(1, sizeof(*rd));
	rd->gz = gz;
	rd->dev = (long long)sb.st_dev;
	rd->ino = (long long)sb.st_ino;
	buf_init(&rd->b);
	return rd;
}

/* rdr_close - close and free */
static void
rdr_close(struct rdr *rd)
{
	if (rd == NULL)
		return;
	gzclose(rd->gz);
	buf_free(&rd->b);
	free(rd);
}

/* rdr_pos - file offset of the next unread byte that starts a record */
static long long
rdr_pos(const struct rdr *rd)
{
	return rd->base + (long long)rd->off;
}

/* rdr_fill - drop what was used, read more; -1 on a read error */
static int
rdr_fill(struct rdr *rd)
{
	buf_drop(&rd->b, rd->off);
	rd->base += (long long)rd->off;
	rd->off = 0;
	return fileio_gzread(rd->gz, &rd->b, IMPORT_CHUNK, &rd->eof);
}

/* rdr_seek - go to file offset pos (within the buffer when it holds it) */
static int
rdr_seek(struct rdr *rd, long long pos)
{
	if (pos >= rd->base && pos <= rd->base + (long long)rd->b.len) {
		rd->off = (size_t)(pos - rd->base);
		return 0;
	}
	buf_reset(&rd->b);
	rd->off = 0;
	rd->eof = 0;
	rd->base = pos;
	/* gzseek: lseek on a plain file; on gzip, decompression up to pos */
	if (gzseek(rd->gz, (z_off_t)pos, SEEK_SET) != (z_off_t)pos)
		rd->eof = 1;	/* shorter than its progress (a prefix copy): nothing new */
	return 0;
}

/* ends_with_action - the text's last line is a whole "action" line */
static int
ends_with_action(const char *p, size_t n)
{
	size_t i;

	if (n < 2 || p[n - 1] != '\n')
		return 0;
	for (i = n - 1; i > 0 && p[i - 1] != '\n'; i--)
		;
	return n - i > 7 && memcmp(p + i, "action ", 7) == 0;
}

/*
 * rdr_next - the next whole record: 1 with *r (caller frees), *raw and *rawlen
 * its bytes (valid until the next call) and *pos its offset; 0 when no
 * whole record follows (yet); -1 on a read error.  Malformed records are
 * passed over and counted in *skipped.
 */
static int
rdr_next(struct rdr *rd, struct history_rec **r, const char **raw, size_t *rawlen,
    long long *pos, unsigned long long *skipped)
{
	char why[128];
	size_t used, avail;
	const char *p;
	int rc;

	for (;;) {
		p = rd->b.data + rd->off;
		avail = rd->b.len - rd->off;
		rc = history_parse(p, avail, 0, &used, r, why, sizeof(why));
		if (rc == 0 && rd->eof && ends_with_action(p, avail))
			rc = history_parse(p, avail, 1, &used, r, why, sizeof(why));
		if (rc != 0) {
			*raw = p;
			*rawlen = used;
			*pos = rdr_pos(rd);
			rd->off += used;
			if (rc == 1)
				return 1;
			(*skipped)++;
			log_debug("import: record at %lld skipped: %s", *pos, why);
			continue;
		}
		if (rd->eof)
			return 0;
		if (avail > IMPORT_MAX_RECORD) {
			(*skipped)++;
			rd->off = rd->b.len;
		}
		if (rdr_fill(rd) != 0)
			return -1;
	}
}

/* identity - SHA-256 (hex) of the file's first whole record; 0 when the
 * file holds none yet */
static int
identity(struct rdr *rd, char hex[65], struct buf *err)
{
	unsigned char md[32];
	unsigned int mdlen = 0, i;
	struct history_rec *r = NULL;
	unsigned long long skipped = 0;
	const char *raw;
	size_t rawlen;
	long long pos;
	int rc = rdr_next(rd, &r, &raw, &rawlen, &pos, &skipped);

	history_rec_free(r);
	if (rc < 0)
		buf_adds(err, "read error");
	if (rc <= 0)
		return rc;
	if (EVP_Digest(raw, rawlen, md, &mdlen, EVP_sha256(), NULL) != 1) {
		buf_adds(err, "cannot hash the first record");
		return -1;
	}
	for (i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 1;
}

/* the history table's columns, in load order */
enum { C_FILE, C_POS, C_JOB, C_REPORTER, C_RECEIVED, C_IPADDR, C_FROM, C_MFROM, C_DKIM,
	C_SPF, C_SPF_SCOPE, C_PDOMAIN, C_POLICY, C_RUA, C_PCT, C_ADKIM, C_ASPF, C_P, C_SP,
	C_FO, C_ALIGN_DKIM, C_ALIGN_SPF, C_ARC, C_ARC_POLICY, C_ACTION, C_HELO, C_DISCOVERY,
	C_NP, C_TESTING, C_OVERRIDE, C_COUNTRY, C_ASN, C_ASORG, C_RAW, NCOLS };

static const char *const col_names[NCOLS] = {
	"file_id", "pos", "job", "reporter", "received", "ipaddr", "from_domain", "mfrom",
	"dkim", "spf", "spf_scope", "pdomain", "policy", "rua", "pct", "adkim", "aspf", "p",
	"sp", "fo", "align_dkim", "align_spf", "arc", "arc_policy", "action", "helo",
	"discovery", "np", "testing", "override", "country", "asn", "asorg", "raw",
};

/* 64-bit: ids, offsets, times, AS numbers; 32-bit: the small codes */
#define L STORE_INT
#define I STORE_INT32
#define T STORE_TEXT
static const enum store_type col_types[NCOLS] = {
	L, L, T, T, L, T, T, T, T, I, I, T, I, T, I, T, T, T, T, I, I, I, I, I, I, T, T, T, I, T,
	T, L, T, STORE_BLOB,
};
#undef L
#undef I
#undef T

/* one row being built: values, and the text that had to be rewritten */
struct row {
	struct store_val v[NCOLS];
	struct buf	fix[NCOLS];
	struct buf	dkim, rua;	/* the lines put_lines gathers */
};

/* put_text - column c is s (n bytes) as UTF-8: each byte that is not
 * becomes U+FFFD (raw keeps the exact bytes); NULL is SQL NULL */
static void
put_text(struct row *w, int c, const char *s, size_t n)
{
	w->v[c] = (struct store_val){ s, n, 0, s == NULL };
	if (s != NULL)
		w->v[c].p = ingest_utf8_fix(&w->fix[c], s, n, &w->v[c].len);
}

/* put_str - a C string column */
static void
put_str(struct row *w, int c, const char *s)
{
	put_text(w, c, s, s ? strlen(s) : 0);
}

/* put_int - a number column */
static void
put_int(struct row *w, int c, long long i)
{
	w->v[c] = (struct store_val){ NULL, 0, i, 0 };
}

/* put_tag - a one-letter tag value ('r', 's', 'n', 'q'); 0 is NULL */
static void
put_tag(struct row *w, int c, int ch)
{
	char one = (char)ch;

	buf_reset(&w->fix[c]);
	buf_add(&w->fix[c], &one, 1);
	w->v[c] = (struct store_val){ w->fix[c].data, 1, 0, ch == 0 };
}

/* put_lines - the values of raw's "kw" lines as the file writes them, one
 * per line, built in into ("rua -", no destination, is left out); NULL
 * when none */
static void
put_lines(struct row *w, int c, struct buf *into, const char *raw, size_t n, const char *kw)
{
	size_t kwlen = strlen(kw), len;
	const char *p = raw, *end = raw + n, *nl;

	buf_reset(into);
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		len = (size_t)(nl - p);
		if (len <= kwlen + 1 || memcmp(p, kw, kwlen) != 0 || p[kwlen] != ' ' ||
		    (len == kwlen + 2 && p[kwlen + 1] == '-'))
			continue;
		if (into->len > 0)
			buf_addc(into, '\n');
		buf_add(into, p + kwlen + 1, len - kwlen - 1);
	}
	put_text(w, c, into->len ? into->data : NULL, into->len);
}

/* row_fill - the columns of record r (raw: its bytes, at pos in file id) */
static void
row_fill(struct row *w, long long id, long long pos, const struct history_rec *r,
    const char *raw, size_t rawlen)
{
	put_int(w, C_FILE, id);
	put_int(w, C_POS, pos);
	put_str(w, C_JOB, r->job);
	put_str(w, C_REPORTER, r->reporter);
	put_int(w, C_RECEIVED, r->received);
	put_str(w, C_IPADDR, r->ipaddr);
	put_str(w, C_FROM, r->from);
	put_str(w, C_MFROM, r->mfrom);
	put_lines(w, C_DKIM, &w->dkim, raw, rawlen, "dkim");
	put_int(w, C_SPF, r->spf);
	put_int(w, C_SPF_SCOPE, r->spf_scope);
	put_str(w, C_PDOMAIN, r->pdomain);
	put_int(w, C_POLICY, r->policy);
	put_lines(w, C_RUA, &w->rua, raw, rawlen, "rua");
	put_int(w, C_PCT, r->pct);
	put_tag(w, C_ADKIM, r->adkim);
	put_tag(w, C_ASPF, r->aspf);
	put_tag(w, C_P, r->p);
	put_tag(w, C_SP, r->sp);
	put_int(w, C_FO, r->fo);
	put_int(w, C_ALIGN_DKIM, r->align_dkim);
	put_int(w, C_ALIGN_SPF, r->align_spf);
	put_int(w, C_ARC, r->arc);
	put_int(w, C_ARC_POLICY, r->arc_policy);
	put_int(w, C_ACTION, r->action);
	put_str(w, C_HELO, r->helo);
	put_str(w, C_DISCOVERY, r->discovery);
	put_tag(w, C_NP, r->np);
	put_int(w, C_TESTING, r->testing);
	put_str(w, C_OVERRIDE, r->override);
	put_str(w, C_COUNTRY, r->country);
	put_int(w, C_ASN, r->asn);
	put_str(w, C_ASORG, r->asorg);
	w->v[C_RAW] = (struct store_val){ raw, rawlen, 0, 0 };
}

/* one file's import */
struct imp {
	struct store   *s;
	struct rdr     *rd;
	const char     *host, *path;
	char		ident[65];
	size_t		batch;
	struct store_stmt *ensure, *lock, *update;
	struct row	row;
	struct hist_import_stats *st;
};

/* imp_prepare - the three statements on the progress row */
static int
imp_prepare(struct imp *im, struct buf *err)
{
	struct buf sql = BUF_INIT;

	buf_printf(&sql, "SELECT id, pos FROM import_file WHERE host = $1 AND ident = $2%s",
	    store_for_update(im->s));
	im->ensure = store_prepare(im->s, "INSERT INTO import_file"
	    " (host, ident, path, dev, ino, first_seen, updated) VALUES ($1, $2, $3, $4, $5, $6, $6)"
	    " ON CONFLICT (host, ident) DO NOTHING", err);
	im->lock = im->ensure ? store_prepare(im->s, sql.data, err) : NULL;
	im->update = im->lock ? store_prepare(im->s, "UPDATE import_file SET pos = $2,"
	    " records = records + $3, skipped = skipped + $4, path = $5, dev = $6, ino = $7,"
	    " updated = $8 WHERE id = $1", err) : NULL;
	buf_free(&sql);
	return im->update != NULL ? 0 : -1;
}

/* imp_lock - the file's progress row, created when new, locked: id, pos */
static int
imp_lock(struct imp *im, long long *id, long long *pos, struct buf *err)
{
	char dev[24], ino[24], now[24];
	const char *p[6] = { im->host, im->ident, im->path, dev, ino, now };

	snprintf(dev, sizeof(dev), "%lld", im->rd->dev);
	snprintf(ino, sizeof(ino), "%lld", im->rd->ino);
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	if (store_query(im->ensure, 6, p, err) != 0 || store_query(im->lock, 2, p, err) != 0)
		return -1;
	if (store_next(im->lock) != 1) {
		buf_adds(err, "progress row vanished");
		return -1;
	}
	*id = store_col_int(im->lock, 0);
	*pos = store_col_int(im->lock, 1);
	return 0;
}

/* imp_update - move the progress row to pos, counting n records, sk skipped */
static int
imp_update(struct imp *im, long long id, long long pos, unsigned long long n,
    unsigned long long sk, struct buf *err)
{
	char v[6][24];
	const char *p[8] = { v[0], v[1], v[2], v[3], im->path, v[4], v[5], NULL };
	char now[24];

	snprintf(v[0], sizeof(v[0]), "%lld", id);
	snprintf(v[1], sizeof(v[1]), "%lld", pos);
	snprintf(v[2], sizeof(v[2]), "%llu", n);
	snprintf(v[3], sizeof(v[3]), "%llu", sk);
	snprintf(v[4], sizeof(v[4]), "%lld", im->rd->dev);
	snprintf(v[5], sizeof(v[5]), "%lld", im->rd->ino);
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	p[7] = now;
	return store_query(im->update, 8, p, err);
}

/* imp_load - load records from the reader's position into file id, up to
 * the batch size; *n and *sk count them; 1 when more may follow, 0 at the
 * end, -1 on error */
static int
imp_load(struct imp *im, long long id, unsigned long long *n, unsigned long long *sk,
    struct buf *err)
{
	struct store_load *ld = NULL;
	struct history_rec *r;
	const char *raw;
	size_t rawlen;
	long long pos;
	int rc, bad;

	while ((rc = rdr_next(im->rd, &r, &raw, &rawlen, &pos, sk)) == 1) {
		if (ld == NULL && (ld = store_load_begin(im->s, "history", col_names, col_types,
		    NCOLS, err)) == NULL) {
			history_rec_free(r);
			return -1;
		}
		row_fill(&im->row, id, pos, r, raw, rawlen);
		bad = store_load_row(ld, im->row.v, err);
		history_rec_free(r);	/* the row points into it until loaded */
		if (bad) {
			store_load_end(ld, 1, err);
			return -1;
		}
		if (++*n >= im->batch)
			break;
	}
	if (rc < 0)
		buf_printf(err, "%s: read error", im->path);
	if (ld != NULL && store_load_end(ld, rc < 0, err) != 0)
		return -1;
	return rc;
}

/* imp_batch - one transaction: lock, load, move the offset, commit;
 * 1 when more may follow, 0 when the file is done, -1 on error */
static int
imp_batch(struct imp *im, struct buf *err)
{
	unsigned long long n = 0, sk = 0;
	long long id, pos;
	int more;

	if (store_begin(im->s, err) != 0)
		return -1;
	if (imp_lock(im, &id, &pos, err) != 0 || rdr_seek(im->rd, pos) != 0 ||
	    (more = imp_load(im, id, &n, &sk, err)) < 0)
		goto fail;
	im->st->pos = rdr_pos(im->rd);
	if (im->st->pos == pos) {	/* nothing new */
		store_rollback(im->s);
		return 0;
	}
	if (imp_update(im, id, im->st->pos, n, sk, err) != 0 || store_commit(im->s, err) != 0)
		goto fail;
	im->st->records += n;
	im->st->skipped += sk;
	return more;
fail:
	store_rollback(im->s);
	return -1;
}

/* hist_import_file - see hist_import.h */
int
hist_import_file(struct store *s, const char *host, const char *path, size_t batch,
    struct hist_import_stats *st, struct buf *err)
{
	struct imp im;
	int rc, i;

	memset(st, 0, sizeof(*st));
	memset(&im, 0, sizeof(im));
	im.s = s;
	im.host = host;
	im.path = path;
	im.st = st;
	im.batch = batch ? batch : IMPORT_BATCH;
	if ((im.rd = rdr_open(path, err)) == NULL)
		return -1;
	if ((rc = identity(im.rd, im.ident, err)) <= 0) {
		st->empty = rc == 0;
		if (rc < 0)
			buf_printf(err, " (%s)", path);
		rdr_close(im.rd);
		return rc;
	}
	for (i = 0; i < NCOLS; i++)
		buf_init(&im.row.fix[i]);
	if ((rc = imp_prepare(&im, err)) == 0)
		while ((rc = imp_batch(&im, err)) > 0)
			;
	store_stmt_free(im.ensure);
	store_stmt_free(im.lock);
	store_stmt_free(im.update);
	for (i = 0; i < NCOLS; i++)
		buf_free(&im.row.fix[i]);
	buf_free(&im.row.dkim);
	buf_free(&im.row.rua);
	rdr_close(im.rd);
	return rc < 0 ? -1 : 0;
}
