/*
 * report_run.c - one run of the aggregate reporter
 *
 * Order of work, chosen so that a crash anywhere neither loses nor
 * silently duplicates a report (report_state.h states the guarantee):
 *   1. aggregate every history file for the period (streaming);
 *   2. per policy domain not reported before: build the XML, validate it
 *      against the XSD, gzip it, resolve and verify its rua destinations,
 *      write the file to --outdir and/or the spool, then record "report"
 *      and its "queue" lines in one atomic state save;
 *   3. deliver every queued entry, this run's and earlier failures, and
 *      turn each into "sent" only after sendmail exited 0.
 * A report that fails validation is kept (outdir or spool) and logged,
 * never sent, and not recorded, so a fixed version of us retries it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "conf.h"
#include "dmarc.h"
#include "fileio.h"
#include "history.h"
#include "log.h"
#include "report_agg.h"
#include "report_claim.h"
#include "report_db.h"
#include "report_gz.h"
#include "report_mail.h"
#include "report_run.h"
#include "report_state.h"
#include "rua.h"
#include "store_schema.h"

struct run {
	const struct report_opts *o;
	struct report_state *st;	/* NULL in a dry run */
	struct report_schema *schema;
	char	       *receiver;
	char	       *envfrom;	/* envelope sender, NULL when unusable */
	char	       *spool;		/* spool directory */
	struct dmarc_engine *dm;	/* Organizational Domains of rua hosts */
	struct store   *db;		/* HistoryDatabase: site-wide reports */
	char	       *owner;		/* our name on claims (report_claim.h) */
	const char     *mode;		/* "mail" or "dir" */
	int		failures;
	unsigned long	written, queued, sent;
};

/* report_receiver - AuthservID, else ReportFrom's domain, else the host name */
char *
report_receiver(const struct conf *c)
{
	char host[256];
	char *a;

	if (c->authserv_id != NULL && rua_domain_valid(c->authserv_id, strlen(c->authserv_id)))
		return xstrdup(c->authserv_id);
	if (c->report_from != NULL && (a = report_mail_addr(c->report_from)) != NULL) {
		char *d = xstrdup(strchr(a, '@') + 1);

		free(a);
		return d;
	}
	if (gethostname(host, sizeof(host)) == 0 && rua_domain_valid(host, strlen(host)))
		return xstrdup(host);
	return xstrdup("localhost");
}

/* report_id - 128 bits of SHA-256 over the report's identity, in hex */
void
report_id(const char *receiver, const char *pdomain, long long begin, long long end,
    enum report_format f, char out[33])
{
	struct buf b = BUF_INIT;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	buf_printf(&b, "%s!%s!%lld!%lld!%d", receiver, pdomain, begin, end, (int)f);
	EVP_Digest(b.data, b.len, md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	buf_free(&b);
}

/* report_filename - the RFC 9990 §"Email" attachment name */
void
report_filename(const char *receiver, const char *pdomain, long long begin, long long end,
    const char *id, struct buf *out)
{
	buf_printf(out, "%s!%s!%lld!%lld!%s.xml.gz", receiver, pdomain, begin, end, id);
}

/* in_list - pdomain equal to, or under, one of the words of text */
static int
in_list(const char *text, const char *pdomain)
{
	const char *p = text;

	while (*p) {
		size_t n;

		p += strspn(p, " \t\r\n,");
		if (*p == '#') {
			p += strcspn(p, "\n");
			continue;
		}
		n = strcspn(p, " \t\r\n,#");
		if (n > 0) {
			char *w = xstrndup(p, n);
			int hit = rua_same_org(w, pdomain) && strlen(pdomain) >= n;

			free(w);
			if (hit)
				return 1;
		}
		p += n;
	}
	return 0;
}

/* report_noreports - NoReportsList: inline words or file:PATH */
int
report_noreports(const char *list, const char *pdomain)
{
	struct buf b = BUF_INIT, err = BUF_INIT;
	int hit = 0;

	if (list == NULL)
		return 0;
	if (strncmp(list, "file:", 5) != 0)
		return in_list(list, pdomain);
	if (fileio_read(&b, list + 5, &err) == 0)
		hit = in_list(b.data, pdomain);
	else
		log_warnx("NoReportsList %s", err.data);
	buf_free(&b);
	buf_free(&err);
	return hit;
}

/* write_atomic - dir/name := data, atomically (fileio_replace), mode 0640 */
static int
write_atomic(const char *dir, const char *name, const char *data, size_t len)
{
	struct buf p = BUF_INIT, err = BUF_INIT;
	int rc;

	buf_printf(&p, "%s/%s", dir, name);
	if ((rc = fileio_replace(p.data, data, len, 0640, &err)) != 0)
		log_warnx("write %s", err.data);
	buf_free(&p);
	buf_free(&err);
	return rc;
}

/* report_mkdir - dir made (mode, parents too) when missing; an existing
 * one must be a directory.  0, or -1 with errno */
int
report_mkdir(const char *dir, mode_t mode)
{
	char *p, *s, c;
	struct stat st;
	int rc = 0;

	if (*dir == '\0') {
		errno = ENOENT;
		return -1;
	}
	p = xstrdup(dir);
	for (s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST)
			rc = -1;
		*s = c;
		if (c == '\0')
			break;
	}
	if (rc == 0 && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
		errno = ENOTDIR;
		rc = -1;
	}
	free(p);
	return rc;
}

