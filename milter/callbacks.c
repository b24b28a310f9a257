/*
 * callbacks.c - libmilter callbacks: thin adapters between libmilter and the
 * pipeline in lib/msg.c (DESIGN.md §2).  Each gathers what the MTA said,
 * calls lib/, and maps the answer back; nothing here decides anything.
 *
 * A connection context (created at option negotiation or connect, freed at
 * close) owns at most one message; one function frees it, from eom, abort,
 * a new MAIL and close.
 *
 * Fewer round trips: we ask the MTA not to send the commands we have no
 * callback for (SMFIP_NOUNKNOWN, SMFIP_NODATA) and not to wait for our
 * answer to HELO, RCPT, each header, end of headers and each body chunk
 * (SMFIP_NR_*): none of those steps decides anything, the verdict comes at
 * end of message.  CONNECT and MAIL are answered without waiting too when
 * the configuration the connection started under cannot accept early there
 * (no PeerList; no rule that makes a message MSG_ROLE_IGNORE), so that an
 * MTA sends a whole message in one go and we answer once, at the end: on
 * a 2-core machine each round trip is two context switches on each side.
 * libmilter answers for us when the MTA lacks a step's flag.  An answer
 * other than "continue" at a step without a reply is held and given at the
 * next step that has one (end of message at the latest).
 *
 * With SMFIP_NR_BODY, libmilter would not call eom if an MTA put body data
 * in SMFIC_BODYEOB (it hands that data to the body callback and goes on to
 * eom only on SMFIS_CONTINUE); Postfix and sendmail send SMFIC_BODYEOB
 * empty.  An MTA that did would time out on us and apply its milter
 * default action; no mail is lost.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "callbacks.h"
#include "hostlist.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"

struct conn {
	struct engine  *eng;
	char	       *ip;
	char	       *host;
	char	       *helo;
	struct msg     *msg;
	unsigned long	noreply;	/* SMFIP_NR_* agreed for this connection */
	sfsistat	held;		/* answer waiting for a step with a reply */
	int		counted;	/* connect seen: counted in cb_active */
};

/* the protocol steps we take when offered (see the top of this file) */
#define CB_PROTO_WANT	(SMFIP_HDR_LEADSPC | SMFIP_SKIP | SMFIP_NOUNKNOWN | SMFIP_NODATA | \
	SMFIP_NR_HELO | SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)
#define CB_NR_ALL	(SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT | \
	SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)

static pthread_mutex_t cb_lock = PTHREAD_MUTEX_INITIALIZER;
static struct engine *cb_engine;
static int cb_active;

/* callbacks_set_engine - swap the engine for new connections */
void
callbacks_set_engine(struct engine *e)
{
	struct engine *old;

	pthread_mutex_lock(&cb_lock);
	old = cb_engine;
	cb_engine = e;
	pthread_mutex_unlock(&cb_lock);
	engine_unref(old);
}

/* callbacks_engine - reference on the current engine */
struct engine *
callbacks_engine(void)
{
	struct engine *e;

	pthread_mutex_lock(&cb_lock);
	e = cb_engine ? engine_ref(cb_engine) : NULL;
	pthread_mutex_unlock(&cb_lock);
	return e;
}

/* callbacks_active - open connections */
int
callbacks_active(void)
{
	int n;

	pthread_mutex_lock(&cb_lock);
	n = cb_active;
	pthread_mutex_unlock(&cb_lock);
	return n;
}

/* conn_drop_msg - the one place a message context dies */
static void
conn_drop_msg(struct conn *c)
{
	msg_free(c->msg);
	c->msg = NULL;
}

/* macro - a macro value, NULL when unset or empty */
static const char *
macro(SMFICTX *ctx, const char *name)
{
	const char *v = smfi_getsymval(ctx, (char *)name);

	return v && *v ? v : NULL;
}

/*
 * reply - our answer st at a step whose no-reply flag is bit (0 for end of
 * message).  When the MTA does not wait at that step, an answer other than
 * continue is held for the next step that has a reply; a held answer also
 * stands in for whatever a later step would say.
 */
static sfsistat
reply(struct conn *c, unsigned long bit, sfsistat st)
{
	if (c->held != SMFIS_CONTINUE)
		st = c->held;
	if (c->noreply & bit) {
		c->held = st;
		return SMFIS_NOREPLY;
	}
	c->held = SMFIS_CONTINUE;
	return st;
}

/* conn_of - the connection context, made at the first step that needs it
 * (option negotiation, or CONNECT from an MTA that does not negotiate),
 * with the configuration the connection runs under */
static struct conn *
conn_of(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL) {
		c = xcalloc(1, sizeof(*c));
		c->held = SMFIS_CONTINUE;
		smfi_setpriv(ctx, c);
	}
	if (c->eng == NULL)
		c->eng = callbacks_engine();
	return c;
}

