-- 006-sources (SQLite): what is known of each source IP of the stored
-- aggregate reports (authmilter-report enrich; DESIGN.md section 7).  The
-- PostgreSQL twin is 006-sources.postgresql.sql; keep both the same
-- columns.  Times are epoch seconds, UTC.
--
-- ip_info: one row per source IP (the text of agg_row.source_ip).
-- rdns is the first name of its PTR record (RFC 1035 section 3.5),
-- escaped as text (a byte outside printable ASCII as \DDD); rdns_ok 1 when
-- that name's A/AAAA records hold the IP again (forward-confirmed).
-- rdns_status: ok, none (no PTR), retry (a temporary DNS failure: asked
-- again at the next run), fail (a permanent one), off (ReportReverseDNS
-- no).  asn, as_org and country come from the GeoIP databases (NULL when
-- unknown or not configured).  looked_up: when; a row older than
-- ReportEnrichRefreshDays is looked up again.
CREATE TABLE ip_info (
	ip		TEXT PRIMARY KEY,
	rdns		TEXT,
	rdns_ok		INTEGER NOT NULL DEFAULT 0,
	rdns_status	TEXT NOT NULL,
	asn		INTEGER,
	as_org		TEXT,
	country		TEXT,
	looked_up	INTEGER NOT NULL
);
CREATE INDEX ip_info_looked_up ON ip_info (looked_up);
