/*
 * report_state.c - the reporter's memory: generated reports, the delivery
 * queue and delivered copies, in one small text file replaced atomically
 *
 * Why one whole-file rewrite rather than an append-only journal: the file
 * stays small (lines are pruned after max_age), and temp + fsync + rename
 * gives all-or-nothing updates without having to repair torn appends.
 * Fields are separated by one space; bytes <= 0x20, 0x7f and '%' inside a
 * field are %XX-escaped so paths with spaces survive.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fileio.h"
#include "pct.h"
#include "report_state.h"

#define STATE_MAGIC	"authmilter-report-state 1"

enum ent_kind { ENT_REPORT, ENT_QUEUE, ENT_SENT };

struct ent {
	enum ent_kind	kind;
	char	       *s[3];	/* report: id mode pdomain; queue: id dest spool; sent: id dest */
	long long	n[3];	/* report: begin end created; queue: first last -; sent: when */
	long		tries;
};

struct report_state {
	char	       *path;
	int		lockfd;
	size_t		n, cap;
	struct ent     *v;
};

/* add - a new entry (strings copied) */
static struct ent *
add(struct report_state *st, enum ent_kind k, const char *a, const char *b, const char *c)
{
	struct ent *e;

	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 32;
		st->v = xrealloc(st->v, st->cap * sizeof(*st->v));
	}
	e = &st->v[st->n++];
	memset(e, 0, sizeof(*e));
	e->kind = k;
	e->s[0] = xstrdup(a);
	e->s[1] = xstrdup(b);
	e->s[2] = c ? xstrdup(c) : NULL;
	return e;
}

/* del - remove entry i, keeping the order of the rest */
static void
del(struct report_state *st, size_t i)
{
	free(st->v[i].s[0]);
	free(st->v[i].s[1]);
	free(st->v[i].s[2]);
	memmove(&st->v[i], &st->v[i + 1], (st->n - i - 1) * sizeof(*st->v));
	st->n--;
}

/* report_state_parse_line - fields split on spaces and %-decoded (caller frees) */
int
report_state_parse_line(const char *line, size_t len, char **f, int maxf)
{
	size_t i = 0;
	int nf = 0;

	while (i < len && nf < maxf) {
		struct buf b = BUF_INIT;
		size_t end = i;

		while (end < len && line[end] != ' ')
			end++;
		buf_reset(&b);
		pct_decode(line + i, end - i, 0, &b);
		f[nf++] = buf_steal(&b);
		i = end;
		while (i < len && line[i] == ' ')
			i++;
	}
	return nf;
}

/* load_line - one line into an entry; unknown or short lines are skipped */
static void
load_line(struct report_state *st, const char *line, size_t len)
{
	char *f[8] = { NULL };
	int nf = report_state_parse_line(line, len, f, 8), i;
	struct ent *e = NULL;

	if (nf == 7 && strcmp(f[0], "report") == 0) {
		e = add(st, ENT_REPORT, f[1], f[2], f[3]);
		e->n[0] = strtoll(f[4], NULL, 10);
		e->n[1] = strtoll(f[5], NULL, 10);
		e->n[2] = strtoll(f[6], NULL, 10);
	} else if (nf == 7 && strcmp(f[0], "queue") == 0) {
		e = add(st, ENT_QUEUE, f[1], f[2], f[3]);
		e->tries = strtol(f[4], NULL, 10);
		e->n[0] = strtoll(f[5], NULL, 10);
		e->n[1] = strtoll(f[6], NULL, 10);
	} else if (nf == 4 && strcmp(f[0], "sent") == 0) {
		e = add(st, ENT_SENT, f[1], f[2], NULL);
		e->n[0] = strtoll(f[3], NULL, 10);
	}
	for (i = 0; i < nf; i++)
		free(f[i]);
}

