/*
 * dns.c - the shared libunbound resolver with a bounded wait per query
 *
 * libunbound runs in its threaded async mode.  A dispatcher thread owned by
 * the struct dns polls ub_fd() and calls ub_process(), which runs our
 * callback; the callback hands the answer to the waiting caller through a
 * mutex/condition pair.  A caller that times out cancels its query; when the
 * cancel loses the race with the callback it waits for the callback instead,
 * so a pending record is never freed while libunbound may still use it.
 *
 * In front of libunbound sits a small answer cache: every libunbound answer
 * crosses two threads and two pipes even when it comes from libunbound's
 * own cache, which cost more than the rest of an inbound message's DNS
 * work (t/bench/PROFILE.md).  The cache is direct-mapped (DNS_CACHE_SLOTS
 * entries, a colliding answer replaces the older one), keyed on the exact
 * name and type, holds positive and negative (NXDOMAIN, no data) answers
 * for the TTL libunbound reports (the smallest of the answer's RRsets, or
 * the negative TTL; capped at DNS_CACHE_MAXTTL), never answers with TTL 0,
 * temporary or permanent failures or DNSSEC-bogus results, and lives and
 * dies with the struct dns (a configuration reload starts empty).
 *
 * DNSTimeout bounds one query; a per-message budget (dns_budget_begin)
 * bounds them all, so an attacker's name server answering each query just
 * in time cannot hold a milter thread for minutes through SPF includes,
 * DKIM keys and a DMARC tree walk.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unbound.h>
#include <unistd.h>

#include "dns_int.h"
#include "dns_prefetch.h"
#include "log.h"
#include "metrics.h"

#define DNS_CACHE_SLOTS		1024	/* answers kept (direct-mapped) */
#define DNS_CACHE_MAXTTL	3600	/* seconds, whatever the zone says */
#define DNS_CACHE_MAXPACKET	16384	/* larger answers are not kept */

struct dns_centry {
	char	       *name;		/* NULL: empty slot */
	int		rrtype;
	time_t		expires;	/* CLOCK_MONOTONIC seconds */
	struct dns_result *r;
};

/* the calling thread's message budget, NULL when none (dns_budget_begin) */
static __thread struct dns_budget *dns_cur_budget;

struct pending {
	pthread_mutex_t	lock;
	pthread_cond_t	cond;
	int		done;
	int		err;		/* libunbound error code, 0 when none */
	struct ub_result *result;
};

/*
 * libunbound's default local zones (unbound.conf(5), unbound 1.17): it
 * answers these itself (NXDOMAIN, or localhost's addresses) without asking
 * any server.  RFC 6303 says a recursive server should; but we always
 * forward, to Nameservers or to the resolvers of /etc/resolv.conf, and the
 * site's own DNS may well hold 10.in-addr.arpa or home.arpa: an SPF ptr or
 * %{p} for a client in a private range must get that answer.  Each zone is
 * made "transparent" with no data, so every query in it goes to the
 * servers ("nodefault" set through ub_ctx_set_option is not honoured by
 * libunbound 1.17: t/dns.sh would see the local NXDOMAIN).  The 172.16/12
 * and 100.64/10 zones are added in a loop.
 */
static const char *const default_zones[] = {
	"localhost.", "127.in-addr.arpa.",
	"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
	"home.arpa.", "onion.", "test.", "invalid.",
	"10.in-addr.arpa.", "168.192.in-addr.arpa.",
	"0.in-addr.arpa.", "254.169.in-addr.arpa.", "2.0.192.in-addr.arpa.",
	"100.51.198.in-addr.arpa.", "113.0.203.in-addr.arpa.", "255.255.255.255.in-addr.arpa.",
	"0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
	"d.f.ip6.arpa.", "8.e.f.ip6.arpa.", "9.e.f.ip6.arpa.", "a.e.f.ip6.arpa.", "b.e.f.ip6.arpa.",
	"8.b.d.0.1.0.0.2.ip6.arpa.",
};

