/*
 * test_dkim_sign.c - lib/dkim_sign.c (signing one message) and
 * lib/dkim_signer.c (the set-up it reads: tables, keys, header lists)
 *
 * Known answers: the fixture message t/data/sign/kat/msg.eml signed at a
 * fixed t= with the fixture keys t/data/sign/kat/rsa.pem (RSA-2048) and
 * ed25519.pem must give exactly the DKIM-Signature values below.  Their
 * layout (tags, order, folding) is ours, libopendkim's RSA layout; their bh=
 * and b= were computed by dkimpy, independently of our code, with
 *
 *	t/data/sign/kat/kat.py KEY t/data/sign/kat/msg.eml 'VALUE'
 *
 * (dkimpy's body and header canonicalization, its RFC 6376 §5.4.2 header
 * selection, its RSASSA-PKCS1-v1_5 and PyNaCl's Ed25519 over the field with
 * b= empty).  Both schemes are deterministic, so any correct signer writing
 * this field must produce this b=.  Then: the h= list (SignHeaders,
 * OmitHeaders, OversignHeaders, OversignHeadersIfPresent, repeated
 * fields), the tags (x=, i=, signer templates), several keys in
 * SigningTable order, DontSignMailTo, and the refusals.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"
#include "conf.h"
#include "dkim_sign.h"
#include "dkim_signer.h"
#include "msgtext.h"
#include "tap.h"
#include "verdict.h"

#define KAT_T	1795000000ULL	/* t= of every signature here */

static const char *srcdir = ".";
static struct buf kat_msg = BUF_INIT;
static char tmpdir[] = "/tmp/test_dkim_sign.XXXXXX";

/*
 * The known answers.  RSA relaxed/relaxed is the default configuration;
 * each value is what follows "DKIM-Signature:".
 */
static const char kat_rsa_relaxed[] =
    " v=1; a=rsa-sha256; c=relaxed/relaxed; d=kat.example; s=rsa;\r\n"
    "\tt=1795000000; bh=cr9W6p6u89Mow9yWiTbdcHg7gQcy6bDkZNG2EXheiE0=;\r\n"
    "\th=From:To:Subject:Date:Message-ID:from:reply-to:subject:to:cc:\r\n"
    "\t content-type:date:message-id;\r\n"
    "\tb=D8JKBA4Hl9DuwXCptv+qwadtj4Lhlt1Ei50IoioqAy7nUWgL0sVTFiOKY4QEnPbvD\r\n"
    "\t U7WAeUeb2oDgzGjpx933nWcHmwOD+N0pZZPaI1j70CMWRCmU+WOSeQ6dMoKRWIB3IX\r\n"
    "\t VOyB3Mt6y5sygo8ZUJcAznYk574y5rrbuSSCyPCt5M9IzLK7om8bSdhv+F31nbr40o\r\n"
    "\t q+QzdddMAPfuJcf8M7n2FLAd4qlBdMrsByWZDg7rNfaTh+JxPMgLjxIT8CivZseW3h\r\n"
    "\t vtCdat3WweHkrRm1mJzbDodcWGsmVe+7tZZew07KVn5qtdp7kTMOuq8xFjo5rTvN33\r\n"
    "\t 9Xh9cB6nWNi3g==";
static const char kat_rsa_simple[] =
    " v=1; a=rsa-sha256; c=simple/simple; d=kat.example; s=rsa;\r\n"
    "\tt=1795000000; bh=rdxizyyxr/ey1LO+oVsuFXMS2LQqQGuUwctOs2dmg7k=;\r\n"
    "\th=From:To:Subject:Date:Message-ID:from:reply-to:subject:to:cc:\r\n"
    "\t content-type:date:message-id;\r\n"
    "\tb=GcQZkQwP/hAWvd51k2qqsTgsvyv4HzjdPy3ug8su3Oe0UEPrUJWvXcj3VCuXLzQlt\r\n"
    "\t gE6hVQQOP/M0NxLO/JbnLHGsp2cKn6GGXzaEo1rpzolcxJzxH9T0JG+lvU2ZHlmHD1\r\n"
    "\t JnvxE1TYUrqC9D8zlMoY5+KkctGCQEkpolvuh4jF33mcIJsFv8JuXn15sz8Hczy9sI\r\n"
    "\t rglmpE8sckeJjNFIxelpwaeEwE9lUDr3j5BXyRBNRhOMKiZJj6GcfFsDxCWEPneL6c\r\n"
    "\t 6O2sBu5kC7gbD3/PysqwqSrzH3pksPmAJU6zb1px1ty3GfLaJWJcx902k1pj3bBILB\r\n"
    "\t OsNyYeZ9WEEjg==";
