-- 002-history-received (both back ends): reports select a period, per
-- policy domain
CREATE INDEX history_received ON history (received, pdomain);
