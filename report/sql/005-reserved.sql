-- 005-reserved (both back ends): a placeholder that keeps the version
-- numbers of this branch in step with the alerts branch, whose 005-alerts
-- takes this number when the two are merged (it replaces this file and its
-- row in store_schema.c's names[]).  It creates nothing.
SELECT 1;
