-- 005-alerts (postgresql): what authmilter-report alerts has mailed
-- (report/alerts.h).  The twin is 005-alerts.sqlite.sql.
--
-- One row per alert condition that was mailed and still fires: rule
-- (new-source, pass-rate, reporter-stopped, ingest-errors), the policy
-- domain ('' for ingest-errors) and the subject (the source IP, the
-- reporting organisation, the newest refused input's id; '' for
-- pass-rate).  A condition is mailed again only AlertRenotify days after
-- last_sent; a row whose condition no longer fires is deleted, so the
-- condition is new again when it comes back.  Times are epoch seconds.
CREATE TABLE alert_sent (
	rule		text NOT NULL,
	domain		text NOT NULL,
	subject		text NOT NULL,
	first_sent	bigint NOT NULL,
	last_sent	bigint NOT NULL,
	sends		bigint NOT NULL,
	PRIMARY KEY (rule, domain, subject)
);
