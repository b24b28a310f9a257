/*
 * msg.c - the per-message pipeline: envelope, headers, body, verdict
 *
 * Decides the role (DESIGN.md §2: sign for internal, authenticated or
 * listed-MTA clients, verify otherwise), keeps the header block (it is needed
 * for From, for Authentication-Results removal indices and for signing) and
 * streams the body to the inbound or outbound half without keeping it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "history.h"
#include "hostlist.h"
#include "dns_prefetch.h"
#include "log.h"
#include "metrics.h"
#include "msg_int.h"

/* a header block larger than this is refused; see msg_header */
#define MSG_MAX_HEADER_BYTES	(4 * 1024 * 1024)
#define MSG_MAX_HEADERS		20000

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* mode_has - does the Mode keyword include letter c? */
static int
mode_has(const struct engine *e, int c)
{
	return strchr(e->conf->mode, c) != NULL;
}

/* decide_role - DESIGN.md §2 role rules, with the reason for LogWhy */
static void
decide_role(struct msg *m)
{
	const struct engine *e = m->eng;
	const char *why = NULL;
	size_t i;

	if (hostlist_match(e->ignore, m->client_ip, m->client_host)) {
		m->role = MSG_ROLE_IGNORE;
		m->role_why = xstrdup("client in IgnoreHosts");
		return;
	}
	if (m->auth_type || m->auth_authen)
		why = "client authenticated";
	else if (hostlist_match(e->internal, m->client_ip, m->client_host))
		why = "client in InternalHosts";
	else if (m->daemon_name)
		for (i = 0; e->mta[i]; i++)
			if (strcasecmp(e->mta[i], m->daemon_name) == 0)
				why = "daemon_name listed in MTA";
	if (why && mode_has(e, 's')) {
		m->role = MSG_ROLE_SIGN;
		m->role_why = xstrdup(why);
	} else if (why && e->conf->ignore_auth_clients && (m->auth_type || m->auth_authen)) {
		m->role = MSG_ROLE_IGNORE;
		m->role_why = xstrdup("authenticated client, IgnoreAuthenticatedClients");
	} else if (mode_has(e, 'v')) {
		m->role = MSG_ROLE_VERIFY;
		m->role_why = xstrdup(why ? "Mode has no s; verifying" : "external client");
	} else {
		m->role = MSG_ROLE_IGNORE;
		m->role_why = xstrdup(why ? "Mode has no s" : "external client and Mode has no v");
	}
}

/* msg_may_ignore - can decide_role answer MSG_ROLE_IGNORE for any client? */
int
msg_may_ignore(const struct engine *e)
{
	return !hostlist_empty(e->ignore) || e->conf->ignore_auth_clients ||
	    !mode_has(e, 's') || !mode_has(e, 'v');
}

/* msg_new - start a message at MAIL FROM */
struct msg *
msg_new(struct engine *e, const struct msg_env *env)
{
	struct msg *m = xcalloc(1, sizeof(*m));
	const char *mf = env->mail_from ? env->mail_from : "";
	size_t ml = strlen(mf);

	m->eng = engine_ref(e);
	m->client_ip = dup_or_null(env->client_ip);
	m->client_host = dup_or_null(env->client_host);
	m->helo = dup_or_null(env->helo);
	if (ml >= 2 && mf[0] == '<' && mf[ml - 1] == '>')
		m->mail_from = xstrndup(mf + 1, ml - 2);
	else
		m->mail_from = xstrdup(mf);
	m->auth_type = env->auth_type && *env->auth_type ? xstrdup(env->auth_type) : NULL;
	m->auth_authen = env->auth_authen && *env->auth_authen ? xstrdup(env->auth_authen) : NULL;
	m->daemon_name = dup_or_null(env->daemon_name);
	m->queue_id = xstrdup(env->queue_id && *env->queue_id ? env->queue_id : "NOQUEUE");
	decide_role(m);
	if (m->role == MSG_ROLE_VERIFY)
		msgv_prefetch_env(m);
	return m;
}

/* msg_set_queue_id - the MTA tells the queue id late (Postfix: at DATA) */
void
msg_set_queue_id(struct msg *m, const char *qid)
{
	if (qid == NULL || *qid == '\0')
		return;
	free(m->queue_id);
	m->queue_id = xstrdup(qid);
}

/* msg_rcpt - one envelope recipient */
void
msg_rcpt(struct msg *m, const char *addr)
{
	strlist_add(&m->rcpts, addr ? addr : "");
}

/* norm_value - copy a header value with bare LF line ends made CRLF */
static char *
norm_value(const char *v)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	for (; *v; v++) {
		if (*v == '\n' && (b.len == 0 || b.data[b.len - 1] != '\r'))
			buf_addc(&b, '\r');
		buf_addc(&b, *v);
	}
	return buf_steal(&b);
}

/* msg_header - keep one header; beyond the limits nothing more is kept and
 * the message is refused at eom (refuse_overflow): a field the pipeline
 * never saw (a second From, a forged Authentication-Results) must not let
 * the message through */
