-- A province-like dataset for bench/coverage.sh when `pingan demo --scale province` is not
-- available: every one of the 22,080 reference villages gets a hexagonal boundary (~12 km²,
-- 42 vertices) tiling Jiangxi's extent, split into 5 community/base grids (Voronoi cells
-- clipped to the boundary), with faults planted in a few per cent of villages (a missing grid:
-- a gap; a swollen grid: overlaps), dedicated grids for most schools, key places, hazards,
-- cameras, workers and population units. Deterministic (fixed seeds).
SET client_min_messages = warning;
SELECT setseed(0.42);

CREATE TEMP TABLE cells AS
SELECT row_number() OVER (ORDER BY h.j DESC, h.i) AS rn, h.geom
FROM ST_HexagonGrid(0.021, ST_MakeEnvelope(113.6, 24.5, 118.5, 30.0, 4490)) h;

CREATE TEMP TABLE vil AS
SELECT v.code, v.kind, ST_Multi(ST_Segmentize(c.geom, 0.003)) AS geom, v.rn
FROM (SELECT code, kind, row_number() OVER (ORDER BY code) rn FROM jurisdictions WHERE level = 'village') v
JOIN cells c ON c.rn = v.rn;

UPDATE jurisdictions j SET geom = ST_SetSRID(v.geom, 4490) FROM vil v WHERE j.code = v.code;

-- 5 Voronoi cells per village, clipped to the boundary.
CREATE TEMP TABLE g0 AS
SELECT v.code AS village_code, v.kind, v.rn, row_number() OVER (PARTITION BY v.code ORDER BY ST_X(ST_Centroid(d.geom)), ST_Y(ST_Centroid(d.geom))) AS n,
       ST_Multi(ST_CollectionExtract(ST_Intersection(d.geom, v.geom), 3)) AS geom
FROM vil v
CROSS JOIN LATERAL ST_Dump(ST_VoronoiPolygons(ST_GeneratePoints(v.geom, 5, v.rn::int), 0, ST_Expand(v.geom, 0.01))) d;

INSERT INTO grids (code, name, kind, village_code, households, geom)
SELECT village_code || lpad(n::text, 3, '0'), '网格' || n,
       CASE WHEN kind = 'community' THEN 'community' ELSE 'base' END, village_code, 0,
       CASE WHEN rn % 37 = 5 AND n = 2 THEN ST_Multi(ST_Buffer(geom, 0.0005)) ELSE geom END
FROM g0
WHERE NOT (rn % 29 = 3 AND n = 1) AND NOT ST_IsEmpty(geom);

-- Key places: a school at each village's centre (with a dedicated grid in 9 of 10 villages),
-- a market in every fourth village, a hospital in every tenth.
INSERT INTO key_places (name, category, village_code, has_video, has_alarm, geom)
SELECT '学校' || v.rn, 'school', v.code, v.rn % 11 <> 0, v.rn % 13 <> 0, ST_Centroid(v.geom) FROM vil v;
INSERT INTO key_places (name, category, village_code, has_video, has_alarm, geom)
SELECT '市场' || v.rn, 'market', v.code, true, true, ST_Translate(ST_Centroid(v.geom), 0.004, 0.002) FROM vil v WHERE v.rn % 4 = 0;
INSERT INTO key_places (name, category, village_code, has_video, has_alarm, geom)
SELECT '医院' || v.rn, 'hospital', v.code, true, true, ST_Translate(ST_Centroid(v.geom), -0.004, -0.002) FROM vil v WHERE v.rn % 10 = 0;

INSERT INTO grids (code, name, kind, village_code, unit_type, geom)
SELECT v.code || '901', '学校专属网格', 'dedicated', v.code, 'school', ST_Multi(ST_Expand(ST_Centroid(v.geom), 0.001))
FROM vil v WHERE v.rn % 10 <> 0;

-- Cameras: one looking at the school (north-east of it, facing south-west), one elsewhere.
INSERT INTO cameras (name, village_code, direction_deg, fov_deg, range_m, geom)
SELECT '摄像头' || v.rn, v.code, 225, 90, 150, ST_Translate(ST_Centroid(v.geom), 0.0005, 0.0005) FROM vil v WHERE v.rn % 7 <> 0;
INSERT INTO cameras (name, village_code, direction_deg, fov_deg, range_m, geom)
SELECT '摄像头b' || v.rn, v.code, 0, 360, 80, ST_Translate(ST_Centroid(v.geom), 0.004, 0.0025) FROM vil v WHERE v.rn % 2 = 0;

-- Hazards: three per village, one in twenty major with a deadline, some rectified.
INSERT INTO hazards (name, category, risk_grade, accident_grade, status, found_on, deadline, village_code, geom)
SELECT '隐患' || v.rn || '-' || k, CASE k WHEN 1 THEN 'landslide' WHEN 2 THEN 'fire' ELSE 'accident' END,
       CASE WHEN (v.rn + k) % 20 = 0 THEN 'red' ELSE 'yellow' END,
       CASE WHEN (v.rn + k) % 20 = 0 THEN 'major' ELSE 'general' END,
       CASE WHEN (v.rn + k) % 3 = 0 THEN 'rectified' ELSE 'confirmed' END,
       current_date - 60, CASE WHEN (v.rn + k) % 20 = 0 THEN current_date - 10 + (v.rn % 20)::int END,
       v.code, ST_Translate(ST_Centroid(v.geom), 0.006 * cos(k * 2.1), 0.006 * sin(k * 2.1))
FROM vil v CROSS JOIN generate_series(1, 3) k;

-- Population units: ten buildings per village.
INSERT INTO population_units (kind, households, residents, village_code, geom)
SELECT 'building', 20 + (v.rn + k) % 60, 3 * (20 + (v.rn + k) % 60), v.code,
       ST_Translate(ST_Centroid(v.geom), 0.008 * cos(k * 0.63), 0.008 * sin(k * 0.63))
FROM vil v CROSS JOIN generate_series(1, 10) k;

-- Workers: one per grid (full-time on community grids), none in one grid of twenty.
INSERT INTO grid_workers (name, employment, jurisdiction_code)
SELECT '网格员' || g.id, CASE WHEN g.kind = 'community' THEN 'full_time' ELSE 'part_time' END, g.village_code
FROM grids g WHERE g.id % 20 <> 7 ORDER BY g.id;
INSERT INTO grid_assignments (grid_id, worker_id)
SELECT g.id, w.id FROM grids g JOIN grid_workers w ON w.name = '网格员' || g.id;

ANALYZE;