static const char kat_ed_relaxed[] =
    " v=1; a=ed25519-sha256; c=relaxed/relaxed; d=kat.example;\r\n"
    "\ts=ed; t=1795000000; bh=cr9W6p6u89Mow9yWiTbdcHg7gQcy6bDkZNG2EXheiE0=;\r\n"
    "\th=From:To:Subject:Date:Message-ID:from:reply-to:subject:to:cc:\r\n"
    "\t content-type:date:message-id;\r\n"
    "\tb=xOR49Zazd4PiYjX9LHLrlOqhj7MVybKBeASAQNgIniT9Z/VLjKZebPgjEPfRlumxi\r\n"
    "\t 68Kweru9lCPwiQwDsANBA==";
static const char kat_ed_simple[] =
    " v=1; a=ed25519-sha256; c=simple/simple; d=kat.example; s=ed;\r\n"
    "\tt=1795000000; bh=rdxizyyxr/ey1LO+oVsuFXMS2LQqQGuUwctOs2dmg7k=;\r\n"
    "\th=From:To:Subject:Date:Message-ID:from:reply-to:subject:to:cc:\r\n"
    "\t content-type:date:message-id;\r\n"
    "\tb=oeSER1TNQNPRNiEI53uFumEQj+wHzEPy9jdN5hToa+t4Ndc3CjqMJP46emrh5RdA9\r\n"
    "\t 5RfVfdnitVnyQOEIOyNBw==";

static const struct {
	const char     *label, *key, *sel, *canon, *want;
} kat[] = {
	{ "RSA-2048 relaxed/relaxed", "rsa.pem", "rsa", "relaxed/relaxed", kat_rsa_relaxed },
	{ "RSA-2048 simple/simple", "rsa.pem", "rsa", "simple/simple", kat_rsa_simple },
	{ "Ed25519 relaxed/relaxed", "ed25519.pem", "ed", "relaxed/relaxed", kat_ed_relaxed },
	{ "Ed25519 simple/simple", "ed25519.pem", "ed", "simple/simple", kat_ed_simple },
};

/* text callbacks: the message into one dkims, t= fixed at eoh */
static void
on_header(void *arg, const char *name, const char *value)
{
	dkims_header(arg, name, value);
}

static void
on_eoh(void *arg)
{
	dkims_eoh_at(arg, KAT_T);
}

static void
on_body(void *arg, const unsigned char *p, size_t n)
{
	dkims_body(arg, p, n);
}

/* signer - a signer from config text (paths: "@" stands for the fixture
 * directory); NULL with the reason in err */
static struct dkim_signer *
signer(const char *text, struct buf *err)
{
	struct buf t = BUF_INIT;
	struct dkim_signer *s = NULL;
	struct conf *c;
	const char *p;

	buf_init(&t);
	for (p = text; *p; p++)
		if (*p == '@' && p[1] == '/')
			buf_printf(&t, "%s/data/sign/kat", srcdir);
		else
			buf_addc(&t, *p);
	if ((c = conf_parse("test.conf", t.data, t.len, err)) != NULL)
		s = dkim_signer_new(c, err);
	conf_free(c);
	buf_free(&t);
	return s;
}

/*
 * sign - msg (NULL: the fixture message) from user@domain signed by s, in
 * chunks of chunk bytes; the DKIM-Signature values land in v, the log
 * fields in log, the reason for no signature in why.  Signatures made.
 */
