/*
 * test_ingest.c - unit tests of report/libingest.a: unpacking (gzip, zip,
 * raw XML, the bombs), the MIME walker, the aggregate report parser on each
 * quirk of issue 14 (t/data/ingest/), hostile XML, failure reports
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "fileio.h"
#include "ingest_agg.h"
#include "ingest_arf.h"
#include "ingest_mbox.h"
#include "ingest_mime.h"
#include "ingest_msg.h"
#include "ingest_text.h"
#include "ingest_unpack.h"
#include "tap.h"

#ifndef INGEST_DATA
#define INGEST_DATA "t/data/ingest"
#endif

/* slurp - a sample file's bytes (the test stops when it is missing) */
static void
slurp(const char *name, struct buf *b)
{
	struct buf path = BUF_INIT, err = BUF_INIT;

	buf_init(b);
	buf_init(&path);
	buf_init(&err);
	buf_printf(&path, "%s/%s", INGEST_DATA, name);
	if (fileio_read(b, path.data, &err) != 0) {
		printf("Bail out! %s\n", err.data);
		exit(1);
	}
	buf_free(&path);
	buf_free(&err);
}

/* has_note - whether a note contains s */
static int
has_note(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strstr(l->v[i], s) != NULL)
			return 1;
	return 0;
}

/* gz - p[0..n) as one gzip member appended to out */
static void
gz(const void *p, size_t n, struct buf *out)
{
	z_stream z;
	unsigned char chunk[65536];
	int rc;

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)p;
	z.avail_in = (uInt)n;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = deflate(&z, Z_FINISH);
		buf_add(out, chunk, sizeof(chunk) - z.avail_out);
	} while (rc == Z_OK);
	deflateEnd(&z);
}

struct member {
	const char *name;
	const void *data;
	size_t	len;
	size_t	repeat;		/* the member written this many times (names numbered) */
};

/* zip - a zip archive of members (libarchive's writer, deflate) */
static void
zip(const struct member *m, size_t nm, struct buf *out)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t cap = 64u << 20, used = 0, i, k;
	char *mem = xmalloc(cap), name[64];

	archive_write_set_format_zip(a);
	archive_write_open_memory(a, mem, cap, &used);
	for (i = 0; i < nm; i++)
		for (k = 0; k < (m[i].repeat ? m[i].repeat : 1); k++) {
			snprintf(name, sizeof(name), "%zu-%s", k, m[i].name);
			archive_entry_clear(e);
			archive_entry_set_pathname(e, name);
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_size(e, (la_int64_t)m[i].len);
			archive_write_header(a, e);
			archive_write_data(a, m[i].data, m[i].len);
		}
	archive_write_close(a);
	archive_write_free(a);
	archive_entry_free(e);
	buf_add(out, mem, used);
	free(mem);
}

static const char small_xml[] = "<?xml version=\"1.0\"?><feedback><x>1</x></feedback>\n";

/* test_sniff - content decides, not names */
static void
test_sniff(void)
{
	is_int(ingest_sniff("\x1f\x8b\x08", 3), INGEST_KIND_GZIP, "sniff: gzip magic");
	is_int(ingest_sniff("PK\x03\x04", 4), INGEST_KIND_ZIP, "sniff: zip local header");
	is_int(ingest_sniff("\xef\xbb\xbf  \n<?xml", 10), INGEST_KIND_XML, "sniff: XML after BOM and space");
	is_int(ingest_sniff("hello", 5), INGEST_KIND_OTHER, "sniff: text is other");
	is_int(ingest_sniff("", 0), INGEST_KIND_OTHER, "sniff: empty is other");
}