/* report_state_load - parse the file; a torn last line (no LF) is ignored */
struct report_state *
report_state_load(const char *path, struct buf *err)
{
	struct report_state *st = xcalloc(1, sizeof(*st));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;
	int first = 1;

	st->path = xstrdup(path);
	st->lockfd = -1;
	fp = fopen(path, "r");
	if (fp == NULL) {
		if (errno == ENOENT)
			return st;
		buf_printf(err, "%s: %s", path, strerror(errno));
		report_state_free(st);
		return NULL;
	}
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (line[n - 1] != '\n')
			break;
		line[--n] = '\0';
		if (first && strcmp(line, STATE_MAGIC) != 0) {
			buf_printf(err, "%s: not an authmilter-report state file", path);
			free(line);
			fclose(fp);
			report_state_free(st);
			return NULL;
		}
		if (!first)
			load_line(st, line, (size_t)n);
		first = 0;
	}
	free(line);
	fclose(fp);
	return st;
}

/* report_state_free - release; NULL is a no-op (the lock goes with it) */
void
report_state_free(struct report_state *st)
{
	if (st == NULL)
		return;
	while (st->n > 0)
		del(st, st->n - 1);
	free(st->v);
	if (st->lockfd >= 0)
		close(st->lockfd);
	free(st->path);
	free(st);
}

/* report_state_lock - one reporter at a time per state file */
int
report_state_lock(struct report_state *st, struct buf *err)
{
	struct buf p = BUF_INIT;

	buf_printf(&p, "%s.lock", st->path);
	/* O_NOFOLLOW: a symlink planted at the lock name is refused, not
	 * followed to create or lock a file elsewhere */
	st->lockfd = open(p.data, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (st->lockfd < 0) {
		buf_printf(err, "%s: %s", p.data, errno == ELOOP ? "is a symlink; refused" :
		    strerror(errno));
		buf_free(&p);
		return -1;
	}
	if (flock(st->lockfd, LOCK_EX | LOCK_NB) != 0) {
		buf_printf(err, "%s: %s (another authmilter-report running?)", p.data,
		    strerror(errno));
		buf_free(&p);
		return -1;
	}
	buf_free(&p);
	return 0;
}

/* find - index of entry kind/id/s1, or -1 */
static long
find(const struct report_state *st, enum ent_kind k, const char *id, const char *s1)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (st->v[i].kind == k && strcmp(st->v[i].s[0], id) == 0 &&
		    strcmp(st->v[i].s[1], s1) == 0)
			return (long)i;
	return -1;
}

/* report_state_has_report - generated before, in this mode */
int
report_state_has_report(const struct report_state *st, const char *id, const char *mode)
{
	return find(st, ENT_REPORT, id, mode) >= 0;
}

/* report_state_add_report - remember a generated report */
void
report_state_add_report(struct report_state *st, const char *id, const char *mode,
    const char *pdomain, long long begin, long long end, time_t now)
{
	struct ent *e;

	if (find(st, ENT_REPORT, id, mode) >= 0)
		return;
	e = add(st, ENT_REPORT, id, mode, pdomain);
	e->n[0] = begin;
	e->n[1] = end;
	e->n[2] = (long long)now;
}

/* report_state_queue - a delivery still to make */
void
report_state_queue(struct report_state *st, const char *id, const char *dest,
    const char *spool, time_t now)
{
	struct ent *e;

	if (find(st, ENT_QUEUE, id, dest) >= 0 || find(st, ENT_SENT, id, dest) >= 0)
		return;
	e = add(st, ENT_QUEUE, id, dest, spool);
	e->n[0] = e->n[1] = (long long)now;
}

/* report_state_nqueued - count of queue entries */
size_t
report_state_nqueued(const struct report_state *st)
{
	size_t i, n = 0;

	for (i = 0; i < st->n; i++)
		n += st->v[i].kind == ENT_QUEUE;
	return n;
}