static size_t
sign(const struct dkim_signer *s, const char *msg, const char *user, const char *domain,
    size_t chunk, struct verdict *v, struct buf *log, struct buf *why)
{
	static const struct msgtext_cb cb = { on_header, on_eoh, on_body };
	struct dkims *d;
	size_t made;

	if ((d = dkims_new(s, "KATQID", user, domain, why)) == NULL)
		return 0;
	if (msg == NULL)
		msgtext_feed(kat_msg.data, kat_msg.len, chunk, &cb, d);
	else
		msgtext_feed(msg, strlen(msg), chunk, &cb, d);
	made = dkims_eom(d, v, log);
	dkims_free(d);
	return made;
}

/* sign_one - sign with config text (the body in chunks of chunk bytes, 0:
 * whole), the first signature value or "" */
static char *
sign_one(const char *conftext, const char *msg, const char *from_user, size_t chunk,
    struct buf *log)
{
	struct buf err = BUF_INIT, why = BUF_INIT;
	struct dkim_signer *s;
	struct verdict v;
	char *out;

	buf_init(&err);
	buf_init(&why);
	verdict_init(&v);
	if ((s = signer(conftext, &err)) == NULL)
		diag("signer: %s", err.data);
	else if (sign(s, msg, from_user, "kat.example", chunk, &v, log, &why) == 0)
		diag("not signed: %s", why.data ? why.data : "");
	out = xstrdup(v.nadd > 0 ? v.add[0].value : "");
	verdict_free(&v);
	dkim_signer_free(s);
	buf_free(&err);
	buf_free(&why);
	return out;
}

/* tag_of - the value of tag name in a signature, folding white space
 * removed ("" when absent) */
static char *
tag_of(const char *sig, const char *name)
{
	struct buf b = BUF_INIT;
	size_t nl = strlen(name);
	const char *p = sig;

	buf_init(&b);
	while (p && *p) {
		p += strspn(p, " \t\r\n;");
		if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
			for (p += nl + 1; *p && *p != ';'; p++)
				if (!strchr(" \t\r\n", *p))
					buf_addc(&b, *p);
			break;
		}
		p = strchr(p, ';');
	}
	buf_addc(&b, '\0');
	return buf_steal(&b);
}

/* tag_names - the tag names of a signature, in order, space-separated */
static char *
tag_names(const char *sig)
{
	struct buf b = BUF_INIT;
	const char *p = sig;

	buf_init(&b);
	while (p && *p) {
		p += strspn(p, " \t\r\n;");
		if (*p == '\0')
			break;
		if (b.len)
			buf_addc(&b, ' ');
		buf_add(&b, p, strcspn(p, "= \t\r\n"));
		p = strchr(p, ';');
	}
	buf_addc(&b, '\0');
	return buf_steal(&b);
}

/* test_kat - the known answers, the body fed whole and in 7-byte chunks */
static void
test_kat(void)
{
	size_t i;

	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		struct buf conf = BUF_INIT, log = BUF_INIT;
		char *got;

		buf_init(&conf);
		buf_init(&log);
		buf_printf(&conf, "Domain kat.example\nSelector %s\nKeyFile @/%s\n"
		    "RequireSafeKeys no\nCanonicalization %s\n", kat[i].sel, kat[i].key,
		    kat[i].canon);
		got = sign_one(conf.data, NULL, "alice", 0, &log);
		is_str(got, kat[i].want, "known answer: %s", kat[i].label);
		free(got);
		got = sign_one(conf.data, NULL, "alice", 7, &log);
		is_str(got, kat[i].want, "known answer: %s, body in 7-byte chunks", kat[i].label);
		free(got);
		buf_free(&conf);
		buf_free(&log);
	}
}

/* base - the short form with the RSA key, relaxed/relaxed */
#define BASE "Domain kat.example\nSelector rsa\nKeyFile @/rsa.pem\nRequireSafeKeys no\n"
#define NO_OVER "OversignHeaders .\nOversignHeadersIfPresent .\n"
/* a message with repeated fields */
#define REPEATED "From: a@kat.example\r\nTo: x@rcpt.example\r\nTo: y@rcpt.example\r\n" \
	"Subject: s\r\nX-Extra: 1\r\n\r\nbody\r\n"

