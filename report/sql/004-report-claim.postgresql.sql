-- 004-report-claim (postgresql): the site-wide reporter's sent-state
-- (report/report_claim.h).  The twin is 004-report-claim.sqlite.sql.
--
-- One row per report and destination; the primary key is what keeps two
-- reporters (on one host or several) from sending one report twice.
-- state: new (inserted, not yet claimed), claimed (owner is sending it
-- since claimed), sent (done is when), failed (the last try failed; the
-- next run retries), dropped (given up five days after the first try).
-- owner is "HOST PID" of the claiming process; first_try the epoch of
-- the first claim; tries how many claims were made.
CREATE TABLE report_claim (
	pdomain		text NOT NULL,
	period_begin	bigint NOT NULL,
	period_end	bigint NOT NULL,
	dest		text NOT NULL,
	report_id	text NOT NULL,
	state		text NOT NULL DEFAULT 'new',
	owner		text,
	claimed		bigint NOT NULL DEFAULT 0,
	first_try	bigint NOT NULL DEFAULT 0,
	tries		bigint NOT NULL DEFAULT 0,
	done		bigint,
	PRIMARY KEY (pdomain, period_begin, period_end, dest)
);
