/*
 * dkim_dns.c - plug the shared resolver (lib/dns) into libopendkim
 *
 * libopendkim asks for keys through hooks (dkim_dns_set_query_*): start a
 * query writing a wire-format reply into its buffer, wait for it, cancel
 * (release) it.  It parses that reply itself: rcode NXDOMAIN or an empty
 * answer section mean "no key" (DKIM_STAT_NOKEY, permanent), a waitreply
 * status other than DKIM_DNS_SUCCESS means the lookup failed
 * (DKIM_STAT_KEYFAIL, temporary), and it gives up on answer records of
 * types it does not expect.  So we hand it a clean reply rebuilt from our
 * result (question plus the TXT records), never libunbound's raw packet
 * with its RRSIGs.  dns_query is synchronous and bounded by DNSTimeout, so
 * the start hook does the lookup and waitreply only reports it, as
 * libopendkim's own res_* stubs do; the timeout it passes is not needed.
 */
#include "config.h"

#include <sys/types.h>
#include <arpa/nameser.h>
#include <stdlib.h>
#include <string.h>

#include <opendkim/dkim.h>

#include "buf.h"
#include "dkim_dns.h"
#include "dns.h"

/* one query: what waitreply reports */
struct dkimdns_q {
	int		status;		/* DKIM_DNS_* */
	size_t		bytes;		/* reply length in the caller's buffer */
	int		dnssec;		/* DKIM_DNSSEC_* */
};

/* dkimdns_put_name - name in wire format at buf+n; new offset, 0 if no room */
static size_t
dkimdns_put_name(const char *name, unsigned char *buf, size_t n, size_t buflen)
{
	const char *p = name, *dot;
	size_t lab;

	while (*p) {
		dot = strchr(p, '.');
		lab = dot ? (size_t)(dot - p) : strlen(p);
		if (lab == 0 || lab > 63 || n + 1 + lab >= buflen)
			return 0;
		buf[n++] = (unsigned char)lab;
		memcpy(buf + n, p, lab);
		n += lab;
		p += lab + (dot ? 1 : 0);
	}
	buf[n++] = 0;
	return n;
}

/* dkimdns_packet - a clean reply for name/type in buf: header, question and
 * the records of the asked type only (libunbound has already followed any
 * CNAME; RRSIGs and other sections are left out, because libopendkim's
 * parser stops at answer types it does not expect).  rcode 3 and no
 * records say NXDOMAIN.  Returns its length, 0 when buflen is too small. */
static size_t
dkimdns_packet(const char *name, int type, int rcode, const struct dns_result *r,
    unsigned char *buf, size_t buflen)
{
	size_t n, i, count = r ? r->count : 0;

	if (buflen < 12 || count > 0xffff)
		return 0;
	memset(buf, 0, 12);
	buf[2] = 0x81;				/* QR, RD */
	buf[3] = (unsigned char)(0x80 | (rcode & 0x0f));	/* RA, rcode */
	buf[5] = 1;				/* QDCOUNT */
	buf[6] = (unsigned char)(count >> 8);	/* ANCOUNT */
	buf[7] = (unsigned char)count;
	if ((n = dkimdns_put_name(name, buf, 12, buflen)) == 0 || n + 4 > buflen)
		return 0;
	buf[n++] = (unsigned char)(type >> 8);
	buf[n++] = (unsigned char)type;
	buf[n++] = 0;
	buf[n++] = ns_c_in;
	for (i = 0; i < count; i++) {
		if (r->rdlen[i] > 0xffff || n + 12 + r->rdlen[i] > buflen)
			return 0;
		buf[n++] = 0xc0;		/* owner: pointer to the question */
		buf[n++] = 12;
		buf[n++] = (unsigned char)(type >> 8);
		buf[n++] = (unsigned char)type;
		buf[n++] = 0;
		buf[n++] = ns_c_in;
		memset(buf + n, 0, 4);		/* TTL: not used */
		n += 4;
		buf[n++] = (unsigned char)(r->rdlen[i] >> 8);
		buf[n++] = (unsigned char)r->rdlen[i];
		memcpy(buf + n, r->rdata[i], r->rdlen[i]);
		n += r->rdlen[i];
	}
	return n;
}

/* dkimdns_sec - our DNSSEC word in libopendkim's */
static int
dkimdns_sec(enum dns_sec s)
{
	switch (s) {
	case DNS_SEC_SECURE: return DKIM_DNSSEC_SECURE;
	case DNS_SEC_BOGUS: return DKIM_DNSSEC_BOGUS;
	default: return DKIM_DNSSEC_INSECURE;
	}
}

/* dkimdns_start - run the query now and keep the outcome for waitreply */
static int
dkimdns_start(void *srv, int type, unsigned char *query, unsigned char *buf, size_t buflen,
    void **qh)
{
	struct dkimdns_q *q = xcalloc(1, sizeof(*q));
	struct dns_result *r = NULL;
	enum dns_status st;

	st = dns_query(srv, (const char *)query, type, &r);
	q->dnssec = dkimdns_sec(r->sec);
	q->status = DKIM_DNS_SUCCESS;
	switch (st) {
	case DNS_OK:
		q->bytes = dkimdns_packet((const char *)query, type, 0, r, buf, buflen);
		break;
	case DNS_NOTFOUND:
		/* RFC 6376 §6.1.2: no key record is a permanent failure */
		q->bytes = dkimdns_packet((const char *)query, type, r->nxdomain ? 3 : 0, NULL,
		    buf, buflen);
		break;
	case DNS_FAIL:
		/* permanent (malformed name, odd rcode): as NXDOMAIN; but a
		 * validating resolver says SERVFAIL for bogus data, so we do */
		if (r->sec != DNS_SEC_BOGUS)
			q->bytes = dkimdns_packet((const char *)query, type, 3, NULL, buf, buflen);
		break;
	case DNS_RETRY:
		break;				/* timeout, SERVFAIL, REFUSED */
	}
	if (q->bytes == 0)
		q->status = DKIM_DNS_ERROR;	/* temporary: KEYFAIL, temperror */
	dns_result_free(r);
	*qh = q;
	return 0;
}

/* dkimdns_waitreply - hand over what start found */
static int
dkimdns_waitreply(void *srv, void *qh, struct timeval *to, size_t *bytes, int *error,
    int *dnssec)
{
	struct dkimdns_q *q = qh;

	if (q == NULL)
		return DKIM_DNS_INVALID;
	if (bytes != NULL)
		*bytes = q->bytes;
	if (error != NULL)
		*error = 0;
	if (dnssec != NULL)
		*dnssec = q->dnssec;
	return q->status;
}

/* dkimdns_cancel - release the query handle (libopendkim calls it after
 * every waitreply, whatever the outcome) */
static int
dkimdns_cancel(void *srv, void *qh)
{
	free(qh);
	return 0;
}

/* dkimdns_attach - see dkim_dns.h */
void
dkimdns_attach(struct dkim_lib *lib, struct dns *d)
{
	(void)dkim_dns_set_query_service(lib, d);
	dkim_dns_set_query_start(lib, dkimdns_start);
	dkim_dns_set_query_waitreply(lib, dkimdns_waitreply);
	dkim_dns_set_query_cancel(lib, dkimdns_cancel);
	/* the engine owns d: libopendkim must neither open nor close it */
	dkim_dns_set_init(lib, NULL);
	dkim_dns_set_close(lib, NULL);
}
