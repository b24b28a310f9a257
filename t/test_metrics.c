/*
 * test_metrics.c - lib/metrics.c: counters, histogram buckets, the exact
 * exposition text of known states, label escaping, MetricsSocket parsing
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "metrics.h"
#include "tap.h"
#include "verdict.h"

/* text - the exposition now, in a static buffer */
static const char *
text(void)
{
	static struct buf b = BUF_INIT;

	buf_free(&b);
	buf_init(&b);
	metrics_format(&b);
	return b.data;
}

/* has - whether the exposition holds this exact block of whole lines */
static int
has(const char *block)
{
	const char *t = text(), *p;
	size_t n = strlen(block);

	for (p = t; (p = strstr(p, block)) != NULL; p++)
		if ((p == t || p[-1] == '\n') && (n == 0 || block[n - 1] == '\n' || p[n] == '\n'))
			return 1;
	return 0;
}

/* count - lines of the exposition that start with prefix */
static int
count(const char *prefix)
{
	const char *p = text();
	int n = 0;

	for (; p != NULL && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

/* zero_state - a fresh process: every sample 0 but build_info and generation */
static void
zero_state(void)
{
	const char *p;
	int bad = 0, samples = 0;

	metrics_reset();
	for (p = text(); *p; p = strchr(p, '\n') + 1) {
		if (*p == '#')
			continue;
		samples++;
		if (strncmp(p, "authmilterd_build_info{version=\"" PACKAGE_VERSION "\"} 1\n",
		    strlen("authmilterd_build_info{version=\"" PACKAGE_VERSION "\"} 1\n")) != 0 &&
		    strncmp(p, "authmilterd_config_generation 1\n", 32) != 0 &&
		    strncmp(strchr(p, ' '), " 0\n", 3) != 0 &&
		    strncmp(strchr(p, ' '), " 0.000000000\n", 13) != 0)
			bad++;
	}
	ok(bad == 0, "fresh state: every sample 0 but build_info and config_generation (%d bad)", bad);
	is_int(count("# TYPE "), 14, "14 metric families");
	is_int(count("# HELP "), 14, "each with HELP");
	is_int(samples, 1 + 1 + 2 + 1 + 20 + 27 + 25 + 4 + 30 + 15 + 5 + 2 + 15,
	    "every label combination exported");
	ok(count("authmilter_") == 0, "no authmilter_* name (authentication_milter's prefix)");
}

/* inbound - one verified message rejected by DMARC */
static void
inbound(void)
{
	struct verdict v;
	struct verdict_dkim *d;

	verdict_init(&v);
	verdict_set(&v.res.role, "verify");
	verdict_set(&v.res.spf, "pass");
	d = verdict_add_dkim(&v);
	verdict_set(&d->result, "pass");
	d = verdict_add_dkim(&v);
	verdict_set(&d->result, "FAIL");
	verdict_set(&v.res.dmarc, "fail");
	verdict_set(&v.res.policy, "reject");
	verdict_set(&v.res.disposition, "reject");
	metrics_message(&v, VERDICT_REJECT, UINT64_MAX);
	verdict_free(&v);
	ok(has("authmilterd_messages_total{role=\"verify\",action=\"reject\"} 1\n"), "messages: verify/reject");
	ok(has("authmilterd_results_total{method=\"spf\",result=\"pass\"} 1\n"), "results: spf pass");
	ok(has("authmilterd_results_total{method=\"dkim\",result=\"pass\"} 1\n"), "results: dkim pass");
	ok(has("authmilterd_results_total{method=\"dkim\",result=\"fail\"} 1\n"), "results: dkim fail (any case)");
	ok(has("authmilterd_results_total{method=\"dmarc\",result=\"fail\"} 1\n"), "results: dmarc fail");
	ok(has("authmilterd_dmarc_total{policy=\"reject\",disposition=\"reject\"} 1\n"), "dmarc: reject/reject");

	/* peer-ish words and a missing policy: bounded labels */
	verdict_init(&v);
	verdict_set(&v.res.spf, "x\"}\n 99");
	verdict_set(&v.res.dmarc, "none");
	verdict_set(&v.res.disposition, "none");
	metrics_message(&v, (enum verdict_action)42, UINT64_MAX);
	verdict_free(&v);
	ok(has("authmilterd_messages_total{role=\"other\",action=\"discard\"} 1\n"), "no role, bad action: other/discard");
	ok(has("authmilterd_results_total{method=\"spf\",result=\"other\"} 1\n"), "unknown result word: other");
	ok(has("authmilterd_dmarc_total{policy=\"absent\",disposition=\"none\"} 1\n"), "no policy: absent");
	ok(strstr(text(), "x\\\"") == NULL && strstr(text(), " 99") == NULL, "the unknown word itself never appears");
}

/* outbound - signatures by algorithm; an exact family block */
static void
outbound(void)
{
	struct verdict v;

	verdict_init(&v);
	verdict_set(&v.res.role, "sign");
	verdict_add_header(&v, "DKIM-Signature", " v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org;");
	verdict_add_header(&v, "dkim-signature", " v=1;\r\n\ta=ed25519-sha256; d=example.org;");
	verdict_add_header(&v, "DKIM-Signature", " v=1; ba=x; a=hmac-md5;");
	verdict_add_header(&v, "X-Other", " a=rsa-sha256");
	metrics_message(&v, VERDICT_ACCEPT, UINT64_MAX);
	metrics_message(&v, VERDICT_TEMPFAIL, UINT64_MAX);	/* not applied: not made */
	verdict_free(&v);
	ok(has("# HELP authmilterd_signatures_total DKIM signatures made by algorithm.\n"
	    "# TYPE authmilterd_signatures_total counter\n"
	    "authmilterd_signatures_total{algorithm=\"rsa-sha256\"} 1\n"
	    "authmilterd_signatures_total{algorithm=\"ed25519-sha256\"} 1\n"
	    "authmilterd_signatures_total{algorithm=\"rsa-sha1\"} 0\n"
	    "authmilterd_signatures_total{algorithm=\"other\"} 1\n"), "signatures: exact block");
	ok(has("authmilterd_messages_total{role=\"sign\",action=\"accept\"} 1\n"), "messages: sign/accept");
	ok(has("authmilterd_messages_total{role=\"sign\",action=\"tempfail\"} 1\n"), "messages: sign/tempfail");
}

/* dns - queries by type and outcome, the latency histogram */
static void
dns(void)
{
	metrics_reset();
	metrics_dns(16, DNS_OK, 0, UINT64_MAX);
	metrics_dns(16, DNS_NOTFOUND, 0, UINT64_MAX);
	metrics_dns(99, DNS_RETRY, 1, UINT64_MAX);
	metrics_dns(1, DNS_OK, 1, UINT64_MAX);		/* answered after all */
	ok(has("authmilterd_dns_queries_total{type=\"txt\",outcome=\"ok\"} 1\n"
	    "authmilterd_dns_queries_total{type=\"txt\",outcome=\"notfound\"} 1\n"
	    "authmilterd_dns_queries_total{type=\"txt\",outcome=\"retry\"} 0\n"), "dns: txt rows");
	ok(has("authmilterd_dns_queries_total{type=\"other\",outcome=\"timeout\"} 1\n"), "dns: type 99 other, timeout");
	ok(has("authmilterd_dns_queries_total{type=\"a\",outcome=\"ok\"} 1\n"), "dns: a cancel lost the race: ok");
	metrics_dns_prefetch(METRICS_PF_STARTED);
	metrics_dns_prefetch(METRICS_PF_STARTED);
	metrics_dns_prefetch(METRICS_PF_JOINED);
	metrics_dns_prefetch((enum metrics_prefetch)99);	/* outside the table: not counted */
	ok(has("# TYPE authmilterd_dns_prefetch_total counter\n"
	    "authmilterd_dns_prefetch_total{outcome=\"started\"} 2\n"
	    "authmilterd_dns_prefetch_total{outcome=\"used\"} 0\n"
	    "authmilterd_dns_prefetch_total{outcome=\"joined\"} 1\n"
	    "authmilterd_dns_prefetch_total{outcome=\"cancelled\"} 0\n"
	    "authmilterd_dns_prefetch_total{outcome=\"capped\"} 0\n"), "dns prefetch: outcomes");
	ok(has("# HELP authmilterd_dns_query_duration_seconds DNS query latency.\n"
	    "# TYPE authmilterd_dns_query_duration_seconds histogram\n"
	    "authmilterd_dns_query_duration_seconds_bucket{le=\"0.001\"} 4\n"
	    "authmilterd_dns_query_duration_seconds_bucket{le=\"0.0025\"} 4\n"), "histogram head exact");
	ok(has("authmilterd_dns_query_duration_seconds_bucket{le=\"+Inf\"} 4\n"
	    "authmilterd_dns_query_duration_seconds_sum 0.000000000\n"
	    "authmilterd_dns_query_duration_seconds_count 4\n"), "histogram tail exact");
	/* 3 ms ago: above the 2.5 ms bound whatever the machine's speed */
	metrics_dns(16, DNS_OK, 0, metrics_now() - 3000000);
	ok(has("authmilterd_dns_query_duration_seconds_bucket{le=\"0.0025\"} 4\n"), "3 ms: not in le=0.0025");
	ok(has("authmilterd_dns_query_duration_seconds_bucket{le=\"+Inf\"} 5\n"), "3 ms: in +Inf");
	ok(has("authmilterd_dns_query_duration_seconds_count 5\n"), "count 5");
	ok(!has("authmilterd_dns_query_duration_seconds_sum 0.000000000\n"), "sum moved");
	ok(strstr(text(), "authmilterd_dns_query_duration_seconds_sum 0.00") != NULL, "sum in seconds");
}

/* process - history, reloads, connections, generation: exact blocks */
static void
process(void)
{
	metrics_reset();
	metrics_history(0);
	metrics_history(0);
	metrics_history(-1);
	metrics_reload(1);
	metrics_reload(0);
	metrics_reload(1);
	metrics_connection(1);
	metrics_connection(1);
	metrics_connection(-1);
	ok(has("# HELP authmilterd_build_info Version of the running authmilter; always 1.\n"
	    "# TYPE authmilterd_build_info gauge\n"
	    "authmilterd_build_info{version=\"" PACKAGE_VERSION "\"} 1\n"
	    "# HELP authmilterd_config_generation Configuration in effect: 1 at start, plus one per successful reload.\n"
	    "# TYPE authmilterd_config_generation gauge\n"
	    "authmilterd_config_generation 3\n"
	    "# HELP authmilterd_reloads_total Reloads (SIGHUP) by result.\n"
	    "# TYPE authmilterd_reloads_total counter\n"
	    "authmilterd_reloads_total{result=\"ok\"} 2\n"
	    "authmilterd_reloads_total{result=\"failed\"} 1\n"
	    "# HELP authmilterd_milter_connections Milter connections open.\n"
	    "# TYPE authmilterd_milter_connections gauge\n"
	    "authmilterd_milter_connections 1\n"), "the text starts exactly so");
	ok(has("# HELP authmilterd_history_records_written_total History records written.\n"
	    "# TYPE authmilterd_history_records_written_total counter\n"
	    "authmilterd_history_records_written_total 2\n"
	    "# HELP authmilterd_history_records_lost_total History records that could not be written.\n"
	    "# TYPE authmilterd_history_records_lost_total counter\n"
	    "authmilterd_history_records_lost_total 1\n"), "history: exact block");
	ok(strncmp(text(), "# HELP authmilterd_build_info", 29) == 0, "build_info first");
}

/* escaping - label values per the exposition format */
static void
escaping(void)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	metrics_label_escape(&b, "a\\b\"c\nd\te");
	is_str(b.data, "a\\\\b\\\"c\\nd\te", "backslash, quote and LF escaped, the rest kept");
	buf_free(&b);
}

/* sockets - MetricsSocket values */
static void
sockets(void)
{
	static const struct {
		const char *spec;
		int rc;
	} t[] = {
		{ "inet:9100@127.0.0.1", 0 }, { "inet6:9100@[::1]", 0 }, { "inet6:9100@::1", 0 },
		{ "inet:0@127.0.0.1", -1 }, { "inet:65536@127.0.0.1", -1 }, { "inet:9100", -1 },
		{ "inet:9100@", -1 }, { "inet:9100@localhost", -1 }, { "local:/run/m.sock", -1 },
		{ "inet:9100@::1", -1 }, { "inet6:9100@[127.0.0.1]", -1 }, { "inet:x@127.0.0.1", -1 },
	};
	struct buf err = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_init(&err);
		is_int(metrics_check_socket(t[i].spec, &err), t[i].rc, t[i].spec);
		if (t[i].rc != 0)
			ok(strstr(err.data, "want inet:PORT@IPV4") != NULL, "%s: says what is wanted", t[i].spec);
		buf_free(&err);
	}
}

int
main(void)
{
	zero_state();
	inbound();
	outbound();
	dns();
	process();
	escaping();
	sockets();
	return tap_done();
}
