-- 003-ingest (SQLite): the reports other receivers send about our domains
-- (authmilter-report ingest).  The PostgreSQL twin is
-- 003-ingest.postgresql.sql; keep both the same columns.  Times are epoch
-- seconds, UTC.
--
-- agg_report: one row per aggregate report.  The UNIQUE key recognises a
-- report sent (or ingested) again, forever.  notes are the recoveries,
-- one per line.
CREATE TABLE agg_report (
	id		INTEGER PRIMARY KEY,
	org_name	TEXT NOT NULL,
	email		TEXT,
	report_id	TEXT NOT NULL,
	policy_domain	TEXT NOT NULL,
	policy_p	TEXT,
	policy_sp	TEXT,
	policy_np	TEXT,
	policy_adkim	TEXT,
	policy_aspf	TEXT,
	policy_pct	INTEGER,		-- NULL when absent
	policy_testing	TEXT,
	date_begin	INTEGER NOT NULL,
	date_end	INTEGER NOT NULL,
	format		TEXT NOT NULL,		-- rfc7489 | rfc9990
	nrows		INTEGER NOT NULL,
	messages	INTEGER NOT NULL,
	errors		TEXT,			-- report_metadata/error, one per line
	notes		TEXT,
	source		TEXT,			-- path, or "-" (standard input)
	message_id	TEXT,
	ingested_at	INTEGER NOT NULL,
	UNIQUE (org_name, report_id, policy_domain, date_begin, date_end)
);
CREATE INDEX agg_report_domain ON agg_report (policy_domain, date_begin);

-- agg_raw: the report's bytes, gzip'd: as received when it came as a
-- gzip file of its own, else its XML compressed
CREATE TABLE agg_raw (
	report		INTEGER PRIMARY KEY REFERENCES agg_report (id),
	raw		BLOB NOT NULL
);

-- agg_row: the report's records, n counting from 0 in document order;
-- reasons, auth_dkim and auth_spf as text, one entry per line
-- ("domain selector result", "domain scope result", "type comment").
-- No index on source_ip: each report's rows would rewrite scattered index
-- pages at every commit (a third of the ingest's time); queries by source
-- read the table or add their own index in a later version.
CREATE TABLE agg_row (
	report		INTEGER NOT NULL REFERENCES agg_report (id),
	n		INTEGER NOT NULL,
	source_ip	TEXT NOT NULL,
	count		INTEGER NOT NULL,
	disposition	TEXT,
	dkim		TEXT,
	spf		TEXT,
	reasons		TEXT,
	header_from	TEXT,
	envelope_from	TEXT,
	envelope_to	TEXT,
	auth_dkim	TEXT,
	auth_spf	TEXT,
	PRIMARY KEY (report, n)
);

-- agg_day: the report's messages per UTC day (day = epoch of 00:00 UTC)
-- and evaluated outcome, for charts.  A range over several days is split
-- in proportion to the seconds of [date_begin, date_end) in each day; the
-- rounding is cumulative (day k gets floor(N*s_k/S) - floor(N*s_(k-1)/S),
-- s_k the seconds up to the end of day k, S all of them), so the days sum
-- exactly to the report's count.
CREATE TABLE agg_day (
	report		INTEGER NOT NULL REFERENCES agg_report (id),
	day		INTEGER NOT NULL,
	policy_domain	TEXT NOT NULL,
	disposition	TEXT NOT NULL,
	dkim		TEXT NOT NULL,
	spf		TEXT NOT NULL,
	messages	INTEGER NOT NULL,
	PRIMARY KEY (report, day, disposition, dkim, spf)
);
CREATE INDEX agg_day_domain ON agg_day (policy_domain, day);

-- fail_report: one row per failure report (ARF or plain text); digest is
-- the SHA-256 of the received message, so the same message is stored once
CREATE TABLE fail_report (
	id		INTEGER PRIMARY KEY,
	digest		TEXT NOT NULL UNIQUE,
	feedback_type	TEXT,
	reporter	TEXT,
	arrival		TEXT,
	arrival_ts	INTEGER,		-- NULL when Arrival-Date does not parse
	source_ip	TEXT,
	reported_domain	TEXT,
	from_domain	TEXT,
	auth_failure	TEXT,
	auth_results	TEXT,
	delivery_result	TEXT,
	dkim_domain	TEXT,
	dkim_selector	TEXT,
	spf_dns		TEXT,
	original_mail_from TEXT,
	original_rcpt_to TEXT,
	identity_alignment TEXT,
	headers		TEXT,
	plain		INTEGER NOT NULL,	-- 1: the plain-text form
	notes		TEXT,
	source		TEXT,
	message_id	TEXT,
	ingested_at	INTEGER NOT NULL
);
CREATE INDEX fail_report_arrival ON fail_report (arrival_ts);

-- ingest_reject: inputs that could not be used: why, and the bytes
-- (raw_len is the input's size; raw keeps at most its first MiB); digest
-- (SHA-256 of the input and reason) stores a refused input once
CREATE TABLE ingest_reject (
	id		INTEGER PRIMARY KEY,
	digest		TEXT NOT NULL UNIQUE,
	reason		TEXT NOT NULL,
	source		TEXT,
	message_id	TEXT,
	raw		BLOB,
	raw_len		INTEGER NOT NULL,
	ingested_at	INTEGER NOT NULL
);