/* read_histories - stream every history file into the aggregator */
static int
read_histories(const struct report_opts *o, struct report_agg *agg)
{
	unsigned long long n = 0, used = 0;
	size_t i;
	int errors = 0;

	for (i = 0; i < o->histories.n; i++) {
		const char *path = o->histories.v[i];
		struct buf err = BUF_INIT;
		struct history_reader *rd;
		struct history_rec *r;
		int rc;

		if (o->histories_optional && access(path, F_OK) != 0)
			continue;
		if ((rd = history_reader_open(path, &err)) == NULL) {
			log_warnx("history=%s: %s", path, err.data ? err.data : "cannot open");
			buf_free(&err);
			errors++;
			continue;
		}
		while ((rc = history_reader_next(rd, &r)) == 1) {
			used += (unsigned long long)report_agg_add(agg, r);
			history_rec_free(r);
			if (o->progress && ++n % 1000000 == 0)
				fprintf(stderr, "\rauthmilter-report: %llu records read, %llu in period",
				    n, used);
		}
		if (rc < 0) {
			log_warnx("history=%s: read error; later records not counted", path);
			errors++;
		}
		if (history_reader_skipped(rd) > 0)
			log_warnx("history=%s: skipped %lu malformed or torn records", path,
			    history_reader_skipped(rd));
		history_reader_close(rd);
	}
	if (o->progress && n >= 1000000)
		fputc('\n', stderr);
	return errors;
}

/* add_unique - append s unless present (case-insensitive) */
static void
add_unique(struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return;
	strlist_add(l, s);
}

/* destinations - verified mailto addresses for a domain (RFC 9990 §"Report
 * Delivery"); returns how many could not be verified for now (DNS) */