/* no_default_zones - every default local zone passed through (default_zones) */
static int
no_default_zones(struct ub_ctx *ctx)
{
	char z[128];
	size_t i;
	int n, rc = 0;

	for (i = 0; rc == 0 && i < sizeof(default_zones) / sizeof(default_zones[0]); i++) {
		snprintf(z, sizeof(z), "%s transparent", default_zones[i]);
		rc = ub_ctx_set_option(ctx, "local-zone:", z);
	}
	for (n = 16; rc == 0 && n <= 31; n++) {		/* RFC 1918 172.16/12 */
		snprintf(z, sizeof(z), "%d.172.in-addr.arpa. transparent", n);
		rc = ub_ctx_set_option(ctx, "local-zone:", z);
	}
	for (n = 64; rc == 0 && n <= 127; n++) {	/* RFC 6598 100.64/10 */
		snprintf(z, sizeof(z), "%d.100.in-addr.arpa. transparent", n);
		rc = ub_ctx_set_option(ctx, "local-zone:", z);
	}
	return rc;
}

/* dispatcher - deliver answers as libunbound produces them */
static void *
dispatcher(void *arg)
{
	struct dns *d = arg;
	struct pollfd pfd[2];

	pfd[0].fd = ub_fd(d->ctx);
	pfd[0].events = POLLIN;
	pfd[1].fd = d->wake[0];
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_warn("dns: poll");
			sleep(1);
			continue;
		}
		if (pfd[1].revents)
			break;
		if (pfd[0].revents)
			ub_process(d->ctx);
	}
	return NULL;
}

/* ns_to_unbound - "ADDR[:PORT]" / "[V6]:PORT" into unbound's "ADDR@PORT" */
static void
ns_to_unbound(const char *spec, char *out, size_t outlen)
{
	const char *close_br, *colon;

	if (spec[0] == '[' && (close_br = strchr(spec, ']')) != NULL) {
		if (close_br[1] == ':')
			snprintf(out, outlen, "%.*s@%s", (int)(close_br - spec - 1), spec + 1, close_br + 2);
		else
			snprintf(out, outlen, "%.*s", (int)(close_br - spec - 1), spec + 1);
	} else if ((colon = strchr(spec, ':')) != NULL && colon == strrchr(spec, ':')) {
		snprintf(out, outlen, "%.*s@%s", (int)(colon - spec), spec, colon + 1);
	} else {
		snprintf(out, outlen, "%s", spec);
	}
}

/* dns_new - build the context; see dns.h */
struct dns *
dns_new(const struct strlist *servers, int timeout, const char *trust_anchor, struct buf *err)
{
	struct dns *d = xcalloc(1, sizeof(*d));
	char spec[128];
	size_t i;
	int rc;

	d->timeout = timeout > 0 ? timeout : 10;
	d->wake[0] = d->wake[1] = -1;
	pthread_mutex_init(&d->cache_lock, NULL);
	d->cache = xcalloc(DNS_CACHE_SLOTS, sizeof(*d->cache));
	if ((d->ctx = ub_ctx_create()) == NULL) {
		buf_adds(err, "cannot create libunbound context");
		goto fail;
	}
	/* threads, not a forked helper process: the daemon drops privileges */
	ub_ctx_async(d->ctx, 1);
	ub_ctx_set_option(d->ctx, "do-not-query-localhost:", "no");
	if ((rc = no_default_zones(d->ctx)) != 0) {
		buf_printf(err, "libunbound local-zone: %s", ub_strerror(rc));
		goto fail;
	}
	if (servers != NULL && servers->n > 0) {
		for (i = 0; i < servers->n; i++) {
			ns_to_unbound(servers->v[i], spec, sizeof(spec));
			if ((rc = ub_ctx_set_fwd(d->ctx, spec)) != 0) {
				buf_printf(err, "name server %s: %s", servers->v[i], ub_strerror(rc));
				goto fail;
			}
		}
	} else if ((rc = ub_ctx_resolvconf(d->ctx, NULL)) != 0) {
		buf_printf(err, "reading /etc/resolv.conf: %s", ub_strerror(rc));
		goto fail;
	}
	if (trust_anchor != NULL && (rc = ub_ctx_add_ta_file(d->ctx, trust_anchor)) != 0) {
		buf_printf(err, "trust anchor %s: %s", trust_anchor, ub_strerror(rc));
		goto fail;
	}
	if (pipe(d->wake) != 0) {
		buf_printf(err, "pipe: %s", strerror(errno));
		goto fail;
	}
	if (pthread_create(&d->thread, NULL, dispatcher, d) != 0) {
		buf_adds(err, "cannot start the DNS dispatcher thread");
		goto fail;
	}
	d->running = 1;
	return d;
fail:
	dns_free(d);
	return NULL;
}