/* test_gzip - members, trailing bytes, damage */
static void
test_gzip(void)
{
	struct buf g = BUF_INIT, want = BUF_INIT;
	struct ingest_docs d;

	buf_init(&g);
	gz(small_xml, strlen(small_xml), &g);
	memset(&d, 0, sizeof(d));
	is_int(ingest_unpack(g.data, g.len, NULL, &d), 0, "gzip: unpacked");
	ok(d.n == 1 && d.v[0].len == strlen(small_xml) && memcmp(d.v[0].data, small_xml, d.v[0].len) == 0,
	    "gzip: the document comes back whole");
	ingest_docs_free(&d);

	buf_adds(&g, "\r\n-- trailing junk from a webmail\r\n");
	is_int(ingest_unpack(g.data, g.len, NULL, &d), 0, "gzip + trailing bytes: unpacked");
	ok(d.n == 1 && d.v[0].len == strlen(small_xml), "gzip + trailing bytes: one document");
	ok(has_note(&d.notes, "bytes after the gzip stream ignored"), "gzip + trailing bytes: noted");
	ingest_docs_free(&d);

	/* RFC 1952 §2.2: two members are one file */
	buf_reset(&g);
	gz("<feedback>", 10, &g);
	gz("</feedback>", 11, &g);
	is_int(ingest_unpack(g.data, g.len, NULL, &d), 0, "concatenated gzip members: unpacked");
	is_str(d.n == 1 ? d.v[0].data : NULL, "<feedback></feedback>", "concatenated members: joined");
	ok(has_note(&d.notes, "2 concatenated gzip members"), "concatenated members: noted");
	ingest_docs_free(&d);

	/* cut short: what inflated is kept, with a note */
	buf_reset(&g);
	buf_init(&want);
	while (want.len < 200000)
		buf_printf(&want, "<feedback>%zu</feedback>", want.len);
	gz(want.data, want.len, &g);
	is_int(ingest_unpack(g.data, g.len / 2, NULL, &d), 0, "truncated gzip: partly recovered");
	ok(has_note(&d.notes, "cut short"), "truncated gzip: noted");
	ingest_docs_free(&d);
	is_int(ingest_unpack("\x1f\x8b\x08\x00garbage", 11, NULL, &d), -1, "damaged gzip header: refused");
	ok(d.reject != NULL && strstr(d.reject, "gzip") != NULL, "damaged gzip: reason says gzip");
	ingest_docs_free(&d);
	is_int(ingest_unpack("just text", 9, NULL, &d), -1, "plain text: refused");
	is_str(d.reject, "neither XML, gzip nor zip", "plain text: reason");
	ingest_docs_free(&d);
	buf_free(&g);
	buf_free(&want);
}

/* test_bombs - the caps on decompressed bytes and members */
static void
test_bombs(void)
{
	struct ingest_limits lim;
	struct ingest_docs d;
	struct buf g = BUF_INIT, z = BUF_INIT;
	size_t big = INGEST_MAX_TOTAL + (1u << 20);
	char *zeros = xcalloc(1, big);
	struct member m = { "bomb.xml", zeros, big, 0 };
	struct member many = { "r.xml", small_xml, strlen(small_xml), 10000 };
	struct member hundred = { "r.xml", small_xml, strlen(small_xml), INGEST_MAX_MEMBERS };

	zeros[0] = '<';
	buf_init(&g);
	gz(zeros, big, &g);
	diag("gzip bomb: %zu bytes inflate to %zu", g.len, big);
	memset(&d, 0, sizeof(d));
	is_int(ingest_unpack(g.data, g.len, NULL, &d), -1, "gzip bomb: refused at the default cap");
	ok(d.reject != NULL && strstr(d.reject, "decompressed size over 67108864") != NULL,
	    "gzip bomb: reason names the cap (%s)", d.reject ? d.reject : "none");
	is_int(d.n, 0, "gzip bomb: no document kept");
	ingest_docs_free(&d);

	buf_init(&z);
	zip(&m, 1, &z);
	diag("zip bomb: %zu bytes", z.len);
	is_int(ingest_unpack(z.data, z.len, NULL, &d), -1, "zip bomb: refused");
	ok(d.reject != NULL && strstr(d.reject, "decompressed size over") != NULL, "zip bomb: reason");
	ingest_docs_free(&d);

	buf_reset(&z);
	zip(&many, 1, &z);
	is_int(ingest_unpack(z.data, z.len, NULL, &d), -1, "zip of 10,000 members: refused");
	is_str(d.reject, "zip archive with more than 100 members", "10,000 members: reason");
	ingest_docs_free(&d);
	buf_reset(&z);
	zip(&hundred, 1, &z);
	is_int(ingest_unpack(z.data, z.len, NULL, &d), 0, "zip of exactly 100 members: taken");
	is_int(d.n, 100, "zip of 100 members: 100 documents");
	ingest_docs_free(&d);

	/* configurable: a smaller cap refuses what the default takes */
	ingest_limits_default(&lim);
	lim.max_members = 10;
	is_int(ingest_unpack(z.data, z.len, &lim, &d), -1, "max_members 10: 100 members refused");
	ingest_docs_free(&d);
	lim.max_total = 1000;
	lim.max_members = 200;
	is_int(ingest_unpack(z.data, z.len, &lim, &d), -1, "max_total 1000: 100 small members refused");
	ingest_docs_free(&d);
	free(zeros);
	buf_free(&g);
	buf_free(&z);
}

