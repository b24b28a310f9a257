/*
 * spf.c - SPF (RFC 7208) over libspf2, resolving through our resolver
 *
 * libspf2 interprets records; everything it asks of DNS goes through a DNS
 * layer of our own (spf_layer_*) that calls dns_query() and builds the
 * SPF_dns_rr_t answers libspf2 expects.  That layer is also where the RFC
 * 7208 §4.6.4 processing limits are enforced, because libspf2 counts DNS
 * terms per record (its count restarts inside every include) and has no
 * void-lookup limit at all.
 *
 * libspf2 hands a DNS layer only (layer, name, type, should_cache), never the
 * request, so the per-evaluation counters reach the layer through one
 * thread-local pointer (spf_cur) that is set for exactly the duration of one
 * synchronous evaluation on the calling thread.  The SPF_server_t itself is
 * built once per engine and only read afterwards, so milter threads share it.
 *
 * Evaluation does not go through SPF_request_query_mailfrom: libspf2 answers
 * pass for every 127/8 or ::1 client there before looking at any record
 * ("localhost is always allowed"), so a spoofed MAIL FROM re-injected on
 * loopback passed SPF and, aligned, DMARC.  spf_query takes the same steps
 * without that shortcut: the record decides, whatever the address.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <spf2/spf.h>
#include <spf2/spf_dns.h>

#include "address.h"
#include "conf.h"
#include "dns.h"
#include "log.h"
#include "spf.h"

enum spf_over {
	SPF_OVER_NONE,
	SPF_OVER_LOOKUPS,	/* more than spf_max_lookups terms */
	SPF_OVER_VOIDS,		/* more than spf_max_voids void lookups */
	SPF_OVER_MX,		/* an mx term found more than 10 MX names */
	SPF_OVER_SYNTAX		/* a record fetched is invalid (RFC 7208 §4.6) */
};

struct spf_engine {
	struct dns     *dns;		/* not owned */
	SPF_server_t   *server;		/* owned; read-only after spf_engine_new */
	SPF_dns_server_t *layer;	/* owned; our DNS layer, hook = this */
};

/*
 * struct spf_eval - the state of one check_host() evaluation (on the stack
 * of the calling thread).  allow holds the names of the last MX or PTR
 * answer: their address lookups belong to that mx/ptr term and are not terms
 * of their own (RFC 7208 §4.6.4).
 */
struct spf_eval {
	int		lookups;
	int		voids;
	enum spf_over	over;
	int		record_seen;	/* the first TXT query fetches the record itself */
	int		temp;		/* a query failed temporarily */
	char	      **allow;
	size_t		nallow;
	int		allow_ptr;	/* allow came from a PTR answer */
	char		why[160];	/* the last DNS failure */
	char		syntax[160];	/* why a record is invalid */
};

static __thread struct spf_eval *spf_cur;
static pthread_once_t spf_log_once = PTHREAD_ONCE_INIT;

/* spf_eval_allow_reset - forget the names of the last MX/PTR answer */
static void
spf_eval_allow_reset(struct spf_eval *ev)
{
	size_t i;

	for (i = 0; i < ev->nallow; i++)
		free(ev->allow[i]);
	free(ev->allow);
	ev->allow = NULL;
	ev->nallow = 0;
}

/*
 * spf_eval_charge - classify one query: 1 when it is the query of a
 * DNS-querying term (include, redirect, a, mx, ptr, exists), 0 when it is
 * the record lookup, an address lookup for an mx/ptr term, or the %{p} macro.
 * *ptr_check is set for the address lookup of a name a PTR answer gave.
 */
static int
spf_eval_charge(struct spf_eval *ev, const char *name, ns_type type, int should_cache,
    int *ptr_check)
{
	size_t i;

	*ptr_check = 0;
	if (type == ns_t_a || type == ns_t_aaaa) {
		for (i = 0; i < ev->nallow; i++) {
			if (ev->allow[i] && strcasecmp(ev->allow[i], name) == 0) {
				free(ev->allow[i]);
				ev->allow[i] = NULL;
				*ptr_check = ev->allow_ptr;
				return 0;
			}
		}
	}
	spf_eval_allow_reset(ev);
	if (type == ns_t_txt && !ev->record_seen) {
		ev->record_seen = 1;
		return 0;
	}
	/* libspf2 resolves %{p} (RFC 7208 §7.3) with should_cache false */
	if (type == ns_t_ptr && !should_cache)
		return 0;
	return 1;
}

