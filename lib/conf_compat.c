/*
 * conf_compat.c - what becomes of each OpenDKIM and OpenDMARC keyword here
 *
 * One row per keyword of opendkim.conf(5) and opendmarc.conf(5) as Debian
 * 12 ships them (2.11.0~beta2, 1.4.2), in alphabetical order.  The lists
 * the rows were decided from are test data (t/data/migrate/); the test
 * walks them, so a keyword cannot be forgotten, and checks that a row is
 * COMPAT_IMPLEMENTED exactly when conf_keys.c has the keyword.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_compat.h"

#define K	COMPAT_DKIM
#define M	COMPAT_DMARC
#define KM	(COMPAT_DKIM | COMPAT_DMARC)
#define IMPL(n, o, why)		{ n, o, COMPAT_IMPLEMENTED, NULL, NULL, NULL, NULL, why }
#define NOTE(n, o, q, why)	{ n, o, COMPAT_NOTICE, q, NULL, NULL, NULL, why }
#define REFUSE(n, o, q, why)	{ n, o, COMPAT_REFUSED, q, NULL, NULL, NULL, why }

/* the On-* actions of opendkim.conf(5), long and short forms */
#define ACTIONS	"accept|a|discard|d|quarantine|q|reject|r|tempfail|t"
#define ONACT	"DKIM results alone never decide here: DMARC does (RejectFailures, " \
		"HoldQuarantinedMessages); only \"accept\" is taken"
#define NOLDAP	"LDAP and SQL data sets are refused where they are named (export the data to a file); this setting alone has no effect"
#define NOSTATS	"OpenDKIM's statistics are not kept; HistoryFile and authmilter-report(8) record and report results"
#define NOVBR	"VBR (RFC 5518) is not evaluated"
#define NOARC	"ARC is not evaluated here, so there is nothing to trust"
#define NOFAIL	"failure reports (RFC 6591) are not sent; aggregate reports are (authmilter-report(8))"
#define NORESTART "restarting is the service manager's job: systemd Restart= and StartLimitBurst="
#define NOL	"l= is never used: a body length limit lets anyone append text under a valid signature (RFC 6376 section 8.2)"
#define DSETS	"data sets: inline list, csl:, file:PATH, /PATH, refile:PATH"

static int xlate_dnserror(const char *v, struct buf *out, struct buf *err);
static int xlate_macrolist(const char *v, struct buf *out, struct buf *err);
static int xlate_removearfrom(const char *v, struct buf *out, struct buf *err);

