/*
 * dns_prefetch.c - one message's DNS lookups started before end of message
 * (see dns_prefetch.h for the contract)
 *
 * Each lookup is an entry of the set, allocated on its own so that the
 * pointer libunbound carries stays put.  An entry is in flight until its
 * answer arrives (answered, on the dispatcher thread) or dnspf_free cancels
 * it; the set counts the entries in flight, and dnspf_free returns only
 * when that count is zero, so no callback can find the set freed.  Lock
 * order: the set's lock, then libunbound's own (ub_resolve_async,
 * ub_cancel); libunbound holds none of its locks while it runs a callback.
 *
 * The names come from pure functions of the message's data, owned by the
 * modules that ask the same names at end of message: spf_record_targets,
 * dkim_tag_key_name, dmarc_prefetch_names.  Here only the follow-ups
 * live: an SPF record's targets, an MX's exchangers, a DMARC author's A.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "dns_int.h"
#include "dns_prefetch.h"
#include "metrics.h"
#include "spf_record.h"

#define PF_SPF_TERMS	10	/* RFC 7208 §4.6.4: DNS-querying terms */
#define PF_MX_NAMES	10	/* RFC 7208 §4.6.4: names of one MX answer */

enum pf_kind {
	PF_PLAIN,		/* no follow-up */
	PF_SPF,			/* an SPF record: its targets follow */
	PF_MX,			/* an SPF mx term: the exchangers' addresses follow */
	PF_DMARC		/* _dmarc.<author>: NOTFOUND, the author's A follows */
};

enum pf_state {
	PF_FLIGHT,		/* asked; libunbound holds a pointer to the entry */
	PF_DONE,		/* answered: r */
	PF_GONE			/* not sent, or cancelled */
};

struct pf_entry {
	struct dnspf   *set;
	char	       *name;
	int		rrtype;
	enum pf_kind	kind;
	int		chain;		/* PF_SPF, PF_MX: the identity, 0 or 1 */
	enum pf_state	state;
	int		async_id;
	int		used;		/* a lookup at eom took the answer */
	struct dns_result *r;		/* PF_DONE */
	int		definite;	/* r may be reused (pf_reusable) */
	time_t		expires;	/* dns_mono(); 0: TTL 0, this message only */
	uint64_t	t0;
};

struct dnspf {
	struct dns     *d;		/* not owned */
	int		ipv6;
	pthread_mutex_t	lock;
	pthread_cond_t	cond;		/* an answer arrived */
	int		closed;		/* dnspf_free began: start nothing */
	size_t		n, inflight;
	struct pf_entry *e[DNSPF_MAX];
	int		spf_left[2];	/* DNS-querying terms left per identity */
	int		spf_chains;	/* identities started */
};

/* the calling thread's set at end of message (dnspf_use) */
static __thread struct dnspf *dnspf_cur;

static void pf_followups(struct dnspf *p, struct pf_entry *e);

/* dnspf_new - see dns_prefetch.h */
struct dnspf *
dnspf_new(struct dns *d, int ipv6)
{
	struct dnspf *p = xcalloc(1, sizeof(*p));

	p->d = d;
	p->ipv6 = ipv6;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	return p;
}

/* pf_find - the entry of name/type, NULL when none (lock held) */
static struct pf_entry *
pf_find(struct dnspf *p, const char *name, int rrtype)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->e[i]->rrtype == rrtype && strcmp(p->e[i]->name, name) == 0)
			return p->e[i];
	return NULL;
}

/* answered - libunbound's callback on the dispatcher thread: the answer
 * into the cache and the entry, then the follow-ups */
