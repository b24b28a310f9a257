/*
 * cmd_ingest.c - "authmilter-report ingest [-c CONF] [--db URL] PATH...|-":
 * received DMARC reports (files, folders, mboxes, Maildirs, one message on
 * standard input) parsed by libingest (ingest_walk.h) and stored
 * (ingest_store.h); the entry of "reports" and "failures" too
 *
 * Exit status (sysexits, so that a Postfix pipe(8) transport or an alias
 * retries what was not stored): 0 every input gave a report stored or a
 * duplicate (a refused part beside it is stored with its reason and
 * logged); 65 EX_DATAERR an input held nothing usable (stored with its
 * reason);
 * 66 EX_NOINPUT a file could not be read; 75 EX_TEMPFAIL the database
 * cannot be reached or written, or the configuration cannot be read (the
 * mail is not lost: the MTA tries again); 64 usage.  reports and
 * failures: 0, 66 an SQLite file that does not exist (none is created),
 * 75 the database cannot be read.
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cmd_ingest.h"
#include "conf.h"
#include "ingest_store.h"
#include "ingest_text.h"
#include "ingest_walk.h"
#include "log.h"
#include "store.h"
#include "store_schema.h"

#ifndef AUTHMILTER_DATADIR
#define AUTHMILTER_DATADIR "/usr/share/authmilter"
#endif

#define EX_USAGE	64
#define EX_DATAERR	65
#define EX_NOINPUT	66
#define EX_TEMPFAIL	75

struct ing {
	struct store	   *s;
	struct ingest_store *is;
	int64_t		now;
	int		rejected, tempfail;
};

/* what one input gave */
struct outcome {
	size_t		stored, dup, failures, fail_dup, rejected;
	struct buf	reason;		/* the first refusal */
};

/* refused - the input held nothing usable: a refusal and no report stored or
 * recognised (a refused part beside a good report is logged, not an error:
 * the input's bytes are stored with the reason, so nothing is lost) */
static int
refused(const struct outcome *out)
{
	return out->rejected > 0 && out->stored + out->dup + out->failures + out->fail_dup == 0;
}

/* cmd_ingest_is - see cmd_ingest.h */
int
cmd_ingest_is(const char *word)
{
	return strcmp(word, "ingest") == 0 || strcmp(word, "reports") == 0 ||
	    strcmp(word, "failures") == 0;
}

/* usage - the synopsis; exit 64, or 0 for --help */
static void __attribute__((noreturn))
usage(int help)
{
	fprintf(help ? stdout : stderr,
	    "usage: authmilter-report ingest [-c CONF] [--db URL] [--sql-dir DIR] PATH... | -\n"
	    "       authmilter-report reports [-c CONF] [--db URL] [--json] [--domain D]"
	    " [--from T] [--to T]\n"
	    "       authmilter-report failures [-c CONF] [--db URL] [--json] [--domain D]"
	    " [--from T] [--to T]\n"
	    "URL: sqlite:PATH, a plain path (SQLite), postgresql://... or libpq key=value;\n"
	    "default: ReportDatabase. T: epoch seconds or YYYY-MM-DD (UTC)\n");
	exit(help ? 0 : EX_USAGE);
}

/* store_doc - one aggregate document of an input */
static int
store_doc(struct ing *g, const struct ingest_origin *o, const struct ingest_item *it,
    const struct ingest_doc *d, struct outcome *out, struct buf *err)
{
	struct ingest_agg a;
	struct buf why = BUF_INIT;
	size_t i;
	int rc;

	memset(&a, 0, sizeof(a));
	if (ingest_agg_parse(d->data, d->len, NULL, &a) != 0) {
		buf_init(&why);
		buf_printf(&why, "aggregate report: %s", a.reject ? a.reject : "unreadable");
		/* the whole input, not the part: nothing of the message is lost */
		rc = ingest_store_reject(g->is, o, why.data, it->raw, it->len, err);
		if (rc >= 0 && out->rejected++ == 0)
			buf_adds(&out->reason, why.data);
		buf_free(&why);
		ingest_agg_free(&a);
		return rc < 0 ? -1 : 0;
	}
	for (i = 0; i < it->found.notes.n; i++)
		ingest_note(&a.notes, "%s", it->found.notes.v[i]);
	if (it->is_file && it->found.docs.n == 1)
		rc = ingest_store_agg(g->is, o, &a, it->raw, it->len, NULL, 0, err);
	else
		rc = ingest_store_agg(g->is, o, &a, NULL, 0, d->data, d->len, err);
	if (rc == 1)
		out->stored++;
	else if (rc == 0)
		out->dup++;
	ingest_agg_free(&a);
	return rc < 0 ? -1 : 0;
}