/* test_h - which fields h= names (RFC 6376 §5.4.2, §8.15): the signed
 * fields as the message spells them, in message order, then the
 * oversigned names in lower case, OversignHeaders first */
static void
test_h(void)
{
	static const struct {
		const char     *label, *conf, *msg, *want;
	} rows[] = {
		/* defaults: From, Reply-To, Subject, To, Cc, Content-Type always
		 * once more; Date and Message-ID once more as present */
		{ "defaults", BASE, NULL, "From:To:Subject:Date:Message-ID:from:reply-to:subject:"
		    "to:cc:content-type:date:message-id" },
		{ "no oversigning", BASE NO_OVER, NULL, "From:To:Subject:Date:Message-ID" },
		{ "SignHeaders replaces the list", BASE NO_OVER "SignHeaders Subject, X-Mailer\n",
		    NULL, "From:Subject:X-Mailer" },
		{ "SignHeaders * edits it", BASE NO_OVER "SignHeaders *, -Date, +Received\n",
		    NULL, "Received:From:To:Subject:Message-ID" },
		{ "OmitHeaders removes from every list", BASE "OmitHeaders To, Subject, Date\n",
		    NULL, "From:Message-ID:from:reply-to:cc:content-type:message-id" },
		{ "OmitHeaders From is ignored", BASE NO_OVER "OmitHeaders From\n", NULL,
		    "From:To:Subject:Date:Message-ID" },
		{ "an oversigned name is signed", BASE "SignHeaders To\nOversignHeaders X-Mailer\n"
		    "OversignHeadersIfPresent .\n", NULL, "From:To:X-Mailer:x-mailer" },
		{ "absent IfPresent name not listed", BASE "OversignHeaders .\n"
		    "OversignHeadersIfPresent Date, Sender\n", NULL,
		    "From:To:Subject:Date:Message-ID:date" },
		{ "OversignHeaders wins over IfPresent", BASE "OversignHeaders Date\n"
		    "OversignHeadersIfPresent Date\n", NULL, "From:To:Subject:Date:Message-ID:date" },
		{ "every instance of a repeated field", BASE NO_OVER, REPEATED,
		    "From:To:To:Subject" },
		{ "repeated field oversigned once", BASE "OversignHeaders To\n"
		    "OversignHeadersIfPresent .\n", REPEATED, "From:To:To:Subject:to" },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct buf log = BUF_INIT;
		char *sig, *h;

		buf_init(&log);
		sig = sign_one(rows[i].conf, rows[i].msg, "alice", 0, &log);
		h = tag_of(sig, "h");
		is_str(h, rows[i].want, "h=: %s", rows[i].label);
		free(h);
		free(sig);
		buf_free(&log);
	}
}

/* test_tags - the tags we write and their order */
static void
test_tags(void)
{
	struct buf log = BUF_INIT;
	char *sig, *x, *i, *tags;

	buf_init(&log);
	sig = sign_one(BASE "SignatureTTL 86400\nAddIdentity yes\nCanonicalization simple\n",
	    NULL, "alice", 0, &log);
	tags = tag_names(sig);
	is_str(tags, "v a c d s t x i bh h b", "tags in libopendkim's order");
	free(tags);
	x = tag_of(sig, "x");
	is_str(x, "1795086400", "SignatureTTL: x= is t= + 86400");
	free(x);
	free(sig);
	buf_reset(&log);
	sig = sign_one(BASE, NULL, "alice", 0, &log);
	x = tag_of(sig, "x");
	i = tag_of(sig, "i");
	ok(*x == '\0' && *i == '\0', "no SignatureTTL, no AddIdentity: no x=, no i=");
	ok(strstr(log.data, "d=kat.example s=rsa a=rsa-sha256 bits=2048") != NULL,
	    "log names the signature");
	free(x);
	free(i);
	free(sig);
	buf_free(&log);
}