/* test_zip - every member, nested gzip, zip labelled anything */
static void
test_zip(void)
{
	struct buf z = BUF_INIT, g = BUF_INIT;
	struct ingest_docs d;
	struct member two[2] = { { "a.xml", "<feedback>a</feedback>", 22, 0 },
	    { "b.xml", "<feedback>b</feedback>", 22, 0 } };
	struct member nest = { "c.xml.gz", NULL, 0, 0 };

	buf_init(&z);
	zip(two, 2, &z);
	memset(&d, 0, sizeof(d));
	is_int(ingest_unpack(z.data, z.len, NULL, &d), 0, "zip of two members: unpacked");
	is_int(d.n, 2, "zip: every member is a document");
	is_str(d.n == 2 ? d.v[1].data : NULL, "<feedback>b</feedback>", "zip: second member's content");
	is_str(d.n == 2 ? d.v[0].name : NULL, "0-a.xml", "zip: member name kept");
	ingest_docs_free(&d);

	buf_init(&g);
	gz("<feedback>c</feedback>", 22, &g);
	nest.data = g.data;
	nest.len = g.len;
	buf_reset(&z);
	zip(&nest, 1, &z);
	is_int(ingest_unpack(z.data, z.len, NULL, &d), 0, "zip holding an .xml.gz: unpacked");
	is_str(d.n == 1 ? d.v[0].data : NULL, "<feedback>c</feedback>", "zip holding .xml.gz: inflated too");
	ingest_docs_free(&d);
	is_int(ingest_unpack(z.data, z.len / 2, NULL, &d), -1, "zip cut in half: refused");
	ingest_docs_free(&d);
	buf_free(&z);
	buf_free(&g);
}

/* scan_file - ingest_msg_scan over a sample message */
static void
scan_file(const char *name, struct ingest_found *f)
{
	struct buf b;

	slurp(name, &b);
	memset(f, 0, sizeof(*f));
	ingest_msg_scan(b.data, b.len, NULL, f);
	buf_free(&b);
}

/* test_messages - attachments found by content in the sample mails */
static void
test_messages(void)
{
	struct ingest_found f;
	struct buf want, q;

	slurp("agg-rfc7489.xml", &want);
	scan_file("msg-gzip-b64.eml", &f);
	ok(f.docs.n == 1 && f.docs.v[0].len == want.len && memcmp(f.docs.v[0].data, want.data, want.len) == 0,
	    "base64 gzip attachment: the report comes back byte for byte");
	ok(!f.has_arf && f.rejects.n == 0, "base64 gzip attachment: no failure report, nothing refused");
	ingest_found_free(&f);

	scan_file("msg-zip-as-gzip.eml", &f);
	is_int(f.docs.n, 1, "zip sent as application/x-gzip: one report (the HTML part is not one)");
	ok(f.docs.n == 1 && strstr(f.docs.v[0].data, "r-9990-1") != NULL, "zip as gzip: the RFC 9990 report");
	ingest_found_free(&f);

	scan_file("msg-octet-qp.eml", &f);
	ok(f.docs.n == 1 && strstr(f.docs.v[0].data, "<report_id>r-qp</report_id>") != NULL &&
	    f.docs.v[0].len == want.len - 4, "quoted-printable octet-stream: decoded exactly");
	ingest_found_free(&f);

	scan_file("msg-nested.eml", &f);
	ok(f.docs.n == 1 && strstr(f.docs.v[0].data, "r-nested") != NULL,
	    "zip inside a forwarded message/rfc822: found");
	ingest_found_free(&f);

	/* soft line breaks and =XX; base64 with junk bytes ignored */
	slurp("agg-rfc7489.xml", &q);
	{
		const char *m = "Content-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n"
		    "a=3Db=\nc =C3=A9=\r\nd\n";
		struct ingest_mime mm;

		memset(&mm, 0, sizeof(mm));
		ingest_mime_walk(m, strlen(m), &mm);
		is_str(mm.n == 1 ? mm.v[0].data : NULL, "a=bc \xc3\xa9" "d\n", "quoted-printable decoding");
		ingest_mime_free(&mm);
		m = "Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
		    "PGZl ZWRi\r\nYWNr*Lz4=\n";
		ingest_mime_walk(m, strlen(m), &mm);
		is_str(mm.n == 1 ? mm.v[0].data : NULL, "<feedback/>", "base64 decoding skips junk");
		ingest_mime_free(&mm);
	}
	buf_free(&q);
	buf_free(&want);
}