void
msg_header(struct msg *m, const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value);

	m->hdr_seen++;
	m->hdr_seen_bytes += n;
	if (m->hdr_overflow || m->nhdrs >= MSG_MAX_HEADERS ||
	    m->hdr_bytes + n > MSG_MAX_HEADER_BYTES) {
		m->hdr_overflow = 1;
		return;
	}
	m->hdrs = xrealloc(m->hdrs, (m->nhdrs + 1) * sizeof(*m->hdrs));
	m->hdrs[m->nhdrs].name = xstrdup(name);
	m->hdrs[m->nhdrs].value = norm_value(value);
	m->nhdrs++;
	if (m->pf != NULL)
		msgv_prefetch_header(m, name, m->hdrs[m->nhdrs - 1].value);
	m->hdr_bytes += n;
}

/* msg_eoh - the header block is complete */
void
msg_eoh(struct msg *m)
{
	if (m->hdr_overflow)
		return;		/* refused at eom: no verifier, no signer */
	if (m->role == MSG_ROLE_VERIFY)
		msgv_start(m);
	else if (m->role == MSG_ROLE_SIGN)
		msgs_start(m);
}

/* msg_body - stream a body chunk to whichever half is active */
void
msg_body(struct msg *m, const unsigned char *p, size_t n)
{
	m->body_bytes += n;
	if (m->role == MSG_ROLE_VERIFY)
		msgv_body(m, p, n);
	else if (m->role == MSG_ROLE_SIGN)
		msgs_body(m, p, n);
}

/* refuse_overflow - a header block over the limits is neither verified nor
 * signed: 552 5.3.4 (RFC 3463: message too big for system) */
static void
refuse_overflow(struct msg *m, struct verdict *v)
{
	struct buf b = BUF_INIT;
	char text[200];

	snprintf(text, sizeof(text), "message header too large: %zu fields, %zu bytes "
	    "(at most %d fields and %d bytes)", m->hdr_seen, m->hdr_seen_bytes,
	    MSG_MAX_HEADERS, MSG_MAX_HEADER_BYTES);
	verdict_set_reply(v, VERDICT_REJECT, "552", "5.3.4", text);
	verdict_set(&v->res.reason, "header too large");
	buf_init(&b);
	buf_printf(&b, "%s: client=%s role=%s action=reject reason=\"header too large\" "
	    "fields=%zu bytes=%zu", m->queue_id, m->client_ip ? m->client_ip : "unknown",
	    msg_role_str(m->role), m->hdr_seen, m->hdr_seen_bytes);
	v->log = buf_steal(&b);
}

/* msg_eom - decide */
void
msg_eom(struct msg *m, struct verdict *v)
{
	verdict_set(&v->res.role, msg_role_str(m->role));
	if (m->hdr_overflow && m->role != MSG_ROLE_IGNORE) {
		refuse_overflow(m, v);
		return;
	}
	if (m->role == MSG_ROLE_VERIFY)
		msgv_eom(m, v);
	else if (m->role == MSG_ROLE_SIGN)
		msgs_eom(m, v);
	if (v->log == NULL) {
		struct buf b = BUF_INIT;

		buf_init(&b);
		log_quote(&b, m->queue_id, strlen(m->queue_id));
		buf_addc(&b, ':');
		log_kv(&b, "client", m->client_ip ? m->client_ip : "unknown");
		buf_printf(&b, " role=%s", msg_role_str(m->role));
		if (m->eng->conf->log_why)
			log_kvq(&b, "why", m->role_why);
		buf_printf(&b, " action=%s", verdict_action_str(v->action));
		v->log = buf_steal(&b);
	}
}

/* history_action - the history file's code of an action */
static int
history_action(enum verdict_action a)
{
	switch (a) {
	case VERDICT_REJECT: return HISTORY_ACTION_REJECT;
	case VERDICT_TEMPFAIL: return HISTORY_ACTION_TEMPFAIL;
	case VERDICT_QUARANTINE: return HISTORY_ACTION_QUARANTINE;
	case VERDICT_DISCARD: return HISTORY_ACTION_DISCARD;
	default: return HISTORY_ACTION_ACCEPT;
	}
}

/* msg_record - see msg.h */
void
msg_record(struct msg *m, struct verdict *v, enum verdict_action applied)
{
	if (v->hist == NULL)
		return;
	v->hist->action = history_action(applied);
	/* a failed write is logged (rate-limited) and counted by the appender */
	if (m->eng->history)
		metrics_history(history_append(m->eng->history, v->hist));
}

/* msg_free - release the message; safe after eom or instead of it (abort) */
void
msg_free(struct msg *m)
{
	size_t i;

	if (m == NULL)
		return;
	dnspf_free(m->pf);	/* before the engine (and its resolver) may go */
	msgv_free(m);
	msgs_free(m);
	for (i = 0; i < m->nhdrs; i++) {
		free(m->hdrs[i].name);
		free(m->hdrs[i].value);
	}
	free(m->hdrs);
	strlist_free(&m->rcpts);
	free(m->client_ip);
	free(m->client_host);
	free(m->helo);
	free(m->mail_from);
	free(m->auth_type);
	free(m->auth_authen);
	free(m->daemon_name);
	free(m->queue_id);
	free(m->role_why);
	engine_unref(m->eng);
	free(m);
}

enum msg_role
msg_role(const struct msg *m)
{
	return m->role;
}

const char *
msg_queue_id(const struct msg *m)
{
	return m->queue_id;
}

/* msg_role_str - the role word */
const char *
msg_role_str(enum msg_role r)
{
	switch (r) {
	case MSG_ROLE_VERIFY: return "verify";
	case MSG_ROLE_SIGN: return "sign";
	default: return "ignore";
	}
}