/* spf_eval_allow - remember the names an MX or PTR answer returned */
static void
spf_eval_allow(struct spf_eval *ev, SPF_dns_rr_t *rr)
{
	int i;

	spf_eval_allow_reset(ev);
	if (rr->num_rr <= 0)
		return;
	ev->allow = xcalloc((size_t)rr->num_rr, sizeof(*ev->allow));
	for (i = 0; i < rr->num_rr; i++)
		ev->allow[i] = xstrdup(rr->rr_type == ns_t_mx ? rr->rr[i]->mx : rr->rr[i]->ptr);
	ev->nallow = (size_t)rr->num_rr;
	ev->allow_ptr = rr->rr_type == ns_t_ptr;
}

/* spf_wire_name - uncompressed wire-format name to text (no trailing dot) */
static int
spf_wire_name(const unsigned char *p, size_t len, char *out, size_t outlen)
{
	size_t i = 0, o = 0, n, k;

	while (i < len && (n = p[i++]) != 0) {
		if (n > 63 || n > len - i)
			return -1;
		if (o != 0) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = '.';
		}
		for (k = 0; k < n; k++) {
			int c = p[i + k];

			if (o + 5 >= outlen)
				return -1;
			if (c == '.' || c == '\\')
				o += (size_t)snprintf(out + o, outlen - o, "\\%c", c);
			else if (c <= ' ' || c >= 0x7f)
				o += (size_t)snprintf(out + o, outlen - o, "\\%03d", c);
			else
				out[o++] = (char)c;
		}
		i += n;
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

/* spf_rr_put - store one answer of len bytes at index idx */
static int
spf_rr_put(SPF_dns_rr_t *rr, int idx, const void *data, size_t len)
{
	if (SPF_dns_rr_buf_realloc(rr, idx, len) != SPF_E_SUCCESS)
		return -1;
	memcpy(rr->rr[idx], data, len);
	return 0;
}

/*
 * spf_layer_record - an SPF record is checked against the RFC 7208 ABNF
 * (spf_record.c) and replaced by its canonical form; an invalid one makes
 * the evaluation a permerror.  Other TXT records pass unchanged.
 */
static int
spf_layer_record(struct buf *txt, struct spf_eval *ev)
{
	struct buf clean = BUF_INIT;
	char why[160];

	if (txt->len < 6 || strncasecmp(txt->data, "v=spf1", 6) != 0 ||
	    (txt->len > 6 && txt->data[6] != ' '))
		return 0;
	buf_init(&clean);
	if (spf_record_check(txt->data, txt->len, &clean, why, sizeof(why)) != 0) {
		if (ev != NULL && ev->over == SPF_OVER_NONE) {
			ev->over = SPF_OVER_SYNTAX;
			snprintf(ev->syntax, sizeof(ev->syntax), "%s", why);
		}
	} else {
		buf_reset(txt);
		buf_add(txt, clean.data, clean.len);
	}
	buf_free(&clean);
	return 0;
}

/* spf_name_ok - a name DNS can carry: labels of 1-63 octets, 253 in all */
static int
spf_name_ok(const char *name)
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

/* spf_layer_answer - libspf2's view of a positive answer */
static SPF_dns_rr_t *
spf_layer_answer(SPF_dns_server_t *layer, const char *name, ns_type type,
    const struct dns_result *r, struct spf_eval *ev)
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
			bad = len != 4 || spf_rr_put(rr, n, p, 4) != 0;
			break;
		case ns_t_aaaa:
			bad = len != 16 || spf_rr_put(rr, n, p, 16) != 0;
			break;
		case ns_t_mx:
			bad = len < 3 || spf_wire_name(p + 2, len - 2, host, sizeof(host)) != 0 ||
			    spf_rr_put(rr, n, host, strlen(host) + 1) != 0;
			break;
		case ns_t_ptr:
			bad = spf_wire_name(p, len, host, sizeof(host)) != 0 ||
			    spf_rr_put(rr, n, host, strlen(host) + 1) != 0;
			break;
		case ns_t_txt:
			/* RFC 7208 §3.3: the character-strings are joined */
			buf_reset(&txt);
			bad = dns_txt(r, i, &txt) != 0 || spf_layer_record(&txt, ev) != 0 ||
			    spf_rr_put(rr, n, txt.data, strlen(txt.data) + 1) != 0;
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
	if (type == ns_t_ptr && n > 10)
		n = 10;
	rr->num_rr = n;
	if (n == 0)
		rr->herrno = NO_DATA;
	return rr;
}

