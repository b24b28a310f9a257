/*
 * metrics.c - process-wide metrics and their Prometheus text exposition
 *
 * Counters live in fixed arrays of relaxed atomics indexed by label values
 * from fixed tables (metrics.h); every label combination is exported from
 * the start, at 0, so a rate never starts from a missing series.
 * Histograms keep one non-cumulative count per bucket and the sum in
 * nanoseconds; metrics_format() makes the buckets cumulative.  A scrape
 * reads each slot once, without a lock: two series of one scrape may be a
 * message apart, which Prometheus tolerates (a histogram's _count is its
 * +Inf bucket, so those two always agree).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dns.h"
#include "metrics.h"

#define PFX		"authmilterd_"
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

typedef _Atomic unsigned long counter_t;

/* the label value tables; the last entry of each is the catch-all */
static const char *const roles[] = { "sign", "verify", "ignore", "other" };
/* in enum verdict_action order */
static const char *const actions[] = { "accept", "reject", "tempfail", "quarantine", "discard" };
static const char *const methods[] = { "spf", "dkim", "dmarc" };
static const char *const results[] = { "pass", "fail", "softfail", "neutral", "none",
	"temperror", "permerror", "policy", "other" };
static const char *const policies[] = { "none", "quarantine", "reject", "absent", "other" };
#define POLICY_ABSENT 3		/* no record found: no policy */
static const char *const dispositions[] = { "none", "quarantine", "reject", "tempfail", "other" };
static const char *const algorithms[] = { "rsa-sha256", "ed25519-sha256", "rsa-sha1", "other" };
static const char *const rrtypes[] = { "a", "aaaa", "mx", "ptr", "txt", "other" };
static const int rrtype_num[] = { 1, 28, 15, 12, 16 };
/* in enum dns_status order, then the timeout */
static const char *const outcomes[] = { "ok", "notfound", "retry", "fail", "timeout" };
static const char *const reload_results[] = { "ok", "failed" };
/* in enum metrics_prefetch order */
static const char *const prefetch_outcomes[] = { "started", "used", "joined", "cancelled",
	"capped" };

/* a histogram: bucket bounds as text (the le label) and in nanoseconds */
#define HIST_MAX 16
struct hist {
	size_t		n;		/* finite buckets */
	const char     *le[HIST_MAX];
	uint64_t	ns[HIST_MAX];
	_Atomic uint64_t count[HIST_MAX + 1];	/* per bucket; [n] is +Inf */
	_Atomic uint64_t sum_ns;
};

#define MS(x)	((uint64_t)(x) * 1000000ULL)
#define US(x)	((uint64_t)(x) * 1000ULL)

static counter_t m_messages[NELEM(roles)][NELEM(actions)];
static counter_t m_results[NELEM(methods)][NELEM(results)];
static counter_t m_dmarc[NELEM(policies)][NELEM(dispositions)];
static counter_t m_signatures[NELEM(algorithms)];
static counter_t m_dns[NELEM(rrtypes)][NELEM(outcomes)];
static counter_t m_history_written, m_history_lost;
static counter_t m_reloads[NELEM(reload_results)];
static counter_t m_prefetch[NELEM(prefetch_outcomes)];
static _Atomic long m_connections;

