/*
 * test_spf_record.c - covers lib/spf_record.c: the RFC 7208 §12 record
 * syntax checked before libspf2 sees a record (valid records and the form
 * handed on, invalid ones and why).  Pure: no DNS.  The records' effect on
 * an evaluation is test_spf (spf.sh); the layer that runs every fetched
 * record through this check is test_spf_dns (spf_dns.sh).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "spf_record.h"
#include "tap.h"

/* valid records: {label, record, the form handed to libspf2} */
static const struct {
	const char *label, *rec, *clean;
} good[] = {
	{ "version alone", "v=spf1", "v=spf1" },
	{ "version case-insensitive", "V=SPF1 -all", "v=spf1 -all" },
	{ "several spaces between terms", "v=spf1  ip4:192.0.2.1   -all ", "v=spf1 ip4:192.0.2.1 -all" },
	{ "every mechanism", "v=spf1 a mx ptr include:_spf.example.com exists:x.example.com "
	  "ip4:192.0.2.0/24 ip6:2001:db8::/32 ?all",
	  "v=spf1 a mx ptr include:_spf.example.com exists:x.example.com "
	  "ip4:192.0.2.0/24 ip6:2001:db8::/32 ?all" },
	{ "qualifiers", "v=spf1 +a -mx ~ptr ?all", "v=spf1 +a -mx ~ptr ?all" },
	{ "dual-cidr-length", "v=spf1 a:mail.example.com/24//64 mx//128 a/0 -all",
	  "v=spf1 a:mail.example.com/24//64 mx//128 a/0 -all" },
	{ "ptr with a domain", "v=spf1 ptr:example.com -all", "v=spf1 ptr:example.com -all" },
	{ "domain with a trailing dot", "v=spf1 include:example.com. -all",
	  "v=spf1 include:example.com. -all" },
	{ "top label of digits with a dash", "v=spf1 a:host.1-2 -all", "v=spf1 a:host.1-2 -all" },
	{ "macros (RFC 7208 7.1)", "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all",
	  "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all" },
	{ "domain-spec ending in a macro", "v=spf1 exists:%{i}._ip.%{d2} -all",
	  "v=spf1 exists:%{i}._ip.%{d2} -all" },
	{ "literal %%, %_, %-", "v=spf1 exists:a%%b%_c%-d.example.com -all",
	  "v=spf1 exists:a%%b%_c%-d.example.com -all" },
	{ "redirect kept without all", "v=spf1 a redirect=_spf.example.com",
	  "v=spf1 a redirect=_spf.example.com" },
	{ "redirect dropped when all is there (RFC 7208 6.1)",
	  "v=spf1 redirect=_spf.example.com -all", "v=spf1 -all" },
	{ "exp= dropped", "v=spf1 exp=explain.example.com -all", "v=spf1 -all" },
	{ "unknown modifier with . and _ (valid, dropped)", "v=spf1 x.mod_1=%{c}/%{r} -all",
	  "v=spf1 -all" },
};

