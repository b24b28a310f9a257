/*
 * conf_keys.c - the keyword table: the one place a configuration keyword is
 * defined.  Parsing, validation, defaults, the sample file and the
 * authmilter.conf(5) man page are all generated from these rows.
 * Names follow OpenDKIM and OpenDMARC wherever those have the keyword.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "log.h"
#include "metrics.h"
#include "tables_pg.h"

#define O(f)	offsetof(struct conf, f)
#define NOB	0, 0
#define SEC_D	"Daemon"
#define SEC_C	"Roles and hosts"
#define SEC_N	"DNS"
#define SEC_I	"Inbound: SPF, DKIM verification, DMARC"
#define SEC_O	"Outbound: DKIM signing"
#define SEC_H	"History and aggregate reports"
#define SEC_A	"Alerts (authmilter-report alerts)"
#define SEC_X	"Accepted for compatibility, ignored"

/* check_facility - SyslogFacility must name a syslog facility */
static int
check_facility(const char *v, struct buf *err)
{
	if (log_facility_valid(v))
		return 0;
	buf_printf(err, "unknown syslog facility \"%s\"", v);
	return -1;
}

/* check_canon - header/body canonicalization, "relaxed/simple" or one word */
static int
check_canon(const char *v, struct buf *err)
{
	static const char *ok[] = { "relaxed/relaxed", "relaxed/simple", "simple/relaxed",
	    "simple/simple", "relaxed", "simple", NULL };
	int i;

	for (i = 0; ok[i]; i++)
		if (strcasecmp(v, ok[i]) == 0)
			return 0;
	buf_printf(err, "\"%s\" is not header/body canonicalization (simple or relaxed)", v);
	return -1;
}

/* check_reject_string - RejectString: printable ASCII, "%s" exactly once
 * (OpenDMARC's rule), no other '%', short enough for one SMTP reply line */
static int
check_reject_string(const char *v, struct buf *err)
{
	const char *p;
	int n = 0;

	if (strlen(v) > 200) {
		buf_adds(err, "longer than 200 characters");
		return -1;
	}
	for (p = v; *p; p++) {
		if (*p < 0x20 || *p > 0x7e) {
			buf_adds(err, "only printable ASCII can go into an SMTP reply");
			return -1;
		}
		if (*p == '%' && p[1] != 's') {
			buf_adds(err, "'%' may only start \"%s\" (the From domain)");
			return -1;
		}
		n += *p == '%';
	}
	if (n != 1) {
		buf_printf(err, "\"%%s\" (the From domain) must occur once, not %d times", n);
		return -1;
	}
	return 0;
}

/* check_addr - one AlertRecipients address: local@domain, no blanks,
 * controls, quotes or angle brackets (authmilter-report checks it strictly
 * again before it reaches sendmail's argv) */
static int
check_addr(const char *v, struct buf *err)
{
	const char *at = strchr(v, '@'), *p;

	for (p = v; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || strchr("<>\"\\;", *p) != NULL)
			break;
	if (at == NULL || at == v || at[1] == '\0' || strchr(at + 1, '@') != NULL || *p != '\0') {
		buf_printf(err, "\"%s\" is not an address (local@domain)", v);
		return -1;
	}
	return 0;
}