/*
 * spf_layer_lookup - the DNS layer's lookup: count, ask dns_query, convert.
 * NOTFOUND is HOST_NOT_FOUND (NXDOMAIN) or NO_DATA; RETRY is TRY_AGAIN
 * (temperror); FAIL is NO_RECOVERY, except bogus DNSSEC, which is temporary.
 */
static SPF_dns_rr_t *
spf_layer_lookup(SPF_dns_server_t *layer, const char *name, ns_type type, int should_cache)
{
	struct spf_engine *s = layer->hook;
	struct spf_eval *ev = spf_cur;
	struct dns_result *r;
	SPF_dns_rr_t *rr;
	int term = 0, ptr_check = 0;

	/* RFC 7208 §3.1: type SPF (99) is not used; answer "no data" unasked */
	if (type == ns_t_spf)
		return SPF_dns_rr_new_init(layer, name, type, 0, NO_DATA);
	if (ev != NULL) {
		if (ev->over != SPF_OVER_NONE)
			return SPF_dns_rr_new_init(layer, name, type, 0, HOST_NOT_FOUND);
		term = spf_eval_charge(ev, name, type, should_cache, &ptr_check);
		if (term && ++ev->lookups > spf_max_lookups) {
			ev->over = SPF_OVER_LOOKUPS;	/* RFC 7208 §4.6.4 */
			return SPF_dns_rr_new_init(layer, name, type, 0, HOST_NOT_FOUND);
		}
	}
	/* a name no DNS can hold: no query, no such name */
	if (!spf_name_ok(name))
		return SPF_dns_rr_new_init(layer, name, type, 0, HOST_NOT_FOUND);
	switch (dns_query(s->dns, name, type, &r)) {
	case DNS_OK:
		rr = spf_layer_answer(layer, name, type, r, ev);
		break;
	case DNS_NOTFOUND:
		rr = SPF_dns_rr_new_init(layer, name, type, 0,
		    r->nxdomain ? HOST_NOT_FOUND : NO_DATA);
		break;
	case DNS_RETRY:
		/* RFC 7208 §5.5: a DNS error while checking a name a PTR answer
		 * gave skips that name (the search continues) */
		rr = SPF_dns_rr_new_init(layer, name, type, 0, ptr_check ? HOST_NOT_FOUND : TRY_AGAIN);
		break;
	case DNS_FAIL:
	default:
		rr = SPF_dns_rr_new_init(layer, name, type, 0,
		    r->sec == DNS_SEC_BOGUS ? TRY_AGAIN : NO_RECOVERY);
		break;
	}
	if (ev != NULL && rr != NULL) {
		if (rr->herrno == TRY_AGAIN) {
			ev->temp = 1;
			snprintf(ev->why, sizeof(ev->why), "%.80s/%s: %.60s", name,
			    type == ns_t_txt ? "TXT" : type == ns_t_mx ? "MX" :
			    type == ns_t_ptr ? "PTR" : type == ns_t_aaaa ? "AAAA" : "A", r->why);
		}
		/* RFC 7208 §4.6.4: NXDOMAIN or an empty answer is a void lookup */
		if (term && (rr->herrno == HOST_NOT_FOUND || rr->herrno == NO_DATA) &&
		    ++ev->voids > spf_max_voids)
			ev->over = SPF_OVER_VOIDS;
		if ((type == ns_t_mx || (type == ns_t_ptr && should_cache)) &&
		    rr->herrno == NETDB_SUCCESS)
			spf_eval_allow(ev, rr);
		/* RFC 7208 §4.6.4: more than 10 MX names is a permerror */
		if (type == ns_t_mx && rr->num_rr > 10 && ev->over == SPF_OVER_NONE)
			ev->over = SPF_OVER_MX;
	}
	dns_result_free(r);
	return rr;
}

