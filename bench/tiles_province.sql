-- Province-like data for bench/tiles.sh when `pingan demo --scale province` is not available:
-- every jurisdiction of the real 2023 code list (11 cities, 100 counties, ~1,770 townships,
-- ~22,000 villages) gets a generated boundary (nested Voronoi cells over a Jiangxi-sized
-- area, densified to ~100 m vertex spacing), ~5 grids per village (~110,000), and generated
-- key places, hazards, cameras (50,000 each) and buildings (~300,000). Deterministic.
-- Triggers that only record history or notify are switched off during the load (no server
-- listens yet); the generalised copies are written by their triggers as usual.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
ALTER TABLE grids DISABLE TRIGGER grids_history;
ALTER TABLE grids DISABLE TRIGGER tile_notify;
ALTER TABLE jurisdictions DISABLE TRIGGER tile_notify_update;
ALTER TABLE tile_gen_jurisdictions DISABLE TRIGGER tile_notify;
ALTER TABLE tile_gen_grids DISABLE TRIGGER tile_notify;
ALTER TABLE key_places DISABLE TRIGGER key_places_history;
ALTER TABLE key_places DISABLE TRIGGER tile_notify;
ALTER TABLE hazards DISABLE TRIGGER hazards_history;
ALTER TABLE hazards DISABLE TRIGGER tile_notify;
ALTER TABLE cameras DISABLE TRIGGER cameras_history;
ALTER TABLE cameras DISABLE TRIGGER tile_notify;
ALTER TABLE population_units DISABLE TRIGGER tile_notify;

-- Splits a parent's area among its children: Voronoi cells of seeds inside the parent,
-- clipped to it, densified.
CREATE OR REPLACE FUNCTION pg_temp.split(parent text, seed integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    pg geometry;
    n integer;
BEGIN
    SELECT geom INTO pg FROM jurisdictions WHERE code = parent;
    SELECT count(*) INTO n FROM jurisdictions WHERE parent_code = parent;
    IF pg IS NULL OR n = 0 THEN RETURN; END IF;
    WITH seeds AS (
        SELECT (ST_Dump(ST_GeneratePoints(pg, greatest(n, 2), seed))).geom AS p
    ), cells AS (
        SELECT row_number() OVER (ORDER BY ST_X(s.p), ST_Y(s.p)) AS rn,
               ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Intersection(pg,
                   (SELECT c.geom FROM (SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(p)))).geom FROM seeds) c
                    WHERE ST_Contains(c.geom, s.p) LIMIT 1))), 3)) AS g
        FROM seeds s
    ), kids AS (
        SELECT code, row_number() OVER (ORDER BY code) AS rn FROM jurisdictions WHERE parent_code = parent
    )
    UPDATE jurisdictions j SET geom = ST_Multi(ST_Segmentize(c.g, 0.001))
    FROM kids k JOIN cells c ON c.rn = k.rn
    WHERE j.code = k.code AND NOT ST_IsEmpty(c.g);
END $$;

-- The province: an irregular Jiangxi-sized outline.
UPDATE jurisdictions SET geom = ST_Multi(ST_Segmentize(ST_SetSRID(ST_GeomFromText(
    'POLYGON((113.6 25.0,114.3 24.5,115.4 24.6,116.2 25.3,116.6 26.2,117.2 26.6,118.1 27.2,118.5 28.3,'
    '118.2 29.3,117.3 29.9,116.2 30.0,115.2 29.8,114.3 29.4,113.9 28.6,114.1 27.6,113.7 26.8,113.6 25.0))'),
    4490), 0.001)) WHERE code = '360000000000';
SELECT pg_temp.split('360000000000', 1);
SELECT pg_temp.split(code, 2) FROM jurisdictions WHERE level = 'city';
SELECT pg_temp.split(code, 3) FROM jurisdictions WHERE level = 'county';
SELECT pg_temp.split(code, 4) FROM jurisdictions WHERE level = 'township';

-- Grids: five per village (Voronoi cells again), community grids in communities, base grids
-- in villages; every 20th village also gets a dedicated school grid.
INSERT INTO grids (code, name, kind, village_code, households, residents, geom)
SELECT v.code || lpad(c.rn::text, 3, '0'), v.name || '第' || c.rn || '网格',
       CASE WHEN v.kind = 'community' THEN 'community' ELSE 'base' END, v.code,
       (abs(hashtext(v.code || c.rn)) % 700) + 50, (abs(hashtext(v.code || c.rn)) % 2000) + 150, c.g
