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
 * callback for (SMFIP_NOUNKNOWN, SMFIP_NODATA) and not to wait for a reply
 * to each header (SMFIP_NR_HDR; libmilter answers for us when the MTA
 * lacks it): the header callback never decides anything (the verdict comes
 * at end of message), so it answers SMFIS_NOREPLY.  Body chunks keep their
 * replies: libmilter hands the last chunk of SMFIC_BODYEOB to the body
 * callback and calls eom only when that returns SMFIS_CONTINUE.
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
#include "msg.h"

struct conn {
	struct engine  *eng;
	char	       *ip;
	char	       *host;
	char	       *helo;
	struct msg     *msg;
	unsigned long	noreply;	/* SMFIP_NR_* agreed for this connection */
};

/* the protocol steps we take when offered (see the top of this file) */
#define CB_PROTO_WANT	(SMFIP_HDR_LEADSPC | SMFIP_SKIP | SMFIP_NOUNKNOWN | SMFIP_NODATA | \
	SMFIP_NR_HDR)

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

static sfsistat
cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
    unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
    unsigned long *pf3)
{
	struct conn *c;

	(void)f2;
	(void)f3;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE);
	/* exact header values (leading space) matter to simple canonicalization */
	*pf1 = f1 & CB_PROTO_WANT;
	*pf2 = *pf3 = 0;
	/* the context starts here so that the header callback knows what was agreed */
	if ((c = smfi_getpriv(ctx)) == NULL) {
		c = xcalloc(1, sizeof(*c));
		smfi_setpriv(ctx, c);
	}
	c->noreply = *pf1 & SMFIP_NR_HDR;
	return SMFIS_CONTINUE;
}

static sfsistat
cb_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *sa)
{
	struct conn *c = smfi_getpriv(ctx);
	char ip[INET6_ADDRSTRLEN] = "";

	if (c == NULL)
		c = xcalloc(1, sizeof(*c));
	if (c->eng != NULL || (c->eng = callbacks_engine()) == NULL) {
		smfi_setpriv(ctx, NULL);
		engine_unref(c->eng);
		free(c);
		return SMFIS_TEMPFAIL;
	}
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)sa)->sin_addr, ip, sizeof(ip));
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)sa)->sin6_addr, ip, sizeof(ip));
	c->ip = *ip ? xstrdup(ip) : NULL;
	c->host = hostname ? xstrdup(hostname) : NULL;
	pthread_mutex_lock(&cb_lock);
	cb_active++;
	pthread_mutex_unlock(&cb_lock);
	smfi_setpriv(ctx, c);
	if (hostlist_match(c->eng->peers, c->ip, c->host)) {
		log_debug("connection from %s: in PeerList, accepted untouched", c->ip ? c->ip : "unknown");
		return SMFIS_ACCEPT;
	}
	return SMFIS_CONTINUE;
}

static sfsistat
cb_helo(SMFICTX *ctx, char *helo)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	free(c->helo);
	c->helo = xstrdup(helo ? helo : "");
	return SMFIS_CONTINUE;
}

static sfsistat
cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = smfi_getpriv(ctx);
	struct msg_env env;

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	conn_drop_msg(c);
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
		return SMFIS_ACCEPT;
	}
	return SMFIS_CONTINUE;
}

static sfsistat
cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL || c->msg == NULL)
		return SMFIS_TEMPFAIL;
	msg_rcpt(c->msg, argv && argv[0] ? argv[0] : "");
	return SMFIS_CONTINUE;
}

static sfsistat
cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL || c->msg == NULL)
		return c != NULL && (c->noreply & SMFIP_NR_HDR) ? SMFIS_NOREPLY : SMFIS_TEMPFAIL;
	msg_header(c->msg, name, value ? value : "");
	return c->noreply & SMFIP_NR_HDR ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat
cb_eoh(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL || c->msg == NULL)
		return SMFIS_TEMPFAIL;
	msg_set_queue_id(c->msg, macro(ctx, "i"));
	msg_eoh(c->msg);
	return SMFIS_CONTINUE;
}

static sfsistat
cb_body(SMFICTX *ctx, unsigned char *p, size_t n)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL || c->msg == NULL)
		return SMFIS_TEMPFAIL;
	msg_body(c->msg, p, n);
	return SMFIS_CONTINUE;
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

static sfsistat
cb_eom(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);
	struct verdict v;
	sfsistat st = SMFIS_CONTINUE;

	if (c == NULL || c->msg == NULL)
		return SMFIS_TEMPFAIL;
	msg_set_queue_id(c->msg, macro(ctx, "i"));
	verdict_init(&v);
	msg_eom(c->msg, &v);
	switch (v.action) {
	case VERDICT_REJECT:
	case VERDICT_TEMPFAIL:
		smfi_setreply(ctx, v.smtp_code, v.smtp_xcode, v.smtp_text);
		st = v.action == VERDICT_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
		break;
	case VERDICT_DISCARD:
		st = SMFIS_DISCARD;
		break;
	default:
		if (apply(ctx, &v) != 0) {
			log_err("%s: the MTA refused a header edit or quarantine; temporary failure",
			    msg_queue_id(c->msg));
			smfi_setreply(ctx, "451", "4.3.0", "authmilter: header edit failed, try again later");
			st = SMFIS_TEMPFAIL;
		}
	}
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

	if (c != NULL)
		conn_drop_msg(c);
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
	if (c->eng == NULL) {	/* closed before connect: never counted */
		free(c);
		return SMFIS_CONTINUE;
	}
	engine_unref(c->eng);
	free(c);
	pthread_mutex_lock(&cb_lock);
	cb_active--;
	pthread_mutex_unlock(&cb_lock);
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
