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

-- @codeless_match  a feature without a code is the stored feature without a code that has
-- the same name and geometry (what importing the same file again gives); run before the
-- merge, in a statement of its own, so that no scan of population_units sees rows being inserted
UPDATE imp_stage s SET same_id = t.id
  FROM population_units t
 WHERE s.code IS NULL AND t.code IS NULL AND t.geom ~= s.geom AND t.geom = s.geom
   AND coalesce(t.name, '') = coalesce(s.name, '');

-- @codeless_update  those of them whose other values changed
UPDATE population_units t SET kind = coalesce(s.kind, 'building'), households = coalesce(s.households, 0), residents = coalesce(s.residents, 0), floors = s.floors, village_code = s.village_code
  FROM imp_stage s
 WHERE t.id = s.same_id
   AND (t.kind, t.households, t.residents, t.floors, t.village_code)
       IS DISTINCT FROM (coalesce(s.kind, 'building'), coalesce(s.households, 0), coalesce(s.residents, 0), s.floors, s.village_code);

-- @conflicts  by code, or without a code by the same name and geometry
(SELECT s.code FROM imp_stage s JOIN population_units t ON t.code = s.code ORDER BY s.fid LIMIT 20)
UNION ALL
(SELECT 'feature ' || s.fid FROM imp_stage s WHERE s.same_id IS NOT NULL ORDER BY s.fid LIMIT 20);

-- @scope_delete
DELETE FROM population_units t
 WHERE t.village_code LIKE $1 || '%'
   AND NOT EXISTS (SELECT 1 FROM imp_stage s WHERE s.code = t.code)
   AND NOT EXISTS (SELECT 1 FROM imp_stage s WHERE s.same_id = t.id);

-- @merge  by code; features without a code that match a stored one were dealt with above
WITH m AS (
    INSERT INTO population_units AS t (code, name, kind, households, residents, floors, village_code, geom)
    SELECT code, name, coalesce(kind, 'building'), coalesce(households, 0), coalesce(residents, 0), floors, village_code, geom
      FROM imp_stage WHERE same_id IS NULL
    ON CONFLICT (code) DO UPDATE
       SET name = EXCLUDED.name, kind = EXCLUDED.kind, households = EXCLUDED.households, residents = EXCLUDED.residents, floors = EXCLUDED.floors, village_code = EXCLUDED.village_code, geom = EXCLUDED.geom
     WHERE (t.name, t.kind, t.households, t.residents, t.floors, t.village_code, t.geom)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.households, EXCLUDED.residents, EXCLUDED.floors, EXCLUDED.village_code, EXCLUDED.geom)
    RETURNING (xmax = 0) AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM m;

-- @direct  a file that needs none of the checks above (every feature has a code that neither the
-- table nor an earlier feature has, and a village code, if any, of a village) is copied straight
-- into the table; values the merge would coalesce arrive as their defaults (importers/run.c)
COPY population_units (code, name, kind, households, residents, floors, village_code, geom) FROM STDIN

-- @quiet  the statement triggers of an insert that read its transition table: a direct bulk
-- load drops them after its first rows and creates them again at the end (inside its
-- transaction), doing their work once from the extents the importer gathered (@changed,
-- migration 016). Dropped rather than disabled: a disabled trigger still has every row copied
-- into a transition table, a fifth of the COPY's time.
SELECT tgname, pg_get_triggerdef(oid)
  FROM pg_trigger
 WHERE tgrelid = 'population_units'::regclass
   AND tgname IN ('tile_notify', 'population_units_ana_insert', 'population_units_events_ins')
 ORDER BY tgname;

-- @changed  $1: west, south, east, north of each cell's loaded features; $2: rows loaded
SELECT units_bulk_inserted($1::double precision[], $2::bigint)