static const struct conf_key keys[] = {
	/* daemon */
	{ "Socket", CONF_STR, O(socket), "inet:8891@127.0.0.1", NOB, NULL, conf_check_socket, SEC_D,
	  "where to listen: inet:PORT@HOST, inet6:PORT@[ADDR] or local:/PATH" },
	{ "UserID", CONF_STR, O(userid), NULL, NOB, NULL, NULL, SEC_D,
	  "user[:group] to run as after binding the socket and reading keys" },
	{ "UMask", CONF_OCTAL, O(umask), "007", 0, 0777, NULL, NULL, SEC_D,
	  "umask applied to the local socket and files the daemon creates" },
	{ "PidFile", CONF_STR, O(pidfile), NULL, NOB, NULL, NULL, SEC_D,
	  "file to write the process id into" },
	{ "Background", CONF_BOOL, O(background), "yes", NOB, NULL, NULL, SEC_D,
	  "detach from the terminal (the -f option overrides)" },
	{ "Syslog", CONF_BOOL, O(syslog), "yes", NOB, NULL, NULL, SEC_D,
	  "log to syslog" },
	{ "SyslogFacility", CONF_STR, O(syslog_facility), "mail", NOB, NULL, check_facility, SEC_D,
	  "syslog facility" },
	{ "SyslogSuccess", CONF_BOOL, O(syslog_success), "yes", NOB, NULL, NULL, SEC_D,
	  "log one line for every message, not only failures" },
	{ "LogWhy", CONF_BOOL, O(log_why), "no", NOB, NULL, NULL, SEC_D,
	  "log why each message was or was not signed or verified" },
	{ "AllowRootOperation", CONF_BOOL, O(allow_root), "no", NOB, NULL, NULL, SEC_D,
	  "allow running as root after start-up when UserID is not set" },
	{ "MilterDebug", CONF_INT, O(milter_debug), "0", 0, 6, NULL, NULL, SEC_D,
	  "libmilter debug level" },
	{ "MetricsSocket", CONF_STR, O(metrics_socket), NULL, NOB, NULL, metrics_check_socket, SEC_D,
	  "serve Prometheus metrics over HTTP (GET /metrics) at inet:PORT@IPV4 or inet6:PORT@[IPV6]; unset: off (see authmilter(8), METRICS)" },

	/* roles */
	{ "AuthservID", CONF_STR, O(authserv_id), NULL, NOB, NULL, NULL, SEC_C,
	  "authserv-id in Authentication-Results (default: the host name)" },
	{ "AuthservIDWithJobID", CONF_BOOL, O(authserv_id_jobid), "no", NOB, NULL, NULL, SEC_C,
	  "add the MTA queue id to the authserv-id: \"AUTHSERVID/QUEUEID\" (OpenDKIM, OpenDMARC)" },
	{ "Mode", CONF_ENUM, O(mode), "sv", NOB, "s|v|sv", NULL, SEC_C,
	  "s: sign outbound mail, v: verify inbound mail, sv: both" },
	{ "InternalHosts", CONF_STR, O(internal_hosts), "127.0.0.1, ::1", NOB, NULL, NULL, SEC_C,
	  "clients whose mail is signed, not verified: list or file:PATH "
	  "(loopback re-injection by a content filter: see authmilter(8))" },
	{ "MTA", CONF_STR, O(mta), NULL, NOB, NULL, NULL, SEC_C,
	  "MTA {daemon_name} values whose mail is signed" },
	{ "IgnoreHosts", CONF_STR, O(ignore_hosts), NULL, NOB, NULL, NULL, SEC_C,
	  "clients whose mail is neither signed nor verified: list or file:PATH" },
	{ "PeerList", CONF_STR, O(peer_list), NULL, NOB, NULL, NULL, SEC_C,
	  "clients whose connections are accepted untouched: list or file:PATH" },
	{ "IgnoreAuthenticatedClients", CONF_BOOL, O(ignore_auth_clients), "no", NOB, NULL, NULL, SEC_C,
	  "do not verify mail from SMTP AUTH clients" },

	/* dns */
	{ "Nameservers", CONF_LIST, O(nameservers), NULL, NOB, NULL, conf_check_nameserver, SEC_N,
	  "name servers to ask, ADDR[:PORT] or [IPV6]:PORT (default: the system resolver)" },
	{ "DNSTimeout", CONF_INT, O(dns_timeout), "10", 1, 300, NULL, NULL, SEC_N,
	  "seconds to wait for one DNS answer" },
	{ "DNSBudget", CONF_INT, O(dns_budget), "0", 0, 3600, NULL, NULL, SEC_N,
	  "seconds of DNS one message may spend in all (SPF, DKIM keys, DMARC), counted from end of message: lookups started earlier by DNSPrefetch are not charged for the time before it; later lookups are not sent and their methods are temperror; 0: twice DNSTimeout" },
	{ "DNSPrefetch", CONF_BOOL, O(dns_prefetch), "yes", NOB, NULL, NULL, SEC_N,
	  "start each lookup of an inbound message (SPF record and targets, DKIM keys, DMARC policy) as soon as the envelope or header names it; results are the same either way" },
	{ "TrustAnchorFile", CONF_STR, O(trust_anchor_file), NULL, NOB, NULL, NULL, SEC_N,
	  "DNSSEC trust anchor file (enables validation)" },

	/* inbound */
	{ "TrustedAuthservIDs", CONF_STR, O(trusted_authserv_ids), NULL, NOB, NULL, NULL, SEC_I,
	  "further authserv-ids whose incoming Authentication-Results are removed" },
	{ "RejectFailures", CONF_BOOL, O(reject_failures), "yes", NOB, NULL, NULL, SEC_I,
	  "refuse (550 5.7.1) mail that fails DMARC for a domain publishing p=reject (default yes, so that no default configuration accepts such a spoof); no: only report it, as OpenDMARC's default does" },
	{ "RejectString", CONF_STR, O(reject_string), NULL, NOB, NULL, check_reject_string, SEC_I,
	  "text of the 550 5.7.1 reply to a DMARC reject, \"%s\" once for the From domain (default: says the domain publishes a reject policy)" },
	{ "HoldQuarantinedMessages", CONF_BOOL, O(hold_quarantined), "no", NOB, NULL, NULL, SEC_I,
	  "put p=quarantine failures in the MTA's hold queue" },
	{ "TempFailOnDNSError", CONF_BOOL, O(tempfail_dns), "no", NOB, NULL, NULL, SEC_I,
	  "answer 451 4.7.x when DNS fails temporarily, instead of accepting" },
	{ "RejectMultiValueFrom", CONF_BOOL, O(reject_multi_from), "no", NOB, NULL, NULL, SEC_I,
	  "reject (550 5.7.1) mail whose From names several domains, none, a malformed address, or no From at all, without evaluating DMARC" },
	{ "MultiValueFrom", CONF_ENUM, O(multi_value_from), "strictest", NOB, "permerror|strictest", NULL, SEC_I,
	  "a From naming several domains, or one that does not parse: strictest: DMARC for each domain it names (a malformed address read leniently, every domain after an @), the strictest outcome applies (RFC 9989 section 11.5), and one naming more than 5 domains is rejected when RejectFailures is yes; permerror: dmarc=permerror and the message accepted unless RejectMultiValueFrom is yes (OpenDMARC's behaviour)" },
	{ "RejectMultipleFromFields", CONF_BOOL, O(reject_multi_from_fields), "yes", NOB, NULL, NULL, SEC_I,
	  "reject (550 5.7.1) mail with more than one From field (RFC 5322 section 3.6); when no, MultiValueFrom decides" },
	{ "RequiredHeaders", CONF_BOOL, O(required_headers), "no", NOB, NULL, NULL, SEC_I,
	  "reject mail whose header breaks the counts of RFC 5322 section 3.6: one From and one Date; at most one Sender, Reply-To, To, Cc, Bcc, Message-ID, In-Reply-To, References, Subject (OpenDMARC, OpenDKIM)" },
	{ "AddReceivedSPF", CONF_BOOL, O(add_received_spf), "no", NOB, NULL, NULL, SEC_I,
	  "also add a Received-SPF header" },
	{ "MaximumSignaturesToVerify", CONF_INT, O(max_verify_sigs), "5", 1, 100, NULL, NULL, SEC_I,
	  "DKIM signatures evaluated per message: only the first ones in header order reach the verifier, later DKIM-Signature fields are ignored" },
	{ "MinimumKeyBits", CONF_INT, O(min_key_bits), "1024", 512, 16384, NULL, NULL, SEC_I,
	  "RSA keys shorter than this never pass (RFC 8301)" },
	{ "ClockDrift", CONF_INT, O(clock_drift), "300", 0, 86400, NULL, NULL, SEC_I,
	  "seconds a DKIM signature's t= may lie in the future and still verify (OpenDKIM)" },
	{ "DMARCStandard", CONF_ENUM, O(dmarc_standard), "rfc9989", NOB, "rfc9989|rfc7489", NULL, SEC_I,
	  "rfc9989: DNS tree walk; rfc7489: Public Suffix List and pct" },
	{ "PublicSuffixList", CONF_STR, O(public_suffix_list),
	  "/usr/share/publicsuffix/public_suffix_list.dat", NOB, NULL, NULL, SEC_I,
	  "Public Suffix List used in rfc7489 mode" },

	/* outbound */
	{ "KeyTable", CONF_STR, O(key_table), NULL, NOB, NULL, tables_pg_check, SEC_O,
	  "OpenDKIM KeyTable: name domain:selector:/path/to/key; or pgsql:TABLE:CONNINFO "
	  "(CONNINFO a libpq \"key=value\" string or postgresql:// URL): a PostgreSQL table "
	  "with text columns name, domain, selector, keyfile (keyfile as in the file: a path on "
	  "each host, or the key itself), read at start and on SIGHUP only; connect_timeout "
	  "and statement_timeout default to 10 s. A database that cannot be read stops the "
	  "start, and a reload keeps the running tables and logs why. Keys kept as files (mode "
	  "600, copied to each host) never cross the network and a stolen database holds no "
	  "secret; keys in the table rotate with one UPDATE but then the table, its backups and "
	  "the connection (use sslmode=verify-full) must be guarded like the keys; schema and "
	  "advice: keytable.sql (contrib/ in the source, the package's examples)" },
	{ "SigningTable", CONF_STR, O(signing_table), NULL, NOB, NULL, tables_pg_check, SEC_O,
	  "OpenDKIM SigningTable, a file or refile:FILE with wildcards; or pgsql:TABLE:CONNINFO: "
	  "a PostgreSQL table with columns pattern (refile: wildcards, \"*\"), keyname "
	  "(KEYNAME[,KEYNAME...][:SIGNER]) and ord (integer; rows tried in ord order, as a "
	  "refile: is in line order); OpenDKIM's dsn: and db: are refused" },
	{ "Domain", CONF_STR, O(domain), NULL, NOB, NULL, NULL, SEC_O,
	  "short form without tables: domain(s) to sign for" },
	{ "Selector", CONF_STR, O(selector), NULL, NOB, NULL, NULL, SEC_O,
	  "short form without tables: selector" },
	{ "KeyFile", CONF_STR, O(key_file), NULL, NOB, NULL, NULL, SEC_O,
	  "short form without tables: private key file" },
	{ "MultipleSignatures", CONF_BOOL, O(multiple_signatures), "no", NOB, NULL, NULL, SEC_O,
	  "sign with every matching SigningTable entry, not only the first" },
	{ "Canonicalization", CONF_STR, O(canonicalization), "relaxed/relaxed", NOB, NULL, check_canon, SEC_O,
	  "header/body canonicalization of new signatures" },
	{ "SignHeaders", CONF_STR, O(sign_headers), NULL, NOB, NULL, NULL, SEC_O,
	  "headers to sign; \"*,+name,-name\" edits the default: the RFC 6376 section 5.4.1 "
	  "list, Sender, Message-ID, MIME-Version, Content-Type, Content-Transfer-Encoding, "
	  "Content-ID, Content-Description, Resent-Sender, Resent-Message-ID and "
	  "List-Unsubscribe-Post (RFC 8058 section 4)" },
	{ "OmitHeaders", CONF_STR, O(omit_headers), NULL, NOB, NULL, NULL, SEC_O,
	  "headers never to sign (From is always signed)" },
	{ "OversignHeaders", CONF_STR, O(oversign_headers),
	  "From, Reply-To, Subject, To, Cc, Content-Type", NOB, NULL, NULL, SEC_O,
	  "headers signed once more than they occur, also when absent, so none can be added "
	  "(they are signed too); \".\" for none" },
	{ "OversignHeadersIfPresent", CONF_STR, O(oversign_present_headers),
	  "Sender, Date, Message-ID, MIME-Version, Content-Transfer-Encoding, In-Reply-To, "
	  "References, List-Unsubscribe, List-Unsubscribe-Post", NOB, NULL, NULL, SEC_O,
	  "headers signed once more than they occur when the message has them: a second one "
	  "cannot be added, a relay may still add a missing one (they are signed too); \".\" for none" },
	{ "SignatureTTL", CONF_INT, O(signature_ttl), "0", 0, 315360000, NULL, NULL, SEC_O,
	  "seconds a signature is valid (x=); 0 for no expiry" },
	{ "RequireSafeKeys", CONF_BOOL, O(require_safe_keys), "yes", NOB, NULL, NULL, SEC_O,
	  "refuse key files readable by others or in directories writable by others" },
	{ "SubDomains", CONF_BOOL, O(subdomains), "no", NOB, NULL, NULL, SEC_O,
	  "sign mail from subdomains of the Domain list too" },
	{ "DontSignMailTo", CONF_STR, O(dont_sign_mail_to), NULL, NOB, NULL, NULL, SEC_O,
	  "recipients (addresses or domains) whose mail is not signed" },
	{ "AddIdentity", CONF_BOOL, O(add_identity), "no", NOB, NULL, NULL, SEC_O,
	  "add i= with the From address to new signatures" },
	{ "RemoveOldSignatures", CONF_BOOL, O(remove_old_sigs), "no", NOB, NULL, NULL, SEC_O,
	  "remove the DKIM-Signature fields a message already has when it is signed here" },

	/* history and reports */
	{ "HistoryFile", CONF_STR, O(history_file), NULL, NOB, NULL, NULL, SEC_H,
	  "file that gets one record per DMARC-evaluated message" },
	{ "HistoryDatabase", CONF_STR, O(history_database), NULL, NOB, NULL, NULL, SEC_H,
	  "authmilter-report: build site-wide reports from this database (URL), not from history files" },
	{ "RecordAllMessages", CONF_BOOL, O(record_all), "no", NOB, NULL, NULL, SEC_H,
	  "write history records for messages without a DMARC evaluation too" },
	{ "HistoryExtensions", CONF_BOOL, O(history_extensions), "yes", NOB, NULL, NULL, SEC_H,
	  "also write keywords OpenDMARC 1.4.2 lacks (see authmilter(8)); no: its own only" },
	{ "GeoIPDatabase", CONF_STR, O(geoip_db), NULL, NOB, NULL, NULL, SEC_H,
	  "MaxMind country database (.mmdb)" },
	{ "GeoASNDatabase", CONF_STR, O(geoasn_db), NULL, NOB, NULL, NULL, SEC_H,
	  "MaxMind ASN database (.mmdb)" },
	{ "ReportStateFile", CONF_STR, O(report_state_file),
	  "/var/lib/authmilter/report.state", NOB, NULL, NULL, SEC_H,
	  "where authmilter-report remembers the reports it has sent" },
	{ "ReportFrom", CONF_STR, O(report_from), NULL, NOB, NULL, NULL, SEC_H,
	  "From address of aggregate report mail" },
	{ "ReportEnvelopeFrom", CONF_STR, O(report_envelope_from), NULL, NOB, NULL, NULL, SEC_H,
	  "envelope sender of aggregate report mail" },
	{ "ReportSendmail", CONF_STR, O(report_sendmail), "/usr/sbin/sendmail -oi", NOB, NULL, NULL, SEC_H,
	  "sendmail-compatible command (run without a shell)" },
	{ "ReportOrgName", CONF_STR, O(report_org_name), NULL, NOB, NULL, NULL, SEC_H,
	  "org_name in reports (default: AuthservID)" },
	{ "ReportContact", CONF_STR, O(report_contact), NULL, NOB, NULL, NULL, SEC_H,
	  "email in reports' report_metadata (default: ReportFrom)" },
	{ "NoReportsList", CONF_STR, O(no_reports_list), NULL, NOB, NULL, NULL, SEC_H,
	  "policy domains never sent reports: list or file:PATH" },
	{ "ReportMaxDestinations", CONF_INT, O(report_max_dest), "5", 1, 100, NULL, NULL, SEC_H,
	  "rua URIs of a DMARC record kept in the history and sent reports; the rest are logged and dropped" },
	{ "ReportDatabase", CONF_STR, O(report_database),
	  "/var/lib/authmilter/reports.sqlite", NOB, NULL, NULL, SEC_H,
	  "database of received reports (authmilter-report ingest): an SQLite path or a PostgreSQL URL" },
	{ "ReportReverseDNS", CONF_BOOL, O(report_rdns), "yes", NOB, NULL, NULL, SEC_H,
	  "authmilter-report enrich: look up the reverse DNS name of report sources (no: GeoIP only)" },
	{ "ReportEnrichMax", CONF_INT, O(report_enrich_max), "5000", 1, 1000000, NULL, NULL, SEC_H,
	  "authmilter-report enrich: source addresses looked up per run" },
	{ "ReportEnrichSeconds", CONF_INT, O(report_enrich_seconds), "120", 1, 86400, NULL, NULL, SEC_H,
	  "authmilter-report enrich: seconds one run may spend on DNS; the rest waits for the next run" },
	{ "ReportEnrichRefreshDays", CONF_INT, O(report_enrich_refresh), "30", 1, 3650, NULL, NULL, SEC_H,
	  "authmilter-report enrich: days before an address is looked up again" },

	/* alerts over the received reports (authmilter-report alerts; report/alerts.h) */
	{ "AlertRecipients", CONF_LIST, O(alert_recipients), NULL, NOB, NULL, check_addr, SEC_A,
	  "addresses that authmilter-report alerts mails what fired to, one message a run; "
	  "unset: alerts are printed only (and set the exit status)" },
	{ "AlertFrom", CONF_STR, O(alert_from), NULL, NOB, NULL, NULL, SEC_A,
	  "From address of alert mail (default: ReportFrom)" },
	{ "AlertWindow", CONF_INT, O(alert_window), "2", 1, 90, NULL, NULL, SEC_A,
	  "the window: today and this many UTC days before it, which the new-source, reporter "
	  "and ingest-error rules look at (a report arrives a day or so after its day)" },
	{ "AlertLookback", CONF_INT, O(alert_lookback), "30", 1, 365, NULL, NULL, SEC_A,
	  "days before the window that tell a new source and a usual reporter" },
	{ "AlertNewSourceMessages", CONF_INT, O(alert_new_source), "10", 0, 1000000000, NULL, NULL, SEC_A,
	  "alert when a source IP with no message for a domain in the lookback sends at least "
	  "this many messages failing DMARC in the window; 0: off" },
	{ "AlertPassRateBelow", CONF_INT, O(alert_pass_rate), "90", 0, 100, NULL, NULL, SEC_A,
	  "alert when the share of a domain's messages passing DMARC over AlertPassRatePeriod "
	  "is below this percentage; 0: off" },
	{ "AlertPassRatePeriod", CONF_INT, O(alert_pass_period), "7", 1, 365, NULL, NULL, SEC_A,
	  "the pass rate is taken over today and this many UTC days before it" },
	{ "AlertPassRateMinMessages", CONF_INT, O(alert_pass_min), "100", 1, 1000000000, NULL, NULL, SEC_A,
	  "messages a domain needs in that period before its pass rate can alert" },
	{ "AlertReporterMinMessages", CONF_INT, O(alert_reporter_min), "100", 0, 1000000000, NULL, NULL, SEC_A,
	  "alert when a reporting organisation whose reports covered at least this many of a "
	  "domain's messages on more than half of the lookback's days sends none in the window; 0: off" },
	{ "AlertIngestErrors", CONF_INT, O(alert_ingest_errors), "1", 0, 1000000000, NULL, NULL, SEC_A,
	  "alert when at least this many inputs were refused by ingest in the window; 0: off" },
	{ "AlertRenotify", CONF_INT, O(alert_renotify), "7", 0, 365, NULL, NULL, SEC_A,
	  "days before an alert that still fires is mailed again; 0: at every run" },
};

/* conf_keys - the table and its length */
const struct conf_key *
conf_keys(size_t *n)
{
	*n = sizeof(keys) / sizeof(keys[0]);
	return keys;
}

/* conf_key_find - row for a keyword, case-insensitive as OpenDKIM */
const struct conf_key *
conf_key_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcasecmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}
