/*
 * dkim_verify.c - inbound DKIM verification over libopendkim (RFC 6376)
 *
 * libopendkim does the canonicalization and the cryptography; this module
 * decides which signatures are looked at (the first MaximumSignaturesToVerify
 * in header order), when keys are fetched (at end of message, through our
 * resolver: DKIM_LIBFLAGS_DELAYSIGPROC), and what each signature's outcome
 * is called in RFC 8601 words, adding the rules libopendkim 2.11 does not
 * apply: RFC 8301 (no rsa-sha1, no RSA keys under MinimumKeyBits).
 * DKIM_LIBFLAGS_BADSIGHANDLES keeps malformed signatures in the list so that
 * each one is reported (permerror) instead of silently dropped.
 *
 * Only the first MaximumSignaturesToVerify DKIM-Signature fields reach
 * libopendkim: it parses every signature field it is given and runs every
 * header canonicalization over every header, so 20,000 signatures cost it
 * tens of seconds whatever its prescreen callback ignores.  Each of those
 * fields first passes our tag-list check (dkim_tag.c: duplicate tags,
 * b=/bh= not base64), which libopendkim does not make; one that fails is
 * still handed over (a later signature may cover it) but never verified.
 */
#include "config.h"

#include <sys/types.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <opendkim/dkim.h>

#include "conf.h"
#include "dkim_dns.h"
#include "dkim_keycache.h"
#include "dkim_tag.h"
#include "dkim_verify.h"
#include "dns.h"
#include "log.h"
#include "verdict.h"

struct dkimv_engine {
	DKIM_LIB       *lib;
	unsigned	min_bits;	/* MinimumKeyBits */
	int		max_sigs;	/* MaximumSignaturesToVerify */
	int		timeout;	/* DNSTimeout */
};

enum dkimv_state {
	DKIMV_HEADERS,		/* taking headers */
	DKIMV_BODY,		/* signed: taking the body */
	DKIMV_DONE,		/* eom ran: results available */
	DKIMV_NONE		/* unsigned, or libopendkim gave up */
};

struct dkimv {
	struct dkimv_engine *e;
	DKIM	       *dkim;
	char	       *qid;
	enum dkimv_state state;
	DKIM_STAT	stat;		/* last libopendkim status worth keeping */
	char	       *why;		/* libopendkim's message for it */
	char	       *skipped;	/* [max_sigs]: not tried, DNS timed out */
	char	      **bad;		/* [max_sigs]: our tag-list check failed: why */
	size_t		nfields;	/* DKIM-Signature fields seen */
	int		passed;		/* of them handed to libopendkim (<= max_sigs) */
	int		broken;		/* libopendkim's list does not match passed */
};

/* dkimv_prescreen - libopendkim lists one signature per field handed to
 * it, in order (dkimv_header); those that failed our tag-list check are
 * ignored, so neither their body hash nor their key is computed */
static DKIM_CBSTAT
dkimv_prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	struct dkimv *v = dkim_get_user_context(dkim);
	int i;

	if (v == NULL)
		return DKIM_CBSTAT_CONTINUE;
	if (nsigs != v->passed)
		v->broken = 1;
	for (i = 0; i < nsigs; i++)
		if (v->broken || i >= v->e->max_sigs || v->bad[i] != NULL)
			dkim_sig_ignore(sigs[i]);
	return DKIM_CBSTAT_CONTINUE;
}

/* dkimv_setopt - one library option, reason in err on failure */
static int
dkimv_setopt(DKIM_LIB *lib, int opt, void *p, size_t len, const char *what, struct buf *err)
{
	if (dkim_options(lib, DKIM_OP_SETOPT, opt, p, len) == DKIM_STAT_OK)
		return 0;
	buf_printf(err, "libopendkim: cannot set %s", what);
	return -1;
}

