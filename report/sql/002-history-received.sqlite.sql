-- 002-history-received (SQLite): reports select a period
CREATE INDEX history_received ON history (received);
