/*
 * spf_dns.c - libspf2's DNS layer over our resolver, with the RFC 7208
 * §4.6.4 processing limits
 *
 * Everything libspf2 asks of DNS comes here (spf_dns_lookup): the query is
 * counted against the evaluation's limits, asked of dns_query(), and its
 * answer rebuilt as the SPF_dns_rr_t libspf2 expects.  Every SPF record
 * fetched is checked against the RFC 7208 ABNF (spf_record.c) on the way.
 * The per-evaluation counters arrive through one thread-local pointer
 * (spf_dns_cur, see spf_dns.h), because libspf2 passes the layer no
 * request; the layer itself is read-only, so milter threads share it.
 */
#include "config.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <spf2/spf.h>
#include <spf2/spf_dns.h>

#include "buf.h"
#include "dns.h"
#include "spf_dns.h"
#include "spf_record.h"

/* the evaluation the calling thread runs, NULL outside spf_dns_begin/end */
static __thread struct spf_dns_eval *spf_dns_cur;

/*
 * spf_dns_classify - classify one query: 1 when it is the query of a
 * DNS-querying term (include, redirect, a, mx, ptr, exists), 0 when it is
 * the record lookup, an address lookup for an mx/ptr term, or the %{p} macro.
 * *ptr_check is set for the address lookup of a name a PTR answer gave.
 */
static int
spf_dns_classify(struct spf_dns_eval *ev, const char *name, ns_type type, int should_cache,
    int *ptr_check)
{
	size_t i;

	*ptr_check = 0;
	if (type == ns_t_a || type == ns_t_aaaa) {
		for (i = 0; i < ev->allow.n; i++) {
			if (ev->allow.v[i] && strcasecmp(ev->allow.v[i], name) == 0) {
				free(ev->allow.v[i]);
				ev->allow.v[i] = NULL;
				*ptr_check = ev->allow_ptr;
				return 0;
			}
		}
	}
	strlist_free(&ev->allow);
	if (type == ns_t_txt && !ev->record_seen) {
		ev->record_seen = 1;
		return 0;
	}
	/* libspf2 resolves %{p} (RFC 7208 §7.3) with should_cache false */
	if (type == ns_t_ptr && !should_cache)
		return 0;
	return 1;
}

/* spf_dns_allow - remember the names an MX or PTR answer returned */
static void
spf_dns_allow(struct spf_dns_eval *ev, SPF_dns_rr_t *rr)
{
	int i;

	strlist_free(&ev->allow);
	if (rr->num_rr <= 0)
		return;
	for (i = 0; i < rr->num_rr; i++)
		strlist_add(&ev->allow, rr->rr_type == ns_t_mx ? rr->rr[i]->mx : rr->rr[i]->ptr);
	ev->allow_ptr = rr->rr_type == ns_t_ptr;
}

/* spf_dns_rr_put - store one answer of len bytes at index idx */
static int
spf_dns_rr_put(SPF_dns_rr_t *rr, int idx, const void *data, size_t len)
{
	if (SPF_dns_rr_buf_realloc(rr, idx, len) != SPF_E_SUCCESS)
		return -1;
	memcpy(rr->rr[idx], data, len);
	return 0;
}

/*
 * spf_dns_record - an SPF record is checked against the RFC 7208 ABNF
 * (spf_record.c) and replaced by its canonical form; an invalid one makes
 * the evaluation a permerror.  Other TXT records pass unchanged.
 */
static int
spf_dns_record(struct buf *txt, struct spf_dns_eval *ev)
{
	struct buf clean = BUF_INIT;
	char why[160];

	if (txt->len < 6 || strncasecmp(txt->data, "v=spf1", 6) != 0 ||
	    (txt->len > 6 && txt->data[6] != ' '))
		return 0;
	buf_init(&clean);
	if (spf_record_check(txt->data, txt->len, &clean, why, sizeof(why)) != 0) {
		if (ev != NULL && ev->over == SPF_DNS_OVER_NONE) {
			ev->over = SPF_DNS_OVER_SYNTAX;
			snprintf(ev->syntax, sizeof(ev->syntax), "%s", why);
		}
	} else {
		buf_reset(txt);
		buf_add(txt, clean.data, clean.len);
	}
	buf_free(&clean);
	return 0;
}

/* spf_dns_name_ok - a name DNS can carry: labels of 1-63 octets, 253 in all */
static int
spf_dns_name_ok(const char *name)
{
	size_t len = strlen(name), lab = 0, i;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i < len; i++) {
		if (name[i] != '.')
			lab++;
		else if (lab == 0)
			return 0;
		else
			lab = 0;
		if (lab > 63)
			return 0;
	}
	return lab > 0;
}

