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

-- @conflicts
SELECT s.code FROM imp_stage s JOIN population_units t ON t.code = s.code ORDER BY s.fid LIMIT 20;

-- @scope_delete
DELETE FROM population_units t
 WHERE t.village_code LIKE $1 || '%'
   AND NOT EXISTS (SELECT 1 FROM imp_stage s WHERE s.code = t.code);

-- @merge
WITH m AS (
    INSERT INTO population_units AS t (code, name, kind, households, residents, floors, village_code, geom)
    SELECT code, name, coalesce(kind, 'building'), coalesce(households, 0), coalesce(residents, 0), floors, village_code, geom
      FROM imp_stage
    ON CONFLICT (code) DO UPDATE
       SET name = EXCLUDED.name, kind = EXCLUDED.kind, households = EXCLUDED.households, residents = EXCLUDED.residents, floors = EXCLUDED.floors, village_code = EXCLUDED.village_code, geom = EXCLUDED.geom
     WHERE (t.name, t.kind, t.households, t.residents, t.floors, t.village_code, t.geom)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.households, EXCLUDED.residents, EXCLUDED.floors, EXCLUDED.village_code, EXCLUDED.geom)
    RETURNING (xmax = 0) AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM m;
