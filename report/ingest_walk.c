/*
 * ingest_walk.c - files, folders, mboxes and standard input into parsed
 * inputs (ingest_walk.h)
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "fileio.h"
#include "ingest_mbox.h"
#include "ingest_mime.h"
#include "ingest_msg.h"
#include "ingest_walk.h"
#include "log.h"
#include "strlist.h"

#define NO_REPORT "no report found in the message"

/* emit - call fn on it and free what it holds */
static int
emit(struct ingest_item *it, ingest_walk_fn fn, void *arg)
{
	int rc = fn(it, arg);

	free(it->message_id);
	ingest_found_free(&it->found);
	return rc;
}

/* item_init - an input's item, nothing found yet */
static void
item_init(struct ingest_item *it, const char *src, size_t index, const char *p, size_t n)
{
	memset(it, 0, sizeof(*it));
	it->source = src;
	it->index = index;
	it->raw = p;
	it->len = n;
}

/* do_message - one message: its reports */
static int
do_message(const char *src, size_t index, const char *p, size_t n, ingest_walk_fn fn,
    void *arg)
{
	struct ingest_item it;
	struct ingest_found *f = &it.found;

	item_init(&it, src, index, p, n);
	it.message_id = ingest_hdr_get(p, ingest_hdr_end(p, n), "Message-ID");
	ingest_msg_scan(p, n, NULL, f);
	if (f->docs.n == 0 && !f->has_arf && f->rejects.n == 0)
		strlist_add(&f->rejects, NO_REPORT);
	return emit(&it, fn, arg);
}

/* do_report_file - a report file: gzip, zip or XML */
static int
do_report_file(const char *src, const char *p, size_t n, ingest_walk_fn fn, void *arg)
{
	struct ingest_item it;
	struct ingest_found *f = &it.found;

	item_init(&it, src, 0, p, n);
	it.is_file = ingest_sniff(p, n) == INGEST_KIND_GZIP;
	if (ingest_unpack(p, n, NULL, &f->docs) != 0)
		strlist_add(&f->rejects, f->docs.reject);
	/* the unpacker's notes go with the reports' */
	f->notes = f->docs.notes;
	memset(&f->docs.notes, 0, sizeof(f->docs.notes));
	return emit(&it, fn, arg);
}

/* do_bytes - a file's content: a report file, an mbox or a message */
static int
do_bytes(const char *src, const char *p, size_t n, ingest_walk_fn fn, void *arg)
{
	const char *m;
	size_t off = 0, len, k = 0;

	if (ingest_sniff(p, n) != INGEST_KIND_OTHER)
		return do_report_file(src, p, n, fn, arg);
	if (!ingest_mbox_is(p, n))
		return do_message(src, 0, p, n, fn, arg);
	while (ingest_mbox_next(p, n, &off, &m, &len))
		if (do_message(src, ++k, m, len, fn, arg) != 0)
			return -1;
	return 0;
}

static int walk(const char *path, int depth, ingest_walk_fn fn, void *arg);

/* cmp_str - qsort order of strings */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* list_dir - the entries of a folder (no dot files), sorted, as paths;
 * a Maildir (cur/ or new/ inside) gives its message files instead */
static int
list_dir(const char *dir, struct strlist *out, struct buf *err)
{
	struct buf p = BUF_INIT;
	struct stat st;
	struct dirent *e;
	DIR *d;

	buf_init(&p);
	buf_printf(&p, "%s/cur", dir);
	if (stat(p.data, &st) == 0 && S_ISDIR(st.st_mode)) {
		buf_free(&p);
		return ingest_maildir_list(dir, out, err);
	}
	buf_free(&p);
	if ((d = opendir(dir)) == NULL) {
		buf_printf(err, "%s: cannot read the folder", dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		buf_init(&p);
		buf_printf(&p, "%s/%s", dir, e->d_name);
		strlist_add(out, p.data);
		buf_free(&p);
	}
	closedir(d);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(out->v[0]), cmp_str);
	return 0;
}

/* walk_dir - every entry of a folder, recursing */
static int
walk_dir(const char *dir, int depth, ingest_walk_fn fn, void *arg)
{
	struct strlist l = { 0, NULL };
	struct buf err = BUF_INIT;
	size_t i;
	int rc = 0, r;

	buf_init(&err);
	if (depth >= INGEST_WALK_MAX_DEPTH) {
		log_warnx("ingest: %s: folders nested too deep, skipped", dir);
		rc = 1;
	} else if (list_dir(dir, &l, &err) != 0) {
		log_warnx("ingest: %s", err.data);
		rc = 1;
	}
	for (i = 0; i < l.n && rc >= 0; i++)
		if ((r = walk(l.v[i], depth + 1, fn, arg)) != 0)
			rc = r < 0 ? -1 : 1;
	strlist_free(&l);
	buf_free(&err);
	return rc;
}

/* walk - a path: a folder (symbolic links to folders are not followed
 * below the top), a file */
static int
walk(const char *path, int depth, ingest_walk_fn fn, void *arg)
{
	struct buf b = BUF_INIT, err = BUF_INIT;
	struct stat st;
	int rc;

	if ((depth == 0 ? stat(path, &st) : lstat(path, &st)) != 0) {
		log_warnx("ingest: %s: cannot be read", path);
		return 1;
	}
	if (S_ISDIR(st.st_mode))
		return walk_dir(path, depth, fn, arg);
	if (!S_ISREG(st.st_mode))
		return 0;
	buf_init(&b);
	buf_init(&err);
	if (fileio_read(&b, path, &err) != 0) {
		log_warnx("ingest: %s", err.data);
		rc = 1;
	} else
		rc = do_bytes(path, b.data ? b.data : "", b.len, fn, arg);
	buf_free(&b);
	buf_free(&err);
	return rc;
}

/* ingest_walk_path - see ingest_walk.h */
int
ingest_walk_path(const char *path, ingest_walk_fn fn, void *arg)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t r;
	int rc;

	if (strcmp(path, "-") != 0)
		return walk(path, 0, fn, arg);
	buf_init(&b);
	while ((r = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		buf_add(&b, chunk, r);
	if (ferror(stdin)) {
		log_warnx("ingest: standard input: read error");
		rc = 1;
	} else
		rc = do_message("-", 0, b.data ? b.data : "", b.len, fn, arg);
	buf_free(&b);
	return rc;
}