static sfsistat
cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
    unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
    unsigned long *pf3)
{
	/* the context starts here so that every step knows what was agreed */
	struct conn *c = conn_of(ctx);
	unsigned long want = CB_PROTO_WANT;

	(void)f2;
	(void)f3;
	if (c->eng != NULL && hostlist_empty(c->eng->peers))
		want |= SMFIP_NR_CONN;
	if (c->eng != NULL && !msg_may_ignore(c->eng))
		want |= SMFIP_NR_MAIL;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE);
	/* exact header values (leading space) matter to simple canonicalization */
	*pf1 = f1 & want;
	*pf2 = *pf3 = 0;
	c->noreply = *pf1 & CB_NR_ALL;
	return SMFIS_CONTINUE;
}

static sfsistat
cb_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *sa)
{
	struct conn *c = conn_of(ctx);
	char ip[INET6_ADDRSTRLEN] = "";

	if (c->eng == NULL || c->counted)
		return reply(c, SMFIP_NR_CONN, SMFIS_TEMPFAIL);
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)sa)->sin_addr, ip, sizeof(ip));
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)sa)->sin6_addr, ip, sizeof(ip));
	c->ip = *ip ? xstrdup(ip) : NULL;
	c->host = hostname ? xstrdup(hostname) : NULL;
	c->counted = 1;
	pthread_mutex_lock(&cb_lock);
	cb_active++;
	pthread_mutex_unlock(&cb_lock);
	metrics_connection(1);
	if (hostlist_match(c->eng->peers, c->ip, c->host)) {
		log_debug("connection from %s: in PeerList, accepted untouched", c->ip ? c->ip : "unknown");
		return reply(c, SMFIP_NR_CONN, SMFIS_ACCEPT);
	}
	return reply(c, SMFIP_NR_CONN, SMFIS_CONTINUE);
}

static sfsistat
cb_helo(SMFICTX *ctx, char *helo)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	free(c->helo);
	c->helo = xstrdup(helo ? helo : "");
	return reply(c, SMFIP_NR_HELO, SMFIS_CONTINUE);
}

static sfsistat
cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = smfi_getpriv(ctx);
	struct msg_env env;

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	conn_drop_msg(c);
	if (c->held != SMFIS_CONTINUE || c->eng == NULL)	/* connection refused or accepted */
		return reply(c, SMFIP_NR_MAIL, c->eng ? SMFIS_CONTINUE : SMFIS_TEMPFAIL);
	memset(&env, 0, sizeof(env));
	env.client_ip = c->ip;
	env.client_host = c->host;
	env.helo = c->helo;
	env.mail_from = argv && argv[0] ? argv[0] : "";
	env.auth_type = macro(ctx, "{auth_type}");
	env.auth_authen = macro(ctx, "{auth_authen}");
	env.daemon_name = macro(ctx, "{daemon_name}");
	env.queue_id = macro(ctx, "i");
	c->msg = msg_new(c->eng, &env);
	if (msg_role(c->msg) == MSG_ROLE_IGNORE) {
		conn_drop_msg(c);
		return reply(c, SMFIP_NR_MAIL, SMFIS_ACCEPT);
	}
	return reply(c, SMFIP_NR_MAIL, SMFIS_CONTINUE);
}

/* msg_step - the message a step works on, NULL when it has nothing to do
 * (an answer is held, or no message: that is a temporary failure) */
static struct msg *
msg_step(struct conn *c)
{
	if (c->held == SMFIS_CONTINUE && c->msg == NULL)
		c->held = SMFIS_TEMPFAIL;
	return c->held == SMFIS_CONTINUE ? c->msg : NULL;
}

static sfsistat
cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = smfi_getpriv(ctx);
	struct msg *m;

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	if ((m = msg_step(c)) != NULL)
		msg_rcpt(m, argv && argv[0] ? argv[0] : "");
	return reply(c, SMFIP_NR_RCPT, SMFIS_CONTINUE);
}

static sfsistat
cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = smfi_getpriv(ctx);
	struct msg *m;

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	if ((m = msg_step(c)) != NULL)
		msg_header(m, name, value ? value : "");
	return reply(c, SMFIP_NR_HDR, SMFIS_CONTINUE);
}

static sfsistat
cb_eoh(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);
	struct msg *m;

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	if ((m = msg_step(c)) != NULL) {
		msg_set_queue_id(m, macro(ctx, "i"));
		msg_eoh(m);
	}
	return reply(c, SMFIP_NR_EOH, SMFIS_CONTINUE);
}

static sfsistat
cb_body(SMFICTX *ctx, unsigned char *p, size_t n)
{
	struct conn *c = smfi_getpriv(ctx);
	struct msg *m;

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	if ((m = msg_step(c)) != NULL)
		msg_body(m, p, n);
	return reply(c, SMFIP_NR_BODY, SMFIS_CONTINUE);
}