static int
destinations(struct run *rn, const char *pdomain, const struct strlist *rua, struct strlist *out)
{
	struct rua_list l = { 0, NULL };
	size_t i, max = (size_t)rn->o->conf->report_max_dest;
	int temp = 0;

	if (report_noreports(rn->o->conf->no_reports_list, pdomain)) {
		log_info("domain=%s: in NoReportsList, not sent", pdomain);
		return 0;
	}
	for (i = 0; i < rua->n; i++)
		if (strcmp(rua->v[i], "-") != 0)
			rua_parse(rua->v[i], strlen(rua->v[i]), &l);
	/* RFC 9990 "Report Delivery": in the order given, up to the
	 * receiver's limit; history files written before the daemon kept
	 * only that many (or by OpenDMARC) may list thousands */
	if (l.n > max)
		log_warnx("domain=%s: rua lists %zu URIs; the first %zu are used, %zu dropped "
		    "(ReportMaxDestinations)", pdomain, l.n, max, l.n - max);
	for (i = 0; i < l.n && i < max; i++) {
		struct strlist addrs = { 0, NULL };
		struct buf why = BUF_INIT;
		size_t j;

		if (l.v[i].kind != RUA_MAILTO) {
			log_info("domain=%s rua=%s: skipped: %s", pdomain, l.v[i].uri, l.v[i].why);
			continue;
		}
		switch (rua_verify(rn->o->dns, rn->dm, pdomain, &l.v[i], &addrs, &why)) {
		case RUA_VERIFY_OK:
			/* an override may name several addresses: the same limit */
			for (j = 0; j < addrs.n; j++)
				if (out->n < max)
					add_unique(out, addrs.v[j]);
				else
					log_warnx("domain=%s rua=%s: address %s dropped "
					    "(ReportMaxDestinations %zu)", pdomain, l.v[i].uri,
					    addrs.v[j], max);
			break;
		case RUA_VERIFY_TEMP:
			log_warnx("domain=%s rua=%s: not verified (temporary): %s", pdomain,
			    l.v[i].uri, why.data ? why.data : "");
			temp++;
			break;
		default:
			log_info("domain=%s rua=%s: external destination not authorised: %s",
			    pdomain, l.v[i].uri, why.data ? why.data : "");
		}
		strlist_free(&addrs);
		buf_free(&why);
	}
	rua_list_free(&l);
	return temp;
}

/* build_xml - the whole document of domain i */
static void
build_xml(struct run *rn, const struct report_agg *agg, size_t i, const char *id,
    struct buf *xml)
{
	const struct conf *c = rn->o->conf;
	struct report_meta m;
	struct report_policy p;
	char *contact = NULL;

	memset(&m, 0, sizeof(m));
	m.org_name = c->report_org_name ? c->report_org_name : rn->receiver;
	if (c->report_contact != NULL)
		m.email = c->report_contact;
	else if (c->report_from != NULL && (contact = report_mail_addr(c->report_from)) != NULL)
		m.email = contact;
	else
		m.email = "postmaster";
	m.report_id = id;
	m.begin = rn->o->begin;
	m.end = rn->o->end - 1;		/* date_range is inclusive */
	m.generator = PACKAGE_NAME "-report " PACKAGE_VERSION;
	report_agg_policy(agg, i, &p);
	report_xml_begin(xml, rn->o->format, &m, &p);
	report_agg_write_rows(agg, i, rn->o->format, xml);
	report_xml_end(xml, rn->o->format);
	free(contact);
}

/* keep_rejected - an invalid report stays on disk for a human */
static void
keep_rejected(struct run *rn, const char *fname, const struct buf *xml, const char *why)
{
	const char *dir = rn->o->outdir ? rn->o->outdir : rn->spool;
	struct buf n = BUF_INIT;

	buf_printf(&n, "%.*s.rejected.xml", (int)(strlen(fname) - 7), fname);
	if (dir != NULL && write_atomic(dir, n.data, xml->data, xml->len) == 0)
		log_err("report %s failed schema validation, kept as %s/%s: %s", fname, dir,
		    n.data, why);
	else
		log_err("report %s failed schema validation: %s", fname, why);
	rn->failures++;
	buf_free(&n);
}

/* spool_and_queue - save the gzip in the spool and queue one line per address */
static int
spool_and_queue(struct run *rn, const char *id, const char *fname, const struct buf *gz,
    const struct strlist *addrs)
{
	struct buf sp = BUF_INIT, dest = BUF_INIT;
	size_t j;

	if (write_atomic(rn->spool, fname, gz->data, gz->len) != 0)
		return -1;
	buf_printf(&sp, "%s/%s", rn->spool, fname);
	for (j = 0; j < addrs->n; j++) {
		buf_reset(&dest);
		buf_printf(&dest, "mailto:%s", addrs->v[j]);
		report_state_queue(rn->st, id, dest.data, sp.data, rn->o->now);
		rn->queued++;
	}
	buf_free(&sp);
	buf_free(&dest);
	return 0;
}