/*
 * spf_layer_get_exp - explanations (RFC 7208 §6.2) are not fetched: we never
 * show them, and their lookups must not count toward the limits.
 */
static SPF_errcode_t
spf_layer_get_exp(SPF_server_t *server, const char *domain, char **bufp, size_t *lenp)
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

/* spf_layer_free - the layer's destructor (the engine is freed elsewhere) */
static void
spf_layer_free(SPF_dns_server_t *layer)
{
	free(layer);
}

/* spf_log_warning - libspf2 warnings into our log */
static void
spf_log_warning(const char *file, int line, const char *msg)
{
	log_warnx("libspf2: %s", msg);
}

/* spf_log_info - libspf2 information into our debug log */
static void
spf_log_info(const char *file, int line, const char *msg)
{
	log_debug("libspf2: %s", msg);
}

/* spf_log_error - libspf2 gives up (it aborts after this returns) */
static void __attribute__((noreturn))
spf_log_error(const char *file, int line, const char *msg)
{
	fatalx("libspf2: %s:%d: %s", file, line, msg);
}

/* spf_log_setup - route libspf2's (process-wide) log handlers to ours, once */
static void
spf_log_setup(void)
{
	SPF_error_handler = spf_log_error;
	SPF_warning_handler = spf_log_warning;
	SPF_info_handler = spf_log_info;
	SPF_debug_handler = NULL;
}

/* spf_engine_new - see spf.h */
struct spf_engine *
spf_engine_new(struct dns *dns, const struct conf *c, struct buf *err)
{
	struct spf_engine *s = xcalloc(1, sizeof(*s));

	pthread_once(&spf_log_once, spf_log_setup);
	s->dns = dns;
	s->layer = xcalloc(1, sizeof(*s->layer));
	s->layer->destroy = spf_layer_free;
	s->layer->lookup = spf_layer_lookup;
	s->layer->get_exp = spf_layer_get_exp;
	s->layer->name = "authmilter";
	s->layer->hook = s;
	if ((s->server = SPF_server_new_dns(s->layer, 0)) == NULL) {
		buf_printf(err, "SPF: cannot create the libspf2 server");
		spf_engine_free(s);
		return NULL;
	}
	/* %{r} (RFC 7208 §7.3) names the receiving host */
	if (c != NULL && c->authserv_id != NULL &&
	    SPF_server_set_rec_dom(s->server, c->authserv_id) != SPF_E_SUCCESS) {
		buf_printf(err, "SPF: cannot set the receiving domain");
		spf_engine_free(s);
		return NULL;
	}
	return s;
}

/* spf_engine_free - release the server and our layer; NULL is a no-op */
void
spf_engine_free(struct spf_engine *s)
{
	if (s == NULL)
		return;
	if (s->server)
		SPF_server_free(s->server);	/* does not free a layer it did not make */
	if (s->layer)
		spf_layer_free(s->layer);
	free(s);
}

/* spf_domain_valid - see spf.h (RFC 7208 §4.3, §7.1 toplabel) */
int
spf_domain_valid(const char *d)
{
	size_t len = strlen(d), i, lab = 0, labels = 0;
	int alpha = 0;

	if (len > 0 && d[len - 1] == '.')
		len--;
	if (len == 0 || len > 253 || d[0] == '[')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)d[i];

		if (ch == '.') {
			if (lab == 0)
				return 0;
			labels++;
			lab = 0;
			alpha = 0;
			continue;
		}
		if (ch <= ' ' || ch >= 0x7f || ch == '[' || ch == ']' || ++lab > 63)
			return 0;
		if (!isdigit(ch))
			alpha = 1;
	}
	/* a multi-label name whose top label is not all digits */
	return lab > 0 && labels >= 1 && alpha;
}

