-- Three square villages side by side along latitude 27.80-27.82 (each 0.02° ≈ 1.97 km wide):
--   A 360502100200 水北村 (county 360502 渝水区)   lon 114.90-114.92
--   B 360502100201 南陂村 (county 360502)          lon 114.92-114.94
--   C 360521001002 天工社区 (county 360521 分宜县)  lon 114.94-114.96
-- and population units in A: 10 buildings of 40 households / 100 residents each, on a row at
-- lat 27.81, lon 114.9015, 114.9035, … 114.9195 (so a split along lon 114.91 gives 5 + 5).
UPDATE jurisdictions SET geom = ST_Multi(ST_MakeEnvelope(114.90, 27.80, 114.92, 27.82, 4490))
 WHERE code = '360502100200';
UPDATE jurisdictions SET geom = ST_Multi(ST_MakeEnvelope(114.92, 27.80, 114.94, 27.82, 4490))
 WHERE code = '360502100201';
UPDATE jurisdictions SET geom = ST_Multi(ST_MakeEnvelope(114.94, 27.80, 114.96, 27.82, 4490))
 WHERE code = '360521001002';
INSERT INTO population_units (code, name, kind, households, residents, village_code, geom)
SELECT 'PU' || i, 'building ' || i, 'building', 40, 100, '360502100200',
       ST_SetSRID(ST_MakePoint(114.9015 + 0.002 * i, 27.81), 4490)
FROM generate_series(0, 9) i;