/* deliver_files - outdir copy and spool; 0 when the report may be recorded */
static int
deliver_files(struct run *rn, const char *id, const char *fname, const struct buf *gz,
    const struct strlist *addrs)
{
	if (rn->o->outdir != NULL) {
		if (write_atomic(rn->o->outdir, fname, gz->data, gz->len) != 0)
			return -1;
		rn->written++;
	}
	if (rn->st == NULL || addrs->n == 0)
		return 0;
	return spool_and_queue(rn, id, fname, gz, addrs);
}

static void	deliver_db(struct run *, const char *, const char *, const char *,
		    const struct buf *, const struct strlist *);

/* record_report - the state file learns the report was made (not when a
 * destination is unverified for now: the next run makes it again) */
static void
record_report(struct run *rn, const char *pd, const char *id, int temp)
{
	struct buf err = BUF_INIT;

	if (rn->st == NULL)
		return;
	/* a destination the DNS could not confirm yet: the report is not
	 * recorded, so the next run for this period makes it again and
	 * queues what it can verify then (an address already sent to or
	 * queued is not queued twice) */
	if (temp > 0)
		log_warnx("domain=%s id=%s: %d destination(s) not verified for now; "
		    "the next run for this period tries again", pd, id, temp);
	else
		report_state_add_report(rn->st, id, rn->mode, pd, rn->o->begin,
		    rn->o->end - 1, rn->o->now);
	buf_reset(&err);
	if (report_state_save(rn->st, &err) != 0) {
		log_err("state: %s", err.data);
		rn->failures++;
	}
	buf_free(&err);
}

/* generate - one policy domain's report, up to the state save (the
 * database's claims, with HistoryDatabase: deliver_db) */
static void
generate(struct run *rn, const struct report_agg *agg, size_t i)
{
	const char *pd = report_agg_domain(agg, i);
	struct buf xml = BUF_INIT, gz = BUF_INIT, fname = BUF_INIT, err = BUF_INIT;
	struct strlist addrs = { 0, NULL };
	char id[33];
	int temp = 0;

	if (!rua_domain_valid(pd, strlen(pd))) {
		log_warnx("domain=%s: not a valid domain name; no report", pd);
		return;
	}
	report_id(rn->receiver, pd, rn->o->begin, rn->o->end, rn->o->format, id);
	if (rn->st != NULL && report_state_has_report(rn->st, id, rn->mode)) {
		log_debug("domain=%s id=%s: already reported", pd, id);
		return;
	}
	report_filename(rn->receiver, pd, rn->o->begin, rn->o->end - 1, id, &fname);
	buf_reset(&xml);
	build_xml(rn, agg, i, id, &xml);
	if (rn->schema != NULL && report_xml_validate(rn->schema, xml.data, xml.len, &err) != 0) {
		keep_rejected(rn, fname.data, &xml, err.data);
		goto out;
	}
	if (report_gz_compress(xml.data, xml.len, fname.data, &gz) != 0) {
		log_err("domain=%s: gzip failed", pd);
		rn->failures++;
		goto out;
	}
	if (!rn->o->no_send)
		temp = destinations(rn, pd, report_agg_rua(agg, i), &addrs);
	if (deliver_files(rn, id, fname.data, &gz, &addrs) != 0) {
		rn->failures++;
		goto out;
	}
	log_info("report domain=%s id=%s messages=%llu rows=%zu destinations=%zu file=%s", pd,
	    id, report_agg_count(agg, i), report_agg_nrows(agg, i), addrs.n, fname.data);
	if (rn->db != NULL && !rn->o->no_send)
		deliver_db(rn, pd, id, fname.data, &gz, &addrs);
	record_report(rn, pd, id, temp);
out:
	strlist_free(&addrs);
	buf_free(&xml);
	buf_free(&gz);
	buf_free(&fname);
	buf_free(&err);
}

