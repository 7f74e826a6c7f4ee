-- Quiets the tile cache's change notifications for the demo's transaction. Every row the
-- demo writes would otherwise queue one (the per-row tile_notify_* triggers of 003_tiles.sql
-- and 005b_hazard_zone_tiles.sql) until the commit: a million at province scale, costing
-- more than the rows and then flooding the listener. demo_finish.sql turns them back on and
-- tells the cache once to flush. ALTER TABLE is transactional: a failed load rolls this back
-- too. Readers are not blocked by the lock it takes; other writers wait for the commit.
CREATE TEMP TABLE demo_quiet ON COMMIT DROP AS
SELECT t.tgrelid::regclass AS rel, t.tgname
FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
WHERE NOT t.tgisinternal AND t.tgenabled = 'O' AND p.proname LIKE 'tile\_notify\_%'
ORDER BY t.tgrelid::regclass::text, t.tgname;

DO $$
DECLARE
    q record;
BEGIN
    FOR q IN SELECT rel, tgname FROM demo_quiet LOOP
        EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', q.rel, q.tgname);
    END LOOP;
END $$;