FROM jurisdictions v
CROSS JOIN LATERAL (
    SELECT row_number() OVER () AS rn,
           ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Intersection(v.geom, d.geom)), 3)) AS g
    FROM ST_Dump(ST_VoronoiPolygons(ST_GeneratePoints(v.geom, 5, 5))) d
) c
WHERE v.level = 'village' AND v.geom IS NOT NULL AND NOT ST_IsEmpty(c.g);

INSERT INTO grids (code, name, kind, unit_type, village_code, geom)
SELECT v.code || '900', v.name || '学校专属网格', 'dedicated', 'school', v.code,
       ST_Multi(ST_Buffer(ST_PointOnSurface(v.geom), 0.002, 8))
FROM jurisdictions v
WHERE v.level = 'village' AND v.geom IS NOT NULL AND abs(hashtext(v.code)) % 20 = 0;

-- Workers: most grids have one; a share only part-time; some none.
INSERT INTO grid_workers (name, employment, jurisdiction_code)
SELECT '网格员' || g.id, CASE WHEN g.id % 7 = 0 THEN 'part_time' ELSE 'full_time' END, g.village_code
FROM grids g WHERE g.id % 11 <> 0;
INSERT INTO grid_assignments (grid_id, worker_id)
SELECT g.id, w.id FROM grid_workers w JOIN grids g ON '网格员' || g.id = w.name;

-- Points: spread over villages.
CREATE TEMP TABLE pts AS
SELECT v.code AS village_code, row_number() OVER () AS n, (ST_Dump(ST_GeneratePoints(v.geom, 9, 6))).geom AS p
FROM jurisdictions v WHERE v.level = 'village' AND v.geom IS NOT NULL;
INSERT INTO key_places (name, category, village_code, has_video, has_alarm, geom)
SELECT '场所' || n, (ARRAY['school', 'kindergarten', 'hospital', 'market', 'station', 'park', 'elderly_care'])[1 + n % 7],
       village_code, n % 3 <> 0, n % 4 = 0, p FROM pts WHERE n % 9 < 2;
INSERT INTO hazards (name, category, risk_grade, status, overdue, escalation_level, village_code, geom)
SELECT '隐患' || n, (ARRAY['landslide', 'collapse', 'fire', 'flood', 'accident', 'dangerous_goods'])[1 + n % 6],
       (ARRAY['blue', 'yellow', 'yellow', 'orange', 'red'])[1 + n % 5], 'confirmed', n % 13 = 0, (n % 13 = 0)::int,
       village_code, p FROM pts WHERE n % 9 IN (2, 3);
INSERT INTO cameras (name, village_code, direction_deg, fov_deg, range_m, geom)
SELECT '摄像头' || n, village_code, n % 360, 90, 60, p FROM pts WHERE n % 9 IN (4, 5);
INSERT INTO population_units (name, kind, households, residents, floors, village_code, geom)
SELECT '楼' || n || '-' || k, 'building', 6 + k, 18 + 3 * k, 1 + k % 6, village_code,
       ST_Expand(ST_Translate(p, (k % 4) * 0.0004, (k / 4) * 0.0004), 0.00008)
FROM pts CROSS JOIN generate_series(0, 15) k WHERE n % 9 IN (6, 7);

ALTER TABLE grids ENABLE TRIGGER grids_history;
ALTER TABLE grids ENABLE TRIGGER tile_notify;
ALTER TABLE jurisdictions ENABLE TRIGGER tile_notify_update;
ALTER TABLE tile_gen_jurisdictions ENABLE TRIGGER tile_notify;
ALTER TABLE tile_gen_grids ENABLE TRIGGER tile_notify;
ALTER TABLE key_places ENABLE TRIGGER key_places_history;
ALTER TABLE key_places ENABLE TRIGGER tile_notify;
ALTER TABLE hazards ENABLE TRIGGER hazards_history;
ALTER TABLE hazards ENABLE TRIGGER tile_notify;
ALTER TABLE cameras ENABLE TRIGGER cameras_history;
ALTER TABLE cameras ENABLE TRIGGER tile_notify;
ALTER TABLE population_units ENABLE TRIGGER tile_notify;
VACUUM ANALYZE;
