-- Importing hazards, upserted by code; an unknown village/community code is dropped with a
-- warning rather than failing the whole file.

-- @stage
CREATE TEMP TABLE imp_stage (
    fid          bigint NOT NULL,
    code         text,
    name         text,
    category     text,
    risk_grade   text,
    danger_level text,
    scale        text,
    threatened_households integer,
    threatened_persons    integer,
    village_code text,
    geom         geometry(Geometry, 4490)
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
-- merge, in a statement of its own, so that no scan of hazards sees rows being inserted
UPDATE imp_stage s SET same_id = t.id
  FROM hazards t
 WHERE s.code IS NULL AND t.code IS NULL AND t.geom ~= s.geom AND t.geom = s.geom
   AND coalesce(t.name, '') = coalesce(s.name, '');

-- @codeless_update  those of them whose other values changed
UPDATE hazards t SET category = s.category, risk_grade = s.risk_grade, danger_level = s.danger_level, scale = s.scale, threatened_households = coalesce(s.threatened_households, 0), threatened_persons = coalesce(s.threatened_persons, 0), village_code = s.village_code
  FROM imp_stage s
 WHERE t.id = s.same_id
   AND (t.category, t.risk_grade, t.danger_level, t.scale, t.threatened_households, t.threatened_persons, t.village_code)
       IS DISTINCT FROM (s.category, s.risk_grade, s.danger_level, s.scale, coalesce(s.threatened_households, 0), coalesce(s.threatened_persons, 0), s.village_code);

-- @conflicts  by code, or without a code by the same name and geometry
(SELECT s.code FROM imp_stage s JOIN hazards t ON t.code = s.code ORDER BY s.fid LIMIT 20)
UNION ALL
(SELECT 'feature ' || s.fid FROM imp_stage s WHERE s.same_id IS NOT NULL ORDER BY s.fid LIMIT 20);

-- @scope_delete
DELETE FROM hazards t
 WHERE t.village_code LIKE $1 || '%'
   AND NOT EXISTS (SELECT 1 FROM imp_stage s WHERE s.code = t.code)
   AND NOT EXISTS (SELECT 1 FROM imp_stage s WHERE s.same_id = t.id);

-- @merge  by code; features without a code that match a stored one were dealt with above
WITH m AS (
    INSERT INTO hazards AS t (code, name, category, risk_grade, danger_level, scale, threatened_households, threatened_persons, village_code, geom)
    SELECT code, name, category, risk_grade, danger_level, scale, coalesce(threatened_households, 0), coalesce(threatened_persons, 0), village_code, geom
      FROM imp_stage WHERE same_id IS NULL
    ON CONFLICT (code) DO UPDATE
       SET name = EXCLUDED.name, category = EXCLUDED.category, risk_grade = EXCLUDED.risk_grade, danger_level = EXCLUDED.danger_level, scale = EXCLUDED.scale, threatened_households = EXCLUDED.threatened_households, threatened_persons = EXCLUDED.threatened_persons, village_code = EXCLUDED.village_code, geom = EXCLUDED.geom
     WHERE (t.name, t.category, t.risk_grade, t.danger_level, t.scale, t.threatened_households, t.threatened_persons, t.village_code, t.geom)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category, EXCLUDED.risk_grade, EXCLUDED.danger_level, EXCLUDED.scale, EXCLUDED.threatened_households, EXCLUDED.threatened_persons, EXCLUDED.village_code, EXCLUDED.geom)
    RETURNING (xmax = 0) AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM m;
