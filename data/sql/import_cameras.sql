-- Importing cameras, upserted by code; an unknown village/community code is dropped with a
-- warning rather than failing the whole file.

-- @stage
CREATE TEMP TABLE imp_stage (
    fid          bigint NOT NULL,
    code         text,
    name         text,
    direction_deg double precision,
    fov_deg      double precision,
    range_m      double precision,
    village_code text,
    geom         geometry(Point, 4490)
) ON COMMIT DROP;

-- @resolve
SELECT NULL::bigint, NULL::text, NULL::text, NULL::text WHERE false;

-- @reject
DELETE FROM imp_stage WHERE false RETURNING fid, code, name, NULL::text;

-- @warn
UPDATE imp_stage s SET village_code = NULL
 WHERE s.village_code IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM jurisdictions j WHERE j.code = s.village_code AND j.level = 'village')
RETURNING s.fid, s.code, s.name, 'village/community code not in the reference division codes, left empty';

-- @conflicts  by code, or for a feature without one by the same name and geometry
SELECT coalesce(s.code, 'feature ' || s.fid) FROM imp_stage s JOIN cameras t ON t.code = s.code
 UNION ALL
SELECT 'feature ' || s.fid FROM imp_stage s JOIN cameras t
    ON s.code IS NULL AND t.code IS NULL AND t.geom ~= s.geom AND t.geom = s.geom
       AND coalesce(t.name, '') = coalesce(s.name, '')
 LIMIT 20;

-- @scope_delete
DELETE FROM cameras t
 WHERE t.village_code LIKE $1 || '%'
   AND NOT EXISTS (SELECT 1 FROM imp_stage s WHERE s.code = t.code)
   AND NOT EXISTS (SELECT 1 FROM imp_stage s WHERE s.code IS NULL AND t.code IS NULL AND t.geom ~= s.geom AND t.geom = s.geom
       AND coalesce(t.name, '') = coalesce(s.name, ''));

-- @merge  a feature with a code is upserted by its code; one without is the same feature as a
-- stored one without a code that has the same name and geometry (what re-importing the same
-- file gives), which is updated in place; anything else is new
WITH u AS (
    UPDATE cameras t SET direction_deg = coalesce(s.direction_deg, 0), fov_deg = coalesce(s.fov_deg, 360), range_m = coalesce(s.range_m, 50), village_code = s.village_code
      FROM imp_stage s
     WHERE s.code IS NULL AND t.code IS NULL AND t.geom ~= s.geom AND t.geom = s.geom
       AND coalesce(t.name, '') = coalesce(s.name, '')
       AND (t.direction_deg, t.fov_deg, t.range_m, t.village_code)
           IS DISTINCT FROM (coalesce(s.direction_deg, 0), coalesce(s.fov_deg, 360), coalesce(s.range_m, 50), s.village_code)
    RETURNING 1),
m AS (
    INSERT INTO cameras AS t (code, name, direction_deg, fov_deg, range_m, village_code, geom)
    SELECT code, name, coalesce(direction_deg, 0), coalesce(fov_deg, 360), coalesce(range_m, 50), village_code, geom
      FROM (SELECT * FROM imp_stage WHERE code IS NOT NULL
            UNION ALL
            SELECT * FROM imp_stage s WHERE s.code IS NULL
               AND NOT EXISTS (SELECT 1 FROM cameras t WHERE t.code IS NULL AND t.geom ~= s.geom AND t.geom = s.geom
       AND coalesce(t.name, '') = coalesce(s.name, ''))) imp_stage
    ON CONFLICT (code) DO UPDATE
       SET name = EXCLUDED.name, direction_deg = EXCLUDED.direction_deg, fov_deg = EXCLUDED.fov_deg, range_m = EXCLUDED.range_m, village_code = EXCLUDED.village_code, geom = EXCLUDED.geom
     WHERE (t.name, t.direction_deg, t.fov_deg, t.range_m, t.village_code, t.geom)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.direction_deg, EXCLUDED.fov_deg, EXCLUDED.range_m, EXCLUDED.village_code, EXCLUDED.geom)
    RETURNING (xmax = 0) AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) + (SELECT count(*) FROM u)
  FROM m;
