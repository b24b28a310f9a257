/*
 * msg_verify.c - the inbound half of the pipeline: SPF (HELO and MAIL FROM),
 * DKIM verification, DMARC, the Authentication-Results header, removal of
 * forged ones, the policy action, the history record and the log line.
 *
 * Each method lives in its own module; this file only feeds them and turns
 * their outcomes into a verdict (DESIGN.md §2, §6).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "address.h"
#include "authres.h"
#include "dkim_verify.h"
#include "dmarc.h"
#include "dkim_tag.h"
#include "dns.h"
#include "dns_prefetch.h"
#include "geoip.h"
#include "history.h"
#include "log.h"
#include "msg_int.h"
#include "spf.h"

struct msg_verify {
	struct dkimv   *dkim;
	struct spf_outcome helo;
	struct spf_outcome mfrom;
	struct dmarc_outcome dmarc;
	int		have_dmarc;
	int		temperror;	/* some method failed temporarily */
};

/* msgv_start - set up inbound state and give DKIM the header block */
void
msgv_start(struct msg *m)
{
	struct msg_verify *v = xcalloc(1, sizeof(*v));
	size_t i;

	m->verify = v;
	if (m->eng->dkim == NULL)
		return;
	v->dkim = dkimv_new(m->eng->dkim, m->queue_id);
	for (i = 0; i < m->nhdrs; i++)
		dkimv_header(v->dkim, m->hdrs[i].name, m->hdrs[i].value);
	dkimv_eoh(v->dkim);
}

/* msgv_body - stream the body to the verifier */
void
msgv_body(struct msg *m, const unsigned char *p, size_t n)
{
	if (m->verify && m->verify->dkim)
		dkimv_body(m->verify->dkim, p, n);
}

/* run_spf - both identities (RFC 7208 §2.3, §2.4) */
static void
run_spf(struct msg *m, struct verdict *vd)
{
	struct msg_verify *v = m->verify;
	struct verdict_results *r = &vd->res;

	if (m->eng->spf == NULL || m->client_ip == NULL)
		return;
	spf_check_helo(m->eng->spf, m->client_ip, m->helo ? m->helo : "", &v->helo);
	spf_check_mailfrom(m->eng->spf, m->client_ip, m->helo ? m->helo : "", m->mail_from, &v->mfrom);
	verdict_set(&r->spf, v->mfrom.result);
	verdict_set(&r->spf_domain, v->mfrom.domain);
	verdict_set(&r->spf_reason, v->mfrom.reason);
	verdict_set(&r->spf_helo, v->helo.result);
	verdict_set(&r->spf_helo_domain, v->helo.domain);
	if (strcmp(v->mfrom.result, "temperror") == 0)
		v->temperror = 1;
}

/* run_dmarc - RFC 9989 evaluation over every From header and the results */
static void
run_dmarc(struct msg *m, struct verdict *vd)
{
	struct msg_verify *v = m->verify;
	struct verdict_results *r = &vd->res;
	struct dmarc_dkim_in *dk = xcalloc(r->ndkim + 1, sizeof(*dk));
	const char **from = xcalloc(m->nhdrs + 1, sizeof(*from));
	struct dmarc_input in;
	size_t i;

	memset(&in, 0, sizeof(in));
	for (i = 0; i < m->nhdrs; i++)
		if (strcasecmp(m->hdrs[i].name, "From") == 0)
			from[in.nfrom++] = m->hdrs[i].value;
	for (i = 0; i < r->ndkim; i++) {
		dk[i].domain = r->dkim[i].domain;
		dk[i].selector = r->dkim[i].selector;
		dk[i].result = r->dkim[i].result;
		if (r->dkim[i].result && strcmp(r->dkim[i].result, "temperror") == 0)
			v->temperror = 1;
	}
	in.from = from;
	in.dkim = dk;
	in.ndkim = r->ndkim;
	/*
	 * RFC 9989 section 3.2.4 keeps RFC 7208 section 2.4: the MAIL FROM
	 * identity of a null reverse-path is postmaster@HELO, which is what
	 * run_spf checked as MAIL FROM; so that result and its domain are the
	 * SPF-authenticated identifier in both modes (RFC 7489 section 4.1
	 * says the same).  The HELO identity check itself is never used.
	 */
	in.spf_result = r->spf ? r->spf : "none";
	in.spf_domain = v->mfrom.domain;
	in.spf_is_helo = 0;
	dmarc_evaluate(m->eng->dmarc, &in, &v->dmarc);
	v->have_dmarc = 1;
	verdict_set(&r->dmarc, dmarc_result_str(v->dmarc.result));
	verdict_set(&r->dmarc_from, v->dmarc.header_from);
	verdict_set(&r->policy, v->dmarc.have_record ? dmarc_policy_str(v->dmarc.policy) : NULL);
	free(dk);
	free(from);
}

