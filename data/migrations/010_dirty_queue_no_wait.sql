-- Writers never wait for the coverage drainer, nor for each other, to mark a village dirty.
--
-- Before: coverage_dirty had one row per village (primary key) and writes added theirs with
-- INSERT … ON CONFLICT DO NOTHING. While the drainer recomputed a village it held that row
-- deleted but uncommitted, and while a writer's transaction was open its freshly inserted row
-- was uncommitted: in both cases the next writer's ON CONFLICT waited for that transaction to
-- end (a unique-index check waits for an in-progress inserter or deleter). Under a stream of
-- writes into one village every write queued behind the recompute or the previous write
-- (bench/load.sh: writes up to 13 s, client time-outs).
--
-- Now the queue may hold a village more than once. A write skips adding a row when a queued
-- row of the village exists that no drainer holds, and key-share locks that row until it
-- commits, so no drainer can take it (and recompute from a snapshot without this write) in
-- between; otherwise it inserts a new row, which never waits. Drainers lock rows FOR UPDATE
-- SKIP LOCKED as before, recompute each village under an advisory lock of its own (two
-- drainers holding different rows of one village take turns), and delete every row of the
-- village they can lock; a row a writer still holds stays and brings the village back once
-- that write has committed.

ALTER TABLE coverage_dirty DROP CONSTRAINT coverage_dirty_pkey;
CREATE INDEX coverage_dirty_village ON coverage_dirty (village_code);

CREATE OR REPLACE FUNCTION ana_mark(p_codes text[]) RETURNS integer
LANGUAGE plpgsql
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    n integer;
    want text[];
    held text[];
BEGIN
    IF p_codes IS NULL OR cardinality(p_codes) = 0 THEN
        RETURN 0;
    END IF;
    WITH base AS (
        SELECT DISTINCT c AS code FROM unnest(p_codes) c WHERE c IS NOT NULL
    ), hop AS (
        SELECT DISTINCT g2.village_code AS code
        FROM grids g1
        JOIN grid_assignments a1 ON a1.grid_id = g1.id
        JOIN grid_assignments a2 ON a2.worker_id = a1.worker_id AND a2.grid_id <> a1.grid_id
        JOIN grids g2 ON g2.id = a2.grid_id
        WHERE g1.village_code IN (SELECT code FROM base)
    )
    SELECT array_agg(code ORDER BY code) INTO want FROM (SELECT code FROM base UNION SELECT code FROM hop) s;
    IF want IS NULL THEN
        RETURN 0;
    END IF;
    -- queued rows no drainer holds: ours to rely on, locked (shared with other writers) until
    -- this transaction ends
    SELECT array_agg(DISTINCT d.village_code) INTO held
    FROM (SELECT village_code FROM coverage_dirty WHERE village_code = ANY (want)
          FOR KEY SHARE SKIP LOCKED) d;
    INSERT INTO coverage_dirty (village_code)
    SELECT c FROM unnest(want) c WHERE held IS NULL OR c <> ALL (held);
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        PERFORM pg_notify('coverage_dirty', n::text);
    END IF;
    RETURN n;
END $$;

CREATE OR REPLACE FUNCTION ana_refresh(p_prefix text DEFAULT '', p_limit integer DEFAULT 2147483647,
                                       p_skip_locked boolean DEFAULT false, p_rollup boolean DEFAULT true)
RETURNS integer
LANGUAGE plpgsql
SET jit = off
AS $$
DECLARE
    codes text[];
BEGIN
    -- Every table the recompute reads, locked up front in the order bulk loaders truncate
    -- them (grids first): a TRUNCATE ... CASCADE then waits for the recompute, or the
    -- recompute for it, instead of the two deadlocking halfway.
    LOCK TABLE grids, key_places, hazards, cameras, edit_history, grid_assignments, grid_workers,
               population_units, jurisdictions IN ACCESS SHARE MODE;
    PERFORM ana_mark_due();
    IF p_skip_locked THEN
        SELECT array_agg(DISTINCT village_code) INTO codes
        FROM (SELECT village_code FROM coverage_dirty WHERE village_code LIKE p_prefix || '%'
              ORDER BY village_code LIMIT p_limit FOR UPDATE SKIP LOCKED) pick;
        -- a village another drainer is recomputing is left to it
        SELECT array_agg(c ORDER BY c) INTO codes FROM unnest(codes) c
        WHERE pg_try_advisory_xact_lock(hashtext('pingan.coverage:' || c));
    ELSE
        -- reports wait for villages being recomputed (their rows, then their advisory locks),
        -- so on return everything dirty under the prefix when the call began is current
        SELECT array_agg(DISTINCT village_code) INTO codes
        FROM (SELECT village_code FROM coverage_dirty WHERE village_code LIKE p_prefix || '%'
              ORDER BY village_code LIMIT p_limit FOR UPDATE) pick;
        PERFORM pg_advisory_xact_lock(hashtext('pingan.coverage:' || c))
        FROM unnest(codes) c ORDER BY c;
    END IF;
    IF codes IS NULL THEN
        RETURN 0;
    END IF;
    DELETE FROM coverage_dirty x
    WHERE x.ctid = ANY (ARRAY(SELECT ctid FROM coverage_dirty WHERE village_code = ANY (codes)
                              FOR UPDATE SKIP LOCKED));
    PERFORM ana_recompute(codes);
    IF p_rollup THEN
        PERFORM ana_rollup(codes);
    END IF;
    RETURN cardinality(codes);
END $$;