/* rm_cmp - deletions by descending index so none shifts another */
static int
rm_cmp(const void *a, const void *b)
{
	const struct verdict_rm *x = a, *y = b;

	return y->index - x->index;
}

/* apply - carry out a verdict; -1 when the MTA refused an edit */
static int
apply(SMFICTX *ctx, struct verdict *v)
{
	size_t i;
	int rc = 0;

	if (v->nrm > 1)
		qsort(v->rm, v->nrm, sizeof(*v->rm), rm_cmp);
	for (i = 0; i < v->nrm; i++)
		if (smfi_chgheader(ctx, v->rm[i].name, v->rm[i].index, NULL) != MI_SUCCESS)
			rc = -1;
	for (i = v->nadd; i-- > 0;)	/* each goes on top: last first */
		if (smfi_insheader(ctx, 0, v->add[i].name, v->add[i].value) != MI_SUCCESS)
			rc = -1;
	if (v->action == VERDICT_QUARANTINE &&
	    smfi_quarantine(ctx, v->quarantine_reason ? v->quarantine_reason : "DMARC quarantine") != MI_SUCCESS)
		rc = -1;
	return rc;
}

/* set_reply - smfi_setreply with text made safe for it (verdict_milter_text);
 * if libmilter still refuses it, a fixed text of the same class, so the
 * client never gets a reply we did not mean */
static void
set_reply(SMFICTX *ctx, const char *qid, const char *code, const char *xcode, const char *text)
{
	struct buf t = BUF_INIT;
	int temp = code == NULL || code[0] != '5';

	buf_init(&t);
	verdict_milter_text(text ? text : "", &t);
	if (code == NULL || smfi_setreply(ctx, (char *)code, (char *)xcode, t.data) != MI_SUCCESS) {
		log_warnx("%s: libmilter refused the reply text; sending a fixed one", qid);
		if (smfi_setreply(ctx, temp ? "451" : "550", temp ? "4.7.0" : "5.7.1",
		    temp ? "authmilter: try again later" : "authmilter: message refused") != MI_SUCCESS)
			log_warnx("%s: libmilter refused the fixed reply too", qid);
	}
	buf_free(&t);
}

static sfsistat
cb_eom(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);
	struct verdict v;
	sfsistat st = SMFIS_CONTINUE;
	enum verdict_action done;
	uint64_t t0 = metrics_now();

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	if (msg_step(c) == NULL) {	/* a held answer, or no message */
		conn_drop_msg(c);
		return reply(c, 0, SMFIS_CONTINUE);
	}
	msg_set_queue_id(c->msg, macro(ctx, "i"));
	verdict_init(&v);
	msg_eom(c->msg, &v);
	done = v.action;
	switch (v.action) {
	case VERDICT_REJECT:
	case VERDICT_TEMPFAIL:
		set_reply(ctx, msg_queue_id(c->msg), v.smtp_code, v.smtp_xcode, v.smtp_text);
		st = v.action == VERDICT_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
		break;
	case VERDICT_DISCARD:
		st = SMFIS_DISCARD;
		break;
	default:
		if (apply(ctx, &v) != 0) {
			log_err("%s: the MTA refused a header edit or quarantine; temporary failure",
			    msg_queue_id(c->msg));
			set_reply(ctx, msg_queue_id(c->msg), "451", "4.3.0",
			    "authmilter: header edit failed, try again later");
			st = SMFIS_TEMPFAIL;
			done = VERDICT_TEMPFAIL;
		}
	}
	msg_record(c->msg, &v, done);	/* the history says what was done */
	metrics_message(&v, done, t0);
	if (v.log && (c->eng->conf->syslog_success || v.action != VERDICT_ACCEPT))
		log_info("%s", v.log);
	verdict_free(&v);
	conn_drop_msg(c);
	return st;
}

static sfsistat
cb_abort(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL) {
		conn_drop_msg(c);
		c->held = SMFIS_CONTINUE;
	}
	return SMFIS_CONTINUE;
}

static sfsistat
cb_close(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL)
		return SMFIS_CONTINUE;
	smfi_setpriv(ctx, NULL);
	conn_drop_msg(c);
	free(c->ip);
	free(c->host);
	free(c->helo);
	engine_unref(c->eng);
	if (c->counted) {
		pthread_mutex_lock(&cb_lock);
		cb_active--;
		pthread_mutex_unlock(&cb_lock);
		metrics_connection(-1);
	}
	free(c);
	return SMFIS_CONTINUE;
}

struct smfiDesc callbacks_desc = {
	"authmilter",
	SMFI_VERSION,
	SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
	cb_connect,
	cb_helo,
	cb_envfrom,
	cb_envrcpt,
	cb_header,
	cb_eoh,
	cb_body,
	cb_eom,
	cb_abort,
	cb_close,
	NULL,		/* unknown */
	NULL,		/* data */
	cb_negotiate
};
