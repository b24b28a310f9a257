-- 003: reserved for the report-ingest tables (issue 14, branch ingestcmd).
-- This branch (sitereport) does not depend on them; when both are merged
-- this placeholder goes and ingestcmd's 003 takes its place.
SELECT 1;