/* dns_free - stop the dispatcher and release the context */
void
dns_free(struct dns *d)
{
	size_t i;

	if (d == NULL)
		return;
	if (d->running) {
		if (write(d->wake[1], "x", 1) != 1)
			log_warn("dns: cannot wake the dispatcher");
		pthread_join(d->thread, NULL);
	}
	if (d->wake[0] >= 0)
		close(d->wake[0]);
	if (d->wake[1] >= 0)
		close(d->wake[1]);
	if (d->ctx)
		ub_ctx_delete(d->ctx);
	for (i = 0; i < DNS_CACHE_SLOTS; i++) {
		free(d->cache[i].name);
		dns_result_free(d->cache[i].r);
	}
	free(d->cache);
	pthread_mutex_destroy(&d->cache_lock);
	free(d);
}

/* dns_mono - see dns_int.h */
time_t
dns_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* cache_slot - the slot of name/type (FNV-1a) */
static size_t
cache_slot(const char *name, int rrtype)
{
	uint32_t h = 2166136261u;
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	h = (h ^ (uint32_t)rrtype) * 16777619u;
	return h % DNS_CACHE_SLOTS;
}

/* dns_result_dup - see dns_int.h */
struct dns_result *
dns_result_dup(const struct dns_result *r)
{
	struct dns_result *c = xmalloc(sizeof(*c));
	size_t i;

	*c = *r;
	c->rdata = NULL;
	c->rdlen = NULL;
	c->packet = NULL;
	if (r->rdata != NULL) {
		c->rdata = xcalloc(r->count + 1, sizeof(*c->rdata));
		c->rdlen = xcalloc(r->count + 1, sizeof(*c->rdlen));
		for (i = 0; i < r->count; i++) {
			c->rdlen[i] = r->rdlen[i];
			c->rdata[i] = xmalloc(r->rdlen[i] + 1);
			memcpy(c->rdata[i], r->rdata[i], r->rdlen[i] + 1);
		}
	}
	if (r->packet != NULL) {
		c->packet = xmalloc(r->packet_len);
		memcpy(c->packet, r->packet, r->packet_len);
	}
	return c;
}

/* dns_cache_get - see dns_int.h */
struct dns_result *
dns_cache_get(struct dns *d, const char *name, int rrtype, int copy)
{
	struct dns_centry *e = &d->cache[cache_slot(name, rrtype)];
	struct dns_result *r = NULL;
	time_t now = dns_mono();

	pthread_mutex_lock(&d->cache_lock);
	if (e->name != NULL && e->rrtype == rrtype && e->expires > now && strcmp(e->name, name) == 0)
		r = copy ? dns_result_dup(e->r) : e->r;
	pthread_mutex_unlock(&d->cache_lock);
	return r;
}

