-- Hand-built fixture for the coverage tests: squares drawn in metres in CGCS2000 3-degree
-- Gauss-Krüger CM 114E (EPSG:4547) right on the central meridian (scale factor 1, so the
-- ellipsoidal areas equal the drawn ones to well under 1 m²), stored in EPSG:4490.
-- Village 360502001001 (community): the square [0,1000]x[0,1000] m.
--   A community [0,500]x[0,1000] minus a 5x5 notch at the top-left corner (sliver gap 25 m²)
--   B community [480,1010]x[0,600]: overlaps A by 20x600 = 12000 m², 10x600 = 6000 m² outside
--   C community [500,1000]x[600,900]: leaves the gap [500,1000]x[900,1000] = 50000 m²
--   D dedicated school grid [100,200]x[100,200]
CREATE FUNCTION pg_temp.gk(x0 float8, y0 float8, x1 float8, y1 float8) RETURNS geometry
LANGUAGE sql AS $$ SELECT ST_Transform(ST_Segmentize(ST_MakeEnvelope(500000 + x0, 3100000 + y0, 500000 + x1, 3100000 + y1, 4547), 10), 4490) $$;
CREATE FUNCTION pg_temp.pt(x float8, y float8) RETURNS geometry
LANGUAGE sql AS $$ SELECT ST_Transform(ST_SetSRID(ST_MakePoint(500000 + x, 3100000 + y), 4547), 4490) $$;

UPDATE jurisdictions SET geom = ST_Multi(pg_temp.gk(0, 0, 1000, 1000)) WHERE code = '360502001001';

INSERT INTO grids (id, code, name, kind, village_code, unit_type, households, geom) VALUES
 (1, '360502001001001', 'A', 'community', '360502001001', NULL, 0,
  ST_Multi(ST_Difference(pg_temp.gk(0, 0, 500, 1000), pg_temp.gk(-1, 995, 5, 1001)))),
 (2, '360502001001002', 'B', 'community', '360502001001', NULL, 0, ST_Multi(pg_temp.gk(480, 0, 1010, 600))),
 (3, '360502001001003', 'C', 'community', '360502001001', NULL, 0, ST_Multi(pg_temp.gk(500, 600, 1000, 900))),
 (4, '360502001001004', 'D', 'dedicated', '360502001001', 'school', 0, ST_Multi(pg_temp.gk(100, 100, 200, 200)));
SELECT setval('grids_id_seq', 100);

-- Households: A 600 (over 500: split into 2), B 400, C 100 (under 300: merge).
INSERT INTO population_units (kind, households, village_code, geom) VALUES
 ('building', 350, '360502001001', pg_temp.pt(250, 300)),
 ('building', 250, '360502001001', pg_temp.pt(250, 800)),
 ('building', 400, '360502001001', pg_temp.pt(800, 300)),
 ('building', 100, '360502001001', pg_temp.pt(800, 700));

-- Workers: W1 full-time on A; W2 part-time on B; W3 part-time on A, B, D and E (4 grids > 3).
INSERT INTO grid_workers (id, name, employment, jurisdiction_code) VALUES
 (1, 'W1', 'full_time', '360502001001'),
 (2, 'W2', 'part_time', '360502001001'),
 (3, 'W3', 'part_time', '360502001001');
SELECT setval('grid_workers_id_seq', 100);
INSERT INTO grid_assignments (grid_id, worker_id) VALUES (1, 1), (2, 2), (1, 3), (2, 3), (4, 3);

-- Key places.
INSERT INTO key_places (id, name, category, village_code, has_video, has_alarm, geom) VALUES
 -- inside the dedicated grid, video and alarm, seen by camera 1: nothing to report
 (1, 'S1 good school', 'school', '360502001001', true, true, pg_temp.pt(150, 150)),
 -- in grid A, no dedicated grid, no video; 200 m ahead of camera 2 (range 100): unseen
 (2, 'S2 school', 'school', '360502001001', false, true, pg_temp.pt(300, 700)),
 -- in the gap: outside any grid; a market needs a dedicated grid; no camera
 (3, 'M1 market', 'market', '360502001001', false, false, pg_temp.pt(750, 950)),
 -- 103 m north of camera 2 (range 100 m): just missed; no dedicated grid
 (4, 'H1 hospital', 'hospital', '360502001001', false, false, pg_temp.pt(300, 603)),
 -- 95 m north of camera 2: seen; no dedicated grid
 (5, 'H2 hospital', 'hospital', '360502001001', false, false, pg_temp.pt(300, 595)),
 -- 50 m from camera 2 at bearing 35 degrees, outside its 60 degree field of view
 (6, 'H3 hospital', 'hospital', '360502001001', false, false, pg_temp.pt(300 + 50 * sin(radians(35)), 500 + 50 * cos(radians(35)))),
 -- a park needs neither dedicated grid nor camera
 (7, 'P1 park', 'park', '360502001001', false, false, pg_temp.pt(400, 400));
SELECT setval('key_places_id_seq', 100);

INSERT INTO cameras (id, name, village_code, direction_deg, fov_deg, range_m, geom) VALUES
 (1, 'cam1', '360502001001', 0, 360, 30, pg_temp.pt(150, 160)),
 (2, 'cam2', '360502001001', 0, 60, 100, pg_temp.pt(300, 500));
SELECT setval('cameras_id_seq', 100);

-- Hazards: major past deadline in the gap; open one in grid C (no worker); one rectified.
INSERT INTO hazards (id, name, category, risk_grade, accident_grade, status, found_on, deadline, village_code, geom) VALUES
 (1, 'Z1 major overdue', 'accident', 'red', 'major', 'rectifying', current_date - 30, current_date - 1, '360502001001', pg_temp.pt(700, 960)),
 (2, 'Z2 in C', 'fire', 'yellow', 'general', 'confirmed', current_date - 3, NULL, '360502001001', pg_temp.pt(700, 700)),
 (3, 'Z3 rectified', 'accident', 'orange', 'general', 'rectified', current_date - 10, current_date + 5, '360502001001', pg_temp.pt(100, 900));
SELECT setval('hazards_id_seq', 100);