/* spf_set_client - the client address, IPv4-mapped IPv6 as IPv4 */
static int
spf_set_client(SPF_request_t *req, const char *ip)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (ip == NULL)
		return -1;
	if (strncasecmp(ip, "IPv6:", 5) == 0)
		ip += 5;
	if (inet_pton(AF_INET, ip, &a4) == 1)
		return SPF_request_set_ipv4(req, a4) == SPF_E_SUCCESS ? 0 : -1;
	if (inet_pton(AF_INET6, ip, &a6) != 1)
		return -1;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a4, &a6.s6_addr[12], 4);
		return SPF_request_set_ipv4(req, a4) == SPF_E_SUCCESS ? 0 : -1;
	}
	return SPF_request_set_ipv6(req, a6) == SPF_E_SUCCESS ? 0 : -1;
}

/* spf_result_word - libspf2's result in RFC 8601 words */
static const char *
spf_result_word(SPF_result_t r)
{
	switch (r) {
	case SPF_RESULT_PASS: return "pass";
	case SPF_RESULT_FAIL: return "fail";
	case SPF_RESULT_SOFTFAIL: return "softfail";
	case SPF_RESULT_NEUTRAL: return "neutral";
	case SPF_RESULT_NONE: return "none";
	case SPF_RESULT_TEMPERROR: return "temperror";
	case SPF_RESULT_PERMERROR:
	case SPF_RESULT_INVALID:	/* a record that did not compile */
	default: return "permerror";
	}
}

/*
 * spf_result - the response's result; a DNS failure while fetching the
 * record leaves libspf2 1.2.10's result unset (INVALID): temperror when
 * a query failed temporarily (RFC 7208 §4.4), else (no record compiled)
 * permerror
 */
static SPF_result_t
spf_result(SPF_response_t *resp, const struct spf_eval *ev)
{
	SPF_result_t r = SPF_response_result(resp);

	if (r == SPF_RESULT_INVALID && ev->temp)
		return SPF_RESULT_TEMPERROR;
	return r;
}