static struct hist h_dns = { 12,
	{ "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "10" },
	{ MS(1), US(2500), MS(5), MS(10), MS(25), MS(50), MS(100), MS(250), MS(500), MS(1000),
	  MS(2500), MS(10000) }, { 0 }, 0 };
static struct hist h_message = { 12,
	{ "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "10" },
	{ MS(1), US(2500), MS(5), MS(10), MS(25), MS(50), MS(100), MS(250), MS(500), MS(1000),
	  MS(2500), MS(10000) }, { 0 }, 0 };

/* inc - one more on a counter */
static void
inc(counter_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

/* load - a counter's value */
static unsigned long
load(counter_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* pick - index of s in t (case-insensitive), else the last entry */
static size_t
pick(const char *const *t, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i + 1 < n; i++)
		if (strcasecmp(s, t[i]) == 0)
			return i;
	return n - 1;
}

/* metrics_now - see metrics.h */
uint64_t
metrics_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* hist_observe - one observation of ns nanoseconds */
static void
hist_observe(struct hist *h, uint64_t ns)
{
	size_t i;

	for (i = 0; i < h->n && ns > h->ns[i]; i++)
		;
	atomic_fetch_add_explicit(&h->count[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_ns, ns, memory_order_relaxed);
}

/* since - nanoseconds from t0 to now, 0 if the clock says otherwise */
static uint64_t
since(uint64_t t0)
{
	uint64_t now = metrics_now();

	return now > t0 ? now - t0 : 0;
}

/* sig_algorithm - the a= tag of a DKIM-Signature value, as a table index */
static size_t
sig_algorithm(const char *value)
{
	const char *p = value, *e;
	char alg[32];
	size_t n;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " \t\r\n;");
		if (p[0] == 'a' && p[1] == '=') {
			p += 2;
			n = strcspn(p, "; \t\r\n");
			e = p + (n < sizeof(alg) ? n : sizeof(alg) - 1);
			memcpy(alg, p, (size_t)(e - p));
			alg[e - p] = '\0';
			return pick(algorithms, NELEM(algorithms), alg);
		}
		p = strchr(p, ';');
	}
	return NELEM(algorithms) - 1;
}

/* count_results - the per-method results of one verdict */
static void
count_results(const struct verdict_results *r)
{
	size_t i;

	if (r->spf != NULL)
		inc(&m_results[0][pick(results, NELEM(results), r->spf)]);
	for (i = 0; i < r->ndkim; i++)
		inc(&m_results[1][pick(results, NELEM(results), r->dkim[i].result)]);
	if (r->dmarc != NULL) {
		inc(&m_results[2][pick(results, NELEM(results), r->dmarc)]);
		inc(&m_dmarc[r->policy ? pick(policies, NELEM(policies), r->policy) : POLICY_ABSENT]
		    [pick(dispositions, NELEM(dispositions), r->disposition)]);
	}
}

/* metrics_message - see metrics.h */
void
metrics_message(const struct verdict *v, enum verdict_action applied, uint64_t t0)
{
	size_t i, a = (size_t)applied < NELEM(actions) ? (size_t)applied : NELEM(actions) - 1;

	inc(&m_messages[pick(roles, NELEM(roles), v->res.role)][a]);
	count_results(&v->res);
	if (applied == VERDICT_ACCEPT || applied == VERDICT_QUARANTINE)
		for (i = 0; i < v->nadd; i++)
			if (strcasecmp(v->add[i].name, "DKIM-Signature") == 0)
				inc(&m_signatures[sig_algorithm(v->add[i].value)]);
	hist_observe(&h_message, since(t0));
}

/* metrics_dns - see metrics.h */
void
metrics_dns(int rrtype, int status, int timed_out, uint64_t t0)
{
	size_t t, o;

	for (t = 0; t < NELEM(rrtype_num) && rrtype_num[t] != rrtype; t++)
		;
	o = timed_out && status == DNS_RETRY ? NELEM(outcomes) - 1 :
	    status >= 0 && (size_t)status < NELEM(outcomes) - 1 ? (size_t)status : DNS_FAIL;
	inc(&m_dns[t][o]);
	hist_observe(&h_dns, since(t0));
}

/* metrics_dns_prefetch - see metrics.h */
void
metrics_dns_prefetch(enum metrics_prefetch outcome)
{
	if ((size_t)outcome < NELEM(prefetch_outcomes))
		inc(&m_prefetch[outcome]);
}

/* metrics_history - see metrics.h */
void
metrics_history(int rc)
{
	inc(rc == 0 ? &m_history_written : &m_history_lost);
}

/* metrics_reload - see metrics.h */
void
metrics_reload(int ok)
{
	inc(&m_reloads[ok ? 0 : 1]);
}

/* metrics_connection - see metrics.h */
void
metrics_connection(int delta)
{
	atomic_fetch_add_explicit(&m_connections, delta, memory_order_relaxed);
}

/* metrics_label_escape - see metrics.h */
void
metrics_label_escape(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_adds(out, "\\\\");
		else if (*s == '"')
			buf_adds(out, "\\\"");
		else if (*s == '\n')
			buf_adds(out, "\\n");
		else
			buf_addc(out, *s);
	}
}

/* head - the HELP and TYPE lines of a family */
static void
head(struct buf *out, const char *name, const char *type, const char *help)
{
	buf_printf(out, "# HELP " PFX "%s %s\n# TYPE " PFX "%s %s\n", name, help, name, type);
}

/* family2 - a counter family with two labels, every combination */
static void
family2(struct buf *out, const char *name, const char *help, const char *l1,
    const char *const *v1, size_t n1, const char *l2, const char *const *v2, size_t n2,
    counter_t *slots)
{
	size_t i, j;

	head(out, name, "counter", help);
	for (i = 0; i < n1; i++)
		for (j = 0; j < n2; j++) {
			buf_printf(out, PFX "%s{%s=\"", name, l1);
			metrics_label_escape(out, v1[i]);
			buf_printf(out, "\",%s=\"", l2);
			metrics_label_escape(out, v2[j]);
			buf_printf(out, "\"} %lu\n", load(&slots[i * n2 + j]));
		}
}

/* family1 - a counter family with one label */
static void
family1(struct buf *out, const char *name, const char *help, const char *l1,
    const char *const *v1, size_t n1, counter_t *slots)
{
	size_t i;

	head(out, name, "counter", help);
	for (i = 0; i < n1; i++) {
		buf_printf(out, PFX "%s{%s=\"", name, l1);
		metrics_label_escape(out, v1[i]);
		buf_printf(out, "\"} %lu\n", load(&slots[i]));
	}
}

/* histogram - a histogram family without labels */
static void
histogram(struct buf *out, const char *name, const char *help, struct hist *h)
{
	uint64_t cum = 0, sum;
	size_t i;

	head(out, name, "histogram", help);
	for (i = 0; i <= h->n; i++) {
		cum += atomic_load_explicit(&h->count[i], memory_order_relaxed);
		buf_printf(out, PFX "%s_bucket{le=\"%s\"} %llu\n", name,
		    i < h->n ? h->le[i] : "+Inf", (unsigned long long)cum);
	}
	sum = atomic_load_explicit(&h->sum_ns, memory_order_relaxed);
	buf_printf(out, PFX "%s_sum %llu.%09llu\n", name, (unsigned long long)(sum / 1000000000ULL),
	    (unsigned long long)(sum % 1000000000ULL));
	buf_printf(out, PFX "%s_count %llu\n", name, (unsigned long long)cum);
}

/* scalar - a family of one unlabelled sample */
static void
scalar(struct buf *out, const char *name, const char *type, const char *help, long value)
{
	head(out, name, type, help);
	buf_printf(out, PFX "%s %ld\n", name, value);
}

/* metrics_format - see metrics.h */
void
metrics_format(struct buf *out)
{
	head(out, "build_info", "gauge", "Version of the running authmilter; always 1.");
	buf_adds(out, PFX "build_info{version=\"");
	metrics_label_escape(out, PACKAGE_VERSION);
	buf_adds(out, "\"} 1\n");
	scalar(out, "config_generation", "gauge",
	    "Configuration in effect: 1 at start, plus one per successful reload.",
	    1 + (long)load(&m_reloads[0]));
	family1(out, "reloads_total", "Reloads (SIGHUP) by result.",
	    "result", reload_results, NELEM(reload_results), m_reloads);
	scalar(out, "milter_connections", "gauge", "Milter connections open.",
	    atomic_load_explicit(&m_connections, memory_order_relaxed));
	family2(out, "messages_total", "Messages by role and the action applied.",
	    "role", roles, NELEM(roles), "action", actions, NELEM(actions), &m_messages[0][0]);
	family2(out, "results_total", "Authentication results by method and result.",
	    "method", methods, NELEM(methods), "result", results, NELEM(results), &m_results[0][0]);
	family2(out, "dmarc_total", "DMARC evaluations by published policy and disposition.",
	    "policy", policies, NELEM(policies), "disposition", dispositions, NELEM(dispositions),
	    &m_dmarc[0][0]);
	family1(out, "signatures_total", "DKIM signatures made by algorithm.",
	    "algorithm", algorithms, NELEM(algorithms), m_signatures);
	family2(out, "dns_queries_total", "DNS queries sent, by type and outcome.",
	    "type", rrtypes, NELEM(rrtypes), "outcome", outcomes, NELEM(outcomes), &m_dns[0][0]);
	histogram(out, "dns_query_duration_seconds", "DNS query latency.", &h_dns);
	family1(out, "dns_prefetch_total", "DNS lookups started before end of message (DNSPrefetch), "
	    "and what became of them.", "outcome", prefetch_outcomes, NELEM(prefetch_outcomes),
	    m_prefetch);
	scalar(out, "history_records_written_total", "counter", "History records written.",
	    (long)load(&m_history_written));
	scalar(out, "history_records_lost_total", "counter",
	    "History records that could not be written.", (long)load(&m_history_lost));
	histogram(out, "message_duration_seconds", "Time spent at end of message.", &h_message);
}

/* hist_reset - a histogram back to zero */
static void
hist_reset(struct hist *h)
{
	size_t i;

	for (i = 0; i <= h->n; i++)
		atomic_store(&h->count[i], 0);
	atomic_store(&h->sum_ns, 0);
}

/* metrics_reset - see metrics.h */
void
metrics_reset(void)
{
	counter_t *all[] = { &m_messages[0][0], &m_results[0][0], &m_dmarc[0][0], m_signatures,
		&m_dns[0][0], &m_history_written, &m_history_lost, m_reloads, m_prefetch };
	size_t sizes[] = { sizeof(m_messages), sizeof(m_results), sizeof(m_dmarc),
		sizeof(m_signatures), sizeof(m_dns), sizeof(m_history_written),
		sizeof(m_history_lost), sizeof(m_reloads), sizeof(m_prefetch) };
	size_t i, j;

	for (i = 0; i < NELEM(all); i++)
		for (j = 0; j < sizes[i] / sizeof(counter_t); j++)
			atomic_store(&all[i][j], 0);
	atomic_store(&m_connections, 0);
	hist_reset(&h_dns);
	hist_reset(&h_message);
}

/* metrics_socket_parse - see metrics.h */
int
metrics_socket_parse(const char *spec, struct sockaddr_storage *ss, struct buf *err)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	char addr[INET6_ADDRSTRLEN + 2], *end;
	const char *ps, *at;
	int v6 = strncmp(spec, "inet6:", 6) == 0;
	long port;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	if (!v6 && strncmp(spec, "inet:", 5) != 0)
		goto bad;
	ps = spec + (v6 ? 6 : 5);
	port = strtol(ps, &end, 10);
	if (end == ps || *end != '@' || port < 1 || port > 65535)
		goto bad;
	at = end + 1;
	n = strlen(at);
	if (v6 && n > 2 && at[0] == '[' && at[n - 1] == ']') {
		at++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(addr))
		goto bad;
	memcpy(addr, at, n);
	addr[n] = '\0';
	if (!v6 && inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (v6 && inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return 0;
	}
bad:
	buf_printf(err, "\"%s\": want inet:PORT@IPV4 or inet6:PORT@[IPV6] (a numeric address)",
	    spec);
	return -1;
}

/* metrics_check_socket - see metrics.h */
int
metrics_check_socket(const char *spec, struct buf *err)
{
	struct sockaddr_storage ss;

	return metrics_socket_parse(spec, &ss, err);
}
