/*
 * msg_sign.c - the outbound half of the pipeline: choose keys, sign
 *
 * At end of headers: find the author (the one From header, RFC 5322 §3.6.2),
 * skip mail to DontSignMailTo recipients, and open the signatures the
 * SigningTable asks for (dkim_sign.c).  The body is streamed into them; at
 * end of message the DKIM-Signature headers go into the verdict and the
 * per-message log line says what was signed, or why nothing was.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address.h"
#include "dkim_sign.h"
#include "dkim_signer.h"
#include "log.h"
#include "msg_int.h"

struct msg_sign {
	struct dkims   *dkims;		/* NULL: not signing */
	struct buf	why;		/* why not, or what went wrong */
};

/* from_address - the author's local part and domain; -1 with why */
static int
from_address(struct msg *m, char **user, char **domain, struct buf *why)
{
	struct address_list al;
	const char *value = NULL;
	char reason[256];
	size_t i, nfrom = 0;

	for (i = 0; i < m->nhdrs; i++)
		if (strcasecmp(m->hdrs[i].name, "From") == 0) {
			value = m->hdrs[i].value;
			nfrom++;
		}
	if (nfrom != 1) {
		/* RFC 5322 §3.6: exactly one From; signing a message with two
		 * would lend our domain to whichever one a reader shows */
		buf_printf(why, nfrom ? "%zu From headers" : "no From header", nfrom);
		return -1;
	}
	if (address_parse_from(value, strlen(value), &al, reason, sizeof(reason)) != 0) {
		buf_printf(why, "unparseable From: %s", reason);
		return -1;
	}
	if (al.n == 0) {
		address_list_free(&al);
		buf_adds(why, "From has no mailbox");
		return -1;
	}
	/* several authors: OpenDKIM signs for the first one */
	*user = xstrdup(al.v[0].local);
	*domain = xstrdup(al.v[0].domain);
	address_list_free(&al);
	return 0;
}

/*
 * unqualified_field - the first address field a receiver's signature check
 * depends on (RFC 6376 §5.4.1 lists To, Cc, Reply-To, Sender) holding a
 * mailbox without a domain ("To: bob"), or NULL.  sendmail qualifies such
 * an address when it delivers, after the milter signed, and the signature
 * breaks; Postfix qualifies before the milter sees the header.  We sign
 * anyway (the MTA may leave it alone) and say so in the log.
 */
static const char *
unqualified_field(const struct msg *m)
{
	static const char *const names[] = { "To", "Cc", "Reply-To", "Sender" };
	struct address_list al;
	char reason[128];
	size_t i, k;

	for (i = 0; i < m->nhdrs; i++)
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			if (strcasecmp(m->hdrs[i].name, names[k]) != 0)
				continue;
			if (address_parse_from(m->hdrs[i].value, strlen(m->hdrs[i].value),
			    &al, reason, sizeof(reason)) == 0)
				address_list_free(&al);
			else if (strcmp(reason, "mailbox without a domain") == 0)
				return names[k];
		}
	return NULL;
}

/* msgs_start - choose signing keys at end of headers */
void
msgs_start(struct msg *m)
{
	struct msg_sign *s = xcalloc(1, sizeof(*s));
	char *user = NULL, *domain = NULL;
	size_t i;

	m->sign = s;
	buf_init(&s->why);
	if (m->eng->signer == NULL || dkim_signer_nkeys(m->eng->signer) == 0) {
		buf_adds(&s->why, "no signing keys configured");
		return;
	}
	for (i = 0; i < m->rcpts.n; i++)
		if (dkim_signer_dont_sign_to(m->eng->signer, m->rcpts.v[i])) {
			buf_printf(&s->why, "recipient %s is in DontSignMailTo", m->rcpts.v[i]);
			return;
		}
	if (from_address(m, &user, &domain, &s->why) != 0)
		return;
	s->dkims = dkims_new(m->eng->signer, m->queue_id, user, domain, &s->why);
	free(user);
	free(domain);
	for (i = 0; s->dkims && i < m->nhdrs; i++)
		dkims_header(s->dkims, m->hdrs[i].name, m->hdrs[i].value);
	dkims_eoh(s->dkims);
}

/* msgs_body - stream the body to the signers */
void
msgs_body(struct msg *m, const unsigned char *p, size_t n)
{
	if (m->sign && m->sign->dkims)
		dkims_body(m->sign->dkims, p, n);
}

/* remove_old_signatures - RemoveOldSignatures (OpenDKIM): the message's
 * own DKIM-Signature fields go when it was signed here; indices count per
 * field name, as smfi_chgheader does, and removals precede the additions */
static void
remove_old_signatures(struct msg *m, struct verdict *v)
{
	size_t i;
	int idx = 0;

	for (i = 0; i < m->nhdrs; i++)
		if (strcasecmp(m->hdrs[i].name, "DKIM-Signature") == 0)
			verdict_remove_header(v, m->hdrs[i].name, ++idx);
}

/* msgs_eom - add the DKIM-Signature headers and the log line */
void
msgs_eom(struct msg *m, struct verdict *v)
{
	struct msg_sign *s = m->sign;
	struct buf log = BUF_INIT, sigs = BUF_INIT;
	const char *field;
	size_t made = 0;

	if (s == NULL)		/* eom without eoh: the runner always calls both */
		msgs_start(m);
	s = m->sign;
	buf_init(&sigs);
	if (s->dkims)
		made = dkims_eom(s->dkims, v, &sigs);
	if (made && m->eng->conf->remove_old_sigs)
		remove_old_signatures(m, v);
	buf_init(&log);
	log_quote(&log, m->queue_id, strlen(m->queue_id));
	buf_addc(&log, ':');
	log_kv(&log, "client", m->client_ip ? m->client_ip : "unknown");
	buf_printf(&log, " role=sign dkim=%s%s", made ? "signed" : "unsigned", sigs.data);
	if (!made && s->why.len)
		log_kvq(&log, "reason", s->why.data);
	if (m->eng->conf->log_why)
		log_kvq(&log, "why", m->role_why);
	buf_printf(&log, " action=%s", verdict_action_str(v->action));
	if (!made && s->dkims)	/* keys were chosen, none worked: an error */
		log_warnx("%s: dkim: message passes unsigned", m->queue_id);
	if (made && (field = unqualified_field(m)) != NULL)
		log_warnx("%s: dkim: signed %s field has an unqualified address; "
		    "an MTA that qualifies it after signing (sendmail) breaks the signature",
		    m->queue_id, field);
	free(v->log);
	v->log = buf_steal(&log);
	buf_free(&sigs);
}

/* msgs_free - release outbound state */
void
msgs_free(struct msg *m)
{
	if (m == NULL || m->sign == NULL)
		return;
	dkims_free(m->sign->dkims);
	buf_free(&m->sign->why);
	free(m->sign);
	m->sign = NULL;
}