/* dns_cache_put - see dns_int.h */
void
dns_cache_put(struct dns *d, const char *name, int rrtype, const struct dns_result *r, int ttl)
{
	struct dns_centry *e = &d->cache[cache_slot(name, rrtype)];
	struct dns_result *old, *copy;
	char *oldname;

	if ((r->status != DNS_OK && r->status != DNS_NOTFOUND) || r->sec == DNS_SEC_BOGUS ||
	    ttl <= 0 || r->packet_len > DNS_CACHE_MAXPACKET)
		return;
	if (ttl > DNS_CACHE_MAXTTL)
		ttl = DNS_CACHE_MAXTTL;
	copy = dns_result_dup(r);
	pthread_mutex_lock(&d->cache_lock);
	old = e->r;
	oldname = e->name;
	e->name = xstrdup(name);
	e->rrtype = rrtype;
	e->expires = dns_mono() + ttl;
	e->r = copy;
	pthread_mutex_unlock(&d->cache_lock);
	free(oldname);
	dns_result_free(old);
}

/* dns_timeout - the configured timeout in seconds */
int
dns_timeout(const struct dns *d)
{
	return d->timeout;
}

/* answered - libunbound callback, run in the dispatcher thread */
static void
answered(void *arg, int err, struct ub_result *result)
{
	struct pending *p = arg;

	pthread_mutex_lock(&p->lock);
	p->err = err;
	p->result = result;
	p->done = 1;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* dns_fill - see dns_int.h */
void
dns_fill(struct dns_result *r, const struct ub_result *u)
{
	size_t i;

	r->rcode = u->rcode;
	r->nxdomain = u->nxdomain;
	r->sec = u->secure ? DNS_SEC_SECURE : u->bogus ? DNS_SEC_BOGUS : DNS_SEC_INSECURE;
	if (u->answer_packet && u->answer_len > 0) {
		r->packet = xmalloc((size_t)u->answer_len);
		memcpy(r->packet, u->answer_packet, (size_t)u->answer_len);
		r->packet_len = (size_t)u->answer_len;
	}
	if (u->bogus) {
		r->status = DNS_FAIL;
		snprintf(r->why, sizeof(r->why), "DNSSEC validation failed: %s",
		    u->why_bogus ? u->why_bogus : "bogus");
		return;
	}
	switch (u->rcode) {
	case 0:
		break;
	case 3:
		r->status = DNS_NOTFOUND;
		snprintf(r->why, sizeof(r->why), "NXDOMAIN");
		return;
	case 2:
	case 5:
		r->status = DNS_RETRY;
		snprintf(r->why, sizeof(r->why), "%s", u->rcode == 2 ? "SERVFAIL" : "REFUSED");
		return;
	default:
		r->status = DNS_FAIL;
		snprintf(r->why, sizeof(r->why), "rcode %d", u->rcode);
		return;
	}
	if (!u->havedata) {
		r->status = DNS_NOTFOUND;
		snprintf(r->why, sizeof(r->why), "no data");
		return;
	}
	for (i = 0; u->data[i] != NULL; i++)
		;
	r->count = i;
	r->rdata = xcalloc(i + 1, sizeof(*r->rdata));
	r->rdlen = xcalloc(i + 1, sizeof(*r->rdlen));
	for (i = 0; i < r->count; i++) {
		r->rdlen[i] = (size_t)u->len[i];
		r->rdata[i] = xmalloc(r->rdlen[i] + 1);
		memcpy(r->rdata[i], u->data[i], r->rdlen[i]);
		r->rdata[i][r->rdlen[i]] = '\0';
	}
	r->status = DNS_OK;
}

/* dns_budget_begin - see dns.h */
void
dns_budget_begin(struct dns_budget *b, int seconds)
{
	memset(b, 0, sizeof(*b));
	b->seconds = seconds;
	clock_gettime(CLOCK_REALTIME, &b->deadline);
	b->deadline.tv_sec += seconds;
	dns_cur_budget = seconds > 0 ? b : NULL;
}

/* dns_budget_end - see dns.h */
void
dns_budget_end(struct dns_budget *b)
{
	if (dns_cur_budget == b)
		dns_cur_budget = NULL;
}

/* ts_before - a earlier than b */
static int
ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* budget_spent - record that the budget cut a lookup of name; the reason */
static void
budget_spent(struct dns_budget *b, struct dns_result *r)
{
	b->spent = 1;
	r->status = DNS_RETRY;
	snprintf(r->why, sizeof(r->why), "DNS budget of %d s for this message spent", b->seconds);
}

/* query_deadline - when the caller stops waiting: DNSTimeout from now, or
 * the message budget's deadline when that comes first (*capped set); -1
 * when the budget is already spent (the query is not sent) */
static int
query_deadline(const struct dns *d, const struct dns_budget *b, struct timespec *deadline,
    int *capped)
{
	*capped = 0;
	clock_gettime(CLOCK_REALTIME, deadline);
	if (b != NULL && !ts_before(deadline, &b->deadline))
		return -1;
	deadline->tv_sec += d->timeout;
	if (b != NULL && ts_before(&b->deadline, deadline)) {
		*deadline = b->deadline;
		*capped = 1;
	}
	return 0;
}

/* query_wait - wait for the answer to p until deadline: 0 when the callback
 * ran, -1 when the query timed out and was cancelled.  When the cancel
 * loses the race with the callback, wait for the callback: libunbound may
 * still write to p until it has run. */
static int
query_wait(struct dns *d, struct pending *p, int async_id, const struct timespec *deadline)
{
	int timed_out = 0;

	pthread_mutex_lock(&p->lock);
	while (!p->done && !timed_out)
		if (pthread_cond_timedwait(&p->cond, &p->lock, deadline) == ETIMEDOUT)
			timed_out = !p->done;
	pthread_mutex_unlock(&p->lock);
	if (timed_out && ub_cancel(d->ctx, async_id) == 0)
		return -1;
	pthread_mutex_lock(&p->lock);
	while (!p->done)
		pthread_cond_wait(&p->cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/* query_answer - r from what the callback delivered; a definite answer is
 * cached */
static void
query_answer(struct dns *d, const char *name, int rrtype, const struct pending *p,
    struct dns_result *r)
{
	if (p->err != 0) {
		r->status = DNS_RETRY;
		snprintf(r->why, sizeof(r->why), "%s", ub_strerror(p->err));
	} else if (p->result != NULL) {
		dns_fill(r, p->result);
		dns_cache_put(d, name, rrtype, r, p->result->ttl);
	} else {
		r->status = DNS_RETRY;
		snprintf(r->why, sizeof(r->why), "no answer");
	}
}

/* query_send - ask libunbound for name/type and wait until deadline; a
 * timeout charges budget b when b set the deadline (NULL: it did not) */
static void
query_send(struct dns *d, const char *name, int rrtype, const struct timespec *deadline,
    struct dns_budget *b, struct dns_result *r)
{
	struct pending *p = xcalloc(1, sizeof(*p));
	int async_id = 0, rc, timed_out = 0;
	uint64_t t0 = metrics_now();

	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	rc = ub_resolve_async(d->ctx, name, rrtype, 1, p, answered, &async_id);
	if (rc != 0) {
		r->status = rc == UB_SYNTAX ? DNS_FAIL : DNS_RETRY;
		snprintf(r->why, sizeof(r->why), "%s", ub_strerror(rc));
	} else if ((timed_out = query_wait(d, p, async_id, deadline)) != 0) {
		r->status = DNS_RETRY;
		snprintf(r->why, sizeof(r->why), "timed out after %d s", d->timeout);
		if (b != NULL)
			budget_spent(b, r);
	} else
		query_answer(d, name, rrtype, p, r);
	metrics_dns(rrtype, (int)r->status, timed_out, t0);
	if (p->result)
		ub_resolve_free(p->result);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

/* dns_query - see dns.h: the cache, else one query within DNSTimeout and
 * the calling thread's budget */
enum dns_status
dns_query(struct dns *d, const char *name, int rrtype, struct dns_result **res)
{
	struct dns_budget *b = dns_cur_budget;
	struct dns_result *r;
	struct timespec deadline;
	int capped, valid = name != NULL && *name != '\0' && strlen(name) <= 253;

	int timed_out = 0;

	/* an answer cached, or one a prefetch of this message already has */
	if (valid && ((r = dns_cache_get(d, name, rrtype, 1)) != NULL ||
	    (r = dnspf_join(d, name, rrtype, NULL, &timed_out)) != NULL)) {
		*res = r;
		return r->status;
	}
	r = xcalloc(1, sizeof(*r));
	*res = r;
	r->rcode = -1;
	if (!valid) {
		r->status = DNS_FAIL;
		snprintf(r->why, sizeof(r->why), "invalid domain name");
	} else if (query_deadline(d, b, &deadline, &capped) != 0)
		budget_spent(b, r);	/* not sent */
	else if ((*res = dnspf_join(d, name, rrtype, &deadline, &timed_out)) != NULL)
		dns_result_free(r);	/* the prefetch in flight answered */
	else if (timed_out) {
		*res = r;
		r->status = DNS_RETRY;
		snprintf(r->why, sizeof(r->why), "timed out after %d s", d->timeout);
		if (capped)
			budget_spent(b, r);
	} else
		query_send(d, name, rrtype, &deadline, capped ? b : NULL, (*res = r));
	return (*res)->status;
}

/* dns_result_free - release a result */
void
dns_result_free(struct dns_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->count; i++)
		free(r->rdata[i]);
	free(r->rdata);
	free(r->rdlen);
	free(r->packet);
	free(r);
}

/* dns_txt - join the character-strings of TXT record i; -1 when malformed */
int
dns_txt(const struct dns_result *r, size_t i, struct buf *out)
{
	const unsigned char *p, *end;

	if (i >= r->count)
		return -1;
	p = r->rdata[i];
	end = p + r->rdlen[i];
	while (p < end) {
		size_t n = *p++;

		if (n > (size_t)(end - p))
			return -1;
		buf_add(out, p, n);
		p += n;
	}
	return 0;
}

/* dns_txt_lookup - all TXT records of name, joined per record */
enum dns_status
dns_txt_lookup(struct dns *d, const char *name, struct strlist *out, enum dns_sec *sec,
    char *why, size_t whylen)
{
	struct dns_result *r;
	struct buf b = BUF_INIT;
	enum dns_status st;
	size_t i;

	st = dns_query(d, name, 16 /* TXT */, &r);
	if (sec)
		*sec = r->sec;
	if (why && whylen)
		snprintf(why, whylen, "%s", r->why);
	if (st == DNS_OK) {
		buf_init(&b);
		for (i = 0; i < r->count; i++) {
			buf_reset(&b);
			if (dns_txt(r, i, &b) == 0)
				strlist_add(out, b.data);
		}
		buf_free(&b);
	}
	dns_result_free(r);
	return st;
}

/* dns_wire_name - see dns.h */
int
dns_wire_name(const unsigned char *p, size_t len, char *out, size_t outlen)
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

/* dns_status_str - the status word */
const char *
dns_status_str(enum dns_status s)
{
	switch (s) {
	case DNS_OK: return "ok";
	case DNS_NOTFOUND: return "notfound";
	case DNS_RETRY: return "retry";
	default: return "fail";
	}
}

/* dns_sec_str - the DNSSEC status word */
const char *
dns_sec_str(enum dns_sec s)
{
	switch (s) {
	case DNS_SEC_SECURE: return "secure";
	case DNS_SEC_BOGUS: return "bogus";
	default: return "insecure";
	}
}
