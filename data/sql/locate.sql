-- Who is responsible at a point (12345 hotline): the jurisdiction chain province→village,
-- every grid covering the point (community, base and dedicated) and the workers of each.
-- $1 x, $2 y in SRID $3; $4 the code prefix under which phone numbers may be shown (NULL:
-- nowhere). One statement; the point tests use the GiST indexes on grids and jurisdictions.
WITH pt AS (
    SELECT CASE WHEN $3::int IN (4326, 4490)
                THEN ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4490)
                ELSE ST_Transform(ST_SetSRID(ST_MakePoint($1::float8, $2::float8), $3::int), 4490)
           END AS g
),
covering AS (
    SELECT g.id, g.code, g.name, g.kind, g.unit_type, g.village_code
    FROM grids g, pt
    WHERE ST_Intersects(g.geom, pt.g)
),
-- the deepest jurisdiction known at the point: a boundary that covers it, or the village of
-- a grid that does (reference codes often come without boundaries)
deepest AS (
    SELECT code FROM (
        (SELECT j.code FROM jurisdictions j, pt
         WHERE j.geom IS NOT NULL AND ST_Intersects(j.geom, pt.g)
         ORDER BY length(jurisdiction_prefix(j.code)) DESC LIMIT 1)
        UNION ALL
        (SELECT village_code FROM covering ORDER BY kind = 'dedicated', code LIMIT 1)
    ) c
    ORDER BY length(jurisdiction_prefix(code)) DESC, code
    LIMIT 1
),
chain AS (
    SELECT j.code, j.name, j.level, j.kind
    FROM jurisdictions j, deepest d
    WHERE j.code IN (left(d.code, 2) || '0000000000', left(d.code, 4) || '00000000',
                     left(d.code, 6) || '000000', left(d.code, 9) || '000', d.code)
)
SELECT json_build_object(
    'point', (SELECT json_build_object('lon', round(ST_X(g)::numeric, 7),
                                       'lat', round(ST_Y(g)::numeric, 7)) FROM pt),
    'jurisdictions', coalesce((
        SELECT json_agg(json_build_object('code', code, 'name', name, 'level', level, 'kind', kind)
                        ORDER BY length(jurisdiction_prefix(code)))
        FROM chain), '[]'::json),
    'grids', coalesce((
        SELECT json_agg(json_build_object(
                   'id', c.id, 'code', c.code, 'name', c.name, 'kind', c.kind,
                   'unit_type', c.unit_type, 'village_code', c.village_code,
                   'workers', coalesce((
                       SELECT json_agg(json_build_object(
                                  'id', w.id, 'name', w.name, 'employment', w.employment,
                                  'duty', w.duty, 'role', a.role,
                                  'phone', CASE WHEN starts_with(w.jurisdiction_code, $4::text)
                                                THEN w.phone END)
                              ORDER BY a.role = 'assistant', w.id)
                       FROM grid_assignments a JOIN grid_workers w ON w.id = a.worker_id
                       WHERE a.grid_id = c.id AND w.active), '[]'::json))
               ORDER BY c.kind = 'dedicated', c.code)
        FROM covering c), '[]'::json)
)::text
