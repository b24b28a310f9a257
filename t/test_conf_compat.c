/*
 * test_conf_compat.c - covers lib/conf_compat.c.  Pure: no DNS.
 * The OpenDKIM/OpenDMARC fate table agrees with the
 * keyword table (a keyword is ours or has another fate, never both), and
 * conf_parse applies the fates: quiet values, notices with file:line,
 * aliases with their translation, refusals naming the replacement
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_compat.h"
#include "tap.h"

/* {label, text, want: error text or NULL, notice (first) or NULL} */
static const struct {
	const char *label, *text, *error, *notice;
} cases[] = {
	{ "quiet value", "SignatureAlgorithm rsa-sha256\n", NULL, NULL },
	{ "noticed value", "\nSignatureAlgorithm ed25519-sha256\n", NULL,
	  "t.conf:2: SignatureAlgorithm: ignored: each key signs with its own algorithm: RSA keys rsa-sha256, Ed25519 keys ed25519-sha256; rsa-sha1 is refused (RFC 8301)" },
	{ "invalid value", "SignatureAlgorithm rsa-sha1\n",
	  "t.conf:1: SignatureAlgorithm: \"rsa-sha1\" is not one of rsa-sha256|ed25519-sha256: each key signs with its own algorithm: RSA keys rsa-sha256, Ed25519 keys ed25519-sha256; rsa-sha1 is refused (RFC 8301)", NULL },
	{ "OpenDKIM boolean, first byte", "AutoRestart Yup\n", NULL,
	  "t.conf:1: AutoRestart: ignored: restarting is the service manager's job: systemd Restart= and StartLimitBurst=" },
	{ "quiet boolean", "AutoRestart F\nX-Header false\n", NULL, NULL },
	{ "not a boolean", "AutoRestart maybe\n", "t.conf:1: AutoRestart: \"maybe\" is not yes or no", NULL },
	{ "case-insensitive keyword", "autorestart no\n", NULL, NULL },
	{ "missing value", "AutoRestart\n", "t.conf:1: AutoRestart: missing value", NULL },
	{ "refused", "ChangeRootDirectory /var/spool/postfix\n",
	  "t.conf:1: ChangeRootDirectory: not supported: confine the daemon with systemd instead (RootDirectory=, ProtectSystem=; see contrib/)", NULL },
	{ "refused keyword, quiet value", "On-BadSignature a\n", NULL, NULL },
	{ "alias", "On-DNSError tempfail\n", NULL, "t.conf:1: On-DNSError: taken as TempFailOnDNSError yes" },
	{ "alias and its target", "TempFailOnDNSError no\nOn-DNSError t\n",
	  "t.conf:2: On-DNSError (TempFailOnDNSError): already set at line 1", NULL },
	{ "MacroList", "MacroList daemon_name|MSA|ORIGINATING\n", NULL, "t.conf:1: MacroList: taken as MTA MSA,ORIGINATING" },
	{ "MacroList, other macro", "MacroList daemon_name|MSA,{auth_type}\n",
	  "t.conf:1: MacroList: macro \"{auth_type}\" is not supported here: only daemon_name (MTA); SMTP AUTH and InternalHosts decide the rest", NULL },
	{ "unknown is still unknown", "SignatureAlgorythm rsa-sha256\n", "t.conf:1: SignatureAlgorythm: unknown keyword", NULL },
};

/* test_tables - every row decided once, implemented exactly when ours */
static void
test_tables(void)
{
	const struct conf_compat *t = NULL;
	size_t i, n, bad = 0;

	t = conf_compat_table(&n);
	ok(n >= 159, "%zu rows (158 keywords of the two man pages, 19 in both; X-Header)", n);
	for (i = 0; i < n; i++) {
		const struct conf_key *k = conf_key_find(t[i].name);
		int implemented = t[i].fate == COMPAT_IMPLEMENTED;

		if ((k != NULL) != implemented) {
			diag("%s: fate %s but %s conf_keys.c", t[i].name,
			    conf_compat_fate_word(t[i].fate), k ? "in" : "not in");
			bad++;
		}
		if (t[i].fate == COMPAT_ALIAS && (t[i].target == NULL || t[i].xlate == NULL ||
		    conf_key_find(t[i].target) == NULL)) {
			diag("%s: alias of a keyword we do not have", t[i].name);
			bad++;
		}
		if (i > 0 && strcasecmp(t[i - 1].name, t[i].name) >= 0) {
			diag("%s: not in alphabetical order", t[i].name);
			bad++;
		}
		if (t[i].fate != COMPAT_IMPLEMENTED && (t[i].why == NULL || t[i].why[0] == '\0')) {
			diag("%s: no reason given", t[i].name);
			bad++;
		}
	}
	is_int((long)bad, 0, "fate table: implemented exactly when in conf_keys.c, aliases name our keywords");
}

int
main(void)
{
	struct buf err = BUF_INIT;
	struct conf *c;
	size_t i;

	test_tables();
	buf_init(&err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&err);
		c = conf_parse("t.conf", cases[i].text, strlen(cases[i].text), &err);
		if (cases[i].error) {
			ok(c == NULL, "%s: refused", cases[i].label);
			is_str(err.data, cases[i].error, "%s: message", cases[i].label);
		} else if (ok(c != NULL, "%s: accepted", cases[i].label)) {
			is_int((long)c->notices.n, cases[i].notice ? 1 : 0, "%s: notices", cases[i].label);
			if (cases[i].notice && c->notices.n)
				is_str(c->notices.v[0], cases[i].notice, "%s: notice text", cases[i].label);
		} else
			diag("%s", err.data);
		conf_free(c);
	}
	buf_reset(&err);
	c = conf_parse("t.conf", "MacroList daemon_name|ORIGINATING\n", 34, &err);
	is_str(c ? c->mta : NULL, "ORIGINATING", "MacroList sets MTA");
	conf_free(c);
	c = conf_parse("t.conf", "On-DNSError tempfail\n", 21, &err);
	is_int(c ? c->tempfail_dns : -1, 1, "On-DNSError tempfail sets TempFailOnDNSError");
	conf_free(c);
	buf_free(&err);
	return tap_done();
}