/* test_mime_hostile - deep nesting and many parts stay bounded */
static void
test_mime_hostile(void)
{
	struct buf m = BUF_INIT;
	struct ingest_mime mm;
	int i;

	buf_init(&m);
	for (i = 0; i < 10000; i++)
		buf_printf(&m, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i);
	buf_adds(&m, "Content-Type: text/plain\n\nbottom\n");
	memset(&mm, 0, sizeof(mm));
	ingest_mime_walk(m.data, m.len, &mm);
	ok(has_note(&mm.notes, "MIME nesting over 16 levels ignored"), "10,000 nested multiparts: cut at 16 levels");
	is_int(mm.n, 0, "10,000 nested multiparts: no leaf from below the cap");
	ingest_mime_free(&mm);

	buf_reset(&m);
	buf_adds(&m, "Content-Type: multipart/mixed; boundary=x\n\n");
	for (i = 0; i < 5000; i++)
		buf_adds(&m, "--x\nContent-Type: text/plain\n\np\n");
	buf_adds(&m, "--x--\n");
	ingest_mime_walk(m.data, m.len, &mm);
	is_int(mm.n, INGEST_MIME_MAX_PARTS - 1, "5,000 parts: the multipart and 999 leaves kept");
	ok(has_note(&mm.notes, "parts past 1000 ignored"), "5,000 parts: noted");
	ingest_mime_free(&mm);

	buf_reset(&m);
	for (i = 0; i < 10000; i++)
		buf_adds(&m, "Content-Type: message/rfc822\n\n");
	ingest_mime_walk(m.data, m.len, &mm);
	ok(mm.n <= INGEST_MIME_MAX_DEPTH, "10,000 nested message/rfc822: at most %d leaves (%zu)",
	    INGEST_MIME_MAX_DEPTH, mm.n);
	ingest_mime_free(&mm);
	buf_free(&m);
}

/* test_headers - field access and parameters */
static void
test_headers(void)
{
	const char *h = "Subject: a\r\n b\r\nContent-Type: Multipart/Report;\r\n\treport-type=\"feedback-report\";"
	    " boundary=\"x;y\\\"z\"\r\nbroken line\r\nX: 1\r\n\r\nbody";
	char *v, *p;

	v = ingest_hdr_get(h, strlen(h), "subject");
	is_str(v, "a b", "folded field unfolded");
	free(v);
	v = ingest_hdr_get(h, strlen(h), "Content-Type");
	p = ingest_mime_param(v, "boundary");
	is_str(p, "x;y\"z", "quoted boundary with ';' and an escaped quote");
	free(p);
	p = ingest_mime_param(v, "report-type");
	is_str(p, "feedback-report", "report-type parameter");
	free(p);
	free(v);
	v = ingest_hdr_get(h, strlen(h), "X");
	is_str(v, "1", "a line without a colon is skipped");
	free(v);
	is_int(ingest_hdr_end(h, strlen(h)), strlen(h) - 4, "header block ends after the blank line");
}