/* parse_fname - policy domain, begin and end back out of a spooled file name */
static int
parse_fname(const char *path, struct buf *pd, long long *b, long long *e)
{
	const char *f = strrchr(path, '/'), *p1, *p2;

	f = f ? f + 1 : path;
	if ((p1 = strchr(f, '!')) == NULL || (p2 = strchr(p1 + 1, '!')) == NULL)
		return -1;
	buf_reset(pd);
	buf_add(pd, p1 + 1, (size_t)(p2 - p1 - 1));
	if (sscanf(p2 + 1, "%lld!%lld!", b, e) != 2)
		return -1;
	return 0;
}

/* submit - the sender's fields of m, then compose and run sendmail; 0
 * when it exited 0 */
static int
submit(struct run *rn, struct report_mail *m, struct buf *err)
{
	struct buf msg = BUF_INIT;
	int rc = -1;

	m->from = rn->o->conf->report_from;
	m->submitter = rn->receiver;
	m->date = rn->o->now;
	if (report_mail_compose(m, &msg) != 0)
		buf_printf(err, "refused to compose (unsafe field)");
	else
		rc = report_mail_submit(rn->o->conf->report_sendmail, rn->envfrom, m->to, msg.data,
		    msg.len, rn->o->sendmail_timeout, err);
	buf_free(&msg);
	return rc;
}

/* send_one - compose and submit one queue entry; 0 when sendmail exited 0 */
static int
send_one(struct run *rn, const struct report_queued *q, struct buf *err)
{
	struct buf gz = BUF_INIT, pd = BUF_INIT;
	struct report_mail m;
	const char *fname = strrchr(q->spool, '/');
	int rc = -1;

	memset(&m, 0, sizeof(m));
	if (fileio_read(&gz, q->spool, err) != 0)
		goto out;
	if (parse_fname(q->spool, &pd, &m.begin, &m.end) != 0) {
		buf_printf(err, "spool file %s unusable", q->spool);
		goto out;
	}
	m.to = q->dest + 7;
	m.pdomain = pd.data;
	m.report_id = q->id;
	m.filename = fname ? fname + 1 : q->spool;
	m.gz = gz.data;
	m.gzlen = gz.len;
	rc = submit(rn, &m, err);
out:
	buf_free(&gz);
	buf_free(&pd);
	return rc;
}

/* deliver_db - each destination claimed in the database, sent, and the
 * outcome recorded (report_claim.h: a destination sent, or being sent by
 * another reporter, is passed over) */
static void
deliver_db(struct run *rn, const char *pd, const char *id, const char *fname,
    const struct buf *gz, const struct strlist *addrs)
{
	struct report_claim c = { pd, rn->o->begin, rn->o->end - 1, NULL, id, rn->owner };
	struct buf dest = BUF_INIT, err = BUF_INIT;
	struct report_mail m;
	const char *why;
	size_t j;
	int rc;

	if (addrs->n > 0 && (rn->envfrom == NULL || rn->o->conf->report_from == NULL)) {
		log_err("domain=%s: ReportFrom/ReportEnvelopeFrom is missing or not a plain "
		    "address; nothing sent", pd);
		rn->failures++;
		return;
	}
	for (j = 0; j < addrs->n; j++) {
		buf_reset(&dest);
		buf_printf(&dest, "mailto:%s", addrs->v[j]);
		c.dest = dest.data;
		buf_reset(&err);
		if ((rc = report_claim_take(rn->db, &c, time(NULL), &why, &err)) <= 0) {
			if (rc < 0)
				log_err("id=%s to=%s: claim: %s", id, c.dest, err.data);
			else
				log_info("id=%s to=%s: not sent here: %s", id, c.dest, why);
			rn->failures += rc < 0;
			continue;
		}
		memset(&m, 0, sizeof(m));
		m.to = addrs->v[j];
		m.pdomain = pd;
		m.begin = c.begin;
		m.end = c.end;
		m.report_id = id;
		m.filename = fname;
		m.gz = gz->data;
		m.gzlen = gz->len;
		rc = submit(rn, &m, &err);
		if (rc == 0) {
			log_info("id=%s to=%s: sent", id, c.dest);
			rn->sent++;
		} else {
			log_warnx("id=%s to=%s: delivery failed: %s", id, c.dest, err.data);
			rn->failures++;
		}
		buf_reset(&err);
		if (report_claim_done(rn->db, &c, rc == 0, time(NULL), rn->o->give_up_after,
		    &err) != 0) {
			log_err("id=%s to=%s: recording the outcome: %s", id, c.dest, err.data);
			rn->failures++;
		}
	}
	buf_free(&dest);
	buf_free(&err);
}

