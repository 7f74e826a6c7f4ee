-- Importing population_units, upserted by code; an unknown village/community code is dropped with a
-- warning rather than failing the whole file.

-- @stage
CREATE TEMP TABLE imp_stage (
    fid          bigint NOT NULL,
    code         text,
    name         text,
    kind         text,
    households   integer,
    residents    integer,
    floors       smallint,
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

-- @conflicts  by code, or for a feature without one by the same name and geometry
SELECT coalesce(s.code, 'feature ' || s.fid) FROM imp_stage s JOIN population_units t ON t.code = s.code
 UNION ALL
SELECT 'feature ' || s.fid FROM imp_stage s JOIN population_units t
    ON s.code IS NULL AND t.code IS NULL AND t.geom ~= s.geom AND t.geom = s.geom
       AND coalesce(t.name, '') = coalesce(s.name, '')
 LIMIT 20;

-- @scope_delete
DELETE FROM population_units t
 WHERE t.village_code LIKE $1 || '%'
   AND NOT EXISTS (SELECT 1 FROM imp_stage s WHERE s.code = t.code)
   AND NOT EXISTS (SELECT 1 FROM imp_stage s WHERE s.code IS NULL AND t.code IS NULL AND t.geom ~= s.geom AND t.geom = s.geom
       AND coalesce(t.name, '') = coalesce(s.name, ''));

-- @merge  a feature with a code is upserted by its code; one without is the same feature as a
-- stored one without a code that has the same name and geometry (what re-importing the same
-- file gives), which is updated in place; anything else is new
WITH u AS (
    UPDATE population_units t SET kind = coalesce(s.kind, 'building'), households = coalesce(s.households, 0), residents = coalesce(s.residents, 0), floors = s.floors, village_code = s.village_code
      FROM imp_stage s
     WHERE s.code IS NULL AND t.code IS NULL AND t.geom ~= s.geom AND t.geom = s.geom
       AND coalesce(t.name, '') = coalesce(s.name, '')
       AND (t.kind, t.households, t.residents, t.floors, t.village_code)
           IS DISTINCT FROM (coalesce(s.kind, 'building'), coalesce(s.households, 0), coalesce(s.residents, 0), s.floors, s.village_code)
    RETURNING 1),
m AS (
    INSERT INTO population_units AS t (code, name, kind, households, residents, floors, village_code, geom)
    SELECT code, name, coalesce(kind, 'building'), coalesce(households, 0), coalesce(residents, 0), floors, village_code, geom
      FROM (SELECT * FROM imp_stage WHERE code IS NOT NULL
            UNION ALL
            SELECT * FROM imp_stage s WHERE s.code IS NULL
               AND NOT EXISTS (SELECT 1 FROM population_units t WHERE t.code IS NULL AND t.geom ~= s.geom AND t.geom = s.geom
       AND coalesce(t.name, '') = coalesce(s.name, ''))) imp_stage
    ON CONFLICT (code) DO UPDATE
       SET name = EXCLUDED.name, kind = EXCLUDED.kind, households = EXCLUDED.households, residents = EXCLUDED.residents, floors = EXCLUDED.floors, village_code = EXCLUDED.village_code, geom = EXCLUDED.geom
     WHERE (t.name, t.kind, t.households, t.residents, t.floors, t.village_code, t.geom)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.households, EXCLUDED.residents, EXCLUDED.floors, EXCLUDED.village_code, EXCLUDED.geom)
    RETURNING (xmax = 0) AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) + (SELECT count(*) FROM u)
  FROM m;
