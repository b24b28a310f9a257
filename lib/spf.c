/*
 * spf.c - SPF (RFC 7208) evaluation over libspf2
 *
 * libspf2 interprets records; everything it asks of DNS goes through our
 * DNS layer (spf_dns.c), which also enforces the RFC 7208 §4.6.4
 * processing limits and checks every record's syntax (spf_record.c).  This
 * file builds the libspf2 server over that layer once per engine, runs
 * check_host() for the HELO and MAIL FROM identities and words the outcome.
 * The SPF_server_t is only read after spf_engine_new, so milter threads
 * share it; each evaluation's DNS counters live on the caller's stack
 * (spf_dns_begin/spf_dns_end).
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

#include "address.h"
#include "conf.h"
#include "log.h"
#include "spf.h"
#include "spf_dns.h"

struct spf_engine {
	SPF_server_t   *server;		/* owned; read-only after spf_engine_new */
	SPF_dns_server_t *layer;	/* owned; our DNS layer (spf_dns.c) */
};

static pthread_once_t spf_log_once = PTHREAD_ONCE_INIT;

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
	s->layer = spf_dns_layer_new(dns);
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
	spf_dns_layer_free(s->layer);
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
spf_result(SPF_response_t *resp, const struct spf_dns_eval *ev)
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
spf_explain(struct spf_outcome *out, const struct spf_dns_eval *ev, SPF_response_t *resp,
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
	struct spf_dns_eval ev;
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
	spf_dns_begin(&ev);
	spf_query(s->server, req, &resp);
	spf_dns_end(&ev);
	out->lookups = ev.lookups;
	out->voids = ev.voids;
	if (resp == NULL)
		goto oom;
	if (ev.over == SPF_DNS_OVER_LOOKUPS)
		spf_set(out, "permerror", "more than %d DNS-querying terms (RFC 7208 4.6.4)",
		    spf_dns_max_lookups);
	else if (ev.over == SPF_DNS_OVER_VOIDS)
		spf_set(out, "permerror", "more than %d void lookups (RFC 7208 4.6.4)",
		    spf_dns_max_voids);
	else if (ev.over == SPF_DNS_OVER_MX)
		spf_set(out, "permerror", "more than %d MX names (RFC 7208 4.6.4)",
		    spf_dns_max_names);
	else if (ev.over == SPF_DNS_OVER_SYNTAX)
		spf_set(out, "permerror", "%s", ev.syntax);
	else {
		snprintf(out->result, sizeof(out->result), "%s", spf_result_word(spf_result(resp, &ev)));
		spf_explain(out, &ev, resp, ip);
	}
	SPF_response_free(resp);
	SPF_request_free(req);
	return;
oom:
	spf_dns_end(&ev);
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

/* spf_mailfrom_sender - <sender> of the MAIL FROM identity (RFC 7208 §2.4) */
static void
spf_mailfrom_sender(const char *mail_from, const char *helo, char *sender, size_t len)
{
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
		snprintf(sender, len, "postmaster@%s", helo ? helo : "");
	} else if (mail_from[0] == '@') {
		/* no local-part: "postmaster" (RFC 7208 §4.3) */
		snprintf(sender, len, "postmaster%.*s", (int)n, mail_from);
	} else
		snprintf(sender, len, "%.*s", (int)n, mail_from);
}

/* spf_check_mailfrom - see spf.h (RFC 7208 §2.4) */
void
spf_check_mailfrom(struct spf_engine *s, const char *client_ip, const char *helo,
    const char *mail_from, struct spf_outcome *out)
{
	char sender[320];

	spf_mailfrom_sender(mail_from, helo, sender, sizeof(sender));
	spf_check(s, client_ip, helo, sender, "mailfrom", out);
}

/* spf_prefetch_one - the record name of one sender, when spf_check asks it
 * (spf_sender_domain), as libspf2 asks it: what follows the last "@" */
static void
spf_prefetch_one(const char *sender, struct strlist *out)
{
	char *dom = address_domain_of(sender);
	const char *at = strrchr(sender, '@');

	if (dom != NULL && spf_domain_valid(dom) && at != NULL && at[1] != '\0')
		strlist_add(out, at + 1);
	free(dom);
}

/* spf_prefetch_domains - see spf.h */
void
spf_prefetch_domains(const char *helo, const char *mail_from, struct strlist *out)
{
	char sender[320];

	spf_mailfrom_sender(mail_from, helo, sender, sizeof(sender));
	spf_prefetch_one(sender, out);
	snprintf(sender, sizeof(sender), "postmaster@%s", helo ? helo : "");
	spf_prefetch_one(sender, out);
}