/* test_mbox - From_ splitting and a Maildir */
static void
test_mbox(void)
{
	struct buf b, err = BUF_INIT;
	struct strlist l = { 0, NULL };
	const char *m;
	size_t off = 0, len, n = 0;
	char dir[] = "/tmp/test_ingest.XXXXXX", path[200];
	FILE *fp;

	slurp("mbox-two.mbox", &b);
	ok(ingest_mbox_is(b.data, b.len), "mbox recognised by its From_ line");
	while (ingest_mbox_next(b.data, b.len, &off, &m, &len)) {
		n++;
		ok(len > 5 && memcmp(m, "From: ", 6) == 0, "mbox message %zu starts with its headers", n);
	}
	is_int(n, 2, "mbox: two messages");
	buf_free(&b);

	if (mkdtemp(dir) == NULL)
		return;
	snprintf(path, sizeof(path), "%s/cur", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/new", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/new/2.host", dir);
	if ((fp = fopen(path, "w")) != NULL)
		fclose(fp);
	snprintf(path, sizeof(path), "%s/cur/1.host:2,S", dir);
	if ((fp = fopen(path, "w")) != NULL)
		fclose(fp);
	buf_init(&err);
	is_int(ingest_maildir_list(dir, &l, &err), 0, "Maildir listed");
	is_int(l.n, 2, "Maildir: cur/ and new/ files");
	ok(l.n == 2 && strstr(l.v[0], "/cur/1.host") != NULL, "Maildir: cur/ first");
	is_int(ingest_maildir_list("/nonexistent-dir", &l, &err), -1, "not a Maildir: refused");
	strlist_free(&l);
	buf_free(&err);
	unlink(path);
	snprintf(path, sizeof(path), "%s/new/2.host", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/new", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/cur", dir);
	rmdir(path);
	rmdir(dir);
}

/* parse_file - ingest_agg_parse over a sample; returns its status */
static int
parse_file(const char *name, struct ingest_agg *a)
{
	struct buf b;
	int rc;

	slurp(name, &b);
	memset(a, 0, sizeof(*a));
	rc = ingest_agg_parse(b.data, b.len, NULL, a);
	buf_free(&b);
	return rc;
}

/* test_agg_forms - RFC 7489 and RFC 9990 reports, every field */
static void
test_agg_forms(void)
{
	struct ingest_agg a;
	const struct ingest_row *r;

	is_int(parse_file("agg-rfc7489.xml", &a), 0, "rfc7489: parsed");
	is_str(ingest_agg_format_name(a.format), "rfc7489", "rfc7489: format");
	is_str(a.org_name, "Example Receiver", "rfc7489: org_name");
	is_str(a.email, "noreply-dmarc@receiver.example", "rfc7489: email");
	is_str(a.report_id, "r-7489-1", "rfc7489: report_id");
	is_int(a.begin, 1700006400, "rfc7489: begin");
	is_int(a.end, 1700092799, "rfc7489: end");
	is_str(a.policy.domain, "example.com", "rfc7489: policy domain");
	is_str(a.policy.p, "none", "rfc7489: p");
	is_int(a.policy.pct, 100, "rfc7489: pct");
	is_str(a.policy.adkim, "r", "rfc7489: adkim");
	is_int(a.nrows, 2, "rfc7489: two records");
	is_int(a.messages, 5, "rfc7489: five messages");
	r = &a.rows[0];
	is_str(r->source_ip, "192.0.2.1", "row 1: source_ip");
	is_int(r->count, 3, "row 1: count");
	is_str(r->disposition, "none", "row 1: disposition");
	ok(r->ndkim == 1 && strcmp(r->auth_dkim[0].selector, "s1") == 0 &&
	    strcmp(r->auth_dkim[0].result, "pass") == 0, "row 1: dkim auth result with selector");
	ok(r->nspf == 1 && strcmp(r->auth_spf[0].domain, "example.com") == 0, "row 1: spf auth result");
	r = &a.rows[1];
	is_str(r->source_ip, "2001:db8::1", "row 2: IPv6 source");
	is_str(r->dkim, "fail", "row 2: policy_evaluated dkim");
	is_int(a.notes.n, 0, "rfc7489: a clean report has no notes");
	ingest_agg_free(&a);

	is_int(parse_file("agg-rfc9990.xml", &a), 0, "rfc9990: parsed");
	is_str(ingest_agg_format_name(a.format), "rfc9990", "rfc9990: format by namespace");
	is_str(a.policy.np, "reject", "rfc9990: np");
	is_str(a.policy.testing, "n", "rfc9990: testing");
	is_str(a.policy.discovery, "treewalk", "rfc9990: discovery_method");
	is_int(a.policy.pct, -1, "rfc9990: no pct");
	is_str(a.generator, "Receiver 2.0", "rfc9990: generator");
	is_str(a.nrows ? a.rows[0].disposition : NULL, "pass", "rfc9990: disposition pass");
	is_str(a.nrows && a.rows[0].nspf ? a.rows[0].auth_spf[0].selector : NULL, "mfrom", "rfc9990: spf scope");
	ingest_agg_free(&a);
}