static const struct conf_compat table[] = {
	NOTE("AllowSHA1Only", K, "no", "SHA-256 is always available (OpenSSL 3)"),
	NOTE("AlwaysAddARHeader", K, "yes",
	    "an Authentication-Results field is always added to verified mail (it carries SPF and DMARC too)"),
	IMPL("AuthservID", KM, "\"HOSTNAME\" is the host name, as in OpenDKIM"),
	IMPL("AuthservIDWithJobID", KM, "authserv-id/queue-id, quoted as RFC 8601 wants"),
	NOTE("AutoRestart", KM, "no", NORESTART),
	NOTE("AutoRestartCount", KM, NULL, NORESTART),
	NOTE("AutoRestartRate", KM, NULL, NORESTART),
	IMPL("Background", KM, ""),
	NOTE("BaseDirectory", KM, NULL,
	    "files are named by absolute paths; a relative one is taken from the working directory (systemd WorkingDirectory=)"),
	NOTE("BodyLengthDB", K, NULL, NOL),
	NOTE("BogusKey", K, "fail", "a key record that fails DNSSEC validation is never used"),
	IMPL("Canonicalization", K, ""),
	NOTE("CaptureUnknownErrors", K, "no", "internal errors always tempfail (4.x.x): mail is never lost"),
	REFUSE("ChangeRootDirectory", KM, NULL,
	    "confine the daemon with systemd instead (RootDirectory=, ProtectSystem=; see contrib/)"),
	IMPL("ClockDrift", K, ""),
	REFUSE("CopyFailuresTo", M, NULL,
	    "file or copy failing mail downstream by its Authentication-Results (dmarc=fail)"),
	NOTE("DiagnosticDirectory", K, NULL, "z= diagnostics are not written"),
	NOTE("Diagnostics", K, "no", "z= is never added to signatures"),
	NOTE("DisableCryptoInit", K, "no", "OpenSSL 3 initialises itself"),
	NOTE("DNSConnect", K, "no", "the resolver (libunbound) switches to TCP when an answer is truncated"),
	IMPL("DNSTimeout", KM, "1 to 300 seconds (OpenDMARC's 0, no limit, is refused)"),
	IMPL("Domain", K, DSETS),
	NOTE("DomainKeysCompat", K, "no", "DomainKeys (RFC 4870) is historic: only DKIM records are read"),
	NOTE("DomainWhitelist", M, NULL, NOARC),
	NOTE("DomainWhitelistFile", M, NULL, NOARC),
	NOTE("DomainWhitelistSize", M, NULL, NOARC),
	IMPL("DontSignMailTo", K, DSETS),
	NOTE("EnableCoredumps", KM, "no", "use systemd LimitCORE= and the kernel's core_pattern"),
	REFUSE("ExemptDomains", K, NULL,
	    "the From domain is not a safe key for skipping checks: exempt the sending hosts with IgnoreHosts or PeerList"),
	NOTE("ExternalIgnoreList", K, NULL,
	    "only silences OpenDKIM's log line about external hosts sending as a signing domain; no such line is logged here"),
	NOTE("FailureReports", M, "no", NOFAIL),
	NOTE("FailureReportsBcc", M, NULL, NOFAIL),
	NOTE("FailureReportsOnNone", M, "no", NOFAIL),
	NOTE("FailureReportsSentBy", M, NULL, NOFAIL),
	REFUSE("FinalPolicyScript", K, NULL,
	    "no Lua scripts here: policy is RejectFailures, HoldQuarantinedMessages and TempFailOnDNSError"),
	NOTE("FixCRLF", K, "no", "bodies are canonicalized as the MTA hands them over (CRLF)"),
	IMPL("HistoryFile", M, "the same record format; authmilter-report(8) reads it"),
	IMPL("HoldQuarantinedMessages", M, ""),
	REFUSE("IdentityHeader", K, NULL,
	    "an experiment not built into Debian's OpenDKIM: use SigningTable signer templates or AddIdentity"),
	NOTE("IdentityHeaderRemove", K, "no", "IdentityHeader is not supported"),
	IMPL("IgnoreAuthenticatedClients", M, ""),
	IMPL("IgnoreHosts", M, DSETS),
	REFUSE("IgnoreMailFrom", M, NULL,
	    "the From domain is not a safe key for skipping checks: exempt the sending hosts with IgnoreHosts or PeerList"),
	NOTE("IgnoreMailTo", M, NULL,
	    "history records are written for every recipient; NoReportsList keeps domains out of aggregate reports"),
	NOTE("IgnoreMalformedMail", K, "no",
	    "malformed mail gets a defined result (permerror) in its Authentication-Results"),
	REFUSE("Include", K, NULL, "put the lines in the one configuration file"),
	IMPL("InternalHosts", K, DSETS " (with * patterns)"),
	NOTE("KeepAuthResults", K, "no",
	    "forged Authentication-Results carrying our authserv-id are always removed (RFC 8601 section 5)"),
	NOTE("KeepTemporaryFiles", K, "no", "canonicalized copies are never written to disk"),
	IMPL("KeyFile", K, ""),
	IMPL("KeyTable", K, "file, file:, refile: or pgsql:TABLE:CONNINFO (PostgreSQL); "
	    "OpenDKIM's dsn:, db:, ldap: are refused"),
	NOTE("LDAPAuthMechanism", K, NULL, NOLDAP),
	NOTE("LDAPAuthName", K, NULL, NOLDAP),
	NOTE("LDAPAuthRealm", K, NULL, NOLDAP),
	NOTE("LDAPAuthUser", K, NULL, NOLDAP),
	NOTE("LDAPBindPassword", K, NULL, NOLDAP),
	NOTE("LDAPBindUser", K, NULL, NOLDAP),
	NOTE("LDAPDisableCache", K, NULL, NOLDAP),
	NOTE("LDAPKeepaliveIdle", K, NULL, NOLDAP),
	NOTE("LDAPKeepaliveInterval", K, NULL, NOLDAP),
	NOTE("LDAPKeepaliveProbes", K, NULL, NOLDAP),
	NOTE("LDAPTimeout", K, NULL, NOLDAP),
	NOTE("LDAPUseTLS", K, NULL, NOLDAP),
	NOTE("LogResults", K, NULL, "each message's results are logged in one line when SyslogSuccess is yes"),
	IMPL("LogWhy", K, ""),
	{ "MacroList", K, COMPAT_ALIAS, NULL, NULL, "MTA", xlate_macrolist,
	  "daemon_name|VALUE|... becomes MTA VALUE,...; other macros are refused (SMTP AUTH and InternalHosts decide)" },
	NOTE("MaximumHeaders", K, NULL, "header size is bounded by the MTA and libmilter (1 MiB a field)"),
	IMPL("MaximumSignaturesToVerify", K, ""),
	NOTE("MaximumSignedBytes", K, NULL, NOL),
	IMPL("MilterDebug", KM, ""),
	NOTE("Minimum", K, NULL, "signatures with l= are verified over the length they state; " NOL),
	IMPL("MinimumKeyBits", K, ""),
	IMPL("Mode", K, "s, v or sv"),
	IMPL("MTA", K, DSETS),
	NOTE("MTACommand", K, NULL, "the daemon sends no mail; authmilter-report(8) uses ReportSendmail"),
	IMPL("MultipleSignatures", K, ""),
	REFUSE("MustBeSigned", K, NULL,
	    "a signature is judged on what it covers: sign (and oversign) the fields with OversignHeaders"),
	IMPL("Nameservers", K, ""),
	NOTE("NoHeaderB", K, "no", "header.b is always added (RFC 6008)"),
	IMPL("OmitHeaders", K, DSETS),
	REFUSE("On-BadSignature", K, "accept|a", ONACT),
	REFUSE("On-Default", K, "accept|a", ONACT),
	{ "On-DNSError", K, COMPAT_ALIAS, NULL, ACTIONS, "TempFailOnDNSError", xlate_dnserror,
	  "tempfail becomes TempFailOnDNSError yes, accept TempFailOnDNSError no; other actions are refused" },
	REFUSE("On-InternalError", K, "tempfail|t", "internal errors always tempfail (4.x.x): mail is never lost"),
	REFUSE("On-KeyNotFound", K, "accept|a", ONACT),
	REFUSE("On-NoSignature", K, "accept|a", ONACT),
	REFUSE("On-Security", K, "accept|a", ONACT),
	REFUSE("On-SignatureError", K, "accept|a",
	    "a message that cannot be signed passes unsigned and is logged as an error; only \"accept\" is taken"),
	IMPL("OversignHeaders", K, DSETS),
	IMPL("PeerList", K, DSETS),
	IMPL("PidFile", KM, ""),
	REFUSE("POPDBFile", K, NULL,
	    "no POP-before-SMTP: mail of SMTP AUTH clients and InternalHosts is signed"),
	IMPL("PublicSuffixList", M, "used with DMARCStandard rfc7489; RFC 9989's DNS tree walk needs none"),
	REFUSE("Quarantine", K, "no", ONACT),
	NOTE("QueryCache", K, NULL, "the resolver (libunbound) always caches"),
	IMPL("RecordAllMessages", M, ""),
	REFUSE("RedirectFailuresTo", K, NULL,
	    "DKIM failures alone are not acted on; DMARC's are (RejectFailures, HoldQuarantinedMessages)"),
	IMPL("RejectFailures", M, ""),
	IMPL("RejectMultiValueFrom", M, ""),
	IMPL("RejectString", M, "\"%s\" once, for the From domain"),
	NOTE("RemoveARAll", K, "yes", "matching Authentication-Results fields are always removed whole"),
	{ "RemoveARFrom", K, COMPAT_ALIAS, NULL, NULL, "TrustedAuthservIDs", xlate_removearfrom,
	  "the authserv-ids are added to TrustedAuthservIDs, whose fields are removed; name each one (no .domain suffixes)" },
	IMPL("RemoveOldSignatures", K, ""),
	REFUSE("ReplaceHeaders", K, NULL,
	    "rewriting after signing breaks signatures: let the MTA rewrite before the milter sees the message"),
	REFUSE("ReplaceRules", K, NULL,
	    "rewriting after signing breaks signatures: let the MTA rewrite before the milter sees the message"),
	NOTE("ReportAddress", K, NULL, NOFAIL),
	NOTE("ReportBccAddress", K, NULL, NOFAIL),
	NOTE("ReportCommand", M, NULL, NOFAIL "; authmilter-report(8) uses ReportSendmail"),
	NOTE("RequestReports", K, "no", "r= (RFC 6651) is not added to signatures"),
	IMPL("RequiredHeaders", KM, "checks verified (inbound) mail"),
	IMPL("RequireSafeKeys", K, ""),
	REFUSE("ResignAll", K, NULL, "re-signing is an experiment not built into Debian's OpenDKIM: sign with SigningTable"),
	REFUSE("ResignMailTo", K, NULL, "re-signing is an experiment not built into Debian's OpenDKIM: sign with SigningTable"),
	REFUSE("ResolverConfiguration", K, NULL,
	    "use Nameservers and TrustAnchorFile, which configure the resolver (libunbound) here"),
	NOTE("ResolverTracing", K, "no", "DNS failures are logged with the reason"),
	REFUSE("ScreenPolicyScript", K, NULL,
	    "no Lua scripts here: MaximumSignaturesToVerify and MinimumKeyBits limit what is verified"),
	NOTE("SelectCanonicalizationHeader", K, NULL, "Canonicalization applies to every signature"),
	IMPL("Selector", K, ""),
	REFUSE("SenderHeaders", K, "From",
	    "the author (From) chooses the signing key (RFC 6376 section 5.1); only \"From\" is taken"),
	REFUSE("SenderMacro", K, NULL,
	    "an experiment not built into Debian's OpenDKIM: the From domain chooses the key"),
	NOTE("SendReports", K, "no", NOFAIL),
	REFUSE("SetupPolicyScript", K, NULL,
	    "no Lua scripts here: InternalHosts, MTA and SMTP AUTH decide what is signed"),
	{ "SignatureAlgorithm", K, COMPAT_NOTICE, "rsa-sha256", "rsa-sha256|ed25519-sha256", NULL, NULL,
	  "each key signs with its own algorithm: RSA keys rsa-sha256, Ed25519 keys ed25519-sha256; rsa-sha1 is refused (RFC 8301)" },
	IMPL("SignatureTTL", K, ""),
	IMPL("SignHeaders", K, DSETS),
	IMPL("SigningTable", K, "file, file:, refile: or pgsql:TABLE:CONNINFO (PostgreSQL); "
	    "OpenDKIM's dsn:, db:, ldap: are refused"),
	NOTE("SMTPURI", K, NULL, "the daemon sends no mail"),
	IMPL("Socket", KM, ""),
	NOTE("SoftStart", K, NULL, NOLDAP),
	NOTE("SoftwareHeader", KM, "no", "no software header field is added"),
	NOTE("SPFIgnoreResults", M, "yes", "SPF results in incoming header fields are never used: SPF is evaluated here"),
	NOTE("SPFSelfValidate", M, "yes", "SPF is always evaluated here"),
	NOTE("Statistics", K, NULL, NOSTATS),
	NOTE("StatisticsName", K, NULL, NOSTATS),
	NOTE("StatisticsPolicyScript", K, NULL, NOSTATS),
	NOTE("StatisticsPrefix", K, NULL, NOSTATS),
	NOTE("StrictHeaders", K, "no", "RequiredHeaders rejects mail whose header field counts break RFC 5322 section 3.6"),
	NOTE("StrictTestMode", K, "no", "authmilter --test-message accepts LF and CRLF files alike"),
	IMPL("SubDomains", K, ""),
	IMPL("Syslog", KM, ""),
	IMPL("SyslogFacility", KM, ""),
	NOTE("SyslogName", K, NULL, "the syslog ident is always authmilter"),
	IMPL("SyslogSuccess", K, ""),
	NOTE("TemporaryDirectory", K, NULL, "no temporary files are written"),
	NOTE("TestDNSData", K, NULL, "for OpenDKIM's test mode; test with Nameservers pointing at a test DNS server"),
	NOTE("TestPublicKeys", K, NULL, "for OpenDKIM's test mode; test with Nameservers pointing at a test DNS server"),
	IMPL("TrustAnchorFile", K, ""),
	IMPL("TrustedAuthservIDs", M, "fields with these authserv-ids are removed, like our own"),
	NOTE("TrustSignaturesFrom", K, NULL,
	    "every signature is verified and reported; DMARC uses only those aligned with the From domain"),
	IMPL("UMask", KM, ""),
	REFUSE("UnprotectedKey", K, "none", "keys are used whether or not DNSSEC protects them; with TrustAnchorFile one that fails validation never is; only \"none\" is taken"),
	IMPL("UserID", KM, ""),
	NOTE("VBR-Certifiers", K, NULL, NOVBR),
	NOTE("VBR-PurgeFields", K, NULL, NOVBR),
	NOTE("VBR-TrustedCertifiers", K, NULL, NOVBR),
	NOTE("VBR-TrustedCertifiersOnly", K, NULL, NOVBR),
	NOTE("VBR-Type", K, NULL, NOVBR),
	NOTE("WeakSyntaxChecks", K, "no", "a message whose From cannot be parsed gets DMARC permerror"),
	NOTE("X-Header", COMPAT_OLD, "no", "OpenDKIM's old name of SoftwareHeader: no software header field is added"),
};

