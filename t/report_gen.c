/*
 * report_gen.c - synthetic history files for the reporter's tests and
 * benchmark, written through the one history writer (history_format)
 *
 *   report_gen -n COUNT -o FILE [-b BEGIN] [-s SPAN] [-d DOMAINS] [-i IPS]
 *              [-r SEED] [--hostile] [--torn] [--ext-rua] [--stable]
 *
 * Records are spread over [BEGIN, BEGIN+SPAN) and policy domains
 * example.com, example.net, example.org, d3.example, ...; values vary
 * enough to make many distinct rows.  --hostile adds records with markup
 * in identifiers and shell metacharacters in rua; --torn appends a cut
 * record; --ext-rua gives example.net an external rua destination;
 * --stable makes every field but the time depend on the source IP, so the
 * number of distinct rows stays near the number of sources (benchmarks).
 */
#include "config.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "history.h"

static uint64_t rng_state = 88172645463325252ULL;
static int stable;	/* --stable: fields depend on the source IP only */

/* rnd - xorshift64, deterministic for a seed */
static uint32_t
rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

/* domain_name - the i-th policy domain */
static void
domain_name(unsigned i, char *out, size_t n)
{
	static const char *const first[] = { "example.com", "example.net", "example.org" };

	if (i < 3)
		snprintf(out, n, "%s", first[i]);
	else
		snprintf(out, n, "d%u.example", i);
}

/* fill - one ordinary record */
static void
fill(struct history_rec *r, long long begin, long long span, unsigned ndom, unsigned nips,
    int ext_rua)
{
	static const int spf[] = { HISTORY_ARES_PASS, HISTORY_ARES_FAIL, HISTORY_ARES_SOFTFAIL,
		HISTORY_ARES_NONE, HISTORY_ARES_UNDEFINED };
	static const int pol[] = { HISTORY_POLICY_PASS, HISTORY_POLICY_PASS, HISTORY_POLICY_NONE,
		HISTORY_POLICY_REJECT, HISTORY_POLICY_QUARANTINE };
	char dom[64], tmp[128];
	unsigned d, ip = rnd(nips), k;
	uint64_t saved = rng_state;

	r->received = begin + (long long)rnd((uint32_t)span);
	if (stable) {
		/* each source behaves the same way every time: realistic row counts */
		saved = rng_state;
		rng_state = 0x9e3779b97f4a7c15ULL * (ip + 1);
	}
	d = rnd(ndom);
	domain_name(d, dom, sizeof(dom));
	history_rec_set(&r->job, "4ABCDEF");
	history_rec_set(&r->reporter, "mx.receiver.example");
	if (ip % 3 == 2)
		snprintf(tmp, sizeof(tmp), "2001:db8::%x", ip);
	else
		snprintf(tmp, sizeof(tmp), "%s.%u.%u", ip % 3 ? "198.51" : "192.0", (ip >> 8) & 255,
		    ip & 255);
	history_rec_set(&r->ipaddr, tmp);
	snprintf(tmp, sizeof(tmp), "%s%s", rnd(4) == 0 ? "news." : "", dom);
	history_rec_set(&r->from, tmp);
	history_rec_set(&r->mfrom, rnd(50) == 0 ? "" : rnd(2) ? tmp : "bounce.example.org");
	for (k = rnd(3); k > 0; k--)
		history_rec_add_dkim(r, rnd(3) ? dom : "esp.example", rnd(2) ? "s1" : "sel2",
		    rnd(4) ? HISTORY_ARES_PASS : HISTORY_ARES_FAIL);
	r->spf = spf[rnd(5)];
	r->spf_scope = HISTORY_SCOPE_MFROM;
	history_rec_set(&r->pdomain, dom);
	r->policy = pol[rnd(5)];
	snprintf(tmp, sizeof(tmp), "mailto:dmarc@%s", dom);
	history_rec_add_rua(r, ext_rua && d == 1 ? "mailto:agg@reports.example!10m" : tmp);
	if (ext_rua && d == 2)
		history_rec_add_rua(r, "mailto:agg@unauthorised.example");
	r->pct = 100;
	r->adkim = 'r';
	r->aspf = 'r';
	r->p = d == 2 ? 'n' : 'r';
	r->sp = 'q';
	r->align_dkim = rnd(2) ? HISTORY_ALIGN_PASS : HISTORY_ALIGN_FAIL;
	r->align_spf = rnd(2) ? HISTORY_ALIGN_PASS : HISTORY_ALIGN_FAIL;
	r->action = r->policy == HISTORY_POLICY_REJECT ? HISTORY_ACTION_REJECT : HISTORY_ACTION_ACCEPT;
	history_rec_set(&r->discovery, "treewalk");
	if (stable)
		rng_state = saved;
}