/* spf_set - fill result and reason */
static void __attribute__((format(printf, 3, 4)))
spf_set(struct spf_outcome *out, const char *result, const char *fmt, ...)
{
	va_list ap;

	snprintf(out->result, sizeof(out->result), "%s", result);
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

/* spf_explain - the reason for a result libspf2 computed */
static void
spf_explain(struct spf_outcome *out, const struct spf_eval *ev, SPF_response_t *resp,
    const char *ip)
{
	const char *msg = NULL;
	char w[sizeof(out->result)];

	memcpy(w, out->result, sizeof(w));
	if (SPF_response_errors(resp) > 0)
		msg = SPF_error_message(SPF_response_message(resp, 0));
	if (msg == NULL || *msg == '\0')
		msg = SPF_strerror(SPF_response_errcode(resp));
	if (strcmp(w, "pass") == 0)
		spf_set(out, w, "domain of %s designates %s as permitted sender", out->sender, ip);
	else if (strcmp(w, "fail") == 0)
		spf_set(out, w, "domain of %s does not designate %s as permitted sender",
		    out->sender, ip);
	else if (strcmp(w, "softfail") == 0)
		spf_set(out, w, "domain of transitioning %s does not designate %s as permitted sender",
		    out->sender, ip);
	else if (strcmp(w, "neutral") == 0)
		spf_set(out, w, "%s is neither permitted nor denied by domain of %s", ip, out->sender);
	else if (strcmp(w, "none") == 0)
		spf_set(out, w, "%s does not publish an SPF record", out->domain);
	else if (strcmp(w, "temperror") == 0)
		spf_set(out, w, "DNS error: %s", ev->why[0] ? ev->why : msg);
	else
		spf_set(out, w, "%s", msg);
}

/*
 * spf_query - SPF_request_query_mailfrom (libspf2 1.2.10) minus its
 * loopback shortcut: RFC 7208 §4 has no rule by address class.  The
 * current domain is the MAIL FROM domain (we never set use_helo), the
 * record comes through our layer, the interpreter decides.  *respp is set
 * whenever a response could be made, as libspf2 does.
 */
static SPF_errcode_t
spf_query(SPF_server_t *server, SPF_request_t *req, SPF_response_t **respp)
{
	SPF_record_t *rec = NULL;
	SPF_response_t *resp;
	SPF_errcode_t err;

	if ((*respp = resp = SPF_response_new(req)) == NULL)
		return SPF_E_NO_MEMORY;
	req->cur_dom = req->use_helo ? req->helo_dom : req->env_from_dp;
	if (req->cur_dom == NULL)
		return SPF_i_done(resp, SPF_RESULT_PERMERROR, SPF_REASON_FAILURE, SPF_E_NOT_CONFIG);
	err = SPF_server_get_record(server, req, resp, &rec);
	if (err != SPF_E_SUCCESS) {
		if (rec)
			SPF_record_free(rec);
		SPF_i_done(resp, resp->result, resp->reason, resp->err);
		return err;
	}
	resp->spf_record_exp = rec;
	err = SPF_record_interpret(rec, req, resp, 0);
	resp->spf_record_exp = NULL;
	SPF_record_free(rec);
	return err;
}

/* spf_sender_domain - out->domain: the domain of sender as address_domain_of
 * reads it (the one reading of an envelope domain).  RFC 7208 §4.3: none,
 * a malformed or a single-label one makes the result "none" (the reason
 * names the identity as given); 1 then, else 0 */
static int
spf_sender_domain(struct spf_outcome *out, const char *sender, const char *given)
{
	char *dom = address_domain_of(sender);
	int valid = dom != NULL && spf_domain_valid(dom);

	snprintf(out->domain, sizeof(out->domain), "%s", dom ? dom : "");
	if (dom == NULL)
		spf_set(out, "none", "%s: no valid domain name (RFC 7208 4.3)", given);
	else if (!valid)
		spf_set(out, "none", "%s is not a valid domain name (RFC 7208 4.3)", dom);
	free(dom);
	return !valid;
}

/* spf_check - check_host(ip, domain, sender) (RFC 7208 §4) */
static void
spf_check(struct spf_engine *s, const char *ip, const char *helo, const char *sender,
    const char *identity, struct spf_outcome *out)
{
	struct spf_eval ev;
	SPF_request_t *req;
	SPF_response_t *resp = NULL;

	memset(out, 0, sizeof(*out));
	memset(&ev, 0, sizeof(ev));
	snprintf(out->identity, sizeof(out->identity), "%s", identity);
	snprintf(out->sender, sizeof(out->sender), "%s", sender);
	if (spf_sender_domain(out, sender, strcmp(identity, "helo") == 0 && helo ? helo : sender))
		return;
	req = SPF_request_new(s->server);
	if (req == NULL || spf_set_client(req, ip) != 0) {
		spf_set(out, "temperror", "client address \"%s\" is not an IP address",
		    ip ? ip : "");
		if (req)
			SPF_request_free(req);
		return;
	}
	if (helo && *helo && SPF_request_set_helo_dom(req, helo) != SPF_E_SUCCESS)
		goto oom;
	if (SPF_request_set_env_from(req, sender) != SPF_E_SUCCESS)
		goto oom;
	spf_cur = &ev;
	spf_query(s->server, req, &resp);
	spf_cur = NULL;
	spf_eval_allow_reset(&ev);
	out->lookups = ev.lookups;
	out->voids = ev.voids;
	if (resp == NULL)
		goto oom;
	if (ev.over == SPF_OVER_LOOKUPS)
		spf_set(out, "permerror", "more than %d DNS-querying terms (RFC 7208 4.6.4)",
		    spf_max_lookups);
	else if (ev.over == SPF_OVER_VOIDS)
		spf_set(out, "permerror", "more than %d void lookups (RFC 7208 4.6.4)",
		    spf_max_voids);
	else if (ev.over == SPF_OVER_MX)
		spf_set(out, "permerror", "more than 10 MX names (RFC 7208 4.6.4)");
	else if (ev.over == SPF_OVER_SYNTAX)
		spf_set(out, "permerror", "%s", ev.syntax);
	else {
		snprintf(out->result, sizeof(out->result), "%s", spf_result_word(spf_result(resp, &ev)));
		spf_explain(out, &ev, resp, ip);
	}
	SPF_response_free(resp);
	SPF_request_free(req);
	return;
oom:
	spf_cur = NULL;
	spf_set(out, "temperror", "libspf2 out of memory");
	if (resp)
		SPF_response_free(resp);
	SPF_request_free(req);
}

/* spf_check_helo - see spf.h; <sender> is postmaster@helo (RFC 7208 §2.3) */
void
spf_check_helo(struct spf_engine *s, const char *client_ip, const char *helo,
    struct spf_outcome *out)
{
	char sender[320];

	snprintf(sender, sizeof(sender), "postmaster@%s", helo ? helo : "");
	spf_check(s, client_ip, helo, sender, "helo", out);
	if (helo)
		snprintf(out->domain, sizeof(out->domain), "%s", helo);
}

/* spf_check_mailfrom - see spf.h (RFC 7208 §2.4) */
void
spf_check_mailfrom(struct spf_engine *s, const char *client_ip, const char *helo,
    const char *mail_from, struct spf_outcome *out)
{
	char sender[320];
	size_t n;

	if (mail_from == NULL)
		mail_from = "";
	n = strlen(mail_from);
	if (n >= 2 && mail_from[0] == '<' && mail_from[n - 1] == '>') {
		mail_from++;
		n -= 2;
	}
	if (n == 0) {
		/* the null sender: postmaster@<helo> (RFC 7208 §2.4) */
		snprintf(sender, sizeof(sender), "postmaster@%s", helo ? helo : "");
	} else if (mail_from[0] == '@') {
		/* no local-part: "postmaster" (RFC 7208 §4.3) */
		snprintf(sender, sizeof(sender), "postmaster%.*s", (int)n, mail_from);
	} else
		snprintf(sender, sizeof(sender), "%.*s", (int)n, mail_from);
	spf_check(s, client_ip, helo, sender, "mailfrom", out);
}

/* spf_kv_value - a key-value-pair value: dot-atom, else quoted-string (RFC 7208 §9.1) */
static void
spf_kv_value(struct buf *out, const char *v)
{
	const char *p;
	int atom = *v != '\0' && *v != '.';

	for (p = v; *p && atom; p++)
		atom = isalnum((unsigned char)*p) || strchr("!#$%&'*+-/=?^_`{|}~", *p) ||
		    (*p == '.' && p[1] != '.' && p[1] != '\0');
	if (atom) {
		buf_adds(out, v);
		return;
	}
	buf_addc(out, '"');
	for (p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_addc(out, '\\');
		if ((unsigned char)*p >= ' ' && *p != 0x7f)
			buf_addc(out, *p);
	}
	buf_addc(out, '"');
}

/* spf_comment - text inside a comment, parentheses and backslashes escaped */
static void
spf_comment(struct buf *out, const char *t)
{
	for (; *t; t++) {
		if (*t == '(' || *t == ')' || *t == '\\')
			buf_addc(out, '\\');
		if ((unsigned char)*t >= ' ' && *t != 0x7f)
			buf_addc(out, *t);
	}
}

/* spf_received_spf - see spf.h */
void
spf_received_spf(const struct spf_outcome *o, const char *client_ip, const char *helo,
    const char *envelope_from, const char *receiver, struct buf *out)
{
	buf_adds(out, o->result[0] ? o->result : "none");
	buf_adds(out, " (");
	if (receiver && *receiver) {
		spf_comment(out, receiver);
		buf_adds(out, ": ");
	}
	spf_comment(out, o->reason);
	buf_adds(out, ")");
	if (receiver && *receiver) {
		buf_adds(out, " receiver=");
		spf_kv_value(out, receiver);
		buf_addc(out, ';');
	}
	if (client_ip && *client_ip) {
		buf_adds(out, " client-ip=");
		spf_kv_value(out, client_ip);
		buf_addc(out, ';');
	}
	buf_adds(out, " envelope-from=");
	spf_kv_value(out, envelope_from && *envelope_from ? envelope_from : o->sender);
	buf_addc(out, ';');
	if (helo && *helo) {
		buf_adds(out, " helo=");
		spf_kv_value(out, helo);
		buf_addc(out, ';');
	}
	if (o->identity[0]) {
		buf_adds(out, " identity=");
		buf_adds(out, o->identity);
		buf_addc(out, ';');
	}
	if (strcmp(o->result, "permerror") == 0 || strcmp(o->result, "temperror") == 0) {
		buf_adds(out, " problem=");
		spf_kv_value(out, o->reason);
		buf_addc(out, ';');
	}
}