/* conf_compat_table - see conf_compat.h */
const struct conf_compat *
conf_compat_table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

/* conf_compat_find - see conf_compat.h */
const struct conf_compat *
conf_compat_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcasecmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

/* conf_compat_fate_word - see conf_compat.h */
const char *
conf_compat_fate_word(enum conf_compat_fate f)
{
	switch (f) {
	case COMPAT_IMPLEMENTED: return "implemented";
	case COMPAT_ALIAS: return "alias";
	case COMPAT_NOTICE: return "notice";
	default: return "refused";
	}
}

/* boolean - OpenDKIM reads only a boolean's first byte (opendkim.conf(5));
 * 1, 0, or -1 when it is neither */
static int
boolean(const char *v)
{
	if (strchr("TtYy1", v[0]) != NULL || strcasecmp(v, "on") == 0)
		return 1;
	if (strchr("FfNn0", v[0]) != NULL || strcasecmp(v, "off") == 0)
		return 0;
	return -1;
}

/* conf_compat_apply - see conf_compat.h */
enum conf_compat_outcome
conf_compat_apply(const struct conf_compat *r, const char *v, char **value, struct buf *msg)
{
	int isbool = r->quiet && (!strcmp(r->quiet, "yes") || !strcmp(r->quiet, "no"));
	int quiet = 0;
	struct buf out = BUF_INIT;

	*value = NULL;
	if (isbool) {
		int b = boolean(v);

		if (b < 0) {
			buf_printf(msg, "\"%s\" is not yes or no", v);
			return COMPAT_OUT_ERROR;
		}
		quiet = b == (r->quiet[0] == 'y');
	} else if (r->quiet)
		quiet = conf_word_in(r->quiet, v);
	if (!quiet && r->valid && !conf_word_in(r->valid, v)) {
		buf_printf(msg, "\"%s\" is not one of %s: %s", v, r->valid, r->why);
		return COMPAT_OUT_ERROR;
	}
	switch (r->fate) {
	case COMPAT_ALIAS:
		buf_init(&out);
		if (r->xlate(v, &out, msg) != 0) {
			buf_free(&out);
			return COMPAT_OUT_ERROR;
		}
		*value = buf_steal(&out);
		return COMPAT_OUT_ALIAS;
	case COMPAT_NOTICE:
		if (quiet)
			return COMPAT_OUT_QUIET;
		buf_printf(msg, "ignored: %s", r->why);
		return COMPAT_OUT_NOTICE;
	case COMPAT_REFUSED:
		if (quiet)
			return COMPAT_OUT_QUIET;
		buf_printf(msg, "not supported: %s", r->why);
		return COMPAT_OUT_ERROR;
	default:	/* IMPLEMENTED: conf.c finds those in conf_keys.c first */
		buf_adds(msg, "internal: implemented keyword missing from the keyword table");
		return COMPAT_OUT_ERROR;
	}
}