/* deliver_one - one queue entry, state saved after the outcome */
static void
deliver_one(struct run *rn, const struct report_queued *q)
{
	struct buf err = BUF_INIT, serr = BUF_INIT;
	char *id = xstrdup(q->id), *dest = xstrdup(q->dest), *spool = xstrdup(q->spool);

	if (strncmp(dest, "mailto:", 7) != 0 || send_one(rn, q, &err) != 0) {
		log_warnx("id=%s to=%s: delivery failed (try %ld): %s", id, dest, q->tries + 1,
		    err.data ? err.data : "unknown destination type");
		rn->failures++;
		if (q->first + rn->o->give_up_after < (long long)rn->o->now) {
			log_err("id=%s to=%s: giving up after %ld tries", id, dest, q->tries + 1);
			report_state_drop(rn->st, id, dest);
		} else
			report_state_failed(rn->st, id, dest, rn->o->now);
	} else {
		log_info("id=%s to=%s: sent", id, dest);
		report_state_sent(rn->st, id, dest, rn->o->now);
		rn->sent++;
	}
	if (report_state_save(rn->st, &serr) != 0) {
		log_err("state: %s", serr.data);
		rn->failures++;
	}
	if (!report_state_spool_used(rn->st, spool))
		unlink(spool);
	free(id);
	free(dest);
	free(spool);
	buf_free(&err);
	buf_free(&serr);
}

/* deliver_all - every queued entry, oldest first */
static void
deliver_all(struct run *rn)
{
	size_t i = 0;

	if (report_state_nqueued(rn->st) == 0)
		return;
	if (rn->envfrom == NULL || rn->o->conf->report_from == NULL) {
		log_err("%zu reports queued but ReportFrom/ReportEnvelopeFrom is missing or not a "
		    "plain address; nothing sent", report_state_nqueued(rn->st));
		rn->failures++;
		return;
	}
	while (i < report_state_nqueued(rn->st)) {
		struct report_queued q;
		size_t before = report_state_nqueued(rn->st);

		report_state_queued(rn->st, i, &q);
		deliver_one(rn, &q);
		if (report_state_nqueued(rn->st) == before)
			i++;
	}
}

/* open_state - load, lock, make the spool directory */
static int
open_state(struct run *rn)
{
	struct buf err = BUF_INIT, sp = BUF_INIT;
	struct stat st;

	rn->st = report_state_load(rn->o->state_path, &err);
	if (rn->st == NULL || report_state_lock(rn->st, &err) != 0) {
		log_err("state: %s", err.data ? err.data : "?");
		buf_free(&err);
		return -1;
	}
	buf_printf(&sp, "%s.spool", rn->o->state_path);
	rn->spool = buf_steal(&sp);
	/* our own directory: made 0700 by us, never one planted as a symlink */
	if ((mkdir(rn->spool, 0700) != 0 && errno != EEXIST) || lstat(rn->spool, &st) != 0) {
		log_warn("mkdir %s", rn->spool);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_err("spool %s is not a directory (a symlink?); refusing it", rn->spool);
		return -1;
	}
	report_state_prune(rn->st, rn->o->now, 400L * 86400);
	buf_free(&err);
	return 0;
}

