-- Checks every import runs on its staging table (imp_stage: fid, code, name, …, geom),
-- whatever the target. Sections are picked by name (-- @name) by importers/sqlfile.c.

-- @dedupe  later features that repeat a code already seen in the file are dropped
DELETE FROM imp_stage s
 USING (SELECT fid, row_number() OVER (PARTITION BY code ORDER BY fid) AS n
          FROM imp_stage WHERE code IS NOT NULL) d
 WHERE s.fid = d.fid AND d.n > 1
RETURNING s.fid, s.code, s.name, 'duplicate code: an earlier feature of the file has it';

-- @count
SELECT count(*) FROM imp_stage;
