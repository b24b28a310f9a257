/*
 * ingest_arf.c - failure reports: the fields of the machine-readable part
 * (RFC 5965 §3.1, §3.2; RFC 6591 §3.1, §3.2), the returned headers
 * (text/rfc822-headers or message/rfc822, RFC 6591 §3.3) and the
 * plain-text form some MTAs send instead of multipart/report
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest_arf.h"
#include "ingest_text.h"

/* ingest_date - "[Day, ] DD Mon YYYY HH:MM[:SS] zone" (RFC 5322 §3.3) */
int64_t
ingest_date(const char *s)
{
	static const char mons[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	char mon[4] = "", zone[8] = "";
	int d, y, hh, mm, ss = 0, n = 0, z = 0;
	const char *c, *m;
	struct tm tm;

	if (s == NULL)
		return -1;
	if ((c = strchr(s, ',')) != NULL)
		s = c + 1;
	if (sscanf(s, " %d %3s %d %d:%d%n", &d, mon, &y, &hh, &mm, &n) != 5)
		return -1;
	s += n;
	if (*s == ':' && sscanf(s, ":%d%n", &ss, &n) == 1)
		s += n;
	if ((m = strstr(mons, ingest_lower(mon))) == NULL || (m - mons) % 3 != 0 || strlen(mon) != 3)
		return -1;
	if (sscanf(s, " %7s", zone) == 1 && (zone[0] == '+' || zone[0] == '-') &&
	    isdigit((unsigned char)zone[1]) && strlen(zone) == 5) {
		z = ((zone[1] - '0') * 10 + (zone[2] - '0')) * 3600 + ((zone[3] - '0') * 10 + (zone[4] - '0')) * 60;
		if (zone[0] == '-')
			z = -z;
	}
	if (y < 100)
		y += y < 50 ? 2000 : 1900;	/* RFC 5322 §4.3 */
	if (d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60 || y < 1970 || y > 9999)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = (int)((m - mons) / 3);
	tm.tm_mday = d;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	return (int64_t)timegm(&tm) - z;
}

/* addr_domain - the lower-case domain of the first address in a From
 * value ("Name <a@b>" or "a@b"), or NULL */
static char *
addr_domain(const char *v)
{
	const char *at, *e, *lt;

	if (v == NULL)
		return NULL;
	if ((lt = strchr(v, '<')) != NULL)
		v = lt + 1;
	if ((at = strchr(v, '@')) == NULL)
		return NULL;
	for (e = ++at; *e && *e != '>' && *e != ' ' && *e != ';' && *e != ',' && *e != '"'; e++)
		;
	return e > at ? ingest_lower(ingest_strdup_cap(at, (size_t)(e - at), 255, NULL)) : NULL;
}

/* canon_ip - the canonical text of an address, or NULL */
static char *
canon_ip(const char *s)
{
	unsigned char bin[16];
	char out[46];

	if (s == NULL)
		return NULL;
	if (inet_pton(AF_INET, s, bin) == 1 && inet_ntop(AF_INET, bin, out, sizeof(out)))
		return xstrdup(out);
	if (inet_pton(AF_INET6, s, bin) == 1 && inet_ntop(AF_INET6, bin, out, sizeof(out)))
		return xstrdup(out);
	return NULL;
}

/* after_semi - "dns; mx.example" -> "mx.example" (RFC 5965 §3.2 MTA name) */
static char *
after_semi(char *v)
{
	char *s, *r;

	if (v == NULL || (s = strchr(v, ';')) == NULL)
		return v;
	r = ingest_strdup_cap(s + 1, strlen(s + 1), 255, NULL);
	free(v);
	return r;
}

/* read_fields - the report fields of a block into out */
static void
read_fields(const char *p, size_t n, struct ingest_arf *out)
{
	char *ip;

	out->feedback_type = ingest_lower(ingest_hdr_get(p, n, "Feedback-Type"));
	out->reporter = ingest_lower(after_semi(ingest_hdr_get(p, n, "Reporting-MTA")));
	out->arrival = ingest_hdr_get(p, n, "Arrival-Date");
	if (out->arrival == NULL)
		out->arrival = ingest_hdr_get(p, n, "Received-Date");
	out->arrival_epoch = ingest_date(out->arrival);
	ip = ingest_hdr_get(p, n, "Source-IP");
	if (ip != NULL && (out->source_ip = canon_ip(ip)) == NULL)
		ingest_note(&out->notes, "Source-IP '%.50s' not an address", ip);
	free(ip);
	out->reported_domain = ingest_lower(ingest_hdr_get(p, n, "Reported-Domain"));
	out->auth_failure = ingest_lower(ingest_hdr_get(p, n, "Auth-Failure"));
	out->auth_results = ingest_hdr_get(p, n, "Authentication-Results");
	out->delivery_result = ingest_lower(ingest_hdr_get(p, n, "Delivery-Result"));
	out->dkim_domain = ingest_lower(ingest_hdr_get(p, n, "DKIM-Domain"));
	out->dkim_selector = ingest_hdr_get(p, n, "DKIM-Selector");
	out->spf_dns = ingest_hdr_get(p, n, "SPF-DNS");
	out->original_mail_from = ingest_hdr_get(p, n, "Original-Mail-From");
	out->original_rcpt_to = ingest_hdr_get(p, n, "Original-Rcpt-To");
	out->identity_alignment = ingest_lower(ingest_hdr_get(p, n, "Identity-Alignment"));
}

/* take_headers - the returned header block (capped) and its From domain */
static void
take_headers(const char *p, size_t n, struct ingest_arf *out)
{
	size_t hn = ingest_hdr_end(p, n);
	char *from;

	if (hn > INGEST_ARF_HDRS_MAX) {
		ingest_note(&out->notes, "returned headers cut at %d bytes", INGEST_ARF_HDRS_MAX);
		hn = INGEST_ARF_HDRS_MAX;
	}
	out->headers = xstrndup(p, hn);
	out->headers_len = hn;
	from = ingest_hdr_get(p, hn, "From");
	out->from_domain = addr_domain(from);
	free(from);
}

/* plain_text - the plain-text form: a text part whose header-like lines
 * include Feedback-Type (or Source-IP with Reported-Domain); the headers
 * follow the field block after a blank line.  1 when found. */
static int
plain_text(const struct ingest_mime *m, struct ingest_arf *out)
{
	const struct ingest_part *p;
	const char *f;
	size_t i, hn;

	for (i = 0; i < m->n; i++) {
		p = &m->v[i];
		if (strncmp(p->ctype, "text/", 5) != 0)
			continue;
		if ((f = ingest_memmem_ci(p->data, p->len, "Feedback-Type:")) == NULL &&
		    ((f = ingest_memmem_ci(p->data, p->len, "Source-IP:")) == NULL ||
		     ingest_memmem_ci(p->data, p->len, "Reported-Domain:") == NULL))
			continue;
		/* the field block starts at the line holding the first field */
		while (f > p->data && f[-1] != '\n')
			f--;
		hn = ingest_hdr_end(f, p->len - (size_t)(f - p->data));
		read_fields(f, hn, out);
		if (f + hn < p->data + p->len)
			take_headers(f + hn, p->len - (size_t)(f - p->data) - hn, out);
		out->plain = 1;
		ingest_note(&out->notes, "plain-text failure report (not multipart/report)");
		return 1;
	}
	return 0;
}

/* ingest_arf_from_mime - the failure report in m */
int
ingest_arf_from_mime(const struct ingest_mime *m, struct ingest_arf *out)
{
	const struct ingest_part *fr = NULL, *hd = NULL;
	size_t i;

	out->arrival_epoch = -1;
	for (i = 0; i < m->n; i++) {
		const struct ingest_part *p = &m->v[i];

		if (p->report_type == NULL || strcmp(p->report_type, "feedback-report") != 0)
			continue;
		if (strcmp(p->ctype, "message/feedback-report") == 0 && fr == NULL)
			fr = p;
		else if ((strcmp(p->ctype, "text/rfc822-headers") == 0 ||
		    strcmp(p->ctype, "message/rfc822") == 0) && hd == NULL)
			hd = p;
	}
	if (fr == NULL) {
		if (!plain_text(m, out))
			return 0;
	} else
		read_fields(fr->data, fr->len, out);
	/* the plain-text reading may have taken headers already */
	if (hd != NULL && out->headers == NULL)
		take_headers(hd->data, hd->len, out);
	if (out->reporter == NULL) {
		char *d = addr_domain(m->from);

		out->reporter = d != NULL ? d : xstrdup("");
	}
	if (out->feedback_type == NULL)
		out->feedback_type = xstrdup("auth-failure");
	if (out->arrival_epoch < 0 && m->date != NULL) {
		out->arrival_epoch = ingest_date(m->date);
		ingest_note(&out->notes, "no Arrival-Date: the report's Date used");
	}
	if (out->from_domain == NULL)
		ingest_note(&out->notes, "no From in the returned headers");
	return 1;
}

/* ingest_arf_free - release a */
void
ingest_arf_free(struct ingest_arf *a)
{
	char **s[] = { &a->feedback_type, &a->reporter, &a->arrival, &a->source_ip,
	    &a->reported_domain, &a->from_domain, &a->auth_failure, &a->auth_results,
	    &a->delivery_result, &a->dkim_domain, &a->dkim_selector, &a->spf_dns,
	    &a->original_mail_from, &a->original_rcpt_to, &a->identity_alignment, &a->headers };
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		free(*s[i]);
	strlist_free(&a->notes);
	memset(a, 0, sizeof(*a));
}
