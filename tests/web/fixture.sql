-- A small, fixed piece of 渝水区 for the browser tests: outlines for the city, the county, two
-- townships and three villages, grids with a known gap, buildings with households, a worker,
-- a school, a red hazard and a camera. Coordinates are chosen so that a test knows where each
-- thing is drawn; the demo generator is not needed.
BEGIN;
SET LOCAL pingan.actor = 'fixture';
UPDATE jurisdictions SET geom = ST_Multi(ST_MakeEnvelope(114.30, 27.50, 115.40, 28.20, 4490)) WHERE code = '360500000000';
UPDATE jurisdictions SET geom = ST_Multi(ST_MakeEnvelope(114.80, 27.70, 115.10, 28.00, 4490)) WHERE code = '360502000000';
UPDATE jurisdictions SET geom = ST_Multi(ST_MakeEnvelope(114.90, 27.79, 114.96, 27.83, 4490)) WHERE code = '360502001000';
UPDATE jurisdictions SET geom = ST_Multi(ST_MakeEnvelope(114.90, 27.83, 114.96, 27.87, 4490)) WHERE code = '360502002000';
UPDATE jurisdictions SET geom = ST_Multi(ST_MakeEnvelope(114.90, 27.80, 114.92, 27.82, 4490)) WHERE code = '360502001001';
UPDATE jurisdictions SET geom = ST_Multi(ST_MakeEnvelope(114.92, 27.80, 114.94, 27.82, 4490)) WHERE code = '360502001002';
UPDATE jurisdictions SET geom = ST_Multi(ST_MakeEnvelope(114.90, 27.84, 114.92, 27.86, 4490)) WHERE code IN (SELECT code FROM jurisdictions WHERE parent_code = '360502002000' ORDER BY code LIMIT 1);
UPDATE jurisdictions SET label_point = ST_PointOnSurface(geom) WHERE geom IS NOT NULL;

-- 百花湖社区: grid 001 the west half, grid 002 the south-east quarter; the north-east
-- quarter (114.91–114.92, 27.81–27.82) is the gap the editor test fills.
INSERT INTO grids (code, name, kind, village_code, households, residents, geom) VALUES
 ('360502001001001', '百花湖一网格', 'community', '360502001001', 400, 1100,
  ST_Multi(ST_MakeEnvelope(114.900, 27.800, 114.910, 27.820, 4490))),
 ('360502001001002', '百花湖二网格', 'community', '360502001001', 300, 820,
  ST_Multi(ST_MakeEnvelope(114.910, 27.800, 114.920, 27.810, 4490))),
 ('360502001002001', '双凤楼一网格', 'community', '360502001002', 350, 900,
  ST_Multi(ST_MakeEnvelope(114.920, 27.800, 114.940, 27.820, 4490)));

INSERT INTO population_units (code, name, kind, households, residents, floors, village_code, geom)
SELECT 'PU' || i, '楼栋' || i, 'building', hh, hh * 3, 6, '360502001001',
       ST_Buffer(ST_SetSRID(ST_MakePoint(x, y), 4490), 0.0003, 'quad_segs=1')
FROM (VALUES (1, 114.903, 27.803, 80), (2, 114.906, 27.812, 120), (3, 114.913, 27.804, 150),
             (4, 114.913, 27.814, 120), (5, 114.917, 27.816, 80), (6, 114.915, 27.818, 60))
     AS v (i, x, y, hh);

INSERT INTO grid_workers (name, employment, jurisdiction_code, duty)
VALUES ('李网格', 'full_time', '360502001001', '巡查走访');
INSERT INTO grid_assignments (grid_id, worker_id)
SELECT g.id, w.id FROM grids g, grid_workers w WHERE g.code = '360502001001001' AND w.name = '李网格';

INSERT INTO key_places (code, name, category, village_code, has_video, has_alarm, geom)
VALUES ('KP1', '百花湖小学', 'school', '360502001001', true, false,
        ST_SetSRID(ST_MakePoint(114.9145, 27.8045), 4490));
INSERT INTO hazards (code, name, category, risk_grade, status, found_on, deadline, responsible_unit,
                     village_code, geom)
VALUES ('HZ1', '百花湖滑坡隐患点', 'landslide', 'red', 'confirmed', '2026-11-01', '2026-12-31',
        '百花湖社区居委会', '360502001001', ST_SetSRID(ST_MakePoint(114.9030, 27.8160), 4490));
INSERT INTO cameras (code, name, village_code, geom)
VALUES ('CAM1', '百花湖路口', '360502001001', ST_SetSRID(ST_MakePoint(114.9080, 27.8060), 4490));
COMMIT;
