-- Importing grids, upserted by their 15-digit code; a grid must belong to a known
-- village/community.

-- @stage
CREATE TEMP TABLE imp_stage (
    fid          bigint NOT NULL,
    code         text,
    name         text,
    kind         text,
    village_code text,
    unit_type    text,
    households   integer,
    residents    integer,
    geom         geometry(MultiPolygon, 4490)
) ON COMMIT DROP;

-- @resolve
UPDATE imp_stage SET village_code = left(code, 12) WHERE village_code IS NULL AND code IS NOT NULL;

-- @reject
DELETE FROM imp_stage s
 WHERE s.code IS NULL OR s.code !~ '^[1-9][0-9]{14}$' OR left(s.code, 12) <> s.village_code
    OR NOT EXISTS (SELECT 1 FROM jurisdictions j WHERE j.code = s.village_code AND j.level = 'village')
RETURNING s.fid, s.code, s.name,
          CASE WHEN s.code IS NULL OR s.code !~ '^[1-9][0-9]{14}$'
               THEN 'a grid needs a 15-digit code (village code + 3-digit serial)'
               WHEN left(s.code, 12) <> s.village_code THEN 'code does not start with its village code'
               ELSE 'village/community ' || s.village_code || ' not in the reference division codes' END;

-- @warn
SELECT NULL::bigint, NULL::text, NULL::text, NULL::text WHERE false;

-- @codeless_match  every feature has a code here
SELECT 1 WHERE false;

-- @codeless_update
SELECT 1 WHERE false;

-- @conflicts
SELECT s.code FROM imp_stage s JOIN grids t ON t.code = s.code ORDER BY s.fid LIMIT 20;

-- @scope_delete
DELETE FROM grids t
 WHERE t.village_code LIKE $1 || '%'
   AND NOT EXISTS (SELECT 1 FROM imp_stage s WHERE s.code = t.code);

-- @merge
WITH m AS (
    INSERT INTO grids AS t (code, name, kind, village_code, unit_type, households, residents, geom)
    SELECT code, name, kind, village_code, unit_type, coalesce(households, 0),
           coalesce(residents, 0), geom
      FROM imp_stage
    ON CONFLICT (code) DO UPDATE
       SET name = EXCLUDED.name, kind = EXCLUDED.kind, village_code = EXCLUDED.village_code,
           unit_type = EXCLUDED.unit_type, households = EXCLUDED.households,
           residents = EXCLUDED.residents, geom = EXCLUDED.geom
     WHERE (t.name, t.kind, t.village_code, t.unit_type, t.households, t.residents, t.geom)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.village_code,
                             EXCLUDED.unit_type, EXCLUDED.households, EXCLUDED.residents,
                             EXCLUDED.geom)
    RETURNING (xmax = 0) AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM m;