/* xlate_dnserror - On-DNSError: tempfail is TempFailOnDNSError yes */
static int
xlate_dnserror(const char *v, struct buf *out, struct buf *err)
{
	if (!strcasecmp(v, "tempfail") || !strcasecmp(v, "t"))
		buf_adds(out, "yes");
	else if (!strcasecmp(v, "accept") || !strcasecmp(v, "a"))
		buf_adds(out, "no");
	else {
		buf_printf(err, "\"%s\" is not supported here: a DNS failure gives temperror and "
		    "either accepts or tempfails (TempFailOnDNSError)", v);
		return -1;
	}
	return 0;
}

/* xlate_macrolist - MacroList daemon_name|A|B[,...] is MTA A,B: the one
 * macro whose values decide signing here ({daemon_name}) */
static int
xlate_macrolist(const char *v, struct buf *out, struct buf *err)
{
	char *copy = xstrdup(strncmp(v, "csl:", 4) == 0 ? v + 4 : v), *ent, *save, *val;
	int rc = 0;

	if (v[0] == '/' || strchr(v, ':') != NULL) {
		buf_printf(err, "\"%s\": give the macros inline (daemon_name|VALUE|...)", v);
		free(copy);
		return -1;
	}
	for (ent = strtok_r(copy, ", \t", &save); ent && rc == 0; ent = strtok_r(NULL, ", \t", &save)) {
		char *bar = strchr(ent, '|'), *vsave;

		if (bar)
			*bar++ = '\0';
		if (strcmp(ent, "daemon_name") != 0 && strcmp(ent, "{daemon_name}") != 0) {
			buf_printf(err, "macro \"%s\" is not supported here: only daemon_name "
			    "(MTA); SMTP AUTH and InternalHosts decide the rest", ent);
			rc = -1;
		} else if (bar == NULL || *bar == '\0') {
			buf_adds(err, "daemon_name without values is not supported here: "
			    "name the values (daemon_name|VALUE|...), as MTA takes them");
			rc = -1;
		}
		for (val = bar ? strtok_r(bar, "|", &vsave) : NULL; rc == 0 && val;
		    val = strtok_r(NULL, "|", &vsave))
			buf_printf(out, "%s%s", out->len ? "," : "", val);
	}
	free(copy);
	if (rc == 0 && out->len == 0) {
		buf_adds(err, "no macro named");
		rc = -1;
	}
	return rc;
}

