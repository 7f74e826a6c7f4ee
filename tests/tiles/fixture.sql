-- A small, hand-checkable world for the tile tests, in 渝水区 (Xinyu): the province, city and
-- county outlines, one street (城南街道) with two communities, three grids in the first
-- community (community, base and a dedicated school grid), one far grid in 城北街道, workers,
-- key places, hazards of every grade, a camera and a building. Rectangles densified so that
-- generalisation has vertices to remove.
CREATE FUNCTION pg_temp.rect(x0 float8, y0 float8, x1 float8, y1 float8) RETURNS geometry
LANGUAGE sql AS $$
    SELECT ST_Multi(ST_Segmentize(ST_MakeEnvelope(x0, y0, x1, y1, 4490), 0.001))
$$;

UPDATE jurisdictions SET geom = pg_temp.rect(113.5, 24.5, 118.5, 30.1) WHERE code = '360000000000';
UPDATE jurisdictions SET geom = pg_temp.rect(114.5, 27.5, 115.3, 28.1) WHERE code = '360500000000';
UPDATE jurisdictions SET geom = pg_temp.rect(114.8, 27.7, 115.1, 27.95) WHERE code = '360502000000';
UPDATE jurisdictions SET geom = pg_temp.rect(114.90, 27.80, 114.95, 27.84) WHERE code = '360502001000';
UPDATE jurisdictions SET geom = pg_temp.rect(114.95, 27.84, 115.00, 27.90) WHERE code = '360502002000';
UPDATE jurisdictions SET geom = pg_temp.rect(114.90, 27.80, 114.925, 27.82) WHERE code = '360502001001';
UPDATE jurisdictions SET geom = pg_temp.rect(114.925, 27.80, 114.95, 27.82) WHERE code = '360502001002';
UPDATE jurisdictions SET geom = pg_temp.rect(114.95, 27.86, 114.97, 27.88) WHERE code = '360502002002';

INSERT INTO grids (code, name, kind, village_code, unit_type, households, residents, geom) VALUES
    ('360502001001001', '百花湖第一网格', 'community', '360502001001', NULL, 420, 1200,
     pg_temp.rect(114.900, 27.800, 114.9125, 27.810)),
    ('360502001001002', '百花湖第二网格', 'community', '360502001001', NULL, 380, 1100,
     pg_temp.rect(114.9125, 27.800, 114.925, 27.810)),
    ('360502001001003', '新余四中专属网格', 'dedicated', '360502001001', 'school', 0, 0,
     pg_temp.rect(114.903, 27.812, 114.906, 27.815)),
    ('360502002002001', '城北远处网格', 'community', '360502002002', NULL, 300, 900,
     pg_temp.rect(114.955, 27.865, 114.965, 27.875));

INSERT INTO grid_workers (name, employment, jurisdiction_code) VALUES
    ('张伟', 'full_time', '360502001001'), ('李娜', 'part_time', '360502001001');
INSERT INTO grid_assignments (grid_id, worker_id)
SELECT g.id, w.id FROM grids g, grid_workers w
WHERE (g.code = '360502001001001' AND w.name = '张伟') OR (g.code = '360502001001002' AND w.name = '李娜');

INSERT INTO key_places (name, category, village_code, has_video, has_alarm, geom) VALUES
    ('新余市第四中学', 'school', '360502001001', true, false, ST_SetSRID(ST_MakePoint(114.9045, 27.8135), 4490)),
    ('百花湖幼儿园', 'kindergarten', '360502001001', false, false, ST_SetSRID(ST_MakePoint(114.9050, 27.8050), 4490));
INSERT INTO hazards (name, category, risk_grade, status, overdue, escalation_level, village_code, geom) VALUES
    ('百花湖边坡滑坡', 'landslide', 'red', 'confirmed', true, 1, '360502001001', ST_SetSRID(ST_MakePoint(114.9100, 27.8060), 4490)),
    ('加油站', 'dangerous_goods', 'orange', 'rectifying', false, 0, '360502001001', ST_SetSRID(ST_MakePoint(114.9105, 27.8062), 4490)),
    ('老旧电线', 'fire', 'yellow', 'reported', false, 0, '360502001002', ST_SetSRID(ST_MakePoint(114.9300, 27.8100), 4490)),
    ('路口', 'traffic', 'blue', 'reported', false, 0, '360502001002', ST_SetSRID(ST_MakePoint(114.9400, 27.8150), 4490));
INSERT INTO cameras (name, village_code, direction_deg, fov_deg, range_m, geom) VALUES
    ('校门口摄像头', '360502001001', 90, 60, 80, ST_SetSRID(ST_MakePoint(114.9046, 27.8131), 4490));
INSERT INTO population_units (name, kind, households, residents, floors, village_code, geom) VALUES
    ('百花湖小区1栋', 'building', 48, 140, 6, '360502001001',
     ST_SetSRID(ST_MakeEnvelope(114.9010, 27.8010, 114.9013, 27.8012), 4490));
