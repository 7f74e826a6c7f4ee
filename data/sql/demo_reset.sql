-- pingan demo --force: removes what earlier demo runs loaded, county by county as recorded
-- in demo_loads, so that the run after it starts clean. Rows are found by the codes the demo
-- gives out (grids and population units by village code, key places KP<county>, hazards
-- HZ<county>, cameras <county>0000131) and workers by jurisdiction: whatever else was
-- entered in those counties goes too, which is what reloading a demo means.
CREATE TEMP TABLE demo_gone ON COMMIT DROP AS
SELECT DISTINCT left(county_code, 6) AS c6 FROM demo_loads;

DELETE FROM grid_workers x USING demo_gone g WHERE left(x.jurisdiction_code, 6) = g.c6;
DELETE FROM grids x USING demo_gone g WHERE left(x.code, 6) = g.c6;
DELETE FROM population_units x USING demo_gone g WHERE left(x.village_code, 6) = g.c6;
DELETE FROM key_places x USING demo_gone g WHERE left(x.code, 8) = 'KP' || g.c6;
DELETE FROM hazards x USING demo_gone g WHERE left(x.code, 8) = 'HZ' || g.c6;
DELETE FROM cameras x USING demo_gone g WHERE left(x.code, 13) = g.c6 || '0000131';
UPDATE jurisdictions j SET geom = NULL, label_point = NULL, updated_at = now()
FROM demo_gone g
WHERE j.level IN ('township', 'village') AND left(j.code, 6) = g.c6 AND j.geom IS NOT NULL;

DELETE FROM demo_planted;
DELETE FROM demo_loads;