/* test_agg_quirks - one sample per quirk of issue 14: what is recovered
 * and the note that says so */
static void
test_agg_quirks(void)
{
	struct ingest_agg a;
	const struct ingest_row *r;

	is_int(parse_file("quirk-wrapper.xml", &a), 0, "wrapper around <feedback>: parsed");
	is_str(a.report_id, "r-wrap", "wrapper: report_id");
	ok(has_note(&a.notes, "<feedback> inside a <report> wrapper"), "wrapper: noted");
	ingest_agg_free(&a);

	is_int(parse_file("quirk-unescaped.xml", &a), 0, "unescaped < and &: parsed");
	is_str(a.org_name, "AT&T < Mail & Co", "unescaped: org_name as sent");
	is_str(a.report_id, "r-esc&1", "unescaped: report_id as sent");
	r = a.nrows ? &a.rows[0] : NULL;
	ok(r && r->nreasons == 1 && strcmp(r->reasons[0].comment, "list a<b & c&nbsp;d") == 0 &&
	    strcmp(r->reasons[0].type, "local_policy") == 0, "unescaped: reason comment as sent");
	ok(has_note(&a.notes, "unescaped '&' escaped") && has_note(&a.notes, "unescaped '<' escaped"),
	    "unescaped: both noted");
	ingest_agg_free(&a);

	is_int(parse_file("quirk-latin1.xml", &a), 0, "Latin-1 bytes in a UTF-8 document: parsed");
	is_str(a.org_name, "Soci\xc3\xa9t\xc3\xa9 G\xc3\xa9n\xc3\xa9rale \xe2\x80\x99mail\xe2\x80\x99",
	    "Latin-1 bytes: read as windows-1252, stored as UTF-8");
	ok(has_note(&a.notes, "invalid UTF-8 bytes read as windows-1252"), "Latin-1 bytes: noted");
	ingest_agg_free(&a);

	is_int(parse_file("quirk-cp1252-declared.xml", &a), 0, "windows-1252 declared: parsed");
	is_str(a.org_name, "Caf\xc3\xa9 \xe2\x82\xac Ltd", "windows-1252: converted (0x80 is the euro sign)");
	ok(has_note(&a.notes, "declared encoding windows-1252 converted"), "windows-1252: noted");
	ingest_agg_free(&a);

	is_int(parse_file("quirk-case.xml", &a), 0, "case and synonyms: parsed");
	is_str(a.policy.domain, "example.com", "case: policy domain lower case");
	is_str(a.policy.p, "reject", "case: Reject -> reject");
	r = a.nrows ? &a.rows[0] : NULL;
	ok(r && strcmp(r->disposition, "quarantine") == 0, "case: Quarantine -> quarantine");
	ok(r && strcmp(r->dkim, "pass") == 0, "case: Pass -> pass");
	ok(r && strcmp(r->spf, "fail") == 0, "case: hardfail -> fail");
	ok(r && r->ndkim == 1 && strcmp(r->auth_dkim[0].result, "pass") == 0, "case: dkim result Pass -> pass");
	ok(r && r->nspf == 2 && strcmp(r->auth_spf[0].result, "softfail") == 0 &&
	    strcmp(r->auth_spf[1].result, "temperror") == 0, "case: SoftFail, TempError normalised");
	ok(has_note(&a.notes, "spf 'hardfail' read as 'fail'"), "case: noted");
	ingest_agg_free(&a);

	is_int(parse_file("quirk-weeks.xml", &a), 0, "three-week date range: parsed");
	is_int(a.end - a.begin + 1, 21 * 86400, "weeks: range kept as sent");
	ok(has_note(&a.notes, "date range of 21 days"), "weeks: noted");
	ingest_agg_free(&a);

	is_int(parse_file("quirk-zero.xml", &a), 0, "zero counts: parsed");
	is_int(a.nrows, 2, "zero counts: the zero row kept");
	is_int(a.nrows ? a.rows[0].count : 99, 0, "zero counts: count 0");
	is_int(a.messages, 7, "zero counts: messages summed");
	ok(has_note(&a.notes, "record with count 0 kept"), "zero counts: noted");
	ingest_agg_free(&a);
}

