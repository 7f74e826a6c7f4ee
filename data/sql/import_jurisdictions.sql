-- Importing administrative boundaries: the reference division codes are authoritative, so an
-- import only sets the geometry of codes that already exist (matched by code, else by a name
-- that is unique in Jiangxi) and never adds or renames a jurisdiction.

-- @stage
CREATE TEMP TABLE imp_stage (
    fid  bigint NOT NULL,
    code text,
    name text,
    geom geometry(MultiPolygon, 4490)
) ON COMMIT DROP;

-- @resolve  features without a known code take the code of the one jurisdiction of their name
WITH m AS (
    SELECT s.fid, s.code AS old, j.code
      FROM imp_stage s
      JOIN (SELECT name, min(code) AS code FROM jurisdictions
             WHERE code LIKE '36%' GROUP BY name HAVING count(*) = 1) j ON j.name = s.name
     WHERE s.code IS NULL OR NOT EXISTS (SELECT 1 FROM jurisdictions x WHERE x.code = s.code))
UPDATE imp_stage s SET code = m.code FROM m WHERE s.fid = m.fid
RETURNING s.fid, s.code, s.name,
          CASE WHEN m.old IS NULL THEN 'matched by name'
               ELSE 'code ' || m.old || ' not in the reference division codes; matched by name to '
                    || m.code END;

-- @reject
DELETE FROM imp_stage s
 WHERE NOT EXISTS (SELECT 1 FROM jurisdictions j WHERE j.code = s.code)
RETURNING s.fid, s.code, s.name,
          CASE WHEN s.code IS NULL
               THEN 'no jurisdiction of this name in the reference division codes (or several)'
               ELSE 'code not in the reference division codes' END;

-- @warn
SELECT s.fid, s.code, s.name, 'name differs from the reference division codes: ' || j.name
  FROM imp_stage s JOIN jurisdictions j ON j.code = s.code
 WHERE s.name IS NOT NULL AND s.name <> j.name
 ORDER BY s.fid;

-- @codeless_match  every feature has a code here
SELECT 1 WHERE false;

-- @codeless_update
SELECT 1 WHERE false;

-- @conflicts  boundaries always update existing codes: nothing conflicts
SELECT NULL::text WHERE false;

-- @scope_delete  boundaries are never deleted by an import
SELECT $1::text WHERE false;

-- @merge
WITH m AS (
    UPDATE jurisdictions j
       SET geom = s.geom, label_point = ST_PointOnSurface(s.geom), updated_at = now()
      FROM imp_stage s
     WHERE j.code = s.code AND j.geom IS DISTINCT FROM s.geom
    RETURNING false AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM m;