/* write_tables - KeyTable (RSA, Ed25519) and SigningTable lines in tmpdir */
static void
write_tables(const char *signing)
{
	char path[1100];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/KeyTable", tmpdir);
	if ((fp = fopen(path, "w")) != NULL) {
		fprintf(fp, "rsa kat.example:rsa:%s/data/sign/kat/rsa.pem\n"
		    "ed kat.example:ed:%s/data/sign/kat/ed25519.pem\n"
		    "pct %%:rsa:%s/data/sign/kat/rsa.pem\n", srcdir, srcdir, srcdir);
		fclose(fp);
	}
	snprintf(path, sizeof(path), "%s/SigningTable", tmpdir);
	if ((fp = fopen(path, "w")) != NULL) {
		fputs(signing, fp);
		fclose(fp);
	}
}

/* tables_conf - config text naming the tables of write_tables */
static void
tables_conf(struct buf *b, const char *extra)
{
	buf_reset(b);
	buf_printf(b, "KeyTable %s/KeyTable\nSigningTable refile:%s/SigningTable\n"
	    "RequireSafeKeys no\n%s", tmpdir, tmpdir, extra);
}

/* first_tag - tag name of the first signature s makes for user@domain
 * ("" when none) */
static char *
first_tag(const struct dkim_signer *s, const char *user, const char *domain,
    const char *name, struct buf *log)
{
	struct buf why = BUF_INIT;
	struct verdict v;
	char *tag;

	buf_init(&why);
	verdict_init(&v);
	(void)sign(s, NULL, user, domain, 0, &v, log, &why);
	tag = tag_of(v.nadd ? v.add[0].value : "", name);
	verdict_free(&v);
	buf_free(&why);
	return tag;
}

/* test_tables - several keys, signer templates, unusable From domains */
static void
test_tables(void)
{
	static const struct {
		const char     *user, *domain, *tag, *want, *label;
	} rows[] = {
		{ "carol", "kat.example", "i", "x.kat.example@kat.example",
		    "signer template: % is the From domain" },
		{ "dave", "other.example", "i", "", "i= outside d=: signed without i=" },
		{ "dave", "other.example", "d", "kat.example", "i= outside d=: d= kept" },
		{ "eve", "third.example", "d", "third.example", "KeyTable %: d= is the From domain" },
	};
	struct buf conf = BUF_INIT, err = BUF_INIT, why = BUF_INIT, log = BUF_INIT;
	struct dkim_signer *s;
	struct verdict v;
	char *one_ed, *tag;
	size_t i;

	buf_init(&conf);
	buf_init(&err);
	buf_init(&why);
	buf_init(&log);
	write_tables("*@kat.example ed\n");
	tables_conf(&conf, "");
	one_ed = sign_one(conf.data, NULL, "alice", 0, &log);

	write_tables("alice@kat.example rsa,ed\n*@kat.example ed:x.%@kat.example\n"
	    "*@other.example ed:bob@elsewhere.example\n*@* pct\n");
	tables_conf(&conf, "");
	s = signer(conf.data, &err);
	ok(s != NULL && dkim_signer_nkeys(s) == 3, "KeyTable: three keys");
	verdict_init(&v);
	is_int(sign(s, NULL, "alice", "kat.example", 7, &v, &log, &why), 2,
	    "a key list signs twice");
	ok(v.nadd == 2 && strstr(v.add[0].value, "a=rsa-sha256") != NULL &&
	    strstr(v.add[1].value, "a=ed25519-sha256") != NULL, "in SigningTable order");
	is_str(v.nadd == 2 ? v.add[1].value : "", one_ed,
	    "the Ed25519 signature is the one it makes alone");
	verdict_free(&v);

	buf_reset(&log);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		tag = first_tag(s, rows[i].user, rows[i].domain, rows[i].tag, &log);
		is_str(tag, rows[i].want, "%s", rows[i].label);
		free(tag);
	}
	ok(strstr(log.data, "i=bob@elsewhere.example:not-under-d=kat.example") != NULL,
	    "i= outside d=: logged");
	verdict_init(&v);
	buf_reset(&why);
	is_int(sign(s, NULL, "eve", "[a;s=x]", 0, &v, &log, &why), 0,
	    "KeyTable %%: a domain literal gives no signature");
	ok(strstr(why.data, "from-domain-not-a-domain-name") != NULL, "and says why");
	verdict_free(&v);
	dkim_signer_free(s);
	free(one_ed);
	buf_free(&conf);
	buf_free(&err);
	buf_free(&why);
	buf_free(&log);
}