/* spf_dns_answer - libspf2's view of a positive answer */
static SPF_dns_rr_t *
spf_dns_answer(SPF_dns_server_t *layer, const char *name, ns_type type,
    const struct dns_result *r, struct spf_dns_eval *ev)
{
	SPF_dns_rr_t *rr = SPF_dns_rr_new_init(layer, name, type, 0, NETDB_SUCCESS);
	struct buf txt = BUF_INIT;
	char host[NS_MAXDNAME];
	size_t i;
	int n = 0, bad;

	if (rr == NULL)
		return NULL;
	buf_init(&txt);
	for (i = 0; i < r->count; i++) {
		const unsigned char *p = r->rdata[i];
		size_t len = r->rdlen[i];

		bad = 0;
		switch (type) {
		case ns_t_a:
			bad = len != 4 || spf_dns_rr_put(rr, n, p, 4) != 0;
			break;
		case ns_t_aaaa:
			bad = len != 16 || spf_dns_rr_put(rr, n, p, 16) != 0;
			break;
		case ns_t_mx:
			bad = len < 3 || dns_wire_name(p + 2, len - 2, host, sizeof(host)) != 0 ||
			    spf_dns_rr_put(rr, n, host, strlen(host) + 1) != 0;
			break;
		case ns_t_ptr:
			bad = dns_wire_name(p, len, host, sizeof(host)) != 0 ||
			    spf_dns_rr_put(rr, n, host, strlen(host) + 1) != 0;
			break;
		case ns_t_txt:
			/* RFC 7208 §3.3: the character-strings are joined */
			buf_reset(&txt);
			bad = dns_txt(r, i, &txt) != 0 || spf_dns_record(&txt, ev) != 0 ||
			    spf_dns_rr_put(rr, n, txt.data, strlen(txt.data) + 1) != 0;
			break;
		default:
			bad = 1;
			break;
		}
		if (!bad)
			n++;
	}
	buf_free(&txt);
	/* RFC 7208 §4.6.4, §5.5: only the first 10 PTR names are used */
	if (type == ns_t_ptr && n > spf_dns_max_names)
		n = spf_dns_max_names;
	rr->num_rr = n;
	if (n == 0)
		rr->herrno = NO_DATA;
	return rr;
}

/* spf_dns_charge - RFC 7208 §4.6.4, before a query is sent: *term says
 * whether it is a term's query (counted); -1 when it must not be sent (a
 * limit is already over, or this term is one too many) */
static int
spf_dns_charge(struct spf_dns_eval *ev, const char *name, ns_type type, int should_cache,
    int *term, int *ptr_check)
{
	if (ev->over != SPF_DNS_OVER_NONE)
		return -1;
	*term = spf_dns_classify(ev, name, type, should_cache, ptr_check);
	if (*term && ++ev->lookups > spf_dns_max_lookups) {
		ev->over = SPF_DNS_OVER_LOOKUPS;
		return -1;
	}
	return 0;
}

/*
 * spf_dns_convert - a dns_query status in libspf2's words.  NOTFOUND is
 * HOST_NOT_FOUND (NXDOMAIN) or NO_DATA; RETRY is TRY_AGAIN (temperror);
 * FAIL is NO_RECOVERY, except bogus DNSSEC, which is temporary.
 */
static SPF_dns_rr_t *
spf_dns_convert(SPF_dns_server_t *layer, const char *name, ns_type type,
    enum dns_status st, const struct dns_result *r, struct spf_dns_eval *ev, int ptr_check)
{
	switch (st) {
	case DNS_OK:
		return spf_dns_answer(layer, name, type, r, ev);
	case DNS_NOTFOUND:
		return SPF_dns_rr_new_init(layer, name, type, 0,
		    r->nxdomain ? HOST_NOT_FOUND : NO_DATA);
	case DNS_RETRY:
		/* RFC 7208 §5.5: a DNS error while checking a name a PTR answer
		 * gave skips that name (the search continues) */
		return SPF_dns_rr_new_init(layer, name, type, 0,
		    ptr_check ? HOST_NOT_FOUND : TRY_AGAIN);
	case DNS_FAIL:
	default:
		return SPF_dns_rr_new_init(layer, name, type, 0,
		    r->sec == DNS_SEC_BOGUS ? TRY_AGAIN : NO_RECOVERY);
	}
}

/* spf_dns_type_word - the record type's name, for reasons */
static const char *
spf_dns_type_word(ns_type type)
{
	switch (type) {
	case ns_t_txt: return "TXT";
	case ns_t_mx: return "MX";
	case ns_t_ptr: return "PTR";
	case ns_t_aaaa: return "AAAA";
	default: return "A";
	}
}