/* hostile - a record whose values try to break XML, file names and shells */
static void
hostile(struct history_rec *r, long long begin, int bad_pdomain)
{
	history_rec_set(&r->reporter, "mx.receiver.example");
	r->received = begin + 86399;	/* the last record: its rua list is the one used */
	history_rec_set(&r->ipaddr, "192.0.2.66");
	history_rec_set(&r->from, "ev<&\"'il.example.com");
	history_rec_set(&r->mfrom, "a]]>b.example.com");
	history_rec_add_dkim(r, "example.com", "<sel>&", HISTORY_ARES_PASS);
	r->spf = HISTORY_ARES_PASS;
	r->spf_scope = HISTORY_SCOPE_MFROM;
	history_rec_set(&r->pdomain, bad_pdomain ? "bad<&>/../x.example" : "example.com");
	r->policy = HISTORY_POLICY_PASS;
	history_rec_add_rua(r, "mailto:x@example.com;touch${IFS}/tmp/pwned");
	history_rec_add_rua(r, "mailto:a@example.com`id`");
	history_rec_add_rua(r, "mailto:dmarc@example.com");
	r->pct = 100;
	r->p = 'r';
	r->align_dkim = HISTORY_ALIGN_PASS;
	r->align_spf = HISTORY_ALIGN_PASS;
	history_rec_set(&r->discovery, "treewalk");
}

/* main - write the file */
int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "hostile", no_argument, NULL, 'H' }, { "torn", no_argument, NULL, 'T' },
		{ "ext-rua", no_argument, NULL, 'E' }, { "stable", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 } };
	long long n = 1000, begin = 1700006400, span = 86400, i;
	unsigned ndom = 3, nips = 1000;
	int ch, host = 0, torn = 0, ext = 0;
	const char *out = NULL;
	struct buf b = BUF_INIT;
	FILE *fp;

	while ((ch = getopt_long(argc, argv, "n:o:b:s:d:i:r:", lo, NULL)) != -1) {
		switch (ch) {
		case 'n': n = atoll(optarg); break;
		case 'o': out = optarg; break;
		case 'b': begin = atoll(optarg); break;
		case 's': span = atoll(optarg); break;
		case 'd': ndom = (unsigned)atoi(optarg); break;
		case 'i': nips = (unsigned)atoi(optarg); break;
		case 'r': rng_state = strtoull(optarg, NULL, 10) | 1; break;
		case 'H': host = 1; break;
		case 'T': torn = 1; break;
		case 'E': ext = 1; break;
		case 'S': stable = 1; break;
		default: return 64;
		}
	}
	if (out == NULL || ndom == 0 || nips == 0 || span <= 0 || (fp = fopen(out, "w")) == NULL) {
		fprintf(stderr, "usage: report_gen -n COUNT -o FILE [options]\n");
		return 64;
	}
	buf_init(&b);
	for (i = 0; i < n + 2 * host; i++) {
		struct history_rec *r = history_rec_new();

		if (i >= n)
			hostile(r, begin, i == n + 1);
		else
			fill(r, begin, span, ndom, nips, ext);
		buf_reset(&b);
		history_format(r, &b);
		fwrite(b.data, 1, b.len, fp);
		history_rec_free(r);
	}
	if (torn)
		fputs("job TORN1\nreporter mx.receiver.example\nreceived 1700006500\nipaddr 192.0.2.9\nfrom exa", fp);
	buf_free(&b);
	return fclose(fp) == 0 ? 0 : 1;
}
