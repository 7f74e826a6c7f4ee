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

-- @conflicts
SELECT s.code FROM imp_stage s JOIN hazards t ON t.code = s.code ORDER BY s.fid LIMIT 20;

-- @scope_delete
DELETE FROM hazards t
 WHERE t.village_code LIKE $1 || '%'
   AND NOT EXISTS (SELECT 1 FROM imp_stage s WHERE s.code = t.code);

-- @merge
WITH m AS (
    INSERT INTO hazards AS t (code, name, category, risk_grade, danger_level, scale, threatened_households, threatened_persons, village_code, geom)
    SELECT code, name, category, risk_grade, danger_level, scale, coalesce(threatened_households, 0), coalesce(threatened_persons, 0), village_code, geom
      FROM imp_stage
    ON CONFLICT (code) DO UPDATE
       SET name = EXCLUDED.name, category = EXCLUDED.category, risk_grade = EXCLUDED.risk_grade, danger_level = EXCLUDED.danger_level, scale = EXCLUDED.scale, threatened_households = EXCLUDED.threatened_households, threatened_persons = EXCLUDED.threatened_persons, village_code = EXCLUDED.village_code, geom = EXCLUDED.geom
     WHERE (t.name, t.category, t.risk_grade, t.danger_level, t.scale, t.threatened_households, t.threatened_persons, t.village_code, t.geom)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category, EXCLUDED.risk_grade, EXCLUDED.danger_level, EXCLUDED.scale, EXCLUDED.threatened_households, EXCLUDED.threatened_persons, EXCLUDED.village_code, EXCLUDED.geom)
    RETURNING (xmax = 0) AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM m;
