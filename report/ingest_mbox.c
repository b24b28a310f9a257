/*
 * ingest_mbox.c - mbox splitting and Maildir listing for report ingest
 *
 * mbox: a message starts after a line beginning "From " at the start of
 * the file or after a newline (the mboxo/mboxrd convention; a body line
 * starting "From " was quoted as ">From " by the writer).  Maildir: the
 * files in cur/ and new/ whose names do not start with a dot.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest_mbox.h"

/* ingest_mbox_is - an mbox starts with a From_ line */
int
ingest_mbox_is(const char *p, size_t n)
{
	return n >= 5 && memcmp(p, "From ", 5) == 0;
}

/* ingest_mbox_next - the next message */
int
ingest_mbox_next(const char *p, size_t n, size_t *off, const char **msg, size_t *len)
{
	const char *s, *e, *nl;
	size_t o = *off;

	if (o >= n)
		return 0;
	if (n - o >= 5 && memcmp(p + o, "From ", 5) == 0) {
		nl = memchr(p + o, '\n', n - o);
		o = nl != NULL ? (size_t)(nl - p) + 1 : n;
	}
	s = p + o;
	/* the next From_ line ends this message */
	e = memmem(s, (size_t)(p + n - s), "\nFrom ", 6);
	*off = e != NULL ? (size_t)(e - p) + 1 : n;
	e = e != NULL ? e + 1 : p + n;
	/* the blank line before a From_ line is the separator's */
	if (e - s >= 2 && e[-1] == '\n' && e[-2] == '\n')
		e--;
	*msg = s;
	*len = (size_t)(e - s);
	return 1;
}

/* cmp_str - qsort comparator for strings */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* list_sub - the message files of dir/sub, sorted, appended to out */
static int
list_sub(const char *dir, const char *sub, struct strlist *out)
{
	struct strlist names = { 0, NULL };
	struct buf path = BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d;
	size_t i;

	buf_init(&path);
	buf_printf(&path, "%s/%s", dir, sub);
	if ((d = opendir(path.data)) == NULL) {
		buf_free(&path);
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			strlist_add(&names, de->d_name);
	closedir(d);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (i = 0; i < names.n; i++) {
		buf_reset(&path);
		buf_printf(&path, "%s/%s/%s", dir, sub, names.v[i]);
		if (stat(path.data, &st) == 0 && S_ISREG(st.st_mode))
			strlist_add(out, path.data);
	}
	strlist_free(&names);
	buf_free(&path);
	return 0;
}

/* ingest_maildir_list - cur/ then new/ */
int
ingest_maildir_list(const char *dir, struct strlist *out, struct buf *err)
{
	int found = 0;

	if (list_sub(dir, "cur", out) == 0)
		found++;
	if (list_sub(dir, "new", out) == 0)
		found++;
	if (found == 0) {
		buf_printf(err, "%s: not a Maildir (no cur/ or new/)", dir);
		return -1;
	}
	return 0;
}