/*
 * header_counts - RFC 5322 §3.6 table: how often each field may occur
 * (RequiredHeaders, as OpenDMARC and OpenDKIM check it); 0 when the header
 * complies, else -1 with the first offence in why
 */
static int
header_counts(const struct msg *m, char *why, size_t len)
{
	static const struct {
		const char *name;
		int min, max;
	} rule[] = {
		{ "Date", 1, 1 }, { "From", 1, 1 }, { "Sender", 0, 1 }, { "Reply-To", 0, 1 },
		{ "To", 0, 1 }, { "Cc", 0, 1 }, { "Bcc", 0, 1 }, { "Message-ID", 0, 1 },
		{ "In-Reply-To", 0, 1 }, { "References", 0, 1 }, { "Subject", 0, 1 },
	};
	size_t i, j;

	for (i = 0; i < sizeof(rule) / sizeof(rule[0]); i++) {
		int n = 0;

		for (j = 0; j < m->nhdrs; j++)
			n += strcasecmp(m->hdrs[j].name, rule[i].name) == 0;
		if (n < rule[i].min || n > rule[i].max) {
			snprintf(why, len, "%d %s fields (RFC 5322 section 3.6 allows %s)", n,
			    rule[i].name, rule[i].min ? "exactly one" : "at most one");
			return -1;
		}
	}
	return 0;
}

/* refuse - reject with 550 5.7.1 (text cleaned by verdict_set_reply) */
static void
refuse(struct verdict *vd, const char *text, const char *reason)
{
	verdict_set_reply(vd, VERDICT_REJECT, "550", "5.7.1", text);
	verdict_set(&vd->res.disposition, "reject");
	verdict_set(&vd->res.reason, reason);
}

/* decide_from - what the From and the header block themselves decide,
 * before any policy: 1 when decided (reason set), else 0 */
static int
decide_from(struct msg *m, struct verdict *vd)
{
	const struct conf *c = m->eng->conf;
	const struct msg_verify *v = m->verify;
	char text[512];

	if (v->have_dmarc && v->dmarc.from_fields > 1 && c->reject_multi_from_fields) {
		/* RFC 5322 section 3.6: exactly one From field */
		snprintf(text, sizeof(text), "message rejected: %zu From header fields; "
		    "RFC 5322 allows exactly one", v->dmarc.from_fields);
		refuse(vd, text, "RejectMultipleFromFields");
		return 1;
	}
	if (c->required_headers && header_counts(m, text, sizeof(text)) != 0) {
		refuse(vd, text, "RequiredHeaders");
		return 1;
	}
	if (!v->have_dmarc || !v->dmarc.from_problem)
		return 0;
	/* no From, several From domains, or a From without a domain */
	if (c->reject_multi_from) {
		snprintf(text, sizeof(text), "message rejected: %s", v->dmarc.reason);
		refuse(vd, text, "RejectMultiValueFrom");
	} else if (v->dmarc.from_capped && c->reject_failures)
		/* not evaluated is never better than a failure would be */
		refuse(vd, "message rejected: the From field names too many domains to "
		    "evaluate DMARC for each", "MultiValueFrom strictest: too many From domains");
	else
		verdict_set(&vd->res.reason, v->dmarc.reason);
	return 1;
}

/* reject_text - the reply to a DMARC reject: RejectString (checked at
 * load: "%s" once, the Author Domain) or ours */
static void
reject_text(const struct conf *c, const char *dom, char *text, size_t len)
{
	const char *pct = c->reject_string ? strstr(c->reject_string, "%s") : NULL;

	if (pct)
		snprintf(text, len, "%.*s%s%s", (int)(pct - c->reject_string), c->reject_string,
		    dom, pct + 2);
	else
		snprintf(text, len, "rejected because %s publishes a DMARC reject policy and "
		    "this message failed DMARC", dom);
}

