-- Province-like data for bench/tiles.sh when `pingan demo --scale province` is not available:
-- every jurisdiction of the real 2023 code list (11 cities, 100 counties, ~1,770 townships,
-- ~22,000 villages) gets a generated boundary (nested Voronoi cells over a Jiangxi-sized
-- area, densified to ~100 m vertex spacing), ~5 grids per village (~110,000), and generated
-- key places, hazards, cameras (~44,000 each) and buildings (~700,000). Deterministic.
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

-- Splits every parent of a level among its children: seeds inside each parent, one Voronoi
-- diagram of all seeds of the level (one GEOS call), each cell clipped to its seed's parent
-- and densified.
CREATE OR REPLACE FUNCTION pg_temp.split_level(child_level text, seed integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMP TABLE seeds ON COMMIT DROP AS
    WITH kids AS (
        SELECT c.code, c.parent_code, row_number() OVER (PARTITION BY c.parent_code ORDER BY c.code) AS rn,
               count(*) OVER (PARTITION BY c.parent_code) AS n
        FROM jurisdictions c JOIN jurisdictions p ON p.code = c.parent_code AND p.geom IS NOT NULL
        WHERE c.level = child_level
    ), pts AS (
        SELECT p.code AS parent_code, row_number() OVER (PARTITION BY p.code) AS rn, d.geom AS p
        FROM jurisdictions p
        CROSS JOIN LATERAL (SELECT count(*) AS n FROM kids WHERE kids.parent_code = p.code) k
        CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(p.geom, greatest(k.n, 2)::int, seed)) d
        WHERE k.n > 0
    )
    SELECT k.code, k.parent_code, pts.p FROM kids k JOIN pts USING (parent_code, rn);
    CREATE INDEX ON seeds USING gist (p);
    CREATE TEMP TABLE cells ON COMMIT DROP AS
    SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(p)))).geom AS g FROM seeds;
    UPDATE jurisdictions j
    SET geom = ST_Multi(ST_Segmentize(ST_CollectionExtract(ST_MakeValid(ST_Intersection(par.geom, c.g)), 3), 0.001))
    FROM seeds s
    JOIN cells c ON ST_Contains(c.g, s.p)
    JOIN jurisdictions par ON par.code = s.parent_code
    WHERE j.code = s.code;
    DROP TABLE seeds;
    DROP TABLE cells;
END $$;

-- The province: an irregular Jiangxi-sized outline.
UPDATE jurisdictions SET geom = ST_Multi(ST_Segmentize(ST_SetSRID(ST_GeomFromText(
    'POLYGON((113.6 25.0,114.3 24.5,115.4 24.6,116.2 25.3,116.6 26.2,117.2 26.6,118.1 27.2,118.5 28.3,'
    '118.2 29.3,117.3 29.9,116.2 30.0,115.2 29.8,114.3 29.4,113.9 28.6,114.1 27.6,113.7 26.8,113.6 25.0))'),
    4490), 0.001)) WHERE code = '360000000000';
BEGIN;
SELECT pg_temp.split_level('city', 1);
COMMIT;
BEGIN;
SELECT pg_temp.split_level('county', 2);
COMMIT;
BEGIN;
SELECT pg_temp.split_level('township', 3);
COMMIT;
BEGIN;
SELECT pg_temp.split_level('village', 4);
COMMIT;

-- Grids: five per village (one Voronoi diagram of all grid seeds, cells clipped to their
-- village), community grids in communities, base grids in villages; every 20th village also
-- gets a dedicated school grid.
CREATE TEMP TABLE grid_seeds AS
SELECT v.code AS village_code, v.kind, v.name, row_number() OVER (PARTITION BY v.code) AS rn, d.geom AS p
FROM jurisdictions v CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(v.geom, 5, 5)) d
WHERE v.level = 'village' AND v.geom IS NOT NULL;
CREATE INDEX ON grid_seeds USING gist (p);
CREATE TEMP TABLE grid_cells AS SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(p)))).geom AS g FROM grid_seeds;
INSERT INTO grids (code, name, kind, village_code, households, residents, geom)
SELECT s.village_code || lpad(s.rn::text, 3, '0'), s.name || '第' || s.rn || '网格',
       CASE WHEN s.kind = 'community' THEN 'community' ELSE 'base' END, s.village_code,
       (abs(hashtext(s.village_code || s.rn)) % 700) + 50, (abs(hashtext(s.village_code || s.rn)) % 2000) + 150, x.g
FROM grid_seeds s
JOIN grid_cells c ON ST_Contains(c.g, s.p)
JOIN jurisdictions v ON v.code = s.village_code
CROSS JOIN LATERAL (SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Intersection(v.geom, c.g)), 3)) AS g) x
WHERE NOT ST_IsEmpty(x.g);

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