/* report_state_queued - the i-th queue entry */
void
report_state_queued(const struct report_state *st, size_t i, struct report_queued *q)
{
	size_t j;

	memset(q, 0, sizeof(*q));
	for (j = 0; j < st->n; j++) {
		const struct ent *e = &st->v[j];

		if (e->kind != ENT_QUEUE || i-- > 0)
			continue;
		q->id = e->s[0];
		q->dest = e->s[1];
		q->spool = e->s[2];
		q->tries = e->tries;
		q->first = e->n[0];
		q->last = e->n[1];
		return;
	}
}

/* report_state_sent - queue entry done */
void
report_state_sent(struct report_state *st, const char *id, const char *dest, time_t now)
{
	long i = find(st, ENT_QUEUE, id, dest);
	struct ent *e;

	if (i >= 0)
		del(st, (size_t)i);
	e = add(st, ENT_SENT, id, dest, NULL);
	e->n[0] = (long long)now;
}

/* report_state_failed - count a failed try */
void
report_state_failed(struct report_state *st, const char *id, const char *dest, time_t now)
{
	long i = find(st, ENT_QUEUE, id, dest);

	if (i < 0)
		return;
	st->v[i].tries++;
	st->v[i].n[1] = (long long)now;
}

/* report_state_drop - forget a queue entry */
void
report_state_drop(struct report_state *st, const char *id, const char *dest)
{
	long i = find(st, ENT_QUEUE, id, dest);

	if (i >= 0)
		del(st, (size_t)i);
}

/* report_state_spool_used - a queue entry still refers to spool */
int
report_state_spool_used(const struct report_state *st, const char *spool)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (st->v[i].kind == ENT_QUEUE && strcmp(st->v[i].s[2], spool) == 0)
			return 1;
	return 0;
}

/* report_state_prune - forget old report and sent lines (queue lines stay) */
size_t
report_state_prune(struct report_state *st, time_t now, long max_age)
{
	size_t i = 0, dropped = 0;

	while (i < st->n) {
		const struct ent *e = &st->v[i];
		long long t = e->kind == ENT_REPORT ? e->n[2] : e->n[0];

		if (e->kind != ENT_QUEUE && t + max_age < (long long)now) {
			del(st, i);
			dropped++;
		} else
			i++;
	}
	return dropped;
}

/* put - one %-escaped field preceded by a space */
static void
put(struct buf *b, const char *s)
{
	buf_addc(b, ' ');
	if (*s == '\0')
		buf_adds(b, "%00");	/* never written: fields are non-empty */
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c == 0x7f || c == '%')
			buf_printf(b, "%%%02X", c);
		else
			buf_addc(b, c);
	}
}

/* serialise - the whole file */
static void
serialise(const struct report_state *st, struct buf *b)
{
	size_t i;

	buf_adds(b, STATE_MAGIC "\n");
	for (i = 0; i < st->n; i++) {
		const struct ent *e = &st->v[i];

		switch (e->kind) {
		case ENT_REPORT:
			buf_adds(b, "report");
			put(b, e->s[0]); put(b, e->s[1]); put(b, e->s[2]);
			buf_printf(b, " %lld %lld %lld\n", e->n[0], e->n[1], e->n[2]);
			break;
		case ENT_QUEUE:
			buf_adds(b, "queue");
			put(b, e->s[0]); put(b, e->s[1]); put(b, e->s[2]);
			buf_printf(b, " %ld %lld %lld\n", e->tries, e->n[0], e->n[1]);
			break;
		case ENT_SENT:
			buf_adds(b, "sent");
			put(b, e->s[0]); put(b, e->s[1]);
			buf_printf(b, " %lld\n", e->n[0]);
			break;
		}
	}
}

/* report_state_save - the whole file replaced atomically (fileio_replace:
 * temporary, fsync, rename, fsync of the directory), mode 0600 */
int
report_state_save(struct report_state *st, struct buf *err)
{
	struct buf b = BUF_INIT;
	int rc;

	serialise(st, &b);
	rc = fileio_replace(st->path, b.data, b.len, 0600, err);
	buf_free(&b);
	return rc;
}