/* decide_policy - the Domain Owner's requested disposition, as far as
 * RejectFailures and HoldQuarantinedMessages let it through */
static void
decide_policy(struct msg *m, struct verdict *vd, const char *dom)
{
	const struct conf *c = m->eng->conf;
	const struct msg_verify *v = m->verify;
	struct verdict_results *r = &vd->res;
	const char *want = v->have_dmarc ? dmarc_disposition(&v->dmarc) : "none";
	char text[512];

	if (strcmp(want, "reject") == 0) {
		if (c->reject_failures) {
			reject_text(c, dom, text, sizeof(text));
			refuse(vd, text, "policy");
		} else
			verdict_set(&r->reason, "RejectFailures no");
	} else if (strcmp(want, "quarantine") == 0) {
		if (c->hold_quarantined) {
			snprintf(text, sizeof(text), "DMARC quarantine policy of %s", dom);
			verdict_set_quarantine(vd, text);
			verdict_set(&r->disposition, "quarantine");
			verdict_set(&r->reason, "policy");
		} else
			verdict_set(&r->reason, "HoldQuarantinedMessages no");
	} else if (v->have_dmarc && v->dmarc.result == DMARC_RESULT_FAIL) {
		verdict_set(&r->reason, v->dmarc.testing ? "testing (t=y)" :
		    v->dmarc.pct_selected ? "policy none" : "sampled out (pct)");
	}
}

/* tempfail - 451 4.7.5, disposition tempfail, TempFailOnDNSError */
static void
tempfail(struct verdict *vd, const char *text)
{
	verdict_set_reply(vd, VERDICT_TEMPFAIL, "451", "4.7.5", text);
	verdict_set(&vd->res.disposition, "tempfail");
	verdict_set(&vd->res.reason, "TempFailOnDNSError");
}

/* decide - the action for this message (DESIGN.md §6, OpenDMARC's keywords) */
static void
decide(struct msg *m, struct verdict *vd)
{
	const struct conf *c = m->eng->conf;
	const struct msg_verify *v = m->verify;
	const char *dom = v->dmarc.header_from ? v->dmarc.header_from : "unknown";
	char text[512];

	verdict_set(&vd->res.disposition, "none");
	if (decide_from(m, vd))
		return;
	if (v->have_dmarc && v->dmarc.result == DMARC_RESULT_TEMPERROR) {
		if (c->tempfail_dns) {
			snprintf(text, sizeof(text), "DMARC policy of %s could not be determined; "
			    "try again later", dom);
			tempfail(vd, text);
		} else
			verdict_set(&vd->res.reason, "dns temperror, accepted");
		return;
	}
	decide_policy(m, vd, dom);
	if (vd->action == VERDICT_ACCEPT && v->temperror && c->tempfail_dns &&
	    !(v->have_dmarc && v->dmarc.result == DMARC_RESULT_PASS))
		tempfail(vd, "temporary DNS failure while authenticating this message; "
		    "try again later");
}

/* remove_forged - every incoming A-R that claims to be ours goes (RFC 8601
 * §5); indices count per header name, as smfi_chgheader does */
static void
remove_forged(struct msg *m, struct verdict *vd)
{
	const struct conf *c = m->eng->conf;
	size_t i;
	int idx = 0;

	for (i = 0; i < m->nhdrs; i++) {
		if (strcasecmp(m->hdrs[i].name, "Authentication-Results") != 0)
			continue;
		idx++;
		if (authres_is_ours(m->hdrs[i].value, m->eng->authserv_id, c->trusted_authserv_ids))
			verdict_remove_header(vd, m->hdrs[i].name, idx);
	}
}

/* add_headers - Authentication-Results (and Received-SPF when asked) */
static void
add_headers(struct msg *m, struct verdict *vd)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	if (m->eng->conf->authserv_id_jobid && strcmp(m->queue_id, "NOQUEUE") != 0) {
		/* AuthservIDWithJobID (OpenDKIM, OpenDMARC): "id/queue-id";
		 * authres_build quotes it, "/" is not a token character */
		char *id = xmalloc(strlen(m->eng->authserv_id) + strlen(m->queue_id) + 2);

		sprintf(id, "%s/%s", m->eng->authserv_id, m->queue_id);
		authres_build(id, &vd->res, &b);
		free(id);
	} else
		authres_build(m->eng->authserv_id, &vd->res, &b);
	verdict_add_header(vd, "Authentication-Results", b.data);
	if (m->eng->conf->add_received_spf && vd->res.spf) {
		buf_reset(&b);
		buf_addc(&b, ' ');
		spf_received_spf(&m->verify->mfrom, m->client_ip, m->helo, m->mail_from,
		    m->eng->authserv_id, &b);
		verdict_add_header(vd, "Received-SPF", b.data);
	}
	buf_free(&b);
}