/* dkimv_engine_new - see dkim_verify.h */
struct dkimv_engine *
dkimv_engine_new(struct dns *d, const struct conf *c, struct buf *err)
{
	struct dkimv_engine *e = xcalloc(1, sizeof(*e));
	uint32_t flags = DKIM_LIBFLAGS_BADSIGHANDLES | DKIM_LIBFLAGS_DELAYSIGPROC;
	unsigned int timeout = (unsigned int)c->dns_timeout;
	dkim_query_t qm = DKIM_QUERY_DNS;
	uint64_t drift = c->clock_drift >= 0 ? (uint64_t)c->clock_drift : 300;

	e->min_bits = c->min_key_bits > 0 ? (unsigned)c->min_key_bits : 1024;
	e->max_sigs = c->max_verify_sigs > 0 ? (int)c->max_verify_sigs : 5;
	e->timeout = (int)timeout;
	if ((e->lib = dkim_init(NULL, NULL)) == NULL) {
		buf_adds(err, "libopendkim: dkim_init failed");
		free(e);
		return NULL;
	}
	if (dkimv_setopt(e->lib, DKIM_OPTS_FLAGS, &flags, sizeof(flags), "flags", err) != 0 ||
	    dkimv_setopt(e->lib, DKIM_OPTS_TIMEOUT, &timeout, sizeof(timeout), "DNSTimeout", err) != 0 ||
	    dkimv_setopt(e->lib, DKIM_OPTS_MINKEYBITS, &e->min_bits, sizeof(e->min_bits),
		"MinimumKeyBits", err) != 0 ||
	    dkimv_setopt(e->lib, DKIM_OPTS_QUERYMETHOD, &qm, sizeof(qm), "query method", err) != 0 ||
	    dkimv_setopt(e->lib, DKIM_OPTS_CLOCKDRIFT, &drift, sizeof(drift), "ClockDrift", err) != 0 ||
	    dkim_set_prescreen(e->lib, dkimv_prescreen) != DKIM_STAT_OK) {
		dkimv_engine_free(e);
		return NULL;
	}
	dkimdns_attach(e->lib, d);
	dkim_keycache_enable(1);
	return e;
}

/* dkimv_engine_free - release the library handle */
void
dkimv_engine_free(struct dkimv_engine *e)
{
	if (e == NULL)
		return;
	if (e->lib)
		dkim_close(e->lib);
	free(e);
}

/* dkimv_fail - libopendkim refused a step: remember why, stop feeding it */
static void
dkimv_fail(struct dkimv *v, DKIM_STAT st, const char *step)
{
	const char *msg = dkim_geterror(v->dkim);

	v->stat = st;
	free(v->why);
	v->why = xstrdup(msg && *msg ? msg : dkim_getresultstr(st));
	log_debug("%s: dkim %s: %s (%s)", v->qid, step, dkim_getresultstr(st), v->why);
}

/* dkimv_new - a verification handle for one message; never NULL */
struct dkimv *
dkimv_new(struct dkimv_engine *e, const char *queue_id)
{
	struct dkimv *v = xcalloc(1, sizeof(*v));
	DKIM_STAT st = DKIM_STAT_OK;

	v->e = e;
	v->skipped = xcalloc(e ? (size_t)e->max_sigs : 1, 1);
	v->bad = xcalloc(e ? (size_t)e->max_sigs : 1, sizeof(*v->bad));
	v->qid = xstrdup(queue_id ? queue_id : "NOQUEUE");
	v->state = DKIMV_HEADERS;
	if (e == NULL) {		/* no engine: an inert handle, no results */
		v->state = DKIMV_NONE;
		return v;
	}
	v->dkim = dkim_verify(e->lib, (const unsigned char *)v->qid, NULL, &st);
	if (v->dkim == NULL) {
		log_warnx("%s: dkim: cannot start verification: %s", v->qid, dkim_getresultstr(st));
		v->stat = st;
		v->state = DKIMV_NONE;
	} else
		(void)dkim_set_user_context(v->dkim, v);
	return v;
}

/* is_sig_field - does libopendkim take this field as a DKIM-Signature?
 * Its test: a name of printable ASCII and spaces only (anything else and
 * it refuses the field), spaces before the colon not counted */
static int
is_sig_field(const char *name)
{
	size_t n = strlen(name);

	while (n > 0 && name[n - 1] == ' ')
		n--;
	return n == 14 && strncasecmp(name, "DKIM-Signature", 14) == 0;
}

/* dkimv_header - one header field, "Name:value" as libopendkim wants it;
 * a DKIM-Signature field after the first MaximumSignaturesToVerify is not
 * handed over at all, so the cost of a message stays linear in its size */
