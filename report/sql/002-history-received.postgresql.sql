-- 002-history-received (PostgreSQL): reports select a period.  Records
-- arrive roughly in time order, so a BRIN index (one summary per block
-- range) finds a period's blocks at almost no cost to the import, where a
-- B-tree would cost every inserted row an index entry.
CREATE INDEX history_received ON history USING brin (received);