/* policy_letter - 'n', 'q', 'r' or 0 */
static int
policy_letter(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_POLICY_NONE: return 'n';
	case DMARC_POLICY_QUARANTINE: return 'q';
	case DMARC_POLICY_REJECT: return 'r';
	default: return 0;
	}
}

/* history_policy - OpenDMARC's "policy" field: the evaluation's outcome */
static int
history_policy(const struct dmarc_outcome *o)
{
	if (o->result == DMARC_RESULT_PASS)
		return HISTORY_POLICY_PASS;
	if (!o->have_record || o->result == DMARC_RESULT_TEMPERROR)
		return HISTORY_POLICY_ABSENT;
	switch (o->policy) {
	case DMARC_POLICY_REJECT: return HISTORY_POLICY_REJECT;
	case DMARC_POLICY_QUARANTINE: return HISTORY_POLICY_QUARANTINE;
	default: return HISTORY_POLICY_NONE;
	}
}

/* keep_rua - the first ReportMaxDestinations rua URIs go into the history
 * record (RFC 9990 "Report Delivery": up to the receiver's limits); a
 * record listing 2,000 would otherwise add 59 KB per message and as many
 * report mails.  What is dropped is logged. */
static void
keep_rua(struct msg *m, struct history_rec *h, const struct dmarc_outcome *o)
{
	size_t i, max = (size_t)m->eng->conf->report_max_dest;
	struct buf b = BUF_INIT;

	for (i = 0; i < o->rec.rua.n && i < max; i++)
		history_rec_add_rua(h, o->rec.rua.v[i]);
	if (o->rec.rua.n <= max)
		return;
	buf_init(&b);
	log_quote(&b, m->queue_id, strlen(m->queue_id));
	buf_printf(&b, ": dmarc: rua of");
	log_kv(&b, "domain", o->policy_domain);
	buf_printf(&b, " lists %zu URIs; kept=%zu dropped=%zu (ReportMaxDestinations)",
	    o->rec.rua.n, max, o->rec.rua.n - max);
	log_kv(&b, "first_dropped", o->rec.rua.v[max]);
	log_warnx("%s", b.data);
	buf_free(&b);
}

/* history_ext - our additions to OpenDMARC's keywords (HistoryExtensions) */
static void
history_ext(struct msg *m, const struct verdict *vd, struct history_rec *h,
    const char *country, long asn, const char *asorg)
{
	const struct dmarc_outcome *o = &m->verify->dmarc;

	h->spf_scope = *m->mail_from ? HISTORY_SCOPE_MFROM : HISTORY_SCOPE_HELO;
	if (o->have_record) {
		h->np = policy_letter(o->rec.np);
		h->testing = o->rec.testing;
	}
	history_rec_set(&h->helo, m->helo);
	history_rec_set(&h->discovery, o->discovery);
	if (o->result == DMARC_RESULT_FAIL && strcmp(vd->res.disposition, "none") == 0 &&
	    strcmp(dmarc_disposition(o), "none") != 0)
		history_rec_set(&h->override, o->testing ? "policy_test_mode" :
		    !o->pct_selected ? "sampled_out" : "local_policy");
	history_rec_set(&h->country, *country ? country : NULL);
	h->asn = asn;
	history_rec_set(&h->asorg, *asorg ? asorg : NULL);
}

/* history_align - align_dkim/align_spf as OpenDMARC writes them: 4 or 5
 * whenever a policy record was found (a message without a DKIM signature
 * or SPF result failed alignment), 0 only without one */
static int
history_align(const struct dmarc_outcome *o, int aligned)
{
	if (!o->have_record)
		return HISTORY_ALIGN_UNKNOWN;
	return aligned ? HISTORY_ALIGN_PASS : HISTORY_ALIGN_FAIL;
}