static void
answered(void *arg, int err, struct ub_result *u)
{
	struct pf_entry *e = arg;
	struct dnspf *p = e->set;
	struct dns_result *r = xcalloc(1, sizeof(*r));
	int ttl = 0;

	r->rcode = -1;
	if (err != 0 || u == NULL) {
		r->status = DNS_RETRY;
		snprintf(r->why, sizeof(r->why), "%s", err ? ub_strerror(err) : "no answer");
	} else {
		dns_fill(r, u);
		ttl = u->ttl;
		dns_cache_put(p->d, e->name, e->rrtype, r, ttl);
		ub_resolve_free(u);
	}
	metrics_dns(e->rrtype, (int)r->status, 0, e->t0);
	pthread_mutex_lock(&p->lock);
	e->r = r;
	e->state = PF_DONE;
	/* reused when definite and not bogus, within its TTL; an answer with
	 * TTL 0 (the cache keeps none) serves this message only, as one asked
	 * at end of message would (RFC 1035 §3.2.1: "only for the transaction
	 * in progress") */
	e->definite = (r->status == DNS_OK || r->status == DNS_NOTFOUND) && r->sec != DNS_SEC_BOGUS;
	e->expires = ttl > 0 ? dns_mono() + ttl : 0;
	p->inflight--;
	if (!p->closed)
		pf_followups(p, e);
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* pf_cached - name/type is in the answer cache: nothing to ask (the
 * lookup at eom finds it there), but what a cached answer names next is
 * followed now, as an answer arriving would be (lock held); 0 when not
 * cached.  The warm path: every name of a known sender is cached, and a
 * libunbound round trip costs more than the rest of the message's DNS */
static int
pf_cached(struct dnspf *p, const char *name, int rrtype, enum pf_kind kind, int chain)
{
	struct pf_entry tmp;

	if (kind == PF_PLAIN)
		return dns_cache_get(p->d, name, rrtype, 0) != NULL;
	memset(&tmp, 0, sizeof(tmp));
	if ((tmp.r = dns_cache_get(p->d, name, rrtype, 1)) == NULL)
		return 0;
	tmp.name = (char *)name;
	tmp.rrtype = rrtype;
	tmp.kind = kind;
	tmp.chain = chain;
	tmp.state = PF_DONE;
	pf_followups(p, &tmp);
	dns_result_free(tmp.r);
	return 1;
}

/* pf_start - ask name/type unless the set has it or is full (lock held) */
static void
pf_start(struct dnspf *p, const char *name, int rrtype, enum pf_kind kind, int chain)
{
	struct pf_entry *e;
	size_t len = strlen(name);

	if (p->closed || len == 0 || len > 253 || pf_find(p, name, rrtype) != NULL ||
	    pf_cached(p, name, rrtype, kind, chain))
		return;
	if (p->n == DNSPF_MAX) {
		metrics_dns_prefetch(METRICS_PF_CAPPED);
		return;
	}
	e = xcalloc(1, sizeof(*e));
	e->set = p;
	e->name = xstrdup(name);
	e->rrtype = rrtype;
	e->kind = kind;
	e->chain = chain;
	e->t0 = metrics_now();
	p->e[p->n++] = e;
	if (ub_resolve_async(p->d->ctx, name, rrtype, 1, e, answered, &e->async_id) != 0) {
		e->state = PF_GONE;
		return;
	}
	e->state = PF_FLIGHT;
	p->inflight++;
	metrics_dns_prefetch(METRICS_PF_STARTED);
}

/* pf_spf_record - the one SPF record among a TXT answer's records (RFC
 * 7208 §4.5) into rec; -1 when there is none or more than one */
static int
pf_spf_record(const struct dns_result *r, struct buf *rec)
{
	struct buf t = BUF_INIT;
	size_t i, found = 0;

	buf_init(&t);
	for (i = 0; i < r->count; i++) {
		buf_reset(&t);
		if (dns_txt(r, i, &t) != 0 || t.len < 6 || strncasecmp(t.data, "v=spf1", 6) != 0 ||
		    (t.len > 6 && t.data[6] != ' '))
			continue;
		if (found++ == 0)
			buf_add(rec, t.data, t.len);
	}
	buf_free(&t);
	return found == 1 ? 0 : -1;
}

/* pf_spf_targets - an SPF record's targets without macros (lock held);
 * each DNS-querying term counts against its identity's 10 */
static void
pf_spf_targets(struct dnspf *p, struct pf_entry *e)
{
	struct spf_target t[PF_SPF_TERMS];
	struct buf rec = BUF_INIT;
	char name[256];
	int n, k, addr = p->ipv6 ? 28 : 1;

	buf_init(&rec);
	if (pf_spf_record(e->r, &rec) != 0 ||
	    (n = spf_record_targets(rec.data, rec.len, t, PF_SPF_TERMS)) < 0)
		n = 0;
	for (k = 0; k < n && p->spf_left[e->chain] > 0; k++) {
		p->spf_left[e->chain]--;
		if (t[k].macro || t[k].kind == SPF_TARGET_PTR || t[k].len >= sizeof(name))
			continue;	/* left to libspf2 at end of message */
		snprintf(name, sizeof(name), "%.*s", (int)t[k].len, t[k].spec);
		if (t[k].len == 0)
			snprintf(name, sizeof(name), "%s", e->name);
		switch (t[k].kind) {
		case SPF_TARGET_INCLUDE:
		case SPF_TARGET_REDIRECT:
			pf_start(p, name, 16, PF_SPF, e->chain);
			break;
		case SPF_TARGET_MX:
			pf_start(p, name, 15, PF_MX, e->chain);
			break;
		case SPF_TARGET_A:
			pf_start(p, name, addr, PF_PLAIN, e->chain);
			break;
		default:	/* exists: always an A query (RFC 7208 §5.7) */
			pf_start(p, name, 1, PF_PLAIN, e->chain);
			break;
		}
	}
	buf_free(&rec);
}

/* pf_mx_names - the exchangers of an MX answer (at most 10: more is a
 * permerror, RFC 7208 §4.6.4), their addresses asked as libspf2 will ask
 * them (spf_dns.c reads the names the same way; lock held) */
static void
pf_mx_names(struct dnspf *p, struct pf_entry *e)
{
	char host[256];
	size_t i;

	if (e->r->count > PF_MX_NAMES)
		return;
	for (i = 0; i < e->r->count; i++)
		if (e->r->rdlen[i] >= 3 &&
		    dns_wire_name(e->r->rdata[i] + 2, e->r->rdlen[i] - 2, host, sizeof(host)) == 0)
			pf_start(p, host, p->ipv6 ? 28 : 1, PF_PLAIN, e->chain);
}

/* pf_followups - what an answer names next (lock held, set open) */
static void
pf_followups(struct dnspf *p, struct pf_entry *e)
{
	if (e->kind == PF_SPF && e->r->status == DNS_OK)
		pf_spf_targets(p, e);
	else if (e->kind == PF_MX && e->r->status == DNS_OK)
		pf_mx_names(p, e);
	else if (e->kind == PF_DMARC && e->r->status == DNS_NOTFOUND)
		pf_start(p, e->name + 7, 1, PF_PLAIN, 0);	/* after "_dmarc." */
}

/* dnspf_spf - see dns_prefetch.h */
void
dnspf_spf(struct dnspf *p, const char *domain)
{
	if (p == NULL || domain == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->spf_chains < 2 && pf_find(p, domain, 16) == NULL) {
		p->spf_left[p->spf_chains] = PF_SPF_TERMS;
		pf_start(p, domain, 16, PF_SPF, p->spf_chains++);
	}
	pthread_mutex_unlock(&p->lock);
}

/* dnspf_txt - see dns_prefetch.h */
void
dnspf_txt(struct dnspf *p, const char *name)
{
	if (p == NULL || name == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	pf_start(p, name, 16, PF_PLAIN, 0);
	pthread_mutex_unlock(&p->lock);
}

/* dnspf_dmarc - see dns_prefetch.h */
void
dnspf_dmarc(struct dnspf *p, const char *author, const struct strlist *names)
{
	size_t i;

	if (p == NULL || names == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < names->n; i++)
		pf_start(p, names->v[i], 16, i == 0 && author != NULL ? PF_DMARC : PF_PLAIN, 0);
	pthread_mutex_unlock(&p->lock);
}

/* dnspf_use - see dns_prefetch.h */
void
dnspf_use(struct dnspf *p)
{
	dnspf_cur = p;
}

/* pf_reusable - an answer already there that a lookup may take */
static int
pf_reusable(const struct pf_entry *e)
{
	return e->state == PF_DONE && e->definite && (e->expires == 0 || e->expires > dns_mono());
}

/* dnspf_join - see dns_prefetch.h */
struct dns_result *
dnspf_join(struct dns *d, const char *name, int rrtype, const struct timespec *deadline,
    int *timed_out)
{
	struct dnspf *p = dnspf_cur;
	struct dns_result *r = NULL;
	struct pf_entry *e;
	int waited = 0;

	*timed_out = 0;
	if (p == NULL || p->d != d)
		return NULL;
	pthread_mutex_lock(&p->lock);
	if ((e = pf_find(p, name, rrtype)) != NULL && e->state == PF_FLIGHT && deadline != NULL) {
		waited = 1;
		while (e->state == PF_FLIGHT && !*timed_out)
			if (pthread_cond_timedwait(&p->cond, &p->lock, deadline) == ETIMEDOUT)
				*timed_out = e->state == PF_FLIGHT;
		/* what arrived while we waited is as fresh as our own query */
		if (e->state == PF_DONE)
			r = dns_result_dup(e->r);
	} else if (e != NULL && pf_reusable(e))
		r = dns_result_dup(e->r);
	if (r != NULL && !e->used) {
		e->used = 1;
		metrics_dns_prefetch(waited ? METRICS_PF_JOINED : METRICS_PF_USED);
	}
	pthread_mutex_unlock(&p->lock);
	return r;
}

/* dnspf_free - see dns_prefetch.h */
void
dnspf_free(struct dnspf *p)
{
	size_t i;

	if (p == NULL)
		return;
	if (dnspf_cur == p)
		dnspf_cur = NULL;
	pthread_mutex_lock(&p->lock);
	p->closed = 1;
	for (i = 0; i < p->n; i++) {
		if (p->e[i]->state != PF_FLIGHT)
			continue;
		/* 0: the callback will never run; else it is running now */
		if (ub_cancel(p->d->ctx, p->e[i]->async_id) == 0) {
			p->e[i]->state = PF_GONE;
			p->inflight--;
			metrics_dns_prefetch(METRICS_PF_CANCELLED);
		}
	}
	while (p->inflight > 0)
		pthread_cond_wait(&p->cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->n; i++) {
		dns_result_free(p->e[i]->r);
		free(p->e[i]->name);
		free(p->e[i]);
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}