/* test_refusals - set-up errors, messages not signed, DontSignMailTo */
static void
test_refusals(void)
{
	struct buf err = BUF_INIT, why = BUF_INIT, log = BUF_INIT;
	struct dkim_signer *s;
	struct verdict v;

	buf_init(&err);
	buf_init(&why);
	buf_init(&log);
	s = signer("RequireSafeKeys no\nKeyTable /nonexistent/KeyTable\n", &err);
	ok(s == NULL && strstr(err.data, "SigningTable is not") != NULL,
	    "KeyTable without SigningTable refused");
	buf_reset(&err);
	s = signer(BASE "SignHeaders From, Sub:ject\n", &err);
	ok(s == NULL && strstr(err.data, "SignHeaders: \"sub:ject\" is not a header field name"),
	    "a bad SignHeaders name refused");
	buf_reset(&err);
	s = signer("Domain kat.example\nSelector rsa\nKeyFile @/missing.pem\n", &err);
	ok(s == NULL && strstr(err.data, "missing.pem") != NULL, "a missing key names the file");
	buf_reset(&err);
	s = signer("", &err);
	ok(s != NULL && dkim_signer_nkeys(s) == 0, "no signing keywords: an empty signer");
	ok(dkims_new(s, "Q", "a", "kat.example", &why) == NULL &&
	    strstr(why.data, "no signing keys configured"), "which signs nothing");
	dkim_signer_free(s);

	s = signer(BASE "DontSignMailTo x@rcpt.example, .sub.example\n", &err);
	ok(s != NULL, "signer with DontSignMailTo");
	is_int(dkim_signer_dont_sign_to(s, "X@rcpt.example"), 1, "DontSignMailTo: the address");
	is_int(dkim_signer_dont_sign_to(s, "y@rcpt.example"), 0, "DontSignMailTo: another");
	is_int(dkim_signer_dont_sign_to(s, "y@a.sub.example"), 1, "DontSignMailTo: .parent");
	is_int(dkim_signer_dont_sign_to(s, "y@sub.example"), 0, "DontSignMailTo: .parent itself");
	buf_reset(&why);
	ok(dkims_new(s, "Q", "a", "other.example", &why) == NULL &&
	    strstr(why.data, "no SigningTable match for a@other.example"),
	    "From domain without a key: nothing to sign, says why");
	verdict_init(&v);
	is_int(sign(s, "To: b@rcpt.example\r\nSubject: no From\r\n\r\nx\r\n", "a", "kat.example",
	    0, &v, &log, &why), 0, "no From field: no signature (RFC 6376 §5.4)");
	ok(strstr(log.data, "eoh-failed") != NULL, "logged as failed at eoh");
	verdict_free(&v);
	dkim_signer_free(s);
	buf_free(&err);
	buf_free(&why);
	buf_free(&log);
}

int
main(void)
{
	struct buf err = BUF_INIT;
	char path[1024];
	int rc;

	if (getenv("srcdir"))
		srcdir = getenv("srcdir");
	snprintf(path, sizeof(path), "%s/data/sign/kat/msg.eml", srcdir);
	buf_init(&err);
	buf_init(&kat_msg);
	if (!ok(fileio_read(&kat_msg, path, &err) == 0, "fixture message read")) {
		diag("%s", err.data);
		return tap_done();
	}
	if (!ok(mkdtemp(tmpdir) != NULL, "temporary directory"))
		return tap_done();
	test_kat();
	test_h();
	test_tags();
	test_tables();
	test_refusals();
	rc = tap_done();
	snprintf(path, sizeof(path), "%s/KeyTable", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/SigningTable", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	buf_free(&kat_msg);
	buf_free(&err);
	return rc;
}