/* open_db - HistoryDatabase: the store, and our name on claims */
static int
open_db(struct run *rn)
{
	struct buf err = BUF_INIT;

	if ((rn->db = store_schema_open(rn->o->db_url, &err)) == NULL) {
		log_err("database: %s", err.data ? err.data : "?");
		buf_free(&err);
		return -1;
	}
	rn->owner = report_claim_owner();
	return 0;
}

/* read_db - the period's imported records, grouped in SQL */
static int
read_db(struct run *rn, struct report_agg *agg)
{
	struct buf err = BUF_INIT;
	unsigned long bad = 0;
	long long n = report_db_aggregate(rn->db, agg, rn->o->begin, rn->o->end, &bad, &err);

	if (n < 0)
		log_err("database: %s", err.data ? err.data : "?");
	else
		log_debug("database: %lld records in the period", n);
	if (bad > 0)
		log_warnx("database: %lu groups with unreadable dkim or rua lines not counted", bad);
	buf_free(&err);
	return n < 0 || bad > 0;
}

/* setup - schema, receiver, envelope sender, state */
static int
setup(struct run *rn)
{
	const struct conf *c = rn->o->conf;
	struct buf err = BUF_INIT;
	const char *xsd = rn->o->format == REPORT_RFC7489 ? rn->o->rfc7489_schema
	    : rn->o->schema_path;

	rn->receiver = report_receiver(c);
	rn->mode = rn->o->no_send ? "dir" : "mail";
	if (c->report_envelope_from != NULL)
		rn->envfrom = report_mail_addr(c->report_envelope_from);
	else if (c->report_from != NULL)
		rn->envfrom = report_mail_addr(c->report_from);
	if (xsd != NULL && (rn->schema = report_schema_new(xsd, &err)) == NULL) {
		log_err("schema: %s", err.data);
		buf_free(&err);
		return -1;
	}
	if (xsd == NULL && rn->o->format == REPORT_RFC9990 && !rn->o->no_validate) {
		log_err("no RFC 9990 schema found (--schema); reports are not sent unvalidated");
		return -1;
	}
	buf_free(&err);
	/* the same discovery as the daemon's (DMARCStandard): RFC 9989 tree
	 * walk or the Public Suffix List; without it every host but the
	 * policy domain itself is verified */
	if (rn->o->dns != NULL && (rn->dm = dmarc_engine_new(rn->o->dns, c, &err)) == NULL)
		log_warnx("organizational domains: %s; every other destination host is verified",
		    err.data ? err.data : "?");
	buf_free(&err);
	if (rn->o->outdir != NULL && report_mkdir(rn->o->outdir, 0750) != 0) {
		log_warn("--outdir %s", rn->o->outdir);
		return -1;
	}
	if (rn->o->db_url != NULL)
		return open_db(rn);
	if (!rn->o->no_send || rn->o->outdir != NULL)
		return open_state(rn);
	return 0;
}

/* report_run - aggregate, generate, deliver */
int
report_run(const struct report_opts *o)
{
	struct run rn;
	struct report_agg *agg;
	size_t i;

	memset(&rn, 0, sizeof(rn));
	rn.o = o;
	if (setup(&rn) != 0) {
		rn.failures++;
		goto out;
	}
	agg = report_agg_new(o->begin, o->end);
	rn.failures += rn.db != NULL ? read_db(&rn, agg) : read_histories(o, agg);
	for (i = 0; i < report_agg_ndomains(agg); i++)
		generate(&rn, agg, i);
	report_agg_free(agg);
	if (rn.st != NULL && !o->no_send)
		deliver_all(&rn);
	log_info("done domains=%zu written=%lu queued=%lu sent=%lu failures=%d", i, rn.written,
	    rn.queued, rn.sent, rn.failures);
out:
	report_state_free(rn.st);
	store_close(rn.db);
	free(rn.owner);
	report_schema_free(rn.schema);
	dmarc_engine_free(rn.dm);
	free(rn.receiver);
	free(rn.envfrom);
	free(rn.spool);
	return rn.failures ? 1 : 0;
}
