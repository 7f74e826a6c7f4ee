-- Checks every import runs on its staging table (imp_stage: fid, code, name, …, geom),
-- whatever the target. Sections are picked by name (-- @name) by importers/sqlfile.c.

-- @dedupe  later features that repeat a code already seen in the file are dropped
DELETE FROM imp_stage s
 USING (SELECT code, min(fid) AS keep FROM imp_stage
         WHERE code IS NOT NULL GROUP BY code HAVING count(*) > 1) d
 WHERE s.code = d.code AND s.fid <> d.keep
RETURNING s.fid, s.code, s.name, 'duplicate code: feature ' || d.keep || ' of the file has it too';

-- @dedupe_codeless  a feature without a code that repeats the name and geometry of an earlier
-- one of the file is the same feature given twice: dropped, so that a re-import matches one
DELETE FROM imp_stage s
 USING (SELECT min(fid) AS keep, coalesce(name, '') AS name, geom FROM imp_stage
         WHERE code IS NULL GROUP BY 2, 3 HAVING count(*) > 1) d
 WHERE s.code IS NULL AND coalesce(s.name, '') = d.name AND s.geom = d.geom AND s.fid <> d.keep
RETURNING s.fid, s.code, s.name, 'same name and geometry as feature ' || d.keep || ' of the file';

-- @same_id  the stored feature a feature without a code is (import_<target>.sql @codeless_match)
ALTER TABLE imp_stage ADD COLUMN same_id bigint;

-- @analyze  the planner knows nothing of a fresh temporary table
ANALYZE imp_stage;

-- @count
SELECT count(*) FROM imp_stage;

-- @table_rows  the planner's row estimate of the target ($1), to tell a bulk load
SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = $1::regclass;

-- @bulk_indexes  secondary indexes of the target ($1) that a bulk load rebuilds after merging
SELECT c.relname, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = $1::regclass AND NOT i.indisunique AND NOT i.indisprimary
 ORDER BY c.relname;

-- @village_codes  what @warn accepts as a village code, for a direct load to check on the client
SELECT code FROM jurisdictions WHERE level = 'village' ORDER BY code COLLATE "C";

-- @bulk_constraints  unique and foreign-key constraints of the target ($1) that a direct bulk
-- load adds again after the load: one sort and one join instead of a million index probes and
-- trigger events; adding them checks every row of the table, so the guarantee stays whole
SELECT conname, pg_get_constraintdef(oid)
  FROM pg_constraint
 WHERE conrelid = $1::regclass AND contype IN ('u', 'f')
 ORDER BY contype DESC, conname;
