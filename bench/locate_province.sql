-- Province-scale synthetic data for bench/locate.sh: every one of Jiangxi's 22,080
-- villages/communities gets a square boundary on a lattice over the province, split into five
-- grids (community or base), every fourth village also a dedicated grid, and one worker per
-- grid: ~116k grids, the size DESIGN.md names for the province. Boundaries are synthetic;
-- codes, names and the hierarchy are the real reference ones.
BEGIN;
SET LOCAL pingan.actor = 'bench';
DELETE FROM grid_assignments; DELETE FROM grid_workers; DELETE FROM grids;
WITH v AS (
    SELECT code, row_number() OVER (ORDER BY code) - 1 AS n FROM jurisdictions WHERE level = 'village'
), cell AS (
    SELECT code, 113.6 + (n % 150) * 0.03 AS x, 24.5 + (n / 150) * 0.038 AS y FROM v
)
UPDATE jurisdictions j SET geom = ST_Multi(ST_MakeEnvelope(c.x, c.y, c.x + 0.03, c.y + 0.038, 4490))
FROM cell c WHERE j.code = c.code;
INSERT INTO grids (code, name, kind, village_code, unit_type, geom)
SELECT j.code || lpad(k::text, 3, '0'), j.name || '第' || k || '网格',
       CASE WHEN j.kind = 'community' THEN 'community' ELSE 'base' END, j.code, NULL,
       ST_Multi(ST_MakeEnvelope(ST_XMin(j.geom) + (k - 1) * 0.006, ST_YMin(j.geom),
                                ST_XMin(j.geom) + k * 0.006, ST_YMax(j.geom), 4490))
FROM jurisdictions j, generate_series(1, 5) k WHERE j.level = 'village';
INSERT INTO grids (code, name, kind, village_code, unit_type, geom)
SELECT j.code || '006', j.name || '学校专属网格', 'dedicated', j.code, 'school',
       ST_Multi(ST_MakeEnvelope(ST_XMin(j.geom) + 0.004, ST_YMin(j.geom) + 0.01,
                                ST_XMin(j.geom) + 0.009, ST_YMin(j.geom) + 0.015, 4490))
FROM jurisdictions j WHERE j.level = 'village' AND right(j.code, 1) IN ('1', '5', '9');
INSERT INTO grid_workers (name, employment, phone, jurisdiction_code, duty)
SELECT '网格员' || g.id, CASE WHEN g.kind = 'community' THEN 'full_time' ELSE 'part_time' END,
       '138' || lpad((g.id % 100000000)::text, 8, '0'), g.village_code, g.name || '网格员'
FROM grids g ORDER BY g.id;
INSERT INTO grid_assignments (grid_id, worker_id)
SELECT g.id, w.id FROM grids g JOIN grid_workers w ON w.name = '网格员' || g.id;
COMMIT;
ANALYZE jurisdictions; ANALYZE grids; ANALYZE grid_workers; ANALYZE grid_assignments;