/*
 * build_history - the record for the history file (one per evaluation),
 * with the values OpenDMARC 1.4.2 writes in the same situation: no record
 * without an Author Domain (OpenDMARC writes none: nothing to report it
 * to); pdomain is the Organizational Domain or the Author Domain when no
 * policy record was found (libopendmarc's "utilized domain").  The action
 * is msg_record's.
 */
static void
build_history(struct msg *m, struct verdict *vd, const char *country, long asn, const char *asorg)
{
	const struct msg_verify *v = m->verify;
	const struct dmarc_outcome *o = &v->dmarc;
	const struct verdict_results *r = &vd->res;
	struct history_rec *h;
	char *mfrom;
	size_t i;

	if (!v->have_dmarc || (!o->have_record && !m->eng->conf->record_all) ||
	    o->header_from == NULL || *o->header_from == '\0')
		return;
	h = history_rec_new();
	history_rec_set(&h->job, m->queue_id);
	history_rec_set(&h->reporter, m->eng->authserv_id);
	h->received = (long long)time(NULL);
	history_rec_set(&h->ipaddr, m->client_ip);
	history_rec_set(&h->from, o->header_from);
	mfrom = address_domain_of(m->mail_from);
	history_rec_set(&h->mfrom, mfrom ? mfrom : "");
	free(mfrom);
	for (i = 0; i < r->ndkim; i++)
		history_rec_add_dkim(h, r->dkim[i].domain, r->dkim[i].selector,
		    history_ares_code(r->dkim[i].result));
	h->spf = history_ares_code(*m->mail_from ? r->spf : r->spf_helo);
	history_rec_set(&h->pdomain, o->policy_domain ? o->policy_domain :
	    o->org_domain ? o->org_domain : o->header_from);
	h->policy = history_policy(o);
	if (o->have_record) {
		keep_rua(m, h, o);
		h->pct = o->rec.pct;
		h->adkim = o->rec.adkim;
		h->aspf = o->rec.aspf;
		h->p = policy_letter(o->rec.p);
		h->sp = policy_letter(o->rec.sp);
	}
	h->align_dkim = history_align(o, o->dkim_aligned);
	h->align_spf = history_align(o, o->spf_aligned);
	if (m->eng->conf->history_extensions)
		history_ext(m, vd, h, country, asn, asorg);
	vd->hist = h;
}

/* log_line - one greppable key=value line per message (house style 8);
 * every value from the peer goes through log_kv (authmilter(8), LOGGING) */
static void
log_line(struct msg *m, struct verdict *vd, const char *country, long asn)
{
	const struct verdict_results *r = &vd->res;
	struct buf b = BUF_INIT, mf = BUF_INIT;
	size_t i;

	buf_init(&b);
	buf_init(&mf);
	buf_printf(&mf, "<%s>", m->mail_from);
	log_quote(&b, m->queue_id, strlen(m->queue_id));
	buf_addc(&b, ':');
	log_kv(&b, "client", m->client_ip ? m->client_ip : "unknown");
	log_kv(&b, "helo", m->helo ? m->helo : "");
	log_kv(&b, "mailfrom", mf.data);
	if (*country)
		log_kv(&b, "country", country);
	if (asn)
		buf_printf(&b, " asn=%ld", asn);
	buf_printf(&b, " spf=%s spf.helo=%s", r->spf ? r->spf : "none", r->spf_helo ? r->spf_helo : "none");
	if (r->ndkim == 0)
		buf_adds(&b, " dkim=none");
	for (i = 0; i < r->ndkim; i++) {
		log_kv(&b, "dkim", r->dkim[i].result);
		log_kv(&b, "d", r->dkim[i].domain);
		log_kv(&b, "s", r->dkim[i].selector);
	}
	log_kv(&b, "dmarc", r->dmarc ? r->dmarc : "none");
	log_kv(&b, "header.from", r->dmarc_from);
	log_kv(&b, "policy", r->policy);
	log_kv(&b, "disposition", r->disposition ? r->disposition : "none");
	log_kv(&b, "action", verdict_action_str(vd->action));
	if (r->reason)
		log_kvq(&b, "reason", r->reason);
	if (vd->nrm)
		buf_printf(&b, " removed_ar=%zu", vd->nrm);
	free(vd->log);
	vd->log = buf_steal(&b);
	buf_free(&mf);
}

