-- 004-report-claim (sqlite): the site-wide reporter's sent-state
-- (report/report_claim.h).  The twin is 004-report-claim.postgresql.sql.
--
-- One row per report and destination; the primary key is what keeps two
-- reporters (on one host or several) from sending one report twice.
-- state: new (inserted, not yet claimed), claimed (owner is sending it
-- since claimed), sent (done is when), failed (the last try failed; the
-- next run retries), dropped (given up five days after the first try).
-- owner is "HOST PID" of the claiming process; first_try the epoch of
-- the first claim; tries how many claims were made.
CREATE TABLE report_claim (
	pdomain		TEXT NOT NULL,
	period_begin	INTEGER NOT NULL,
	period_end	INTEGER NOT NULL,
	dest		TEXT NOT NULL,
	report_id	TEXT NOT NULL,
	state		TEXT NOT NULL DEFAULT 'new',
	owner		TEXT,
	claimed		INTEGER NOT NULL DEFAULT 0,
	first_try	INTEGER NOT NULL DEFAULT 0,
	tries		INTEGER NOT NULL DEFAULT 0,
	done		INTEGER,
	PRIMARY KEY (pdomain, period_begin, period_end, dest)
);