/* invalid records: {label, record, start of the reason} */
static const struct {
	const char *label, *rec, *why;
} bad[] = {
	{ "not version 1", "v=spf10 -all", "not an SPF version 1 record" },
	{ "no version", "spf1 -all", "not an SPF version 1 record" },
	{ "address out of range", "v=spf1 ip4:192.0.2.300 -all", "invalid term \"ip4:192.0.2.300\"" },
	{ "leading zero in an address", "v=spf1 ip4:192.0.2.01", "invalid term \"ip4:192.0.2.01\"" },
	{ "leading zero in a prefix length", "v=spf1 ip4:192.0.2.0/024", "invalid term" },
	{ "IPv4 prefix over 32", "v=spf1 ip4:192.0.2.0/33", "invalid term" },
	{ "IPv6 prefix over 128", "v=spf1 ip6:2001:db8::/129", "invalid term" },
	{ "a with a bad dual-cidr", "v=spf1 a//129", "invalid term" },
	{ "single-label domain", "v=spf1 include:localhost", "invalid term \"include:localhost\"" },
	{ "numeric top label", "v=spf1 include:example.123", "invalid term" },
	{ "empty domain-spec", "v=spf1 a:", "invalid term \"a:\"" },
	{ "include without a domain", "v=spf1 include", "invalid term" },
	{ "all with an argument", "v=spf1 all:x", "invalid term" },
	{ "unknown mechanism", "v=spf1 foo -all", "invalid term \"foo\"" },
	{ "qualifier alone", "v=spf1 +", "invalid term \"+\"" },
	{ "modifier without a name", "v=spf1 =x", "invalid term" },
	{ "bad macro letter", "v=spf1 exists:%{x}.example.com", "invalid term" },
	{ "c/r/t only in explanations", "v=spf1 exists:%{c}.example.com", "invalid term" },
	{ "unclosed macro", "v=spf1 exists:%{i.example.com", "invalid term" },
	{ "redirect twice", "v=spf1 redirect=a.example redirect=b.example",
	  "redirect= appears twice (RFC 7208 6)" },
	{ "exp twice", "v=spf1 exp=a.example exp=b.example -all", "exp= appears twice (RFC 7208 6)" },
	{ "tab between terms", "v=spf1 a\t-all", "byte 0x09 at offset 8: SPF records are printable ASCII" },
	{ "non-ASCII", "v=spf1 a:ex\xc3\xa9.com", "byte 0xc3 at offset 11" },
};

/* check - spf_record_check over a copy of exactly len bytes (no NUL after
 * them: the checker must stay within len) */
static int
check(const char *rec, size_t len, struct buf *clean, char *why, size_t whylen)
{
	char *copy = xmalloc(len ? len : 1);
	int rc;

	memcpy(copy, rec, len);
	rc = spf_record_check(copy, len, clean, why, whylen);
	free(copy);
	return rc;
}

/* test_good - valid records, their clean form, and that form valid again */
static void
test_good(void)
{
	struct buf clean = BUF_INIT, again = BUF_INIT;
	char why[256];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		buf_reset(&clean);
		buf_reset(&again);
		why[0] = '\0';
		rc = check(good[i].rec, strlen(good[i].rec), &clean, why, sizeof(why));
		if (!ok(rc == 0, "valid: %s", good[i].label))
			diag("why: %s", why);
		is_str(clean.data ? clean.data : "", good[i].clean, "valid: %s: form handed on",
		    good[i].label);
		ok(check(clean.data ? clean.data : "", clean.len, &again, why, sizeof(why)) == 0 &&
		    strcmp(again.data ? again.data : "", clean.data ? clean.data : "") == 0,
		    "valid: %s: the form handed on is valid and stable", good[i].label);
	}
	buf_free(&clean);
	buf_free(&again);
}

/* test_bad - invalid records: -1, the reason, nothing appended */
static void
test_bad(void)
{
	struct buf clean = BUF_INIT;
	char why[256];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&clean);
		why[0] = '\0';
		rc = check(bad[i].rec, strlen(bad[i].rec), &clean, why, sizeof(why));
		ok(rc == -1 && clean.len == 0, "invalid: %s", bad[i].label);
		if (!ok(strncmp(why, bad[i].why, strlen(bad[i].why)) == 0, "invalid: %s: why",
		    bad[i].label))
			diag("got \"%s\", want \"%s...\"", why, bad[i].why);
	}
	buf_free(&clean);
}