/* store_item - everything of one input, in the open transaction */
static int
store_item(struct ing *g, const struct ingest_origin *o, const struct ingest_item *it,
    struct outcome *out, struct buf *err)
{
	const struct ingest_found *f = &it->found;
	size_t i;
	int rc;

	for (i = 0; i < f->docs.n; i++)
		if (store_doc(g, o, it, &f->docs.v[i], out, err) != 0)
			return -1;
	if (f->has_arf) {
		if ((rc = ingest_store_fail(g->is, o, &f->arf, it->raw, it->len, err)) < 0)
			return -1;
		*(rc ? &out->failures : &out->fail_dup) += 1;
	}
	for (i = 0; i < f->rejects.n; i++) {
		if (ingest_store_reject(g->is, o, f->rejects.v[i], it->raw, it->len, err) < 0)
			return -1;
		if (out->rejected++ == 0)
			buf_adds(&out->reason, f->rejects.v[i]);
	}
	return 0;
}

/* log_outcome - the one line per input */
static void
log_outcome(const struct ingest_origin *o, const struct outcome *out, const char *error)
{
	struct buf b = BUF_INIT;
	char n[32];

	buf_init(&b);
	log_kv(&b, "source", o->source);
	if (o->message_id != NULL)
		log_kv(&b, "message_id", o->message_id);
	if (error != NULL) {
		log_kv(&b, "result", "tempfail");
		log_kv(&b, "error", error);
		log_warnx("ingest:%s", b.data);
		buf_free(&b);
		return;
	}
	log_kv(&b, "result", refused(out) ? "rejected" : out->stored || out->failures ?
	    "stored" : "duplicate");
#define KV(k, v) do { snprintf(n, sizeof(n), "%zu", (v)); log_kv(&b, k, n); } while (0)
	KV("stored", out->stored);
	KV("duplicate", out->dup);
	KV("failure_reports", out->failures);
	KV("failure_duplicate", out->fail_dup);
	KV("rejected", out->rejected);
#undef KV
	if (out->reason.len > 0)
		log_kv(&b, "reason", out->reason.data);
	log_info("ingest:%s", b.data);
	buf_free(&b);
}

/* on_item - the walk's callback: one input, one transaction */
static int
on_item(struct ingest_item *it, void *arg)
{
	struct ing *g = arg;
	struct outcome out;
	struct buf src = BUF_INIT, err = BUF_INIT;
	struct ingest_origin o;
	int rc = 0;

	memset(&out, 0, sizeof(out));
	buf_init(&out.reason);
	buf_init(&src);
	buf_init(&err);
	if (it->index > 0)
		buf_printf(&src, "%s#%zu", it->source, it->index);
	else
		buf_adds(&src, it->source);
	o = (struct ingest_origin){ src.data, it->message_id, g->now };
	if (store_begin(g->s, &err) != 0 || store_item(g, &o, it, &out, &err) != 0 ||
	    store_commit(g->s, &err) != 0) {
		store_rollback(g->s);
		log_outcome(&o, &out, err.data);
		g->tempfail = 1;
		rc = -1;
	} else {
		log_outcome(&o, &out, NULL);
		g->rejected |= refused(&out);
	}
	buf_free(&out.reason);
	buf_free(&src);
	buf_free(&err);
	return rc;
}

struct args {
	const char     *cmd, *conf, *url, *sqldir;
	struct cmd_query q;
	int		first;		/* argv index of the first PATH */
};

/* when - a --from/--to value: epoch seconds or YYYY-MM-DD (UTC); exits
 * on a usage error */
static long long
when(const char *s)
{
	struct tm tm;
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*s != '\0' && *end == '\0' && v >= 0)
		return v;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0') {
		fprintf(stderr, "authmilter-report: %s: not epoch seconds or YYYY-MM-DD\n", s);
		exit(EX_USAGE);
	}
	return (long long)timegm(&tm);
}

