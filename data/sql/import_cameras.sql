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

-- @codeless_match  a feature without a code is the stored feature without a code that has
-- the same name and geometry (what importing the same file again gives); run before the
-- merge, in a statement of its own, so that no scan of cameras sees rows being inserted
UPDATE imp_stage s SET same_id = t.id
  FROM cameras t
 WHERE s.code IS NULL AND t.code IS NULL AND t.geom ~= s.geom AND t.geom = s.geom
   AND coalesce(t.name, '') = coalesce(s.name, '');

-- @codeless_update  those of them whose other values changed
UPDATE cameras t SET direction_deg = coalesce(s.direction_deg, 0), fov_deg = coalesce(s.fov_deg, 360), range_m = coalesce(s.range_m, 50), village_code = s.village_code
  FROM imp_stage s
 WHERE t.id = s.same_id
   AND (t.direction_deg, t.fov_deg, t.range_m, t.village_code)
       IS DISTINCT FROM (coalesce(s.direction_deg, 0), coalesce(s.fov_deg, 360), coalesce(s.range_m, 50), s.village_code);

-- @conflicts  by code, or without a code by the same name and geometry
(SELECT s.code FROM imp_stage s JOIN cameras t ON t.code = s.code ORDER BY s.fid LIMIT 20)
UNION ALL
(SELECT 'feature ' || s.fid FROM imp_stage s WHERE s.same_id IS NOT NULL ORDER BY s.fid LIMIT 20);

-- @scope_delete
DELETE FROM cameras t
 WHERE t.village_code LIKE $1 || '%'
   AND NOT EXISTS (SELECT 1 FROM imp_stage s WHERE s.code = t.code)
   AND NOT EXISTS (SELECT 1 FROM imp_stage s WHERE s.same_id = t.id);

-- @merge  by code; features without a code that match a stored one were dealt with above
WITH m AS (
    INSERT INTO cameras AS t (code, name, direction_deg, fov_deg, range_m, village_code, geom)
    SELECT code, name, coalesce(direction_deg, 0), coalesce(fov_deg, 360), coalesce(range_m, 50), village_code, geom
      FROM imp_stage WHERE same_id IS NULL
    ON CONFLICT (code) DO UPDATE
       SET name = EXCLUDED.name, direction_deg = EXCLUDED.direction_deg, fov_deg = EXCLUDED.fov_deg, range_m = EXCLUDED.range_m, village_code = EXCLUDED.village_code, geom = EXCLUDED.geom
     WHERE (t.name, t.direction_deg, t.fov_deg, t.range_m, t.village_code, t.geom)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.direction_deg, EXCLUDED.fov_deg, EXCLUDED.range_m, EXCLUDED.village_code, EXCLUDED.geom)
    RETURNING (xmax = 0) AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM m;