/* xlate_removearfrom - RemoveARFrom host names are TrustedAuthservIDs */
static int
xlate_removearfrom(const char *v, struct buf *out, struct buf *err)
{
	char *copy, *tok, *save;
	int rc = 0;

	if (strncmp(v, "csl:", 4) == 0)
		v += 4;
	if (v[0] == '/' || strchr(v, ':') != NULL) {
		buf_printf(err, "\"%s\": name the authserv-ids inline", v);
		return -1;
	}
	copy = xstrdup(v);
	for (tok = strtok_r(copy, ", \t", &save); tok && rc == 0; tok = strtok_r(NULL, ", \t", &save)) {
		if (tok[0] == '.') {
			buf_printf(err, "\"%s\": domain suffixes are not supported here: "
			    "name each authserv-id", tok);
			rc = -1;
		} else
			buf_printf(out, "%s%s", out->len ? "," : "", tok);
	}
	free(copy);
	return rc;
}

/* conf_compat_man_text - see conf_compat.h */
void
conf_compat_man_text(struct buf *out, const char *s)
{
	if (*s == '.' || *s == '\'')
		buf_adds(out, "\\&");
	for (; *s; s++) {
		if (*s == '\\')
			buf_adds(out, "\\e");
		else if (*s == '-')
			buf_adds(out, "\\-");
		else
			buf_addc(out, *s);
	}
}

