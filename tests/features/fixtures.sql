-- Test fixtures for the OGC API reads: boundaries for part of 渝水区 (360502), grids of every
-- kind, workers with contact data, and enough key places, hazards, cameras and population
-- units to need several pages. Deterministic: no random(). Times are fixed so that datetime
-- filters have known answers.

-- 城南街道 and two of its communities, as rectangles (CGCS2000 lon/lat)
UPDATE jurisdictions SET geom = ST_Multi(ST_MakeEnvelope(114.90, 27.78, 114.96, 27.82, 4490)),
       updated_at = '2024-03-01T00:00:00Z' WHERE code = '360502001000';
UPDATE jurisdictions SET geom = ST_Multi(ST_MakeEnvelope(114.90, 27.78, 114.93, 27.80, 4490)),
       updated_at = '2024-03-01T00:00:00Z' WHERE code = '360502001001';
UPDATE jurisdictions SET geom = ST_Multi(ST_MakeEnvelope(114.93, 27.78, 114.96, 27.80, 4490)),
       updated_at = '2024-03-01T00:00:00Z' WHERE code = '360502001002';

-- 百花湖社区 split in two community grids, a dedicated school grid on top; 双凤楼社区 one
-- base grid; plus 40 small grids in 水北镇's first village for paging.
INSERT INTO grids (code, name, kind, village_code, unit_type, geom, updated_at) VALUES
 ('360502001001001', '百花湖一网格', 'community', '360502001001', NULL,
  ST_Multi(ST_MakeEnvelope(114.900, 27.78, 114.915, 27.80, 4490)), '2024-01-10T08:00:00Z'),
 ('360502001001002', '百花湖二网格', 'community', '360502001001', NULL,
  ST_Multi(ST_MakeEnvelope(114.915, 27.78, 114.930, 27.80, 4490)), '2024-02-10T08:00:00Z'),
 ('360502001001003', '第一中学专属网格', 'dedicated', '360502001001', 'school',
  ST_Multi(ST_MakeEnvelope(114.905, 27.785, 114.910, 27.790, 4490)), '2024-03-10T08:00:00Z'),
 ('360502001002001', '双凤楼网格', 'base', '360502001002', NULL,
  ST_Multi(ST_MakeEnvelope(114.930, 27.78, 114.960, 27.80, 4490)), '2024-04-10T08:00:00Z');
INSERT INTO grids (code, name, kind, village_code, geom, updated_at)
SELECT v.code || lpad(i::text, 3, '0'), '测试网格' || i, 'base', v.code,
       ST_Multi(ST_MakeEnvelope(115.0 + i * 0.01, 27.7, 115.0 + i * 0.01 + 0.009, 27.709, 4490)),
       '2025-01-01T00:00:00Z'::timestamptz + i * interval '1 day'
FROM generate_series(1, 40) i,
     (SELECT min(code) AS code FROM jurisdictions WHERE parent_code = '360502100000') v;

INSERT INTO grid_workers (name, employment, phone, id_number, jurisdiction_code, duty) VALUES
 ('张伟', 'full_time', '13800000001', '360502199001011234', '360502001001', '百花湖一网格专职网格员'),
 ('李娜', 'part_time', '13800000002', '36050219900101123X', '360502001001', '学校安全'),
 ('王强', 'full_time', '13800000003', '360502198505051111', '360502001002', '双凤楼网格专职网格员'),
 ('赵敏', 'full_time', '13900000004', '360521198505051111', '360521001002', '外县网格员');
INSERT INTO grid_assignments (grid_id, worker_id, role)
SELECT g.id, w.id, r FROM (VALUES ('360502001001001', '张伟', 'primary'),
                                  ('360502001001003', '李娜', 'primary'),
                                  ('360502001001003', '张伟', 'assistant'),
                                  ('360502001002001', '王强', 'primary')) a(code, name, r)
JOIN grids g ON g.code = a.code JOIN grid_workers w ON w.name = a.name;

-- 25 key places across categories
INSERT INTO key_places (code, name, category, village_code, security_staff, has_video, geom, updated_at)
SELECT 'KP' || lpad(i::text, 3, '0'), '重点场所' || i,
       (ARRAY['school', 'hospital', 'market', 'station', 'park'])[1 + i % 5],
       '360502001001', i % 4, i % 2 = 0,
       ST_SetSRID(ST_MakePoint(114.901 + i * 0.001, 27.781 + i * 0.0005), 4490),
       '2024-06-01T00:00:00Z'::timestamptz + i * interval '1 hour'
FROM generate_series(1, 25) i;

-- 40 hazards: risk grades and statuses in rotation; updated one day apart from 2024-01-01
INSERT INTO hazards (code, name, category, risk_grade, status, found_on, deadline, village_code, geom, updated_at)
SELECT 'HZ' || lpad(i::text, 3, '0'), '隐患' || i,
       (ARRAY['landslide', 'fire', 'flood', 'accident'])[1 + i % 4],
       (ARRAY['red', 'orange', 'yellow', 'blue'])[1 + i % 4],
       (ARRAY['reported', 'confirmed', 'rectifying', 'rectified', 'closed'])[1 + i % 5],
       '2023-12-01'::date + i, '2024-12-31'::date, '360502001002',
       ST_SetSRID(ST_MakePoint(114.931 + i * 0.0005, 27.781 + i * 0.0004), 4490),
       '2024-01-01T12:00:00Z'::timestamptz + (i - 1) * interval '1 day'
FROM generate_series(1, 40) i;

-- 60 cameras
INSERT INTO cameras (code, name, village_code, direction_deg, fov_deg, range_m, geom, updated_at)
SELECT 'CAM' || lpad(i::text, 3, '0'), '摄像头' || i, '360502001001', (i * 37) % 360, 90, 80,
       ST_SetSRID(ST_MakePoint(114.9005 + (i % 10) * 0.002, 27.7805 + (i / 10) * 0.002), 4490),
       '2024-05-01T00:00:00Z'
FROM generate_series(1, 60) i;

-- 1,234 buildings (points and small squares) for paging across many pages
INSERT INTO population_units (code, name, kind, households, residents, floors, village_code, geom, updated_at)
SELECT 'B' || lpad(i::text, 5, '0'), '楼栋' || i, 'building', 10 + i % 30, 25 + i % 70, 1 + i % 18,
       '360502001001',
       CASE WHEN i % 2 = 0
            THEN ST_SetSRID(ST_MakePoint(114.9001 + (i % 50) * 0.0005, 27.7801 + (i / 50) * 0.0005), 4490)
            ELSE ST_MakeEnvelope(114.9001 + (i % 50) * 0.0005, 27.7801 + (i / 50) * 0.0005,
                                 114.9003 + (i % 50) * 0.0005, 27.7803 + (i / 50) * 0.0005, 4490)
       END,
       '2024-07-01T00:00:00Z'
FROM generate_series(1, 1234) i;
ANALYZE;