/* parse - options into a; exits on a usage error */
static void
parse(int argc, char **argv, struct args *a)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' }, { "sql-dir", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' }, { "domain", required_argument, NULL, 'D' },
		{ "from", required_argument, NULL, 'f' }, { "to", required_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	int ch, ingest = strcmp(argv[0], "ingest") == 0, query = 0;
	static char dom[256];

	memset(a, 0, sizeof(*a));
	a->cmd = argv[0];
	a->sqldir = AUTHMILTER_DATADIR "/sql";
	a->q.to = LLONG_MAX;
	while ((ch = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': a->conf = optarg; break;
		case 'd': a->url = optarg; break;
		case 'S': a->sqldir = optarg; break;
		case 'j': a->q.json = 1; query = 1; break;
		case 'D': snprintf(dom, sizeof(dom), "%s", optarg); a->q.domain = dom; query = 1; break;
		case 'f': a->q.from = when(optarg); query = 1; break;
		case 't': a->q.to = when(optarg); query = 1; break;
		case 'h': usage(1);
		default: usage(0);
		}
	}
	for (ch = 0; dom[ch] != '\0'; ch++)
		if (dom[ch] >= 'A' && dom[ch] <= 'Z')
			dom[ch] += 'a' - 'A';
	a->first = optind;
	if ((ingest && (optind == argc || query)) || (!ingest && optind != argc))
		usage(0);
}

/* open_db - the database, its schema checked (a new SQLite file gets it
 * from ingest: nothing to set up; reports and failures create nothing);
 * NULL with err, *rc the exit status */
static struct store *
open_db(const struct args *a, int *rc, struct buf *err)
{
	struct conf *c = NULL;
	struct store *s;
	long long v = 0, from, now;

	*rc = EX_TEMPFAIL;
	if (a->url == NULL && (c = a->conf ? conf_load(a->conf, err) : conf_defaults()) == NULL)
		return NULL;
	if (strcmp(a->cmd, "ingest") != 0 && store_absent(a->url ? a->url : c->report_database, err)) {
		conf_free(c);
		*rc = EX_NOINPUT;
		return NULL;
	}
	s = store_open(a->url ? a->url : c->report_database, err);
	conf_free(c);
	if (s == NULL)
		return NULL;
	if (store_kind(s) == STORE_SQLITE && strcmp(a->cmd, "ingest") == 0 &&
	    (store_schema_version(s, &v, err) != 0 ||
	    (v == 0 && store_schema_upgrade(s, a->sqldir, 0, &from, &now, err) != 0))) {
		store_close(s);
		return NULL;
	}
	if (store_schema_check(s, err) != 0) {
		store_close(s);
		return NULL;
	}
	*rc = 0;
	return s;
}

/* fast_sqlite - for files (not standard input), SQLite commits without
 * syncing the journal (synchronous=NORMAL, WAL) and run_ingest syncs it all
 * once at the end (a checkpoint): a crash before then leaves the files to
 * ingest again, while a message on standard input is durable before exit 0 */
static int
fast_sqlite(struct store *s, const struct args *a, int argc, char **argv)
{
	struct buf err = BUF_INIT;
	int i, ok;

	if (store_kind(s) != STORE_SQLITE)
		return 0;
	for (i = a->first; i < argc; i++)
		if (strcmp(argv[i], "-") == 0)
			return 0;
	buf_init(&err);
	ok = store_exec(s, "PRAGMA synchronous=NORMAL", &err) == 0;
	buf_free(&err);
	return ok;
}

/* run_ingest - every PATH in turn, until the database fails */
static int
run_ingest(struct store *s, const struct args *a, int argc, char **argv, struct buf *err)
{
	struct ing g;
	int i, r, unread = 0, fast;

	memset(&g, 0, sizeof(g));
	g.s = s;
	g.now = (int64_t)time(NULL);
	if ((g.is = ingest_store_new(s, err)) == NULL)
		return EX_TEMPFAIL;
	fast = fast_sqlite(s, a, argc, argv);
	for (i = a->first; i < argc && !g.tempfail; i++)
		if ((r = ingest_walk_path(argv[i], on_item, &g)) > 0)
			unread = 1;
	ingest_store_free(g.is);
	if (fast && store_exec(s, "PRAGMA wal_checkpoint(FULL)", err) != 0)
		g.tempfail = 1;
	return g.tempfail ? EX_TEMPFAIL : g.rejected ? EX_DATAERR : unread ? EX_NOINPUT : 0;
}

/* cmd_ingest_main - see cmd_ingest.h */
int
cmd_ingest_main(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct args a;
	struct store *s;
	int rc, ingest = strcmp(argv[0], "ingest") == 0;

	buf_init(&err);
	log_open("authmilter-report", ingest, "mail", 1);
	parse(argc, argv, &a);
	if ((s = open_db(&a, &rc, &err)) == NULL)
		log_warnx("%s: %s", a.cmd, err.data);
	else if (ingest)
		rc = run_ingest(s, &a, argc, argv, &err);
	else
		rc = cmd_reports_run(a.cmd, s, &a.q);
	store_close(s);
	buf_free(&err);
	return rc;
}