/* dns_budget_seconds - DNSBudget; 0 means twice DNSTimeout: one query
 * that times out and the rest of a normal evaluation still fit, well inside
 * the MTA's wait for the end-of-message reply (Postfix 300 s, sendmail 5 m) */
static int
dns_budget_seconds(const struct conf *c)
{
	return c->dns_budget > 0 ? (int)c->dns_budget : 2 * (int)c->dns_timeout;
}

/* msgv_eom - results, header edits, action, record, log line; every DNS
 * lookup (DKIM keys, SPF, DMARC) shares one per-message budget */
void
msgv_eom(struct msg *m, struct verdict *vd)
{
	struct msg_verify *v = m->verify;
	char country[3] = "", asorg[128] = "";
	struct dns_budget budget;
	long asn = 0;

	if (v == NULL)
		msgv_start(m), v = m->verify;
	dns_budget_begin(&budget, dns_budget_seconds(m->eng->conf));
	dnspf_use(m->pf);
	if (v->dkim) {
		dkimv_eom(v->dkim);
		dkimv_results(v->dkim, vd);
	}
	run_spf(m, vd);
	if (m->eng->dmarc)
		run_dmarc(m, vd);
	dnspf_use(NULL);
	dns_budget_end(&budget);
	dnspf_free(m->pf);	/* what is still in flight is not needed */
	m->pf = NULL;
	if (budget.spent)
		log_info("%s: DNS budget of %d s spent: the lookups left were not sent (temperror)",
		    m->queue_id, budget.seconds);
	decide(m, vd);
	remove_forged(m, vd);
	add_headers(m, vd);
	if (m->eng->geoip && m->client_ip)
		geoip_lookup(m->eng->geoip, m->client_ip, country, &asn, asorg, sizeof(asorg));
	build_history(m, vd, country, asn, asorg);
	log_line(m, vd, country, asn);
}

/* msgv_prefetch_env - DNSPrefetch at MAIL FROM: a set for the message
 * and the SPF records of both identities run_spf checks */
void
msgv_prefetch_env(struct msg *m)
{
	const struct engine *e = m->eng;
	struct strlist doms = { 0, NULL };
	size_t i;

	if (!e->conf->dns_prefetch || e->dns == NULL)
		return;
	m->pf = dnspf_new(e->dns, m->client_ip != NULL && strchr(m->client_ip, ':') != NULL &&
	    strncasecmp(m->client_ip, "::ffff:", 7) != 0);
	if (e->spf == NULL || m->client_ip == NULL)
		return;
	spf_prefetch_domains(m->helo, m->mail_from, &doms);
	for (i = 0; i < doms.n; i++)
		dnspf_spf(m->pf, doms.v[i]);
	strlist_free(&doms);
}

/* msgv_prefetch_header - DNSPrefetch per header field: the key of each
 * DKIM-Signature the verifier will try (the first MaximumSignaturesToVerify),
 * the DMARC discovery of each From domain */
void
msgv_prefetch_header(struct msg *m, const char *name, const char *value)
{
	const struct engine *e = m->eng;
	struct strlist authors = { 0, NULL }, names = { 0, NULL };
	char key[512];
	size_t i, len = strlen(value);

	/* the verifier's own tag-list check (dkim_tag_sig_check) is not
	 * repeated here: a malformed field costs a lookup, no more */
	if (strcasecmp(name, "DKIM-Signature") == 0 && e->dkim != NULL &&
	    m->pf_sigs++ < (size_t)e->conf->max_verify_sigs &&
	    dkim_tag_key_name(value, len, key, sizeof(key)) == 0)
		dnspf_txt(m->pf, key);
	if (strcasecmp(name, "From") != 0 || e->dmarc == NULL)
		return;
	dmarc_prefetch_authors(e->dmarc, value, &authors);
	for (i = 0; i < authors.n; i++) {
		dmarc_prefetch_names(e->dmarc, authors.v[i], &names);
		dnspf_dmarc(m->pf, authors.v[i], &names);
		strlist_free(&names);
	}
	strlist_free(&authors);
}

/* msgv_free - release inbound state */
void
msgv_free(struct msg *m)
{
	struct msg_verify *v = m->verify;

	if (v == NULL)
		return;
	dkimv_free(v->dkim);
	if (v->have_dmarc)
		dmarc_outcome_free(&v->dmarc);
	free(v);
	m->verify = NULL;
}