/* test_agg_hostile - DTDs, entities, refusals and caps */
static void
test_agg_hostile(void)
{
	struct ingest_agg_limits lim;
	struct ingest_agg a;
	struct buf b = BUF_INIT;
	int i;

	is_int(parse_file("hostile-billion-laughs.xml", &a), 0, "billion laughs: parsed without expansion");
	is_str(a.org_name, "&j;", "billion laughs: the reference stays text");
	ok(has_note(&a.notes, "DOCTYPE declaration dropped"), "billion laughs: DOCTYPE dropped, noted");
	ingest_agg_free(&a);
	is_int(parse_file("hostile-xxe.xml", &a), 0, "external entity: parsed");
	is_str(a.org_name, "X&xxe;Y", "external entity: /etc/passwd not read");
	ingest_agg_free(&a);

	is_int(parse_file("reject-nofeedback.xml", &a), -1, "HTML: refused");
	is_str(a.reject, "no <feedback> element", "HTML: reason");
	ingest_agg_free(&a);
	is_int(parse_file("reject-noid.xml", &a), -1, "empty report_id: refused");
	is_str(a.reject, "no report_id", "empty report_id: reason");
	ingest_agg_free(&a);
	memset(&a, 0, sizeof(a));
	is_int(ingest_agg_parse("\x00\x01\x02", 3, NULL, &a), -1, "binary: refused");
	ingest_agg_free(&a);

	/* caps: rows, string length, document size */
	ingest_agg_limits_default(&lim);
	lim.max_rows = 1;
	slurp("agg-rfc7489.xml", &b);
	memset(&a, 0, sizeof(a));
	is_int(ingest_agg_parse(b.data, b.len, &lim, &a), 0, "row cap 1: parsed");
	is_int(a.nrows, 1, "row cap 1: one row kept");
	ok(has_note(&a.notes, "1 records past the cap of 1 ignored"), "row cap: noted");
	ingest_agg_free(&a);
	lim.max_xml = b.len - 1;
	is_int(ingest_agg_parse(b.data, b.len, &lim, &a), -1, "size cap: refused");
	ingest_agg_free(&a);
	buf_free(&b);

	buf_init(&b);
	buf_adds(&b, "<feedback><report_metadata><org_name>");
	for (i = 0; i < 1000; i++)
		buf_adds(&b, "\xc3\xa9");
	buf_adds(&b, "</org_name><report_id>x</report_id><date_range><begin>1</begin><end>2</end>"
	    "</date_range></report_metadata><policy_published><domain>e.example</domain>"
	    "</policy_published></feedback>");
	is_int(ingest_agg_parse(b.data, b.len, NULL, &a), 0, "2000-byte org_name: parsed");
	is_int(strlen(a.org_name), INGEST_AGG_MAX_STR, "long org_name: cut at the cap on a character boundary");
	ok(has_note(&a.notes, "<org_name> cut at 256 bytes"), "long org_name: noted");
	ingest_agg_free(&a);
	buf_free(&b);
}

/* test_notes - notes stay valid UTF-8 without control bytes */
static void
test_notes(void)
{
	struct strlist l = { 0, NULL };

	ingest_note(&l, "a %s", "\xc3\xa9\x01\xc3");
	ingest_note(&l, "a %s", "\xc3\xa9\x01\xc3");
	is_int(l.n, 1, "notes: a repeated note kept once");
	is_str(l.n ? l.v[0] : NULL, "a \xc3\xa9??", "notes: control byte and a cut character replaced");
	strlist_free(&l);
}