void
dkimv_header(struct dkimv *v, const char *name, const char *value)
{
	struct buf h = BUF_INIT;
	char why[128];
	int sig;
	DKIM_STAT st;

	if (v == NULL || v->state != DKIMV_HEADERS)
		return;
	if ((sig = is_sig_field(name)) != 0) {
		v->nfields++;
		if (v->passed >= v->e->max_sigs)
			return;
		/* RFC 6376 §3.2 (duplicate tag), §2.4 (b=, bh= base64) */
		if (dkim_tag_sig_check(value, strlen(value), why, sizeof(why)) != 0)
			v->bad[v->passed] = xstrdup(why);
		v->passed++;
	}
	buf_init(&h);
	buf_adds(&h, name);
	buf_addc(&h, ':');
	buf_adds(&h, value);
	/* a header libopendkim cannot take is skipped.  A signature field it
	 * refuses on syntax is still listed (bad, BADSIGHANDLES); one it could
	 * not store leaves its list out of step with ours: see prescreen */
	st = dkim_header(v->dkim, (unsigned char *)h.data, h.len);
	if (sig && st != DKIM_STAT_OK && st != DKIM_STAT_SYNTAX)
		v->broken = 1;
	buf_free(&h);
}

/* dkimv_eoh - end of headers: find and parse the signatures */
void
dkimv_eoh(struct dkimv *v)
{
	DKIM_STAT st;

	if (v == NULL || v->state != DKIMV_HEADERS)
		return;
	if (v->nfields > (size_t)v->passed)
		log_info("%s: dkim: %zu DKIM-Signature fields after the first %d not evaluated "
		    "(MaximumSignaturesToVerify)", v->qid, v->nfields - (size_t)v->passed, v->passed);
	st = dkim_eoh(v->dkim);
	if (st == DKIM_STAT_OK)
		v->state = DKIMV_BODY;
	else if (st == DKIM_STAT_NOSIG)
		/* signatures all set aside by prescreen are still reported */
		v->state = v->passed > 0 ? DKIMV_DONE : DKIMV_NONE;
	else {
		/* signatures may still be listed (each with its error) */
		dkimv_fail(v, st, "eoh");
		v->state = DKIMV_DONE;
	}
}

/* dkimv_body - a body chunk, streamed into the body hashes */
void
dkimv_body(struct dkimv *v, const unsigned char *p, size_t n)
{
	DKIM_STAT st;

	if (v == NULL || v->state != DKIMV_BODY || n == 0)
		return;
	st = dkim_body(v->dkim, (unsigned char *)p, n);
	if (st != DKIM_STAT_OK) {
		dkimv_fail(v, st, "body");
		v->state = DKIMV_DONE;
	}
}