/* conf_compat_write_man - see conf_compat.h */
void
conf_compat_write_man(struct buf *out)
{
	size_t i, n[4] = { 0, 0, 0, 0 };

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		n[table[i].fate]++;
	buf_printf(out, ".SH MIGRATION FROM OPENDKIM AND OPENDMARC\n"
	    "Every keyword of opendkim.conf(5) and opendmarc.conf(5) (Debian 12) has one fate:\n"
	    "\\fBimplemented\\fR (%zu, described above),\n"
	    "\\fBalias\\fR (%zu: taken as the keyword named, its value translated),\n"
	    "\\fBnotice\\fR (%zu: accepted without effect; a notice naming file and line is\n"
	    "logged at start-up and by \\fB\\-n\\fR), or \\fBrefused\\fR (%zu: an error naming\n"
	    "what to use instead).\n"
	    "A value that asks for what happens here anyway is taken without a notice\n"
	    "(the \\fIquiet\\fR values).  A keyword in neither list is an error.\n"
	    "Origin: K is OpenDKIM, M is OpenDMARC, old is an older OpenDKIM name.\n"
	    "To try a file as it is: \\fBauthmilter \\-n \\-c /etc/opendkim.conf\\fR.\n"
	    ".PP\n.TS\nl l l lx .\nKeyword\tOrigin\tFate\tReplacement or reason\n.sp\n",
	    n[COMPAT_IMPLEMENTED], n[COMPAT_ALIAS], n[COMPAT_NOTICE], n[COMPAT_REFUSED]);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct conf_compat *r = &table[i];

		conf_compat_man_text(out, r->name);
		buf_printf(out, "\t%s%s%s\t%s\tT{\n",
		    (r->origin & COMPAT_DKIM) ? "K" : "", (r->origin & COMPAT_DMARC) ? "M" : "",
		    (r->origin & COMPAT_OLD) ? "old" : "", conf_compat_fate_word(r->fate));
		if (r->fate == COMPAT_ALIAS)
			buf_printf(out, "%s: ", r->target);
		conf_compat_man_text(out, r->why);
		if (r->quiet && r->fate != COMPAT_ALIAS) {
			buf_adds(out, " (quiet: ");
			conf_compat_man_text(out, r->quiet);
			buf_adds(out, ")");
		}
		buf_adds(out, "\nT}\n");
	}
	buf_adds(out, ".TE\n");
}
