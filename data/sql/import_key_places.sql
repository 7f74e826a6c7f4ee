-- Importing key_places, upserted by code; an unknown village/community code is dropped with a
-- warning rather than failing the whole file.

-- @stage
CREATE TEMP TABLE imp_stage (
    fid          bigint NOT NULL,
    code         text,
    name         text,
    category     text,
    security_staff integer,
    has_video    boolean,
    has_alarm    boolean,
    has_emergency_plan boolean,
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
-- merge, in a statement of its own, so that no scan of key_places sees rows being inserted
UPDATE imp_stage s SET same_id = t.id
  FROM key_places t
 WHERE s.code IS NULL AND t.code IS NULL AND t.geom ~= s.geom AND t.geom = s.geom
   AND coalesce(t.name, '') = coalesce(s.name, '');

-- @codeless_update  those of them whose other values changed
UPDATE key_places t SET category = s.category, security_staff = coalesce(s.security_staff, 0), has_video = coalesce(s.has_video, false), has_alarm = coalesce(s.has_alarm, false), has_emergency_plan = coalesce(s.has_emergency_plan, false), village_code = s.village_code
  FROM imp_stage s
 WHERE t.id = s.same_id
   AND (t.category, t.security_staff, t.has_video, t.has_alarm, t.has_emergency_plan, t.village_code)
       IS DISTINCT FROM (s.category, coalesce(s.security_staff, 0), coalesce(s.has_video, false), coalesce(s.has_alarm, false), coalesce(s.has_emergency_plan, false), s.village_code);

-- @conflicts  by code, or without a code by the same name and geometry
(SELECT s.code FROM imp_stage s JOIN key_places t ON t.code = s.code ORDER BY s.fid LIMIT 20)
UNION ALL
(SELECT 'feature ' || s.fid FROM imp_stage s WHERE s.same_id IS NOT NULL ORDER BY s.fid LIMIT 20);

-- @scope_delete
DELETE FROM key_places t
 WHERE t.village_code LIKE $1 || '%'
   AND NOT EXISTS (SELECT 1 FROM imp_stage s WHERE s.code = t.code)
   AND NOT EXISTS (SELECT 1 FROM imp_stage s WHERE s.same_id = t.id);

-- @merge  by code; features without a code that match a stored one were dealt with above
WITH m AS (
    INSERT INTO key_places AS t (code, name, category, security_staff, has_video, has_alarm, has_emergency_plan, village_code, geom)
    SELECT code, name, category, coalesce(security_staff, 0), coalesce(has_video, false), coalesce(has_alarm, false), coalesce(has_emergency_plan, false), village_code, geom
      FROM imp_stage WHERE same_id IS NULL
    ON CONFLICT (code) DO UPDATE
       SET name = EXCLUDED.name, category = EXCLUDED.category, security_staff = EXCLUDED.security_staff, has_video = EXCLUDED.has_video, has_alarm = EXCLUDED.has_alarm, has_emergency_plan = EXCLUDED.has_emergency_plan, village_code = EXCLUDED.village_code, geom = EXCLUDED.geom
     WHERE (t.name, t.category, t.security_staff, t.has_video, t.has_alarm, t.has_emergency_plan, t.village_code, t.geom)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category, EXCLUDED.security_staff, EXCLUDED.has_video, EXCLUDED.has_alarm, EXCLUDED.has_emergency_plan, EXCLUDED.village_code, EXCLUDED.geom)
    RETURNING (xmax = 0) AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM m;