/* elapsed_ms - milliseconds from a to b */
static long
elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (long)(b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* dkimv_keys - fetch each signature's key and check it, in header order,
 * before dkim_eom; once a lookup has run into DNSTimeout the later ones are
 * not tried (reported temperror), so a message costs one timeout, not one
 * per signature */
static void
dkimv_keys(struct dkimv *v)
{
	DKIM_SIGINFO **sigs = NULL;
	struct timespec t0, t1;
	int i, n = 0, down = 0;

	if (dkim_getsiglist(v->dkim, &sigs, &n) != DKIM_STAT_OK)
		return;
	for (i = 0; i < n && i < v->e->max_sigs; i++) {
		if ((dkim_sig_getflags(sigs[i]) & (DKIM_SIGFLAG_PROCESSED | DKIM_SIGFLAG_IGNORE)) ||
		    dkim_sig_geterror(sigs[i]) != DKIM_SIGERROR_UNKNOWN)
			continue;
		if (down) {
			dkim_sig_ignore(sigs[i]);
			v->skipped[i] = 1;
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		(void)dkim_sig_process(v->dkim, sigs[i]);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (dkim_sig_geterror(sigs[i]) == DKIM_SIGERROR_KEYFAIL &&
		    elapsed_ms(&t0, &t1) >= v->e->timeout * 1000L - 200)
			down = 1;
	}
}

/* dkimv_eom - end of message: fetch keys and verify every signature kept */
void
dkimv_eom(struct dkimv *v)
{
	DKIM_SIGINFO **sigs = NULL;
	DKIM_STAT st;
	int i, n = 0;

	if (v == NULL || v->state != DKIMV_BODY)
		return;
	v->state = DKIMV_DONE;
	dkimv_keys(v);
	st = dkim_eom(v->dkim, NULL);
	/* OK, BADSIG, NOKEY, KEYFAIL, REVOKED, CANTVRFY only summarise the
	 * one signature libopendkim picked; each one is judged below */
	if (st == DKIM_STAT_NORESOURCE || st == DKIM_STAT_INTERNAL || st == DKIM_STAT_INVALID)
		dkimv_fail(v, st, "eom");
	if (dkim_getsiglist(v->dkim, &sigs, &n) != DKIM_STAT_OK)
		return;
	/* dkim_eom stops early when the body could not be finished; make
	 * sure every signature within the cap has been tried */
	for (i = 0; i < n && i < v->e->max_sigs; i++)
		if ((dkim_sig_getflags(sigs[i]) & (DKIM_SIGFLAG_PROCESSED | DKIM_SIGFLAG_IGNORE)) == 0 &&
		    dkim_sig_geterror(sigs[i]) == DKIM_SIGERROR_UNKNOWN)
			(void)dkim_sig_process(v->dkim, sigs[i]);
}

/* tag - a signature tag's value, or NULL */
static const char *
tag(DKIM_SIGINFO *sig, const char *name)
{
	return (const char *)dkim_sig_gettagvalue(sig, 0, (u_char *)name);
}

/* b_prefix - the first 8 characters of b=, folding white space removed
 * (RFC 8601 §2.7.1 header.b) */
static char *
b_prefix(DKIM_SIGINFO *sig)
{
	const char *b = tag(sig, "b");
	char out[9];
	size_t n = 0;

	if (b == NULL)
		return NULL;
	for (; *b && n < 8; b++)
		if (!isspace((unsigned char)*b))
			out[n++] = *b;
	out[n] = '\0';
	return n ? xstrdup(out) : NULL;
}

/* lower_dup - a lower-cased copy, NULL stays NULL */
static char *
lower_dup(const char *s)
{
	char *c, *p;

	if (s == NULL)
		return NULL;
	c = xstrdup(s);
	for (p = c; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return c;
}

/* sigerror_word - the RFC 8601 result for a libopendkim signature error */
static const char *
sigerror_word(int err)
{
	switch (err) {
	case DKIM_SIGERROR_BADSIG:
		return "fail";			/* RFC 6376 §6.1.3 */
	case DKIM_SIGERROR_KEYFAIL:
		return "temperror";		/* §6.1.2 step 3: TEMPFAIL */
	case DKIM_SIGERROR_KEYTOOSMALL:
		return "policy";		/* RFC 8301 §3.2 */
	default:
		/* §6.1.1 signature checks (syntax, expiry, i= vs d=, h=
		 * without From, l= beyond the body) and §6.1.2 key checks
		 * (no key, revoked, bad record): PERMFAIL, nothing to retry */
		return "permerror";
	}
}

/* judge - result and reason of signature i */
static void
judge(struct dkimv *v, DKIM_SIGINFO *sig, int i, struct verdict_dkim *d)
{
	unsigned int flags = dkim_sig_getflags(sig);
	int err = dkim_sig_geterror(sig), bh = dkim_sig_getbh(sig);
	struct buf why = BUF_INIT;
	const char *res;

	buf_init(&why);
	if (v->broken) {
		res = "temperror";
		buf_adds(&why, "internal error: libopendkim could not take the signature fields");
	} else if (v->bad[i] != NULL) {
		res = "permerror";		/* RFC 6376 §6.1.1: PERMFAIL */
		buf_adds(&why, v->bad[i]);
	} else if (v->skipped[i]) {
		res = "temperror";		/* RFC 6376 §6.1.2: TEMPFAIL */
		buf_adds(&why, "key not looked up: DNS timed out for an earlier signature");
	} else if (err != DKIM_SIGERROR_UNKNOWN && err != DKIM_SIGERROR_OK) {
		res = sigerror_word(err);
		buf_adds(&why, err == DKIM_SIGERROR_BADSIG && bh == DKIM_SIGBH_MISMATCH ?
		    "body hash did not verify" : dkim_sig_geterrorstr(err));
		if (err == DKIM_SIGERROR_KEYTOOSMALL)
			buf_printf(&why, " (%u bits, MinimumKeyBits %u)", d->bits, v->e->min_bits);
	} else if ((flags & DKIM_SIGFLAG_PROCESSED) == 0) {
		res = v->stat == DKIM_STAT_NORESOURCE || v->stat == DKIM_STAT_INTERNAL ? "temperror"
		    : "permerror";
		buf_printf(&why, "not verified: %s", v->why ? v->why : "message not usable");
	} else if ((flags & DKIM_SIGFLAG_PASSED) == 0) {
		res = "fail";
		buf_adds(&why, "signature did not verify");
	} else if (bh != DKIM_SIGBH_MATCH) {
		res = "fail";
		buf_adds(&why, "body hash did not verify");
	} else if (d->algorithm && strcmp(d->algorithm, "rsa-sha1") == 0) {
		res = "policy";			/* RFC 8301 §3.1 */
		buf_adds(&why, "rsa-sha1 is not accepted (RFC 8301)");
	} else if (d->algorithm && strncmp(d->algorithm, "rsa-", 4) == 0 &&
	    d->bits < v->e->min_bits) {
		res = "policy";			/* RFC 8301 §3.2 */
		buf_printf(&why, "RSA key of %u bits, MinimumKeyBits %u", d->bits, v->e->min_bits);
	} else
		res = "pass";
	if (d->length_limit && strcmp(res, "pass") == 0) {
		ssize_t msglen = -1, canonlen = -1, signlen = -1;

		(void)dkim_sig_getcanonlen(v->dkim, sig, &msglen, &canonlen, &signlen);
		buf_printf(&why, "l=%zd: body signed up to %zd of %zd canonical bytes", signlen,
		    canonlen, msglen);
	}
	verdict_set(&d->result, res);
	if (why.len)
		verdict_set(&d->reason, why.data);
	buf_free(&why);
}

/* debug_sig - one debug line per signature, values quoted as in the
 * per-message line (log_kv) */
static void
debug_sig(const struct dkimv *v, const struct verdict_dkim *d)
{
	struct buf b = BUF_INIT;

	if (!log_debugging())
		return;
	buf_init(&b);
	log_quote(&b, v->qid, strlen(v->qid));
	buf_addc(&b, ':');
	log_kv(&b, "dkim", d->result);
	log_kv(&b, "d", d->domain);
	log_kv(&b, "s", d->selector);
	log_kv(&b, "a", d->algorithm);
	buf_printf(&b, " bits=%u%s%s", d->bits, d->testing ? " testing=y" : "",
	    d->length_limit ? " l=y" : "");
	log_kvq(&b, "reason", d->reason ? d->reason : "");
	log_debug("%s", b.data);
	buf_free(&b);
}

/* dkimv_results - see dkim_verify.h */
void
dkimv_results(struct dkimv *v, struct verdict *out)
{
	DKIM_SIGINFO **sigs = NULL;
	struct verdict_dkim *d;
	const char *s;
	unsigned int bits;
	int i, n = 0;

	if (v == NULL || v->state != DKIMV_DONE ||
	    dkim_getsiglist(v->dkim, &sigs, &n) != DKIM_STAT_OK)
		return;
	for (i = 0; i < n && i < v->e->max_sigs; i++) {
		if ((dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE) && !v->skipped[i] &&
		    v->bad[i] == NULL && !v->broken)
			continue;
		d = verdict_add_dkim(out);
		s = (const char *)dkim_sig_getdomain(sigs[i]);
		d->domain = lower_dup(s ? s : tag(sigs[i], "d"));
		s = (const char *)dkim_sig_getselector(sigs[i]);
		d->selector = xstrdup(s ? s : tag(sigs[i], "s") ? tag(sigs[i], "s") : "");
		if (d->domain == NULL)
			d->domain = xstrdup("");
		d->b_prefix = b_prefix(sigs[i]);
		d->algorithm = lower_dup(tag(sigs[i], "a"));
		bits = 0;
		if (dkim_sig_getkeysize(sigs[i], &bits) == DKIM_STAT_OK)
			d->bits = bits;
		if (d->bits == 0 && d->algorithm && strcmp(d->algorithm, "ed25519-sha256") == 0 &&
		    (dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_PROCESSED) &&
		    (dkim_sig_geterror(sigs[i]) == DKIM_SIGERROR_OK ||
		    dkim_sig_geterror(sigs[i]) == DKIM_SIGERROR_BADSIG))
			d->bits = 256;		/* RFC 8463 §3: keys are 256 bits */
		d->testing = (dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_TESTKEY) != 0;
		d->length_limit = tag(sigs[i], "l") != NULL;
		switch (dkim_sig_getdnssec(sigs[i])) {
		case DKIM_DNSSEC_SECURE: d->dnssec = DNS_SEC_SECURE; break;
		case DKIM_DNSSEC_BOGUS: d->dnssec = DNS_SEC_BOGUS; break;
		default: d->dnssec = DNS_SEC_INSECURE; break;
		}
		judge(v, sigs[i], i, d);
		debug_sig(v, d);
	}
}

/* dkimv_free - release everything; safe at any point (abort) */
void
dkimv_free(struct dkimv *v)
{
	int i;

	if (v == NULL)
		return;
	if (v->dkim)
		dkim_free(v->dkim);
	free(v->qid);
	free(v->why);
	if (v->bad != NULL && v->e != NULL)
		for (i = 0; i < v->e->max_sigs; i++)
			free(v->bad[i]);
	free(v->bad);
	free(v->skipped);
	free(v);
}