/* spf_dns_account - RFC 7208 §4.6.4, after the answer: temporary failures,
 * void lookups of a term, the names an MX or PTR answer allows, more than
 * 10 MX names */
static void
spf_dns_account(struct spf_dns_eval *ev, const char *name, ns_type type, int should_cache,
    int term, SPF_dns_rr_t *rr, const struct dns_result *r)
{
	if (rr->herrno == TRY_AGAIN) {
		ev->temp = 1;
		snprintf(ev->why, sizeof(ev->why), "%.80s/%s: %.60s", name,
		    spf_dns_type_word(type), r->why);
	}
	/* NXDOMAIN or an empty answer is a void lookup */
	if (term && (rr->herrno == HOST_NOT_FOUND || rr->herrno == NO_DATA) &&
	    ++ev->voids > spf_dns_max_voids)
		ev->over = SPF_DNS_OVER_VOIDS;
	if ((type == ns_t_mx || (type == ns_t_ptr && should_cache)) &&
	    rr->herrno == NETDB_SUCCESS)
		spf_dns_allow(ev, rr);
	if (type == ns_t_mx && rr->num_rr > spf_dns_max_names && ev->over == SPF_DNS_OVER_NONE)
		ev->over = SPF_DNS_OVER_MX;
}

/* spf_dns_lookup - the layer's lookup: count, ask dns_query, convert, account */
static SPF_dns_rr_t *
spf_dns_lookup(SPF_dns_server_t *layer, const char *name, ns_type type, int should_cache)
{
	struct spf_dns_eval *ev = spf_dns_cur;
	struct dns_result *r;
	enum dns_status st;
	SPF_dns_rr_t *rr;
	int term = 0, ptr_check = 0;

	/* RFC 7208 §3.1: type SPF (99) is not used; answer "no data" unasked */
	if (type == ns_t_spf)
		return SPF_dns_rr_new_init(layer, name, type, 0, NO_DATA);
	if (ev != NULL && spf_dns_charge(ev, name, type, should_cache, &term, &ptr_check) != 0)
		return SPF_dns_rr_new_init(layer, name, type, 0, HOST_NOT_FOUND);
	/* a name no DNS can hold: no query, no such name */
	if (!spf_dns_name_ok(name))
		return SPF_dns_rr_new_init(layer, name, type, 0, HOST_NOT_FOUND);
	st = dns_query(layer->hook, name, type, &r);
	rr = spf_dns_convert(layer, name, type, st, r, ev, ptr_check);
	if (ev != NULL && rr != NULL)
		spf_dns_account(ev, name, type, should_cache, term, rr, r);
	dns_result_free(r);
	return rr;
}

/*
 * spf_dns_get_exp - explanations (RFC 7208 §6.2) are not fetched: we never
 * show them, and their lookups must not count toward the limits.
 */
static SPF_errcode_t
spf_dns_get_exp(SPF_server_t *server, const char *domain, char **bufp, size_t *lenp)
{
	static const char text[] = "explanation not fetched";
	char *p;

	if (*bufp == NULL || *lenp < sizeof(text)) {
		if ((p = realloc(*bufp, sizeof(text))) == NULL)
			return SPF_E_NO_MEMORY;
		*bufp = p;
		*lenp = sizeof(text);
	}
	memcpy(*bufp, text, sizeof(text));
	return SPF_E_SUCCESS;
}

/* spf_dns_layer_new - see spf_dns.h */
SPF_dns_server_t *
spf_dns_layer_new(struct dns *dns)
{
	SPF_dns_server_t *layer = xcalloc(1, sizeof(*layer));

	layer->destroy = spf_dns_layer_free;
	layer->lookup = spf_dns_lookup;
	layer->get_exp = spf_dns_get_exp;
	layer->name = "authmilter";
	layer->hook = dns;
	return layer;
}

/* spf_dns_layer_free - see spf_dns.h (also the layer's destructor) */
void
spf_dns_layer_free(SPF_dns_server_t *layer)
{
	free(layer);
}

/* spf_dns_begin - see spf_dns.h */
void
spf_dns_begin(struct spf_dns_eval *ev)
{
	memset(ev, 0, sizeof(*ev));
	spf_dns_cur = ev;
}

/* spf_dns_end - see spf_dns.h */
void
spf_dns_end(struct spf_dns_eval *ev)
{
	if (spf_dns_cur == ev)
		spf_dns_cur = NULL;
	strlist_free(&ev->allow);
}
