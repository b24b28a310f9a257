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

#include "authres.h"
#include "dkim_verify.h"
#include "dmarc.h"
#include "dns.h"
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
	in.spf_result = r->spf ? r->spf : "none";
	in.spf_is_helo = *m->mail_from == '\0';
	in.spf_domain = in.spf_is_helo ? v->helo.domain : v->mfrom.domain;
	if (in.spf_is_helo && r->spf_helo)
		in.spf_result = r->spf_helo;
	dmarc_evaluate(m->eng->dmarc, &in, &v->dmarc);
	v->have_dmarc = 1;
	verdict_set(&r->dmarc, dmarc_result_str(v->dmarc.result));
	verdict_set(&r->dmarc_from, v->dmarc.header_from);
	verdict_set(&r->policy, v->dmarc.have_record ? dmarc_policy_str(v->dmarc.policy) : NULL);
	free(dk);
	free(from);
}

/* decide - the action for this message (DESIGN.md §6, OpenDMARC's keywords) */
static void
decide(struct msg *m, struct verdict *vd)
{
	const struct conf *c = m->eng->conf;
	struct msg_verify *v = m->verify;
	struct verdict_results *r = &vd->res;
	const char *want = v->have_dmarc ? dmarc_disposition(&v->dmarc) : "none";
	const char *dom = v->dmarc.header_from ? v->dmarc.header_from : "unknown";
	char text[512];

	verdict_set(&r->disposition, "none");
	if (v->have_dmarc && v->dmarc.from_problem) {
		/* no From, several From domains, or a From without a domain */
		if (c->reject_multi_from) {
			snprintf(text, sizeof(text), "message rejected: %s", v->dmarc.reason);
			verdict_set_reply(vd, VERDICT_REJECT, "550", "5.7.1", text);
			verdict_set(&r->disposition, "reject");
			verdict_set(&r->reason, "RejectMultiValueFrom");
			return;
		}
		verdict_set(&r->reason, v->dmarc.reason);
		return;
	}
	if (v->have_dmarc && v->dmarc.result == DMARC_RESULT_TEMPERROR) {
		if (c->tempfail_dns) {
			snprintf(text, sizeof(text), "DMARC policy of %s could not be determined; try again later", dom);
			verdict_set_reply(vd, VERDICT_TEMPFAIL, "451", "4.7.5", text);
			verdict_set(&r->disposition, "tempfail");
			verdict_set(&r->reason, "TempFailOnDNSError");
		} else
			verdict_set(&r->reason, "dns temperror, accepted");
		return;
	}
	if (strcmp(want, "reject") == 0) {
		if (c->reject_failures) {
			snprintf(text, sizeof(text), "rejected because %s publishes a DMARC reject policy "
			    "and this message failed DMARC", dom);
			verdict_set_reply(vd, VERDICT_REJECT, "550", "5.7.1", text);
			verdict_set(&r->disposition, "reject");
			verdict_set(&r->reason, "policy");
		} else
			verdict_set(&r->reason, "RejectFailures no");
	} else if (strcmp(want, "quarantine") == 0) {
		if (c->hold_quarantined) {
			snprintf(text, sizeof(text), "DMARC quarantine policy of %s", dom);
			vd->action = VERDICT_QUARANTINE;
			verdict_set(&vd->quarantine_reason, text);
			verdict_set(&r->disposition, "quarantine");
			verdict_set(&r->reason, "policy");
		} else
			verdict_set(&r->reason, "HoldQuarantinedMessages no");
	} else if (v->have_dmarc && v->dmarc.result == DMARC_RESULT_FAIL) {
		verdict_set(&r->reason, v->dmarc.testing ? "testing (t=y)" :
		    v->dmarc.pct_selected ? "policy none" : "sampled out (pct)");
	}
	if (vd->action == VERDICT_ACCEPT && v->temperror && c->tempfail_dns &&
	    !(v->have_dmarc && v->dmarc.result == DMARC_RESULT_PASS)) {
		verdict_set_reply(vd, VERDICT_TEMPFAIL, "451", "4.7.5",
		    "temporary DNS failure while authenticating this message; try again later");
		verdict_set(&r->disposition, "tempfail");
		verdict_set(&r->reason, "TempFailOnDNSError");
	}
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

/* action_code - history encoding of the verdict's action */
static int
action_code(const struct verdict *vd)
{
	switch (vd->action) {
	case VERDICT_REJECT: return HISTORY_ACTION_REJECT;
	case VERDICT_TEMPFAIL: return HISTORY_ACTION_TEMPFAIL;
	case VERDICT_QUARANTINE: return HISTORY_ACTION_QUARANTINE;
	case VERDICT_DISCARD: return HISTORY_ACTION_DISCARD;
	default: return HISTORY_ACTION_ACCEPT;
	}
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

/* build_history - the record for the history file (one per evaluation) */
static void
build_history(struct msg *m, struct verdict *vd, const char *country, long asn, const char *asorg)
{
	const struct msg_verify *v = m->verify;
	const struct dmarc_outcome *o = &v->dmarc;
	const struct verdict_results *r = &vd->res;
	struct history_rec *h;
	const char *at;
	size_t i;

	if (!v->have_dmarc || (!o->have_record && !m->eng->conf->record_all))
		return;
	h = history_rec_new();
	history_rec_set(&h->job, m->queue_id);
	history_rec_set(&h->reporter, m->eng->authserv_id);
	h->received = (long long)time(NULL);
	history_rec_set(&h->ipaddr, m->client_ip);
	history_rec_set(&h->from, o->header_from);
	at = strrchr(m->mail_from, '@');
	history_rec_set(&h->mfrom, at ? at + 1 : "");
	for (i = 0; i < r->ndkim; i++)
		history_rec_add_dkim(h, r->dkim[i].domain, r->dkim[i].selector,
		    history_ares_code(r->dkim[i].result));
	h->spf_scope = *m->mail_from ? HISTORY_SCOPE_MFROM : HISTORY_SCOPE_HELO;
	h->spf = history_ares_code(*m->mail_from ? r->spf : r->spf_helo);
	history_rec_set(&h->pdomain, o->policy_domain);
	h->policy = history_policy(o);
	if (o->have_record) {
		for (i = 0; i < o->rec.rua.n; i++)
			history_rec_add_rua(h, o->rec.rua.v[i]);
		h->pct = o->rec.pct;
		h->adkim = o->rec.adkim;
		h->aspf = o->rec.aspf;
		h->p = policy_letter(o->rec.p);
		h->sp = policy_letter(o->rec.sp);
		h->np = policy_letter(o->rec.np);
		h->testing = o->rec.testing;
	}
	h->align_dkim = o->dkim_evaluated ? (o->dkim_aligned ? HISTORY_ALIGN_PASS : HISTORY_ALIGN_FAIL) : HISTORY_ALIGN_UNKNOWN;
	h->align_spf = o->spf_evaluated ? (o->spf_aligned ? HISTORY_ALIGN_PASS : HISTORY_ALIGN_FAIL) : HISTORY_ALIGN_UNKNOWN;
	h->action = action_code(vd);
	history_rec_set(&h->helo, m->helo);
	history_rec_set(&h->discovery, o->discovery);
	if (o->result == DMARC_RESULT_FAIL && strcmp(r->disposition, "none") == 0 &&
	    strcmp(dmarc_disposition(o), "none") != 0)
		history_rec_set(&h->override, o->testing ? "policy_test_mode" :
		    !o->pct_selected ? "sampled_out" : "local_policy");
	history_rec_set(&h->country, *country ? country : NULL);
	h->asn = asn;
	history_rec_set(&h->asorg, *asorg ? asorg : NULL);
	vd->hist = h;
}

/* log_line - one greppable key=value line per message (house style 8) */
static void
log_line(struct msg *m, struct verdict *vd, const char *country, long asn)
{
	const struct verdict_results *r = &vd->res;
	struct buf b = BUF_INIT;
	size_t i;

	buf_init(&b);
	buf_printf(&b, "%s: client=%s helo=%s mailfrom=<%s>", m->queue_id,
	    m->client_ip ? m->client_ip : "unknown", m->helo ? m->helo : "", m->mail_from);
	if (*country)
		buf_printf(&b, " country=%s", country);
	if (asn)
		buf_printf(&b, " asn=%ld", asn);
	buf_printf(&b, " spf=%s spf.helo=%s", r->spf ? r->spf : "none", r->spf_helo ? r->spf_helo : "none");
	if (r->ndkim == 0)
		buf_adds(&b, " dkim=none");
	for (i = 0; i < r->ndkim; i++)
		buf_printf(&b, " dkim=%s d=%s s=%s", r->dkim[i].result, r->dkim[i].domain ? r->dkim[i].domain : "-",
		    r->dkim[i].selector ? r->dkim[i].selector : "-");
	buf_printf(&b, " dmarc=%s header.from=%s policy=%s disposition=%s action=%s",
	    r->dmarc ? r->dmarc : "none", r->dmarc_from ? r->dmarc_from : "-",
	    r->policy ? r->policy : "-", r->disposition ? r->disposition : "none",
	    verdict_action_str(vd->action));
	if (r->reason)
		buf_printf(&b, " reason=\"%s\"", r->reason);
	if (vd->nrm)
		buf_printf(&b, " removed_ar=%zu", vd->nrm);
	free(vd->log);
	vd->log = buf_steal(&b);
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
	if (v->dkim) {
		dkimv_eom(v->dkim);
		dkimv_results(v->dkim, vd);
	}
	run_spf(m, vd);
	if (m->eng->dmarc)
		run_dmarc(m, vd);
	dns_budget_end(&budget);
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