/* test_words - the normalisation table */
static void
test_words(void)
{
	static const struct { const char *kind, *in, *want; } t[] = {
		{ "spf", "Pass", "pass" }, { "spf", "hardfail", "fail" }, { "spf", "SoftFail", "softfail" },
		{ "spf", "unknown", "permerror" }, { "spf", " TEMPERROR ", "temperror" },
		{ "dkim", "softfail", "fail" }, { "dkim", "Perm-Error", "permerror" },
		{ "eval", "hardfail", "fail" }, { "eval", "PASS", "pass" }, { "eval", "softfail", "fail" },
		{ "disposition", "Rejected", "reject" }, { "disposition", "pass", "pass" },
		{ "policy", "pass", NULL }, { "dkim", "bogus", NULL }, { "reason", "mailing-list", "mailing_list" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		is_str(ingest_result_word(t[i].kind, t[i].in), t[i].want, "word %s '%s'", t[i].kind, t[i].in);
}

/* test_arf - failure reports, ARF and plain text */
static void
test_arf(void)
{
	struct ingest_found f;

	scan_file("msg-arf.eml", &f);
	ok(f.has_arf, "ARF: found");
	is_str(f.arf.feedback_type, "auth-failure", "ARF: Feedback-Type");
	is_str(f.arf.reporter, "mx.receiver.example", "ARF: reporter from Reporting-MTA");
	is_int(f.arf.arrival_epoch, 1700006341, "ARF: Arrival-Date as epoch");
	is_str(f.arf.source_ip, "203.0.113.9", "ARF: Source-IP");
	is_str(f.arf.reported_domain, "example.com", "ARF: Reported-Domain");
	is_str(f.arf.from_domain, "example.com", "ARF: From domain of the returned headers");
	is_str(f.arf.auth_failure, "dmarc", "ARF: Auth-Failure");
	is_str(f.arf.delivery_result, "reject", "ARF: Delivery-Result");
	ok(f.arf.auth_results && strstr(f.arf.auth_results, "spf=fail smtp.mailfrom=bad.example"),
	    "ARF: folded Authentication-Results unfolded");
	ok(f.arf.headers && strstr(f.arf.headers, "Subject: urgent"), "ARF: returned headers kept");
	is_int(f.docs.n, 0, "ARF: no aggregate report in it");
	ingest_found_free(&f);

	scan_file("msg-arf-plain.eml", &f);
	ok(f.has_arf && f.arf.plain, "plain-text failure report: found");
	is_str(f.arf.source_ip, "203.0.113.10", "plain: Source-IP");
	is_str(f.arf.reporter, "mx.other.example", "plain: reporter from the report's From");
	is_str(f.arf.from_domain, "example.com", "plain: From domain of the headers that follow");
	is_int(f.arf.arrival_epoch, 1700118000, "plain: the report's Date (+0100) as epoch");
	ingest_found_free(&f);

	/* fuzz_ingest_mime found it: a multipart/report without its
	 * message/feedback-report part but with fields in the text part and a
	 * headers part: the plain-text reading took the headers, then the
	 * headers part took them again (the first copy leaked) */
	{
		const char *m = "Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n"
		    "--b\nContent-Type: text/plain\n\nFeedback-Type: auth-failure\nSource-IP: 192.0.2.1\n\n"
		    "From: a@one.example\n\n--b\nContent-Type: text/rfc822-headers\n\nFrom: b@two.example\n\n--b--\n";

		memset(&f, 0, sizeof(f));
		ingest_msg_scan(m, strlen(m), NULL, &f);
		ok(f.has_arf && f.arf.plain, "fields in the text part of a multipart/report: read");
		is_str(f.arf.from_domain, "one.example", "returned headers taken once: the first ones");
		ingest_found_free(&f);
	}

	scan_file("msg-gzip-b64.eml", &f);
	ok(!f.has_arf, "an aggregate report mail is no failure report");
	ingest_found_free(&f);

	is_int(ingest_date("Tue, 14 Nov 2023 23:59:01 +0000"), 1700006341, "date with weekday");
	is_int(ingest_date("14 Nov 2023 23:59 -0130"), 1700006340 + 5400, "date without seconds, negative zone");
	is_int(ingest_date("yesterday"), -1, "not a date");
	is_int(ingest_date("32 Nov 2023 00:00:00 +0000"), -1, "day 32 refused");
}

int
main(void)
{
	test_sniff();
	test_gzip();
	test_bombs();
	test_zip();
	test_messages();
	test_mime_hostile();
	test_headers();
	test_mbox();
	test_agg_forms();
	test_agg_quirks();
	test_agg_hostile();
	test_words();
	test_notes();
	test_arf();
	return tap_done();
}