/* test_limits - the term count, a NUL inside len, a long term in why */
static void
test_limits(void)
{
	struct buf rec = BUF_INIT, clean = BUF_INIT;
	char why[256];
	int i;

	buf_adds(&rec, "v=spf1");
	for (i = 0; i < 64; i++)
		buf_adds(&rec, " a");
	ok(check(rec.data, rec.len, &clean, why, sizeof(why)) == 0, "64 terms: valid");
	buf_reset(&clean);
	buf_adds(&rec, " a");
	ok(check(rec.data, rec.len, &clean, why, sizeof(why)) == -1 &&
	    strcmp(why, "too many terms") == 0, "65 terms: too many");
	ok(check("v=spf1 a\0 -all", 14, &clean, why, sizeof(why)) == -1 &&
	    strncmp(why, "byte 0x00 at offset 8", 21) == 0, "a NUL byte inside the record: invalid");
	buf_reset(&rec);
	buf_adds(&rec, "v=spf1 ");
	for (i = 0; i < 100; i++)
		buf_addc(&rec, 'x');
	check(rec.data, rec.len, &clean, why, sizeof(why));
	is_int(strlen(why), strlen("invalid term \"\" (RFC 7208 12)") + 64,
	    "a long invalid term is cut to 64 bytes in why");
	buf_reset(&clean);
	/* the last term ends at len with no NUL after it (once read by strcspn) */
	ok(check("v=spf1 a", 8, &clean, why, sizeof(why)) == 0 &&
	    strcmp(clean.data, "v=spf1 a") == 0, "a record not NUL-terminated is read within len");
	buf_free(&rec);
	buf_free(&clean);
}

/* targets: {label, record, the DNS-querying terms as "kind:spec" (m: macro)} */
static const struct {
	const char *label, *rec, *want;
} targets[] = {
	{ "no DNS-querying term", "v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 -all", "" },
	{ "every kind, in record order", "v=spf1 a mx ptr include:i.example exists:e.example "
	  "a:h.example/24//64 mx:m.example//128 ptr:p.example -all",
	  "a: mx: ptr: include:i.example exists:e.example a:h.example mx:m.example ptr:p.example" },
	{ "qualifiers and case", "v=spf1 -A:x.example ~MX ?Include:y.example +exists:z.example",
	  "a:x.example mx: include:y.example exists:z.example" },
	{ "a with a cidr only: the current domain", "v=spf1 a/24 mx//64", "a: mx:" },
	{ "redirect last", "v=spf1 redirect=r.example include:i.example", "include:i.example redirect:r.example" },
	{ "redirect with all: never used (RFC 7208 6.1)", "v=spf1 include:i.example redirect=r.example -all",
	  "include:i.example" },
	{ "macros marked, left to libspf2", "v=spf1 exists:%{i}.e.example include:%{d2}.example a:plain.example",
	  "exists:m include:m a:plain.example" },
	{ "exp= and unknown modifiers ask nothing", "v=spf1 exp=x.example foo=bar -all", "" },
	{ "an invalid record: none", "v=spf1 include: -all", "invalid" },
	{ "two redirects: invalid", "v=spf1 redirect=a.example redirect=b.example", "invalid" },
	{ "not SPF: none", "v=spf2 include:i.example", "invalid" },
};

/* test_targets - spf_record_targets (DNSPrefetch's SPF names) */
static void
test_targets(void)
{
	static const char *const kind[] = { "include", "a", "mx", "ptr", "exists", "redirect" };
	struct spf_target t[16];
	struct buf got = BUF_INIT;
	size_t i;
	int n, k;

	buf_init(&got);
	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		buf_reset(&got);
		n = spf_record_targets(targets[i].rec, strlen(targets[i].rec), t, 16);
		if (n < 0)
			buf_adds(&got, "invalid");
		for (k = 0; k < n; k++) {
			if (k > 0)
				buf_addc(&got, ' ');
			buf_printf(&got, "%s:", kind[t[k].kind]);
			if (t[k].macro)
				buf_addc(&got, 'm');
			else
				buf_add(&got, t[k].spec, t[k].len);
		}
		is_str(got.data ? got.data : "", targets[i].want, targets[i].label);
	}
	n = spf_record_targets("v=spf1 a:1.example a:2.example a:3.example", 42, t, 2);
	ok(n == 2 && t[1].len == 9 && strncmp(t[1].spec, "2.example", 9) == 0,
	    "targets: at most max, the first ones");
	buf_free(&got);
}

int
main(void)
{
	test_good();
	test_bad();
	test_limits();
	test_targets();
	return tap_done();
}
